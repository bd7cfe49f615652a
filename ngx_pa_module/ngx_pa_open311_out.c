/*
 * Open311 answers in the format the path asks for.  Every route builds
 * one JSON tree in GeoReport's field order; it goes out as JSON, or as
 * XML written element by element with libxml2's xmlTextWriter (which
 * escapes, and encodes the document as UTF-8): never pasted strings.
 *
 *   [{"service_code": "x", ...}]  with root "services"  is
 *   <services><service><service_code>x</service_code>...</service></services>
 *
 * null is an empty element, true/false are "true"/"false", numbers are
 * written as JSON writes them.
 */

#include "ngx_pa.h"
#include "ngx_pa_json.h"
#include "ngx_pa_open311_out.h"

#include <libxml/xmlwriter.h>


#define NGX_PA_O311_XML_TYPE  "text/xml"
#define NGX_PA_O311_NUMBER    64


/* an array's items are named after it (GeoReport v2, its extensions) */

static struct {
    const char  *list;
    const char  *item;
} ngx_pa_o311_items[] = {
    { "services",                 "service" },
    { "service_requests",         "request" },
    { "errors",                   "error" },
    { "service_request_updates",  "request_update" },
    { "attributes",               "attribute" },
    { "values",                   "value" },
    { "endpoints",                "endpoint" },
    { "formats",                  "format" },
    { NULL, NULL }
};


/* the contract's field names as a GeoReport client sent them */

ngx_pa_o311_name_t  ngx_pa_open311_names[] = {
    { "content",         "description" },
    { "category",        "service_code" },
    { "lat",             "lat" },
    { "lng",             "long" },
    { "reporter_name",   "first_name" },
    { "reporter_phone",  "phone" },
    { "reporter_email",  "email" },
    { NULL, NULL }
};


static ngx_int_t ngx_pa_o311_xml(xmlTextWriterPtr w, const char *name,
    json_t *v);
static const char *ngx_pa_o311_item(const char *list);
static void ngx_pa_o311_sent_path(ngx_http_request_t *r, ngx_str_t *path);


ngx_uint_t
ngx_pa_open311_format(ngx_http_request_t *r)
{
    size_t     len;
    ngx_str_t  path;

    ngx_pa_o311_sent_path(r, &path);

    len = sizeof(".json") - 1;

    if (path.len > len
        && ngx_strncmp(path.data + path.len - len, ".json", len) == 0)
    {
        return NGX_PA_O311_JSON;
    }

    return NGX_PA_O311_XML;
}


ngx_int_t
ngx_pa_open311_send(ngx_http_request_t *r, ngx_uint_t status, json_t *body,
    const char *root, const char *cache_control)
{
    ngx_buf_t  *b;
    ngx_str_t   type;

    if (body == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: cannot build the %s answer", root);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (cache_control != NULL
        && ngx_pa_view_cache_control(r, cache_control) != NGX_OK)
    {
        json_decref(body);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_pa_open311_format(r) == NGX_PA_O311_JSON) {
        return ngx_pa_send_json(r, status, body);
    }

    b = ngx_pa_open311_render(r, body, root, &type);
    json_decref(body);

    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pa_send_buf(r, status, &type, b);
}


ngx_buf_t *
ngx_pa_open311_render(ngx_http_request_t *r, json_t *body, const char *root,
    ngx_str_t *content_type)
{
    int               len;
    char             *dump;
    ngx_buf_t        *b;
    xmlBufferPtr      xb;
    xmlTextWriterPtr  w;

    if (ngx_pa_open311_format(r) == NGX_PA_O311_JSON) {
        dump = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER
                          | JSON_REAL_PRECISION(10));
        if (dump == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pa: open311: cannot encode a JSON answer");
            return NULL;
        }

        len = (int) ngx_strlen(dump);

        b = ngx_create_temp_buf(r->pool, len + 1);
        if (b != NULL) {
            b->last = ngx_cpymem(b->last, dump, len);
            *b->last++ = '\n';
        }

        free(dump);
        ngx_str_set(content_type, "application/json");

        return b;
    }

    xb = xmlBufferCreate();
    if (xb == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: xmlBufferCreate() failed");
        return NULL;
    }

    w = xmlNewTextWriterMemory(xb, 0);
    if (w == NULL) {
        xmlBufferFree(xb);
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: xmlNewTextWriterMemory() failed");
        return NULL;
    }

    if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0
        || ngx_pa_o311_xml(w, root, body) != NGX_OK
        || xmlTextWriterEndDocument(w) < 0)
    {
        xmlFreeTextWriter(w);
        xmlBufferFree(xb);
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pa: open311: cannot write the XML answer <%s>", root);
        return NULL;
    }

    /* the writer flushes into xb when it is freed */
    xmlFreeTextWriter(w);

    len = xmlBufferLength(xb);

    b = ngx_create_temp_buf(r->pool, len);
    if (b != NULL) {
        b->last = ngx_cpymem(b->last, xmlBufferContent(xb), len);
    }

    xmlBufferFree(xb);
    ngx_str_set(content_type, NGX_PA_O311_XML_TYPE);

    return b;
}


/* one JSON value as the element "name" */

