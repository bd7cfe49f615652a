/*
 * Redis Sentinel discovery and failover (see the header).
 *
 * Asking: one short connection at a time, to the sentinel that answered
 * last first, then to the next ones; a sentinel that refuses, does not
 * know the master or does not answer within connect_timeout + timeout
 * passes the question on.  Following: one subscription to
 * "+switch-master" on one sentinel; when it is lost, the next sentinel
 * takes it a second later, and a new subscription asks again at once,
 * since a switch may have happened while nobody listened.
 *
 * The contexts of this file never carry requests: a lost one costs a
 * retry, never an answer.
 */

#include "ngx_pa_sentinel.h"
#include "ngx_pa_hiredis.h"


#define NGX_PA_SENTINEL_PORT        26379
#define NGX_PA_SENTINEL_RESUBSCRIBE 1000    /* ms */
#define NGX_PA_WAIT_TIMEOUT         100     /* ms, wait= without a timeout */
#define NGX_PA_WAIT_MAX_REPLICAS    16


struct ngx_pa_sentinel_s {
    ngx_pa_main_conf_t        *conf;
    ngx_pa_sentinel_conf_t    *scf;
    ngx_pa_sentinel_found_pt   found;      /* the adapter's */
    void                      *data;
    ngx_log_t                 *log;

    ngx_pa_hiredis_t          *asking;     /* the question in flight */
    ngx_uint_t                 ask_cur;    /* ... to this sentinel */
    ngx_uint_t                 ask_tries;  /* sentinels tried this round */
    ngx_uint_t                 good;       /* answered last: asked first */
    ngx_event_t                ask_timer;

    ngx_pa_hiredis_t          *sub;        /* the "+switch-master" one */
    ngx_uint_t                 sub_cur;
    ngx_uint_t                 subscribed; /* times: > 1 asks again */
    ngx_event_t                sub_timer;

    unsigned                   exiting:1;
};


static ngx_int_t ngx_pa_sentinel_ask_next(ngx_pa_sentinel_t *sn);
static void ngx_pa_sentinel_ask_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static ngx_int_t ngx_pa_sentinel_addr_reply(redisReply *reply,
    ngx_str_t *host, in_port_t *port);
static ngx_int_t ngx_pa_sentinel_literal(ngx_pa_sentinel_t *sn,
    u_char *host, size_t len);
static void ngx_pa_sentinel_ask_timeout(ngx_event_t *ev);
static void ngx_pa_sentinel_cancel_ask(ngx_pa_sentinel_t *sn);
static void ngx_pa_sentinel_subscribe(ngx_pa_sentinel_t *sn);
static void ngx_pa_sentinel_sub_timer(ngx_event_t *ev);
static void ngx_pa_sentinel_message(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_pa_sentinel_switch(ngx_pa_sentinel_t *sn, redisReply *msg);
static int ngx_pa_sentinel_auth(ngx_pa_sentinel_t *sn, ngx_pa_hiredis_t *h);
static void ngx_pa_sentinel_auth_reply(redisAsyncContext *ac, void *r,
    void *privdata);


/* configuration */

ngx_int_t
ngx_pa_sentinel_option(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *value)
{
    ngx_int_t                n;
    ngx_str_t                s;
    ngx_pa_sentinel_conf_t  *scf;

    if (ngx_strncmp(value->data, "wait=", 5) == 0) {
        n = ngx_atoi(value->data + 5, value->len - 5);
        if (n == NGX_ERROR || n > NGX_PA_WAIT_MAX_REPLICAS) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": the number of replicas to wait for "
                               "is 0 to %d", value, NGX_PA_WAIT_MAX_REPLICAS);
            return NGX_ERROR;
        }

        pmcf->redis_wait = n;
        return NGX_OK;
    }

    if (ngx_strncmp(value->data, "wait_timeout=", 13) == 0) {
        s.data = value->data + 13;
        s.len = value->len - 13;

        pmcf->redis_wait_timeout = ngx_parse_time(&s, 0);
        if (pmcf->redis_wait_timeout == (ngx_msec_t) NGX_ERROR
            || pmcf->redis_wait_timeout == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", value);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (ngx_strncmp(value->data, "sentinel=", 9) != 0
        && ngx_strncmp(value->data, "master=", 7) != 0)
    {
        return NGX_DECLINED;
    }

    scf = pmcf->sentinel;

    if (scf == NULL) {
        scf = ngx_pcalloc(cf->pool, sizeof(ngx_pa_sentinel_conf_t));
        if (scf == NULL) {
            return NGX_ERROR;
        }

        if (ngx_array_init(&scf->addrs, cf->pool, 3,
                           sizeof(ngx_pa_sentinel_addr_t))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        pmcf->sentinel = scf;
    }

    if (value->data[0] == 'm') {
        if (value->len == 7 || scf->master.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", value);
            return NGX_ERROR;
        }

        /* configuration tokens are NUL terminated */
        scf->master.data = value->data + 7;
        scf->master.len = value->len - 7;
        return NGX_OK;
    }

    s.data = value->data + 9;
    s.len = value->len - 9;

    if (scf->addrs.nelts || s.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", value);
        return NGX_ERROR;
    }

    return ngx_pa_hiredis_addrs(cf, &s, NGX_PA_SENTINEL_PORT, "sentinel",
                                &scf->addrs);
}


ngx_int_t
ngx_pa_sentinel_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_sentinel_conf_t  *scf;

    if (pmcf->redis_wait_timeout && !pmcf->redis_wait) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"wait_timeout=\" needs \"wait=\"");
        return NGX_ERROR;
    }

    if (pmcf->redis_wait && pmcf->redis_wait_timeout == 0) {
        pmcf->redis_wait_timeout = NGX_PA_WAIT_TIMEOUT;
    }

    scf = pmcf->sentinel;

    if (scf == NULL) {
        return NGX_OK;
    }

    if (scf->addrs.nelts == 0 || scf->master.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sentinel=\" and \"master=\" go together");
        return NGX_ERROR;
    }

    if (pmcf->redis_unix || pmcf->redis_port) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "an address and \"sentinel=\": the sentinels "
                           "name the primary");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the worker */

