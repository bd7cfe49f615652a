/*
 * GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD (ioc, supervisor,
 * admin): per agency, what the day counters of the range add up to and
 * the current work load, with the flags of the regulations' periodic
 * reports (overdue handling, missed extensions, satisfaction < 70% over
 * at least pa_stats_min_ratings ratings).  period=month|quarter|year with
 * year= (and month= or quarter=) names the range of the periodic reports
 * (LC26 Điều 18.7, VL Điều 20.7); format=csv gives the same table as a
 * spreadsheet download.
 *
 * The records are the deadlines': a miss is counted once against the
 * step's owner when the deadline passes (sweep.lua) or when the step
 * completes late before the sweeper saw it, on time when it completes in
 * time (act.lua); nothing is recomputed here.  The days are the
 * province's local days.
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_csv.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_stats.h"
#include "ngx_pa_view.h"


#define NGX_PA_STATS_DAYS_MAX   366
#define NGX_PA_STATS_LOW_RATE   0.70
#define NGX_PA_STATS_LATE_MAX   200     /* report ids listed per agency */

typedef enum {
    NGX_PA_C_DISPATCHED = 0,
    NGX_PA_C_RESOLVED,
    NGX_PA_C_ON_TIME,
    NGX_PA_C_OVERDUE,
    NGX_PA_C_EXTENSION_MISSED,
    NGX_PA_C_SATISFIED,
    NGX_PA_C_ACCEPTABLE,
    NGX_PA_C_UNSATISFIED,
    NGX_PA_C_IN_PROGRESS,
    NGX_PA_C_LAST
} ngx_pa_counter_e;

/* act.lua's field names, "<agency>|<name>", in ngx_pa_counter_e order */
static ngx_str_t  ngx_pa_counters[] = {
    ngx_string("dispatched"),
    ngx_string("resolved"),
    ngx_string("on_time"),
    ngx_string("overdue"),
    ngx_string("extension_missed"),
    ngx_string("rating_satisfied"),
    ngx_string("rating_acceptable"),
    ngx_string("rating_unsatisfied"),
    ngx_string("in_progress"),
};

/* the states of the reports in the IOC's hands ("ioc|in_progress") */
static const char  *ngx_pa_stats_ioc[] = {
    "submitted", "verified", "received", "under_review", NULL
};

typedef struct {
    ngx_str_t           agency;
    int64_t             n[NGX_PA_C_LAST];
    json_t             *late;           /* overdue report ids, or NULL */
} ngx_pa_stats_row_t;

typedef struct {
    ngx_str_t           scope;          /* a superior body: its subtree */
    ngx_int_t           from;           /* days since 1970-01-01 */
    ngx_int_t           to;
    ngx_array_t         rows;           /* ngx_pa_stats_row_t */
    u_char              period[sizeof("2026-Q1")];  /* "" without */
    ngx_uint_t          csv;            /* format=csv */
} ngx_pa_stats_t;


