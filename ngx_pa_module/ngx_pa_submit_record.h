/*
 * A new report's record as one argument of submit.lua (issue 12): the
 * DUMP payload of the hash (ngx_pa_dump.h) that submit.lua creates with
 * RESTORE: the fields, values and order its HSET of the same pairs made
 * before (a listpack even where a value is longer than
 * hash-max-listpack-value, ngx_pa_dump.h).  Redis checks the payload's
 * CRC, and every entry only with sanitize-dump-payload yes (t/048 runs
 * both; README, "The commands an ACL user needs").
 */

#ifndef NGX_PA_SUBMIT_RECORD_H
#define NGX_PA_SUBMIT_RECORD_H

#include "ngx_pa.h"
#include "ngx_pa_dump.h"


/*
 * The payload of the n pairs kv (name, value) as HSET would set them in
 * that order: a name given again keeps its first place and takes its
 * last value.  From pool; kv's values may be replaced (NGX_ERROR: out of
 * memory).  crc: the main conf's tables (ngx_pa_dump.h).
 */
ngx_int_t ngx_pa_submit_record(ngx_pool_t *pool, const ngx_pa_crc64_t *crc,
    ngx_str_t *kv, ngx_uint_t n, ngx_str_t *out);

#endif /* NGX_PA_SUBMIT_RECORD_H */
