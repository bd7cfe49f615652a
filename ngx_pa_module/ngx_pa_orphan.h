/*
 * The orphan sweep of the media store (issue 11.2): a blob no report
 * references, older than pa_media_orphan_grace, is removed.  Blobs are
 * orphaned by a submission refused after its media were stored (a
 * duplicate, a locked phone, Redis gone) and by retention removing the
 * last report that named them.
 */

#ifndef NGX_PA_ORPHAN_H
#define NGX_PA_ORPHAN_H

#include "ngx_pa.h"


/* pa_media_orphan_grace: a minute at least (a submission on its way) */
extern ngx_conf_post_t  ngx_pa_orphan_grace_post;

/* the sweeper's tick: a run in the background at most once a day */
void ngx_pa_orphan_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
void ngx_pa_orphan_exit_worker(ngx_pa_main_conf_t *pmcf);

/*
 * POST /api/v1/admin/sweep?media=1: a run now; done(r, data, removed) is
 * called once it ended (removed < 0: it failed, nothing more removed).
 * NGX_DONE: running; anything else: finalize with it.
 */
typedef void (*ngx_pa_orphan_req_pt)(ngx_http_request_t *r, void *data,
    ngx_int_t removed);

ngx_int_t ngx_pa_orphan_request(ngx_http_request_t *r,
    ngx_pa_orphan_req_pt done, void *data);

#endif /* NGX_PA_ORPHAN_H */
