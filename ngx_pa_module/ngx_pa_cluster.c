/*
 * Redis Cluster (see the header).
 *
 * The slot map is 16384 bytes per worker, each the index of the node
 * that owns the slot (or NONE).  Nodes are never freed before the worker
 * exits: a reply may arrive from a node the new map no longer names, and
 * a command in flight still points at it.  At most NODES of them.
 *
 * A command routed here is copied (argv and strings, one allocation)
 * into an ngx_pa_cluster_cmd_t whose first member is the command the
 * caller holds: the caller may cancel it like any other, and a redirect
 * can resend it after the caller's stack frame is gone.
 *
 * Nothing here does I/O from a node's failure hook: that runs inside
 * hiredis; the map is read by a timer, at most every GAP.
 */

#include "ngx_pa.h"
#include "ngx_pa_cluster.h"
#include "ngx_pa_hiredis.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_slot.h"


#define NGX_PA_CLUSTER_NODES      64
#define NGX_PA_CLUSTER_NONE       0xff
#define NGX_PA_CLUSTER_REDIRECTS  5
#define NGX_PA_CLUSTER_GAP        100     /* ms between two reads */
#define NGX_PA_CLUSTER_RETRY      500     /* ms: no node answered */
#define NGX_PA_CLUSTER_PORT       6379


typedef struct {
    ngx_pa_redis_t            *redis;
    ngx_str_t                  host;
    in_port_t                  port;
    u_char                     host_buf[NGX_SOCKADDR_STRLEN + 1];
} ngx_pa_cluster_node_t;


struct ngx_pa_cluster_s {
    ngx_pa_main_conf_t        *conf;
    ngx_cycle_t               *cycle;
    ngx_log_t                 *log;

    ngx_pa_cluster_node_t      nodes[NGX_PA_CLUSTER_NODES];
    ngx_uint_t                 nnodes;
    u_char                     slots[NGX_PA_SLOTS];
    u_char                     next[NGX_PA_SLOTS];     /* being read */
    ngx_uint_t                 tenant_slot;
    ngx_uint_t                 replying;    /* node whose reply runs, NONE */

    ngx_event_t                refresh;     /* reads the map */
    ngx_msec_t                 last_read;
    uint64_t                   tried;       /* nodes asked this round */
    ngx_uint_t                 asked;       /* index of the one asked */
    ngx_uint_t                 rr;          /* where the next round starts */

    unsigned                   reading:1;   /* a round is under way */
    unsigned                   known:1;     /* a map was read once */
    unsigned                   exiting:1;
};


typedef struct {
    ngx_pa_redis_cmd_t         front;      /* the caller's: first member */
    ngx_pa_cluster_t          *cluster;
    ngx_log_t                 *log;
    ngx_uint_t                 slot;
    ngx_uint_t                 node;       /* sent to */
    ngx_uint_t                 redirects;
    int                        argc;
    const char               **argv;
    size_t                    *argvlen;
    int                        deadline;   /* its argument, -1: none */
} ngx_pa_cluster_cmd_t;


static ngx_pa_redis_cmd_t *ngx_pa_cluster_route(void *owner, int argc,
    const char **argv, const size_t *argvlen, int deadline,
    ngx_pa_redis_handler_pt handler, void *data, ngx_log_t *log);
static ngx_uint_t ngx_pa_cluster_key_slot(ngx_pa_cluster_t *cl, int argc,
    const char **argv, const size_t *argvlen);
static ngx_pa_cluster_cmd_t *ngx_pa_cluster_copy(int argc,
    const char **argv, const size_t *argvlen, ngx_log_t *log);
static ngx_int_t ngx_pa_cluster_send(ngx_pa_cluster_cmd_t *cc,
    ngx_uint_t node, ngx_uint_t asking);
static void ngx_pa_cluster_reply(void *data, redisReply *reply);
static ngx_uint_t ngx_pa_cluster_redirect(ngx_pa_cluster_cmd_t *cc,
    redisReply *reply);
static void ngx_pa_cluster_done(ngx_pa_cluster_cmd_t *cc,
    redisReply *reply);

static ngx_int_t ngx_pa_cluster_node(ngx_pa_cluster_t *cl, ngx_str_t *host,
    in_port_t port);
