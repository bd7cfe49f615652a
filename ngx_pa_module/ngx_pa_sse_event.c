/*
 * Entries of the "events" stream as Server-Sent Events, and who sees
 * which.
 *
 * The scripts own what an entry says (submit.lua, act.lua, sweep.lua and
 * whatever comes): every field is passed on as it is, so a new type or
 * field reaches staff without a change here; "at" and "due" (epochs) are
 * shown as RFC 3339 in the province's offset, as everywhere in the API.
 * The reporter gets a short list of fields only: what happened to the
 * report, never who handles it or anything personal.
 *
 * Staff see an entry under the rules of the reads (ngx_pa_view_visible):
 * the IOC, admins and a province-wide supervisor everything; an agency
 * the entries whose "agencies" (or "coordinator") name it, or whose
 * single "agency" is it (an overdue step, a status notice); a superior
 * body its subtree's.
 */

#include "ngx_pa_sse_event.h"
#include "ngx_pa_json.h"
#include "ngx_pa_validate.h"


static ngx_int_t ngx_pa_sse_format(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_pa_sse_event_t *ev, ngx_uint_t reporter, ngx_str_t *out);
static ngx_uint_t ngx_pa_sse_reporter_field(ngx_str_t *name);
static ngx_int_t ngx_pa_sse_owner(ngx_pool_t *pool, ngx_pa_sse_event_t *ev);


/* what the reporter's stream says of an entry */
static const char  *ngx_pa_sse_reporter_fields[] = {
    "type", "id", "from", "to", "status", "step", "due", "reason", "at",
    NULL
};


ngx_int_t
ngx_pa_sse_id_parse(const u_char *p, size_t len, ngx_pa_sse_id_t *id)
{
    const u_char  *dash, *last;

    last = p + len;
    dash = ngx_strlchr((u_char *) p, (u_char *) last, '-');

    if (len == 0 || len >= NGX_PA_SSE_ID_LEN) {
        return NGX_ERROR;
    }

    id->ms = 0;
    id->seq = 0;

    for ( /* void */ ; p < (dash ? dash : last); p++) {
        if (*p < '0' || *p > '9' || id->ms > (UINT64_MAX - 9) / 10) {
            return NGX_ERROR;
        }

        id->ms = id->ms * 10 + (*p - '0');
    }

    if (dash == NULL) {
        return NGX_OK;
    }

    if (dash + 1 == last) {
        return NGX_ERROR;
    }

    for (p = dash + 1; p < last; p++) {
        if (*p < '0' || *p > '9' || id->seq > (UINT64_MAX - 9) / 10) {
            return NGX_ERROR;
        }

        id->seq = id->seq * 10 + (*p - '0');
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_sse_id_cmp(ngx_pa_sse_id_t *a, ngx_pa_sse_id_t *b)
{
    if (a->ms != b->ms) {
        return a->ms < b->ms ? -1 : 1;
    }

    if (a->seq != b->seq) {
        return a->seq < b->seq ? -1 : 1;
    }

    return 0;
}


u_char *
ngx_pa_sse_id_print(u_char *p, ngx_pa_sse_id_t *id)
{
    return ngx_sprintf(p, "%uL-%uL", id->ms, id->seq);
}


ngx_int_t
ngx_pa_sse_event(ngx_pool_t *pool, ngx_log_t *log, ngx_pa_main_conf_t *pmcf,
    redisReply *entry, ngx_pa_sse_event_t *ev)
{
    size_t       i;
    ngx_str_t   *kv, *v;
    redisReply  *id, *f;

    ngx_memzero(ev, sizeof(ngx_pa_sse_event_t));

    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING
        || entry->element[1]->type != REDIS_REPLY_ARRAY
        || entry->element[1]->elements % 2)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa sse: an entry of the events stream is not "
                      "[id, [field, value ...]], skipped");
        return NGX_DECLINED;
    }

    id = entry->element[0];
    f = entry->element[1];

    if (ngx_pa_sse_id_parse((u_char *) id->str, id->len, &ev->id) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa sse: bad entry id \"%*s\", skipped",
                      (size_t) id->len, id->str);
        return NGX_DECLINED;
    }

    kv = ngx_palloc(pool, (f->elements ? f->elements : 1) * sizeof(ngx_str_t));
    if (kv == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < f->elements; i++) {
        if (f->element[i]->type != REDIS_REPLY_STRING) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa sse: entry %*s has a field that is not a "
                          "string, skipped", (size_t) id->len, id->str);
            return NGX_DECLINED;
        }

        kv[i].len = f->element[i]->len;
        kv[i].data = ngx_pnalloc(pool, kv[i].len + 1);
        if (kv[i].data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(kv[i].data, f->element[i]->str, kv[i].len);
        kv[i].data[kv[i].len] = '\0';
    }

    ev->fields.kv = kv;
    ev->fields.n = f->elements / 2;

    v = ngx_pa_hash_get(&ev->fields, "id");
    if (v != NULL) {
        ev->report = *v;
    }

    if (ngx_pa_sse_owner(pool, ev) != NGX_OK
        || ngx_pa_sse_format(pool, pmcf, ev, 0, &ev->staff) != NGX_OK
        || ngx_pa_sse_format(pool, pmcf, ev, 1, &ev->reporter) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa sse: cannot encode entry %*s",
                      (size_t) id->len, id->str);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* an entry that names one agency is that agency's, as a listed one is */

