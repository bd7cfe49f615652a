/*
 * Unit tests of ngx_pa_geohash.c: the scores below are what Redis 7.0's
 * GEOADD stored for the same positions (ZSCORE after GEOADD, 2026-12-06),
 * the limits included; positions GEOADD refuses are refused.
 */

#include <math.h>

#include "ngx_pa_geohash.h"
#include "pa_unit.h"


static const struct {
    double    lng, lat;
    uint64_t  score;
} geohash_tests[] = {
    { 103.458, 22.396, 4020074108073491ULL },       /* Lai Châu */
    { 105.8342, 21.0278, 3973593173677044ULL },
    { 103.2, 22.1, 4020035715510093ULL },
    { 102.34, 21.96, 4019926306561900ULL },
    { 0, 0, 3377699720527872ULL },
    { -0.0001, -0.0001, 1125899906841058ULL },
    { -73.985428, 40.748817, 1791875672669040ULL },
    { 151.2093, -33.8688, 3252046221964352ULL },
    { -122.4194155, 37.7749295, 1367859919124776ULL },
    { 13.4049999, 52.5200001, 3673983950397063ULL },
    { -180, -85.05112878, 0ULL },
    { 179.9999999, 85.0511287, 4503599627370495ULL },
    { 180, 85.05112878, 13510798882111488ULL }
};


int
main(void)
{
    size_t    i;
    uint64_t  score;

    for (i = 0; i < sizeof(geohash_tests) / sizeof(geohash_tests[0]); i++) {
        score = 1;
        PA_IS_INT(ngx_pa_geohash_score(geohash_tests[i].lng,
                                       geohash_tests[i].lat, &score), 0,
                  "%.7f %.7f is a position GEOADD takes",
                  geohash_tests[i].lng, geohash_tests[i].lat);
        PA_OK(score == geohash_tests[i].score,
              "%.7f %.7f: GEOADD's score %llu (got %llu)",
              geohash_tests[i].lng, geohash_tests[i].lat,
              (unsigned long long) geohash_tests[i].score,
              (unsigned long long) score);
    }

    PA_IS_INT(ngx_pa_geohash_score(103.458, 85.05112879, &score), -1,
              "a latitude beyond Web Mercator's is refused");
    PA_IS_INT(ngx_pa_geohash_score(103.458, -85.05112879, &score), -1,
              "so is one below it");
    PA_IS_INT(ngx_pa_geohash_score(180.0000001, 22.396, &score), -1,
              "a longitude past 180 is refused");
    PA_IS_INT(ngx_pa_geohash_score(-180.0000001, 22.396, &score), -1,
              "so is one before -180");
    PA_IS_INT(ngx_pa_geohash_score(NAN, 22.396, &score), -1,
              "not a number is refused");
    PA_IS_INT(ngx_pa_geohash_score(103.458, NAN, &score), -1,
              "as a latitude too");

    PA_DONE();
}
