/*
 * Answers: one buffer as the whole answer (JSON, CSV, GeoReport's XML),
 * JSON encoded once per answer (ngx_pa_jdump.c: jansson's bytes, fast),
 * Cache-Control.
 */

#include "ngx_pa_json.h"
#include "ngx_pa_jdump.h"
#include "ngx_pa_validate.h"


typedef struct {
    ngx_pool_t  *pool;
    u_char      *data;
    size_t       len;
    size_t       size;
} ngx_pa_json_text_t;


static int ngx_pa_json_collect(const u_char *p, size_t len, void *data);


ngx_int_t
ngx_pa_send_json(ngx_http_request_t *r, ngx_uint_t status, json_t *body)
{
    ngx_int_t   rc;
    ngx_buf_t  *b;
    ngx_str_t   text;
    ngx_str_t   type = ngx_string("application/json");

    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_pa_json_encode(r->pool, body, 0, 10, 0, &text);
    json_decref(body);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot encode a JSON answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* encode() leaves a byte after the text */

    b->start = text.data;
    b->pos = text.data;
    b->last = text.data + text.len;
    *b->last++ = '\n';
    b->end = b->last;
    b->temporary = 1;

    return ngx_pa_send_buf(r, status, &type, b);
}


/*
 * v as json_dumps(v, JSON_COMPACT | (sort ? JSON_SORT_KEYS :
 * JSON_PRESERVE_ORDER) | JSON_REAL_PRECISION(precision)) writes it, after
 * reserve bytes left for the caller, in the pool, with one more byte free
 * after it; out->len counts the reserve.  Written by ngx_pa_jdump.c, by
 * jansson itself what that declines (a scalar, nesting deeper than 64).
 */

ngx_int_t
ngx_pa_json_encode(ngx_pool_t *pool, json_t *v, ngx_uint_t sort,
    ngx_uint_t precision, size_t reserve, ngx_str_t *out)
{
    char                *dump;
    size_t               len;
    ngx_pa_json_text_t   t;

    t.pool = pool;
    t.len = reserve;
    t.size = reserve + 512;
    t.data = ngx_pnalloc(pool, t.size);

    if (t.data == NULL) {
        return NGX_ERROR;
    }

    if ((json_is_object(v) || json_is_array(v))
        && ngx_pa_jdump(v, sort != 0, (int) precision, ngx_pa_json_collect,
                        &t)
           == 0)
    {
        out->data = t.data;
        out->len = t.len;
        return NGX_OK;
    }

    dump = json_dumps(v, JSON_COMPACT
                         | (sort ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER)
                         | JSON_REAL_PRECISION(precision));
    if (dump == NULL) {
        return NGX_ERROR;
    }

    len = ngx_strlen(dump);

    out->data = ngx_pnalloc(pool, reserve + len + 1);
    if (out->data == NULL) {
        ngx_free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(out->data + reserve, dump, len);
    out->len = reserve + len;
    ngx_free(dump);

    return NGX_OK;
}


/* ngx_pa_jdump()'s blocks into the pool; always a byte free at the end */

static int
ngx_pa_json_collect(const u_char *p, size_t len, void *data)
{
    ngx_pa_json_text_t  *t = data;

    u_char  *grown;
    size_t   size;

    if (t->len + len + 1 > t->size) {
        size = ngx_max(t->size * 2, t->len + len + 1);

        grown = ngx_pnalloc(t->pool, size);
        if (grown == NULL) {
            return -1;
        }

        ngx_memcpy(grown, t->data, t->len);
        t->data = grown;
        t->size = size;
    }

    ngx_memcpy(t->data + t->len, p, len);
    t->len += len;

    return 0;
}


/*
 * One buffer as the whole answer, UTF-8 text of the given type: the last
 * step of every answer of the API (JSON, CSV, GeoReport's XML).  Headers
 * set before (Cache-Control, Content-Disposition) go out with it.
 */

ngx_int_t
ngx_pa_send_buf(ngx_http_request_t *r, ngx_uint_t status, ngx_str_t *type,
    ngx_buf_t *b)
{
    ngx_int_t    rc;
    ngx_chain_t  out;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    r->headers_out.content_length_n = b->last - b->pos;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    ngx_str_set(&r->headers_out.charset, "utf-8");

    if (r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_pa_view_cache_control(ngx_http_request_t *r, const char *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    h->value.data = (u_char *) value;
    h->value.len = ngx_strlen(value);

    return NGX_OK;
}


ngx_int_t
ngx_pa_view_send_cached(ngx_http_request_t *r, ngx_str_t *json,
    const char *cache_control)
{
    ngx_buf_t  *b;
    ngx_str_t   type = ngx_string("application/json");

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* configuration memory: sent as is, never copied or written */

    b->pos = json->data;
    b->last = json->data + json->len;
    b->memory = 1;

    if (cache_control
        && ngx_pa_view_cache_control(r, cache_control) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_send_buf(r, NGX_HTTP_OK, &type, b);
}


json_t *
ngx_pa_json_strn(const u_char *p, size_t len)
{
    return json_stringn((const char *) p, len);
}


json_t *
ngx_pa_json_event_value(ngx_pa_main_conf_t *pmcf, const u_char *name,
    size_t name_len, const u_char *value, size_t value_len)
{
    char       t[NGX_PA_TIME_LEN];
    size_t     n;
    json_t    *v;
    ngx_int_t  epoch;

    if (((name_len == 2 && ngx_strncmp(name, "at", 2) == 0)
         || (name_len == 3 && ngx_strncmp(name, "due", 3) == 0))
        && value_len)
    {
        epoch = ngx_atoi((u_char *) value, value_len);

        if (epoch != NGX_ERROR) {
            n = ngx_pa_rfc3339_format((time_t) epoch, (int) pmcf->utc_offset,
                                      0, t);
            return json_stringn(t, n);
        }
    }

    v = ngx_pa_json_strn(value, value_len);

    return v != NULL ? v : json_null();
}
