/*
 * The sweeper's repair of public copies (ngx_pa_public_repair.h).
 *
 * Each sweep of the node that holds the lock walks the published reports
 * (public.lua, the index pub, newest first) a page at a time, from where
 * the last pass stopped: each public report's copies are listed on the
 * event loop, then those missing on disk are made in pa_thread_pool's
 * threads (inline without one), as at publish.  A page costs one Redis
 * call and a stat() per photo; a pass ends at the oldest report or
 * after NGX_PA_REPAIR_PAGES pages, so it stays bounded however many
 * reports are published: up to NGX_PA_REPAIR_PAGES * NGX_PA_REPAIR_PAGE
 * of them, the whole index every pass; more, the rest on the next
 * passes.  Hidden, private or unpublished reports are never in pub, and
 * are checked again anyway: their copies are not made.
 *
 * A page of 100 keeps Redis busy about 0.7 ms (public.lua, 1000 reports
 * of realistic size, 200 a page: 1.4 ms a call by INFO commandstats, load
 * average 8.9 on 2 shared cores), short beside a submit's 5 ms p99 goal.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_public_media.h"
#include "ngx_pa_public_repair.h"
#include "ngx_pa_view.h"


#define NGX_PA_REPAIR_PAGE   100    /* published reports a call */
#define NGX_PA_REPAIR_PAGES  20     /* calls a pass, at most */


struct ngx_pa_public_repair_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_pool_t                *pool;       /* the pass's */
    ngx_pool_t                *page;       /* the page's: call, plans */
    ngx_pool_t                *work;       /* the page's, the thread's */
    ngx_pa_call_t              call;
    ngx_array_t               *plans;      /* ngx_pa_pm_plan_t * */
    ngx_uint_t                 pages;
    ngx_int_t                  made;
    ngx_uint_t                 failed;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif
    unsigned                   working:1;
    unsigned                   exiting:1;
    unsigned                   round:1;    /* the oldest was reached */
};


static ngx_pa_public_repair_t *ngx_pa_public_repair_create(
    ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
static ngx_int_t ngx_pa_public_repair_send(ngx_pa_public_repair_t *pr);
static void ngx_pa_public_repair_next(ngx_pa_public_repair_t *pr);
static void ngx_pa_public_repair_free(ngx_pa_public_repair_t *pr);
static void ngx_pa_public_repair_on_page(ngx_pa_call_t *call,
    redisReply *reply);
static ngx_int_t ngx_pa_public_repair_plan(ngx_pa_public_repair_t *pr,
    redisReply *reply);
static void ngx_pa_public_repair_run(void *data, ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_pa_public_repair_work_done(ngx_event_t *ev);
#endif
static void ngx_pa_public_repair_finish(ngx_pa_public_repair_t *pr);


void
ngx_pa_public_repair_tick(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pa_public_repair_t  *pr;

    /* the last pass still runs (a slow disk): this one is skipped */

    if (pmcf->worker.public_repair != NULL || pmcf->media_dir.len == 0) {
        return;
    }

    pr = ngx_pa_public_repair_create(pmcf, log);
    if (pr == NULL) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "pa public copies: out of memory");
        return;
    }

    pmcf->worker.public_repair = pr;

    if (ngx_pa_public_repair_send(pr) != NGX_OK) {
        ngx_pa_public_repair_finish(pr);
    }
}


void
ngx_pa_public_repair_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_public_repair_t  *pr;

    pr = pmcf->worker.public_repair;
    if (pr == NULL) {
        return;
    }

    pmcf->worker.public_repair = NULL;

    ngx_pa_call_cancel(&pr->call);

    if (pr->working) {
        /* the thread still reads the plans: its pools are left to exit */
        pr->exiting = 1;
        return;
    }

    ngx_pa_public_repair_free(pr);
}


