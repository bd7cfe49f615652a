/*
 * The worker's reader of the "events" stream: while anyone on this
 * worker listens, it reads what is new (XREAD after the last entry it
 * saw) every NGX_PA_SSE_POLL on the worker's one pipelined Redis
 * connection, and fans each entry out in memory to every live stream
 * that may see it.  Ten thousand idle streams cost one small command per
 * poll, not a Redis connection each.
 *
 * Why a poll and not XREAD BLOCK: a blocking read would hold the pipelined
 * connection every request shares; a connection of its own per worker
 * buys < NGX_PA_SSE_POLL of latency, which nobody watching a queue sees.
 *
 * A heartbeat comment every NGX_PA_SSE_BEAT keeps proxies and NAT from
 * dropping idle streams.  Both timers are cancelable: they never hold a
 * worker that is shutting down, and the poll closes what is left then.
 */

#include "ngx_pa_sse_reader.h"
#include "ngx_pa_revoke.h"


#define NGX_PA_SSE_POLL       250        /* ms */
#define NGX_PA_SSE_BEAT       15000      /* ms */
#define NGX_PA_SSE_PAGE_S     "256"      /* NGX_PA_SSE_PAGE */
#define NGX_PA_SSE_BUCKETS    1024

/* a stream's buffer: grown as needed up to MAX, then the client is closed */
#define NGX_PA_SSE_BUF_MIN    1024
#define NGX_PA_SSE_BUF_MAX    (128 * 1024)


struct ngx_pa_sse_reader_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_str_t                  key;        /* pa:{t}:events */

    ngx_queue_t                subs;       /* live streams */
    ngx_uint_t                 n;

    /*
     * Who gets an entry: staff streams see each (and filter), a report's
     * streams only its own, found by the report's id: ten thousand
     * citizens following their reports cost an entry nothing
     */
    ngx_queue_t                staff;
    ngx_queue_t                reports[NGX_PA_SSE_BUCKETS];
    ngx_queue_t                dirty;      /* streams written this poll */

    ngx_pa_sse_id_t            cursor;     /* read up to */
    unsigned                   known:1;    /* cursor is set */

    ngx_pa_redis_cmd_t        *cmd;        /* XREAD in flight */
    ngx_event_t                poll;
    ngx_event_t                beat;
};


static ngx_pa_sse_reader_t *ngx_pa_sse_worker(ngx_pa_sse_sub_t *sub);
static void ngx_pa_sse_poll(ngx_event_t *ev);
static void ngx_pa_sse_polled(void *data, redisReply *reply);
static ngx_uint_t ngx_pa_sse_fanout(ngx_pa_sse_reader_t *rd,
    redisReply *entries);
static void ngx_pa_sse_deliver(ngx_pa_sse_reader_t *rd, ngx_queue_t *list,
    ngx_pa_sse_event_t *ev);
static ngx_queue_t *ngx_pa_sse_bucket(ngx_pa_sse_reader_t *rd,
    ngx_str_t *report);
static void ngx_pa_sse_beat(ngx_event_t *ev);
static ngx_uint_t ngx_pa_sse_token_gone(ngx_pa_sse_reader_t *rd,
    ngx_pa_sse_sub_t *sub);
static void ngx_pa_sse_close_all(ngx_pa_sse_reader_t *rd);
static void ngx_pa_sse_end(ngx_event_t *ev);
static void ngx_pa_sse_gone(void *data);
static void ngx_pa_sse_free(void *data);


