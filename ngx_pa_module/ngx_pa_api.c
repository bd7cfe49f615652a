/*
 * The API's content handler: route, read the body, one Redis call, answer.
 *
 * The route, the method and (for the routes that take a body) the caller's
 * credentials are decided from the request line and headers alone, before
 * a byte of the body is read: a 120 MB POST to a read-only route, or an
 * unsigned action, is answered at once and its body discarded, never
 * spooled to disk.  Then every request takes the same road:
 * ngx_http_read_client_request_body() (which holds a reference on the
 * request until we finalize; for a discarded body it calls us at once),
 * the route's handler, at most one script call, then exactly one finalize
 * from the reply callback.  A request that goes away meanwhile cancels its
 * call.  The one exception is a media PATCH: it reads its upload first
 * and its body after (ngx_pa_upload_patch_first()).
 */

#include "ngx_pa.h"
#include "ngx_pa_api.h"
#include "ngx_pa_action.h"
#include "ngx_pa_admin.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_deliveries.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_json.h"
#include "ngx_pa_media.h"
#include "ngx_pa_open311.h"
#include "ngx_pa_public.h"
#include "ngx_pa_public_copy.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_queue.h"
#include "ngx_pa_read.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_revoke_wait.h"
#include "ngx_pa_sse.h"
#include "ngx_pa_stats.h"
#include "ngx_pa_submit.h"
#include "ngx_pa_sweep.h"
#include "ngx_pa_upload.h"
#include "ngx_pa_upload_bind.h"
#include "ngx_pa_validate.h"


