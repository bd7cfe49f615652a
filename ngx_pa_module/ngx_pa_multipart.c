/*
 * Streaming multipart/form-data parser (RFC 7578, RFC 2046 framing).
 *
 * The parser is a byte-exact state machine over the caller's struct, so
 * any chunking of a body gives the same parts, the same headers and the
 * same data bytes (only the sizes of the part_data pieces differ).
 *
 * The delimiter is "\r\n--" + boundary.  A boundary cannot hold CR, so a
 * CR is the only byte where a delimiter can start: body bytes are scanned
 * with memchr() for CR and everything before it goes out at once; only a
 * trailing partial match is kept in mp->hold until the next chunk says
 * whether it was a delimiter or data.  Strict where ambiguity would let
 * two parsers (WAF, backend) disagree: CRLF only, no header folding, no
 * duplicate Content-Disposition parameters.
 */

#include <string.h>

#include "ngx_pa_multipart.h"


enum {
    NGX_PA_MP_ST_PREAMBLE = 0,  /* before the first delimiter: discarded */
    NGX_PA_MP_ST_AFTER_DELIM,   /* right after "--boundary" */
    NGX_PA_MP_ST_CLOSE_DASH,    /* after "--boundary-" */
    NGX_PA_MP_ST_PADDING,       /* transport padding before the CRLF */
    NGX_PA_MP_ST_DELIM_CR,      /* CR of the delimiter line seen */
    NGX_PA_MP_ST_HEADERS,
    NGX_PA_MP_ST_BODY,
    NGX_PA_MP_ST_EPILOGUE,      /* after the close delimiter: discarded */
    NGX_PA_MP_ST_ERROR,
    NGX_PA_MP_ST_ABORTED
};


static int ngx_pa_mp_fail(ngx_pa_multipart_t *mp, const char *err);
static int ngx_pa_mp_abort(ngx_pa_multipart_t *mp);
static int ngx_pa_mp_data(ngx_pa_multipart_t *mp, const u_char *p,
    size_t len);
static int ngx_pa_mp_delimiter(ngx_pa_multipart_t *mp);
static int ngx_pa_mp_scan(ngx_pa_multipart_t *mp, const u_char **pp,
    const u_char *end);
static int ngx_pa_mp_headers(ngx_pa_multipart_t *mp, const u_char **pp,
    const u_char *end);
static int ngx_pa_mp_part_begin(ngx_pa_multipart_t *mp, size_t len);
static int ngx_pa_mp_disposition(ngx_pa_multipart_t *mp, const u_char *p,
    const u_char *end);
static int ngx_pa_mp_param(const u_char **pp, const u_char *end,
    u_char *buf, size_t size, size_t *len);
static int ngx_pa_mp_ext_value(const u_char *p, size_t len, u_char *buf,
    size_t *out, int *utf8);
static void ngx_pa_mp_set_filename(ngx_pa_mp_part_t *part, const u_char *p,
    size_t len);
static int ngx_pa_mp_tchar(u_char c);
static int ngx_pa_mp_bchar(u_char c);
static int ngx_pa_mp_ci_eq(const u_char *p, size_t len, const char *s);
static const u_char *ngx_pa_mp_ows(const u_char *p, const u_char *end);


static int
ngx_pa_mp_tchar(u_char c)
{
    /* RFC 7230 token characters */
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
        return 1;
    }

    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}


static int
ngx_pa_mp_bchar(u_char c)
{
    /* RFC 2046 bcharsnospace, plus space (not last, checked by caller) */
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
        return 1;
    }

    return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}


static int
ngx_pa_mp_ci_eq(const u_char *p, size_t len, const char *s)
{
    size_t  i;
    u_char  c;

    if (strlen(s) != len) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = p[i];
        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }
        if (c != (u_char) s[i]) {
            return 0;
        }
    }

    return 1;
}


static const u_char *
ngx_pa_mp_ows(const u_char *p, const u_char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    return p;
}


