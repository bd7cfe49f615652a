/*
 * POST /api/v1/reports: a citizen's report.
 *
 * Everything is decided here, in the worker: fields validated, personal
 * data sealed, media typed and hashed, the first deadline computed on the
 * working calendar, the stored JSON blobs encoded.  The media enter the
 * content-addressed store first, then the submit script writes the report
 * that points at them (report hash, history, indexes, deadline, event) in
 * one atomic call, and the answer is sent.
 *
 * Nothing is both refused and kept: a reply timeout answers 503 although
 * the script may still run.  So a blob in the store is never removed on a
 * failed call (an unreferenced blob is harmless, a referenced missing one
 * is not), and a submission is idempotent: its key (Idempotency-Key, else
 * the SHA-256 of the normalised submission) names the report's id
 * (ngx_pa_submit_idem.c), the record keeps a short proof of it (with
 * pa_record_compat the key idem: of earlier versions instead), and
 * a retry gets the original 201 again: the same id, the same answer built
 * again at the stored time, and a working access token, derived as
 * HMAC(secret, key, id), never stored in clear.
 * An Open311 client's submission is keyed in the client's scope: its
 * Idempotency-Key, else its body as sent (ngx_pa_open311_post.c).
 */

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_batch.h"
#include "ngx_pa_call.h"
#include "ngx_pa_crypto.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_doc.h"
#include "ngx_pa_duplicate.h"
#include "ngx_pa_error.h"
#include "ngx_pa_evidence.h"
#include "ngx_pa_jdump.h"
#include "ngx_pa_json.h"
#include "ngx_pa_limit.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_open311_out.h"
#include "ngx_pa_print.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_record.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_submit.h"
#include "ngx_pa_submit_idem.h"
#include "ngx_pa_submit_record.h"
#include "ngx_pa_submit_score.h"
#include "ngx_pa_upload_bind.h"
#include "ngx_pa_validate.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>


#define NGX_PA_TITLE_MAX     200
#define NGX_PA_NAME_MAX      100
#define NGX_PA_FUTURE_SKEW   300      /* occurred_at may be this far ahead */
#define NGX_PA_IDEM_KEY_MAX  255      /* Idempotency-Key, visible ASCII */
#define NGX_PA_HEX256        (SHA256_DIGEST_LENGTH * 2)

/* submit.lua's arguments of a report at fixed places (its group's id 0) */
#define NGX_PA_SUBMIT_ARG_NOW  1
/* the hints' score and member, made of the record's lng and lat */
#define NGX_PA_SUBMIT_ARG_POS  4
#define NGX_PA_SUBMIT_ARG_IK   6      /* with pa_record_compat off */

#define ngx_pa_submit_is(s, name)                                            \
    ((s)->len == sizeof(name) - 1                                            \
     && ngx_strncmp((s)->data, name, sizeof(name) - 1) == 0)


struct ngx_pa_submit_s {
    ngx_pa_body_t         body;
    ngx_array_t          *fields;     /* ngx_str_t pairs for HSET */
    ngx_array_t          *prints;     /* ngx_str_t duplicate fingerprints */
    ngx_str_t             phone_hash;
    ngx_str_t             token;      /* the reporter's access token */
    ngx_str_t             token_hash; /* SHA-256 hex of the access token */
    ngx_uint_t            token_slot; /* its value's index in fields */
    ngx_uint_t            id_slot;    /* "id"'s, pa_record_compat; or 0 */
    ngx_str_t             idem;       /* SHA-256 hex: the idempotency key */
    ngx_str_t             print;      /* SHA-256 hex: the submission */
    double                lat;        /* the position, for duplicate hints */
    double                lng;
    json_t               *answer;     /* 201 body, sent after the script */
    ngx_str_t             answer_json; /* it encoded, the token a null */
    size_t                token_at;   /* that null's offset, 0: none */
    size_t                answer_size; /* its fields when encoded */
    ngx_str_t             report_id;
    ngx_str_t             yesterday;  /* its candidate of the day before */
    ngx_uint_t            attempts;
    ngx_pa_submit_from_t *from;       /* another dialect (Open311), or NULL */
    ngx_str_t             auto_agency; /* dispatched at submission to it */
    ngx_uint_t            urgent;     /* for the events (submit.lua) */
    ngx_array_t          *uploads;    /* pre-uploads bound: up:, upa: keys */
    ngx_pa_submit_score_t score;      /* the index scores (submit.lua) */
};


