/*
 * Unit tests of the working-time calendar (TAP).  Expected instants are
 * written as local times in +07:00 and printed as such on failure; the
 * random round-trip tests compare against a naive day-by-day reference.
 */

#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sys/types.h>

#include "ngx_pa_calendar.h"
#include "pa_unit.h"


#define VN     (7 * 3600)
#define HOUR   3600
#define DAY    27000               /* 07:30-11:30 13:30-17:00 */

/* the error of a line without a known kind after its date */
#define KINDS  "expected \"off\", \"work\" (\"off?\", \"work?\" when " \
               "provisional) or \"covers\" after the date"


/* an instant from a local date and time in +07:00 */
static time_t
lt(int y, int mo, int d, int h, int mi)
{
    struct tm  tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;

    return timegm(&tm) - VN;
}


/* "2026-03-06 Fri 15:00:00" in +07:00; rotating buffers for printf */
static const char *
fmt(time_t t)
{
    static char  buf[4][40];
    static int   i;
    struct tm    tm;
    time_t       l;

    i = (i + 1) % 4;

    if (t == (time_t) -1) {
        return "(time_t) -1";
    }

    l = t + VN;
    gmtime_r(&l, &tm);
    strftime(buf[i], sizeof(buf[i]), "%Y-%m-%d %a %H:%M:%S", &tm);

    return buf[i];
}


static void
is_time(time_t got, time_t want, const char *what)
{
    PA_OK(got == want, "%s: %s", what, fmt(want));

    if (got != want) {
        printf("#   got:      %s\n#   expected: %s\n", fmt(got), fmt(want));
    }
}


static int
load(ngx_pa_calendar_t *cal, const char *text, char *err, size_t errlen)
{
    return ngx_pa_calendar_load(cal, (const u_char *) text, strlen(text),
                                err, errlen);
}


static int
set_hours(ngx_pa_calendar_t *cal, const char *s)
{
    return ngx_pa_calendar_set_hours(cal, (const u_char *) s, strlen(s));
}


static int
set_weekdays(ngx_pa_calendar_t *cal, const char *s)
{
    return ngx_pa_calendar_set_weekdays(cal, (const u_char *) s, strlen(s));
}


/* the example holiday file, found next to this source or from the cwd */
static int
load_file(ngx_pa_calendar_t *cal, const char *rel, char *err, size_t errlen)
{
    static char    data[65536];
    char           path[1024];
    const char    *src, *slash;
    size_t         n;
    FILE          *f;

    src = __FILE__;
    slash = strstr(src, "tests/unit/");
    snprintf(path, sizeof(path), "%.*s%s",
             slash ? (int) (slash - src) : 0, src, rel);

    f = fopen(path, "rb");
    if (f == NULL) {
        f = fopen(rel, "rb");
    }

    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s", rel);
        return -1;
    }

    n = fread(data, 1, sizeof(data), f);
    fclose(f);

    return ngx_pa_calendar_load(cal, (const u_char *) data, n, err, errlen);
}


/* ------------------------------------------------ naive reference */

static int
ref_working(const ngx_pa_calendar_t *cal, int64_t day)
{
    size_t  i;
    int     off;

    for (i = 0; i < cal->nworkdays; i++) {
        if (cal->workdays[i] == day) {
            return 1;
        }
    }

    off = 0;

    for (i = 0; i < cal->nholidays; i++) {
        if (cal->holidays[i] == day) {
            off = 1;
        }
    }

    return !off && (cal->weekdays >> ((day + 4) % 7) & 1);
}


/* working seconds in [s1, s2) of the day, span by span */
static int64_t
ref_overlap(const ngx_pa_calendar_t *cal, int64_t s1, int64_t s2)
{
    int      i;
    int64_t  sum, a, b;

    sum = 0;

    for (i = 0; i < cal->nspans; i++) {
        a = cal->spans[i].start < s1 ? s1 : cal->spans[i].start;
        b = cal->spans[i].end > s2 ? s2 : cal->spans[i].end;
        sum += b > a ? b - a : 0;
    }

    return sum;
}


static int64_t
ref_between(const ngx_pa_calendar_t *cal, time_t a, time_t b)
{
    int64_t  la, lb, day, sum, s1, s2;

    if (b <= a) {
        return 0;
    }

    la = (int64_t) a + cal->utc_offset;
    lb = (int64_t) b + cal->utc_offset;
    sum = 0;

    for (day = la / 86400; day <= lb / 86400; day++) {
        s1 = (day == la / 86400) ? la % 86400 : 0;
        s2 = (day == lb / 86400) ? lb % 86400 : 86400;

        if (ref_working(cal, day)) {
            sum += ref_overlap(cal, s1, s2);
        }
    }

    return sum;
}


static time_t
ref_add(const ngx_pa_calendar_t *cal, time_t from, int64_t work)
{
    int      i, n;
    int64_t  l, day, s, a, avail;

    if (work == 0) {
        return from;
    }

    l = (int64_t) from + cal->utc_offset;
    day = l / 86400;
    s = l % 86400;

    for (n = 0; n < 5000; n++, day++, s = 0) {
        if (!ref_working(cal, day)) {
            continue;
        }

        for (i = 0; i < cal->nspans; i++) {
            a = cal->spans[i].start < s ? s : cal->spans[i].start;
            avail = cal->spans[i].end - a;

            if (avail <= 0) {
                continue;
            }

            if (work <= avail) {
                return (time_t) (day * 86400 + a + work - cal->utc_offset);
            }

            work -= avail;
        }
    }

    return (time_t) -1;
}


