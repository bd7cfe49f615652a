/*
 * A public copy missing from disk (deleted, or the disk was full at
 * publish) is made again on its first read.  The public media location
 * falls back to the module:
 *
 *     location /media/ {
 *         alias <pa_media_dir>/public/;
 *         error_page 404 = @pa_public_copy;
 *     }
 *     location @pa_public_copy { pa_api; }
 *
 * and the module, when the report is public and the photo one of its
 * own, re-derives the report's copies from the private store in the
 * thread pool, then serves the URL again.
 */

#ifndef NGX_PA_PUBLIC_COPY_H
#define NGX_PA_PUBLIC_COPY_H

#include "ngx_pa.h"


/* GET /media/<report id>/<sha>.<ext> that the static files lack */
ngx_int_t ngx_pa_public_copy_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_PUBLIC_COPY_H */