static void ngx_pa_cluster_lost(void *owner, ngx_pa_redis_t *node);
static void ngx_pa_cluster_stale(ngx_pa_cluster_t *cl);
static void ngx_pa_cluster_refresh_handler(ngx_event_t *ev);
static void ngx_pa_cluster_ask(ngx_pa_cluster_t *cl);
static ngx_int_t ngx_pa_cluster_pick(ngx_pa_cluster_t *cl);
static void ngx_pa_cluster_slots_reply(void *data, redisReply *reply);
static ngx_int_t ngx_pa_cluster_read_map(ngx_pa_cluster_t *cl,
    redisReply *reply);
static void ngx_pa_cluster_apply(ngx_pa_cluster_t *cl);
static ngx_uint_t ngx_pa_cluster_literal(u_char *p, size_t len);


/* configuration */

ngx_int_t
ngx_pa_cluster_option(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *value)
{
    ngx_str_t               s;
    ngx_pa_cluster_conf_t  *ccf;

    if (ngx_strncmp(value->data, "cluster=", 8) != 0) {
        return NGX_DECLINED;
    }

    s.data = value->data + 8;
    s.len = value->len - 8;

    if (pmcf->cluster != NULL || s.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", value);
        return NGX_ERROR;
    }

    ccf = ngx_pcalloc(cf->pool, sizeof(ngx_pa_cluster_conf_t));
    if (ccf == NULL) {
        return NGX_ERROR;
    }

    if (ngx_array_init(&ccf->seeds, cf->pool, 3,
                       sizeof(ngx_pa_cluster_addr_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pmcf->cluster = ccf;

    if (ngx_pa_hiredis_addrs(cf, &s, NGX_PA_CLUSTER_PORT, "cluster node",
                             &ccf->seeds)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ccf->seeds.nelts > NGX_PA_CLUSTER_NODES) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "at most %d cluster nodes", NGX_PA_CLUSTER_NODES);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_cluster_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    if (pmcf->cluster == NULL) {
        return NGX_OK;
    }

    if (pmcf->sentinel != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"cluster=\" and \"sentinel=\" exclude each "
                           "other: a cluster elects its own primaries");
        return NGX_ERROR;
    }

    if (pmcf->redis_unix || pmcf->redis_port) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "an address and \"cluster=\": the cluster's "
                           "slot map names the nodes");
        return NGX_ERROR;
    }

    if (pmcf->redis_db > 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"db=\" with \"cluster=\": a cluster has "
                           "database 0 only");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the worker */

ngx_int_t
ngx_pa_cluster_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_uint_t              i;
    ngx_pa_cluster_t       *cl;
    ngx_pa_cluster_addr_t  *a;

    cl = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_cluster_t));
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->conf = pmcf;
    cl->cycle = cycle;
    cl->log = cycle->log;
    ngx_memset(cl->slots, NGX_PA_CLUSTER_NONE, NGX_PA_SLOTS);
    cl->replying = NGX_PA_CLUSTER_NONE;
    cl->tenant_slot = ngx_pa_slot(pmcf->key_prefix.data,
                                  pmcf->key_prefix.len);

    cl->refresh.handler = ngx_pa_cluster_refresh_handler;
    cl->refresh.data = cl;
    cl->refresh.log = cycle->log;
    cl->refresh.cancelable = 1;

    if (ngx_pa_redis_front(cycle, pmcf, ngx_pa_cluster_route, cl) == NULL) {
        return NGX_ERROR;
    }

    a = pmcf->cluster->seeds.elts;

    for (i = 0; i < pmcf->cluster->seeds.nelts; i++) {
        if (ngx_pa_cluster_node(cl, &a[i].host, a[i].port) < 0) {
            return NGX_ERROR;
        }
    }

    pmcf->worker.cluster = cl;

    /* until the map is read, calls answer 503 */

    ngx_pa_cluster_ask(cl);

    return NGX_OK;
}


