/*
 * Unit tests of ngx_pa_meta.c: EXIF/TIFF in both byte orders, JPEG walking
 * and stripping, MP4/MOV boxes, HEIF items, and hostile shapes (truncated
 * files, an IFD of 65535 entries, IFD loops, boxes that lie about their
 * size).  Every input is built here byte by byte, so no tool is needed at
 * run time; when build/fixtures/ exists (tests/fixtures/make-media.sh) the
 * generated real files are checked as well, else those tests are skipped.
 */

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pa_unit.h"
#include "ngx_pa_meta.h"


#define T_2026_01_22_0800   1769068800      /* 2026-01-22 08:00:00 "UTC" */
#define T_2026_01_22_0100   1769043600      /* the same at +07:00, in UTC */
#define T_2024_02_29_2359   1709251199
#define MAC_EPOCH           2082844800LL

#define near(a, b)  (fabs((a) - (b)) < 1e-6)


/* ------------------------------------------------------------ builder */

typedef struct {
    u_char  b[8192];
    size_t  n;
    int     big;
} buf_t;


static void
put8(buf_t *b, unsigned v)
{
    b->b[b->n++] = (u_char) v;
}


static void
put16(buf_t *b, unsigned v)
{
    if (b->big) {
        put8(b, v >> 8);
        put8(b, v);
    } else {
        put8(b, v);
        put8(b, v >> 8);
    }
}


static void
put32(buf_t *b, uint32_t v)
{
    if (b->big) {
        put16(b, v >> 16);
        put16(b, v & 0xffff);
    } else {
        put16(b, v & 0xffff);
        put16(b, v >> 16);
    }
}


static void
put(buf_t *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}


static void
set32(buf_t *b, size_t at, uint32_t v)
{
    size_t  n = b->n;

    b->n = at;
    put32(b, v);
    b->n = n;
}


/* big-endian always, for boxes and JPEG */
static void
be16(buf_t *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}


static void
be32(buf_t *b, uint32_t v)
{
    be16(b, v >> 16);
    be16(b, v & 0xffff);
}


/* ------------------------------------------------------------ TIFF */

typedef struct {
    unsigned     tag, type;
    const char  *str;           /* type 2 */
    uint32_t     num[6];        /* type 5: 3 rationals; type 4: num[0] */
    int          link;          /* type 4: 1 = Exif IFD, 2 = GPS IFD */
} ent_t;


typedef struct {
    int          big;
    const char  *make, *model, *software, *datetime;
    const char  *dto, *oto, *ot;
    const char  *lat_ref, *lng_ref;
    uint32_t     lat[6], lng[6];
    int          gps;
} tiff_t;


/*
 * Layout: header, IFD0, Exif IFD, GPS IFD, then the values that do not
 * fit in 4 bytes.  Returns offsets of the IFDs for tests that patch them.
 */
static void
build_ifds(buf_t *b, ent_t *ifd[3], int cnt[3], size_t at[3])
{
    int       k, i;
    size_t    data, vlen;
    ent_t    *e;

    at[0] = 8;
    at[1] = at[0] + 2 + 12 * cnt[0] + 4;
    at[2] = at[1] + 2 + 12 * cnt[1] + 4;
    data = at[2] + 2 + 12 * cnt[2] + 4;

    for (k = 0; k < 3; k++) {
        b->n = at[k];
        put16(b, cnt[k]);

        for (i = 0; i < cnt[k]; i++) {
            e = &ifd[k][i];
            put16(b, e->tag);
            put16(b, e->type);

            if (e->type == 2) {
                vlen = strlen(e->str) + 1;
                put32(b, vlen);

                if (vlen <= 4) {
                    memset(b->b + b->n, 0, 4);
                    memcpy(b->b + b->n, e->str, vlen);
                    b->n += 4;
                } else {
                    put32(b, data);
                    memcpy(b->b + data, e->str, vlen);
                    data += vlen + (vlen & 1);
                }

            } else if (e->type == 5) {
                size_t  save;
                int     j;

                put32(b, 3);
                put32(b, data);
                save = b->n;
                b->n = data;
                for (j = 0; j < 6; j++) {
                    put32(b, e->num[j]);
                }
                data = b->n;
                b->n = save;

            } else {
                put32(b, 1);
                put32(b, e->link ? at[e->link] : e->num[0]);
            }
        }

        put32(b, 0);                /* no next IFD */
    }

    b->n = data;
}


static size_t
build_tiff(buf_t *b, const tiff_t *t, size_t at[3])
{
    ent_t   i0[8], i1[4], i2[4], *ifd[3];
    int     cnt[3];

    memset(b, 0, sizeof(buf_t));
    memset(i0, 0, sizeof(i0));
    memset(i1, 0, sizeof(i1));
    memset(i2, 0, sizeof(i2));
    b->big = t->big;

    put(b, t->big ? "MM" : "II", 2);
    put16(b, 42);
    put32(b, 8);

    cnt[0] = cnt[1] = cnt[2] = 0;

#define ADD(k, arr, tg, s)                                                    \
    if (s) { arr[cnt[k]].tag = tg; arr[cnt[k]].type = 2;                     \
             arr[cnt[k]].str = s; cnt[k]++; }

    ADD(0, i0, 0x010f, t->make);
    ADD(0, i0, 0x0110, t->model);
    ADD(0, i0, 0x0131, t->software);
    ADD(0, i0, 0x0132, t->datetime);
    ADD(1, i1, 0x9003, t->dto);
    ADD(1, i1, 0x9011, t->oto);
    ADD(1, i1, 0x9010, t->ot);

    i0[cnt[0]].tag = 0x8769;
    i0[cnt[0]].type = 4;
    i0[cnt[0]].link = 1;
    cnt[0]++;

    if (t->gps) {
        i0[cnt[0]].tag = 0x8825;
        i0[cnt[0]].type = 4;
        i0[cnt[0]].link = 2;
        cnt[0]++;

        ADD(2, i2, 0x0001, t->lat_ref);
        i2[cnt[2]].tag = 0x0002;
        i2[cnt[2]].type = 5;
        memcpy(i2[cnt[2]].num, t->lat, sizeof(t->lat));
        cnt[2]++;
        ADD(2, i2, 0x0003, t->lng_ref);
        i2[cnt[2]].tag = 0x0004;
        i2[cnt[2]].type = 5;
        memcpy(i2[cnt[2]].num, t->lng, sizeof(t->lng));
        cnt[2]++;
    }

#undef ADD

    ifd[0] = i0;
    ifd[1] = i1;
    ifd[2] = i2;
    build_ifds(b, ifd, cnt, at);

    return b->n;
}


