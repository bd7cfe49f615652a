/*
 * replay: the Redis ceiling of submit.lua, one report a call (what
 * redis-benchmark measured until the record became a binary argument,
 * which its command line cannot hold: issue 12, ngx_pa_submit_record.h).
 *
 *   replay PORT ARGS_FILE CONNS REQUESTS
 *
 * ARGS_FILE: the module's EVALSHA as bench/lib.sh evalsha_args writes it
 * (one RESP array).  Each "__rand_int__" in it becomes 12 random digits,
 * drawn anew for each request and each place, as redis-benchmark -r
 * 100000000000 did, so each call stores a new report.  CONNS connections,
 * one call in flight on each (closed loop, as redis-benchmark -P 1).
 *
 * Output, one line: rps=<calls/s> p50=<ms> p99=<ms> errors=<n> (an error
 * answer, or a script's array holding one).  Linux only.
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


#define PLACEHOLDER      "__rand_int__"
#define PLACEHOLDER_LEN  (sizeof(PLACEHOLDER) - 1)


typedef struct {
    int            fd;
    redisReader   *reader;
    double         sent;
    size_t         off;            /* of the request being written */
} conn_t;


static char      *req;             /* the RESP request, placeholders in */
static size_t     req_len;
static size_t    *holes;           /* where the placeholders are */
static size_t     nholes;


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
die(const char *what)
{
    fprintf(stderr, "replay: %s: %s\n", what, errno ? strerror(errno) : "");
    exit(1);
}


static void
load(const char *path)
{
    FILE    *f;
    long     n;
    size_t   i;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
        die(path);
    }

    rewind(f);
    req = malloc(n);
    if (req == NULL || fread(req, 1, n, f) != (size_t) n) {
        die(path);
    }

    fclose(f);
    req_len = n;

    holes = malloc(sizeof(size_t) * (req_len / PLACEHOLDER_LEN + 1));
    if (holes == NULL) {
        die("memory");
    }

    for (i = 0; i + PLACEHOLDER_LEN <= req_len; i++) {
        if (memcmp(req + i, PLACEHOLDER, PLACEHOLDER_LEN) == 0) {
            holes[nholes++] = i;
            i += PLACEHOLDER_LEN - 1;
        }
    }
}


/* a new request: 12 random digits in each place (the same length) */
static void
draw(void)
{
    size_t    i, j;
    uint64_t  v;

    for (i = 0; i < nholes; i++) {
        v = ((uint64_t) random() << 31 ^ (uint64_t) random()) % 1000000000000;

        for (j = PLACEHOLDER_LEN; j > 0; j--) {
            req[holes[i] + j - 1] = '0' + v % 10;
            v /= 10;
        }
    }
}


static int
connect_to(int port)
{
    int                 fd, one;
    struct sockaddr_in  sa;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        die("socket");
    }

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
        die("connect");
    }

    one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    return fd;
}


/* an error answer, or an array (the script's) holding one */
static int
failed(redisReply *r)
{
    size_t  i;

    if (r->type == REDIS_REPLY_ERROR) {
        return 1;
    }

    if (r->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < r->elements; i++) {
            if (failed(r->element[i])) {
                return 1;
            }
        }
    }

    return 0;
}


static int
cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}


/* one write of the request (blocking socket: whole) */
static void
send_req(conn_t *c)
{
    ssize_t  n;

    draw();
    c->sent = now();

    for (c->off = 0; c->off < req_len; c->off += n) {
        n = write(c->fd, req + c->off, req_len - c->off);
        if (n <= 0) {
            die("write");
        }
    }
}


int
main(int argc, char **argv)
{
    int             port;
    char            buf[16384];
    void           *reply;
    size_t          conns, total, sent, done, errors, i;
    double          start, elapsed, *lat;
    ssize_t         n;
    conn_t         *c;
    struct pollfd  *pfd;

    if (argc != 5) {
        fprintf(stderr, "usage: replay PORT ARGS_FILE CONNS REQUESTS\n");
        return 2;
    }

    port = atoi(argv[1]);
    conns = strtoul(argv[3], NULL, 10);
    total = strtoul(argv[4], NULL, 10);
    load(argv[2]);
    srandom(getpid() ^ (unsigned) time(NULL));

    if (conns == 0 || total < conns) {
        die("CONNS must be at least 1 and at most REQUESTS");
    }

    c = calloc(conns, sizeof(conn_t));
    pfd = calloc(conns, sizeof(struct pollfd));
    lat = malloc(total * sizeof(double));
    if (c == NULL || pfd == NULL || lat == NULL) {
        die("memory");
    }

    sent = done = errors = 0;
    start = now();

    for (i = 0; i < conns; i++) {
        c[i].fd = connect_to(port);
        c[i].reader = redisReaderCreate();
        pfd[i].fd = c[i].fd;
        pfd[i].events = POLLIN;
        send_req(&c[i]);
        sent++;
    }

    while (done < total) {
        n = poll(pfd, conns, 10000);

        if (n < 0 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            errno = n ? errno : 0;
            die(n ? "poll" : "no answer for 10 s");
        }

        for (i = 0; i < conns; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP))) {
                continue;
            }

            n = read(c[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                die("read");
            }

            redisReaderFeed(c[i].reader, buf, n);

            for ( ;; ) {
                if (redisReaderGetReply(c[i].reader, &reply) != REDIS_OK) {
                    errno = 0;
                    die(c[i].reader->errstr);
                }

                if (reply == NULL) {
                    break;
                }

                lat[done++] = now() - c[i].sent;
                errors += failed(reply);
                freeReplyObject(reply);

                if (sent < total) {
                    send_req(&c[i]);
                    sent++;

                } else {
                    pfd[i].events = 0;
                }
            }
        }
    }

    elapsed = now() - start;
    qsort(lat, total, sizeof(double), cmp);

    printf("rps=%.0f p50=%.3f p99=%.3f errors=%zu\n", total / elapsed,
           lat[total / 2] * 1e3, lat[(size_t) (total * 0.99)] * 1e3, errors);

    return 0;
}
