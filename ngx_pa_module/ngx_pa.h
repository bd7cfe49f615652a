/*
 * ngx_pa: field reports ("phản ánh hiện trường") at the edge.
 *
 * Shared declarations: the module's configuration (one province profile
 * per http{} block), the per-request context and the helpers every
 * concern file uses.
 */

#ifndef NGX_PA_H
#define NGX_PA_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_pa_calendar.h"
#include "ngx_pa_pii.h"


#define NGX_PA_VERSION          "0.1.0"

#define NGX_PA_API_PREFIX   "/api/v1/"
#define NGX_PA_OPEN311_PREFIX  "/open311/v2/"
#define NGX_PA_KEY_MAX      128         /* key suffix after "pa:{t}:" */
#define NGX_PA_ID_MAX       32

/* scripts the C side calls, by file name in pa_redis_scripts */
typedef enum {
    NGX_PA_SCRIPT_SUBMIT = 0,
    NGX_PA_SCRIPT_ACT,
    NGX_PA_SCRIPT_GET,
    NGX_PA_SCRIPT_QUEUE,
    NGX_PA_SCRIPT_PUBLIC,
    NGX_PA_SCRIPT_STATS,
    NGX_PA_SCRIPT_SWEEP,
    NGX_PA_SCRIPT_LIMIT,
    NGX_PA_SCRIPT_OPEN311,
    NGX_PA_SCRIPT_REVOKE,
    NGX_PA_SCRIPT_OPEN311_UPDATES,
    NGX_PA_SCRIPT_METRICS,
    NGX_PA_SCRIPT_RETENTION_READ,
    NGX_PA_SCRIPT_RETENTION_PURGE,
    NGX_PA_SCRIPT_ORPHAN_REFS,
    NGX_PA_SCRIPT_UPLOAD_CREATE,
    NGX_PA_SCRIPT_UPLOAD_SET,
    NGX_PA_SCRIPT_UPLOAD_GET,
    NGX_PA_SCRIPT_UPLOAD_DELETE,
    NGX_PA_SCRIPT_NOTIFY_FAIL,
    NGX_PA_SCRIPT_NOTIFY_TAKE,
    NGX_PA_SCRIPT_NOTIFY_DONE,
    NGX_PA_SCRIPT_NOTIFY_REPLAY,
    NGX_PA_SCRIPT_NOTIFY_LIST,
    NGX_PA_SCRIPT_NOTIFY_READ,
    NGX_PA_SCRIPT_NOTIFY_PRUNE,
    NGX_PA_SCRIPT_LAST
} ngx_pa_script_e;

typedef struct {
    ngx_str_t                  name;       /* "submit" */
    ngx_str_t                  path;       /* its file, for the log */
    ngx_str_t                  uses;       /* its prelude's libraries */
    ngx_str_t                  body;       /* Lua source, as loaded */
    u_char                     sha1[41];   /* hex, NUL terminated */
} ngx_pa_script_t;


/* defined by the files that own them */
typedef struct ngx_pa_redis_s       ngx_pa_redis_t;
typedef struct ngx_pa_revoker_s     ngx_pa_revoker_t;
typedef struct ngx_pa_sweeper_s     ngx_pa_sweeper_t;
typedef struct ngx_pa_retention_s   ngx_pa_retention_t;
typedef struct ngx_pa_orphan_s      ngx_pa_orphan_t;
typedef struct ngx_pa_public_repair_s  ngx_pa_public_repair_t;
typedef struct ngx_pa_notifier_s    ngx_pa_notifier_t;
typedef struct ngx_pa_notify_conf_s ngx_pa_notify_conf_t;
typedef struct ngx_pa_directory_s   ngx_pa_directory_t;
typedef struct ngx_pa_limit_conf_s  ngx_pa_limit_conf_t;
typedef struct ngx_pa_o311_keys_s   ngx_pa_o311_keys_t;
typedef struct ngx_pa_upload_conf_s ngx_pa_upload_conf_t;
typedef struct ngx_pa_upload_gc_s   ngx_pa_upload_gc_t;
typedef struct ngx_pa_pubver_reader_s  ngx_pa_pubver_reader_t;

