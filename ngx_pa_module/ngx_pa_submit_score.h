/*
 * submit.lua's index scores, made by the worker (issue 12): the work
 * list's score of the report and each deadline's in the due index, as
 * text submit.lua passes straight to ZADD.  Their fraction grows with the
 * submission (lib/qscore.lua, submit.lua "index scores"), so they are
 * placed when the batch's call is assembled, where the report's place in
 * it is known (ngx_pa_batch.c).
 */

#ifndef NGX_PA_SUBMIT_SCORE_H
#define NGX_PA_SUBMIT_SCORE_H

#include "ngx_pa.h"


typedef struct {
    ngx_array_t   *args;        /* submit.lua's ARGV of the report */
    ngx_uint_t     due_at;      /* its first deadline pair "<id>|<step>" */
    ngx_uint_t     ndue;        /* the pairs: member, due -> its score */
    ngx_uint_t     q_at;        /* the work list's score, placed */
    time_t        *dues;        /* each deadline's due */
    time_t         qdue;        /* the one its work list's score files */
    time_t         now;
    ngx_uint_t     msec;        /* of now on the worker's clock, else 0 */
    unsigned       urgent:1;
    unsigned       merge:1;     /* to q:submitted, compat off */
    unsigned       has_qdue:1;
} ngx_pa_submit_score_t;


/*
 * sc's now, urgent and merge set, the deadline pairs (with their count
 * before them) the last of args from due_at: reads their dues, and with
 * merge takes out the nearest.  A report listed in q:submitted files no
 * due entry for the deadline its score there stands for (issue 12: one
 * index insert less a submit): sweep.lua finds it by that score.  Only
 * with pa_record_compat off: an earlier version's sweeper reads the due
 * index alone.
 */
ngx_int_t ngx_pa_submit_score_dues(ngx_http_request_t *r,
    ngx_pa_submit_score_t *sc, ngx_array_t *args, ngx_uint_t due_at);

/*
 * sc's dues read and msec set: pushes the work list's score's place
 * (ARGV's last but the hints' time to live).
 */
ngx_int_t ngx_pa_submit_score_args(ngx_pa_submit_score_t *sc,
    ngx_array_t *args);

/* the scores written into their places: the report is the batch's pos-th
 * (0 first); the text from pool (the call's) */
ngx_int_t ngx_pa_submit_score_place(void *data, ngx_uint_t pos,
    ngx_pool_t *pool);

#endif /* NGX_PA_SUBMIT_SCORE_H */
