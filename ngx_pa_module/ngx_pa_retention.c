/*
 * Retention: closed reports (resolved, rejected, cancelled, monitoring,
 * escalated) whose last change is older than pa_retention leave Redis,
 * archived first.
 *
 * A run goes round by round: retention_read.lua returns up to a batch of
 * such reports whole (hash and history); the worker encodes one JSON line
 * each and appends them to <pa_archive_dir>/<tenant>-<YYYY-MM>.jsonl (the
 * month the report was last changed, in the province's time), fsync'ed,
 * in the thread pool of pa_thread_pool (inline without one); only when
 * every file of the round is on disk does retention_purge.lua remove the
 * reports with their indexes, token, duplicate prints, work lists and
 * deadlines, and the worker removes their public copies (pa_media_dir/
 * public/<id>/, in the thread pool).  A write that fails removes nothing;
 * a crash between the write and the purge leaves the reports in Redis,
 * archived again by a later round: a reader of the archive keeps the
 * last line of an id (the lines of one id are the same report;
 * docs/data-model.md).
 *
 * The sweeper's timer starts a run on its tick (one at a time per
 * worker, in worker 0 of the node holding the sweeper's lock); POST
 * /api/v1/admin/sweep runs one at the test clock's now.
 */

#include "ngx_pa_retention.h"
#include "ngx_pa_call.h"
#include "ngx_pa_json.h"
#include "ngx_pa_print.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_validate.h"

#include <dirent.h>
#include <jansson.h>


#define NGX_PA_RETENTION_BATCH   100    /* reports per round */
#define NGX_PA_RETENTION_LOOK    2000   /* index entries looked at */
#define NGX_PA_RETENTION_ROUNDS  1000   /* a request's run: rounds at most */
#define NGX_PA_RETENTION_FIXED   11     /* purge's KEYS before the groups */


/* one file of a round: the lines of one month */
typedef struct {
    ngx_str_t                  path;       /* NUL-terminated */
    ngx_str_t                  data;
    size_t                     size;       /* allocated */
} ngx_pa_archive_file_t;

struct ngx_pa_retention_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_pool_t                *pool;       /* the run's */
    ngx_pool_t                *round;      /* one round's: files, calls */
    ngx_pa_call_t              call;

    time_t                     now;
    time_t                     cutoff;
    ngx_uint_t                 rounds;
    ngx_uint_t                 max_rounds;
    ngx_int_t                  archived;   /* -1: the run failed */
    ngx_uint_t                 batch;      /* reports of this round */

    ngx_array_t               *files;      /* ngx_pa_archive_file_t */
    ngx_array_t               *gone;       /* ngx_str_t: ids purged */
    ngx_uint_t                 unlinked;   /* public copies that stayed */
    ngx_array_t               *keys;       /* the purge's */
    ngx_array_t               *args;
    ngx_int_t                  written;    /* the file work's result */
    ngx_err_t                  err;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif

    ngx_http_request_t        *request;    /* a request's run, NULL: gone */
    ngx_http_cleanup_t        *cleanup;
    ngx_pa_retention_req_pt    done;
    void                      *data;

    unsigned                   more:1;
    unsigned                   working:1;  /* the file work is in a thread */
    unsigned                   unpublishing:1;  /* ... the public copies */
    unsigned                   exiting:1;
};


static ngx_pa_retention_t *ngx_pa_retention_create(ngx_pa_main_conf_t *pmcf,
    ngx_log_t *log, time_t now);
static time_t ngx_pa_retention_cutoff(ngx_pa_main_conf_t *pmcf, time_t now);
static void ngx_pa_retention_read(ngx_pa_retention_t *rt);
static void ngx_pa_retention_on_read(ngx_pa_call_t *call, redisReply *reply);
static ngx_int_t ngx_pa_retention_report(ngx_pa_retention_t *rt,
    redisReply *id, redisReply *flat, redisReply *hist);
static ngx_int_t ngx_pa_retention_line(ngx_pa_retention_t *rt,
    redisReply *id, redisReply *flat, redisReply *hist, time_t last);
static ngx_int_t ngx_pa_retention_group(ngx_pa_retention_t *rt,
    redisReply *id, redisReply *flat);
static ngx_int_t ngx_pa_retention_others(ngx_pa_retention_t *rt,
    redisReply *flat);
static ngx_int_t ngx_pa_retention_due(ngx_pa_retention_t *rt, ngx_str_t *id,
    redisReply *flat);
static ngx_int_t ngx_pa_retention_fields(ngx_pa_retention_t *rt,
    redisReply *flat, ngx_uint_t ci, size_t n);
static ngx_int_t ngx_pa_retention_prints(ngx_pa_retention_t *rt,
    redisReply *flat);
static ngx_int_t ngx_pa_retention_append(ngx_pa_retention_t *rt,
    time_t last, u_char *line, size_t len);
