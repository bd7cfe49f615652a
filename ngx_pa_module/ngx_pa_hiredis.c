/*
 * hiredis <-> nginx events for the Sentinel's contexts (see the header),
 * and the event glue the primary's connection (ngx_pa_redis.c) shares.
 *
 * hiredis owns the socket and closes it; the cleanup hook gives the
 * ngx_connection_t back and frees h.  Reads loop while data is left
 * because the events are level-triggered, as in ngx_pa_redis.c.
 */

#include "ngx_pa_hiredis.h"


static void ngx_pa_hiredis_read_handler(ngx_event_t *ev);
static void ngx_pa_hiredis_write_handler(ngx_event_t *ev);
static void ngx_pa_hiredis_add_read(void *privdata);
static void ngx_pa_hiredis_del_read(void *privdata);
static void ngx_pa_hiredis_add_write(void *privdata);
static void ngx_pa_hiredis_del_write(void *privdata);
static void ngx_pa_hiredis_cleanup(void *privdata);


ngx_pa_hiredis_t *
ngx_pa_hiredis_connect(ngx_str_t *host, in_port_t port, ngx_log_t *log,
    ngx_pa_hiredis_gone_pt gone, void *data)
{
    u_char              addr[NGX_SOCKADDR_STRLEN + 1];
    ngx_connection_t   *c;
    ngx_pa_hiredis_t   *h;
    redisAsyncContext  *ac;

    ngx_memcpy(addr, host->data, ngx_min(host->len, NGX_SOCKADDR_STRLEN));
    addr[ngx_min(host->len, NGX_SOCKADDR_STRLEN)] = '\0';

    /* an address literal: redisAsyncConnect() does not block on DNS */

    ac = redisAsyncConnect((const char *) addr, port);
    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: cannot allocate a context");
        return NULL;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: connect to \"%V:%d\" failed: %s",
                      host, (int) port, ac->errstr);
        redisAsyncFree(ac);
        return NULL;
    }

    h = ngx_calloc(sizeof(ngx_pa_hiredis_t), log);
    if (h == NULL) {
        redisAsyncFree(ac);
        return NULL;
    }

    c = ngx_get_connection(ac->c.fd, log);
    if (c == NULL) {
        redisAsyncFree(ac);
        ngx_free(h);
        return NULL;
    }

    c->data = h;
    c->read->handler = ngx_pa_hiredis_read_handler;
    c->write->handler = ngx_pa_hiredis_write_handler;
    c->read->log = log;
    c->write->log = log;

    h->ac = ac;
    h->conn = c;
    h->log = log;
    h->gone = gone;
    h->data = data;

    ac->data = h;
    ac->ev.data = h;
    ac->ev.addRead = ngx_pa_hiredis_add_read;
    ac->ev.delRead = ngx_pa_hiredis_del_read;
    ac->ev.addWrite = ngx_pa_hiredis_add_write;
    ac->ev.delWrite = ngx_pa_hiredis_del_write;
    ac->ev.cleanup = ngx_pa_hiredis_cleanup;

    /* hiredis learns that the connect is done from the write event */

    ngx_pa_hiredis_add_write(h);

    return h;
}


static void
ngx_pa_hiredis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;
    ngx_pa_hiredis_t  *h = c->data;

    /* may free the context, h and c */
    redisAsyncHandleRead(h->ac);
}


static void
ngx_pa_hiredis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;
    ngx_pa_hiredis_t  *h = c->data;

    redisAsyncHandleWrite(h->ac);
}


static void
ngx_pa_hiredis_add_read(void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    ngx_pa_hiredis_add_event(h->conn->read, NGX_READ_EVENT, h->log);
}


static void
ngx_pa_hiredis_del_read(void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    ngx_pa_hiredis_del_event(h->conn->read, NGX_READ_EVENT);
}


static void
ngx_pa_hiredis_add_write(void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    ngx_pa_hiredis_add_event(h->conn->write, NGX_WRITE_EVENT, h->log);
}


