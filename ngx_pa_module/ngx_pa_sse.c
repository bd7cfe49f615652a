/*
 * A live stream's request: GET /api/v1/events (staff) and
 * GET /api/v1/reports/{id}/events (the reporter by token, or staff who
 * may see the report).
 *
 * The request is answered "200 text/event-stream" and kept: the reference
 * ngx_http_read_client_request_body() took is dropped by the one
 * ngx_http_finalize_request() that ends the stream.  Until then:
 *
 *   - join: one command before the headers, so a broken Redis is still a
 *     503: the stream's last entry (XREVRANGE), or with Last-Event-ID
 *     the first page after it (XRANGE "(" id), then more pages while the
 *     client reads them, then live (the worker's reader, fanned out);
 *   - output (ngx_pa_sse_reader.c): double buffered.  "out" is with
 *     nginx's filters until the socket took it; "pend" collects what comes
 *     meanwhile, up to 128 KB.  A client that cannot keep up (pend full, or
 *     nothing sent for send_timeout) is closed; it reconnects with
 *     Last-Event-ID and loses nothing the stream still holds;
 *   - the client going away is seen on the read side
 *     (ngx_http_test_reading) and a request cleanup leaves the reader;
 *   - the connection is marked idle: "nginx -s quit" and "-s reload"
 *     close it at once (ngx_close_idle_connections), and the client
 *     reconnects to the new workers.
 */

#include "ngx_pa_sse.h"
#include "ngx_pa_sse_reader.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_record_id.h"


/* replay pages are smaller than the reader's: a page must fit in pend */
#define NGX_PA_SSE_REPLAY     64
#define NGX_PA_SSE_REPLAY_S   "64"

/*
 * A client further behind than this many pages (4096 entries: a day's
 * work of a province, or a laptop back from a week's leave) is not fed
 * the backlog page by page: it gets "reset" and goes live from the tail,
 * and reloads what it shows.  A reporter's stream would otherwise read
 * the whole province's backlog for a few entries of its own.
 */
#define NGX_PA_SSE_REPLAY_PAGES  64

/* what opens every stream: how soon to reconnect, and "you are live" */
#define NGX_PA_SSE_HELLO      "retry: 2000\n: live\n\n"


static ngx_pa_sse_sub_t *ngx_pa_sse_sub(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx);
static ngx_int_t ngx_pa_sse_query_token(ngx_http_request_t *r);
static void ngx_pa_sse_report_checked(ngx_http_request_t *r,
    ngx_pa_ctx_t *ctx, void *data);
static ngx_int_t ngx_pa_sse_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_sse_sub_t *sub);
static void ngx_pa_sse_joined(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data);
static ngx_int_t ngx_pa_sse_tail_id(redisReply *reply, ngx_pa_sse_id_t *id);
static ngx_int_t ngx_pa_sse_headers(ngx_http_request_t *r);
static void ngx_pa_sse_range(ngx_pa_sse_sub_t *sub, ngx_uint_t tail,
    u_char *from, const char **argv, size_t *argvlen);
static ngx_int_t ngx_pa_sse_page(ngx_pa_sse_sub_t *sub, redisReply *reply);
static void ngx_pa_sse_more(ngx_pa_sse_sub_t *sub);
static void ngx_pa_sse_page_reply(void *data, redisReply *reply);
static ngx_int_t ngx_pa_sse_skip(ngx_pa_sse_sub_t *sub, redisReply *reply);


