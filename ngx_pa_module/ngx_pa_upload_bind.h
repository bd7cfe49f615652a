/*
 * Pre-uploaded media bound to a report (ngx_pa_upload_bind.c): whose a
 * handle is, its file and fields, the checks before a body is read, and
 * the handles a submission names, read and made its media (ngx_pa_upload.h
 * tells the routes' story).
 */

#ifndef NGX_PA_UPLOAD_BIND_H
#define NGX_PA_UPLOAD_BIND_H

#include "ngx_pa.h"
#include "ngx_pa_body.h"


#define NGX_PA_UPLOAD_HANDLE_LEN  32      /* hex of 16 random bytes */
#define NGX_PA_UPLOAD_UNPROCESSABLE  422


/* 1: 32 lowercase hex digits */
ngx_uint_t ngx_pa_upload_handle_ok(ngx_str_t *h);

/*
 * the keyed hashes of the caller (owner) and of its address; NGX_ERROR:
 * a token refused, NGX_AGAIN: a token not checked yet (503)
 */
ngx_int_t ngx_pa_upload_owner(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *owner, ngx_str_t *addr);

/* may the caller (ngx_pa_upload_owner()) use the handle of this hash */
ngx_uint_t ngx_pa_upload_may_use(void *hash, ngx_str_t *owner,
    ngx_str_t *addr);

/* pa_media_dir/tmp/up-<handle>, NUL terminated */
ngx_int_t ngx_pa_upload_path(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *handle, ngx_str_t *path);

/*
 * One field of a handle's HGETALL (a redisReply array): v points into the
 * reply (valid until the callback returns).  NGX_OK or NGX_DECLINED.
 */
ngx_int_t ngx_pa_upload_field(void *hash, const char *name, ngx_str_t *v);

/* the media a complete handle describes (no file open), from the pool */
ngx_pa_media_t *ngx_pa_upload_media(ngx_http_request_t *r, void *hash);

/*
 * Before the body is read: a body the route can never take (too large, a
 * multipart PATCH) is refused at once.  NGX_OK, or NGX_ERROR with err set.
 * Then the body's settings (a raw body to a temp file).
 */
ngx_int_t ngx_pa_upload_early(ngx_http_request_t *r, ngx_pa_err_t *err);
void ngx_pa_upload_prepare(ngx_http_request_t *r);

/*
 * The submission's handles (field media_handles: a JSON array, or a text
 * of handles separated by commas or spaces).  NGX_DECLINED: none named.
 * NGX_DONE: read from Redis, on_reply follows and calls
 * ngx_pa_upload_taken().  Anything else: answered (a bad field).
 */
ngx_int_t ngx_pa_upload_take(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_body_t *body, ngx_pa_reply_pt on_reply);

/*
 * The handles read: each the caller's, complete, not expired; their media
 * join body->media (already in the store when bound before), and keys
 * gets the pairs submit.lua binds (up:<handle>, upa:<addr>).  NGX_OK, or
 * NGX_ERROR with err set.
 */
ngx_int_t ngx_pa_upload_taken(ngx_http_request_t *r, void *reply,
    ngx_pa_body_t *body, ngx_array_t **keys, ngx_pa_err_t *err);

#endif /* NGX_PA_UPLOAD_BIND_H */
