/*
 * The public side: GET /api/v1/public/reports (the map and the list) and
 * GET /api/v1/public/reports/{id}.  Published reports only: resolved,
 * published, not hidden, not private, not secret; anything else is 404.
 * No personal data: the name only where the reporter allowed it.
 *
 * Answers carry "Cache-Control: public, max-age=30" and depend on nothing
 * but the URI (no credentials, no clock), so nginx may cache them in front
 * of the module (design.md: public reads at >= 50% of static throughput).
 * nginx caches only proxied answers: the public location proxies to a
 * local server that runs pa_api, e.g. in dev.conf's http{}:
 *
 *   proxy_cache_path var/cache/public levels=1:2 keys_zone=pa_public:10m
 *                    max_size=256m inactive=10m use_temp_path=off;
 *   upstream pa_public_origin { server 127.0.0.1:8081; keepalive 16; }
 *   server {
 *       listen 127.0.0.1:8081;
 *       location /api/v1/public/ { pa_api; error_page 400 404 405 500
 *                                  503 @pa_error; }
 *       location @pa_error { pa_error; }
 *   }
 *
 * and in the :8080 server{}:
 *
 *   location /api/v1/public/ {
 *       proxy_pass http://pa_public_origin;
 *       proxy_http_version 1.1;
 *       proxy_set_header Connection "";
 *       proxy_set_header Authorization "";
 *       proxy_cache pa_public;
 *       proxy_cache_lock on;
 *       proxy_cache_use_stale updating error timeout;
 *       add_header X-Cache-Status $upstream_cache_status;
 *   }
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_public.h"
#include "ngx_pa_view.h"
#include "ngx_pa_record_id.h"

#include <math.h>


#define NGX_PA_PUBLIC_CACHE     "public, max-age=30"
#define NGX_PA_PUBLIC_SCAN      2000    /* reports one list looks at */
#define NGX_PA_PUBLIC_PER_PAGE  20
#define NGX_PA_PUBLIC_PAGE_MAX  100
#define NGX_PA_KM_PER_DEGREE    111.32


static ngx_int_t ngx_pa_public_bbox(ngx_str_t *v, double *box);
static void ngx_pa_public_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_public_report_done(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_public_arg_double(ngx_http_request_t *r,
    ngx_array_t *args, double d);


ngx_int_t
ngx_pa_public_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    double               box[4], lat0, cosmin, w, h;
    ngx_int_t            page, per_page;
    ngx_pa_err_t         err;
    ngx_str_t            v, category;
    ngx_uint_t           i;
    ngx_array_t         *keys, *args;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    if (ngx_pa_view_number(r, "page", 1, NGX_PA_PUBLIC_SCAN, &page, &err)
        != NGX_OK
        || ngx_pa_view_number(r, "per_page", NGX_PA_PUBLIC_PER_PAGE,
                              NGX_PA_PUBLIC_PAGE_MAX, &per_page, &err)
           != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    ngx_str_null(&category);

    if (ngx_pa_view_arg(r, "category", &category) == NGX_OK
        && category.len && !ngx_pa_id_ok(&category))
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "category", "not a category id");
    }

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 13, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "pub") == NULL
        || ngx_pa_key(r, keys, "geo") == NULL
        || ngx_pa_arg_int(r->pool, args, (page - 1) * per_page) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, per_page) != NGX_OK
        || ngx_pa_arg_str(args, &category) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, NGX_PA_PUBLIC_SCAN) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_view_arg(r, "bbox", &v) != NGX_OK || v.len == 0) {

        if (ngx_pa_arg_cstr(args, "") != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_PUBLIC, keys, args,
                           ngx_pa_public_list_done);
    }

    if (ngx_pa_public_bbox(&v, box) != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "bbox", "bbox is minLng,minLat,maxLng,"
                                 "maxLat in degrees");
    }

    /*
     * GEOSEARCH BYBOX measures the width along each point's parallel:
     * the box's widest parallel (nearest the equator) covers the whole
     * degree box; the script then keeps the exact box.
     */

    lat0 = (box[1] <= 0 && box[3] >= 0) ? 0
           : ngx_min(fabs(box[1]), fabs(box[3]));
    cosmin = cos(lat0 * M_PI / 180);

    w = (box[2] - box[0]) * NGX_PA_KM_PER_DEGREE * cosmin * 1.01 + 0.1;
    h = (box[3] - box[1]) * NGX_PA_KM_PER_DEGREE * 1.01 + 0.1;

    for (i = 0; i < 4; i++) {
        if (ngx_pa_public_arg_double(r, args, box[i]) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_pa_public_arg_double(r, args, (box[0] + box[2]) / 2) != NGX_OK
        || ngx_pa_public_arg_double(r, args, (box[1] + box[3]) / 2)
           != NGX_OK
        || ngx_pa_public_arg_double(r, args, w) != NGX_OK
        || ngx_pa_public_arg_double(r, args, h) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_PUBLIC, keys, args,
                       ngx_pa_public_list_done);
}


