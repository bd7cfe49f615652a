/*
 * The province's directory: agencies (departments, districts, communes,
 * superior bodies...) with their areas for geographic dispatch, and the
 * report categories.  Read from JSON once at configuration time; lookups
 * are pure and need no Redis.  The lookups every route uses are declared
 * in ngx_pa.h; this header adds what views need.
 */

#ifndef NGX_PA_DIRECTORY_H
#define NGX_PA_DIRECTORY_H

#include "ngx_pa.h"


#define NGX_PA_DIR_ID_MAX   63        /* fits a JWT agency claim */

typedef struct {
    ngx_str_t      id;
    ngx_str_t      name;
    ngx_str_t      parent;         /* empty when top level */
    ngx_str_t      kind;
    ngx_uint_t     rank;           /* locality: 0 commune/ward .. 3 other */
    double        *area;           /* lat, lng, lat, lng ... or NULL */
    ngx_uint_t     npoints;
    double         min_lat, max_lat, min_lng, max_lng;
} ngx_pa_agency_t;

typedef struct {
    ngx_str_t      id;
    ngx_str_t      name;
    ngx_str_t      agency;         /* default agency, may be empty */
    ngx_uint_t     urgent;
    void          *attributes;     /* json_t: Open311 service attributes
                                      in the spec's order, or NULL */
} ngx_pa_category_t;

struct ngx_pa_directory_s {
    ngx_array_t    agencies;       /* ngx_pa_agency_t */
    ngx_array_t    categories;     /* ngx_pa_category_t */
    ngx_str_t      file;           /* full path, for messages */
    ngx_str_t      answer;         /* GET /directory, encoded once */
};


/* the agency by id, or NULL (also when no directory is configured) */
ngx_pa_agency_t *ngx_pa_directory_agency(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *id);

/* the category by id, or NULL */
ngx_pa_category_t *ngx_pa_directory_find_category(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *id);

/* lookups of the routes and views; pa_directory */
char *ngx_pa_directory_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_pa_directory_has_agency(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *id);
ngx_int_t ngx_pa_directory_category(ngx_pa_main_conf_t *pmcf, ngx_str_t *id,
    ngx_uint_t *urgent, ngx_str_t *agency);
ngx_int_t ngx_pa_directory_locate(ngx_pa_main_conf_t *pmcf, double lat,
    double lng, ngx_str_t *agency);
ngx_uint_t ngx_pa_directory_within(ngx_pa_main_conf_t *pmcf,
    ngx_str_t *agency, ngx_str_t *top);
ngx_int_t ngx_pa_directory_subtree(ngx_pa_main_conf_t *pmcf, ngx_pool_t *pool,
    ngx_str_t *top, ngx_str_t *list);
ngx_uint_t ngx_pa_directory_is_root(ngx_pa_main_conf_t *pmcf, ngx_str_t *id);

/* the route (ngx_pa_api.c dispatches to it): GET /directory */
ngx_int_t ngx_pa_directory_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx);

#endif /* NGX_PA_DIRECTORY_H */
