/* engine.c — sensor events to space counts, history, safe state and resets.
 *
 * Layout for speed: the per-event path touches a sensor, its doorway's links
 * (a flat array), and for each linked space a count, a history bucket and a
 * safe limit.  Strings are only touched when a sink wants space events. */
#include "core/engine.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/idmap.h"

enum { MS_PER_MINUTE = 60000, MS_PER_SECOND = 1000, SECONDS_PER_DAY = 86400 };

struct engine_link {
    int32_t space;
    int32_t placement;
};

struct engine_doorway {
    uint32_t first_link; /* into engine.links */
    uint32_t link_count;
    int32_t sensor;      /* the sensor on it now, or -1 */
    int32_t stand_in;    /* the sensor that stands for it in events given by doorway id */
};

/* From from_ms on, the sensor is on `doorway` (-1: on none). */
struct sensor_assignment {
    int64_t from_ms;
    int32_t doorway;
};

struct engine_sensor {
    /* The newest assignment, kept inline with its doorway's links: nearly
     * every event needs only these, and each pointer not followed is a cache
     * miss saved (see tests/bench/engine_bench.c). */
    int64_t current_from_ms;
    int32_t current_doorway;
    uint32_t current_first_link;
    uint32_t current_link_count;
    char *serial; /* owned; NULL for a doorway's stand-in (events given by doorway id) */
    struct sensor_assignment *assignments; /* sorted by from_ms */
    uint32_t assignment_count;
    uint32_t recent_next;   /* ring position of the next remembered event */
    uint32_t recent_count;
    int64_t newest_ms;      /* the latest timestamp seen: later ones cannot be duplicates */
    uint64_t *recent;       /* dedupe keys: timestamp * 2 + (trajectory > 0) */
};

struct engine_space {
    int64_t count;
    int64_t last_reset_ms;
    int64_t next_reset_ms;
    uint64_t clamps;
    struct safe_limit limit;
    int64_t warn_from;           /* the smallest count in warning (see warn_threshold) */
    enum safe_state state;
    bool aggregate;              /* counts the sum of its components */
    int32_t daily_reset_second;
    const struct tz_zone *zone;  /* borrowed, or the engine's UTC */
    uint32_t first_aggregate;    /* into engine.aggregate_refs */
    uint32_t aggregate_count;
    struct history history;
};

/* Event ids already seen, remembered first in, first out. */
struct id_memory {
    uint64_t *table;  /* open addressing; 0 is empty */
    size_t mask;
    uint64_t *order;  /* ring of inserted keys, oldest at `oldest` */
    size_t capacity, count, oldest;
};

struct engine {
    const struct site *site;
    struct engine_config config;
    struct engine_sink sink;

    struct engine_space *spaces;
    size_t space_count;
    struct engine_doorway *doorways;
    size_t doorway_count;
    struct engine_link *links;
    size_t link_count;
    int32_t *aggregate_refs; /* per space, the aggregates (transitively) that contain it */
    size_t aggregate_ref_count;

    struct engine_sensor *sensors; /* by serial, and one stand-in per doorway */
    size_t sensor_count, sensor_capacity;
    struct idmap serials;

    struct id_memory ids;
    struct tz_zone *utc; /* for spaces that name no zone */
    int64_t now_ms;
    int64_t next_any_reset_ms;
    int64_t cached_minute;          /* the minute of the last event, and where it began: */
    int64_t cached_minute_start_ms; /* most events fall in it, saving a division */
    uint64_t next_event_number;
    struct engine_stats stats;
};

/* --- configuration ---------------------------------------------------------------- */

void engine_config_defaults(struct engine_config *config)
{
    *config = (struct engine_config){
        .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
        .history_minutes = ENGINE_DEFAULT_HISTORY_MINUTES,
        .dedupe_window = ENGINE_DEFAULT_DEDUPE_WINDOW,
        .dedupe_ids = ENGINE_DEFAULT_DEDUPE_IDS,
        .first_event_number = 600000000000000000ull,
    };
}

const char *engine_result_name(enum engine_result result)
{
    switch (result) {
    case ENGINE_APPLIED: return "applied";
    case ENGINE_DUPLICATE: return "duplicate";
    case ENGINE_UNKNOWN_SENSOR: return "unknown sensor";
    case ENGINE_NO_DOORWAY: return "sensor on no doorway";
    case ENGINE_BAD_TRAJECTORY: return "trajectory is not 1 or -1";
    }
    return "unknown";
}

/* --- remembered event ids ------------------------------------------------------------ */

static uint64_t hash_id(const char *id)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h ? h : 1; /* 0 marks an empty slot */
}

static int id_memory_init(struct id_memory *memory, size_t capacity)
{
    size_t slots = 16;
    while (slots < capacity * 2)
        slots *= 2;
    memory->table = calloc(slots, sizeof *memory->table);
    memory->order = malloc((capacity ? capacity : 1) * sizeof *memory->order);
    memory->mask = slots - 1;
    memory->capacity = capacity;
    memory->count = memory->oldest = 0;
    return memory->table && memory->order ? 0 : -1;
}

