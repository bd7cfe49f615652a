/*
 * The report's cold fields as one JSON value: folded by the submission,
 * unfolded by every reader (ngx_pa_doc.h).
 */

#include "ngx_pa_default.h"
#include "ngx_pa_doc.h"
#include "ngx_pa_json.h"
#include "ngx_pa_jstr.h"
#include "ngx_pa_validate.h"

#include <jansson.h>


#define NGX_PA_DOC_NAMES  17     /* at most, in ngx_pa_doc_names */
#define NGX_PA_DOC_STACK  4096   /* the doc written in one pass, if it fits */


/*
 * Written once at submission, read only as a whole by the worker (the
 * views, Open311, the archive, a contact read): never by a script on a
 * hot path.  public.lua asks for "doc" (content, occurred_at, the name's
 * consent), get.lua's contact read and the webhooks' pii read decode it.
 */
static ngx_str_t  ngx_pa_doc_names[NGX_PA_DOC_NAMES + 1] = {
    ngx_string("content"), ngx_string("content_original"),
    ngx_string("channel"), ngx_string("occurred_at"),
    ngx_string("publish_identity"), ngx_string("share_identity"),
    ngx_string("pii_name"), ngx_string("pii_phone"), ngx_string("pii_email"),
    ngx_string("pii"),
    ngx_string("position_source"), ngx_string("address"),
    ngx_string("media_url"), ngx_string("address_id"),
    ngx_string("attributes"), ngx_string("o311_client"),
    ngx_string("submit_note"), ngx_null_string
};


static ngx_str_t *ngx_pa_doc_find(ngx_str_t *kv, ngx_uint_t n,
    const char *name);
static ngx_uint_t ngx_pa_doc_default(ngx_str_t *name, ngx_str_t *value,
    ngx_str_t *created);
static ngx_uint_t ngx_pa_doc_is(ngx_str_t *name, const char *s);
static ngx_int_t ngx_pa_doc_json(ngx_pool_t *pool, ngx_str_t **doc,
    ngx_uint_t m, ngx_str_t *out, ngx_log_t *log);
static ngx_int_t ngx_pa_doc_defaults(json_t *doc, ngx_str_t *created);


ngx_uint_t
ngx_pa_doc_cold(ngx_str_t *name)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_doc_names[i].len; i++) {
        if (ngx_pa_doc_names[i].len == name->len
            && ngx_strncmp(ngx_pa_doc_names[i].data, name->data, name->len)
               == 0)
        {
            return 1;
        }
    }

    return 0;
}


ngx_int_t
ngx_pa_doc_fold(ngx_pool_t *pool, ngx_str_t *kv, ngx_uint_t n,
    ngx_array_t *args, ngx_log_t *log)
{
    ngx_str_t   *a, *content, *created;
    ngx_uint_t   i, j, m;
    ngx_str_t   *doc[NGX_PA_DOC_NAMES * 2];

    content = ngx_pa_doc_find(kv, n, "content");
    created = ngx_pa_doc_find(kv, n, "created_at");
    m = 0;

    for (i = 0; i < n; i++) {
        if (!ngx_pa_doc_cold(&kv[i * 2])) {
            if (ngx_pa_default_is(&kv[i * 2], &kv[i * 2 + 1])) {
                continue;       /* the readers put it back */
            }

            if (ngx_array_push_n(args, 2) == NULL) {
                return NGX_ERROR;
            }

            a = (ngx_str_t *) args->elts + args->nelts - 2;
            a[0] = kv[i * 2];
            a[1] = kv[i * 2 + 1];
            continue;
        }

        if (ngx_pa_doc_default(&kv[i * 2], &kv[i * 2 + 1], created)) {
            continue;
        }

        /* what the reporter wrote, while nobody edited it: once */

        if (content != NULL && kv[i * 2].len == sizeof("content_original") - 1
            && ngx_strncmp(kv[i * 2].data, "content_original",
                           kv[i * 2].len) == 0
            && kv[i * 2 + 1].len == content->len
            && ngx_strncmp(kv[i * 2 + 1].data, content->data,
                           content->len) == 0)
        {
            continue;
        }

        /* a name given again keeps its place and takes the last value */

        for (j = 0; j < m; j++) {
            if (doc[j * 2]->len == kv[i * 2].len
                && ngx_strncmp(doc[j * 2]->data, kv[i * 2].data,
                               kv[i * 2].len) == 0)
            {
                break;
            }
        }

        doc[j * 2] = &kv[i * 2];
        doc[j * 2 + 1] = &kv[i * 2 + 1];
        m += (j == m);
    }

    a = ngx_array_push_n(args, 2);
    if (a == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&a[0], NGX_PA_DOC_FIELD);

    return ngx_pa_doc_json(pool, doc, m, &a[1], log);
}


