/*
 * POST /open311/v2/requests (ngx_pa_open311_post.c): keys, retries, the
 * body mapped onto the contract's submission.
 */

#ifndef NGX_PA_OPEN311_POST_H
#define NGX_PA_OPEN311_POST_H

#include "ngx_pa.h"


ngx_int_t ngx_pa_open311_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_OPEN311_POST_H */
