/*
 * "pa_redis ... wait=N wait_timeout=T": a write the module answers 201 or
 * 200 for is one that N replicas hold (Redis WAIT after the script), so
 * a failover to one of them loses no acknowledged report.  Which calls
 * wait is the call layer's choice (ngx_pa_call.c); this sends WAIT and
 * keeps the write's reply until it answers.
 */

#ifndef NGX_PA_WAIT_H
#define NGX_PA_WAIT_H

#include "ngx_pa.h"
#include "ngx_pa_redis.h"


/*
 * After the write whose reply is given (what: its name for the log).
 * NGX_OK: WAIT is in flight as *cmd (ngx_pa_redis_cancel() drops it) and
 * done(data, r) runs exactly once, later: r a copy of the write's reply
 * (in pool) once the replicas hold it, else NULL (not in time, or the
 * link lost: answer 503).  NGX_ERROR: nothing was sent (logged), done
 * will not run.
 */
ngx_int_t ngx_pa_wait(ngx_pa_main_conf_t *pmcf, redisReply *reply,
    ngx_str_t *what, ngx_pool_t *pool, ngx_log_t *log,
    ngx_pa_redis_handler_pt done, void *data, ngx_pa_redis_cmd_t **cmd);

#endif /* NGX_PA_WAIT_H */