ngx_int_t
ngx_pa_sse_staff_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t          rc;
    ngx_pa_sse_sub_t  *sub;

    if (ngx_pa_sse_query_token(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sub = ngx_pa_sse_sub(r, ctx);
    if (sub == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_pa_auth(r, ctx, &sub->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    if (!sub->caller.staff) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa sse: role \"%V\" asked for the staff stream",
                      &sub->caller.role_name);
        return ngx_pa_auth_fail(r, NGX_ABORT);
    }

    return ngx_pa_sse_start(r, ctx, sub);
}


ngx_int_t
ngx_pa_sse_report_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_int_t          rc;
    ngx_pa_sse_sub_t  *sub;

    sub = ngx_pa_sse_sub(r, ctx);
    if (sub == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_pa_auth(r, ctx, &sub->caller);
    if (rc != NGX_OK) {
        return ngx_pa_auth_fail(r, rc);
    }

    sub->report = ctx->id;

    /* who may see the report decides, as a read of it does */

    return ngx_pa_report_hgetall(r, ctx, ngx_pa_sse_report_checked);
}


static ngx_pa_sse_sub_t *
ngx_pa_sse_sub(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_pa_sse_sub_t  *sub;

    sub = ngx_pcalloc(r->pool, sizeof(ngx_pa_sse_sub_t));
    if (sub == NULL) {
        return NULL;
    }

    if (ngx_pa_sse_sub_init(r, sub) != NGX_OK) {
        return NULL;
    }

    /* a replay goes on when the client took a page */

    sub->drained = ngx_pa_sse_more;

    ctx->data = sub;

    return sub;
}


/*
 * EventSource cannot send headers: on this route only, the staff token
 * may come as ?access_token= (conf-examples/log-format.conf logs no
 * query string).  A header, when sent, wins.
 */

static ngx_int_t
ngx_pa_sse_query_token(ngx_http_request_t *r)
{
    ngx_str_t         v;
    ngx_table_elt_t  *h;

    if (r->headers_in.authorization != NULL
        || ngx_http_arg(r, (u_char *) "access_token", 12, &v) != NGX_OK
        || v.len == 0)
    {
        return NGX_OK;
    }

    h = ngx_pcalloc(r->pool, sizeof(ngx_table_elt_t));
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->value.len = sizeof("Bearer ") - 1 + v.len;
    h->value.data = ngx_pnalloc(r->pool, h->value.len);
    if (h->value.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(h->value.data, "Bearer %V", &v);
    ngx_str_set(&h->key, "Authorization");
    h->hash = 1;

    r->headers_in.authorization = h;

    return NGX_OK;
}


static void
ngx_pa_sse_report_checked(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *data)
{
    ngx_int_t          rc;
    redisReply        *reply = data;
    ngx_pa_hash_t      h;
    ngx_pa_sse_sub_t  *sub;

    sub = ctx->data;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa sse: reading report %V failed: %*s", &ctx->id,
                      (size_t) reply->len, reply->str);
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                             "unavailable", NULL,
                                             "the report cannot be read "
                                             "now, try again"));
        return;
    }

    if (ngx_pa_hash_from_record(r->pool, reply, &ctx->id, &h) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa sse: unexpected reply reading report %V",
                      &ctx->id);
        ngx_pa_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (!ngx_pa_view_visible(&sub->caller, &h)) {
        ngx_pa_finalize(r, ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND,
                                             "not_found", NULL,
                                             "no such report"));
        return;
    }

    rc = ngx_pa_sse_start(r, ctx, sub);

    if (rc != NGX_DONE) {
        ngx_pa_finalize(r, rc);
    }
}


/* Last-Event-ID (or ?last_event_id=): a page after it, else the tail */

static ngx_int_t
ngx_pa_sse_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_sse_sub_t *sub)
{
    u_char       from[NGX_PA_SSE_ID_LEN + 1];
    size_t       argvlen[6];
    ngx_str_t   *v, arg, *key;
    const char  *argv[6];
    ngx_array_t *keys;

    v = ngx_pa_header(r, "Last-Event-ID");

    if (v == NULL && ngx_http_arg(r, (u_char *) "last_event_id", 13, &arg)
                     == NGX_OK)
    {
        v = &arg;
    }

    if (v != NULL
        && ngx_pa_sse_id_parse(v->data, v->len, &sub->last) != NGX_OK)
    {
        return ngx_pa_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_field",
                                 "last_event_id",
                                 "Last-Event-ID is an id of this stream "
                                 "(\"<ms>-<seq>\")");
    }

    keys = ngx_array_create(r->pool, 1, sizeof(ngx_str_t));
    if (keys == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_pa_key(r, keys, "events");
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sub->key = *key;

    if (v != NULL) {
        sub->replay = 1;
        sub->pages = 1;
    }

    ngx_pa_sse_range(sub, v == NULL, from, argv, argvlen);

    return ngx_pa_call(r, ctx, 6, argv, argvlen, ngx_pa_sse_joined);
}


/* the first answer: headers, the replay's first page or the tail, live */

static void
ngx_pa_sse_joined(ngx_http_request_t *r, ngx_pa_ctx_t *ctx, void *data)
{
    ngx_int_t          rc;
    ngx_str_t          hello;
    redisReply        *reply = data;
    ngx_pa_sse_sub_t  *sub;

    sub = ctx->data;

    if (reply->type != REDIS_REPLY_ARRAY) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa sse: reading the events stream failed: %*s",
                      reply->type == REDIS_REPLY_ERROR ? (size_t) reply->len
                                                       : 0,
                      reply->str);

        /*
         * Redis's refusal, no header sent yet: 503 with Retry-After (an
         * app's client comes back; a browser's EventSource gives up on
         * any answer but 200, so the portal opens a new one:
         * portal/js/live.js)
         */

        ngx_pa_finalize(r, reply->type == REDIS_REPLY_ERROR
                           ? ngx_pa_send_error(r,
                                 NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                                 NULL, "the events cannot be read now, "
                                 "try again")
                           : NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_pa_sse_headers(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_pa_finalize(r, rc);
        return;
    }

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_pa_sse_write_handler;

    ngx_str_set(&hello, NGX_PA_SSE_HELLO);

    if (ngx_pa_sse_append(sub, &hello) != NGX_OK) {
        ngx_pa_sse_close(sub, 1);
        return;
    }

    if (sub->replay) {
        if (ngx_pa_sse_page(sub, reply) != NGX_OK) {
            ngx_pa_sse_close(sub, 1);
            return;
        }

    } else {

        /* live from the stream's last entry ("0-0": an empty stream) */

        (void) ngx_pa_sse_tail_id(reply, &sub->last);

        ngx_pa_sse_join(sub);
    }

    ngx_pa_sse_flush(sub);
}


