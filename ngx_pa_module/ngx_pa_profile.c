/*
 * The profile as the rest of the module reads it: the files its
 * directives name, its deadlines (the SLA of a step over the working
 * calendar) and the calendar's end.  Below the directives file, so that
 * the route files and the sweeper need not reach up into it; the
 * arithmetic itself is pure C in ngx_pa_calendar.c.
 */

#include "ngx_pa_profile.h"


/*
 * A file named by a directive: "./x" and "../x" are relative to the file
 * that holds the directive, so a profile names its calendar and directory
 * beside it and can be included from any nginx.conf; anything else is
 * relative to nginx's configuration folder, as nginx's own paths are.
 */

ngx_int_t
ngx_pa_conf_path(ngx_conf_t *cf, ngx_str_t *name)
{
    u_char     *p, *slash;
    ngx_str_t  *file;

    file = (cf->conf_file != NULL) ? &cf->conf_file->file.name : NULL;

    if (file == NULL || file->len == 0
        || !((name->len > 2 && ngx_strncmp(name->data, "./", 2) == 0)
             || (name->len > 3 && ngx_strncmp(name->data, "../", 3) == 0)))
    {
        return ngx_conf_full_name(cf->cycle, name, 1);
    }

    slash = NULL;

    for (p = file->data; p < file->data + file->len; p++) {
        if (*p == '/') {
            slash = p;
        }
    }

    if (slash == NULL) {
        return ngx_conf_full_name(cf->cycle, name, 1);
    }

    /* the including file's folder, then the name; NUL-terminated */

    p = ngx_pnalloc(cf->pool, (slash - file->data) + 1 + name->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    name->len = ngx_sprintf(p, "%*s%V%Z", (size_t) (slash - file->data + 1),
                            file->data, name)
                - p - 1;
    name->data = p;

    /* a folder given relative to the prefix (nginx -c conf/x.conf) */
    return ngx_conf_full_name(cf->cycle, name, 1);
}


/* a directive's file read whole (at most 1 MiB), NUL after its bytes */

ngx_int_t
ngx_pa_conf_read_file(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *out)
{
    ssize_t          n;
    ngx_str_t        path;
    ngx_file_t       file;
    ngx_file_info_t  fi;

    path = *name;

    if (ngx_pa_conf_path(cf, &path) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = path;
    file.log = cf->log;

    file.fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &path);
        return NGX_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is unreadable or larger than 1 MiB",
                           &path);
        (void) ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    out->len = (size_t) ngx_file_size(&fi);
    out->data = ngx_pnalloc(cf->pool, out->len + 1);
    if (out->data == NULL) {
        (void) ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    n = ngx_read_file(&file, out->data, out->len, 0);

    (void) ngx_close_file(file.fd);

    if (n != (ssize_t) out->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "cannot read \"%V\"", &path);
        return NGX_ERROR;
    }

    out->data[out->len] = '\0';

    return NGX_OK;
}


/*
 * A secret's file (a password, a key): read whole, an editor's last
 * newline (LF or CRLF) not part of it, as a shell's $(cat) would drop it.
 */

ngx_int_t
ngx_pa_conf_read_secret(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *out)
{
    if (ngx_pa_conf_read_file(cf, name, out) != NGX_OK) {
        return NGX_ERROR;
    }

    while (out->len && (out->data[out->len - 1] == '\n'
                        || out->data[out->len - 1] == '\r'))
    {
        out->len--;
    }

    return NGX_OK;
}


ngx_pa_sla_t *
ngx_pa_sla_find(ngx_pa_main_conf_t *pmcf, const char *step)
{
    size_t         len;
    ngx_uint_t     i;
    ngx_pa_sla_t  *sla;

    len = ngx_strlen(step);
    sla = pmcf->slas->elts;

    for (i = 0; i < pmcf->slas->nelts; i++) {
        if (sla[i].step.len == len
            && ngx_strncmp(sla[i].step.data, step, len) == 0)
        {
            return &sla[i];
        }
    }

    return NULL;
}


/* the instant a step started at `from` is due */

time_t
ngx_pa_sla_due(ngx_pa_main_conf_t *pmcf, ngx_pa_sla_t *sla, time_t from,
    ngx_uint_t urgent)
{
    time_t      secs;
    ngx_uint_t  mdays, wall;

    if (urgent && sla->urgent_set) {
        secs = sla->urgent;
        mdays = sla->urgent_mdays;
        wall = sla->urgent_wall;

    } else {
        secs = sla->normal;
        mdays = sla->normal_mdays;
        wall = sla->normal_wall;
    }

    return ngx_pa_calendar_due(pmcf->calendar, from, secs, mdays, wall);
}


ngx_int_t
ngx_pa_calendar_left(ngx_pa_main_conf_t *pmcf, time_t now, time_t *until,
    ngx_int_t *days)
{
    time_t  t;

    t = ngx_pa_calendar_until(pmcf->calendar);
    if (t == (time_t) -1) {
        return NGX_DECLINED;
    }

    *until = t;

    /* local day numbers: instants after 1970, so the division floors */
    *days = (ngx_int_t) ((t + pmcf->utc_offset) / 86400
                         - (now + pmcf->utc_offset) / 86400);

    return NGX_OK;
}


u_char *
ngx_pa_calendar_warning(ngx_pa_main_conf_t *pmcf, time_t now, u_char *buf,
    size_t len)
{
    u_char     *p;
    time_t      until;
    ngx_tm_t    tm;
    ngx_int_t   days;

    if (ngx_pa_calendar_left(pmcf, now, &until, &days) != NGX_OK
        || days >= NGX_PA_CALENDAR_WARN_DAYS)
    {
        return NULL;
    }

    ngx_gmtime(until + pmcf->utc_offset, &tm);

    if (days < 0) {
        p = ngx_snprintf(buf, len - 1, "the working calendar ended on "
                         "%04d-%02d-%02d: deadlines count weekends only and "
                         "are provisional; add the next year's holiday file "
                         "to pa_calendar_file",
                         tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday);

    } else {
        p = ngx_snprintf(buf, len - 1, "the working calendar ends on "
                         "%04d-%02d-%02d, in %i days: after it deadlines "
                         "count weekends only; add the next year's holiday "
                         "file to pa_calendar_file",
                         tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday, days);
    }

    *p = '\0';

    return buf;
}


void
ngx_pa_calendar_warn(ngx_pa_main_conf_t *pmcf, ngx_log_t *log, time_t now)
{
    u_char            buf[256];
    ngx_int_t         day;
    static ngx_int_t  warned = -1;      /* the local day last warned */

    day = (ngx_int_t) ((now + pmcf->utc_offset) / 86400);

    if (day == warned
        || ngx_pa_calendar_warning(pmcf, now, buf, sizeof(buf)) == NULL)
    {
        return;
    }

    warned = day;

    ngx_log_error(NGX_LOG_WARN, log, 0, "pa: %s", buf);
}
