/*
 * What a Redis says of itself in INFO that the module must know at
 * connect: whether it may evict keys.  A Redis at its maxmemory with an
 * eviction policy drops keys to make room: reports, their deadlines,
 * idempotency keys, without an error to anyone.  With "noeviction" it
 * refuses the write instead (OOM), and the client is answered 503 with
 * nothing kept (t/211).  Pure C, no nginx header: unit-tested
 * (tests/unit/test_rinfo.c).
 */

#ifndef NGX_PA_RINFO_H
#define NGX_PA_RINFO_H

#include <stddef.h>


#define NGX_PA_RINFO_POLICY_LEN  32     /* room for a policy's name */


/*
 * INFO's text (its "memory" section at least): 1 when maxmemory is set
 * and maxmemory_policy is not noeviction, its name copied into policy
 * (NUL-terminated, cut to NGX_PA_RINFO_POLICY_LEN - 1); 0 when it cannot
 * evict; -1 when the fields are not there (an older Redis, a proxy).
 */
int ngx_pa_rinfo_evicts(const char *info, size_t len, char *policy);


#endif /* NGX_PA_RINFO_H */
