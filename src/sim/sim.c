/* sim.c — simulated doorways.
 *
 * The model
 * ---------
 * Each doorway with a working sensor belongs to one "flow": the space it
 * mainly serves (a building for its entrances, a room for its door; see
 * choose_owner()).  A flow keeps no list of people, only how many its space
 * holds (people[], a mirror of what the counting engine will count, with the
 * same clamping at zero), and is a birth-death process in continuous time:
 *   arrivals per minute   = A x profile arrival(local weekday, half hour) x room left
 *   departures per minute = people x leave(local weekday, half hour)
 * leave() comes from the space's function (kinds[]: how long people stay when
 * the profile says "leave now" and when it says "stay") and the profile's
 * departure row; for a profile from door counts, from the out-counts over the
 * people the in- and out-counts imply.  A is sized so that the weekday peak,
 * found by integrating the same equation over a week, is a believable share of
 * the capacity (an office 60%, a cafe 45%).
 *
 * An arrival is a crossing through one of the flow's doorways with trajectory
 * +1 x sensor_placement (the engine sees an entrance), a departure the
 * opposite.  A doorway that also links other spaces moves them too: a meeting
 * room door takes its people out of the open office around it.  Three rules
 * keep such coupled counts believable: nobody arrives through a doorway from a
 * space that is empty (no one could come from there); departures prefer
 * doorways whose other spaces hold people; and a space moved by other flows'
 * doorways (a ground floor under the building's entrances) is pulled towards
 * its expected occupancy through its own doorways (people go up the stairs).
 *
 * Events are generated in order with one heap of flows keyed by their next
 * due time: the next crossing (an exponential draw from the current rates) or
 * the next change of rates (a half-hour boundary in the space's local time, a
 * scenario phase).  Rates change only at those moments and when a count
 * changes, and an exponential draw may be redone at any moment (the process
 * is memoryless), so every change simply redraws.  Internal time is in
 * microseconds so that thousands of events a second keep their spacing.
 *
 * Determinism: all randomness comes from one xoshiro256** stream seeded from
 * the config, consumed in event order, plus hashes of (seed, flow, day) for
 * per-day choices; nothing depends on where sim_run_until() stops. */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/safe.h"

#define US_PER_MS INT64_C(1000)
#define US_PER_MINUTE INT64_C(60000000)
#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_SLOT (30 * MS_PER_MINUTE)
#define MS_PER_DAY INT64_C(86400000)
#define NEVER INT64_MAX
/* Keeps ms x 1000 inside int64_t (about 292,000 years either side of 1970). */
#define TIME_LIMIT_MS (INT64_MAX / US_PER_MS / 2)

/* A coupled space closes its gap to its expected occupancy with this time
 * constant (minutes): quick enough to look deliberate, slow enough to look
 * like people. */
#define CONTROL_MINUTES 5.0
/* Lunch rush: cafes fill towards their target with this time constant. */
#define RUSH_FILL_MINUTES 6.0
#define RUSH_FACTOR 1.6
/* Evacuation: mean time to leave once the alarm sounds (minutes); after
 * 10 minutes a crowd of a thousand has all gone with odds of a million to
 * a few hundred. */
#define EVACUATION_MEAN_MINUTES 0.5
/* A surge multiplies arrivals at most this much (CalIt2 has a late-night event
 * at 8.6 x a nearly empty door). */
#define SURGE_MAX_FACTOR 10.0

/* --- random numbers ------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

struct sim_rng {
    uint64_t s[4];
};

static void rng_seed(struct sim_rng *rng, uint64_t seed)
{
    uint64_t state = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&state);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna, 2018). */
static uint64_t rng_next(struct sim_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double to_unit(uint64_t x)
{
    return (double)(x >> 11) * 0x1.0p-53;
}

static double rng_unit(struct sim_rng *rng)
{
    return to_unit(rng_next(rng));
}

/* A draw from Exp(1): -ln(1 - u), u in [0, 1), so never infinite. */
static double rng_exponential(struct sim_rng *rng)
{
    return -log1p(-rng_unit(rng));
}

/* A uniform number fixed by its inputs, for choices that must not depend on
 * how far the event stream has got (which day has a surge). */
static double hash_unit(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t state = seed ^ (a * UINT64_C(0x9e3779b97f4a7c15));
    splitmix64(&state);
    state ^= b * UINT64_C(0xc2b2ae3d27d4eb4f);
    splitmix64(&state);
    state ^= c * UINT64_C(0x165667b19e3779f9);
    return to_unit(splitmix64(&state));
}

/* --- time ------------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t clamp_ms(int64_t ms)
{
    return ms > TIME_LIMIT_MS ? TIME_LIMIT_MS : ms < -TIME_LIMIT_MS ? -TIME_LIMIT_MS : ms;
}

static int64_t us_of_ms(int64_t ms)
{
    return clamp_ms(ms) * US_PER_MS;
}

static int64_t ms_of_us(int64_t us)
{
    return floor_div(us, US_PER_MS);
}

static int weekday_of_day(int64_t day)
{
    int64_t w = (day + 3) % 7; /* 1970-01-01 was a Thursday; Monday is 0 */
    return (int)(w < 0 ? w + 7 : w);
}

/* --- kinds of space -------------------------------------------------------------- */

/* How people use a space of some function. */
struct sim_kind {
    const char *name;            /* the function, or a space type */
    double occupancy;            /* weekday peak as a fraction of capacity */
    double minutes_at_peak;      /* mean stay when the departure value is 1.0 */
    double longest_minutes;      /* mean stay when it is 0 (0: no limit) */
};

