/*
 * Working-time calendar; the semantics are in ngx_pa_calendar.h.
 *
 * Everything is computed on local day numbers (days since 1970-01-01 in
 * the calendar's fixed offset) and seconds within the local day, so no
 * libc time zone function is involved and the result does not depend on
 * the host's TZ.  Counting working days over a range costs O(log n) plus
 * the list entries inside the range, never a loop over days, so add() is
 * a binary search over days and between() is a direct sum.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ngx_pa_calendar.h"


#define NGX_PA_CAL_DAY      86400

/*
 * A deadline further than this many days after its start is treated as
 * unreachable: it bounds every search, and covers calendars that have no
 * working time at all.
 */
#define NGX_PA_CAL_HORIZON  36600

/* 9999-12-31 23:59:59 UTC: instants are clamped so sums cannot overflow */
#define NGX_PA_CAL_TMAX     ((int64_t) 253402300799LL)

#define ngx_pa_cal_is_ws(c)     ((c) == ' ' || (c) == '\t')
#define ngx_pa_cal_is_digit(c)  ((c) >= '0' && (c) <= '9')
#define ngx_pa_cal_lower(c)     (((c) >= 'A' && (c) <= 'Z') ? (c) | 0x20 : (c))


static const char  *ngx_pa_cal_day_names[7] = {
    "sun", "mon", "tue", "wed", "thu", "fri", "sat"
};


static int64_t
ngx_pa_cal_floor_div(int64_t a, int64_t b)
{
    int64_t  q;

    /* C division truncates; instants before the epoch must round down */
    q = a / b;

    if (a % b != 0 && a < 0) {
        q--;
    }

    return q;
}


/* H. Hinnant's days_from_civil: proleptic Gregorian, day 0 = 1970-01-01 */
static int64_t
ngx_pa_cal_days_from_civil(int64_t y, int m, int d)
{
    int64_t  era, yoe, doy, doe;

    y -= (m <= 2);
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static int
ngx_pa_cal_month_days(int y, int m)
{
    static const int  days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) {
        return 29;
    }

    return days[m - 1];
}


/* 0 Sunday ... 6 Saturday; 1970-01-01 was a Thursday */
static int
ngx_pa_cal_weekday(int64_t day)
{
    return (int) ((day % 7 + 11) % 7);
}


static int
ngx_pa_cal_popcount(unsigned mask)
{
    int  n;

    for (n = 0; mask; mask &= mask - 1) {
        n++;
    }

    return n;
}