/* Lai Chau: 22 deg 23' 45.6" N, 103 deg 27' 28.8" E = 22.396, 103.458 */
static tiff_t  laichau = {
    0, "samsung", "SM-A525F", "A525FXXS4CWF1", "2026:01:22 08:05:00",
    "2026:01:22 08:00:00", NULL, NULL, "N", "E",
    { 22, 1, 23, 1, 456, 10 }, { 103, 1, 27, 1, 288, 10 }, 1
};


/* ------------------------------------------------------------ JPEG */

typedef struct {
    const u_char  *tiff;
    size_t         tiff_len;
    const char    *xmp;
    int            progressive;     /* a second scan with an APP1 between */
    const char    *trailer;         /* bytes after EOI */
} jpeg_t;


static void
seg(buf_t *b, unsigned m, const void *p, size_t n)
{
    put8(b, 0xff);
    put8(b, m);
    be16(b, n + 2);
    put(b, p, n);
}


static const u_char  jfif[14] = { 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 72, 0,
                                  72, 0, 0 };
static const u_char  sof0[9] = { 8, 0, 1, 0, 1, 1, 1, 0x11, 0 };
static const u_char  dht[18] = { 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 0, 0 };
static const u_char  sos[6] = { 1, 1, 0x00, 0, 63, 0 };
/* entropy data with a stuffed FF00, an RST marker and a fill byte at end */
static const u_char  scan1[] = { 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56 };
static const u_char  scan2[] = { 0x78, 0xff, 0x00, 0x9a };


/* the JPEG and, in want, what the stripped copy must be */
static void
build_jpeg(buf_t *b, buf_t *want, const jpeg_t *j)
{
    u_char  dqt[65], app1[8192];
    int     k;
    buf_t  *x[2];

    memset(dqt, 1, sizeof(dqt));
    dqt[0] = 0;
    memset(b, 0, sizeof(buf_t));
    memset(want, 0, sizeof(buf_t));
    b->big = 1;
    want->big = 1;
    x[0] = b;
    x[1] = want;

    for (k = 0; k < 2; k++) {
        put8(x[k], 0xff);
        put8(x[k], 0xd8);
        seg(x[k], 0xe0, jfif, sizeof(jfif));
    }

    if (j->tiff) {
        memcpy(app1, "Exif\0\0", 6);
        memcpy(app1 + 6, j->tiff, j->tiff_len);
        seg(b, 0xe1, app1, 6 + j->tiff_len);
    }

    if (j->xmp) {
        memcpy(app1, "http://ns.adobe.com/xap/1.0/", 29);
        memcpy(app1 + 29, j->xmp, strlen(j->xmp));
        seg(b, 0xe1, app1, 29 + strlen(j->xmp));
    }

    seg(b, 0xe2, "ICC_PROFILE\0\1\1", 14);
    seg(b, 0xfe, "a comment", 9);

    for (k = 0; k < 2; k++) {
        seg(x[k], 0xdb, dqt, sizeof(dqt));
        seg(x[k], 0xc0, sof0, sizeof(sof0));
        seg(x[k], 0xc4, dht, sizeof(dht));
        seg(x[k], 0xda, sos, sizeof(sos));
        put(x[k], scan1, sizeof(scan1));
    }

    if (j->progressive) {
        seg(b, 0xe1, "Exif\0\0MM", 8);
        for (k = 0; k < 2; k++) {
            seg(x[k], 0xc4, dht, sizeof(dht));
            seg(x[k], 0xda, sos, sizeof(sos));
            put(x[k], scan2, sizeof(scan2));
        }
    }

    put8(b, 0xff);                  /* a fill byte before EOI */

    for (k = 0; k < 2; k++) {
        put8(x[k], 0xff);
        put8(x[k], 0xd9);
    }

    if (j->trailer) {
        put(b, j->trailer, strlen(j->trailer));
    }
}


static int
tmpfile_with(const u_char *p, size_t n)
{
    char  name[] = "/tmp/test_meta.XXXXXX";
    int   fd;

    fd = mkstemp(name);
    if (fd == -1) {
        return -1;
    }

    unlink(name);

    if (write(fd, p, n) != (ssize_t) n) {
        close(fd);
        return -1;
    }

    return fd;
}


/* parse in memory and through a file: both must agree */
static int
parse2(int kind, const u_char *p, size_t n, ngx_pa_meta_t *m)
{
    int            rc, rc2, fd;
    ngx_pa_meta_t  m2;

    rc = ngx_pa_meta_parse(kind, p, n, m);

    fd = tmpfile_with(p, n);
    rc2 = ngx_pa_meta_parse_fd(kind, fd, (off_t) n, &m2);
    close(fd);

    if (rc != rc2 || memcmp(m, &m2, sizeof(m2)) != 0) {
        printf("# memory and fd parses differ (%d, %d)\n", rc, rc2);
        return -2;
    }

    return rc;
}


/* ------------------------------------------------------------ tests */