static const struct sim_kind kinds[] = {
    { "office", 0.60, 40, 720 },
    { "focus_quiet", 0.50, 40, 180 },
    { "meeting_room", 0.55, 45, 0 },
    { "conference_room", 0.55, 45, 0 },
    { "phone_booth", 0.60, 15, 0 },
    { "collaboration", 0.50, 60, 0 },
    { "cafe", 0.45, 25, 0 },
    { "dining_area", 0.45, 25, 0 },
    { "kitchen", 0.40, 10, 0 },
    { "break_room", 0.40, 10, 0 },
    { "gym", 0.50, 50, 0 },
    { "wellness_room", 0.40, 20, 0 },
    { "reception", 0.30, 8, 10 },
    { "lobby", 0.30, 8, 10 },
    { "restroom", 0.30, 4, 0 },
    { "lab", 0.50, 30, 360 },
    { "library", 0.40, 60, 0 },
    { "lounge", 0.35, 30, 0 },
    { "theater", 0.50, 15, 120 },
    { "event_space", 0.50, 15, 120 },
    { "amenities_space", 0.30, 6, 0 },
    { "retail", 0.30, 6, 0 },
    { "place_of_worship", 0.30, 20, 0 },
    /* By space type, for spaces without a (known) function. */
    { "building", 0.60, 60, 720 },
    { "campus", 0.60, 60, 720 },
    { "floor", 0.55, 60, 720 },
    { "generic", 0.40, 60, 0 },
};


