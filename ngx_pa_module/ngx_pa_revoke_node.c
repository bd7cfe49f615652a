/*
 * The node's recent revocations, shared by its workers (ngx_pa_revoke.h).
 *
 * Each worker's copy of the tenant's set is read every second, so a token
 * revoked through one worker stayed good on the node's other workers
 * until their next read: the admin was told "revoked" and the lost phone
 * could still act.  The worker that answers the revocation puts it here
 * first; every check looks here too.  A ring: the oldest entry gives way
 * to a new one, by when every worker's copy has long had it from Redis.
 * Kept across "nginx -s reload" (a reload must not forget one).
 */

#include "ngx_pa.h"
#include "ngx_pa_revoke.h"


#define NGX_PA_REVOKE_RING   64
#define NGX_PA_REVOKE_NAME   68         /* "jti:" and up to 63 bytes */


typedef struct {
    time_t                     at;
    size_t                     len;
    u_char                     name[NGX_PA_REVOKE_NAME];
} ngx_pa_revoke_slot_t;


typedef struct {
    ngx_atomic_t               pushed;  /* entries ever put, 0: none */
    ngx_pa_revoke_slot_t       slot[NGX_PA_REVOKE_RING];
} ngx_pa_revoke_ring_t;


static ngx_int_t ngx_pa_revoke_node_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);


ngx_int_t
ngx_pa_revoke_node_init(ngx_conf_t *cf)
{
    ngx_str_t            name;
    ngx_shm_zone_t      *shm_zone;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_pa_module);

    if (pmcf->auth_secret.len == 0) {
        return NGX_OK;
    }

    ngx_str_set(&name, "pa_revoked");

    /* the smallest zone nginx's slab allocator takes; the ring is ~5 KB */
    shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                     &ngx_http_pa_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_pa_revoke_node_init_zone;
    pmcf->revoke_zone = shm_zone;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_revoke_node_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t       *shpool;
    ngx_pa_revoke_ring_t  *ring;

    if (data != NULL) {
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    ring = ngx_slab_calloc(shpool, sizeof(ngx_pa_revoke_ring_t));
    if (ring == NULL) {
        return NGX_ERROR;
    }

    shpool->data = ring;
    shm_zone->data = ring;

    return NGX_OK;
}


void
ngx_pa_revoke_node_add(ngx_pa_main_conf_t *pmcf, ngx_str_t *name, time_t at)
{
    ngx_slab_pool_t       *shpool;
    ngx_pa_revoke_slot_t  *s;
    ngx_pa_revoke_ring_t  *ring;

    if (pmcf->revoke_zone == NULL || name->len > NGX_PA_REVOKE_NAME) {
        return;
    }

    shpool = (ngx_slab_pool_t *) pmcf->revoke_zone->shm.addr;
    ring = pmcf->revoke_zone->data;

    ngx_shmtx_lock(&shpool->mutex);

    s = &ring->slot[ring->pushed % NGX_PA_REVOKE_RING];
    s->at = at;
    s->len = name->len;
    ngx_memcpy(s->name, name->data, name->len);

    ring->pushed++;

    ngx_shmtx_unlock(&shpool->mutex);
}


ngx_int_t
ngx_pa_revoke_node_check(ngx_pa_main_conf_t *pmcf, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat)
{
    ngx_int_t              rc;
    ngx_str_t              name;
    ngx_uint_t             i, n;
    ngx_slab_pool_t       *shpool;
    ngx_pa_revoke_ring_t  *ring;

    if (pmcf->revoke_zone == NULL) {
        return NGX_OK;
    }

    ring = pmcf->revoke_zone->data;

    /* no revocation answered on this node since it started: no lock */

    if (ring->pushed == 0) {
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) pmcf->revoke_zone->shm.addr;

    rc = NGX_OK;

    ngx_shmtx_lock(&shpool->mutex);

    n = ngx_min(ring->pushed, NGX_PA_REVOKE_RING);

    for (i = 0; i < n; i++) {
        name.data = ring->slot[i].name;
        name.len = ring->slot[i].len;

        if (ngx_pa_revoke_match(&name, ring->slot[i].at, jti, sub, iat)) {
            rc = NGX_DECLINED;
            break;
        }
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}


/*
 * A "jti:" entry refuses that token.  A "sub:" entry refuses the person's
 * tokens issued (iat) up to the revocation, undated ones too, and those
 * whose iat is ahead of it by no more than a minting clock may be ahead
 * (NGX_PA_REVOKE_IAT_AHEAD, which ngx_pa_auth.c accepts): such a token,
 * minted before the revocation by a clock 30 s fast, outlived it.  A
 * token minted for the same person just after the revocation is refused
 * too, for that minute: a lock-out that holds is worth the wait.
 */

ngx_uint_t
ngx_pa_revoke_match(ngx_str_t *name, time_t at, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat)
{
    if (jti->len && name->len == 4 + jti->len
        && ngx_strncmp(name->data, "jti:", 4) == 0
        && ngx_strncmp(name->data + 4, jti->data, jti->len) == 0)
    {
        return 1;
    }

    return name->len == 4 + sub->len
           && ngx_strncmp(name->data, "sub:", 4) == 0
           && ngx_strncmp(name->data + 4, sub->data, sub->len) == 0
           && (iat == 0 || iat <= at + NGX_PA_REVOKE_IAT_AHEAD);
}
