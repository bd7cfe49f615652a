/*
 * libFuzzer harness for ngx_pa_meta.c: every input goes through the three
 * container parsers, the raw TIFF parser and the JPEG stripper, in memory
 * and through file descriptors, and beyond "no crash" checks invariants:
 *  - the fd variants agree with the memory ones exactly;
 *  - text fields are NUL-terminated inside their arrays;
 *  - a failed parse leaves the result zeroed;
 *  - a stripped JPEG is no longer than its input, starts with SOI, ends
 *    with EOI, still parses, carries no EXIF, and stripping it again
 *    changes nothing.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ingx_pa_module \
 *       fuzz/fuzz_meta.c ngx_pa_module/ngx_pa_meta.c -o build/fuzz_meta
 *   mkdir -p fuzz/corpus-run && UBSAN_OPTIONS=halt_on_error=1 \
 *       build/fuzz_meta -max_total_time=180 -dict=fuzz/meta.dict \
 *       fuzz/corpus-run fuzz/corpus/meta build/fixtures
 *
 * Inputs stay small, so also build with -DNGX_PA_STRIP_WINDOW=3: the fd
 * stripper then reads 3 bytes at a time and every FF00, RSTn, fill byte
 * and marker falls across window edges, checked against the memory one.
 */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ngx_pa_meta.h"


#define check(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "invariant failed: %s (line %d)\n", #cond,        \
                    __LINE__);                                                \
            abort();                                                          \
        }                                                                     \
    } while (0)


static int  fuzz_in = -1, fuzz_out = -1;


static void
fuzz_text_ok(const char *s)
{
    check(memchr(s, '\0', NGX_PA_META_TEXT_MAX) != NULL);
}


static void
fuzz_meta_ok(int rc, const ngx_pa_meta_t *m)
{
    static const ngx_pa_meta_t  zero;

    if (rc != 0) {
        check(memcmp(m, &zero, sizeof(zero)) == 0);
        return;
    }

    fuzz_text_ok(m->software);
    fuzz_text_ok(m->make);
    fuzz_text_ok(m->model);

    if (m->has_gps) {
        check(m->lat >= -90 && m->lat <= 90);
        check(m->lng >= -180 && m->lng <= 180);
    }

    (void) ngx_pa_meta_edited_software(m->software);
}


/* the input as a file: one memfd reused for every run */
static void
fuzz_file(const uint8_t *data, size_t size)
{
    if (fuzz_in == -1) {
        fuzz_in = memfd_create("fuzz_meta_in", 0);
        fuzz_out = memfd_create("fuzz_meta_out", 0);
        check(fuzz_in != -1 && fuzz_out != -1);
    }

    check(ftruncate(fuzz_in, 0) == 0);
    check(pwrite(fuzz_in, data, size, 0) == (ssize_t) size);
    check(ftruncate(fuzz_out, 0) == 0);
    check(lseek(fuzz_out, 0, SEEK_SET) == 0);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int            kind, rc, rc2;
    size_t         olen, olen2;
    u_char        *out;
    ngx_pa_meta_t  m, m2;

    fuzz_file(data, size);

    for (kind = NGX_PA_META_JPEG; kind <= NGX_PA_META_MP4; kind++) {
        rc = ngx_pa_meta_parse(kind, data, size, &m);
        fuzz_meta_ok(rc, &m);

        rc2 = ngx_pa_meta_parse_fd(kind, fuzz_in, (off_t) size, &m2);
        check(rc == rc2 && memcmp(&m, &m2, sizeof(m)) == 0);
    }

    rc = ngx_pa_meta_parse_tiff(data, size, &m);
    fuzz_meta_ok(rc, &m);

    out = malloc(size ? size : 1);
    check(out != NULL);

    rc = ngx_pa_jpeg_strip(data, size, out, &olen);
    rc2 = ngx_pa_jpeg_strip_fd(fuzz_in, fuzz_out);
    check(rc == rc2);

    if (rc == 0) {
        u_char  *out2;

        check(olen >= 4 && olen <= size);
        check(out[0] == 0xff && out[1] == 0xd8);
        check(out[olen - 2] == 0xff && out[olen - 1] == 0xd9);

        /* the fd variant wrote the same bytes */
        out2 = malloc(olen + 1);
        check(out2 != NULL);
        check(pread(fuzz_out, out2, olen + 1, 0) == (ssize_t) olen);
        check(memcmp(out, out2, olen) == 0);

        check(ngx_pa_meta_parse(NGX_PA_META_JPEG, out, olen, &m) == 0);
        check(!m.has_exif && !m.has_gps && !m.has_time);

        check(ngx_pa_jpeg_strip(out, olen, out2, &olen2) == 0);
        check(olen2 == olen && memcmp(out, out2, olen) == 0);

        free(out2);
    }

    free(out);

    return 0;
}
