/*
 * Unit tests of the text's duplicate print (ngx_pa_print.c): what makes
 * two submissions of one phone the same report (LC26 Điều 6.7, 7).
 */

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


int
main(void)
{
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