typedef ngx_int_t (*ngx_pa_route_pt)(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

/*
 * Whose token a route's answer hangs on, so whether a fresh worker holds
 * its requests until it has read the revoked tokens once
 * (ngx_pa_revoke_wait.h).  STAFF, the first, is what a route gets unless
 * it says otherwise: a new route waits, the safe side, until it states
 * that it never reads a staff token.
 */
typedef enum {
    NGX_PA_TOKEN_STAFF = 0,     /* Authorization, when sent, is checked */
    NGX_PA_TOKEN_QUERY,         /* ... or ?access_token= (EventSource
                                   sends no header) */
    NGX_PA_TOKEN_LOGIN,         /* Authorization, where the profile makes
                                   reporters sign in (pa_login_required) */
    NGX_PA_TOKEN_NONE           /* never read: public, or keys of its own */
} ngx_pa_token_e;

/* what a route is, declared once in ngx_pa_routes[] */
typedef struct {
    ngx_pa_route_pt            handler;
    unsigned                   body:1;      /* the route reads a body */
    unsigned                   signed_in:1; /* credentials before the body */
    unsigned                   token:2;     /* ngx_pa_token_e */
} ngx_pa_route_def_t;

/* what the request line says: a route, or an answer without one */
typedef struct {
    ngx_pa_route_pt            handler;
    ngx_pa_err_t               err;
    unsigned                   body:1;
    unsigned                   signed_in:1;
    unsigned                   token:2;
} ngx_pa_route_t;

/* the routes, each declared below */
typedef enum {
    NGX_PA_ROUTE_SUBMIT,
    NGX_PA_ROUTE_READ,
    NGX_PA_ROUTE_ORIGINAL,
    NGX_PA_ROUTE_ACTION,
    NGX_PA_ROUTE_HISTORY,
    NGX_PA_ROUTE_REPORTER,
    NGX_PA_ROUTE_REPORT_EVENTS,
    NGX_PA_ROUTE_PUBLIC_LIST,
    NGX_PA_ROUTE_PUBLIC_REPORT,
    NGX_PA_ROUTE_PUBLIC_COPY,
    NGX_PA_ROUTE_OPEN311,
    NGX_PA_ROUTE_SWEEP,
    NGX_PA_ROUTE_DELIVERIES,
    NGX_PA_ROUTE_DELIVERIES_POST,
    NGX_PA_ROUTE_REPLAY,
    NGX_PA_ROUTE_REVOKE,
    NGX_PA_ROUTE_HEALTH,
    NGX_PA_ROUTE_QUEUE,
    NGX_PA_ROUTE_STATS,
    NGX_PA_ROUTE_DIRECTORY,
    NGX_PA_ROUTE_EVENTS,
    NGX_PA_ROUTE_UPLOAD_POST,
    NGX_PA_ROUTE_UPLOAD_PATCH,
    NGX_PA_ROUTE_UPLOAD_DELETE,
    NGX_PA_ROUTE_UPLOAD_HEAD,
} ngx_pa_route_e;

/* handler, body, signed_in, token */

static ngx_pa_route_def_t  ngx_pa_routes[] = {
    [NGX_PA_ROUTE_SUBMIT] =         /* POST /reports */
        { ngx_pa_submit_handler, 1, 0, NGX_PA_TOKEN_LOGIN },
    [NGX_PA_ROUTE_READ] =           /* GET /reports/{id} */
        { ngx_pa_read_report, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_ORIGINAL] =       /* /reports/{id}/media/{sha} */
        { ngx_pa_media_original_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_ACTION] =         /* /reports/{id}/actions */
        { ngx_pa_action_handler, 1, 1, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_HISTORY] =        /* /reports/{id}/history */
        { ngx_pa_history_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_REPORTER] =       /* /reports/{id}/reporter */
        { ngx_pa_reporter_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_REPORT_EVENTS] =  /* /reports/{id}/events */
        { ngx_pa_sse_report_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_PUBLIC_LIST] =    /* /public/reports */
        { ngx_pa_public_list, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_PUBLIC_REPORT] =  /* /public/reports/{id} */
        { ngx_pa_public_report, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_PUBLIC_COPY] =    /* a public copy of a medium */
        { ngx_pa_public_copy_handler, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_OPEN311] =        /* GeoReport v2: own keys; body: POST */
        { ngx_pa_open311_handler, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_SWEEP] =          /* /admin/sweep */
        { ngx_pa_sweep_handler, 1, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_DELIVERIES] =     /* /admin/deliveries */
        { ngx_pa_deliveries_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_DELIVERIES_POST] = /* POST /admin/deliveries {"id"} */
        { ngx_pa_deliveries_post_handler, 1, 1, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_REPLAY] =         /* /admin/deliveries/{id}/replay */
        { ngx_pa_deliveries_replay_handler, 1, 1, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_REVOKE] =         /* /admin/tokens/revoke */
        { ngx_pa_revoke_handler, 1, 1, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_HEALTH] =         /* /health */
        { ngx_pa_health, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_QUEUE] =          /* /queue */
        { ngx_pa_queue_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_STATS] =          /* /stats */
        { ngx_pa_stats_handler, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_DIRECTORY] =      /* /directory */
        { ngx_pa_directory_handler, 0, 0, NGX_PA_TOKEN_NONE },
    [NGX_PA_ROUTE_EVENTS] =         /* /events */
        { ngx_pa_sse_staff_handler, 0, 0, NGX_PA_TOKEN_QUERY },
    [NGX_PA_ROUTE_UPLOAD_POST] =    /* POST /media */
        { ngx_pa_upload_post, 1, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_UPLOAD_PATCH] =   /* PATCH /media/{handle} */
        { ngx_pa_upload_patch, 1, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_UPLOAD_DELETE] =  /* DELETE /media/{handle} */
        { ngx_pa_upload_delete, 0, 0, NGX_PA_TOKEN_STAFF },
    [NGX_PA_ROUTE_UPLOAD_HEAD] =    /* HEAD, GET /media/{handle} */
        { ngx_pa_upload_head, 0, 0, NGX_PA_TOKEN_STAFF },
};


static void ngx_pa_api_resume(ngx_http_request_t *r);
static ngx_uint_t ngx_pa_api_staff(ngx_http_request_t *r,
    ngx_pa_route_t *rt);
static ngx_int_t ngx_pa_api_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt);
static void ngx_pa_api_run(ngx_http_request_t *r);
static void ngx_pa_api_route(ngx_http_request_t *r);
static void ngx_pa_api_decide(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt);
static void ngx_pa_api_decide_report(ngx_pa_ctx_t *ctx, ngx_str_t *rest,
    ngx_pa_route_t *rt);
static void ngx_pa_api_decide_other(ngx_pa_ctx_t *ctx, ngx_str_t *seg,
    ngx_str_t *rest, ngx_pa_route_t *rt);
static void ngx_pa_api_decide_upload(ngx_pa_ctx_t *ctx, ngx_str_t *rest,
    ngx_pa_route_t *rt);
