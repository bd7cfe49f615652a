/*
 * The SLA sweeper (ngx_pa_sweep.c): a timer per worker, and the route that
 * runs one sweep at once.
 */

#ifndef NGX_PA_SWEEP_H
#define NGX_PA_SWEEP_H

#include "ngx_pa.h"


ngx_int_t ngx_pa_sweep_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_sweep_exit_worker(ngx_pa_main_conf_t *pmcf);

/* the route (ngx_pa_api.c dispatches to it): POST /admin/sweep */
ngx_int_t ngx_pa_sweep_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_SWEEP_H */
