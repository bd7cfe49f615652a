/*
 * The contract's error answers: {"error": {"code", "message", "field"?}},
 * or GeoReport's [{"code", "description"}] (as JSON or XML) to a request
 * under /open311/v2/, whoever raises the error.
 */

#include "ngx_pa.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_open311_out.h"


#define NGX_PA_RETRY_AFTER  "1"


ngx_int_t
ngx_pa_send_error(ngx_http_request_t *r, ngx_uint_t status, const char *code,
    const char *field, const char *message)
{
    return ngx_pa_send_error_retry(r, status, code, field, message, 0);
}


ngx_int_t
ngx_pa_send_error_retry(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message, time_t retry)
{
    u_char           *p;
    json_t           *err, *body;
    ngx_table_elt_t  *h;

    ngx_pa_metrics_error(r, code);

    if (ngx_pa_open311_request(r)) {
        body = ngx_pa_open311_error(r, status, code, field, message);

    } else {
        err = json_pack("{s:s, s:s}", "code", code, "message", message);
        if (err == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (field != NULL) {
            json_object_set_new(err, "field", json_string(field));
        }

        body = json_pack("{s:o}", "error", err);
    }

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE
        || status == NGX_HTTP_TOO_MANY_REQUESTS)
    {
        h = ngx_list_push(&r->headers_out.headers);
        if (h != NULL) {
            h->hash = 1;
            ngx_str_set(&h->key, "Retry-After");
            ngx_str_set(&h->value, NGX_PA_RETRY_AFTER);

            p = (retry > 0) ? ngx_pnalloc(r->pool, NGX_TIME_T_LEN) : NULL;

            if (p != NULL) {
                h->value.data = p;
                h->value.len = ngx_sprintf(p, "%T", retry) - p;
            }
        }
    }

    /* keep nothing cached from an error */
    r->headers_out.last_modified_time = -1;

    if (ngx_pa_open311_request(r)) {
        /* <errors><error> for .xml, as the path asks */
        return ngx_pa_open311_send(r, status, body, "errors", NULL);
    }

    return ngx_pa_send_json(r, status, body);
}


const char *
ngx_pa_status_code(ngx_uint_t status)
{
    switch (status) {

    case NGX_HTTP_UNAUTHORIZED:
        return "unauthorized";

    case NGX_HTTP_FORBIDDEN:
        return "forbidden";

    case NGX_HTTP_NOT_FOUND:
        return "not_found";

    case NGX_HTTP_NOT_ALLOWED:
        return "method_not_allowed";

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "too_large";

    case NGX_HTTP_UNSUPPORTED_MEDIA_TYPE:
        return "unsupported_media";

    case NGX_HTTP_TOO_MANY_REQUESTS:
        return "rate_limited";

    case NGX_HTTP_SERVICE_UNAVAILABLE:
    case NGX_HTTP_GATEWAY_TIME_OUT:
    case NGX_HTTP_BAD_GATEWAY:
        return "unavailable";

    default:
        if (status >= 500) {
            return "internal_error";
        }

        return "bad_request";
    }
}