static size_t id_slot(const struct id_memory *memory, uint64_t key)
{
    size_t i = (size_t)(key ^ (key >> 29)) & memory->mask;
    while (memory->table[i] && memory->table[i] != key)
        i = (i + 1) & memory->mask;
    return i;
}

/* Linear-probing removal that keeps every other key reachable. */
static void id_memory_remove(struct id_memory *memory, uint64_t key)
{
    size_t hole = id_slot(memory, key);
    if (!memory->table[hole])
        return;
    memory->table[hole] = 0;
    for (size_t i = (hole + 1) & memory->mask; memory->table[i]; i = (i + 1) & memory->mask) {
        uint64_t moving = memory->table[i];
        size_t home = (size_t)(moving ^ (moving >> 29)) & memory->mask;
        /* Move it back if its home is not in the cyclic range (hole, i]. */
        bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            memory->table[hole] = moving;
            memory->table[i] = 0;
            hole = i;
        }
    }
}

static bool id_memory_seen(const struct id_memory *memory, uint64_t key)
{
    return memory->capacity && memory->table[id_slot(memory, key)] == key;
}

static void id_memory_add(struct id_memory *memory, uint64_t key)
{
    if (!memory->capacity || id_memory_seen(memory, key))
        return;
    if (memory->count == memory->capacity) {
        id_memory_remove(memory, memory->order[memory->oldest]);
        memory->oldest = (memory->oldest + 1) % memory->capacity;
        memory->count--;
    }
    memory->table[id_slot(memory, key)] = key;
    memory->order[(memory->oldest + memory->count) % memory->capacity] = key;
    memory->count++;
}

/* --- building ---------------------------------------------------------------------------- */

static int32_t add_sensor(struct engine *engine, const char *serial)
{
    /* The serial map borrows the strings, which do not move with the array. */
    if (grow_reserve((void **)&engine->sensors, &engine->sensor_capacity,
                     engine->sensor_count + 1, sizeof *engine->sensors) != 0)
        return -1;
    struct engine_sensor *s = &engine->sensors[engine->sensor_count];
    memset(s, 0, sizeof *s);
    s->newest_ms = INT64_MIN;
    s->current_from_ms = INT64_MAX;
    s->current_doorway = -1;
    s->recent = calloc(engine->config.dedupe_window, sizeof *s->recent);
    s->serial = serial ? strdup(serial) : NULL;
    if (!s->recent || (serial && !s->serial)) {
        free(s->recent);
        free(s->serial);
        return -1;
    }
    int32_t index = (int32_t)engine->sensor_count++;
    if (serial && idmap_insert(&engine->serials, s->serial, index) < 0)
        return -1;
    return index;
}

static int add_assignment(struct engine *engine, int32_t sensor, int64_t from_ms,
                          int32_t doorway);

static void cache_newest_assignment(struct engine *engine, struct engine_sensor *s)
{
    const struct sensor_assignment *newest =
        s->assignment_count ? &s->assignments[s->assignment_count - 1] : NULL;
    s->current_from_ms = newest ? newest->from_ms : INT64_MAX;
    s->current_doorway = newest ? newest->doorway : -1;
    const struct engine_doorway *d =
        s->current_doorway >= 0 ? &engine->doorways[s->current_doorway] : NULL;
    s->current_first_link = d ? d->first_link : 0;
    s->current_link_count = d ? d->link_count : 0;
}

static int assign(struct engine *engine, int32_t sensor, int64_t from_ms, int32_t doorway)
{
    int status = add_assignment(engine, sensor, from_ms, doorway);
    cache_newest_assignment(engine, &engine->sensors[sensor]);
    return status;
}

