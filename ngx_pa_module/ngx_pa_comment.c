/*
 * The comment action's guards (issue 15: 30 replayed comments opened 30
 * reply deadlines).  act.lua decides with the stored comments:
 *
 * - a replay is the same Idempotency-Key as a stored comment of the
 *   report, or, without a key, the same text within
 *   NGX_PA_COMMENT_WINDOW: the answer is the report as it is (200, the
 *   original comment), nothing written, no new reply deadline;
 * - more than pa_comments_per_day comments on a report in a day (the
 *   province's calendar day) is 429 rate_limited until midnight.  A cap
 *   that lifts by itself is a rate limit, not a sanction: 403
 *   comments_locked stays what the regulation means by it (violating
 *   comments, a month, LC26 Điều 14), so a citizen who wrote too much
 *   today is not told they were punished.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_comment.h"
#include "ngx_pa_error.h"


#define NGX_PA_COMMENT_WINDOW   600     /* seconds: a resent form */
#define NGX_PA_COMMENT_KEY_MAX  200     /* Idempotency-Key */


static ngx_int_t ngx_pa_comment_extra(ngx_http_request_t *r,
    ngx_array_t *extra, const char *name, ngx_str_t *value);
static ngx_int_t ngx_pa_comment_extra_int(ngx_http_request_t *r,
    ngx_array_t *extra, const char *name, int64_t n);
static time_t ngx_pa_comment_day_start(ngx_pa_main_conf_t *pmcf, time_t now);


ngx_int_t
ngx_pa_comment_guard(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *extra, ngx_pa_err_t *err)
{
    ngx_str_t           *key;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    key = ngx_pa_header(r, "Idempotency-Key");

    if (key != NULL) {

        /* printable ASCII: it is stored and compared as it is */

        for (i = 0; i < key->len; i++) {
            if (key->data[i] < 0x21 || key->data[i] > 0x7e) {
                break;
            }
        }

        if (key->len == 0 || key->len > NGX_PA_COMMENT_KEY_MAX
            || i < key->len)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "Idempotency-Key", "an Idempotency-Key is 1 to "
                           "200 printable ASCII characters");
            return NGX_ERROR;
        }

        if (ngx_pa_comment_extra(r, extra, "ikey", key) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (ngx_pa_comment_extra_int(r, extra, "window", NGX_PA_COMMENT_WINDOW)
        != NGX_OK
        || ngx_pa_comment_extra_int(r, extra, "day_start",
                                    ngx_pa_comment_day_start(pmcf, ctx->now))
           != NGX_OK
        || ngx_pa_comment_extra_int(r, extra, "per_day",
                                    pmcf->comments_per_day)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_comment_over_day(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    time_t               next;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    next = ngx_pa_comment_day_start(pmcf, ctx->now) + 86400;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: report \"%V\" has its %ui comments for today",
                  &ctx->id, pmcf->comments_per_day);

    return ngx_pa_send_error_retry(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                   "rate_limited", "text",
                                   "this report takes no more comments "
                                   "today (pa_comments_per_day); try again "
                                   "tomorrow", next - ctx->now);
}


/* the province's midnight before now */

static time_t
ngx_pa_comment_day_start(ngx_pa_main_conf_t *pmcf, time_t now)
{
    time_t  local;

    local = now + pmcf->utc_offset;

    return now - (local % 86400 + 86400) % 86400;
}


static ngx_int_t
ngx_pa_comment_extra(ngx_http_request_t *r, ngx_array_t *extra,
    const char *name, ngx_str_t *value)
{
    ngx_str_t  *s;

    s = ngx_array_push_n(extra, 2);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s[0].data = (u_char *) name;
    s[0].len = ngx_strlen(name);
    s[1] = *value;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_comment_extra_int(ngx_http_request_t *r, ngx_array_t *extra,
    const char *name, int64_t n)
{
    ngx_str_t  v;

    v.data = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (v.data == NULL) {
        return NGX_ERROR;
    }

    v.len = ngx_sprintf(v.data, "%L", n) - v.data;

    return ngx_pa_comment_extra(r, extra, name, &v);
}
