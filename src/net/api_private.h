/* api_private.h — what the files of the mock's API share: the api's state,
 * the request being answered, and the helpers every endpoint answers with.
 *
 * api.c holds routing, authentication, the rate limit, parameters, pages,
 * and the read endpoints; api_manage.c the endpoints that create, change and
 * delete objects; api_segments.c time segments; api_webhooks.c webhooks.
 * Only net/api*.c include this header. */
#ifndef OCCTOP_NET_API_PRIVATE_H
#define OCCTOP_NET_API_PRIVATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eventlog.h"
#include "core/idmap.h"
#include "core/memo.h"
#include "core/ratelimit.h"
#include "net/api.h"
#include "wire/json_util.h"
#include "wire/tzdb.h"

#define API_MAX_TOKEN_LENGTH 512
#define API_MAX_PATH_LENGTH 2048
#define API_MAX_SEGMENTS 4
#define API_MAX_BODY_LENGTH (64 * 1024)
#define API_MAX_NAME_LENGTH 255
#define API_MAX_WINDOW_DAYS 366
#define API_MAX_SAMPLES 100000
#define API_COUNTS_MEMO_SLOTS 32 /* counts answers kept (api.c, the counts section) */
#define API_COUNTS_MEMO_ENTRY_BYTES (256 * 1024) /* a day at 5m is 130 KB with its key */
#define API_SPACES_MEMO_SLOTS 64 /* GET /spaces/:id/ answers kept (api.c, get_space) */
#define API_SPACES_MEMO_ENTRY_BYTES (64 * 1024)
#define API_MAX_SOCKET_CODES 1024
#define API_DEFAULT_EVENT_LOG_CAPACITY 1000000
#define API_MAX_EXTRA_NAMES 65536 /* doorway ids and serials seen only in events */
#define API_DEFAULT_BASE_URL "http://127.0.0.1/v2"

#define SOCKET_CODE_PREFIX "skc_"
#define SOCKET_CODE_RANDOM_CHARS 22
#define SOCKET_CODE_LENGTH (sizeof SOCKET_CODE_PREFIX - 1 + SOCKET_CODE_RANDOM_CHARS)
#define SOCKET_CODE_BUFFER 32 /* compared whole: > SOCKET_CODE_LENGTH */

#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_DAY INT64_C(86400000)

/* --- state --------------------------------------------------------------------------- */

/* Doorway ids and sensor serials, each stored once, so that the event logs
 * hold a number instead of two 64-byte strings per event. */
struct name_table {
    struct idmap map; /* borrows the strings in items */
    char **items;
    size_t count, room, limit;
};

struct sensor_report {
    bool known;
    bool online;
    int64_t last_heartbeat_ms;
};

struct socket_code {
    bool active;
    int64_t expires_ms;
    char code[SOCKET_CODE_BUFFER]; /* zero-padded */
};

/* xoshiro256**, for repeatable codes when a seed is configured (tests). */
struct rng {
    uint64_t s[4];
};

struct api {
    struct site *site;
    struct engine *engine;
    const struct tz_zone **zones; /* one per space: the caller's, or a PUT's from tzdb */
    struct tzdb *tzdb;            /* created by the first PUT with a time_zone */
    unsigned char token[API_MAX_TOKEN_LENGTH]; /* zero-padded */
    size_t token_length;
    char *base_url;   /* without a trailing slash */
    char *socket_url;
    struct ratelimit limit;
    bool seeded;    /* codes from rng; otherwise from the system */
    struct rng rng;
    struct socket_code codes[API_MAX_SOCKET_CODES];
    struct eventlog *space_events;  /* keyed by space index */
    struct eventlog *sensor_events; /* keyed by sensor index */
    struct name_table names;
    struct sensor_report *sensor_reports; /* one per site sensor */
    size_t zone_room, report_room;        /* grown with the site (api_manage.c) */
    void (*on_change)(void *context);
    void (*on_topology)(void *context);
    void *change_context;
    struct memo *counts_memo;    /* counts answers, under what they are made of */
    struct memo_key counts_key;  /* the request's, written anew by each */
    struct memo *spaces_memo;    /* GET /spaces/:id/ answers */
    struct memo_key space_key;
    uint64_t shape_version;      /* moved by every request but a GET */
    uint64_t next_object_number; /* ids of objects made through the API */
    struct api_webhooks *webhooks; /* api_webhooks.c's; NULL until first needed */
};

/* One request being answered. */
struct call {
    struct api *api;
    const struct api_request *request;
    struct api_response *response;
    char path[API_MAX_PATH_LENGTH + 1];
    const char *segments[API_MAX_SEGMENTS];
    size_t segment_count;
};


#define API_MAX_PAGE_NUMBER INT64_C(1000000000)

struct paging {
    int64_t page;
    int64_t page_size;
    size_t first; /* the page's slice of the results */
    size_t count;
    char *next;
    char *previous;
};

