/*
 * Unit tests of ngx_pa_dump.c: the payloads must be the bytes Redis's
 * DUMP gives of the same hash (the vectors below are Redis 7.0's, with
 * rdbcompression off: a hash of one field "f" set by HSET to each value),
 * its length and CRC-64 footer compared; one record byte for byte; the
 * CRC-64 of Redis's own test ("123456789"), and eight bytes a step against
 * a byte a step at every length and alignment up to 70 bytes.
 */

#include <stdlib.h>
#include <string.h>

#include "ngx_pa_dump.h"
#include "pa_unit.h"


typedef struct {
    const char  *value;         /* NULL: "x" repeated len times */
    size_t       len;
    size_t       dump_len;
    const char  *crc;           /* the payload's last 8 bytes, hex */
} vector_t;


static const vector_t  vectors[] = {
    { "0", 0, 24, "2f67ae82c245e7e8" },
    { "-0", 0, 26, "4c7b2066d8511543" },
    { "01", 0, 26, "53f992a64615e319" },
    { "1", 0, 24, "31ba081949a0e3dd" },
    { "127", 0, 24, "7d32557e9a68fc20" },
    { "128", 0, 25, "d25e44b90c9b69de" },
    { "-1", 0, 25, "42e10b600116e395" },
    { "4095", 0, 25, "4bb7e81ebaef7426" },
    { "4096", 0, 26, "c17e9a7ddf20cc4f" },
    { "-4096", 0, 25, "58b99b0186d68e2b" },
    { "-4097", 0, 26, "d65fc94048142f8c" },
    { "32767", 0, 26, "088a20d53592fae7" },
    { "32768", 0, 27, "ad042f4571d33f70" },
    { "-32768", 0, 26, "1fab73e8a2a61924" },
    { "-32769", 0, 27, "d8f174a83c22cfcc" },
    { "8388607", 0, 27, "d42e9ba3c8e43d90" },
    { "8388608", 0, 28, "10462c437fde8fb6" },
    { "-8388608", 0, 27, "a1dbc04e8515cd2c" },
    { "-8388609", 0, 28, "2e5bde7fadf9dbda" },
    { "2147483647", 0, 28, "22843174593f2986" },
    { "2147483648", 0, 32, "dd986913cd527830" },
    { "-2147483648", 0, 28, "1c99c3488b187dea" },
    { "-2147483649", 0, 32, "34fdb18642b26644" },
    { "9223372036854775807", 0, 32, "95ee3aa47986181e" },
    { "9223372036854775808", 0, 43, "90e1ea09ab7db7b4" },
    { "-9223372036854775808", 0, 32, "7c8be231f666066a" },
    { "-9223372036854775809", 0, 44, "df5b2b0bc41b070b" },
    { "+1", 0, 26, "7cebf026c091ed69" },
    { " 1", 0, 26, "5aaf71d8fdec74aa" },
    { "1.0", 0, 27, "35a14d8bf4518523" },
    { "", 0, 24, "acd69244f3f197ae" },
    { "12345678901234567890", 0, 44, "63ebf4faa6c0f89d" },
    { "-", 0, 25, "b018f771cd8b4ada" },
    { NULL, 63, 88, "845c760db208c7b6" },
    { NULL, 64, 90, "f1729d269c014f8d" },
    { NULL, 125, 151, "2e308124070f84d3" },
    { NULL, 126, 153, "118b9b6061bfc395" },
    { NULL, 4095, 4122, "0e5b5549061a2040" },
    { NULL, 4096, 4126, "cb159f7a24b639f4" },
    { NULL, 16377, 16410, "bc0c3563d92e4e34" },
    { NULL, 16378, 16412, "de1ba682969bbdb7" },
    { NULL, 16379, 16413, "c5ef436fb7e16a39" },
};


static ngx_pa_crc64_t  crc64;


/* the CRC a byte a step, with the byte table alone */
static uint64_t
crc_bytewise(uint64_t crc, const unsigned char *p, size_t len)
{
    while (len--) {
        crc = crc64.t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }

    return crc;
}


