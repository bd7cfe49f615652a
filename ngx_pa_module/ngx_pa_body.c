/*
 * Request body parsing.
 *
 * A JSON body is read whole by nginx (one buffer, 1 MB at most).  A
 * multipart body is never spooled by nginx: it is read unbuffered
 * (request_body_no_buffering), one client_body_buffer_size at a time, and
 * each piece is walked by the streaming parser as it arrives, each file
 * part going straight to its own media temp file (one write of the bytes,
 * never a whole video in memory).
 *
 * The walk of a piece (writing the part, SHA-256, libmagic, metadata) is a
 * job (ngx_pa_thread.c), in pa_thread_pool when one is set: the event loop
 * only receives.  nginx reads no further while a piece is worked on (its
 * buffer is busy until the work has consumed it), so at most one buffer of
 * a request is in memory.  The work touches only the job's pool and log,
 * the piece's bytes and the parse state; the route then takes the result
 * in ngx_pa_body_parse().
 */

#include "ngx_pa_body.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_jparse.h"
#include "ngx_pa_multipart.h"
#include "ngx_pa_thread.h"
#include "ngx_pa_validate.h"


#define NGX_PA_BODY_CHUNK        65536
#define NGX_PA_BODY_TEXT_MAX     65536     /* one text field */
#define NGX_PA_BODY_FIELDS_MAX   64        /* text fields of a form */
#define NGX_PA_BODY_JSON_MAX     (1024 * 1024)


typedef struct {
    ngx_pa_job_t         *job;
    ngx_pa_main_conf_t   *conf;
    ngx_pa_body_t        *body;
    ngx_pa_err_t         *err;

    ngx_pa_media_t       *media;       /* file part being written */
    ngx_str_t             client_type; /* of the current file part */
    unsigned              lazy:1;      /* empty filename: open on data */
    json_t               *payload;     /* the "payload" part, parsed */

    u_char               *text;        /* text part being collected */
    size_t                text_len;
    char                 *name;        /* its field name, from the pool */
    ngx_uint_t            nfields;
} ngx_pa_form_t;


/* a multipart body walked by jobs as it arrives, for the route to take */
typedef struct {
    ngx_pa_body_t         body;
    ngx_pa_err_t          err;
    ngx_int_t             rc;          /* NGX_AGAIN while it arrives */
    ngx_pa_job_t         *job;
    ngx_pa_form_t         form;
    ngx_pa_multipart_t   *mp;
    ngx_chain_t          *in;          /* the piece the work consumes */
    ngx_http_client_body_handler_pt  resume;
    unsigned              last:1;      /* the piece ends the body */
    unsigned              busy:1;      /* a job works on it */
} ngx_pa_body_job_t;


static ngx_int_t ngx_pa_body_json(ngx_http_request_t *r,
    ngx_pa_body_t *body, ngx_pa_err_t *err);
static ngx_int_t ngx_pa_body_begin(ngx_pa_body_job_t *bj,
    const u_char *boundary, size_t blen);
static ngx_int_t ngx_pa_body_next(ngx_http_request_t *r,
    ngx_pa_body_job_t *bj);
static void ngx_pa_body_went(ngx_http_request_t *r, ngx_pa_body_job_t *bj,
    ngx_int_t rc);
static void ngx_pa_body_take(ngx_pa_body_job_t *bj,
    ngx_http_request_body_t *rb);
static ngx_uint_t ngx_pa_body_full(ngx_http_request_t *r);
static void ngx_pa_body_read_handler(ngx_http_request_t *r);
static void ngx_pa_body_work(ngx_pa_job_t *job);
static void ngx_pa_body_done(ngx_http_request_t *r, ngx_pa_job_t *job);
static void ngx_pa_body_cleanup(void *data);
static ngx_int_t ngx_pa_body_feed(ngx_pa_job_t *job, ngx_chain_t *bufs,
    ngx_pa_multipart_t *mp);
