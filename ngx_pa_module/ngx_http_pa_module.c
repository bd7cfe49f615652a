/*
 * ngx_pa: directives, configuration and worker lifecycle.
 *
 * One province profile per http{} block: its pa_* directives (usually an
 * include file of conf-examples/profiles/) set the Redis store, the tenant,
 * the working calendar, every step's deadline and the submission rules.
 * "pa_api" makes a location answer the API; "pa_error" turns nginx's own
 * error pages (413 on a too large body, ...) into the contract's JSON.
 */

#include "ngx_pa.h"
#include "ngx_pa_api.h"
#include "ngx_pa_auth.h"
#include "ngx_pa_batch.h"
#include "ngx_pa_directory.h"
#include "ngx_pa_dump.h"
#include "ngx_pa_duplicate.h"
#include "ngx_pa_error.h"
#include "ngx_pa_json.h"
#include "ngx_pa_limit.h"
#include "ngx_pa_media.h"
#include "ngx_pa_metrics.h"
#include "ngx_pa_notify.h"
#include "ngx_pa_notify_conf.h"
#include "ngx_pa_open311_keys.h"
#include "ngx_pa_orphan.h"
#include "ngx_pa_profile.h"
#include "ngx_pa_pubver.h"
#include "ngx_pa_redis.h"
#include "ngx_pa_retention.h"
#include "ngx_pa_sentinel.h"
#include "ngx_pa_cluster.h"
#include "ngx_pa_crypto.h"
#include "ngx_pa_revoke.h"
#include "ngx_pa_scripts.h"
#include "ngx_pa_sse_reader.h"
#include "ngx_pa_sweep.h"
#include "ngx_pa_thread.h"
#include "ngx_pa_thumb.h"
#include "ngx_pa_upload_gc.h"
#include "ngx_pa_upload_room.h"
#include "ngx_pa_validate.h"