static void
ngx_pa_public_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply     *reply = data;
    json_t         *items, *view, *body;
    ngx_uint_t      i;
    ngx_pa_hash_t   h;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[1]->type != REDIS_REPLY_ARRAY)
    {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: public script failed: %*s",
                          (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply of the public script");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    items = json_array();
    if (items == NULL) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    for (i = 2; i < reply->elements; i++) {
        if (ngx_pa_hash_from_values(r->pool, reply->element[1],
                                    reply->element[i], &h)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected report in the public reply");
            continue;
        }

        /* the indexes should hold only these: never trust them alone */

        if (!ngx_pa_public_shown(&h)) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "pa: a report in the public index is not public");
            continue;
        }

        view = ngx_pa_view_report(r, ctx, &h, NGX_PA_VIEW_PUBLIC);
        if (view == NULL) {
            json_decref(items);
            ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        json_array_append_new(items, view);
    }

    body = json_pack("{s:o, s:I}", "items", items,
                     "total", (json_int_t) reply->element[0]->integer);

    ngx_pa_finalize(r, ngx_pa_view_send(r, NGX_HTTP_OK, body,
                                        NGX_PA_PUBLIC_CACHE));
}


ngx_int_t
ngx_pa_public_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_report_hgetall(r, ctx, ngx_pa_public_report_done);
}


static void
ngx_pa_public_report_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply     *reply = data;
    ngx_pa_hash_t   h;

    if (ngx_pa_hash_from_record(r->pool, reply, &ctx->id, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unexpected reply to HGETALL");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    /* hidden, rejected, private, unfinished: as if it did not exist */

    if (!ngx_pa_public_shown(&h)) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", NULL,
                                             "no such report"));
        return;
    }

    ngx_pa_finalize(r, ngx_pa_view_send(r, NGX_HTTP_OK,
                                        ngx_pa_view_report(r, ctx, &h,
                                                    NGX_PA_VIEW_PUBLIC),
                                        NGX_PA_PUBLIC_CACHE));
}


/* "minLng,minLat,maxLng,maxLat" */

static ngx_int_t
ngx_pa_public_bbox(ngx_str_t *v, double *box)
{
    char        *end, buf[128];
    ngx_uint_t   i;
    const char  *p;

    if (v->len >= sizeof(buf)) {
        return NGX_ERROR;
    }

    ngx_memcpy(buf, v->data, v->len);
    buf[v->len] = '\0';

    p = buf;

    for (i = 0; i < 4; i++) {
        if (*p == '\0' || *p == ' ') {
            return NGX_ERROR;
        }

        box[i] = strtod(p, &end);

        if (end == p || !isfinite(box[i])
            || (i < 3 && *end != ',') || (i == 3 && *end != '\0'))
        {
            return NGX_ERROR;
        }

        p = end + 1;
    }

    if (box[0] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90
        || box[0] >= box[2] || box[1] >= box[3])
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_public_arg_double(ngx_http_request_t *r, ngx_array_t *args, double d)
{
    ngx_str_t  *a;

    a = ngx_array_push(args);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->data = ngx_pnalloc(r->pool, 32);
    if (a->data == NULL) {
        return NGX_ERROR;
    }

    a->len = ngx_sprintf(a->data, "%.7f", d) - a->data;

    return NGX_OK;
}
