/*
 * Routes of /api/v1/ and the helpers route handlers share.
 */

#ifndef NGX_PA_API_H
#define NGX_PA_API_H

#include "ngx_pa.h"
#include "ngx_pa_body.h"
#include "ngx_pa_scripts.h"


#define NGX_PA_API_PREFIX   "/api/v1/"
#define NGX_PA_OPEN311_PREFIX  "/open311/v2/"
#define NGX_PA_KEY_MAX      128         /* key suffix after "pa:{t}:" */
#define NGX_PA_ID_MAX       32

/* a request header by name (case-insensitive), or NULL */
ngx_str_t *ngx_pa_header(ngx_http_request_t *r, const char *name);

/* report ids: [A-Za-z0-9-], 1..NGX_PA_ID_MAX */
ngx_int_t ngx_pa_id_ok(ngx_str_t *id);

/* a script's error reply is this code */
ngx_uint_t ngx_pa_reply_is(void *reply, const char *code);

/* answers an ngx_pa_err_t */
ngx_int_t ngx_pa_fail(ngx_http_request_t *r, ngx_pa_err_t *err);

/*
 * POST /reports from another dialect (ngx_pa_open311.c): the body parsed
 * into the contract's field names, fields stored as they are (names
 * other than submit's own), a note of the "submit" history entry, and
 * the dialect's 201 (answer takes the JSON reference): the first one,
 * and a retry's (the stored submission's answer, the same token).
 */
typedef ngx_int_t (*ngx_pa_submit_answer_pt)(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_str_t *id, json_t *answer);

typedef struct {
    ngx_pa_body_t             *body;
    ngx_array_t               *fields;     /* ngx_keyval_t, or NULL */
    ngx_str_t                  note;
    ngx_pa_submit_answer_pt    answer;

    /*
     * Open311: the API client that sends it (its key proved it), the
     * SHA-256 hex of the body as the client sent it, and the client's
     * index of its requests, a key suffix after "pa:{t}:".  The
     * submission's idempotency key is the client's Idempotency-Key, else
     * that body, in the client's scope, and the key alone decides: a
     * retry within a day gets the first answer (ngx_pa_submit.c).
     */
    ngx_str_t                  client;
    ngx_str_t                  sent;
    ngx_str_t                  own;

    /* GeoReport: the name is optional; a phone of any country, or none
     * when an e-mail address reaches the reporter */
    unsigned                   name_optional:1;
    unsigned                   phone_any:1;
} ngx_pa_submit_from_t;

ngx_int_t ngx_pa_submit_from(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_submit_from_t *from);

#endif /* NGX_PA_API_H */
