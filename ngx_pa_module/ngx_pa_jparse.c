/*
 * A JSON body parsed into jansson's values (ngx_pa_jparse.h).  jansson's
 * json_loadb() reads its input a character at a time through a stream
 * with a UTF-8 check on each, and copies each string through a growing
 * buffer: a tenth of the worker's CPU per JSON submit.  Here strings
 * without escapes are made from the input where they lie, and anything
 * this parser does not take on returns NULL: json_loadb() then parses the
 * body, its values and its error messages unchanged.  It follows
 * jansson's grammar (load.c): the same numbers are integers, the same
 * reals, keys in the same order.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_dtoa.h"
#include "ngx_pa_jparse.h"
#include "ngx_pa_jstr.h"


#define NGX_PA_JPARSE_DEPTH   32       /* deeper: json_loadb() */
#define NGX_PA_JPARSE_NUMBER  64       /* longer: json_loadb() */


typedef struct {
    const u_char  *p;
    const u_char  *last;
    u_char        *buf;                /* strings with escapes */
    size_t         size;
    int            depth;
} ngx_pa_jparse_t;


static json_t *ngx_pa_jparse_value(ngx_pa_jparse_t *jp);
static json_t *ngx_pa_jparse_obj(ngx_pa_jparse_t *jp);
static json_t *ngx_pa_jparse_array(ngx_pa_jparse_t *jp);
static int ngx_pa_jparse_string(ngx_pa_jparse_t *jp, const u_char **s,
    size_t *len);
static int ngx_pa_jparse_unescape(ngx_pa_jparse_t *jp, const u_char *start,
    const u_char **s, size_t *len);
static json_t *ngx_pa_jparse_number(ngx_pa_jparse_t *jp);
static json_t *ngx_pa_jparse_word(ngx_pa_jparse_t *jp, const char *word,
    size_t n, json_t *value);
static void ngx_pa_jparse_blank(ngx_pa_jparse_t *jp);


json_t *
ngx_pa_jparse_object(const u_char *buf, size_t len)
{
    json_t           *v;
    ngx_pa_jparse_t   jp;

    memset(&jp, 0, sizeof(ngx_pa_jparse_t));
    jp.p = buf;
    jp.last = buf + len;

    ngx_pa_jparse_blank(&jp);

    v = (jp.p < jp.last && *jp.p == '{') ? ngx_pa_jparse_value(&jp) : NULL;

    ngx_pa_jparse_blank(&jp);

    if (v != NULL && jp.p != jp.last) {
        json_decref(v);
        v = NULL;
    }

    free(jp.buf);

    return v;
}


static void
ngx_pa_jparse_blank(ngx_pa_jparse_t *jp)
{
    while (jp->p < jp->last
           && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n'
               || *jp->p == '\r'))
    {
        jp->p++;
    }
}


static json_t *
ngx_pa_jparse_value(ngx_pa_jparse_t *jp)
{
    size_t         len;
    json_t        *v;
    const u_char  *s;

    if (jp->p == jp->last) {
        return NULL;
    }

    switch (*jp->p) {

    case '{':
        if (++jp->depth > NGX_PA_JPARSE_DEPTH) {
            return NULL;
        }

        v = ngx_pa_jparse_obj(jp);
        jp->depth--;
        return v;

    case '[':
        if (++jp->depth > NGX_PA_JPARSE_DEPTH) {
            return NULL;
        }

        v = ngx_pa_jparse_array(jp);
        jp->depth--;
        return v;

    case '"':
        if (ngx_pa_jparse_string(jp, &s, &len) != 0) {
            return NULL;
        }

        return json_stringn_nocheck((const char *) s, len);

    case 't':
        return ngx_pa_jparse_word(jp, "true", 4, json_true());

    case 'f':
        return ngx_pa_jparse_word(jp, "false", 5, json_false());

    case 'n':
        return ngx_pa_jparse_word(jp, "null", 4, json_null());

    default:
        return ngx_pa_jparse_number(jp);
    }
}


static json_t *
ngx_pa_jparse_word(ngx_pa_jparse_t *jp, const char *word, size_t n,
    json_t *value)
{
    if ((size_t) (jp->last - jp->p) < n || memcmp(jp->p, word, n) != 0) {
        return NULL;
    }

    jp->p += n;

    return value;
}


/* "{" done by the caller's look; a name twice: json_loadb() says so */

static json_t *
ngx_pa_jparse_obj(ngx_pa_jparse_t *jp)
{
    char          *key;
    size_t         len;
    json_t        *o, *v;
    const u_char  *s;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    jp->p++;
    ngx_pa_jparse_blank(jp);

    if (jp->p < jp->last && *jp->p == '}') {
        jp->p++;
        return o;
    }

    for ( ;; ) {
        if (jp->p == jp->last || *jp->p != '"'
            || ngx_pa_jparse_string(jp, &s, &len) != 0)
        {
            goto failed;
        }

        key = (char *) s;

        if (json_object_getn(o, key, len) != NULL) {
            goto failed;
        }

        ngx_pa_jparse_blank(jp);

        if (jp->p == jp->last || *jp->p != ':') {
            goto failed;
        }

        jp->p++;
        ngx_pa_jparse_blank(jp);

        /* an escaped key lives in buf, which the value may reuse: copy */

        if (key == (char *) jp->buf) {
            key = malloc(len ? len : 1);
            if (key == NULL) {
                goto failed;
            }

            memcpy(key, s, len);
        }

        v = ngx_pa_jparse_value(jp);

        if (v == NULL || json_object_setn_new_nocheck(o, key, len, v) != 0) {
            if (key != (char *) s) {
                free(key);
            }

            goto failed;
        }

        if (key != (char *) s) {
            free(key);
        }

        ngx_pa_jparse_blank(jp);

        if (jp->p < jp->last && *jp->p == ',') {
            jp->p++;
            ngx_pa_jparse_blank(jp);
            continue;
        }

        if (jp->p < jp->last && *jp->p == '}') {
            jp->p++;
            return o;
        }

        goto failed;
    }

failed:

    json_decref(o);
    return NULL;
}