typedef struct ngx_pa_sentinel_conf_s  ngx_pa_sentinel_conf_t;
typedef struct ngx_pa_cluster_conf_s   ngx_pa_cluster_conf_t;
typedef struct ngx_pa_cluster_s        ngx_pa_cluster_t;

typedef struct ngx_pa_sse_reader_s  ngx_pa_sse_reader_t;
typedef struct ngx_pa_batch_s       ngx_pa_batch_t;
typedef struct ngx_pa_thumb_lane_s  ngx_pa_thumb_lane_t;

struct magic_set;                   /* libmagic's magic_t */


/*
 * What one worker process owns: made in init_process (each concern's
 * init_worker), undone in exit_process, never shared with another
 * process.  It sits in the main conf only because that is what every
 * request and event reaches; the rest of the main conf is configuration,
 * read-only once the workers run.
 */
typedef struct {
    ngx_pa_redis_t            *redis;      /* the Redis link */
    ngx_pa_batch_t            *batch;      /* submissions' group commit */
    ngx_pa_cluster_t          *cluster;    /* its slot map, or NULL */
    ngx_pa_revoker_t          *revoker;    /* copy of the revoked tokens */
    ngx_pa_sweeper_t          *sweeper;    /* the SLA sweeper's timer */
    ngx_pa_retention_t        *retention;  /* its retention run, if any */
    ngx_pa_orphan_t           *orphan;     /* its orphan sweep, if any */
    time_t                     orphan_last;    /* when that last began */
    ngx_pa_public_repair_t    *public_repair;  /* its copies' repair */
    ngx_uint_t                 public_repair_next;  /* where it goes on */
    ngx_pa_upload_gc_t        *upload_gc;  /* dead uploads' collector */
    ngx_pa_sse_reader_t       *sse;        /* the live streams' reader */
    ngx_pa_notifier_t         *notifier;   /* the webhooks' deliverer */
    ngx_pa_pubver_reader_t    *pubver;     /* reads pa:{t}:pubver */
    struct magic_set          *magic;      /* libmagic's cookie */
    struct ngx_pa_crypto_s    *crypto;     /* OpenSSL contexts, or NULL */
    ngx_pa_thumb_lane_t       *thumbs;     /* thumbnails waiting, or NULL */
    ngx_uint_t                 jobs;       /* requests' jobs in the pool */
    ngx_msec_t                 jobs_last;  /* one was posted or ended */
#if (NGX_THREADS)
    ngx_thread_mutex_t         magic_mutex;      /* one thread in libmagic */
    unsigned                   magic_mutex_set:1;
#endif
} ngx_pa_worker_t;


#define NGX_PA_EDITED_FLAG    1     /* edited media: a flag for the IOC */
#define NGX_PA_EDITED_REJECT  2     /* ... or 422 edited_media */

#define NGX_PA_NO_TIME_FLAG   1     /* no capture time: flag no_time */
#define NGX_PA_NO_TIME_REJECT 2     /* ... or 422 photo_too_old */


/* SLA of one workflow step */
typedef struct {
    ngx_str_t                  step;
    time_t                     normal;     /* seconds (working or wall) */
    ngx_uint_t                 normal_mdays;   /* + thousandths of days */
    time_t                     urgent;     /* used when urgent_set */
    ngx_uint_t                 urgent_mdays;
    unsigned                   normal_wall:1;
    unsigned                   urgent_wall:1;
    unsigned                   urgent_set:1;
    unsigned                   from_submission:1;  /* opens at submit */
} ngx_pa_sla_t;


