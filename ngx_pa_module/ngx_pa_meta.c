/*
 * Evidence metadata of media files and metadata-free JPEG copies (see
 * ngx_pa_meta.h).
 *
 * Every file here is hostile input.  Rules kept throughout:
 *  - every offset, count and size is checked against the bytes at hand
 *    before it is used, in 64-bit arithmetic so sums cannot wrap;
 *  - work is bounded: IFDs have at most NGX_PA_IFD_ENTRIES_MAX entries and
 *    at most NGX_PA_IFD_VISITS_MAX of them are visited, each once; box
 *    walks look at NGX_PA_BOXES_MAX boxes per container and nest at a fixed
 *    depth (no recursion on file data);
 *  - the fd variants read only what they need with pread() into buffers of
 *    bounded size that are freed on every path.
 *
 * Parsing stops at the first structural error and the result is then -1
 * with a zeroed ngx_pa_meta_t; a value that is merely implausible (a date
 * like "0000:00:00", a GPS rational with a zero denominator) is ignored and
 * its has_ flag stays 0.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ngx_pa_meta.h"


#define NGX_PA_IFD_ENTRIES_MAX   512     /* real IFDs have < 100 entries */
#define NGX_PA_IFD_VISITS_MAX    8
#define NGX_PA_JPEG_SEG_MAX      65536   /* a segment's length is 16 bits */
#define NGX_PA_JPEG_STEPS_MAX    65536   /* markers + fill bytes walked */
#define NGX_PA_BOXES_MAX         4096    /* boxes looked at per container */
#define NGX_PA_MOOV_MAX          (8 * 1024 * 1024)
#define NGX_PA_HEIF_META_MAX     (1024 * 1024)
#define NGX_PA_HEIF_ITEM_MAX     (1024 * 1024)
#define NGX_PA_KEYS_MAX          256     /* QuickTime metadata keys */
#ifndef NGX_PA_STRIP_WINDOW
#define NGX_PA_STRIP_WINDOW      65536   /* tiny in a fuzz build: edges */
#endif

#define NGX_PA_JPEG_SEG          1       /* ngx_pa_jpeg_marker() results */
#define NGX_PA_JPEG_EOI          2
#define NGX_PA_JPEG_END          3
#define NGX_PA_JPEG_BAD          4

#define NGX_PA_MAC_EPOCH         2082844800LL   /* 1904-01-01 .. 1970 */
#define NGX_PA_TIME_MAX          32503680000LL  /* 3000-01-01 */

#define ngx_pa_4cc(a, b, c, d)                                               \
    ((uint32_t) (a) << 24 | (uint32_t) (b) << 16 | (uint32_t) (c) << 8      \
     | (uint32_t) (d))

#define NGX_PA_BOX_FTYP  ngx_pa_4cc('f', 't', 'y', 'p')
#define NGX_PA_BOX_MOOV  ngx_pa_4cc('m', 'o', 'o', 'v')
#define NGX_PA_BOX_MVHD  ngx_pa_4cc('m', 'v', 'h', 'd')
#define NGX_PA_BOX_UDTA  ngx_pa_4cc('u', 'd', 't', 'a')
#define NGX_PA_BOX_META  ngx_pa_4cc('m', 'e', 't', 'a')
#define NGX_PA_BOX_KEYS  ngx_pa_4cc('k', 'e', 'y', 's')
#define NGX_PA_BOX_ILST  ngx_pa_4cc('i', 'l', 's', 't')
#define NGX_PA_BOX_DATA  ngx_pa_4cc('d', 'a', 't', 'a')
#define NGX_PA_BOX_HDLR  ngx_pa_4cc('h', 'd', 'l', 'r')
#define NGX_PA_BOX_IINF  ngx_pa_4cc('i', 'i', 'n', 'f')
#define NGX_PA_BOX_INFE  ngx_pa_4cc('i', 'n', 'f', 'e')
#define NGX_PA_BOX_ILOC  ngx_pa_4cc('i', 'l', 'o', 'c')
#define NGX_PA_BOX_IDAT  ngx_pa_4cc('i', 'd', 'a', 't')
#define NGX_PA_BOX_LOCI  ngx_pa_4cc('l', 'o', 'c', 'i')
#define NGX_PA_BOX_CXYZ  ngx_pa_4cc(0xa9, 'x', 'y', 'z')
#define NGX_PA_BOX_CTOO  ngx_pa_4cc(0xa9, 't', 'o', 'o')
#define NGX_PA_BOX_CSWR  ngx_pa_4cc(0xa9, 's', 'w', 'r')
#define NGX_PA_BOX_CMAK  ngx_pa_4cc(0xa9, 'm', 'a', 'k')
#define NGX_PA_BOX_CMOD  ngx_pa_4cc(0xa9, 'm', 'o', 'd')


/* where the bytes come from: memory (tests, fuzzing) or a file */
typedef struct {
    const u_char  *mem;
    int            fd;          /* -1 for memory */
    off_t          size;
} ngx_pa_src_t;


/* one TIFF structure being parsed; values are combined at the end */
typedef struct {
    const u_char  *buf;
    size_t         len;
    int            big;         /* "MM": big-endian */
    unsigned       nvisited;
    uint32_t       visited[NGX_PA_IFD_VISITS_MAX];

    int            have_orig, have_digit, have_mod;
    time_t         orig, digit, mod;
    int            have_off_orig, have_off_digit, have_off;
    long           off_orig, off_digit, off;
    int            have_lat, have_lng;
    double         lat, lng;
    u_char         lat_ref, lng_ref;
} ngx_pa_tiff_t;


/* what an MP4 moov told besides the ngx_pa_meta_t fields */
typedef struct {
    int            have_cdate;  /* com.apple.quicktime.creationdate */
    time_t         cdate;
} ngx_pa_mp4_t;


/* an iLoc entry being read: the box's field sizes, then the item's */
typedef struct {
    unsigned       v, osize, lsize, bsize, isize;
    uint32_t       item;
    unsigned       method, extents;
    uint64_t       base, off, len;
} ngx_pa_iloc_t;


/* a software trace found in XMP, merged after EXIF (order is free) */
typedef struct {
    char           creator[NGX_PA_META_TEXT_MAX];
    char           agent[NGX_PA_META_TEXT_MAX];
    int            photoshop;
} ngx_pa_xmp_t;


static ssize_t ngx_pa_src_read(ngx_pa_src_t *src, off_t off, u_char *dst,
    size_t n);
static const u_char *ngx_pa_src_get(ngx_pa_src_t *src, off_t off, size_t n,
    u_char *scratch);
static int ngx_pa_meta_src(int kind, ngx_pa_src_t *src, ngx_pa_meta_t *meta);

static int ngx_pa_tiff(const u_char *buf, size_t len, ngx_pa_meta_t *meta);
static int ngx_pa_tiff_ifd(ngx_pa_tiff_t *t, uint32_t off, int kind,
    ngx_pa_meta_t *meta);
static void ngx_pa_tiff_tag(ngx_pa_tiff_t *t, int kind, const u_char *e,
    ngx_pa_meta_t *meta, uint32_t *exif, uint32_t *gps);
static void ngx_pa_tiff_text(ngx_pa_tiff_t *t, unsigned key,
    const u_char *val, uint32_t count, ngx_pa_meta_t *meta);
static void ngx_pa_tiff_finish(ngx_pa_tiff_t *t, ngx_pa_meta_t *meta);

static int ngx_pa_jpeg_marker(ngx_pa_src_t *src, off_t *off, unsigned *m,
    unsigned *seglen);
static int ngx_pa_jpeg_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta);
static int ngx_pa_jpeg_app1(const u_char *p, size_t n, ngx_pa_meta_t *meta,
    ngx_pa_xmp_t *xmp);
static void ngx_pa_xmp(const u_char *p, size_t n, ngx_pa_xmp_t *xmp);
static void ngx_pa_xmp_merge(ngx_pa_xmp_t *xmp, ngx_pa_meta_t *meta);

static int ngx_pa_src_box(ngx_pa_src_t *src, off_t off, uint32_t *type,
    off_t *body, uint64_t *body_len);
static int ngx_pa_box_next(const u_char *buf, size_t len, size_t *pos,
    uint32_t *type, const u_char **body, size_t *body_len);
static int ngx_pa_mp4_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta);
static void ngx_pa_mp4_moov(const u_char *b, size_t n, ngx_pa_meta_t *meta);
static void ngx_pa_mp4_udta(const u_char *b, size_t n, ngx_pa_meta_t *meta,
    ngx_pa_mp4_t *st);
static void ngx_pa_mp4_metabox(const u_char *b, size_t n,
    ngx_pa_meta_t *meta, ngx_pa_mp4_t *st);
static int ngx_pa_mp4_key(const u_char *keys, size_t n, uint32_t idx,
    const u_char **key, size_t *key_len);
static void ngx_pa_mp4_item(uint32_t type, const u_char *key, size_t key_len,
    const u_char *b, size_t n, ngx_pa_meta_t *meta, ngx_pa_mp4_t *st);
static void ngx_pa_mp4_loci(const u_char *b, size_t n, ngx_pa_meta_t *meta);
static size_t ngx_pa_mp4_value(const u_char *b, size_t n, const u_char **v);


/* a HEIF meta box's children that hold the metadata items */
typedef struct {
    const u_char  *iinf, *iloc, *idat;
    size_t         iinf_len, iloc_len, idat_len;
} ngx_pa_heif_boxes_t;


static int ngx_pa_heif_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta);
static int ngx_pa_heif_meta_box(ngx_pa_src_t *src, off_t *body,
    uint64_t *len);
