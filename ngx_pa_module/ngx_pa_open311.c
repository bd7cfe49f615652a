/*
 * Open311 GeoReport v2 (api.md "Open311 GeoReport v2"): the same reports
 * in the dialect city apps, aggregators and FixMyStreet speak, every
 * endpoint as .xml (the spec's format) and .json (ngx_pa_open311_out.c):
 *
 *   GET  discovery                  what this endpoint is and speaks
 *   GET  services                   the directory's categories
 *   GET  services/{code}            a definition: the category's
 *                                   attributes (pa_directory)
 *   POST requests                   a report, with an API key
 *                                   (ngx_pa_open311_post.c)
 *   GET  requests                   the key's own requests in any state
 *                                   and the published ones (open311.lua)
 *   GET  requests/{id}              one of them, or the reporter's own by
 *                                   its token
 *   GET  tokens/{token}             the id of an access token
 *   GET  servicerequestupdates      the key's requests' state changes and
 *                                   published results (open311_updates.lua)
 *
 * Nothing here bypasses the API's rules: the public sees what GET
 * /api/v1/public/reports shows (ngx_pa_public_shown), a client what it
 * sent, the reporter what their token opens, and no answer ever carries
 * a name, phone or e-mail.  Errors come out as GeoReport's
 * <errors><error> wherever they are raised: ngx_pa_send_error() asks
 * this file.
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_open311.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_validate.h"
#include "ngx_pa_view.h"
#include "ngx_pa_record_id.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>


#define NGX_PA_O311_PUBLIC_CACHE  "public, max-age=30"
#define NGX_PA_O311_PRIVATE_CACHE "private, no-store"
#define NGX_PA_O311_IDS_MAX       50              /* service_request_id */
#define NGX_PA_O311_CODES_MAX     50              /* service_code */
#define NGX_PA_O311_SCAN          2000            /* reports one list reads */
#define NGX_PA_O311_CAP           1000            /* the spec's cap */
#define NGX_PA_O311_WINDOW        (90 * 86400)    /* the spec's window */
#define NGX_PA_O311_SPEC          "http://wiki.open311.org/GeoReport_v2"
#define NGX_PA_O311_CHANGESET     "2026-12-04T00:00:00+07:00"


typedef struct {
    ngx_str_t               token;     /* requests/{id}: the reporter's */
    ngx_pa_o311_client_t   *client;    /* the API key's, or NULL */
    time_t                  from;      /* servicerequestupdates */
    time_t                  to;
} ngx_pa_o311_read_t;

typedef struct {
    time_t                  at;
    ngx_str_t               id;        /* the request's */
    ngx_uint_t              n;         /* in the request's history */
    json_t                 *o;
} ngx_pa_o311_update_t;


static ngx_int_t ngx_pa_o311_path(ngx_http_request_t *r, ngx_str_t *res,
    ngx_str_t *key);
static ngx_int_t ngx_pa_o311_discovery(ngx_http_request_t *r);
static void ngx_pa_o311_host_port(ngx_http_request_t *r, ngx_str_t *port);
static ngx_int_t ngx_pa_o311_services(ngx_http_request_t *r,
    ngx_str_t *code);
static json_t *ngx_pa_o311_service(ngx_pa_main_conf_t *pmcf,
    ngx_pa_category_t *c);
