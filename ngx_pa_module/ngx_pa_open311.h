/*
 * Open311 GeoReport v2, in four files, each with its own header; the
 * route file on top, the answers' format at the bottom:
 *
 *   ngx_pa_open311.c       the routes: discovery, services, requests,
 *                          tokens, servicerequestupdates; the view
 *   ngx_pa_open311_post.c  POST requests: keys, retries, the body mapped
 *   ngx_pa_open311_out.c   one answer in the format the path asks for:
 *                          the JSON tree as JSON, or as XML written by
 *                          libxml2's xmlTextWriter in GeoReport's names
 *   ngx_pa_open311_keys.c  pa_open311_keys: API keys, their clients and
 *                          each client's own rate limit
 */

#ifndef NGX_PA_OPEN311_H
#define NGX_PA_OPEN311_H

#include "ngx_pa.h"
#include "ngx_pa_open311_keys.h"
#include "ngx_pa_open311_out.h"
#include "ngx_pa_open311_post.h"


/* the route (ngx_pa_api.c dispatches to it): GeoReport v2 */
ngx_int_t ngx_pa_open311_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_OPEN311_H */
