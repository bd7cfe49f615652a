/*
 * Revoked staff tokens: the admin's route, and each worker's copy of the
 * tenant's set, read again every second.
 *
 * The copy is swapped whole: the reply's entries go into a fresh pool and
 * the old one is destroyed, so a check never sees half a list.  While
 * Redis does not answer the last copy stays in force (a revocation is
 * never forgotten by an outage; only new ones wait for Redis).
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_json.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_routes.h"
#include "ngx_pa_validate.h"


#define NGX_PA_REVOKE_EVERY   1000          /* ms between two reads */
#define NGX_PA_REVOKE_FIRST   50            /* ... until the first one */
#define NGX_PA_REVOKE_KEEP    (30 * 86400)  /* no pa_auth_max_ttl: 30 days */


typedef struct {
    ngx_str_t                  name;       /* "jti:<jti>", "sub:<sub>" */
    time_t                     at;
} ngx_pa_revoked_t;


typedef struct {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_event_t                timer;
    ngx_pa_call_t              call;
    ngx_pool_t                *call_pool;  /* the read in flight */
    ngx_pool_t                *pool;       /* holds the list */
    ngx_array_t               *list;       /* ngx_pa_revoked_t */
    unsigned                   loaded:1;   /* read from Redis once */
} ngx_pa_revoker_t;


static void ngx_pa_revoke_tick(ngx_event_t *ev);
static void ngx_pa_revoke_read(ngx_pa_revoker_t *rv);
static void ngx_pa_revoke_on_list(ngx_pa_call_t *call, redisReply *reply);
static ngx_int_t ngx_pa_revoke_add(ngx_pa_revoker_t *rv, ngx_str_t *name,
    time_t at);
static ngx_int_t ngx_pa_revoke_member(ngx_http_request_t *r, json_t *fields,
    ngx_str_t *member, ngx_pa_err_t *err);
static void ngx_pa_revoke_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);


ngx_int_t
ngx_pa_revoke_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_revoker_t  *rv;

    if (pmcf->auth_secret.len == 0) {
        return NGX_OK;
    }

    rv = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_revoker_t));
    if (rv == NULL) {
        return NGX_ERROR;
    }

    rv->conf = pmcf;
    rv->log = cycle->log;

    rv->timer.handler = ngx_pa_revoke_tick;
    rv->timer.data = rv;
    rv->timer.log = cycle->log;
    rv->timer.cancelable = 1;

    pmcf->revoker = rv;

    ngx_add_timer(&rv->timer, 1);

    return NGX_OK;
}


void
ngx_pa_revoke_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_revoker_t  *rv;

    rv = pmcf->revoker;
    if (rv == NULL) {
        return;
    }

    if (rv->timer.timer_set) {
        ngx_del_timer(&rv->timer);
    }

    ngx_pa_call_cancel(&rv->call);

    if (rv->call_pool != NULL) {
        ngx_destroy_pool(rv->call_pool);
        rv->call_pool = NULL;
    }

    if (rv->pool != NULL) {
        ngx_destroy_pool(rv->pool);
        rv->pool = NULL;
    }

    pmcf->revoker = NULL;
}


time_t
ngx_pa_revoke_keep(ngx_pa_main_conf_t *pmcf)
{
    return pmcf->auth_max_ttl > 0 ? pmcf->auth_max_ttl : NGX_PA_REVOKE_KEEP;
}


