/*
 * Working-time calendar: office hours on working weekdays, minus public
 * holidays, plus official make-up working days, in one fixed UTC offset
 * (Vietnam: +07:00, no DST).  Deadlines are "N working seconds after an
 * instant"; N working days are N times the working seconds of one day, so
 * 1 working day from Friday 15:00 is Monday 15:00 and from Friday 20:00 is
 * Monday 17:00.  Pure C, no allocation.
 *
 * A local day is a working day when it is a make-up day, or when its
 * weekday is an office weekday and it is not a holiday: a date listed both
 * "off" and "work" is a working day ("work" wins, being the more specific
 * official decision).  Instants are supported from 1970 to 9999; outside,
 * is_working_day() and between() clamp them and add() returns -1.
 */

#ifndef NGX_PA_CALENDAR_H
#define NGX_PA_CALENDAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>


#define NGX_PA_CAL_MAX_SPANS  8
#define NGX_PA_CAL_MAX_DAYS   1024
#define NGX_PA_CAL_MAX_COVERS 64

typedef struct {
    int32_t    first;           /* local day numbers, both included */
    int32_t    last;
} ngx_pa_cal_cover_t;

typedef struct {
    int32_t    start;           /* seconds after local midnight */
    int32_t    end;             /* > start, <= 86400 */
} ngx_pa_cal_span_t;

typedef struct {
    ngx_pa_cal_span_t  spans[NGX_PA_CAL_MAX_SPANS];   /* sorted, disjoint */
    int                nspans;
    unsigned           weekdays;    /* bit 0 Sunday ... bit 6 Saturday */
    int32_t            utc_offset;  /* seconds east of UTC */

    /* local day numbers (days since 1970-01-01 local), sorted, unique */
    int32_t            holidays[NGX_PA_CAL_MAX_DAYS];
    size_t             nholidays;
    int32_t            workdays[NGX_PA_CAL_MAX_DAYS];   /* make-up days */
    size_t             nworkdays;

    /* days listed "off?" / "work?": awaiting the government's notice */
    int32_t            provisional[NGX_PA_CAL_MAX_DAYS];
    size_t             nprovisional;

    /* the days the loaded files know, sorted, merged */
    ngx_pa_cal_cover_t covers[NGX_PA_CAL_MAX_COVERS];
    size_t             ncovers;
} ngx_pa_calendar_t;

/* Mon-Fri, 07:30-11:30 13:30-17:00, +07:00, no holidays */
void ngx_pa_calendar_init(ngx_pa_calendar_t *cal);

/*
 * "07:30-11:30 13:30-17:00": replaces the spans; 0 or -1.  1 to 8 spans
 * "H:MM-HH:MM" separated by blanks, each start < end <= 24:00, in order;
 * touching spans are allowed, overlapping ones are not.  On error cal is
 * unchanged.
 */
int ngx_pa_calendar_set_hours(ngx_pa_calendar_t *cal, const u_char *p,
    size_t len);

/*
 * "mon-fri", "mon-sat", "mon,tue,thu": replaces the weekdays; 0 or -1.
 * Three-letter English names in any case, single days and ranges mixed,
 * separated by commas and/or blanks; a range wraps ("fri-mon" is Friday to
 * Monday).  On error cal is unchanged.
 */
int ngx_pa_calendar_set_weekdays(ngx_pa_calendar_t *cal, const u_char *p,
    size_t len);

/*
 * Holiday file, one entry a line, '#' starts a comment:
 *     2026-01-01..2026-12-31  covers  năm 2026
 *     2026-01-01              off   Tết Dương lịch
 *     2026-02-14..2026-02-22  off   Tết Nguyên đán
 *     2026-01-10              work  make-up working Saturday
 *     2027-02-05..2027-02-11  off?  Tết (awaiting the government's notice)
 * A date or an inclusive range, blanks, a kind (any case), then blanks and
 * a free name.  "off?" and "work?" are provisional: they count as "off" /
 * "work" and flag the deadlines that cross them.  "covers" says which
 * days the file's lists are complete for; a file without it covers the
 * whole years its dates fall in.  Blank lines, CRLF and a UTF-8 BOM are
 * accepted.  Adds to the lists, keeping them sorted and unique
 * (duplicates merge).  On error (malformed line, no such date as
 * 2026-02-30, a range ending before it starts, more than
 * NGX_PA_CAL_MAX_DAYS days of one kind, more than NGX_PA_CAL_MAX_COVERS
 * separate covered spans) returns -1, writes "line N: ..." to err and
 * leaves the calendar unchanged.
 */
int ngx_pa_calendar_load(ngx_pa_calendar_t *cal, const u_char *buf,
    size_t len, char *err, size_t errlen);

/*
 * The local midnight (as an instant) that starts the last day the loaded
 * files know, going on from the first day they cover without a gap; -1
 * when no file was loaded.  Past it, deadlines count weekends only.
 */
time_t ngx_pa_calendar_until(const ngx_pa_calendar_t *cal);

/*
 * 1 when a deadline counted from `from` to `due` rests on days the files
 * do not know (before the first covered day, after until()) or list as
 * provisional; 0 when no file was loaded (nothing is claimed then).
 */
int ngx_pa_calendar_provisional(const ngx_pa_calendar_t *cal, time_t from,
    time_t due);

/* 1 when the local day containing t is a working day */
int ngx_pa_calendar_is_working_day(const ngx_pa_calendar_t *cal, time_t t);

/* working seconds in one working day (sum of the spans) */
time_t ngx_pa_calendar_day_seconds(const ngx_pa_calendar_t *cal);

/*
 * The earliest instant t >= from with exactly `work` working seconds in
 * [from, t].  work == 0 returns from.  When the calendar has no working
 * time at all, returns (time_t) -1; so it does for work < 0, for from
 * outside 1970..9999 and for a deadline more than 36600 days (~100 years)
 * after from.
 */
time_t ngx_pa_calendar_add(const ngx_pa_calendar_t *cal, time_t from,
    time_t work);

/* working seconds in [a, b]; 0 when b <= a; between(t, add(t, w)) == w */
time_t ngx_pa_calendar_between(const ngx_pa_calendar_t *cal, time_t a,
    time_t b);

/*
 * A deadline: `secs` plus `mdays` thousandths of a day after from, in
 * working time (a day is day_seconds()), or on the wall clock when wall
 * (a day is 86400 s).  (time_t) -1 as ngx_pa_calendar_add().
 */
time_t ngx_pa_calendar_due(const ngx_pa_calendar_t *cal, time_t from,
    time_t secs, uint64_t mdays, int wall);

#endif /* NGX_PA_CALENDAR_H */
