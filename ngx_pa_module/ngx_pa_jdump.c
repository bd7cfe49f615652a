/*
 * jansson's compact dump, written faster (ngx_pa_jdump.h).  jansson's own
 * dump escapes a string a character at a time through its callback and
 * formats integers with snprintf(); here strings go through ngx_pa_jstr.c
 * and the text is gathered in a block before out() sees it.  What jansson
 * does is followed from its dump.c and strconv.c (2.14): compact
 * separators, names sorted by memcmp() then length, integers in decimal,
 * reals as "%.<precision>g" with ".0" added when it reads as an integer
 * and the exponent without '+' or leading zeros.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_dtoa.h"
#include "ngx_pa_jdump.h"
#include "ngx_pa_jstr.h"


#define NGX_PA_JDUMP_BLOCK  4096
#define NGX_PA_JDUMP_DEPTH  64         /* jansson's own limit is 2048 */
#define NGX_PA_JDUMP_NAMES  32         /* sorted on the stack */


typedef struct {
    ngx_pa_jdump_pt   out;
    void             *data;
    int               sort;
    int               precision;
    int               depth;
    size_t            used;
    u_char            block[NGX_PA_JDUMP_BLOCK];
} ngx_pa_jdump_t;


typedef struct {
    const char       *name;
    size_t            len;
    json_t           *value;
} ngx_pa_jdump_name_t;


static int ngx_pa_jdump_value(ngx_pa_jdump_t *jd, json_t *v);
static int ngx_pa_jdump_object(ngx_pa_jdump_t *jd, json_t *o);
static int ngx_pa_jdump_names(ngx_pa_jdump_t *jd, ngx_pa_jdump_name_t *n,
    size_t count);
static int ngx_pa_jdump_compare(const void *one, const void *two);
static int ngx_pa_jdump_string(ngx_pa_jdump_t *jd, const char *s,
    size_t len);
static int ngx_pa_jdump_integer(ngx_pa_jdump_t *jd, json_int_t i);
static int ngx_pa_jdump_real(ngx_pa_jdump_t *jd, double d);
static int ngx_pa_jdump_put(ngx_pa_jdump_t *jd, const void *p, size_t len);
static int ngx_pa_jdump_flush(ngx_pa_jdump_t *jd);


int
ngx_pa_jdump(json_t *v, int sort, int precision, ngx_pa_jdump_pt out,
    void *data)
{
    ngx_pa_jdump_t  *jd, local;

    jd = &local;
    jd->out = out;
    jd->data = data;
    jd->sort = sort;
    jd->precision = precision ? precision : 17;
    jd->depth = 0;
    jd->used = 0;

    if (ngx_pa_jdump_value(jd, v) != 0) {
        return -1;
    }

    return ngx_pa_jdump_flush(jd);
}


static int
ngx_pa_jdump_value(ngx_pa_jdump_t *jd, json_t *v)
{
    size_t  i;

    switch (json_typeof(v)) {

    case JSON_OBJECT:
        return ngx_pa_jdump_object(jd, v);

    case JSON_ARRAY:
        if (++jd->depth > NGX_PA_JDUMP_DEPTH
            || ngx_pa_jdump_put(jd, "[", 1) != 0)
        {
            return -1;
        }

        for (i = 0; i < json_array_size(v); i++) {
            if ((i && ngx_pa_jdump_put(jd, ",", 1) != 0)
                || ngx_pa_jdump_value(jd, json_array_get(v, i)) != 0)
            {
                return -1;
            }
        }

        jd->depth--;
        return ngx_pa_jdump_put(jd, "]", 1);

    case JSON_STRING:
        return ngx_pa_jdump_string(jd, json_string_value(v),
                                   json_string_length(v));

    case JSON_INTEGER:
        return ngx_pa_jdump_integer(jd, json_integer_value(v));

    case JSON_REAL:
        return ngx_pa_jdump_real(jd, json_real_value(v));

    case JSON_TRUE:
        return ngx_pa_jdump_put(jd, "true", 4);

    case JSON_FALSE:
        return ngx_pa_jdump_put(jd, "false", 5);

    case JSON_NULL:
        return ngx_pa_jdump_put(jd, "null", 4);
    }

    return -1;
}


static int
ngx_pa_jdump_object(ngx_pa_jdump_t *jd, json_t *o)
{
    int                   rc;
    void                 *it;
    size_t                n, size;
    ngx_pa_jdump_name_t  *names, local[NGX_PA_JDUMP_NAMES];

    if (++jd->depth > NGX_PA_JDUMP_DEPTH) {
        return -1;
    }

    size = json_object_size(o);
    names = (size <= NGX_PA_JDUMP_NAMES) ? local
                                         : malloc(size * sizeof(*names));
    if (names == NULL) {
        return -1;
    }

    n = 0;

    for (it = json_object_iter(o); it != NULL && n < size;
         it = json_object_iter_next(o, it))
    {
        names[n].name = json_object_iter_key(it);
        names[n].len = json_object_iter_key_len(it);
        names[n].value = json_object_iter_value(it);
        n++;
    }

    if (jd->sort && n > 1) {
        qsort(names, n, sizeof(*names), ngx_pa_jdump_compare);
    }

    rc = ngx_pa_jdump_names(jd, names, n);

    if (names != local) {
        free(names);
    }

    jd->depth--;

    return rc;
}


