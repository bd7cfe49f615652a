/*
 * The text's duplicate print: runs of white space are one space, leading
 * and trailing ones none, ASCII letters lower case; then SHA-256.  Letters
 * beyond ASCII are kept as written (Vietnamese case folding is a
 * different question: "TẮC" and "tắc" are two texts here).
 *
 * But one letter has two spellings in bytes: precomposed ("ế", as most
 * keyboards write it) or a letter and combining marks ("e" + U+0302 +
 * U+0301 from macOS, "ê" + U+0301 from Unikey's "Unicode tổ hợp").  The
 * print composes a Vietnamese letter as NFC does, so one text resent
 * from another phone is the same text; zero width characters count for
 * nothing, and a no-break space is white space.
 */

#include "ngx_pa_print.h"

#include <stdint.h>
#include <string.h>
#include <openssl/sha.h>


#define NGX_PA_PRINT_MARKS  4       /* combining marks on a letter, kept */


typedef struct {
    uint16_t        cp;             /* the precomposed letter */
    char            base;           /* its ASCII letter */
    uint16_t        marks[2];       /* its combining marks, sorted; 0 */
} ngx_pa_print_letter_t;


/* the Vietnamese letters and their decomposition (NFD), by code point */

static const ngx_pa_print_letter_t  ngx_pa_print_letters[] = {
    { 0x00c0, 'A', { 0x300, 0x000 } },   /* À */
    { 0x00c1, 'A', { 0x301, 0x000 } },   /* Á */
    { 0x00c2, 'A', { 0x302, 0x000 } },   /* Â */
    { 0x00c3, 'A', { 0x303, 0x000 } },   /* Ã */
    { 0x00c8, 'E', { 0x300, 0x000 } },   /* È */
    { 0x00c9, 'E', { 0x301, 0x000 } },   /* É */
    { 0x00ca, 'E', { 0x302, 0x000 } },   /* Ê */
    { 0x00cc, 'I', { 0x300, 0x000 } },   /* Ì */
    { 0x00cd, 'I', { 0x301, 0x000 } },   /* Í */
    { 0x00ce, 'I', { 0x302, 0x000 } },   /* Î */
    { 0x00d2, 'O', { 0x300, 0x000 } },   /* Ò */
    { 0x00d3, 'O', { 0x301, 0x000 } },   /* Ó */
    { 0x00d4, 'O', { 0x302, 0x000 } },   /* Ô */
    { 0x00d5, 'O', { 0x303, 0x000 } },   /* Õ */
    { 0x00d9, 'U', { 0x300, 0x000 } },   /* Ù */
    { 0x00da, 'U', { 0x301, 0x000 } },   /* Ú */
    { 0x00db, 'U', { 0x302, 0x000 } },   /* Û */
    { 0x00dd, 'Y', { 0x301, 0x000 } },   /* Ý */
    { 0x00e0, 'a', { 0x300, 0x000 } },   /* à */
    { 0x00e1, 'a', { 0x301, 0x000 } },   /* á */
    { 0x00e2, 'a', { 0x302, 0x000 } },   /* â */
    { 0x00e3, 'a', { 0x303, 0x000 } },   /* ã */
    { 0x00e8, 'e', { 0x300, 0x000 } },   /* è */
    { 0x00e9, 'e', { 0x301, 0x000 } },   /* é */
    { 0x00ea, 'e', { 0x302, 0x000 } },   /* ê */
    { 0x00ec, 'i', { 0x300, 0x000 } },   /* ì */
    { 0x00ed, 'i', { 0x301, 0x000 } },   /* í */
    { 0x00ee, 'i', { 0x302, 0x000 } },   /* î */
    { 0x00f2, 'o', { 0x300, 0x000 } },   /* ò */
    { 0x00f3, 'o', { 0x301, 0x000 } },   /* ó */
    { 0x00f4, 'o', { 0x302, 0x000 } },   /* ô */
    { 0x00f5, 'o', { 0x303, 0x000 } },   /* õ */
    { 0x00f9, 'u', { 0x300, 0x000 } },   /* ù */
    { 0x00fa, 'u', { 0x301, 0x000 } },   /* ú */
    { 0x00fb, 'u', { 0x302, 0x000 } },   /* û */
    { 0x00fd, 'y', { 0x301, 0x000 } },   /* ý */
    { 0x0102, 'A', { 0x306, 0x000 } },   /* Ă */
    { 0x0103, 'a', { 0x306, 0x000 } },   /* ă */
    { 0x0114, 'E', { 0x306, 0x000 } },   /* Ĕ */
    { 0x0115, 'e', { 0x306, 0x000 } },   /* ĕ */
    { 0x0128, 'I', { 0x303, 0x000 } },   /* Ĩ */
    { 0x0129, 'i', { 0x303, 0x000 } },   /* ĩ */
    { 0x012c, 'I', { 0x306, 0x000 } },   /* Ĭ */
    { 0x012d, 'i', { 0x306, 0x000 } },   /* ĭ */
    { 0x014e, 'O', { 0x306, 0x000 } },   /* Ŏ */
    { 0x014f, 'o', { 0x306, 0x000 } },   /* ŏ */
    { 0x0168, 'U', { 0x303, 0x000 } },   /* Ũ */
    { 0x0169, 'u', { 0x303, 0x000 } },   /* ũ */
    { 0x016c, 'U', { 0x306, 0x000 } },   /* Ŭ */
    { 0x016d, 'u', { 0x306, 0x000 } },   /* ŭ */
    { 0x0176, 'Y', { 0x302, 0x000 } },   /* Ŷ */
    { 0x0177, 'y', { 0x302, 0x000 } },   /* ŷ */
    { 0x01a0, 'O', { 0x31b, 0x000 } },   /* Ơ */
    { 0x01a1, 'o', { 0x31b, 0x000 } },   /* ơ */
    { 0x01af, 'U', { 0x31b, 0x000 } },   /* Ư */
    { 0x01b0, 'u', { 0x31b, 0x000 } },   /* ư */
    { 0x1ea0, 'A', { 0x323, 0x000 } },   /* Ạ */
    { 0x1ea1, 'a', { 0x323, 0x000 } },   /* ạ */
    { 0x1ea2, 'A', { 0x309, 0x000 } },   /* Ả */
    { 0x1ea3, 'a', { 0x309, 0x000 } },   /* ả */
    { 0x1ea4, 'A', { 0x301, 0x302 } },   /* Ấ */
    { 0x1ea5, 'a', { 0x301, 0x302 } },   /* ấ */
    { 0x1ea6, 'A', { 0x300, 0x302 } },   /* Ầ */
    { 0x1ea7, 'a', { 0x300, 0x302 } },   /* ầ */
    { 0x1ea8, 'A', { 0x302, 0x309 } },   /* Ẩ */
    { 0x1ea9, 'a', { 0x302, 0x309 } },   /* ẩ */
    { 0x1eaa, 'A', { 0x302, 0x303 } },   /* Ẫ */
    { 0x1eab, 'a', { 0x302, 0x303 } },   /* ẫ */
    { 0x1eac, 'A', { 0x302, 0x323 } },   /* Ậ */
    { 0x1ead, 'a', { 0x302, 0x323 } },   /* ậ */
    { 0x1eae, 'A', { 0x301, 0x306 } },   /* Ắ */
    { 0x1eaf, 'a', { 0x301, 0x306 } },   /* ắ */
    { 0x1eb0, 'A', { 0x300, 0x306 } },   /* Ằ */
    { 0x1eb1, 'a', { 0x300, 0x306 } },   /* ằ */
    { 0x1eb2, 'A', { 0x306, 0x309 } },   /* Ẳ */
    { 0x1eb3, 'a', { 0x306, 0x309 } },   /* ẳ */
    { 0x1eb4, 'A', { 0x303, 0x306 } },   /* Ẵ */
    { 0x1eb5, 'a', { 0x303, 0x306 } },   /* ẵ */
    { 0x1eb6, 'A', { 0x306, 0x323 } },   /* Ặ */
    { 0x1eb7, 'a', { 0x306, 0x323 } },   /* ặ */
    { 0x1eb8, 'E', { 0x323, 0x000 } },   /* Ẹ */
    { 0x1eb9, 'e', { 0x323, 0x000 } },   /* ẹ */
    { 0x1eba, 'E', { 0x309, 0x000 } },   /* Ẻ */
    { 0x1ebb, 'e', { 0x309, 0x000 } },   /* ẻ */
    { 0x1ebc, 'E', { 0x303, 0x000 } },   /* Ẽ */
    { 0x1ebd, 'e', { 0x303, 0x000 } },   /* ẽ */
    { 0x1ebe, 'E', { 0x301, 0x302 } },   /* Ế */
    { 0x1ebf, 'e', { 0x301, 0x302 } },   /* ế */
    { 0x1ec0, 'E', { 0x300, 0x302 } },   /* Ề */
    { 0x1ec1, 'e', { 0x300, 0x302 } },   /* ề */
    { 0x1ec2, 'E', { 0x302, 0x309 } },   /* Ể */
    { 0x1ec3, 'e', { 0x302, 0x309 } },   /* ể */
    { 0x1ec4, 'E', { 0x302, 0x303 } },   /* Ễ */
    { 0x1ec5, 'e', { 0x302, 0x303 } },   /* ễ */
    { 0x1ec6, 'E', { 0x302, 0x323 } },   /* Ệ */
    { 0x1ec7, 'e', { 0x302, 0x323 } },   /* ệ */
    { 0x1ec8, 'I', { 0x309, 0x000 } },   /* Ỉ */
    { 0x1ec9, 'i', { 0x309, 0x000 } },   /* ỉ */
    { 0x1eca, 'I', { 0x323, 0x000 } },   /* Ị */
    { 0x1ecb, 'i', { 0x323, 0x000 } },   /* ị */
    { 0x1ecc, 'O', { 0x323, 0x000 } },   /* Ọ */
    { 0x1ecd, 'o', { 0x323, 0x000 } },   /* ọ */
    { 0x1ece, 'O', { 0x309, 0x000 } },   /* Ỏ */
    { 0x1ecf, 'o', { 0x309, 0x000 } },   /* ỏ */
    { 0x1ed0, 'O', { 0x301, 0x302 } },   /* Ố */
    { 0x1ed1, 'o', { 0x301, 0x302 } },   /* ố */
    { 0x1ed2, 'O', { 0x300, 0x302 } },   /* Ồ */
    { 0x1ed3, 'o', { 0x300, 0x302 } },   /* ồ */
    { 0x1ed4, 'O', { 0x302, 0x309 } },   /* Ổ */
    { 0x1ed5, 'o', { 0x302, 0x309 } },   /* ổ */
    { 0x1ed6, 'O', { 0x302, 0x303 } },   /* Ỗ */
    { 0x1ed7, 'o', { 0x302, 0x303 } },   /* ỗ */
    { 0x1ed8, 'O', { 0x302, 0x323 } },   /* Ộ */
    { 0x1ed9, 'o', { 0x302, 0x323 } },   /* ộ */
    { 0x1eda, 'O', { 0x301, 0x31b } },   /* Ớ */
    { 0x1edb, 'o', { 0x301, 0x31b } },   /* ớ */
    { 0x1edc, 'O', { 0x300, 0x31b } },   /* Ờ */
    { 0x1edd, 'o', { 0x300, 0x31b } },   /* ờ */
    { 0x1ede, 'O', { 0x309, 0x31b } },   /* Ở */
    { 0x1edf, 'o', { 0x309, 0x31b } },   /* ở */
    { 0x1ee0, 'O', { 0x303, 0x31b } },   /* Ỡ */
    { 0x1ee1, 'o', { 0x303, 0x31b } },   /* ỡ */
    { 0x1ee2, 'O', { 0x31b, 0x323 } },   /* Ợ */
    { 0x1ee3, 'o', { 0x31b, 0x323 } },   /* ợ */
    { 0x1ee4, 'U', { 0x323, 0x000 } },   /* Ụ */
    { 0x1ee5, 'u', { 0x323, 0x000 } },   /* ụ */
    { 0x1ee6, 'U', { 0x309, 0x000 } },   /* Ủ */
    { 0x1ee7, 'u', { 0x309, 0x000 } },   /* ủ */
    { 0x1ee8, 'U', { 0x301, 0x31b } },   /* Ứ */
    { 0x1ee9, 'u', { 0x301, 0x31b } },   /* ứ */
    { 0x1eea, 'U', { 0x300, 0x31b } },   /* Ừ */
    { 0x1eeb, 'u', { 0x300, 0x31b } },   /* ừ */
    { 0x1eec, 'U', { 0x309, 0x31b } },   /* Ử */
    { 0x1eed, 'u', { 0x309, 0x31b } },   /* ử */
    { 0x1eee, 'U', { 0x303, 0x31b } },   /* Ữ */
    { 0x1eef, 'u', { 0x303, 0x31b } },   /* ữ */
    { 0x1ef0, 'U', { 0x31b, 0x323 } },   /* Ự */
    { 0x1ef1, 'u', { 0x31b, 0x323 } },   /* ự */
    { 0x1ef2, 'Y', { 0x300, 0x000 } },   /* Ỳ */
    { 0x1ef3, 'y', { 0x300, 0x000 } },   /* ỳ */
    { 0x1ef4, 'Y', { 0x323, 0x000 } },   /* Ỵ */
    { 0x1ef5, 'y', { 0x323, 0x000 } },   /* ỵ */
    { 0x1ef6, 'Y', { 0x309, 0x000 } },   /* Ỷ */
    { 0x1ef7, 'y', { 0x309, 0x000 } },   /* ỷ */
    { 0x1ef8, 'Y', { 0x303, 0x000 } },   /* Ỹ */
    { 0x1ef9, 'y', { 0x303, 0x000 } },   /* ỹ */
};

