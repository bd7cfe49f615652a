/*
 * Group commit of submissions (ngx_pa_batch.h).  Redis's cost of a
 * submission is largely per call (parsing, dispatch, reply, the event
 * loop, Lua's entry): N reports in one call pay it once, and submit.lua
 * writes what they share (deadlines, work list, hints) once.
 *
 * Policy: fewer than `inflight` calls in flight, the report goes now;
 * else it waits in the worker's queue, and each reply sends what waited
 * (at most `max` reports and NGX_PA_BATCH_ARGS arguments a call).  With
 * linger=, a call of fewer than NGX_PA_BATCH_ENOUGH reports goes at most
 * once a linger: a report that comes sooner after the worker's last call
 * waits for the linger's end, with those that come meanwhile (a moderate
 * load makes calls of several reports, each cheaper for Redis; a report
 * alone after a quiet linger goes at once).  The queue is never left
 * without a call in flight or the linger's timer: a reply, the timer or a
 * failed send always empties it or sends from it.
 */

#include "ngx_pa.h"
#include "ngx_pa_batch.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_metrics.h"


#define NGX_PA_BATCH_SHARED     5       /* submit.lua's shared KEYS */

#define NGX_PA_BATCH_QUEUED     1
#define NGX_PA_BATCH_SENT       2
#define NGX_PA_BATCH_DONE       3

/*
 * Reports a call that a linger does not wait to fill: Redis's cost of a
 * report is F / n + V (F, the call's: ~140k instructions; V, a report's:
 * ~150k), at 8 within ~6 % of a call of 32 (bench/submit-cost.md)
 */
#define NGX_PA_BATCH_ENOUGH     8


struct ngx_pa_batch_s {                 /* the worker's batcher */
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_queue_t                queue;      /* ngx_pa_batch_item_t waiting */
    ngx_uint_t                 queued;     /* how many wait */
    ngx_uint_t                 inflight;   /* calls sent, not answered */
    ngx_msec_t                 sent_at;    /* the last call's */
    ngx_uint_t                 sent_n;     /* its reports */
    ngx_event_t                linger;     /* sends what waits, its end */
};


/* one call in flight, in a pool of its own (the requests may go away) */
typedef struct {
    ngx_pool_t                *pool;
    ngx_pa_batch_t            *batch;
    ngx_pa_call_t              call;
    ngx_uint_t                 n;
    ngx_uint_t                 built;      /* the call is ready to go */
    ngx_http_request_t       **req;        /* NULL: went away */
    struct ngx_pa_batch_item_s **items;    /* valid while req[i] is */
} ngx_pa_batch_call_t;


/* one report, in its request's pool */
typedef struct ngx_pa_batch_item_s {
    ngx_queue_t                queue;
    ngx_http_request_t        *request;
    ngx_pa_batch_t            *batch;
    ngx_array_t               *shared;
    ngx_array_t               *keys;
    ngx_array_t               *args;
    ngx_pa_batch_place_pt      place;
    void                      *data;
    ngx_http_request_t       **slot;       /* its place in the call */
    ngx_uint_t                 state;
} ngx_pa_batch_item_t;


static ngx_pa_batch_t *ngx_pa_batch_get(ngx_pa_main_conf_t *pmcf,
    ngx_log_t *log);
static ngx_int_t ngx_pa_batch_send(ngx_pa_batch_t *b,
    ngx_http_request_t *current);
static ngx_pa_batch_call_t *ngx_pa_batch_build(ngx_pa_batch_t *b);
static ngx_int_t ngx_pa_batch_args(ngx_pa_batch_call_t *bc,
    ngx_array_t *keys, ngx_array_t *args);
static ngx_int_t ngx_pa_batch_fail_all(ngx_pa_batch_t *b,
    ngx_http_request_t *current);
static void ngx_pa_batch_reply(ngx_pa_call_t *call, redisReply *reply);
static ngx_uint_t ngx_pa_batch_lingers(ngx_pa_batch_t *b);
static void ngx_pa_batch_linger_handler(ngx_event_t *ev);
static void ngx_pa_batch_flush(ngx_pa_batch_t *b);
static void ngx_pa_batch_cleanup(void *data);
static ngx_int_t ngx_pa_batch_param(ngx_conf_t *cf, ngx_str_t *word,
    const char *name, const char *what, ngx_int_t max, ngx_uint_t *out);
static ngx_int_t ngx_pa_batch_linger_param(ngx_conf_t *cf, ngx_str_t *word,
    ngx_msec_t *out);