ngx_int_t
ngx_pa_revoke_check(ngx_pa_main_conf_t *pmcf, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat)
{
    ngx_uint_t          i;
    ngx_pa_revoked_t   *e;
    ngx_pa_revoker_t   *rv;

    rv = pmcf->revoker;

    if (rv == NULL || rv->list == NULL) {
        return NGX_OK;
    }

    e = rv->list->elts;

    for (i = 0; i < rv->list->nelts; i++) {

        if (jti->len && e[i].name.len == 4 + jti->len
            && ngx_strncmp(e[i].name.data, "jti:", 4) == 0
            && ngx_strncmp(e[i].name.data + 4, jti->data, jti->len) == 0)
        {
            return NGX_DECLINED;
        }

        /* a person's tokens issued before the revocation (or undated) */

        if (e[i].name.len == 4 + sub->len
            && ngx_strncmp(e[i].name.data, "sub:", 4) == 0
            && ngx_strncmp(e[i].name.data + 4, sub->data, sub->len) == 0
            && (iat == 0 || iat <= e[i].at))
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


static void
ngx_pa_revoke_tick(ngx_event_t *ev)
{
    ngx_pa_revoker_t  *rv = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    /* a read still in flight: this tick is skipped, not queued */

    if (rv->call.cmd == NULL && rv->call_pool == NULL) {
        ngx_pa_revoke_read(rv);
    }

    /* a fresh worker learns the revocations as soon as Redis answers */

    if (!rv->timer.timer_set) {
        ngx_add_timer(&rv->timer, rv->loaded ? NGX_PA_REVOKE_EVERY
                                             : NGX_PA_REVOKE_FIRST);
    }
}


/* ZRANGE pa:{t}:revoked 0 -1 WITHSCORES */

static void
ngx_pa_revoke_read(ngx_pa_revoker_t *rv)
{
    u_char      *key;
    size_t       argvlen[5];
    ngx_pool_t  *pool;
    const char  *argv[5];

    pool = ngx_create_pool(1024, rv->log);
    if (pool == NULL) {
        return;
    }

    key = ngx_pnalloc(pool, rv->conf->key_prefix.len + sizeof("revoked"));
    if (key == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    ngx_sprintf(key, "%Vrevoked%Z", &rv->conf->key_prefix);

    argv[0] = "ZRANGE";
    argv[1] = (char *) key;
    argv[2] = "0";
    argv[3] = "-1";
    argv[4] = "WITHSCORES";

    argvlen[0] = 6;
    argvlen[1] = ngx_strlen(key);
    argvlen[2] = 1;
    argvlen[3] = 2;
    argvlen[4] = 10;

    ngx_pa_call_init(&rv->call, rv->conf, pool, rv->log);
    rv->call.background = 1;

    if (ngx_pa_call_command(&rv->call, 5, argv, argvlen) != NGX_OK
        || ngx_pa_call_send(&rv->call, ngx_pa_revoke_on_list, rv) != NGX_OK)
    {
        /* Redis not reachable now: the copy in force stays */
        ngx_destroy_pool(pool);
        return;
    }

    rv->call_pool = pool;
}


static void
ngx_pa_revoke_on_list(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_revoker_t  *rv = call->data;

    size_t        i;
    ngx_str_t     name;
    ngx_pool_t   *old_pool;
    ngx_array_t  *old_list;

    if (rv->call_pool != NULL) {
        ngx_destroy_pool(rv->call_pool);
        rv->call_pool = NULL;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements % 2)
    {
        if (reply && reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, rv->log, 0,
                          "pa: revoked tokens not read: %*s",
                          (size_t) reply->len, reply->str);
        }

        return;
    }

    old_pool = rv->pool;
    old_list = rv->list;

    rv->pool = ngx_create_pool(1024, rv->log);
    rv->list = rv->pool ? ngx_array_create(rv->pool, reply->elements / 2 + 1,
                                           sizeof(ngx_pa_revoked_t))
                        : NULL;

    if (rv->list == NULL) {
        goto failed;
    }

    for (i = 0; i + 1 < reply->elements; i += 2) {
        name.data = (u_char *) reply->element[i]->str;
        name.len = reply->element[i]->len;

        if (reply->element[i]->type != REDIS_REPLY_STRING
            || reply->element[i + 1]->type != REDIS_REPLY_STRING
            || ngx_pa_revoke_add(rv, &name,
                                 (time_t) ngx_atotm(
                                     (u_char *) reply->element[i + 1]->str,
                                     reply->element[i + 1]->len))
               != NGX_OK)
        {
            goto failed;
        }
    }

    if (old_pool != NULL) {
        ngx_destroy_pool(old_pool);
    }

    rv->loaded = 1;

    return;

failed:

    ngx_log_error(NGX_LOG_ERR, rv->log, 0,
                  "pa: revoked tokens: unexpected answer, the copy in "
                  "force stays");

    if (rv->pool != NULL) {
        ngx_destroy_pool(rv->pool);
    }

    rv->pool = old_pool;
    rv->list = old_list;
}


static ngx_int_t
ngx_pa_revoke_add(ngx_pa_revoker_t *rv, ngx_str_t *name, time_t at)
{
    ngx_pa_revoked_t  *e;

    if (at == NGX_ERROR || name->len <= 4) {
        return NGX_ERROR;
    }

    if (rv->list == NULL) {

        /* a revocation made here before the first read came back */

        rv->pool = ngx_create_pool(1024, rv->log);
        if (rv->pool == NULL) {
            return NGX_ERROR;
        }

        rv->list = ngx_array_create(rv->pool, 4, sizeof(ngx_pa_revoked_t));
        if (rv->list == NULL) {
            return NGX_ERROR;
        }
    }

    e = ngx_array_push(rv->list);
    if (e == NULL) {
        return NGX_ERROR;
    }

    e->at = at;
    e->name.len = name->len;
    e->name.data = ngx_pstrdup(rv->pool, name);

    return e->name.data ? NGX_OK : NGX_ERROR;
}


/* ------------------------------------------------------------ the route */

ngx_int_t
ngx_pa_revoke_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t           *member;
    ngx_pa_err_t         err;
    ngx_array_t         *keys, *args;
    ngx_pa_body_t        body;
    ngx_pa_caller_t      caller;
    ngx_pa_main_conf_t  *pmcf;

    rc = ngx_pa_auth(r, ctx, &caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    if (caller.role != NGX_PA_ROLE_ADMIN) {
        return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                                 "only an admin may revoke tokens");
    }

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    member = ngx_pcalloc(r->pool, sizeof(ngx_str_t));
    if (member == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_body_parse(r, &body, &err) != NGX_OK
        || ngx_pa_revoke_member(r, body.fields, member, &err) != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    ctx->data = member;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "revoked") == NULL
        || ngx_pa_arg_str(args, member) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ctx->now) != NGX_OK
        || ngx_pa_arg_int(r->pool, args,
                          ctx->now - ngx_pa_revoke_keep(pmcf)) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_REVOKE, keys, args,
                       ngx_pa_revoke_done);
}