#define NGX_PA_PRINT_NLETTERS                                                 \
    (sizeof(ngx_pa_print_letters) / sizeof(ngx_pa_print_letters[0]))


static int ngx_pa_print_vowel(unsigned char c);
static uint32_t ngx_pa_print_char(const unsigned char *p,
    const unsigned char *last, size_t *n);
static const ngx_pa_print_letter_t *ngx_pa_print_find(uint32_t cp);
static size_t ngx_pa_print_letter(const unsigned char *p,
    const unsigned char *last, uint32_t cp, size_t n, unsigned char **q);
static unsigned char *ngx_pa_print_copy(unsigned char *q,
    const unsigned char *p, size_t n);


void
ngx_pa_print_text(const unsigned char *text, size_t len, unsigned char *tmp,
    unsigned char *out)
{
    ngx_pa_print_text_cr(NULL, text, len, tmp, out);
}


void
ngx_pa_print_text_cr(ngx_pa_crypto_t *cr, const unsigned char *text,
    size_t len, unsigned char *tmp, unsigned char *out)
{
    int                   space;
    size_t                i, n;
    uint32_t              cp;
    unsigned char         c, *q, md[SHA256_DIGEST_LENGTH];
    const unsigned char  *p, *last;

    static const char  hex[] = "0123456789abcdef";

    q = tmp;
    space = 1;
    p = text;
    last = text + len;

    while (p < last) {
        c = *p;

        /*
         * most of a text: an ASCII character other than white space that
         * no byte beyond ASCII follows, so no combining mark can: itself,
         * in lower case (what ngx_pa_print_letter() would write), without
         * decoding it
         */

        if (c < 0x80 && c != ' ' && c != '\t' && c != '\r' && c != '\n'
            && (p + 1 == last || p[1] < 0x80 || !ngx_pa_print_vowel(c)))
        {
            if (space && q != tmp) {
                *q++ = ' ';
            }

            space = 0;
            *q++ = (c >= 'A' && c <= 'Z') ? (unsigned char) (c | 0x20) : c;
            p++;
            continue;
        }

        cp = ngx_pa_print_char(p, last, &n);

        if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n'
            || cp == 0xa0)
        {
            space = 1;
            p += n;
            continue;
        }

        if (cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0x2060
            || cp == 0xfeff)
        {
            p += n;                 /* zero width */
            continue;
        }

        if (space && q != tmp) {
            *q++ = ' ';
        }

        space = 0;

        /* never longer than what it read: tmp holds len bytes */
        p += ngx_pa_print_letter(p, last, cp, n, &q);
    }

    if (ngx_pa_crypto_sha256(cr, tmp, q - tmp, md) != 0) {
        memset(md, 0, sizeof(md));      /* after a seal worked: never */
    }

    out[0] = 'c';
    out[1] = ':';

    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 + 2 * i] = hex[md[i] >> 4];
        out[3 + 2 * i] = hex[md[i] & 15];
    }
}


