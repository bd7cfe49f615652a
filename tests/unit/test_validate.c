/*
 * Unit tests of the shared field validators (ngx_pa_validate.c).
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ngx_pa_validate.h"
#include "pa_unit.h"


#define S(s)  (const u_char *) (s), sizeof(s) - 1


static int
utf8(const char *s, size_t len, size_t *n)
{
    return ngx_pa_utf8_check((const u_char *) s, len, n);
}


static void
test_utf8(void)
{
    size_t       n;
    const char  *vi = "\xe1\xbb\x94 g\xc3\xa0 tr\xc3\xaan \xc4\x91\xc6\xb0\xe1"
                      "\xbb\x9dng Tr\xe1\xba\xa7n H\xc6\xb0ng \xc4\x90\xe1"
                      "\xba\xa1o";

    n = 0;
    PA_IS_INT(utf8(vi, strlen(vi), &n), 0, "Vietnamese text is valid");
    PA_IS_INT(n, 29, "... and has 29 code points");

    PA_IS_INT(utf8("", 0, &n), 0, "empty is valid");
    PA_IS_INT(n, 0, "... with 0 code points");
    PA_IS_INT(utf8("a\tb\r\nc", 6, &n), 0, "TAB CR LF allowed");
    PA_IS_INT(utf8("a\x7f", 2, NULL), 0, "DEL allowed, nchars may be NULL");

    PA_IS_INT(utf8("a\0b", 3, &n), -1, "NUL rejected");
    PA_IS_INT(utf8("\x01", 1, &n), -1, "C0 control rejected");
    PA_IS_INT(utf8("\x1b[0m", 4, &n), -1, "ESC rejected");
    PA_IS_INT(utf8("\xc0\x80", 2, &n), -1, "overlong C0 80 rejected");
    PA_IS_INT(utf8("\xc1\xbf", 2, &n), -1, "overlong C1 BF rejected");
    PA_IS_INT(utf8("\xe0\x80\x80", 3, &n), -1, "overlong E0 80 80 rejected");
    PA_IS_INT(utf8("\xe0\x9f\xbf", 3, &n), -1, "overlong E0 9F BF rejected");
    PA_IS_INT(utf8("\xf0\x8f\xbf\xbf", 4, &n), -1, "overlong F0 8F rejected");
    PA_IS_INT(utf8("\xed\xa0\x80", 3, &n), -1, "surrogate D800 rejected");
    PA_IS_INT(utf8("\xed\xbf\xbf", 3, &n), -1, "surrogate DFFF rejected");
    PA_IS_INT(utf8("\xed\x9f\xbf", 3, &n), 0, "U+D7FF accepted");
    PA_IS_INT(utf8("\xf4\x90\x80\x80", 4, &n), -1, "> U+10FFFF rejected");
    PA_IS_INT(utf8("\xf5\x80\x80\x80", 4, &n), -1, "F5 lead rejected");
    PA_IS_INT(utf8("\xf4\x8f\xbf\xbf", 4, &n), 0, "U+10FFFF accepted");
    PA_IS_INT(n, 1, "... one code point");
    PA_IS_INT(utf8("\xf0\x9f\x98\x80", 4, &n), 0, "emoji accepted");
    PA_IS_INT(utf8("\xe1\xbb", 2, &n), -1, "truncated 3-byte rejected");
    PA_IS_INT(utf8("\xf0\x9f\x98", 3, &n), -1, "truncated 4-byte rejected");
    PA_IS_INT(utf8("\xc3", 1, &n), -1, "truncated 2-byte at end rejected");
    PA_IS_INT(utf8("\xc3" "a", 2, &n), -1, "bad continuation rejected");
    PA_IS_INT(utf8("\x80", 1, &n), -1, "lone continuation rejected");
    PA_IS_INT(utf8("\xff", 1, &n), -1, "FF rejected");
    PA_IS_INT(utf8("\xe1\xbb\x94\xe1\xbb", 5, &n), -1,
              "truncated after a valid char rejected");
}


static void
test_blank(void)
{
    PA_IS_INT(ngx_pa_text_blank(S("")), 1, "empty is blank");
    PA_IS_INT(ngx_pa_text_blank(S(" \t\r\n")), 1, "ASCII spaces blank");
    PA_IS_INT(ngx_pa_text_blank(S("\xc2\xa0\xe3\x80\x80")), 1,
              "NBSP + ideographic space blank");
    PA_IS_INT(ngx_pa_text_blank(S("\xe2\x80\x8b\xef\xbb\xbf")), 1,
              "zero width space + BOM blank");
    PA_IS_INT(ngx_pa_text_blank(S("  a ")), 0, "letter not blank");
    PA_IS_INT(ngx_pa_text_blank(S(" \xe1\xbb\x94")), 0, "O-hat not blank");
    PA_IS_INT(ngx_pa_text_blank(S(" \xff")), 0, "invalid UTF-8 not blank");
}


static void
phone(const char *in, const char *want)
{
    char  out[NGX_PA_PHONE_LEN];
    int   rc;

    strcpy(out, "-");
    rc = ngx_pa_phone_normalize((const u_char *) in, strlen(in), out);

    if (want) {
        PA_IS_INT(rc, 0, "phone '%s' accepted", in);
        PA_IS_STR(out, want, "phone '%s' -> %s", in, want);
    } else {
        PA_IS_INT(rc, -1, "phone '%s' rejected", in);
    }
}


static void
phone_any(const char *in, const char *want)
{
    char  out[NGX_PA_PHONE_LEN];
    int   rc;

    strcpy(out, "-");
    rc = ngx_pa_phone_normalize_any((const u_char *) in, strlen(in), out);

    if (want) {
        PA_IS_INT(rc, 0, "any phone '%s' accepted", in);
        PA_IS_STR(out, want, "any phone '%s' -> %s", in, want);
    } else {
        PA_IS_INT(rc, -1, "any phone '%s' rejected", in);
    }
}


static void
test_phone_any(void)
{
    phone_any("0912 345 678", "+84912345678");
    phone_any("+84 912 345 678", "+84912345678");
    phone_any("+1 555 123 4567", "+15551234567");
    phone_any("0044 20 7946 0958", "+442079460958");
    phone_any("+33 (1) 23-45-67-89", "+33123456789");
    phone_any("+861234567890123", "+861234567890123");

    phone_any("20 7946 0958", NULL);
    phone_any("555 123 4567", NULL);
    phone_any("+1 555", NULL);
    phone_any("+0 555 123 4567", NULL);
    phone_any("+8612345678901234", NULL);
    phone_any("+1 555 123 4567 ext 2", NULL);
    phone_any("1+5551234567", NULL);
    phone_any("", NULL);
}


static void
test_phone(void)
{
    phone("0912345678", "+84912345678");
    phone("+84 912 345 678", "+84912345678");
    phone("84912345678", "+84912345678");
    phone("0084912345678", "+84912345678");
    phone("02433334444", "+842433334444");
    phone("024.3333.4444", "+842433334444");
    phone("(024) 3333-4444", "+842433334444");
    phone("+84 (0) 912 345 678", "+84912345678");
    phone("+84 24 3333 4444", "+842433334444");
    phone("0912-345-678", "+84912345678");

    phone("12345", NULL);
    phone("0912", NULL);
    phone("091234567a", NULL);
    phone("+1 555 123 4567", NULL);
    phone("+15551234567", NULL);
    phone("0015551234567", NULL);
    phone("", NULL);
    phone("+", NULL);
    phone("+84", NULL);
    phone("09123456789012", NULL);
    phone("091234567", NULL);
    phone("0 0912345678", NULL);
    phone("84+912345678", NULL);
    phone("++84912345678", NULL);
    phone("0912345678 ext 1", NULL);
    phone("091234567890123456789", NULL);
    phone("\xef\xbc\x90\xef\xbc\x99" "12345678", NULL);
}


static void
test_email(void)
{
    PA_IS_INT(ngx_pa_email_check(S("an.nguyen@example.vn")), 0, "email ok");
    PA_IS_INT(ngx_pa_email_check(S("a+tag@mail.gov.vn")), 0, "plus tag ok");
    PA_IS_INT(ngx_pa_email_check(S("x@xn--fiq228c.com")), 0, "punycode ok");
    PA_IS_INT(ngx_pa_email_check(S("a@b.co")), 0, "short ok");

    PA_IS_INT(ngx_pa_email_check(S("")), -1, "empty");
    PA_IS_INT(ngx_pa_email_check(S("plainaddress")), -1, "no @");
    PA_IS_INT(ngx_pa_email_check(S("a@b@c.vn")), -1, "two @");
    PA_IS_INT(ngx_pa_email_check(S("@example.vn")), -1, "empty local");
    PA_IS_INT(ngx_pa_email_check(S("a@example")), -1, "no tld");
    PA_IS_INT(ngx_pa_email_check(S("a@example.")), -1, "trailing dot");
    PA_IS_INT(ngx_pa_email_check(S("a@.example.vn")), -1, "leading dot");
    PA_IS_INT(ngx_pa_email_check(S("a@exa..mple.vn")), -1, "empty label");
    PA_IS_INT(ngx_pa_email_check(S("a b@example.vn")), -1, "space");
    PA_IS_INT(ngx_pa_email_check(S(".a@example.vn")), -1, "local dot first");
    PA_IS_INT(ngx_pa_email_check(S("a.@example.vn")), -1, "local dot last");
    PA_IS_INT(ngx_pa_email_check(S("a..b@example.vn")), -1, "local ..");
    PA_IS_INT(ngx_pa_email_check(S("a@-ex.vn")), -1, "label starts -");
    PA_IS_INT(ngx_pa_email_check(S("a@ex-.vn")), -1, "label ends -");
    PA_IS_INT(ngx_pa_email_check(S("a@1.2.3.4")), -1, "numeric tld");
    PA_IS_INT(ngx_pa_email_check(S("a@ex.v")), -1, "1-char tld");
    PA_IS_INT(ngx_pa_email_check(S("a@[1.2.3.4]")), -1, "IP literal");
    PA_IS_INT(ngx_pa_email_check(S("\xc4\x91@ex.vn")), -1, "non-ASCII");
    PA_IS_INT(ngx_pa_email_check(S("a\0b@ex.vn")), -1, "NUL");

    {
        char  buf[300];

        memset(buf, 'a', sizeof(buf));
        memcpy(buf + 64, "@", 1);
        memcpy(buf + 250, ".vn", 3);
        PA_IS_INT(ngx_pa_email_check((u_char *) buf, 253), -1,
                  "63+ char label rejected");

        memset(buf, 'a', sizeof(buf));
        memcpy(buf + 65, "@ex.vn", 6);
        PA_IS_INT(ngx_pa_email_check((u_char *) buf + 1, 70), 0,
                  "64 char local ok");
        PA_IS_INT(ngx_pa_email_check((u_char *) buf, 71), -1,
                  "65 char local rejected");
    }
}


static void
test_decimal(void)
{
    double  d;

    d = 0;
    PA_IS_INT(ngx_pa_parse_decimal(S("-12.5"), &d), 0, "-12.5");
    PA_OK(d == -12.5, "-12.5 value");
    PA_IS_INT(ngx_pa_parse_decimal(S("103.458"), &d), 0, "103.458");
    PA_OK(fabs(d - 103.458) < 1e-12, "103.458 value");
    PA_IS_INT(ngx_pa_parse_decimal(S("22"), &d), 0, "integer");
    PA_OK(d == 22, "22 value");
    PA_IS_INT(ngx_pa_parse_decimal(S("0.000001"), &d), 0, "small");

    PA_IS_INT(ngx_pa_parse_decimal(S(""), &d), -1, "empty");
    PA_IS_INT(ngx_pa_parse_decimal(S("-"), &d), -1, "minus only");
    PA_IS_INT(ngx_pa_parse_decimal(S("+1"), &d), -1, "plus sign");
    PA_IS_INT(ngx_pa_parse_decimal(S("1e5"), &d), -1, "exponent");
    PA_IS_INT(ngx_pa_parse_decimal(S("0x10"), &d), -1, "hex");
    PA_IS_INT(ngx_pa_parse_decimal(S("inf"), &d), -1, "inf");
    PA_IS_INT(ngx_pa_parse_decimal(S("nan"), &d), -1, "nan");
    PA_IS_INT(ngx_pa_parse_decimal(S(" 1"), &d), -1, "leading space");
    PA_IS_INT(ngx_pa_parse_decimal(S("1 "), &d), -1, "trailing space");
    PA_IS_INT(ngx_pa_parse_decimal(S(".5"), &d), -1, "no int part");
    PA_IS_INT(ngx_pa_parse_decimal(S("5."), &d), -1, "no frac part");
    PA_IS_INT(ngx_pa_parse_decimal(S("1.2.3"), &d), -1, "two dots");
    PA_IS_INT(ngx_pa_parse_decimal(S("1,5"), &d), -1, "comma");
    PA_IS_INT(ngx_pa_parse_decimal(S("--1"), &d), -1, "double minus");
    PA_IS_INT(ngx_pa_parse_decimal(
        S("1234567890123456789012345678901234567890123456789012345678901"
          "234567890"), &d), -1, "too long");
}


static void
test_latlng(void)
{
    PA_IS_INT(ngx_pa_latlng_check(22.39, 103.45), 0, "Lai Chau");
    PA_IS_INT(ngx_pa_latlng_check(-90, -180), 0, "corner");
    PA_IS_INT(ngx_pa_latlng_check(90, 180), 0, "corner 2");
    PA_IS_INT(ngx_pa_latlng_check(90.0001, 0), -1, "lat > 90");
    PA_IS_INT(ngx_pa_latlng_check(0, -180.5), -1, "lng < -180");
    PA_IS_INT(ngx_pa_latlng_check(NAN, 0), -1, "NaN lat");
    PA_IS_INT(ngx_pa_latlng_check(0, NAN), -1, "NaN lng");
    PA_IS_INT(ngx_pa_latlng_check(INFINITY, 0), -1, "inf");
}


static void
t3339(const char *s, long long want)
{
    time_t  t;
    int     rc;

    t = 0;
    rc = ngx_pa_rfc3339_parse((const u_char *) s, strlen(s), &t);

    if (want == -1) {
        PA_IS_INT(rc, -1, "rfc3339 '%s' rejected", s);
    } else {
        PA_IS_INT(rc, 0, "rfc3339 '%s' accepted", s);
        PA_IS_INT(t, want, "rfc3339 '%s' == %lld", s, want);
    }
}


static void
tw3c(const char *s, int end, long long want)
{
    time_t  t;
    int     rc;

    t = 0;
    rc = ngx_pa_w3c_parse((const u_char *) s, strlen(s), 25200, end, &t);

    if (want == -1) {
        PA_IS_INT(rc, -1, "w3c '%s' rejected", s);
    } else {
        PA_IS_INT(rc, 0, "w3c '%s' (end %d) accepted", s, end);
        PA_IS_INT(t, want, "w3c '%s' (end %d) == %lld", s, end, want);
    }
}


/* GeoReport's dates: every W3C-DTF form, periods in the province's days */