/* the payload of the hash of n pairs (names and values, NUL-free) */
static unsigned char *
dump(const unsigned char **s, const size_t *len, size_t n, size_t *out)
{
    size_t          i, elen;
    unsigned char  *buf, *p;

    elen = 0;

    for (i = 0; i < n; i++) {
        elen += ngx_pa_dump_entry_len(s[i], len[i]);
    }

    *out = ngx_pa_dump_len(elen);
    buf = malloc(*out + 1);
    if (buf == NULL) {
        return NULL;
    }

    p = ngx_pa_dump_head(buf, elen, n);

    for (i = 0; i < n; i++) {
        p = ngx_pa_dump_entry(p, s[i], len[i]);
    }

    p = ngx_pa_dump_tail(&crc64, buf, p);

    if ((size_t) (p - buf) != *out) {
        free(buf);
        return NULL;
    }

    return buf;
}


static void
hex(const unsigned char *p, size_t n, char *out)
{
    static const char  digits[] = "0123456789abcdef";

    while (n--) {
        *out++ = digits[*p >> 4];
        *out++ = digits[*p++ & 15];
    }

    *out = '\0';
}


int
main(void)
{
    size_t                i, len[10], got, off, n, bad;
    unsigned char         bytes[80];
    char                  h[17];
    unsigned char        *x, *b;
    const unsigned char  *s[10];

    static const unsigned char  record[] =
        "\x10@RR\x00\x00\x00\n\x00\x86status\x07\x89submitted\n"
        "\x8a" "created_at\x0b\xf3[p\x14k\x05\x83lat\x04\x8a" "22.3960000"
        "\x0b\x83" "doc\x04\x89{\"a\":\"b\"}\n\x81n\x02\x0c\x01\xff\n\x00#"
        "\x05\xed\xf8" "E\xe7%\xcc";
    static const char  *fields[] = {
        "status", "submitted", "created_at", "1796501595", "lat",
        "22.3960000", "doc", "{\"a\":\"b\"}", "n", "12"
    };

    ngx_pa_crc64_init(&crc64);

    PA_IS_INT(ngx_pa_crc64(&crc64, 0, (const unsigned char *) "123456789", 9),
              0xe9c6d914c4b8d9caULL, "CRC-64 of \"123456789\" as Redis's");

    for (i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (unsigned char) (i * 131 + 7);
    }

    bad = 0;

    for (off = 0; off < 8; off++) {
        for (n = 0; n <= 70; n++) {
            if (ngx_pa_crc64(&crc64, 0x1234, bytes + off, n)
                != crc_bytewise(0x1234, bytes + off, n))
            {
                bad++;
            }
        }
    }

    PA_IS_INT(bad, 0, "eight bytes a step: the CRC a byte a step gives, "
              "lengths 0-70 at 8 alignments");

    x = malloc(16379);
    if (x == NULL) {
        return 1;
    }

    memset(x, 'x', 16379);

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        s[0] = (const unsigned char *) "f";
        len[0] = 1;
        s[1] = vectors[i].value ? (const unsigned char *) vectors[i].value
                                : x;
        len[1] = vectors[i].value ? strlen(vectors[i].value)
                                  : vectors[i].len;

        b = dump(s, len, 2, &got);
        if (b == NULL) {
            PA_OK(0, "value %zu: written to its computed length", i);
            continue;
        }

        hex(b + got - 8, 8, h);

        PA_IS_INT(got, vectors[i].dump_len, "value \"%.20s\" (%zu bytes): "
                  "Redis's length", vectors[i].value ? vectors[i].value : "x..",
                  len[1]);
        PA_IS_STR(h, vectors[i].crc, "value \"%.20s\" (%zu bytes): Redis's "
                  "bytes (its CRC)", vectors[i].value ? vectors[i].value
                  : "x..", len[1]);
        free(b);
    }

    for (i = 0; i < 10; i++) {
        s[i] = (const unsigned char *) fields[i];
        len[i] = strlen(fields[i]);
    }

    b = dump(s, len, 10, &got);

    PA_OK(b != NULL && got == sizeof(record) - 1
          && memcmp(b, record, got) == 0,
          "a record of five fields: DUMP's bytes");

    free(b);
    free(x);

    PA_DONE();
}
