/*
 * Open311 GeoReport v2 (api.md "Open311 GeoReport v2"): the same reports
 * in the dialect city apps and aggregators speak.
 *
 *   GET  /open311/v2/services.json          the directory's categories
 *   GET  /open311/v2/services/{code}.json   one of them
 *   POST /open311/v2/requests.json          a report (ngx_pa_submit_from:
 *                                           every check of POST /reports)
 *   GET  /open311/v2/requests.json          published reports (open311.lua)
 *   GET  /open311/v2/requests/{id}.json     a published one, or the
 *                                           reporter's own by its token
 *   GET  /open311/v2/tokens/{token}.json    the id of an access token
 *
 * Nothing here bypasses the API's rules: the public sees what
 * GET /api/v1/public/reports shows (ngx_pa_public_shown), the reporter
 * what their token opens, and no answer ever carries a name, phone or
 * e-mail.  Errors come out as GeoReport's [{"code", "description"}]
 * wherever they are raised: ngx_pa_send_error() asks this file.
 * JSON only: ".xml" is answered 400.
 */

#include "ngx_pa.h"
#include "ngx_pa_api.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_json.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_validate.h"
#include "ngx_pa_view.h"

#include <openssl/sha.h>


#define NGX_PA_O311_PUBLIC_CACHE  "public, max-age=30"
#define NGX_PA_O311_PRIVATE_CACHE "private, no-store"
#define NGX_PA_O311_FORM_MAX      (1024 * 1024)   /* urlencoded body */
#define NGX_PA_O311_FIELDS_MAX    64
#define NGX_PA_O311_ADDRESS_MAX   500             /* characters */
#define NGX_PA_O311_URL_MAX       2048            /* bytes */
#define NGX_PA_O311_NAME_MAX      100             /* each name part */
#define NGX_PA_O311_IDS_MAX       50              /* service_request_id */
#define NGX_PA_O311_SCAN          2000            /* reports one list reads */
#define NGX_PA_O311_PER_PAGE      50
#define NGX_PA_O311_PAGE_MAX      100
#define NGX_PA_O311_TOKEN_MAX     256
#define NGX_PA_O311_NOTE          "Open311 GeoReport v2"

#define NGX_PA_O311_NOTICE                                                    \
    "Received. Keep the token: it is shown only once. With it you follow "   \
    "this request at /open311/v2/requests/{id}.json?token=... (or "          \
    "/api/v1/reports/{id} with X-Report-Token). The request is listed "      \
    "publicly once its result is published."


typedef struct {
    ngx_pa_body_t           in;        /* as sent */
    ngx_pa_body_t           out;       /* in the contract's names */
    ngx_array_t            *stored;    /* ngx_keyval_t: address, media_url */
    ngx_pa_submit_from_t    from;
} ngx_pa_o311_post_t;

typedef struct {
    ngx_str_t               token;     /* requests/{id}: the reporter's */
    unsigned                mine:1;
} ngx_pa_o311_read_t;


static ngx_int_t ngx_pa_o311_services(ngx_http_request_t *r,
    ngx_str_t *code);
static json_t *ngx_pa_o311_service(ngx_pa_main_conf_t *pmcf,
    ngx_pa_category_t *c);
