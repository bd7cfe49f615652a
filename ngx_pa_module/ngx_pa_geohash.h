/*
 * A position's score in a Redis geo set, made by the worker (issue 12):
 * the 52-bit geohash GEOADD would store for the same longitude and
 * latitude, so submit.lua adds the duplicate hints' positions with a
 * ZADD and Redis parses no float (GEOADD's two strtod, its geohash and
 * the ZADD it makes of them were ~4k instructions a report).  GEOSEARCH
 * reads such a set as it reads one GEOADD made.  Pure C, no nginx
 * header: unit-tested (tests/unit/test_geohash.c).
 */

#ifndef NGX_PA_GEOHASH_H
#define NGX_PA_GEOHASH_H

#include <stdint.h>


/* GEOADD's limits: Web Mercator's latitudes */
#define NGX_PA_GEOHASH_LAT_MAX  85.05112878
#define NGX_PA_GEOHASH_LNG_MAX  180.0

/* digits of a score, at most: 3 * 2^52 at the upper limits */
#define NGX_PA_GEOHASH_LEN      17


/*
 * The score of (lng, lat) in *score; -1 when GEOADD would refuse the
 * position (beyond the limits above, or not a number), else 0.
 */
int ngx_pa_geohash_score(double lng, double lat, uint64_t *score);

#endif /* NGX_PA_GEOHASH_H */
