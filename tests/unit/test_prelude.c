/*
 * Unit tests of the Lua prelude (TAP): the "--! uses:" line a script
 * starts with, and a library joined into the one line that keeps the
 * script's line numbers.
 */

#include <stdlib.h>
#include <string.h>

#include "ngx_pa_prelude.h"
#include "pa_unit.h"


static ngx_pa_prelude_name_t  names[NGX_PA_PRELUDE_MAX];


static int
uses(const char *text)
{
    return ngx_pa_prelude_uses(text, strlen(text), names,
                               NGX_PA_PRELUDE_MAX);
}


/* the joined text, or "ERR <line>" */
static const char *
join(const char *lib)
{
    long           n;
    size_t         line;
    static char    out[1024];

    n = ngx_pa_prelude_join(lib, strlen(lib), out, &line);
    if (n < 0) {
        snprintf(out, sizeof(out), "ERR %zu", line);
        return out;
    }

    out[n] = '\0';
    return out;
}


int
main(void)
{
    char  big[64];

    PA_IS_INT(uses("--! uses: qscore fold\n-- act.lua\n"), 2,
              "two libraries named");
    PA_OK(names[0].len == 6 && memcmp(names[0].data, "qscore", 6) == 0
          && names[1].len == 4 && memcmp(names[1].data, "fold", 4) == 0,
          "their names, in order");
    PA_IS_INT(uses("--! uses:qscore\r\n"), 1, "no space, CRLF");
    PA_IS_INT(uses("-- act.lua: one action\n--! uses: fold\n"), 0,
              "only the first line names a prelude");
    PA_IS_INT(uses("--! uses:\n"), 0, "an empty list: none");
    PA_IS_INT(uses("--! uses: q-score\n"), -1, "a name with a '-'");
    PA_IS_INT(uses("--! uses: ../etc\n"), -1, "a path is not a name");
    PA_IS_INT(uses("--! uses: a b c d e f g h i\n"), -1,
              "more than NGX_PA_PRELUDE_MAX names");

    memset(big, 'a', 50);
    memcpy(big, "--! uses: ", 10);
    big[50] = '\0';
    PA_IS_INT(uses(big), -1, "a name longer than NGX_PA_PRELUDE_NAME");

    PA_IS_STR(join("-- lib/x.lua: why\n--\nlocal B = 1\n\n"
                   "local function f(h)\n    return h.a ~= nil\nend\n"),
              "local B = 1 local function f(h) return h.a ~= nil end ",
              "comment lines, blank lines and indentation go");
    PA_IS_STR(join("local s = '[^;]+'\r\nlocal d = a - b"),
              "local s = '[^;]+' local d = a - b ",
              "CRLF and a last line without newline");
    PA_IS_STR(join("local a = 1\nlocal b = 2 -- why\n"), "ERR 2",
              "a comment after code is refused, with its line");
    PA_IS_STR(join("local a = 1\n\nlocal s = [[x]]\n"), "ERR 3",
              "a long string is refused");
    PA_IS_STR(join("local s = [==[x]==]\n"), "ERR 1",
              "a long string with '=' is refused");
    PA_IS_STR(join("local s = 'a\\\nb'\n"), "ERR 1",
              "a string continued on the next line is refused");
    PA_IS_STR(join("-- only a comment\n"), "", "a library of comments");

    PA_DONE();
}