static ngx_int_t ngx_pa_o311_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
static ngx_int_t ngx_pa_o311_form(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_unescape(u_char *dst, u_char *src, size_t len,
    size_t *out);
static ngx_int_t ngx_pa_o311_map(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_text(json_t *in, const char *name,
    size_t max, ngx_str_t *out, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_store(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, const char *name, ngx_str_t *value);
static ngx_int_t ngx_pa_o311_created(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_str_t *id, json_t *answer);
static ngx_int_t ngx_pa_o311_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
static ngx_int_t ngx_pa_o311_list_ids(ngx_http_request_t *r,
    ngx_array_t *args, ngx_str_t *v, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_date(ngx_http_request_t *r, const char *name,
    ngx_array_t *args, ngx_pa_err_t *err);
static void ngx_pa_o311_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_o311_request(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static void ngx_pa_o311_request_done(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_o311_token(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *token);
static void ngx_pa_o311_token_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static json_t *ngx_pa_o311_view(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_uint_t published);
static json_t *ngx_pa_o311_notes(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_str_t *status, ngx_uint_t closed);
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
static ngx_int_t ngx_pa_o311_fail(ngx_http_request_t *r, const char *what);
static ngx_uint_t ngx_pa_o311_is(ngx_str_t *s, const char *name);
static void ngx_pa_o311_json_cleanup(void *data);


/*
 * GeoReport "closed": nothing more happens to the report here (the set
 * submit.lua and open311.lua use too); every other state is "open".
 */

static const char  *ngx_pa_o311_closed_states[] = {
    "resolved", "rejected", "cancelled", "monitoring", "escalated", NULL
};


/* the contract's field names as a GeoReport client sent them */

static struct {
    const char  *ours;
    const char  *theirs;
} ngx_pa_o311_names[] = {
    { "content",         "description" },
    { "category",        "service_code" },
    { "lat",             "lat" },
    { "lng",             "long" },
    { "reporter_name",   "first_name" },
    { "reporter_phone",  "phone" },
    { "reporter_email",  "email" },
    { NULL, NULL }
};


/* "/open311/v2/<resource>[/<key>].<format>" */

ngx_int_t
ngx_pa_open311_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    u_char     *dot, *slash, *last;
    ngx_str_t   rest, res, key, ext;

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
        goto not_found;
    }

    ext.data = dot;
    ext.len = last - dot;

    res.data = rest.data;
    res.len = (slash ? slash : dot - 1) - rest.data;

    ngx_str_null(&key);

    if (slash != NULL) {
        key.data = slash + 1;
        key.len = (dot - 1) - key.data;

        if (key.len == 0 || ngx_strlchr(key.data, key.data + key.len, '/')) {
            goto not_found;
        }
    }

    if (!ngx_pa_o311_is(&res, "services")
        && !ngx_pa_o311_is(&res, "requests")
        && !ngx_pa_o311_is(&res, "tokens"))
    {
        goto not_found;
    }

    if (ngx_pa_o311_is(&res, "tokens") && key.len == 0) {
        goto not_found;
    }

    if (!ngx_pa_o311_is(&ext, "json")) {

        if (ngx_pa_o311_is(&ext, "xml")) {
            return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "bad_request",
                                     NULL, "only the JSON format is served: "
                                     "use .json");
        }

        goto not_found;
    }

    if (ngx_pa_o311_is(&res, "requests") && key.len == 0
        && r->method == NGX_HTTP_POST)
    {
        return ngx_pa_o311_post(r, ctx);
    }

    if (!(r->method & (NGX_HTTP_GET | NGX_HTTP_HEAD))) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                 "method_not_allowed", NULL,
                                 "method not allowed here");
    }

    if (ngx_pa_o311_is(&res, "services")) {
        return ngx_pa_o311_services(r, key.len ? &key : NULL);
    }

    if (ngx_pa_o311_is(&res, "tokens")) {
        return ngx_pa_o311_token(r, ctx, &key);
    }

    if (key.len == 0) {
        return ngx_pa_o311_list(r, ctx);
    }

    if (!ngx_pa_id_ok(&key)) {
        goto not_found;
    }

    ctx->id = key;

    return ngx_pa_o311_request(r, ctx);

not_found:

    return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", NULL,
                             "no such resource (GeoReport v2: services, "
                             "requests, tokens; .json)");
}


/* ngx_pa_send_error() speaks GeoReport to GeoReport clients */

ngx_uint_t
ngx_pa_open311_request(ngx_http_request_t *r)
{
    ngx_str_t  *uri;

    /*
     * The URI the client sent: after an error_page redirect (nginx's own
     * refusals, conf-examples/pa-errors.conf) r->uri is the error page's
     */

    uri = r->unparsed_uri.len ? &r->unparsed_uri : &r->uri;

    return uri->len >= sizeof(NGX_PA_OPEN311_PREFIX) - 1
           && ngx_strncmp(uri->data, NGX_PA_OPEN311_PREFIX,
                          sizeof(NGX_PA_OPEN311_PREFIX) - 1) == 0;
}


