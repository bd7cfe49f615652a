/*
 * "pa_open311_keys <file>;": the API keys the IOC's operators issued to
 * Open311 clients (FixMyStreet, city apps).  One client a line:
 *
 *     # key                              client        rate
 *     fms-2f9c0d6b1e8a4c7d9e0f1a2b3c4d   fixmystreet   60r/m
 *
 * key: 16..128 visible ASCII characters; client: [A-Za-z0-9_.-], 1..64,
 * names the client's requests in Redis (so a key can be replaced without
 * the client losing them); rate: N r/s, r/m or r/h, with a burst of N (a
 * client may send N requests at once, then one each 1/N of the period):
 * the client's POSTs counted in Redis by limit.lua, shared by every node.
 * A key is checked on POST (403 without a valid one) and names whose
 * requests GET requests and servicerequestupdates show beyond the
 * published ones.
 */

#include "ngx_pa.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_open311_keys.h"
#include "ngx_pa_open311_out.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_redis.h"


#define NGX_PA_O311_KEY_MIN      16
#define NGX_PA_O311_KEY_MAX      128
#define NGX_PA_O311_CLIENT_MAX   64
#define NGX_PA_O311_KEYS_FILE    (64 * 1024)


struct ngx_pa_o311_keys_s {
    ngx_array_t    clients;        /* ngx_pa_o311_client_t */
    ngx_str_t      file;
};


static char *ngx_pa_o311_keys_line(ngx_conf_t *cf, ngx_pa_o311_keys_t *keys,
    ngx_str_t *word, ngx_uint_t line);
static ngx_int_t ngx_pa_o311_keys_read(ngx_conf_t *cf, ngx_str_t *file,
    ngx_str_t *text);
static ngx_uint_t ngx_pa_o311_keys_words(u_char *p, u_char *eol,
    ngx_str_t *word);
static ngx_int_t ngx_pa_o311_rate(ngx_conf_t *cf, ngx_str_t *rate,
    ngx_pa_o311_client_t *c);


