/*
 * Unit tests of the worker's OpenSSL state (ngx_pa_crypto.c): every
 * function gives what OpenSSL's one-shot call gives, with the contexts
 * kept and reused and keys changing, and a worker's random bytes are
 * never handed out twice.
 */

#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_pa_crypto.h"
#include "ngx_pa_pii.h"
#include "pa_unit.h"


#define HEX_A  "kA 000102030405060708090a0b0c0d0e0f" \
               "101112131415161718191a1b1c1d1e1f\n"
#define HEX_B  "kB F0E1D2C3B4A5968778695A4B3C2D1E0F" \
               "0123456789ABCDEFFEDCBA9876543210\n"


static void
test_sha256(ngx_pa_crypto_t *cr)
{
    int            i, same;
    void          *step;
    u_char         in[1000], want[32], got[32], none[32];
    unsigned int   n;

    for (i = 0; i < (int) sizeof(in); i++) {
        in[i] = (u_char) (i * 7 + 3);
    }

    same = 1;

    for (i = 0; i <= (int) sizeof(in); i += 97) {
        EVP_Digest(in, i, want, &n, EVP_sha256(), NULL);

        if (ngx_pa_crypto_sha256(cr, in, i, got) != 0
            || memcmp(got, want, 32) != 0
            || ngx_pa_crypto_sha256(NULL, in, i, none) != 0
            || memcmp(none, want, 32) != 0)
        {
            same = 0;
        }
    }

    PA_OK(same, "SHA-256 of 0..970 bytes: as EVP_Digest, kept and one-shot");

    /* in steps, a whole digest between them (its own context) */

    EVP_Digest(in, sizeof(in), want, &n, EVP_sha256(), NULL);

    PA_IS_INT(ngx_pa_crypto_sha256_init(cr, &step), 0, "steps: init");
    ngx_pa_crypto_sha256_update(step, in, 10);
    ngx_pa_crypto_sha256(cr, in, 500, none);
    ngx_pa_crypto_sha256_update(step, in + 10, sizeof(in) - 10);
    PA_IS_INT(ngx_pa_crypto_sha256_final(cr, step, got), 0, "steps: final");
    PA_OK(memcmp(got, want, 32) == 0,
          "in steps, with a whole digest between: the same digest");

    PA_IS_INT(ngx_pa_crypto_sha256_init(NULL, &step), 0, "one-shot steps");
    ngx_pa_crypto_sha256_update(step, in, 999);
    ngx_pa_crypto_sha256_update(step, in + 999, 1);
    PA_IS_INT(ngx_pa_crypto_sha256_final(NULL, step, got), 0,
              "one-shot steps: final frees");
    PA_OK(memcmp(got, want, 32) == 0, "one-shot steps: the same digest");
}


static void
test_hmac(ngx_pa_crypto_t *cr)
{
    int            i, k, same;
    u_char         keys[6][40], want[32], got[32];
    unsigned int   n;
    const u_char  *msg = (const u_char *) "pa-report-token\nlc\nabc\n260101-X";

    for (k = 0; k < 6; k++) {
        for (i = 0; i < 40; i++) {
            keys[k][i] = (u_char) (k * 31 + i);
        }
    }

    /* more keys than are kept, in turns, and lengths 1..40 */

    same = 1;

    for (i = 0; i < 60; i++) {
        k = (i * 5) % 6;

        HMAC(EVP_sha256(), keys[k], 1 + (k * 7) % 40, msg, 30 + i % 3, want,
             &n);

        if (ngx_pa_crypto_hmac(cr, keys[k], 1 + (k * 7) % 40, msg,
                               30 + i % 3, got)
            != 0
            || memcmp(got, want, 32) != 0)
        {
            same = 0;
        }
    }

    PA_OK(same, "HMAC-SHA256 with 6 keys in turns: as HMAC()");

    HMAC(EVP_sha256(), keys[0], 32, msg, 0, want, &n);
    PA_OK(ngx_pa_crypto_hmac(cr, keys[0], 32, msg, 0, got) == 0
          && memcmp(got, want, 32) == 0, "HMAC of nothing");

    /* a key longer than those kept: one-shot, the same */

    {
        u_char  big[200];

        memset(big, 0x5a, sizeof(big));
        HMAC(EVP_sha256(), big, sizeof(big), msg, 10, want, &n);
        PA_OK(ngx_pa_crypto_hmac(cr, big, sizeof(big), msg, 10, got) == 0
              && memcmp(got, want, 32) == 0, "a 200-byte key");
    }
}


