/*
 * The IOC's and the agencies' work lists (ngx_pa_queue.c): GET /queue.
 */

#ifndef NGX_PA_QUEUE_H
#define NGX_PA_QUEUE_H

#include "ngx_pa.h"


/* the route (ngx_pa_api.c dispatches to it): GET /queue */
ngx_int_t ngx_pa_queue_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_QUEUE_H */