static void ngx_pa_api_early_auth(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt);
static void ngx_pa_api_use(ngx_pa_route_t *rt, ngx_pa_route_e route);
static void ngx_pa_route_error(ngx_pa_route_t *rt, ngx_uint_t status);
static ngx_int_t ngx_pa_api_now(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_api_segment(ngx_str_t *rest, ngx_str_t *seg);
static ngx_uint_t ngx_pa_api_is(ngx_str_t *seg, const char *name);


ngx_int_t
ngx_pa_api_handler(ngx_http_request_t *r)
{
    ngx_int_t            rc;
    ngx_pa_ctx_t        *ctx;
    ngx_pa_route_t      *rt;
    ngx_pa_main_conf_t  *pmcf;

    ctx = ngx_pa_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rt = ngx_pcalloc(r->pool, sizeof(ngx_pa_route_t));
    if (rt == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = rt;

    /* "now" first: the credentials checked before the body need it */

    if (ngx_pa_api_now(r, ctx, &rt->err) == NGX_OK) {
        ngx_pa_api_decide(r, ctx, rt);
    }

    /*
     * A staff token waits for this worker's first read of the revoked
     * ones (a fresh worker knows none); the other requests never wait
     */

    if (rt->handler != NULL && ngx_pa_api_staff(r, rt)) {
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
        rc = ngx_pa_revoke_wait(r, ngx_pa_revoke_waiting(pmcf),
                                ngx_pa_api_resume);

        if (rc == NGX_AGAIN) {
            return NGX_DONE;
        }

        if (rc != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_pa_api_start(r, ctx, rt);
}


/* a request held back by ngx_pa_revoke_wait() goes on, or gets its 503 */

static void
ngx_pa_api_resume(ngx_http_request_t *r)
{
    ngx_int_t            rc;
    ngx_pa_ctx_t        *ctx;
    ngx_pa_main_conf_t  *pmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);
    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_revoke_waiting(pmcf) == NULL) {
        rc = ngx_pa_api_start(r, ctx, ctx->data);

    } else {
        rc = ngx_http_discard_request_body(r);

        if (rc == NGX_OK) {
            rc = ngx_pa_auth_fail(r, NGX_AGAIN);
        }
    }

    /* as the content phase finalizes what its handler returns */

    ngx_http_finalize_request(r, rc);
}


/*
 * Does the request's answer hang on a staff (or a signed-in reporter's)
 * token?  As its route declares (ngx_pa_routes[]): those with one in
 * Authorization, but for the routes that never read it; a submission only
 * where reporters sign in; and the live stream's ?access_token= too: a
 * browser does not retry a 503, the IOC's dashboard would stay dark after
 * every reload.
 */

static ngx_uint_t
ngx_pa_api_staff(ngx_http_request_t *r, ngx_pa_route_t *rt)
{
    ngx_str_t            v;
    ngx_pa_main_conf_t  *pmcf;

    switch (rt->token) {

    case NGX_PA_TOKEN_NONE:
        return 0;

    case NGX_PA_TOKEN_LOGIN:
        pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
        return r->headers_in.authorization != NULL && pmcf->login_required;

    case NGX_PA_TOKEN_QUERY:
        if (r->headers_in.authorization == NULL) {
            return ngx_http_arg(r, (u_char *) "access_token", 12, &v)
                   == NGX_OK
                   && v.len > 0;
        }

        return 1;

    default: /* NGX_PA_TOKEN_STAFF */
        return r->headers_in.authorization != NULL;
    }
}


/* the route is decided: credentials, the body, then the route */

static ngx_int_t
ngx_pa_api_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt)
{
    ngx_int_t  rc;

    if (rt->handler != NULL && rt->body) {
        ngx_pa_api_early_auth(r, ctx, rt);
    }

    if (rt->handler == NULL || !rt->body) {

        /* nothing of the body is wanted: drop it as it comes */

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        if (rt->handler == NULL) {
            return ngx_pa_fail(r, &rt->err);
        }

    } else {
        ngx_pa_body_prepare(r);

        if (rt->handler == ngx_pa_upload_post
            || rt->handler == ngx_pa_upload_patch)
        {
            ngx_pa_upload_prepare(r);
        }

        /*
         * A PATCH reads its upload first and its body after: bytes past
         * the upload's room are refused before they are read
         */

        if (rt->handler == ngx_pa_upload_patch) {
            ctx->data = NULL;
            return ngx_pa_upload_patch_first(r, ctx);
        }
    }

    rc = ngx_http_read_client_request_body(r, ngx_pa_api_run);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * The body is in (or dropped): a multipart body's media are worked on off
 * the event loop first (ngx_pa_body_start), then the route runs.
 */

static void
ngx_pa_api_run(ngx_http_request_t *r)
{
    ngx_int_t        rc;
    ngx_pa_ctx_t    *ctx;
    ngx_pa_route_t  *rt;

    ctx = ngx_pa_ctx(r);
    if (ctx == NULL) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rt = ctx->data;

    if (rt->body) {
        rc = ngx_pa_body_start(r, ctx, ngx_pa_api_route);

        if (rc == NGX_AGAIN) {
            return;
        }

        if (rc != NGX_OK) {
            ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ngx_pa_api_route(r);
}


/* the route decided before the body, with its body ready */

static void
ngx_pa_api_route(ngx_http_request_t *r)
{
    ngx_int_t        rc;
    ngx_pa_ctx_t    *ctx;
    ngx_pa_route_t  *rt;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    rt = ctx->data;
    ctx->data = NULL;

    rc = rt->handler(r, ctx);

    /* NGX_DONE: a Redis call is in flight and will finalize */

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/*
 * Routes that take a body and answer only to a caller who signed in (an
 * action, a sweep with a token, a submission where the profile requires a
 * signed-in reporter): a missing or forged credential is 401 before the
 * body is read.  What the caller may do is decided later, by the route,
 * from the body (the action's name).
 */

static void
ngx_pa_api_early_auth(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt)
{
    ngx_int_t            rc;
    ngx_pa_caller_t      caller;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (rt->handler == ngx_pa_submit_handler && pmcf->login_required) {
        rt->signed_in = 1;
    }

    if (!rt->signed_in
        && !(rt->handler == ngx_pa_sweep_handler
             && r->headers_in.authorization))
    {
        return;
    }

    rc = ngx_pa_auth(r, ctx, &caller);
    if (rc == NGX_OK) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "pa: no valid credentials before the body (%i)", rc);

    rt->handler = NULL;

    if (rc == NGX_AGAIN) {
        rt->err.status = NGX_HTTP_SERVICE_UNAVAILABLE;
        rt->err.code = "unavailable";
        rt->err.message = "the token cannot be checked now, try again";
        return;
    }

    rt->err.status = NGX_HTTP_UNAUTHORIZED;
    rt->err.code = "unauthorized";
    rt->err.message = "sign in first: missing or invalid token";
}


/* what the request line says, before any body */

static void
ngx_pa_api_decide(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_route_t *rt)
{
    ngx_str_t  rest, seg;

    rest = r->uri;

    if (rest.len >= sizeof(NGX_PA_OPEN311_PREFIX) - 1
        && ngx_strncmp(rest.data, NGX_PA_OPEN311_PREFIX,
                       sizeof(NGX_PA_OPEN311_PREFIX) - 1) == 0)
    {
        /* GeoReport v2 speaks its own dialect: ngx_pa_open311.c */
        ngx_pa_api_use(rt, NGX_PA_ROUTE_OPEN311);
        rt->body = (r->method == NGX_HTTP_POST);
        return;
    }

    if (rest.len > sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 1
        && ngx_strncmp(rest.data, NGX_PA_MEDIA_PUBLIC_URI,
                       sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 1) == 0)
    {
        /* a public copy the static location lacks: ngx_pa_public_copy.c */
        ngx_pa_api_use(rt, NGX_PA_ROUTE_PUBLIC_COPY);

        if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
            ngx_pa_route_error(rt, NGX_HTTP_NOT_ALLOWED);
        }

        return;
    }

    if (rest.len < sizeof(NGX_PA_API_PREFIX) - 1
        || ngx_strncmp(rest.data, NGX_PA_API_PREFIX,
                       sizeof(NGX_PA_API_PREFIX) - 1) != 0)
    {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    rest.data += sizeof(NGX_PA_API_PREFIX) - 1;
    rest.len -= sizeof(NGX_PA_API_PREFIX) - 1;

    if (ngx_pa_api_segment(&rest, &seg) != NGX_OK) {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (ngx_pa_api_is(&seg, "reports")) {
        ngx_pa_api_decide_report(ctx, &rest, rt);

    } else {
        ngx_pa_api_decide_other(ctx, &seg, &rest, rt);
    }

    if (rt->handler == NULL) {
        return;
    }

    if (rt->body) {
        if (r->method != (rt->handler == ngx_pa_upload_patch
                          ? NGX_HTTP_PATCH : NGX_HTTP_POST))
        {
            ngx_pa_route_error(rt, NGX_HTTP_NOT_ALLOWED);

        } else if ((rt->handler == ngx_pa_upload_post
                    || rt->handler == ngx_pa_upload_patch)
                   && ngx_pa_upload_early(r, &rt->err) != NGX_OK)
        {
            rt->handler = NULL;
        }

    } else if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))
               && rt->handler != ngx_pa_upload_delete)
    {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_ALLOWED);
    }
}


/* /reports, /reports/{id}[/history|/reporter|/actions|/media/{sha}] */

static void
ngx_pa_api_decide_report(ngx_pa_ctx_t *ctx, ngx_str_t *rest,
    ngx_pa_route_t *rt)
{
    if (rest->len == 0) {
        ngx_pa_api_use(rt, NGX_PA_ROUTE_SUBMIT);
        return;
    }

    if (ngx_pa_api_segment(rest, &ctx->id) != NGX_OK
        || !ngx_pa_id_ok(&ctx->id))
    {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (rest->len == 0) {
        ngx_pa_api_use(rt, NGX_PA_ROUTE_READ);
        return;
    }

    if (ngx_pa_api_segment(rest, &ctx->sub) != NGX_OK) {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (ngx_pa_api_is(&ctx->sub, "media")) {

        /* /reports/{id}/media/{sha}: the original, for staff */

        if (ngx_pa_api_segment(rest, &ctx->media) == NGX_OK
            && rest->len == 0)
        {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_ORIGINAL);
            return;
        }

    } else if (rest->len == 0) {

        if (ngx_pa_api_is(&ctx->sub, "actions")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_ACTION);
            return;
        }

        if (ngx_pa_api_is(&ctx->sub, "history")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_HISTORY);
            return;
        }

        if (ngx_pa_api_is(&ctx->sub, "reporter")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_REPORTER);
            return;
        }

        if (ngx_pa_api_is(&ctx->sub, "events")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_REPORT_EVENTS);
            return;
        }
    }

    ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
}


