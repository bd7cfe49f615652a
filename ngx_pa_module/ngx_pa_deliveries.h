/*
 * The webhooks' failures for an admin (ngx_pa_deliveries.c): GET
 * /admin/deliveries, POST /admin/deliveries {"id"} and its older form
 * POST /admin/deliveries/{id}/replay.
 */

#ifndef NGX_PA_DELIVERIES_H
#define NGX_PA_DELIVERIES_H

#include "ngx_pa.h"


/*
 * The routes ngx_pa_api.c dispatches to: GET /admin/deliveries, POST
 * /admin/deliveries, POST .../{id}/replay
 */
ngx_int_t ngx_pa_deliveries_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_deliveries_post_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_deliveries_replay_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_DELIVERIES_H */