static int add_assignment(struct engine *engine, int32_t sensor, int64_t from_ms,
                          int32_t doorway)
{
    struct engine_sensor *s = &engine->sensors[sensor];
    struct sensor_assignment *grown =
        realloc(s->assignments, (s->assignment_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    s->assignments = grown;
    uint32_t at = s->assignment_count;
    while (at > 0 && grown[at - 1].from_ms > from_ms) {
        grown[at] = grown[at - 1];
        at--;
    }
    if (at > 0 && grown[at - 1].from_ms == from_ms) { /* a later decision for the same moment */
        memmove(&grown[at], &grown[at + 1], (s->assignment_count - at) * sizeof *grown);
        grown[at - 1].doorway = doorway;
        return 0;
    }
    grown[at] = (struct sensor_assignment){ from_ms, doorway };
    s->assignment_count++;
    return 0;
}

static int add_stand_in(struct engine *engine, int32_t doorway)
{
    int32_t stand_in = add_sensor(engine, NULL);
    engine->doorways[doorway].stand_in = stand_in;
    return stand_in < 0 ? -1 : assign(engine, stand_in, INT64_MIN, doorway);
}

static int build_sensors(struct engine *engine)
{
    const struct site *site = engine->site;
    for (size_t d = 0; d < site->doorway_count; d++) {
        const char *serial = site->doorways[d].sensor_serial;
        engine->doorways[d].sensor = -1;
        if (!serial || !*serial)
            continue;
        int32_t sensor = idmap_find(&engine->serials, serial);
        if (sensor < 0 && (sensor = add_sensor(engine, serial)) < 0)
            return -1;
        engine->doorways[d].sensor = sensor;
        if (assign(engine, sensor, INT64_MIN, (int32_t)d) != 0)
            return -1;
    }
    /* Sensors the list places on a doorway that names no sensor of its own. */
    for (size_t i = 0; i < site->sensor_count; i++) {
        const struct sensor *listed = &site->sensors[i];
        if (!listed->serial || idmap_find(&engine->serials, listed->serial) >= 0)
            continue;
        int32_t sensor = add_sensor(engine, listed->serial);
        if (sensor < 0)
            return -1;
        site_index d = listed->doorway;
        if (d != SITE_NONE && engine->doorways[d].sensor < 0) {
            engine->doorways[d].sensor = sensor;
            if (assign(engine, sensor, INT64_MIN, d) != 0)
                return -1;
        }
    }
    for (size_t d = 0; d < site->doorway_count; d++)
        if (add_stand_in(engine, (int32_t)d) != 0)
            return -1;
    return 0;
}

static int build_links(struct engine *engine)
{
    const struct site *site = engine->site;
    engine->links = malloc((site->link_count ? site->link_count : 1) * sizeof *engine->links);
    if (!engine->links)
        return -1;
    for (size_t d = 0; d < site->doorway_count; d++) {
        const struct doorway *doorway = &site->doorways[d];
        engine->doorways[d].first_link = (uint32_t)engine->link_count;
        for (size_t k = 0; k < doorway->link_count; k++) {
            const struct link *l = &site->links[doorway->links[k]];
            /* An aggregate counts its components, never its own doorways. */
            if (l->space == SITE_NONE || engine->spaces[l->space].aggregate)
                continue;
            engine->links[engine->link_count++] =
                (struct engine_link){ l->space, l->placement >= 0 ? 1 : -1 };
        }
        engine->doorways[d].link_count =
            (uint32_t)engine->link_count - engine->doorways[d].first_link;
    }
    return 0;
}

/* For each space, the aggregates that contain it directly or through other
 * aggregates, each once: a walk up the "is a component of" edges with a
 * visit stamp, iterative so deep or cyclic definitions cannot hurt. */
static int build_aggregates(struct engine *engine)
{
    const struct site *site = engine->site;
    size_t n = site->space_count;
    size_t edge_count = 0;
    for (size_t a = 0; a < n; a++)
        if (engine->spaces[a].aggregate)
            edge_count += site->spaces[a].component_space_ids.count;
    /* containers[first[c] .. first[c+1]) are the aggregates listing c. */
    size_t *first = calloc(n + 1, sizeof *first);
    int32_t *containers = malloc((edge_count ? edge_count : 1) * sizeof *containers);
    int32_t *stack = malloc((n ? n : 1) * sizeof *stack);
    uint32_t *stamp = calloc(n ? n : 1, sizeof *stamp);
    int status = -1;
    if (!first || !containers || !stack || !stamp)
        goto done;
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = pass ? calloc(n + 1, sizeof *fill) : NULL;
        if (pass && !fill)
            goto done;
        for (size_t a = 0; a < n; a++) {
            if (!engine->spaces[a].aggregate)
                continue;
            const struct string_list *ids = &site->spaces[a].component_space_ids;
            for (size_t k = 0; k < ids->count; k++) {
                site_index c = site_find_space(site, ids->items[k]);
                if (c == SITE_NONE)
                    continue;
                if (!pass)
                    first[c + 1]++;
                else
                    containers[first[c] + fill[c]++] = (int32_t)a;
            }
        }
        if (!pass)
            for (size_t i = 0; i < n; i++)
                first[i + 1] += first[i];
        free(fill);
    }
    for (size_t s = 0; s < n; s++) {
        engine->spaces[s].first_aggregate = (uint32_t)engine->aggregate_ref_count;
        size_t depth = 0;
        stamp[s] = (uint32_t)s + 1;
        stack[depth++] = (int32_t)s;
        while (depth > 0) {
            int32_t at = stack[--depth];
            for (size_t e = first[at]; e < first[at + 1]; e++) {
                int32_t a = containers[e];
                if (stamp[a] == (uint32_t)s + 1)
                    continue;
                stamp[a] = (uint32_t)s + 1;
                int32_t *grown = realloc(engine->aggregate_refs,
                                         (engine->aggregate_ref_count + 1) * sizeof *grown);
                if (!grown)
                    goto done;
                engine->aggregate_refs = grown;
                engine->aggregate_refs[engine->aggregate_ref_count++] = a;
                stack[depth++] = a;
            }
        }
        engine->spaces[s].aggregate_count =
            (uint32_t)engine->aggregate_ref_count - engine->spaces[s].first_aggregate;
    }
    status = 0;
done:
    free(first);
    free(containers);
    free(stack);
    free(stamp);
    return status;
}

static int64_t next_reset_after(const struct engine_space *space, int64_t after_ms)
{
    if (space->aggregate)
        return INT64_MAX; /* a sum of components resets with them */
    int64_t after_seconds = after_ms / MS_PER_SECOND - (after_ms % MS_PER_SECOND < 0);
    int64_t next = tz_next_daily(space->zone, after_seconds, space->daily_reset_second);
    return next > INT64_MAX / MS_PER_SECOND ? INT64_MAX : next * MS_PER_SECOND;
}

static void build_space(struct engine *engine, size_t i, const struct tz_zone *zone,
                        int64_t start_ms)
{
    const struct space *s = &engine->site->spaces[i];
    struct engine_space *sp = &engine->spaces[i];
    memset(sp, 0, sizeof *sp);
    sp->aggregate = s->counting_mode == COUNTING_COMPONENT_SPACES;
    sp->count = sp->aggregate || s->current_count < 0 ? 0 : s->current_count;
    sp->last_reset_ms = INT64_MIN;
    sp->limit = safe_limit_of(s);
    sp->daily_reset_second = s->daily_reset_minute * 60;
    sp->zone = zone ? zone : engine->utc;
    sp->next_reset_ms = next_reset_after(sp, start_ms);
    history_init(&sp->history, engine->config.history_minutes);
}

static void build_spaces(struct engine *engine, const struct tz_zone *const *zones,
                         int64_t start_ms)
{
    for (size_t i = 0; i < engine->site->space_count; i++)
        build_space(engine, i, zones ? zones[i] : NULL, start_ms);
}

/* safe_state_for() works in floating point; per event the engine compares
 * integers instead.  The band is monotonic in the count, so the smallest
 * count in warning is found by asking safe_state_for() itself: the two can
 * never disagree. */
static int64_t warn_threshold(struct safe_limit limit, double warn_fraction)
{
    if (!limit.present || limit.max_safe_count < 1)
        return INT64_MAX;
    int64_t low = 1, high = limit.max_safe_count + 1; /* high: "never in warning" */
    while (low < high) {
        int64_t mid = low + (high - low) / 2;
        if (safe_state_for(limit, mid, warn_fraction) == SAFE_STATE_WARN)
            high = mid;
        else
            low = mid + 1;
    }
    return low > limit.max_safe_count ? INT64_MAX : low;
}

static enum safe_state state_of(const struct engine_space *sp, int64_t count)
{
    if (!sp->limit.present)
        return SAFE_STATE_NONE;
    if (count > sp->limit.max_safe_count)
        return SAFE_STATE_UNSAFE;
    return count >= sp->warn_from ? SAFE_STATE_WARN : SAFE_STATE_OK;
}

/* Aggregates start as the sum of what their components hold. */
static void sum_aggregates(struct engine *engine)
{
    for (size_t s = 0; s < engine->space_count; s++)
        if (engine->spaces[s].aggregate)
            engine->spaces[s].count = 0;
    for (size_t s = 0; s < engine->space_count; s++) {
        const struct engine_space *sp = &engine->spaces[s];
        if (sp->aggregate)
            continue;
        for (uint32_t k = 0; k < sp->aggregate_count; k++)
            engine->spaces[engine->aggregate_refs[sp->first_aggregate + k]].count += sp->count;
    }
    for (size_t s = 0; s < engine->space_count; s++) {
        struct engine_space *sp = &engine->spaces[s];
        sp->warn_from = warn_threshold(sp->limit, engine->config.warn_fraction);
        sp->state = state_of(sp, sp->count);
    }
}

struct engine *engine_new(const struct site *site, const struct tz_zone *const *zones,
                          const struct engine_config *config, int64_t start_ms)
{
    struct engine *engine = calloc(1, sizeof *engine);
    if (!engine)
        return NULL;
    engine->site = site;
    engine_config_defaults(&engine->config);
    if (config)
        engine->config = *config;
    if (engine->config.dedupe_window < 1)
        engine->config.dedupe_window = 1;
    if (engine->config.dedupe_window > 1024)
        engine->config.dedupe_window = 1024;
    if (engine->config.history_minutes < 1)
        engine->config.history_minutes = 1;
    engine->next_event_number = engine->config.first_event_number;
    engine->now_ms = start_ms;
    engine->cached_minute_start_ms = INT64_MIN; /* nothing cached yet */
    idmap_init(&engine->serials);

    engine->space_count = site->space_count;
    engine->doorway_count = site->doorway_count;
    engine->spaces = calloc(site->space_count ? site->space_count : 1, sizeof *engine->spaces);
    engine->doorways = calloc(site->doorway_count ? site->doorway_count : 1,
                              sizeof *engine->doorways);
    engine->utc = tz_utc();
    if (!engine->utc || !engine->spaces || !engine->doorways ||
        id_memory_init(&engine->ids, engine->config.dedupe_ids) != 0)
        goto fail;
    build_spaces(engine, zones, start_ms);
    if (build_links(engine) || build_sensors(engine) || build_aggregates(engine))
        goto fail;
    sum_aggregates(engine);
    engine->next_any_reset_ms = INT64_MIN; /* computed by the first engine_advance */
    engine_advance(engine, start_ms);
    return engine;
fail:
    engine_free(engine);
    return NULL;
}

void engine_free(struct engine *engine)
{
    if (!engine)
        return;
    for (size_t i = 0; i < engine->space_count && engine->spaces; i++)
        history_free(&engine->spaces[i].history);
    for (size_t i = 0; i < engine->sensor_count; i++) {
        free(engine->sensors[i].serial);
        free(engine->sensors[i].assignments);
        free(engine->sensors[i].recent);
    }
    idmap_free(&engine->serials);
    free(engine->ids.table);
    free(engine->ids.order);
    free(engine->sensors);
    free(engine->spaces);
    free(engine->doorways);
    free(engine->links);
    free(engine->aggregate_refs);
    tz_free(engine->utc);
    free(engine);
}

void engine_set_sink(struct engine *engine, const struct engine_sink *sink)
{
    if (sink)
        engine->sink = *sink;
    else
        memset(&engine->sink, 0, sizeof engine->sink);
}

/* --- history ------------------------------------------------------------------------- */

static int64_t minute_of(int64_t ms)
{
    return ms / MS_PER_MINUTE - (ms % MS_PER_MINUTE < 0);
}

static int32_t clamp32(int64_t value)
{
    return value < 0 ? 0 : value > INT32_MAX ? INT32_MAX : (int32_t)value;
}

/* Moves every minute after `minute` by delta: a late event changed the
 * count from its own minute on. */
static void shift_after(struct history *history, int64_t minute, int64_t delta)
{
    for (int64_t m = minute + 1; m <= history->newest; m++) {
        struct minute_bucket *b = history_at_mut(history, m);
        b->start = clamp32(b->start + delta);
        b->min = clamp32(b->min + delta);
        b->max = clamp32(b->max + delta);
    }
}

/* Records a change of a space's count from `before` to `after` at `at_ms`;
 * direction is +1 (entrance), -1 (exit) or 0 (a count set or reset). */
static void record(struct engine *engine, struct engine_space *sp, int64_t minute,
                   int direction, int64_t before, int64_t after)
{
    struct history *h = &sp->history;
    struct minute_bucket *b;
    bool late = h->used > 0 && minute < h->newest;
    if (late) {
        b = history_extend_back(h, minute);
        if (!b) {
            engine->stats.beyond_history++;
            return;
        }
        int64_t delta = after - before;
        if (delta > 0)
            b->max = clamp32(b->max + delta);
        else if (delta < 0)
            b->min = clamp32(b->min + delta);
        shift_after(h, minute, delta);
    } else {
        b = h->used > 0 && minute == h->newest ? &h->ring[h->newest_slot]
                                                : history_extend(h, minute, before);
        if (!b)
            return; /* out of memory: the count stays right, the history has a hole */
        if (after < b->min)
            b->min = clamp32(after);
        if (after > b->max)
            b->max = clamp32(after);
    }
    if (direction > 0)
        b->entrances++;
    else if (direction < 0)
        b->exits++;
}

/* --- counting --------------------------------------------------------------------------- */

static void write_number(char *out, size_t size, const char *prefix, uint64_t number)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + number % 10);
        number /= 10;
    } while (number);
    size_t used = strlen(prefix);
    if (used + n + 1 > size)
        return;
    memcpy(out, prefix, used);
    while (n)
        out[used++] = digits[--n];
    out[used] = '\0';
}