/* /public/reports[/{id}], /admin/sweep, /health, /queue, /stats, ... */

static void
ngx_pa_api_decide_other(ngx_pa_ctx_t *ctx, ngx_str_t *seg, ngx_str_t *rest,
    ngx_pa_route_t *rt)
{
    ngx_str_t  sub;

    if (ngx_pa_api_is(seg, "public")) {

        if (ngx_pa_api_segment(rest, &sub) != NGX_OK
            || !ngx_pa_api_is(&sub, "reports"))
        {
            ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
            return;
        }

        if (rest->len == 0) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_PUBLIC_LIST);
            return;
        }

        if (ngx_pa_api_segment(rest, &ctx->id) != NGX_OK || rest->len
            || !ngx_pa_id_ok(&ctx->id))
        {
            ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
            return;
        }

        ngx_pa_api_use(rt, NGX_PA_ROUTE_PUBLIC_REPORT);
        return;
    }

    if (ngx_pa_api_is(seg, "admin")) {

        if (ngx_pa_api_segment(rest, &sub) != NGX_OK) {
            ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
            return;
        }

        if (ngx_pa_api_is(&sub, "sweep") && rest->len == 0) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_SWEEP);
            return;
        }

        /*
         * /admin/deliveries (GET: the dead letters; POST: replay the one
         * the body names), /admin/deliveries/{id}/replay (webhooks)
         */

        if (ngx_pa_api_is(&sub, "deliveries")) {
            if (rest->len == 0) {
                ngx_pa_api_use(rt, ctx->request->method == NGX_HTTP_POST
                                   ? NGX_PA_ROUTE_DELIVERIES_POST
                                   : NGX_PA_ROUTE_DELIVERIES);
                return;
            }

            if (ngx_pa_api_segment(rest, &ctx->id) == NGX_OK
                && ngx_pa_api_segment(rest, &sub) == NGX_OK
                && rest->len == 0 && ngx_pa_api_is(&sub, "replay"))
            {
                ngx_pa_api_use(rt, NGX_PA_ROUTE_REPLAY);
                return;
            }

            ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
            return;
        }

        /* /admin/tokens/revoke */

        if (ngx_pa_api_is(&sub, "tokens")
            && ngx_pa_api_segment(rest, &sub) == NGX_OK && rest->len == 0
            && ngx_pa_api_is(&sub, "revoke"))
        {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_REVOKE);
            return;
        }

        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (ngx_pa_api_is(seg, "media")) {
        ngx_pa_api_decide_upload(ctx, rest, rt);
        return;
    }

    if (rest->len == 0) {

        if (ngx_pa_api_is(seg, "health")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_HEALTH);

        } else if (ngx_pa_api_is(seg, "queue")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_QUEUE);

        } else if (ngx_pa_api_is(seg, "stats")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_STATS);

        } else if (ngx_pa_api_is(seg, "directory")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_DIRECTORY);

        } else if (ngx_pa_api_is(seg, "events")) {
            ngx_pa_api_use(rt, NGX_PA_ROUTE_EVENTS);
        }
    }

    if (rt->handler == NULL) {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
    }
}


