/*
 * Streaming multipart/form-data parser (RFC 7578).  Fed any number of
 * chunks of any size; part data is handed out as it arrives, so a video
 * part never has to sit in memory.  Pure C, no allocation: the state is
 * the caller's struct.
 */

#ifndef NGX_PA_MULTIPART_H
#define NGX_PA_MULTIPART_H

#include <stddef.h>
#include <sys/types.h>


#define NGX_PA_MP_BOUNDARY_MAX   70     /* RFC 2046 */
#define NGX_PA_MP_HEADER_MAX     2048   /* all header lines of one part */
#define NGX_PA_MP_NAME_MAX       64
#define NGX_PA_MP_FILENAME_MAX   256
#define NGX_PA_MP_CTYPE_MAX      128

/* return codes of feed/finish and of the callbacks */
#define NGX_PA_MP_OK             0
#define NGX_PA_MP_ERROR         -1      /* malformed body: see mp->err */
#define NGX_PA_MP_ABORT         -2      /* a callback said stop */

typedef struct {
    char        name[NGX_PA_MP_NAME_MAX];          /* form field name */
    char        filename[NGX_PA_MP_FILENAME_MAX];  /* "" when none */
    char        content_type[NGX_PA_MP_CTYPE_MAX]; /* "" when none */
    unsigned    has_filename:1;
} ngx_pa_mp_part_t;

typedef struct {
    /* each returns NGX_PA_MP_OK or NGX_PA_MP_ABORT */
    int   (*part_begin)(void *data, const ngx_pa_mp_part_t *part);
    int   (*part_data)(void *data, const u_char *p, size_t len);
    int   (*part_end)(void *data);
    void   *data;
} ngx_pa_mp_handler_t;

typedef struct {
    ngx_pa_mp_handler_t  handler;
    ngx_pa_mp_part_t     part;

    /* "\r\n--" + boundary */
    u_char               delim[NGX_PA_MP_BOUNDARY_MAX + 4];
    size_t               delim_len;

    /* bytes that may be the start of a delimiter, held back */
    u_char               hold[NGX_PA_MP_BOUNDARY_MAX + 8];
    size_t               hold_len;

    u_char               header[NGX_PA_MP_HEADER_MAX];
    size_t               header_len;

    int                  state;
    unsigned             nparts;
    const char          *err;       /* static text describing the error */
} ngx_pa_multipart_t;

/*
 * Extracts the boundary parameter from a Content-Type header value
 * ("multipart/form-data; boundary=..." quoted or not).  Returns 0 and
 * points *b (length *blen) into the header, or -1.
 */
int ngx_pa_multipart_boundary(const u_char *ctype, size_t len,
    const u_char **b, size_t *blen);

int ngx_pa_multipart_init(ngx_pa_multipart_t *mp, const u_char *boundary,
    size_t len, const ngx_pa_mp_handler_t *handler);

/* NGX_PA_MP_OK, NGX_PA_MP_ERROR or NGX_PA_MP_ABORT */
int ngx_pa_multipart_feed(ngx_pa_multipart_t *mp, const u_char *p,
    size_t len);

/* after the last chunk: NGX_PA_MP_OK only if the closing delimiter was seen */
int ngx_pa_multipart_finish(ngx_pa_multipart_t *mp);

#endif /* NGX_PA_MULTIPART_H */
