/*
 * hiredis async <-> nginx event loop.
 *
 * The hiredis socket is wrapped in an ngx_connection_t so that epoll drives
 * it like any other connection.  Events are level-triggered: hiredis reads
 * at most 16 KiB per redisAsyncHandleRead() call, and a level event simply
 * fires again while data is left, so nothing is stranded in the socket.
 *
 * Lifetimes: hiredis owns the socket and closes it; each context has its
 * own link (ev.data: the context and its ngx_connection_t), given back
 * from that context's cleanup hook, so freeing an old context can never
 * touch a newer one.  Every command carries an ngx_pa_redis_cmd_t
 * allocated outside any request pool; a request that goes away cancels
 * it, and the late reply is then dropped.
 *
 * Freeing a context runs its pending callbacks with NULL, and those
 * resume requests that may send again: while hiredis is on the stack
 * (nested) nothing connects, the reconnect waits for its timer.  A reply
 * timeout closes the connection: its late replies can no longer reach a
 * request that was already answered, and a half-open socket is dropped at
 * once instead of swallowing requests until TCP gives up.
 */

#include "ngx_pa_redis.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_sentinel.h"
#include "ngx_pa_hiredis.h"
#include "ngx_pa_rclock.h"
#include "ngx_pa_rinfo.h"


#define NGX_PA_REDIS_BACKOFF_MIN    100     /* ms */
#define NGX_PA_REDIS_BACKOFF_MAX    5000
#define NGX_PA_REDIS_RETRY_GAP      250     /* request-triggered reconnect */

/* a dead peer (no RST: a failover, a firewall) is noticed in ~1 min */
#define NGX_PA_REDIS_KEEPIDLE       30      /* s */
#define NGX_PA_REDIS_KEEPINTVL      10
#define NGX_PA_REDIS_KEEPCNT        3


typedef enum {
    NGX_PA_REDIS_DOWN = 0,
    NGX_PA_REDIS_CONNECTING,
    NGX_PA_REDIS_UP
} ngx_pa_redis_state_e;


/* one hiredis context and the connection that carries its socket */
typedef struct {
    ngx_pa_redis_t            *redis;
    redisAsyncContext         *ac;
    ngx_connection_t          *conn;
    ngx_uint_t                 refused;     /* credentials: said once */
    ngx_uint_t                 no_time;     /* TIME refused: said once */
    ngx_queue_t                pending;     /* commands, oldest first */
} ngx_pa_redis_link_t;


struct ngx_pa_redis_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_pa_redis_link_t       *link;        /* the current context or NULL */
    ngx_pa_sentinel_t         *sentinel;    /* names the primary, or NULL */
    ngx_str_t                  host;        /* the primary: pa_redis or */
    in_port_t                  port;        /* ... the sentinels' answer */
    u_char                     host_buf[NGX_SOCKADDR_STRLEN + 1];
    ngx_str_t                  name;        /* "host:port" for the log */
    u_char                     name_buf[NGX_SOCKADDR_STRLEN + 16];
    ngx_pa_redis_state_e       state;
    ngx_uint_t                 nested;      /* hiredis is on the stack */

    ngx_event_t                connect_timer;
    ngx_event_t                reconnect_timer;
    ngx_msec_t                 backoff;
    ngx_msec_t                 last_attempt;

    /*
     * Redis's clock, for the writes' deadlines: the host's, kept across
     * reconnects (a Redis stopped still takes connections, and a write on
     * a new one must not go without a deadline while its TIME waits)
     */
    ngx_pa_rclock_t            clock;

    /*
     * The eviction policy said at [crit] for this host ("": none), and
     * INFO refused said once: not again at every reconnect
     */
    char                       evicts[NGX_PA_RINFO_POLICY_LEN];
    ngx_uint_t                 no_info;     /* unsigned:1 */

    ngx_uint_t                 exiting;     /* unsigned:1 */
    ngx_uint_t                 idle;        /* a node: no reconnects */

    /* a cluster (ngx_pa_cluster.c): the front routes, a node reports */
    ngx_pa_redis_route_pt      route;
    ngx_pa_redis_lost_pt       lost;
    void                      *owner;
};


static ngx_int_t ngx_pa_redis_connect(ngx_pa_redis_t *redis);
static void ngx_pa_redis_setup(redisAsyncContext *ac,
    ngx_pa_main_conf_t *pmcf);
static ngx_int_t ngx_pa_redis_open(ngx_pa_redis_t *redis);
static void ngx_pa_redis_found(void *data, ngx_str_t *host, in_port_t port);
static void ngx_pa_redis_primary(ngx_pa_redis_t *redis, ngx_str_t *host,
    in_port_t port);
static void ngx_pa_redis_no_primary(ngx_pa_redis_t *redis);
static void ngx_pa_redis_set_host(ngx_pa_redis_t *redis, ngx_str_t *host,
    in_port_t port);
static ngx_uint_t ngx_pa_redis_not_primary(redisReply *reply);
static ngx_uint_t ngx_pa_redis_unauthenticated(redisReply *reply);
static void ngx_pa_redis_stale(ngx_pa_redis_link_t *link);
static void ngx_pa_redis_role_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_schedule(ngx_pa_redis_t *redis);
static void ngx_pa_redis_teardown(ngx_pa_redis_t *redis);
static void ngx_pa_redis_close(ngx_pa_redis_t *redis,
    ngx_pa_redis_link_t *link);
static void ngx_pa_redis_keepalive(ngx_pa_redis_t *redis, ngx_socket_t fd);
static void ngx_pa_redis_reconnect_handler(ngx_event_t *ev);
static void ngx_pa_redis_connect_timeout(ngx_event_t *ev);
static void ngx_pa_redis_on_connect(const redisAsyncContext *ac, int status);
static void ngx_pa_redis_on_disconnect(const redisAsyncContext *ac,
    int status);
static void ngx_pa_redis_script_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_info_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_said_no(ngx_pa_redis_t *redis, const char *cmd,
    redisReply *reply, const char *cost);
static void ngx_pa_redis_setup_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_cmd_timeout(ngx_event_t *ev);
static void ngx_pa_redis_clock_ask(ngx_pa_redis_t *redis,
    redisAsyncContext *ac);