int
ngx_pa_multipart_boundary(const u_char *ctype, size_t len,
    const u_char **b, size_t *blen)
{
    const u_char  *p, *end, *name;
    int            found;

    p = ctype;
    end = ctype + len;

    p = ngx_pa_mp_ows(p, end);

    name = p;
    while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
        p++;
    }

    if (!ngx_pa_mp_ci_eq(name, p - name, "multipart/form-data")) {
        return -1;
    }

    found = 0;

    for ( ;; ) {
        const u_char  *v;
        size_t         nlen, vlen;

        p = ngx_pa_mp_ows(p, end);

        if (p == end) {
            return found ? 0 : -1;
        }

        if (*p++ != ';') {
            return -1;
        }

        p = ngx_pa_mp_ows(p, end);
        if (p == end) {
            return found ? 0 : -1;
        }

        name = p;
        while (p < end && ngx_pa_mp_tchar(*p)) {
            p++;
        }

        nlen = p - name;
        if (nlen == 0 || p == end || *p++ != '=') {
            return -1;
        }

        if (p < end && *p == '"') {
            v = ++p;
            while (p < end && *p != '"') {
                if (*p == '\\') {
                    return -1;      /* never needed by a valid boundary */
                }
                p++;
            }
            if (p == end) {
                return -1;
            }
            vlen = p++ - v;

        } else {
            v = p;
            while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
                p++;
            }
            vlen = p - v;
        }

        if (ngx_pa_mp_ci_eq(name, nlen, "boundary")) {
            if (found || vlen == 0) {
                return -1;
            }
            found = 1;
            *b = v;
            *blen = vlen;
        }
    }
}


int
ngx_pa_multipart_init(ngx_pa_multipart_t *mp, const u_char *boundary,
    size_t len, const ngx_pa_mp_handler_t *handler)
{
    size_t  i;

    memset(mp, 0, sizeof(ngx_pa_multipart_t));

    if (handler) {
        mp->handler = *handler;
    }

    if (len == 0) {
        return ngx_pa_mp_fail(mp, "empty multipart boundary");
    }

    if (len > NGX_PA_MP_BOUNDARY_MAX) {
        return ngx_pa_mp_fail(mp,
                              "multipart boundary longer than 70 characters");
    }

    for (i = 0; i < len; i++) {
        if (!ngx_pa_mp_bchar(boundary[i])) {
            return ngx_pa_mp_fail(mp,
                                  "invalid character in multipart boundary");
        }
    }

    if (boundary[len - 1] == ' ') {
        return ngx_pa_mp_fail(mp, "multipart boundary ends with a space");
    }

    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, boundary, len);
    mp->delim_len = len + 4;

    /*
     * The first delimiter may open the body without a line break before
     * it: start as if "\r\n" had just been matched.
     */
    memcpy(mp->hold, "\r\n", 2);
    mp->hold_len = 2;

    mp->state = NGX_PA_MP_ST_PREAMBLE;

    return NGX_PA_MP_OK;
}


static int
ngx_pa_mp_fail(ngx_pa_multipart_t *mp, const char *err)
{
    mp->state = NGX_PA_MP_ST_ERROR;
    mp->err = err;

    return NGX_PA_MP_ERROR;
}


static int
ngx_pa_mp_abort(ngx_pa_multipart_t *mp)
{
    mp->state = NGX_PA_MP_ST_ABORTED;
    mp->err = "stopped by the part handler";

    return NGX_PA_MP_ABORT;
}


static int
ngx_pa_mp_data(ngx_pa_multipart_t *mp, const u_char *p, size_t len)
{
    if (len == 0 || mp->state != NGX_PA_MP_ST_BODY
        || mp->handler.part_data == NULL)
    {
        return NGX_PA_MP_OK;
    }

    if (mp->handler.part_data(mp->handler.data, p, len) != NGX_PA_MP_OK) {
        return ngx_pa_mp_abort(mp);
    }

    return NGX_PA_MP_OK;
}


static int
ngx_pa_mp_delimiter(ngx_pa_multipart_t *mp)
{
    int  was_body;

    was_body = (mp->state == NGX_PA_MP_ST_BODY);

    mp->hold_len = 0;
    mp->state = NGX_PA_MP_ST_AFTER_DELIM;

    if (was_body && mp->handler.part_end
        && mp->handler.part_end(mp->handler.data) != NGX_PA_MP_OK)
    {
        return ngx_pa_mp_abort(mp);
    }

    return NGX_PA_MP_OK;
}


