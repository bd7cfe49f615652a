/*
 * Media pre-upload routes: POST /media, PATCH and HEAD/GET /media/{handle}
 * (see ngx_pa_upload.h).
 *
 * The edge checks are submit's own: a whole file goes through
 * ngx_pa_media_write/close (size, SHA-256, libmagic against
 * pa_media_types, container and metadata, evidence flags) in a job of the
 * thread pool; a multipart one was already walked so by ngx_pa_body.c.  A
 * resumable upload is checked the same way once its last byte came: the
 * pieces are appended to its file and then read through once.
 *
 * A PATCH writes its bytes at the offset Redis knew, then moves that
 * offset only if it did not move meanwhile (upload_set.lua): bytes
 * written by a PATCH that lost are overwritten by the next one, and a
 * file is read only up to its announced length.
 */

#include "ngx_pa_upload.h"
#include "ngx_pa_upload_bind.h"
#include "ngx_pa_upload_gc.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_thread.h"

#include <openssl/rand.h>


#define NGX_PA_UPLOAD_CHUNK  65536


typedef struct {
    ngx_str_t             handle;
    ngx_str_t             owner;
    ngx_str_t             addr;
    ngx_str_t             path;       /* tmp/up-<handle> */
    ngx_pa_media_t       *media;      /* the whole file, checked */
    ngx_chain_t          *in;         /* the request's bytes */
    off_t                 offset;     /* PATCH: where they go */
    off_t                 end;        /* PATCH: the offset after them */
    off_t                 length;     /* announced, or the file's size */
    time_t                expires;
    ngx_pa_err_t          err;
    ngx_int_t             rc;
    unsigned              complete:1;
} ngx_pa_up_t;


static ngx_pa_up_t *ngx_pa_upload_start(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_int_t *rc);
static void ngx_pa_upload_whole_work(ngx_pa_job_t *job);
static ngx_int_t ngx_pa_upload_job(ngx_http_request_t *r,
    ngx_pa_job_work_pt work, ngx_pa_job_done_pt done, ngx_pa_up_t *up);
