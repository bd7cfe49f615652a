/*
 * Edge rate limits, checked in the preaccess phase before the body is read.
 *
 * Local rules: one shared memory zone ("pa_limit_zone") holds a node per
 * (rule, client address) in a red-black tree keyed by crc32, with an LRU
 * queue so that stale clients are dropped when a new one arrives.  A node
 * keeps the rule's TAT in microseconds of nginx's monotonic clock: the
 * same GCRA as limit.lua, exact at low rates (1r/m) where a decayed
 * milli-request counter would lose a little at every request.  The zone
 * is reused on "nginx -s reload" (octx), so a reload forgives no one; a
 * node is named by its rule's rate and burst, so a rule changed by the
 * reload starts afresh instead of reading another rate's TAT.
 *
 * Redis rules ("redis"): one EVALSHA of limit.lua per request, sent only
 * once every local rule allowed the request.  The handler returns
 * NGX_AGAIN and the reply resumes the phases; a missing reply (Redis down,
 * timeout) lets the request through, as the submit itself will then
 * answer 503: an outage must not look like a flood to citizens.
 *
 * Reload check (by hand, Test::Nginx cannot HUP here): pa_limit_zone 1m;
 * pa_limit addr rate=1r/m burst=0; POST once (passes), POST again (429,
 * Retry-After near 60), "nginx -s reload", POST again: still 429 with a
 * smaller Retry-After.  A new zone size starts from an empty zone.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_jwt.h"
#include "ngx_pa_limit.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_open311_out.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_scripts.h"


/* the node layout in the zone; a reload onto another layout is refused */
#define NGX_PA_LIMIT_MAGIC       0x7061316c

#define NGX_PA_LIMIT_ADDR_MAX    8      /* IPv4, or an IPv6 /64 */
#define NGX_PA_LIMIT_RATE_MAX    1000000
#define NGX_PA_LIMIT_BURST_MAX   100000
#define NGX_PA_LIMIT_WARN_GAP    1000   /* ms between two fail-open logs */


/* starts at the rbtree node's color, as nginx's own zones do */
typedef struct {
    u_char                     color;
    u_char                     len;        /* of data */
    u_char                     pad[2];
    ngx_queue_t                queue;      /* LRU, most recent first */
    uint64_t                   tat;        /* us; <= now: an empty bucket */
    u_char                     data[1];    /* rule's key, then address */
} ngx_pa_limit_node_t;


typedef struct {
    ngx_uint_t                 magic;
    ngx_rbtree_t               rbtree;
    ngx_rbtree_node_t          sentinel;
    ngx_queue_t                queue;
} ngx_pa_limit_sh_t;


/* shm_zone->data; keep sh first: a reload reads it from the old cycle */
typedef struct {
    ngx_pa_limit_sh_t         *sh;
    ngx_slab_pool_t           *shpool;
} ngx_pa_limit_zone_t;


typedef enum {
    NGX_PA_LIMIT_PENDING = 1,
    NGX_PA_LIMIT_ALLOWED,
    NGX_PA_LIMIT_REFUSED
} ngx_pa_limit_state_e;


/*
 * Per request, found again through its cleanup entry: that list belongs
 * to the main request and survives internal redirects, so a request is
 * counted once however often it passes the phase.
 */
typedef struct {
    ngx_http_request_t        *request;
    ngx_pa_call_t              call;       /* limit.lua */
    time_t                     retry;      /* seconds, when refused */
    ngx_uint_t                 state;
} ngx_pa_limit_req_t;


static ngx_pa_limit_conf_t *ngx_pa_limit_get_conf(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static char *ngx_pa_limit_params(ngx_conf_t *cf, uint64_t *interval,
    ngx_int_t *burst, ngx_uint_t *redis);
static char *ngx_pa_limit_rule_name(ngx_conf_t *cf,
    ngx_pa_limit_rule_t *rule);
static char *ngx_pa_limit_rate(ngx_conf_t *cf, ngx_str_t *v,
    uint64_t *interval);
static ngx_int_t ngx_pa_limit_args(ngx_conf_t *cf, ngx_array_t *rules);
static ngx_int_t ngx_pa_limit_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_pa_limit_rbtree_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);

static ngx_int_t ngx_pa_limit_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_pa_limit_staff(ngx_http_request_t *r,
    ngx_pa_main_conf_t *pmcf);
static size_t ngx_pa_limit_addr(ngx_http_request_t *r, u_char *addr);
static uint64_t ngx_pa_limit_local(ngx_http_request_t *r,
    ngx_pa_limit_conf_t *lcf, u_char *addr, size_t len,
    ngx_pa_limit_rule_t **by);
static ngx_pa_limit_node_t *ngx_pa_limit_lookup(ngx_pa_limit_zone_t *zone,
    u_char *key, size_t len, ngx_pa_limit_node_t **busy, ngx_uint_t nbusy);