static void ngx_pa_heif_children(const u_char *mb, size_t n,
    ngx_pa_heif_boxes_t *hb);
static int ngx_pa_heif_exif_xmp(ngx_pa_src_t *src, ngx_pa_heif_boxes_t *hb,
    ngx_pa_meta_t *meta);
static int ngx_pa_heif_brand(const u_char *b, size_t n);
static int ngx_pa_heif_items(const u_char *b, size_t n, uint32_t *exif_id,
    uint32_t *xmp_id);
static int ngx_pa_heif_iloc(const u_char *b, size_t n, uint32_t id,
    unsigned *method, uint64_t *off, uint64_t *len);
static int ngx_pa_heif_iloc_item(const u_char *b, size_t n, size_t *p,
    ngx_pa_iloc_t *e);
static int ngx_pa_heif_item(ngx_pa_src_t *src, const u_char *idat,
    size_t idat_len, unsigned method, uint64_t off, uint64_t len,
    const u_char **data, u_char **alloc);

static int ngx_pa_exif_time(const u_char *s, size_t n, time_t *t);
static int ngx_pa_iso8601(const u_char *s, size_t n, time_t *t);
static int ngx_pa_utc_offset(const u_char *s, size_t n, long *off);
static int ngx_pa_iso6709(const u_char *s, size_t n, double *lat,
    double *lng);
static int ngx_pa_gps_ok(double lat, double lng);
static time_t ngx_pa_epoch(int y, int mon, int d, int h, int min, int sec);
static int ngx_pa_digits(const u_char *s, size_t n);
static void ngx_pa_text(char *dst, const u_char *s, size_t n);
static int ngx_pa_contains(const u_char *s, size_t n, const char *lc);
static const u_char *ngx_pa_memfind(const u_char *p, size_t n,
    const char *what);


static const char  *ngx_pa_editors[] = {
    /* the regulation's "signs of editing": desktop and phone editors */
    "photoshop", "gimp", "lightroom", "snapseed", "picsart", "canva",
    "pixlr", "affinity", "paint.net", "meitu", "facetune", "vsco",
    "photopea", "adobe",
    /* the same kind of tools, and video editors for MP4/MOV */
    "pixelmator", "paintshop", "corel", "fotor", "polarr", "picasa",
    "photoscape", "photodirector", "beautyplus", "airbrush", "youcam",
    "luminar", "capcut", "inshot", "kinemaster", "powerdirector",
    "imovie", "final cut", "davinci", "filmora",
    NULL
};


/* ------------------------------------------------------------ bytes */

static uint16_t
ngx_pa_be16(const u_char *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}