ngx_pa_sentinel_t *
ngx_pa_sentinel_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf,
    ngx_pa_sentinel_found_pt found, void *data)
{
    ngx_pa_sentinel_t  *sn;

    sn = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_sentinel_t));
    if (sn == NULL) {
        return NULL;
    }

    sn->conf = pmcf;
    sn->scf = pmcf->sentinel;
    sn->found = found;
    sn->data = data;
    sn->log = cycle->log;

    /* background timers: "nginx -s quit" never waits for them */

    sn->ask_timer.handler = ngx_pa_sentinel_ask_timeout;
    sn->ask_timer.data = sn;
    sn->ask_timer.log = cycle->log;
    sn->ask_timer.cancelable = 1;

    sn->sub_timer.handler = ngx_pa_sentinel_sub_timer;
    sn->sub_timer.data = sn;
    sn->sub_timer.log = cycle->log;
    sn->sub_timer.cancelable = 1;

    /* workers spread their subscriptions over the sentinels */
    sn->sub_cur = ngx_pid % sn->scf->addrs.nelts;

    ngx_pa_sentinel_subscribe(sn);

    return sn;
}


void
ngx_pa_sentinel_exit_worker(ngx_pa_sentinel_t *sn)
{
    ngx_pa_hiredis_t  *h;

    sn->exiting = 1;

    if (sn->sub_timer.timer_set) {
        ngx_del_timer(&sn->sub_timer);
    }

    ngx_pa_sentinel_cancel_ask(sn);

    if (sn->sub != NULL) {
        h = sn->sub;
        sn->sub = NULL;
        redisAsyncFree(h->ac);
    }
}


ngx_int_t
ngx_pa_sentinel_ask(ngx_pa_sentinel_t *sn)
{
    if (sn->exiting) {
        return NGX_ERROR;
    }

    if (sn->asking != NULL) {
        return NGX_OK;
    }

    sn->ask_cur = sn->good;
    sn->ask_tries = 0;

    return ngx_pa_sentinel_ask_next(sn);
}


/* the next sentinel of this round that can be reached, from ask_cur */

