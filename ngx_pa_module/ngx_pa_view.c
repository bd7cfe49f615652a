/*
 * Report views: one table says which hash field each audience sees and
 * how it is shown; a few fields are built (deadlines, result with its
 * rendered template, media urls, the reporter's messages).
 */

#include "ngx_pa_directory.h"
#include "ngx_pa_closed.h"
#include "ngx_pa_default.h"
#include "ngx_pa_doc.h"
#include "ngx_pa_json.h"
#include "ngx_pa_media.h"
#include "ngx_pa_record.h"
#include "ngx_pa_thumb.h"
#include "ngx_pa_view.h"

#include <openssl/crypto.h>


#define NGX_PA_SEE_REPORTER  (1 << NGX_PA_VIEW_REPORTER)
#define NGX_PA_SEE_STAFF     (1 << NGX_PA_VIEW_STAFF)
#define NGX_PA_SEE_PUBLIC    (1 << NGX_PA_VIEW_PUBLIC)
#define NGX_PA_SEE_ALL       (NGX_PA_SEE_REPORTER | NGX_PA_SEE_STAFF         \
                              | NGX_PA_SEE_PUBLIC)
#define NGX_PA_SEE_PRIVATE   (NGX_PA_SEE_REPORTER | NGX_PA_SEE_STAFF)

#define NGX_PA_PII_MAX       1024      /* longest sealed value we open */
#define NGX_PA_SHA256_HEX    64

typedef enum {
    NGX_PA_F_STRING = 0,
    NGX_PA_F_TIME,          /* epoch -> RFC 3339 */
    NGX_PA_F_NUMBER,
    NGX_PA_F_BOOL,          /* "1" / "0" */
    NGX_PA_F_JSON,          /* stored encoded by the worker */
    NGX_PA_F_LIST,          /* ",a,b," -> ["a", "b"] */
    NGX_PA_F_MEDIA,         /* JSON media list, urls for the public */
    NGX_PA_F_RESULT,        /* the agency's result, rendered */
    NGX_PA_F_COMMENTS       /* JSON, epochs -> RFC 3339 */
} ngx_pa_field_type_e;

typedef struct {
    const char           *name;
    ngx_pa_field_type_e   type;
    ngx_uint_t            see;
} ngx_pa_field_t;


/*
 * Every hash field a caller may see; all others stay inside (pii_*,
 * phone_hash, token_hash, dl:/dm:/dd:/do:/dx: are never listed).
 */

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
    { "address",           NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "media_url",         NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "position_source",   NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "address_id",        NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "attributes",        NGX_PA_F_JSON,   NGX_PA_SEE_PRIVATE },
    { "o311_client",       NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "occurred_at",       NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "created_at",        NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "updated_at",        NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "urgent",            NGX_PA_F_BOOL,   NGX_PA_SEE_ALL },
    { "hidden",            NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "published",         NGX_PA_F_BOOL,   NGX_PA_SEE_ALL },
    { "sensitive",         NGX_PA_F_BOOL,   NGX_PA_SEE_STAFF },
    { "secret",            NGX_PA_F_BOOL,   NGX_PA_SEE_STAFF },
    { "publish_identity",  NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "private_result",    NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "share_identity",    NGX_PA_F_BOOL,   NGX_PA_SEE_PRIVATE },
    { "media",             NGX_PA_F_MEDIA,  NGX_PA_SEE_ALL },
    { "agencies",          NGX_PA_F_LIST,   NGX_PA_SEE_PRIVATE },
    { "lead",              NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "dispatched_at",     NGX_PA_F_TIME,   NGX_PA_SEE_PRIVATE },
    { "auto_agency",       NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "coordinator",       NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "suggested_agencies", NGX_PA_F_LIST,  NGX_PA_SEE_STAFF },
    { "returned_by",       NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "return_kind",       NGX_PA_F_STRING, NGX_PA_SEE_STAFF },
    { "monitoring_agency", NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "confirmed",         NGX_PA_F_BOOL,   NGX_PA_SEE_STAFF },
    { "reject_reason",     NGX_PA_F_STRING, NGX_PA_SEE_PRIVATE },
    { "result",            NGX_PA_F_RESULT, NGX_PA_SEE_ALL },
    { "resolved_at",       NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "published_at",      NGX_PA_F_TIME,   NGX_PA_SEE_ALL },
    { "rating",            NGX_PA_F_STRING, NGX_PA_SEE_ALL },
    { "rated_at",          NGX_PA_F_TIME,   NGX_PA_SEE_PRIVATE },
    { "comments",          NGX_PA_F_COMMENTS, NGX_PA_SEE_PRIVATE },
    { NULL, 0, 0 }
};


/* the ratings' names on the regulations' form */

static struct {
    const char  *rating;
    const char  *label;
} ngx_pa_ratings[] = {
    { "satisfied",   "Hài lòng" },
    { "acceptable",  "Chấp nhận được" },
    { "unsatisfied", "Không hài lòng" },
    { NULL, NULL }
};


/* history actions that speak to the reporter */

static const char  *ngx_pa_reporter_actions[] = {
    "request_info", "reject", "return", "publish", "reply", "notify",
    "cancel", "review_return", NULL
};