static void ngx_pa_limit_expire(ngx_pa_limit_zone_t *zone, uint64_t now);
static ngx_int_t ngx_pa_limit_evict(ngx_pa_limit_zone_t *zone,
    ngx_pa_limit_node_t **busy, ngx_uint_t nbusy);
static void ngx_pa_limit_free_node(ngx_pa_limit_zone_t *zone,
    ngx_pa_limit_node_t *ln);

static ngx_int_t ngx_pa_limit_redis(ngx_http_request_t *r,
    ngx_pa_main_conf_t *pmcf, ngx_pa_limit_req_t *lr, u_char *addr,
    size_t len);
static void ngx_pa_limit_on_redis(ngx_pa_call_t *call, redisReply *reply);
static ngx_uint_t ngx_pa_limit_verdict(ngx_http_request_t *r,
    redisReply *reply, time_t *retry);
static void ngx_pa_limit_fail_open(ngx_pa_limit_conf_t *lcf, ngx_log_t *log,
    const char *why);

static ngx_pa_limit_req_t *ngx_pa_limit_find(ngx_http_request_t *r);
static void ngx_pa_limit_cleanup(void *data);
static ngx_int_t ngx_pa_limit_refuse(ngx_http_request_t *r, time_t retry);


static u_char  ngx_pa_limit_body[] =
    "{\"error\":{\"code\":\"rate_limited\","
    "\"message\":\"too many requests, try again later\"}}\n";



/* configuration */

char *
ngx_pa_limit_zone_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t  *pmcf = conf;

    ssize_t               size;
    ngx_str_t            *value, name;
    ngx_shm_zone_t       *shm_zone;
    ngx_pa_limit_conf_t  *lcf;
    ngx_pa_limit_zone_t  *zone;

    lcf = ngx_pa_limit_get_conf(cf, pmcf);
    if (lcf == NULL) {
        return NGX_CONF_ERROR;
    }

    if (lcf->shm_zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[1]);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone size \"%V\" is too small", &value[1]);
        return NGX_CONF_ERROR;
    }

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_pa_limit_zone_t));
    if (zone == NULL) {
        return NGX_CONF_ERROR;
    }

    /* one zone per http{} block: its name is fixed */

    ngx_str_set(&name, "pa_limit");

    shm_zone = ngx_shared_memory_add(cf, &name, size, &ngx_http_pa_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (shm_zone->data != NULL) {
        return "is duplicate";
    }

    shm_zone->init = ngx_pa_limit_init_zone;
    shm_zone->data = zone;

    lcf->shm_zone = shm_zone;

    return NGX_CONF_OK;
}