static ngx_int_t
ngx_pa_sentinel_ask_next(ngx_pa_sentinel_t *sn)
{
    const char              *argv[3];
    size_t                   argvlen[3];
    ngx_uint_t               n;
    ngx_pa_hiredis_t        *h;
    ngx_pa_sentinel_addr_t  *a;

    n = sn->scf->addrs.nelts;
    a = sn->scf->addrs.elts;

    argv[0] = "SENTINEL";
    argvlen[0] = 8;
    argv[1] = "get-master-addr-by-name";
    argvlen[1] = 23;
    argv[2] = (const char *) sn->scf->master.data;
    argvlen[2] = sn->scf->master.len;

    for ( /* void */ ; sn->ask_tries < n;
         sn->ask_tries++, sn->ask_cur = (sn->ask_cur + 1) % n)
    {
        h = ngx_pa_hiredis_connect(&a[sn->ask_cur].host, a[sn->ask_cur].port,
                                   sn->log, NULL, sn);
        if (h == NULL) {
            continue;
        }

        if (ngx_pa_sentinel_auth(sn, h) != REDIS_OK
            || redisAsyncCommandArgv(h->ac, ngx_pa_sentinel_ask_reply, h, 3,
                                     argv, argvlen)
               != REDIS_OK)
        {
            ngx_log_error(NGX_LOG_ERR, sn->log, 0,
                          "pa redis: question to sentinel \"%V:%d\" not "
                          "queued", &a[sn->ask_cur].host,
                          (int) a[sn->ask_cur].port);
            redisAsyncFree(h->ac);
            continue;
        }

        sn->asking = h;
        sn->ask_tries++;

        ngx_add_timer(&sn->ask_timer, sn->conf->redis_connect_timeout
                                      + sn->conf->redis_timeout);
        return NGX_OK;
    }

    return NGX_ERROR;
}


static void
ngx_pa_sentinel_ask_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    in_port_t                port;
    ngx_str_t                host;
    redisReply              *reply = r;
    ngx_pa_sentinel_t       *sn;
    ngx_pa_sentinel_addr_t  *a;

    sn = h->data;

    if (sn->asking != h) {
        return;                 /* cancelled: the context is being freed */
    }

    sn->asking = NULL;

    if (sn->ask_timer.timer_set) {
        ngx_del_timer(&sn->ask_timer);
    }

    a = sn->scf->addrs.elts;
    a = &a[sn->ask_cur];

    if (reply != NULL) {
        /* a clean close once this callback returns */
        redisAsyncDisconnect(ac);
    }

    if (ngx_pa_sentinel_addr_reply(reply, &host, &port) == NGX_OK
        && ngx_pa_sentinel_literal(sn, host.data, host.len) == NGX_OK)
    {
        sn->good = sn->ask_cur;

        ngx_log_error(NGX_LOG_INFO, sn->log, 0,
                      "pa redis: sentinel \"%V:%d\" names \"%V:%d\" the "
                      "primary of \"%V\"", &a->host, (int) a->port,
                      &host, (int) port, &sn->scf->master);

        sn->found(sn->data, &host, port);
        return;
    }

    if (reply == NULL) {
        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: sentinel \"%V:%d\" did not answer: %s",
                      &a->host, (int) a->port,
                      ac->errstr[0] ? ac->errstr : "closed");

    } else if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: sentinel \"%V:%d\" refused: %*s",
                      &a->host, (int) a->port, (size_t) reply->len,
                      reply->str);

    } else {
        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: sentinel \"%V:%d\" gave no address for "
                      "the master \"%V\"", &a->host, (int) a->port,
                      &sn->scf->master);
    }

    if (sn->exiting) {
        return;
    }

    sn->ask_cur = (sn->ask_cur + 1) % sn->scf->addrs.nelts;

    if (ngx_pa_sentinel_ask_next(sn) != NGX_OK) {
        sn->found(sn->data, NULL, 0);
    }
}


/* { "<ip>", "<port>" }; host points into the reply */

static ngx_int_t
ngx_pa_sentinel_addr_reply(redisReply *reply, ngx_str_t *host,
    in_port_t *port)
{
    ngx_int_t  n;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_STRING
        || reply->element[0]->len == 0
        || reply->element[0]->len > NGX_SOCKADDR_STRLEN)
    {
        return NGX_ERROR;
    }

    n = ngx_atoi((u_char *) reply->element[1]->str, reply->element[1]->len);
    if (n < 1 || n > 65535) {
        return NGX_ERROR;
    }

    host->data = (u_char *) reply->element[0]->str;
    host->len = reply->element[0]->len;
    *port = (in_port_t) n;

    return NGX_OK;
}


/*
 * hiredis resolves a host name with a blocking getaddrinfo(): a worker
 * connects to address literals only ("sentinel resolve-hostnames no",
 * Sentinel's default).
 */

