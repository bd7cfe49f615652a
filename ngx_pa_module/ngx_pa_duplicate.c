/*
 * Duplicate hints: "is this the pothole reported yesterday across the
 * road?"  The IOC sees, on its read of a report, the reports of the same
 * category within pa_duplicate_radius metres that were submitted within
 * pa_duplicate_window before or after it.  Only a hint: nothing is
 * merged or refused (the 409 "duplicate" of one reporter is submit's).
 *
 * One position index a day for every category, pa:{t}:near:<YYYYMMDD>
 * (GEO, member "<created_at><ms>|<id>", ms the submission's millisecond
 * as two base-32 digits; "<created_at>|<id>" or the id alone in keys of
 * earlier versions; the province's local day of submission, as the stats: keys
 * count days).  A day key expires on its own once past
 * keeping, so nothing prunes it and a submission writes no time index
 * (issue 12): a read searches the days that can hold a report within
 * the window.  The category is not part of the key: the IOC may change
 * it at "receive", and the search reads each candidate's current
 * category, status and time from its hash, so hints are always those of
 * the reports as they are now.
 *
 * Before the day keys, one pa:{t}:near with pa:{t}:near:at (zset, score =
 * submitted) held every position: still searched while it exists, and
 * pruned by the sweeper until it is empty (ngx_pa_duplicate_cutoff()).
 */

#include "ngx_pa_call.h"
#include "ngx_pa_dtoa.h"
#include "ngx_pa_duplicate.h"
#include "ngx_pa_geohash.h"
#include "ngx_pa_json.h"
#include "ngx_pa_record.h"
#include "ngx_pa_validate.h"


#define NGX_PA_DUPLICATE_RADIUS_MAX  10000      /* metres */

/* a report's read searches one day key a day of the window either side */
#define NGX_PA_DUPLICATE_WINDOW_MAX  (30 * 86400)

/*
 * An entry stays this long after the window: hints of a report read in
 * its first 30 days are exact, and the search never walks years of
 * reports of a busy crossroads.
 */
#define NGX_PA_DUPLICATE_KEEP        (30 * 86400)


/* pa_duplicate_radius off | <metres>[m] */

char *
ngx_pa_duplicate_radius_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    size_t      len;
    ngx_int_t   n;
    ngx_str_t  *value;

    if (pmcf->duplicate_radius != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        pmcf->duplicate_radius = 0;
        return NGX_CONF_OK;
    }

    len = value[1].len;

    if (len > 1 && value[1].data[len - 1] == 'm') {
        len--;
    }

    n = ngx_atoi(value[1].data, len);

    if (n == NGX_ERROR || n > NGX_PA_DUPLICATE_RADIUS_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid radius \"%V\": \"off\" or metres, "
                           "0..%d, as \"100\" or \"100m\"",
                           &value[1], NGX_PA_DUPLICATE_RADIUS_MAX);
        return NGX_CONF_ERROR;
    }

    pmcf->duplicate_radius = (ngx_uint_t) n;

    return NGX_CONF_OK;
}


/* pa_duplicate_window: bounded, as each day of it costs a search a read */