static json_t *ngx_pa_view_field(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_str_t *v, ngx_pa_field_type_e type, ngx_pa_view_e audience);
static json_t *ngx_pa_view_list(ngx_str_t *v);
static json_t *ngx_pa_view_comments(ngx_http_request_t *r, ngx_str_t *v);
static json_t *ngx_pa_view_media(ngx_http_request_t *r, ngx_pa_hash_t *h,
    json_t *media,
    ngx_pa_view_e audience);
static json_t *ngx_pa_view_result(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_str_t *v, ngx_pa_view_e audience);
static json_t *ngx_pa_view_render(ngx_http_request_t *r, json_t *agency,
    json_t *salutation, json_t *summary, ngx_str_t *name);
static json_t *ngx_pa_view_deadlines(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_hash_t *h, ngx_uint_t *overdue);
static json_t *ngx_pa_view_deadline(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_hash_t *h, ngx_str_t *k, time_t due,
    ngx_uint_t *overdue);
static int ngx_libc_cdecl ngx_pa_view_dl_cmp(const void *one,
    const void *two);
static ngx_uint_t ngx_pa_view_speaks(json_t *entry);
static ngx_uint_t ngx_pa_view_is(json_t *v, const char *s);


typedef struct {
    time_t       due;
    ngx_str_t    key;
    json_t      *o;
} ngx_pa_view_dl_t;


