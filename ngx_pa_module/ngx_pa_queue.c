/*
 * GET /api/v1/queue?state=a,b&overdue=1&limit=n: the caller's work list,
 * urgent first, then by nearest open deadline.
 *
 * The role decides the states (and the agencies: one's own, or a superior
 * body's subtree) of the list.  The lists (aq:<agency>:<state>, or
 * q:<state> for the IOC) are zsets scored in the queue's order, so
 * queue.lua reads one page of them and their count, with the fields a
 * list shows of that page's reports only; the worker builds the views,
 * sorts the page with the full order (ties on the score) and cuts it to
 * the limit.
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_call.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_queue.h"
#include "ngx_pa_validate.h"
#include "ngx_pa_view.h"


#define NGX_PA_QUEUE_LIMIT     200      /* reports one answer holds */
#define NGX_PA_QUEUE_DEFAULT   50
#define NGX_PA_QUEUE_STATES    16


typedef struct {
    ngx_pa_caller_t     caller;
    ngx_uint_t          overdue_only;
    ngx_uint_t          limit;
    time_t              now;
} ngx_pa_queue_t;

typedef struct {
    ngx_pa_hash_t       h;
    ngx_uint_t          urgent;
    time_t              next_due;       /* 0: no open deadline */
    time_t              created;
    ngx_str_t          *id;
    json_t             *item;
} ngx_pa_queue_item_t;


/* every state of api.md */
static const char  *ngx_pa_states[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "dispatched", "in_progress", "awaiting_approval", "under_review",
    "resolved", "rejected", "cancelled", "monitoring", "escalated", NULL
};

/* each role's list */
static const char  *ngx_pa_states_ioc[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "under_review", "escalated", NULL
};

static const char  *ngx_pa_states_handler[] = {
    "dispatched", "in_progress", "resolved", NULL
};

static const char  *ngx_pa_states_leader[] = {
    "awaiting_approval", NULL
};

static const char  *ngx_pa_states_coordinator[] = {
    "coordinating", "under_review", NULL
};

static const char  *ngx_pa_states_all[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "dispatched", "in_progress", "awaiting_approval", "under_review",
    "escalated", NULL
};


