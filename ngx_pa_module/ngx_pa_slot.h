/*
 * Redis Cluster's key slots: CRC16 (XMODEM: polynomial 0x1021, initial
 * value 0) of the key, or of its hash tag, modulo 16384, as Redis'
 * cluster specification defines it.  Pure C, no nginx headers:
 * unit-tested on its own (tests/unit/test_slot.c).
 */

#ifndef NGX_PA_SLOT_H
#define NGX_PA_SLOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>


#define NGX_PA_SLOTS  16384

uint16_t ngx_pa_crc16(const u_char *p, size_t len);

/*
 * The slot of a key: of the text between the first '{' and the first
 * '}' after it when that is not empty, else of the whole key.
 */
unsigned ngx_pa_slot(const u_char *key, size_t len);

#endif /* NGX_PA_SLOT_H */
