/*
 * Personal data at rest: AES-256-GCM with a random 96-bit nonce per value,
 * stored as "<kid>:" base64url(nonce | ciphertext | tag).  The key id in
 * clear lets a ring of keys open values sealed before a rotation; the GCM
 * tag makes any change to nonce, ciphertext or tag fail to open (and a
 * value presented under another key id fails the same way).
 *
 * Random nonces are safe for about 2^32 seals per key (NIST SP 800-38D),
 * far above what one province writes between key rotations.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_pa_b64url.h"
#include "ngx_pa_crypto.h"
#include "ngx_pa_pii.h"


#define NGX_PA_PII_NONCE_LEN  12
#define NGX_PA_PII_TAG_LEN    16
#define NGX_PA_PII_OVERHEAD   (NGX_PA_PII_NONCE_LEN + NGX_PA_PII_TAG_LEN)

/* EVP takes int lengths; personal data is a few hundred bytes anyway */
#define NGX_PA_PII_PLAIN_MAX  (INT_MAX / 2)

#define NGX_PA_PII_HASH_INFO  "ngx_pa phone hash"

#define NGX_PA_PII_SMALL      512      /* sealed in a buffer on the stack */


static int ngx_pa_pii_hex(u_char c);
static int ngx_pa_pii_kid_char(u_char c);
static const ngx_pa_pii_key_t *ngx_pa_pii_find(
    const ngx_pa_pii_keyring_t *ring, const u_char *kid, size_t len);


static int
ngx_pa_pii_hex(u_char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/* ':' separates the id from the data, so it can never be part of an id */

static int
ngx_pa_pii_kid_char(u_char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
           || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
}


/*
 * One line's key into the ring being built: a new id of A-Z a-z 0-9 . _ -
 * and 32 bytes in hex, not all zero.  NULL, or what is wrong.
 */

static const char *
ngx_pa_pii_key_add(ngx_pa_pii_keyring_t *ring, const u_char *id,
    size_t idlen, const u_char *hex, size_t hexlen)
{
    size_t             i;
    u_char             any;
    ngx_pa_pii_key_t  *k;

    if (idlen >= NGX_PA_PII_KID_MAX) {
        return "key id longer than 15 characters";
    }

    for (i = 0; i < idlen; i++) {
        if (!ngx_pa_pii_kid_char(id[i])) {
            return "key id may only hold A-Z a-z 0-9 . _ -";
        }
    }

    for (i = 0; i < ring->nkeys; i++) {
        if (strlen(ring->keys[i].id) == idlen
            && memcmp(ring->keys[i].id, id, idlen) == 0)
        {
            return "duplicate key id";
        }
    }

    if (ring->nkeys == NGX_PA_PII_MAX_KEYS) {
        return "more than 8 keys";
    }

    if (hexlen != NGX_PA_PII_KEY_LEN * 2) {
        return "the key must be 64 hex characters (32 bytes)";
    }

    k = &ring->keys[ring->nkeys];
    any = 0;

    for (i = 0; i < NGX_PA_PII_KEY_LEN; i++) {
        int  hi = ngx_pa_pii_hex(hex[2 * i]);
        int  lo = ngx_pa_pii_hex(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return "the key must be 64 hex characters (32 bytes)";
        }

        k->key[i] = (u_char) (hi << 4 | lo);
        any |= k->key[i];
    }

    if (any == 0) {
        return "all-zero key";
    }

    memcpy(k->id, id, idlen);
    k->id[idlen] = '\0';
    ring->nkeys++;

    return NULL;
}


int
ngx_pa_pii_load(ngx_pa_pii_keyring_t *ring, const u_char *buf, size_t len,
    char *err, size_t errlen)
{
    ngx_pa_pii_keyring_t   tmp;
    const u_char          *p, *end, *eol, *id, *hex;
    size_t                 idlen, hexlen, line;
    unsigned int           mac_len;
    const char            *fail;

    memset(&tmp, 0, sizeof(tmp));
    memset(ring, 0, sizeof(ngx_pa_pii_keyring_t));

    p = buf;
    end = buf + len;
    line = 0;
    fail = NULL;

    while (p < end) {
        line++;

        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
        }

        /* tokens: <id> <hex> [# comment], any blanks around them */

        while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
        }

        if (p == eol || *p == '#') {
            p = eol + (eol < end);
            continue;
        }

        id = p;
        while (p < eol && *p != ' ' && *p != '\t' && *p != '\r') {
            p++;
        }
        idlen = p - id;

        while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
        }

        hex = p;
        while (p < eol && *p != ' ' && *p != '\t' && *p != '\r') {
            p++;
        }
        hexlen = p - hex;

        while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
        }

        if (hexlen == 0 || (p < eol && *p != '#')) {
            fail = "expected \"<id> <64 hex characters>\"";
            break;
        }

        fail = ngx_pa_pii_key_add(&tmp, id, idlen, hex, hexlen);
        if (fail) {
            break;
        }

        p = eol + (eol < end);
    }

    if (fail == NULL && tmp.nkeys == 0) {
        fail = "no key";
        line = 0;
    }

    if (fail == NULL
        && HMAC(EVP_sha256(), tmp.keys[tmp.nkeys - 1].key, NGX_PA_PII_KEY_LEN,
                (const u_char *) NGX_PA_PII_HASH_INFO,
                sizeof(NGX_PA_PII_HASH_INFO) - 1, tmp.hash_key, &mac_len)
           == NULL)
    {
        fail = "HMAC-SHA256 failed";
        line = 0;
    }

    if (fail) {
        if (err && errlen) {
            if (line) {
                snprintf(err, errlen, "line %zu: %s", line, fail);
            } else {
                snprintf(err, errlen, "%s", fail);
            }
        }

        OPENSSL_cleanse(&tmp, sizeof(tmp));
        return -1;
    }

    memcpy(ring, &tmp, sizeof(tmp));
    OPENSSL_cleanse(&tmp, sizeof(tmp));

    return 0;
}