/*
 * [{"code": 400, "description": "invalid_field: lat: must be ..."}]: the
 * contract's code and field (in the names the client sent) lead the text.
 */

json_t *
ngx_pa_open311_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message)
{
    u_char      *d;
    size_t       len;
    json_t      *body;
    ngx_uint_t   i;

    if (field != NULL) {
        for (i = 0; ngx_pa_o311_names[i].ours; i++) {
            if (ngx_strcmp(field, ngx_pa_o311_names[i].ours) == 0) {
                field = ngx_pa_o311_names[i].theirs;
                break;
            }
        }
    }

    len = ngx_strlen(code) + ngx_strlen(message) + sizeof(": : ")
          + (field ? ngx_strlen(field) : 0);

    d = ngx_pnalloc(r->pool, len);
    if (d == NULL) {
        return NULL;
    }

    if (field != NULL) {
        (void) ngx_sprintf(d, "%s: %s: %s%Z", code, field, message);

        body = json_pack("[{s:i, s:s}]", "code", (int) status,
                         "description", (char *) d);
        if (body != NULL) {
            return body;
        }

        /* a field name the client sent that is not UTF-8: leave it out */
    }

    (void) ngx_sprintf(d, "%s: %s%Z", code, message);

    return json_pack("[{s:i, s:s}]", "code", (int) status,
                     "description", (char *) d);
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

        /* a definition: no service has attributes (metadata false) */

        o = ngx_pa_o311_service(pmcf, c);
        if (o == NULL) {
            return ngx_pa_o311_fail(r, "service definition");
        }

        json_object_set_new(o, "attributes", json_array());

        return ngx_pa_view_send(r, NGX_HTTP_OK, o, NGX_PA_O311_PUBLIC_CACHE);
    }

    list = json_array();
    if (list == NULL) {
        return ngx_pa_o311_fail(r, "service list");
    }

    dir = pmcf->directory;

    if (dir != NULL) {
        c = dir->categories.elts;

        for (i = 0; i < dir->categories.nelts; i++) {
            o = ngx_pa_o311_service(pmcf, &c[i]);
            if (o == NULL) {
                json_decref(list);
                return ngx_pa_o311_fail(r, "service list");
            }

            json_array_append_new(list, o);
        }
    }

    return ngx_pa_view_send(r, NGX_HTTP_OK, list, NGX_PA_O311_PUBLIC_CACHE);
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
                     "metadata", 0,
                     "type", "realtime",
                     "keywords", c->urgent ? "urgent" : "",
                     "group", group.len ? (char *) group.data : "",
                     (int) group.len);
}


/* ------------------------------------------------------------ POST */

