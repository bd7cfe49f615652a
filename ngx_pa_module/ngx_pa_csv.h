/*
 * CSV answers (RFC 4180) for the tables staff open in a spreadsheet: a
 * UTF-8 BOM so that Excel reads Vietnamese names right, CRLF lines, cells
 * quoted when they hold a comma, a quote or a line break, and a cell that
 * begins with = + - @ (or a tab or CR) prefixed with ' so that it is never
 * run as a formula (CSV injection).
 */

#ifndef NGX_PA_CSV_H
#define NGX_PA_CSV_H

#include "ngx_pa.h"

#include <jansson.h>


typedef struct {
    ngx_array_t   bytes;        /* u_char: the whole answer */
    ngx_uint_t    cells;        /* cells on the current line */
} ngx_pa_csv_t;


ngx_int_t ngx_pa_csv_init(ngx_pa_csv_t *csv, ngx_pool_t *pool);

/* one cell of text, escaped */
ngx_int_t ngx_pa_csv_cell(ngx_pa_csv_t *csv, ngx_str_t *text);

/* one cell from a JSON value: strings escaped, numbers, null empty */
ngx_int_t ngx_pa_csv_json(ngx_pa_csv_t *csv, json_t *v);

/* a line of literal cells (a header), NULL terminated, then CRLF */
ngx_int_t ngx_pa_csv_names(ngx_pa_csv_t *csv, const char **names);

ngx_int_t ngx_pa_csv_eol(ngx_pa_csv_t *csv);

/* 200 text/csv as a download named file; returns what a handler returns */
ngx_int_t ngx_pa_csv_send(ngx_http_request_t *r, ngx_pa_csv_t *csv,
    ngx_str_t *file);

#endif /* NGX_PA_CSV_H */
