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
    int                        deadline;   /* its argument, -1: none */
    uint64_t                   sent;       /* us, ngx_pa_metrics_now() */

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

/* a request's context and its one Redis call at a time */
ngx_pa_ctx_t *ngx_pa_ctx(ngx_http_request_t *r);
ngx_int_t ngx_pa_call(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    int argc, const char **argv, const size_t *argvlen,
    ngx_pa_reply_pt on_reply);
ngx_int_t ngx_pa_eval(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_script_e script, ngx_array_t *keys, ngx_array_t *args,
    ngx_pa_reply_pt on_reply);
void ngx_pa_finalize(ngx_http_request_t *r, ngx_int_t rc);

/*
 * Resumes a request from Redis's event with its reply (its ctx->on_reply)
 * or, NULL, with 503: what a call of its own does (the submissions' group
 * commit hands each request its element so)
 */
void ngx_pa_request_reply(ngx_http_request_t *r, void *reply);
ngx_str_t *ngx_pa_key(ngx_http_request_t *r, ngx_array_t *keys,
    const char *fmt, ...);
ngx_str_t *ngx_pa_arg(ngx_array_t *args);
ngx_int_t ngx_pa_arg_str(ngx_array_t *args, ngx_str_t *s);
ngx_int_t ngx_pa_arg_cstr(ngx_array_t *args, const char *s);
ngx_int_t ngx_pa_arg_int(ngx_pool_t *pool, ngx_array_t *args, int64_t n);



/* "Location: /api/v1/reports/<id>" of a 201; best effort */
void ngx_pa_report_location(ngx_http_request_t *r, ngx_str_t *id);

/* the whole report hash of ctx->id: one HGETALL */
ngx_int_t ngx_pa_report_hgetall(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_reply_pt on_reply);

/* a request header by name (case-insensitive), or NULL */
ngx_str_t *ngx_pa_header(ngx_http_request_t *r, const char *name);

/* report ids: [A-Za-z0-9-], 1..NGX_PA_ID_MAX */
ngx_int_t ngx_pa_id_ok(ngx_str_t *id);

/* a script's error reply is this code */
ngx_uint_t ngx_pa_reply_is(void *reply, const char *code);

/* answers an ngx_pa_err_t */
ngx_int_t ngx_pa_fail(ngx_http_request_t *r, ngx_pa_err_t *err);

#endif /* NGX_PA_CALL_H */