char *
ngx_pa_limit_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t  *pmcf = conf;

    char                 *rv;
    uint64_t              interval;
    ngx_int_t             burst;
    ngx_str_t            *value;
    ngx_uint_t            i, redis, phone;
    ngx_array_t          *rules;
    ngx_pa_limit_conf_t  *lcf;
    ngx_pa_limit_rule_t  *rule;

    lcf = ngx_pa_limit_get_conf(cf, pmcf);
    if (lcf == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    if (value[1].len == 5 && ngx_strncmp(value[1].data, "phone", 5) == 0) {
        phone = 1;

    } else if (value[1].len == 4
               && ngx_strncmp(value[1].data, "addr", 4) == 0)
    {
        phone = 0;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid key \"%V\": \"addr\" or \"phone\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    rv = ngx_pa_limit_params(cf, &interval, &burst, &redis);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (interval == 0) {
        return "must have a \"rate\" parameter";
    }

    /* a phone's bucket is shared by every node: always in Redis */

    rules = phone ? &lcf->phone : (redis ? &lcf->cluster : &lcf->local);
    rule = rules->elts;

    for (i = 0; i < rules->nelts; i++) {
        if (rule[i].interval == interval
            && rule[i].tolerance == (uint64_t) burst * interval)
        {
            return "is duplicate";
        }
    }

    if (rules->nelts == NGX_PA_LIMIT_RULES_MAX) {
        return "has too many rules of this kind";
    }

    rule = ngx_array_push(rules);
    if (rule == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(rule, sizeof(ngx_pa_limit_rule_t));

    rule->interval = interval;
    rule->tolerance = (uint64_t) burst * interval;

    ngx_memcpy(rule->key, &rule->interval, sizeof(uint64_t));
    ngx_memcpy(rule->key + sizeof(uint64_t), &rule->tolerance,
               sizeof(uint64_t));

    return ngx_pa_limit_rule_name(cf, rule);
}


/* rate=, burst= and redis of "pa_limit <key> ..." */

static char *
ngx_pa_limit_params(ngx_conf_t *cf, uint64_t *interval, ngx_int_t *burst,
    ngx_uint_t *redis)
{
    char        *rv;
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    *interval = 0;
    *burst = 0;
    *redis = 0;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "rate=", 5) == 0) {
            rv = ngx_pa_limit_rate(cf, &value[i], interval);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "burst=", 6) == 0) {
            *burst = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (*burst == NGX_ERROR || *burst > NGX_PA_LIMIT_BURST_MAX) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid burst \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (value[i].len == 5 && ngx_strncmp(value[i].data, "redis", 5) == 0)
        {
            *redis = 1;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the parameters as written, for the log */

static char *
ngx_pa_limit_rule_name(ngx_conf_t *cf, ngx_pa_limit_rule_t *rule)
{
    u_char      *p;
    size_t       len;
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    len = 0;

    for (i = 1; i < cf->args->nelts; i++) {
        len += value[i].len + 1;
    }

    rule->name.data = ngx_pnalloc(cf->pool, len);
    if (rule->name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = rule->name.data;

    for (i = 1; i < cf->args->nelts; i++) {
        if (i > 1) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, value[i].data, value[i].len);
    }

    rule->name.len = p - rule->name.data;

    return NGX_CONF_OK;
}


static ngx_pa_limit_conf_t *
ngx_pa_limit_get_conf(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_limit_conf_t  *lcf;

    if (pmcf->limit != NULL) {
        return pmcf->limit;
    }

    lcf = ngx_pcalloc(cf->pool, sizeof(ngx_pa_limit_conf_t));
    if (lcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&lcf->local, cf->pool, 2, sizeof(ngx_pa_limit_rule_t))
        != NGX_OK
        || ngx_array_init(&lcf->cluster, cf->pool, 2,
                          sizeof(ngx_pa_limit_rule_t))
           != NGX_OK
        || ngx_array_init(&lcf->phone, cf->pool, 2,
                          sizeof(ngx_pa_limit_rule_t))
           != NGX_OK)
    {
        return NULL;
    }

    pmcf->limit = lcf;

    return lcf;
}


/* "rate=30r/m": the interval between two requests, in microseconds */

static char *
ngx_pa_limit_rate(ngx_conf_t *cf, ngx_str_t *v, uint64_t *interval)
{
    u_char     *p;
    size_t      len;
    uint64_t    scale;
    ngx_int_t   n;

    p = v->data + 5;
    len = v->len - 5;

    if (len > 3 && ngx_strncmp(p + len - 3, "r/s", 3) == 0) {
        scale = 1000000;

    } else if (len > 3 && ngx_strncmp(p + len - 3, "r/m", 3) == 0) {
        scale = 60000000;

    } else if (len > 3 && ngx_strncmp(p + len - 3, "r/h", 3) == 0) {
        scale = 3600000000ULL;

    } else {
        goto invalid;
    }

    n = ngx_atoi(p, len - 3);

    if (n <= 0 || n > NGX_PA_LIMIT_RATE_MAX) {
        goto invalid;
    }

    *interval = scale / n;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid rate \"%V\": <N>r/s, <N>r/m or <N>r/h, N in "
                       "1..%d", v, NGX_PA_LIMIT_RATE_MAX);
    return NGX_CONF_ERROR;
}


/* postconfiguration: checks what needs the whole http{} block, the hook */

ngx_int_t
ngx_pa_limit_init(ngx_conf_t *cf)
{
    ngx_pa_main_conf_t         *pmcf;
    ngx_http_handler_pt        *h;
    ngx_pa_limit_conf_t        *lcf;
    ngx_http_core_main_conf_t  *cmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_pa_module);
    lcf = pmcf->limit;

    if (lcf == NULL) {
        return NGX_OK;
    }

    if (lcf->local.nelts && lcf->shm_zone == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"pa_limit\" without \"redis\" needs "
                      "\"pa_limit_zone\" in the http block");
        return NGX_ERROR;
    }

    if (lcf->cluster.nelts + lcf->phone.nelts && pmcf->redis_host.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"pa_limit ... redis\" and \"pa_limit phone\" "
                      "need \"pa_redis\" in the http block");
        return NGX_ERROR;
    }

    if (ngx_pa_limit_args(cf, &lcf->cluster) != NGX_OK
        || ngx_pa_limit_args(cf, &lcf->phone) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* no address rule: no handler, not even a method check per request */

    if (lcf->local.nelts + lcf->cluster.nelts == 0) {
        return NGX_OK;
    }

    /*
     * Preaccess, as limit_req: before auth_request and "satisfy any" can
     * decide anything, and long before the content handler reads a body.
     */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_pa_limit_handler;

    return NGX_OK;
}


/* limit.lua's ARGV of each rule, formatted once */

