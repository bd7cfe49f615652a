/*
 * $pa_public_version (ngx_pa_pubver.h).
 *
 * One atomic counter in a zone of its own, shared by the node's workers
 * and kept across "nginx -s reload".  It starts from the wall clock in
 * milliseconds, so after a restart it is past every number the cache
 * on disk was keyed with before: no old entry is ever found again.
 * Each node has its own cache and its own counter; an action answered
 * by one node moves that node's counter (README: several nodes).
 */

#include "ngx_pa.h"
#include "ngx_pa_pubver.h"


static ngx_int_t ngx_pa_pubver_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_pa_pubver_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_atomic_t  *ngx_pa_pubver;


ngx_int_t
ngx_pa_pubver_init(ngx_conf_t *cf)
{
    ngx_str_t             name;
    ngx_shm_zone_t       *shm_zone;
    ngx_http_variable_t  *var;

    ngx_str_set(&name, "pa_public_version");

    /* the smallest zone nginx's slab allocator takes */
    shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                     &ngx_http_pa_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_pa_pubver_init_zone;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_pa_pubver_variable;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_pubver_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_time_t       *tp;
    ngx_atomic_t     *v;
    ngx_slab_pool_t  *shpool;

    /* a reload keeps the zone and its number */

    if (data != NULL) {
        shm_zone->data = data;
        ngx_pa_pubver = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        v = shpool->data;

    } else {
        v = ngx_slab_alloc(shpool, sizeof(ngx_atomic_t));
        if (v == NULL) {
            return NGX_ERROR;
        }

        tp = ngx_timeofday();
        *v = (ngx_atomic_uint_t) tp->sec * 1000 + tp->msec;
        shpool->data = (void *) v;
    }

    shm_zone->data = (void *) v;
    ngx_pa_pubver = v;

    return NGX_OK;
}


void
ngx_pa_pubver_bump(ngx_log_t *log)
{
    if (ngx_pa_pubver == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(ngx_pa_pubver, 1);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0,
                   "pa: public version %uA", *ngx_pa_pubver);
}


static ngx_int_t
ngx_pa_pubver_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    u_char  *p;

    if (ngx_pa_pubver == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_ATOMIC_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%uA", *ngx_pa_pubver) - p;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}
