/*
 * The webhook deliverer: worker 0 of every node delivers the tenant's
 * events stream to each pa_notify target.
 *
 * Why worker 0 of each node, not every worker: one reader per node keeps
 * one kept-alive connection per target and one delivery in flight per
 * target (the receiver sees a node's events in order); nodes share the
 * work through Redis, so adding nodes adds deliverers.  Webhook traffic
 * is a few events per report, far below what one worker sends.
 *
 * Per target, one consumer group "notify:<target>" on pa:{t}:events:
 *   - XREADGROUP ">" takes a new event under this node's consumer name
 *     (host:pid:random: a restarted worker is a new consumer);
 *   - 2xx: XACK.  Anything else: notify_fail.lua acknowledges the entry
 *     and keeps the delivery in a retry set (score = next attempt, ms)
 *     with exponential backoff and jitter, until retry_for, then in the
 *     tenant's dead letters;
 *   - notify_take.lua hands out due retries with a lease (a node that
 *     dies mid-attempt leaves the retry due again after the lease);
 *   - XAUTOCLAIM takes entries a dead consumer left pending for longer
 *     than pa_notify_claim_idle (a node killed after XREADGROUP), up to
 *     NGX_PA_NOTIFY_CLAIM_BATCH at once; they are then read back from
 *     this consumer's own pending list (XREADGROUP from an id, not ">")
 *     and delivered one by one;
 *   - notify_read.lua is the XREADGROUP ">": it also counts the entries
 *     the stream's MAXLEN trimmed before the group read them (lost:
 *     logged at warn, pa_webhook_events_lost_total);
 *   - notify_prune.lua removes, each claim_idle, the consumers that have
 *     nothing pending and read nothing for that long (each start of a
 *     worker 0 adds a name).
 * Every event goes to every target once in the normal case, at least once
 * across crashes; X-PA-Delivery ("<target>:<entry id>") lets the
 * receiver drop a repeat.
 *
 * Redis is polled (NGX_PA_NOTIFY_POLL) on the worker's shared connection,
 * never with BLOCK: a blocking read would hold every request's command
 * behind it on the pipelined connection.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_json.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_notify.h"
#include "ngx_pa_notify_conf.h"
#include "ngx_pa_notify_http.h"
#include "ngx_pa_notify_pii.h"
#include "ngx_pa_redis.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>


#define NGX_PA_NOTIFY_POLL       25      /* ms between empty reads */
#define NGX_PA_NOTIFY_SLOW       20      /* polls between retry checks */
#define NGX_PA_NOTIFY_DOWN       1000    /* ms: Redis unreachable */
#define NGX_PA_NOTIFY_BACKOFF    1000    /* ms: the first retry's delay */
#define NGX_PA_NOTIFY_BACKOFF_MAX  (3600 * 1000)
#define NGX_PA_NOTIFY_NODE_LEN   96
#define NGX_PA_NOTIFY_CLAIM_BATCH  "100"   /* entries one XAUTOCLAIM takes */
#define NGX_PA_NOTIFY_ID_LEN     48      /* "<ms>-<seq>" */


typedef enum {
    NGX_PA_NOTIFY_GROUP = 0,     /* XGROUP CREATE */
    NGX_PA_NOTIFY_TAKE,          /* notify_take.lua */
    NGX_PA_NOTIFY_PRUNE,         /* notify_prune.lua */
    NGX_PA_NOTIFY_CLAIM,         /* XAUTOCLAIM */
    NGX_PA_NOTIFY_OWN,           /* XREADGROUP of what was claimed */
    NGX_PA_NOTIFY_READ,          /* notify_read.lua: XREADGROUP ">" */
    NGX_PA_NOTIFY_PII,           /* HMGET of the sealed contact */
    NGX_PA_NOTIFY_SEND,          /* the HTTP request */
    NGX_PA_NOTIFY_RECORD         /* XACK or a script after it */
} ngx_pa_notify_phase_e;


/* one target's loop in this worker */
typedef struct {
    ngx_pa_notifier_t         *nf;
    ngx_pa_notify_target_t    *target;
    ngx_event_t                timer;
    ngx_pa_notify_phase_e      phase;
    ngx_uint_t                 polls;
    ngx_pa_call_t              call;
    ngx_pool_t                *call_pool;  /* the call's, in flight */
    ngx_pa_notify_http_t       http;

    /* the delivery in flight */
    ngx_pool_t                *pool;
    ngx_str_t                  entry;      /* stream entry id */
    ngx_str_t                  id;         /* "<target>:<entry>" */
    ngx_str_t                  type;
    ngx_str_t                  body;       /* the event, as stored */
    ngx_str_t                  sent;       /* this attempt's body */
    ngx_buf_t                 *req;        /* this attempt's request */
    ngx_uint_t                 attempts;   /* made before this one */
    ngx_msec_t                 started;
    unsigned                   retry:1;    /* from the retry set */
    unsigned                   group_ready:1;
    unsigned                   own:1;      /* claimed entries to deliver */

    ngx_msec_t                 pruned;     /* when consumers were pruned */
    u_char                     own_from[NGX_PA_NOTIFY_ID_LEN];
    size_t                     own_from_len;

    ngx_str_t                  keys[4];    /* events, retry, dead, d: */
} ngx_pa_notify_loop_t;


struct ngx_pa_notifier_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_str_t                  node;       /* the consumer name */
    ngx_msec_t                 started;    /* epoch ms of the start */
    ngx_pa_notify_loop_t      *loops;
    ngx_uint_t                 nloops;
};


static void ngx_pa_notify_tick(ngx_event_t *ev);
static void ngx_pa_notify_next(ngx_pa_notify_loop_t *lp,
    ngx_pa_notify_phase_e phase);
static void ngx_pa_notify_later(ngx_pa_notify_loop_t *lp, ngx_msec_t ms);
static ngx_pool_t *ngx_pa_notify_call_open(ngx_pa_notify_loop_t *lp,
    size_t size);
static ngx_int_t ngx_pa_notify_call_send(ngx_pa_notify_loop_t *lp,
    ngx_pool_t *pool, ngx_int_t built);
