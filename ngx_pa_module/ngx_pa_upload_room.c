/*
 * A PATCH's body held to the room its upload has left (ngx_pa_upload.h).
 *
 * A body announced larger is refused by its Content-Length before it is
 * read (ngx_pa_upload.c); one sent chunked has no length to look at, so
 * its bytes are counted here as nginx decodes them, and the read stops
 * with 413 as soon as they pass the room: neither is read in whole first
 * (bounded only by pa_media_max_size before).
 */

#include "ngx_pa.h"
#include "ngx_pa_upload_room.h"


static ngx_int_t ngx_pa_upload_room_filter(ngx_http_request_t *r,
    ngx_chain_t *in);


static ngx_http_request_body_filter_pt  ngx_pa_upload_room_next;


ngx_int_t
ngx_pa_upload_room_init(ngx_conf_t *cf)
{
    ngx_pa_upload_room_next = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_pa_upload_room_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_upload_room_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    off_t          size;
    ngx_chain_t   *cl;
    ngx_pa_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_pa_module);

    if (ctx == NULL || !ctx->body_capped) {
        return ngx_pa_upload_room_next(r, in);
    }

    size = 0;

    for (cl = in; cl; cl = cl->next) {
        size += ngx_buf_size(cl->buf);
    }

    if (size > ctx->body_room) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: upload: a PATCH sent more bytes than its "
                      "upload has room for");

        ctx->body_capped = 0;

        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    ctx->body_room -= size;

    return ngx_pa_upload_room_next(r, in);
}