/*
 * The names and values of doc (m pairs) as jansson's compact dump of that
 * object would be: in one pass on the stack where the longest they can be
 * fits (a report's text, most of the time), else measured, then written
 */

static ngx_int_t
ngx_pa_doc_json(ngx_pool_t *pool, ngx_str_t **doc, ngx_uint_t m,
    ngx_str_t *out, ngx_log_t *log)
{
    u_char      *p, *last;
    size_t       len, size, longest;
    ngx_uint_t   i;
    u_char       stack[NGX_PA_DOC_STACK];

    longest = 2;

    for (i = 0; i < m * 2; i++) {
        longest += NGX_PA_JSTR_MAX(doc[i]->len) + 1;
    }

    size = 2;

    if (longest <= sizeof(stack)) {
        p = stack;
        size = 0;

    } else {
        for (i = 0; i < m * 2; i++) {
            len = ngx_pa_jstr_len(doc[i]->data, doc[i]->len);

            if (len == (size_t) -1) {
                goto invalid;
            }

            size += len + 1;
        }

        p = ngx_pnalloc(pool, size);
        if (p == NULL) {
            return NGX_ERROR;
        }
    }

    out->data = p;
    *p++ = '{';

    for (i = 0; i < m * 2; i++) {
        if (i) {
            *p++ = (i % 2) ? ':' : ',';
        }

        if (size) {
            p = ngx_pa_jstr_write(p, doc[i]->data, doc[i]->len);
            continue;
        }

        last = ngx_pa_jstr_put(p, doc[i]->data, doc[i]->len);
        if (last == NULL) {
            goto invalid;
        }

        p = last;
    }

    *p++ = '}';
    out->len = p - out->data;

    if (size == 0) {
        out->data = ngx_pnalloc(pool, out->len);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(out->data, stack, out->len);
    }

    return NGX_OK;

invalid:

    ngx_log_error(NGX_LOG_ERR, log, 0,
                  "pa: the record's \"%V\" is no UTF-8 text", doc[i - i % 2]);
    return NGX_ERROR;
}


ngx_int_t
ngx_pa_doc_unfold(ngx_pool_t *pool, ngx_str_t **kv, ngx_uint_t *n,
    ngx_uint_t *lean, ngx_log_t *log)
{
    size_t        len;
    json_t       *doc, *v, *content;
    ngx_str_t    *doc_v, *out;
    ngx_uint_t    i, m;
    const char   *name;
    json_error_t  je;

    *lean = 0;

    doc_v = ngx_pa_doc_find(*kv, *n, NGX_PA_DOC_FIELD);
    if (doc_v == NULL) {
        return NGX_OK;
    }

    *lean = 1;

    doc = json_loadb((char *) doc_v->data, doc_v->len, 0, &je);

    if (!json_is_object(doc)) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa: a report's \"doc\" does not parse: %s", je.text);
        json_decref(doc);
        doc = json_object();
        if (doc == NULL) {
            return NGX_ERROR;
        }
    }

    /* the reporter's text is content_original while nobody edited it */

    content = json_object_get(doc, "content");

    if (json_object_get(doc, "content_original") == NULL
        && json_is_string(content)
        && json_object_set(doc, "content_original", content) != 0)
    {
        json_decref(doc);
        return NGX_ERROR;
    }

    if (ngx_pa_doc_defaults(doc, ngx_pa_doc_find(*kv, *n, "created_at"))
        != NGX_OK)
    {
        json_decref(doc);
        return NGX_ERROR;
    }

    out = ngx_palloc(pool, ((*n - 1) + json_object_size(doc)) * 2
                           * sizeof(ngx_str_t) + sizeof(ngx_str_t));
    if (out == NULL) {
        json_decref(doc);
        return NGX_ERROR;
    }

    m = 0;

    for (i = 0; i < *n; i++) {
        if (&(*kv)[i * 2 + 1] != doc_v) {
            out[m * 2] = (*kv)[i * 2];
            out[m * 2 + 1] = (*kv)[i * 2 + 1];
            m++;
        }
    }

    json_object_foreach(doc, name, v) {
        if (!json_is_string(v) || ngx_pa_doc_find(out, m, name) != NULL) {
            continue;
        }

        len = ngx_strlen(name);

        out[m * 2].len = len;
        out[m * 2].data = ngx_pnalloc(pool, len + 1);
        out[m * 2 + 1].len = json_string_length(v);
        out[m * 2 + 1].data = ngx_pnalloc(pool, out[m * 2 + 1].len + 1);

        if (out[m * 2].data == NULL || out[m * 2 + 1].data == NULL) {
            json_decref(doc);
            return NGX_ERROR;
        }

        /* NUL terminated as ngx_pa_list_from_reply() makes them */

        (void) ngx_cpystrn(out[m * 2].data, (u_char *) name, len + 1);
        ngx_memcpy(out[m * 2 + 1].data, json_string_value(v),
                   out[m * 2 + 1].len);
        out[m * 2 + 1].data[out[m * 2 + 1].len] = '\0';
        m++;
    }

    json_decref(doc);

    *kv = out;
    *n = m;

    return NGX_OK;
}


