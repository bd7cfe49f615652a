/*
 * A report's id among its fields (issue 12: what is stored per report
 * that need not be).  A report stored since keeps no "id" field: its key
 * r:<id> names it, and every submission saved the field's two arguments
 * and its bytes.  Records stored before keep theirs.
 *
 * The scripts that hand a report's hash to the worker put the id back
 * (redis-scripts/lib/record.lua); the worker's own reads of a report key
 * (HGETALL, HMGET: ngx_pa_report_hgetall(), the public media's checks)
 * know the id they asked for and put it back here, so the views, the
 * queue, Open311, the CSV and the archive read one layout, both forms.
 */

#ifndef NGX_PA_RECORD_ID_H
#define NGX_PA_RECORD_ID_H

#include "ngx_pa.h"
#include "ngx_pa_view.h"


/*
 * "id" = id first among h's fields when h holds a report (any field)
 * without one, and the hot fields' defaults then (ngx_pa_default.h, which
 * knows a report by its id).  NGX_ERROR only when out of memory.
 */
ngx_int_t ngx_pa_hash_name(ngx_pool_t *pool, ngx_pa_hash_t *h,
    ngx_str_t *id);

/* ngx_pa_hash_from_reply() of an HGETALL of r:<id>, then the above */
ngx_int_t ngx_pa_hash_from_record(ngx_pool_t *pool, redisReply *reply,
    ngx_str_t *id, ngx_pa_hash_t *h);

#endif /* NGX_PA_RECORD_ID_H */