static ngx_int_t
ngx_pa_o311_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    size_t               len;
    ngx_pa_err_t         err;
    ngx_table_elt_t     *h;
    ngx_pa_o311_post_t  *op;
    ngx_pool_cleanup_t  *cln;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    op = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_post_t));
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* GeoReport's own body is a form; multipart and JSON as /reports */

    h = r->headers_in.content_type;
    len = sizeof("application/x-www-form-urlencoded") - 1;

    if (h != NULL && h->value.len >= len
        && ngx_strncasecmp(h->value.data,
                           (u_char *) "application/x-www-form-urlencoded",
                           len) == 0
        && (h->value.len == len || h->value.data[len] == ';'
            || h->value.data[len] == ' '))
    {
        if (ngx_pa_o311_form(r, &op->in, &err) != NGX_OK) {
            return ngx_pa_fail(r, &err);
        }

    } else if (ngx_pa_body_parse(r, &op->in, &err) != NGX_OK) {

        if (err.status == NGX_HTTP_UNSUPPORTED_MEDIA_TYPE) {
            err.message = "send application/x-www-form-urlencoded, "
                          "multipart/form-data or application/json";
        }

        return ngx_pa_fail(r, &err);
    }

    op->out.fields = json_object();
    if (op->out.fields == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(op->out.fields);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_pa_o311_json_cleanup;
    cln->data = &op->out.fields;

    op->out.media = op->in.media;

    op->stored = ngx_array_create(r->pool, 2, sizeof(ngx_keyval_t));
    if (op->stored == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_o311_map(r, op, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    op->from.body = &op->out;
    op->from.fields = op->stored;
    ngx_str_set(&op->from.note, NGX_PA_O311_NOTE);
    op->from.answer = ngx_pa_o311_created;

    return ngx_pa_submit_from(r, ctx, &op->from);
}


/* application/x-www-form-urlencoded into the fields' JSON object */

static ngx_int_t
ngx_pa_o311_form(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err)
{
    u_char              *buf, *p, *last, *amp, *eq, *name, *value;
    size_t               nlen, vlen, nchars;
    json_t              *v;
    ngx_str_t            text;
    ngx_uint_t           nfields;
    ngx_pool_cleanup_t  *cln;

    if (ngx_array_init(&body->media, r->pool, 1, sizeof(ngx_pa_media_t *))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    body->fields = json_object();
    if (body->fields == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(body->fields);
        body->fields = NULL;
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_o311_json_cleanup;
    cln->data = &body->fields;

    if (ngx_pa_body_read(r, NGX_PA_O311_FORM_MAX,
                         "the form body is too large", &text, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    buf = text.data;
    p = text.data + text.len;

    last = p;
    nfields = 0;

    for (p = buf; p < last; p = amp + 1) {
        amp = ngx_strlchr(p, last, '&');
        if (amp == NULL) {
            amp = last;
        }

        if (amp == p) {
            continue;
        }

        if (++nfields > NGX_PA_O311_FIELDS_MAX) {
            ngx_pa_err_set(err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                           "too_large", NULL, "too many form fields");
            return NGX_ERROR;
        }

        eq = ngx_strlchr(p, amp, '=');
        if (eq == NULL) {
            eq = amp;
        }

        /* decoded in place: never longer than the encoded bytes */

        name = p;
        value = (eq < amp) ? eq + 1 : amp;

        if (ngx_pa_o311_unescape(name, name, eq - p, &nlen) != NGX_OK
            || ngx_pa_o311_unescape(value, value, amp - value, &vlen)
               != NGX_OK)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                           "malformed form body (a bad %-escape)");
            return NGX_ERROR;
        }

        if (nlen == 0 || ngx_pa_utf8_check(name, nlen, &nchars) != 0) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                           "malformed form body (a bad field name)");
            return NGX_ERROR;
        }

        /* the name is NUL terminated where '=' or '&' was */

        name[nlen] = '\0';

        if (ngx_pa_utf8_check(value, vlen, &nchars) != 0) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_utf8",
                           (char *) name, "the field is not valid UTF-8 text");
            return NGX_ERROR;
        }

        if (json_object_get(body->fields, (char *) name) != NULL) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           (char *) name, "the field is given twice");
            return NGX_ERROR;
        }

        v = json_stringn((char *) value, vlen);

        if (v == NULL
            || json_object_set_new(body->fields, (char *) name, v) != 0)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* "+" is a space, "%XX" a byte; a bad escape is an error */

static ngx_int_t
ngx_pa_o311_unescape(u_char *dst, u_char *src, size_t len, size_t *out)
{
    u_char      c, *d;
    ngx_int_t   hi, lo;
    ngx_uint_t  i;

    d = dst;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c == '+') {
            *d++ = ' ';
            continue;
        }

        if (c != '%') {
            *d++ = c;
            continue;
        }

        if (i + 2 >= len) {
            return NGX_ERROR;
        }

        hi = ngx_hextoi(&src[i + 1], 1);
        lo = ngx_hextoi(&src[i + 2], 1);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            return NGX_ERROR;
        }

        *d++ = (u_char) (hi * 16 + lo);
        i += 2;
    }

    *out = d - dst;

    return NGX_OK;
}


