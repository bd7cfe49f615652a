/*
 * Unit tests of ngx_pa_qscore.c: the index scores submit.lua made with
 * lib/qscore.lua's qorder() and its within() (values below computed with
 * that code's arithmetic on IEEE doubles), and on random ones: the sum
 * exact, below the next whole score, its text read back as the same
 * double.
 */

#include <math.h>
#include <stdlib.h>

#include "ngx_pa_dtoa.h"
#include "ngx_pa_qscore.h"
#include "pa_unit.h"


static const char *
score(int urgent, int has_due, int64_t due, int64_t now, uint64_t us,
    char *buf)
{
    ngx_pa_qscore_frac_t  f;

    ngx_pa_qscore_frac(now, us, &f);

    if (ngx_pa_qscore_text(ngx_pa_qscore_within(
                               ngx_pa_qscore_order(urgent, has_due, due, now),
                               has_due ? f.period : f.second),
                           buf, NGX_PA_QSCORE_LEN)
        == 0)
    {
        return NULL;
    }

    return buf;
}


int
main(void)
{
    int                   i, bad;
    char                  buf[NGX_PA_QSCORE_LEN], *end;
    double                base, f, d;
    ngx_pa_qscore_frac_t  fr;

    /* 2026-12-05 13:04:25 UTC and 936 ms, the 4th report of its call */

    PA_IS_STR(score(0, 1, 1796637600, 1796474665, 936003, buf),
              "21796637600.432266", "not urgent, by its deadline (its "
              "second 25.936003 of the minute)");
    PA_IS_STR(score(1, 0, 0, 1796474665, 936003, buf),
              "11796474665.936003", "urgent, no deadline: by submission");
    PA_IS_STR(score(0, 0, 0, 1796474665, 936003, buf),
              "31796474665.936", "not urgent, no deadline");
    PA_IS_STR(score(1, 0, 0, 1796474665, 0, buf),
              "11796474665", "a whole second: no fraction written");

    ngx_pa_qscore_frac(1796474665, 936003, &fr);
    (void) ngx_pa_qscore_text(ngx_pa_qscore_within(1796637600, fr.period), buf,
                              sizeof(buf));
    PA_IS_STR(buf, "1796637600.4322667", "a deadline's score in due");

    ngx_pa_qscore_frac(1796474665, 5000000, &fr);
    PA_OK(fr.second == 0.999999, "the microsecond at most 999999");

    /* a minute's fraction: from 0 at its first second to below 1 */

    ngx_pa_qscore_frac(1796474640, 0, &fr);
    PA_OK(fr.period == 0, "the minute's first microsecond: 0");
    ngx_pa_qscore_frac(1796474699, 999999, &fr);
    PA_OK(fr.period > 0.99999 && fr.period < 1, "its last: below 1");
    ngx_pa_qscore_frac(1796474700, 0, &fr);
    PA_OK(fr.period == 0, "the next minute starts again");

    /* random scores: exact sums, below base + 1, texts read back */

    srandom(12);
    bad = 0;

    for (i = 0; i < 1000000; i++) {
        base = (double) (random() % 40000000000LL);
        f = (double) random() / 2147483648.0;
        d = ngx_pa_qscore_within(base, f);

        if (d < base || d >= base + 1 || d - base > f
            || ngx_pa_qscore_text(d, buf, sizeof(buf)) == 0
            || ngx_pa_strtod(buf, &end) != d || *end != '\0'
            || strtod(buf, NULL) != d)
        {
            if (bad++ < 5) {
                printf("#   base %.17g f %.17g: %.17g \"%s\"\n", base, f,
                       d, buf);
            }
        }
    }

    PA_IS_INT(bad, 0, "a million scores: exact, in [base, base + 1), "
              "their texts read back");

    PA_DONE();
}