static void
test_w3c(void)
{
    time_t  t;

    /* 2026-01-01T00:00:00+07:00 = 1767200400 */

    tw3c("2026", 0, 1767200400);
    tw3c("2026", 1, 1767200400 + 365 * 86400 - 1);
    tw3c("2026-01", 0, 1767200400);
    tw3c("2026-01", 1, 1767200400 + 31 * 86400 - 1);
    tw3c("2024-02", 1, 1706720400 + 29 * 86400 - 1);
    tw3c("2026-12", 1, 1767200400 + 365 * 86400 - 1);
    tw3c("2026-01-22", 0, 1769014800);
    tw3c("2026-01-22", 1, 1769014800 + 86400 - 1);
    tw3c("2026-01-22T08:00+07:00", 0, 1769043600);
    tw3c("2026-01-22T01:00Z", 1, 1769043600);
    tw3c("2026-01-22t01:00z", 0, 1769043600);
    tw3c("2026-01-22T08:00:00+07:00", 0, 1769043600);
    tw3c("2026-01-22T01:00:00.5Z", 0, 1769043600);

    tw3c("2026-13", 0, -1);
    tw3c("2026-00", 0, -1);
    tw3c("2026-1", 0, -1);
    tw3c("2026/01", 0, -1);
    tw3c("202", 0, -1);
    tw3c("20266", 0, -1);
    tw3c("2026-02-29", 0, -1);
    tw3c("2026-01-22T08:00", 0, -1);
    tw3c("2026-01-22T08:00+07", 0, -1);
    tw3c("2026-01-22T8:00Z", 0, -1);
    tw3c("2026-01-22T24:00Z", 0, -1);
    tw3c("2026-01-22T08:00:00", 0, -1);
    tw3c("9999", 1, -1);
    tw3c("", 0, -1);

    /* west of Greenwich: the day of the given offset */

    t = 0;
    PA_IS_INT(ngx_pa_w3c_parse(S("2026-01-22"), -18000, 0, &t), 0,
              "w3c day at -05:00");
    PA_IS_INT(t, 1769058000, "... from its local midnight");
}


