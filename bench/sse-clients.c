/*
 * sse-clients: many idle Server-Sent Events clients in one process (epoll),
 * for bench/sse.sh.
 *
 *   sse-clients PORT N URIS_FILE
 *
 * Opens N connections to 127.0.0.1:PORT, a few hundred at a time, each
 * asking "GET <uri> HTTP/1.1" for the next line of URIS_FILE (round
 * robin; a line may carry its token as a query argument).  A stream is
 * live once ngx_pa's opening comment (": live") came.  Prints one line a
 * second on stdout until killed:
 *
 *   live=<n> closed=<n> failed=<n> events=<n>
 *
 * "events" counts the "id: " lines received (entries delivered).
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


#define BATCH    256            /* connects in flight at once */
#define MAXURIS  4096

typedef struct {
    int     fd;
    int     state;              /* 0 connecting, 1 sent, 2 live, 3 gone */
    char    tail[8];            /* the last bytes, for matches across reads */
} conn_t;

static char     *uris[MAXURIS];
static int       nuris;
static long      live, closed, failed, events, opened;


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static int
open_one(int ep, struct sockaddr_in *sa, conn_t *c)
{
    int                 fd;
    struct epoll_event  ev;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        perror("socket");
        return -1;
    }

    if (connect(fd, (struct sockaddr *) sa, sizeof(*sa)) < 0
        && errno != EINPROGRESS)
    {
        close(fd);
        failed++;
        return 0;
    }

    c->fd = fd;
    c->state = 0;

    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c;

    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        perror("epoll_ctl");
        return -1;
    }

    opened++;
    return 0;
}


static void
gone(int ep, conn_t *c, int fail)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);

    if (c->state == 2) {
        live--;
        closed++;

    } else if (fail) {
        failed++;
    }

    c->state = 3;
}


/* counts "id: " at line starts and notes ": live", across reads */

static void
scan(conn_t *c, const char *buf, ssize_t n)
{
    char     joined[8 + 65536];
    size_t   t, len;
    char    *p;

    t = strlen(c->tail);
    memcpy(joined, c->tail, t);
    memcpy(joined + t, buf, n);
    len = t + n;
    joined[len] = '\0';

    if (c->state == 1 && strstr(joined, "\n: live\n")) {
        c->state = 2;
        live++;
    }

    /* a match wholly inside the old tail was counted by the last read */

    for (p = joined; (p = strstr(p, "\nid: ")) != NULL; p++) {
        if ((size_t) (p - joined) + 5 > t) {
            events++;
        }
    }

    t = len < 7 ? len : 7;
    memcpy(c->tail, joined + len - t, t);
    c->tail[t] = '\0';
}


int
main(int argc, char **argv)
{
    int                  ep, i, n, port, total, next, k, err;
    char                 buf[65536], req[8192], line[4096];
    FILE                *f;
    double               last;
    ssize_t              r;
    socklen_t            el;
    conn_t              *conns, *c;
    struct sockaddr_in   sa;
    struct epoll_event   evs[512];

    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT N URIS_FILE\n", argv[0]);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);

    port = atoi(argv[1]);
    total = atoi(argv[2]);

    f = fopen(argv[3], "r");
    if (f == NULL) {
        perror(argv[3]);
        return 2;
    }

    while (nuris < MAXURIS && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0]) {
            uris[nuris++] = strdup(line);
        }
    }

    fclose(f);

    if (nuris == 0 || total <= 0) {
        fprintf(stderr, "nothing to open\n");
        return 2;
    }

    conns = calloc(total, sizeof(conn_t));
    ep = epoll_create1(0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    next = 0;
    last = now();

    for ( ;; ) {

        /* keep BATCH connects in flight until all are open */

        while (next < total && opened - live - closed - failed < BATCH) {
            if (open_one(ep, &sa, &conns[next++]) < 0) {
                return 1;
            }
        }

        n = epoll_wait(ep, evs, 512, 100);

        for (i = 0; i < n; i++) {
            c = evs[i].data.ptr;

            if (c->state == 3) {
                continue;
            }

            if (c->state == 0 && (evs[i].events & EPOLLOUT)) {
                el = sizeof(err);
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);

                if (err) {
                    gone(ep, c, 1);
                    continue;
                }

                k = snprintf(req, sizeof(req),
                             "GET %s HTTP/1.1\r\nHost: localhost\r\n"
                             "Accept: text/event-stream\r\n\r\n",
                             uris[(c - conns) % nuris]);

                if (write(c->fd, req, k) != k) {
                    gone(ep, c, 1);
                    continue;
                }

                c->state = 1;

                struct epoll_event  ev = { EPOLLIN | EPOLLRDHUP, { c } };
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                continue;
            }

            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                for ( ;; ) {
                    r = read(c->fd, buf, sizeof(buf));

                    if (r > 0) {
                        scan(c, buf, r);
                        continue;
                    }

                    if (r == 0 || errno != EAGAIN) {
                        gone(ep, c, c->state != 2);
                    }

                    break;
                }
            }
        }

        if (now() - last >= 1.0) {
            last = now();
            printf("live=%ld closed=%ld failed=%ld events=%ld\n",
                   live, closed, failed, events);
            fflush(stdout);
        }
    }
}