static void copy_id(char *out, const char *id)
{
    size_t n = id ? strnlen(id, EVENT_ID_MAX - 1) : 0;
    memcpy(out, id ? id : "", n);
    out[n] = '\0';
}

static void tell_event(struct engine *engine, int32_t space, int32_t doorway, int32_t sensor,
                       int64_t at_ms, int direction)
{
    engine->stats.space_events++;
    uint64_t number = engine->next_event_number++;
    if (!engine->sink.space_event)
        return;
    const struct site *site = engine->site;
    struct space_event event;
    write_number(event.id, sizeof event.id, "evt_", number);
    copy_id(event.space_id, site->spaces[space].id);
    copy_id(event.doorway_id, doorway >= 0 ? site->doorways[doorway].id : NULL);
    copy_id(event.sensor_serial, sensor >= 0 ? engine->sensors[sensor].serial : NULL);
    event.timestamp_ms = at_ms;
    event.direction = direction;
    event.count_present = true;
    event.count = engine->spaces[space].count;
    engine->sink.space_event(engine->sink.context, space, &event);
}

static void check_safe(struct engine *engine, int32_t space, int64_t at_ms)
{
    struct engine_space *sp = &engine->spaces[space];
    enum safe_state state = state_of(sp, sp->count);
    if (state == sp->state)
        return;
    enum safe_state from = sp->state;
    sp->state = state;
    if (engine->sink.safe_change)
        engine->sink.safe_change(engine->sink.context, space, from, state, at_ms);
}

