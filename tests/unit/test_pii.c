/*
 * Unit tests of personal data sealing (ngx_pa_pii.c): key files, AES-256-GCM
 * seal/open, key rotation, tamper detection and the keyed phone hash.
 */

#define _GNU_SOURCE  /* memmem */

#include <stdlib.h>

#include "ngx_pa_pii.h"
#include "pa_unit.h"


#define HEX_A  "000102030405060708090a0b0c0d0e0f" \
               "101112131415161718191a1b1c1d1e1f"
#define HEX_B  "F0E1D2C3B4A5968778695A4B3C2D1E0F" \
               "0123456789ABCDEFFEDCBA9876543210"

#define NAME   "Nguy\xe1\xbb\x85n V\xc4\x83n An"


/*
 * Sealed once with key A and checked with Python's cryptography AESGCM:
 * pins the stored format (nonce | ciphertext | tag, no AAD), which must
 * stay readable by every later version.
 */
#define SEALED_A  "kA:Jchb72LWwmEkIuPgZWvxrj4HwYKfxjK1tP3Zohh" \
                  "E2pUsfIz8Fxggu0kqR6E"

/* HMAC-SHA256(HMAC-SHA256(key A, "ngx_pa phone hash"), "+84912345678") */
#define HASH_A    "a25e5e2e0f6577edfdb443c82b74077e" \
                  "ded880ed3b655d1d205e2c4a88352221"


static int
load(ngx_pa_pii_keyring_t *ring, const char *file, char *err, size_t errlen)
{
    return ngx_pa_pii_load(ring, (const u_char *) file, strlen(file), err,
                           errlen);
}


static void
load_err(const char *what, const char *file, const char *want)
{
    ngx_pa_pii_keyring_t  ring;
    char                  err[128];

    strcpy(err, "(none)");
    PA_IS_INT(load(&ring, file, err, sizeof(err)), -1, "%s: refused", what);
    PA_IS_STR(err, want, "%s: error text", what);
    PA_IS_INT(ring.nkeys, 0, "%s: ring left empty", what);
}


static void
test_load(void)
{
    ngx_pa_pii_keyring_t  ring;
    char                  err[128];
    char                  nine[1024];
    int                   i;

    err[0] = '\0';
    PA_IS_INT(load(&ring, "# ngx_pa keys, first seals\r\n"
                   "\r\n"
                   "  kB\t" HEX_B "   # current\r\n"
                   "kA " HEX_A, err, sizeof(err)), 0, "key file loads");
    PA_IS_STR(err, "", "... no error");
    PA_IS_INT(ring.nkeys, 2, "two keys");
    PA_IS_STR(ring.keys[0].id, "kB", "first is kB");
    PA_IS_STR(ring.keys[1].id, "kA", "second is kA");
    PA_IS_INT(ring.keys[0].key[0], 0xf0, "upper-case hex decoded");
    PA_IS_INT(ring.keys[1].key[31], 0x1f, "last byte decoded");

    PA_IS_INT(load(&ring, "k.1_x-Y " HEX_A "\n", NULL, 0), 0,
              "id charset, err may be NULL");

    load_err("empty file", "", "no key");
    load_err("comments only", "# nothing\n\n   # here\n", "no key");
    load_err("id without key", "kA\n", "line 1: expected \"<id> <64 hex "
             "characters>\"");
    load_err("extra token", "kA " HEX_A " extra\n",
             "line 1: expected \"<id> <64 hex characters>\"");
    load_err("short key", "# c\nkA " "0001020304050607", "line 2: the key "
             "must be 64 hex characters (32 bytes)");
    load_err("long key", "kA " HEX_A "00\n", "line 1: the key "
             "must be 64 hex characters (32 bytes)");
    load_err("non-hex key", "kA 0g0102030405060708090a0b0c0d0e0f"
             "101112131415161718191a1b1c1d1e1f\n", "line 1: the key "
             "must be 64 hex characters (32 bytes)");
    load_err("id too long", "k234567890123456 " HEX_A,
             "line 1: key id longer than 15 characters");
    load_err("':' in id", "k:A " HEX_A, "line 1: key id may only hold "
             "A-Z a-z 0-9 . _ -");
    load_err("duplicate id", "kA " HEX_A "\nkB " HEX_B "\nkA " HEX_B,
             "line 3: duplicate key id");
    load_err("all-zero key", "kZ 00000000000000000000000000000000"
             "00000000000000000000000000000000", "line 1: all-zero key");

    nine[0] = '\0';
    for (i = 0; i < 9; i++) {
        snprintf(nine + strlen(nine), sizeof(nine) - strlen(nine),
                 "k%d " HEX_A "\n", i);
    }
    load_err("nine keys", nine, "line 9: more than 8 keys");

    /* a small error buffer is truncated, not overrun */
    {
        char  small[8];

        memset(small, 'X', sizeof(small));
        load(&ring, "", small, 4);
        PA_IS_STR(small, "no ", "error text truncated to errlen");
        PA_IS_INT(small[4], 'X', "... nothing written past it");
    }
}