static ngx_int_t
ngx_pa_sse_owner(ngx_pool_t *pool, ngx_pa_sse_event_t *ev)
{
    ngx_str_t  *a, *kv;

    a = ngx_pa_hash_get(&ev->fields, "agency");
    if (a == NULL || a->len == 0) {
        return NGX_OK;
    }

    kv = ngx_palloc(pool, 2 * sizeof(ngx_str_t));
    if (kv == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&kv[0], "agencies");

    kv[1].len = a->len + 2;
    kv[1].data = ngx_pnalloc(pool, kv[1].len);
    if (kv[1].data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(kv[1].data, ",%V,", a);

    ev->owner.kv = kv;
    ev->owner.n = 1;

    return NGX_OK;
}


/* "id: <entry>\nevent: <type>\ndata: <JSON>\n\n" */

static ngx_int_t
ngx_pa_sse_format(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_pa_sse_event_t *ev, ngx_uint_t reporter, ngx_str_t *out)
{
    char        *data;
    u_char      *p;
    size_t       len;
    json_t      *obj, *v;
    ngx_str_t   *type, *name, def;
    ngx_uint_t   i;

    obj = json_object();
    if (obj == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < ev->fields.n; i++) {
        name = &ev->fields.kv[i * 2];

        if (reporter && !ngx_pa_sse_reporter_field(name)) {
            continue;
        }

        v = ngx_pa_json_event_value(pmcf, name->data, name->len,
                                    ev->fields.kv[i * 2 + 1].data,
                                    ev->fields.kv[i * 2 + 1].len);

        if (v == NULL || json_object_set_new(obj, (char *) name->data, v)) {
            json_decref(obj);
            return NGX_ERROR;
        }
    }

    data = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);

    if (data == NULL) {
        return NGX_ERROR;
    }

    type = ngx_pa_hash_get(&ev->fields, "type");

    if (type == NULL || type->len == 0) {
        ngx_str_set(&def, "message");
        type = &def;
    }

    len = sizeof("id: \nevent: \ndata: \n\n") - 1 + NGX_PA_SSE_ID_LEN
          + type->len + ngx_strlen(data);

    out->data = ngx_pnalloc(pool, len);
    if (out->data == NULL) {
        ngx_free(data);
        return NGX_ERROR;
    }

    p = ngx_cpymem(out->data, "id: ", 4);
    p = ngx_pa_sse_id_print(p, &ev->id);
    p = ngx_cpymem(p, "\nevent: ", 8);

    /* a line break in a type would end the field: never let one through */

    for (i = 0; i < type->len; i++) {
        *p++ = (type->data[i] == CR || type->data[i] == LF) ? '_'
                                                           : type->data[i];
    }

    p = ngx_sprintf(p, "\ndata: %s\n\n", data);
    ngx_free(data);

    out->len = p - out->data;

    return NGX_OK;
}


/* a field's value: epochs as RFC 3339, everything else as written */

static ngx_uint_t
ngx_pa_sse_reporter_field(ngx_str_t *name)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_sse_reporter_fields[i]; i++) {
        if (ngx_strlen(ngx_pa_sse_reporter_fields[i]) == name->len
            && ngx_strncmp(ngx_pa_sse_reporter_fields[i], name->data,
                           name->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


ngx_str_t *
ngx_pa_sse_text(ngx_pa_sse_sub_t *sub, ngx_pa_sse_event_t *ev)
{
    if (sub->report.len) {

        /* the report's own stream: its visibility was checked at join */

        if (ev->report.len != sub->report.len
            || ngx_strncmp(ev->report.data, sub->report.data,
                           sub->report.len) != 0)
        {
            return NULL;
        }

        return sub->caller.staff ? &ev->staff : &ev->reporter;
    }

    if (ngx_pa_view_visible(&sub->caller, &ev->fields)
        || (ev->owner.n && ngx_pa_view_visible(&sub->caller, &ev->owner)))
    {
        return &ev->staff;
    }

    return NULL;
}