static ngx_int_t ngx_pa_o311_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client);
static ngx_int_t ngx_pa_o311_list_ids(ngx_http_request_t *r,
    ngx_array_t *args, ngx_str_t *v, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_codes(ngx_http_request_t *r, ngx_str_t *v,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_statuses(ngx_str_t *v, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_window(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, time_t *from, time_t *to, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_date(ngx_http_request_t *r, const char *name,
    ngx_uint_t end, time_t *t, ngx_pa_err_t *err);
static void ngx_pa_o311_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_o311_request(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_o311_client_t *client);
static void ngx_pa_o311_request_done(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_o311_token(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *token);
static void ngx_pa_o311_token_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_o311_updates(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_o311_client_t *client);
static void ngx_pa_o311_updates_done(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_o311_updates_of(ngx_http_request_t *r,
    ngx_pa_o311_read_t *rd, ngx_pa_hash_t *h, redisReply *history,
    ngx_array_t *out);
static int ngx_cdecl ngx_pa_o311_update_cmp(const void *a, const void *b);
static ngx_uint_t ngx_pa_o311_own(ngx_pa_hash_t *h,
    ngx_pa_o311_client_t *client);
static json_t *ngx_pa_o311_view(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_uint_t published, ngx_uint_t own);
static json_t *ngx_pa_o311_notes(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_str_t *status);
static const char *ngx_pa_o311_state_text(ngx_str_t *status);
static json_t *ngx_pa_o311_summary(ngx_pa_hash_t *h);
static json_t *ngx_pa_o311_agency(ngx_http_request_t *r, ngx_pa_hash_t *h);
static json_t *ngx_pa_o311_expected(ngx_pa_main_conf_t *pmcf,
    ngx_pa_hash_t *h);
static json_t *ngx_pa_o311_media_url(ngx_http_request_t *r,
    ngx_pa_hash_t *h, ngx_str_t *id);
static json_t *ngx_pa_o311_string(ngx_pa_hash_t *h, const char *name);
static json_t *ngx_pa_o311_time(ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h,
    const char *name);
static json_t *ngx_pa_o311_number_json(ngx_pa_hash_t *h, const char *name);
static ngx_uint_t ngx_pa_o311_closed(ngx_str_t *status);


/*
 * GeoReport "closed": the report's handling has ended here (open311.lua's
 * set too); every other state is "open".  An escalated report is open:
 * the superior's direction comes back as a dispatch (api.md), and the
 * citizen's case is still live until then.
 */

static const char  *ngx_pa_o311_closed_states[] = {
    "resolved", "rejected", "cancelled", "monitoring", NULL
};


/*
 * status_notes and the updates' descriptions: what a citizen understands,
 * never the workflow's state names.
 */

static struct {
    const char  *state;
    const char  *text;
} ngx_pa_o311_states[] = {
    { "submitted",
      "Đã nhận phản ánh; Trung tâm điều hành sẽ kiểm tra." },
    { "needs_info",
      "Cần bổ sung thông tin: Trung tâm điều hành đã đề nghị người phản ánh "
      "bổ sung." },
    { "verified",
      "Phản ánh đã được kiểm tra, đang chờ chuyển xử lý." },
    { "received",
      "Trung tâm điều hành đã tiếp nhận, đang chuyển cơ quan có thẩm quyền." },
    { "coordinating",
      "Đang xác định cơ quan có thẩm quyền xử lý." },
    { "dispatched",
      "Đã chuyển cơ quan có thẩm quyền xử lý." },
    { "in_progress",
      "Cơ quan có thẩm quyền đang xử lý." },
    { "awaiting_approval",
      "Đã xử lý; kết quả đang chờ lãnh đạo cơ quan duyệt." },
    { "under_review",
      "Đã xử lý; Trung tâm điều hành đang kiểm tra kết quả." },
    { "resolved",
      "Đã xử lý xong." },
    { "rejected",
      "Phản ánh không được tiếp nhận." },
    { "cancelled",
      "Người phản ánh đã rút phản ánh." },
    { "monitoring",
      "Đã chuyển cơ quan có thẩm quyền theo dõi." },
    { "escalated",
      "Đã chuyển cấp có thẩm quyền cao hơn xem xét." },
    { NULL, NULL }
};

static struct {
    const char  *reason;
    const char  *text;
} ngx_pa_o311_reasons[] = {
    { "no_media", "Phản ánh không được tiếp nhận: không có hình ảnh, video." },
    { "unclear_media",
      "Phản ánh không được tiếp nhận: hình ảnh, video không rõ." },
    { "edited_media",
      "Phản ánh không được tiếp nhận: hình ảnh, video đã bị chỉnh sửa." },
    { "supplement_timeout",
      "Phản ánh không được tiếp nhận: thông tin không được bổ sung đúng "
      "hạn." },
    { "identity_unverified",
      "Phản ánh không được tiếp nhận: không xác minh được người phản ánh." },
    { "identity_inaccurate",
      "Phản ánh không được tiếp nhận: thông tin người phản ánh không chính "
      "xác." },
    { "duplicate",
      "Phản ánh không được tiếp nhận: trùng với một phản ánh đã có." },
    { "duplicate_in_progress",
      "Phản ánh không được tiếp nhận: trùng với một phản ánh đang được xử "
      "lý." },
    { "unclear_or_test",
      "Phản ánh không được tiếp nhận: nội dung không rõ." },
    { NULL, NULL }
};


/* "/open311/v2/<resource>[/<key>].<format>" */

ngx_int_t
ngx_pa_open311_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t              res, key, jur, api;
    ngx_int_t              rc;
    ngx_pa_o311_client_t  *client;

    if (ngx_pa_o311_path(r, &res, &key) != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                                 "no such resource (GeoReport v2: discovery, "
                                 "services, requests, tokens, "
                                 "servicerequestupdates; .xml or .json)");
    }

    if (ngx_pa_open311_is(&res, "requests") && key.len == 0
        && r->method == NGX_HTTP_POST)
    {
        return ngx_pa_open311_post(r, ctx);
    }

    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                 "method_not_allowed", NULL,
                                 "method not allowed here");
    }

    ngx_str_null(&jur);
    ngx_str_null(&api);
    (void) ngx_pa_view_arg(r, "jurisdiction_id", &jur);
    (void) ngx_pa_view_arg(r, "api_key", &api);

    /* the updates are those of the key's requests: no key, no updates */

    rc = ngx_pa_open311_check(r, &jur, &api,
                           ngx_pa_open311_is(&res, "servicerequestupdates"),
                           &client);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (ngx_pa_open311_is(&res, "discovery")) {
        return ngx_pa_o311_discovery(r);
    }

    if (ngx_pa_open311_is(&res, "services")) {
        return ngx_pa_o311_services(r, key.len ? &key : NULL);
    }

    if (ngx_pa_open311_is(&res, "tokens")) {
        return ngx_pa_o311_token(r, ctx, &key);
    }

    if (ngx_pa_open311_is(&res, "servicerequestupdates")) {
        return ngx_pa_o311_updates(r, ctx, client);
    }

    if (key.len == 0) {
        return ngx_pa_o311_list(r, ctx, client);
    }

    if (!ngx_pa_id_ok(&key)) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                 "service_request_id", "no such request");
    }

    ctx->id = key;

    return ngx_pa_o311_request(r, ctx, client);
}


/* the resource and its key, when the path is one of GeoReport's */

static ngx_int_t
ngx_pa_o311_path(ngx_http_request_t *r, ngx_str_t *res, ngx_str_t *key)
{
    u_char     *dot, *slash, *last;
    ngx_str_t   rest, ext;

    rest.data = r->uri.data + sizeof(NGX_PA_OPEN311_PREFIX) - 1;
    rest.len = r->uri.len - (sizeof(NGX_PA_OPEN311_PREFIX) - 1);
    last = rest.data + rest.len;

    slash = ngx_strlchr(rest.data, last, '/');

    /* the format is after the last dot: category ids may hold dots */

    for (dot = last; dot > rest.data && dot[-1] != '.'; dot--) {
        if (dot[-1] == '/') {
            dot = rest.data;
            break;
        }
    }

    if (dot == rest.data) {
        return NGX_DECLINED;
    }

    ext.data = dot;
    ext.len = last - dot;

    res->data = rest.data;
    res->len = (slash ? slash : dot - 1) - rest.data;

    ngx_str_null(key);

    if (slash != NULL) {
        key->data = slash + 1;
        key->len = (dot - 1) - key->data;

        if (key->len == 0
            || ngx_strlchr(key->data, key->data + key->len, '/'))
        {
            return NGX_DECLINED;
        }
    }

    if (!ngx_pa_open311_is(&ext, "json") && !ngx_pa_open311_is(&ext, "xml")) {
        return NGX_DECLINED;
    }

    if (ngx_pa_open311_is(res, "discovery")
        || ngx_pa_open311_is(res, "servicerequestupdates"))
    {
        if (key->len) {
            return NGX_DECLINED;
        }

    } else if (ngx_pa_open311_is(res, "tokens")) {
        if (key->len == 0) {
            return NGX_DECLINED;
        }

    } else if (!ngx_pa_open311_is(res, "services")
               && !ngx_pa_open311_is(res, "requests"))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* ------------------------------------------------------------ discovery */

static ngx_int_t
ngx_pa_o311_discovery(ngx_http_request_t *r)
{
    u_char     *p;
    size_t      len;
    json_t     *body;
    ngx_str_t  *host, scheme, port;

    ngx_str_set(&scheme, "http");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https");
    }
#endif

    host = &r->headers_in.server;
    ngx_pa_o311_host_port(r, &port);

    len = scheme.len + sizeof("://") - 1 + host->len + port.len
          + sizeof(NGX_PA_OPEN311_PREFIX) - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the endpoint's URL without the trailing slash, as the spec shows */

    len = ngx_sprintf(p, "%V://%V%V%s", &scheme, host, &port,
                      NGX_PA_OPEN311_PREFIX)
          - p - 1;

    body = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s#, s:s, s:s, s:[s, s]}]}",
                     "changeset", NGX_PA_O311_CHANGESET,
                     "contact", "Trung tâm Giám sát, điều hành thông minh "
                                "(IOC) của tỉnh",
                     "key_service", "API keys are issued by the province's "
                                    "operations center (IOC)",
                     "endpoints",
                     "specification", NGX_PA_O311_SPEC,
                     "url", (char *) p, (int) len,
                     "changeset", NGX_PA_O311_CHANGESET,
                     "type", "production",
                     "formats", "text/xml", "application/json");

    /* a Host header that is not UTF-8 cannot be a URL here */

    if (body == NULL) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "bad_request",
                                 NULL, "the Host header is not valid");
    }

    return ngx_pa_open311_send(r, NGX_HTTP_OK, body, "discovery",
                               NGX_PA_O311_PUBLIC_CACHE);
}