/*
 * The id of XREVRANGE's one entry, parsed into id (which a malformed id
 * may leave half written); NGX_ERROR when the reply holds no entry.
 */

static ngx_int_t
ngx_pa_sse_tail_id(redisReply *reply, ngx_pa_sse_id_t *id)
{
    redisReply  *e;

    if (reply->elements != 1) {
        return NGX_ERROR;
    }

    e = reply->element[0];

    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
        || e->element[0]->type != REDIS_REPLY_STRING)
    {
        return NGX_ERROR;
    }

    return ngx_pa_sse_id_parse((u_char *) e->element[0]->str,
                               e->element[0]->len, id);
}


static ngx_int_t
ngx_pa_sse_headers(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type, "text/event-stream; charset=utf-8");
    r->headers_out.content_type_len = sizeof("text/event-stream") - 1;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);

    /* a stream is never stored, nor held back by a proxy in front */

    if (ngx_pa_view_cache_control(r, "no-store") != NGX_OK) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "X-Accel-Buffering");
    ngx_str_set(&h->value, "no");

    r->keepalive = 0;

    return ngx_http_send_header(r);
}


/*
 * A page of XRANGE: what the caller may see of it, as much as the buffer
 * holds (the rest comes with the next page).  A short page taken whole
 * means the stream holds nothing newer: live from here.  The reader cannot
 * have fanned out anything newer meanwhile: its XREADs go on the same
 * connection, so their answers came before this one.
 */

