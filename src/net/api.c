/* api.c — the Density API v2 of the mock server: routing, authentication,
 * the rate limit, parameters, pagination and every endpoint's answer.
 *
 * A request goes through, in this order:
 *   1. authentication: "Authorization: Bearer <token>", compared in constant
 *      time; anything else is 403 (even for paths that do not exist, so that
 *      an unauthenticated client learns nothing about the API);
 *   2. the rate limit of the token (core/ratelimit.h): 429 with Retry-After;
 *   3. routing: 404 for an unknown path, 405 (with Allow) for a known path
 *      and a method it does not serve;
 *   4. the resource named in the path: 404 when there is no such id;
 *   5. the parameters, in the order the reference lists them: the first bad
 *      one gives 400 naming it;
 *   6. the answer, paginated where the reference paginates.
 * Every error body is {"detail": "<message>"}, as Density (a Django REST
 * Framework service) writes them; messages about a parameter start with its
 * name ("start_time: ...").
 *
 * Choices where the reference is silent (for the README, "The mock server"):
 *
 * Authentication
 *  - The scheme "Bearer" is matched case-insensitively (RFC 7235); one or more
 *    spaces may follow it; spaces and tabs after the token are ignored.  A
 *    missing header, another scheme and a wrong token are all 403.  Tokens
 *    (at most 512 bytes) are compared over a fixed 512 bytes, zero-padded,
 *    with the length difference folded in, so the time taken depends on
 *    neither the token's content nor its length.  Socket codes are compared
 *    the same way.
 *  - Requests refused with 403 do not count against the rate limit.
 *
 * Rate limit
 *  - Fixed windows of one wall-clock minute (12:00:00-12:00:59.999), counted
 *    per token; every authenticated request counts, whatever its answer
 *    (404 and 400 included), except requests refused with 429 themselves.
 *    Retry-After is the whole seconds to the next window, rounded up (1..60).
 *    --rate-limit 0 turns the limit off; a negative value means the default.
 *
 * Paths and parameters
 *  - Every path works with and without its trailing slash; an empty segment
 *    ("//") or a path longer than 2048 bytes is 404.
 *  - A parameter given twice: the last one counts (as in Django).  A
 *    parameter given with an empty value counts as not given.  Unknown
 *    parameters are ignored.
 *  - Timestamps must be ISO 8601 with "Z", "+00:00" or "-00:00"; fractions of
 *    a second are accepted (truncated to the millisecond).  Another offset,
 *    or no zone at all, is 400 ("not in UTC").
 *  - order is ASC or DESC in any case ("asc" works).
 *  - page is a whole number from 1; page_size from 1 to 1000.  A page past the
 *    last one is 404 with a detail naming page (as Django REST Framework's
 *    "Invalid page."); page 1 of an empty list is an empty list.
 *  - A filter naming an id that does not exist (doorway_id, space_id) gives
 *    an empty list, not an error; an unknown space_type is 400.
 *
 * Pagination
 *  - next and previous are absolute: the configured base URL, the canonical
 *    path (with its trailing slash) and the endpoint's own parameters as the
 *    request gave them (unknown ones dropped, each once, in the request's
 *    order, values percent-encoded), with page set to the page they lead to
 *    (page=1 is written out for the first page).  Both are null at the ends.
 *  - Lists are in the site file's order; a later object repeating an earlier
 *    object's id is left out (it could not be fetched by id either), and so
 *    is a sensor without a serial number.  Tags are sorted by name.
 *  - The doorway list says "total" like every other list (the reference's
 *    "count" there is taken for a slip).
 *
 * Counts
 *  - start_time and end_time are both required; end_time must be after
 *    start_time; samples cover [start_time, end_time).  interval defaults to
 *    1h; 1m, 5m, 10m, 15m, 1h, 1d and 1w are served in any spelling of the
 *    same length ("60m", "24h"); "1 month" is not (400).  Day and week
 *    samples are local days (weeks from Monday) of the space's time zone.
 *  - A window longer than 366 days, or one that holds more than 100,000
 *    samples at the asked interval (1m over 70 days), is 400 naming
 *    start_time and end_time: the answer is computed from every minute of
 *    the window, so its length is bounded.
 *  - total is the number of samples; results are the asked page of them;
 *    metrics are over the whole window, whatever the page.
 *  - Counts come from the engine's minute history; before the oldest minute
 *    it holds, the count is taken to be the oldest minute's starting count;
 *    after the newest, the live count.
 *  - time_segment_id and time_segment_group_id keep only the minutes inside
 *    those time segments: see api_segments.c.
 *
 * Events
 *  - start_time is required; end_time defaults to "now", the engine's clock
 *    (simulated time in the demo): events at that instant are included.
 *    Windows are [start_time, end_time).  Equal timestamps keep the order in
 *    which the events arrived (reversed for DESC).
 *  - The log keeps the newest event_log_capacity space events of the whole
 *    site (default 1,000,000), and as many sensor events; older ones are
 *    gone, as on a service with a retention period.
 *  - A sensor event is kept under the sensor the site lists with its serial
 *    (or, without a serial, the sensor of its doorway); events of sensors the
 *    site does not list are not kept: /sensors/ could not name them.  An
 *    event without a doorway id gets its sensor's doorway.
 *  - Event ids are the engine's ("evt_<number>") for space events and the
 *    raw events' own (or null) for sensor events.  Ids, doorway ids and
 *    serials that are not valid UTF-8 are written as null, and so are
 *    doorway ids and serials beyond the first 65,536 the site does not list.
 *
 * Sensors
 *  - status and last_heartbeat are what the simulator last reported
 *    (api_set_sensor_status); before its first report, what the site file
 *    says.  last_heartbeat is written with "Z" like every other timestamp.
 *
 * PUT /spaces/:id/
 *  - The body is a JSON object of at most 64 KiB.  name,
 *    capacity, target_capacity, safe_capacity, safe_threshold_mode,
 *    safe_threshold_value, daily_reset and time_zone are applied; every other
 *    field is accepted and ignored, as Django REST Framework ignores
 *    read-only fields.  A missing field is left as it was; null clears it
 *    (daily_reset null means the default 04:00, time_zone null means UTC);
 *    name cannot be null or blank and is at most 255 bytes.
 *  - capacities are integers from 0 to 2147483647; safe_threshold_value is a
 *    number from 0 to 1 (a proportion); safe_threshold_mode is one of the
 *    three modes, in any case; daily_reset is "HH:MM" or "HH:MM:00", 00:00 to
 *    23:59; time_zone must be a zone of the system's tz database.
 *  - A mode that lacks the field it needs (SAFE_CAPACITY without
 *    safe_capacity, UTILIZATION_PERC_TARGET without target_capacity or a
 *    value, ...) is 400 when the request touches the threshold.
 *  - The change is all or nothing: the first invalid field is 400 naming it
 *    and nothing changes.  The answer is the space, as GET shows it.
 *
 * Sockets
 *  - POST /sockets answers 200 with {"url", "ttl": 300}; the code is "skc_"
 *    and 22 random letters and digits (about 130 bits) from the kernel's
 *    generator (getrandom), or, when a seed is configured, from a seeded
 *    generator so that tests repeat.  A code opens one websocket,
 *    once, strictly within ttl seconds of its issue (by the wall clock);
 *    codes are not tied to the token that asked.  At most 1024 codes wait at
 *    once (the one closest to expiry is dropped first).
 *
 * Other
 *  - 405 answers carry Allow.  HEAD and OPTIONS are 405 like any method a
 *    path does not serve (a server that wants CORS preflights answers them
 *    before the api: they carry no token).  Endpoints of the reference the
 *    mock does not serve are 404, or 405 where the path is one it serves.
 *    Creating, changing and deleting objects: api_manage.c; time segments
 *    (/time_segments/, the segments a space shows, counts filtered by
 *    time_segment_id and time_segment_group_id): api_segments.c; webhooks:
 *    api_webhooks.c.  Their choices are in their file comments.
 *  - When memory runs out the answer is 500 {"detail": "..."}. */
