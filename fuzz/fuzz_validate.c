/*
 * libFuzzer harness for the field validators: every validator runs on the
 * input, and what they accept is checked for the properties callers rely
 * on (normalised phones re-normalise to themselves, RFC 3339 times
 * format and parse back to the same instant, ...).  The first 12 bytes
 * also drive ngx_pa_rfc3339_format() with arbitrary times and offsets.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=all -Ingx_pa_module fuzz/fuzz_validate.c \
 *       ngx_pa_module/ngx_pa_validate.c -o build/fuzz_validate -lm
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_validate.h"


static void
fz_phone(const u_char *p, size_t len)
{
    char    out[NGX_PA_PHONE_LEN], again[NGX_PA_PHONE_LEN];
    size_t  n, i;

    if (ngx_pa_phone_normalize(p, len, out) != 0) {
        return;
    }

    n = strlen(out);
    if ((n != 12 && n != 13) || memcmp(out, "+84", 3) != 0 || out[3] == '0') {
        abort();
    }

    for (i = 3; i < n; i++) {
        if (out[i] < '0' || out[i] > '9') {
            abort();
        }
    }

    if (ngx_pa_phone_normalize((u_char *) out, n, again) != 0
        || strcmp(out, again) != 0)
    {
        abort();
    }
}


static void
fz_time(const u_char *p, size_t len)
{
    char    out[NGX_PA_TIME_LEN];
    time_t  t, back;
    size_t  n;

    if (ngx_pa_rfc3339_parse(p, len, &t) == 0) {
        n = ngx_pa_rfc3339_format(t, 0, 1, out);

        /* a parsed instant may fall outside 0000..9999 in UTC only */
        if (n != 0
            && (ngx_pa_rfc3339_parse((u_char *) out, n, &back) != 0
                || back != t))
        {
            abort();
        }

        n = ngx_pa_rfc3339_format(t, 25200, 0, out);
        if (n != 0
            && (n != 25 || ngx_pa_rfc3339_parse((u_char *) out, n, &back) != 0
                || back != t))
        {
            abort();
        }
    }

    if (len >= 12) {
        int64_t  v;
        int32_t  off;

        memcpy(&v, p, 8);
        memcpy(&off, p + 8, 4);

        n = ngx_pa_rfc3339_format((time_t) v, off, off & 1, out);

        if (n >= NGX_PA_TIME_LEN || strlen(out) != n) {
            abort();
        }

        if (n && (ngx_pa_rfc3339_parse((u_char *) out, n, &back) != 0
                  || back != (time_t) v))
        {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t  nchars;
    double  d;

    nchars = (size_t) -1;
    if (ngx_pa_utf8_check(data, size, &nchars) == 0 && nchars > size) {
        abort();
    }

    (void) ngx_pa_text_blank(data, size);

    fz_phone(data, size);

    (void) ngx_pa_email_check(data, size);

    if (ngx_pa_parse_decimal(data, size, &d) == 0) {
        if (!isfinite(d)) {
            abort();
        }
        (void) ngx_pa_latlng_check(d, d / 2);
    }

    fz_time(data, size);

    if (ngx_pa_parse_bool(data, size) < -1
        || ngx_pa_parse_bool(data, size) > 1)
    {
        abort();
    }

    return 0;
}