/* index of the first element >= v in a sorted array */
static size_t
ngx_pa_cal_lower_bound(const int32_t *a, size_t n, int64_t v)
{
    size_t  lo, hi;

    lo = 0;
    hi = n;

    while (lo < hi) {
        size_t  mid = lo + (hi - lo) / 2;

        if (a[mid] < v) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return lo;
}


static int
ngx_pa_cal_has(const int32_t *a, size_t n, int64_t v)
{
    size_t  i;

    i = ngx_pa_cal_lower_bound(a, n, v);

    return i < n && a[i] == v;
}


static int
ngx_pa_cal_is_weekday(const ngx_pa_calendar_t *cal, int64_t day)
{
    return (cal->weekdays >> ngx_pa_cal_weekday(day)) & 1;
}


static int
ngx_pa_cal_working(const ngx_pa_calendar_t *cal, int64_t day)
{
    if (ngx_pa_cal_has(cal->workdays, cal->nworkdays, day)) {
        return 1;
    }

    return ngx_pa_cal_is_weekday(cal, day)
           && !ngx_pa_cal_has(cal->holidays, cal->nholidays, day);
}


/*
 * Working days in [d1, d2).  The working days are W u (D \ H), W the
 * make-up days, D the office weekdays, H the holidays, so the count is
 * |D| - |D n H| + |W \ (D \ H)|; only list entries inside the range are
 * visited.
 */
static int64_t
ngx_pa_cal_count(const ngx_pa_calendar_t *cal, int64_t d1, int64_t d2)
{
    int      wd, i;
    size_t   k;
    int64_t  n, cnt;

    if (d2 <= d1) {
        return 0;
    }

    n = d2 - d1;
    cnt = (n / 7) * ngx_pa_cal_popcount(cal->weekdays & 0x7f);
    wd = ngx_pa_cal_weekday(d1);

    for (i = 0; i < n % 7; i++) {
        cnt += (cal->weekdays >> ((wd + i) % 7)) & 1;
    }

    k = ngx_pa_cal_lower_bound(cal->holidays, cal->nholidays, d1);

    for ( /* void */ ; k < cal->nholidays && cal->holidays[k] < d2; k++) {
        cnt -= ngx_pa_cal_is_weekday(cal, cal->holidays[k]);
    }

    k = ngx_pa_cal_lower_bound(cal->workdays, cal->nworkdays, d1);

    for ( /* void */ ; k < cal->nworkdays && cal->workdays[k] < d2; k++) {
        int64_t  v = cal->workdays[k];

        if (!ngx_pa_cal_is_weekday(cal, v)
            || ngx_pa_cal_has(cal->holidays, cal->nholidays, v))
        {
            cnt++;
        }
    }

    return cnt;
}


static int64_t
ngx_pa_cal_day_seconds(const ngx_pa_calendar_t *cal)
{
    int      i;
    int64_t  sum;

    sum = 0;

    for (i = 0; i < cal->nspans && i < NGX_PA_CAL_MAX_SPANS; i++) {
        sum += cal->spans[i].end - cal->spans[i].start;
    }

    return sum;
}


/* office seconds in [s1, s2) of one working day */
static int64_t
ngx_pa_cal_overlap(const ngx_pa_calendar_t *cal, int64_t s1, int64_t s2)
{
    int      i;
    int64_t  sum;

    sum = 0;

    for (i = 0; i < cal->nspans && i < NGX_PA_CAL_MAX_SPANS; i++) {
        int64_t  lo = s1 > cal->spans[i].start ? s1 : cal->spans[i].start;
        int64_t  hi = s2 < cal->spans[i].end ? s2 : cal->spans[i].end;

        if (hi > lo) {
            sum += hi - lo;
        }
    }

    return sum;
}


/*
 * Spends *rest office seconds of one working day from second s on.
 * Returns the second of the day where *rest reaches 0 (the earliest such,
 * so a deadline may end exactly at a span's end), or -1 with *rest
 * reduced by what the day offered.
 */
static int64_t
ngx_pa_cal_walk(const ngx_pa_calendar_t *cal, int64_t s, int64_t *rest)
{
    int      i;
    int64_t  from, avail;

    for (i = 0; i < cal->nspans && i < NGX_PA_CAL_MAX_SPANS; i++) {
        if (s >= cal->spans[i].end) {
            continue;
        }

        from = s > cal->spans[i].start ? s : cal->spans[i].start;
        avail = cal->spans[i].end - from;

        if (*rest <= avail) {
            return from + *rest;
        }

        *rest -= avail;
    }

    return -1;
}


static void
ngx_pa_cal_split(const ngx_pa_calendar_t *cal, int64_t t, int64_t *day,
    int64_t *sec)
{
    if (t < 0) {
        t = 0;

    } else if (t > NGX_PA_CAL_TMAX) {
        t = NGX_PA_CAL_TMAX;
    }

    t += cal->utc_offset;
    *day = ngx_pa_cal_floor_div(t, NGX_PA_CAL_DAY);
    *sec = t - *day * NGX_PA_CAL_DAY;
}


void
ngx_pa_calendar_init(ngx_pa_calendar_t *cal)
{
    memset(cal, 0, sizeof(ngx_pa_calendar_t));

    cal->spans[0].start = 7 * 3600 + 30 * 60;
    cal->spans[0].end = 11 * 3600 + 30 * 60;
    cal->spans[1].start = 13 * 3600 + 30 * 60;
    cal->spans[1].end = 17 * 3600;
    cal->nspans = 2;

    cal->weekdays = 0x3e;                       /* Monday to Friday */
    cal->utc_offset = 7 * 3600;
}


/* "H:MM" or "HH:MM", 00:00 to 24:00 */
static int
ngx_pa_cal_parse_hhmm(const u_char **pp, const u_char *end, int32_t *out)
{
    int            h, m, n;
    const u_char  *p;

    p = *pp;
    h = 0;

    for (n = 0; n < 2 && p < end && ngx_pa_cal_is_digit(*p); n++, p++) {
        h = h * 10 + (*p - '0');
    }

    if (n == 0 || p == end || *p != ':') {
        return -1;
    }

    p++;

    if (end - p < 2 || !ngx_pa_cal_is_digit(p[0])
        || !ngx_pa_cal_is_digit(p[1]))
    {
        return -1;
    }

    m = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;

    if (m > 59 || h * 60 + m > 24 * 60) {
        return -1;
    }

    *out = h * 3600 + m * 60;
    *pp = p;

    return 0;
}


int
ngx_pa_calendar_set_hours(ngx_pa_calendar_t *cal, const u_char *p,
    size_t len)
{
    int                n;
    int32_t            start, end;
    const u_char      *last;
    ngx_pa_cal_span_t  spans[NGX_PA_CAL_MAX_SPANS];

    /* parse into a copy so that an error leaves cal as it was */
    last = p + len;
    n = 0;

    for ( ;; ) {
        while (p < last && ngx_pa_cal_is_ws(*p)) {
            p++;
        }

        if (p == last) {
            break;
        }

        if (n == NGX_PA_CAL_MAX_SPANS
            || ngx_pa_cal_parse_hhmm(&p, last, &start) != 0
            || p == last || *p++ != '-'
            || ngx_pa_cal_parse_hhmm(&p, last, &end) != 0
            || (p < last && !ngx_pa_cal_is_ws(*p)))
        {
            return -1;
        }

        /* touching spans (11:30-11:30) are allowed: they are disjoint */
        if (start >= end || (n > 0 && start < spans[n - 1].end)) {
            return -1;
        }

        spans[n].start = start;
        spans[n].end = end;
        n++;
    }

    if (n == 0) {
        return -1;
    }

    memcpy(cal->spans, spans, n * sizeof(ngx_pa_cal_span_t));
    cal->nspans = n;

    return 0;
}


/* a three-letter English day name, any case; 0 Sunday ... 6 Saturday */
static int
ngx_pa_cal_parse_day(const u_char **pp, const u_char *end)
{
    int            i, j;
    const u_char  *p;

    p = *pp;

    for (i = 0; i < 7; i++) {
        for (j = 0; j < 3; j++) {
            if (p + j == end
                || ngx_pa_cal_lower(p[j]) != ngx_pa_cal_day_names[i][j])
            {
                break;
            }
        }

        if (j == 3) {
            *pp = p + 3;
            return i;
        }
    }

    return -1;
}


int
ngx_pa_calendar_set_weekdays(ngx_pa_calendar_t *cal, const u_char *p,
    size_t len)
{
    int            d, need;
    unsigned       mask;
    const u_char  *last;

    last = p + len;
    mask = 0;
    need = 1;       /* at start and after a comma a day name must follow */

    for ( ;; ) {
        int  a, b;

        while (p < last && ngx_pa_cal_is_ws(*p)) {
            p++;
        }

        if (p == last) {
            break;
        }

        a = ngx_pa_cal_parse_day(&p, last);

        if (a < 0) {
            return -1;
        }

        b = a;

        if (p < last && *p == '-') {
            p++;
            b = ngx_pa_cal_parse_day(&p, last);

            if (b < 0) {
                return -1;
            }
        }

        /* "fri-mon" wraps over the weekend: fri, sat, sun, mon */
        for (d = a; ; d = (d + 1) % 7) {
            mask |= 1u << d;

            if (d == b) {
                break;
            }
        }

        need = 0;

        while (p < last && ngx_pa_cal_is_ws(*p)) {
            p++;
        }

        if (p < last && *p == ',') {
            p++;
            need = 1;

        } else if (p < last && !ngx_pa_cal_is_ws(p[-1])) {
            /* "monwed", "mon-fri-sat", "mon;tue" */
            return -1;
        }
    }

    if (need || mask == 0) {
        return -1;
    }

    cal->weekdays = mask;

    return 0;
}


static void
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
ngx_pa_cal_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  args;

    if (err == NULL || errlen == 0) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(err, errlen, fmt, args);
    va_end(args);
}