/*
 * ":<port>" of the Host header as sent, "" without one: headers_in.server
 * is the host alone, and a client that reached us on 8080 must be sent
 * back to 8080.  Only digits after the last ':' past the host count (an
 * IPv6 literal's colons are inside the host).
 */

static void
ngx_pa_o311_host_port(ngx_http_request_t *r, ngx_str_t *port)
{
    u_char     *p, *last, *colon;
    ngx_str_t  *v;

    ngx_str_null(port);

    if (r->headers_in.host == NULL) {
        return;
    }

    v = &r->headers_in.host->value;

    if (v->len <= r->headers_in.server.len) {
        return;
    }

    last = v->data + v->len;
    colon = NULL;

    for (p = v->data + r->headers_in.server.len; p < last; p++) {
        if (*p == ':') {
            colon = p;
        }
    }

    if (colon == NULL || last - colon < 2 || last - colon > 6) {
        return;
    }

    for (p = colon + 1; p < last; p++) {
        if (*p < '0' || *p > '9') {
            return;
        }
    }

    port->data = colon;
    port->len = last - colon;
}


/* ------------------------------------------------------------ services */

static ngx_int_t
ngx_pa_o311_services(ngx_http_request_t *r, ngx_str_t *code)
{
    json_t              *list, *o;
    ngx_uint_t           i;
    ngx_pa_category_t   *c;
    ngx_pa_directory_t  *dir;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (code != NULL) {
        c = ngx_pa_directory_find_category(pmcf, code);

        if (c == NULL) {
            return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                     "service_code", "no such service");
        }

        /* the spec's definition: what the directory asks beyond the text */

        o = json_pack("{s:s#, s:o}",
                      "service_code", c->id.data, (int) c->id.len,
                      "attributes",
                      c->attributes ? json_incref((json_t *) c->attributes)
                                    : json_array());

        return ngx_pa_open311_send(r, NGX_HTTP_OK, o, "service_definition",
                                   NGX_PA_O311_PUBLIC_CACHE);
    }

    list = json_array();
    if (list == NULL) {
        return ngx_pa_open311_fail(r, "service list");
    }

    dir = pmcf->directory;

    if (dir != NULL) {
        c = dir->categories.elts;

        for (i = 0; i < dir->categories.nelts; i++) {
            o = ngx_pa_o311_service(pmcf, &c[i]);
            if (o == NULL) {
                json_decref(list);
                return ngx_pa_open311_fail(r, "service list");
            }

            json_array_append_new(list, o);
        }
    }

    return ngx_pa_open311_send(r, NGX_HTTP_OK, list, "services",
                               NGX_PA_O311_PUBLIC_CACHE);
}


/*
 * A category as a service: the directory has only a name, so it is the
 * description too; urgent categories (handled within the hour) say so in
 * the keywords; the group is the agency that handles it by default.
 */

static json_t *
ngx_pa_o311_service(ngx_pa_main_conf_t *pmcf, ngx_pa_category_t *c)
{
    ngx_str_t         group;
    ngx_pa_agency_t  *ag;

    ngx_str_null(&group);

    if (c->agency.len) {
        ag = ngx_pa_directory_agency(pmcf, &c->agency);

        if (ag != NULL) {
            group = ag->name;
        }
    }

    return json_pack("{s:s#, s:s#, s:s#, s:b, s:s, s:s, s:s#}",
                     "service_code", c->id.data, (int) c->id.len,
                     "service_name", c->name.data, (int) c->name.len,
                     "description", c->name.data, (int) c->name.len,
                     "metadata", c->attributes != NULL,
                     "type", "realtime",
                     "keywords", c->urgent ? "urgent" : "",
                     "group", group.len ? (char *) group.data : "",
                     (int) group.len);
}


/* ------------------------------------------------------------ reads */

/*
 * service_request_id (a comma list, overrides the rest), service_code (a
 * comma list), start_date and end_date (W3C: a year, month or day too; on
 * requested_datetime; 90 days at most, the last 90 by default), status
 * (open, closed or both), page and page_size (or limit; 1000 at most, as
 * the spec caps a list).  With an api_key the client's own requests in
 * any state join the published ones.
 */