static uint32_t
ngx_pa_be32(const u_char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


static uint64_t
ngx_pa_be64(const u_char *p)
{
    return (uint64_t) ngx_pa_be32(p) << 32 | ngx_pa_be32(p + 4);
}


static uint16_t
ngx_pa_tiff16(const ngx_pa_tiff_t *t, const u_char *p)
{
    return t->big ? ngx_pa_be16(p) : (uint16_t) (p[1] << 8 | p[0]);
}


static uint32_t
ngx_pa_tiff32(const ngx_pa_tiff_t *t, const u_char *p)
{
    if (t->big) {
        return ngx_pa_be32(p);
    }

    return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16
           | (uint32_t) p[1] << 8 | p[0];
}


/* ------------------------------------------------------------ source */

/* up to n bytes at off: fewer only at the end of the source; -1 on error */
static ssize_t
ngx_pa_src_read(ngx_pa_src_t *src, off_t off, u_char *dst, size_t n)
{
    size_t   done;
    ssize_t  r;

    if (off < 0 || off >= src->size) {
        return 0;
    }

    if ((uint64_t) n > (uint64_t) (src->size - off)) {
        n = (size_t) (src->size - off);
    }

    if (src->fd == -1) {
        memcpy(dst, src->mem + off, n);
        return (ssize_t) n;
    }

    for (done = 0; done < n; done += (size_t) r) {
        r = pread(src->fd, dst + done, n - done, off + (off_t) done);

        if (r == -1) {
            if (errno == EINTR) {
                r = 0;
                continue;
            }
            return -1;
        }

        if (r == 0) {
            break;              /* the file shrank under us */
        }
    }

    return (ssize_t) done;
}


/* exactly n bytes at off: in place in memory, else read into scratch */
static const u_char *
ngx_pa_src_get(ngx_pa_src_t *src, off_t off, size_t n, u_char *scratch)
{
    if (off < 0 || off > src->size
        || (uint64_t) n > (uint64_t) (src->size - off))
    {
        return NULL;
    }

    if (src->fd == -1) {
        return src->mem + off;
    }

    if (ngx_pa_src_read(src, off, scratch, n) != (ssize_t) n) {
        return NULL;
    }

    return scratch;
}


/* ------------------------------------------------------------ API */

int
ngx_pa_meta_parse(int kind, const u_char *buf, size_t len,
    ngx_pa_meta_t *meta)
{
    ngx_pa_src_t  src;

    memset(meta, 0, sizeof(ngx_pa_meta_t));

    if (buf == NULL) {
        return -1;
    }

    src.mem = buf;
    src.fd = -1;
    src.size = (off_t) len;

    return ngx_pa_meta_src(kind, &src, meta);
}


int
ngx_pa_meta_parse_fd(int kind, int fd, off_t size, ngx_pa_meta_t *meta)
{
    ngx_pa_src_t  src;

    memset(meta, 0, sizeof(ngx_pa_meta_t));

    if (fd < 0 || size < 0) {
        return -1;
    }

    src.mem = NULL;
    src.fd = fd;
    src.size = size;

    return ngx_pa_meta_src(kind, &src, meta);
}


int
ngx_pa_meta_parse_tiff(const u_char *buf, size_t len, ngx_pa_meta_t *meta)
{
    memset(meta, 0, sizeof(ngx_pa_meta_t));

    if (buf == NULL || ngx_pa_tiff(buf, len, meta) != 0) {
        memset(meta, 0, sizeof(ngx_pa_meta_t));
        return -1;
    }

    return 0;
}


static int
ngx_pa_meta_src(int kind, ngx_pa_src_t *src, ngx_pa_meta_t *meta)
{
    int  rc;

    switch (kind) {

    case NGX_PA_META_JPEG:
        rc = ngx_pa_jpeg_meta(src, meta);
        break;

    case NGX_PA_META_HEIF:
        rc = ngx_pa_heif_meta(src, meta);
        break;

    case NGX_PA_META_MP4:
        rc = ngx_pa_mp4_meta(src, meta);
        break;

    default:
        rc = -1;
    }

    if (rc != 0) {
        /* half-parsed hostile data must not be mistaken for evidence */
        memset(meta, 0, sizeof(ngx_pa_meta_t));
        return -1;
    }

    return 0;
}


int
ngx_pa_meta_edited_software(const char *software)
{
    size_t        n;
    const char  **ed;

    if (software == NULL) {
        return 0;
    }

    n = strlen(software);

    for (ed = ngx_pa_editors; *ed; ed++) {
        if (ngx_pa_contains((const u_char *) software, n, *ed)) {
            return 1;
        }
    }

    return 0;
}


/* ------------------------------------------------------------ TIFF */

static int
ngx_pa_tiff(const u_char *buf, size_t len, ngx_pa_meta_t *meta)
{
    uint32_t       ifd0;
    ngx_pa_tiff_t  t;

    if (len < 8) {
        return -1;
    }

    memset(&t, 0, sizeof(ngx_pa_tiff_t));
    t.buf = buf;
    t.len = len;

    if (buf[0] == 'I' && buf[1] == 'I') {
        t.big = 0;

    } else if (buf[0] == 'M' && buf[1] == 'M') {
        t.big = 1;

    } else {
        return -1;
    }

    if (ngx_pa_tiff16(&t, buf + 2) != 42) {
        return -1;
    }

    ifd0 = ngx_pa_tiff32(&t, buf + 4);

    if (ngx_pa_tiff_ifd(&t, ifd0, 0, meta) != 0) {
        return -1;
    }

    ngx_pa_tiff_finish(&t, meta);
    meta->has_exif = 1;

    return 0;
}


/*
 * kind: 0 IFD0, 1 Exif IFD, 2 GPS IFD.  Only IFD0 links to the others and
 * the thumbnail's IFD1 is not needed, so the depth is 2; the visited list
 * still refuses an IFD seen before, whatever points at it.
 */
static int
ngx_pa_tiff_ifd(ngx_pa_tiff_t *t, uint32_t off, int kind,
    ngx_pa_meta_t *meta)
{
    unsigned       i, count;
    uint32_t       exif, gps;
    const u_char  *p;

    if (off < 8 || (uint64_t) off + 2 > t->len) {
        return -1;
    }

    for (i = 0; i < t->nvisited; i++) {
        if (t->visited[i] == off) {
            return -1;              /* a loop: crafted */
        }
    }

    if (t->nvisited == NGX_PA_IFD_VISITS_MAX) {
        return -1;
    }

    t->visited[t->nvisited++] = off;

    p = t->buf + off;
    count = ngx_pa_tiff16(t, p);

    /* refuse a "zip bomb" IFD at once, before touching its entries */
    if (count > NGX_PA_IFD_ENTRIES_MAX
        || (uint64_t) off + 2 + (uint64_t) count * 12 > t->len)
    {
        return -1;
    }

    exif = 0;
    gps = 0;

    for (i = 0; i < count; i++) {
        ngx_pa_tiff_tag(t, kind, p + 2 + i * 12, meta, &exif, &gps);
    }

    if (exif && ngx_pa_tiff_ifd(t, exif, 1, meta) != 0) {
        return -1;
    }

    if (gps && ngx_pa_tiff_ifd(t, gps, 2, meta) != 0) {
        return -1;
    }

    return 0;
}


/*
 * The value of an entry: inline when it fits in 4 bytes, else at an offset
 * that must lie inside the TIFF.  NULL for an unknown type or a value out
 * of bounds: the tag is then ignored.
 */
static const u_char *
ngx_pa_tiff_value(ngx_pa_tiff_t *t, const u_char *e, unsigned *type,
    uint32_t *count)
{
    static const u_char  sizes[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8,
                                     4 };
    uint64_t             size;
    uint32_t             off;

    *type = ngx_pa_tiff16(t, e + 2);
    *count = ngx_pa_tiff32(t, e + 4);

    if (*type == 0 || *type >= sizeof(sizes)) {
        return NULL;
    }

    size = (uint64_t) sizes[*type] * *count;

    if (size <= 4) {
        return e + 8;
    }

    off = ngx_pa_tiff32(t, e + 8);

    if ((uint64_t) off + size > t->len) {
        return NULL;
    }

    return t->buf + off;
}


/* key: IFD kind << 16 | tag (kind 0: IFD0, 1: Exif IFD, 2: GPS IFD) */
static void
ngx_pa_tiff_text(ngx_pa_tiff_t *t, unsigned key, const u_char *val,
    uint32_t count, ngx_pa_meta_t *meta)
{
    switch (key) {

    case 0x010f:                  /* IFD0 */
        ngx_pa_text(meta->make, val, count);
        return;

    case 0x0110:
        ngx_pa_text(meta->model, val, count);
        return;

    case 0x0131:
        ngx_pa_text(meta->software, val, count);
        return;

    case 0x0132:
        t->have_mod = (ngx_pa_exif_time(val, count, &t->mod) == 0);
        return;

    case 1 << 16 | 0x9003:
        t->have_orig = (ngx_pa_exif_time(val, count, &t->orig) == 0);
        return;

    case 1 << 16 | 0x9004:
        t->have_digit = (ngx_pa_exif_time(val, count, &t->digit) == 0);
        return;

    case 1 << 16 | 0x9010:
        t->have_off = (ngx_pa_utc_offset(val, count, &t->off) == 0);
        return;

    case 1 << 16 | 0x9011:
        t->have_off_orig = (ngx_pa_utc_offset(val, count, &t->off_orig)
                            == 0);
        return;

    case 1 << 16 | 0x9012:
        t->have_off_digit = (ngx_pa_utc_offset(val, count, &t->off_digit)
                             == 0);
        return;

    case 2 << 16 | 0x0001:
        t->lat_ref = count ? val[0] : 0;
        return;

    case 2 << 16 | 0x0003:
        t->lng_ref = count ? val[0] : 0;
        return;
    }
}


static void
ngx_pa_tiff_tag(ngx_pa_tiff_t *t, int kind, const u_char *e,
    ngx_pa_meta_t *meta, uint32_t *exif, uint32_t *gps)
{
    double         v[3];
    unsigned       tag, type, i;
    uint32_t       count;
    const u_char  *val;

    tag = ngx_pa_tiff16(t, e);
    val = ngx_pa_tiff_value(t, e, &type, &count);

    if (val == NULL) {
        return;
    }

    /* text values: ASCII, or UNDEFINED as some writers use */
    if (type == 2 || type == 7) {
        ngx_pa_tiff_text(t, (unsigned) kind << 16 | tag, val, count, meta);
        return;
    }

    if (kind == 0 && (tag == 0x8769 || tag == 0x8825)
        && (type == 4 || type == 13) && count == 1)
    {
        *(tag == 0x8769 ? exif : gps) = ngx_pa_tiff32(t, val);
        return;
    }

    if (kind != 2 || (tag != 0x0002 && tag != 0x0004) || type != 5
        || count < 1 || count > 3)
    {
        return;
    }

    /* degrees, minutes, seconds as RATIONALs; missing parts are 0 */
    v[0] = v[1] = v[2] = 0;

    for (i = 0; i < count; i++) {
        if (ngx_pa_tiff32(t, val + i * 8 + 4) == 0) {
            return;
        }

        v[i] = (double) ngx_pa_tiff32(t, val + i * 8)
               / ngx_pa_tiff32(t, val + i * 8 + 4);
    }

    /* 60 happens: writers round 50' 59.99" to 50' 60" */
    if (v[1] > 60 || v[2] > 60) {
        return;
    }

    if (tag == 0x0002) {
        t->lat = v[0] + v[1] / 60 + v[2] / 3600;
        t->have_lat = 1;

    } else {
        t->lng = v[0] + v[1] / 60 + v[2] / 3600;
        t->have_lng = 1;
    }
}


/*
 * Combines the collected values.  DateTimeOriginal is the capture time,
 * DateTimeDigitized the fallback; DateTime (0x0132) is when the file was
 * last written and is never taken as the capture time, else an edited
 * photo would look fresh.  Each time takes its own offset tag first, then
 * the others, which a device writes for the same zone; so when any offset
 * is present both times are UTC and time_has_offset is set.
 */
static void
ngx_pa_tiff_finish(ngx_pa_tiff_t *t, ngx_pa_meta_t *meta)
{
    long  taken_off, mod_off;
    int   any_off;

    any_off = t->have_off_orig || t->have_off_digit || t->have_off;

    if (t->have_orig) {
        meta->has_time = 1;
        meta->taken_at = t->orig;
        taken_off = t->have_off_orig ? t->off_orig
                    : t->have_off ? t->off : t->off_digit;

    } else if (t->have_digit) {
        meta->has_time = 1;
        meta->taken_at = t->digit;
        taken_off = t->have_off_digit ? t->off_digit
                    : t->have_off ? t->off : t->off_orig;

    } else {
        taken_off = 0;
    }

    mod_off = t->have_off ? t->off
              : t->have_off_orig ? t->off_orig : t->off_digit;

    if (t->have_mod) {
        meta->has_modify_time = 1;
        meta->modified_at = t->mod;
    }

    if (any_off) {
        meta->time_has_offset = 1;
        meta->taken_at -= meta->has_time ? taken_off : 0;
        meta->modified_at -= meta->has_modify_time ? mod_off : 0;
    }

    if (!t->have_lat || !t->have_lng) {
        return;
    }

    /* no reference: the sign is unknown, north/east is assumed */
    if (t->lat_ref == 'S' || t->lat_ref == 's') {
        t->lat = -t->lat;

    } else if (t->lat_ref != 'N' && t->lat_ref != 'n' && t->lat_ref != 0) {
        return;
    }

    if (t->lng_ref == 'W' || t->lng_ref == 'w') {
        t->lng = -t->lng;

    } else if (t->lng_ref != 'E' && t->lng_ref != 'e' && t->lng_ref != 0) {
        return;
    }

    if (ngx_pa_gps_ok(t->lat, t->lng)) {
        meta->has_gps = 1;
        meta->lat = t->lat;
        meta->lng = t->lng;
    }
}


/* ------------------------------------------------------------ JPEG */

/*
 * The next marker at *off, after fill bytes and stand-alone markers (RSTn,
 * TEM: meaningless outside a scan, skipped).  NGX_PA_JPEG_SEG: a segment,
 * its marker and length set, the whole segment inside the file;
 * NGX_PA_JPEG_EOI; NGX_PA_JPEG_END: the data end first (truncated);
 * NGX_PA_JPEG_BAD: a byte where a marker must be, or a bad length.
 */
static int
ngx_pa_jpeg_marker(ngx_pa_src_t *src, off_t *off, unsigned *m,
    unsigned *seglen)
{
    u_char    h[4];
    ssize_t   n;
    unsigned  steps;

    n = 0;

    for (steps = 0; steps < NGX_PA_JPEG_STEPS_MAX; steps++) {
        n = ngx_pa_src_read(src, *off, h, 4);

        if (n < 2 || h[0] != 0xff) {
            break;
        }

        *m = h[1];

        if (*m != 0xff && *m != 0x01 && (*m < 0xd0 || *m > 0xd7)) {
            break;
        }

        *off += *m == 0xff ? 1 : 2;
    }

    if (n == -1 || steps == NGX_PA_JPEG_STEPS_MAX) {
        return NGX_PA_JPEG_BAD;
    }

    if (n < 2) {
        return NGX_PA_JPEG_END;
    }

    if (h[0] != 0xff || *m == 0x00 || *m == 0xd8) {
        return NGX_PA_JPEG_BAD;
    }

    if (*m == 0xd9) {
        return NGX_PA_JPEG_EOI;
    }

    if (n < 4) {
        return NGX_PA_JPEG_END;
    }

    *seglen = ngx_pa_be16(h + 2);

    if (*seglen < 2) {
        return NGX_PA_JPEG_BAD;
    }

    if ((uint64_t) *off + 2 + *seglen > (uint64_t) src->size) {
        return NGX_PA_JPEG_END;
    }

    return NGX_PA_JPEG_SEG;
}


/*
 * Walks the segments from SOI to the first SOS.  APP1 holds EXIF (the first
 * one is used) or XMP.  Data that stop before the scan are a truncated file
 * (or only its beginning): fine when EXIF was already read, else -1; a byte
 * where a marker must be (e.g. HTML after a JPEG header), or EOI before any
 * scan, is always -1.
 */
static int
ngx_pa_jpeg_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta)
{
    int            rc, k;
    off_t          off;
    u_char         soi[2], *scratch;
    unsigned       m, seglen, nseg;
    const u_char  *seg;
    ngx_pa_xmp_t   xmp;

    if (ngx_pa_src_read(src, 0, soi, 2) != 2
        || soi[0] != 0xff || soi[1] != 0xd8)
    {
        return -1;
    }

    scratch = NULL;

    if (src->fd != -1) {
        scratch = malloc(NGX_PA_JPEG_SEG_MAX);
        if (scratch == NULL) {
            return -1;
        }
    }

    memset(&xmp, 0, sizeof(ngx_pa_xmp_t));
    off = 2;
    m = 0;
    k = NGX_PA_JPEG_BAD;

    for (nseg = 0; nseg < NGX_PA_JPEG_STEPS_MAX; nseg++) {

        k = ngx_pa_jpeg_marker(src, &off, &m, &seglen);

        if (k != NGX_PA_JPEG_SEG || m == 0xda) {
            break;
        }

        if (m == 0xe1) {
            seg = ngx_pa_src_get(src, off + 4, seglen - 2, scratch);

            if (seg == NULL
                || ngx_pa_jpeg_app1(seg, seglen - 2, meta, &xmp) != 0)
            {
                k = NGX_PA_JPEG_BAD;
                break;
            }
        }

        off += 2 + seglen;
    }

    free(scratch);

    rc = ((k == NGX_PA_JPEG_SEG && m == 0xda)
          || (k == NGX_PA_JPEG_END && meta->has_exif)) ? 0 : -1;

    if (rc == 0) {
        ngx_pa_xmp_merge(&xmp, meta);
    }

    return rc;
}