void
ngx_pa_cluster_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_uint_t         i;
    ngx_pa_cluster_t  *cl;

    cl = pmcf->worker.cluster;
    if (cl == NULL) {
        return;
    }

    /* the nodes' pending calls are answered NULL: none is resent */

    cl->exiting = 1;

    if (cl->refresh.timer_set) {
        ngx_del_timer(&cl->refresh);
    }

    for (i = 0; i < cl->nnodes; i++) {
        ngx_pa_redis_node_free(cl->nodes[i].redis);
    }

    pmcf->worker.cluster = NULL;
}


/* a command: to the node that owns its slot */

static ngx_pa_redis_cmd_t *
ngx_pa_cluster_route(void *owner, int argc, const char **argv,
    const size_t *argvlen, int deadline, ngx_pa_redis_handler_pt handler,
    void *data, ngx_log_t *log)
{
    ngx_pa_cluster_t *cl = owner;

    ngx_uint_t             slot, node;
    ngx_pa_cluster_cmd_t  *cc;

    if (cl->exiting) {
        return NULL;
    }

    slot = ngx_pa_cluster_key_slot(cl, argc, argv, argvlen);

    /*
     * A command without a key sent from a reply's handler (WAIT after a
     * write) goes where that reply came from: after an ASK, that is not
     * the slot's owner in the map.
     */

    if (slot == NGX_PA_SLOTS && cl->replying != NGX_PA_CLUSTER_NONE) {
        slot = cl->tenant_slot;
        node = cl->replying;

    } else {
        if (slot == NGX_PA_SLOTS) {
            slot = cl->tenant_slot;
        }

        node = cl->slots[slot];
    }

    if (node == NGX_PA_CLUSTER_NONE) {

        /* the first map is on its way as the worker starts: expected */

        if (cl->known) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa redis cluster: no node owns slot %ui", slot);

        } else {
            ngx_log_error(NGX_LOG_INFO, log, 0,
                          "pa redis cluster: no node owns slot %ui yet "
                          "(the slot map is not read)", slot);
        }

        ngx_pa_cluster_stale(cl);
        return NULL;
    }

    cc = ngx_pa_cluster_copy(argc, argv, argvlen, log);
    if (cc == NULL) {
        return NULL;
    }

    cc->cluster = cl;
    cc->log = log;
    cc->slot = slot;
    cc->deadline = deadline;
    cc->front.handler = handler;
    cc->front.data = data;
    cc->front.timer.log = log;

    if (ngx_pa_cluster_send(cc, node, 0) != NGX_OK) {
        ngx_free(cc);
        return NULL;
    }

    return &cc->front;
}


/*
 * The slot of a command's first key: a script's first KEYS entry, or the
 * first argument that is one of our keys.  NGX_PA_SLOTS: it has none
 * (PING, WAIT, a script without keys).
 */

static ngx_uint_t
ngx_pa_cluster_key_slot(ngx_pa_cluster_t *cl, int argc, const char **argv,
    const size_t *argvlen)
{
    int        i;
    ngx_int_t  nkeys;

    if (argc >= 3
        && ((argvlen[0] == 7
             && ngx_strncasecmp((u_char *) argv[0], (u_char *) "EVALSHA", 7)
                == 0)
            || (argvlen[0] == 4
                && ngx_strncasecmp((u_char *) argv[0], (u_char *) "EVAL", 4)
                   == 0)))
    {
        nkeys = ngx_atoi((u_char *) argv[2], argvlen[2]);

        if (nkeys > 0 && argc > 3) {
            return ngx_pa_slot((u_char *) argv[3], argvlen[3]);
        }

        return NGX_PA_SLOTS;
    }

    for (i = 1; i < argc; i++) {
        if (argvlen[i] > 4 && ngx_strncmp(argv[i], "pa:{", 4) == 0) {
            return ngx_pa_slot((u_char *) argv[i], argvlen[i]);
        }
    }

    return NGX_PA_SLOTS;
}


/* argv, lengths and strings in one block the command owns */

