/*
 * The webhook's HTTP/1.1 client, on nginx's event loop: a peer connection
 * (ngx_event_connect_peer), the request written as the socket takes it,
 * the answer's status line and head read, its body (Content-Length)
 * read and dropped so that the connection can serve the next delivery
 * (keep-alive).  Each of connect, send and read has the target's timeout.
 * One request at a time per target.
 *
 * https: a TLS handshake (nginx's ngx_ssl, SNI) after the connect, then
 * the certificate's verification result and its name are checked, as
 * proxy_ssl_verify does; a target that fails either gets nothing.
 *
 * A target with a host name and a resolver (ngx_pa_notify_resolve.c) has
 * its name looked up first, at each attempt; a kept connection to an
 * address the name no longer has is closed, not reused.
 *
 * A kept connection the receiver closed meanwhile is noticed by its read
 * event (closed at once); one that fails before any byte of an answer is
 * replaced by a new connection once, without counting as an attempt, as
 * nginx's upstream keepalive does.
 */

#include "ngx_pa.h"
#include "ngx_pa_notify_http.h"
#include "ngx_pa_notify_resolve.h"


#define NGX_PA_NOTIFY_HEAD_MAX     4096
#define NGX_PA_NOTIFY_KEEP_IDLE    60000   /* ms a kept connection waits */


static void ngx_pa_notify_http_start(ngx_pa_notify_http_t *h);
static void ngx_pa_notify_http_resolved(ngx_pa_notify_http_t *h,
    const char *error);
static ngx_int_t ngx_pa_notify_http_connect(ngx_pa_notify_http_t *h);
static void ngx_pa_notify_http_write(ngx_event_t *wev);
static void ngx_pa_notify_http_read(ngx_event_t *rev);
static ngx_int_t ngx_pa_notify_http_head(ngx_pa_notify_http_t *h);
static u_char *ngx_pa_notify_http_head_end(u_char *p, u_char *last,
    u_char **body);
static void ngx_pa_notify_http_done(ngx_pa_notify_http_t *h,
    ngx_uint_t status, const char *error);
static void ngx_pa_notify_http_idle(ngx_event_t *ev);
static void ngx_pa_notify_http_dummy(ngx_event_t *ev);
static void ngx_pa_notify_http_close_conn(ngx_connection_t *c);
#if (NGX_SSL)
static void ngx_pa_notify_http_tls(ngx_pa_notify_http_t *h,
    ngx_connection_t *c);
static void ngx_pa_notify_http_tls_done(ngx_connection_t *c);
#endif


ngx_int_t
ngx_pa_notify_http_post(ngx_pa_notify_http_t *h, ngx_buf_t *req)
{
    if (h->busy) {
        return NGX_ERROR;
    }

    h->out = req;
    h->in_len = 0;
    h->body_left = -1;
    h->status = 0;
    h->keep = 0;
    h->got = 0;
    h->reused = 0;

    if (h->in == NULL) {
        h->in = ngx_alloc(NGX_PA_NOTIFY_HEAD_MAX, h->log);
        if (h->in == NULL) {
            return NGX_ERROR;
        }
    }

    h->busy = 1;

    if (h->target->resolve) {
        ngx_pa_notify_resolve(h, ngx_pa_notify_http_resolved);
        return NGX_OK;
    }

    ngx_pa_notify_http_start(h);

    return NGX_OK;
}


/* the name's address for this attempt, or why there is none */

static void
ngx_pa_notify_http_resolved(ngx_pa_notify_http_t *h, const char *error)
{
    size_t  len;

    if (error != NULL) {
        ngx_pa_notify_http_done(h, 0, error);
        return;
    }

    if (h->socklen == h->resolved_len
        && ngx_cmp_sockaddr(&h->sockaddr.sockaddr, h->socklen,
                            &h->resolved.sockaddr, h->resolved_len, 1)
           == NGX_OK)
    {
        ngx_pa_notify_http_start(h);
        return;
    }

    /* a new address: a connection kept to the old one is not reused */

    if (h->keepalive != NULL) {
        ngx_pa_notify_http_close_conn(h->keepalive);
        h->keepalive = NULL;
    }

    ngx_memcpy(&h->sockaddr, &h->resolved, h->resolved_len);
    h->socklen = h->resolved_len;

    len = ngx_sock_ntop(&h->sockaddr.sockaddr, h->socklen, h->peer_text,
                        NGX_SOCKADDR_STRLEN, 1);
    h->peer_name.data = h->peer_text;
    h->peer_name.len = len;

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pa notify \"%V\": %V is at %V",
                  &h->target->name, &h->target->rname, &h->peer_name);

    ngx_pa_notify_http_start(h);
}