/*
 * Preamble and part data: consumes input up to and including the next
 * delimiter, or all of it.  Data goes out in as few pieces as possible:
 * the held bytes of the previous chunk (when they turn out not to be a
 * delimiter) and then one run of this chunk.
 */

static int
ngx_pa_mp_scan(ngx_pa_multipart_t *mp, const u_char **pp, const u_char *end)
{
    const u_char  *p, *q, *run;
    size_t         k, dlen;
    const u_char  *delim;

    p = *pp;
    run = p;
    delim = mp->delim;
    dlen = mp->delim_len;

    if (mp->hold_len) {
        k = mp->hold_len;

        while (p < end && k < dlen && *p == delim[k]) {
            p++;
            k++;
        }

        if (k == dlen) {
            *pp = p;
            return ngx_pa_mp_delimiter(mp);
        }

        if (p == end) {
            memcpy(mp->hold + mp->hold_len, run, p - run);
            mp->hold_len = k;
            *pp = p;
            return NGX_PA_MP_OK;
        }

        /*
         * Not a delimiter: the held bytes are data, and so are the bytes
         * matched here (they stay in the run).  The mismatching byte is
         * looked at again: it may be the CR of a real delimiter.
         */

        k = mp->hold_len;
        mp->hold_len = 0;

        if (ngx_pa_mp_data(mp, mp->hold, k) != NGX_PA_MP_OK) {
            return NGX_PA_MP_ABORT;
        }
    }

    for ( ;; ) {
        q = memchr(p, '\r', end - p);

        if (q == NULL) {
            *pp = end;
            return ngx_pa_mp_data(mp, run, end - run);
        }

        p = q;
        k = 0;

        while (p < end && k < dlen && *p == delim[k]) {
            p++;
            k++;
        }

        if (k == dlen) {
            *pp = p;

            if (ngx_pa_mp_data(mp, run, q - run) != NGX_PA_MP_OK) {
                return NGX_PA_MP_ABORT;
            }

            return ngx_pa_mp_delimiter(mp);
        }

        if (p == end) {
            memcpy(mp->hold, q, k);
            mp->hold_len = k;
            *pp = end;
            return ngx_pa_mp_data(mp, run, q - run);
        }

        /* k >= 1: the CR was consumed, so the loop makes progress */
    }
}


/*
 * Collects one part's header block up to the empty line.  The block is
 * parsed only once complete, so chunking cannot change the outcome.
 */

static int
ngx_pa_mp_headers(ngx_pa_multipart_t *mp, const u_char **pp,
    const u_char *end)
{
    const u_char  *p;
    u_char         c, prev;

    p = *pp;

    while (p < end) {
        size_t  n;

        c = *p++;
        n = mp->header_len;
        prev = n ? mp->header[n - 1] : '\0';

        if (n == NGX_PA_MP_HEADER_MAX) {
            return ngx_pa_mp_fail(mp, "part headers too large");
        }

        if (prev == '\r' && c != '\n') {
            return ngx_pa_mp_fail(mp, "bare CR in part headers");
        }

        if (c == '\n') {
            if (prev != '\r') {
                return ngx_pa_mp_fail(mp,
                    "bare LF in part headers (CRLF line endings required)");
            }

            if (n == 1
                || (n >= 3 && mp->header[n - 3] == '\r'
                    && mp->header[n - 2] == '\n'))
            {
                /* the empty line: header[0 .. n - 1) are complete lines */
                *pp = p;
                return ngx_pa_mp_part_begin(mp, n - 1);
            }
        }

        mp->header[n] = c;
        mp->header_len = n + 1;
    }

    *pp = p;
    return NGX_PA_MP_OK;
}