static size_t ngx_pa_redis_deadline(ngx_pa_redis_t *redis,
    ngx_pa_redis_link_t *link, ngx_msec_t *from, char *dl);
static void ngx_pa_redis_late(ngx_pa_redis_cmd_t *cmd, redisReply *reply);
static void ngx_pa_redis_clock_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static int ngx_pa_redis_queue(redisAsyncContext *ac, ngx_pa_redis_cmd_t *cmd,
    int argc, const char **argv, const size_t *argvlen, int deadline,
    const char *dl, size_t dl_len);
static u_char *ngx_pa_redis_digits(u_char *p, size_t n);

static void ngx_pa_redis_read_handler(ngx_event_t *ev);
static void ngx_pa_redis_write_handler(ngx_event_t *ev);
static void ngx_pa_redis_add_read(void *privdata);
static void ngx_pa_redis_del_read(void *privdata);
static void ngx_pa_redis_add_write(void *privdata);
static void ngx_pa_redis_del_write(void *privdata);
static void ngx_pa_redis_cleanup(void *privdata);


ngx_int_t
ngx_pa_redis_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_redis_t  *redis;

    redis = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_redis_t));
    if (redis == NULL) {
        return NGX_ERROR;
    }

    redis->conf = pmcf;
    redis->log = cycle->log;
    redis->backoff = NGX_PA_REDIS_BACKOFF_MIN;

    /* background timers: cancelable so that "nginx -s quit" never waits */

    redis->connect_timer.handler = ngx_pa_redis_connect_timeout;
    redis->connect_timer.data = redis;
    redis->connect_timer.log = cycle->log;
    redis->connect_timer.cancelable = 1;

    redis->reconnect_timer.handler = ngx_pa_redis_reconnect_handler;
    redis->reconnect_timer.data = redis;
    redis->reconnect_timer.log = cycle->log;
    redis->reconnect_timer.cancelable = 1;

    pmcf->worker.redis = redis;

    if (pmcf->sentinel != NULL) {
        redis->sentinel = ngx_pa_sentinel_init_worker(cycle, pmcf,
                                                      ngx_pa_redis_found,
                                                      redis);
        if (redis->sentinel == NULL) {
            return NGX_ERROR;
        }

    } else {
        ngx_pa_redis_set_host(redis, &pmcf->redis_host, pmcf->redis_port);
    }

    if (ngx_pa_redis_connect(redis) != NGX_OK) {
        ngx_pa_redis_schedule(redis);
    }

    return NGX_OK;
}


void
ngx_pa_redis_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_redis_t  *redis;

    redis = pmcf->worker.redis;
    if (redis == NULL) {
        return;
    }

    redis->exiting = 1;

    if (redis->sentinel != NULL) {
        ngx_pa_sentinel_exit_worker(redis->sentinel);
    }

    if (redis->reconnect_timer.timer_set) {
        ngx_del_timer(&redis->reconnect_timer);
    }

    ngx_pa_redis_teardown(redis);
    pmcf->worker.redis = NULL;
}


/*
 * Redis Cluster: the worker's Redis is a front that hands each command
 * to route() (ngx_pa_cluster.c, which picks a node by the slot of its
 * keys); each node is an adapter of its own, connected on its first
 * command, that reports every failure to lost() so that the slot map
 * is read again.
 */

ngx_pa_redis_t *
ngx_pa_redis_front(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf,
    ngx_pa_redis_route_pt route, void *owner)
{
    ngx_pa_redis_t  *front;

    front = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_redis_t));
    if (front == NULL) {
        return NULL;
    }

    front->conf = pmcf;
    front->log = cycle->log;
    front->route = route;
    front->owner = owner;

    pmcf->worker.redis = front;

    return front;
}


ngx_pa_redis_t *
ngx_pa_redis_node(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *host, in_port_t port, ngx_pa_redis_lost_pt lost,
    void *owner)
{
    ngx_pa_redis_t  *node;

    node = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_redis_t));
    if (node == NULL) {
        return NULL;
    }

    node->conf = pmcf;
    node->log = cycle->log;
    node->backoff = NGX_PA_REDIS_BACKOFF_MIN;
    node->lost = lost;
    node->owner = owner;

    node->connect_timer.handler = ngx_pa_redis_connect_timeout;
    node->connect_timer.data = node;
    node->connect_timer.log = cycle->log;
    node->connect_timer.cancelable = 1;

    node->reconnect_timer.handler = ngx_pa_redis_reconnect_handler;
    node->reconnect_timer.data = node;
    node->reconnect_timer.log = cycle->log;
    node->reconnect_timer.cancelable = 1;

    ngx_pa_redis_set_host(node, host, port);

    return node;
}


/* a node that owns no slot now: not reconnected until it does again */

void
ngx_pa_redis_node_idle(ngx_pa_redis_t *node, ngx_uint_t idle)
{
    node->idle = idle;

    if (idle && node->reconnect_timer.timer_set) {
        ngx_del_timer(&node->reconnect_timer);
    }
}


void
ngx_pa_redis_node_free(ngx_pa_redis_t *node)
{
    node->exiting = 1;

    if (node->reconnect_timer.timer_set) {
        ngx_del_timer(&node->reconnect_timer);
    }

    ngx_pa_redis_teardown(node);
}


ngx_str_t *
ngx_pa_redis_name(ngx_pa_redis_t *redis)
{
    return &redis->name;
}


void *
ngx_pa_redis_owner(ngx_pa_redis_t *redis)
{
    return redis->owner;
}


/* nobody waits for this command: a graceful shutdown need not either */

void
ngx_pa_redis_background(ngx_pa_redis_cmd_t *cmd)
{
    cmd->timer.cancelable = 1;
    cmd->background = 1;

    if (cmd->inner != NULL) {
        cmd->inner->timer.cancelable = 1;
    }
}


ngx_uint_t
ngx_pa_redis_connected(ngx_pa_redis_t *redis)
{
    return redis != NULL && redis->state == NGX_PA_REDIS_UP;
}


