/*
 * Doubles to and from decimal text (ngx_pa_dtoa.h).  glibc's printf()
 * and strtod() work in arbitrary precision whatever the number: a
 * submission's two coordinates cost more there than its whole JSON
 * parse.  Both here are exact in a 128-bit integer where that suffices
 * and call libc otherwise, so the text and the value never differ from
 * libc's (round to nearest, ties to even, as glibc in its default mode).
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_dtoa.h"


typedef unsigned __int128  ngx_pa_u128_t;


#define NGX_PA_DTOA_POW_MAX  22     /* 10^22: the last exact double */


static const double  ngx_pa_dtoa_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};


static int ngx_pa_dtoa_digits(uint64_t m, int e, int k, uint64_t *digits,
    uint64_t *whole);
static int ngx_pa_dtoa_text(char *buf, size_t size, int precision,
    int negative, uint64_t digits, int x);


static ngx_pa_u128_t
ngx_pa_dtoa_p10(int k)
{
    ngx_pa_u128_t  p;

    p = 1;

    while (k-- > 0) {
        p *= 10;
    }

    return p;
}


int
ngx_pa_dtoa_g(char *buf, size_t size, int precision, double d)
{
    int       e, x, k, i;
    uint64_t  bits, m, digits, whole, lo, hi;

    if (precision < 1 || precision > 17 || !isfinite(d) || d == 0) {
        return snprintf(buf, size, "%.*g", precision, d);
    }

    memcpy(&bits, &d, sizeof(bits));

    e = (int) ((bits >> 52) & 0x7ff);
    m = bits & ((1ULL << 52) - 1);

    if (e == 0) {
        return snprintf(buf, size, "%.*g", precision, d);   /* subnormal */
    }

    m |= 1ULL << 52;
    e -= 1075;                          /* |d| = m * 2^e */

    /* x: the decimal exponent, first estimated, then made exact */

    x = (int) floor(log10(fabs(d)));
    lo = (uint64_t) ngx_pa_dtoa_p10(precision - 1);
    hi = lo * 10;

    for (i = 0; i < 3; i++) {
        k = precision - 1 - x;

        if (ngx_pa_dtoa_digits(m, e, k, &digits, &whole) != 0) {
            return snprintf(buf, size, "%.*g", precision, d);
        }

        /* below lo before rounding: x too high, even if it rounds to lo */

        if (whole < lo) {
            x--;

        } else if (digits >= hi) {
            x++;                        /* estimate low, or rounded up */

        } else {
            return ngx_pa_dtoa_text(buf, size, precision, d < 0, digits, x);
        }
    }

    return snprintf(buf, size, "%.*g", precision, d);
}


/*
 * digits = m * 2^e * 10^k rounded to an integer, ties to even, whole = the
 * same truncated; only where the product is exact in 128 bits (k 0 to 22,
 * e <= 0 and > -128): else -1
 */

static int
ngx_pa_dtoa_digits(uint64_t m, int e, int k, uint64_t *digits,
    uint64_t *whole)
{
    int            s;
    ngx_pa_u128_t  n, q, rest, half;

    if (k < 0 || k > NGX_PA_DTOA_POW_MAX || e > 0 || e <= -128) {
        return -1;
    }

    n = (ngx_pa_u128_t) m * ngx_pa_dtoa_p10(k);   /* < 2^53 * 2^74 */
    s = -e;

    if (s == 0) {
        q = n;
        *whole = (q >> 63) ? UINT64_MAX : (uint64_t) q;

    } else {
        q = n >> s;
        *whole = (q >> 63) ? UINT64_MAX : (uint64_t) q;
        rest = n & ((((ngx_pa_u128_t) 1) << s) - 1);
        half = ((ngx_pa_u128_t) 1) << (s - 1);

        if (rest > half || (rest == half && (q & 1))) {
            q++;
        }
    }

    if (q >> 63) {
        return -1;
    }

    *digits = (uint64_t) q;

    return 0;
}


/* digits (precision of them) times 10^(x - precision + 1), as %g writes */

static int
ngx_pa_dtoa_text(char *buf, size_t size, int precision, int negative,
    uint64_t digits, int x)
{
    int    n, i, point;
    char   d[20] = "", out[48], *p;

    for (i = precision - 1; i >= 0; i--) {
        d[i] = (char) ('0' + digits % 10);
        digits /= 10;
    }

    n = precision;

    while (n > 1 && d[n - 1] == '0') {
        n--;                            /* %g drops trailing zeros */
    }

    p = out;

    if (negative) {
        *p++ = '-';
    }

    if (x < -4 || x >= precision) {
        *p++ = d[0];

        if (n > 1) {
            *p++ = '.';
            memcpy(p, d + 1, n - 1);
            p += n - 1;
        }

        p += sprintf(p, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);

    } else if (x < 0) {
        *p++ = '0';
        *p++ = '.';

        for (i = -1; i > x; i--) {
            *p++ = '0';
        }

        memcpy(p, d, n);
        p += n;

    } else {
        point = x + 1;                  /* digits before the point */

        for (i = 0; i < point; i++) {
            *p++ = (i < n) ? d[i] : '0';
        }

        if (n > point) {
            *p++ = '.';
            memcpy(p, d + point, n - point);
            p += n - point;
        }
    }

    *p = '\0';
    n = (int) (p - out);

    if (size > 0) {
        i = (size_t) n < size ? n : (int) size - 1;
        memcpy(buf, out, i);
        buf[i] = '\0';
    }

    return n;
}


/*
 * Clinger's fast path: up to 15 significant digits (an exact double) and
 * a power of ten up to 10^22 (exact too) make one correctly rounded
 * multiplication or division, so the same double as strtod()
 */

double
ngx_pa_strtod(const char *s, char **end)
{
    int          exp, e, esign, digits, negative;
    uint64_t     w;
    double       v;
    const char  *p;

    p = s;
    negative = (*p == '-');
    p += negative;

    w = 0;
    exp = 0;
    digits = 0;

    if (*p < '0' || *p > '9') {
        return strtod(s, end);
    }

    for ( /* void */ ; *p >= '0' && *p <= '9'; p++) {
        if (w == 0 && *p == '0') {
            continue;                   /* leading zeros count for nothing */
        }

        if (++digits > 15) {
            return strtod(s, end);
        }

        w = w * 10 + (uint64_t) (*p - '0');
    }

    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (w == 0 && *p == '0') {
                exp--;
                continue;
            }

            if (++digits > 15) {
                return strtod(s, end);
            }

            w = w * 10 + (uint64_t) (*p - '0');
            exp--;
        }
    }

    if (*p == 'e' || *p == 'E') {
        p++;
        esign = 1;

        if (*p == '-' || *p == '+') {
            esign = (*p == '-') ? -1 : 1;
            p++;
        }

        if (*p < '0' || *p > '9') {
            return strtod(s, end);
        }

        e = 0;

        for ( /* void */ ; *p >= '0' && *p <= '9'; p++) {
            if (e > 1000) {
                return strtod(s, end);
            }

            e = e * 10 + (*p - '0');
        }

        exp += esign * e;
    }

    if (end != NULL) {
        *end = (char *) p;
    }

    if (w == 0) {
        v = 0;

    } else if (exp < -NGX_PA_DTOA_POW_MAX || exp > NGX_PA_DTOA_POW_MAX) {
        return strtod(s, end);

    } else {
        v = (double) w;
        v = (exp < 0) ? v / ngx_pa_dtoa_pow10[-exp]
                      : v * ngx_pa_dtoa_pow10[exp];
    }

    return negative ? -v : v;
}
