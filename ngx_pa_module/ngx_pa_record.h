/*
 * A report as stored: the validators that read the request's fields (one
 * JSON object, whether the body was JSON or multipart) and the builder of
 * the flat field/value list the scripts write into the report's hash.
 *
 * Allocation failures while building are sticky (rec->failed) and checked
 * once at the end, so validation code reads top to bottom.
 */

#ifndef NGX_PA_RECORD_H
#define NGX_PA_RECORD_H

#include "ngx_pa.h"
#include "ngx_pa_media.h"

#include <jansson.h>


typedef struct {
    ngx_http_request_t   *request;
    ngx_pa_main_conf_t   *conf;
    json_t               *in;        /* the request's fields */
    ngx_array_t          *fields;    /* ngx_str_t name, value, ... */
    ngx_pa_err_t         *err;
    ngx_uint_t            failed;    /* an allocation failed */
    ngx_str_t             pii[NGX_PA_PII_PARTS];   /* the contact, clear */
    ngx_uint_t            pii_slot;  /* "pii"'s value in fields + 1 */
} ngx_pa_record_t;


ngx_int_t ngx_pa_record_init(ngx_http_request_t *r, ngx_pa_record_t *rec,
    json_t *in, ngx_pa_err_t *err);

/*
 * Readers: NGX_OK with the value (or the default / empty when absent and
 * not required), or NGX_ERROR with rec->err set to the contract's code.
 */
ngx_int_t ngx_pa_record_text(ngx_pa_record_t *rec, const char *name,
    ngx_uint_t required, size_t max_chars, ngx_str_t *out);
ngx_int_t ngx_pa_record_ident(ngx_pa_record_t *rec, const char *name,
    ngx_uint_t required, ngx_str_t *out);
ngx_int_t ngx_pa_record_enum(ngx_pa_record_t *rec, const char *name,
    const char **values, const char **out);
ngx_int_t ngx_pa_record_bool(ngx_pa_record_t *rec, const char *name,
    ngx_int_t *out);
ngx_int_t ngx_pa_record_time(ngx_pa_record_t *rec, const char *name,
    time_t *out);
ngx_int_t ngx_pa_record_position(ngx_pa_record_t *rec, double *lat,
    double *lng, ngx_int_t *found);

/* writers of the stored fields */
void ngx_pa_record_put(ngx_pa_record_t *rec, const char *name,
    ngx_str_t *value);
void ngx_pa_record_put_cstr(ngx_pa_record_t *rec, const char *name,
    const char *value);
void ngx_pa_record_put_int(ngx_pa_record_t *rec, const char *name,
    int64_t n);
void ngx_pa_record_put_double(ngx_pa_record_t *rec, const char *name,
    double d);
/* encodes and stores; takes the reference */
ngx_int_t ngx_pa_record_put_json(ngx_pa_record_t *rec, const char *name,
    json_t *value);
/*
 * seals the reporter's "name", "phone" or "email" into the one envelope
 * "pii" (ngx_pa_pii.h), sealed again with each part added
 */
ngx_int_t ngx_pa_record_seal(ngx_pa_record_t *rec, const char *name,
    ngx_str_t *plain);
char *ngx_pa_record_strdup(ngx_pa_record_t *rec, const char *s);

/* "dl:<step>[@agency]" = due, and {"step","due","agency"?} into dls */
ngx_int_t ngx_pa_record_deadline(ngx_pa_record_t *rec, const char *step,
    ngx_str_t *agency, time_t due, json_t *dls);

json_t *ngx_pa_record_time_json(ngx_pa_record_t *rec, time_t t);
json_t *ngx_pa_time_json(ngx_pa_main_conf_t *pmcf, time_t t);

/* {"id", "type", "size", "taken_at"?, "gps"?, "flags"} of one file */
json_t *ngx_pa_record_media_json(ngx_http_request_t *r, ngx_pa_media_t *m);

/* the history entry {at, role, actor, action, from, to, note} as ARGV */
ngx_int_t ngx_pa_record_history(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    ngx_array_t *args, const char *role, const char *actor,
    const char *action, const char *from, const char *to, ngx_str_t *note);

/* ARGV "n, (member due) x n" for every "dl:" field of fields */
ngx_int_t ngx_pa_record_due_args(ngx_http_request_t *r, ngx_array_t *fields,
    ngx_str_t *id, ngx_array_t *args);

#endif /* NGX_PA_RECORD_H */