ngx_int_t
ngx_pa_sse_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_uint_t            i;
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_sse_reader_t));
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->conf = pmcf;
    rd->log = cycle->log;

    rd->key.len = pmcf->key_prefix.len + sizeof("events") - 1;
    rd->key.data = ngx_pnalloc(cycle->pool, rd->key.len);
    if (rd->key.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(rd->key.data, "%Vevents", &pmcf->key_prefix);

    ngx_queue_init(&rd->subs);
    ngx_queue_init(&rd->staff);
    ngx_queue_init(&rd->dirty);

    for (i = 0; i < NGX_PA_SSE_BUCKETS; i++) {
        ngx_queue_init(&rd->reports[i]);
    }

    rd->poll.handler = ngx_pa_sse_poll;
    rd->poll.data = rd;
    rd->poll.log = cycle->log;
    rd->poll.cancelable = 1;

    rd->beat.handler = ngx_pa_sse_beat;
    rd->beat.data = rd;
    rd->beat.log = cycle->log;
    rd->beat.cancelable = 1;

    /* one per worker process, as the Redis connection it reads on */

    pmcf->worker.sse = rd;

    return NGX_OK;
}


void
ngx_pa_sse_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_sse_reader_t  *rd;

    rd = pmcf->worker.sse;
    if (rd == NULL) {
        return;
    }

    if (rd->poll.timer_set) {
        ngx_del_timer(&rd->poll);
    }

    if (rd->beat.timer_set) {
        ngx_del_timer(&rd->beat);
    }

    if (rd->cmd != NULL) {
        ngx_pa_redis_cancel(rd->cmd);
        rd->cmd = NULL;
    }

    pmcf->worker.sse = NULL;
}


/*
 * A stream goes live after its last entry (sub->last).  The reader's own
 * cursor is never ahead of it: both read on the same connection, in order.
 */

void
ngx_pa_sse_join(ngx_pa_sse_sub_t *sub)
{
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pa_sse_worker(sub);

    if (rd == NULL || sub->live || sub->done) {
        return;
    }

    if (ngx_exiting || ngx_quit || ngx_terminate) {

        /* too late here: the client resumes on the next worker */

        ngx_pa_sse_close(sub, 0);
        return;
    }

    ngx_queue_insert_tail(&rd->subs, &sub->queue);
    ngx_queue_insert_tail(sub->report.len ? ngx_pa_sse_bucket(rd, &sub->report)
                                          : &rd->staff,
                          &sub->link);
    rd->n++;
    sub->live = 1;

    /* nothing to finish: a graceful shutdown may close it at once */

    sub->request->connection->idle = 1;

    /* the first listener starts the reader where it starts */

    if (!rd->known) {
        rd->cursor = sub->last;
        rd->known = 1;
    }

    if (!rd->poll.timer_set && rd->cmd == NULL) {
        ngx_add_timer(&rd->poll, NGX_PA_SSE_POLL);
    }

    if (!rd->beat.timer_set) {
        ngx_add_timer(&rd->beat, NGX_PA_SSE_BEAT);
    }
}


static ngx_pa_sse_reader_t *
ngx_pa_sse_worker(ngx_pa_sse_sub_t *sub)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(sub->request, ngx_http_pa_module);

    return pmcf->worker.sse;
}


void
ngx_pa_sse_leave(ngx_pa_sse_sub_t *sub)
{
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pa_sse_worker(sub);

    if (rd == NULL || !sub->live) {
        return;
    }

    ngx_queue_remove(&sub->queue);
    ngx_queue_remove(&sub->link);

    if (sub->is_dirty) {
        ngx_queue_remove(&sub->dirty);
        sub->is_dirty = 0;
    }

    rd->n--;
    sub->live = 0;

    if (rd->n) {
        return;
    }

    /* nobody listens: no reads; the next listener sets the cursor */

    rd->known = 0;

    if (rd->poll.timer_set) {
        ngx_del_timer(&rd->poll);
    }

    if (rd->beat.timer_set) {
        ngx_del_timer(&rd->beat);
    }
}