static const struct sim_kind *kind_named(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

static const struct sim_kind *kind_of(const struct space *space)
{
    const struct sim_kind *kind = space->function ? kind_named(space->function) : NULL;
    if (kind)
        return kind;
    switch (space->type) {
    case SPACE_TYPE_BUILDING:
        return kind_named("building");
    case SPACE_TYPE_CAMPUS:
        return kind_named("campus");
    case SPACE_TYPE_FLOOR:
        return kind_named("floor");
    case SPACE_TYPE_SPACE:
        break;
    }
    return kind_named("generic");
}

static double default_capacity(enum space_type type)
{
    switch (type) {
    case SPACE_TYPE_CAMPUS:
        return 1000;
    case SPACE_TYPE_BUILDING:
        return 300;
    case SPACE_TYPE_FLOOR:
        return 100;
    case SPACE_TYPE_SPACE:
        break;
    }
    return 10;
}

/* --- the simulator ----------------------------------------------------------------- */

struct sim_door {
    site_index doorway;
    int placement;  /* the flow's space's sensor_placement on this doorway */
    double weight;  /* how much of the flow's traffic uses it */
};

struct sim_flow {
    site_index space;
    const struct sim_profile *profile;
    const struct tz_zone *zone;
    double arrivals_per_minute; /* at arrival value 1.0 */
    float leave[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS]; /* departures per person per minute */
    double capacity;            /* arrivals thin out towards it */
    float expected[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS]; /* people, by the same model */
    bool coupled;               /* other flows' doorways move this space */
    bool rush;                  /* a cafe: joins the lunch rush */
    double rush_target;
    size_t first_door, door_count;

    /* State. */
    int weekday, slot;
    int64_t local_day;
    int surge;                  /* today's surge (index into profile->surges), -1: none */
    double in_rate, out_rate;   /* per minute */
    int64_t next_event_us, next_change_us;
    size_t heap_position;
};

/* Per doorway: what was emitted in the last millisecond, so that no sensor
 * sends the same trajectory twice in one millisecond (the engine would drop
 * the second as a duplicate). */
struct sim_doorway_state {
    int64_t last_ms;
    unsigned trajectories; /* bit 0: +1 sent in last_ms, bit 1: -1 */
    bool usable;           /* has a serial, a space to count, and a sensor not offline */
    bool rate_out_next;    /* rate mode: the next trajectory is the exit */
    int rate_placement;
};

struct sim {
    const struct site *site;
    const struct tz_zone **zones; /* copied array; the zones are borrowed */
    struct sim_config config;
    int64_t start_ms, from_ms, last_ms;
    bool started;
    struct sim_rng rng;

    int64_t *people;              /* per space */
    int32_t *flow_of_space;       /* flow index, or -1 */
    struct sim_flow *flows;
    size_t flow_count;
    struct sim_door *doors;
    size_t door_count;
    struct sim_doorway_state *doorways;
    size_t *heap;                 /* flow indices, min-heap on due time */
    size_t heap_count;

    site_index *rate_doorways;    /* rate mode: the doorways events are spread over */
    size_t rate_doorway_count;
    int64_t rate_next_us;

    site_index outage_sensor;     /* SIM_SENSOR_OFFLINE: the sensor that goes quiet */
    int64_t outage_from_ms, outage_until_ms;
};

/* --- scenarios ---------------------------------------------------------------------- */

static const char *const scenario_names[] = { "normal", "lunch-rush", "evacuation",
                                              "sensor-offline" };

bool sim_scenario_parse(const char *text, enum sim_scenario *out)
{
    if (text == NULL)
        return false;
    for (size_t i = 0; i < sizeof scenario_names / sizeof scenario_names[0]; i++)
        if (strcmp(text, scenario_names[i]) == 0) {
            *out = (enum sim_scenario)i;
            return true;
        }
    return false;
}

const char *sim_scenario_name(enum sim_scenario scenario)
{
    if ((size_t)scenario < sizeof scenario_names / sizeof scenario_names[0])
        return scenario_names[scenario];
    return "unknown";
}

void sim_config_defaults(struct sim_config *config)
{
    memset(config, 0, sizeof *config);
    config->seed = 1;
    config->scenario = SIM_NORMAL;
    config->events_per_second = 0;
    config->entrance_profile = NULL;
    config->intensity = 1.0;
}

static int64_t rush_from_us(const struct sim *sim)
{
    return us_of_ms(sim->start_ms) + 1 * US_PER_MINUTE;
}

static int64_t rush_until_us(const struct sim *sim)
{
    return us_of_ms(sim->start_ms) + 40 * US_PER_MINUTE;
}

static int64_t evacuation_from_us(const struct sim *sim)
{
    return us_of_ms(sim->start_ms) + 2 * US_PER_MINUTE;
}

/* Everyone out within about 5 minutes, then an hour empty. */
static int64_t evacuation_until_us(const struct sim *sim)
{
    return evacuation_from_us(sim) + 65 * US_PER_MINUTE;
}

static bool in_window(int64_t t, int64_t from, int64_t until)
{
    return t >= from && t < until;
}

static bool rush_now(const struct sim *sim, int64_t t)
{
    return sim->config.scenario == SIM_LUNCH_RUSH &&
           in_window(t, rush_from_us(sim), rush_until_us(sim));
}

static bool evacuation_now(const struct sim *sim, int64_t t)
{
    return sim->config.scenario == SIM_EVACUATION &&
           in_window(t, evacuation_from_us(sim), evacuation_until_us(sim));
}

/* The first scenario phase change after t (NEVER if none). */
static int64_t next_scenario_change(const struct sim *sim, int64_t t)
{
    int64_t edges[2];
    switch (sim->config.scenario) {
    case SIM_LUNCH_RUSH:
        edges[0] = rush_from_us(sim);
        edges[1] = rush_until_us(sim);
        break;
    case SIM_EVACUATION:
        edges[0] = evacuation_from_us(sim);
        edges[1] = evacuation_until_us(sim);
        break;
    default:
        return NEVER;
    }
    for (int i = 0; i < 2; i++)
        if (edges[i] > t)
            return edges[i];
    return NEVER;
}

/* --- sensors ------------------------------------------------------------------------- */

static bool sensor_offline_in_site(const struct site *site, site_index sensor)
{
    return sensor >= 0 && (size_t)sensor < site->sensor_count &&
           site->sensors[sensor].status == SENSOR_STATUS_OFFLINE;
}

bool sim_sensor_online(const struct sim *sim, site_index sensor, int64_t at_ms,
                       int64_t *last_heartbeat_ms)
{
    int64_t last = INT64_MIN;
    bool online = false;
    if (sim && sensor >= 0 && (size_t)sensor < sim->site->sensor_count) {
        const struct sensor *s = &sim->site->sensors[sensor];
        if (s->status == SENSOR_STATUS_OFFLINE) {
            last = s->last_heartbeat_present ? s->last_heartbeat_ms : INT64_MIN;
        } else if (sensor == sim->outage_sensor &&
                   in_window(at_ms, sim->outage_from_ms, sim->outage_until_ms)) {
            last = floor_div(sim->outage_from_ms - 1, MS_PER_MINUTE) * MS_PER_MINUTE;
        } else {
            online = true;
            last = floor_div(at_ms, MS_PER_MINUTE) * MS_PER_MINUTE;
        }
    }
    if (last_heartbeat_ms)
        *last_heartbeat_ms = last;
    return online;
}

static bool doorway_sensor_online(const struct sim *sim, site_index doorway, int64_t at_ms)
{
    site_index sensor = sim->site->doorways[doorway].sensor;
    if (sensor == SITE_NONE)
        return true; /* a serial the sensor list lacks: nothing says it is down */
    return sim_sensor_online(sim, sensor, at_ms, NULL);
}

/* --- building the flows ------------------------------------------------------------------- */

static bool counted_by_doorways(const struct site *site, site_index space)
{
    return space >= 0 && (size_t)space < site->space_count &&
           site->spaces[space].counting_mode == COUNTING_DOORWAYS;
}

/* Which linked space a doorway mainly serves: a building owns its entrances
 * (the floor and campus they also link follow from other flows), a room owns
 * its door rather than the floor or office it opens onto; between equals,
 * the space the sensor is inside, then the one with fewer doorways. */
static int type_rank(enum space_type type)
{
    switch (type) {
    case SPACE_TYPE_BUILDING:
        return 3;
    case SPACE_TYPE_SPACE:
        return 2;
    case SPACE_TYPE_FLOOR:
        return 1;
    case SPACE_TYPE_CAMPUS:
        break;
    }
    return 0;
}

static bool better_owner(const struct site *site, const struct link *a, const struct link *b)
{
    const struct space *sa = &site->spaces[a->space], *sb = &site->spaces[b->space];
    if (type_rank(sa->type) != type_rank(sb->type))
        return type_rank(sa->type) > type_rank(sb->type);
    if ((a->placement > 0) != (b->placement > 0))
        return a->placement > 0;
    return sa->link_count < sb->link_count;
}

/* The owning link of a doorway, or NULL when it has no usable link. */
static const struct link *choose_owner(const struct site *site, const struct doorway *doorway)
{
    const struct link *best = NULL;
    for (size_t i = 0; i < doorway->link_count; i++) {
        const struct link *link = &site->links[doorway->links[i]];
        if (!counted_by_doorways(site, link->space) || link->placement == 0)
            continue;
        if (best == NULL || better_owner(site, link, best))
            best = link;
    }
    return best;
}

static bool doorway_usable(const struct site *site, const struct doorway *doorway)
{
    return doorway->sensor_serial != NULL && doorway->sensor_serial[0] != '\0' &&
           !sensor_offline_in_site(site, doorway->sensor) && choose_owner(site, doorway) != NULL;
}

static double departure_rate(const struct sim_flow *flow, int weekday, int slot)
{
    return flow->leave[weekday][slot];
}

/* A profile from door counts says how many leave, not how readily each
 * person does: divide the departures of each half hour by the people the
 * counts imply are inside (arrivals minus departures since midnight, with
 * each day's departures scaled to its arrivals: the door measured need not be
 * the only one, and buildings are empty at night).  A floor of 5% of the
 * peak keeps quiet hours from dividing by nothing. */
static void leave_from_counts(const struct sim_profile *profile, double base,
                              float leave[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS])
{
    double present[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS];
    double balance[SIM_PROFILE_DAYS];
    double peak = 0;
    for (int d = 0; d < SIM_PROFILE_DAYS; d++) {
        double in_total = 0, out_total = 0;
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            in_total += profile->arrival[d][s];
            out_total += profile->departure[d][s];
        }
        balance[d] = out_total > 0 ? in_total / out_total : 0;
        double people = 0;
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            double before = people;
            people += profile->arrival[d][s] - profile->departure[d][s] * balance[d];
            if (people < 0)
                people = 0;
            present[d][s] = (before + people) / 2;
            if (present[d][s] > peak)
                peak = present[d][s];
        }
    }
    double floor_people = peak > 0 ? 0.05 * peak : 1;
    for (int d = 0; d < SIM_PROFILE_DAYS; d++)
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            double inside = present[d][s] > floor_people ? present[d][s] : floor_people;
            leave[d][s] = (float)(profile->departure[d][s] * balance[d] / (30.0 * inside) + base);
        }
}

