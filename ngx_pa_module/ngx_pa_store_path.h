/*
 * Where a blob lives in the media store (pa_media_dir): its SHA-256 in
 * lowercase hex, under a folder of its first two digits; and how a file
 * of it is written.  Below the media files that store (ngx_pa_media.c)
 * and those that make files of what is stored (thumbnails, public
 * copies).
 */

#ifndef NGX_PA_STORE_PATH_H
#define NGX_PA_STORE_PATH_H

#include "ngx_pa.h"


#define NGX_PA_MEDIA_SHA_LEN       64         /* sha256, lowercase hex */


/* store path of a digest, NUL terminated, from the pool */
ngx_int_t ngx_pa_media_path(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *hex, ngx_str_t *path);

/*
 * len bytes to fd, all of them (a short write goes on, EINTR is retried):
 * NGX_OK, or NGX_ERROR with ngx_errno set (ENOSPC for a disk that took
 * nothing more).  A file written so is whole or known not to be.
 */
ngx_int_t ngx_pa_store_write(ngx_fd_t fd, const u_char *p, size_t len);


#endif /* NGX_PA_STORE_PATH_H */
