/*
 * submit.lua's index scores, made by the worker (ngx_pa_submit_score.h).
 * The doubles are lib/qscore.lua's and submit.lua's within() of before
 * (ngx_pa_qscore.c), each written as the shortest text that reads back as
 * it: Redis stores the same score, so the order is the same.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_qscore.h"
#include "ngx_pa_submit_score.h"


static ngx_int_t ngx_pa_submit_score_put(ngx_str_t *slot, double d,
    ngx_pool_t *pool);


ngx_int_t
ngx_pa_submit_score_dues(ngx_http_request_t *r, ngx_pa_submit_score_t *sc,
    ngx_array_t *args, ngx_uint_t due_at)
{
    u_char      *p;
    ngx_str_t   *a;
    ngx_uint_t   i, near;

    a = args->elts;

    sc->args = args;
    sc->due_at = due_at;
    sc->ndue = (args->nelts - due_at) / 2;
    sc->has_qdue = 0;

    if (sc->ndue == 0) {
        return NGX_OK;
    }

    sc->dues = ngx_palloc(r->pool, sc->ndue * sizeof(time_t));
    if (sc->dues == NULL) {
        return NGX_ERROR;
    }

    near = 0;

    for (i = 0; i < sc->ndue; i++) {
        sc->dues[i] = ngx_atotm(a[due_at + 2 * i + 1].data,
                                a[due_at + 2 * i + 1].len);

        if (sc->dues[i] == NGX_ERROR) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "pa submit: a due time \"%V\" is not a number",
                          &a[due_at + 2 * i + 1]);
            return NGX_ERROR;
        }

        if (sc->dues[i] < sc->dues[near]) {
            near = i;
        }
    }

    if (!sc->merge) {
        return NGX_OK;
    }

    /* the nearest pair out (the pairs end args), the count one less */

    sc->qdue = sc->dues[near];
    sc->has_qdue = 1;
    sc->ndue--;

    for (i = near; i < sc->ndue; i++) {
        sc->dues[i] = sc->dues[i + 1];
        a[due_at + 2 * i] = a[due_at + 2 * i + 2];
        a[due_at + 2 * i + 1] = a[due_at + 2 * i + 3];
    }

    args->nelts -= 2;

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    a[due_at - 1].data = p;
    a[due_at - 1].len = ngx_sprintf(p, "%ui", sc->ndue) - p;

    return NGX_OK;
}


ngx_int_t
ngx_pa_submit_score_args(ngx_pa_submit_score_t *sc, ngx_array_t *args)
{
    /* the work list's score: placed with the batch */

    sc->q_at = args->nelts;

    return ngx_pa_arg_cstr(args, "");
}


ngx_int_t
ngx_pa_submit_score_place(void *data, ngx_uint_t pos, ngx_pool_t *pool)
{
    ngx_pa_submit_score_t *sc = data;

    double                 d;
    time_t                 due;
    ngx_str_t             *a;
    ngx_uint_t             i;
    ngx_pa_qscore_frac_t   f;

    a = sc->args->elts;

    /* the fraction grows with the submission: its microsecond, its place */

    ngx_pa_qscore_frac(sc->now, (uint64_t) sc->msec * 1000 + pos, &f);

    due = sc->has_qdue ? sc->qdue : 0;

    for (i = 0; i < sc->ndue; i++) {
        if ((i == 0 && !sc->has_qdue) || sc->dues[i] < due) {
            due = sc->dues[i];
        }

        /* many reports may share a deadline: the fraction of the minute */

        d = ngx_pa_qscore_within((double) sc->dues[i], f.period);

        if (ngx_pa_submit_score_put(&a[sc->due_at + 2 * i + 1], d, pool)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* urgent first, then the nearest deadline; none: by submission */

    d = ngx_pa_qscore_order(sc->urgent, sc->ndue || sc->has_qdue, due,
                            sc->now);
    d = ngx_pa_qscore_within(d, (sc->ndue || sc->has_qdue) ? f.period
                                                          : f.second);

    return ngx_pa_submit_score_put(&a[sc->q_at], d, pool);
}


static ngx_int_t
ngx_pa_submit_score_put(ngx_str_t *slot, double d, ngx_pool_t *pool)
{
    slot->data = ngx_pnalloc(pool, NGX_PA_QSCORE_LEN);
    if (slot->data == NULL) {
        return NGX_ERROR;
    }

    slot->len = ngx_pa_qscore_text(d, (char *) slot->data,
                                   NGX_PA_QSCORE_LEN);

    return slot->len ? NGX_OK : NGX_ERROR;
}
