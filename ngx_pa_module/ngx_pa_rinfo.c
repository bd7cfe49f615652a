/*
 * INFO's text read for what the module must know of its Redis
 * (ngx_pa_rinfo.h).  Lines are "name:value\r\n", sections start with
 * "# Name".
 */

#include <string.h>

#include "ngx_pa_rinfo.h"


static const char *ngx_pa_rinfo_field(const char *p, const char *last,
    const char *name, size_t *len);


int
ngx_pa_rinfo_evicts(const char *info, size_t len, char *policy)
{
    size_t       n, m;
    const char  *last, *max, *pol;

    last = info + len;

    max = ngx_pa_rinfo_field(info, last, "maxmemory", &m);
    pol = ngx_pa_rinfo_field(info, last, "maxmemory_policy", &n);

    if (max == NULL || pol == NULL || m == 0 || n == 0) {
        return -1;
    }

    /* no limit: nothing is ever evicted, whatever the policy says */

    if (m == 1 && max[0] == '0') {
        return 0;
    }

    if (n == sizeof("noeviction") - 1 && memcmp(pol, "noeviction", n) == 0) {
        return 0;
    }

    if (n > NGX_PA_RINFO_POLICY_LEN - 1) {
        n = NGX_PA_RINFO_POLICY_LEN - 1;
    }

    memcpy(policy, pol, n);
    policy[n] = '\0';

    return 1;
}


/* the value of the line "name:value" (its length in len), or NULL */

static const char *
ngx_pa_rinfo_field(const char *p, const char *last, const char *name,
    size_t *len)
{
    size_t       nlen;
    const char  *eol, *v;

    nlen = strlen(name);

    while (p < last) {
        eol = memchr(p, '\n', last - p);
        if (eol == NULL) {
            eol = last;
        }

        if ((size_t) (eol - p) > nlen && memcmp(p, name, nlen) == 0
            && p[nlen] == ':')
        {
            v = p + nlen + 1;
            *len = eol - v;

            if (*len && v[*len - 1] == '\r') {
                (*len)--;
            }

            return v;
        }

        if (eol == last) {
            break;
        }

        p = eol + 1;
    }

    return NULL;
}