static int
ngx_pa_mp_part_begin(ngx_pa_multipart_t *mp, size_t len)
{
    const u_char      *p, *end, *eol, *colon, *s;
    ngx_pa_mp_part_t  *part;
    int                seen_cd, rc;

    part = &mp->part;
    memset(part, 0, sizeof(ngx_pa_mp_part_t));

    seen_cd = 0;
    p = mp->header;
    end = mp->header + len;

    while (p < end) {
        const u_char  *v, *vend;

        /* every line ends with CRLF: checked while collecting */
        eol = memchr(p, '\r', end - p);
        if (eol == NULL) {
            return ngx_pa_mp_fail(mp, "malformed part header line");
        }

        if (*p == ' ' || *p == '\t') {
            return ngx_pa_mp_fail(mp,
                "obsolete line folding in part headers is not allowed");
        }

        colon = memchr(p, ':', eol - p);
        if (colon == NULL || colon == p) {
            return ngx_pa_mp_fail(mp, "malformed part header line");
        }

        for (s = p; s < colon; s++) {
            if (!ngx_pa_mp_tchar(*s)) {
                return ngx_pa_mp_fail(mp, "invalid part header name");
            }
        }

        for (s = colon + 1; s < eol; s++) {
            if ((*s < 0x20 && *s != '\t') || *s == 0x7f) {
                return ngx_pa_mp_fail(mp,
                                      "control character in part header");
            }
        }

        v = ngx_pa_mp_ows(colon + 1, eol);
        vend = eol;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) {
            vend--;
        }

        if (ngx_pa_mp_ci_eq(p, colon - p, "content-disposition")) {
            if (seen_cd) {
                return ngx_pa_mp_fail(mp, "duplicate Content-Disposition");
            }
            seen_cd = 1;

            rc = ngx_pa_mp_disposition(mp, v, vend);
            if (rc != NGX_PA_MP_OK) {
                return rc;
            }

        } else if (ngx_pa_mp_ci_eq(p, colon - p, "content-type")) {
            if (part->content_type[0] != '\0') {
                return ngx_pa_mp_fail(mp, "duplicate part Content-Type");
            }
            if ((size_t) (vend - v) >= NGX_PA_MP_CTYPE_MAX) {
                return ngx_pa_mp_fail(mp, "part Content-Type too long");
            }
            memcpy(part->content_type, v, vend - v);
            part->content_type[vend - v] = '\0';
        }

        /* other headers (Content-Transfer-Encoding, ...) are ignored */

        p = eol + 2;
    }

    if (!seen_cd) {
        return ngx_pa_mp_fail(mp, "part without Content-Disposition");
    }

    if (part->name[0] == '\0') {
        return ngx_pa_mp_fail(mp, "part without a name");
    }

    mp->nparts++;
    mp->state = NGX_PA_MP_ST_BODY;
    mp->hold_len = 0;

    if (mp->handler.part_begin
        && mp->handler.part_begin(mp->handler.data, part) != NGX_PA_MP_OK)
    {
        return ngx_pa_mp_abort(mp);
    }

    return NGX_PA_MP_OK;
}


/*
 * Content-Disposition: form-data; name="x"; filename="y"; filename*=...
 * (RFC 7578 4.2, RFC 6266 grammar).  filename* wins over filename.
 */

