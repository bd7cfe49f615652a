/*
 * A report's id among its fields (ngx_pa_record_id.h).
 */

#include "ngx_pa_record_id.h"
#include "ngx_pa_default.h"


ngx_int_t
ngx_pa_hash_name(ngx_pool_t *pool, ngx_pa_hash_t *h, ngx_str_t *id)
{
    u_char     *p;
    ngx_str_t  *kv;

    if (h->n == 0 || ngx_pa_hash_get(h, "id") != NULL) {
        return NGX_OK;      /* no such report, or stored with its id */
    }

    kv = ngx_palloc(pool, (h->n + 1) * 2 * sizeof(ngx_str_t)
                          + sizeof(ngx_str_t));
    p = ngx_pnalloc(pool, id->len + 1);

    if (kv == NULL || p == NULL) {
        return NGX_ERROR;
    }

    /* NUL terminated, as every value of a hash read (strtod() reads) */

    ngx_memcpy(p, id->data, id->len);
    p[id->len] = '\0';

    /* first, where submit.lua wrote it before */

    ngx_str_set(&kv[0], "id");
    kv[1].data = p;
    kv[1].len = id->len;
    ngx_memcpy(&kv[2], h->kv, h->n * 2 * sizeof(ngx_str_t));

    h->kv = kv;
    h->n++;

    return ngx_pa_default_unfold(pool, &h->kv, &h->n);
}


ngx_int_t
ngx_pa_hash_from_record(ngx_pool_t *pool, redisReply *reply, ngx_str_t *id,
    ngx_pa_hash_t *h)
{
    if (ngx_pa_hash_from_reply(pool, reply, h) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_hash_name(pool, h, id);
}
