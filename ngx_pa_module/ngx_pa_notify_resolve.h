/*
 * A webhook target's host name looked up at each attempt
 * (ngx_pa_notify_resolve.c).
 */

#ifndef NGX_PA_NOTIFY_RESOLVE_H
#define NGX_PA_NOTIFY_RESOLVE_H

#include "ngx_pa.h"
#include "ngx_pa_notify_types.h"


/*
 * The target's name looked up by nginx's resolver
 * (its cache keeps an answer for the DNS TTL, or valid=); handler runs
 * once, maybe before this returns.  _cancel: a lookup in flight dropped.
 */
void ngx_pa_notify_resolve(ngx_pa_notify_http_t *h,
    ngx_pa_notify_resolved_pt handler);
void ngx_pa_notify_resolve_cancel(ngx_pa_notify_http_t *h);

#endif /* NGX_PA_NOTIFY_RESOLVE_H */