static void
test_tiff(void)
{
    int            big;
    size_t         at[3];
    buf_t          t;
    tiff_t         d;
    ngx_pa_meta_t  m;

    for (big = 0; big < 2; big++) {
        d = laichau;
        d.big = big;
        build_tiff(&t, &d, at);

        PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0,
                  "tiff %s parses", big ? "MM" : "II");
        PA_OK(m.has_exif && m.has_time && m.has_gps && m.has_modify_time,
              "tiff %s: exif, time, gps, modify time", big ? "MM" : "II");
        PA_OK(!m.time_has_offset, "no offset tag: local time");
        PA_IS_INT(m.taken_at, T_2026_01_22_0800, "DateTimeOriginal");
        PA_IS_INT(m.modified_at, T_2026_01_22_0800 + 300, "DateTime");
        PA_OK(near(m.lat, 22.396) && near(m.lng, 103.458),
              "gps %.6f %.6f", m.lat, m.lng);
        PA_IS_STR(m.make, "samsung", "make");
        PA_IS_STR(m.model, "SM-A525F", "model");
        PA_IS_STR(m.software, "A525FXXS4CWF1", "software");
        PA_OK(!ngx_pa_meta_edited_software(m.software),
              "firmware is no editor");
    }

    /* offsets: OffsetTimeOriginal for the capture, OffsetTime for 0x0132 */
    d = laichau;
    d.oto = "+07:00";
    d.ot = "+06:30";
    build_tiff(&t, &d, at);
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0, "tiff with offsets");
    PA_OK(m.time_has_offset, "time_has_offset");
    PA_IS_INT(m.taken_at, T_2026_01_22_0100, "taken_at is UTC");
    PA_IS_INT(m.modified_at, T_2026_01_22_0800 + 300 - 6 * 3600 - 1800,
              "modified_at uses OffsetTime");

    /* only OffsetTime: it serves the capture time too */
    d = laichau;
    d.big = 1;
    d.ot = "-0500";
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_IS_INT(m.taken_at, T_2026_01_22_0800 + 5 * 3600,
              "OffsetTime as fallback, +HHMM form");

    /* south/west */
    d = laichau;
    d.lat_ref = "S";
    d.lng_ref = "W";
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_OK(m.has_gps && near(m.lat, -22.396) && near(m.lng, -103.458),
          "S/W are negative");

    /* invalid values are ignored, not fatal */
    d = laichau;
    d.dto = "2026:02:30 08:00:00";
    d.datetime = "    :  :     :  :  ";
    d.lat[5] = 0;                       /* seconds x/0 */
    build_tiff(&t, &d, at);
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0,
              "bad values: still parses");
    PA_OK(m.has_exif && !m.has_time && !m.has_modify_time && !m.has_gps,
          "30 February, blank date and x/0 rational are ignored");

    d = laichau;
    d.dto = "2024:02:29 23:59:59";
    d.lat_ref = "X";
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_IS_INT(m.taken_at, T_2024_02_29_2359, "leap day");
    PA_OK(!m.has_gps, "unknown GPS ref");

    d = laichau;
    d.dto = "2026:01:22 24:00:00";
    memset(d.lat, 0, sizeof(d.lat));
    memset(d.lng, 0, sizeof(d.lng));
    d.lat[1] = d.lat[3] = d.lat[5] = 1;
    d.lng[1] = d.lng[3] = d.lng[5] = 1;
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_OK(!m.has_time, "hour 24 refused");
    PA_OK(!m.has_gps, "0,0 is no fix");

    /* Ha Noi as exiftool writes it: 105 deg 50' 60" (rounded) */
    d = laichau;
    d.lng[0] = 105;
    d.lng[2] = 50;
    d.lng[4] = 60;
    d.lng[5] = 1;
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_OK(m.has_gps && near(m.lng, 105.85), "60 seconds accepted: %.6f",
          m.lng);
    d.lng[4] = 61;
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_OK(!m.has_gps, "61 seconds refused");

    /* no GPS IFD at all */
    d = laichau;
    d.gps = 0;
    build_tiff(&t, &d, at);
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0, "no GPS IFD");
    PA_OK(m.has_time && !m.has_gps, "time without gps");

    /* a long software string is cut, control bytes hidden */
    d = laichau;
    d.software = "  Adobe Photoshop 25.0 (Windows)\x01 and then a very long "
                 "tail that goes past sixty-four bytes  ";
    build_tiff(&t, &d, at);
    ngx_pa_meta_parse_tiff(t.b, t.n, &m);
    PA_OK(strlen(m.software) >= NGX_PA_META_TEXT_MAX - 2
          && strlen(m.software) <= NGX_PA_META_TEXT_MAX - 1,
          "text cut at 63 bytes (then trailing blank trimmed)");
    PA_OK(strncmp(m.software, "Adobe Photoshop 25.0 (Windows)? and", 35)
          == 0, "trimmed, control byte shown as ?: '%s'", m.software);
    PA_OK(ngx_pa_meta_edited_software(m.software), "Photoshop is an editor");
}


static void
test_tiff_hostile(void)
{
    size_t         at[3], i, n;
    buf_t          t, big;
    tiff_t         d;
    clock_t        c;
    ngx_pa_meta_t  m;

    d = laichau;
    d.big = 1;
    build_tiff(&t, &d, at);

    /* every truncation of a valid TIFF: never a crash, never garbage */
    for (i = 0; i < t.n; i++) {
        int  rc = ngx_pa_meta_parse_tiff(t.b, i, &m);
        if (rc != 0 && (m.has_exif || m.has_time || m.has_gps)) {
            break;
        }
    }
    PA_IS_INT(i, t.n, "truncated TIFFs: -1 leaves meta zeroed");
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, 7, &m), -1, "7 bytes: -1");

    /* a bad byte order mark, a bad magic */
    t.b[0] = 'X';
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1, "not II/MM");
    t.b[0] = 'M';
    t.b[3] = 43;
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1, "not 42");
    t.b[3] = 42;

    /* IFD0 offset inside the header or past the end */
    set32(&t, 4, 4);
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1, "IFD0 at 4");
    set32(&t, 4, 0xfffffff0);
    PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1, "IFD0 far away");
    set32(&t, 4, 8);

    /* the Exif IFD pointing back at IFD0: a loop */
    {
        size_t  e = 8 + 2;

        while (t.b[e] != 0x87 || t.b[e + 1] != 0x69) {
            e += 12;
        }
        set32(&t, e + 8, 8);
        PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1,
                  "Exif IFD -> IFD0 loop refused");
        set32(&t, e + 8, at[2]);
        PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), -1,
                  "Exif IFD == GPS IFD refused");
        set32(&t, e + 8, at[1]);
    }

    /* an entry whose value lies outside: that tag only is ignored */
    {
        size_t  e = 8 + 2;      /* Make, first entry, value at an offset */

        set32(&t, e + 8, 0x7ffffff0);
        PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0,
                  "value out of bounds: parses");
        PA_OK(m.make[0] == '\0' && m.has_time, "only that tag lost");
        set32(&t, e + 4, 0xffffffff);   /* count * size wraps 32 bits */
        PA_IS_INT(ngx_pa_meta_parse_tiff(t.b, t.n, &m), 0,
                  "huge count: parses");
        PA_OK(m.make[0] == '\0', "huge count ignored");
    }

    /* 65535 entries announced: refused before the entries are read */
    memset(&big, 0, sizeof(big));
    big.big = 0;
    put(&big, "II", 2);
    put16(&big, 42);
    put32(&big, 8);
    put16(&big, 65535);
    n = big.n;
    memset(big.b + n, 0x41, sizeof(big.b) - n);

    c = clock();
    for (i = 0; i < 10000; i++) {
        if (ngx_pa_meta_parse_tiff(big.b, sizeof(big.b), &m) != -1) {
            break;
        }
    }
    PA_IS_INT(i, 10000, "65535-entry IFD refused");
    PA_OK((double) (clock() - c) / CLOCKS_PER_SEC < 0.5,
          "and quickly (10000 times in %.3f s)",
          (double) (clock() - c) / CLOCKS_PER_SEC);

    /* 513 entries is over the cap, even when the bytes are there */
    big.n = 8;
    put16(&big, 513);
    PA_IS_INT(ngx_pa_meta_parse_tiff(big.b, sizeof(big.b), &m), -1,
              "513 entries refused");
    big.n = 8;
    put16(&big, 512);
    PA_IS_INT(ngx_pa_meta_parse_tiff(big.b, sizeof(big.b), &m), 0,
              "512 entries of junk accepted");
    PA_OK(m.has_exif && !m.has_time, "with nothing in them");
}


