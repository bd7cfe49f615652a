/*
 * A report's duplicate print of its text (LC26 Điều 6.7, 7): the same text
 * once white space and ASCII case are folded.  Shared by submit (the
 * check) and retention (the print leaves dup:<phone> with its report).
 * Pure C: no nginx header.
 */

#ifndef NGX_PA_PRINT_H
#define NGX_PA_PRINT_H

#include <stddef.h>

#include "ngx_pa_crypto.h"


#define NGX_PA_PRINT_LEN  (2 + 64)      /* "c:" + SHA-256 hex */

/*
 * The prints of all phones share buckets (issue 12.4): dup:<the first
 * NGX_PA_DUP_BUCKET hex of the phone hash>, fields "<phone>:<print>",
 * both cut to 128 bits (32 hex), as a collision of 128 bits is as
 * unlikely as one of 256.  With 4 hex, 65536 buckets: at a million
 * reports about 15 fields each, so every bucket stays a small listpack
 * (hash-max-listpack-entries 128 holds up to 8M reports) instead of one
 * hash of about 230 bytes per phone.
 */
#define NGX_PA_DUP_BUCKET     4
#define NGX_PA_DUP_CUT        32
#define NGX_PA_DUP_FIELD_LEN  (NGX_PA_DUP_CUT + 1 + 2 + NGX_PA_DUP_CUT)

/*
 * Writes "<phone hash cut>:<kind>:<print hex cut>" of print ("c:<hex>",
 * "m:<hex>") to out (NGX_PA_DUP_FIELD_LEN bytes); phone holds at least
 * NGX_PA_DUP_CUT hex.
 */
void ngx_pa_print_field(const unsigned char *phone,
    const unsigned char *print, unsigned char *out);

/*
 * Writes "c:<sha256 hex>" of text to out (NGX_PA_PRINT_LEN bytes); tmp
 * holds len bytes of scratch.
 */
void ngx_pa_print_text(const unsigned char *text, size_t len,
    unsigned char *tmp, unsigned char *out);

/* the same with the worker's contexts (NULL: as print_text()) */
void ngx_pa_print_text_cr(ngx_pa_crypto_t *cr, const unsigned char *text,
    size_t len, unsigned char *tmp, unsigned char *out);

#endif /* NGX_PA_PRINT_H */
