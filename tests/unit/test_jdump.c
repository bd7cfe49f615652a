/*
 * Unit tests of the compact dump (ngx_pa_jdump.c): the same bytes as
 * jansson's json_dumps() with JSON_COMPACT, names sorted or in order,
 * reals at 17 and at 10 digits, on fixed values and 20000 random ones.
 */

#include <stdlib.h>

#include <jansson.h>

#include "ngx_pa_jdump.h"
#include "pa_unit.h"


typedef struct {
    char    *p;
    size_t   len;
    size_t   size;
} text_t;


static int
collect(const u_char *p, size_t len, void *data)
{
    text_t  *t = data;

    if (t->len + len + 1 > t->size) {
        t->size = (t->len + len + 1) * 2;
        t->p = realloc(t->p, t->size);
    }

    memcpy(t->p + t->len, p, len);
    t->len += len;
    t->p[t->len] = '\0';

    return 0;
}


static int
same(json_t *v, int sort, int precision)
{
    int      ok;
    char    *want;
    text_t   t = { NULL, 0, 0 };

    want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY
                         | (sort ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER)
                         | JSON_REAL_PRECISION(precision));

    ok = ngx_pa_jdump(v, sort, precision, collect, &t) == 0
         && want != NULL && t.p != NULL && strcmp(want, t.p) == 0;

    if (!ok) {
        printf("#   want %s\n#   got  %s\n", want, t.p);
    }

    free(want);
    free(t.p);

    return ok;
}


static json_t *
random_value(int depth)
{
    int      i, n;
    char     s[16];
    json_t  *v;
    static const double  reals[] = {
        0.0, -0.0, 1.0, 22.396, 103.458, 1e21, 1e-7, 123456789012.5,
        -3.5e-300, 2.5e300, 1.0 / 3, 100.0, 0.1
    };
    static const char  chars[] = "abzAZ09 _\"\\/\n\t\x01\x7f";

    switch (depth > 2 ? rand() % 5 : rand() % 7) {
    case 0:
        n = rand() % 6;
        for (i = 0; i < n; i++) {
            s[i] = chars[rand() % (sizeof(chars) - 1)];
        }
        return json_stringn(s, n);
    case 1:
        return json_integer((json_int_t) rand() * (rand() % 2 ? -1 : 1)
                            * (rand() % 3 ? 1 : 1000003));
    case 2:
        return json_real(reals[rand() % (sizeof(reals) / sizeof(reals[0]))]
                         * (rand() % 4 ? 1 : (rand() % 1000) / 7.0));
    case 3:
        return rand() % 2 ? json_true() : json_null();
    case 4:
        return json_false();
    case 5:
        v = json_array();
        n = rand() % 4;
        for (i = 0; i < n; i++) {
            json_array_append_new(v, random_value(depth + 1));
        }
        return v;
    default:
        v = json_object();
        n = rand() % 6;
        for (i = 0; i < n; i++) {
            int  k, kl = 1 + rand() % 4;

            for (k = 0; k < kl; k++) {
                s[k] = "abcAB_\xc3\xa0"[rand() % 7];
            }
            s[kl] = '\0';
            json_object_set_new(v, s, random_value(depth + 1));
        }
        return v;
    }
}


int
main(void)
{
    int      i, all;
    json_t  *v;

    v = json_loads("{\"z\":1,\"content\":\"\xe1\xbb\x94 g\xc3\xa0 \\\"x\\\"\","
                   "\"lat\":22.396,\"lng\":103.458,\"a\":[true,false,null,"
                   "{\"y\":-1,\"b\":2.5e-10}],\"ab\":{},\"aa\":[],"
                   "\"big\":-9223372036854775808}", 0, NULL);

    PA_OK(v != NULL, "a body");
    PA_OK(same(v, 1, 0), "sorted, 17 digits: jansson's bytes");
    PA_OK(same(v, 0, 10), "in order, 10 digits: jansson's bytes");
    json_decref(v);

    v = json_object();
    json_object_set_new(v, "long", json_string(
        "a long text of more than two kilobytes follows.................."));
    {
        char  big[5000];

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        json_object_set_new(v, "big", json_string(big));
    }
    PA_OK(same(v, 1, 0), "a string longer than a block");
    json_decref(v);

    srand(2026);
    all = 1;

    for (i = 0; i < 20000 && all; i++) {
        v = random_value(0);
        all = same(v, i % 2, (i % 3) ? 0 : 10);
        json_decref(v);
    }

    PA_OK(all, "20000 random values: jansson's bytes");

    PA_DONE();
}
