/*
 * Evidence metadata of media files: capture time, GPS position and editing
 * traces from JPEG EXIF (APP1/TIFF, both byte orders), HEIC/HEIF (Exif item)
 * and MP4/MOV (mvhd creation time, udta/meta location); and a metadata-free
 * copy of a JPEG for the public.  Pure C, every read bounds-checked: input
 * is hostile.
 */

#ifndef NGX_PA_META_H
#define NGX_PA_META_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>


#define NGX_PA_META_TEXT_MAX  64

typedef struct {
    unsigned   has_exif:1;      /* an EXIF/TIFF block (or MP4 moov) found */
    unsigned   has_time:1;      /* capture time found */
    unsigned   time_has_offset:1; /* OffsetTimeOriginal or MP4 (UTC) */
    unsigned   has_gps:1;
    unsigned   has_modify_time:1; /* EXIF DateTime (0x0132) */

    /*
     * Capture time.  With time_has_offset it is a UTC epoch; without it,
     * the local wall-clock read as if it were UTC: the caller subtracts the
     * province's offset.
     */
    time_t     taken_at;
    time_t     modified_at;     /* EXIF DateTime, same convention */

    double     lat;             /* WGS84 degrees, south/west negative */
    double     lng;

    char       software[NGX_PA_META_TEXT_MAX];  /* EXIF Software / encoder */
    char       make[NGX_PA_META_TEXT_MAX];
    char       model[NGX_PA_META_TEXT_MAX];
} ngx_pa_meta_t;

/* media kinds the parsers know */
#define NGX_PA_META_JPEG   1
#define NGX_PA_META_HEIF   2
#define NGX_PA_META_MP4    3    /* also QuickTime .mov */

/*
 * Parses the metadata of a whole file held in memory (fuzzing, tests) or of
 * its beginning.  Returns 0 when the container parsed (metadata may still be
 * absent: see the has_ flags), -1 when it is malformed or truncated before
 * its metadata.
 */
int ngx_pa_meta_parse(int kind, const u_char *buf, size_t len,
    ngx_pa_meta_t *meta);

/*
 * The same for a file on disk, read with pread(): only the parts it needs
 * (JPEG: segments up to the first scan; MP4: box headers and moov, at most
 * 8 MiB of it), so a large video is never read whole.
 */
int ngx_pa_meta_parse_fd(int kind, int fd, off_t size, ngx_pa_meta_t *meta);

/* the raw TIFF structure (after "Exif\0\0"): used by the above; fuzzed */
int ngx_pa_meta_parse_tiff(const u_char *buf, size_t len,
    ngx_pa_meta_t *meta);

/*
 * 1 when the software tag names a photo editor (Photoshop, GIMP, Lightroom,
 * Snapseed, PicsArt, Canva, Pixlr, Affinity, Paint.NET, Meitu ...),
 * case-insensitively.
 */
int ngx_pa_meta_edited_software(const char *software);

/*
 * Copies a JPEG from in_fd to out_fd dropping every APPn segment except a
 * plain JFIF APP0, and every COM segment: no EXIF, no GPS, no XMP, no
 * maker notes, no thumbnails.  The image data is copied as is.  0 or -1
 * (malformed input: out_fd content is then undefined).
 */
int ngx_pa_jpeg_strip_fd(int in_fd, int out_fd);

/* the same in memory: out must hold len bytes; *out_len gets the size */
int ngx_pa_jpeg_strip(const u_char *in, size_t len, u_char *out,
    size_t *out_len);

#endif /* NGX_PA_META_H */
