/*
 * pa_open311_keys (ngx_pa_open311_keys.c): the API keys of Open311
 * clients, each client's own rate limit, and the check of a request's
 * jurisdiction_id and api_key.
 */

#ifndef NGX_PA_OPEN311_KEYS_H
#define NGX_PA_OPEN311_KEYS_H

#include "ngx_pa.h"


#define NGX_PA_O311_TOKEN_MAX  256    /* an access token, in a path */


/* an API key's client (pa_open311_keys) */
typedef struct {
    ngx_str_t                  key;
    ngx_str_t                  client;     /* [A-Za-z0-9_.-]: in Redis keys */
    ngx_str_t                  arg_interval;   /* limit.lua ARGV */
    ngx_str_t                  arg_tolerance;
} ngx_pa_o311_client_t;


/*
 * jurisdiction_id, when given, must be this province's; an api_key, when
 * given, one of pa_open311_keys (required: it must be given).
 * NGX_DECLINED to go on (*client set or NULL), or what answering did.
 */
ngx_int_t ngx_pa_open311_check(ngx_http_request_t *r,
    ngx_str_t *jurisdiction, ngx_str_t *key, ngx_uint_t required,
    ngx_pa_o311_client_t **client);


char *ngx_pa_open311_keys_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* the client of an API key, or NULL */
ngx_pa_o311_client_t *ngx_pa_open311_client(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *key);

/*
 * The client's own rate limit: what ngx_pa_eval() returns; on_reply then
 * calls ngx_pa_open311_limit_verdict(), which returns NGX_DECLINED to go
 * on, or answers 429 (503 on a script error).  who: the request's
 * identity (its Idempotency-Key, else its body's digest): a request
 * counted is not counted again for a day, so a client's resend after a
 * lost answer gets the first answer, never a 429 (limit.lua).
 */
ngx_int_t ngx_pa_open311_limit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client, ngx_str_t *who, ngx_pa_reply_pt on_reply);
ngx_int_t ngx_pa_open311_limit_verdict(ngx_http_request_t *r, void *reply);

#endif /* NGX_PA_OPEN311_KEYS_H */
