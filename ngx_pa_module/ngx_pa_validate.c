/*
 * Field validators shared by the JSON and the multipart body paths.
 * Pure C (no nginx headers, no locale, no time zone): the same bytes give
 * the same answer on every machine.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "ngx_pa_dtoa.h"
#include "ngx_pa_validate.h"


static void ngx_pa_digits2(char *out, int v);


/* longest decimal accepted: coordinates need ~15 chars, leave room */
#define NGX_PA_DECIMAL_MAX   64

#define ngx_pa_isdigit(c)    ((c) >= '0' && (c) <= '9')
#define ngx_pa_isalpha(c)    (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')


static int ngx_pa_utf8_next(const u_char **pp, const u_char *end,
    uint32_t *cp);
static int ngx_pa_space_cp(uint32_t cp);
static int ngx_pa_email_local_char(u_char c);
static int ngx_pa_digits(const u_char *p, size_t n);
static int64_t ngx_pa_days_from_civil(int64_t y, int m, int d);
static void ngx_pa_civil_from_days(int64_t z, int64_t *y, int *m, int *d);


/*
 * Decodes one code point, rejecting every form RFC 3629 forbids: overlongs
 * (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF), anything above
 * U+10FFFF (F4 90.., F5..FF) and truncated sequences.
 */

static int
ngx_pa_utf8_next(const u_char **pp, const u_char *end, uint32_t *cp)
{
    const u_char  *p;
    u_char         c, lo, hi;
    uint32_t       v;
    size_t         n, i;

    p = *pp;
    c = *p++;

    if (c < 0x80) {
        *cp = c;
        *pp = p;
        return 0;
    }

    lo = 0x80;
    hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        v = c & 0x1f;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        v = c & 0x0f;
        if (c == 0xe0) {
            lo = 0xa0;
        } else if (c == 0xed) {
            hi = 0x9f;
        }

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        v = c & 0x07;
        if (c == 0xf0) {
            lo = 0x90;
        } else if (c == 0xf4) {
            hi = 0x8f;
        }

    } else {
        return -1;
    }

    if ((size_t) (end - p) < n) {
        return -1;
    }

    /* only the first continuation byte has a narrowed range */
    for (i = 0; i < n; i++) {
        c = p[i];
        if (c < lo || c > hi) {
            return -1;
        }
        lo = 0x80;
        hi = 0xbf;
        v = (v << 6) | (c & 0x3f);
    }

    *cp = v;
    *pp = p + n;
    return 0;
}


int
ngx_pa_utf8_check(const u_char *p, size_t len, size_t *nchars)
{
    const u_char  *end;
    uint32_t       cp;
    size_t         n;

    end = p + len;
    n = 0;

    while (p < end) {

        /* ASCII fast path: most of a Vietnamese text is still ASCII */
        if (*p < 0x80) {
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
                return -1;
            }
            p++;
            n++;
            continue;
        }

        if (ngx_pa_utf8_next(&p, end, &cp) != 0) {
            return -1;
        }

        n++;
    }

    if (nchars) {
        *nchars = n;
    }

    return 0;
}


/*
 * Unicode White_Space, plus the invisible format characters people paste
 * to get past a "must not be empty" check (zero width space, joiners,
 * word joiner, BOM).
 */

static int
ngx_pa_space_cp(uint32_t cp)
{
    switch (cp) {
    case 0x0009: case 0x000a: case 0x000b: case 0x000c: case 0x000d:
    case 0x0020: case 0x0085: case 0x00a0: case 0x1680: case 0x180e:
    case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x2060:
    case 0x3000: case 0xfeff:
        return 1;
    }

    return cp >= 0x2000 && cp <= 0x200d;
}


int
ngx_pa_text_blank(const u_char *p, size_t len)
{
    const u_char  *end;
    uint32_t       cp;

    end = p + len;

    while (p < end) {
        if (ngx_pa_utf8_next(&p, end, &cp) != 0) {
            return 0;
        }

        if (!ngx_pa_space_cp(cp)) {
            return 0;
        }
    }

    return 1;
}


