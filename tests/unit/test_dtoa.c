/*
 * Unit tests of ngx_pa_dtoa.c: the same bytes as glibc's
 * snprintf("%.<p>g") at every precision 1 to 17, and the same double as
 * strtod(), on fixed values (ties, powers of ten, rounding that carries,
 * the fallbacks' ranges) and on a million random ones of each kind.
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ngx_pa_dtoa.h"
#include "pa_unit.h"


static int  bad;


static void
check_g(double d, int precision)
{
    int   n, want_n;
    char  got[64], want[64];

    n = ngx_pa_dtoa_g(got, sizeof(got), precision, d);
    want_n = snprintf(want, sizeof(want), "%.*g", precision, d);

    if ((n != want_n || strcmp(got, want) != 0) && bad++ < 5) {
        printf("#   %%.%dg of %a: want %s, got %s\n", precision, d, want,
               got);
    }
}


static void
check_strtod(const char *s)
{
    char    *end, *want_end;
    double   got, want;

    got = ngx_pa_strtod(s, &end);
    want = strtod(s, &want_end);

    if ((memcmp(&got, &want, sizeof(double)) != 0 || end != want_end)
        && bad++ < 5)
    {
        printf("#   strtod of %s: want %a, got %a\n", s, want, got);
    }
}


static double
random_bits(void)
{
    double    d;
    uint64_t  u;

    u = ((uint64_t) rand() << 62) ^ ((uint64_t) rand() << 31) ^ rand();
    memcpy(&d, &u, sizeof(d));

    return d;
}


int
main(void)
{
    int     i, p, k;
    char    s[64];
    double  d;

    static const double  fixed[] = {
        22.396, 103.458, -22.396, 0.1, 0.5, 1.5, 2.5, 0.125, 0.375,
        9.5, 99.5, 999.5, 0.0001, 0.00001, 0.000099999, 1e-5, 1e15, 1e16,
        1e17, 9007199254740992.0, 9007199254740993.0, 123456789012.5,
        99999999999999999.0, 0.99999999999999999, 9.9999999999999999,
        1.0 / 3, 2.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308, 100.0,
        1.0, 10.0, 0.0, -0.0, 21.0001, 105.25, 8.5, 0.95, 0.05, 1e21,
        1e22, 1e23, 4.35, 1234567.0, 0.000123456789
    };
    static const char  *texts[] = {
        "22.396", "103.458", "-22.396", "0", "-0", "0.0", "-0.0", "1e5",
        "1E-5", "1e+22", "1e23", "1e-22", "1e-23", "123456789012345",
        "1234567890123456", "12345678901234567890", "0.000000000000001",
        "00012.5", "9007199254740993", "1e400", "1e-400", "4.9e-324",
        "2.2250738585072011e-308", "0.1e1", "1.", "5e", "12abc", "-", "",
        "0.30000000000000004", "179769313486231570000000000000000000000"
    };

    for (i = 0; i < (int) (sizeof(fixed) / sizeof(fixed[0])); i++) {
        for (p = 1; p <= 17; p++) {
            check_g(fixed[i], p);
        }
    }

    /* powers of ten and their neighbours: 1e-6 is 9.99...95e-07 */

    for (k = -30; k <= 30; k++) {
        d = pow(10, k);

        for (p = 1; p <= 17; p++) {
            check_g(d, p);
            check_g(nextafter(d, 0), p);
            check_g(nextafter(d, 1e300), p);
            check_g(-d, p);
        }

        snprintf(s, sizeof(s), "1e%d", k);
        check_strtod(s);
        snprintf(s, sizeof(s), "1.0e%d", k);
        check_strtod(s);
    }

    PA_IS_INT(bad, 0, "%%.Ng of fixed values, powers of ten and their "
              "neighbours, N 1 to 17; strtod of the powers");
    bad = 0;

    srand(12);

    for (i = 0; i < 1000000; i++) {
        switch (i % 4) {
        case 0:
            d = random_bits();
            break;
        case 1:
            /* a coordinate with 1 to 9 decimals */
            k = 1 + rand() % 9;
            d = (double) (rand() % 360000000 - 180000000) / pow(10, k % 7 + 1);
            break;
        case 2:
            /* a tie in binary: odd / 2^k */
            d = (double) (2 * (rand() % 100000) + 1) / (double) (1 << (1 + rand() % 20));
            break;
        default:
            d = (double) rand() * pow(10, rand() % 40 - 20);
        }

        check_g(d, 1 + i % 17);
        check_g(d, 17);
        check_g(d, 10);
    }

    PA_IS_INT(bad, 0, "%%.Ng of a million random doubles");
    bad = 0;

    for (i = 0; i < (int) (sizeof(texts) / sizeof(texts[0])); i++) {
        check_strtod(texts[i]);
    }

    PA_IS_INT(bad, 0, "strtod of fixed texts");
    bad = 0;

    for (i = 0; i < 1000000; i++) {
        switch (i % 3) {
        case 0:
            snprintf(s, sizeof(s), "%s%d.%0*d", rand() % 2 ? "-" : "",
                     rand() % 181, 1 + rand() % 9, rand() % 1000000000);
            break;
        case 1:
            snprintf(s, sizeof(s), "%d%de%d", rand(), rand() % 1000,
                     rand() % 60 - 30);
            break;
        default:
            snprintf(s, sizeof(s), "%.*g", 1 + rand() % 17, random_bits());
        }

        check_strtod(s);
    }

    PA_IS_INT(bad, 0, "strtod of a million random texts");

    printf("1..%d\n", pa_unit_n);

    return pa_unit_failed != 0;
}