ngx_pa_redis_cmd_t *
ngx_pa_redis_command(ngx_pa_redis_t *redis, int argc, const char **argv,
    const size_t *argvlen, ngx_pa_redis_handler_pt handler, void *data,
    ngx_log_t *log)
{
    return ngx_pa_redis_command_dl(redis, argc, argv, argvlen, -1, handler,
                                   data, log);
}


/*
 * argv[deadline] (a placeholder) is sent as the call's deadline in the
 * clock of the Redis host it goes to (ngx_pa_rclock.h), so that a script
 * run after the worker gave up writes nothing: half the reply timeout
 * after the oldest command still waiting on that connection was sent (or
 * now), as its timeout answers every command of the connection 503 at
 * once.  "" while that host's clock is not read yet.
 */

ngx_pa_redis_cmd_t *
ngx_pa_redis_command_dl(ngx_pa_redis_t *redis, int argc, const char **argv,
    const size_t *argvlen, int deadline, ngx_pa_redis_handler_pt handler,
    void *data, ngx_log_t *log)
{
    size_t                dl_len;
    ngx_msec_t            now, from;
    ngx_pa_redis_cmd_t   *cmd;
    ngx_pa_redis_link_t  *link;
    char                  dl[NGX_PA_RCLOCK_LEN];

    if (redis == NULL || redis->exiting) {
        return NULL;
    }

    if (redis->route != NULL) {
        return redis->route(redis->owner, argc, argv, argvlen, deadline,
                            handler, data, log);
    }

    if (redis->state == NGX_PA_REDIS_DOWN) {

        /*
         * Called back from a context being freed: a connect now would be
         * made from inside redisAsyncFree(); the reconnect timer does it.
         */

        if (redis->nested) {
            return NULL;
        }

        /*
         * Redis was down: try again now, but not more often than every
         * RETRY_GAP, so a flood of requests does not become a connect storm.
         */

        now = ngx_current_msec;

        if (now - redis->last_attempt < NGX_PA_REDIS_RETRY_GAP) {
            return NULL;
        }

        if (redis->reconnect_timer.timer_set) {
            ngx_del_timer(&redis->reconnect_timer);
        }

        if (ngx_pa_redis_connect(redis) != NGX_OK) {
            ngx_pa_redis_schedule(redis);
            return NULL;
        }
    }

    if (redis->link == NULL) {
        return NULL;
    }

    cmd = ngx_calloc(sizeof(ngx_pa_redis_cmd_t), log);
    if (cmd == NULL) {
        return NULL;
    }

    cmd->handler = handler;
    cmd->data = data;
    cmd->link = redis->link;

    /*
     * Not cancelable: a graceful shutdown waits for the answer (or the
     * timeout) of a request already in flight.
     */

    cmd->timer.handler = ngx_pa_redis_cmd_timeout;
    cmd->timer.data = cmd;
    cmd->timer.log = redis->log;

    link = redis->link;
    now = ngx_current_msec;
    from = now;

    if (ngx_pa_rclock_due(&redis->clock, now)) {
        ngx_pa_redis_clock_ask(redis, link->ac);
    }

    dl_len = 0;

    if (deadline >= 0 && deadline < argc) {
        dl_len = ngx_pa_redis_deadline(redis, link, &from, dl);

        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, log, 0,
                       "pa redis: deadline \"%*s\"", dl_len, dl);
    }

    if (ngx_pa_redis_queue(link->ac, cmd, argc, argv, argvlen, deadline, dl,
                           dl_len)
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: command not queued: %s",
                      redis->link->ac->errstr[0] ? redis->link->ac->errstr
                                                 : "closing");
        ngx_free(cmd);
        return NULL;
    }

    cmd->sent = now;
    cmd->from = from;
    cmd->deadline = (dl_len > 0);
    ngx_queue_insert_tail(&link->pending, &cmd->queue);

    ngx_add_timer(&cmd->timer, redis->conf->redis_timeout);

    return cmd;
}


/*
 * A call's deadline as text into dl, its length (0: none): half the reply
 * timeout after *from, which is now or, when calls wait on the link, the
 * sending of the oldest (its timeout answers them all 503 at once).
 */

static size_t
ngx_pa_redis_deadline(ngx_pa_redis_t *redis, ngx_pa_redis_link_t *link,
    ngx_msec_t *from, char *dl)
{
    ngx_queue_t  *q;

    if (!ngx_queue_empty(&link->pending)) {
        q = ngx_queue_head(&link->pending);
        *from = (ngx_queue_data(q, ngx_pa_redis_cmd_t, queue))->sent;
    }

    return ngx_pa_rclock_deadline(&redis->clock, *from,
                                  redis->conf->redis_timeout / 2, dl);
}


/*
 * The command in Redis's protocol, handed to hiredis formatted: its own
 * formatter (redisFormatSdsCommandArgv()) builds the text with a
 * printf-like sdscatfmt() per argument, a submit's 60 or so of them
 * costing more than the copy itself.  On the stack up to 4 KB.  The
 * argument at deadline (-1: none) is sent as dl.
 */

static int
ngx_pa_redis_queue(redisAsyncContext *ac, ngx_pa_redis_cmd_t *cmd, int argc,
    const char **argv, const size_t *argvlen, int deadline, const char *dl,
    size_t dl_len)
{
    int          i, rc;
    size_t       len, n;
    u_char      *buf, *p;
    const char  *a;
    u_char       stack[4096];

    len = NGX_INT_T_LEN + 3 + dl_len;

    for (i = 0; i < argc; i++) {
        len += 1 + NGX_SIZE_T_LEN + 2 + argvlen[i] + 2;
    }

    buf = (len <= sizeof(stack)) ? stack : ngx_alloc(len, ngx_cycle->log);
    if (buf == NULL) {
        return REDIS_ERR;
    }

    p = ngx_sprintf(buf, "*%d\r\n", argc);

    for (i = 0; i < argc; i++) {
        a = (i == deadline) ? dl : argv[i];
        n = (i == deadline) ? dl_len : argvlen[i];

        *p++ = '$';
        p = ngx_pa_redis_digits(p, n);
        *p++ = '\r';
        *p++ = '\n';
        p = ngx_cpymem(p, a, n);
        *p++ = '\r';
        *p++ = '\n';
    }

    rc = redisAsyncFormattedCommand(ac, ngx_pa_redis_reply, cmd,
                                    (const char *) buf, p - buf);

    if (buf != stack) {
        ngx_free(buf);
    }

    return rc;
}