/*
 * Leading digits select the form: a "+" or "84"/"0084" is the country
 * code, a single "0" the national trunk prefix.  Numbers written as
 * "+84 (0)912 ..." carry both; the trunk 0 is dropped.  Operator prefixes
 * are not checked: they change (2018 renumbering) and a valid-looking
 * number is all a form can verify anyway.
 */

int
ngx_pa_phone_normalize(const u_char *p, size_t len,
    char out[NGX_PA_PHONE_LEN])
{
    u_char   d[16];
    size_t   i, nd, nsn;
    u_char  *s;
    int      plus;

    nd = 0;
    plus = 0;

    for (i = 0; i < len; i++) {

        if (ngx_pa_isdigit(p[i])) {
            if (nd == sizeof(d)) {
                return -1;
            }
            d[nd++] = p[i];
            continue;
        }

        switch (p[i]) {

        case '+':
            if (nd || plus) {
                return -1;
            }
            plus = 1;
            break;

        case ' ': case '.': case '-': case '(': case ')':
            break;

        default:
            return -1;
        }
    }

    if (nd >= 2 && d[0] == '8' && d[1] == '4') {
        s = d + 2;

    } else if (plus) {
        return -1;

    } else if (nd >= 4 && memcmp(d, "0084", 4) == 0) {
        s = d + 4;

    } else if (nd >= 1 && d[0] == '0') {
        s = d + 1;      /* "00" + another country code fails below */

    } else {
        return -1;
    }

    nsn = nd - (s - d);

    if (s != d + 1 && nsn >= 10 && s[0] == '0') {
        s++;
        nsn--;
    }

    if ((nsn != 9 && nsn != 10) || s[0] == '0') {
        return -1;
    }

    out[0] = '+';
    out[1] = '8';
    out[2] = '4';
    memcpy(out + 3, s, nsn);
    out[3 + nsn] = '\0';

    return 0;
}


int
ngx_pa_phone_normalize_any(const u_char *p, size_t len,
    char out[NGX_PA_PHONE_LEN])
{
    size_t  i, nd, lead;
    int     plus;

    if (ngx_pa_phone_normalize(p, len, out) == 0) {
        return 0;
    }

    nd = 0;
    lead = 0;
    plus = 0;

    for (i = 0; i < len; i++) {

        if (ngx_pa_isdigit(p[i])) {

            /* "00" before the country code is the "+" of a dial string */

            if (!plus && nd + lead < 2 && p[i] == '0') {
                lead++;
                continue;
            }

            if (!plus && lead != 2) {
                return -1;
            }

            if (nd == NGX_PA_PHONE_LEN - 2) {
                return -1;
            }

            out[1 + nd++] = p[i];
            continue;
        }

        switch (p[i]) {

        case '+':
            if (nd || lead || plus) {
                return -1;
            }
            plus = 1;
            break;

        case ' ': case '.': case '-': case '(': case ')':
            break;

        default:
            return -1;
        }
    }

    if (nd < 8 || out[1] == '0') {
        return -1;
    }

    out[0] = '+';
    out[1 + nd] = '\0';

    return 0;
}


static int
ngx_pa_email_local_char(u_char c)
{
    if (ngx_pa_isalpha(c) || ngx_pa_isdigit(c)) {
        return 1;
    }

    return c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-.", c) != NULL;
}


/*
 * The dot-atom subset of RFC 5321 that real mail providers hand out:
 * no quoted local parts, no IP literals, ASCII only (IDN domains arrive
 * as punycode "xn--").
 */