static int ngx_pa_form_begin(void *data, const ngx_pa_mp_part_t *part);
static int ngx_pa_form_open(ngx_pa_form_t *form);
static int ngx_pa_form_data(void *data, const u_char *p, size_t len);
static int ngx_pa_form_end(void *data);
static ngx_int_t ngx_pa_body_json_error(json_error_t *je, ngx_pa_err_t *err);
static void ngx_pa_body_json_cleanup(void *data);
static ngx_int_t ngx_pa_body_is(ngx_str_t *ctype, const char *type);


void
ngx_pa_body_prepare(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = r->headers_in.content_type;

    if (h && ngx_pa_body_is(&h->value, "multipart/form-data")) {

        /* pieces as they come, walked at once: ngx_pa_body_start() */

        r->request_body_no_buffering = 1;

    } else {
        r->request_body_in_single_buf = 1;
    }
}


ngx_int_t
ngx_pa_body_parse(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err)
{
    size_t               blen;
    const u_char        *boundary;
    ngx_table_elt_t     *h;
    ngx_pa_ctx_t        *ctx;
    ngx_pool_cleanup_t  *cln;
    ngx_pa_body_job_t   *bj;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);

    if (ctx != NULL && ctx->body != NULL) {

        /* walked by ngx_pa_body_start(); its pool keeps it, and cleans */

        bj = ctx->body;
        *body = bj->body;
        *err = bj->err;

        return bj->rc;
    }

    if (ngx_array_init(&body->media, r->pool, 4, sizeof(ngx_pa_media_t *))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_body_json_cleanup;
    cln->data = body;

    h = r->headers_in.content_type;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {

        /* no body: an empty object, the validators say what is missing */

        body->fields = json_object();
        return body->fields ? NGX_OK : NGX_ERROR;
    }

    if (h && ngx_pa_body_is(&h->value, "multipart/form-data")) {

        if (ngx_pa_multipart_boundary(h->value.data, h->value.len,
                                      &boundary, &blen)
            != 0)
        {
            ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                           "multipart body without a valid boundary");
            return NGX_ERROR;
        }

        /* a multipart body always goes through ngx_pa_body_start() */

        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "pa: a multipart body parsed outside its job");
        return NGX_ERROR;
    }

    if (h == NULL || ngx_pa_body_is(&h->value, "application/json")) {
        return ngx_pa_body_json(r, body, err);
    }

    ngx_pa_err_set(err, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media",
                   NULL, "send application/json or multipart/form-data");
    return NGX_ERROR;
}


/*
 * The route's body when it is multipart: walked piece by piece as nginx
 * receives it, before the route runs.  NGX_OK: walked (or not multipart:
 * ngx_pa_body_parse() does the rest, a bad boundary's 400 included), go
 * on.  NGX_AGAIN: resume(r) follows, or the request is finalized with
 * what reading it met (408, 400, 413).  NGX_ERROR: no memory.
 */