size_t
ngx_pa_pii_sealed_size(size_t len)
{
    if (len > NGX_PA_PII_PLAIN_MAX) {
        return 0;
    }

    return NGX_PA_PII_KID_MAX - 1 + 1
           + ngx_pa_b64url_len(NGX_PA_PII_OVERHEAD + len);
}


size_t
ngx_pa_pii_seal(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, u_char *out, size_t out_size)
{
    return ngx_pa_pii_seal_cr(NULL, ring, in, len, out, out_size);
}


size_t
ngx_pa_pii_seal_cr(ngx_pa_crypto_t *cr, const ngx_pa_pii_keyring_t *ring,
    const u_char *in, size_t len, u_char *out, size_t out_size)
{
    const ngx_pa_pii_key_t  *k;
    u_char                  *raw;
    size_t                   idlen, rawlen, n;
    int                      ok;
    u_char                   small[NGX_PA_PII_SMALL];

    if (ring->nkeys == 0 || len > NGX_PA_PII_PLAIN_MAX) {
        return 0;
    }

    k = &ring->keys[0];
    idlen = strlen(k->id);
    rawlen = NGX_PA_PII_OVERHEAD + len;

    if (out_size < idlen + 1 + ngx_pa_b64url_len(rawlen)) {
        return 0;
    }

    /* a name, a phone, an address: on the stack */
    raw = (rawlen <= sizeof(small)) ? small : malloc(rawlen);

    ok = raw != NULL
         && ngx_pa_crypto_random(cr, raw, NGX_PA_PII_NONCE_LEN) == 0
         && ngx_pa_crypto_gcm_seal(cr, k->key, raw, in, len,
                                   raw + NGX_PA_PII_NONCE_LEN,
                                   raw + NGX_PA_PII_NONCE_LEN + len)
            == 0;

    if (!ok) {
        if (raw != small) {
            free(raw);
        }

        return 0;
    }

    memcpy(out, k->id, idlen);
    out[idlen] = ':';
    n = idlen + 1 + ngx_pa_b64url_encode(raw, rawlen, out + idlen + 1);

    if (raw != small) {
        free(raw);
    }

    return n;
}


static const ngx_pa_pii_key_t *
ngx_pa_pii_find(const ngx_pa_pii_keyring_t *ring, const u_char *kid,
    size_t len)
{
    size_t  i;

    for (i = 0; i < ring->nkeys && i < NGX_PA_PII_MAX_KEYS; i++) {
        if (strlen(ring->keys[i].id) == len
            && memcmp(ring->keys[i].id, kid, len) == 0)
        {
            return &ring->keys[i];
        }
    }

    return NULL;
}


