/*
 * An action retried with its Idempotency-Key (issue 15): a client that
 * got a 503 (a replica did not acknowledge in time, the reply timed out)
 * cannot know whether its action was stored, and sending it again used
 * to answer 409 (the state had moved on).  With the same key, the same
 * caller and the same report within a day, act.lua answers what it
 * answered the first time (the report as the action left it), writing
 * nothing; the same key with another action or other fields is the
 * client's mistake: 400 invalid_field "Idempotency-Key", as for a
 * submission.
 */

#ifndef NGX_PA_ACTION_IDEM_H
#define NGX_PA_ACTION_IDEM_H

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_body.h"


/*
 * Without an Idempotency-Key header: NGX_OK, idem->len 0.  With one:
 * idem is the hex key of this caller, report and key (the script's key
 * "aidem:<idem>"), and "iprint" (what the action asks, hashed) is added
 * to act.lua's extras.  NGX_ERROR with err set for a malformed key.
 */
ngx_int_t ngx_pa_action_idem(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_caller_t *caller, ngx_pa_body_t *body, ngx_array_t *extra,
    ngx_str_t *idem, ngx_pa_err_t *err);

/* act.lua answered a retry: its reply starts "replayed", "1" */
ngx_uint_t ngx_pa_action_idem_replayed(void *reply);

#endif /* NGX_PA_ACTION_IDEM_H */