static ngx_int_t
ngx_pa_sentinel_literal(ngx_pa_sentinel_t *sn, u_char *host, size_t len)
{
#if (NGX_HAVE_INET6)
    u_char  addr6[16];
#endif

    if (ngx_inet_addr(host, len) != INADDR_NONE) {
        return NGX_OK;
    }

#if (NGX_HAVE_INET6)
    if (ngx_inet6_addr(host, len, addr6) == NGX_OK) {
        return NGX_OK;
    }
#endif

    ngx_log_error(NGX_LOG_ERR, sn->log, 0,
                  "pa redis: the sentinels name the primary \"%*s\", not "
                  "an IP address (\"sentinel resolve-hostnames\" is on?)",
                  len, host);

    return NGX_ERROR;
}


static void
ngx_pa_sentinel_ask_timeout(ngx_event_t *ev)
{
    ngx_pa_sentinel_t       *sn = ev->data;
    ngx_pa_sentinel_addr_t  *a;

    a = sn->scf->addrs.elts;

    ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                  "pa redis: sentinel \"%V:%d\" timed out",
                  &a[sn->ask_cur].host, (int) a[sn->ask_cur].port);

    ngx_pa_sentinel_cancel_ask(sn);

    if (sn->exiting) {
        return;
    }

    sn->ask_cur = (sn->ask_cur + 1) % sn->scf->addrs.nelts;

    if (ngx_pa_sentinel_ask_next(sn) != NGX_OK) {
        sn->found(sn->data, NULL, 0);
    }
}


/* drops the question in flight: its reply (NULL, from the free) is ignored */

static void
ngx_pa_sentinel_cancel_ask(ngx_pa_sentinel_t *sn)
{
    ngx_pa_hiredis_t  *h;

    if (sn->ask_timer.timer_set) {
        ngx_del_timer(&sn->ask_timer);
    }

    if (sn->asking != NULL) {
        h = sn->asking;
        sn->asking = NULL;
        redisAsyncFree(h->ac);
    }
}


static void
ngx_pa_sentinel_subscribe(ngx_pa_sentinel_t *sn)
{
    ngx_pa_hiredis_t        *h;
    ngx_pa_sentinel_addr_t  *a;

    const char  *argv[2] = { "SUBSCRIBE", "+switch-master" };
    size_t       argvlen[2] = { 9, 14 };

    a = sn->scf->addrs.elts;
    a = &a[sn->sub_cur];

    h = ngx_pa_hiredis_connect(&a->host, a->port, sn->log, NULL, sn);

    /*
     * TCP keepalive (hiredis: 15 s idle, then 3 probes): a sentinel gone
     * without a FIN is noticed in under a minute, not never.  A failure
     * leaves the error set in the context: it would refuse to send.
     */

    if (h != NULL
        && (redisEnableKeepAlive(&h->ac->c) != REDIS_OK
            || ngx_pa_sentinel_auth(sn, h) != REDIS_OK
            || redisAsyncCommandArgv(h->ac, ngx_pa_sentinel_message, h, 2,
                                     argv, argvlen)
               != REDIS_OK))
    {
        ngx_log_error(NGX_LOG_ERR, sn->log, 0,
                      "pa redis: subscription to sentinel \"%V:%d\" not "
                      "sent: %s", &a->host, (int) a->port,
                      h->ac->errstr[0] ? h->ac->errstr : "closing");
        redisAsyncFree(h->ac);
        h = NULL;
    }

    if (h == NULL) {
        sn->sub_cur = (sn->sub_cur + 1) % sn->scf->addrs.nelts;
        ngx_add_timer(&sn->sub_timer, NGX_PA_SENTINEL_RESUBSCRIBE);
        return;
    }

    sn->sub = h;
}