ngx_int_t
ngx_pa_body_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_http_client_body_handler_pt resume)
{
    size_t               blen;
    ngx_int_t            rc;
    ngx_pa_job_t        *job;
    const u_char        *boundary;
    ngx_table_elt_t     *h;
    ngx_pool_cleanup_t  *cln;
    ngx_pa_body_job_t   *bj;

    h = r->headers_in.content_type;

    if (r->request_body == NULL
        || (r->request_body->bufs == NULL && !r->reading_body)
        || h == NULL || !ngx_pa_body_is(&h->value, "multipart/form-data")
        || ngx_pa_multipart_boundary(h->value.data, h->value.len,
                                     &boundary, &blen)
           != 0)
    {
        return NGX_OK;
    }

    bj = ngx_pcalloc(r->pool, sizeof(ngx_pa_body_job_t));
    if (bj == NULL) {
        return NGX_ERROR;
    }

    job = ngx_pa_job_create(r, ngx_pa_body_work, ngx_pa_body_done, bj);
    if (job == NULL) {
        return NGX_ERROR;
    }

    bj->job = job;
    bj->resume = resume;
    bj->rc = NGX_AGAIN;

    /* what the work makes lives and dies with the job's pool */

    cln = ngx_pool_cleanup_add(job->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_body_cleanup;
    cln->data = bj;

    if (ngx_pa_body_begin(bj, boundary, blen) != NGX_OK) {
        return NGX_ERROR;
    }

    ctx->body = bj;

    r->read_event_handler = ngx_pa_body_read_handler;

    rc = ngx_pa_body_next(r, bj);

    if (rc == NGX_OK || rc == NGX_ERROR) {
        return rc;
    }

    ngx_pa_body_went(r, bj, rc);

    return NGX_AGAIN;
}


static ngx_int_t
ngx_pa_body_begin(ngx_pa_body_job_t *bj, const u_char *boundary, size_t blen)
{
    ngx_pa_job_t         *job;
    ngx_pa_form_t        *form;
    ngx_pa_mp_handler_t   handler;

    job = bj->job;
    form = &bj->form;

    if (ngx_array_init(&bj->body.media, job->pool, 4,
                       sizeof(ngx_pa_media_t *))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    bj->body.fields = json_object();
    if (bj->body.fields == NULL) {
        return NGX_ERROR;
    }

    form->job = job;
    form->conf = job->conf;
    form->body = &bj->body;
    form->err = &bj->err;

    form->text = ngx_pnalloc(job->pool, NGX_PA_BODY_TEXT_MAX);
    if (form->text == NULL) {
        return NGX_ERROR;
    }

    bj->mp = ngx_palloc(job->pool, sizeof(ngx_pa_multipart_t));
    if (bj->mp == NULL) {
        return NGX_ERROR;
    }

    handler.part_begin = ngx_pa_form_begin;
    handler.part_data = ngx_pa_form_data;
    handler.part_end = ngx_pa_form_end;
    handler.data = form;

    if (ngx_pa_multipart_init(bj->mp, boundary, blen, &handler)
        != NGX_PA_MP_OK)
    {
        ngx_pa_err_set(&bj->err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                       "invalid multipart boundary");
        bj->rc = NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Reads what has come and hands it to the work, until the body is walked
 * (NGX_OK: the parse's result is in bj), the socket or a job makes us wait
 * (NGX_AGAIN), reading fails (an HTTP status) or NGX_ERROR.  A parse that
 * failed reads no further: the route answers now, nginx closes lingering.
 */

static ngx_int_t
ngx_pa_body_next(ngx_http_request_t *r, ngx_pa_body_job_t *bj)
{
    ngx_int_t  rc;

    for ( ;; ) {

        if (bj->rc != NGX_AGAIN) {
            r->read_event_handler = ngx_http_block_reading;
            return NGX_OK;
        }

        if (r->reading_body) {
            rc = ngx_http_read_unbuffered_request_body(r);

            if (rc >= NGX_HTTP_SPECIAL_RESPONSE || rc == NGX_ERROR) {
                return (rc == NGX_ERROR) ? NGX_HTTP_INTERNAL_SERVER_ERROR
                                         : rc;
            }
        }

        ngx_pa_body_take(bj, r->request_body);
        bj->last = !r->reading_body;

        /*
         * One job per buffer, not per read: while nginx has room to read
         * on, what came waits for more (each job is a hand-off to a
         * thread and back, and a read under load brings a few KB).  Its
         * buffer full, nginx reads no further until the job consumed it.
         */

        if (!bj->last
            && (bj->in == NULL || !ngx_pa_body_full(r)))
        {
            return NGX_AGAIN;           /* ngx_pa_body_read_handler */
        }

        rc = ngx_pa_job_run(bj->job);

        if (rc == NGX_AGAIN) {
            bj->busy = 1;               /* ngx_pa_body_done */
            return NGX_AGAIN;
        }

        if (rc == NGX_BUSY) {
            return NGX_HTTP_SERVICE_UNAVAILABLE;    /* try again */
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }
}


/* what nginx read since: added to what waits for the work */

static void
ngx_pa_body_take(ngx_pa_body_job_t *bj, ngx_http_request_body_t *rb)
{
    ngx_chain_t  **ll;

    for (ll = &bj->in; *ll; ll = &(*ll)->next) { /* void */ }

    *ll = rb->bufs;
    rb->bufs = NULL;
}


/*
 * nginx cannot read on before the pieces it handed out are consumed.  An
 * HTTP/2 stream's body comes as its flow control lets it: each piece goes
 * at once, never waiting for a window the client may not open.
 */

static ngx_uint_t
ngx_pa_body_full(ngx_http_request_t *r)
{
    ngx_buf_t  *b;

#if (NGX_HTTP_V2)
    if (r->stream != NULL) {
        return 1;
    }
#endif

    b = r->request_body->buf;

    return b == NULL || b->last == b->end;
}


/* what ngx_pa_body_next() said, acted on from an event */

static void
ngx_pa_body_went(ngx_http_request_t *r, ngx_pa_body_job_t *bj, ngx_int_t rc)
{
    if (rc == NGX_AGAIN) {
        return;
    }

    if (rc == NGX_OK) {
        bj->resume(r);
        return;
    }

    r->read_event_handler = ngx_http_block_reading;

    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {

        /* the thread pool's queue is full: the client is there, told */

        ngx_pa_finalize(r, ngx_pa_send_error(r, rc, "unavailable", NULL,
                                             "the server is busy, try "
                                             "again"));
        return;
    }

    /* a client gone or stalled (400, 408): nginx closes, answers nothing */

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "pa: upload not completed (%i), its media dropped", rc);

    ngx_pa_finalize(r, (rc == NGX_ERROR) ? NGX_HTTP_INTERNAL_SERVER_ERROR
                                         : rc);
}


/* more of the body came (or its timer fired) */

static void
ngx_pa_body_read_handler(ngx_http_request_t *r)
{
    ngx_pa_ctx_t       *ctx;
    ngx_pa_body_job_t  *bj;

    ctx = ngx_http_get_module_ctx(r, ngx_http_pa_module);
    bj = ctx->body;

    if (bj->busy) {
        return;     /* its buffer is in the work; the job's end reads on */
    }

    ngx_pa_body_went(r, bj, ngx_pa_body_next(r, bj));
}


/* a piece walked in the thread: read on */

static void
ngx_pa_body_done(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_pa_body_job_t  *bj = job->data;

    bj->busy = 0;

    ngx_pa_body_went(r, bj, ngx_pa_body_next(r, bj));
}


/* in a thread, or inline: one piece through the parser */

static void
ngx_pa_body_work(ngx_pa_job_t *job)
{
    ngx_pa_body_job_t  *bj = job->data;

    ngx_int_t            rc;
    ngx_chain_t         *cl;
    ngx_pa_multipart_t  *mp;

    mp = bj->mp;

    rc = ngx_pa_body_feed(job, bj->in, mp);

    /* the piece is consumed whatever came of it: nginx may reuse it */

    for (cl = bj->in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
    }

    bj->in = NULL;

    if (rc == NGX_PA_MP_OK && bj->last) {
        rc = ngx_pa_multipart_finish(mp);
    }

    if (rc == NGX_PA_MP_OK) {
        if (!bj->last) {
            return;
        }

        if (bj->form.payload != NULL
            && json_object_update(bj->body.fields, bj->form.payload) != 0)
        {
            bj->rc = NGX_ERROR;
            return;
        }

        bj->rc = NGX_OK;
        return;
    }

    if (rc != NGX_PA_MP_ABORT) {        /* ABORT: a callback set err */
        ngx_log_error(NGX_LOG_INFO, job->log, 0,
                      "pa: malformed multipart body: %s",
                      mp->err ? mp->err : "read error");
        ngx_pa_err_set(&bj->err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                       mp->err ? mp->err : "malformed multipart body");
    }

    bj->rc = NGX_ERROR;
}


static void
ngx_pa_body_cleanup(void *data)
{
    ngx_pa_body_job_t  *bj = data;

    if (bj->form.payload != NULL) {
        json_decref(bj->form.payload);
        bj->form.payload = NULL;
    }

    if (bj->body.fields != NULL) {
        json_decref(bj->body.fields);
        bj->body.fields = NULL;
    }
}


/*
 * The whole body in one buffer of the request's pool (NUL-terminated), for
 * the small bodies parsed at once: JSON, an urlencoded form.  Bigger than
 * max: 413 in err with too_large as its message.
 */

ngx_int_t
ngx_pa_body_read(ngx_http_request_t *r, size_t max, const char *too_large,
    ngx_str_t *out, ngx_pa_err_t *err)
{
    u_char       *p, *buf;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    len = 0;

    if (r->request_body != NULL) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            len += ngx_buf_size(cl->buf);
        }
    }

    if (len > (off_t) max) {
        ngx_pa_err_set(err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                       NULL, too_large);
        return NGX_ERROR;
    }

    buf = ngx_pnalloc(r->pool, (size_t) len + 1);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    p = buf;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "pa: cannot read the request body back from "
                              "its temp file");
                return NGX_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    *p = '\0';

    out->data = buf;
    out->len = p - buf;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_body_json(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_pa_err_t *err)
{
    u_char        *p, *buf;
    ngx_str_t      text;
    json_error_t   je;

    if (ngx_pa_body_read(r, NGX_PA_BODY_JSON_MAX,
                         "the JSON body is too large", &text, err)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    buf = text.data;
    p = text.data + text.len;

    if (ngx_pa_text_blank(buf, p - buf)) {
        body->fields = json_object();
        return body->fields ? NGX_OK : NGX_ERROR;
    }

    /* the common body without jansson's lexer; the rest, errors too, by it */

    body->fields = ngx_pa_jparse_object(buf, p - buf);

    if (body->fields != NULL) {
        return NGX_OK;
    }

    body->fields = json_loadb((const char *) buf, p - buf,
                              JSON_REJECT_DUPLICATES, &je);

    if (body->fields == NULL) {
        return ngx_pa_body_json_error(&je, err);
    }

    if (!json_is_object(body->fields)) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_json", NULL,
                       "the body must be a JSON object");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Walks the body (memory and temp file) in bounded chunks; pread() on the
 * temp file's descriptor, as ngx_read_file() would log with the request's
 * log from this thread.
 */

static ngx_int_t
ngx_pa_body_feed(ngx_pa_job_t *job, ngx_chain_t *bufs, ngx_pa_multipart_t *mp)
{
    int           rc;
    off_t         off;
    size_t        size;
    ssize_t       n;
    u_char       *chunk;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    chunk = NULL;

    for (cl = bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            if (b->pos == b->last) {
                continue;               /* the last, empty buffer */
            }

            rc = ngx_pa_multipart_feed(mp, b->pos, b->last - b->pos);
            if (rc != NGX_PA_MP_OK) {
                return rc;
            }

            continue;
        }

        if (chunk == NULL) {
            chunk = ngx_pnalloc(job->pool, NGX_PA_BODY_CHUNK);
            if (chunk == NULL) {
                return NGX_PA_MP_ERROR;
            }
        }

        for (off = b->file_pos; off < b->file_last; off += n) {
            size = (size_t) ngx_min(b->file_last - off, NGX_PA_BODY_CHUNK);

            n = ngx_pa_body_pread(b, chunk, size, off, job->log);
            if (n == NGX_ERROR) {
                return NGX_PA_MP_ERROR;
            }

            rc = ngx_pa_multipart_feed(mp, chunk, n);
            if (rc != NGX_PA_MP_OK) {
                return rc;
            }
        }
    }

    return NGX_PA_MP_OK;
}


static int
ngx_pa_form_begin(void *data, const ngx_pa_mp_part_t *part)
{
    ngx_pa_form_t  *form = data;
    size_t          len;

    form->lazy = 0;
    form->media = NULL;

    if (part->has_filename || ngx_strcmp(part->name, "media") == 0) {

        len = ngx_strlen(part->content_type);
        form->client_type.data = ngx_pnalloc(form->job->pool, len + 1);
        if (form->client_type.data == NULL) {
            return NGX_PA_MP_ABORT;
        }

        form->client_type.len = len;
        ngx_memcpy(form->client_type.data, part->content_type, len + 1);

        /*
         * A browser sends an empty part with filename="" for a file input
         * left empty: such a part is media only if bytes come.
         */

        if (part->has_filename && part->filename[0] == '\0') {
            form->lazy = 1;
            return NGX_PA_MP_OK;
        }

        return ngx_pa_form_open(form);
    }

    if (++form->nfields > NGX_PA_BODY_FIELDS_MAX) {
        ngx_pa_err_set(form->err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "too_large", NULL, "too many form fields");
        return NGX_PA_MP_ABORT;
    }

    form->text_len = 0;

    len = ngx_strlen(part->name) + 1;
    form->name = ngx_pnalloc(form->job->pool, len);
    if (form->name == NULL) {
        return NGX_PA_MP_ABORT;
    }

    ngx_memcpy(form->name, part->name, len);

    return NGX_PA_MP_OK;
}


static int
ngx_pa_form_open(ngx_pa_form_t *form)
{
    ngx_pa_media_t  *m, **mp;

    form->lazy = 0;

    if (form->body->media.nelts >= form->conf->media_max_count) {
        ngx_pa_err_set(form->err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "too_large", "media", "too many media files");
        return NGX_PA_MP_ABORT;
    }

    m = ngx_pa_media_open(form->job);
    if (m == NULL) {
        ngx_pa_err_set(form->err, NGX_HTTP_SERVICE_UNAVAILABLE,
                       "unavailable", NULL, "media storage is not available");
        return NGX_PA_MP_ABORT;
    }

    m->client_type = form->client_type;

    mp = ngx_array_push(&form->body->media);
    if (mp == NULL) {
        return NGX_PA_MP_ABORT;
    }

    *mp = m;
    form->media = m;

    return NGX_PA_MP_OK;
}


static int
ngx_pa_form_data(void *data, const u_char *p, size_t len)
{
    ngx_pa_form_t  *form = data;

    if (form->lazy && len && ngx_pa_form_open(form) != NGX_PA_MP_OK) {
        return NGX_PA_MP_ABORT;
    }

    if (form->media) {
        if (ngx_pa_media_write(form->job, form->media, p, len, form->err)
            != NGX_OK)
        {
            return NGX_PA_MP_ABORT;
        }

        return NGX_PA_MP_OK;
    }

    if (form->text_len + len > NGX_PA_BODY_TEXT_MAX) {
        ngx_pa_err_set(form->err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "too_large", form->name, "a form field is too long");
        return NGX_PA_MP_ABORT;
    }

    ngx_memcpy(form->text + form->text_len, p, len);
    form->text_len += len;

    return NGX_PA_MP_OK;
}


static int
ngx_pa_form_end(void *data)
{
    ngx_pa_form_t  *form = data;
    char           *name;
    size_t          nchars;
    json_t         *v;
    json_error_t    je;

    name = form->name;

    if (form->lazy) {
        /* an empty file input: nothing was sent, nothing to keep */
        form->lazy = 0;
        return NGX_PA_MP_OK;
    }

    if (form->media) {
        if (ngx_pa_media_close(form->job, form->media, form->err)
            != NGX_OK)
        {
            return NGX_PA_MP_ABORT;
        }

        form->media = NULL;
        return NGX_PA_MP_OK;
    }

    /* a name that is not UTF-8 cannot be a JSON key (nor a field of ours) */

    if (ngx_pa_utf8_check((u_char *) name, ngx_strlen(name), &nchars) != 0) {
        ngx_log_error(NGX_LOG_INFO, form->job ? form->job->log : ngx_cycle->log,
                      0, "pa: a form field's name is not UTF-8");
        ngx_pa_err_set(form->err, NGX_HTTP_BAD_REQUEST, "invalid_utf8", NULL,
                       "a form field's name is not valid UTF-8");
        return NGX_PA_MP_ABORT;
    }

    if (ngx_pa_utf8_check(form->text, form->text_len, &nchars) != 0) {
        ngx_pa_err_set(form->err, NGX_HTTP_BAD_REQUEST, "invalid_utf8", name,
                       "the field is not valid UTF-8 text");
        return NGX_PA_MP_ABORT;
    }

    if (ngx_strcmp(name, "payload") == 0) {
        v = json_loadb((const char *) form->text, form->text_len,
                       JSON_REJECT_DUPLICATES, &je);

        if (v == NULL || !json_is_object(v)) {
            if (v) {
                json_decref(v);
            }

            ngx_pa_err_set(form->err, NGX_HTTP_BAD_REQUEST, "invalid_json",
                           "payload", "the payload part must be a JSON object");
            return NGX_PA_MP_ABORT;
        }

        if (form->payload) {
            json_decref(v);
            ngx_pa_err_set(form->err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                           "payload", "the payload part is given twice");
            return NGX_PA_MP_ABORT;
        }

        form->payload = v;
        return NGX_PA_MP_OK;
    }

    /*
     * One value per name, as a JSON body has (and GeoReport's form): the
     * second of two was taken silently, "lat" or an action's "payload"
     */

    if (json_object_get(form->body->fields, name) != NULL) {
        ngx_pa_err_set(form->err, NGX_HTTP_BAD_REQUEST, "invalid_field", name,
                       "the field is given twice");
        return NGX_PA_MP_ABORT;
    }

    v = json_stringn((const char *) form->text, form->text_len);
    if (v == NULL || json_object_set_new(form->body->fields, name, v) != 0) {
        return NGX_PA_MP_ABORT;
    }

    return NGX_PA_MP_OK;
}


static ngx_int_t
ngx_pa_body_json_error(json_error_t *je, ngx_pa_err_t *err)
{
    /* jansson refuses bad UTF-8 itself; say which error it was */

    if (ngx_strstr(je->text, "UTF-8") != NULL
        || ngx_strstr(je->text, "unable to decode byte") != NULL)
    {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_utf8", NULL,
                       "the body is not valid UTF-8");
        return NGX_ERROR;
    }

    ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_json", NULL,
                   "the body is not valid JSON");
    return NGX_ERROR;
}


static void
ngx_pa_body_json_cleanup(void *data)
{
    ngx_pa_body_t  *body = data;

    if (body->fields) {
        json_decref(body->fields);
        body->fields = NULL;
    }
}


static ngx_int_t
ngx_pa_body_is(ngx_str_t *ctype, const char *type)
{
    size_t  len;

    len = ngx_strlen(type);

    if (ctype->len < len
        || ngx_strncasecmp(ctype->data, (u_char *) type, len) != 0)
    {
        return 0;
    }

    return ctype->len == len || ctype->data[len] == ';'
           || ctype->data[len] == ' ';
}


ssize_t
ngx_pa_body_pread(ngx_buf_t *b, u_char *buf, size_t size, off_t off,
    ngx_log_t *log)
{
    ssize_t  n;

    do {
        n = pread(b->file->fd, buf, size, off);
    } while (n == -1 && ngx_errno == NGX_EINTR);

    if (n <= 0) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "pa: pread() \"%V\" failed", &b->file->name);
        return NGX_ERROR;
    }

    return n;
}
