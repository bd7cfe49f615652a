/*
 * Group commit of submissions: a worker sends the reports that became
 * ready while its previous submit call was in flight as one EVALSHA of
 * submit.lua carrying N reports (pa_submit_batch <max> [inflight=<n>]
 * [queue=<n>] [linger=<time>]).
 * At low load a report goes out at once, alone: no added latency.  With
 * linger=, at a moderate load (a call went less than a linger ago) what
 * comes waits for the linger's end, so that calls carry several reports.
 *
 * Each request gets its own element of the reply through its on_reply,
 * exactly as from a call of its own; a request that goes away while queued
 * leaves the queue (never sent), one that goes away while its call is in
 * flight is skipped when the reply comes.  A call with no reply (timeout,
 * Redis gone) answers 503 to each of its requests.
 */

#ifndef NGX_PA_BATCH_H
#define NGX_PA_BATCH_H

#include "ngx_pa.h"


#define NGX_PA_BATCH_MAX        32      /* reports a call, by default */
#define NGX_PA_BATCH_INFLIGHT   1       /* calls in flight, by default */
#define NGX_PA_BATCH_ARGS       4096    /* arguments a call, at most */
#define NGX_PA_BATCH_QUEUE      1024    /* waiting, by default: then 503 */
#define NGX_PA_BATCH_LINGER     0       /* ms a call waits to fill: off */


/*
 * What of a report's arguments depends on its place in the call (0: the
 * first): written by place(data, pos, the call's pool) as the call is
 * built, before its arguments are read.
 */
typedef ngx_int_t (*ngx_pa_batch_place_pt)(void *data, ngx_uint_t pos,
    ngx_pool_t *pool);


/*
 * One report for submit.lua: the batch's shared keys (the same for every
 * report of the worker), its own keys and its own arguments (ngx_str_t
 * arrays, read when the call is built, after place).  Returns NGX_DONE
 * (on_reply will run with this report's element of the reply, or the
 * request is answered 503) or what the handler returns after answering
 * 503 now.
 */
ngx_int_t ngx_pa_batch_submit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *shared, ngx_array_t *keys, ngx_array_t *args,
    ngx_pa_batch_place_pt place, void *data, ngx_pa_reply_pt on_reply);

char *ngx_pa_batch_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

#endif /* NGX_PA_BATCH_H */
