/*
 * Thumbnails with libgd (see ngx_pa_thumb.h).
 */

#include "ngx_pa_thumb.h"

#include <gd.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <openssl/rand.h>


#define NGX_PA_THUMB_HEAD  65536    /* where a JPEG's SOF is looked for */


static void ngx_pa_thumb_later_work(ngx_pa_bg_t *bg);
static void ngx_pa_thumb_again(ngx_http_request_t *r, ngx_str_t *path,
    ngx_str_t *type);
static ngx_int_t ngx_pa_thumb_dims(FILE *fp, ngx_uint_t png, uint32_t *w,
    uint32_t *h);
static void ngx_pa_thumb_quiet(int priority, const char *format,
    va_list args);
static gdImagePtr ngx_pa_thumb_jpeg(FILE *fp);
static ngx_int_t ngx_pa_thumb_write(ngx_log_t *log, gdImagePtr small,
    u_char *tmp, u_char *dst);
static void ngx_pa_thumb_jpeg_error(j_common_ptr cinfo);
static void ngx_pa_thumb_jpeg_quiet(j_common_ptr cinfo, int level);


/* libjpeg's errors end in a longjmp, not in exit() */
typedef struct {
    struct jpeg_error_mgr      pub;
    jmp_buf                    env;
} ngx_pa_thumb_jerr_t;


ngx_uint_t
ngx_pa_thumb_type(ngx_str_t *type)
{
    return (type->len == 10
            && ngx_strncmp(type->data, "image/jpeg", 10) == 0)
           || (type->len == 9
               && ngx_strncmp(type->data, "image/png", 9) == 0);
}


ngx_int_t
ngx_pa_thumb_make(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *type,
    u_char *src)
{
    FILE             *in;
    u_char           *dst, *tmp, *p, rnd[8];
    size_t            len;
    uint32_t          w, h, tw, th;
    ngx_uint_t        png;
    gdImagePtr        img, small;
    ngx_file_info_t   fi;

    if (!ngx_pa_thumb_type(type)) {
        return NGX_DECLINED;
    }

    png = (type->data[6] == 'p');

    len = ngx_strlen(src);
    dst = ngx_pnalloc(pool, len + sizeof(NGX_PA_THUMB_SUFFIX));
    tmp = ngx_pnalloc(pool, len + sizeof(NGX_PA_THUMB_SUFFIX) + 1
                            + 2 * sizeof(rnd));
    if (dst == NULL || tmp == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(dst, "%s" NGX_PA_THUMB_SUFFIX "%Z", src);

    if (ngx_file_info(dst, &fi) != NGX_FILE_ERROR) {
        return NGX_OK;              /* the same photo, made before */
    }

    /* libgd says what is wrong with a file on stderr: the log says it */

    gdSetErrorMethod(ngx_pa_thumb_quiet);

    in = fopen((char *) src, "rb");
    if (in == NULL) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "pa: thumbnail: fopen() \"%s\" failed", src);
        return NGX_ERROR;
    }

    if (ngx_pa_thumb_dims(in, png, &w, &h) != NGX_OK
        || w == 0 || h == 0 || (uint64_t) w * h > NGX_PA_THUMB_PIXELS)
    {
        (void) fclose(in);
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "pa: no thumbnail of \"%s\": size unknown or too "
                      "large", src);
        return NGX_DECLINED;
    }

    img = png ? gdImageCreateFromPng(in) : ngx_pa_thumb_jpeg(in);
    (void) fclose(in);

    if (img == NULL) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "pa: no thumbnail of \"%s\": libgd cannot read it",
                      src);
        return NGX_DECLINED;
    }

    tw = ngx_min((uint32_t) gdImageSX(img), NGX_PA_THUMB_WIDTH);
    th = (uint32_t) ((uint64_t) gdImageSY(img) * tw / gdImageSX(img));
    th = ngx_max(th, 1);

    gdImageSetInterpolationMethod(img, GD_BILINEAR_FIXED);

    small = gdImageScale(img, tw, th);
    gdImageDestroy(img);

    if (small == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa: thumbnail of \"%s\": gdImageScale() failed", src);
        return NGX_ERROR;
    }

    /* written aside, then renamed: a reader sees a whole file or none */

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        gdImageDestroy(small);
        return NGX_ERROR;
    }

    p = ngx_sprintf(tmp, "%s.", dst);
    p = ngx_hex_dump(p, rnd, sizeof(rnd));
    *p = '\0';

    gdImageInterlace(small, 1);         /* progressive: shows early */

    return ngx_pa_thumb_write(log, small, tmp, dst);
}