static void
ngx_pa_sse_poll(ngx_event_t *ev)
{
    u_char               after[NGX_PA_SSE_ID_LEN], *p;
    size_t               argvlen[6];
    const char          *argv[6];
    ngx_pa_sse_reader_t *rd;

    rd = ev->data;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        ngx_pa_sse_close_all(rd);
        return;
    }

    if (rd->n == 0 || rd->cmd != NULL) {
        return;
    }

    p = ngx_pa_sse_id_print(after, &rd->cursor);

    argv[0] = "XREAD";
    argvlen[0] = 5;
    argv[1] = "COUNT";
    argvlen[1] = 5;
    argv[2] = NGX_PA_SSE_PAGE_S;
    argvlen[2] = sizeof(NGX_PA_SSE_PAGE_S) - 1;
    argv[3] = "STREAMS";
    argvlen[3] = 7;
    argv[4] = (const char *) rd->key.data;
    argvlen[4] = rd->key.len;
    argv[5] = (const char *) after;
    argvlen[5] = p - after;

    rd->cmd = ngx_pa_redis_command(rd->conf->worker.redis, 6, argv, argvlen,
                                   ngx_pa_sse_polled, rd, rd->log);

    if (rd->cmd == NULL) {

        /* Redis is away: the adapter reconnects, we ask again later */

        ngx_add_timer(&rd->poll, NGX_PA_SSE_POLL);
        return;
    }

    /* nobody waits for this answer: a shutdown does not either */

    ngx_pa_redis_background(rd->cmd);
}


/* [[key, [[id, [field, value ...]] ...]]], or nil: nothing new */

static void
ngx_pa_sse_polled(void *data, redisReply *reply)
{
    ngx_msec_t            next;
    redisReply           *s;
    ngx_pa_sse_reader_t  *rd = data;

    rd->cmd = NULL;
    next = NGX_PA_SSE_POLL;

    if (reply == NULL) {
        /* the adapter said why (timeout, connection lost) */

    } else if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "pa sse: XREAD of the events stream failed: %*s",
                      (size_t) reply->len, reply->str);

    } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1) {
        s = reply->element[0];

        if (s->type == REDIS_REPLY_ARRAY && s->elements == 2
            && s->element[1]->type == REDIS_REPLY_ARRAY)
        {
            /* a full page: more is waiting, read it at once */

            if (ngx_pa_sse_fanout(rd, s->element[1]) >= NGX_PA_SSE_PAGE) {
                next = 1;
            }
        }
    }

    if (rd->n && !rd->poll.timer_set) {
        ngx_add_timer(&rd->poll, next);
    }
}


/* every entry to every live stream that may see it; returns how many */

static ngx_uint_t
ngx_pa_sse_fanout(ngx_pa_sse_reader_t *rd, redisReply *entries)
{
    size_t               i;
    ngx_int_t            rc;
    ngx_pool_t          *pool;
    ngx_queue_t         *q;
    ngx_pa_sse_sub_t    *sub;
    ngx_pa_sse_event_t   ev;

    pool = ngx_create_pool(4096, rd->log);
    if (pool == NULL) {
        return 0;
    }

    for (i = 0; i < entries->elements; i++) {

        rc = ngx_pa_sse_event(pool, rd->log, rd->conf, entries->element[i],
                              &ev);

        if (rc == NGX_ERROR) {
            break;
        }

        if (rc == NGX_DECLINED) {
            continue;
        }

        if (ngx_pa_sse_id_cmp(&ev.id, &rd->cursor) > 0) {
            rd->cursor = ev.id;
        }

        /* staff streams, then only the streams of the entry's report */

        ngx_pa_sse_deliver(rd, &rd->staff, &ev);

        if (ev.report.len) {
            ngx_pa_sse_deliver(rd, ngx_pa_sse_bucket(rd, &ev.report), &ev);
        }
    }

    ngx_destroy_pool(pool);

    /* one write per stream and poll, not one per entry */

    while (!ngx_queue_empty(&rd->dirty)) {
        q = ngx_queue_head(&rd->dirty);
        ngx_queue_remove(q);

        sub = ngx_queue_data(q, ngx_pa_sse_sub_t, dirty);
        sub->is_dirty = 0;

        ngx_pa_sse_flush(sub);
    }

    return i;
}