static void
test_jpeg(void)
{
    int            fd, fd2;
    size_t         at[3], olen;
    buf_t          t, j, want;
    u_char         out[8192];
    tiff_t         d;
    jpeg_t         jp;
    ngx_pa_meta_t  m;
    struct stat    st;

    d = laichau;
    build_tiff(&t, &d, at);

    memset(&jp, 0, sizeof(jp));
    jp.tiff = t.b;
    jp.tiff_len = t.n;
    build_jpeg(&j, &want, &jp);

    PA_IS_INT(parse2(NGX_PA_META_JPEG, j.b, j.n, &m), 0, "jpeg parses");
    PA_OK(m.has_exif && m.has_time && m.has_gps, "jpeg: exif, time, gps");
    PA_IS_INT(m.taken_at, T_2026_01_22_0800, "jpeg: taken_at");
    PA_OK(near(m.lat, 22.396) && near(m.lng, 103.458), "jpeg: gps");

    PA_IS_INT(ngx_pa_jpeg_strip(j.b, j.n, out, &olen), 0, "strip");
    PA_OK(olen == want.n && memcmp(out, want.b, olen) == 0,
          "strip keeps SOI, JFIF, DQT, SOF, DHT, SOS, scan, EOI exactly"
          " (%zu/%zu bytes)", olen, want.n);
    PA_IS_INT(ngx_pa_meta_parse(NGX_PA_META_JPEG, out, olen, &m), 0,
              "stripped copy parses");
    PA_OK(!m.has_exif && !m.has_gps && !m.has_time, "and has no metadata");

    /* fd variant */
    fd = tmpfile_with(j.b, j.n);
    fd2 = tmpfile_with((const u_char *) "", 0);
    PA_IS_INT(ngx_pa_jpeg_strip_fd(fd, fd2), 0, "strip_fd");
    fstat(fd2, &st);
    memset(out, 0, sizeof(out));
    PA_OK(st.st_size == (off_t) want.n
          && pread(fd2, out, sizeof(out), 0) == (ssize_t) want.n
          && memcmp(out, want.b, want.n) == 0, "strip_fd output equal");
    close(fd);
    close(fd2);

    /* in place */
    memcpy(out, j.b, j.n);
    PA_IS_INT(ngx_pa_jpeg_strip(out, j.n, out, &olen), 0, "strip in place");
    PA_OK(olen == want.n && memcmp(out, want.b, olen) == 0,
          "in place output equal");

    /* progressive: APP1 between scans dropped, trailer after EOI dropped */
    jp.progressive = 1;
    jp.trailer = "<html><script>alert(1)</script></html>";
    build_jpeg(&j, &want, &jp);
    PA_IS_INT(ngx_pa_jpeg_strip(j.b, j.n, out, &olen), 0,
              "strip progressive");
    PA_OK(olen == want.n && memcmp(out, want.b, olen) == 0,
          "second scan kept, APP1 between scans and trailer dropped");
    PA_IS_INT(parse2(NGX_PA_META_JPEG, j.b, j.n, &m), 0,
              "progressive parses");
    PA_OK(m.has_gps, "first EXIF used, the late one ignored");

    /* every truncation */
    jp.progressive = 0;
    jp.trailer = NULL;
    build_jpeg(&j, &want, &jp);
    {
        size_t  i, bad = 0, exif_end;

        exif_end = 2 + 18 + 4 + 6 + t.n;
        for (i = 0; i < j.n; i++) {
            int  rc = ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, i, &m);

            if (i < exif_end && rc != -1) {
                bad++;
            }
            if (i >= exif_end && (rc != 0 || !m.has_gps)) {
                bad++;
            }
            if (i < j.n - 2 && ngx_pa_jpeg_strip(j.b, i, out, &olen) != -1) {
                bad++;
            }
        }
        PA_IS_INT(bad, 0, "truncated: -1 before the EXIF end, metadata "
                  "after it; strip refuses all");
    }

    /* polyglot: a JPEG header then HTML */
    {
        static const u_char  poly[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
                                      "\x01\x00\x00\x48\x00\x48\x00\x00"
                                      "<html><body>hi</body></html>";

        PA_IS_INT(parse2(NGX_PA_META_JPEG, poly, sizeof(poly) - 1, &m), -1,
                  "JPEG header + HTML: -1");
        PA_IS_INT(ngx_pa_jpeg_strip(poly, sizeof(poly) - 1, out, &olen), -1,
                  "JPEG header + HTML: strip refuses");
    }

    PA_IS_INT(parse2(NGX_PA_META_JPEG, (const u_char *) "GIF89a", 6, &m),
              -1, "not a JPEG");
    PA_IS_INT(parse2(NGX_PA_META_JPEG, (const u_char *) "", 0, &m), -1,
              "empty");

    /* no EXIF at all: parses, nothing found */
    jp.tiff = NULL;
    build_jpeg(&j, &want, &jp);
    PA_IS_INT(parse2(NGX_PA_META_JPEG, j.b, j.n, &m), 0, "no EXIF: 0");
    PA_OK(!m.has_exif && !m.has_time && !m.has_gps, "no EXIF: no flags");

    /* a corrupt EXIF block: -1 */
    memcpy(t.b, "XX", 2);
    jp.tiff = t.b;
    build_jpeg(&j, &want, &jp);
    PA_IS_INT(parse2(NGX_PA_META_JPEG, j.b, j.n, &m), -1, "bad TIFF: -1");
    memcpy(t.b, "II", 2);

    /* 65535-entry IFD inside a JPEG */
    {
        buf_t  bomb;

        memset(&bomb, 0, sizeof(bomb));
        put(&bomb, "MM\0*\0\0\0\x08\xff\xff", 10);
        memset(bomb.b + 10, 0, 4000);
        bomb.n = 4010;
        jp.tiff = bomb.b;
        jp.tiff_len = bomb.n;
        build_jpeg(&j, &want, &jp);
        PA_IS_INT(parse2(NGX_PA_META_JPEG, j.b, j.n, &m), -1,
                  "JPEG with a 65535-entry IFD: -1");
        PA_IS_INT(ngx_pa_jpeg_strip(j.b, j.n, out, &olen), 0,
                  "and strip drops it");
        PA_OK(olen == want.n && memcmp(out, want.b, olen) == 0,
              "strip output equal");
    }

    /* strip refuses a JPEG without a frame, without a scan */
    {
        static const u_char  noscan[] = { 0xff, 0xd8, 0xff, 0xfe, 0, 3, 'x',
                                          0xff, 0xd9 };
        static const u_char  noframe[] = { 0xff, 0xd8, 0xff, 0xda, 0, 2,
                                           0x11, 0xff, 0xd9 };

        PA_IS_INT(ngx_pa_jpeg_strip(noscan, sizeof(noscan), out, &olen), -1,
                  "no scan: strip refuses");
        PA_IS_INT(ngx_pa_meta_parse(NGX_PA_META_JPEG, noscan,
                                    sizeof(noscan), &m), -1,
                  "no scan: parse -1");
        PA_IS_INT(ngx_pa_jpeg_strip(noframe, sizeof(noframe), out, &olen),
                  -1, "SOS before SOF: strip refuses");
    }
}