static uint64_t  rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: deterministic, so a failure reproduces */
static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;

    return rng_state * 0x2545f4914f6cdd1dULL;
}


static int64_t
rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t) (rng() % (uint64_t) (hi - lo + 1));
}


static int64_t
random_work(int64_t daysec)
{
    switch (rng() % 5) {
    case 0:
        return rng_range(0, 4 * HOUR);
    case 1:
        return rng_range(1, 20) * daysec;           /* whole days */
    case 2:
        return rng_range(1, 12) * daysec / 2;       /* half days */
    case 3:
        return rng_range(0, 60);                    /* a few seconds */
    default:
        return rng_range(0, 30 * daysec);
    }
}


/*
 * Random instants and amounts over Dec 2025 - Feb 2027: add() and
 * between() against the reference, the round trip, and minimality.
 */
static void
random_checks(const ngx_pa_calendar_t *cal, const char *name, int n)
{
    int      i, bad_add, bad_rt, bad_min, bad_btw;
    time_t   from, to, t, lo, hi;
    int64_t  w, daysec;

    lo = lt(2025, 12, 1, 0, 0);
    hi = lt(2027, 2, 1, 0, 0);
    daysec = ngx_pa_calendar_day_seconds(cal);
    bad_add = bad_rt = bad_min = bad_btw = 0;

    for (i = 0; i < n; i++) {
        from = (time_t) rng_range(lo, hi);

        if (rng() % 4 == 0) {
            from -= from % 60;                      /* on a minute */
        }

        w = random_work(daysec);
        t = ngx_pa_calendar_add(cal, from, (time_t) w);

        if (t != ref_add(cal, from, w) && bad_add++ == 0) {
            printf("# %s: add(%s, %lld) = %s, reference %s\n", name,
                   fmt(from), (long long) w, fmt(t),
                   fmt(ref_add(cal, from, w)));
        }

        if (ngx_pa_calendar_between(cal, from, t) != w && bad_rt++ == 0) {
            printf("# %s: between(%s, %s) = %lld, want %lld\n", name,
                   fmt(from), fmt(t),
                   (long long) ngx_pa_calendar_between(cal, from, t),
                   (long long) w);
        }

        if (w > 0 && ngx_pa_calendar_between(cal, from, t - 1) >= w
            && bad_min++ == 0)
        {
            printf("# %s: add(%s, %lld) = %s is not the earliest\n", name,
                   fmt(from), (long long) w, fmt(t));
        }

        to = (time_t) rng_range(lo, hi);

        if (ngx_pa_calendar_between(cal, from, to)
            != ref_between(cal, from, to)
            && bad_btw++ == 0)
        {
            printf("# %s: between(%s, %s) = %lld, reference %lld\n", name,
                   fmt(from), fmt(to),
                   (long long) ngx_pa_calendar_between(cal, from, to),
                   (long long) ref_between(cal, from, to));
        }
    }

    PA_OK(bad_add == 0, "%s: add() matches the reference for %d random "
          "cases (%d bad)", name, n, bad_add);
    PA_OK(bad_rt == 0, "%s: between(from, add(from, w)) == w (%d bad)",
          name, bad_rt);
    PA_OK(bad_min == 0, "%s: add() returns the earliest instant (%d bad)",
          name, bad_min);
    PA_OK(bad_btw == 0, "%s: between() matches the reference (%d bad)",
          name, bad_btw);
}


/* a random holiday file: ranges, single days, make-up days, duplicates */
static void
random_file(char *buf, size_t size, int lines)
{
    int        i;
    size_t     n;
    time_t     a, b;
    struct tm  ta, tb;

    n = 0;

    for (i = 0; i < lines && n < size; i++) {
        a = (time_t) rng_range(lt(2025, 11, 20, 12, 0),
                               lt(2027, 2, 20, 12, 0));
        a -= a % 86400;
        b = a + 86400 * (rng() % 3 == 0 ? rng_range(1, 9) : 0);
        gmtime_r(&a, &ta);
        gmtime_r(&b, &tb);

        n += snprintf(buf + n, size - n,
                      "%04d-%02d-%02d..%04d-%02d-%02d %s  random %d\n",
                      ta.tm_year + 1900, ta.tm_mon + 1, ta.tm_mday,
                      tb.tm_year + 1900, tb.tm_mon + 1, tb.tm_mday,
                      rng() % 4 == 0 ? "work" : "off", i);
    }
}


static int
sorted_unique(const int32_t *a, size_t n)
{
    size_t  i;

    for (i = 1; i < n; i++) {
        if (a[i - 1] >= a[i]) {
            return 0;
        }
    }

    return 1;
}


/* ------------------------------------------------ tests */

static void
test_defaults(void)
{
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);

    PA_IS_INT(ngx_pa_calendar_day_seconds(&cal), DAY,
              "default day is 7.5 working hours");
    PA_IS_INT(cal.weekdays, 0x3e, "default weekdays are Monday-Friday");
    PA_IS_INT(cal.utc_offset, VN, "default offset is +07:00");
    PA_IS_INT(cal.nholidays + cal.nworkdays, 0, "no holidays by default");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 3, 6, 23, 59)),
              1, "Friday 23:59 local is a working day");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 3, 7, 0, 0)),
              0, "Saturday 00:00 local is not (the offset is applied)");
}


