/*
 * Minimal TAP producer for the C unit tests of the pure parts of ngx_pa
 * (calendar, validators, multipart, metadata, JWT, PII).  Each test binary
 * prints TAP, so `prove` runs them next to the t/ suite.
 */

#ifndef PA_UNIT_H
#define PA_UNIT_H

#include <stdio.h>
#include <string.h>

static int  pa_unit_n;
static int  pa_unit_failed;

#define PA_OK(cond, ...)                                                      \
    do {                                                                      \
        pa_unit_n++;                                                          \
        if (cond) {                                                           \
            printf("ok %d - ", pa_unit_n);                                    \
        } else {                                                              \
            pa_unit_failed++;                                                 \
            printf("not ok %d - ", pa_unit_n);                                \
        }                                                                     \
        printf(__VA_ARGS__);                                                  \
        printf("\n");                                                         \
        if (!(cond)) {                                                        \
            printf("#   failed at %s line %d: %s\n", __FILE__, __LINE__,     \
                   #cond);                                                    \
        }                                                                     \
    } while (0)

#define PA_IS_INT(got, want, ...)                                             \
    do {                                                                      \
        long long  pa_g_ = (long long) (got), pa_w_ = (long long) (want);     \
        PA_OK(pa_g_ == pa_w_, __VA_ARGS__);                                   \
        if (pa_g_ != pa_w_) {                                                 \
            printf("#   got: %lld\n#   expected: %lld\n", pa_g_, pa_w_);      \
        }                                                                     \
    } while (0)

#define PA_IS_STR(got, want, ...)                                             \
    do {                                                                      \
        const char  *pa_g_ = (got), *pa_w_ = (want);                          \
        int          pa_eq_ = (pa_g_ && pa_w_ && strcmp(pa_g_, pa_w_) == 0);  \
        PA_OK(pa_eq_, __VA_ARGS__);                                           \
        if (!pa_eq_) {                                                        \
            printf("#   got: '%s'\n#   expected: '%s'\n",                     \
                   pa_g_ ? pa_g_ : "(null)", pa_w_ ? pa_w_ : "(null)");       \
        }                                                                     \
    } while (0)

#define PA_DONE()                                                             \
    do {                                                                      \
        printf("1..%d\n", pa_unit_n);                                         \
        return pa_unit_failed ? 1 : 0;                                        \
    } while (0)

#endif /* PA_UNIT_H */