char *
ngx_pa_open311_keys_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t  *pmcf = conf;

    char                *rv;
    u_char              *buf, *p, *last, *eol;
    ngx_str_t           *value, text, word[4];
    ngx_uint_t           line, nw;
    ngx_pa_o311_keys_t  *keys;

    if (pmcf->open311 != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    keys = ngx_pcalloc(cf->pool, sizeof(ngx_pa_o311_keys_t));
    if (keys == NULL
        || ngx_array_init(&keys->clients, cf->pool, 4,
                          sizeof(ngx_pa_o311_client_t))
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    keys->file = value[1];

    if (ngx_pa_conf_path(cf, &keys->file) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_o311_keys_read(cf, &keys->file, &text) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    buf = text.data;
    last = buf + text.len;
    line = 0;

    for (p = buf; p < last; p = eol + 1) {
        line++;

        eol = ngx_strlchr(p, last, '\n');
        if (eol == NULL) {
            eol = last;
        }

        nw = ngx_pa_o311_keys_words(p, eol, word);

        if (nw == 0) {
            continue;
        }

        if (nw != 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_open311_keys \"%V\" line %ui: "
                               "\"<key> <client> <rate>\" expected",
                               &keys->file, line);
            return NGX_CONF_ERROR;
        }

        rv = ngx_pa_o311_keys_line(cf, keys, word, line);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    if (keys->clients.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_open311_keys \"%V\": no key in it",
                           &keys->file);
        return NGX_CONF_ERROR;
    }

    pmcf->open311 = keys;

    return NGX_CONF_OK;
}


/* the keys file, whole */

static ngx_int_t
ngx_pa_o311_keys_read(ngx_conf_t *cf, ngx_str_t *file, ngx_str_t *text)
{
    u_char           *buf;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_info_t   fi;

    fd = ngx_open_file(file->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", file);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > NGX_PA_O311_KEYS_FILE)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_open311_keys \"%V\": unreadable, or larger "
                           "than 64k", file);
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    buf = ngx_pnalloc(cf->pool, (size_t) ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    n = ngx_read_fd(fd, buf, (size_t) ngx_file_size(&fi));
    (void) ngx_close_file(fd);

    if (n != (ssize_t) ngx_file_size(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "pa_open311_keys \"%V\": cannot read it",
                           file);
        return NGX_ERROR;
    }

    text->data = buf;
    text->len = n;

    return NGX_OK;
}


/*
 * A line's words, separated by blanks; "#" starts a comment.  More than
 * four: five (the line is wrong either way).
 */

static ngx_uint_t
ngx_pa_o311_keys_words(u_char *p, u_char *eol, ngx_str_t *word)
{
    ngx_uint_t  nw;

    nw = 0;

    while (p < eol && *p != '#') {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
            continue;
        }

        if (nw == 4) {
            nw++;
            break;
        }

        word[nw].data = p;

        while (p < eol && *p != ' ' && *p != '\t' && *p != '\r'
               && *p != '#')
        {
            p++;
        }

        word[nw].len = p - word[nw].data;
        nw++;
    }

    return nw;
}


static char *
ngx_pa_o311_keys_line(ngx_conf_t *cf, ngx_pa_o311_keys_t *keys,
    ngx_str_t *word, ngx_uint_t line)
{
    u_char                *p;
    ngx_uint_t             i;
    ngx_pa_o311_client_t  *c;

    c = keys->clients.elts;

    for (p = word[0].data; p < word[0].data + word[0].len; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            break;
        }
    }

    if (word[0].len < NGX_PA_O311_KEY_MIN || word[0].len > NGX_PA_O311_KEY_MAX
        || p != word[0].data + word[0].len)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_open311_keys \"%V\" line %ui: a key is 16 to "
                           "128 visible ASCII characters", &keys->file, line);
        return NGX_CONF_ERROR;
    }

    for (p = word[1].data; p < word[1].data + word[1].len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'
              || *p == '-'))
        {
            break;
        }
    }

    if (word[1].len > NGX_PA_O311_CLIENT_MAX
        || p != word[1].data + word[1].len)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_open311_keys \"%V\" line %ui: a client name "
                           "is 1 to 64 of [A-Za-z0-9_.-]", &keys->file, line);
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < keys->clients.nelts; i++) {
        if (c[i].key.len == word[0].len
            && ngx_strncmp(c[i].key.data, word[0].data, word[0].len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "pa_open311_keys \"%V\" line %ui: the key is "
                               "given twice", &keys->file, line);
            return NGX_CONF_ERROR;
        }
    }

    c = ngx_array_push(&keys->clients);
    if (c == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(c, sizeof(ngx_pa_o311_client_t));

    c->key = word[0];
    c->client = word[1];

    if (ngx_pa_o311_rate(cf, &word[2], c) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_open311_keys \"%V\" line %ui: a rate is "
                           "N r/s, r/m or r/h (\"60r/m\")", &keys->file,
                           line);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* "60r/m": 60 at once, then one a second (limit.lua's GCRA, microseconds) */

static ngx_int_t
ngx_pa_o311_rate(ngx_conf_t *cf, ngx_str_t *rate, ngx_pa_o311_client_t *c)
{
    ngx_int_t   n;
    uint64_t    period, interval;

    if (rate->len < 4
        || ngx_strncmp(rate->data + rate->len - 3, "r/", 2) != 0)
    {
        return NGX_ERROR;
    }

    switch (rate->data[rate->len - 1]) {
    case 's':
        period = 1000000;
        break;
    case 'm':
        period = 60 * 1000000ULL;
        break;
    case 'h':
        period = 3600 * 1000000ULL;
        break;
    default:
        return NGX_ERROR;
    }

    n = ngx_atoi(rate->data, rate->len - 3);

    if (n < 1 || n > 100000) {
        return NGX_ERROR;
    }

    interval = period / n;

    c->arg_interval.data = ngx_pnalloc(cf->pool, NGX_INT64_LEN);
    c->arg_tolerance.data = ngx_pnalloc(cf->pool, NGX_INT64_LEN);

    if (c->arg_interval.data == NULL || c->arg_tolerance.data == NULL) {
        return NGX_ERROR;
    }

    c->arg_interval.len = ngx_sprintf(c->arg_interval.data, "%uL", interval)
                          - c->arg_interval.data;
    c->arg_tolerance.len = ngx_sprintf(c->arg_tolerance.data, "%uL",
                                       interval * (n - 1))
                           - c->arg_tolerance.data;

    return NGX_OK;
}


ngx_pa_o311_client_t *
ngx_pa_open311_client(ngx_pa_main_conf_t *pmcf, ngx_str_t *key)
{
    u_char                diff;
    ngx_uint_t            i, k;
    ngx_pa_o311_keys_t   *keys;
    ngx_pa_o311_client_t *c;

    keys = pmcf->open311;

    if (keys == NULL || key->len == 0) {
        return NULL;
    }

    c = keys->clients.elts;

    for (i = 0; i < keys->clients.nelts; i++) {
        if (c[i].key.len != key->len) {
            continue;
        }

        /* compared in constant time: the key is a secret */

        diff = 0;

        for (k = 0; k < key->len; k++) {
            diff |= c[i].key.data[k] ^ key->data[k];
        }

        if (diff == 0) {
            return &c[i];
        }
    }

    return NULL;
}


ngx_int_t
ngx_pa_open311_limit(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_o311_client_t *client, ngx_str_t *who, ngx_pa_reply_pt on_reply)
{
    ngx_array_t  *keys, *args;

    keys = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    args = ngx_array_create(r->pool, 3, sizeof(ngx_str_t));
    if (keys == NULL || args == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_key(r, keys, "rl:o311:%V", &client->client) == NULL
        || ngx_pa_key(r, keys, "rl:o311:%V:s", &client->client) == NULL
        || ngx_pa_arg_str(args, &client->arg_interval) != NGX_OK
        || ngx_pa_arg_str(args, &client->arg_tolerance) != NGX_OK
        || ngx_pa_arg_str(args, who) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_eval(r, ctx, NGX_PA_SCRIPT_LIMIT, keys, args, on_reply);
}


/* limit.lua answers {1, 0} (allowed) or {0, <ms until allowed>} */

ngx_int_t
ngx_pa_open311_limit_verdict(ngx_http_request_t *r, void *data)
{
    redisReply  *reply = data;
    time_t       retry;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[1]->type != REDIS_REPLY_INTEGER)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: unexpected reply of limit.lua for a "
                      "client's key");
        return ngx_pa_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "unavailable", NULL,
                                 "storage is not available, try again");
    }

    if (reply->element[0]->integer == 1) {
        return NGX_DECLINED;
    }

    retry = (time_t) ((reply->element[1]->integer + 999) / 1000);

    return ngx_pa_send_error_retry(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                   "rate_limited", "api_key",
                                   "too many requests with this API key, "
                                   "try again later",
                                   retry < 1 ? 1 : retry);
}