static void ngx_pa_upload_job_done(ngx_http_request_t *r, ngx_pa_job_t *job);
static ngx_int_t ngx_pa_upload_checked(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_up_t *up);
static ngx_int_t ngx_pa_upload_create(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_up_t *up);
static void ngx_pa_upload_created(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_upload_patch_read(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static void ngx_pa_upload_patch_body(ngx_http_request_t *r);
static void ngx_pa_upload_refuse(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message);
static void ngx_pa_upload_patch_work(ngx_pa_job_t *job);
static ngx_int_t ngx_pa_upload_patch_set(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_up_t *up);
static void ngx_pa_upload_patch_done(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static void ngx_pa_upload_deleted(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_upload_unlink_work(ngx_pa_job_t *job);
static void ngx_pa_upload_unlinked(ngx_http_request_t *r, ngx_pa_job_t *job);
static void ngx_pa_upload_head_read(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_upload_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_up_t *up, ngx_pa_reply_pt on_reply);
static ngx_uint_t ngx_pa_upload_failed(ngx_http_request_t *r,
    redisReply *reply);
static redisReply *ngx_pa_upload_mine(ngx_http_request_t *r,
    ngx_pa_up_t *up, redisReply *reply);
static ngx_int_t ngx_pa_upload_feed(ngx_pa_job_t *job, ngx_pa_up_t *up,
    ngx_pa_media_t *m);
static ngx_int_t ngx_pa_upload_read_into(ngx_pa_job_t *job, ngx_pa_up_t *up,
    ngx_fd_t fd, off_t from, off_t len, ngx_pa_media_t *m);
static ngx_int_t ngx_pa_upload_put(ngx_pa_job_t *job, ngx_pa_up_t *up,
    ngx_fd_t to);
static ngx_int_t ngx_pa_upload_media_args(ngx_http_request_t *r,
    ngx_array_t *args, ngx_pa_media_t *m);
static ngx_int_t ngx_pa_upload_keep(ngx_http_request_t *r, ngx_pa_up_t *up);
static ngx_int_t ngx_pa_upload_answer(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_uint_t status, ngx_pa_up_t *up, const char *state,
    ngx_pa_media_t *m);
static void ngx_pa_upload_headers(ngx_http_request_t *r, ngx_pa_up_t *up);
static ngx_int_t ngx_pa_upload_header(ngx_http_request_t *r,
    const char *name, off_t value);
static ngx_int_t ngx_pa_upload_off(ngx_http_request_t *r, const char *name,
    off_t *v, ngx_pa_err_t *err);
static off_t ngx_pa_upload_body_size(ngx_http_request_t *r);


/* POST /api/v1/media: a whole file, or a resumable upload opened */

ngx_int_t
ngx_pa_upload_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    u_char              *p;
    ngx_int_t            rc;
    ngx_uint_t           i;
    ngx_pa_up_t         *up;
    ngx_str_t           *test;
    ngx_pa_body_t        body;
    ngx_table_elt_t     *h;
    ngx_pa_main_conf_t  *pmcf;
    u_char               rnd[NGX_PA_UPLOAD_HANDLE_LEN / 2];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    up = ngx_pa_upload_start(r, ctx, &rc);
    if (up == NULL) {
        return rc;
    }

    /* 128 random bits: the handle is its uploader's secret */

    test = pmcf->test_clock ? ngx_pa_header(r, "X-PA-Test-Handle") : NULL;

    if (test != NULL && ngx_pa_upload_handle_ok(test)) {

        /* pa_test_clock: a suite names its handles, as its report ids */

        up->handle = *test;

    } else {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        up->handle.data = ngx_pnalloc(r->pool, NGX_PA_UPLOAD_HANDLE_LEN);
        if (up->handle.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (i = 0, p = up->handle.data; i < sizeof(rnd); i++) {
            p = ngx_sprintf(p, "%02xd", rnd[i]);
        }

        up->handle.len = NGX_PA_UPLOAD_HANDLE_LEN;
    }

    if (ngx_pa_upload_path(r->pool, pmcf, &up->handle, &up->path) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_header(r, "Upload-Length") != NULL) {

        /* resumable: opened empty, the bytes come by PATCH */

        if (ngx_pa_upload_off(r, "Upload-Length", &up->length, &up->err)
            != NGX_OK)
        {
            return ngx_pa_fail(r, &up->err);
        }

        if (ngx_pa_upload_body_size(r) != 0) {
            return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "bad_request",
                                     NULL, "with Upload-Length the bytes "
                                     "come by PATCH, not in the POST");
        }

        if (up->length == 0) {
            return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                     "invalid_field", "Upload-Length",
                                     "an empty file cannot be uploaded");
        }

        if (up->length > pmcf->media_max_size) {
            return ngx_pa_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                     "too_large", "Upload-Length",
                                     "the file is larger than allowed");
        }

        return ngx_pa_upload_create(r, ctx, up);
    }

    h = r->headers_in.content_type;

    if (h && h->value.len >= sizeof("multipart/form-data") - 1
        && ngx_strncasecmp(h->value.data, (u_char *) "multipart/form-data",
                           sizeof("multipart/form-data") - 1)
           == 0)
    {
        /* walked by ngx_pa_body.c: its one file part, checked */

        if (ngx_pa_body_parse(r, &body, &up->err) != NGX_OK) {
            return ngx_pa_fail(r, &up->err);
        }

        if (body.media.nelts != 1) {
            return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                     body.media.nelts ? "invalid_field"
                                                      : "missing_field",
                                     "media", "send exactly one file "
                                     "part, named media");
        }

        up->media = ((ngx_pa_media_t **) body.media.elts)[0];

        return ngx_pa_upload_create(r, ctx, up);
    }

    if (ngx_pa_upload_body_size(r) == 0) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "missing_field",
                                 "media", "send the file as the body, as "
                                 "a multipart part named media, or open a "
                                 "resumable upload with Upload-Length");
    }

    up->in = r->request_body->bufs;

    return ngx_pa_upload_job(r, ngx_pa_upload_whole_work,
                             ngx_pa_upload_job_done, up);
}


/* PATCH /api/v1/media/{handle}: bytes at Upload-Offset */

ngx_int_t
ngx_pa_upload_patch(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_pa_up_t  *up;

    up = ngx_pa_upload_start(r, ctx, &rc);
    if (up == NULL) {
        return rc;
    }

    if (ngx_pa_upload_off(r, "Upload-Offset", &up->offset, &up->err)
        != NGX_OK)
    {
        return ngx_pa_fail(r, &up->err);
    }

    return ngx_pa_upload_read(r, ctx, up, ngx_pa_upload_patch_read);
}


/*
 * The PATCH route runs from the content handler before its body
 * (ngx_pa_api.c): the handle is read first, so that bytes past the
 * upload's room are refused unread, not read whole and then refused.
 */