ngx_int_t
ngx_pa_batch_submit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *shared, ngx_array_t *keys, ngx_array_t *args,
    ngx_pa_batch_place_pt place, void *data, ngx_pa_reply_pt on_reply)
{
    ngx_pa_batch_t       *b;
    ngx_http_cleanup_t   *cln;
    ngx_pa_batch_item_t  *item;

    b = ngx_pa_batch_get(ctx->call->conf, r->connection->log);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /*
     * Redis stalled: the queue grows by every submission, each holding
     * its request and body.  Past queue=, refuse at once (nothing stored)
     * rather than hold clients until their calls time out in turn.
     */

    if (b->inflight >= b->conf->submit_batch_inflight
        && b->queued >= b->conf->submit_batch_queue)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pa batch: %ui submissions wait for Redis already, "
                      "refused", b->queued);
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "storage is not available, try again");
    }

    item = ngx_pcalloc(r->pool, sizeof(ngx_pa_batch_item_t));
    cln = ngx_http_cleanup_add(r, 0);

    if (item == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    item->request = r;
    item->batch = b;
    item->shared = shared;
    item->keys = keys;
    item->args = args;
    item->place = place;
    item->data = data;
    item->state = NGX_PA_BATCH_QUEUED;

    cln->handler = ngx_pa_batch_cleanup;
    cln->data = item;

    ctx->on_reply = on_reply;

    /* a client that closes while it waits is let go (the upstream way) */
    r->read_event_handler = ngx_http_test_reading;

    ngx_queue_insert_tail(&b->queue, &item->queue);
    b->queued++;

    if (b->inflight >= b->conf->submit_batch_inflight) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "pa batch: queued behind %ui calls", b->inflight);
        return NGX_DONE;
    }

    if (ngx_pa_batch_lingers(b)) {
        return NGX_DONE;
    }

    return ngx_pa_batch_send(b, r);
}


/* the worker's batcher, made on its first submission */

static ngx_pa_batch_t *
ngx_pa_batch_get(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pa_batch_t  *b;

    if (pmcf->worker.batch != NULL) {
        return pmcf->worker.batch;
    }

    b = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_pa_batch_t));
    if (b == NULL) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "pa batch: no memory");
        return NULL;
    }

    b->conf = pmcf;
    b->log = ngx_cycle->log;
    ngx_queue_init(&b->queue);

    /*
     * Not cancelable: a worker that exits waits for it, so what waits is
     * sent (at most a linger later), not dropped with the worker.
     */

    b->linger.handler = ngx_pa_batch_linger_handler;
    b->linger.data = b;
    b->linger.log = ngx_cycle->log;

    if (pmcf->submit_batch_max == 0) {
        pmcf->submit_batch_max = NGX_PA_BATCH_MAX;
        pmcf->submit_batch_linger = NGX_PA_BATCH_LINGER;
    }

    if (pmcf->submit_batch_inflight == 0) {
        pmcf->submit_batch_inflight = NGX_PA_BATCH_INFLIGHT;
    }

    if (pmcf->submit_batch_queue == 0) {
        pmcf->submit_batch_queue = NGX_PA_BATCH_QUEUE;
    }

    pmcf->worker.batch = b;

    return b;
}


/*
 * Sends what waits, from the head of the queue, as one call.  A report
 * that cannot be sent (Redis not reachable) is answered 503, nothing was
 * stored; `current`, the request on whose stack we run, is answered by
 * the return code instead.
 */

static ngx_int_t
ngx_pa_batch_send(ngx_pa_batch_t *b, ngx_http_request_t *current)
{
    ngx_int_t             rc;
    ngx_uint_t            i;
    ngx_http_request_t   *r;
    ngx_pa_batch_call_t  *bc;

    bc = ngx_pa_batch_build(b);

    if (bc == NULL) {
        return ngx_pa_batch_fail_all(b, current);
    }

    if (bc->built
        && ngx_pa_call_send(&bc->call, ngx_pa_batch_reply, bc) == NGX_OK)
    {
        b->inflight++;
        b->sent_at = ngx_current_msec;
        b->sent_n = bc->n;
        ngx_pa_metrics_inc(NGX_PA_M_BATCH_CALLS);
        ngx_pa_metrics_add(NGX_PA_M_BATCH_REPORTS, bc->n);
        return NGX_DONE;
    }

    /* nothing stored: each report of it hears 503 */

    rc = NGX_DONE;

    for (i = 0; i < bc->n; i++) {
        r = bc->req[i];

        if (r == NULL) {            /* freed by an earlier one's answer */
            continue;
        }

        bc->items[i]->state = NGX_PA_BATCH_DONE;
        r->read_event_handler = ngx_http_block_reading;

        if (r == current) {
            rc = ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "unavailable", NULL,
                                   "storage is not available, try again");
            continue;
        }

        ngx_pa_request_reply(r, NULL);
    }

    ngx_destroy_pool(bc->pool);

    return rc;
}