/*
 * jurisdiction_id, when given, must be this province's (pa_tenant); an
 * api_key, when given, must be one of pa_open311_keys, and on POST (and
 * the updates) it must be given.  NGX_DECLINED to go on, or what
 * answering did.
 */

ngx_int_t
ngx_pa_open311_check(ngx_http_request_t *r, ngx_str_t *jurisdiction,
    ngx_str_t *key, ngx_uint_t required, ngx_pa_o311_client_t **client)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);

    *client = NULL;

    if (jurisdiction->len
        && (jurisdiction->len != pmcf->tenant.len
            || ngx_strncmp(jurisdiction->data, pmcf->tenant.data,
                           pmcf->tenant.len) != 0))
    {
        return ngx_pa_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                 "jurisdiction_id",
                                 "this server does not serve that "
                                 "jurisdiction");
    }

    if (key->len == 0) {
        if (!required) {
            return NGX_DECLINED;
        }

        return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden",
                                 "api_key", "an api_key is required: the "
                                 "province's operators issue them");
    }

    *client = ngx_pa_open311_client(pmcf, key);

    if (*client == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "pa: open311: an unknown api_key");

        return ngx_pa_send_error(r, NGX_HTTP_FORBIDDEN, "forbidden",
                                 "api_key", "this api_key is not valid");
    }

    return NGX_DECLINED;
}