static ngx_int_t ngx_pa_stats_range(ngx_http_request_t *r,
    ngx_pa_stats_t *st, time_t now, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_stats_period(ngx_http_request_t *r,
    ngx_pa_stats_t *st, ngx_str_t *period, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_stats_bad(ngx_pa_err_t *err, const char *code,
    const char *field, const char *message);
static ngx_int_t ngx_pa_stats_date(ngx_str_t *v, ngx_int_t *day);
static ngx_int_t ngx_pa_stats_send_csv(ngx_http_request_t *r,
    ngx_pa_stats_t *st, json_t *list);
static ngx_int_t ngx_pa_stats_csv_list(ngx_http_request_t *r,
    ngx_pa_csv_t *csv, json_t *a);
static ngx_int_t ngx_pa_stats_days(ngx_int_t y, ngx_int_t m, ngx_int_t d);
static u_char *ngx_pa_stats_day_print(u_char *p, ngx_int_t day);
static json_t *ngx_pa_stats_day_json(ngx_int_t day);
static void ngx_pa_stats_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_stats_add(ngx_http_request_t *r, ngx_pa_stats_t *st,
    redisReply *kv, ngx_uint_t gauge);
static ngx_int_t ngx_pa_stats_late(ngx_http_request_t *r, ngx_pa_stats_t *st,
    redisReply *list);
static ngx_pa_stats_row_t *ngx_pa_stats_row(ngx_http_request_t *r,
    ngx_pa_stats_t *st, ngx_str_t *agency);
static void ngx_pa_stats_free(ngx_pa_stats_t *st);
static json_t *ngx_pa_stats_row_json(ngx_http_request_t *r,
    ngx_pa_stats_row_t *row);
static int ngx_libc_cdecl ngx_pa_stats_cmp(const void *one,
    const void *two);


ngx_int_t
ngx_pa_stats_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_tm_t             tm;
    ngx_int_t            rc, day;
    ngx_str_t            v;
    ngx_uint_t           i;
    ngx_array_t         *keys;
    ngx_pa_err_t         err;
    ngx_pa_stats_t      *st;
    ngx_pa_caller_t      caller;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    rc = ngx_pa_auth(r, ctx, &caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    if (caller.role != NGX_PA_ROLE_IOC
        && caller.role != NGX_PA_ROLE_SUPERVISOR
        && caller.role != NGX_PA_ROLE_ADMIN)
    {
        return ngx_pa_auth_fail(r, NGX_OK);
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_pa_stats_t));
    if (st == NULL
        || ngx_array_init(&st->rows, r->pool, 32, sizeof(ngx_pa_stats_row_t))
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = st;

    if (caller.subtree) {
        st->scope = caller.agency;
    }

    if (ngx_pa_view_arg(r, "format", &v) == NGX_OK) {
        if (v.len == 3 && ngx_strncmp(v.data, "csv", 3) == 0) {
            st->csv = 1;

        } else if (!(v.len == 4 && ngx_strncmp(v.data, "json", 4) == 0)) {
            return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                     "invalid_field", "format",
                                     "format is json or csv");
        }
    }

    if (ngx_pa_stats_range(r, st, ctx->now + pmcf->utc_offset, &err)
        != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    keys = ngx_array_create(r->pool, 2 * (st->to - st->from + 1) + 9,
                            sizeof(ngx_str_t));

    if (keys == NULL || ngx_pa_key(r, keys, "gauge") == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /*
     * the IOC's work load: the reports in its states now, each state's
     * work list (its one index) and its st: (reports of an earlier
     * version, until queue.lua merges them)
     */

    for (i = 0; ngx_pa_stats_ioc[i]; i++) {
        if (ngx_pa_key(r, keys, "q:%s", ngx_pa_stats_ioc[i]) == NULL
            || ngx_pa_key(r, keys, "st:%s", ngx_pa_stats_ioc[i]) == NULL)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    /* the days' counters, then the same days' overdue lists */

    for (day = st->from; day <= st->to; day++) {
        ngx_gmtime((time_t) day * 86400, &tm);

        if (ngx_pa_key(r, keys, "stats:%04d%02d%02d", tm.ngx_tm_year,
                       tm.ngx_tm_mon, tm.ngx_tm_mday)
            == NULL)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    for (day = st->from; day <= st->to; day++) {
        ngx_gmtime((time_t) day * 86400, &tm);

        if (ngx_pa_key(r, keys, "late:%04d%02d%02d", tm.ngx_tm_year,
                       tm.ngx_tm_mon, tm.ngx_tm_mday)
            == NULL)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_STATS, keys, NULL,
                       ngx_pa_stats_done);
}


static ngx_int_t
ngx_pa_stats_bad(ngx_pa_err_t *err, const char *code, const char *field,
    const char *message)
{
    ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, code, field, message);

    return NGX_ERROR;
}


/*
 * from=&to= (default: from the first of the month to today), or
 * period=month|quarter|year&year=&month=|quarter=; a response (400) on
 * bad input, else NGX_OK.  now is the province's local time.
 */

static ngx_int_t
ngx_pa_stats_range(ngx_http_request_t *r, ngx_pa_stats_t *st, time_t now,
    ngx_pa_err_t *err)
{
    ngx_tm_t   tm;
    ngx_str_t  v, from, to;
    ngx_int_t  has_from, has_to;

    has_from = ngx_pa_view_arg(r, "from", &from) == NGX_OK;
    has_to = ngx_pa_view_arg(r, "to", &to) == NGX_OK;

    if (ngx_pa_view_arg(r, "period", &v) == NGX_OK) {
        if (has_from || has_to) {
            return ngx_pa_stats_bad(err,
                                    "invalid_field", "period",
                                    "give period or from and to, "
                                    "not both");
        }

        return ngx_pa_stats_period(r, st, &v, err);
    }

    ngx_gmtime(now, &tm);

    st->to = ngx_pa_stats_days(tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday);
    st->from = ngx_pa_stats_days(tm.ngx_tm_year, tm.ngx_tm_mon, 1);

    if (has_to) {
        if (ngx_pa_stats_date(&to, &st->to) != NGX_OK) {
            return ngx_pa_stats_bad(err,
                                    "invalid_field", "to",
                                    "to is a date YYYY-MM-DD");
        }

        ngx_gmtime((time_t) st->to * 86400, &tm);
        st->from = ngx_pa_stats_days(tm.ngx_tm_year, tm.ngx_tm_mon, 1);
    }

    if (has_from && ngx_pa_stats_date(&from, &st->from) != NGX_OK) {
        return ngx_pa_stats_bad(err, "invalid_field",
                                "from", "from is a date YYYY-MM-DD");
    }

    if (st->to < st->from) {
        return ngx_pa_stats_bad(err, "invalid_field",
                                "to", "to is before from");
    }

    if (st->to - st->from + 1 > NGX_PA_STATS_DAYS_MAX) {
        return ngx_pa_stats_bad(err, "invalid_field",
                                "to", "a range is 366 days at most");
    }

    return NGX_OK;
}


/* the periodic reports: a calendar month, quarter or year */

static ngx_int_t
ngx_pa_stats_period(ngx_http_request_t *r, ngx_pa_stats_t *st,
    ngx_str_t *period, ngx_pa_err_t *err)
{
    ngx_str_t   v;
    ngx_int_t   year, n, first, last;
    const char *unit;

    if (ngx_pa_view_arg(r, "year", &v) != NGX_OK) {
        return ngx_pa_stats_bad(err, "missing_field",
                                "year", "a period needs its year");
    }

    year = v.len == 4 ? ngx_atoi(v.data, 4) : NGX_ERROR;

    if (year < 1970 || year > 9999) {
        return ngx_pa_stats_bad(err, "invalid_field",
                                "year", "year is 1970 to 9999");
    }

    if (period->len == 4 && ngx_strncmp(period->data, "year", 4) == 0) {
        first = 1;
        last = 12;
        unit = NULL;

    } else if (period->len == 5
               && ngx_strncmp(period->data, "month", 5) == 0)
    {
        unit = "month";

    } else if (period->len == 7
               && ngx_strncmp(period->data, "quarter", 7) == 0)
    {
        unit = "quarter";

    } else {
        return ngx_pa_stats_bad(err, "invalid_field",
                                "period", "period is month, quarter or "
                                "year");
    }

    if (unit) {
        if (ngx_pa_view_arg(r, unit, &v) != NGX_OK) {
            return ngx_pa_stats_bad(err,
                                    "missing_field", unit,
                                    unit[0] == 'm'
                                    ? "a monthly report needs month=1..12"
                                    : "a quarterly report needs "
                                      "quarter=1..4");
        }

        n = (v.len == 1 || v.len == 2) ? ngx_atoi(v.data, v.len)
                                        : NGX_ERROR;

        if (n < 1 || n > (unit[0] == 'm' ? 12 : 4)) {
            return ngx_pa_stats_bad(err,
                                    "invalid_field", unit,
                                    unit[0] == 'm' ? "month is 1 to 12"
                                                   : "quarter is 1 to 4");
        }

        if (unit[0] == 'm') {
            first = n;
            last = n;
            (void) ngx_sprintf(st->period, "%04i-%02i%Z", year, n);

        } else {
            first = n * 3 - 2;
            last = n * 3;
            (void) ngx_sprintf(st->period, "%04i-Q%i%Z", year, n);
        }

    } else {
        (void) ngx_sprintf(st->period, "%04i%Z", year);
    }

    st->from = ngx_pa_stats_days(year, first, 1);

    /* the day before the first of the next month */
    st->to = (last == 12 ? ngx_pa_stats_days(year + 1, 1, 1)
                         : ngx_pa_stats_days(year, last + 1, 1))
             - 1;

    return NGX_OK;
}


static void
ngx_pa_stats_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply          *reply = data;
    json_t              *list, *row, *body;
    ngx_uint_t           i;
    ngx_pa_stats_t      *st;
    ngx_pa_stats_row_t  *rows;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    st = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || ngx_pa_stats_add(r, st, reply->element[0], 0) != NGX_OK
        || ngx_pa_stats_add(r, st, reply->element[1], 1) != NGX_OK
        || ngx_pa_stats_late(r, st, reply->element[2]) != NGX_OK)
    {
        ngx_pa_stats_free(st);

        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: stats script failed: %*s",
                          (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply of the stats script");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "statistics cannot be read "
                                             "now, try again"));
        return;
    }

    ngx_qsort(st->rows.elts, st->rows.nelts, sizeof(ngx_pa_stats_row_t),
              ngx_pa_stats_cmp);

    list = json_array();
    if (list == NULL) {
        ngx_pa_stats_free(st);
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rows = st->rows.elts;

    for (i = 0; i < st->rows.nelts; i++) {

        /* a superior body reads the agencies under it, not the province */

        if (st->scope.len
            && !ngx_pa_directory_within(pmcf, &rows[i].agency, &st->scope))
        {
            continue;
        }

        row = ngx_pa_stats_row_json(r, &rows[i]);
        if (row == NULL || json_array_append_new(list, row) != 0) {
            ngx_pa_stats_free(st);
            json_decref(list);
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: cannot build the statistics");
            ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    if (st->csv) {
        ngx_pa_finalize(r, ngx_pa_stats_send_csv(r, st, list));
        return;
    }

    body = json_pack("{s:o, s:o, s:I, s:o}",
                     "from", ngx_pa_stats_day_json(st->from),
                     "to", ngx_pa_stats_day_json(st->to),
                     "min_ratings", (json_int_t) pmcf->stats_min_ratings,
                     "agencies", list);

    if (body && st->period[0]) {
        json_object_set_new(body, "period",
                            json_string((char *) st->period));
    }

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, body));
}


/*
 * The same table for a spreadsheet: one line per agency, the columns of
 * the JSON rows (ratings spread out, flags joined by ";"), escaped by
 * ngx_pa_csv so that no cell is taken for a formula.
 */

static ngx_int_t
ngx_pa_stats_send_csv(ngx_http_request_t *r, ngx_pa_stats_t *st,
    json_t *list)
{
    u_char              *p;
    json_t              *row, *ratings;
    size_t               i, k;
    ngx_int_t            rc;
    ngx_str_t            file;
    ngx_pa_csv_t         csv;
    ngx_pa_main_conf_t  *pmcf;

    static const char  *header[] = {
        "agency", "name", "dispatched", "resolved", "on_time", "overdue",
        "extension_missed", "in_progress", "satisfied", "acceptable",
        "unsatisfied", "satisfaction_rate", "flags", "overdue_reports", NULL
    };

    static const char  *counts[] = {
        "agency", "name", "dispatched", "resolved", "on_time", "overdue",
        "extension_missed", "in_progress", NULL
    };

    static const char  *rated[] = {
        "satisfied", "acceptable", "unsatisfied", NULL
    };

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    rc = ngx_pa_csv_init(&csv, r->pool);

    if (rc == NGX_OK) {
        rc = ngx_pa_csv_names(&csv, header);
    }

    json_array_foreach(list, i, row) {
        if (rc != NGX_OK) {
            break;
        }

        for (k = 0; counts[k] && rc == NGX_OK; k++) {
            rc = ngx_pa_csv_json(&csv, json_object_get(row, counts[k]));
        }

        ratings = json_object_get(row, "ratings");

        for (k = 0; rated[k] && rc == NGX_OK; k++) {
            rc = ngx_pa_csv_json(&csv, json_object_get(ratings, rated[k]));
        }

        if (rc == NGX_OK) {
            rc = ngx_pa_csv_json(&csv,
                                 json_object_get(row, "satisfaction_rate"));
        }

        /* lists in one cell each: "overdue;low_satisfaction" */

        if (rc == NGX_OK) {
            rc = ngx_pa_stats_csv_list(r, &csv,
                                       json_object_get(row, "flags"));
        }

        if (rc == NGX_OK) {
            rc = ngx_pa_stats_csv_list(r, &csv,
                                       json_object_get(row,
                                                       "overdue_reports"));
        }

        if (rc == NGX_OK) {
            rc = ngx_pa_csv_eol(&csv);
        }
    }

    json_decref(list);

    file.data = ngx_pnalloc(r->pool, pmcf->tenant.len
                                     + sizeof("pa-stats--YYYY-MM-DD"
                                              "-YYYY-MM-DD.csv"));
    if (rc != NGX_OK || file.data == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot build the statistics as CSV");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(file.data, "pa-stats-%V-", &pmcf->tenant);
    p = ngx_pa_stats_day_print(p, st->from);
    *p++ = '-';
    p = ngx_pa_stats_day_print(p, st->to);
    p = ngx_cpymem(p, ".csv", 4);

    file.len = p - file.data;

    return ngx_pa_csv_send(r, &csv, &file);
}


/* "<agency>|<counter>" -> value pairs into the agencies' rows */

static ngx_int_t
ngx_pa_stats_add(ngx_http_request_t *r, ngx_pa_stats_t *st, redisReply *kv,
    ngx_uint_t gauge)
{
    u_char              *bar;
    int64_t              n;
    ngx_str_t            agency, name;
    ngx_uint_t           i, c;
    redisReply          *f, *v;
    ngx_pa_stats_row_t  *row;

    if (kv->type != REDIS_REPLY_ARRAY || kv->elements % 2) {
        return NGX_ERROR;
    }

    for (i = 0; i < kv->elements; i += 2) {
        f = kv->element[i];
        v = kv->element[i + 1];

        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        bar = (u_char *) ngx_strlchr((u_char *) f->str,
                                     (u_char *) f->str + f->len, '|');
        if (bar == NULL || bar == (u_char *) f->str) {
            continue;
        }

        agency.data = (u_char *) f->str;
        agency.len = bar - agency.data;
        name.data = bar + 1;
        name.len = f->len - agency.len - 1;

        for (c = gauge ? NGX_PA_C_IN_PROGRESS : 0; c < NGX_PA_C_LAST; c++) {
            if (ngx_pa_counters[c].len == name.len
                && ngx_strncmp(ngx_pa_counters[c].data, name.data,
                               name.len) == 0)
            {
                break;
            }
        }

        if (c == NGX_PA_C_LAST || (c == NGX_PA_C_IN_PROGRESS && !gauge)) {
            continue;
        }

        n = ngx_atoof((u_char *) v->str, v->len);
        if (n == NGX_ERROR) {
            /* a gauge may go below zero: show it as nothing in progress */
            n = 0;
        }

        if (n == 0) {
            /* nothing to add: no row for it alone */
            continue;
        }

        row = ngx_pa_stats_row(r, st, &agency);
        if (row == NULL) {
            return NGX_ERROR;
        }

        row->n[c] += n;
    }

    return NGX_OK;
}


/* the overdue list: "<agency>|<report id>", sorted, into the rows */

static ngx_int_t
ngx_pa_stats_late(ngx_http_request_t *r, ngx_pa_stats_t *st,
    redisReply *list)
{
    u_char              *bar;
    ngx_str_t            agency;
    ngx_uint_t           i;
    redisReply          *m;
    ngx_pa_stats_row_t  *row;

    if (list->type != REDIS_REPLY_ARRAY) {
        return NGX_ERROR;
    }

    for (i = 0; i < list->elements; i++) {
        m = list->element[i];

        if (m->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        bar = (u_char *) ngx_strlchr((u_char *) m->str,
                                     (u_char *) m->str + m->len, '|');
        if (bar == NULL || bar == (u_char *) m->str) {
            continue;
        }

        agency.data = (u_char *) m->str;
        agency.len = bar - agency.data;

        row = ngx_pa_stats_row(r, st, &agency);
        if (row == NULL) {
            return NGX_ERROR;
        }

        if (row->late == NULL) {
            row->late = json_array();
            if (row->late == NULL) {
                return NGX_ERROR;
            }
        }

        /* a year of a bad agency is long: the first ones, by id */
        if (json_array_size(row->late) < NGX_PA_STATS_LATE_MAX) {
            json_array_append_new(row->late,
                                  ngx_pa_json_strn(bar + 1,
                                                   m->len - agency.len - 1));
        }
    }

    return NGX_OK;
}


/* the row of an agency, made when it has none yet */

static ngx_pa_stats_row_t *
ngx_pa_stats_row(ngx_http_request_t *r, ngx_pa_stats_t *st,
    ngx_str_t *agency)
{
    ngx_uint_t           k;
    ngx_pa_stats_row_t  *rows, *row;

    rows = st->rows.elts;

    for (k = 0; k < st->rows.nelts; k++) {
        if (rows[k].agency.len == agency->len
            && ngx_strncmp(rows[k].agency.data, agency->data, agency->len)
               == 0)
        {
            return &rows[k];
        }
    }

    row = ngx_array_push(&st->rows);
    if (row == NULL) {
        return NULL;
    }

    ngx_memzero(row, sizeof(ngx_pa_stats_row_t));

    row->agency.data = ngx_pstrdup(r->pool, agency);
    if (row->agency.data == NULL) {
        return NULL;
    }

    row->agency.len = agency->len;

    return row;
}


/* the rows' lists not handed over to an answer */

static void
ngx_pa_stats_free(ngx_pa_stats_t *st)
{
    ngx_uint_t           i;
    ngx_pa_stats_row_t  *rows;

    rows = st->rows.elts;

    for (i = 0; i < st->rows.nelts; i++) {
        if (rows[i].late) {
            json_decref(rows[i].late);
            rows[i].late = NULL;
        }
    }
}


static json_t *
ngx_pa_stats_row_json(ngx_http_request_t *r, ngx_pa_stats_row_t *row)
{
    json_t              *o, *flags;
    int64_t              rated;
    ngx_pa_agency_t     *ag;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    rated = row->n[NGX_PA_C_SATISFIED] + row->n[NGX_PA_C_ACCEPTABLE]
            + row->n[NGX_PA_C_UNSATISFIED];

    flags = json_array();
    if (flags == NULL) {
        return NULL;
    }

    if (row->n[NGX_PA_C_OVERDUE] > 0) {
        json_array_append_new(flags, json_string("overdue"));
    }

    if (row->n[NGX_PA_C_EXTENSION_MISSED] > 0) {
        json_array_append_new(flags, json_string("extension_missed"));
    }

    /* one bad rating does not brand an agency: a minimum count first */

    if (rated > 0 && rated >= (int64_t) pmcf->stats_min_ratings
        && (double) row->n[NGX_PA_C_SATISFIED] / rated
           < NGX_PA_STATS_LOW_RATE)
    {
        json_array_append_new(flags, json_string("low_satisfaction"));
    }

    ag = ngx_pa_directory_agency(pmcf, &row->agency);

    o = json_pack("{s:s#, s:o, s:I, s:I, s:I, s:I, s:I, s:I,"
                  " s:{s:I, s:I, s:I}, s:o, s:o}",
                  "agency", row->agency.data, (int) row->agency.len,
                  "name", ag ? json_stringn((char *) ag->name.data,
                                            ag->name.len)
                             : json_null(),
                  "dispatched", (json_int_t) row->n[NGX_PA_C_DISPATCHED],
                  "resolved", (json_int_t) row->n[NGX_PA_C_RESOLVED],
                  "on_time", (json_int_t) row->n[NGX_PA_C_ON_TIME],
                  "overdue", (json_int_t) row->n[NGX_PA_C_OVERDUE],
                  "extension_missed",
                  (json_int_t) row->n[NGX_PA_C_EXTENSION_MISSED],
                  "in_progress",
                  (json_int_t) ngx_max(row->n[NGX_PA_C_IN_PROGRESS], 0),
                  "ratings",
                  "satisfied", (json_int_t) row->n[NGX_PA_C_SATISFIED],
                  "acceptable", (json_int_t) row->n[NGX_PA_C_ACCEPTABLE],
                  "unsatisfied", (json_int_t) row->n[NGX_PA_C_UNSATISFIED],
                  "satisfaction_rate",
                  rated ? json_real((double) row->n[NGX_PA_C_SATISFIED]
                                    / rated)
                        : json_null(),
                  "flags", flags);

    /* the list goes to the answer with its row */

    if (o != NULL) {
        json_object_set_new(o, "overdue_reports",
                            row->late ? row->late : json_array());

    } else if (row->late) {
        json_decref(row->late);
    }

    row->late = NULL;

    return o;
}


/* a JSON array of strings as one cell, joined by ";" */

static ngx_int_t
ngx_pa_stats_csv_list(ngx_http_request_t *r, ngx_pa_csv_t *csv, json_t *a)
{
    u_char     *p;
    size_t      k, len;
    json_t     *v;
    ngx_str_t   joined;

    len = 0;

    json_array_foreach(a, k, v) {
        len += json_string_length(v) + 1;
    }

    joined.data = ngx_pnalloc(r->pool, len + 1);
    if (joined.data == NULL) {
        return NGX_ERROR;
    }

    p = joined.data;

    json_array_foreach(a, k, v) {
        if (k) {
            *p++ = ';';
        }

        p = ngx_cpymem(p, json_string_value(v), json_string_length(v));
    }

    joined.len = p - joined.data;

    return ngx_pa_csv_cell(csv, &joined);
}


static int ngx_libc_cdecl
ngx_pa_stats_cmp(const void *one, const void *two)
{
    const ngx_pa_stats_row_t  *a = one, *b = two;

    return (int) ngx_memn2cmp(a->agency.data, b->agency.data, a->agency.len,
                              b->agency.len);
}


/* "YYYY-MM-DD", a real date, as days since 1970-01-01 */

static ngx_int_t
ngx_pa_stats_date(ngx_str_t *v, ngx_int_t *day)
{
    ngx_int_t   y, m, d, mdays;
    ngx_uint_t  i;

    static const ngx_int_t  month_days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (v->len != 10 || v->data[4] != '-' || v->data[7] != '-') {
        return NGX_ERROR;
    }

    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (v->data[i] < '0' || v->data[i] > '9')) {
            return NGX_ERROR;
        }
    }

    y = ngx_atoi(v->data, 4);
    m = ngx_atoi(v->data + 5, 2);
    d = ngx_atoi(v->data + 8, 2);

    if (y < 1970 || m < 1 || m > 12) {
        return NGX_ERROR;
    }

    mdays = month_days[m - 1];

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        mdays = 29;
    }

    if (d < 1 || d > mdays) {
        return NGX_ERROR;
    }

    *day = ngx_pa_stats_days(y, m, d);

    return NGX_OK;
}


/* days since 1970-01-01 of a civil date (proleptic Gregorian, y >= 1970) */

static ngx_int_t
ngx_pa_stats_days(ngx_int_t y, ngx_int_t m, ngx_int_t d)
{
    ngx_int_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static u_char *
ngx_pa_stats_day_print(u_char *p, ngx_int_t day)
{
    ngx_tm_t  tm;

    ngx_gmtime((time_t) day * 86400, &tm);

    return ngx_sprintf(p, "%04d-%02d-%02d", tm.ngx_tm_year, tm.ngx_tm_mon,
                       tm.ngx_tm_mday);
}


static json_t *
ngx_pa_stats_day_json(ngx_int_t day)
{
    u_char  buf[sizeof("YYYY-MM-DD")];

    (void) ngx_pa_stats_day_print(buf, day);

    return json_stringn((char *) buf, 10);
}