static void fill_leave_rates(struct sim_flow *flow, const struct sim_kind *kind)
{
    double base = kind->longest_minutes > 0 ? 1.0 / kind->longest_minutes : 0;
    if (flow->profile->departures_are_counts) {
        leave_from_counts(flow->profile, base, flow->leave);
        return;
    }
    for (int d = 0; d < SIM_PROFILE_DAYS; d++)
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++)
            flow->leave[d][s] =
                (float)(flow->profile->departure[d][s] / kind->minutes_at_peak + base);
}

/* Integrates d(people)/dt = arrival(t) - departure(t) x people over a week
 * (after a week of warm-up) with unit arrivals, then scales arrivals so the
 * week's peak is `peak_people`.  `expected` keeps the resulting curve. */
static void calibrate(struct sim_flow *flow, double peak_people)
{
    const int steps = 6; /* 5-minute steps per half hour */
    const double dt = 5.0;
    double people = 0, peak = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int d = 0; d < SIM_PROFILE_DAYS; d++)
            for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
                double in = flow->profile->arrival[d][s];
                double h = departure_rate(flow, d, s);
                double sum = 0;
                for (int k = 0; k < steps; k++) {
                    if (h > 1e-12) {
                        double keep = exp(-h * dt);
                        people = people * keep + in / h * (1 - keep);
                    } else {
                        people += in * dt;
                    }
                    sum += people;
                }
                flow->expected[d][s] = (float)(sum / steps);
                if (pass == 1 && people > peak)
                    peak = people;
            }
    double scale = peak > 0 && peak_people > 0 ? peak_people / peak : 0;
    flow->arrivals_per_minute = scale;
    for (int d = 0; d < SIM_PROFILE_DAYS; d++)
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++)
            flow->expected[d][s] = (float)(flow->expected[d][s] * scale);
}

/* A cafe in a lunch rush aims well past its safe limit (or near its capacity
 * when it has none). */
static double rush_target_of(const struct space *space, double capacity)
{
    struct safe_limit limit = safe_limit_of(space);
    if (!limit.present)
        return ceil(0.95 * capacity);
    double target = ceil(RUSH_FACTOR * (double)limit.max_safe_count);
    if (target < (double)limit.max_safe_count + 2)
        target = (double)limit.max_safe_count + 2;
    if (capacity > (double)limit.max_safe_count + 2 && target > capacity)
        target = capacity;
    return target;
}

static bool joins_rush(const struct space *space)
{
    return space->function &&
           (strcasecmp(space->function, "cafe") == 0 ||
            strcasecmp(space->function, "dining_area") == 0);
}

static void setup_flow(struct sim *sim, struct sim_flow *flow, site_index space_index)
{
    const struct space *space = &sim->site->spaces[space_index];
    const struct sim_kind *kind = kind_of(space);
    flow->space = space_index;
    flow->zone = sim->zones ? sim->zones[space_index] : NULL;
    bool entrance = space->function == NULL &&
                    (space->type == SPACE_TYPE_BUILDING || space->type == SPACE_TYPE_CAMPUS);
    flow->profile = entrance && sim->config.entrance_profile
                        ? sim->config.entrance_profile
                        : sim_profile_for_function(space->function ? space->function : kind->name);
    fill_leave_rates(flow, kind);
    flow->capacity = space->capacity.present && space->capacity.value > 0
                         ? (double)space->capacity.value
                         : default_capacity(space->type);
    calibrate(flow, flow->capacity * kind->occupancy * sim->config.intensity);
    flow->rush = joins_rush(space);
    flow->rush_target = flow->rush ? rush_target_of(space, flow->capacity) : 0;
    flow->local_day = INT64_MIN;
    flow->surge = -1;
}

/* Groups the usable doorways into flows, one per owning space, in space
 * order; each doorway gets a fixed weight from the seed (some doors are
 * busier than others). */
