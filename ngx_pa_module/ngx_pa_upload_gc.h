/*
 * pa_upload's settings, and the collector of dead uploads' files
 * (ngx_pa_upload_gc.c): one worker, a timer.
 */

#ifndef NGX_PA_UPLOAD_GC_H
#define NGX_PA_UPLOAD_GC_H

#include "ngx_pa.h"


/* pmcf->upload (pa_upload), or the defaults */
struct ngx_pa_upload_conf_s {
    time_t                     ttl;       /* unbound this long: dead */
    ngx_uint_t                 handles;   /* open ones per address */
    off_t                      bytes;     /* their lengths per address;
                                             0: 20 x pa_media_max_size */
};

ngx_pa_upload_conf_t *ngx_pa_upload_get_conf(ngx_pa_main_conf_t *pmcf);

/* pa_upload ttl=<time> handles=<n> bytes=<size>; */
char *ngx_pa_upload_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

ngx_int_t ngx_pa_upload_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_upload_exit_worker(ngx_pa_main_conf_t *pmcf);

#endif /* NGX_PA_UPLOAD_GC_H */