static int
ngx_pa_mp_disposition(ngx_pa_multipart_t *mp, const u_char *p,
    const u_char *end)
{
    u_char             buf[NGX_PA_MP_HEADER_MAX];
    const u_char      *name;
    size_t             vlen;
    int                seen_name, seen_fn, seen_fnx, utf8_fn;
    ngx_pa_mp_part_t  *part;

    part = &mp->part;

    name = p;
    while (p < end && ngx_pa_mp_tchar(*p)) {
        p++;
    }

    if (!ngx_pa_mp_ci_eq(name, p - name, "form-data")) {
        return ngx_pa_mp_fail(mp, "part disposition is not form-data");
    }

    seen_name = 0;
    seen_fn = 0;
    seen_fnx = 0;
    utf8_fn = 0;

    for ( ;; ) {
        size_t  nlen;

        p = ngx_pa_mp_ows(p, end);

        if (p == end) {
            return NGX_PA_MP_OK;
        }

        if (*p++ != ';') {
            return ngx_pa_mp_fail(mp, "malformed Content-Disposition");
        }

        p = ngx_pa_mp_ows(p, end);
        if (p == end) {
            return NGX_PA_MP_OK;        /* a trailing ';' is harmless */
        }

        name = p;
        while (p < end && ngx_pa_mp_tchar(*p)) {
            p++;
        }
        nlen = p - name;

        p = ngx_pa_mp_ows(p, end);

        if (nlen == 0 || p == end || *p++ != '=') {
            return ngx_pa_mp_fail(mp,
                                  "malformed Content-Disposition parameter");
        }

        p = ngx_pa_mp_ows(p, end);

        if (ngx_pa_mp_param(&p, end, buf, sizeof(buf), &vlen) != 0) {
            return ngx_pa_mp_fail(mp,
                           "malformed Content-Disposition parameter value");
        }

        if (ngx_pa_mp_ci_eq(name, nlen, "name")) {
            if (seen_name++) {
                return ngx_pa_mp_fail(mp, "duplicate part name");
            }
            if (vlen >= NGX_PA_MP_NAME_MAX) {
                return ngx_pa_mp_fail(mp, "part name too long");
            }
            memcpy(part->name, buf, vlen);
            part->name[vlen] = '\0';

        } else if (ngx_pa_mp_ci_eq(name, nlen, "filename")) {
            if (seen_fn++) {
                return ngx_pa_mp_fail(mp, "duplicate part filename");
            }
            part->has_filename = 1;
            if (!utf8_fn) {
                ngx_pa_mp_set_filename(part, buf, vlen);
            }

        } else if (ngx_pa_mp_ci_eq(name, nlen, "filename*")) {
            if (seen_fnx++) {
                return ngx_pa_mp_fail(mp, "duplicate part filename*");
            }
            if (ngx_pa_mp_ext_value(buf, vlen, buf, &vlen, &utf8_fn) != 0) {
                return ngx_pa_mp_fail(mp, "malformed part filename*");
            }
            if (utf8_fn) {
                part->has_filename = 1;
                ngx_pa_mp_set_filename(part, buf, vlen);
            }
        }

        /* unknown parameters are ignored */
    }
}


/* a long file name is cut on a UTF-8 character boundary */