ssize_t
ngx_pa_pii_open(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, u_char *out, size_t out_size)
{
    const ngx_pa_pii_key_t  *k;
    const u_char            *colon, *end;
    EVP_CIPHER_CTX          *ctx;
    u_char                  *raw;
    u_char                   fin[NGX_PA_PII_TAG_LEN];
    size_t                   rawlen, ctlen;
    int                      ok, outl;

    end = in + len;

    colon = memchr(in, ':', len < NGX_PA_PII_KID_MAX ? len
                                                     : NGX_PA_PII_KID_MAX);
    if (colon == NULL) {
        return -1;
    }

    k = ngx_pa_pii_find(ring, in, colon - in);
    if (k == NULL) {
        return -1;
    }

    in = colon + 1;
    len = end - in;

    if (len < ngx_pa_b64url_len(NGX_PA_PII_OVERHEAD)
        || len > ngx_pa_b64url_len(NGX_PA_PII_OVERHEAD
                                    + NGX_PA_PII_PLAIN_MAX))
    {
        return -1;
    }

    raw = malloc(len / 4 * 3 + 3);
    if (raw == NULL) {
        return -1;
    }

    if (ngx_pa_b64url_decode(in, len, raw, &rawlen) != 0
        || rawlen < NGX_PA_PII_OVERHEAD
        || rawlen - NGX_PA_PII_OVERHEAD > out_size)
    {
        free(raw);
        return -1;
    }

    ctlen = rawlen - NGX_PA_PII_OVERHEAD;
    ctx = EVP_CIPHER_CTX_new();

    /* a zero-length update with out == NULL would be taken as AAD: skip */
    ok = ctx != NULL
         && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k->key, raw)
            == 1
         && (ctlen == 0
             || (EVP_DecryptUpdate(ctx, out, &outl,
                                   raw + NGX_PA_PII_NONCE_LEN, (int) ctlen)
                 == 1
                 && (size_t) outl == ctlen))
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, NGX_PA_PII_TAG_LEN,
                                raw + rawlen - NGX_PA_PII_TAG_LEN) == 1
         && EVP_DecryptFinal_ex(ctx, fin, &outl) == 1;

    EVP_CIPHER_CTX_free(ctx);
    free(raw);

    if (!ok) {
        /* never leave unauthenticated plaintext behind */
        if (ctlen) {
            OPENSSL_cleanse(out, ctlen);
        }
        return -1;
    }

    return (ssize_t) ctlen;
}


void
ngx_pa_pii_hash(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, char out[NGX_PA_PII_HASH_LEN + 1])
{
    ngx_pa_pii_hash_cr(NULL, ring, in, len, out);
}


void
ngx_pa_pii_hash_cr(ngx_pa_crypto_t *cr, const ngx_pa_pii_keyring_t *ring,
    const u_char *in, size_t len, char out[NGX_PA_PII_HASH_LEN + 1])
{
    static const char  hex[] = "0123456789abcdef";
    u_char             mac[NGX_PA_SHA256_LEN];
    unsigned int       i;

    out[0] = '\0';

    /* no key, no hash: an unkeyed (guessable) value must never be stored */
    if (ring->nkeys == 0
        || ngx_pa_crypto_hmac(cr, ring->hash_key, NGX_PA_PII_KEY_LEN, in, len,
                              mac)
           != 0)
    {
        return;
    }

    for (i = 0; i < NGX_PA_SHA256_LEN; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 0x0f];
    }

    out[NGX_PA_PII_HASH_LEN] = '\0';
}


int
ngx_pa_pii_part_index(const char *field)
{
    if (strcmp(field, "pii_name") == 0) {
        return NGX_PA_PII_NAME;
    }

    if (strcmp(field, "pii_phone") == 0) {
        return NGX_PA_PII_PHONE;
    }

    if (strcmp(field, "pii_email") == 0) {
        return NGX_PA_PII_EMAIL;
    }

    return -1;
}


int
ngx_pa_pii_part(const u_char *plain, size_t len, int which, size_t *start,
    size_t *part_len)
{
    size_t  i, from;
    int     n;

    if (which < 0 || which >= NGX_PA_PII_PARTS) {
        return -1;
    }

    n = 0;
    from = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && plain[i] != '\n') {
            continue;
        }

        if (n == which) {
            *start = from;
            *part_len = i - from;
            return 0;
        }

        n++;
        from = i + 1;
    }

    /* fewer parts than the format's: not an envelope this version wrote */
    return -1;
}
