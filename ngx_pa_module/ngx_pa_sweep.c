/*
 * The SLA sweeper: marks passed deadlines overdue, rejects reports whose
 * supplement did not come in time, sends the status notices (LC25 / ĐB)
 * and lifts expired commenting locks -- all in sweep.lua, one call a tick.
 *
 * One timer in worker 0 of every node; a Redis lock (sweep:lock, SET NX
 * PX a little under the interval, value = this node's id, taken inside
 * the script) lets one node sweep per interval however many nodes run.
 * The timer and its call in flight are cancelable: "nginx -s quit" never
 * waits for the sweeper.
 *
 * With pa_test_clock on, requests carry their own "now" (X-PA-Now), so a
 * sweep on the wall clock would judge test data by the wrong time: the
 * timer stays off and POST /api/v1/admin/sweep sweeps at the request's
 * now instead.
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_duplicate.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_orphan.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_public_repair.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_retention.h"
#include "ngx_pa_sweep.h"
#include "ngx_pa_validate.h"

#include <openssl/rand.h>


#define NGX_PA_SWEEP_BATCH      500     /* due members per script call */
#define NGX_PA_SWEEP_AGAIN      100     /* ms: next call when more is due */
#define NGX_PA_SWEEP_FIRST      1000    /* ms: first tick after start */
#define NGX_PA_SWEEP_ROUNDS     100     /* test endpoint: calls at most */
#define NGX_PA_SWEEP_NODE_LEN   96

#define NGX_PA_SWEEP_KEYS       18
#define NGX_PA_SWEEP_ARGS       10

/* what the reporter reads (history entries, messages) */
#define NGX_PA_SWEEP_NOTICE                                                   \
    "Phản ánh của Ông/Bà vẫn đang được cơ quan chức năng xem xét, "           \
    "xử lý. Kết quả sẽ được thông báo đến Ông/Bà ngay khi có."
#define NGX_PA_SWEEP_REJECT                                                   \
    "Phản ánh không đủ điều kiện tiếp nhận: thông tin bổ sung không được "    \
    "gửi trong thời hạn 02 ngày làm việc."


/* per worker, in pmcf->worker.sweeper */
struct ngx_pa_sweeper_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_event_t                timer;
    ngx_pa_call_t              call;       /* sweep.lua; call.cmd: in flight */
    ngx_pool_t                *pool;       /* the call's, while in flight */
    ngx_str_t                  node;       /* host:pid:random */
};


/* the test endpoint's call: counts summed over the rounds */
typedef struct {
    ngx_int_t                  count[4];
    ngx_uint_t                 rounds;
    ngx_int_t                  archived;   /* -2: pa_retention off */
    unsigned                   media:1;    /* ?media=1: the orphan sweep */
} ngx_pa_sweep_req_t;


static void ngx_pa_sweep_archived(ngx_http_request_t *r, void *data,
    ngx_int_t archived);
static void ngx_pa_sweep_orphaned(ngx_http_request_t *r, void *data,
    ngx_int_t removed);
static void ngx_pa_sweep_answer(ngx_http_request_t *r,
    ngx_pa_sweep_req_t *sr, ngx_int_t removed);