static ngx_pa_cluster_cmd_t *
ngx_pa_cluster_copy(int argc, const char **argv, const size_t *argvlen,
    ngx_log_t *log)
{
    int                    i;
    size_t                 size;
    u_char                *p;
    ngx_pa_cluster_cmd_t  *cc;

    size = sizeof(ngx_pa_cluster_cmd_t)
           + argc * (sizeof(char *) + sizeof(size_t));

    for (i = 0; i < argc; i++) {
        size += argvlen[i];
    }

    cc = ngx_alloc(size, log);
    if (cc == NULL) {
        return NULL;
    }

    ngx_memzero(cc, sizeof(ngx_pa_cluster_cmd_t));

    cc->argc = argc;
    cc->argv = (const char **) (cc + 1);
    cc->argvlen = (size_t *) (cc->argv + argc);
    p = (u_char *) (cc->argvlen + argc);

    for (i = 0; i < argc; i++) {
        cc->argv[i] = (const char *) p;
        cc->argvlen[i] = argvlen[i];
        p = ngx_cpymem(p, argv[i], argvlen[i]);
    }

    return cc;
}


/* NGX_OK: the reply reaches ngx_pa_cluster_reply(), once */

static ngx_int_t
ngx_pa_cluster_send(ngx_pa_cluster_cmd_t *cc, ngx_uint_t node,
    ngx_uint_t asking)
{
    size_t               len;
    const char          *asking_argv;
    ngx_pa_redis_t      *redis;
    ngx_pa_redis_cmd_t  *inner;

    redis = cc->cluster->nodes[node].redis;

    /* ASKING holds for the next command of this connection only */

    if (asking) {
        asking_argv = "ASKING";
        len = 6;

        /* no handler: its reply is dropped (data NULL) */

        inner = ngx_pa_redis_command(redis, 1, &asking_argv, &len, NULL,
                                     NULL, cc->log);
        if (inner == NULL) {
            ngx_pa_cluster_stale(cc->cluster);
            return NGX_DECLINED;
        }

        ngx_pa_redis_background(inner);
    }

    /* a resend (MOVED, ASK) gets a deadline of its node and its time */

    inner = ngx_pa_redis_command_dl(redis, cc->argc, cc->argv, cc->argvlen,
                                    cc->deadline, ngx_pa_cluster_reply, cc,
                                    cc->log);

    if (inner == NULL) {
        ngx_log_error(NGX_LOG_WARN, cc->log, 0,
                      "pa redis cluster: \"%V\", the owner of slot %ui, is "
                      "not reachable now", ngx_pa_redis_name(redis),
                      cc->slot);
        ngx_pa_cluster_stale(cc->cluster);
        return NGX_DECLINED;
    }

    if (cc->front.background) {
        ngx_pa_redis_background(inner);
    }

    cc->front.inner = inner;
    cc->node = node;

    return NGX_OK;
}


static void
ngx_pa_cluster_reply(void *data, redisReply *reply)
{
    ngx_pa_cluster_cmd_t  *cc = data;

    cc->front.inner = NULL;

    /* the caller went away: nothing to answer, nothing to resend */

    if (cc->front.done || cc->front.data == NULL) {
        ngx_free(cc);
        return;
    }

    if (reply == NULL) {
        ngx_pa_cluster_stale(cc->cluster);

    } else if (reply->type == REDIS_REPLY_ERROR) {

        if (ngx_pa_cluster_redirect(cc, reply)) {
            return;
        }

        if ((reply->len >= 11 && ngx_strncmp(reply->str, "CLUSTERDOWN", 11)
                                 == 0)
            || (reply->len >= 8 && ngx_strncmp(reply->str, "TRYAGAIN", 8)
                                   == 0)
            || (reply->len >= 5 && (ngx_strncmp(reply->str, "MOVED", 5) == 0
                                    || ngx_strncmp(reply->str, "ASK ", 4)
                                       == 0)))
        {
            /* the cluster is electing or moving: 503, Retry-After */

            ngx_log_error(NGX_LOG_WARN, cc->log, 0,
                          "pa redis cluster: \"%*s\" for slot %ui",
                          ngx_min((size_t) reply->len, 80), reply->str,
                          cc->slot);
            ngx_pa_cluster_stale(cc->cluster);
            reply = NULL;
        }
    }

    ngx_pa_cluster_done(cc, reply);
}


/*
 * "-MOVED <slot> <host>:<port>": the slot is there for good (the map is
 * read again); "-ASK <slot> <host>:<port>": for this command only.  1:
 * resent, the reply will come again.
 */

