/*
 * The webhooks' failures, for an admin:
 *   GET  /api/v1/admin/deliveries[?page=&per_page=]  the dead letters,
 *        newest first: target, event, type, attempts, last status/error
 *   POST /api/v1/admin/deliveries {"id": "<delivery>"}  one more attempt
 *        now (the target's deliverer takes it from its retry set); the
 *        contract's form (api.md: GET/POST /api/v1/admin/deliveries)
 *   POST /api/v1/admin/deliveries/{id}/replay        the same, the id in
 *        the path (kept for the consoles and scripts that use it)
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_notify_conf.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_deliveries.h"
#include "ngx_pa_validate.h"


#define NGX_PA_DELIVERIES_PAGE      50
#define NGX_PA_DELIVERIES_PAGE_MAX  200


static ngx_int_t ngx_pa_deliveries_admin(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_int_t *rc);
static ngx_uint_t ngx_pa_deliveries_arg(ngx_http_request_t *r,
    const char *name, ngx_uint_t dflt, ngx_uint_t max, ngx_uint_t *bad);
static void ngx_pa_deliveries_listed(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *data);
static json_t *ngx_pa_deliveries_time(ngx_pa_main_conf_t *pmcf,
    redisReply *ms);
static ngx_int_t ngx_pa_deliveries_replay(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static void ngx_pa_deliveries_replayed(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *data);


/* NGX_OK: an admin; else NGX_DECLINED and *rc the answer already sent */

static ngx_int_t
ngx_pa_deliveries_admin(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_int_t *rc)
{
    ngx_int_t        auth;
    ngx_pa_caller_t  caller;

    auth = ngx_pa_auth(r, ctx, &caller);
    if (auth != NGX_OK) {
        *rc = ngx_pa_auth_fail(r, auth);
        return NGX_DECLINED;
    }

    if (caller.role != NGX_PA_ROLE_ADMIN) {
        *rc = ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                                "only an admin may see or replay webhook "
                                "deliveries");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_deliveries_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_uint_t    page, per_page, bad;
    ngx_array_t  *keys, *args;

    if (ngx_pa_deliveries_admin(r, ctx, &rc) != NGX_OK) {
        return rc;
    }

    bad = 0;
    page = ngx_pa_deliveries_arg(r, "page", 1, 100000, &bad);
    per_page = ngx_pa_deliveries_arg(r, "per_page", NGX_PA_DELIVERIES_PAGE,
                                     NGX_PA_DELIVERIES_PAGE_MAX, &bad);

    /* a 0 parses: the field named is the one that is 0 */

    if (bad == 0 && (page == 0 || per_page == 0)) {
        bad = (page == 0) ? 1 : 2;
    }

    if (bad) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 bad == 1 ? "page" : "per_page",
                                 "page: 1 or more; per_page: 1 to 200");
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "notify:dead") == NULL
        || ngx_pa_arg_int(r->pool, args, (page - 1) * per_page) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, per_page) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_NOTIFY_LIST, keys, args,
                       ngx_pa_deliveries_listed);
}


/* ?name=N: dflt when absent; *bad = 1 (page) or 2 (per_page) when wrong */

static ngx_uint_t
ngx_pa_deliveries_arg(ngx_http_request_t *r, const char *name,
    ngx_uint_t dflt, ngx_uint_t max, ngx_uint_t *bad)
{
    ngx_int_t  n;
    ngx_str_t  v;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &v) != NGX_OK) {
        return dflt;
    }

    n = ngx_atoi(v.data, v.len);

    if (n == NGX_ERROR || (ngx_uint_t) n > max) {
        if (*bad == 0) {
            *bad = (name[0] == 'p' && name[1] == 'a') ? 1 : 2;
        }

        return 0;
    }

    return (ngx_uint_t) n;
}


/* {total, {id, dead_at, target, event, type, attempts, first_at, last_at,
 *  last_status, last_error, state}, ...} */

