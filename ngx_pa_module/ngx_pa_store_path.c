/*
 * The media store's paths (ngx_pa_store_path.h).
 */

#include "ngx_pa_store_path.h"


ngx_int_t
ngx_pa_media_path(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf, ngx_str_t *hex,
    ngx_str_t *path)
{
    u_char  *p;

    path->data = ngx_pnalloc(pool, pmcf->media_dir.len + hex->len + 6);
    if (path->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(path->data, "%V/%*s/%V%Z", &pmcf->media_dir,
                    (size_t) 2, hex->data, hex);
    path->len = p - path->data - 1;

    return NGX_OK;
}
