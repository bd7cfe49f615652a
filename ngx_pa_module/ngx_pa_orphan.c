/*
 * The orphan sweep of the media store: mark, then sweep.
 *
 * Mark: orphan_refs.lua walks every report hash with SCAN, a page a call,
 * and returns its media and result fields; the worker keeps the SHA-256
 * of every blob they name, sorted.  Sweep, in pa_thread_pool's threads
 * (inline without one): each <media_dir>/<xx>/<64 hex> that no report
 * names and that is older than the grace period before the walk began is
 * unlinked.  A blob stored during the walk is newer than that, and a
 * submission takes far less than the grace (a day by default) between
 * storing its blobs and its script: neither is ever taken for an orphan.
 * A report removed during the walk may keep its blobs one more day.
 *
 * Public copies (<media_dir>/public/<id>/) are not walked here.
 */

#include "ngx_pa_orphan.h"
#include "ngx_pa_call.h"
#include "ngx_pa_thumb.h"

#include <dirent.h>
#include <jansson.h>


#define NGX_PA_ORPHAN_PAGE   1000       /* SCAN COUNT */
#define NGX_PA_ORPHAN_EVERY  86400      /* the timer's runs: seconds apart */
#define NGX_PA_ORPHAN_HEX    64


typedef struct {
    u_char                     d[32];
} ngx_pa_digest_t;

struct ngx_pa_orphan_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_pool_t                *pool;       /* the run's: the marks */
    ngx_pool_t                *page;       /* the call in flight's */
    ngx_pa_call_t              call;

    time_t                     start;
    ngx_array_t               *refs;       /* ngx_pa_digest_t, sorted
                                              before the sweep */
    ngx_int_t                  removed;    /* -1: the run failed */
    ngx_int_t                  failed;     /* unlink() failures */
    ngx_err_t                  err;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif

    ngx_http_request_t        *request;
    ngx_http_cleanup_t        *cleanup;
    ngx_pa_orphan_req_pt       done;
    void                      *data;

    unsigned                   working:1;
    unsigned                   exiting:1;
};


static char *ngx_pa_orphan_grace_check(ngx_conf_t *cf, void *post,
    void *data);


ngx_conf_post_t  ngx_pa_orphan_grace_post = { ngx_pa_orphan_grace_check };



static ngx_pa_orphan_t *ngx_pa_orphan_create(ngx_pa_main_conf_t *pmcf,
    ngx_log_t *log);
static void ngx_pa_orphan_page(ngx_pa_orphan_t *or, u_char *cursor,
    size_t len);
static void ngx_pa_orphan_on_page(ngx_pa_call_t *call, redisReply *reply);
static ngx_int_t ngx_pa_orphan_mark(ngx_pa_orphan_t *or, redisReply *v,
    ngx_uint_t result);
static ngx_int_t ngx_pa_orphan_mark_one(ngx_pa_orphan_t *or, json_t *m);
static void ngx_pa_orphan_sweep(ngx_pa_orphan_t *or);
static void ngx_pa_orphan_run(void *data, ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_pa_orphan_work_done(ngx_event_t *ev);
#endif
static void ngx_pa_orphan_swept(ngx_pa_orphan_t *or);
static void ngx_pa_orphan_finish(ngx_pa_orphan_t *or);
static void ngx_pa_orphan_request_cleanup(void *data);
static int ngx_libc_cdecl ngx_pa_orphan_cmp(const void *a, const void *b);
static ngx_int_t ngx_pa_orphan_unhex(const u_char *hex, u_char *d);


/*
 * A blob is stored before its submission's script runs: a grace shorter
 * than that could take a report's media from under it.
 */

static char *
ngx_pa_orphan_grace_check(ngx_conf_t *cf, void *post, void *data)
{
    time_t  *grace = data;

    if (*grace < 60) {
        return "must be 1m or more";
    }

    return NGX_CONF_OK;
}


void
ngx_pa_orphan_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pa_orphan_t  *or;

    if (pmcf->worker.orphan != NULL
        || ngx_time() - pmcf->worker.orphan_last < NGX_PA_ORPHAN_EVERY)
    {
        return;
    }

    pmcf->worker.orphan_last = ngx_time();

    or = ngx_pa_orphan_create(pmcf, log);
    if (or == NULL) {
        return;
    }

    pmcf->worker.orphan = or;

    ngx_pa_orphan_page(or, (u_char *) "0", 1);
}