#include "net/api.h"
#include "net/api_private.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/analytics.h"
#include "core/eventlog.h"
#include "core/grow.h"
#include "core/idmap.h"
#include "core/ratelimit.h"
#include "core/timefmt.h"
#include "wire/json_model.h"
#include "wire/json_stream.h"
#include "wire/json_util.h"
#include "wire/tzdb.h"

/* --- small helpers ------------------------------------------------------------------- */

char *api_copy_string(const char *text)
{
    if (!text)
        return NULL;
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, text, len + 1);
    return copy;
}

/* The length of the UTF-8 sequence at p, or 0 when it is not a valid one
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_sequence(const unsigned char *p)
{
    static const struct {
        unsigned char mask, lead;
        size_t length;
        unsigned min;
    } forms[] = { { 0x80, 0x00, 1, 0 },
                  { 0xE0, 0xC0, 2, 0x80 },
                  { 0xF0, 0xE0, 3, 0x800 },
                  { 0xF8, 0xF0, 4, 0x10000 } };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if ((p[0] & forms[f].mask) != forms[f].lead)
            continue;
        unsigned c = p[0] & (unsigned char)~forms[f].mask;
        for (size_t i = 1; i < forms[f].length; i++) {
            if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
                return 0;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < forms[f].min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        return forms[f].length;
    }
    return 0;
}

/* jansson refuses strings that are not UTF-8: a name that could not be
 * encoded must not turn a whole answer into a 500. */
static bool utf8_valid(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t length = utf8_sequence(p);
        if (length == 0)
            return false;
        p += length;
    }
    return true;
}

/* An id field of a core/event.h struct as a NUL-terminated string, even if
 * the struct came from somewhere that did not terminate it. */
static void bounded_id(const char field[EVENT_ID_MAX], char out[EVENT_ID_MAX])
{
    size_t len = strnlen(field, EVENT_ID_MAX - 1);
    memcpy(out, field, len);
    out[len] = '\0';
}

/* Copies text into an id field, cut on a UTF-8 character boundary so that
 * the copy stays encodable. */
static void copy_id(const char *text, char out[EVENT_ID_MAX])
{
    size_t len = strlen(text);
    if (len >= EVENT_ID_MAX) {
        len = EVENT_ID_MAX - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, text, len);
    out[len] = '\0';
}

bool api_append(json_t *array, json_t *item)
{
    return item && json_array_append_new(array, item) == 0;
}

json_t *api_time_string(int64_t ms)
{
    char text[TIMEFMT_SIZE];
    timefmt_format(ms, text, sizeof text);
    return json_string(text);
}

/* Compares two zero-padded buffers of `size` bytes, every byte, whatever
 * they hold, and folds in whether the lengths differ. */
static bool secret_equal(const unsigned char *a, size_t a_length, const unsigned char *b,
                         size_t b_length, size_t size)
{
    unsigned diff = 0;
    for (size_t i = 0; i < size; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    size_t length_diff = a_length ^ b_length;
    /* 1 when length_diff != 0, without a branch on it. */
    diff |= (unsigned)((length_diff | (0 - length_diff)) >> (sizeof length_diff * 8 - 1));
    return diff == 0;
}

/* --- growing text (URLs) ------------------------------------------------------------- */

struct text {
    char *data;
    size_t length, room;
    bool failed;
};

static void text_append_n(struct text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->length + n + 1 > t->room) {
        size_t room = t->room ? t->room : 128;
        while (room < t->length + n + 1)
            room *= 2;
        char *data = realloc(t->data, room);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->room = room;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static void text_append(struct text *t, const char *s)
{
    text_append_n(t, s, strlen(s));
}

/* RFC 3986: everything but the unreserved characters is percent-encoded, so
 * the URL is plain ASCII whatever the value holds. */
static void text_append_encoded(struct text *t, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            char one = (char)c;
            text_append_n(t, &one, 1);
        } else {
            char three[3] = { '%', hex[c >> 4], hex[c & 15] };
            text_append_n(t, three, 3);
        }
    }
}

static void text_append_int(struct text *t, int64_t value)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", (long long)value);
    text_append(t, digits);
}

/* The text (owned by the caller), or NULL when memory ran out. */
static char *text_finish(struct text *t)
{
    if (t->failed || !t->data) {
        free(t->data);
        return NULL;
    }
    return t->data;
}

/* --- names --------------------------------------------------------------------------- */

static void names_free(struct name_table *names)
{
    idmap_free(&names->map);
    for (size_t i = 0; i < names->count; i++)
        free(names->items[i]);
    free(names->items);
}

/* The number of `text`, adding it when new; -1 for "", text that is not valid
 * UTF-8, or a full table (the event then shows null for it). */
static int32_t names_intern(struct name_table *names, const char *text)
{
    if (!text || !text[0])
        return -1;
    int32_t found = idmap_find(&names->map, text);
    if (found >= 0)
        return found;
    if (names->count >= names->limit || !utf8_valid(text))
        return -1;
    if (grow_reserve((void **)&names->items, &names->room, names->count + 1,
                     sizeof *names->items) != 0)
        return -1;
    char *copy = api_copy_string(text);
    if (!copy)
        return -1;
    int32_t index = (int32_t)names->count;
    if (idmap_insert(&names->map, copy, index) != 0) {
        free(copy);
        return -1;
    }
    names->items[names->count++] = copy;
    return index;
}

static const char *names_get(const struct name_table *names, int32_t index)
{
    return index >= 0 && (size_t)index < names->count ? names->items[index] : "";
}

/* --- randomness and socket codes ----------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void rng_seed(struct rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

/* Without a seed, codes come from the kernel's generator, so that no
 * number of codes seen tells the next one; if it fails (it cannot after
 * boot on Linux >= 3.17), from the generator seeded with the clock. */
static void random_bytes(struct api *api, unsigned char *out, size_t n)
{
    size_t got = 0;
    while (!api->seeded && got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return;
    if (!api->seeded) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        rng_seed(&api->rng, (uint64_t)now.tv_sec * UINT64_C(1000000007) ^
                                (uint64_t)now.tv_nsec ^ (uint64_t)(uintptr_t)api);
        api->seeded = true;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)rng_next(&api->rng);
}

static void make_socket_code(struct api *api, char out[SOCKET_CODE_BUFFER])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    memset(out, 0, SOCKET_CODE_BUFFER);
    memcpy(out, SOCKET_CODE_PREFIX, sizeof SOCKET_CODE_PREFIX - 1);
    size_t at = sizeof SOCKET_CODE_PREFIX - 1;
    while (at < SOCKET_CODE_LENGTH) {
        unsigned char bytes[32];
        random_bytes(api, bytes, sizeof bytes);
        for (size_t k = 0; k < sizeof bytes && at < SOCKET_CODE_LENGTH; k++)
            if (bytes[k] < 248) /* 248 = 4 x 62: every letter equally likely */
                out[at++] = alphabet[bytes[k] % 62];
    }
}

static void expire_codes(struct api *api, int64_t wall_ms)
{
    for (size_t i = 0; i < API_MAX_SOCKET_CODES; i++)
        if (api->codes[i].active && wall_ms >= api->codes[i].expires_ms)
            api->codes[i].active = false;
}

/* A free slot, or the one whose code expires first. */
static struct socket_code *code_slot(struct api *api)
{
    struct socket_code *oldest = &api->codes[0];
    for (size_t i = 0; i < API_MAX_SOCKET_CODES; i++) {
        if (!api->codes[i].active)
            return &api->codes[i];
        if (api->codes[i].expires_ms < oldest->expires_ms)
            oldest = &api->codes[i];
    }
    return oldest;
}

