/*
 * openloop: an open-loop HTTP load generator for the submit case.
 *
 *   openloop -r RATE [-d SECS] [-w SECS] [-c CONNS] [-t TAG] URL
 *
 * Request k is due at start + k / RATE, whatever the server does: the
 * schedule never waits for an answer.  Its latency is measured from that
 * intended time, not from when a connection was free to send it, so a
 * stall of the server counts for every request that was due during it
 * (no coordinated omission; wrk measures from the send and so hides it).
 * The requests that were due but not answered when the run ends count as
 * unanswered, with an infinite latency: they are the top of the tail, never
 * dropped from it.
 *
 * Each request POSTs the JSON report of bench/submit.lua: a new content and
 * a new phone for every request (counter and TAG), so that each one is a
 * new report and never a 409 duplicate.  TAG (digits) must differ between
 * runs against the same Redis.
 *
 * Output: key=value lines (see usage()), read by bench/run.sh.
 *
 * One thread, epoll, keep-alive connections (CONNS of them, opened at the
 * start; one request in flight on each, reconnected when nginx closes
 * one), a timerfd for the schedule.  Linux only.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>


#define OL_BUF_SIZE     65536
#define OL_DRAIN_NS     (10 * 1000000000LL)  /* after the schedule ends */
#define OL_INF          INT64_MAX


typedef struct {
    int           fd;
    int           busy;       /* a request is in flight */
    int           connected;
    int64_t       req;        /* its number in the schedule */
    int64_t       sent_at;
    size_t        out_len;
    size_t        out_sent;
    size_t        in_len;
    char          out[4096];
    char          in[OL_BUF_SIZE];
} ol_conn_t;


typedef struct {
    /* the schedule */
    double        rate;
    int64_t       start;
    int64_t       warm_end;   /* requests due before it are not measured */
    int64_t       end;        /* none is due from it on */
    int64_t       total;      /* requests in the schedule */
    int64_t       next;       /* the next one to send */
    unsigned long tag;

    struct addrinfo  *addr;
    char          host[256];
    char          path[1024];

    ol_conn_t    *conns;
    int           nconns;
    int          *idle;       /* a stack of idle, connected connections */
    int           nidle;
    int           epfd;
    int           tfd;

    /* the measured window */
    int64_t      *lat;        /* ns from the intended send time */
    int64_t      *svc;        /* ns from the actual send */
    int64_t      *at;         /* ns from the window's start to its due */
    FILE         *slow;       /* -s: the slow requests, one a line */
    int64_t       nlat;
    int64_t       measured;   /* requests due in the window */
    int64_t       ok;         /* 2xx answers */
    int64_t       non2xx;
    int64_t       errors;     /* connection lost with a request in flight */
    int64_t       done;       /* requests finished, any outcome */
    int64_t       max_backlog;
    int64_t       reconnects;
} ol_t;


static int64_t
ol_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}


static int64_t
ol_due(const ol_t *ol, int64_t k)
{
    return ol->start + (int64_t) ((double) k * 1e9 / ol->rate);
}


static void
ol_die(const char *what)
{
    fprintf(stderr, "openloop: %s: %s\n", what, strerror(errno));
    exit(2);
}


static void
usage(void)
{
    fprintf(stderr,
        "usage: openloop -r RATE [-d SECS] [-w SECS] [-c CONNS] [-t TAG]"
        " [-s FILE] URL\n"
        "  POSTs a new JSON report (bench/submit.lua's) to URL at RATE"
        " requests/s,\n"
        "  -w SECS of warm-up (default 2) then -d SECS measured"
        " (default 10),\n"
        "  over CONNS keep-alive connections (default 64).\n"
        "  Prints key=value lines: rate, scheduled, measured, answered,"
        " ok, non2xx,\n"
        "  errors, unanswered, achieved, p50_ms p90_ms p99_ms p999_ms"
        " max_ms\n"
        "  (from the intended send time), svc_p50_ms svc_p99_ms"
        " svc_p999_ms\n"
        "  (from the actual send: what a closed-loop tool would report),"
        " max_backlog.\n"
        "  -s FILE: each measured request of 5 ms or more, a line"
        " \"due lat svc\"\n"
        "  (ms: its due time from the window's start, its latency from"
        " then and\n"
        "  from its send), to see when the tail was made.\n");
    exit(2);
}


