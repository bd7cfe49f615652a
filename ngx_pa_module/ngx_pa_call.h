/*
 * The one call layer between the module and Redis: a command or a script
 * of redis-scripts/ (EVALSHA, resent once as EVAL on NOSCRIPT), its
 * arguments copied into memory the call owns, and a handler that runs
 * exactly once, with the reply or with NULL (Redis down, connection
 * closed, reply timeout: the caller answers 503).
 *
 * Requests use it through ngx_pa_call() / ngx_pa_eval() (ngx_pa.h), the
 * edge limiter and the sweeper directly.
 */

#ifndef NGX_PA_CALL_H
#define NGX_PA_CALL_H

#include "ngx_pa.h"
#include "ngx_pa_redis.h"


typedef struct ngx_pa_call_s  ngx_pa_call_t;

typedef void (*ngx_pa_call_handler_pt)(ngx_pa_call_t *call,
    redisReply *reply);

struct ngx_pa_call_s {
    ngx_pa_main_conf_t        *conf;
    ngx_pool_t                *pool;       /* owns the arguments */
    ngx_log_t                 *log;
    ngx_pa_redis_cmd_t        *cmd;        /* in flight, or NULL */
    ngx_pa_call_handler_pt     handler;
    void                      *data;       /* the caller's */

    int                        argc;
    const char               **argv;
    size_t                    *argvlen;
    ngx_int_t                  script;     /* ngx_pa_script_e, -1: none */

    unsigned                   retried:1;  /* resent as EVAL (NOSCRIPT) */
    unsigned                   background:1;   /* nobody waits: quit drops it */
};


void ngx_pa_call_init(ngx_pa_call_t *call, ngx_pa_main_conf_t *pmcf,
    ngx_pool_t *pool, ngx_log_t *log);

/* a plain command; argv and the strings are copied into call->pool */
ngx_int_t ngx_pa_call_command(ngx_pa_call_t *call, int argc,
    const char **argv, const size_t *argvlen);

/* EVALSHA script numkeys KEYS... ARGV... (ngx_str_t arrays), copied */
ngx_int_t ngx_pa_call_script(ngx_pa_call_t *call, ngx_pa_script_e script,
    ngx_array_t *keys, ngx_array_t *args);

/*
 * Sends what was built.  NGX_OK: handler(call, reply or NULL) runs exactly
 * once, later.  NGX_DECLINED: Redis is not reachable now, nothing was
 * sent, the handler will not run.
 */
ngx_int_t ngx_pa_call_send(ngx_pa_call_t *call,
    ngx_pa_call_handler_pt handler, void *data);

/* the caller went away: the handler will not run */
void ngx_pa_call_cancel(ngx_pa_call_t *call);

#endif /* NGX_PA_CALL_H */