static void
test_rfc3339(void)
{
    char    out[NGX_PA_TIME_LEN];
    size_t  n;

    t3339("2026-01-22T08:00:00+07:00", 1769043600);
    t3339("2026-01-22T01:00:00Z", 1769043600);
    t3339("2026-01-22t01:00:00z", 1769043600);
    t3339("2026-01-22T08:00:00.123+07:00", 1769043600);
    t3339("2026-01-22T01:00:00.999999999Z", 1769043600);
    t3339("2026-01-21T20:00:00-05:00", 1769043600);
    t3339("1970-01-01T00:00:00Z", 0);
    t3339("1970-01-01T07:00:00+07:00", 0);
    t3339("2024-02-29T00:00:00Z", 1709164800);
    t3339("2000-02-29T00:00:00Z", 951782400);
    t3339("2026-12-31T23:59:59+00:00", 1798761599);

    t3339("2026-02-29T00:00:00Z", -1);
    t3339("1900-02-29T00:00:00Z", -1);
    t3339("2026-13-01T00:00:00Z", -1);
    t3339("2026-00-01T00:00:00Z", -1);
    t3339("2026-04-31T00:00:00Z", -1);
    t3339("2026-01-32T00:00:00Z", -1);
    t3339("2026-01-00T00:00:00Z", -1);
    t3339("2026-01-22T24:00:00Z", -1);
    t3339("2026-01-22T23:60:00Z", -1);
    t3339("2026-01-22T23:59:60Z", -1);
    t3339("2026-01-22T08:00:00", -1);
    t3339("2026-01-22T08:00:00.5", -1);
    t3339("2026-01-22T08:00:00.Z", -1);
    t3339("2026-01-22 08:00:00Z", -1);
    t3339("2026-01-22T08:00:00+0700", -1);
    t3339("2026-01-22T08:00:00+07", -1);
    t3339("2026-01-22T08:00:00+24:00", -1);
    t3339("2026-01-22T08:00:00+07:60", -1);
    t3339("2026-01-22T08:00:00Z ", -1);
    t3339("2026-1-22T08:00:00Z", -1);
    t3339("+026-01-22T08:00:00Z", -1);
    t3339("2026-01-22", -1);
    t3339("", -1);

    /* the -1 above is the "rejected" marker, so test it directly */
    {
        time_t  t = 0;

        PA_IS_INT(ngx_pa_rfc3339_parse(S("1969-12-31T23:59:59Z"), &t), 0,
                  "1969-12-31T23:59:59Z accepted");
        PA_IS_INT(t, -1, "... == -1");
    }

    n = ngx_pa_rfc3339_format(1769043600, 25200, 0, out);
    PA_IS_INT(n, 25, "format length 25");
    PA_IS_STR(out, "2026-01-22T08:00:00+07:00", "format +07:00");

    n = ngx_pa_rfc3339_format(1769043600, 0, 1, out);
    PA_IS_INT(n, 20, "format length 20 for Z");
    PA_IS_STR(out, "2026-01-22T01:00:00Z", "format Z");

    n = ngx_pa_rfc3339_format(1769043600, 0, 0, out);
    PA_IS_INT(n, 25, "format length 25 for +00:00");
    PA_IS_STR(out, "2026-01-22T01:00:00+00:00", "format +00:00 (zulu 0)");

    ngx_pa_rfc3339_format(1769043600, 25200, 1, out);
    PA_IS_STR(out, "2026-01-22T08:00:00+07:00", "zulu ignored if offset");

    ngx_pa_rfc3339_format(1769043600, -18000, 0, out);
    PA_IS_STR(out, "2026-01-21T20:00:00-05:00", "format -05:00");

    ngx_pa_rfc3339_format(1769043600, 19800, 0, out);
    PA_IS_STR(out, "2026-01-22T06:30:00+05:30", "format +05:30");

    ngx_pa_rfc3339_format(-1, 0, 1, out);
    PA_IS_STR(out, "1969-12-31T23:59:59Z", "format before epoch");

    ngx_pa_rfc3339_format(1709251199, 25200, 0, out);
    PA_IS_STR(out, "2024-03-01T06:59:59+07:00", "format leap year");

    n = ngx_pa_rfc3339_format((time_t) 253402300800LL, 0, 1, out);
    PA_IS_INT(n, 0, "year 10000 not formatted");
    PA_IS_STR(out, "", "... empty");

    /* t + offset overflowed near INT64_MAX (UBSan, before the fix) */
    n = ngx_pa_rfc3339_format((time_t) INT64_MAX, 3600, 0, out);
    PA_IS_INT(n, 0, "INT64_MAX not formatted");
    n = ngx_pa_rfc3339_format((time_t) INT64_MIN, -3600, 0, out);
    PA_IS_INT(n, 0, "INT64_MIN not formatted");
    n = ngx_pa_rfc3339_format((time_t) -62167219200LL, 0, 1, out);
    PA_IS_INT(n, 20, "year 0000 formatted");
    PA_IS_STR(out, "0000-01-01T00:00:00Z", "... as 0000-01-01T00:00:00Z");
    ngx_pa_rfc3339_format((time_t) 253402300799LL, 0, 1, out);
    PA_IS_STR(out, "9999-12-31T23:59:59Z", "year 9999 formatted");

    /* round trips over a range of instants and offsets */
    {
        time_t  back;
        int     bad = 0, i;

        for (i = 0; i < 2000; i++) {
            time_t  t = (time_t) i * 7919 * 3607 - 86400LL * 365;
            n = ngx_pa_rfc3339_format(t, 25200, 0, out);
            if (n != 25
                || ngx_pa_rfc3339_parse((u_char *) out, n, &back) != 0
                || back != t)
            {
                bad++;
            }
            n = ngx_pa_rfc3339_format(t, 0, 1, out);
            if (n != 20
                || ngx_pa_rfc3339_parse((u_char *) out, n, &back) != 0
                || back != t)
            {
                bad++;
            }
        }

        PA_IS_INT(bad, 0, "format/parse round trips");
    }
}