static ngx_int_t
ngx_pa_limit_args(ngx_conf_t *cf, ngx_array_t *rules)
{
    ngx_uint_t            i;
    ngx_pa_limit_rule_t  *rule;

    rule = rules->elts;

    for (i = 0; i < rules->nelts; i++) {
        rule[i].arg_interval.data = ngx_pnalloc(cf->pool, NGX_INT64_LEN);
        rule[i].arg_tolerance.data = ngx_pnalloc(cf->pool, NGX_INT64_LEN);

        if (rule[i].arg_interval.data == NULL
            || rule[i].arg_tolerance.data == NULL)
        {
            return NGX_ERROR;
        }

        rule[i].arg_interval.len = ngx_sprintf(rule[i].arg_interval.data,
                                               "%uL", rule[i].interval)
                                   - rule[i].arg_interval.data;
        rule[i].arg_tolerance.len = ngx_sprintf(rule[i].arg_tolerance.data,
                                                "%uL", rule[i].tolerance)
                                    - rule[i].arg_tolerance.data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_limit_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_pa_limit_zone_t  *ozone = data;

    size_t                len;
    ngx_pa_limit_zone_t  *zone;

    zone = shm_zone->data;

    if (ozone != NULL) {

        /* nginx -s reload, same size: keep every client's buckets */

        if (ozone->sh->magic != NGX_PA_LIMIT_MAGIC) {
            ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                          "pa_limit_zone: the running zone has another "
                          "layout; change its size or restart nginx");
            return NGX_ERROR;
        }

        zone->sh = ozone->sh;
        zone->shpool = ozone->shpool;

        return NGX_OK;
    }

    zone->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->shpool->data;
        return NGX_OK;
    }

    zone->sh = ngx_slab_alloc(zone->shpool, sizeof(ngx_pa_limit_sh_t));
    if (zone->sh == NULL) {
        return NGX_ERROR;
    }

    zone->shpool->data = zone->sh;
    zone->sh->magic = NGX_PA_LIMIT_MAGIC;

    ngx_rbtree_init(&zone->sh->rbtree, &zone->sh->sentinel,
                    ngx_pa_limit_rbtree_insert);

    ngx_queue_init(&zone->sh->queue);

    len = sizeof(" in pa_limit_zone \"\"") + shm_zone->shm.name.len;

    zone->shpool->log_ctx = ngx_slab_alloc(zone->shpool, len);
    if (zone->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(zone->shpool->log_ctx, " in pa_limit_zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone evicts the least recent client: no log per request */

    zone->shpool->log_nomem = 0;

    return NGX_OK;
}


/* equal crc32: order by the (rule, address) bytes */

static void
ngx_pa_limit_rbtree_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t    **p;
    ngx_pa_limit_node_t   *ln, *lnt;

    for ( ;; ) {

        if (node->key != temp->key) {
            p = (node->key < temp->key) ? &temp->left : &temp->right;

        } else {
            ln = (ngx_pa_limit_node_t *) &node->color;
            lnt = (ngx_pa_limit_node_t *) &temp->color;

            p = (ngx_memn2cmp(ln->data, lnt->data, ln->len, lnt->len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


/* the phase handler */

static ngx_int_t
ngx_pa_limit_handler(ngx_http_request_t *r)
{
    size_t                len;
    uint64_t              wait;
    ngx_pa_loc_conf_t    *plcf;
    ngx_pa_main_conf_t   *pmcf;
    ngx_pa_limit_req_t   *lr;
    ngx_pa_limit_conf_t  *lcf;
    ngx_http_cleanup_t   *cln;
    ngx_pa_limit_rule_t  *by;
    u_char                addr[NGX_PA_LIMIT_ADDR_MAX];

    by = NULL;

    /* reads are cached and cheap: only what writes is limited */

    if (r->method != NGX_HTTP_POST || r != r->main) {
        return NGX_DECLINED;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_pa_module);

    if (!plcf->api) {
        return NGX_DECLINED;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_limit_staff(r, pmcf)) {
        return NGX_DECLINED;
    }

    lr = ngx_pa_limit_find(r);

    if (lr != NULL) {

        switch (lr->state) {

        case NGX_PA_LIMIT_PENDING:
            return NGX_AGAIN;

        case NGX_PA_LIMIT_REFUSED:
            ngx_pa_metrics_inc(NGX_PA_M_LIMIT_ADDR_REDIS);
            return ngx_pa_limit_refuse(r, lr->retry);

        default:
            return NGX_DECLINED;
        }
    }

    len = ngx_pa_limit_addr(r, addr);

    if (len == 0) {
        /* a unix socket without realip: a trusted local peer */
        return NGX_DECLINED;
    }

    lcf = pmcf->limit;

    if (lcf->local.nelts) {
        wait = ngx_pa_limit_local(r, lcf, addr, len, &by);

        if (wait) {
            /* seconds until one request is allowed, rounded up */

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pa limit: refused by \"%V\" (zone), "
                          "allowed again in %uL ms",
                          &by->name, (wait + 999) / 1000);
            ngx_pa_metrics_inc(NGX_PA_M_LIMIT_ADDR);

            return ngx_pa_limit_refuse(r, (time_t) ((wait + 999999)
                                                    / 1000000));
        }
    }

    lr = ngx_pcalloc(r->pool, sizeof(ngx_pa_limit_req_t));
    if (lr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_pa_limit_cleanup;
    cln->data = lr;

    lr->request = r;
    lr->state = NGX_PA_LIMIT_ALLOWED;

    if (lcf->cluster.nelts == 0) {
        return NGX_DECLINED;
    }

    return ngx_pa_limit_redis(r, pmcf, lr, addr, len);
}


/*
 * Signed-in staff are never limited: a whole IOC or agency works from one
 * office address, and every one of their writes is already accountable.
 * A token that does not verify is limited like any client (and refused
 * later), and so is a revoked one: a lost phone gets no bigger share
 * than anyone.  (A fresh worker that has not read the revoked tokens yet
 * knows only some: the request waits for the read in the content
 * handler, ngx_pa_revoke_wait.c, and is refused there if it must be.)
 * Pure CPU, as in ngx_pa_auth(): one HMAC, no Redis call.
 */

static ngx_uint_t
ngx_pa_limit_staff(ngx_http_request_t *r, ngx_pa_main_conf_t *pmcf)
{
    ngx_str_t        *h, jti, sub;
    ngx_pa_claims_t   claims;

    if (r->headers_in.authorization == NULL || pmcf->auth_secret.len == 0) {
        return 0;
    }

    h = &r->headers_in.authorization->value;

    if (h->len <= 7 || ngx_strncasecmp(h->data, (u_char *) "Bearer ", 7) != 0)
    {
        return 0;
    }

    if (ngx_pa_jwt_verify(h->data + 7, h->len - 7, pmcf->auth_secret.data,
                          pmcf->auth_secret.len, ngx_time(), &claims)
        != NGX_PA_JWT_OK)
    {
        return 0;
    }

    /* a signed-in reporter (pa_login_required) is a citizen */

    if (ngx_strcmp(claims.role, "reporter") == 0) {
        return 0;
    }

    jti.data = (u_char *) claims.jti;
    jti.len = ngx_strlen(claims.jti);
    sub.data = (u_char *) claims.sub;
    sub.len = ngx_strlen(claims.sub);

    return ngx_pa_revoke_check(pmcf, &jti, &sub, claims.iat) == NGX_OK;
}


/*
 * The client's address as the limiter's key: IPv4 (an IPv4-mapped IPv6
 * address too), or the /64 of an IPv6 address, which is one subscriber's
 * network: counting each /128 would let a phone rotate through 2^64
 * addresses.  realip, when configured, has already set c->sockaddr.
 */

static size_t
ngx_pa_limit_addr(ngx_http_request_t *r, u_char *addr)
{
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    u_char               *p;
    struct sockaddr_in6  *sin6;
#endif

    switch (r->connection->sockaddr->sa_family) {

    case AF_INET:
        sin = (struct sockaddr_in *) r->connection->sockaddr;
        ngx_memcpy(addr, &sin->sin_addr.s_addr, 4);
        return 4;

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) r->connection->sockaddr;
        p = sin6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            ngx_memcpy(addr, p + 12, 4);
            return 4;
        }

        ngx_memcpy(addr, p, 8);
        return 8;
#endif

    default:
        return 0;
    }
}


/*
 * Every local rule under one lock: the request is counted only when all
 * of them allow it.  Returns 0, or the microseconds until the most
 * demanding refusing rule (*by) allows a request.
 */

static uint64_t
ngx_pa_limit_local(ngx_http_request_t *r, ngx_pa_limit_conf_t *lcf,
    u_char *addr, size_t len, ngx_pa_limit_rule_t **by)
{
    uint64_t              now, tat, w, wait;
    ngx_uint_t            i, n, full;
    ngx_pa_limit_zone_t  *zone;
    ngx_pa_limit_rule_t  *rule;
    ngx_pa_limit_node_t  *nodes[NGX_PA_LIMIT_RULES_MAX];
    u_char                key[NGX_PA_LIMIT_KEY_LEN + NGX_PA_LIMIT_ADDR_MAX];

    zone = lcf->shm_zone->data;
    rule = lcf->local.elts;
    n = lcf->local.nelts;

    /* monotonic, the same in every worker: immune to clock steps */
    now = (uint64_t) ngx_current_msec * 1000;

    ngx_memcpy(key + NGX_PA_LIMIT_KEY_LEN, addr, len);

    wait = 0;
    full = 0;

    ngx_shmtx_lock(&zone->shpool->mutex);

    ngx_pa_limit_expire(zone, now);

    for (i = 0; i < n; i++) {
        ngx_memcpy(key, rule[i].key, NGX_PA_LIMIT_KEY_LEN);

        nodes[i] = ngx_pa_limit_lookup(zone, key, NGX_PA_LIMIT_KEY_LEN + len,
                                       nodes, i);

        if (nodes[i] == NULL) {
            /* the zone is full of active clients: this rule lets it by */
            full = 1;
            continue;
        }

        tat = ngx_max(nodes[i]->tat, now);

        if (tat - now > rule[i].tolerance) {
            w = tat - now - rule[i].tolerance;

            if (w > wait) {
                wait = w;
                *by = &rule[i];
            }
        }
    }

    if (wait == 0) {
        for (i = 0; i < n; i++) {
            if (nodes[i] != NULL) {
                nodes[i]->tat = ngx_max(nodes[i]->tat, now)
                                + rule[i].interval;
            }
        }
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    if (full) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pa limit: pa_limit_zone is full, a client was "
                      "not counted");
    }

    return wait;
}


/* the node of (rule, address), created when missing; locked */

static ngx_pa_limit_node_t *
ngx_pa_limit_lookup(ngx_pa_limit_zone_t *zone, u_char *key, size_t len,
    ngx_pa_limit_node_t **busy, ngx_uint_t nbusy)
{
    size_t                size;
    uint32_t              hash;
    ngx_int_t             rc;
    ngx_rbtree_node_t    *node, *sentinel;
    ngx_pa_limit_node_t  *ln;

    hash = ngx_crc32_short(key, len);

    node = zone->sh->rbtree.root;
    sentinel = zone->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        ln = (ngx_pa_limit_node_t *) &node->color;

        rc = ngx_memn2cmp(key, ln->data, len, (size_t) ln->len);

        if (rc == 0) {
            ngx_queue_remove(&ln->queue);
            ngx_queue_insert_head(&zone->sh->queue, &ln->queue);
            return ln;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    size = offsetof(ngx_rbtree_node_t, color)
           + offsetof(ngx_pa_limit_node_t, data) + len;

    node = ngx_slab_alloc_locked(zone->shpool, size);

    if (node == NULL) {
        if (ngx_pa_limit_evict(zone, busy, nbusy) != NGX_OK) {
            return NULL;
        }

        node = ngx_slab_alloc_locked(zone->shpool, size);
        if (node == NULL) {
            return NULL;
        }
    }

    node->key = hash;

    ln = (ngx_pa_limit_node_t *) &node->color;

    ln->len = (u_char) len;
    ln->tat = 0;
    ngx_memcpy(ln->data, key, len);

    ngx_rbtree_insert(&zone->sh->rbtree, node);
    ngx_queue_insert_head(&zone->sh->queue, &ln->queue);

    return ln;
}


/* drops up to two least recent nodes whose bucket is empty; locked */

static void
ngx_pa_limit_expire(ngx_pa_limit_zone_t *zone, uint64_t now)
{
    ngx_uint_t            n;
    ngx_queue_t          *q;
    ngx_pa_limit_node_t  *ln;

    for (n = 0; n < 2; n++) {

        if (ngx_queue_empty(&zone->sh->queue)) {
            return;
        }

        q = ngx_queue_last(&zone->sh->queue);
        ln = ngx_queue_data(q, ngx_pa_limit_node_t, queue);

        if (ln->tat > now) {
            return;
        }

        ngx_pa_limit_free_node(zone, ln);
    }
}


/* the zone is full: the least recent client goes, unless in use; locked */

static ngx_int_t
ngx_pa_limit_evict(ngx_pa_limit_zone_t *zone, ngx_pa_limit_node_t **busy,
    ngx_uint_t nbusy)
{
    ngx_uint_t            i;
    ngx_queue_t          *q;
    ngx_pa_limit_node_t  *ln;

    if (ngx_queue_empty(&zone->sh->queue)) {
        return NGX_DECLINED;
    }

    q = ngx_queue_last(&zone->sh->queue);
    ln = ngx_queue_data(q, ngx_pa_limit_node_t, queue);

    for (i = 0; i < nbusy; i++) {
        if (busy[i] == ln) {
            return NGX_DECLINED;
        }
    }

    ngx_pa_limit_free_node(zone, ln);

    return NGX_OK;
}


static void
ngx_pa_limit_free_node(ngx_pa_limit_zone_t *zone, ngx_pa_limit_node_t *ln)
{
    ngx_rbtree_node_t  *node;

    ngx_queue_remove(&ln->queue);

    node = (ngx_rbtree_node_t *)
               ((u_char *) ln - offsetof(ngx_rbtree_node_t, color));

    ngx_rbtree_delete(&zone->sh->rbtree, node);

    ngx_slab_free_locked(zone->shpool, node);
}


/* the cluster-wide rules: one limit.lua call, the phases wait for it */

static ngx_int_t
ngx_pa_limit_redis(ngx_http_request_t *r, ngx_pa_main_conf_t *pmcf,
    ngx_pa_limit_req_t *lr, u_char *addr, size_t len)
{
    size_t                n;
    ngx_str_t            *key;
    ngx_uint_t            k;
    ngx_array_t          *keys, *args;
    ngx_pa_limit_conf_t  *lcf;
    ngx_pa_limit_rule_t  *rule;
#if (NGX_HAVE_INET6)
    u_char                a6[16];
#endif
    u_char                text[NGX_INET6_ADDRSTRLEN + sizeof("/64")];

    lcf = pmcf->limit;

    /* the key names the address as text: readable in redis-cli */

#if (NGX_HAVE_INET6)
    if (len != 4) {
        ngx_memzero(a6, sizeof(a6));
        ngx_memcpy(a6, addr, len);

        n = ngx_inet_ntop(AF_INET6, a6, text, NGX_INET6_ADDRSTRLEN);
        n = ngx_cpymem(text + n, "/64", 3) - text;

    } else
#endif
    {
        n = ngx_inet_ntop(AF_INET, addr, text, NGX_INET6_ADDRSTRLEN);
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 2 * lcf->cluster.nelts,
                            sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_pa_key(r, keys, "rl:addr:%*s", n, text);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rule = lcf->cluster.elts;

    for (k = 0; k < lcf->cluster.nelts; k++) {
        if (ngx_pa_arg_str(args, &rule[k].arg_interval) != NGX_OK
            || ngx_pa_arg_str(args, &rule[k].arg_tolerance) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    ngx_pa_call_init(&lr->call, pmcf, r->pool, r->connection->log);

    if (ngx_pa_call_script(&lr->call, NGX_PA_SCRIPT_LIMIT, keys, args)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* notice a client that gives up while Redis thinks */

    if (ngx_handle_read_event(r->connection->read, 0) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_call_send(&lr->call, ngx_pa_limit_on_redis, lr) != NGX_OK) {
        ngx_pa_limit_fail_open(lcf, r->connection->log, "not connected");
        return NGX_DECLINED;
    }

    lr->state = NGX_PA_LIMIT_PENDING;

    r->read_event_handler = ngx_http_test_reading;

    /* the reply resumes the request: hold it until then */
    r->main->count++;

    return NGX_AGAIN;
}


static void
ngx_pa_limit_on_redis(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_limit_req_t  *lr = call->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = lr->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    lr->state = ngx_pa_limit_verdict(r, reply, &lr->retry);

    r->main->count--;
    r->read_event_handler = ngx_http_block_reading;

    /* the handler runs again and answers from lr->state */

    ngx_http_core_run_phases(r);
    ngx_http_run_posted_requests(c);
}


static ngx_uint_t
ngx_pa_limit_verdict(ngx_http_request_t *r, redisReply *reply, time_t *retry)
{
    redisReply          **e;
    ngx_pa_main_conf_t   *pmcf;

    if (reply == NULL) {
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
        ngx_pa_limit_fail_open(pmcf->limit, r->connection->log, "no answer");
        return NGX_PA_LIMIT_ALLOWED;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa limit: limit.lua failed: \"%*s\", request let "
                      "through", reply->len, reply->str);
        return NGX_PA_LIMIT_ALLOWED;
    }

    e = reply->element;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || e[0]->type != REDIS_REPLY_INTEGER
        || e[1]->type != REDIS_REPLY_INTEGER)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa limit: unexpected reply of limit.lua (type %d), "
                      "request let through", reply->type);
        return NGX_PA_LIMIT_ALLOWED;
    }

    if (e[0]->integer == 1) {
        return NGX_PA_LIMIT_ALLOWED;
    }

    *retry = (time_t) ((e[1]->integer + 999) / 1000);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa limit: refused by the redis limit, allowed again in "
                  "%L ms", (int64_t) e[1]->integer);

    return NGX_PA_LIMIT_REFUSED;
}


/*
 * Redis is down or slow: the request goes on (its own Redis call will
 * answer 503).  During an outage every POST comes here: one line per
 * second and worker says it.
 */

static void
ngx_pa_limit_fail_open(ngx_pa_limit_conf_t *lcf, ngx_log_t *log,
    const char *why)
{
    if (lcf->warned != 0 && ngx_current_msec - lcf->warned
                            < NGX_PA_LIMIT_WARN_GAP)
    {
        lcf->quiet++;
        return;
    }

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "pa limit: redis %s, the cluster limit let the request "
                  "through (%ui more since the last line)", why, lcf->quiet);

    lcf->warned = ngx_current_msec ? ngx_current_msec : 1;
    lcf->quiet = 0;
}


static ngx_pa_limit_req_t *
ngx_pa_limit_find(ngx_http_request_t *r)
{
    ngx_http_cleanup_t  *cln;

    for (cln = r->main->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_pa_limit_cleanup) {
            return cln->data;
        }
    }

    return NULL;
}


