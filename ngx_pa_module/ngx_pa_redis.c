/*
 * hiredis async <-> nginx event loop.
 *
 * The hiredis socket is wrapped in an ngx_connection_t so that epoll drives
 * it like any other connection.  Events are level-triggered: hiredis reads
 * at most 16 KiB per redisAsyncHandleRead() call, and a level event simply
 * fires again while data is left, so nothing is stranded in the socket.
 *
 * Lifetimes: hiredis owns the socket and closes it; we own the
 * ngx_connection_t and give it back (without closing) from the cleanup
 * hook.  Every command carries an ngx_pa_redis_cmd_t allocated outside any
 * request pool; a request that goes away cancels it, and the late reply is
 * then dropped.
 */

#include "ngx_pa_redis.h"


#define NGX_PA_REDIS_BACKOFF_MIN    100     /* ms */
#define NGX_PA_REDIS_BACKOFF_MAX    5000
#define NGX_PA_REDIS_RETRY_GAP      250     /* request-triggered reconnect */


typedef enum {
    NGX_PA_REDIS_DOWN = 0,
    NGX_PA_REDIS_CONNECTING,
    NGX_PA_REDIS_UP
} ngx_pa_redis_state_e;


struct ngx_pa_redis_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    redisAsyncContext         *ac;
    ngx_connection_t          *conn;
    ngx_pa_redis_state_e       state;

    ngx_event_t                connect_timer;
    ngx_event_t                reconnect_timer;
    ngx_msec_t                 backoff;
    ngx_msec_t                 last_attempt;

    ngx_uint_t                 exiting;     /* unsigned:1 */
};


static ngx_int_t ngx_pa_redis_connect(ngx_pa_redis_t *redis);
static void ngx_pa_redis_schedule(ngx_pa_redis_t *redis);
static void ngx_pa_redis_teardown(ngx_pa_redis_t *redis);
static void ngx_pa_redis_reconnect_handler(ngx_event_t *ev);
static void ngx_pa_redis_connect_timeout(ngx_event_t *ev);
static void ngx_pa_redis_on_connect(const redisAsyncContext *ac, int status);
static void ngx_pa_redis_on_disconnect(const redisAsyncContext *ac,
    int status);
static void ngx_pa_redis_setup_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_redis_cmd_timeout(ngx_event_t *ev);

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

    pmcf->redis = redis;

    if (ngx_pa_redis_connect(redis) != NGX_OK) {
        ngx_pa_redis_schedule(redis);
    }

    return NGX_OK;
}


void
ngx_pa_redis_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_redis_t  *redis;

    redis = pmcf->redis;
    if (redis == NULL) {
        return;
    }

    redis->exiting = 1;

    if (redis->reconnect_timer.timer_set) {
        ngx_del_timer(&redis->reconnect_timer);
    }

    ngx_pa_redis_teardown(redis);
    pmcf->redis = NULL;
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
    ngx_msec_t           now;
    ngx_pa_redis_cmd_t  *cmd;

    if (redis == NULL || redis->exiting) {
        return NULL;
    }

    if (redis->state == NGX_PA_REDIS_DOWN) {

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

    cmd = ngx_calloc(sizeof(ngx_pa_redis_cmd_t), log);
    if (cmd == NULL) {
        return NULL;
    }

    cmd->handler = handler;
    cmd->data = data;

    /*
     * Not cancelable: a graceful shutdown waits for the answer (or the
     * timeout) of a request already in flight.
     */

    cmd->timer.handler = ngx_pa_redis_cmd_timeout;
    cmd->timer.data = cmd;
    cmd->timer.log = redis->log;

    if (redisAsyncCommandArgv(redis->ac, ngx_pa_redis_reply, cmd, argc,
                              argv, argvlen)
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: command not queued: %s",
                      redis->ac->errstr[0] ? redis->ac->errstr : "closing");
        ngx_free(cmd);
        return NULL;
    }

    ngx_add_timer(&cmd->timer, redis->conf->redis_timeout);

    return cmd;
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


