/*
 * Duplicate hints for the IOC: reports of the same category within
 * pa_duplicate_radius metres, submitted within pa_duplicate_window of
 * each other.  Submissions join a position index (submit.lua); a staff
 * read of a report searches it in the same call (get.lua).
 */

#ifndef NGX_PA_DUPLICATE_H
#define NGX_PA_DUPLICATE_H

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_view.h"

#include <jansson.h>


#define NGX_PA_DUPLICATE_HINTS  5          /* at most, nearest first */


/*
 * submit.lua's last key and last argument of the report's group: its
 * day's key pa:{t}:near:<YYYYMMDD> and that key's time to live (no key
 * and "" when the report does not join the index: hints off, or a
 * position GEOADD refuses).  pos: the group's two arguments of the
 * hints, the record's lng and lat as text on the way in, the position's
 * score and member in the day key on the way out ("" and "": none);
 * msec: now's millisecond (0 when now is not the worker's clock's).
 */
ngx_int_t ngx_pa_duplicate_submit_day(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, ngx_uint_t msec, ngx_str_t *id, ngx_str_t *pos,
    ngx_array_t *keys, ngx_array_t *args);

/*
 * Entries of the index before the day keys (near, near:at) submitted
 * before this leave it (sweep.lua, at most a batch a tick, until it is
 * empty); 0 when hints are off.
 */
time_t ngx_pa_duplicate_cutoff(ngx_pa_main_conf_t *pmcf, time_t now);

/*
 * Does this caller get hints: hints on, and a role that sees every
 * report (an agency's staff would learn of reports not theirs).
 */
ngx_uint_t ngx_pa_duplicate_wanted(ngx_http_request_t *r,
    ngx_pa_caller_t *caller);

/*
 * get.lua "report": KEYS[4], KEYS[5] the index before the day keys, then
 * the day keys within the window of the day the id names; ARGV radius,
 * window, max, the province's UTC offset (get.lua names the day keys of
 * an id without a date)
 */
ngx_int_t ngx_pa_duplicate_get_args(ngx_http_request_t *r, ngx_str_t *id,
    ngx_array_t *keys, ngx_array_t *args);

/* get.lua's hints (id, metres, status, created) x n as the answer's list */
json_t *ngx_pa_duplicate_hints(ngx_http_request_t *r, ngx_pa_list_t *l);

/* pa_duplicate_radius */
char *ngx_pa_duplicate_radius_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* pa_duplicate_window's post handler: 1s..30d */
char *ngx_pa_duplicate_window_check(ngx_conf_t *cf, void *post, void *data);

#endif /* NGX_PA_DUPLICATE_H */
