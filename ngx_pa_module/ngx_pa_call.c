/*
 * Calls to Redis: the one place that builds EVALSHA, takes the NOSCRIPT
 * path and owns the arguments, and the request's side of it (context,
 * cleanup, finalize).
 *
 * Arguments are copied into the call's pool when the call is built: a
 * NOSCRIPT resend happens after the caller's stack frame is gone, so the
 * call never keeps a pointer it does not own.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_scripts.h"
#include "ngx_pa_wait.h"

#include <stdarg.h>


static u_char *ngx_pa_call_alloc(ngx_pa_call_t *call, int argc,
    size_t size);
static ngx_uint_t ngx_pa_call_takes_deadline(ngx_int_t script);
static ngx_uint_t ngx_pa_call_late(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_call_on_reply(void *data, redisReply *reply);
static ngx_uint_t ngx_pa_call_waits(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_call_waited(void *data, redisReply *reply);

static void ngx_pa_request_done(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_request_cleanup(void *data);
static u_char *ngx_pa_call_digits(u_char *p, int64_t n);


void
ngx_pa_call_init(ngx_pa_call_t *call, ngx_pa_main_conf_t *pmcf,
    ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_memzero(call, sizeof(ngx_pa_call_t));

    call->conf = pmcf;
    call->pool = pool;
    call->log = log;
    call->script = -1;
    call->deadline = -1;
}


ngx_int_t
ngx_pa_call_command(ngx_pa_call_t *call, int argc, const char **argv,
    const size_t *argvlen)
{
    int      i;
    size_t   size;
    u_char  *p;

    size = 0;

    for (i = 0; i < argc; i++) {
        size += argvlen[i];
    }

    p = ngx_pa_call_alloc(call, argc, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < argc; i++) {
        call->argv[i] = (const char *) p;
        call->argvlen[i] = argvlen[i];
        p = ngx_cpymem(p, argv[i], argvlen[i]);
    }

    call->script = -1;
    call->deadline = -1;

    return NGX_OK;
}


ngx_int_t
ngx_pa_call_script(ngx_pa_call_t *call, ngx_pa_script_e script,
    ngx_array_t *keys, ngx_array_t *args)
{
    int          argc, i;
    size_t       size, n;
    u_char      *p, nk[NGX_INT_T_LEN];
    ngx_str_t   *s;
    ngx_uint_t   k;
    ngx_array_t *a[2];

    a[0] = keys;
    a[1] = args;

    /* a writing script's last argument: its deadline, filled when sent */

    argc = 3 + (ngx_pa_call_takes_deadline(script) ? 1 : 0);
    n = ngx_sprintf(nk, "%ui", keys->nelts) - nk;
    size = n;

    for (i = 0; i < 2; i++) {
        if (a[i] == NULL) {
            continue;
        }

        argc += a[i]->nelts;
        s = a[i]->elts;

        for (k = 0; k < a[i]->nelts; k++) {
            size += s[k].len;
        }
    }

    p = ngx_pa_call_alloc(call, argc, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    /* the script by its SHA1; the conf's memory lives as long as we do */

    call->argv[0] = "EVALSHA";
    call->argvlen[0] = 7;
    call->argv[1] = (const char *) call->conf->scripts[script].sha1;
    call->argvlen[1] = 40;

    call->argv[2] = (const char *) p;
    call->argvlen[2] = n;
    p = ngx_cpymem(p, nk, n);

    argc = 3;

    for (i = 0; i < 2; i++) {
        if (a[i] == NULL) {
            continue;
        }

        s = a[i]->elts;

        for (k = 0; k < a[i]->nelts; k++, argc++) {
            call->argv[argc] = (const char *) p;
            call->argvlen[argc] = s[k].len;
            p = ngx_cpymem(p, s[k].data, s[k].len);
        }
    }

    call->deadline = -1;

    if (argc < call->argc) {
        call->deadline = argc;
        call->argv[argc] = "";
        call->argvlen[argc] = 0;
    }

    call->script = script;

    return NGX_OK;
}


/*
 * The scripts that write what a request is answered for take a deadline
 * (redis-scripts/lib/late.lua): run after the worker gave up (a reply
 * timeout, 503), they write nothing.  Pre-uploads do not: their client
 * asks the offset after an error (HEAD) and a handle it did not get
 * expires; the sweeper and the deliverer run again.
 */