static void
ngx_pa_sse_deliver(ngx_pa_sse_reader_t *rd, ngx_queue_t *list,
    ngx_pa_sse_event_t *ev)
{
    ngx_int_t          rc;
    ngx_str_t         *text;
    ngx_queue_t       *q, *next;
    ngx_pa_sse_sub_t  *sub;

    for (q = ngx_queue_head(list); q != ngx_queue_sentinel(list); q = next) {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_pa_sse_sub_t, link);

        if (ngx_pa_sse_id_cmp(&ev->id, &sub->last) <= 0) {
            continue;
        }

        /* not one event more after a revocation, not until the beat */

        if (ngx_pa_sse_token_gone(rd, sub)) {
            continue;
        }

        sub->last = ev->id;

        text = ngx_pa_sse_text(sub, ev);
        if (text == NULL) {
            continue;
        }

        rc = ngx_pa_sse_append(sub, text);

        if (rc == NGX_DECLINED && !sub->busy) {

            /* the socket may take it: send what waits, then again */

            ngx_pa_sse_flush(sub);

            if (sub->done) {
                continue;
            }

            rc = ngx_pa_sse_append(sub, text);
        }

        if (rc == NGX_OK) {
            if (!sub->is_dirty) {
                ngx_queue_insert_tail(&rd->dirty, &sub->dirty);
                sub->is_dirty = 1;
            }

            continue;
        }

        if (rc == NGX_ABORT) {
            ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                          "pa sse: entry of %uz bytes is too large for a "
                          "stream, skipped", text->len);
            continue;
        }

        if (rc == NGX_DECLINED) {
            ngx_log_error(NGX_LOG_INFO, sub->request->connection->log, 0,
                          "pa sse: client cannot keep up, closed (it "
                          "resumes with Last-Event-ID)");
        }

        ngx_pa_sse_close(sub, 1);
    }
}


/* the streams of one report: a bucket by its id */

static ngx_queue_t *
ngx_pa_sse_bucket(ngx_pa_sse_reader_t *rd, ngx_str_t *report)
{
    return &rd->reports[ngx_crc32_short(report->data, report->len)
                        % NGX_PA_SSE_BUCKETS];
}


static void
ngx_pa_sse_beat(ngx_event_t *ev)
{
    ngx_str_t             beat;
    ngx_queue_t          *q, *next;
    ngx_pa_sse_sub_t     *sub;
    ngx_pa_sse_reader_t  *rd;

    rd = ev->data;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        ngx_pa_sse_close_all(rd);
        return;
    }

    ngx_str_set(&beat, ":\n\n");

    for (q = ngx_queue_head(&rd->subs);
         q != ngx_queue_sentinel(&rd->subs);
         q = next)
    {
        next = ngx_queue_next(q);
        sub = ngx_queue_data(q, ngx_pa_sse_sub_t, queue);

        if (ngx_pa_sse_token_gone(rd, sub)) {
            continue;
        }

        if (ngx_pa_sse_append(sub, &beat) != NGX_OK) {
            ngx_log_error(NGX_LOG_INFO, sub->request->connection->log, 0,
                          "pa sse: client cannot keep up, closed");
            ngx_pa_sse_close(sub, 1);
            continue;
        }

        ngx_pa_sse_flush(sub);
    }

    if (rd->n) {
        ngx_add_timer(&rd->beat, NGX_PA_SSE_BEAT);
    }
}


/*
 * A stream outlives no token: expired or revoked (a lost phone, a
 * departed officer), it ends (1); the reconnect gets the 401.
 */

