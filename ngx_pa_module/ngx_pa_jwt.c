/*
 * Staff tokens: compact JWS with HS256 only.
 *
 * The order of checks is fixed so that the answer never depends on which
 * part of a forged token is wrong first: shape and base64url, then the
 * header (alg must be exactly "HS256": no "none", no algorithm choice left
 * to the token), then the MAC (constant-time compare), and only then is
 * the payload - now authenticated - parsed and its claims read.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_pa_b64url.h"
#include "ngx_pa_jwt.h"


#define NGX_PA_JWT_MAC_LEN   32

/* nbf may be a little ahead of our clock: token minted on another node */
#define NGX_PA_JWT_LEEWAY    60

/* base64url of {"alg":"HS256","typ":"JWT"} */
#define NGX_PA_JWT_HEADER    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"


static int ngx_pa_jwt_header(const u_char *p, size_t len);
static int ngx_pa_jwt_claims(const u_char *p, size_t len, time_t now,
    ngx_pa_claims_t *claims);
static int ngx_pa_jwt_claim_str(json_t *obj, const char *name, int required,
    char *out);


static int
ngx_pa_jwt_header(const u_char *p, size_t len)
{
    json_t      *hdr, *alg, *typ;
    const char  *s;
    int          rc;

    hdr = json_loadb((const char *) p, len, JSON_REJECT_DUPLICATES, NULL);
    if (hdr == NULL || !json_is_object(hdr)) {
        json_decref(hdr);
        return NGX_PA_JWT_MALFORMED;
    }

    rc = NGX_PA_JWT_OK;

    alg = json_object_get(hdr, "alg");
    typ = json_object_get(hdr, "typ");

    if (!json_is_string(alg) || json_string_length(alg) != 5
        || memcmp(json_string_value(alg), "HS256", 5) != 0)
    {
        rc = NGX_PA_JWT_ALG;

    } else if (typ != NULL) {
        /* RFC 7519 5.1: "JWT", compared case-insensitively */
        s = json_string_value(typ);
        if (s == NULL || json_string_length(typ) != 3
            || strcasecmp(s, "JWT") != 0)
        {
            rc = NGX_PA_JWT_MALFORMED;
        }
    }

    /* RFC 7515 4.1.11: we understand no extension, so "crit" must fail */
    if (rc == NGX_PA_JWT_OK && json_object_get(hdr, "crit") != NULL) {
        rc = NGX_PA_JWT_MALFORMED;
    }

    json_decref(hdr);

    return rc;
}


/*
 * Copies a string claim.  Control characters are refused: sub and role
 * end up in logs and in the report history as the actor.
 */

static int
ngx_pa_jwt_claim_str(json_t *obj, const char *name, int required, char *out)
{
    json_t      *v;
    const char  *s;
    size_t       len, i;

    v = json_object_get(obj, name);

    if (v == NULL) {
        return required ? -1 : 0;
    }

    s = json_string_value(v);
    if (s == NULL) {
        return -1;
    }

    len = json_string_length(v);
    if (len >= NGX_PA_CLAIM_MAX || (required && len == 0)) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if ((u_char) s[i] < 0x20 || s[i] == 0x7f) {
            return -1;
        }
    }

    memcpy(out, s, len);
    out[len] = '\0';

    return 0;
}


static int
ngx_pa_jwt_claims(const u_char *p, size_t len, time_t now,
    ngx_pa_claims_t *claims)
{
    json_t      *pl, *exp, *nbf, *iat;
    json_int_t   e;
    int          rc;

    pl = json_loadb((const char *) p, len, JSON_REJECT_DUPLICATES, NULL);
    if (pl == NULL || !json_is_object(pl)) {
        json_decref(pl);
        return NGX_PA_JWT_MALFORMED;
    }

    rc = NGX_PA_JWT_OK;

    exp = json_object_get(pl, "exp");
    nbf = json_object_get(pl, "nbf");
    iat = json_object_get(pl, "iat");

    if (ngx_pa_jwt_claim_str(pl, "sub", 1, claims->sub) != 0
        || ngx_pa_jwt_claim_str(pl, "role", 1, claims->role) != 0
        || ngx_pa_jwt_claim_str(pl, "agency", 0, claims->agency) != 0
        || ngx_pa_jwt_claim_str(pl, "jti", 0, claims->jti) != 0
        || (exp != NULL && !json_is_integer(exp))
        || (nbf != NULL && !json_is_integer(nbf))
        || (iat != NULL
            && (!json_is_integer(iat) || json_integer_value(iat) < 0)))
    {
        rc = NGX_PA_JWT_CLAIMS;

    } else if (exp == NULL) {
        rc = NGX_PA_JWT_EXPIRED;

    } else {
        e = json_integer_value(exp);
        claims->exp = (time_t) e;
        claims->iat = iat ? (time_t) json_integer_value(iat) : 0;

        if (e <= (json_int_t) now
            || (nbf != NULL
                && json_integer_value(nbf)
                   > (json_int_t) now + NGX_PA_JWT_LEEWAY))
        {
            rc = NGX_PA_JWT_EXPIRED;
        }
    }

    json_decref(pl);

    return rc;
}


