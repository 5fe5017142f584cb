/* sim.h — simulated doorways: every sensor of a site produces crossings that
 * follow a daily profile per space function, reproducibly from a seed.
 *
 * The simulator works in simulated time (Unix ms, UTC): the caller asks for
 * all events up to a time, and gets them in time order.  It keeps its own
 * idea of how many people each space holds so that its crossings are
 * plausible (nobody leaves an empty room), but the counting engine is what
 * counts: the simulator only emits sensor events.
 *
 * Profiles: a relative arrival rate for each half hour of each weekday, per
 * space function (office morning arrival and evening departure, lunch at
 * cafes, quiet nights and weekends, ...), in each space's local time.  The
 * "calit2" profile is derived from real doorway data (sim_profile_from_calit2()
 * in sim/profile.h) and drives building entrances when it is given.
 *
 * Each space starts with its current_count, as the counting engine does.
 *
 * Scenarios change the traffic relative to the start of the simulation, so a
 * demo shows them at once: see enum sim_scenario.
 *
 * Determinism: the same site, config (seed included) and sequence of
 * sim_run_until() calls give the same events, bit for bit.
 *
 * Ownership: borrows the site and the zones, which must outlive it.  No I/O,
 * no global state; not thread-safe. */
#ifndef OCCTOP_SIM_SIM_H
#define OCCTOP_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/site.h"
#include "core/tz.h"
#include "sim/profile.h"

enum sim_scenario {
    SIM_NORMAL = 0,     /* the profiles alone */
    SIM_LUNCH_RUSH,     /* from 1 to 40 simulated minutes after the start, cafes
                           (and dining areas) fill past their safe threshold,
                           then empty back to normal */
    SIM_EVACUATION,     /* 2 simulated minutes after the start everyone leaves
                           every space within about 5 minutes; the site stays
                           empty for an hour, then the profiles resume */
    SIM_SENSOR_OFFLINE, /* 1 minute after the start one sensor (chosen by the
                           seed) goes offline: no events, no heartbeat; it
                           comes back 10 minutes later */
};

/* "normal", "lunch-rush", "evacuation", "sensor-offline". */
bool sim_scenario_parse(const char *text, enum sim_scenario *out);
const char *sim_scenario_name(enum sim_scenario scenario);

struct sim_config {
    uint64_t seed;
    enum sim_scenario scenario;
    /* Load testing: > 0 replaces the profiles by this many sensor events per
     * simulated second, spread uniformly over all sensors (trajectories
     * balanced so counts stay near their level).  The lunch rush and the
     * evacuation do not apply then; a sensor outage does. */
    double events_per_second;
    /* Optional: a profile derived from real data for building entrances
     * (NULL: building entrances use the built-in "building" shape). */
    const struct sim_profile *entrance_profile;
    /* How busy the site is: 1.0 is a believable weekday (negative or NaN:
     * 1.0). */
    double intensity;
};

void sim_config_defaults(struct sim_config *config);

/* One simulated crossing. */
struct sim_event {
    site_index sensor;     /* index into site->sensors, or SITE_NONE when the doorway's
                              serial is not in the sensor list */
    site_index doorway;
    const char *serial;    /* the doorway's sensor serial (borrowed from the site) */
    int64_t timestamp_ms;
    int trajectory;        /* +1 or -1 */
};

typedef void (*sim_emit_fn)(void *context, const struct sim_event *event);

struct sim;

/* start_ms: the simulation's time zero (scenarios count from it).  zones[i]
 * is the zone of site->spaces[i] (NULL or an entry NULL: UTC).  NULL when out
 * of memory. */
struct sim *sim_new(const struct site *site, const struct tz_zone *const *zones,
                    const struct sim_config *config, int64_t start_ms);
void sim_free(struct sim *sim);

/* Emits, in time order, every event with a timestamp in (last, until_ms]
 * where `last` is the previous until_ms (the first call starts from
 * `from_ms` given to sim_begin, or start_ms).  Returns the number emitted. */
uint64_t sim_run_until(struct sim *sim, int64_t until_ms, sim_emit_fn emit, void *context);

/* Starts the event stream earlier than start_ms, e.g. 24 hours before it, so
 * that history is full when a demo starts (call before sim_run_until). */
void sim_begin(struct sim *sim, int64_t from_ms);

/* A sensor's state at a time: online, and its last heartbeat (sensors beat
 * every minute while online; a sensor offline in the site keeps the
 * site's last_heartbeat, INT64_MIN when it has none). */
bool sim_sensor_online(const struct sim *sim, site_index sensor, int64_t at_ms,
                       int64_t *last_heartbeat_ms);

#endif
