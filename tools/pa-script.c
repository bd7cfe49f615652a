/*
 * pa-script: prints a script of redis-scripts/ as the module loads it
 * into Redis (its prelude of lib/ joined into line 1, ngx_pa_prelude.h),
 * for every other loader: bench/, tests/.  The same C as the module's
 * loader, so the text and its SHA1 are the module's.
 *
 *   build/pa-script redis-scripts/act.lua | redis-cli -x SCRIPT LOAD
 *
 * The libraries are read from lib/ next to the script (bench/ scripts:
 * --lib DIR).  Exit 1 with a message naming file and line on an error.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_pa_prelude.h"


static char *
slurp(const char *path, size_t *len)
{
    FILE    *f;
    char    *buf, *more;
    size_t   cap, n;

    f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }

    cap = 65536;
    n = 0;
    buf = malloc(cap);

    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);

        if (n < cap) {
            break;
        }

        cap *= 2;
        more = realloc(buf, cap);
        if (more == NULL) {
            free(buf);
        }

        buf = more;
    }

    if (buf == NULL || ferror(f)) {
        fprintf(stderr, "pa-script: cannot read %s\n", path);
        fclose(f);
        free(buf);
        return NULL;
    }

    fclose(f);
    *len = n;
    return buf;
}


int
main(int argc, char **argv)
{
    int                     i, n;
    long                    j;
    char                   *script, *lib, *out, path[4096];
    const char             *file, *dir, *slash;
    size_t                  len, llen, line;
    ngx_pa_prelude_name_t   names[NGX_PA_PRELUDE_MAX];

    dir = NULL;

    if (argc == 4 && strcmp(argv[1], "--lib") == 0) {
        dir = argv[2];
        file = argv[3];

    } else if (argc == 2 && argv[1][0] != '-') {
        file = argv[1];

    } else {
        fprintf(stderr, "usage: pa-script [--lib DIR] SCRIPT.lua\n");
        return 2;
    }

    script = slurp(file, &len);
    if (script == NULL) {
        return 1;
    }

    n = ngx_pa_prelude_uses(script, len, names, NGX_PA_PRELUDE_MAX);
    if (n < 0) {
        fprintf(stderr, "%s:1: a \"--! uses:\" line names at most %d "
                "libraries of [a-z0-9_]\n", file, NGX_PA_PRELUDE_MAX);
        return 1;
    }

    for (i = 0; i < n; i++) {
        if (dir != NULL) {
            snprintf(path, sizeof(path), "%s/%.*s.lua", dir,
                     (int) names[i].len, names[i].data);

        } else {
            slash = strrchr(file, '/');
            snprintf(path, sizeof(path), "%.*slib/%.*s.lua",
                     slash ? (int) (slash - file + 1) : 0, file,
                     (int) names[i].len, names[i].data);
        }

        lib = slurp(path, &llen);
        if (lib == NULL) {
            return 1;
        }

        out = malloc(llen + 1);
        if (out == NULL) {
            return 1;
        }

        j = ngx_pa_prelude_join(lib, llen, out, &line);
        if (j < 0) {
            fprintf(stderr, "%s:%zu: cannot join the prelude's one line: "
                    "comments on their own lines, no \"[[\", \"[=\" or "
                    "string continued by \"\\\"\n", path, line);
            return 1;
        }

        fwrite(out, 1, (size_t) j, stdout);
        free(out);
        free(lib);
    }

    fwrite(script, 1, len, stdout);
    free(script);

    return fflush(stdout) == 0 ? 0 : 1;
}
