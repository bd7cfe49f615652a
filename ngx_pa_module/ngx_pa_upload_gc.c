/*
 * pa_upload (how long an unbound pre-upload lives, the per-address cap)
 * and the collector of dead uploads' files.
 *
 * A handle dies in Redis by itself (its key's expiry, and submit.lua's
 * binding); its file in pa_media_dir/tmp is removed here: every
 * "up-<handle>" untouched for longer than the ttl belongs to a handle
 * that expired (a live handle was made less than a ttl ago, and its file
 * after), bound or not (a bound one's bytes are in the store).  A media
 * temp file ("<random>.part") older than a day was left by a crash.  No
 * Redis call: each node's first worker scans the folder (a shared volume
 * is scanned by every node; a file already gone is no error), in the
 * thread pool when there is one.
 */

#include "ngx_pa_upload_gc.h"
#include "ngx_pa_upload_bind.h"

#include <dirent.h>


#define NGX_PA_UPLOAD_GC_MAX   600        /* seconds between two scans */
#define NGX_PA_UPLOAD_PART_AGE 86400      /* a media temp file's life */


/* per worker (the first only), in pmcf->worker.upload_gc */
struct ngx_pa_upload_gc_s {
    ngx_event_t                ev;
    ngx_pa_main_conf_t        *conf;
    time_t                     ttl;
    ngx_msec_t                 interval;
    ngx_uint_t                 removed;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif
    unsigned                   busy:1;
};


/*
 * Many citizens share one address behind a carrier's NAT: the cap stops a
 * storage abuser, not a busy commune (100 unsent photos, 20 files' size).
 */

static ngx_pa_upload_conf_t  ngx_pa_upload_defaults = {
    86400, 100, 0
};



static void ngx_pa_upload_gc_timer(ngx_event_t *ev);
static void ngx_pa_upload_gc_scan(void *data, ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_pa_upload_gc_done(ngx_event_t *ev);
#endif
static void ngx_pa_upload_gc_next(ngx_pa_upload_gc_t *gc);


ngx_pa_upload_conf_t *
ngx_pa_upload_get_conf(ngx_pa_main_conf_t *pmcf)
{
    return pmcf->upload ? pmcf->upload : &ngx_pa_upload_defaults;
}


/* pa_upload [ttl=<time>] [handles=<n>] [bytes=<size>]; */

char *
ngx_pa_upload_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t  *pmcf = conf;

    ngx_str_t              *value, v;
    ngx_uint_t              i;
    ngx_pa_upload_conf_t   *ucf;

    if (pmcf->upload != NULL) {
        return "is duplicate";
    }

    ucf = ngx_palloc(cf->pool, sizeof(ngx_pa_upload_conf_t));
    if (ucf == NULL) {
        return NGX_CONF_ERROR;
    }

    *ucf = ngx_pa_upload_defaults;
    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "ttl=", 4) == 0) {
            v.data = value[i].data + 4;
            v.len = value[i].len - 4;
            ucf->ttl = ngx_parse_time(&v, 1);

            if (ucf->ttl == (time_t) NGX_ERROR || ucf->ttl == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "handles=", 8) == 0) {
            ucf->handles = ngx_atoi(value[i].data + 8, value[i].len - 8);

            if (ucf->handles == (ngx_uint_t) NGX_ERROR
                || ucf->handles == 0)
            {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "bytes=", 6) == 0) {
            v.data = value[i].data + 6;
            v.len = value[i].len - 6;
            ucf->bytes = ngx_parse_offset(&v);

            if (ucf->bytes == NGX_ERROR || ucf->bytes == 0) {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    pmcf->upload = ucf;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" of \"%V\"", &value[i],
                       &cmd->name);
    return NGX_CONF_ERROR;
}


ngx_int_t
ngx_pa_upload_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_upload_gc_t  *gc;

    if (ngx_worker != 0) {
        return NGX_OK;
    }

    gc = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_upload_gc_t));
    if (gc == NULL) {
        return NGX_ERROR;
    }

    pmcf->worker.upload_gc = gc;

    gc->conf = pmcf;
    gc->ttl = ngx_pa_upload_get_conf(pmcf)->ttl;

    /* a dead file waits at most half a ttl more, and 10 min */

    gc->interval = (ngx_msec_t) ngx_max(1, ngx_min(gc->ttl / 2,
                                                  NGX_PA_UPLOAD_GC_MAX))
                   * 1000;

