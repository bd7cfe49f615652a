/*
 * Edge rate limits: "pa_limit_zone <size>;",
 * "pa_limit addr rate=<N>r/s|r/m|r/h [burst=<N>] [redis];" and
 * "pa_limit phone rate=<N>r/s|r/m|r/h [burst=<N>];".
 *
 * Both kinds are GCRA (a leaky bucket kept as its theoretical arrival
 * time, TAT): a client may send 1 + burst requests at once, then one per
 * interval.  Local rules live in one shared memory zone per http{} block
 * and answer without leaving the worker; "redis" rules are one limit.lua
 * call, shared by every nginx node of the province.  Only POST requests
 * to pa_api locations are counted; over the limit they get 429
 * rate_limited with Retry-After before their body is read.
 *
 * A phone is known only once the body is parsed: "phone" rules are one
 * limit.lua call made by the submission (ngx_pa_limit_phone()) after its
 * checks and before anything is stored; the body was read, but nothing
 * of a refused report reaches Redis or the media store.
 *
 * The directives and ngx_pa_limit_init() are declared in ngx_pa.h.
 */

#ifndef NGX_PA_LIMIT_H
#define NGX_PA_LIMIT_H

#include "ngx_pa.h"
#include "ngx_pa_redis.h"


#define NGX_PA_LIMIT_RULES_MAX   8     /* of each kind */
#define NGX_PA_LIMIT_KEY_LEN     16    /* interval, tolerance */


typedef struct {
    uint64_t                   interval;   /* us between two requests */
    uint64_t                   tolerance;  /* burst * interval, us */
    ngx_str_t                  name;       /* "addr rate=30r/m", logs */

    /*
     * Names the rule's buckets in the zone (as "<interval>:<tolerance>"
     * does in Redis): after a reload that changes a rule, its clients
     * start afresh instead of inheriting a TAT of another rate.
     */
    u_char                     key[NGX_PA_LIMIT_KEY_LEN];
    ngx_str_t                  arg_interval;   /* limit.lua ARGV */
    ngx_str_t                  arg_tolerance;
} ngx_pa_limit_rule_t;


/* pmcf->limit */
struct ngx_pa_limit_conf_s {
    ngx_shm_zone_t            *shm_zone;   /* pa_limit_zone, or NULL */
    ngx_array_t                local;      /* ngx_pa_limit_rule_t */
    ngx_array_t                cluster;    /* ngx_pa_limit_rule_t, redis */
    ngx_array_t                phone;      /* ngx_pa_limit_rule_t, redis */

    /* per worker: quiets the fail-open warning during an outage */
    ngx_msec_t                 warned;
    ngx_uint_t                 quiet;
};


/*
 * The submission's phone check: NGX_DECLINED when no "phone" rule is set,
 * else what ngx_pa_eval() returns; on_reply then calls
 * ngx_pa_limit_phone_verdict(), which returns NGX_DECLINED to go on, or
 * answers 429 (503 on a script error) and returns what sending did.
 * idem: the submission's idempotency key (hex digest): one counted is
 * not counted again for a day, so its retry is never refused for the
 * rate its first attempt spent (limit.lua).
 */
ngx_int_t ngx_pa_limit_phone(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_str_t *phone_hash, ngx_str_t *idem, ngx_pa_reply_pt on_reply);
ngx_int_t ngx_pa_limit_phone_verdict(ngx_http_request_t *r,
    redisReply *reply);


/* pa_limit_zone, pa_limit and the preaccess handler */
char *ngx_pa_limit_zone_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_pa_limit_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_pa_limit_init(ngx_conf_t *cf);

#endif /* NGX_PA_LIMIT_H */
