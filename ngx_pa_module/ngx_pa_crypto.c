/*
 * The worker's OpenSSL state (ngx_pa_crypto.h).  Measured on the submit
 * (bench/submit-cost.md, "The worker's CPU per submit"): a one-shot
 * SHA256() or HMAC() fetches its digest from the provider each time, an
 * AES-GCM seal with a new context expands the key each time, and every
 * RAND_bytes() takes the DRBG's lock and asks getpid(); together about a
 * fifth of the worker's CPU per submit.  Here the digest and the cipher
 * are fetched once, contexts are reset rather than made, a key stays
 * keyed, and random bytes come from a block drawn at once.
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ngx_pa_crypto.h"


#define NGX_PA_CRYPTO_RANDOM   512     /* bytes drawn at once */
#define NGX_PA_CRYPTO_MACS     4       /* keys kept keyed */
#define NGX_PA_CRYPTO_KEY_MAX  128     /* longer keys: one-shot */


typedef struct {
    EVP_MAC_CTX   *ctx;
    size_t         key_len;            /* 0: a free slot */
    u_char         key[NGX_PA_CRYPTO_KEY_MAX];
} ngx_pa_crypto_mac_t;


struct ngx_pa_crypto_s {
    EVP_MD              *sha256;
    EVP_MD_CTX          *md;           /* a whole digest */
    EVP_MD_CTX          *step;         /* a digest in steps */
    EVP_MAC             *hmac;
    ngx_pa_crypto_mac_t  macs[NGX_PA_CRYPTO_MACS];
    size_t               mac_next;     /* the slot a new key takes */
    EVP_CIPHER          *gcm;
    EVP_CIPHER_CTX      *seal;
    int                  seal_keyed;
    u_char               seal_key[NGX_PA_GCM_KEY_LEN];
    size_t               random_left;  /* unused bytes at random's start */
    u_char               random[NGX_PA_CRYPTO_RANDOM];
};


static EVP_MAC_CTX *ngx_pa_crypto_mac(ngx_pa_crypto_t *cr, const u_char *key,
    size_t key_len);


ngx_pa_crypto_t *
ngx_pa_crypto_create(void)
{
    ngx_pa_crypto_t  *cr;

    cr = calloc(1, sizeof(ngx_pa_crypto_t));
    if (cr == NULL) {
        return NULL;
    }

    cr->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    cr->md = EVP_MD_CTX_new();
    cr->step = EVP_MD_CTX_new();
    cr->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    cr->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    cr->seal = EVP_CIPHER_CTX_new();

    if (cr->sha256 == NULL || cr->md == NULL || cr->step == NULL
        || cr->hmac == NULL || cr->gcm == NULL || cr->seal == NULL)
    {
        ngx_pa_crypto_free(cr);
        return NULL;
    }

    return cr;
}


void
ngx_pa_crypto_free(ngx_pa_crypto_t *cr)
{
    size_t  i;

    if (cr == NULL) {
        return;
    }

    for (i = 0; i < NGX_PA_CRYPTO_MACS; i++) {
        EVP_MAC_CTX_free(cr->macs[i].ctx);
    }

    EVP_CIPHER_CTX_free(cr->seal);
    EVP_CIPHER_free(cr->gcm);
    EVP_MAC_free(cr->hmac);
    EVP_MD_CTX_free(cr->step);
    EVP_MD_CTX_free(cr->md);
    EVP_MD_free(cr->sha256);

    /* keys and random bytes not handed out yet */
    OPENSSL_cleanse(cr, sizeof(ngx_pa_crypto_t));
    free(cr);
}


/*
 * The block is drawn in the worker, after the fork: no two workers share
 * bytes.  Bytes handed out are wiped from it.
 */

int
ngx_pa_crypto_random(ngx_pa_crypto_t *cr, u_char *buf, size_t len)
{
    u_char  *p;

    if (cr == NULL || len > NGX_PA_CRYPTO_RANDOM / 4) {
        return RAND_bytes(buf, (int) len) == 1 ? 0 : -1;
    }

    if (cr->random_left < len) {
        if (RAND_bytes(cr->random, NGX_PA_CRYPTO_RANDOM) != 1) {
            cr->random_left = 0;
            return -1;
        }

        cr->random_left = NGX_PA_CRYPTO_RANDOM;
    }

    cr->random_left -= len;
    p = cr->random + cr->random_left;

    memcpy(buf, p, len);
    OPENSSL_cleanse(p, len);

    return 0;
}


int
ngx_pa_crypto_sha256(ngx_pa_crypto_t *cr, const u_char *in, size_t len,
    u_char md[NGX_PA_SHA256_LEN])
{
    unsigned int  n;

    if (cr == NULL) {
        return EVP_Digest(in, len, md, &n, EVP_sha256(), NULL) == 1 ? 0 : -1;
    }

    return (EVP_DigestInit_ex2(cr->md, cr->sha256, NULL) == 1
            && EVP_DigestUpdate(cr->md, in, len) == 1
            && EVP_DigestFinal_ex(cr->md, md, &n) == 1)
           ? 0 : -1;
}


/* final() ends every init(), even after a failed update() */

