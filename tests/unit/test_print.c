/*
 * Unit tests of the text's duplicate print (ngx_pa_print.c): what makes
 * two submissions of one phone the same report (LC26 Điều 6.7, 7).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_print.h"
#include "pa_unit.h"


static const char *
print(const char *text)
{
    static unsigned char  tmp[256], out[NGX_PA_PRINT_LEN + 1];

    ngx_pa_print_text((const unsigned char *) text, strlen(text), tmp, out);
    out[NGX_PA_PRINT_LEN] = '\0';

    return (const char *) out;
}


/*
 * The prints of 200000 random texts (a fixed seed) made of what matters to
 * the print: ASCII vowels and not, case, white space, combining marks in
 * both UTF-8 forms (and overlong ones), precomposed letters, zero width
 * characters, broken bytes; folded into one FNV-1a hash.  The value below
 * is what ngx_pa_print.c gave before its ASCII fast path: a faster print
 * must be the same print, or a duplicate is missed across an upgrade.
 */

static uint64_t
random_prints(void)
{
    int                  i, k, n;
    size_t               len, m;
    uint64_t             h;
    const char          *piece;
    unsigned char        text[128], tmp[128], out[NGX_PA_PRINT_LEN];
    static const char   *pieces[] = {
        "a", "E", "y", "O", "u", "i", "b", "C", "z", ".", "0", " ", "\t",
        "\r\n", "  ", "\xcc\x81", "\xcc\x82", "\xcc\x86", "\xcc\xa3",
        "\xcd\x80", "\xcd\xaf", "\xe0\x8c\x80", "\xc3\xb4", "\xc4\x82",
        "\xe1\xbb\x91", "\xe1\xba\xae", "\xc6\xb0", "\xc2\xa0",
        "\xe2\x80\x8b", "\xef\xbb\xbf", "\xff", "\xcc", "\xe1\xbb",
        "\x00", "\xf0\x9f\x98\x80"
    };

    srand(2026);
    h = 14695981039346656037ULL;

    for (i = 0; i < 200000; i++) {
        len = 0;
        n = rand() % 24;

        for (k = 0; k < n; k++) {
            piece = pieces[rand() % (sizeof(pieces) / sizeof(pieces[0]))];
            m = (piece[0] == '\0') ? 1 : strlen(piece);

            if (len + m > sizeof(text)) {
                break;
            }

            memcpy(text + len, piece, m);
            len += m;
        }

        ngx_pa_print_text(text, len, tmp, out);

        for (m = 0; m < NGX_PA_PRINT_LEN; m++) {
            h = (h ^ out[m]) * 1099511628211ULL;
        }
    }

    return h;
}


int
main(void)
{
    char  hex[17];

    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long) random_prints());
    PA_IS_STR(hex, "1902db0f10ac91c1",
              "200000 random texts: the same prints as ever");

    /* sha256 of "cong thoat nuoc bi tac" (sha256sum) */
    PA_IS_STR(print("cong thoat nuoc bi tac"),
              "c:6cdcfe6986a2504f1e522eca61ae7b8495e30744918a6105695b0d7f9de826e1", "the folded text's SHA-256, after c:");
    PA_IS_STR(print("  Cong\tTHOAT  nuoc\r\nbi tac \n"),
              "c:6cdcfe6986a2504f1e522eca61ae7b8495e30744918a6105695b0d7f9de826e1", "white space runs and ends, ASCII case: folded");
    PA_OK(strcmp(print("cong thoat nuoc bi tac."),
                 "c:6cdcfe6986a2504f1e522eca61ae7b8495e30744918a6105695b0d7f9de826e1") != 0, "punctuation counts");
    PA_OK(strcmp(print("congthoat nuoc bi tac"),
                 "c:6cdcfe6986a2504f1e522eca61ae7b8495e30744918a6105695b0d7f9de826e1") != 0, "a missing space counts");

    /* Vietnamese letters keep their case: "Cống TẮC" is "cống TẮc" */
    PA_IS_STR(print("C\xe1\xbb\x91ng T\xe1\xba\xae" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "bytes beyond ASCII are hashed as written");
    PA_OK(strcmp(print("c\xe1\xbb\x91ng t\xe1\xba\xaf" "c"),
                 "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1") != 0, "... so their case is not folded");

    /*
     * One text, two spellings of its letters: precomposed, or a letter
     * and combining marks (macOS NFD; Unikey's "Unicode to hop": "o" with
     * its circumflex made, the tone a mark; the marks in any order)
     */
    PA_IS_STR(print("Co\xcc\x82\xcc\x81ng TA\xcc\x86\xcc\x81" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "NFD: the same print as the precomposed text");
    PA_IS_STR(print("C\xc3\xb4\xcc\x81ng T\xc4\x82\xcc\x81" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "a made vowel and a tone mark: the same");
    PA_IS_STR(print("Co\xcc\x81\xcc\x82ng TA\xcc\x81\xcc\x86" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "the marks in another order: the same");
    PA_IS_STR(print("C\xe1\xbb\x91ng\xc2\xa0T\xe1\xba\xae" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "a no-break space is a space");
    PA_IS_STR(print("C\xe1\xbb\x91ng T\xe2\x80\x8b\xe1\xba\xae" "C"),
              "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1", "a zero width space counts for nothing");
    PA_OK(strcmp(print("Co\xcc\x82ng T\xe1\xba\xae" "C"),
                 "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1") != 0, "... but a missing tone counts");
    PA_OK(strcmp(print("Co\xcc\x82\xcc\x81\xcc\x81ng T\xe1\xba\xae" "C"),
                 "c:f336aa468784c95f79a77aa334b4e4f20761a7e1201555725b7dcc78d405b7b1") != 0, "... and a mark too many");
    PA_OK(strcmp(print("\xcc\x81" "abc\xff\xe1"), "") != 0, "a mark alone and broken bytes: a print still");

    PA_DONE();
}