static void
ngx_pa_hiredis_del_write(void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    ngx_pa_hiredis_del_event(h->conn->write, NGX_WRITE_EVENT);
}


static void
ngx_pa_hiredis_cleanup(void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    ngx_pa_hiredis_close(h->conn);

    if (h->gone) {
        h->gone(h);
    }

    ngx_free(h);
}


/* level-triggered: hiredis reads and writes only what one call can */

void
ngx_pa_hiredis_add_event(ngx_event_t *ev, ngx_int_t event, ngx_log_t *log)
{
    if (!ev->active
        && ngx_add_event(ev, event, NGX_LEVEL_EVENT) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "pa redis: cannot add %s event",
                      event == NGX_READ_EVENT ? "read" : "write");
    }
}


void
ngx_pa_hiredis_del_event(ngx_event_t *ev, ngx_int_t event)
{
    if (ev->active) {
        ngx_del_event(ev, event, 0);
    }
}


/* nothing of c may stay queued: hiredis frees the context after this */

void
ngx_pa_hiredis_close(ngx_connection_t *c)
{
    ngx_pa_hiredis_del_event(c->read, NGX_READ_EVENT);
    ngx_pa_hiredis_del_event(c->write, NGX_WRITE_EVENT);

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

    /* hiredis closes the fd */
    c->fd = (ngx_socket_t) -1;
    ngx_free_connection(c);
}


int
ngx_pa_hiredis_auth(redisAsyncContext *ac, ngx_str_t *user,
    ngx_str_t *password, redisCallbackFn *fn, void *privdata)
{
    int          argc;
    size_t       argvlen[3];
    const char  *argv[3];

    if (password->len == 0) {
        return REDIS_OK;
    }

    argc = 0;
    argv[argc] = "AUTH";
    argvlen[argc++] = 4;

    if (user->len) {
        argv[argc] = (const char *) user->data;
        argvlen[argc++] = user->len;
    }

    argv[argc] = (const char *) password->data;
    argvlen[argc++] = password->len;

    return redisAsyncCommandArgv(ac, fn, privdata, argc, argv, argvlen);
}


/*
 * "h:p,h:p,..." of nodes (sentinels, cluster seeds) into addrs of
 * ngx_pa_hiredis_addr_t, each resolved now: a worker never waits on DNS.
 * Nodes name each other by address and port, so no unix socket.
 */

ngx_int_t
ngx_pa_hiredis_addrs(ngx_conf_t *cf, ngx_str_t *list, in_port_t default_port,
    const char *what, ngx_array_t *addrs)
{
    u_char                 *p, *last, *comma;
    size_t                  len;
    ngx_url_t               u;
    ngx_pa_hiredis_addr_t  *a;

    p = list->data;
    last = list->data + list->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        ngx_memzero(&u, sizeof(ngx_url_t));
        u.url.data = p;
        u.url.len = comma - p;
        u.default_port = default_port;

        if (u.url.len == 0 || ngx_parse_url(cf->pool, &u) != NGX_OK
            || u.naddrs == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid %s address \"%*s\"%s%s", what,
                               comma - p, p, u.err ? ": " : "",
                               u.err ? u.err : "");
            return NGX_ERROR;
        }

        if (u.family == AF_UNIX) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s \"%*s\" is a unix socket: "
                               "nodes name each other by host:port",
                               what, comma - p, p);
            return NGX_ERROR;
        }

        a = ngx_array_push(addrs);
        if (a == NULL) {
            return NGX_ERROR;
        }

        a->host.data = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
        if (a->host.data == NULL) {
            return NGX_ERROR;
        }

        /* without the port: no brackets around IPv6 either */
        len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen,
                            a->host.data, NGX_SOCKADDR_STRLEN, 0);
        a->host.data[len] = '\0';
        a->host.len = len;
        a->port = u.port;

        p = comma + 1;
    }

    return NGX_OK;
}
