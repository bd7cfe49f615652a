/*
 * A new report's record as the DUMP payload of its hash
 * (ngx_pa_submit_record.h).
 */

#include "ngx_pa_submit_record.h"


ngx_int_t
ngx_pa_submit_record(ngx_pool_t *pool, const ngx_pa_crc64_t *crc,
    ngx_str_t *kv, ngx_uint_t n, ngx_str_t *out)
{
    u_char      *p;
    size_t       elen;
    ngx_uint_t   i, j, m, *keep;

    keep = ngx_palloc(pool, n * sizeof(ngx_uint_t));
    if (keep == NULL) {
        return NGX_ERROR;
    }

    /* HSET's rule: a name again updates the first's value in its place
       (a few tens of fields: the quadratic walk is the cheap one) */

    m = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < m; j++) {
            if (kv[keep[j] * 2].len == kv[i * 2].len
                && ngx_strncmp(kv[keep[j] * 2].data, kv[i * 2].data,
                               kv[i * 2].len) == 0)
            {
                kv[keep[j] * 2 + 1] = kv[i * 2 + 1];
                break;
            }
        }

        if (j == m) {
            keep[m++] = i;
        }
    }

    elen = 0;

    for (j = 0; j < m; j++) {
        elen += ngx_pa_dump_entry_len(kv[keep[j] * 2].data,
                                      kv[keep[j] * 2].len)
                + ngx_pa_dump_entry_len(kv[keep[j] * 2 + 1].data,
                                        kv[keep[j] * 2 + 1].len);
    }

    out->len = ngx_pa_dump_len(elen);
    out->data = ngx_pnalloc(pool, out->len);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pa_dump_head(out->data, elen, 2 * m);

    for (j = 0; j < m; j++) {
        p = ngx_pa_dump_entry(p, kv[keep[j] * 2].data, kv[keep[j] * 2].len);
        p = ngx_pa_dump_entry(p, kv[keep[j] * 2 + 1].data,
                              kv[keep[j] * 2 + 1].len);
    }

    (void) ngx_pa_dump_tail(crc, out->data, p);

    return NGX_OK;
}
