/*
 * Unit tests of the streaming multipart/form-data parser.  Every body is
 * fed in one piece, in two pieces split at every position, and one byte
 * at a time: the recorded parts and data must be identical each time.
 */

#include <stdlib.h>

#include "ngx_pa_multipart.h"
#include "pa_unit.h"


#define S(s)  (const u_char *) (s), sizeof(s) - 1


/* what the callbacks saw, as one string: "<name|filename|has|ctype>data</>" */
typedef struct {
    char     *buf;
    size_t    len;
    size_t    size;
    size_t    data_calls;
    int       abort_at_begin;
    int       abort_at_data;
} rec_t;


static void
rec_add(rec_t *r, const void *p, size_t len)
{
    if (r->len + len + 1 > r->size) {
        r->size = (r->len + len + 1) * 2;
        r->buf = realloc(r->buf, r->size);
        if (r->buf == NULL) {
            abort();
        }
    }

    memcpy(r->buf + r->len, p, len);
    r->len += len;
    r->buf[r->len] = '\0';
}


static int
rec_begin(void *data, const ngx_pa_mp_part_t *part)
{
    rec_t  *r = data;
    char    line[NGX_PA_MP_NAME_MAX + NGX_PA_MP_FILENAME_MAX
                 + NGX_PA_MP_CTYPE_MAX + 16];

    snprintf(line, sizeof(line), "<%s|%s|%d|%s>", part->name, part->filename,
             (int) part->has_filename, part->content_type);
    rec_add(r, line, strlen(line));

    return r->abort_at_begin ? NGX_PA_MP_ABORT : NGX_PA_MP_OK;
}


static int
rec_data(void *data, const u_char *p, size_t len)
{
    rec_t  *r = data;

    if (len == 0) {
        rec_add(r, "!EMPTY!", 7);   /* never expected */
    }

    r->data_calls++;
    rec_add(r, p, len);

    return r->abort_at_data ? NGX_PA_MP_ABORT : NGX_PA_MP_OK;
}


static int
rec_end(void *data)
{
    rec_add(data, "</>", 3);
    return NGX_PA_MP_OK;
}


typedef struct {
    int          rc;            /* first non-OK of feed, else finish's */
    unsigned     nparts;
    const char  *err;
    rec_t        rec;
} run_t;


/* feeds body in chunks of the given sizes (0-terminated, last repeats) */

static void
run(run_t *out, const char *boundary, const u_char *body, size_t len,
    const size_t *chunks)
{
    ngx_pa_multipart_t   mp;
    ngx_pa_mp_handler_t  h;
    size_t               off;
    int                  rc;

    memset(out, 0, sizeof(run_t));
    rec_add(&out->rec, "", 0);

    h.part_begin = rec_begin;
    h.part_data = rec_data;
    h.part_end = rec_end;
    h.data = &out->rec;

    rc = ngx_pa_multipart_init(&mp, (const u_char *) boundary,
                               strlen(boundary), &h);
    if (rc != NGX_PA_MP_OK) {
        out->rc = rc;
        out->err = mp.err;
        return;
    }

    off = 0;

    while (off < len) {
        size_t  n = *chunks;

        if (chunks[1]) {
            chunks++;
        }
        if (n > len - off) {
            n = len - off;
        }

        rc = ngx_pa_multipart_feed(&mp, body + off, n);
        off += n;

        if (rc != NGX_PA_MP_OK) {
            out->rc = rc;
            out->err = mp.err;
            out->nparts = mp.nparts;
            return;
        }
    }

    out->rc = ngx_pa_multipart_finish(&mp);
    out->err = mp.err;
    out->nparts = mp.nparts;
}


/*
 * Runs body whole, at every 2-way split, at a few 3-way splits and byte by
 * byte; returns the whole run and checks that the others agree with it.
 */

