/*
 * A report's duplicate print of its text (LC26 Điều 6.7, 7): the same text
 * once white space and ASCII case are folded.  Shared by submit (the
 * check) and retention (the print leaves dup:<phone> with its report).
 * Pure C: no nginx header.
 */

#ifndef NGX_PA_PRINT_H
#define NGX_PA_PRINT_H

#include <stddef.h>


#define NGX_PA_PRINT_LEN  (2 + 64)      /* "c:" + SHA-256 hex */

/*
 * Writes "c:<sha256 hex>" of text to out (NGX_PA_PRINT_LEN bytes); tmp
 * holds len bytes of scratch.
 */
void ngx_pa_print_text(const unsigned char *text, size_t len,
    unsigned char *tmp, unsigned char *out);

#endif /* NGX_PA_PRINT_H */
