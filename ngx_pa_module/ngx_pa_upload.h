/*
 * Media pre-upload: a photo or video sent before the report, one at a
 * time, so that a broken connection costs one file, not the report.
 *
 *   POST  /api/v1/media            the whole file (raw body, or one
 *                                  multipart file part): 201 with its
 *                                  handle and what the edge checks found
 *   POST  /api/v1/media            no body, Upload-Length: a resumable
 *                                  upload is opened: 201 {handle, ...}
 *   PATCH /api/v1/media/{handle}   Upload-Offset: bytes appended there;
 *                                  204 (Upload-Offset), or 200 and the
 *                                  media's JSON with the last byte
 *   HEAD  /api/v1/media/{handle}   Upload-Offset, Upload-Length
 *   GET   /api/v1/media/{handle}   the handle's state as JSON
 *   DELETE /api/v1/media/{handle}  given up (a photo removed from the
 *                                  form): its file goes, the cap frees
 *
 * A submission names handles (media_handles) and binds them: submit.lua
 * binds each once, atomically with the report.  The bytes wait in
 * pa_media_dir/tmp/up-<handle> and enter the content-addressed store only
 * when bound; unbound ones die with their handle (pa_upload ttl=) and the
 * worker's collector removes their files.
 *
 * Tied to the uploader: a handle is 128 random bits the uploader alone
 * learns, and Redis keeps with it a keyed hash (pa_pii_key_file) of who
 * uploaded it: the signed-in account (a Bearer token's sub), else the
 * client's address.  Only the same account reads, appends or binds an
 * account's upload; one made without a token, any caller without one
 * who holds the handle (a phone comes back online with a new address);
 * anyone else is told it does not exist.
 */

#ifndef NGX_PA_UPLOAD_H
#define NGX_PA_UPLOAD_H

#include "ngx_pa.h"
#include "ngx_pa_body.h"


#define NGX_PA_UPLOAD_HANDLE_LEN  32      /* hex of 16 random bytes */
#define NGX_PA_UPLOAD_UNPROCESSABLE  422
#define NGX_PA_UPLOAD_KEEP        86400   /* a dead handle's key is kept
                                             this long: "expired", not
                                             "unknown" */


/* pmcf->upload (pa_upload), or the defaults */
struct ngx_pa_upload_conf_s {
    time_t                     ttl;       /* unbound this long: dead */
    ngx_uint_t                 handles;   /* open ones per address */
    off_t                      bytes;     /* their lengths per address;
                                             0: 20 x pa_media_max_size */
};

ngx_pa_upload_conf_t *ngx_pa_upload_get_conf(ngx_pa_main_conf_t *pmcf);

/* the keyed hashes of the caller (owner) and of its address */
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


/* routes (ngx_pa_api.c) */
ngx_int_t ngx_pa_upload_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_patch(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/*
 * The PATCH route from the content handler, before its body: the handle
 * is read, then the body, refused (413) past the room the upload has
 * left, by its Content-Length or, chunked, as it comes (a request body
 * filter: ngx_pa_upload_room.c)
 */
ngx_int_t ngx_pa_upload_patch_first(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_room_init(ngx_conf_t *cf);
ngx_int_t ngx_pa_upload_head(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_delete(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* 1: 32 lowercase hex digits */
ngx_uint_t ngx_pa_upload_handle_ok(ngx_str_t *h);

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

/* pa_upload ttl=<time> handles=<n> bytes=<size>; */
char *ngx_pa_upload_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

/* the collector of dead uploads' files: one worker, a timer */
ngx_int_t ngx_pa_upload_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_upload_exit_worker(ngx_pa_main_conf_t *pmcf);

#endif /* NGX_PA_UPLOAD_H */
