/*
 * Jobs in nginx's thread pools (ngx_thread_task_post), as nginx's own
 * threaded file reads are: the request is blocked (r->main->blocked) and
 * holds a reference (r->main->count) while its work runs, so neither a
 * finalize nor a terminate frees it under the thread; the task's event
 * handler resumes it on the event loop.
 */

#include "ngx_pa_thread.h"

#include <openssl/crypto.h>

#include <magic.h>
#if (NGX_LINUX)
#include <sys/syscall.h>
#endif


#define NGX_PA_SLICE_SHORT  100     /* µs: the kernel's shortest */
#define NGX_PA_BG_POOL_SIZE 1024
#define NGX_PA_JOB_GUARD    60000   /* ms: the guard's period (job.guard) */


#if (NGX_LINUX) && defined(SYS_sched_setattr)

/* the kernel's struct sched_attr (glibc has no wrapper before 2.41) */
typedef struct {
    uint32_t                   size;
    uint32_t                   policy;
    uint64_t                   flags;
    int32_t                    nice;
    uint32_t                   priority;
    uint64_t                   runtime;    /* a fair task's slice, ns */
    uint64_t                   deadline;
    uint64_t                   period;
} ngx_pa_sched_attr_t;

static void ngx_pa_worker_slice(ngx_cycle_t *cycle, ngx_uint_t us);

#endif


static void ngx_pa_job_cleanup(void *data);
static void ngx_pa_bg_inline(ngx_event_t *ev);
#if (NGX_THREADS)
static void ngx_pa_thread_sched(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
static void ngx_pa_job_handler(void *data, ngx_log_t *log);
static void ngx_pa_job_event_handler(ngx_event_t *ev);
static void ngx_pa_job_guard_handler(ngx_event_t *ev);
static void ngx_pa_bg_handler(void *data, ngx_log_t *log);
static void ngx_pa_bg_event_handler(ngx_event_t *ev);
static void ngx_pa_thread_task_handler(void *data, ngx_log_t *log);


/* this thread's policy was set (each pool thread sets its own once) */
static __thread ngx_uint_t  ngx_pa_thread_sched_set;
#endif


char *
ngx_pa_thread_pool_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
#if (NGX_THREADS)
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t  *value, sched;

    if (pmcf->thread_pool != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    pmcf->thread_sched = NGX_PA_SCHED_IDLE;

    if (cf->args->nelts == 3) {
        if (value[2].len <= 6
            || ngx_strncmp(value[2].data, "sched=", 6) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": expected "
                               "sched=idle|batch|normal", &value[2]);
            return NGX_CONF_ERROR;
        }

        sched.data = value[2].data + 6;
        sched.len = value[2].len - 6;

        if (sched.len == 4 && ngx_strncmp(sched.data, "idle", 4) == 0) {
            pmcf->thread_sched = NGX_PA_SCHED_IDLE;

        } else if (sched.len == 5
                   && ngx_strncmp(sched.data, "batch", 5) == 0)
        {
            pmcf->thread_sched = NGX_PA_SCHED_BATCH;

        } else if (sched.len == 6
                   && ngx_strncmp(sched.data, "normal", 6) == 0)
        {
            pmcf->thread_sched = NGX_PA_SCHED_NORMAL;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid \"sched\" value \"%V\": expected "
                               "idle, batch or normal", &sched);
            return NGX_CONF_ERROR;
        }
    }

#if !(NGX_LINUX)
    if (pmcf->thread_sched != NGX_PA_SCHED_NORMAL) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "sched=idle and sched=batch need Linux: the "
                           "threads keep the default policy");
        pmcf->thread_sched = NGX_PA_SCHED_NORMAL;
    }
#endif

    /* a name no thread_pool defines fails at init, as "aio threads=" does */

    pmcf->thread_pool = ngx_thread_pool_add(cf, &value[1]);
    if (pmcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"pa_thread_pool\" needs nginx built --with-threads");
    return NGX_CONF_ERROR;

#endif
}


char *
ngx_pa_worker_slice_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0) {
        pmcf->worker_slice = 0;
        return NGX_CONF_OK;
    }

    if (value[1].len != 5 || ngx_strncmp(value[1].data, "short", 5) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": expected short or off",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

#if (NGX_LINUX) && defined(SYS_sched_setattr)
    pmcf->worker_slice = NGX_PA_SLICE_SHORT;
#else
    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "\"pa_worker_slice short\" needs Linux: ignored");