typedef struct {
    /* Redis */
    ngx_str_t                  redis_host;      /* IP literal or unix path */
    in_port_t                  redis_port;
    unsigned                   redis_unix:1;
    ngx_str_t                  redis_password;  /* password(_file)= */
    ngx_str_t                  redis_user;      /* user=: an ACL user */
    ngx_str_t                  sentinel_password;  /* of the sentinels */
    ngx_str_t                  sentinel_user;
    ngx_int_t                  redis_db;
    ngx_msec_t                 redis_connect_timeout;
    ngx_msec_t                 redis_timeout;
    ngx_pa_sentinel_conf_t    *sentinel;        /* sentinel= master= */
    ngx_pa_cluster_conf_t     *cluster;         /* cluster= */
    ngx_uint_t                 submit_batch_max;    /* pa_submit_batch, */
    ngx_uint_t                 submit_batch_inflight;   /* 0: default */
    ngx_uint_t                 submit_batch_queue;      /* 0: default */
    ngx_msec_t                 submit_batch_linger; /* ms; 0: off */
    ngx_uint_t                 redis_wait;      /* WAIT for this many */
    ngx_msec_t                 redis_wait_timeout;  /* replicas, this long */
    ngx_pa_script_t            scripts[NGX_PA_SCRIPT_LAST];
    ngx_str_t                  scripts_dir;

    /* the province */
    ngx_str_t                  tenant;          /* hash tag of every key */
    ngx_str_t                  key_prefix;      /* "pa:{tenant}:" */
    ngx_str_t                  profile;         /* profile name, shown */
    ngx_int_t                  utc_offset;      /* seconds east */
    ngx_pa_calendar_t         *calendar;
    ngx_array_t               *calendar_files;  /* ngx_str_t, full paths */
    ngx_array_t               *slas;            /* ngx_pa_sla_t */

    /* submission rules */
    ngx_uint_t                 content_max;     /* code points */
    ngx_str_t                  media_dir;
    ngx_str_t                  media_tmp;       /* media_dir/tmp */
    ngx_array_t               *media_types;     /* ngx_str_t */
    off_t                      media_max_size;
    ngx_uint_t                 media_max_count;
    ngx_uint_t                 comments_max;     /* per report */
    ngx_uint_t                 comments_per_day; /* per report per day */

    /* secrets */
    ngx_str_t                  auth_secret;
    time_t                     auth_max_ttl;    /* 0: any lifetime */
    ngx_pa_pii_keyring_t      *pii;

    ngx_flag_t                 test_clock;

    /* set once: a second line of these is an error, as nginx's own are */
    unsigned                   calendar_hours_set:1;
    unsigned                   calendar_weekdays_set:1;

    /* workflow switches of the profile */
    ngx_flag_t                 verification;     /* separate verify step */
    ngx_flag_t                 leader_approval;
    ngx_flag_t                 coordinator;
    ngx_flag_t                 auto_dispatch;    /* by the directory's areas */
    ngx_flag_t                 login_required;
    ngx_flag_t                 record_compat;    /* id, updated_at stored */
    ngx_uint_t                 stats_min_ratings;
    ngx_uint_t                 hide_roles;       /* NGX_PA_ROLE_BIT()s */
    ngx_uint_t                 escalate_roles;   /* NGX_PA_ROLE_BIT()s */
    ngx_uint_t                 extend_max;       /* working days */

    /* the directory (ngx_pa_directory.c) */
    ngx_pa_directory_t        *directory;

    /* edge rate limits (ngx_pa_limit.c) */
    ngx_pa_limit_conf_t       *limit;
    ngx_shm_zone_t            *pubver_zone;  /* $pa_public_version */
    ngx_shm_zone_t            *revoke_zone;  /* the node's revocations */

    /* media pre-upload: pa_upload (ngx_pa_upload_gc.c), or NULL */
    ngx_pa_upload_conf_t      *upload;

    /* Open311 API keys (ngx_pa_open311_keys.c) */
    ngx_pa_o311_keys_t        *open311;

    /* evidence rules (ngx_pa_evidence.c) */
    time_t                     photo_max_age;    /* 0: no limit */
    ngx_flag_t                 require_gps;
    ngx_flag_t                 require_media;
    ngx_uint_t                 edited_media;     /* NGX_PA_EDITED_* */
    ngx_uint_t                 no_time;          /* NGX_PA_NO_TIME_* */
    ngx_array_t               *area;             /* double lat, lng pairs */

    /* duplicate hints for the IOC (ngx_pa_duplicate.c) */
    ngx_uint_t                 duplicate_radius; /* metres, 0: none */
    time_t                     duplicate_window; /* seconds either side */

    /* the SLA sweeper (ngx_pa_sweep.c) */
    ngx_msec_t                 sweep_interval;

    /* pa_retention, pa_archive_dir (ngx_pa_retention.c) */
    ngx_uint_t                 retention_years;  /* UNSET: off */
    ngx_uint_t                 retention_days;
    ngx_str_t                  archive_dir;

    /* orphan blobs of the media store (ngx_pa_orphan.c) */
    time_t                     orphan_grace;
    /* webhooks: the pa_notify targets (ngx_pa_notify_conf.c) */
    ngx_pa_notify_conf_t      *notify;

    /* pa_thread_pool: media and file work off the event loop */
#if (NGX_THREADS)
    ngx_thread_pool_t         *thread_pool;
#endif
    ngx_uint_t                 thread_sched;   /* NGX_PA_SCHED_* */
    ngx_uint_t                 worker_slice;   /* pa_worker_slice, µs */

    /* the CRC-64 tables of the records' payloads (ngx_pa_dump.h) */
    struct ngx_pa_crc64_s     *crc64;

    /* this process's own state (not configuration) */
    ngx_pa_worker_t            worker;
} ngx_pa_main_conf_t;


