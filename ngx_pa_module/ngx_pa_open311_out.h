/*
 * Open311 answers in the format the path asks for (ngx_pa_open311_out.c):
 * the JSON tree as JSON, or as XML in GeoReport's names.  Low in the
 * house: every error answer of a request under /open311/v2/ goes out in
 * GeoReport's dialect, whoever raises it (ngx_pa_send_error, the edge
 * limiter's 429).
 */

#ifndef NGX_PA_OPEN311_OUT_H
#define NGX_PA_OPEN311_OUT_H

#include "ngx_pa.h"

#include <jansson.h>


#define NGX_PA_O311_JSON    0
#define NGX_PA_O311_XML     1


/*
 * The format of a request under /open311/v2/: ".json" is JSON; ".xml",
 * and a path whose format cannot be told, is XML, the spec's own.
 */
ngx_uint_t ngx_pa_open311_format(ngx_http_request_t *r);

/*
 * Sends body (and drops the reference) in the request's format.  root
 * names the XML document element ("services", "service_requests",
 * "errors", ...); arrays hold one element per item, named after the array
 * (services: service, service_requests: request, attributes: attribute
 * ...).  cache_control may be NULL.
 */
ngx_int_t ngx_pa_open311_send(ngx_http_request_t *r, ngx_uint_t status,
    json_t *body, const char *root, const char *cache_control);

/*
 * The same body rendered into a buffer, with its Content-Type: for the
 * 429 of the edge limiter, which sends its answer itself.
 */
ngx_buf_t *ngx_pa_open311_render(ngx_http_request_t *r, json_t *body,
    const char *root, ngx_str_t *content_type);


/* requests under /open311/v2/ get errors in GeoReport's format */
ngx_uint_t ngx_pa_open311_request(ngx_http_request_t *r);

/*
 * [{"code": 400, "description": "invalid_field: lat: ..."}]: the
 * contract's code and field (in the names the client sent) lead the text.
 */
json_t *ngx_pa_open311_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message);

/* the contract's field names as a GeoReport client sends them */
typedef struct {
    const char                *ours;
    const char                *theirs;
} ngx_pa_o311_name_t;

extern ngx_pa_o311_name_t  ngx_pa_open311_names[];

/* the contract's field name as GeoReport names it ("lng": "long") */
const char *ngx_pa_open311_field(const char *ours);

ngx_uint_t ngx_pa_open311_is(ngx_str_t *s, const char *name);

/* logs what could not be built: 500 */
ngx_int_t ngx_pa_open311_fail(ngx_http_request_t *r, const char *what);

#endif /* NGX_PA_OPEN311_OUT_H */
