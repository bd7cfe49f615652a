/*
 * Unit tests of the JSON string writer (ngx_pa_jstr.c): for fixed and
 * random byte strings, the same verdict on UTF-8 as jansson's
 * json_stringn() and the same bytes as its json_dumps(), written in two
 * passes (jstr_len, jstr_write) or in one (jstr_put).
 */

#include <stdlib.h>

#include <jansson.h>

#include "ngx_pa_jstr.h"
#include "pa_unit.h"


/* 1: jstr agrees with jansson on s (validity, length and bytes) */

static int
same_as_jansson(const u_char *s, size_t len)
{
    int      ok;
    char    *want;
    size_t   n;
    json_t  *j;
    u_char  *got, *end, *put = NULL;

    j = json_stringn((const char *) s, len);
    n = ngx_pa_jstr_len(s, len);

    /* the one-pass writer: the same verdict, the same bytes */

    got = malloc(NGX_PA_JSTR_MAX(len));
    end = ngx_pa_jstr_put(got, s, len);

    if ((j == NULL) != (end == NULL)
        || (end != NULL && ((size_t) (end - got) != n
                            || (size_t) (end - got) > NGX_PA_JSTR_MAX(len))))
    {
        printf("#   jstr_put disagrees on %zu bytes\n", len);
        free(got);
        json_decref(j);
        return 0;
    }

    if (end != NULL) {
        put = malloc(n);
        memcpy(put, got, n);
    }

    free(got);

    if (j == NULL) {
        return n == (size_t) -1;
    }

    want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(j);

    if (want == NULL || n == (size_t) -1) {
        free(want);
        return 0;
    }

    got = malloc(n + 1);
    end = ngx_pa_jstr_write(got, s, len);

    ok = (size_t) (end - got) == n && strlen(want) == n
         && memcmp(got, want, n) == 0 && memcmp(put, want, n) == 0;

    free(put);

    if (!ok) {
        printf("#   want %s\n#   got  %.*s\n", want, (int) (end - got), got);
    }

    free(got);
    free(want);

    return ok;
}


int
main(void)
{
    int           i, k, all;
    size_t        len;
    u_char        buf[64];
    const char   *fixed[] = {
        "", "plain", "\xe1\xbb\x94 g\xc3\xa0 l\xe1\xbb\x9bn",
        "quote \" backslash \\ slash /", "\b\f\n\r\t", "\x01\x1f\x7f",
        "\xf0\x9f\x98\x80 emoji", "\xe2\x80\xa8 line separator",
        "\xc0\x80 overlong NUL", "\xed\xa0\x80 surrogate",
        "\xf4\x90\x80\x80 above U+10FFFF", "\xe0\x9f\xbf overlong 3",
        "\xf0\x8f\xbf\xbf overlong 4", "\xc3 cut", "\x80 continuation",
        "\xf5\x80\x80\x80 F5", "\xef\xbf\xbf U+FFFF", "\xf4\x8f\xbf\xbf max",
        NULL
    };

    for (i = 0; fixed[i]; i++) {
        PA_OK(same_as_jansson((const u_char *) fixed[i], strlen(fixed[i])),
              "as jansson: fixed string %d", i);
    }

    PA_OK(same_as_jansson((const u_char *) "a\0b", 3),
          "as jansson: a NUL inside");

    /* random strings, weighted to the bytes that matter */

    srand(12345);
    all = 1;

    for (i = 0; i < 200000; i++) {
        static const u_char  pick[] = {
            'a', '"', '\\', '/', '\n', 0x01, 0x7f, 0x80, 0xbf, 0xc2,
            0xc3, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
            0xa0, 0x9f, 0x8f, 0x00
        };

        len = (size_t) (rand() % 40);

        /* every other one mostly plain ASCII: jstr_put's 8-byte runs */

        for (k = 0; k < (int) len; k++) {
            buf[k] = (i % 2 && rand() % 8) ? (u_char) (0x20 + rand() % 95)
                                           : pick[rand() % sizeof(pick)];
        }

        if (!same_as_jansson(buf, len)) {
            all = 0;
            break;
        }
    }

    PA_OK(all, "as jansson: 200000 random strings");

    /* one byte that matters at each place of a run of plain ASCII */

    all = 1;

    for (i = 0; i < 24 && all; i++) {
        static const u_char  one[] = {
            0x00, 0x1f, 0x20, '"', '\\', 0x7f, 0x80, 0xc3, 0xff, '\n'
        };

        for (k = 0; k < (int) sizeof(one) && all; k++) {
            memset(buf, 'a', 24);
            buf[i] = one[k];

            if (one[k] == 0xc3 && i < 23) {
                buf[i + 1] = 0xa0;              /* U+00E0 */
            }

            all = same_as_jansson(buf, 24);
        }
    }

    PA_OK(all, "as jansson: each byte that matters in 24 of plain ASCII");

    PA_DONE();
}