static ngx_uint_t
ngx_pa_cluster_redirect(ngx_pa_cluster_cmd_t *cc, redisReply *reply)
{
    u_char            *p, *last, *colon, *space;
    ngx_int_t          node, port;
    ngx_str_t          host;
    ngx_uint_t         moved;
    ngx_pa_cluster_t  *cl;

    cl = cc->cluster;
    p = (u_char *) reply->str;
    last = p + reply->len;

    if (reply->len > 6 && ngx_strncmp(p, "MOVED ", 6) == 0) {
        moved = 1;
        p += 6;

    } else if (reply->len > 4 && ngx_strncmp(p, "ASK ", 4) == 0) {
        moved = 0;
        p += 4;

    } else {
        return 0;
    }

    if (cl->exiting || cc->redirects++ >= NGX_PA_CLUSTER_REDIRECTS) {
        return 0;
    }

    space = ngx_strlchr(p, last, ' ');
    if (space == NULL) {
        return 0;
    }

    /* the last colon: an IPv6 address has its own */

    for (colon = last - 1; colon > space && *colon != ':'; colon--) {
        /* void */
    }

    host.data = space + 1;
    host.len = colon - host.data;
    port = ngx_atoi(colon + 1, last - colon - 1);

    if (colon == space || host.len == 0 || port <= 0 || port > 65535) {
        return 0;
    }

    node = ngx_pa_cluster_node(cl, &host, (in_port_t) port);
    if (node < 0) {
        return 0;
    }

    ngx_log_error(NGX_LOG_INFO, cc->log, 0,
                  "pa redis cluster: %s slot %ui to \"%V\"",
                  moved ? "moved" : "asked", cc->slot,
                  ngx_pa_redis_name(cl->nodes[node].redis));

    if (moved) {
        cl->slots[cc->slot] = (u_char) node;
        ngx_pa_redis_node_idle(cl->nodes[node].redis, 0);
        ngx_pa_cluster_stale(cl);
    }

    return ngx_pa_cluster_send(cc, node, !moved) == NGX_OK;
}


static void
ngx_pa_cluster_done(ngx_pa_cluster_cmd_t *cc, redisReply *reply)
{
    ngx_uint_t         was;
    ngx_pa_cluster_t  *cl = cc->cluster;

    cc->front.done = 1;

    was = cl->replying;
    cl->replying = reply != NULL ? cc->node : NGX_PA_CLUSTER_NONE;
    cc->front.handler(cc->front.data, reply);
    cl->replying = was;

    ngx_free(cc);
}


/* the nodes */

/* the index of the node at host:port, made if new; -1: none (logged) */

static ngx_int_t
ngx_pa_cluster_node(ngx_pa_cluster_t *cl, ngx_str_t *host, in_port_t port)
{
    size_t                  len;
    ngx_uint_t              i;
    ngx_pa_cluster_node_t  *n;

    for (i = 0; i < cl->nnodes; i++) {
        n = &cl->nodes[i];

        if (n->port == port && n->host.len == host->len
            && ngx_strncmp(n->host.data, host->data, host->len) == 0)
        {
            return i;
        }
    }

    /* hiredis would resolve a name with a blocking getaddrinfo() */

    if (!ngx_pa_cluster_literal(host->data, host->len)) {
        ngx_log_error(NGX_LOG_ERR, cl->log, 0,
                      "pa redis cluster: node \"%V\" is not an address "
                      "literal, not used", host);
        return -1;
    }

    if (cl->nnodes == NGX_PA_CLUSTER_NODES) {
        ngx_log_error(NGX_LOG_ERR, cl->log, 0,
                      "pa redis cluster: more than %d nodes, \"%V\" not "
                      "used", NGX_PA_CLUSTER_NODES, host);
        return -1;
    }

    n = &cl->nodes[cl->nnodes];

    len = ngx_min(host->len, NGX_SOCKADDR_STRLEN);
    ngx_memcpy(n->host_buf, host->data, len);
    n->host_buf[len] = '\0';
    n->host.data = n->host_buf;
    n->host.len = len;
    n->port = port;

    n->redis = ngx_pa_redis_node(cl->cycle, cl->conf, &n->host, port,
                                 ngx_pa_cluster_lost, cl);
    if (n->redis == NULL) {
        return -1;
    }

    return cl->nnodes++;
}


