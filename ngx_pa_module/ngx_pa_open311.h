/*
 * Open311 GeoReport v2: what its four files share.
 *
 *   ngx_pa_open311.c       the routes: discovery, services, requests,
 *                          tokens, servicerequestupdates; the view
 *   ngx_pa_open311_post.c  POST requests: keys, retries, the body mapped
 *   ngx_pa_open311_out.c   one answer in the format the path asks for:
 *                          the JSON tree as JSON, or as XML written by
 *                          libxml2's xmlTextWriter in GeoReport's names
 *   ngx_pa_open311_keys.c  pa_open311_keys: API keys, their clients and
 *                          each client's own rate limit
 */

#ifndef NGX_PA_OPEN311_H
#define NGX_PA_OPEN311_H

#include "ngx_pa.h"

#include <jansson.h>


#define NGX_PA_O311_JSON    0
#define NGX_PA_O311_XML     1


/*
 * The format of a request under /open311/v2/: ".json" is JSON; ".xml",
 * and a path whose format cannot be told, is XML, the spec's own.
 */
ngx_uint_t ngx_pa_open311_format(ngx_http_request_t *r);

/*
 * Sends body (and drops the reference) in the request's format.  root
 * names the XML document element ("services", "service_requests",
 * "errors", ...); arrays hold one element per item, named after the array
 * (services: service, service_requests: request, attributes: attribute
 * ...).  cache_control may be NULL.
 */
ngx_int_t ngx_pa_open311_send(ngx_http_request_t *r, ngx_uint_t status,
    json_t *body, const char *root, const char *cache_control);

/*
 * The same body rendered into a buffer, with its Content-Type: for the
 * 429 of the edge limiter, which sends its answer itself.
 */
ngx_buf_t *ngx_pa_open311_render(ngx_http_request_t *r, json_t *body,
    const char *root, ngx_str_t *content_type);


#define NGX_PA_O311_TOKEN_MAX  256    /* an access token, in a path */


/* an API key's client (pa_open311_keys) */
typedef struct {
    ngx_str_t                  key;
    ngx_str_t                  client;     /* [A-Za-z0-9_.-]: in Redis keys */
    ngx_str_t                  arg_interval;   /* limit.lua ARGV */
    ngx_str_t                  arg_tolerance;
} ngx_pa_o311_client_t;


/* ngx_pa_open311.c: helpers of both files */

/*
 * jurisdiction_id, when given, must be this province's; an api_key, when
 * given, one of pa_open311_keys (required: it must be given).
 * NGX_DECLINED to go on (*client set or NULL), or what answering did.
 */
ngx_int_t ngx_pa_open311_check(ngx_http_request_t *r,
    ngx_str_t *jurisdiction, ngx_str_t *key, ngx_uint_t required,
    ngx_pa_o311_client_t **client);

ngx_uint_t ngx_pa_open311_is(ngx_str_t *s, const char *name);

/* logs what could not be built: 500 */
ngx_int_t ngx_pa_open311_fail(ngx_http_request_t *r, const char *what);


/* ngx_pa_open311_post.c */
ngx_int_t ngx_pa_open311_post(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

/* the contract's field name as GeoReport names it ("lng": "long") */
const char *ngx_pa_open311_field(const char *ours);


char *ngx_pa_open311_keys_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* the client of an API key, or NULL */
ngx_pa_o311_client_t *ngx_pa_open311_client(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *key);

/*
 * The client's own rate limit: what ngx_pa_eval() returns; on_reply then
 * calls ngx_pa_open311_limit_verdict(), which returns NGX_DECLINED to go
 * on, or answers 429 (503 on a script error).
 */
ngx_int_t ngx_pa_open311_limit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client, ngx_pa_reply_pt on_reply);
ngx_int_t ngx_pa_open311_limit_verdict(ngx_http_request_t *r, void *reply);

#endif /* NGX_PA_OPEN311_H */
