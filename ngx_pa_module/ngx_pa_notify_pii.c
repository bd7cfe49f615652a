/*
 * pa_notify ... pii=on: the reporter's contact in one delivery's body.
 *
 * The stream and the stored delivery never hold it.  For a pii=on target
 * the deliverer reads the report's sealed phone and e-mail (HMGET, after
 * the event is taken), and this file opens them and writes the body of
 * this one attempt: the event plus "reporter": {"phone", "email"}, each
 * only when the reporter gave it.  The clear text lives in the attempt's
 * pool only, wiped when the attempt ends (ngx_pa_notify_pii_wipe); it is
 * never logged.
 */

#include "ngx_pa.h"
#include "ngx_pa_notify_pii.h"

#include <hiredis/hiredis.h>
#include <jansson.h>


static ngx_int_t ngx_pa_notify_pii_open(ngx_pa_pii_keyring_t *ring,
    redisReply *sealed, const char *name, json_t *reporter, ngx_log_t *log);
static redisReply *ngx_pa_notify_pii_doc(redisReply *sealed, json_t *doc,
    const char *field, redisReply *tmp);
static ngx_int_t ngx_pa_notify_pii_envelope(ngx_pa_pii_keyring_t *ring,
    json_t *sealed, json_t *reporter, ngx_log_t *log);


/*
 * body: the event (JSON); sealed: HMGET's {pii_phone, pii_email, doc}
 * (a record stored lean keeps them in "doc", ngx_pa_doc.h; one of this
 * version the whole contact as the doc's "pii", ngx_pa_pii.h).  out:
 * the attempt's body, from pool.  NGX_OK, or NGX_ERROR (nothing written:
 * the attempt fails and is retried, never sent without what it promised).
 */

ngx_int_t
ngx_pa_notify_pii_body(ngx_pool_t *pool, ngx_pa_pii_keyring_t *ring,
    ngx_str_t *body, redisReply *sealed, ngx_str_t *out, ngx_log_t *log)
{
    char          *dump;
    size_t         len;
    json_t        *o, *reporter, *doc, *env;
    redisReply     phone, email;
    json_error_t   je;

    if (ring == NULL || sealed == NULL || sealed->type != REDIS_REPLY_ARRAY
        || sealed->elements != 3)
    {
        return NGX_ERROR;
    }

    o = json_loadb((char *) body->data, body->len, 0, &je);
    if (o == NULL) {
        return NGX_ERROR;
    }

    doc = NULL;

    if (sealed->element[2]->type == REDIS_REPLY_STRING) {
        doc = json_loadb(sealed->element[2]->str, sealed->element[2]->len, 0,
                         &je);
        if (doc == NULL) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa notify: the report's \"doc\" does not parse: "
                          "%s", je.text);
            json_decref(o);
            return NGX_ERROR;
        }
    }

    reporter = json_object();
    env = (doc != NULL) ? json_object_get(doc, "pii") : NULL;

    if (reporter != NULL && json_is_string(env)) {
        if (ngx_pa_notify_pii_envelope(ring, env, reporter, log) != NGX_OK
            || json_object_set_new(o, "reporter", reporter) != 0)
        {
            json_decref(doc);
            json_decref(reporter);
            json_decref(o);
            return NGX_ERROR;
        }

    } else if (reporter == NULL
        || ngx_pa_notify_pii_open(ring,
               ngx_pa_notify_pii_doc(sealed->element[0], doc, "pii_phone",
                                     &phone),
               "phone", reporter, log) != NGX_OK
        || ngx_pa_notify_pii_open(ring,
               ngx_pa_notify_pii_doc(sealed->element[1], doc, "pii_email",
                                     &email),
               "email", reporter, log) != NGX_OK
        || json_object_set_new(o, "reporter", reporter) != 0)
    {
        json_decref(doc);
        json_decref(reporter);
        json_decref(o);
        return NGX_ERROR;
    }

    json_decref(doc);

    dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

    /* jansson's copies of the contact: dropped at once */
    json_decref(o);

    if (dump == NULL) {
        return NGX_ERROR;
    }

    len = ngx_strlen(dump);

    out->data = ngx_pnalloc(pool, len);
    if (out->data == NULL) {
        ngx_explicit_memzero(dump, len);
        free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(out->data, dump, len);
    out->len = len;

    ngx_explicit_memzero(dump, len);
    free(dump);

    return NGX_OK;
}