ngx_int_t
ngx_pa_upload_patch_first(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t  rc;

    rc = ngx_pa_upload_patch(r, ctx);

    if (rc == NGX_DONE) {
        /* ours until the body is read (or refused): the Redis call's */
        r->main->count++;
        return NGX_DONE;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    return rc;
}


/* HEAD and GET /api/v1/media/{handle}: where the upload stands */

ngx_int_t
ngx_pa_upload_head(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_pa_up_t  *up;

    up = ngx_pa_upload_start(r, ctx, &rc);
    if (up == NULL) {
        return rc;
    }

    return ngx_pa_upload_read(r, ctx, up, ngx_pa_upload_head_read);
}


/* the route's state and the caller's identity; NULL: answered with rc */

static ngx_pa_up_t *
ngx_pa_upload_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_int_t *rc)
{
    ngx_int_t            orc;
    ngx_pa_up_t         *up;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    up = ngx_pcalloc(r->pool, sizeof(ngx_pa_up_t));
    if (up == NULL) {
        *rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    ctx->data = up;
    up->rc = NGX_OK;

    /* 401, or 503 for a token not checked yet (NGX_AGAIN) */

    orc = ngx_pa_upload_owner(r, ctx, &up->owner, &up->addr);

    if (orc != NGX_OK) {
        *rc = ngx_pa_auth_fail(r, orc);
        return NULL;
    }

    if (ctx->media.len) {
        up->handle = ctx->media;

        if (ngx_pa_upload_path(r->pool, pmcf, &up->handle, &up->path)
            != NGX_OK)
        {
            *rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
            return NULL;
        }
    }

    return up;
}


/* in a thread, or inline: the whole body through submit's checks */

static void
ngx_pa_upload_whole_work(ngx_pa_job_t *job)
{
    ngx_pa_up_t  *up = job->data;

    ngx_pa_media_t  *m;

    m = ngx_pa_media_open(job);
    if (m == NULL) {
        ngx_pa_err_set(&up->err, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                       NULL, "media storage is not available");
        up->rc = NGX_ERROR;
        return;
    }

    if (ngx_pa_upload_feed(job, up, m) != NGX_OK
        || ngx_pa_media_close(job, m, &up->err) != NGX_OK)
    {
        up->rc = NGX_ERROR;
        return;
    }

    up->media = m;
}


/*
 * The file work as a job: in the thread pool, or here when there is none.
 * done() goes on with the request either way, so that a caller has one
 * path: NGX_DONE, or a status to finalize with.
 */

static ngx_int_t
ngx_pa_upload_job(ngx_http_request_t *r, ngx_pa_job_work_pt work,
    ngx_pa_job_done_pt done, ngx_pa_up_t *up)
{
    ngx_int_t      rc;
    ngx_pa_job_t  *job;

    job = ngx_pa_job_create(r, work, done, up);
    if (job == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_pa_job_run(job);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_BUSY) {
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "the server is busy, try again");
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* it ran inline: ngx_pa_job_run() leaves done() to its caller */

    done(r, job);

    return NGX_DONE;
}


static void
ngx_pa_upload_job_done(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_int_t      rc;
    ngx_pa_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    rc = ngx_pa_upload_checked(r, ctx, job->data);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/* back from the file work: POST opens its handle, PATCH moves on */

static ngx_int_t
ngx_pa_upload_checked(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_up_t *up)
{
    if (up->rc != NGX_OK) {
        if (up->err.status == 0) {
            ngx_pa_err_set(&up->err, NGX_HTTP_SERVICE_UNAVAILABLE,
                           "unavailable", NULL,
                           "the upload could not be stored, try again");
        }

        return ngx_pa_fail(r, &up->err);
    }

    if (r->method == NGX_HTTP_PATCH) {
        return ngx_pa_upload_patch_set(r, ctx, up);
    }

    return ngx_pa_upload_create(r, ctx, up);
}


/*
 * KEYS: the handle, the address's open handles
 * ARGV: handle, now, expires, seconds kept, max handles, max bytes,
 *       length, fields...
 */

static ngx_int_t
ngx_pa_upload_create(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_up_t *up)
{
    off_t                   bytes;
    ngx_array_t            *keys, *args;
    ngx_pa_main_conf_t     *pmcf;
    ngx_pa_upload_conf_t   *ucf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    ucf = ngx_pa_upload_get_conf(pmcf);

    up->expires = ctx->now + ucf->ttl;

    if (up->media) {
        up->length = up->media->size;
        up->offset = up->media->size;
    }

    bytes = ucf->bytes ? ucf->bytes : 20 * pmcf->media_max_size;

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 32, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "up:%V", &up->handle) == NULL
        || ngx_pa_key(r, keys, "upa:%V", &up->addr) == NULL
        || ngx_pa_arg_str(args, &up->handle) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ctx->now) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, up->expires) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ucf->ttl + NGX_PA_UPLOAD_KEEP)
           != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ucf->handles) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, bytes) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, up->length) != NGX_OK
        || ngx_pa_arg_cstr(args, "owner") != NGX_OK
        || ngx_pa_arg_str(args, &up->owner) != NGX_OK
        || ngx_pa_arg_cstr(args, "addr") != NGX_OK
        || ngx_pa_arg_str(args, &up->addr) != NGX_OK
        || ngx_pa_arg_cstr(args, "offset") != NGX_OK
        || ngx_pa_arg_int(r->pool, args, up->offset) != NGX_OK
        || ngx_pa_arg_cstr(args, "state") != NGX_OK
        || ngx_pa_arg_cstr(args, up->media ? "complete" : "partial")
           != NGX_OK
        || (up->media && ngx_pa_upload_media_args(r, args, up->media)
                         != NGX_OK))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_UPLOAD_CREATE, keys, args,
                       ngx_pa_upload_created);
}