static void
run_all(run_t *whole, const char *what, const char *boundary,
    const u_char *body, size_t len)
{
    size_t  chunks[4], i, j, bad;
    run_t   r;

    chunks[0] = len ? len : 1;
    chunks[1] = 0;
    run(whole, boundary, body, len, chunks);

    bad = 0;

    for (i = 1; i < len; i++) {
        chunks[0] = i;
        chunks[1] = len - i;
        chunks[2] = 0;
        run(&r, boundary, body, len, chunks);

        if (r.rc != whole->rc || r.nparts != whole->nparts
            || r.rec.len != whole->rec.len
            || memcmp(r.rec.buf, whole->rec.buf, r.rec.len) != 0)
        {
            if (bad++ == 0) {
                printf("# %s: split at %zu differs: %s\n", what, i,
                       r.rec.buf);
            }
        }

        free(r.rec.buf);
    }

    for (i = 1; i < len; i += 7) {
        for (j = 1; j < 13 && i + j < len; j++) {
            chunks[0] = i;
            chunks[1] = j;
            chunks[2] = len;
            chunks[3] = 0;
            run(&r, boundary, body, len, chunks);

            if (r.rc != whole->rc || r.rec.len != whole->rec.len
                || memcmp(r.rec.buf, whole->rec.buf, r.rec.len) != 0)
            {
                bad++;
            }

            free(r.rec.buf);
        }
    }

    chunks[0] = 1;
    chunks[1] = 0;
    run(&r, boundary, body, len, chunks);

    if (r.rc != whole->rc || r.nparts != whole->nparts
        || r.rec.len != whole->rec.len
        || memcmp(r.rec.buf, whole->rec.buf, r.rec.len) != 0)
    {
        printf("# %s: 1-byte chunks differ: %s\n", what, r.rec.buf);
        bad++;
    }

    free(r.rec.buf);

    PA_IS_INT(bad, 0, "%s: same result for every chunking", what);
}


static void
expect_ok(const char *what, const char *boundary, const u_char *body,
    size_t len, unsigned nparts, const char *log)
{
    run_t  w;

    run_all(&w, what, boundary, body, len);
    PA_IS_INT(w.rc, NGX_PA_MP_OK, "%s: ok", what);
    PA_IS_INT(w.nparts, nparts, "%s: %u parts", what, nparts);
    PA_IS_STR(w.rec.buf, log, "%s: parts and data", what);

    free(w.rec.buf);
}


static void
expect_err(const char *what, const char *boundary, const u_char *body,
    size_t len, const char *err)
{
    run_t  w;

    run_all(&w, what, boundary, body, len);
    PA_IS_INT(w.rc, NGX_PA_MP_ERROR, "%s: error", what);
    PA_IS_STR(w.err, err, "%s: error text", what);

    free(w.rec.buf);
}


#define CD  "Content-Disposition: form-data; "


