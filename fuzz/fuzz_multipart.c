/*
 * libFuzzer harness for the streaming multipart parser.
 *
 * Input: byte 0 picks a chunk size (1..256), the rest is a body under the
 * fixed boundary "XyZ".  The body is parsed twice, whole and in chunks,
 * and the two runs must agree exactly (return code, error, parts, every
 * data byte): chunking must never change what the parser sees.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=all -Ingx_pa_module fuzz/fuzz_multipart.c \
 *       ngx_pa_module/ngx_pa_multipart.c -o build/fuzz_multipart
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_multipart.h"


#define BOUNDARY  "XyZ"


typedef struct {
    u_char   *buf;
    size_t    len;
    size_t    cap;
    size_t    run;          /* bytes of the data run not yet closed */
} fz_log_t;


static void
fz_add(fz_log_t *l, const void *p, size_t n)
{
    if (l->len + n > l->cap) {
        l->cap = (l->len + n) * 2 + 256;
        l->buf = realloc(l->buf, l->cap);
        if (l->buf == NULL) {
            abort();
        }
    }

    memcpy(l->buf + l->len, p, n);
    l->len += n;
}


/* closes a data run with its length, so runs cannot blur into events */

static void
fz_close_run(fz_log_t *l)
{
    if (l->run) {
        char  s[32];

        snprintf(s, sizeof(s), "|D%zu|", l->run);
        fz_add(l, s, strlen(s));
        l->run = 0;
    }
}


static int
fz_begin(void *data, const ngx_pa_mp_part_t *part)
{
    fz_log_t  *l = data;

    /* the strings must be terminated inside their arrays */
    if (memchr(part->name, '\0', sizeof(part->name)) == NULL
        || memchr(part->filename, '\0', sizeof(part->filename)) == NULL
        || memchr(part->content_type, '\0', sizeof(part->content_type))
           == NULL
        || part->name[0] == '\0')
    {
        abort();
    }

    fz_close_run(l);
    fz_add(l, "|B", 2);
    fz_add(l, part->name, strlen(part->name) + 1);
    fz_add(l, part->filename, strlen(part->filename) + 1);
    fz_add(l, part->content_type, strlen(part->content_type) + 1);
    fz_add(l, part->has_filename ? "1" : "0", 1);

    return NGX_PA_MP_OK;
}


static int
fz_data(void *data, const u_char *p, size_t len)
{
    fz_log_t  *l = data;

    if (len == 0) {
        abort();
    }

    fz_add(l, p, len);
    l->run += len;

    return NGX_PA_MP_OK;
}


static int
fz_end(void *data)
{
    fz_log_t  *l = data;

    fz_close_run(l);
    fz_add(l, "|E", 2);

    return NGX_PA_MP_OK;
}


static int
fz_parse(const u_char *p, size_t len, size_t chunk, fz_log_t *l,
    ngx_pa_multipart_t *mp)
{
    ngx_pa_mp_handler_t  h;
    size_t               off, n;
    int                  rc;

    h.part_begin = fz_begin;
    h.part_data = fz_data;
    h.part_end = fz_end;
    h.data = l;

    if (ngx_pa_multipart_init(mp, (const u_char *) BOUNDARY,
                              sizeof(BOUNDARY) - 1, &h)
        != NGX_PA_MP_OK)
    {
        abort();
    }

    for (off = 0; off < len; off += n) {
        n = len - off < chunk ? len - off : chunk;

        rc = ngx_pa_multipart_feed(mp, p + off, n);

        if (mp->hold_len >= mp->delim_len || mp->header_len
            > NGX_PA_MP_HEADER_MAX)
        {
            abort();
        }

        if (rc != NGX_PA_MP_OK) {
            fz_close_run(l);
            return rc;
        }
    }

    rc = ngx_pa_multipart_finish(mp);
    fz_close_run(l);

    return rc;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_pa_multipart_t  mp1, mp2;
    fz_log_t            l1, l2;
    size_t              chunk;
    int                 rc1, rc2;

    if (size == 0) {
        return 0;
    }

    chunk = (size_t) data[0] + 1;
    data++;
    size--;

    memset(&l1, 0, sizeof(l1));
    memset(&l2, 0, sizeof(l2));

    rc1 = fz_parse(data, size, size ? size : 1, &l1, &mp1);
    rc2 = fz_parse(data, size, chunk, &l2, &mp2);

    if (rc1 != rc2 || mp1.nparts != mp2.nparts || mp1.err != mp2.err
        || l1.len != l2.len
        || (l1.len && memcmp(l1.buf, l2.buf, l1.len) != 0))
    {
        fprintf(stderr, "chunk %zu: rc %d/%d parts %u/%u err %s/%s "
                "log %zu/%zu\n", chunk, rc1, rc2, mp1.nparts, mp2.nparts,
                mp1.err ? mp1.err : "-", mp2.err ? mp2.err : "-",
                l1.len, l2.len);
        abort();
    }

    if ((rc1 == NGX_PA_MP_ERROR) != (mp1.err != NULL)) {
        abort();
    }

    free(l1.buf);
    free(l2.buf);

    return 0;
}