/* a sealed field, opened into reporter[name]; absent or empty: left out */

static ngx_int_t
ngx_pa_notify_pii_open(ngx_pa_pii_keyring_t *ring, redisReply *sealed,
    const char *name, json_t *reporter, ngx_log_t *log)
{
    u_char   buf[512];
    ssize_t  n;
    json_t  *v;

    if (sealed->type != REDIS_REPLY_STRING || sealed->len == 0) {
        return NGX_OK;
    }

    n = ngx_pa_pii_open(ring, (u_char *) sealed->str, sealed->len, buf,
                        sizeof(buf));

    if (n < 0) {
        /* the contact is there but cannot be opened: a key was removed */
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa notify: the reporter's %s does not open with "
                      "pa_pii_key_file's keys", name);
        return NGX_ERROR;
    }

    if (n == 0) {
        return NGX_OK;
    }

    v = json_stringn((char *) buf, (size_t) n);
    ngx_explicit_memzero(buf, sizeof(buf));

    if (v == NULL || json_object_set_new(reporter, name, v) != 0) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_pa_notify_pii_wipe(ngx_str_t *sent)
{
    if (sent->data != NULL) {
        ngx_explicit_memzero(sent->data, sent->len);
    }

    ngx_str_null(sent);
}


/* the hash's field, else the one of "doc" as a string reply in tmp */

static redisReply *
ngx_pa_notify_pii_doc(redisReply *sealed, json_t *doc, const char *field,
    redisReply *tmp)
{
    json_t  *v;

    if (sealed->type == REDIS_REPLY_STRING || doc == NULL) {
        return sealed;
    }

    v = json_object_get(doc, field);
    if (!json_is_string(v)) {
        return sealed;
    }

    ngx_memzero(tmp, sizeof(redisReply));
    tmp->type = REDIS_REPLY_STRING;
    tmp->str = (char *) json_string_value(v);
    tmp->len = json_string_length(v);

    return tmp;
}


/* the contact sealed as one value: its phone and e-mail into reporter */

static ngx_int_t
ngx_pa_notify_pii_envelope(ngx_pa_pii_keyring_t *ring, json_t *sealed,
    json_t *reporter, ngx_log_t *log)
{
    int          i;
    u_char       buf[1024];
    size_t       start, len;
    ssize_t      n;
    json_t      *v;
    ngx_int_t    rc;
    static int   parts[] = { NGX_PA_PII_PHONE, NGX_PA_PII_EMAIL };
    static char *names[] = { "phone", "email" };

    n = ngx_pa_pii_open(ring, (u_char *) json_string_value(sealed),
                        json_string_length(sealed), buf, sizeof(buf));

    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "pa notify: the reporter's contact does not open with "
                      "pa_pii_key_file's keys");
        return NGX_ERROR;
    }

    rc = NGX_OK;

    for (i = 0; i < 2 && rc == NGX_OK; i++) {
        if (ngx_pa_pii_part(buf, (size_t) n, parts[i], &start, &len) != 0) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "pa notify: the reporter's sealed contact is "
                          "not of this version's form");
            rc = NGX_ERROR;
            break;
        }

        if (len == 0) {
            continue;
        }

        v = json_stringn((char *) buf + start, len);

        if (v == NULL || json_object_set_new(reporter, names[i], v) != 0) {
            rc = NGX_ERROR;
        }
    }

    ngx_explicit_memzero(buf, sizeof(buf));

    return rc;
}
