/*
 * Originals for those who may see the report (an internal redirect after
 * the checks), public copies without metadata for published reports.
 */

#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_record_id.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_media.h"
#include "ngx_pa_meta.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_thumb.h"

#include <jansson.h>
#include <openssl/rand.h>


#define NGX_PA_PM_BUF        65536     /* copy buffer of the PNG filter */
#define NGX_PA_PM_RAND       8         /* random bytes of a temp name */

#define NGX_PA_PM_JPEG       1
#define NGX_PA_PM_PNG        2

/*
 * the few fields the original's checks need, in HMGET order ("status":
 * the report exists; its id is the one asked for, ngx_pa_record_id.h)
 */
static const char  *ngx_pa_pm_fields[] = {
    "status", "agencies", "coordinator", "token_hash", "media", "result", NULL
};

#define NGX_PA_PM_NFIELDS    6


typedef struct {
    ngx_pa_caller_t      caller;
} ngx_pa_pm_original_t;


/* one wanted public copy: "<sha>.<ext>" */
typedef struct {
    u_char               name[NGX_PA_MEDIA_SHA_LEN + 5];
    size_t               len;
    ngx_str_t            sha;
    ngx_uint_t           kind;
} ngx_pa_pm_copy_t;


/*
 * A report's public copies being made to match: decided on the event loop
 * (the request's pool), the files made by a job, which only reads this.
 */
typedef struct {
    ngx_str_t            dir;          /* media_dir/public/<id> */
    size_t               id_len;
    ngx_array_t         *copies;       /* ngx_pa_pm_copy_t */
    ngx_int_t            rc;
    ngx_pa_pm_synced_pt  synced;
    void                *data;
} ngx_pa_pm_sync_t;


static void ngx_pa_pm_original_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);
static ngx_int_t ngx_pa_pm_reply_hash(ngx_http_request_t *r,
    redisReply *reply, ngx_pa_hash_t *h);
static ngx_int_t ngx_pa_pm_listed(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_str_t *sha, const char **type);
static ngx_int_t ngx_pa_pm_redirect(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    const char *type);
static ngx_int_t ngx_pa_pm_not_found(ngx_http_request_t *r,
    const char *message);
static json_t *ngx_pa_pm_find(json_t *media, ngx_str_t *sha);
static ngx_int_t ngx_pa_pm_header(ngx_http_request_t *r, const char *key,
    const char *value);
static ngx_uint_t ngx_pa_pm_public(ngx_pa_hash_t *h);
static ngx_int_t ngx_pa_pm_wanted(ngx_log_t *log, ngx_pa_hash_t *h,
    ngx_array_t *copies);
static ngx_int_t ngx_pa_pm_want_list(json_t *media, ngx_array_t *copies);
static void ngx_pa_pm_work(ngx_pa_job_t *job);
static void ngx_pa_pm_done(ngx_http_request_t *r, ngx_pa_job_t *job);
static ngx_int_t ngx_pa_pm_make(ngx_pa_job_t *job, ngx_str_t *dir,
    ngx_pa_pm_copy_t *copy, u_char *buf);
static ngx_int_t ngx_pa_pm_prune(ngx_pa_job_t *job, ngx_str_t *dir,
    ngx_array_t *copies);
static ngx_int_t ngx_pa_pm_mkdir(ngx_pa_job_t *job, u_char *path);
static ngx_int_t ngx_pa_png_filter_fd(ngx_fd_t in, ngx_fd_t out, u_char *buf);
static ngx_int_t ngx_pa_pm_copy_range(ngx_fd_t in, ngx_fd_t out, off_t off,
    off_t len, u_char *buf);
static ngx_int_t ngx_pa_pm_pread(ngx_fd_t fd, u_char *p, size_t len,
    off_t off);


/* ------------------------------------------------------------ originals */

/*
 * GET /api/v1/reports/{id}/media/{sha}: 401 without credentials, 404 when
 * the caller may not see the report or the sha is not one of its media;
 * else the file through the internal location, with private headers.
 */