static void ngx_pa_retention_write(ngx_pa_retention_t *rt);
static void ngx_pa_retention_run(void *data, ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_pa_retention_work_done(ngx_event_t *ev);
#endif
static void ngx_pa_retention_written(ngx_pa_retention_t *rt);
static void ngx_pa_retention_on_purged(ngx_pa_call_t *call,
    redisReply *reply);
static void ngx_pa_retention_unpublish(ngx_pa_retention_t *rt,
    redisReply *ids);
static void ngx_pa_retention_unpublish_run(void *data, ngx_log_t *log);
static void ngx_pa_retention_next(ngx_pa_retention_t *rt);
static void ngx_pa_retention_finish(ngx_pa_retention_t *rt);
static void ngx_pa_retention_request_cleanup(void *data);
static ngx_str_t *ngx_pa_retention_key(ngx_pa_retention_t *rt,
    ngx_array_t *keys, const char *fmt, ...);
static ngx_int_t ngx_pa_retention_count(ngx_pa_retention_t *rt,
    ngx_uint_t i, size_t n);
static redisReply *ngx_pa_retention_cold(ngx_pa_retention_t *rt,
    redisReply *flat, const char *name);
static redisReply *ngx_pa_retention_field(redisReply *flat,
    const char *name);
static ngx_int_t ngx_pa_retention_near(ngx_pa_retention_t *rt,
    redisReply *flat);


/* ------------------------------------------------------------ directives */

char *
ngx_pa_retention_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char      unit;
    ngx_int_t   n;
    ngx_str_t  *value;

    if (pmcf->retention_years != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        pmcf->retention_years = 0;
        pmcf->retention_days = 0;
        return NGX_CONF_OK;
    }

    unit = value[1].len > 1 ? value[1].data[value[1].len - 1] : '\0';
    n = (unit == 'y' || unit == 'd')
        ? ngx_atoi(value[1].data, value[1].len - 1) : NGX_ERROR;

    /* a year at least: a province keeps its reports for years */

    if (n <= 0 || (unit == 'y' && n > 100) || (unit == 'd' && n > 36500)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_retention\" directive invalid value \"%V\""
                           " (off, <years>y or <days>d)", &value[1]);
        return NGX_CONF_ERROR;
    }

    pmcf->retention_years = unit == 'y' ? (ngx_uint_t) n : 0;
    pmcf->retention_days = unit == 'd' ? (ngx_uint_t) n : 0;

    return NGX_CONF_OK;
}


