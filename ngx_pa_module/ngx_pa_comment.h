/*
 * A reporter's comment on the result, guarded against replays and floods
 * (issue 15): a replay answers the original comment and opens nothing;
 * a report takes pa_comments_per_day comments a day.
 */

#ifndef NGX_PA_COMMENT_H
#define NGX_PA_COMMENT_H

#include "ngx_pa.h"


/*
 * Adds act.lua's extras for a comment: "ikey" (the client's
 * Idempotency-Key), "window", "day_start", "per_day".  400 in err for a
 * malformed key.
 */
ngx_int_t ngx_pa_comment_guard(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *extra, ngx_pa_err_t *err);

/* 429 rate_limited, Retry-After: the province's next midnight */
ngx_int_t ngx_pa_comment_over_day(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_COMMENT_H */
