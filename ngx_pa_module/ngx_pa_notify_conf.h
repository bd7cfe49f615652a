/*
 * pa_notify, pa_notify_claim_idle, pa_notify_trusted_certificate: the
 * webhooks' targets (ngx_pa_notify_conf.c).
 */

#ifndef NGX_PA_NOTIFY_CONF_H
#define NGX_PA_NOTIFY_CONF_H

#include "ngx_pa.h"
#include "ngx_pa_notify_types.h"


char *ngx_pa_notify_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_pa_notify_claim_idle_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_pa_notify_trusted_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
/* after the http{} block: defaults, and claim_idle against timeouts */
ngx_int_t ngx_pa_notify_conf_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf);
ngx_pa_notify_target_t *ngx_pa_notify_target(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *name);

#endif /* NGX_PA_NOTIFY_CONF_H */