/* the request goes away (client closed, worker exits): drop the reply */

static void
ngx_pa_limit_cleanup(void *data)
{
    ngx_pa_limit_req_t  *lr = data;

    ngx_pa_call_cancel(&lr->call);
}


/*
 * 429 with the seconds to wait.  The body is static (a flood costs no
 * JSON encoding); the request body is discarded, never read into
 * anything.  Finalizes the request itself: a phase handler's NGX_OK would
 * move on to the next phase.
 */

static ngx_int_t
ngx_pa_limit_refuse(ngx_http_request_t *r, time_t retry)
{
    json_t           *err;
    ngx_int_t         rc;
    ngx_str_t         type;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    ngx_table_elt_t  *h;

    if (retry < 1) {
        retry = 1;
    }

    if (r->headers_in.expect != NULL
#if (NGX_HTTP_V2)
        && r->stream == NULL
#endif
       )
    {
        /*
         * The client waits for "100 Continue" before sending the body:
         * never invite a body that is refused, close after the answer
         * instead of waiting for it.
         */

        r->expect_tested = 1;
        r->keepalive = 0;

    } else {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            ngx_http_finalize_request(r, rc);
            return NGX_DONE;
        }
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NGX_DONE;
    }

    h->value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (h->value.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NGX_DONE;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    h->value.len = ngx_sprintf(h->value.data, "%T", retry) - h->value.data;

    ngx_str_set(&type, "application/json");

    if (ngx_pa_open311_request(r)) {

        /* GeoReport's error format, in the format of the path */

        err = ngx_pa_open311_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                   "rate_limited", NULL,
                                   "too many requests, try again later");
        b = err ? ngx_pa_open311_render(r, err, "errors", &type) : NULL;

        if (err != NULL) {
            json_decref(err);
        }

        if (b == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return NGX_DONE;
        }

    } else {
        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return NGX_DONE;
        }

        b->pos = ngx_pa_limit_body;
        b->last = ngx_pa_limit_body + sizeof(ngx_pa_limit_body) - 1;
        b->memory = 1;
    }

    b->last_buf = 1;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_TOO_MANY_REQUESTS;
    r->headers_out.content_length_n = b->last - b->pos;
    r->headers_out.content_type = type;
    r->headers_out.content_type_len = type.len;
    ngx_str_set(&r->headers_out.charset, "utf-8");
    r->headers_out.last_modified_time = -1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_http_finalize_request(r, rc);
        return NGX_DONE;
    }

    out.buf = b;
    out.next = NULL;

    ngx_http_finalize_request(r, ngx_http_output_filter(r, &out));

    return NGX_DONE;
}


