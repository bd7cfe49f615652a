/*
 * Token revocation by an admin (ngx_pa_admin.c): POST
 * /admin/tokens/revoke; every worker's copy of the set is ngx_pa_revoke.c.
 */

#ifndef NGX_PA_ADMIN_H
#define NGX_PA_ADMIN_H

#include "ngx_pa.h"


/* the route (ngx_pa_api.c dispatches to it): POST /admin/tokens/revoke */
ngx_int_t ngx_pa_revoke_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_ADMIN_H */