/* the request on a kept connection, or on a new one */

static void
ngx_pa_notify_http_start(ngx_pa_notify_http_t *h)
{
    ngx_connection_t  *c;

    c = h->keepalive;

    if (c != NULL) {
        h->keepalive = NULL;
        h->peer.connection = c;
        h->reused = 1;

        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        c->idle = 0;
        c->read->cancelable = 0;

        c->data = h;
        c->read->handler = ngx_pa_notify_http_read;
        c->write->handler = ngx_pa_notify_http_write;

        ngx_pa_notify_http_write(c->write);
        return;
    }

    (void) ngx_pa_notify_http_connect(h);
}


static ngx_int_t
ngx_pa_notify_http_connect(ngx_pa_notify_http_t *h)
{
    ngx_int_t                rc;
    ngx_connection_t        *c;
    ngx_pa_notify_target_t  *t;

    t = h->target;

    ngx_memzero(&h->peer, sizeof(ngx_peer_connection_t));

    if (t->resolve) {
        h->peer.sockaddr = &h->sockaddr.sockaddr;
        h->peer.socklen = h->socklen;
        h->peer.name = &h->peer_name;

    } else {
        h->peer.sockaddr = t->addr.sockaddr;
        h->peer.socklen = t->addr.socklen;
        h->peer.name = &t->addr.name;
    }

    h->peer.get = ngx_event_get_peer;
    h->peer.log = h->log;
    h->peer.log_error = NGX_ERROR_ERR;

    h->out->pos = h->out->start;

    rc = ngx_event_connect_peer(&h->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        if (h->peer.connection) {
            ngx_pa_notify_http_close_conn(h->peer.connection);
            h->peer.connection = NULL;
        }

        /* refused at once (a local receiver that is down): a failure */

        ngx_pa_notify_http_done(h, 0, "connect failed");
        return NGX_OK;
    }

    c = h->peer.connection;
    c->data = h;
    c->read->handler = ngx_pa_notify_http_read;
    c->write->handler = ngx_pa_notify_http_write;

    /* the connection's own pool (TLS keeps its state there) */

    c->pool = ngx_create_pool(1024, h->log);
    if (c->pool == NULL) {
        ngx_pa_notify_http_close_conn(c);
        h->peer.connection = NULL;
        ngx_pa_notify_http_done(h, 0, "out of memory");
        return NGX_OK;
    }

    if (rc == NGX_AGAIN) {
        ngx_add_timer(c->write, t->timeout);
        return NGX_OK;
    }

    ngx_pa_notify_http_write(c->write);

    return NGX_OK;
}