static void
ol_parse_url(ol_t *ol, const char *url)
{
    char             port[16];
    const char      *p, *colon, *slash;
    struct addrinfo  hints;

    if (strncmp(url, "http://", 7) != 0) {
        usage();
    }

    p = url + 7;
    slash = strchr(p, '/');
    if (slash == NULL) {
        slash = p + strlen(p);
    }

    colon = memchr(p, ':', slash - p);
    if (colon == NULL || colon - p >= (long) sizeof(ol->host)
        || slash - colon - 1 >= (long) sizeof(port)
        || strlen(slash) >= sizeof(ol->path))
    {
        usage();
    }

    memcpy(ol->host, p, colon - p);
    ol->host[colon - p] = '\0';
    memcpy(port, colon + 1, slash - colon - 1);
    port[slash - colon - 1] = '\0';
    strcpy(ol->path, *slash ? slash : "/");

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(ol->host, port, &hints, &ol->addr) != 0) {
        fprintf(stderr, "openloop: cannot resolve %s:%s\n", ol->host, port);
        exit(2);
    }
}


static void
ol_connect(ol_t *ol, int i)
{
    int                  fd, one;
    ol_conn_t           *c;
    struct epoll_event   ev;

    c = &ol->conns[i];
    fd = socket(ol->addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd == -1) {
        ol_die("socket");
    }

    one = 1;
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    if (connect(fd, ol->addr->ai_addr, ol->addr->ai_addrlen) == -1
        && errno != EINPROGRESS)
    {
        ol_die("connect");
    }

    c->fd = fd;
    c->busy = 0;
    c->connected = 0;
    c->in_len = 0;

    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u32 = (uint32_t) i;
    if (epoll_ctl(ol->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
        ol_die("epoll_ctl");
    }
}


/* a request of the schedule, or an error, finished on connection c */
static void
ol_finish(ol_t *ol, ol_conn_t *c, int status, int64_t now)
{
    int64_t  due;

    due = ol_due(ol, c->req);
    ol->done++;
    c->busy = 0;

    if (due < ol->warm_end) {
        return;
    }

    if (status == 0) {
        ol->errors++;
        return;
    }

    if (status >= 200 && status < 300) {
        ol->ok++;
    } else {
        ol->non2xx++;
    }

    ol->lat[ol->nlat] = now - due;
    ol->svc[ol->nlat] = now - c->sent_at;
    ol->at[ol->nlat] = due - ol->warm_end;
    ol->nlat++;
}


static void
ol_reconnect(ol_t *ol, int i, int64_t now)
{
    ol_conn_t  *c;

    c = &ol->conns[i];
    if (c->busy) {
        ol_finish(ol, c, 0, now);
    }

    close(c->fd);
    ol->reconnects++;
    ol_connect(ol, i);
}


static void
ol_send(ol_t *ol, int i, int64_t now)
{
    int         n, body_len;
    char        body[1024];
    ssize_t     w;
    int64_t     k;
    ol_conn_t  *c;

    c = &ol->conns[i];
    k = ol->next++;

    /* bench/submit.lua's report; the phone and the content carry k */
    body_len = snprintf(body, sizeof(body),
        "{\"content\":\"Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà"
        " %" PRId64 "; nước đọng, xe máy dễ ngã (bench %lu-ol-%" PRId64
        ")\",\"title\":\"Ổ gà\",\"category\":\"traffic\","
        "\"lat\":22.396,\"lng\":103.458,"
        "\"reporter_name\":\"Nguyễn Văn A\","
        "\"reporter_phone\":\"09%08" PRId64 "\",\"channel\":\"app\"}",
        k % 500 + 1, ol->tag, k,
        (int64_t) ((ol->tag * 7919 + 9000000 + k) % 100000000));

    n = snprintf(c->out, sizeof(c->out),
                 "POST %s HTTP/1.1\r\nHost: %s\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: %d\r\n\r\n%s",
                 ol->path, ol->host, body_len, body);
    if (n < 0 || n >= (int) sizeof(c->out)) {
        fprintf(stderr, "openloop: request too long\n");
        exit(2);
    }

    c->busy = 1;
    c->req = k;
    c->sent_at = now;
    c->out_len = (size_t) n;
    c->out_sent = 0;
    c->in_len = 0;

    w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
    if (w > 0) {
        c->out_sent = (size_t) w;
    } else if (w == -1 && errno != EAGAIN) {
        ol_reconnect(ol, i, now);
    }
    /* the rest, if any, on EPOLLOUT */
}


/* 1: c->in holds a whole answer (*status, *close set); 0: not yet */
static int
ol_parse(ol_conn_t *c, int *status, int *close_conn)
{
    char    *hend, *p, *line;
    size_t   hlen, need;
    long     clen;

    c->in[c->in_len] = '\0';
    hend = strstr(c->in, "\r\n\r\n");
    if (hend == NULL) {
        return 0;
    }

    hlen = (size_t) (hend - c->in) + 4;
    if (strncmp(c->in, "HTTP/1.", 7) != 0 || c->in_len < 12) {
        *status = 0;
        *close_conn = 1;
        return 1;
    }

    *status = atoi(c->in + 9);
    *close_conn = 0;
    clen = -1;

    for (line = strstr(c->in, "\r\n") + 2; line < hend;
         line = strstr(line, "\r\n") + 2)
    {
        if (strncasecmp(line, "content-length:", 15) == 0) {
            clen = strtol(line + 15, NULL, 10);

        } else if (strncasecmp(line, "connection:", 11) == 0) {
            for (p = line + 11; *p == ' '; p++) { /* void */ }
            *close_conn = (strncasecmp(p, "close", 5) == 0);

        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            /* nginx chunks only bodies of unknown length: its last chunk */
            if (strstr(hend + 4, "\r\n0\r\n\r\n") == NULL
                && strncmp(hend + 4, "0\r\n\r\n", 5) != 0)
            {
                return 0;
            }
            return 1;
        }
    }

    need = hlen + (clen > 0 ? (size_t) clen : 0);
    return c->in_len >= need;
}


static void
ol_event(ol_t *ol, int i, uint32_t events, int64_t now)
{
    int         status, close_conn, err;
    ssize_t     n;
    socklen_t   len;
    ol_conn_t  *c;

    c = &ol->conns[i];

    if (!c->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        err = 0;
        len = sizeof(err);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1
            || err != 0)
        {
            fprintf(stderr, "openloop: connect to %s: %s\n", ol->host,
                    strerror(err ? err : errno));
            exit(2);
        }
        c->connected = 1;
        ol->idle[ol->nidle++] = i;
        return;
    }

    if ((events & EPOLLOUT) && c->busy && c->out_sent < c->out_len) {
        n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
                 MSG_NOSIGNAL);
        if (n > 0) {
            c->out_sent += (size_t) n;
        } else if (n == -1 && errno != EAGAIN) {
            ol_reconnect(ol, i, now);
            return;
        }
    }

    if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        return;
    }

    for ( ;; ) {
        n = read(c->fd, c->in + c->in_len, OL_BUF_SIZE - 1 - c->in_len);
        if (n == -1 && errno == EAGAIN) {
            return;
        }
        if (n <= 0 || !c->busy) {
            /* closed by nginx (keepalive_requests, timeout) or an error */
            ol_reconnect(ol, i, now);
            return;
        }

        c->in_len += (size_t) n;
        if (!ol_parse(c, &status, &close_conn)) {
            if (c->in_len >= OL_BUF_SIZE - 1) {
                fprintf(stderr, "openloop: answer over %d bytes\n",
                        OL_BUF_SIZE);
                exit(2);
            }
            continue;
        }

        ol_finish(ol, c, status, now);
        if (close_conn || status == 0) {
            close(c->fd);
            ol->reconnects++;
            ol_connect(ol, i);
        } else {
            ol->idle[ol->nidle++] = i;
        }
        return;
    }
}


