/*
 * JSON responses.
 */

#include "ngx_pa_json.h"
#include "ngx_pa_open311.h"


#define NGX_PA_RETRY_AFTER  "1"


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


ngx_int_t
ngx_pa_send_error(ngx_http_request_t *r, ngx_uint_t status, const char *code,
    const char *field, const char *message)
{
    return ngx_pa_send_error_retry(r, status, code, field, message, 0);
}


ngx_int_t
ngx_pa_send_error_retry(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message, time_t retry)
{
    u_char           *p;
    json_t           *err, *body;
    ngx_table_elt_t  *h;

    if (ngx_pa_open311_request(r)) {
        body = ngx_pa_open311_error(r, status, code, field, message);

    } else {
        err = json_pack("{s:s, s:s}", "code", code, "message", message);
        if (err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (field != NULL) {
            json_object_set_new(err, "field", json_string(field));
        }

        body = json_pack("{s:o}", "error", err);
    }

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE
        || status == NGX_HTTP_TOO_MANY_REQUESTS)
    {
        h = ngx_list_push(&r->headers_out.headers);
        if (h != NULL) {
            h->hash = 1;
            ngx_str_set(&h->key, "Retry-After");
            ngx_str_set(&h->value, NGX_PA_RETRY_AFTER);

            p = (retry > 0) ? ngx_pnalloc(r->pool, NGX_TIME_T_LEN) : NULL;

            if (p != NULL) {
                h->value.data = p;
                h->value.len = ngx_sprintf(p, "%T", retry) - p;
            }
        }
    }

    /* keep nothing cached from an error */
    r->headers_out.last_modified_time = -1;

    if (ngx_pa_open311_request(r)) {
        /* <errors><error> for .xml, as the path asks */
        return ngx_pa_open311_send(r, status, body, "errors", NULL);
    }

    return ngx_pa_send_json(r, status, body);
}


const char *
ngx_pa_status_code(ngx_uint_t status)
{
    switch (status) {

    case NGX_HTTP_UNAUTHORIZED:
        return "unauthorized";

    case NGX_HTTP_FORBIDDEN:
        return "forbidden";

    case NGX_HTTP_NOT_FOUND:
        return "not_found";

    case NGX_HTTP_NOT_ALLOWED:
        return "method_not_allowed";

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "too_large";

    case NGX_HTTP_UNSUPPORTED_MEDIA_TYPE:
        return "unsupported_media";

    case NGX_HTTP_TOO_MANY_REQUESTS:
        return "rate_limited";

    case NGX_HTTP_SERVICE_UNAVAILABLE:
    case NGX_HTTP_GATEWAY_TIME_OUT:
    case NGX_HTTP_BAD_GATEWAY:
        return "unavailable";

    default:
        if (status >= 500) {
            return "internal_error";
        }

        return "bad_request";
    }
}


json_t *
ngx_pa_json_strn(const u_char *p, size_t len)
{
    return json_stringn((const char *) p, len);
}
