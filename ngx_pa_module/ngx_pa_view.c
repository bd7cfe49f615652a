/*
 * Report views.
 */

#include "ngx_pa_view.h"
#include "ngx_pa_json.h"
#include "ngx_pa_record.h"


#define NGX_PA_SEE_REPORTER  (1 << NGX_PA_VIEW_REPORTER)
#define NGX_PA_SEE_STAFF     (1 << NGX_PA_VIEW_STAFF)
#define NGX_PA_SEE_PUBLIC    (1 << NGX_PA_VIEW_PUBLIC)
#define NGX_PA_SEE_ALL       (NGX_PA_SEE_REPORTER | NGX_PA_SEE_STAFF         \
                              | NGX_PA_SEE_PUBLIC)
#define NGX_PA_SEE_PRIVATE   (NGX_PA_SEE_REPORTER | NGX_PA_SEE_STAFF)

typedef enum {
    NGX_PA_F_STRING = 0,
    NGX_PA_F_TIME,          /* epoch -> RFC 3339 */
    NGX_PA_F_NUMBER,
    NGX_PA_F_BOOL,          /* "1" / "0" */
    NGX_PA_F_JSON           /* stored encoded by the worker */
} ngx_pa_field_type_e;

typedef struct {
    const char           *name;
    ngx_pa_field_type_e   type;
    ngx_uint_t            see;
} ngx_pa_field_t;


/* every hash field a caller may see; all others stay inside */

static ngx_pa_field_t  ngx_pa_fields[] = {
    { "id",                NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "status",            NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "title",             NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "content",           NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "content_original",  NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "category",          NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "channel",           NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "lat",               NGX_PA_F_NUMBER, NGX_PA_SEE_ALL },
    { "lng",               NGX_PA_F_NUMBER, NGX_PA_SEE_ALL },
    { "position_source",   NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "occurred_at",       NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "created_at",        NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "updated_at",        NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "urgent",            NGX_PA_F_BOOL,   NGX_PA_SEE_ALL },
    { "hidden",            NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "published",         NGX_PA_F_BOOL,   NGX_PA_SEE_ALL },
    { "sensitive",         NGX_PA_F_BOOL,   NGX_PA_SEE_STAFF },
    { "publish_identity",  NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "private_result",    NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "media",             NGX_PA_F_JSON,   NGX_PA_SEE_PRIVATE },
    { NULL, 0, 0 }
};


static json_t *ngx_pa_view_field(ngx_pa_main_conf_t *pmcf, ngx_str_t *v,
    ngx_pa_field_type_e type);
static json_t *ngx_pa_view_deadlines(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_hash_t *h, ngx_uint_t *overdue);


ngx_int_t
ngx_pa_hash_from_reply(ngx_pool_t *pool, redisReply *reply, ngx_pa_hash_t *h)
{
    size_t       i;
    redisReply  *e;

    h->n = 0;
    h->kv = NULL;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
        return NGX_ERROR;
    }

    h->kv = ngx_palloc(pool, (reply->elements + 1) * sizeof(ngx_str_t));
    if (h->kv == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        h->kv[i].len = e->len;
        h->kv[i].data = ngx_pnalloc(pool, e->len + 1);
        if (h->kv[i].data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(h->kv[i].data, e->str, e->len);
        h->kv[i].data[e->len] = '\0';
    }

    h->n = reply->elements / 2;

    return NGX_OK;
}


ngx_str_t *
ngx_pa_hash_get(ngx_pa_hash_t *h, const char *name)
{
    size_t      len;
    ngx_uint_t  i;

    len = ngx_strlen(name);

    for (i = 0; i < h->n; i++) {
        if (h->kv[i * 2].len == len
            && ngx_strncmp(h->kv[i * 2].data, name, len) == 0)
        {
            return &h->kv[i * 2 + 1];
        }
    }

    return NULL;
}


