/*
 * Media of a report: each file part is streamed into its own temp file
 * under pa_media_dir/tmp while SHA-256 is computed; its type is decided by
 * libmagic on the bytes (never by what the client claims) and checked
 * against pa_media_types; metadata (time, GPS, editing traces) is read from
 * the file.  Files enter the content-addressed store (pa_media_dir/ab/<sha>)
 * by an atomic rename before the script that points at them runs (a reply
 * timeout cannot tell whether it ran: a blob no report points at is
 * harmless, a report pointing at a missing blob is not); a temp file not
 * yet renamed is removed by a pool cleanup on every failure, abort
 * included.  Nothing removes a blob from the store.
 */

#ifndef NGX_PA_MEDIA_H
#define NGX_PA_MEDIA_H

#include "ngx_pa.h"
#include "ngx_pa_meta.h"
#include "ngx_pa_store_path.h"
#include "ngx_pa_thread.h"

#include <openssl/evp.h>
#include <openssl/sha.h>


#define NGX_PA_MEDIA_HEAD   16384      /* bytes libmagic looks at */

/* flags shown to the IOC (api.md "flags") */
#define NGX_PA_FLAG_EDITED_SOFTWARE  0x01
#define NGX_PA_FLAG_NO_EXIF          0x02
#define NGX_PA_FLAG_TIME_MISMATCH    0x04
#define NGX_PA_FLAG_NO_TIME          0x08   /* age rule on, no capture time */

typedef struct {
    ngx_str_t          tmp;          /* temp path, NUL terminated */
    ngx_fd_t           fd;
    EVP_MD_CTX        *sha_ctx;      /* freed by the pool cleanup */
    u_char             hex[SHA256_DIGEST_LENGTH * 2 + 1];
    off_t              size;
    u_char            *head;         /* first bytes, for libmagic */
    size_t             head_len;

    ngx_str_t          client_type;  /* what the client said, for logs */
    ngx_str_t          type;         /* what libmagic said */
    ngx_uint_t         kind;         /* NGX_PA_META_* or 0 */

    ngx_pa_meta_t      meta;
    ngx_uint_t         flags;        /* NGX_PA_FLAG_* */

    unsigned           committed:1;  /* renamed into the store */
    unsigned           closed:1;
} ngx_pa_media_t;


ngx_int_t ngx_pa_media_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_media_exit_worker(ngx_pa_main_conf_t *pmcf);

/*
 * Open, write and close run in a job's work (a thread, or inline): they
 * use only the job's pool, log and conf.
 */

/* opens a temp file; the job pool's cleanup removes it unless committed */
ngx_pa_media_t *ngx_pa_media_open(ngx_pa_job_t *job);

/* NGX_OK, or NGX_ERROR with err set (size limit, disk error) */
ngx_int_t ngx_pa_media_write(ngx_pa_job_t *job, ngx_pa_media_t *m,
    const u_char *p, size_t len, ngx_pa_err_t *err);

/*
 * Part complete: digest, libmagic type against pa_media_types, structure
 * and metadata.  NGX_OK, or NGX_ERROR with err set (415 and friends).
 */
ngx_int_t ngx_pa_media_close(ngx_pa_job_t *job, ngx_pa_media_t *m,
    ngx_pa_err_t *err);

typedef void (*ngx_pa_media_stored_pt)(ngx_http_request_t *r, void *data,
    ngx_int_t rc);

/*
 * Moves the media not yet stored (ngx_pa_media_t * of the array) into the
 * store, in a job.  NGX_OK or NGX_ERROR (logged): done inline, or nothing
 * to do.  NGX_AGAIN: stored(r, data, NGX_OK or NGX_ERROR) follows.
 */
ngx_int_t ngx_pa_media_store(ngx_http_request_t *r, ngx_array_t *media,
    ngx_pa_media_stored_pt stored, void *data);

/* 1 for image/ and video/ types: the evidence rules concern them */
ngx_uint_t ngx_pa_media_visual(ngx_str_t *type);

#define NGX_PA_MEDIA_PUBLIC_URI    "/media/"  /* public copies, served */

/*
 * The public url of one media item of a report, "/media/<id>/<sha>.jpg"
 * or ".png", from the pool; NGX_DECLINED when the type has no public copy
 * (leave the item out of the public view), NGX_ERROR on a bad id or sha.
 */
ngx_int_t ngx_pa_public_media_url(ngx_pool_t *pool, ngx_str_t *id,
    ngx_str_t *sha, ngx_str_t *type, ngx_str_t *url);

/* the extension of a type's public copy (".jpg", ".png") or NULL */
const char *ngx_pa_public_media_ext(ngx_str_t *type);

/* 64 lowercase hex digits */
ngx_uint_t ngx_pa_public_media_sha_ok(ngx_str_t *sha);

#endif /* NGX_PA_MEDIA_H */