#endif

    return NGX_CONF_OK;
}


ngx_int_t
ngx_pa_thread_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
#if (NGX_LINUX) && defined(SYS_sched_setattr)
    if (pmcf->worker_slice) {
        ngx_pa_worker_slice(cycle, pmcf->worker_slice);
    }
#endif

#if (NGX_THREADS)
    if (ngx_thread_mutex_create(&pmcf->worker.magic_mutex, cycle->log)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    pmcf->worker.magic_mutex_set = 1;
#endif

    return NGX_OK;
}


#if (NGX_LINUX) && defined(SYS_sched_setattr)

/*
 * The event loop's thread only: the pool's threads were made before
 * (thread_pool is a core module) and keep theirs.  A kernel without
 * custom slices takes the call and ignores the slice: harmless.
 */

static void
ngx_pa_worker_slice(ngx_cycle_t *cycle, ngx_uint_t us)
{
    ngx_pa_sched_attr_t  attr;

    ngx_memzero(&attr, sizeof(ngx_pa_sched_attr_t));

    attr.size = sizeof(ngx_pa_sched_attr_t);
    attr.policy = SCHED_OTHER;
    attr.nice = getpriority(PRIO_PROCESS, 0);    /* worker_priority */
    attr.runtime = (uint64_t) us * 1000;

    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, ngx_errno,
                      "pa: sched_setattr() of the event loop failed, "
                      "pa_worker_slice ignored");
    }
}

#endif


void
ngx_pa_thread_exit_worker(ngx_pa_main_conf_t *pmcf)
{
#if (NGX_THREADS)
    /* the thread pools (a core module) stopped their threads before us */

    if (pmcf->worker.magic_mutex_set) {
        (void) ngx_thread_mutex_destroy(&pmcf->worker.magic_mutex,
                                        ngx_cycle->log);
        pmcf->worker.magic_mutex_set = 0;
    }
#endif
}


/*
 * libmagic keeps per-cookie state (its error, its result buffer): the
 * worker's one cookie is used by one thread at a time.
 */

void
ngx_pa_magic_lock(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
#if (NGX_THREADS)
    if (pmcf->worker.magic_mutex_set) {
        (void) ngx_thread_mutex_lock(&pmcf->worker.magic_mutex, log);
    }
#endif
}


void
ngx_pa_magic_unlock(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
#if (NGX_THREADS)
    if (pmcf->worker.magic_mutex_set) {
        (void) ngx_thread_mutex_unlock(&pmcf->worker.magic_mutex, log);
    }
#endif
}


ngx_pa_job_t *
ngx_pa_job_create(ngx_http_request_t *r, ngx_pa_job_work_pt work,
    ngx_pa_job_done_pt done, void *data)
{
    ngx_log_t           *log;
    ngx_pa_job_t        *job;
    ngx_pool_cleanup_t  *cln;

    job = ngx_pcalloc(r->pool, sizeof(ngx_pa_job_t));
    if (job == NULL) {
        return NULL;
    }

    job->request = r;
    job->conf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    job->work = work;
    job->done = done;
    job->data = data;
    job->log = r->connection->log;

#if (NGX_THREADS)
    if (job->conf->thread_pool != NULL) {

        /*
         * The request's log handler reads the request: from a thread the
         * lines carry the connection number only.
         */

        log = ngx_palloc(r->pool, sizeof(ngx_log_t));
        if (log == NULL) {
            return NULL;
        }

        *log = *r->connection->log;
        log->handler = NULL;
        log->data = NULL;
        log->action = NULL;

        job->log = log;
        job->threaded = 1;
    }
#endif

    log = job->log;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    job->pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (job->pool == NULL) {
        return NULL;
    }

    cln->handler = ngx_pa_job_cleanup;
    cln->data = job;

    return job;
}


