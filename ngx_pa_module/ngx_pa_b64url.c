/*
 * Unpadded, canonical base64url for JWTs (ngx_pa_jwt.c) and sealed
 * personal data (ngx_pa_pii.c).
 */

#include <stdint.h>

#include "ngx_pa_b64url.h"


static const char  ngx_pa_b64url_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "abcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_";


size_t
ngx_pa_b64url_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}


size_t
ngx_pa_b64url_encode(const u_char *in, size_t len, u_char *out)
{
    u_char  *p;

    p = out;

    while (len >= 3) {
        *p++ = ngx_pa_b64url_tab[in[0] >> 2];
        *p++ = ngx_pa_b64url_tab[((in[0] & 0x03) << 4) | (in[1] >> 4)];
        *p++ = ngx_pa_b64url_tab[((in[1] & 0x0f) << 2) | (in[2] >> 6)];
        *p++ = ngx_pa_b64url_tab[in[2] & 0x3f];
        in += 3;
        len -= 3;
    }

    if (len) {
        *p++ = ngx_pa_b64url_tab[in[0] >> 2];

        if (len == 1) {
            *p++ = ngx_pa_b64url_tab[(in[0] & 0x03) << 4];

        } else {
            *p++ = ngx_pa_b64url_tab[((in[0] & 0x03) << 4) | (in[1] >> 4)];
            *p++ = ngx_pa_b64url_tab[(in[1] & 0x0f) << 2];
        }
    }

    return p - out;
}


int
ngx_pa_b64url_decode(const u_char *in, size_t len, u_char *out,
    size_t *olen)
{
    int       d, bits;
    size_t    i, n;
    u_char    c;
    uint32_t  v;

    /* one character alone carries 6 bits: never a whole byte */

    if (len % 4 == 1) {
        return -1;
    }

    v = 0;
    bits = 0;
    n = 0;

    for (i = 0; i < len; i++) {
        c = in[i];

        if (c >= 'A' && c <= 'Z') {
            d = c - 'A';

        } else if (c >= 'a' && c <= 'z') {
            d = c - 'a' + 26;

        } else if (c >= '0' && c <= '9') {
            d = c - '0' + 52;

        } else if (c == '-') {
            d = 62;

        } else if (c == '_') {
            d = 63;

        } else {
            return -1;
        }

        v = (v << 6) | (uint32_t) d;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            out[n++] = (u_char) (v >> bits);
        }
    }

    /* the last character's unused bits: zero, or a second encoding */

    if (v & ((1u << bits) - 1)) {
        return -1;
    }

    *olen = n;

    return 0;
}