static void
test_basic(void)
{
    expect_ok("simple form", "XyZ", S(
        "--XyZ\r\n"
        CD "name=\"content\"\r\n"
        "\r\n"
        "\xe1\xbb\x94 g\xc3\xa0\r\n"
        "--XyZ\r\n"
        CD "name=\"lat\"\r\n"
        "\r\n"
        "22.39\r\n"
        "--XyZ\r\n"
        CD "name=\"media\"; filename=\"a.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n"
        "\r\n"
        "\xff\xd8\xff\r\n\r\n--XyY-\r\n--Xy\r\r\n\xff\xd9\r\n"
        "--XyZ--\r\n"),
        3,
        "<content||0|>\xe1\xbb\x94 g\xc3\xa0</>"
        "<lat||0|>22.39</>"
        "<media|a.jpg|1|image/jpeg>"
        "\xff\xd8\xff\r\n\r\n--XyY-\r\n--Xy\r\r\n\xff\xd9</>");

    expect_ok("preamble and epilogue ignored", "b", S(
        "This is the preamble.\r\n-- not here\r\n--c\r\n-b\r\n--"
        "\r\n--b\r\n"
        CD "name=a\r\n"
        "\r\n"
        "1\r\n"
        "--b--\r\n"
        "epilogue\r\n--b\r\ngarbage"),
        1,
        "<a||0|>1</>");

    expect_ok("header names and type case-insensitive", "b", S(
        "--b\r\n"
        "content-DISPOSITION: Form-Data; NAME=\"x\"; FileName=\"f\"\r\n"
        "CONTENT-TYPE: text/plain\r\n"
        "X-Other: ignored\r\n"
        "\r\n"
        "v\r\n"
        "--b--"),
        1,
        "<x|f|1|text/plain>v</>");

    expect_ok("empty part data, empty filename", "b", S(
        "--b\r\n"
        CD "name=\"media\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "\r\n"
        "--b--"),
        1,
        "<media||1|application/octet-stream></>");

    expect_ok("transport padding after boundary", "b", S(
        "--b \t \r\n"
        CD "name=a\r\n"
        "\r\n"
        "1\r\n"
        "--b  \r\n"
        CD "name=b\r\n"
        "\r\n"
        "2\r\n"
        "--b--"),
        2,
        "<a||0|>1</><b||0|>2</>");

    expect_ok("close delimiter only", "b", S("--b--\r\n"), 0, "");

    expect_ok("quoted strings with escapes", "b", S(
        "--b\r\n"
        CD "name=\"a\\\"b\\\\c\"; filename=\"x\\\"y;z.jpg\"\r\n"
        "\r\n"
        "d\r\n"
        "--b--"),
        1,
        "<a\"b\\c|x\"y;z.jpg|1|>d</>");

    expect_ok("filename* (RFC 5987) wins over filename", "b", S(
        "--b\r\n"
        CD "name=m; filename*=UTF-8''%E1%BB%94%20g%C3%A0.jpg; "
        "filename=\"O ga.jpg\"\r\n"
        "\r\n"
        "d\r\n"
        "--b\r\n"
        CD "name=n; filename=\"plain.jpg\"; filename*=utf-8'vi'a%2Eb\r\n"
        "\r\n"
        "e\r\n"
        "--b\r\n"
        CD "name=o; filename=\"keep.jpg\"; filename*=iso-8859-1''%E9\r\n"
        "\r\n"
        "f\r\n"
        "--b--"),
        3,
        "<m|\xe1\xbb\x94 g\xc3\xa0.jpg|1|>d</>"
        "<n|a.b|1|>e</>"
        "<o|keep.jpg|1|>f</>");

    expect_ok("UTF-8 file name bytes pass through", "b", S(
        "--b\r\n"
        CD "name=\"m\"; filename=\"\xe1\xbb\x94.jpg\"\r\n"
        "\r\n"
        "\r\n"
        "--b--"),
        1,
        "<m|\xe1\xbb\x94.jpg|1|></>");

    expect_ok("boundary with spaces and specials", "a'()+_,-./:=? z", S(
        "--a'()+_,-./:=? z\r\n"
        CD "name=a\r\n"
        "\r\n"
        "x\r\n"
        "--a'()+_,-./:=? z--"),
        1,
        "<a||0|>x</>");

    expect_ok("trailing semicolon, CRLF-only data", "b", S(
        "--b\r\n"
        CD "name=a;\r\n"
        "\r\n"
        "\r\n\r\n"
        "--b--"),
        1,
        "<a||0|>\r\n</>");
}


