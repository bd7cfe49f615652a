/*
 * Reading a report: GET /api/v1/reports/{id} (staff by JWT, the reporter
 * by access token), its /history and its /reporter (personal data, with
 * an audit entry), and GET /api/v1/health.  One Redis call each: get.lua
 * reads the hash and the history (and, for the IOC, the duplicate hints);
 * the worker decides what the caller may see and answers 404 for anything
 * it may not (existence never leaks).
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_duplicate.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_read.h"
#include "ngx_pa_view.h"


/* what the caller sees is theirs alone: no shared cache keeps it */
#define NGX_PA_PRIVATE_CACHE  "private, no-store"
#define NGX_PA_READ_HISTORY   500   /* get.lua reads the last 500 entries */


typedef struct {
    ngx_pa_caller_t       caller;
    ngx_pa_hash_t         hash;
    ngx_pa_list_t         history;
    ngx_pa_list_t         near;       /* duplicate hints, flat */
    unsigned              hints:1;    /* asked for them */
} ngx_pa_read_t;


static ngx_int_t ngx_pa_read_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_uint_t hints, ngx_pa_reply_pt done);
static ngx_int_t ngx_pa_read_parse(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    redisReply *reply);
static void ngx_pa_read_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_history_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_reporter_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_read_send(ngx_http_request_t *r, json_t *body);
static ngx_int_t ngx_pa_read_not_found(ngx_http_request_t *r);
static void ngx_pa_health_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);


ngx_int_t
ngx_pa_read_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_read_start(r, ctx, 1, ngx_pa_read_done);
}


ngx_int_t
ngx_pa_history_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_read_start(r, ctx, 0, ngx_pa_history_done);
}


/*
 * The caller, then get.lua "report": the hash and the history, and the
 * duplicate hints when the report itself is read by a caller who gets
 * them.
 */

static ngx_int_t
ngx_pa_read_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_uint_t hints, ngx_pa_reply_pt done)
{
    ngx_int_t       rc;
    ngx_array_t    *keys, *args;
    ngx_pa_read_t  *rd;

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = rd;

    rc = ngx_pa_auth(r, ctx, &rd->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    keys = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 5, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "r:%V", &ctx->id) == NULL
        || ngx_pa_key(r, keys, "h:%V", &ctx->id) == NULL
        || ngx_pa_key(r, keys, "audit") == NULL
        || ngx_pa_arg_cstr(args, "report") != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rd->hints = hints && ngx_pa_duplicate_wanted(r, &rd->caller);

    if (rd->hints
        && ngx_pa_duplicate_get_args(r, &ctx->id, keys, args) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_GET, keys, args, done);
}


/* {hash, history, hints?} copied out of the reply; NGX_DECLINED: 404 */

static ngx_int_t
ngx_pa_read_parse(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    redisReply *reply)
{
    ngx_pa_read_t  *rd;

    rd = ctx->data;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: get script failed: %*s",
                      (size_t) reply->len, reply->str);
        return NGX_ERROR;
    }

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements != (size_t) (rd->hints ? 3 : 2)
        || ngx_pa_hash_from_reply(r->pool, reply->element[0], &rd->hash)
           != NGX_OK
        || ngx_pa_list_from_reply(r->pool, reply->element[1], &rd->history)
           != NGX_OK
        || (rd->hints
            && ngx_pa_list_from_reply(r->pool, reply->element[2], &rd->near)
               != NGX_OK)
        || ngx_pa_view_history_first(r->pool,
               ngx_http_get_module_main_conf(r, ngx_http_pa_module),
               &rd->hash, &rd->history, NGX_PA_READ_HISTORY)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unexpected reply of the get script");
        return NGX_ERROR;
    }

    return ngx_pa_view_visible(&rd->caller, &rd->hash) ? NGX_OK
                                                        : NGX_DECLINED;
}