ngx_int_t
ngx_pa_hash_from_reply(ngx_pool_t *pool, redisReply *reply, ngx_pa_hash_t *h)
{
    ngx_pa_list_t  l;

    h->n = 0;
    h->kv = NULL;
    h->lean = 0;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
        return NGX_ERROR;
    }

    if (ngx_pa_list_from_reply(pool, reply, &l) != NGX_OK) {
        return NGX_ERROR;
    }

    h->kv = l.items;
    h->n = l.n / 2;

    if (ngx_pa_closed_unfold(pool, &h->kv, &h->n, pool->log) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_doc_unfold(pool, &h->kv, &h->n, &h->lean, pool->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_pa_default_unfold(pool, &h->kv, &h->n);
}


/*
 * an HMGET reply of the fields "names" lists (nil: no such field), as a
 * hash: public.lua's pages
 */

ngx_int_t
ngx_pa_hash_from_values(ngx_pool_t *pool, redisReply *names,
    redisReply *values, ngx_pa_hash_t *h)
{
    size_t       i;
    ngx_str_t   *kv;
    redisReply  *k, *v;

    h->n = 0;
    h->lean = 0;

    if (values->type != REDIS_REPLY_ARRAY
        || values->elements != names->elements)
    {
        return NGX_ERROR;
    }

    h->kv = ngx_palloc(pool, (2 * values->elements + 1) * sizeof(ngx_str_t));
    if (h->kv == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < values->elements; i++) {
        k = names->element[i];
        v = values->element[i];

        if (v->type == REDIS_REPLY_NIL) {
            continue;
        }

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        kv = &h->kv[2 * h->n];

        /* NUL terminated, as ngx_pa_list_from_reply(): strtod() reads them */

        kv[0].data = ngx_pnalloc(pool, k->len + v->len + 2);
        if (kv[0].data == NULL) {
            return NGX_ERROR;
        }

        kv[0].len = k->len;
        ngx_memcpy(kv[0].data, k->str, k->len);
        kv[0].data[k->len] = '\0';

        kv[1].len = v->len;
        kv[1].data = kv[0].data + k->len + 1;
        ngx_memcpy(kv[1].data, v->str, v->len);
        kv[1].data[v->len] = '\0';

        h->n++;
    }

    if (ngx_pa_closed_unfold(pool, &h->kv, &h->n, pool->log) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_doc_unfold(pool, &h->kv, &h->n, &h->lean, pool->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_pa_default_unfold(pool, &h->kv, &h->n);
}


ngx_int_t
ngx_pa_list_from_reply(ngx_pool_t *pool, redisReply *reply, ngx_pa_list_t *l)
{
    size_t       i;
    redisReply  *e;

    l->n = 0;

    if (reply->type != REDIS_REPLY_ARRAY) {
        return NGX_ERROR;
    }

    l->items = ngx_palloc(pool, (reply->elements + 1) * sizeof(ngx_str_t));
    if (l->items == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_STRING) {
            return NGX_ERROR;
        }

        /* NUL terminated: numbers are read with strtod() */

        l->items[i].len = e->len;
        l->items[i].data = ngx_pnalloc(pool, e->len + 1);
        if (l->items[i].data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(l->items[i].data, e->str, e->len);
        l->items[i].data[e->len] = '\0';
    }

    l->n = reply->elements;

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


ngx_int_t
ngx_pa_view_history_first(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_pa_hash_t *h, ngx_pa_list_t *history, ngx_uint_t cap)
{
    ngx_int_t   rc;
    ngx_str_t  *items, first;

    if (!h->lean || history->n >= cap) {
        return NGX_OK;
    }

    rc = ngx_pa_doc_first_entry(pool, pmcf, ngx_pa_hash_get(h, "created_at"),
                                ngx_pa_hash_get(h, "submit_note"), &first);
    if (rc == NGX_DECLINED) {
        /* no created_at: not a report (an empty hash) */
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    items = ngx_palloc(pool, (history->n + 2) * sizeof(ngx_str_t));
    if (items == NULL) {
        return NGX_ERROR;
    }

    items[0] = first;

    if (history->n) {
        ngx_memcpy(&items[1], history->items, history->n * sizeof(ngx_str_t));
    }

    history->items = items;
    history->n++;

    return NGX_OK;
}


ngx_uint_t
ngx_pa_hash_flag(ngx_pa_hash_t *h, const char *name)
{
    ngx_str_t  *v;

    v = ngx_pa_hash_get(h, name);

    return v != NULL && v->len == 1 && v->data[0] == '1';
}


/* ",a,b,": is the agency between two commas? */

static ngx_uint_t
ngx_pa_view_listed(ngx_str_t *list, ngx_str_t *agency)
{
    u_char  *p;

    if (list == NULL || agency->len == 0 || list->len < agency->len + 2) {
        return 0;
    }

    for (p = list->data; p + agency->len + 2 <= list->data + list->len; p++)
    {
        if (p[0] == ','
            && p[agency->len + 1] == ','
            && ngx_strncmp(p + 1, agency->data, agency->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* does a field of agency ids (",a,b," or one id) name one of the subtree? */

static ngx_uint_t
ngx_pa_view_in_subtree(ngx_pa_caller_t *caller, ngx_str_t *v)
{
    u_char     *p, *last, *comma;
    ngx_str_t   id;

    if (v == NULL) {
        return 0;
    }

    p = v->data;
    last = v->data + v->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        id.data = p;
        id.len = comma - p;
        p = comma + 1;

        if (id.len
            && ngx_pa_directory_within(caller->conf, &id, &caller->agency))
        {
            return 1;
        }
    }

    return 0;
}


ngx_uint_t
ngx_pa_view_visible(ngx_pa_caller_t *caller, ngx_pa_hash_t *h)
{
    u_char      hex[NGX_PA_SHA256_HEX + 1];
    ngx_str_t  *v;

    if (h->n == 0) {
        return 0;
    }

    switch (caller->role) {

    case NGX_PA_ROLE_SUPERVISOR:

        if (!caller->subtree) {
            return 1;
        }

        /*
         * what an agency of the subtree holds, coordinates, monitors or
         * handled before (a report it returned)
         */

        return ngx_pa_view_in_subtree(caller, ngx_pa_hash_get(h, "agencies"))
               || ngx_pa_view_in_subtree(caller,
                                         ngx_pa_hash_get(h, "coordinator"))
               || ngx_pa_view_in_subtree(caller,
                                         ngx_pa_hash_get(h,
                                                        "monitoring_agency"))
               || ngx_pa_view_in_subtree(caller,
                                         ngx_pa_hash_get(h,
                                                        "former_agencies"));

    case NGX_PA_ROLE_IOC:
    case NGX_PA_ROLE_ADMIN:
        return 1;

    case NGX_PA_ROLE_HANDLER:
    case NGX_PA_ROLE_LEADER:
    case NGX_PA_ROLE_COORDINATOR:

        if (caller->agency.len == 0) {
            return 0;
        }

        v = ngx_pa_hash_get(h, "coordinator");

        if (v != NULL && v->len == caller->agency.len
            && ngx_strncmp(v->data, caller->agency.data, v->len) == 0)
        {
            return 1;
        }

        return ngx_pa_view_listed(ngx_pa_hash_get(h, "agencies"),
                                  &caller->agency);

    case NGX_PA_ROLE_REPORTER:

        v = ngx_pa_hash_get(h, "token_hash");

        if (caller->token.len == 0 || v == NULL) {
            return 0;
        }

        ngx_pa_auth_token_hash(&caller->token, hex);

        return ngx_pa_auth_token_hash_eq(hex, v->data, v->len);

    default:
        return 0;
    }
}


ngx_uint_t
ngx_pa_view_former(ngx_pa_caller_t *caller, ngx_pa_hash_t *h)
{
    if (h->n == 0 || !ngx_pa_role_agency_bound(caller->role)) {
        return 0;
    }

    return ngx_pa_view_listed(ngx_pa_hash_get(h, "former_agencies"),
                              &caller->agency);
}


/*
 * Where a report is now, in a word a former agency understands: "ioc"
 * (to receive, dispatch or review), "reporter" (asked for information),
 * "agency" (dispatched again: "agencies" says to whom), "superior"
 * (escalated) or "closed".
 */

static const char *
ngx_pa_view_where(ngx_str_t *status)
{
    ngx_uint_t  i;

    static const char  *where[] = {
        "submitted", "ioc", "verified", "ioc", "received", "ioc",
        "coordinating", "ioc", "under_review", "ioc",
        "needs_info", "reporter",
        "dispatched", "agency", "in_progress", "agency",
        "awaiting_approval", "agency",
        "escalated", "superior",
        NULL
    };

    for (i = 0; status != NULL && where[i]; i += 2) {
        if (ngx_strlen(where[i]) == status->len
            && ngx_strncmp(where[i], status->data, status->len) == 0)
        {
            return where[i + 1];
        }
    }

    return "closed";
}


json_t *
ngx_pa_view_former_report(ngx_http_request_t *r, ngx_pa_caller_t *caller,
    ngx_pa_hash_t *h, ngx_pa_list_t *history)
{
    json_t              *o, *returns, *e, *v;
    ngx_str_t           *s, *id;
    ngx_int_t            t;
    ngx_uint_t           i;
    const char          *where;
    json_error_t         je;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    returns = json_array();
    if (returns == NULL) {
        return NULL;
    }

    /* the agency's own returns: its message and kind, nobody else's */

    for (i = 0; i < history->n; i++) {
        e = json_loadb((char *) history->items[i].data,
                       history->items[i].len, 0, &je);

        if (!json_is_object(e)) {
            if (e) {
                json_decref(e);
            }

            continue;
        }

        v = json_object_get(e, "agency");

        if (json_is_string(v)
            && ngx_strcmp(json_string_value(json_object_get(e, "action")),
                          "return") == 0
            && json_string_length(v) == caller->agency.len
            && ngx_strncmp(json_string_value(v), caller->agency.data,
                           caller->agency.len) == 0)
        {
            json_array_append_new(returns,
                json_pack("{s:O?, s:O?, s:O?}",
                          "at", json_object_get(e, "at"),
                          "kind", json_object_get(e, "return_kind"),
                          "message", json_object_get(e, "note")));
        }

        json_decref(e);
    }

    id = ngx_pa_hash_get(h, "id");
    s = ngx_pa_hash_get(h, "status");
    where = ngx_pa_view_where(s);

    if (id == NULL) {
        json_decref(returns);
        return NULL;
    }

    o = json_pack("{s:o, s:o, s:b, s:s, s:o}",
                  "id", ngx_pa_json_strn(id->data, id->len),
                  "status", s ? ngx_pa_json_strn(s->data, s->len)
                              : json_null(),
                  "former_agency", 1,
                  "with", where,
                  "returns", returns);
    if (o == NULL) {
        return NULL;
    }

    if (ngx_strcmp(where, "agency") == 0) {
        s = ngx_pa_hash_get(h, "agencies");
        json_object_set_new(o, "agencies", s ? ngx_pa_view_list(s)
                                             : json_array());
    }

    s = ngx_pa_hash_get(h, "updated_at");
    t = s ? ngx_atotm(s->data, s->len) : NGX_ERROR;

    if (t != NGX_ERROR) {
        json_object_set_new(o, "updated_at",
                            ngx_pa_time_json(pmcf, (time_t) t));
    }

    return o;
}


json_t *
ngx_pa_view_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_pa_view_e audience)
{
    json_t     *o, *v, *dls;
    ngx_str_t  *s, name;
    ngx_uint_t  i, k, see, overdue;

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

        v = ngx_pa_view_field(r, h, s, ngx_pa_fields[i].type, audience);
        if (v != NULL) {
            json_object_set_new(o, ngx_pa_fields[i].name, v);
        }
    }

    s = ngx_pa_hash_get(h, "rating");

    if (s != NULL) {
        for (k = 0; ngx_pa_ratings[k].rating; k++) {
            if (s->len == ngx_strlen(ngx_pa_ratings[k].rating)
                && ngx_strncmp(s->data, ngx_pa_ratings[k].rating, s->len)
                   == 0)
            {
                json_object_set_new(o, "rating_label",
                                    json_string(ngx_pa_ratings[k].label));
            }
        }
    }

    if (audience == NGX_PA_VIEW_PUBLIC) {

        /* the name only where the reporter allowed it */

        if (ngx_pa_hash_flag(h, "publish_identity")
            && ngx_pa_view_pii(r, h, "pii_name", &name) == NGX_OK)
        {
            json_object_set_new(o, "reporter_name",
                                ngx_pa_json_strn(name.data, name.len));
        }

        return o;
    }

    overdue = 0;

    dls = ngx_pa_view_deadlines(r, ctx, h, &overdue);
    if (dls == NULL) {
        json_decref(o);
        return NULL;
    }

    json_object_set_new(o, "deadlines", dls);
    json_object_set_new(o, "overdue", json_boolean(overdue));

    return o;
}


static json_t *
ngx_pa_view_field(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *v,
    ngx_pa_field_type_e type, ngx_pa_view_e audience)
{
    double               d;
    json_t              *j, *m;
    ngx_int_t            n;
    json_error_t         je;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    switch (type) {

    case NGX_PA_F_TIME:
        n = ngx_atotm(v->data, v->len);
        return n == NGX_ERROR ? NULL : ngx_pa_time_json(pmcf, (time_t) n);

    case NGX_PA_F_NUMBER:
        d = strtod((char *) v->data, NULL);     /* NUL terminated copy */
        return json_real(d);

    case NGX_PA_F_BOOL:
        return json_boolean(v->len == 1 && v->data[0] == '1');

    case NGX_PA_F_LIST:
        return ngx_pa_view_list(v);

    case NGX_PA_F_JSON:
        return json_loadb((char *) v->data, v->len, 0, &je);

    case NGX_PA_F_MEDIA:
        j = json_loadb((char *) v->data, v->len, 0, &je);
        if (j == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: stored media list is not JSON: %s", je.text);
            return NULL;
        }

        m = ngx_pa_view_media(r, h, j, audience);
        json_decref(j);
        return m;

    case NGX_PA_F_RESULT:
        return ngx_pa_view_result(r, h, v, audience);

    case NGX_PA_F_COMMENTS:
        return ngx_pa_view_comments(r, v);

    default:
        return json_stringn((char *) v->data, v->len);
    }
}


static json_t *
ngx_pa_view_list(ngx_str_t *v)
{
    u_char  *p, *last, *comma;
    json_t  *a;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    p = v->data;
    last = v->data + v->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        if (comma > p) {
            json_array_append_new(a, json_stringn((char *) p, comma - p));
        }

        p = comma + 1;
    }

    return a;
}


/* [{id, text, at, reply?, reply_at?, agency?, flagged?}], times shown */

static json_t *
ngx_pa_view_comments(ngx_http_request_t *r, ngx_str_t *v)
{
    json_t              *a, *c, *t;
    size_t               i;
    ngx_uint_t           k;
    json_error_t         je;
    ngx_pa_main_conf_t  *pmcf;

    static const char   *times[] = { "at", "reply_at", NULL };

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    a = json_loadb((char *) v->data, v->len, 0, &je);

    /* Lua's cjson writes an empty list as {} */

    if (a == NULL || !json_is_array(a)) {
        if (a == NULL || json_object_size(a) != 0) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: stored comments are not a JSON list");
        }

        if (a) {
            json_decref(a);
        }

        return json_array();
    }

    json_array_foreach(a, i, c) {
        /* the client's Idempotency-Key stays inside (ngx_pa_comment.c) */
        json_object_del(c, "key");

        for (k = 0; times[k]; k++) {
            t = json_object_get(c, times[k]);

            if (json_is_number(t)) {
                json_object_set_new(c, times[k],
                                    ngx_pa_time_json(pmcf,
                                        (time_t) json_number_value(t)));
            }
        }
    }

    return a;
}


/*
 * Staff and the reporter get the stored items ({id, type, size, flags,
 * taken_at, gps ...}); the public {id, type, url} of the copy without
 * metadata.
 */

static json_t *
ngx_pa_view_media(ngx_http_request_t *r, ngx_pa_hash_t *h, json_t *media,
    ngx_pa_view_e audience)
{
    json_t     *a, *item, *o;
    size_t      i;
    ngx_str_t  *id;

    if (!json_is_array(media)) {
        return json_array();
    }

    if (audience != NGX_PA_VIEW_PUBLIC) {
        return json_incref(media);
    }

    id = ngx_pa_hash_get(h, "id");
    if (id == NULL) {
        return json_array();
    }

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    /* only what has a copy without metadata: photos, not video or audio */

    json_array_foreach(media, i, item) {
        o = ngx_pa_view_media_url(r, id, item);
        if (o != NULL) {
            json_array_append_new(a, o);
        }
    }

    return a;
}


json_t *
ngx_pa_view_media_url(ngx_http_request_t *r, ngx_str_t *report_id,
    json_t *item)
{
    size_t      n;
    json_t     *id, *type;
    ngx_str_t   sha, t, url;

    id = json_object_get(item, "id");
    type = json_object_get(item, "type");

    if (!json_is_string(id) || !json_is_string(type)) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "pa: a stored media item has no id or type");
        return NULL;
    }

    sha.data = (u_char *) json_string_value(id);
    sha.len = json_string_length(id);
    t.data = (u_char *) json_string_value(type);
    t.len = json_string_length(type);

    /* "/media/<report id>/<sha256>.jpg": made by ngx_pa_public_media.c */

    if (ngx_pa_public_media_url(r->pool, report_id, &sha, &t, &url)
        != NGX_OK)
    {
        return NULL;
    }

    /* its thumbnail beside it: ".../<sha>.thumb.jpg" (ngx_pa_thumb.c) */

    n = url.len;
    while (n && url.data[n - 1] != '.') {
        n--;
    }

    return json_pack("{s:O, s:O, s:s#, s:s#+}", "id", id, "type", type,
                     "url", url.data, (int) url.len,
                     "thumb_url", url.data, (int) (n ? n - 1 : url.len),
                     NGX_PA_THUMB_SUFFIX);
}


/*
 * result {agency, salutation, summary, media, at, approved_by?} with the
 * agency's directory name and the template of the regulations rendered.
 * The reporter's name goes into it only in the public view and only when
 * the reporter allowed it (publish_identity): staff and reporter views
 * never carry personal data.
 */

static json_t *
ngx_pa_view_result(ngx_http_request_t *r, ngx_pa_hash_t *h, ngx_str_t *v,
    ngx_pa_view_e audience)
{
    json_t              *stored, *o, *agency, *media, *name_j, *rendered;
    ngx_str_t            id, name, *who;
    json_error_t         je;
    ngx_pa_agency_t     *ag;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    stored = json_loadb((char *) v->data, v->len, 0, &je);

    if (!json_is_object(stored)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: stored result is not a JSON object");
        if (stored) {
            json_decref(stored);
        }

        return NULL;
    }

    o = json_deep_copy(stored);
    if (o == NULL) {
        json_decref(stored);
        return NULL;
    }

    if (audience == NGX_PA_VIEW_PUBLIC) {
        json_object_del(o, "approved_by");
    }

    media = ngx_pa_view_media(r, h, json_object_get(stored, "media"),
                              audience);
    json_object_set_new(o, "media", media ? media : json_array());

    agency = json_object_get(stored, "agency");
    name_j = agency;

    if (json_is_string(agency)) {
        id.data = (u_char *) json_string_value(agency);
        id.len = json_string_length(agency);

        ag = ngx_pa_directory_agency(pmcf, &id);
        if (ag != NULL) {
            name_j = json_stringn((char *) ag->name.data, ag->name.len);
            json_object_set_new(o, "agency_name", name_j);
        }
    }

    who = NULL;

    if (audience == NGX_PA_VIEW_PUBLIC
        && ngx_pa_hash_flag(h, "publish_identity")
        && ngx_pa_view_pii(r, h, "pii_name", &name) == NGX_OK)
    {
        who = &name;
    }

    rendered = ngx_pa_view_render(r, name_j,
                                  json_object_get(stored, "salutation"),
                                  json_object_get(stored, "summary"), who);
    if (rendered != NULL) {
        json_object_set_new(o, "rendered", rendered);
    }

    json_decref(stored);

    return o;
}


/*
 * The template (appendix of LC26, VL, TN), one sentence a line (the
 * regulation's own line breaks are page layout):
 *
 *   [Cơ quan xử lý]
 *   Kính chào: [Ông/bà]
 *   Sau khi nhận được phản ánh của [Ông/bà], [Cơ quan xử lý] đã tiến hành
 *   kiểm tra, xử lý và thông báo kết quả như sau:
 *   [Tóm tắt nội dung trả lời kết quả xử lý (đính kèm văn bản nếu có)]
 *   Chúng tôi chân thành cảm ơn [Ông/Bà] đã kịp thời phản ánh và mong
 *   tiếp tục nhận được phản ánh trong thời gian tới.
 *   Trân trọng./.
 */

#define NGX_PA_T_GREET    "Kính chào: "
#define NGX_PA_T_AFTER    "Sau khi nhận được phản ánh của "
#define NGX_PA_T_DONE     " đã tiến hành kiểm tra, xử lý và thông báo kết " \
                          "quả như sau:"
#define NGX_PA_T_THANKS   "Chúng tôi chân thành cảm ơn "
#define NGX_PA_T_HOPE     " đã kịp thời phản ánh và mong tiếp tục nhận " \
                          "được phản ánh trong thời gian tới."
#define NGX_PA_T_END      "Trân trọng./."
#define NGX_PA_T_DEFAULT  "Ông/Bà"

static json_t *
ngx_pa_view_render(ngx_http_request_t *r, json_t *agency, json_t *salutation,
    json_t *summary, ngx_str_t *name)
{
    u_char     *buf, *p;
    size_t      len;
    ngx_str_t   ag, who, sum;

    ag.data = (u_char *) (json_is_string(agency)
                          ? json_string_value(agency) : "");
    ag.len = json_is_string(agency) ? json_string_length(agency) : 0;

    sum.data = (u_char *) (json_is_string(summary)
                           ? json_string_value(summary) : "");
    sum.len = json_is_string(summary) ? json_string_length(summary) : 0;

    if (json_is_string(salutation) && json_string_length(salutation)) {
        who.data = (u_char *) json_string_value(salutation);
        who.len = json_string_length(salutation);

    } else {
        ngx_str_set(&who, NGX_PA_T_DEFAULT);
    }

    /* "Ông Nguyễn Văn A" */

    if (name != NULL && name->len) {
        p = ngx_pnalloc(r->pool, who.len + 1 + name->len);
        if (p == NULL) {
            return NULL;
        }

        who.len = ngx_sprintf(p, "%V %V", &who, name) - p;
        who.data = p;
    }

    len = ag.len * 2 + who.len * 3 + sum.len
          + sizeof(NGX_PA_T_GREET NGX_PA_T_AFTER NGX_PA_T_DONE
                   NGX_PA_T_THANKS NGX_PA_T_HOPE NGX_PA_T_END)
          + sizeof(", ") + 8;

    buf = ngx_pnalloc(r->pool, len);
    if (buf == NULL) {
        return NULL;
    }

    p = ngx_sprintf(buf, "%V\n" NGX_PA_T_GREET "%V\n"
                    NGX_PA_T_AFTER "%V, %V" NGX_PA_T_DONE "\n"
                    "%V\n"
                    NGX_PA_T_THANKS "%V" NGX_PA_T_HOPE "\n"
                    NGX_PA_T_END,
                    &ag, &who, &who, &ag, &sum, &who);

    return ngx_pa_json_strn(buf, p - buf);
}


/*
 * dl:<key> due, dm:<key> "1"/"0" once the step completed (met or not),
 * do:<key> "1" once the sweeper saw it overdue, xt:<key> the date an
 * extension beyond pa_extend_max asks for.  <key> is "step",
 * "step@agency" or "reply#<comment id>".
 */

static json_t *
ngx_pa_view_deadlines(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_uint_t *overdue)
{
    json_t            *a, *o;
    time_t             due;
    ngx_str_t         *k, *v;
    ngx_uint_t         i;
    ngx_array_t        all;
    ngx_pa_view_dl_t  *dl;

    if (ngx_array_init(&all, r->pool, 8, sizeof(ngx_pa_view_dl_t)) != NGX_OK)
    {
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

        o = ngx_pa_view_deadline(r, ctx, h, k, due, overdue);
        dl = ngx_array_push(&all);

        if (o == NULL || dl == NULL) {
            if (o) {
                json_decref(o);
            }

            goto failed;
        }

        dl->due = due;
        dl->key.data = k->data + 3;
        dl->key.len = k->len - 3;
        dl->o = o;
    }

    /* the hash has no order: by due, then by key, the same every time */

    ngx_qsort(all.elts, all.nelts, sizeof(ngx_pa_view_dl_t),
              ngx_pa_view_dl_cmp);

    a = json_array();
    if (a == NULL) {
        goto failed;
    }

    dl = all.elts;

    for (i = 0; i < all.nelts; i++) {
        json_array_append_new(a, dl[i].o);
    }

    return a;

failed:

    dl = all.elts;

    for (i = 0; i < all.nelts; i++) {
        json_decref(dl[i].o);
    }

    return NULL;
}


/* one deadline of the report (k: its dl:<key> field) as the views show it */

static json_t *
ngx_pa_view_deadline(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_str_t *k, time_t due, ngx_uint_t *overdue)
{
    u_char              *at, *end, name[NGX_PA_KEY_NAME];
    json_t              *o;
    ngx_str_t           *met, *late, *asked;
    ngx_uint_t           is_overdue;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    ngx_memcpy(name, k->data, k->len);
    name[k->len] = '\0';

    name[1] = 'm';
    met = ngx_pa_hash_get(h, (char *) name);
    name[1] = 'o';
    late = ngx_pa_hash_get(h, (char *) name);
    name[0] = 'x';
    name[1] = 't';
    asked = ngx_pa_hash_get(h, (char *) name);

    end = k->data + k->len;
    at = ngx_strlchr(k->data + 3, end, '@');
    if (at == NULL) {
        at = ngx_strlchr(k->data + 3, end, '#');
    }

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    json_object_set_new(o, "step",
                        json_stringn((char *) k->data + 3,
                                     (at ? at : end) - (k->data + 3)));
    json_object_set_new(o, "due", ngx_pa_time_json(pmcf, due));

    if (at && *at == '@') {
        json_object_set_new(o, "agency",
                            json_stringn((char *) at + 1, end - at - 1));

    } else if (at) {
        json_object_set_new(o, "comment_id",
                            json_stringn((char *) at + 1, end - at - 1));
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

    /* beyond pa_extend_max: the date asked, until the IOC answers */
    if (met == NULL && asked) {
        json_object_set_new(o, "extension_requested",
                            ngx_pa_json_strn(asked->data, asked->len));
    }

    /*
     * still to come, over days the holiday files do not know or list as
     * provisional: the date may move with the government's notice
     */
    if (met == NULL
        && ngx_pa_calendar_provisional(pmcf->calendar, ctx->now, due))
    {
        json_object_set_new(o, "provisional", json_true());
    }

    return o;
}


static int ngx_libc_cdecl
ngx_pa_view_dl_cmp(const void *one, const void *two)
{
    const ngx_pa_view_dl_t  *a = one, *b = two;

    if (a->due != b->due) {
        return a->due < b->due ? -1 : 1;
    }

    return (int) ngx_memn2cmp(a->key.data, b->key.data, a->key.len,
                              b->key.len);
}


json_t *
ngx_pa_view_history(ngx_http_request_t *r, ngx_pa_list_t *history,
    ngx_pa_view_e audience)
{
    json_t        *a, *e, *o, *role, *v;
    ngx_str_t      list;
    ngx_uint_t     i, k;
    const char    *key;
    json_error_t   je;

    static const char  *keep[] = {
        "at", "role", "actor", "action", "from", "to", "note",
        "reject_reason", "return_kind", "rating", "comment_id", NULL
    };

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < history->n; i++) {
        e = json_loadb((char *) history->items[i].data,
                       history->items[i].len, 0, &je);

        if (!json_is_object(e)) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: a history entry is not a JSON object");
            if (e) {
                json_decref(e);
            }

            continue;
        }

        /*
         * The contract's fields first, in its order (scripts write keys
         * in any order); staff get every other field too, the reporter
         * only the few that concern them.
         */

        o = json_object();
        if (o == NULL) {
            json_decref(e);
            json_decref(a);
            return NULL;
        }

        for (k = 0; keep[k]; k++) {
            v = json_object_get(e, keep[k]);
            if (v != NULL) {
                json_object_set(o, keep[k], v);
            }
        }

        if (audience == NGX_PA_VIEW_STAFF) {
            json_object_foreach(e, key, v) {
                if (json_object_get(o, key) != NULL) {
                    continue;
                }

                if (ngx_strcmp(key, "agencies") == 0 && json_is_string(v)) {
                    list.data = (u_char *) json_string_value(v);
                    list.len = json_string_length(v);
                    json_object_set_new(o, key, ngx_pa_view_list(&list));
                    continue;
                }

                json_object_set(o, key, v);
            }

            json_decref(e);
            json_array_append_new(a, o);
            continue;
        }

        role = json_object_get(e, "role");

        if (!ngx_pa_view_is(role, "reporter")) {
            json_object_set(o, "actor", role ? role : json_null());

            /* staff notes of internal steps (hide, return...) stay inside */

            if (!ngx_pa_view_speaks(e)) {
                json_object_set_new(o, "note", json_null());
            }
        }

        json_decref(e);
        json_array_append_new(a, o);
    }

    return a;
}


/*
 * The reporter's messages: the entries addressed to them, oldest first,
 * {at, action, status (the state it led to), note, reject_reason?,
 * return_kind?}.  A "return" speaks to them only when it asks them for
 * information.
 */

json_t *
ngx_pa_view_messages(ngx_http_request_t *r, ngx_pa_list_t *history)
{
    json_t        *a, *e, *o, *action, *v;
    ngx_uint_t     i;
    json_error_t   je;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < history->n; i++) {
        e = json_loadb((char *) history->items[i].data,
                       history->items[i].len, 0, &je);
        if (e == NULL) {
            continue;
        }

        if (!ngx_pa_view_speaks(e)) {
            json_decref(e);
            continue;
        }

        action = json_object_get(e, "action");

        o = json_pack("{s:O?, s:O, s:O?, s:O?}",
                      "at", json_object_get(e, "at"),
                      "action", action,
                      "status", json_object_get(e, "to"),
                      "note", json_object_get(e, "note"));

        if (o != NULL) {
            v = json_object_get(e, "reject_reason");
            if (v != NULL) {
                json_object_set(o, "reject_reason", v);
            }

            v = json_object_get(e, "return_kind");
            if (v != NULL) {
                json_object_set(o, "return_kind", v);
            }

            json_array_append_new(a, o);
        }

        json_decref(e);
    }

    return a;
}


