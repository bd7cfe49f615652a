/*
 * Unit tests of Redis's clock seen from a worker (ngx_pa_rclock.c): when
 * to ask, which readings are taken, and the deadlines a script gets.
 */

#include <string.h>

#include "ngx_pa_rclock.h"
#include "pa_unit.h"


static int
reply(ngx_pa_rclock_t *c, const char *sec, const char *usec, uint64_t now,
    uint64_t max_rtt)
{
    return ngx_pa_rclock_reply(c, sec, strlen(sec), usec, strlen(usec), now,
                               max_rtt);
}


int
main(void)
{
    char             buf[NGX_PA_RCLOCK_LEN];
    ngx_pa_rclock_t  c;

    memset(&c, 0, sizeof(c));

    /* unknown: no deadline, asked at once */
    PA_IS_INT(ngx_pa_rclock_deadline(&c, 5000, 1000, buf), 0,
              "no reading yet: no deadline");
    PA_OK(ngx_pa_rclock_due(&c, 5000), "no reading yet: ask");

    ngx_pa_rclock_ask(&c, 5000);
    PA_OK(!ngx_pa_rclock_due(&c, 5001), "a TIME in flight: not again");

    /* Redis is an hour ahead of the worker's monotonic ms: nothing cares */
    PA_IS_INT(reply(&c, "1796000000", "250999", 5003, 500), 0,
              "a reply 3 ms after the ask is taken");
    PA_IS_INT(c.offset, 1796000000250LL - 5003, "offset at the reply's ms");
    PA_IS_INT(ngx_pa_rclock_deadline(&c, 6000, 1000, buf),
              (int) strlen("1796000002247"), "a deadline's length");
    PA_IS_STR(buf, "1796000002247",
              "sent at 6000, waited 1000: Redis's 1796000002247");

    /* read again only after NGX_PA_RCLOCK_EVERY */
    PA_OK(!ngx_pa_rclock_due(&c, 5003 + NGX_PA_RCLOCK_EVERY - 1),
          "a fresh reading: no ask");
    PA_OK(ngx_pa_rclock_due(&c, 5003 + NGX_PA_RCLOCK_EVERY),
          "a reading of EVERY ms ago: ask");

    /* a slow round trip (Redis stopped mid-ask) is not taken */
    ngx_pa_rclock_ask(&c, 20000);
    PA_IS_INT(reply(&c, "1796009999", "0", 28000, 500), 1,
              "8 s round trip: not taken");
    PA_IS_INT(c.offset, 1796000000250LL - 5003, "the old offset stays");
    PA_OK(ngx_pa_rclock_due(&c, 28000),
          "asked again at once: the last ask was 8 s ago");
    ngx_pa_rclock_ask(&c, 28000);
    PA_IS_INT(reply(&c, "1796009999", "0", 28600, 500), 1,
              "600 ms round trip: not taken");
    PA_OK(!ngx_pa_rclock_due(&c, 28000 + NGX_PA_RCLOCK_RETRY - 1),
          "not asked again before RETRY after the last ask");
    PA_OK(ngx_pa_rclock_due(&c, 28000 + NGX_PA_RCLOCK_RETRY),
          "asked again RETRY ms after the last ask");

    /* garbage is not a time */
    ngx_pa_rclock_ask(&c, 30000);
    PA_IS_INT(reply(&c, "17x", "0", 30001, 500), -1, "not a number");
    ngx_pa_rclock_ask(&c, 30000);
    PA_IS_INT(reply(&c, "1", "1000000", 30001, 500), -1, "usec too big");
    ngx_pa_rclock_ask(&c, 30000);
    PA_IS_INT(reply(&c, "", "1", 30001, 500), -1, "empty seconds");
    PA_OK(!c.asking, "a bad reply ends the ask");

    /* a lost connection ends the ask too */
    ngx_pa_rclock_ask(&c, 40000);
    ngx_pa_rclock_lost(&c);
    PA_OK(!c.asking, "lost: nothing in flight");

    /* a slow reading is read again within RETRY, not EVERY */
    memset(&c, 0, sizeof(c));
    ngx_pa_rclock_ask(&c, 1000);
    PA_IS_INT(reply(&c, "100", "0", 1100, 500), 0, "a 100 ms reading");
    PA_OK(!ngx_pa_rclock_due(&c, 1100 + NGX_PA_RCLOCK_RETRY - 1),
          "slow: not before RETRY");
    PA_OK(ngx_pa_rclock_due(&c, 1100 + NGX_PA_RCLOCK_RETRY),
          "slow: again after RETRY");

    /* a better reading replaces it, a worse one of soon after does not */
    ngx_pa_rclock_ask(&c, 2200);
    PA_IS_INT(reply(&c, "101", "200000", 2202, 500), 0, "a 2 ms reading taken");
    PA_IS_INT(c.offset, 101200 - 2202, "its offset");
    ngx_pa_rclock_ask(&c, 3300);
    PA_IS_INT(reply(&c, "102", "400000", 3350, 500), 2,
              "a 50 ms reading 1.1 s after a 2 ms one: not taken");
    PA_IS_INT(c.offset, 101200 - 2202, "the better offset stays");
    ngx_pa_rclock_ask(&c, 2202 + NGX_PA_RCLOCK_EVERY);
    PA_IS_INT(reply(&c, "111", "0", 2252 + NGX_PA_RCLOCK_EVERY, 500), 0,
              "a 50 ms reading once the 2 ms one is EVERY old: taken");

    /* a refusal back too soon: the offset is wrong, no deadline, ask now */
    memset(&c, 0, sizeof(c));
    ngx_pa_rclock_ask(&c, 1000);
    PA_IS_INT(reply(&c, "100", "0", 1001, 500), 0, "a 1 ms reading");
    PA_IS_INT(ngx_pa_rclock_refused(&c, 1200, 1000), 0,
              "refused 1.2 s after sending, the deadline 1 s: right");
    PA_IS_INT(ngx_pa_rclock_refused(&c, 997, 1000), 0,
              "refused within the reading's round trip and 2 ms: right");
    PA_OK(!c.stale, "the clock is not stale");
    PA_IS_INT(ngx_pa_rclock_refused(&c, 300, 1000), 1,
              "refused 0.3 s after sending: the offset is wrong");
    PA_IS_INT(ngx_pa_rclock_deadline(&c, 1400, 1000, buf), 0,
              "stale: no deadline");
    PA_OK(ngx_pa_rclock_due(&c, 1400), "stale: asked on the next call");
    ngx_pa_rclock_ask(&c, 1400);
    PA_OK(!ngx_pa_rclock_due(&c, 1401), "... once");
    ngx_pa_rclock_lost(&c);
    PA_OK(!ngx_pa_rclock_due(&c, 1400 + NGX_PA_RCLOCK_RETRY / 10 - 1),
          "stale, the reading lost: not again within RETRY / 10");
    PA_OK(ngx_pa_rclock_due(&c, 1400 + NGX_PA_RCLOCK_RETRY / 10),
          "... but after it");
    ngx_pa_rclock_ask(&c, 1400);
    PA_IS_INT(reply(&c, "200", "0", 1420, 500), 0,
              "the next reading is taken though slower");
    PA_OK(ngx_pa_rclock_deadline(&c, 1500, 1000, buf) > 0,
          "a deadline again");
    PA_IS_STR(buf, "201080", "from the new offset");

    /* a Redis clock behind the worker's: a negative offset works too */
    memset(&c, 0, sizeof(c));
    ngx_pa_rclock_ask(&c, 900000);
    PA_IS_INT(reply(&c, "100", "500000", 900010, 500), 0, "taken");
    ngx_pa_rclock_deadline(&c, 900020, 1000, buf);
    PA_IS_STR(buf, "101510", "100.5 s + 10 ms + 1000 ms");

    PA_DONE();
}