static void
test_seal(ngx_pa_crypto_t *cr)
{
    int                    i, opened, distinct;
    char                   h1[NGX_PA_PII_HASH_LEN + 1];
    char                   h2[NGX_PA_PII_HASH_LEN + 1];
    size_t                 n[3];
    u_char                 s[3][200], plain[100];
    ngx_pa_pii_keyring_t   a, b;
    const char            *phone = "+84912345678";

    PA_IS_INT(ngx_pa_pii_load(&a, (u_char *) HEX_A, sizeof(HEX_A) - 1,
                              NULL, 0), 0, "ring A");
    PA_IS_INT(ngx_pa_pii_load(&b, (u_char *) HEX_B HEX_A,
                              sizeof(HEX_B HEX_A) - 1, NULL, 0), 0,
              "ring B (B seals, A opens)");

    /* sealed with the kept context under A, then B, then A again */

    opened = 1;

    for (i = 0; i < 9; i++) {
        ngx_pa_pii_keyring_t  *ring = (i % 3 == 1) ? &b : &a;
        ssize_t                m;
        size_t                 len = (size_t) (i * 11) % 40;

        n[0] = ngx_pa_pii_seal_cr(cr, ring, (u_char *) "Nguyen Van An, "
                                  "12 Tran Hung Dao, Lai Chau", len, s[0],
                                  sizeof(s[0]));
        m = ngx_pa_pii_open(&b, s[0], n[0], plain, sizeof(plain));

        if (n[0] == 0 || m != (ssize_t) len
            || memcmp(plain, "Nguyen Van An, 12 Tran Hung Dao, Lai Chau",
                      len) != 0)
        {
            opened = 0;
        }
    }

    PA_OK(opened, "sealed with kept contexts, keys changing: opens");

    for (i = 0; i < 3; i++) {
        n[i] = ngx_pa_pii_seal_cr(cr, &a, (u_char *) phone, 12, s[i],
                                  sizeof(s[i]));
    }

    distinct = n[0] == n[1] && n[1] == n[2]
               && memcmp(s[0], s[1], n[0]) != 0
               && memcmp(s[1], s[2], n[0]) != 0
               && memcmp(s[0], s[2], n[0]) != 0;

    PA_OK(distinct, "the same phone sealed three times: three nonces");

    ngx_pa_pii_hash(&a, (u_char *) phone, 12, h1);
    ngx_pa_pii_hash_cr(cr, &a, (u_char *) phone, 12, h2);
    PA_IS_STR(h2, h1, "phone hash with the kept context: as one-shot");

    ngx_pa_pii_hash_cr(cr, &b, (u_char *) phone, 12, h2);
    PA_IS_STR(h2, h1, "ring B hashes with its last key (A's): the same");
}


static void
test_random(ngx_pa_crypto_t *cr)
{
    int     i, j, dup, zero, failed;
    u_char  r[200][12], big[150];

    dup = 0;
    zero = 0;
    failed = 0;

    /* 200 x 12 bytes: several blocks of 512 */

    for (i = 0; i < 200; i++) {
        failed += ngx_pa_crypto_random(cr, r[i], 12) != 0;

        for (j = 0; j < 12 && r[i][j] == 0; j++) { /* void */ }
        zero += (j == 12);

        for (j = 0; j < i; j++) {
            dup += memcmp(r[i], r[j], 12) == 0;
        }
    }

    PA_IS_INT(failed, 0, "200 draws of 12 bytes");
    PA_IS_INT(dup, 0, "200 draws of 12 bytes: none twice");
    PA_IS_INT(zero, 0, "none all zero (wiped bytes never handed out)");

    PA_IS_INT(ngx_pa_crypto_random(cr, big, sizeof(big)), 0,
              "a draw larger than a quarter block: straight from the DRBG");
}


int
main(void)
{
    ngx_pa_crypto_t  *cr;

    cr = ngx_pa_crypto_create();
    PA_OK(cr != NULL, "contexts made");

    if (cr == NULL) {
        PA_DONE();
    }

    test_sha256(cr);
    test_hmac(cr);
    test_seal(cr);
    test_random(cr);

    ngx_pa_crypto_free(cr);
    ngx_pa_crypto_free(NULL);

    PA_DONE();
}