/*
 * The thumbnail encoded in memory, written whole to tmp, then renamed to
 * dst; small is destroyed.  Every write is checked: stdio's fclose() may
 * succeed after a write that failed (a full disk), and a truncated file
 * renamed into place was served, and never made again, as it existed.
 */

static ngx_int_t
ngx_pa_thumb_write(ngx_log_t *log, gdImagePtr small, u_char *tmp,
    u_char *dst)
{
    int        size;
    u_char    *jpeg;
    ngx_fd_t   fd;
    ngx_err_t  err;

    jpeg = gdImageJpegPtr(small, &size, NGX_PA_THUMB_QUALITY);
    gdImageDestroy(small);

    if (jpeg == NULL || size <= 0) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa: thumbnail \"%s\": gdImageJpegPtr() failed", dst);
        if (jpeg != NULL) {
            gdFree(jpeg);
        }
        return NGX_ERROR;
    }

    /*
     * The mode is set here, not left to the umask: a daemonized nginx runs
     * with umask 0, so the file would be 0666, and the public thumbnail is
     * a hard link to this file: anyone on the host could rewrite both.
     * 0644 as the public copies: the private store's directories are
     * 0750, so only a published thumbnail is readable by others.
     */

    fd = ngx_open_file(tmp, NGX_FILE_WRONLY, NGX_FILE_CREATE_OR_OPEN | O_EXCL,
                       0644);

    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "pa: thumbnail: open() \"%s\" failed", tmp);
        gdFree(jpeg);
        return NGX_ERROR;
    }

    /*
     * On failure the temporary file is removed before the error is logged:
     * whoever reads the log (an operator, a test) finds nothing left.
     */

    if (ngx_pa_store_write(fd, jpeg, size) != NGX_OK) {
        err = ngx_errno;
        gdFree(jpeg);
        (void) ngx_close_file(fd);
        (void) ngx_delete_file(tmp);
        ngx_log_error(NGX_LOG_CRIT, log, err,
                      "pa: thumbnail: write() \"%s\" failed", tmp);
        return NGX_ERROR;
    }

    gdFree(jpeg);

    if (ngx_close_file(fd) == NGX_FILE_ERROR
        || ngx_rename_file(tmp, dst) == NGX_FILE_ERROR)
    {
        err = ngx_errno;
        (void) ngx_delete_file(tmp);
        ngx_log_error(NGX_LOG_CRIT, log, err,
                      "pa: thumbnail \"%s\" could not be written", dst);
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_pa_thumb_later(ngx_pa_main_conf_t *pmcf, ngx_log_t *log,
    ngx_array_t *photos)
{
    ngx_uint_t            i;
    ngx_str_t             hex;
    ngx_array_t          *items;
    ngx_pa_bg_t          *bg;
    ngx_pa_thumb_src_t   *src;
    ngx_pa_thumb_item_t  *it;

    if (photos->nelts == 0) {
        return;                     /* no photo: nothing to post */
    }

    bg = ngx_pa_bg_create(pmcf, ngx_pa_thumb_later_work);
    if (bg == NULL) {
        goto failed;
    }

    /* copies: the request and its pools may be gone when the job runs */

    items = ngx_array_create(bg->pool, photos->nelts,
                             sizeof(ngx_pa_thumb_item_t));
    if (items == NULL) {
        ngx_destroy_pool(bg->pool);
        goto failed;
    }

    src = photos->elts;

    for (i = 0; i < photos->nelts; i++) {
        it = ngx_array_push(items);
        if (it == NULL) {
            ngx_destroy_pool(bg->pool);
            goto failed;
        }

        hex.data = src[i].hex;
        hex.len = NGX_PA_MEDIA_SHA_LEN;

        it->type.len = src[i].type.len;
        it->type.data = ngx_pstrdup(bg->pool, &src[i].type);

        if (it->type.data == NULL
            || ngx_pa_media_path(bg->pool, pmcf, &hex, &it->path) != NGX_OK)
        {
            ngx_destroy_pool(bg->pool);
            goto failed;
        }
    }

    bg->data = items;

    if (ngx_pa_thumb_lane_add(pmcf, bg) == NGX_OK) {
        return;
    }

failed:

    /* lists fall back to the original; a publish makes it then */

    ngx_log_error(NGX_LOG_ERR, log, 0,
                  "pa: thumbnails of the stored photos not scheduled");
}


static void
ngx_pa_thumb_later_work(ngx_pa_bg_t *bg)
{
    ngx_uint_t            i;
    ngx_array_t          *items;
    ngx_pa_thumb_item_t  *it;

    items = bg->data;
    it = items->elts;

    for (i = 0; i < items->nelts; i++) {
        (void) ngx_pa_thumb_make(bg->pool, bg->log, &it[i].type,
                                 it[i].path.data);
    }
}


/*
 * The thumbnail of a stored photo asked for and not there: its job waited
 * in a worker's memory (the lane) and went with it when it was killed, or
 * was dropped past the lane's bound.  Made again in the lane, unless it
 * waits there already (every retry of a list would add it); a photo that
 * gets none (too large) costs a header read a time.
 */

static void
ngx_pa_thumb_again(ngx_http_request_t *r, ngx_str_t *path, ngx_str_t *type)
{
    ngx_pa_bg_t          *bg;
    ngx_array_t          *items;
    ngx_pa_main_conf_t   *pmcf;
    ngx_pa_thumb_item_t  *it;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    if (ngx_pa_thumb_lane_waits(pmcf, path)) {
        return;
    }

    bg = ngx_pa_bg_create(pmcf, ngx_pa_thumb_later_work);
    if (bg == NULL) {
        goto failed;
    }

    items = ngx_array_create(bg->pool, 1, sizeof(ngx_pa_thumb_item_t));
    it = (items != NULL) ? ngx_array_push(items) : NULL;

    if (it != NULL) {
        it->path.len = path->len;
        it->path.data = ngx_pnalloc(bg->pool, path->len + 1);
        it->type.len = type->len;
        it->type.data = ngx_pstrdup(bg->pool, type);
    }

    if (it == NULL || it->path.data == NULL || it->type.data == NULL) {
        ngx_destroy_pool(bg->pool);
        goto failed;
    }

    ngx_memcpy(it->path.data, path->data, path->len + 1);
    bg->data = items;

    if (ngx_pa_thumb_lane_add(pmcf, bg) == NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: thumbnail \"%V\" missing, made again", path);
        return;
    }

failed:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: thumbnail \"%V\" missing, not scheduled", path);
}


