/*
 * Unpadded base64url (RFC 4648 section 5), strict: what JWTs and sealed
 * personal data are written in.  Pure C, no nginx headers: unit-tested
 * and fuzzed with the parsers that use it.
 */

#ifndef NGX_PA_B64URL_H
#define NGX_PA_B64URL_H

#include <stddef.h>
#include <sys/types.h>


/* the encoded length of n bytes */
size_t ngx_pa_b64url_len(size_t n);

/* writes ngx_pa_b64url_len(len) bytes to out; returns that length */
size_t ngx_pa_b64url_encode(const u_char *in, size_t len, u_char *out);

/*
 * Canonical input only: no '=', no '+' '/', no white space, and the unused
 * low bits of the last character zero, so every value has exactly one
 * encoding (a token cannot be altered and still verify).  out must hold
 * len * 3 / 4 bytes.  Returns 0, or -1 for anything else.
 */
int ngx_pa_b64url_decode(const u_char *in, size_t len, u_char *out,
    size_t *olen);

#endif /* NGX_PA_B64URL_H */