#if (NGX_THREADS)
    if (pmcf->thread_pool != NULL) {
        gc->task = ngx_pa_thread_task(cycle->pool, ngx_pa_upload_gc_scan,
                                      gc);
        if (gc->task == NULL) {
            return NGX_ERROR;
        }

        gc->task->event.handler = ngx_pa_upload_gc_done;
        gc->task->event.data = gc;
        gc->task->event.log = cycle->log;
    }
#endif

    gc->ev.handler = ngx_pa_upload_gc_timer;
    gc->ev.data = gc;
    gc->ev.log = cycle->log;
    gc->ev.cancelable = 1;

    ngx_add_timer(&gc->ev, gc->interval);

    return NGX_OK;
}


void
ngx_pa_upload_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_upload_gc_t  *gc = pmcf->worker.upload_gc;

    if (gc != NULL && gc->ev.timer_set) {
        ngx_del_timer(&gc->ev);
    }

    pmcf->worker.upload_gc = NULL;
}


static void
ngx_pa_upload_gc_timer(ngx_event_t *ev)
{
    ngx_pa_upload_gc_t  *gc = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (gc->busy) {
        ngx_pa_upload_gc_next(gc);
        return;
    }

#if (NGX_THREADS)
    if (gc->task != NULL) {
        gc->busy = 1;

        if (ngx_thread_task_post(gc->conf->thread_pool, gc->task) == NGX_OK)
        {
            return;
        }

        gc->busy = 0;
        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "pa: the uploads' collector could not be posted");
        ngx_pa_upload_gc_next(gc);
        return;
    }
#endif

    ngx_pa_upload_gc_scan(gc, ev->log);
    ngx_pa_upload_gc_next(gc);
}


#if (NGX_THREADS)

static void
ngx_pa_upload_gc_done(ngx_event_t *ev)
{
    ngx_pa_upload_gc_t  *gc = ev->data;

    gc->busy = 0;

    ngx_pa_upload_gc_next(gc);
}

#endif


static void
ngx_pa_upload_gc_next(ngx_pa_upload_gc_t *gc)
{
    if (gc->removed) {
        ngx_log_error(NGX_LOG_INFO, gc->ev.log, 0,
                      "pa: %ui dead upload files removed", gc->removed);
        gc->removed = 0;
    }

    if (!(ngx_exiting || ngx_quit || ngx_terminate)) {
        ngx_add_timer(&gc->ev, gc->interval);
    }
}


/* in a thread, or inline: only the folder, the clock and gc->removed */

static void
ngx_pa_upload_gc_scan(void *data, ngx_log_t *log)
{
    ngx_pa_upload_gc_t  *gc = data;

    DIR            *dir;
    time_t          now, age;
    size_t          len;
    struct stat     st;
    struct dirent  *de;

    dir = opendir((char *) gc->conf->media_tmp.data);
    if (dir == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      "pa: opendir() \"%V\" failed", &gc->conf->media_tmp);
        return;
    }

    now = time(NULL);

    while ((de = readdir(dir)) != NULL) {
        len = ngx_strlen(de->d_name);

        if (len == 3 + NGX_PA_UPLOAD_HANDLE_LEN
            && ngx_strncmp(de->d_name, "up-", 3) == 0)
        {
            age = gc->ttl;

        } else if (len > 5
                   && ngx_strcmp(de->d_name + len - 5, ".part") == 0)
        {
            age = NGX_PA_UPLOAD_PART_AGE;

        } else {
            continue;
        }

        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
            || !S_ISREG(st.st_mode) || st.st_mtime >= now - age)
        {
            continue;
        }

        if (unlinkat(dirfd(dir), de->d_name, 0) != 0) {
            if (ngx_errno != NGX_ENOENT) {
                ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                              "pa: unlink() \"%V/%s\" failed",
                              &gc->conf->media_tmp, de->d_name);
            }

            continue;
        }

        gc->removed++;
    }

    (void) closedir(dir);
}
