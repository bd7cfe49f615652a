/*
 * The public side (ngx_pa_public.c): GET /public/reports and
 * /public/reports/{id}, what anyone may see of published reports.
 */

#ifndef NGX_PA_PUBLIC_H
#define NGX_PA_PUBLIC_H

#include "ngx_pa.h"


/*
 * The routes ngx_pa_api.c dispatches to: GET /public/reports and
 * /public/reports/{id}
 */
ngx_int_t ngx_pa_public_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_public_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_PUBLIC_H */