static void
test_bool(void)
{
    PA_IS_INT(ngx_pa_parse_bool(S("true")), 1, "true");
    PA_IS_INT(ngx_pa_parse_bool(S("True")), 1, "True");
    PA_IS_INT(ngx_pa_parse_bool(S("1")), 1, "1");
    PA_IS_INT(ngx_pa_parse_bool(S("on")), 1, "on");
    PA_IS_INT(ngx_pa_parse_bool(S("yes")), 1, "yes");
    PA_IS_INT(ngx_pa_parse_bool(S("false")), 0, "false");
    PA_IS_INT(ngx_pa_parse_bool(S("0")), 0, "0");
    PA_IS_INT(ngx_pa_parse_bool(S("OFF")), 0, "OFF");
    PA_IS_INT(ngx_pa_parse_bool(S("no")), 0, "no");
    PA_IS_INT(ngx_pa_parse_bool(S("")), -1, "empty");
    PA_IS_INT(ngx_pa_parse_bool(S("2")), -1, "2");
    PA_IS_INT(ngx_pa_parse_bool(S("tru")), -1, "tru");
    PA_IS_INT(ngx_pa_parse_bool(S("true ")), -1, "trailing space");
    PA_IS_INT(ngx_pa_parse_bool(S("\x11")), -1, "control byte not '1'");
    PA_IS_INT(ngx_pa_parse_bool(S("\x10")), -1, "control byte not '0'");
}


