/*
 * Revoked staff tokens: each worker's copy of the tenant's set, read
 * again every second (the admin's route is ngx_pa_admin.c), and the
 * node's recent revocations its workers share (ngx_pa_revoke_node.c).
 *
 * The copy is swapped whole: the reply's entries go into a fresh pool and
 * the old one is destroyed, so a check never sees half a list.  While
 * Redis does not answer the last copy stays in force (a revocation is
 * never forgotten by an outage; only new ones wait for Redis).
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_revoke_wait.h"
#include "ngx_pa_validate.h"


#define NGX_PA_REVOKE_EVERY   1000          /* ms between two reads */
#define NGX_PA_REVOKE_FIRST   50            /* ... until the first one */
#define NGX_PA_REVOKE_KEEP    (30 * 86400)  /* no pa_auth_max_ttl: 30 days */
#define NGX_PA_REVOKE_QUIET   5000          /* ms between two "not read" */


typedef struct {
    ngx_str_t                  name;       /* "jti:<jti>", "sub:<sub>" */
    time_t                     at;
} ngx_pa_revoked_t;


struct ngx_pa_revoker_s {
    ngx_pa_main_conf_t        *conf;
    ngx_log_t                 *log;
    ngx_event_t                timer;
    ngx_pa_call_t              call;
    ngx_pool_t                *call_pool;  /* the read in flight */
    ngx_pool_t                *pool;       /* holds the list */
    ngx_array_t               *list;       /* ngx_pa_revoked_t */
    ngx_queue_t                waiting;    /* requests until loaded */
    ngx_msec_t                 said;       /* the last "not read" line */
    ngx_uint_t                 unsaid;     /* failed reads since that line */
    unsigned                   loaded:1;   /* read from Redis once */
    unsigned                   failing:1;  /* the last read failed */
};


static void ngx_pa_revoke_tick(ngx_event_t *ev);
static void ngx_pa_revoke_read(ngx_pa_revoker_t *rv);
static void ngx_pa_revoke_on_list(ngx_pa_call_t *call, redisReply *reply);
static void ngx_pa_revoke_refused(ngx_pa_revoker_t *rv, redisReply *reply);
static ngx_int_t ngx_pa_revoke_add(ngx_pa_revoker_t *rv, ngx_str_t *name,
    time_t at);


ngx_int_t
ngx_pa_revoke_init_worker(ngx_cycle_t *cycle, ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_revoker_t  *rv;

    if (pmcf->auth_secret.len == 0) {
        return NGX_OK;
    }

    rv = ngx_pcalloc(cycle->pool, sizeof(ngx_pa_revoker_t));
    if (rv == NULL) {
        return NGX_ERROR;
    }

    rv->conf = pmcf;
    rv->log = cycle->log;

    rv->timer.handler = ngx_pa_revoke_tick;
    rv->timer.data = rv;
    rv->timer.log = cycle->log;
    rv->timer.cancelable = 1;

    ngx_queue_init(&rv->waiting);

    pmcf->worker.revoker = rv;

    ngx_add_timer(&rv->timer, 1);

    return NGX_OK;
}


void
ngx_pa_revoke_exit_worker(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_revoker_t  *rv;

    rv = pmcf->worker.revoker;
    if (rv == NULL) {
        return;
    }

    if (rv->timer.timer_set) {
        ngx_del_timer(&rv->timer);
    }

    ngx_pa_call_cancel(&rv->call);

    if (rv->call_pool != NULL) {
        ngx_destroy_pool(rv->call_pool);
        rv->call_pool = NULL;
    }

    if (rv->pool != NULL) {
        ngx_destroy_pool(rv->pool);
        rv->pool = NULL;
    }

    pmcf->worker.revoker = NULL;
}


ngx_queue_t *
ngx_pa_revoke_waiting(ngx_pa_main_conf_t *pmcf)
{
    ngx_pa_revoker_t  *rv;

    rv = pmcf->worker.revoker;

    /* no pa_auth_secret_file (no token verifies), or read once */

    if (rv == NULL || rv->loaded) {
        return NULL;
    }

    return &rv->waiting;
}