void
ngx_pa_orphan_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_orphan_t  *or;

    or = pmcf->worker.orphan;
    if (or == NULL) {
        return;
    }

    pmcf->worker.orphan = NULL;

    ngx_pa_call_cancel(&or->call);

    if (or->working) {
        /* the thread still reads the marks: its pool is left to exit */
        or->exiting = 1;
        return;
    }

    if (or->page != NULL) {
        ngx_destroy_pool(or->page);
    }

    ngx_destroy_pool(or->pool);
}


ngx_int_t
ngx_pa_orphan_request(ngx_http_request_t *r, ngx_pa_orphan_req_pt done,
    void *data)
{
    ngx_pa_orphan_t     *or;
    ngx_http_cleanup_t  *cln;

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the cycle's log: the run may outlive the request and its connection */

    or = ngx_pa_orphan_create(ngx_http_get_module_main_conf(r,
                                                      ngx_http_pa_module),
                              ngx_cycle->log);
    if (or == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    or->request = r;
    or->cleanup = cln;
    or->done = done;
    or->data = data;

    cln->handler = ngx_pa_orphan_request_cleanup;
    cln->data = or;

    ngx_pa_orphan_page(or, (u_char *) "0", 1);

    return NGX_DONE;
}


static void
ngx_pa_orphan_request_cleanup(void *data)
{
    ngx_pa_orphan_t  *or = data;

    or->request = NULL;
}


static ngx_pa_orphan_t *
ngx_pa_orphan_create(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pool_t       *pool;
    ngx_pa_orphan_t  *or;

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (pool == NULL) {
        return NULL;
    }

    or = ngx_pcalloc(pool, sizeof(ngx_pa_orphan_t));
    if (or == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    or->refs = ngx_array_create(pool, 256, sizeof(ngx_pa_digest_t));
    if (or->refs == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    or->conf = pmcf;
    or->log = log;
    or->pool = pool;
    or->start = ngx_time();

#if (NGX_THREADS)
    if (pmcf->thread_pool != NULL) {
        or->task = ngx_pa_thread_task(pool, ngx_pa_orphan_run, or);
        if (or->task == NULL) {
            ngx_destroy_pool(pool);
            return NULL;
        }

        or->task->event.data = or;
        or->task->event.handler = ngx_pa_orphan_work_done;
        or->task->event.log = log;
    }
#endif

    return or;
}


/* ------------------------------------------------------------ mark */

static void
ngx_pa_orphan_page(ngx_pa_orphan_t *or, u_char *cursor, size_t len)
{
    ngx_str_t    *s;
    ngx_array_t  *keys, *args;

    or->page = ngx_create_pool(1024, or->log);
    if (or->page == NULL) {
        goto failed;
    }

    keys = ngx_array_create(or->page, 1, sizeof(ngx_str_t));
    args = ngx_array_create(or->page, 2, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        goto failed;
    }

    s = ngx_array_push(keys);
    if (s == NULL) {
        goto failed;
    }

    s->len = or->conf->key_prefix.len + sizeof("all") - 1;
    s->data = ngx_pnalloc(or->page, s->len);
    if (s->data == NULL) {
        goto failed;
    }

    ngx_memcpy(ngx_cpymem(s->data, or->conf->key_prefix.data,
                          or->conf->key_prefix.len),
               "all", 3);

    s = ngx_array_push(args);
    if (s == NULL) {
        goto failed;
    }

    s->len = len;
    s->data = ngx_pnalloc(or->page, len);
    if (s->data == NULL) {
        goto failed;
    }

    ngx_memcpy(s->data, cursor, len);

    if (ngx_pa_arg_int(or->page, args, NGX_PA_ORPHAN_PAGE) != NGX_OK) {
        goto failed;
    }

    ngx_pa_call_init(&or->call, or->conf, or->page, or->log);
    or->call.background = or->request == NULL;

    if (ngx_pa_call_script(&or->call, NGX_PA_SCRIPT_ORPHAN_REFS, keys, args)
        != NGX_OK)
    {
        goto failed;
    }

    if (ngx_pa_call_send(&or->call, ngx_pa_orphan_on_page, or) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, or->log, 0,
                      "pa orphans: Redis not reachable, nothing removed");
        or->removed = -1;
        ngx_pa_orphan_finish(or);
    }

    return;

failed:

    ngx_log_error(NGX_LOG_ALERT, or->log, 0, "pa orphans: out of memory");
    or->removed = -1;
    ngx_pa_orphan_finish(or);
}


/* {next cursor, media, result, ...} */

static void
ngx_pa_orphan_on_page(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_orphan_t  *or = call->data;

    u_char      cursor[NGX_INT64_LEN + 1];
    size_t      i, len;
    redisReply  *c;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 1 || reply->elements % 2 != 1
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[0]->len > NGX_INT64_LEN)
    {
        ngx_log_error(NGX_LOG_ERR, or->log, 0,
                      "pa orphans: orphan_refs.lua failed: %*s, nothing "
                      "removed",
                      reply && reply->type == REDIS_REPLY_ERROR
                      ? (size_t) reply->len : (size_t) 0,
                      reply ? reply->str : "");
        goto failed;
    }

    for (i = 1; i < reply->elements; i++) {
        if (ngx_pa_orphan_mark(or, reply->element[i], (i % 2) == 0)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ALERT, or->log, 0,
                          "pa orphans: out of memory, nothing removed");
            goto failed;
        }
    }

    c = reply->element[0];
    len = c->len;
    ngx_memcpy(cursor, c->str, len);

    ngx_destroy_pool(or->page);
    or->page = NULL;

    if (len == 1 && cursor[0] == '0') {
        ngx_pa_orphan_sweep(or);
        return;
    }

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        or->removed = -1;
        ngx_pa_orphan_finish(or);
        return;
    }

    ngx_pa_orphan_page(or, cursor, len);

    return;