/* /media, /media/{handle}: pre-uploads (ngx_pa_upload.c) */

static void
ngx_pa_api_decide_upload(ngx_pa_ctx_t *ctx, ngx_str_t *rest,
    ngx_pa_route_t *rt)
{
    if (rest->len == 0) {
        ngx_pa_api_use(rt, NGX_PA_ROUTE_UPLOAD_POST);
        return;
    }

    if (ngx_pa_api_segment(rest, &ctx->media) != NGX_OK || rest->len
        || !ngx_pa_upload_handle_ok(&ctx->media))
    {
        ngx_pa_route_error(rt, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (ctx->request->method == NGX_HTTP_PATCH) {
        ngx_pa_api_use(rt, NGX_PA_ROUTE_UPLOAD_PATCH);
        return;
    }

    if (ctx->request->method == NGX_HTTP_DELETE) {
        ngx_pa_api_use(rt, NGX_PA_ROUTE_UPLOAD_DELETE);
        return;
    }

    ngx_pa_api_use(rt, NGX_PA_ROUTE_UPLOAD_HEAD);
}


/* the route as ngx_pa_routes[] declares it */

static void
ngx_pa_api_use(ngx_pa_route_t *rt, ngx_pa_route_e route)
{
    rt->handler = ngx_pa_routes[route].handler;
    rt->body = ngx_pa_routes[route].body;
    rt->signed_in = ngx_pa_routes[route].signed_in;
    rt->token = ngx_pa_routes[route].token;
}


static void
ngx_pa_route_error(ngx_pa_route_t *rt, ngx_uint_t status)
{
    rt->handler = NULL;
    rt->err.status = status;

    if (status == NGX_HTTP_NOT_ALLOWED) {
        rt->err.code = "method_not_allowed";
        rt->err.message = "method not allowed here";

    } else {
        rt->err.code = "not_found";
        rt->err.message = "no such resource";
    }
}


/* "now" is the clock, or X-PA-Now where pa_test_clock allows it */

static ngx_int_t
ngx_pa_api_now(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_pa_err_t *err)
{
    ngx_str_t            *v;
    ngx_pa_main_conf_t   *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    ctx->now = ngx_time();

    if (!pmcf->test_clock) {
        return NGX_OK;
    }

    v = ngx_pa_header(r, "X-PA-Now");
    if (v == NULL) {
        return NGX_OK;
    }

    if (ngx_pa_rfc3339_parse(v->data, v->len, &ctx->now) != 0) {
        err->status = NGX_HTTP_BAD_REQUEST;
        err->code = "invalid_field";
        err->field = "X-PA-Now";
        err->message = "X-PA-Now must be RFC 3339";
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_pa_api_is(ngx_str_t *seg, const char *name)
{
    size_t  len;

    len = ngx_strlen(name);

    return seg->len == len && ngx_strncmp(seg->data, name, len) == 0;
}


/* splits the next "/"-separated segment off rest */

static ngx_int_t
ngx_pa_api_segment(ngx_str_t *rest, ngx_str_t *seg)
{
    u_char  *p;

    if (rest->len == 0) {
        return NGX_DECLINED;
    }

    p = ngx_strlchr(rest->data, rest->data + rest->len, '/');

    seg->data = rest->data;

    if (p == NULL) {
        seg->len = rest->len;
        rest->data += rest->len;
        rest->len = 0;

    } else {
        seg->len = p - rest->data;
        rest->len -= seg->len + 1;
        rest->data = p + 1;
    }

    return seg->len ? NGX_OK : NGX_DECLINED;
}


