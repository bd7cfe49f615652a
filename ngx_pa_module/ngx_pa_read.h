/*
 * Reading a report (ngx_pa_read.c): GET /reports/{id}, its history, the
 * reporter's view, and the health route.
 */

#ifndef NGX_PA_READ_H
#define NGX_PA_READ_H

#include "ngx_pa.h"


/*
 * The routes ngx_pa_api.c dispatches to: a report, its history, the
 * reporter's view, health
 */
ngx_int_t ngx_pa_read_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_history_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_reporter_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_health(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_READ_H */
