/*
 * TEMPORARY: routes whose concern files are being written.  Each answers
 * 501 until its file replaces the function here.  Delete this file when
 * the last one moved out.
 */

#include "ngx_pa.h"
#include "ngx_pa_json.h"


char *
ngx_pa_limit_zone_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return "is not implemented yet";
}


char *
ngx_pa_limit_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return "is not implemented yet";
}


ngx_int_t
ngx_pa_limit_init(ngx_conf_t *cf)
{
    return NGX_OK;
}
