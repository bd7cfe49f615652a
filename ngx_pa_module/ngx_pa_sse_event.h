/*
 * The entries of the "events" stream (ngx_pa_sse_event.c): their ids,
 * each read from a reply once and made SSE text for staff and for the
 * reporter, and who may see which; and a live stream's subscriber, the
 * type the reader (ngx_pa_sse_reader.h) and the routes (ngx_pa_sse.h)
 * share.
 */

#ifndef NGX_PA_SSE_EVENT_H
#define NGX_PA_SSE_EVENT_H

#include "ngx_pa.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_view.h"


#define NGX_PA_SSE_ID_LEN     (2 * NGX_INT64_LEN + 2)   /* "ms-seq" */


/* a stream entry id, "<ms>-<seq>", as numbers: ordered, compared */
typedef struct {
    uint64_t                   ms;
    uint64_t                   seq;
} ngx_pa_sse_id_t;


/* one entry of the stream, as the subscribers get it */
typedef struct {
    ngx_pa_sse_id_t            id;
    ngx_str_t                  report;     /* the "id" field */
    ngx_pa_hash_t              fields;     /* as written by the scripts */
    ngx_pa_hash_t              owner;      /* {agencies: ",<agency>,"} of
                                              an entry that names one
                                              agency (overdue, notice) */
    ngx_str_t                  staff;      /* SSE text for staff */
    ngx_str_t                  reporter;   /* SSE text for the reporter */
} ngx_pa_sse_event_t;


typedef struct ngx_pa_sse_sub_s  ngx_pa_sse_sub_t;

typedef void (*ngx_pa_sse_drained_pt)(ngx_pa_sse_sub_t *sub);

struct ngx_pa_sse_sub_s {
    ngx_queue_t                queue;      /* in the reader's live list */
    ngx_queue_t                link;       /* staff, or its report's */
    ngx_queue_t                dirty;      /* written, to be flushed */
    ngx_http_request_t        *request;
    ngx_pa_caller_t            caller;
    ngx_str_t                  report;     /* only this report, or empty */
    ngx_str_t                  key;        /* pa:{t}:events */
    ngx_pa_sse_id_t            last;       /* sent (or skipped) up to */

    ngx_pa_redis_cmd_t        *cmd;        /* a replay page in flight */
    ngx_pa_sse_drained_pt      drained;    /* "out" went: more to send? */
    ngx_uint_t                 pages;      /* replay pages read */
    ngx_event_t                end;        /* posted: finalize */

    /* double buffering: "out" is with nginx's filters, "pend" fills */
    ngx_buf_t                  out;
    ngx_buf_t                  pend;

    unsigned                   live:1;     /* in the live list */
    unsigned                   replay:1;   /* catching up (XRANGE) */
    unsigned                   skip:1;     /* too far behind: the tail */
    unsigned                   busy:1;     /* "out" not fully sent */
    unsigned                   done:1;     /* ended, or ending */
    unsigned                   error:1;    /* ... by closing */
    unsigned                   is_dirty:1;
};


ngx_int_t ngx_pa_sse_id_parse(const u_char *p, size_t len,
    ngx_pa_sse_id_t *id);
ngx_int_t ngx_pa_sse_id_cmp(ngx_pa_sse_id_t *a, ngx_pa_sse_id_t *b);
u_char *ngx_pa_sse_id_print(u_char *p, ngx_pa_sse_id_t *id);

/*
 * One entry of an XRANGE / XREAD reply ([id, [field, value, ...]]) into
 * ev, its SSE texts built in pool.  NGX_DECLINED: not an entry we can
 * read (logged, skipped).
 */
ngx_int_t ngx_pa_sse_event(ngx_pool_t *pool, ngx_log_t *log,
    ngx_pa_main_conf_t *pmcf, redisReply *entry, ngx_pa_sse_event_t *ev);

/*
 * The entry to the subscriber, if its caller may see it: ev->staff or
 * ev->reporter, or NULL.
 */
ngx_str_t *ngx_pa_sse_text(ngx_pa_sse_sub_t *sub, ngx_pa_sse_event_t *ev);

#endif /* NGX_PA_SSE_EVENT_H */