bool api_claim_socket_code(struct api *api, const char *code, int64_t wall_ms)
{
    if (!api || !code)
        return false;
    expire_codes(api, wall_ms);
    size_t given_length = strnlen(code, SOCKET_CODE_BUFFER);
    if (given_length >= SOCKET_CODE_BUFFER)
        return false; /* longer than any code: says nothing about the codes */
    unsigned char given[SOCKET_CODE_BUFFER] = { 0 };
    memcpy(given, code, given_length);
    struct socket_code *match = NULL;
    for (size_t i = 0; i < API_MAX_SOCKET_CODES; i++) {
        struct socket_code *c = &api->codes[i];
        if (c->active &&
            secret_equal(given, given_length, (const unsigned char *)c->code,
                         SOCKET_CODE_LENGTH, SOCKET_CODE_BUFFER))
            match = c;
    }
    if (!match)
        return false;
    match->active = false;
    return true;
}

/* --- life ---------------------------------------------------------------------------- */

static char *trimmed_base_url(const char *base_url)
{
    char *copy = api_copy_string(base_url && base_url[0] ? base_url : API_DEFAULT_BASE_URL);
    if (!copy)
        return NULL;
    size_t len = strlen(copy);
    while (len > 0 && copy[len - 1] == '/')
        copy[--len] = '\0';
    return copy;
}

/* "http://host/v2" becomes "ws://host/v2/" (https: wss). */
static char *socket_url_from(const char *base_url)
{
    struct text t = { 0 };
    if (strncmp(base_url, "https://", 8) == 0) {
        text_append(&t, "wss://");
        text_append(&t, base_url + 8);
    } else if (strncmp(base_url, "http://", 7) == 0) {
        text_append(&t, "ws://");
        text_append(&t, base_url + 7);
    } else {
        text_append(&t, base_url);
    }
    text_append(&t, "/");
    return text_finish(&t);
}

/* Interns the site's own names first (they are never refused); failures
 * here only mean the name is interned later, on first use. */
static void names_init(struct name_table *names, const struct site *site)
{
    idmap_init(&names->map);
    names->limit = SIZE_MAX;
    for (size_t i = 0; i < site->doorway_count; i++) {
        names_intern(names, site->doorways[i].id);
        names_intern(names, site->doorways[i].sensor_serial);
    }
    for (size_t i = 0; i < site->sensor_count; i++)
        names_intern(names, site->sensors[i].serial);
    names->limit = names->count + API_MAX_EXTRA_NAMES;
}

struct api *api_new(struct site *site, struct engine *engine,
                    const struct tz_zone *const *zones, const struct api_config *config)
{
    if (!site || !engine || !config || !config->token || !config->token[0])
        return NULL;
    size_t token_length = strlen(config->token);
    if (token_length > API_MAX_TOKEN_LENGTH)
        return NULL;
    struct api *api = calloc(1, sizeof *api);
    if (!api)
        return NULL;
    api->site = site;
    api->engine = engine;
    memcpy(api->token, config->token, token_length);
    api->token_length = token_length;
    ratelimit_init(&api->limit, config->rate_limit < 0 ? API_DEFAULT_RATE_LIMIT
                                                       : (uint32_t)config->rate_limit);
    if (config->seed != 0) {
        api->seeded = true;
        rng_seed(&api->rng, config->seed);
    }
    size_t capacity = config->event_log_capacity ? config->event_log_capacity
                                                 : API_DEFAULT_EVENT_LOG_CAPACITY;
    api->base_url = trimmed_base_url(config->base_url);
    if (api->base_url)
        api->socket_url = config->socket_url && config->socket_url[0]
                              ? api_copy_string(config->socket_url)
                              : socket_url_from(api->base_url);
    api->zones = calloc(site->space_count ? site->space_count : 1, sizeof *api->zones);
    api->sensor_reports = calloc(site->sensor_count ? site->sensor_count : 1,
                                 sizeof *api->sensor_reports);
    api->space_events = eventlog_new(capacity);
    api->sensor_events = eventlog_new(capacity);
    api->counts_memo = memo_new(API_COUNTS_MEMO_SLOTS, API_COUNTS_MEMO_ENTRY_BYTES);
    api->spaces_memo = memo_new(API_SPACES_MEMO_SLOTS, API_SPACES_MEMO_ENTRY_BYTES);
    if (!api->base_url || !api->socket_url || !api->zones || !api->sensor_reports ||
        !api->space_events || !api->sensor_events || !api->counts_memo || !api->spaces_memo) {
        api_free(api);
        return NULL;
    }
    names_init(&api->names, site);
    for (size_t i = 0; zones && i < site->space_count; i++)
        api->zones[i] = zones[i];
    api->zone_room = site->space_count ? site->space_count : 1;
    api->report_room = site->sensor_count ? site->sensor_count : 1;
    api->next_object_number = 500000000000000000ull + (uint64_t)time(NULL) % 100000000000ull;
    api->on_change = config->on_change;
    api->on_topology = config->on_topology;
    api->change_context = config->change_context;
    return api;
}

const struct tz_zone *const *api_zones(const struct api *api)
{
    return api->zones;
}

void api_changed(struct api *api)
{
    if (api->on_change)
        api->on_change(api->change_context);
}

void api_free(struct api *api)
{
    if (!api)
        return;
    tzdb_free(api->tzdb);
    free(api->zones);
    free(api->sensor_reports);
    free(api->base_url);
    free(api->socket_url);
    eventlog_free(api->space_events);
    eventlog_free(api->sensor_events);
    memo_free(api->counts_memo);
    memo_key_free(&api->counts_key);
    memo_free(api->spaces_memo);
    memo_key_free(&api->space_key);
    names_free(&api->names);
    api_webhooks_free(api);
    free(api);
}

/* --- event logs and sensor reports --------------------------------------------------- */

void api_record_space_event(struct api *api, site_index space, const struct space_event *event)
{
    if (!api || !event || space < 0 || (size_t)space >= api->site->space_count)
        return;
    char id[EVENT_ID_MAX], doorway[EVENT_ID_MAX], serial[EVENT_ID_MAX];
    bounded_id(event->id, id);
    bounded_id(event->doorway_id, doorway);
    bounded_id(event->sensor_serial, serial);
    struct eventlog_record record = {
        .timestamp_ms = event->timestamp_ms,
        .key = space,
        .doorway = names_intern(&api->names, doorway),
        .sensor = names_intern(&api->names, serial),
        .value = event->direction < 0 ? -1 : 1,
    };
    /* Out of memory: the event is missing from /events, nothing worse. */
    (void)eventlog_add(api->space_events, &record, utf8_valid(id) ? id : NULL);
}

/* The site's sensor for an event: by serial, or by the doorway's sensor. */
static site_index sensor_of_event(const struct site *site, const char *serial,
                                  const char *doorway_id)
{
    if (serial[0])
        return site_find_sensor(site, serial);
    site_index d = doorway_id[0] ? site_find_doorway(site, doorway_id) : SITE_NONE;
    if (d == SITE_NONE || !site->doorways[d].sensor_serial)
        return SITE_NONE;
    return site_find_sensor(site, site->doorways[d].sensor_serial);
}

static const char *doorway_id_of_sensor(const struct site *site, site_index sensor)
{
    const struct sensor *s = &site->sensors[sensor];
    if (s->doorway != SITE_NONE)
        return site->doorways[s->doorway].id;
    return s->doorway_id ? s->doorway_id : "";
}

void api_record_sensor_event(struct api *api, const struct sensor_event *event)
{
    if (!api || !event)
        return;
    char id[EVENT_ID_MAX], doorway[EVENT_ID_MAX], serial[EVENT_ID_MAX];
    bounded_id(event->id, id);
    bounded_id(event->doorway_id, doorway);
    bounded_id(event->sensor_serial, serial);
    site_index sensor = sensor_of_event(api->site, serial, doorway);
    if (sensor == SITE_NONE)
        return;
    const char *doorway_id = doorway[0] ? doorway : doorway_id_of_sensor(api->site, sensor);
    struct eventlog_record record = {
        .timestamp_ms = event->timestamp_ms,
        .key = sensor,
        .doorway = names_intern(&api->names, doorway_id),
        .sensor = names_intern(&api->names, api->site->sensors[sensor].serial),
        .value = event->trajectory < 0 ? -1 : 1,
    };
    (void)eventlog_add(api->sensor_events, &record, utf8_valid(id) ? id : NULL);
}