static void
test_xmp(void)
{
    size_t         at[3];
    buf_t          t, j, want;
    tiff_t         d;
    jpeg_t         jp;
    ngx_pa_meta_t  m;

    memset(&jp, 0, sizeof(jp));

    /* no EXIF Software: CreatorTool fills it */
    jp.xmp = "<x:xmpmeta><rdf:Description xmp:CreatorTool=\"GIMP 2.10\"/>";
    build_jpeg(&j, &want, &jp);
    PA_IS_INT(ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m), 0,
              "xmp jpeg");
    PA_IS_STR(m.software, "GIMP 2.10", "xmp:CreatorTool attribute");

    jp.xmp = "<xmp:CreatorTool>Snapseed 2.0</xmp:CreatorTool>";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "Snapseed 2.0", "xmp:CreatorTool element");

    /* a history event names the editor even when CreatorTool does not */
    jp.xmp = "xmp:CreatorTool='17.2' <rdf:li stEvt:action=\"saved\" "
             "stEvt:softwareAgent=\"17.2\"/><rdf:li stEvt:softwareAgent="
             "\"Adobe Photoshop 25.0 (Windows)\"/>";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "Adobe Photoshop 25.0 (Windows)",
              "stEvt:softwareAgent");

    jp.xmp = "<photoshop:DocumentAncestors><rdf:Bag/>";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "Adobe Photoshop (XMP)", "photoshop: trace");

    jp.xmp = "xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" "
             "photoshop:DateCreated=\"2026-01-22T08:00:00\"";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "", "photoshop:DateCreated is no trace");

    jp.xmp = "xmp:CreatorTool=\"unterminated";
    build_jpeg(&j, &want, &jp);
    PA_IS_INT(ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m), 0,
              "unterminated value");
    PA_IS_STR(m.software, "", "ignored");

    /* EXIF Software wins, unless only the XMP names an editor */
    d = laichau;
    build_tiff(&t, &d, at);
    jp.tiff = t.b;
    jp.tiff_len = t.n;
    jp.xmp = "xmp:CreatorTool=\"Google\"";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "A525FXXS4CWF1", "EXIF Software first");

    jp.xmp = "xmp:CreatorTool=\"Adobe Lightroom\"";
    build_jpeg(&j, &want, &jp);
    ngx_pa_meta_parse(NGX_PA_META_JPEG, j.b, j.n, &m);
    PA_IS_STR(m.software, "Adobe Lightroom",
              "an XMP editor replaces a camera Software");
    PA_OK(m.has_gps && m.has_time, "EXIF kept");
}


static void
test_editors(void)
{
    static const char  *yes[] = { "Adobe Photoshop 25.0 (Windows)",
        "GIMP 2.10.34", "Adobe Photoshop Lightroom Classic 13.1",
        "Snapseed 2.0", "PicsArt", "Canva", "pixlr.com", "Affinity Photo 2",
        "paint.net 5.0.12", "MEITU", "Facetune2", "VSCO", "Photopea",
        "Adobe Express", "CapCut", NULL };
    static const char  *no[] = { "Android", "iOS 17.2", "17.2",
        "HDR+ 1.0.540104767zd", "A525FXXS4CWF1", "Ver.1.00", "Lavf59.27.100",
        "MediaTek Camera Application", "", "Google", NULL };
    const char        **s;

    for (s = yes; *s; s++) {
        PA_IS_INT(ngx_pa_meta_edited_software(*s), 1, "editor: %s", *s);
    }

    for (s = no; *s; s++) {
        PA_IS_INT(ngx_pa_meta_edited_software(*s), 0, "not editor: '%s'",
                  *s);
    }

    PA_IS_INT(ngx_pa_meta_edited_software(NULL), 0, "NULL");
}


/* ------------------------------------------------------------ boxes */

static size_t
box_open(buf_t *b, const char *type)
{
    size_t  at = b->n;

    be32(b, 0);
    put(b, type, 4);

    return at;
}


static void
box_close(buf_t *b, size_t at)
{
    size_t  n = b->n;

    b->n = at;
    be32(b, n - at);
    b->n = n;
}


static void
mp4_text(buf_t *b, const char *type, const char *s)
{
    size_t  at = box_open(b, type);

    be16(b, strlen(s));
    be16(b, 0x15c7);            /* language */
    put(b, s, strlen(s));
    box_close(b, at);
}