static void
test_office_hours(void)
{
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);

    /* 2026-03-06 is a Friday, the next week has no holiday */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 15, 0), DAY),
            lt(2026, 3, 9, 15, 0), "1 day from Friday 15:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 20, 0), DAY),
            lt(2026, 3, 9, 17, 0), "1 day from Friday 20:00 (not Tue 07:30)");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 17, 0), DAY),
            lt(2026, 3, 9, 17, 0), "1 day from Friday 17:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 16, 0), HOUR),
            lt(2026, 3, 6, 17, 0), "1 h from Friday 16:00 ends at 17:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 12, 7, 30), DAY),
            lt(2026, 3, 12, 17, 0), "1 day from 07:30 ends the same day");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 12, 7, 30), 2 * DAY),
            lt(2026, 3, 13, 17, 0), "2 days from Thursday 07:30");

    /* 10:00-11:30 is 1.5 h, so the other 2.5 h end at 16:00 */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), 4 * HOUR),
            lt(2026, 3, 9, 16, 0), "4 h from 10:00 skips the lunch break");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 9, 30), 4 * HOUR),
            lt(2026, 3, 9, 15, 30), "4 h from 09:30 skips the lunch break");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 11, 30), HOUR),
            lt(2026, 3, 9, 14, 30), "1 h from 11:30 exactly");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 30), HOUR),
            lt(2026, 3, 9, 11, 30), "1 h from 10:30 ends at 11:30, "
            "not 13:30");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 12, 15), HOUR),
            lt(2026, 3, 9, 14, 30), "1 h from lunch time");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 6, 0), HOUR),
            lt(2026, 3, 9, 8, 30), "1 h from 06:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 0, 0), HOUR),
            lt(2026, 3, 9, 8, 30), "1 h from midnight");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 18, 0), HOUR),
            lt(2026, 3, 10, 8, 30), "1 h from Monday 18:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 7, 10, 0), HOUR),
            lt(2026, 3, 9, 8, 30), "1 h from Saturday 10:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 8, 23, 59), 1),
            lt(2026, 3, 9, 7, 30) + 1, "1 s from Sunday 23:59");

    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 9, 0), DAY / 2),
            lt(2026, 3, 9, 14, 45), "0.5 day from Monday 09:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 15, 0), DAY / 2),
            lt(2026, 3, 10, 9, 15), "0.5 day from Monday 15:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), 6 * DAY),
            lt(2026, 3, 17, 10, 0), "6 days from Monday 10:00");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 15, 0), 5 * DAY),
            lt(2026, 3, 13, 15, 0), "5 days from Friday 15:00");

    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 8, 10, 0), 0),
            lt(2026, 3, 8, 10, 0), "0 s returns from, even on a Sunday");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), -1),
            (time_t) -1, "negative work is refused");
    is_time(ngx_pa_calendar_add(&cal, -5, HOUR), (time_t) -1,
            "an instant before 1970 is refused");

    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 3, 6, 15, 0),
                                      lt(2026, 3, 9, 15, 0)), DAY,
              "between Friday 15:00 and Monday 15:00 is 1 day");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 3, 9, 11, 0),
                                      lt(2026, 3, 9, 14, 0)), HOUR,
              "between 11:00 and 14:00 is 1 h");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 3, 7, 0, 0),
                                      lt(2026, 3, 9, 0, 0)), 0,
              "a weekend has no working time");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 3, 9, 15, 0),
                                      lt(2026, 3, 9, 9, 0)), 0,
              "between(b, a) is 0");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 1, 1, 0, 0),
                                      lt(2027, 1, 1, 0, 0)), 261LL * DAY,
              "2026 without holidays has 261 working days");
}


static void
test_vn_2026(void)
{
    char               err[256];
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);
    err[0] = '\0';

    PA_IS_INT(load_file(&cal, "conf-examples/holidays-vn-2026.txt", err,
                        sizeof(err)), 0, "holidays-vn-2026.txt loads%s%s",
              err[0] ? ": " : "", err);
    PA_IS_INT(cal.nholidays, 18, "18 days off listed for 2026");
    PA_IS_INT(cal.nworkdays, 2, "2 make-up working Saturdays in 2026");
    PA_OK(sorted_unique(cal.holidays, cal.nholidays)
          && sorted_unique(cal.workdays, cal.nworkdays),
          "the lists are sorted and unique");

    /* Tết Dương lịch: Thu 1 and Fri 2 off, Saturday 10 worked instead */
    is_time(ngx_pa_calendar_add(&cal, lt(2025, 12, 31, 16, 0), 2 * HOUR),
            lt(2026, 1, 5, 8, 30), "2 h from 31/12 16:00 skip New Year");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 1, 9, 15, 0), DAY),
            lt(2026, 1, 10, 15, 0), "1 day from Friday 9/1 ends on the "
            "make-up Saturday");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 1, 10, 9, 0), HOUR),
            lt(2026, 1, 10, 10, 0), "the make-up Saturday has office hours");

    /* Tết Nguyên đán: 14/2 (Sat) to 22/2 (Sun) */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 2, 13, 15, 0), DAY),
            lt(2026, 2, 23, 15, 0), "1 day from Friday before Tết");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 2, 13, 16, 0), 2 * HOUR),
            lt(2026, 2, 23, 8, 30), "2 h from Friday 16:00 before Tết");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 2, 18, 9, 0), HOUR),
            lt(2026, 2, 23, 8, 30), "1 h from a Tết holiday");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 2, 12, 10, 0), 2 * DAY),
            lt(2026, 2, 23, 10, 0), "2 days across Tết");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 2, 13, 17, 0),
                                      lt(2026, 2, 23, 7, 30)), 0,
              "no working time during Tết");

    /* Giỗ Tổ (Sun 26/4, made up Mon 27/4), 30/4 and 1/5 */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 4, 30, 10, 0), HOUR),
            lt(2026, 5, 4, 8, 30), "1 h from 30/4");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 4, 24, 10, 0), 6 * DAY),
            lt(2026, 5, 7, 10, 0), "6 days from Friday 24/4");

    /* Quốc khánh: Mon 31/8 swapped for Sat 22/8, 1/9 and 2/9 off */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 8, 21, 15, 0), DAY),
            lt(2026, 8, 22, 15, 0), "1 day from Friday 21/8");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 8, 28, 15, 0), DAY),
            lt(2026, 9, 3, 15, 0), "1 day from Friday 28/8");

    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 1, 2, 12, 0)),
              0, "Friday 2/1 is off");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 8, 22, 12, 0)),
              1, "Saturday 22/8 is worked");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 4, 27, 12, 0)),
              0, "Monday 27/4 is off");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 4, 28, 12, 0)),
              1, "Tuesday 28/4 is worked");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2026, 1, 1, 0, 0),
                                      lt(2027, 1, 1, 0, 0)), 250LL * DAY,
              "2026 has 261 - 13 + 2 = 250 working days");

    random_checks(&cal, "vn-2026", 20000);
}