static int build_flows(struct sim *sim)
{
    const struct site *site = sim->site;
    size_t *doors_per_space = calloc(site->space_count + 1, sizeof *doors_per_space);
    if (doors_per_space == NULL)
        return -1;
    for (size_t d = 0; d < site->doorway_count; d++) {
        const struct doorway *doorway = &site->doorways[d];
        sim->doorways[d].usable = doorway_usable(site, doorway);
        if (sim->doorways[d].usable) {
            doors_per_space[choose_owner(site, doorway)->space]++;
            sim->door_count++;
        }
    }
    for (size_t s = 0; s < site->space_count; s++)
        if (doors_per_space[s] > 0)
            sim->flow_count++;
    sim->flows = calloc(sim->flow_count + 1, sizeof *sim->flows);
    sim->doors = calloc(sim->door_count + 1, sizeof *sim->doors);
    sim->heap = calloc(sim->flow_count + 1, sizeof *sim->heap);
    if (sim->flows == NULL || sim->doors == NULL || sim->heap == NULL) {
        free(doors_per_space);
        return -1;
    }

    size_t next_door = 0, f = 0;
    for (size_t s = 0; s < site->space_count; s++) {
        if (doors_per_space[s] == 0)
            continue;
        struct sim_flow *flow = &sim->flows[f];
        setup_flow(sim, flow, (site_index)s);
        flow->first_door = next_door;
        for (size_t d = 0; d < site->doorway_count; d++) {
            if (!sim->doorways[d].usable)
                continue;
            const struct link *owner = choose_owner(site, &site->doorways[d]);
            if (owner->space != (site_index)s)
                continue;
            sim->doors[next_door++] = (struct sim_door){
                .doorway = (site_index)d,
                .placement = owner->placement > 0 ? 1 : -1,
                .weight = 0.4 + 1.2 * hash_unit(sim->config.seed, 0xd00c, d, 0),
            };
        }
        flow->door_count = next_door - flow->first_door;
        sim->flow_of_space[s] = (int32_t)f;
        f++;
    }
    free(doors_per_space);

    /* A space is coupled when a doorway of another flow links it. */
    for (size_t i = 0; i < sim->flow_count; i++) {
        const struct sim_flow *flow = &sim->flows[i];
        for (size_t k = 0; k < flow->door_count; k++) {
            const struct doorway *doorway = &site->doorways[sim->doors[flow->first_door + k].doorway];
            for (size_t l = 0; l < doorway->link_count; l++) {
                site_index other = site->links[doorway->links[l]].space;
                if (other == flow->space || !counted_by_doorways(site, other))
                    continue;
                if (sim->flow_of_space[other] >= 0)
                    sim->flows[sim->flow_of_space[other]].coupled = true;
            }
        }
    }
    return 0;
}

static int build_rate_doorways(struct sim *sim)
{
    const struct site *site = sim->site;
    sim->rate_doorways = calloc(site->doorway_count + 1, sizeof *sim->rate_doorways);
    if (sim->rate_doorways == NULL)
        return -1;
    for (size_t d = 0; d < site->doorway_count; d++) {
        if (!sim->doorways[d].usable)
            continue;
        sim->doorways[d].rate_placement =
            choose_owner(site, &site->doorways[d])->placement > 0 ? 1 : -1;
        sim->rate_doorways[sim->rate_doorway_count++] = (site_index)d;
    }
    return 0;
}

/* SIM_SENSOR_OFFLINE: a sensor picked by the seed, in proportion to the
 * traffic its doorway is expected to carry, so the outage shows. */
static void choose_outage_sensor(struct sim *sim)
{
    sim->outage_sensor = SITE_NONE;
    sim->outage_from_ms = clamp_ms(sim->start_ms) + 1 * MS_PER_MINUTE;
    sim->outage_until_ms = sim->outage_from_ms + 10 * MS_PER_MINUTE;
    if (sim->config.scenario != SIM_SENSOR_OFFLINE)
        return;
    const struct site *site = sim->site;
    double total = 0;
    for (int pass = 0; pass < 2; pass++) {
        double pick = pass ? hash_unit(sim->config.seed, 0x0ff1, 0, 0) * total : 0, sum = 0;
        for (size_t i = 0; i < sim->flow_count; i++) {
            const struct sim_flow *flow = &sim->flows[i];
            double weights = 0;
            for (size_t k = 0; k < flow->door_count; k++)
                weights += sim->doors[flow->first_door + k].weight;
            for (size_t k = 0; k < flow->door_count; k++) {
                const struct sim_door *door = &sim->doors[flow->first_door + k];
                site_index sensor = site->doorways[door->doorway].sensor;
                if (sensor == SITE_NONE)
                    continue;
                double w = sim->config.events_per_second > 0
                               ? 1.0
                               : flow->arrivals_per_minute * door->weight / weights;
                if (pass == 0) {
                    total += w;
                } else if ((sum += w) > pick && w > 0) {
                    sim->outage_sensor = sensor;
                    return;
                }
            }
        }
        if (total <= 0)
            return;
    }
}

struct sim *sim_new(const struct site *site, const struct tz_zone *const *zones,
                    const struct sim_config *config, int64_t start_ms)
{
    struct sim *sim = calloc(1, sizeof *sim);
    if (sim == NULL || site == NULL)
        goto fail;
    sim->site = site;
    if (config)
        sim->config = *config;
    else
        sim_config_defaults(&sim->config);
    if (!(sim->config.intensity >= 0) || isinf(sim->config.intensity))
        sim->config.intensity = 1.0;
    if (!(sim->config.events_per_second > 0) || isinf(sim->config.events_per_second))
        sim->config.events_per_second = 0;
    sim->start_ms = clamp_ms(start_ms);
    sim->from_ms = sim->start_ms;
    sim->last_ms = sim->start_ms;
    rng_seed(&sim->rng, sim->config.seed);

    size_t spaces = site->space_count + 1;
    sim->zones = calloc(spaces, sizeof *sim->zones);
    sim->people = calloc(spaces, sizeof *sim->people);
    sim->flow_of_space = malloc(spaces * sizeof *sim->flow_of_space);
    sim->doorways = calloc(site->doorway_count + 1, sizeof *sim->doorways);
    if (!sim->zones || !sim->people || !sim->flow_of_space || !sim->doorways)
        goto fail;
    for (size_t s = 0; s < site->space_count; s++) {
        sim->zones[s] = zones ? zones[s] : NULL;
        sim->flow_of_space[s] = -1;
    }
    for (size_t d = 0; d < site->doorway_count; d++)
        sim->doorways[d].last_ms = INT64_MIN;
    if (build_flows(sim) != 0 || build_rate_doorways(sim) != 0)
        goto fail;
    choose_outage_sensor(sim);
    return sim;
fail:
    sim_free(sim);
    return NULL;
}