static int
ngx_pa_jpeg_app1(const u_char *p, size_t n, ngx_pa_meta_t *meta,
    ngx_pa_xmp_t *xmp)
{
    static const char  xap[] = "http://ns.adobe.com/xap/1.0/";

    if (n >= 6 && memcmp(p, "Exif\0\0", 6) == 0) {
        if (meta->has_exif) {
            return 0;               /* the first EXIF block counts */
        }
        return ngx_pa_tiff(p + 6, n - 6, meta);
    }

    if (n >= sizeof(xap) && memcmp(p, xap, sizeof(xap)) == 0) {
        ngx_pa_xmp(p + sizeof(xap), n - sizeof(xap), xmp);
    }

    return 0;
}


/*
 * The value of an XML attribute (name="v") or element (<name>v<), the
 * first one, or with want_editor the first that names an editor.  Each
 * search resumes after the value just read: linear in n.
 */
static void
ngx_pa_xmp_value(const u_char *p, size_t n, const char *name, char *dst,
    int want_editor)
{
    size_t         i, k;
    u_char         end;
    const u_char  *f, *last;

    last = p + n;

    while ((f = ngx_pa_memfind(p, (size_t) (last - p), name)) != NULL) {
        p = f + strlen(name);
        n = (size_t) (last - p);

        for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++) {
            /* void */
        }

        if (i < n && p[i] == '=') {
            for (i++; i < n && (p[i] == ' ' || p[i] == '\t'); i++) {
                /* void */
            }

            if (i == n || (p[i] != '"' && p[i] != '\'')) {
                continue;
            }

            end = p[i++];

        } else if (i < n && p[i] == '>') {
            i++;
            end = '<';

        } else {
            continue;
        }

        for (k = i; k < n && p[k] != end; k++) {
            /* void */
        }

        if (k == n) {
            return;
        }

        ngx_pa_text(dst, p + i, k - i);

        if (!want_editor || ngx_pa_meta_edited_software(dst)) {
            return;
        }

        dst[0] = '\0';
        p += k + 1;
    }
}


/*
 * XMP traces of editing: xmp:CreatorTool, the stEvt:softwareAgent of an
 * xmpMM:History event, and properties only Photoshop itself writes.  The
 * bare photoshop: namespace is no trace: phones export photoshop:DateCreated.
 */
static void
ngx_pa_xmp(const u_char *p, size_t n, ngx_pa_xmp_t *xmp)
{
    static const char  *ps[] = { "photoshop:History",
                                 "photoshop:DocumentAncestors",
                                 "photoshop:ColorMode",
                                 "photoshop:ICCProfile", NULL };
    const char        **s;

    if (xmp->creator[0] == '\0') {
        ngx_pa_xmp_value(p, n, "CreatorTool", xmp->creator, 0);
    }

    if (xmp->agent[0] == '\0') {
        ngx_pa_xmp_value(p, n, "softwareAgent", xmp->agent, 1);
    }

    for (s = ps; *s; s++) {
        if (ngx_pa_memfind(p, n, *s) != NULL) {
            xmp->photoshop = 1;
        }
    }
}


/*
 * EXIF Software first.  An XMP trace fills it when it is absent, and also
 * replaces it when only the XMP trace names an editor: an editor that kept
 * the camera's EXIF untouched must still show.
 */
static void
ngx_pa_xmp_merge(ngx_pa_xmp_t *xmp, ngx_pa_meta_t *meta)
{
    const char  *trace;

    if (ngx_pa_meta_edited_software(xmp->creator)) {
        trace = xmp->creator;

    } else if (xmp->agent[0]) {
        trace = xmp->agent;

    } else if (xmp->photoshop) {
        trace = "Adobe Photoshop (XMP)";

    } else {
        trace = xmp->creator;
    }

    if (trace[0] == '\0') {
        return;
    }

    if (meta->software[0] == '\0'
        || (!ngx_pa_meta_edited_software(meta->software)
            && ngx_pa_meta_edited_software(trace)))
    {
        ngx_pa_text(meta->software, (const u_char *) trace, strlen(trace));
    }
}


/* ------------------------------------------------------------ boxes */

/*
 * The header of a top-level box of a file at off: 1 with its type and body
 * (whose length may run past the end: the caller checks), 0 at the end of
 * the file, -1 when malformed.  Size 1 means a 64-bit size follows, size 0
 * that the box runs to the end of the file.
 */
static int
ngx_pa_src_box(ngx_pa_src_t *src, off_t off, uint32_t *type, off_t *body,
    uint64_t *body_len)
{
    u_char    h[16];
    size_t    hl;
    ssize_t   n;
    uint64_t  size;

    if (off >= src->size) {
        return 0;
    }

    n = ngx_pa_src_read(src, off, h, sizeof(h));

    if (n < 8) {
        return -1;
    }

    size = ngx_pa_be32(h);
    *type = ngx_pa_be32(h + 4);
    hl = 8;

    if (size == 1) {
        if (n < 16) {
            return -1;
        }
        size = ngx_pa_be64(h + 8);
        hl = 16;

    } else if (size == 0) {
        size = (uint64_t) (src->size - off);
    }

    if (size < hl) {
        return -1;
    }

    *body = off + (off_t) hl;
    *body_len = size - hl;

    return 1;
}


/*
 * The next child box in buf[*pos..len): 1, 0 at the end, -1 when
 * malformed.  QuickTime ends some lists with a 32-bit zero: taken as end.
 */
static int
ngx_pa_box_next(const u_char *buf, size_t len, size_t *pos, uint32_t *type,
    const u_char **body, size_t *body_len)
{
    size_t    p, hl;
    uint64_t  size;

    p = *pos;

    if (p >= len) {
        return 0;
    }

    if (len - p < 8) {
        return (len - p >= 4 && ngx_pa_be32(buf + p) == 0) ? 0 : -1;
    }

    size = ngx_pa_be32(buf + p);
    *type = ngx_pa_be32(buf + p + 4);
    hl = 8;

    if (size == 1) {
        if (len - p < 16) {
            return -1;
        }
        size = ngx_pa_be64(buf + p + 8);
        hl = 16;

    } else if (size == 0) {
        size = len - p;
    }

    if (size < hl || size > len - p) {
        return -1;
    }

    *body = buf + p + hl;
    *body_len = (size_t) size - hl;
    *pos = p + (size_t) size;

    return 1;
}


/* ------------------------------------------------------------ MP4 */

/*
 * Walks the top-level boxes to moov and reads it (at most NGX_PA_MOOV_MAX
 * of it: mvhd comes first, a bigger moov only loses late udta entries).
 * The file must start with a box a QuickTime/MP4 file starts with; no moov
 * before the end (or a box cut by the end) is -1.
 */
static int
ngx_pa_mp4_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta)
{
    off_t          off, body;
    size_t         n;
    u_char        *alloc;
    unsigned       i;
    uint32_t       type;
    uint64_t       len;
    const u_char  *moov;

    off = 0;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_src_box(src, off, &type, &body, &len) != 1) {
            return -1;
        }

        if (i == 0
            && type != NGX_PA_BOX_FTYP && type != NGX_PA_BOX_MOOV
            && type != ngx_pa_4cc('w', 'i', 'd', 'e')
            && type != ngx_pa_4cc('f', 'r', 'e', 'e')
            && type != ngx_pa_4cc('s', 'k', 'i', 'p')
            && type != ngx_pa_4cc('m', 'd', 'a', 't')
            && type != ngx_pa_4cc('p', 'n', 'o', 't'))
        {
            return -1;
        }

        if (len > (uint64_t) (src->size - body)) {
            return -1;              /* truncated before moov */
        }

        if (type == NGX_PA_BOX_MOOV) {
            break;
        }

        off = body + (off_t) len;
    }

    if (i == NGX_PA_BOXES_MAX) {
        return -1;
    }

    n = len > NGX_PA_MOOV_MAX ? NGX_PA_MOOV_MAX : (size_t) len;
    alloc = NULL;

    if (src->fd != -1) {
        alloc = malloc(n ? n : 1);
        if (alloc == NULL) {
            return -1;
        }
    }

    moov = ngx_pa_src_get(src, body, n, alloc);

    if (moov == NULL) {
        free(alloc);
        return -1;
    }

    ngx_pa_mp4_moov(moov, n, meta);
    meta->has_exif = 1;

    free(alloc);

    return 0;
}


