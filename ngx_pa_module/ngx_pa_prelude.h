/*
 * The Lua prelude of redis-scripts/: the functions several scripts share
 * live once in redis-scripts/lib/<name>.lua, and a script that needs them
 * says so on its first line ("--! uses: qscore fold").  The text loaded
 * into Redis is the libraries' code joined into one line, then the
 * script from its first line on: the libraries' code stands before that
 * comment line, so every line of the script keeps its number in Redis'
 * error messages (line 1 is the prelude).  Pure C, no nginx headers: the
 * module's loader and bin/pa-script (every other loader) share it.
 */

#ifndef NGX_PA_PRELUDE_H
#define NGX_PA_PRELUDE_H

#include <stddef.h>


#define NGX_PA_PRELUDE_MAX   8         /* libraries a script may name */
#define NGX_PA_PRELUDE_NAME  32        /* bytes of a library's name */

typedef struct {
    const char  *data;
    size_t       len;
} ngx_pa_prelude_name_t;


/*
 * The libraries a script's first line names: their count (0 when that
 * line is not "--! uses: ..."), or -1 when a name is not [a-z0-9_]+ of
 * at most NGX_PA_PRELUDE_NAME bytes or more than max are named.
 */
int ngx_pa_prelude_uses(const char *text, size_t len,
    ngx_pa_prelude_name_t *names, int max);

/*
 * A library's code as one line, then a space, into out (len + 1 bytes
 * at least): comment lines, blank lines and indentation go.  A line that
 * could not be joined (a comment after code, a long string or comment
 * "[[", a string continued by "\") makes it return -1 with *line its
 * number; else the bytes written.
 */
long ngx_pa_prelude_join(const char *lib, size_t len, char *out,
    size_t *line);

#endif /* NGX_PA_PRELUDE_H */