static int
ngx_pa_jdump_names(ngx_pa_jdump_t *jd, ngx_pa_jdump_name_t *n, size_t count)
{
    size_t  i;

    if (ngx_pa_jdump_put(jd, "{", 1) != 0) {
        return -1;
    }

    for (i = 0; i < count; i++) {
        if ((i && ngx_pa_jdump_put(jd, ",", 1) != 0)
            || ngx_pa_jdump_string(jd, n[i].name, n[i].len) != 0
            || ngx_pa_jdump_put(jd, ":", 1) != 0
            || ngx_pa_jdump_value(jd, n[i].value) != 0)
        {
            return -1;
        }
    }

    return ngx_pa_jdump_put(jd, "}", 1);
}


/* jansson's compare_keys() */

static int
ngx_pa_jdump_compare(const void *one, const void *two)
{
    int                         rc;
    const ngx_pa_jdump_name_t  *a = one, *b = two;

    rc = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);

    if (rc != 0) {
        return rc;
    }

    return (a->len > b->len) - (a->len < b->len);
}


static int
ngx_pa_jdump_string(ngx_pa_jdump_t *jd, const char *s, size_t len)
{
    int      rc;
    size_t   n;
    u_char  *tmp, *end;

    /* one pass where the longest it can be fits in a block */

    if (NGX_PA_JSTR_MAX(len) <= NGX_PA_JDUMP_BLOCK) {
        if (NGX_PA_JSTR_MAX(len) > NGX_PA_JDUMP_BLOCK - jd->used
            && ngx_pa_jdump_flush(jd) != 0)
        {
            return -1;
        }

        end = ngx_pa_jstr_put(jd->block + jd->used, (const u_char *) s, len);
        if (end == NULL) {
            return -1;
        }

        jd->used = end - jd->block;
        return 0;
    }

    n = ngx_pa_jstr_len((const u_char *) s, len);

    if (n == (size_t) -1) {
        return -1;
    }

    if (n > NGX_PA_JDUMP_BLOCK - jd->used && ngx_pa_jdump_flush(jd) != 0) {
        return -1;
    }

    if (n <= NGX_PA_JDUMP_BLOCK) {
        ngx_pa_jstr_write(jd->block + jd->used, (const u_char *) s, len);
        jd->used += n;
        return 0;
    }

    /* a long text: written whole, then handed over */

    tmp = malloc(n);
    if (tmp == NULL) {
        return -1;
    }

    ngx_pa_jstr_write(tmp, (const u_char *) s, len);
    rc = jd->out(tmp, n, jd->data);
    free(tmp);

    return rc;
}


static int
ngx_pa_jdump_integer(ngx_pa_jdump_t *jd, json_int_t i)
{
    u_char              buf[24], *p;
    unsigned long long  u;

    p = buf + sizeof(buf);
    u = (i < 0) ? 0ULL - (unsigned long long) i : (unsigned long long) i;

    do {
        *--p = (u_char) ('0' + u % 10);
        u /= 10;
    } while (u);

    if (i < 0) {
        *--p = '-';
    }

    return ngx_pa_jdump_put(jd, p, buf + sizeof(buf) - p);
}


/* jsonp_dtostr() */

static int
ngx_pa_jdump_real(ngx_pa_jdump_t *jd, double d)
{
    int    n;
    char   buf[100], *start, *end;

    n = ngx_pa_dtoa_g(buf, sizeof(buf), jd->precision, d);

    if (n < 0 || (size_t) n >= sizeof(buf) - 3) {
        return -1;
    }

    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }

    start = strchr(buf, 'e');

    if (start != NULL) {
        start++;
        end = start + 1;

        if (*start == '-') {
            start++;
        }

        while (*end == '0') {
            end++;
        }

        if (end != start) {
            memmove(start, end, n - (end - buf) + 1);
            n -= end - start;
        }
    }

    return ngx_pa_jdump_put(jd, buf, n);
}


static int
ngx_pa_jdump_put(ngx_pa_jdump_t *jd, const void *p, size_t len)
{
    if (len > NGX_PA_JDUMP_BLOCK - jd->used) {
        if (ngx_pa_jdump_flush(jd) != 0) {
            return -1;
        }

        if (len > NGX_PA_JDUMP_BLOCK) {
            return jd->out(p, len, jd->data);
        }
    }

    memcpy(jd->block + jd->used, p, len);
    jd->used += len;

    return 0;
}


static int
ngx_pa_jdump_flush(ngx_pa_jdump_t *jd)
{
    size_t  n;

    n = jd->used;
    jd->used = 0;

    return n ? jd->out(jd->block, n, jd->data) : 0;
}
