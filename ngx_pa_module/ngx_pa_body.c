/*
 * Request body parsing.
 *
 * nginx reads the body with its own API (client_body_buffer_size in
 * memory, the rest in a temp file: never a whole video in memory); a
 * multipart body is then walked in bounded chunks by the streaming parser,
 * and each file part goes straight to its own media temp file.
 *
 * That walk (reading the body back, writing each part, SHA-256, libmagic,
 * metadata) is a job (ngx_pa_thread.c): run in pa_thread_pool before the
 * route, whose ngx_pa_body_parse() then takes its result.  It touches only
 * the job's pool and log, the body's buffers and files (nginx leaves them
 * alone while the request is blocked), and its own results.
 */

#include "ngx_pa_body.h"
#include "ngx_pa_multipart.h"
#include "ngx_pa_thread.h"
#include "ngx_pa_validate.h"


#define NGX_PA_BODY_CHUNK        65536
#define NGX_PA_BODY_TEXT_MAX     65536     /* one text field */
#define NGX_PA_BODY_FIELDS_MAX   64        /* text fields of a form */
#define NGX_PA_BODY_JSON_MAX     (1024 * 1024)


/* a multipart body walked by a job, for the route to take */
typedef struct {
    ngx_pa_body_t         body;
    ngx_pa_err_t          err;
    ngx_int_t             rc;
    ngx_chain_t          *bufs;        /* the request body's, read only */
    const u_char         *boundary;
    size_t                blen;
    ngx_http_client_body_handler_pt  resume;
} ngx_pa_body_job_t;


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


static ngx_int_t ngx_pa_body_json(ngx_http_request_t *r,
    ngx_pa_body_t *body, ngx_pa_err_t *err);
static void ngx_pa_body_work(ngx_pa_job_t *job);
static void ngx_pa_body_done(ngx_http_request_t *r, ngx_pa_job_t *job);
static ngx_int_t ngx_pa_body_multipart(ngx_pa_job_t *job, ngx_chain_t *bufs,
    ngx_pa_body_t *body, const u_char *boundary, size_t blen,
    ngx_pa_err_t *err);
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

        /* media go to disk anyway: let nginx stream the body there too */

        r->request_body_in_file_only = 1;
        r->request_body_in_clean_file = 1;
        r->request_body_file_log_level = 0;

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
 * A multipart body is walked by a job before the route runs: in the
 * thread pool (NGX_AGAIN, resume() is called when it is done) or inline
 * without one (NGX_OK).  Any other body is left to ngx_pa_body_parse(),
 * as is a multipart body without a valid boundary (its 400).
 */

ngx_int_t
ngx_pa_body_start(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_http_client_body_handler_pt resume)
{
    size_t               blen;
    ngx_pa_job_t        *job;
    const u_char        *boundary;
    ngx_table_elt_t     *h;
    ngx_pool_cleanup_t  *cln;
    ngx_pa_body_job_t   *bj;

    h = r->headers_in.content_type;

    if (r->request_body == NULL || r->request_body->bufs == NULL
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

    bj->bufs = r->request_body->bufs;
    bj->boundary = boundary;
    bj->blen = blen;
    bj->resume = resume;
    bj->rc = NGX_ERROR;

    job = ngx_pa_job_create(r, ngx_pa_body_work, ngx_pa_body_done, bj);
    if (job == NULL) {
        return NGX_ERROR;
    }

    /* what the work makes lives and dies with the job's pool */

    if (ngx_array_init(&bj->body.media, job->pool, 4,
                       sizeof(ngx_pa_media_t *))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(job->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_body_json_cleanup;
    cln->data = &bj->body;

    ctx->body = bj;

    return ngx_pa_job_run(job);
}


static void
ngx_pa_body_work(ngx_pa_job_t *job)
{
    ngx_pa_body_job_t  *bj = job->data;

    bj->rc = ngx_pa_body_multipart(job, bj->bufs, &bj->body, bj->boundary,
                                   bj->blen, &bj->err);
}


static void
ngx_pa_body_done(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_pa_body_job_t  *bj = job->data;

    bj->resume(r);
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


static ngx_int_t
ngx_pa_body_multipart(ngx_pa_job_t *job, ngx_chain_t *bufs,
    ngx_pa_body_t *body, const u_char *boundary, size_t blen,
    ngx_pa_err_t *err)
{
    ngx_int_t            rc;
    ngx_pa_form_t        form;
    ngx_pa_multipart_t  *mp;
    ngx_pa_mp_handler_t  handler;

    ngx_memzero(&form, sizeof(ngx_pa_form_t));
    form.job = job;
    form.conf = job->conf;
    form.body = body;
    form.err = err;

    body->fields = json_object();
    if (body->fields == NULL) {
        return NGX_ERROR;
    }

    form.text = ngx_pnalloc(job->pool, NGX_PA_BODY_TEXT_MAX);
    if (form.text == NULL) {
        return NGX_ERROR;
    }

    mp = ngx_palloc(job->pool, sizeof(ngx_pa_multipart_t));
    if (mp == NULL) {
        return NGX_ERROR;
    }

    handler.part_begin = ngx_pa_form_begin;
    handler.part_data = ngx_pa_form_data;
    handler.part_end = ngx_pa_form_end;
    handler.data = &form;

    if (ngx_pa_multipart_init(mp, boundary, blen, &handler) != NGX_PA_MP_OK) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                       "invalid multipart boundary");
        return NGX_ERROR;
    }

    rc = ngx_pa_body_feed(job, bufs, mp);

    if (rc == NGX_PA_MP_OK) {
        rc = ngx_pa_multipart_finish(mp);
    }

    if (rc == NGX_PA_MP_ABORT) {
        goto failed;            /* a callback set err */
    }

    if (rc != NGX_PA_MP_OK) {
        ngx_log_error(NGX_LOG_INFO, job->log, 0,
                      "pa: malformed multipart body: %s",
                      mp->err ? mp->err : "read error");
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "bad_request", NULL,
                       mp->err ? mp->err : "malformed multipart body");
        goto failed;
    }

    if (form.payload != NULL) {
        if (json_object_update(body->fields, form.payload) != 0) {
            goto failed;
        }
    }

    if (form.payload) {
        json_decref(form.payload);
    }

    return NGX_OK;

failed:

    if (form.payload) {
        json_decref(form.payload);
    }

    return NGX_ERROR;
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

            n = pread(b->file->fd, chunk, size, off);

            if (n == -1 && ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            if (n <= 0) {
                ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                              "pa: pread() \"%V\" failed", &b->file->name);
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
            json_decref(form->payload);
        }

        form->payload = v;
        return NGX_PA_MP_OK;
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