static ngx_int_t
ngx_pa_redis_connect(ngx_pa_redis_t *redis)
{
    u_char               host[NGX_SOCKADDR_STRLEN + 1];
    ngx_str_t           *h;
    redisAsyncContext   *ac;
    ngx_connection_t    *c;
    ngx_pa_main_conf_t  *pmcf;
    const char          *argv[3];
    size_t               argvlen[3];
    ngx_uint_t           i;

    pmcf = redis->conf;
    redis->last_attempt = ngx_current_msec;

    h = &pmcf->redis_host;
    ngx_memcpy(host, h->data, ngx_min(h->len, NGX_SOCKADDR_STRLEN));
    host[ngx_min(h->len, NGX_SOCKADDR_STRLEN)] = '\0';

    /*
     * The host is an address literal or a unix path, resolved at
     * configuration time: hiredis' own getaddrinfo() would block.
     */

    if (pmcf->redis_unix) {
        ac = redisAsyncConnectUnix((const char *) host);

    } else {
        ac = redisAsyncConnect((const char *) host, pmcf->redis_port);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: cannot allocate a context");
        return NGX_ERROR;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connect to \"%V\" failed: %s",
                      h, ac->errstr);
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, redis->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    c->data = redis;
    c->read->handler = ngx_pa_redis_read_handler;
    c->write->handler = ngx_pa_redis_write_handler;
    c->read->log = redis->log;
    c->write->log = redis->log;

    redis->ac = ac;
    redis->conn = c;
    redis->state = NGX_PA_REDIS_CONNECTING;

    ac->data = redis;
    ac->ev.data = redis;
    ac->ev.addRead = ngx_pa_redis_add_read;
    ac->ev.delRead = ngx_pa_redis_del_read;
    ac->ev.addWrite = ngx_pa_redis_add_write;
    ac->ev.delWrite = ngx_pa_redis_del_write;
    ac->ev.cleanup = ngx_pa_redis_cleanup;

    /* the connect callback waits for writability: events must be set */

    redisAsyncSetConnectCallback(ac, ngx_pa_redis_on_connect);
    redisAsyncSetDisconnectCallback(ac, ngx_pa_redis_on_disconnect);

    /* queued now, sent first once connected: AUTH, SELECT, scripts */

    if (pmcf->redis_password.len) {
        argv[0] = "AUTH";
        argvlen[0] = 4;
        argv[1] = (const char *) pmcf->redis_password.data;
        argvlen[1] = pmcf->redis_password.len;
        redisAsyncCommandArgv(ac, ngx_pa_redis_setup_reply, (void *) "AUTH",
                              2, argv, argvlen);
    }

    if (pmcf->redis_db) {
        redisAsyncCommand(ac, ngx_pa_redis_setup_reply, (void *) "SELECT",
                          "SELECT %d", (int) pmcf->redis_db);
    }

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
        redisAsyncCommandArgv(ac, ngx_pa_redis_setup_reply,
                              (void *) "SCRIPT LOAD", 3, argv, argvlen);
    }

    ngx_add_timer(&redis->connect_timer, pmcf->redis_connect_timeout);

    return NGX_OK;
}


static void
ngx_pa_redis_schedule(ngx_pa_redis_t *redis)
{
    if (redis->exiting || redis->reconnect_timer.timer_set) {
        return;
    }

    ngx_add_timer(&redis->reconnect_timer, redis->backoff);

    redis->backoff *= 2;
    if (redis->backoff > NGX_PA_REDIS_BACKOFF_MAX) {
        redis->backoff = NGX_PA_REDIS_BACKOFF_MAX;
    }
}


/* drops the context now: pending handlers run with NULL (503) */

static void
ngx_pa_redis_teardown(ngx_pa_redis_t *redis)
{
    redisAsyncContext  *ac;

    if (redis->connect_timer.timer_set) {
        ngx_del_timer(&redis->connect_timer);
    }

    ac = redis->ac;
    redis->ac = NULL;
    redis->state = NGX_PA_REDIS_DOWN;

    if (ac != NULL) {
        redisAsyncFree(ac);
    }
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
                  &redis->conf->redis_host);

    ngx_pa_redis_teardown(redis);
    ngx_pa_redis_schedule(redis);
}


static void
ngx_pa_redis_on_connect(const redisAsyncContext *ac, int status)
{
    ngx_pa_redis_t  *redis = ac->data;

    if (redis->connect_timer.timer_set) {
        ngx_del_timer(&redis->connect_timer);
    }

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connect to \"%V\" failed: %s",
                      &redis->conf->redis_host, ac->errstr);

        /* hiredis frees the context after this callback */

        redis->ac = NULL;
        redis->state = NGX_PA_REDIS_DOWN;
        ngx_pa_redis_schedule(redis);
        return;
    }

    ngx_log_error(NGX_LOG_INFO, redis->log, 0,
                  "pa redis: connected to \"%V\"", &redis->conf->redis_host);

    redis->state = NGX_PA_REDIS_UP;
    redis->backoff = NGX_PA_REDIS_BACKOFF_MIN;
}


