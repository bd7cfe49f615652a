/*
 * What the webhooks' files share (ngx_pa_notify.h): a target as
 * pa_notify writes it, the targets of the http{} block, and one
 * delivery's HTTP exchange with its callbacks.
 */

#ifndef NGX_PA_NOTIFY_TYPES_H
#define NGX_PA_NOTIFY_TYPES_H

#include "ngx_pa.h"


#define NGX_PA_NOTIFY_NAME_MAX   32


typedef struct {
    ngx_str_t                  name;       /* [a-z0-9_-] */
    ngx_str_t                  url;        /* as written, for the logs */
    ngx_addr_t                 addr;       /* an IP, or resolved at start */
    ngx_resolver_t            *resolver;   /* resolve: http{}'s resolver */
    ngx_str_t                  rname;      /* resolve: the name asked for */
    in_port_t                  port;
    ngx_msec_t                 resolver_timeout;
    ngx_msec_t                 attempt_max; /* the longest one attempt is */
    ngx_str_t                  host;       /* the Host header */
    ngx_str_t                  uri;        /* path and query */
    ngx_str_t                  secret;     /* HMAC key, secret_file= */
    ngx_array_t               *events;     /* ngx_str_t; NULL: every type */
    ngx_msec_t                 timeout;    /* connect, send, read: each */
    ngx_msec_t                 retry_for;  /* then the dead letters */
    ngx_str_t                  group;      /* "notify:<name>" */
    ngx_str_t                  sni;        /* host name, NUL terminated */
#if (NGX_SSL)
    ngx_ssl_t                 *ssl;        /* https: the shared context */
#endif
    unsigned                   pii:1;
    unsigned                   tls:1;
    unsigned                   named:1;    /* the URL has a name, no IP */
    unsigned                   resolve:1;  /* ... resolved at each attempt */
} ngx_pa_notify_target_t;


struct ngx_pa_notify_conf_s {
    ngx_array_t                targets;    /* ngx_pa_notify_target_t */
    ngx_msec_t                 claim_idle; /* XAUTOCLAIM min-idle */
    ngx_str_t                  trusted;    /* CA file for https targets */
};


/* what the HTTP client reports: the status, or 0 and an error text */
typedef struct ngx_pa_notify_http_s  ngx_pa_notify_http_t;

typedef void (*ngx_pa_notify_http_pt)(void *data, ngx_uint_t status,
    const char *error);

/* the name's address is in h->resolved, or error says why not */
typedef void (*ngx_pa_notify_resolved_pt)(ngx_pa_notify_http_t *h,
    const char *error);

#define NGX_PA_NOTIFY_ERROR_LEN  160

struct ngx_pa_notify_http_s {
    ngx_pa_notify_target_t    *target;
    ngx_log_t                 *log;
    ngx_peer_connection_t      peer;
    ngx_connection_t          *keepalive;  /* idle, to reuse */
    ngx_buf_t                 *out;        /* the request */
    u_char                    *in;         /* response head */
    size_t                     in_len;
    off_t                      body_left;  /* -1: until the head ends */
    ngx_uint_t                 status;
    ngx_pa_notify_http_pt      handler;
    void                      *data;

    /* a target resolved at each attempt (resolve): */
    ngx_resolver_ctx_t        *resolving;  /* the lookup in flight */
    ngx_pa_notify_resolved_pt  resolved_handler;
    ngx_sockaddr_t             resolved;   /* what the lookup found */
    socklen_t                  resolved_len;
    ngx_sockaddr_t             sockaddr;   /* the connection's peer */
    socklen_t                  socklen;
    ngx_str_t                  peer_name;  /* "ip:port", for the logs */
    u_char                     peer_text[NGX_SOCKADDR_STRLEN];
    u_char                     error[NGX_PA_NOTIFY_ERROR_LEN];
    unsigned                   busy:1;
    unsigned                   reused:1;
    unsigned                   keep:1;     /* the answer allows reuse */
    unsigned                   got:1;      /* any byte of an answer */
};

#endif /* NGX_PA_NOTIFY_TYPES_H */