static void
ngx_pa_read_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    json_t          *view, *more;
    ngx_int_t        rc;
    ngx_pa_read_t   *rd;

    rd = ctx->data;

    rc = ngx_pa_read_parse(r, ctx, data);

    if (rc == NGX_DECLINED && ngx_pa_view_former(&rd->caller, &rd->hash)) {

        /* the agency handled it once: where it went, and its own word */

        view = ngx_pa_view_former_report(r, &rd->caller, &rd->hash,
                                         &rd->history);
        if (view == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: cannot build the former agency's view of "
                          "report %V", &ctx->id);
        }

        ngx_pa_finalize(r, ngx_pa_read_send(r, view));
        return;
    }

    if (rc == NGX_DECLINED) {
        ngx_pa_finalize(r, ngx_pa_read_not_found(r));
        return;
    }

    if (rc != NGX_OK) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the report cannot be read "
                                             "now, try again"));
        return;
    }

    if (rd->caller.staff) {
        view = ngx_pa_view_report(r, ctx, &rd->hash, NGX_PA_VIEW_STAFF);

        if (view != NULL && rd->hints) {
            more = ngx_pa_duplicate_hints(r, &rd->near);

            if (more == NULL) {
                json_decref(view);
                view = NULL;

            } else {
                json_object_set_new(view, "duplicate_hints", more);
            }
        }

        more = ngx_pa_view_history(r, &rd->history, NGX_PA_VIEW_STAFF);

        if (view != NULL && more != NULL) {
            json_object_set_new(view, "history", more);
            more = NULL;
        }

    } else {
        view = ngx_pa_view_report(r, ctx, &rd->hash, NGX_PA_VIEW_REPORTER);
        more = ngx_pa_view_messages(r, &rd->history);

        if (view != NULL && more != NULL) {
            json_object_set_new(view, "messages", more);
            more = NULL;
        }
    }

    if (more != NULL) {
        json_decref(more);
    }

    if (view == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot build the view of report %V", &ctx->id);
    }

    ngx_pa_finalize(r, ngx_pa_read_send(r, view));
}


static void
ngx_pa_history_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    json_t         *list;
    ngx_int_t       rc;
    ngx_pa_read_t  *rd;

    rd = ctx->data;

    rc = ngx_pa_read_parse(r, ctx, data);

    if (rc == NGX_DECLINED) {
        ngx_pa_finalize(r, ngx_pa_read_not_found(r));
        return;
    }

    if (rc != NGX_OK) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the history cannot be read "
                                             "now, try again"));
        return;
    }

    list = ngx_pa_view_history(r, &rd->history,
                               rd->caller.staff ? NGX_PA_VIEW_STAFF
                                                : NGX_PA_VIEW_REPORTER);
    if (list == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot build the history of report %V",
                      &ctx->id);
    }

    ngx_pa_finalize(r, ngx_pa_read_send(r, list));
}


/*
 * GET /reports/{id}/reporter: the IOC always; a handler or leader of an
 * assigned agency when the reporter consented (share_identity); nobody
 * else.  Roles that may never read it are refused before any lookup, so
 * the answer says nothing about the report.
 */

ngx_int_t
ngx_pa_reporter_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t       rc;
    ngx_str_t       agency;
    ngx_array_t    *keys, *args;
    ngx_pa_read_t  *rd;

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = rd;

    rc = ngx_pa_auth(r, ctx, &rd->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    switch (rd->caller.role) {

    case NGX_PA_ROLE_IOC:
        ngx_str_null(&agency);
        break;

    case NGX_PA_ROLE_HANDLER:
    case NGX_PA_ROLE_LEADER:
        agency = rd->caller.agency;
        break;

    default:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: role \"%V\" asked for the reporter of %V",
                      &rd->caller.role_name, &ctx->id);
        return ngx_pa_auth_fail(r, NGX_OK);
    }

    keys = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 7, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "r:%V", &ctx->id) == NULL
        || ngx_pa_key(r, keys, "h:%V", &ctx->id) == NULL
        || ngx_pa_key(r, keys, "audit") == NULL
        || ngx_pa_arg_cstr(args, "reporter") != NGX_OK
        || ngx_pa_arg_str(args, &agency) != NGX_OK
        || ngx_pa_arg_cstr(args, agency.len ? "1" : "0") != NGX_OK
        || ngx_pa_arg_str(args, &rd->caller.sub) != NGX_OK
        || ngx_pa_arg_str(args, &rd->caller.role_name) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ctx->now) != NGX_OK
        || ngx_pa_arg_str(args, &ctx->id) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_GET, keys, args,
                       ngx_pa_reporter_done);
}


