/*
 * Pre-upload handles: who owns one, where its file is, what its hash in
 * Redis says, and a submission taking the handles it names (the binding
 * itself is submit.lua's, atomic with the report).
 */

#include "ngx_pa_upload_bind.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_json.h"
#include "ngx_pa_redis.h"


#define NGX_PA_UPLOAD_FIELD  "media_handles"


static ngx_int_t ngx_pa_upload_list(ngx_http_request_t *r, json_t *v,
    ngx_array_t *handles);
static ngx_int_t ngx_pa_upload_push(ngx_array_t *handles, u_char *p,
    size_t len);


ngx_uint_t
ngx_pa_upload_handle_ok(ngx_str_t *h)
{
    ngx_uint_t  i;

    if (h->len != NGX_PA_UPLOAD_HANDLE_LEN) {
        return 0;
    }

    for (i = 0; i < h->len; i++) {
        if (!((h->data[i] >= '0' && h->data[i] <= '9')
              || (h->data[i] >= 'a' && h->data[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * Before the body: a file larger than pa_media_max_size (with room for a
 * multipart envelope) is 413 before a byte is read, and a PATCH carries
 * raw bytes, never a form.
 */

ngx_int_t
ngx_pa_upload_early(ngx_http_request_t *r, ngx_pa_err_t *err)
{
    ngx_table_elt_t     *h;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (r->headers_in.content_length_n > pmcf->media_max_size + 65536) {
        ngx_pa_err_set(err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                       "media", "the file is larger than allowed");
        return NGX_ERROR;
    }

    h = r->headers_in.content_type;

    if (r->method == NGX_HTTP_PATCH && h != NULL
        && h->value.len >= sizeof("multipart/") - 1
        && ngx_strncasecmp(h->value.data, (u_char *) "multipart/",
                           sizeof("multipart/") - 1)
           == 0)
    {
        ngx_pa_err_set(err, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                       "unsupported_media", NULL, "a PATCH carries the "
                       "file's bytes as they are "
                       "(application/offset+octet-stream)");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a raw body goes to nginx's temp file whole, the job reads it from there */

void
ngx_pa_upload_prepare(ngx_http_request_t *r)
{
    if (r->request_body_no_buffering) {
        return;                 /* multipart: walked as it comes */
    }

    r->request_body_in_single_buf = 0;
    r->request_body_in_file_only = 1;
}


/*
 * Keyed hashes (pa_pii_key_file): no address or account in clear in
 * Redis.  The owner is the signed-in account when a Bearer token came,
 * else the address (owner == addr: made without a token, see
 * ngx_pa_upload_may_use()); the address alone is what the cap counts.
 */

ngx_int_t
ngx_pa_upload_owner(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *owner, ngx_str_t *addr)
{
    u_char              *p;
    ngx_int_t            rc;
    ngx_str_t           *a;
    ngx_pa_caller_t      caller;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /*
     * NGX_AGAIN: a token not checked yet (this worker has not read the
     * revoked tokens) is no owner, nor the address: the caller says 503
     */

    rc = ngx_pa_auth(r, ctx, &caller);
    if (rc == NGX_ERROR || rc == NGX_AGAIN) {
        return rc;
    }

    a = &r->connection->addr_text;

    p = ngx_pnalloc(r->pool, 2 + ngx_max(a->len, caller.sub.len));
    addr->data = ngx_pnalloc(r->pool, NGX_PA_PII_HASH_LEN + 1);
    owner->data = ngx_pnalloc(r->pool, NGX_PA_PII_HASH_LEN + 1);

    if (p == NULL || addr->data == NULL || owner->data == NULL) {
        return NGX_ERROR;
    }

    p[0] = 'a';
    p[1] = ':';
    ngx_memcpy(p + 2, a->data, a->len);
    ngx_pa_pii_hash(pmcf->pii, p, 2 + a->len, (char *) addr->data);
    addr->len = NGX_PA_PII_HASH_LEN;

    if (rc != NGX_OK || !caller.jwt || caller.sub.len == 0) {
        *owner = *addr;
        return NGX_OK;
    }

    p[0] = 's';
    ngx_memcpy(p + 2, caller.sub.data, caller.sub.len);
    ngx_pa_pii_hash(pmcf->pii, p, 2 + caller.sub.len, (char *) owner->data);
    owner->len = NGX_PA_PII_HASH_LEN;

    return NGX_OK;
}


/*
 * May the caller use the handle whose hash this is?  An account's upload
 * is that account's alone.  One made without a token is its handle's
 * (128 random bits its uploader alone learnt), not its address's: a
 * phone whose connection broke is back with another address (4G after
 * Wi-Fi, a carrier's NAT), and an upload it resumes, or a draft sent once
 * back online, would otherwise have lost its photos.
 */

ngx_uint_t
ngx_pa_upload_may_use(void *hash, ngx_str_t *owner, ngx_str_t *addr)
{
    ngx_str_t  o, a;

    if (ngx_pa_upload_field(hash, "owner", &o) != NGX_OK) {
        return 0;
    }

    if (o.len == owner->len && ngx_strncmp(o.data, owner->data, o.len) == 0)
    {
        return 1;
    }

    /* a caller without a token (its owner is its address) ... */

    if (owner->len != addr->len
        || ngx_strncmp(owner->data, addr->data, owner->len) != 0)
    {
        return 0;
    }

    /* ... and an upload made without one */

    if (ngx_pa_upload_field(hash, "addr", &a) != NGX_OK) {
        return 0;
    }

    return a.len == o.len && ngx_strncmp(a.data, o.data, o.len) == 0;
}


ngx_int_t
ngx_pa_upload_path(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *handle, ngx_str_t *path)
{
    u_char  *p;

    path->data = ngx_pnalloc(pool, pmcf->media_tmp.len + sizeof("/up-")
                                   + handle->len);
    if (path->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(path->data, "%V/up-%V%Z", &pmcf->media_tmp, handle);
    path->len = p - path->data - 1;

    return NGX_OK;
}


ngx_int_t
ngx_pa_upload_field(void *hash, const char *name, ngx_str_t *v)
{
    redisReply  *h = hash;
    size_t       len;
    ngx_uint_t   i;

    len = ngx_strlen(name);

    for (i = 0; i + 1 < h->elements; i += 2) {
        if (h->element[i]->type == REDIS_REPLY_STRING
            && h->element[i]->len == len
            && ngx_strncmp(h->element[i]->str, name, len) == 0
            && h->element[i + 1]->type == REDIS_REPLY_STRING)
        {
            v->data = (u_char *) h->element[i + 1]->str;
            v->len = h->element[i + 1]->len;
            return NGX_OK;
        }
    }

    v->data = (u_char *) "";
    v->len = 0;

    return NGX_DECLINED;
}


/* what ngx_pa_upload_media_args() kept, back as an ngx_pa_media_t */

ngx_pa_media_t *
ngx_pa_upload_media(ngx_http_request_t *r, void *hash)
{
    u_char          *p;
    ngx_str_t        v;
    ngx_pa_media_t  *m;

    m = ngx_pcalloc(r->pool, sizeof(ngx_pa_media_t));
    if (m == NULL) {
        return NULL;
    }

    m->fd = NGX_INVALID_FILE;
    m->closed = 1;

    if (ngx_pa_upload_field(hash, "sha", &v) != NGX_OK
        || v.len != sizeof(m->hex) - 1)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: a complete upload without its digest");
        return NULL;
    }

    ngx_memcpy(m->hex, v.data, v.len);
    m->hex[v.len] = '\0';

    ngx_pa_upload_field(hash, "type", &v);
    m->type.data = ngx_pnalloc(r->pool, v.len + 1);
    if (m->type.data == NULL) {
        return NULL;
    }

    m->type.len = v.len;
    ngx_memcpy(m->type.data, v.data, v.len);
    m->type.data[v.len] = '\0';

    ngx_pa_upload_field(hash, "size", &v);
    m->size = ngx_atoof(v.data, v.len);

    ngx_pa_upload_field(hash, "flags", &v);
    m->flags = (v.len) ? (ngx_uint_t) ngx_atoi(v.data, v.len) : 0;

    ngx_pa_upload_field(hash, "sw", &v);
    v.len = ngx_min(v.len, sizeof(m->meta.software) - 1);
    ngx_memcpy(m->meta.software, v.data, v.len);
    m->meta.software[v.len] = '\0';

    if (ngx_pa_upload_field(hash, "t", &v) == NGX_OK) {
        m->meta.has_time = 1;
        m->meta.taken_at = (time_t) strtoll((char *) v.data, NULL, 10);
        ngx_pa_upload_field(hash, "toff", &v);
        m->meta.time_has_offset = (v.len == 1 && v.data[0] == '1');
    }

    if (ngx_pa_upload_field(hash, "gps", &v) == NGX_OK) {

        /* "<lat> <lng>": the reply's bytes are NUL terminated by hiredis */

        m->meta.lat = strtod((char *) v.data, (char **) &p);
        m->meta.lng = strtod((char *) p, NULL);
        m->meta.has_gps = 1;
    }

    m->meta.has_exif = !(m->flags & NGX_PA_FLAG_NO_EXIF);

    return m;
}


/* the submission's handles: read them all, one call */

ngx_int_t
ngx_pa_upload_take(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_body_t *body, ngx_pa_reply_pt on_reply)
{
    json_t              *v;
    ngx_str_t           *h;
    ngx_uint_t           i;
    ngx_array_t         *handles, *keys, *args;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    v = json_object_get(body->fields, NGX_PA_UPLOAD_FIELD);
    if (v == NULL || json_is_null(v)) {
        return NGX_DECLINED;
    }

    handles = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
    if (handles == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_upload_list(r, v, handles) != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 NGX_PA_UPLOAD_FIELD, "a list of the "
                                 "handles POST /api/v1/media gave, each "
                                 "named once");
    }

    if (handles->nelts == 0) {
        return NGX_DECLINED;
    }

    if (handles->nelts + body->media.nelts > pmcf->media_max_count) {
        return ngx_pa_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                 "too_large", "media",
                                 "too many media files");
    }

    keys = ngx_array_create(r->pool, handles->nelts, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = handles->elts;

    for (i = 0; i < handles->nelts; i++) {
        if (ngx_pa_key(r, keys, "up:%V", &h[i]) == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    /* the handles, for ngx_pa_upload_taken(); nobody else reads the field */

    ctx->data = handles;
    json_object_del(body->fields, NGX_PA_UPLOAD_FIELD);

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_UPLOAD_GET, keys, args,
                       on_reply);
}


ngx_int_t
ngx_pa_upload_taken(ngx_http_request_t *r, void *data, ngx_pa_body_t *body,
    ngx_array_t **keys, ngx_pa_err_t *err)
{
    redisReply  *reply = data;

    ngx_int_t            rc;
    ngx_str_t            v, bound, owner, addr, from, *handle;
    ngx_uint_t           i;
    redisReply          *h;
    ngx_pa_ctx_t        *ctx;
    ngx_array_t         *handles;
    ngx_pa_media_t      *m, **mp;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    handles = ctx->data;
    ctx->data = NULL;
    handle = handles->elts;

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements != handles->nelts)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: upload_get script failed: %*s",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : (size_t) 0,
                      reply->str);
        ngx_pa_err_set(err, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                       NULL, "storage is not available, try again");
        return NGX_ERROR;
    }

    rc = ngx_pa_upload_owner(r, ctx, &owner, &addr);

    if (rc == NGX_AGAIN) {
        ngx_pa_err_set(err, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                       NULL, "the token cannot be checked now, try again");
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        ngx_pa_err_set(err, NGX_HTTP_UNAUTHORIZED, "unauthorized", NULL,
                       "invalid or expired token");
        return NGX_ERROR;
    }

    *keys = ngx_array_create(r->pool, 2 * handles->nelts, sizeof(ngx_str_t));
    if (*keys == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i++) {
        h = reply->element[i];

        /* gone long ago, never made, or another client's: all unknown */

        if (h->type != REDIS_REPLY_ARRAY || h->elements == 0
            || !ngx_pa_upload_may_use(h, &owner, &addr))
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pa: media handle %V unknown to this client",
                          &handle[i]);
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           NGX_PA_UPLOAD_FIELD, "no such media upload: "
                           "upload the photo again");
            return NGX_ERROR;
        }

        ngx_pa_upload_field(h, "report", &bound);

        if (bound.len == 0) {
            ngx_pa_upload_field(h, "expires", &v);

            if (ngx_atoof(v.data, v.len) < ctx->now) {
                ngx_pa_err_set(err, NGX_PA_UPLOAD_UNPROCESSABLE,
                               "media_expired", NGX_PA_UPLOAD_FIELD,
                               "a photo uploaded ahead expired before the "
                               "report was sent: upload it again");
                return NGX_ERROR;
            }

            if (ngx_pa_upload_field(h, "state", &v) != NGX_OK
                || v.len != sizeof("complete") - 1
                || ngx_strncmp(v.data, "complete", v.len) != 0)
            {
                ngx_pa_err_set(err, NGX_HTTP_CONFLICT, "upload_incomplete",
                               NGX_PA_UPLOAD_FIELD, "a photo's upload is "
                               "not finished: finish it, then send");
                return NGX_ERROR;
            }
        }

        m = ngx_pa_upload_media(r, h);
        if (m == NULL) {
            return NGX_ERROR;
        }

        /*
         * Bound already (to this report: a retry; to another: submit.lua
         * says 409): its file entered the store then.  Else the file
         * enters the store under its digest before the script, as a file
         * sent with the report does.
         */

        if (bound.len) {
            m->committed = 1;

        } else if (ngx_pa_upload_path(r->pool, pmcf, &handle[i], &m->tmp)
                   != NGX_OK)
        {
            return NGX_ERROR;
        }

        /* the cap it counts against: its uploader's address */

        ngx_pa_upload_field(h, "addr", &from);

        if (ngx_pa_key(r, *keys, "up:%V", &handle[i]) == NULL
            || ngx_pa_key(r, *keys, "upa:%V", &from) == NULL)
        {
            return NGX_ERROR;
        }

        mp = ngx_array_push(&body->media);
        if (mp == NULL) {
            return NGX_ERROR;
        }

        *mp = m;
    }

    return NGX_OK;
}


/* a JSON array of handles, or a text of them (a form's field) */

static ngx_int_t
ngx_pa_upload_list(ngx_http_request_t *r, json_t *v, ngx_array_t *handles)
{
    u_char      *p, *last, *start;
    size_t       i;
    json_t      *e;

    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)
                || ngx_pa_upload_push(handles, (u_char *) json_string_value(e),
                                      json_string_length(e))
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        return NGX_OK;
    }

    if (!json_is_string(v)) {
        return NGX_ERROR;
    }

    p = (u_char *) json_string_value(v);
    last = p + json_string_length(v);

    /* a form sends a JSON array as text, or handles split by , or space */

    if (p < last && *p == '[') {
        e = json_loadb((char *) p, last - p, 0, NULL);
        if (e == NULL) {
            return NGX_ERROR;
        }

        if (!json_is_array(e)) {
            json_decref(e);
            return NGX_ERROR;
        }

        json_array_foreach(e, i, v) {
            if (!json_is_string(v)
                || ngx_pa_upload_push(handles,
                                      (u_char *) json_string_value(v),
                                      json_string_length(v))
                   != NGX_OK)
            {
                json_decref(e);
                return NGX_ERROR;
            }
        }

        json_decref(e);
        return NGX_OK;
    }

    while (p < last) {
        while (p < last && (*p == ',' || *p == ' ')) {
            p++;
        }

        start = p;

        while (p < last && *p != ',' && *p != ' ') {
            p++;
        }

        if (p > start && ngx_pa_upload_push(handles, start, p - start)
                         != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    (void) r;

    return NGX_OK;
}


/* one handle, well formed and not named before (copied: v may go) */

static ngx_int_t
ngx_pa_upload_push(ngx_array_t *handles, u_char *p, size_t len)
{
    ngx_str_t   s, *h;
    ngx_uint_t  i;

    s.data = p;
    s.len = len;

    if (!ngx_pa_upload_handle_ok(&s) || handles->nelts >= 100) {
        return NGX_ERROR;
    }

    h = handles->elts;

    for (i = 0; i < handles->nelts; i++) {
        if (ngx_strncmp(h[i].data, p, len) == 0) {
            return NGX_ERROR;
        }
    }

    h = ngx_array_push(handles);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->data = ngx_pnalloc(handles->pool, len);
    if (h->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(h->data, p, len);
    h->len = len;

    return NGX_OK;
}