static void
ngx_pa_redis_on_disconnect(const redisAsyncContext *ac, int status)
{
    ngx_pa_redis_t  *redis = ac->data;

    if (redis == NULL || redis->ac != ac) {
        return;
    }

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                      "pa redis: connection to \"%V\" lost: %s",
                      &redis->conf->redis_host, ac->errstr);
    }

    redis->ac = NULL;
    redis->state = NGX_PA_REDIS_DOWN;

    if (redis->connect_timer.timer_set) {
        ngx_del_timer(&redis->connect_timer);
    }

    ngx_pa_redis_schedule(redis);
}


static void
ngx_pa_redis_setup_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply      *reply = r;
    ngx_pa_redis_t  *redis = ac->data;

    if (reply == NULL || redis == NULL) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                      "pa redis: %s failed: %*s", (char *) privdata,
                      (size_t) reply->len, reply->str);

        /* a wrong password or db makes every call fail: say it loudly */

        if (ngx_strcmp(privdata, "SCRIPT LOAD") != 0) {
            redisAsyncDisconnect(ac);
        }
    }
}


static void
ngx_pa_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_pa_redis_cmd_t  *cmd = privdata;

    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
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
    ngx_pa_redis_cmd_t  *cmd = ev->data;
    void                *data;

    ngx_log_error(NGX_LOG_ERR, ev->log, 0, "pa redis: reply timed out");

    /*
     * Answer the caller now; the command stays in hiredis' queue and is
     * freed when its late reply (or the disconnect) comes.
     */

    data = cmd->data;
    cmd->done = 1;
    cmd->data = NULL;

    if (data != NULL) {
        cmd->handler(data, NULL);
    }
}


/* event glue */

static void
ngx_pa_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;
    ngx_pa_redis_t    *redis = c->data;

    /* may free the context (and this connection): touch nothing after */

    if (redis->ac != NULL) {
        redisAsyncHandleRead(redis->ac);
    }
}


static void
ngx_pa_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;
    ngx_pa_redis_t    *redis = c->data;

    if (redis->ac != NULL) {
        redisAsyncHandleWrite(redis->ac);
    }
}


static void
ngx_pa_redis_add_read(void *privdata)
{
    ngx_pa_redis_t  *redis = privdata;
    ngx_event_t     *rev;

    rev = redis->conn->read;

    if (!rev->active) {
        if (ngx_add_event(rev, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
            ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                          "pa redis: cannot add read event");
        }
    }
}


static void
ngx_pa_redis_del_read(void *privdata)
{
    ngx_pa_redis_t  *redis = privdata;
    ngx_event_t     *rev;

    rev = redis->conn->read;

    if (rev->active) {
        ngx_del_event(rev, NGX_READ_EVENT, 0);
    }
}


static void
ngx_pa_redis_add_write(void *privdata)
{
    ngx_pa_redis_t  *redis = privdata;
    ngx_event_t     *wev;

    wev = redis->conn->write;

    if (!wev->active) {
        if (ngx_add_event(wev, NGX_WRITE_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
            ngx_log_error(NGX_LOG_ALERT, redis->log, 0,
                          "pa redis: cannot add write event");
        }
    }
}


static void
ngx_pa_redis_del_write(void *privdata)
{
    ngx_pa_redis_t  *redis = privdata;
    ngx_event_t     *wev;

    wev = redis->conn->write;

    if (wev->active) {
        ngx_del_event(wev, NGX_WRITE_EVENT, 0);
    }
}


/* hiredis frees the context: give the connection back, hiredis closes fd */

static void
ngx_pa_redis_cleanup(void *privdata)
{
    ngx_pa_redis_t    *redis = privdata;
    ngx_connection_t  *c;

    c = redis->conn;
    if (c == NULL) {
        return;
    }

    redis->conn = NULL;

    if (c->read->active) {
        ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    c->fd = (ngx_socket_t) -1;
    ngx_free_connection(c);
}