static void
ngx_pa_sentinel_sub_timer(ngx_event_t *ev)
{
    ngx_pa_sentinel_t  *sn = ev->data;

    if (sn->exiting || ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_pa_sentinel_subscribe(sn);
}


/* the subscription's confirmation, each message, and NULL once at the end */

static void
ngx_pa_sentinel_message(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    redisReply              *reply = r;
    ngx_pa_sentinel_t       *sn;
    ngx_pa_sentinel_addr_t  *a;

    sn = h->data;
    a = sn->scf->addrs.elts;
    a = &a[sn->sub_cur];

    if (reply == NULL) {
        if (sn->sub != h) {
            return;
        }

        sn->sub = NULL;

        if (sn->exiting) {
            return;
        }

        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: subscription to sentinel \"%V:%d\" lost: "
                      "%s, the next sentinel in %d ms", &a->host,
                      (int) a->port, ac->errstr[0] ? ac->errstr : "closed",
                      NGX_PA_SENTINEL_RESUBSCRIBE);

        sn->sub_cur = (sn->sub_cur + 1) % sn->scf->addrs.nelts;
        ngx_add_timer(&sn->sub_timer, NGX_PA_SENTINEL_RESUBSCRIBE);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: unexpected reply from sentinel \"%V:%d\"",
                      &a->host, (int) a->port);
        return;
    }

    if (ngx_strcmp(reply->element[0]->str, "subscribe") == 0) {
        ngx_log_error(NGX_LOG_INFO, sn->log, 0,
                      "pa redis: following \"+switch-master\" on sentinel "
                      "\"%V:%d\"", &a->host, (int) a->port);

        /* a switch may have happened while nobody listened */

        if (sn->subscribed++ && ngx_pa_sentinel_ask(sn) != NGX_OK) {
            sn->found(sn->data, NULL, 0);
        }

        return;
    }

    if (ngx_strcmp(reply->element[0]->str, "message") == 0
        && reply->element[2]->type == REDIS_REPLY_STRING)
    {
        ngx_pa_sentinel_switch(sn, reply->element[2]);
    }
}


/* "<master> <old ip> <old port> <new ip> <new port>" */

static void
ngx_pa_sentinel_switch(ngx_pa_sentinel_t *sn, redisReply *msg)
{
    u_char     *p, *last, *f[5];
    size_t      len[5];
    in_port_t   port;
    ngx_int_t   n;
    ngx_str_t   host;
    ngx_uint_t  i;

    p = (u_char *) msg->str;
    last = p + msg->len;

    for (i = 0; i < 5; i++) {
        f[i] = p;

        while (p < last && *p != ' ') {
            p++;
        }

        len[i] = p - f[i];

        if (p < last) {
            p++;
        }
    }

    if (len[0] != sn->scf->master.len
        || ngx_strncmp(f[0], sn->scf->master.data, len[0]) != 0)
    {
        return;                 /* another master the sentinels watch */
    }

    n = ngx_atoi(f[4], len[4]);

    if (len[3] == 0 || len[3] > NGX_SOCKADDR_STRLEN || n < 1 || n > 65535
        || ngx_pa_sentinel_literal(sn, f[3], len[3]) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, sn->log, 0,
                      "pa redis: malformed \"+switch-master\": \"%*s\"",
                      (size_t) msg->len, msg->str);
        return;
    }

    host.data = f[3];
    host.len = len[3];
    port = (in_port_t) n;

    ngx_log_error(NGX_LOG_NOTICE, sn->log, 0,
                  "pa redis: failover of \"%V\": the primary moves from "
                  "\"%*s:%*s\" to \"%V:%d\"", &sn->scf->master,
                  len[1], f[1], len[2], f[2], &host, (int) port);

    /* what a question in flight would answer is older than this */
    ngx_pa_sentinel_cancel_ask(sn);

    sn->found(sn->data, &host, port);
}


/*
 * Sentinels with "requirepass" (and an ACL user): AUTH goes first on each
 * context.  Refused, the question or the subscription after it is
 * refused too (NOAUTH) and passes to the next sentinel as any refusal.
 */

static int
ngx_pa_sentinel_auth(ngx_pa_sentinel_t *sn, ngx_pa_hiredis_t *h)
{
    return ngx_pa_hiredis_auth(h->ac, &sn->conf->sentinel_user,
                               &sn->conf->sentinel_password,
                               ngx_pa_sentinel_auth_reply, h);
}


static void
ngx_pa_sentinel_auth_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_pa_hiredis_t  *h = privdata;

    redisReply              *reply = r;
    ngx_pa_sentinel_t       *sn;
    ngx_pa_sentinel_addr_t  *a;

    if (reply == NULL || reply->type != REDIS_REPLY_ERROR) {
        return;
    }

    sn = h->data;
    a = sn->scf->addrs.elts;
    a = &a[(h == sn->sub) ? sn->sub_cur : sn->ask_cur];

    ngx_log_error(NGX_LOG_ERR, sn->log, 0,
                  "pa redis: sentinel \"%V:%d\" refused AUTH: %*s "
                  "(pa_redis sentinel_password_file=, sentinel_user=)",
                  &a->host, (int) a->port, (size_t) reply->len, reply->str);
}