/*
 * GeoReport's fields into the contract's: service_code, lat, long,
 * description, first_name + last_name, phone, email; address_string (or
 * address) and media_url are stored as they are (media_url is a
 * reference: never fetched).  Names are joined the Vietnamese way,
 * family name first ("Trần" "Thị Bích": "Trần Thị Bích").
 */

static ngx_int_t
ngx_pa_o311_map(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    ngx_pa_err_t *err)
{
    u_char      *p;
    json_t      *in, *out, *v;
    ngx_str_t    first, family, s;
    ngx_uint_t   i, k, ok;

    in = op->in.fields;
    out = op->out.fields;

    for (i = 0; ngx_pa_o311_names[i].ours; i++) {
        if (ngx_strcmp(ngx_pa_o311_names[i].ours, "reporter_name") == 0) {
            continue;
        }

        v = json_object_get(in, ngx_pa_o311_names[i].theirs);

        if (v != NULL
            && json_object_set(out, ngx_pa_o311_names[i].ours, v) != 0)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_pa_o311_text(in, "first_name", NGX_PA_O311_NAME_MAX, &first,
                         err)
        != NGX_OK
        || ngx_pa_o311_text(in, "last_name", NGX_PA_O311_NAME_MAX, &family,
                            err)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (first.len || family.len) {
        s.len = family.len + 1 + first.len;
        s.data = ngx_pnalloc(r->pool, s.len);
        if (s.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(s.data, family.data, family.len);

        if (family.len && first.len) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, first.data, first.len);
        s.len = p - s.data;

        v = ngx_pa_json_strn(s.data, s.len);

        if (v == NULL || json_object_set_new(out, "reporter_name", v) != 0) {
            return NGX_ERROR;
        }
    }

    /* GeoReport clients are apps; the history says which door it came */

    if (json_object_set_new(out, "channel", json_string("app")) != 0) {
        return NGX_ERROR;
    }

    if (ngx_pa_o311_text(in, "address_string", NGX_PA_O311_ADDRESS_MAX, &s,
                         err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (s.len == 0
        && ngx_pa_o311_text(in, "address", NGX_PA_O311_ADDRESS_MAX, &s, err)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (s.len && ngx_pa_o311_store(r, op, "address", &s) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_o311_text(in, "media_url", NGX_PA_O311_URL_MAX, &s, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (s.len == 0) {
        return NGX_OK;
    }

    /* an http(s) URL of visible ASCII: a link for the IOC, nothing more */

    ok = (s.len > 7 && ngx_strncasecmp(s.data, (u_char *) "http://", 7) == 0)
         || (s.len > 8
             && ngx_strncasecmp(s.data, (u_char *) "https://", 8) == 0);

    for (k = 0; ok && k < s.len; k++) {
        ok = s.data[k] > 0x20 && s.data[k] < 0x7f;
    }

    if (!ok || s.len > NGX_PA_O311_URL_MAX) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "media_url", "must be an http:// or https:// URL");
        return NGX_ERROR;
    }

    return ngx_pa_o311_store(r, op, "media_url", &s);
}


/* an optional text field: a string, valid UTF-8, at most max characters */

static ngx_int_t
ngx_pa_o311_text(json_t *in, const char *name, size_t max, ngx_str_t *out,
    ngx_pa_err_t *err)
{
    size_t   nchars;
    json_t  *v;

    ngx_str_null(out);

    v = json_object_get(in, name);

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    if (!json_is_string(v)) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "must be a string");
        return NGX_ERROR;
    }

    out->data = (u_char *) json_string_value(v);
    out->len = json_string_length(v);

    if (ngx_pa_utf8_check(out->data, out->len, &nchars) != 0) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_utf8", name,
                       "not valid UTF-8 text (or holds control characters)");
        return NGX_ERROR;
    }

    if (nchars > max) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "is too long");
        return NGX_ERROR;
    }

    if (ngx_pa_text_blank(out->data, out->len)) {
        ngx_str_null(out);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_o311_store(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    const char *name, ngx_str_t *value)
{
    ngx_keyval_t  *kv;

    kv = ngx_array_push(op->stored);
    if (kv == NULL) {
        return NGX_ERROR;
    }

    /* submit keeps key.data as a C string */
    kv->key.data = (u_char *) name;
    kv->key.len = ngx_strlen(name);

    kv->value.data = ngx_pnalloc(r->pool, value->len);
    if (kv->value.data == NULL) {
        return NGX_ERROR;
    }

    /* the JSON the value lives in goes with the body: keep a copy */
    ngx_memcpy(kv->value.data, value->data, value->len);
    kv->value.len = value->len;

    return NGX_OK;
}


/*
 * Stored: GeoReport's answer.  The id at once (no deferred ids here), and
 * the reporter's access token as the "token": shown this once, it opens
 * the request for its reporter and is what tokens/{token}.json looks up.
 */

static ngx_int_t
ngx_pa_o311_created(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *id,
    json_t *answer)
{
    json_t  *token, *body;

    token = json_object_get(answer, "access_token");

    body = json_pack("[{s:s#, s:O, s:s, s:n}]",
                     "service_request_id", id->data, (int) id->len,
                     "token", token ? token : json_null(),
                     "service_notice", NGX_PA_O311_NOTICE,
                     "account_id");

    json_decref(answer);

    if (body == NULL) {
        return ngx_pa_o311_fail(r, "created answer");
    }

    ngx_pa_report_location(r, id);

    return ngx_pa_send_json(r, NGX_HTTP_CREATED, body);
}


/* ------------------------------------------------------------ reads */

/*
 * service_request_id (a comma list, overrides the rest), service_code,
 * start_date, end_date (RFC 3339, on requested_datetime), status
 * (open, closed), page and page_size (or limit).
 */

static ngx_int_t
ngx_pa_o311_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t            v;
    ngx_int_t            page, size;
    ngx_pa_err_t         err;
    ngx_array_t         *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    /* page_size, or limit as some clients say */

    if (ngx_pa_view_number(r, "page", 1, NGX_PA_O311_SCAN, &page, &err)
        != NGX_OK
        || ngx_pa_view_number(r, (ngx_pa_view_arg(r, "page_size", &v)
                                  == NGX_OK && v.len)
                                 ? "page_size" : "limit",
                              NGX_PA_O311_PER_PAGE, NGX_PA_O311_PAGE_MAX,
                              &size, &err)
           != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 16, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "pub") == NULL
        || ngx_pa_arg_str(args, &pmcf->key_prefix) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, (page - 1) * size) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, size) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_null(&v);

    if (ngx_pa_view_arg(r, "service_code", &v) == NGX_OK && v.len
        && ngx_pa_directory_find_category(pmcf, &v) == NULL)
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "service_code", "no such service");
    }

    if (ngx_pa_arg_str(args, &v) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_o311_date(r, "start_date", args, &err) != NGX_OK
        || ngx_pa_o311_date(r, "end_date", args, &err) != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    ngx_str_null(&v);
    (void) ngx_pa_view_arg(r, "status", &v);

    /* "open,closed" is both: no filter */

    if (ngx_pa_o311_is(&v, "open,closed") || ngx_pa_o311_is(&v, "closed,open"))
    {
        ngx_str_null(&v);
    }

    if (v.len && !ngx_pa_o311_is(&v, "open") && !ngx_pa_o311_is(&v, "closed"))
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "status", "open, closed or both");
    }

    if (ngx_pa_arg_str(args, &v) != NGX_OK
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


/*
 * An RFC 3339 bound as an epoch argument, "" when absent.  NGX_ERROR with
 * err set (status 0 when out of memory: ngx_pa_fail() answers 500).
 */

static ngx_int_t
ngx_pa_o311_date(ngx_http_request_t *r, const char *name, ngx_array_t *args,
    ngx_pa_err_t *err)
{
    time_t      t;
    ngx_str_t   v;
    ngx_uint_t  i;

    if (ngx_pa_view_arg(r, name, &v) != NGX_OK || v.len == 0) {
        return ngx_pa_arg_cstr(args, "");
    }

    /* "+07:00" sent unescaped in a form-encoded query reads " 07:00" */

    for (i = 0; i < v.len; i++) {
        if (v.data[i] == ' ') {
            v.data[i] = '+';
        }
    }

    if (ngx_pa_rfc3339_parse(v.data, v.len, &t) != 0) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "must be an RFC 3339 date-time with offset");
        return NGX_ERROR;
    }

    return ngx_pa_arg_int(r->pool, args, t);
}


