/*
 * Requests with a staff token held back until this worker has read the
 * revoked tokens once (ngx_pa_revoke_wait.c; the set: ngx_pa_revoke.h).
 */

#ifndef NGX_PA_REVOKE_WAIT_H
#define NGX_PA_REVOKE_WAIT_H

#include "ngx_pa.h"


/*
 * NGX_OK when there is nothing to wait for (waiting NULL: the set is
 * read); NGX_AGAIN: the request is parked in "waiting" (one more
 * reference taken: the content handler returns NGX_DONE) and resume(r)
 * runs once, later, when ngx_pa_revoke_wake() is called or after pa_redis
 * timeout= (then the caller finds the set still unread and answers 503),
 * and must finalize r; NGX_ERROR: no memory.
 */
typedef void (*ngx_pa_revoke_resume_pt)(ngx_http_request_t *r);

ngx_int_t ngx_pa_revoke_wait(ngx_http_request_t *r, ngx_queue_t *waiting,
    ngx_pa_revoke_resume_pt resume);

/* the set is read: every request parked in "waiting" goes on */
void ngx_pa_revoke_wake(ngx_queue_t *waiting);

#endif /* NGX_PA_REVOKE_WAIT_H */