static json_t *
ngx_pa_jparse_array(ngx_pa_jparse_t *jp)
{
    json_t  *a, *v;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    jp->p++;
    ngx_pa_jparse_blank(jp);

    if (jp->p < jp->last && *jp->p == ']') {
        jp->p++;
        return a;
    }

    for ( ;; ) {
        v = ngx_pa_jparse_value(jp);

        if (v == NULL || json_array_append_new(a, v) != 0) {
            break;
        }

        ngx_pa_jparse_blank(jp);

        if (jp->p < jp->last && *jp->p == ',') {
            jp->p++;
            ngx_pa_jparse_blank(jp);
            continue;
        }

        if (jp->p < jp->last && *jp->p == ']') {
            jp->p++;
            return a;
        }

        break;
    }

    json_decref(a);
    return NULL;
}


/*
 * The string at p (its '"'): *s and *len its bytes, in the input when it
 * holds no escape.  Control characters, \u escapes and bad UTF-8: -1.
 */

static int
ngx_pa_jparse_string(ngx_pa_jparse_t *jp, const u_char **s, size_t *len)
{
    size_t         n;
    const u_char  *p, *start;

    start = ++jp->p;

    for (p = start; p < jp->last; ) {
        if (*p == '"') {
            *s = start;
            *len = p - start;
            jp->p = p + 1;
            return 0;
        }

        if (*p == '\\') {
            return ngx_pa_jparse_unescape(jp, start, s, len);
        }

        if (*p < 0x20) {
            return -1;
        }

        if (*p < 0x80) {
            p++;
            continue;
        }

        n = ngx_pa_jstr_utf8(p, jp->last - p);
        if (n == 0) {
            return -1;
        }

        p += n;
    }

    return -1;
}


/* a string with escapes, into jp->buf */

static int
ngx_pa_jparse_unescape(ngx_pa_jparse_t *jp, const u_char *start,
    const u_char **s, size_t *len)
{
    size_t         n;
    u_char        *q;
    const u_char  *p;

    /* never longer than the rest of the input */

    n = jp->last - start;

    if (jp->size < n) {
        free(jp->buf);
        jp->buf = malloc(n);
        jp->size = jp->buf ? n : 0;

        if (jp->buf == NULL) {
            return -1;
        }
    }

    q = jp->buf;

    for (p = start; p < jp->last; ) {
        if (*p == '"') {
            *s = jp->buf;
            *len = q - jp->buf;
            jp->p = p + 1;
            return 0;
        }

        if (*p == '\\') {
            if (++p == jp->last) {
                return -1;
            }

            switch (*p++) {
            case '"':  *q++ = '"';  break;
            case '\\': *q++ = '\\'; break;
            case '/':  *q++ = '/';  break;
            case 'b':  *q++ = '\b'; break;
            case 'f':  *q++ = '\f'; break;
            case 'n':  *q++ = '\n'; break;
            case 'r':  *q++ = '\r'; break;
            case 't':  *q++ = '\t'; break;
            default:   return -1;   /* \u and errors: json_loadb() */
            }

            continue;
        }

        if (*p < 0x20) {
            return -1;
        }

        n = (*p < 0x80) ? 1 : ngx_pa_jstr_utf8(p, jp->last - p);
        if (n == 0) {
            return -1;
        }

        memcpy(q, p, n);
        q += n;
        p += n;
    }

    return -1;
}


/*
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?: an integer without
 * fraction and exponent, else a real; one strtoll() or strtod() cannot
 * hold is json_loadb()'s to refuse.
 */

static json_t *
ngx_pa_jparse_number(ngx_pa_jparse_t *jp)
{
    int            real;
    char           text[NGX_PA_JPARSE_NUMBER + 1], *end;
    double         d;
    size_t         n;
    long long      i;
    const u_char  *p;

    p = jp->p;
    real = 0;

    if (p < jp->last && *p == '-') {
        p++;
    }

    if (p < jp->last && *p == '0') {
        p++;

    } else if (p < jp->last && *p >= '1' && *p <= '9') {
        while (p < jp->last && *p >= '0' && *p <= '9') {
            p++;
        }

    } else {
        return NULL;
    }

    if (p < jp->last && *p == '.') {
        real = 1;

        if (++p == jp->last || *p < '0' || *p > '9') {
            return NULL;
        }

        while (p < jp->last && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < jp->last && (*p == 'e' || *p == 'E')) {
        real = 1;

        if (++p < jp->last && (*p == '+' || *p == '-')) {
            p++;
        }

        if (p == jp->last || *p < '0' || *p > '9') {
            return NULL;
        }

        while (p < jp->last && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    /* "01": jansson reads 0, then fails on 1 */

    if (p < jp->last && *p >= '0' && *p <= '9') {
        return NULL;
    }

    n = p - jp->p;
    if (n > NGX_PA_JPARSE_NUMBER) {
        return NULL;
    }

    memcpy(text, jp->p, n);
    text[n] = '\0';

    errno = 0;

    if (real) {
        d = ngx_pa_strtod(text, &end);

        if (errno == ERANGE || !isfinite(d) || end != text + n) {
            return NULL;
        }

        jp->p = p;
        return json_real(d);
    }

    i = strtoll(text, &end, 10);

    if (errno == ERANGE || end != text + n) {
        return NULL;
    }

    jp->p = p;
    return json_integer((json_int_t) i);
}