/*
 * "YYYY-MM-DD": 0 and the day number, -1 when malformed, -2 when it is no
 * real date (2026-02-30); *y, *m, *d are set for the error message.
 */
static int
ngx_pa_cal_parse_date(const u_char **pp, const u_char *end, int64_t *day,
    int *y, int *m, int *d)
{
    int            i;
    const u_char  *p;

    p = *pp;

    if (end - p < 10 || p[4] != '-' || p[7] != '-') {
        return -1;
    }

    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !ngx_pa_cal_is_digit(p[i])) {
            return -1;
        }
    }

    *y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10
         + (p[3] - '0');
    *m = (p[5] - '0') * 10 + (p[6] - '0');
    *d = (p[8] - '0') * 10 + (p[9] - '0');

    if (*m < 1 || *m > 12 || *d < 1
        || *d > ngx_pa_cal_month_days(*y, *m))
    {
        return -2;
    }

    *day = ngx_pa_cal_days_from_civil(*y, *m, *d);
    *pp = p + 10;

    return 0;
}


/*
 * Adds a day to the new entries kept sorted and unique in a[n .. n + *m),
 * behind the n entries the list already had, so that an error can drop
 * them by leaving the count alone.  -1 when the list is full.
 */
static int
ngx_pa_cal_stage(int32_t *a, size_t n, size_t *m, int64_t day)
{
    size_t  i;

    if (ngx_pa_cal_has(a, n, day)) {
        return 0;
    }

    i = ngx_pa_cal_lower_bound(a + n, *m, day);

    if (i < *m && a[n + i] == day) {
        return 0;
    }

    if (n + *m == NGX_PA_CAL_MAX_DAYS) {
        return -1;
    }

    memmove(&a[n + i + 1], &a[n + i], (*m - i) * sizeof(int32_t));
    a[n + i] = (int32_t) day;
    (*m)++;

    return 0;
}