int
ngx_pa_email_check(const u_char *p, size_t len)
{
    const u_char  *at, *end, *label;
    size_t         i, n, labels;

    if (len < 5 || len > 254) {
        return -1;
    }

    at = memchr(p, '@', len);
    if (at == NULL) {
        return -1;
    }

    n = at - p;
    if (n == 0 || n > 64 || p[0] == '.' || p[n - 1] == '.') {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (!ngx_pa_email_local_char(p[i])
            || (p[i] == '.' && p[i + 1] == '.'))
        {
            return -1;
        }
    }

    end = p + len;
    label = at + 1;
    labels = 0;

    for ( ;; ) {
        const u_char  *q;
        int            alpha;

        alpha = 0;

        for (q = label; q < end && *q != '.'; q++) {
            if (ngx_pa_isalpha(*q)) {
                alpha = 1;
            } else if (!ngx_pa_isdigit(*q) && *q != '-') {
                return -1;      /* also a second '@' */
            }
        }

        n = q - label;
        if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-') {
            return -1;
        }

        labels++;

        if (q == end) {
            /* top level domain: not numeric, at least 2 characters */
            return (labels >= 2 && n >= 2 && alpha) ? 0 : -1;
        }

        label = q + 1;
    }
}


/*
 * The grammar is checked here; strtod() only converts digits that are
 * already known good, and nginx never calls setlocale(), so the decimal
 * point is '.'.
 */

int
ngx_pa_parse_decimal(const u_char *p, size_t len, double *out)
{
    char    buf[NGX_PA_DECIMAL_MAX + 1];
    size_t  i;
    double  v;

    if (len == 0 || len > NGX_PA_DECIMAL_MAX) {
        return -1;
    }

    i = (p[0] == '-') ? 1 : 0;

    if (i == len || !ngx_pa_isdigit(p[i])) {
        return -1;
    }

    while (i < len && ngx_pa_isdigit(p[i])) {
        i++;
    }

    if (i < len) {
        if (p[i] != '.' || ++i == len) {
            return -1;
        }

        while (i < len && ngx_pa_isdigit(p[i])) {
            i++;
        }

        if (i < len) {
            return -1;
        }
    }

    memcpy(buf, p, len);
    buf[len] = '\0';

    v = ngx_pa_strtod(buf, NULL);
    if (!isfinite(v)) {
        return -1;
    }

    *out = v;
    return 0;
}


int
ngx_pa_latlng_check(double lat, double lng)
{
    /* written so that NaN fails every comparison */
    if (lat >= -90.0 && lat <= 90.0 && lng >= -180.0 && lng <= 180.0) {
        return 0;
    }

    return -1;
}


static int
ngx_pa_digits(const u_char *p, size_t n)
{
    int  v;

    v = 0;

    while (n--) {
        if (!ngx_pa_isdigit(*p)) {
            return -1;
        }
        v = v * 10 + (*p++ - '0');
    }

    return v;
}


/* proleptic Gregorian calendar, H. Hinnant's algorithms: no TZ, no libc */

static int64_t
ngx_pa_days_from_civil(int64_t y, int m, int d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static void
ngx_pa_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t  era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}


/*
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)".  Leap seconds (":60")
 * are refused: nothing in a field report needs them and accepting them
 * would make two strings map to one instant.
 */

int
ngx_pa_rfc3339_parse(const u_char *p, size_t len, time_t *out)
{
    static const int  mdays[] = { 31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31 };
    const u_char     *end;
    int               year, mon, day, hour, min, sec, oh, om, off;
    int64_t           t;

    if (len < 20) {
        return -1;
    }

    end = p + len;

    if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't')
        || p[13] != ':' || p[16] != ':')
    {
        return -1;
    }

    year = ngx_pa_digits(p, 4);
    mon = ngx_pa_digits(p + 5, 2);
    day = ngx_pa_digits(p + 8, 2);
    hour = ngx_pa_digits(p + 11, 2);
    min = ngx_pa_digits(p + 14, 2);
    sec = ngx_pa_digits(p + 17, 2);

    if (year < 0 || mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23
        || min < 0 || min > 59 || sec < 0 || sec > 59)
    {
        return -1;
    }

    if (day > mdays[mon - 1]
        || (mon == 2 && day == 29
            && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)))
    {
        return -1;
    }

    p += 19;

    if (*p == '.') {
        p++;
        if (p == end || !ngx_pa_isdigit(*p)) {
            return -1;
        }
        while (p < end && ngx_pa_isdigit(*p)) {
            p++;
        }
        if (p == end) {
            return -1;      /* offset is mandatory */
        }
    }

    if (*p == 'Z' || *p == 'z') {
        if (end - p != 1) {
            return -1;
        }
        off = 0;

    } else if (*p == '+' || *p == '-') {
        if (end - p != 6 || p[3] != ':') {
            return -1;
        }
        oh = ngx_pa_digits(p + 1, 2);
        om = ngx_pa_digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return -1;
        }
        off = (oh * 60 + om) * 60;
        if (*p == '-') {
            off = -off;
        }

    } else {
        return -1;
    }

    t = ngx_pa_days_from_civil(year, mon, day) * 86400
        + hour * 3600 + min * 60 + sec - off;

    if ((int64_t) (time_t) t != t) {
        return -1;
    }

    *out = (time_t) t;
    return 0;
}