static void ngx_pa_sweep_tick(ngx_event_t *ev);
static void ngx_pa_sweep_run(ngx_pa_sweeper_t *sw);
static void ngx_pa_sweep_on_reply(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_sweep_result(ngx_pa_sweeper_t *sw, redisReply *reply);
static ngx_int_t ngx_pa_sweep_args(ngx_pa_main_conf_t *pmcf,
    ngx_pool_t *pool, time_t now, ngx_str_t *node, ngx_array_t *keys,
    ngx_array_t *args);
static ngx_int_t ngx_pa_sweep_counts(redisReply *reply, ngx_int_t *count,
    ngx_uint_t *more);
static ngx_int_t ngx_pa_sweep_call(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
static void ngx_pa_sweep_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);


ngx_int_t
ngx_pa_sweep_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    u_char            *p, rnd[8];
    ngx_pa_sweeper_t  *sw;

    if (ngx_worker != 0 || pmcf->sweep_interval == 0) {
        return NGX_OK;
    }

    if (pmcf->test_clock) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "pa sweep: timer off (pa_test_clock on), sweeps run "
                      "by POST /api/v1/admin/sweep");
        return NGX_OK;
    }

    sw = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_sweeper_t));
    if (sw == NULL) {
        return NGX_ERROR;
    }

    sw->node.data = ngx_pnalloc(cycle->pool, NGX_PA_SWEEP_NODE_LEN);
    if (sw->node.data == NULL) {
        return NGX_ERROR;
    }

    /* readable for ops (GET sweep:lock names the host), unique anyway */

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "pa sweep: RAND_bytes() failed");
        return NGX_ERROR;
    }

    p = ngx_slprintf(sw->node.data, sw->node.data + NGX_PA_SWEEP_NODE_LEN
                                    - 2 * sizeof(rnd) - 1,
                     "%V:%P:", &cycle->hostname, ngx_pid);
    p = ngx_hex_dump(p, rnd, sizeof(rnd));
    sw->node.len = p - sw->node.data;

    sw->conf = pmcf;
    sw->log = cycle->log;

    sw->timer.handler = ngx_pa_sweep_tick;
    sw->timer.data = sw;
    sw->timer.log = cycle->log;
    sw->timer.cancelable = 1;

    pmcf->worker.sweeper = sw;

    ngx_add_timer(&sw->timer, ngx_min(pmcf->sweep_interval,
                                      NGX_PA_SWEEP_FIRST));

    return NGX_OK;
}


void
ngx_pa_sweep_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_sweeper_t  *sw;

    sw = pmcf->worker.sweeper;
    if (sw == NULL) {
        return;
    }

    if (sw->timer.timer_set) {
        ngx_del_timer(&sw->timer);
    }

    /* hiredis keeps its own copy of the command: the pool may go */

    ngx_pa_call_cancel(&sw->call);
    ngx_pa_retention_exit_worker(pmcf);
    ngx_pa_orphan_exit_worker(pmcf);
    ngx_pa_public_repair_exit_worker(pmcf);

    if (sw->pool != NULL) {
        ngx_destroy_pool(sw->pool);
        sw->pool = NULL;
    }

    pmcf->worker.sweeper = NULL;
}


static void
ngx_pa_sweep_tick(ngx_event_t *ev)
{
    ngx_pa_sweeper_t  *sw = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    /* a slow call still in flight: this tick is skipped, not queued */

    if (sw->call.cmd == NULL) {
        ngx_pa_sweep_run(sw);
    }

    /* a calendar about to end: said once a day while the node runs */
    ngx_pa_calendar_warn(sw->conf, sw->log, ngx_time());

    if (!sw->timer.timer_set) {
        ngx_add_timer(&sw->timer, sw->conf->sweep_interval);
    }
}


static void
ngx_pa_sweep_run(ngx_pa_sweeper_t *sw)
{
    ngx_pool_t          *pool;
    ngx_array_t         *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = sw->conf;

    /* the call's arguments live in a pool of their own until the reply */

    pool = ngx_create_pool(2048, sw->log);
    if (pool == NULL) {
        return;
    }

    keys = ngx_array_create(pool, NGX_PA_SWEEP_KEYS, sizeof(ngx_str_t));
    args = ngx_array_create(pool, NGX_PA_SWEEP_ARGS, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_sweep_args(pmcf, pool, ngx_time(), &sw->node, keys, args)
           != NGX_OK)
    {
        goto failed;
    }

    ngx_pa_call_init(&sw->call, pmcf, pool, sw->log);

    /* nobody waits for a sweep: quitting drops it */
    sw->call.background = 1;

    if (ngx_pa_call_script(&sw->call, NGX_PA_SCRIPT_SWEEP, keys, args)
        != NGX_OK)
    {
        goto failed;
    }

    if (ngx_pa_call_send(&sw->call, ngx_pa_sweep_on_reply, sw) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, sw->log, 0,
                      "pa sweep: Redis not reachable, next tick in %M ms",
                      pmcf->sweep_interval);
        ngx_destroy_pool(pool);
        return;
    }

    sw->pool = pool;

    return;