/* children of moov that a malformed one stops (fields found are kept) */
static void
ngx_pa_mp4_moov(const u_char *b, size_t n, ngx_pa_meta_t *meta)
{
    size_t         pos, blen;
    unsigned       i;
    uint32_t       type;
    uint64_t       t;
    const u_char  *body;
    ngx_pa_mp4_t   st;

    memset(&st, 0, sizeof(ngx_pa_mp4_t));
    pos = 0;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(b, n, &pos, &type, &body, &blen) != 1) {
            break;
        }

        switch (type) {

        case NGX_PA_BOX_MVHD:
            /* version 0: 32-bit times, 1: 64-bit; after version+flags */
            if (blen >= 20 && body[0] == 0) {
                t = ngx_pa_be32(body + 4);

            } else if (blen >= 32 && body[0] == 1) {
                t = ngx_pa_be64(body + 4);

            } else {
                break;
            }

            /* 0 means unknown; before 1970 or after 3000 is nonsense */
            if (t > NGX_PA_MAC_EPOCH
                && t - NGX_PA_MAC_EPOCH < NGX_PA_TIME_MAX)
            {
                meta->has_time = 1;
                meta->time_has_offset = 1;
                meta->taken_at = (time_t) (t - NGX_PA_MAC_EPOCH);
            }
            break;

        case NGX_PA_BOX_UDTA:
            ngx_pa_mp4_udta(body, blen, meta, &st);
            break;

        case NGX_PA_BOX_META:
            ngx_pa_mp4_metabox(body, blen, meta, &st);
            break;
        }
    }

    if (!meta->has_time && st.have_cdate) {
        meta->has_time = 1;
        meta->time_has_offset = 1;
        meta->taken_at = st.cdate;
    }
}


static void
ngx_pa_mp4_udta(const u_char *b, size_t n, ngx_pa_meta_t *meta,
    ngx_pa_mp4_t *st)
{
    size_t         pos, blen;
    unsigned       i;
    uint32_t       type;
    const u_char  *body;

    pos = 0;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(b, n, &pos, &type, &body, &blen) != 1) {
            break;
        }

        if (type == NGX_PA_BOX_META) {
            ngx_pa_mp4_metabox(body, blen, meta, st);

        } else if (type == NGX_PA_BOX_LOCI) {
            ngx_pa_mp4_loci(body, blen, meta);

        } else {
            ngx_pa_mp4_item(type, NULL, 0, body, blen, meta, st);
        }
    }
}


/*
 * A meta box: ISO's (udta/meta, a full box) or QuickTime's (moov/meta, a
 * plain box); told apart by where hdlr is.  Holds ilst items named by a
 * four-character code, or by the index of an entry of keys (mdta).
 */
static void
ngx_pa_mp4_metabox(const u_char *b, size_t n, ngx_pa_meta_t *meta,
    ngx_pa_mp4_t *st)
{
    size_t         pos, blen, klen, ilen, ksize, isize;
    unsigned       i;
    uint32_t       type;
    const u_char  *body, *keys, *ilst, *key, *item;

    if (n >= 12 && ngx_pa_be32(b + 4) == NGX_PA_BOX_HDLR) {
        pos = 0;

    } else {
        pos = 4;
    }

    keys = NULL;
    ilst = NULL;
    klen = 0;
    ilen = 0;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(b, n, &pos, &type, &body, &blen) != 1) {
            break;
        }

        if (type == NGX_PA_BOX_KEYS) {
            keys = body;
            klen = blen;

        } else if (type == NGX_PA_BOX_ILST) {
            ilst = body;
            ilen = blen;
        }
    }

    if (ilst == NULL) {
        return;
    }

    pos = 0;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(ilst, ilen, &pos, &type, &item, &isize) != 1) {
            break;
        }

        /* an item type is a key index when the box has keys */
        if (keys == NULL) {
            ngx_pa_mp4_item(type, NULL, 0, item, isize, meta, st);

        } else if (ngx_pa_mp4_key(keys, klen, type, &key, &ksize) == 0) {
            ngx_pa_mp4_item(type, key, ksize, item, isize, meta, st);
        }
    }
}


/*
 * Key number idx (from 1) of a keys box: version+flags, entry count, then
 * entries of a 32-bit size (with its 8-byte header), a namespace, a name.
 */
static int
ngx_pa_mp4_key(const u_char *keys, size_t n, uint32_t idx,
    const u_char **key, size_t *key_len)
{
    size_t    pos;
    uint32_t  k;

    if (n < 8 || idx == 0 || idx > ngx_pa_be32(keys + 4)
        || idx > NGX_PA_KEYS_MAX)
    {
        return -1;
    }

    pos = 8;

    for (k = 1; pos + 8 <= n; k++) {
        *key_len = ngx_pa_be32(keys + pos);

        if (*key_len < 8 || *key_len > n - pos) {
            return -1;
        }

        if (k == idx) {
            *key = keys + pos + 8;
            *key_len -= 8;
            return 0;
        }

        pos += *key_len;
    }

    return -1;
}


/* one metadata entry, named by a 4CC, or by a key when key is not NULL */
static void
ngx_pa_mp4_item(uint32_t type, const u_char *key, size_t key_len,
    const u_char *b, size_t n, ngx_pa_meta_t *meta, ngx_pa_mp4_t *st)
{
    char           *dst;
    size_t          vlen;
    const u_char   *v;

#define ngx_pa_key_is(s)                                                     \
    (key_len == sizeof(s) - 1 && memcmp(key, s, sizeof(s) - 1) == 0)

    dst = NULL;

    if (key != NULL) {
        if (ngx_pa_key_is("com.apple.quicktime.location.ISO6709")) {
            type = NGX_PA_BOX_CXYZ;

        } else if (ngx_pa_key_is("com.apple.quicktime.software")) {
            type = NGX_PA_BOX_CSWR;

        } else if (ngx_pa_key_is("com.apple.quicktime.make")) {
            type = NGX_PA_BOX_CMAK;

        } else if (ngx_pa_key_is("com.apple.quicktime.model")) {
            type = NGX_PA_BOX_CMOD;

        } else if (ngx_pa_key_is("com.apple.quicktime.creationdate")) {
            vlen = ngx_pa_mp4_value(b, n, &v);
            if (vlen && !st->have_cdate) {
                st->have_cdate = (ngx_pa_iso8601(v, vlen, &st->cdate) == 0);
            }
            return;

        } else {
            return;
        }
    }

#undef ngx_pa_key_is

    switch (type) {

    case NGX_PA_BOX_CXYZ:
        vlen = ngx_pa_mp4_value(b, n, &v);
        if (vlen && !meta->has_gps
            && ngx_pa_iso6709(v, vlen, &meta->lat, &meta->lng) == 0)
        {
            meta->has_gps = 1;
        }
        return;

    case NGX_PA_BOX_CSWR:
    case NGX_PA_BOX_CTOO:
        /* a named software wins over the encoder library */
        if (meta->software[0] && type == NGX_PA_BOX_CTOO) {
            return;
        }
        dst = meta->software;
        break;

    case NGX_PA_BOX_CMAK:
        dst = meta->make;
        break;

    case NGX_PA_BOX_CMOD:
        dst = meta->model;
        break;

    default:
        return;
    }

    vlen = ngx_pa_mp4_value(b, n, &v);

    if (vlen) {
        ngx_pa_text(dst, v, vlen);
    }
}


/*
 * A text value: an iTunes-style 'data' box (type, locale, bytes) or a
 * QuickTime user-data string (16-bit length, language, bytes).
 */
static size_t
ngx_pa_mp4_value(const u_char *b, size_t n, const u_char **v)
{
    size_t  size;

    if (n >= 16 && ngx_pa_be32(b + 4) == NGX_PA_BOX_DATA) {
        size = ngx_pa_be32(b);

        if (size < 16 || size > n) {
            return 0;
        }

        *v = b + 16;
        return size - 16;
    }

    if (n < 4) {
        return 0;
    }

    size = ngx_pa_be16(b);

    if (size > n - 4) {
        return 0;
    }

    *v = b + 4;
    return size;
}


/* 3GPP loci: version+flags, language, name, role, 16.16 lng, lat, alt */
static void
ngx_pa_mp4_loci(const u_char *b, size_t n, ngx_pa_meta_t *meta)
{
    size_t   i;
    double   lat, lng;
    int32_t  v;

    if (meta->has_gps || n < 6) {
        return;
    }

    for (i = 6; i < n && b[i] != '\0'; i++) {
        /* the place name */
    }

    if (n - i < 1 + 1 + 8) {
        return;
    }

    i += 2;                         /* NUL, role */

    v = (int32_t) ngx_pa_be32(b + i);
    lng = v / 65536.0;
    v = (int32_t) ngx_pa_be32(b + i + 4);
    lat = v / 65536.0;

    if (ngx_pa_gps_ok(lat, lng)) {
        meta->has_gps = 1;
        meta->lat = lat;
        meta->lng = lng;
    }
}


/* ------------------------------------------------------------ HEIF */

/*
 * ftyp (a HEIF brand), then the top-level meta box: iinf names the Exif
 * item (and an XMP 'mime' item), iloc says where its bytes are (in the
 * file, or in meta's idat).  The Exif item starts with a 32-bit offset to
 * the TIFF header.  Items split in several extents are not read (no
 * camera writes them for Exif): has_exif stays 0.
 */
