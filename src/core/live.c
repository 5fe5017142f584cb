/* live.c — the client's live picture of a site; see live.h.
 *
 * Decisions beyond the header:
 *  - Duplicates are keyed on (space id, event id), not the event id alone:
 *    Density gives the space events of one sensor crossing the crossing's
 *    event id, so an interior doorway sends the same id for two spaces, and
 *    both must apply.  Only applied messages are remembered: a rejected or
 *    stale message says nothing about whether a good copy was seen.
 *  - The remembered keys are 64-bit hashes of the pair, not the ids (8
 *    bytes a key instead of up to 128, 96 KiB in all): a new message is
 *    taken for a repeat with a chance of about 4096 / 2^64.
 *  - A space is marked changed when its count takes a new value, or gets its
 *    first one (even 0: "no count yet" and "0" look different on screen).
 *    A message that repeats the count moves the data time only.
 *  - stats.applied, duplicates, stale, unknown_space and rejected count
 *    stream messages; a refresh's result is returned, and only applied
 *    refreshes are counted (stats.refreshes).
 *  - The data age is measured from the received_ms of the last data applied,
 *    not the largest one seen: after the wall clock steps back, the largest
 *    would be in the future and would show old numbers as fresh. */
#include "core/live.h"

#include <stdlib.h>
#include <string.h>

/* The key set is twice the ring, so it stays at most half full: short
 * probes, and always an empty slot to end a probe. */
#define LIVE_KEY_SLOTS (2 * LIVE_REMEMBERED_EVENTS)
#define LIVE_KEY_MASK ((size_t)LIVE_KEY_SLOTS - 1)
#define LIVE_KEY_EMPTY UINT64_C(0)

_Static_assert((LIVE_KEY_SLOTS & (LIVE_KEY_SLOTS - 1)) == 0,
               "the key set is indexed with a mask: its size must be a power of two");

struct live_space {
    int64_t count;
    int64_t data_ms;    /* time of the newest applied data: message or refresh */
    int64_t message_ms; /* server time of the newest applied message */
    /* Our clock's time of the newest applied data: when a message was
     * received, or when a refresh's request was sent.  A refresh is judged
     * by it alone: message times are the server's clock, which may run
     * ahead of ours (a dead server's would then hide the next server's
     * counts until the next refresh). */
    int64_t known_at_ms;
    bool has_message;
    bool has_count;
    bool marked;     /* listed in live->changed */
};

/* The last LIVE_REMEMBERED_EVENTS applied keys: the ring keeps their order
 * so the oldest can be forgotten, the set answers "seen?" in O(1). */
struct live_keys {
    uint64_t ring[LIVE_REMEMBERED_EVENTS];
    size_t next;  /* where the next key goes; the oldest key once full */
    size_t count; /* up to LIVE_REMEMBERED_EVENTS */
    uint64_t slots[LIVE_KEY_SLOTS]; /* linear probing; LIVE_KEY_EMPTY is free */
};

struct live {
    const struct site *site;
    size_t space_count; /* the site's when live_new (or live_grow) ran; later ones are unknown */
    struct live_space *spaces;
    site_index *changed; /* marked spaces, each once */
    size_t changed_count;
    bool changed_sorted; /* nothing marked since the last sort */
    enum live_connection connection;
    int64_t connection_since_ms; /* -1 until the first live_set_connection */
    bool has_data;
    int64_t last_received_ms;
    struct live_stats stats;
    struct live_keys keys;
};

/* --- remembered event keys -------------------------------------------- */