ngx_int_t
ngx_pa_media_original_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_str_t             *key;
    ngx_uint_t             i;
    ngx_array_t           *keys;
    const char           **argv;
    size_t                *argvlen;
    ngx_pa_pm_original_t  *po;

    po = ngx_pcalloc(r->pool, sizeof(ngx_pa_pm_original_t));
    if (po == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = po;

    rc = ngx_pa_auth(r, ctx, &po->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    if (!ngx_pa_public_media_sha_ok(&ctx->media)) {
        return ngx_pa_pm_not_found(r, "no such media");
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    if (keys == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_pa_key(r, keys, "r:%V", &ctx->id);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    argv = ngx_palloc(r->pool, (2 + NGX_PA_PM_NFIELDS) * sizeof(char *));
    argvlen = ngx_palloc(r->pool, (2 + NGX_PA_PM_NFIELDS) * sizeof(size_t));
    if (argv == NULL || argvlen == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    argv[0] = "HMGET";
    argvlen[0] = 5;
    argv[1] = (const char *) key->data;
    argvlen[1] = key->len;

    for (i = 0; i < NGX_PA_PM_NFIELDS; i++) {
        argv[2 + i] = ngx_pa_pm_fields[i];
        argvlen[2 + i] = ngx_strlen(ngx_pa_pm_fields[i]);
    }

    return ngx_pa_call(r, ctx, 2 + NGX_PA_PM_NFIELDS, argv, argvlen,
                       ngx_pa_pm_original_done);
}


static void
ngx_pa_pm_original_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply            *reply = data;
    ngx_int_t              rc;
    ngx_pa_hash_t          h;
    const char            *type;
    ngx_pa_pm_original_t  *po;

    po = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements != NGX_PA_PM_NFIELDS)
    {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: HMGET of report %V failed: %*s",
                          &ctx->id, (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply to HMGET");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the media cannot be read now, "
                                             "try again"));
        return;
    }

    if (ngx_pa_pm_reply_hash(r, reply, &h) != NGX_OK
        || ngx_pa_hash_name(r->pool, &h, &ctx->id) != NGX_OK)
    {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (ngx_pa_hash_get(&h, "id") == NULL
        || !ngx_pa_view_visible(&po->caller, &h))
    {
        ngx_pa_finalize(r, ngx_pa_pm_not_found(r, "no such report"));
        return;
    }

    rc = ngx_pa_pm_listed(r, &h, &ctx->media, &type);

    if (rc == NGX_DECLINED) {
        ngx_pa_finalize(r, ngx_pa_pm_not_found(r, "no such media"));
        return;
    }

    if (rc != NGX_OK) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_pa_finalize(r, ngx_pa_pm_redirect(r, ctx, type));
}


/* the fields that exist, as a report hash for the visibility rules */

static ngx_int_t
ngx_pa_pm_reply_hash(ngx_http_request_t *r, redisReply *reply,
    ngx_pa_hash_t *h)
{
    u_char  *p;
    size_t   i, len;

    h->n = 0;
    h->kv = ngx_palloc(r->pool, 2 * NGX_PA_PM_NFIELDS * sizeof(ngx_str_t));
    if (h->kv == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < NGX_PA_PM_NFIELDS; i++) {
        if (reply->element[i]->type != REDIS_REPLY_STRING) {
            continue;
        }

        len = reply->element[i]->len;

        p = ngx_pnalloc(r->pool, len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, reply->element[i]->str, len);
        p[len] = '\0';

        h->kv[h->n * 2].data = (u_char *) ngx_pa_pm_fields[i];
        h->kv[h->n * 2].len = ngx_strlen(ngx_pa_pm_fields[i]);
        h->kv[h->n * 2 + 1].data = p;
        h->kv[h->n * 2 + 1].len = len;
        h->n++;
    }

    return NGX_OK;
}


/*
 * The sha must be one of the report's media or of its result's: its
 * type, as stored (only a safe spelling; else application/octet-stream).
 * NGX_DECLINED: not listed.
 */

static ngx_int_t
ngx_pa_pm_listed(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *sha,
    const char **type)
{
    u_char        *p;
    json_t        *media, *result, *item, *jt;
    size_t         len;
    ngx_str_t     *v;
    json_error_t   je;
    const char    *t;

    item = NULL;
    media = NULL;
    result = NULL;

    v = ngx_pa_hash_get(h, "media");
    if (v != NULL) {
        media = json_loadb((char *) v->data, v->len, 0, &je);
        item = ngx_pa_pm_find(media, sha);
    }

    v = ngx_pa_hash_get(h, "result");
    if (item == NULL && v != NULL) {
        result = json_loadb((char *) v->data, v->len, 0, &je);
        if (json_is_object(result)) {
            item = ngx_pa_pm_find(json_object_get(result, "media"), sha);
        }
    }

    t = NULL;

    if (item != NULL) {
        jt = json_object_get(item, "type");

        if (json_is_string(jt)
            && json_string_length(jt) < 128
            && json_string_length(jt) > 0
            && strspn(json_string_value(jt),
                      "abcdefghijklmnopqrstuvwxyz0123456789/.+-")
               == json_string_length(jt))
        {
            len = json_string_length(jt);

            p = ngx_pnalloc(r->pool, len + 1);
            if (p != NULL) {
                ngx_memcpy(p, json_string_value(jt), len + 1);
                t = (const char *) p;
            }

        } else {
            t = "application/octet-stream";
        }
    }

    if (media) {
        json_decref(media);
    }

    if (result) {
        json_decref(result);
    }

    if (item == NULL) {
        return NGX_DECLINED;
    }

    *type = t;

    return (t == NULL) ? NGX_ERROR : NGX_OK;
}


/*
 * Hands the request to the internal location of the store, with the
 * type and the headers a private original goes out with.
 */

static ngx_int_t
ngx_pa_pm_redirect(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    const char *type)
{
    u_char                *p;
    ngx_str_t              uri, path;
    ngx_file_info_t        fi;
    ngx_pa_main_conf_t    *pmcf;
    ngx_pa_pm_original_t  *po;

    po = ctx->data;

    /* listed but not in the store: say so in the log, 404 to the caller */

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_media_path(r->pool, pmcf, &ctx->media, &path) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_file_info(path.data, &fi) == NGX_FILE_ERROR
        || !ngx_is_file(&fi))
    {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      "pa: media %V of report %V is not in the store (\"%V\")",
                      &ctx->media, &ctx->id, &path);
        return ngx_pa_pm_not_found(r, "no such media");
    }

    /* "/pa-media-original/ab/ab12...": the store's own layout */

    uri.len = sizeof(NGX_PA_MEDIA_ORIGINAL_URI) - 1 + 3
              + NGX_PA_MEDIA_SHA_LEN;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(uri.data, NGX_PA_MEDIA_ORIGINAL_URI,
                   sizeof(NGX_PA_MEDIA_ORIGINAL_URI) - 1);
    p = ngx_cpymem(p, ctx->media.data, 2);
    *p++ = '/';
    ngx_memcpy(p, ctx->media.data, NGX_PA_MEDIA_SHA_LEN);

    /* ?size=thumb: the photo's small copy (ngx_pa_thumb.c) */

    switch (ngx_pa_thumb_swap(r, &path, &uri, &type)) {

    case NGX_ERROR:
        return ngx_pa_pm_not_found(r, "no thumbnail of this media");

    case NGX_AGAIN:
        if (ngx_pa_pm_header(r, "Retry-After", "1") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_pa_pm_not_found(r, "the thumbnail is being made: retry "
                                      "in a moment, or load the original");

    default:
        break;
    }

    /* kept through the redirect: the static handler adds only its own */

    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (ngx_pa_view_cache_control(r, "private, no-store") != NGX_OK
        || ngx_pa_pm_header(r, "X-Content-Type-Options", "nosniff")
           != NGX_OK
        || ngx_pa_pm_header(r, "Content-Disposition", "inline") != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: \"%V\" (%V) reads the original %V of %V",
                  &po->caller.sub, &po->caller.role_name, &ctx->media,
                  &ctx->id);

    /* what X-Accel-Redirect does for a proxied answer */

    (void) ngx_http_internal_redirect(r, &uri, NULL);

    return NGX_DONE;
}


static ngx_int_t
ngx_pa_pm_not_found(ngx_http_request_t *r, const char *message)
{
    return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                             message);
}


