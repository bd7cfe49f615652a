/*
 * The media store's paths, and its files' writes (ngx_pa_store_path.h).
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


ngx_int_t
ngx_pa_store_write(ngx_fd_t fd, const u_char *p, size_t len)
{
    ssize_t  n;

    while (len) {
        n = write(fd, p, len);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }

            return NGX_ERROR;
        }

        if (n == 0) {
            ngx_set_errno(NGX_ENOSPC);
            return NGX_ERROR;
        }

        p += n;
        len -= n;
    }

    return NGX_OK;
}
