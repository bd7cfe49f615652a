/*
 * Field validators and the stored record.
 */

#include "ngx_pa_record.h"
#include "ngx_pa_json.h"
#include "ngx_pa_pii.h"
#include "ngx_pa_validate.h"


static json_t *ngx_pa_record_get(ngx_pa_record_t *rec, const char *name);
static ngx_int_t ngx_pa_record_scalar(ngx_pa_record_t *rec, const char *name,
    ngx_str_t *out);
static ngx_int_t ngx_pa_record_invalid(ngx_pa_record_t *rec,
    const char *name, const char *message);


ngx_int_t
ngx_pa_record_init(ngx_http_request_t *r, ngx_pa_record_t *rec, json_t *in,
    ngx_pa_err_t *err)
{
    ngx_memzero(rec, sizeof(ngx_pa_record_t));

    rec->request = r;
    rec->conf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    rec->in = in;
    rec->err = err;

    rec->fields = ngx_array_create(r->pool, 48, sizeof(ngx_str_t));
    if (rec->fields == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_record_text(ngx_pa_record_t *rec, const char *name,
    ngx_uint_t required, size_t max_chars, ngx_str_t *out)
{
    size_t   nchars;
    json_t  *v;

    ngx_str_null(out);

    v = ngx_pa_record_get(rec, name);

    if (v == NULL) {
        if (required) {
            ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                           name, "this field is required");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (!json_is_string(v)) {
        return ngx_pa_record_invalid(rec, name, "must be a string");
    }

    out->data = (u_char *) json_string_value(v);
    out->len = json_string_length(v);

    if (ngx_pa_utf8_check(out->data, out->len, &nchars) != 0) {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_utf8", name,
                       "not valid UTF-8 text (or holds control characters)");
        return NGX_ERROR;
    }

    if (ngx_pa_text_blank(out->data, out->len)) {
        if (required) {
            ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                           name, "this field is empty");
            return NGX_ERROR;
        }

        ngx_str_null(out);
        return NGX_OK;
    }

    if (nchars > max_chars) {
        return ngx_pa_record_invalid(rec, name, "is too long");
    }

    return NGX_OK;
}


/* directory ids: "so-xd", "xa-tam-duong", "fire" */

ngx_int_t
ngx_pa_record_ident(ngx_pa_record_t *rec, const char *name,
    ngx_uint_t required, ngx_str_t *out)
{
    u_char      c;
    ngx_uint_t  i;

    if (ngx_pa_record_text(rec, name, required, 64, out) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < out->len; i++) {
        c = out->data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'))
        {
            return ngx_pa_record_invalid(rec, name,
                                         "is not an id of the directory");
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_record_enum(ngx_pa_record_t *rec, const char *name,
    const char **values, const char **out)
{
    ngx_str_t    v;
    ngx_uint_t   i;

    if (ngx_pa_record_text(rec, name, 0, 64, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    if (v.len == 0) {
        return NGX_OK;
    }

    for (i = 0; values[i]; i++) {
        if (ngx_strlen(values[i]) == v.len
            && ngx_strncmp(values[i], v.data, v.len) == 0)
        {
            *out = values[i];
            return NGX_OK;
        }
    }

    return ngx_pa_record_invalid(rec, name, "is not one of the allowed values");
}


ngx_int_t
ngx_pa_record_bool(ngx_pa_record_t *rec, const char *name, ngx_int_t *out)
{
    int      b;
    json_t  *v;

    v = ngx_pa_record_get(rec, name);

    if (v == NULL) {
        return NGX_OK;
    }

    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return NGX_OK;
    }

    if (json_is_string(v)) {
        b = ngx_pa_parse_bool((u_char *) json_string_value(v),
                              json_string_length(v));
        if (b >= 0) {
            *out = b;
            return NGX_OK;
        }
    }

    return ngx_pa_record_invalid(rec, name, "must be true or false");
}


ngx_int_t
ngx_pa_record_time(ngx_pa_record_t *rec, const char *name, time_t *out)
{
    json_t  *v;

    v = ngx_pa_record_get(rec, name);

    if (v == NULL) {
        return NGX_OK;
    }

    if (!json_is_string(v)
        || ngx_pa_rfc3339_parse((u_char *) json_string_value(v),
                                json_string_length(v), out)
           != 0)
    {
        return ngx_pa_record_invalid(rec, name,
                                     "must be an RFC 3339 date-time with "
                                     "offset");
    }

    /*
     * The record keeps seconds since 1970 and reads them back as such: an
     * earlier time was stored, then vanished from every view.
     */

    if (*out <= 0) {
        return ngx_pa_record_invalid(rec, name, "is before 1970");
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_record_position(ngx_pa_record_t *rec, double *lat, double *lng,
    ngx_int_t *found)
{
    ngx_str_t   a, b;
    ngx_int_t   has_lat, has_lng;

    *found = 0;

    has_lat = ngx_pa_record_scalar(rec, "lat", &a);
    if (has_lat == NGX_ERROR) {
        return NGX_ERROR;
    }

    has_lng = ngx_pa_record_scalar(rec, "lng", &b);
    if (has_lng == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (has_lat == NGX_DECLINED && has_lng == NGX_DECLINED) {
        return NGX_OK;
    }

    if (has_lat == NGX_DECLINED || has_lng == NGX_DECLINED) {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       has_lat == NGX_DECLINED ? "lat" : "lng",
                       "lat and lng go together");
        return NGX_ERROR;
    }

    if (ngx_pa_parse_decimal(a.data, a.len, lat) != 0
        || *lat < -90 || *lat > 90)
    {
        return ngx_pa_record_invalid(rec, "lat",
                                     "must be a latitude in degrees");
    }

    if (ngx_pa_parse_decimal(b.data, b.len, lng) != 0
        || *lng < -180 || *lng > 180)
    {
        return ngx_pa_record_invalid(rec, "lng",
                                     "must be a longitude in degrees");
    }

    *found = 1;

    return NGX_OK;
}


void
ngx_pa_record_put(ngx_pa_record_t *rec, const char *name, ngx_str_t *value)
{
    ngx_str_t  *kv;

    kv = ngx_array_push_n(rec->fields, 2);
    if (kv == NULL) {
        rec->failed = 1;
        return;
    }

    kv[0].data = (u_char *) name;
    kv[0].len = ngx_strlen(name);
    kv[1] = *value;
}


void
ngx_pa_record_put_cstr(ngx_pa_record_t *rec, const char *name,
    const char *value)
{
    ngx_str_t  v;

    if (value == NULL) {
        rec->failed = 1;
        return;
    }

    v.data = (u_char *) value;
    v.len = ngx_strlen(value);

    ngx_pa_record_put(rec, name, &v);
}


void
ngx_pa_record_put_int(ngx_pa_record_t *rec, const char *name, int64_t n)
{
    ngx_str_t  v;

    v.data = ngx_pnalloc(rec->request->pool, NGX_INT64_LEN);
    if (v.data == NULL) {
        rec->failed = 1;
        return;
    }

    v.len = ngx_sprintf(v.data, "%L", n) - v.data;

    ngx_pa_record_put(rec, name, &v);
}


void
ngx_pa_record_put_double(ngx_pa_record_t *rec, const char *name, double d)
{
    ngx_str_t  v;

    v.data = ngx_pnalloc(rec->request->pool, 32);
    if (v.data == NULL) {
        rec->failed = 1;
        return;
    }

    /* 7 decimals: about 1 cm, more than any phone's GPS */
    v.len = ngx_pa_fixed_format(d, 7, (char *) v.data, 32);

    ngx_pa_record_put(rec, name, &v);
}


ngx_int_t
ngx_pa_record_put_json(ngx_pa_record_t *rec, const char *name, json_t *value)
{
    ngx_int_t  rc;
    ngx_str_t  v;

    /* json_dumps(value, JSON_COMPACT)'s bytes, written into the pool */

    rc = ngx_pa_json_encode(rec->request->pool, value, 0, 0, 0, &v);
    json_decref(value);

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_record_put(rec, name, &v);

    return NGX_OK;
}


ngx_int_t
ngx_pa_record_seal(ngx_pa_record_t *rec, const char *name, ngx_str_t *plain)
{
    u_char      *clear, *p;
    size_t       size, len;
    ngx_str_t    v, *kv;
    ngx_uint_t   i;
    char         field[16];

    (void) ngx_snprintf((u_char *) field, sizeof(field) - 1, "pii_%s%Z",
                        name);
    field[sizeof(field) - 1] = '\0';

    i = (ngx_uint_t) ngx_pa_pii_part_index(field);
    if (i >= NGX_PA_PII_PARTS) {
        ngx_log_error(NGX_LOG_ALERT, rec->request->connection->log, 0,
                      "pa: no place for \"%s\" in the sealed contact", name);
        return NGX_ERROR;
    }

    rec->pii[i] = *plain;

    /* one value for the whole contact: one nonce and one tag, not three */

    len = rec->pii[0].len + rec->pii[1].len + rec->pii[2].len + 2;
    size = ngx_pa_pii_sealed_size(len);

    clear = ngx_pnalloc(rec->request->pool, len);
    v.data = ngx_pnalloc(rec->request->pool, size);

    if (clear == NULL || v.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(clear, rec->pii[0].data, rec->pii[0].len);
    *p++ = '\n';
    p = ngx_cpymem(p, rec->pii[1].data, rec->pii[1].len);
    *p++ = '\n';
    (void) ngx_cpymem(p, rec->pii[2].data, rec->pii[2].len);

    v.len = ngx_pa_pii_seal_cr(rec->conf->worker.crypto, rec->conf->pii,
                               clear, len, v.data, size);

    ngx_explicit_memzero(clear, len);

    if (v.len == 0) {
        ngx_log_error(NGX_LOG_ERR, rec->request->connection->log, 0,
                      "pa: cannot seal personal data");
        return NGX_ERROR;
    }

    if (rec->pii_slot) {
        kv = rec->fields->elts;
        kv[rec->pii_slot - 1] = v;
        return NGX_OK;
    }

    ngx_pa_record_put(rec, "pii", &v);

    if (!rec->failed) {
        rec->pii_slot = rec->fields->nelts;
    }

    return NGX_OK;
}


char *
ngx_pa_record_strdup(ngx_pa_record_t *rec, const char *s)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(s) + 1;

    p = ngx_pnalloc(rec->request->pool, len);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len);

    return (char *) p;
}


ngx_int_t
ngx_pa_record_deadline(ngx_pa_record_t *rec, const char *step,
    ngx_str_t *agency, time_t due, json_t *dls)
{
    u_char  *key, *p;
    json_t  *o, *v;
    size_t   len;

    len = sizeof("dl:@") + ngx_strlen(step) + (agency ? agency->len : 0);

    key = ngx_pnalloc(rec->request->pool, len);
    if (key == NULL) {
        return NGX_ERROR;
    }

    if (agency && agency->len) {
        p = ngx_sprintf(key, "dl:%s@%V%Z", step, agency);

    } else {
        p = ngx_sprintf(key, "dl:%s%Z", step);
    }

    ngx_pa_record_put_int(rec, (char *) key, due);

    if (dls == NULL) {
        return NGX_OK;
    }

    /* {"step":..., "due":...}, without json_pack()'s format parsing */

    v = ngx_pa_record_time_json(rec, due);
    o = json_object();

    if (o == NULL || v == NULL
        || json_object_set_new(o, "step", json_string(step)) != 0)
    {
        json_decref(o);
        json_decref(v);
        return NGX_ERROR;
    }

    if (json_object_set_new(o, "due", v) != 0) {
        json_decref(o);
        return NGX_ERROR;
    }

    if (agency && agency->len) {
        json_object_set_new(o, "agency",
                            ngx_pa_json_strn(agency->data, agency->len));
    }

    json_array_append_new(dls, o);

    (void) p;

    return NGX_OK;
}


json_t *
ngx_pa_time_json(ngx_pa_main_conf_t *pmcf, time_t t)
{
    size_t  len;
    char    buf[NGX_PA_TIME_LEN];

    len = ngx_pa_rfc3339_format(t, (int) pmcf->utc_offset, 0, buf);

    return json_stringn(buf, len);
}


json_t *
ngx_pa_record_time_json(ngx_pa_record_t *rec, time_t t)
{
    return ngx_pa_time_json(rec->conf, t);
}


json_t *
ngx_pa_record_media_json(ngx_http_request_t *r, ngx_pa_media_t *m)
{
    time_t               taken;
    json_t              *o, *flags;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    flags = json_array();
    if (flags == NULL) {
        return NULL;
    }

    if (m->flags & NGX_PA_FLAG_EDITED_SOFTWARE) {
        json_array_append_new(flags, json_string("edited_software"));
    }

    if (m->flags & NGX_PA_FLAG_NO_EXIF) {
        json_array_append_new(flags, json_string("no_exif"));
    }

    if (m->flags & NGX_PA_FLAG_NO_TIME) {
        json_array_append_new(flags, json_string("no_time"));
    }

    if (m->flags & NGX_PA_FLAG_TIME_MISMATCH) {
        json_array_append_new(flags, json_string("time_mismatch"));
    }

    o = json_pack("{s:s, s:s#, s:I, s:o}", "id", (char *) m->hex,
                  "type", (char *) m->type.data, (int) m->type.len,
                  "size", (json_int_t) m->size, "flags", flags);
    if (o == NULL) {
        return NULL;
    }

    if (m->meta.has_time) {

        /* without an offset the camera's clock is the province's */

        taken = m->meta.taken_at;
        if (!m->meta.time_has_offset) {
            taken -= pmcf->utc_offset;
        }

        json_object_set_new(o, "taken_at", ngx_pa_time_json(pmcf, taken));
    }

    if (m->meta.has_gps) {
        json_object_set_new(o, "gps", json_pack("{s:f, s:f}",
                                                "lat", m->meta.lat,
                                                "lng", m->meta.lng));
    }

    if (m->meta.software[0]) {
        json_object_set_new(o, "software", json_string(m->meta.software));
    }

    return o;
}


ngx_int_t
ngx_pa_record_history(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *args, const char *role, const char *actor,
    const char *action, const char *from, const char *to, ngx_str_t *note)
{
    char                *dump;
    json_t              *o;
    ngx_str_t           *a;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    o = json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:o}",
                  "at", ngx_pa_time_json(pmcf, ctx->now),
                  "role", role, "actor", actor, "action", action,
                  "from", from ? json_string(from) : json_null(),
                  "to", to ? json_string(to) : json_null(),
                  "note", (note && note->len)
                          ? ngx_pa_json_strn(note->data, note->len)
                          : json_null());
    if (o == NULL) {
        return NGX_ERROR;
    }

    dump = json_dumps(o, JSON_COMPACT);
    json_decref(o);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    a = ngx_array_push(args);
    if (a == NULL) {
        free(dump);
        return NGX_ERROR;
    }

    a->len = ngx_strlen(dump);
    a->data = ngx_pnalloc(r->pool, a->len);

    if (a->data == NULL) {
        free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(a->data, dump, a->len);
    free(dump);

    return NGX_OK;
}


ngx_int_t
ngx_pa_record_due_args(ngx_http_request_t *r, ngx_array_t *fields,
    ngx_str_t *id, ngx_array_t *args)
{
    u_char      *p;
    ngx_str_t   *kv, *count, *a;
    ngx_uint_t   i, n;

    count = ngx_array_push(args);
    if (count == NULL) {
        return NGX_ERROR;
    }

    kv = fields->elts;
    n = 0;

    for (i = 0; i + 1 < fields->nelts; i += 2) {
        if (kv[i].len <= 3 || ngx_strncmp(kv[i].data, "dl:", 3) != 0) {
            continue;
        }

        /* the due index member: "<id>|<step>[@agency]" */

        a = ngx_array_push_n(args, 2);
        if (a == NULL) {
            return NGX_ERROR;
        }

        a[0].len = id->len + 1 + kv[i].len - 3;
        a[0].data = ngx_pnalloc(r->pool, a[0].len);
        if (a[0].data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(a[0].data, id->data, id->len);
        *p++ = '|';
        ngx_memcpy(p, kv[i].data + 3, kv[i].len - 3);

        a[1] = kv[i + 1];
        n++;
    }

    count->data = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (count->data == NULL) {
        return NGX_ERROR;
    }

    count->len = ngx_sprintf(count->data, "%ui", n) - count->data;

    return NGX_OK;
}


static json_t *
ngx_pa_record_get(ngx_pa_record_t *rec, const char *name)
{
    json_t  *v;

    v = json_object_get(rec->in, name);

    if (v == NULL || json_is_null(v)) {
        return NULL;
    }

    return v;
}


/* a string or a number, as text; NGX_DECLINED when absent */

static ngx_int_t
ngx_pa_record_scalar(ngx_pa_record_t *rec, const char *name, ngx_str_t *out)
{
    int      n;
    json_t  *v;

    v = ngx_pa_record_get(rec, name);

    if (v == NULL) {
        return NGX_DECLINED;
    }

    if (json_is_string(v)) {
        out->data = (u_char *) json_string_value(v);
        out->len = json_string_length(v);
        return out->len ? NGX_OK : NGX_DECLINED;
    }

    if (json_is_number(v)) {
        out->data = ngx_pnalloc(rec->request->pool, 40);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        n = ngx_pa_fixed_format(json_number_value(v), 10, (char *) out->data,
                                40);
        if (n <= 0 || n >= 40) {
            return ngx_pa_record_invalid(rec, name, "is out of range");
        }

        out->len = n;
        return NGX_OK;
    }

    return ngx_pa_record_invalid(rec, name, "must be a number");
}


static ngx_int_t
ngx_pa_record_invalid(ngx_pa_record_t *rec, const char *name,
    const char *message)
{
    ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                   message);
    return NGX_ERROR;
}
