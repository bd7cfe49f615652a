/*
 * Revoked staff tokens (api.md, Staff tokens): POST
 * /api/v1/admin/tokens/revoke names a token (jti) or a person (sub); the
 * tenant's set pa:{t}:revoked holds them.  Each worker keeps a copy,
 * read again every second, so checking a token costs no Redis call and a
 * revocation reaches every node within seconds.
 */

#ifndef NGX_PA_REVOKE_H
#define NGX_PA_REVOKE_H

#include "ngx_pa.h"


/*
 * How far ahead of this node's clock a token's iat may be (a minting
 * clock fast): ngx_pa_auth.c accepts it, a person's revocation covers it.
 */
#define NGX_PA_REVOKE_IAT_AHEAD  60


ngx_int_t ngx_pa_revoke_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_revoke_exit_worker(ngx_pa_main_conf_t *pmcf);

/* NGX_DECLINED when the token (jti) or its holder (sub, iat) is revoked */
ngx_int_t ngx_pa_revoke_check(ngx_pa_main_conf_t *pmcf, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat);

/*
 * Until this worker has read the set once (just started: a reload, a
 * respawn), the queue where requests with a staff token wait; NULL once
 * read, or when no token can verify (no pa_auth_secret_file).
 */
ngx_queue_t *ngx_pa_revoke_waiting(ngx_pa_main_conf_t *pmcf);


/* how long an entry is kept: the longest a token may live */
time_t ngx_pa_revoke_keep(ngx_pa_main_conf_t *pmcf);


/*
 * This worker's copy learns a revocation at once ("jti:<jti>" or
 * "sub:<sub>"), the others at their next read; NGX_OK without a copy.
 */
ngx_int_t ngx_pa_revoke_note(ngx_pa_main_conf_t *pmcf, ngx_str_t *name,
    time_t at);



/*
 * ngx_pa_revoke_node.c: the revocations answered on this node, in a zone
 * its workers share ("pa_revoked"), so none of them honours a token the
 * admin was told is revoked; the other nodes learn it from Redis.
 */
ngx_int_t ngx_pa_revoke_node_init(ngx_conf_t *cf);
void ngx_pa_revoke_node_add(ngx_pa_main_conf_t *pmcf, ngx_str_t *name,
    time_t at);
ngx_int_t ngx_pa_revoke_node_check(ngx_pa_main_conf_t *pmcf, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat);
/* 1 when the entry ("jti:<jti>", "sub:<sub>" revoked at "at") refuses it */
ngx_uint_t ngx_pa_revoke_match(ngx_str_t *name, time_t at, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat);

#endif /* NGX_PA_REVOKE_H */
