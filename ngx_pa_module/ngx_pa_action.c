/*
 * POST /api/v1/reports/{id}/actions: every workflow action of api.md.
 *
 * The worker decides what it can without the stored report: the caller's
 * role (403), the action's fields (400), the deadlines the action opens,
 * computed on the working calendar for both the normal and the urgent
 * case.  act.lua then checks, atomically, what needs the report: that the
 * caller may see it (404), the state (409), agency rules, and writes the
 * transition, history, indexes, deadlines, counters and event at once.
 */

#include "ngx_pa.h"
#include "ngx_pa_action_idem.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_comment.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_pubver.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_action.h"
#include "ngx_pa_validate.h"
#include "ngx_pa_view.h"


#define NGX_PA_MESSAGE_MAX   2000
#define NGX_PA_AGENCIES_MAX  10

/*
 * The furthest an agency may ask to move its handling deadline (past
 * pa_extend_max the IOC decides): a year, so that "2999-01-01" is a 400.
 */
#define NGX_PA_EXTEND_ASK_DAYS  365
#define NGX_PA_EXTEND_ASK_TEXT  "365"

#define NGX_PA_R(role)       NGX_PA_ROLE_BIT(NGX_PA_ROLE_ ## role)

/* states from which an action may start */
#define NGX_PA_BEFORE_WORK                                                    \
    ",submitted,needs_info,verified,received,coordinating,dispatched,"
#define NGX_PA_OPEN_STATES                                                    \
    ",submitted,needs_info,verified,received,coordinating,dispatched,"       \
    "in_progress,awaiting_approval,under_review,"


typedef struct ngx_pa_action_s  ngx_pa_action_t;

typedef ngx_int_t (*ngx_pa_action_prepare_pt)(ngx_pa_action_t *a);

typedef struct {
    const char                *name;
    ngx_uint_t                 roles;
    const char                *from;     /* ",a,b," or "*" */
    const char                *to;       /* "" keeps the state */
    ngx_pa_action_prepare_pt   prepare;
} ngx_pa_action_def_t;

struct ngx_pa_action_s {
    ngx_http_request_t        *request;
    ngx_pa_ctx_t              *ctx;
    ngx_pa_main_conf_t        *conf;
    ngx_pa_action_def_t       *def;
    ngx_pa_caller_t            caller;
    ngx_pa_body_t              body;
    ngx_pa_record_t            rec;       /* fields the action sets */
    ngx_pa_err_t               err;

    const char                *from;     /* may differ from def->from */
    const char                *to;       /* may differ from def->to */
    unsigned                   extend_days:1;  /* extend asked "days" */
    ngx_int_t                  extend_n;  /* extend: days asked */
    time_t                     extend_until;  /* extend: until asked */
    ngx_str_t                  note;     /* message for the history */
    ngx_str_t                  idem;     /* the Idempotency-Key's key */

    ngx_array_t               *close;    /* ngx_str_t deadline keys */
    ngx_array_t               *open;     /* ngx_str_t key, due, due urgent */
    ngx_array_t               *reopen;   /* ngx_str_t keys */
    ngx_array_t               *extra;    /* ngx_str_t name, value */

    ngx_array_t               *keys;     /* of the act.lua call */
    ngx_array_t               *args;

    ngx_pa_hash_t              stored;   /* the report act.lua returned */
};


static ngx_int_t ngx_pa_action_send(ngx_pa_action_t *a);
static void ngx_pa_action_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static void ngx_pa_action_answer(ngx_http_request_t *r, void *data);
static void ngx_pa_action_stored(ngx_http_request_t *r, void *data,
    ngx_int_t rc);
static ngx_int_t ngx_pa_action_eval(ngx_pa_action_t *a, ngx_int_t stored);

