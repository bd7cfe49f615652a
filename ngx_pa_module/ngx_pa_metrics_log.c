/*
 * What /metrics counts of each request, at the log phase: by then the
 * status is final, error pages included, and the request line is still
 * what the client sent (r->unparsed_uri survives internal redirects to
 * @pa_error).  Also the zone's registration (postconfiguration).
 */

#include "ngx_pa.h"
#include "ngx_pa_error.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_metrics_zone.h"


const char  *ngx_pa_metrics_routes[NGX_PA_MR_LAST] = {
    "submit", "report", "action", "history", "reporter", "media", "queue",
    "public", "stats", "directory", "health", "admin", "api",
    "open311_submit", "open311", "metrics", "other"
};


/* the error codes of api.md and the module; anything else is "other" */
const char  *ngx_pa_metrics_reasons[NGX_PA_REASONS] = {
    "bad_request", "invalid_field", "missing_field", "invalid_json",
    "invalid_utf8", "unauthorized", "forbidden", "account_locked",
    "comments_locked", "not_found", "method_not_allowed",
    "invalid_transition", "duplicate", "too_many_comments", "too_large",
    "unsupported_media", "photo_too_old", "no_gps", "outside_area",
    "media_required", "edited_media", "rate_limited", "unavailable",
    "internal_error", "other"
};


static ngx_int_t ngx_pa_metrics_log(ngx_http_request_t *r);
static ngx_uint_t ngx_pa_metrics_route(ngx_http_request_t *r);
static ngx_uint_t ngx_pa_metrics_reason(const char *code);
static ngx_uint_t ngx_pa_metrics_seg(ngx_str_t *rest, const char *name);


/* configuration: the zone and the log phase handler (postconfiguration) */

ngx_int_t
ngx_pa_metrics_init(ngx_conf_t *cf)
{
    size_t                      size;
    ngx_str_t                   name = ngx_string("pa_metrics");
    ngx_shm_zone_t             *shm_zone;
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    /* the counters, and room for the slab allocator's own pages */

    size = ngx_align(sizeof(ngx_pa_metrics_shm_t), ngx_pagesize)
           + 8 * ngx_pagesize;

    shm_zone = ngx_shared_memory_add(cf, &name, size, &ngx_http_pa_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_pa_metrics_init_zone;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_pa_metrics_log;

    return NGX_OK;
}


/* the log phase: one request, its route family and final status */

static ngx_int_t
ngx_pa_metrics_log(ngx_http_request_t *r)
{
    ngx_uint_t             route, status, reason;
    const char            *code;
    ngx_pa_ctx_t          *ctx;
    ngx_pa_metrics_shm_t  *m;

    m = ngx_pa_metrics_shm;

    if (m == NULL) {
        return NGX_OK;
    }

    /* the status the access log writes */

    if (r->err_status) {
        status = r->err_status;

    } else {
        status = r->headers_out.status;
    }

    route = ngx_pa_metrics_route(r);

    (void) ngx_atomic_fetch_add(
               &m->requests[route][status < NGX_PA_STATUSES ? status : 0], 1);

    if (route != NGX_PA_MR_SUBMIT && route != NGX_PA_MR_OPEN311_SUBMIT) {
        return NGX_OK;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    if (status == NGX_HTTP_CREATED) {
        if (ctx != NULL && ctx->outcome == ngx_pa_metrics_replayed) {
            (void) ngx_atomic_fetch_add(&m->replayed, 1);

        } else {
            (void) ngx_atomic_fetch_add(&m->accepted, 1);
        }

        return NGX_OK;
    }

    if (status < NGX_HTTP_BAD_REQUEST) {
        return NGX_OK;
    }

    /* the code the answer said, or the one its status stands for */

    code = (ctx != NULL && ctx->outcome != NULL) ? ctx->outcome
                                                  : ngx_pa_status_code(status);
    reason = ngx_pa_metrics_reason(code);

    (void) ngx_atomic_fetch_add(&m->refused[reason], 1);

    return NGX_OK;
}


static ngx_uint_t
ngx_pa_metrics_reason(const char *code)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_PA_REASONS - 1; i++) {
        if (ngx_strcmp(code, ngx_pa_metrics_reasons[i]) == 0) {
            return i;
        }
    }

    return NGX_PA_REASONS - 1;
}