static void
ngx_pa_o311_list_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply     *reply = data;
    json_t         *list, *o;
    ngx_uint_t      i;
    ngx_pa_hash_t   h;

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
        ngx_pa_finalize(r, ngx_pa_o311_fail(r, "request list"));
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

        if (!ngx_pa_public_shown(&h)) {
            continue;
        }

        o = ngx_pa_o311_view(r, &h, 1);
        if (o == NULL) {
            json_decref(list);
            ngx_pa_finalize(r, ngx_pa_o311_fail(r, "request list"));
            return;
        }

        json_array_append_new(list, o);
    }

    ngx_pa_finalize(r, ngx_pa_view_send(r, NGX_HTTP_OK, list,
                                        NGX_PA_O311_PUBLIC_CACHE));
}


/* one request: published, or the reporter's own with its token */

static ngx_int_t
ngx_pa_o311_request(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_str_t           *token;
    ngx_pa_o311_read_t  *rd;

    rd = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_read_t));
    if (rd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

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
    ngx_uint_t           shown;
    ngx_pa_hash_t        h;
    ngx_pa_caller_t      caller;
    ngx_pa_o311_read_t  *rd;

    rd = ctx->data;

    if (ngx_pa_hash_from_reply(r->pool, reply, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: unexpected reply to HGETALL");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    shown = ngx_pa_public_shown(&h);

    if (rd->token.len) {
        ngx_memzero(&caller, sizeof(ngx_pa_caller_t));
        caller.role = NGX_PA_ROLE_REPORTER;
        caller.token = rd->token;

        rd->mine = ngx_pa_view_visible(&caller, &h);
    }

    /* unpublished and not theirs: as if it did not exist */

    if (!shown && !rd->mine) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found",
                                             "service_request_id",
                                             "no such request"));
        return;
    }

    o = ngx_pa_o311_view(r, &h, shown);
    if (o == NULL) {
        ngx_pa_finalize(r, ngx_pa_o311_fail(r, "request"));
        return;
    }

    /* GeoReport answers a list, even for one request */

    ngx_pa_finalize(r, ngx_pa_view_send(r, NGX_HTTP_OK, json_pack("[o]", o),
                                        rd->mine ? NGX_PA_O311_PRIVATE_CACHE
                                                 : NGX_PA_O311_PUBLIC_CACHE));
}