/*
 * No memory for a call: nothing can be sent, so nothing may wait; every
 * queued report hears 503 (nothing was stored).
 */

static ngx_int_t
ngx_pa_batch_fail_all(ngx_pa_batch_t *b, ngx_http_request_t *current)
{
    ngx_int_t             rc;
    ngx_queue_t          *q;
    ngx_http_request_t   *r;
    ngx_pa_batch_item_t  *item;

    ngx_log_error(NGX_LOG_ERR, b->log, 0,
                  "pa batch: no memory for a submit call, the queue fails");

    rc = NGX_DONE;

    while (!ngx_queue_empty(&b->queue)) {
        q = ngx_queue_head(&b->queue);
        item = ngx_queue_data(q, ngx_pa_batch_item_t, queue);

        ngx_queue_remove(q);
        b->queued--;
        item->state = NGX_PA_BATCH_DONE;

        r = item->request;
        r->read_event_handler = ngx_http_block_reading;

        if (r == current) {
            rc = ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "unavailable", NULL,
                                   "storage is not available, try again");
            continue;
        }

        ngx_pa_request_reply(r, NULL);
    }

    return rc;
}


/* takes reports from the head of the queue into a call of its own */

static ngx_pa_batch_call_t *
ngx_pa_batch_build(ngx_pa_batch_t *b)
{
    ngx_uint_t            n, argc, size;
    ngx_pool_t           *pool;
    ngx_queue_t          *q;
    ngx_array_t          *keys, *args;
    ngx_pa_batch_call_t  *bc;
    ngx_pa_batch_item_t  *item;

    pool = ngx_create_pool(4096, b->log);
    if (pool == NULL) {
        return NULL;
    }

    bc = ngx_pcalloc(pool, sizeof(ngx_pa_batch_call_t));
    if (bc == NULL) {
        goto failed;
    }

    bc->pool = pool;
    bc->batch = b;
    ngx_pa_call_init(&bc->call, b->conf, pool, b->log);

    n = 0;
    /* EVALSHA, its SHA1, numkeys, N, the deadline and the shared keys */

    argc = 5 + NGX_PA_BATCH_SHARED;

    bc->req = ngx_palloc(pool, b->conf->submit_batch_max * sizeof(void *));
    bc->items = ngx_palloc(pool, b->conf->submit_batch_max * sizeof(void *));

    if (bc->req == NULL || bc->items == NULL) {
        goto failed;
    }

    /* at most max reports, and the arguments bounded (but one always) */

    while (!ngx_queue_empty(&b->queue) && n < b->conf->submit_batch_max) {
        q = ngx_queue_head(&b->queue);
        item = ngx_queue_data(q, ngx_pa_batch_item_t, queue);

        size = 2 + item->keys->nelts + item->args->nelts;

        if (n > 0 && argc + size > NGX_PA_BATCH_ARGS) {
            break;
        }

        argc += size;

        ngx_queue_remove(q);
        b->queued--;
        item->state = NGX_PA_BATCH_SENT;
        item->slot = &bc->req[n];
        bc->req[n] = item->request;
        bc->items[n] = item;
        n++;
    }

    bc->n = n;

    keys = ngx_array_create(pool, argc, sizeof(ngx_str_t));
    args = ngx_array_create(pool, argc, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_batch_args(bc, keys, args) != NGX_OK
        || ngx_pa_call_script(&bc->call, NGX_PA_SCRIPT_SUBMIT, keys, args)
           != NGX_OK)
    {
        /* the reports taken are answered 503 by the caller */
        ngx_log_error(NGX_LOG_ERR, b->log, 0,
                      "pa batch: no memory for a call of %ui reports", n);
        return bc;
    }

    bc->built = 1;

    return bc;

failed:

    ngx_destroy_pool(pool);
    return NULL;
}


/*
 * submit.lua's KEYS and ARGV: the shared keys once, then each report's
 * group (ARGV: N, then per report its number of keys, of arguments, and
 * the arguments, what depends on its place in the call written first).
 * Only the ngx_str_t headers are gathered here: the call copies the
 * bytes, before any of these requests can go away.
 */

