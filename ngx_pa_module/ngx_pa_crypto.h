/*
 * The worker's OpenSSL state: the contexts a submission would otherwise
 * make, key and free for every seal, hash and HMAC (OpenSSL 3 fetches the
 * algorithm on each one-shot call), and random bytes drawn a block at a
 * time.  One per worker process (ngx_pa_worker_t), used on its event loop
 * only, never from a thread of the pool.  Every function takes NULL as
 * well: then it does the one-shot call, as unit tests, configuration time
 * and threads need.  Pure C + OpenSSL.
 */

#ifndef NGX_PA_CRYPTO_H
#define NGX_PA_CRYPTO_H

#include <stddef.h>
#include <sys/types.h>


#define NGX_PA_SHA256_LEN   32
#define NGX_PA_GCM_KEY_LEN  32
#define NGX_PA_GCM_IV_LEN   12
#define NGX_PA_GCM_TAG_LEN  16

typedef struct ngx_pa_crypto_s  ngx_pa_crypto_t;


/* NULL when OpenSSL cannot make the contexts (then callers go one-shot) */
ngx_pa_crypto_t *ngx_pa_crypto_create(void);
void ngx_pa_crypto_free(ngx_pa_crypto_t *cr);

/* len bytes of the DRBG's output; 0, or -1 */
int ngx_pa_crypto_random(ngx_pa_crypto_t *cr, u_char *buf, size_t len);

/* SHA-256, whole or in steps (one digest in steps at a time); 0, or -1 */
int ngx_pa_crypto_sha256(ngx_pa_crypto_t *cr, const u_char *in, size_t len,
    u_char md[NGX_PA_SHA256_LEN]);
int ngx_pa_crypto_sha256_init(ngx_pa_crypto_t *cr, void **step);
int ngx_pa_crypto_sha256_update(void *step, const u_char *in, size_t len);
int ngx_pa_crypto_sha256_final(ngx_pa_crypto_t *cr, void *step,
    u_char md[NGX_PA_SHA256_LEN]);

/* HMAC-SHA256; a key is kept keyed while it is among the last used */
int ngx_pa_crypto_hmac(ngx_pa_crypto_t *cr, const u_char *key,
    size_t key_len, const u_char *in, size_t len,
    u_char md[NGX_PA_SHA256_LEN]);

/* AES-256-GCM, no AAD: out gets len bytes, tag the 16 of the tag; 0, -1 */
int ngx_pa_crypto_gcm_seal(ngx_pa_crypto_t *cr,
    const u_char key[NGX_PA_GCM_KEY_LEN], const u_char iv[NGX_PA_GCM_IV_LEN],
    const u_char *in, size_t len, u_char *out,
    u_char tag[NGX_PA_GCM_TAG_LEN]);

#endif /* NGX_PA_CRYPTO_H */