/* n in decimal: ngx_sprintf() parses its format for each argument */

static u_char *
ngx_pa_redis_digits(u_char *p, size_t n)
{
    u_char  *q, tmp[NGX_SIZE_T_LEN];

    q = tmp + sizeof(tmp);

    do {
        *--q = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    return ngx_cpymem(p, q, tmp + sizeof(tmp) - q);
}


void
ngx_pa_redis_cancel(ngx_pa_redis_cmd_t *cmd)
{
    /* freed when hiredis hands the reply (or NULL) back */

    cmd->data = NULL;
    cmd->done = 1;

    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }
}


/*
 * With sentinels, a (re)connect asks them first: the primary may have
 * moved.  The link stays NULL until the answer (calls get 503).
 */

static ngx_int_t
ngx_pa_redis_connect(ngx_pa_redis_t *redis)
{
    if (redis->sentinel == NULL) {
        return ngx_pa_redis_open(redis);
    }

    redis->last_attempt = ngx_current_msec;

    if (ngx_pa_sentinel_ask(redis->sentinel) != NGX_OK) {
        return NGX_ERROR;
    }

    redis->state = NGX_PA_REDIS_CONNECTING;

    return NGX_OK;
}


/* what the sentinels say (ngx_pa_sentinel_found_pt) */

static void
ngx_pa_redis_found(void *data, ngx_str_t *host, in_port_t port)
{
    ngx_pa_redis_t  *redis = data;

    if (host != NULL) {
        ngx_pa_redis_primary(redis, host, port);

    } else {
        ngx_pa_redis_no_primary(redis);
    }
}


/* the sentinels' answer, or a "+switch-master": connect there now */

static void
ngx_pa_redis_primary(ngx_pa_redis_t *redis, ngx_str_t *host, in_port_t port)
{
    if (redis->exiting) {
        return;
    }

    if (redis->link != NULL && redis->port == port
        && redis->host.len == host->len
        && ngx_strncmp(redis->host.data, host->data, host->len) == 0)
    {
        return;                 /* already there */
    }

    /* a move, not the first answer nor the same primary asked again */

    if (redis->host.len
        && (redis->port != port || redis->host.len != host->len
            || ngx_strncmp(redis->host.data, host->data, host->len) != 0))
    {
        ngx_pa_metrics_inc(NGX_PA_M_FAILOVER);
    }

    ngx_pa_redis_set_host(redis, host, port);

    /*
     * Its requests get 503 now, not the old primary's replies: it is
     * demoted, and what it runs after the switch is undone by its resync
     * (a 201 for it would be for a report then gone).
     */

    if (redis->link != NULL) {
        ngx_pa_redis_close(redis, redis->link);
    }

    redis->state = NGX_PA_REDIS_DOWN;
    redis->backoff = NGX_PA_REDIS_BACKOFF_MIN;

    if (redis->reconnect_timer.timer_set) {
        ngx_del_timer(&redis->reconnect_timer);
    }

    if (ngx_pa_redis_open(redis) != NGX_OK) {
        ngx_pa_redis_schedule(redis);
    }
}


/* no sentinel could name the primary: a connection still up is kept */

static void
ngx_pa_redis_no_primary(ngx_pa_redis_t *redis)
{
    if (redis->link != NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                  "pa redis: no sentinel named the primary");

    redis->state = NGX_PA_REDIS_DOWN;
    ngx_pa_redis_schedule(redis);
}


static void
ngx_pa_redis_set_host(ngx_pa_redis_t *redis, ngx_str_t *host,
    in_port_t port)
{
    size_t  len;

    len = ngx_min(host->len, NGX_SOCKADDR_STRLEN);

    /* another host: another clock */

    if (redis->port != port || redis->host.len != len
        || ngx_strncmp(redis->host.data, host->data, len) != 0)
    {
        ngx_memzero(&redis->clock, sizeof(ngx_pa_rclock_t));
        redis->evicts[0] = '\0';
    }

    ngx_memcpy(redis->host_buf, host->data, len);
    redis->host_buf[len] = '\0';
    redis->host.data = redis->host_buf;
    redis->host.len = len;
    redis->port = port;

    redis->name.data = redis->name_buf;
    redis->name.len = (port ? ngx_sprintf(redis->name_buf, "%V:%d",
                                          &redis->host, (int) port)
                            : ngx_sprintf(redis->name_buf, "unix:%V",
                                          &redis->host))
                      - redis->name_buf;
}


static ngx_int_t
ngx_pa_redis_open(ngx_pa_redis_t *redis)
{
    ngx_str_t            *h;
    redisAsyncContext    *ac;
    ngx_connection_t     *c;
    ngx_pa_main_conf_t   *pmcf;
    ngx_pa_redis_link_t  *link;

    pmcf = redis->conf;
    redis->last_attempt = ngx_current_msec;

    h = &redis->host;

    link = ngx_calloc(sizeof(ngx_pa_redis_link_t), redis->log);
    if (link == NULL) {
        return NGX_ERROR;
    }

    link->redis = redis;
    ngx_queue_init(&link->pending);

    /* a TIME the last connection asked is not coming */

    ngx_pa_rclock_lost(&redis->clock);

    /*
     * The host is an address literal or a unix path, resolved at
     * configuration time: hiredis' own getaddrinfo() would block.
     */

    if (pmcf->redis_unix) {
        ac = redisAsyncConnectUnix((const char *) h->data);

    } else {
        ac = redisAsyncConnect((const char *) h->data, redis->port);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: cannot allocate a context");
        ngx_free(link);
        return NGX_ERROR;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connect to \"%V\" failed: %s",
                      h, ac->errstr);
        redisAsyncFree(ac);
        ngx_free(link);
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, redis->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        ngx_free(link);
        return NGX_ERROR;
    }

    if (!pmcf->redis_unix) {
        ngx_pa_redis_keepalive(redis, ac->c.fd);
    }

    c->data = link;
    c->read->handler = ngx_pa_redis_read_handler;
    c->write->handler = ngx_pa_redis_write_handler;
    c->read->log = redis->log;
    c->write->log = redis->log;

    link->ac = ac;
    link->conn = c;

    redis->link = link;
    redis->state = NGX_PA_REDIS_CONNECTING;

    /* ac->data outlives the link: hiredis reads it after the cleanup */

    ac->data = redis;
    ac->ev.data = link;
    ac->ev.addRead = ngx_pa_redis_add_read;
    ac->ev.delRead = ngx_pa_redis_del_read;
    ac->ev.addWrite = ngx_pa_redis_add_write;
    ac->ev.delWrite = ngx_pa_redis_del_write;
    ac->ev.cleanup = ngx_pa_redis_cleanup;

    /* the connect callback waits for writability: events must be set */

    redisAsyncSetConnectCallback(ac, ngx_pa_redis_on_connect);
    redisAsyncSetDisconnectCallback(ac, ngx_pa_redis_on_disconnect);

    ngx_pa_redis_setup(ac, pmcf);

    ngx_add_timer(&redis->connect_timer, pmcf->redis_connect_timeout);

    return NGX_OK;
}


