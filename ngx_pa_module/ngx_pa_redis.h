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
    unsigned                   done:1;     /* handler already called */
};

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

/* the caller went away: the handler will not be called */
void ngx_pa_redis_cancel(ngx_pa_redis_cmd_t *cmd);

ngx_uint_t ngx_pa_redis_connected(ngx_pa_redis_t *redis);

#endif /* NGX_PA_REDIS_H */
