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


#define NGX_PA_UPLOAD_KEEP        86400   /* a dead handle's key is kept
                                             this long: "expired", not
                                             "unknown" */


/* the routes (ngx_pa_api.c) */
ngx_int_t ngx_pa_upload_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_patch(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_head(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_upload_delete(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/*
 * The PATCH route from the content handler, before its body: the handle
 * is read, then the body, refused (413) past the room the upload has
 * left, by its Content-Length or, chunked, as it comes (a request body
 * filter: ngx_pa_upload_room.h)
 */
ngx_int_t ngx_pa_upload_patch_first(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_UPLOAD_H */
