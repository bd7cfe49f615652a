/*
 * Redis Cluster: "pa_redis cluster=<host:port>,... [password=] [wait=]".
 *
 * Each worker reads the slot map (CLUSTER SLOTS) from any node it knows,
 * the seeds first, and sends each command to the primary that owns the
 * slot of its keys: every key of a call carries the tenant's hash tag
 * (pa:{tenant}:...), so a call is one slot, on one node.  A command
 * without a key (PING, WAIT) goes to the tenant's node: WAIT must follow
 * the write to the connection that made it.  "-MOVED" updates the map,
 * resends, and reads the whole map again; "-ASK" sends ASKING then the
 * command to the node named; a node that fails (connect, loss, reply
 * timeout) or a slot no node owns has the map read again, and its calls
 * answer 503 meanwhile.
 *
 * The nodes' connections are ordinary adapters of ngx_pa_redis.c (one
 * per primary, opened on its first command, the scripts loaded on each
 * connect); this file stands above it and hands it the router.
 */

#ifndef NGX_PA_CLUSTER_H
#define NGX_PA_CLUSTER_H

#include "ngx_pa.h"
#include "ngx_pa_hiredis.h"


typedef ngx_pa_hiredis_addr_t  ngx_pa_cluster_addr_t;

struct ngx_pa_cluster_conf_s {
    ngx_array_t                seeds;      /* ngx_pa_cluster_addr_t */
};


/*
 * One "pa_redis" parameter: cluster=.
 * NGX_OK: taken; NGX_DECLINED: not this one; NGX_ERROR: logged.
 */
ngx_int_t ngx_pa_cluster_option(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *value);

/* after the whole "pa_redis" line: the parameters agree (logged) */
ngx_int_t ngx_pa_cluster_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf);

/* makes pmcf->worker.redis the cluster's front; reads the map */
ngx_int_t ngx_pa_cluster_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_cluster_exit_worker(ngx_pa_main_conf_t *pmcf);

#endif /* NGX_PA_CLUSTER_H */