static void
test_seal(void)
{
    ngx_pa_pii_keyring_t  ring;
    u_char                sealed[512], sealed2[512], plain[512];
    size_t                n, n2, i;
    ssize_t               m;
    int                   ok;

    load(&ring, "kA " HEX_A "\n", NULL, 0);

    n = ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), sealed,
                        sizeof(sealed));
    PA_OK(n > 0, "sealed %zu bytes", n);
    PA_OK(n <= ngx_pa_pii_sealed_size(strlen(NAME)), "within sealed_size");
    PA_OK(memcmp(sealed, "kA:", 3) == 0, "starts with the key id");
    PA_IS_INT(n - 3, (12 + 16 + 16) * 4 / 3 + 1,
              "base64url of nonce + 16 bytes + tag, no padding");

    ok = 1;
    for (i = 3; i < n; i++) {
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789-_", sealed[i]))
        {
            ok = 0;
        }
    }
    PA_OK(ok, "only base64url characters");
    PA_OK(memmem(sealed, n, "Nguy", 4) == NULL, "plaintext not visible");

    memset(plain, 'Z', sizeof(plain));
    m = ngx_pa_pii_open(&ring, sealed, n, plain, sizeof(plain));
    PA_IS_INT(m, strlen(NAME), "opens to the same length");
    PA_OK(m > 0 && memcmp(plain, NAME, m) == 0, "... and the same bytes");

    n2 = ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), sealed2,
                         sizeof(sealed2));
    PA_OK(n2 == n && memcmp(sealed, sealed2, n) != 0,
          "sealing twice gives different ciphertexts (random nonce)");

    /* exact buffer sizes */
    n2 = ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), sealed2,
                         ngx_pa_pii_sealed_size(strlen(NAME)));
    PA_IS_INT(n2, n, "out of sealed_size() bytes is enough");
    PA_IS_INT(ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), sealed2,
                              n), n, "out of exactly the length is enough");
    PA_IS_INT(ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), sealed2,
                              n - 1), 0, "one byte less: 0");
    PA_IS_INT(ngx_pa_pii_open(&ring, sealed, n, plain, strlen(NAME)),
              strlen(NAME), "open into exactly the plaintext size");
    PA_IS_INT(ngx_pa_pii_open(&ring, sealed, n, plain, strlen(NAME) - 1), -1,
              "open into one byte less: -1");

    /* empty and large values */
    n = ngx_pa_pii_seal(&ring, (u_char *) "", 0, sealed, sizeof(sealed));
    PA_OK(n > 0, "empty value sealed");
    PA_IS_INT(ngx_pa_pii_open(&ring, sealed, n, plain, 0), 0,
              "empty value opens to 0 bytes");

    {
        u_char  *big, *bs, *bp;
        size_t   len = 100000, sz;

        big = malloc(len);
        bp = malloc(len);
        for (i = 0; i < len; i++) {
            big[i] = (u_char) (i * 7);
        }
        sz = ngx_pa_pii_sealed_size(len);
        bs = malloc(sz);
        n = ngx_pa_pii_seal(&ring, big, len, bs, sz);
        PA_OK(n > 0, "100 kB value sealed");
        PA_IS_INT(ngx_pa_pii_open(&ring, bs, n, bp, len), len,
                  "100 kB value opened");
        PA_OK(memcmp(big, bp, len) == 0, "... intact");
        free(big);
        free(bp);
        free(bs);
    }

    /* the pinned value sealed by an earlier build */
    m = ngx_pa_pii_open(&ring, (u_char *) SEALED_A, sizeof(SEALED_A) - 1,
                        plain, sizeof(plain));
    PA_IS_INT(m, strlen(NAME), "pinned value opens");
    PA_OK(m > 0 && memcmp(plain, NAME, m) == 0, "... to the pinned name");

    {
        ngx_pa_pii_keyring_t  none;

        memset(&none, 0, sizeof(none));
        PA_IS_INT(ngx_pa_pii_seal(&none, (u_char *) "x", 1, sealed,
                                  sizeof(sealed)), 0, "empty ring: no seal");
    }
}