ngx_int_t
ngx_pa_doc_first_entry(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *created_at, ngx_str_t *note, ngx_str_t *out)
{
    char       *dump, at[NGX_PA_TIME_LEN];
    size_t      len;
    json_t     *o;
    ngx_int_t   t;

    t = created_at ? ngx_atoi(created_at->data, created_at->len) : NGX_ERROR;
    if (t == NGX_ERROR) {
        return NGX_DECLINED;
    }

    len = ngx_pa_rfc3339_format((time_t) t, (int) pmcf->utc_offset, 0, at);

    /* the shape and order of ngx_pa_record_history() */

    o = json_pack("{s:s%, s:s, s:s, s:s, s:n, s:s, s:o}",
                  "at", at, len, "role", "reporter", "actor", "reporter",
                  "action", "submit", "from", "to", "submitted",
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

    out->len = ngx_strlen(dump);
    out->data = ngx_pnalloc(pool, out->len + 1);

    if (out->data == NULL) {
        ngx_free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(out->data, dump, out->len + 1);
    ngx_free(dump);

    return NGX_OK;
}


static ngx_str_t *
ngx_pa_doc_find(ngx_str_t *kv, ngx_uint_t n, const char *name)
{
    size_t      len;
    ngx_uint_t  i;

    len = ngx_strlen(name);

    for (i = 0; i < n; i++) {
        if (kv[i * 2].len == len
            && ngx_strncmp(kv[i * 2].data, name, len) == 0)
        {
            return &kv[i * 2 + 1];
        }
    }

    return NULL;
}


/*
 * A value every reader would take as the default is not stored (issue
 * 12.4: memory per report): no consent ("0") to publish or share the
 * name, and an occurred_at equal to created_at (the form's default).
 * ngx_pa_doc_defaults() puts them back when the record is read; get.lua's
 * contact read takes an absent share_identity as "0" already.
 */

static ngx_uint_t
ngx_pa_doc_default(ngx_str_t *name, ngx_str_t *value, ngx_str_t *created)
{
    if ((ngx_pa_doc_is(name, "publish_identity")
         || ngx_pa_doc_is(name, "share_identity"))
        && value->len == 1 && value->data[0] == '0')
    {
        return 1;
    }

    return ngx_pa_doc_is(name, "occurred_at") && created != NULL
           && created->len == value->len
           && ngx_strncmp(created->data, value->data, value->len) == 0;
}


static ngx_int_t
ngx_pa_doc_defaults(json_t *doc, ngx_str_t *created)
{
    if (json_object_get(doc, "publish_identity") == NULL
        && json_object_set_new(doc, "publish_identity", json_string("0"))
           != 0)
    {
        return NGX_ERROR;
    }

    if (json_object_get(doc, "share_identity") == NULL
        && json_object_set_new(doc, "share_identity", json_string("0")) != 0)
    {
        return NGX_ERROR;
    }

    if (json_object_get(doc, "occurred_at") == NULL && created != NULL
        && json_object_set_new(doc, "occurred_at",
                               json_stringn((char *) created->data,
                                            created->len))
           != 0)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_pa_doc_is(ngx_str_t *name, const char *s)
{
    size_t  len;

    len = ngx_strlen(s);

    return name->len == len && ngx_strncmp(name->data, s, len) == 0;
}
