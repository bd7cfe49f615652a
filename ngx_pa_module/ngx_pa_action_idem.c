/*
 * An action's Idempotency-Key (ngx_pa_action_idem.h).
 *
 * The key's scope is the caller (a staff member's role and sub, a
 * reporter's token), the report and the client's key: another officer
 * or another report with the same key is another action.  The print is
 * the action as asked: its fields (sorted) and the digests of its media.
 */

#include "ngx_pa.h"
#include "ngx_pa_action_idem.h"
#include "ngx_pa_call.h"
#include "ngx_pa_error.h"
#include "ngx_pa_media.h"

#include <jansson.h>
#include <openssl/sha.h>


#define NGX_PA_IDEM_KEY_MAX  200     /* as a comment's (ngx_pa_comment.c) */
#define NGX_PA_IDEM_HEX      (SHA256_DIGEST_LENGTH * 2)


static ngx_int_t ngx_pa_action_idem_print(ngx_http_request_t *r,
    ngx_pa_body_t *body, ngx_str_t *print);


ngx_int_t
ngx_pa_action_idem(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_pa_caller_t *caller, ngx_pa_body_t *body, ngx_array_t *extra,
    ngx_str_t *idem, ngx_pa_err_t *err)
{
    u_char      *buf, *p, md[SHA256_DIGEST_LENGTH];
    ngx_str_t   *key, *s;
    ngx_uint_t   i;

    idem->len = 0;

    key = ngx_pa_header(r, "Idempotency-Key");
    if (key == NULL) {
        return NGX_OK;
    }

    /* printable ASCII: a client's retry sends it byte for byte */

    for (i = 0; i < key->len; i++) {
        if (key->data[i] < 0x21 || key->data[i] > 0x7e) {
            break;
        }
    }

    if (key->len == 0 || key->len > NGX_PA_IDEM_KEY_MAX || i < key->len) {
        ngx_pa_err_set(err, NGX_HTTP_BAD_REQUEST, "invalid_field",
                       "Idempotency-Key", "an Idempotency-Key is 1 to "
                       "200 printable ASCII characters");
        return NGX_ERROR;
    }

    /* "<role>\n<sub or token>\n<report>\n<key>", hashed: no token kept */

    buf = ngx_pnalloc(r->pool, caller->role_name.len + caller->sub.len
                               + caller->token.len + ctx->id.len + key->len
                               + 4);
    idem->data = ngx_pnalloc(r->pool, NGX_PA_IDEM_HEX);

    if (buf == NULL || idem->data == NULL) {
        return NGX_ERROR;
    }

    /* a signed-in reporter (ĐB) is its sub, an anonymous one its token */

    p = ngx_sprintf(buf, "%V\n%V\n%V\n%V", &caller->role_name,
                    caller->token.len ? &caller->token : &caller->sub,
                    &ctx->id, key);

    SHA256(buf, p - buf, md);
    idem->len = ngx_hex_dump(idem->data, md, sizeof(md)) - idem->data;

    s = ngx_array_push_n(extra, 2);
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&s[0], "iprint");

    return ngx_pa_action_idem_print(r, body, &s[1]);
}


static ngx_int_t
ngx_pa_action_idem_print(ngx_http_request_t *r, ngx_pa_body_t *body,
    ngx_str_t *print)
{
    char              *dump;
    u_char             md[SHA256_DIGEST_LENGTH];
    SHA256_CTX         sha;
    ngx_uint_t         i;
    ngx_pa_media_t   **m;

    dump = json_dumps(body->fields, JSON_SORT_KEYS | JSON_COMPACT);
    if (dump == NULL) {
        return NGX_ERROR;
    }

    SHA256_Init(&sha);
    SHA256_Update(&sha, dump, ngx_strlen(dump));
    ngx_free(dump);

    m = body->media.elts;

    for (i = 0; i < body->media.nelts; i++) {
        SHA256_Update(&sha, "\n", 1);
        SHA256_Update(&sha, m[i]->hex, NGX_PA_IDEM_HEX);
    }

    SHA256_Final(md, &sha);

    print->data = ngx_pnalloc(r->pool, NGX_PA_IDEM_HEX);
    if (print->data == NULL) {
        return NGX_ERROR;
    }

    print->len = ngx_hex_dump(print->data, md, sizeof(md)) - print->data;

    return NGX_OK;
}


ngx_uint_t
ngx_pa_action_idem_replayed(void *data)
{
    redisReply  *reply = data;

    return reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2
           && reply->element[0]->type == REDIS_REPLY_STRING
           && reply->element[0]->len == sizeof("replayed") - 1
           && ngx_strncmp(reply->element[0]->str, "replayed",
                          sizeof("replayed") - 1) == 0;
}
