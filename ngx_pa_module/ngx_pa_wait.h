/*
 * "pa_redis ... wait=N wait_timeout=T": a write the module answers 201 or
 * 200 for is one that N replicas hold (Redis WAIT after the script), so
 * a failover to one of them loses no acknowledged report.
 */

#ifndef NGX_PA_WAIT_H
#define NGX_PA_WAIT_H

#include "ngx_pa.h"
#include "ngx_pa_call.h"


/*
 * Called with a script's reply.  NGX_DECLINED: nothing to wait for, the
 * caller hands the reply on; NGX_OK: WAIT was sent and the call's
 * handler runs on its answer, with a copy of the reply or with NULL (not
 * replicated in time: 503); NGX_ERROR: WAIT could not be sent, the
 * caller hands NULL on.
 */
ngx_int_t ngx_pa_wait(ngx_pa_call_t *call, redisReply *reply);

#endif /* NGX_PA_WAIT_H */
