/*
 * WAIT after a write (see the header).
 *
 * WAIT counts the replicas that hold everything this connection wrote so
 * far, so it is sent on the same connection, after the write's reply.
 * That reply is freed by hiredis when its callback returns: it is copied
 * into the caller's pool until WAIT answers.
 *
 * The price: WAIT blocks the worker's connection in Redis until the
 * replicas answer (a round trip on a healthy set-up) or wait_timeout
 * passes (no replica), and every call pipelined behind it waits too.
 */

#include "ngx_pa.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_wait.h"


typedef struct {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_str_t                 *what;
    redisReply                *reply;      /* the write's, copied */
    ngx_pa_redis_handler_pt    done;
    void                      *data;
} ngx_pa_wait_t;


static redisReply *ngx_pa_wait_copy(ngx_pool_t *pool, redisReply *reply,
    ngx_uint_t depth);
static void ngx_pa_wait_reply(void *data, redisReply *reply);


ngx_int_t
ngx_pa_wait(ngx_pa_main_conf_t *pmcf, redisReply *reply, ngx_str_t *what,
    ngx_pool_t *pool, ngx_log_t *log, ngx_pa_redis_handler_pt done,
    void *data, ngx_pa_redis_cmd_t **cmd)
{
    u_char          n[NGX_INT_T_LEN], t[NGX_INT_T_LEN];
    size_t          argvlen[3];
    const char     *argv[3];
    ngx_pa_wait_t  *w;

    w = ngx_palloc(pool, sizeof(ngx_pa_wait_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->conf = pmcf;
    w->log = log;
    w->what = what;
    w->done = done;
    w->data = data;
    w->reply = ngx_pa_wait_copy(pool, reply, 0);

    if (w->reply == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: the reply of \"%V\" could not be kept for "
                      "WAIT", what);
        return NGX_ERROR;
    }

    argv[0] = "WAIT";
    argvlen[0] = 4;
    argv[1] = (const char *) n;
    argvlen[1] = ngx_sprintf(n, "%ui", pmcf->redis_wait) - n;
    argv[2] = (const char *) t;
    argvlen[2] = ngx_sprintf(t, "%M", pmcf->redis_wait_timeout) - t;

    /* hiredis formats argv at once: the stack is fine */

    *cmd = ngx_pa_redis_command(pmcf->worker.redis, 3, argv, argvlen,
                                ngx_pa_wait_reply, w, log);

    if (*cmd == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa redis: WAIT not sent after \"%V\": answered as "
                      "not replicated", what);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_pa_wait_reply(void *data, redisReply *reply)
{
    ngx_pa_wait_t  *w = data;

    if (reply != NULL && reply->type == REDIS_REPLY_INTEGER
        && reply->integer >= (long long) w->conf->redis_wait)
    {
        w->done(w->data, w->reply);
        return;
    }

    /*
     * The write is on the primary only: a failover now could lose it.
     * The caller answers 503 and Retry-After; the idempotent retry finds
     * what was written and is acknowledged once a replica caught up.
     */

    if (reply != NULL && reply->type == REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, w->log, 0,
                      "pa redis: \"%V\" held by %L of %ui replicas after "
                      "%M ms, answered 503", w->what,
                      (int64_t) reply->integer, w->conf->redis_wait,
                      w->conf->redis_wait_timeout);

    } else if (reply != NULL) {
        ngx_log_error(NGX_LOG_ERR, w->log, 0,
                      "pa redis: WAIT after \"%V\" failed: %*s", w->what,
                      (size_t) reply->len, reply->str);
    }

    w->done(w->data, NULL);
}


/* the handlers read type, integer, str/len and elements: those are kept */

static redisReply *
ngx_pa_wait_copy(ngx_pool_t *pool, redisReply *reply, ngx_uint_t depth)
{
    size_t       i;
    redisReply  *copy;

    if (depth > 8) {
        return NULL;            /* no script of ours nests this deep */
    }

    copy = ngx_pcalloc(pool, sizeof(redisReply));
    if (copy == NULL) {
        return NULL;
    }

    copy->type = reply->type;
    copy->integer = reply->integer;

    if (reply->str != NULL) {
        copy->str = ngx_pnalloc(pool, reply->len + 1);
        if (copy->str == NULL) {
            return NULL;
        }

        ngx_memcpy(copy->str, reply->str, reply->len);
        copy->str[reply->len] = '\0';
        copy->len = reply->len;
    }

    if (reply->elements) {
        copy->element = ngx_palloc(pool,
                                   reply->elements * sizeof(redisReply *));
        if (copy->element == NULL) {
            return NULL;
        }

        for (i = 0; i < reply->elements; i++) {
            copy->element[i] = ngx_pa_wait_copy(pool, reply->element[i],
                                                depth + 1);
            if (copy->element[i] == NULL) {
                return NULL;
            }
        }

        copy->elements = reply->elements;
    }

    return copy;
}
