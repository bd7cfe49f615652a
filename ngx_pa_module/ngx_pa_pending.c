/*
 * TEMPORARY: routes whose concern files are being written.  Each answers
 * 501 until its file replaces the function here.  Delete this file when
 * the last one moved out.
 */

#include "ngx_pa.h"
#include "ngx_pa_json.h"


ngx_int_t
ngx_pa_open311_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_send_error(r, NGX_HTTP_NOT_IMPLEMENTED, "not_implemented",
                             NULL, "not implemented yet");
}
