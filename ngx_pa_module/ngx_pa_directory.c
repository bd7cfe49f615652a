/*
 * The directory: "pa_directory <file.json>" parsed once at configuration
 * time into pool structures, lookups for the routes (agency ids, category
 * urgency and default agency, the agency whose area holds a point) and
 * GET /api/v1/directory, whose answer is encoded once and served as is.
 *
 *   {"agencies": [{"id", "name", "parent"?, "kind", "area"?: [[lat, lng],
 *                  ...]}],
 *    "categories": [{"id", "name", "urgent", "agency"?, "attributes"?:
 *                    [{"code", "description", "datatype", "required"?,
 *                      "values"?: [{"key", "name"}]}]}]}
 *
 * A category's attributes are what an Open311 client asks of the citizen
 * beyond the text (GeoReport v2 service definitions): datatype string,
 * number, datetime, text, singlevaluelist or multivaluelist (those two
 * with their values).
 */

#include "ngx_pa.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_json.h"
#include "ngx_pa_profile.h"

#include <jansson.h>


#define NGX_PA_DIR_NAME_MAX   256       /* bytes of a display name */
#define NGX_PA_DIR_AREA_MAX   4096      /* points of one polygon */
#define NGX_PA_DIR_ATTRS_MAX  20        /* attributes of a category */


typedef struct {
    ngx_conf_t           *cf;
    ngx_pa_directory_t   *dir;
    const char           *list;         /* "agencies", "categories" */
    ngx_uint_t            index;
} ngx_pa_dir_parse_t;


static ngx_int_t ngx_pa_dir_agency(ngx_pa_dir_parse_t *ps, json_t *o);
static ngx_int_t ngx_pa_dir_category(ngx_pa_dir_parse_t *ps, json_t *o);
static ngx_int_t ngx_pa_dir_area(ngx_pa_dir_parse_t *ps, json_t *v,
    ngx_pa_agency_t *a);
static ngx_int_t ngx_pa_dir_attributes(ngx_pa_dir_parse_t *ps, json_t *v,
    ngx_pa_category_t *c);
static ngx_int_t ngx_pa_dir_attribute(ngx_pa_dir_parse_t *ps, json_t *v,
    size_t order, json_t *out);
static void ngx_pa_dir_json_cleanup(void *data);
static ngx_int_t ngx_pa_dir_links(ngx_pa_dir_parse_t *ps);
static ngx_int_t ngx_pa_dir_encode(ngx_pa_dir_parse_t *ps);
static ngx_int_t ngx_pa_dir_str(ngx_pa_dir_parse_t *ps, json_t *o,
    const char *key, ngx_uint_t required, ngx_uint_t ident, ngx_str_t *out);
static ngx_int_t ngx_pa_dir_fail(ngx_pa_dir_parse_t *ps, const char *field,
    const char *reason);
static ngx_uint_t ngx_pa_dir_ident_ok(const char *s, size_t len);
static ngx_uint_t ngx_pa_dir_rank(ngx_str_t *kind);
static ngx_uint_t ngx_pa_dir_inside(ngx_pa_agency_t *a, double lat,
    double lng);
static ngx_pa_agency_t *ngx_pa_dir_find(ngx_pa_directory_t *dir,
    ngx_str_t *id);


static ngx_str_t  ngx_pa_dir_empty =
    ngx_string("{\"agencies\":[],\"categories\":[]}\n");