int
ngx_pa_w3c_parse(const u_char *p, size_t len, int offset, int end,
    time_t *out)
{
    int     year, mon, day, oh, om;
    u_char  buf[sizeof("2026-01-22T10:00:00+07:00")];

    /* hh:mm and the offset: the seconds are 00 */

    if (len > 16 && len <= 22 && (p[10] == 'T' || p[10] == 't')
        && p[13] == ':'
        && (p[16] == 'Z' || p[16] == 'z' || p[16] == '+' || p[16] == '-'))
    {
        memcpy(buf, p, 16);
        memcpy(buf + 16, ":00", 3);
        memcpy(buf + 19, p + 16, len - 16);

        return ngx_pa_rfc3339_parse(buf, len + 3, out);
    }

    if (len != 4 && len != 7 && len != 10) {
        return ngx_pa_rfc3339_parse(p, len, out);
    }

    year = ngx_pa_digits(p, 4);
    mon = (len > 4) ? ngx_pa_digits(p + 5, 2) : 1;
    day = (len > 7) ? ngx_pa_digits(p + 8, 2) : 1;

    if (year < 0 || mon < 1 || mon > 12 || day < 1
        || (len > 4 && p[4] != '-') || (len > 7 && p[7] != '-'))
    {
        return -1;
    }

    /* the period's end: the next one's first second, less one */

    if (end) {
        if (len == 4) {
            year++;

        } else if (len == 7 && ++mon > 12) {
            mon = 1;
            year++;
        }
    }

    oh = (offset < 0 ? -offset : offset) / 3600;
    om = (offset < 0 ? -offset : offset) % 3600 / 60;

    if (year > 9999 || oh > 23
        || snprintf((char *) buf, sizeof(buf),
                    "%04d-%02d-%02dT00:00:00%c%02d:%02d", year, mon, day,
                    offset < 0 ? '-' : '+', oh, om)
           != (int) sizeof(buf) - 1
        || ngx_pa_rfc3339_parse(buf, sizeof(buf) - 1, out) != 0)
    {
        return -1;
    }

    if (end) {
        *out += (len == 10) ? 86400 - 1 : -1;
    }

    return 0;
}


/* years outside 0000..9999 cannot be written: returns 0 and "" */