ngx_int_t
ngx_pa_thumb_public(ngx_pa_job_t *job, ngx_str_t *dir, ngx_str_t *sha,
    ngx_uint_t png)
{
    u_char           *from, *to;
    ngx_int_t         rc;
    ngx_str_t         path, type;
    ngx_file_info_t   fi;

    if (ngx_pa_media_path(job->pool, job->conf, sha, &path) != NGX_OK) {
        return NGX_ERROR;
    }

    from = ngx_pnalloc(job->pool, path.len + sizeof(NGX_PA_THUMB_SUFFIX));
    to = ngx_pnalloc(job->pool, dir->len + 1 + sha->len
                                + sizeof(NGX_PA_THUMB_SUFFIX));
    if (from == NULL || to == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(from, "%V" NGX_PA_THUMB_SUFFIX "%Z", &path);
    (void) ngx_sprintf(to, "%V/%V" NGX_PA_THUMB_SUFFIX "%Z", dir, sha);

    if (ngx_file_info(to, &fi) != NGX_FILE_ERROR) {
        return NGX_OK;
    }

    if (png) {
        ngx_str_set(&type, "image/png");

    } else {
        ngx_str_set(&type, "image/jpeg");
    }

    rc = ngx_pa_thumb_make(job->pool, job->log, &type, path.data);
    if (rc != NGX_OK) {
        return rc;
    }

    if (link((char *) from, (char *) to) != 0 && ngx_errno != NGX_EEXIST) {
        ngx_log_error(NGX_LOG_CRIT, job->log, ngx_errno,
                      "pa: link() \"%s\" to \"%s\" failed", from, to);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_uint_t
ngx_pa_thumb_of(ngx_str_t *sha, u_char *name, size_t len)
{
    return len == sha->len + sizeof(NGX_PA_THUMB_SUFFIX) - 1
           && ngx_strncmp(name, sha->data, sha->len) == 0
           && ngx_strncmp(name + sha->len, NGX_PA_THUMB_SUFFIX,
                          sizeof(NGX_PA_THUMB_SUFFIX) - 1) == 0;
}


ngx_int_t
ngx_pa_thumb_swap(ngx_http_request_t *r, ngx_str_t *path, ngx_str_t *uri,
    const char **type)
{
    u_char           *p;
    ngx_str_t         arg, thumb, orig;
    ngx_file_info_t   fi;

    if (ngx_http_arg(r, (u_char *) "size", 4, &arg) != NGX_OK
        || arg.len != 5 || ngx_strncmp(arg.data, "thumb", 5) != 0)
    {
        return NGX_DECLINED;
    }

    thumb.len = path->len + sizeof(NGX_PA_THUMB_SUFFIX) - 1;
    thumb.data = ngx_pnalloc(r->pool, thumb.len + 1);
    p = ngx_pnalloc(r->pool, uri->len + sizeof(NGX_PA_THUMB_SUFFIX) - 1);

    if (thumb.data == NULL || p == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(thumb.data, "%V" NGX_PA_THUMB_SUFFIX "%Z", path);

    if (ngx_file_info(thumb.data, &fi) == NGX_FILE_ERROR
        || !ngx_is_file(&fi))
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, ngx_errno,
                       "pa: no thumbnail \"%V\"", &thumb);

        /*
         * A photo just stored: its thumbnail follows the 201 (made in
         * the background), so "not yet" rather than "none".  The store's
         * rename set the original's ctime.
         */

        orig.data = (u_char *) *type;
        orig.len = ngx_strlen(*type);

        if (!ngx_pa_thumb_type(&orig)
            || ngx_file_info(path->data, &fi) == NGX_FILE_ERROR)
        {
            return NGX_ERROR;
        }

        /* its job may be lost (a worker killed): asked for, made again */

        ngx_pa_thumb_again(r, path, &orig);

        return (fi.st_ctime + NGX_PA_THUMB_PENDING >= ngx_time())
               ? NGX_AGAIN : NGX_ERROR;
    }

    uri->len = ngx_cpymem(ngx_cpymem(p, uri->data, uri->len),
                          NGX_PA_THUMB_SUFFIX,
                          sizeof(NGX_PA_THUMB_SUFFIX) - 1)
               - p;
    uri->data = p;
    *type = "image/jpeg";

    return NGX_OK;
}


/* the image's size from its header, before anything is decoded */

static ngx_int_t
ngx_pa_thumb_dims(FILE *fp, ngx_uint_t png, uint32_t *w, uint32_t *h)
{
    u_char   *b, m;
    size_t    n, i, seg;

    b = malloc(NGX_PA_THUMB_HEAD);
    if (b == NULL) {
        return NGX_ERROR;
    }

    n = fread(b, 1, NGX_PA_THUMB_HEAD, fp);
    rewind(fp);

    if (png) {

        /* signature, IHDR's length and name, then width and height */

        if (n < 24 || ngx_strncmp(b + 12, "IHDR", 4) != 0) {
            free(b);
            return NGX_ERROR;
        }

        *w = (uint32_t) b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
        *h = (uint32_t) b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
        free(b);
        return NGX_OK;
    }

    /* JPEG: segments up to a start of frame (SOF0..15 but DHT, JPG, DAC) */

    for (i = 2; i + 9 < n; i += 2 + seg) {
        if (b[i] != 0xff) {
            break;
        }

        m = b[i + 1];

        if (m == 0xff) {
            seg = (size_t) -1;      /* fill byte: next one */
            continue;
        }

        seg = (size_t) b[i + 2] << 8 | b[i + 3];

        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            *h = (uint32_t) b[i + 5] << 8 | b[i + 6];
            *w = (uint32_t) b[i + 7] << 8 | b[i + 8];
            free(b);
            return NGX_OK;
        }

        if (m == 0xda || seg < 2) {
            break;
        }
    }

    free(b);

    return NGX_ERROR;
}


/*
 * A JPEG decoded at 1/2, 1/4 or 1/8 of its size by libjpeg's DCT scaling,
 * still at least the thumbnail's width: a 12 MP photo costs a tenth of a
 * full decode (the submission waits for its store job).  CMYK, which
 * libjpeg turns into no RGB, goes through libgd's own full decode.
 */

static gdImagePtr
ngx_pa_thumb_jpeg(FILE *fp)
{
    int                              *row;
    JSAMPROW                          line;
    JDIMENSION                        x;
    gdImagePtr             volatile   img;
    JSAMPLE               *volatile   buf;
    ngx_pa_thumb_jerr_t               jerr;
    struct jpeg_decompress_struct     cinfo;

    img = NULL;
    buf = NULL;

    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = ngx_pa_thumb_jpeg_error;
    jerr.pub.emit_message = ngx_pa_thumb_jpeg_quiet;

    if (setjmp(jerr.env)) {
        jpeg_destroy_decompress(&cinfo);
        free(buf);

        if (img != NULL) {
            gdImageDestroy(img);
        }

        return NULL;
    }

    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, fp);
    (void) jpeg_read_header(&cinfo, TRUE);

    if (cinfo.jpeg_color_space == JCS_CMYK
        || cinfo.jpeg_color_space == JCS_YCCK)
    {
        jpeg_destroy_decompress(&cinfo);
        rewind(fp);
        return gdImageCreateFromJpeg(fp);
    }

    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = 1;

    while (cinfo.scale_denom < 8
           && cinfo.image_width / (cinfo.scale_denom * 2)
              >= NGX_PA_THUMB_WIDTH)
    {
        cinfo.scale_denom *= 2;
    }

    cinfo.dct_method = JDCT_IFAST;

    (void) jpeg_start_decompress(&cinfo);

    img = gdImageCreateTrueColor(cinfo.output_width, cinfo.output_height);
    buf = malloc((size_t) cinfo.output_width * 3);

    if (img == NULL || buf == NULL) {
        longjmp(jerr.env, 1);
    }

    while (cinfo.output_scanline < cinfo.output_height) {
        line = buf;
        (void) jpeg_read_scanlines(&cinfo, &line, 1);

        row = img->tpixels[cinfo.output_scanline - 1];

        for (x = 0; x < cinfo.output_width; x++) {
            row[x] = gdTrueColor(buf[3 * x], buf[3 * x + 1], buf[3 * x + 2]);
        }
    }

    (void) jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(buf);

    return img;
}


static void
ngx_pa_thumb_jpeg_error(j_common_ptr cinfo)
{
    ngx_pa_thumb_jerr_t  *jerr = (ngx_pa_thumb_jerr_t *) cinfo->err;

    longjmp(jerr->env, 1);
}


static void
ngx_pa_thumb_jpeg_quiet(j_common_ptr cinfo, int level)
{
    /* warnings of a damaged but readable file: the picture is enough */
}


static void
ngx_pa_thumb_quiet(int priority, const char *format, va_list args)
{
    /* nothing: ngx_pa_thumb_make() logs the outcome with the request */
}