char *
ngx_pa_directory_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t  *pmcf = conf;

    json_t              *root, *list, *o;
    size_t               i;
    ngx_str_t           *value;
    json_error_t         je;
    ngx_pa_directory_t  *dir;
    ngx_pa_dir_parse_t   ps;

    if (pmcf->directory != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    dir = ngx_pcalloc(cf->pool, sizeof(ngx_pa_directory_t));
    if (dir == NULL) {
        return NGX_CONF_ERROR;
    }

    /* resolved as every pa_*_file is (ngx_pa_conf_path) */

    dir->file = value[1];

    if (ngx_pa_conf_path(cf, &dir->file) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    root = json_load_file((char *) dir->file.data, JSON_REJECT_DUPLICATES,
                          &je);
    if (root == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "pa_directory \"%V\": line %d column %d: %s",
                           &dir->file, je.line, je.column, je.text);
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ps, sizeof(ngx_pa_dir_parse_t));
    ps.cf = cf;
    ps.dir = dir;

    if (ngx_array_init(&dir->agencies, cf->pool, 32, sizeof(ngx_pa_agency_t))
        != NGX_OK
        || ngx_array_init(&dir->categories, cf->pool, 16,
                          sizeof(ngx_pa_category_t))
           != NGX_OK)
    {
        goto failed;
    }

    if (!json_is_object(root)) {
        ngx_pa_dir_fail(&ps, NULL, "the top level must be an object");
        goto failed;
    }

    list = json_object_get(root, "agencies");

    if (!json_is_array(list) || json_array_size(list) == 0) {
        ngx_pa_dir_fail(&ps, "agencies", "a non-empty array is required");
        goto failed;
    }

    ps.list = "agencies";

    json_array_foreach(list, i, o) {
        ps.index = i;

        if (ngx_pa_dir_agency(&ps, o) != NGX_OK) {
            goto failed;
        }
    }

    list = json_object_get(root, "categories");
    ps.list = NULL;

    if (list != NULL && !json_is_array(list)) {
        ngx_pa_dir_fail(&ps, "categories", "must be an array");
        goto failed;
    }

    ps.list = "categories";

    json_array_foreach(list, i, o) {
        ps.index = i;

        if (ngx_pa_dir_category(&ps, o) != NGX_OK) {
            goto failed;
        }
    }

    if (ngx_pa_dir_links(&ps) != NGX_OK || ngx_pa_dir_encode(&ps) != NGX_OK)
    {
        goto failed;
    }

    json_decref(root);

    pmcf->directory = dir;

    return NGX_CONF_OK;

failed:

    json_decref(root);
    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_pa_dir_agency(ngx_pa_dir_parse_t *ps, json_t *o)
{
    json_t           *area;
    ngx_uint_t        i;
    ngx_pa_agency_t  *a, *all;

    if (!json_is_object(o)) {
        return ngx_pa_dir_fail(ps, NULL, "must be an object");
    }

    a = ngx_array_push(&ps->dir->agencies);
    if (a == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(a, sizeof(ngx_pa_agency_t));

    if (ngx_pa_dir_str(ps, o, "id", 1, 1, &a->id) != NGX_OK
        || ngx_pa_dir_str(ps, o, "name", 1, 0, &a->name) != NGX_OK
        || ngx_pa_dir_str(ps, o, "kind", 1, 1, &a->kind) != NGX_OK
        || ngx_pa_dir_str(ps, o, "parent", 0, 1, &a->parent) != NGX_OK)
    {
        return NGX_ERROR;
    }

    all = ps->dir->agencies.elts;

    for (i = 0; i < ps->dir->agencies.nelts - 1; i++) {
        if (all[i].id.len == a->id.len
            && ngx_strncmp(all[i].id.data, a->id.data, a->id.len) == 0)
        {
            return ngx_pa_dir_fail(ps, "id", "is a duplicate");
        }
    }

    a->rank = ngx_pa_dir_rank(&a->kind);

    area = json_object_get(o, "area");

    if (area != NULL && !json_is_null(area)) {
        return ngx_pa_dir_area(ps, area, a);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pa_dir_category(ngx_pa_dir_parse_t *ps, json_t *o)
{
    json_t             *urgent;
    ngx_uint_t          i;
    ngx_pa_category_t  *c, *all;

    if (!json_is_object(o)) {
        return ngx_pa_dir_fail(ps, NULL, "must be an object");
    }

    c = ngx_array_push(&ps->dir->categories);
    if (c == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(c, sizeof(ngx_pa_category_t));

    if (ngx_pa_dir_str(ps, o, "id", 1, 1, &c->id) != NGX_OK
        || ngx_pa_dir_str(ps, o, "name", 1, 0, &c->name) != NGX_OK
        || ngx_pa_dir_str(ps, o, "agency", 0, 1, &c->agency) != NGX_OK)
    {
        return NGX_ERROR;
    }

    urgent = json_object_get(o, "urgent");

    if (urgent != NULL && !json_is_boolean(urgent)) {
        return ngx_pa_dir_fail(ps, "urgent", "must be true or false");
    }

    c->urgent = json_is_true(urgent);

    if (ngx_pa_dir_attributes(ps, json_object_get(o, "attributes"), c)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    all = ps->dir->categories.elts;

    for (i = 0; i < ps->dir->categories.nelts - 1; i++) {
        if (all[i].id.len == c->id.len
            && ngx_strncmp(all[i].id.data, c->id.data, c->id.len) == 0)
        {
            return ngx_pa_dir_fail(ps, "id", "is a duplicate");
        }
    }

    return NGX_OK;
}


/* a polygon of at least 3 [lat, lng] points, kept with its bounding box */

static ngx_int_t
ngx_pa_dir_area(ngx_pa_dir_parse_t *ps, json_t *v, ngx_pa_agency_t *a)
{
    double   lat, lng;
    size_t   i, n;
    json_t  *pt;

    n = json_is_array(v) ? json_array_size(v) : 0;

    if (n < 3 || n > NGX_PA_DIR_AREA_MAX) {
        return ngx_pa_dir_fail(ps, "area",
                               "must be an array of 3 to 4096 [lat, lng] "
                               "points");
    }

    a->area = ngx_palloc(ps->cf->pool, n * 2 * sizeof(double));
    if (a->area == NULL) {
        return NGX_ERROR;
    }

    a->npoints = n;
    a->min_lat = 90;
    a->max_lat = -90;
    a->min_lng = 180;
    a->max_lng = -180;

    json_array_foreach(v, i, pt) {

        if (!json_is_array(pt) || json_array_size(pt) != 2
            || !json_is_number(json_array_get(pt, 0))
            || !json_is_number(json_array_get(pt, 1)))
        {
            return ngx_pa_dir_fail(ps, "area",
                                   "a point must be [lat, lng] numbers");
        }

        lat = json_number_value(json_array_get(pt, 0));
        lng = json_number_value(json_array_get(pt, 1));

        if (lat < -90 || lat > 90 || lng < -180 || lng > 180) {
            return ngx_pa_dir_fail(ps, "area",
                                   "a point is out of range (is it "
                                   "[lat, lng]?)");
        }

        a->area[i * 2] = lat;
        a->area[i * 2 + 1] = lng;

        a->min_lat = ngx_min(a->min_lat, lat);
        a->max_lat = ngx_max(a->max_lat, lat);
        a->min_lng = ngx_min(a->min_lng, lng);
        a->max_lng = ngx_max(a->max_lng, lng);
    }

    return NGX_OK;
}


/* parents and default agencies must name agencies of the file */

static ngx_int_t
ngx_pa_dir_links(ngx_pa_dir_parse_t *ps)
{
    ngx_uint_t          i;
    ngx_pa_agency_t    *a;
    ngx_pa_category_t  *c;

    a = ps->dir->agencies.elts;
    ps->list = "agencies";

    for (i = 0; i < ps->dir->agencies.nelts; i++) {
        ps->index = i;

        if (a[i].parent.len == 0) {
            continue;
        }

        if (a[i].parent.len == a[i].id.len
            && ngx_strncmp(a[i].parent.data, a[i].id.data, a[i].id.len) == 0)
        {
            return ngx_pa_dir_fail(ps, "parent", "is the agency itself");
        }

        if (ngx_pa_dir_find(ps->dir, &a[i].parent) == NULL) {
            return ngx_pa_dir_fail(ps, "parent", "is not an agency id");
        }
    }

    c = ps->dir->categories.elts;
    ps->list = "categories";

    for (i = 0; i < ps->dir->categories.nelts; i++) {
        ps->index = i;

        if (c[i].agency.len
            && ngx_pa_dir_find(ps->dir, &c[i].agency) == NULL)
        {
            return ngx_pa_dir_fail(ps, "agency", "is not an agency id");
        }
    }

    return NGX_OK;
}


/* the public answer, once: the same bytes for every request */

static ngx_int_t
ngx_pa_dir_encode(ngx_pa_dir_parse_t *ps)
{
    char               *dump;
    size_t              len;
    json_t             *root, *agencies, *categories, *o;
    ngx_uint_t          i;
    ngx_pa_agency_t    *a;
    ngx_pa_category_t  *c;

    root = json_object();
    agencies = json_array();
    categories = json_array();

    if (root == NULL || agencies == NULL || categories == NULL) {
        goto failed;
    }

    json_object_set_new(root, "agencies", agencies);
    json_object_set_new(root, "categories", categories);

    a = ps->dir->agencies.elts;

    for (i = 0; i < ps->dir->agencies.nelts; i++) {
        o = json_pack("{s:s#, s:s#, s:o, s:s#}",
                      "id", a[i].id.data, (int) a[i].id.len,
                      "name", a[i].name.data, (int) a[i].name.len,
                      "parent", a[i].parent.len
                                ? json_stringn((char *) a[i].parent.data,
                                               a[i].parent.len)
                                : json_null(),
                      "kind", a[i].kind.data, (int) a[i].kind.len);

        if (o == NULL || json_array_append_new(agencies, o) != 0) {
            goto failed;
        }
    }

    c = ps->dir->categories.elts;

    for (i = 0; i < ps->dir->categories.nelts; i++) {
        o = json_pack("{s:s#, s:s#, s:b}",
                      "id", c[i].id.data, (int) c[i].id.len,
                      "name", c[i].name.data, (int) c[i].name.len,
                      "urgent", (int) c[i].urgent);

        if (o == NULL || json_array_append_new(categories, o) != 0) {
            goto failed;
        }
    }

    dump = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    root = NULL;

    if (dump == NULL) {
        goto failed;
    }

    len = ngx_strlen(dump);

    ps->dir->answer.data = ngx_pnalloc(ps->cf->pool, len + 1);
    if (ps->dir->answer.data == NULL) {
        free(dump);
        return NGX_ERROR;
    }

    ngx_memcpy(ps->dir->answer.data, dump, len);
    ps->dir->answer.data[len] = '\n';
    ps->dir->answer.len = len + 1;

    free(dump);

    return NGX_OK;

failed:

    if (root) {
        json_decref(root);
    }

    ngx_conf_log_error(NGX_LOG_EMERG, ps->cf, 0,
                       "pa_directory \"%V\": cannot encode the directory",
                       &ps->dir->file);
    return NGX_ERROR;
}


/*
 * A string member copied into the configuration pool.  ident: an id that
 * keys and lists are built from ("ag:<id>", ",a,b,", "<id>|counter",
 * "step@<id>"), so none of their separators.
 */

/* the attributes in GeoReport's order, kept as the definition shows them */

static ngx_int_t
ngx_pa_dir_attributes(ngx_pa_dir_parse_t *ps, json_t *v, ngx_pa_category_t *c)
{
    size_t               i, k;
    json_t              *out, *item, *code;
    ngx_pool_cleanup_t  *cln;

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    if (!json_is_array(v) || json_array_size(v) == 0
        || json_array_size(v) > NGX_PA_DIR_ATTRS_MAX)
    {
        return ngx_pa_dir_fail(ps, "attributes",
                               "must be an array of 1..20 attributes");
    }

    out = json_array();
    if (out == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(ps->cf->pool, 0);
    if (cln == NULL) {
        json_decref(out);
        return NGX_ERROR;
    }

    cln->handler = ngx_pa_dir_json_cleanup;
    cln->data = out;

    json_array_foreach(v, i, item) {
        if (ngx_pa_dir_attribute(ps, item, i + 1, out) != NGX_OK) {
            return NGX_ERROR;
        }

        code = json_object_get(json_array_get(out, i), "code");

        for (k = 0; k < i; k++) {
            if (json_equal(code, json_object_get(json_array_get(out, k),
                                                 "code")))
            {
                return ngx_pa_dir_fail(ps, "attributes",
                                       "hold a code twice");
            }
        }
    }

    c->attributes = out;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_dir_attribute(ngx_pa_dir_parse_t *ps, json_t *v, size_t order,
    json_t *out)
{
    size_t       i;
    json_t      *required, *values, *item, *o, *key, *name;
    ngx_str_t    code, description, datatype;
    ngx_uint_t   k, list;
    static const char  *types[] = {
        "string", "number", "datetime", "text", "singlevaluelist",
        "multivaluelist", NULL
    };

    if (!json_is_object(v)) {
        return ngx_pa_dir_fail(ps, "attributes", "must hold objects");
    }

    if (ngx_pa_dir_str(ps, v, "code", 1, 1, &code) != NGX_OK
        || ngx_pa_dir_str(ps, v, "description", 1, 0, &description)
           != NGX_OK
        || ngx_pa_dir_str(ps, v, "datatype", 1, 0, &datatype) != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (k = 0; types[k]; k++) {
        if (datatype.len == ngx_strlen(types[k])
            && ngx_strncmp(datatype.data, types[k], datatype.len) == 0)
        {
            break;
        }
    }

    if (types[k] == NULL) {
        return ngx_pa_dir_fail(ps, "datatype", "must be string, number, "
                               "datetime, text, singlevaluelist or "
                               "multivaluelist");
    }

    list = (k >= 4);

    required = json_object_get(v, "required");

    if (required != NULL && !json_is_boolean(required)) {
        return ngx_pa_dir_fail(ps, "required", "must be true or false");
    }

    values = json_object_get(v, "values");

    if (list != (values != NULL)
        || (list && (!json_is_array(values) || json_array_size(values) == 0)))
    {
        return ngx_pa_dir_fail(ps, "values", "a list has values (an array "
                               "of {key, name}), other datatypes none");
    }

    o = json_pack("{s:b, s:s#, s:s#, s:b, s:s, s:i, s:s#, s:[]}",
                  "variable", 1,
                  "code", code.data, (int) code.len,
                  "datatype", datatype.data, (int) datatype.len,
                  "required", json_is_true(required),
                  "datatype_description", "",
                  "order", (int) order,
                  "description", description.data, (int) description.len,
                  "values");

    if (o == NULL || json_array_append_new(out, o) != 0) {
        return NGX_ERROR;
    }

    json_array_foreach(values, i, item) {
        key = json_object_get(item, "key");
        name = json_object_get(item, "name");

        if (!json_is_string(key) || json_string_length(key) == 0
            || !json_is_string(name) || json_string_length(name) == 0)
        {
            return ngx_pa_dir_fail(ps, "values",
                                   "must be {\"key\", \"name\"} strings");
        }

        if (json_array_append_new(json_object_get(o, "values"),
                                  json_pack("{s:O, s:O}", "key", key,
                                            "name", name))
            != 0)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void
ngx_pa_dir_json_cleanup(void *data)
{
    json_decref((json_t *) data);
}


static ngx_int_t
ngx_pa_dir_str(ngx_pa_dir_parse_t *ps, json_t *o, const char *key,
    ngx_uint_t required, ngx_uint_t ident, ngx_str_t *out)
{
    size_t       len;
    json_t      *v;
    const char  *s;

    ngx_str_null(out);

    v = json_object_get(o, key);

    if (v == NULL || json_is_null(v)) {
        return required ? ngx_pa_dir_fail(ps, key, "is required") : NGX_OK;
    }

    if (!json_is_string(v)) {
        return ngx_pa_dir_fail(ps, key, "must be a string");
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len == 0 || ngx_strlen(s) != len) {
        return ngx_pa_dir_fail(ps, key, "must not be empty or hold NUL");
    }

    if (ident) {
        if (len > NGX_PA_DIR_ID_MAX || !ngx_pa_dir_ident_ok(s, len)) {
            return ngx_pa_dir_fail(ps, key,
                                   "must be 1..63 of [A-Za-z0-9_.-]");
        }

    } else if (len > NGX_PA_DIR_NAME_MAX) {
        return ngx_pa_dir_fail(ps, key, "is longer than 256 bytes");
    }

    out->data = ngx_pnalloc(ps->cf->pool, len + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(out->data, s, len + 1);
    out->len = len;

    return NGX_OK;
}


static ngx_int_t
ngx_pa_dir_fail(ngx_pa_dir_parse_t *ps, const char *field,
    const char *reason)
{
    if (ps->list && field) {
        ngx_conf_log_error(NGX_LOG_EMERG, ps->cf, 0,
                           "pa_directory \"%V\": %s[%ui].%s %s",
                           &ps->dir->file, ps->list, ps->index, field,
                           reason);

    } else if (ps->list) {
        ngx_conf_log_error(NGX_LOG_EMERG, ps->cf, 0,
                           "pa_directory \"%V\": %s[%ui] %s",
                           &ps->dir->file, ps->list, ps->index, reason);

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, ps->cf, 0,
                           "pa_directory \"%V\": %s%s%s",
                           &ps->dir->file, field ? field : "",
                           field ? " " : "", reason);
    }

    return NGX_ERROR;
}


static ngx_uint_t
ngx_pa_dir_ident_ok(const char *s, size_t len)
{
    u_char  c;
    size_t  i;

    for (i = 0; i < len; i++) {
        c = (u_char) s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'
              || c == '.'))
        {
            return 0;
        }
    }

    return 1;
}


/* the most local level wins when areas overlap */

static ngx_uint_t
ngx_pa_dir_rank(ngx_str_t *kind)
{
    static const struct {
        const char  *kind;
        ngx_uint_t   rank;
    } ranks[] = {
        { "commune", 0 }, { "ward", 0 }, { "town", 0 },
        { "district", 1 }, { "city", 1 },
        { "province", 2 },
        { NULL, 3 }
    };

    ngx_uint_t  i;

    for (i = 0; ranks[i].kind; i++) {
        if (kind->len == ngx_strlen(ranks[i].kind)
            && ngx_strncmp(kind->data, ranks[i].kind, kind->len) == 0)
        {
            break;
        }
    }

    return ranks[i].rank;
}


/* ---------------------------------------------------------- lookups */

static ngx_pa_agency_t *
ngx_pa_dir_find(ngx_pa_directory_t *dir, ngx_str_t *id)
{
    ngx_uint_t        i;
    ngx_pa_agency_t  *a;

    a = dir->agencies.elts;

    for (i = 0; i < dir->agencies.nelts; i++) {
        if (a[i].id.len == id->len
            && ngx_strncmp(a[i].id.data, id->data, id->len) == 0)
        {
            return &a[i];
        }
    }

    return NULL;
}


ngx_pa_agency_t *
ngx_pa_directory_agency(ngx_pa_main_conf_t *pmcf, ngx_str_t *id)
{
    if (pmcf->directory == NULL) {
        return NULL;
    }

    return ngx_pa_dir_find(pmcf->directory, id);
}


/*
 * Without a directory there is nothing to check against: every agency
 * id is accepted (as before the directory existed); with one, only its
 * agencies.
 */

ngx_int_t
ngx_pa_directory_has_agency(ngx_pa_main_conf_t *pmcf, ngx_str_t *id)
{
    if (pmcf->directory == NULL) {
        return NGX_OK;
    }

    return ngx_pa_dir_find(pmcf->directory, id)
           ? NGX_OK : NGX_DECLINED;
}


/*
 * A superior body's subtree (LC26 Điều 10.4, VL Điều 11.4): is "agency"
 * "top" itself or under it through "parent" links?  The walk is bounded
 * by the number of agencies, so a loop in a directory cannot hang it.
 * Without a directory, or for an agency it does not list, only the agency
 * itself is within.
 */

ngx_uint_t
ngx_pa_directory_within(ngx_pa_main_conf_t *pmcf, ngx_str_t *agency,
    ngx_str_t *top)
{
    ngx_uint_t           n;
    ngx_pa_agency_t     *a;
    ngx_pa_directory_t  *dir;

    if (agency->len == top->len
        && ngx_strncmp(agency->data, top->data, top->len) == 0)
    {
        return 1;
    }

    dir = pmcf->directory;

    if (dir == NULL) {
        return 0;
    }

    a = ngx_pa_dir_find(dir, agency);

    for (n = 0; a != NULL && a->parent.len && n < dir->agencies.nelts; n++) {

        if (a->parent.len == top->len
            && ngx_strncmp(a->parent.data, top->data, top->len) == 0)
        {
            return 1;
        }

        a = ngx_pa_dir_find(dir, &a->parent);
    }

    return 0;
}


/* "a,b,c": the ids of every agency within top (top first), for queue.lua */

ngx_int_t
ngx_pa_directory_subtree(ngx_pa_main_conf_t *pmcf, ngx_pool_t *pool,
    ngx_str_t *top, ngx_str_t *list)
{
    u_char              *p;
    size_t               len;
    ngx_uint_t           i;
    ngx_pa_agency_t     *a;
    ngx_pa_directory_t  *dir;

    dir = pmcf->directory;
    len = top->len;

    if (dir != NULL) {
        a = dir->agencies.elts;

        for (i = 0; i < dir->agencies.nelts; i++) {
            len += a[i].id.len + 1;
        }
    }

    list->data = ngx_pnalloc(pool, len);
    if (list->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(list->data, top->data, top->len);

    if (dir != NULL) {
        a = dir->agencies.elts;

        for (i = 0; i < dir->agencies.nelts; i++) {
            if ((a[i].id.len != top->len
                 || ngx_strncmp(a[i].id.data, top->data, top->len) != 0)
                && ngx_pa_directory_within(pmcf, &a[i].id, top))
            {
                *p++ = ',';
                p = ngx_cpymem(p, a[i].id.data, a[i].id.len);
            }
        }
    }

    list->len = p - list->data;

    return NGX_OK;
}


/* an agency of the directory with no parent: the province itself */

ngx_uint_t
ngx_pa_directory_is_root(ngx_pa_main_conf_t *pmcf, ngx_str_t *id)
{
    ngx_pa_agency_t  *a;

    a = ngx_pa_directory_agency(pmcf, id);

    return a != NULL && a->parent.len == 0;
}


ngx_pa_category_t *
ngx_pa_directory_find_category(ngx_pa_main_conf_t *pmcf, ngx_str_t *id)
{
    ngx_uint_t           i;
    ngx_pa_category_t   *c;
    ngx_pa_directory_t  *dir;

    dir = pmcf->directory;

    if (dir == NULL) {
        return NULL;
    }

    c = dir->categories.elts;

    for (i = 0; i < dir->categories.nelts; i++) {
        if (c[i].id.len == id->len
            && ngx_strncmp(c[i].id.data, id->data, id->len) == 0)
        {
            return &c[i];
        }
    }

    return NULL;
}


ngx_int_t
ngx_pa_directory_category(ngx_pa_main_conf_t *pmcf, ngx_str_t *id,
    ngx_uint_t *urgent, ngx_str_t *agency)
{
    ngx_pa_category_t  *c;

    *urgent = 0;
    ngx_str_null(agency);

    if (pmcf->directory == NULL) {
        return NGX_OK;
    }

    c = ngx_pa_directory_find_category(pmcf, id);
    if (c == NULL) {
        return NGX_DECLINED;
    }

    *urgent = c->urgent;
    *agency = c->agency;

    return NGX_OK;
}


/* the most local agency whose area holds the point */

ngx_int_t
ngx_pa_directory_locate(ngx_pa_main_conf_t *pmcf, double lat, double lng,
    ngx_str_t *agency)
{
    ngx_uint_t           i;
    ngx_pa_agency_t     *a, *best;
    ngx_pa_directory_t  *dir;

    dir = pmcf->directory;

    if (dir == NULL) {
        return NGX_DECLINED;
    }

    best = NULL;
    a = dir->agencies.elts;

    for (i = 0; i < dir->agencies.nelts; i++) {

        if (a[i].area == NULL
            || (best != NULL && a[i].rank >= best->rank)
            || lat < a[i].min_lat || lat > a[i].max_lat
            || lng < a[i].min_lng || lng > a[i].max_lng)
        {
            continue;
        }

        if (ngx_pa_dir_inside(&a[i], lat, lng)) {
            best = &a[i];
        }
    }

    if (best == NULL) {
        return NGX_DECLINED;
    }

    *agency = best->id;

    return NGX_OK;
}


/* even-odd ray casting on (lng, lat): areas are small, the plane will do */

static ngx_uint_t
ngx_pa_dir_inside(ngx_pa_agency_t *a, double lat, double lng)
{
    double      *p, yi, xi, yj, xj;
    ngx_uint_t   i, j, in;

    p = a->area;
    in = 0;

    for (i = 0, j = a->npoints - 1; i < a->npoints; j = i++) {
        yi = p[i * 2];
        xi = p[i * 2 + 1];
        yj = p[j * 2];
        xj = p[j * 2 + 1];

        if ((yi > lat) != (yj > lat)
            && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi)
        {
            in = !in;
        }
    }

    return in;
}


/* ---------------------------------------------------------- the route */

ngx_int_t
ngx_pa_directory_handler(ngx_http_request_t *r, ngx_pa_ctx_t *ctx)
{
    ngx_pa_directory_t  *dir;
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_pa_module);
    dir = pmcf->directory;

    /* it changes only with a reload: caches may keep it a while */

    return ngx_pa_view_send_cached(r, dir ? &dir->answer : &ngx_pa_dir_empty,
                                   "public, max-age=300");
}
