/*
 * A JSON string as jansson writes it (ngx_pa_jstr.h): UTF-8 checked by
 * jansson's rules (no overlong form, no surrogate, nothing above
 * U+10FFFF; NUL is a character), '"' and '\\' escaped, the controls below
 * 0x20 as \b \f \n \r \t or \u00XX in upper case hex, everything else
 * (DEL, '/', U+2028) as it is.
 */

#include <stdint.h>

#include "ngx_pa_jstr.h"


size_t
ngx_pa_jstr_utf8(const u_char *p, size_t left)
{
    size_t    n, i;
    uint32_t  cp;

    if (p[0] < 0x80) {
        return 1;
    }

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1f;

    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0f;

    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07;

    } else {
        return 0;
    }

    if (n > left) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }

        cp = (cp << 6) | (p[i] & 0x3f);
    }

    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
        || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
    {
        return 0;
    }

    return n;
}


size_t
ngx_pa_jstr_len(const u_char *p, size_t len)
{
    size_t         n, out;
    const u_char  *last;

    out = 2;
    last = p + len;

    while (p < last) {
        if (*p >= 0x20 && *p < 0x80) {
            out += (*p == '"' || *p == '\\') ? 2 : 1;
            p++;
            continue;
        }

        if (*p < 0x20) {
            out += (*p == '\b' || *p == '\f' || *p == '\n' || *p == '\r'
                    || *p == '\t')
                   ? 2 : 6;
            p++;
            continue;
        }

        n = ngx_pa_jstr_utf8(p, last - p);
        if (n == 0) {
            return (size_t) -1;
        }

        out += n;
        p += n;
    }

    return out;
}


u_char *
ngx_pa_jstr_write(u_char *dst, const u_char *p, size_t len)
{
    u_char         c;
    const u_char  *last;

    static const char  hex[] = "0123456789ABCDEF";

    last = p + len;
    *dst++ = '"';

    while (p < last) {
        c = *p++;

        if (c >= 0x20 && c != '"' && c != '\\') {
            *dst++ = c;                 /* UTF-8 checked by jstr_len() */
            continue;
        }

        *dst++ = '\\';

        switch (c) {
        case '"':
        case '\\':
            *dst++ = c;
            break;
        case '\b':
            *dst++ = 'b';
            break;
        case '\f':
            *dst++ = 'f';
            break;
        case '\n':
            *dst++ = 'n';
            break;
        case '\r':
            *dst++ = 'r';
            break;
        case '\t':
            *dst++ = 't';
            break;
        default:
            *dst++ = 'u';
            *dst++ = '0';
            *dst++ = '0';
            *dst++ = hex[c >> 4];
            *dst++ = hex[c & 0x0f];
        }
    }

    *dst++ = '"';

    return dst;
}
