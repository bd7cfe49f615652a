/*
 * A pii=on target's body: the reporter's contact, decrypted for one
 * attempt (ngx_pa_notify_pii.c).
 */

#ifndef NGX_PA_NOTIFY_PII_H
#define NGX_PA_NOTIFY_PII_H

#include "ngx_pa.h"


struct redisReply;


/* the body of one attempt to a pii=on target */
ngx_int_t ngx_pa_notify_pii_body(ngx_pool_t *pool,
    ngx_pa_pii_keyring_t *ring, ngx_str_t *body, struct redisReply *sealed,
    ngx_str_t *out, ngx_log_t *log);
void ngx_pa_notify_pii_wipe(ngx_str_t *sent);

#endif /* NGX_PA_NOTIFY_PII_H */
