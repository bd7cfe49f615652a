/*
 * Unit tests of staff token verification (ngx_pa_jwt.c): HS256 only,
 * strict base64url, claims, expiry; and a token minted by bin/pa-token.
 */

#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_pa_jwt.h"
#include "pa_unit.h"


#define KEY      "0123456789abcdef0123456789abcdef"
#define KEYLEN   (sizeof(KEY) - 1)
#define NOW      1769043600


/*
 * Minted with
 *   printf 'pa-unit-test-secret-0123456789abcdef\n' > key
 *   bin/pa-token --role handler --agency ubnd-tp --sub "nguyễn.văn.an" \
 *       --ttl 9999999999 --secret-file key
 * so it proves that the Perl tool and the C verifier agree.
 */
#define PA_TOKEN_KEY  "pa-unit-test-secret-0123456789abcdef"
#define PA_TOKEN                                                              \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhZ2VuY3kiOiJ1Ym5kLXRwIiwiZXhwIj" \
    "oxMTc5NTUyNjg2OSwiaWF0IjoxNzk1NTI2ODcwLCJyb2xlIjoiaGFuZGxlciIsInN1YiI6" \
    "Im5ndXnhu4VuLnbEg24uYW4ifQ.CIA3hd_E5EiGTcOOqyuunU47dlB_SwcAhu6LX0nwrWc"


static size_t
b64url(const u_char *in, size_t len, char *out)
{
    size_t  n, i, j;

    n = EVP_EncodeBlock((u_char *) out, in, (int) len);

    for (i = 0, j = 0; i < n; i++) {
        if (out[i] == '=') {
            continue;
        }
        out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    }

    out[j] = '\0';
    return j;
}


/* header and payload JSON text -> signed compact token */

static char *
make(const char *hdr, const char *payload, const char *key, char *out)
{
    u_char        mac[EVP_MAX_MD_SIZE];
    unsigned int  mac_len;
    size_t        n;

    n = b64url((const u_char *) hdr, strlen(hdr), out);
    out[n++] = '.';
    n += b64url((const u_char *) payload, strlen(payload), out + n);

    HMAC(EVP_sha256(), key, (int) strlen(key), (u_char *) out, n, mac,
         &mac_len);

    out[n++] = '.';
    b64url(mac, mac_len, out + n);

    return out;
}


static int
verify(const char *token, ngx_pa_claims_t *c)
{
    return ngx_pa_jwt_verify((const u_char *) token, strlen(token),
                             (const u_char *) KEY, KEYLEN, NOW, c);
}


#define HS256  "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define GOOD   "{\"sub\":\"an\",\"role\":\"handler\",\"agency\":\"ubnd-tp\"," \
               "\"exp\":1769047200}"