json_t *
ngx_pa_view_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_pa_view_e audience)
{
    json_t              *o, *v, *dls;
    ngx_str_t           *s;
    ngx_uint_t           i, see, overdue;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    see = 1 << audience;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    for (i = 0; ngx_pa_fields[i].name; i++) {
        if (!(ngx_pa_fields[i].see & see)) {
            continue;
        }

        s = ngx_pa_hash_get(h, ngx_pa_fields[i].name);
        if (s == NULL) {
            continue;
        }

        v = ngx_pa_view_field(pmcf, s, ngx_pa_fields[i].type);
        if (v != NULL) {
            json_object_set_new(o, ngx_pa_fields[i].name, v);
        }
    }

    overdue = 0;

    if (audience != NGX_PA_VIEW_PUBLIC) {
        dls = ngx_pa_view_deadlines(r, ctx, h, &overdue);
        if (dls == NULL) {
            json_decref(o);
            return NULL;
        }

        json_object_set_new(o, "deadlines", dls);
    }

    json_object_set_new(o, "overdue", json_boolean(overdue));

    return o;
}


static json_t *
ngx_pa_view_field(ngx_pa_main_conf_t *pmcf, ngx_str_t *v,
    ngx_pa_field_type_e type)
{
    double        d;
    ngx_int_t     n;
    json_error_t  je;

    switch (type) {

    case NGX_PA_F_TIME:
        n = ngx_atotm(v->data, v->len);
        return n == NGX_ERROR ? NULL : ngx_pa_time_json(pmcf, (time_t) n);

    case NGX_PA_F_NUMBER:
        d = strtod((char *) v->data, NULL);     /* NUL terminated copy */
        return json_real(d);

    case NGX_PA_F_BOOL:
        return json_boolean(v->len == 1 && v->data[0] == '1');

    case NGX_PA_F_JSON:
        return json_loadb((char *) v->data, v->len, 0, &je);

    default:
        return json_stringn((char *) v->data, v->len);
    }
}


/*
 * dl:<key> due, dm:<key> "1"/"0" once the step completed (met or not),
 * do:<key> "1" once the sweeper saw it overdue.  <key> is "step" or
 * "step@agency".
 */

static json_t *
ngx_pa_view_deadlines(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_uint_t *overdue)
{
    u_char              *at, name[NGX_PA_KEY_NAME];
    json_t              *a, *o;
    time_t               due;
    ngx_str_t           *k, *v, *met, *late;
    ngx_uint_t           i, is_overdue;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < h->n; i++) {
        k = &h->kv[i * 2];
        v = &h->kv[i * 2 + 1];

        if (k->len <= 3 || k->len >= NGX_PA_KEY_NAME - 1
            || ngx_strncmp(k->data, "dl:", 3) != 0)
        {
            continue;
        }

        due = ngx_atotm(v->data, v->len);
        if (due == NGX_ERROR) {
            continue;
        }

        ngx_memcpy(name, k->data, k->len);
        name[k->len] = '\0';

        name[1] = 'm';
        met = ngx_pa_hash_get(h, (char *) name);
        name[1] = 'o';
        late = ngx_pa_hash_get(h, (char *) name);

        at = ngx_strlchr(k->data + 3, k->data + k->len, '@');

        o = json_object();
        if (o == NULL) {
            json_decref(a);
            return NULL;
        }

        json_object_set_new(o, "step",
                            json_stringn((char *) k->data + 3,
                                         (at ? at : k->data + k->len)
                                         - (k->data + 3)));
        json_object_set_new(o, "due", ngx_pa_time_json(pmcf, due));

        if (at) {
            json_object_set_new(o, "agency",
                                json_stringn((char *) at + 1,
                                             k->data + k->len - at - 1));
        }

        if (met) {
            json_object_set_new(o, "met",
                                json_boolean(met->len && met->data[0] == '1'));
            is_overdue = !(met->len && met->data[0] == '1');

        } else {
            /* open: late now, whether or not the sweeper passed yet */
            is_overdue = ctx->now > due || (late && late->data[0] == '1');
            if (is_overdue) {
                *overdue = 1;
            }
        }

        json_object_set_new(o, "overdue", json_boolean(is_overdue));
        json_array_append_new(a, o);
    }

    return a;
}
