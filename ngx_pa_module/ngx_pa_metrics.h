/*
 * GET /metrics: counters in one shared memory zone ("pa_metrics", made
 * by the module: every worker counts with atomic adds, any worker
 * answers), gauges read from Redis at scrape time (metrics.lua), the
 * Prometheus text exposition format 0.0.4.
 *
 * Counting from elsewhere is one line and never fails or blocks:
 *
 *     ngx_pa_metrics_inc(NGX_PA_M_DELIVERY_OK);
 *
 * Before the zone exists (configuration time, no "http" block) the hooks
 * count nothing.  The names each counter has in the exposition:
 *
 *   NGX_PA_M_LIMIT_ADDR        pa_rate_limited_total{rule="addr"}
 *   NGX_PA_M_LIMIT_ADDR_REDIS  pa_rate_limited_total{rule="addr_redis"}
 *   NGX_PA_M_LIMIT_PHONE       pa_rate_limited_total{rule="phone"}
 *   NGX_PA_M_REDIS_CONNECT     pa_redis_connects_total (each connection
 *                              made, the first of each worker included)
 *   NGX_PA_M_REDIS_LOST        pa_redis_connections_lost_total (closed by
 *                              Redis or the network, not by the module)
 *   NGX_PA_M_REDIS_TIMEOUT     pa_redis_timeouts_total (a reply that did
 *                              not come in pa_redis timeout=)
 *   NGX_PA_M_REDIS_NOT_SENT    pa_redis_call_errors_total{kind="not_sent"}
 *   NGX_PA_M_REDIS_NO_REPLY    pa_redis_call_errors_total{kind="no_reply"}
 *   NGX_PA_M_REDIS_ERROR_REPLY pa_redis_call_errors_total{kind="error_reply"}
 *   NGX_PA_M_REDIS_LATE        pa_redis_call_errors_total{kind="late"}: a
 *                              write that reached Redis after its deadline
 *                              and wrote nothing (redis-scripts/lib/late.lua)
 *   NGX_PA_M_FAILOVER          pa_redis_failovers_total: the worker
 *                              followed a new primary (Sentinel, 15.1)
 *   NGX_PA_M_DELIVERY_OK       pa_webhook_deliveries_total{result="ok"}
 *   NGX_PA_M_DELIVERY_FAILED   pa_webhook_deliveries_total{result="failed"}
 *                              (one failed attempt; it may be retried)
 *   NGX_PA_M_DEAD_LETTER       pa_webhook_dead_letters_total: an event
 *                              given up on after its last retry (14)
 *   NGX_PA_M_EVENTS_LOST       pa_webhook_events_lost_total: events a
 *                              target's group never got, trimmed from
 *                              the stream (MAXLEN) before it read them
 *   NGX_PA_M_BATCH_CALLS       pa_submit_batch_calls_total: submit.lua
 *                              calls sent (pa_submit_batch)
 *   NGX_PA_M_BATCH_REPORTS     pa_submit_batch_reports_total: the reports
 *                              they carried (the mean batch: reports /
 *                              calls)
 *
 * Counted by this file itself: pa_http_requests_total{route,status}
 * (log phase), pa_submissions_accepted_total,
 * pa_submissions_replayed_total (ngx_pa_metrics_replay()) and
 * pa_submissions_refused_total{reason} (the error code of the answer),
 * pa_redis_call_duration_seconds (a histogram: ngx_pa_call.c, send to
 * reply, each round trip).
 */

#ifndef NGX_PA_METRICS_H
#define NGX_PA_METRICS_H

#include "ngx_pa.h"


struct redisReply;

typedef enum {
    NGX_PA_M_LIMIT_ADDR = 0,
    NGX_PA_M_LIMIT_ADDR_REDIS,
    NGX_PA_M_LIMIT_PHONE,
    NGX_PA_M_REDIS_CONNECT,
    NGX_PA_M_REDIS_LOST,
    NGX_PA_M_REDIS_TIMEOUT,
    NGX_PA_M_REDIS_NOT_SENT,
    NGX_PA_M_REDIS_NO_REPLY,
    NGX_PA_M_REDIS_ERROR_REPLY,
    NGX_PA_M_REDIS_LATE,
    NGX_PA_M_FAILOVER,
    NGX_PA_M_DELIVERY_OK,
    NGX_PA_M_DELIVERY_FAILED,
    NGX_PA_M_DEAD_LETTER,
    NGX_PA_M_EVENTS_LOST,
    NGX_PA_M_BATCH_CALLS,
    NGX_PA_M_BATCH_REPORTS,
    NGX_PA_M_LAST
} ngx_pa_metric_e;


void ngx_pa_metrics_inc(ngx_pa_metric_e m);
void ngx_pa_metrics_add(ngx_pa_metric_e m, ngx_uint_t n);

/* a monotonic clock in microseconds: when a Redis call was sent */
uint64_t ngx_pa_metrics_now(void);

/*
 * A Redis round trip ended (ngx_pa_call.c): its latency into the
 * histogram, or its failure (reply NULL, an error reply) counted.
 */
void ngx_pa_metrics_redis(uint64_t sent, struct redisReply *reply);

/*
 * The error code of the answer (ngx_pa_send_error_retry()): a refused
 * submission is counted by it at the log phase.
 */
void ngx_pa_metrics_error(ngx_http_request_t *r, const char *code);

/*
 * A submission answered with the 201 of an earlier one (an idempotent
 * retry): pa_submissions_replayed_total, not accepted.
 */
void ngx_pa_metrics_replay(ngx_http_request_t *r);

/*
 * "pa_metrics", a location's content (ngx_pa_metrics_out.c); the zone
 * and the log phase handler, at postconfiguration (ngx_pa_metrics_log.c)
 */
char *ngx_pa_metrics_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_pa_metrics_init(ngx_conf_t *cf);

#endif /* NGX_PA_METRICS_H */
