/*
 * Error answers (ngx_pa_error.c), in the contract's shape
 * {"error": {"code", "message", "field"?}}, or GeoReport's to its clients.
 */

#ifndef NGX_PA_ERROR_H
#define NGX_PA_ERROR_H

#include "ngx_pa.h"


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

#endif /* NGX_PA_ERROR_H */