static void
mp4_data(buf_t *b, const char *type, const char *s)
{
    size_t  at = box_open(b, type), d;

    d = box_open(b, "data");
    be32(b, 1);
    be32(b, 0);
    put(b, s, strlen(s));
    box_close(b, d);
    box_close(b, at);
}


static void
mp4_key(buf_t *b, const char *name)
{
    be32(b, 8 + strlen(name));
    put(b, "mdta", 4);
    put(b, name, strlen(name));
}


/*
 * ftyp, [mdat], moov { mvhd (version v, time ct), udta { ©xyz, ©too } or
 * meta { hdlr, keys, ilst } }.
 */
static void
build_mp4(buf_t *b, int v, uint64_t ct, int apple, int mdat_first)
{
    size_t  moov, at;

    memset(b, 0, sizeof(buf_t));
    b->big = 1;

    at = box_open(b, "ftyp");
    put(b, "isom\0\0\2\0isomiso2mp41", 20);
    box_close(b, at);

    if (mdat_first) {
        /* a 64-bit size, as cameras write for big files */
        be32(b, 1);
        put(b, "mdat", 4);
        be32(b, 0);
        be32(b, 16 + 100);
        memset(b->b + b->n, 0xab, 100);
        b->n += 100;
    }

    moov = box_open(b, "moov");

    at = box_open(b, "mvhd");
    put8(b, v);
    put8(b, 0);
    be16(b, 0);
    if (v == 0) {
        be32(b, (uint32_t) ct);
        be32(b, (uint32_t) ct);
        be32(b, 1000);
        be32(b, 1000);
    } else {
        be32(b, ct >> 32);
        be32(b, ct & 0xffffffff);
        be32(b, ct >> 32);
        be32(b, ct & 0xffffffff);
        be32(b, 1000);
        be32(b, 0);
        be32(b, 1000);
    }
    memset(b->b + b->n, 0, 80);
    b->n += 80;
    box_close(b, at);

    at = box_open(b, "trak");
    put(b, "\0\0\0\x08free", 8);
    box_close(b, at);

    if (!apple) {
        at = box_open(b, "udta");
        mp4_text(b, "\xa9xyz", "+22.3960+103.4580/");
        mp4_text(b, "\xa9too", "Lavf59.27.100");
        be32(b, 0);                 /* QuickTime list terminator */
        box_close(b, at);

    } else {
        size_t  meta, keys;

        meta = box_open(b, "meta");
        at = box_open(b, "hdlr");
        put(b, "\0\0\0\0\0\0\0\0mdta", 12);
        memset(b->b + b->n, 0, 13);
        b->n += 13;
        box_close(b, at);

        keys = box_open(b, "keys");
        be32(b, 0);
        be32(b, 3);
        mp4_key(b, "com.apple.quicktime.make");
        mp4_key(b, "com.apple.quicktime.location.ISO6709");
        mp4_key(b, "com.apple.quicktime.creationdate");
        box_close(b, keys);

        at = box_open(b, "ilst");
        mp4_data(b, "\0\0\0\1", "Apple");
        mp4_data(b, "\0\0\0\2", "+2223.76+10327.48+350.000/");
        mp4_data(b, "\0\0\0\3", "2026-01-22T08:00:00+0700");
        mp4_data(b, "\0\0\0\7", "+00.0000+000.0000/");   /* no such key */
        box_close(b, at);
        box_close(b, meta);
    }

    box_close(b, moov);

    if (!mdat_first) {
        /* size 0: to the end of the file */
        be32(b, 0);
        put(b, "mdat", 4);
        memset(b->b + b->n, 0xcd, 64);
        b->n += 64;
    }
}


static void
test_mp4(void)
{
    size_t         i, bad, moov_end;
    buf_t          b;
    uint64_t       ct;
    ngx_pa_meta_t  m;

    ct = T_2026_01_22_0100 + MAC_EPOCH;

    build_mp4(&b, 0, ct, 0, 0);
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), 0, "mp4 v0 parses");
    PA_OK(m.has_exif && m.has_time && m.time_has_offset && m.has_gps,
          "mp4: moov, time (UTC), gps");
    PA_IS_INT(m.taken_at, T_2026_01_22_0100, "mvhd v0 creation_time");
    PA_OK(near(m.lat, 22.396) && near(m.lng, 103.458),
          "udta/©xyz %.6f %.6f", m.lat, m.lng);
    PA_IS_STR(m.software, "Lavf59.27.100", "©too");

    build_mp4(&b, 1, ct, 1, 1);
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), 0,
              "mp4 v1, 64-bit mdat first, Apple keys");
    PA_IS_INT(m.taken_at, T_2026_01_22_0100, "mvhd v1 creation_time");
    PA_OK(m.has_gps && near(m.lat, 22 + 23.76 / 60)
          && near(m.lng, 103 + 27.48 / 60),
          "keys ISO6709 (DDMM.MM form) %.6f %.6f", m.lat, m.lng);
    PA_IS_STR(m.make, "Apple", "keys make");

    /* creation_time 0: unknown; the Apple creationdate serves */
    build_mp4(&b, 0, 0, 1, 0);
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), 0, "mvhd time 0");
    PA_OK(m.has_time && m.taken_at == T_2026_01_22_0100,
          "com.apple.quicktime.creationdate as fallback");

    build_mp4(&b, 0, 0, 0, 0);
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), 0, "no time at all");
    PA_OK(m.has_exif && !m.has_time, "has_time 0");

    build_mp4(&b, 1, 12345, 0, 0);
    ngx_pa_meta_parse(NGX_PA_META_MP4, b.b, b.n, &m);
    PA_OK(!m.has_time, "1904 time ignored");

    build_mp4(&b, 1, 0xffffffffffffffffULL, 0, 0);
    ngx_pa_meta_parse(NGX_PA_META_MP4, b.b, b.n, &m);
    PA_OK(!m.has_time, "far future ignored");

    /* every truncation: -1 until moov is whole */
    build_mp4(&b, 0, ct, 0, 0);
    moov_end = b.n - 8 - 64;
    bad = 0;
    for (i = 0; i < b.n; i++) {
        int  rc = ngx_pa_meta_parse(NGX_PA_META_MP4, b.b, i, &m);

        if (i < moov_end && (rc != -1 || m.has_exif)) {
            bad++;
        }
        if (i >= moov_end && (rc != 0 || !m.has_gps)) {
            bad++;
        }
    }
    PA_IS_INT(bad, 0, "truncated mp4s");

    build_mp4(&b, 1, ct, 1, 1);
    bad = 0;
    for (i = 0; i < b.n; i++) {
        if (ngx_pa_meta_parse(NGX_PA_META_MP4, b.b, i, &m) == 0
            && i < b.n - 8 - 64)
        {
            bad++;
        }
    }
    PA_IS_INT(bad, 0, "truncated mp4s (64-bit mdat first)");

    /* lying sizes */
    build_mp4(&b, 0, ct, 0, 0);
    b.b[3] = 7;                         /* ftyp size < header */
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), -1, "box size 7");
    b.b[3] = 0xff;
    b.b[2] = 0xff;                      /* past the end */
    PA_IS_INT(parse2(NGX_PA_META_MP4, b.b, b.n, &m), -1, "box too long");

    PA_IS_INT(parse2(NGX_PA_META_MP4,
                     (const u_char *) "\0\0\0\x10htmlabcdefgh", 16, &m), -1,
              "unknown first box");
    PA_IS_INT(parse2(NGX_PA_META_MP4,
                     (const u_char *) "\0\0\0\x10" "ftypisom\0\0\0\0", 16,
                     &m), -1, "no moov");
}