ngx_int_t
ngx_pa_job_run(ngx_pa_job_t *job)
{
#if (NGX_THREADS)
    ngx_http_request_t  *r;
    ngx_thread_task_t   *task;

    if (job->threaded) {
        r = job->request;

        task = job->task;

        if (task == NULL) {
            task = ngx_thread_task_alloc(r->pool, 0);
            if (task == NULL) {
                return NGX_ERROR;
            }

            task->ctx = job;
            task->handler = ngx_pa_job_handler;
            task->event.data = job;
            task->event.handler = ngx_pa_job_event_handler;

            job->task = task;
        }

        if (ngx_thread_task_post(job->conf->thread_pool, task) != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: cannot post to the thread pool");
            return NGX_BUSY;
        }

        r->main->count++;
        r->main->blocked++;

        /* (data: the connection, as nginx's timer debug lines read it) */

        job->guard.handler = ngx_pa_job_guard_handler;
        job->guard.data = r->connection;
        job->guard.log = r->connection->log;
        ngx_add_timer(&job->guard, NGX_PA_JOB_GUARD);

        /* a request's media work is under way: thumbnails wait for it */

        job->conf->worker.jobs++;
        job->conf->worker.jobs_last = ngx_current_msec;

        return NGX_AGAIN;
    }
#endif

    job->work(job);

    return NGX_OK;
}


static void
ngx_pa_job_cleanup(void *data)
{
    ngx_pa_job_t  *job = data;

#if (NGX_THREADS)
    /* (the work holds the request: it ends first, and its end drops it) */

    if (job->guard.timer_set) {
        ngx_del_timer(&job->guard);
    }
#endif

    ngx_destroy_pool(job->pool);
}


/*
 * At the end of each piece of our work in a pool thread: OpenSSL's state
 * of the thread (the DRBGs of RAND_bytes(), its error queue) is released
 * here, not by OpenSSL's thread-local destructor when the thread exits.
 * A worker that exits goes on once each pool thread has taken its exit
 * task (ngx_thread_pool_destroy()), not once the thread is gone, and
 * OpenSSL 3's OPENSSL_cleanup() (atexit) frees every thread's handlers
 * without taking its lock (init_thread_deregister(NULL, 1)): a thread
 * still in pthread_exit() freed them a second time ("attempting
 * double-free ... in thread T2", ASan, at a worker's exit; glibc aborts
 * on it).  What is released here is in no list OPENSSL_cleanup() walks;
 * the next RAND_bytes() of the thread makes its DRBG again (microseconds,
 * against milliseconds of media work).
 */

void
ngx_pa_thread_release(void)
{
    OPENSSL_thread_stop();
}


#if (NGX_THREADS)

/*
 * In a pool thread, before its first piece of our work: its policy
 * (pa_thread_pool sched=).  A thread of nginx's pool lives as long as its
 * worker, so once per thread is enough; a pool shared with "aio threads"
 * gets the policy too.
 */

static void
ngx_pa_thread_sched(ngx_pa_main_conf_t *pmcf, ngx_log_t *log)
{
#if (NGX_LINUX)
    int                 policy, err;
    struct sched_param  sp;

    if (ngx_pa_thread_sched_set) {
        return;
    }

    ngx_pa_thread_sched_set = 1;

    if (pmcf->thread_sched == NGX_PA_SCHED_NORMAL) {
        return;
    }

    policy = (pmcf->thread_sched == NGX_PA_SCHED_BATCH) ? SCHED_BATCH
                                                        : SCHED_IDLE;

    ngx_memzero(&sp, sizeof(struct sched_param));

    err = pthread_setschedparam(pthread_self(), policy, &sp);

    if (err != 0) {
        ngx_log_error(NGX_LOG_WARN, log, err,
                      "pa: pthread_setschedparam() of a pool thread "
                      "failed, it keeps its policy");
    }
#endif
}


typedef struct {
    ngx_pa_thread_run_pt   run;
    void                  *data;
} ngx_pa_thread_ctx_t;


ngx_thread_task_t *
ngx_pa_thread_task(ngx_pool_t *pool, ngx_pa_thread_run_pt run, void *data)
{
    ngx_thread_task_t    *task;
    ngx_pa_thread_ctx_t  *tc;

    task = ngx_thread_task_alloc(pool, sizeof(ngx_pa_thread_ctx_t));
    if (task == NULL) {
        return NULL;
    }

    tc = task->ctx;
    tc->run = run;
    tc->data = data;

    task->handler = ngx_pa_thread_task_handler;

    return task;
}


void
ngx_pa_thread_task_set(ngx_thread_task_t *task, ngx_pa_thread_run_pt run)
{
    ngx_pa_thread_ctx_t  *tc = task->ctx;

    tc->run = run;
}


static void
ngx_pa_thread_task_handler(void *data, ngx_log_t *log)
{
    ngx_pa_thread_ctx_t  *tc = data;

    tc->run(tc->data, log);

    ngx_pa_thread_release();
}