static void
test_loaded_rules(void)
{
    char               err[256];
    ngx_pa_calendar_t  cal;

    /* a range of holidays from Thursday to the next Tuesday */
    ngx_pa_calendar_init(&cal);
    PA_IS_INT(load(&cal, "2026-03-12..2026-03-17 off  bridge\n", err,
                   sizeof(err)), 0, "a range over a weekend loads");
    PA_IS_INT(cal.nholidays, 6, "the range is 6 days, ends included");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 11, 15, 0), DAY),
            lt(2026, 3, 18, 15, 0), "1 day over a holiday range + weekend");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 14, 15, 0), HOUR),
            lt(2026, 3, 18, 8, 30), "1 h from a weekend inside the range");

    /* a date in both lists is a working day: "work" wins */
    ngx_pa_calendar_init(&cal);
    PA_IS_INT(load(&cal, "2026-03-09 off\n"
                         "2026-03-09 work\n"
                         "2026-03-14 work\n"
                         "2026-03-14 off\n"
                         "2026-03-10 off\n", err, sizeof(err)), 0,
              "a date may be both off and work");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 3, 9, 12, 0)),
              1, "work wins over off on a Monday");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, lt(2026, 3, 14, 12, 0)),
              1, "work wins over off on a Saturday");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 13, 15, 0), DAY),
            lt(2026, 3, 14, 15, 0), "1 day from Friday ends on that "
            "Saturday");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 15, 0), DAY),
            lt(2026, 3, 11, 15, 0), "1 day from Monday skips Tuesday off");

    /* Monday to Saturday offices */
    ngx_pa_calendar_init(&cal);
    PA_IS_INT(set_weekdays(&cal, "mon-sat"), 0, "mon-sat");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 15, 0), DAY),
            lt(2026, 3, 7, 15, 0), "mon-sat: 1 day from Friday is Saturday");

    /* other hours */
    PA_IS_INT(set_hours(&cal, "08:00-12:00 13:00-17:00"), 0,
              "08:00-12:00 13:00-17:00");
    PA_IS_INT(ngx_pa_calendar_day_seconds(&cal), 8 * HOUR, "an 8 h day");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 7, 11, 0), 8 * HOUR),
            lt(2026, 3, 9, 11, 0), "1 day of 8 h from Saturday 11:00");

    /* round the clock, every day: working time is wall-clock time */
    ngx_pa_calendar_init(&cal);
    PA_IS_INT(set_hours(&cal, "00:00-24:00"), 0, "00:00-24:00");
    PA_IS_INT(set_weekdays(&cal, "sun-sat"), 0, "sun-sat");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 7, 23, 30), HOUR),
            lt(2026, 3, 8, 0, 30), "24/7: 1 h from 23:30 is 00:30");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 7, 23, 0), HOUR),
            lt(2026, 3, 8, 0, 0), "24/7: 1 h from 23:00 is midnight");

    /* the offset is the calendar's, not the host's */
    ngx_pa_calendar_init(&cal);
    cal.utc_offset = 0;
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 6, 22, 0), DAY),
            lt(2026, 3, 9, 22, 0), "UTC calendar: 1 day from Friday "
            "15:00 UTC");

    /* west of UTC the epoch falls on Wednesday 31/12/1969 local */
    ngx_pa_calendar_init(&cal);
    cal.utc_offset = -10 * 3600;
    set_weekdays(&cal, "wed");
    PA_IS_INT(ngx_pa_calendar_is_working_day(&cal, 0), 1,
              "UTC-10: the epoch is on a local Wednesday");

    /* the holidays on random days, Monday to Saturday */
    {
        static char  text[32768];

        ngx_pa_calendar_init(&cal);
        set_weekdays(&cal, "mon-sat");
        random_file(text, sizeof(text), 300);
        PA_IS_INT(load(&cal, text, err, sizeof(err)), 0,
                  "a random holiday file loads");
        PA_OK(sorted_unique(cal.holidays, cal.nholidays)
              && sorted_unique(cal.workdays, cal.nworkdays),
              "random file: lists sorted and unique (%zu off, %zu work)",
              cal.nholidays, cal.nworkdays);
        random_checks(&cal, "random-mon-sat", 20000);

        ngx_pa_calendar_init(&cal);
        set_weekdays(&cal, "tue,thu");
        set_hours(&cal, "06:00-06:01 12:00-12:30 23:59-24:00");
        random_file(text, sizeof(text), 200);
        load(&cal, text, err, sizeof(err));
        random_checks(&cal, "random-sparse", 20000);
    }
}