static int
ol_cmp(const void *a, const void *b)
{
    int64_t  x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}


/* nearest rank; the unanswered are at the top with an infinite latency */
static void
ol_pct(const char *name, int64_t *v, int64_t n, int64_t total, double p)
{
    int64_t  r;

    r = (int64_t) ((p / 100.0) * (double) total + 0.999999) - 1;
    if (r < 0) {
        r = 0;
    }

    if (r >= n) {
        printf("%s=inf\n", name);
    } else {
        printf("%s=%.3f\n", name, (double) v[r] / 1e6);
    }
}


int
main(int argc, char **argv)
{
    int                  opt, i, n;
    uint64_t             expired;
    double               dur, warm;
    int64_t              now, backlog, deadline, wait_ns;
    ol_t                 ol;
    struct itimerspec    its;
    struct epoll_event   ev, evs[256];

    memset(&ol, 0, sizeof(ol));
    dur = 10;
    warm = 2;
    ol.nconns = 64;
    ol.tag = (unsigned long) time(NULL);

    while ((opt = getopt(argc, argv, "r:d:w:c:t:s:")) != -1) {
        switch (opt) {
        case 'r': ol.rate = atof(optarg); break;
        case 'd': dur = atof(optarg); break;
        case 'w': warm = atof(optarg); break;
        case 'c': ol.nconns = atoi(optarg); break;
        case 't': ol.tag = strtoul(optarg, NULL, 10); break;
        case 's':
            ol.slow = fopen(optarg, "w");
            if (ol.slow == NULL) {
                ol_die(optarg);
            }
            break;
        default: usage();
        }
    }

    if (optind != argc - 1 || ol.rate <= 0 || dur <= 0 || warm < 0
        || ol.nconns < 1 || ol.nconns > 4096)
    {
        usage();
    }

    ol_parse_url(&ol, argv[optind]);

    ol.total = (int64_t) ((warm + dur) * ol.rate);
    ol.measured = ol.total - (int64_t) (warm * ol.rate);
    ol.lat = calloc((size_t) ol.measured + 1, sizeof(int64_t));
    ol.svc = calloc((size_t) ol.measured + 1, sizeof(int64_t));
    ol.at = calloc((size_t) ol.measured + 1, sizeof(int64_t));
    ol.conns = calloc((size_t) ol.nconns, sizeof(ol_conn_t));
    ol.idle = calloc((size_t) ol.nconns, sizeof(int));
    if (ol.lat == NULL || ol.svc == NULL || ol.at == NULL
        || ol.conns == NULL
        || ol.idle == NULL)
    {
        ol_die("calloc");
    }

    ol.epfd = epoll_create1(0);
    ol.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (ol.epfd == -1 || ol.tfd == -1) {
        ol_die("epoll/timerfd");
    }

    ev.events = EPOLLIN;
    ev.data.u32 = UINT32_MAX;
    if (epoll_ctl(ol.epfd, EPOLL_CTL_ADD, ol.tfd, &ev) == -1) {
        ol_die("epoll_ctl");
    }

    for (i = 0; i < ol.nconns; i++) {
        ol_connect(&ol, i);
    }

    /* the schedule starts once every connection is open */
    while (ol.nidle < ol.nconns) {
        n = epoll_wait(ol.epfd, evs, 256, 5000);
        if (n <= 0) {
            fprintf(stderr, "openloop: connections not open after 5 s\n");
            return 2;
        }
        for (i = 0; i < n; i++) {
            if (evs[i].data.u32 != UINT32_MAX) {
                ol_event(&ol, (int) evs[i].data.u32, evs[i].events, ol_now());
            }
        }
    }

    ol.start = ol_now();
    ol.warm_end = ol.start + (int64_t) (warm * 1e9);
    ol.end = ol.start + (int64_t) ((warm + dur) * 1e9);
    deadline = ol.end + OL_DRAIN_NS;

    for ( ;; ) {
        now = ol_now();

        /* everything due goes out on the idle connections, in order */
        while (ol.next < ol.total && ol_due(&ol, ol.next) <= now
               && ol.nidle > 0)
        {
            ol_send(&ol, ol.idle[--ol.nidle], now);
        }

        /* due but waiting for a free connection: its wait is latency */
        backlog = (int64_t) ((double) (now - ol.start) * ol.rate / 1e9) + 1;
        backlog = (backlog < ol.total ? backlog : ol.total) - ol.next;
        if (backlog > ol.max_backlog) {
            ol.max_backlog = backlog;
        }

        if (ol.done == ol.total || now >= deadline) {
            break;
        }

        /*
         * with an idle connection only the schedule is waited for; with
         * none, an answer wakes us (a zero it_value disarms the timer)
         */
        memset(&its, 0, sizeof(its));
        if (ol.next < ol.total && ol.nidle > 0) {
            wait_ns = ol_due(&ol, ol.next);
            its.it_value.tv_sec = wait_ns / 1000000000LL;
            its.it_value.tv_nsec = wait_ns % 1000000000LL;
        }
        if (timerfd_settime(ol.tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1) {
            ol_die("timerfd_settime");
        }

        n = epoll_wait(ol.epfd, evs, 256,
                       (int) ((deadline - now) / 1000000) + 1);
        if (n == -1 && errno != EINTR) {
            ol_die("epoll_wait");
        }

        now = ol_now();
        for (i = 0; i < n; i++) {
            if (evs[i].data.u32 == UINT32_MAX) {
                /* expirations: only the wake-up matters */
                if (read(ol.tfd, &expired, sizeof(expired)) == -1) {
                    expired = 0;
                }
                continue;
            }
            ol_event(&ol, (int) evs[i].data.u32, evs[i].events, now);
        }
    }

    if (ol.slow) {
        for (i = 0; i < ol.nlat; i++) {
            if (ol.lat[i] >= 5000000) {
                fprintf(ol.slow, "%.3f %.3f %.3f\n", (double) ol.at[i] / 1e6,
                        (double) ol.lat[i] / 1e6, (double) ol.svc[i] / 1e6);
            }
        }
        fclose(ol.slow);
    }

    qsort(ol.lat, (size_t) ol.nlat, sizeof(int64_t), ol_cmp);
    qsort(ol.svc, (size_t) ol.nlat, sizeof(int64_t), ol_cmp);

    printf("rate=%.1f\nconnections=%d\nscheduled=%" PRId64 "\n"
           "measured=%" PRId64 "\nanswered=%" PRId64 "\nok=%" PRId64 "\n"
           "non2xx=%" PRId64 "\nerrors=%" PRId64 "\nunanswered=%" PRId64 "\n"
           "achieved=%.1f\nmax_backlog=%" PRId64 "\nreconnects=%" PRId64
           "\n",
           ol.rate, ol.nconns, ol.total, ol.measured, ol.nlat, ol.ok,
           ol.non2xx, ol.errors, ol.measured - ol.nlat - ol.errors,
           (double) ol.nlat / dur, ol.max_backlog, ol.reconnects);

    /* errors have no latency: they count as unanswered in the tail */
    ol_pct("p50_ms", ol.lat, ol.nlat, ol.measured, 50);
    ol_pct("p90_ms", ol.lat, ol.nlat, ol.measured, 90);
    ol_pct("p99_ms", ol.lat, ol.nlat, ol.measured, 99);
    ol_pct("p999_ms", ol.lat, ol.nlat, ol.measured, 99.9);
    ol_pct("max_ms", ol.lat, ol.nlat, ol.measured, 100);
    ol_pct("svc_p50_ms", ol.svc, ol.nlat, ol.measured, 50);
    ol_pct("svc_p99_ms", ol.svc, ol.nlat, ol.measured, 99);
    ol_pct("svc_p999_ms", ol.svc, ol.nlat, ol.measured, 99.9);

    return 0;
}