/* Applies a change of `delta` people to one space (already clamped), with
 * the event's direction for history. */
static void change_space(struct engine *engine, int32_t space, int64_t at_ms, int64_t minute,
                         int direction, int64_t delta, int32_t doorway, int32_t sensor)
{
    struct engine_space *sp = &engine->spaces[space];
    int64_t before = sp->count;
    sp->count = before + delta;
    record(engine, sp, minute, direction, before, sp->count);
    if (direction)
        tell_event(engine, space, doorway, sensor, at_ms, direction);
    check_safe(engine, space, at_ms);
}

static void count_link(struct engine *engine, const struct engine_link *link, int64_t at_ms,
                       int64_t minute, int direction, int32_t doorway, int32_t sensor)
{
    struct engine_space *sp = &engine->spaces[link->space];
    if (at_ms < sp->last_reset_ms) {
        /* That day is over: the reset zeroed it.  Keep it as history only. */
        struct minute_bucket *b = history_at_mut(&sp->history, minute);
        if (!b)
            engine->stats.beyond_history++;
        else if (direction > 0)
            b->entrances++;
        else
            b->exits++;
        return;
    }
    int64_t delta = direction;
    if (sp->count + delta < 0) {
        delta = 0;
        sp->clamps++;
        engine->stats.clamps++;
    }
    change_space(engine, link->space, at_ms, minute, direction, delta, doorway, sensor);
    for (uint32_t k = 0; k < sp->aggregate_count; k++)
        change_space(engine, engine->aggregate_refs[sp->first_aggregate + k], at_ms, minute,
                     direction, delta, doorway, sensor);
}

