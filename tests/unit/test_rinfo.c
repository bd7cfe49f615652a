/*
 * Unit tests of INFO read at connect (ngx_pa_rinfo.c): whether the Redis
 * may evict keys.
 */

#include <string.h>

#include "ngx_pa_rinfo.h"
#include "pa_unit.h"


static int
evicts(const char *info, char *policy)
{
    return ngx_pa_rinfo_evicts(info, strlen(info), policy);
}


int
main(void)
{
    char  p[NGX_PA_RINFO_POLICY_LEN];

    /* Redis 7's memory section, as it comes (CRLF) */
    PA_IS_INT(evicts("# Memory\r\nused_memory:1032\r\nmaxmemory:0\r\n"
                     "maxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n",
                     p), 0, "no limit, noeviction: never evicts");
    PA_IS_INT(evicts("# Memory\r\nmaxmemory:0\r\n"
                     "maxmemory_policy:allkeys-lru\r\n", p), 0,
              "no limit: the policy is never used");
    PA_IS_INT(evicts("# Memory\r\nmaxmemory:104857600\r\n"
                     "maxmemory_human:100.00M\r\n"
                     "maxmemory_policy:noeviction\r\n", p), 0,
              "a limit, noeviction: refuses writes instead");

    memset(p, 'x', sizeof(p));
    PA_IS_INT(evicts("# Memory\r\nmaxmemory:104857600\r\n"
                     "maxmemory_policy:allkeys-lru\r\nallocator_frag:1\r\n",
                     p), 1, "a limit, allkeys-lru: evicts");
    PA_IS_STR(p, "allkeys-lru", "... its policy named");
    PA_IS_INT(evicts("maxmemory:1\nmaxmemory_policy:volatile-ttl", p), 1,
              "LF only, the last line without one: volatile-ttl evicts");
    PA_IS_STR(p, "volatile-ttl", "... its policy named");

    /* "maxmemory_human" and "maxmemory_policy" start with "maxmemory" */
    PA_IS_INT(evicts("maxmemory_human:100.00M\r\nmaxmemory_policy:"
                     "allkeys-random\r\nmaxmemory:5\r\n", p), 1,
              "fields in another order: the whole name matched");
    PA_IS_STR(p, "allkeys-random", "... its policy named");

    PA_IS_INT(evicts("maxmemory:5\r\nmaxmemory_policy:a-policy-of-a-name-"
                     "longer-than-the-room-for-it\r\n", p), 1,
              "a long policy name");
    PA_IS_INT((int) strlen(p), NGX_PA_RINFO_POLICY_LEN - 1,
              "... cut to the room");

    PA_IS_INT(evicts("# Server\r\nredis_version:7.0.15\r\n", p), -1,
              "no memory section: unknown");
    PA_IS_INT(evicts("maxmemory:\r\nmaxmemory_policy:allkeys-lru\r\n", p), -1,
              "an empty value: unknown");
    PA_IS_INT(evicts("", p), -1, "nothing: unknown");

    PA_DONE();
}