time_t
ngx_pa_revoke_keep(ngx_pa_main_conf_t *pmcf)
{
    return pmcf->auth_max_ttl > 0 ? pmcf->auth_max_ttl : NGX_PA_REVOKE_KEEP;
}


ngx_int_t
ngx_pa_revoke_check(ngx_pa_main_conf_t *pmcf, ngx_str_t *jti,
    ngx_str_t *sub, time_t iat)
{
    ngx_uint_t          i;
    ngx_pa_revoked_t   *e;
    ngx_pa_revoker_t   *rv;

    rv = pmcf->worker.revoker;

    if (rv != NULL && rv->list != NULL) {
        e = rv->list->elts;

        for (i = 0; i < rv->list->nelts; i++) {
            if (ngx_pa_revoke_match(&e[i].name, e[i].at, jti, sub, iat)) {
                return NGX_DECLINED;
            }
        }
    }

    /* revoked through another worker of this node since our last read */

    return ngx_pa_revoke_node_check(pmcf, jti, sub, iat);
}


static void
ngx_pa_revoke_tick(ngx_event_t *ev)
{
    ngx_pa_revoker_t  *rv = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    /* a read still in flight: this tick is skipped, not queued */

    if (rv->call.cmd == NULL && rv->call_pool == NULL) {
        ngx_pa_revoke_read(rv);
    }

    /* a fresh worker learns the revocations as soon as Redis answers */

    if (!rv->timer.timer_set) {
        ngx_add_timer(&rv->timer, rv->loaded ? NGX_PA_REVOKE_EVERY
                                             : NGX_PA_REVOKE_FIRST);
    }
}


/* ZRANGE pa:{t}:revoked 0 -1 WITHSCORES */