/* queued now, sent first once connected: AUTH, SELECT, the scripts */

static void
ngx_pa_redis_setup(redisAsyncContext *ac, ngx_pa_main_conf_t *pmcf)
{
    size_t       argvlen[3];
    ngx_uint_t   i;
    const char  *argv[3];

    /* the primary the sentinels name takes the same credentials */

    (void) ngx_pa_hiredis_auth(ac, &pmcf->redis_user, &pmcf->redis_password,
                               ngx_pa_redis_setup_reply, (void *) "AUTH");

    if (pmcf->redis_db) {
        redisAsyncCommand(ac, ngx_pa_redis_setup_reply, (void *) "SELECT",
                          "SELECT %d", (int) pmcf->redis_db);
    }

    /* Redis's clock, before the scripts' loading lengthens the trip */

    ngx_pa_redis_clock_ask(ac->data, ac);

    /* a primary the sentinels named may have been demoted since */

    if (pmcf->sentinel != NULL) {
        redisAsyncCommand(ac, ngx_pa_redis_role_reply, NULL, "ROLE");
    }

    /*
     * Whether it may evict keys (said, not refused: the operator's);
     * after ROLE, so that a replica still named is left before its reply
     */

    redisAsyncCommand(ac, ngx_pa_redis_info_reply, NULL, "INFO memory");

    for (i = 0; i < NGX_PA_SCRIPT_LAST; i++) {
        if (pmcf->scripts[i].body.len == 0) {
            continue;
        }

        argv[0] = "SCRIPT";
        argvlen[0] = 6;
        argv[1] = "LOAD";
        argvlen[1] = 4;
        argv[2] = (const char *) pmcf->scripts[i].body.data;
        argvlen[2] = pmcf->scripts[i].body.len;
        redisAsyncCommandArgv(ac, ngx_pa_redis_script_reply,
                              &pmcf->scripts[i], 3, argv, argvlen);
    }
}


/*
 * TCP keepalive: an idle connection whose peer vanished without a RST
 * (a failover, a firewall dropping state) is closed by the kernel, and
 * hiredis sees the error, instead of the next request finding it dead.
 */

static void
ngx_pa_redis_keepalive(ngx_pa_redis_t *redis, ngx_socket_t fd)
{
    int  value;

    value = 1;

    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (const void *) &value,
                   sizeof(int))
        == -1)
    {
        ngx_log_error(NGX_LOG_WARN, redis->log, ngx_socket_errno,
                      "pa redis: setsockopt(SO_KEEPALIVE) failed");
        return;
    }

#if (NGX_HAVE_KEEPALIVE_TUNABLE)

    value = NGX_PA_REDIS_KEEPIDLE;

    if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, (const void *) &value,
                   sizeof(int))
        == -1)
    {
        ngx_log_error(NGX_LOG_WARN, redis->log, ngx_socket_errno,
                      "pa redis: setsockopt(TCP_KEEPIDLE) failed");
    }

    value = NGX_PA_REDIS_KEEPINTVL;

    if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, (const void *) &value,
                   sizeof(int))
        == -1)
    {
        ngx_log_error(NGX_LOG_WARN, redis->log, ngx_socket_errno,
                      "pa redis: setsockopt(TCP_KEEPINTVL) failed");
    }

    value = NGX_PA_REDIS_KEEPCNT;

    if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, (const void *) &value,
                   sizeof(int))
        == -1)
    {
        ngx_log_error(NGX_LOG_WARN, redis->log, ngx_socket_errno,
                      "pa redis: setsockopt(TCP_KEEPCNT) failed");
    }

#endif
}


static void
ngx_pa_redis_schedule(ngx_pa_redis_t *redis)
{
    if (redis->exiting) {
        return;
    }

    /* a cluster's node: the slot map may have changed (a timer reads it) */

    if (redis->lost != NULL) {
        redis->lost(redis->owner, redis);
    }

    if (redis->idle || redis->reconnect_timer.timer_set) {
        return;
    }

    ngx_add_timer(&redis->reconnect_timer, redis->backoff);

    redis->backoff *= 2;
    if (redis->backoff > NGX_PA_REDIS_BACKOFF_MAX) {
        redis->backoff = NGX_PA_REDIS_BACKOFF_MAX;
    }
}


/* drops the current context now: pending handlers run with NULL (503) */

static void
ngx_pa_redis_teardown(ngx_pa_redis_t *redis)
{
    if (redis->connect_timer.timer_set) {
        ngx_del_timer(&redis->connect_timer);
    }

    if (redis->link != NULL) {
        ngx_pa_redis_close(redis, redis->link);
    }

    redis->state = NGX_PA_REDIS_DOWN;
}


/*
 * Frees one context.  Never called from a hiredis callback (hiredis
 * would only mark the context); the link is freed by the cleanup hook.
 */