/* merges the staged entries into the sorted list */
static void
ngx_pa_cal_commit(int32_t *a, size_t n, size_t m)
{
    size_t  i;

    /* ascending staged values: each goes into the sorted prefix */
    for (i = 0; i < m; i++) {
        int32_t  v = a[n + i];
        size_t   pos = ngx_pa_cal_lower_bound(a, n + i, v);

        memmove(&a[pos + 1], &a[pos], (n + i - pos) * sizeof(int32_t));
        a[pos] = v;
    }
}


/* a kind word, compared without case */
static int
ngx_pa_cal_kind_is(const u_char *p, const char *word)
{
    for ( /* void */ ; *word; p++, word++) {
        if (ngx_pa_cal_lower(*p) != (u_char) *word) {
            return 0;
        }
    }

    return 1;
}


/* the year of a local day number */
static void
ngx_pa_cal_year_of(int64_t day, int *y)
{
    int64_t  z, era, doe, yoe, doy, mp;

    /* H. Hinnant's civil_from_days, the year only */
    z = day + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *y = (int) (yoe + era * 400 + (mp >= 10));
}


/*
 * Adds [first, last] to sorted, merged spans (touching ones join); -1
 * when that needs more than NGX_PA_CAL_MAX_COVERS spans.
 */
static int
ngx_pa_cal_cover_add(ngx_pa_cal_cover_t *c, size_t *n, int64_t first,
    int64_t last)
{
    size_t  i, k;

    for (i = 0; i < *n && c[i].last + 1 < first; i++) { /* void */ }

    if (i == *n || last + 1 < c[i].first) {
        /* a span of its own before c[i] */
        if (*n == NGX_PA_CAL_MAX_COVERS) {
            return -1;
        }

        memmove(&c[i + 1], &c[i], (*n - i) * sizeof(ngx_pa_cal_cover_t));
        c[i].first = (int32_t) first;
        c[i].last = (int32_t) last;
        (*n)++;

        return 0;
    }

    /* overlaps or touches c[i]: widen it, swallow the spans it reaches */

    if (first < c[i].first) {
        c[i].first = (int32_t) first;
    }

    if (last > c[i].last) {
        c[i].last = (int32_t) last;
    }

    for (k = i + 1; k < *n && c[k].first <= c[i].last + 1; k++) {
        if (c[k].last > c[i].last) {
            c[i].last = c[k].last;
        }
    }

    memmove(&c[i + 1], &c[k], (*n - k) * sizeof(ngx_pa_cal_cover_t));
    *n -= k - i - 1;

    return 0;
}