static void
test_errors(void)
{
    char    big[4096];
    size_t  n;

    expect_err("missing closing delimiter", "b", S(
        "--b\r\n" CD "name=a\r\n\r\n1\r\n--b\r\n" CD "name=c\r\n\r\n2"),
        "body ends before the closing multipart boundary");

    expect_err("truncated after delimiter", "b", S(
        "--b\r\n" CD "name=a\r\n\r\n1\r\n--b"),
        "body ends before the closing multipart boundary");

    expect_err("no boundary at all", "b", S("hello world"),
        "no multipart boundary in the body");

    expect_err("empty body", "b", S(""), "no multipart boundary in the body");

    expect_err("LF-only line endings", "b", S(
        "--b\n" CD "name=a\n\n1\n--b--\n"),
        "bare LF after multipart boundary (CRLF required)");

    expect_err("LF-only header lines", "b", S(
        "--b\r\n" CD "name=a\n\n1\r\n--b--\r\n"),
        "bare LF in part headers (CRLF line endings required)");

    expect_err("bare CR in headers", "b", S(
        "--b\r\n" CD "name=a\rX: y\r\n\r\n1\r\n--b--\r\n"),
        "bare CR in part headers");

    expect_err("obsolete folding", "b", S(
        "--b\r\n" CD "\r\n name=a\r\n\r\n1\r\n--b--\r\n"),
        "obsolete line folding in part headers is not allowed");

    expect_err("part without name", "b", S(
        "--b\r\n" CD "filename=\"a.jpg\"\r\n\r\n1\r\n--b--\r\n"),
        "part without a name");

    expect_err("part with empty name", "b", S(
        "--b\r\n" CD "name=\"\"\r\n\r\n1\r\n--b--\r\n"),
        "part without a name");

    expect_err("part without Content-Disposition", "b", S(
        "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--\r\n"),
        "part without Content-Disposition");

    expect_err("part with no headers", "b", S(
        "--b\r\n\r\n1\r\n--b--\r\n"),
        "part without Content-Disposition");

    expect_err("attachment disposition", "b", S(
        "--b\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--b--"),
        "part disposition is not form-data");

    expect_err("duplicate Content-Disposition", "b", S(
        "--b\r\n" CD "name=a\r\n" CD "name=b\r\n\r\n1\r\n--b--"),
        "duplicate Content-Disposition");

    expect_err("duplicate name parameter", "b", S(
        "--b\r\n" CD "name=a; name=b\r\n\r\n1\r\n--b--"),
        "duplicate part name");

    expect_err("unterminated quoted string", "b", S(
        "--b\r\n" CD "name=\"a\r\n\r\n1\r\n--b--"),
        "malformed Content-Disposition parameter value");

    expect_err("garbage after parameter", "b", S(
        "--b\r\n" CD "name=\"a\"x\r\n\r\n1\r\n--b--"),
        "malformed Content-Disposition");

    expect_err("header line without colon", "b", S(
        "--b\r\n" CD "name=a\r\nnonsense\r\n\r\n1\r\n--b--"),
        "malformed part header line");

    expect_err("space before colon", "b", S(
        "--b\r\nContent-Disposition : form-data; name=a\r\n\r\n1\r\n--b--"),
        "invalid part header name");

    expect_err("control char in header", "b", S(
        "--b\r\n" CD "name=\"a\x01\"\r\n\r\n1\r\n--b--"),
        "control character in part header");

    expect_err("bad filename* escape", "b", S(
        "--b\r\n" CD "name=a; filename*=UTF-8''%G1\r\n\r\n1\r\n--b--"),
        "malformed part filename*");

    expect_err("filename* with encoded NUL", "b", S(
        "--b\r\n" CD "name=a; filename*=UTF-8''a%00b\r\n\r\n1\r\n--b--"),
        "malformed part filename*");

    expect_err("garbage after boundary", "b", S(
        "--b\r\n" CD "name=a\r\n\r\n1\r\n--bX\r\n"),
        "unexpected characters after multipart boundary");

    expect_err("single dash close", "b", S(
        "--b\r\n" CD "name=a\r\n\r\n1\r\n--b-\r\n"),
        "unexpected characters after multipart boundary");

    expect_err("CR without LF after boundary", "b", S("--b\rX"),
        "bare CR after multipart boundary");

    /* header block limit: exactly NGX_PA_MP_HEADER_MAX bytes is fine */
    n = snprintf(big, sizeof(big), "--b\r\n" CD "name=a\r\nX-Pad: ");
    {
        size_t  hdr = strlen(CD "name=a\r\nX-Pad: ");
        size_t  pad = NGX_PA_MP_HEADER_MAX - hdr - 4;
        run_t   w;
        size_t  ch[2] = { 1000, 0 };

        memset(big + n, 'p', pad);
        n += pad;
        n += snprintf(big + n, sizeof(big) - n, "\r\n\r\nv\r\n--b--");
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_INT(w.rc, NGX_PA_MP_OK, "header block of exactly %d bytes ok",
                  NGX_PA_MP_HEADER_MAX);
        free(w.rec.buf);

        n = snprintf(big, sizeof(big), "--b\r\n" CD "name=a\r\nX-Pad: ");
        memset(big + n, 'p', pad + 1);
        n += pad + 1;
        n += snprintf(big + n, sizeof(big) - n, "\r\n\r\nv\r\n--b--");
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_INT(w.rc, NGX_PA_MP_ERROR, "one byte more: error");
        PA_IS_STR(w.err, "part headers too large", "... headers too large");
        free(w.rec.buf);

        n = snprintf(big, sizeof(big), "--b\r\n" CD "name=a\r\nX-Pad: ");
        memset(big + n, 'p', 3000);
        n += 3000;
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_INT(w.rc, NGX_PA_MP_ERROR, "endless header line: error");
        PA_IS_STR(w.err, "part headers too large",
                  "... before the body ends");
        free(w.rec.buf);
    }

    {
        char   ct[300];
        run_t  w;
        size_t ch[2] = { 64, 0 };

        memset(ct, 'x', sizeof(ct));
        n = snprintf(big, sizeof(big), "--b\r\n" CD "name=a\r\n"
                     "Content-Type: %.*s\r\n\r\nv\r\n--b--",
                     NGX_PA_MP_CTYPE_MAX, ct);
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_STR(w.err, "part Content-Type too long", "long Content-Type");
        free(w.rec.buf);

        n = snprintf(big, sizeof(big), "--b\r\n" CD "name=\"%.*s\"\r\n"
                     "\r\nv\r\n--b--", NGX_PA_MP_NAME_MAX, ct);
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_STR(w.err, "part name too long", "long name");
        free(w.rec.buf);

        n = snprintf(big, sizeof(big), "--b\r\n" CD "name=\"%.*s\"\r\n"
                     "\r\nv\r\n--b--", NGX_PA_MP_NAME_MAX - 1, ct);
        run(&w, "b", (u_char *) big, n, ch);
        PA_IS_INT(w.rc, NGX_PA_MP_OK, "63-byte name ok");
        free(w.rec.buf);
    }
}