void api_set_sensor_status(struct api *api, site_index sensor, bool online,
                           int64_t last_heartbeat_ms)
{
    if (!api || sensor < 0 || (size_t)sensor >= api->site->sensor_count)
        return;
    api->sensor_reports[sensor] = (struct sensor_report){ true, online, last_heartbeat_ms };
}

/* --- responses ----------------------------------------------------------------------- */

/* The one body that needs no allocation: handed out when memory ran out and
 * never freed (api_response_clear knows it). */
static char out_of_memory_body[] = "{\"detail\":\"The server ran out of memory.\"}";

void api_response_clear(struct api_response *response)
{
    if (!response)
        return;
    if (response->body != out_of_memory_body)
        free(response->body);
    response->body = NULL;
    response->body_length = 0;
    response->status = 0;
    response->retry_after_seconds = 0;
    response->allow = NULL;
}

void api_respond_out_of_memory(struct call *call)
{
    struct api_response *r = call->response;
    if (r->body != out_of_memory_body)
        free(r->body);
    r->status = 500;
    r->body = out_of_memory_body;
    r->body_length = sizeof out_of_memory_body - 1;
}

/* Takes `json` over (NULL means memory ran out). */
void api_respond_json(struct call *call, int status, json_t *json)
{
    if (!json) {
        api_respond_out_of_memory(call);
        return;
    }
    size_t length = json_dumpb(json, NULL, 0, JSON_COMPACT);
    char *body = length ? malloc(length + 1) : NULL;
    if (!body || json_dumpb(json, body, length, JSON_COMPACT) != length) {
        free(body);
        json_decref(json);
        api_respond_out_of_memory(call);
        return;
    }
    body[length] = '\0';
    json_decref(json);
    struct api_response *r = call->response;
    if (r->body != out_of_memory_body)
        free(r->body);
    r->status = status;
    r->body = body;
    r->body_length = length;
}

/* {"detail": message}.  Whatever came from the request goes into the
 * message through wire_safe_text(), so it is valid UTF-8 and bounded. */
void api_respond_error(struct call *call, int status, const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    json_t *detail = json_string(message);
    if (!detail) /* cut inside a character: say less rather than nothing */
        detail = json_string("The request could not be answered.");
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "detail", detail);
    api_respond_json(call, status, wire_builder_finish(&b));
}

/* --- parameters ---------------------------------------------------------------------- */

/* The last value given for `name`; NULL when absent or empty. */
const char *api_param(const struct call *call, const char *name)
{
    const char *value = NULL;
    const struct api_request *q = call->request;
    for (size_t i = 0; q->params && i < q->param_count; i++)
        if (q->params[i].name && strcmp(q->params[i].name, name) == 0)
            value = q->params[i].value;
    return value && value[0] ? value : NULL;
}

static const char example_time[] = "2017-09-19T15:00:00Z";

/* Reads a timestamp parameter.  Returns false after answering 400. */
static bool read_time(struct call *call, const char *name, bool required, bool *present,
                      int64_t *out_ms)
{
    const char *text = api_param(call, name);
    *present = false;
    if (!text) {
        if (required)
            api_respond_error(call, 400, "%s: required: an ISO 8601 UTC timestamp such as %s", name,
                          example_time);
        return !required;
    }
    if (timefmt_parse(text, out_ms, TIMEFMT_UTC_ONLY)) {
        *present = true;
        return true;
    }
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (timefmt_parse(text, NULL, TIMEFMT_ALLOW_NO_ZONE))
        api_respond_error(call, 400, "%s: \"%s\" is not in UTC: write it with Z, such as %s", name,
                      SAFE(text, safe), example_time);
    else
        api_respond_error(call, 400, "%s: \"%s\" is not an ISO 8601 UTC timestamp such as %s", name,
                      SAFE(text, safe), example_time);
    return false;
}

static bool read_order(struct call *call, bool *descending)
{
    const char *text = api_param(call, "order");
    *descending = false;
    if (!text || strcasecmp(text, "ASC") == 0)
        return true;
    if (strcasecmp(text, "DESC") == 0) {
        *descending = true;
        return true;
    }
    char safe[WIRE_SAFE_TEXT_SIZE];
    api_respond_error(call, 400, "order: expected ASC or DESC, got \"%s\"", SAFE(text, safe));
    return false;
}

/* A whole number from 1 to max written in plain digits; -1 otherwise. */
static int64_t parse_positive(const char *text, int64_t max)
{
    int64_t value = 0;
    size_t digits = 0;
    for (; text[digits]; digits++) {
        if (text[digits] < '0' || text[digits] > '9')
            return -1;
        value = value * 10 + (text[digits] - '0');
        if (value > max)
            return -2; /* too large: told apart for the message */
    }
    return digits == 0 || value < 1 ? -1 : value;
}

void api_paging_clear(struct paging *p)
{
    free(p->next);
    free(p->previous);
    p->next = p->previous = NULL;
}

bool api_read_paging(struct call *call, struct paging *p)
{
    memset(p, 0, sizeof *p);
    p->page = 1;
    p->page_size = API_DEFAULT_PAGE_SIZE;
    char safe[WIRE_SAFE_TEXT_SIZE];
    const char *page = api_param(call, "page");
    if (page) {
        p->page = parse_positive(page, API_MAX_PAGE_NUMBER);
        if (p->page < 0) {
            api_respond_error(call, 400, "page: expected a whole number from 1, got \"%s\"",
                          SAFE(page, safe));
            return false;
        }
    }
    const char *size = api_param(call, "page_size");
    if (size) {
        p->page_size = parse_positive(size, API_MAX_PAGE_SIZE);
        if (p->page_size == -2) {
            api_respond_error(call, 400, "page_size: at most %d, got \"%s\"", API_MAX_PAGE_SIZE,
                          SAFE(size, safe));
            return false;
        }
        if (p->page_size < 0) {
            api_respond_error(call, 400, "page_size: expected a whole number from 1 to %d, got \"%s\"",
                          API_MAX_PAGE_SIZE, SAFE(size, safe));
            return false;
        }
    }
    return true;
}

/* The canonical path of the call ("/spaces/spc_1/events/"), segments
 * percent-encoded. */
static void append_canonical_path(struct text *t, const struct call *call)
{
    for (size_t i = 0; i < call->segment_count; i++) {
        text_append(t, "/");
        text_append_encoded(t, call->segments[i]);
    }
    text_append(t, "/");
}

static bool known_param(const char *name, const char *const *known)
{
    for (size_t i = 0; known[i]; i++)
        if (strcmp(known[i], name) == 0)
            return true;
    return false;
}

/* True when params[index] is the last non-empty occurrence of its name:
 * each parameter is written once, with the value that was used. */
static bool last_occurrence(const struct api_request *q, size_t index)
{
    const char *name = q->params[index].name;
    if (!q->params[index].value || !q->params[index].value[0])
        return false;
    for (size_t j = index + 1; j < q->param_count; j++)
        if (q->params[j].name && strcmp(q->params[j].name, name) == 0 && q->params[j].value &&
            q->params[j].value[0])
            return false;
    return true;
}

