/*
 * Media files: temp file, digest, type by libmagic, metadata, store.
 */

#include "ngx_pa_call.h"
#include "ngx_pa_media.h"
#include "ngx_pa_thumb.h"

#include <magic.h>
#include <openssl/evp.h>
#include <openssl/rand.h>


/* a request's media entering the store */
typedef struct {
    ngx_array_t             *media;     /* ngx_pa_media_t * */
    ngx_int_t                rc;
    ngx_pa_media_stored_pt   stored;
    void                    *data;
} ngx_pa_media_store_t;


typedef struct {
    ngx_pa_media_t   *media;
    EVP_MD_CTX       *md;
    ngx_log_t        *log;
} ngx_pa_media_cleanup_t;


static void ngx_pa_media_cleanup(void *data);
static ngx_int_t ngx_pa_media_sniff(ngx_pa_job_t *job, ngx_pa_media_t *m);
static void ngx_pa_media_store_work(ngx_pa_job_t *job);
static void ngx_pa_media_store_done(ngx_http_request_t *r, ngx_pa_job_t *job);
static void ngx_pa_media_thumbs(ngx_http_request_t *r,
    ngx_pa_main_conf_t *pmcf, ngx_array_t *media);
static ngx_int_t ngx_pa_media_commit(ngx_pa_job_t *job, ngx_pa_media_t *m);
static ngx_uint_t ngx_pa_media_kind(ngx_str_t *type);
static ngx_int_t ngx_pa_media_allowed(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *type);


ngx_int_t
ngx_pa_media_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    magic_t  cookie;

    /* a magic_t is not thread or process safe to share: one per worker */

    cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (cookie == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "pa: magic_open() failed");
        return NGX_ERROR;
    }

    if (magic_load(cookie, NULL) != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "pa: magic_load() failed: %s", magic_error(cookie));
        magic_close(cookie);
        return NGX_ERROR;
    }

    pmcf->worker.magic = cookie;

    return NGX_OK;
}


void
ngx_pa_media_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    if (pmcf->worker.magic != NULL) {
        magic_close(pmcf->worker.magic);
        pmcf->worker.magic = NULL;
    }
}


ngx_pa_media_t *
ngx_pa_media_open(ngx_pa_job_t *job)
{
    u_char                  *p;
    u_char                   rnd[12];
    ngx_uint_t               i;
    ngx_pa_media_t          *m;
    ngx_pool_cleanup_t      *cln;
    ngx_pa_main_conf_t      *pmcf;
    ngx_pa_media_cleanup_t  *mc;

    pmcf = job->conf;

    m = ngx_pcalloc(job->pool, sizeof(ngx_pa_media_t));
    if (m == NULL) {
        return NULL;
    }

    m->fd = NGX_INVALID_FILE;

    m->head = ngx_pnalloc(job->pool, NGX_PA_MEDIA_HEAD);
    if (m->head == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(job->pool, sizeof(ngx_pa_media_cleanup_t));
    if (cln == NULL) {
        return NULL;
    }

    mc = cln->data;
    mc->media = m;
    mc->log = job->log;
    mc->md = EVP_MD_CTX_new();
    cln->handler = ngx_pa_media_cleanup;

    if (mc->md == NULL || EVP_DigestInit_ex(mc->md, EVP_sha256(), NULL) != 1)
    {
        ngx_log_error(NGX_LOG_ERR, job->log, 0,
                      "pa: cannot start SHA-256");
        return NULL;
    }

    m->sha_ctx = mc->md;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return NULL;
    }

    m->tmp.len = pmcf->media_tmp.len + 1 + sizeof(rnd) * 2 + sizeof(".part");
    m->tmp.data = ngx_pnalloc(job->pool, m->tmp.len);
    if (m->tmp.data == NULL) {
        return NULL;
    }

    p = ngx_sprintf(m->tmp.data, "%V/", &pmcf->media_tmp);

    for (i = 0; i < sizeof(rnd); i++) {
        p = ngx_sprintf(p, "%02xd", rnd[i]);
    }

    p = ngx_sprintf(p, ".part%Z");
    m->tmp.len = p - m->tmp.data - 1;

    m->fd = ngx_open_file(m->tmp.data, NGX_FILE_RDWR,
                          NGX_FILE_CREATE_OR_OPEN | O_EXCL, 0600);

    if (m->fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_open_file_n " \"%V\" failed", &m->tmp);
        m->tmp.len = 0;
        return NULL;
    }

    return m;
}