/* one file being loaded: what it staged, to be committed only whole */

typedef struct {
    ngx_pa_calendar_t   *cal;
    size_t               mh, mw, mp;    /* staged holidays, workdays, ? */
    size_t               ncovers;
    int64_t              seen_first, seen_last;
    unsigned long        line;
    char                *err;
    size_t               errlen;
    ngx_pa_cal_cover_t   covers[NGX_PA_CAL_MAX_COVERS];
} ngx_pa_cal_load_t;


static int
ngx_pa_cal_malformed(ngx_pa_cal_load_t *ld)
{
    ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: expected "
                     "\"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\", a space "
                     "and \"off\" or \"work\"", ld->line);
    return -1;
}


static int
ngx_pa_cal_full(ngx_pa_cal_load_t *ld)
{
    ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: more than %d days of "
                     "one kind", ld->line, NGX_PA_CAL_MAX_DAYS);
    return -1;
}


/* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" at *q, then a blank or eol */

static int
ngx_pa_cal_load_range(ngx_pa_cal_load_t *ld, const u_char **q,
    const u_char *eol, int64_t *d1, int64_t *d2)
{
    int  rc, y, m, d;

    rc = ngx_pa_cal_parse_date(q, eol, d1, &y, &m, &d);

    if (rc == 0 && *q < eol && **q == '.') {
        if (eol - *q < 2 || (*q)[1] != '.') {
            return ngx_pa_cal_malformed(ld);
        }

        *q += 2;
        rc = ngx_pa_cal_parse_date(q, eol, d2, &y, &m, &d);

    } else {
        *d2 = *d1;
    }

    if (rc == -2) {
        ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: no such date "
                         "%04d-%02d-%02d", ld->line, y, m, d);
        return -1;
    }

    if (rc != 0 || (*q < eol && !ngx_pa_cal_is_ws(**q))) {
        return ngx_pa_cal_malformed(ld);
    }

    if (*d2 < *d1) {
        ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: range ends before "
                         "it starts", ld->line);
        return -1;
    }

    return 0;
}


/*
 * The word after the date: 0 "off", 1 "work" ("off?", "work?":
 * provisional, until the official notice), 2 "covers"; -1 (error set)
 * for anything else.  The rest of the line is the holiday's name.
 */

