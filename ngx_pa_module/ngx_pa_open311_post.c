/*
 * Open311 GeoReport v2: POST requests (api.md "Open311 GeoReport v2").
 *
 * The client's API key and its own rate first, then the body in the
 * contract's names through ngx_pa_submit_from(): every check of POST
 * /api/v1/reports, and its idempotency, in the client's scope (the same
 * client and Idempotency-Key, or the same body, within a day: the first
 * answer again, with the same token).  What the
 * spec accepts is accepted: the name parts and the phone are optional, a
 * phone of any country, an address instead of a position.
 */

#include "ngx_pa.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_open311_keys.h"
#include "ngx_pa_open311_out.h"
#include "ngx_pa_open311_post.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_submit.h"
#include "ngx_pa_validate.h"
#include "ngx_pa_view.h"

#include <openssl/sha.h>


#define NGX_PA_O311_FORM_MAX      (1024 * 1024)   /* urlencoded body */
#define NGX_PA_O311_FIELDS_MAX    64
#define NGX_PA_O311_ADDRESS_MAX   500             /* characters */
#define NGX_PA_O311_URL_MAX       2048            /* bytes, each */
#define NGX_PA_O311_URLS_MAX      10              /* media_url, repeated */
#define NGX_PA_O311_NAME_MAX      100             /* each name part */
#define NGX_PA_O311_ANSWER_MAX    1000            /* an attribute's */
#define NGX_PA_O311_RETRY_KEY_MAX 200             /* Idempotency-Key */
#define NGX_PA_O311_NUMBER_LEN    32              /* "%.6f" of a degree */
#define NGX_PA_O311_NOTE          "Open311 GeoReport v2"
#define NGX_PA_O311_NOTICE                                                    \
    "Received. Keep the token: it is shown only once. With it you follow "   \
    "this request at /open311/v2/requests/{id}.xml?token=... (or "           \
    "/api/v1/reports/{id} with X-Report-Token). The request is listed "      \
    "publicly once its result is published."


typedef struct {
    ngx_pa_body_t           in;        /* as sent */
    ngx_pa_body_t           out;       /* in the contract's names */
    ngx_array_t            *stored;    /* ngx_keyval_t: address, media_url */
    ngx_pa_submit_from_t    from;
    ngx_pa_o311_client_t   *client;
    ngx_str_t               who;       /* the rate limit's: k|b + 16 hex */
} ngx_pa_o311_post_t;