static void
test_rotation(void)
{
    ngx_pa_pii_keyring_t  a, ba, b;
    u_char                s_a[256], s_b[256], plain[256];
    size_t                na, nb;
    ssize_t               m;

    load(&a, "kA " HEX_A "\n", NULL, 0);
    load(&ba, "kB " HEX_B "\nkA " HEX_A "\n", NULL, 0);
    load(&b, "kB " HEX_B "\n", NULL, 0);

    na = ngx_pa_pii_seal(&a, (u_char *) "+84912345678", 12, s_a,
                         sizeof(s_a));
    nb = ngx_pa_pii_seal(&ba, (u_char *) "+84912345678", 12, s_b,
                         sizeof(s_b));

    PA_OK(memcmp(s_b, "kB:", 3) == 0, "after rotation new seals use kB");

    m = ngx_pa_pii_open(&ba, s_a, na, plain, sizeof(plain));
    PA_OK(m == 12 && memcmp(plain, "+84912345678", 12) == 0,
          "ring 'B then A' opens what A sealed");
    m = ngx_pa_pii_open(&ba, s_b, nb, plain, sizeof(plain));
    PA_OK(m == 12 && memcmp(plain, "+84912345678", 12) == 0,
          "... and what B sealed");

    PA_IS_INT(ngx_pa_pii_open(&a, s_b, nb, plain, sizeof(plain)), -1,
              "ring A alone cannot open kB values");
    PA_IS_INT(ngx_pa_pii_open(&b, s_a, na, plain, sizeof(plain)), -1,
              "ring B alone cannot open kA values (key retired)");
}


static void
test_tamper(void)
{
    ngx_pa_pii_keyring_t  ring;
    u_char                s[256], t[256], plain[256];
    size_t                n, i, bad;
    int                   leaked;

    load(&ring, "kB " HEX_B "\nkA " HEX_A "\n", NULL, 0);
    n = ngx_pa_pii_seal(&ring, (u_char *) NAME, strlen(NAME), s, sizeof(s));

    /* flip every bit of every character after the key id */
    bad = 0;
    leaked = 0;

    for (i = 3; i < n; i++) {
        static const char  b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
                                   "ghijklmnopqrstuvwxyz0123456789-_";
        int                v, bit;

        v = (int) (strchr(b64, s[i]) - b64);

        for (bit = 0; bit < 6; bit++) {
            memcpy(t, s, n);
            t[i] = b64[v ^ (1 << bit)];
            memset(plain, 'Z', sizeof(plain));

            if (ngx_pa_pii_open(&ring, t, n, plain, sizeof(plain)) != -1) {
                bad++;
            }
            if (memmem(plain, sizeof(plain), "Nguy", 4) != NULL) {
                leaked++;
            }
        }
    }

    PA_IS_INT(bad, 0, "every altered bit fails to open (%zu tries)",
              (n - 3) * 6);
    PA_IS_INT(leaked, 0, "no unauthenticated plaintext left in out");

    memcpy(t, s, n);
    t[1] = 'A';
    PA_IS_INT(ngx_pa_pii_open(&ring, t, n, plain, sizeof(plain)), -1,
              "relabelled to the other key: fails");
    t[1] = 'X';
    PA_IS_INT(ngx_pa_pii_open(&ring, t, n, plain, sizeof(plain)), -1,
              "unknown key id: fails");
    PA_IS_INT(ngx_pa_pii_open(&ring, s + 3, n - 3, plain, sizeof(plain)), -1,
              "no key id: fails");
    PA_IS_INT(ngx_pa_pii_open(&ring, s, n - 1, plain, sizeof(plain)), -1,
              "truncated: fails");
    PA_IS_INT(ngx_pa_pii_open(&ring, s, 20, plain, sizeof(plain)), -1,
              "shorter than nonce + tag: fails");
    memcpy(t, s, n);
    t[n] = 'A';
    PA_IS_INT(ngx_pa_pii_open(&ring, t, n + 1, plain, sizeof(plain)), -1,
              "appended character: fails");
    memcpy(t, s, n);
    t[n] = '=';
    PA_IS_INT(ngx_pa_pii_open(&ring, t, n + 1, plain, sizeof(plain)), -1,
              "padding: fails");
    PA_IS_INT(ngx_pa_pii_open(&ring, (u_char *) "", 0, plain, sizeof(plain)),
              -1, "empty: fails");
    PA_IS_INT(ngx_pa_pii_open(&ring, (u_char *) ":", 1, plain, sizeof(plain)),
              -1, "':' alone: fails");
}