static ngx_int_t ngx_pa_notify_send_cmd(ngx_pa_notify_loop_t *lp, int argc,
    const char **argv, const size_t *argvlen);
static ngx_int_t ngx_pa_notify_send_script(ngx_pa_notify_loop_t *lp,
    ngx_pa_script_e script, ngx_str_t *keys, ngx_uint_t nkeys,
    ngx_str_t *args, ngx_uint_t nargs);
static void ngx_pa_notify_on_reply(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_notify_on_read(ngx_pa_notify_loop_t *lp,
    redisReply *reply);
static void ngx_pa_notify_claimed(ngx_pa_notify_loop_t *lp,
    redisReply *reply);
static void ngx_pa_notify_on_own(ngx_pa_notify_loop_t *lp,
    redisReply *reply);
static void ngx_pa_notify_recorded(redisReply *reply);
static void ngx_pa_notify_lost(ngx_pa_notify_loop_t *lp, ngx_uint_t n,
    const char *how);
static ngx_int_t ngx_pa_notify_gone(ngx_pa_notify_loop_t *lp,
    redisReply *id);
static ngx_int_t ngx_pa_notify_next_script(ngx_pa_notify_loop_t *lp,
    ngx_pa_notify_phase_e phase);
static ngx_uint_t ngx_pa_notify_failed(ngx_pa_notify_loop_t *lp,
    redisReply *reply);
static redisReply *ngx_pa_notify_first(redisReply *reply);
static ngx_int_t ngx_pa_notify_entry(ngx_pa_notify_loop_t *lp,
    redisReply *entry);
static json_t *ngx_pa_notify_fields(ngx_pa_notify_loop_t *lp,
    redisReply *f);
static void ngx_pa_notify_skip(ngx_pa_notify_loop_t *lp);
static ngx_int_t ngx_pa_notify_body(ngx_pa_notify_loop_t *lp, json_t *o);
static ngx_int_t ngx_pa_notify_wanted(ngx_pa_notify_target_t *t,
    ngx_str_t *type);
static ngx_int_t ngx_pa_notify_taken(ngx_pa_notify_loop_t *lp,
    redisReply *reply);
static void ngx_pa_notify_deliver(ngx_pa_notify_loop_t *lp);
static void ngx_pa_notify_send(ngx_pa_notify_loop_t *lp);
static void ngx_pa_notify_answered(void *data, ngx_uint_t status,
    const char *error);
static void ngx_pa_notify_ack(ngx_pa_notify_loop_t *lp);
static void ngx_pa_notify_end(ngx_pa_notify_loop_t *lp);
static ngx_str_t *ngx_pa_notify_key(ngx_pool_t *pool,
    ngx_pa_main_conf_t *pmcf, ngx_str_t *key, const char *fmt,
    ngx_str_t *arg);


ngx_int_t
ngx_pa_notify_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    u_char                  *p, rnd[8];
    ngx_uint_t               i;
    ngx_pa_notifier_t       *nf;
    ngx_pa_notify_conf_t    *nc;
    ngx_pa_notify_loop_t    *lp;
    ngx_pa_notify_target_t  *t;

    nc = pmcf->notify;

    if (ngx_worker != 0 || nc == NULL || nc->targets.nelts == 0) {
        return NGX_OK;
    }

    nf = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_notifier_t));
    if (nf == NULL) {
        return NGX_ERROR;
    }

    nf->conf = pmcf;
    nf->log = cycle->log;
    nf->started = (ngx_msec_t) ngx_time() * 1000 + (ngx_timeofday())->msec;

    nf->node.data = ngx_pnalloc(cycle->pool, NGX_PA_NOTIFY_NODE_LEN);
    if (nf->node.data == NULL) {
        return NGX_ERROR;
    }

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "pa notify: RAND_bytes() failed");
        return NGX_ERROR;
    }

    p = ngx_slprintf(nf->node.data, nf->node.data + NGX_PA_NOTIFY_NODE_LEN
                                    - 2 * sizeof(rnd) - 1,
                     "%V:%P:", &cycle->hostname, ngx_pid);
    p = ngx_hex_dump(p, rnd, sizeof(rnd));
    nf->node.len = p - nf->node.data;

    nf->nloops = nc->targets.nelts;
    nf->loops = ngx_pcalloc(cycle->pool,
                            nf->nloops * sizeof(ngx_pa_notify_loop_t));
    if (nf->loops == NULL) {
        return NGX_ERROR;
    }

    t = nc->targets.elts;

    for (i = 0; i < nf->nloops; i++) {
        lp = &nf->loops[i];

        lp->nf = nf;
        lp->target = &t[i];

        if (ngx_pa_notify_key(cycle->pool, pmcf, &lp->keys[0], "events",
                              NULL) == NULL
            || ngx_pa_notify_key(cycle->pool, pmcf, &lp->keys[1],
                                 "notify:%V:retry", &t[i].name) == NULL
            || ngx_pa_notify_key(cycle->pool, pmcf, &lp->keys[2],
                                 "notify:dead", NULL) == NULL)
        {
            return NGX_ERROR;
        }

        lp->http.target = &t[i];
        lp->http.log = cycle->log;
        lp->http.handler = ngx_pa_notify_answered;
        lp->http.data = lp;

        lp->timer.handler = ngx_pa_notify_tick;
        lp->timer.data = lp;
        lp->timer.log = cycle->log;
        lp->timer.cancelable = 1;

        lp->phase = NGX_PA_NOTIFY_GROUP;

        /* after the Redis connection had its moment to come up */
        ngx_add_timer(&lp->timer, 100);
    }

    pmcf->worker.notifier = nf;

    ngx_log_error(NGX_LOG_INFO, cycle->log, 0,
                  "pa notify: %ui target(s), consumer \"%V\"",
                  nf->nloops, &nf->node);

    return NGX_OK;
}