static ngx_int_t
ngx_pa_o311_xml(xmlTextWriterPtr w, const char *name, json_t *v)
{
    size_t       i;
    json_t      *item;
    const char  *key, *child;
    u_char       num[NGX_PA_O311_NUMBER];

    if (xmlTextWriterStartElement(w, (const xmlChar *) name) < 0) {
        return NGX_ERROR;
    }

    switch (json_typeof(v)) {

    case JSON_OBJECT:
        json_object_foreach(v, key, item) {
            if (ngx_pa_o311_xml(w, key, item) != NGX_OK) {
                return NGX_ERROR;
            }
        }
        break;

    case JSON_ARRAY:
        child = ngx_pa_o311_item(name);

        json_array_foreach(v, i, item) {
            if (ngx_pa_o311_xml(w, child, item) != NGX_OK) {
                return NGX_ERROR;
            }
        }
        break;

    case JSON_STRING:
        if (xmlTextWriterWriteString(w,
                (const xmlChar *) json_string_value(v)) < 0)
        {
            return NGX_ERROR;
        }
        break;

    case JSON_INTEGER:
        *ngx_sprintf(num, "%L", (int64_t) json_integer_value(v)) = '\0';

        if (xmlTextWriterWriteString(w, num) < 0) {
            return NGX_ERROR;
        }
        break;

    case JSON_REAL:
        /* as the JSON answer writes it: 22.396, not 22.396000 */
        (void) snprintf((char *) num, sizeof(num), "%.10g",
                        json_real_value(v));

        if (xmlTextWriterWriteString(w, num) < 0) {
            return NGX_ERROR;
        }
        break;

    case JSON_TRUE:
    case JSON_FALSE:
        if (xmlTextWriterWriteString(w, (const xmlChar *)
                (json_is_true(v) ? "true" : "false")) < 0)
        {
            return NGX_ERROR;
        }
        break;

    default:  /* null: an empty element, as the spec's examples */
        break;
    }

    return xmlTextWriterEndElement(w) < 0 ? NGX_ERROR : NGX_OK;
}


static const char *
ngx_pa_o311_item(const char *list)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_o311_items[i].list; i++) {
        if (ngx_strcmp(list, ngx_pa_o311_items[i].list) == 0) {
            return ngx_pa_o311_items[i].item;
        }
    }

    return "item";
}


/* ngx_pa_send_error() speaks GeoReport to GeoReport clients */

ngx_uint_t
ngx_pa_open311_request(ngx_http_request_t *r)
{
    ngx_str_t  path;

    ngx_pa_o311_sent_path(r, &path);

    return path.len >= sizeof(NGX_PA_OPEN311_PREFIX) - 1
           && ngx_strncmp(path.data, NGX_PA_OPEN311_PREFIX,
                          sizeof(NGX_PA_OPEN311_PREFIX) - 1) == 0;
}


/*
 * The path the client sent, without its query.  After an error_page
 * redirect (nginx's own refusals, conf-examples/pa-errors.conf) r->uri is
 * the error page's; a request line too long for the buffers (414) was
 * never parsed into unparsed_uri, but nginx kept the part it read as
 * request_line: the path is its second word.
 */

static void
ngx_pa_o311_sent_path(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char  *p, *last, *q;

    if (r->uri.len >= sizeof(NGX_PA_OPEN311_PREFIX) - 1
        && ngx_strncmp(r->uri.data, NGX_PA_OPEN311_PREFIX,
                       sizeof(NGX_PA_OPEN311_PREFIX) - 1) == 0)
    {
        *path = r->uri;
        return;
    }

    if (r->unparsed_uri.len) {
        p = r->unparsed_uri.data;
        last = p + r->unparsed_uri.len;

    } else if (r->request_line.len) {
        p = r->request_line.data;
        last = p + r->request_line.len;

        q = ngx_strlchr(p, last, ' ');
        p = (q != NULL) ? q + 1 : last;

        q = ngx_strlchr(p, last, ' ');
        last = (q != NULL) ? q : last;

    } else {
        *path = r->uri;
        return;
    }

    q = ngx_strlchr(p, last, '?');

    path->data = p;
    path->len = ((q != NULL) ? q : last) - p;
}


/*
 * [{"code": 400, "description": "invalid_field: lat: must be ..."}]: the
 * contract's code and field (in the names the client sent) lead the text.
 */

json_t *
ngx_pa_open311_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *field, const char *message)
{
    u_char      *d;
    size_t       len;
    json_t      *body;

    if (field != NULL) {
        field = ngx_pa_open311_field(field);
    }

    len = ngx_strlen(code) + ngx_strlen(message) + sizeof(": : ")
          + (field ? ngx_strlen(field) : 0);

    d = ngx_pnalloc(r->pool, len);
    if (d == NULL) {
        return NULL;
    }

    if (field != NULL) {
        (void) ngx_sprintf(d, "%s: %s: %s%Z", code, field, message);

        body = json_pack("[{s:i, s:s}]", "code", (int) status,
                         "description", (char *) d);
        if (body != NULL) {
            return body;
        }

        /* a field name the client sent that is not UTF-8: leave it out */
    }

    (void) ngx_sprintf(d, "%s: %s%Z", code, message);

    return json_pack("[{s:i, s:s}]", "code", (int) status,
                     "description", (char *) d);
}


/* ------------------------------------------------------------ helpers */

ngx_int_t
ngx_pa_open311_fail(ngx_http_request_t *r, const char *what)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "pa: open311: cannot build the %s", what);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


ngx_uint_t
ngx_pa_open311_is(ngx_str_t *s, const char *name)
{
    size_t  len;

    len = ngx_strlen(name);

    return s->len == len && ngx_strncmp(s->data, name, len) == 0;
}


/* a field of the contract by the name the client sent it under */

const char *
ngx_pa_open311_field(const char *ours)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pa_open311_names[i].ours; i++) {
        if (ngx_strcmp(ours, ngx_pa_open311_names[i].ours) == 0) {
            return ngx_pa_open311_names[i].theirs;
        }
    }

    return ours;
}