failed:

    ngx_log_error(NGX_LOG_ALERT, sw->log, 0, "pa sweep: out of memory");
    ngx_destroy_pool(pool);
}


static void
ngx_pa_sweep_on_reply(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_sweeper_t  *sw = call->data;
    ngx_pool_t        *pool;

    pool = sw->pool;
    sw->pool = NULL;

    ngx_pa_sweep_result(sw, reply);

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }
}


static void
ngx_pa_sweep_result(ngx_pa_sweeper_t *sw, redisReply *reply)
{
    ngx_int_t   count[4];
    ngx_uint_t  more;

    if (reply == NULL) {
        ngx_log_error(NGX_LOG_WARN, sw->log, 0,
                      "pa sweep: no answer from Redis, next tick");
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, sw->log, 0, "pa sweep: script failed: %*s",
                      (size_t) reply->len, reply->str);
        return;
    }

    if (reply->type == REDIS_REPLY_STATUS) {
        /* "locked": another node sweeps this interval */
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sw->log, 0, "pa sweep: %*s",
                       (size_t) reply->len, reply->str);
        return;
    }

    if (ngx_pa_sweep_counts(reply, count, &more) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, sw->log, 0,
                      "pa sweep: unexpected answer of sweep.lua");
        return;
    }

    /*
     * This node holds the lock: closed reports past keeping leave too,
     * once a day the blobs no report references, and a page of the
     * published reports gets its missing public copies again.
     */
    ngx_pa_retention_tick(sw->conf, sw->log);
    ngx_pa_orphan_tick(sw->conf, sw->log);
    ngx_pa_public_repair_tick(sw->conf, sw->log);

    if (count[0] || count[1] || count[2] || count[3]) {
        ngx_log_error(NGX_LOG_INFO, sw->log, 0,
                      "pa sweep: %i overdue, %i rejected, %i notices, "
                      "%i unlocked", count[0], count[1], count[2], count[3]);
    }

    /* a backlog (after an outage): the next batch soon, not next interval */

    if (more && !ngx_exiting && !ngx_quit && !ngx_terminate) {
        if (sw->timer.timer_set) {
            ngx_del_timer(&sw->timer);
        }

        ngx_add_timer(&sw->timer, NGX_PA_SWEEP_AGAIN);
    }
}


/*
 * KEYS: lock, due, events, clock, cursor, last, near, near:at, the
 * cursor of the duplicate prints' move into buckets, q:late, the old
 * st: and the q: of three open states (moved by sweep.lua), q:submitted
 * and the cursor of its deadlines.  ARGV:
 * now, prefix, day, node, lock ttl, batch, history "at", notice note,
 * reject note, the hints' cutoff (sweep.lua).
 */

