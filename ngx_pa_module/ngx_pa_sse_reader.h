/*
 * The worker's reader of the "events" stream and its live streams'
 * output (ngx_pa_sse_reader.c): one reader per worker while anyone
 * listens, each entry fanned out in memory to the subscribers.
 */

#ifndef NGX_PA_SSE_READER_H
#define NGX_PA_SSE_READER_H

#include "ngx_pa.h"
#include "ngx_pa_sse_event.h"


/* the reader asks this many entries at once; a full page asks again */
#define NGX_PA_SSE_PAGE       256


/*
 * sub_init: the request's cleanups (leave the reader, free the buffers).
 * Append: NGX_OK; NGX_DECLINED: the buffer is full now; NGX_ABORT: the
 * text can never fit (skip it); NGX_ERROR.  Close ends the stream from a
 * posted event: the caller may still look at sub until it returns.
 */
ngx_int_t ngx_pa_sse_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_sse_exit_worker(ngx_pa_main_conf_t *pmcf);
ngx_int_t ngx_pa_sse_sub_init(ngx_http_request_t *r, ngx_pa_sse_sub_t *sub);
void ngx_pa_sse_join(ngx_pa_sse_sub_t *sub);
void ngx_pa_sse_leave(ngx_pa_sse_sub_t *sub);
ngx_int_t ngx_pa_sse_append(ngx_pa_sse_sub_t *sub, ngx_str_t *text);
void ngx_pa_sse_flush(ngx_pa_sse_sub_t *sub);
void ngx_pa_sse_close(ngx_pa_sse_sub_t *sub, ngx_uint_t error);
void ngx_pa_sse_write_handler(ngx_http_request_t *r);

#endif /* NGX_PA_SSE_READER_H */
