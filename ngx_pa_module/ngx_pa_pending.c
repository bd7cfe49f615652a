/*
 * TEMPORARY: routes whose concern files are being written.  Each answers
 * 501 until its file replaces the function here.  Delete this file when
 * the last one moved out.
 */

#include "ngx_pa.h"
#include "ngx_pa_json.h"


static ngx_int_t
ngx_pa_pending(ngx_http_request_t *r)
{
    return ngx_pa_send_error(r, NGX_HTTP_NOT_IMPLEMENTED, "not_implemented",
                             NULL, "not implemented yet");
}


char *
ngx_pa_directory_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return "is not implemented yet";
}


ngx_int_t
ngx_pa_directory_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_directory_has_agency(ngx_pa_main_conf_t *pmcf, ngx_str_t *id)
{
    return NGX_OK;
}


ngx_int_t
ngx_pa_directory_category(ngx_pa_main_conf_t *pmcf, ngx_str_t *id,
    ngx_uint_t *urgent, ngx_str_t *agency)
{
    *urgent = 0;
    ngx_str_null(agency);
    return NGX_OK;
}


ngx_int_t
ngx_pa_directory_locate(ngx_pa_main_conf_t *pmcf, double lat, double lng,
    ngx_str_t *agency)
{
    return NGX_DECLINED;
}


ngx_int_t
ngx_pa_queue_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_public_list(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_public_report(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_stats_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_sweep_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    return NGX_OK;
}


void
ngx_pa_sweep_exit_worker(ngx_pa_main_conf_t *pmcf)
{
}


ngx_int_t
ngx_pa_sweep_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}



ngx_int_t
ngx_pa_history_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}


ngx_int_t
ngx_pa_reporter_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    return ngx_pa_pending(r);
}