ngx_int_t
ngx_pa_view_pii(ngx_http_request_t *r, ngx_pa_hash_t *h, const char *field,
    ngx_str_t *plain)
{
    int                  which;
    size_t               start, len;
    ssize_t              n;
    ngx_str_t           *sealed;
    ngx_uint_t           envelope;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    ngx_str_null(plain);

    /* a report of this version seals the whole contact as "pii" */

    which = ngx_pa_pii_part_index(field);
    sealed = ngx_pa_hash_get(h, field);

    if ((sealed == NULL || sealed->len == 0) && which >= 0) {
        sealed = ngx_pa_hash_get(h, "pii");
        envelope = 1;

    } else {
        envelope = 0;
    }

    if (sealed == NULL || sealed->len == 0) {
        return NGX_DECLINED;
    }

    if (pmcf->pii == NULL || sealed->len > NGX_PA_PII_MAX) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot open \"%s\": no key ring or too long",
                      field);
        return NGX_ERROR;
    }

    /* the plaintext is shorter than its sealed form */

    plain->data = ngx_pnalloc(r->pool, sealed->len);
    if (plain->data == NULL) {
        return NGX_ERROR;
    }

    n = ngx_pa_pii_open(pmcf->pii, sealed->data, sealed->len, plain->data,
                        sealed->len);
    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: \"%s\" does not open: unknown key or altered",
                      field);
        ngx_str_null(plain);
        return NGX_ERROR;
    }

    plain->len = (size_t) n;

    if (!envelope) {
        return NGX_OK;
    }

    if (ngx_pa_pii_part(plain->data, plain->len, which, &start, &len) != 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: the sealed contact has no \"%s\"", field);
        ngx_explicit_memzero(plain->data, plain->len);
        ngx_str_null(plain);
        return NGX_ERROR;
    }

    if (len == 0) {
        ngx_explicit_memzero(plain->data, plain->len);
        ngx_str_null(plain);
        return NGX_DECLINED;
    }

    /* the other parts are not this caller's: wiped, not just skipped */
    ngx_memmove(plain->data, plain->data + start, len);
    ngx_explicit_memzero(plain->data + len, plain->len - len);
    plain->len = len;

    return NGX_OK;
}