static void
ngx_pa_redis_close(ngx_pa_redis_t *redis, ngx_pa_redis_link_t *link)
{
    redisAsyncContext  *ac;

    if (redis->link == link) {
        redis->link = NULL;
        redis->state = NGX_PA_REDIS_DOWN;

        if (redis->connect_timer.timer_set) {
            ngx_del_timer(&redis->connect_timer);
        }
    }

    ac = link->ac;

    redis->nested++;
    redisAsyncFree(ac);
    redis->nested--;
}


static void
ngx_pa_redis_reconnect_handler(ngx_event_t *ev)
{
    ngx_pa_redis_t  *redis = ev->data;

    if (redis->exiting || ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (redis->state != NGX_PA_REDIS_DOWN) {
        return;
    }

    if (ngx_pa_redis_connect(redis) != NGX_OK) {
        ngx_pa_redis_schedule(redis);
    }
}


static void
ngx_pa_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_pa_redis_t  *redis = ev->data;

    ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                  "pa redis: connect to \"%V\" timed out",
                  &redis->name);

    ngx_pa_redis_teardown(redis);
    ngx_pa_redis_schedule(redis);
}


static void
ngx_pa_redis_on_connect(const redisAsyncContext *ac, int status)
{
    ngx_pa_redis_t  *redis = ac->data;

    if (redis->link == NULL || redis->link->ac != ac) {
        return;
    }

    if (redis->connect_timer.timer_set) {
        ngx_del_timer(&redis->connect_timer);
    }

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connect to \"%V\" failed: %s",
                      &redis->name, ac->errstr);

        /* hiredis frees the context after this callback */

        redis->link = NULL;
        redis->state = NGX_PA_REDIS_DOWN;
        ngx_pa_redis_schedule(redis);
        return;
    }

    ngx_log_error(NGX_LOG_INFO, redis->log, 0,
                  "pa redis: connected to \"%V\"", &redis->name);

    redis->state = NGX_PA_REDIS_UP;
    ngx_pa_metrics_inc(NGX_PA_M_REDIS_CONNECT);

    /* with sentinels, only a primary that says so (ROLE) resets it */

    if (redis->sentinel == NULL) {
        redis->backoff = NGX_PA_REDIS_BACKOFF_MIN;
    }
}


/* runs after the context's cleanup, which did the bookkeeping */

static void
ngx_pa_redis_on_disconnect(const redisAsyncContext *ac, int status)
{
    ngx_pa_redis_t  *redis = ac->data;

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connection to \"%V\" lost: %s",
                      &redis->name, ac->errstr);
    }
}


/*
 * A script Redis does not compile is the operator's (a redis-scripts/
 * file edited): the [alert] at connect names its file and, as its line 1
 * is then the joined libraries, its prelude.  Other replies are the
 * other setup commands'.
 */

static void
ngx_pa_redis_script_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply       *reply = r;
    ngx_pa_redis_t   *redis = ac->data;
    ngx_pa_script_t  *s = privdata;

    if (reply == NULL || redis == NULL || reply->type != REDIS_REPLY_ERROR
        || ngx_strlcasestrn((u_char *) reply->str,
                            (u_char *) reply->str + reply->len,
                            (u_char *) "compiling", 9 - 1)
           == NULL)
    {
        ngx_pa_redis_setup_reply(ac, r, (void *) "SCRIPT LOAD");
        return;
    }

    if (s->uses.len) {
        ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                      "pa redis: SCRIPT LOAD of \"%V\" failed: %*s (its "
                      "line 1 is the prelude of lib/: %V)", &s->path,
                      (size_t) reply->len, reply->str, &s->uses);
        return;
    }

    ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                  "pa redis: SCRIPT LOAD of \"%V\" failed: %*s", &s->path,
                  (size_t) reply->len, reply->str);
}


/*
 * A Redis at its maxmemory with an eviction policy drops keys to make
 * room: reports, deadlines, idempotency keys, with no error to anyone.
 * With noeviction it refuses the write (OOM) and the client gets 503
 * with nothing kept.  Said once a host and policy; an INFO an ACL
 * refuses, once a worker.
 */

static void
ngx_pa_redis_info_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply      *reply = r;
    ngx_pa_redis_t  *redis = ac->data;
    char             policy[NGX_PA_RINFO_POLICY_LEN];

    /* (a link left meanwhile: a replica, another host's last replies) */

    if (reply == NULL || redis == NULL || redis->link != ac->ev.data) {
        return;
    }

    if (reply->type != REDIS_REPLY_STRING) {

        /* (credentials refused: said once already, INFO's NOAUTH too) */

        if (!redis->no_info && !((ngx_pa_redis_link_t *) ac->ev.data)->refused)
        {
            redis->no_info = 1;
            ngx_pa_redis_said_no(redis, "INFO", reply,
                                 "its eviction policy is not checked");
        }

        return;
    }

    if (ngx_pa_rinfo_evicts(reply->str, reply->len, policy) != 1) {
        redis->evicts[0] = '\0';
        return;
    }

    /* once a host and policy: a connection that keeps failing reconnects */

    if (ngx_strcmp(redis->evicts, policy) == 0) {
        return;
    }

    ngx_memcpy(redis->evicts, policy, sizeof(policy));

    ngx_log_error(NGX_LOG_CRIT, redis->log, 0,
                  "pa redis: \"%V\" evicts keys when full "
                  "(maxmemory-policy %s): reports, deadlines and "
                  "idempotency keys may vanish without an error; set "
                  "maxmemory-policy noeviction", &redis->name, policy);
}