void
ngx_pa_notify_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_uint_t              i;
    ngx_pa_notifier_t      *nf;
    ngx_pa_notify_loop_t   *lp;

    nf = pmcf->worker.notifier;
    if (nf == NULL) {
        return;
    }

    for (i = 0; i < nf->nloops; i++) {
        lp = &nf->loops[i];

        if (lp->timer.timer_set) {
            ngx_del_timer(&lp->timer);
        }

        /* an entry read and not acknowledged stays pending: claimed later */

        if (lp->call_pool != NULL) {
            ngx_pa_call_cancel(&lp->call);
            ngx_destroy_pool(lp->call_pool);
            lp->call_pool = NULL;
        }

        ngx_pa_notify_http_close(&lp->http);

        if (lp->pool != NULL) {
            ngx_destroy_pool(lp->pool);
            lp->pool = NULL;
        }
    }

    pmcf->worker.notifier = NULL;
}


static void
ngx_pa_notify_tick(ngx_event_t *ev)
{
    ngx_pa_notify_loop_t  *lp = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (!lp->group_ready) {
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_GROUP);
        return;
    }

    /* new events at every poll, retries and dead consumers' less often */

    if (ngx_current_msec - lp->pruned >= lp->nf->conf->notify->claim_idle) {
        lp->pruned = ngx_current_msec;
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_PRUNE);

    } else if (lp->polls++ % NGX_PA_NOTIFY_SLOW == 0) {
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_TAKE);

    } else {
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_READ);
    }
}


static void
ngx_pa_notify_later(ngx_pa_notify_loop_t *lp, ngx_msec_t ms)
{
    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (lp->timer.timer_set) {
        ngx_del_timer(&lp->timer);
    }

    ngx_add_timer(&lp->timer, ms);
}


/* the loop's next Redis command */

static void
ngx_pa_notify_next(ngx_pa_notify_loop_t *lp, ngx_pa_notify_phase_e phase)
{
    u_char                  ms[NGX_TIME_T_LEN + NGX_INT_T_LEN * 2], *p;
    ngx_int_t               rc;
    ngx_pa_notifier_t      *nf;
    ngx_pa_notify_target_t *t;
    const char             *argv[11];
    size_t                  argvlen[11];

    nf = lp->nf;
    t = lp->target;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    lp->phase = phase;

#define arg(i, s, l)  (argv[i] = (const char *) (s), argvlen[i] = (l))

    switch (phase) {

    case NGX_PA_NOTIFY_GROUP:
        /*
         * A new target gets the events from the moment this worker
         * started (not the stream's history, not "$": what came between
         * the start and this command would be lost); an existing group
         * keeps its place (BUSYGROUP).  Entry ids are Redis' clock in
         * ms: a node's clock far off Redis' shifts that moment.
         */
        p = ngx_sprintf(ms, "%M-0", nf->started);
        arg(0, "XGROUP", 6);
        arg(1, "CREATE", 6);
        arg(2, lp->keys[0].data, lp->keys[0].len);
        arg(3, t->group.data, t->group.len);
        arg(4, ms, p - ms);
        arg(5, "MKSTREAM", 8);
        rc = ngx_pa_notify_send_cmd(lp, 6, argv, argvlen);
        break;

    case NGX_PA_NOTIFY_TAKE:
    case NGX_PA_NOTIFY_PRUNE:
    case NGX_PA_NOTIFY_READ:
        rc = ngx_pa_notify_next_script(lp, phase);
        break;

    case NGX_PA_NOTIFY_CLAIM:
        p = ngx_sprintf(ms, "%M", nf->conf->notify->claim_idle);
        arg(0, "XAUTOCLAIM", 10);
        arg(1, lp->keys[0].data, lp->keys[0].len);
        arg(2, t->group.data, t->group.len);
        arg(3, nf->node.data, nf->node.len);
        arg(4, ms, p - ms);
        arg(5, "0-0", 3);
        arg(6, "COUNT", 5);
        arg(7, NGX_PA_NOTIFY_CLAIM_BATCH,
            sizeof(NGX_PA_NOTIFY_CLAIM_BATCH) - 1);
        arg(8, "JUSTID", 6);
        rc = ngx_pa_notify_send_cmd(lp, 9, argv, argvlen);
        break;

    default: /* NGX_PA_NOTIFY_OWN: this consumer's pending, after own_from */
        arg(0, "XREADGROUP", 10);
        arg(1, "GROUP", 5);
        arg(2, t->group.data, t->group.len);
        arg(3, nf->node.data, nf->node.len);
        arg(4, "COUNT", 5);
        arg(5, "1", 1);
        arg(6, "STREAMS", 7);
        arg(7, lp->keys[0].data, lp->keys[0].len);
        arg(8, lp->own_from, lp->own_from_len);
        rc = ngx_pa_notify_send_cmd(lp, 9, argv, argvlen);
        break;
    }

#undef arg

    if (rc != NGX_OK) {
        /* Redis is not reachable now: the loop waits and tries again */
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
    }
}


/* the loop's scripts: due retries, the consumers' pruning, new entries */

static ngx_int_t
ngx_pa_notify_next_script(ngx_pa_notify_loop_t *lp,
    ngx_pa_notify_phase_e phase)
{
    u_char                  *p, buf[NGX_TIME_T_LEN + NGX_INT_T_LEN * 2];
    ngx_str_t                args[3];
    ngx_pa_notify_target_t  *t;

    t = lp->target;

    switch (phase) {

    case NGX_PA_NOTIFY_TAKE:
        p = buf;
        args[0].data = p;
        p = ngx_sprintf(p, "%T%03M", ngx_time(), (ngx_timeofday())->msec);
        args[0].len = p - args[0].data;
        args[1].data = p;
        p = ngx_sprintf(p, "%M", t->attempt_max + 5000);
        args[1].len = p - args[1].data;
        return ngx_pa_notify_send_script(lp, NGX_PA_SCRIPT_NOTIFY_TAKE,
                                         &lp->keys[1], 1, args, 2);

    case NGX_PA_NOTIFY_PRUNE:
        args[0] = t->group;
        args[1] = lp->nf->node;
        args[2].data = buf;
        args[2].len = ngx_sprintf(buf, "%M",
                                  lp->nf->conf->notify->claim_idle) - buf;
        return ngx_pa_notify_send_script(lp, NGX_PA_SCRIPT_NOTIFY_PRUNE,
                                         &lp->keys[0], 1, args, 3);

    default: /* NGX_PA_NOTIFY_READ */
        args[0] = t->group;
        args[1] = lp->nf->node;
        return ngx_pa_notify_send_script(lp, NGX_PA_SCRIPT_NOTIFY_READ,
                                         &lp->keys[0], 1, args, 2);
    }
}