static int
ngx_pa_cal_load_kind(ngx_pa_cal_load_t *ld, const u_char *q,
    const u_char *eol, int *provisional)
{
    size_t         klen;
    const u_char  *kind;

    while (q < eol && ngx_pa_cal_is_ws(*q)) {
        q++;
    }

    for (kind = q; q < eol && !ngx_pa_cal_is_ws(*q); q++) { /* void */ }

    *provisional = q - kind > 1 && q[-1] == '?';
    klen = (size_t) (q - kind) - (*provisional ? 1 : 0);

    if (klen == 3 && ngx_pa_cal_lower(kind[0]) == 'o'
        && ngx_pa_cal_lower(kind[1]) == 'f'
        && ngx_pa_cal_lower(kind[2]) == 'f')
    {
        return 0;
    }

    if (klen == 4 && ngx_pa_cal_lower(kind[0]) == 'w'
        && ngx_pa_cal_lower(kind[1]) == 'o'
        && ngx_pa_cal_lower(kind[2]) == 'r'
        && ngx_pa_cal_lower(kind[3]) == 'k')
    {
        return 1;
    }

    if (klen == 6 && !*provisional && ngx_pa_cal_kind_is(kind, "covers")) {
        return 2;
    }

    ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: expected \"off\", "
                     "\"work\" (\"off?\", \"work?\" when provisional) or "
                     "\"covers\" after the date", ld->line);
    return -1;
}


/* the days d1..d2 staged as holidays or workdays (and provisional) */

static int
ngx_pa_cal_load_days(ngx_pa_cal_load_t *ld, int64_t d1, int64_t d2,
    int work, int provisional)
{
    size_t              *cnt;
    int32_t             *list;
    int64_t              day;
    ngx_pa_calendar_t   *cal;

    cal = ld->cal;
    list = work ? cal->workdays : cal->holidays;
    cnt = work ? &ld->mw : &ld->mh;

    if (d2 - d1 >= NGX_PA_CAL_MAX_DAYS) {
        return ngx_pa_cal_full(ld);
    }

    if (d1 < ld->seen_first) {
        ld->seen_first = d1;
    }

    if (d2 > ld->seen_last) {
        ld->seen_last = d2;
    }

    for (day = d1; day <= d2; day++) {
        if (ngx_pa_cal_stage(list, work ? cal->nworkdays : cal->nholidays,
                             cnt, day)
            != 0
            || (provisional
                && ngx_pa_cal_stage(cal->provisional, cal->nprovisional,
                                    &ld->mp, day)
                   != 0))
        {
            return ngx_pa_cal_full(ld);
        }
    }

    return 0;
}


/* one line that is not blank or a comment, from its first non-blank */

static int
ngx_pa_cal_load_line(ngx_pa_cal_load_t *ld, const u_char *q,
    const u_char *eol)
{
    int      kind, provisional;
    int64_t  d1, d2;

    if (ngx_pa_cal_load_range(ld, &q, eol, &d1, &d2) != 0) {
        return -1;
    }

    kind = ngx_pa_cal_load_kind(ld, q, eol, &provisional);

    if (kind == -1) {
        return -1;
    }

    if (kind == 2) {
        if (ngx_pa_cal_cover_add(ld->covers, &ld->ncovers, d1, d2) != 0) {
            ngx_pa_cal_error(ld->err, ld->errlen, "line %lu: more than %d "
                             "separate spans covered", ld->line,
                             NGX_PA_CAL_MAX_COVERS);
            return -1;
        }

        return 0;
    }

    return ngx_pa_cal_load_days(ld, d1, d2, kind, provisional);
}


/*
 * What the file covers (without "covers": the whole years its dates fall
 * in) merged into the calendar's spans, then the staged days committed.
 * On a copy first: an error changes nothing.
 */