ngx_int_t
ngx_pa_media_write(ngx_pa_job_t *job, ngx_pa_media_t *m, const u_char *p,
    size_t len, ngx_pa_err_t *err)
{
    size_t               n;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = job->conf;

    if (m->size + (off_t) len > pmcf->media_max_size) {
        ngx_pa_err_set(err, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                       "media", "a media file is larger than allowed");
        return NGX_ERROR;
    }

    if (m->head_len < NGX_PA_MEDIA_HEAD) {
        n = ngx_min(len, NGX_PA_MEDIA_HEAD - m->head_len);
        ngx_memcpy(m->head + m->head_len, p, n);
        m->head_len += n;
    }

    EVP_DigestUpdate(m->sha_ctx, p, len);

    if (ngx_pa_store_write(m->fd, p, len) != NGX_OK) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      "write to \"%V\" failed", &m->tmp);
        ngx_pa_err_set(err, NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                       NULL, "media storage is not available");
        return NGX_ERROR;
    }

    m->size += len;

    return NGX_OK;
}


ngx_int_t
ngx_pa_media_close(ngx_pa_job_t *job, ngx_pa_media_t *m, ngx_pa_err_t *err)
{
    u_char              *p;
    ngx_int_t            rc;
    unsigned int         mdlen;
    ngx_uint_t           i;
    ngx_pa_main_conf_t  *pmcf;
    u_char               md[EVP_MAX_MD_SIZE];

    pmcf = job->conf;

    if (EVP_DigestFinal_ex(m->sha_ctx, md, &mdlen) != 1) {
        return NGX_ERROR;
    }

    for (i = 0, p = m->hex; i < mdlen && i < SHA256_DIGEST_LENGTH; i++) {
        p = ngx_sprintf(p, "%02xd", md[i]);
    }

    *p = '\0';

    if (m->size == 0) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field", "media",
                       "an empty media file was sent");
        return NGX_ERROR;
    }

    /* the bytes decide the type, never the client's Content-Type */

    ngx_pa_magic_lock(pmcf, job->log);
    rc = ngx_pa_media_sniff(job, m);
    ngx_pa_magic_unlock(pmcf, job->log);

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_media_allowed(pmcf, &m->type) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, job->log, 0,
                      "pa: media refused: bytes are \"%V\", client said "
                      "\"%V\"", &m->type, &m->client_type);
        ngx_pa_err_set(err, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                       "unsupported_media", "media",
                       "the file's content is not an allowed media type");
        return NGX_ERROR;
    }

    m->kind = ngx_pa_media_kind(&m->type);

    if (m->kind != 0) {

        /*
         * A file whose container does not parse up to its metadata is not
         * the photo or video it claims to be (a JPEG header glued to HTML,
         * a truncated upload): refuse it like a wrong type.
         */

        if (ngx_pa_meta_parse_fd(m->kind, m->fd, m->size, &m->meta) != 0) {
            ngx_log_error(NGX_LOG_INFO, job->log, 0,
                          "pa: media refused: malformed \"%V\"", &m->type);
            ngx_pa_err_set(err, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                           "unsupported_media", "media",
                           "the file is damaged or not really of its type");
            return NGX_ERROR;
        }

        if (!m->meta.has_exif && !m->meta.has_time) {
            m->flags |= NGX_PA_FLAG_NO_EXIF;
        }

        if (m->meta.software[0]
            && ngx_pa_meta_edited_software(m->meta.software))
        {
            m->flags |= NGX_PA_FLAG_EDITED_SOFTWARE;
        }

        if (m->meta.has_time && m->meta.has_modify_time
            && (m->meta.modified_at - m->meta.taken_at > 60
                || m->meta.taken_at - m->meta.modified_at > 60))
        {
            m->flags |= NGX_PA_FLAG_TIME_MISMATCH;
        }
    }

    /*
     * Under an age rule a photo or video that carries no capture time
     * (a PNG, a stripped JPEG, a video without creation_time) cannot show
     * it is recent: never taken as fresh, it is flagged for the IOC (or
     * refused, pa_media_no_time reject: ngx_pa_evidence.c).
     */

    if (pmcf->photo_max_age && ngx_pa_media_visual(&m->type)
        && !m->meta.has_time)
    {
        m->flags |= NGX_PA_FLAG_NO_TIME;
    }

    if (ngx_close_file(m->fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, job->log, ngx_errno,
                      ngx_close_file_n " \"%V\" failed", &m->tmp);
    }

    m->fd = NGX_INVALID_FILE;
    m->closed = 1;

    return NGX_OK;
}


/* libmagic's answer, copied while its lock is held */