static ngx_int_t
ngx_pa_o311_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client)
{
    u_char              *p;
    time_t               from, to;
    ngx_str_t            v, codes;
    ngx_int_t            page, size, want;
    ngx_pa_err_t         err;
    ngx_array_t         *keys, *args;
    ngx_pa_o311_read_t  *rd;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rd->client = client;
    ctx->data = rd;

    /* page_size, or limit as some clients say */

    if (ngx_pa_view_number(r, "page", 1, NGX_PA_O311_SCAN, &page, &err)
        != NGX_OK
        || ngx_pa_view_number(r, (ngx_pa_view_arg(r, "page_size", &v)
                                  == NGX_OK && v.len)
                                 ? "page_size" : "limit",
                              NGX_PA_O311_CAP, NGX_PA_O311_CAP,
                              &size, &err)
           != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 16, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "pub") == NULL
        || (client != NULL
            && ngx_pa_key(r, keys, "o311:c:%V", &client->client) == NULL)
        || ngx_pa_arg_int(r->pool, args, (page - 1) * size) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, size) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* ",a,b,": a category is in the list when ",<it>," is */

    ngx_str_null(&codes);

    if (ngx_pa_view_arg(r, "service_code", &v) == NGX_OK && v.len) {
        if (ngx_pa_o311_codes(r, &v, &err) != NGX_OK) {
            return ngx_pa_fail(r, &err);
        }

        codes.data = ngx_pnalloc(r->pool, v.len + 2);
        if (codes.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        codes.len = ngx_sprintf(codes.data, ",%V,", &v) - codes.data;
    }

    if (ngx_pa_o311_window(r, ctx, &from, &to, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    ngx_str_null(&v);
    (void) ngx_pa_view_arg(r, "status", &v);

    want = ngx_pa_o311_statuses(&v, &err);
    if (want == NGX_ERROR) {
        return ngx_pa_fail(r, &err);
    }

    p = (u_char *) (want == 1 ? "open" : want == 2 ? "closed" : "");

    if (ngx_pa_arg_str(args, &codes) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, from) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, to) != NGX_OK
        || ngx_pa_arg_cstr(args, (char *) p) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, NGX_PA_O311_SCAN) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_view_arg(r, "service_request_id", &v) == NGX_OK && v.len
        && ngx_pa_o311_list_ids(r, args, &v, &err) != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_OPEN311, keys, args,
                       ngx_pa_o311_list_done);
}


static ngx_int_t
ngx_pa_o311_list_ids(ngx_http_request_t *r, ngx_array_t *args, ngx_str_t *v,
    ngx_pa_err_t *err)
{
    u_char      *p, *last, *comma;
    ngx_str_t    id;
    ngx_uint_t   n;

    p = v->data;
    last = v->data + v->len;
    n = 0;

    while (p <= last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        id.data = p;
        id.len = comma - p;

        if (!ngx_pa_id_ok(&id) || ++n > NGX_PA_O311_IDS_MAX) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "service_request_id",
                           "a comma list of at most 50 request ids");
            return NGX_ERROR;
        }

        if (ngx_pa_arg_str(args, &id) != NGX_OK) {
            return NGX_ERROR;
        }

        p = comma + 1;
    }

    return NGX_OK;
}


/* service_code=a,b: each one a service */

static ngx_int_t
ngx_pa_o311_codes(ngx_http_request_t *r, ngx_str_t *v, ngx_pa_err_t *err)
{
    u_char              *p, *last, *comma;
    ngx_str_t            code;
    ngx_uint_t           n;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    p = v->data;
    last = v->data + v->len;
    n = 0;

    while (p <= last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        code.data = p;
        code.len = comma - p;

        if (++n > NGX_PA_O311_CODES_MAX
            || ngx_pa_directory_find_category(pmcf, &code) == NULL)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "service_code", "no such service");
            return NGX_ERROR;
        }

        p = comma + 1;
    }

    return NGX_OK;
}


/* status=open, closed, or both (a comma list): 1, 2 or 0 */

static ngx_int_t
ngx_pa_o311_statuses(ngx_str_t *v, ngx_pa_err_t *err)
{
    u_char      *p, *last, *comma;
    ngx_str_t    s;
    ngx_uint_t   want;

    if (v->len == 0) {
        return 0;
    }

    p = v->data;
    last = v->data + v->len;
    want = 0;

    while (p <= last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        s.data = p;
        s.len = comma - p;

        if (ngx_pa_open311_is(&s, "open")) {
            want |= 1;

        } else if (ngx_pa_open311_is(&s, "closed")) {
            want |= 2;

        } else {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "status", "open, closed or both");
            return NGX_ERROR;
        }

        p = comma + 1;
    }

    return want == 3 ? 0 : want;
}


/*
 * start_date and end_date as the spec says: 90 days at most between
 * them; one alone reaches 90 days from it; neither: the last 90 days.
 */

static ngx_int_t
ngx_pa_o311_window(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, time_t *from,
    time_t *to, ngx_pa_err_t *err)
{
    ngx_int_t  has_from, has_to;

    has_from = ngx_pa_o311_date(r, "start_date", 0, from, err);
    has_to = ngx_pa_o311_date(r, "end_date", 1, to, err);

    if (has_from == NGX_ERROR || has_to == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (has_from == NGX_DECLINED && has_to == NGX_DECLINED) {
        *to = ctx->now;
        *from = ctx->now - NGX_PA_O311_WINDOW;

    } else if (has_to == NGX_DECLINED) {
        *to = *from + NGX_PA_O311_WINDOW;

    } else if (has_from == NGX_DECLINED) {
        *from = *to - NGX_PA_O311_WINDOW;
    }

    if (*to < *from) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "end_date", "is before start_date");
        return NGX_ERROR;
    }

    if (*to - *from > NGX_PA_O311_WINDOW) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "end_date", "at most 90 days after start_date");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A W3C date (ngx_pa_w3c_parse): "2026", "2026-01", "2026-01-22", the
 * province's year, month or day, from its first second (start) or to its
 * last (end); "2026-01-22T10:00+07:00", with seconds too, or Z.  NGX_OK,
 * NGX_DECLINED when absent, NGX_ERROR with err set.
 */