/* {"jti": "..."} or {"sub": "..."}: exactly one, as a token would carry */

static ngx_int_t
ngx_pa_revoke_member(ngx_http_request_t *r, json_t *fields,
    ngx_str_t *member, ngx_pa_err_t *err)
{
    size_t       len, i;
    json_t      *jti, *sub, *v;
    const char  *s, *kind;

    jti = json_object_get(fields, "jti");
    sub = json_object_get(fields, "sub");

    if ((jti == NULL) == (sub == NULL)) {
        err->status = NGX_HTTP_BAD_REQUEST;
        err->code = "missing_field";
        err->field = "jti";
        err->message = "name one token (jti) or one person (sub)";
        return NGX_ERROR;
    }

    v = jti ? jti : sub;
    kind = jti ? "jti:" : "sub:";
    s = json_string_value(v);
    len = s ? json_string_length(v) : 0;

    for (i = 0; i < len; i++) {
        if ((u_char) s[i] < 0x20 || s[i] == 0x7f) {
            break;
        }
    }

    if (s == NULL || len == 0 || len >= 64 || i < len) {
        err->status = NGX_HTTP_BAD_REQUEST;
        err->code = "invalid_field";
        err->field = jti ? "jti" : "sub";
        err->message = "a claim of 1 to 63 bytes, as in the token";
        return NGX_ERROR;
    }

    member->len = 4 + len;
    member->data = ngx_pnalloc(r->pool, member->len);
    if (member->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(member->data, kind, 4);
    ngx_memcpy(member->data + 4, s, len);

    return NGX_OK;
}


static void
ngx_pa_revoke_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply          *reply = data;
    json_t              *body, *what;
    ngx_str_t           *member;
    ngx_pa_revoker_t    *rv;
    ngx_pa_main_conf_t  *pmcf;
    char                 at[NGX_PA_TIME_LEN];

    member = ctx->data;

    if (reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: revoke.lua failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /* this worker refuses the token at once, the others within a second */

    rv = pmcf->revoker;

    if (rv != NULL && ngx_pa_revoke_add(rv, member, ctx->now) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: revoked token not added to this worker's copy");
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "pa: staff token revoked: %V", member);

    ngx_pa_rfc3339_format(ctx->now, (int) pmcf->utc_offset, 0, at);

    what = json_pack("{s:s#}", member->data[0] == 'j' ? "jti" : "sub",
                     member->data + 4, (int) (member->len - 4));

    body = json_pack("{s:o, s:s}", "revoked", what, "at", at);

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, body));
}