static void
ngx_pa_redis_setup_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply           *reply = r;
    ngx_pa_redis_t       *redis = ac->data;
    ngx_pa_redis_link_t  *link;

    if (reply == NULL || redis == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR && ngx_pa_redis_not_primary(reply)) {
        ngx_log_error(NGX_LOG_WARN, redis->log, 0,
                      "pa redis: %s on \"%V\": %*s, asking again",
                      (char *) privdata, &redis->name, (size_t) reply->len,
                      reply->str);
        ngx_pa_redis_stale(ac->ev.data);
        return;
    }

    /*
     * Refused credentials are the operator's to fix, not a fault of the
     * module: an [error] naming the node and the settings, and 503s
     * until they are fixed (the next connect tries again).
     */

    if (reply->type == REDIS_REPLY_ERROR
        && (ngx_strcmp(privdata, "AUTH") == 0
            || ngx_pa_redis_unauthenticated(reply)))
    {
        link = ac->ev.data;

        if (!link->refused) {
            link->refused = 1;
            ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                          "pa redis: \"%V\" refused %s: %*s (pa_redis "
                          "password_file=, user=)", &redis->name,
                          (char *) privdata, (size_t) reply->len,
                          reply->str);
            redisAsyncDisconnect(ac);
        }

        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                      "pa redis: %s failed: %*s", (char *) privdata,
                      (size_t) reply->len, reply->str);

        /* a wrong db makes every call fail: say it loudly */

        if (ngx_strcmp(privdata, "SCRIPT LOAD") != 0) {
            redisAsyncDisconnect(ac);
        }
    }
}


/* a node that wants credentials it was not given (or refused) */

static ngx_uint_t
ngx_pa_redis_unauthenticated(redisReply *reply)
{
    return (reply->len >= 6 && ngx_strncmp(reply->str, "NOAUTH", 6) == 0)
           || ngx_strlcasestrn((u_char *) reply->str,
                               (u_char *) reply->str + reply->len,
                               (u_char *) "unauthenticated", 15 - 1)
              != NULL;
}


/* a node that cannot take our writes (now) */

static ngx_uint_t
ngx_pa_redis_not_primary(redisReply *reply)
{
    static const char  *prefix[] = { "READONLY", "LOADING", "MASTERDOWN",
                                     "UNBLOCKED" };
    ngx_uint_t          i;
    size_t              len;

    if (reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }

    for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
        len = ngx_strlen(prefix[i]);

        if ((size_t) reply->len >= len
            && ngx_strncmp(reply->str, prefix[i], len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Called from inside this link's hiredis callbacks: it is no longer the
 * current one (new calls wait for the next connect, which asks the
 * sentinels again), and hiredis closes it after its pending replies.
 */

static void
ngx_pa_redis_stale(ngx_pa_redis_link_t *link)
{
    ngx_pa_redis_t  *redis = link->redis;

    /* the backoff grows: a node that keeps refusing is not hammered */

    if (redis->link == link) {
        redis->link = NULL;
        redis->state = NGX_PA_REDIS_DOWN;

        if (redis->connect_timer.timer_set) {
            ngx_del_timer(&redis->connect_timer);
        }

        ngx_pa_redis_schedule(redis);
    }

    redisAsyncDisconnect(link->ac);
}


static void
ngx_pa_redis_role_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply      *reply = r;
    ngx_pa_redis_t  *redis = ac->data;

    if (reply == NULL || redis == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0
        && reply->element[0]->type == REDIS_REPLY_STRING
        && ngx_strcmp(reply->element[0]->str, "master") == 0)
    {
        redis->backoff = NGX_PA_REDIS_BACKOFF_MIN;
        return;
    }

    ngx_log_error(NGX_LOG_WARN, redis->log, 0,
                  "pa redis: \"%V\" is not the primary (any more), "
                  "asking the sentinels again", &redis->name);

    ngx_pa_redis_stale(ac->ev.data);
}


/* the one place a command's handler runs: the reply, or NULL, once */

static void
ngx_pa_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_pa_redis_cmd_t  *cmd = privdata;

    ngx_queue_remove(&cmd->queue);

    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }

    if (r != NULL) {
        ngx_pa_redis_late(cmd, r);
    }

    /*
     * A primary demoted under us (READONLY) or a node still loading:
     * this call did not run; it gets 503, the link is dropped once its
     * pending replies are in, and the next connect asks where to go.
     */

    if (r != NULL && ngx_pa_redis_not_primary(r)) {
        ngx_log_error(NGX_LOG_WARN, cmd->timer.log, 0,
                      "pa redis: \"%*s\" from \"%V\", asking again",
                      ngx_min((size_t) ((redisReply *) r)->len, 60),
                      ((redisReply *) r)->str,
                      &((ngx_pa_redis_link_t *) cmd->link)->redis->name);
        ngx_pa_redis_stale(cmd->link);
        r = NULL;
    }

    if (!cmd->done && cmd->data != NULL) {
        cmd->done = 1;
        cmd->handler(cmd->data, r);
    }

    ngx_free(cmd);
}


static void
ngx_pa_redis_cmd_timeout(ngx_event_t *ev)
{
    ngx_pa_redis_cmd_t   *cmd = ev->data;
    ngx_pa_redis_t       *redis;
    ngx_pa_redis_link_t  *link;

    link = cmd->link;
    redis = link->redis;
    ngx_pa_metrics_inc(NGX_PA_M_REDIS_TIMEOUT);

    ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                  "pa redis: reply timed out, closing the connection to "
                  "\"%V\"", &redis->name);

    /*
     * The command may still run (it may sit in Redis' socket buffer):
     * close the connection, so that its late reply cannot reach anyone,
     * and every command of it is answered NULL (503) now, this one
     * included.  Submissions are idempotent: the retry finds what ran.
     * cmd is freed by the close.
     */

    ngx_pa_redis_close(redis, link);
    ngx_pa_redis_schedule(redis);
}


/* Redis's clock: a TIME now and then, its offset kept (ngx_pa_rclock.h) */

static void
ngx_pa_redis_clock_ask(ngx_pa_redis_t *redis, redisAsyncContext *ac)
{
    if (redisAsyncCommand(ac, ngx_pa_redis_clock_reply, NULL, "TIME")
        == REDIS_OK)
    {
        /* the cached time may be old (a worker's first connect) */

        ngx_time_update();
        ngx_pa_rclock_ask(&redis->clock, ngx_current_msec);
    }
}


