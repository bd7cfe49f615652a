/*
 * Field validators shared by the JSON and the multipart body paths.
 * Pure C (no nginx headers) so they are unit-tested and fuzzed alone.
 */

#ifndef NGX_PA_VALIDATE_H
#define NGX_PA_VALIDATE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>


#define NGX_PA_PHONE_LEN  17    /* "+" + up to 15 digits (E.164) + NUL */
#define NGX_PA_TIME_LEN   26    /* "2026-01-22T08:00:00+07:00" + NUL */

/*
 * Strict UTF-8: rejects overlong forms, surrogates, code points above
 * U+10FFFF, NUL and C0 controls other than TAB, LF, CR.  On success
 * returns 0 and stores the number of code points in *nchars.
 */
int ngx_pa_utf8_check(const u_char *p, size_t len, size_t *nchars);

/* 1 if p..len holds only white space (ASCII and Unicode spaces), or len 0 */
int ngx_pa_text_blank(const u_char *p, size_t len);

/*
 * Vietnamese phone numbers: "0xxxxxxxxx" (10 digits, mobile), "0xxxxxxxxxx"
 * (11 digits, landline), "+84..." / "84..." / "0084..." forms; spaces,
 * dots, dashes and parentheses are ignored.  Writes "+84" and the national
 * significant number (9 or 10 digits) NUL terminated to out.  0 or -1.
 */
int ngx_pa_phone_normalize(const u_char *p, size_t len,
    char out[NGX_PA_PHONE_LEN]);

/*
 * Any country (Open311 clients serve visitors too): a Vietnamese number
 * as ngx_pa_phone_normalize(), else an international one written with
 * "+" or "00" and its country code, 8 to 15 digits in all (E.164), as
 * "+<digits>".  A national number of another country cannot be told from
 * a wrong one: -1.
 */
int ngx_pa_phone_normalize_any(const u_char *p, size_t len,
    char out[NGX_PA_PHONE_LEN]);

/* A plain, practical e-mail check: local@domain.tld, no spaces, <= 254 */
int ngx_pa_email_check(const u_char *p, size_t len);

/*
 * Strict decimal number ("-12.5", "103.458"; no exponent, no hex, no
 * inf/nan, no surrounding spaces).  0 or -1.
 */
int ngx_pa_parse_decimal(const u_char *p, size_t len, double *out);

/* lat in [-90, 90], lng in [-180, 180]: 0 or -1 */
int ngx_pa_latlng_check(double lat, double lng);

/*
 * RFC 3339 date-time with a mandatory offset ("Z" or "+07:00"); optional
 * fractional seconds are accepted and dropped.  Stores the UTC epoch.
 */
int ngx_pa_rfc3339_parse(const u_char *p, size_t len, time_t *out);

/*
 * W3C-DTF (www.w3.org/TR/NOTE-datetime), as GeoReport's dates: "2026",
 * "2026-01" and "2026-01-22" are a year, month or day of the given UTC
 * offset (seconds east): from its first second, or to its last when end
 * is 1; "2026-01-22T10:00+07:00" (no seconds) and every RFC 3339 form
 * are instants.  Stores the UTC epoch; 0 or -1.
 */
int ngx_pa_w3c_parse(const u_char *p, size_t len, int offset, int end,
    time_t *out);

/*
 * Formats t in the given UTC offset (seconds east, e.g. 25200) as
 * "2026-01-22T08:00:00+07:00" (or "...Z" when offset is 0 and zulu is 1).
 * Returns the length written (25, or 20 for Z).
 */
size_t ngx_pa_rfc3339_format(time_t t, int offset, int zulu,
    char out[NGX_PA_TIME_LEN]);

/* snprintf(out, size, "%.<decimals>f", d), the same bytes, faster */
int ngx_pa_fixed_format(double d, int decimals, char *out, size_t size);

/* "true"/"false"/"1"/"0"/"on"/"off"/"yes"/"no" -> 1/0, else -1 */
int ngx_pa_parse_bool(const u_char *p, size_t len);

#endif /* NGX_PA_VALIDATE_H */
