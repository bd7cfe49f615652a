/*
 * Callers: staff JWTs and reporter access tokens.
 */

#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_crypto.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_jwt.h"
#include "ngx_pa_revoke.h"

#include <openssl/sha.h>


static ngx_str_t  ngx_pa_role_names[] = {
    ngx_null_string,
    ngx_string("reporter"),
    ngx_string("ioc"),
    ngx_string("handler"),
    ngx_string("leader"),
    ngx_string("coordinator"),
    ngx_string("supervisor"),
    ngx_string("admin"),
};


static ngx_int_t ngx_pa_auth_verify(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *h, ngx_pa_claims_t *claims);
static ngx_int_t ngx_pa_auth_role(ngx_http_request_t *r,
    ngx_pa_caller_t *caller, ngx_pa_claims_t *claims);
static ngx_int_t ngx_pa_auth_copy(ngx_pool_t *pool, ngx_str_t *dst,
    const char *src);


ngx_int_t
ngx_pa_auth(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_pa_caller_t *caller)
{
    ngx_int_t             rc;
    ngx_str_t            *h, *token;
    ngx_pa_claims_t       claims;
    ngx_pa_main_conf_t   *pmcf;

    ngx_memzero(caller, sizeof(ngx_pa_caller_t));

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    caller->conf = pmcf;

    h = r->headers_in.authorization ? &r->headers_in.authorization->value
                                    : NULL;

    if (h == NULL) {
        token = ngx_pa_reporter_token(r);

        if (token == NULL) {
            return NGX_DECLINED;
        }

        caller->role = NGX_PA_ROLE_REPORTER;
        caller->role_name = ngx_pa_role_names[NGX_PA_ROLE_REPORTER];
        caller->token = *token;
        ngx_str_set(&caller->sub, "reporter");
        return NGX_OK;
    }

    rc = ngx_pa_auth_verify(r, ctx, h, &claims);

    if (rc == NGX_ERROR || ngx_pa_auth_role(r, caller, &claims) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * A good token, but this worker has not read the revoked ones yet
     * (ngx_pa_revoke_wait.c holds such requests back until it has): not
     * taken, whoever calls
     */

    if (rc == NGX_AGAIN) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pa: staff token of \"%s\" not taken: the revoked "
                      "tokens are not read yet", claims.sub);
        return NGX_AGAIN;
    }

    caller->staff = caller->role != NGX_PA_ROLE_REPORTER;
    caller->jwt = 1;

    if (ngx_pa_auth_copy(r->pool, &caller->sub, claims.sub) != NGX_OK
        || ngx_pa_auth_copy(r->pool, &caller->agency, claims.agency)
           != NGX_OK
        || ngx_pa_auth_copy(r->pool, &caller->jti, claims.jti) != NGX_OK)
    {
        return NGX_ERROR;
    }

    caller->exp = claims.exp;
    caller->iat = claims.iat;

    /*
     * A superior body (LC26 Điều 10.4, VL Điều 11.4) supervises the
     * agencies under it; the province itself (the directory's root), or
     * a supervisor token without an agency, the whole province.
     */

    caller->subtree = caller->role == NGX_PA_ROLE_SUPERVISOR
                      && caller->agency.len
                      && !ngx_pa_directory_is_root(pmcf, &caller->agency);

    /* a logged-in reporter (pa_login_required) may also hold a token */

    if (caller->role == NGX_PA_ROLE_REPORTER) {
        token = ngx_pa_reporter_token(r);
        if (token) {
            caller->token = *token;
        }
    }

    return NGX_OK;
}


/*
 * "Bearer <JWT>": signed with pa_auth_secret_file, in its lifetime, no
 * longer-lived than pa_auth_max_ttl, not revoked.  NGX_AGAIN: all that,
 * but this worker has not read the revoked tokens yet.
 */

static ngx_int_t
ngx_pa_auth_verify(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *h,
    ngx_pa_claims_t *claims)
{
    int                  rc;
    ngx_str_t            bearer, jti, sub;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (h->len <= 7 || ngx_strncasecmp(h->data, (u_char *) "Bearer ", 7) != 0)
    {
        return NGX_ERROR;
    }

    bearer.data = h->data + 7;
    bearer.len = h->len - 7;

    if (pmcf->auth_secret.len == 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pa: a staff token was sent, but no "
                      "\"pa_auth_secret_file\" is configured");
        return NGX_ERROR;
    }

    /* pure CPU: base64url, HMAC-SHA256, constant-time compare, claims */

    rc = ngx_pa_jwt_verify(bearer.data, bearer.len, pmcf->auth_secret.data,
                           pmcf->auth_secret.len, ctx->now, claims);

    if (rc != NGX_PA_JWT_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: staff token refused (%d)", rc);
        return NGX_ERROR;
    }

    /*
     * Issued in the future (a minting clock ahead, a local time taken for
     * UTC: 7 h): its lifetime would count from then (pa_auth_max_ttl) and
     * a revocation of its holder spares tokens issued after it, so it
     * would outlive both.  The real clock: X-PA-Now moves reports' time,
     * not the minting's.
     */

    if (claims->iat > ngx_time() + NGX_PA_REVOKE_IAT_AHEAD) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: staff token of \"%s\" issued in the future",
                      claims->sub);
        return NGX_ERROR;
    }

    /*
     * pa_auth_max_ttl: a token minted to live longer than a shift (or
     * forever) is refused, whatever its signature says
     */

    if (pmcf->auth_max_ttl > 0
        && claims->exp - (claims->iat ? claims->iat : ctx->now)
           > pmcf->auth_max_ttl)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: staff token of \"%s\" lives longer than "
                      "pa_auth_max_ttl", claims->sub);
        return NGX_ERROR;
    }

    jti.data = (u_char *) claims->jti;
    jti.len = ngx_strlen(claims->jti);
    sub.data = (u_char *) claims->sub;
    sub.len = ngx_strlen(claims->sub);

    if (ngx_pa_revoke_check(pmcf, &jti, &sub, claims->iat) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: revoked staff token of \"%s\" refused",
                      claims->sub);
        return NGX_ERROR;
    }

    /* the revocations this worker knows spare it: do they all? */

    return ngx_pa_revoke_waiting(pmcf) == NULL ? NGX_OK : NGX_AGAIN;
}


