/*
 * Staff tokens: JWT with HS256 only (RFC 7519 / 7515 compact form).
 * Verification is pure CPU: base64url, HMAC-SHA256 (OpenSSL), constant-time
 * compare, claims parsed with jansson.  Pure C, no nginx headers.
 */

#ifndef NGX_PA_JWT_H
#define NGX_PA_JWT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>


#define NGX_PA_JWT_MAX       4096      /* longer tokens are refused */
#define NGX_PA_CLAIM_MAX     64

/* verification results */
#define NGX_PA_JWT_OK         0
#define NGX_PA_JWT_MALFORMED -1   /* not three base64url parts, bad JSON */
#define NGX_PA_JWT_ALG       -2   /* header alg is not "HS256" */
#define NGX_PA_JWT_SIGNATURE -3
#define NGX_PA_JWT_EXPIRED   -4   /* exp missing or exp <= now */
#define NGX_PA_JWT_CLAIMS    -5   /* sub or role missing / too long */

typedef struct {
    char       sub[NGX_PA_CLAIM_MAX];
    char       role[NGX_PA_CLAIM_MAX];
    char       agency[NGX_PA_CLAIM_MAX];     /* "" when absent */
    char       jti[NGX_PA_CLAIM_MAX];        /* "" when absent */
    time_t     exp;
    time_t     iat;                          /* 0 when absent */
} ngx_pa_claims_t;

int ngx_pa_jwt_verify(const u_char *token, size_t len, const u_char *key,
    size_t key_len, time_t now, ngx_pa_claims_t *claims);

/*
 * Signs claims into out (used by tests and bin/ tooling); returns the token
 * length or 0 when out is too small.
 */
size_t ngx_pa_jwt_sign(const ngx_pa_claims_t *claims, const u_char *key,
    size_t key_len, char *out, size_t out_size);

#endif /* NGX_PA_JWT_H */