char *
ngx_pa_retention_init_conf(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_path_t  *path;

    if (pmcf->retention_years == NGX_CONF_UNSET_UINT) {
        pmcf->retention_years = 0;
        pmcf->retention_days = 0;
    }

    if (!ngx_pa_retention_on(pmcf)) {
        return NGX_CONF_OK;
    }

    /* as pa_media_dir's "media": under nginx's prefix unless named */

    if (pmcf->archive_dir.len == 0) {
        ngx_str_set(&pmcf->archive_dir, "archive");
    }

    if (ngx_conf_full_name(cf->cycle, &pmcf->archive_dir, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* made at start and handed to the worker user, as pa_media_dir */

    path = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (path == NULL) {
        return NGX_CONF_ERROR;
    }

    path->name = pmcf->archive_dir;
    path->conf_file = cf->conf_file->file.name.data;
    path->line = cf->conf_file->line;

    if (ngx_add_path(cf, &path) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_uint_t
ngx_pa_retention_on(ngx_pa_main_conf_t *pmcf)
{
    return pmcf->retention_years != NGX_CONF_UNSET_UINT
           && (pmcf->retention_years || pmcf->retention_days);
}


/* ------------------------------------------------------------ starting */

void
ngx_pa_retention_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pa_retention_t  *rt;

    if (!ngx_pa_retention_on(pmcf) || pmcf->worker.retention != NULL) {
        return;
    }

    rt = ngx_pa_retention_create(pmcf, log, ngx_time());
    if (rt == NULL) {
        return;
    }

    /* nobody waits: it goes on until nothing past keeping is left */
    rt->max_rounds = (ngx_uint_t) -1;
    rt->call.background = 1;

    pmcf->worker.retention = rt;

    ngx_pa_retention_read(rt);
}


void
ngx_pa_retention_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_retention_t  *rt;

    rt = pmcf->worker.retention;
    if (rt == NULL) {
        return;
    }

    pmcf->worker.retention = NULL;

    ngx_pa_call_cancel(&rt->call);

    if (rt->working) {
        /* the thread still writes into the round's pool: left to exit */
        rt->exiting = 1;
        return;
    }

    if (rt->round != NULL) {
        ngx_destroy_pool(rt->round);
    }

    ngx_destroy_pool(rt->pool);
}


ngx_int_t
ngx_pa_retention_request(ngx_http_request_t *r, time_t now,
    ngx_pa_retention_req_pt done, void *data)
{
    ngx_http_cleanup_t  *cln;
    ngx_pa_retention_t  *rt;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the cycle's log: the run may outlive the request and its connection */

    rt = ngx_pa_retention_create(pmcf, ngx_cycle->log, now);
    if (rt == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rt->max_rounds = NGX_PA_RETENTION_ROUNDS;
    rt->request = r;
    rt->cleanup = cln;
    rt->done = done;
    rt->data = data;

    /* a request gone meanwhile: the run ends on its own, nobody told */
    cln->handler = ngx_pa_retention_request_cleanup;
    cln->data = rt;

    ngx_pa_retention_read(rt);

    return NGX_DONE;
}


static void
ngx_pa_retention_request_cleanup(void *data)
{
    ngx_pa_retention_t  *rt = data;

    rt->request = NULL;
}


static ngx_pa_retention_t *
ngx_pa_retention_create(ngx_pa_main_conf_t *pmcf, ngx_log_t *log,
    time_t now)
{
    ngx_pool_t          *pool;
    ngx_pa_retention_t  *rt;

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (pool == NULL) {
        return NULL;
    }

    rt = ngx_pcalloc(pool, sizeof(ngx_pa_retention_t));
    if (rt == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    rt->conf = pmcf;
    rt->log = log;
    rt->pool = pool;
    rt->now = now;
    rt->cutoff = ngx_pa_retention_cutoff(pmcf, now);

#if (NGX_THREADS)
    if (pmcf->thread_pool != NULL) {
        rt->task = ngx_pa_thread_task(pool, ngx_pa_retention_run, rt);
        if (rt->task == NULL) {
            ngx_destroy_pool(pool);
            return NULL;
        }

        rt->task->event.data = rt;
        rt->task->event.handler = ngx_pa_retention_work_done;
        rt->task->event.log = log;
    }
#endif

    return rt;
}


/*
 * "5y": the same local date and time five years before (29 February
 * becomes the 28th); "30d": 30 times 24 hours before.
 */

static time_t
ngx_pa_retention_cutoff(ngx_pa_main_conf_t *pmcf, time_t now)
{
    ngx_tm_t    tm;
    ngx_int_t   y, m, d, era, yoe, doy, doe, days;

    if (pmcf->retention_days) {
        return now - (time_t) pmcf->retention_days * 86400;
    }

    ngx_gmtime(now + pmcf->utc_offset, &tm);

    y = tm.ngx_tm_year - (ngx_int_t) pmcf->retention_years;
    m = tm.ngx_tm_mon;
    d = tm.ngx_tm_mday;

    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
    {
        d = 28;
    }

    /* days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil) */

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;

    return (time_t) days * 86400 + tm.ngx_tm_hour * 3600 + tm.ngx_tm_min * 60
           + tm.ngx_tm_sec - pmcf->utc_offset;
}


/* ------------------------------------------------------------ a round */

/*
 * KEYS: the closed states' indexes, the scan's cursor.  ARGV: cutoff,
 * reports at most, index entries at most (retention_read.lua).
 */

static void
ngx_pa_retention_read(ngx_pa_retention_t *rt)
{
    ngx_uint_t    i;
    ngx_array_t  *keys, *args;

    static const char  *states[] = {
        "resolved", "rejected", "cancelled", "monitoring", "escalated"
    };

    rt->round = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, rt->log);
    if (rt->round == NULL) {
        goto failed;
    }

    keys = ngx_array_create(rt->round, 6, sizeof(ngx_str_t));
    args = ngx_array_create(rt->round, 3, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        goto failed;
    }

    for (i = 0; i < 5; i++) {
        if (ngx_pa_retention_key(rt, keys, "st:%s", states[i]) == NULL) {
            goto failed;
        }
    }

    if (ngx_pa_retention_key(rt, keys, "retention:cursor") == NULL
        || ngx_pa_arg_int(rt->round, args, rt->cutoff) != NGX_OK
        || ngx_pa_arg_int(rt->round, args, NGX_PA_RETENTION_BATCH) != NGX_OK
        || ngx_pa_arg_int(rt->round, args, NGX_PA_RETENTION_LOOK) != NGX_OK)
    {
        goto failed;
    }

    ngx_pa_call_init(&rt->call, rt->conf, rt->round, rt->log);
    rt->call.background = rt->request == NULL;

    if (ngx_pa_call_script(&rt->call, NGX_PA_SCRIPT_RETENTION_READ, keys,
                           args)
        != NGX_OK)
    {
        goto failed;
    }

    if (ngx_pa_call_send(&rt->call, ngx_pa_retention_on_read, rt) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, rt->log, 0,
                      "pa retention: Redis not reachable, next tick");
        rt->archived = -1;
        ngx_pa_retention_finish(rt);
    }

    return;

failed:

    ngx_log_error(NGX_LOG_ALERT, rt->log, 0, "pa retention: out of memory");
    rt->archived = -1;
    ngx_pa_retention_finish(rt);
}


/* {more, id, {field, value...}, {history entry...}, ...} */

static void
ngx_pa_retention_on_read(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_retention_t  *rt = call->data;

    size_t        i, n;
    redisReply  **e;

    if (reply == NULL) {
        ngx_log_error(NGX_LOG_WARN, rt->log, 0,
                      "pa retention: no answer from Redis, next tick");
        goto failed;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: retention_read.lua failed: %*s",
                      (size_t) reply->len, reply->str);
        goto failed;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
        || (reply->elements - 1) % 3 != 0
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: unexpected answer of "
                      "retention_read.lua");
        goto failed;
    }

    e = reply->element;
    n = (reply->elements - 1) / 3;
    rt->more = e[0]->integer != 0;
    rt->batch = n;

    if (n == 0) {
        ngx_pa_retention_finish(rt);
        return;
    }

    rt->files = ngx_array_create(rt->round, 2,
                                 sizeof(ngx_pa_archive_file_t));
    rt->keys = ngx_array_create(rt->round, NGX_PA_RETENTION_FIXED + 6 * n,
                                sizeof(ngx_str_t));
    rt->args = ngx_array_create(rt->round, 1 + 8 * n, sizeof(ngx_str_t));

    if (rt->files == NULL || rt->keys == NULL || rt->args == NULL
        || ngx_pa_retention_key(rt, rt->keys, "all") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "pub") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "geo") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "near") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "near:at") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "due") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "st:resolved") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "st:rejected") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "st:cancelled") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "st:monitoring") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "st:escalated") == NULL
        || ngx_pa_arg_int(rt->round, rt->args, n) != NGX_OK)
    {
        goto nomem;
    }

    for (i = 0; i < n; i++) {
        if (ngx_pa_retention_report(rt, e[1 + 3 * i], e[2 + 3 * i],
                                    e[3 + 3 * i])
            != NGX_OK)
        {
            goto nomem;
        }
    }

    ngx_pa_retention_write(rt);

    return;

nomem:

    ngx_log_error(NGX_LOG_ALERT, rt->log, 0,
                  "pa retention: out of memory, nothing removed");

failed:

    rt->archived = -1;
    ngx_pa_retention_finish(rt);
}


