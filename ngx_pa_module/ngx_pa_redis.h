/*
 * hiredis async driven by nginx's event loop: one pipelined connection per
 * worker, connect and reply timeouts on cancelable nginx timers (hiredis
 * 0.14 has none of its own), reconnect with backoff, scripts loaded on
 * every (re)connect.
 */

#ifndef NGX_PA_REDIS_H
#define NGX_PA_REDIS_H

#include "ngx_pa.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


/*
 * Called exactly once per command: with the reply, or with NULL when the
 * connection broke, the reply timed out or the worker exits.  The reply is
 * freed by hiredis after the handler returns: copy what you keep.
 */
typedef void (*ngx_pa_redis_handler_pt)(void *data, redisReply *reply);

struct ngx_pa_redis_cmd_s {
    ngx_pa_redis_handler_pt    handler;
    void                      *data;       /* NULL once cancelled */
    void                      *link;       /* the context it was sent on */
    ngx_event_t                timer;      /* reply timeout */
    ngx_queue_t                queue;      /* the link's, in send order */
    ngx_msec_t                 sent;
    ngx_msec_t                 from;       /* its deadline's base */
    ngx_pa_redis_cmd_t        *inner;      /* a cluster's: on its node */
    unsigned                   done:1;     /* handler already called */
    unsigned                   background:1;   /* nobody waits for it */
    unsigned                   deadline:1;     /* it was sent one */
};


/* Redis Cluster (ngx_pa_cluster.c): sends a command to the right node */
typedef ngx_pa_redis_cmd_t *(*ngx_pa_redis_route_pt)(void *owner, int argc,
    const char **argv, const size_t *argvlen, int deadline,
    ngx_pa_redis_handler_pt handler, void *data, ngx_log_t *log);

/* a cluster's node failed (connect, loss, timeout): never does I/O */
typedef void (*ngx_pa_redis_lost_pt)(void *owner, ngx_pa_redis_t *node);

ngx_int_t ngx_pa_redis_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_redis_exit_worker(ngx_pa_main_conf_t *pmcf);

/*
 * Queues a command.  Returns the command (its handler will run exactly
 * once), or NULL when Redis is not reachable now: the caller answers 503
 * at once, nothing was sent.
 */
ngx_pa_redis_cmd_t *ngx_pa_redis_command(ngx_pa_redis_t *redis,
    int argc, const char **argv, const size_t *argvlen,
    ngx_pa_redis_handler_pt handler, void *data, ngx_log_t *log);

/*
 * The same for a script that takes a deadline (redis-scripts/lib/late.lua):
 * argv[deadline] is a placeholder, sent as the deadline in the clock of
 * the Redis host the command goes to (a cluster's node's own), "" while
 * that clock is not read yet.
 */
ngx_pa_redis_cmd_t *ngx_pa_redis_command_dl(ngx_pa_redis_t *redis,
    int argc, const char **argv, const size_t *argvlen, int deadline,
    ngx_pa_redis_handler_pt handler, void *data, ngx_log_t *log);

/* a script refused the call for lateness: it wrote nothing (503) */
ngx_uint_t ngx_pa_redis_late_reply(redisReply *reply);

/* the caller went away: the handler will not be called */
void ngx_pa_redis_cancel(ngx_pa_redis_cmd_t *cmd);

ngx_uint_t ngx_pa_redis_connected(ngx_pa_redis_t *redis);

/* nobody waits for the command: "nginx -s quit" need not either */
void ngx_pa_redis_background(ngx_pa_redis_cmd_t *cmd);

/*
 * Redis Cluster.  The front becomes the worker's Redis and hands every
 * command to route(); a node is one primary's connection, opened on its
 * first command, kept for the worker's life (a node never named again
 * is set idle: no reconnects), freed by node_free() at exit only.
 */
ngx_pa_redis_t *ngx_pa_redis_front(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf, ngx_pa_redis_route_pt route, void *owner);
ngx_pa_redis_t *ngx_pa_redis_node(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf, ngx_str_t *host, in_port_t port,
    ngx_pa_redis_lost_pt lost, void *owner);
void ngx_pa_redis_node_idle(ngx_pa_redis_t *node, ngx_uint_t idle);
void ngx_pa_redis_node_free(ngx_pa_redis_t *node);
ngx_str_t *ngx_pa_redis_name(ngx_pa_redis_t *redis);
void *ngx_pa_redis_owner(ngx_pa_redis_t *redis);

#endif /* NGX_PA_REDIS_H */
