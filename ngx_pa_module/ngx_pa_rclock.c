/*
 * Redis's clock seen from a worker: the offset of a TIME reading, and the
 * deadlines made of it (ngx_pa_rclock.h says why).
 */

#include "ngx_pa_rclock.h"

#include <stdio.h>


static int ngx_pa_rclock_num(const char *s, size_t len, int64_t *out);


int
ngx_pa_rclock_due(const ngx_pa_rclock_t *c, uint64_t now)
{
    uint64_t  every;

    if (c->asking) {
        return 0;
    }

    if (c->stale) {
        return now - c->asked >= NGX_PA_RCLOCK_RETRY / 10;
    }

    if (!c->known) {
        return c->asked == 0 || now - c->asked >= NGX_PA_RCLOCK_RETRY;
    }

    every = (c->rtt > NGX_PA_RCLOCK_GOOD) ? NGX_PA_RCLOCK_RETRY
                                          : NGX_PA_RCLOCK_EVERY;

    return now - c->read >= every && now - c->asked >= NGX_PA_RCLOCK_RETRY;
}


void
ngx_pa_rclock_ask(ngx_pa_rclock_t *c, uint64_t now)
{
    c->asking = 1;
    c->asked = now;
}


int
ngx_pa_rclock_reply(ngx_pa_rclock_t *c, const char *sec, size_t sec_len,
    const char *usec, size_t usec_len, uint64_t now, uint64_t max_rtt)
{
    int64_t   s, us;
    uint64_t  rtt;

    c->asking = 0;

    if (ngx_pa_rclock_num(sec, sec_len, &s) != 0
        || ngx_pa_rclock_num(usec, usec_len, &us) != 0
        || us > 999999)
    {
        return -1;
    }

    if (now < c->asked || now - c->asked > max_rtt) {
        return 1;
    }

    rtt = now - c->asked;

    /* a better reading of less than EVERY ago stays */

    if (c->known && !c->stale && rtt > c->rtt
        && now - c->read < NGX_PA_RCLOCK_EVERY)
    {
        return 2;
    }

    /* the reply's moment: Redis read its clock at or before it */

    c->offset = s * 1000 + us / 1000 - (int64_t) now;
    c->read = now;
    c->rtt = rtt;
    c->known = 1;
    c->stale = 0;

    return 0;
}


void
ngx_pa_rclock_lost(ngx_pa_rclock_t *c)
{
    c->asking = 0;
}


int
ngx_pa_rclock_refused(ngx_pa_rclock_t *c, uint64_t sent_ago, uint64_t after)
{
    /*
     * The deadline had not come by the worker's clock, less the bias of
     * the reading and of the milliseconds' truncation.
     */

    if (!c->known || sent_ago + c->rtt + 2 >= after) {
        return 0;
    }

    c->stale = 1;

    return 1;
}


size_t
ngx_pa_rclock_deadline(const ngx_pa_rclock_t *c, uint64_t now,
    uint64_t after, char *buf)
{
    int  n;

    if (!c->known || c->stale) {
        return 0;
    }

    n = snprintf(buf, NGX_PA_RCLOCK_LEN, "%lld",
                 (long long) ((int64_t) (now + after) + c->offset));

    return (n > 0 && n < NGX_PA_RCLOCK_LEN) ? (size_t) n : 0;
}


/* a non-negative decimal of at most 15 digits */

static int
ngx_pa_rclock_num(const char *s, size_t len, int64_t *out)
{
    size_t   i;
    int64_t  v;

    if (s == NULL || len == 0 || len > 15) {
        return -1;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        v = v * 10 + (s[i] - '0');
    }

    *out = v;

    return 0;
}
