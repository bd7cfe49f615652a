/*
 * A JSON string as jansson writes it (ngx_pa_jstr.h): UTF-8 checked by
 * jansson's rules (no overlong form, no surrogate, nothing above
 * U+10FFFF; NUL is a character), '"' and '\\' escaped, the controls below
 * 0x20 as \b \f \n \r \t or \u00XX in upper case hex, everything else
 * (DEL, '/', U+2028) as it is.
 */

#include <stdint.h>

#include "ngx_pa_jstr.h"


/*
 * What each byte asks for: 0 written as it is, 1 a two-byte escape
 * (\" \\ \b \f \n \r \t), 2 \u00XX, 4 a byte of a longer UTF-8
 * character (checked, then written as it is).  One look-up a byte: the
 * strings of a submission go through here three times.
 */

#define NGX_PA_JSTR_ESC  3

static const u_char  ngx_pa_jstr_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 1, 1, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4
};


static u_char *ngx_pa_jstr_escape(u_char *dst, u_char c);


static inline size_t
ngx_pa_jstr_char(const u_char *p, size_t left)
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
ngx_pa_jstr_utf8(const u_char *p, size_t left)
{
    return ngx_pa_jstr_char(p, left);
}


size_t
ngx_pa_jstr_len(const u_char *p, size_t len)
{
    size_t         n, out;
    const u_char  *last;

    out = len + 2;
    last = p + len;

    while (p < last) {
        switch (ngx_pa_jstr_class[*p]) {

        case 0:
            p++;
            break;

        case 1:
            out += 1;
            p++;
            break;

        case 2:
            out += 5;
            p++;
            break;

        default:
            n = ngx_pa_jstr_char(p, last - p);
            if (n == 0) {
                return (size_t) -1;
            }

            p += n;
        }
    }

    return out;
}


u_char *
ngx_pa_jstr_write(u_char *dst, const u_char *p, size_t len)
{
    u_char         c;
    const u_char  *last;

    last = p + len;
    *dst++ = '"';

    while (p < last) {
        c = *p++;

        if (ngx_pa_jstr_class[c] & NGX_PA_JSTR_ESC) {
            dst = ngx_pa_jstr_escape(dst, c);

        } else {
            *dst++ = c;                 /* UTF-8 checked by jstr_len() */
        }
    }

    *dst++ = '"';

    return dst;
}


u_char *
ngx_pa_jstr_put(u_char *dst, const u_char *p, size_t len)
{
    size_t         n;
    u_char         c;
    const u_char  *last;

    last = p + len;
    *dst++ = '"';

    while (p < last) {
        c = *p;

        switch (ngx_pa_jstr_class[c]) {

        case 0:
            *dst++ = c;
            p++;
            break;

        case 1:
        case 2:
            dst = ngx_pa_jstr_escape(dst, c);
            p++;
            break;

        default:
            n = ngx_pa_jstr_char(p, last - p);
            if (n == 0) {
                return NULL;
            }

            while (n--) {
                *dst++ = *p++;
            }
        }
    }

    *dst++ = '"';

    return dst;
}


static u_char *
ngx_pa_jstr_escape(u_char *dst, u_char c)
{
    static const char  hex[] = "0123456789ABCDEF";

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

    return dst;
}
