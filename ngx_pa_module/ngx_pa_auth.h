/*
 * Who is calling: staff by a Bearer JWT (HS256, pa_auth_secret_file), the
 * reporter by the access token of their report (X-Report-Token or ?token=).
 */

#ifndef NGX_PA_AUTH_H
#define NGX_PA_AUTH_H

#include "ngx_pa.h"


typedef enum {
    NGX_PA_ROLE_NONE = 0,
    NGX_PA_ROLE_REPORTER,
    NGX_PA_ROLE_IOC,
    NGX_PA_ROLE_HANDLER,
    NGX_PA_ROLE_LEADER,
    NGX_PA_ROLE_COORDINATOR,
    NGX_PA_ROLE_SUPERVISOR,
    NGX_PA_ROLE_ADMIN
} ngx_pa_role_e;

#define NGX_PA_ROLE_BIT(r)  (1u << (r))

typedef struct {
    ngx_pa_role_e     role;
    ngx_str_t         role_name;
    ngx_str_t         sub;        /* staff: the JWT's sub */
    ngx_str_t         agency;     /* handler, leader, coordinator; a
                                     supervisor's superior body */
    ngx_str_t         token;      /* reporter: the access token sent */
    ngx_str_t         jti;        /* staff: the JWT's jti, exp, iat: */
    time_t            exp;        /* a live stream checks them again */
    time_t            iat;
    unsigned          staff:1;
    unsigned          jwt:1;      /* a signed token (not X-Report-Token) */
    unsigned          subtree:1;  /* a supervisor of "agency"'s subtree */
    ngx_pa_main_conf_t *conf;
} ngx_pa_caller_t;


/*
 * Reads the caller.  NGX_OK: caller set (staff or reporter token present,
 * the token itself is checked against the report later); NGX_DECLINED: no
 * credentials at all; NGX_ERROR: a Bearer token that does not verify
 * (answer 401); NGX_AGAIN: a Bearer token that verifies, but this worker
 * has not read the revoked tokens yet (answer 503: the router holds such
 * requests back until it has, ngx_pa_api.c).
 */
ngx_int_t ngx_pa_auth(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_caller_t *caller);

/* 401 / 403 (and 503 for NGX_AGAIN) answers in one place */
ngx_int_t ngx_pa_auth_fail(ngx_http_request_t *r, ngx_int_t rc);

/*
 * agency-bound roles see only their agency's reports (a supervisor with
 * an agency sees its subtree: caller->subtree)
 */
ngx_uint_t ngx_pa_role_agency_bound(ngx_pa_role_e role);

/* SHA-256 hex of a reporter token (65 bytes with its NUL) */
void ngx_pa_auth_token_hash(ngx_str_t *token, u_char *hex);

/*
 * What a report stores as token_hash: the first 128 bits (32 hex) of the
 * token's SHA-256.  The token's secret has 256 random bits; 128 of its
 * hash prove it as well, with half the bytes.  Records of earlier
 * versions hold all 64 hex: ngx_pa_auth_token_hash_eq() takes both.
 */
#define NGX_PA_TOKEN_HASH_STORED  32

ngx_str_t ngx_pa_auth_token_stored(ngx_str_t *hex);

/* a token's SHA-256 hex against a stored token_hash of either length */
ngx_uint_t ngx_pa_auth_token_hash_eq(const u_char *hex, const u_char *stored,
    size_t len);

/* the reporter's access token: X-Report-Token, else ?token= */
ngx_str_t *ngx_pa_reporter_token(ngx_http_request_t *r);

#endif /* NGX_PA_AUTH_H */