static void
test_hash(void)
{
    ngx_pa_pii_keyring_t  a, a2, b, ba;
    char                  h1[NGX_PA_PII_HASH_LEN + 1];
    char                  h2[NGX_PA_PII_HASH_LEN + 1];
    size_t                i;
    int                   ok;

    load(&a, "kA " HEX_A "\n", NULL, 0);
    load(&a2, "# same key, other id\nother " HEX_A "\n", NULL, 0);
    load(&b, "kB " HEX_B "\n", NULL, 0);
    load(&ba, "kB " HEX_B "\nkA " HEX_A "\n", NULL, 0);

    ngx_pa_pii_hash(&a, (u_char *) "+84912345678", 12, h1);
    PA_IS_STR(h1, HASH_A, "known answer");

    ok = strlen(h1) == NGX_PA_PII_HASH_LEN;
    for (i = 0; i < NGX_PA_PII_HASH_LEN; i++) {
        if (!strchr("0123456789abcdef", h1[i])) {
            ok = 0;
        }
    }
    PA_OK(ok, "64 lower-case hex characters");

    ngx_pa_pii_hash(&a, (u_char *) "+84912345678", 12, h2);
    PA_IS_STR(h2, h1, "deterministic");

    ngx_pa_pii_hash(&a2, (u_char *) "+84912345678", 12, h2);
    PA_IS_STR(h2, h1, "depends on the key, not on its id");

    ngx_pa_pii_hash(&b, (u_char *) "+84912345678", 12, h2);
    PA_OK(strcmp(h1, h2) != 0, "differs with another key");

    /* "kB" was prepended to "kA": a rotation must not move phone hashes */
    ngx_pa_pii_hash(&a, (u_char *) "+84912345678", 12, h2);
    ngx_pa_pii_hash(&ba, (u_char *) "+84912345678", 12, h1);
    PA_IS_STR(h1, h2, "derived from the last key: stable across rotation");

    ngx_pa_pii_hash(&a, (u_char *) "+84912345679", 12, h2);
    ngx_pa_pii_hash(&a, (u_char *) "+84912345678", 12, h1);
    PA_OK(strcmp(h1, h2) != 0, "differs per phone");

    {
        ngx_pa_pii_keyring_t  none;

        memset(&none, 0, sizeof(none));
        strcpy(h1, "x");
        ngx_pa_pii_hash(&none, (u_char *) "+84912345678", 12, h1);
        PA_IS_STR(h1, "", "no key: empty hash, never an unkeyed one");
    }
}


/* the contact envelope's parts: name, phone, e-mail, any of them empty */

static void
test_parts(void)
{
    size_t       start, len;
    const char  *env = "Nguy\xe1\xbb\x85n V\xc4\x83n A\n+84912345678\n";

    PA_IS_INT(ngx_pa_pii_part_index("pii_name"), NGX_PA_PII_NAME, "name");
    PA_IS_INT(ngx_pa_pii_part_index("pii_email"), NGX_PA_PII_EMAIL, "email");
    PA_IS_INT(ngx_pa_pii_part_index("pii"), -1, "not a part");

    PA_IS_INT(ngx_pa_pii_part((u_char *) env, strlen(env), NGX_PA_PII_PHONE,
                          &start, &len), 0, "phone found");
    PA_OK(len == 12 && memcmp(env + start, "+84912345678", 12) == 0,
          "the phone, whole");

    PA_IS_INT(ngx_pa_pii_part((u_char *) env, strlen(env), NGX_PA_PII_NAME,
                          &start, &len), 0, "name found");
    PA_OK(start == 0 && len == strlen("Nguy\xe1\xbb\x85n V\xc4\x83n A"),
          "the name, up to its separator");

    PA_IS_INT(ngx_pa_pii_part((u_char *) env, strlen(env), NGX_PA_PII_EMAIL,
                          &start, &len), 0, "email: the last part");
    PA_IS_INT((int) len, 0, "not given: empty");

    PA_IS_INT(ngx_pa_pii_part((u_char *) "\n", 1, NGX_PA_PII_EMAIL, &start,
                          &len), -1, "two parts only: not an envelope");
    PA_IS_INT(ngx_pa_pii_part((u_char *) "a\nb\nc", 5, 3, &start, &len), -1,
          "no fourth part");
}


int
main(void)
{
    test_load();
    test_seal();
    test_rotation();
    test_tamper();
    test_hash();
    test_parts();

    PA_DONE();
}