static void
ngx_pa_revoke_read(ngx_pa_revoker_t *rv)
{
    u_char      *key;
    size_t       argvlen[5];
    ngx_pool_t  *pool;
    const char  *argv[5];

    pool = ngx_create_pool(1024, rv->log);
    if (pool == NULL) {
        return;
    }

    key = ngx_pnalloc(pool, rv->conf->key_prefix.len + sizeof("revoked"));
    if (key == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    ngx_sprintf(key, "%Vrevoked%Z", &rv->conf->key_prefix);

    argv[0] = "ZRANGE";
    argv[1] = (char *) key;
    argv[2] = "0";
    argv[3] = "-1";
    argv[4] = "WITHSCORES";

    argvlen[0] = 6;
    argvlen[1] = ngx_strlen(key);
    argvlen[2] = 1;
    argvlen[3] = 2;
    argvlen[4] = 10;

    ngx_pa_call_init(&rv->call, rv->conf, pool, rv->log);
    rv->call.background = 1;

    if (ngx_pa_call_command(&rv->call, 5, argv, argvlen) != NGX_OK
        || ngx_pa_call_send(&rv->call, ngx_pa_revoke_on_list, rv) != NGX_OK)
    {
        /* Redis not reachable now: the copy in force stays */
        ngx_destroy_pool(pool);
        return;
    }

    rv->call_pool = pool;
}


static void
ngx_pa_revoke_on_list(ngx_pa_call_t *call, redisReply *reply)
{
    ngx_pa_revoker_t  *rv = call->data;

    size_t        i;
    ngx_str_t     name;
    ngx_pool_t   *old_pool;
    ngx_array_t  *old_list;

    if (rv->call_pool != NULL) {
        ngx_destroy_pool(rv->call_pool);
        rv->call_pool = NULL;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements % 2)
    {
        if (reply && reply->type == REDIS_REPLY_ERROR) {
            ngx_pa_revoke_refused(rv, reply);
        }

        return;
    }

    if (rv->failing) {
        ngx_log_error(NGX_LOG_NOTICE, rv->log, 0,
                      "pa: revoked tokens read again (after %ui more failed "
                      "attempts)", rv->unsaid);
        rv->failing = 0;
        rv->unsaid = 0;
    }

    old_pool = rv->pool;
    old_list = rv->list;

    rv->pool = ngx_create_pool(1024, rv->log);
    rv->list = rv->pool ? ngx_array_create(rv->pool, reply->elements / 2 + 1,
                                           sizeof(ngx_pa_revoked_t))
                        : NULL;

    if (rv->list == NULL) {
        goto failed;
    }

    for (i = 0; i + 1 < reply->elements; i += 2) {
        name.data = (u_char *) reply->element[i]->str;
        name.len = reply->element[i]->len;

        if (reply->element[i]->type != REDIS_REPLY_STRING
            || reply->element[i + 1]->type != REDIS_REPLY_STRING
            || ngx_pa_revoke_add(rv, &name,
                                 (time_t) ngx_atotm(
                                     (u_char *) reply->element[i + 1]->str,
                                     reply->element[i + 1]->len))
               != NGX_OK)
        {
            goto failed;
        }
    }

    if (old_pool != NULL) {
        ngx_destroy_pool(old_pool);
    }

    if (!rv->loaded) {
        rv->loaded = 1;

        ngx_log_error(NGX_LOG_INFO, rv->log, 0,
                      "pa: revoked tokens read, %ui in force",
                      rv->list->nelts);

        ngx_pa_revoke_wake(&rv->waiting);
    }

    return;

failed:

    ngx_log_error(NGX_LOG_ERR, rv->log, 0,
                  "pa: revoked tokens: unexpected answer, the copy in "
                  "force stays");

    if (rv->pool != NULL) {
        ngx_destroy_pool(rv->pool);
    }

    rv->pool = old_pool;
    rv->list = old_list;
}


/*
 * Redis answers the read with an error (LOADING while it starts, a
 * NOPERM of its ACL, a key of another type): the first is logged, then
 * one line every few seconds with how many failed since, not one per
 * read: a fresh worker tries every NGX_PA_REVOKE_FIRST ms, 20 a second,
 * so that its parked requests go on as soon as Redis answers.
 */

static void
ngx_pa_revoke_refused(ngx_pa_revoker_t *rv, redisReply *reply)
{
    if (rv->failing
        && ngx_current_msec - rv->said < NGX_PA_REVOKE_QUIET)
    {
        rv->unsaid++;
        return;
    }

    if (!rv->failing) {
        ngx_log_error(NGX_LOG_ERR, rv->log, 0,
                      "pa: revoked tokens not read: %*s",
                      (size_t) reply->len, reply->str);

    } else {
        ngx_log_error(NGX_LOG_ERR, rv->log, 0,
                      "pa: revoked tokens not read: %*s (%ui attempts failed "
                      "since the last line)",
                      (size_t) reply->len, reply->str, rv->unsaid + 1);
    }

    rv->failing = 1;
    rv->said = ngx_current_msec;
    rv->unsaid = 0;
}


static ngx_int_t
ngx_pa_revoke_add(ngx_pa_revoker_t *rv, ngx_str_t *name, time_t at)
{
    ngx_pa_revoked_t  *e;

    if (at == NGX_ERROR || name->len <= 4) {
        return NGX_ERROR;
    }

    if (rv->list == NULL) {

        /* a revocation made here before the first read came back */

        rv->pool = ngx_create_pool(1024, rv->log);
        if (rv->pool == NULL) {
            return NGX_ERROR;
        }

        rv->list = ngx_array_create(rv->pool, 4, sizeof(ngx_pa_revoked_t));
        if (rv->list == NULL) {
            return NGX_ERROR;
        }
    }

    e = ngx_array_push(rv->list);
    if (e == NULL) {
        return NGX_ERROR;
    }

    e->at = at;
    e->name.len = name->len;
    e->name.data = ngx_pstrdup(rv->pool, name);

    return e->name.data ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_pa_revoke_note(ngx_pa_main_conf_t *pmcf, ngx_str_t *name, time_t at)
{
    ngx_pa_revoker_t  *rv;

    /* the node's other workers at once too */
    ngx_pa_revoke_node_add(pmcf, name, at);

    rv = pmcf->worker.revoker;

    if (rv == NULL) {
        return NGX_OK;
    }

    return ngx_pa_revoke_add(rv, name, at);
}