static ngx_uint_t
ngx_pa_call_takes_deadline(ngx_int_t script)
{
    return script == NGX_PA_SCRIPT_SUBMIT
           || script == NGX_PA_SCRIPT_ACT
           || script == NGX_PA_SCRIPT_REVOKE
           || script == NGX_PA_SCRIPT_NOTIFY_REPLAY;
}


/* argv, argvlen and room for the strings, all from the call's pool */

static u_char *
ngx_pa_call_alloc(ngx_pa_call_t *call, int argc, size_t size)
{
    u_char  *p;

    call->argv = ngx_palloc(call->pool, argc * sizeof(char *));
    call->argvlen = ngx_palloc(call->pool, argc * sizeof(size_t));
    p = ngx_pnalloc(call->pool, size ? size : 1);

    if (call->argv == NULL || call->argvlen == NULL || p == NULL) {
        return NULL;
    }

    call->argc = argc;
    call->retried = 0;

    return p;
}


ngx_int_t
ngx_pa_call_send(ngx_pa_call_t *call, ngx_pa_call_handler_pt handler,
    void *data)
{
    call->handler = handler;
    call->data = data;
    call->sent = ngx_pa_metrics_now();

    call->cmd = ngx_pa_redis_command_dl(call->conf->worker.redis,
                                        call->argc, call->argv,
                                        call->argvlen, call->deadline,
                                        ngx_pa_call_on_reply, call,
                                        call->log);

    if (call->cmd == NULL) {
        ngx_pa_metrics_inc(NGX_PA_M_REDIS_NOT_SENT);
        return NGX_DECLINED;
    }

    if (call->background) {
        /*
         * The adapter's reply timer is not cancelable (a request waits
         * for its answer); nobody waits for a background call.
         */
        ngx_pa_redis_background(call->cmd);
    }

    return NGX_OK;
}


void
ngx_pa_call_cancel(ngx_pa_call_t *call)
{
    if (call->cmd != NULL) {
        ngx_pa_redis_cancel(call->cmd);
        call->cmd = NULL;
    }
}


/* the adapter runs this once per command: reply or NULL */

static void
ngx_pa_call_on_reply(void *data, redisReply *reply)
{
    ngx_pa_call_t    *call = data;
    ngx_pa_script_t  *script;

    call->cmd = NULL;

    if (ngx_pa_call_late(call, reply)) {
        reply = NULL;

    } else {
        ngx_pa_metrics_redis(call->sent, reply);
    }

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && call->script >= 0 && !call->retried
        && ngx_pa_scripts_noscript(reply->str, reply->len))
    {
        /* Redis lost its script cache (restart, SCRIPT FLUSH): send it */

        script = &call->conf->scripts[call->script];

        ngx_log_error(NGX_LOG_NOTICE, call->log, 0,
                      "pa redis: NOSCRIPT for \"%V\", sent as EVAL",
                      &script->name);

        call->retried = 1;
        call->argv[0] = "EVAL";
        call->argvlen[0] = 4;
        call->argv[1] = (const char *) script->body.data;
        call->argvlen[1] = script->body.len;

        if (ngx_pa_call_send(call, call->handler, call->data) == NGX_OK) {
            return;
        }

        reply = NULL;
    }

    /* wait=N: answered once N replicas hold the write (ngx_pa_wait.c) */

    if (reply != NULL && ngx_pa_call_waits(call, reply)) {

        if (ngx_pa_wait(call->conf, reply,
                        &call->conf->scripts[call->script].name, call->pool,
                        call->log, ngx_pa_call_waited, call, &call->cmd)
            == NGX_OK)
        {
            return;
        }

        reply = NULL;
    }

    call->handler(call, reply);
}


/*
 * The script ran after its deadline and wrote nothing: what a reply
 * timeout would have answered (503), now that it is known to be so.
 */

static ngx_uint_t
ngx_pa_call_late(ngx_pa_call_t *call, redisReply *reply)
{
    if (call->deadline < 0 || !ngx_pa_redis_late_reply(reply)) {
        return 0;
    }

    ngx_pa_metrics_inc(NGX_PA_M_REDIS_LATE);

    ngx_log_error(NGX_LOG_WARN, call->log, 0,
                  "pa redis: \"%V\" ran after its deadline: nothing "
                  "written, answered 503",
                  &call->conf->scripts[call->script].name);

    return 1;
}


/*
 * The scripts that change a report or a token wait: a report is what a
 * citizen holds an id and a token for.  Rate-limit counters and the
 * sweeper (which runs again) do not; an error reply wrote nothing.
 */

