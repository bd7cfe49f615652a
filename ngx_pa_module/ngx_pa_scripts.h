/*
 * Lua scripts of redis-scripts/: one file per atomic operation, read at
 * configuration time (so a missing script fails "nginx -t", not a request),
 * loaded into Redis on every connect and called by EVALSHA.
 */

#ifndef NGX_PA_SCRIPTS_H
#define NGX_PA_SCRIPTS_H

#include "ngx_pa.h"


char *ngx_pa_scripts_load(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf);

/* 1 when a Redis error reply is NOSCRIPT (the server lost its cache) */
ngx_uint_t ngx_pa_scripts_noscript(const char *err, size_t len);

#endif /* NGX_PA_SCRIPTS_H */
