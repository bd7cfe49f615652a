/*
 * Statistics (ngx_pa_stats.c): GET /stats, by day, agency and state.
 */

#ifndef NGX_PA_STATS_H
#define NGX_PA_STATS_H

#include "ngx_pa.h"


/* the route (ngx_pa_api.c dispatches to it): GET /stats */
ngx_int_t ngx_pa_stats_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_STATS_H */
