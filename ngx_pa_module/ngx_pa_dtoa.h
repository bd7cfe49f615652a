/*
 * Doubles to and from decimal text without glibc's arbitrary precision
 * (ngx_pa_dtoa.c): the same bytes as snprintf("%.<p>g") and the same
 * double as strtod(), each exact, its common cases (a coordinate, a
 * score) in a few hundred instructions, the rest handed to libc.  Pure
 * C, no nginx header: unit-tested against libc (tests/unit/test_dtoa.c).
 */

#ifndef NGX_PA_DTOA_H
#define NGX_PA_DTOA_H

#include <stddef.h>


/* snprintf(buf, size, "%.*g", precision, d); precision 1 to 17 */
int ngx_pa_dtoa_g(char *buf, size_t size, int precision, double d);

/* strtod(s, end), for a JSON number or a plain decimal at s */
double ngx_pa_strtod(const char *s, char **end);

#endif /* NGX_PA_DTOA_H */