/* the loop's one call, in a pool of its own that its reply destroys */

static ngx_pool_t *
ngx_pa_notify_call_open(ngx_pa_notify_loop_t *lp, size_t size)
{
    ngx_pool_t  *pool;

    pool = ngx_create_pool(size, lp->nf->log);
    if (pool == NULL) {
        return NULL;
    }

    ngx_pa_call_init(&lp->call, lp->nf->conf, pool, lp->nf->log);
    lp->call.background = 1;

    return pool;
}


/* built: what putting the command together returned */

static ngx_int_t
ngx_pa_notify_call_send(ngx_pa_notify_loop_t *lp, ngx_pool_t *pool,
    ngx_int_t built)
{
    if (built != NGX_OK
        || ngx_pa_call_send(&lp->call, ngx_pa_notify_on_reply, lp) != NGX_OK)
    {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    lp->call_pool = pool;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_notify_send_cmd(ngx_pa_notify_loop_t *lp, int argc, const char **argv,
    const size_t *argvlen)
{
    ngx_pool_t  *pool;

    pool = ngx_pa_notify_call_open(lp, 1024);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    return ngx_pa_notify_call_send(lp, pool,
               ngx_pa_call_command(&lp->call, argc, argv, argvlen));
}


static ngx_int_t
ngx_pa_notify_send_script(ngx_pa_notify_loop_t *lp, ngx_pa_script_e script,
    ngx_str_t *keys, ngx_uint_t nkeys, ngx_str_t *args, ngx_uint_t nargs)
{
    ngx_pool_t   *pool;
    ngx_array_t   k, a;

    pool = ngx_pa_notify_call_open(lp, 2048);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    k.elts = keys;
    k.nelts = nkeys;
    k.size = sizeof(ngx_str_t);
    k.nalloc = nkeys;
    k.pool = pool;

    a.elts = args;
    a.nelts = nargs;
    a.size = sizeof(ngx_str_t);
    a.nalloc = nargs;
    a.pool = pool;

    return ngx_pa_notify_call_send(lp, pool,
               ngx_pa_call_script(&lp->call, script, &k, &a));
}


static void
ngx_pa_notify_on_reply(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_notify_loop_t  *lp = call->data;

    ngx_pool_t  *pool;

    pool = lp->call_pool;
    lp->call_pool = NULL;

    if (ngx_pa_notify_failed(lp, reply)) {
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
        goto done;
    }

    switch (lp->phase) {

    case NGX_PA_NOTIFY_GROUP:
        lp->group_ready = 1;
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_TAKE);
        break;

    case NGX_PA_NOTIFY_TAKE:
        if (ngx_pa_notify_taken(lp, reply) == NGX_OK) {
            ngx_pa_notify_deliver(lp);

        } else {
            ngx_pa_notify_next(lp, NGX_PA_NOTIFY_CLAIM);
        }

        break;

    case NGX_PA_NOTIFY_PRUNE:
        if (reply->type == REDIS_REPLY_INTEGER && reply->integer > 0) {
            ngx_log_error(NGX_LOG_INFO, lp->nf->log, 0,
                          "pa notify \"%V\": %L idle consumer(s) with "
                          "nothing pending removed", &lp->target->name,
                          (int64_t) reply->integer);
        }

        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_TAKE);
        break;

    case NGX_PA_NOTIFY_CLAIM:
        ngx_pa_notify_claimed(lp, reply);
        break;

    case NGX_PA_NOTIFY_OWN:
        ngx_pa_notify_on_own(lp, reply);
        break;

    case NGX_PA_NOTIFY_READ:
        ngx_pa_notify_on_read(lp, reply);
        break;

    case NGX_PA_NOTIFY_PII:
        if (ngx_pa_notify_pii_body(lp->pool, lp->nf->conf->pii, &lp->body,
                                   reply, &lp->sent, lp->nf->log)
            != NGX_OK)
        {
            /* an attempt that failed: retried, never sent without it */
            ngx_pa_notify_answered(lp, 0, "the reporter's contact could "
                                          "not be read");
            break;
        }

        ngx_pa_notify_send(lp);
        break;

    default: /* NGX_PA_NOTIFY_RECORD */
        ngx_pa_notify_recorded(reply);
        ngx_pa_notify_end(lp);

        /* a backlog, claimed entries first, drains at once */
        ngx_pa_notify_next(lp, lp->own ? NGX_PA_NOTIFY_OWN
                                       : NGX_PA_NOTIFY_READ);
        break;
    }

done:

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }
}


/*
 * No answer, or an error (but BUSYGROUP: the group exists): logged, the
 * delivery in flight, if any, ends unrecorded (its pending entry or its
 * lease brings it back).  Returns 1 then.
 */

static ngx_uint_t
ngx_pa_notify_failed(ngx_pa_notify_loop_t *lp, redisReply *reply)
{
    if (reply != NULL && reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }

    if (reply == NULL) {
        ngx_log_error(NGX_LOG_WARN, lp->nf->log, 0,
                      "pa notify \"%V\": no answer from Redis",
                      &lp->target->name);

    } else if (lp->phase == NGX_PA_NOTIFY_GROUP && reply->len >= 9
               && ngx_strncmp(reply->str, "BUSYGROUP", 9) == 0)
    {
        return 0;

    } else {
        ngx_log_error(NGX_LOG_ERR, lp->nf->log, 0,
                      "pa notify \"%V\": Redis: %*s", &lp->target->name,
                      (size_t) reply->len, reply->str);

        if (reply->len >= 7 && ngx_strncmp(reply->str, "NOGROUP", 7) == 0) {
            /* the stream was deleted by hand: the group is made again */
            lp->group_ready = 0;
        }
    }

    if (lp->phase == NGX_PA_NOTIFY_RECORD || lp->phase == NGX_PA_NOTIFY_PII)
    {
        ngx_pa_notify_end(lp);
    }

    return 1;
}


/* notify_read.lua's {lost, XREADGROUP's answer} */