static ngx_int_t
ngx_pa_o311_date(ngx_http_request_t *r, const char *name, ngx_uint_t end,
    time_t *t, ngx_pa_err_t *err)
{
    ngx_str_t            v;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_view_arg(r, name, &v) != NGX_OK || v.len == 0) {
        return NGX_DECLINED;
    }

    /* "+07:00" sent unescaped in a form-encoded query reads " 07:00" */

    for (i = 0; i < v.len; i++) {
        if (v.data[i] == ' ') {
            v.data[i] = '+';
        }
    }

    if (ngx_pa_w3c_parse(v.data, v.len, (int) pmcf->utc_offset, (int) end, t)
        != 0)
    {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "must be a W3C date (2026, 2026-01, 2026-01-22) or "
                       "date-time with offset (2026-01-22T10:00+07:00, "
                       "2026-01-22T10:00:00+07:00)");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_pa_o311_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply          *reply = data;
    json_t              *list, *o;
    ngx_uint_t           i, own, shown;
    ngx_pa_hash_t        h;
    ngx_pa_o311_read_t  *rd;

    rd = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY) {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: open311 script failed: %*s",
                          (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply of the open311 script");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    list = json_array();
    if (list == NULL) {
        ngx_pa_finalize(r, ngx_pa_open311_fail(r, "request list"));
        return;
    }

    for (i = 0; i < reply->elements; i++) {
        if (ngx_pa_hash_from_reply(r->pool, reply->element[i], &h)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected report in the open311 reply");
            continue;
        }

        /* the index and the id list are not trusted alone */

        shown = ngx_pa_public_shown(&h);
        own = ngx_pa_o311_own(&h, rd->client);

        if (!shown && !own) {
            continue;
        }

        o = ngx_pa_o311_view(r, &h, shown, own);
        if (o == NULL) {
            json_decref(list);
            ngx_pa_finalize(r, ngx_pa_open311_fail(r, "request list"));
            return;
        }

        json_array_append_new(list, o);
    }

    ngx_pa_finalize(r, ngx_pa_open311_send(r, NGX_HTTP_OK, list,
                                           "service_requests",
                                           rd->client
                                           ? NGX_PA_O311_PRIVATE_CACHE
                                           : NGX_PA_O311_PUBLIC_CACHE));
}


/* one request: published, the client's own, or the reporter's by token */

static ngx_int_t
ngx_pa_o311_request(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client)
{
    ngx_str_t           *token;
    ngx_pa_o311_read_t  *rd;

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rd->client = client;
    ctx->data = rd;

    token = ngx_pa_reporter_token(r);
    if (token != NULL) {
        rd->token = *token;
    }

    return ngx_pa_report_hgetall(r, ctx, ngx_pa_o311_request_done);
}


static void
ngx_pa_o311_request_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply          *reply = data;
    json_t              *o;
    ngx_uint_t           shown, mine;
    ngx_pa_hash_t        h;
    ngx_pa_caller_t      caller;
    ngx_pa_o311_read_t  *rd;

    rd = ctx->data;

    if (ngx_pa_hash_from_record(r->pool, reply, &ctx->id, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: unexpected reply to HGETALL");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    shown = ngx_pa_public_shown(&h);
    mine = ngx_pa_o311_own(&h, rd->client);

    if (rd->token.len && !mine) {
        ngx_memzero(&caller, sizeof(ngx_pa_caller_t));
        caller.role = NGX_PA_ROLE_REPORTER;
        caller.token = rd->token;

        mine = ngx_pa_view_visible(&caller, &h);
    }

    /* unpublished and not theirs: as if it did not exist */

    if (!shown && !mine) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found",
                                             "service_request_id",
                                             "no such request"));
        return;
    }

    o = ngx_pa_o311_view(r, &h, shown, mine);
    if (o == NULL) {
        ngx_pa_finalize(r, ngx_pa_open311_fail(r, "request"));
        return;
    }

    /* GeoReport answers a list, even for one request */

    ngx_pa_finalize(r, ngx_pa_open311_send(r, NGX_HTTP_OK,
                                           json_pack("[o]", o),
                                           "service_requests",
                                           mine ? NGX_PA_O311_PRIVATE_CACHE
                                                : NGX_PA_O311_PUBLIC_CACHE));
}


/*
 * tokens/{token}: the token is the reporter's access token.  One of this
 * version names its report, "<id>~<secret part>" (ngx_pa_submit.c): the
 * report's token_hash, its SHA-256, proves it; an older one (no "~") is
 * found by its SHA-256 in the "tok:" key submit.lua wrote then (kept
 * until retention purges its report; no longer written).  Anyone
 * holding it already holds the id, so the answer tells nothing new.
 */

typedef struct {
    ngx_str_t    token;
    ngx_str_t    id;          /* empty: an older token, read from tok: */
    u_char       hex[SHA256_DIGEST_LENGTH * 2 + 1];
} ngx_pa_o311_token_t;


static ngx_int_t
ngx_pa_o311_token(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *token)
{
    u_char               *tilde;
    ngx_str_t            *key, h;
    ngx_uint_t            i;
    ngx_array_t          *keys;
    const char           *argv[3];
    size_t                argvlen[3];
    ngx_pa_o311_token_t  *tk;

    if (token->len > NGX_PA_O311_TOKEN_MAX) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", "token",
                                 "no request for this token");
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    tk = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_token_t));

    if (keys == NULL || tk == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    tk->token = *token;
    ctx->data = tk;

    ngx_pa_auth_token_hash(token, tk->hex);

    tilde = ngx_strlchr(token->data, token->data + token->len, '~');

    if (tilde == NULL) {
        h.data = tk->hex;
        h.len = SHA256_DIGEST_LENGTH * 2;

        key = ngx_pa_key(r, keys, "tok:%V", &h);
        if (key == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        argv[0] = "GET";
        argvlen[0] = 3;
        argv[1] = (const char *) key->data;
        argvlen[1] = key->len;

        return ngx_pa_call(r, ctx, 2, argv, argvlen, ngx_pa_o311_token_done);
    }

    /* a report id: digits, capitals and "-" (ngx_pa_submit_new_id) */

    tk->id.data = token->data;
    tk->id.len = tilde - token->data;

    for (i = 0; i < tk->id.len; i++) {
        if (!(tk->id.data[i] >= '0' && tk->id.data[i] <= '9')
            && !(tk->id.data[i] >= 'A' && tk->id.data[i] <= 'Z')
            && tk->id.data[i] != '-')
        {
            break;
        }
    }

    if (tk->id.len == 0 || tk->id.len > 64 || i != tk->id.len) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", "token",
                                 "no request for this token");
    }

    key = ngx_pa_key(r, keys, "r:%V", &tk->id);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    argv[0] = "HGET";
    argvlen[0] = 4;
    argv[1] = (const char *) key->data;
    argvlen[1] = key->len;
    argv[2] = "token_hash";
    argvlen[2] = sizeof("token_hash") - 1;

    return ngx_pa_call(r, ctx, 3, argv, argvlen, ngx_pa_o311_token_done);
}