void sim_free(struct sim *sim)
{
    if (sim == NULL)
        return;
    free(sim->zones);
    free(sim->people);
    free(sim->flow_of_space);
    free(sim->flows);
    free(sim->doors);
    free(sim->doorways);
    free(sim->heap);
    free(sim->rate_doorways);
    free(sim);
}

void sim_begin(struct sim *sim, int64_t from_ms)
{
    if (sim && !sim->started) {
        sim->from_ms = clamp_ms(from_ms);
        sim->last_ms = sim->from_ms;
    }
}

/* --- the heap of flows ---------------------------------------------------------------- */

static int64_t due_of(const struct sim_flow *flow)
{
    return flow->next_event_us < flow->next_change_us ? flow->next_event_us : flow->next_change_us;
}

static bool heap_before(const struct sim *sim, size_t a, size_t b)
{
    int64_t da = due_of(&sim->flows[a]), db = due_of(&sim->flows[b]);
    return da < db || (da == db && a < b);
}

static void heap_place(struct sim *sim, size_t position, size_t flow)
{
    sim->heap[position] = flow;
    sim->flows[flow].heap_position = position;
}

static void heap_up(struct sim *sim, size_t position)
{
    size_t flow = sim->heap[position];
    while (position > 0) {
        size_t parent = (position - 1) / 2;
        if (!heap_before(sim, flow, sim->heap[parent]))
            break;
        heap_place(sim, position, sim->heap[parent]);
        position = parent;
    }
    heap_place(sim, position, flow);
}

static void heap_down(struct sim *sim, size_t position)
{
    size_t flow = sim->heap[position];
    for (;;) {
        size_t child = 2 * position + 1;
        if (child >= sim->heap_count)
            break;
        if (child + 1 < sim->heap_count && heap_before(sim, sim->heap[child + 1], sim->heap[child]))
            child++;
        if (!heap_before(sim, sim->heap[child], flow))
            break;
        heap_place(sim, position, sim->heap[child]);
        position = child;
    }
    heap_place(sim, position, flow);
}

/* After a flow's due time changed either way. */
static void heap_fix(struct sim *sim, size_t flow)
{
    size_t position = sim->flows[flow].heap_position;
    heap_up(sim, position);
    heap_down(sim, sim->flows[flow].heap_position);
}

/* --- rates ----------------------------------------------------------------------------- */

/* Fewer arrivals as a space fills: hardly any change at half its capacity,
 * none at all when full. */
static double room_left(double people, double capacity)
{
    if (capacity <= 0)
        return 1;
    double fill = people / capacity;
    double left = 1 - fill * fill * fill * fill;
    return left > 0 ? left : 0;
}

static double surge_factor_now(const struct sim_flow *flow)
{
    if (flow->surge < 0)
        return 1;
    const struct sim_surge *surge = &flow->profile->surges[flow->surge];
    if (flow->slot < surge->start_slot || flow->slot >= surge->end_slot)
        return 1;
    double factor = surge->factor;
    /* A quiet door during an event tells nothing about the building. */
    return factor < 1 ? 1 : factor > SURGE_MAX_FACTOR ? SURGE_MAX_FACTOR : factor;
}

static void update_rates(struct sim *sim, struct sim_flow *flow, int64_t t)
{
    double people = (double)sim->people[flow->space];
    double leave = departure_rate(flow, flow->weekday, flow->slot);
    double in = flow->arrivals_per_minute * flow->profile->arrival[flow->weekday][flow->slot] *
                surge_factor_now(flow) * room_left(people, flow->capacity);
    double out = people * leave;

    if (evacuation_now(sim, t)) {
        in = 0;
        out = people / EVACUATION_MEAN_MINUTES;
    } else if (flow->rush && rush_now(sim, t)) {
        /* Fill towards the target, then hold it (arrivals replace leavers). */
        double target = flow->rush_target;
        double gap = target > people ? target - people : 0;
        double rush_in = gap / RUSH_FILL_MINUTES + (people < target ? people : target) * leave;
        if (rush_in > in)
            in = rush_in;
    } else if (flow->coupled) {
        double expected = flow->expected[flow->weekday][flow->slot];
        if (expected > people)
            in += (expected - people) / CONTROL_MINUTES * room_left(people, flow->capacity);
        else
            out += (people - expected) / CONTROL_MINUTES;
    }
    flow->in_rate = in;
    flow->out_rate = out;
}

static void draw_next_event(struct sim *sim, struct sim_flow *flow, int64_t t)
{
    double total = flow->in_rate + flow->out_rate;
    if (!(total > 0)) {
        flow->next_event_us = NEVER;
        return;
    }
    double wait_us = rng_exponential(&sim->rng) / total * (double)US_PER_MINUTE;
    flow->next_event_us = wait_us >= 1e15 ? NEVER : t + (int64_t)wait_us;
}

/* Today's surge, if the dice say there is one: P = surges per week x the
 * share of known surges that fell on this weekday. */
