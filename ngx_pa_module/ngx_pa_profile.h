/*
 * The profile as the rest of the module reads it (ngx_pa_profile.c).
 */

#ifndef NGX_PA_PROFILE_H
#define NGX_PA_PROFILE_H

#include "ngx_pa.h"


/* a file named by a directive, as a full path (name is replaced) */
ngx_int_t ngx_pa_conf_path(ngx_conf_t *cf, ngx_str_t *name);

/* the file named by a directive, read whole into the conf pool */
ngx_int_t ngx_pa_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *out);

/* ... a secret's file: without an editor's last newline */
ngx_int_t ngx_pa_conf_read_secret(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *out);

/* a step's SLA by name ("dispatch", "fix", ...), or NULL */
ngx_pa_sla_t *ngx_pa_sla_find(ngx_pa_main_conf_t *pmcf, const char *step);

/* the instant a step started at `from` is due */
time_t ngx_pa_sla_due(ngx_pa_main_conf_t *pmcf, ngx_pa_sla_t *sla,
    time_t from, ngx_uint_t urgent);

/*
 * The calendar's end: from this many days before the last day the
 * holiday files know, health and error.log warn.
 */
#define NGX_PA_CALENDAR_WARN_DAYS  60

/*
 * The last known day (its local midnight, as an instant) and how many
 * days after now's local day it is (0: today, < 0: past); NGX_DECLINED
 * when no holiday file was loaded.
 */
ngx_int_t ngx_pa_calendar_left(ngx_pa_main_conf_t *pmcf, time_t now,
    time_t *until, ngx_int_t *days);

/* the warning's text into buf (NUL terminated), or NULL: nothing to say */
u_char *ngx_pa_calendar_warning(ngx_pa_main_conf_t *pmcf, time_t now,
    u_char *buf, size_t len);

/* writes the warning to log at [warn], once a local day per process */
void ngx_pa_calendar_warn(ngx_pa_main_conf_t *pmcf, ngx_log_t *log,
    time_t now);

#endif /* NGX_PA_PROFILE_H */
