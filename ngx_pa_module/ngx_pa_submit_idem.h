/*
 * A submission's idempotency through its report's own record (issue 12,
 * bench/submit-cost.md): the report id follows from the idempotency key,
 * so a retry names the same pa:{t}:r:<id>, and the record carries a short
 * proof ("ik") instead of a key of its own that keeps the 201 a day.
 * submit.lua finds the retry; the worker builds the 201 again
 * (ngx_pa_submit.c).
 */

#ifndef NGX_PA_SUBMIT_IDEM_H
#define NGX_PA_SUBMIT_IDEM_H

#include "ngx_pa.h"
#include "ngx_pa_redis.h"


/*
 * "ik": 8 hex of the idempotency key's hash, 8 of the submission's print.
 * The id already carries 40 bits of the key's HMAC: another key's report
 * is taken for this one's only if 40 + 32 = 72 bits match (2^-72 a pair
 * of the day); the print's 32 bits tell a key used for another
 * submission (400) but for 1 in 2^32.  Short, as it stays in every record
 * stored with pa_record_compat off (32 hex pushed the bench's record past
 * jemalloc's 640 B class: bench/submit-cost.md).
 */
#define NGX_PA_SUBMIT_IK_LEN  16


/*
 * The report's candidate ids of the attempt (0, 1, 2: the next one when
 * submit.lua answers "exists"): "YYMMDD-" of the local day of now, then
 * 8 base32 characters of the first 40 bits of
 * HMAC-SHA256(pa_auth_secret,
 * "pa-report-id\n<tenant>\n<idem hex>\n<n>\n<YYMMDD>") (SHA-256 of the
 * same without a secret); and the day before's id so made, where a retry
 * just after midnight finds it.
 * X-PA-Test-Id (pa_test_clock) names attempt 0's id.
 */
ngx_int_t ngx_pa_submit_idem_ids(ngx_http_request_t *r, time_t now,
    ngx_str_t *idem, ngx_uint_t attempt, ngx_str_t *id,
    ngx_str_t *yesterday);

/*
 * submit.lua's +8 argument with pa_record_compat off: the proof "ik" of
 * the key idem and the print (hex digests).  (On, it is the idem: key's
 * value instead, and no ik is stored.)
 */
ngx_int_t ngx_pa_submit_idem_arg(ngx_pool_t *pool, ngx_str_t *idem,
    ngx_str_t *print, ngx_str_t *arg);


typedef struct {
    ngx_uint_t    yesterday;    /* the day before's candidate */
    time_t        created_at;   /* the stored report's: the 201's now */
    ngx_uint_t    same;         /* the stored print is the retry's */
} ngx_pa_submit_idem_seen_t;

/*
 * submit.lua's {"replay", "0"|"1", created_at, ik} of the report (the
 * submission was stored, print: the retry's); NGX_DECLINED: no such
 * reply (the idem: key's {"replay", <value>}, or another one).  An ik ""
 * (a report stored with pa_record_compat on, found with it off) is taken
 * as the same print, unchecked: the key, which the id follows from, is
 * scoped to the phone or to the Open311 client (ngx_pa_submit.c's
 * ngx_pa_submit_idempotency()), and the token answered is derived from
 * the retry's own key: it opens the report only if that key stored it.
 * A 32-hex ik (this version's first form) is read too.
 */
ngx_int_t ngx_pa_submit_idem_seen(redisReply *reply, ngx_str_t *print,
    ngx_pa_submit_idem_seen_t *seen);

/*
 * The reporter's access token of report id: the id, "~", then the
 * base64url of HMAC-SHA256(pa_auth_secret, "pa-report-token\n<tenant>\n
 * <idem hex>\n<id>"), so a retry gets the same token while only its hash
 * is stored, and the token names its report (Open311's tokens/{token}
 * needs no index of tokens); random without a secret (a retry gets
 * another).  X-PA-Test-Token (pa_test_clock) names it in tests.
 */
ngx_int_t ngx_pa_submit_idem_token(ngx_http_request_t *r, ngx_str_t *idem,
    ngx_str_t *id, ngx_str_t *token);

/* tests only (pa_test_clock): X-PA-Test-Token, a known token; or NULL */
ngx_str_t *ngx_pa_submit_idem_test_token(ngx_http_request_t *r);

#endif /* NGX_PA_SUBMIT_IDEM_H */
