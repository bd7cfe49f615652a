/*
 * A report's hot fields at their default: left out at submission, put
 * back by every reader (ngx_pa_default.h).
 */

#include "ngx_pa_default.h"


/* the value each would hold at submission, as the readers knew it */

static ngx_keyval_t  ngx_pa_defaults[] = {
    { ngx_string("urgent"), ngx_string("0") },
    { ngx_string("hidden"), ngx_string("0") },
    { ngx_string("published"), ngx_string("0") },
    { ngx_string("private_result"), ngx_string("0") },
    { ngx_string("media"), ngx_string("[]") },
    { ngx_null_string, ngx_null_string }
};


static ngx_str_t *ngx_pa_default_find(ngx_str_t *kv, ngx_uint_t n,
    ngx_str_t *name);
static ngx_uint_t ngx_pa_default_eq(ngx_str_t *one, ngx_str_t *two);


ngx_uint_t
ngx_pa_default_is(ngx_str_t *name, ngx_str_t *value)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_defaults[i].key.len; i++) {
        if (ngx_pa_default_eq(&ngx_pa_defaults[i].key, name)) {
            return ngx_pa_default_eq(&ngx_pa_defaults[i].value, value);
        }
    }

    return 0;
}


ngx_int_t
ngx_pa_default_unfold(ngx_pool_t *pool, ngx_str_t **kv, ngx_uint_t *n)
{
    ngx_str_t    id = ngx_string("id");
    ngx_str_t    updated = ngx_string("updated_at");
    ngx_str_t    created = ngx_string("created_at");
    ngx_str_t   *out, *at;
    ngx_uint_t   i, m, missing;

    if (ngx_pa_default_find(*kv, *n, &id) == NULL) {
        return NGX_OK;
    }

    missing = 0;

    for (i = 0; ngx_pa_defaults[i].key.len; i++) {
        missing += ngx_pa_default_find(*kv, *n, &ngx_pa_defaults[i].key)
                   == NULL;
    }

    /* never changed since its submission: changed when it was made */

    at = NULL;

    if (ngx_pa_default_find(*kv, *n, &updated) == NULL) {
        at = ngx_pa_default_find(*kv, *n, &created);
        missing += at != NULL;
    }

    if (missing == 0) {
        return NGX_OK;      /* an older record: every field stored */
    }

    out = ngx_palloc(pool, (*n + missing) * 2 * sizeof(ngx_str_t)
                           + sizeof(ngx_str_t));
    if (out == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(out, *kv, *n * 2 * sizeof(ngx_str_t));
    m = *n;

    /*
     * the table's own strings, not copies: string literals, NUL terminated
     * as ngx_pa_list_from_reply() makes them, and no reader of a report's
     * fields writes into a value in place (each reads, compares or copies
     * it; ngx_pa_view_arg() and the PII opening write into buffers of
     * their own), so one read-only copy serves every read: a write into
     * one would fault at once, never change another report's fields
     */

    for (i = 0; ngx_pa_defaults[i].key.len; i++) {
        if (ngx_pa_default_find(*kv, *n, &ngx_pa_defaults[i].key) != NULL) {
            continue;
        }

        out[m * 2] = ngx_pa_defaults[i].key;
        out[m * 2 + 1] = ngx_pa_defaults[i].value;
        m++;
    }

    if (at != NULL) {
        out[m * 2] = updated;
        out[m * 2 + 1] = *at;
        m++;
    }

    *kv = out;
    *n = m;

    return NGX_OK;
}


static ngx_str_t *
ngx_pa_default_find(ngx_str_t *kv, ngx_uint_t n, ngx_str_t *name)
{
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        if (ngx_pa_default_eq(&kv[i * 2], name)) {
            return &kv[i * 2 + 1];
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_pa_default_eq(ngx_str_t *one, ngx_str_t *two)
{
    return one->len == two->len
           && ngx_strncmp(one->data, two->data, one->len) == 0;
}
