/*
 * Answers: one buffer as the whole answer (JSON, CSV, GeoReport's XML),
 * JSON encoded once per answer, Cache-Control.
 */

#include "ngx_pa_json.h"


ngx_int_t
ngx_pa_send_json(ngx_http_request_t *r, ngx_uint_t status, json_t *body)
{
    char       *dump;
    size_t      len;
    ngx_buf_t  *b;
    ngx_str_t   type = ngx_string("application/json");

    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    dump = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER
                      | JSON_REAL_PRECISION(10));
    json_decref(body);

    if (dump == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot encode a JSON answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_strlen(dump);

    b = ngx_create_temp_buf(r->pool, len + 1);
    if (b == NULL) {
        free(dump);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_cpymem(b->last, dump, len);
    *b->last++ = '\n';
    free(dump);

    return ngx_pa_send_buf(r, status, &type, b);
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
