/*
 * Retention (pa_retention, pa_archive_dir): closed reports whose last
 * change is older than the profile's period are written to the archive
 * (JSON lines, one file per month, fsync'ed off the event loop) and only
 * then removed from Redis with every index and companion key.
 */

#ifndef NGX_PA_RETENTION_H
#define NGX_PA_RETENTION_H

#include "ngx_pa.h"


/* pa_retention off | <N>y | <N>d */
char *ngx_pa_retention_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

/* pa_archive_dir (default "archive" under the prefix), a full path */
char *ngx_pa_retention_init_conf(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf);

/* 1 when pa_retention is on */
ngx_uint_t ngx_pa_retention_on(ngx_pa_main_conf_t *pmcf);

/*
 * The sweeper's tick: a run in the background unless one is going (it
 * goes batch after batch until nothing past keeping is left).
 */
void ngx_pa_retention_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
void ngx_pa_retention_exit_worker(ngx_pa_main_conf_t *pmcf);

/*
 * POST /api/v1/admin/sweep: a whole run at the request's now; done(r,
 * data, archived) is called once it ended (archived < 0: it failed).
 * NGX_DONE: running; anything else: finalize with it.
 */
typedef void (*ngx_pa_retention_req_pt)(ngx_http_request_t *r, void *data,
    ngx_int_t archived);

ngx_int_t ngx_pa_retention_request(ngx_http_request_t *r, time_t now,
    ngx_pa_retention_req_pt done, void *data);

#endif /* NGX_PA_RETENTION_H */