static ngx_uint_t
ngx_pa_sse_token_gone(ngx_pa_sse_reader_t *rd, ngx_pa_sse_sub_t *sub)
{
    if (!sub->caller.jwt
        || (ngx_time() < sub->caller.exp
            && ngx_pa_revoke_check(rd->conf, &sub->caller.jti,
                                   &sub->caller.sub, sub->caller.iat)
               == NGX_OK))
    {
        return 0;
    }

    ngx_log_error(NGX_LOG_INFO, sub->request->connection->log, 0,
                  "pa sse: the token of \"%V\" expired or was revoked, "
                  "stream ended", &sub->caller.sub);

    ngx_pa_sse_close(sub, 0);

    return 1;
}


/* the worker is going: every stream ends, its client reconnects */

static void
ngx_pa_sse_close_all(ngx_pa_sse_reader_t *rd)
{
    ngx_queue_t       *q;
    ngx_pa_sse_sub_t  *sub;

    while (!ngx_queue_empty(&rd->subs)) {
        q = ngx_queue_head(&rd->subs);
        sub = ngx_queue_data(q, ngx_pa_sse_sub_t, queue);

        ngx_pa_sse_close(sub, 0);
    }
}


/* ------------------------------------------------------------ a stream */

ngx_int_t
ngx_pa_sse_sub_init(ngx_http_request_t *r, ngx_pa_sse_sub_t *sub)
{
    ngx_pool_cleanup_t  *pcln;
    ngx_http_cleanup_t  *cln;

    sub->request = r;

    /* the buffers live outside the pool: given back when it goes */

    pcln = ngx_pool_cleanup_add(r->pool, 0);
    if (pcln == NULL) {
        return NGX_ERROR;
    }

    pcln->handler = ngx_pa_sse_free;
    pcln->data = sub;

    /* terminated (client gone, error): leave the reader at once */

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_sse_gone;
    cln->data = sub;

    return NGX_OK;
}


ngx_int_t
ngx_pa_sse_append(ngx_pa_sse_sub_t *sub, ngx_str_t *text)
{
    size_t      used, size;
    u_char     *p;
    ngx_buf_t  *b;

    if (sub->done) {
        return NGX_ERROR;
    }

    if (text->len > NGX_PA_SSE_BUF_MAX) {
        return NGX_ABORT;
    }

    b = &sub->pend;

    if ((size_t) (b->end - b->last) < text->len) {
        used = b->last - b->pos;

        if (used + text->len > NGX_PA_SSE_BUF_MAX) {
            return NGX_DECLINED;
        }

        size = ngx_max(2 * (size_t) (b->end - b->start), used + text->len);
        size = ngx_max(size, NGX_PA_SSE_BUF_MIN);
        size = ngx_min(size, NGX_PA_SSE_BUF_MAX);

        p = ngx_alloc(size, sub->request->connection->log);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (used) {
            ngx_memcpy(p, b->pos, used);
        }

        if (b->start) {
            ngx_free(b->start);
        }

        b->start = p;
        b->pos = p;
        b->last = p + used;
        b->end = p + size;
    }

    b->last = ngx_cpymem(b->last, text->data, text->len);

    return NGX_OK;
}


/* pend to the client when "out" went; what stays waits for the socket */

void
ngx_pa_sse_flush(ngx_pa_sse_sub_t *sub)
{
    ngx_buf_t                  tmp;
    ngx_chain_t                cl;
    ngx_event_t               *wev;
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_core_loc_conf_t  *clcf;

    if (sub->done) {
        return;
    }

    r = sub->request;
    c = r->connection;
    wev = c->write;

    for ( ;; ) {

        if (c->buffered) {
            sub->busy = 1;

            /* a client that takes nothing for send_timeout is dropped */

            clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

            if (!wev->timer_set) {
                ngx_add_timer(wev, clcf->send_timeout);
            }

            if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
                ngx_pa_sse_close(sub, 1);
            }

            return;
        }

        sub->busy = 0;

        if (wev->timer_set) {
            ngx_del_timer(wev);
        }

        if (sub->pend.last == sub->pend.pos) {
            break;
        }

        tmp = sub->out;
        sub->out = sub->pend;
        sub->pend = tmp;
        sub->pend.pos = sub->pend.start;
        sub->pend.last = sub->pend.start;

        sub->out.temporary = 1;
        sub->out.flush = 1;

        cl.buf = &sub->out;
        cl.next = NULL;

        if (ngx_http_output_filter(r, &cl) == NGX_ERROR) {
            ngx_pa_sse_close(sub, 1);
            return;
        }
    }

    if (sub->drained) {
        sub->drained(sub);
    }
}


