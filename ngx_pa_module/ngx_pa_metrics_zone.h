/*
 * The layout of the "pa_metrics" zone, shared by the metrics files only
 * (ngx_pa_metrics.c counts, ngx_pa_metrics_log.c counts requests,
 * ngx_pa_metrics_out.c answers); the rest of the module counts through
 * ngx_pa_metrics.h.
 */

#ifndef NGX_PA_METRICS_ZONE_H
#define NGX_PA_METRICS_ZONE_H

#include "ngx_pa.h"
#include "ngx_pa_metrics.h"


/* route families of pa_http_requests_total{route=...} */
typedef enum {
    NGX_PA_MR_SUBMIT = 0,       /* POST /api/v1/reports */
    NGX_PA_MR_REPORT,           /* /api/v1/reports/{id} */
    NGX_PA_MR_ACTION,           /* .../actions */
    NGX_PA_MR_HISTORY,
    NGX_PA_MR_REPORTER,
    NGX_PA_MR_MEDIA,            /* .../media/..., /media/ */
    NGX_PA_MR_QUEUE,
    NGX_PA_MR_PUBLIC,
    NGX_PA_MR_STATS,
    NGX_PA_MR_DIRECTORY,
    NGX_PA_MR_HEALTH,
    NGX_PA_MR_ADMIN,
    NGX_PA_MR_API,              /* any other /api/v1/ path */
    NGX_PA_MR_OPEN311_SUBMIT,   /* POST /open311/.../requests.json|xml */
    NGX_PA_MR_OPEN311,
    NGX_PA_MR_METRICS,
    NGX_PA_MR_OTHER,            /* the portal, static files */
    NGX_PA_MR_LAST
} ngx_pa_metrics_route_e;

#define NGX_PA_STATUSES    600     /* 0..599; anything else counts as 0 */
#define NGX_PA_REASONS     25      /* ngx_pa_metrics_reasons, "other" last */
#define NGX_PA_BUCKETS     15      /* ngx_pa_metrics_le and +Inf */


typedef struct {
    ngx_atomic_t               counter[NGX_PA_M_LAST];
    ngx_atomic_t               requests[NGX_PA_MR_LAST][NGX_PA_STATUSES];
    ngx_atomic_t               accepted;
    ngx_atomic_t               replayed;
    ngx_atomic_t               refused[NGX_PA_REASONS];

    /* Redis round trips: per bucket (not cumulative), and their sum */
    ngx_atomic_t               bucket[NGX_PA_BUCKETS];
    ngx_atomic_t               sum_us;
} ngx_pa_metrics_shm_t;


extern ngx_pa_metrics_shm_t  *ngx_pa_metrics_shm;
extern const char             ngx_pa_metrics_replayed[];
extern const char            *ngx_pa_metrics_routes[NGX_PA_MR_LAST];
extern const char            *ngx_pa_metrics_reasons[NGX_PA_REASONS];
extern const uint64_t         ngx_pa_metrics_le[NGX_PA_BUCKETS - 1];


/* the zone's init: reuses the old zone's counters on a reload */
ngx_int_t ngx_pa_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data);

#endif /* NGX_PA_METRICS_ZONE_H */