int
ngx_pa_jwt_verify(const u_char *token, size_t len, const u_char *key,
    size_t key_len, time_t now, ngx_pa_claims_t *claims)
{
    u_char         buf[NGX_PA_JWT_MAX];
    u_char         mac[EVP_MAX_MD_SIZE];
    const u_char  *d1, *d2, *end;
    size_t         n;
    unsigned int   mac_len;
    int            rc;

    memset(claims, 0, sizeof(ngx_pa_claims_t));

    if (len == 0 || len > NGX_PA_JWT_MAX) {
        return NGX_PA_JWT_MALFORMED;
    }

    end = token + len;

    d1 = memchr(token, '.', len);
    if (d1 == NULL) {
        return NGX_PA_JWT_MALFORMED;
    }

    d2 = memchr(d1 + 1, '.', end - (d1 + 1));
    if (d2 == NULL || d1 == token || d2 == d1 + 1
        || memchr(d2 + 1, '.', end - (d2 + 1)) != NULL)
    {
        return NGX_PA_JWT_MALFORMED;
    }

    /* header */

    if (ngx_pa_b64url_decode(token, d1 - token, buf, &n) != 0) {
        return NGX_PA_JWT_MALFORMED;
    }

    rc = ngx_pa_jwt_header(buf, n);
    if (rc != NGX_PA_JWT_OK) {
        return rc;
    }

    /* signature over the encoded "header.payload" */

    if (ngx_pa_b64url_decode(d2 + 1, end - (d2 + 1), buf, &n) != 0) {
        return NGX_PA_JWT_MALFORMED;
    }

    if (n != NGX_PA_JWT_MAC_LEN || key_len == 0) {
        return NGX_PA_JWT_SIGNATURE;
    }

    if (HMAC(EVP_sha256(), key, (int) key_len, token, d2 - token, mac,
             &mac_len) == NULL
        || mac_len != NGX_PA_JWT_MAC_LEN
        || CRYPTO_memcmp(mac, buf, NGX_PA_JWT_MAC_LEN) != 0)
    {
        return NGX_PA_JWT_SIGNATURE;
    }

    /* claims */

    if (ngx_pa_b64url_decode(d1 + 1, d2 - (d1 + 1), buf, &n) != 0) {
        return NGX_PA_JWT_MALFORMED;
    }

    return ngx_pa_jwt_claims(buf, n, now, claims);
}


size_t
ngx_pa_jwt_sign(const ngx_pa_claims_t *claims, const u_char *key,
    size_t key_len, char *out, size_t out_size)
{
    json_t        *pl;
    char          *json;
    u_char         mac[EVP_MAX_MD_SIZE];
    size_t         hlen, jlen, len;
    unsigned int   mac_len;

    if (key_len == 0
        || strnlen(claims->sub, NGX_PA_CLAIM_MAX) == NGX_PA_CLAIM_MAX
        || strnlen(claims->role, NGX_PA_CLAIM_MAX) == NGX_PA_CLAIM_MAX
        || strnlen(claims->agency, NGX_PA_CLAIM_MAX) == NGX_PA_CLAIM_MAX
        || strnlen(claims->jti, NGX_PA_CLAIM_MAX) == NGX_PA_CLAIM_MAX)
    {
        return 0;
    }

    pl = json_object();
    if (pl == NULL) {
        return 0;
    }

    /* json_string() refuses invalid UTF-8: then json_dumps() fails too */
    json_object_set_new(pl, "sub", json_string(claims->sub));
    json_object_set_new(pl, "role", json_string(claims->role));
    if (claims->agency[0] != '\0') {
        json_object_set_new(pl, "agency", json_string(claims->agency));
    }
    if (claims->jti[0] != '\0') {
        json_object_set_new(pl, "jti", json_string(claims->jti));
    }
    json_object_set_new(pl, "exp", json_integer((json_int_t) claims->exp));
    if (claims->iat != 0) {
        json_object_set_new(pl, "iat", json_integer((json_int_t) claims->iat));
    }

    json = (json_object_size(pl) == 3u + (claims->agency[0] != '\0')
                                    + (claims->jti[0] != '\0')
                                    + (claims->iat != 0))
           ? json_dumps(pl, JSON_COMPACT) : NULL;
    json_decref(pl);

    if (json == NULL) {
        return 0;
    }

    hlen = sizeof(NGX_PA_JWT_HEADER) - 1;
    jlen = strlen(json);
    len = hlen + 1 + (jlen * 4 + 2) / 3 + 1
          + (NGX_PA_JWT_MAC_LEN * 4 + 2) / 3;

    if (len >= out_size || len > NGX_PA_JWT_MAX) {
        free(json);
        return 0;
    }

    memcpy(out, NGX_PA_JWT_HEADER, hlen);
    len = hlen;
    out[len++] = '.';
    len += ngx_pa_b64url_encode((u_char *) json, jlen, (u_char *) out + len);
    free(json);

    if (HMAC(EVP_sha256(), key, (int) key_len, (u_char *) out, len, mac,
             &mac_len) == NULL)
    {
        return 0;
    }

    out[len++] = '.';
    len += ngx_pa_b64url_encode(mac, mac_len, (u_char *) out + len);
    out[len] = '\0';

    return len;
}
