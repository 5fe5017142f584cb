/* engine.h — the local counting engine: raw sensor events to space counts.
 *
 * A sensor event is (sensor, timestamp, trajectory ±1).  The sensor's
 * doorway links to one or more spaces; for each link the direction is
 * trajectory x sensor_placement: +1 an entrance, -1 an exit.  The engine
 * keeps each space's count, its minute history (history.h), its safe state
 * (safe.h), and tells a sink about every space event, safe-state change and
 * daily reset — exactly what the websocket stream and webhooks publish.
 *
 * Rules (each is tested in tests/unit/test_engine.c):
 *  - A count never goes below 0.  An exit at 0 is still an event (direction
 *    -1, count 0) and is counted as a clamp of that space.
 *  - A space whose counting_mode is component_spaces counts the sum of its
 *    components (transitively; cycles are ignored); its own doorways are not
 *    counted.  A component's event is also an event of each such aggregate.
 *  - Duplicates are counted once: the same sensor, timestamp and trajectory
 *    within the last `dedupe_window` events of that sensor, or the same event
 *    id within the last `dedupe_ids` ids.
 *  - Late and out-of-order events are accepted: they change the current count
 *    and land in the bucket of their own minute; the counts of the minutes
 *    after it (up to now) move with them.  An event from before a space's
 *    latest daily reset is history only: the reset already zeroed that day.
 *  - A sensor moved to another doorway counts for the new doorway for events
 *    from that moment on, and for the old one before it.
 *  - Each space's count returns to 0 at its daily_reset (04:00 by default) in
 *    its own time zone, recorded in history and told to the sink.  Resets
 *    happen as time moves forward: by events, or by engine_advance().
 *
 * Time: the engine's "now" is the latest of the event timestamps and
 * engine_advance() calls it has seen.
 *
 * Ownership: the engine copies what it needs from the site at engine_new();
 * the site must stay alive (it borrows ids and names) until engine_free(),
 * and a change of its shape must be followed by engine_relink().  Zones are borrowed too.  Not thread-safe. */
#ifndef OCCTOP_CORE_ENGINE_H
#define OCCTOP_CORE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"
#include "core/history.h"
#include "core/safe.h"
#include "core/site.h"
#include "core/tz.h"

#define ENGINE_DEFAULT_HISTORY_MINUTES (8 * 24 * 60) /* a week and a day: 1w intervals */
#define ENGINE_DEFAULT_DEDUPE_WINDOW 32
#define ENGINE_DEFAULT_DEDUPE_IDS 65536

struct engine_config {
    double warn_fraction;       /* SAFE_DEFAULT_WARN_FRACTION */
    int32_t history_minutes;    /* per space */
    uint32_t dedupe_window;     /* events remembered per sensor, 1..1024 */
    uint32_t dedupe_ids;        /* event ids remembered */
    uint64_t first_event_number; /* space event ids are "evt_" + this number, counting up */
};

void engine_config_defaults(struct engine_config *config);

/* What the engine tells as it counts.  Any callback may be NULL. */
struct engine_sink {
    void *context;
    /* A space's entrance or exit, with its id (evt_...) and resulting count.
     * The event is only valid during the call. */
    void (*space_event)(void *context, site_index space, const struct space_event *event);
    void (*safe_change)(void *context, site_index space, enum safe_state from,
                        enum safe_state to, int64_t timestamp_ms);
    void (*daily_reset)(void *context, site_index space, int64_t timestamp_ms);
};

enum engine_result {
    ENGINE_APPLIED = 0,
    ENGINE_DUPLICATE,
    ENGINE_UNKNOWN_SENSOR,  /* no sensor with that serial (or no doorway with that id) */
    ENGINE_NO_DOORWAY,      /* the sensor was on no doorway at that time */
    ENGINE_BAD_TRAJECTORY,  /* not +1 or -1 */
};

struct engine_stats {
    uint64_t applied;
    uint64_t duplicates;
    uint64_t rejected;
    uint64_t clamps;
    uint64_t resets;
    uint64_t space_events;
    uint64_t beyond_history; /* events older than any history still kept */
};

struct engine;

/* zones[i] is the zone of site->spaces[i]; zones itself or an entry may be
 * NULL (UTC).  Returns NULL when out of memory. */
struct engine *engine_new(const struct site *site, const struct tz_zone *const *zones,
                          const struct engine_config *config, int64_t start_ms);
void engine_free(struct engine *engine);

void engine_set_sink(struct engine *engine, const struct engine_sink *sink);

/* The sensor index for a serial, for pre-parsed events; -1 when unknown. */
int32_t engine_sensor_index(const struct engine *engine, const char *serial);

/* The fast path: one pre-parsed sensor event. */
enum engine_result engine_apply(struct engine *engine, int32_t sensor, int64_t timestamp_ms,
                                int trajectory);

/* The general path: resolves the serial (or, when the serial is empty, the
 * doorway id), and drops a repeated event id. */
enum engine_result engine_apply_event(struct engine *engine, const struct sensor_event *event);

/* Moves time forward to now_ms, performing the daily resets due. */
void engine_advance(struct engine *engine, int64_t now_ms);

/* From from_ms on, doorway `doorway` has the sensor `serial` (NULL: none),
 * as when a doorway's sensor_serial_number changes.  Returns 0, or -1 when
 * the doorway is unknown or out of memory. */
int engine_set_doorway_sensor(struct engine *engine, site_index doorway, const char *serial,
                              int64_t from_ms);

/* Sets a space's count (an authoritative value, e.g. from the server),
 * recorded in history like an event.  */
void engine_set_count(struct engine *engine, site_index space, int64_t count,
                      int64_t timestamp_ms);

/* Re-reads a space's safe threshold, daily reset and zone from the site
 * (after an edit such as PUT /spaces/:id/).  The count is kept; a changed
 * threshold may change the safe state, told to the sink at the engine's now. */
void engine_update_space(struct engine *engine, site_index space, const struct tz_zone *zone);

/* The site's shape changed: spaces or doorways were added (at the end) or
 * deleted (space.deleted), links or components changed.  Counts, history and
 * each sensor's past doorways are kept; new spaces start at their
 * current_count, deleted ones hold 0; aggregates are summed again.  zones
 * covers every space of the site now.  Returns 0, or -1 when out of memory
 * (the engine is then only fit for engine_free()). */
int engine_relink(struct engine *engine, const struct tz_zone *const *zones);

int64_t engine_now(const struct engine *engine);
int64_t engine_count(const struct engine *engine, site_index space);
uint64_t engine_clamps(const struct engine *engine, site_index space);
enum safe_state engine_safe_state(const struct engine *engine, site_index space);
int64_t engine_last_reset(const struct engine *engine, site_index space); /* INT64_MIN if none */
int64_t engine_next_reset(const struct engine *engine, site_index space);
const struct history *engine_history(const struct engine *engine, site_index space);
const struct engine_stats *engine_stats(const struct engine *engine);

/* Bytes the engine has allocated, history included. */
size_t engine_bytes(const struct engine *engine);

const char *engine_result_name(enum engine_result result);

#endif