static int
ngx_pa_heif_meta(ngx_pa_src_t *src, ngx_pa_meta_t *meta)
{
    int                   rc;
    off_t                 body;
    size_t                n;
    u_char               *alloc;
    uint64_t              len;
    const u_char         *mb;
    ngx_pa_heif_boxes_t   hb;

    if (ngx_pa_heif_meta_box(src, &body, &len) != 0) {
        return -1;
    }

    n = (size_t) len;
    alloc = NULL;

    if (src->fd != -1) {
        alloc = malloc(n);
        if (alloc == NULL) {
            return -1;
        }
    }

    mb = ngx_pa_src_get(src, body, n, alloc);

    if (mb == NULL) {
        free(alloc);
        return -1;
    }

    ngx_pa_heif_children(mb, n, &hb);

    rc = ngx_pa_heif_exif_xmp(src, &hb, meta);

    free(alloc);

    return rc;
}


/* a HEIF brand in ftyp, then the top-level meta box: its body and size */

static int
ngx_pa_heif_meta_box(ngx_pa_src_t *src, off_t *body, uint64_t *len)
{
    int        rc;
    off_t      off;
    size_t     n;
    u_char     ftyp[64];
    unsigned   i;
    uint32_t   type;

    rc = ngx_pa_src_box(src, 0, &type, body, len);

    if (rc != 1 || type != NGX_PA_BOX_FTYP || *len < 8) {
        return -1;
    }

    n = *len > sizeof(ftyp) ? sizeof(ftyp) : (size_t) *len;

    if (ngx_pa_src_read(src, *body, ftyp, n) != (ssize_t) n
        || !ngx_pa_heif_brand(ftyp, n))
    {
        return -1;
    }

    off = *body + (off_t) *len;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        rc = ngx_pa_src_box(src, off, &type, body, len);

        if (rc != 1 || *len > (uint64_t) (src->size - *body)) {
            return -1;
        }

        if (type == NGX_PA_BOX_META) {
            break;
        }

        off = *body + (off_t) *len;
    }

    if (i == NGX_PA_BOXES_MAX || *len > NGX_PA_HEIF_META_MAX || *len < 4) {
        return -1;
    }

    return 0;
}


/* meta's iinf, iloc and idat (meta is a full box: its children at 4) */

static void
ngx_pa_heif_children(const u_char *mb, size_t n, ngx_pa_heif_boxes_t *hb)
{
    size_t         pos, blen;
    unsigned       i;
    uint32_t       type;
    const u_char  *b;

    memset(hb, 0, sizeof(ngx_pa_heif_boxes_t));
    pos = 4;

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(mb, n, &pos, &type, &b, &blen) != 1) {
            break;
        }

        if (type == NGX_PA_BOX_IINF) {
            hb->iinf = b;
            hb->iinf_len = blen;

        } else if (type == NGX_PA_BOX_ILOC) {
            hb->iloc = b;
            hb->iloc_len = blen;

        } else if (type == NGX_PA_BOX_IDAT) {
            hb->idat = b;
            hb->idat_len = blen;
        }
    }
}


/* the Exif item (a bad one: -1) and the XMP item, where iinf names them */

static int
ngx_pa_heif_exif_xmp(ngx_pa_src_t *src, ngx_pa_heif_boxes_t *hb,
    ngx_pa_meta_t *meta)
{
    int            rc;
    u_char        *ialloc;
    unsigned       method;
    uint32_t       exif_id, xmp_id;
    uint64_t       ioff, ilen, tiff;
    const u_char  *item;
    ngx_pa_xmp_t   xmp;

    if (hb->iinf == NULL || hb->iloc == NULL
        || ngx_pa_heif_items(hb->iinf, hb->iinf_len, &exif_id, &xmp_id) != 0)
    {
        return 0;
    }

    rc = 0;

    if (exif_id
        && ngx_pa_heif_iloc(hb->iloc, hb->iloc_len, exif_id, &method, &ioff,
                            &ilen)
           == 0
        && ngx_pa_heif_item(src, hb->idat, hb->idat_len, method, ioff, ilen,
                            &item, &ialloc) == 0)
    {
        /* the item: 32-bit offset of the TIFF header after it */
        tiff = ilen >= 4 ? ngx_pa_be32(item) : ilen;

        if (ilen < 4 || tiff > ilen - 4
            || ngx_pa_tiff(item + 4 + tiff, (size_t) (ilen - 4 - tiff), meta)
               != 0)
        {
            rc = -1;
        }

        free(ialloc);
    }

    if (rc == 0 && xmp_id
        && ngx_pa_heif_iloc(hb->iloc, hb->iloc_len, xmp_id, &method, &ioff,
                            &ilen)
           == 0
        && ngx_pa_heif_item(src, hb->idat, hb->idat_len, method, ioff, ilen,
                            &item, &ialloc) == 0)
    {
        memset(&xmp, 0, sizeof(ngx_pa_xmp_t));
        ngx_pa_xmp(item, (size_t) ilen, &xmp);
        ngx_pa_xmp_merge(&xmp, meta);
        free(ialloc);
    }

    return rc;
}


/* the ftyp body: major brand, version, compatible brands */
static int
ngx_pa_heif_brand(const u_char *b, size_t n)
{
    size_t    i;
    uint32_t  brand;

    for (i = 0; i + 4 <= n; i += 4) {
        if (i == 4) {
            continue;               /* minor version */
        }

        brand = ngx_pa_be32(b + i);

        if (brand == ngx_pa_4cc('h', 'e', 'i', 'c')
            || brand == ngx_pa_4cc('h', 'e', 'i', 'x')
            || brand == ngx_pa_4cc('h', 'e', 'i', 'm')
            || brand == ngx_pa_4cc('h', 'e', 'i', 's')
            || brand == ngx_pa_4cc('m', 'i', 'f', '1')
            || brand == ngx_pa_4cc('m', 's', 'f', '1')
            || brand == ngx_pa_4cc('a', 'v', 'i', 'f'))
        {
            return 1;
        }
    }

    return 0;
}


/* iinf: the ids of the 'Exif' item and of an XMP 'mime' item (0: none) */
static int
ngx_pa_heif_items(const u_char *b, size_t n, uint32_t *exif_id,
    uint32_t *xmp_id)
{
    static const char  rdf[] = "application/rdf+xml";
    size_t             pos, blen, p, k;
    unsigned           i;
    uint32_t           type, id, itype;
    const u_char      *e;

    *exif_id = 0;
    *xmp_id = 0;

    if (n < 6) {
        return -1;
    }

    pos = b[0] == 0 ? 6 : 8;        /* version 0: 16-bit entry count */

    for (i = 0; i < NGX_PA_BOXES_MAX; i++) {
        if (ngx_pa_box_next(b, n, &pos, &type, &e, &blen) != 1) {
            break;
        }

        /* infe version 2 (16-bit id) or 3 (32-bit id) carries a type */
        if (type != NGX_PA_BOX_INFE || blen < 4 || (e[0] != 2 && e[0] != 3)) {
            continue;
        }

        p = e[0] == 2 ? 6 : 8;

        if (blen < p + 6) {
            continue;
        }

        id = e[0] == 2 ? ngx_pa_be16(e + 4) : ngx_pa_be32(e + 4);
        itype = ngx_pa_be32(e + p + 2);

        if (itype == ngx_pa_4cc('E', 'x', 'i', 'f')) {
            if (*exif_id == 0) {
                *exif_id = id;
            }
            continue;
        }

        if (itype != ngx_pa_4cc('m', 'i', 'm', 'e')) {
            continue;
        }

        /* item_name then content_type, both NUL-terminated */
        for (k = p + 6; k < blen && e[k] != '\0'; k++) {
            /* void */
        }

        k++;

        if (k < blen && blen - k >= sizeof(rdf) - 1
            && memcmp(e + k, rdf, sizeof(rdf) - 1) == 0 && *xmp_id == 0)
        {
            *xmp_id = id;
        }
    }

    return 0;
}


/* a big-endian field of 0, 4 or 8 bytes, as iloc sizes them */
static int
ngx_pa_heif_field(const u_char *b, size_t n, size_t *p, unsigned size,
    uint64_t *v)
{
    if (size != 0 && size != 4 && size != 8) {
        return -1;
    }

    if (n - *p < size) {
        return -1;
    }

    *v = size == 8 ? ngx_pa_be64(b + *p)
         : size == 4 ? ngx_pa_be32(b + *p) : 0;
    *p += size;

    return 0;
}


/* iloc: the construction method and single extent of item id */
static int
ngx_pa_heif_iloc(const u_char *b, size_t n, uint32_t id, unsigned *method,
    uint64_t *off, uint64_t *len)
{
    size_t          p;
    unsigned        v;
    uint32_t        count, i;
    ngx_pa_iloc_t   e;

    if (n < 8 || b[0] > 2) {
        return -1;
    }

    v = b[0];
    e.osize = b[4] >> 4;
    e.lsize = b[4] & 0xf;
    e.bsize = b[5] >> 4;
    e.isize = v ? b[5] & 0xf : 0;
    e.v = v;
    p = 6;

    if (v < 2) {
        count = ngx_pa_be16(b + p);
        p += 2;

    } else {
        if (n - p < 4) {
            return -1;
        }
        count = ngx_pa_be32(b + p);
        p += 4;
    }

    for (i = 0; i < count && i < NGX_PA_BOXES_MAX; i++) {

        if (ngx_pa_heif_iloc_item(b, n, &p, &e) != 0) {
            return -1;
        }

        if (e.item != id) {
            continue;
        }

        if (e.extents != 1 || e.len == 0 || e.base > UINT64_MAX - e.off) {
            return -1;
        }

        *method = e.method;
        *off = e.base + e.off;
        *len = e.len;

        return 0;
    }

    return -1;
}


