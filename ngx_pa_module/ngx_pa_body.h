/*
 * Request bodies: application/json, or multipart/form-data whose text parts
 * become the fields of one JSON object (a "payload" part, JSON itself, is
 * merged in) and whose file parts become media.  So JSON and multipart
 * requests go through the same validators.
 */

#ifndef NGX_PA_BODY_H
#define NGX_PA_BODY_H

#include "ngx_pa.h"
#include "ngx_pa_media.h"

#include <jansson.h>


typedef struct {
    json_t        *fields;     /* an object; released with the pool */
    ngx_array_t    media;      /* ngx_pa_media_t *, in the order sent */
} ngx_pa_body_t;


/* sets body settings before ngx_http_read_client_request_body() */
void ngx_pa_body_prepare(ngx_http_request_t *r);

/*
 * After the body was read, before the route: a multipart body is walked
 * off the event loop.  NGX_OK (go on), NGX_AGAIN (resume(r) follows) or
 * NGX_ERROR.
 */
ngx_int_t ngx_pa_body_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_http_client_body_handler_pt resume);

/*
 * The route's body: NGX_OK, or NGX_ERROR with err set.  A multipart body
 * is the one ngx_pa_body_start() walked (its media and fields live in
 * that job's pool, freed with the request).
 */
ngx_int_t ngx_pa_body_parse(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err);

/* the whole (small) body in one buffer; 413 in err above max */
ngx_int_t ngx_pa_body_read(ngx_http_request_t *r, size_t max,
    const char *too_large, ngx_str_t *out, ngx_pa_err_t *err);

/*
 * A piece of a body buffer's temp file, from a job's thread (no
 * ngx_read_file(): it logs with the request's log): n > 0 bytes read, or
 * NGX_ERROR, logged, the file's end included.  EINTR is read again.
 */
ssize_t ngx_pa_body_pread(ngx_buf_t *b, u_char *buf, size_t size, off_t off,
    ngx_log_t *log);

#endif /* NGX_PA_BODY_H */
