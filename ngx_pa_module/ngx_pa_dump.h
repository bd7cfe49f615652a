/*
 * A new report's record as Redis's own serialisation of a hash (issue
 * 12): the payload DUMP would give of the hash HSET makes (a listpack,
 * RDB type 16, RDB version 10, CRC-64), which submit.lua creates with one
 * RESTORE.  One argument instead of a name and a value per field: Redis
 * neither parses, converts nor inserts them one by one, and its AOF gets
 * one string.  The bytes are those DUMP gives of the same fields set in
 * the same order while every value fits hash-max-listpack-value
 * (t/048-submit-record-dump.t compares them with Redis's); with a longer
 * one HSET made a hash table and RESTORE keeps the listpack (the same
 * fields; Redis converts it at a later write of a long value).
 *
 * Written as: the entries' lengths summed (ngx_pa_dump_entry_len), the
 * payload's length from that (ngx_pa_dump_len), the head, each name and
 * value in order, the tail.  The caller gives each name once: Redis
 * refuses a payload with a field twice when it checks payloads deeply
 * (sanitize-dump-payload yes).  Pure C, no nginx header.
 */

#ifndef NGX_PA_DUMP_H
#define NGX_PA_DUMP_H

#include <stddef.h>
#include <stdint.h>


/* the bytes one name or value takes in the listpack */
size_t ngx_pa_dump_entry_len(const unsigned char *s, size_t len);

/* the payload's bytes, the entries taking elen bytes in all */
size_t ngx_pa_dump_len(size_t elen);

/* the payload's head: its type, its length, the listpack's header (n:
 * names and values, twice the fields) */
unsigned char *ngx_pa_dump_head(unsigned char *p, size_t elen, size_t n);

/* one name or value */
unsigned char *ngx_pa_dump_entry(unsigned char *p, const unsigned char *s,
    size_t len);

/*
 * Redis's CRC-64 (Jones, reflected, no final xor), eight bytes a step
 * ("slicing by 8"): the byte table and the seven of a byte followed by
 * zeros, 16 KB made once by ngx_pa_crc64_init() (a byte a step, the CRC
 * of each record took ~4 % of a worker's CPU a submit).
 */
typedef struct ngx_pa_crc64_s  ngx_pa_crc64_t;

struct ngx_pa_crc64_s {
    uint64_t  t[8][256];
};

void ngx_pa_crc64_init(ngx_pa_crc64_t *c);
uint64_t ngx_pa_crc64(const ngx_pa_crc64_t *c, uint64_t crc,
    const unsigned char *p, size_t len);

/* the listpack's end, the RDB version and the CRC-64 of all from start */
unsigned char *ngx_pa_dump_tail(const ngx_pa_crc64_t *c,
    unsigned char *start, unsigned char *p);

#endif /* NGX_PA_DUMP_H */