/* ------------------------------------------------------------ HEIF */

static void
build_heif(buf_t *b, const buf_t *tiff, int idat, int with_exif)
{
    size_t  at, meta, iinf, iloc, fix, data;

    memset(b, 0, sizeof(buf_t));
    b->big = 1;

    at = box_open(b, "ftyp");
    put(b, "heic\0\0\0\0mif1heic", 16);
    box_close(b, at);

    meta = box_open(b, "meta");
    be32(b, 0);

    at = box_open(b, "hdlr");
    put(b, "\0\0\0\0\0\0\0\0pict", 12);
    memset(b->b + b->n, 0, 13);
    b->n += 13;
    box_close(b, at);

    iinf = box_open(b, "iinf");
    be32(b, 0);
    be16(b, 2);
    at = box_open(b, "infe");
    put(b, "\2\0\0\0", 4);
    be16(b, 1);
    be16(b, 0);
    put(b, "hvc1", 4);
    put8(b, 0);
    box_close(b, at);
    at = box_open(b, "infe");
    put(b, "\2\0\0\0", 4);
    be16(b, 2);
    be16(b, 0);
    put(b, with_exif ? "Exif" : "mime", 4);
    put8(b, 0);
    box_close(b, at);
    box_close(b, iinf);

    iloc = box_open(b, "iloc");
    put8(b, idat ? 1 : 0);
    put(b, "\0\0\0", 3);
    put8(b, 0x44);                  /* offset 4, length 4 */
    put8(b, 0x00);                  /* base 0, index 0 */
    be16(b, 1);
    be16(b, 2);                     /* item 2 */
    if (idat) {
        be16(b, 1);                 /* construction method 1: idat */
    }
    be16(b, 0);
    be16(b, 1);
    fix = b->n;
    be32(b, 0);
    be32(b, 4 + 6 + tiff->n);
    box_close(b, iloc);

    if (idat) {
        at = box_open(b, "idat");
        data = 0;
        be32(b, 6);
        put(b, "Exif\0\0", 6);
        put(b, tiff->b, tiff->n);
        box_close(b, at);
        box_close(b, meta);

    } else {
        box_close(b, meta);
        at = box_open(b, "mdat");
        data = b->n;
        be32(b, 6);
        put(b, "Exif\0\0", 6);
        put(b, tiff->b, tiff->n);
        box_close(b, at);
    }

    at = b->n;
    b->n = fix;
    be32(b, data);
    b->n = at;
}


static void
test_heif(void)
{
    int            idat;
    size_t         at[3], i, bad;
    buf_t          t, h;
    tiff_t         d;
    ngx_pa_meta_t  m;

    d = laichau;
    d.big = 1;
    d.oto = "+07:00";
    build_tiff(&t, &d, at);

    for (idat = 0; idat < 2; idat++) {
        build_heif(&h, &t, idat, 1);
        PA_IS_INT(parse2(NGX_PA_META_HEIF, h.b, h.n, &m), 0,
                  "heif (%s) parses", idat ? "idat" : "mdat");
        PA_OK(m.has_exif && m.has_time && m.has_gps && m.time_has_offset,
              "heif: exif, time, gps");
        PA_IS_INT(m.taken_at, T_2026_01_22_0100, "heif taken_at");
        PA_OK(near(m.lat, 22.396) && near(m.lng, 103.458), "heif gps");
        PA_IS_STR(m.model, "SM-A525F", "heif model");
    }

    build_heif(&h, &t, 0, 0);
    PA_IS_INT(parse2(NGX_PA_META_HEIF, h.b, h.n, &m), 0, "heif w/o Exif");
    PA_OK(!m.has_exif, "has_exif 0");

    build_heif(&h, &t, 0, 1);
    bad = 0;
    for (i = 0; i < h.n; i++) {
        int  rc = ngx_pa_meta_parse(NGX_PA_META_HEIF, h.b, i, &m);

        if (rc == 0 && m.has_exif) {
            bad++;
        }
    }
    PA_IS_INT(bad, 0, "truncated heif never yields EXIF");

    memcpy(h.b + 8, "isom", 4);
    memcpy(h.b + 16, "isom", 4);
    memcpy(h.b + 20, "isom", 4);
    PA_IS_INT(parse2(NGX_PA_META_HEIF, h.b, h.n, &m), -1,
              "not a HEIF brand");
}


/* ------------------------------------------------------------ fixtures */

static u_char *
slurp(const char *dir, const char *name, size_t *n)
{
    char         path[512];
    int          fd;
    u_char      *p;
    struct stat  st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    fd = open(path, O_RDONLY);
    if (fd == -1) {
        return NULL;
    }

    if (fstat(fd, &st) == -1 || (p = malloc(st.st_size + 1)) == NULL) {
        close(fd);
        return NULL;
    }

    *n = read(fd, p, st.st_size);
    close(fd);

    return p;
}


