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

#include "ngx_pa_sse.h"
#include "ngx_pa_revoke.h"


#define NGX_PA_SSE_POLL       250        /* ms */
#define NGX_PA_SSE_BEAT       15000      /* ms */
#define NGX_PA_SSE_PAGE_S     "256"      /* NGX_PA_SSE_PAGE */
#define NGX_PA_SSE_BUCKETS    1024


typedef struct {
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
} ngx_pa_sse_reader_t;


static void ngx_pa_sse_poll(ngx_event_t *ev);
static void ngx_pa_sse_polled(void *data, redisReply *reply);
static ngx_uint_t ngx_pa_sse_fanout(ngx_pa_sse_reader_t *rd,
    redisReply *entries);
static void ngx_pa_sse_deliver(ngx_pa_sse_reader_t *rd, ngx_queue_t *list,
    ngx_pa_sse_event_t *ev);
static ngx_queue_t *ngx_pa_sse_bucket(ngx_pa_sse_reader_t *rd,
    ngx_str_t *report);
static void ngx_pa_sse_beat(ngx_event_t *ev);
static void ngx_pa_sse_close_all(ngx_pa_sse_reader_t *rd);


/* one per worker process, as the Redis connection it reads on */
static ngx_pa_sse_reader_t  *ngx_pa_sse_reader;


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

    ngx_pa_sse_reader = rd;

    return NGX_OK;
}


void
ngx_pa_sse_exit_worker(void)
{
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pa_sse_reader;
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

    ngx_pa_sse_reader = NULL;
}


/*
 * A stream goes live after its last entry (sub->last).  The reader's own
 * cursor is never ahead of it: both read on the same connection, in order.
 */

void
ngx_pa_sse_join(ngx_pa_sse_sub_t *sub)
{
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pa_sse_reader;

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


void
ngx_pa_sse_leave(ngx_pa_sse_sub_t *sub)
{
    ngx_pa_sse_reader_t  *rd;

    rd = ngx_pa_sse_reader;

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

    rd->cmd = ngx_pa_redis_command(rd->conf->redis, 6, argv, argvlen,
                                   ngx_pa_sse_polled, rd, rd->log);

    if (rd->cmd == NULL) {

        /* Redis is away: the adapter reconnects, we ask again later */

        ngx_add_timer(&rd->poll, NGX_PA_SSE_POLL);
        return;
    }

    /* nobody waits for this answer: a shutdown does not either */

    rd->cmd->timer.cancelable = 1;
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

        /*
         * A stream outlives no token: expired or revoked (a lost phone,
         * a departed officer), it ends; the reconnect gets the 401.
         */

        if (sub->caller.jwt
            && (ngx_time() >= sub->caller.exp
                || ngx_pa_revoke_check(rd->conf, &sub->caller.jti,
                                       &sub->caller.sub, sub->caller.iat)
                   != NGX_OK))
        {
            ngx_log_error(NGX_LOG_INFO, sub->request->connection->log, 0,
                          "pa sse: the token of \"%V\" expired or was "
                          "revoked, stream ended", &sub->caller.sub);
            ngx_pa_sse_close(sub, 0);
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