static int
ngx_pa_cal_load_commit(ngx_pa_cal_load_t *ld)
{
    int                  y;
    size_t               i, nmerged;
    int64_t              d1, d2;
    ngx_pa_calendar_t   *cal;
    ngx_pa_cal_cover_t   merged[NGX_PA_CAL_MAX_COVERS];

    cal = ld->cal;

    if (ld->ncovers == 0 && ld->seen_first <= ld->seen_last) {
        ngx_pa_cal_year_of(ld->seen_first, &y);
        d1 = ngx_pa_cal_days_from_civil(y, 1, 1);
        ngx_pa_cal_year_of(ld->seen_last, &y);
        d2 = ngx_pa_cal_days_from_civil(y, 12, 31);

        (void) ngx_pa_cal_cover_add(ld->covers, &ld->ncovers, d1, d2);
    }

    memcpy(merged, cal->covers, cal->ncovers * sizeof(ngx_pa_cal_cover_t));
    nmerged = cal->ncovers;

    for (i = 0; i < ld->ncovers; i++) {
        if (ngx_pa_cal_cover_add(merged, &nmerged, ld->covers[i].first,
                                 ld->covers[i].last)
            != 0)
        {
            ngx_pa_cal_error(ld->err, ld->errlen, "with the files loaded "
                             "before, more than %d separate spans covered",
                             NGX_PA_CAL_MAX_COVERS);
            return -1;
        }
    }

    memcpy(cal->covers, merged, nmerged * sizeof(ngx_pa_cal_cover_t));
    cal->ncovers = nmerged;

    ngx_pa_cal_commit(cal->provisional, cal->nprovisional, ld->mp);
    cal->nprovisional += ld->mp;
    ngx_pa_cal_commit(cal->holidays, cal->nholidays, ld->mh);
    ngx_pa_cal_commit(cal->workdays, cal->nworkdays, ld->mw);
    cal->nholidays += ld->mh;
    cal->nworkdays += ld->mw;

    return 0;
}


int
ngx_pa_calendar_load(ngx_pa_calendar_t *cal, const u_char *buf,
    size_t len, char *err, size_t errlen)
{
    const u_char       *p, *q, *eol, *next, *last;
    ngx_pa_cal_load_t   ld;

    memset(&ld, 0, sizeof(ngx_pa_cal_load_t));

    ld.cal = cal;
    ld.err = err;
    ld.errlen = errlen;
    ld.seen_first = INT64_MAX;
    ld.seen_last = INT64_MIN;

    p = buf;
    last = buf + len;

    /* Windows editors prepend a UTF-8 BOM */
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3;
    }

    for ( /* void */ ; p < last; p = next) {
        ld.line++;

        eol = memchr(p, '\n', last - p);
        if (eol == NULL) {
            eol = last;
        }

        next = (eol < last) ? eol + 1 : last;

        if (eol > p && eol[-1] == '\r') {
            eol--;
        }

        for (q = p; q < eol && ngx_pa_cal_is_ws(*q); q++) { /* void */ }

        if (q == eol || *q == '#') {
            continue;
        }

        if (ngx_pa_cal_load_line(&ld, q, eol) != 0) {
            return -1;
        }
    }

    return ngx_pa_cal_load_commit(&ld);
}


time_t
ngx_pa_calendar_until(const ngx_pa_calendar_t *cal)
{
    if (cal->ncovers == 0) {
        return (time_t) -1;
    }

    /* the spans are merged: the first one ends where the gap begins */
    return (time_t) ((int64_t) cal->covers[0].last * NGX_PA_CAL_DAY
                     - cal->utc_offset);
}


int
ngx_pa_calendar_provisional(const ngx_pa_calendar_t *cal, time_t from,
    time_t due)
{
    size_t   i;
    int64_t  d1, d2, sec;

    if (cal->ncovers == 0) {
        return 0;
    }

    ngx_pa_cal_split(cal, from, &d1, &sec);
    ngx_pa_cal_split(cal, due, &d2, &sec);

    if (d2 < d1) {
        d1 = d2;
    }

    if (d1 < cal->covers[0].first || d2 > cal->covers[0].last) {
        return 1;
    }

    i = ngx_pa_cal_lower_bound(cal->provisional, cal->nprovisional, d1);

    return i < cal->nprovisional && cal->provisional[i] <= d2;
}


int
ngx_pa_calendar_is_working_day(const ngx_pa_calendar_t *cal, time_t t)
{
    int64_t  day, sec;

    ngx_pa_cal_split(cal, t, &day, &sec);

    return ngx_pa_cal_working(cal, day);
}