static void
test_limits(void)
{
    char               err[256];
    time_t             t;
    clock_t            c;
    int                i;
    ngx_pa_calendar_t  cal;

    /* no working time at all: -1, not an endless loop */
    ngx_pa_calendar_init(&cal);
    cal.weekdays = 0;
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), HOUR),
            (time_t) -1, "no working weekday: -1");
    PA_IS_INT(load(&cal, "2026-03-14 work\n", err, sizeof(err)), 0,
              "one make-up day");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), HOUR),
            lt(2026, 3, 14, 8, 30), "only make-up days: the next one");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), DAY + 1),
            (time_t) -1, "only make-up days: -1 when they run out");

    ngx_pa_calendar_init(&cal);
    cal.nspans = 0;
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0), HOUR),
            (time_t) -1, "no office hours: -1");

    /* a whole year off, then a Sunday-only office */
    ngx_pa_calendar_init(&cal);
    set_weekdays(&cal, "sun");
    PA_IS_INT(load(&cal, "2026-01-01..2026-12-31 off\n", err, sizeof(err)),
              0, "365 days off load");
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 1, 1, 10, 0), 2 * DAY),
            lt(2027, 1, 10, 17, 0), "2 days over a year off, Sundays only");

    ngx_pa_calendar_init(&cal);
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 3, 9, 10, 0),
                                (time_t) 1 << 40), (time_t) -1,
            "a deadline beyond 100 years: -1");
    PA_IS_INT(ngx_pa_calendar_between(&cal, lt(2000, 1, 3, 0, 0),
                                      lt(2100, 1, 4, 0, 0)),
              26090LL * DAY, "between over a century, by weeks");

    /* long ranges cost no more than short ones */
    ngx_pa_calendar_init(&cal);
    load_file(&cal, "conf-examples/holidays-vn-2026.txt", err, sizeof(err));
    c = clock();
    t = 0;

    for (i = 0; i < 100000; i++) {
        t += ngx_pa_calendar_add(&cal, lt(2026, 2, 13, 15, 0) + i, 6 * DAY);
        t += ngx_pa_calendar_between(&cal, lt(2026, 1, 1, 0, 0) + i,
                                     lt(2027, 1, 1, 0, 0));
    }

    c = clock() - c;
    PA_OK(t != 0 && c < 2 * CLOCKS_PER_SEC,
          "100000 x (6-day add + 1-year between) took %.3f s",
          (double) c / CLOCKS_PER_SEC);
}


static void
test_set_hours(void)
{
    int                 i;
    ngx_pa_calendar_t   cal, copy;
    static const char  *bad[] = {
        "", "   ", "07:30", "07:30-", "-11:30", "11:30-07:30",
        "08:00-08:00", "07:30-12:00 11:00-17:00", "13:30-17:00 07:30-11:30",
        "07:60-08:00", "24:00-24:30", "23:00-25:00", "007:30-08:00",
        "07:3-08:00", "7:30-11:30,13:30-17:00", "07:30-11:30x",
        "07:30 - 11:30", "07h30-11h30",
        "01:00-02:00 03:00-04:00 05:00-06:00 07:00-08:00 09:00-10:00 "
        "11:00-12:00 13:00-14:00 15:00-16:00 17:00-18:00"
    };

    ngx_pa_calendar_init(&cal);

    PA_IS_INT(set_hours(&cal, "7:30-11:30"), 0, "H:MM accepted");
    PA_IS_INT(ngx_pa_calendar_day_seconds(&cal), 4 * HOUR, "one 4 h span");
    PA_IS_INT(set_hours(&cal, " 08:00-12:00\t12:00-17:00 "), 0,
              "blanks around, touching spans");
    PA_IS_INT(cal.nspans, 2, "two spans");
    PA_IS_INT(set_hours(&cal, "01:00-02:00 03:00-04:00 05:00-06:00 "
                        "07:00-08:00 09:00-10:00 11:00-12:00 13:00-14:00 "
                        "15:00-24:00"), 0, "8 spans up to 24:00");
    PA_IS_INT(ngx_pa_calendar_day_seconds(&cal), 16 * HOUR, "16 h");
    PA_IS_INT(set_hours(&cal, "07:30-11:30 13:30-17:00"), 0, "back to "
              "the default");

    for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++) {
        memcpy(&copy, &cal, sizeof(cal));
        PA_OK(set_hours(&cal, bad[i]) == -1
              && memcmp(&copy, &cal, sizeof(cal)) == 0,
              "set_hours(\"%.40s\") fails, calendar unchanged", bad[i]);
    }
}


