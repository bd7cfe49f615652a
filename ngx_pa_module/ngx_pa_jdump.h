/*
 * jansson's compact dump of a value, written faster: the same bytes as
 * json_dump_callback(v, out, data, JSON_COMPACT [| JSON_SORT_KEYS]
 * [| JSON_REAL_PRECISION(n)]), handed to out() in blocks.  For the values
 * the submission encodes on every request (the submission's print, its
 * 201).  Pure C + jansson.
 */

#ifndef NGX_PA_JDUMP_H
#define NGX_PA_JDUMP_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>


/* 0, or -1 to stop */
typedef int (*ngx_pa_jdump_pt)(const u_char *p, size_t len, void *data);

/*
 * sort: names in an object sorted as JSON_SORT_KEYS does, else in their
 * order; precision: of reals, 0 for jansson's 17.  0, or -1 (a string
 * not UTF-8, no memory, out() said stop).
 */
int ngx_pa_jdump(json_t *v, int sort, int precision, ngx_pa_jdump_pt out,
    void *data);

#endif /* NGX_PA_JDUMP_H */
