/*
 * A request with a staff token waits for this worker's first read of the
 * revoked tokens (ngx_pa_revoke_wait.h; the set: ngx_pa_revoke.c).
 *
 * A worker just started ("nginx -s reload", or respawned after a crash)
 * knows no revocation until Redis answers its first read: a token revoked
 * an hour ago verified, and was taken.  The node's ring
 * (ngx_pa_revoke_node.c) does not close that gap: it holds only the last
 * 64 revocations answered on this node, not those of the other nodes nor
 * older ones still in force.  So such a request is parked, without a
 * busy loop or a blocking call, until the read comes back (it goes on) or
 * for at most the Redis timeout (it is answered 503 "unavailable" with
 * Retry-After: a token that cannot be checked is not taken).
 *
 * Parked from the content handler as nginx parks a request that reads
 * its body: one more reference on the request (r->main->count) and
 * NGX_DONE; the resume runs from a posted event or the timer, never from
 * inside Redis' callback, and finalizes as the content phase would.
 */

#include "ngx_pa.h"
#include "ngx_pa_revoke_wait.h"


typedef struct {
    ngx_queue_t                   queue;    /* in the revoker's waiting */
    ngx_event_t                   ev;       /* posted, or its time is up */
    ngx_http_request_t           *r;
    ngx_pa_revoke_resume_pt       resume;
} ngx_pa_revoke_waiter_t;


static void ngx_pa_revoke_wait_event(ngx_event_t *ev);
static void ngx_pa_revoke_wait_cleanup(void *data);


ngx_int_t
ngx_pa_revoke_wait(ngx_http_request_t *r, ngx_queue_t *waiting,
    ngx_pa_revoke_resume_pt resume)
{
    ngx_pool_cleanup_t      *cln;
    ngx_pa_main_conf_t      *pmcf;
    ngx_pa_revoke_waiter_t  *w;

    if (waiting == NULL) {
        return NGX_OK;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    w = ngx_pcalloc(r->pool, sizeof(ngx_pa_revoke_waiter_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (w == NULL || cln == NULL) {
        return NGX_ERROR;
    }

    w->r = r;
    w->resume = resume;

    w->ev.handler = ngx_pa_revoke_wait_event;
    w->ev.data = w;
    w->ev.log = r->connection->log;

    /* not cancelable: a worker shutting down answers it first */
    ngx_add_timer(&w->ev, pmcf->redis_timeout);

    ngx_queue_insert_tail(waiting, &w->queue);

    cln->handler = ngx_pa_revoke_wait_cleanup;
    cln->data = w;

    /* a client that gives up is noticed, and its request ends here */
    r->read_event_handler = ngx_http_test_reading;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: a staff token waits for this worker's first read "
                  "of the revoked tokens");

    r->main->count++;

    return NGX_AGAIN;
}


/* the first read is in: every waiting request goes on */

void
ngx_pa_revoke_wake(ngx_queue_t *waiting)
{
    ngx_queue_t             *q;
    ngx_pa_revoke_waiter_t  *w;

    while (!ngx_queue_empty(waiting)) {
        q = ngx_queue_head(waiting);
        w = ngx_queue_data(q, ngx_pa_revoke_waiter_t, queue);

        ngx_queue_remove(q);
        ngx_queue_init(q);

        if (w->ev.timer_set) {
            ngx_del_timer(&w->ev);
        }

        /* from the event loop, not from inside the reply's callback */
        ngx_post_event(&w->ev, &ngx_posted_events);
    }
}


static void
ngx_pa_revoke_wait_event(ngx_event_t *ev)
{
    ngx_pa_revoke_waiter_t  *w = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;
    ngx_pa_main_conf_t  *pmcf;

    r = w->r;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (ngx_queue_next(&w->queue) != &w->queue) {
        ngx_queue_remove(&w->queue);
        ngx_queue_init(&w->queue);
    }

    /* the timer, not ngx_pa_revoke_wake(): the set is still unread */

    if (ev->timedout) {
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

        ngx_log_error(NGX_LOG_WARN, c->log, 0,
                      "pa: the revoked tokens were not read in %M ms, "
                      "a staff token is answered 503",
                      pmcf->redis_timeout);
    }

    r->read_event_handler = ngx_http_block_reading;

    w->resume(r);

    ngx_http_run_posted_requests(c);
}


/* the request ends while it waits (the client went away) */

static void
ngx_pa_revoke_wait_cleanup(void *data)
{
    ngx_pa_revoke_waiter_t  *w = data;

    if (ngx_queue_next(&w->queue) != &w->queue) {
        ngx_queue_remove(&w->queue);
        ngx_queue_init(&w->queue);
    }

    if (w->ev.timer_set) {
        ngx_del_timer(&w->ev);
    }

    if (w->ev.posted) {
        ngx_delete_posted_event(&w->ev);
    }
}
