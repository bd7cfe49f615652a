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


/*
 * The fractions of a submission (now's second, its microsecond us).  A
 * deadline's score (2e10 + due, about 2^34) keeps 18 bits below its whole
 * second: over a day that is a third of a second, and the reports of one
 * (thousands, at a bench's rate) tie on the score and are inserted among
 * each other at random places by id.  A minute's fraction keeps 0.23 ms:
 * a run of a few.  It wraps each minute; nothing but the inserts' cost
 * depends on it (the readers order ties by created_at).
 */
typedef struct {
    double  second;                 /* us / 1e6: in its second */
    double  period;                 /* its time in its minute, in [0, 1) */
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