static bool is_duplicate(const struct engine_sensor *s, int64_t at_ms, int trajectory)
{
    if (at_ms > s->newest_ms)
        return false; /* the common case: events arrive in order */
    uint64_t key = (uint64_t)at_ms * 2 + (trajectory > 0);
    uint32_t remembered = s->recent_count;
    for (uint32_t i = 0; i < remembered; i++)
        if (s->recent[i] == key)
            return true;
    return false;
}

static void remember(const struct engine *engine, struct engine_sensor *s, int64_t at_ms,
                     int trajectory)
{
    s->recent[s->recent_next] = (uint64_t)at_ms * 2 + (trajectory > 0);
    if (++s->recent_next == engine->config.dedupe_window) /* no division on the hot path */
        s->recent_next = 0;
    if (s->recent_count < engine->config.dedupe_window)
        s->recent_count++;
    if (at_ms > s->newest_ms)
        s->newest_ms = at_ms;
}

static int32_t doorway_at(const struct engine_sensor *s, int64_t at_ms)
{
    for (uint32_t i = s->assignment_count; i-- > 0;)
        if (s->assignments[i].from_ms <= at_ms)
            return s->assignments[i].doorway;
    return -1;
}

enum engine_result engine_apply(struct engine *engine, int32_t sensor, int64_t timestamp_ms,
                                int trajectory)
{
    if (trajectory != 1 && trajectory != -1) {
        engine->stats.rejected++;
        return ENGINE_BAD_TRAJECTORY;
    }
    if (sensor < 0 || (size_t)sensor >= engine->sensor_count) {
        engine->stats.rejected++;
        return ENGINE_UNKNOWN_SENSOR;
    }
    struct engine_sensor *s = &engine->sensors[sensor];
    if (is_duplicate(s, timestamp_ms, trajectory)) {
        engine->stats.duplicates++;
        return ENGINE_DUPLICATE;
    }
    int32_t doorway;
    uint32_t first_link, link_count;
    if (timestamp_ms >= s->current_from_ms) {
        doorway = s->current_doorway;
        first_link = s->current_first_link;
        link_count = s->current_link_count;
    } else {
        doorway = doorway_at(s, timestamp_ms);
        first_link = doorway >= 0 ? engine->doorways[doorway].first_link : 0;
        link_count = doorway >= 0 ? engine->doorways[doorway].link_count : 0;
    }
    if (doorway < 0) {
        engine->stats.rejected++;
        return ENGINE_NO_DOORWAY;
    }
    remember(engine, s, timestamp_ms, trajectory);
    if (timestamp_ms > engine->now_ms) {
        engine->now_ms = timestamp_ms;
        if (timestamp_ms >= engine->next_any_reset_ms)
            engine_advance(engine, timestamp_ms);
    }

    int32_t reported_sensor = s->serial ? sensor : engine->doorways[doorway].sensor;
    int64_t minute;
    if ((uint64_t)timestamp_ms - (uint64_t)engine->cached_minute_start_ms < MS_PER_MINUTE) {
        minute = engine->cached_minute;
    } else {
        minute = minute_of(timestamp_ms);
        engine->cached_minute = minute;
        engine->cached_minute_start_ms = minute * MS_PER_MINUTE;
    }
    for (uint32_t k = 0; k < link_count; k++) {
        const struct engine_link *link = &engine->links[first_link + k];
        count_link(engine, link, timestamp_ms, minute, trajectory * link->placement, doorway,
                   reported_sensor);
    }
    engine->stats.applied++;
    return ENGINE_APPLIED;
}

int32_t engine_sensor_index(const struct engine *engine, const char *serial)
{
    return idmap_find(&engine->serials, serial);
}