static void
test_long_filename(void)
{
    char    body[1024];
    char    fn[600];
    size_t  n, i;
    run_t   w;
    size_t  ch[2] = { 100, 0 };
    char   *s, *e;

    /* 254 ASCII bytes then a 3-byte character straddling the limit */
    memset(fn, 'a', 254);
    memcpy(fn + 254, "\xe1\xbb\x94", 3);
    for (i = 257; i < 300; i++) {
        fn[i] = 'b';
    }
    fn[300] = '\0';

    n = snprintf(body, sizeof(body), "--b\r\n" CD "name=m; filename=\"%s\""
                 "\r\n\r\nx\r\n--b--", fn);
    run(&w, "b", (u_char *) body, n, ch);
    PA_IS_INT(w.rc, NGX_PA_MP_OK, "long filename accepted");

    s = strchr(w.rec.buf, '|');
    e = s ? strchr(s + 1, '|') : NULL;
    PA_IS_INT(e && s ? e - s - 1 : -1, 254,
              "cut to 254 bytes: no half character");
    free(w.rec.buf);
}


static void
test_init(void)
{
    ngx_pa_multipart_t  mp;
    char                b[80];

    memset(b, 'a', sizeof(b));

    PA_IS_INT(ngx_pa_multipart_init(&mp, (u_char *) b, 70, NULL),
              NGX_PA_MP_OK, "70-char boundary ok");
    PA_IS_INT(ngx_pa_multipart_init(&mp, (u_char *) b, 71, NULL),
              NGX_PA_MP_ERROR, "71-char boundary rejected");
    PA_IS_STR(mp.err, "multipart boundary longer than 70 characters",
              "... with a reason");
    PA_IS_INT(ngx_pa_multipart_feed(&mp, S("--aaa")), NGX_PA_MP_ERROR,
              "feed after a failed init: error");
    PA_IS_INT(ngx_pa_multipart_feed(&mp, S("")), NGX_PA_MP_ERROR,
              "empty feed after a failed init: error");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S(""), NULL), NGX_PA_MP_ERROR,
              "empty boundary rejected");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S("a\"b"), NULL), NGX_PA_MP_ERROR,
              "quote in boundary rejected");
    PA_IS_STR(mp.err, "invalid character in multipart boundary",
              "... with a reason");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S("a\r\nb"), NULL),
              NGX_PA_MP_ERROR, "CRLF in boundary rejected");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S("a@b"), NULL), NGX_PA_MP_ERROR,
              "@ in boundary rejected");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S("ab "), NULL), NGX_PA_MP_ERROR,
              "trailing space rejected");
    PA_IS_INT(ngx_pa_multipart_init(&mp, S("\xe1\xbb\x94"), NULL),
              NGX_PA_MP_ERROR, "non-ASCII boundary rejected");
    PA_IS_INT(ngx_pa_multipart_init(&mp,
              S("----WebKitFormBoundary7MA4YWxkTrZu0gW"), NULL),
              NGX_PA_MP_OK, "browser boundary ok");
}


