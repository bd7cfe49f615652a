/*
 * The webhooks' HTTP/1.1 client on nginx's event loop
 * (ngx_pa_notify_http.c): keep-alive, TLS by ngx_ssl.
 */

#ifndef NGX_PA_NOTIFY_HTTP_H
#define NGX_PA_NOTIFY_HTTP_H

#include "ngx_pa.h"
#include "ngx_pa_notify_types.h"


/*
 * POSTs req (a whole HTTP/1.1 request) to the target; handler runs once,
 * later, with the answer's status or an error.  NGX_ERROR: nothing was
 * started, the handler will not run.
 */
ngx_int_t ngx_pa_notify_http_post(ngx_pa_notify_http_t *h, ngx_buf_t *req);
void ngx_pa_notify_http_close(ngx_pa_notify_http_t *h);

#endif /* NGX_PA_NOTIFY_HTTP_H */