static void
ngx_pa_o311_token_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply           *reply = data;
    json_t               *body;
    ngx_str_t             id;
    ngx_pa_o311_token_t  *tk;

    tk = ctx->data;

    if (reply->type != REDIS_REPLY_NIL && reply->type != REDIS_REPLY_STRING) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: unexpected reply to the read of a token");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    /* an older token: tok: holds the id; a newer: the report its hash */

    if (tk->id.len == 0 && reply->type == REDIS_REPLY_STRING) {
        id.data = (u_char *) reply->str;
        id.len = reply->len;

    } else if (tk->id.len && reply->type == REDIS_REPLY_STRING
               && ngx_pa_auth_token_hash_eq(tk->hex, (u_char *) reply->str,
                                            reply->len))
    {
        id = tk->id;

    } else {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", "token",
                                             "no request for this token"));
        return;
    }

    body = json_pack("[{s:s#, s:s#}]",
                     "service_request_id", id.data, (int) id.len,
                     "token", tk->token.data, (int) tk->token.len);

    if (body == NULL) {
        ngx_pa_finalize(r, ngx_pa_open311_fail(r, "token answer"));
        return;
    }

    ngx_pa_finalize(r, ngx_pa_open311_send(r, NGX_HTTP_OK, body,
                                           "service_requests",
                                           NGX_PA_O311_PRIVATE_CACHE));
}


/* ------------------------------------------------------------ updates */

/*
 * servicerequestupdates (the Service Request Updates extension
 * FixMyStreet polls): every change of state of the key's requests
 * between start_date and end_date (the window of GET requests), oldest
 * first, 1000 at most; the published result is the description of the
 * last one.
 */

static ngx_int_t
ngx_pa_o311_updates(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client)
{
    ngx_pa_err_t         err;
    ngx_array_t         *keys, *args;
    ngx_pa_o311_read_t  *rd;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rd->client = client;
    ctx->data = rd;

    if (ngx_pa_o311_window(r, ctx, &rd->from, &rd->to, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "o311:c:%V", &client->client) == NULL
        || ngx_pa_arg_int(r->pool, args, rd->from) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, NGX_PA_O311_CAP) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_OPEN311_UPDATES, keys, args,
                       ngx_pa_o311_updates_done);
}


static void
ngx_pa_o311_updates_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    redisReply            *reply = data;
    json_t                *list;
    ngx_uint_t             i;
    ngx_array_t            out;
    ngx_pa_hash_t          h;
    ngx_pa_o311_read_t    *rd;
    ngx_pa_o311_update_t  *u;

    rd = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unexpected reply of the open311_updates script%s"
                      "%*s", reply->type == REDIS_REPLY_ERROR ? ": " : "",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : (size_t) 0,
                      reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    if (ngx_array_init(&out, r->pool, 16, sizeof(ngx_pa_o311_update_t))
        != NGX_OK)
    {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    list = json_array();
    if (list == NULL) {
        ngx_pa_finalize(r, ngx_pa_open311_fail(r, "update list"));
        return;
    }

    for (i = 0; i < reply->elements; i += 2) {
        if (ngx_pa_hash_from_reply(r->pool, reply->element[i], &h) != NGX_OK
            || reply->element[i + 1]->type != REDIS_REPLY_ARRAY)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected report in the open311_updates "
                          "reply");
            continue;
        }

        if (ngx_pa_o311_updates_of(r, rd, &h, reply->element[i + 1], &out)
            != NGX_OK)
        {
            u = out.elts;

            for (i = 0; i < out.nelts; i++) {
                json_decref(u[i].o);
            }

            json_decref(list);
            ngx_pa_finalize(r, ngx_pa_open311_fail(r, "update list"));
            return;
        }
    }

    u = out.elts;

    ngx_qsort(u, out.nelts, sizeof(ngx_pa_o311_update_t),
              ngx_pa_o311_update_cmp);

    /*
     * The oldest 1000 (the spec's cap of a list): a client that polls on
     * from the last one it got misses none.
     */

    for (i = NGX_PA_O311_CAP; i < out.nelts; i++) {
        json_decref(u[i].o);
    }

    if (out.nelts > NGX_PA_O311_CAP) {
        out.nelts = NGX_PA_O311_CAP;
    }

    for (i = 0; i < out.nelts; i++) {
        json_array_append_new(list, u[i].o);
    }

    if (json_array_size(list) != out.nelts) {
        json_decref(list);
        ngx_pa_finalize(r, ngx_pa_open311_fail(r, "update list"));
        return;
    }

    ngx_pa_finalize(r, ngx_pa_open311_send(r, NGX_HTTP_OK, list,
                                           "service_request_updates",
                                           NGX_PA_O311_PRIVATE_CACHE));
}


/*
 * The changes of state of one request in the window: update_id
 * "<request id>-<n>" (the n-th entry of its history, which only grows),
 * open or closed, when, and in plain words what happened: the result
 * once published, the reason of a rejection.
 */