/*
 * The phone rules: limit.lua on the bucket of the phone hash and the
 * client's network (an IPv4 address, an IPv6 /64), called by the
 * submission once the phone is known.  Its reply goes to on_reply.
 *
 * Keyed on the phone alone, anyone could lock a citizen out by sending
 * reports with the citizen's number (21 were enough).  Keyed on both, a
 * third party spends only its own budget for that number, the citizen's
 * own network keeps its budget, and one client still cannot flood with
 * one number; a flood from many networks is the address limiter's.
 * (Counting only accepted reports would not help: a third party's
 * reports are accepted too.)
 */

ngx_int_t
ngx_pa_limit_phone(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *phone_hash, ngx_str_t *idem, ngx_pa_reply_pt on_reply)
{
    ngx_str_t             who;
    size_t                n;
    u_char                addr[16];
    ngx_uint_t            i;
    ngx_array_t          *keys, *args;
    ngx_pa_main_conf_t   *pmcf;
    ngx_pa_limit_conf_t  *lcf;
    ngx_pa_limit_rule_t  *rule;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    lcf = pmcf->limit;

    if (lcf == NULL || lcf->phone.nelts == 0) {
        return NGX_DECLINED;
    }

    n = ngx_pa_limit_addr(r, addr);

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 2 * lcf->phone.nelts + 1,
                            sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "rl:phone:%V:%*xs", phone_hash, n, addr)
        == NULL
        || ngx_pa_key(r, keys, "rl:phone:%V:%*xs:s", phone_hash, n, addr)
           == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rule = lcf->phone.elts;

    for (i = 0; i < lcf->phone.nelts; i++) {
        if (ngx_pa_arg_str(args, &rule[i].arg_interval) != NGX_OK
            || ngx_pa_arg_str(args, &rule[i].arg_tolerance) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    /* 64 bits of the key's digest: among one phone's submissions a day */

    who.data = idem->data;
    who.len = ngx_min(idem->len, 16);

    if (ngx_pa_arg_str(args, &who) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_LIMIT, keys, args, on_reply);
}


/*
 * The phone's verdict.  Unlike the address rules this one does not fail
 * open: the submission's own script needs the same Redis right after, so
 * an error here is the 503 the submission would get anyway.
 */

ngx_int_t
ngx_pa_limit_phone_verdict(ngx_http_request_t *r, redisReply *reply)
{
    time_t       retry;
    ngx_uint_t   verdict;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa limit: limit.lua failed for a phone: \"%*s\"",
                      reply->len, reply->str);

        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "storage is not available, try again");
    }

    retry = 0;
    verdict = ngx_pa_limit_verdict(r, reply, &retry);

    if (verdict == NGX_PA_LIMIT_ALLOWED) {
        return NGX_DECLINED;
    }

    if (retry < 1) {
        retry = 1;
    }

    ngx_pa_metrics_inc(NGX_PA_M_LIMIT_PHONE);
    return ngx_pa_send_error_retry(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                   "rate_limited", "phone",
                                   "too many reports from this phone "
                                   "number, try again later", retry);
}
