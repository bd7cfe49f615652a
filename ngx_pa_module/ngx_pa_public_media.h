/*
 * Media outside the API's JSON: the originals for those who may see the
 * report, and the public copies without metadata of a published report.
 *
 * Originals: GET /api/v1/reports/{id}/media/{sha} checks the caller (the
 * same rules as GET /api/v1/reports/{id}) and that the sha is one of the
 * report's media, then hands the request over to the internal location
 * NGX_PA_MEDIA_ORIGINAL_URI, which the operator configures:
 *
 *     location /pa-media-original/ {
 *         internal;
 *         alias <pa_media_dir>/;
 *     }
 *
 * Public copies: pa_media_dir/public/<report id>/<sha>.jpg (or .png), made
 * when the report becomes public and removed when it stops being public,
 * served statically at NGX_PA_MEDIA_PUBLIC_URI:
 *
 *     location /media/ {
 *         alias <pa_media_dir>/public/;
 *         ...
 *     }
 *
 * so a photo's public url is /media/<report id>/<sha256>.jpg.  Only JPEG
 * (APPn but JFIF/Adobe, COM and trailing data dropped) and PNG (IHDR,
 * PLTE, IDAT, tRNS, IEND kept) get a public copy; videos, audio and HEIC
 * are never public.
 */

#ifndef NGX_PA_PUBLIC_MEDIA_H
#define NGX_PA_PUBLIC_MEDIA_H

#include "ngx_pa.h"
#include "ngx_pa_media.h"
#include "ngx_pa_thread.h"
#include "ngx_pa_view.h"


#define NGX_PA_MEDIA_ORIGINAL_URI  "/pa-media-original/"
#define NGX_PA_MEDIA_PUBLIC_DIR    "public"   /* under pa_media_dir */


typedef void (*ngx_pa_pm_synced_pt)(ngx_http_request_t *r, void *data);

/*
 * Makes the report's public copies match its state: when it is public
 * (resolved, published, not hidden, not private, not secret) every JPEG
 * and PNG of "media" and of "result.media" gets its copy; otherwise its
 * copies are removed.  Called after an action that may change what is
 * public was stored (h: the report as act.lua returned it); the file work
 * is a job (ngx_pa_thread.c).  NGX_AGAIN: in the thread pool, synced(r,
 * data) follows; NGX_OK: done inline; NGX_ERROR: nothing could be started
 * (logged).  A copy that cannot be made or removed is logged; the action
 * itself stands either way.
 */
ngx_int_t ngx_pa_public_media_sync(ngx_http_request_t *r, ngx_pa_hash_t *h,
    ngx_pa_pm_synced_pt synced, void *data);

/* the report is public: resolved, published, not hidden, private, secret */
ngx_uint_t ngx_pa_public_media_is_public(ngx_pa_hash_t *h);

/*
 * The sweeper's repair (ngx_pa_public_repair.c), without a request.  On
 * the event loop: the copies a public report h has (pool: the run's),
 * NULL when it is not public or has none (or no memory).  Then, in a
 * thread or inline: the missing ones made again (existing ones left
 * alone); how many were made, or NGX_ERROR (logged).
 */
typedef struct ngx_pa_pm_plan_s  ngx_pa_pm_plan_t;

ngx_pa_pm_plan_t *ngx_pa_public_media_plan(ngx_pool_t *pool, ngx_log_t *log,
    ngx_pa_main_conf_t *pmcf, ngx_pa_hash_t *h);
ngx_int_t ngx_pa_public_media_fill(ngx_pa_pm_plan_t *plan, ngx_pool_t *pool,
    ngx_log_t *log, ngx_pa_main_conf_t *pmcf);

/*
 * The routes ngx_pa_api.c dispatches to: media files, public copies,
 * staff originals
 */
ngx_int_t ngx_pa_media_original_handler(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_PUBLIC_MEDIA_H */