static void
ngx_pa_deliveries_listed(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply  *reply = data;

    json_t              *o, *list, *row;
    ngx_int_t            n;
    ngx_uint_t           i, k;
    redisReply          *e, **f;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa deliveries: unexpected answer of notify_list.lua");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "storage is not available, "
                                             "try again"));
        return;
    }

    list = json_array();
    o = json_pack("{s:I, s:o}", "total",
                  (json_int_t) reply->element[0]->integer, "deliveries",
                  list);

    if (o == NULL) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    for (i = 1; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements != 11) {
            continue;
        }

        f = e->element;

        for (k = 0; k < 11; k++) {
            if (f[k]->type != REDIS_REPLY_STRING) {
                break;
            }
        }

        if (k != 11) {
            continue;
        }

        n = ngx_atoi((u_char *) f[8]->str, f[8]->len);

        row = json_pack("{s:s%, s:s%, s:s%, s:s%, s:I, s:o, s:o, s:o, s:o, "
                        "s:s%, s:s%}",
                        "id", f[0]->str, f[0]->len,
                        "target", f[2]->str, f[2]->len,
                        "event", f[3]->str, f[3]->len,
                        "type", f[4]->str, f[4]->len,
                        "attempts",
                        (json_int_t) ngx_atoi((u_char *) f[5]->str,
                                              f[5]->len),
                        "first_at", ngx_pa_deliveries_time(pmcf, f[6]),
                        "last_at", ngx_pa_deliveries_time(pmcf, f[7]),
                        "dead_at", ngx_pa_deliveries_time(pmcf, f[1]),
                        "last_status",
                        n == NGX_ERROR ? json_null()
                                       : json_integer((json_int_t) n),
                        "last_error", f[9]->str, f[9]->len,
                        "state", f[10]->str, f[10]->len);

        if (row == NULL || json_array_append_new(list, row) != 0) {
            json_decref(o);
            ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, o));
}


/* epoch milliseconds as RFC 3339 in the province's offset, or null */

static json_t *
ngx_pa_deliveries_time(ngx_pa_main_conf_t *pmcf, redisReply *ms)
{
    size_t     len;
    ngx_int_t  n;
    char       buf[NGX_PA_TIME_LEN];

    n = ngx_atoi((u_char *) ms->str, ms->len);
    if (n == NGX_ERROR) {
        return json_null();
    }

    len = ngx_pa_rfc3339_format((time_t) (n / 1000), (int) pmcf->utc_offset,
                                0, buf);

    return json_stringn(buf, len);
}


ngx_int_t
ngx_pa_deliveries_replay_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (ngx_pa_deliveries_admin(r, ctx, &rc) != NGX_OK) {
        return rc;
    }

    return ngx_pa_deliveries_replay(r, ctx);
}


ngx_int_t
ngx_pa_deliveries_post_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    json_t         *id;
    ngx_int_t       rc;
    ngx_pa_err_t    err;
    ngx_pa_body_t  *body;

    if (ngx_pa_deliveries_admin(r, ctx, &rc) != NGX_OK) {
        return rc;
    }

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    /* from the pool: the body's cleanup runs when the request ends */

    body = ngx_pcalloc(r->pool, sizeof(ngx_pa_body_t));
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_body_parse(r, body, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    id = json_object_get(body->fields, "id");

    if (id == NULL) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "missing_field",
                                 "id", "name the delivery to send again "
                                 "(its id, as GET lists it)");
    }

    if (!json_is_string(id) || json_string_length(id) == 0) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "id", "a delivery's id, as GET lists it");
    }

    ctx->id.data = (u_char *) json_string_value(id);
    ctx->id.len = json_string_length(id);

    return ngx_pa_deliveries_replay(r, ctx);
}


/* ctx->id: "<target>:<entry id>", the target one of this node's */

static ngx_int_t
ngx_pa_deliveries_replay(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    u_char              *colon;
    ngx_str_t            target;
    ngx_array_t         *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    colon = ngx_strlchr(ctx->id.data, ctx->id.data + ctx->id.len, ':');

    if (colon != NULL) {
        target.data = ctx->id.data;
        target.len = colon - ctx->id.data;
    }

    if (colon == NULL || ctx->id.len > 128
        || ngx_pa_notify_target(pmcf, &target) == NULL)
    {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                                 "no such delivery");
    }

    keys = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "notify:dead") == NULL
        || ngx_pa_key(r, keys, "notify:%V:retry", &target) == NULL
        || ngx_pa_key(r, keys, "notify:d:%V", &ctx->id) == NULL
        || ngx_pa_arg_str(args, &ctx->id) != NGX_OK
        || ngx_pa_arg_int(r->pool, args,
                          (int64_t) ngx_time() * 1000) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_NOTIFY_REPLAY, keys, args,
                       ngx_pa_deliveries_replayed);
}


static void
ngx_pa_deliveries_replayed(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply  *reply = data;

    json_t  *o;

    if (ngx_pa_reply_is(reply, "not_found")) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", NULL,
                                             "no such failed delivery"));
        return;
    }

    if (reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa deliveries: notify_replay.lua failed: %*s",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : (size_t) 0,
                      reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "storage is not available, "
                                             "try again"));
        return;
    }

    o = json_pack("{s:s%, s:s}", "id", ctx->id.data, ctx->id.len,
                  "state", "replay");

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_ACCEPTED, o));
}