static void
test_set_weekdays(void)
{
    int                 i;
    ngx_pa_calendar_t   cal, copy;
    static const struct {
        const char  *text;
        unsigned     mask;
    } good[] = {
        { "mon-fri", 0x3e }, { "mon-sat", 0x7e }, { "sun", 0x01 },
        { "mon,wed,fri", 0x2a }, { "MON-Fri", 0x3e },
        { "mon-wed,fri", 0x2e }, { "fri-mon", 0x63 }, { "sat, sun", 0x41 },
        { "mon wed", 0x0a }, { "sun-sat", 0x7f }, { " tue , thu ", 0x14 },
        { "mon-tue,thu-fri,sun", 0x37 }, { "wed-wed", 0x08 }
    };
    static const char  *bad[] = {
        "", " ", "mon-", "-fri", "foo", "mon,,tue", "mon,", ",mon",
        "monday", "mon;tue", "mon-fri-sat", "monwed", "mon - fri", "mo"
    };

    ngx_pa_calendar_init(&cal);

    for (i = 0; i < (int) (sizeof(good) / sizeof(good[0])); i++) {
        PA_IS_INT(set_weekdays(&cal, good[i].text) == 0 ? cal.weekdays
                                                        : (unsigned) -1,
                  good[i].mask, "set_weekdays(\"%s\")", good[i].text);
    }

    set_weekdays(&cal, "mon-fri");

    for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++) {
        memcpy(&copy, &cal, sizeof(cal));
        PA_OK(set_weekdays(&cal, bad[i]) == -1
              && memcmp(&copy, &cal, sizeof(cal)) == 0,
              "set_weekdays(\"%s\") fails, calendar unchanged", bad[i]);
    }
}


static void
test_load_format(void)
{
    char               err[256];
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);
    PA_IS_INT(load(&cal, "\xef\xbb\xbf# Lịch nghỉ\r\n"
                         "\r\n"
                         "   # indented comment\r\n"
                         "2026-05-01\toff\tNgày Quốc tế Lao động\r\n"
                         "2026-04-30  OFF  Ngày Giải phóng miền Nam  \r\n"
                         "2026-01-01 off\n"
                         "2026-01-01 off duplicate\n"
                         "2025-12-31..2026-01-02 off overlapping range\n"
                         "2026-01-10 Work\n"
                         "  2024-02-29 off leap day", err, sizeof(err)),
              0, "BOM, CRLF, tabs, case, UTF-8, no final newline");
    PA_IS_INT(cal.nholidays, 6, "6 distinct days off");
    PA_IS_INT(cal.nworkdays, 1, "1 make-up day");
    PA_OK(sorted_unique(cal.holidays, cal.nholidays), "sorted and unique");
    PA_IS_INT(cal.holidays[0], 19782, "2024-02-29 is day 19782");
    PA_IS_INT(cal.holidays[5], 20574, "2026-05-01 is day 20574");

    PA_IS_INT(load(&cal, "2026-01-02 off\n2026-02-16..2026-02-20 off\n"
                         "2023-01-01 off\n", err, sizeof(err)), 0,
              "a second file adds to the lists");
    PA_IS_INT(cal.nholidays, 12, "12 distinct days off after merging");
    PA_OK(sorted_unique(cal.holidays, cal.nholidays),
          "still sorted and unique after merging");
    PA_IS_INT(load(&cal, "", err, sizeof(err)), 0, "an empty file loads");
    PA_IS_INT(load(&cal, "# nothing\n\n", err, sizeof(err)), 0,
              "a file of comments loads");
    PA_IS_INT(cal.nholidays, 12, "and changes nothing");
}