static int pick_surge(const struct sim *sim, size_t flow_index, int64_t day, int weekday)
{
    const struct sim_profile *profile = sim->flows[flow_index].profile;
    if (profile->surge_count == 0 || profile->surges_per_week <= 0)
        return -1;
    size_t on_weekday = 0;
    for (size_t i = 0; i < profile->surge_count; i++)
        on_weekday += profile->surges[i].weekday == weekday;
    if (on_weekday == 0)
        return -1;
    double chance = profile->surges_per_week * (double)on_weekday / (double)profile->surge_count;
    if (hash_unit(sim->config.seed, flow_index, (uint64_t)day, 1) >= chance)
        return -1;
    size_t pick = (size_t)(hash_unit(sim->config.seed, flow_index, (uint64_t)day, 2) *
                           (double)on_weekday);
    for (size_t i = 0; i < profile->surge_count; i++)
        if (profile->surges[i].weekday == weekday && pick-- == 0)
            return (int)i;
    return -1;
}

/* The flow's local weekday and half hour at t, and when they next change. */
static void set_clock(struct sim *sim, size_t flow_index, int64_t t)
{
    struct sim_flow *flow = &sim->flows[flow_index];
    int64_t t_ms = ms_of_us(t);
    int64_t offset_ms = (int64_t)tz_offset_at(flow->zone, floor_div(t_ms, 1000)) * 1000;
    int64_t local_ms = t_ms + offset_ms;
    int64_t day = floor_div(local_ms, MS_PER_DAY);
    int64_t into_day = local_ms - day * MS_PER_DAY;
    flow->slot = (int)(into_day / MS_PER_SLOT);
    flow->weekday = weekday_of_day(day);
    if (day != flow->local_day) {
        flow->local_day = day;
        flow->surge = pick_surge(sim, flow_index, day, flow->weekday);
    }
    int64_t next_slot = (t_ms + (MS_PER_SLOT - into_day % MS_PER_SLOT)) * US_PER_MS;
    int64_t scenario = next_scenario_change(sim, t);
    flow->next_change_us = scenario < next_slot ? scenario : next_slot;
}

/* --- crossings ----------------------------------------------------------------------------- */

/* Whether a crossing with this trajectory takes someone out of a space
 * (other than the flow's own) that is empty. */
static bool crossing_from_empty(const struct sim *sim, site_index doorway, int trajectory,
                                site_index own)
{
    const struct doorway *d = &sim->site->doorways[doorway];
    for (size_t l = 0; l < d->link_count; l++) {
        const struct link *link = &sim->site->links[d->links[l]];
        if (link->space == own || !counted_by_doorways(sim->site, link->space))
            continue;
        if (trajectory * link->placement < 0 && sim->people[link->space] <= 0)
            return true;
    }
    return false;
}

/* A doorway of the flow for a crossing in `direction` (+1 arrival, -1
 * departure), weighted, among those that take nobody from an empty space.
 * Arrivals with no such doorway do not happen (NULL); departures then use any
 * doorway. */
static const struct sim_door *choose_door(struct sim *sim, const struct sim_flow *flow,
                                          int direction)
{
    double total = 0;
    for (int strict = 1; strict >= 0; strict--) {
        for (size_t k = 0; k < flow->door_count; k++) {
            const struct sim_door *door = &sim->doors[flow->first_door + k];
            if (!strict || !crossing_from_empty(sim, door->doorway, direction * door->placement,
                                                flow->space))
                total += door->weight;
        }
        if (total > 0) {
            double pick = rng_unit(&sim->rng) * total;
            const struct sim_door *chosen = NULL;
            for (size_t k = 0; k < flow->door_count; k++) {
                const struct sim_door *door = &sim->doors[flow->first_door + k];
                if (strict && crossing_from_empty(sim, door->doorway, direction * door->placement,
                                                  flow->space))
                    continue;
                chosen = door;
                if ((pick -= door->weight) < 0)
                    break;
            }
            return chosen;
        }
        if (direction > 0)
            return NULL;
    }
    return NULL;
}

/* The engine drops a second event with the same sensor, millisecond and
 * trajectory as a duplicate. */
static bool would_repeat(const struct sim *sim, site_index doorway, int64_t t_ms, int trajectory)
{
    const struct sim_doorway_state *state = &sim->doorways[doorway];
    return state->last_ms == t_ms && (state->trajectories & (trajectory > 0 ? 1u : 2u));
}

static void remember(struct sim *sim, site_index doorway, int64_t t_ms, int trajectory)
{
    struct sim_doorway_state *state = &sim->doorways[doorway];
    if (state->last_ms != t_ms) {
        state->last_ms = t_ms;
        state->trajectories = 0;
    }
    state->trajectories |= trajectory > 0 ? 1u : 2u;
}

struct emitter {
    sim_emit_fn emit;
    void *context;
    uint64_t emitted;
};

/* Emits the crossing unless the sensor is offline at that moment (people
 * still pass: only the event is lost). */
static void emit_crossing(struct sim *sim, struct emitter *out, site_index doorway, int64_t t_ms,
                          int trajectory)
{
    remember(sim, doorway, t_ms, trajectory);
    if (!doorway_sensor_online(sim, doorway, t_ms))
        return;
    const struct doorway *d = &sim->site->doorways[doorway];
    struct sim_event event = {
        .sensor = d->sensor,
        .doorway = doorway,
        .serial = d->sensor_serial,
        .timestamp_ms = t_ms,
        .trajectory = trajectory,
    };
    out->emitted++;
    if (out->emit)
        out->emit(out->context, &event);
}

/* Moves the counts of every space the doorway links, as the engine will,
 * and lets the other flows whose space moved redraw with their new rates. */