static ngx_int_t
ngx_pa_media_sniff(ngx_pa_job_t *job, ngx_pa_media_t *m)
{
    const char  *type;

    type = magic_buffer(job->conf->worker.magic, m->head, m->head_len);

    if (type == NULL) {
        ngx_log_error(NGX_LOG_ERR, job->log, 0,
                      "pa: magic_buffer() failed: %s",
                      magic_error(job->conf->worker.magic));
        type = "application/octet-stream";
    }

    m->type.len = ngx_strlen(type);
    m->type.data = ngx_pnalloc(job->pool, m->type.len);
    if (m->type.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(m->type.data, type, m->type.len);

    return NGX_OK;
}


/*
 * The request's media enter the store off the event loop: a rename over
 * an existing blob (the same photo again, a retry) makes the file system
 * drop and write back 12 MB at once.  Nothing to store: NGX_OK at once,
 * no job.
 */

ngx_int_t
ngx_pa_media_store(ngx_http_request_t *r, ngx_array_t *media,
    ngx_pa_media_stored_pt stored, void *data)
{
    ngx_int_t                rc;
    ngx_uint_t               i;
    ngx_pa_job_t            *job;
    ngx_pa_media_t         **m;
    ngx_pa_media_store_t    *st;

    m = media->elts;

    for (i = 0; i < media->nelts; i++) {
        if (!m[i]->committed) {
            break;
        }
    }

    if (i == media->nelts) {
        return NGX_OK;
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_pa_media_store_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->media = media;
    st->stored = stored;
    st->data = data;

    job = ngx_pa_job_create(r, ngx_pa_media_store_work,
                            ngx_pa_media_store_done, st);
    if (job == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_pa_job_run(job);

    if (rc == NGX_OK) {
        if (st->rc == NGX_OK) {
            ngx_pa_media_thumbs(r, job->conf, media);
        }

        return st->rc;
    }

    return rc;
}


static void
ngx_pa_media_store_work(ngx_pa_job_t *job)
{
    ngx_pa_media_store_t  *st = job->data;

    ngx_uint_t        i;
    ngx_pa_media_t  **m;

    m = st->media->elts;
    st->rc = NGX_OK;

    for (i = 0; i < st->media->nelts; i++) {
        if (!m[i]->committed && ngx_pa_media_commit(job, m[i]) != NGX_OK) {
            st->rc = NGX_ERROR;
            return;
        }
    }
}


static void
ngx_pa_media_store_done(ngx_http_request_t *r, ngx_pa_job_t *job)
{
    ngx_pa_media_store_t  *st = job->data;

    /*
     * The lists' small copies (ngx_pa_thumb.c): posted, not waited for;
     * made while the script runs and the answer goes out.
     */

    if (st->rc == NGX_OK) {
        ngx_pa_media_thumbs(r, job->conf, st->media);
    }

    st->stored(r, st->data, st->rc);
}


/* the photos just stored that get a thumbnail, to the thumbnails' lane */

static void
ngx_pa_media_thumbs(ngx_http_request_t *r, ngx_pa_main_conf_t *pmcf,
    ngx_array_t *media)
{
    ngx_uint_t           i;
    ngx_array_t          photos;
    ngx_pa_media_t     **m;
    ngx_pa_thumb_src_t  *src;

    if (ngx_array_init(&photos, r->pool, 2, sizeof(ngx_pa_thumb_src_t))
        != NGX_OK)
    {
        goto failed;
    }

    m = media->elts;

    for (i = 0; i < media->nelts; i++) {
        if (!m[i]->committed || !ngx_pa_thumb_type(&m[i]->type)) {
            continue;
        }

        src = ngx_array_push(&photos);
        if (src == NULL) {
            goto failed;
        }

        src->hex = m[i]->hex;
        src->type = m[i]->type;
    }

    ngx_pa_thumb_later(pmcf, r->connection->log, &photos);

    return;

failed:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: thumbnails of the stored photos not scheduled");
}


static ngx_int_t
ngx_pa_media_commit(ngx_pa_job_t *job, ngx_pa_media_t *m)
{
    ngx_str_t            hex, path;
    ngx_file_info_t      fi;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = job->conf;

    hex.data = m->hex;
    hex.len = SHA256_DIGEST_LENGTH * 2;

    if (ngx_pa_media_path(job->pool, pmcf, &hex, &path) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the fan-out directory: "ab" of "ab12..." */

    path.data[pmcf->media_dir.len + 3] = '\0';

    if (ngx_create_dir(path.data, 0750) == NGX_FILE_ERROR
        && ngx_errno != NGX_EEXIST)
    {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_create_dir_n " \"%s\" failed", path.data);
        return NGX_ERROR;
    }

    path.data[pmcf->media_dir.len + 3] = '/';

    /* same content, same name: an existing file is simply replaced */

    if (ngx_rename_file(m->tmp.data, path.data) == NGX_FILE_ERROR) {

        /*
         * A pre-upload (ngx_pa_upload.c) whose submission failed after
         * its file was stored: the retry finds it in the store already.
         */

        if (ngx_errno == NGX_ENOENT
            && ngx_file_info(path.data, &fi) != NGX_FILE_ERROR)
        {
            m->committed = 1;
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      ngx_rename_file_n " \"%V\" to \"%V\" failed",
                      &m->tmp, &path);
        return NGX_ERROR;
    }

    m->committed = 1;

    return NGX_OK;
}


static void
ngx_pa_media_cleanup(void *data)
{
    ngx_pa_media_cleanup_t  *mc = data;
    ngx_pa_media_t          *m;

    m = mc->media;

    if (mc->md != NULL) {
        EVP_MD_CTX_free(mc->md);
        mc->md = NULL;
        m->sha_ctx = NULL;
    }

    if (m->fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(m->fd);
        m->fd = NGX_INVALID_FILE;
    }

    if (!m->committed && m->tmp.len) {
        if (ngx_delete_file(m->tmp.data) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_CRIT, mc->log, ngx_errno,
                          ngx_delete_file_n " \"%V\" failed", &m->tmp);
        }
    }
}


static ngx_uint_t
ngx_pa_media_kind(ngx_str_t *type)
{
    if (type->len == 10 && ngx_strncmp(type->data, "image/jpeg", 10) == 0) {
        return NGX_PA_META_JPEG;
    }

    if (type->len == 10 && (ngx_strncmp(type->data, "image/heic", 10) == 0
                            || ngx_strncmp(type->data, "image/heif", 10) == 0))
    {
        return NGX_PA_META_HEIF;
    }

    if ((type->len == 9 && ngx_strncmp(type->data, "video/mp4", 9) == 0)
        || (type->len == 15
            && ngx_strncmp(type->data, "video/quicktime", 15) == 0))
    {
        return NGX_PA_META_MP4;
    }

    return 0;
}


/* a photo or a video: what the evidence rules are about (not audio) */

ngx_uint_t
ngx_pa_media_visual(ngx_str_t *type)
{
    return (type->len > 6 && ngx_strncmp(type->data, "image/", 6) == 0)
           || (type->len > 6 && ngx_strncmp(type->data, "video/", 6) == 0);
}


static ngx_int_t
ngx_pa_media_allowed(ngx_pa_main_conf_t *pmcf, ngx_str_t *type)
{
    ngx_str_t   *t;
    ngx_uint_t   i;

    t = pmcf->media_types->elts;

    for (i = 0; i < pmcf->media_types->nelts; i++) {
        if (t[i].len == type->len
            && ngx_strncasecmp(t[i].data, type->data, type->len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


ngx_uint_t
ngx_pa_public_media_sha_ok(ngx_str_t *sha)
{
    size_t  i;

    if (sha->len != NGX_PA_MEDIA_SHA_LEN) {
        return 0;
    }

    for (i = 0; i < sha->len; i++) {
        if (!((sha->data[i] >= '0' && sha->data[i] <= '9')
              || (sha->data[i] >= 'a' && sha->data[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


const char *
ngx_pa_public_media_ext(ngx_str_t *type)
{
    if (type->len == sizeof("image/jpeg") - 1
        && ngx_strncmp(type->data, "image/jpeg", type->len) == 0)
    {
        return ".jpg";
    }

    if (type->len == sizeof("image/png") - 1
        && ngx_strncmp(type->data, "image/png", type->len) == 0)
    {
        return ".png";
    }

    return NULL;
}


ngx_int_t
ngx_pa_public_media_url(ngx_pool_t *pool, ngx_str_t *id, ngx_str_t *sha,
    ngx_str_t *type, ngx_str_t *url)
{
    u_char      *p;
    const char  *ext;

    if (!ngx_pa_id_ok(id) || !ngx_pa_public_media_sha_ok(sha)) {
        return NGX_ERROR;
    }

    ext = ngx_pa_public_media_ext(type);
    if (ext == NULL) {
        return NGX_DECLINED;
    }

    url->data = ngx_pnalloc(pool, sizeof(NGX_PA_MEDIA_PUBLIC_URI) - 1
                                  + id->len + 1 + sha->len + 4);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(url->data, NGX_PA_MEDIA_PUBLIC_URI "%V/%V%s", id, sha,
                    ext);
    url->len = p - url->data;

    return NGX_OK;
}