typedef struct {
    ngx_flag_t                 api;        /* pa_api: this location is ours */
    ngx_flag_t                 error;      /* pa_error: JSON error pages */
} ngx_pa_loc_conf_t;


/* an answer decided deep in a concern file, sent by the request's owner */
typedef struct {
    ngx_uint_t                 status;
    const char                *code;
    const char                *field;
    const char                *message;
} ngx_pa_err_t;

#define ngx_pa_err_set(e, st, c, f, m)                                        \
    do {                                                                      \
        (e)->status = (st); (e)->code = (c); (e)->field = (f);                \
        (e)->message = (m);                                                   \
    } while (0)


typedef struct ngx_pa_redis_cmd_s  ngx_pa_redis_cmd_t;
typedef struct ngx_pa_call_s       ngx_pa_call_t;
typedef struct ngx_pa_submit_s     ngx_pa_submit_t;

typedef struct ngx_pa_ctx_s  ngx_pa_ctx_t;

typedef void (*ngx_pa_reply_pt)(ngx_http_request_t *r, ngx_pa_ctx_t *ctx,
    void *reply);

struct ngx_pa_ctx_s {
    ngx_http_request_t        *request;
    ngx_pa_call_t             *call;       /* the request's Redis call */
    ngx_pa_reply_pt            on_reply;   /* continuation after a call */

    time_t                     now;        /* X-PA-Now or the clock */
    ngx_str_t                  id;         /* report id from the URI */
    ngx_str_t                  sub;        /* "history", "actions", ... */
    ngx_str_t                  media;      /* sha256 in .../media/{sha} */

    ngx_pa_submit_t           *submit;     /* POST /reports state */
    void                      *body;       /* ngx_pa_body.c: a multipart
                                              body walked as it came */
    void                      *data;       /* the route's own state */
    const char                *outcome;    /* /metrics: error code, replay */

    off_t                      body_room;  /* a PATCH: bytes its upload
                                              still takes (body_capped) */
    unsigned                   body_capped:1;
};


extern ngx_module_t  ngx_http_pa_module;


#endif /* NGX_PA_H */