static void
ngx_pa_upload_created(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply   *reply = data;
    ngx_int_t     rc;
    ngx_pa_up_t  *up;

    up = ctx->data;

    if (ngx_pa_reply_is(reply, "upload_limit")) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: pre-upload refused: the address is at its cap "
                      "of open uploads");
        ngx_pa_finalize(r, ngx_pa_send_error_retry(r,
                            NGX_HTTP_TOO_MANY_REQUESTS, "rate_limited", NULL,
                            "too many unsent uploads from this address: "
                            "send the report that uses them first", 3600));
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: upload_create script failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "the upload could not be stored, try again"));
        return;
    }

    if (up->media && ngx_pa_upload_keep(r, up) != NGX_OK) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "the upload could not be stored, try again"));
        return;
    }

    rc = ngx_pa_upload_answer(r, ctx, NGX_HTTP_CREATED, up,
                              up->media ? "complete" : "partial", up->media);

    ngx_pa_finalize(r, rc);
}


/* the handle read for a PATCH: the bytes may go where Redis says */

static void
ngx_pa_upload_patch_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    off_t                offset, expires;
    ngx_int_t            rc;
    ngx_str_t            v;
    redisReply          *h;
    ngx_pa_up_t         *up;

    up = ctx->data;

    /* a 404 would make the client start over: it asks the offset again */

    if (ngx_pa_upload_failed(r, data)) {
        ngx_pa_upload_refuse(r, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                             NULL, "the upload cannot be read now, ask "
                             "its offset again (HEAD)");
        return;
    }

    h = ngx_pa_upload_mine(r, up, data);
    if (h == NULL) {
        ngx_pa_upload_refuse(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                             "no such upload");
        return;
    }

    ngx_pa_upload_field(h, "offset", &v);
    offset = ngx_atoof(v.data, v.len);
    ngx_pa_upload_field(h, "length", &v);
    up->length = ngx_atoof(v.data, v.len);
    ngx_pa_upload_field(h, "expires", &v);
    expires = ngx_atoof(v.data, v.len);
    up->expires = (time_t) expires;

    if (ngx_pa_upload_field(h, "state", &v) != NGX_OK
        || v.len != sizeof("partial") - 1
        || ngx_strncmp(v.data, "partial", v.len) != 0)
    {
        ngx_pa_upload_refuse(r, NGX_HTTP_CONFLICT, "upload_complete", NULL,
                             "this upload is complete already");
        return;
    }

    if (expires < ctx->now) {
        ngx_pa_upload_refuse(r, NGX_PA_UPLOAD_UNPROCESSABLE, "media_expired",
                             NULL, "this upload expired: upload the file "
                             "again");
        return;
    }

    if (offset != up->offset) {
        (void) ngx_pa_upload_header(r, "Upload-Offset", offset);
        ngx_pa_upload_refuse(r, NGX_HTTP_CONFLICT, "offset_mismatch",
                             "Upload-Offset", "the upload is at another "
                             "offset: ask with HEAD and go on from there");
        return;
    }

    /* announced past the room: refused before a byte is read */

    if (r->headers_in.content_length_n > up->length - offset) {
        r->keepalive = 0;           /* as nginx after its own 413 */
        ngx_pa_upload_refuse(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                             "too_large", NULL, "more bytes than the "
                             "Upload-Length announced");
        return;
    }

    /* sent without a length (chunked): held to the room as they come */

    ctx->body_room = up->length - offset;
    ctx->body_capped = 1;

    rc = ngx_http_read_client_request_body(r, ngx_pa_upload_patch_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        ngx_pa_finalize(r, rc);
        return;
    }

    /* the body read holds the request now */
    ngx_pa_finalize(r, NGX_DONE);
}


/* the body is in, within the room: written off the event loop */

static void
ngx_pa_upload_patch_body(ngx_http_request_t *r)
{
    ngx_int_t      rc;
    ngx_pa_up_t   *up;
    ngx_pa_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);
    up = ctx->data;

    ctx->body_capped = 0;

    up->end = up->offset + ngx_pa_upload_body_size(r);
    up->in = (r->request_body != NULL) ? r->request_body->bufs : NULL;

    if (up->end > up->length) {
        /* the room's filter refuses first; kept as the last guard */
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                            NULL, "more bytes than the Upload-Length "
                            "announced"));
        return;
    }

    up->complete = (up->end == up->length);

    rc = ngx_pa_upload_job(r, ngx_pa_upload_patch_work,
                           ngx_pa_upload_job_done, up);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/*
 * A PATCH refused before its body: the body is dropped, not read in.  A
 * client that waits for "100 Continue" is not told to send it (it would
 * send the piece for nothing, and again after the answer): the
 * connection closes after the answer instead, as nginx's own 413 does.
 */