/* base_url + canonical path + the endpoint's parameters with page = `page`. */
static char *page_url(const struct call *call, const char *const *known, int64_t page)
{
    struct text t = { 0 };
    text_append(&t, call->api->base_url);
    append_canonical_path(&t, call);
    const struct api_request *q = call->request;
    bool page_written = false;
    char separator = '?';
    for (size_t i = 0; q->params && i < q->param_count; i++) {
        const char *name = q->params[i].name;
        if (!name || !known_param(name, known) || !last_occurrence(q, i))
            continue;
        text_append_n(&t, &separator, 1);
        separator = '&';
        text_append_encoded(&t, name);
        text_append(&t, "=");
        if (strcmp(name, "page") == 0) {
            text_append_int(&t, page);
            page_written = true;
        } else {
            text_append_encoded(&t, q->params[i].value);
        }
    }
    if (!page_written) {
        text_append_n(&t, &separator, 1);
        text_append(&t, "page=");
        text_append_int(&t, page);
    }
    return text_finish(&t);
}

/* Works out the page's slice of `total` results and its links.  Returns
 * false after answering (404 past the last page, 500 out of memory). */
static bool finish_paging(struct call *call, size_t total, const char *const *known,
                          struct paging *p)
{
    int64_t pages = total == 0 ? 1 : (int64_t)((total - 1) / (size_t)p->page_size) + 1;
    if (p->page > pages) {
        api_respond_error(call, 404, "page: %lld is past the last page (%lld)", (long long)p->page,
                      (long long)pages);
        return false;
    }
    p->first = (size_t)(p->page - 1) * (size_t)p->page_size;
    p->count = total - p->first < (size_t)p->page_size ? total - p->first : (size_t)p->page_size;
    if (p->page < pages && !(p->next = page_url(call, known, p->page + 1))) {
        api_respond_out_of_memory(call);
        return false;
    }
    if (p->page > 1 && !(p->previous = page_url(call, known, p->page - 1))) {
        api_paging_clear(p);
        api_respond_out_of_memory(call);
        return false;
    }
    return true;
}

/* --- objects as JSON ----------------------------------------------------------------- */

/* Django-style: a later object with an earlier one's id is not listed. */
bool api_canonical_space(const struct site *site, size_t i)
{
    return site->spaces[i].id && site_find_space(site, site->spaces[i].id) == (site_index)i;
}

bool api_canonical_doorway(const struct site *site, size_t i)
{
    return site->doorways[i].id && site_find_doorway(site, site->doorways[i].id) == (site_index)i;
}

static bool canonical_sensor(const struct site *site, size_t i)
{
    return site->sensors[i].serial &&
           site_find_sensor(site, site->sensors[i].serial) == (site_index)i;
}

static json_t *set_or_drop(json_t *object, const char *key, json_t *value)
{
    if (object && json_object_set_new(object, key, value) != 0) {
        json_decref(object);
        return NULL;
    }
    if (!object)
        json_decref(value);
    return object;
}

/* The site's space with the live count. */
json_t *api_space_json(const struct api *api, site_index i)
{
    json_t *json = wire_encode_space(api->site, i);
    json = set_or_drop(json, "current_count", json_integer(engine_count(api->engine, i)));
    return api_segments_space_json(api, i, json); /* time_segments: api_segments.c */
}

static json_t *sensor_json(const struct api *api, site_index i)
{
    json_t *json = wire_encode_sensor(api->site, i);
    const struct sensor_report *report = &api->sensor_reports[i];
    if (!report->known)
        return json;
    json = set_or_drop(json, "status", json_string(report->online ? "online" : "offline"));
    return set_or_drop(json, "last_heartbeat", api_time_string(report->last_heartbeat_ms));
}

json_t *api_doorway_json(const struct api *api, site_index i)
{
    return wire_encode_doorway(api->site, i);
}

/* Answers a paginated list of the objects at indices[0..count). */
void api_respond_list(struct call *call, const site_index *indices, size_t count,
                         const char *const *known, struct paging *p, encode_fn encode)
{
    if (!finish_paging(call, count, known, p))
        return;
    json_t *results = json_array();
    for (size_t k = 0; results && k < p->count; k++) {
        if (!api_append(results, encode(call->api, indices[p->first + k]))) {
            json_decref(results);
            results = NULL;
        }
    }
    json_t *page = results ? wire_encode_page(results, (int64_t)count, p->next, p->previous)
                           : NULL;
    api_paging_clear(p);
    api_respond_json(call, 200, page);
}

site_index *api_index_buffer(size_t count)
{
    return malloc((count ? count : 1) * sizeof(site_index));
}

/* --- kept answers (core/memo.h) ---------------------------------------------------- */

/* Answers with a copy of the body kept under `key`; false when there is none. */
static bool respond_kept(struct call *call, struct memo *memo, const struct memo_key *key)
{
    size_t length = 0;
    const char *kept = memo_get(memo, key, &length);
    if (!kept)
        return false;
    char *body = malloc(length + 1);
    if (!body) {
        api_respond_out_of_memory(call);
        return true;
    }
    memcpy(body, kept, length);
    body[length] = '\0';
    api_response_clear(call->response);
    call->response->status = 200;
    call->response->body = body;
    call->response->body_length = length;
    return true;
}

/* Answers 200 with `json` and keeps the body under `key`. */
static void respond_and_keep(struct call *call, json_t *json, struct memo *memo,
                             const struct memo_key *key)
{
    api_respond_json(call, 200, json);
    const struct api_response *r = call->response;
    if (r->status == 200) /* not kept when too large or out of memory: computed next time */
        (void)memo_put(memo, key, r->body, r->body_length);
}

/* --- /spaces/ ------------------------------------------------------------------------ */

static bool space_has_doorway(const struct site *site, const struct space *s, site_index d)
{
    for (size_t k = 0; k < s->link_count; k++)
        if (site->links[s->links[k]].doorway == d)
            return true;
    return false;
}

static void list_spaces(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "doorway_id", "tag", "space_type", "page",
                                         "page_size", NULL };
    const struct site *site = call->api->site;
    const char *doorway_id = api_param(call, "doorway_id");
    const char *tag = api_param(call, "tag");
    const char *type_text = api_param(call, "space_type");
    enum space_type type = SPACE_TYPE_SPACE;
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (type_text && !space_type_parse(type_text, &type)) {
        api_respond_error(call, 400,
                      "space_type: expected space, floor, building or campus, got \"%s\"",
                      SAFE(type_text, safe));
        return;
    }
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    site_index doorway = doorway_id ? site_find_doorway(site, doorway_id) : SITE_NONE;
    site_index *indices = api_index_buffer(site->space_count);
    if (!indices) {
        api_respond_out_of_memory(call);
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < site->space_count; i++) {
        const struct space *s = &site->spaces[i];
        if (!api_canonical_space(site, i) || (type_text && s->type != type) ||
            (tag && !string_list_contains(&s->tags, tag)) ||
            (doorway_id && (doorway == SITE_NONE || !space_has_doorway(site, s, doorway))))
            continue;
        indices[count++] = (site_index)i;
    }
    api_respond_list(call, indices, count, known, &p, api_space_json);
    free(indices);
}

/* Finds the space of the path, or answers 404. */
site_index api_path_space(struct call *call, const char *id)
{
    site_index i = site_find_space(call->api->site, id);
    if (i == SITE_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No space with id \"%s\".", SAFE(id, safe));
    }
    return i;
}

/* A space's answer is kept under its index, its count and the api's shape
 * version, which every request but a GET moves (before and after it runs):
 * nothing else changes what a space shows. */
static void get_space(struct call *call, const char *id)
{
    struct api *api = call->api;
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    memo_key_reset(&api->space_key);
    memo_key_add_int(&api->space_key, i);
    memo_key_add_int(&api->space_key, (int64_t)api->shape_version);
    memo_key_add_int(&api->space_key, engine_count(api->engine, i));
    if (!respond_kept(call, api->spaces_memo, &api->space_key))
        respond_and_keep(call, api_space_json(api, i), api->spaces_memo, &api->space_key);
}

/* --- /spaces/:id/counts/ ------------------------------------------------------------- */

/* Before the oldest minute history holds, the count is taken to be the
 * oldest minute's starting count; with no history at all, the live count. */
static int64_t count_before_history(const struct history *history, int64_t live)
{
    if (!history || history->used == 0)
        return live;
    const struct minute_bucket *oldest = history_at(history, history_oldest(history));
    return oldest ? oldest->start : live;
}

