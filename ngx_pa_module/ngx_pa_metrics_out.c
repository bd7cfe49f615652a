/*
 * GET /metrics ("pa_metrics" in a location): the zone's counters and
 * what metrics.lua reads from Redis, in the Prometheus text exposition
 * format 0.0.4.
 *
 * The Redis read is one asynchronous call, like any request's: the
 * worker goes on serving meanwhile.  When Redis does not answer (down,
 * timed out, a script error) the scrape still answers 200 with the
 * counters and pa_redis_up 0: an outage is exactly when the counters
 * are wanted.
 *
 * Who may scrape is nginx's business: "allow"/"deny" in the location.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_metrics_zone.h"
#include "ngx_pa_profile.h"


#define NGX_PA_METRICS_LINE    1024    /* room kept free before a line */
#define NGX_PA_METRICS_LABEL   128     /* a label value from Redis, cut */
#define NGX_PA_METRICS_KEYS    5       /* before the state indexes */


/* the answer as it grows */
typedef struct {
    ngx_http_request_t        *request;
    u_char                    *start;
    u_char                    *pos;
    u_char                    *end;
} ngx_pa_metrics_out_t;


/*
 * every state of api.md: queue depth, one ZCARD each; the first
 * NGX_PA_METRICS_OPEN are the open states of the IOC's lists, whose one
 * index is their work list q: (issue 12)
 */
#define NGX_PA_METRICS_OPEN    9

static const char  *ngx_pa_metrics_states[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "dispatched", "in_progress", "awaiting_approval", "under_review",
    "resolved", "rejected", "cancelled", "monitoring", "escalated", NULL
};


static ngx_int_t ngx_pa_metrics_handler(ngx_http_request_t *r);
static void ngx_pa_metrics_run(ngx_http_request_t *r);
static ngx_int_t ngx_pa_metrics_read(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static void ngx_pa_metrics_on_reply(ngx_pa_call_t *call, redisReply *reply);
static ngx_int_t ngx_pa_metrics_send(ngx_http_request_t *r,
    redisReply *reply);
static void ngx_pa_metrics_counters(ngx_pa_metrics_out_t *o);
static void ngx_pa_metrics_requests(ngx_pa_metrics_out_t *o);
static void ngx_pa_metrics_latency(ngx_pa_metrics_out_t *o);
static void ngx_pa_metrics_calendar(ngx_pa_metrics_out_t *o,
    ngx_pa_main_conf_t *pmcf);
static void ngx_pa_metrics_redis_gauges(ngx_pa_metrics_out_t *o,
    redisReply *reply);
static void ngx_pa_metrics_pairs(ngx_pa_metrics_out_t *o, redisReply *flat,
    const char *name, const char *label, const char *suffix);
static void ngx_pa_metrics_head(ngx_pa_metrics_out_t *o, const char *name,
    const char *type, const char *help);
static void ngx_pa_metrics_printf(ngx_pa_metrics_out_t *o,
    const char *fmt, ...);
static ngx_str_t ngx_pa_metrics_escape(ngx_pa_metrics_out_t *o, u_char *s,
    size_t len);


char *
ngx_pa_metrics_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_pa_metrics_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_pa_metrics_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                 "method_not_allowed", NULL,
                                 "GET /metrics only");
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_pa_ctx(r) == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the body is dropped: this takes the request's reference, runs now */

    rc = ngx_http_read_client_request_body(r, ngx_pa_metrics_run);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_pa_metrics_run(ngx_http_request_t *r)
{
    ngx_pa_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    if (ngx_pa_metrics_read(r, ctx) == NGX_OK) {
        return;
    }

    /* no Redis to ask: the counters alone */
    ngx_pa_finalize(r, ngx_pa_metrics_send(r, NULL));
}


/* metrics.lua, asynchronously; NGX_DECLINED: nothing was sent */