static void
test_load_errors(void)
{
    int                 i, rc;
    char                err[256], big[64];
    size_t              nh, nw;
    ngx_pa_calendar_t   cal, copy;
    static const struct {
        const char  *text;
        const char  *err;
    } bad[] = {
        { "2026-01-01 off\n2026-02-30 off Tết\n",
          "line 2: no such date 2026-02-30" },
        { "2025-02-29 off", "line 1: no such date 2025-02-29" },
        { "2026-13-01 off", "line 1: no such date 2026-13-01" },
        { "2026-04-31 off", "line 1: no such date 2026-04-31" },
        { "2026-01-00 off", "line 1: no such date 2026-01-00" },
        { "2026-01-01..2026-02-29 off", "line 1: no such date 2026-02-29" },
        { "# c\n\n2026-01-05..2026-01-03 off\n",
          "line 3: range ends before it starts" },
        { "2026-01-01\n", "line 1: " KINDS },
        { "2026-01-01   \n", "line 1: " KINDS },
        { "2026-01-01 holiday", "line 1: " KINDS },
        { "2026-01-01 offday", "line 1: " KINDS },
        { "2026-01-01 off\r\n\r\n2026-01-02 nghỉ\r\n",
          "line 3: " KINDS },
        { "26-01-01 off", "line 1: expected \"YYYY-MM-DD\" or "
          "\"YYYY-MM-DD..YYYY-MM-DD\", a space and \"off\" or \"work\"" },
        { "2026-1-1 off", NULL },
        { "2026-01-01x off", NULL },
        { "2026/01/01 off", NULL },
        { "2026-01-01.2026-01-03 off", NULL },
        { "2026-01-01..2026-1-3 off", NULL },
        { "2026-01-01..2026-01-03off", NULL },
        { "2026-01-01...2026-01-03 off", NULL },
        { "off 2026-01-01", NULL },
        { "Tết 2026-01-01 off", NULL },
        { "2020-01-01..2023-12-31 off", "line 1: more than 1024 days of "
          "one kind" },
    };

    ngx_pa_calendar_init(&cal);
    PA_IS_INT(load(&cal, "2026-02-14..2026-02-22 off\n2026-01-10 work\n",
                   err, sizeof(err)), 0, "a first file");
    nh = cal.nholidays;
    nw = cal.nworkdays;

    for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++) {
        memcpy(&copy, &cal, sizeof(cal));
        strcpy(err, "(untouched)");
        rc = load(&cal, bad[i].text, err, sizeof(err));

        if (bad[i].err) {
            PA_IS_STR(rc == -1 ? err : "(returned 0)", bad[i].err,
                      "load error %d: %s", i, bad[i].err);

        } else {
            PA_OK(rc == -1 && strncmp(err, "line 1: expected \"YYYY", 22)
                  == 0, "load error %d: malformed \"%s\": %s", i,
                  bad[i].text, err);
        }

        PA_OK(cal.nholidays == nh && cal.nworkdays == nw
              && memcmp(copy.holidays, cal.holidays, nh * 4) == 0
              && memcmp(copy.workdays, cal.workdays, nw * 4) == 0,
              "load error %d leaves the lists unchanged", i);
    }

    /* an error after good lines drops those lines too */
    rc = load(&cal, "2026-04-30 off\n2026-05-01 off\n2026-08-22 work\n"
                    "2026-09-31 off\n", err, sizeof(err));
    PA_OK(rc == -1 && cal.nholidays == nh && cal.nworkdays == nw,
          "an error on line 4 drops lines 1-3: %s", err);

    /* capacity reached over two loads, on the line that overflows */
    ngx_pa_calendar_init(&cal);
    PA_IS_INT(load(&cal, "2020-01-01..2022-09-26 off\n", err, sizeof(err)),
              0, "1000 days off");
    PA_IS_INT(cal.nholidays, 1000, "1000 days listed");
    PA_IS_INT(load(&cal, "2020-01-01..2020-12-31 off already there\n"
                         "2030-01-01..2030-01-24 off fits exactly\n"
                         "2031-01-01 work other list\n"
                         "2030-01-24 off duplicate\n"
                         "2032-01-01 off one too many\n", err, sizeof(err)),
              -1, "the 1025th day is refused");
    PA_IS_STR(err, "line 5: more than 1024 days of one kind",
              "capacity error names the line");
    PA_IS_INT(cal.nholidays + cal.nworkdays, 1000, "and nothing is added");
    PA_IS_INT(load(&cal, "2030-01-01..2030-01-24 off\n", err, sizeof(err)),
              0, "exactly 1024 days fit");
    PA_IS_INT(cal.nholidays, 1024, "1024 days listed");

    /* err may be small or absent */
    ngx_pa_calendar_init(&cal);
    memset(big, 'x', sizeof(big));
    rc = ngx_pa_calendar_load(&cal, (const u_char *) "2026-02-30 off", 14,
                              big, 8);
    PA_OK(rc == -1 && strcmp(big, "line 1:") == 0,
          "a short err buffer is truncated and terminated");
    PA_IS_INT(ngx_pa_calendar_load(&cal, (const u_char *) "x", 1, NULL, 0),
              -1, "err may be NULL");
}

/* ------------------------------------------------ the calendar's end */

static void
test_vn_2027(void)
{
    char               err[256];
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);
    err[0] = '\0';

    PA_IS_INT(ngx_pa_calendar_until(&cal), -1, "no file: no known end");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2030, 1, 1, 8, 0),
                                          lt(2030, 1, 2, 8, 0)),
              0, "no file: nothing is claimed, nothing flagged");

    PA_IS_INT(load_file(&cal, "conf-examples/holidays-vn-2026.txt", err,
                        sizeof(err)), 0, "2026 loads%s%s",
              err[0] ? ": " : "", err);
    is_time(ngx_pa_calendar_until(&cal), lt(2026, 12, 31, 0, 0),
            "2026 alone: known until 31/12/2026");

    /* past the end: weekends only, and flagged */
    is_time(ngx_pa_calendar_add(&cal, lt(2026, 12, 31, 15, 0), DAY),
            lt(2027, 1, 1, 15, 0), "2026 alone: 1/1/2027 unknown, counted "
            "as a working Friday");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2026, 12, 31, 15, 0),
                                          lt(2027, 1, 1, 15, 0)),
              1, "a deadline past the known calendar is provisional");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2026, 12, 30, 9, 0),
                                          lt(2026, 12, 31, 17, 0)),
              0, "one that ends on the last known day is not");

    PA_IS_INT(load_file(&cal, "conf-examples/holidays-vn-2027.txt", err,
                        sizeof(err)), 0, "2027 loads beside it%s%s",
              err[0] ? ": " : "", err);
    PA_IS_INT(cal.nholidays, 18 + 14, "14 days off listed for 2027");
    PA_IS_INT(cal.nprovisional, 8, "Tết (7 days) and 3/9 provisional");
    PA_OK(sorted_unique(cal.provisional, cal.nprovisional),
          "the provisional days are sorted and unique");
    PA_IS_INT(cal.ncovers, 1, "2026 and 2027 make one span");
    is_time(ngx_pa_calendar_until(&cal), lt(2027, 12, 31, 0, 0),
            "both: known until 31/12/2027");

    is_time(ngx_pa_calendar_add(&cal, lt(2026, 12, 31, 15, 0), DAY),
            lt(2027, 1, 4, 15, 0), "New Year 2027 is a holiday now");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2026, 12, 31, 15, 0),
                                          lt(2027, 1, 4, 15, 0)),
              0, "and the deadline is firm");

    /* Tết Đinh Mùi, provisional: 5/2 (Fri) to 11/2 (Thu) */
    is_time(ngx_pa_calendar_add(&cal, lt(2027, 2, 4, 15, 0), DAY),
            lt(2027, 2, 12, 15, 0), "1 day from Thursday before Tết");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2027, 2, 4, 15, 0),
                                          lt(2027, 2, 12, 15, 0)),
              1, "across the provisional Tết break: provisional");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2027, 1, 25, 9, 0),
                                          lt(2027, 2, 4, 9, 0)),
              0, "ending before the break: firm");

    /* Giỗ Tổ 10/3 âm lịch = Friday 16/4/2027; 1/5 (Sat) made up on 3/5 */
    is_time(ngx_pa_calendar_add(&cal, lt(2027, 4, 15, 15, 0), DAY),
            lt(2027, 4, 19, 15, 0), "Giỗ Tổ: from Thursday to Monday");
    is_time(ngx_pa_calendar_add(&cal, lt(2027, 4, 29, 15, 0), DAY),
            lt(2027, 5, 4, 15, 0), "30/4, the weekend, the 3/5 make-up");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2027, 4, 15, 15, 0),
                                          lt(2027, 5, 4, 15, 0)),
              0, "fixed-date holidays are firm");

    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2027, 12, 30, 15, 0),
                                          lt(2028, 1, 3, 15, 0)),
              1, "into 2028: provisional");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2025, 12, 30, 15, 0),
                                          lt(2026, 1, 5, 8, 30)),
              1, "from before the first known day: provisional");
}


