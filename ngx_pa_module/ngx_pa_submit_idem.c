/*
 * The report id from the idempotency key, and the retry's proof
 * (ngx_pa_submit_idem.h).  With pa_record_compat off a retry within a
 * day is found by the ids themselves: the batch's one EXISTS on the
 * reports' keys already reads them, where the day's key of its own with
 * the 201 cost Redis ~19k instructions a report (issue 12).  With it on
 * (the default) that key is kept, as older nodes need it, and nothing
 * more is stored; the ids are derived all the same, so a node turned off
 * finds those reports too.  The ids stay no secret (the 409 of a
 * duplicate names one); the key's hash is one-way.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_crypto.h"
#include "ngx_pa_submit_idem.h"

#include <openssl/sha.h>


#define NGX_PA_TOKEN_BYTES    32
#define NGX_PA_SUBMIT_ID_LEN  (sizeof("YYMMDD-XXXXXXXX") - 1)


static ngx_int_t ngx_pa_submit_idem_id(ngx_http_request_t *r,
    ngx_pa_main_conf_t *pmcf, time_t t, ngx_str_t *idem,
    ngx_uint_t attempt, u_char *p);


ngx_int_t
ngx_pa_submit_idem_ids(ngx_http_request_t *r, time_t now, ngx_str_t *idem,
    ngx_uint_t attempt, ngx_str_t *id, ngx_str_t *yesterday)
{
    u_char              *p;
    ngx_str_t           *test;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    p = ngx_pnalloc(r->pool, 2 * NGX_PA_SUBMIT_ID_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (ngx_pa_submit_idem_id(r, pmcf, now, idem, attempt, p) != NGX_OK
        || ngx_pa_submit_idem_id(r, pmcf, now - 86400, idem, attempt,
                                 p + NGX_PA_SUBMIT_ID_LEN)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    id->data = p;
    id->len = NGX_PA_SUBMIT_ID_LEN;
    yesterday->data = p + NGX_PA_SUBMIT_ID_LEN;
    yesterday->len = NGX_PA_SUBMIT_ID_LEN;

    test = pmcf->test_clock ? ngx_pa_header(r, "X-PA-Test-Id") : NULL;

    if (test != NULL && attempt == 0 && ngx_pa_id_ok(test)) {

        /* tests only (pa_test_clock): a known id, static test steps */
        *id = *test;
    }

    return NGX_OK;
}


/*
 * "261124-K7M2QX4T": the local date of t, then 40 bits of the HMAC of the
 * key, the attempt and that date.  The date is in the HMAC so that one
 * key's ids of two days share nothing: the public sees report ids, and
 * equal characters would tell that two reports came from one phone.
 */

