/*
 * What a caller sees of a stored report: the report hash (HGETALL) turned
 * into the contract's JSON, with what each audience may see.  Personal
 * data never leaves here: its sealed fields are skipped for everyone, and
 * only the public view, when the reporter allowed it, opens the name.
 */

#ifndef NGX_PA_VIEW_H
#define NGX_PA_VIEW_H

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_json.h"
#include "ngx_pa_redis.h"

#include <jansson.h>


#define NGX_PA_KEY_NAME  128     /* longest hash field name */

typedef enum {
    NGX_PA_VIEW_REPORTER = 0,   /* the reporter, by access token */
    NGX_PA_VIEW_STAFF,          /* IOC, agencies, supervisors */
    NGX_PA_VIEW_PUBLIC          /* published reports, anyone */
} ngx_pa_view_e;

typedef struct {
    ngx_str_t    *kv;          /* name, value, name, value ... */
    ngx_uint_t    n;           /* pairs */
    ngx_uint_t    lean;        /* stored with "doc" (ngx_pa_doc.h) */
} ngx_pa_hash_t;

typedef struct {
    ngx_str_t    *items;
    ngx_uint_t    n;
} ngx_pa_list_t;


/*
 * the same for an HMGET reply of the fields "names" lists; nil: absent
 * ("doc" unfolded too)
 */
ngx_int_t ngx_pa_hash_from_values(ngx_pool_t *pool, redisReply *names,
    redisReply *values, ngx_pa_hash_t *h);

/*
 * copies an HGETALL reply (hiredis frees it) into the pool; the cold
 * fields of "doc" become fields again (ngx_pa_doc_unfold)
 */
ngx_int_t ngx_pa_hash_from_reply(ngx_pool_t *pool, redisReply *reply,
    ngx_pa_hash_t *h);

/* copies an array of strings (LRANGE) into the pool */
ngx_int_t ngx_pa_list_from_reply(ngx_pool_t *pool, redisReply *reply,
    ngx_pa_list_t *l);

ngx_str_t *ngx_pa_hash_get(ngx_pa_hash_t *h, const char *name);

/*
 * A record stored lean (h->lean) implies its first history entry, the
 * submission's: prepended to history when that list, the last cap
 * entries read, holds fewer than cap (so it starts at the beginning).
 */
ngx_int_t ngx_pa_view_history_first(ngx_pool_t *pool,
    ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h, ngx_pa_list_t *history,
    ngx_uint_t cap);

/* the field is "1" */
ngx_uint_t ngx_pa_hash_flag(ngx_pa_hash_t *h, const char *name);

/*
 * May the caller see this report at all?  ioc, admin, a supervisor
 * without an agency (or of the province itself): every report (hidden
 * ones too); a supervisor of a superior body: reports an agency of its
 * subtree holds, coordinates, monitors or handled before; handler,
 * leader, coordinator: reports whose "agencies" hold their agency or
 * whose coordinator it is; the reporter: the report whose token_hash
 * matches (constant time).  Callers answer 404 when not: existence never
 * leaks.
 */
ngx_uint_t ngx_pa_view_visible(ngx_pa_caller_t *caller, ngx_pa_hash_t *h);

/*
 * A report the caller's agency handled and no longer holds (it returned
 * it, or the IOC dispatched it elsewhere): "former_agencies" names it.
 * Such an agency reads a short view (ngx_pa_view_former_report), nothing
 * more.
 */
ngx_uint_t ngx_pa_view_former(ngx_pa_caller_t *caller, ngx_pa_hash_t *h);

/*
 * What a former agency reads: {id, status, former_agency: true, with
 * ("ioc", "reporter", "agency", "superior", "closed"), agencies (when
 * with an agency again), returns: [{at, kind, message}] of its own
 * returns, updated_at}.  No content, no position, no personal data.
 */
json_t *ngx_pa_view_former_report(ngx_http_request_t *r,
    ngx_pa_caller_t *caller, ngx_pa_hash_t *h, ngx_pa_list_t *history);

/*
 * May anyone see it (ngx_pa_public.c, also for Open311): resolved,
 * published, not hidden, not private, not secret.
 */
ngx_uint_t ngx_pa_public_shown(ngx_pa_hash_t *h);

/* the report as the audience sees it (without its history) */
json_t *ngx_pa_view_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_pa_view_e audience);

/*
 * The history entries (JSON) for the audience: staff get them as stored;
 * the reporter gets {at, role, actor, action, from, to, note} (+ reason,
 * kind, rating, comment_id) with staff actors replaced by their role.
 */
json_t *ngx_pa_view_history(ngx_http_request_t *r, ngx_pa_list_t *history,
    ngx_pa_view_e audience);

/* what speaks to the reporter: request_info, reject, return, publish ... */
json_t *ngx_pa_view_messages(ngx_http_request_t *r, ngx_pa_list_t *history);

/* the reporter's name, phone or e-mail opened from "pii_<what>" */
ngx_int_t ngx_pa_view_pii(ngx_http_request_t *r, ngx_pa_hash_t *h,
    const char *field, ngx_str_t *plain);

/* "/media/<sha256>.<ext>": the copy without metadata */
json_t *ngx_pa_view_media_url(ngx_http_request_t *r, ngx_str_t *report_id,
    json_t *item);

/* a query argument of the read routes, unescaped ("a%2Cb" is "a,b") */
ngx_int_t ngx_pa_view_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value);

/* sends body (dropping the reference) with Cache-Control; NULL: 500 */
ngx_int_t ngx_pa_view_send(ngx_http_request_t *r, ngx_uint_t status,
    json_t *body, const char *cache_control);

/* a whole number query argument in 1..max, def when absent (400 in err) */
ngx_int_t ngx_pa_view_number(ngx_http_request_t *r, const char *name,
    ngx_int_t def, ngx_int_t max, ngx_int_t *out, ngx_pa_err_t *err);

#endif /* NGX_PA_VIEW_H */
