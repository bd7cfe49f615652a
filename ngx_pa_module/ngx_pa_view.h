/*
 * What a caller sees of a stored report: the report hash (HGETALL) turned
 * into the contract's JSON, with what each audience may see.  Personal
 * data never leaves here: its sealed fields are skipped for everyone.
 */

#ifndef NGX_PA_VIEW_H
#define NGX_PA_VIEW_H

#include "ngx_pa.h"
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
} ngx_pa_hash_t;


/* copies an HGETALL reply (hiredis frees it) into the pool */
ngx_int_t ngx_pa_hash_from_reply(ngx_pool_t *pool, redisReply *reply,
    ngx_pa_hash_t *h);

ngx_str_t *ngx_pa_hash_get(ngx_pa_hash_t *h, const char *name);

json_t *ngx_pa_view_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_hash_t *h, ngx_pa_view_e audience);

#endif /* NGX_PA_VIEW_H */