static ngx_int_t ngx_pa_submit_validate(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_submit_report(ngx_pa_record_t *rec,
    ngx_pa_ctx_t *ctx, ngx_uint_t *urgent);
static ngx_int_t ngx_pa_submit_reporter(ngx_pa_record_t *rec,
    ngx_pa_submit_t *sb);
static ngx_int_t ngx_pa_submit_mail_hash(ngx_pa_record_t *rec,
    ngx_pa_submit_t *sb, ngx_pa_main_conf_t *pmcf, ngx_str_t *email);
static void ngx_pa_submit_phone_hash(ngx_pa_record_t *rec,
    ngx_pa_submit_t *sb, ngx_pa_main_conf_t *pmcf, u_char *p, size_t len);
static ngx_int_t ngx_pa_submit_media_answer(ngx_pa_record_t *rec,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb, ngx_uint_t urgent);
static ngx_int_t ngx_pa_submit_position(ngx_pa_record_t *rec,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb);
static void ngx_pa_submit_state(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_uint_t urgent);
static ngx_int_t ngx_pa_submit_deadlines(ngx_pa_record_t *rec,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb, ngx_uint_t urgent);
static void ngx_pa_submit_taken(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_submit_checks(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static ngx_int_t ngx_pa_submit_media(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb, json_t *stored,
    json_t *answer, ngx_pa_err_t *err);
static void ngx_pa_submit_limited(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_submit_send(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);
static void ngx_pa_submit_stored(ngx_http_request_t *r, void *data,
    ngx_int_t rc);
static ngx_int_t ngx_pa_submit_eval(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_int_t stored);
static ngx_int_t ngx_pa_submit_token_slot(ngx_http_request_t *r,
    ngx_pa_submit_t *sb);
static ngx_int_t ngx_pa_submit_seen(ngx_http_request_t *r,
    ngx_pa_submit_t *sb, ngx_str_t *seen);
static ngx_int_t ngx_pa_submit_keys(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_array_t *shared, ngx_array_t *keys);
static ngx_int_t ngx_pa_submit_args(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_str_t *seen, ngx_array_t *args);
static ngx_int_t ngx_pa_submit_lift(ngx_pool_t *pool, ngx_pa_submit_t *sb,
    ngx_array_t *args, ngx_uint_t fields_at, ngx_pa_main_conf_t *pmcf);
static void ngx_pa_submit_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);
static ngx_int_t ngx_pa_submit_prints(ngx_http_request_t *r,
    ngx_pa_submit_t *sb);
static ngx_int_t ngx_pa_submit_idempotency(ngx_http_request_t *r,
    ngx_pa_submit_t *sb, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_submit_print(ngx_http_request_t *r,
    ngx_pa_submit_t *sb);
static int ngx_pa_submit_print_json(const u_char *p, size_t len,
    void *data);
static int ngx_pa_submit_print_jansson(const char *p, size_t len,
    void *data);
static const char *ngx_pa_submit_hint(redisReply *reply);
static ngx_int_t ngx_pa_submit_duplicate(ngx_http_request_t *r,
    redisReply *reply);
static ngx_int_t ngx_pa_submit_replay(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, redisReply *seen);
static ngx_int_t ngx_pa_submit_again(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_idem_seen_t *seen);
static ngx_int_t ngx_pa_submit_answer(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_str_t *id, json_t *answer);
static ngx_int_t ngx_pa_submit_answer_json(ngx_http_request_t *r,
    ngx_pa_submit_t *sb);
static void ngx_pa_submit_json_cleanup(void *data);
static ngx_int_t ngx_pa_submit_dispatched(ngx_pa_record_t *rec,
    ngx_pa_ctx_t *ctx, ngx_pa_submit_t *sb, ngx_uint_t urgent, json_t *answer,
    json_t *dls);


ngx_int_t
ngx_pa_submit_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_submit_from(r, ctx, NULL);
}


/*
 * The same submission for another dialect (ngx_pa_open311.c): its body
 * already parsed into the contract's field names, so the checks, the
 * script and the 201 semantics stay exactly those of POST /reports.
 */

ngx_int_t
ngx_pa_submit_from(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_from_t *from)
{
    ngx_int_t            rc;
    ngx_pa_err_t         err;
    ngx_pa_caller_t      caller;
    ngx_pa_submit_t     *sb;
    ngx_pool_cleanup_t  *cln;
    ngx_pa_main_conf_t  *pmcf;

    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (pmcf->login_required) {

        /* Điện Biên: only a registered, signed-in reporter may report */

        rc = ngx_pa_auth(r, ctx, &caller);

        if (rc != NGX_OK || !caller.jwt) {
            return ngx_pa_send_error(r, NGX_HTTP_UNAUTHORIZED, "unauthorized",
                                     NULL, "sign in to send a report");
        }

        if (caller.role != NGX_PA_ROLE_REPORTER) {
            return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden", NULL,
                                     "reports are sent by reporters");
        }
    }

    sb = ngx_pcalloc(r->pool, sizeof(ngx_pa_submit_t));
    if (sb == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->submit = sb;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_pa_submit_json_cleanup;
    cln->data = sb;

    sb->from = from;

    if (from != NULL) {
        sb->body = *from->body;

    } else if (ngx_pa_body_parse(r, &sb->body, &err) != NGX_OK) {
        return ngx_pa_fail(r, &err);

    } else {

        /* media uploaded ahead (media_handles) join the report's first */

        rc = ngx_pa_upload_take(r, ctx, &sb->body, ngx_pa_submit_taken);

        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    return ngx_pa_submit_checks(r, ctx);
}


static void
ngx_pa_submit_taken(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *reply)
{
    ngx_int_t         rc;
    ngx_pa_err_t      err;
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;
    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    if (ngx_pa_upload_taken(r, reply, &sb->body, &sb->uploads, &err)
        != NGX_OK)
    {
        ngx_pa_finalize(r, ngx_pa_fail(r, &err));
        return;
    }

    rc = ngx_pa_submit_checks(r, ctx);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/* the report with all its media: checked, then the phone's limit */

static ngx_int_t
ngx_pa_submit_checks(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t         rc;
    ngx_pa_err_t      err;
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;
    ngx_memzero(&err, sizeof(ngx_pa_err_t));

    if (ngx_pa_submit_validate(r, ctx, sb, &err) != NGX_OK
        || ngx_pa_submit_idempotency(r, sb, &err) != NGX_OK)
    {
        return ngx_pa_fail(r, &err);
    }

    /* a valid report: the phone's rate limit first, when one is set */

    rc = ngx_pa_limit_phone(r, ctx, &sb->phone_hash, &sb->idem,
                            ngx_pa_submit_limited);

    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_pa_submit_send(r, ctx);
}


static void
ngx_pa_submit_limited(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    ngx_int_t  rc;

    rc = ngx_pa_limit_phone_verdict(r, data);

    if (rc == NGX_DECLINED) {
        rc = ngx_pa_submit_send(r, ctx);
    }

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/*
 * The submission checked and turned into the record to store, in the
 * contract's order: the report, the reporter, the media (a photo's GPS
 * may stand in for the form's position), the position and the evidence
 * rules, the state, the first deadlines.
 */

static ngx_int_t
ngx_pa_submit_validate(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_pa_err_t *err)
{
    ngx_uint_t        urgent;
    ngx_pa_record_t   rec;

    if (ngx_pa_record_init(r, &rec, sb->body.fields, err) != NGX_OK
        || ngx_pa_submit_report(&rec, ctx, &urgent) != NGX_OK
        || ngx_pa_submit_reporter(&rec, sb) != NGX_OK
        || ngx_pa_submit_media_answer(&rec, ctx, sb, urgent) != NGX_OK
        || ngx_pa_submit_position(&rec, ctx, sb) != NGX_OK)
    {
        return NGX_ERROR;
    }

    sb->urgent = urgent;
    ngx_pa_submit_state(&rec, ctx, sb, urgent);

    if (ngx_pa_submit_deadlines(&rec, ctx, sb, urgent) != NGX_OK) {
        return NGX_ERROR;
    }

    json_object_set_new(sb->answer, "created_at",
                        ngx_pa_record_time_json(&rec, ctx->now));

    if (rec.failed || ngx_pa_submit_prints(r, sb) != NGX_OK) {
        return NGX_ERROR;
    }

    sb->fields = rec.fields;

    return NGX_OK;
}


/* the report itself: what, where in the directory, how, when */

static ngx_int_t
ngx_pa_submit_report(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_uint_t *urgent)
{
    time_t               occurred;
    ngx_str_t            v, agency;
    ngx_int_t            publish, private, share;
    const char          *channel;
    ngx_pa_main_conf_t  *pmcf;
    static const char   *channels[] = {
        "app", "web", "zalo", "facebook", "hotline", "ioc", NULL
    };

    pmcf = rec->conf;

    if (ngx_pa_record_text(rec, "content", 1, pmcf->content_max, &v)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_record_put(rec, "content", &v);
    ngx_pa_record_put(rec, "content_original", &v);

    if (ngx_pa_record_text(rec, "title", 0, NGX_PA_TITLE_MAX, &v) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (v.len) {
        ngx_pa_record_put(rec, "title", &v);
    }

    if (ngx_pa_record_ident(rec, "category", 0, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    *urgent = 0;

    if (v.len) {
        if (ngx_pa_directory_category(pmcf, &v, urgent, &agency) != NGX_OK)
        {
            ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "category", "no such category in the directory");
            return NGX_ERROR;
        }

        ngx_pa_record_put(rec, "category", &v);
    }

    channel = "web";

    if (ngx_pa_record_enum(rec, "channel", channels, &channel) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(rec, "channel", channel);

    publish = 0;
    private = 0;

    if (ngx_pa_record_bool(rec, "publish_identity", &publish) != NGX_OK
        || ngx_pa_record_bool(rec, "private_result", &private) != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(rec, "publish_identity", publish ? "1" : "0");
    ngx_pa_record_put_cstr(rec, "private_result", private ? "1" : "0");

    /*
     * LC26 Điều 9.3: the handling agency may use the reporter's identity
     * only with consent; without it only the IOC reads it.
     */

    share = 0;

    if (ngx_pa_record_bool(rec, "share_identity", &share) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_record_put_cstr(rec, "share_identity", share ? "1" : "0");

    occurred = ctx->now;

    if (ngx_pa_record_time(rec, "occurred_at", &occurred) != NGX_OK) {
        return NGX_ERROR;
    }

    if (occurred > ctx->now + NGX_PA_FUTURE_SKEW) {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "occurred_at", "occurred_at is in the future");
        return NGX_ERROR;
    }

    ngx_pa_record_put_int(rec, "occurred_at", occurred);

    return NGX_OK;
}


/* the reporter: sealed at rest, never in a read of the report */

static ngx_int_t
ngx_pa_submit_reporter(ngx_pa_record_t *rec, ngx_pa_submit_t *sb)
{
    ngx_str_t            v;
    ngx_uint_t           any, name_required;
    ngx_pa_main_conf_t  *pmcf;
    char                 phone[NGX_PA_PHONE_LEN];

    pmcf = rec->conf;

    any = (sb->from != NULL && sb->from->phone_any);
    name_required = (sb->from == NULL || !sb->from->name_optional);

    if (ngx_pa_record_text(rec, "reporter_name", name_required,
                           NGX_PA_NAME_MAX, &v)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (v.len && ngx_pa_record_seal(rec, "name", &v) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_record_text(rec, "reporter_phone", !any, 32, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    if (v.len
        && (any ? ngx_pa_phone_normalize_any(v.data, v.len, phone)
                : ngx_pa_phone_normalize(v.data, v.len, phone))
           != 0)
    {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "reporter_phone",
                       any ? "not a phone number (a Vietnamese one, or "
                             "+<country code> <number>)"
                           : "not a Vietnamese phone number (0xxxxxxxxx or "
                             "+84xxxxxxxxx)");
        return NGX_ERROR;
    }

    if (v.len) {
        v.data = (u_char *) phone;
        v.len = ngx_strlen(phone);

        if (ngx_pa_record_seal(rec, "phone", &v) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_pa_submit_phone_hash(rec, sb, pmcf, v.data, v.len);
    }

    if (ngx_pa_record_text(rec, "reporter_email", 0, 254, &v) != NGX_OK) {
        return NGX_ERROR;
    }

    if (v.len) {
        if (ngx_pa_email_check(v.data, v.len) != 0) {
            ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "reporter_email", "not an e-mail address");
            return NGX_ERROR;
        }

        if (ngx_pa_record_seal(rec, "email", &v) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (sb->phone_hash.len) {
        return NGX_OK;
    }

    /*
     * Open311 without a phone: the e-mail address reaches the reporter,
     * and its keyed hash stands for the phone's in the duplicate check,
     * the limits and the locks.
     */

    if (v.len == 0) {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "missing_field",
                       "reporter_phone",
                       "a phone number or an e-mail address: the "
                       "reporter must be reachable");
        return NGX_ERROR;
    }

    return ngx_pa_submit_mail_hash(rec, sb, pmcf, &v);
}


/* "mailto:" and the address in lower case, hashed as a phone would be */

static ngx_int_t
ngx_pa_submit_mail_hash(ngx_pa_record_t *rec, ngx_pa_submit_t *sb,
    ngx_pa_main_conf_t *pmcf, ngx_str_t *email)
{
    u_char  *p;
    size_t   size;

    p = ngx_pnalloc(rec->request->pool, sizeof("mailto:") - 1 + email->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    size = ngx_cpymem(p, "mailto:", sizeof("mailto:") - 1) - p;
    ngx_strlow(p + size, email->data, email->len);

    ngx_pa_submit_phone_hash(rec, sb, pmcf, p, size + email->len);

    return NGX_OK;
}


/* the keyed hash that stands for the reporter in locks and limits */

static void
ngx_pa_submit_phone_hash(ngx_pa_record_t *rec, ngx_pa_submit_t *sb,
    ngx_pa_main_conf_t *pmcf, u_char *p, size_t len)
{
    char  hash[NGX_PA_PII_HASH_LEN + 1];

    ngx_pa_pii_hash_cr(pmcf->worker.crypto, pmcf->pii, p, len, hash);
    sb->phone_hash.data = (u_char *) ngx_pa_record_strdup(rec, hash);
    sb->phone_hash.len = ngx_strlen(hash);
    ngx_pa_record_put_cstr(rec, "phone_hash", (char *) sb->phone_hash.data);
}


/* the 201's first fields, and the media: stored, and in the answer */

static ngx_int_t
ngx_pa_submit_media_answer(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_uint_t urgent)
{
    json_t  *stored, *answer, *media;

    stored = json_array();
    answer = json_object();
    media = json_array();

    sb->answer = answer;

    if (stored == NULL || answer == NULL || media == NULL) {
        if (stored) {
            json_decref(stored);
        }

        if (media) {
            json_decref(media);
        }

        return NGX_ERROR;
    }

    /* the contract's order: id (set once stored), status, token, ... */
    json_object_set_new(answer, "id", json_null());
    json_object_set_new(answer, "status", json_string("submitted"));
    json_object_set_new(answer, "access_token", json_null());
    json_object_set_new(answer, "urgent", json_boolean(urgent));
    json_object_set_new(answer, "media", media);

    if (ngx_pa_submit_media(rec->request, ctx, sb, stored, media, rec->err)
        != NGX_OK)
    {
        json_decref(stored);
        return NGX_ERROR;
    }

    return ngx_pa_record_put_json(rec, "media", stored);
}


/*
 * The position: the form's, else the first photo's GPS; the evidence
 * rules before anything is stored; the agency whose area holds it.
 */

static ngx_int_t
ngx_pa_submit_position(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb)
{
    double               lat, lng;
    ngx_str_t            agency;
    ngx_int_t            has_pos;
    ngx_uint_t           i;
    ngx_pa_media_t     **m;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = rec->conf;

    has_pos = 0;

    if (ngx_pa_record_position(rec, &lat, &lng, &has_pos) != NGX_OK) {
        return NGX_ERROR;
    }

    m = sb->body.media.elts;

    for (i = 0; !has_pos && i < sb->body.media.nelts; i++) {
        if (m[i]->meta.has_gps) {
            lat = m[i]->meta.lat;
            lng = m[i]->meta.lng;
            has_pos = 1;
            ngx_pa_record_put_cstr(rec, "position_source", "exif");
        }
    }

    /* the conditions for acceptance, before anything is stored */

    if (ngx_pa_evidence_check(rec->request, ctx, &sb->body.media, has_pos, lat,
                              lng, rec->err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!has_pos) {
        ngx_pa_err_set(rec->err, NGX_HTTP_BAD_REQUEST, "missing_field", "lat",
                       "the position (lat, lng) is required");
        return NGX_ERROR;
    }

    ngx_pa_record_put_double(rec, "lat", lat);
    ngx_pa_record_put_double(rec, "lng", lng);
    sb->lat = lat;
    sb->lng = lng;

    /*
     * LC25 Điều 6, ĐB: the report goes at once to the agency whose area
     * holds it; a position no area holds waits for the IOC's dispatch.
     */

    if (pmcf->auto_dispatch
        && ngx_pa_directory_locate(pmcf, lat, lng, &agency) == NGX_OK)
    {
        ngx_pa_record_put(rec, "auto_agency", &agency);
        sb->auto_agency = agency;
    }

    return NGX_OK;
}


/* the new report's state, and the fields another dialect adds */

static void
ngx_pa_submit_state(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_uint_t urgent)
{
    ngx_uint_t     i;
    ngx_keyval_t  *kv;

    /*
     * The reporter's secret: shown once, only its hash is kept.  It is
     * derived from the report id (ngx_pa_submit_send()): a slot for now.
     */

    ngx_pa_record_put_cstr(rec, "token_hash", "");
    sb->token_slot = rec->fields->nelts - 1;

    ngx_pa_record_put_cstr(rec, "status",
                           sb->auto_agency.len ? "dispatched" : "submitted");
    /*
     * no "id" (the key names the report) and no "updated_at" (created_at
     * until the first change writes it): the readers put them back
     * (ngx_pa_record_id.h, ngx_pa_default.h).  A node of an earlier
     * version reads neither: during a rolling upgrade both are stored.
     */
    ngx_pa_record_put_int(rec, "created_at", ctx->now);

    if (rec->conf->record_compat) {
        ngx_pa_record_put_int(rec, "updated_at", ctx->now);
        ngx_pa_record_put_cstr(rec, "id", "");
        sb->id_slot = rec->fields->nelts - 1;    /* set with the id */
    }
    ngx_pa_record_put_cstr(rec, "urgent", urgent ? "1" : "0");
    ngx_pa_record_put_cstr(rec, "hidden", "0");
    ngx_pa_record_put_cstr(rec, "published", "0");

    /* the note of the submission's (implied) history entry */

    if (sb->from != NULL && sb->from->note.len) {
        ngx_pa_record_put(rec, "submit_note", &sb->from->note);
    }

    if (sb->from != NULL && sb->from->fields != NULL) {
        kv = sb->from->fields->elts;

        for (i = 0; i < sb->from->fields->nelts; i++) {
            ngx_pa_record_put(rec, (char *) kv[i].key.data, &kv[i].value);
        }
    }
}


/*
 * The first deadlines: the dispatched agency's, or the first step's and
 * those counted from the submission (TN Điều 6.2, 7.1); past the known
 * calendar or over provisional days, said so.
 */

static ngx_int_t
ngx_pa_submit_deadlines(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_uint_t urgent)
{
    time_t               due;
    json_t              *dls, *d, *jv;
    size_t               i;
    const char          *first;
    ngx_pa_sla_t        *sla;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = rec->conf;

    dls = json_array();
    if (dls == NULL) {
        return NGX_ERROR;
    }

    json_object_set_new(sb->answer, "deadlines", dls);

    if (sb->auto_agency.len) {
        if (ngx_pa_submit_dispatched(rec, ctx, sb, urgent, sb->answer, dls)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        first = pmcf->verification ? "verify" : "receive";
        sla = ngx_pa_sla_find(pmcf, first);

        if (sla) {
            due = ngx_pa_sla_due(pmcf, sla, ctx->now, urgent);

            if (ngx_pa_record_deadline(rec, first, NULL, due, dls)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        sla = pmcf->slas->elts;

        for (i = 0; i < pmcf->slas->nelts; i++) {
            if (!sla[i].from_submission
                || ngx_strcmp(sla[i].step.data, first) == 0)
            {
                continue;
            }

            due = ngx_pa_sla_due(pmcf, &sla[i], ctx->now, urgent);

            if (ngx_pa_record_deadline(rec, (char *) sla[i].step.data,
                                       NULL, due, dls)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    json_array_foreach(dls, i, d) {
        jv = json_object_get(d, "due");

        if (json_is_string(jv)
            && ngx_pa_rfc3339_parse((u_char *) json_string_value(jv),
                                    json_string_length(jv), &due)
               == 0
            && ngx_pa_calendar_provisional(pmcf->calendar, ctx->now, due))
        {
            json_object_set_new(d, "provisional", json_true());
        }
    }

    return NGX_OK;
}


/*
 * Dispatched at submission (pa_auto_dispatch): the area's agency is the
 * lead at once, with the deadlines a dispatch opens; submit.lua files it
 * in the agency's queue and counts it.
 */

static ngx_int_t
ngx_pa_submit_dispatched(ngx_pa_record_t *rec, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_uint_t urgent, json_t *answer, json_t *dls)
{
    u_char              *p;
    ngx_str_t            list;
    ngx_uint_t           i;
    ngx_pa_sla_t        *sla;
    ngx_pa_main_conf_t  *pmcf;
    static const char   *steps[] = { "accept", "resolve", "notify", NULL };

    pmcf = ngx_http_get_module_main_conf(rec->request, ngx_http_pa_module);

    list.len = sb->auto_agency.len + 2;
    list.data = ngx_pnalloc(rec->request->pool, list.len);
    if (list.data == NULL) {
        return NGX_ERROR;
    }

    p = list.data;
    *p++ = ',';
    p = ngx_cpymem(p, sb->auto_agency.data, sb->auto_agency.len);
    *p = ',';

    ngx_pa_record_put(rec, "agencies", &list);
    ngx_pa_record_put(rec, "lead", &sb->auto_agency);
    ngx_pa_record_put_int(rec, "dispatched_at", ctx->now);

    json_object_set_new(answer, "status", json_string("dispatched"));
    json_object_set_new(answer, "agencies",
                        json_pack("[s#]", sb->auto_agency.data,
                                  (int) sb->auto_agency.len));

    for (i = 0; steps[i]; i++) {
        sla = ngx_pa_sla_find(pmcf, steps[i]);
        if (sla == NULL) {
            continue;
        }

        /* the notice is the report's, the others the agency's */

        if (ngx_pa_record_deadline(rec, steps[i],
                                   i < 2 ? &sb->auto_agency : NULL,
                                   ngx_pa_sla_due(pmcf, sla, ctx->now,
                                                  urgent),
                                   dls)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_submit_media(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, json_t *stored, json_t *answer, ngx_pa_err_t *err)
{
    json_t             *o;
    ngx_uint_t          i;
    ngx_pa_media_t    **m;

    m = sb->body.media.elts;

    for (i = 0; i < sb->body.media.nelts; i++) {
        o = ngx_pa_record_media_json(r, m[i]);
        if (o == NULL) {
            return NGX_ERROR;
        }

        json_array_append(stored, o);
        json_array_append_new(answer, o);
    }

    return NGX_OK;
}


/*
 * submit.lua's one report of a batch (ngx_pa_batch.c):
 * shared KEYS: events, locked phones, due index, the sweeper's cursor
 *       of q:submitted
 * own KEYS: report, work list (the open state's one index), the phone's
 *       duplicate prints, the report's candidate of the day before (with
 *       pa_record_compat: the idempotency key instead; no token index:
 *       the token names its report, "<id>~..."); dispatched at
 *       submission: history, the agency's queue, the day's statistics,
 *       the work-load gauge; Open311: the client's index; the pre-uploads
 * ARGV: id, now, urgent, phone hash, the hints' score and member (or ""
 *       and ""), the retry's proof (with pa_record_compat: what a retry
 *       gets back, the idem: key's value, instead), agency dispatched to
 *       (or ""), its history entry (or ""), n prints, prints...,
 *       n deadlines, (member score) x n, n handles,
 *       the record (its hash's DUMP payload: ngx_pa_submit_lift()), the
 *       work list's score, the hints' time to live (or "")
 */

static ngx_int_t
ngx_pa_submit_send(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t  rc;

    /*
     * The blobs into the content-addressed store first (off the event
     * loop): the report may point only at what is stored; a blob no report
     * points at is harmless, and is kept whatever happens to the call.
     */

    rc = ngx_pa_media_store(r, &ctx->submit->body.media, ngx_pa_submit_stored,
                            ctx);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    return ngx_pa_submit_eval(r, ctx, rc);
}


static void
ngx_pa_submit_stored(ngx_http_request_t *r, void *data, ngx_int_t rc)
{
    rc = ngx_pa_submit_eval(r, data, rc);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


static ngx_int_t
ngx_pa_submit_eval(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_int_t stored)
{
    ngx_str_t         seen;
    ngx_array_t      *shared, *keys, *args;
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;

    if (stored != NGX_OK) {
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "the media could not be stored, "
                                 "try again");
    }

    if (ngx_pa_submit_idem_ids(r, ctx->now, &sb->idem, sb->attempts,
                               &sb->report_id, &sb->yesterday)
        != NGX_OK
        || ngx_pa_submit_token_slot(r, sb) != NGX_OK
        || ngx_pa_submit_seen(r, sb, &seen) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    shared = ngx_array_create(r->pool, 5, sizeof(ngx_str_t));
    keys = ngx_array_create(r->pool, 16, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, sb->fields->nelts + 16,
                            sizeof(ngx_str_t));

    if (shared == NULL || keys == NULL || args == NULL
        || ngx_pa_submit_keys(r, ctx, sb, shared, keys) != NGX_OK
        || ngx_pa_submit_args(r, ctx, sb, &seen, args) != NGX_OK
        || ngx_pa_duplicate_submit_day(r, ctx, sb->score.msec,
                                       &sb->report_id,
                                       (ngx_str_t *) args->elts
                                       + NGX_PA_SUBMIT_ARG_POS,
                                       keys, args)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* with the worker's other submissions (group commit) */

    return ngx_pa_batch_submit(r, ctx, shared, keys, args,
                               ngx_pa_submit_score_place, &sb->score,
                               ngx_pa_submit_done);
}


/* the reporter's token, derived from the id; only its hash is stored */

static ngx_int_t
ngx_pa_submit_token_slot(ngx_http_request_t *r, ngx_pa_submit_t *sb)
{
    u_char     *p;
    ngx_str_t  *kv;

    if (ngx_pa_submit_idem_token(r, &sb->idem, &sb->report_id, &sb->token)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, NGX_PA_HEX256 + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_pa_auth_token_hash(&sb->token, p);
    sb->token_hash.data = p;
    sb->token_hash.len = NGX_PA_HEX256;

    kv = sb->fields->elts;
    kv[sb->token_slot] = ngx_pa_auth_token_stored(&sb->token_hash);

    if (sb->id_slot) {
        kv[sb->id_slot] = sb->report_id;
    }

    return NGX_OK;
}


/*
 * The 201 body encoded once, the token a null (the answer is it with the
 * token in place of its null, ngx_pa_submit_answer_json()), after
 * "<id> <submission print> ": with pa_record_compat what an older node's
 * retry gets back (the idem: key's value); the token is derived again
 * from the key and the id.  A test token (pa_test_clock) cannot be: it
 * is kept, it is no secret.
 */

static ngx_int_t
ngx_pa_submit_seen(ngx_http_request_t *r, ngx_pa_submit_t *sb,
    ngx_str_t *seen)
{
    u_char     *p, *at;
    size_t      len, pre;
    ngx_str_t  *id;

    static const char  token_null[] = "\"access_token\":null";

    id = &sb->report_id;

    json_object_set_new(sb->answer, "id", ngx_pa_json_strn(id->data, id->len));
    json_object_set_new(sb->answer, "access_token",
                        ngx_pa_submit_idem_test_token(r) != NULL
                        ? ngx_pa_json_strn(sb->token.data, sb->token.len)
                        : json_null());

    /* ngx_pa_send_json()'s encoding, after "<id> <print> " */

    pre = id->len + 1 + NGX_PA_HEX256 + 1;

    if (ngx_pa_json_encode(r->pool, sb->answer, 0, 10, pre, seen) != NGX_OK) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(seen->data, id->data, id->len);
    *p++ = ' ';
    p = ngx_cpymem(p, sb->print.data, NGX_PA_HEX256);
    *p++ = ' ';

    len = seen->len - pre;

    /* the first of its kind: id and status come before it, and hold none */

    at = ngx_strnstr(p, (char *) token_null, len);

    sb->token_at = (at != NULL)
                   ? (size_t) (at - p) + sizeof("\"access_token\":") - 1
                   : 0;

    sb->answer_json.data = p;
    sb->answer_json.len = len;
    sb->answer_size = json_object_size(sb->answer);

    return NGX_OK;
}


/*
 * submit.lua's KEYS, in its order: the batch's shared ones, the report's
 * (its day's hints key, last, is ngx_pa_duplicate_submit_day()'s)
 */

static ngx_int_t
ngx_pa_submit_keys(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_array_t *shared, ngx_array_t *keys)
{
    ngx_tm_t             tm;
    ngx_str_t           *id, *kv;
    ngx_uint_t           i;
    const char          *state;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    id = &sb->report_id;
    state = sb->auto_agency.len ? "dispatched" : "submitted";

    if (ngx_pa_key(r, shared, "events") == NULL
        || ngx_pa_key(r, shared, "locked") == NULL
        || ngx_pa_key(r, shared, "due") == NULL
        || ngx_pa_key(r, shared, "sweep:qdue") == NULL)
    {
        return NGX_ERROR;
    }

    if (ngx_pa_key(r, keys, "r:%V", id) == NULL
        || ngx_pa_key(r, keys, "q:%s", state) == NULL
        || ngx_pa_key(r, keys, "dup:%*s", (size_t) NGX_PA_DUP_BUCKET,
                      sb->phone_hash.data) == NULL
        || (pmcf->record_compat
            ? ngx_pa_key(r, keys, "idem:%V", &sb->idem)
            : ngx_pa_key(r, keys, "r:%V", &sb->yesterday))
           == NULL)
    {
        return NGX_ERROR;
    }

    /* the dispatch's keys only when dispatched at submission (rare) */

    if (sb->auto_agency.len) {
        ngx_gmtime(ctx->now + pmcf->utc_offset, &tm);

        if (ngx_pa_key(r, keys, "h:%V", id) == NULL
            || ngx_pa_key(r, keys, "aq:%V:dispatched", &sb->auto_agency)
               == NULL
            || ngx_pa_key(r, keys, "stats:%04d%02d%02d", tm.ngx_tm_year,
                          tm.ngx_tm_mon, tm.ngx_tm_mday) == NULL
            || ngx_pa_key(r, keys, "gauge") == NULL)
        {
            return NGX_ERROR;
        }
    }

    /* Open311: the client's own index */

    if (sb->from != NULL && sb->from->own.len
        && ngx_pa_key(r, keys, "%V", &sb->from->own) == NULL)
    {
        return NGX_ERROR;
    }

    /* the pre-uploads it binds: their pairs of keys end the group */

    if (sb->uploads != NULL) {
        kv = sb->uploads->elts;

        for (i = 0; i < sb->uploads->nelts; i++) {
            if (ngx_pa_key(r, keys, "%*s", kv[i].len - pmcf->key_prefix.len,
                           kv[i].data + pmcf->key_prefix.len)
                == NULL)
            {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


/* submit.lua's ARGV, in its order: the fields to store come last */

static ngx_int_t
ngx_pa_submit_args(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_t *sb, ngx_str_t *seen, ngx_array_t *args)
{
    ngx_int_t               rc;
    ngx_str_t              *kv, *id, ik;
    ngx_uint_t              i, due_at, fields_at;
    ngx_time_t             *tp;
    ngx_pa_main_conf_t     *pmcf;
    ngx_pa_submit_score_t  *sc;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    id = &sb->report_id;

    /* off: the proof ik; on: the idem: key's value instead (no ik) */

    if (pmcf->record_compat) {
        ik = *seen;

    } else if (ngx_pa_submit_idem_arg(r->pool, &sb->idem, &sb->print, &ik)
               != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* no history entry of the submission: the record implies it */

    if (ngx_pa_arg_str(args, id) != NGX_OK
        || ngx_pa_arg_int(r->pool, args, ctx->now) != NGX_OK
        || ngx_pa_arg_cstr(args, sb->urgent ? "1" : "0") != NGX_OK
        || ngx_pa_arg_str(args, &sb->phone_hash) != NGX_OK
        /*
         * the hints' score and member: the record's lng and lat, lifted
         * from its fields below, which the day key's arguments make them
         */
        || ngx_pa_arg_cstr(args, "") != NGX_OK
        || ngx_pa_arg_cstr(args, "") != NGX_OK
        || ngx_pa_arg_str(args, &ik) != NGX_OK
        || ngx_pa_arg_str(args, &sb->auto_agency) != NGX_OK
        || (sb->auto_agency.len
            ? ngx_pa_record_history(r, ctx, args, "system", "auto_dispatch",
                                    "dispatch", "submitted", "dispatched",
                                    NULL)
            : ngx_pa_arg_cstr(args, ""))
           != NGX_OK
        || ngx_pa_arg_int(r->pool, args, sb->prints->nelts) != NGX_OK)
    {
        return NGX_ERROR;
    }

    kv = sb->prints->elts;

    for (i = 0; i < sb->prints->nelts; i++) {
        if (ngx_pa_arg_str(args, &kv[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    /* the deadline pairs: their scores are placed with the batch */

    due_at = args->nelts + 1;

    if (ngx_pa_record_due_args(r, sb->fields, id, args) != NGX_OK) {
        return NGX_ERROR;
    }

    sc = &sb->score;
    sc->now = ctx->now;
    sc->urgent = sb->urgent != 0;
    sc->merge = sb->auto_agency.len == 0 && !pmcf->record_compat;

    if (ngx_pa_submit_score_dues(r, sc, args, due_at) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_arg_int(r->pool, args,
                       sb->uploads ? sb->uploads->nelts / 2 : 0)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the hot fields, and the cold ones as one value (ngx_pa_doc.h) */

    fields_at = args->nelts;

    if (ngx_pa_doc_fold(r->pool, sb->fields->elts, sb->fields->nelts / 2,
                        args, r->connection->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_pa_submit_lift(r->pool, sb, args, fields_at, pmcf);

    if (rc == NGX_DECLINED) {
        /* a report has them */
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "pa submit: no position, token_hash or doc among "
                      "the record's fields");
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * The milliseconds of now: the index scores' fraction.  From the
     * cached clock, not Redis's TIME: a test's X-PA-Now (another second)
     * gets 0, so what it stores does not depend on the clock.
     */

    tp = ngx_timeofday();
    sc->msec = tp->sec == ctx->now ? tp->msec : 0;

    return ngx_pa_submit_score_args(sc, args);
}


/*
 * The record as one argument (issue 12, ngx_pa_submit_record.h): the
 * fields (the last arguments, from fields_at) and those of the arguments
 * become the DUMP payload submit.lua RESTOREs, in the order its HSET had
 * them: phone_hash, lat, lng, created_at, status (submitted, or
 * dispatched with an agency), token_hash, the retry's proof ik
 * (pa_record_compat off), doc, then the other fields ("id" and
 * "updated_at" of pa_record_compat; one of those before given again
 * with another value takes its place).  The position's values also go
 * to the arguments of the hints (ngx_pa_duplicate_submit_day() makes
 * their score and member of them).  NGX_DECLINED: a field every
 * report has is missing; NGX_ERROR: no memory.
 */

static ngx_int_t
ngx_pa_submit_lift(ngx_pool_t *pool, ngx_pa_submit_t *sb, ngx_array_t *args,
    ngx_uint_t fields_at, ngx_pa_main_conf_t *pmcf)
{
    ngx_str_t   *a, *pos, *kv, *tok, *doc, rec;
    ngx_uint_t   i, n, head, compat;

    compat = pmcf->record_compat;
    a = args->elts;
    pos = &a[NGX_PA_SUBMIT_ARG_POS];
    tok = NULL;
    doc = NULL;

    for (i = fields_at; i + 1 < args->nelts; i += 2) {

        if (ngx_pa_submit_is(&a[i], "token_hash")) {
            tok = &a[i + 1];

        } else if (ngx_pa_submit_is(&a[i], NGX_PA_DOC_FIELD)) {
            doc = &a[i + 1];

        } else if (ngx_pa_submit_is(&a[i], "lng")) {
            pos[0] = a[i + 1];

        } else if (ngx_pa_submit_is(&a[i], "lat")) {
            pos[1] = a[i + 1];
        }
    }

    if (tok == NULL || doc == NULL || pos[0].len == 0 || pos[1].len == 0
        || (args->nelts - fields_at) % 2)
    {
        return NGX_DECLINED;
    }

    head = compat ? 7 : 8;
    n = head + (args->nelts - fields_at) / 2;

    kv = ngx_palloc(pool, 2 * n * sizeof(ngx_str_t));
    if (kv == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&kv[0], "phone_hash");
    kv[1] = sb->phone_hash;
    ngx_str_set(&kv[2], "lat");
    kv[3] = pos[1];
    ngx_str_set(&kv[4], "lng");
    kv[5] = pos[0];
    ngx_str_set(&kv[6], "created_at");
    kv[7] = a[NGX_PA_SUBMIT_ARG_NOW];
    ngx_str_set(&kv[8], "status");

    if (sb->auto_agency.len) {
        ngx_str_set(&kv[9], "dispatched");

    } else {
        ngx_str_set(&kv[9], "submitted");
    }

    ngx_str_set(&kv[10], "token_hash");
    kv[11] = *tok;

    if (!compat) {
        ngx_str_set(&kv[12], "ik");
        kv[13] = a[NGX_PA_SUBMIT_ARG_IK];
    }

    ngx_str_set(&kv[2 * head - 2], NGX_PA_DOC_FIELD);
    kv[2 * head - 1] = *doc;

    /* the others after them (those above again: their values win) */

    ngx_memcpy(&kv[2 * head], &a[fields_at],
               2 * (n - head) * sizeof(ngx_str_t));

    if (ngx_pa_submit_record(pool, pmcf->crc64, kv, n, &rec) != NGX_OK) {
        return NGX_ERROR;
    }

    a[fields_at] = rec;
    args->nelts = fields_at + 1;

    return NGX_OK;
}


/*
 * What the operator must change when every submission fails so: an ACL
 * without RESTORE (@dangerous), or a Redis older than 7.0, which cannot
 * read the record's payload (RDB version 10)
 */

static const char *
ngx_pa_submit_hint(redisReply *reply)
{
    u_char  *p, *last;

    p = (u_char *) reply->str;
    last = p + reply->len;

    if (ngx_strlcasestrn(p, last, (u_char *) "can't run this command",
                         sizeof("can't run this command") - 2)
        || ngx_strlcasestrn(p, last, (u_char *) "NOPERM",
                            sizeof("NOPERM") - 2))
    {
        return " (the Redis user must be allowed EVALSHA and the commands "
               "of the scripts, RESTORE too: README, \"The commands an "
               "ACL user needs\")";
    }

    if (ngx_strlcasestrn(p, last, (u_char *) "payload version",
                         sizeof("payload version") - 2))
    {
        return " (a Redis older than 7.0 cannot read the record, an RDB "
               "version 10 payload: upgrade it, on the replicas too; on "
               "7.0 or later the record is corrupt: a bug)";
    }

    return "";
}


/*
 * 409 duplicate names the earlier report ("duplicate <id>" from
 * submit.lua), so the citizen is led to the report being handled, not
 * left to guess.  The id is no secret (reading it needs its token).
 */

static ngx_int_t
ngx_pa_submit_duplicate(ngx_http_request_t *r, redisReply *reply)
{
    u_char     *p, *last;
    json_t     *body;
    ngx_str_t   id;

    static const char  *message = "you already sent this report and it is "
                                  "still being handled";

    p = (u_char *) reply->str;
    last = p + reply->len;

    while (p < last && *p != ' ') {
        p++;
    }

    id.data = (p < last) ? p + 1 : last;
    id.len = last - id.data;

    if (ngx_pa_open311_request(r) || !ngx_pa_id_ok(&id)) {
        return ngx_pa_send_error(r, NGX_HTTP_CONFLICT, "duplicate", NULL,
                                 message);
    }

    body = json_pack("{s:{s:s, s:s, s:s#}}", "error", "code", "duplicate",
                     "message", message, "report_id", id.data, (int) id.len);

    ngx_pa_metrics_error(r, "duplicate");
    return ngx_pa_send_json(r, NGX_HTTP_CONFLICT, body);
}


static void
ngx_pa_submit_done(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    redisReply                 *reply = data;
    ngx_int_t                   rc;
    ngx_pa_submit_t            *sb;
    ngx_pa_submit_idem_seen_t   seen;

    sb = ctx->submit;

    if (ngx_pa_submit_idem_seen(reply, &sb->print, &seen) == NGX_OK) {

        /* a retry of a stored submission: its 201 built again */
        ngx_pa_metrics_replay(r);

        ngx_pa_finalize(r, ngx_pa_submit_again(r, ctx, &seen));
        return;
    }

    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
        && reply->element[0]->type == REDIS_REPLY_STRING
        && reply->element[1]->type == REDIS_REPLY_STRING
        && reply->element[0]->len == 6
        && ngx_strncmp(reply->element[0]->str, "replay", 6) == 0)
    {
        /* the idem: key's (pa_record_compat): the 201 it stored */
        ngx_pa_metrics_replay(r);

        ngx_pa_finalize(r, ngx_pa_submit_replay(r, ctx, reply->element[1]));
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {

        /*
         * the id is another key's report (1 in 2^40 a day), or a report
         * of this key older than a day: the next candidate, once or twice
         */

        if (ngx_pa_reply_is(reply, "exists") && ++sb->attempts < 3)
        {
            rc = ngx_pa_submit_send(r, ctx);
            if (rc != NGX_DONE) {
                ngx_pa_finalize(r, rc);
            }

            return;
        }

        if (ngx_pa_reply_is(reply, "duplicate")) {
            ngx_pa_finalize(r, ngx_pa_submit_duplicate(r, reply));
            return;
        }

        if (ngx_pa_reply_is(reply, "media_bound")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_CONFLICT,
                                "media_bound", "media_handles",
                                "a photo uploaded ahead belongs to "
                                "another report already"));
            return;
        }

        if (ngx_pa_reply_is(reply, "media_expired")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r,
                                NGX_PA_UPLOAD_UNPROCESSABLE,
                                "media_expired", "media_handles",
                                "a photo uploaded ahead expired before "
                                "the report was sent: upload it again"));
            return;
        }

        if (ngx_pa_reply_is(reply, "account_locked")) {
            ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN,
                                "account_locked", NULL,
                                "this phone number may not send reports "
                                "any more (repeated violations)"));
            return;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: submit script failed: %*s%s",
                      (size_t) reply->len, reply->str,
                      ngx_pa_submit_hint(reply));
        ngx_pa_finalize(r, ngx_pa_send_error(r,
                            NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                            NULL, "the report could not be stored, "
                            "try again"));
        return;
    }

    json_object_set_new(sb->answer, "access_token",
                        ngx_pa_json_strn(sb->token.data, sb->token.len));

    rc = ngx_pa_submit_answer(r, ctx, &sb->report_id, sb->answer);
    sb->answer = NULL;

    ngx_pa_finalize(r, rc);
}


/* the 201, of this dialect or another's; takes the JSON reference */

static ngx_int_t
ngx_pa_submit_answer(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, ngx_str_t *id,
    json_t *answer)
{
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;

    if (sb->from != NULL) {
        return sb->from->answer(r, ctx, id, answer);
    }

    ngx_pa_report_location(r, id);

    /* the new report's: encoded already, but for its token */

    if (answer == sb->answer && sb->answer_json.len
        && json_object_size(answer) == sb->answer_size)
    {
        json_decref(answer);
        return ngx_pa_submit_answer_json(r, sb);
    }

    return ngx_pa_send_json(r, NGX_HTTP_CREATED, answer);
}


/*
 * The 201 of a new report: the retry's copy of it (ngx_pa_submit_seen())
 * with the token in place of its null, as ngx_pa_send_json() would have
 * encoded the answer (the token is base64url: nothing to escape).  A test
 * token is in the copy already.
 */

static ngx_int_t
ngx_pa_submit_answer_json(ngx_http_request_t *r, ngx_pa_submit_t *sb)
{
    u_char     *p;
    size_t      len;
    ngx_buf_t  *b;
    ngx_str_t  *json;
    ngx_str_t   type = ngx_string("application/json");

    json = &sb->answer_json;
    len = json->len + 1;

    if (sb->token_at) {
        len += sb->token.len + 2 - (sizeof("null") - 1);
    }

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = b->last;

    if (sb->token_at) {
        p = ngx_cpymem(p, json->data, sb->token_at);
        *p++ = '"';
        p = ngx_cpymem(p, sb->token.data, sb->token.len);
        *p++ = '"';
        p = ngx_cpymem(p, json->data + sb->token_at + sizeof("null") - 1,
                       json->len - sb->token_at - (sizeof("null") - 1));

    } else {
        p = ngx_cpymem(p, json->data, json->len);
    }

    *p++ = '\n';
    b->last = p;

    return ngx_pa_send_buf(r, NGX_HTTP_CREATED, &type, b);
}


/*
 * submit.lua found the submission stored (its record, seen): the 201 of
 * the first answer again, built from the retry's own request (the same
 * submission: its print is the stored one's) as of the stored created_at:
 * the same status, media, deadlines and created_at; the token derived
 * again (a test token: the retry's).  The same key with another
 * submission is a client's mistake, not a retry: no token of that
 * report.  An Open311 client's key decides (its answer is the id and the
 * token alone): it gets its request again.
 */

static ngx_int_t
ngx_pa_submit_again(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_idem_seen_t *seen)
{
    json_t           *answer;
    ngx_str_t         id, token;
    ngx_pa_err_t      err;
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;

    if ((sb->from == NULL || sb->from->client.len == 0) && !seen->same) {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "Idempotency-Key",
                                 "this Idempotency-Key was used for another "
                                 "submission");
    }

    id = seen->yesterday ? sb->yesterday : sb->report_id;

    if (sb->from == NULL) {
        if (sb->answer) {
            json_decref(sb->answer);
            sb->answer = NULL;
        }

        ngx_memzero(&err, sizeof(ngx_pa_err_t));
        ctx->now = seen->created_at;

        if (ngx_pa_submit_validate(r, ctx, sb, &err) != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: the 201 of report %V cannot be built again",
                          &id);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        answer = sb->answer;
        sb->answer = NULL;

    } else {
        answer = json_object();
    }

    if (answer == NULL
        || ngx_pa_submit_idem_token(r, &sb->idem, &id, &token) != NGX_OK)
    {
        if (answer) {
            json_decref(answer);
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json_object_set_new(answer, "id", ngx_pa_json_strn(id.data, id.len));
    json_object_set_new(answer, "access_token",
                        ngx_pa_json_strn(token.data, token.len));

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: a retry of report %V, answered again", &id);

    return ngx_pa_submit_answer(r, ctx, &id, answer);
}


/*
 * The key was seen by its idem: key (pa_record_compat on, any node):
 * "<id> <print> <201 body>" of the stored submission.
 * The same key with another submission is a client's mistake, not a
 * retry: it must not hand out that report's token.  An Open311 client's
 * key is its own (its API key proved who it is): there the key decides,
 * and the client gets its request again.
 */

static ngx_int_t
ngx_pa_submit_replay(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    redisReply *seen)
{
    u_char           *p, *last, *sp;
    json_t           *answer;
    ngx_str_t         id, token;
    ngx_pa_submit_t  *sb;

    sb = ctx->submit;

    p = (u_char *) seen->str;
    last = p + seen->len;

    sp = ngx_strlchr(p, last, ' ');

    if (sp == NULL || last - sp < NGX_PA_HEX256 + 2
        || sp[NGX_PA_HEX256 + 1] != ' ')
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: unreadable idempotency record \"%*s\"",
                      ngx_min(seen->len, 64), seen->str);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if ((sb->from == NULL || sb->from->client.len == 0)
        && ngx_strncmp(sp + 1, sb->print.data, NGX_PA_HEX256) != 0)
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "Idempotency-Key",
                                 "this Idempotency-Key was used for another "
                                 "submission");
    }

    id.len = sp - p;
    id.data = ngx_pnalloc(r->pool, id.len);
    if (id.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(id.data, p, id.len);

    p = sp + 1 + NGX_PA_HEX256 + 1;

    answer = json_loadb((const char *) p, last - p, 0, NULL);
    if (answer == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* derived again, unless the first was a test token (kept with it) */

    if (!json_is_string(json_object_get(answer, "access_token"))) {
        if (ngx_pa_submit_idem_token(r, &sb->idem, &id, &token) != NGX_OK) {
            json_decref(answer);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        json_object_set_new(answer, "access_token",
                            ngx_pa_json_strn(token.data, token.len));
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: a retry of report %V, answered as stored", &id);

    return ngx_pa_submit_answer(r, ctx, &id, answer);
}


/*
 * The submission's print (SHA-256 of its fields, sorted, and its media
 * digests) and its idempotency key: the client's Idempotency-Key scoped
 * to the phone, else the print itself.  With pa_test_clock the test
 * headers that make a report another one count too.  An Open311
 * client's key is scoped to the client, else the body as it sent it
 * (from->sent, whatever the test headers: a resend is one).
 */

static ngx_int_t
ngx_pa_submit_idempotency(ngx_http_request_t *r, ngx_pa_submit_t *sb,
    ngx_pa_err_t *err)
{
    u_char              *buf, *p;
    size_t               len;
    ngx_str_t           *key;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;
    u_char               md[SHA256_DIGEST_LENGTH];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    key = ngx_pa_header(r, "Idempotency-Key");

    if (key != NULL) {
        if (key->len == 0 || key->len > NGX_PA_IDEM_KEY_MAX) {
            goto invalid;
        }

        for (i = 0; i < key->len; i++) {
            if (key->data[i] < 0x21 || key->data[i] > 0x7e) {
                goto invalid;
            }
        }
    }

    if (ngx_pa_submit_print(r, sb) != NGX_OK) {
        return NGX_ERROR;
    }

    len = sizeof("o311\nbody\n\n") + sb->phone_hash.len + 1
          + (key ? key->len : 0) + NGX_PA_HEX256
          + (sb->from ? sb->from->client.len + sb->from->sent.len : 0);

    buf = ngx_pnalloc(r->pool, len);
    sb->idem.data = ngx_pnalloc(r->pool, NGX_PA_HEX256);

    if (buf == NULL || sb->idem.data == NULL) {
        return NGX_ERROR;
    }

    if (sb->from != NULL && sb->from->client.len) {
        p = key ? ngx_sprintf(buf, "o311\n%V\nkey\n%V", &sb->from->client,
                              key)
                : ngx_sprintf(buf, "o311\n%V\nbody\n%V", &sb->from->client,
                              &sb->from->sent);

    } else if (key != NULL) {
        p = ngx_sprintf(buf, "key\n%V\n%V", &sb->phone_hash, key);

    } else {
        p = ngx_sprintf(buf, "body\n%V", &sb->print);
    }

    if (ngx_pa_crypto_sha256(pmcf->worker.crypto, buf, p - buf, md) != 0) {
        return NGX_ERROR;
    }

    sb->idem.len = ngx_hex_dump(sb->idem.data, md, sizeof(md))
                   - sb->idem.data;

    return NGX_OK;

invalid:

    ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                   "Idempotency-Key",
                   "Idempotency-Key: 1 to 255 visible ASCII characters");
    return NGX_ERROR;
}


/*
 * The submission's print: the SHA-256 of its fields (compact JSON, keys
 * sorted), then "\n" and each media digest, then with pa_test_clock
 * "\n<header>:<value>" of each test header sent.  The JSON goes straight
 * into the digest (ngx_pa_jdump.c: jansson's bytes), never into a string.
 */

static ngx_int_t
ngx_pa_submit_print(ngx_http_request_t *r, ngx_pa_submit_t *sb)
{
    int                  rc;
    void                *step;
    u_char              *p;
    ngx_str_t           *h;
    ngx_uint_t           i;
    ngx_pa_media_t     **m;
    ngx_pa_main_conf_t  *pmcf;
    u_char               md[SHA256_DIGEST_LENGTH];
    u_char               line[sizeof("\nX-PA-Test-Token:") + 64];
    static const char   *test[] = {
        "X-PA-Test-Id", "X-PA-Test-Token", "X-PA-Now", NULL
    };

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    sb->print.data = ngx_pnalloc(r->pool, NGX_PA_HEX256);
    if (sb->print.data == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_pa_crypto_sha256_init(pmcf->worker.crypto, &step);

    if (rc == 0) {
        rc = ngx_pa_jdump(sb->body.fields, 1, 0, ngx_pa_submit_print_json,
                          step);

        if (rc != 0) {
            /* nested deeper than ngx_pa_jdump() goes: jansson's same bytes */

            (void) ngx_pa_crypto_sha256_final(pmcf->worker.crypto, step, md);

            rc = ngx_pa_crypto_sha256_init(pmcf->worker.crypto, &step);

            if (rc == 0) {
                rc = json_dump_callback(sb->body.fields,
                                        ngx_pa_submit_print_jansson, step,
                                        JSON_COMPACT | JSON_SORT_KEYS);
            }
        }
    }

    m = sb->body.media.elts;

    for (i = 0; rc == 0 && i < sb->body.media.nelts; i++) {
        rc = ngx_pa_crypto_sha256_update(step, (u_char *) "\n", 1)
             | ngx_pa_crypto_sha256_update(step, m[i]->hex, NGX_PA_HEX256);
    }

    for (i = 0; rc == 0 && pmcf->test_clock && test[i]; i++) {
        h = ngx_pa_header(r, test[i]);

        if (h != NULL) {
            p = ngx_snprintf(line, sizeof(line), "\n%s:", test[i]);
            rc = ngx_pa_crypto_sha256_update(step, line, p - line)
                 | ngx_pa_crypto_sha256_update(step, h->data, h->len);
        }
    }

    if ((ngx_pa_crypto_sha256_final(pmcf->worker.crypto, step, md) | rc)
        != 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: cannot make the submission's print");
        return NGX_ERROR;
    }

    sb->print.len = ngx_hex_dump(sb->print.data, md, sizeof(md))
                    - sb->print.data;

    return NGX_OK;
}


static int
ngx_pa_submit_print_json(const u_char *p, size_t len, void *data)
{
    return ngx_pa_crypto_sha256_update(data, p, len);
}


static int
ngx_pa_submit_print_jansson(const char *p, size_t len, void *data)
{
    return ngx_pa_crypto_sha256_update(data, (const u_char *) p, len);
}


/*
 * What makes a report a duplicate of an open one from the same phone
 * (LC26 Điều 6.7, 7): the same photo or video, or the same text once
 * white space and ASCII case are folded.  "c:<sha256>", "m:<sha256>",
 * stored as fields of the phone's bucket, "<phone>:c:<sha256>" cut.
 */

static ngx_int_t
ngx_pa_submit_prints(ngx_http_request_t *r, ngx_pa_submit_t *sb)
{
    u_char              *p, *text;
    size_t               len;
    json_t              *v;
    ngx_str_t           *fp;
    ngx_uint_t           i;
    ngx_pa_media_t     **m;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    sb->prints = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
    if (sb->prints == NULL) {
        return NGX_ERROR;
    }

    v = json_object_get(sb->body.fields, "content");
    p = (u_char *) json_string_value(v);
    len = json_string_length(v);

    text = ngx_pnalloc(r->pool, len);
    fp = ngx_array_push(sb->prints);

    if (text == NULL || fp == NULL) {
        return NGX_ERROR;
    }

    fp->data = ngx_pnalloc(r->pool, NGX_PA_PRINT_LEN);
    if (fp->data == NULL) {
        return NGX_ERROR;
    }

    ngx_pa_print_text_cr(pmcf->worker.crypto, p, len, text, fp->data);
    fp->len = NGX_PA_PRINT_LEN;

    m = sb->body.media.elts;

    for (i = 0; i < sb->body.media.nelts; i++) {
        fp = ngx_array_push(sb->prints);
        if (fp == NULL) {
            return NGX_ERROR;
        }

        fp->data = ngx_pnalloc(r->pool, 2 + SHA256_DIGEST_LENGTH * 2);
        if (fp->data == NULL) {
            return NGX_ERROR;
        }

        fp->data[0] = 'm';
        fp->data[1] = ':';
        fp->len = ngx_cpymem(fp->data + 2, m[i]->hex, SHA256_DIGEST_LENGTH * 2)
                  - fp->data;
    }

    /* as stored: fields of the phone's bucket (ngx_pa_print.h) */

    if (sb->phone_hash.len < NGX_PA_DUP_CUT) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "pa: a submission without its phone's hash");
        return NGX_ERROR;
    }

    fp = sb->prints->elts;

    for (i = 0; i < sb->prints->nelts; i++) {
        p = ngx_pnalloc(r->pool, NGX_PA_DUP_FIELD_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_pa_print_field(sb->phone_hash.data, fp[i].data, p);
        fp[i].data = p;
        fp[i].len = NGX_PA_DUP_FIELD_LEN;
    }

    return NGX_OK;
}


static void
ngx_pa_submit_json_cleanup(void *data)
{
    ngx_pa_submit_t  *sb = data;

    if (sb->answer) {
        json_decref(sb->answer);
        sb->answer = NULL;
    }
}