static ngx_int_t
ngx_pa_submit_idem_id(ngx_http_request_t *r, ngx_pa_main_conf_t *pmcf,
    time_t t, ngx_str_t *idem, ngx_uint_t attempt, u_char *p)
{
    int                rc;
    u_char            *msg, *last;
    uint64_t           bits;
    ngx_tm_t           tm;
    ngx_uint_t         i;
    u_char             md[SHA256_DIGEST_LENGTH];
    static const char  alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    ngx_gmtime(t + pmcf->utc_offset, &tm);

    (void) ngx_sprintf(p, "%02d%02d%02d-", tm.ngx_tm_year % 100,
                       tm.ngx_tm_mon, tm.ngx_tm_mday);

    msg = ngx_pnalloc(r->pool, sizeof("pa-report-id\n\n\n\nYYMMDD") - 1
                               + pmcf->tenant.len + idem->len + NGX_INT_T_LEN);
    if (msg == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(msg, "pa-report-id\n%V\n%V\n%ui\n%*s", &pmcf->tenant,
                       idem, attempt, (size_t) 6, p);

    rc = pmcf->auth_secret.len
         ? ngx_pa_crypto_hmac(pmcf->worker.crypto, pmcf->auth_secret.data,
                              pmcf->auth_secret.len, msg, last - msg, md)
         : ngx_pa_crypto_sha256(pmcf->worker.crypto, msg, last - msg, md);

    if (rc != 0) {
        return NGX_ERROR;
    }

    bits = 0;
    for (i = 0; i < 5; i++) {
        bits = (bits << 8) | md[i];
    }

    for (i = 0; i < 8; i++) {
        p[7 + i] = alphabet[(bits >> (35 - i * 5)) & 31];
    }

    return NGX_OK;
}


ngx_int_t
ngx_pa_submit_idem_arg(ngx_pool_t *pool, ngx_str_t *idem, ngx_str_t *print,
    ngx_str_t *arg)
{
    u_char  *p;
    size_t   half;

    half = NGX_PA_SUBMIT_IK_LEN / 2;

    if (idem->len < half || print->len < half) {
        return NGX_ERROR;
    }

    arg->len = NGX_PA_SUBMIT_IK_LEN;
    arg->data = ngx_pnalloc(pool, arg->len);
    if (arg->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(arg->data, idem->data, half);
    (void) ngx_cpymem(p, print->data, half);

    return NGX_OK;
}


ngx_int_t
ngx_pa_submit_idem_seen(redisReply *reply, ngx_str_t *print,
    ngx_pa_submit_idem_seen_t *seen)
{
    size_t       half;
    ngx_int_t    at;
    ngx_uint_t   i;
    redisReply  *e;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) {
        return NGX_DECLINED;
    }

    for (i = 0; i < 4; i++) {
        if (reply->element[i]->type != REDIS_REPLY_STRING) {
            return NGX_DECLINED;
        }
    }

    e = reply->element[0];

    if (e->len != 6 || ngx_strncmp(e->str, "replay", 6) != 0) {
        return NGX_DECLINED;
    }

    e = reply->element[2];
    at = ngx_atoi((u_char *) e->str, e->len);

    e = reply->element[3];
    half = e->len / 2;

    if (at == NGX_ERROR
        || (e->len != 0 && e->len != NGX_PA_SUBMIT_IK_LEN
            && e->len != 2 * NGX_PA_SUBMIT_IK_LEN)
        || print->len < half)
    {
        return NGX_DECLINED;
    }

    seen->yesterday = (reply->element[1]->len == 1
                       && reply->element[1]->str[0] == '1');
    seen->created_at = at;

    /* no ik: stored with pa_record_compat on, the print unchecked (.h) */

    seen->same = (half == 0
                  || ngx_strncmp(e->str + half, print->data, half) == 0);

    return NGX_OK;
}


/* the reporter's access token, derived as the id is (.h) */

ngx_int_t
ngx_pa_submit_idem_token(ngx_http_request_t *r, ngx_str_t *idem,
    ngx_str_t *id, ngx_str_t *token)
{
    u_char              *msg, *p;
    ngx_str_t            raw, secret, *test;
    ngx_pa_main_conf_t  *pmcf;
    u_char               md[NGX_PA_TOKEN_BYTES];

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    test = ngx_pa_submit_idem_test_token(r);

    if (test != NULL) {
        *token = *test;
        return NGX_OK;
    }

    if (pmcf->auth_secret.len == 0) {

        /* no secret to derive it from: random, a retry gets another */

        if (ngx_pa_crypto_random(pmcf->worker.crypto, md, NGX_PA_TOKEN_BYTES)
            != 0)
        {
            return NGX_ERROR;
        }

    } else {
        msg = ngx_pnalloc(r->pool, sizeof("pa-report-token\n\n\n") - 1
                                   + pmcf->tenant.len + idem->len
                                   + id->len);
        if (msg == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(msg, "pa-report-token\n%V\n%V\n%V", &pmcf->tenant,
                        idem, id);

        if (ngx_pa_crypto_hmac(pmcf->worker.crypto, pmcf->auth_secret.data,
                               pmcf->auth_secret.len, msg, p - msg, md)
            != 0)
        {
            return NGX_ERROR;
        }
    }

    raw.len = NGX_PA_TOKEN_BYTES;
    raw.data = md;

    /* "<id>~<secret part>": Open311's tokens/{token} finds the report */

    p = ngx_pnalloc(r->pool, id->len + 1
                             + ngx_base64_encoded_length(NGX_PA_TOKEN_BYTES));
    if (p == NULL) {
        return NGX_ERROR;
    }

    token->data = p;
    p = ngx_cpymem(p, id->data, id->len);
    *p++ = '~';

    secret.data = p;
    ngx_encode_base64url(&secret, &raw);

    token->len = id->len + 1 + secret.len;

    return NGX_OK;
}


ngx_str_t *
ngx_pa_submit_idem_test_token(ngx_http_request_t *r)
{
    ngx_str_t           *test;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    test = pmcf->test_clock ? ngx_pa_header(r, "X-PA-Test-Token") : NULL;

    if (test == NULL || test->len < 16 || test->len > 64) {
        return NULL;
    }

    return test;
}