static void
ngx_pa_job_handler(void *data, ngx_log_t *log)
{
    ngx_pa_job_t  *job = data;

    ngx_pa_thread_sched(job->conf, job->log);

    job->work(job);

    ngx_pa_thread_release();
}


static void
ngx_pa_job_event_handler(ngx_event_t *ev)
{
    ngx_pa_job_t        *job;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    job = ev->data;
    r = job->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (job->guard.timer_set) {
        ngx_del_timer(&job->guard);
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, c->log, 0, "pa: thread job done");

    /* the reference taken when posting; the route's own one remains */

    r->main->blocked--;
    r->main->count--;

    job->conf->worker.jobs--;
    job->conf->worker.jobs_last = ngx_current_msec;

    if (c->error) {

        /*
         * Terminated meanwhile (a worker stopping, a timer): nginx set the
         * connection's error and waited for us; the request goes now,
         * whatever the route meant to do next.
         */

        ngx_http_finalize_request(r, NGX_ERROR);

    } else {
        job->done(r, job);
    }

    ngx_http_run_posted_requests(c);
}


/*
 * The work runs a minute and more (a big video's hash on a busy disk):
 * the worker keeps waiting for it, as for any request's timer
 */

static void
ngx_pa_job_guard_handler(ngx_event_t *ev)
{
    ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                  "pa: a request's thread work runs on after %M ms",
                  (ngx_msec_t) NGX_PA_JOB_GUARD);

    ngx_add_timer(ev, NGX_PA_JOB_GUARD);
}



static void
ngx_pa_bg_handler(void *data, ngx_log_t *log)
{
    ngx_pa_bg_t  *bg = data;

    ngx_pa_thread_sched(bg->conf, bg->log);

    bg->work(bg);

    ngx_pa_thread_release();
}


/* back on the event loop: nothing waits for it, it just goes */

static void
ngx_pa_bg_event_handler(ngx_event_t *ev)
{
    ngx_pa_bg_t  *bg = ev->data;

    if (bg->done != NULL) {
        bg->done(bg);
    }

    ngx_destroy_pool(bg->pool);
}

#endif


ngx_pa_bg_t *
ngx_pa_bg_create(ngx_pa_main_conf_t *pmcf, ngx_pa_bg_work_pt work)
{
    ngx_pool_t   *pool;
    ngx_pa_bg_t  *bg;

    /* small: thousands may wait in the thumbnails' lane after a burst */

    pool = ngx_create_pool(NGX_PA_BG_POOL_SIZE, ngx_cycle->log);
    if (pool == NULL) {
        return NULL;
    }

    bg = ngx_pcalloc(pool, sizeof(ngx_pa_bg_t));
    if (bg == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    bg->pool = pool;
    bg->log = ngx_cycle->log;
    bg->conf = pmcf;
    bg->work = work;

    return bg;
}


ngx_int_t
ngx_pa_bg_post(ngx_pa_bg_t *bg)
{
#if (NGX_THREADS)
    ngx_thread_task_t  *task;

    if (bg->conf->thread_pool != NULL) {
        task = ngx_thread_task_alloc(bg->pool, 0);
        if (task == NULL) {
            ngx_destroy_pool(bg->pool);
            return NGX_ERROR;
        }

        task->ctx = bg;
        task->handler = ngx_pa_bg_handler;
        task->event.data = bg;
        task->event.handler = ngx_pa_bg_event_handler;

        bg->task = task;

        if (ngx_thread_task_post(bg->conf->thread_pool, task) != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, bg->log, 0,
                          "pa: cannot post to the thread pool");
            ngx_destroy_pool(bg->pool);
            return NGX_ERROR;
        }

        return NGX_OK;
    }
#endif

    /* without a pool: on the event loop, once this round's events ran */

    bg->posted.data = bg;
    bg->posted.handler = ngx_pa_bg_inline;
    bg->posted.log = bg->log;

    ngx_post_event(&bg->posted, &ngx_posted_events);

    return NGX_OK;
}


static void
ngx_pa_bg_inline(ngx_event_t *ev)
{
    ngx_pa_bg_t  *bg = ev->data;

    bg->work(bg);

    if (bg->done != NULL) {
        bg->done(bg);
    }

    ngx_destroy_pool(bg->pool);
}
