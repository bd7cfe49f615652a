/*
 * A report's hot fields at their default are not stored (issue 12.4:
 * Redis memory per report).  At submission a report is not urgent, not
 * hidden, not published, its result not private and it may have no
 * media: five fields of every report's hash that say nothing.
 *
 * The submission leaves them out (ngx_pa_doc_fold()); every reader puts
 * them back (ngx_pa_default_unfold(), called where a report's hash is
 * read: ngx_pa_hash_from_reply(), ngx_pa_hash_from_values()), so the
 * views, the queue, Open311 and the archive read one layout, old records
 * (the fields stored) and new ones alike.  The scripts already take a
 * missing flag as "0" (h.urgent == '1', ...) and a missing media as
 * "[]"; act.lua writes the fields when an action changes them (publish,
 * hide, unhide, urgent, media added), as before.
 *
 * "updated_at" likewise (issue 12's fields cut): a report never changed
 * since its submission was changed when it was made, so the submission
 * leaves it out and the readers give it created_at's value; every action
 * and the sweeper write it (act.lua, sweep.lua), and open311_updates.lua
 * takes created_at for it.
 */

#ifndef NGX_PA_DEFAULT_H
#define NGX_PA_DEFAULT_H

#include "ngx_pa.h"


/* is this hot field at its default (left out at submission)? */
ngx_uint_t ngx_pa_default_is(ngx_str_t *name, ngx_str_t *value);

/*
 * *kv, *n pairs of a report's hash (one that holds its "id": a missing
 * report's empty reply stays empty) with each missing default added:
 * the array is the pool's, the added names and values static, read-only
 * strings (no caller writes into a field's value in place).  NGX_ERROR
 * only when out of memory.
 */
ngx_int_t ngx_pa_default_unfold(ngx_pool_t *pool, ngx_str_t **kv,
    ngx_uint_t *n);

#endif /* NGX_PA_DEFAULT_H */