static ngx_uint_t
ngx_pa_cluster_literal(u_char *p, size_t len)
{
    size_t  i;

    if (len == 0) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')
              || (p[i] >= 'A' && p[i] <= 'F') || p[i] == '.' || p[i] == ':'))
        {
            return 0;
        }
    }

    return 1;
}


/* ngx_pa_redis_lost_pt: a node failed, the map may have changed */

static void
ngx_pa_cluster_lost(void *owner, ngx_pa_redis_t *node)
{
    ngx_pa_cluster_stale(owner);
}


/* the map is read again soon: never at once (hiredis may be on the stack) */

static void
ngx_pa_cluster_stale(ngx_pa_cluster_t *cl)
{
    ngx_msec_t  gap;

    if (cl->exiting || cl->reading || cl->refresh.timer_set) {
        return;
    }

    gap = ngx_current_msec - cl->last_read;

    ngx_add_timer(&cl->refresh, gap >= NGX_PA_CLUSTER_GAP
                                ? 1 : NGX_PA_CLUSTER_GAP - gap);
}


static void
ngx_pa_cluster_refresh_handler(ngx_event_t *ev)
{
    ngx_pa_cluster_t  *cl = ev->data;

    if (cl->exiting || ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_pa_cluster_ask(cl);
}


/* one round: CLUSTER SLOTS to each node in turn until one answers */

static void
ngx_pa_cluster_ask(ngx_pa_cluster_t *cl)
{
    if (!cl->reading) {
        cl->reading = 1;
        cl->tried = 0;
    }

    if (ngx_pa_cluster_pick(cl) == NGX_OK) {
        return;                 /* the answer comes to slots_reply() */
    }

    ngx_log_error(NGX_LOG_ERR, cl->log, 0,
                  "pa redis cluster: no node answered CLUSTER SLOTS, "
                  "asking again in %d ms", NGX_PA_CLUSTER_RETRY);

    cl->reading = 0;
    cl->last_read = ngx_current_msec;

    if (!cl->exiting && !cl->refresh.timer_set) {
        ngx_add_timer(&cl->refresh, NGX_PA_CLUSTER_RETRY);
    }
}


/*
 * Sends CLUSTER SLOTS to a node not asked yet this round, those with a
 * connection up first.  NGX_DECLINED: none is left.
 */

static ngx_int_t
ngx_pa_cluster_pick(ngx_pa_cluster_t *cl)
{
    size_t               argvlen[2];
    uint64_t             bit;
    ngx_uint_t           i, j, pass;
    const char          *argv[2];
    ngx_pa_redis_cmd_t  *cmd;

    argv[0] = "CLUSTER";
    argvlen[0] = 7;
    argv[1] = "SLOTS";
    argvlen[1] = 5;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < cl->nnodes; i++) {
            j = (cl->rr + i) % cl->nnodes;
            bit = (uint64_t) 1 << j;

            if ((cl->tried & bit)
                || (pass == 0 && !ngx_pa_redis_connected(cl->nodes[j].redis)))
            {
                continue;
            }

            cl->tried |= bit;

            cmd = ngx_pa_redis_command(cl->nodes[j].redis, 2, argv, argvlen,
                                       ngx_pa_cluster_slots_reply, cl,
                                       cl->log);
            if (cmd == NULL) {
                continue;
            }

            ngx_pa_redis_background(cmd);
            cl->asked = j;

            return NGX_OK;
        }
    }

    /* the next round starts elsewhere: a dead seed is not always first */

    cl->rr++;

    return NGX_DECLINED;
}