enum engine_result engine_apply_event(struct engine *engine, const struct sensor_event *event)
{
    int32_t sensor;
    if (event->sensor_serial[0]) {
        sensor = engine_sensor_index(engine, event->sensor_serial);
    } else {
        site_index d = site_find_doorway(engine->site, event->doorway_id);
        sensor = d == SITE_NONE ? -1 : engine->doorways[d].stand_in;
    }
    if (sensor < 0) {
        engine->stats.rejected++;
        return ENGINE_UNKNOWN_SENSOR;
    }
    uint64_t key = event->id[0] ? hash_id(event->id) : 0;
    if (key && id_memory_seen(&engine->ids, key)) {
        engine->stats.duplicates++;
        return ENGINE_DUPLICATE;
    }
    enum engine_result result =
        engine_apply(engine, sensor, event->timestamp_ms, event->trajectory);
    if (key && result == ENGINE_APPLIED)
        id_memory_add(&engine->ids, key);
    return result;
}

/* --- time ---------------------------------------------------------------------------- */

static void reset_space(struct engine *engine, int32_t space, int64_t at_ms)
{
    struct engine_space *sp = &engine->spaces[space];
    int64_t delta = -sp->count, minute = minute_of(at_ms);
    change_space(engine, space, at_ms, minute, 0, delta, -1, -1);
    struct minute_bucket *b = history_at_mut(&sp->history, minute);
    if (b)
        b->reset = 1;
    for (uint32_t k = 0; k < sp->aggregate_count; k++)
        change_space(engine, engine->aggregate_refs[sp->first_aggregate + k], at_ms, minute, 0,
                     delta, -1, -1);
    sp->last_reset_ms = at_ms;
    engine->stats.resets++;
    if (engine->sink.daily_reset)
        engine->sink.daily_reset(engine->sink.context, space, at_ms);
}

void engine_advance(struct engine *engine, int64_t now_ms)
{
    if (now_ms > engine->now_ms)
        engine->now_ms = now_ms;
    if (engine->now_ms < engine->next_any_reset_ms)
        return;
    int64_t next_any = INT64_MAX;
    for (size_t i = 0; i < engine->space_count; i++) {
        struct engine_space *sp = &engine->spaces[i];
        /* After a long silence only the last two days' resets matter. */
        if (sp->next_reset_ms < engine->now_ms - 2LL * SECONDS_PER_DAY * MS_PER_SECOND)
            sp->next_reset_ms =
                next_reset_after(sp, engine->now_ms - 2LL * SECONDS_PER_DAY * MS_PER_SECOND);
        while (sp->next_reset_ms <= engine->now_ms) {
            reset_space(engine, (int32_t)i, sp->next_reset_ms);
            sp->next_reset_ms = next_reset_after(sp, sp->next_reset_ms);
        }
        if (sp->next_reset_ms < next_any)
            next_any = sp->next_reset_ms;
    }
    engine->next_any_reset_ms = next_any;
}

int engine_set_doorway_sensor(struct engine *engine, site_index doorway, const char *serial,
                              int64_t from_ms)
{
    if (doorway < 0 || (size_t)doorway >= engine->doorway_count)
        return -1;
    struct engine_doorway *d = &engine->doorways[doorway];
    if (d->sensor >= 0 && assign(engine, d->sensor, from_ms, -1) != 0)
        return -1;
    d->sensor = -1;
    if (!serial || !*serial)
        return 0;
    int32_t sensor = idmap_find(&engine->serials, serial);
    if (sensor < 0 && (sensor = add_sensor(engine, serial)) < 0)
        return -1;
    /* The sensor leaves whatever doorway it was on. */
    for (size_t i = 0; i < engine->doorway_count; i++)
        if (engine->doorways[i].sensor == sensor)
            engine->doorways[i].sensor = -1;
    d->sensor = sensor;
    return assign(engine, sensor, from_ms, doorway);
}

/* --- a new shape ---------------------------------------------------------------------- */

static int grow_spaces(struct engine *engine, const struct tz_zone *const *zones)
{
    size_t n = engine->site->space_count;
    if (n <= engine->space_count)
        return 0;
    struct engine_space *grown = realloc(engine->spaces, n * sizeof *grown);
    if (!grown)
        return -1;
    engine->spaces = grown;
    for (size_t i = engine->space_count; i < n; i++) {
        build_space(engine, i, zones ? zones[i] : NULL, engine->now_ms);
        engine->space_count = i + 1; /* each one as soon as it owns its history */
        if (engine->spaces[i].next_reset_ms < engine->next_any_reset_ms)
            engine->next_any_reset_ms = engine->spaces[i].next_reset_ms;
    }
    return 0;
}

static int grow_doorways(struct engine *engine)
{
    const struct site *site = engine->site;
    size_t n = site->doorway_count, old = engine->doorway_count;
    if (n <= old)
        return 0;
    struct engine_doorway *grown = realloc(engine->doorways, n * sizeof *grown);
    if (!grown)
        return -1;
    engine->doorways = grown;
    memset(&grown[old], 0, (n - old) * sizeof *grown);
    for (size_t d = old; d < n; d++) {
        grown[d].sensor = -1;
        engine->doorway_count = d + 1;
        if (add_stand_in(engine, (int32_t)d) != 0 ||
            engine_set_doorway_sensor(engine, (site_index)d, site->doorways[d].sensor_serial,
                                      engine->now_ms) != 0)
            return -1;
    }
    return 0;
}

