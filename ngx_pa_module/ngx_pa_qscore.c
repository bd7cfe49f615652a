/*
 * The index scores of a new report (ngx_pa_qscore.h).  Each operation is
 * the one Lua 5.1 made on doubles, in the same order, so the results are
 * the same bits: Lua's a % b is a - floor(a / b) * b, and its numbers are
 * IEEE doubles rounded to nearest as C's are on every target we build.
 */

#include <math.h>

#include "ngx_pa_dtoa.h"
#include "ngx_pa_qscore.h"


#define NGX_PA_QSCORE_BAND    1e10   /* lib/qscore.lua's B */
#define NGX_PA_QSCORE_PERIOD  60     /* s: the fraction of a deadline */


void
ngx_pa_qscore_frac(int64_t now, uint64_t us, ngx_pa_qscore_frac_t *f)
{
    double  sec;

    if (us > 999999) {
        us = 999999;
    }

    sec = (double) now;

    f->second = (double) us / 1e6;
    f->period = (sec - floor(sec / NGX_PA_QSCORE_PERIOD)
                       * NGX_PA_QSCORE_PERIOD + f->second)
                / NGX_PA_QSCORE_PERIOD;
}


double
ngx_pa_qscore_order(int urgent, int has_due, int64_t due,
    int64_t created_at)
{
    double  band;

    band = urgent ? 0 : 2;

    if (!has_due) {
        return (band + 1) * NGX_PA_QSCORE_BAND + (double) created_at;
    }

    return band * NGX_PA_QSCORE_BAND + (double) due;
}


double
ngx_pa_qscore_within(double base, double f)
{
    int     e;
    double  grain;

    (void) frexp(base + 1, &e);
    grain = ldexp(1, e - 53);

    return base + floor(f / grain) * grain;
}


size_t
ngx_pa_qscore_text(double d, char *buf, size_t size)
{
    int  n, p;

    /* fewer digits are fewer for Redis to read (and to keep in its AOF) */

    for (p = 15; p < 17; p++) {
        n = ngx_pa_dtoa_g(buf, size, p, d);

        if (n > 0 && (size_t) n < size && ngx_pa_strtod(buf, NULL) == d) {
            return n;
        }
    }

    n = ngx_pa_dtoa_g(buf, size, 17, d);

    return (n > 0 && (size_t) n < size) ? (size_t) n : 0;
}