int
main(void)
{
    test_utf8();
    test_blank();
    test_phone();
    test_phone_any();
    test_email();
    test_decimal();
    test_latlng();
    test_rfc3339();
    test_w3c();
    test_bool();

    /* fixed-point coordinates: snprintf()'s bytes, fast or not */
    {
        int     k, dec, same;
        char    a[64], b[64];
        double  d;
        static const double  fixed[] = {
            0, -0.0, 22.396, 103.458, -1e-9, 0.00000005, 0.00000015,
            179.99999995, -179.99999995, 1e12, 123456789.123456789, 0.5,
            22.39120000000001, 1e300, -1e-300
        };

        same = 1;

        for (k = 0; k < (int) (sizeof(fixed) / sizeof(fixed[0])); k++) {
            for (dec = 1; dec <= 10; dec++) {
                snprintf(a, sizeof(a), "%.*f", dec, fixed[k]);
                ngx_pa_fixed_format(fixed[k], dec, b, sizeof(b));
                if (strcmp(a, b) != 0) {
                    printf("#   %.17g %d: %s != %s\n", fixed[k], dec, a, b);
                    same = 0;
                }
            }
        }

        srand(7);

        for (k = 0; k < 300000; k++) {
            d = (rand() / (double) RAND_MAX - 0.5) * 360;

            if (k % 3 == 0) {
                d = floor(d * 1e7 + 0.5) / 1e7;     /* as typed: 7 places */
            }

            dec = (k % 2) ? 7 : 10;
            snprintf(a, sizeof(a), "%.*f", dec, d);
            ngx_pa_fixed_format(d, dec, b, sizeof(b));

            if (strcmp(a, b) != 0) {
                printf("#   %.17g %d: %s != %s\n", d, dec, a, b);
                same = 0;
                break;
            }
        }

        PA_OK(same, "%%.7f and %%.10f of coordinates: snprintf()'s bytes");

        PA_IS_INT(ngx_pa_fixed_format(103.458, 7, b, 8), 11,
                  "too small a buffer: the length snprintf() gives");
        PA_IS_STR(b, "103.458", "... and its truncated bytes");
    }

    PA_DONE();
}
