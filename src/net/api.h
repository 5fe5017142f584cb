/* api.h — the Density API v2 as the mock server answers it, independent of
 * the HTTP library: a parsed request in, a status and a JSON body out.
 *
 * net/server.c does the HTTP (libwebsockets) and calls api_handle() for each
 * request; tests and fuzzers call it directly.  The api reads the site and
 * the engine (counts, history) and keeps the event logs the /events
 * endpoints serve (fed by api_record_*).  It never blocks.
 *
 * Behaviour follows ../shared/density-api-v2.txt; where the reference is
 * silent, the choice is documented in the README ("The mock server").
 *
 * Ownership: the api borrows the site, the engine and the zones; they must
 * outlive it.  PUT /spaces/:id/ changes the site's space and tells the
 * engine (engine_update_space).  Not thread-safe: the loop thread calls it. */
#ifndef OCCTOP_NET_API_H
#define OCCTOP_NET_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/site.h"
#include "core/tz.h"

/* A query parameter, already percent-decoded. */
struct api_param {
    const char *name;
    const char *value;
};

struct api_request {
    const char *method;        /* "GET", "PUT", "POST", "DELETE", ... */
    const char *path;          /* percent-decoded path, e.g. "/v2/spaces/spc_1/" */
    const struct api_param *params;
    size_t param_count;
    const char *authorization; /* the Authorization header's value, or NULL */
    const char *body;          /* may be NULL; not NUL-terminated */
    size_t body_length;
    int64_t wall_ms;           /* real time, for the rate limit and socket codes */
};

struct api_response {
    int status;               /* 200, 201, 204, 400, 403, 404, 405, 429, 500 */
    char *body;               /* JSON text (owned; NUL-terminated too), or NULL for 204 */
    size_t body_length;
    int retry_after_seconds;  /* > 0: send Retry-After */
    const char *allow;        /* 405: send Allow with this (static) value; else NULL */
};

/* Frees the body (always through this: the out-of-memory 500 body is static). */
void api_response_clear(struct api_response *response);

#define API_DEFAULT_RATE_LIMIT 60   /* requests per minute per token */
#define API_SOCKET_TTL_SECONDS 300
#define API_DEFAULT_PAGE_SIZE 200
#define API_MAX_PAGE_SIZE 1000

struct api_config {
    const char *token;        /* the one valid token (copied) */
    int rate_limit;           /* requests per minute; 0: no limit; < 0: the default */
    const char *base_url;     /* "http://127.0.0.1:8080/v2": for next/previous (copied) */
    const char *socket_url;   /* "ws://127.0.0.1:8080/v2/": POST /sockets adds ?code=...
                                 (copied; NULL: base_url with ws:// or wss://, and "/") */
    uint64_t seed;            /* socket codes are random; a seed makes them repeatable
                                 (0: from the system, getrandom) */
    size_t event_log_capacity; /* space events kept for /events; 0: a default (1,000,000) */
    /* Told after a request changed what the server holds, so that it can be
     * saved (--state); called once per request, after the change.  May be NULL. */
    void (*on_change)(void *context);
    /* Told after spaces, doorways or links were created or deleted, before
     * on_change: the engine already counts the new shape (the api relinks
     * it); whatever else borrows the site (the simulator) must be rebuilt.
     * api_zones() gives the zones of the new shape.  May be NULL. */
    void (*on_topology)(void *context);
    void *change_context;
};

struct api;

/* NULL when out of memory, or when config has no token (or one longer than
 * 512 bytes): a mock server that anyone may use is never started by mistake. */
struct api *api_new(struct site *site, struct engine *engine,
                    const struct tz_zone *const *zones, const struct api_config *config);
void api_free(struct api *api);

/* Answers of GET /spaces/:id/counts/ given from those kept (hits) and
 * encoded anew (misses): for tests and benchmarks. */
void api_counts_cache_stats(const struct api *api, uint64_t *hits, uint64_t *misses);

/* The zone of each space, spaces created through the API included (valid
 * until the next request that creates a space). */
const struct tz_zone *const *api_zones(const struct api *api);

/* Answers one request.  The response is always filled (a 500 with a JSON
 * body if memory ran out). */
