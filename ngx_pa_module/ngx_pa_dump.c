/*
 * A hash as the payload of Redis's DUMP (ngx_pa_dump.h).  The layouts are
 * Redis's (listpack.c, rdb.c, the DUMP footer of cluster.c): a listpack
 * entry is its encoding, its data, then its own length backwards; a
 * string that reads as a 64-bit integer (digits, an optional "-", no
 * leading zero, in range) is stored as that integer in the fewest bytes,
 * as listpack stores what HSET gives it.
 */

#include <string.h>

#include "ngx_pa_dump.h"


#define NGX_PA_DUMP_TYPE_HASH_LISTPACK  16
#define NGX_PA_DUMP_RDB_VERSION         10      /* Redis 7.0's; 7.x read it */
#define NGX_PA_DUMP_LP_HEADER           6       /* total bytes, count */
#define NGX_PA_DUMP_LP_EOF              0xff
#define NGX_PA_DUMP_FOOTER              10      /* version, CRC-64 */
#define NGX_PA_DUMP_U10                 (INT64_MAX / 10)
/* Jones's 0xad93d23594c935a9 with its bits reversed (Redis's crc64.c) */
#define NGX_PA_CRC64_POLY               0x95ac9329ac4bc9b5ULL


static int ngx_pa_dump_int(const unsigned char *s, size_t len, int64_t *v);
static size_t ngx_pa_dump_int_len(int64_t v);
static size_t ngx_pa_dump_backlen_len(size_t len);
static size_t ngx_pa_dump_rdb_len_len(size_t len);



size_t
ngx_pa_dump_entry_len(const unsigned char *s, size_t len)
{
    size_t   enc;
    int64_t  v;

    if (ngx_pa_dump_int(s, len, &v)) {
        enc = ngx_pa_dump_int_len(v);

    } else if (len < 64) {
        enc = 1 + len;

    } else if (len < 4096) {
        enc = 2 + len;

    } else {
        enc = 5 + len;
    }

    return enc + ngx_pa_dump_backlen_len(enc);
}


size_t
ngx_pa_dump_len(size_t elen)
{
    size_t  lp;

    lp = NGX_PA_DUMP_LP_HEADER + elen + 1;

    return 1 + ngx_pa_dump_rdb_len_len(lp) + lp + NGX_PA_DUMP_FOOTER;
}


unsigned char *
ngx_pa_dump_head(unsigned char *p, size_t elen, size_t n)
{
    size_t  lp;

    lp = NGX_PA_DUMP_LP_HEADER + elen + 1;

    *p++ = NGX_PA_DUMP_TYPE_HASH_LISTPACK;

    /* the listpack as an RDB string: its length, big-endian */

    if (lp < 64) {
        *p++ = (unsigned char) lp;

    } else if (lp < 16384) {
        *p++ = (unsigned char) (0x40 | (lp >> 8));
        *p++ = (unsigned char) (lp & 0xff);

    } else {
        *p++ = 0x80;
        *p++ = (unsigned char) (lp >> 24);
        *p++ = (unsigned char) (lp >> 16);
        *p++ = (unsigned char) (lp >> 8);
        *p++ = (unsigned char) lp;
    }

    /* the listpack's header: total bytes, entries (65535: count them) */

    if (n > 65535) {
        n = 65535;
    }

    *p++ = (unsigned char) lp;
    *p++ = (unsigned char) (lp >> 8);
    *p++ = (unsigned char) (lp >> 16);
    *p++ = (unsigned char) (lp >> 24);
    *p++ = (unsigned char) n;
    *p++ = (unsigned char) (n >> 8);

    return p;
}


unsigned char *
ngx_pa_dump_entry(unsigned char *p, const unsigned char *s, size_t len)
{
    size_t          enc, i, w;
    int64_t         v;
    uint64_t        u;
    unsigned char  *start;

    start = p;

    if (ngx_pa_dump_int(s, len, &v)) {
        enc = ngx_pa_dump_int_len(v);
        u = (uint64_t) v;

        if (enc == 1) {
            *p++ = (unsigned char) u;               /* 0xxxxxxx */

        } else if (enc == 2) {
            u &= 0x1fff;                            /* 110xxxxx xxxxxxxx */
            *p++ = (unsigned char) (0xc0 | (u >> 8));
            *p++ = (unsigned char) (u & 0xff);

        } else {
            /* 0xf1 .. 0xf4: 16, 24, 32, 64 bits, little-endian */
            w = enc - 1;
            *p++ = (unsigned char) (w == 2 ? 0xf1 : w == 3 ? 0xf2
                                    : w == 4 ? 0xf3 : 0xf4);

            for (i = 0; i < w; i++) {
                *p++ = (unsigned char) (u >> (8 * i));
            }
        }

    } else {
        if (len < 64) {
            *p++ = (unsigned char) (0x80 | len);    /* 10xxxxxx */

        } else if (len < 4096) {
            *p++ = (unsigned char) (0xe0 | (len >> 8));
            *p++ = (unsigned char) (len & 0xff);

        } else {
            *p++ = 0xf0;
            *p++ = (unsigned char) len;
            *p++ = (unsigned char) (len >> 8);
            *p++ = (unsigned char) (len >> 16);
            *p++ = (unsigned char) (len >> 24);
        }

        if (len) {
            memcpy(p, s, len);
            p += len;
        }
    }

    /* the entry's length, read backwards: 7 bits a byte, the first byte
       written the highest, each but the first marked 128 (listpack's
       lpEncodeBacklen, its bounds too) */

    enc = p - start;

    if (enc < 128) {
        *p++ = (unsigned char) enc;

    } else if (enc < 16383) {
        *p++ = (unsigned char) (enc >> 7);
        *p++ = (unsigned char) ((enc & 127) | 128);

    } else if (enc < 2097151) {
        *p++ = (unsigned char) (enc >> 14);
        *p++ = (unsigned char) (((enc >> 7) & 127) | 128);
        *p++ = (unsigned char) ((enc & 127) | 128);

    } else if (enc < 268435455) {
        *p++ = (unsigned char) (enc >> 21);
        *p++ = (unsigned char) (((enc >> 14) & 127) | 128);
        *p++ = (unsigned char) (((enc >> 7) & 127) | 128);
        *p++ = (unsigned char) ((enc & 127) | 128);

    } else {
        *p++ = (unsigned char) (enc >> 28);
        *p++ = (unsigned char) (((enc >> 21) & 127) | 128);
        *p++ = (unsigned char) (((enc >> 14) & 127) | 128);
        *p++ = (unsigned char) (((enc >> 7) & 127) | 128);
        *p++ = (unsigned char) ((enc & 127) | 128);
    }

    return p;
}


