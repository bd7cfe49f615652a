/*
 * The public version: a number in shared memory that changes whenever
 * what the public sees changes (publish, hide, unhide, review_return,
 * reopen, rate), on this node at once and on the others within about a
 * second.  $pa_public_version gives it to nginx's cache key, so a hidden
 * report leaves the cached public answers at once: the next read has a
 * new key and goes to the module (conf-examples/public-cache.conf).
 */

#ifndef NGX_PA_PUBVER_H
#define NGX_PA_PUBVER_H

#include "ngx_pa.h"


/* postconfiguration: the zone and the variable */
ngx_int_t ngx_pa_pubver_init(ngx_conf_t *cf);

/* each worker reads the tenant's number (act.lua raises it) every second */
ngx_int_t ngx_pa_pubver_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_pubver_exit_worker(ngx_pa_main_conf_t *pmcf);

/* after an action that changed the public view was stored */
void ngx_pa_pubver_bump(ngx_http_request_t *r);

#endif /* NGX_PA_PUBVER_H */