/*
 * tokens/{token}.json: the token is the reporter's access token; its
 * SHA-256 names the report (submit.lua's "tok:" key).  Anyone holding it
 * already holds the id, so the answer tells nothing new to anyone else.
 */

static ngx_int_t
ngx_pa_o311_token(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *token)
{
    u_char       *hex;
    ngx_str_t    *key, h;
    ngx_array_t  *keys;
    const char   *argv[2];
    size_t        argvlen[2];

    if (token->len > NGX_PA_O311_TOKEN_MAX) {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found", "token",
                                 "no request for this token");
    }

    hex = ngx_pnalloc(r->pool, SHA256_DIGEST_LENGTH * 2 + 1);
    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    ctx->data = ngx_palloc(r->pool, sizeof(ngx_str_t));

    if (hex == NULL || keys == NULL || ctx->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *(ngx_str_t *) ctx->data = *token;

    ngx_pa_auth_token_hash(token, hex);

    h.data = hex;
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


static void
ngx_pa_o311_token_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply  *reply = data;
    json_t      *body;
    ngx_str_t   *token;

    token = ctx->data;

    if (reply->type == REDIS_REPLY_NIL) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", "token",
                                             "no request for this token"));
        return;
    }

    if (reply->type != REDIS_REPLY_STRING) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: unexpected reply to GET of a token");
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "try again"));
        return;
    }

    body = json_pack("[{s:s#, s:s#}]",
                     "service_request_id", reply->str, (int) reply->len,
                     "token", token->data, (int) token->len);

    if (body == NULL) {
        ngx_pa_finalize(r, ngx_pa_o311_fail(r, "token answer"));
        return;
    }

    ngx_pa_finalize(r, ngx_pa_view_send(r, NGX_HTTP_OK, body,
                                        NGX_PA_O311_PRIVATE_CACHE));
}


