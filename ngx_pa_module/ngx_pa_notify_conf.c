/*
 * pa_notify <name> <url> secret_file=<path> events=<type,...|*> [pii=on]
 *           [timeout=5s] [retry_for=24h]
 * pa_notify_claim_idle <time>
 * pa_notify_trusted_certificate <file>
 *
 * http level; pa_notify may be given once per target.  The URL is
 * http[s]://<IP or name>[:port]/path.  A name is looked up at each attempt
 * by the http{} block's "resolver" when there is one (its cache keeps the
 * answer for the DNS TTL); without a resolver it is resolved here, once,
 * at configuration time, as proxy_pass resolves a name of its own.
 * An https target's certificate is always verified: against the file of
 * pa_notify_trusted_certificate, else the system's CA store, and its name
 * against the URL's host.
 */

#include "ngx_pa.h"
#include "ngx_pa_notify_conf.h"
#include "ngx_pa_profile.h"


#define NGX_PA_NOTIFY_TIMEOUT      5000
#define NGX_PA_NOTIFY_RETRY_FOR    (24 * 3600 * 1000)
#define NGX_PA_NOTIFY_CLAIM_IDLE   60000


static ngx_pa_notify_conf_t *ngx_pa_notify_conf_get(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static ngx_int_t ngx_pa_notify_name(ngx_str_t *name);
static ngx_int_t ngx_pa_notify_params(ngx_conf_t *cf,
    ngx_pa_notify_target_t *t, ngx_str_t *value, ngx_uint_t n);
static ngx_uint_t ngx_pa_notify_param(ngx_str_t *arg, const char *name,
    ngx_str_t *v);
static ngx_int_t ngx_pa_notify_url(ngx_conf_t *cf,
    ngx_pa_notify_target_t *t, ngx_str_t *url);
static ngx_int_t ngx_pa_notify_secret(ngx_conf_t *cf,
    ngx_pa_notify_target_t *t, ngx_str_t *path);
static ngx_int_t ngx_pa_notify_ssl(ngx_conf_t *cf,
    ngx_pa_notify_conf_t *nc);
static ngx_int_t ngx_pa_notify_host(ngx_conf_t *cf,
    ngx_pa_notify_target_t *t);
static ngx_int_t ngx_pa_notify_events(ngx_conf_t *cf,
    ngx_pa_notify_target_t *t, ngx_str_t *list);


static ngx_pa_notify_conf_t *
ngx_pa_notify_conf_get(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_notify_conf_t  *nc;

    if (pmcf->notify != NULL) {
        return pmcf->notify;
    }

    nc = ngx_pcalloc(cf->pool, sizeof(ngx_pa_notify_conf_t));
    if (nc == NULL) {
        return NULL;
    }

    if (ngx_array_init(&nc->targets, cf->pool, 2,
                       sizeof(ngx_pa_notify_target_t))
        != NGX_OK)
    {
        return NULL;
    }

    nc->claim_idle = NGX_CONF_UNSET_MSEC;
    pmcf->notify = nc;

    return nc;
}


char *
ngx_pa_notify_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t               *value;
    ngx_pa_notify_conf_t    *nc;
    ngx_pa_notify_target_t  *t;

    value = cf->args->elts;

    nc = ngx_pa_notify_conf_get(cf, pmcf);
    if (nc == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_notify_name(&value[1]) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid pa_notify name \"%V\": 1 to %d of a-z, "
                           "0-9, \"_\" and \"-\"", &value[1],
                           NGX_PA_NOTIFY_NAME_MAX);
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_notify_target(pmcf, &value[1]) != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate pa_notify target \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    t = ngx_array_push(&nc->targets);
    if (t == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(t, sizeof(ngx_pa_notify_target_t));

    t->name = value[1];
    t->timeout = NGX_PA_NOTIFY_TIMEOUT;
    t->retry_for = NGX_PA_NOTIFY_RETRY_FOR;

    t->group.len = sizeof("notify:") - 1 + t->name.len;
    t->group.data = ngx_pnalloc(cf->pool, t->group.len);
    if (t->group.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(t->group.data, "notify:%V", &t->name);

    if (ngx_pa_notify_url(cf, t, &value[2]) != NGX_OK
        || ngx_pa_notify_params(cf, t, &value[3], cf->args->nelts - 3)
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the name goes into Redis keys, the delivery id and the URL path */

static ngx_int_t
ngx_pa_notify_name(ngx_str_t *name)
{
    u_char  *p;

    if (name->len == 0 || name->len > NGX_PA_NOTIFY_NAME_MAX) {
        return NGX_ERROR;
    }

    for (p = name->data; p < name->data + name->len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '_' || *p == '-'))
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* secret_file= events= [pii=on|off] [timeout=] [retry_for=] */

static ngx_int_t
ngx_pa_notify_params(ngx_conf_t *cf, ngx_pa_notify_target_t *t,
    ngx_str_t *value, ngx_uint_t n)
{
    ngx_str_t   v;
    ngx_uint_t  i, secret, events;

    secret = 0;
    events = 0;

    for (i = 0; i < n; i++) {

        if (ngx_pa_notify_param(&value[i], "secret_file=", &v)) {
            if (ngx_pa_notify_secret(cf, t, &v) != NGX_OK) {
                return NGX_ERROR;
            }

            secret = 1;

        } else if (ngx_pa_notify_param(&value[i], "events=", &v)) {
            if (ngx_pa_notify_events(cf, t, &v) != NGX_OK) {
                return NGX_ERROR;
            }

            events = 1;

        } else if (ngx_pa_notify_param(&value[i], "timeout=", &v)) {
            t->timeout = ngx_parse_time(&v, 0);
            if (t->timeout == (ngx_msec_t) NGX_ERROR || t->timeout == 0) {
                goto invalid;
            }

        } else if (ngx_pa_notify_param(&value[i], "retry_for=", &v)) {
            t->retry_for = ngx_parse_time(&v, 0);
            if (t->retry_for == (ngx_msec_t) NGX_ERROR) {
                goto invalid;
            }

        } else if (value[i].len == 6
                   && ngx_strncmp(value[i].data, "pii=on", 6) == 0)
        {
            t->pii = 1;

        } else if (value[i].len == 7
                   && ngx_strncmp(value[i].data, "pii=off", 7) == 0)
        {
            t->pii = 0;

        } else {
            goto invalid;
        }
    }

    if (!secret || !events) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\" needs secret_file= and events=",
                           &t->name);
        return NGX_ERROR;
    }

    return NGX_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid pa_notify parameter \"%V\"", &value[i]);
    return NGX_ERROR;
}


/* "name=value": 1 and v the value when arg is of that name, else 0 */

static ngx_uint_t
ngx_pa_notify_param(ngx_str_t *arg, const char *name, ngx_str_t *v)
{
    size_t  len;

    len = ngx_strlen(name);

    if (ngx_strncmp(arg->data, name, len) != 0) {
        return 0;
    }

    v->data = arg->data + len;
    v->len = arg->len - len;

    return 1;
}


char *
ngx_pa_notify_claim_idle_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t             *value;
    ngx_pa_notify_conf_t  *nc;

    value = cf->args->elts;

    nc = ngx_pa_notify_conf_get(cf, pmcf);
    if (nc == NULL) {
        return NGX_CONF_ERROR;
    }

    if (nc->claim_idle != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    nc->claim_idle = ngx_parse_time(&value[1], 0);

    if (nc->claim_idle == (ngx_msec_t) NGX_ERROR || nc->claim_idle == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid pa_notify_claim_idle \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the default, and a claim that cannot take a delivery still in flight */

ngx_int_t
ngx_pa_notify_conf_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_uint_t               i;
    ngx_pa_notify_conf_t    *nc;
    ngx_pa_notify_target_t  *t;

    nc = pmcf->notify;
    if (nc == NULL) {
        return NGX_OK;
    }

    if (nc->claim_idle == NGX_CONF_UNSET_MSEC) {
        nc->claim_idle = NGX_PA_NOTIFY_CLAIM_IDLE;
    }

    if (ngx_pa_notify_ssl(cf, nc) != NGX_OK) {
        return NGX_ERROR;
    }

    t = nc->targets.elts;
    for (i = 0; i < nc->targets.nelts; i++) {

        if (ngx_pa_notify_host(cf, &t[i]) != NGX_OK) {
            return NGX_ERROR;
        }

        if (t[i].pii && pmcf->pii == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_notify \"%V\": pii=on needs "
                               "pa_pii_key_file", &t[i].name);
            return NGX_ERROR;
        }

        /*
         * one attempt lasts at most the name's lookup (resolve) and the
         * connect, send and read timeouts
         */

        t[i].attempt_max = 3 * t[i].timeout
                           + (t[i].resolve ? t[i].resolver_timeout : 0);

        if (nc->claim_idle <= t[i].attempt_max) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_notify_claim_idle must be longer than "
                               "three times the timeout= of \"%V\"%s, or "
                               "a node could take a delivery another node "
                               "is still making", &t[i].name,
                               t[i].resolve ? " and its resolver_timeout"
                                            : "");
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


char *
ngx_pa_notify_trusted_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t             *value;
    ngx_pa_notify_conf_t  *nc;

    value = cf->args->elts;

    nc = ngx_pa_notify_conf_get(cf, pmcf);
    if (nc == NULL) {
        return NGX_CONF_ERROR;
    }

    if (nc->trusted.data != NULL) {
        return "is duplicate";
    }

    nc->trusted = value[1];

    return NGX_CONF_OK;
}


/*
 * One TLS client context for every https target: TLS 1.2 and 1.3, the
 * trusted CAs.  Verification is checked after each handshake (the
 * result, then the name), as nginx's proxy_ssl_verify does.
 */

static ngx_int_t
ngx_pa_notify_ssl(ngx_conf_t *cf, ngx_pa_notify_conf_t *nc)
{
#if (NGX_SSL)
    ngx_uint_t               i, any;
    ngx_ssl_t               *ssl;
    ngx_pool_cleanup_t      *cln;
    ngx_pa_notify_target_t  *t;

    t = nc->targets.elts;
    any = 0;

    for (i = 0; i < nc->targets.nelts; i++) {
        any |= t[i].tls;
    }

    if (!any) {
        return NGX_OK;
    }

    ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (ssl == NULL) {
        return NGX_ERROR;
    }

    ssl->log = cf->log;

    if (ngx_ssl_create(ssl, NGX_SSL_TLSv1_2 | NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(ssl);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = ssl;

    if (nc->trusted.data != NULL) {
        if (ngx_ssl_trusted_certificate(cf, ssl, &nc->trusted, 4) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (SSL_CTX_set_default_verify_paths(ssl->ctx) != 1) {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0,
                      "pa_notify: no system CA store; set "
                      "pa_notify_trusted_certificate");
        return NGX_ERROR;
    }

    for (i = 0; i < nc->targets.nelts; i++) {
        if (t[i].tls) {
            t[i].ssl = ssl;
        }
    }
#endif

    return NGX_OK;
}


ngx_pa_notify_target_t *
ngx_pa_notify_target(ngx_pa_main_conf_t *pmcf, ngx_str_t *name)
{
    ngx_uint_t               i;
    ngx_pa_notify_conf_t    *nc;
    ngx_pa_notify_target_t  *t;

    nc = pmcf->notify;
    if (nc == NULL) {
        return NULL;
    }

    t = nc->targets.elts;
    for (i = 0; i < nc->targets.nelts; i++) {
        if (t[i].name.len == name->len
            && ngx_strncmp(t[i].name.data, name->data, name->len) == 0)
        {
            return &t[i];
        }
    }

    return NULL;
}


static ngx_int_t
ngx_pa_notify_url(ngx_conf_t *cf, ngx_pa_notify_target_t *t, ngx_str_t *url)
{
    u_char     *p;
    ngx_url_t   u;

    t->url = *url;

    if (url->len > 8
        && ngx_strncasecmp(url->data, (u_char *) "https://", 8) == 0)
    {
#if (NGX_SSL)
        t->tls = 1;
#else
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": https needs nginx built with "
                           "OpenSSL", &t->name);
        return NGX_ERROR;
#endif

    } else if (url->len <= 7
               || ngx_strncasecmp(url->data, (u_char *) "http://", 7) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": the URL must begin with "
                           "\"http://\" or \"https://\"", &t->name);
        return NGX_ERROR;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url.data = url->data + (t->tls ? 8 : 7);
    u.url.len = url->len - (t->tls ? 8 : 7);
    u.default_port = t->tls ? 443 : 80;
    u.uri_part = 1;
    u.no_resolve = 1;          /* a name: ngx_pa_notify_host() decides */

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        if (u.err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_notify \"%V\": %s in \"%V\"", &t->name,
                               u.err, url);
        }

        return NGX_ERROR;
    }

    /* an IP literal is its address; a name has none yet */

    if (u.naddrs > 0) {
        t->addr = u.addrs[0];

    } else {
        t->named = 1;
    }

    t->port = u.port;

    /* Host: what the URL says, the port only when it is not the default */

    t->host.data = ngx_pnalloc(cf->pool, u.host.len + 1 + NGX_INT_T_LEN);
    if (t->host.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(t->host.data, u.host.data, u.host.len);

    if (u.port != u.default_port) {
        p = ngx_sprintf(p, ":%d", (int) u.port);
    }

    t->host.len = p - t->host.data;

    /* the name TLS asks for (SNI) and checks the certificate against */

    t->sni.data = ngx_pnalloc(cf->pool, u.host.len + 1);
    if (t->sni.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(t->sni.data, u.host.data, u.host.len);
    t->sni.data[u.host.len] = '\0';
    t->sni.len = u.host.len;

    /* the resolver lowercases the name it is given: a copy of its own */

    t->rname.data = ngx_pnalloc(cf->pool, u.host.len);
    if (t->rname.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(t->rname.data, u.host.data, u.host.len);
    t->rname.len = u.host.len;

    if (u.uri.len) {
        t->uri = u.uri;

    } else {
        ngx_str_set(&t->uri, "/");
    }

    return NGX_OK;
}


/*
 * A target named by a host name: with the http{} block's resolver (known
 * only once the block is read), looked up at each attempt, each lookup
 * bounded by the target's timeout= or resolver_timeout when shorter;
 * without one, resolved now, once.
 */

static ngx_int_t
ngx_pa_notify_host(ngx_conf_t *cf, ngx_pa_notify_target_t *t)
{
    ngx_url_t                  u;
    ngx_http_core_loc_conf_t  *clcf;

    if (!t->named) {
        return NGX_OK;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->resolver != NULL && clcf->resolver != NGX_CONF_UNSET_PTR
        && clcf->resolver->connections.nelts > 0)
    {
        t->resolve = 1;
        t->resolver = clcf->resolver;
        t->resolver_timeout = t->timeout;

        if (clcf->resolver_timeout != NGX_CONF_UNSET_MSEC
            && clcf->resolver_timeout < t->timeout)
        {
            t->resolver_timeout = clcf->resolver_timeout;
        }

        return NGX_OK;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.host = t->sni;
    u.port = t->port;

    if (ngx_inet_resolve_host(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": %s in \"%V\" (no \"resolver\" "
                           "in http{} to look it up later)", &t->name,
                           u.err ? u.err : "host not found", &t->url);
        return NGX_ERROR;
    }

    t->addr = u.addrs[0];

    return NGX_OK;
}


/* the HMAC key: the file's bytes, an editor's last newline not included */

static ngx_int_t
ngx_pa_notify_secret(ngx_conf_t *cf, ngx_pa_notify_target_t *t,
    ngx_str_t *path)
{
    if (ngx_pa_conf_read_secret(cf, path, &t->secret) != NGX_OK) {
        return NGX_ERROR;
    }

    if (t->secret.len > 4096) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": \"%V\" is not a key file of "
                           "at most 4096 bytes", &t->name, path);
        return NGX_ERROR;
    }

    if (t->secret.len < 16) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": the secret in \"%V\" is shorter "
                           "than 16 bytes", &t->name, path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* "*" or a comma list of event types */

static ngx_int_t
ngx_pa_notify_events(ngx_conf_t *cf, ngx_pa_notify_target_t *t,
    ngx_str_t *list)
{
    u_char     *p, *last, *comma;
    ngx_str_t  *e;

    if (list->len == 1 && list->data[0] == '*') {
        t->events = NULL;
        return NGX_OK;
    }

    t->events = ngx_array_create(cf->pool, 8, sizeof(ngx_str_t));
    if (t->events == NULL) {
        return NGX_ERROR;
    }

    p = list->data;
    last = p + list->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        if (comma == NULL) {
            comma = last;
        }

        if (comma == p) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_notify \"%V\": empty event type in "
                               "events=", &t->name);
            return NGX_ERROR;
        }

        e = ngx_array_push(t->events);
        if (e == NULL) {
            return NGX_ERROR;
        }

        e->data = p;
        e->len = comma - p;

        p = comma + 1;
    }

    if (t->events->nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_notify \"%V\": events= names no type",
                           &t->name);
        return NGX_ERROR;
    }

    return NGX_OK;
}