static ngx_int_t ngx_pa_act_verify(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_request_info(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_supplement(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_reject(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_cancel(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_receive(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_dispatch(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_coordinate(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_identify(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_accept(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_return(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_extend(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_extend_read(ngx_pa_action_t *a);
static void ngx_pa_act_extend_base(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);
static ngx_int_t ngx_pa_act_extend_to(ngx_pa_action_t *a, time_t base);
static ngx_int_t ngx_pa_act_resolve(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_approve(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_send_back(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_confirm(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_publish(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_review_return(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_hide(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_unhide(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_forward(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_escalate(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_review_rating(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_reopen(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_rate(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_comment(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_reply(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_flag_comment(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_approve_extension(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_reject_extension(ngx_pa_action_t *a);
static ngx_int_t ngx_pa_act_extension_answer(ngx_pa_action_t *a,
    ngx_uint_t why);

static ngx_int_t ngx_pa_action_message(ngx_pa_action_t *a, const char *name,
    ngx_uint_t required);
static ngx_int_t ngx_pa_action_agencies(ngx_pa_action_t *a,
    const char *name, ngx_uint_t required, ngx_str_t *list);
static ngx_int_t ngx_pa_action_agency(ngx_pa_action_t *a, const char *name,
    ngx_uint_t required, ngx_str_t *id);
static ngx_int_t ngx_pa_action_deadline(ngx_pa_action_t *a,
    const char *step, const char *key);
static ngx_int_t ngx_pa_action_next(ngx_pa_action_t *a, const char *step);
static ngx_int_t ngx_pa_action_close(ngx_pa_action_t *a, const char *key);
static ngx_int_t ngx_pa_action_extra(ngx_pa_action_t *a, const char *name,
    ngx_str_t *value);
static ngx_int_t ngx_pa_action_time_extra(ngx_pa_action_t *a,
    const char *name, time_t t);
static ngx_int_t ngx_pa_action_list(ngx_http_request_t *r,
    ngx_array_t *args, ngx_array_t *list);


/*
 * api.md's table.  "from" is what the state must be; act.lua checks it
 * against the stored state, atomically with the write.
 */

static ngx_pa_action_def_t  ngx_pa_actions[] = {

    { "verify", NGX_PA_R(IOC), ",submitted,", "verified",
      ngx_pa_act_verify },

    /* from "received": a report an agency returned as unclear */
    { "request_info", NGX_PA_R(IOC), ",submitted,verified,received,",
      "needs_info", ngx_pa_act_request_info },

    /* back where request_info took it from (act.lua: "info_from") */
    { "supplement", NGX_PA_R(REPORTER), ",needs_info,", "submitted",
      ngx_pa_act_supplement },

    { "reject", NGX_PA_R(IOC), ",submitted,verified,needs_info,received,",
      "rejected", ngx_pa_act_reject },

    { "cancel", NGX_PA_R(REPORTER), NGX_PA_BEFORE_WORK, "cancelled",
      ngx_pa_act_cancel },

    { "receive", NGX_PA_R(IOC), ",verified,", "received",
      ngx_pa_act_receive },

    /* from "escalated": the superior's direction comes back */
    { "dispatch", NGX_PA_R(IOC), ",received,escalated,", "dispatched",
      ngx_pa_act_dispatch },

    { "coordinate", NGX_PA_R(IOC), ",received,", "coordinating",
      ngx_pa_act_coordinate },

    { "identify", NGX_PA_R(COORDINATOR), ",coordinating,", "received",
      ngx_pa_act_identify },

    { "accept", NGX_PA_R(HANDLER), ",dispatched,in_progress,", "in_progress",
      ngx_pa_act_accept },

    { "return", NGX_PA_R(HANDLER), ",dispatched,in_progress,", "received",
      ngx_pa_act_return },

    { "extend", NGX_PA_R(HANDLER), ",in_progress,", "",
      ngx_pa_act_extend },

    /* an extension beyond pa_extend_max waits for the IOC (README) */
    { "approve_extension", NGX_PA_R(IOC), ",in_progress,", "",
      ngx_pa_act_approve_extension },

    { "reject_extension", NGX_PA_R(IOC), ",in_progress,", "",
      ngx_pa_act_reject_extension },

    { "resolve", NGX_PA_R(HANDLER), ",in_progress,", "under_review",
      ngx_pa_act_resolve },

    { "approve", NGX_PA_R(LEADER), ",awaiting_approval,", "under_review",
      ngx_pa_act_approve },

    { "send_back", NGX_PA_R(LEADER), ",awaiting_approval,", "in_progress",
      ngx_pa_act_send_back },

    { "confirm", NGX_PA_R(COORDINATOR), ",under_review,", "under_review",
      ngx_pa_act_confirm },

    { "publish", NGX_PA_R(IOC), ",under_review,", "resolved",
      ngx_pa_act_publish },

    { "review_return", NGX_PA_R(IOC), ",under_review,resolved,",
      "in_progress", ngx_pa_act_review_return },

    /* a handler too where the profile says so (pa_hide_by) */
    { "hide", NGX_PA_R(IOC) | NGX_PA_R(HANDLER), "*", "", ngx_pa_act_hide },

    { "unhide", NGX_PA_R(IOC) | NGX_PA_R(HANDLER), "*", "",
      ngx_pa_act_unhide },

    { "forward_monitoring", NGX_PA_R(IOC), ",received,", "monitoring",
      ngx_pa_act_forward },

    /* the lead agency too where the profile says so (pa_escalate_by) */
    { "escalate", NGX_PA_R(IOC) | NGX_PA_R(HANDLER), NGX_PA_OPEN_STATES,
      "escalated", ngx_pa_act_escalate },

    { "rate", NGX_PA_R(REPORTER), ",resolved,", "", ngx_pa_act_rate },

    /* the IOC's answer to an unsatisfied rating: keep the result ... */
    { "review_rating", NGX_PA_R(IOC), ",resolved,", "",
      ngx_pa_act_review_rating },

    /* ... or send it back to the same agency for a new handling */
    { "reopen", NGX_PA_R(IOC), ",resolved,", "in_progress",
      ngx_pa_act_reopen },

    { "comment", NGX_PA_R(REPORTER), ",resolved,", "", ngx_pa_act_comment },

    { "reply", NGX_PA_R(HANDLER), ",resolved,", "", ngx_pa_act_reply },

    /* the IOC marks a comment as violating (LC26 Điều 14 sanctions) */
    { "flag_comment", NGX_PA_R(IOC), ",resolved,", "",
      ngx_pa_act_flag_comment },

    { NULL, 0, NULL, NULL, NULL }
};


ngx_int_t
ngx_pa_action_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t         rc;
    ngx_str_t         name;
    ngx_uint_t        i;
    ngx_pa_action_t  *a;

    a = ngx_pcalloc(r->pool, sizeof(ngx_pa_action_t));
    if (a == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a->request = r;
    a->ctx = ctx;
    a->conf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    ctx->data = a;

    rc = ngx_pa_auth(r, ctx, &a->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    if (ngx_pa_body_parse(r, &a->body, &a->err) != NGX_OK) {
        return ngx_pa_fail(r, &a->err);
    }

    if (ngx_pa_record_init(r, &a->rec, a->body.fields, &a->err) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_record_text(&a->rec, "action", 1, 32, &name) != NGX_OK) {
        return ngx_pa_fail(r, &a->err);
    }

    for (i = 0; ngx_pa_actions[i].name; i++) {
        if (ngx_strlen(ngx_pa_actions[i].name) == name.len
            && ngx_strncmp(ngx_pa_actions[i].name, name.data, name.len) == 0)
        {
            a->def = &ngx_pa_actions[i];
            break;
        }
    }

    if (a->def == NULL) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "action", "no such action");
    }

    if (!(a->def->roles & NGX_PA_ROLE_BIT(a->caller.role))
        || ((a->def->prepare == ngx_pa_act_hide
             || a->def->prepare == ngx_pa_act_unhide)
            && !(a->conf->hide_roles & NGX_PA_ROLE_BIT(a->caller.role)))
        || (a->def->prepare == ngx_pa_act_escalate
            && !(a->conf->escalate_roles
                 & NGX_PA_ROLE_BIT(a->caller.role))))
    {
        return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                                 "your role may not take this action");
    }

    a->from = a->def->from;
    a->to = a->def->to;

    a->close = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
    a->open = ngx_array_create(r->pool, 6, sizeof(ngx_str_t));
    a->reopen = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    a->extra = ngx_array_create(r->pool, 8, sizeof(ngx_str_t));

    if (a->close == NULL || a->open == NULL || a->reopen == NULL
        || a->extra == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (a->def->prepare(a) != NGX_OK || a->rec.failed
        || ngx_pa_action_idem(r, ctx, &a->caller, &a->body, a->extra,
                              &a->idem, &a->err)
           != NGX_OK)
    {
        return ngx_pa_fail(r, &a->err);
    }

    if (a->def->prepare == ngx_pa_act_extend) {
        return ngx_pa_act_extend_read(a);
    }

    return ngx_pa_action_send(a);
}


/* ------------------------------------------------------------ actions */

static ngx_int_t
ngx_pa_act_verify(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_action_close(a, "verify");

    return ngx_pa_action_next(a, "receive");
}


static ngx_int_t
ngx_pa_act_request_info(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_action_close(a, "verify");
    ngx_pa_action_close(a, "receive");

    /* from "received": the reporter, not the IOC, holds it now */
    ngx_pa_action_close(a, "dispatch");

    return ngx_pa_action_deadline(a, "supplement", "supplement");
}


static ngx_int_t
ngx_pa_act_supplement(ngx_pa_action_t *a)
{
    json_t           *media, *o;
    ngx_str_t         content;
    ngx_uint_t        i;
    ngx_pa_sla_t     *sla;
    ngx_pa_media_t  **m;

    if (ngx_pa_record_text(&a->rec, "content", 0, a->conf->content_max,
                           &content)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (content.len == 0 && a->body.media.nelts == 0) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "content", "send the missing information or media");
        return NGX_ERROR;
    }

    a->note = content;

    if (a->body.media.nelts) {
        media = json_array();
        if (media == NULL) {
            return NGX_ERROR;
        }

        m = a->body.media.elts;

        for (i = 0; i < a->body.media.nelts; i++) {
            o = ngx_pa_record_media_json(a->request, m[i]);
            if (o == NULL) {
                json_decref(media);
                return NGX_ERROR;
            }

            json_array_append_new(media, o);
        }

        /* appended to the stored media by act.lua */
        if (ngx_pa_record_put_json(&a->rec, "+media", media) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ngx_pa_action_close(a, "supplement");

    /*
     * The report goes back where request_info took it from (act.lua
     * knows which): the IOC's next step there opens, from now.
     */

    if (ngx_pa_action_deadline(a, "receive", "verified>receive") != NGX_OK
        || ngx_pa_action_deadline(a, "dispatch", "received>dispatch")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* LC25 / ĐB: a report no area holds waits for a dispatch again */

    sla = ngx_pa_sla_find(a->conf, "dispatch");

    if (sla && sla->from_submission
        && ngx_pa_action_deadline(a, "dispatch", "submitted>dispatch")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!a->conf->verification) {
        return ngx_pa_action_deadline(a, "receive", "submitted>receive");
    }

    return ngx_pa_action_deadline(a, "verify", "submitted>verify");
}


static ngx_int_t
ngx_pa_act_reject(ngx_pa_action_t *a)
{
    ngx_int_t           violation;
    const char         *reason;
    static const char  *reasons[] = {
        "no_media", "unclear_media", "edited_media", "supplement_timeout",
        "identity_unverified", "identity_inaccurate", "duplicate",
        "duplicate_in_progress", "unclear_or_test", "other", NULL
    };

    reason = NULL;

    if (ngx_pa_record_enum(&a->rec, "reason", reasons, &reason) != NGX_OK) {
        return NGX_ERROR;
    }

    if (reason == NULL) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "reason", "a reject reason code is required");
        return NGX_ERROR;
    }

    violation = 0;

    if (ngx_pa_record_bool(&a->rec, "violation", &violation) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(&a->rec, "reject_reason", reason);

    if (violation) {
        ngx_pa_action_extra(a, "violation", &(ngx_str_t) ngx_string("1"));
    }

    return ngx_pa_action_close(a, "*");
}


static ngx_int_t
ngx_pa_act_cancel(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_action_close(a, "*");
}


static ngx_int_t
ngx_pa_act_receive(ngx_pa_action_t *a)
{
    ngx_str_t   content, category, agency;
    ngx_int_t   urgent, sensitive;
    ngx_uint_t  cat_urgent;

    /* without a separate verification the IOC receives what was sent */

    if (!a->conf->verification) {
        a->from = ",submitted,verified,";
    }

    if (ngx_pa_record_text(&a->rec, "content", 0, a->conf->content_max,
                           &content)
        != NGX_OK
        || ngx_pa_action_agency(a, "category", 0, &category) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (content.len) {
        /* the original text stays in content_original */
        ngx_pa_record_put(&a->rec, "content", &content);
    }

    urgent = -1;
    sensitive = -1;

    if (ngx_pa_record_bool(&a->rec, "urgent", &urgent) != NGX_OK
        || ngx_pa_record_bool(&a->rec, "sensitive", &sensitive) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (category.len) {
        if (ngx_pa_directory_category(a->conf, &category, &cat_urgent,
                                      &agency)
            != NGX_OK)
        {
            ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "category", "no such category in the directory");
            return NGX_ERROR;
        }

        ngx_pa_record_put(&a->rec, "category", &category);

        if (cat_urgent && urgent == -1) {
            urgent = 1;
        }
    }

    if (urgent != -1) {
        ngx_pa_record_put_cstr(&a->rec, "urgent", urgent ? "1" : "0");
    }

    if (sensitive != -1) {
        ngx_pa_record_put_cstr(&a->rec, "sensitive", sensitive ? "1" : "0");
    }

    ngx_pa_action_close(a, "verify");
    ngx_pa_action_close(a, "receive");

    if (a->conf->auto_dispatch) {

        /*
         * LC25 / ĐB: the report goes straight to the agency whose area
         * holds its position (found at submit time, "auto_agency").
         */

        a->to = "dispatched";
        ngx_pa_action_extra(a, "auto_dispatch", &(ngx_str_t) ngx_string("1"));

        if (ngx_pa_action_deadline(a, "accept", "accept@") != NGX_OK
            || ngx_pa_action_deadline(a, "resolve", "resolve@") != NGX_OK
            || ngx_pa_action_deadline(a, "notify", "notify") != NGX_OK)
        {
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    return ngx_pa_action_next(a, "dispatch");
}


static ngx_int_t
ngx_pa_act_dispatch(ngx_pa_action_t *a)
{
    u_char     *p, *q, *end;
    u_char      key[NGX_PA_KEY_NAME];
    ngx_str_t   list;

    if (ngx_pa_action_agencies(a, "agencies", 1, &list) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_action_extra(a, "agencies", &list);
    ngx_pa_action_close(a, "dispatch");

    /* each agency: accept within its SLA, handle within the handling SLA */

    p = list.data + 1;
    end = list.data + list.len;

    while (p < end) {
        q = ngx_strlchr(p, end, ',');
        if (q == NULL || q == p) {
            break;
        }

        (void) ngx_sprintf(key, "accept@%*s%Z", (size_t) (q - p), p);
        if (ngx_pa_action_deadline(a, "accept", (char *) key) != NGX_OK) {
            return NGX_ERROR;
        }

        (void) ngx_sprintf(key, "resolve@%*s%Z", (size_t) (q - p), p);
        if (ngx_pa_action_deadline(a, "resolve", (char *) key) != NGX_OK) {
            return NGX_ERROR;
        }

        p = q + 1;
    }

    /* LC25 / ĐB: the reporter hears of the status after 6 days */
    return ngx_pa_action_deadline(a, "notify", "notify");
}


static ngx_int_t
ngx_pa_act_coordinate(ngx_pa_action_t *a)
{
    ngx_str_t  coordinator;

    if (ngx_pa_action_agency(a, "coordinator", 1, &coordinator) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_record_put(&a->rec, "coordinator", &coordinator);
    ngx_pa_action_extra(a, "coordinator", &coordinator);
    ngx_pa_action_close(a, "dispatch");

    return ngx_pa_action_deadline(a, "identify", "identify");
}


static ngx_int_t
ngx_pa_act_identify(ngx_pa_action_t *a)
{
    ngx_str_t  list;

    if (ngx_pa_action_agencies(a, "agencies", 1, &list) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_record_put(&a->rec, "suggested_agencies", &list);
    ngx_pa_action_extra(a, "coordinator_only", &(ngx_str_t) ngx_string("1"));
    ngx_pa_action_close(a, "identify");

    return ngx_pa_action_deadline(a, "dispatch", "dispatch");
}


static ngx_int_t
ngx_pa_act_accept(ngx_pa_action_t *a)
{
    u_char  key[NGX_PA_KEY_NAME];

    if (ngx_pa_action_message(a, "message", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(key, "accept@%V%Z", &a->caller.agency);

    return ngx_pa_action_close(a, (char *) key);
}


static ngx_int_t
ngx_pa_act_return(ngx_pa_action_t *a)
{
    ngx_str_t           suggested;
    const char         *kind;
    static const char  *kinds[] = { "not_competent", "needs_info", NULL };

    kind = NULL;

    if (ngx_pa_record_enum(&a->rec, "kind", kinds, &kind) != NGX_OK
        || ngx_pa_action_message(a, "message", 1) != NGX_OK
        || ngx_pa_action_agency(a, "suggested_agency", 0, &suggested)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (kind == NULL) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "kind", "not_competent or needs_info");
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(&a->rec, "return_kind", kind);
    ngx_pa_record_put(&a->rec, "returned_by", &a->caller.agency);

    if (suggested.len) {
        ngx_pa_record_put(&a->rec, "suggested_agencies", &suggested);
    }

    ngx_pa_action_close(a, "accept@*");
    ngx_pa_action_close(a, "resolve@*");
    ngx_pa_action_close(a, "notify");

    return ngx_pa_action_deadline(a, "dispatch", "dispatch");
}


static ngx_int_t
ngx_pa_act_extend(ngx_pa_action_t *a)
{
    json_t     *v;
    time_t      until;
    ngx_str_t   reason;
    ngx_int_t   days;

    if (ngx_pa_record_text(&a->rec, "reason", 1, NGX_PA_MESSAGE_MAX, &reason)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    a->note = reason;
    until = 0;

    if (ngx_pa_record_time(&a->rec, "until", &until) != NGX_OK) {
        return NGX_ERROR;
    }

    if (until == 0) {
        v = json_object_get(a->body.fields, "days");

        days = json_is_integer(v) ? (ngx_int_t) json_integer_value(v)
               : json_is_string(v) ? ngx_atoi((u_char *) json_string_value(v),
                                              json_string_length(v))
               : -1;

        if (v == NULL) {
            ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                           "until", "give until (RFC 3339) or days");
            return NGX_ERROR;
        }

        if (days < 1 || days > NGX_PA_EXTEND_ASK_DAYS) {
            ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "days", "days must be 1 to "
                           NGX_PA_EXTEND_ASK_TEXT " working days");
            return NGX_ERROR;
        }

        /* counted from the current deadline: ngx_pa_act_extend_to() */
        a->extend_n = days;
        a->extend_days = 1;

        return NGX_OK;
    }

    if (until <= a->ctx->now) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "until", "the new deadline must be in the future");
        return NGX_ERROR;
    }

    /* a date any further is a typing error, not a request */

    if (until > a->ctx->now + NGX_PA_EXTEND_ASK_DAYS * 86400) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "until", "the new deadline is further than "
                       NGX_PA_EXTEND_ASK_TEXT " days away");
        return NGX_ERROR;
    }

    a->extend_until = until;

    return NGX_OK;
}


/*
 * An extension ("gia hạn") adds to the deadline in force: "days" are N
 * working days past the current handling deadline, and pa_extend_max
 * counts from there too.  LC26 Đ14 and VL Đ15 only hold the agency to
 * "the extended time"; "gia hạn thêm N ngày" is read, as in Vietnamese
 * administrative practice, as N more days on the deadline it had.
 * Counted from now, an agency asking early got less than it asked, or
 * an earlier date.  A deadline already missed counts from now.  So the
 * deadline is read first (one HGET; act.lua still refuses a second
 * extension or a date not after the deadline, should it move).
 */

static ngx_int_t
ngx_pa_act_extend_read(ngx_pa_action_t *a)
{
    ngx_str_t           *key, field;
    ngx_array_t         *keys;
    ngx_http_request_t  *r;
    const char          *argv[3];
    size_t               argvlen[3];

    r = a->request;

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    if (keys == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_pa_key(r, keys, "r:%V", &a->ctx->id);

    field.len = sizeof("dl:resolve@") - 1 + a->caller.agency.len;
    field.data = ngx_pnalloc(r->pool, field.len);

    if (key == NULL || field.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(field.data, "dl:resolve@%V", &a->caller.agency);

    argv[0] = "HGET";
    argv[1] = (char *) key->data;
    argv[2] = (char *) field.data;
    argvlen[0] = 4;
    argvlen[1] = key->len;
    argvlen[2] = field.len;

    return ngx_pa_call(r, a->ctx, 3, argv, argvlen, ngx_pa_act_extend_base);
}


static void
ngx_pa_act_extend_base(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply       *reply = data;
    time_t            base;
    ngx_int_t         rc;
    ngx_pa_action_t  *a;

    a = ctx->data;
    base = a->ctx->now;

    if (reply->type == REDIS_REPLY_STRING) {
        base = ngx_max(base, ngx_atotm((u_char *) reply->str, reply->len));

    } else if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: extend: the handling deadline not read: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the action could not be "
                                             "stored, try again"));
        return;

    } else if (reply->type != REDIS_REPLY_NIL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: extend: the handling deadline not read");
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* none (not this agency's, not open): act.lua says why */

    if (ngx_pa_act_extend_to(a, base) != NGX_OK) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_pa_action_send(a);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


static ngx_int_t
ngx_pa_act_extend_to(ngx_pa_action_t *a, time_t base)
{
    time_t      until, most, day;
    ngx_str_t  *due;

    day = ngx_pa_calendar_day_seconds(a->conf->calendar);

    until = a->extend_days
            ? ngx_pa_calendar_add(a->conf->calendar, base, a->extend_n * day)
            : a->extend_until;

    /*
     * Beyond pa_extend_max the agency only asks: act.lua records the
     * request and the deadline stays until the IOC grants it
     * (approve_extension) or refuses it (reject_extension).
     */

    most = ngx_pa_calendar_add(a->conf->calendar, base,
                               a->conf->extend_max * day);

    if (until > most
        && ngx_pa_action_extra(a, "pending", &(ngx_str_t) ngx_string("1"))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_pa_action_time_extra(a, "until_text", until) != NGX_OK) {
        return NGX_ERROR;
    }

    /* act.lua refuses a date that is not after the current deadline */

    due = ngx_array_push(a->extra);
    if (due == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(due, "until");

    due = ngx_array_push(a->extra);
    if (due == NULL) {
        return NGX_ERROR;
    }

    due->data = ngx_pnalloc(a->request->pool, NGX_TIME_T_LEN);
    if (due->data == NULL) {
        return NGX_ERROR;
    }

    due->len = ngx_sprintf(due->data, "%T", until) - due->data;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_act_resolve(ngx_pa_action_t *a)
{
    json_t           *result, *media, *o;
    ngx_str_t         summary, salutation;
    ngx_uint_t        i;
    ngx_pa_media_t  **m;

    if (ngx_pa_record_text(&a->rec, "summary", 1, a->conf->content_max,
                           &summary)
        != NGX_OK
        || ngx_pa_record_text(&a->rec, "salutation", 0, 50, &salutation)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    media = json_array();
    if (media == NULL) {
        return NGX_ERROR;
    }

    m = a->body.media.elts;

    for (i = 0; i < a->body.media.nelts; i++) {
        o = ngx_pa_record_media_json(a->request, m[i]);
        if (o == NULL) {
            json_decref(media);
            return NGX_ERROR;
        }

        json_array_append_new(media, o);
    }

    result = json_pack("{s:s#, s:s#, s:s#, s:o, s:o}",
                       "agency", a->caller.agency.data,
                       (int) a->caller.agency.len,
                       "salutation",
                       salutation.len ? (char *) salutation.data : "Ông/Bà",
                       salutation.len ? (int) salutation.len
                                      : (int) sizeof("Ông/Bà") - 1,
                       "summary", summary.data, (int) summary.len,
                       "media", media,
                       "at", ngx_pa_time_json(a->conf, a->ctx->now));
    if (result == NULL) {
        return NGX_ERROR;
    }

    if (ngx_pa_record_put_json(&a->rec, "result", result) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_record_put_int(&a->rec, "resolved_at", a->ctx->now);
    ngx_pa_action_extra(a, "lead_only", &(ngx_str_t) ngx_string("1"));
    ngx_pa_action_close(a, "resolve@*");
    ngx_pa_action_close(a, "accept@*");

    if (a->conf->leader_approval) {
        a->to = "awaiting_approval";
        return ngx_pa_action_deadline(a, "approve", "approve");
    }

    if (a->conf->coordinator) {
        ngx_pa_action_deadline(a, "confirm", "confirm");
    }

    return ngx_pa_action_deadline(a, "publish", "publish");
}


static ngx_int_t
ngx_pa_act_approve(ngx_pa_action_t *a)
{
    ngx_str_t  summary;

    if (ngx_pa_record_text(&a->rec, "summary", 0, a->conf->content_max,
                           &summary)
        != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (summary.len) {
        /* the leader edits and approves: act.lua updates result.summary */
        ngx_pa_action_extra(a, "summary", &summary);
    }

    ngx_pa_action_extra(a, "lead_only", &(ngx_str_t) ngx_string("1"));
    ngx_pa_action_close(a, "approve");

    if (a->conf->coordinator) {
        ngx_pa_action_deadline(a, "confirm", "confirm");
    }

    return ngx_pa_action_deadline(a, "publish", "publish");
}


static ngx_int_t
ngx_pa_act_send_back(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_action_extra(a, "lead_only", &(ngx_str_t) ngx_string("1"));
    ngx_pa_action_close(a, "approve");

    /* the handling clock never stopped: its deadline opens again */
    return ngx_pa_action_extra(a, "reopen", &(ngx_str_t)
                               ngx_string("resolve@"));
}


static ngx_int_t
ngx_pa_act_confirm(ngx_pa_action_t *a)
{
    ngx_int_t  agree;

    agree = -1;

    if (ngx_pa_record_bool(&a->rec, "agree", &agree) != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (agree == -1) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "agree", "true or false");
        return NGX_ERROR;
    }

    ngx_pa_action_extra(a, "coordinator_only", &(ngx_str_t) ngx_string("1"));
    ngx_pa_action_close(a, "confirm");

    if (agree) {
        ngx_pa_record_put_cstr(&a->rec, "confirmed", "1");
        return NGX_OK;
    }

    /* the coordinator disagrees: back to the handling agency */
    a->to = "in_progress";
    ngx_pa_action_close(a, "publish");

    return ngx_pa_action_extra(a, "reopen", &(ngx_str_t)
                               ngx_string("resolve@"));
}


static ngx_int_t
ngx_pa_act_publish(ngx_pa_action_t *a)
{
    ngx_int_t  secret;
    ngx_str_t  summary;

    secret = 0;

    if (ngx_pa_record_bool(&a->rec, "secret", &secret) != NGX_OK
        || ngx_pa_record_text(&a->rec, "summary", 0, a->conf->content_max,
                              &summary)
           != NGX_OK
        || ngx_pa_action_message(a, "message", 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (summary.len) {
        /* TN Điều 10: the IOC edits the result it publishes (act.lua) */
        ngx_pa_action_extra(a, "summary", &summary);
    }

    if (secret) {
        ngx_pa_record_put_cstr(&a->rec, "secret", "1");
    }

    ngx_pa_record_put_int(&a->rec, "published_at", a->ctx->now);
    ngx_pa_action_close(a, "publish");
    ngx_pa_action_close(a, "confirm");
    ngx_pa_action_close(a, "notify");

    return NGX_OK;
}


static ngx_int_t
ngx_pa_act_review_return(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_action_close(a, "publish");
    ngx_pa_action_close(a, "confirm");

    /*
     * VL: the agency fixes the result within "fix" (1 working hour);
     * without that step the handling deadline opens again.
     */

    if (ngx_pa_sla_find(a->conf, "fix")) {
        return ngx_pa_action_deadline(a, "fix", "resolve@");
    }

    return ngx_pa_action_extra(a, "reopen", &(ngx_str_t)
                               ngx_string("resolve@"));
}


static ngx_int_t
ngx_pa_act_hide(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "reason", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    /* hiding never stops a clock (Điều 16): deadlines are left alone */
    ngx_pa_record_put_cstr(&a->rec, "hidden", "1");

    return NGX_OK;
}


static ngx_int_t
ngx_pa_act_unhide(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "reason", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(&a->rec, "hidden", "0");

    return NGX_OK;
}


static ngx_int_t
ngx_pa_act_forward(ngx_pa_action_t *a)
{
    ngx_str_t  agency;

    if (ngx_pa_action_agency(a, "agency", 0, &agency) != NGX_OK
        || ngx_pa_action_message(a, "message", 1) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (agency.len) {
        ngx_pa_record_put(&a->rec, "monitoring_agency", &agency);
    }

    return ngx_pa_action_close(a, "*");
}


static ngx_int_t
ngx_pa_act_escalate(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    if (a->caller.role == NGX_PA_ROLE_HANDLER) {

        /*
         * LC25 Điều 7.6: the lead agency ("cơ quan chủ trì") reports to
         * the People's Committee what it holds, not what it sent on
         */

        a->from = ",dispatched,in_progress,";
        ngx_pa_action_extra(a, "lead_only", &(ngx_str_t) ngx_string("1"));
    }

    return ngx_pa_action_close(a, "*");
}


static ngx_int_t
ngx_pa_act_review_rating(ngx_pa_action_t *a)
{
    /* the IOC keeps the result: act.lua refuses without an open step */

    if (ngx_pa_action_message(a, "message", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_action_close(a, "review_rating");
}


static ngx_int_t
ngx_pa_act_reopen(ngx_pa_action_t *a)
{
    if (ngx_pa_action_message(a, "message", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_action_close(a, "review_rating");

    /* the same lead agency, a new handling time from now */
    return ngx_pa_action_deadline(a, "resolve", "resolve@");
}


static ngx_int_t
ngx_pa_act_rate(ngx_pa_action_t *a)
{
    const char         *rating;
    static const char  *ratings[] = {
        "satisfied", "acceptable", "unsatisfied", NULL
    };

    rating = NULL;

    if (ngx_pa_record_enum(&a->rec, "rating", ratings, &rating) != NGX_OK) {
        return NGX_ERROR;
    }

    if (rating == NULL) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "rating", "satisfied, acceptable or unsatisfied");
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(&a->rec, "rating", rating);
    ngx_pa_record_put_int(&a->rec, "rated_at", a->ctx->now);

    /* unsatisfied: the IOC decides within review_rating, keep or reopen */

    if (ngx_strcmp(rating, "unsatisfied") == 0
        && ngx_pa_action_deadline(a, "review_rating", "review_rating")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_pa_action_extra(a, "rating", &(ngx_str_t) {
                                   ngx_strlen(rating), (u_char *) rating });
}


static ngx_int_t
ngx_pa_act_comment(ngx_pa_action_t *a)
{
    ngx_str_t  text, max;

    if (ngx_pa_record_text(&a->rec, "text", 1, NGX_PA_MESSAGE_MAX, &text)
        != NGX_OK
        || ngx_pa_comment_guard(a->request, a->ctx, a->extra, &a->err)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* pa_comments_max: a report's comments stay a bounded field */

    max.data = ngx_pnalloc(a->request->pool, NGX_INT_T_LEN);
    if (max.data == NULL) {
        return NGX_ERROR;
    }

    max.len = ngx_sprintf(max.data, "%ui", a->conf->comments_max) - max.data;

    a->note = text;
    ngx_pa_action_extra(a, "text", &text);
    ngx_pa_action_extra(a, "comments_max", &max);

    /* "reply#": act.lua appends the new comment's id */
    return ngx_pa_action_deadline(a, "reply", "reply#");
}


static ngx_int_t
ngx_pa_act_reply(ngx_pa_action_t *a)
{
    u_char     *p;
    json_t     *v;
    ngx_str_t   text, id;
    u_char      key[NGX_PA_KEY_NAME];

    if (ngx_pa_record_text(&a->rec, "text", 1, NGX_PA_MESSAGE_MAX, &text)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    v = json_object_get(a->body.fields, "comment_id");

    if (v == NULL) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "comment_id", "which comment this replies to");
        return NGX_ERROR;
    }

    id.data = ngx_pnalloc(a->request->pool, NGX_INT64_LEN);
    if (id.data == NULL) {
        return NGX_ERROR;
    }

    if (json_is_integer(v) && json_integer_value(v) > 0) {
        id.len = ngx_sprintf(id.data, "%L",
                             (int64_t) json_integer_value(v)) - id.data;

    } else if (json_is_string(v)
               && ngx_atoi((u_char *) json_string_value(v),
                           json_string_length(v)) > 0)
    {
        id.len = ngx_sprintf(id.data, "%i",
                             ngx_atoi((u_char *) json_string_value(v),
                                      json_string_length(v))) - id.data;

    } else {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "comment_id", "a comment id is a positive integer");
        return NGX_ERROR;
    }

    a->note = text;
    ngx_pa_action_extra(a, "comment_id", &id);
    ngx_pa_action_extra(a, "text", &text);

    p = ngx_sprintf(key, "reply#%V%Z", &id);
    (void) p;

    return ngx_pa_action_close(a, (char *) key);
}


static ngx_int_t
ngx_pa_act_flag_comment(ngx_pa_action_t *a)
{
    json_t     *v;
    ngx_str_t   id;

    v = json_object_get(a->body.fields, "comment_id");

    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "comment_id", "a comment id is a positive integer");
        return NGX_ERROR;
    }

    id.data = ngx_pnalloc(a->request->pool, NGX_INT64_LEN);
    if (id.data == NULL) {
        return NGX_ERROR;
    }

    id.len = ngx_sprintf(id.data, "%L", (int64_t) json_integer_value(v))
             - id.data;

    if (ngx_pa_action_message(a, "message", 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_action_extra(a, "comment_id", &id);
}


static ngx_int_t
ngx_pa_act_approve_extension(ngx_pa_action_t *a)
{
    return ngx_pa_act_extension_answer(a, 0);
}


static ngx_int_t
ngx_pa_act_reject_extension(ngx_pa_action_t *a)
{
    /* the agency learns why it must keep its deadline */

    return ngx_pa_act_extension_answer(a, 1);
}


/*
 * The IOC's answer to an extension asked beyond pa_extend_max, its
 * message required when it refuses ("why"): "agency" names whose request
 * when several agencies asked; act.lua finds it.
 */

static ngx_int_t
ngx_pa_act_extension_answer(ngx_pa_action_t *a, ngx_uint_t why)
{
    ngx_str_t  agency;

    if (ngx_pa_action_message(a, "message", why) != NGX_OK
        || ngx_pa_action_agency(a, "agency", 0, &agency) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (agency.len == 0) {
        return NGX_OK;
    }

    return ngx_pa_action_extra(a, "agency", &agency);
}


/* ------------------------------------------------------------ helpers */

/* a time as RFC 3339 in the province's offset, for a history entry */

static ngx_int_t
ngx_pa_action_time_extra(ngx_pa_action_t *a, const char *name, time_t t)
{
    json_t     *j;
    ngx_str_t   text;

    j = ngx_pa_time_json(a->conf, t);
    if (!json_is_string(j)) {
        if (j) {
            json_decref(j);
        }

        return NGX_ERROR;
    }

    text.len = json_string_length(j);
    text.data = ngx_pnalloc(a->request->pool, text.len);

    if (text.data == NULL) {
        json_decref(j);
        return NGX_ERROR;
    }

    ngx_memcpy(text.data, json_string_value(j), text.len);
    json_decref(j);

    return ngx_pa_action_extra(a, name, &text);
}


static ngx_int_t
ngx_pa_action_message(ngx_pa_action_t *a, const char *name,
    ngx_uint_t required)
{
    if (ngx_pa_record_text(&a->rec, name, required, NGX_PA_MESSAGE_MAX,
                           &a->note)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* "agencies": a JSON array of ids (or "a,b" in a form); ",a,b," out */

static ngx_int_t
ngx_pa_action_agencies(ngx_pa_action_t *a, const char *name,
    ngx_uint_t required, ngx_str_t *list)
{
    u_char      *p;
    size_t       len, i, j, n;
    json_t      *v, *e;
    ngx_str_t    id;
    const char  *s;

    v = json_object_get(a->body.fields, name);

    if (v == NULL || json_is_null(v)) {
        if (required) {
            ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                           name, "at least one agency");
            return NGX_ERROR;
        }

        ngx_str_null(list);
        return NGX_OK;
    }

    if (json_is_string(v)) {

        /* a form field "a,b": made an array so one path checks both */

        s = json_string_value(v);
        v = json_array();
        if (v == NULL) {
            return NGX_ERROR;
        }

        while (*s) {
            len = strcspn(s, ",");
            if (len) {
                json_array_append_new(v, json_stringn(s, len));
            }

            s += len + (s[len] == ',');
        }

    } else {
        json_incref(v);
    }

    n = json_is_array(v) ? json_array_size(v) : 0;

    if (n == 0 || n > NGX_PA_AGENCIES_MAX) {
        json_decref(v);
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "a list of 1 to 10 agency ids");
        return NGX_ERROR;
    }

    list->data = ngx_pnalloc(a->request->pool, n * 66 + 1);
    if (list->data == NULL) {
        json_decref(v);
        return NGX_ERROR;
    }

    p = list->data;
    *p++ = ',';

    for (i = 0; i < n; i++) {
        e = json_array_get(v, i);

        if (!json_is_string(e) || json_string_length(e) == 0
            || json_string_length(e) > 64)
        {
            goto invalid;
        }

        id.data = (u_char *) json_string_value(e);
        id.len = json_string_length(e);

        if (ngx_strlchr(id.data, id.data + id.len, ',') != NULL
            || ngx_pa_directory_has_agency(a->conf, &id) != NGX_OK)
        {
            goto invalid;
        }

        /* one agency once: twice would be counted twice in the stats */

        for (j = 0; j < i; j++) {
            if (json_equal(json_array_get(v, j), e)) {
                json_decref(v);
                ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST,
                               "invalid_field", name,
                               "an agency is named twice");
                return NGX_ERROR;
            }
        }

        p = ngx_cpymem(p, id.data, id.len);
        *p++ = ',';
    }

    list->len = p - list->data;
    json_decref(v);

    return NGX_OK;

invalid:

    json_decref(v);
    ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                   "an agency is not in the directory");
    return NGX_ERROR;
}


static ngx_int_t
ngx_pa_action_agency(ngx_pa_action_t *a, const char *name,
    ngx_uint_t required, ngx_str_t *id)
{
    if (ngx_pa_record_ident(&a->rec, name, required, id) != NGX_OK) {
        return NGX_ERROR;
    }

    if (id->len == 0 || ngx_strcmp(name, "category") == 0) {
        return NGX_OK;
    }

    if (ngx_pa_directory_has_agency(a->conf, id) != NGX_OK) {
        ngx_pa_err_set(&a->err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "no such agency in the directory");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Opens the deadline `key` of step `step`, due after the step's SLA from
 * now, in both flavours: act.lua picks the urgent one for urgent reports.
 * A profile without that step opens nothing.
 */

static ngx_int_t
ngx_pa_action_deadline(ngx_pa_action_t *a, const char *step,
    const char *key)
{
    ngx_str_t     *s;
    ngx_pa_sla_t  *sla;

    sla = ngx_pa_sla_find(a->conf, step);
    if (sla == NULL) {
        return NGX_OK;
    }

    s = ngx_array_push_n(a->open, 3);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s[0].data = (u_char *) key;
    s[0].len = ngx_strlen(key);

    s[0].data = ngx_pnalloc(a->request->pool, s[0].len);
    if (s[0].data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(s[0].data, key, s[0].len);

    s[1].data = ngx_pnalloc(a->request->pool, NGX_TIME_T_LEN * 2);
    if (s[1].data == NULL) {
        return NGX_ERROR;
    }

    s[1].len = ngx_sprintf(s[1].data, "%T",
                           ngx_pa_sla_due(a->conf, sla, a->ctx->now, 0))
               - s[1].data;

    s[2].data = s[1].data + NGX_TIME_T_LEN;
    s[2].len = ngx_sprintf(s[2].data, "%T",
                           ngx_pa_sla_due(a->conf, sla, a->ctx->now, 1))
               - s[2].data;

    return NGX_OK;
}


/*
 * The IOC's next step in the normal flow.  A step counted from the
 * submission (pa_sla ... from=submission, TN Điều 6.2, 7.1) opened with
 * the report and keeps its due.
 */

static ngx_int_t
ngx_pa_action_next(ngx_pa_action_t *a, const char *step)
{
    ngx_pa_sla_t  *sla;

    sla = ngx_pa_sla_find(a->conf, step);

    if (sla == NULL || sla->from_submission) {
        return NGX_OK;
    }

    return ngx_pa_action_deadline(a, step, step);
}


/* "step", "step@agency", "step@*" (every agency), "*" (every open step) */

static ngx_int_t
ngx_pa_action_close(ngx_pa_action_t *a, const char *key)
{
    ngx_str_t  *s;

    s = ngx_array_push(a->close);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s->len = ngx_strlen(key);
    s->data = ngx_pnalloc(a->request->pool, s->len);
    if (s->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(s->data, key, s->len);

    return NGX_OK;
}


/* name, value for act.lua */

static ngx_int_t
ngx_pa_action_extra(ngx_pa_action_t *a, const char *name, ngx_str_t *value)
{
    ngx_str_t  *s;

    s = ngx_array_push_n(a->extra, 2);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s[0].data = (u_char *) name;
    s[0].len = ngx_strlen(name);
    s[1] = *value;

    return NGX_OK;
}


/* ------------------------------------------------------------ the call */

/* every state of api.md: act.lua gets each state index in KEYS */

static const char  *ngx_pa_action_states[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "dispatched", "in_progress", "awaiting_approval", "under_review",
    "resolved", "rejected", "cancelled", "monitoring", "escalated", NULL
};

/* the states of the IOC's and the supervisor's lists (queue.lua's q:) */
static const char  *ngx_pa_action_listed[] = {
    "submitted", "needs_info", "verified", "received", "coordinating",
    "dispatched", "in_progress", "awaiting_approval", "under_review",
    "escalated", NULL
};


/*
 * KEYS: report, history, due index, events, clock, viol, locked, gauge,
 *       pub, geo, the day's stats and late list, the public version,
 *       every state index, the IOC's work lists q:<state>, q:late
 * ARGV: action, now, role, agency, actor, token hash, from, to, history
 *       entry, note, then counted lists: fields to set, deadlines to
 *       close, to open (key due due_urgent), extras
 */

static ngx_int_t
ngx_pa_action_send(ngx_pa_action_t *a)
{
    u_char               *hex;
    ngx_uint_t            i;
    ngx_tm_t              tm;
    ngx_int_t             rc;
    ngx_array_t          *keys, *args;
    ngx_http_request_t   *r;

    r = a->request;

    keys = ngx_array_create(r->pool, 40, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 32 + a->rec.fields->nelts,
                            sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "r:%V", &a->ctx->id) == NULL
        || ngx_pa_key(r, keys, "h:%V", &a->ctx->id) == NULL
        || ngx_pa_key(r, keys, "due") == NULL
        || ngx_pa_key(r, keys, "events") == NULL
        || ngx_pa_key(r, keys, "clock") == NULL
        || ngx_pa_key(r, keys, "viol") == NULL
        || ngx_pa_key(r, keys, "locked") == NULL
        || ngx_pa_key(r, keys, "gauge") == NULL
        || ngx_pa_key(r, keys, "pub") == NULL
        || ngx_pa_key(r, keys, "geo") == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_gmtime(a->ctx->now + a->conf->utc_offset, &tm);

    if (ngx_pa_key(r, keys, "stats:%04d%02d%02d", tm.ngx_tm_year,
                   tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL
        || ngx_pa_key(r, keys, "late:%04d%02d%02d", tm.ngx_tm_year,
                      tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL
        || ngx_pa_key(r, keys, "pubver") == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* every state index: only the stored report says which one it leaves */

    for (i = 0; ngx_pa_action_states[i]; i++) {
        if (ngx_pa_key(r, keys, "st:%s", ngx_pa_action_states[i]) == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    /* the work lists of the IOC's states, in the queue's order */

    for (i = 0; ngx_pa_action_listed[i]; i++) {
        if (ngx_pa_key(r, keys, "q:%s", ngx_pa_action_listed[i]) == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_pa_key(r, keys, "q:late") == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a retry's answer, kept a day (ngx_pa_action_idem.c): the last key */

    if (a->idem.len && ngx_pa_key(r, keys, "aidem:%V", &a->idem) == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* from the pool: the call is made after the media are stored */

    hex = ngx_pnalloc(r->pool, 65);
    if (hex == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hex[0] = '\0';

    if (a->caller.token.len) {
        ngx_pa_auth_token_hash(&a->caller.token, hex);
    }

    if (ngx_pa_arg_cstr(args, a->def->name) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, a->ctx->now) != NGX_OK
        || ngx_pa_arg_str(args, &a->caller.role_name) != NGX_OK
        || ngx_pa_arg_str(args, &a->caller.agency) != NGX_OK
        || ngx_pa_arg_str(args, &a->caller.sub) != NGX_OK
        || ngx_pa_arg_cstr(args, (char *) hex) != NGX_OK
        || ngx_pa_arg_cstr(args, a->from) != NGX_OK
        || ngx_pa_arg_cstr(args, a->to) != NGX_OK
        || ngx_pa_record_history(r, a->ctx, args,
                                 (char *) a->caller.role_name.data,
                                 a->caller.staff ? (char *) a->caller.sub.data
                                                 : "reporter",
                                 a->def->name, NULL, NULL, &a->note)
           != NGX_OK
        || ngx_pa_arg_str(args, &a->note) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_action_list(r, args, a->rec.fields) != NGX_OK
        || ngx_pa_action_list(r, args, a->close) != NGX_OK
        || ngx_pa_action_list(r, args, a->open) != NGX_OK
        || ngx_pa_action_list(r, args, a->extra) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a->keys = keys;
    a->args = args;

    /*
     * Supplement or result photos enter the content-addressed store
     * (off the event loop) before the script may point at them; a blob
     * nobody points at (the call failed or timed out) is harmless, a
     * missing one is not.
     */

    rc = ngx_pa_media_store(r, &a->body.media, ngx_pa_action_stored, a);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    return ngx_pa_action_eval(a, rc);
}


static void
ngx_pa_action_stored(ngx_http_request_t *r, void *data, ngx_int_t rc)
{
    rc = ngx_pa_action_eval(data, rc);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


static ngx_int_t
ngx_pa_action_eval(ngx_pa_action_t *a, ngx_int_t stored)
{
    if (stored != NGX_OK) {
        return ngx_pa_send_error(a->request, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "the media could not be stored, "
                                 "try again");
    }

    return ngx_pa_eval(a->request, a->ctx, NGX_PA_SCRIPT_ACT, a->keys,
                       a->args, ngx_pa_action_done);
}


/* a count then the items */

static ngx_int_t
ngx_pa_action_list(ngx_http_request_t *r, ngx_array_t *args,
    ngx_array_t *list)
{
    ngx_str_t   *s;
    ngx_uint_t   i;

    if (ngx_pa_arg_int(r->pool, args, list->nelts) != NGX_OK) {
        return NGX_ERROR;
    }

    s = list->elts;

    for (i = 0; i < list->nelts; i++) {
        if (ngx_pa_arg_str(args, &s[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void
ngx_pa_action_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply       *reply = data;
    ngx_pa_action_t  *a;

    a = ctx->data;

    if (reply->type == REDIS_REPLY_ERROR) {

        if (ngx_pa_reply_is(reply, "not_found")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                "not_found", NULL, "no such report"));
            return;
        }

        if (ngx_pa_reply_is(reply, "invalid_transition")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "invalid_transition", NULL,
                                "this action is not allowed in the "
                                "report's current state"));
            return;
        }

        if (ngx_pa_reply_is(reply, "confirm_first")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "invalid_transition", NULL,
                                "the coordinator must confirm the result "
                                "first (confirm); until then the IOC may "
                                "review_return or escalate it"));
            return;
        }

        if (ngx_pa_reply_is(reply, "forbidden")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN,
                                "forbidden", NULL,
                                "your agency may not take this action"));
            return;
        }

        if (reply->len > 10
            && ngx_strncmp(reply->str, "not_later ", 10) == 0)
        {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                "invalid_field",
                                a->extend_days ? "days" : "until",
                                "the extension must end after the current "
                                "handling deadline"));
            return;
        }

        if (ngx_pa_reply_is(reply, "which_extension")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                "missing_field", "agency",
                                "several agencies asked for an extension: "
                                "name the one this answers"));
            return;
        }

        if (ngx_pa_reply_is(reply, "comments_locked")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN,
                                "comments_locked", NULL,
                                "commenting is locked for this reporter"));
            return;
        }

        if (ngx_pa_reply_is(reply, "comments_per_day")) {
            ngx_pa_finalize(r, ngx_pa_comment_over_day(r, ctx));
            return;
        }

        if (ngx_pa_reply_is(reply, "too_many_comments")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "too_many_comments", "text",
                                "this report takes no more comments "
                                "(pa_comments_max); call the hotline or "
                                "submit a new report"));
            return;
        }

        if (ngx_pa_reply_is(reply, "idempotency_mismatch")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                "invalid_field", "Idempotency-Key",
                                "this Idempotency-Key was used for another "
                                "action on this report"));
            return;
        }

        if (ngx_pa_reply_is(reply, "no_comment")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST,
                                "invalid_field", "comment_id",
                                "no such comment awaiting an answer"));
            return;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: act script failed: %*s",
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                            NULL, "the action could not be stored, "
                            "try again"));
        return;
    }

    if (ngx_pa_hash_from_reply(r->pool, reply, &a->stored) != NGX_OK) {
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* a retry: the first answer again, its copies and caches long done */

    if (ngx_pa_action_idem_replayed(reply)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: a retry of \"%s\" on report %V, answered as "
                      "stored", a->def->name, &ctx->id);
        ngx_pa_action_answer(r, a);
        return;
    }

    /*
     * publish, review_return, hide, unhide change what the public sees:
     * the copies are made (off the event loop) before the answer, so a
     * published report's photos are there when the client is told.
     */

    if (ngx_strcmp(a->def->name, "publish") == 0
        || ngx_strcmp(a->def->name, "review_return") == 0
        || ngx_strcmp(a->def->name, "reopen") == 0
        || ngx_strcmp(a->def->name, "hide") == 0
        || ngx_strcmp(a->def->name, "unhide") == 0)
    {
        /* the cached public answers are not found again (public-cache) */
        ngx_pa_pubver_bump(r);

        if (ngx_pa_public_media_sync(r, &a->stored, ngx_pa_action_answer, a)
            == NGX_AGAIN)
        {
            return;
        }
    }

    if (ngx_strcmp(a->def->name, "rate") == 0) {
        /* the public rating summary changed */
        ngx_pa_pubver_bump(r);
    }

    ngx_pa_action_answer(r, a);
}


static void
ngx_pa_action_answer(ngx_http_request_t *r, void *data)
{
    ngx_pa_action_t  *a = data;

    json_t  *view;

    view = ngx_pa_view_report(r, a->ctx, &a->stored,
                              a->caller.staff ? NGX_PA_VIEW_STAFF
                                              : NGX_PA_VIEW_REPORTER);

    ngx_pa_finalize(r, ngx_pa_send_json(r, NGX_HTTP_OK, view));
}