static bool read_window(struct call *call, int64_t *start_ms, int64_t *end_ms)
{
    bool present;
    if (!read_time(call, "start_time", true, &present, start_ms) ||
        !read_time(call, "end_time", true, &present, end_ms))
        return false;
    if (*end_ms <= *start_ms) {
        api_respond_error(call, 400, "end_time: must be after start_time");
        return false;
    }
    if ((uint64_t)*end_ms - (uint64_t)*start_ms > (uint64_t)API_MAX_WINDOW_DAYS * MS_PER_DAY) {
        api_respond_error(call, 400,
                      "start_time, end_time: the window is longer than %d days; ask for a "
                      "shorter one",
                      API_MAX_WINDOW_DAYS);
        return false;
    }
    return true;
}

static bool read_interval(struct call *call, enum analytics_interval *interval)
{
    const char *text = api_param(call, "interval");
    *interval = ANALYTICS_1H;
    if (!text || analytics_interval_parse(text, interval))
        return true;
    char safe[WIRE_SAFE_TEXT_SIZE];
    api_respond_error(call, 400,
                  "interval: \"%s\" is not supported; use 1m, 5m, 10m, 15m, 1h, 1d or 1w",
                  SAFE(text, safe));
    return false;
}

/* Counts answers are kept, each under the key of every value its JSON is
 * made of (count_page_key): a request whose page makes the same key gets
 * the same bytes without encoding them, and a page that changed in any way
 * (a new minute, an event, an edit of the space, another query) makes
 * another key.  The page is still computed per request: it is the cheap
 * part; building and dumping its JSON, with 17-digit doubles, was most of
 * the time. */
void api_counts_cache_stats(const struct api *api, uint64_t *hits, uint64_t *misses)
{
    const struct memo_stats *stats = memo_stats(api->counts_memo);
    *hits = stats->hits;
    *misses = stats->misses;
}

static void respond_counts(struct call *call, struct count_page *page, struct paging *p)
{
    static const char *const known[] = { "start_time", "end_time", "interval", "order",
                                         "time_segment_id", "time_segment_group_id",
                                         "page", "page_size", NULL };
    if (!finish_paging(call, page->sample_count, known, p))
        return;
    struct count_page view = *page; /* the page's slice; owns nothing */
    view.samples = page->samples + p->first;
    view.sample_count = p->count;
    view.next = p->next;
    view.previous = p->previous;
    struct memo_key *key = &call->api->counts_key;
    memo_key_reset(key);
    count_page_key(&view, key);
    if (!respond_kept(call, call->api->counts_memo, key))
        respond_and_keep(call, wire_encode_count_page(&view), call->api->counts_memo, key);
    api_paging_clear(p);
}

static void space_counts(struct call *call, const char *id)
{
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct analytics_query query = { .max_samples = API_MAX_SAMPLES };
    struct paging p;
    struct api_segment_filter segments;
    if (!read_window(call, &query.start_ms, &query.end_ms) ||
        !read_interval(call, &query.interval) || !read_order(call, &query.descending) ||
        !api_read_paging(call, &p) || !api_segments_read_filter(call, i, &segments))
        return;
    if (segments.active) { /* only the minutes inside the segments (api_segments.c) */
        query.keep_minute = api_segments_keep_minute;
        query.keep_context = &segments;
    }
    const struct api *api = call->api;
    const struct space *s = &api->site->spaces[i];
    int64_t live = engine_count(api->engine, i);
    const struct history *history = engine_history(api->engine, i);
    struct analytics_space space = {
        .history = history,
        .current_count = live,
        .count_before_history = count_before_history(history, live),
        .capacity = s->capacity,
        .target_capacity = s->target_capacity,
        .zone = api->zones[i],
    };
    struct count_page page;
    count_page_init(&page);
    switch (analytics_counts(&space, &query, &page)) {
    case ANALYTICS_OK:
        respond_counts(call, &page, &p);
        break;
    case ANALYTICS_EMPTY_WINDOW:
        api_respond_error(call, 400, "end_time: must be after start_time");
        break;
    case ANALYTICS_TOO_MANY:
        api_respond_error(call, 400,
                      "start_time, end_time: the window holds more than %d samples at interval "
                      "%s; ask for a shorter window or a longer interval",
                      API_MAX_SAMPLES, analytics_interval_name(query.interval));
        break;
    case ANALYTICS_NO_MEMORY:
        api_respond_out_of_memory(call);
        break;
    }
    count_page_clear(&page);
    api_segments_filter_clear(&segments);
}

/* --- events -------------------------------------------------------------------------- */

/* Reads start_time, end_time (default: the engine's now, included) and
 * order into `query`.  Returns false after answering 400. */
static bool read_event_window(struct call *call, struct eventlog_query *query)
{
    bool present;
    if (!read_time(call, "start_time", true, &present, &query->start_ms) ||
        !read_time(call, "end_time", false, &present, &query->end_ms))
        return false;
    if (!present) {
        int64_t now = engine_now(call->api->engine);
        query->end_ms = now < INT64_MAX ? now + 1 : now;
    } else if (query->end_ms <= query->start_ms) {
        api_respond_error(call, 400, "end_time: must be after start_time");
        return false;
    }
    return read_order(call, &query->descending);
}

typedef json_t *(*event_encode_fn)(const struct api *api, const struct eventlog_record *record,
                                   const char *id);

static json_t *space_event_json(const struct api *api, const struct eventlog_record *record,
                                const char *id)
{
    struct space_event e;
    memset(&e, 0, sizeof e);
    bounded_id(id, e.id);
    copy_id(names_get(&api->names, record->doorway), e.doorway_id);
    copy_id(names_get(&api->names, record->sensor), e.sensor_serial);
    e.timestamp_ms = record->timestamp_ms;
    e.direction = record->value;
    return wire_encode_space_event(&e);
}

static json_t *sensor_event_json(const struct api *api, const struct eventlog_record *record,
                                 const char *id)
{
    struct sensor_event e;
    memset(&e, 0, sizeof e);
    bounded_id(id, e.id);
    copy_id(names_get(&api->names, record->doorway), e.doorway_id);
    copy_id(names_get(&api->names, record->sensor), e.sensor_serial);
    e.timestamp_ms = record->timestamp_ms;
    e.trajectory = record->value;
    return wire_encode_sensor_event(&e);
}

static void respond_events(struct call *call, const struct eventlog *log,
                           const struct eventlog_query *query, const char *const *known,
                           struct paging *p, event_encode_fn encode)
{
    struct eventlog_matches matches;
    eventlog_matches_init(&matches);
    if (eventlog_query(log, query, &matches) != 0) {
        api_respond_out_of_memory(call);
        return;
    }
    if (!finish_paging(call, matches.count, known, p)) {
        eventlog_matches_clear(&matches);
        return;
    }
    json_t *results = json_array();
    for (size_t k = 0; results && k < p->count; k++) {
        struct eventlog_record record;
        char id[EVENT_ID_MAX];
        if (!eventlog_get(log, matches.items[p->first + k].seq, &record, id, sizeof id))
            continue; /* cannot happen: nothing is added during a call */
        if (!api_append(results, encode(call->api, &record, id))) {
            json_decref(results);
            results = NULL;
        }
    }
    json_t *page = results ? wire_encode_page(results, (int64_t)matches.count, p->next,
                                              p->previous)
                           : NULL;
    api_paging_clear(p);
    eventlog_matches_clear(&matches);
    api_respond_json(call, 200, page);
}

static void space_events(struct call *call, const char *id)
{
    static const char *const known[] = { "start_time", "end_time", "doorway_id", "order",
                                         "page", "page_size", NULL };
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct eventlog_query query = { .key = i };
    struct paging p;
    if (!read_event_window(call, &query) || !api_read_paging(call, &p))
        return;
    const char *doorway_id = api_param(call, "doorway_id");
    if (doorway_id) {
        int32_t ref = idmap_find(&call->api->names.map, doorway_id);
        query.filter_doorway = true;
        query.doorway = ref >= 0 ? ref : INT32_MIN; /* an id never seen matches nothing */
    }
    respond_events(call, call->api->space_events, &query, known, &p, space_event_json);
}

