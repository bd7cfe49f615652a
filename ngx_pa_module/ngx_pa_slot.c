/*
 * Key slots of Redis Cluster (see the header).  The table-free CRC: a
 * slot is computed once per command on a key of some 30 bytes, and eight
 * shifts a byte cost less than a 512-byte table's cache misses.
 */

#include "ngx_pa_slot.h"


uint16_t
ngx_pa_crc16(const u_char *p, size_t len)
{
    int       bit;
    size_t    i;
    uint16_t  crc;

    crc = 0;

    for (i = 0; i < len; i++) {
        crc ^= (uint16_t) (p[i] << 8);

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000) ? (uint16_t) ((crc << 1) ^ 0x1021)
                                 : (uint16_t) (crc << 1);
        }
    }

    return crc;
}


unsigned
ngx_pa_slot(const u_char *key, size_t len)
{
    size_t  s, e;

    for (s = 0; s < len; s++) {
        if (key[s] == '{') {
            break;
        }
    }

    if (s < len) {
        for (e = s + 1; e < len; e++) {
            if (key[e] == '}') {
                break;
            }
        }

        /* "{}" or no '}': the whole key, as Redis does */

        if (e < len && e != s + 1) {
            return ngx_pa_crc16(key + s + 1, e - s - 1) & (NGX_PA_SLOTS - 1);
        }
    }

    return ngx_pa_crc16(key, len) & (NGX_PA_SLOTS - 1);
}