static ngx_pa_public_repair_t *
ngx_pa_public_repair_create(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
    ngx_pool_t              *pool;
    ngx_pa_public_repair_t  *pr;

    pool = ngx_create_pool(1024, log);
    if (pool == NULL) {
        return NULL;
    }

    pr = ngx_pcalloc(pool, sizeof(ngx_pa_public_repair_t));
    if (pr == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    pr->conf = pmcf;
    pr->log = log;
    pr->pool = pool;

#if (NGX_THREADS)
    if (pmcf->thread_pool != NULL) {
        pr->task = ngx_pa_thread_task(pool, ngx_pa_public_repair_run, pr);
        if (pr->task == NULL) {
            ngx_destroy_pool(pool);
            return NULL;
        }

        pr->task->event.data = pr;
        pr->task->event.handler = ngx_pa_public_repair_work_done;
        pr->task->event.log = log;
    }
#endif

    return pr;
}


/*
 * One page: public.lua, KEYS pub, geo; ARGV offset, count, "", scan
 * cap, "".  The page's own pools: the call's arguments and the plans,
 * and the thread's.
 */

static ngx_int_t
ngx_pa_public_repair_send(ngx_pa_public_repair_t *pr)
{
    ngx_str_t     *s;
    ngx_uint_t     i;
    ngx_array_t   *keys, *args;
    static char   *names[] = { "pub", "geo" };

    pr->page = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, pr->log);
    pr->work = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, pr->log);
    if (pr->page == NULL || pr->work == NULL) {
        return NGX_ERROR;
    }

    pr->plans = ngx_array_create(pr->page, 16, sizeof(ngx_pa_pm_plan_t *));
    keys = ngx_array_create(pr->page, 2, sizeof(ngx_str_t));
    args = ngx_array_create(pr->page, 5, sizeof(ngx_str_t));
    if (pr->plans == NULL || keys == NULL || args == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < 2; i++) {
        s = ngx_array_push(keys);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->data = ngx_pnalloc(pr->page, pr->conf->key_prefix.len + 3);
        if (s->data == NULL) {
            return NGX_ERROR;
        }

        s->len = ngx_sprintf(s->data, "%V%s", &pr->conf->key_prefix,
                             names[i])
                 - s->data;
    }

    if (ngx_pa_arg_int(pr->page, args, pr->conf->worker.public_repair_next)
        != NGX_OK
        || ngx_pa_arg_int(pr->page, args, NGX_PA_REPAIR_PAGE) != NGX_OK
        || ngx_pa_arg_cstr(args, "") != NGX_OK
        || ngx_pa_arg_int(pr->page, args, NGX_PA_REPAIR_PAGE) != NGX_OK
        || ngx_pa_arg_cstr(args, "") != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_pa_call_init(&pr->call, pr->conf, pr->page, pr->log);

    /* nobody waits for a repair: quitting drops it */
    pr->call.background = 1;

    if (ngx_pa_call_script(&pr->call, NGX_PA_SCRIPT_PUBLIC, keys, args)
        != NGX_OK
        || ngx_pa_call_send(&pr->call, ngx_pa_public_repair_on_page, pr)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, pr->log, 0,
                      "pa public copies: Redis not reachable, next sweep");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* {total, {field names}, {values}, ...} (public.lua) */

static void
ngx_pa_public_repair_on_page(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_public_repair_t  *pr = call->data;

    ngx_uint_t  *next;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements < 1
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        ngx_log_error(NGX_LOG_WARN, pr->log, 0,
                      "pa public copies: no page of the published "
                      "reports, next sweep");
        ngx_pa_public_repair_finish(pr);
        return;
    }

    /* where the next page begins: after this one, or round again */

    next = &pr->conf->worker.public_repair_next;
    *next += NGX_PA_REPAIR_PAGE;

    if (*next >= (ngx_uint_t) reply->element[0]->integer) {
        *next = 0;
        pr->round = 1;
    }

    if (ngx_pa_public_repair_plan(pr, reply) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, pr->log, 0,
                      "pa public copies: out of memory");
        ngx_pa_public_repair_finish(pr);
        return;
    }

    if (pr->plans->nelts == 0) {
        ngx_pa_public_repair_next(pr);
        return;
    }

