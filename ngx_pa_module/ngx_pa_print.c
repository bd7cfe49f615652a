/*
 * The text's duplicate print: runs of white space are one space, leading
 * and trailing ones none, ASCII letters lower case; then SHA-256.  Letters
 * beyond ASCII are kept as written (Vietnamese case folding is a
 * different question: "TẮC" and "tắc" are two texts here).
 */

#include "ngx_pa_print.h"

#include <openssl/sha.h>


void
ngx_pa_print_text(const unsigned char *text, size_t len, unsigned char *tmp,
    unsigned char *out)
{
    int             space;
    size_t          i;
    unsigned char   c, *q, md[SHA256_DIGEST_LENGTH];

    static const char  hex[] = "0123456789abcdef";

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
        *q++ = (c >= 'A' && c <= 'Z') ? (unsigned char) (c | 0x20) : c;
    }

    SHA256(tmp, q - tmp, md);

    out[0] = 'c';
    out[1] = ':';

    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 + 2 * i] = hex[md[i] >> 4];
        out[3 + 2 * i] = hex[md[i] & 15];
    }
}
