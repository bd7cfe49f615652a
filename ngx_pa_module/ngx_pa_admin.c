/*
 * POST /api/v1/admin/tokens/revoke (api.md, Staff tokens): the admin
 * names a token (jti) or a person (sub); revoke.lua adds it to the
 * tenant's set, which every worker's copy (ngx_pa_revoke.c) reads.
 */

#include "ngx_pa.h"
#include "ngx_pa_admin.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_validate.h"


static ngx_int_t ngx_pa_revoke_member(ngx_http_request_t *r, json_t *fields,
    ngx_str_t *member, ngx_pa_err_t *err);
static void ngx_pa_revoke_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);


ngx_int_t
ngx_pa_revoke_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t           *member;
    ngx_pa_err_t         err;
    ngx_array_t         *keys, *args;
    ngx_pa_body_t       *body;
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

    /* from the pool: the body's cleanup runs when the request ends */

    member = ngx_pcalloc(r->pool, sizeof(ngx_str_t));
    body = ngx_pcalloc(r->pool, sizeof(ngx_pa_body_t));

    if (member == NULL || body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_body_parse(r, body, &err) != NGX_OK
        || ngx_pa_revoke_member(r, body->fields, member, &err) != NGX_OK)
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

    if (jti == NULL && sub == NULL) {
        err->status = NGX_HTTP_BAD_REQUEST;
        err->code = "missing_field";
        err->field = "jti";
        err->message = "name one token (jti) or one person (sub)";
        return NGX_ERROR;
    }

    /* both given: nothing is missing, one is too many */

    if (jti != NULL && sub != NULL) {
        err->status = NGX_HTTP_BAD_REQUEST;
        err->code = "invalid_field";
        err->field = "sub";
        err->message = "name one token (jti) or one person (sub), not both";
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
    ngx_pa_main_conf_t  *pmcf;
    char                 at[NGX_PA_TIME_LEN];

    member = ctx->data;

    /*
     * An error is Redis's refusal of the write (OOM, MISCONF: a full
     * disk), before anything was written: 503, and the admin tries again.
     */

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: revoke.lua failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the revocation could not be "
                                             "stored, try again"));
        return;
    }

    if (reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: revoke.lua answered no integer");
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /* this worker refuses the token at once, the others within a second */

    if (ngx_pa_revoke_note(pmcf, member, ctx->now) != NGX_OK) {
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