/* one item of iloc at *p; the last extent is kept */
static int
ngx_pa_heif_iloc_item(const u_char *b, size_t n, size_t *p, ngx_pa_iloc_t *e)
{
    unsigned  j;
    uint64_t  skip;

    if (n - *p < (e->v < 2 ? 2u : 4u)) {
        return -1;
    }

    e->item = e->v < 2 ? ngx_pa_be16(b + *p) : ngx_pa_be32(b + *p);
    *p += e->v < 2 ? 2 : 4;
    e->method = 0;

    if (e->v) {
        if (n - *p < 2) {
            return -1;
        }
        e->method = ngx_pa_be16(b + *p) & 0xf;
        *p += 2;
    }

    if (n - *p < 2) {                   /* data_reference_index */
        return -1;
    }

    *p += 2;

    if (ngx_pa_heif_field(b, n, p, e->bsize, &e->base) != 0 || n - *p < 2) {
        return -1;
    }

    e->extents = ngx_pa_be16(b + *p);
    *p += 2;
    e->off = 0;
    e->len = 0;

    /* extents of no bytes at all would make a long empty loop */
    for (j = 0; j < e->extents && e->isize + e->osize + e->lsize; j++) {
        if (ngx_pa_heif_field(b, n, p, e->isize, &skip) != 0
            || ngx_pa_heif_field(b, n, p, e->osize, &e->off) != 0
            || ngx_pa_heif_field(b, n, p, e->lsize, &e->len) != 0)
        {
            return -1;
        }
    }

    return 0;
}


/* the bytes of an item: in the file (method 0) or in idat (method 1) */
static int
ngx_pa_heif_item(ngx_pa_src_t *src, const u_char *idat, size_t idat_len,
    unsigned method, uint64_t off, uint64_t len, const u_char **data,
    u_char **alloc)
{
    *alloc = NULL;

    if (len > NGX_PA_HEIF_ITEM_MAX) {
        return -1;
    }

    if (method == 1) {
        if (idat == NULL || off > idat_len || len > idat_len - off) {
            return -1;
        }

        *data = idat + off;
        return 0;
    }

    if (method != 0 || off > (uint64_t) src->size) {
        return -1;
    }

    if (src->fd != -1) {
        *alloc = malloc((size_t) len);
        if (*alloc == NULL) {
            return -1;
        }
    }

    *data = ngx_pa_src_get(src, (off_t) off, (size_t) len, *alloc);

    if (*data == NULL) {
        free(*alloc);
        *alloc = NULL;
        return -1;
    }

    return 0;
}


/* ------------------------------------------------------------ strip */

/*
 * The public copy of a JPEG.  Kept: SOI, every table and frame segment
 * (DQT, DHT, DAC, DRI, DNL, SOFn, SOS ...), the entropy-coded data of every
 * scan byte for byte (stuffed FF00 and RSTn included), EOI; a JFIF APP0
 * (rewritten without its thumbnail) and an Adobe APP14 (12 fixed bytes
 * without any text: it says how CMYK/RGB samples are coded, and dropping it
 * would change the colours).  Dropped: every other APPn (EXIF, XMP, ICC,
 * maker notes, thumbnails, Photoshop IRB) and COM, wherever they are, also
 * between the scans of a progressive JPEG; fill bytes; whatever follows
 * EOI (phones append videos and trailers there; a polyglot hides HTML).
 *
 * Rather than copying blindly after the first SOS, each scan is followed to
 * the marker that ends it, so segments between progressive scans are
 * filtered too.  A file that ends before EOI, or has no frame or scan, is
 * refused: the copy would not decode.
 */

typedef struct {
    u_char  *out;               /* memory output, or NULL */
    size_t   cap;
    size_t   len;
    int      fd;
} ngx_pa_wr_t;


static int ngx_pa_strip_window(ngx_pa_wr_t *w, const u_char *p, size_t n,
    size_t *used);


/* memmove: the memory variant may write over its own input */
static int
ngx_pa_wr(ngx_pa_wr_t *w, const u_char *p, size_t n)
{
    ssize_t  r;

    if (w->out != NULL) {
        if (n > w->cap - w->len) {
            return -1;
        }

        memmove(w->out + w->len, p, n);
        w->len += n;
        return 0;
    }

    for ( /* void */ ; n; p += r, n -= (size_t) r) {
        r = write(w->fd, p, n);

        if (r == -1) {
            if (errno != EINTR) {
                return -1;
            }
            r = 0;
        }
    }

    return 0;
}


/* up to wsize bytes at off: in place in memory, else read into win */
static ssize_t
ngx_pa_src_peek(ngx_pa_src_t *src, off_t off, u_char *win, size_t wsize,
    const u_char **p)
{
    if (src->fd == -1) {
        if (off >= src->size) {
            return 0;
        }

        *p = src->mem + off;
        return (ssize_t) (src->size - off);
    }

    *p = win;

    return ngx_pa_src_read(src, off, win, wsize);
}


static int
ngx_pa_strip_copy(ngx_pa_src_t *src, ngx_pa_wr_t *w, off_t off, size_t n,
    u_char *win, size_t wsize)
{
    ssize_t        got;
    const u_char  *p;

    while (n && (got = ngx_pa_src_peek(src, off, win, wsize, &p)) > 0) {

        if ((size_t) got > n) {
            got = (ssize_t) n;
        }

        if (ngx_pa_wr(w, p, (size_t) got) != 0) {
            return -1;
        }

        off += got;
        n -= (size_t) got;
    }

    return n ? -1 : 0;
}


/*
 * Copies the entropy-coded data at off up to the marker that ends it and
 * returns that marker's offset, or -1 (also when the file ends first).
 */
static off_t
ngx_pa_strip_scan(ngx_pa_src_t *src, ngx_pa_wr_t *w, off_t off, u_char *win,
    size_t wsize)
{
    int            rc;
    size_t         used;
    ssize_t        got;
    const u_char  *p;

    rc = 0;
    used = 0;                   /* not set when the window fails */

    while (rc == 0 && (got = ngx_pa_src_peek(src, off, win, wsize, &p)) >= 2)
    {
        rc = ngx_pa_strip_window(w, p, (size_t) got, &used);
        off += (off_t) used;
    }

    return rc == 1 ? off : -1;
}


/*
 * One window p[0..n), n >= 2, of entropy-coded data: FF00 and RSTn belong
 * to the data; an FF before another FF is a fill byte and is dropped; any
 * other FFxx ends the scan: 1 with *used its offset.  Else 0 with *used
 * the bytes consumed: all but a last FF, which waits for the next byte.
 */
static int
ngx_pa_strip_window(ngx_pa_wr_t *w, const u_char *p, size_t n, size_t *used)
{
    size_t         i, start, end;
    const u_char  *ff;

    i = 0;
    start = 0;

    while (i + 1 < n && (ff = memchr(p + i, 0xff, n - 1 - i)) != NULL) {
        i = (size_t) (ff - p);

        if (p[i + 1] == 0x00 || (p[i + 1] >= 0xd0 && p[i + 1] <= 0xd7)) {
            i += 2;
            continue;
        }

        if (ngx_pa_wr(w, p + start, i - start) != 0) {
            return -1;
        }

        if (p[i + 1] != 0xff) {
            *used = i;
            return 1;
        }

        start = ++i;
    }

    end = (i < n && p[n - 1] == 0xff) ? n - 1 : n;

    if (ngx_pa_wr(w, p + start, end - start) != 0) {
        return -1;
    }

    *used = end;

    return 0;
}


static int
ngx_pa_strip(ngx_pa_src_t *src, ngx_pa_wr_t *w, u_char *win, size_t wsize)
{
    int       frame, scan, jfif, k;
    off_t     off;
    u_char    h[18];
    unsigned  m, seglen, nseg;

    if (ngx_pa_src_read(src, 0, h, 2) != 2 || h[0] != 0xff || h[1] != 0xd8
        || ngx_pa_wr(w, h, 2) != 0)
    {
        return -1;
    }

    off = 2;
    frame = 0;
    scan = 0;
    jfif = 0;

    k = NGX_PA_JPEG_BAD;

    for (nseg = 0; nseg < NGX_PA_JPEG_STEPS_MAX; nseg++) {

        k = ngx_pa_jpeg_marker(src, &off, &m, &seglen);

        if (k != NGX_PA_JPEG_SEG) {
            break;
        }

        if ((m >= 0xe0 && m <= 0xef) || m == 0xfe) {

            if (m == 0xe0 && !jfif && seglen >= 16
                && ngx_pa_src_read(src, off, h, 18) == 18
                && memcmp(h + 4, "JFIF\0", 5) == 0)
            {
                /* version, units, densities kept; thumbnail 0x0 */
                jfif = 1;
                h[2] = 0;
                h[3] = 16;
                h[16] = 0;
                h[17] = 0;

                if (ngx_pa_wr(w, h, 18) != 0) {
                    return -1;
                }

            } else if (m == 0xee && seglen == 14
                       && ngx_pa_src_read(src, off, h, 16) == 16
                       && memcmp(h + 4, "Adobe", 5) == 0)
            {
                if (ngx_pa_wr(w, h, 16) != 0) {
                    return -1;
                }
            }

            off += 2 + seglen;
            continue;
        }

        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            frame = 1;
        }

        if (m == 0xda && !frame) {
            return -1;
        }

        if (ngx_pa_strip_copy(src, w, off, 2 + seglen, win, wsize) != 0) {
            return -1;
        }

        off += 2 + seglen;

        if (m == 0xda) {
            scan = 1;
            off = ngx_pa_strip_scan(src, w, off, win, wsize);

            if (off == -1) {
                return -1;
            }
        }
    }

    if (k != NGX_PA_JPEG_EOI || !scan) {
        return -1;
    }

    return ngx_pa_wr(w, (const u_char *) "\xff\xd9", 2);
}