static ngx_int_t
ngx_pa_sse_page(ngx_pa_sse_sub_t *sub, redisReply *reply)
{
    size_t               i;
    ngx_int_t            rc;
    ngx_str_t           *text;
    ngx_uint_t           full;
    ngx_pool_t          *pool;
    ngx_connection_t    *c;
    ngx_pa_main_conf_t  *pmcf;
    ngx_pa_sse_event_t   ev;

    c = sub->request->connection;
    full = 0;
    pmcf = ngx_http_get_module_main_conf(sub->request, ngx_http_pa_module);

    /* a page's memory goes with it: a stream may live for days */

    pool = ngx_create_pool(4096, c->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_OK;

    for (i = 0; i < reply->elements; i++) {
        rc = ngx_pa_sse_event(pool, c->log, pmcf, reply->element[i], &ev);

        if (rc == NGX_DECLINED) {
            rc = NGX_OK;
            continue;
        }

        if (rc != NGX_OK) {
            break;
        }

        if (ngx_pa_sse_id_cmp(&ev.id, &sub->last) <= 0) {
            continue;
        }

        text = ngx_pa_sse_text(sub, &ev);
        rc = (text != NULL) ? ngx_pa_sse_append(sub, text) : NGX_OK;

        if (rc == NGX_DECLINED) {

            /* the buffer is full: the rest once the client took it */

            rc = NGX_OK;
            full = 1;
            break;
        }

        if (rc == NGX_ABORT) {
            ngx_log_error(NGX_LOG_WARN, c->log, 0,
                          "pa sse: entry of %uz bytes is too large for a "
                          "stream, skipped", text->len);
            rc = NGX_OK;
        }

        if (rc != NGX_OK) {
            break;
        }

        sub->last = ev.id;
    }

    ngx_destroy_pool(pool);

    if (rc != NGX_OK) {
        return rc;
    }

    if (!full && reply->elements < NGX_PA_SSE_REPLAY) {
        sub->replay = 0;
        ngx_pa_sse_join(sub);
    }

    return NGX_OK;
}


/* the next replay page, once the client took the last one */

static void
ngx_pa_sse_more(ngx_pa_sse_sub_t *sub)
{
    u_char               from[NGX_PA_SSE_ID_LEN + 1];
    size_t               argvlen[6];
    const char          *argv[6];
    ngx_connection_t    *c;
    ngx_pa_main_conf_t  *pmcf;

    if (!sub->replay || sub->busy || sub->cmd != NULL || sub->done) {
        return;
    }

    if (ngx_exiting || ngx_quit || ngx_terminate) {

        /* the worker is going: the client resumes on the next one */

        ngx_pa_sse_close(sub, 0);
        return;
    }

    c = sub->request->connection;
    pmcf = ngx_http_get_module_main_conf(sub->request, ngx_http_pa_module);

    if (++sub->pages > NGX_PA_SSE_REPLAY_PAGES) {

        /* too far behind: where the stream ends now */

        sub->skip = 1;
        ngx_pa_sse_range(sub, 1, from, argv, argvlen);

    } else {
        ngx_pa_sse_range(sub, 0, from, argv, argvlen);
    }

    /* hiredis copies the arguments: the stack may go */

    sub->cmd = ngx_pa_redis_command(pmcf->worker.redis, 6, argv, argvlen,
                                    ngx_pa_sse_page_reply, sub, c->log);

    if (sub->cmd == NULL) {

        /* Redis is away: end here, the client resumes from its last id */

        ngx_pa_sse_close(sub, 0);
    }
}


/*
 * The 6 words of a read of the stream: with tail, its last entry
 * (XREVRANGE), else the replay's page after sub->last (XRANGE); from
 * holds that id's text for as long as argv is used.
 */

static void
ngx_pa_sse_range(ngx_pa_sse_sub_t *sub, ngx_uint_t tail, u_char *from,
    const char **argv, size_t *argvlen)
{
    u_char  *p;

    argv[1] = (const char *) sub->key.data;
    argvlen[1] = sub->key.len;
    argv[4] = "COUNT";
    argvlen[4] = 5;

    if (tail) {
        argv[0] = "XREVRANGE";
        argvlen[0] = 9;
        argv[2] = "+";
        argvlen[2] = 1;
        argv[3] = "-";
        argvlen[3] = 1;
        argv[5] = "1";
        argvlen[5] = 1;
        return;
    }

    p = from;
    *p++ = '(';
    p = ngx_pa_sse_id_print(p, &sub->last);

    argv[0] = "XRANGE";
    argvlen[0] = 6;
    argv[2] = (const char *) from;
    argvlen[2] = p - from;
    argv[3] = "+";
    argvlen[3] = 1;
    argv[5] = NGX_PA_SSE_REPLAY_S;
    argvlen[5] = sizeof(NGX_PA_SSE_REPLAY_S) - 1;
}


static void
ngx_pa_sse_page_reply(void *data, redisReply *reply)
{
    ngx_pa_sse_sub_t    *sub = data;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    sub->cmd = NULL;

    r = sub->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "pa sse: a replay page failed, the stream ends here");
        ngx_pa_sse_close(sub, 0);

    } else if (sub->skip) {
        if (ngx_pa_sse_skip(sub, reply) != NGX_OK) {
            ngx_pa_sse_close(sub, 1);

        } else {
            ngx_pa_sse_flush(sub);
        }

    } else if (ngx_pa_sse_page(sub, reply) != NGX_OK) {
        ngx_pa_sse_close(sub, 1);

    } else {
        ngx_pa_sse_flush(sub);
    }

    ngx_http_run_posted_requests(c);
}


/*
 * "reset" with the stream's last id: what was missed is not sent, the
 * client reloads what it shows; live from here.
 */

static ngx_int_t
ngx_pa_sse_skip(ngx_pa_sse_sub_t *sub, redisReply *reply)
{
    u_char           buf[NGX_PA_SSE_ID_LEN + 128], *p;
    ngx_str_t        text;
    ngx_pa_sse_id_t  tail;

    sub->skip = 0;
    sub->replay = 0;

    if (ngx_pa_sse_tail_id(reply, &tail) == NGX_OK
        && ngx_pa_sse_id_cmp(&tail, &sub->last) > 0)
    {
        sub->last = tail;
    }

    ngx_log_error(NGX_LOG_INFO, sub->request->connection->log, 0,
                  "pa sse: client too far behind, reset to the tail");

    p = ngx_cpymem(buf, "id: ", 4);
    p = ngx_pa_sse_id_print(p, &sub->last);
    p = ngx_cpymem(p, "\nevent: reset\ndata: {\"type\":\"reset\","
                   "\"reason\":\"too_far_behind\"}\n\n",
                   sizeof("\nevent: reset\ndata: {\"type\":\"reset\","
                          "\"reason\":\"too_far_behind\"}\n\n") - 1);

    text.data = buf;
    text.len = p - buf;

    if (ngx_pa_sse_append(sub, &text) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_pa_sse_join(sub);

    return NGX_OK;
}