static void
boundary(const char *ct, const char *want)
{
    const u_char  *b;
    size_t         blen;
    char           got[128];
    int            rc;

    b = NULL;
    blen = 0;
    rc = ngx_pa_multipart_boundary((const u_char *) ct, strlen(ct), &b,
                                   &blen);

    if (want == NULL) {
        PA_IS_INT(rc, -1, "boundary of '%s': none", ct);
        return;
    }

    PA_IS_INT(rc, 0, "boundary of '%s' found", ct);
    snprintf(got, sizeof(got), "%.*s", rc == 0 ? (int) blen : 0,
             rc == 0 ? (const char *) b : "");
    PA_IS_STR(got, want, "boundary of '%s' is '%s'", ct, want);
}


static void
test_boundary(void)
{
    boundary("multipart/form-data; boundary=abc", "abc");
    boundary("multipart/form-data;boundary=abc", "abc");
    boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"",
             "a b:c");
    boundary("multipart/form-data; boundary=\"----=_Part_1\"; x=y",
             "----=_Part_1");
    boundary("multipart/form-data; x=\"q;uoted\"; boundary=z ", "z");
    boundary("  multipart/form-data ; boundary=z", "z");

    boundary("multipart/form-data", NULL);
    boundary("multipart/form-data; boundary=", NULL);
    boundary("multipart/form-data; boundary=\"\"", NULL);
    boundary("multipart/form-data; boundary=\"abc", NULL);
    boundary("multipart/form-data; boundary=\"a\\b\"", NULL);
    boundary("multipart/form-data; boundary=a; boundary=b", NULL);
    boundary("multipart/mixed; boundary=abc", NULL);
    boundary("text/plain; boundary=abc", NULL);
    boundary("multipart/form-data; boundary", NULL);
    boundary("multipart/form-data boundary=abc", NULL);
    boundary("", NULL);
}


static void
test_streaming(void)
{
    ngx_pa_multipart_t   mp;
    ngx_pa_mp_handler_t  h;
    rec_t                r;

    memset(&r, 0, sizeof(rec_t));
    rec_add(&r, "", 0);

    h.part_begin = rec_begin;
    h.part_data = rec_data;
    h.part_end = rec_end;
    h.data = &r;

    ngx_pa_multipart_init(&mp, S("boundary"), &h);

    PA_IS_INT(ngx_pa_multipart_feed(&mp, S("--boundary\r\n" CD "name=v; "
              "filename=v.mp4\r\n\r\nhello")), NGX_PA_MP_OK, "first chunk");
    PA_IS_STR(r.buf, "<v|v.mp4|1|>hello", "data handed out at once");
    PA_IS_INT(mp.hold_len, 0, "nothing held");

    ngx_pa_multipart_feed(&mp, S(" world\r\n--bou"));
    PA_IS_STR(r.buf, "<v|v.mp4|1|>hello world",
              "possible delimiter start held back");
    PA_IS_INT(mp.hold_len, 7, "7 bytes held");

    ngx_pa_multipart_feed(&mp, S("x"));
    PA_IS_STR(r.buf, "<v|v.mp4|1|>hello world\r\n--boux",
              "held bytes released when not a delimiter");
    PA_IS_INT(mp.hold_len, 0, "nothing held");

    ngx_pa_multipart_feed(&mp, S("\r"));
    PA_IS_INT(mp.hold_len, 1, "a lone CR is held");
    ngx_pa_multipart_feed(&mp, S("\r"));
    PA_IS_STR(r.buf, "<v|v.mp4|1|>hello world\r\n--boux\r",
              "first CR released by a second CR");
    ngx_pa_multipart_feed(&mp, S("\n--boundary"));
    PA_IS_STR(r.buf, "<v|v.mp4|1|>hello world\r\n--boux\r</>",
              "part ends on the full delimiter");
    PA_IS_INT(ngx_pa_multipart_finish(&mp), NGX_PA_MP_ERROR,
              "finish before close: error");
    PA_IS_INT(ngx_pa_multipart_feed(&mp, S("--")), NGX_PA_MP_ERROR,
              "feed after error: error");

    free(r.buf);
}