int
ngx_pa_jpeg_strip(const u_char *in, size_t len, u_char *out,
    size_t *out_len)
{
    u_char        win[1];
    ngx_pa_wr_t   w;
    ngx_pa_src_t  src;

    *out_len = 0;

    if (in == NULL || out == NULL) {
        return -1;
    }

    src.mem = in;
    src.fd = -1;
    src.size = (off_t) len;

    w.out = out;
    w.cap = len;
    w.len = 0;
    w.fd = -1;

    /* memory is read in place: the window is never used */
    if (ngx_pa_strip(&src, &w, win, sizeof(win)) != 0) {
        return -1;
    }

    *out_len = w.len;

    return 0;
}


int
ngx_pa_jpeg_strip_fd(int in_fd, int out_fd)
{
    int           rc;
    u_char       *win;
    struct stat   st;
    ngx_pa_wr_t   w;
    ngx_pa_src_t  src;

    if (fstat(in_fd, &st) == -1) {
        return -1;
    }

    src.mem = NULL;
    src.fd = in_fd;
    src.size = st.st_size;

    w.out = NULL;
    w.cap = 0;
    w.len = 0;
    w.fd = out_fd;

    win = malloc(NGX_PA_STRIP_WINDOW);
    if (win == NULL) {
        return -1;
    }

    rc = ngx_pa_strip(&src, &w, win, NGX_PA_STRIP_WINDOW);

    free(win);

    return rc;
}


/* ------------------------------------------------------------ values */

/* n ASCII digits as a number, -1 if any is not a digit */
static int
ngx_pa_digits(const u_char *s, size_t n)
{
    int     v;
    size_t  i;

    v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }

    return v;
}


/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static time_t
ngx_pa_epoch(int y, int mon, int d, int h, int min, int sec)
{
    long  era, yoe, doy, doe, days;

    y -= mon <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;

    return (time_t) days * 86400 + h * 3600 + min * 60 + sec;
}


/* a real date and time, years 1900..2999 */
static int
ngx_pa_valid_time(int y, int mon, int d, int h, int min, int sec)
{
    static const int  mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31 };
    int               leap;

    if (y < 1900 || y > 2999 || mon < 1 || mon > 12 || d < 1
        || h < 0 || h > 23 || min < 0 || min > 59 || sec < 0 || sec > 59)
    {
        return 0;
    }

    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return d <= mdays[mon - 1] + (mon == 2 && leap);
}


/* "YYYY:MM:DD HH:MM:SS", the wall clock of the camera */
static int
ngx_pa_exif_time(const u_char *s, size_t n, time_t *t)
{
    int  y, mon, d, h, min, sec;

    if (n < 19 || s[4] != ':' || s[7] != ':' || s[10] != ' '
        || s[13] != ':' || s[16] != ':')
    {
        return -1;
    }

    y = ngx_pa_digits(s, 4);
    mon = ngx_pa_digits(s + 5, 2);
    d = ngx_pa_digits(s + 8, 2);
    h = ngx_pa_digits(s + 11, 2);
    min = ngx_pa_digits(s + 14, 2);
    sec = ngx_pa_digits(s + 17, 2);

    if (!ngx_pa_valid_time(y, mon, d, h, min, sec)) {
        return -1;
    }

    *t = ngx_pa_epoch(y, mon, d, h, min, sec);

    return 0;
}


/* "+07:00" or "+0700" (also "Z"): seconds east of UTC */
static int
ngx_pa_utc_offset(const u_char *s, size_t n, long *off)
{
    int  h, m;

    if (n >= 1 && s[0] == 'Z') {
        *off = 0;
        return 0;
    }

    if (n < 5 || (s[0] != '+' && s[0] != '-')) {
        return -1;
    }

    h = ngx_pa_digits(s + 1, 2);

    if (s[3] == ':') {
        if (n < 6) {
            return -1;
        }
        m = ngx_pa_digits(s + 4, 2);

    } else {
        m = ngx_pa_digits(s + 3, 2);
    }

    if (h < 0 || h > 14 || m < 0 || m > 59) {
        return -1;
    }

    *off = (h * 3600L + m * 60L) * (s[0] == '-' ? -1 : 1);

    return 0;
}


/* "YYYY-MM-DDTHH:MM:SS" and an offset, as a UTC epoch */
static int
ngx_pa_iso8601(const u_char *s, size_t n, time_t *t)
{
    int   y, mon, d, h, min, sec;
    long  off;

    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T'
        || s[13] != ':' || s[16] != ':')
    {
        return -1;
    }

    y = ngx_pa_digits(s, 4);
    mon = ngx_pa_digits(s + 5, 2);
    d = ngx_pa_digits(s + 8, 2);
    h = ngx_pa_digits(s + 11, 2);
    min = ngx_pa_digits(s + 14, 2);
    sec = ngx_pa_digits(s + 17, 2);

    if (!ngx_pa_valid_time(y, mon, d, h, min, sec)) {
        return -1;
    }

    s += 19;
    n -= 19;

    if (s[0] == '.') {              /* fraction of a second */
        do {
            s++;
            n--;
        } while (n > 0 && s[0] >= '0' && s[0] <= '9');
    }

    if (ngx_pa_utc_offset(s, n, &off) != 0) {
        return -1;
    }

    *t = ngx_pa_epoch(y, mon, d, h, min, sec) - off;

    return 0;
}


/*
 * One ISO 6709 coordinate: sign, then degrees, degrees+minutes or
 * degrees+minutes+seconds told apart by the count of integer digits (deg
 * digits: 2 for latitude, 3 for longitude), optional fraction.
 */
static int
ngx_pa_iso6709_part(const u_char *s, size_t n, size_t *p, int deg,
    double *v)
{
    int     sign, k;
    size_t  i, start;
    double  ip, frac, scale;

    i = *p;

    if (i >= n || (s[i] != '+' && s[i] != '-')) {
        return -1;
    }

    sign = s[i++] == '-' ? -1 : 1;
    start = i;

    while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 8) {
        i++;
    }

    k = (int) (i - start);
    frac = 0;
    scale = 1;

    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9' && scale < 1e12; i++) {
            scale *= 10;
            frac += (s[i] - '0') / scale;
        }
    }

    if (k == deg) {
        *v = ngx_pa_digits(s + start, k) + frac;

    } else if (k == deg + 2) {
        ip = ngx_pa_digits(s + start + deg, 2) + frac;
        *v = ngx_pa_digits(s + start, deg) + ip / 60;

    } else if (k == deg + 4) {
        ip = ngx_pa_digits(s + start + deg + 2, 2) + frac;
        *v = ngx_pa_digits(s + start, deg)
             + ngx_pa_digits(s + start + deg, 2) / 60.0 + ip / 3600;

    } else {
        return -1;
    }

    *v *= sign;
    *p = i;

    return 0;
}


/* "+22.3960+103.4580/" (an altitude may follow the longitude) */
static int
ngx_pa_iso6709(const u_char *s, size_t n, double *lat, double *lng)
{
    size_t  p;
    double  la, lo;

    p = 0;

    if (ngx_pa_iso6709_part(s, n, &p, 2, &la) != 0
        || ngx_pa_iso6709_part(s, n, &p, 3, &lo) != 0)
    {
        return -1;
    }

    if (p < n && s[p] != '/' && s[p] != '+' && s[p] != '-') {
        return -1;
    }

    if (!ngx_pa_gps_ok(la, lo)) {
        return -1;
    }

    *lat = la;
    *lng = lo;

    return 0;
}


/* in range, and not 0,0: what devices write when they had no fix */
static int
ngx_pa_gps_ok(double lat, double lng)
{
    return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
           && !(lat == 0 && lng == 0);
}


/*
 * A text field: stops at NUL, at most NGX_PA_META_TEXT_MAX - 1 bytes,
 * blanks trimmed, bytes outside printable ASCII shown as '?' so the value
 * is safe in logs and JSON.
 */
static void
ngx_pa_text(char *dst, const u_char *s, size_t n)
{
    size_t  i, k;

    k = 0;

    for (i = 0; i < n && s[i] != '\0' && k < NGX_PA_META_TEXT_MAX - 1; i++) {
        if (k == 0 && (s[i] == ' ' || s[i] == '\t')) {
            continue;
        }

        dst[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char) s[i] : '?';
    }

    while (k > 0 && dst[k - 1] == ' ') {
        k--;
    }

    dst[k] = '\0';
}


static const u_char *
ngx_pa_memfind(const u_char *p, size_t n, const char *what)
{
    size_t         w;
    const u_char  *f, *last;

    w = strlen(what);

    if (w == 0 || n < w) {
        return NULL;
    }

    last = p + n - w;

    while (p <= last) {
        f = memchr(p, what[0], (size_t) (last - p) + 1);

        if (f == NULL) {
            return NULL;
        }

        if (memcmp(f, what, w) == 0) {
            return f;
        }

        p = f + 1;
    }

    return NULL;
}


/* 1 when lower-case lc occurs in s[0..n), ignoring the case of s */
static int
ngx_pa_contains(const u_char *s, size_t n, const char *lc)
{
    size_t  i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; lc[j] != '\0' && i + j < n; j++) {
            if ((s[i + j] >= 'A' && s[i + j] <= 'Z'
                 ? s[i + j] - 'A' + 'a' : s[i + j]) != (u_char) lc[j])
            {
                break;
            }
        }

        if (lc[j] == '\0') {
            return 1;
        }
    }

    return 0;
}
