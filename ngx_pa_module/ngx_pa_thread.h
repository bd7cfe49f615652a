/*
 * Work off the event loop: a job runs its file work (reading a body back,
 * writing media, SHA-256, libmagic, metadata, public copies) in the thread
 * pool named by pa_thread_pool, and its request resumes on the event loop
 * when the work is done.  Without pa_thread_pool the same work runs inline,
 * as it always did.
 *
 * What the work may touch in its thread: the job's own pool and log (made
 * on the event loop before posting; the log has no request handler, so no
 * request field is read from the thread), file descriptors, and data the
 * event loop leaves alone while the job runs.  Never the request, its pool
 * or its connection's log.
 */

#ifndef NGX_PA_THREAD_H
#define NGX_PA_THREAD_H

#include "ngx_pa.h"


typedef struct ngx_pa_job_s  ngx_pa_job_t;

/* the work: in a thread, or inline without a pool */
typedef void (*ngx_pa_job_work_pt)(ngx_pa_job_t *job);

/* back on the event loop, the request ready to go on */
typedef void (*ngx_pa_job_done_pt)(ngx_http_request_t *r, ngx_pa_job_t *job);

struct ngx_pa_job_s {
    ngx_http_request_t        *request;   /* event loop only */
    ngx_pool_t                *pool;      /* the work's own, freed with
                                             the request's pool */
    ngx_log_t                 *log;       /* safe to use from the work */
    ngx_pa_main_conf_t        *conf;      /* read only */
    ngx_pa_job_work_pt         work;
    ngx_pa_job_done_pt         done;
    void                      *data;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;      /* posted again for each run */

    /*
     * A timer nginx may not cancel while the work runs: a worker that
     * stops gracefully (reload, quit) waits for its requests' timers
     * only, and nginx drops the read timer of a body whose buffer is in
     * the work (an unbuffered body); without it the worker left an upload
     * mid-way, unanswered ("open socket left in connection").
     */
    ngx_event_t                guard;
#endif
    unsigned                   threaded:1;
};


/*
 * How the pool's threads are scheduled (pa_thread_pool ... sched=): idle
 * (SCHED_IDLE, the default) lets an event loop that wakes take the CPU
 * from the media work at once, so a worker's small requests do not wait
 * behind hashing and thumbnails on a machine with few cores.
 */
#define NGX_PA_SCHED_IDLE     0
#define NGX_PA_SCHED_NORMAL   1
#define NGX_PA_SCHED_BATCH    2


/* work of the worker that no request waits for (a thumbnail) */
typedef struct ngx_pa_bg_s  ngx_pa_bg_t;

typedef void (*ngx_pa_bg_work_pt)(ngx_pa_bg_t *bg);

/* back on the event loop once the work ran, before bg is freed */
typedef void (*ngx_pa_bg_done_pt)(ngx_pa_bg_t *bg);

struct ngx_pa_bg_s {
    ngx_pool_t                *pool;      /* its own, freed when done */
    ngx_log_t                 *log;       /* the cycle's */
    ngx_pa_main_conf_t        *conf;      /* read only */
    ngx_pa_bg_work_pt          work;
    ngx_pa_bg_done_pt          done;      /* or NULL */
    void                      *data;
    ngx_event_t                posted;    /* inline: after this round */
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif
};


/* pa_thread_pool <name> [sched=idle|batch|normal] (http{}) */
char *ngx_pa_thread_pool_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * pa_worker_slice off|short (http{}): "short" asks Linux (6.12 and
 * later, EEVDF) for the shortest time slice (0.1 ms) for the worker's
 * event loop, so that when it wakes it preempts a task of a longer slice
 * (the pool's threads, the machine's other work) instead of waiting for
 * it: its rounds are short, its waits are what a small request feels.
 */
char *ngx_pa_worker_slice_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * Called at the end of every piece of our work in a pool thread (a job, a
 * bg, the sweeper's file walks): OpenSSL's state of the thread released
 * before the thread may exit (ngx_pa_thread.c says why)
 */
void ngx_pa_thread_release(void);

#if (NGX_THREADS)

/* the work of a pool task of our own (the sweeper's file walks) */
typedef void (*ngx_pa_thread_run_pt)(void *data, ngx_log_t *log);

/*
 * A pool task whose handler runs run(data, log) and then
 * ngx_pa_thread_release(), so no such task can leave it out; the caller
 * sets task->event (done back on the event loop) and posts it with
 * ngx_thread_task_post().  NULL on no memory.
 */
ngx_thread_task_t *ngx_pa_thread_task(ngx_pool_t *pool,
    ngx_pa_thread_run_pt run, void *data);

/* the work the task runs from its next post on */
void ngx_pa_thread_task_set(ngx_thread_task_t *task,
    ngx_pa_thread_run_pt run);

#endif

/* the worker's libmagic lock (the cookie is one per worker) */
ngx_int_t ngx_pa_thread_init_worker(ngx_cycle_t *cycle,
    ngx_pa_main_conf_t *pmcf);
void ngx_pa_thread_exit_worker(ngx_pa_main_conf_t *pmcf);
void ngx_pa_magic_lock(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);
void ngx_pa_magic_unlock(ngx_pa_main_conf_t *pmcf, ngx_log_t *log);

/*
 * The worker's requests' jobs (ngx_pa_worker_t's jobs, jobs_last): one
 * posted to the pool counts until its request resumes.
 */

/*
 * A job for the request, its pool destroyed with the request's pool (the
 * pool's cleanups, temp files included, run then).  NULL on no memory.
 */
ngx_pa_job_t *ngx_pa_job_create(ngx_http_request_t *r, ngx_pa_job_work_pt work,
    ngx_pa_job_done_pt done, void *data);

/*
 * NGX_OK: no pool, the work ran inline and done() was NOT called (go on
 * from here).  NGX_AGAIN: posted, done() resumes the request later.
 * NGX_BUSY: the pool's queue is full (thread_pool max_queue; logged): a
 * load that passes, the client is told 503 and to try again.
 * NGX_ERROR: no memory.  A job may run again once done() was called (a
 * body walked piece by piece).
 */
ngx_int_t ngx_pa_job_run(ngx_pa_job_t *job);

/*
 * A task of its own pool (NULL on no memory): fill data from bg->pool,
 * then ngx_pa_bg_post().
 */
ngx_pa_bg_t *ngx_pa_bg_create(ngx_pa_main_conf_t *pmcf,
    ngx_pa_bg_work_pt work);

/*
 * Runs the work in the pool's thread, or without a pool on the event loop
 * once the events at hand (the answer being sent) are done; then frees
 * it.  NGX_ERROR: could not post (logged), bg freed, nothing done.
 */
ngx_int_t ngx_pa_bg_post(ngx_pa_bg_t *bg);

#endif /* NGX_PA_THREAD_H */