/*
 * The route family from the request line as the client sent it: a
 * handful of labels (never an id), so that the series stay few.
 */

static ngx_uint_t
ngx_pa_metrics_route(ngx_http_request_t *r)
{
    u_char     *p, *end;
    ngx_str_t   rest;

    p = r->unparsed_uri.data;

    if (p == NULL) {
        return NGX_PA_MR_OTHER;
    }

    end = p + r->unparsed_uri.len;
    rest.data = p;

    for ( /* void */ ; p < end && *p != '?'; p++) { /* void */ }

    rest.len = p - rest.data;

    if (rest.len == sizeof("/metrics") - 1
        && ngx_strncmp(rest.data, "/metrics", rest.len) == 0)
    {
        return NGX_PA_MR_METRICS;
    }

    if (ngx_pa_metrics_seg(&rest, "/media/")) {
        return NGX_PA_MR_MEDIA;
    }

    if (ngx_pa_metrics_seg(&rest, "/open311/")) {

        if (r->method == NGX_HTTP_POST && rest.len >= 14
            && (ngx_strncmp(rest.data + rest.len - 14, "/requests.json",
                            14) == 0
                || ngx_strncmp(rest.data + rest.len - 13, "/requests.xml",
                               13) == 0))
        {
            return NGX_PA_MR_OPEN311_SUBMIT;
        }

        return NGX_PA_MR_OPEN311;
    }

    if (!ngx_pa_metrics_seg(&rest, "/api/v1/")) {
        return NGX_PA_MR_OTHER;
    }

    if (ngx_pa_metrics_seg(&rest, "reports")) {

        if (rest.len == 0 || (rest.len == 1 && rest.data[0] == '/')) {
            return r->method == NGX_HTTP_POST ? NGX_PA_MR_SUBMIT
                                              : NGX_PA_MR_API;
        }

        /* "/{id}" and what follows it */

        for (p = rest.data + 1; p < rest.data + rest.len && *p != '/'; p++) {
            /* void */
        }

        rest.len -= p - rest.data;
        rest.data = p;

        if (rest.len == 0) {
            return NGX_PA_MR_REPORT;
        }

        if (ngx_pa_metrics_seg(&rest, "/actions")) {
            return NGX_PA_MR_ACTION;
        }

        if (ngx_pa_metrics_seg(&rest, "/history")) {
            return NGX_PA_MR_HISTORY;
        }

        if (ngx_pa_metrics_seg(&rest, "/reporter")) {
            return NGX_PA_MR_REPORTER;
        }

        if (ngx_pa_metrics_seg(&rest, "/media")) {
            return NGX_PA_MR_MEDIA;
        }

        return NGX_PA_MR_API;
    }

    if (ngx_pa_metrics_seg(&rest, "queue")) {
        return NGX_PA_MR_QUEUE;
    }

    if (ngx_pa_metrics_seg(&rest, "public")) {
        return NGX_PA_MR_PUBLIC;
    }

    if (ngx_pa_metrics_seg(&rest, "stats")) {
        return NGX_PA_MR_STATS;
    }

    if (ngx_pa_metrics_seg(&rest, "directory")) {
        return NGX_PA_MR_DIRECTORY;
    }

    if (ngx_pa_metrics_seg(&rest, "health")) {
        return NGX_PA_MR_HEALTH;
    }

    if (ngx_pa_metrics_seg(&rest, "admin")) {
        return NGX_PA_MR_ADMIN;
    }

    return NGX_PA_MR_API;
}


/*
 * rest begins with name (and, for a name without a trailing "/", ends
 * there or goes on with "/" or "."): rest moves past it.
 */

static ngx_uint_t
ngx_pa_metrics_seg(ngx_str_t *rest, const char *name)
{
    size_t  len;

    len = ngx_strlen(name);

    if (rest->len < len || ngx_strncmp(rest->data, name, len) != 0) {
        return 0;
    }

    if (name[len - 1] != '/' && rest->len > len
        && rest->data[len] != '/' && rest->data[len] != '.')
    {
        return 0;
    }

    rest->data += len;
    rest->len -= len;

    return 1;
}
