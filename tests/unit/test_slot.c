/*
 * Unit tests of Redis Cluster's key slots (ngx_pa_slot.c): each expected
 * value is what Redis 7 itself answers to CLUSTER KEYSLOT, and the CRC
 * check value is the one of the cluster specification (CRC16/XMODEM of
 * "123456789" is 0x31C3).
 */

#include <string.h>

#include "ngx_pa_slot.h"
#include "pa_unit.h"


static unsigned
slot(const char *key)
{
    return ngx_pa_slot((const u_char *) key, strlen(key));
}


int
main(void)
{
    PA_IS_INT(ngx_pa_crc16((const u_char *) "123456789", 9), 0x31c3,
              "CRC16/XMODEM check value of the cluster specification");
    PA_IS_INT(ngx_pa_crc16((const u_char *) "", 0), 0, "empty: 0");

    /* the Redis documentation's examples of CLUSTER KEYSLOT */
    PA_IS_INT(slot("somekey"), 11058, "somekey: 11058 (Redis docs)");
    PA_IS_INT(slot("foo{hash_tag}"), 2515, "foo{hash_tag}: 2515 (Redis docs)");

    PA_IS_INT(slot("foo"), 12182, "foo: 12182");
    PA_IS_INT(slot("bar"), 5061, "bar: 5061");
    PA_IS_INT(slot("123456789"), 12739, "123456789: 12739");

    /* hash tags: the rules of the cluster specification */
    PA_IS_INT(slot("{user1000}.following"), 3443, "a tag at the start");
    PA_IS_INT(slot("foo{bar}{zap}"), 5061, "the first tag only: bar's slot");
    PA_IS_INT(slot("foo{}{bar}"), 8363, "an empty first tag: the whole key");
    PA_IS_INT(slot("foo{{bar}}zap"), 4015, "the tag is \"{bar\"");
    PA_IS_INT(slot("a{b"), 13340, "no closing brace: the whole key");

    /* a tenant's keys all live in its tag's slot */
    PA_IS_INT(slot("pa:{laichau}:r"), 11396, "pa:{laichau}:r: 11396");
    PA_IS_INT(slot("laichau"), 11396, "... the slot of \"laichau\"");
    PA_IS_INT(slot("vinhlong"), 14725, "vinhlong: 14725");
    PA_IS_INT(slot("pa:{it}:all"), 4001, "pa:{it}:all: 4001");

    PA_DONE();
}