/* a vowel of ASCII, the bases marks may follow */

static int
ngx_pa_print_vowel(unsigned char c)
{
    switch (c | 0x20) {     /* only 'A' to 'Z' fold onto these */
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
        return 1;
    }

    return 0;
}


/* the character at p (n bytes); a byte UTF-8 cannot start is U+FFFD */

static uint32_t
ngx_pa_print_char(const unsigned char *p, const unsigned char *last,
    size_t *n)
{
    size_t    len, i;
    uint32_t  cp;

    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }

    if ((p[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = p[0] & 0x1f;

    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = p[0] & 0x0f;

    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = p[0] & 0x07;

    } else {
        *n = 1;
        return 0xfffd;
    }

    if ((size_t) (last - p) < len) {
        *n = 1;
        return 0xfffd;
    }

    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *n = 1;
            return 0xfffd;
        }

        cp = (cp << 6) | (p[i] & 0x3f);
    }

    *n = len;

    return cp;
}


static const ngx_pa_print_letter_t *
ngx_pa_print_find(uint32_t cp)
{
    size_t  lo, hi, mid;

    lo = 0;
    hi = NGX_PA_PRINT_NLETTERS;

    while (lo < hi) {
        mid = (lo + hi) / 2;

        if (ngx_pa_print_letters[mid].cp == cp) {
            return &ngx_pa_print_letters[mid];
        }

        if (ngx_pa_print_letters[mid].cp < cp) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NULL;
}


/*
 * The character cp at p (n bytes) into *q, with the combining marks that
 * follow it when it is a Vietnamese vowel: composed into one letter when
 * they make one.  Returns the bytes read.
 */

static size_t
ngx_pa_print_letter(const unsigned char *p, const unsigned char *last,
    uint32_t cp, size_t n, unsigned char **q)
{
    char                          base;
    size_t                        used, k, i, j, nm;
    uint32_t                      m, marks[NGX_PA_PRINT_MARKS];
    const ngx_pa_print_letter_t  *l;

    nm = 0;

    if (cp < 0x80) {
        base = (char) cp;

        if (strchr("aeiouyAEIOUY", base) == NULL || base == '\0') {
            *q = ngx_pa_print_copy(*q, p, n);
            return n;
        }

    } else {
        l = ngx_pa_print_find(cp);

        if (l == NULL) {
            *q = ngx_pa_print_copy(*q, p, n);
            return n;
        }

        base = l->base;

        for (i = 0; i < 2 && l->marks[i]; i++) {
            marks[nm++] = l->marks[i];
        }
    }

    used = n;

    while (p + used < last && nm < NGX_PA_PRINT_MARKS) {
        m = ngx_pa_print_char(p + used, last, &k);

        if (m < 0x300 || m > 0x36f) {
            break;
        }

        marks[nm++] = m;
        used += k;
    }

    if (used == n) {
        *q = ngx_pa_print_copy(*q, p, n);       /* no mark followed it */
        return n;
    }

    /* the marks' order does not change the letter */

    for (i = 1; i < nm; i++) {
        m = marks[i];

        for (j = i; j > 0 && marks[j - 1] > m; j--) {
            marks[j] = marks[j - 1];
        }

        marks[j] = m;
    }

    for (i = 0; nm <= 2 && i < NGX_PA_PRINT_NLETTERS; i++) {
        l = &ngx_pa_print_letters[i];

        if (l->base == base && l->marks[0] == marks[0]
            && l->marks[1] == (nm == 2 ? marks[1] : 0))
        {
            cp = l->cp;

            if (cp < 0x800) {
                *(*q)++ = (unsigned char) (0xc0 | (cp >> 6));

            } else {
                *(*q)++ = (unsigned char) (0xe0 | (cp >> 12));
                *(*q)++ = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
            }

            *(*q)++ = (unsigned char) (0x80 | (cp & 0x3f));

            return used;
        }
    }

    /* no Vietnamese letter: as it was written */

    *q = ngx_pa_print_copy(*q, p, used);

    return used;
}


/* n bytes as written, an ASCII capital in lower case */

static unsigned char *
ngx_pa_print_copy(unsigned char *q, const unsigned char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        *q++ = (p[i] >= 'A' && p[i] <= 'Z') ? (unsigned char) (p[i] | 0x20)
                                            : p[i];
    }

    return q;
}


void
ngx_pa_print_field(const unsigned char *phone, const unsigned char *print,
    unsigned char *out)
{
    memcpy(out, phone, NGX_PA_DUP_CUT);
    out[NGX_PA_DUP_CUT] = ':';
    memcpy(out + NGX_PA_DUP_CUT + 1, print, 2 + NGX_PA_DUP_CUT);
}