static ngx_int_t
ngx_pa_retention_report(ngx_pa_retention_t *rt, redisReply *id,
    redisReply *flat, redisReply *hist)
{
    time_t       last;
    redisReply  *v;

    if (id->type != REDIS_REPLY_STRING || flat->type != REDIS_REPLY_ARRAY
        || flat->elements % 2 != 0 || hist->type != REDIS_REPLY_ARRAY)
    {
        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: unexpected report in the answer of "
                      "retention_read.lua");
        return NGX_ERROR;
    }

    /* the month of the last change names the file */

    v = ngx_pa_retention_field(flat, "updated_at");
    if (v == NULL) {
        v = ngx_pa_retention_field(flat, "created_at");
    }

    last = v ? ngx_atotm((u_char *) v->str, v->len) : NGX_ERROR;
    if (last == NGX_ERROR) {
        last = rt->now;
    }

    if (ngx_pa_retention_line(rt, id, flat, hist, last) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_retention_group(rt, id, flat);
}


/*
 * {"id", "archived_at", "report": {every field as stored, personal data
 * still sealed}, "history": [the entries]}
 */

static ngx_int_t
ngx_pa_retention_line(ngx_pa_retention_t *rt, redisReply *id,
    redisReply *flat, redisReply *hist, time_t last)
{
    char           *dump, at[NGX_PA_TIME_LEN];
    json_t         *o, *rep, *h, *v;
    size_t          i, len;
    ngx_int_t       rc;
    ngx_pa_hash_t   fields;
    ngx_pa_list_t   entries;

    /*
     * one layout in the archive: a lean record's "doc" unfolded, and its
     * implied first history entry written out (ngx_pa_doc.h)
     */

    if (ngx_pa_hash_from_reply(rt->round, flat, &fields) != NGX_OK
        || ngx_pa_list_from_reply(rt->round, hist, &entries) != NGX_OK
        || ngx_pa_view_history_first(rt->round, rt->conf, &fields, &entries,
                                     NGX_MAX_UINT32_VALUE)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    o = json_object();
    rep = json_object();
    h = json_array();

    if (o == NULL || rep == NULL || h == NULL) {
        json_decref(o);
        json_decref(rep);
        json_decref(h);
        return NGX_ERROR;
    }

    len = ngx_pa_rfc3339_format(rt->now, (int) rt->conf->utc_offset, 0, at);

    json_object_set_new(o, "id", ngx_pa_json_strn((u_char *) id->str,
                                                  id->len));
    json_object_set_new(o, "archived_at", ngx_pa_json_strn((u_char *) at,
                                                           len));
    json_object_set_new(o, "report", rep);
    json_object_set_new(o, "history", h);

    /*
     * names and values are NUL terminated copies (hash_from_reply); the
     * retry's proof "ik" (ngx_pa_submit_idem.h) is of no use past its day
     */

    for (i = 0; i < fields.n; i++) {
        if (ngx_strcmp(fields.kv[i * 2].data, "ik") == 0) {
            continue;
        }

        json_object_set_new(rep, (char *) fields.kv[i * 2].data,
                            ngx_pa_json_strn(fields.kv[i * 2 + 1].data,
                                             fields.kv[i * 2 + 1].len));
    }

    /* the entries are JSON written by the scripts: kept as JSON */

    for (i = 0; i < entries.n; i++) {
        v = json_loadb((char *) entries.items[i].data, entries.items[i].len,
                       0, NULL);
        if (v == NULL) {
            v = ngx_pa_json_strn(entries.items[i].data, entries.items[i].len);
        }

        json_array_append_new(h, v);
    }

    dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_pa_retention_append(rt, last, (u_char *) dump,
                                 ngx_strlen(dump));
    ngx_free(dump);

    return rc;
}


/* the line joins its month's file of the round */

static ngx_int_t
ngx_pa_retention_append(ngx_pa_retention_t *rt, time_t last, u_char *line,
    size_t len)
{
    u_char                 *p, name[sizeof("-YYYY-MM.jsonl")];
    size_t                  size;
    ngx_tm_t                tm;
    ngx_str_t              *prefix;
    ngx_uint_t              i;
    ngx_pa_archive_file_t  *f;

    ngx_gmtime(last + rt->conf->utc_offset, &tm);

    (void) ngx_sprintf(name, "-%04d-%02d.jsonl%Z", tm.ngx_tm_year,
                       tm.ngx_tm_mon);

    f = rt->files->elts;

    for (i = 0; i < rt->files->nelts; i++) {
        if (ngx_strncmp(f[i].path.data + f[i].path.len
                        - (sizeof(name) - 1),
                        name, sizeof(name) - 1) == 0)
        {
            f = &f[i];
            goto found;
        }
    }

    f = ngx_array_push(rt->files);
    if (f == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(f, sizeof(ngx_pa_archive_file_t));

    prefix = &rt->conf->tenant;

    f->path.len = rt->conf->archive_dir.len + 1 + prefix->len
                  + sizeof(name) - 1;
    f->path.data = ngx_pnalloc(rt->round, f->path.len + 1);
    if (f->path.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(f->path.data, "%V/%V%s%Z", &rt->conf->archive_dir,
                       prefix, name);

found:

    if (f->data.len + len + 1 > f->size) {
        size = ngx_max(2 * f->size, f->data.len + len + 1 + 4096);

        p = ngx_pnalloc(rt->round, size);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (f->data.len) {
            ngx_memcpy(p, f->data.data, f->data.len);
        }

        f->data.data = p;
        f->size = size;
    }

    p = ngx_cpymem(f->data.data + f->data.len, line, len);
    *p = '\n';
    f->data.len += len + 1;

    return NGX_OK;
}


/*
 * The report's KEYS group and ARGV of retention_purge.lua: r:, h:, tok:,
 * dup:, then its work lists and Open311 client index; ARGV id, stamp,
 * other keys, due members, duplicate prints.
 */

static ngx_int_t
ngx_pa_retention_group(ngx_pa_retention_t *rt, redisReply *id,
    redisReply *flat)
{
    ngx_str_t    sid, *s;
    redisReply  *v;

    /* the purge is sent after the file work: nothing may point into the
       read's reply, which is gone by then */

    sid.len = id->len;
    sid.data = ngx_pnalloc(rt->round, id->len);
    if (sid.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(sid.data, id->str, id->len);

    v = ngx_pa_retention_field(flat, "token_hash");

    if (ngx_pa_retention_key(rt, rt->keys, "r:%V", &sid) == NULL
        || ngx_pa_retention_key(rt, rt->keys, "h:%V", &sid) == NULL
        || ngx_pa_retention_key(rt, rt->keys, "tok:%*s",
                                v ? v->len : 0, v ? v->str : "") == NULL)
    {
        return NGX_ERROR;
    }

    v = ngx_pa_retention_field(flat, "phone_hash");

    /* its prints: in dup:<phone> before issue 12.4, in its bucket since */

    if (ngx_pa_retention_key(rt, rt->keys, "dup:%*s",
                             v ? v->len : 0, v ? v->str : "") == NULL
        || ngx_pa_retention_key(rt, rt->keys, "dup:%*s",
                                v ? ngx_min(v->len, NGX_PA_DUP_BUCKET) : 0,
                                v ? v->str : "") == NULL
        || ngx_pa_arg_str(rt->args, &sid) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the stamp: updated_at as archived ("" without one) */

    v = ngx_pa_retention_field(flat, "updated_at");

    s = ngx_pa_arg(rt->args);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s->data = (u_char *) "";
    s->len = 0;

    if (v != NULL) {
        s->data = ngx_pnalloc(rt->round, v->len);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(s->data, v->str, v->len);
        s->len = v->len;
    }

    if (ngx_pa_retention_others(rt, flat) != NGX_OK
        || ngx_pa_retention_due(rt, &sid, flat) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_pa_retention_prints(rt, flat);
}


/*
 * The group's other keys, counted: a closed report is listed only in the
 * work lists of resolved or escalated (act.lua's rule), for each agency
 * that holds, coordinates or held it; its day's hints key; an Open311
 * client's index.
 */

static ngx_int_t
ngx_pa_retention_others(ngx_pa_retention_t *rt, redisReply *flat)
{
    u_char      *p, *q, *end;
    size_t       first;
    ngx_uint_t   j, ci;
    redisReply  *v, *status;

    static const char  *named[] = { "agencies", "coordinator",
                                    "former_agencies" };

    /* the count is filled in once known: by index, the array may move */

    if (ngx_pa_arg(rt->args) == NULL) {
        return NGX_ERROR;
    }

    ci = rt->args->nelts - 1;
    first = rt->keys->nelts;

    status = ngx_pa_retention_field(flat, "status");

    if (status != NULL
        && ((status->len == 8 && ngx_strncmp(status->str, "resolved", 8) == 0)
            || (status->len == 9
                && ngx_strncmp(status->str, "escalated", 9) == 0)))
    {
        for (j = 0; j < sizeof(named) / sizeof(named[0]); j++) {
            v = ngx_pa_retention_field(flat, named[j]);
            if (v == NULL) {
                continue;
            }

            p = (u_char *) v->str;
            end = p + v->len;

            while (p < end) {
                q = ngx_strlchr(p, end, ',');
                if (q == NULL) {
                    q = end;
                }

                if (q > p
                    && ngx_pa_retention_key(rt, rt->keys, "aq:%*s:%*s",
                                            (size_t) (q - p), p,
                                            (size_t) status->len,
                                            status->str)
                       == NULL)
                {
                    return NGX_ERROR;
                }

                p = q + 1;
            }
        }

        /* escalated is also in the IOC's work list (queue.lua) */

        if (status->len == 9
            && ngx_pa_retention_key(rt, rt->keys, "q:escalated") == NULL)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_pa_retention_near(rt, flat) != NGX_OK) {
        return NGX_ERROR;
    }

    v = ngx_pa_retention_cold(rt, flat, "o311_client");

    if (v != NULL && v->len
        && ngx_pa_retention_key(rt, rt->keys, "o311:c:%*s", (size_t) v->len,
                                v->str)
           == NULL)
    {
        return NGX_ERROR;
    }

    return ngx_pa_retention_count(rt, ci, rt->keys->nelts - first);
}


/*
 * The day key of its duplicate hints' position, near:<local day of
 * created_at> (ngx_pa_duplicate.c): mostly expired by the time a report
 * is purged, but a short pa_retention may come first.
 */

static ngx_int_t
ngx_pa_retention_near(ngx_pa_retention_t *rt, redisReply *flat)
{
    time_t       created;
    ngx_tm_t     tm;
    redisReply  *v;

    v = ngx_pa_retention_field(flat, "created_at");
    if (v == NULL) {
        return NGX_OK;
    }

    created = ngx_atotm((u_char *) v->str, v->len);
    if (created == NGX_ERROR) {
        return NGX_OK;
    }

    ngx_gmtime(created + rt->conf->utc_offset, &tm);

    if (ngx_pa_retention_key(rt, rt->keys, "near:%04d%02d%02d",
                             tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday)
        == NULL)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* its members of due, counted: "<id>|<key>" of each dl:<key> */

static ngx_int_t
ngx_pa_retention_due(ngx_pa_retention_t *rt, ngx_str_t *id,
    redisReply *flat)
{
    u_char       *p;
    size_t        i, n;
    ngx_str_t    *s;
    ngx_uint_t    ci;
    redisReply  **e;

    if (ngx_pa_arg(rt->args) == NULL) {
        return NGX_ERROR;
    }

    ci = rt->args->nelts - 1;

    e = flat->element;
    n = 0;

    for (i = 0; i + 1 < flat->elements; i += 2) {
        if (e[i]->len <= 3 || ngx_strncmp(e[i]->str, "dl:", 3) != 0) {
            continue;
        }

        s = ngx_pa_arg(rt->args);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->len = id->len + 1 + e[i]->len - 3;
        s->data = ngx_pnalloc(rt->round, s->len);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(s->data, id->data, id->len);
        *p++ = '|';
        ngx_memcpy(p, e[i]->str + 3, e[i]->len - 3);
        n++;
    }

    return ngx_pa_retention_count(rt, ci, n);
}


/* its duplicate prints, counted: the text as submitted, each medium */

static ngx_int_t
ngx_pa_retention_prints(ngx_pa_retention_t *rt, redisReply *flat)
{
    u_char      *tmp;
    size_t       i, n;
    json_t      *media, *m;
    ngx_str_t   *s;
    ngx_uint_t   ci;
    redisReply  *v;
    const char  *hex;

    if (ngx_pa_arg(rt->args) == NULL) {
        return NGX_ERROR;
    }

    ci = rt->args->nelts - 1;
    n = 0;

    v = ngx_pa_retention_cold(rt, flat, "content_original");
    if (v != NULL) {
        s = ngx_pa_arg(rt->args);
        tmp = ngx_pnalloc(rt->round, v->len + 1);
        if (s == NULL || tmp == NULL) {
            return NGX_ERROR;
        }

        s->data = ngx_pnalloc(rt->round, NGX_PA_PRINT_LEN);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        ngx_pa_print_text((u_char *) v->str, v->len, tmp, s->data);
        s->len = NGX_PA_PRINT_LEN;
        n++;
    }

    v = ngx_pa_retention_field(flat, "media");
    media = v ? json_loadb(v->str, v->len, 0, NULL) : NULL;

    for (i = 0; i < json_array_size(media); i++) {
        m = json_array_get(media, i);
        hex = json_string_value(json_object_get(m, "id"));

        if (hex == NULL || ngx_strlen(hex) != 64) {
            continue;
        }

        s = ngx_pa_arg(rt->args);
        if (s == NULL) {
            json_decref(media);
            return NGX_ERROR;
        }

        s->data = ngx_pnalloc(rt->round, 2 + 64);
        if (s->data == NULL) {
            json_decref(media);
            return NGX_ERROR;
        }

        s->data[0] = 'm';
        s->data[1] = ':';
        ngx_memcpy(s->data + 2, hex, 64);
        s->len = 2 + 64;
        n++;
    }

    json_decref(media);

    if (ngx_pa_retention_fields(rt, flat, ci, n) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_retention_count(rt, ci, n);
}


/* then the same prints as fields of the phone's bucket (ngx_pa_print.h) */

static ngx_int_t
ngx_pa_retention_fields(ngx_pa_retention_t *rt, redisReply *flat,
    ngx_uint_t ci, size_t n)
{
    size_t       i;
    ngx_str_t   *s, *print;
    redisReply  *phone;

    phone = ngx_pa_retention_field(flat, "phone_hash");

    for (i = 0; i < n; i++) {
        s = ngx_pa_arg(rt->args);
        if (s == NULL) {
            return NGX_ERROR;
        }

        ngx_str_set(s, "");

        if (phone == NULL || phone->len < NGX_PA_DUP_CUT) {
            continue;
        }

        s->data = ngx_pnalloc(rt->round, NGX_PA_DUP_FIELD_LEN);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        /* the array may have moved: the print by index */

        print = (ngx_str_t *) rt->args->elts + ci + 1 + i;

        ngx_pa_print_field((u_char *) phone->str, print->data, s->data);
        s->len = NGX_PA_DUP_FIELD_LEN;
    }

    return NGX_OK;
}


/* ARGV[i] (0-based) = n */

static ngx_int_t
ngx_pa_retention_count(ngx_pa_retention_t *rt, ngx_uint_t i, size_t n)
{
    ngx_str_t  *a;

    a = rt->args->elts;

    a[i].data = ngx_pnalloc(rt->round, NGX_SIZE_T_LEN);
    if (a[i].data == NULL) {
        return NGX_ERROR;
    }

    a[i].len = ngx_sprintf(a[i].data, "%uz", n) - a[i].data;

    return NGX_OK;
}


/* ------------------------------------------------------------ the files */

static void
ngx_pa_retention_write(ngx_pa_retention_t *rt)
{
#if (NGX_THREADS)
    if (rt->task != NULL) {
        ngx_pa_thread_task_set(rt->task, ngx_pa_retention_run);
        rt->unpublishing = 0;

        if (ngx_thread_task_post(rt->conf->thread_pool, rt->task) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                          "pa retention: cannot post to the thread pool, "
                          "nothing removed");
            rt->archived = -1;
            ngx_pa_retention_finish(rt);
            return;
        }

        rt->working = 1;
        return;
    }
#endif

    ngx_pa_retention_run(rt, rt->log);
    ngx_pa_retention_written(rt);
}


/*
 * In the thread: append each file's lines, fsync it, and the folder when
 * the file is new (its name must survive a crash too).  A torn last line
 * of a crash is left as it is: a reader skips a line that does not parse,
 * and its report, still in Redis, comes again.
 */

static void
ngx_pa_retention_run(void *data, ngx_log_t *log)
{
    ngx_pa_retention_t  *rt = data;

    ssize_t                 n;
    size_t                  done;
    ngx_fd_t                fd, dir;
    ngx_uint_t              i, created;
    ngx_pa_archive_file_t  *f;

    rt->written = NGX_ERROR;
    rt->err = 0;

    if (ngx_create_dir(rt->conf->archive_dir.data, 0700) == NGX_FILE_ERROR
        && ngx_errno != NGX_EEXIST)
    {
        rt->err = ngx_errno;
        return;
    }

    f = rt->files->elts;

    for (i = 0; i < rt->files->nelts; i++) {
        created = 1;

        fd = open((char *) f[i].path.data,
                  O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0600);

        if (fd == NGX_INVALID_FILE && ngx_errno == NGX_EEXIST) {
            created = 0;
            fd = open((char *) f[i].path.data, O_WRONLY | O_APPEND);
        }

        if (fd == NGX_INVALID_FILE) {
            rt->err = ngx_errno;
            return;
        }

        for (done = 0; done < f[i].data.len; done += n) {
            n = write(fd, f[i].data.data + done, f[i].data.len - done);

            if (n == -1 && ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            if (n <= 0) {
                rt->err = ngx_errno;
                (void) ngx_close_file(fd);
                return;
            }
        }

        if (fsync(fd) == -1) {
            rt->err = ngx_errno;
            (void) ngx_close_file(fd);
            return;
        }

        if (ngx_close_file(fd) == NGX_FILE_ERROR) {
            rt->err = ngx_errno;
            return;
        }

        if (created) {
            dir = open((char *) rt->conf->archive_dir.data, O_RDONLY);
            if (dir == NGX_INVALID_FILE || fsync(dir) == -1) {
                rt->err = ngx_errno;
                if (dir != NGX_INVALID_FILE) {
                    (void) ngx_close_file(dir);
                }
                return;
            }

            (void) ngx_close_file(dir);
        }
    }

    rt->written = NGX_OK;
}


#if (NGX_THREADS)

static void
ngx_pa_retention_work_done(ngx_event_t *ev)
{
    ngx_pa_retention_t  *rt = ev->data;

    rt->working = 0;

    if (rt->exiting) {
        return;
    }

    if (rt->unpublishing) {
        ngx_pa_retention_next(rt);
        return;
    }

    ngx_pa_retention_written(rt);
}

#endif


/*
 * Everything of the round is on disk: now, and only now, the purge.
 * KEYS and ARGV as built by ngx_pa_retention_group().
 */

static void
ngx_pa_retention_written(ngx_pa_retention_t *rt)
{
    ngx_pa_archive_file_t  *f;

    if (rt->written != NGX_OK) {
        f = rt->files->elts;
        ngx_log_error(NGX_LOG_ERR, rt->log, rt->err,
                      "pa retention: the archive in \"%V\" (e.g. \"%V\") "
                      "could not be written, nothing removed",
                      &rt->conf->archive_dir, &f[0].path);
        rt->archived = -1;
        ngx_pa_retention_finish(rt);
        return;
    }

    ngx_pa_call_init(&rt->call, rt->conf, rt->round, rt->log);
    rt->call.background = rt->request == NULL;

    if (ngx_pa_call_script(&rt->call, NGX_PA_SCRIPT_RETENTION_PURGE,
                           rt->keys, rt->args)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, rt->log, 0,
                      "pa retention: out of memory");
        rt->archived = -1;
        ngx_pa_retention_finish(rt);
        return;
    }

    if (ngx_pa_call_send(&rt->call, ngx_pa_retention_on_purged, rt)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, rt->log, 0,
                      "pa retention: Redis not reachable, the archived "
                      "reports are removed by a later run");
        rt->archived = -1;
        ngx_pa_retention_finish(rt);
    }
}


/* {purged, kept, {id, ...}} */

static void
ngx_pa_retention_on_purged(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_retention_t  *rt = call->data;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[1]->type != REDIS_REPLY_INTEGER
        || reply->element[2]->type != REDIS_REPLY_ARRAY)
    {
        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: retention_purge.lua failed: %*s, "
                      "the archived reports are removed by a later run",
                      reply && reply->type == REDIS_REPLY_ERROR
                      ? (size_t) reply->len : (size_t) 0,
                      reply ? reply->str : "");
        rt->archived = -1;
        ngx_pa_retention_finish(rt);
        return;
    }

    rt->archived += (ngx_int_t) reply->element[0]->integer;

    ngx_log_error(NGX_LOG_INFO, rt->log, 0,
                  "pa retention: %i archived and removed, %i changed "
                  "meanwhile and kept", (ngx_int_t) reply->element[0]->integer,
                  (ngx_int_t) reply->element[1]->integer);

    ngx_pa_retention_unpublish(rt, reply->element[2]);
}


/*
 * The removed reports' public copies go too: nginx serves
 * pa_media_dir/public/ as it is, and a report that is no longer in Redis
 * is no longer public.  The originals stay for the orphan sweep (another
 * report may share a blob).
 */

static void
ngx_pa_retention_unpublish(ngx_pa_retention_t *rt, redisReply *ids)
{
    size_t      i;
    ngx_str_t  *s;

    rt->gone = ngx_array_create(rt->round, ids->elements + 1,
                                sizeof(ngx_str_t));
    if (rt->gone == NULL) {
        goto next;
    }

    for (i = 0; i < ids->elements; i++) {
        if (ids->element[i]->type != REDIS_REPLY_STRING
            || ids->element[i]->len == 0
            || ngx_strlchr((u_char *) ids->element[i]->str,
                           (u_char *) ids->element[i]->str
                           + ids->element[i]->len, '/')
               != NULL)
        {
            continue;
        }

        s = ngx_array_push(rt->gone);
        if (s == NULL) {
            goto next;
        }

        s->len = ids->element[i]->len;
        s->data = ngx_pnalloc(rt->round, s->len);
        if (s->data == NULL) {
            goto next;
        }

        ngx_memcpy(s->data, ids->element[i]->str, s->len);
    }

    if (rt->gone->nelts == 0) {
        goto next;
    }

#if (NGX_THREADS)
    if (rt->task != NULL) {
        ngx_pa_thread_task_set(rt->task, ngx_pa_retention_unpublish_run);
        rt->unpublishing = 1;

        if (ngx_thread_task_post(rt->conf->thread_pool, rt->task) == NGX_OK)
        {
            rt->working = 1;
            return;
        }

        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: cannot post to the thread pool, "
                      "public copies of removed reports stay");
        goto next;
    }
#endif

    ngx_pa_retention_unpublish_run(rt, rt->log);

next:

    ngx_pa_retention_next(rt);
}


/* in the thread: <media_dir>/public/<id>/ and what it holds */

static void
ngx_pa_retention_unpublish_run(void *data, ngx_log_t *log)
{
    ngx_pa_retention_t  *rt = data;

    u_char          *path, *p;
    DIR             *dir;
    size_t           len;
    ngx_str_t       *id;
    ngx_uint_t       i;
    struct dirent   *de;

    rt->unlinked = 0;
    id = rt->gone->elts;

    len = rt->conf->media_dir.len + sizeof("/" NGX_PA_MEDIA_PUBLIC_DIR "/");

    for (i = 0; i < rt->gone->nelts; i++) {
        path = ngx_alloc(len + id[i].len + 1 + NAME_MAX + 1, log);
        if (path == NULL) {
            rt->unlinked++;
            return;
        }

        p = ngx_sprintf(path, "%V/" NGX_PA_MEDIA_PUBLIC_DIR "/%V%Z",
                        &rt->conf->media_dir, &id[i]);

        dir = opendir((char *) path);

        if (dir != NULL) {
            p[-1] = '/';

            while ((de = readdir(dir)) != NULL) {
                if (de->d_name[0] == '.') {
                    continue;
                }

                ngx_cpystrn(p, (u_char *) de->d_name, NAME_MAX + 1);

                if (unlink((char *) path) == -1) {
                    rt->unlinked++;
                }
            }

            closedir(dir);

            p[-1] = '\0';

            if (rmdir((char *) path) == -1) {
                rt->unlinked++;
            }
        }

        ngx_free(path);
    }
}


/* the round is over: the next one, or the end */

static void
ngx_pa_retention_next(ngx_pa_retention_t *rt)
{
    if (rt->unlinked) {
        ngx_log_error(NGX_LOG_ERR, rt->log, 0,
                      "pa retention: %ui public copies of removed reports "
                      "in \"%V/" NGX_PA_MEDIA_PUBLIC_DIR "\" could not be "
                      "removed", rt->unlinked, &rt->conf->media_dir);
        rt->unlinked = 0;
    }

    ngx_destroy_pool(rt->round);
    rt->round = NULL;

    if (rt->more && ++rt->rounds < rt->max_rounds
        && !ngx_exiting && !ngx_quit && !ngx_terminate)
    {
        ngx_pa_retention_read(rt);
        return;
    }

    ngx_pa_retention_finish(rt);
}


static void
ngx_pa_retention_finish(ngx_pa_retention_t *rt)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    if (rt->round != NULL) {
        ngx_destroy_pool(rt->round);
        rt->round = NULL;
    }

    if (rt == rt->conf->worker.retention) {
        rt->conf->worker.retention = NULL;
    }

    r = rt->request;

    if (rt->cleanup != NULL) {
        rt->cleanup->handler = NULL;
    }

    /* resumed from Redis or a thread: the upstream module's order */

    if (r != NULL) {
        c = r->connection;
        ngx_http_set_log_request(c->log, r);

        rt->done(r, rt->data, rt->archived);

        ngx_http_run_posted_requests(c);
    }

    ngx_destroy_pool(rt->pool);
}


/* ------------------------------------------------------------ helpers */

static ngx_str_t *
ngx_pa_retention_key(ngx_pa_retention_t *rt, ngx_array_t *keys,
    const char *fmt, ...)
{
    u_char     buf[512], *p;
    va_list    va;
    ngx_str_t *k;

    va_start(va, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, va);
    va_end(va);

    k = ngx_array_push(keys);
    if (k == NULL) {
        return NULL;
    }

    k->len = rt->conf->key_prefix.len + (p - buf);
    k->data = ngx_pnalloc(rt->round, k->len);
    if (k->data == NULL) {
        return NULL;
    }

    p = ngx_cpymem(k->data, rt->conf->key_prefix.data,
                   rt->conf->key_prefix.len);
    ngx_memcpy(p, buf, k->len - rt->conf->key_prefix.len);

    return k;
}


static redisReply *
ngx_pa_retention_field(redisReply *flat, const char *name)
{
    size_t  i, len;

    len = ngx_strlen(name);

    for (i = 0; i + 1 < flat->elements; i += 2) {
        if (flat->element[i]->len == len
            && ngx_strncmp(flat->element[i]->str, name, len) == 0
            && flat->element[i + 1]->type == REDIS_REPLY_STRING)
        {
            return flat->element[i + 1];
        }
    }

    return NULL;
}


/*
 * A field that a record stored lean keeps in "doc" (ngx_pa_doc.h): from
 * the hash, else from the unfolded "doc", as a string reply of the round.
 */

static redisReply *
ngx_pa_retention_cold(ngx_pa_retention_t *rt, redisReply *flat,
    const char *name)
{
    ngx_str_t      *v;
    redisReply     *out;
    ngx_pa_hash_t   h;

    out = ngx_pa_retention_field(flat, name);

    if (out != NULL || ngx_pa_retention_field(flat, "doc") == NULL
        || ngx_pa_hash_from_reply(rt->round, flat, &h) != NGX_OK
        || (v = ngx_pa_hash_get(&h, name)) == NULL)
    {
        return out;
    }

    out = ngx_pcalloc(rt->round, sizeof(redisReply));
    if (out == NULL) {
        return NULL;
    }

    out->type = REDIS_REPLY_STRING;
    out->str = (char *) v->data;
    out->len = v->len;

    return out;
}
