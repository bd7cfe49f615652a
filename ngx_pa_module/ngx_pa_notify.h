/*
 * Webhooks (issue 14): the tenant's events stream delivered to HTTP
 * targets from nginx itself.
 *
 *   ngx_pa_notify_conf.c   pa_notify, pa_notify_claim_idle: the targets
 *   ngx_pa_notify.c        the per-node deliverer: a consumer group per
 *                          target, retries, dead letters (Redis, Lua)
 *   ngx_pa_notify_http.c   the HTTP/1.1 client on nginx's event loop
 *   ngx_pa_notify_resolve.c  a target's name resolved at each attempt
 *   ngx_pa_notify_pii.c    a pii=on target's body
 *   ngx_pa_deliveries.c    GET /admin/deliveries, POST .../{id}/replay
 *
 * What they share: ngx_pa_notify_types.h; each file's own: its header.
 */

#ifndef NGX_PA_NOTIFY_H
#define NGX_PA_NOTIFY_H

#include "ngx_pa.h"


/* the per-node deliverer (ngx_pa_notify.c) */
ngx_int_t ngx_pa_notify_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_notify_exit_worker(ngx_pa_main_conf_t *pmcf);

#endif /* NGX_PA_NOTIFY_H */
