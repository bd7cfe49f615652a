/*
 * The thumbnails' lane: a worker makes one thumbnail at a time, and only
 * when no request's media work has been under way for NGX_PA_THUMB_QUIET,
 * or the oldest has waited NGX_PA_THUMB_LATEST (uploads may never pause).
 *
 * Why: the pool is one FIFO queue, and a 1 MB photo's thumbnail (about
 * 14 ms of libjpeg and libgd) costs several times its ingestion (write,
 * SHA-256, libmagic, EXIF, rename: 2-3 ms; bench/README.md).  Posted at once, each behind its
 * photo, they ran at the pace the photos came: during a burst the pieces
 * of the next uploads waited behind them in the queue and for the CPU,
 * and ingestion fell to the thumbnails' pace (make bench: 100 MB/s on two
 * cores).  Lists load the original while a thumbnail is missing; a
 * citizen's upload has nobody to fall back on.  So uploads go first, the
 * thumbnails follow when the worker is quiet.
 *
 * Bounded: past NGX_PA_THUMB_WAITING thumbnails a new one is dropped
 * (logged); lists then show the original, and a publish makes the public
 * one.  A worker that exits makes those that wait first, as the pool
 * made its queue before its threads stopped.
 */

#include "ngx_pa_thumb.h"


#define NGX_PA_THUMB_QUIET    100       /* ms without a request's job */
#define NGX_PA_THUMB_LATEST   1000      /* ms the oldest waits at most */
#define NGX_PA_THUMB_WAITING  4096      /* per worker */
#define NGX_PA_THUMB_EXIT     3000      /* ms an exiting worker makes them */


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
    ngx_msec_t            added;
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
    w->added = ngx_current_msec;
    bg->done = ngx_pa_thumb_lane_done;

    ngx_queue_insert_tail(&lane->waiting, &w->queue);
    lane->nwaiting++;

    ngx_pa_thumb_lane_next(lane);

    return NGX_OK;
}


/*
 * Posts the oldest one if the worker is quiet; looks again every
 * NGX_PA_THUMB_QUIET while some wait.  The timer is not cancelable: a
 * worker that exits gracefully (a reload, a stop) wakes once more and
 * posts all that wait, which the pool makes before its threads end, as
 * it did when each thumbnail was posted at once.
 */

static void
ngx_pa_thumb_lane_next(ngx_pa_thumb_lane_t *lane)
{
    ngx_queue_t          *q;
    ngx_pa_worker_t      *wk;
    ngx_pa_thumb_wait_t  *w;

    wk = &lane->pmcf->worker;

    while (!ngx_queue_empty(&lane->waiting)) {

        q = ngx_queue_head(&lane->waiting);
        w = ngx_queue_data(q, ngx_pa_thumb_wait_t, queue);

        /*
         * a worker whose uploads never pause still makes them, one at a
         * time, once the oldest has waited NGX_PA_THUMB_LATEST: else none
         * while the rush lasts, and past the bound none at all
         */

        if (!ngx_exiting
            && (lane->running
                || ((wk->jobs != 0
                     || ngx_current_msec - wk->jobs_last < NGX_PA_THUMB_QUIET)
                    && ngx_current_msec - w->added < NGX_PA_THUMB_LATEST)))
        {
            if (!lane->timer.timer_set) {
                ngx_add_timer(&lane->timer, NGX_PA_THUMB_QUIET);
            }

            return;
        }

        if (lane->dropped) {
            ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                          "pa: %ui thumbnails were not made: too many "
                          "waited", lane->dropped);
            lane->dropped = 0;
        }

        ngx_queue_remove(q);
        lane->nwaiting--;

        /* not posted: logged and freed by ngx_pa_bg_post(), go on */

        if (ngx_pa_bg_post(w->bg) == NGX_OK) {
            lane->running = 1;
        }
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


ngx_uint_t
ngx_pa_thumb_lane_waits(ngx_pa_main_conf_t *pmcf, ngx_str_t *path)
{
    ngx_uint_t            i;
    ngx_queue_t          *q;
    ngx_array_t          *items;
    ngx_pa_thumb_lane_t  *lane;
    ngx_pa_thumb_wait_t  *w;
    ngx_pa_thumb_item_t  *it;

    lane = pmcf->worker.thumbs;

    if (lane == NULL) {
        return 0;
    }

    for (q = ngx_queue_head(&lane->waiting);
         q != ngx_queue_sentinel(&lane->waiting);
         q = ngx_queue_next(q))
    {
        w = ngx_queue_data(q, ngx_pa_thumb_wait_t, queue);
        items = w->bg->data;
        it = items->elts;

        for (i = 0; i < items->nelts; i++) {
            if (it[i].path.len == path->len
                && ngx_memcmp(it[i].path.data, path->data, path->len) == 0)
            {
                return 1;
            }
        }
    }

    return 0;
}


/*
 * The worker exits without its graceful wait (nginx without a master
 * process, a fast stop): the pool's threads are gone, so those still
 * waiting are made here, as the pool made its queue before it stopped,
 * for NGX_PA_THUMB_EXIT ms at most (4096 would hold a stop for about a
 * minute); the rest are made when first asked for (ngx_pa_thumb.c).
 */

void
ngx_pa_thumb_lane_exit(ngx_pa_main_conf_t *pmcf)
{
    ngx_queue_t          *q;
    ngx_pa_bg_t          *bg;
    ngx_pa_thumb_lane_t  *lane;
    ngx_uint_t            left;
    ngx_msec_t            start;
    ngx_pa_thumb_wait_t  *w;

    lane = pmcf->worker.thumbs;

    if (lane == NULL) {
        return;
    }

    pmcf->worker.thumbs = NULL;

    if (lane->timer.timer_set) {
        ngx_del_timer(&lane->timer);
    }

    ngx_time_update();
    start = ngx_current_msec;
    left = 0;

    while (!ngx_queue_empty(&lane->waiting)) {
        q = ngx_queue_head(&lane->waiting);
        ngx_queue_remove(q);

        w = ngx_queue_data(q, ngx_pa_thumb_wait_t, queue);
        bg = w->bg;

        if (ngx_current_msec - start < NGX_PA_THUMB_EXIT) {
            bg->work(bg);
            ngx_time_update();

        } else {
            left++;
        }

        ngx_destroy_pool(bg->pool);
    }

    if (left) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "pa: %ui thumbnails left at exit, made when asked for",
                      left);
    }
}
