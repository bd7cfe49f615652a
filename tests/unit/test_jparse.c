/*
 * Unit tests of the JSON body parser (ngx_pa_jparse.c): whatever it
 * parses, json_loadb() parses to the same values in the same order
 * (compared by json_equal() and by their dump, reals at 17 digits); what
 * json_loadb() refuses it never takes.  Fixed bodies, then 100000
 * mutations of a submission.
 */

#include <stdlib.h>

#include <jansson.h>

#include "ngx_pa_jparse.h"
#include "pa_unit.h"


/* 1: ours agrees with jansson; *took: ours parsed it */

static int
agrees(const char *s, size_t len, int *took)
{
    int      ok;
    char    *a, *b;
    json_t  *mine, *theirs;

    mine = ngx_pa_jparse_object((const u_char *) s, len);
    theirs = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);

    *took = (mine != NULL);

    if (mine == NULL) {
        json_decref(theirs);
        return 1;
    }

    ok = theirs != NULL && json_equal(mine, theirs);

    if (ok) {
        a = json_dumps(mine, JSON_PRESERVE_ORDER | JSON_COMPACT);
        b = json_dumps(theirs, JSON_PRESERVE_ORDER | JSON_COMPACT);
        ok = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
    }

    if (!ok) {
        printf("#   differs on: %.*s\n", (int) len, s);
    }

    json_decref(mine);
    json_decref(theirs);

    return ok;
}


int
main(void)
{
    int          i, k, took, all, taken;
    char         buf[512];
    size_t       len, tlen;
    const char  *fixed[] = {
        "{}", " {\"a\":1} ", "{\"a\":\"b\",\"c\":[1,2.5,-0,true,false,null]}",
        "{\"content\":\"\xe1\xbb\x94 g\xc3\xa0\",\"lat\":22.396,"
        "\"lng\":103.458,\"x\":{\"y\":{\"z\":[]}}}",
        "{\"e\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}",
        "{\"a\\nb\":1,\"a\\nc\":\"\\t\"}",
        "{\"n\":-12.5e+3,\"m\":1E2,\"o\":0.0,\"p\":-0.0}",
        "{\"big\":9223372036854775807,\"neg\":-9223372036854775808}",
        "{\"a\":1,\"a\":2}", "{\"u\":\"\\u00e0\"}", "{\"a\":01}",
        "{\"a\":1e999}", "{\"a\":9223372036854775808}", "{\"a\":1e-400}",
        "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", "{\"a\":1}x", "[1]", "1",
        "{\"a\":tru}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}",
        "{,}", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\" 1}", "", "   ",
        "{\"a\":\"unterminated}", "{\"a\":\"esc\\\"}", "{\"a\":\"bad\\x\"}",
        NULL
    };
    const char  *body = "{\"content\":\"\xe1\xbb\x94 g\xc3\xa0 l\xe1\xbb\x9bn"
                        " \\\"x\\\" tr\xc3\xaan\",\"title\":\"\xe1\xbb\x94\","
                        "\"category\":\"traffic\",\"lat\":22.396,"
                        "\"lng\":103.458,\"reporter_phone\":\"0912345678\","
                        "\"publish_identity\":true,\"n\":[1,-2,3.5e1,null],"
                        "\"o\":{\"k\":false}}";

    all = 1;

    for (i = 0; fixed[i]; i++) {
        all &= agrees(fixed[i], strlen(fixed[i]), &took);
    }

    PA_OK(all, "fixed bodies: what it takes, jansson reads the same");

    PA_OK(agrees(body, strlen(body), &took) && took,
          "a submission is parsed here");

    PA_OK(agrees("{\"a\":1,\"a\":2}", 13, &took) && !took,
          "a name twice is left to jansson (its error)");

    PA_OK(agrees("{\"u\":\"\\u00e0\"}", 14, &took) && !took,
          "a \\u escape is left to jansson");

    /* mutations: a byte replaced, removed or doubled, twice */

    srand(99);
    tlen = strlen(body);
    all = 1;
    taken = 0;

    for (i = 0; i < 100000 && all; i++) {
        static const char  bytes[] = "{}[]\",:\\/0123456789.eE+-tfn \t\n"
                                     "\x01\x80\xc3\xe1\xff";

        memcpy(buf, body, tlen);
        len = tlen;

        for (k = 0; k < 2; k++) {
            size_t  at = (size_t) rand() % len;

            switch (rand() % 3) {
            case 0:
                buf[at] = bytes[rand() % (sizeof(bytes) - 1)];
                break;
            case 1:
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default:
                memmove(buf + at + 1, buf + at, len - at);
                len++;
            }
        }

        all = agrees(buf, len, &took);
        taken += took;
    }

    PA_OK(all, "100000 mutated submissions: what it takes, jansson reads "
          "the same (%d taken)", taken);
    PA_OK(taken > 1000, "and it takes some of them");

    PA_DONE();
}