static void
test_valid(void)
{
    ngx_pa_claims_t  c;
    char             t[8192];

    PA_IS_INT(verify(make(HS256, GOOD, KEY, t), &c), NGX_PA_JWT_OK,
              "valid token");
    PA_IS_STR(c.sub, "an", "sub");
    PA_IS_STR(c.role, "handler", "role");
    PA_IS_STR(c.agency, "ubnd-tp", "agency");
    PA_IS_INT(c.exp, 1769047200, "exp");

    PA_IS_INT(verify(make("{\"alg\":\"HS256\"}",
                          "{\"sub\":\"x\",\"role\":\"ioc\",\"exp\":1769047200,"
                          "\"iat\":1769043000,\"nbf\":1769043000,"
                          "\"extra\":[1,{\"a\":null}]}", KEY, t), &c),
              NGX_PA_JWT_OK, "no typ, extra claims, nbf in the past");
    PA_IS_STR(c.agency, "", "agency absent -> empty");

    PA_IS_INT(verify(make("{\"typ\":\"jwt\",\"alg\":\"HS256\",\"kid\":\"1\"}",
                          GOOD, KEY, t), &c),
              NGX_PA_JWT_OK, "typ is case-insensitive, kid ignored");

    PA_IS_INT(verify(make(HS256, "{\"sub\":\"nguy\\u1ec5n\",\"role\":\"ioc\","
                          "\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_OK, "escaped UTF-8 sub");
    PA_IS_STR(c.sub, "nguy\xe1\xbb\x85n", "... decoded");
}


static void
test_pa_token(void)
{
    ngx_pa_claims_t  c;
    int              rc;

    rc = ngx_pa_jwt_verify((const u_char *) PA_TOKEN, sizeof(PA_TOKEN) - 1,
                           (const u_char *) PA_TOKEN_KEY,
                           sizeof(PA_TOKEN_KEY) - 1, NOW, &c);
    PA_IS_INT(rc, NGX_PA_JWT_OK, "bin/pa-token token verifies");
    PA_IS_STR(c.sub, "nguy\xe1\xbb\x85n.v\xc4\x83n.an", "... sub (UTF-8)");
    PA_IS_STR(c.role, "handler", "... role");
    PA_IS_STR(c.agency, "ubnd-tp", "... agency");
    PA_IS_INT(c.exp, 11795526869LL, "... exp");

    rc = ngx_pa_jwt_verify((const u_char *) PA_TOKEN, sizeof(PA_TOKEN) - 1,
                           (const u_char *) PA_TOKEN_KEY "\n",
                           sizeof(PA_TOKEN_KEY), NOW, &c);
    PA_IS_INT(rc, NGX_PA_JWT_SIGNATURE, "... not with the newline in the key");
}


static void
test_sign(void)
{
    ngx_pa_claims_t  in, out;
    char             t[NGX_PA_JWT_MAX + 1];
    size_t           n;

    memset(&in, 0, sizeof(in));
    strcpy(in.sub, "tran.thi.b");
    strcpy(in.role, "leader");
    strcpy(in.agency, "so-gtvt");
    in.exp = NOW + 3600;

    n = ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, sizeof(t));
    PA_OK(n > 0 && n == strlen(t), "sign returns the token length");
    PA_OK(strncmp(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0,
          "standard header");
    PA_IS_INT(verify(t, &out), NGX_PA_JWT_OK, "signed token verifies");
    PA_IS_STR(out.sub, "tran.thi.b", "sub round trip");
    PA_IS_STR(out.role, "leader", "role round trip");
    PA_IS_STR(out.agency, "so-gtvt", "agency round trip");
    PA_IS_INT(out.exp, NOW + 3600, "exp round trip");

    PA_IS_STR(out.jti, "", "no jti: empty");
    PA_IS_INT(out.iat, 0, "no iat: 0");

    strcpy(in.jti, "4f2a9c1e0b7d4e21");
    in.iat = NOW - 60;
    n = ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, sizeof(t));
    PA_IS_INT(verify(t, &out), NGX_PA_JWT_OK, "jti and iat: verifies");
    PA_IS_STR(out.jti, "4f2a9c1e0b7d4e21", "jti round trip");
    PA_IS_INT(out.iat, NOW - 60, "iat round trip");
    in.jti[0] = '\0';
    in.iat = 0;

    in.agency[0] = '\0';
    n = ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, sizeof(t));
    PA_IS_INT(verify(t, &out), NGX_PA_JWT_OK, "no agency verifies");
    PA_IS_STR(out.agency, "", "... agency empty");

    PA_IS_INT(ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, n), 0,
              "out too small by the NUL: 0");
    PA_IS_INT(ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, n + 1), n,
              "exact size: ok");
    PA_IS_INT(ngx_pa_jwt_sign(&in, (const u_char *) KEY, 0, t, sizeof(t)), 0,
              "empty key refused");

    memset(in.sub, 'a', sizeof(in.sub));
    PA_IS_INT(ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, sizeof(t)),
              0, "unterminated sub refused");

    strcpy(in.sub, "\xff\xfe");
    PA_IS_INT(ngx_pa_jwt_sign(&in, (const u_char *) KEY, KEYLEN, t, sizeof(t)),
              0, "invalid UTF-8 sub refused");
}


