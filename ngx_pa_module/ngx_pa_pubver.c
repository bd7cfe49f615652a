/*
 * $pa_public_version (ngx_pa_pubver.h): "<local>.<tenant>".
 *
 * <local> is an atomic counter in a zone of its own, shared by the
 * node's workers and kept across "nginx -s reload", raised at once by an
 * action this node answered.  It starts from the wall clock in
 * milliseconds, so after a restart it is past every number the cache on
 * disk was keyed with before: no old entry is ever found again.
 *
 * <tenant> is pa:{t}:pubver, which act.lua raises with every such action
 * on any node: each worker reads it every second and keeps the highest
 * seen in the zone, so another node's hide reaches this node's cache
 * within about a second, not after the entries' 30 s.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_pubver.h"


#define NGX_PA_PUBVER_EVERY  1000          /* ms between two reads */


typedef struct {
    ngx_atomic_t               local;
    ngx_atomic_t               tenant;
} ngx_pa_pubver_shm_t;


/* the worker's reader of pa:{t}:pubver (pmcf->worker.pubver) */
struct ngx_pa_pubver_reader_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_event_t                timer;
    ngx_pa_call_t              call;
    ngx_pool_t                *call_pool;  /* the read in flight */
};


static ngx_int_t ngx_pa_pubver_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_pa_pubver_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static void ngx_pa_pubver_tick(ngx_event_t *ev);
static void ngx_pa_pubver_on_get(ngx_pa_call_t *call, redisReply *reply);
static ngx_pa_pubver_shm_t *ngx_pa_pubver_shm(ngx_pa_main_conf_t *pmcf);


ngx_int_t
ngx_pa_pubver_init(ngx_conf_t *cf)
{
    ngx_str_t             name;
    ngx_shm_zone_t       *shm_zone;
    ngx_pa_main_conf_t   *pmcf;
    ngx_http_variable_t  *var;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_pa_module);

    ngx_str_set(&name, "pa_public_version");

    /* the smallest zone nginx's slab allocator takes */
    shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                     &ngx_http_pa_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_pa_pubver_init_zone;
    pmcf->pubver_zone = shm_zone;

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
    ngx_time_t           *tp;
    ngx_slab_pool_t      *shpool;
    ngx_pa_pubver_shm_t  *v;

    /* a reload keeps the zone and its numbers */

    if (data != NULL) {
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        v = shpool->data;

    } else {
        v = ngx_slab_calloc(shpool, sizeof(ngx_pa_pubver_shm_t));
        if (v == NULL) {
            return NGX_ERROR;
        }

        tp = ngx_timeofday();
        v->local = (ngx_atomic_uint_t) tp->sec * 1000 + tp->msec;
        shpool->data = v;
    }

    shm_zone->data = v;

    return NGX_OK;
}


ngx_int_t
ngx_pa_pubver_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_pubver_reader_t  *rd;

    rd = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_pubver_reader_t));
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->conf = pmcf;
    rd->log = cycle->log;

    rd->timer.handler = ngx_pa_pubver_tick;
    rd->timer.data = rd;
    rd->timer.log = cycle->log;
    rd->timer.cancelable = 1;

    pmcf->worker.pubver = rd;

    ngx_add_timer(&rd->timer, NGX_PA_PUBVER_EVERY);

    return NGX_OK;
}


void
ngx_pa_pubver_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_pubver_reader_t  *rd;

    rd = pmcf->worker.pubver;
    if (rd == NULL) {
        return;
    }

    if (rd->timer.timer_set) {
        ngx_del_timer(&rd->timer);
    }

    ngx_pa_call_cancel(&rd->call);

    if (rd->call_pool != NULL) {
        ngx_destroy_pool(rd->call_pool);
        rd->call_pool = NULL;
    }

    pmcf->worker.pubver = NULL;
}


/* GET pa:{t}:pubver, one at a time; Redis away: the number in force stays */

static void
ngx_pa_pubver_tick(ngx_event_t *ev)
{
    ngx_pa_pubver_reader_t  *rd = ev->data;

    u_char      *key;
    size_t       argvlen[2];
    ngx_pool_t  *pool;
    const char  *argv[2];

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_add_timer(&rd->timer, NGX_PA_PUBVER_EVERY);

    if (rd->call.cmd != NULL || rd->call_pool != NULL) {
        return;
    }

    pool = ngx_create_pool(512, rd->log);
    if (pool == NULL) {
        return;
    }

    key = ngx_pnalloc(pool, rd->conf->key_prefix.len + sizeof("pubver"));
    if (key == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    (void) ngx_sprintf(key, "%Vpubver%Z", &rd->conf->key_prefix);

    argv[0] = "GET";
    argv[1] = (char *) key;
    argvlen[0] = 3;
    argvlen[1] = ngx_strlen(key);

    ngx_pa_call_init(&rd->call, rd->conf, pool, rd->log);
    rd->call.background = 1;

    if (ngx_pa_call_command(&rd->call, 2, argv, argvlen) != NGX_OK
        || ngx_pa_call_send(&rd->call, ngx_pa_pubver_on_get, rd) != NGX_OK)
    {
        ngx_destroy_pool(pool);
        return;
    }

    rd->call_pool = pool;
}


static void
ngx_pa_pubver_on_get(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_pubver_reader_t  *rd = call->data;

    ngx_int_t             n;
    ngx_atomic_uint_t     old;
    ngx_pa_pubver_shm_t  *v;

    if (rd->call_pool != NULL) {
        ngx_destroy_pool(rd->call_pool);
        rd->call_pool = NULL;
    }

    v = ngx_pa_pubver_shm(rd->conf);

    if (reply == NULL || reply->type != REDIS_REPLY_STRING || v == NULL) {
        if (reply && reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                          "pa: public version not read: %*s",
                          (size_t) reply->len, reply->str);
        }

        /* nil: no action changed the public view yet */
        return;
    }

    n = ngx_atoi((u_char *) reply->str, reply->len);
    if (n == NGX_ERROR) {
        return;
    }

    /* the highest any worker saw: several read it at once */

    for ( ;; ) {
        old = v->tenant;

        if ((ngx_atomic_uint_t) n <= old
            || ngx_atomic_cmp_set(&v->tenant, old,
                                  (ngx_atomic_uint_t) n))
        {
            break;
        }
    }
}


void
ngx_pa_pubver_bump(ngx_http_request_t *r)
{
    ngx_pa_pubver_shm_t  *v;

    v = ngx_pa_pubver_shm(ngx_http_get_module_main_conf(r,
                                                        ngx_http_pa_module));
    if (v == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&v->local, 1);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "pa: public version %uA", v->local);
}


/* the zone's numbers, once the zone is made */

static ngx_pa_pubver_shm_t *
ngx_pa_pubver_shm(ngx_pa_main_conf_t *pmcf)
{
    if (pmcf == NULL || pmcf->pubver_zone == NULL) {
        return NULL;
    }

    return pmcf->pubver_zone->data;
}


static ngx_int_t
ngx_pa_pubver_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    u_char               *p;
    ngx_pa_pubver_shm_t  *n;

    n = ngx_pa_pubver_shm(ngx_http_get_module_main_conf(r,
                                                        ngx_http_pa_module));
    if (n == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, 2 * NGX_ATOMIC_T_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%uA.%uA", n->local, n->tenant) - p;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}
