/*
 * Reading the Lua files of redis-scripts/, with the prelude a script's
 * first line asks for (ngx_pa_prelude.h, redis-scripts/lib/), and the
 * SHA1 of the text as loaded (what EVALSHA names).
 */

#include "ngx_pa_scripts.h"
#include "ngx_pa_prelude.h"

#include <openssl/sha.h>


/* indexed by ngx_pa_script_e; every one of them must exist */
static const char  *ngx_pa_script_names[NGX_PA_SCRIPT_LAST] = {
    "submit",
    "act",
    "get",
    "queue",
    "public",
    "stats",
    "sweep",
    "limit",
    "open311",
    "revoke",
    "open311_updates",
    "metrics",
    "retention_read",
    "retention_purge",
    "orphan_refs",
    "upload_create",
    "upload_set",
    "upload_get",
    "upload_delete",
    "notify_fail",
    "notify_take",
    "notify_done",
    "notify_replay",
    "notify_list",
    "notify_read",
    "notify_prune",
};


static ngx_int_t ngx_pa_scripts_read(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out);
static ngx_int_t ngx_pa_scripts_prelude(ngx_conf_t *cf, ngx_str_t *dir,
    ngx_pa_script_t *s);


char *
ngx_pa_scripts_load(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    u_char           *p;
    size_t            len;
    ngx_str_t         path;
    ngx_uint_t        i, k;
    ngx_pa_script_t  *s;
    u_char            md[SHA_DIGEST_LENGTH];

    for (i = 0; i < NGX_PA_SCRIPT_LAST; i++) {
        s = &pmcf->scripts[i];

        s->name.data = (u_char *) ngx_pa_script_names[i];
        s->name.len = ngx_strlen(ngx_pa_script_names[i]);

        len = pmcf->scripts_dir.len + 1 + s->name.len + sizeof(".lua");
        path.data = ngx_pnalloc(cf->pool, len);
        if (path.data == NULL) {
            return NGX_CONF_ERROR;
        }

        p = ngx_sprintf(path.data, "%V/%V.lua%Z", &pmcf->scripts_dir,
                        &s->name);
        path.len = p - path.data - 1;

        s->path = path;

        if (ngx_pa_scripts_read(cf, &path, &s->body) != NGX_OK
            || ngx_pa_scripts_prelude(cf, &pmcf->scripts_dir, s) != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        SHA1(s->body.data, s->body.len, md);

        for (k = 0; k < SHA_DIGEST_LENGTH; k++) {
            (void) ngx_sprintf(&s->sha1[k * 2], "%02xd", md[k]);
        }

        s->sha1[40] = '\0';
    }

    return NGX_CONF_OK;
}


/*
 * The libraries the first line names, each joined into one line, before
 * that line: the script's lines keep their numbers (line 1 is the
 * prelude), and the text Redis compiles is the one hashed.
 */

static ngx_int_t
ngx_pa_scripts_prelude(ngx_conf_t *cf, ngx_str_t *dir, ngx_pa_script_t *s)
{
    int                     n, i;
    long                    len;
    size_t                  size, line;
    u_char                 *p, *body;
    ngx_str_t               path, lib[NGX_PA_PRELUDE_MAX];
    ngx_pa_prelude_name_t   names[NGX_PA_PRELUDE_MAX];

    n = ngx_pa_prelude_uses((char *) s->body.data, s->body.len, names,
                            NGX_PA_PRELUDE_MAX);
    if (n == 0) {
        return NGX_OK;
    }

    if (n < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" line 1: a \"--! uses:\" line names at "
                           "most %d libraries of [a-z0-9_] (%d bytes)",
                           &s->path, NGX_PA_PRELUDE_MAX, NGX_PA_PRELUDE_NAME);
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        size = dir->len + sizeof("/lib/.lua") + names[i].len;
        path.data = ngx_pnalloc(cf->pool, size);
        if (path.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(path.data, "%V/lib/%*s.lua%Z", dir, names[i].len,
                        names[i].data);
        path.len = p - path.data - 1;

        if (ngx_pa_scripts_read(cf, &path, &lib[i]) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" line 1 uses \"%*s\"", &s->path,
                               names[i].len, names[i].data);
            return NGX_ERROR;
        }
    }

    size = s->body.len;

    for (i = 0; i < n; i++) {
        size += lib[i].len + 1;
    }

    body = ngx_pnalloc(cf->pool, size + 1);
    if (body == NULL) {
        return NGX_ERROR;
    }

    p = body;

    for (i = 0; i < n; i++) {
        len = ngx_pa_prelude_join((char *) lib[i].data, lib[i].len,
                                  (char *) p, &line);
        if (len < 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V/lib/%*s.lua\" line %uz cannot join "
                               "the prelude's one line: comments on their "
                               "own lines, no \"[[\", \"[=\" or string "
                               "continued by \"\\\"", dir, names[i].len,
                               names[i].data, line);
            return NGX_ERROR;
        }

        p += len;
    }

    /* what the log names when Redis refuses the text (line 1) */

    s->uses.data = (u_char *) names[0].data;
    s->uses.len = names[n - 1].data + names[n - 1].len - names[0].data;

    p = ngx_cpymem(p, s->body.data, s->body.len);
    *p = '\0';

    s->body.data = body;
    s->body.len = p - body;

    return NGX_OK;
}


ngx_uint_t
ngx_pa_scripts_noscript(const char *err, size_t len)
{
    return len >= 8 && ngx_strncmp(err, "NOSCRIPT", 8) == 0;
}


static ngx_int_t
ngx_pa_scripts_read(ngx_conf_t *cf, ngx_str_t *path, ngx_str_t *out)
{
    ssize_t          n;
    ngx_file_t       file;
    ngx_file_info_t  fi;

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = *path;
    file.log = cf->log;

    file.fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", path);
        return NGX_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", path);
        goto failed;
    }

    out->len = (size_t) ngx_file_size(&fi);
    out->data = ngx_pnalloc(cf->pool, out->len + 1);
    if (out->data == NULL) {
        goto failed;
    }

    n = ngx_read_file(&file, out->data, out->len, 0);
    if (n != (ssize_t) out->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read script \"%V\"", path);
        goto failed;
    }

    out->data[out->len] = '\0';

    (void) ngx_close_file(file.fd);
    return NGX_OK;

failed:

    (void) ngx_close_file(file.fd);
    return NGX_ERROR;
}