static uint64_t fnv1a_bytes(uint64_t h, const char *text, size_t max)
{
    for (size_t i = 0; i < max && text[i]; i++) {
        h ^= (unsigned char)text[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* FNV-1a over "space_id NUL event_id" (NUL cannot occur inside an id, so two
 * different pairs never hash the same bytes), then a 64-bit finaliser: FNV's
 * low bits, which pick the slot, mix poorly on ids that differ in one digit. */
static uint64_t event_key(const struct space_event *event)
{
    uint64_t h = UINT64_C(14695981039346656037);
    h = fnv1a_bytes(h, event->space_id, sizeof event->space_id);
    h *= UINT64_C(1099511628211); /* the separator: FNV-1a of a 0 byte */
    h = fnv1a_bytes(h, event->id, sizeof event->id);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h == LIVE_KEY_EMPTY ? 1 : h; /* 0 marks a free slot */
}

static size_t key_home(uint64_t key)
{
    return (size_t)(key & LIVE_KEY_MASK);
}

/* The slot holding key, or the free slot where it would go. */
static size_t key_slot(const struct live_keys *keys, uint64_t key)
{
    size_t i = key_home(key);
    while (keys->slots[i] != LIVE_KEY_EMPTY && keys->slots[i] != key)
        i = (i + 1) & LIVE_KEY_MASK;
    return i;
}

static bool keys_contain(const struct live_keys *keys, uint64_t key)
{
    return keys->slots[key_slot(keys, key)] == key;
}

/* Backward-shift deletion: later keys of the same probe run move into the
 * hole, so lookups never need tombstones and the set never degrades. */
static void keys_remove(struct live_keys *keys, uint64_t key)
{
    size_t hole = key_slot(keys, key);
    if (keys->slots[hole] != key)
        return;
    for (size_t j = (hole + 1) & LIVE_KEY_MASK; keys->slots[j] != LIVE_KEY_EMPTY;
         j = (j + 1) & LIVE_KEY_MASK) {
        /* The key at j may fill the hole unless its home lies in (hole, j]:
         * moved before its home, a lookup would stop short of it. */
        size_t to_home = (key_home(keys->slots[j]) - hole) & LIVE_KEY_MASK;
        size_t to_j = (j - hole) & LIVE_KEY_MASK;
        if (to_home == 0 || to_home > to_j) {
            keys->slots[hole] = keys->slots[j];
            hole = j;
        }
    }
    keys->slots[hole] = LIVE_KEY_EMPTY;
}

/* Remembers a key not yet in the set, forgetting the oldest when full. */
static void keys_remember(struct live_keys *keys, uint64_t key)
{
    if (keys->count == LIVE_REMEMBERED_EVENTS)
        keys_remove(keys, keys->ring[keys->next]);
    else
        keys->count++;
    keys->ring[keys->next] = key;
    keys->next = (keys->next + 1) % LIVE_REMEMBERED_EVENTS;
    keys->slots[key_slot(keys, key)] = key;
}

/* --- spaces ----------------------------------------------------------- */

static bool space_in_range(const struct live *live, site_index space)
{
    return space >= 0 && (size_t)space < live->space_count;
}

static void mark_changed(struct live *live, site_index space)
{
    struct live_space *s = &live->spaces[space];
    if (s->marked)
        return;
    s->marked = true;
    live->changed[live->changed_count++] = space;
    live->changed_sorted = false;
}

/* Equal times are not older: two events in one millisecond are normal. */
static bool is_older(const struct live *live, site_index space, int64_t as_of_ms)
{
    const struct live_space *s = &live->spaces[space];
    return s->has_count && as_of_ms < s->known_at_ms;
}

static void set_count(struct live *live, site_index space, int64_t count, int64_t data_ms,
                      int64_t received_ms)
{
    struct live_space *s = &live->spaces[space];
    if (!s->has_count || s->count != count)
        mark_changed(live, space);
    s->count = count;
    s->data_ms = data_ms;
    s->has_count = true;
    live->has_data = true;
    live->last_received_ms = received_ms;
}

/* --- messages and refreshes ------------------------------------------- */

static bool terminated(const char *id, size_t size)
{
    return memchr(id, '\0', size) != NULL;
}

static bool event_is_acceptable(const struct space_event *event)
{
    return terminated(event->id, sizeof event->id)
        && terminated(event->space_id, sizeof event->space_id)
        && event->space_id[0] != '\0' && event->count_present && event->count >= 0;
}

static enum live_result tally(struct live *live, enum live_result result)
{
    switch (result) {
    case LIVE_APPLIED: live->stats.applied++; break;
    case LIVE_DUPLICATE: live->stats.duplicates++; break;
    case LIVE_STALE: live->stats.stale++; break;
    case LIVE_UNKNOWN_SPACE: live->stats.unknown_space++; break;
    case LIVE_REJECTED: live->stats.rejected++; break;
    }
    return result;
}

static site_index find_space(const struct live *live, const char *space_id)
{
    site_index space = site_find_space(live->site, space_id);
    return space_in_range(live, space) ? space : SITE_NONE;
}

enum live_result live_apply(struct live *live, const struct space_event *event,
                            int64_t received_ms)
{
    if (!event_is_acceptable(event))
        return tally(live, LIVE_REJECTED);
    site_index space = find_space(live, event->space_id);
    if (space == SITE_NONE)
        return tally(live, LIVE_UNKNOWN_SPACE);
    bool has_id = event->id[0] != '\0'; /* without an id, a repeat cannot be told */
    uint64_t key = has_id ? event_key(event) : 0;
    if (has_id && keys_contain(&live->keys, key))
        return tally(live, LIVE_DUPLICATE);
    /* A message is judged against earlier messages only: their times are
     * the server's clock, a refresh's is ours (the two may differ by more
     * than the delay between an event and its message). */
    struct live_space *s = &live->spaces[space];
    if (s->has_message && event->timestamp_ms < s->message_ms)
        return tally(live, LIVE_STALE);
    set_count(live, space, event->count, event->timestamp_ms, received_ms);
    s->known_at_ms = received_ms;
    s->message_ms = event->timestamp_ms;
    s->has_message = true;
    if (has_id)
        keys_remember(&live->keys, key);
    return tally(live, LIVE_APPLIED);
}

enum live_result live_refresh(struct live *live, site_index space, int64_t count,
                              int64_t as_of_ms, int64_t received_ms)
{
    if (!space_in_range(live, space))
        return LIVE_UNKNOWN_SPACE;
    if (count < 0)
        return LIVE_REJECTED;
    if (is_older(live, space, as_of_ms))
        return LIVE_STALE;
    set_count(live, space, count, as_of_ms, received_ms);
    live->spaces[space].known_at_ms = as_of_ms;
    live->stats.refreshes++;
    return LIVE_APPLIED;
}

void live_new_connection(struct live *live)
{
    memset(&live->keys, 0, sizeof live->keys);
    for (size_t i = 0; i < live->space_count; i++)
        live->spaces[i].has_message = false;
}

void live_count_malformed(struct live *live)
{
    live->stats.malformed++;
}

/* --- life cycle ------------------------------------------------------- */

struct live *live_new(const struct site *site)
{
    if (!site)
        return NULL;
    struct live *live = calloc(1, sizeof *live);
    if (!live)
        return NULL;
    live->site = site;
    live->space_count = site->space_count;
    /* At least one element: calloc(0) may return NULL, which is not a failure. */
    size_t n = site->space_count ? site->space_count : 1;
    live->spaces = calloc(n, sizeof *live->spaces);
    live->changed = calloc(n, sizeof *live->changed);
    if (!live->spaces || !live->changed) {
        live_free(live);
        return NULL;
    }
    live->changed_sorted = true;
    live->connection = LIVE_CONNECTING;
    live->connection_since_ms = -1;
    return live;
}

int live_grow(struct live *live)
{
    size_t n = live->site->space_count;
    if (n <= live->space_count)
        return 0;
    struct live_space *spaces = realloc(live->spaces, n * sizeof *spaces);
    if (!spaces)
        return -1;
    live->spaces = spaces;
    site_index *changed = realloc(live->changed, n * sizeof *changed);
    if (!changed)
        return -1;
    live->changed = changed;
    memset(&spaces[live->space_count], 0, (n - live->space_count) * sizeof *spaces);
    live->space_count = n;
    return 0;
}

void live_free(struct live *live)
{
    if (!live)
        return;
    free(live->spaces);
    free(live->changed);
    free(live);
}

/* --- connection ------------------------------------------------------- */

const char *live_connection_name(enum live_connection state)
{
    switch (state) {
    case LIVE_CONNECTING: return "CONNECTING";
    case LIVE_LIVE: return "LIVE";
    case LIVE_RECONNECTING: return "RECONNECTING";
    case LIVE_AUTH_ERROR: return "AUTH ERROR";
    case LIVE_OFFLINE: return "OFFLINE";
    case LIVE_REPLAY: return "REPLAY";
    }
    return "UNKNOWN";
}

/* "since" is when the state began, so repeating the state keeps it; the
 * first call sets it even for CONNECTING, the state live_new starts in. */
void live_set_connection(struct live *live, enum live_connection state, int64_t now_ms)
{
    if (state == live->connection && live->connection_since_ms != -1)
        return;
    live->connection = state;
    live->connection_since_ms = now_ms;
}

enum live_connection live_connection_state(const struct live *live)
{
    return live->connection;
}

int64_t live_connection_since(const struct live *live)
{
    return live->connection_since_ms;
}

/* --- reading ---------------------------------------------------------- */

int64_t live_data_age(const struct live *live, int64_t now_ms)
{
    if (!live->has_data)
        return -1;
    if (now_ms <= live->last_received_ms)
        return 0; /* a caller's clock read just before the data came */
    /* Unsigned: the difference of any two int64 values fits in 64 bits. */
    uint64_t age = (uint64_t)now_ms - (uint64_t)live->last_received_ms;
    return age > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)age;
}

int64_t live_count(const struct live *live, site_index space)
{
    return space_in_range(live, space) ? live->spaces[space].count : 0;
}

bool live_has_count(const struct live *live, site_index space)
{
    return space_in_range(live, space) && live->spaces[space].has_count;
}

int64_t live_updated(const struct live *live, site_index space)
{
    return live_has_count(live, space) ? live->spaces[space].data_ms : -1;
}

static int compare_index(const void *a, const void *b)
{
    site_index x = *(const site_index *)a, y = *(const site_index *)b;
    return (x > y) - (x < y);
}

/* The list is kept in marking order and sorted only when taken, so marking
 * stays O(1); the part left after a bounded take is still sorted. */
size_t live_take_changed(struct live *live, site_index *out, size_t max)
{
    if (max == 0 || live->changed_count == 0)
        return 0;
    if (!live->changed_sorted) {
        qsort(live->changed, live->changed_count, sizeof *live->changed, compare_index);
        live->changed_sorted = true;
    }
    size_t n = max < live->changed_count ? max : live->changed_count;
    for (size_t i = 0; i < n; i++) {
        out[i] = live->changed[i];
        live->spaces[out[i]].marked = false;
    }
    live->changed_count -= n;
    memmove(live->changed, live->changed + n, live->changed_count * sizeof *live->changed);
    return n;
}

const struct live_stats *live_stats(const struct live *live)
{
    return &live->stats;
}
