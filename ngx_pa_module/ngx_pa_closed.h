/*
 * The closed deadlines of a report as one field (issue 12.4).
 *
 * While a step is open its deadline is the hash fields dl:<key> (due),
 * and do:, dx:, xp:, xt: as they come; the queues, the sweeper and
 * act.lua's guards read those.  Once it closes (dm:<key>, dd:<key>)
 * nothing but the views and the archive reads it again, so act.lua folds
 * it into "dc": entries "<key> <due> <done - due> <met>[o][x]" joined by
 * ';' (o: the sweeper saw it overdue, do:; x: it was extended, dx:).
 * Six closed steps cost about 150 bytes less so.
 *
 * Readers never see "dc": ngx_pa_closed_unfold() puts dl:/dm:/dd:/do:/dx:
 * back among the fields, so the views, Open311 and the archive read the
 * same layout for records closed before the fold (the fields as they
 * were) and after it.  A hash field dl:<key> wins over an entry of the
 * same key (a reopened step).
 */

#ifndef NGX_PA_CLOSED_H
#define NGX_PA_CLOSED_H

#include "ngx_pa.h"


#define NGX_PA_CLOSED_FIELD  "dc"


/*
 * *kv, *n pairs (NUL terminated values, from the pool) with "dc"
 * replaced by the fields it stands for.  NGX_ERROR only when out of
 * memory; an entry that does not parse is logged and left out.
 */
ngx_int_t ngx_pa_closed_unfold(ngx_pool_t *pool, ngx_str_t **kv,
    ngx_uint_t *n, ngx_log_t *log);

#endif /* NGX_PA_CLOSED_H */