static void
ngx_pa_notify_on_read(ngx_pa_notify_loop_t *lp, redisReply *reply)
{
    redisReply  *r;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_POLL);
        return;
    }

    if (reply->element[0]->type == REDIS_REPLY_INTEGER
        && reply->element[0]->integer > 0)
    {
        ngx_pa_notify_lost(lp, (ngx_uint_t) reply->element[0]->integer,
                           "trimmed from the stream before the target's "
                           "group read them");
    }

    r = ngx_pa_notify_first(reply->element[1]);

    if (r == NULL || ngx_pa_notify_entry(lp, r) != NGX_OK) {
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_POLL);
    }
}


/*
 * XAUTOCLAIM ... JUSTID: [cursor, [ids now this consumer's], [ids gone]].
 * The ids taken are read back from this consumer's pending list (OWN);
 * those gone were trimmed while a stopped node held them.
 */

static void
ngx_pa_notify_claimed(ngx_pa_notify_loop_t *lp, redisReply *reply)
{
    redisReply  *ids;

    if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 3
        && reply->element[2]->type == REDIS_REPLY_ARRAY
        && reply->element[2]->elements > 0)
    {
        ngx_pa_notify_lost(lp, reply->element[2]->elements,
                           "trimmed from the stream while a stopped node "
                           "held them");
    }

    ids = (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2)
          ? reply->element[1] : NULL;

    if (ids == NULL || ids->type != REDIS_REPLY_ARRAY || ids->elements == 0)
    {
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_READ);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, lp->nf->log, 0,
                  "pa notify \"%V\": claimed %uz entries stopped nodes left "
                  "pending", &lp->target->name, ids->elements);

    lp->own = 1;
    lp->own_from_len = ngx_cpymem(lp->own_from, "0-0", 3) - lp->own_from;

    ngx_pa_notify_next(lp, NGX_PA_NOTIFY_OWN);
}


/* the next claimed entry: delivered, or acknowledged when it is gone */

static void
ngx_pa_notify_on_own(ngx_pa_notify_loop_t *lp, redisReply *reply)
{
    redisReply  *r;

    r = ngx_pa_notify_first(reply);

    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2
        || r->element[0]->type != REDIS_REPLY_STRING
        || r->element[0]->len >= NGX_PA_NOTIFY_ID_LEN)
    {
        /* all of them done */
        lp->own = 0;
        ngx_pa_notify_next(lp, NGX_PA_NOTIFY_READ);
        return;
    }

    lp->own_from_len = ngx_cpymem(lp->own_from, r->element[0]->str,
                                  r->element[0]->len) - lp->own_from;

    if (r->element[1]->type != REDIS_REPLY_ARRAY) {
        /* trimmed since it was claimed: nothing to send */
        ngx_pa_notify_lost(lp, 1, "trimmed from the stream before a "
                                  "claimed delivery");

        if (ngx_pa_notify_gone(lp, r->element[0]) == NGX_OK) {
            return;
        }

    } else if (ngx_pa_notify_entry(lp, r) == NGX_OK) {
        return;
    }

    lp->own = 0;
    ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
}


/* an entry id with nothing left to send: acknowledged */

static ngx_int_t
ngx_pa_notify_gone(ngx_pa_notify_loop_t *lp, redisReply *id)
{
    lp->pool = ngx_create_pool(1024, lp->nf->log);
    if (lp->pool == NULL) {
        return NGX_ERROR;
    }

    lp->entry.data = ngx_pnalloc(lp->pool, id->len);
    if (lp->entry.data == NULL) {
        ngx_destroy_pool(lp->pool);
        lp->pool = NULL;
        return NGX_ERROR;
    }

    lp->entry.len = id->len;
    ngx_memcpy(lp->entry.data, id->str, id->len);

    ngx_pa_notify_skip(lp);

    return NGX_OK;
}


/*
 * Events no delivery will ever carry: said at warn (an operator replays
 * them by hand from the reports' history) and counted.
 */

static void
ngx_pa_notify_lost(ngx_pa_notify_loop_t *lp, ngx_uint_t n, const char *how)
{
    ngx_log_error(NGX_LOG_WARN, lp->nf->log, 0,
                  "pa notify \"%V\": %ui event(s) lost, %s (the stream "
                  "keeps about 100000 entries)", &lp->target->name, n, how);

    ngx_pa_metrics_add(NGX_PA_M_EVENTS_LOST, n);
}


/* notify_fail.lua's {attempts, "retry" | "dead"}, XACK's or done's count */

static void
ngx_pa_notify_recorded(redisReply *reply)
{
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
        && reply->element[1]->type == REDIS_REPLY_STRING
        && reply->element[1]->len == 4
        && ngx_strncmp(reply->element[1]->str, "dead", 4) == 0)
    {
        ngx_pa_metrics_inc(NGX_PA_M_DEAD_LETTER);
    }
}


/* the first entry of XREADGROUP's [[stream, [[id, fields]]]] (nil: none) */

static redisReply *
ngx_pa_notify_first(redisReply *reply)
{
    redisReply  *list;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1
        || reply->element[0]->type != REDIS_REPLY_ARRAY
        || reply->element[0]->elements != 2)
    {
        return NULL;
    }

    list = reply->element[0]->element[1];

    if (list->type != REDIS_REPLY_ARRAY || list->elements == 0) {
        return NULL;
    }

    return list->element[0];
}


/*
 * An entry [id, [field, value, ...]]: for this target, its body is made
 * and the delivery starts; not for it (events=), acknowledged at once.
 * NGX_DECLINED: nothing was started.
 */