int engine_relink(struct engine *engine, const struct tz_zone *const *zones)
{
    const struct site *site = engine->site;
    if (grow_spaces(engine, zones) != 0 || grow_doorways(engine) != 0)
        return -1;
    for (size_t d = 0; d < engine->doorway_count; d++)
        if (site->doorways[d].deleted && engine->doorways[d].sensor >= 0 &&
            engine_set_doorway_sensor(engine, (site_index)d, NULL, engine->now_ms) != 0)
            return -1;
    for (size_t i = 0; i < engine->space_count; i++) {
        const struct space *s = &site->spaces[i];
        engine->spaces[i].aggregate = s->counting_mode == COUNTING_COMPONENT_SPACES;
        if (s->deleted)
            engine->spaces[i].count = 0;
    }
    free(engine->links);
    engine->links = NULL;
    engine->link_count = 0;
    free(engine->aggregate_refs);
    engine->aggregate_refs = NULL;
    engine->aggregate_ref_count = 0;
    if (build_links(engine) != 0 || build_aggregates(engine) != 0)
        return -1;
    /* Sensors keep their history of doorways; only the links they count moved. */
    for (size_t i = 0; i < engine->sensor_count; i++)
        cache_newest_assignment(engine, &engine->sensors[i]);
    sum_aggregates(engine);
    return 0;
}

void engine_set_count(struct engine *engine, site_index space, int64_t count,
                      int64_t timestamp_ms)
{
    if (space < 0 || (size_t)space >= engine->space_count)
        return;
    struct engine_space *sp = &engine->spaces[space];
    int64_t delta = (count < 0 ? 0 : count) - sp->count;
    engine_advance(engine, timestamp_ms);
    int64_t minute = minute_of(timestamp_ms);
    change_space(engine, space, timestamp_ms, minute, 0, delta, -1, -1);
    if (sp->aggregate)
        return;
    for (uint32_t k = 0; k < sp->aggregate_count; k++)
        change_space(engine, engine->aggregate_refs[sp->first_aggregate + k], timestamp_ms,
                     minute, 0, delta, -1, -1);
}

void engine_update_space(struct engine *engine, site_index space, const struct tz_zone *zone)
{
    if (space < 0 || (size_t)space >= engine->space_count)
        return;
    const struct space *s = &engine->site->spaces[space];
    struct engine_space *sp = &engine->spaces[space];
    sp->limit = safe_limit_of(s);
    sp->warn_from = warn_threshold(sp->limit, engine->config.warn_fraction);
    sp->daily_reset_second = s->daily_reset_minute * 60;
    sp->zone = zone ? zone : engine->utc;
    sp->next_reset_ms = next_reset_after(sp, engine->now_ms);
    if (sp->next_reset_ms < engine->next_any_reset_ms)
        engine->next_any_reset_ms = sp->next_reset_ms;
    check_safe(engine, space, engine->now_ms);
}

/* --- reading ------------------------------------------------------------------------------ */

static const struct engine_space *space_at(const struct engine *engine, site_index space)
{
    return space >= 0 && (size_t)space < engine->space_count ? &engine->spaces[space] : NULL;
}

int64_t engine_now(const struct engine *engine)
{
    return engine->now_ms;
}

int64_t engine_count(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? sp->count : 0;
}

uint64_t engine_clamps(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? sp->clamps : 0;
}

enum safe_state engine_safe_state(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? sp->state : SAFE_STATE_NONE;
}

int64_t engine_last_reset(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? sp->last_reset_ms : INT64_MIN;
}

int64_t engine_next_reset(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? sp->next_reset_ms : INT64_MAX;
}

const struct history *engine_history(const struct engine *engine, site_index space)
{
    const struct engine_space *sp = space_at(engine, space);
    return sp ? &sp->history : NULL;
}

const struct engine_stats *engine_stats(const struct engine *engine)
{
    return &engine->stats;
}

size_t engine_bytes(const struct engine *engine)
{
    size_t bytes = sizeof *engine;
    bytes += engine->space_count * sizeof *engine->spaces;
    bytes += engine->doorway_count * sizeof *engine->doorways;
    bytes += engine->link_count * sizeof *engine->links;
    bytes += engine->aggregate_ref_count * sizeof *engine->aggregate_refs;
    bytes += engine->sensor_capacity * sizeof *engine->sensors;
    for (size_t i = 0; i < engine->sensor_count; i++)
        bytes += engine->config.dedupe_window * sizeof(uint64_t) +
                 engine->sensors[i].assignment_count * sizeof(struct sensor_assignment);
    bytes += (engine->ids.mask + 1) * sizeof(uint64_t) + engine->ids.capacity * sizeof(uint64_t);
    bytes += engine->serials.capacity * sizeof(struct idmap_slot);
    for (size_t i = 0; i < engine->space_count; i++)
        bytes += history_bytes(&engine->spaces[i].history);
    return bytes;
}