static void
ngx_pa_upload_refuse(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message)
{
    if (r->headers_in.expect != NULL && !r->expect_tested) {
        r->expect_tested = 1;
        r->keepalive = 0;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    ngx_pa_finalize(r, ngx_pa_send_error(r, status, code, field, message));
}


/*
 * In a thread, or inline: the piece written at its offset; with the last
 * byte, the whole file read through submit's checks into a media temp
 * file (which replaces the pieces once Redis knows it complete).
 */

static void
ngx_pa_upload_patch_work(ngx_pa_job_t *job)
{
    ngx_pa_up_t  *up = job->data;

    ngx_fd_t         fd;
    ngx_pa_media_t  *m;

    up->rc = NGX_ERROR;

    fd = ngx_open_file(up->path.data, NGX_FILE_RDWR, NGX_FILE_CREATE_OR_OPEN,
                       0600);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_open_file_n " \"%V\" failed", &up->path);
        return;
    }

    if (ngx_pa_upload_put(job, up, fd) != NGX_OK) {
        goto done;
    }

    if (!up->complete) {
        up->rc = NGX_OK;
        goto done;
    }

    m = ngx_pa_media_open(job);
    if (m == NULL) {
        goto done;
    }

    if (ngx_pa_upload_read_into(job, up, fd, 0, up->length, m) != NGX_OK
        || ngx_pa_media_close(job, m, &up->err) != NGX_OK)
    {
        goto done;
    }

    up->media = m;
    up->rc = NGX_OK;

done:

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, job->log, ngx_errno,
                      ngx_close_file_n " \"%V\" failed", &up->path);
    }
}


/*
 * KEYS: the handle
 * ARGV: owner, the offset written at, the new offset, fields...
 */

static ngx_int_t
ngx_pa_upload_patch_set(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_up_t *up)
{
    ngx_array_t  *keys, *args;

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 24, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "up:%V", &up->handle) == NULL
        || ngx_pa_arg_str(args, &up->owner) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, up->offset) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, up->end) != NGX_OK
        || (up->media
            && (ngx_pa_arg_cstr(args, "state") != NGX_OK
                || ngx_pa_arg_cstr(args, "complete") != NGX_OK
                || ngx_pa_upload_media_args(r, args, up->media) != NGX_OK)))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_UPLOAD_SET, keys, args,
                       ngx_pa_upload_patch_done);
}


static void
ngx_pa_upload_patch_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply   *reply = data;
    off_t         offset;
    ngx_pa_up_t  *up;

    up = ctx->data;

    if (reply->type == REDIS_REPLY_ERROR) {

        if (ngx_pa_reply_is(reply, "offset")) {

            /* another PATCH moved it meanwhile: say where it is now */

            offset = (reply->len > 7)
                     ? ngx_atoof((u_char *) reply->str + 7, reply->len - 7)
                     : NGX_ERROR;

            if (offset == NGX_ERROR && reply->len > 11) {
                offset = ngx_atoof((u_char *) reply->str + 11,
                                   reply->len - 11);     /* "ERR offset " */
            }

            if (offset >= 0) {
                (void) ngx_pa_upload_header(r, "Upload-Offset", offset);
            }

            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "offset_mismatch", "Upload-Offset",
                                "the upload moved on meanwhile: ask with "
                                "HEAD and go on from there"));
            return;
        }

        if (ngx_pa_reply_is(reply, "not_found")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                "not_found", NULL, "no such upload"));
            return;
        }

        if (ngx_pa_reply_is(reply, "complete")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "upload_complete", NULL,
                                "this upload is complete already"));
            return;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: upload_set script failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "the bytes could not be stored, send them "
                            "again"));
        return;
    }

    up->offset = up->end;

    if (!up->complete) {

        /* 200 with where it stands (tus says 204: any 2xx is success) */

        ngx_pa_finalize(r, ngx_pa_upload_answer(r, ctx, NGX_HTTP_OK, up,
                                                "partial", NULL));
        return;
    }

    if (ngx_pa_upload_keep(r, up) != NGX_OK) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "the upload could not be stored, try again"));
        return;
    }

    ngx_pa_finalize(r, ngx_pa_upload_answer(r, ctx, NGX_HTTP_OK, up,
                                            "complete", up->media));
}