ngx_int_t
ngx_pa_view_send(ngx_http_request_t *r, ngx_uint_t status, json_t *body,
    const char *cache_control)
{
    if (body == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot build the answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_view_cache_control(r, cache_control) != NGX_OK) {
        json_decref(body);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_send_json(r, status, body);
}


ngx_int_t
ngx_pa_view_number(ngx_http_request_t *r, const char *name, ngx_int_t def,
    ngx_int_t max, ngx_int_t *out, ngx_pa_err_t *err)
{
    ngx_str_t  v;

    *out = def;

    if (ngx_pa_view_arg(r, name, &v) != NGX_OK || v.len == 0) {
        return NGX_OK;
    }

    *out = ngx_atoi(v.data, v.len);

    if (*out < 1 || *out > max) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "a whole number in range");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a query argument, unescaped ("a%2Cb" is "a,b") */

ngx_int_t
ngx_pa_view_arg(ngx_http_request_t *r, const char *name, ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_str_t   raw;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &raw) != NGX_OK) {
        return NGX_DECLINED;
    }

    dst = ngx_pnalloc(r->pool, raw.len + 1);
    if (dst == NULL) {
        return NGX_DECLINED;
    }

    value->data = dst;
    src = raw.data;

    ngx_unescape_uri(&dst, &src, raw.len, NGX_UNESCAPE_URI);

    value->len = dst - value->data;

    return NGX_OK;
}


