/*
 * The route handlers the router (ngx_pa_api.c) dispatches to, each in the
 * file of its route family.  A handler runs once the body is in; it
 * answers, or starts one Redis call whose reply answers (ngx_pa_call.h).
 */

#ifndef NGX_PA_ROUTES_H
#define NGX_PA_ROUTES_H

#include "ngx_pa.h"


/* ngx_pa_submit.c: POST /reports */
ngx_int_t ngx_pa_submit_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_action.c: POST /reports/{id}/actions */
ngx_int_t ngx_pa_action_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_read.c: a report, its history, the reporter's view, health */
ngx_int_t ngx_pa_read_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_history_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_reporter_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_health(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_queue.c, ngx_pa_public.c, ngx_pa_stats.c */
ngx_int_t ngx_pa_queue_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_public_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_public_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_stats_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_public_media.c: media files, public copies, staff originals */
ngx_int_t ngx_pa_media_original_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

/* ngx_pa_directory.c: GET /directory */
ngx_int_t ngx_pa_directory_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_sweep.c: POST /admin/sweep */
ngx_int_t ngx_pa_sweep_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_revoke.c: POST /admin/tokens/revoke */
ngx_int_t ngx_pa_revoke_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* ngx_pa_sse.c: live streams, GET /events and /reports/{id}/events */
ngx_int_t ngx_pa_sse_staff_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_sse_report_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

/* ngx_pa_deliveries.c: GET /admin/deliveries, POST .../{id}/replay */
ngx_int_t ngx_pa_deliveries_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
ngx_int_t ngx_pa_deliveries_replay_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

/* ngx_pa_open311.c: GeoReport v2 */
ngx_int_t ngx_pa_open311_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_ROUTES_H */