static ngx_int_t
ngx_pa_batch_args(ngx_pa_batch_call_t *bc, ngx_array_t *keys,
    ngx_array_t *args)
{
    ngx_str_t            *s;
    ngx_uint_t            i;
    ngx_pa_batch_item_t  *item;

    if (bc->n == 0) {
        return NGX_ERROR;
    }

    item = bc->items[0];

    s = ngx_array_push_n(keys, item->shared->nelts);
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(s, item->shared->elts, item->shared->nelts * sizeof(ngx_str_t));

    if (ngx_pa_arg_int(bc->pool, args, bc->n) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < bc->n; i++) {
        item = bc->items[i];

        if (item->place != NULL
            && item->place(item->data, i, bc->pool) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_pa_arg_int(bc->pool, args, item->keys->nelts) != NGX_OK
            || ngx_pa_arg_int(bc->pool, args, item->args->nelts) != NGX_OK)
        {
            return NGX_ERROR;
        }

        s = ngx_array_push_n(keys, item->keys->nelts);
        if (s == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(s, item->keys->elts, item->keys->nelts * sizeof(ngx_str_t));

        s = ngx_array_push_n(args, item->args->nelts);
        if (s == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(s, item->args->elts, item->args->nelts * sizeof(ngx_str_t));
    }

    return NGX_OK;
}


/*
 * The call's reply: element i to request i, through the call layer's
 * resume (as a call of its own).  A reply that is not the array (no
 * reply: 503; the script's own error: each request logs and answers it)
 * goes to every request.  Then what waited is sent.
 */

static void
ngx_pa_batch_reply(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_uint_t            i, whole;
    redisReply           *mine;
    ngx_pa_batch_t       *b;
    ngx_http_request_t   *r;
    ngx_pa_batch_call_t  *bc;

    bc = call->data;
    b = bc->batch;

    whole = reply == NULL || reply->type != REDIS_REPLY_ARRAY
            || reply->elements < bc->n;

    if (reply != NULL && whole && reply->type != REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, b->log, 0,
                      "pa batch: unexpected reply to %ui reports", bc->n);
        reply = NULL;
    }

    if (!whole && reply->elements > bc->n) {
        mine = reply->element[bc->n];
        ngx_log_error(NGX_LOG_ERR, b->log, 0,
                      "pa batch: an index write of %ui reports failed "
                      "(the reports are stored): %*s", bc->n,
                      (size_t) mine->len, mine->str);
    }

    /*
     * One request at a time is ours again: answering one may free others
     * (HTTP/2 streams of one connection), whose cleanups, still SENT,
     * then clear their slots.
     */

    for (i = 0; i < bc->n; i++) {
        r = bc->req[i];

        if (r == NULL) {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, b->log, 0,
                           "pa batch: report %ui went away, skipped", i);
            continue;
        }

        bc->items[i]->state = NGX_PA_BATCH_DONE;
        r->read_event_handler = ngx_http_block_reading;
        mine = whole ? reply : reply->element[i];

        ngx_pa_request_reply(r, mine);
    }

    /* the call's pool, after the last use of bc */

    b->inflight--;
    ngx_destroy_pool(bc->pool);

    ngx_pa_batch_flush(b);
}


/*
 * linger=: the worker's last call went less than a linger ago, so what
 * waits waits for the linger's end (the timer armed).  A call of
 * NGX_PA_BATCH_ENOUGH reports (or a full one) goes at once: it pays most
 * of Redis's fixed cost already.  After a call of that many (a high load:
 * calls fill while others are in flight) none waits: a reply that finds
 * fewer then would hold the worker's next call while Redis idles.
 */

static ngx_uint_t
ngx_pa_batch_lingers(ngx_pa_batch_t *b)
{
    ngx_msec_t  linger, since;

    linger = b->conf->submit_batch_linger;

    if (linger == 0
        || b->sent_n >= NGX_PA_BATCH_ENOUGH
        || b->queued >= NGX_PA_BATCH_ENOUGH
        || b->queued >= b->conf->submit_batch_max
        || b->queued >= b->conf->submit_batch_queue)
    {
        return 0;
    }

    since = ngx_current_msec - b->sent_at;

    if (since >= linger) {
        return 0;
    }

    if (!b->linger.timer_set) {
        ngx_add_timer(&b->linger, linger - since);
    }

    return 1;
}


static void
ngx_pa_batch_linger_handler(ngx_event_t *ev)
{
    ngx_pa_batch_flush(ev->data);
}


/*
 * sends what waits while calls may go and no linger holds it; each
 * failed send answers 503
 */