static ngx_int_t
ngx_pa_notify_http_test_connect(ngx_connection_t *c)
{
    int        err;
    socklen_t  len;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        c->log->action = "connecting to a webhook target";
        (void) ngx_connection_error(c, err, "connect() failed");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_pa_notify_http_write(ngx_event_t *wev)
{
    ssize_t                n;
    ngx_buf_t             *b;
    ngx_connection_t      *c;
    ngx_pa_notify_http_t  *h;

    c = wev->data;
    h = c->data;
    b = h->out;

    if (wev->timedout) {
        ngx_pa_notify_http_done(h, 0, b->pos == b->start ? "connect timed out"
                                                          : "send timed out");
        return;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    if (!h->reused && b->pos == b->start
        && ngx_pa_notify_http_test_connect(c) != NGX_OK)
    {
        ngx_pa_notify_http_done(h, 0, "connect failed");
        return;
    }

#if (NGX_SSL)
    if (h->target->tls && c->ssl == NULL) {
        ngx_pa_notify_http_tls(h, c);
        return;
    }
#endif

    while (b->pos < b->last) {
        n = c->send(c, b->pos, b->last - b->pos);

        if (n == NGX_AGAIN) {
            ngx_add_timer(wev, h->target->timeout);

            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_pa_notify_http_done(h, 0, "send failed");
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_pa_notify_http_done(h, 0, "send failed");
            return;
        }

        b->pos += n;
    }

    /* all sent: the answer has the timeout from now */

    wev->handler = ngx_pa_notify_http_dummy;

    if (!c->read->timer_set) {
        ngx_add_timer(c->read, h->target->timeout);
    }

    if (c->read->ready) {
        ngx_pa_notify_http_read(c->read);
        return;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_pa_notify_http_done(h, 0, "read failed");
    }
}


static void
ngx_pa_notify_http_read(ngx_event_t *rev)
{
    ssize_t                n;
    size_t                 size;
    ngx_int_t              rc;
    ngx_connection_t      *c;
    ngx_pa_notify_http_t  *h;
    u_char                 drop[4096];

    c = rev->data;
    h = c->data;

    if (rev->timedout) {
        ngx_pa_notify_http_done(h, 0, "read timed out");
        return;
    }

    /* epoll reports a refused connect on the read side too */

    if (h->out->pos < h->out->last) {
        ngx_pa_notify_http_done(h, 0, h->out->pos == h->out->start
                                      ? "connect failed" : "send failed");
        return;
    }

    for ( ;; ) {

        if (h->body_left < 0) {
            size = NGX_PA_NOTIFY_HEAD_MAX - h->in_len;
            if (size == 0) {
                ngx_pa_notify_http_done(h, 0, "answer head too long");
                return;
            }

            n = c->recv(c, h->in + h->in_len, size);

        } else if (h->body_left > 0) {
            size = (size_t) ngx_min(h->body_left, (off_t) sizeof(drop));
            n = c->recv(c, drop, size);

        } else {
            break;
        }

        if (n == NGX_AGAIN) {
            if (ngx_handle_read_event(rev, 0) != NGX_OK) {
                ngx_pa_notify_http_done(h, 0, "read failed");
            }

            return;
        }

        if (n == NGX_ERROR || n == 0) {
            if (h->status && h->body_left != 0) {
                /* the status came: the answer counts, the body does not */
                h->keep = 0;
                break;
            }

            ngx_pa_notify_http_done(h, 0, n == 0 ? "connection closed "
                                                   "before an answer"
                                                 : "read failed");
            return;
        }

        h->got = 1;

        if (h->body_left > 0) {
            h->body_left -= n;
            continue;
        }

        h->in_len += n;

        rc = ngx_pa_notify_http_head(h);

        if (rc == NGX_ERROR) {
            ngx_pa_notify_http_done(h, 0, "invalid answer");
            return;
        }

        if (rc == NGX_DONE) {
            /* no length to read to: the status is all we need */
            break;
        }
    }

    ngx_pa_notify_http_done(h, h->status, NULL);
}


/*
 * The answer's head, as far as it came: NGX_AGAIN (more), NGX_OK (head
 * complete, body_left set), NGX_DONE (complete, no reusable body length),
 * NGX_ERROR.
 */

static ngx_int_t
ngx_pa_notify_http_head(ngx_pa_notify_http_t *h)
{
    u_char     *p, *last, *line, *end, *body, *colon;
    off_t       len;
    size_t      n;
    ngx_uint_t  chunked, close;

again:

    p = h->in;
    last = h->in + h->in_len;

    end = ngx_pa_notify_http_head_end(p, last, &body);
    if (end == NULL) {
        return NGX_AGAIN;
    }

    /* "HTTP/1.x NNN ..." */

    if (last - p < 12 || ngx_strncmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ') {
        return NGX_ERROR;
    }

    h->status = ngx_atoi(p + 9, 3);
    if (h->status == (ngx_uint_t) NGX_ERROR || h->status < 100) {
        return NGX_ERROR;
    }

    /*
     * An interim answer ("100 Continue", "103 Early Hints") may come
     * before the final one, asked for or not (RFC 9110, 15.2): it is
     * dropped and the next head read.  Taken for the answer, it made a
     * receiver that delivered every event look down until the event died.
     */

    if (h->status < 200 && h->status != 101) {
        n = last - body;
        ngx_memmove(h->in, body, n);
        h->in_len = n;
        h->status = 0;
        goto again;
    }

    len = -1;
    chunked = 0;
    close = (p[7] == '0');        /* HTTP/1.0 closes unless told */

    line = ngx_strlchr(p, end, '\n') + 1;

    while (line < end) {
        p = ngx_strlchr(line, end, '\n');
        if (p == NULL) {
            break;
        }

        colon = ngx_strlchr(line, p, ':');

        if (colon != NULL) {
            n = colon - line;
            colon++;

            while (colon < p && (*colon == ' ' || *colon == '\t')) {
                colon++;
            }

            if (n == 14 && ngx_strncasecmp(line, (u_char *) "content-length",
                                           14) == 0)
            {
                len = ngx_atoof(colon, p - colon - (p[-1] == '\r'));

            } else if (n == 17
                       && ngx_strncasecmp(line,
                                          (u_char *) "transfer-encoding", 17)
                          == 0)
            {
                chunked = 1;

            } else if (n == 10
                       && ngx_strncasecmp(line, (u_char *) "connection", 10)
                          == 0)
            {
                if (p - colon >= 5
                    && ngx_strncasecmp(colon, (u_char *) "close", 5) == 0)
                {
                    close = 1;

                } else if (p - colon >= 10
                           && ngx_strncasecmp(colon, (u_char *) "keep-alive",
                                              10) == 0)
                {
                    close = 0;
                }
            }
        }

        line = p + 1;
    }

    if (len < 0 || chunked) {
        h->keep = 0;
        h->body_left = 0;
        return NGX_DONE;
    }

    /* what came after the head is body already */

    h->body_left = len - (last - body);
    h->keep = !close && h->body_left >= 0;

    if (h->body_left < 0) {
        h->body_left = 0;
    }

    h->in_len = 0;

    return NGX_OK;
}


/*
 * The end of a head: the empty line, ended by CRLF or by a bare LF as
 * nginx's own parser takes it (ngx_http_parse_status_line and
 * ngx_http_parse_header_line accept both); receivers written on lenient
 * servers answer so.  Returns where the empty line starts (just after
 * the last header's LF) and sets *body to what follows it; NULL: the
 * head is not complete yet.
 */

static u_char *
ngx_pa_notify_http_head_end(u_char *p, u_char *last, u_char **body)
{
    for ( ;; ) {
        p = ngx_strlchr(p, last, '\n');
        if (p == NULL) {
            return NULL;
        }

        p++;

        if (p < last && *p == '\n') {
            *body = p + 1;
            return p;
        }

        if (last - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            *body = p + 2;
            return p;
        }
    }
}


static void
ngx_pa_notify_http_done(ngx_pa_notify_http_t *h, ngx_uint_t status,
    const char *error)
{
    ngx_connection_t  *c;

    c = h->peer.connection;

    if (c != NULL) {
        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        if (c->write->timer_set) {
            ngx_del_timer(c->write);
        }
    }

    /* a kept connection the receiver had closed: once more, afresh */

    if (error != NULL && h->reused && !h->got) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, h->log, 0,
                       "pa notify: kept connection failed (%s), reconnecting",
                       error);

        ngx_pa_notify_http_close_conn(c);
        h->peer.connection = NULL;
        h->reused = 0;

        (void) ngx_pa_notify_http_connect(h);
        return;
    }

    if (c != NULL) {
        if (error == NULL && h->keep && h->keepalive == NULL) {
            h->keepalive = c;

            c->read->handler = ngx_pa_notify_http_idle;
            c->write->handler = ngx_pa_notify_http_dummy;
            c->data = h;

            /*
             * Idle as a client's keep-alive connection is: a shutting
             * down worker closes it (ngx_close_idle_connections) and
             * does not wait for its timer.
             */
            c->idle = 1;
            c->read->cancelable = 1;

            ngx_add_timer(c->read, NGX_PA_NOTIFY_KEEP_IDLE);

            if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
                ngx_pa_notify_http_close_conn(c);
                h->keepalive = NULL;
            }

        } else {
            ngx_pa_notify_http_close_conn(c);
        }

        h->peer.connection = NULL;
    }

    h->busy = 0;

    h->handler(h->data, status, error);
}


