/*
 * The router of /api/v1/ (ngx_pa_api.c): the content handler that
 * pa_api installs.  The helpers route handlers share are ngx_pa_call.h's.
 */

#ifndef NGX_PA_API_H
#define NGX_PA_API_H

#include "ngx_pa.h"


ngx_int_t ngx_pa_api_handler(ngx_http_request_t *r);

#endif /* NGX_PA_API_H */