static void *ngx_http_pa_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_pa_init_main_conf(ngx_conf_t *cf, void *conf);
static void ngx_http_pa_init_defaults(ngx_pa_main_conf_t *pmcf);
static ngx_int_t ngx_http_pa_init_media_types(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static char *ngx_http_pa_init_required(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static char *ngx_http_pa_init_media_dir(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static ngx_int_t ngx_http_pa_add_path(ngx_conf_t *cf, ngx_str_t *name);
static void *ngx_http_pa_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_pa_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_pa_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_pa_init_process(ngx_cycle_t *cycle);
static void ngx_http_pa_exit_process(ngx_cycle_t *cycle);

static char *ngx_http_pa_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_pa_error(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_pa_error_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_pa_redis_secret(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf, ngx_str_t *value);
static ngx_int_t ngx_http_pa_redis_secret_check(ngx_conf_t *cf,
    ngx_pa_main_conf_t *pmcf);
static char *ngx_http_pa_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_pa_redis_time(ngx_str_t *value, const char *name,
    ngx_msec_t *out);
static char *ngx_http_pa_tenant(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_secret_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_pii_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_calendar_hours(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_calendar_weekdays(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_pa_calendar_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_utc_offset(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_sla(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_pa_roles(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_area(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_pa_area_point(ngx_conf_t *cf, ngx_str_t *name,
    ngx_uint_t line, u_char *p, size_t len);
static char *ngx_http_pa_media_types(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_pa_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_pa_duration(ngx_str_t *v, time_t *secs,
    ngx_uint_t *mdays);


static ngx_conf_enum_t  ngx_http_pa_edited_media[] = {
    { ngx_string("flag"), NGX_PA_EDITED_FLAG },
    { ngx_string("reject"), NGX_PA_EDITED_REJECT },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_pa_no_time[] = {
    { ngx_string("flag"), NGX_PA_NO_TIME_FLAG },
    { ngx_string("reject"), NGX_PA_NO_TIME_REJECT },
    { ngx_null_string, 0 }
};


/* counts, not sizes: "5k" characters would be a surprise */

static ngx_conf_num_bounds_t  ngx_http_pa_content_max_bounds = {
    ngx_conf_check_num_bounds, 1, 100000
};

static ngx_conf_num_bounds_t  ngx_http_pa_media_max_count_bounds = {
    ngx_conf_check_num_bounds, 0, 100
};

static ngx_conf_num_bounds_t  ngx_http_pa_comments_max_bounds = {
    ngx_conf_check_num_bounds, 1, 1000
};

static ngx_conf_num_bounds_t  ngx_http_pa_min_ratings_bounds = {
    ngx_conf_check_num_bounds, 1, 1000000
};

static ngx_conf_post_t  ngx_pa_duplicate_window_post = {
    ngx_pa_duplicate_window_check
};


/*
 * What libmagic names the media a phone or a browser sends and that the
 * store, the metadata parsers and the public copies know how to keep; a
 * type outside this list in pa_media_types is a typo ("image/jpg") that
 * would silently refuse every such file.
 */

static ngx_str_t  ngx_http_pa_known_types[] = {
    ngx_string("image/jpeg"),
    ngx_string("image/png"),
    ngx_string("image/heic"),
    ngx_string("image/heif"),
    ngx_string("video/mp4"),
    ngx_string("video/quicktime"),
    ngx_string("video/3gpp"),
    ngx_string("audio/mpeg"),
    ngx_string("audio/mp4"),
    ngx_string("audio/x-m4a"),
    ngx_null_string
};


/*
 * Steps a deadline can be set for (api.md, "Deadlines and the clock"): a
 * "pa_sla recieve 1d" would otherwise open no deadline at all, silently.
 */

static const char  *ngx_http_pa_steps[] = {
    "verify", "supplement", "receive", "dispatch", "identify", "accept",
    "resolve", "approve", "confirm", "publish", "reply", "review_rating",
    "notify", "fix", NULL
};


static ngx_command_t  ngx_http_pa_commands[] = {

    { ngx_string("pa_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_pa_metrics_conf,
      0,
      0,
      NULL },

    { ngx_string("pa_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_pa_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_error"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_pa_error,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_redis_scripts"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, scripts_dir),
      NULL },

    { ngx_string("pa_tenant"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pa_tenant,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_profile"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, profile),
      NULL },

    { ngx_string("pa_content_max"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, content_max),
      &ngx_http_pa_content_max_bounds },

    { ngx_string("pa_media_dir"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, media_dir),
      NULL },

    { ngx_string("pa_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_pa_thread_pool_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_worker_slice"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_worker_slice_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_media_types"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_media_types,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_media_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, media_max_size),
      NULL },

    { ngx_string("pa_media_max_count"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, media_max_count),
      &ngx_http_pa_media_max_count_bounds },

    { ngx_string("pa_comments_max"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, comments_max),
      &ngx_http_pa_comments_max_bounds },

    { ngx_string("pa_comments_per_day"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, comments_per_day),
      &ngx_http_pa_comments_max_bounds },

    { ngx_string("pa_auth_max_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, auth_max_ttl),
      NULL },

    { ngx_string("pa_auth_secret_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pa_secret_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_pii_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pa_pii_key_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_test_clock"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, test_clock),
      NULL },

    { ngx_string("pa_calendar_hours"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_calendar_hours,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_calendar_weekdays"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pa_calendar_weekdays,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_calendar_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_calendar_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_utc_offset"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_pa_utc_offset,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_verification"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, verification),
      NULL },

    { ngx_string("pa_leader_approval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, leader_approval),
      NULL },

    { ngx_string("pa_coordinator"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, coordinator),
      NULL },

    { ngx_string("pa_auto_dispatch"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, auto_dispatch),
      NULL },

    /*
     * a report stored with "id" and "updated_at" as before issue 12's
     * fields cut, for nodes of an earlier version during a rolling
     * upgrade (ngx_pa_record_id.h); on unless set: safe for an upgrade
     */
    { ngx_string("pa_record_compat"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, record_compat),
      NULL },

    { ngx_string("pa_login_required"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, login_required),
      NULL },

    { ngx_string("pa_hide_by"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_roles,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, hide_roles),
      NULL },

    { ngx_string("pa_escalate_by"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_roles,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, escalate_roles),
      NULL },

    { ngx_string("pa_extend_max"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, extend_max),
      NULL },

    { ngx_string("pa_stats_min_ratings"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, stats_min_ratings),
      &ngx_http_pa_min_ratings_bounds },

    { ngx_string("pa_open311_keys"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_open311_keys_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_directory"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_directory_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_submit_batch"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1234,
      ngx_pa_batch_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_sweep_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, sweep_interval),
      NULL },

    { ngx_string("pa_retention"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_retention_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_archive_dir"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, archive_dir),
      NULL },

    { ngx_string("pa_media_orphan_grace"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, orphan_grace),
      &ngx_pa_orphan_grace_post },

    { ngx_string("pa_notify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_pa_notify_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_notify_claim_idle"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_notify_claim_idle_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_notify_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_notify_trusted_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_limit_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_limit_zone_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_pa_limit_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_photo_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, photo_max_age),
      NULL },

    { ngx_string("pa_upload"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_pa_upload_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_duplicate_radius"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_pa_duplicate_radius_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_duplicate_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, duplicate_window),
      &ngx_pa_duplicate_window_post },

    { ngx_string("pa_require_gps"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, require_gps),
      NULL },

    { ngx_string("pa_require_media"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, require_media),
      NULL },

    { ngx_string("pa_edited_media"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, edited_media),
      &ngx_http_pa_edited_media },

    { ngx_string("pa_media_no_time"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_pa_main_conf_t, no_time),
      &ngx_http_pa_no_time },

    { ngx_string("pa_area"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_pa_area,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("pa_sla"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_pa_sla,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_pa_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_pa_postconfiguration,         /* postconfiguration */

    ngx_http_pa_create_main_conf,          /* create main configuration */
    ngx_http_pa_init_main_conf,            /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_pa_create_loc_conf,           /* create location configuration */
    ngx_http_pa_merge_loc_conf             /* merge location configuration */
};


ngx_module_t  ngx_http_pa_module = {
    NGX_MODULE_V1,
    &ngx_http_pa_module_ctx,               /* module context */
    ngx_http_pa_commands,                  /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_pa_init_module,               /* init module */
    ngx_http_pa_init_process,              /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_pa_exit_process,              /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_pa_create_main_conf(ngx_conf_t *cf)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_pa_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->redis_host = { 0, NULL };
     *     pmcf->redis_password = { 0, NULL };
     *     pmcf->tenant = { 0, NULL };
     *     pmcf->worker.redis = NULL;
     */

    pmcf->redis_db = NGX_CONF_UNSET;
    pmcf->redis_connect_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->redis_timeout = NGX_CONF_UNSET_MSEC;
    pmcf->utc_offset = NGX_CONF_UNSET;
    pmcf->content_max = NGX_CONF_UNSET_UINT;
    pmcf->media_types = NGX_CONF_UNSET_PTR;
    pmcf->media_max_size = NGX_CONF_UNSET;
    pmcf->media_max_count = NGX_CONF_UNSET_UINT;
    pmcf->comments_max = NGX_CONF_UNSET_UINT;
    pmcf->comments_per_day = NGX_CONF_UNSET_UINT;
    pmcf->test_clock = NGX_CONF_UNSET;
    pmcf->verification = NGX_CONF_UNSET;
    pmcf->leader_approval = NGX_CONF_UNSET;
    pmcf->coordinator = NGX_CONF_UNSET;
    pmcf->auto_dispatch = NGX_CONF_UNSET;
    pmcf->login_required = NGX_CONF_UNSET;
    pmcf->record_compat = NGX_CONF_UNSET;
    pmcf->stats_min_ratings = NGX_CONF_UNSET_UINT;
    pmcf->extend_max = NGX_CONF_UNSET_UINT;
    pmcf->sweep_interval = NGX_CONF_UNSET_MSEC;
    pmcf->retention_years = NGX_CONF_UNSET_UINT;
    pmcf->orphan_grace = NGX_CONF_UNSET;
    pmcf->auth_max_ttl = NGX_CONF_UNSET;
    pmcf->photo_max_age = NGX_CONF_UNSET;
    pmcf->duplicate_radius = NGX_CONF_UNSET_UINT;
    pmcf->duplicate_window = NGX_CONF_UNSET;
    pmcf->require_gps = NGX_CONF_UNSET;
    pmcf->require_media = NGX_CONF_UNSET;
    pmcf->edited_media = NGX_CONF_UNSET_UINT;
    pmcf->no_time = NGX_CONF_UNSET_UINT;

    pmcf->calendar = ngx_palloc(cf->pool, sizeof(ngx_pa_calendar_t));
    if (pmcf->calendar == NULL) {
        return NULL;
    }

    ngx_pa_calendar_init(pmcf->calendar);

    pmcf->slas = ngx_array_create(cf->pool, 16, sizeof(ngx_pa_sla_t));
    if (pmcf->slas == NULL) {
        return NULL;
    }

    return pmcf;
}


static char *
ngx_http_pa_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    /*
     * a node upgraded with its configuration as it was may share Redis
     * with nodes that read a report only with its id and updated_at
     * (t/086): both stay stored until the operator says the upgrade is over
     */

    if (pmcf->record_compat == NGX_CONF_UNSET && pmcf->redis_host.len) {
        ngx_conf_log_error(NGX_LOG_NOTICE, cf, 0,
                           "\"pa_record_compat\" is not set: reports are "
                           "stored with \"id\" and \"updated_at\" for nodes "
                           "of earlier versions; \"pa_record_compat off\" "
                           "once every node runs this one");
    }

    ngx_http_pa_init_defaults(pmcf);

    pmcf->crc64 = ngx_palloc(cf->pool, sizeof(ngx_pa_crc64_t));
    if (pmcf->crc64 == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_pa_crc64_init(pmcf->crc64);

    if (pmcf->media_max_size <= 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_media_max_size\" must be more than 0");
        return NGX_CONF_ERROR;
    }

    /*
     * The coordinator confirms the result before publication (VL Điều
     * 17): act.lua holds publish back while the confirm step is open, so
     * without its deadline nothing would hold it back.
     */

    if (pmcf->coordinator && ngx_pa_sla_find(pmcf, "confirm") == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_coordinator on\" needs \"pa_sla confirm\": "
                           "the coordinator confirms the result before "
                           "it is published, within that deadline");
        return NGX_CONF_ERROR;
    }

    pmcf->calendar->utc_offset = (int32_t) pmcf->utc_offset;

    if (ngx_http_pa_init_media_types(cf, pmcf) != NGX_OK
        || ngx_pa_notify_conf_check(cf, pmcf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (pmcf->redis_host.len == 0) {
        /* the module is loaded but not used in this http{} block */
        return NGX_CONF_OK;
    }

    if (ngx_http_pa_init_required(cf, pmcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    return ngx_http_pa_init_media_dir(cf, pmcf);
}


/* what a profile leaves unset */

static void
ngx_http_pa_init_defaults(ngx_pa_main_conf_t *pmcf)
{
    ngx_conf_init_value(pmcf->redis_db, 0);
    ngx_conf_init_msec_value(pmcf->redis_connect_timeout, 1000);
    ngx_conf_init_msec_value(pmcf->redis_timeout, 2000);
    ngx_conf_init_value(pmcf->utc_offset, 7 * 3600);
    ngx_conf_init_uint_value(pmcf->content_max, 5000);
    ngx_conf_init_value(pmcf->media_max_size, 50 * 1024 * 1024);
    ngx_conf_init_uint_value(pmcf->media_max_count, 10);
    ngx_conf_init_uint_value(pmcf->comments_max, 20);
    ngx_conf_init_uint_value(pmcf->comments_per_day, 5);
    ngx_conf_init_value(pmcf->test_clock, 0);
    ngx_conf_init_value(pmcf->verification, 1);
    ngx_conf_init_value(pmcf->leader_approval, 0);
    ngx_conf_init_value(pmcf->coordinator, 0);
    ngx_conf_init_value(pmcf->auto_dispatch, 0);
    ngx_conf_init_value(pmcf->login_required, 0);
    ngx_conf_init_value(pmcf->record_compat, 1);
    ngx_conf_init_uint_value(pmcf->stats_min_ratings, 10);
    ngx_conf_init_uint_value(pmcf->extend_max, 60);

    if (pmcf->hide_roles == 0) {
        pmcf->hide_roles = NGX_PA_ROLE_BIT(NGX_PA_ROLE_IOC);
    }

    if (pmcf->escalate_roles == 0) {
        pmcf->escalate_roles = NGX_PA_ROLE_BIT(NGX_PA_ROLE_IOC);
    }

    ngx_conf_init_msec_value(pmcf->sweep_interval, 30000);
    ngx_conf_init_value(pmcf->orphan_grace, 86400);
    ngx_conf_init_value(pmcf->auth_max_ttl, 0);
    ngx_conf_init_value(pmcf->photo_max_age, 0);
    ngx_conf_init_uint_value(pmcf->duplicate_radius, 100);
    ngx_conf_init_value(pmcf->duplicate_window, 72 * 3600);
    ngx_conf_init_value(pmcf->require_gps, 0);
    ngx_conf_init_value(pmcf->require_media, 0);
    ngx_conf_init_uint_value(pmcf->edited_media, NGX_PA_EDITED_FLAG);
    ngx_conf_init_uint_value(pmcf->no_time, NGX_PA_NO_TIME_FLAG);
}


/* pa_media_types: the photos and videos phones send, by default */

static ngx_int_t
ngx_http_pa_init_media_types(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    ngx_str_t  *t;

    if (pmcf->media_types == NGX_CONF_UNSET_PTR) {
        pmcf->media_types = ngx_array_create(cf->pool, 8, sizeof(ngx_str_t));
        if (pmcf->media_types == NULL) {
            return NGX_ERROR;
        }

        t = ngx_array_push_n(pmcf->media_types, 5);
        if (t == NULL) {
            return NGX_ERROR;
        }

        ngx_str_set(&t[0], "image/jpeg");
        ngx_str_set(&t[1], "image/png");
        ngx_str_set(&t[2], "image/heic");
        ngx_str_set(&t[3], "video/mp4");
        ngx_str_set(&t[4], "video/quicktime");
    }

    return NGX_OK;
}


/* what pa_redis cannot go without; the scripts, read once */

static char *
ngx_http_pa_init_required(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    if (pmcf->pii == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_pii_key_file\" is required with "
                           "\"pa_redis\": personal data is never stored "
                           "in clear");
        return NGX_CONF_ERROR;
    }

    if (pmcf->tenant.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_tenant\" is required with \"pa_redis\"");
        return NGX_CONF_ERROR;
    }

    /* WAIT's reply comes after wait_timeout: timeout= would cut it off */

    if (pmcf->redis_wait && pmcf->redis_wait_timeout >= pmcf->redis_timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_redis\": wait_timeout=%M is not shorter "
                           "than timeout=%M", pmcf->redis_wait_timeout,
                           pmcf->redis_timeout);
        return NGX_CONF_ERROR;
    }

    /*
     * A write waits behind the WAIT of the one before it on the
     * connection; past half the timeout its deadline has gone (late.lua)
     */

    if (pmcf->redis_wait
        && pmcf->redis_wait_timeout >= pmcf->redis_timeout / 2)
    {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "\"pa_redis\": wait_timeout=%M is not under half "
                           "of timeout=%M: a write waiting behind a WAIT "
                           "may be refused as late (503)",
                           pmcf->redis_wait_timeout, pmcf->redis_timeout);
    }

    if (pmcf->scripts_dir.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_redis_scripts\" is required with "
                           "\"pa_redis\"");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &pmcf->scripts_dir, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_scripts_load(cf, pmcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_retention_init_conf(cf, pmcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* pa_media_dir (default "media") and its tmp/, made at start by nginx */

static char *
ngx_http_pa_init_media_dir(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    if (pmcf->media_dir.len == 0) {
        ngx_str_set(&pmcf->media_dir, "media");
    }

    if (ngx_conf_full_name(cf->cycle, &pmcf->media_dir, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    pmcf->media_tmp.len = pmcf->media_dir.len + sizeof("/tmp") - 1;
    pmcf->media_tmp.data = ngx_pnalloc(cf->pool, pmcf->media_tmp.len + 1);
    if (pmcf->media_tmp.data == NULL) {
        return NGX_CONF_ERROR;
    }

    (void) ngx_sprintf(pmcf->media_tmp.data, "%V/tmp%Z", &pmcf->media_dir);

    /*
     * nginx creates both at start and hands them to the worker user, as
     * it does for its own temp paths.
     */

    if (ngx_http_pa_add_path(cf, &pmcf->media_dir) != NGX_OK
        || ngx_http_pa_add_path(cf, &pmcf->media_tmp) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_pa_add_path(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_path_t  *path;

    path = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (path == NULL) {
        return NGX_ERROR;
    }

    path->name = *name;
    path->conf_file = cf->conf_file->file.name.data;
    path->line = cf->conf_file->line;

    return ngx_add_path(cf, &path);
}


static void *
ngx_http_pa_create_loc_conf(ngx_conf_t *cf)
{
    ngx_pa_loc_conf_t  *plcf;

    plcf = ngx_pcalloc(cf->pool, sizeof(ngx_pa_loc_conf_t));
    if (plcf == NULL) {
        return NULL;
    }

    plcf->api = NGX_CONF_UNSET;
    plcf->error = NGX_CONF_UNSET;

    return plcf;
}


static char *
ngx_http_pa_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_pa_loc_conf_t *prev = parent;
    ngx_pa_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->api, prev->api, 0);
    ngx_conf_merge_value(conf->error, prev->error, 0);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_pa_postconfiguration(ngx_conf_t *cf)
{
    if (ngx_pa_metrics_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* $pa_public_version for the public cache's key */
    if (ngx_pa_pubver_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* a PATCH's chunked body stops at its upload's room */
    if (ngx_pa_upload_room_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* revocations answered here, seen by every worker at once */
    if (ngx_pa_revoke_node_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the edge rate limiter runs in the access phase, before the body */
    return ngx_pa_limit_init(cf);
}


/* at start and at each reload, in the master: a calendar about to end */

static ngx_int_t
ngx_http_pa_init_module(ngx_cycle_t *cycle)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_pa_module);

    if (pmcf != NULL && pmcf->calendar != NULL) {
        ngx_pa_calendar_warn(pmcf, cycle->log, ngx_time());
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_pa_init_process(ngx_cycle_t *cycle)
{
    ngx_pa_main_conf_t  *pmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_pa_module);

    if (pmcf == NULL || pmcf->redis_host.len == 0) {
        return NGX_OK;
    }

    /* without it every seal and hash is one-shot: slower, not wrong */

    pmcf->worker.crypto = ngx_pa_crypto_create();

    if (pmcf->worker.crypto == NULL) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "pa: no OpenSSL contexts for this worker, "
                      "each seal and hash makes its own");
    }

    if (ngx_pa_media_init_worker(cycle, pmcf) != NGX_OK
        || ngx_pa_thread_init_worker(cycle, pmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if ((pmcf->cluster != NULL ? ngx_pa_cluster_init_worker(cycle, pmcf)
                               : ngx_pa_redis_init_worker(cycle, pmcf))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_pa_revoke_init_worker(cycle, pmcf) != NGX_OK
        || ngx_pa_pubver_init_worker(cycle, pmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_pa_upload_init_worker(cycle, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_sse_init_worker(cycle, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_pa_notify_init_worker(cycle, pmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pa_sweep_init_worker(cycle, pmcf);
}


static void
ngx_http_pa_exit_process(ngx_cycle_t *cycle)
{
    ngx_pa_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_pa_module);

    if (pmcf == NULL || pmcf->redis_host.len == 0) {
        return;
    }

    ngx_pa_sweep_exit_worker(pmcf);
    ngx_pa_upload_exit_worker(pmcf);
    ngx_pa_sse_exit_worker(pmcf);
    ngx_pa_notify_exit_worker(pmcf);
    ngx_pa_revoke_exit_worker(pmcf);
    ngx_pa_pubver_exit_worker(pmcf);
    ngx_pa_cluster_exit_worker(pmcf);
    ngx_pa_redis_exit_worker(pmcf);
    ngx_pa_thumb_lane_exit(pmcf);
    ngx_pa_media_exit_worker(pmcf);
    ngx_pa_thread_exit_worker(pmcf);

    ngx_pa_crypto_free(pmcf->worker.crypto);
    pmcf->worker.crypto = NULL;
}


static char *
ngx_http_pa_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_loc_conf_t  *plcf = conf;

    ngx_pa_main_conf_t        *pmcf;
    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_pa_module);

    if (pmcf->redis_host.len == 0) {
        return "needs \"pa_redis\" in the http block before it";
    }

    plcf->api = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_pa_api_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_pa_error(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_loc_conf_t  *plcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (plcf->error != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    plcf->error = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_pa_error_handler;

    return NGX_CONF_OK;
}


/*
 * JSON for errors nginx answers itself (error_page 4xx 5xx = @pa_error):
 * the status is the one that led here.
 */

static ngx_int_t
ngx_pa_error_handler(ngx_http_request_t *r)
{
    ngx_uint_t   status;
    const char  *message;

    status = r->err_status ? r->err_status : r->headers_out.status;

    if (status < NGX_HTTP_BAD_REQUEST) {
        status = NGX_HTTP_NOT_FOUND;
    }

    /*
     * What nginx itself refuses before any location: a head too large
     * (494, nginx's own code, sent as 400), a transfer coding it does
     * not know (501) and an HTTP version it does not speak here (505)
     * are the client's bad requests too: api.md lists none of them.
     */

    if (status == NGX_HTTP_REQUEST_HEADER_TOO_LARGE) {
        status = NGX_HTTP_BAD_REQUEST;
        message = "the request head is too large";
        goto send;
    }

    if (status == NGX_HTTP_NOT_IMPLEMENTED) {
        status = NGX_HTTP_BAD_REQUEST;
        message = "the Transfer-Encoding is not supported";
        goto send;
    }

    if (status == NGX_HTTP_VERSION_NOT_SUPPORTED) {
        status = NGX_HTTP_BAD_REQUEST;
        message = "the HTTP version is not supported";
        goto send;
    }

    /* (the status sent is err_status: the mapped one from here on) */

    switch (status) {

    case NGX_HTTP_LENGTH_REQUIRED:
        message = "a Content-Length is required";
        break;

    case NGX_HTTP_REQUEST_URI_TOO_LARGE:
        message = "the URI is too long";
        break;

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        message = "the request body is larger than allowed";
        break;

    case NGX_HTTP_NOT_ALLOWED:
        message = "method not allowed here";
        break;

    case NGX_HTTP_NOT_FOUND:
        message = "no such resource";
        break;

    case NGX_HTTP_TOO_MANY_REQUESTS:
        message = "too many requests, slow down";
        break;

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        message = "service not available, try again";
        break;

    default:
        message = status >= 500 ? "internal error" : "bad request";
    }

send:

    r->err_status = status;

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    r->keepalive = 0;

    return ngx_pa_send_error(r, status, ngx_pa_status_code(status), NULL,
                             message);
}


/*
 * pa_redis 127.0.0.1:6379 | unix:/path | sentinel=h:p,... master=name
 *          | cluster=h:p,...
 *          [password=|password_file=] [user=] [db=] [*timeout=]
 *          [wait=n [wait_timeout=]]
 *          [sentinel_password_file= [sentinel_user=]]
 */

static char *
ngx_http_pa_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char      *p;
    size_t       len;
    ngx_str_t   *value;
    ngx_url_t    u;
    ngx_int_t    n, rc;
    ngx_uint_t   i;

    if (pmcf->redis_host.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    i = 2;

    if (ngx_strncmp(value[1].data, "sentinel=", 9) == 0
        || ngx_strncmp(value[1].data, "cluster=", 8) == 0)
    {
        /*
         * no address: the sentinels name the primary (ngx_pa_sentinel.c),
         * the cluster's slot map the nodes (ngx_pa_cluster.c)
         */
        pmcf->redis_host = value[1];
        i = 1;

    } else if (value[1].len > 5
               && ngx_strncmp(value[1].data, "unix:", 5) == 0)
    {
        pmcf->redis_unix = 1;
        pmcf->redis_host.data = value[1].data + 5;
        pmcf->redis_host.len = value[1].len - 5;

        if (ngx_conf_full_name(cf->cycle, &pmcf->redis_host, 0) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

    } else {

        /* resolved now: hiredis' getaddrinfo() would block a worker */

        ngx_memzero(&u, sizeof(ngx_url_t));
        u.url = value[1];
        u.default_port = 6379;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid redis address \"%V\"%s%s",
                               &value[1], u.err ? ": " : "",
                               u.err ? u.err : "");
            return NGX_CONF_ERROR;
        }

        p = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, p,
                            NGX_SOCKADDR_STRLEN, 0);

        pmcf->redis_host.data = p;
        pmcf->redis_host.len = len;
        pmcf->redis_port = u.port;

        if (u.family == AF_INET6) {
            /* ngx_sock_ntop() brackets IPv6 only with a port: none here */
            pmcf->redis_host.data[len] = '\0';
        }
    }

    for ( /* void */ ; i < cf->args->nelts; i++) {

        rc = ngx_pa_cluster_option(cf, pmcf, &value[i]);

        if (rc == NGX_DECLINED) {
            rc = ngx_pa_sentinel_option(cf, pmcf, &value[i]);
        }

        if (rc == NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_OK) {
            continue;
        }

        rc = ngx_http_pa_redis_secret(cf, pmcf, &value[i]);

        if (rc == NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_OK) {
            continue;
        }

        if (ngx_strncmp(value[i].data, "password=", 9) == 0) {
            if (pmcf->redis_password.len) {
                goto invalid;
            }

            pmcf->redis_password.data = value[i].data + 9;
            pmcf->redis_password.len = value[i].len - 9;
            continue;
        }

        if (ngx_strncmp(value[i].data, "db=", 3) == 0) {
            n = ngx_atoi(value[i].data + 3, value[i].len - 3);
            if (n == NGX_ERROR || n > 1024) {
                goto invalid;
            }

            pmcf->redis_db = n;
            continue;
        }

        rc = ngx_http_pa_redis_time(&value[i], "connect_timeout=",
                                    &pmcf->redis_connect_timeout);

        if (rc == NGX_DECLINED) {
            rc = ngx_http_pa_redis_time(&value[i], "timeout=",
                                        &pmcf->redis_timeout);
        }

        if (rc == NGX_OK) {
            continue;
        }

        goto invalid;
    }

    if (ngx_pa_sentinel_check(cf, pmcf) != NGX_OK
        || ngx_http_pa_redis_secret_check(cf, pmcf) != NGX_OK
        || ngx_pa_cluster_check(cf, pmcf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", &value[i]);
    return NGX_CONF_ERROR;
}


/*
 * "<name><time>" of pa_redis: NGX_OK (set), NGX_DECLINED (another
 * parameter), NGX_ERROR.  0 is refused: no wait at all, every call would
 * fail at once (an operator meaning "no limit" got a dead server).
 */

static ngx_int_t
ngx_http_pa_redis_time(ngx_str_t *value, const char *name, ngx_msec_t *out)
{
    size_t     len;
    ngx_str_t  s;

    len = ngx_strlen(name);

    if (value->len < len || ngx_strncmp(value->data, name, len) != 0) {
        return NGX_DECLINED;
    }

    s.data = value->data + len;
    s.len = value->len - len;

    *out = ngx_parse_time(&s, 0);

    if (*out == (ngx_msec_t) NGX_ERROR || *out == 0) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The credentials: user= and sentinel_user= name an ACL user (AUTH with
 * two arguments); the passwords come from files readable by the master
 * only, as pa_auth_secret_file's, so that nginx.conf holds no secret.
 * NGX_DECLINED: not one of these.
 */

static ngx_int_t
ngx_http_pa_redis_secret(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf,
    ngx_str_t *value)
{
    size_t      n;
    ngx_str_t   name, *secret;

    if (value->len > 5 && ngx_strncmp(value->data, "user=", 5) == 0) {
        pmcf->redis_user.data = value->data + 5;
        pmcf->redis_user.len = value->len - 5;
        return NGX_OK;
    }

    if (value->len > 14
        && ngx_strncmp(value->data, "sentinel_user=", 14) == 0)
    {
        pmcf->sentinel_user.data = value->data + 14;
        pmcf->sentinel_user.len = value->len - 14;
        return NGX_OK;
    }

    if (value->len > 14
        && ngx_strncmp(value->data, "password_file=", 14) == 0)
    {
        n = 14;
        secret = &pmcf->redis_password;

    } else if (value->len > 23
               && ngx_strncmp(value->data, "sentinel_password_file=", 23)
                  == 0)
    {
        n = 23;
        secret = &pmcf->sentinel_password;

    } else {
        return NGX_DECLINED;
    }

    if (secret->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": the password is set twice", value);
        return NGX_ERROR;
    }

    name.data = value->data + n;
    name.len = value->len - n;

    if (ngx_pa_conf_read_secret(cf, &name, secret) != NGX_OK) {
        return NGX_ERROR;
    }

    if (secret->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" holds no password", &name);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_pa_redis_secret_check(ngx_conf_t *cf, ngx_pa_main_conf_t *pmcf)
{
    if (pmcf->redis_user.len && pmcf->redis_password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"user=\" needs \"password_file=\"");
        return NGX_ERROR;
    }

    if (pmcf->sentinel_user.len && pmcf->sentinel_password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sentinel_user=\" needs "
                           "\"sentinel_password_file=\"");
        return NGX_ERROR;
    }

    if (pmcf->sentinel_password.len && pmcf->sentinel == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sentinel_password_file=\" needs "
                           "\"sentinel=\"");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static char *
ngx_http_pa_tenant(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char      *p, c;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (pmcf->tenant.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* the hash tag: braces or spaces would break it */

    for (i = 0; i < value[1].len; i++) {
        c = value[1].data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            return "takes letters, digits, \"-\" and \"_\" only";
        }
    }

    if (value[1].len == 0 || value[1].len > 64) {
        return "takes 1 to 64 characters";
    }

    pmcf->tenant = value[1];

    pmcf->key_prefix.len = sizeof("pa:{}:") - 1 + value[1].len;
    pmcf->key_prefix.data = ngx_pnalloc(cf->pool, pmcf->key_prefix.len);
    if (pmcf->key_prefix.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_sprintf(pmcf->key_prefix.data, "pa:{%V}:", &value[1]);
    pmcf->key_prefix.len = p - pmcf->key_prefix.data;

    return NGX_CONF_OK;
}


static char *
ngx_http_pa_secret_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (ngx_pa_conf_read_secret(cf, &value[1], &pmcf->auth_secret)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (pmcf->auth_secret.len < 32) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the secret in \"%V\" is shorter than 32 bytes",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_pa_pii_key_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    char        err[128];
    ngx_str_t  *value, buf;

    value = cf->args->elts;

    if (ngx_pa_conf_read_file(cf, &value[1], &buf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    pmcf->pii = ngx_pcalloc(cf->pool, sizeof(ngx_pa_pii_keyring_t));
    if (pmcf->pii == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_pa_pii_load(pmcf->pii, buf.data, buf.len, err, sizeof(err))
        != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s",
                           &value[1], err);
        return NGX_CONF_ERROR;
    }

    /* the key stays in memory only as the keyring */
    ngx_explicit_memzero(buf.data, buf.len);

    return NGX_CONF_OK;
}


static char *
ngx_http_pa_calendar_hours(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char      *p;
    size_t       len;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (pmcf->calendar_hours_set) {
        return "is duplicate";
    }

    pmcf->calendar_hours_set = 1;

    value = cf->args->elts;

    len = 0;
    for (i = 1; i < cf->args->nelts; i++) {
        len += value[i].len + 1;
    }

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    len = 0;
    for (i = 1; i < cf->args->nelts; i++) {
        ngx_memcpy(p + len, value[i].data, value[i].len);
        len += value[i].len;
        p[len++] = ' ';
    }

    if (ngx_pa_calendar_set_hours(pmcf->calendar, p, len - 1) != 0) {
        return "has invalid office hours (want \"07:30-11:30 13:30-17:00\")";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_pa_calendar_weekdays(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t  *value;

    if (pmcf->calendar_weekdays_set) {
        return "is duplicate";
    }

    pmcf->calendar_weekdays_set = 1;

    value = cf->args->elts;

    if (ngx_pa_calendar_set_weekdays(pmcf->calendar, value[1].data,
                                     value[1].len)
        != 0)
    {
        return "has invalid weekdays (want \"mon-fri\" or \"mon,tue\")";
    }

    return NGX_CONF_OK;
}


/*
 * pa_calendar_file <file>...: one file a year is the usual way, so every
 * file named (on one line or several) adds its days; the same file twice
 * is a mistake, not a second year.
 */

static char *
ngx_http_pa_calendar_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    char         err[128];
    ngx_str_t   *value, buf, path, *seen;
    ngx_uint_t   i, j;

    if (pmcf->calendar_files == NULL) {
        pmcf->calendar_files = ngx_array_create(cf->pool, 4,
                                                sizeof(ngx_str_t));
        if (pmcf->calendar_files == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        path = value[i];

        if (ngx_pa_conf_path(cf, &path) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        seen = pmcf->calendar_files->elts;

        for (j = 0; j < pmcf->calendar_files->nelts; j++) {
            if (seen[j].len == path.len
                && ngx_strncmp(seen[j].data, path.data, path.len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "calendar file \"%V\" is named twice",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }
        }

        seen = ngx_array_push(pmcf->calendar_files);
        if (seen == NULL) {
            return NGX_CONF_ERROR;
        }

        *seen = path;

        if (ngx_pa_conf_read_file(cf, &value[i], &buf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        if (ngx_pa_calendar_load(pmcf->calendar, buf.data, buf.len, err,
                                 sizeof(err))
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s",
                               &value[i], err);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* pa_utc_offset +07:00 */

static char *
ngx_http_pa_utc_offset(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    u_char     *p;
    ngx_str_t  *value;
    ngx_int_t   h, m, sign;

    if (pmcf->utc_offset != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;
    p = value[1].data;

    if (value[1].len != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':') {
        return "takes an offset like \"+07:00\"";
    }

    sign = p[0] == '-' ? -1 : 1;
    h = ngx_atoi(p + 1, 2);
    m = ngx_atoi(p + 4, 2);

    if (h == NGX_ERROR || m == NGX_ERROR || h > 14 || m > 59) {
        return "takes an offset like \"+07:00\"";
    }

    pmcf->utc_offset = sign * (h * 3600 + m * 60);

    return NGX_CONF_OK;
}


/*
 * pa_sla <step> <duration> [wall] [urgent=<duration>] [urgent_working]
 *        [from=submission]
 *
 * Durations: "2d", "0.5d", "1h", "30m".  Working time unless "wall";
 * urgent durations are wall-clock unless "urgent_working".  A step
 * "from=submission" opens with the report, counted from its submission
 * (TN Điều 6.2, 7.1), not from the step before it.
 */

static char *
ngx_http_pa_sla(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t     *value, s;
    ngx_uint_t     i;
    ngx_pa_sla_t  *sla;

    value = cf->args->elts;

    for (i = 0; ngx_http_pa_steps[i] != NULL; i++) {
        if (ngx_strcmp(value[1].data, ngx_http_pa_steps[i]) == 0) {
            break;
        }
    }

    if (ngx_http_pa_steps[i] == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown step \"%V\" in \"pa_sla\" (steps are "
                           "named after the action that completes them: "
                           "verify, receive, dispatch, accept, resolve, ...)",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    /* two deadlines for one step: which one was meant? */

    if (ngx_pa_sla_find(pmcf, (char *) value[1].data) != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_sla\" for step \"%V\" is duplicate",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    sla = ngx_array_push(pmcf->slas);
    if (sla == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(sla, sizeof(ngx_pa_sla_t));
    sla->step = value[1];
    sla->urgent_wall = 1;

    if (ngx_http_pa_duration(&value[2], &sla->normal, &sla->normal_mdays)
        != NGX_OK)
    {
        goto invalid;
    }

    for (i = 3; i < cf->args->nelts; i++) {

        if (value[i].len == 4 && ngx_strncmp(value[i].data, "wall", 4) == 0) {
            sla->normal_wall = 1;
            continue;
        }

        if (value[i].len == 14
            && ngx_strncmp(value[i].data, "urgent_working", 14) == 0)
        {
            sla->urgent_wall = 0;
            continue;
        }

        if (value[i].len == 15
            && ngx_strncmp(value[i].data, "from=submission", 15) == 0)
        {
            sla->from_submission = 1;
            continue;
        }

        if (value[i].len > 7
            && ngx_strncmp(value[i].data, "urgent=", 7) == 0)
        {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;

            if (ngx_http_pa_duration(&s, &sla->urgent, &sla->urgent_mdays)
                != NGX_OK)
            {
                goto invalid;
            }

            sla->urgent_set = 1;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid \"pa_sla\" for step \"%V\"", &value[1]);
    return NGX_CONF_ERROR;
}


/*
 * pa_hide_by ioc [handler], pa_escalate_by ioc [handler]: who may take
 * the action.  The IOC always may; "handler" lets the agency do it too:
 * the assigned agency hides (LC25 Điều 9, ĐB mục 6), the lead agency
 * escalates to the provincial People's Committee (LC25 Điều 7.6).
 */

static char *
ngx_http_pa_roles(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t   *value;
    ngx_uint_t   i, *roles;

    roles = (ngx_uint_t *) (p + cmd->offset);

    if (*roles) {
        return "is duplicate";
    }

    value = cf->args->elts;
    *roles = NGX_PA_ROLE_BIT(NGX_PA_ROLE_IOC);

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len == 3 && ngx_strncmp(value[i].data, "ioc", 3) == 0) {
            continue;
        }

        if (value[i].len == 7
            && ngx_strncmp(value[i].data, "handler", 7) == 0)
        {
            *roles |= NGX_PA_ROLE_BIT(NGX_PA_ROLE_HANDLER);
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid role \"%V\" in \"%V\": "
                           "\"ioc\" or \"handler\"", &value[i],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * pa_area <lat,lng> <lat,lng> ...   a polygon written out, or
 * pa_area <file>                    a ".poly" file: one "lat,lng" a line,
 *                                   "#" comments, the ring not closed
 *
 * The province's outline (conf-examples/areas/) has hundreds of points:
 * too many for a directive line, so the file form is what profiles use.
 */

static char *
ngx_http_pa_area(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    char        *rv;
    u_char      *p, *eol, *last;
    ngx_str_t   *value, buf;
    ngx_uint_t   i, line;

    if (pmcf->area != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    pmcf->area = ngx_array_create(cf->pool, 64, 2 * sizeof(double));
    if (pmcf->area == NULL) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 2
        && ngx_strlchr(value[1].data, value[1].data + value[1].len, ',')
           == NULL)
    {
        if (ngx_pa_conf_read_file(cf, &value[1], &buf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        p = buf.data;
        last = buf.data + buf.len;

        for (line = 1; p < last; line++, p = eol + 1) {
            eol = ngx_strlchr(p, last, '\n');
            if (eol == NULL) {
                eol = last;
            }

            rv = ngx_http_pa_area_point(cf, &value[1], line, p, eol - p);
            if (rv != NGX_CONF_OK) {
                return rv;
            }
        }

    } else {
        for (i = 1; i < cf->args->nelts; i++) {
            rv = ngx_http_pa_area_point(cf, NULL, 0, value[i].data,
                                        value[i].len);
            if (rv != NGX_CONF_OK) {
                return rv;
            }
        }
    }

    if (pmcf->area->nelts < 3) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"pa_area\" needs at least 3 points "
                           "\"lat,lng\", %ui given", pmcf->area->nelts);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* one "lat,lng" (blank lines and "#" comments of a file are skipped) */

static char *
ngx_http_pa_area_point(ngx_conf_t *cf, ngx_str_t *name, ngx_uint_t line,
    u_char *p, size_t len)
{
    ngx_pa_main_conf_t  *pmcf;

    u_char     *comma;
    double     *pt;
    ngx_str_t   text;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_pa_module);

    while (len && (p[len - 1] == '\r' || p[len - 1] == ' '
                   || p[len - 1] == '\t'))
    {
        len--;
    }

    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }

    if (name != NULL && (len == 0 || *p == '#')) {
        return NGX_CONF_OK;
    }

    pt = ngx_array_push(pmcf->area);
    if (pt == NULL) {
        return NGX_CONF_ERROR;
    }

    comma = ngx_strlchr(p, p + len, ',');

    if (comma == NULL
        || ngx_pa_parse_decimal(p, comma - p, &pt[0]) != 0
        || ngx_pa_parse_decimal(comma + 1, p + len - comma - 1, &pt[1]) != 0
        || ngx_pa_latlng_check(pt[0], pt[1]) != 0)
    {
        text.data = p;
        text.len = len;

        if (name != NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" line %ui: invalid point \"%V\" "
                               "(want \"lat,lng\")", name, line, &text);

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid point \"%V\" (want \"lat,lng\")",
                               &text);
        }

        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * pa_media_types <type>...: every type named, each once, each one the
 * module knows (ngx_conf_set_str_array_slot would keep the first only).
 */

static char *
ngx_http_pa_media_types(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pa_main_conf_t *pmcf = conf;

    ngx_str_t   *value, *t, *known;
    ngx_uint_t   i, j;

    if (pmcf->media_types != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    pmcf->media_types = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                         sizeof(ngx_str_t));
    if (pmcf->media_types == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {

        for (known = ngx_http_pa_known_types; known->len; known++) {
            if (known->len == value[i].len
                && ngx_strncasecmp(known->data, value[i].data,
                                   value[i].len) == 0)
            {
                break;
            }
        }

        if (known->len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown media type \"%V\" in "
                               "\"pa_media_types\" (known: image/jpeg "
                               "image/png image/heic image/heif video/mp4 "
                               "video/quicktime video/3gpp audio/mpeg "
                               "audio/mp4 audio/x-m4a)", &value[i]);
            return NGX_CONF_ERROR;
        }

        t = pmcf->media_types->elts;

        for (j = 0; j < pmcf->media_types->nelts; j++) {
            if (t[j].len == known->len
                && ngx_strncmp(t[j].data, known->data, known->len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "media type \"%V\" is named twice in "
                                   "\"pa_media_types\"", &value[i]);
                return NGX_CONF_ERROR;
            }
        }

        t = ngx_array_push(pmcf->media_types);
        if (t == NULL) {
            return NGX_CONF_ERROR;
        }

        /* the known spelling: libmagic's answers are lower case */
        *t = *known;
    }

    return NGX_CONF_OK;
}


/* "2d" "0.5d" "1h" "30m" "45s": seconds, or thousandths of days */

static ngx_int_t
ngx_http_pa_duration(ngx_str_t *v, time_t *secs, ngx_uint_t *mdays)
{
    u_char      *p, *last;
    ngx_uint_t   whole, frac, scale;

    *secs = 0;
    *mdays = 0;

    if (v->len < 2) {
        return NGX_ERROR;
    }

    p = v->data;
    last = v->data + v->len - 1;    /* the unit */

    whole = 0;
    frac = 0;
    scale = 1000;

    if (p == last || *p < '0' || *p > '9') {
        return NGX_ERROR;
    }

    while (p < last && *p >= '0' && *p <= '9') {
        whole = whole * 10 + (*p++ - '0');
        if (whole > 100000) {
            return NGX_ERROR;
        }
    }

    if (p < last && *p == '.') {
        p++;

        if (p == last) {
            return NGX_ERROR;
        }

        while (p < last && *p >= '0' && *p <= '9' && scale > 1) {
            scale /= 10;
            frac += (*p++ - '0') * scale;
        }
    }

    if (p != last) {
        return NGX_ERROR;
    }

    /* thousandths of the unit */
    whole = whole * 1000 + frac;

    switch (*last) {

    case 'd':
        *mdays = whole;
        return NGX_OK;

    case 'h':
        *secs = (time_t) (whole * 3600 / 1000);
        return NGX_OK;

    case 'm':
        *secs = (time_t) (whole * 60 / 1000);
        return NGX_OK;

    case 's':
        *secs = (time_t) (whole / 1000);
        return NGX_OK;
    }

    return NGX_ERROR;
}