void
ngx_pa_sse_write_handler(ngx_http_request_t *r)
{
    ngx_event_t       *wev;
    ngx_pa_ctx_t      *ctx;
    ngx_connection_t  *c;
    ngx_pa_sse_sub_t  *sub;

    c = r->connection;
    wev = c->write;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);
    sub = ctx->data;

    if (sub->done) {
        return;
    }

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "pa sse: client took nothing for send_timeout, "
                      "closed");
        c->timedout = 1;
        ngx_pa_sse_close(sub, 1);
        return;
    }

    if (!sub->busy) {
        return;
    }

    if (ngx_http_output_filter(r, NULL) == NGX_ERROR) {
        ngx_pa_sse_close(sub, 1);
        return;
    }

    ngx_pa_sse_flush(sub);
}


/*
 * Ends the stream once: politely (the last chunk: the client reconnects
 * with Last-Event-ID) or, for a client that failed, by closing.  The
 * request is finalized from a posted event, never under the caller's
 * feet: whoever closes a stream may still look at it (sub->done) until
 * it returns to the event loop.
 */

void
ngx_pa_sse_close(ngx_pa_sse_sub_t *sub, ngx_uint_t error)
{
    if (sub->done) {
        return;
    }

    ngx_pa_sse_gone(sub);

    sub->error = error ? 1 : 0;

    sub->end.handler = ngx_pa_sse_end;
    sub->end.data = sub;
    sub->end.log = sub->request->connection->log;

    ngx_post_event(&sub->end, &ngx_posted_events);
}


static void
ngx_pa_sse_end(ngx_event_t *ev)
{
    ngx_int_t            rc;
    ngx_chain_t          cl;
    ngx_pa_sse_sub_t    *sub = ev->data;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = sub->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (sub->error) {
        ngx_http_finalize_request(r, NGX_ERROR);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (sub->busy || sub->pend.last == sub->pend.pos) {
        rc = ngx_http_send_special(r, NGX_HTTP_LAST);

    } else {

        /* what waits goes with the end (a stream ended as it opened) */

        if (sub->out.start) {
            ngx_free(sub->out.start);
        }

        sub->out = sub->pend;
        ngx_memzero(&sub->pend, sizeof(ngx_buf_t));

        sub->out.temporary = 1;
        sub->out.last_buf = 1;

        cl.buf = &sub->out;
        cl.next = NULL;

        rc = ngx_http_output_filter(r, &cl);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* the request ends (any way): out of the reader, nothing in flight */

static void
ngx_pa_sse_gone(void *data)
{
    ngx_pa_sse_sub_t  *sub = data;

    sub->done = 1;

    ngx_pa_sse_leave(sub);

    if (sub->cmd != NULL) {
        ngx_pa_redis_cancel(sub->cmd);
        sub->cmd = NULL;
    }
}


static void
ngx_pa_sse_free(void *data)
{
    ngx_pa_sse_sub_t  *sub = data;

    ngx_pa_sse_gone(sub);

    /* ended by other means (the client went) before the posted end ran */

    if (sub->end.posted) {
        ngx_delete_posted_event(&sub->end);
    }

    if (sub->out.start) {
        ngx_free(sub->out.start);
        sub->out.start = NULL;
    }

    if (sub->pend.start) {
        ngx_free(sub->pend.start);
        sub->pend.start = NULL;
    }
}
