/*
 * The report's cold fields as one value (issue 12, bench/submit-cost.md).
 *
 * A report hash keeps as fields what a script tests, filters on or
 * changes after submission (status, urgent, hidden, category, title,
 * created_at, agencies, lead, the dl:/dm:/dd:/do: deadlines, media,
 * result, ...); what is written once at submission and only ever read as
 * a whole goes into one field "doc", a JSON object of strings.  Fewer
 * arguments into submit.lua, fewer hash fields per report.
 *
 * Readers never see "doc": ngx_pa_doc_unfold() puts its members back
 * among the fields (a hash field of the same name wins: act.lua's later
 * writes, as an IOC edit of "content", are hash fields), so the views,
 * Open311 and the archive read one layout, old records (every field in
 * the hash) and new ones alike.
 *
 * "content_original" is stored only when it differs from "content" (the
 * IOC edits content as a hash field; the doc keeps what the reporter
 * wrote, once).  "submit_note" is the note of the submission's history
 * entry (Open311's), which the record implies (ngx_pa_doc_first_entry).
 */

#ifndef NGX_PA_DOC_H
#define NGX_PA_DOC_H

#include "ngx_pa.h"


#define NGX_PA_DOC_FIELD  "doc"


/* is this field cold (stored in "doc")? */
ngx_uint_t ngx_pa_doc_cold(ngx_str_t *name);

/*
 * n pairs name, value (ngx_str_t each) onto args: the hot ones as they
 * are (but those at their default: ngx_pa_default.h), then "doc" and the
 * cold ones as one JSON object.
 */
ngx_int_t ngx_pa_doc_fold(ngx_pool_t *pool, ngx_str_t *kv, ngx_uint_t n,
    ngx_array_t *args, ngx_log_t *log);

/*
 * *kv, *n pairs (NUL terminated values, from the pool) with "doc"
 * replaced by its members; *lean is set when there was one (the record
 * implies its first history entry).  NGX_ERROR only when out of memory;
 * a "doc" that does not parse is logged and left out.
 */
ngx_int_t ngx_pa_doc_unfold(ngx_pool_t *pool, ngx_str_t **kv, ngx_uint_t *n,
    ngx_uint_t *lean, ngx_log_t *log);

/*
 * The history entry of the submission, as submit.lua wrote it before the
 * record implied it: {at (created_at), role, actor "reporter", action
 * "submit", from null, to "submitted", note}.  JSON text into out.
 */
ngx_int_t ngx_pa_doc_first_entry(ngx_pool_t *pool, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *created_at, ngx_str_t *note, ngx_str_t *out);

#endif /* NGX_PA_DOC_H */