/* --- answering ----------------------------------------------------------------- */

/* Takes `json` over (NULL means memory ran out). */
void api_respond_json(struct call *call, int status, json_t *json);
/* {"detail": message}; request text goes in through SAFE(). */
void api_respond_error(struct call *call, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void api_respond_out_of_memory(struct call *call);

/* Quotes request text in a message: valid UTF-8, bounded. */
#define SAFE(text, buffer) wire_safe_text((text), (buffer), sizeof(buffer))

/* The last value given for query parameter `name`; NULL when absent or empty. */
const char *api_param(const struct call *call, const char *name);

/* Pages: read page and page_size (false after answering 400), then answer
 * the slice of a list with next and previous links. */
bool api_read_paging(struct call *call, struct paging *p);
void api_paging_clear(struct paging *p);
typedef json_t *(*encode_fn)(const struct api *api, site_index i);
void api_respond_list(struct call *call, const site_index *indices, size_t count,
                      const char *const *known, struct paging *p, encode_fn encode);
site_index *api_index_buffer(size_t count);

/* The request body as a JSON object opened for reading (messages name
 * "request body"); false after answering 400.  The caller decrefs *json. */
bool api_open_body(struct call *call, json_t **json, struct wire_reader *r,
                   struct wire_error *err);

/* --- endpoints in other files ------------------------------------------------------ */

typedef void (*handler_fn)(struct call *call, const char *id);

/* api_manage.c */
void api_post_spaces(struct call *call, const char *unused);
void api_put_space(struct call *call, const char *id);
void api_delete_space(struct call *call, const char *id);
void api_post_space_tag(struct call *call, const char *id);
void api_delete_space_tag(struct call *call, const char *id);
void api_post_space_team(struct call *call, const char *id);
void api_delete_space_team(struct call *call, const char *id);
void api_post_doorways(struct call *call, const char *unused);
void api_put_doorway(struct call *call, const char *id);
void api_delete_doorway(struct call *call, const char *id);
void api_post_doorway_tag(struct call *call, const char *id);
void api_delete_doorway_tag(struct call *call, const char *id);
void api_list_links(struct call *call, const char *unused);
void api_get_link(struct call *call, const char *id);
void api_post_links(struct call *call, const char *unused);
void api_delete_link(struct call *call, const char *id);

/* api_webhooks.c */
void api_list_webhooks(struct call *call, const char *unused);
void api_post_webhooks(struct call *call, const char *unused);
void api_get_webhook(struct call *call, const char *id);
void api_put_webhook(struct call *call, const char *id);
void api_delete_webhook(struct call *call, const char *id);
void api_webhooks_free(struct api *api); /* api_free's part */

/* api_segments.c */
void api_list_time_segments(struct call *call, const char *unused);
void api_get_time_segment(struct call *call, const char *id);
void api_post_time_segments(struct call *call, const char *unused);
void api_put_time_segment(struct call *call, const char *id);
void api_delete_time_segment(struct call *call, const char *id);

/* Sets "time_segments", "time_segment_groups" and "inherits_time_segments"
 * of space i's JSON from the site's segments.  Takes json over: returns it,
 * or NULL (json freed) when memory ran out. */
json_t *api_segments_space_json(const struct api *api, site_index i, json_t *json);

/* Counts filtered by time segment: reads time_segment_id and
 * time_segment_group_id (false after answering 500); when filter->active,
 * api_segments_keep_minute(filter, ...) is the analytics_query's
 * keep_minute.  Clear it after the answer. */
struct api_segment_filter {
    bool active;
    const struct time_segment **items; /* borrowed from site->segments */
    size_t count, room;
    const struct tz_zone *zone;        /* the space's */
};
bool api_segments_read_filter(struct call *call, site_index space,
                              struct api_segment_filter *filter);
bool api_segments_keep_minute(const void *filter, int64_t minute_ms);
void api_segments_filter_clear(struct api_segment_filter *filter);

/* --- objects ---------------------------------------------------------------------- */

/* Listed and found by id: not a later duplicate of an earlier id. */
bool api_canonical_space(const struct site *site, size_t i);
bool api_canonical_doorway(const struct site *site, size_t i);
json_t *api_space_json(const struct api *api, site_index i);
json_t *api_doorway_json(const struct api *api, site_index i);
/* The space the path names; SITE_NONE after answering 404. */
site_index api_path_space(struct call *call, const char *id);

/* After a request changed what the server holds: tells the caller (--state). */
void api_changed(struct api *api);

/* --- small helpers ---------------------------------------------------------------- */

char *api_copy_string(const char *text); /* NULL stays NULL */
bool api_append(json_t *array, json_t *item); /* takes item; false when memory ran out */
json_t *api_time_string(int64_t ms);           /* "2024-05-01T17:00:00.000Z" */

#endif