static void
ngx_pa_upload_head_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    ngx_str_t        v;
    const char      *state;
    redisReply      *h;
    ngx_pa_up_t     *up;
    ngx_pa_media_t  *m;

    up = ctx->data;

    if (ngx_pa_upload_failed(r, data)) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "the upload cannot be read now, try again"));
        return;
    }

    h = ngx_pa_upload_mine(r, up, data);
    if (h == NULL) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                            "not_found", NULL, "no such upload"));
        return;
    }

    ngx_pa_upload_field(h, "offset", &v);
    up->offset = ngx_atoof(v.data, v.len);
    ngx_pa_upload_field(h, "length", &v);
    up->length = ngx_atoof(v.data, v.len);
    ngx_pa_upload_field(h, "expires", &v);
    up->expires = (time_t) ngx_atoof(v.data, v.len);

    m = NULL;

    if (ngx_pa_upload_field(h, "report", &v) == NGX_OK && v.len) {
        state = "bound";

    } else if (up->expires < ctx->now) {
        state = "expired";

    } else if (ngx_pa_upload_field(h, "state", &v) == NGX_OK
               && v.len == sizeof("complete") - 1
               && ngx_strncmp(v.data, "complete", v.len) == 0)
    {
        state = "complete";
        m = ngx_pa_upload_media(r, h);

        if (m == NULL) {
            ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

    } else {
        state = "partial";
    }

    ngx_pa_finalize(r, ngx_pa_upload_answer(r, ctx, NGX_HTTP_OK, up, state,
                                            m));
}


/* KEYS: the handle */

static ngx_int_t
ngx_pa_upload_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_pa_up_t *up,
    ngx_pa_reply_pt on_reply)
{
    ngx_array_t  *keys, *args;

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "up:%V", &up->handle) == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_UPLOAD_GET, keys, args,
                       on_reply);
}


/* upload_get.lua refused (Redis's error reply): logged */

static ngx_uint_t
ngx_pa_upload_failed(ngx_http_request_t *r, redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: upload_get script failed: %*s",
                  (size_t) reply->len, reply->str);

    return 1;
}


/* the handle's hash when it exists and is the caller's, else NULL */

static redisReply *
ngx_pa_upload_mine(ngx_http_request_t *r, ngx_pa_up_t *up,
    redisReply *reply)
{
    ngx_str_t    v;
    redisReply  *h;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1) {
        return NULL;
    }

    h = reply->element[0];

    if (h->type != REDIS_REPLY_ARRAY || h->elements == 0
        || !ngx_pa_upload_may_use(h, &up->owner, &up->addr))
    {
        return NULL;
    }

    /*
     * upload_set.lua checks the owner the hash has: another address's
     * for an upload made without a token (ngx_pa_upload_may_use())
     */

    (void) ngx_pa_upload_field(h, "owner", &v);

    up->owner.data = ngx_pstrdup(r->pool, &v);
    if (up->owner.data == NULL) {
        return NULL;
    }

    up->owner.len = v.len;

    return h;
}


/* the request's bytes (memory, or nginx's temp file) into m's checks */

