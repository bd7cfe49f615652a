/*
 * Conditions for acceptance (LC26 Điều 7, VL Điều 8), checked at the edge
 * before anything reaches Redis: media required, photo taken within
 * pa_photo_max_age of the submission, a GPS position, inside the
 * province's polygon, no editing traces where the profile rejects them.
 */

#ifndef NGX_PA_EVIDENCE_H
#define NGX_PA_EVIDENCE_H

#include "ngx_pa.h"


/*
 * media: ngx_pa_media_t * of the submission.  has_pos / lat / lng: the
 * position from the form, or from a photo's EXIF.  NGX_OK or NGX_ERROR
 * with err set (422 and the contract's code).
 */
ngx_int_t ngx_pa_evidence_check(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *media, ngx_uint_t has_pos, double lat, double lng,
    ngx_pa_err_t *err);

/* 1 when (lat, lng) lies inside the polygon of lat, lng pairs */
ngx_uint_t ngx_pa_evidence_inside(ngx_array_t *polygon, double lat,
    double lng);

#endif /* NGX_PA_EVIDENCE_H */
