/*
 * The index scores of a new report, made by the worker (issue 12,
 * bench/submit-cost.md): the same doubles submit.lua made with
 * lib/qscore.lua's qorder() and its within(), so the work lists and the
 * deadlines' index keep their order, and Redis gets them as text it
 * passes straight to ZADD (no Lua arithmetic, no %.17g of a Lua number).
 * Pure C, no nginx header: unit-tested (tests/unit/test_qscore.c).
 */

#ifndef NGX_PA_QSCORE_H
#define NGX_PA_QSCORE_H

#include <stddef.h>
#include <stdint.h>


#define NGX_PA_QSCORE_LEN  32       /* room for a score's text */


/* the fractions of a submission (now's second, its microsecond us) */
typedef struct {
    double  second;                 /* us / 1e6: in its second */
    double  day;                    /* its time of day, in [0, 1) */
} ngx_pa_qscore_frac_t;


/*
 * us: the milliseconds of now * 1000 + the report's place in its batch
 * (0 for the first), at most 999999
 */
void ngx_pa_qscore_frac(int64_t now, uint64_t us, ngx_pa_qscore_frac_t *f);

/* lib/qscore.lua's qorder(): urgent first, then the nearest deadline
 * (has_due), none: by submission */
double ngx_pa_qscore_order(int urgent, int has_due, int64_t due,
    int64_t created_at);

/* submit.lua's within(): base + f cut to the spacing of doubles at
 * base + 1, so that the sum is exact and below base + 1 */
double ngx_pa_qscore_within(double base, double f);

/* the shortest text (15 to 17 digits) that reads back as d; its length */
size_t ngx_pa_qscore_text(double d, char *buf, size_t size);

#endif /* NGX_PA_QSCORE_H */