static ngx_int_t
ngx_pa_metrics_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    time_t               now;
    ngx_tm_t             tm;
    ngx_uint_t           i;
    ngx_array_t         *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (pmcf->worker.redis == NULL || pmcf->key_prefix.len == 0) {
        return NGX_DECLINED;
    }

    /* real time, even under pa_test_clock: the sweeper runs on it */

    now = ngx_time();
    ngx_gmtime(now + pmcf->utc_offset, &tm);

    keys = ngx_array_create(r->pool, NGX_PA_METRICS_KEYS + 28,
                            sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "gauge") == NULL
        || ngx_pa_key(r, keys, "sweep:last") == NULL
        || ngx_pa_key(r, keys, "due") == NULL
        || ngx_pa_key(r, keys, "stats:%04d%02d%02d", tm.ngx_tm_year,
                      tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL
        || ngx_pa_key(r, keys, "sweep:qdue") == NULL
        || ngx_pa_arg_int(r->pool, args, now) != NGX_OK
        || ngx_pa_arg_cstr(args, pmcf->record_compat ? "1" : "0") != NGX_OK)
    {
        return NGX_DECLINED;
    }

    /* each state's index, then its st: (an open state's: reports of an
     * earlier version, until queue.lua merges them into q:) */

    for (i = 0; ngx_pa_metrics_states[i] != NULL; i++) {
        if (ngx_pa_key(r, keys, i < NGX_PA_METRICS_OPEN ? "q:%s" : "st:%s",
                       ngx_pa_metrics_states[i])
            == NULL
            || ngx_pa_key(r, keys, "st:%s", ngx_pa_metrics_states[i])
               == NULL)
        {
            return NGX_DECLINED;
        }
    }

    if (ngx_pa_call_script(ctx->call, NGX_PA_SCRIPT_METRICS, keys, args)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return ngx_pa_call_send(ctx->call, ngx_pa_metrics_on_reply, r);
}


/* resumes the scrape from Redis' event, as ngx_pa_call.c does */