/* a history entry addressed to the reporter ("return" only for info) */

static ngx_uint_t
ngx_pa_view_speaks(json_t *entry)
{
    json_t      *action;
    ngx_uint_t   k;

    action = json_object_get(entry, "action");

    for (k = 0; ngx_pa_reporter_actions[k]; k++) {
        if (ngx_pa_view_is(action, ngx_pa_reporter_actions[k])) {
            break;
        }
    }

    if (ngx_pa_reporter_actions[k] == NULL) {
        return 0;
    }

    return !ngx_pa_view_is(action, "return")
           || ngx_pa_view_is(json_object_get(entry, "return_kind"),
                             "needs_info");
}


static ngx_uint_t
ngx_pa_view_is(json_t *v, const char *s)
{
    return json_is_string(v) && ngx_strcmp(json_string_value(v), s) == 0;
}


ngx_uint_t
ngx_pa_public_shown(ngx_pa_hash_t *h)
{
    ngx_str_t  *status;

    status = ngx_pa_hash_get(h, "status");

    return status != NULL && status->len == 8
           && ngx_strncmp(status->data, "resolved", 8) == 0
           && ngx_pa_hash_flag(h, "published")
           && !ngx_pa_hash_flag(h, "hidden")
           && !ngx_pa_hash_flag(h, "private_result")
           && !ngx_pa_hash_flag(h, "secret");
}
