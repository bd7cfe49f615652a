/*
 * Thumbnails: a small JPEG (NGX_PA_THUMB_WIDTH px wide at most) of a
 * photo, made with libgd in a background job (the thread pool) just after
 * the photo entered the store, kept beside it as <sha>.thumb.jpg.  Lists
 * (public map list, staff queue and detail, the reporter's tracking page)
 * load it instead of the original; libgd writes no metadata, so a
 * thumbnail carries no EXIF and no GPS.  JPEG and PNG only (libgd reads
 * no HEIC); videos get none.  A photo bigger than NGX_PA_THUMB_PIXELS is
 * not decoded (a "decompression bomb" of a few KB could claim gigabytes).
 */

#ifndef NGX_PA_THUMB_H
#define NGX_PA_THUMB_H

#include "ngx_pa.h"
#include "ngx_pa_store_path.h"
#include "ngx_pa_thread.h"


#define NGX_PA_THUMB_WIDTH    320
#define NGX_PA_THUMB_QUALITY  75
#define NGX_PA_THUMB_PIXELS   (64 * 1024 * 1024)
#define NGX_PA_THUMB_SUFFIX   ".thumb.jpg"


/* the photos of one store, for the background job (bg->data: an array) */
typedef struct {
    ngx_str_t                  path;      /* NUL terminated */
    ngx_str_t                  type;
} ngx_pa_thumb_item_t;


/* 1: the type gets a thumbnail */
ngx_uint_t ngx_pa_thumb_type(ngx_str_t *type);

/*
 * <src>.thumb.jpg from the stored photo src (NUL terminated), unless it
 * is there already.  Runs in a job's work: only pool, log and files.
 * NGX_OK, NGX_DECLINED (no thumbnail for this type or size), NGX_ERROR
 * (logged; the photo itself stands).
 */
ngx_int_t ngx_pa_thumb_make(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *type, u_char *src);

/* a photo just stored, for ngx_pa_thumb_later() */
typedef struct {
    u_char                    *hex;       /* NGX_PA_MEDIA_SHA_LEN digits */
    ngx_str_t                  type;
} ngx_pa_thumb_src_t;

/*
 * The thumbnails of the photos (ngx_pa_thumb_src_t) just stored:
 * a background job of the thread pool that no request waits for, so a
 * submission's 201 does not wait for a decode (without a pool: on the
 * event loop after the events at hand, as all media work is then), in
 * the thumbnails' lane below, behind the uploads.  Best effort: a failure
 * is logged, the photos stand.
 */
void ngx_pa_thumb_later(ngx_pa_main_conf_t *pmcf, ngx_log_t *log,
    ngx_array_t *photos);

/*
 * The thumbnails' lane (ngx_pa_thumb_lane.c): bg, a thumbnail's job, runs
 * once the worker's requests have had no media work for a moment, one at
 * a time, so uploads never wait behind thumbnails.  NGX_OK (waiting, or
 * dropped past the lane's bound: logged), NGX_ERROR; bg is the lane's
 * either way.
 */
ngx_int_t ngx_pa_thumb_lane_add(ngx_pa_main_conf_t *pmcf, ngx_pa_bg_t *bg);

/* 1: a thumbnail of the photo at path waits in the lane */
ngx_uint_t ngx_pa_thumb_lane_waits(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *path);

/* the worker exits: the thumbnails still waiting are made first */
void ngx_pa_thumb_lane_exit(ngx_pa_main_conf_t *pmcf);

/*
 * A published photo's thumbnail: <dir>/<sha>.thumb.jpg, a hard link of
 * the store's (made first when the photo came before thumbnails did).
 * In a job's work.  NGX_OK, NGX_DECLINED (none for it), NGX_ERROR.
 */
ngx_int_t ngx_pa_thumb_public(ngx_pa_job_t *job, ngx_str_t *dir,
    ngx_str_t *sha, ngx_uint_t png);

/* 1: name is the thumbnail of sha ("<sha>.thumb.jpg") */
ngx_uint_t ngx_pa_thumb_of(ngx_str_t *sha, u_char *name, size_t len);

/*
 * GET .../media/{sha}?size=thumb: uri ("/pa-media-original/ab/<sha>")
 * and type become the thumbnail's (path: the original in the store, type
 * its type).  NGX_DECLINED: the original was asked for; NGX_ERROR: there
 * is no thumbnail (a video, a HEIC, a photo too large): 404; NGX_AGAIN:
 * a photo stored less than NGX_PA_THUMB_PENDING seconds ago whose
 * thumbnail is still being made: 404 too, saying so, with Retry-After.
 */
#define NGX_PA_THUMB_PENDING  60

ngx_int_t ngx_pa_thumb_swap(ngx_http_request_t *r, ngx_str_t *path,
    ngx_str_t *uri, const char **type);

#endif /* NGX_PA_THUMB_H */
