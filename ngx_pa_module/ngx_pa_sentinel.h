/*
 * Redis Sentinel: "pa_redis sentinel=<host:port>,... master=<name>".
 *
 * Each worker asks the sentinels in turn for the primary (SENTINEL
 * get-master-addr-by-name) whenever it (re)connects, and keeps one
 * subscription to "+switch-master" on one sentinel so that a failover
 * moves it to the new primary at once, without a reload.  The adapter
 * (ngx_pa_redis.c, above this file) owns the primary's connection; it
 * hands this file the function that is told where the primary is.
 */

#ifndef NGX_PA_SENTINEL_H
#define NGX_PA_SENTINEL_H

#include "ngx_pa.h"
#include "ngx_pa_hiredis.h"


typedef struct ngx_pa_sentinel_s  ngx_pa_sentinel_t;

/*
 * The primary is at host:port (an address literal; host is valid during
 * the call only), or host is NULL: no sentinel could name it.
 */
typedef void (*ngx_pa_sentinel_found_pt)(void *data, ngx_str_t *host,
    in_port_t port);

typedef ngx_pa_hiredis_addr_t  ngx_pa_sentinel_addr_t;

struct ngx_pa_sentinel_conf_s {
    ngx_array_t                addrs;      /* ngx_pa_sentinel_addr_t */
    ngx_str_t                  master;     /* NUL terminated */
};


/*
 * One "pa_redis" parameter: sentinel=, master=, wait=, wait_timeout=.
 * NGX_OK: taken; NGX_DECLINED: not one of these; NGX_ERROR: logged.
 */
ngx_int_t ngx_pa_sentinel_option(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *value);

/* after the whole "pa_redis" line: the parameters agree (logged) */
ngx_int_t ngx_pa_sentinel_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf);

ngx_pa_sentinel_t *ngx_pa_sentinel_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf, ngx_pa_sentinel_found_pt found, void *data);
void ngx_pa_sentinel_exit_worker(ngx_pa_sentinel_t *sn);

/*
 * Asks the sentinels for the primary; the answer reaches found(), later.
 * NGX_ERROR: no sentinel could even be reached now (nothing will come).
 */
ngx_int_t ngx_pa_sentinel_ask(ngx_pa_sentinel_t *sn);

#endif /* NGX_PA_SENTINEL_H */