time_t
ngx_pa_calendar_day_seconds(const ngx_pa_calendar_t *cal)
{
    return (time_t) ngx_pa_cal_day_seconds(cal);
}


time_t
ngx_pa_calendar_add(const ngx_pa_calendar_t *cal, time_t from, time_t work)
{
    int      pop;
    int64_t  day, sec, rest, daysec, k, lo, hi, t;

    if (work == 0) {
        return from;
    }

    daysec = ngx_pa_cal_day_seconds(cal);

    if (work < 0 || from < 0 || (int64_t) from > NGX_PA_CAL_TMAX
        || daysec <= 0)
    {
        return (time_t) -1;
    }

    ngx_pa_cal_split(cal, from, &day, &sec);
    rest = work;

    if (ngx_pa_cal_working(cal, day)) {
        sec = ngx_pa_cal_walk(cal, sec, &rest);

        if (sec >= 0) {
            return (time_t) (day * NGX_PA_CAL_DAY + sec - cal->utc_offset);
        }
    }

    /* the deadline is on the k-th working day after this one */
    k = rest / daysec + (rest % daysec != 0);
    rest -= (k - 1) * daysec;

    if (k > NGX_PA_CAL_HORIZON) {
        return (time_t) -1;
    }

    /*
     * Bound the search: ceil((k + holidays) / weekdays) weeks hold at
     * least k working days, as each holiday removes at most one.
     */
    pop = ngx_pa_cal_popcount(cal->weekdays & 0x7f);
    hi = NGX_PA_CAL_HORIZON;

    if (pop > 0) {
        t = ((k + (int64_t) cal->nholidays + pop - 1) / pop) * 7;

        if (t < hi) {
            hi = t;
        }
    }

    lo = day + 1;
    hi += day;

    if (ngx_pa_cal_count(cal, lo, hi + 1) < k) {
        return (time_t) -1;
    }

    while (lo < hi) {
        int64_t  mid = lo + (hi - lo) / 2;

        if (ngx_pa_cal_count(cal, day + 1, mid + 1) >= k) {
            hi = mid;

        } else {
            lo = mid + 1;
        }
    }

    /* rest is in (0, day seconds], so the walk always ends */
    sec = ngx_pa_cal_walk(cal, 0, &rest);
    t = lo * NGX_PA_CAL_DAY + sec - cal->utc_offset;

    if (sec < 0 || t > NGX_PA_CAL_TMAX || (time_t) t != t) {
        return (time_t) -1;
    }

    return (time_t) t;
}


time_t
ngx_pa_calendar_between(const ngx_pa_calendar_t *cal, time_t a, time_t b)
{
    int64_t  da, sa, db, sb, sum;

    if (b <= a) {
        return 0;
    }

    ngx_pa_cal_split(cal, a, &da, &sa);
    ngx_pa_cal_split(cal, b, &db, &sb);

    if (da == db) {
        return ngx_pa_cal_working(cal, da)
               ? (time_t) ngx_pa_cal_overlap(cal, sa, sb) : 0;
    }

    sum = 0;

    if (ngx_pa_cal_working(cal, da)) {
        sum += ngx_pa_cal_overlap(cal, sa, NGX_PA_CAL_DAY);
    }

    sum += ngx_pa_cal_count(cal, da + 1, db) * ngx_pa_cal_day_seconds(cal);

    if (ngx_pa_cal_working(cal, db)) {
        sum += ngx_pa_cal_overlap(cal, 0, sb);
    }

    return (time_t) sum;
}


time_t
ngx_pa_calendar_due(const ngx_pa_calendar_t *cal, time_t from, time_t secs,
    uint64_t mdays, int wall)
{
    time_t  day;

    if (wall) {
        return from + secs + (time_t) mdays * 86400 / 1000;
    }

    day = ngx_pa_calendar_day_seconds(cal);

    return ngx_pa_calendar_add(cal, from, secs + (time_t) mdays * day / 1000);
}