static ngx_int_t
ngx_pa_notify_entry(ngx_pa_notify_loop_t *lp, redisReply *entry)
{
    json_t      *o;
    ngx_pool_t  *pool;
    redisReply  *id;

    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING
        || entry->element[1]->type != REDIS_REPLY_ARRAY)
    {
        /* a pending entry trimmed from the stream (nil fields) */
        return NGX_DECLINED;
    }

    id = entry->element[0];

    pool = ngx_create_pool(4096, lp->nf->log);
    if (pool == NULL) {
        return NGX_DECLINED;
    }

    lp->pool = pool;
    lp->retry = 0;
    lp->attempts = 0;

    lp->entry.len = id->len;
    lp->entry.data = ngx_pnalloc(pool, id->len);
    if (lp->entry.data == NULL) {
        goto failed;
    }

    ngx_memcpy(lp->entry.data, id->str, id->len);

    /* the delivery's id: stable for this event and this target */

    lp->id.len = lp->target->name.len + 1 + lp->entry.len;
    lp->id.data = ngx_pnalloc(pool, lp->id.len);
    if (lp->id.data == NULL) {
        goto failed;
    }

    ngx_sprintf(lp->id.data, "%V:%V", &lp->target->name, &lp->entry);

    o = ngx_pa_notify_fields(lp, entry->element[1]);
    if (o == NULL) {
        goto failed;
    }

    if (!ngx_pa_notify_wanted(lp->target, &lp->type)) {
        json_decref(o);
        ngx_pa_notify_skip(lp);
        return NGX_OK;
    }

    if (ngx_pa_notify_body(lp, o) != NGX_OK) {
        goto failed;
    }

    ngx_pa_notify_deliver(lp);

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_ALERT, lp->nf->log, 0,
                  "pa notify: out of memory");
    ngx_destroy_pool(pool);
    lp->pool = NULL;

    return NGX_DECLINED;
}


/*
 * the entry's fields as a JSON object, each as the live streams show it
 * (times in RFC 3339: ngx_pa_json_event_value); lp->type its type
 */

static json_t *
ngx_pa_notify_fields(ngx_pa_notify_loop_t *lp, redisReply *f)
{
    json_t      *o, *v;
    ngx_uint_t   i;
    redisReply  *name, *value;

    ngx_str_null(&lp->type);

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    for (i = 0; i + 1 < f->elements; i += 2) {
        name = f->element[i];
        value = f->element[i + 1];

        if (name->type != REDIS_REPLY_STRING
            || value->type != REDIS_REPLY_STRING)
        {
            continue;
        }

        v = ngx_pa_json_event_value(lp->nf->conf, (u_char *) name->str,
                                    name->len, (u_char *) value->str,
                                    value->len);
        if (v == NULL
            || json_object_setn_new(o, name->str, name->len, v) != 0)
        {
            json_decref(o);
            return NULL;
        }

        if (name->len == 4 && ngx_strncmp(name->str, "type", 4) == 0) {
            lp->type.len = value->len;
            lp->type.data = ngx_pnalloc(lp->pool, value->len);
            if (lp->type.data == NULL) {
                json_decref(o);
                return NULL;
            }

            ngx_memcpy(lp->type.data, value->str, value->len);
        }
    }

    return o;
}


/* an event of a type the target did not ask for: acknowledged, not sent */

static void
ngx_pa_notify_skip(ngx_pa_notify_loop_t *lp)
{
    const char  *argv[4];
    size_t       argvlen[4];

    lp->phase = NGX_PA_NOTIFY_RECORD;

    argv[0] = "XACK";
    argvlen[0] = 4;
    argv[1] = (const char *) lp->keys[0].data;
    argvlen[1] = lp->keys[0].len;
    argv[2] = (const char *) lp->target->group.data;
    argvlen[2] = lp->target->group.len;
    argv[3] = (const char *) lp->entry.data;
    argvlen[3] = lp->entry.len;

    if (ngx_pa_notify_send_cmd(lp, 4, argv, argvlen) != NGX_OK) {
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
    }
}


/* the body: the event's fields, its ids and the tenant (o is consumed) */