static void
ngx_pa_metrics_on_reply(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_http_request_t  *r = call->data;
    ngx_connection_t    *c;

    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "pa metrics: metrics.lua failed: \"%*s\"",
                      (size_t) reply->len, reply->str);
        reply = NULL;

    } else if (reply == NULL) {
        ngx_log_error(NGX_LOG_WARN, c->log, 0,
                      "pa metrics: no answer from Redis, the counters only");
    }

    ngx_pa_finalize(r, ngx_pa_metrics_send(r, reply));

    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_pa_metrics_send(ngx_http_request_t *r, redisReply *reply)
{
    size_t                 size;
    ngx_buf_t             *b;
    ngx_str_t              type = ngx_string("text/plain; version=0.0.4");
    ngx_str_t              tenant, profile;
    ngx_pa_main_conf_t    *pmcf;
    ngx_pa_metrics_out_t   o;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    size = 16384;

    o.request = r;
    o.start = ngx_pnalloc(r->pool, size);
    if (o.start == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    o.pos = o.start;
    o.end = o.start + size;

    tenant = ngx_pa_metrics_escape(&o, pmcf->tenant.data, pmcf->tenant.len);
    profile = ngx_pa_metrics_escape(&o, pmcf->profile.data,
                                    pmcf->profile.len);

    ngx_pa_metrics_head(&o, "pa_info", "gauge",
                        "The module's version, tenant and profile.");
    ngx_pa_metrics_printf(&o, "pa_info{version=\"" NGX_PA_VERSION "\","
                          "tenant=\"%V\",profile=\"%V\"} 1\n",
                          &tenant, &profile);

    if (ngx_pa_metrics_shm != NULL) {
        ngx_pa_metrics_requests(&o);
        ngx_pa_metrics_counters(&o);
        ngx_pa_metrics_latency(&o);
    }

    ngx_pa_metrics_calendar(&o, pmcf);

    ngx_pa_metrics_head(&o, "pa_redis_up", "gauge",
                        "1 when this scrape could read Redis.");
    ngx_pa_metrics_printf(&o, "pa_redis_up %d\n", reply != NULL);

    if (reply != NULL) {
        ngx_pa_metrics_redis_gauges(&o, reply);
    }

    if (o.start == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = o.start;
    b->last = o.pos;
    b->memory = 1;

    /* every scrape is new */
    r->headers_out.last_modified_time = -1;

    return ngx_pa_send_buf(r, NGX_HTTP_OK, &type, b);
}


static void
ngx_pa_metrics_requests(ngx_pa_metrics_out_t *o)
{
    ngx_uint_t             route, status, i;
    ngx_atomic_uint_t      n;
    ngx_pa_metrics_shm_t  *m;

    m = ngx_pa_metrics_shm;

    ngx_pa_metrics_head(o, "pa_http_requests_total", "counter",
                        "Requests answered, by route family and status.");

    for (route = 0; route < NGX_PA_MR_LAST; route++) {
        for (status = 0; status < NGX_PA_STATUSES; status++) {
            n = m->requests[route][status];

            if (n) {
                ngx_pa_metrics_printf(o, "pa_http_requests_total{route=\"%s\","
                                      "status=\"%ui\"} %uA\n",
                                      ngx_pa_metrics_routes[route], status, n);
            }
        }
    }

    ngx_pa_metrics_head(o, "pa_submissions_accepted_total", "counter",
                        "Reports accepted (201).");
    ngx_pa_metrics_printf(o, "pa_submissions_accepted_total %uA\n",
                          m->accepted);

    ngx_pa_metrics_head(o, "pa_submissions_replayed_total", "counter",
                        "Retried submissions answered the 201 of the "
                        "first.");
    ngx_pa_metrics_printf(o, "pa_submissions_replayed_total %uA\n",
                          m->replayed);

    ngx_pa_metrics_head(o, "pa_submissions_refused_total", "counter",
                        "Submissions refused, by the error code answered.");

    for (i = 0; i < NGX_PA_REASONS; i++) {
        ngx_pa_metrics_printf(o, "pa_submissions_refused_total"
                              "{reason=\"%s\"} %uA\n",
                              ngx_pa_metrics_reasons[i], m->refused[i]);
    }
}


static void
ngx_pa_metrics_counters(ngx_pa_metrics_out_t *o)
{
    ngx_atomic_t  *c;

    c = ngx_pa_metrics_shm->counter;

    ngx_pa_metrics_head(o, "pa_rate_limited_total", "counter",
                        "Requests refused 429 by pa_limit, by rule.");
    ngx_pa_metrics_printf(o, "pa_rate_limited_total{rule=\"addr\"} %uA\n"
                          "pa_rate_limited_total{rule=\"addr_redis\"} %uA\n"
                          "pa_rate_limited_total{rule=\"phone\"} %uA\n",
                          c[NGX_PA_M_LIMIT_ADDR], c[NGX_PA_M_LIMIT_ADDR_REDIS],
                          c[NGX_PA_M_LIMIT_PHONE]);

    ngx_pa_metrics_head(o, "pa_redis_call_errors_total", "counter",
                        "Redis calls that got no answer, by why.");
    ngx_pa_metrics_printf(o, "pa_redis_call_errors_total{kind=\"not_sent\"} "
                          "%uA\n"
                          "pa_redis_call_errors_total{kind=\"no_reply\"} %uA\n"
                          "pa_redis_call_errors_total{kind=\"error_reply\"} "
                          "%uA\n"
                          "pa_redis_call_errors_total{kind=\"late\"} %uA\n",
                          c[NGX_PA_M_REDIS_NOT_SENT],
                          c[NGX_PA_M_REDIS_NO_REPLY],
                          c[NGX_PA_M_REDIS_ERROR_REPLY],
                          c[NGX_PA_M_REDIS_LATE]);

    ngx_pa_metrics_head(o, "pa_redis_timeouts_total", "counter",
                        "Redis replies that did not come in time.");
    ngx_pa_metrics_printf(o, "pa_redis_timeouts_total %uA\n",
                          c[NGX_PA_M_REDIS_TIMEOUT]);

    ngx_pa_metrics_head(o, "pa_redis_connects_total", "counter",
                        "Connections to Redis made (first ones included).");
    ngx_pa_metrics_printf(o, "pa_redis_connects_total %uA\n",
                          c[NGX_PA_M_REDIS_CONNECT]);

    ngx_pa_metrics_head(o, "pa_redis_connections_lost_total", "counter",
                        "Connections to Redis closed by Redis or the "
                        "network.");
    ngx_pa_metrics_printf(o, "pa_redis_connections_lost_total %uA\n",
                          c[NGX_PA_M_REDIS_LOST]);

    ngx_pa_metrics_head(o, "pa_redis_failovers_total", "counter",
                        "New Redis primaries followed.");
    ngx_pa_metrics_printf(o, "pa_redis_failovers_total %uA\n",
                          c[NGX_PA_M_FAILOVER]);

    ngx_pa_metrics_head(o, "pa_webhook_deliveries_total", "counter",
                        "Webhook delivery attempts, by result.");
    ngx_pa_metrics_printf(o, "pa_webhook_deliveries_total{result=\"ok\"} "
                          "%uA\n"
                          "pa_webhook_deliveries_total{result=\"failed\"} "
                          "%uA\n",
                          c[NGX_PA_M_DELIVERY_OK],
                          c[NGX_PA_M_DELIVERY_FAILED]);

    ngx_pa_metrics_head(o, "pa_webhook_dead_letters_total", "counter",
                        "Events given up on after the last retry.");
    ngx_pa_metrics_printf(o, "pa_webhook_dead_letters_total %uA\n",
                          c[NGX_PA_M_DEAD_LETTER]);

    ngx_pa_metrics_head(o, "pa_webhook_events_lost_total", "counter",
                        "Events a target never got: trimmed from the "
                        "stream before its group read them.");
    ngx_pa_metrics_printf(o, "pa_webhook_events_lost_total %uA\n",
                          c[NGX_PA_M_EVENTS_LOST]);

    ngx_pa_metrics_head(o, "pa_submit_batch_calls_total", "counter",
                        "submit.lua calls sent (group commit: "
                        "pa_submit_batch).");
    ngx_pa_metrics_printf(o, "pa_submit_batch_calls_total %uA\n",
                          c[NGX_PA_M_BATCH_CALLS]);

    ngx_pa_metrics_head(o, "pa_submit_batch_reports_total", "counter",
                        "Reports those calls carried (mean batch: "
                        "reports / calls).");
    ngx_pa_metrics_printf(o, "pa_submit_batch_reports_total %uA\n",
                          c[NGX_PA_M_BATCH_REPORTS]);
}


static void
ngx_pa_metrics_latency(ngx_pa_metrics_out_t *o)
{
    uint64_t               total, sum;
    ngx_uint_t             i;
    ngx_pa_metrics_shm_t  *m;

    m = ngx_pa_metrics_shm;

    ngx_pa_metrics_head(o, "pa_redis_call_duration_seconds", "histogram",
                        "Redis round trips, from send to reply.");

    /* cumulative from one read of each bucket: +Inf is _count exactly */

    total = 0;

    for (i = 0; i < NGX_PA_BUCKETS - 1; i++) {
        total += m->bucket[i];
        ngx_pa_metrics_printf(o, "pa_redis_call_duration_seconds_bucket"
                              "{le=\"%uL.%06uL\"} %uL\n",
                              ngx_pa_metrics_le[i] / 1000000,
                              ngx_pa_metrics_le[i] % 1000000, total);
    }

    total += m->bucket[NGX_PA_BUCKETS - 1];
    sum = m->sum_us;

    ngx_pa_metrics_printf(o, "pa_redis_call_duration_seconds_bucket"
                          "{le=\"+Inf\"} %uL\n"
                          "pa_redis_call_duration_seconds_sum %uL.%06uL\n"
                          "pa_redis_call_duration_seconds_count %uL\n",
                          total, sum / 1000000, sum % 1000000, total);
}


/* from the calendar the health answer uses */

static void
ngx_pa_metrics_calendar(ngx_pa_metrics_out_t *o, ngx_pa_main_conf_t *pmcf)
{
    time_t     until;
    ngx_int_t  days;

    if (pmcf->calendar == NULL
        || ngx_pa_calendar_left(pmcf, ngx_time(), &until, &days) != NGX_OK)
    {
        return;
    }

    ngx_pa_metrics_head(o, "pa_calendar_days_left", "gauge",
                        "Days until the last day the holiday files know.");
    ngx_pa_metrics_printf(o, "pa_calendar_days_left %i\n", days);
}


/*
 * metrics.lua's answer: {{count per state}, gauge (flat), last sweep or
 * "", passed deadlines not yet swept, {owner, overdue today, ...}}.
 */

static void
ngx_pa_metrics_redis_gauges(ngx_pa_metrics_out_t *o, redisReply *reply)
{
    time_t       last, now;
    ngx_int_t    n;
    ngx_uint_t   i;
    redisReply  *states;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 5
        || reply->element[0]->type != REDIS_REPLY_ARRAY
        || reply->element[1]->type != REDIS_REPLY_ARRAY
        || reply->element[2]->type != REDIS_REPLY_STRING
        || reply->element[3]->type != REDIS_REPLY_INTEGER
        || reply->element[4]->type != REDIS_REPLY_ARRAY)
    {
        ngx_log_error(NGX_LOG_ERR, o->request->connection->log, 0,
                      "pa metrics: metrics.lua answered an unexpected "
                      "shape");
        return;
    }

    states = reply->element[0];

    ngx_pa_metrics_head(o, "pa_reports", "gauge",
                        "Reports in each state now (the open ones are the "
                        "queue).");

    for (i = 0; i < states->elements && ngx_pa_metrics_states[i]; i++) {
        ngx_pa_metrics_printf(o, "pa_reports{state=\"%s\"} %L\n",
                              ngx_pa_metrics_states[i],
                              (int64_t) states->element[i]->integer);
    }

    ngx_pa_metrics_head(o, "pa_in_progress", "gauge",
                        "Reports an agency holds now (the stats' "
                        "in_progress).");
    ngx_pa_metrics_pairs(o, reply->element[1], "pa_in_progress", "agency",
                         "|in_progress");

    ngx_pa_metrics_head(o, "pa_overdue_today", "gauge",
                        "Reports that went overdue today (local day), by "
                        "the step's owner, as the stats count them.");
    ngx_pa_metrics_pairs(o, reply->element[4], "pa_overdue_today", "owner",
                         NULL);

    ngx_pa_metrics_head(o, "pa_deadlines_unswept", "gauge",
                        "Deadlines passed that the sweeper has not seen "
                        "yet.");
    ngx_pa_metrics_printf(o, "pa_deadlines_unswept %L\n",
                          (int64_t) reply->element[3]->integer);

    if (reply->element[2]->len == 0) {
        return;                         /* the sweeper never ran */
    }

    n = ngx_atoi((u_char *) reply->element[2]->str, reply->element[2]->len);
    if (n == NGX_ERROR) {
        return;
    }

    last = (time_t) n;
    now = ngx_time();

    ngx_pa_metrics_head(o, "pa_sweep_last_run_timestamp_seconds", "gauge",
                        "When the SLA sweeper last ran (any node).");
    ngx_pa_metrics_printf(o, "pa_sweep_last_run_timestamp_seconds %T\n",
                          last);

    ngx_pa_metrics_head(o, "pa_sweep_lag_seconds", "gauge",
                        "Seconds since the SLA sweeper last ran.");
    ngx_pa_metrics_printf(o, "pa_sweep_lag_seconds %T\n",
                          now > last ? now - last : 0);
}


/* name{label="<field without suffix>"} value, for each pair of flat */

static void
ngx_pa_metrics_pairs(ngx_pa_metrics_out_t *o, redisReply *flat,
    const char *name, const char *label, const char *suffix)
{
    size_t       len, slen;
    ngx_int_t    n;
    ngx_str_t    v;
    ngx_uint_t   i;
    redisReply  *f, *val;

    slen = suffix ? ngx_strlen(suffix) : 0;

    for (i = 0; i + 1 < flat->elements; i += 2) {
        f = flat->element[i];
        val = flat->element[i + 1];

        if (f->type != REDIS_REPLY_STRING || val->type != REDIS_REPLY_STRING) {
            continue;
        }

        len = f->len;

        if (slen) {
            if (len <= slen
                || ngx_strncmp(f->str + len - slen, suffix, slen) != 0)
            {
                continue;
            }

            len -= slen;
        }

        n = ngx_atoi((u_char *) val->str, val->len);
        if (n == NGX_ERROR) {
            /* a count gone negative by a bug shows as one, not as 0 */
            if (val->len < 2 || val->str[0] != '-') {
                continue;
            }

            n = ngx_atoi((u_char *) val->str + 1, val->len - 1);
            if (n == NGX_ERROR) {
                continue;
            }

            n = -n;
        }

        v = ngx_pa_metrics_escape(o, (u_char *) f->str, len);

        ngx_pa_metrics_printf(o, "%s{%s=\"%V\"} %i\n", name, label, &v, n);
    }
}


static void
ngx_pa_metrics_head(ngx_pa_metrics_out_t *o, const char *name,
    const char *type, const char *help)
{
    ngx_pa_metrics_printf(o, "# HELP %s %s\n# TYPE %s %s\n",
                          name, help, name, type);
}


/* appends one line or a few; the buffer doubles when it is nearly full */

static void
ngx_pa_metrics_printf(ngx_pa_metrics_out_t *o, const char *fmt, ...)
{
    u_char   *p;
    size_t    size;
    va_list   args;

    if (o->start == NULL) {
        return;                         /* out of memory already */
    }

    if ((size_t) (o->end - o->pos) < NGX_PA_METRICS_LINE) {
        size = 2 * (o->end - o->start);

        p = ngx_pnalloc(o->request->pool, size);
        if (p == NULL) {
            o->start = NULL;
            return;
        }

        o->pos = ngx_cpymem(p, o->start, o->pos - o->start);
        o->start = p;
        o->end = p + size;
    }

    va_start(args, fmt);
    o->pos = ngx_vslprintf(o->pos, o->end, fmt, args);
    va_end(args);
}


/* a label value: \, " and newline escaped, cut to a sane length */

static ngx_str_t
ngx_pa_metrics_escape(ngx_pa_metrics_out_t *o, u_char *s, size_t len)
{
    u_char     *p;
    ngx_str_t   v;
    ngx_uint_t  i;

    ngx_str_null(&v);

    if (s == NULL) {
        return v;
    }

    len = ngx_min(len, NGX_PA_METRICS_LABEL);

    p = ngx_pnalloc(o->request->pool, 2 * len + 1);
    if (p == NULL) {
        return v;
    }

    v.data = p;

    for (i = 0; i < len; i++) {
        switch (s[i]) {

        case '\\':
        case '"':
            *p++ = '\\';
            *p++ = s[i];
            break;

        case '\n':
            *p++ = '\\';
            *p++ = 'n';
            break;

        default:
            *p++ = s[i];
        }
    }

    v.len = p - v.data;

    return v;
}