char *
ngx_pa_duplicate_window_check(ngx_conf_t *cf, void *post, void *data)
{
    time_t  *sp = data;

    if (*sp < 1 || *sp > NGX_PA_DUPLICATE_WINDOW_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_duplicate_window must be 1s..30d "
                           "(each day of it is one more geo search "
                           "on a report's read)");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * The report's position in the hints' index: its score (GEOADD's geohash
 * of the record's lng and lat as text, ngx_pa_geohash.h) and its member
 * "<created_at><ms>|<id>" into pos[0], pos[1].  The time leads (submit.lua
 * says why), to the millisecond: the reports of one place and one second
 * (a bench's thousands) would tie up to the id, random, and each insert
 * would walk among them.  Two base-32 digits (0-9a-v sort as they count)
 * keep the member in its allocator's size class of before.  NGX_DECLINED:
 * a position GEOADD refuses (beyond Web Mercator's latitudes): the report
 * does not join the index.
 */

static ngx_int_t
ngx_pa_duplicate_position(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_uint_t msec, ngx_str_t *id, ngx_str_t *pos)
{
    static u_char  digit[] = "0123456789abcdefghijklmnopqrstuv";

    char        *end;
    u_char      *p, text[2][32];    /* as ngx_pa_record_put_double() */
    double       v[2];
    uint64_t     score;
    ngx_uint_t   i;

    for (i = 0; i < 2; i++) {
        if (pos[i].len == 0 || pos[i].len >= sizeof(text[i])) {
            return NGX_DECLINED;
        }

        *ngx_cpymem(text[i], pos[i].data, pos[i].len) = '\0';
        v[i] = ngx_pa_strtod((char *) text[i], &end);

        if (end != (char *) text[i] + pos[i].len) {
            return NGX_DECLINED;
        }
    }

    if (ngx_pa_geohash_score(v[0], v[1], &score) != 0) {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, NGX_PA_GEOHASH_LEN + NGX_TIME_T_LEN
                             + sizeof("ms|") - 1 + id->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    pos[0].data = p;
    pos[0].len = ngx_sprintf(p, "%uL", score) - p;

    msec %= 1000;

    pos[1].data = pos[0].data + pos[0].len;
    pos[1].len = ngx_sprintf(pos[1].data, "%T%c%c|%V", ctx->now,
                             digit[msec / 32], digit[msec % 32], id)
                 - pos[1].data;

    return NGX_OK;
}


/*
 * The day key ends the report's group of KEYS, its time to live its
 * ARGV ("": the report does not join the hints, no key): until the end
 * of its day + the window + NGX_PA_DUPLICATE_KEEP,
 * as the sweeper kept entries of the single index.  Relative to the
 * worker's "now", not an EXPIREAT: the same instant in production, and
 * a test clock's day (pa_test_clock) lives as long as a real one.
 */

ngx_int_t
ngx_pa_duplicate_submit_day(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_uint_t msec, ngx_str_t *id, ngx_str_t *pos, ngx_array_t *keys,
    ngx_array_t *args)
{
    time_t               local, end;
    ngx_tm_t             tm;
    ngx_int_t            rc;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    rc = pmcf->duplicate_radius > 0
         ? ngx_pa_duplicate_position(r, ctx, msec, id, pos) : NGX_DECLINED;

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_str_null(&pos[0]);
        ngx_str_null(&pos[1]);
        return ngx_pa_arg_cstr(args, "");
    }

    local = ctx->now + pmcf->utc_offset;
    end = (local / 86400 + 1) * 86400 - pmcf->utc_offset;

    ngx_gmtime(local, &tm);

    if (ngx_pa_key(r, keys, "near:%04d%02d%02d", tm.ngx_tm_year,
                   tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL
        || ngx_pa_arg_int(r->pool, args, end - ctx->now
                                         + pmcf->duplicate_window
                                         + NGX_PA_DUPLICATE_KEEP)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


time_t
ngx_pa_duplicate_cutoff(ngx_pa_main_conf_t *pmcf, time_t now)
{
    if (pmcf->duplicate_radius == 0) {
        return 0;
    }

    return now - pmcf->duplicate_window - NGX_PA_DUPLICATE_KEEP;
}


ngx_uint_t
ngx_pa_duplicate_wanted(ngx_http_request_t *r, ngx_pa_caller_t *caller)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /* hints name reports of the whole province */

    return pmcf->duplicate_radius > 0 && caller->staff
           && !ngx_pa_role_agency_bound(caller->role) && !caller->subtree;
}


/*
 * The keys of the days that can hold a report within the window before or
 * after one submitted on the local day its id names ("YYMMDD-...", drawn
 * from the same "now" as its day key): 7 for 72 h.  An id that names no
 * date (a test id of pa_test_clock) declares none: get.lua then names
 * them from the report's created_at.
 */

static ngx_int_t
ngx_pa_duplicate_days(ngx_http_request_t *r, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *id, ngx_array_t *keys)
{
    u_char      *p;
    time_t       day, d, last;
    ngx_tm_t     tm;
    ngx_uint_t   i;
    struct tm    t;

    p = id->data;

    if (id->len < 7 || p[6] != '-') {
        return NGX_OK;
    }

    for (i = 0; i < 6; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return NGX_OK;
        }
    }

    ngx_memzero(&t, sizeof(struct tm));
    t.tm_year = 100 + (p[0] - '0') * 10 + (p[1] - '0');
    t.tm_mon = (p[2] - '0') * 10 + (p[3] - '0') - 1;
    t.tm_mday = (p[4] - '0') * 10 + (p[5] - '0');

    /* the local day's 00:00 counted as UTC: whole days from 1970 */

    day = timegm(&t);

    if (day == (time_t) -1) {
        return NGX_OK;
    }

    ngx_gmtime(day, &tm);

    if (tm.ngx_tm_mday != t.tm_mday || tm.ngx_tm_mon != t.tm_mon + 1) {
        return NGX_OK;                      /* not a date: "260231-..." */
    }

    last = day + 86399 + pmcf->duplicate_window;

    for (d = (day - pmcf->duplicate_window) / 86400 * 86400;
         d <= last;
         d += 86400)
    {
        ngx_gmtime(d, &tm);

        if (ngx_pa_key(r, keys, "near:%04d%02d%02d", tm.ngx_tm_year,
                       tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_duplicate_get_args(ngx_http_request_t *r, ngx_str_t *id,
    ngx_array_t *keys, ngx_array_t *args)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_key(r, keys, "near") == NULL
        || ngx_pa_key(r, keys, "near:at") == NULL
        || ngx_pa_arg_int(r->pool, args, pmcf->duplicate_radius) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, pmcf->duplicate_window) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, NGX_PA_DUPLICATE_HINTS) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, pmcf->utc_offset) != NGX_OK
        || ngx_pa_duplicate_days(r, pmcf, id, keys) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


json_t *
ngx_pa_duplicate_hints(ngx_http_request_t *r, ngx_pa_list_t *l)
{
    time_t               t;
    json_t              *list, *o, *at;
    ngx_int_t            metres;
    ngx_str_t           *s;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    list = json_array();
    if (list == NULL) {
        return NULL;
    }

    for (i = 0; i + 3 < l->n; i += 4) {
        s = &l->items[i];

        metres = ngx_atoi(s[1].data, s[1].len);
        t = ngx_atotm(s[3].data, s[3].len);
        at = (t == NGX_ERROR) ? json_null() : ngx_pa_time_json(pmcf, t);

        o = json_pack("{s:o, s:I, s:o, s:o}",
                      "id", ngx_pa_json_strn(s[0].data, s[0].len),
                      "distance_m", (json_int_t) (metres < 0 ? 0 : metres),
                      "status", ngx_pa_json_strn(s[2].data, s[2].len),
                      "submitted_at", at);

        if (o == NULL || json_array_append_new(list, o) != 0) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: cannot build the duplicate hint %V", s);
            json_decref(list);
            return NULL;
        }
    }

    return list;
}
