/*
 * Redis's clock as a worker sees it, for the deadline a writing script
 * takes (redis-scripts/lib/late.lua).  A reply timeout answers 503, but
 * the call may still be in Redis's socket buffer and run later; with a
 * deadline in Redis's own clock the script writes nothing once the
 * worker has given up, so a 503 keeps nothing.
 *
 * The worker asks Redis for TIME and keeps the offset between Redis's
 * clock and its monotonic milliseconds (ngx_current_msec): no clock of
 * the two hosts need agree, and a step of the nginx host's wall clock
 * changes nothing.  Redis read its clock between the ask and the reply;
 * the offset takes the reply's moment, the latest possible, so the
 * deadline errs early by up to the round trip (a refusal, 503, both ways
 * consistent) and late only by what the worker's cached time lags.  A
 * reading whose round trip is long is not taken (nor one of a Redis
 * stopped mid-ask); a slow one is taken but read again within a second;
 * a worse one does not replace a better one of less than EVERY ago.  A
 * refusal that came back too soon says the offset is wrong (Redis's
 * clock stepped): no deadline until the next reading, asked at once.
 * Pure C, no nginx header: unit-tested (tests/unit/test_rclock.c).
 */

#ifndef NGX_PA_RCLOCK_H
#define NGX_PA_RCLOCK_H

#include <stddef.h>
#include <stdint.h>


#define NGX_PA_RCLOCK_LEN    24     /* room for a deadline's text */
#define NGX_PA_RCLOCK_EVERY  10000  /* ms between two readings */
#define NGX_PA_RCLOCK_RETRY  1000   /* ms: again after a reading not taken */
#define NGX_PA_RCLOCK_GOOD   5      /* ms: a round trip read again later */


typedef struct {
    int64_t     offset;     /* Redis's ms minus the worker's ms */
    uint64_t    read;       /* the worker's ms of the reading taken */
    uint64_t    rtt;        /* its round trip, ms */
    uint64_t    asked;      /* the worker's ms of the last ask */
    unsigned    known:1;    /* a reading was taken */
    unsigned    asking:1;   /* a TIME is in flight */
    unsigned    stale:1;    /* the offset proved wrong: read again */
} ngx_pa_rclock_t;


/* whether to ask Redis for its TIME now (nothing in flight, stale) */
int ngx_pa_rclock_due(const ngx_pa_rclock_t *c, uint64_t now);

void ngx_pa_rclock_ask(ngx_pa_rclock_t *c, uint64_t now);

/*
 * TIME's reply (seconds and microseconds as text), now the worker's ms
 * at the reply, max_rtt the longest round trip taken.  0: taken; -1: the
 * reply is not a time; 1: the round trip was too long; 2: a better
 * reading of less than EVERY ago is kept.
 */
int ngx_pa_rclock_reply(ngx_pa_rclock_t *c, const char *sec, size_t sec_len,
    const char *usec, size_t usec_len, uint64_t now, uint64_t max_rtt);

/* no reply, or not a time: ask again later */
void ngx_pa_rclock_lost(ngx_pa_rclock_t *c);

/*
 * A refusal for lateness came back sent_ago ms after its deadline's base,
 * the deadline being after ms from it: before it, the offset is wrong
 * (Redis's clock stepped forward).  1: it was (no deadline until the next
 * reading, asked on the next call).  A step backward is not seen: the
 * deadlines come late until the next reading (10 s at most).
 */
int ngx_pa_rclock_refused(ngx_pa_rclock_t *c, uint64_t sent_ago,
    uint64_t after);

/*
 * The deadline of a call sent now whose worker waits at most after ms,
 * in Redis's ms, as text into buf (NGX_PA_RCLOCK_LEN): its length, or 0
 * while the clock is not known or stale (the script then takes none).
 */
size_t ngx_pa_rclock_deadline(const ngx_pa_rclock_t *c, uint64_t now,
    uint64_t after, char *buf);

#endif /* NGX_PA_RCLOCK_H */
