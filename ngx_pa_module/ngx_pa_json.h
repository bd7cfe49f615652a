/*
 * Answers: every response of the API is one buffer, JSON unless a route
 * says otherwise (CSV, GeoReport's XML).  Errors: ngx_pa_error.h.
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
 * v as json_dumps(v, JSON_COMPACT | (sort ? JSON_SORT_KEYS :
 * JSON_PRESERVE_ORDER) | JSON_REAL_PRECISION(precision)) would write it,
 * after reserve bytes left free, in the pool, a byte free after it;
 * out->len counts the reserve
 */
ngx_int_t ngx_pa_json_encode(ngx_pool_t *pool, json_t *v, ngx_uint_t sort,
    ngx_uint_t precision, size_t reserve, ngx_str_t *out);

/* json string from bytes that may not be NUL terminated (NULL when bad) */
json_t *ngx_pa_json_strn(const u_char *p, size_t len);

/*
 * A field of an event of the tenant's stream as every consumer shows it
 * (the live streams, the webhooks): "at" and "due", epoch seconds in the
 * stream, as RFC 3339 in the province's offset (api.md: times are RFC
 * 3339 with offset); a value that is not UTF-8 as null, never dropped;
 * the rest as strings.  NULL: out of memory.
 */
json_t *ngx_pa_json_event_value(ngx_pa_main_conf_t *pmcf,
    const u_char *name, size_t name_len, const u_char *value,
    size_t value_len);

/* adds a Cache-Control header */
ngx_int_t ngx_pa_view_cache_control(ngx_http_request_t *r,
    const char *value);

/* sends bytes encoded once (configuration memory) as JSON */
ngx_int_t ngx_pa_view_send_cached(ngx_http_request_t *r, ngx_str_t *json,
    const char *cache_control);

#endif /* NGX_PA_JSON_H */