size_t
ngx_pa_rfc3339_format(time_t t, int offset, int zulu,
    char out[NGX_PA_TIME_LEN])
{
    int64_t  local, days, secs, year;
    int      mon, day, n, off;
    char     sign;

    /* the printed offset has minutes only: keep the instant consistent */
    off = offset / 60 * 60;

    if (off <= -86400 || off >= 86400) {
        out[0] = '\0';
        return 0;
    }

    /* years 0000..9999 plus a day for the offset: t + off cannot overflow */
    if ((int64_t) t < -62167219200LL - 86400
        || (int64_t) t > 253402300799LL + 86400)
    {
        out[0] = '\0';
        return 0;
    }

    local = (int64_t) t + off;
    days = local / 86400;
    secs = local % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }

    ngx_pa_civil_from_days(days, &year, &mon, &day);

    if (year < 0 || year > 9999) {
        out[0] = '\0';
        return 0;
    }

    /* digit by digit: snprintf() was a tenth of the deadlines' cost */

    ngx_pa_digits2(out, (int) (year / 100));
    ngx_pa_digits2(out + 2, (int) (year % 100));
    out[4] = '-';
    ngx_pa_digits2(out + 5, mon);
    out[7] = '-';
    ngx_pa_digits2(out + 8, day);
    out[10] = 'T';
    ngx_pa_digits2(out + 11, (int) (secs / 3600));
    out[13] = ':';
    ngx_pa_digits2(out + 14, (int) (secs / 60 % 60));
    out[16] = ':';
    ngx_pa_digits2(out + 17, (int) (secs % 60));
    n = 19;

    if (off == 0 && zulu) {
        out[n++] = 'Z';
        out[n] = '\0';
        return n;
    }

    sign = off < 0 ? '-' : '+';
    if (off < 0) {
        off = -off;
    }

    out[n++] = sign;
    ngx_pa_digits2(out + n, off / 3600);
    out[n + 2] = ':';
    ngx_pa_digits2(out + n + 3, off / 60 % 60);
    n += 5;
    out[n] = '\0';

    return n;
}


/* two decimal digits of 0..99 */

static void
ngx_pa_digits2(char *out, int v)
{
    out[0] = (char) ('0' + v / 10);
    out[1] = (char) ('0' + v % 10);
}


/*
 * snprintf("%.<decimals>f") of a coordinate, without snprintf() where
 * the result is certain: the value times 10^decimals rounded to an
 * integer, unless that product lies too near a half (its own rounding
 * could flip the last digit), is too large, or is no number.
 */

int
ngx_pa_fixed_format(double d, int decimals, char *out, size_t size)
{
    int        i, n, neg;
    char       buf[32];
    double     scaled, frac;
    uint64_t   v;
    static const double  scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                     1e8, 1e9, 1e10 };

    if (decimals < 1 || decimals > 10 || !isfinite(d)) {
        return snprintf(out, size, "%.*f", decimals, d);
    }

    neg = signbit(d) != 0;
    scaled = fabs(d) * scale[decimals];

    /* below 1e13 the product is within 0.001 of the exact value */

    if (scaled >= 1e13) {
        return snprintf(out, size, "%.*f", decimals, d);
    }

    frac = scaled - floor(scaled);

    if (fabs(frac - 0.5) < 0.01) {
        return snprintf(out, size, "%.*f", decimals, d);
    }

    v = (uint64_t) floor(scaled) + (frac > 0.5);

    /* backwards: the decimals, the point, the integer part */

    n = 0;

    for (i = 0; i < decimals; i++) {
        buf[n++] = (char) ('0' + v % 10);
        v /= 10;
    }

    buf[n++] = '.';

    do {
        buf[n++] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);

    if (neg) {
        buf[n++] = '-';
    }

    if ((size_t) n >= size) {
        return snprintf(out, size, "%.*f", decimals, d);
    }

    for (i = 0; i < n; i++) {
        out[i] = buf[n - 1 - i];
    }

    out[n] = '\0';

    return n;
}


/* case-insensitive: form widgets and hand-written JSON vary */

int
ngx_pa_parse_bool(const u_char *p, size_t len)
{
    static const struct {
        const char  *s;
        size_t       len;
        int          v;
    } words[] = {
        { "true", 4, 1 }, { "false", 5, 0 }, { "1", 1, 1 }, { "0", 1, 0 },
        { "on", 2, 1 }, { "off", 3, 0 }, { "yes", 3, 1 }, { "no", 2, 0 }
    };

    size_t  i, j;
    u_char  c;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (words[i].len != len) {
            continue;
        }

        for (j = 0; j < len; j++) {
            c = p[j];
            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }
            if (c != (u_char) words[i].s[j]) {
                break;
            }
        }

        if (j == len) {
            return words[i].v;
        }
    }

    return -1;
}