static ngx_int_t
ngx_pa_upload_feed(ngx_pa_job_t *job, ngx_pa_up_t *up, ngx_pa_media_t *m)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    for (cl = up->in; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            if (b->last > b->pos
                && ngx_pa_media_write(job, m, b->pos, b->last - b->pos,
                                      &up->err)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (ngx_pa_upload_read_into(job, up, b->file->fd, b->file_pos,
                                    b->file_last - b->file_pos, m)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* len bytes of fd from offset from, through m's checks */

static ngx_int_t
ngx_pa_upload_read_into(ngx_pa_job_t *job, ngx_pa_up_t *up, ngx_fd_t fd,
    off_t from, off_t len, ngx_pa_media_t *m)
{
    off_t     off;
    size_t    size;
    ssize_t   n;
    u_char   *chunk;

    chunk = ngx_pnalloc(job->pool, NGX_PA_UPLOAD_CHUNK);
    if (chunk == NULL) {
        return NGX_ERROR;
    }

    for (off = 0; off < len; off += n) {
        size = (size_t) ngx_min(len - off, NGX_PA_UPLOAD_CHUNK);

        n = pread(fd, chunk, size, from + off);

        if (n == -1 && ngx_errno == NGX_EINTR) {
            n = 0;
            continue;
        }

        if (n <= 0) {
            ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                          "pa: pread() of upload %V failed at %O",
                          &up->handle, from + off);
            return NGX_ERROR;
        }

        if (ngx_pa_media_write(job, m, chunk, n, &up->err) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* the request's bytes into the upload's file from up->offset on */

static ngx_int_t
ngx_pa_upload_put(ngx_pa_job_t *job, ngx_pa_up_t *up, ngx_fd_t to)
{
    off_t         at, off, len;
    size_t        size;
    ssize_t       n;
    u_char       *chunk;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    chunk = NULL;
    at = up->offset;

    for (cl = up->in; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            size = b->last - b->pos;

            if (size && pwrite(to, b->pos, size, at) != (ssize_t) size) {
                goto failed;
            }

            at += size;
            continue;
        }

        if (chunk == NULL) {
            chunk = ngx_pnalloc(job->pool, NGX_PA_UPLOAD_CHUNK);
            if (chunk == NULL) {
                return NGX_ERROR;
            }
        }

        len = b->file_last - b->file_pos;

        for (off = 0; off < len; off += n) {
            size = (size_t) ngx_min(len - off, NGX_PA_UPLOAD_CHUNK);

            n = ngx_pa_body_pread(b, chunk, size, b->file_pos + off,
                                  job->log);
            if (n == NGX_ERROR) {
                return NGX_ERROR;
            }

            if (pwrite(to, chunk, n, at) != n) {
                goto failed;
            }

            at += n;
        }
    }

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                  "pa: pwrite() \"%V\" failed", &up->path);
    ngx_pa_err_set(&up->err, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                   NULL, "media storage is not available");

    return NGX_ERROR;
}


/* the media's fields kept with a complete handle (ngx_pa_upload_media) */

static ngx_int_t
ngx_pa_upload_media_args(ngx_http_request_t *r, ngx_array_t *args,
    ngx_pa_media_t *m)
{
    u_char     *buf;
    ngx_str_t   hex;

    hex.data = m->hex;
    hex.len = ngx_strlen(m->hex);

    if (ngx_pa_arg_cstr(args, "sha") != NGX_OK
        || ngx_pa_arg_str(args, &hex) != NGX_OK
        || ngx_pa_arg_cstr(args, "type") != NGX_OK
        || ngx_pa_arg_str(args, &m->type) != NGX_OK
        || ngx_pa_arg_cstr(args, "size") != NGX_OK
        || ngx_pa_arg_int(r->pool, args, m->size) != NGX_OK
        || ngx_pa_arg_cstr(args, "flags") != NGX_OK
        || ngx_pa_arg_int(r->pool, args, m->flags) != NGX_OK
        || ngx_pa_arg_cstr(args, "sw") != NGX_OK
        || ngx_pa_arg_cstr(args, m->meta.software) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (m->meta.has_time
        && (ngx_pa_arg_cstr(args, "t") != NGX_OK
            || ngx_pa_arg_int(r->pool, args, m->meta.taken_at) != NGX_OK
            || ngx_pa_arg_cstr(args, "toff") != NGX_OK
            || ngx_pa_arg_cstr(args, m->meta.time_has_offset ? "1" : "0")
               != NGX_OK))
    {
        return NGX_ERROR;
    }

    if (m->meta.has_gps) {

        /* libc's %f (nginx's knows no negative fraction); the args keep
         * the pointer: from the pool */

        buf = ngx_pnalloc(r->pool, 64);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        (void) snprintf((char *) buf, 64, "%.7f %.7f", m->meta.lat,
                        m->meta.lng);

        if (ngx_pa_arg_cstr(args, "gps") != NGX_OK
            || ngx_pa_arg_cstr(args, (char *) buf) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A complete file takes its handle's name once Redis knows it: a rename
 * within pa_media_dir/tmp (a fresh name, or the pieces' file, replaced).
 */

static ngx_int_t
ngx_pa_upload_keep(ngx_http_request_t *r, ngx_pa_up_t *up)
{
    ngx_pa_media_t  *m;

    m = up->media;

    if (ngx_rename_file(m->tmp.data, up->path.data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      ngx_rename_file_n " \"%V\" to \"%V\" failed",
                      &m->tmp, &up->path);
        return NGX_ERROR;
    }

    m->committed = 1;       /* the temp name is gone: nothing to remove */

    return NGX_OK;
}


static ngx_int_t
ngx_pa_upload_answer(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_uint_t status, ngx_pa_up_t *up, const char *state, ngx_pa_media_t *m)
{
    u_char              *p;
    json_t              *o;
    ngx_table_elt_t     *h;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    o = (m != NULL) ? ngx_pa_record_media_json(r, m) : json_object();
    if (o == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json_object_set_new(o, "handle",
                        ngx_pa_json_strn(up->handle.data, up->handle.len));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "offset", json_integer(up->offset));
    json_object_set_new(o, "length", json_integer(up->length));
    json_object_set_new(o, "expires_at",
                        ngx_pa_time_json(pmcf, up->expires));

    ngx_pa_upload_headers(r, up);

    if (status == NGX_HTTP_CREATED) {
        h = ngx_list_push(&r->headers_out.headers);
        p = ngx_pnalloc(r->pool, sizeof(NGX_PA_API_PREFIX "media/") - 1
                                 + up->handle.len);

        if (h != NULL && p != NULL) {
            h->hash = 1;
            ngx_str_set(&h->key, "Location");
            h->value.data = p;
            p = ngx_cpymem(p, NGX_PA_API_PREFIX "media/",
                           sizeof(NGX_PA_API_PREFIX "media/") - 1);
            p = ngx_cpymem(p, up->handle.data, up->handle.len);
            h->value.len = p - h->value.data;
        }
    }

    return ngx_pa_send_json(r, status, o);
}


/* where the upload stands, in the headers a resuming client reads */

static void
ngx_pa_upload_headers(ngx_http_request_t *r, ngx_pa_up_t *up)
{
    ngx_table_elt_t  *h;

    (void) ngx_pa_upload_header(r, "Upload-Offset", up->offset);
    (void) ngx_pa_upload_header(r, "Upload-Length", up->length);

    h = ngx_list_push(&r->headers_out.headers);
    if (h != NULL) {
        h->hash = 1;
        ngx_str_set(&h->key, "Cache-Control");
        ngx_str_set(&h->value, "no-store");
    }
}


static ngx_int_t
ngx_pa_upload_header(ngx_http_request_t *r, const char *name, off_t value)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    p = ngx_pnalloc(r->pool, NGX_OFF_T_LEN);

    if (h == NULL || p == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "%O", value) - p;

    return NGX_OK;
}


/* a header of decimal bytes; NGX_ERROR with err set when absent or bad */

static ngx_int_t
ngx_pa_upload_off(ngx_http_request_t *r, const char *name, off_t *v,
    ngx_pa_err_t *err)
{
    ngx_str_t  *h;

    h = ngx_pa_header(r, name);

    if (h == NULL) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "missing_field", name,
                       "this header is required here");
        return NGX_ERROR;
    }

    *v = (h->len && h->len <= 15) ? ngx_atoof(h->data, h->len) : NGX_ERROR;

    if (*v == NGX_ERROR) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "must be a number of bytes");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static off_t
ngx_pa_upload_body_size(ngx_http_request_t *r)
{
    off_t         size;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (r->request_body == NULL) {
        return 0;
    }

    size = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size += b->in_file ? b->file_last - b->file_pos : b->last - b->pos;
    }

    return size;
}


/* DELETE /api/v1/media/{handle}: given up by its uploader */

ngx_int_t
ngx_pa_upload_delete(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_uint_t    anonymous;
    ngx_pa_up_t  *up;
    ngx_array_t  *keys, *args;

    up = ngx_pa_upload_start(r, ctx, &rc);
    if (up == NULL) {
        return rc;
    }

    /* without a token: the owner is the address (ngx_pa_upload_owner()) */

    anonymous = up->owner.len == up->addr.len
                && ngx_strncmp(up->owner.data, up->addr.data,
                               up->owner.len) == 0;

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));

    if (keys == NULL || args == NULL
        || ngx_pa_key(r, keys, "up:%V", &up->handle) == NULL
        || ngx_pa_key(r, keys, "upa:%V", &up->addr) == NULL
        || ngx_pa_arg_str(args, &up->owner) != NGX_OK
        || ngx_pa_arg_str(args, &up->handle) != NGX_OK
        || ngx_pa_arg_cstr(args, anonymous ? "1" : "0") != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_UPLOAD_DELETE, keys, args,
                       ngx_pa_upload_deleted);
}


static void
ngx_pa_upload_deleted(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply   *reply = data;
    ngx_int_t     rc;
    ngx_pa_up_t  *up;

    up = ctx->data;

    if (ngx_pa_reply_is(reply, "not_found")) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                            "not_found", NULL, "no such upload"));
        return;
    }

    if (ngx_pa_reply_is(reply, "bound")) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                            "media_bound", NULL,
                            "this photo belongs to a report now"));
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: upload_delete script failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                            "unavailable", NULL,
                            "storage is not available, try again"));
        return;
    }

    /* the bytes go off the event loop (up to pa_media_max_size of them) */

    rc = ngx_pa_upload_job(r, ngx_pa_upload_unlink_work,
                           ngx_pa_upload_unlinked, up);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


static void
ngx_pa_upload_unlink_work(ngx_pa_job_t *job)
{
    ngx_pa_up_t  *up = job->data;

    /* a resumable upload without a byte yet has no file: no error */

    if (ngx_delete_file(up->path.data) == NGX_FILE_ERROR
        && ngx_errno != NGX_ENOENT)
    {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_delete_file_n " \"%V\" failed: the collector "
                      "will retry", &up->path);
    }
}


static void
ngx_pa_upload_unlinked(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_pa_up_t   *up = job->data;
    json_t        *o;

    o = json_pack("{s:s#, s:s}", "handle", up->handle.data,
                  (int) up->handle.len, "state", "deleted");

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, o));
}