failed:

    or->removed = -1;
    ngx_pa_orphan_finish(or);
}


/* media: [{id, ...}]; result: {media: [{id} or "<hex>"]} */

static ngx_int_t
ngx_pa_orphan_mark(ngx_pa_orphan_t *or, redisReply *v, ngx_uint_t result)
{
    json_t     *j, *a;
    size_t      i;
    ngx_int_t   rc;

    if (v->type != REDIS_REPLY_STRING || v->len == 0) {
        return NGX_OK;
    }

    j = json_loadb(v->str, v->len, 0, NULL);
    if (j == NULL) {
        return NGX_OK;
    }

    a = result ? json_object_get(j, "media") : j;
    rc = NGX_OK;

    for (i = 0; i < json_array_size(a) && rc == NGX_OK; i++) {
        rc = ngx_pa_orphan_mark_one(or, json_array_get(a, i));
    }

    json_decref(j);

    return rc;
}


static ngx_int_t
ngx_pa_orphan_mark_one(ngx_pa_orphan_t *or, json_t *m)
{
    const char       *hex;
    ngx_pa_digest_t  *d;
    u_char            bin[32];

    hex = json_is_string(m) ? json_string_value(m)
                            : json_string_value(json_object_get(m, "id"));

    if (hex == NULL || ngx_strlen(hex) != NGX_PA_ORPHAN_HEX
        || ngx_pa_orphan_unhex((u_char *) hex, bin) != NGX_OK)
    {
        return NGX_OK;
    }

    d = ngx_array_push(or->refs);
    if (d == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(d->d, bin, sizeof(bin));

    return NGX_OK;
}


/* ------------------------------------------------------------ sweep */

static void
ngx_pa_orphan_sweep(ngx_pa_orphan_t *or)
{
    ngx_qsort(or->refs->elts, or->refs->nelts, sizeof(ngx_pa_digest_t),
              ngx_pa_orphan_cmp);

#if (NGX_THREADS)
    if (or->task != NULL) {
        if (ngx_thread_task_post(or->conf->thread_pool, or->task) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, or->log, 0,
                          "pa orphans: cannot post to the thread pool, "
                          "nothing removed");
            or->removed = -1;
            ngx_pa_orphan_finish(or);
            return;
        }

        or->working = 1;
        return;
    }
#endif

    ngx_pa_orphan_run(or, or->log);
    ngx_pa_orphan_swept(or);
}


/* in the thread: the marks are read only, the files are ours */