static void
test_tamper(void)
{
    ngx_pa_claims_t  c;
    char             t[8192], u[8192], *dot;
    size_t           n;

    make(HS256, GOOD, KEY, t);
    n = strlen(t);

    /* payload says admin, signature is the handler one */
    make(HS256, "{\"sub\":\"an\",\"role\":\"admin\",\"agency\":\"ubnd-tp\","
         "\"exp\":1769047200}", KEY, u);
    dot = strrchr(u, '.');
    strcpy(dot, strrchr(t, '.'));
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_SIGNATURE, "tampered payload");
    PA_IS_STR(c.role, "", "no claims on failure");

    strcpy(u, t);
    u[n - 5] = u[n - 5] == 'A' ? 'B' : 'A';
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_SIGNATURE, "tampered signature");

    /* last char of a 32-byte MAC carries 2 unused bits: must be zero */
    strcpy(u, t);
    {
        static const char  b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
                                   "ghijklmnopqrstuvwxyz0123456789-_";
        int                v = (int) (strchr(b64, u[n - 1]) - b64);

        u[n - 1] = b64[v ^ 1];
    }
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED,
              "non-canonical last base64 char");

    /* 31 bytes, or leftover bits that make it non-canonical */
    strcpy(u, t);
    u[n - 1] = '\0';
    {
        int  rc = verify(u, &c);

        PA_OK(rc == NGX_PA_JWT_SIGNATURE || rc == NGX_PA_JWT_MALFORMED,
              "truncated signature refused");
    }

    PA_IS_INT(ngx_pa_jwt_verify((u_char *) t, n, (u_char *) "another key "
              "of 32 bytes length!", 31, NOW, &c), NGX_PA_JWT_SIGNATURE,
              "wrong key");
    PA_IS_INT(ngx_pa_jwt_verify((u_char *) t, n, (u_char *) "", 0, NOW, &c),
              NGX_PA_JWT_SIGNATURE, "empty key never verifies");

    PA_IS_INT(verify(make(HS256, GOOD, "another key", u), &c),
              NGX_PA_JWT_SIGNATURE, "signed with another key");
}


