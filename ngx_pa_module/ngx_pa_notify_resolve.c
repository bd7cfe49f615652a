/*
 * A webhook target's host name, looked up at each attempt by nginx's own
 * resolver (the http{} block's "resolver"), as proxy_pass does for a URL
 * with variables: an SMS or Zalo gateway in a cloud changes its address,
 * and a name resolved once at start would stay unreachable until a
 * reload.
 *
 * nginx's resolver caches an answer for its TTL (or "valid="), so most
 * attempts find it at once, without a query.  An error or a timeout of
 * the lookup is a failed attempt like a refused connect: the deliverer
 * retries it with backoff.  Of several addresses, the first of the
 * resolver's (it rotates them) is taken.
 */

#include "ngx_pa.h"
#include "ngx_pa_notify_resolve.h"


static void ngx_pa_notify_resolve_handler(ngx_resolver_ctx_t *ctx);
static void ngx_pa_notify_resolve_fail(ngx_pa_notify_http_t *h,
    ngx_int_t state);


void
ngx_pa_notify_resolve(ngx_pa_notify_http_t *h,
    ngx_pa_notify_resolved_pt handler)
{
    ngx_resolver_ctx_t      *ctx;
    ngx_pa_notify_target_t  *t;

    t = h->target;
    h->resolved_handler = handler;

    ctx = ngx_resolve_start(t->resolver, NULL);

    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        /* out of memory, or a resolver without servers (checked at start) */
        ngx_pa_notify_resolve_fail(h, NGX_ERROR);
        return;
    }

    ctx->name = t->rname;
    ctx->handler = ngx_pa_notify_resolve_handler;
    ctx->data = h;
    ctx->timeout = t->resolver_timeout;

    /* a worker that shuts down does not wait for the lookup's timer */
    ctx->cancelable = 1;

    h->resolving = ctx;

    /* a cached answer runs the handler before ngx_resolve_name() returns */

    if (ngx_resolve_name(ctx) != NGX_OK) {
        /* ctx is freed */
        h->resolving = NULL;
        ngx_pa_notify_resolve_fail(h, NGX_ERROR);
    }
}


static void
ngx_pa_notify_resolve_handler(ngx_resolver_ctx_t *ctx)
{
    ngx_pa_notify_http_t  *h = ctx->data;

    ngx_int_t                state;
    ngx_resolver_addr_t     *a;
    ngx_pa_notify_target_t  *t;

    t = h->target;
    h->resolving = NULL;

    state = ctx->state;

    if (state != NGX_OK || ctx->naddrs == 0) {
        ngx_resolve_name_done(ctx);
        ngx_pa_notify_resolve_fail(h, state ? state : NGX_RESOLVE_NXDOMAIN);
        return;
    }

    a = &ctx->addrs[0];

    if (a->socklen > sizeof(ngx_sockaddr_t)) {
        ngx_resolve_name_done(ctx);
        ngx_pa_notify_resolve_fail(h, NGX_ERROR);
        return;
    }

    ngx_memcpy(&h->resolved, a->sockaddr, a->socklen);
    h->resolved_len = a->socklen;
    ngx_inet_set_port(&h->resolved.sockaddr, t->port);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, h->log, 0,
                   "pa notify: \"%V\" resolved, %ui address(es)",
                   &t->rname, ctx->naddrs);

    ngx_resolve_name_done(ctx);

    h->resolved_handler(h, NULL);
}


/* the error text kept in the delivery's record and the admin's list */

static void
ngx_pa_notify_resolve_fail(ngx_pa_notify_http_t *h, ngx_int_t state)
{
    u_char      *p;
    const char  *why;

    why = (state == NGX_ERROR) ? "resolver failed"
                               : ngx_resolver_strerror(state);

    p = ngx_snprintf(h->error, NGX_PA_NOTIFY_ERROR_LEN - 1,
                     "%V could not be resolved (%i: %s)",
                     &h->target->rname, state, why);
    *p = '\0';

    h->resolved_handler(h, (const char *) h->error);
}


void
ngx_pa_notify_resolve_cancel(ngx_pa_notify_http_t *h)
{
    if (h->resolving != NULL) {
        ngx_resolve_name_done(h->resolving);
        h->resolving = NULL;
    }
}