static ngx_int_t
ngx_pa_notify_body(ngx_pa_notify_loop_t *lp, json_t *o)
{
    char  *dump;

    if (json_object_set_new(o, "event_id",
                            json_stringn((char *) lp->entry.data,
                                         lp->entry.len)) != 0
        || json_object_set_new(o, "delivery",
                               json_stringn((char *) lp->id.data,
                                            lp->id.len)) != 0
        || json_object_set_new(o, "tenant",
                               json_stringn((char *)
                                            lp->nf->conf->tenant.data,
                                            lp->nf->conf->tenant.len)) != 0)
    {
        json_decref(o);
        return NGX_ERROR;
    }

    dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    lp->body.len = ngx_strlen(dump);
    lp->body.data = ngx_pnalloc(lp->pool, lp->body.len);
    if (lp->body.data == NULL) {
        free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(lp->body.data, dump, lp->body.len);
    free(dump);

    return NGX_OK;
}


static ngx_int_t
ngx_pa_notify_wanted(ngx_pa_notify_target_t *t, ngx_str_t *type)
{
    ngx_str_t   *e;
    ngx_uint_t   i;

    if (t->events == NULL) {
        return 1;
    }

    e = t->events->elts;
    for (i = 0; i < t->events->nelts; i++) {
        if (e[i].len == type->len
            && ngx_strncmp(e[i].data, type->data, type->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* notify_take.lua's {id, body, attempts, type}: the retry to make */

static ngx_int_t
ngx_pa_notify_taken(ngx_pa_notify_loop_t *lp, redisReply *reply)
{
    ngx_str_t    *dst[4];
    ngx_int_t     n;
    ngx_uint_t    i;
    ngx_pool_t   *pool;
    ngx_str_t     attempts;
    u_char       *colon;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) {
        return NGX_DECLINED;
    }

    for (i = 0; i < 4; i++) {
        if (reply->element[i]->type != REDIS_REPLY_STRING) {
            return NGX_DECLINED;
        }
    }

    pool = ngx_create_pool(4096, lp->nf->log);
    if (pool == NULL) {
        return NGX_DECLINED;
    }

    dst[0] = &lp->id;
    dst[1] = &lp->body;
    dst[2] = &attempts;
    dst[3] = &lp->type;

    for (i = 0; i < 4; i++) {
        dst[i]->len = reply->element[i]->len;
        dst[i]->data = ngx_pnalloc(pool, dst[i]->len + 1);
        if (dst[i]->data == NULL) {
            ngx_destroy_pool(pool);
            return NGX_DECLINED;
        }

        ngx_memcpy(dst[i]->data, reply->element[i]->str, dst[i]->len);
    }

    n = ngx_atoi(attempts.data, attempts.len);
    lp->attempts = n > 0 ? (ngx_uint_t) n : 0;

    colon = ngx_strlchr(lp->id.data, lp->id.data + lp->id.len, ':');
    if (colon == NULL) {
        ngx_destroy_pool(pool);
        return NGX_DECLINED;
    }

    lp->entry.data = colon + 1;
    lp->entry.len = lp->id.data + lp->id.len - lp->entry.data;

    lp->pool = pool;
    lp->retry = 1;

    return NGX_OK;
}


/*
 * The delivery starts: the event's body as it is, or, for a pii=on
 * target, once the report's sealed contact came (NGX_PA_NOTIFY_PII).
 */

static void
ngx_pa_notify_deliver(ngx_pa_notify_loop_t *lp)
{
    json_t        *o, *id;
    ngx_str_t      rid, key;
    const char    *argv[5];
    size_t         argvlen[5];
    json_error_t   je;

    lp->sent = lp->body;

    if (!lp->target->pii) {
        ngx_pa_notify_send(lp);
        return;
    }

    ngx_str_null(&rid);

    o = json_loadb((char *) lp->body.data, lp->body.len, 0, &je);
    id = o ? json_object_get(o, "id") : NULL;

    if (json_is_string(id) && json_string_length(id) > 0
        && json_string_length(id) <= 64)
    {
        rid.len = json_string_length(id);
        rid.data = ngx_pnalloc(lp->pool, rid.len);
        if (rid.data != NULL) {
            ngx_memcpy(rid.data, json_string_value(id), rid.len);
        }
    }

    json_decref(o);

    if (rid.data == NULL
        || ngx_pa_notify_key(lp->pool, lp->nf->conf, &key, "r:%V", &rid)
           == NULL)
    {
        /* no report to read a contact of: the event goes as it is */
        ngx_pa_notify_send(lp);
        return;
    }

    lp->phase = NGX_PA_NOTIFY_PII;

    argv[0] = "HMGET";
    argvlen[0] = 5;
    argv[1] = (const char *) key.data;
    argvlen[1] = key.len;
    argv[2] = "pii_phone";
    argvlen[2] = 9;
    argv[3] = "pii_email";
    argvlen[3] = 9;
    argv[4] = "doc";            /* a record stored lean: ngx_pa_doc.h */
    argvlen[4] = 3;

    if (ngx_pa_notify_send_cmd(lp, 5, argv, argvlen) != NGX_OK) {
        ngx_pa_notify_answered(lp, 0, "Redis not reachable for the contact");
    }
}


/* the request: head, signature of the body, the body */

static void
ngx_pa_notify_send(ngx_pa_notify_loop_t *lp)
{
    u_char                  *p;
    size_t                   len;
    ngx_buf_t               *b;
    unsigned int             mdlen;
    ngx_pa_notify_target_t  *t;
    u_char                   md[EVP_MAX_MD_SIZE];

    t = lp->target;

    if (HMAC(EVP_sha256(), t->secret.data, (int) t->secret.len,
             lp->sent.data, lp->sent.len, md, &mdlen)
        == NULL)
    {
        ngx_log_error(NGX_LOG_ALERT, lp->nf->log, 0,
                      "pa notify: HMAC() failed");
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
        return;
    }

    len = sizeof("POST  HTTP/1.1\r\nHost: \r\n") - 1 + t->uri.len
          + t->host.len
          + sizeof("User-Agent: ngx_pa/" NGX_PA_VERSION "\r\n") - 1
          + sizeof("Content-Type: application/json\r\n") - 1
          + sizeof("Content-Length: \r\n") - 1 + NGX_SIZE_T_LEN
          + sizeof("X-PA-Event: \r\n") - 1 + lp->type.len
          + sizeof("X-PA-Delivery: \r\n") - 1 + lp->id.len
          + sizeof("X-PA-Attempt: \r\n") - 1 + NGX_INT_T_LEN
          + sizeof("X-PA-Signature: sha256=\r\n") - 1 + 2 * mdlen
          + sizeof("\r\n") - 1 + lp->sent.len;

    b = ngx_create_temp_buf(lp->pool, len);
    if (b == NULL) {
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
        return;
    }

    /* event types are the scripts' own words: safe in a header */

    p = ngx_sprintf(b->last,
                    "POST %V HTTP/1.1\r\nHost: %V\r\n"
                    "User-Agent: ngx_pa/" NGX_PA_VERSION "\r\n"
                    "Content-Type: application/json\r\n"
                    "Content-Length: %uz\r\n"
                    "X-PA-Event: %V\r\n"
                    "X-PA-Delivery: %V\r\n"
                    "X-PA-Attempt: %ui\r\n"
                    "X-PA-Signature: sha256=",
                    &t->uri, &t->host, lp->sent.len, &lp->type, &lp->id,
                    lp->attempts + 1);
    p = ngx_hex_dump(p, md, mdlen);
    *p++ = '\r'; *p++ = '\n'; *p++ = '\r'; *p++ = '\n';
    p = ngx_cpymem(p, lp->sent.data, lp->sent.len);
    b->last = p;
    lp->req = b;

    lp->phase = NGX_PA_NOTIFY_SEND;
    lp->started = ngx_current_msec;

    if (ngx_pa_notify_http_post(&lp->http, b) != NGX_OK) {
        ngx_pa_notify_answered(lp, 0, "no connection");
    }
}


static void
ngx_pa_notify_answered(void *data, ngx_uint_t status, const char *error)
{
    ngx_pa_notify_loop_t *lp = data;

    u_char                  *p, *buf;
    uint32_t                 rnd;
    ngx_str_t                args[10], keys[4];
    ngx_msec_t               delay;
    ngx_uint_t               shift;
    ngx_pa_notify_target_t  *t;

    t = lp->target;

    if (status >= 200 && status < 300) {
        ngx_pa_metrics_inc(NGX_PA_M_DELIVERY_OK);
        ngx_log_error(NGX_LOG_INFO, lp->nf->log, 0,
                      "pa notify \"%V\": %V delivered (%ui, attempt %ui, "
                      "%M ms)", &t->name, &lp->id, status, lp->attempts + 1,
                      ngx_current_msec - lp->started);
        ngx_pa_notify_ack(lp);
        return;
    }

    ngx_pa_metrics_inc(NGX_PA_M_DELIVERY_FAILED);

    if (error != NULL) {
        ngx_log_error(NGX_LOG_WARN, lp->nf->log, 0,
                      "pa notify \"%V\": %V attempt %ui to %V: %s",
                      &t->name, &lp->id, lp->attempts + 1, &t->url, error);

    } else {
        ngx_log_error(NGX_LOG_WARN, lp->nf->log, 0,
                      "pa notify \"%V\": %V attempt %ui to %V: status %ui",
                      &t->name, &lp->id, lp->attempts + 1, &t->url, status);
    }

    /* 1 s, 2 s, 4 s ... capped at an hour, +-25% so retries spread out */

    shift = ngx_min(lp->attempts, 12);
    delay = ngx_min((ngx_msec_t) NGX_PA_NOTIFY_BACKOFF << shift,
                    (ngx_msec_t) NGX_PA_NOTIFY_BACKOFF_MAX);

    if (RAND_bytes((u_char *) &rnd, sizeof(rnd)) != 1) {
        rnd = (uint32_t) ngx_random();
    }

    delay = delay * 3 / 4 + (rnd % (delay / 2 + 1));

    buf = ngx_pnalloc(lp->pool, NGX_INT_T_LEN * 6 + 64);
    if (buf == NULL
        || ngx_pa_notify_key(lp->pool, lp->nf->conf, &keys[3],
                             "notify:d:%V", &lp->id) == NULL)
    {
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
        return;
    }

    keys[0] = lp->keys[0];
    keys[1] = lp->keys[1];
    keys[2] = lp->keys[2];

    args[0] = t->group;
    args[1] = lp->entry;
    args[2] = t->name;
    args[3] = lp->type;
    args[4] = lp->body;

    p = buf;
    args[5].data = p;
    p = ngx_sprintf(p, "%T%03M", ngx_time(), (ngx_timeofday())->msec);
    args[5].len = p - args[5].data;

    args[6].data = p;
    p = ngx_sprintf(p, "%M", delay);
    args[6].len = p - args[6].data;

    args[7].data = p;
    p = ngx_sprintf(p, "%M", t->retry_for);
    args[7].len = p - args[7].data;

    args[8].data = p;
    if (status) {
        p = ngx_sprintf(p, "%ui", status);
    }
    args[8].len = p - args[8].data;

    if (error != NULL) {
        args[9].data = (u_char *) error;
        args[9].len = ngx_strlen(error);

    } else {
        ngx_str_set(&args[9], "not a 2xx answer");
    }

    lp->phase = NGX_PA_NOTIFY_RECORD;

    if (ngx_pa_notify_send_script(lp, NGX_PA_SCRIPT_NOTIFY_FAIL, keys, 4,
                                  args, 10)
        != NGX_OK)
    {
        /* not recorded: the pending entry (or the lease) brings it back */
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
    }
}


/* 2xx: a first attempt is acknowledged, a retry's record deleted */

static void
ngx_pa_notify_ack(ngx_pa_notify_loop_t *lp)
{
    ngx_str_t    keys[3], args[1];
    const char  *argv[4];
    size_t       argvlen[4];
    ngx_int_t    rc;

    lp->phase = NGX_PA_NOTIFY_RECORD;

    if (!lp->retry) {
        argv[0] = "XACK";
        argvlen[0] = 4;
        argv[1] = (const char *) lp->keys[0].data;
        argvlen[1] = lp->keys[0].len;
        argv[2] = (const char *) lp->target->group.data;
        argvlen[2] = lp->target->group.len;
        argv[3] = (const char *) lp->entry.data;
        argvlen[3] = lp->entry.len;

        rc = ngx_pa_notify_send_cmd(lp, 4, argv, argvlen);

    } else {
        keys[0] = lp->keys[1];
        keys[1] = lp->keys[2];

        if (ngx_pa_notify_key(lp->pool, lp->nf->conf, &keys[2],
                              "notify:d:%V", &lp->id) == NULL)
        {
            rc = NGX_ERROR;

        } else {
            args[0] = lp->id;
            rc = ngx_pa_notify_send_script(lp, NGX_PA_SCRIPT_NOTIFY_DONE,
                                           keys, 3, args, 1);
        }
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, lp->nf->log, 0,
                      "pa notify \"%V\": %V delivered, not recorded: it may "
                      "be sent again", &lp->target->name, &lp->id);
        ngx_pa_notify_end(lp);
        ngx_pa_notify_later(lp, NGX_PA_NOTIFY_DOWN);
    }
}


/* the delivery is over, whatever became of it */

static void
ngx_pa_notify_end(ngx_pa_notify_loop_t *lp)
{
    /* a pii=on attempt's contact: wiped, not just freed */

    if (lp->sent.data != lp->body.data) {
        ngx_pa_notify_pii_wipe(&lp->sent);

        if (lp->req != NULL) {
            ngx_explicit_memzero(lp->req->start,
                                 lp->req->end - lp->req->start);
        }
    }

    lp->req = NULL;
    ngx_str_null(&lp->sent);

    if (lp->pool != NULL) {
        ngx_destroy_pool(lp->pool);
        lp->pool = NULL;
    }

    ngx_str_null(&lp->id);
    ngx_str_null(&lp->entry);
    ngx_str_null(&lp->body);
    ngx_str_null(&lp->type);
}


/* "pa:{t}:" + fmt (one %V at most) into key, allocated from pool */

static ngx_str_t *
ngx_pa_notify_key(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf, ngx_str_t *key,
    const char *fmt, ngx_str_t *arg)
{
    u_char  *p;
    size_t   len;

    len = pmcf->key_prefix.len + ngx_strlen(fmt) + (arg ? arg->len : 0);

    key->data = ngx_pnalloc(pool, len);
    if (key->data == NULL) {
        return NULL;
    }

    p = ngx_cpymem(key->data, pmcf->key_prefix.data, pmcf->key_prefix.len);

    if (arg != NULL) {
        p = ngx_slprintf(p, key->data + len, fmt, arg);

    } else {
        p = ngx_cpymem(p, fmt, ngx_strlen(fmt));
    }

    key->len = p - key->data;

    return key;
}
