/*
 * CSV answers: see ngx_pa_csv.h.
 */

#include "ngx_pa_csv.h"
#include "ngx_pa_json.h"


static ngx_int_t ngx_pa_csv_put(ngx_pa_csv_t *csv, const u_char *p,
    size_t len);


ngx_int_t
ngx_pa_csv_init(ngx_pa_csv_t *csv, ngx_pool_t *pool)
{
    csv->cells = 0;

    if (ngx_array_init(&csv->bytes, pool, 4096, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the BOM: without it Excel takes UTF-8 for the local code page */
    return ngx_pa_csv_put(csv, (u_char *) "\xEF\xBB\xBF", 3);
}


ngx_int_t
ngx_pa_csv_cell(ngx_pa_csv_t *csv, ngx_str_t *text)
{
    u_char      *p, *end;
    ngx_uint_t   quote, formula;

    if (csv->cells++ && ngx_pa_csv_put(csv, (u_char *) ",", 1) != NGX_OK) {
        return NGX_ERROR;
    }

    if (text->len == 0) {
        return NGX_OK;
    }

    end = text->data + text->len;

    formula = ngx_strchr("=+-@\t\r", text->data[0]) != NULL;
    quote = formula;

    for (p = text->data; p < end; p++) {
        if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n') {
            quote = 1;
            break;
        }
    }

    if (!quote) {
        return ngx_pa_csv_put(csv, text->data, text->len);
    }

    if (ngx_pa_csv_put(csv, (u_char *) "\"'", formula ? 2 : 1) != NGX_OK) {
        return NGX_ERROR;
    }

    for (p = text->data; p < end; p++) {
        if (*p == '"' && ngx_pa_csv_put(csv, p, 1) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_pa_csv_put(csv, p, 1) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_pa_csv_put(csv, (u_char *) "\"", 1);
}


ngx_int_t
ngx_pa_csv_json(ngx_pa_csv_t *csv, json_t *v)
{
    u_char     buf[NGX_INT64_LEN + 32];
    ngx_str_t  s;

    s.data = buf;
    s.len = 0;

    if (json_is_string(v)) {
        s.data = (u_char *) json_string_value(v);
        s.len = json_string_length(v);

    } else if (json_is_integer(v)) {
        s.len = ngx_sprintf(buf, "%L", (int64_t) json_integer_value(v))
                - buf;

    } else if (json_is_real(v)) {
        /* a rate 0..1: four decimals are plenty for a spreadsheet */
        s.len = ngx_sprintf(buf, "%.4f", json_real_value(v)) - buf;

    } else if (json_is_boolean(v)) {
        s.len = ngx_sprintf(buf, "%s", json_is_true(v) ? "true" : "false")
                - buf;
    }

    return ngx_pa_csv_cell(csv, &s);
}


ngx_int_t
ngx_pa_csv_names(ngx_pa_csv_t *csv, const char **names)
{
    ngx_str_t  s;

    for ( /* void */ ; *names; names++) {
        s.data = (u_char *) *names;
        s.len = ngx_strlen(*names);

        if (ngx_pa_csv_cell(csv, &s) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_pa_csv_eol(csv);
}


ngx_int_t
ngx_pa_csv_eol(ngx_pa_csv_t *csv)
{
    csv->cells = 0;

    return ngx_pa_csv_put(csv, (u_char *) "\r\n", 2);
}


ngx_int_t
ngx_pa_csv_send(ngx_http_request_t *r, ngx_pa_csv_t *csv, ngx_str_t *file)
{
    u_char           *p;
    size_t            len;
    ngx_buf_t        *b;
    ngx_str_t         type = ngx_string("text/csv");
    ngx_table_elt_t  *h;

    len = sizeof("attachment; filename=\"\"") - 1 + file->len;

    p = ngx_pnalloc(r->pool, len);
    b = ngx_calloc_buf(r->pool);
    h = ngx_list_push(&r->headers_out.headers);

    if (p == NULL || b == NULL || h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the name is ours (tenant and dates): nothing to quote in it */
    h->hash = 1;
    ngx_str_set(&h->key, "Content-Disposition");
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "attachment; filename=\"%V\"", file) - p;

    b->pos = csv->bytes.elts;
    b->last = b->pos + csv->bytes.nelts;
    b->memory = 1;

    return ngx_pa_send_buf(r, NGX_HTTP_OK, &type, b);
}


static ngx_int_t
ngx_pa_csv_put(ngx_pa_csv_t *csv, const u_char *p, size_t len)
{
    u_char  *dst;

    dst = ngx_array_push_n(&csv->bytes, len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst, p, len);

    return NGX_OK;
}