static void
ngx_pa_batch_flush(ngx_pa_batch_t *b)
{
    while (!ngx_queue_empty(&b->queue)
           && b->inflight < b->conf->submit_batch_inflight
           && !ngx_pa_batch_lingers(b))
    {
        (void) ngx_pa_batch_send(b, NULL);
    }
}


/* the request went away: out of the queue, or skipped at the reply */

static void
ngx_pa_batch_cleanup(void *data)
{
    ngx_pa_batch_item_t  *item = data;

    switch (item->state) {

    case NGX_PA_BATCH_QUEUED:
        ngx_queue_remove(&item->queue);
        item->batch->queued--;
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, item->batch->log, 0,
                       "pa batch: a queued report went away, not sent");
        break;

    case NGX_PA_BATCH_SENT:
        *item->slot = NULL;
        break;

    default:
        break;
    }

    item->state = NGX_PA_BATCH_DONE;
}


/* pa_submit_batch <max> [inflight=<n>] [queue=<n>] [linger=<time>] */

char *
ngx_pa_batch_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char     *eq;
    ngx_int_t   n, rc;
    ngx_str_t  *value;
    ngx_uint_t  i, j;

    if (pmcf->submit_batch_max != 0) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n < 1 || n > 256) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_submit_batch\": \"%V\" is not a number of "
                           "reports from 1 to 256", &value[1]);
        return NGX_CONF_ERROR;
    }

    pmcf->submit_batch_max = n;
    pmcf->submit_batch_inflight = NGX_PA_BATCH_INFLIGHT;
    pmcf->submit_batch_queue = NGX_PA_BATCH_QUEUE;
    pmcf->submit_batch_linger = NGX_PA_BATCH_LINGER;

    for (i = 2; i < cf->args->nelts; i++) {

        /* a parameter given twice is a mistake, not the last one's win */

        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');

        for (j = 2; eq != NULL && j < i; j++) {
            if (value[j].len > (size_t) (eq - value[i].data)
                && ngx_strncmp(value[j].data, value[i].data,
                               eq - value[i].data + 1) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"pa_submit_batch\": \"%*s\" is given "
                                   "twice", eq - value[i].data, value[i].data);
                return NGX_CONF_ERROR;
            }
        }

        rc = ngx_pa_batch_linger_param(cf, &value[i],
                                       &pmcf->submit_batch_linger);

        if (rc == NGX_DECLINED) {
            rc = ngx_pa_batch_param(cf, &value[i], "inflight=", "calls", 16,
                                    &pmcf->submit_batch_inflight);
        }

        if (rc == NGX_DECLINED) {
            rc = ngx_pa_batch_param(cf, &value[i], "queue=", "submissions",
                                    65536, &pmcf->submit_batch_queue);
        }

        if (rc == NGX_DECLINED) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"pa_submit_batch\": unknown parameter "
                               "\"%V\"", &value[i]);
        }

        if (rc != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* "<name>=<1..max>": NGX_DECLINED when the word is not this parameter */

static ngx_int_t
ngx_pa_batch_param(ngx_conf_t *cf, ngx_str_t *word, const char *name,
    const char *what, ngx_int_t max, ngx_uint_t *out)
{
    size_t     len;
    ngx_int_t  n;

    len = ngx_strlen(name);

    if (word->len <= len || ngx_strncmp(word->data, name, len) != 0) {
        return NGX_DECLINED;
    }

    n = ngx_atoi(word->data + len, word->len - len);

    if (n < 1 || n > max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_submit_batch\": \"%V\": %*s is a number "
                           "of %s from 1 to %i", word, len - 1, name, what,
                           max);
        return NGX_ERROR;
    }

    *out = n;

    return NGX_OK;
}


/*
 * "linger=<time>" (0 to 100 ms, nginx's units): NGX_DECLINED when the word
 * is not this parameter.  Past 100 ms a report would wait longer than a
 * client notices.
 */

static ngx_int_t
ngx_pa_batch_linger_param(ngx_conf_t *cf, ngx_str_t *word, ngx_msec_t *out)
{
    ngx_str_t   t;
    ngx_msec_t  ms;

    if (word->len <= 7 || ngx_strncmp(word->data, "linger=", 7) != 0) {
        return NGX_DECLINED;
    }

    t.data = word->data + 7;
    t.len = word->len - 7;

    ms = ngx_parse_time(&t, 0);

    if (ms == (ngx_msec_t) NGX_ERROR || ms > 100) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_submit_batch\": \"%V\": linger is a time "
                           "from 0 to 100ms", word);
        return NGX_ERROR;
    }

    *out = ms;

    return NGX_OK;
}