static void
test_abort(void)
{
    ngx_pa_multipart_t   mp;
    ngx_pa_mp_handler_t  h;
    rec_t                r;

    memset(&r, 0, sizeof(rec_t));
    r.abort_at_begin = 1;

    h.part_begin = rec_begin;
    h.part_data = rec_data;
    h.part_end = rec_end;
    h.data = &r;

    ngx_pa_multipart_init(&mp, S("b"), &h);
    PA_IS_INT(ngx_pa_multipart_feed(&mp,
              S("--b\r\n" CD "name=a\r\n\r\n1\r\n--b--")), NGX_PA_MP_ABORT,
              "part_begin abort stops feed");
    PA_IS_INT(ngx_pa_multipart_feed(&mp, S("x")), NGX_PA_MP_ABORT,
              "later feed: abort");
    PA_IS_INT(ngx_pa_multipart_finish(&mp), NGX_PA_MP_ABORT,
              "finish: abort");
    PA_IS_INT(r.data_calls, 0, "no data after abort");
    free(r.buf);

    memset(&r, 0, sizeof(rec_t));
    r.abort_at_data = 1;
    ngx_pa_multipart_init(&mp, S("b"), &h);
    PA_IS_INT(ngx_pa_multipart_feed(&mp,
              S("--b\r\n" CD "name=a\r\n\r\n1\r\n--b--")), NGX_PA_MP_ABORT,
              "part_data abort stops feed");
    PA_IS_INT(r.data_calls, 1, "one data call");
    free(r.buf);

    /* NULL callbacks are allowed */
    ngx_pa_multipart_init(&mp, S("b"), NULL);
    PA_IS_INT(ngx_pa_multipart_feed(&mp,
              S("--b\r\n" CD "name=a\r\n\r\n1\r\n--b--")), NGX_PA_MP_OK,
              "no handler: ok");
    PA_IS_INT(ngx_pa_multipart_finish(&mp), NGX_PA_MP_OK, "finish ok");
    PA_IS_INT(mp.nparts, 1, "one part counted");
}


/* random data full of near-delimiters survives every chunking intact */

static void
test_random(void)
{
    static const char  *frag[] = { "\r", "\n", "\r\n", "\r\n-", "\r\n--",
                                   "\r\n--bo", "\r\n--boun", "-", "x",
                                   "\r\r\n--b", "\xff", "\0" };
    u_char              data[600], body[900], want[700];
    size_t              round;
    unsigned            seed;
    run_t               w;
    int                 bad;

    seed = 12345;
    bad = 0;

    for (round = 0; round < 20; round++) {
        size_t  dlen, blen;

        dlen = 0;

        while (dlen < 500) {
            size_t  f, n;

            seed = seed * 1103515245 + 12345;
            f = (seed >> 16) % (sizeof(frag) / sizeof(frag[0]));
            n = frag[f][0] ? strlen(frag[f]) : 1;
            memcpy(data + dlen, frag[f], n);
            dlen += n;
        }

        memcpy(body, "--bound\r\n" CD "name=r\r\n\r\n",
               sizeof("--bound\r\n" CD "name=r\r\n\r\n") - 1);
        blen = sizeof("--bound\r\n" CD "name=r\r\n\r\n") - 1;
        memcpy(body + blen, data, dlen);
        blen += dlen;
        memcpy(body + blen, "\r\n--bound--", 11);
        blen += 11;

        run_all(&w, "random data", "bound", body, blen);

        memcpy(want, "<r||0|>", 7);
        memcpy(want + 7, data, dlen);
        memcpy(want + 7 + dlen, "</>", 3);

        if (w.rc != NGX_PA_MP_OK || w.rec.len != dlen + 10
            || memcmp(w.rec.buf, want, dlen + 10) != 0)
        {
            bad++;
        }

        free(w.rec.buf);
    }

    PA_IS_INT(bad, 0, "random near-delimiter data intact");
}


int
main(void)
{
    test_basic();
    test_errors();
    test_long_filename();
    test_init();
    test_boundary();
    test_streaming();
    test_abort();
    test_random();

    PA_DONE();
}