static void apply_crossing(struct sim *sim, size_t flow_index, site_index doorway, int trajectory,
                           int64_t t)
{
    const struct doorway *d = &sim->site->doorways[doorway];
    for (size_t l = 0; l < d->link_count; l++) {
        const struct link *link = &sim->site->links[d->links[l]];
        if (!counted_by_doorways(sim->site, link->space) || link->placement == 0)
            continue;
        int64_t *people = &sim->people[link->space];
        *people += trajectory * (link->placement > 0 ? 1 : -1);
        if (*people < 0)
            *people = 0;
        int32_t other = sim->flow_of_space[link->space];
        if (other >= 0 && (size_t)other != flow_index) {
            update_rates(sim, &sim->flows[other], t);
            draw_next_event(sim, &sim->flows[other], t);
            heap_fix(sim, (size_t)other);
        }
    }
}

static void flow_event(struct sim *sim, size_t flow_index, struct emitter *out)
{
    struct sim_flow *flow = &sim->flows[flow_index];
    int64_t t = flow->next_event_us;
    int64_t t_ms = ms_of_us(t);
    double total = flow->in_rate + flow->out_rate;
    int direction = rng_unit(&sim->rng) * total < flow->in_rate ? 1 : -1;
    const struct sim_door *door = choose_door(sim, flow, direction);
    if (door) {
        int trajectory = direction * door->placement;
        if (would_repeat(sim, door->doorway, t_ms, trajectory)) {
            /* Try again in the next millisecond. */
            flow->next_event_us = (t_ms + 1) * US_PER_MS;
            heap_fix(sim, flow_index);
            return;
        }
        emit_crossing(sim, out, door->doorway, t_ms, trajectory);
        apply_crossing(sim, flow_index, door->doorway, trajectory, t);
    }
    update_rates(sim, flow, t);
    draw_next_event(sim, flow, t);
    heap_fix(sim, flow_index);
}

static void flow_change(struct sim *sim, size_t flow_index)
{
    struct sim_flow *flow = &sim->flows[flow_index];
    int64_t t = flow->next_change_us;
    set_clock(sim, flow_index, t);
    update_rates(sim, flow, t);
    draw_next_event(sim, flow, t);
    heap_fix(sim, flow_index);
}

/* --- rate mode ------------------------------------------------------------------------------- */

static void draw_next_rate_event(struct sim *sim, int64_t t)
{
    double wait_us = rng_exponential(&sim->rng) / sim->config.events_per_second * 1e6;
    sim->rate_next_us = wait_us >= 1e15 ? NEVER : t + (int64_t)wait_us;
}

/* One event on a doorway picked uniformly, alternating in and out per
 * doorway so that counts stay where they are. */
static void rate_event(struct sim *sim, struct emitter *out)
{
    int64_t t = sim->rate_next_us;
    int64_t t_ms = ms_of_us(t);
    size_t pick = (size_t)(rng_unit(&sim->rng) * (double)sim->rate_doorway_count);
    site_index doorway = sim->rate_doorways[pick];
    struct sim_doorway_state *state = &sim->doorways[doorway];
    int trajectory = state->rate_out_next ? -state->rate_placement : state->rate_placement;
    if (would_repeat(sim, doorway, t_ms, trajectory)) {
        sim->rate_next_us = (t_ms + 1) * US_PER_MS;
        return;
    }
    state->rate_out_next = !state->rate_out_next;
    emit_crossing(sim, out, doorway, t_ms, trajectory);
    draw_next_rate_event(sim, t);
}

/* --- running ------------------------------------------------------------------------------------ */

/* The first events come after the last microsecond of from_ms, so that the
 * first call emits (from_ms, until_ms] like every later one. */
static void start(struct sim *sim)
{
    int64_t t = us_of_ms(sim->from_ms) + (US_PER_MS - 1);
    for (size_t s = 0; s < sim->site->space_count; s++) {
        const struct space *space = &sim->site->spaces[s];
        sim->people[s] = counted_by_doorways(sim->site, (site_index)s) && space->current_count > 0
                             ? space->current_count
                             : 0;
    }
    for (size_t i = 0; i < sim->flow_count; i++) {
        struct sim_flow *flow = &sim->flows[i];
        set_clock(sim, i, t);
        update_rates(sim, flow, t);
        draw_next_event(sim, flow, t);
        sim->heap[i] = i;
        flow->heap_position = i;
    }
    sim->heap_count = sim->flow_count;
    for (size_t i = sim->heap_count / 2; i-- > 0;)
        heap_down(sim, i);
    if (sim->rate_doorway_count > 0)
        draw_next_rate_event(sim, t);
    else
        sim->rate_next_us = NEVER;
    sim->started = true;
}

uint64_t sim_run_until(struct sim *sim, int64_t until_ms, sim_emit_fn emit, void *context)
{
    if (sim == NULL)
        return 0;
    if (!sim->started)
        start(sim);
    until_ms = clamp_ms(until_ms);
    if (until_ms <= sim->last_ms)
        return 0;
    struct emitter out = { emit, context, 0 };
    int64_t until_us = until_ms * US_PER_MS + (US_PER_MS - 1);
    if (sim->config.events_per_second > 0) {
        while (sim->rate_next_us <= until_us)
            rate_event(sim, &out);
    } else {
        while (sim->heap_count > 0) {
            size_t flow_index = sim->heap[0];
            struct sim_flow *flow = &sim->flows[flow_index];
            if (due_of(flow) > until_us)
                break;
            if (flow->next_change_us <= flow->next_event_us)
                flow_change(sim, flow_index);
            else
                flow_event(sim, flow_index, &out);
        }
    }
    sim->last_ms = until_ms;
    return out.emitted;
}