/* the token's role, one of ngx_pa_role_names; an agency where it needs one */

static ngx_int_t
ngx_pa_auth_role(ngx_http_request_t *r, ngx_pa_caller_t *caller,
    ngx_pa_claims_t *claims)
{
    ngx_uint_t  i;

    for (i = NGX_PA_ROLE_REPORTER; i <= NGX_PA_ROLE_ADMIN; i++) {
        if (ngx_strcmp(claims->role, ngx_pa_role_names[i].data) == 0) {
            caller->role = (ngx_pa_role_e) i;
            caller->role_name = ngx_pa_role_names[i];
            break;
        }
    }

    if (caller->role == NGX_PA_ROLE_NONE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: staff token with unknown role \"%s\"",
                      claims->role);
        return NGX_ERROR;
    }

    if (ngx_pa_role_agency_bound(caller->role) && claims->agency[0] == '\0') {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: \"%s\" token without an agency", claims->role);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_auth_fail(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_DECLINED) {
        return ngx_pa_send_error(r, NGX_HTTP_UNAUTHORIZED, "unauthorized",
                                 NULL, "credentials are required");
    }

    if (rc == NGX_ERROR) {
        return ngx_pa_send_error(r, NGX_HTTP_UNAUTHORIZED, "unauthorized",
                                 NULL, "the token is invalid or expired");
    }

    if (rc == NGX_AGAIN) {
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "the token cannot be checked now, "
                                 "try again");
    }

    return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                             "your role may not do this");
}


ngx_uint_t
ngx_pa_role_agency_bound(ngx_pa_role_e role)
{
    return role == NGX_PA_ROLE_HANDLER || role == NGX_PA_ROLE_LEADER
           || role == NGX_PA_ROLE_COORDINATOR;
}


/*
 * Through the worker's digest context (OpenSSL 3's one-shot SHA256()
 * looks the algorithm up again at each call: a quarter of a submit's
 * hashing); the event loop's thread only, as every caller is.
 */

void
ngx_pa_auth_token_hash(ngx_str_t *token, u_char *hex)
{
    u_char               md[SHA256_DIGEST_LENGTH];
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle, ngx_http_pa_module);

    if (ngx_pa_crypto_sha256(pmcf != NULL ? pmcf->worker.crypto : NULL,
                             token->data, token->len, md)
        != 0)
    {
        /* no digest: a hash nothing matches, never a stale buffer's */
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "pa: SHA-256 of a token failed");
        ngx_memzero(md, sizeof(md));
    }

    *ngx_hex_dump(hex, md, sizeof(md)) = '\0';
}


ngx_str_t
ngx_pa_auth_token_stored(ngx_str_t *hex)
{
    ngx_str_t  s;

    s.data = hex->data;
    s.len = ngx_min(hex->len, NGX_PA_TOKEN_HASH_STORED);

    return s;
}


ngx_uint_t
ngx_pa_auth_token_hash_eq(const u_char *hex, const u_char *stored, size_t len)
{
    if (len != NGX_PA_TOKEN_HASH_STORED && len != SHA256_DIGEST_LENGTH * 2) {
        return 0;
    }

    return CRYPTO_memcmp(hex, stored, len) == 0;
}


static ngx_int_t
ngx_pa_auth_copy(ngx_pool_t *pool, ngx_str_t *dst, const char *src)
{
    dst->len = ngx_strlen(src);

    if (dst->len == 0) {
        dst->data = (u_char *) "";
        return NGX_OK;
    }

    /* NUL terminated too: the actor goes into history entries as is */

    dst->data = ngx_pnalloc(pool, dst->len + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, dst->len + 1);

    return NGX_OK;
}


/*
 * X-Report-Token, or ?token= for links sent by SMS and for EventSource,
 * whose URLSearchParams sends the token's "~" as "%7E": the argument is
 * read as nginx gives it, escaped, so it is unescaped here.
 */

ngx_str_t *
ngx_pa_reporter_token(ngx_http_request_t *r)
{
    u_char     *dst, *src;
    ngx_str_t  *v, arg;

    v = ngx_pa_header(r, "X-Report-Token");
    if (v != NULL && v->len) {
        return v;
    }

    if (ngx_http_arg(r, (u_char *) "token", 5, &arg) != NGX_OK
        || arg.len == 0)
    {
        return NULL;
    }

    v = ngx_palloc(r->pool, sizeof(ngx_str_t));
    dst = ngx_pnalloc(r->pool, arg.len);

    if (v == NULL || dst == NULL) {
        return NULL;
    }

    v->data = dst;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    v->len = dst - v->data;

    return v->len ? v : NULL;
}
