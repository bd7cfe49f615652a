/*
 * POST /api/v1/reports (ngx_pa_submit.c), and the same submission from
 * another dialect (ngx_pa_open311_post.c).
 */

#ifndef NGX_PA_SUBMIT_H
#define NGX_PA_SUBMIT_H

#include "ngx_pa.h"
#include "ngx_pa_body.h"

#include <jansson.h>


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

/* the route (ngx_pa_api.c dispatches to it): POST /reports */
ngx_int_t ngx_pa_submit_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_SUBMIT_H */
