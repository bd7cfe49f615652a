/*
 * Live streams (Server-Sent Events) of the tenant's "events" stream:
 * GET /api/v1/events for staff, GET /api/v1/reports/{id}/events for the
 * reporter (or staff who may see that report).
 *
 * nchan's model: an idle stream costs no Redis connection.  One reader
 * per worker (ngx_pa_sse_reader.c) reads the stream on the worker's
 * pipelined connection while anyone listens, and fans each entry out in
 * memory to the worker's subscribers, each filtered to what its caller
 * may see (ngx_pa_sse_event.c).  Layers: the routes (ngx_pa_sse.c) stand
 * on the reader and the streams' output (ngx_pa_sse_reader.c), which
 * stands on the entries (ngx_pa_sse_event.c); a route's replay goes on
 * through sub->drained.
 */

#ifndef NGX_PA_SSE_H
#define NGX_PA_SSE_H

#include "ngx_pa.h"


/*
 * The routes ngx_pa_api.c dispatches to: live streams, GET /events
 * and /reports/{id}/events
 */
ngx_int_t ngx_pa_sse_staff_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_sse_report_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_SSE_H */