static void
ngx_pa_orphan_run(void *data, ngx_log_t *log)
{
    ngx_pa_orphan_t  *or = data;

    u_char            *p, *name;
    DIR               *dir;
    time_t             before;
    size_t             len;
    ngx_uint_t         i;
    struct stat        fi;
    struct dirent     *de;
    ngx_pa_digest_t    key;

    static const u_char  hex[] = "0123456789abcdef";

    before = or->start - or->conf->orphan_grace;
    len = or->conf->media_dir.len;

    /* "<media_dir>/xx/<64 hex>", and its thumbnail's ".thumb.jpg" */

    p = ngx_alloc(len + 4 + NGX_PA_ORPHAN_HEX
                  + sizeof(NGX_PA_THUMB_SUFFIX), log);
    if (p == NULL) {
        or->removed = -1;
        return;
    }

    ngx_memcpy(p, or->conf->media_dir.data, len);
    p[len] = '/';
    p[len + 3] = '\0';
    name = p + len + 4;

    for (i = 0; i < 256; i++) {
        p[len + 1] = hex[i >> 4];
        p[len + 2] = hex[i & 15];
        p[len + 3] = '\0';

        dir = opendir((char *) p);
        if (dir == NULL) {
            continue;
        }

        p[len + 3] = '/';

        while ((de = readdir(dir)) != NULL) {
            if (ngx_strlen(de->d_name) != NGX_PA_ORPHAN_HEX
                || ngx_pa_orphan_unhex((u_char *) de->d_name, key.d)
                   != NGX_OK)
            {
                continue;
            }

            if (bsearch(&key, or->refs->elts, or->refs->nelts,
                        sizeof(ngx_pa_digest_t), ngx_pa_orphan_cmp)
                != NULL)
            {
                continue;
            }

            ngx_memcpy(name, de->d_name, NGX_PA_ORPHAN_HEX + 1);

            if (lstat((char *) p, &fi) == -1 || !S_ISREG(fi.st_mode)
                || fi.st_mtime >= before)
            {
                continue;
            }

            if (unlink((char *) p) == -1) {
                or->err = ngx_errno;
                or->failed++;
                continue;
            }

            or->removed++;

            /* its thumbnail (ngx_pa_thumb.c) goes with it, if it has one */

            ngx_memcpy(name + NGX_PA_ORPHAN_HEX, NGX_PA_THUMB_SUFFIX,
                       sizeof(NGX_PA_THUMB_SUFFIX));
            (void) unlink((char *) p);
        }

        closedir(dir);
    }

    ngx_free(p);
}


#if (NGX_THREADS)

static void
ngx_pa_orphan_work_done(ngx_event_t *ev)
{
    ngx_pa_orphan_t  *or = ev->data;

    or->working = 0;

    if (or->exiting) {
        return;
    }

    ngx_pa_orphan_swept(or);
}

#endif


static void
ngx_pa_orphan_swept(ngx_pa_orphan_t *or)
{
    if (or->failed) {
        ngx_log_error(NGX_LOG_ERR, or->log, or->err,
                      "pa orphans: %i blobs of \"%V\" could not be removed",
                      or->failed, &or->conf->media_dir);
    }

    if (or->removed > 0) {
        ngx_log_error(NGX_LOG_INFO, or->log, 0,
                      "pa orphans: %i blobs no report references removed "
                      "(%ui referenced)", or->removed, or->refs->nelts);
    }

    ngx_pa_orphan_finish(or);
}


static void
ngx_pa_orphan_finish(ngx_pa_orphan_t *or)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    if (or->page != NULL) {
        ngx_destroy_pool(or->page);
        or->page = NULL;
    }

    if (or == or->conf->worker.orphan) {
        or->conf->worker.orphan = NULL;
    }

    if (or->cleanup != NULL) {
        or->cleanup->handler = NULL;
    }

    /* resumed from Redis or a thread: the upstream module's order */

    r = or->request;

    if (r != NULL) {
        c = r->connection;
        ngx_http_set_log_request(c->log, r);

        or->done(r, or->data, or->removed);

        ngx_http_run_posted_requests(c);
    }

    ngx_destroy_pool(or->pool);
}


/* ------------------------------------------------------------ helpers */

static int ngx_libc_cdecl
ngx_pa_orphan_cmp(const void *a, const void *b)
{
    return ngx_memcmp(a, b, sizeof(ngx_pa_digest_t));
}


/* lower-case hex only: the store's names */

static ngx_int_t
ngx_pa_orphan_unhex(const u_char *hex, u_char *d)
{
    u_char      c;
    ngx_uint_t  i, v;

    for (i = 0; i < NGX_PA_ORPHAN_HEX; i++) {
        c = hex[i];

        if (c >= '0' && c <= '9') {
            v = c - '0';

        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;

        } else {
            return NGX_ERROR;
        }

        if (i & 1) {
            d[i >> 1] |= (u_char) v;

        } else {
            d[i >> 1] = (u_char) (v << 4);
        }
    }

    return NGX_OK;
}
