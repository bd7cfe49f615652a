/*
 * The counters of GET /metrics: one shared memory zone ("pa_metrics",
 * registered by ngx_pa_metrics_log.c) of fixed arrays of atomic
 * counters.  Every worker adds with ngx_atomic_fetch_add() (no lock, no
 * allocation: a count can never fail a request); the worker that answers
 * a scrape reads them all (ngx_pa_metrics_out.c).
 *
 * This file stands below everything that counts (the Redis adapter
 * included): it knows nginx, ngx_pa.h's types and hiredis' reply only.
 *
 * The zone keeps its counters across "nginx -s reload" (the old zone's
 * data is reused), as Prometheus expects of a counter.
 */

#include "ngx_pa.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_metrics_zone.h"

#include <hiredis/hiredis.h>
#include <time.h>


ngx_pa_metrics_shm_t  *ngx_pa_metrics_shm;

/* ctx->outcome of a replayed submission: compared by address */
const char  ngx_pa_metrics_replayed[] = "replay";


/* upper bounds of the latency buckets, microseconds; the last is +Inf */
const uint64_t  ngx_pa_metrics_le[NGX_PA_BUCKETS - 1] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
    250000, 500000, 1000000, 2500000
};


void
ngx_pa_metrics_inc(ngx_pa_metric_e m)
{
    if (ngx_pa_metrics_shm != NULL && m < NGX_PA_M_LAST) {
        (void) ngx_atomic_fetch_add(&ngx_pa_metrics_shm->counter[m], 1);
    }
}


void
ngx_pa_metrics_add(ngx_pa_metric_e m, ngx_uint_t n)
{
    if (ngx_pa_metrics_shm != NULL && m < NGX_PA_M_LAST) {
        (void) ngx_atomic_fetch_add(&ngx_pa_metrics_shm->counter[m],
                                    (ngx_atomic_int_t) n);
    }
}


uint64_t
ngx_pa_metrics_now(void)
{
    struct timespec  ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


void
ngx_pa_metrics_redis(uint64_t sent, struct redisReply *reply)
{
    uint64_t               us, now;
    ngx_uint_t             i;
    ngx_pa_metrics_shm_t  *m;

    m = ngx_pa_metrics_shm;

    if (m == NULL) {
        return;
    }

    if (reply == NULL) {
        /* closed or timed out before the answer: no latency to tell */
        (void) ngx_atomic_fetch_add(
                          &m->counter[NGX_PA_M_REDIS_NO_REPLY], 1);
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        (void) ngx_atomic_fetch_add(
                          &m->counter[NGX_PA_M_REDIS_ERROR_REPLY], 1);
    }

    now = ngx_pa_metrics_now();

    if (sent == 0 || now < sent) {
        return;
    }

    us = now - sent;

    for (i = 0; i < NGX_PA_BUCKETS - 1; i++) {
        if (us <= ngx_pa_metrics_le[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&m->bucket[i], 1);
    (void) ngx_atomic_fetch_add(&m->sum_us, us);
}


void
ngx_pa_metrics_error(ngx_http_request_t *r, const char *code)
{
    ngx_pa_ctx_t  *ctx;

    /*
     * Every route of the API has its context from the start; an answer
     * without one (nginx's own, through pa_error) is counted by its
     * status, which is what pa_error says too.
     */

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    if (ctx != NULL) {
        ctx->outcome = code;
    }
}


void
ngx_pa_metrics_replay(ngx_http_request_t *r)
{
    ngx_pa_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    if (ctx != NULL) {
        ctx->outcome = ngx_pa_metrics_replayed;
    }
}


ngx_int_t
ngx_pa_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t       *shpool;
    ngx_pa_metrics_shm_t  *m;

    if (data != NULL) {
        /* a reload: the counters go on from where they were */
        shm_zone->data = data;
        ngx_pa_metrics_shm = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        ngx_pa_metrics_shm = shpool->data;
        return NGX_OK;
    }

    m = ngx_slab_alloc(shpool, sizeof(ngx_pa_metrics_shm_t));
    if (m == NULL) {
        ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                      "pa metrics: no room for the counters in \"%V\"",
                      &shm_zone->shm.name);
        return NGX_ERROR;
    }

    ngx_memzero(m, sizeof(ngx_pa_metrics_shm_t));

    shpool->data = m;
    shm_zone->data = m;
    ngx_pa_metrics_shm = m;

    return NGX_OK;
}
