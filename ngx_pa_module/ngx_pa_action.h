/*
 * Actions on a report (ngx_pa_action.c): POST /reports/{id}/actions,
 * the workflow's transitions through act.lua.
 */

#ifndef NGX_PA_ACTION_H
#define NGX_PA_ACTION_H

#include "ngx_pa.h"


/* the route (ngx_pa_api.c dispatches to it): POST /reports/{id}/actions */
ngx_int_t ngx_pa_action_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_ACTION_H */
