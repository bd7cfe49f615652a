/*
 * A position's geo set score (ngx_pa_geohash.h).  Redis's geohash at its
 * finest step (26 bits each way, the 52 bits a double holds exactly):
 * each coordinate as the fraction of its range it lies at, scaled to 26
 * bits and truncated, the latitude's bits at the even places of the
 * result and the longitude's at the odd ones.  The same double
 * operations in the same order as Redis's, so the same bits.
 */

#include "ngx_pa_geohash.h"


#define NGX_PA_GEOHASH_STEP  26


/* the 32 bits of x at the even places of the result */

static uint64_t
ngx_pa_geohash_spread(uint32_t x)
{
    uint64_t  v;

    v = x;
    v = (v | (v << 16)) & 0x0000ffff0000ffffULL;
    v = (v | (v << 8)) & 0x00ff00ff00ff00ffULL;
    v = (v | (v << 4)) & 0x0f0f0f0f0f0f0f0fULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;

    return v;
}


int
ngx_pa_geohash_score(double lng, double lat, uint64_t *score)
{
    double  lat_off, lng_off;

    /* (false for a NaN too) */

    if (!(lng >= -NGX_PA_GEOHASH_LNG_MAX && lng <= NGX_PA_GEOHASH_LNG_MAX
          && lat >= -NGX_PA_GEOHASH_LAT_MAX
          && lat <= NGX_PA_GEOHASH_LAT_MAX))
    {
        return -1;
    }

    lat_off = (lat - -NGX_PA_GEOHASH_LAT_MAX)
              / (NGX_PA_GEOHASH_LAT_MAX - -NGX_PA_GEOHASH_LAT_MAX);
    lng_off = (lng - -NGX_PA_GEOHASH_LNG_MAX)
              / (NGX_PA_GEOHASH_LNG_MAX - -NGX_PA_GEOHASH_LNG_MAX);

    lat_off *= (double) (1ULL << NGX_PA_GEOHASH_STEP);
    lng_off *= (double) (1ULL << NGX_PA_GEOHASH_STEP);

    /*
     * (at the upper limits the fraction is 1: 2^26, which Redis's
     * conversion to 32 bits keeps, and so its interleaving)
     */

    *score = ngx_pa_geohash_spread((uint32_t) lat_off)
             | (ngx_pa_geohash_spread((uint32_t) lng_off) << 1);

    return 0;
}