/* a kept connection: anything that arrives (FIN, junk) or time ends it */

static void
ngx_pa_notify_http_idle(ngx_event_t *ev)
{
    ngx_connection_t      *c;
    ngx_pa_notify_http_t  *h;

    c = ev->data;
    h = c->data;

    if (!ev->timedout && !c->close) {
        u_char  buf[1];

        /* spurious wake-up: nothing to read, the connection is fine */

        if (c->recv(c, buf, 1) == NGX_AGAIN) {
            if (ngx_handle_read_event(ev, 0) == NGX_OK) {
                return;
            }
        }
    }

    if (h->keepalive == c) {
        h->keepalive = NULL;
    }

    ngx_pa_notify_http_close_conn(c);
}


static void
ngx_pa_notify_http_dummy(ngx_event_t *ev)
{
}


void
ngx_pa_notify_http_close(ngx_pa_notify_http_t *h)
{
    ngx_pa_notify_resolve_cancel(h);

    if (h->peer.connection != NULL) {
        ngx_pa_notify_http_close_conn(h->peer.connection);
        h->peer.connection = NULL;
    }

    if (h->keepalive != NULL) {
        ngx_pa_notify_http_close_conn(h->keepalive);
        h->keepalive = NULL;
    }

    if (h->in != NULL) {
        ngx_free(h->in);
        h->in = NULL;
    }

    h->busy = 0;
}


