/*
 * libFuzzer harness of the JSON body parser and the compact dump
 * (ngx_pa_jparse.c, ngx_pa_jdump.c, ngx_pa_jstr.c), differential against
 * jansson: what ngx_pa_jparse_object() takes, json_loadb() must read to
 * an equal value; a value's ngx_pa_jdump() must be json_dumps()'s bytes,
 * names sorted or in order; each string's jstr verdict must be
 * json_stringn()'s.  Any difference aborts.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ngx_pa_jdump.h"
#include "ngx_pa_jparse.h"
#include "ngx_pa_jstr.h"


typedef struct {
    char    *p;
    size_t   len;
    size_t   size;
} fz_text_t;


static int
fz_collect(const u_char *p, size_t len, void *data)
{
    fz_text_t  *t = data;

    if (t->len + len + 1 > t->size) {
        t->size = (t->len + len + 1) * 2;
        t->p = realloc(t->p, t->size);
        if (t->p == NULL) {
            abort();
        }
    }

    memcpy(t->p + t->len, p, len);
    t->len += len;
    t->p[t->len] = '\0';

    return 0;
}


static void
fz_dump(json_t *v, int sort, int precision)
{
    char       *want;
    fz_text_t   t = { NULL, 0, 0 };

    want = json_dumps(v, JSON_COMPACT
                         | (sort ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER)
                         | JSON_REAL_PRECISION(precision));

    if (ngx_pa_jdump(v, sort, precision, fz_collect, &t) != 0) {
        abort();                    /* jansson's values dump, always */
    }

    if (want == NULL || t.p == NULL || strcmp(want, t.p) != 0) {
        abort();
    }

    free(want);
    free(t.p);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t  *mine, *theirs, *s;

    /* the bytes as one string: the same UTF-8 verdict as jansson's */

    s = json_stringn((const char *) data, size);

    if ((s == NULL) != (ngx_pa_jstr_len(data, size) == (size_t) -1)) {
        abort();
    }

    json_decref(s);

    mine = ngx_pa_jparse_object(data, size);
    if (mine == NULL) {
        return 0;
    }

    theirs = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES,
                        NULL);

    if (theirs == NULL || !json_equal(mine, theirs)) {
        abort();
    }

    fz_dump(mine, 0, 10);
    fz_dump(mine, 1, 0);

    json_decref(mine);
    json_decref(theirs);

    return 0;
}
