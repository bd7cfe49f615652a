/*
 * libFuzzer harness for staff token verification.
 *
 * A random token never gets past the HMAC, so the first byte picks a mode:
 *   0: the rest is a token, verified as is;
 *   1: the rest is "<header JSON>\0<payload JSON>", signed with the key
 *      and verified: this reaches the header and claims parsers;
 *   2: the rest fills claims that are signed with ngx_pa_jwt_sign() and
 *      must verify to the same claims.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=all -Ingx_pa_module fuzz/fuzz_jwt.c \
 *       ngx_pa_module/ngx_pa_jwt.c -o build/fuzz_jwt -ljansson -lcrypto
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_pa_jwt.h"


#define KEY   "fuzz-key-0123456789abcdef0123456789"
#define NOW   1769043600


static size_t
fz_b64url(const u_char *in, size_t len, char *out)
{
    static const char  tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "abcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t             n, i;
    uint32_t           v;

    n = 0;

    for (i = 0; i + 2 < len; i += 3) {
        v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
        out[n++] = tab[v >> 18];
        out[n++] = tab[(v >> 12) & 63];
        out[n++] = tab[(v >> 6) & 63];
        out[n++] = tab[v & 63];
    }

    if (len - i == 1) {
        v = (uint32_t) in[i] << 16;
        out[n++] = tab[v >> 18];
        out[n++] = tab[(v >> 12) & 63];

    } else if (len - i == 2) {
        v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8;
        out[n++] = tab[v >> 18];
        out[n++] = tab[(v >> 12) & 63];
        out[n++] = tab[(v >> 6) & 63];
    }

    return n;
}


static void
fz_check_claims(const ngx_pa_claims_t *c)
{
    if (memchr(c->sub, '\0', sizeof(c->sub)) == NULL
        || memchr(c->role, '\0', sizeof(c->role)) == NULL
        || memchr(c->agency, '\0', sizeof(c->agency)) == NULL)
    {
        abort();
    }
}


static void
fz_signed(const u_char *p, size_t len)
{
    ngx_pa_claims_t   c;
    const u_char     *nul;
    char             *t;
    u_char            mac[EVP_MAX_MD_SIZE];
    unsigned int      mac_len;
    size_t            n;
    int               rc;

    nul = memchr(p, '\0', len);
    if (nul == NULL) {
        return;
    }

    t = malloc(len * 2 + 64);
    if (t == NULL) {
        return;
    }

    n = fz_b64url(p, nul - p, t);
    t[n++] = '.';
    n += fz_b64url(nul + 1, len - (nul + 1 - p), t + n);

    HMAC(EVP_sha256(), KEY, sizeof(KEY) - 1, (u_char *) t, n, mac, &mac_len);

    t[n++] = '.';
    n += fz_b64url(mac, mac_len, t + n);

    rc = ngx_pa_jwt_verify((u_char *) t, n, (u_char *) KEY, sizeof(KEY) - 1,
                           NOW, &c);

    /* a correctly signed token can only fail on its content */
    if (rc == NGX_PA_JWT_SIGNATURE && n <= NGX_PA_JWT_MAX) {
        abort();
    }

    if (rc == NGX_PA_JWT_OK) {
        fz_check_claims(&c);
        if (c.sub[0] == '\0' || c.role[0] == '\0' || c.exp <= NOW) {
            abort();
        }
    }

    free(t);
}


static void
fz_sign(const u_char *p, size_t len)
{
    ngx_pa_claims_t  in, out;
    char             t[NGX_PA_JWT_MAX + 1];
    size_t           n;
    int              rc;

    memset(&in, 0, sizeof(in));

    if (len < 8) {
        return;
    }

    memcpy(&in.exp, p, sizeof(in.exp) < 8 ? sizeof(in.exp) : 8);
    p += 8;
    len -= 8;

    n = len < 3 * (NGX_PA_CLAIM_MAX - 1) ? len : 3 * (NGX_PA_CLAIM_MAX - 1);
    memcpy(in.sub, p, n / 3);
    memcpy(in.role, p + n / 3, n / 3);
    memcpy(in.agency, p + 2 * (n / 3), n / 3);

    n = ngx_pa_jwt_sign(&in, (u_char *) KEY, sizeof(KEY) - 1, t, sizeof(t));
    if (n == 0) {
        return;
    }

    if (strlen(t) != n) {
        abort();
    }

    rc = ngx_pa_jwt_verify((u_char *) t, n, (u_char *) KEY, sizeof(KEY) - 1,
                           NOW, &out);

    if (rc == NGX_PA_JWT_OK) {
        if (strcmp(in.sub, out.sub) != 0 || strcmp(in.role, out.role) != 0
            || strcmp(in.agency, out.agency) != 0 || in.exp != out.exp)
        {
            abort();
        }

    } else if (rc != NGX_PA_JWT_EXPIRED && rc != NGX_PA_JWT_CLAIMS) {
        /* sign() wrote it: shape, alg and MAC must be right */
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_pa_claims_t  c;

    if (size == 0) {
        return 0;
    }

    switch (data[0] % 3) {

    case 0:
        if (ngx_pa_jwt_verify(data + 1, size - 1, (u_char *) KEY,
                              sizeof(KEY) - 1, NOW, &c) == NGX_PA_JWT_OK)
        {
            fz_check_claims(&c);
        }
        break;

    case 1:
        fz_signed(data + 1, size - 1);
        break;

    default:
        fz_sign(data + 1, size - 1);
        break;
    }

    return 0;
}
