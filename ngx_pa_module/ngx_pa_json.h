/*
 * JSON answers: every response of the API, errors included, is JSON in the
 * contract's shape {"error": {"code", "message", "field"?}}.
 */

#ifndef NGX_PA_JSON_H
#define NGX_PA_JSON_H

#include "ngx_pa.h"

#include <jansson.h>


/* one buffer as the whole answer (UTF-8 text of that type) */
ngx_int_t ngx_pa_send_buf(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, ngx_buf_t *b);

/* sends body (and drops the reference); returns what a handler returns */
ngx_int_t ngx_pa_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *body);

/*
 * Error answer.  field may be NULL.  429 and 503 carry Retry-After.
 */
ngx_int_t ngx_pa_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message);

/* the same with the seconds of Retry-After (0: the default) */
ngx_int_t ngx_pa_send_error_retry(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message, time_t retry);

/* the contract's code for an HTTP status nginx produced itself */
const char *ngx_pa_status_code(ngx_uint_t status);

/* json string from bytes that may not be NUL terminated (NULL when bad) */
json_t *ngx_pa_json_strn(const u_char *p, size_t len);

/*
 * ngx_pa_open311.c: requests under /open311/v2/ get errors in GeoReport's
 * format [{"code", "description"}], whoever raises them.
 */
ngx_uint_t ngx_pa_open311_request(ngx_http_request_t *r);
json_t *ngx_pa_open311_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message);

/* adds a Cache-Control header */
ngx_int_t ngx_pa_view_cache_control(ngx_http_request_t *r,
    const char *value);

/* sends bytes encoded once (configuration memory) as JSON */
ngx_int_t ngx_pa_view_send_cached(ngx_http_request_t *r, ngx_str_t *json,
    const char *cache_control);

#endif /* NGX_PA_JSON_H */