static void
ngx_pa_redis_clock_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply           *reply = r;
    ngx_int_t             rc;
    ngx_msec_t            max_rtt;
    ngx_pa_redis_t       *redis = ac->data;
    ngx_pa_redis_link_t  *link;

    /*
     * No reply: the context is being freed, and the link with it (hiredis
     * 1.x runs the cleanup hook first): touch nothing.
     */

    if (reply == NULL || redis == NULL) {
        return;
    }

    link = ac->ev.data;

    /* a connection's last replies after another took its place */

    if (redis->link != link) {
        return;
    }

    max_rtt = redis->conf->redis_timeout / 8;

    rc = (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
          && reply->element[0]->type == REDIS_REPLY_STRING
          && reply->element[1]->type == REDIS_REPLY_STRING)
         ? ngx_pa_rclock_reply(&redis->clock, reply->element[0]->str,
                               reply->element[0]->len,
                               reply->element[1]->str,
                               reply->element[1]->len, ngx_current_msec,
                               max_rtt)
         : -1;

    if (rc == 0) {
        ngx_log_debug2(NGX_LOG_DEBUG_EVENT, redis->log, 0,
                       "pa redis: the clock of \"%V\" read, round trip "
                       "%uL ms", &redis->name, redis->clock.rtt);

    } else if (rc == -1) {
        ngx_pa_rclock_lost(&redis->clock);

        /* (credentials refused: said once already, TIME's NOAUTH too) */

        if (!link->no_time && !link->refused) {
            link->no_time = 1;
            ngx_pa_redis_said_no(redis, "TIME", reply,
                                 "writes go without a deadline");
        }

    } else if (rc == 1) {
        ngx_log_error(NGX_LOG_INFO, redis->log, 0,
                      "pa redis: TIME of \"%V\" answered in more than "
                      "%M ms: not taken, asked again", &redis->name, max_rtt);
    }
}


/* a script's refusal for lateness: it wrote nothing (lib/late.lua) */

ngx_uint_t
ngx_pa_redis_late_reply(redisReply *reply)
{
    return reply != NULL && reply->type == REDIS_REPLY_ERROR
           && reply->len >= 5 && ngx_strncmp(reply->str, "LATE ", 5) == 0;
}


/*
 * A script's refusal for lateness (redis-scripts/lib/late.lua) that came
 * back before its deadline by the worker's clock: the offset is wrong
 * (Redis's clock stepped forward); no deadline until it is read again.
 */

static void
ngx_pa_redis_late(ngx_pa_redis_cmd_t *cmd, redisReply *reply)
{
    ngx_pa_redis_t  *redis = ((ngx_pa_redis_link_t *) cmd->link)->redis;

    /* (a link still draining after a failover: another host's clock) */

    if (!cmd->deadline || cmd->link != redis->link
        || !ngx_pa_redis_late_reply(reply))
    {
        return;
    }

    if (ngx_pa_rclock_refused(&redis->clock, ngx_current_msec - cmd->from,
                              redis->conf->redis_timeout / 2))
    {
        ngx_log_error(NGX_LOG_WARN, cmd->timer.log, 0,
                      "pa redis: a call to \"%V\" was refused as late "
                      "%M ms after its deadline's start: its clock moved, "
                      "read again", &redis->name,
                      ngx_current_msec - cmd->from);
    }
}


/* a setup command refused (an ACL's), and what that costs: said once */

static void
ngx_pa_redis_said_no(ngx_pa_redis_t *redis, const char *cmd,
    redisReply *reply, const char *cost)
{
    ngx_log_error(NGX_LOG_WARN, redis->log, 0,
                  "pa redis: %s of \"%V\" answered %*s: %s", cmd,
                  &redis->name,
                  (size_t) (reply->type == REDIS_REPLY_ERROR
                            ? ngx_min(reply->len, 80) : 0),
                  reply->str, cost);
}


/* event glue */

static void
ngx_pa_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t     *c = ev->data;
    ngx_pa_redis_link_t  *link = c->data;
    ngx_pa_redis_t       *redis;

    redis = link->redis;

    /* may free the context, the link and this connection: touch none */

    redis->nested++;
    redisAsyncHandleRead(link->ac);
    redis->nested--;
}


static void
ngx_pa_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t     *c = ev->data;
    ngx_pa_redis_link_t  *link = c->data;
    ngx_pa_redis_t       *redis;

    redis = link->redis;

    redis->nested++;
    redisAsyncHandleWrite(link->ac);
    redis->nested--;
}


static void
ngx_pa_redis_add_read(void *privdata)
{
    ngx_pa_redis_link_t  *link = privdata;

    ngx_pa_hiredis_add_event(link->conn->read, NGX_READ_EVENT,
                             link->redis->log);
}


static void
ngx_pa_redis_del_read(void *privdata)
{
    ngx_pa_redis_link_t  *link = privdata;

    ngx_pa_hiredis_del_event(link->conn->read, NGX_READ_EVENT);
}


static void
ngx_pa_redis_add_write(void *privdata)
{
    ngx_pa_redis_link_t  *link = privdata;

    ngx_pa_hiredis_add_event(link->conn->write, NGX_WRITE_EVENT,
                             link->redis->log);
}


static void
ngx_pa_redis_del_write(void *privdata)
{
    ngx_pa_redis_link_t  *link = privdata;

    ngx_pa_hiredis_del_event(link->conn->write, NGX_WRITE_EVENT);
}


/*
 * hiredis frees this context: give its own connection back (hiredis
 * closes the fd) and free its link; the last use hiredis makes of it.
 */

static void
ngx_pa_redis_cleanup(void *privdata)
{
    ngx_queue_t          *q;
    ngx_pa_redis_link_t  *link = privdata;
    ngx_pa_redis_t       *redis;

    ngx_pa_hiredis_close(link->conn);

    /*
     * Commands still waiting leave the list before it goes: hiredis 1.x
     * runs this hook before their NULL callbacks (0.14 after).
     */

    while (!ngx_queue_empty(&link->pending)) {
        q = ngx_queue_head(&link->pending);
        ngx_queue_remove(q);
        ngx_queue_init(q);
    }

    redis = link->redis;

    if (redis->link == link) {

        /* hiredis dropped it (EOF, error, a refused AUTH): start again */
        ngx_pa_metrics_inc(NGX_PA_M_REDIS_LOST);

        redis->link = NULL;
        redis->state = NGX_PA_REDIS_DOWN;

        if (redis->connect_timer.timer_set) {
            ngx_del_timer(&redis->connect_timer);
        }

        ngx_pa_redis_schedule(redis);
    }

    ngx_free(link);
}