void api_handle(struct api *api, const struct api_request *request,
                struct api_response *response);

/* Everything the API can change, as one JSON document in the site file's
 * format (api_state.c): what --state saves.  NULL when out of memory. */
json_t *api_state_json(const struct api *api);
/* What of such a document the site file does not hold: webhooks, and the
 * numbers new ids continue from.  0, or -1 with one line in error. */
int api_state_restore(struct api *api, const json_t *state, char *error, size_t error_size);

/* The event logs behind /spaces/:id/events/ and /sensors/:serial/events/:
 * the server records every space event the engine tells and every sensor
 * event it feeds the engine.  Old entries are dropped when the log is full. */
void api_record_space_event(struct api *api, site_index space, const struct space_event *event);
void api_record_sensor_event(struct api *api, const struct sensor_event *event);

/* Sensor status as the simulator reports it: online or offline, with the
 * last heartbeat. */
void api_set_sensor_status(struct api *api, site_index sensor, bool online,
                           int64_t last_heartbeat_ms);

/* A websocket handshake presents ?code=...: true once per code issued by
 * POST /sockets within its ttl; false for any other code, or a second use. */
bool api_claim_socket_code(struct api *api, const char *code, int64_t wall_ms);

/* --- time segments (net/api_segments.c) ------------------------------------------------ */

/* --state: the site's time segments and their groups as
 *   {"time_segments": [<as GET /time_segments/:id/ shows them>...],
 *    "time_segment_groups": [{"id", "name", "time_segments": [ids]}...],
 *    "next_number": <new ids continue from it>}
 * (wire/segments_json.h; the caller decrefs; NULL when out of memory); and
 * back: that object replaces every segment and group, all or nothing (-1
 * with one line in error naming the element and field, nothing changed).
 * on_change is not called. */
json_t *api_segments_to_json(const struct api *api);
int api_segments_from_json(struct api *api, const json_t *json, char *error, size_t error_size);

/* --- webhooks (net/api_webhooks.c) ------------------------------------------------------ */

/* What delivering one webhook needs; borrowed for the length of a call.
 * Everything in it was checked: an http(s) URL, header names that are HTTP
 * tokens, header values without CR, LF or other control characters. */
struct api_webhook_target {
    const char *id;
    const char *endpoint;
    const char *const *header_names;
    const char *const *header_values;
    size_t header_count;
    bool enabled;
};

/* How delivery goes, shown read-only as "delivery" in GET /webhooks/:id/. */
struct api_webhook_delivery {
    uint64_t delivered;   /* payloads answered 2xx */
    uint64_t retried;     /* attempts made again after a failed one */
    uint64_t dropped;     /* payloads given up: queue full, webhook disabled */
    uint64_t queued;      /* payloads waiting, the one in flight included */
    char last_error[256]; /* why the last attempt failed; "" after a success */
};

/* Whoever delivers the webhooks (net/webhook.h): told of every webhook
 * created, changed (set), restored or deleted (remove), on the loop thread,
 * and asked for the counters.  Without one, webhooks are kept and served
 * but never delivered, and GET shows no "delivery". */
struct api_webhook_listener {
    void (*set)(void *context, const struct api_webhook_target *target);
    void (*remove)(void *context, const char *id);
    bool (*delivery)(void *context, const char *id, struct api_webhook_delivery *out);
    void *context;
};

/* Copies the listener (NULL: none) and tells it every webhook there is. */
void api_set_webhook_listener(struct api *api, const struct api_webhook_listener *listener);

/* --state: the webhooks as {"webhooks": [<as GET shows them, without
 * "delivery">...], "next_number": <the number of the next id>} (the caller
 * decrefs; NULL when out of memory); and back: that object (or a bare array
 * of webhooks) replaces every webhook, each checked as POST checks it, ids
 * "whk_<digits>" kept.  All or nothing: -1 with one line in error naming the
 * field, and nothing changed.  The listener is told; on_change is not. */
json_t *api_webhooks_to_json(const struct api *api);
int api_webhooks_from_json(struct api *api, const json_t *json, char *error, size_t error_size);

#endif