#if (NGX_THREADS)
    if (pr->task != NULL) {
        if (ngx_thread_task_post(pr->conf->thread_pool, pr->task) == NGX_OK)
        {
            pr->working = 1;
            return;
        }

        ngx_log_error(NGX_LOG_ERR, pr->log, 0,
                      "pa public copies: cannot post to the thread pool, "
                      "next sweep");
        ngx_pa_public_repair_finish(pr);
        return;
    }
#endif

    ngx_pa_public_repair_run(pr, pr->log);
    ngx_pa_public_repair_next(pr);
}


/* the page's public reports, each with the copies it should have */

static ngx_int_t
ngx_pa_public_repair_plan(ngx_pa_public_repair_t *pr, redisReply *reply)
{
    size_t             i;
    ngx_pa_hash_t      h;
    ngx_pa_pm_plan_t  *plan, **p;

    /* public.lua: the names once, then each report's values */

    if (reply->elements < 2
        || reply->element[1]->type != REDIS_REPLY_ARRAY)
    {
        return NGX_OK;
    }

    for (i = 2; i < reply->elements; i++) {
        if (reply->element[i]->type != REDIS_REPLY_ARRAY) {
            continue;
        }

        if (ngx_pa_hash_from_values(pr->page, reply->element[1],
                                    reply->element[i], &h)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        plan = ngx_pa_public_media_plan(pr->page, pr->log, pr->conf, &h);
        if (plan == NULL) {
            continue;           /* not public, no photo (or logged) */
        }

        p = ngx_array_push(pr->plans);
        if (p == NULL) {
            return NGX_ERROR;
        }

        *p = plan;
    }

    return NGX_OK;
}


/* in a thread (or inline): only pr->work and the plans are touched */

static void
ngx_pa_public_repair_run(void *data, ngx_log_t *log)
{
    ngx_pa_public_repair_t  *pr = data;

    ngx_int_t           n;
    ngx_uint_t          i;
    ngx_pa_pm_plan_t  **plan;

    plan = pr->plans->elts;

    for (i = 0; i < pr->plans->nelts; i++) {
        n = ngx_pa_public_media_fill(plan[i], pr->work, log, pr->conf);

        if (n == NGX_ERROR) {
            pr->failed++;

        } else {
            pr->made += n;
        }
    }
}


#if (NGX_THREADS)

static void
ngx_pa_public_repair_work_done(ngx_event_t *ev)
{
    ngx_pa_public_repair_t  *pr = ev->data;

    pr->working = 0;

    if (pr->exiting) {
        ngx_pa_public_repair_free(pr);
        return;
    }

    ngx_pa_public_repair_next(pr);
}

#endif


/* the page is done: the next one, unless the pass has had its share */

static void
ngx_pa_public_repair_next(ngx_pa_public_repair_t *pr)
{
    ngx_destroy_pool(pr->work);
    ngx_destroy_pool(pr->page);
    pr->work = NULL;
    pr->page = NULL;

    if (pr->round || ++pr->pages >= NGX_PA_REPAIR_PAGES
        || ngx_exiting || ngx_quit || ngx_terminate)
    {
        ngx_pa_public_repair_finish(pr);
        return;
    }

    if (ngx_pa_public_repair_send(pr) != NGX_OK) {
        ngx_pa_public_repair_finish(pr);
    }
}


static void
ngx_pa_public_repair_finish(ngx_pa_public_repair_t *pr)
{
    if (pr->made) {
        ngx_log_error(NGX_LOG_NOTICE, pr->log, 0,
                      "pa public copies: %i missing on disk made again by "
                      "the sweeper", pr->made);
    }

    if (pr->failed) {
        ngx_log_error(NGX_LOG_ERR, pr->log, 0,
                      "pa public copies: %ui reports' copies could not be "
                      "made again, next round", pr->failed);
    }

    if (pr == pr->conf->worker.public_repair) {
        pr->conf->worker.public_repair = NULL;
    }

    ngx_pa_public_repair_free(pr);
}


static void
ngx_pa_public_repair_free(ngx_pa_public_repair_t *pr)
{
    if (pr->work != NULL) {
        ngx_destroy_pool(pr->work);
    }

    if (pr->page != NULL) {
        ngx_destroy_pool(pr->page);
    }

    ngx_destroy_pool(pr->pool);
}