static ngx_int_t ngx_pa_queue_args(ngx_http_request_t *r, ngx_pa_queue_t *q,
    const char **role_states, ngx_array_t *keys, ngx_array_t *args,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_queue_page(ngx_http_request_t *r, ngx_pa_queue_t *q,
    ngx_pa_err_t *err);
static ngx_int_t ngx_pa_queue_wanted(ngx_http_request_t *r,
    ngx_str_t *wanted, ngx_uint_t *nwanted, ngx_pa_err_t *err);
static ngx_uint_t ngx_pa_queue_wants(ngx_str_t *wanted, ngx_uint_t nwanted,
    ngx_str_t *s);
static ngx_int_t ngx_pa_queue_lists(ngx_http_request_t *r, ngx_str_t *agency,
    ngx_str_t *s, ngx_array_t *keys, ngx_array_t *args);
static u_char *ngx_pa_queue_next(u_char *p, u_char *last, ngx_str_t *item);
static ngx_int_t ngx_pa_queue_list(ngx_http_request_t *r, ngx_str_t *agency,
    ngx_str_t *state, ngx_array_t *keys, ngx_array_t *args);
static void ngx_pa_queue_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_queue_item(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_queue_item_t *it);
static ngx_uint_t ngx_pa_queue_keep(ngx_pa_queue_t *q,
    ngx_pa_queue_item_t *it);
static int ngx_libc_cdecl ngx_pa_queue_cmp(const void *one,
    const void *two);
static ngx_uint_t ngx_pa_queue_in(ngx_str_t *s, const char **list);


ngx_int_t
ngx_pa_queue_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t        rc;
    ngx_array_t     *keys, *args;
    const char     **states;
    ngx_pa_err_t     err;
    ngx_pa_queue_t  *q;

    q = ngx_pcalloc(r->pool, sizeof(ngx_pa_queue_t));
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->data = q;
    q->now = ctx->now;

    rc = ngx_pa_auth(r, ctx, &q->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    switch (q->caller.role) {

    case NGX_PA_ROLE_IOC:
        states = ngx_pa_states_ioc;
        break;

    case NGX_PA_ROLE_HANDLER:
        states = ngx_pa_states_handler;
        break;

    case NGX_PA_ROLE_LEADER:
        states = ngx_pa_states_leader;
        break;

    case NGX_PA_ROLE_COORDINATOR:
        states = ngx_pa_states_coordinator;
        break;

    case NGX_PA_ROLE_SUPERVISOR:
    case NGX_PA_ROLE_ADMIN:
        states = ngx_pa_states_all;
        break;

    default:
        return ngx_pa_auth_fail(r, NGX_OK);
    }

    keys = ngx_array_create(r->pool, NGX_PA_QUEUE_STATES,
                            sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 1 + NGX_PA_QUEUE_STATES,
                            sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    if (ngx_pa_queue_args(r, q, states, keys, args, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);
    }

    if (keys->nelts == 0) {

        /* state= names none of the caller's states: nothing to look up */

        return ngx_pa_send_json(r, NGX_HTTP_OK,
                                json_pack("{s:[], s:i, s:b}", "items",
                                          "total", 0, "truncated", 0));
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_QUEUE, keys, args,
                       ngx_pa_queue_done);
}


/*
 * KEYS: q:built, q:late, then the lists of the caller's states that
 * state= keeps, one per agency (its own, or each of a superior body's
 * subtree) or the IOC's, each with its source (queue.lua); ARGV: limit,
 * now, mode, overdue.  NGX_ERROR with err set (400), or status 0: 500.
 */

static ngx_int_t
ngx_pa_queue_args(ngx_http_request_t *r, ngx_pa_queue_t *q,
    const char **role_states, ngx_array_t *keys, ngx_array_t *args,
    ngx_pa_err_t *err)
{
    ngx_str_t            s, agency;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;
    ngx_str_t            wanted[NGX_PA_QUEUE_STATES];
    ngx_uint_t           nwanted;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_queue_page(r, q, err) != NGX_OK
        || ngx_pa_queue_wanted(r, wanted, &nwanted, err) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_str_null(&agency);

    if (ngx_pa_role_agency_bound(q->caller.role)) {
        agency = q->caller.agency;

    } else if (q->caller.subtree
               && ngx_pa_directory_subtree(pmcf, r->pool, &q->caller.agency,
                                           &agency)
                  != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * a supervisor of a subtree reads its agencies' lists whole ("all"):
     * what they returned too, each report once
     */

    if (ngx_pa_key(r, keys, "q:built") == NULL
        || ngx_pa_key(r, keys, "q:late") == NULL
        || ngx_pa_arg_int(r->pool, args, q->limit) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, q->now) != NGX_OK
        || ngx_pa_arg_cstr(args, (q->caller.role == NGX_PA_ROLE_SUPERVISOR
                                  && agency.len) ? "all" : "own")
           != NGX_OK
        || ngx_pa_arg_cstr(args, q->overdue_only ? "1" : "0") != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; role_states[i]; i++) {
        s.data = (u_char *) role_states[i];
        s.len = ngx_strlen(role_states[i]);

        if (nwanted && !ngx_pa_queue_wants(wanted, nwanted, &s)) {
            continue;
        }

        if (ngx_pa_queue_lists(r, &agency, &s, keys, args) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* limit= and overdue= */

static ngx_int_t
ngx_pa_queue_page(ngx_http_request_t *r, ngx_pa_queue_t *q,
    ngx_pa_err_t *err)
{
    ngx_str_t  v;
    ngx_int_t  n;

    q->limit = NGX_PA_QUEUE_DEFAULT;

    if (ngx_pa_view_arg(r, "limit", &v) == NGX_OK) {
        n = ngx_atoi(v.data, v.len);

        if (n < 1 || n > NGX_PA_QUEUE_LIMIT) {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "limit", "limit is 1 to 200");
            return NGX_ERROR;
        }

        q->limit = (ngx_uint_t) n;
    }

    if (ngx_pa_view_arg(r, "overdue", &v) == NGX_OK) {
        if ((v.len == 1 && (v.data[0] == '1' || v.data[0] == '0'))
            || (v.len == 4 && ngx_strncmp(v.data, "true", 4) == 0)
            || (v.len == 5 && ngx_strncmp(v.data, "false", 5) == 0))
        {
            q->overdue_only = v.data[0] == '1' || v.data[0] == 't';

        } else {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "overdue", "overdue is 1 or 0");
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* state=a,b: api.md's states, at most NGX_PA_QUEUE_STATES of them */

static ngx_int_t
ngx_pa_queue_wanted(ngx_http_request_t *r, ngx_str_t *wanted,
    ngx_uint_t *nwanted, ngx_pa_err_t *err)
{
    u_char     *p, *last;
    ngx_str_t   v, s;

    *nwanted = 0;

    if (ngx_pa_view_arg(r, "state", &v) != NGX_OK) {
        return NGX_OK;
    }

    p = v.data;
    last = v.data + v.len;

    while (p < last) {
        p = ngx_pa_queue_next(p, last, &s);

        if (s.len == 0) {
            continue;
        }

        if (!ngx_pa_queue_in(&s, ngx_pa_states)
            || *nwanted == NGX_PA_QUEUE_STATES)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "state", "state is a list of api.md's states");
            return NGX_ERROR;
        }

        wanted[(*nwanted)++] = s;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_pa_queue_wants(ngx_str_t *wanted, ngx_uint_t nwanted, ngx_str_t *s)
{
    ngx_uint_t  n;

    for (n = 0; n < nwanted; n++) {
        if (wanted[n].len == s->len
            && ngx_strncmp(wanted[n].data, s->data, s->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* one state's lists: the state index, or each agency's of "a,b,c" */

static ngx_int_t
ngx_pa_queue_lists(ngx_http_request_t *r, ngx_str_t *agency, ngx_str_t *s,
    ngx_array_t *keys, ngx_array_t *args)
{
    u_char     *p, *last;
    ngx_str_t   a;

    if (agency->len == 0) {
        return ngx_pa_queue_list(r, NULL, s, keys, args);
    }

    p = agency->data;
    last = agency->data + agency->len;

    while (p < last) {
        p = ngx_pa_queue_next(p, last, &a);

        if (a.len && ngx_pa_queue_list(r, &a, s, keys, args) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* one item of "a,b,c" at p (empty between two commas); where the next is */

static u_char *
ngx_pa_queue_next(u_char *p, u_char *last, ngx_str_t *item)
{
    u_char  *comma;

    comma = ngx_strlchr(p, last, ',');
    if (comma == NULL) {
        comma = last;
    }

    item->data = p;
    item->len = comma - p;

    return comma + 1;
}


static ngx_int_t
ngx_pa_queue_list(ngx_http_request_t *r, ngx_str_t *agency,
    ngx_str_t *state, ngx_array_t *keys, ngx_array_t *args)
{
    ngx_str_t  *k;

    /* the list, then what queue.lua builds it from the first time */

    if (agency) {
        k = ngx_pa_key(r, keys, "aq:%V:%V", agency, state);

        return (k && ngx_pa_key(r, keys, "aq:%V:%V", agency, state))
               ? NGX_OK : NGX_ERROR;
    }

    k = ngx_pa_key(r, keys, "q:%V", state);

    return (k && ngx_pa_key(r, keys, "st:%V", state)) ? NGX_OK : NGX_ERROR;
}


static void
ngx_pa_queue_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply           *reply = data;
    json_t               *items, *body;
    ngx_uint_t            i, n, scanned, total, dropped;
    static ngx_str_t      unknown = ngx_string("?");
    long long             candidates;
    ngx_pa_queue_t       *q;
    ngx_pa_queue_item_t  *all;

    q = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: queue script failed: %*s",
                          (size_t) reply->len, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected reply of the queue script");
        }

        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the queue cannot be read now, "
                                             "try again"));
        return;
    }

    candidates = reply->element[0]->integer;
    scanned = reply->elements - 2;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "pa: queue: %L in the lists, %L list entries read, "
                   "%ui reports", candidates,
                   reply->element[1]->type == REDIS_REPLY_INTEGER
                   ? reply->element[1]->integer : -1LL, scanned);

    all = ngx_palloc(r->pool, (scanned + 1) * sizeof(ngx_pa_queue_item_t));
    if (all == NULL) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    n = 0;
    dropped = 0;

    for (i = 0; i < scanned; i++) {
        ngx_memzero(&all[n], sizeof(ngx_pa_queue_item_t));

        if (ngx_pa_hash_from_reply(r->pool, reply->element[i + 2],
                                   &all[n].h)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: unexpected report in the queue reply");
            dropped++;
            continue;
        }

        if (ngx_pa_queue_item(r, ctx, &all[n]) != NGX_OK) {
            goto failed;
        }

        /* the lists hold what the caller sees: this checks them */

        if (!ngx_pa_queue_keep(q, &all[n])) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pa: queue list holds \"%V\", which the caller "
                          "does not see", all[n].id ? all[n].id : &unknown);
            json_decref(all[n].item);
            dropped++;
            continue;
        }

        n++;
    }

    ngx_qsort(all, n, sizeof(ngx_pa_queue_item_t), ngx_pa_queue_cmp);

    items = json_array();
    if (items == NULL) {
        goto failed;
    }

    /* the lists' count; less what this page showed was not to be listed */

    total = candidates > (long long) (n + dropped)
            ? (ngx_uint_t) candidates - dropped : n;

    for (i = 0; i < n; i++) {
        if (i < q->limit) {
            json_array_append_new(items, all[i].item);

        } else {
            json_decref(all[i].item);
        }
    }

    body = json_pack("{s:o, s:I, s:b}", "items", items,
                     "total", (json_int_t) total,
                     "truncated", dropped > 0 && total > n);

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, body));
    return;

failed:

    while (n--) {
        json_decref(all[n].item);
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: cannot build the queue");
    ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
}


/*
 * {id, status, urgent, hidden, category, title, created_at, agencies,
 * lead, deadlines (open ones), overdue, next_due}
 */

static ngx_int_t
ngx_pa_queue_item(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_queue_item_t *it)
{
    json_t              *o, *dls, *open, *d, *v;
    size_t               i;
    ngx_str_t           *s;
    ngx_int_t            n;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    /* the report's own view for staff, reduced to what a list needs */

    o = ngx_pa_view_report(r, ctx, &it->h, NGX_PA_VIEW_STAFF);
    if (o == NULL) {
        return NGX_ERROR;
    }

    it->id = ngx_pa_hash_get(&it->h, "id");
    it->urgent = ngx_pa_hash_flag(&it->h, "urgent");

    s = ngx_pa_hash_get(&it->h, "created_at");
    n = s ? ngx_atotm(s->data, s->len) : NGX_ERROR;
    it->created = n == NGX_ERROR ? 0 : (time_t) n;

    dls = json_object_get(o, "deadlines");
    open = json_array();

    if (open == NULL) {
        json_decref(o);
        return NGX_ERROR;
    }

    json_array_foreach(dls, i, d) {
        if (json_object_get(d, "met") != NULL) {
            continue;
        }

        json_array_append(open, d);
    }

    /* sorted by due already: the first open one is the nearest */

    if (json_array_size(open)) {
        v = json_object_get(json_array_get(open, 0), "due");

        if (json_is_string(v)
            && ngx_pa_rfc3339_parse((u_char *) json_string_value(v),
                                    json_string_length(v), &it->next_due)
               != 0)
        {
            it->next_due = 0;
        }
    }

    it->item = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?,"
                         " s:O?, s:o, s:O, s:o}",
                         "id", json_object_get(o, "id"),
                         "status", json_object_get(o, "status"),
                         "urgent", json_object_get(o, "urgent"),
                         "hidden", json_object_get(o, "hidden"),
                         "category", json_object_get(o, "category"),
                         "title", json_object_get(o, "title"),
                         "created_at", json_object_get(o, "created_at"),
                         "agencies", json_object_get(o, "agencies"),
                         "lead", json_object_get(o, "lead"),
                         "deadlines", open,
                         "overdue", json_object_get(o, "overdue"),
                         "next_due", it->next_due
                                     ? ngx_pa_time_json(pmcf, it->next_due)
                                     : json_null());

    json_decref(o);

    return it->item ? NGX_OK : NGX_ERROR;
}


static ngx_uint_t
ngx_pa_queue_keep(ngx_pa_queue_t *q, ngx_pa_queue_item_t *it)
{
    json_t      *d;
    size_t       i;
    ngx_str_t   *v;

    if (q->overdue_only && !json_is_true(json_object_get(it->item,
                                                         "overdue")))
    {
        return 0;
    }

    v = ngx_pa_hash_get(&it->h, "status");
    if (v == NULL) {
        return 0;
    }

    /*
     * aq:<agency> scores apart the reports an agency returned (the IOC
     * sent them elsewhere): not its work; checked again here
     */

    if (!ngx_pa_view_visible(&q->caller, &it->h)) {
        return 0;
    }

    switch (q->caller.role) {

    case NGX_PA_ROLE_HANDLER:

        /* resolved: only while a comment waits for the agency's answer */

        if (v->len == 8 && ngx_strncmp(v->data, "resolved", 8) == 0) {
            json_array_foreach(json_object_get(it->item, "deadlines"), i, d)
            {
                if (json_string_value(json_object_get(d, "step"))
                    && ngx_strcmp(json_string_value(json_object_get(d,
                                                                 "step")),
                                  "reply") == 0)
                {
                    return 1;
                }
            }

            return 0;
        }

        return 1;

    case NGX_PA_ROLE_COORDINATOR:

        /* aq:<agency> scores apart the reports it does not coordinate */

        v = ngx_pa_hash_get(&it->h, "coordinator");

        return v != NULL && v->len == q->caller.agency.len
               && ngx_strncmp(v->data, q->caller.agency.data, v->len) == 0;

    default:
        return 1;
    }
}


/* urgent first, then the nearest open deadline, then the oldest */

static int ngx_libc_cdecl
ngx_pa_queue_cmp(const void *one, const void *two)
{
    const ngx_pa_queue_item_t  *a = one, *b = two;

    if (a->urgent != b->urgent) {
        return a->urgent ? -1 : 1;
    }

    if (a->next_due != b->next_due) {
        if (a->next_due == 0 || b->next_due == 0) {
            return a->next_due == 0 ? 1 : -1;
        }

        return a->next_due < b->next_due ? -1 : 1;
    }

    if (a->created != b->created) {
        return a->created < b->created ? -1 : 1;
    }

    if (a->id == NULL || b->id == NULL) {
        return 0;
    }

    return (int) ngx_memn2cmp(a->id->data, b->id->data, a->id->len,
                              b->id->len);
}


static ngx_uint_t
ngx_pa_queue_in(ngx_str_t *s, const char **list)
{
    ngx_uint_t  i;

    for (i = 0; list[i]; i++) {
        if (s->len == ngx_strlen(list[i])
            && ngx_strncmp(s->data, list[i], s->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}