/* --- /doorways/ ---------------------------------------------------------------------- */

static bool doorway_has_space(const struct site *site, const struct doorway *d, site_index s)
{
    for (size_t k = 0; k < d->link_count; k++)
        if (site->links[d->links[k]].space == s)
            return true;
    return false;
}

static void list_doorways(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "space_id", "page", "page_size", NULL };
    const struct site *site = call->api->site;
    const char *space_id = api_param(call, "space_id");
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    site_index space = space_id ? site_find_space(site, space_id) : SITE_NONE;
    site_index *indices = api_index_buffer(site->doorway_count);
    if (!indices) {
        api_respond_out_of_memory(call);
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < site->doorway_count; i++) {
        if (!api_canonical_doorway(site, i) ||
            (space_id &&
             (space == SITE_NONE || !doorway_has_space(site, &site->doorways[i], space))))
            continue;
        indices[count++] = (site_index)i;
    }
    api_respond_list(call, indices, count, known, &p, api_doorway_json);
    free(indices);
}

static void get_doorway(struct call *call, const char *id)
{
    site_index i = site_find_doorway(call->api->site, id);
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (i == SITE_NONE)
        api_respond_error(call, 404, "No doorway with id \"%s\".", SAFE(id, safe));
    else
        api_respond_json(call, 200, api_doorway_json(call->api, i));
}

/* --- /sensors/ ----------------------------------------------------------------------- */

static void list_sensors(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "page", "page_size", NULL };
    const struct site *site = call->api->site;
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    site_index *indices = api_index_buffer(site->sensor_count);
    if (!indices) {
        api_respond_out_of_memory(call);
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < site->sensor_count; i++)
        if (canonical_sensor(site, i))
            indices[count++] = (site_index)i;
    api_respond_list(call, indices, count, known, &p, sensor_json);
    free(indices);
}

static site_index path_sensor(struct call *call, const char *serial)
{
    site_index i = site_find_sensor(call->api->site, serial);
    if (i == SITE_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No sensor with serial number \"%s\".", SAFE(serial, safe));
    }
    return i;
}

static void get_sensor(struct call *call, const char *serial)
{
    site_index i = path_sensor(call, serial);
    if (i != SITE_NONE)
        api_respond_json(call, 200, sensor_json(call->api, i));
}

static void sensor_events(struct call *call, const char *serial)
{
    static const char *const known[] = { "start_time", "end_time", "order", "page",
                                         "page_size", NULL };
    site_index i = path_sensor(call, serial);
    if (i == SITE_NONE)
        return;
    struct eventlog_query query = { .key = i };
    struct paging p;
    if (!read_event_window(call, &query) || !api_read_paging(call, &p))
        return;
    respond_events(call, call->api->sensor_events, &query, known, &p, sensor_event_json);
}

/* --- /tags/ -------------------------------------------------------------------------- */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every tag of the canonical spaces and doorways, sorted, each once.  The
 * caller frees *out (the strings are the site's).  false: out of memory. */
static bool collect_tags(const struct site *site, const char ***out, size_t *count)
{
    size_t total = 0;
    for (size_t i = 0; i < site->space_count; i++)
        total += site->spaces[i].tags.count;
    for (size_t i = 0; i < site->doorway_count; i++)
        total += site->doorways[i].tags.count;
    const char **tags = malloc((total ? total : 1) * sizeof *tags);
    if (!tags)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < site->space_count; i++)
        for (size_t k = 0; api_canonical_space(site, i) && k < site->spaces[i].tags.count; k++)
            tags[n++] = site->spaces[i].tags.items[k];
    for (size_t i = 0; i < site->doorway_count; i++)
        for (size_t k = 0; api_canonical_doorway(site, i) && k < site->doorways[i].tags.count; k++)
            tags[n++] = site->doorways[i].tags.items[k];
    qsort(tags, n, sizeof *tags, compare_strings);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || strcmp(tags[unique - 1], tags[i]) != 0)
            tags[unique++] = tags[i];
    *out = tags;
    *count = unique;
    return true;
}

static void list_tags(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "page", "page_size", NULL };
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    const char **tags = NULL;
    size_t count = 0;
    if (!collect_tags(call->api->site, &tags, &count)) {
        api_respond_out_of_memory(call);
        return;
    }
    if (!finish_paging(call, count, known, &p)) {
        free(tags);
        return;
    }
    json_t *results = json_array();
    for (size_t k = 0; results && k < p.count; k++) {
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "name", json_string(tags[p.first + k]));
        if (!api_append(results, wire_builder_finish(&b))) {
            json_decref(results);
            results = NULL;
        }
    }
    json_t *page = results ? wire_encode_page(results, (int64_t)count, p.next, p.previous)
                           : NULL;
    api_paging_clear(&p);
    free(tags);
    api_respond_json(call, 200, page);
}

static json_t *tag_spaces_json(const struct api *api, const char *tag)
{
    const struct site *site = api->site;
    json_t *array = json_array();
    for (size_t i = 0; array && i < site->space_count; i++) {
        const struct space *s = &site->spaces[i];
        if (!api_canonical_space(site, i) || !string_list_contains(&s->tags, tag))
            continue;
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "id", json_string(s->id));
        wire_builder_put(&b, "name", s->name ? json_string(s->name) : json_null());
        wire_builder_put(&b, "current_count",
                         json_integer(engine_count(api->engine, (site_index)i)));
        if (!api_append(array, wire_builder_finish(&b))) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

static json_t *tag_doorways_json(const struct site *site, const char *tag)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < site->doorway_count; i++) {
        const struct doorway *d = &site->doorways[i];
        if (!api_canonical_doorway(site, i) || !string_list_contains(&d->tags, tag))
            continue;
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "id", json_string(d->id));
        wire_builder_put(&b, "name", d->name ? json_string(d->name) : json_null());
        if (!api_append(array, wire_builder_finish(&b))) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

static void get_tag(struct call *call, const char *name)
{
    json_t *spaces = tag_spaces_json(call->api, name);
    json_t *doorways = tag_doorways_json(call->api->site, name);
    if (spaces && doorways && json_array_size(spaces) == 0 && json_array_size(doorways) == 0) {
        json_decref(spaces);
        json_decref(doorways);
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No tag named \"%s\".", SAFE(name, safe));
        return;
    }
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "name", json_string(name));
    wire_builder_put(&b, "spaces", spaces);
    wire_builder_put(&b, "doorways", doorways);
    api_respond_json(call, 200, wire_builder_finish(&b));
}

/* --- POST /sockets ------------------------------------------------------------------- */

static void create_socket(struct call *call, const char *unused)
{
    (void)unused;
    struct api *api = call->api;
    int64_t now = call->request->wall_ms;
    expire_codes(api, now);
    char code[SOCKET_CODE_BUFFER];
    make_socket_code(api, code);
    struct text url = { 0 };
    text_append(&url, api->socket_url);
    text_append(&url, strchr(api->socket_url, '?') ? "&code=" : "?code=");
    text_append(&url, code);
    char *text = text_finish(&url);
    if (!text) {
        api_respond_out_of_memory(call);
        return;
    }
    struct socket_code *slot = code_slot(api);
    memcpy(slot->code, code, sizeof slot->code);
    slot->active = true;
    slot->expires_ms = now > INT64_MAX - API_SOCKET_TTL_SECONDS * MS_PER_SECOND
                           ? INT64_MAX
                           : now + API_SOCKET_TTL_SECONDS * MS_PER_SECOND;
    api_respond_json(call, 200, wire_encode_socket_reply(text, API_SOCKET_TTL_SECONDS));
    free(text);
}