static ngx_int_t
ngx_pa_o311_updates_of(ngx_http_request_t *r, ngx_pa_o311_read_t *rd,
    ngx_pa_hash_t *h, redisReply *history, ngx_array_t *out)
{
    u_char                *p;
    time_t                 at;
    json_t                *e, *from, *to, *when, *text;
    ngx_str_t             *id, state, *reason;
    ngx_uint_t             k, i;
    json_error_t           je;
    ngx_pa_list_t          all;
    ngx_pa_o311_update_t  *u;

    id = ngx_pa_hash_get(h, "id");
    if (id == NULL) {
        return NGX_OK;
    }

    /* the whole history: a record stored lean implies its first entry */

    if (ngx_pa_list_from_reply(r->pool, history, &all) != NGX_OK
        || ngx_pa_view_history_first(r->pool,
               ngx_http_get_module_main_conf(r, ngx_http_pa_module), h, &all,
                                     NGX_MAX_UINT32_VALUE)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (k = 0; k < all.n; k++) {
        e = json_loadb((char *) all.items[k].data, all.items[k].len, 0, &je);
        if (e == NULL) {
            continue;
        }

        from = json_object_get(e, "from");
        to = json_object_get(e, "to");
        when = json_object_get(e, "at");

        if (!json_is_string(to) || !json_is_string(when)
            || (json_is_string(from) && json_equal(from, to))
            || ngx_pa_rfc3339_parse((u_char *) json_string_value(when),
                                    json_string_length(when), &at) != 0
            || at < rd->from || at > rd->to)
        {
            json_decref(e);
            continue;
        }

        state.data = (u_char *) json_string_value(to);
        state.len = json_string_length(to);

        text = NULL;

        if (ngx_pa_open311_is(&state, "resolved")) {
            text = ngx_pa_o311_summary(h);

        } else if (ngx_pa_open311_is(&state, "rejected")
                   && (reason = ngx_pa_hash_get(h, "reject_reason")) != NULL)
        {
            for (i = 0; ngx_pa_o311_reasons[i].reason; i++) {
                if (ngx_pa_open311_is(reason, ngx_pa_o311_reasons[i].reason)) {
                    text = json_string(ngx_pa_o311_reasons[i].text);
                    break;
                }
            }
        }

        if (text == NULL) {
            text = json_string(ngx_pa_o311_state_text(&state));
        }

        p = ngx_pnalloc(r->pool, id->len + 1 + NGX_INT_T_LEN);
        u = ngx_array_push(out);

        if (p == NULL || u == NULL) {
            json_decref(e);
            if (text) {
                json_decref(text);
            }
            return NGX_ERROR;
        }

        u->at = at;
        u->id = *id;
        u->n = k;
        u->o = json_pack("{s:s#, s:s#, s:s, s:O, s:o?, s:n}",
                         "update_id", (char *) p,
                         (int) (ngx_sprintf(p, "%V-%ui", id, k) - p),
                         "service_request_id", id->data, (int) id->len,
                         "status", ngx_pa_o311_closed(&state) ? "closed"
                                                              : "open",
                         "updated_datetime", when,
                         "description", text,
                         "media_url");

        json_decref(e);

        if (u->o == NULL) {
            out->nelts--;
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static int ngx_cdecl
ngx_pa_o311_update_cmp(const void *a, const void *b)
{
    ngx_int_t                    rc;
    const ngx_pa_o311_update_t  *x = a, *y = b;

    /* the same second: by request, a request's entries in their order */

    if (x->at != y->at) {
        return (x->at > y->at) - (x->at < y->at);
    }

    rc = ngx_memn2cmp(x->id.data, y->id.data, x->id.len, y->id.len);

    if (rc != 0) {
        return rc < 0 ? -1 : 1;
    }

    return (x->n > y->n) - (x->n < y->n);
}


/* ------------------------------------------------------------ the view */

/* the API key's client sent this request */

static ngx_uint_t
ngx_pa_o311_own(ngx_pa_hash_t *h, ngx_pa_o311_client_t *client)
{
    ngx_str_t  *v;

    if (client == NULL) {
        return 0;
    }

    v = ngx_pa_hash_get(h, "o311_client");

    return v != NULL && v->len == client->client.len
           && ngx_strncmp(v->data, client->client.data, v->len) == 0;
}


/*
 * A report as a GeoReport service request, built from the hash by name
 * (never by copying it: sealed fields, hashes and staff fields stay in).
 * The photo's public copy exists once the report is published; the
 * address typed is shown only to whom sent it (the client or the
 * reporter), as it may be their home.
 */

static json_t *
ngx_pa_o311_view(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_uint_t published, ngx_uint_t own)
{
    u_char              *sp;
    json_t              *o, *url;
    ngx_str_t           *id, *status, *cat, *v;
    ngx_uint_t           closed;
    ngx_pa_category_t   *c;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    id = ngx_pa_hash_get(h, "id");
    status = ngx_pa_hash_get(h, "status");

    if (id == NULL || status == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: a report without id or status");
        return NULL;
    }

    closed = ngx_pa_o311_closed(status);

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    json_object_set_new(o, "service_request_id",
                        ngx_pa_json_strn(id->data, id->len));
    json_object_set_new(o, "status", json_string(closed ? "closed" : "open"));
    json_object_set_new(o, "status_notes", ngx_pa_o311_notes(r, h, status));

    cat = ngx_pa_hash_get(h, "category");
    c = cat ? ngx_pa_directory_find_category(pmcf, cat) : NULL;

    json_object_set_new(o, "service_name",
                        c ? ngx_pa_json_strn(c->name.data, c->name.len)
                          : json_null());
    json_object_set_new(o, "service_code", ngx_pa_o311_string(h, "category"));
    json_object_set_new(o, "description", ngx_pa_o311_string(h, "content"));
    json_object_set_new(o, "agency_responsible", ngx_pa_o311_agency(r, h));
    json_object_set_new(o, "service_notice", json_null());
    json_object_set_new(o, "requested_datetime",
                        ngx_pa_o311_time(pmcf, h, "created_at"));
    json_object_set_new(o, "updated_datetime",
                        ngx_pa_o311_time(pmcf, h, "updated_at"));
    json_object_set_new(o, "expected_datetime",
                        closed ? json_null() : ngx_pa_o311_expected(pmcf, h));
    json_object_set_new(o, "address",
                        own ? ngx_pa_o311_string(h, "address") : json_null());
    json_object_set_new(o, "address_id",
                        own ? ngx_pa_o311_string(h, "address_id")
                            : json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", ngx_pa_o311_number_json(h, "lat"));
    json_object_set_new(o, "long", ngx_pa_o311_number_json(h, "lng"));

    /* the public photo; before it, the first link the client sent */

    url = published ? ngx_pa_o311_media_url(r, h, id) : json_null();
    v = ngx_pa_hash_get(h, "media_url");

    if (json_is_null(url) && own && v != NULL && v->len) {
        sp = ngx_strlchr(v->data, v->data + v->len, ' ');
        url = ngx_pa_json_strn(v->data, sp ? (size_t) (sp - v->data)
                                           : v->len);
    }

    json_object_set_new(o, "media_url", url);

    return o;
}


/*
 * status_notes: the agency's summary once resolved, the reason of a
 * rejection, else what the state means, in plain words.
 */

static json_t *
ngx_pa_o311_notes(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *status)
{
    json_t      *notes;
    ngx_str_t   *reason;
    ngx_uint_t   i;

    if (ngx_pa_open311_is(status, "resolved")) {
        notes = ngx_pa_o311_summary(h);

        if (notes != NULL) {
            return notes;
        }
    }

    reason = ngx_pa_hash_get(h, "reject_reason");

    if (ngx_pa_open311_is(status, "rejected") && reason != NULL) {
        for (i = 0; ngx_pa_o311_reasons[i].reason; i++) {
            if (ngx_pa_open311_is(reason, ngx_pa_o311_reasons[i].reason)) {
                return json_string(ngx_pa_o311_reasons[i].text);
            }
        }
    }

    return json_string(ngx_pa_o311_state_text(status));
}


static const char *
ngx_pa_o311_state_text(ngx_str_t *status)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_o311_states[i].state; i++) {
        if (ngx_pa_open311_is(status, ngx_pa_o311_states[i].state)) {
            return ngx_pa_o311_states[i].text;
        }
    }

    /* a state this file does not know yet: still never its name */

    return "Đang xử lý.";
}


/* the published result's summary, or NULL */

static json_t *
ngx_pa_o311_summary(ngx_pa_hash_t *h)
{
    json_t        *result, *summary, *notes;
    ngx_str_t     *v;
    json_error_t   je;

    v = ngx_pa_hash_get(h, "result");
    if (v == NULL) {
        return NULL;
    }

    result = json_loadb((char *) v->data, v->len, 0, &je);
    summary = json_object_get(result, "summary");

    notes = (json_is_string(summary) && json_string_length(summary))
            ? json_incref(summary) : NULL;

    if (result) {
        json_decref(result);
    }

    return notes;
}


/* the lead agency's name (the result's agency before any dispatch) */

static json_t *
ngx_pa_o311_agency(ngx_http_request_t *r, ngx_pa_hash_t *h)
{
    json_t              *result, *a;
    ngx_str_t           *lead, id;
    json_error_t         je;
    ngx_pa_agency_t     *ag;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    ag = NULL;
    lead = ngx_pa_hash_get(h, "lead");

    if (lead != NULL && lead->len) {
        ag = ngx_pa_directory_agency(pmcf, lead);
    }

    if (ag == NULL && (lead = ngx_pa_hash_get(h, "result")) != NULL) {
        result = json_loadb((char *) lead->data, lead->len, 0, &je);
        a = json_object_get(result, "agency");

        if (json_is_string(a)) {
            id.data = (u_char *) json_string_value(a);
            id.len = json_string_length(a);
            ag = ngx_pa_directory_agency(pmcf, &id);
        }

        if (result) {
            json_decref(result);
        }
    }

    return ag ? ngx_pa_json_strn(ag->name.data, ag->name.len) : json_null();
}


/*
 * expected_datetime: the nearest open deadline of the handling ("dl:"
 * without "dm:"); replies to comments ("reply#") and status notices are
 * not the request's own steps.
 */

static json_t *
ngx_pa_o311_expected(ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h)
{
    u_char       name[NGX_PA_KEY_NAME];
    time_t       due, best;
    ngx_str_t   *k;
    ngx_uint_t   i;

    best = 0;

    for (i = 0; i < h->n; i++) {
        k = &h->kv[i * 2];

        if (k->len <= 3 || k->len >= NGX_PA_KEY_NAME
            || ngx_strncmp(k->data, "dl:", 3) != 0
            || ngx_strlchr(k->data, k->data + k->len, '#') != NULL
            || (k->len >= 9 && ngx_strncmp(k->data, "dl:notify", 9) == 0))
        {
            continue;
        }

        ngx_memcpy(name, k->data, k->len);
        name[k->len] = '\0';
        name[1] = 'm';

        if (ngx_pa_hash_get(h, (char *) name) != NULL) {
            continue;
        }

        due = ngx_atotm(h->kv[i * 2 + 1].data, h->kv[i * 2 + 1].len);

        if (due != NGX_ERROR && (best == 0 || due < best)) {
            best = due;
        }
    }

    return best ? ngx_pa_time_json(pmcf, best) : json_null();
}


/* the public copy of the report's first photo (video and audio have none) */

static json_t *
ngx_pa_o311_media_url(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *id)
{
    json_t        *media, *item, *o, *url;
    size_t         i;
    ngx_str_t     *v;
    json_error_t   je;

    v = ngx_pa_hash_get(h, "media");
    if (v == NULL) {
        return json_null();
    }

    media = json_loadb((char *) v->data, v->len, 0, &je);
    url = NULL;

    if (json_is_array(media)) {
        json_array_foreach(media, i, item) {
            o = ngx_pa_view_media_url(r, id, item);

            if (o != NULL) {
                url = json_incref(json_object_get(o, "url"));
                json_decref(o);
                break;
            }
        }
    }

    if (media) {
        json_decref(media);
    }

    return url ? url : json_null();
}


static json_t *
ngx_pa_o311_string(ngx_pa_hash_t *h, const char *name)
{
    ngx_str_t  *v;

    v = ngx_pa_hash_get(h, name);

    return (v && v->len) ? ngx_pa_json_strn(v->data, v->len) : json_null();
}


static json_t *
ngx_pa_o311_time(ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h,
    const char *name)
{
    time_t      t;
    ngx_str_t  *v;

    v = ngx_pa_hash_get(h, name);
    t = v ? ngx_atotm(v->data, v->len) : NGX_ERROR;

    return t == NGX_ERROR ? json_null() : ngx_pa_time_json(pmcf, t);
}


static json_t *
ngx_pa_o311_number_json(ngx_pa_hash_t *h, const char *name)
{
    double      d;
    ngx_str_t  *v;

    v = ngx_pa_hash_get(h, name);

    /* hash values are NUL terminated copies (ngx_pa_list_from_reply) */

    if (v == NULL || ngx_pa_parse_decimal(v->data, v->len, &d) != 0) {
        return json_null();
    }

    return json_real(d);
}


static ngx_uint_t
ngx_pa_o311_closed(ngx_str_t *status)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_o311_closed_states[i]; i++) {
        if (ngx_pa_open311_is(status, ngx_pa_o311_closed_states[i])) {
            return 1;
        }
    }

    return 0;
}