static void
ngx_pa_cluster_slots_reply(void *data, redisReply *reply)
{
    ngx_pa_cluster_t  *cl = data;

    if (cl->exiting) {
        return;
    }

    if (reply == NULL || ngx_pa_cluster_read_map(cl, reply) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, cl->log, 0,
                      "pa redis cluster: no slot map from \"%V\"%s%*s",
                      ngx_pa_redis_name(cl->nodes[cl->asked].redis),
                      reply && reply->type == REDIS_REPLY_ERROR ? ": " : "",
                      reply && reply->type == REDIS_REPLY_ERROR
                      ? ngx_min((size_t) reply->len, 80) : 0,
                      reply && reply->type == REDIS_REPLY_ERROR
                      ? reply->str : "");

        ngx_pa_cluster_ask(cl);
        return;
    }

    ngx_pa_cluster_apply(cl);

    cl->reading = 0;
    cl->last_read = ngx_current_msec;
}


/*
 * CLUSTER SLOTS: [[first, last, [host, port, id, ...], replicas...], ...]
 * into cl->next.  A host "" is the node that answered; "?" is unknown.
 */

static ngx_int_t
ngx_pa_cluster_read_map(ngx_pa_cluster_t *cl, redisReply *reply)
{
    size_t       i;
    ngx_int_t    node;
    ngx_str_t    host;
    long long    first, last, port;
    redisReply  *e, *p;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
        return NGX_ERROR;
    }

    ngx_memset(cl->next, NGX_PA_CLUSTER_NONE, NGX_PA_SLOTS);

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3
            || e->element[0]->type != REDIS_REPLY_INTEGER
            || e->element[1]->type != REDIS_REPLY_INTEGER
            || e->element[2]->type != REDIS_REPLY_ARRAY
            || e->element[2]->elements < 2
            || e->element[2]->element[0]->type != REDIS_REPLY_STRING
            || e->element[2]->element[1]->type != REDIS_REPLY_INTEGER)
        {
            return NGX_ERROR;
        }

        first = e->element[0]->integer;
        last = e->element[1]->integer;
        p = e->element[2];
        port = p->element[1]->integer;

        if (first < 0 || last < first || last >= NGX_PA_SLOTS
            || port <= 0 || port > 65535)
        {
            return NGX_ERROR;
        }

        if (p->element[0]->len == 1 && p->element[0]->str[0] == '?') {
            continue;
        }

        if (p->element[0]->len == 0) {
            host = cl->nodes[cl->asked].host;

        } else {
            host.data = (u_char *) p->element[0]->str;
            host.len = p->element[0]->len;
        }

        node = ngx_pa_cluster_node(cl, &host, (in_port_t) port);
        if (node < 0) {
            continue;
        }

        ngx_memset(cl->next + first, (u_char) node, last - first + 1);
    }

    return NGX_OK;
}


/* the map read becomes the map used */

static void
ngx_pa_cluster_apply(ngx_pa_cluster_t *cl)
{
    u_char      was, now, owns[NGX_PA_CLUSTER_NODES];
    ngx_uint_t  i;

    was = cl->slots[cl->tenant_slot];
    now = cl->next[cl->tenant_slot];

    if (now == NGX_PA_CLUSTER_NONE) {
        ngx_log_error(NGX_LOG_ERR, cl->log, 0,
                      "pa redis cluster: no node owns slot %ui of "
                      "tenant \"%V\"", cl->tenant_slot, &cl->conf->tenant);

    } else if (was != now) {
        ngx_log_error(NGX_LOG_NOTICE, cl->log, 0,
                      "pa redis cluster: slot %ui of tenant \"%V\" is on "
                      "\"%V\"", cl->tenant_slot, &cl->conf->tenant,
                      ngx_pa_redis_name(cl->nodes[now].redis));

        /* a move, not the first map: counted as a failover followed */

        if (cl->known && was != NGX_PA_CLUSTER_NONE) {
            ngx_pa_metrics_inc(NGX_PA_M_FAILOVER);
        }
    }

    ngx_memzero(owns, sizeof(owns));

    for (i = 0; i < NGX_PA_SLOTS; i++) {
        if (cl->next[i] != NGX_PA_CLUSTER_NONE) {
            owns[cl->next[i]] = 1;
        }
    }

    /* a node that owns nothing now is not reconnected after a loss */

    for (i = 0; i < cl->nnodes; i++) {
        ngx_pa_redis_node_idle(cl->nodes[i].redis, !owns[i]);
    }

    ngx_memcpy(cl->slots, cl->next, NGX_PA_SLOTS);
    cl->known = 1;
}
