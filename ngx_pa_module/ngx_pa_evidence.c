/*
 * Evidence rules of the profile.
 */

#include "ngx_pa_evidence.h"
#include "ngx_pa_media.h"


#define NGX_PA_UNPROCESSABLE  422


ngx_int_t
ngx_pa_evidence_check(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *media, ngx_uint_t has_pos, double lat, double lng,
    ngx_pa_err_t *err)
{
    time_t               taken;
    ngx_uint_t           i;
    ngx_pa_media_t     **m;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    m = media->elts;

    /* LC26 Đ7.2, VL Đ8.2a: an image or a video; a recording alone is not */

    if (pmcf->require_media) {
        for (i = 0; i < media->nelts; i++) {
            if (ngx_pa_media_visual(&m[i]->type)) {
                break;
            }
        }

        if (i == media->nelts) {
            ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "media_required",
                           "media", "a photo or video of the problem is "
                           "required");
            return NGX_ERROR;
        }
    }

    for (i = 0; i < media->nelts; i++) {

        if (pmcf->edited_media == NGX_PA_EDITED_REJECT
            && (m[i]->flags & NGX_PA_FLAG_EDITED_SOFTWARE))
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pa: media edited with \"%s\" refused",
                          m[i]->meta.software);
            ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "edited_media",
                           "media", "the photo shows signs of editing");
            return NGX_ERROR;
        }

        if (pmcf->photo_max_age == 0 || !ngx_pa_media_visual(&m[i]->type)) {
            continue;
        }

        if (!m[i]->meta.has_time) {

            /* flagged no_time (ngx_pa_media.c) unless the profile refuses */

            if (pmcf->no_time == NGX_PA_NO_TIME_REJECT) {
                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "pa: \"%V\" without a capture time refused",
                              &m[i]->type);
                ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "photo_too_old",
                               "media", "the photo or video carries no "
                               "capture time, so it cannot be shown to be "
                               "recent: send the original file");
                return NGX_ERROR;
            }

            continue;
        }

        /* a camera's clock without an offset is the province's clock */

        taken = m[i]->meta.taken_at;
        if (!m[i]->meta.time_has_offset) {
            taken -= pmcf->utc_offset;
        }

        if (ctx->now - taken > pmcf->photo_max_age) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "pa: \"%V\" taken %T s before the report refused",
                          &m[i]->type, ctx->now - taken);
            ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "photo_too_old",
                           "media", "the photo or video was taken too long "
                           "before the report (it must be recent)");
            return NGX_ERROR;
        }
    }

    if (!has_pos) {
        if (pmcf->require_gps) {
            ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "no_gps", "lat",
                           "a GPS position is required (from the device or "
                           "the photo)");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (pmcf->area && !ngx_pa_evidence_inside(pmcf->area, lat, lng)) {
        ngx_pa_err_set(err, NGX_PA_UNPROCESSABLE, "outside_area", "lat",
                       "the position is outside the province");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* ray casting over (lng, lat): fine at a province's scale */

ngx_uint_t
ngx_pa_evidence_inside(ngx_array_t *polygon, double lat, double lng)
{
    double      *p;
    ngx_uint_t   i, j, n, inside;

    p = polygon->elts;
    n = polygon->nelts;
    inside = 0;

    for (i = 0, j = n - 1; i < n; j = i++) {
        if (((p[i * 2] > lat) != (p[j * 2] > lat))
            && (lng < (p[j * 2 + 1] - p[i * 2 + 1]) * (lat - p[i * 2])
                      / (p[j * 2] - p[i * 2]) + p[i * 2 + 1]))
        {
            inside = !inside;
        }
    }

    return inside;
}