static void
test_alg(void)
{
    ngx_pa_claims_t  c;
    char             t[8192];

    PA_IS_INT(verify(make("{\"alg\":\"none\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg none");

    /* the classic: alg none and no signature at all */
    make("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD, KEY, t);
    strrchr(t, '.')[1] = '\0';
    PA_IS_INT(verify(t, &c), NGX_PA_JWT_ALG, "alg none, empty signature");

    PA_IS_INT(verify(make("{\"alg\":\"HS512\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg HS512");
    PA_IS_INT(verify(make("{\"alg\":\"HS384\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg HS384");
    PA_IS_INT(verify(make("{\"alg\":\"RS256\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg RS256");
    PA_IS_INT(verify(make("{\"alg\":\"hs256\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg is case-sensitive");
    PA_IS_INT(verify(make("{\"alg\":\"HS256 \"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg with a space");
    PA_IS_INT(verify(make("{\"typ\":\"JWT\"}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg missing");
    PA_IS_INT(verify(make("{\"alg\":null}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg null");
    PA_IS_INT(verify(make("{\"alg\":[\"HS256\"]}", GOOD, KEY, t), &c),
              NGX_PA_JWT_ALG, "alg array");
    PA_IS_INT(verify(make("{\"alg\":\"HS256\",\"alg\":\"none\"}", GOOD, KEY,
                          t), &c),
              NGX_PA_JWT_MALFORMED, "duplicate alg");
    PA_IS_INT(verify(make("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", GOOD, KEY,
                          t), &c),
              NGX_PA_JWT_MALFORMED, "other typ");
    PA_IS_INT(verify(make("{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", GOOD,
                          KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "crit");
    PA_IS_INT(verify(make("[\"HS256\"]", GOOD, KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "header not an object");
    PA_IS_INT(verify(make("{\"alg\":\"HS256\"", GOOD, KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "header not JSON");
}


static void
test_claims(void)
{
    ngx_pa_claims_t  c;
    char             t[8192], p[512], big[100];

    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769043600}", KEY, t), &c),
              NGX_PA_JWT_EXPIRED, "exp == now: expired");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769043601}", KEY, t), &c),
              NGX_PA_JWT_OK, "exp == now + 1: ok");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":-5}", KEY, t), &c),
              NGX_PA_JWT_EXPIRED, "negative exp");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"iat\":\"x\"}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "iat as string");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"iat\":-1}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "negative iat");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"jti\":7}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "jti as number");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\"}", KEY, t),
                     &c),
              NGX_PA_JWT_EXPIRED, "missing exp");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":\"1769047200\"}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "exp as string");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200.5}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "exp as real");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"nbf\":1769047000}", KEY, t),
                     &c),
              NGX_PA_JWT_EXPIRED, "nbf in the future");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"nbf\":1769043660}", KEY, t),
                     &c),
              NGX_PA_JWT_OK, "nbf within the 60 s leeway");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"exp\":1769047200,\"nbf\":true}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "nbf not a number");

    PA_IS_INT(verify(make(HS256, "{\"role\":\"ioc\",\"exp\":1769047200}", KEY,
                          t), &c),
              NGX_PA_JWT_CLAIMS, "missing sub");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"exp\":1769047200}", KEY,
                          t), &c),
              NGX_PA_JWT_CLAIMS, "missing role");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"\",\"role\":\"ioc\","
                          "\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "empty sub");
    PA_IS_INT(verify(make(HS256, "{\"sub\":7,\"role\":\"ioc\","
                          "\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "sub a number");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"an\",\"role\":\"ioc\","
                          "\"agency\":1,\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "agency a number");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"a\\nb\",\"role\":\"ioc\","
                          "\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_CLAIMS, "control char in sub");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"a\\u0000b\",\"role\":\"ioc\","
                          "\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "NUL in sub");

    memset(big, 'x', 63);
    big[63] = '\0';
    snprintf(p, sizeof(p), "{\"sub\":\"%s\",\"role\":\"ioc\","
             "\"agency\":\"%s\",\"exp\":1769047200}", big, big);
    PA_IS_INT(verify(make(HS256, p, KEY, t), &c), NGX_PA_JWT_OK,
              "63-byte claims fit");
    PA_IS_INT(strlen(c.agency), 63, "... agency copied whole");

    memset(big, 'x', 64);
    big[64] = '\0';
    snprintf(p, sizeof(p), "{\"sub\":\"%s\",\"role\":\"ioc\","
             "\"exp\":1769047200}", big);
    PA_IS_INT(verify(make(HS256, p, KEY, t), &c), NGX_PA_JWT_CLAIMS,
              "64-byte sub too long");
    snprintf(p, sizeof(p), "{\"sub\":\"a\",\"role\":\"ioc\","
             "\"agency\":\"%s\",\"exp\":1769047200}", big);
    PA_IS_INT(verify(make(HS256, p, KEY, t), &c), NGX_PA_JWT_CLAIMS,
              "64-byte agency too long");

    PA_IS_INT(verify(make(HS256, "[1]", KEY, t), &c), NGX_PA_JWT_MALFORMED,
              "payload not an object");
    PA_IS_INT(verify(make(HS256, "{\"sub\":", KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "payload not JSON");
    PA_IS_INT(verify(make(HS256, "{\"sub\":\"a\",\"sub\":\"b\","
                          "\"role\":\"ioc\",\"exp\":1769047200}", KEY, t), &c),
              NGX_PA_JWT_MALFORMED, "duplicate sub");
}


static void
test_garbage(void)
{
    ngx_pa_claims_t  c;
    char             t[8192], u[16384];
    char            *huge;
    size_t           n;

    PA_IS_INT(verify("", &c), NGX_PA_JWT_MALFORMED, "empty");
    PA_IS_INT(verify("garbage", &c), NGX_PA_JWT_MALFORMED, "garbage");
    PA_IS_INT(verify("a.b", &c), NGX_PA_JWT_MALFORMED, "two parts");
    PA_IS_INT(verify("..", &c), NGX_PA_JWT_MALFORMED, "empty parts");
    PA_IS_INT(verify("a.b.c.d", &c), NGX_PA_JWT_MALFORMED, "four parts");
    PA_IS_INT(verify("\xff\xfe.\x01.\x02", &c), NGX_PA_JWT_MALFORMED,
              "binary");

    make(HS256, GOOD, KEY, t);

    snprintf(u, sizeof(u), "%s.", t);
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "trailing dot");
    snprintf(u, sizeof(u), " %s", t);
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "leading space");
    snprintf(u, sizeof(u), "%s=", t);
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "padding '='");
    snprintf(u, sizeof(u), "%s==", t);
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "padding '=='");

    /* standard base64 alphabet instead of base64url */
    strcpy(u, t);
    {
        char  *s;

        for (s = u; *s; s++) {
            if (*s == '-') {
                *s = '+';
            } else if (*s == '_') {
                *s = '/';
            }
        }
    }
    if (strcmp(u, t) != 0) {
        PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "'+' '/' refused");
    } else {
        PA_OK(1, "'+' '/' refused (token has neither, skipped)");
    }

    /* padded header part */
    snprintf(u, sizeof(u), "eyJhbGciOiJIUzI1NiJ9=%s", strchr(t, '.'));
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "padded header");

    /* one base64 char too many (len % 4 == 1) */
    snprintf(u, sizeof(u), "eyJhbGciOiJIUzI1NiJ9A%s", strchr(t, '.'));
    PA_IS_INT(verify(u, &c), NGX_PA_JWT_MALFORMED, "impossible length");

    n = NGX_PA_JWT_MAX + 1;
    huge = malloc(8192);
    memset(huge, 'A', n);
    huge[n] = '\0';
    memcpy(huge, t, strlen(t));
    PA_IS_INT(ngx_pa_jwt_verify((u_char *) huge, n, (u_char *) KEY, KEYLEN,
              NOW, &c), NGX_PA_JWT_MALFORMED, "token over NGX_PA_JWT_MAX");

    /* a valid token padded with claims to just over the limit */
    {
        char  *p = malloc(4000);

        memset(p, 0, 4000);
        strcpy(p, "{\"sub\":\"an\",\"role\":\"ioc\",\"exp\":1769047200,"
               "\"pad\":\"");
        memset(p + strlen(p), 'x', 3100 - strlen(p));
        strcat(p, "\"}");

        make(HS256, p, KEY, huge);
        PA_OK(strlen(huge) > NGX_PA_JWT_MAX, "signed token of %zu bytes",
              strlen(huge));
        PA_IS_INT(verify(huge, &c), NGX_PA_JWT_MALFORMED,
                  "... refused for its size");

        p[2900] = '\0';
        strcat(p, "\"}");
        make(HS256, p, KEY, huge);
        PA_OK(strlen(huge) <= NGX_PA_JWT_MAX, "signed token of %zu bytes",
              strlen(huge));
        PA_IS_INT(verify(huge, &c), NGX_PA_JWT_OK, "... accepted");

        free(p);
    }

    free(huge);
}


int
main(void)
{
    test_valid();
    test_pa_token();
    test_sign();
    test_tamper();
    test_alg();
    test_claims();
    test_garbage();

    PA_DONE();
}