static ngx_uint_t
ngx_pa_call_waits(ngx_pa_call_t *call, redisReply *reply)
{
    return call->conf->redis_wait && !call->background
           && reply->type != REDIS_REPLY_ERROR
           && (call->script == NGX_PA_SCRIPT_SUBMIT
               || call->script == NGX_PA_SCRIPT_ACT
               || call->script == NGX_PA_SCRIPT_REVOKE);
}


static void
ngx_pa_call_waited(void *data, redisReply *reply)
{
    ngx_pa_call_t  *call = data;

    call->cmd = NULL;
    call->handler(call, reply);
}


/* the request's side */

ngx_pa_ctx_t *
ngx_pa_ctx(ngx_http_request_t *r)
{
    ngx_pa_ctx_t        *ctx;
    ngx_http_cleanup_t  *cln;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);
    if (ctx != NULL) {
        return ctx;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_pa_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->request = r;

    ctx->call = ngx_palloc(r->pool, sizeof(ngx_pa_call_t));
    if (ctx->call == NULL) {
        return NULL;
    }

    ngx_pa_call_init(ctx->call,
                     ngx_http_get_module_main_conf(r, ngx_http_pa_module),
                     r->pool, r->connection->log);

    /* a request that goes away cancels its call: the reply is dropped */

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_pa_request_cleanup;
    cln->data = ctx;

    ngx_http_set_ctx(r, ctx, ngx_http_pa_module);

    return ctx;
}


void
ngx_pa_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_finalize_request(r, rc);
}


/*
 * One Redis command for the request.  Returns NGX_DONE (the reply will
 * finalize the request) or what the handler returns after answering 503.
 * The arguments are copied: the caller's may be on its stack.
 */

ngx_int_t
ngx_pa_call(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, int argc,
    const char **argv, const size_t *argvlen, ngx_pa_reply_pt on_reply)
{
    if (ngx_pa_call_command(ctx->call, argc, argv, argvlen) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->on_reply = on_reply;

    if (ngx_pa_call_send(ctx->call, ngx_pa_request_done, r) != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "storage is not available, try again");
    }

    return NGX_DONE;
}


/* EVALSHA of one of redis-scripts/ with KEYS and ARGV (ngx_str_t arrays) */

ngx_int_t
ngx_pa_eval(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_pa_script_e script,
    ngx_array_t *keys, ngx_array_t *args, ngx_pa_reply_pt on_reply)
{
    if (ngx_pa_call_script(ctx->call, script, keys, args) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->on_reply = on_reply;

    if (ngx_pa_call_send(ctx->call, ngx_pa_request_done, r) != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "storage is not available, try again");
    }

    return NGX_DONE;
}


/* resumes the request from Redis' event: the upstream module's order */

static void
ngx_pa_request_done(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_request_reply(call->data, reply);
}


void
ngx_pa_request_reply(ngx_http_request_t *r, void *reply)
{
    ngx_connection_t    *c;
    ngx_pa_ctx_t        *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    ngx_http_set_log_request(c->log, r);

    if (reply == NULL) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "storage is not available, "
                                             "try again"));
    } else {
        ctx->on_reply(r, ctx, reply);
    }

    ngx_http_run_posted_requests(c);
}


static void
ngx_pa_request_cleanup(void *data)
{
    ngx_pa_ctx_t  *ctx = data;

    ngx_pa_call_cancel(ctx->call);
}


/* key helpers: every key carries the tenant's hash tag */

ngx_str_t *
ngx_pa_key(ngx_http_request_t *r, ngx_array_t *keys, const char *fmt, ...)
{
    u_char              *p, *last;
    va_list              ap;
    ngx_str_t           *k;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    k = ngx_array_push(keys);
    if (k == NULL) {
        return NULL;
    }

    k->data = ngx_pnalloc(r->pool, pmcf->key_prefix.len + NGX_PA_KEY_MAX);
    if (k->data == NULL) {
        return NULL;
    }

    p = ngx_cpymem(k->data, pmcf->key_prefix.data, pmcf->key_prefix.len);
    last = k->data + pmcf->key_prefix.len + NGX_PA_KEY_MAX;

    va_start(ap, fmt);
    p = ngx_vslprintf(p, last, fmt, ap);
    va_end(ap);

    k->len = p - k->data;

    return k;
}


ngx_str_t *
ngx_pa_arg(ngx_array_t *args)
{
    return ngx_array_push(args);
}