/* KEY=value from fixtures.env, as an epoch written there by the script */
static long long
env_value(const char *env, const char *key)
{
    const char  *p;
    size_t       k = strlen(key);

    for (p = env; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            return atoll(p + k + 1);
        }
    }

    return -1;
}


static void
test_fixtures(void)
{
    int            i, kind, rc, fd;
    char          *env;
    size_t         n, olen;
    u_char        *out;
    long long      taken, old, taken_utc;
    const char    *dir;
    ngx_pa_meta_t  m;

    static const struct {
        const char  *name;
        int          kind;
        int          rc;
        int          gps;           /* 1 Lai Chau, 2 Ha Noi, 0 none */
        int          time;          /* 1 TAKEN local, 2 OLD, 3 TAKEN UTC */
        int          edited;
        int          strip;         /* expected strip result, 9: n/a */
    } f[] = {
        { "fresh-mm.jpg", NGX_PA_META_JPEG, 0, 1, 1, 0, 0 },
        { "fresh-ii.jpg", NGX_PA_META_JPEG, 0, 1, 1, 0, 0 },
        { "fresh-offset.jpg", NGX_PA_META_JPEG, 0, 1, 3, 0, 0 },
        { "old.jpg", NGX_PA_META_JPEG, 0, 1, 2, 0, 0 },
        { "hanoi.jpg", NGX_PA_META_JPEG, 0, 2, 1, 0, 0 },
        { "noexif.jpg", NGX_PA_META_JPEG, 0, 0, 0, 0, 0 },
        { "photoshop.jpg", NGX_PA_META_JPEG, 0, 1, 1, 1, 0 },
        { "progressive.jpg", NGX_PA_META_JPEG, 0, 1, 1, 0, 0 },
        { "truncated.jpg", NGX_PA_META_JPEG, 0, 1, 1, 0, -1 },
        { "truncated-exif.jpg", NGX_PA_META_JPEG, -1, 0, 0, 0, -1 },
        { "image.png", NGX_PA_META_JPEG, -1, 0, 0, 0, -1 },
        { "text.jpg", NGX_PA_META_JPEG, -1, 0, 0, 0, -1 },
        { "polyglot.jpg", NGX_PA_META_JPEG, -1, 0, 0, 0, -1 },
        { "bomb.jpg", NGX_PA_META_JPEG, -1, 0, 0, 0, 0 },
        { "video.mp4", NGX_PA_META_MP4, 0, 1, 3, 0, 9 },
        { "video.mov", NGX_PA_META_MP4, 0, 1, 3, 0, 9 },
        { "video-keys.mp4", NGX_PA_META_MP4, 0, 1, 3, 0, 9 },
        { "photo.heic", NGX_PA_META_HEIF, 0, 1, 1, 0, 9 },
    };

    dir = getenv("PA_FIXTURES");
    if (dir == NULL) {
        dir = "build/fixtures";
    }

    env = (char *) slurp(dir, "fixtures.env", &n);

    if (env == NULL) {
        pa_unit_n++;
        printf("ok %d # skip no %s/fixtures.env "
               "(tests/fixtures/make-media.sh)\n", pa_unit_n, dir);
        return;
    }

    env[n] = '\0';
    taken = env_value(env, "TAKEN_EPOCH_LOCAL");
    old = env_value(env, "OLD_EPOCH_LOCAL");
    taken_utc = env_value(env, "TAKEN_EPOCH_UTC");

    for (i = 0; i < (int) (sizeof(f) / sizeof(f[0])); i++) {
        u_char  *p = slurp(dir, f[i].name, &n);

        if (p == NULL) {
            pa_unit_n++;
            printf("ok %d # skip %s not generated\n", pa_unit_n, f[i].name);
            continue;
        }

        kind = f[i].kind;
        rc = parse2(kind, p, n, &m);
        PA_IS_INT(rc, f[i].rc, "fixture %s: parse", f[i].name);

        if (f[i].gps == 1) {
            PA_OK(m.has_gps && fabs(m.lat - 22.396) < 1e-4
                  && fabs(m.lng - 103.458) < 1e-4,
                  "%s: Lai Chau %.5f %.5f", f[i].name, m.lat, m.lng);
        } else if (f[i].gps == 2) {
            PA_OK(m.has_gps && fabs(m.lat - 21.03) < 1e-4
                  && fabs(m.lng - 105.85) < 1e-4,
                  "%s: Ha Noi %.5f %.5f", f[i].name, m.lat, m.lng);
        } else {
            PA_OK(!m.has_gps, "%s: no gps", f[i].name);
        }

        if (f[i].time == 1) {
            PA_OK(m.has_time && !m.time_has_offset && m.taken_at == taken,
                  "%s: local taken_at %lld", f[i].name,
                  (long long) m.taken_at);
        } else if (f[i].time == 2) {
            PA_OK(m.has_time && m.taken_at == old, "%s: old taken_at",
                  f[i].name);
        } else if (f[i].time == 3) {
            PA_OK(m.has_time && m.time_has_offset && m.taken_at == taken_utc,
                  "%s: UTC taken_at %lld", f[i].name,
                  (long long) m.taken_at);
        } else {
            PA_OK(!m.has_time, "%s: no time", f[i].name);
        }

        PA_IS_INT(ngx_pa_meta_edited_software(m.software), f[i].edited,
                  "%s: software '%s'", f[i].name, m.software);

        if (f[i].strip != 9) {
            out = malloc(n ? n : 1);
            rc = ngx_pa_jpeg_strip(p, n, out, &olen);
            PA_IS_INT(rc, f[i].strip, "%s: strip", f[i].name);

            if (rc == 0) {
                PA_IS_INT(ngx_pa_meta_parse(NGX_PA_META_JPEG, out, olen,
                                            &m), 0, "%s: stripped parses",
                          f[i].name);
                PA_OK(!m.has_exif && !m.has_gps && !m.software[0],
                      "%s: stripped has no metadata", f[i].name);
                fd = tmpfile_with(out, olen);
                PA_OK(fd != -1, "%s: copy", f[i].name);
                close(fd);
            }

            free(out);
        }

        free(p);
    }

    free(env);
}


int
main(void)
{
    test_tiff();
    test_tiff_hostile();
    test_jpeg();
    test_xmp();
    test_editors();
    test_mp4();
    test_heif();
    test_fixtures();

    PA_DONE();
}
