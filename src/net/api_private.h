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