static void
ngx_pa_mp_set_filename(ngx_pa_mp_part_t *part, const u_char *p, size_t len)
{
    if (len >= NGX_PA_MP_FILENAME_MAX) {
        len = NGX_PA_MP_FILENAME_MAX - 1;
        while (len > 0 && (p[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    memcpy(part->filename, p, len);
    part->filename[len] = '\0';
}


/* a token or a quoted-string (backslash escapes) decoded into buf */

static int
ngx_pa_mp_param(const u_char **pp, const u_char *end, u_char *buf,
    size_t size, size_t *len)
{
    const u_char  *p;
    size_t         n;

    p = *pp;
    n = 0;

    if (p < end && *p == '"') {
        p++;

        for ( ;; ) {
            if (p == end) {
                return -1;
            }

            if (*p == '"') {
                p++;
                break;
            }

            if (*p == '\\') {
                if (++p == end) {
                    return -1;
                }
            }

            if (n == size) {
                return -1;
            }

            buf[n++] = *p++;
        }

    } else {
        while (p < end && ngx_pa_mp_tchar(*p)) {
            if (n == size) {
                return -1;
            }
            buf[n++] = *p++;
        }

        if (n == 0) {
            return -1;
        }
    }

    *pp = p;
    *len = n;

    return 0;
}


/*
 * RFC 5987 ext-value: charset "'" [ language ] "'" pct-encoded value.
 * Decodes into buf, which may be p itself: the output is never longer.
 * *utf8 tells whether the charset was UTF-8; for any other charset the
 * caller keeps the plain filename.
 */

static int
ngx_pa_mp_ext_value(const u_char *p, size_t len, u_char *buf, size_t *out,
    int *utf8)
{
    const u_char  *end, *q;
    size_t         n;
    u_char         c, h;
    int            i, charset_utf8;

    end = p + len;

    q = memchr(p, '\'', len);
    if (q == NULL) {
        return -1;
    }

    charset_utf8 = ngx_pa_mp_ci_eq(p, q - p, "utf-8");

    q = memchr(q + 1, '\'', end - (q + 1));
    if (q == NULL) {
        return -1;
    }

    p = q + 1;
    n = 0;

    while (p < end) {
        c = *p++;

        if (c == '%') {
            if (end - p < 2) {
                return -1;
            }

            c = 0;
            for (i = 0; i < 2; i++) {
                h = *p++;
                if (h >= '0' && h <= '9') {
                    h -= '0';
                } else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f') {
                    h = (h | 0x20) - 'a' + 10;
                } else {
                    return -1;
                }
                c = (u_char) (c << 4 | h);
            }

            if (c < 0x20 || c == 0x7f) {
                return -1;              /* NUL, CR, LF... in a file name */
            }

        } else if (!ngx_pa_mp_tchar(c)) {
            return -1;
        }

        buf[n++] = c;
    }

    *out = n;
    *utf8 = charset_utf8;

    return 0;
}


int
ngx_pa_multipart_feed(ngx_pa_multipart_t *mp, const u_char *p, size_t len)
{
    const u_char  *end;
    int            rc;
    u_char         c;

    end = p + len;

    if (mp->state == NGX_PA_MP_ST_ERROR) {
        return NGX_PA_MP_ERROR;
    }

    if (mp->state == NGX_PA_MP_ST_ABORTED) {
        return NGX_PA_MP_ABORT;
    }

    while (p < end) {

        switch (mp->state) {

        case NGX_PA_MP_ST_PREAMBLE:
        case NGX_PA_MP_ST_BODY:
            rc = ngx_pa_mp_scan(mp, &p, end);
            if (rc != NGX_PA_MP_OK) {
                return rc;
            }
            break;

        case NGX_PA_MP_ST_AFTER_DELIM:
            c = *p++;

            if (c == '-') {
                mp->state = NGX_PA_MP_ST_CLOSE_DASH;
            } else if (c == ' ' || c == '\t') {
                mp->state = NGX_PA_MP_ST_PADDING;
            } else if (c == '\r') {
                mp->state = NGX_PA_MP_ST_DELIM_CR;
            } else if (c == '\n') {
                return ngx_pa_mp_fail(mp,
                    "bare LF after multipart boundary (CRLF required)");
            } else {
                return ngx_pa_mp_fail(mp,
                    "unexpected characters after multipart boundary");
            }
            break;

        case NGX_PA_MP_ST_CLOSE_DASH:
            if (*p++ != '-') {
                return ngx_pa_mp_fail(mp,
                    "unexpected characters after multipart boundary");
            }
            mp->state = NGX_PA_MP_ST_EPILOGUE;
            break;

        case NGX_PA_MP_ST_PADDING:
            c = *p++;

            if (c == '\r') {
                mp->state = NGX_PA_MP_ST_DELIM_CR;
            } else if (c == '\n') {
                return ngx_pa_mp_fail(mp,
                    "bare LF after multipart boundary (CRLF required)");
            } else if (c != ' ' && c != '\t') {
                return ngx_pa_mp_fail(mp,
                    "unexpected characters after multipart boundary");
            }
            break;

        case NGX_PA_MP_ST_DELIM_CR:
            if (*p++ != '\n') {
                return ngx_pa_mp_fail(mp, "bare CR after multipart boundary");
            }
            mp->header_len = 0;
            mp->state = NGX_PA_MP_ST_HEADERS;
            break;

        case NGX_PA_MP_ST_HEADERS:
            rc = ngx_pa_mp_headers(mp, &p, end);
            if (rc != NGX_PA_MP_OK) {
                return rc;
            }
            break;

        case NGX_PA_MP_ST_EPILOGUE:
            return NGX_PA_MP_OK;

        case NGX_PA_MP_ST_ABORTED:
            return NGX_PA_MP_ABORT;

        default: /* NGX_PA_MP_ST_ERROR */
            return NGX_PA_MP_ERROR;
        }
    }

    return NGX_PA_MP_OK;
}


int
ngx_pa_multipart_finish(ngx_pa_multipart_t *mp)
{
    switch (mp->state) {

    case NGX_PA_MP_ST_EPILOGUE:
        return NGX_PA_MP_OK;

    case NGX_PA_MP_ST_ERROR:
        return NGX_PA_MP_ERROR;

    case NGX_PA_MP_ST_ABORTED:
        return NGX_PA_MP_ABORT;

    case NGX_PA_MP_ST_PREAMBLE:
        return ngx_pa_mp_fail(mp, "no multipart boundary in the body");

    default:
        return ngx_pa_mp_fail(mp,
                    "body ends before the closing multipart boundary");
    }
}
