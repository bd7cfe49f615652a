/*
 * The text's duplicate print: runs of white space are one space, leading
 * and trailing ones none, ASCII letters lower case; then SHA-256.  Letters
 * beyond ASCII are kept as written (Vietnamese case folding is a
 * different question: "TẮC" and "tắc" are two texts here).
 */

#include "ngx_pa_print.h"

#include <openssl/sha.h>


void
ngx_pa_print_text(const u_char *text, size_t len, u_char *tmp, u_char *out)
{
    u_char      c, *q;
    size_t      i;
    ngx_uint_t  space;
    u_char      md[SHA256_DIGEST_LENGTH];

    q = tmp;
    space = 1;

    for (i = 0; i < len; i++) {
        c = text[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = 1;
            continue;
        }

        if (space && q != tmp) {
            *q++ = ' ';
        }

        space = 0;
        *q++ = (c >= 'A' && c <= 'Z') ? (u_char) (c | 0x20) : c;
    }

    SHA256(tmp, q - tmp, md);

    out[0] = 'c';
    out[1] = ':';
    (void) ngx_hex_dump(out + 2, md, sizeof(md));
}
