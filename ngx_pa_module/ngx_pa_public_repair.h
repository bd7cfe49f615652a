/*
 * Public copies made again by the sweeper (issue 15): a published
 * report's photo whose public copy is missing on disk (deleted, or the
 * disk was full at publish) is made again on the sweeper's next pass,
 * not only on its first read (ngx_pa_public_copy.c).
 */

#ifndef NGX_PA_PUBLIC_REPAIR_H
#define NGX_PA_PUBLIC_REPAIR_H

#include "ngx_pa.h"


/* the sweeper holds the lock: one page of the published reports looked at */
void ngx_pa_public_repair_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
void ngx_pa_public_repair_exit_worker(ngx_pa_main_conf_t *pmcf);

#endif /* NGX_PA_PUBLIC_REPAIR_H */