static ngx_int_t
ngx_pa_sweep_args(ngx_pa_main_conf_t *pmcf, ngx_pool_t *pool, time_t now,
    ngx_str_t *node, ngx_array_t *keys, ngx_array_t *args)
{
    u_char      *p;
    ngx_tm_t     tm;
    ngx_str_t   *s;
    ngx_uint_t   i;
    ngx_msec_t   ttl;

    static const char  *names[NGX_PA_SWEEP_KEYS] = {
        "sweep:lock", "due", "events", "clock", "sweep:cursor", "sweep:last",
        "near", "near:at", "dup:cursor", "q:late",
        "st:dispatched", "q:dispatched", "st:in_progress", "q:in_progress",
        "st:awaiting_approval", "q:awaiting_approval", "q:submitted",
        "sweep:qdue"
    };

    for (i = 0; i < NGX_PA_SWEEP_KEYS; i++) {
        s = ngx_array_push(keys);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->len = pmcf->key_prefix.len + ngx_strlen(names[i]);
        s->data = ngx_pnalloc(pool, s->len);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(s->data, pmcf->key_prefix.data, pmcf->key_prefix.len);
        ngx_memcpy(p, names[i], ngx_strlen(names[i]));
    }

    /* held a little less than the interval: free again at the next tick */

    ttl = pmcf->sweep_interval - ngx_min(pmcf->sweep_interval / 10, 1000);

    s = ngx_array_push_n(args, NGX_PA_SWEEP_ARGS);
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(pool, NGX_TIME_T_LEN * 2 + 9 + NGX_INT_T_LEN * 2
                          + NGX_PA_TIME_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    s[0].data = p;
    p = ngx_sprintf(p, "%T", now);
    s[0].len = p - s[0].data;

    s[1] = pmcf->key_prefix;

    ngx_gmtime(now + pmcf->utc_offset, &tm);

    s[2].data = p;
    p = ngx_sprintf(p, "%04d%02d%02d", tm.ngx_tm_year, tm.ngx_tm_mon,
                    tm.ngx_tm_mday);
    s[2].len = p - s[2].data;

    s[3] = *node;

    s[4].data = p;
    p = ngx_sprintf(p, "%M", ttl ? ttl : 1);
    s[4].len = p - s[4].data;

    s[5].data = p;
    p = ngx_sprintf(p, "%d", NGX_PA_SWEEP_BATCH);
    s[5].len = p - s[5].data;

    s[6].data = p;
    s[6].len = ngx_pa_rfc3339_format(now, (int) pmcf->utc_offset, 0,
                                     (char *) p);

    ngx_str_set(&s[7], NGX_PA_SWEEP_NOTICE);
    ngx_str_set(&s[8], NGX_PA_SWEEP_REJECT);

    p += s[6].len;

    s[9].data = p;
    p = ngx_sprintf(p, "%T", ngx_pa_duplicate_cutoff(pmcf, now));
    s[9].len = p - s[9].data;

    return NGX_OK;
}


/* {overdue, rejected, notices, unlocked, more} */

static ngx_int_t
ngx_pa_sweep_counts(redisReply *reply, ngx_int_t *count, ngx_uint_t *more)
{
    ngx_uint_t  i;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 5) {
        return NGX_ERROR;
    }

    for (i = 0; i < 5; i++) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < 4; i++) {
        count[i] = (ngx_int_t) reply->element[i]->integer;
    }

    *more = reply->element[4]->integer != 0;

    return NGX_OK;
}


/* ------------------------------------------------------------ the route */

/*
 * POST /api/v1/admin/sweep: one sweep at once, at the request's now
 * (X-PA-Now).  Tests only: without pa_test_clock the route does not exist.
 * No token is needed then; one that is sent must be the IOC's or an
 * admin's.
 */

ngx_int_t
ngx_pa_sweep_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t            media;
    ngx_int_t            rc;
    ngx_pa_sweep_req_t  *sr;
    ngx_pa_caller_t      caller;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (!pmcf->test_clock) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                                 "no such resource");
    }

    if (r->headers_in.authorization) {
        rc = ngx_pa_auth(r, ctx, &caller);
        if (rc != NGX_OK) {
            return ngx_pa_auth_fail(r, rc);
        }

        if (caller.role != NGX_PA_ROLE_IOC
            && caller.role != NGX_PA_ROLE_ADMIN)
        {
            return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                                     "only the IOC or an admin may sweep");
        }
    }

    sr = ngx_pcalloc(r->pool, sizeof(ngx_pa_sweep_req_t));
    if (sr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sr->archived = -2;

    /* ?media=1: the daily orphan sweep of the media store, now */

    sr->media = ngx_http_arg(r, (u_char *) "media", 5, &media) == NGX_OK
                && media.len == 1 && media.data[0] == '1';

    ctx->data = sr;

    /* the timer's daily check, at the test clock's day */
    ngx_pa_calendar_warn(pmcf, r->connection->log, ctx->now);

    return ngx_pa_sweep_call(r, ctx);
}