static void
test_covers(void)
{
    char               err[256];
    ngx_pa_calendar_t  cal;

    ngx_pa_calendar_init(&cal);

    /* no "covers": the whole years of the dates listed */
    PA_IS_INT(load(&cal, "2026-05-01 off  a\n2026-09-02 off  b\n", err,
                   sizeof(err)), 0, "a file without covers");
    PA_IS_INT(cal.ncovers, 1, "one span");
    is_time(ngx_pa_calendar_until(&cal), lt(2026, 12, 31, 0, 0),
            "inferred: the year 2026");

    /* a gap: 2028 known, 2027 not; the end is where the gap begins */
    PA_IS_INT(load(&cal, "2028-01-01..2028-12-31 covers 2028\n"
                   "2028-01-01 off  c\n", err, sizeof(err)), 0, "2028");
    PA_IS_INT(cal.ncovers, 2, "two spans");
    is_time(ngx_pa_calendar_until(&cal), lt(2026, 12, 31, 0, 0),
            "a gap: known until 31/12/2026 still");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2028, 3, 1, 9, 0),
                                          lt(2028, 3, 2, 9, 0)),
              1, "past the gap: provisional");

    /* the gap filled: one span again; covers in any case */
    PA_IS_INT(load(&cal, "2027-01-01..2027-12-31 COVERS 2027\n", err,
                   sizeof(err)), 0, "2027 fills the gap");
    PA_IS_INT(cal.ncovers, 1, "one span");
    is_time(ngx_pa_calendar_until(&cal), lt(2028, 12, 31, 0, 0),
            "known until 31/12/2028");

    /* a provisional make-up day counts as one and flags */
    PA_IS_INT(load(&cal, "2027-06-05 work? make-up Saturday\n", err,
                   sizeof(err)), 0, "work?");
    PA_OK(ngx_pa_calendar_is_working_day(&cal, lt(2027, 6, 5, 9, 0)),
          "a provisional make-up Saturday is worked");
    PA_IS_INT(ngx_pa_calendar_provisional(&cal, lt(2027, 6, 4, 15, 0),
                                          lt(2027, 6, 5, 15, 0)),
              1, "and flags the deadline on it");

    /* errors change nothing */
    err[0] = '\0';
    PA_IS_INT(load(&cal, "2029-01-01..2029-12-31 covers 2029\n"
                   "2029-01-01 off! x\n", err, sizeof(err)), -1,
              "off! is no kind");
    PA_IS_STR(err, "line 2: expected \"off\", \"work\" (\"off?\", \"work?\" "
              "when provisional) or \"covers\" after the date",
              "the error names the kinds");
    PA_IS_INT(load(&cal, "2029-01-01..2029-12-31 covers? 2029\n", err,
                   sizeof(err)), -1, "covers? is no kind");
    PA_IS_INT(load(&cal, "2029-01-01 off? x\n2029-02-30 off y\n", err,
                   sizeof(err)), -1, "a bad line after an off?");
    PA_IS_INT(cal.nprovisional, 1, "the failed files added no provisional "
              "day");
    is_time(ngx_pa_calendar_until(&cal), lt(2028, 12, 31, 0, 0),
            "and no covered day");
}


int
main(void)
{
    test_defaults();
    test_office_hours();
    test_vn_2026();
    test_vn_2027();
    test_covers();
    test_loaded_rules();
    test_limits();
    test_set_hours();
    test_set_weekdays();
    test_load_format();
    test_load_errors();

    PA_DONE();
}