/* ------------------------------------------------------------ the view */

/*
 * A report as a GeoReport service request, built from the hash by name
 * (never by copying it: sealed fields, hashes and staff fields stay in).
 * The photo's public copy exists once the report is published.
 */

static json_t *
ngx_pa_o311_view(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_uint_t published)
{
    json_t              *o;
    ngx_str_t           *id, *status, *cat;
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
    json_object_set_new(o, "status_notes",
                        ngx_pa_o311_notes(r, h, status, closed));

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
    /*
     * The address is the citizen's own text, which the IOC cannot edit
     * before publishing (it may be their home): public reads carry the
     * position only.
     */
    json_object_set_new(o, "address",
                        published ? json_null()
                                  : ngx_pa_o311_string(h, "address"));
    json_object_set_new(o, "address_id", json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", ngx_pa_o311_number_json(h, "lat"));
    json_object_set_new(o, "long", ngx_pa_o311_number_json(h, "lng"));
    json_object_set_new(o, "media_url",
                        published ? ngx_pa_o311_media_url(r, h, id)
                                  : json_null());

    return o;
}


/*
 * status_notes: the agency's summary once resolved; otherwise the
 * contract's state (and a rejection's reason), finer than open/closed.
 */

static json_t *
ngx_pa_o311_notes(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *status,
    ngx_uint_t closed)
{
    u_char        *p;
    json_t        *result, *summary, *notes;
    ngx_str_t     *v, *reason;
    json_error_t   je;

    v = ngx_pa_hash_get(h, "result");

    if (ngx_pa_o311_is(status, "resolved") && v != NULL) {
        result = json_loadb((char *) v->data, v->len, 0, &je);
        summary = json_object_get(result, "summary");

        notes = (json_is_string(summary) && json_string_length(summary))
                ? json_incref(summary) : NULL;

        if (result) {
            json_decref(result);
        }

        if (notes != NULL) {
            return notes;
        }
    }

    reason = ngx_pa_hash_get(h, "reject_reason");

    if (!ngx_pa_o311_is(status, "rejected") || reason == NULL) {
        return ngx_pa_json_strn(status->data, status->len);
    }

    p = ngx_pnalloc(r->pool, status->len + 2 + reason->len);
    if (p == NULL) {
        return json_null();
    }

    return ngx_pa_json_strn(p, ngx_sprintf(p, "%V: %V", status, reason) - p);
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
        if (ngx_pa_o311_is(status, ngx_pa_o311_closed_states[i])) {
            return 1;
        }
    }

    return 0;
}


/* ------------------------------------------------------------ helpers */

static ngx_int_t
ngx_pa_o311_fail(ngx_http_request_t *r, const char *what)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: open311: cannot build the %s", what);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static ngx_uint_t
ngx_pa_o311_is(ngx_str_t *s, const char *name)
{
    size_t  len;

    len = ngx_strlen(name);

    return s->len == len && ngx_strncmp(s->data, name, len) == 0;
}


static void
ngx_pa_o311_json_cleanup(void *data)
{
    json_t  **j = data;

    if (*j != NULL) {
        json_decref(*j);
        *j = NULL;
    }
}