static ngx_int_t
ngx_pa_sweep_call(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t            none = ngx_null_string;
    ngx_array_t         *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    keys = ngx_array_create(r->pool, NGX_PA_SWEEP_KEYS, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, NGX_PA_SWEEP_ARGS, sizeof(ngx_str_t));

    /* no node id: the test sweep does not take the lock */

    if (keys == NULL || args == NULL
        || ngx_pa_sweep_args(pmcf, r->pool, ctx->now, &none, keys, args)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_SWEEP, keys, args,
                       ngx_pa_sweep_done);
}


static void
ngx_pa_sweep_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply  *reply = data;

    ngx_int_t            rc, count[4];
    ngx_uint_t           i, more;
    ngx_pa_sweep_req_t  *sr;

    sr = ctx->data;

    if (ngx_pa_sweep_counts(reply, count, &more) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa sweep: script failed: %*s",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : (size_t) 0,
                      reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                            NULL, "the sweep failed, try again"));
        return;
    }

    for (i = 0; i < 4; i++) {
        sr->count[i] += count[i];
    }

    /* "at once" means everything due: batch after batch */

    if (more && ++sr->rounds < NGX_PA_SWEEP_ROUNDS) {
        rc = ngx_pa_sweep_call(r, ctx);
        if (rc != NGX_DONE) {
            ngx_pa_finalize(r, rc);
        }

        return;
    }

    /* then retention, at the same now */

    if (ngx_pa_retention_on(ngx_http_get_module_main_conf(r,
                                                         ngx_http_pa_module)))
    {
        rc = ngx_pa_retention_request(r, ctx->now, ngx_pa_sweep_archived, sr);
        if (rc != NGX_DONE) {
            ngx_pa_finalize(r, rc);
        }

        return;
    }

    ngx_pa_sweep_archived(r, sr, -2);
}


/* retention ended (archived -2: off); then the orphan sweep if asked */

static void
ngx_pa_sweep_archived(ngx_http_request_t *r, void *data, ngx_int_t archived)
{
    ngx_pa_sweep_req_t  *sr = data;

    ngx_int_t  rc;

    if (archived == -1) {
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                            NULL, "the archive could not be written or "
                            "Redis failed, nothing lost: try again"));
        return;
    }

    sr->archived = archived;

    if (sr->media) {
        rc = ngx_pa_orphan_request(r, ngx_pa_sweep_orphaned, sr);
        if (rc != NGX_DONE) {
            ngx_pa_finalize(r, rc);
        }

        return;
    }

    ngx_pa_sweep_answer(r, sr, -2);
}


static void
ngx_pa_sweep_orphaned(ngx_http_request_t *r, void *data, ngx_int_t removed)
{
    if (removed < 0) {
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                            NULL, "the media store could not be swept, "
                            "try again"));
        return;
    }

    ngx_pa_sweep_answer(r, data, removed);
}


/*
 * The answer: "archived" only with pa_retention, "media_removed" only
 * with ?media=1 (-2: not there).
 */

static void
ngx_pa_sweep_answer(ngx_http_request_t *r, ngx_pa_sweep_req_t *sr,
    ngx_int_t removed)
{
    json_t  *o;

    o = json_pack("{s:I, s:I, s:I, s:I}",
                  "overdue", (json_int_t) sr->count[0],
                  "rejected", (json_int_t) sr->count[1],
                  "notices", (json_int_t) sr->count[2],
                  "unlocked", (json_int_t) sr->count[3]);

    if (o != NULL && sr->archived >= 0) {
        json_object_set_new(o, "archived", json_integer(sr->archived));
    }

    if (o != NULL && removed >= 0) {
        json_object_set_new(o, "media_removed", json_integer(removed));
    }

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, o));
}
