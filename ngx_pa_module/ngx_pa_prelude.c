/*
 * The Lua prelude (see the header): parsing a script's "--! uses:" line
 * and joining a library's code into one line.
 */

#include <string.h>

#include "ngx_pa_prelude.h"


#define NGX_PA_USES  "--! uses:"


static int ngx_pa_prelude_has(const char *p, size_t len, char a, char b);


int
ngx_pa_prelude_uses(const char *text, size_t len,
    ngx_pa_prelude_name_t *names, int max)
{
    int          n;
    size_t       i, s;
    const char  *eol;

    if (len < sizeof(NGX_PA_USES) - 1
        || memcmp(text, NGX_PA_USES, sizeof(NGX_PA_USES) - 1) != 0)
    {
        return 0;
    }

    eol = memchr(text, '\n', len);
    len = eol ? (size_t) (eol - text) : len;

    n = 0;
    i = sizeof(NGX_PA_USES) - 1;

    for ( ;; ) {
        while (i < len && (text[i] == ' ' || text[i] == '\t'
                           || text[i] == '\r'))
        {
            i++;
        }

        if (i == len) {
            return n;
        }

        s = i;

        while (i < len && ((text[i] >= 'a' && text[i] <= 'z')
                           || (text[i] >= '0' && text[i] <= '9')
                           || text[i] == '_'))
        {
            i++;
        }

        if (i == s || i - s > NGX_PA_PRELUDE_NAME || n == max
            || (i < len && text[i] != ' ' && text[i] != '\t'
                && text[i] != '\r'))
        {
            return -1;
        }

        names[n].data = text + s;
        names[n].len = i - s;
        n++;
    }
}


long
ngx_pa_prelude_join(const char *lib, size_t len, char *out, size_t *line)
{
    char        *o;
    size_t       n, e;
    const char  *p, *end, *eol;

    o = out;
    p = lib;
    end = lib + len;
    n = 0;

    while (p < end) {
        n++;
        eol = memchr(p, '\n', end - p);
        eol = eol ? eol : end;

        while (p < eol && (*p == ' ' || *p == '\t')) {
            p++;
        }

        e = eol - p;

        while (e && (p[e - 1] == ' ' || p[e - 1] == '\t'
                     || p[e - 1] == '\r'))
        {
            e--;
        }

        /* a comment line goes whole; a comment after code would eat the
         * rest of the joined line */

        if (e && !(e >= 2 && p[0] == '-' && p[1] == '-')) {
            if (ngx_pa_prelude_has(p, e, '-', '-')
                || ngx_pa_prelude_has(p, e, '[', '[')
                || ngx_pa_prelude_has(p, e, '[', '=')
                || p[e - 1] == '\\')
            {
                *line = n;
                return -1;
            }

            memcpy(o, p, e);
            o += e;
            *o++ = ' ';
        }

        p = (eol < end) ? eol + 1 : end;
    }

    return o - out;
}


static int
ngx_pa_prelude_has(const char *p, size_t len, char a, char b)
{
    size_t  i;

    for (i = 1; i < len; i++) {
        if (p[i - 1] == a && p[i] == b) {
            return 1;
        }
    }

    return 0;
}