/* the item of a media list whose id is the sha, or NULL */

static json_t *
ngx_pa_pm_find(json_t *media, ngx_str_t *sha)
{
    json_t  *item, *id;
    size_t   i;

    if (!json_is_array(media)) {
        return NULL;
    }

    json_array_foreach(media, i, item) {
        id = json_object_get(item, "id");

        if (json_is_string(id) && json_string_length(id) == sha->len
            && ngx_strncmp(json_string_value(id), sha->data, sha->len) == 0)
        {
            return item;
        }
    }

    return NULL;
}


static ngx_int_t
ngx_pa_pm_header(ngx_http_request_t *r, const char *key, const char *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value.data = (u_char *) value;
    h->value.len = ngx_strlen(value);

    return NGX_OK;
}


/* ------------------------------------------------------- public copies */

ngx_int_t
ngx_pa_public_media_sync(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_pa_pm_synced_pt synced, void *data)
{
    ngx_str_t           *id;
    ngx_pa_job_t        *job;
    ngx_pa_pm_sync_t    *sync;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    id = ngx_pa_hash_get(h, "id");

    if (id == NULL || !ngx_pa_id_ok(id)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: public media: a report without a valid id");
        return NGX_ERROR;
    }

    sync = ngx_pcalloc(r->pool, sizeof(ngx_pa_pm_sync_t));
    if (sync == NULL) {
        return NGX_ERROR;
    }

    sync->synced = synced;
    sync->data = data;
    sync->id_len = id->len;

    /* "<media_dir>/public/<id>" */

    sync->dir.len = pmcf->media_dir.len
                    + sizeof("/" NGX_PA_MEDIA_PUBLIC_DIR "/") - 1 + id->len;
    sync->dir.data = ngx_pnalloc(r->pool, sync->dir.len + 1);
    if (sync->dir.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(sync->dir.data, "%V/" NGX_PA_MEDIA_PUBLIC_DIR "/%V%Z",
                       &pmcf->media_dir, id);

    sync->copies = ngx_array_create(r->pool, 4, sizeof(ngx_pa_pm_copy_t));
    if (sync->copies == NULL) {
        return NGX_ERROR;
    }

    if (ngx_pa_pm_public(h)
        && ngx_pa_pm_wanted(r->connection->log, h, sync->copies) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* what is wanted is decided; the files are made off the event loop */

    job = ngx_pa_job_create(r, ngx_pa_pm_work, ngx_pa_pm_done, sync);
    if (job == NULL) {
        return NGX_ERROR;
    }

    return ngx_pa_job_run(job);
}


static void
ngx_pa_pm_done(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_pa_pm_sync_t  *sync = job->data;

    sync->synced(r, sync->data);
}


/* the directory made to match the copies wanted, in the job's work */

static void
ngx_pa_pm_work(ngx_pa_job_t *job)
{
    u_char            *buf;
    ngx_int_t          rc;
    ngx_str_t         *dir;
    ngx_uint_t         i;
    ngx_array_t       *copies;
    ngx_pa_pm_copy_t  *copy;
    ngx_pa_pm_sync_t  *sync;

    sync = job->data;
    dir = &sync->dir;
    copies = sync->copies;

    if (copies->nelts == 0) {

        /* not public (any more), or nothing to show: no directory */

        rc = ngx_pa_pm_prune(job, dir, copies);

        if (rc == NGX_OK && ngx_delete_dir(dir->data) == NGX_FILE_ERROR
            && ngx_errno != NGX_ENOENT)
        {
            ngx_log_error(NGX_LOG_ERR, job->log, ngx_errno,
                          ngx_delete_dir_n " \"%V\" failed", dir);
            rc = NGX_ERROR;
        }

        sync->rc = (rc == NGX_DECLINED) ? NGX_OK : rc;
        return;
    }

    /* "<media_dir>/public", then the report's own directory */

    dir->data[dir->len - sync->id_len - 1] = '\0';
    rc = ngx_pa_pm_mkdir(job, dir->data);
    dir->data[dir->len - sync->id_len - 1] = '/';

    if (rc != NGX_OK || ngx_pa_pm_mkdir(job, dir->data) != NGX_OK) {
        sync->rc = NGX_ERROR;
        return;
    }

    buf = ngx_palloc(job->pool, NGX_PA_PM_BUF);
    if (buf == NULL) {
        sync->rc = NGX_ERROR;
        return;
    }

    rc = NGX_OK;
    copy = copies->elts;

    for (i = 0; i < copies->nelts; i++) {
        if (ngx_pa_pm_make(job, dir, &copy[i], buf) != NGX_OK) {
            rc = NGX_ERROR;
            continue;
        }

        /* its thumbnail beside it, for the lists (best effort) */

        (void) ngx_pa_thumb_public(job, dir, &copy[i].sha,
                                   copy[i].kind == NGX_PA_PM_PNG);
    }

    /* photos no longer listed (a result sent back and redone) go */

    if (ngx_pa_pm_prune(job, dir, copies) == NGX_ERROR) {
        rc = NGX_ERROR;
    }

    sync->rc = rc;
}


/* ------------------------------------------- the sweeper's repairs */

struct ngx_pa_pm_plan_s {
    ngx_str_t            dir;          /* media_dir/public/<id> */
    size_t               id_len;
    ngx_array_t         *copies;       /* ngx_pa_pm_copy_t */
};


ngx_pa_pm_plan_t *
ngx_pa_public_media_plan(ngx_pool_t *pool, ngx_log_t *log,
    ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h)
{
    ngx_str_t         *id;
    ngx_pa_pm_plan_t  *plan;

    id = ngx_pa_hash_get(h, "id");

    if (!ngx_pa_pm_public(h) || id == NULL || !ngx_pa_id_ok(id)) {
        return NULL;
    }

    plan = ngx_pcalloc(pool, sizeof(ngx_pa_pm_plan_t));
    if (plan == NULL) {
        return NULL;
    }

    plan->id_len = id->len;
    plan->dir.len = pmcf->media_dir.len
                    + sizeof("/" NGX_PA_MEDIA_PUBLIC_DIR "/") - 1 + id->len;
    plan->dir.data = ngx_pnalloc(pool, plan->dir.len + 1);
    plan->copies = ngx_array_create(pool, 4, sizeof(ngx_pa_pm_copy_t));

    if (plan->dir.data == NULL || plan->copies == NULL
        || ngx_pa_pm_wanted(log, h, plan->copies) != NGX_OK
        || plan->copies->nelts == 0)
    {
        return NULL;
    }

    (void) ngx_sprintf(plan->dir.data, "%V/" NGX_PA_MEDIA_PUBLIC_DIR "/%V%Z",
                       &pmcf->media_dir, id);

    return plan;
}


/*
 * In the sweeper's thread: only the copies missing from disk are made
 * (as at publish, the thumbnail beside each); the others, and the
 * directory's other files, are left alone.  The copies made, or
 * NGX_ERROR when one could not be (logged).
 */

ngx_int_t
ngx_pa_public_media_fill(ngx_pa_pm_plan_t *plan, ngx_pool_t *pool,
    ngx_log_t *log, ngx_pa_main_conf_t *pmcf)
{
    u_char            *buf, *target;
    ngx_int_t          made, rc;
    ngx_uint_t         i;
    ngx_pa_job_t       job;
    ngx_file_info_t    fi;
    ngx_pa_pm_copy_t  *copy;

    /* pm_make() and the thumbnail read only these of a job */

    ngx_memzero(&job, sizeof(ngx_pa_job_t));
    job.pool = pool;
    job.log = log;
    job.conf = pmcf;

    target = ngx_pnalloc(pool, plan->dir.len + 1 + NGX_PA_MEDIA_SHA_LEN + 6);
    if (target == NULL) {
        return NGX_ERROR;
    }

    buf = NULL;
    made = 0;
    rc = NGX_OK;
    copy = plan->copies->elts;

    for (i = 0; i < plan->copies->nelts; i++) {
        (void) ngx_sprintf(target, "%V/%s%Z", &plan->dir, copy[i].name);

        if (ngx_file_info(target, &fi) != NGX_FILE_ERROR
            && ngx_is_file(&fi) && ngx_file_size(&fi) > 0)
        {
            continue;
        }

        if (buf == NULL) {

            /* "<media_dir>/public", then the report's own directory */

            plan->dir.data[plan->dir.len - plan->id_len - 1] = '\0';
            rc = ngx_pa_pm_mkdir(&job, plan->dir.data);
            plan->dir.data[plan->dir.len - plan->id_len - 1] = '/';

            buf = ngx_palloc(pool, NGX_PA_PM_BUF);

            if (rc != NGX_OK || buf == NULL
                || ngx_pa_pm_mkdir(&job, plan->dir.data) != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        if (ngx_pa_pm_make(&job, &plan->dir, &copy[i], buf) != NGX_OK) {
            rc = NGX_ERROR;
            continue;
        }

        (void) ngx_pa_thumb_public(&job, &plan->dir, &copy[i].sha,
                                   copy[i].kind == NGX_PA_PM_PNG);
        made++;
    }

    return (rc == NGX_OK) ? made : NGX_ERROR;
}


ngx_uint_t
ngx_pa_public_media_is_public(ngx_pa_hash_t *h)
{
    return ngx_pa_pm_public(h);
}


/* the same rule as the public view (ngx_pa_public.c) */

static ngx_uint_t
ngx_pa_pm_public(ngx_pa_hash_t *h)
{
    ngx_str_t  *status;

    status = ngx_pa_hash_get(h, "status");

    return status != NULL && status->len == sizeof("resolved") - 1
           && ngx_strncmp(status->data, "resolved", status->len) == 0
           && ngx_pa_hash_flag(h, "published")
           && !ngx_pa_hash_flag(h, "hidden")
           && !ngx_pa_hash_flag(h, "private_result")
           && !ngx_pa_hash_flag(h, "secret");
}


/* the JPEGs and PNGs of "media" and "result.media" */

static ngx_int_t
ngx_pa_pm_wanted(ngx_log_t *log, ngx_pa_hash_t *h, ngx_array_t *copies)
{
    json_t        *j;
    ngx_int_t      rc;
    ngx_str_t     *v;
    json_error_t   je;

    v = ngx_pa_hash_get(h, "media");

    if (v != NULL && v->len) {
        j = json_loadb((char *) v->data, v->len, 0, &je);
        if (j == NULL) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa: public media: stored media is not JSON: %s",
                          je.text);
            return NGX_ERROR;
        }

        rc = ngx_pa_pm_want_list(j, copies);
        json_decref(j);

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    v = ngx_pa_hash_get(h, "result");

    if (v != NULL && v->len) {
        j = json_loadb((char *) v->data, v->len, 0, &je);
        if (j == NULL) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa: public media: stored result is not JSON: %s",
                          je.text);
            return NGX_ERROR;
        }

        rc = json_is_object(j)
             ? ngx_pa_pm_want_list(json_object_get(j, "media"), copies)
             : NGX_OK;
        json_decref(j);

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_pm_want_list(json_t *media, ngx_array_t *copies)
{
    u_char            *p;
    json_t            *item, *id, *type;
    size_t             i;
    ngx_str_t          sha, t;
    ngx_uint_t         k;
    const char        *ext;
    ngx_pa_pm_copy_t  *copy, *c;

    if (!json_is_array(media)) {
        return NGX_OK;
    }

    json_array_foreach(media, i, item) {
        id = json_object_get(item, "id");
        type = json_object_get(item, "type");

        if (!json_is_string(id) || !json_is_string(type)) {
            continue;
        }

        sha.data = (u_char *) json_string_value(id);
        sha.len = json_string_length(id);
        t.data = (u_char *) json_string_value(type);
        t.len = json_string_length(type);

        ext = ngx_pa_public_media_ext(&t);

        if (ext == NULL || !ngx_pa_public_media_sha_ok(&sha)) {
            continue;
        }

        /* the same photo twice (report and result) is one copy */

        c = copies->elts;

        for (k = 0; k < copies->nelts; k++) {
            if (ngx_strncmp(c[k].name, sha.data, sha.len) == 0) {
                break;
            }
        }

        if (k < copies->nelts) {
            continue;
        }

        copy = ngx_array_push(copies);
        if (copy == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(copy->name, sha.data, sha.len);
        p = ngx_cpymem(p, ext, ngx_strlen(ext));
        *p = '\0';

        copy->len = p - copy->name;
        copy->sha.data = copy->name;
        copy->sha.len = sha.len;
        copy->kind = (ext[1] == 'j') ? NGX_PA_PM_JPEG : NGX_PA_PM_PNG;
    }

    return NGX_OK;
}


/*
 * One copy: stripped from the store's original into a temp file of
 * media/tmp, then renamed into place; an existing copy is kept (same
 * sha, same bytes).
 */

static ngx_int_t
ngx_pa_pm_make(ngx_pa_job_t *job, ngx_str_t *dir, ngx_pa_pm_copy_t *copy,
    u_char *buf)
{
    u_char           *p, rnd[NGX_PA_PM_RAND];
    ngx_fd_t          in, out;
    ngx_int_t         rc;
    ngx_str_t         target, original, tmp;
    ngx_file_info_t   fi;

    target.len = dir->len + 1 + copy->len;
    target.data = ngx_pnalloc(job->pool, target.len + 1);
    if (target.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(target.data, "%V/%s%Z", dir, copy->name);

    if (ngx_file_info(target.data, &fi) != NGX_FILE_ERROR
        && ngx_is_file(&fi) && ngx_file_size(&fi) > 0)
    {
        return NGX_OK;
    }

    if (ngx_pa_media_path(job->pool, job->conf, &copy->sha, &original)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        ngx_log_error(NGX_LOG_ERR, job->log, 0,
                      "pa: public media: RAND_bytes() failed");
        return NGX_ERROR;
    }

    tmp.len = job->conf->media_tmp.len + sizeof("/public.") - 1
              + 2 * NGX_PA_PM_RAND;
    tmp.data = ngx_pnalloc(job->pool, tmp.len + 1);
    if (tmp.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(tmp.data, "%V/public.", &job->conf->media_tmp);
    p = ngx_hex_dump(p, rnd, sizeof(rnd));
    *p = '\0';

    in = ngx_open_file(original.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (in == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_open_file_n " \"%V\" failed: no public copy",
                      &original);
        return NGX_ERROR;
    }

    out = ngx_open_tempfile(tmp.data, 1, 0644);
    if (out == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_open_tempfile_n " \"%V\" failed", &tmp);
        (void) ngx_close_file(in);
        return NGX_ERROR;
    }

    if (copy->kind == NGX_PA_PM_JPEG) {
        rc = (ngx_pa_jpeg_strip_fd(in, out) == 0) ? NGX_OK : NGX_ERROR;

    } else {
        rc = ngx_pa_png_filter_fd(in, out, buf);
    }

    (void) ngx_close_file(in);

    if (ngx_close_file(out) == NGX_FILE_ERROR) {
        rc = NGX_ERROR;
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, job->log, ngx_errno,
                      "pa: public media: %s could not be copied without "
                      "its metadata: no public copy", copy->name);
        goto failed;
    }

    if (ngx_rename_file(tmp.data, target.data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_rename_file_n " \"%V\" to \"%V\" failed",
                      &tmp, &target);
        goto failed;
    }

    return NGX_OK;

failed:

    if (ngx_delete_file(tmp.data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_delete_file_n " \"%V\" failed", &tmp);
    }

    return NGX_ERROR;
}


/*
 * Removes the directory's files that are not wanted (all of them when
 * copies is empty).  NGX_DECLINED: there is no such directory.
 */

static ngx_int_t
ngx_pa_pm_prune(ngx_pa_job_t *job, ngx_str_t *dir, ngx_array_t *copies)
{
    u_char            *name;
    size_t             len;
    ngx_dir_t          d;
    ngx_int_t          rc;
    ngx_str_t          path;
    ngx_uint_t         k;
    ngx_pa_pm_copy_t  *c;

    if (ngx_open_dir(dir, &d) == NGX_ERROR) {
        if (ngx_errno == NGX_ENOENT) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_ERR, job->log, ngx_errno,
                      ngx_open_dir_n " \"%V\" failed", dir);
        return NGX_ERROR;
    }

    rc = NGX_OK;
    c = copies->elts;

    path.data = ngx_pnalloc(job->pool, dir->len + 1 + NGX_MAX_PATH + 1);
    if (path.data == NULL) {
        (void) ngx_close_dir(&d);
        return NGX_ERROR;
    }

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&d) == NGX_ERROR) {
            if (ngx_errno != NGX_ENOMOREFILES) {
                ngx_log_error(NGX_LOG_ERR, job->log, ngx_errno,
                              ngx_read_dir_n " \"%V\" failed", dir);
                rc = NGX_ERROR;
            }

            break;
        }

        name = ngx_de_name(&d);
        len = ngx_de_namelen(&d);

        if (name[0] == '.' || len > NGX_MAX_PATH) {
            continue;
        }

        for (k = 0; k < copies->nelts; k++) {
            if ((c[k].len == len && ngx_strncmp(c[k].name, name, len) == 0)
                || ngx_pa_thumb_of(&c[k].sha, name, len))
            {
                break;
            }
        }

        if (k < copies->nelts) {
            continue;
        }

        path.len = ngx_sprintf(path.data, "%V/%*s%Z", dir, len, name)
                   - path.data - 1;

        if (ngx_delete_file(path.data) == NGX_FILE_ERROR
            && ngx_errno != NGX_ENOENT)
        {
            ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                          ngx_delete_file_n " \"%V\" failed", &path);
            rc = NGX_ERROR;
        }
    }

    (void) ngx_close_dir(&d);

    return rc;
}