/* --- routing ------------------------------------------------------------------------- */

struct route {
    const char *pattern[API_MAX_SEGMENTS]; /* "*": any one segment (the id) */
    size_t length;
    handler_fn get, put, post, del;
    const char *allow; /* for 405 */
};

static const struct route routes[] = {
    { { "spaces" }, 1, .get = list_spaces, .post = api_post_spaces, .allow = "GET, POST" },
    { { "spaces", "*" }, 2, .get = get_space, .put = api_put_space, .del = api_delete_space,
      .allow = "GET, PUT, DELETE" },
    { { "spaces", "*", "tags" }, 3, .post = api_post_space_tag, .allow = "POST" },
    { { "spaces", "*", "tags", "*" }, 4, .del = api_delete_space_tag, .allow = "DELETE" },
    { { "spaces", "*", "assigned_teams" }, 3, .post = api_post_space_team, .allow = "POST" },
    { { "spaces", "*", "assigned_teams", "*" }, 4, .del = api_delete_space_team,
      .allow = "DELETE" },
    { { "spaces", "*", "counts" }, 3, .get = space_counts, .allow = "GET" },
    { { "spaces", "*", "events" }, 3, .get = space_events, .allow = "GET" },
    { { "doorways" }, 1, .get = list_doorways, .post = api_post_doorways,
      .allow = "GET, POST" },
    { { "doorways", "*" }, 2, .get = get_doorway, .put = api_put_doorway,
      .del = api_delete_doorway, .allow = "GET, PUT, DELETE" },
    { { "doorways", "*", "tags" }, 3, .post = api_post_doorway_tag, .allow = "POST" },
    { { "doorways", "*", "tags", "*" }, 4, .del = api_delete_doorway_tag, .allow = "DELETE" },
    { { "links" }, 1, .get = api_list_links, .post = api_post_links, .allow = "GET, POST" },
    { { "links", "*" }, 2, .get = api_get_link, .del = api_delete_link, .allow = "GET, DELETE" },
    { { "sensors" }, 1, .get = list_sensors, .allow = "GET" },
    { { "sensors", "*" }, 2, .get = get_sensor, .allow = "GET" },
    { { "sensors", "*", "events" }, 3, .get = sensor_events, .allow = "GET" },
    { { "tags" }, 1, .get = list_tags, .allow = "GET" },
    { { "tags", "*" }, 2, .get = get_tag, .allow = "GET" },
    { { "sockets" }, 1, .post = create_socket, .allow = "POST" },
    { { "webhooks" }, 1, .get = api_list_webhooks, .post = api_post_webhooks,
      .allow = "GET, POST" },
    { { "webhooks", "*" }, 2, .get = api_get_webhook, .put = api_put_webhook,
      .del = api_delete_webhook, .allow = "GET, PUT, DELETE" },
    { { "time_segments" }, 1, .get = api_list_time_segments, .post = api_post_time_segments,
      .allow = "GET, POST" },
    { { "time_segments", "*" }, 2, .get = api_get_time_segment, .put = api_put_time_segment,
      .del = api_delete_time_segment, .allow = "GET, PUT, DELETE" },
};

/* Splits "/v2/a/b/" into segments; false when the path is not under /v2,
 * too long, or has an empty segment. */
static bool split_path(struct call *call)
{
    const char *path = call->request->path;
    if (!path || strncmp(path, "/v2", 3) != 0 || (path[3] != '/' && path[3] != '\0'))
        return false;
    size_t len = strnlen(path + 3, API_MAX_PATH_LENGTH + 1);
    if (len > API_MAX_PATH_LENGTH)
        return false;
    memcpy(call->path, path + 3, len + 1);
    char *p = call->path;
    if (len > 0 && p[len - 1] == '/')
        p[--len] = '\0'; /* the trailing slash is optional */
    call->segment_count = 0;
    if (len == 0)
        return true;
    p++; /* the leading '/' */
    for (;;) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        if (*p == '\0' || call->segment_count == API_MAX_SEGMENTS)
            return false;
        call->segments[call->segment_count++] = p;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

static const struct route *find_route(const struct call *call)
{
    for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        const struct route *route = &routes[r];
        if (route->length != call->segment_count)
            continue;
        bool match = true;
        for (size_t k = 0; match && k < route->length; k++)
            match = strcmp(route->pattern[k], "*") == 0 ||
                    strcmp(route->pattern[k], call->segments[k]) == 0;
        if (match)
            return route;
    }
    return NULL;
}

static handler_fn route_handler(const struct route *route, const char *method)
{
    if (!method)
        return NULL;
    if (strcmp(method, "GET") == 0)
        return route->get;
    if (strcmp(method, "PUT") == 0)
        return route->put;
    if (strcmp(method, "POST") == 0)
        return route->post;
    if (strcmp(method, "DELETE") == 0)
        return route->del;
    return NULL;
}

/* --- authentication and the rate limit ----------------------------------------------- */

/* "Bearer <token>" with the one valid token. */
static bool authorized(const struct api *api, const char *authorization)
{
    static const char scheme[] = "bearer";
    size_t scheme_length = sizeof scheme - 1;
    if (!authorization || strncasecmp(authorization, scheme, scheme_length) != 0 ||
        authorization[scheme_length] != ' ')
        return false;
    const char *token = authorization + scheme_length;
    while (*token == ' ')
        token++;
    size_t length = strnlen(token, API_MAX_TOKEN_LENGTH + 1);
    while (length > 0 && (token[length - 1] == ' ' || token[length - 1] == '\t'))
        length--;
    if (length == 0 || length > API_MAX_TOKEN_LENGTH)
        return false;
    unsigned char given[API_MAX_TOKEN_LENGTH] = { 0 };
    memcpy(given, token, length);
    return secret_equal(given, length, api->token, api->token_length, API_MAX_TOKEN_LENGTH);
}

static bool admitted(struct call *call)
{
    const struct api_request *q = call->request;
    if (!authorized(call->api, q->authorization)) {
        api_respond_error(call, 403, q->authorization
                                     ? "Invalid token: send Authorization: Bearer <token>."
                                     : "Authentication credentials were not provided.");
        return false;
    }
    int retry_after = 0;
    if (!ratelimit_take(&call->api->limit, q->wall_ms, &retry_after)) {
        call->response->retry_after_seconds = retry_after;
        api_respond_error(call, 429,
                      "Request was throttled: the limit is %u requests per minute. Expected "
                      "available in %d seconds.",
                      (unsigned)call->api->limit.per_minute, retry_after);
        return false;
    }
    return true;
}

void api_handle(struct api *api, const struct api_request *request,
                struct api_response *response)
{
    if (!response)
        return;
    memset(response, 0, sizeof *response);
    struct call *call = calloc(1, sizeof *call); /* holds a copy of the path */
    if (!api || !request || !call) {
        free(call);
        response->status = 500;
        response->body = out_of_memory_body;
        response->body_length = sizeof out_of_memory_body - 1;
        return;
    }
    call->api = api;
    call->request = request;
    call->response = response;
    /* Whatever a request other than a GET may change, kept answers of
     * spaces are not reused across it (get_space). */
    bool may_change = !request->method || strcmp(request->method, "GET") != 0;
    api->shape_version += may_change;
    if (admitted(call)) {
        const struct route *route = split_path(call) ? find_route(call) : NULL;
        handler_fn handler = route ? route_handler(route, request->method) : NULL;
        char safe[WIRE_SAFE_TEXT_SIZE];
        if (!route) {
            api_respond_error(call, 404, "Not found: no endpoint at \"%s\".",
                          SAFE(request->path, safe));
        } else if (!handler) {
            response->allow = route->allow;
            api_respond_error(call, 405, "Method \"%s\" not allowed; allowed: %s.",
                          SAFE(request->method, safe), route->allow);
        } else {
            handler(call, call->segment_count > 1 ? call->segments[1] : NULL);
        }
    }
    api->shape_version += may_change;
    free(call);
}