int
ngx_pa_crypto_sha256_init(ngx_pa_crypto_t *cr, void **step)
{
    EVP_MD_CTX  *ctx;

    ctx = (cr != NULL) ? cr->step : EVP_MD_CTX_new();
    *step = ctx;

    if (ctx == NULL) {
        return -1;
    }

    return EVP_DigestInit_ex2(ctx, cr != NULL ? cr->sha256 : EVP_sha256(),
                              NULL) == 1
           ? 0 : -1;
}


int
ngx_pa_crypto_sha256_update(void *step, const u_char *in, size_t len)
{
    if (step == NULL) {
        return -1;
    }

    return EVP_DigestUpdate(step, in, len) == 1 ? 0 : -1;
}


int
ngx_pa_crypto_sha256_final(ngx_pa_crypto_t *cr, void *step,
    u_char md[NGX_PA_SHA256_LEN])
{
    int           rc;
    unsigned int  n;

    if (step == NULL) {
        return -1;
    }

    rc = EVP_DigestFinal_ex(step, md, &n) == 1 ? 0 : -1;

    if (cr == NULL) {
        EVP_MD_CTX_free(step);
    }

    return rc;
}


int
ngx_pa_crypto_hmac(ngx_pa_crypto_t *cr, const u_char *key, size_t key_len,
    const u_char *in, size_t len, u_char md[NGX_PA_SHA256_LEN])
{
    size_t        n;
    unsigned int  mdlen;
    EVP_MAC_CTX  *ctx;

    ctx = ngx_pa_crypto_mac(cr, key, key_len);

    if (ctx == NULL) {
        return HMAC(EVP_sha256(), key, (int) key_len, in, len, md, &mdlen)
               != NULL && mdlen == NGX_PA_SHA256_LEN
               ? 0 : -1;
    }

    return (EVP_MAC_update(ctx, in, len) == 1
            && EVP_MAC_final(ctx, md, &n, NGX_PA_SHA256_LEN) == 1
            && n == NGX_PA_SHA256_LEN)
           ? 0 : -1;
}


/*
 * The context of this key, ready for update(): a key kept is only
 * re-initialised (its padded blocks are kept), a new one takes the next
 * slot in turn.  NULL: do it one-shot.
 */

static EVP_MAC_CTX *
ngx_pa_crypto_mac(ngx_pa_crypto_t *cr, const u_char *key, size_t key_len)
{
    size_t                i;
    OSSL_PARAM            params[2];
    ngx_pa_crypto_mac_t  *m;

    if (cr == NULL || key_len == 0 || key_len > NGX_PA_CRYPTO_KEY_MAX) {
        return NULL;
    }

    for (i = 0; i < NGX_PA_CRYPTO_MACS; i++) {
        m = &cr->macs[i];

        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            return EVP_MAC_init(m->ctx, NULL, 0, NULL) == 1 ? m->ctx : NULL;
        }
    }

    m = &cr->macs[cr->mac_next];
    cr->mac_next = (cr->mac_next + 1) % NGX_PA_CRYPTO_MACS;

    m->key_len = 0;

    if (m->ctx == NULL) {
        m->ctx = EVP_MAC_CTX_new(cr->hmac);
        if (m->ctx == NULL) {
            return NULL;
        }
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (EVP_MAC_init(m->ctx, key, key_len, params) != 1) {
        return NULL;
    }

    memcpy(m->key, key, key_len);
    m->key_len = key_len;

    return m->ctx;
}


int
ngx_pa_crypto_gcm_seal(ngx_pa_crypto_t *cr,
    const u_char key[NGX_PA_GCM_KEY_LEN], const u_char iv[NGX_PA_GCM_IV_LEN],
    const u_char *in, size_t len, u_char *out,
    u_char tag[NGX_PA_GCM_TAG_LEN])
{
    int              ok, outl;
    EVP_CIPHER_CTX  *ctx;

    if (cr != NULL) {
        ctx = cr->seal;

        /* the key expanded once; then only the nonce is set again */

        if (!cr->seal_keyed
            || memcmp(cr->seal_key, key, NGX_PA_GCM_KEY_LEN) != 0)
        {
            cr->seal_keyed = 0;

            if (EVP_EncryptInit_ex2(ctx, cr->gcm, key, NULL, NULL) != 1) {
                return -1;
            }

            memcpy(cr->seal_key, key, NGX_PA_GCM_KEY_LEN);
            cr->seal_keyed = 1;
        }

        if (EVP_EncryptInit_ex2(ctx, NULL, NULL, iv, NULL) != 1) {
            return -1;
        }

    } else {
        ctx = EVP_CIPHER_CTX_new();

        if (ctx == NULL
            || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1)
        {
            EVP_CIPHER_CTX_free(ctx);
            return -1;
        }
    }

    /* a zero-length update with out == NULL would be taken as AAD: skip */

    ok = (len == 0
          || (EVP_EncryptUpdate(ctx, out, &outl, in, (int) len) == 1
              && (size_t) outl == len))
         && EVP_EncryptFinal_ex(ctx, out + len, &outl) == 1
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, NGX_PA_GCM_TAG_LEN,
                                tag) == 1;

    if (cr == NULL) {
        EVP_CIPHER_CTX_free(ctx);

    } else if (!ok) {
        cr->seal_keyed = 0;         /* keyed afresh next time */
    }

    return ok ? 0 : -1;
}