unsigned char *
ngx_pa_dump_tail(const ngx_pa_crc64_t *c, unsigned char *start,
    unsigned char *p)
{
    uint64_t  crc;
    size_t    i;

    *p++ = NGX_PA_DUMP_LP_EOF;
    *p++ = NGX_PA_DUMP_RDB_VERSION & 0xff;
    *p++ = NGX_PA_DUMP_RDB_VERSION >> 8;

    crc = ngx_pa_crc64(c, 0, start, p - start);

    for (i = 0; i < 8; i++) {
        *p++ = (unsigned char) (crc >> (8 * i));
    }

    return p;
}


void
ngx_pa_crc64_init(ngx_pa_crc64_t *c)
{
    int       k;
    size_t    i;
    uint64_t  crc;

    for (i = 0; i < 256; i++) {
        crc = i;

        for (k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ NGX_PA_CRC64_POLY : crc >> 1;
        }

        c->t[0][i] = crc;
    }

    /* t[k][i]: the CRC of byte i followed by k zero bytes */

    for (k = 1; k < 8; k++) {
        for (i = 0; i < 256; i++) {
            c->t[k][i] = c->t[0][c->t[k - 1][i] & 0xff]
                         ^ (c->t[k - 1][i] >> 8);
        }
    }
}


uint64_t
ngx_pa_crc64(const ngx_pa_crc64_t *c, uint64_t crc, const unsigned char *p,
    size_t len)
{
    /* eight bytes a step, read little-endian whatever the host's order */

    for ( /* void */ ; len >= 8; len -= 8, p += 8) {
        crc ^= (uint64_t) p[0] | (uint64_t) p[1] << 8
               | (uint64_t) p[2] << 16 | (uint64_t) p[3] << 24
               | (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40
               | (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56;

        crc = c->t[7][crc & 0xff] ^ c->t[6][(crc >> 8) & 0xff]
              ^ c->t[5][(crc >> 16) & 0xff] ^ c->t[4][(crc >> 24) & 0xff]
              ^ c->t[3][(crc >> 32) & 0xff] ^ c->t[2][(crc >> 40) & 0xff]
              ^ c->t[1][(crc >> 48) & 0xff] ^ c->t[0][crc >> 56];
    }

    while (len--) {
        crc = c->t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }

    return crc;
}


/* listpack's lpStringToInt64: the strings it stores as integers */

static int
ngx_pa_dump_int(const unsigned char *s, size_t len, int64_t *v)
{
    size_t    i;
    uint64_t  u, lim, d;
    int       neg;

    if (len == 0 || len > 20) {
        return 0;
    }

    if (len == 1 && s[0] == '0') {
        *v = 0;
        return 1;
    }

    neg = (s[0] == '-');
    i = neg;

    if (i == len || s[i] < '1' || s[i] > '9') {
        return 0;
    }

    /* at most 2^63 for a negative, 2^63 - 1 otherwise (no division a
       digit: the worker tests every name and value) */

    lim = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    u = 0;

    for ( /* void */ ; i < len; i++) {
        d = s[i] - '0';

        if (d > 9 || u > NGX_PA_DUMP_U10
            || (u == NGX_PA_DUMP_U10 && d > lim % 10))
        {
            return 0;
        }

        u = u * 10 + d;
    }

    *v = neg ? (int64_t) (0 - u) : (int64_t) u;

    return 1;
}


static size_t
ngx_pa_dump_int_len(int64_t v)
{
    if (v >= 0 && v <= 127) {
        return 1;
    }

    if (v >= -4096 && v <= 4095) {
        return 2;
    }

    if (v >= -32768 && v <= 32767) {
        return 3;
    }

    if (v >= -8388608 && v <= 8388607) {
        return 4;
    }

    if (v >= INT32_MIN && v <= INT32_MAX) {
        return 5;
    }

    return 9;
}


static size_t
ngx_pa_dump_backlen_len(size_t len)
{
    return len < 128 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3
           : len < 268435455 ? 4 : 5;
}


static size_t
ngx_pa_dump_rdb_len_len(size_t len)
{
    return len < 64 ? 1 : len < 16384 ? 2 : 5;
}