static ngx_int_t
ngx_pa_pm_mkdir(ngx_pa_job_t *job, u_char *path)
{
    if (ngx_create_dir(path, 0755) == NGX_FILE_ERROR
        && ngx_errno != NGX_EEXIST)
    {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_create_dir_n " \"%s\" failed", path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* ------------------------------------------------------------ PNG */

/*
 * Copies a PNG keeping only IHDR, PLTE, IDAT, tRNS and IEND, each as is
 * (CRC included): no tEXt/zTXt/iTXt, eXIf, tIME, iCCP ..., nothing after
 * IEND.  Every length is checked against the file's size; IHDR must come
 * first, the copy ends at IEND.  NGX_OK or NGX_ERROR (malformed).
 */

static ngx_int_t
ngx_pa_png_filter_fd(ngx_fd_t in, ngx_fd_t out, u_char *buf)
{
    u_char            head[8];
    off_t             size, pos;
    uint32_t          len;
    ngx_uint_t        n, i, keep;
    ngx_file_info_t   fi;

    static u_char     signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
                                      0x1a, '\n' };
    static const char  *kept[] = { "IHDR", "PLTE", "IDAT", "tRNS", "IEND",
                                   NULL };

    if (ngx_fd_info(in, &fi) == NGX_FILE_ERROR) {
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);

    if (size < (off_t) sizeof(signature)
        || ngx_pa_pm_pread(in, head, sizeof(signature), 0) != NGX_OK
        || ngx_memcmp(head, signature, sizeof(signature)) != 0
        || ngx_pa_store_write(out, signature, sizeof(signature)) != NGX_OK)
    {
        return NGX_ERROR;
    }

    pos = sizeof(signature);

    for (n = 0; /* void */; n++) {

        /* length, type, data, CRC */

        if (size - pos < 12
            || ngx_pa_pm_pread(in, head, 8, pos) != NGX_OK)
        {
            return NGX_ERROR;
        }

        len = ((uint32_t) head[0] << 24) | ((uint32_t) head[1] << 16)
              | ((uint32_t) head[2] << 8) | head[3];

        if (len > 0x7fffffff || (off_t) len > size - pos - 12) {
            return NGX_ERROR;
        }

        for (i = 4; i < 8; i++) {
            if (!((head[i] >= 'a' && head[i] <= 'z')
                  || (head[i] >= 'A' && head[i] <= 'Z')))
            {
                return NGX_ERROR;
            }
        }

        if (n == 0
            && (ngx_memcmp(head + 4, "IHDR", 4) != 0 || len != 13))
        {
            return NGX_ERROR;
        }

        keep = 0;

        for (i = 0; kept[i]; i++) {
            if (ngx_memcmp(head + 4, kept[i], 4) == 0) {
                keep = 1;
                break;
            }
        }

        if (keep
            && (ngx_pa_store_write(out, head, 8) != NGX_OK
                || ngx_pa_pm_copy_range(in, out, pos + 8, (off_t) len + 4,
                                        buf)
                   != NGX_OK))
        {
            return NGX_ERROR;
        }

        pos += (off_t) len + 12;

        if (ngx_memcmp(head + 4, "IEND", 4) == 0) {
            return NGX_OK;
        }
    }
}


static ngx_int_t
ngx_pa_pm_copy_range(ngx_fd_t in, ngx_fd_t out, off_t off, off_t len,
    u_char *buf)
{
    size_t  n;

    while (len > 0) {
        n = (len > NGX_PA_PM_BUF) ? NGX_PA_PM_BUF : (size_t) len;

        if (ngx_pa_pm_pread(in, buf, n, off) != NGX_OK
            || ngx_pa_store_write(out, buf, n) != NGX_OK)
        {
            return NGX_ERROR;
        }

        off += n;
        len -= n;
    }

    return NGX_OK;
}


/* exactly len bytes at off */

static ngx_int_t
ngx_pa_pm_pread(ngx_fd_t fd, u_char *p, size_t len, off_t off)
{
    ssize_t  n;

    while (len) {
        n = pread(fd, p, len, off);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }

            return NGX_ERROR;
        }

        if (n == 0) {
            return NGX_ERROR;
        }

        p += n;
        off += n;
        len -= n;
    }

    return NGX_OK;
}
