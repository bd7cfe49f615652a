/*
 * Personal data at rest: reporter name, phone and e-mail are sealed with
 * AES-256-GCM; the key id travels with the ciphertext so keys can rotate
 * (old ciphertexts stay readable while their key is still configured).
 * Phones are also kept as a keyed hash (HMAC-SHA256) for duplicate checks,
 * rate limits and locks without decrypting anything.  Pure C + OpenSSL.
 */

#ifndef NGX_PA_PII_H
#define NGX_PA_PII_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ngx_pa_crypto.h"


#define NGX_PA_PII_KEY_LEN    32
#define NGX_PA_PII_MAX_KEYS   8
#define NGX_PA_PII_KID_MAX    16
#define NGX_PA_PII_HASH_LEN   64       /* hex HMAC-SHA256 */

typedef struct {
    char       id[NGX_PA_PII_KID_MAX];
    u_char     key[NGX_PA_PII_KEY_LEN];
} ngx_pa_pii_key_t;

typedef struct {
    ngx_pa_pii_key_t  keys[NGX_PA_PII_MAX_KEYS];
    size_t            nkeys;          /* keys[0] seals; all of them open */
    u_char            hash_key[NGX_PA_PII_KEY_LEN];   /* derived */
} ngx_pa_pii_keyring_t;

/*
 * Key file: one key a line, "<id> <64 hex chars>", the first line is the
 * current key; '#' comments.  Rotation adds a new first line and keeps the
 * old ones (they still open what they sealed).  The phone hash key is
 * derived from the LAST line, HMAC-SHA256(key, "ngx_pa phone hash"), so a
 * rotation never changes phone hashes (duplicates, limits and locks hold);
 * never remove the last line.  0 or -1 with err set.
 */
int ngx_pa_pii_load(ngx_pa_pii_keyring_t *ring, const u_char *buf,
    size_t len, char *err, size_t errlen);

/* bytes that ngx_pa_pii_seal() writes at the most for len plaintext bytes */
size_t ngx_pa_pii_sealed_size(size_t len);

/*
 * Seals: out = "<kid>:" base64url(nonce(12) | ciphertext | tag(16)).
 * Returns the length written (no NUL) or 0 on failure.
 */
size_t ngx_pa_pii_seal(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, u_char *out, size_t out_size);

/* the same with the worker's contexts (NULL: one-shot, as seal() does) */
size_t ngx_pa_pii_seal_cr(ngx_pa_crypto_t *cr,
    const ngx_pa_pii_keyring_t *ring, const u_char *in, size_t len,
    u_char *out, size_t out_size);

/* Opens what seal wrote; returns plaintext length or -1 (unknown key, tag) */
/*
 * The reporter's contact sealed as one value (one nonce, one tag): the
 * plaintext is "<name>\n<phone>\n<email>", a part empty when not given
 * (none of them may hold a control character).  Stored as "pii"; records
 * of earlier versions hold "pii_name", "pii_phone", "pii_email" instead.
 */
#define NGX_PA_PII_NAME       0
#define NGX_PA_PII_PHONE      1
#define NGX_PA_PII_EMAIL      2
#define NGX_PA_PII_PARTS      3

/* which part "pii_<what>" names, or -1 */
int ngx_pa_pii_part_index(const char *field);
/* the part of an opened envelope: 0 (len 0: not given), or -1 malformed */
int ngx_pa_pii_part(const u_char *plain, size_t len, int which,
    size_t *start, size_t *part_len);

ssize_t ngx_pa_pii_open(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, u_char *out, size_t out_size);

/* hex HMAC-SHA256 of a normalised phone, NUL terminated */
void ngx_pa_pii_hash(const ngx_pa_pii_keyring_t *ring, const u_char *in,
    size_t len, char out[NGX_PA_PII_HASH_LEN + 1]);
void ngx_pa_pii_hash_cr(ngx_pa_crypto_t *cr, const ngx_pa_pii_keyring_t *ring,
    const u_char *in, size_t len, char out[NGX_PA_PII_HASH_LEN + 1]);

#endif /* NGX_PA_PII_H */
