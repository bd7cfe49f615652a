/*
 * Reading a report: GET /api/v1/reports/{id} for its reporter (access
 * token) and GET /api/v1/health.  One small Redis call each.
 */

#include "ngx_pa.h"
#include "ngx_pa_api.h"
#include "ngx_pa_json.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_view.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>


static void ngx_pa_read_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_health_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_read_token_ok(ngx_http_request_t *r,
    ngx_pa_hash_t *h);


ngx_int_t
ngx_pa_read_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t    *key;
    ngx_array_t  *keys;
    const char   *argv[2];
    size_t        argvlen[2];

    if (ngx_pa_reporter_token(r) == NULL) {
        return ngx_pa_send_error(r, NGX_HTTP_UNAUTHORIZED, "unauthorized",
                                 NULL, "an access token is required");
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    if (keys == NULL) {
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

    return ngx_pa_call(r, ctx, 2, argv, argvlen, ngx_pa_read_done);
}


static void
ngx_pa_read_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply     *reply = data;
    json_t         *view;
    ngx_pa_hash_t   h;

    if (ngx_pa_hash_from_reply(r->pool, reply, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unexpected reply to HGETALL");
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* unknown id and wrong token look the same: existence never leaks */

    if (h.n == 0 || !ngx_pa_read_token_ok(r, &h)) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", NULL,
                                             "no such report"));
        return;
    }

    view = ngx_pa_view_report(r, ctx, &h, NGX_PA_VIEW_REPORTER);

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, view));
}


/* X-Report-Token, or ?token= for links sent by SMS */

ngx_str_t *
ngx_pa_reporter_token(ngx_http_request_t *r)
{
    ngx_str_t  *v;

    v = ngx_pa_header(r, "X-Report-Token");
    if (v != NULL && v->len) {
        return v;
    }

    v = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (v == NULL) {
        return NULL;
    }

    if (ngx_http_arg(r, (u_char *) "token", 5, v) == NGX_OK && v->len) {
        return v;
    }

    return NULL;
}


static ngx_int_t
ngx_pa_read_token_ok(ngx_http_request_t *r, ngx_pa_hash_t *h)
{
    u_char      hex[SHA256_DIGEST_LENGTH * 2];
    u_char      md[SHA256_DIGEST_LENGTH];
    ngx_str_t  *token, *stored;

    token = ngx_pa_reporter_token(r);
    stored = ngx_pa_hash_get(h, "token_hash");

    if (token == NULL || stored == NULL || stored->len != sizeof(hex)) {
        return 0;
    }

    SHA256(token->data, token->len, md);
    ngx_hex_dump(hex, md, sizeof(md));

    return CRYPTO_memcmp(hex, stored->data, sizeof(hex)) == 0;
}


ngx_int_t
ngx_pa_health(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    const char  *argv[1];
    size_t       argvlen[1];

    argv[0] = "PING";
    argvlen[0] = 4;

    return ngx_pa_call(r, ctx, 1, argv, argvlen, ngx_pa_health_done);
}


static void
ngx_pa_health_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply          *reply = data;
    json_t              *body;
    ngx_pa_main_conf_t  *pmcf;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "storage answers with errors"));
        return;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    body = json_pack("{s:s, s:s, s:s#, s:s#, s:s}",
                     "status", "ok", "redis", "up",
                     "tenant", pmcf->tenant.data, (int) pmcf->tenant.len,
                     "profile", pmcf->profile.data ? (char *) pmcf->profile.data
                                                   : "",
                     (int) pmcf->profile.len,
                     "version", NGX_PA_VERSION);

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, body));
}
