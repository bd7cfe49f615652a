/*
 * Public copies made again on their first read (ngx_pa_public_copy.h).
 *
 * Only a URL the public view could have given is worked on: a report
 * that is public now and a sha among its media or its result's media;
 * anything else is a 404 after one small Redis read, so random URLs cost
 * no file work.  The copies themselves are made by
 * ngx_pa_public_media_sync(), as at publish: off the event loop, the
 * copies already there left alone.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_media.h"
#include "ngx_pa_public_copy.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_view.h"
#include "ngx_pa_record_id.h"


static ngx_int_t ngx_pa_public_copy_parse(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static void ngx_pa_public_copy_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);
static void ngx_pa_public_copy_synced(ngx_http_request_t *r, void *data);
static ngx_int_t ngx_pa_public_copy_missing(ngx_http_request_t *r);


ngx_int_t
ngx_pa_public_copy_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    if (ngx_pa_public_copy_parse(r, ctx) != NGX_OK) {
        return ngx_pa_public_copy_missing(r);
    }

    return ngx_pa_report_hgetall(r, ctx, ngx_pa_public_copy_read);
}


/* "/media/<id>/<64 hex>.jpg" (or .png): ctx->id and ctx->media */

static ngx_int_t
ngx_pa_public_copy_parse(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    u_char     *p, *last, *slash;
    ngx_str_t   ext;

    p = r->uri.data + sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 1;
    last = r->uri.data + r->uri.len;

    slash = ngx_strlchr(p, last, '/');
    if (slash == NULL) {
        return NGX_DECLINED;
    }

    ctx->id.data = p;
    ctx->id.len = slash - p;

    ctx->media.data = slash + 1;
    ctx->media.len = NGX_PA_MEDIA_SHA_LEN;

    ext.data = slash + 1 + NGX_PA_MEDIA_SHA_LEN;

    if (ext.data > last || !ngx_pa_id_ok(&ctx->id)
        || !ngx_pa_public_media_sha_ok(&ctx->media))
    {
        return NGX_DECLINED;
    }

    ext.len = last - ext.data;

    if (!(ext.len == 4
          && (ngx_strncmp(ext.data, ".jpg", 4) == 0
              || ngx_strncmp(ext.data, ".png", 4) == 0)))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static void
ngx_pa_public_copy_read(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply     *reply = data;
    ngx_str_t      *media, *result;
    ngx_int_t       rc;
    ngx_pa_hash_t  *h;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: public copy: reading report %V failed: %*s",
                      &ctx->id, (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the photo cannot be read now, "
                                             "try again"));
        return;
    }

    h = ngx_palloc(r->pool, sizeof(ngx_pa_hash_t));
    if (h == NULL
        || ngx_pa_hash_from_record(r->pool, reply, &ctx->id, h) != NGX_OK)
    {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    media = ngx_pa_hash_get(h, "media");
    result = ngx_pa_hash_get(h, "result");

    if (h->n == 0 || !ngx_pa_public_media_is_public(h)
        || !((media
              && ngx_strlcasestrn(media->data, media->data + media->len,
                                  ctx->media.data, ctx->media.len - 1))
             || (result
                 && ngx_strlcasestrn(result->data,
                                     result->data + result->len,
                                     ctx->media.data, ctx->media.len - 1))))
    {
        ngx_pa_finalize(r, ngx_pa_public_copy_missing(r));
        return;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "pa: public copy of %V of report %V is missing, "
                  "making it again", &ctx->media, &ctx->id);

    rc = ngx_pa_public_media_sync(r, h, ngx_pa_public_copy_synced, ctx);

    if (rc == NGX_AGAIN) {
        return;
    }

    if (rc == NGX_ERROR || rc == NGX_BUSY) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the photo cannot be made now, "
                                             "try again"));
        return;
    }

    ngx_pa_public_copy_synced(r, ctx);
}


/* made (or not: the disk may still be full): the static location again */

static void
ngx_pa_public_copy_synced(ngx_http_request_t *r, void *data)
{
    u_char              *path;
    ngx_file_info_t      fi;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /* "<media_dir>/public/<id>/<sha>.<ext>", the rest of the URI */

    path = ngx_pnalloc(r->pool, pmcf->media_dir.len
                                + sizeof("/" NGX_PA_MEDIA_PUBLIC_DIR) - 1
                                + r->uri.len);
    if (path == NULL) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    (void) ngx_sprintf(path, "%V/" NGX_PA_MEDIA_PUBLIC_DIR "%*s%Z",
                       &pmcf->media_dir,
                       r->uri.len - (sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 2),
                       r->uri.data + sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 2);

    if (ngx_file_info(path, &fi) == NGX_FILE_ERROR || !ngx_is_file(&fi)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, ngx_errno,
                      "pa: public copy \"%s\" could not be made", path);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the photo cannot be made now, "
                                             "try again"));
        return;
    }

    /* the location's own headers (type, cache) come with the file */

    (void) ngx_http_internal_redirect(r, &r->uri, NULL);
    ngx_pa_finalize(r, NGX_DONE);
}


static ngx_int_t
ngx_pa_public_copy_missing(ngx_http_request_t *r)
{
    return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                             "no such public photo");
}
