/*
 * The closed deadlines' field "dc", unfolded (ngx_pa_closed.h).
 */

#include "ngx_pa_closed.h"


static ngx_int_t ngx_pa_closed_entry(ngx_pool_t *pool, u_char *p,
    u_char *end, ngx_str_t *kv, ngx_uint_t n, ngx_str_t *out,
    ngx_uint_t *m, ngx_log_t *log);
static ngx_int_t ngx_pa_closed_put(ngx_pool_t *pool, ngx_str_t *out,
    ngx_uint_t *m, char kind, ngx_str_t *key, ngx_str_t *value);
static ngx_str_t *ngx_pa_closed_find(ngx_str_t *kv, ngx_uint_t n,
    const char *name, size_t len);


ngx_int_t
ngx_pa_closed_unfold(ngx_pool_t *pool, ngx_str_t **kv, ngx_uint_t *n,
    ngx_log_t *log)
{
    u_char      *p, *end, *semi;
    ngx_str_t   *dc, *out;
    ngx_uint_t   i, m, entries;

    dc = ngx_pa_closed_find(*kv, *n, NGX_PA_CLOSED_FIELD,
                            sizeof(NGX_PA_CLOSED_FIELD) - 1);
    if (dc == NULL) {
        return NGX_OK;
    }

    entries = 1;
    for (p = dc->data; p < dc->data + dc->len; p++) {
        entries += (*p == ';');
    }

    /* the other fields, then up to five for each entry */

    out = ngx_palloc(pool, ((*n - 1) + entries * 5) * 2 * sizeof(ngx_str_t)
                           + sizeof(ngx_str_t));
    if (out == NULL) {
        return NGX_ERROR;
    }

    m = 0;

    for (i = 0; i < *n; i++) {
        if (&(*kv)[i * 2 + 1] != dc) {
            out[m * 2] = (*kv)[i * 2];
            out[m * 2 + 1] = (*kv)[i * 2 + 1];
            m++;
        }
    }

    p = dc->data;
    end = dc->data + dc->len;

    while (p < end) {
        semi = ngx_strlchr(p, end, ';');
        if (semi == NULL) {
            semi = end;
        }

        if (ngx_pa_closed_entry(pool, p, semi, *kv, *n, out, &m, log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        p = semi + 1;
    }

    *kv = out;
    *n = m;

    return NGX_OK;
}


/* "<key> <due> <done - due> <met>[o][x]" */

static ngx_int_t
ngx_pa_closed_entry(ngx_pool_t *pool, u_char *p, u_char *end, ngx_str_t *kv,
    ngx_uint_t n, ngx_str_t *out, ngx_uint_t *m, ngx_log_t *log)
{
    u_char     *sp[3], *q, name[sizeof("dl:") + 64];
    size_t      len;
    time_t      due, delta;
    ngx_str_t   key, v;
    ngx_uint_t  i, neg;

    q = p;

    for (i = 0; i < 3; i++) {
        sp[i] = ngx_strlchr(q, end, ' ');
        if (sp[i] == NULL) {
            goto invalid;
        }

        q = sp[i] + 1;
    }

    key.data = p;
    key.len = sp[0] - p;

    due = ngx_atotm(sp[0] + 1, sp[1] - sp[0] - 1);
    neg = (sp[1][1] == '-');
    delta = ngx_atotm(sp[1] + 1 + neg, sp[2] - sp[1] - 1 - neg);

    if (key.len == 0 || key.len > 64 || due == NGX_ERROR
        || delta == NGX_ERROR || q >= end || (*q != '0' && *q != '1'))
    {
        goto invalid;
    }

    /* a step opened again since it was folded: its fields win */

    len = ngx_sprintf(name, "dl:%V", &key) - name;

    if (ngx_pa_closed_find(kv, n, (char *) name, len) != NULL) {
        return NGX_OK;
    }

    v.data = ngx_pnalloc(pool, 2 * NGX_TIME_T_LEN);
    if (v.data == NULL) {
        return NGX_ERROR;
    }

    v.len = ngx_sprintf(v.data, "%T", due) - v.data;

    if (ngx_pa_closed_put(pool, out, m, 'l', &key, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    v.data += v.len;
    v.len = ngx_sprintf(v.data, "%T", neg ? due - delta : due + delta)
            - v.data;

    if (ngx_pa_closed_put(pool, out, m, 'd', &key, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    v.data = q;
    v.len = 1;

    if (ngx_pa_closed_put(pool, out, m, 'm', &key, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_set(&v, "1");

    for (q++; q < end; q++) {
        if ((*q == 'o' || *q == 'x')
            && ngx_pa_closed_put(pool, out, m, *q, &key, &v) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;

invalid:

    ngx_log_error(NGX_LOG_ERR, log, 0,
                  "pa: a closed deadline of a report does not parse: \"%*s\"",
                  (size_t) (end - p), p);
    return NGX_OK;
}


/* "d<kind>:<key>" = value, both NUL terminated, as the reply's fields */

static ngx_int_t
ngx_pa_closed_put(ngx_pool_t *pool, ngx_str_t *out, ngx_uint_t *m,
    char kind, ngx_str_t *key, ngx_str_t *value)
{
    u_char  *p;

    p = ngx_pnalloc(pool, 3 + key->len + 1 + value->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out[*m * 2].data = p;
    out[*m * 2].len = 3 + key->len;
    p = ngx_sprintf(p, "d%c:%V", kind, key);
    *p++ = '\0';

    out[*m * 2 + 1].data = p;
    out[*m * 2 + 1].len = value->len;
    p = ngx_cpymem(p, value->data, value->len);
    *p = '\0';

    (*m)++;

    return NGX_OK;
}


static ngx_str_t *
ngx_pa_closed_find(ngx_str_t *kv, ngx_uint_t n, const char *name, size_t len)
{
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        if (kv[i * 2].len == len
            && ngx_strncmp(kv[i * 2].data, name, len) == 0)
        {
            return &kv[i * 2 + 1];
        }
    }

    return NULL;
}