static void
ngx_pa_reporter_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply     *reply = data;
    json_t         *body;
    ngx_str_t       name, phone, email;
    ngx_pa_hash_t   h;
    ngx_pa_read_t  *rd;
    redisReply      rest;

    rd = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: get script failed: %*s",
                          (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply of the get script");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    if (ngx_strcmp(reply->element[0]->str, "not_found") == 0) {
        ngx_pa_finalize(r, ngx_pa_read_not_found(r));
        return;
    }

    if (ngx_strcmp(reply->element[0]->str, "ok") != 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: \"%V\" of %V may not read the reporter of %V "
                      "without consent", &rd->caller.sub,
                      &rd->caller.agency, &ctx->id);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN,
                                             "forbidden", NULL,
                                             "the reporter did not consent "
                                             "to share their identity"));
        return;
    }

    /* the fields after "ok" are name, value pairs */

    rest = *reply;
    rest.element = reply->element + 1;
    rest.elements = reply->elements - 1;

    if (ngx_pa_hash_from_reply(r->pool, &rest, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unexpected fields of the get script (reporter)");
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (ngx_pa_view_pii(r, &h, "pii_name", &name) == NGX_ERROR
        || ngx_pa_view_pii(r, &h, "pii_phone", &phone) == NGX_ERROR
        || ngx_pa_view_pii(r, &h, "pii_email", &email) == NGX_ERROR)
    {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "pa: \"%V\" (%V) read the reporter of %V",
                  &rd->caller.sub, &rd->caller.role_name, &ctx->id);

    body = json_pack("{s:o, s:o, s:o}",
                     "name", name.len ? ngx_pa_json_strn(name.data, name.len)
                                      : json_null(),
                     "phone", phone.len ? ngx_pa_json_strn(phone.data,
                                                           phone.len)
                                        : json_null(),
                     "email", email.len ? ngx_pa_json_strn(email.data,
                                                           email.len)
                                        : json_null());

    ngx_pa_finalize(r, ngx_pa_read_send(r, body));
}


static ngx_int_t
ngx_pa_read_send(ngx_http_request_t *r, json_t *body)
{
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_view_cache_control(r, NGX_PA_PRIVATE_CACHE) != NGX_OK) {
        json_decref(body);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_send_json(r, NGX_HTTP_OK, body);
}


static ngx_int_t
ngx_pa_read_not_found(ngx_http_request_t *r)
{
    return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                             "no such report");
}


ngx_int_t
ngx_pa_health(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    const char  *argv[1];
    size_t       argvlen[1];

    argv[0] = "PING";
    argvlen[0] = 4;

    return ngx_pa_call(r, ctx, 1, argv, argvlen, ngx_pa_health_done);
}


static ngx_int_t ngx_pa_health_calendar(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, json_t *body);


static void
ngx_pa_health_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply          *reply = data;
    json_t              *body;
    ngx_pa_main_conf_t  *pmcf;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: health: Redis answers %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "storage answers with errors"));
        return;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    body = json_pack("{s:s, s:s, s:s#, s:s#, s:s}",
                     "status", "ok", "redis", "up",
                     "tenant", pmcf->tenant.data, (int) pmcf->tenant.len,
                     "profile", pmcf->profile.data ? (char *) pmcf->profile.data
                                                   : "",
                     (int) pmcf->profile.len,
                     "version", NGX_PA_VERSION);

    if (body != NULL && ngx_pa_health_calendar(r, ctx, body) != NGX_OK) {
        json_decref(body);
        body = NULL;
    }

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, body));
}


/*
 * calendar_until: the last day the holiday files know (null without one),
 * calendar_days_left, and warnings [...] from 60 days before that day.
 */

static ngx_int_t
ngx_pa_health_calendar(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, json_t *body)
{
    u_char               date[sizeof("2027-12-31")], msg[256];
    time_t               until;
    json_t              *warnings;
    ngx_tm_t             tm;
    ngx_int_t            days;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    warnings = json_array();
    if (warnings == NULL) {
        return NGX_ERROR;
    }

    if (ngx_pa_calendar_left(pmcf, ctx->now, &until, &days) != NGX_OK) {
        json_object_set_new(body, "calendar_until", json_null());
        json_array_append_new(warnings,
            json_string("no holiday file (pa_calendar_file): public "
                        "holidays are not known, deadlines count weekends "
                        "only"));

    } else {
        ngx_gmtime(until + pmcf->utc_offset, &tm);
        (void) ngx_sprintf(date, "%04d-%02d-%02d", tm.ngx_tm_year,
                           tm.ngx_tm_mon, tm.ngx_tm_mday);

        json_object_set_new(body, "calendar_until",
                            json_stringn((char *) date, 10));
        json_object_set_new(body, "calendar_days_left",
                            json_integer((json_int_t) days));

        if (ngx_pa_calendar_warning(pmcf, ctx->now, msg, sizeof(msg))) {
            json_array_append_new(warnings, json_string((char *) msg));
        }
    }

    return json_object_set_new(body, "warnings", warnings) == 0
           ? NGX_OK : NGX_ERROR;
}