/* nginx's own closing: a TLS connection is shut down first */

static void
ngx_pa_notify_http_close_conn(ngx_connection_t *c)
{
    ngx_pool_t  *pool;

#if (NGX_SSL)
    if (c->ssl) {
        c->ssl->no_wait_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }
#endif

    pool = c->pool;

    ngx_close_connection(c);

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }
}


#if (NGX_SSL)

static void
ngx_pa_notify_http_tls(ngx_pa_notify_http_t *h, ngx_connection_t *c)
{
    ngx_int_t  rc;

    if (ngx_ssl_create_connection(h->target->ssl, c,
                                  NGX_SSL_BUFFER | NGX_SSL_CLIENT)
        != NGX_OK)
    {
        ngx_pa_notify_http_done(h, 0, "TLS failed");
        return;
    }

    /* SNI: never an IP literal (RFC 6066) */

    if (ngx_inet_addr(h->target->sni.data, h->target->sni.len) == INADDR_NONE
        && SSL_set_tlsext_host_name(c->ssl->connection,
                                    (char *) h->target->sni.data)
           != 1)
    {
        ngx_ssl_error(NGX_LOG_ERR, h->log, 0,
                      "pa notify: SSL_set_tlsext_host_name(\"%V\") failed",
                      &h->target->sni);
        ngx_pa_notify_http_done(h, 0, "TLS failed");
        return;
    }

    c->log->action = "TLS handshake with a webhook target";

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        if (!c->write->timer_set) {
            ngx_add_timer(c->write, h->target->timeout);
        }

        c->ssl->handler = ngx_pa_notify_http_tls_done;
        return;
    }

    ngx_pa_notify_http_tls_done(c);
}


static void
ngx_pa_notify_http_tls_done(ngx_connection_t *c)
{
    long                   rc;
    ngx_pa_notify_http_t  *h;

    h = c->data;

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (!c->ssl->handshaked) {
        ngx_pa_notify_http_done(h, 0, c->write->timedout
                                      ? "TLS handshake timed out"
                                      : "TLS handshake failed");
        return;
    }

    rc = SSL_get_verify_result(c->ssl->connection);

    if (rc != X509_V_OK) {
        ngx_log_error(NGX_LOG_WARN, h->log, 0,
                      "pa notify \"%V\": the certificate of %V is not "
                      "trusted: (%l:%s)", &h->target->name, &h->target->url,
                      rc, X509_verify_cert_error_string(rc));
        ngx_pa_notify_http_done(h, 0, "TLS certificate not trusted");
        return;
    }

    if (ngx_ssl_check_host(c, &h->target->sni) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, h->log, 0,
                      "pa notify \"%V\": the certificate of %V is not for "
                      "\"%V\"", &h->target->name, &h->target->url,
                      &h->target->sni);
        ngx_pa_notify_http_done(h, 0, "TLS certificate not for this host");
        return;
    }

    c->read->handler = ngx_pa_notify_http_read;
    c->write->handler = ngx_pa_notify_http_write;

    ngx_pa_notify_http_write(c->write);
}

#endif
