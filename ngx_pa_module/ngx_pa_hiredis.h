/*
 * One short-lived or subscribed hiredis context on nginx's event loop,
 * for the Sentinel side (ngx_pa_sentinel.c): the socket wrapped in an
 * ngx_connection_t, level-triggered events, and a "gone" hook that runs
 * once when hiredis frees the context.  The primary's pipelined
 * connection keeps its own glue (ngx_pa_redis.c): it also tracks the
 * requests in flight, and shares only the event glue below.
 */

#ifndef NGX_PA_HIREDIS_H
#define NGX_PA_HIREDIS_H

#include "ngx_pa.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


typedef struct ngx_pa_hiredis_s  ngx_pa_hiredis_t;

/* a Redis node (sentinel, cluster seed) as configured */
typedef struct {
    ngx_str_t                  host;       /* address literal, NUL after */
    in_port_t                  port;
} ngx_pa_hiredis_addr_t;

/* hiredis frees the context: the last moment h may be looked at */
typedef void (*ngx_pa_hiredis_gone_pt)(ngx_pa_hiredis_t *h);

struct ngx_pa_hiredis_s {
    redisAsyncContext         *ac;
    ngx_connection_t          *conn;
    ngx_log_t                 *log;
    ngx_pa_hiredis_gone_pt     gone;
    void                      *data;       /* the owner's */
};


/*
 * Starts a connect to an address literal; commands may be queued at
 * once.  NULL: nothing was made (logged), gone will not run.
 */
ngx_pa_hiredis_t *ngx_pa_hiredis_connect(ngx_str_t *host, in_port_t port,
    ngx_log_t *log, ngx_pa_hiredis_gone_pt gone, void *data);

/*
 * The event glue every hiredis context needs, the primary's included
 * (ngx_pa_redis.c keeps its own context for the requests in flight):
 * level-triggered events on and off, and the connection given back when
 * hiredis frees the context (hiredis closes the fd itself).
 */
void ngx_pa_hiredis_add_event(ngx_event_t *ev, ngx_int_t event,
    ngx_log_t *log);
void ngx_pa_hiredis_del_event(ngx_event_t *ev, ngx_int_t event);
void ngx_pa_hiredis_close(ngx_connection_t *c);
ngx_int_t ngx_pa_hiredis_addrs(ngx_conf_t *cf, ngx_str_t *list,
    in_port_t default_port, const char *what, ngx_array_t *addrs);

/*
 * Queues "AUTH [user] password" first on a context just made, when a
 * password is set: hiredis sends it before whatever is queued after it.
 * REDIS_OK, or REDIS_ERR (the context refuses commands).
 */
int ngx_pa_hiredis_auth(redisAsyncContext *ac, ngx_str_t *user,
    ngx_str_t *password, redisCallbackFn *fn, void *privdata);

#endif /* NGX_PA_HIREDIS_H */