static void ngx_pa_o311_post_limited(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *reply);
static ngx_int_t ngx_pa_o311_post_key(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op);
static ngx_int_t ngx_pa_o311_post_submit(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static ngx_int_t ngx_pa_o311_form(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_form_init(ngx_http_request_t *r,
    ngx_pa_body_t *body);
static ngx_int_t ngx_pa_o311_form_field(json_t *fields, u_char *name,
    size_t nlen, u_char *value, size_t vlen, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_unescape(u_char *dst, u_char *src, size_t len,
    size_t *out);
static ngx_int_t ngx_pa_o311_map(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_position(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_centroid(ngx_pa_main_conf_t *pmcf,
    ngx_pa_agency_t *ag, double *lat, double *lng);
static ngx_int_t ngx_pa_o311_media_urls(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_attributes(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, ngx_pa_category_t *c, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_attribute(ngx_http_request_t *r, json_t *def,
    json_t *v, const char *field, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_text(json_t *in, const char *name,
    size_t max, ngx_str_t *out, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_o311_store(ngx_http_request_t *r,
    ngx_pa_o311_post_t *op, const char *name, ngx_str_t *value);
static ngx_int_t ngx_pa_o311_created(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_str_t *id, json_t *answer);
static ngx_int_t ngx_pa_o311_answer(ngx_http_request_t *r, ngx_str_t *id,
    json_t *token);
static void ngx_pa_o311_json_cleanup(void *data);


ngx_int_t
ngx_pa_open311_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    size_t               len;
    json_t              *v;
    ngx_str_t            jur, api;
    ngx_int_t            rc;
    ngx_pa_err_t         err;
    ngx_table_elt_t     *h;
    ngx_pa_o311_post_t  *op;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    op = ngx_pcalloc(r->pool, sizeof(ngx_pa_o311_post_t));
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = op;

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

    /* the key and jurisdiction in the body, as the spec sends them */

    ngx_str_null(&jur);
    ngx_str_null(&api);

    v = json_object_get(op->in.fields, "jurisdiction_id");
    if (json_is_string(v)) {
        jur.data = (u_char *) json_string_value(v);
        jur.len = json_string_length(v);

    } else {
        (void) ngx_pa_view_arg(r, "jurisdiction_id", &jur);
    }

    v = json_object_get(op->in.fields, "api_key");
    if (json_is_string(v)) {
        api.data = (u_char *) json_string_value(v);
        api.len = json_string_length(v);

    } else {
        (void) ngx_pa_view_arg(r, "api_key", &api);
    }

    rc = ngx_pa_open311_check(r, &jur, &api, 1, &op->client);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    /*
     * the request's identity, then the client's own rate, before anything
     * else reaches Redis: a resend is not counted twice
     */

    rc = ngx_pa_o311_post_key(r, op);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_pa_open311_limit(r, ctx, op->client, &op->who,
                                ngx_pa_o311_post_limited);
}


static void
ngx_pa_o311_post_limited(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    ngx_int_t  rc;

    rc = ngx_pa_open311_limit_verdict(r, data);

    if (rc == NGX_DECLINED) {
        rc = ngx_pa_o311_post_submit(r, ctx);
    }

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/*
 * A retry is the same client's POST with the same Idempotency-Key, or
 * without one the same body (fields and media) as sent, within a day:
 * ngx_pa_submit_from() keys the submission so, in the client's scope,
 * and answers a retry as the first POST was (ngx_pa_o311_created), the
 * same id and token.  Here: the key's bounds, the body's SHA-256, and
 * the client's index of its requests ("pa:{t}:o311:c:<client>").
 * NGX_DECLINED: go on; otherwise what was answered.
 */

static ngx_int_t
ngx_pa_o311_post_key(ngx_http_request_t *r, ngx_pa_o311_post_t *op)
{
    char             *dump;
    ngx_str_t        *idem;
    ngx_uint_t        i;
    SHA256_CTX        sha;
    ngx_pa_media_t  **m;
    u_char            md[SHA256_DIGEST_LENGTH];

    idem = ngx_pa_header(r, "Idempotency-Key");

    if (idem != NULL
        && (idem->len == 0 || idem->len > NGX_PA_O311_RETRY_KEY_MAX))
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "Idempotency-Key",
                                 "1 to 200 characters");
    }

    dump = json_dumps(op->in.fields, JSON_COMPACT | JSON_SORT_KEYS);
    if (dump == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    SHA256_Init(&sha);
    SHA256_Update(&sha, dump, ngx_strlen(dump));
    free(dump);

    m = op->in.media.elts;

    for (i = 0; i < op->in.media.nelts; i++) {
        SHA256_Update(&sha, m[i]->hex, SHA256_DIGEST_LENGTH * 2);
    }

    SHA256_Final(md, &sha);

    op->from.sent.data = ngx_pnalloc(r->pool, SHA256_DIGEST_LENGTH * 2);
    op->from.own.data = ngx_pnalloc(r->pool, sizeof("o311:c:") - 1
                                             + op->client->client.len);

    if (op->from.sent.data == NULL || op->from.own.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    op->from.sent.len = ngx_hex_dump(op->from.sent.data, md, sizeof(md))
                        - op->from.sent.data;

    op->from.own.len = ngx_sprintf(op->from.own.data, "o311:c:%V",
                                   &op->client->client)
                       - op->from.own.data;

    op->from.client = op->client->client;

    /*
     * the rate limit's identity: 64 bits of the key's digest, else of the
     * body's as sent; short, as the limit keeps one a request a day
     */

    if (idem != NULL) {
        SHA256((u_char *) idem->data, idem->len, md);
    }

    op->who.len = 1 + 16;
    op->who.data = ngx_pnalloc(r->pool, op->who.len);
    if (op->who.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    op->who.data[0] = idem ? 'k' : 'b';
    (void) ngx_hex_dump(op->who.data + 1, md, 8);

    return NGX_DECLINED;
}


static ngx_int_t
ngx_pa_o311_post_submit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_pa_err_t         err;
    ngx_pool_cleanup_t  *cln;
    ngx_pa_o311_post_t  *op;

    op = ctx->data;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

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

    op->stored = ngx_array_create(r->pool, 4, sizeof(ngx_keyval_t));
    if (op->stored == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_o311_map(r, op, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    /* whose request it is: GET requests and requests/{id} show it them */

    if (ngx_pa_o311_store(r, op, "o311_client", &op->client->client)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    op->from.body = &op->out;
    op->from.fields = op->stored;
    ngx_str_set(&op->from.note, NGX_PA_O311_NOTE);
    op->from.answer = ngx_pa_o311_created;
    op->from.name_optional = 1;
    op->from.phone_any = 1;

    return ngx_pa_submit_from(r, ctx, &op->from);
}


/* application/x-www-form-urlencoded into the fields' JSON object */

static ngx_int_t
ngx_pa_o311_form(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err)
{
    u_char      *buf, *p, *last, *amp, *eq, *name, *value;
    size_t       nlen, vlen, nchars;
    ngx_str_t    text;
    ngx_uint_t   nfields;

    if (ngx_pa_o311_form_init(r, body) != NGX_OK) {
        return NGX_ERROR;
    }

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

        if (ngx_pa_o311_form_field(body->fields, name, nlen, value, vlen,
                                   err)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* the body's fields: a JSON object the request's pool lets go of */

static ngx_int_t
ngx_pa_o311_form_init(ngx_http_request_t *r, ngx_pa_body_t *body)
{
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

    return NGX_OK;
}


/* one decoded field (its name NUL terminated): UTF-8 text, given once */

static ngx_int_t
ngx_pa_o311_form_field(json_t *fields, u_char *name, size_t nlen,
    u_char *value, size_t vlen, ngx_pa_err_t *err)
{
    size_t   nchars;
    json_t  *v, *prev, *list;

    if (ngx_pa_utf8_check(value, vlen, &nchars) != 0) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_utf8",
                       (char *) name, "the field is not valid UTF-8 text");
        return NGX_ERROR;
    }

    v = json_stringn((char *) value, vlen);
    if (v == NULL) {
        return NGX_ERROR;
    }

    /*
     * media_url may repeat (FixMyStreet's photos), and "x[]" (a
     * multivaluelist's answers): lists of them
     */

    prev = json_object_get(fields, (char *) name);

    if (prev != NULL
        && (ngx_strcmp(name, "media_url") == 0
            || (nlen > 2 && name[nlen - 2] == '['
                && name[nlen - 1] == ']')))
    {
        if (json_is_string(prev)) {
            list = json_pack("[O]", prev);

            if (list == NULL
                || json_object_set_new(fields, (char *) name, list) != 0)
            {
                json_decref(v);
                return NGX_ERROR;
            }

            prev = list;
        }

        if (json_array_append_new(prev, v) != 0) {
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (prev != NULL) {
        json_decref(v);
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       (char *) name, "the field is given twice");
        return NGX_ERROR;
    }

    if (json_object_set_new(fields, (char *) name, v) != 0) {
        return NGX_ERROR;
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
 * GeoReport's fields into the contract's: service_code (required),
 * description, lat + long, first_name + last_name, phone, email; the
 * address (address_string, address or address_id) and media_url are
 * stored as they are (media_url is a reference: never fetched).  Names
 * are joined the Vietnamese way, family name first ("Trần" "Thị Bích":
 * "Trần Thị Bích").
 */

static ngx_int_t
ngx_pa_o311_map(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    ngx_pa_err_t *err)
{
    u_char              *p;
    json_t              *in, *out, *v;
    ngx_str_t            first, family, s;
    ngx_uint_t           i;
    ngx_pa_category_t   *c;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    in = op->in.fields;
    out = op->out.fields;

    if (ngx_pa_o311_text(in, "service_code", NGX_PA_O311_NAME_MAX, &s, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (s.len == 0) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "service_code", "this field is required");
        return NGX_ERROR;
    }

    /* an unknown service_code is submit's 400; a known one's questions */

    c = ngx_pa_directory_find_category(pmcf, &s);

    if (c != NULL && c->attributes != NULL
        && ngx_pa_o311_attributes(r, op, c, err) != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; ngx_pa_open311_names[i].ours; i++) {
        if (ngx_strcmp(ngx_pa_open311_names[i].ours, "reporter_name") == 0) {
            continue;
        }

        v = json_object_get(in, ngx_pa_open311_names[i].theirs);

        /* an empty field of a form ("lat=&long=") was not sent */

        if (json_is_string(v) && json_string_length(v) == 0) {
            continue;
        }

        if (v != NULL
            && json_object_set(out, ngx_pa_open311_names[i].ours, v) != 0)
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

    if (ngx_pa_o311_position(r, op, err) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_o311_media_urls(r, op, err);
}


/*
 * No lat/long: a photo's GPS stands in (submit reads it); else the spec
 * lets an address stand for the position: the centroid of the area of
 * address_id (an area of the directory: a commune, a district), or of
 * the province (pa_area, else the widest area of the directory), marked
 * as such (position_source "address") so the IOC knows it is no point.
 */

static ngx_int_t
ngx_pa_o311_position(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    ngx_pa_err_t *err)
{
    u_char              *p;
    double               lat, lng;
    ngx_str_t            id, addr, pos;
    ngx_uint_t           i;
    ngx_pa_agency_t     *ag;
    ngx_pa_media_t     **m;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (json_object_get(op->out.fields, "lat") != NULL
        || json_object_get(op->out.fields, "lng") != NULL)
    {
        return NGX_OK;
    }

    m = op->in.media.elts;

    for (i = 0; i < op->in.media.nelts; i++) {
        if (m[i]->meta.has_gps) {
            return NGX_OK;
        }
    }

    if (ngx_pa_o311_text(op->in.fields, "address_id", NGX_PA_O311_NAME_MAX,
                         &id, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_null(&addr);

    for (i = 0; i < op->stored->nelts; i++) {
        if (ngx_strcmp(((ngx_keyval_t *) op->stored->elts)[i].key.data,
                       "address") == 0)
        {
            addr = ((ngx_keyval_t *) op->stored->elts)[i].value;
        }
    }

    if (id.len == 0 && addr.len == 0) {
        return NGX_OK;      /* submit answers: the position is required */
    }

    ag = NULL;

    if (id.len) {
        ag = ngx_pa_directory_agency(pmcf, &id);

        if (ag == NULL || ag->area == NULL) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "address_id", "not an area of the directory");
            return NGX_ERROR;
        }

        if (ngx_pa_o311_store(r, op, "address_id", &id) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (ngx_pa_o311_centroid(pmcf, ag, &lat, &lng) != NGX_OK) {
        return NGX_OK;      /* no area known: the position is required */
    }

    p = ngx_pnalloc(r->pool, 2 * NGX_PA_O311_NUMBER_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (json_object_set_new(op->out.fields, "lat",
                            json_stringn((char *) p,
                                         ngx_sprintf(p, "%.6f", lat) - p))
        != 0
        || json_object_set_new(op->out.fields, "lng",
                               json_stringn((char *) p + NGX_PA_O311_NUMBER_LEN,
                                   ngx_sprintf(p + NGX_PA_O311_NUMBER_LEN,
                                               "%.6f", lng)
                                   - p - NGX_PA_O311_NUMBER_LEN))
           != 0)
    {
        return NGX_ERROR;
    }

    ngx_str_set(&pos, "address");

    return ngx_pa_o311_store(r, op, "position_source", &pos);
}


/*
 * The centre of the area of address_id (ag), else of the province: the
 * box of pa_area, else of the widest area of the directory.
 * NGX_DECLINED: no area is known.
 */

static ngx_int_t
ngx_pa_o311_centroid(ngx_pa_main_conf_t *pmcf, ngx_pa_agency_t *ag,
    double *lat, double *lng)
{
    double              *pt, min_lat, max_lat, min_lng, max_lng;
    ngx_uint_t           i, n;
    ngx_pa_agency_t     *a;
    ngx_pa_directory_t  *dir;

    if (ag == NULL && pmcf->area != NULL && pmcf->area->nelts) {
        pt = pmcf->area->elts;      /* lat, lng pairs */
        n = pmcf->area->nelts;

        min_lat = max_lat = pt[0];
        min_lng = max_lng = pt[1];

        for (i = 1; i < n; i++) {
            min_lat = ngx_min(min_lat, pt[2 * i]);
            max_lat = ngx_max(max_lat, pt[2 * i]);
            min_lng = ngx_min(min_lng, pt[2 * i + 1]);
            max_lng = ngx_max(max_lng, pt[2 * i + 1]);
        }

        *lat = (min_lat + max_lat) / 2;
        *lng = (min_lng + max_lng) / 2;

    } else {
        dir = pmcf->directory;

        if (ag == NULL && dir != NULL) {
            a = dir->agencies.elts;

            for (i = 0; i < dir->agencies.nelts; i++) {
                if (a[i].area != NULL
                    && (ag == NULL
                        || (a[i].max_lat - a[i].min_lat)
                           * (a[i].max_lng - a[i].min_lng)
                           > (ag->max_lat - ag->min_lat)
                             * (ag->max_lng - ag->min_lng)))
                {
                    ag = &a[i];
                }
            }
        }

        if (ag == NULL) {
            return NGX_DECLINED;
        }

        *lat = (ag->min_lat + ag->max_lat) / 2;
        *lng = (ag->min_lng + ag->max_lng) / 2;
    }

    return NGX_OK;
}


/*
 * media_url, once or repeated: http(s) URLs of visible ASCII, links for
 * the IOC and nothing more, stored space separated.
 */

static ngx_int_t
ngx_pa_o311_media_urls(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    ngx_pa_err_t *err)
{
    u_char      *p;
    size_t       i, n;
    json_t      *v, *list, *item;
    ngx_str_t    s, all;
    ngx_uint_t   k, ok;

    v = json_object_get(op->in.fields, "media_url");

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    list = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
    if (list == NULL) {
        return NGX_ERROR;
    }

    n = json_array_size(list);

    if (n > NGX_PA_O311_URLS_MAX) {
        json_decref(list);
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "media_url", "at most 10 of them");
        return NGX_ERROR;
    }

    all.data = ngx_pnalloc(r->pool, n * (NGX_PA_O311_URL_MAX + 1));
    if (all.data == NULL) {
        json_decref(list);
        return NGX_ERROR;
    }

    p = all.data;

    json_array_foreach(list, i, item) {
        ok = json_is_string(item);

        s.data = ok ? (u_char *) json_string_value(item) : NULL;
        s.len = ok ? json_string_length(item) : 0;

        if (ok && s.len == 0) {
            continue;       /* an empty field of a form: nothing sent */
        }

        ok = ok && s.len <= NGX_PA_O311_URL_MAX
             && ((s.len > 7
                  && ngx_strncasecmp(s.data, (u_char *) "http://", 7) == 0)
                 || (s.len > 8
                     && ngx_strncasecmp(s.data, (u_char *) "https://", 8)
                        == 0));

        for (k = 0; ok && k < s.len; k++) {
            ok = s.data[k] > 0x20 && s.data[k] < 0x7f;
        }

        if (!ok) {
            json_decref(list);
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "media_url", "must be an http:// or https:// URL");
            return NGX_ERROR;
        }

        if (p != all.data) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, s.data, s.len);
    }

    json_decref(list);

    all.len = p - all.data;

    return all.len ? ngx_pa_o311_store(r, op, "media_url", &all) : NGX_OK;
}


/*
 * The answers to the service's attributes (pa_directory), sent as
 * attribute[<code>] (attribute[<code>][] repeated for a multivaluelist):
 * checked by their datatype and stored as {"<code>": value} for the IOC.
 */

static ngx_int_t
ngx_pa_o311_attributes(ngx_http_request_t *r, ngx_pa_o311_post_t *op,
    ngx_pa_category_t *c, ngx_pa_err_t *err)
{
    u_char      *field;
    char        *dump;
    size_t       i, len;
    json_t      *def, *code, *v, *answers;
    ngx_str_t    stored;
    ngx_int_t    rc;

    answers = json_object();
    if (answers == NULL) {
        return NGX_ERROR;
    }

    json_array_foreach((json_t *) c->attributes, i, def) {
        code = json_object_get(def, "code");
        len = sizeof("attribute[][]") + json_string_length(code);

        field = ngx_pnalloc(r->pool, len);
        if (field == NULL) {
            json_decref(answers);
            return NGX_ERROR;
        }

        (void) ngx_sprintf(field, "attribute[%s][]%Z",
                           json_string_value(code));

        v = json_object_get(op->in.fields, (char *) field);

        /* the field's name as it was sent: "attribute[x]" without "[]" */

        if (v == NULL) {
            field[len - 3] = '\0';
            v = json_object_get(op->in.fields, (char *) field);
        }

        if (v != NULL && json_is_string(v) && json_string_length(v) == 0) {
            v = NULL;       /* an empty field of a form: not answered */
        }

        if (v == NULL) {
            if (json_is_true(json_object_get(def, "required"))) {
                json_decref(answers);
                ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "missing_field",
                               (char *) field, "this attribute of the "
                               "service is required");
                return NGX_ERROR;
            }

            continue;
        }

        rc = ngx_pa_o311_attribute(r, def, v, (char *) field, err);

        if (rc != NGX_OK
            || json_object_set(answers, json_string_value(code), v) != 0)
        {
            json_decref(answers);
            return NGX_ERROR;
        }
    }

    if (json_object_size(answers) == 0) {
        json_decref(answers);
        return NGX_OK;
    }

    dump = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(answers);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    stored.data = (u_char *) dump;
    stored.len = ngx_strlen(dump);

    rc = ngx_pa_o311_store(r, op, "attributes", &stored);
    free(dump);

    return rc;
}


static ngx_int_t
ngx_pa_o311_attribute(ngx_http_request_t *r, json_t *def, json_t *v,
    const char *field, ngx_pa_err_t *err)
{
    size_t       i, k, nchars;
    json_t      *values, *item, *one;
    double       d;
    time_t       t;
    ngx_str_t    type, s;
    ngx_uint_t   list, found;

    type.data = (u_char *) json_string_value(json_object_get(def, "datatype"));
    type.len = ngx_strlen(type.data);

    list = ngx_pa_open311_is(&type, "multivaluelist");

    if (json_is_array(v) && !list) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                       "the field is given twice");
        return NGX_ERROR;
    }

    values = json_object_get(def, "values");

    for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
        one = json_is_array(v) ? json_array_get(v, i) : v;

        if (!json_is_string(one)) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                           "must be a string");
            return NGX_ERROR;
        }

        s.data = (u_char *) json_string_value(one);
        s.len = json_string_length(one);

        if (ngx_pa_utf8_check(s.data, s.len, &nchars) != 0
            || nchars > NGX_PA_O311_ANSWER_MAX)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                           "must be UTF-8 text of at most 1000 characters");
            return NGX_ERROR;
        }

        if (ngx_pa_open311_is(&type, "number")
            && ngx_pa_parse_decimal(s.data, s.len, &d) != 0)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                           "must be a number");
            return NGX_ERROR;
        }

        if (ngx_pa_open311_is(&type, "datetime")
            && ngx_pa_rfc3339_parse(s.data, s.len, &t) != 0)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                           "must be a date-time with offset");
            return NGX_ERROR;
        }

        if (json_array_size(values) == 0) {
            continue;
        }

        found = 0;

        json_array_foreach(values, k, item) {
            if (json_equal(json_object_get(item, "key"), one)) {
                found = 1;
                break;
            }
        }

        if (!found) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", field,
                           "not one of the values of the service "
                           "definition");
            return NGX_ERROR;
        }
    }

    return NGX_OK;
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
 * Stored, or a retry of what was: GeoReport's answer.  The id at once (no
 * deferred ids here), and the reporter's access token as the "token": it
 * opens the request for its reporter and is what tokens/{token} looks up.
 */

static ngx_int_t
ngx_pa_o311_created(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *id,
    json_t *answer)
{
    ngx_int_t  rc;

    rc = ngx_pa_o311_answer(r, id, json_object_get(answer, "access_token"));

    json_decref(answer);

    return rc;
}


static ngx_int_t
ngx_pa_o311_answer(ngx_http_request_t *r, ngx_str_t *id, json_t *token)
{
    json_t  *body;

    body = json_pack("[{s:s#, s:O, s:s, s:n}]",
                     "service_request_id", id->data, (int) id->len,
                     "token", token ? token : json_null(),
                     "service_notice", NGX_PA_O311_NOTICE,
                     "account_id");

    if (body == NULL) {
        return ngx_pa_open311_fail(r, "created answer");
    }

    ngx_pa_report_location(r, id);

    return ngx_pa_open311_send(r, NGX_HTTP_CREATED, body, "service_requests",
                               NULL);
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
