/*
 * A JSON string written straight from bytes, exactly as jansson's
 * json_dumps() writes a string (no JSON_ENSURE_ASCII, no
 * JSON_ESCAPE_SLASH): for values written on the hot path without building
 * a json_t to dump (ngx_pa_doc.c).  Pure C.
 */

#ifndef NGX_PA_JSTR_H
#define NGX_PA_JSTR_H

#include <stddef.h>
#include <sys/types.h>


/* the bytes of the UTF-8 character at p (left > 0), 0: not one */
size_t ngx_pa_jstr_utf8(const u_char *p, size_t left);

/* its length, quotes included; (size_t) -1: not UTF-8 (jansson's rules) */
size_t ngx_pa_jstr_len(const u_char *p, size_t len);

/* writes it, quotes included, of a length jstr_len() said; returns the end */
u_char *ngx_pa_jstr_write(u_char *dst, const u_char *p, size_t len);

/*
 * checks and writes it in one pass into room for the longest it can be
 * (NGX_PA_JSTR_MAX(len)); returns the end, NULL: not UTF-8
 */
#define NGX_PA_JSTR_MAX(len)  (6 * (len) + 2)
u_char *ngx_pa_jstr_put(u_char *dst, const u_char *p, size_t len);

#endif /* NGX_PA_JSTR_H */
