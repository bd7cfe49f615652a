/*
 * A JSON request body parsed without jansson's lexer, into jansson's
 * values: the common case of an object of strings, numbers, booleans,
 * nulls, arrays and objects.  Whatever is less common (a \u escape, a
 * duplicate name, a number strtod() or strtoll() cannot hold, deep
 * nesting, an error of any kind) is left to json_loadb(), so the values
 * and every error message stay jansson's.  Pure C.
 */

#ifndef NGX_PA_JPARSE_H
#define NGX_PA_JPARSE_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>


/*
 * The object in buf, or NULL: not parsed here (call json_loadb() with
 * JSON_REJECT_DUPLICATES: it gives the value or the error).
 */
json_t *ngx_pa_jparse_object(const u_char *buf, size_t len);

#endif /* NGX_PA_JPARSE_H */