ngx_int_t
ngx_pa_arg_str(ngx_array_t *args, ngx_str_t *s)
{
    ngx_str_t  *a;

    a = ngx_array_push(args);
    if (a == NULL) {
        return NGX_ERROR;
    }

    *a = *s;
    return NGX_OK;
}


ngx_int_t
ngx_pa_arg_cstr(ngx_array_t *args, const char *s)
{
    ngx_str_t  *a;

    a = ngx_array_push(args);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->data = (u_char *) s;
    a->len = ngx_strlen(s);
    return NGX_OK;
}


ngx_int_t
ngx_pa_arg_int(ngx_pool_t *pool, ngx_array_t *args, int64_t n)
{
    ngx_str_t  *a;

    a = ngx_array_push(args);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->data = ngx_pnalloc(pool, NGX_INT64_LEN);
    if (a->data == NULL) {
        return NGX_ERROR;
    }

    a->len = ngx_pa_call_digits(a->data, n) - a->data;
    return NGX_OK;
}


/* n in decimal: ngx_sprintf() parses its format for each argument */

static u_char *
ngx_pa_call_digits(u_char *p, int64_t n)
{
    u_char    *q, tmp[NGX_INT64_LEN];
    uint64_t   u;

    u = (n < 0) ? 0 - (uint64_t) n : (uint64_t) n;
    q = tmp + sizeof(tmp);

    do {
        *--q = (u_char) ('0' + u % 10);
        u /= 10;
    } while (u);

    if (n < 0) {
        *--q = '-';
    }

    return ngx_cpymem(p, q, tmp + sizeof(tmp) - q);
}


ngx_int_t
ngx_pa_fail(ngx_http_request_t *r, ngx_pa_err_t *err)
{
    if (err->status == 0) {
        return ngx_pa_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                 "internal_error", NULL,
                                 "internal error");
    }

    return ngx_pa_send_error(r, err->status, err->code, err->field,
                             err->message);
}


/* "Location: /api/v1/reports/<id>" of a 201; best effort */

void
ngx_pa_report_location(ngx_http_request_t *r, ngx_str_t *id)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.len = sizeof(NGX_PA_API_PREFIX "reports/") - 1 + id->len;
    h->value.data = ngx_pnalloc(r->pool, h->value.len);

    if (h->value.data == NULL) {
        h->hash = 0;
        return;
    }

    p = ngx_cpymem(h->value.data, NGX_PA_API_PREFIX "reports/",
                   sizeof(NGX_PA_API_PREFIX "reports/") - 1);
    ngx_memcpy(p, id->data, id->len);
}


/*
 * The whole report hash of ctx->id: one command, no script, nothing to
 * decide atomically (the public and Open311 reads).
 */

ngx_int_t
ngx_pa_report_hgetall(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_reply_pt on_reply)
{
    size_t       *argvlen;
    ngx_str_t    *key;
    ngx_array_t  *keys;
    const char  **argv;

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    argv = ngx_palloc(r->pool, 2 * sizeof(char *));
    argvlen = ngx_palloc(r->pool, 2 * sizeof(size_t));

    if (keys == NULL || argv == NULL || argvlen == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_pa_key(r, keys, "r:%V", &ctx->id);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    argv[0] = "HGETALL";
    argvlen[0] = 7;
    argv[1] = (const char *) key->data;
    argvlen[1] = key->len;

    return ngx_pa_call(r, ctx, 2, argv, argvlen, on_reply);
}


ngx_str_t *
ngx_pa_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i].value;
        }
    }

    return NULL;
}


/*
 * 1 when a script's error reply is `code` (Redis 7 puts "ERR " before
 * error_reply() texts that do not start with an upper-case code).
 */

ngx_uint_t
ngx_pa_reply_is(void *data, const char *code)
{
    redisReply  *reply = data;
    size_t       len, skip;

    if (reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }

    len = ngx_strlen(code);
    skip = (reply->len > 4 && ngx_strncmp(reply->str, "ERR ", 4) == 0) ? 4 : 0;

    return reply->len - skip >= len
           && ngx_strncmp(reply->str + skip, code, len) == 0
           && (reply->len - skip == len || reply->str[skip + len] == ' '
               || reply->str[skip + len] == ':');
}


ngx_int_t
ngx_pa_id_ok(ngx_str_t *id)
{
    u_char      c;
    ngx_uint_t  i;

    if (id->len == 0 || id->len > NGX_PA_ID_MAX) {
        return 0;
    }

    for (i = 0; i < id->len; i++) {
        c = id->data[i];

        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z') || c == '-'))
        {
            return 0;
        }
    }

    return 1;
}
