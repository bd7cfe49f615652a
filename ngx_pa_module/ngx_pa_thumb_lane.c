/*
 * The thumbnails' lane: a worker makes one thumbnail at a time, and only
 * when no request's media work has been under way for NGX_PA_THUMB_QUIET.
 *
 * Why: the pool is one FIFO queue, and a 1 MB photo's thumbnail (about
 * 13 ms of libjpeg) costs four times its ingestion (write, SHA-256,
 * libmagic, EXIF, rename: about 3 ms).  Posted at once, each behind its
 * photo, they ran at the pace the photos came: during a burst the pieces
 * of the next uploads waited behind them in the queue and for the CPU,
 * and ingestion fell to the thumbnails' pace (make bench: 100 MB/s on two
 * cores).  Lists load the original while a thumbnail is missing; a
 * citizen's upload has nobody to fall back on.  So uploads go first, the
 * thumbnails follow when the worker is quiet.
 *
 * Bounded: past NGX_PA_THUMB_WAITING thumbnails a new one is dropped
 * (logged); lists then show the original, and a publish makes the public
 * one.  Those still waiting when the worker exits are dropped the same way.
 */

#include "ngx_pa_thumb.h"


#define NGX_PA_THUMB_QUIET    100       /* ms without a request's job */
#define NGX_PA_THUMB_WAITING  4096      /* per worker */


struct ngx_pa_thumb_lane_s {
    ngx_queue_t           waiting;      /* ngx_pa_thumb_wait_t, oldest first */
    ngx_uint_t            nwaiting;
    ngx_uint_t            dropped;      /* since the last log line */
    ngx_event_t           timer;
    ngx_pa_main_conf_t   *pmcf;
    unsigned              running:1;    /* one of ours is in the pool */
};


typedef struct {
    ngx_queue_t           queue;
    ngx_pa_bg_t          *bg;
} ngx_pa_thumb_wait_t;


static void ngx_pa_thumb_lane_next(ngx_pa_thumb_lane_t *lane);
static void ngx_pa_thumb_lane_timer(ngx_event_t *ev);
static void ngx_pa_thumb_lane_done(ngx_pa_bg_t *bg);


ngx_int_t
ngx_pa_thumb_lane_add(ngx_pa_main_conf_t *pmcf, ngx_pa_bg_t *bg)
{
    ngx_pa_thumb_lane_t  *lane;
    ngx_pa_thumb_wait_t  *w;

    lane = pmcf->worker.thumbs;

    if (lane == NULL) {
        lane = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_pa_thumb_lane_t));
        if (lane == NULL) {
            ngx_destroy_pool(bg->pool);
            return NGX_ERROR;
        }

        ngx_queue_init(&lane->waiting);
        lane->pmcf = pmcf;
        lane->timer.handler = ngx_pa_thumb_lane_timer;
        lane->timer.data = lane;
        lane->timer.log = ngx_cycle->log;
        lane->timer.cancelable = 1;     /* a stopping worker does not wait */

        pmcf->worker.thumbs = lane;
    }

    if (lane->nwaiting >= NGX_PA_THUMB_WAITING) {
        ngx_destroy_pool(bg->pool);

        if (lane->dropped++ == 0) {
            ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                          "pa: %ui thumbnails wait already, a new photo's "
                          "is not made (lists show the original)",
                          lane->nwaiting);
        }

        return NGX_OK;
    }

    w = ngx_palloc(bg->pool, sizeof(ngx_pa_thumb_wait_t));
    if (w == NULL) {
        ngx_destroy_pool(bg->pool);
        return NGX_ERROR;
    }

    w->bg = bg;
    bg->done = ngx_pa_thumb_lane_done;

    ngx_queue_insert_tail(&lane->waiting, &w->queue);
    lane->nwaiting++;

    ngx_pa_thumb_lane_next(lane);

    return NGX_OK;
}


/* posts the oldest one if the worker is quiet, else looks again later */

static void
ngx_pa_thumb_lane_next(ngx_pa_thumb_lane_t *lane)
{
    ngx_msec_t            idle;
    ngx_queue_t          *q;
    ngx_pa_worker_t      *wk;
    ngx_pa_thumb_wait_t  *w;

    if (lane->running || ngx_queue_empty(&lane->waiting)) {
        return;
    }

    wk = &lane->pmcf->worker;
    idle = ngx_current_msec - wk->jobs_last;

    if (wk->jobs != 0 || idle < NGX_PA_THUMB_QUIET) {
        if (!lane->timer.timer_set) {
            ngx_add_timer(&lane->timer, NGX_PA_THUMB_QUIET
                                        - (wk->jobs ? 0 : idle));
        }

        return;
    }

    if (lane->dropped) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "pa: %ui thumbnails were not made: too many waited",
                      lane->dropped);
        lane->dropped = 0;
    }

    q = ngx_queue_head(&lane->waiting);
    ngx_queue_remove(q);
    lane->nwaiting--;

    w = ngx_queue_data(q, ngx_pa_thumb_wait_t, queue);

    lane->running = 1;

    if (ngx_pa_bg_post(w->bg) != NGX_OK) {

        /* logged, freed: the next one may fare better */

        lane->running = 0;
        ngx_add_timer(&lane->timer, NGX_PA_THUMB_QUIET);
    }
}


static void
ngx_pa_thumb_lane_timer(ngx_event_t *ev)
{
    ngx_pa_thumb_lane_next(ev->data);
}


static void
ngx_pa_thumb_lane_done(ngx_pa_bg_t *bg)
{
    ngx_pa_thumb_lane_t  *lane;

    lane = bg->conf->worker.thumbs;

    if (lane == NULL) {
        return;                     /* the worker is exiting */
    }

    lane->running = 0;

    ngx_pa_thumb_lane_next(lane);
}


void
ngx_pa_thumb_lane_exit(ngx_pa_main_conf_t *pmcf)
{
    ngx_queue_t          *q;
    ngx_pa_thumb_lane_t  *lane;
    ngx_pa_thumb_wait_t  *w;

    lane = pmcf->worker.thumbs;

    if (lane == NULL) {
        return;
    }

    if (lane->nwaiting) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "pa: %ui thumbnails not made before the worker "
                      "exits (lists show the original)", lane->nwaiting);
    }

    while (!ngx_queue_empty(&lane->waiting)) {
        q = ngx_queue_head(&lane->waiting);
        ngx_queue_remove(q);

        w = ngx_queue_data(q, ngx_pa_thumb_wait_t, queue);
        ngx_destroy_pool(w->bg->pool);
    }

    lane->nwaiting = 0;

    if (lane->timer.timer_set) {
        ngx_del_timer(&lane->timer);
    }

    pmcf->worker.thumbs = NULL;
}
