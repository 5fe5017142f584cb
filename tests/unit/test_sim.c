/* test_sim.c — simulated doorways and traffic profiles.
 *
 * Determinism (same seed, any chunking of sim_run_until), event order and
 * shape; the shapes of a day checked on a small site built in code; the
 * scenarios run through the real counting engine on the demo campus
 * (data/demo-campus.json); the CalIt2 profile checked against numbers worked
 * out separately with python3 from the same files:
 *
 *   rows = [l.strip().split(',') for l in open('CalIt2.data') if l.strip()]
 *   # slot = the half hour BEFORE the row's time; mean per (flow, weekday, slot)
 *   # Monday 08:00 in: 3.6; peak in 22.2 (Friday 13:30); peak out 19.4
 *   # (Thursday 11:30); events: in-count during the event over the means
 *   # of its weekday and slots, e.g. 07/26/05 11:00-14:00: 77 / 90.8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/timefmt.h"
#include "sim/profile.h"
#include "sim/sim.h"
#include "wire/site_file.h"
#include "wire/tzdb.h"

#define MINUTE INT64_C(60000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* --- helpers -------------------------------------------------------------------- */

static int64_t ms_at(const char *iso)
{
    int64_t ms;
    if (!timefmt_parse(iso, &ms, 0))
        fail_msg("bad time %s", iso);
    return ms;
}

static void source_path(const char *relative, char *out, size_t size)
{
    const char *top = getenv("top_srcdir");
    snprintf(out, size, "%s/%s", top && *top ? top : ".", relative);
}

/* A file of the source tree, whole (the caller frees it). */
static char *read_source_file(const char *relative, size_t *len)
{
    char path[4096];
    source_path(relative, path, sizeof path);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        fail_msg("cannot open %s: %s (is top_srcdir set?)", path, strerror(errno));
    size_t capacity = 1 << 16, used = 0;
    char *text = malloc(capacity);
    assert_non_null(text);
    size_t got;
    while ((got = fread(text + used, 1, capacity - used, file)) > 0) {
        used += got;
        if (used == capacity) {
            capacity *= 2;
            text = realloc(text, capacity);
            assert_non_null(text);
        }
    }
    fclose(file);
    *len = used;
    return text;
}

struct recording {
    struct sim_event *events;
    size_t count, capacity;
};

static void record(void *context, const struct sim_event *event)
{
    struct recording *r = context;
    if (r->count == r->capacity) {
        r->capacity = r->capacity ? 2 * r->capacity : 4096;
        r->events = realloc(r->events, r->capacity * sizeof *r->events);
        assert_non_null(r->events);
    }
    r->events[r->count++] = *event;
}

static bool same_event(const struct sim_event *a, const struct sim_event *b)
{
    return a->sensor == b->sensor && a->doorway == b->doorway &&
           a->timestamp_ms == b->timestamp_ms && a->trajectory == b->trajectory &&
           strcmp(a->serial, b->serial) == 0;
}

static bool same_recording(const struct recording *a, const struct recording *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (!same_event(&a->events[i], &b->events[i]))
            return false;
    return true;
}

static site_index space_named(const struct site *site, const char *name)
{
    for (size_t i = 0; i < site->space_count; i++)
        if (strcmp(site->spaces[i].name, name) == 0)
            return (site_index)i;
    fail_msg("no space named %s", name);
    return SITE_NONE;
}

static site_index doorway_with_id(const struct site *site, const char *id)
{
    site_index d = site_find_doorway(site, id);
    if (d == SITE_NONE)
        fail_msg("no doorway %s", id);
    return d;
}

/* The site, its zones and the database that owns them. */
struct world {
    struct site *site;
    struct tzdb *db;
    const struct tz_zone **zones;
};

static void load_zones(struct world *w)
{
    w->db = tzdb_new(NULL);
    assert_non_null(w->db);
    w->zones = calloc(w->site->space_count + 1, sizeof *w->zones);
    assert_non_null(w->zones);
    for (size_t i = 0; i < w->site->space_count; i++) {
        const char *name = w->site->spaces[i].time_zone;
        char message[256];
        if (name && (w->zones[i] = tzdb_get(w->db, name, message, sizeof message)) == NULL)
            fail_msg("%s", message);
    }
}

static void world_free(struct world *w)
{
    free(w->zones);
    tzdb_free(w->db);
    site_free(w->site);
}

static void load_demo(struct world *w)
{
    char path[4096];
    struct wire_error err;
    source_path("data/demo-campus.json", path, sizeof path);
    w->site = site_new();
    assert_non_null(w->site);
    if (site_file_load(w->site, path, &err) != 0)
        fail_msg("%s", err.message);
    load_zones(w);
}

static struct sim *new_sim(const struct world *w, uint64_t seed, enum sim_scenario scenario,
                           int64_t start_ms)
{
    struct sim_config config;
    sim_config_defaults(&config);
    config.seed = seed;
    config.scenario = scenario;
    struct sim *sim = sim_new(w->site, w->zones, &config, start_ms);
    assert_non_null(sim);
    return sim;
}

/* Runs from `from` to `until` in one call and records the events. */
static void run_recorded(struct sim *sim, int64_t from, int64_t until, struct recording *out)
{
    sim_begin(sim, from);
    uint64_t returned = sim_run_until(sim, until, record, out);
    assert_int_equal(returned, out->count);
}

/* The local hour and weekday (Monday 0) of a UTC time in a zone. */
static void local_time(const struct tz_zone *zone, int64_t ms, int *weekday, int *minute_of_day)
{
    int64_t local = ms / 1000 + tz_offset_at(zone, ms / 1000);
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    *weekday = (int)(((day + 3) % 7 + 7) % 7);
    *minute_of_day = (int)((local - day * 86400) / 60);
}

/* --- a small site built in code ------------------------------------------------------- */

static void add_space(struct site *site, const char *id, enum space_type type,
                      const char *parent, const char *function, int64_t capacity)
{
    struct space s;
    space_init(&s);
    s.id = strdup(id);
    s.name = strdup(id);
    s.type = type;
    s.parent_id = parent ? strdup(parent) : NULL;
    s.function = function ? strdup(function) : NULL;
    s.time_zone = strdup("Europe/London");
    s.capacity = optional_int_of(capacity);
    assert_int_equal(site_take_space(site, &s), 0);
}

static void add_doorway(struct site *site, const char *id, const char *serial)
{
    struct doorway d;
    doorway_init(&d);
    d.id = strdup(id);
    d.name = strdup(id);
    d.sensor_serial = serial ? strdup(serial) : NULL;
    assert_int_equal(site_take_doorway(site, &d), 0);
    site->has_doorway_list = true;
}

static void add_sensor(struct site *site, const char *serial, const char *doorway_id,
                       enum sensor_status status, const char *heartbeat)
{
    struct sensor s;
    sensor_init(&s);
    s.serial = strdup(serial);
    s.doorway_id = doorway_id ? strdup(doorway_id) : NULL;
    s.status = status;
    if (heartbeat) {
        s.last_heartbeat_present = true;
        s.last_heartbeat_ms = ms_at(heartbeat);
    }
    assert_int_equal(site_take_sensor(site, &s), 0);
    site->has_sensor_list = true;
}

/* London: a building with one entrance, an office, a cafe with a safe limit
 * of 30; a door without a sensor and a door whose sensor is offline (both on
 * the office: they must stay silent); a spare sensor on no doorway. */
static void load_small(struct world *w)
{
    struct site *site = w->site = site_new();
    assert_non_null(site);
    add_space(site, "spc_b", SPACE_TYPE_BUILDING, NULL, NULL, 200);
    add_space(site, "spc_office", SPACE_TYPE_SPACE, "spc_b", "office", 100);
    add_space(site, "spc_cafe", SPACE_TYPE_SPACE, "spc_b", "cafe", 80);
    site->spaces[2].safe_mode = SAFE_MODE_SAFE_CAPACITY;
    site->spaces[2].safe_capacity = optional_int_of(30);
    add_doorway(site, "drw_b", "S_B");
    add_doorway(site, "drw_office", "S_O");
    add_doorway(site, "drw_cafe", "S_C");
    add_doorway(site, "drw_nosensor", NULL);
    add_doorway(site, "drw_off", "S_OFF");
    add_sensor(site, "S_B", "drw_b", SENSOR_STATUS_ONLINE, NULL);
    add_sensor(site, "S_O", "drw_office", SENSOR_STATUS_ONLINE, NULL);
    add_sensor(site, "S_C", "drw_cafe", SENSOR_STATUS_ONLINE, NULL);
    add_sensor(site, "S_OFF", "drw_off", SENSOR_STATUS_OFFLINE, "2025-06-01T08:00:00Z");
    add_sensor(site, "S_LOOSE", NULL, SENSOR_STATUS_ONLINE, NULL);
    site_add_link(site, "lnk_1", "spc_b", "drw_b", 1, NULL, NULL);
    site_add_link(site, "lnk_2", "spc_office", "drw_office", 1, NULL, NULL);
    site_add_link(site, "lnk_3", "spc_cafe", "drw_cafe", 1, NULL, NULL);
    site_add_link(site, "lnk_4", "spc_office", "drw_nosensor", 1, NULL, NULL);
    site_add_link(site, "lnk_5", "spc_office", "drw_off", 1, NULL, NULL);
    assert_int_equal(site_link(site), 0);
    load_zones(w);
}

/* Monday 2025-06-09 00:00 in London (BST). */
#define LONDON_MONDAY "2025-06-08T23:00:00Z"

/* --- scenario names and config ---------------------------------------------------------- */

static void test_scenario_names(void **state)
{
    (void)state;
    const char *names[] = { "normal", "lunch-rush", "evacuation", "sensor-offline" };
    const enum sim_scenario values[] = { SIM_NORMAL, SIM_LUNCH_RUSH, SIM_EVACUATION,
                                         SIM_SENSOR_OFFLINE };
    for (size_t i = 0; i < 4; i++) {
        enum sim_scenario parsed = SIM_NORMAL;
        assert_true(sim_scenario_parse(names[i], &parsed));
        assert_int_equal(parsed, values[i]);
        assert_string_equal(sim_scenario_name(values[i]), names[i]);
    }
    enum sim_scenario untouched = SIM_EVACUATION;
    assert_false(sim_scenario_parse("lunch_rush", &untouched));
    assert_false(sim_scenario_parse("", &untouched));
    assert_false(sim_scenario_parse(NULL, &untouched));
    assert_int_equal(untouched, SIM_EVACUATION);

    struct sim_config config;
    memset(&config, 0xff, sizeof config);
    sim_config_defaults(&config);
    assert_int_equal(config.scenario, SIM_NORMAL);
    assert_true(config.events_per_second == 0);
    assert_null(config.entrance_profile);
    assert_true(config.intensity == 1.0);
}

/* --- determinism --------------------------------------------------------------------------- */

static void test_same_seed_same_events_in_any_chunks(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    int64_t start = ms_at("2025-06-11T12:00:00Z"), from = start - DAY;

    struct recording whole = { 0 }, minutes = { 0 }, odd = { 0 };
    struct sim *a = new_sim(&w, 42, SIM_NORMAL, start);
    run_recorded(a, from, start, &whole);

    struct sim *b = new_sim(&w, 42, SIM_NORMAL, start);
    sim_begin(b, from);
    uint64_t returned = 0;
    for (int m = 1; m <= 1440; m++)
        returned += sim_run_until(b, from + m * MINUTE, record, &minutes);
    assert_int_equal(returned, minutes.count);

    /* Uneven chunks, a repeated and a backwards call in the middle. */
    struct sim *c = new_sim(&w, 42, SIM_NORMAL, start);
    sim_begin(c, from);
    for (int64_t t = from + 433457; t < start; t += 433457) {
        sim_run_until(c, t, record, &odd);
        assert_int_equal(sim_run_until(c, t, record, &odd), 0);
        assert_int_equal(sim_run_until(c, t - MINUTE, record, &odd), 0);
    }
    sim_run_until(c, start, record, &odd);

    assert_true(whole.count > 10000); /* a weekday of the demo campus */
    assert_true(same_recording(&whole, &minutes));
    assert_true(same_recording(&whole, &odd));

    sim_free(a);
    sim_free(b);
    sim_free(c);
    free(whole.events);
    free(minutes.events);
    free(odd.events);
    world_free(&w);
}

static void test_different_seed_different_events(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    int64_t start = ms_at("2025-06-11T18:00:00Z");
    struct recording one = { 0 }, two = { 0 };
    struct sim *a = new_sim(&w, 1, SIM_NORMAL, start);
    struct sim *b = new_sim(&w, 2, SIM_NORMAL, start);
    run_recorded(a, start - HOUR, start, &one);
    run_recorded(b, start - HOUR, start, &two);
    assert_true(one.count > 100 && two.count > 100);
    assert_false(same_recording(&one, &two));
    /* Not merely shifted: the first events already differ. */
    assert_false(same_event(&one.events[0], &two.events[0]) &&
                 same_event(&one.events[1], &two.events[1]));
    sim_free(a);
    sim_free(b);
    free(one.events);
    free(two.events);
    world_free(&w);
}

/* Every event: in time order inside the interval asked for, trajectory +-1,
 * from a doorway with a serial and a sensor that is not offline, with the
 * doorway's sensor index; never the same sensor, millisecond and trajectory
 * twice (the engine would count it once). */
static void test_events_in_order_and_well_formed(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    int64_t start = ms_at("2025-06-11T12:00:00Z"), from = start - DAY;
    struct recording r = { 0 };
    struct sim *sim = new_sim(&w, 9, SIM_NORMAL, start);
    run_recorded(sim, from, start, &r);
    assert_true(r.count > 10000);

    const struct site *site = w.site;
    bool *seen_doorway = calloc(site->doorway_count, sizeof *seen_doorway);
    assert_non_null(seen_doorway);
    int64_t previous = from;
    for (size_t i = 0; i < r.count; i++) {
        const struct sim_event *e = &r.events[i];
        assert_true(e->timestamp_ms > from && e->timestamp_ms <= start);
        assert_true(e->timestamp_ms >= previous);
        previous = e->timestamp_ms;
        assert_true(e->trajectory == 1 || e->trajectory == -1);
        assert_true(e->doorway >= 0 && (size_t)e->doorway < site->doorway_count);
        const struct doorway *d = &site->doorways[e->doorway];
        assert_non_null(d->sensor_serial);
        assert_ptr_equal(e->serial, d->sensor_serial);
        assert_int_equal(e->sensor, d->sensor);
        assert_true(d->link_count > 0);
        if (e->sensor != SITE_NONE)
            assert_int_not_equal(site->sensors[e->sensor].status, SENSOR_STATUS_OFFLINE);
        seen_doorway[e->doorway] = true;
        for (size_t j = i + 1; j < r.count && r.events[j].timestamp_ms == e->timestamp_ms; j++)
            assert_false(r.events[j].doorway == e->doorway &&
                         r.events[j].trajectory == e->trajectory);
    }
    /* The main entrance of Harbor took part, and most doorways did. */
    assert_true(seen_doorway[doorway_with_id(site, "drw_594220147409961797")]);
    size_t doorways_seen = 0;
    for (size_t d = 0; d < site->doorway_count; d++)
        doorways_seen += seen_doorway[d];
    assert_true(doorways_seen >= 60); /* of 84, 5 with offline sensors */

    free(seen_doorway);
    sim_free(sim);
    free(r.events);
    world_free(&w);
}

/* --- the shape of a week ---------------------------------------------------------------------- */

struct week_counts {
    /* Entrances per weekday and local half hour, per doorway of the small site. */
    unsigned entries[5][7][48];
    unsigned events_per_doorway[5];
    unsigned total;
};

static void count_week(const struct world *w, const struct recording *r, struct week_counts *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->count; i++) {
        const struct sim_event *e = &r->events[i];
        int weekday, minute;
        local_time(w->zones[0], e->timestamp_ms, &weekday, &minute);
        assert_true(e->doorway >= 0 && e->doorway < 5);
        out->events_per_doorway[e->doorway]++;
        out->total++;
        if (e->trajectory == 1) /* every placement is +1: an entrance */
            out->entries[e->doorway][weekday][minute / 30]++;
    }
}

static unsigned entries_between(const struct week_counts *c, int doorway, int first_day,
                                int last_day, int from_slot, int to_slot)
{
    unsigned n = 0;
    for (int d = first_day; d <= last_day; d++)
        for (int s = from_slot; s < to_slot; s++)
            n += c->entries[doorway][d][s];
    return n;
}

static void run_small_week(struct world *w, const struct sim_config *config,
                           struct week_counts *counts)
{
    int64_t monday = ms_at(LONDON_MONDAY);
    struct sim *sim = sim_new(w->site, w->zones, config, monday);
    assert_non_null(sim);
    struct recording r = { 0 };
    run_recorded(sim, monday, monday + 7 * DAY, &r);
    count_week(w, &r, counts);
    sim_free(sim);
    free(r.events);
}

enum { DOOR_B = 0, DOOR_OFFICE = 1, DOOR_CAFE = 2, DOOR_NOSENSOR = 3, DOOR_OFF = 4 };

static void test_office_and_cafe_shapes(void **state)
{
    (void)state;
    struct world w;
    load_small(&w);
    assert_int_equal(site_find_doorway(w.site, "drw_office"), DOOR_OFFICE);
    struct sim_config config;
    sim_config_defaults(&config);
    config.seed = 5;
    struct week_counts c;
    run_small_week(&w, &config, &c);

    /* Silent doorways. */
    assert_int_equal(c.events_per_doorway[DOOR_NOSENSOR], 0);
    assert_int_equal(c.events_per_doorway[DOOR_OFF], 0);

    /* Office: the morning arrival, quiet nights. */
    unsigned morning = entries_between(&c, DOOR_OFFICE, 0, 4, 16, 20); /* 08:00-10:00 */
    unsigned night = entries_between(&c, DOOR_OFFICE, 0, 4, 4, 8);    /* 02:00-04:00 */
    assert_true(morning > 100);
    assert_true(morning > 10 * night);

    /* Weekends are quiet: per day, under a quarter of a weekday. */
    unsigned weekdays = entries_between(&c, DOOR_OFFICE, 0, 4, 0, 48);
    unsigned weekend = entries_between(&c, DOOR_OFFICE, 5, 6, 0, 48);
    assert_true(weekend / 2.0 < 0.25 * (weekdays / 5.0));
    unsigned cafe_weekdays = entries_between(&c, DOOR_CAFE, 0, 4, 0, 48);
    unsigned cafe_weekend = entries_between(&c, DOOR_CAFE, 5, 6, 0, 48);
    assert_true(cafe_weekend / 2.0 < 0.25 * (cafe_weekdays / 5.0));

    /* Cafe: lunch (11:30-13:30) well above the breakfast bump and the
     * afternoon coffee (two hours each). */
    unsigned lunch = entries_between(&c, DOOR_CAFE, 0, 4, 23, 27);
    unsigned breakfast = entries_between(&c, DOOR_CAFE, 0, 4, 16, 20);
    unsigned afternoon = entries_between(&c, DOOR_CAFE, 0, 4, 29, 33);
    assert_true(lunch > 150);
    assert_true(lunch > 2.5 * breakfast);
    assert_true(lunch > 2.5 * afternoon);
    assert_true(breakfast > 2 * entries_between(&c, DOOR_CAFE, 0, 4, 4, 8));

    /* The building fills in the morning and empties in the evening:
     * entrances (+1) in the morning, exits (-1) after 17:00. */
    unsigned b_morning = entries_between(&c, DOOR_B, 0, 4, 14, 20);
    unsigned b_evening = entries_between(&c, DOOR_B, 0, 4, 36, 42);
    assert_true(b_morning > 5 * b_evening);
    world_free(&w);
}

static void test_intensity_scales_traffic(void **state)
{
    (void)state;
    struct world w;
    load_small(&w);
    struct sim_config config;
    sim_config_defaults(&config);
    struct week_counts normal, busy;
    run_small_week(&w, &config, &normal);
    config.intensity = 2.0;
    run_small_week(&w, &config, &busy);
    assert_true(busy.total > 1.6 * normal.total);
    assert_true(busy.total < 2.4 * normal.total);
    world_free(&w);
}

/* The CalIt2 profile drives the building entrance: its Friday is ~20 times
 * its Saturday, unlike the built-in building shape (weekend 8%). */
static void test_entrance_profile_from_calit2(void **state)
{
    (void)state;
    size_t data_len, events_len;
    char *data = read_source_file("data/calit2/CalIt2.data", &data_len);
    char *events = read_source_file("data/calit2/CalIt2.events", &events_len);
    struct sim_profile calit2;
    char error[256];
    assert_int_equal(
        sim_profile_from_calit2(data, data_len, events, events_len, &calit2, error, sizeof error),
        0);

    struct world w;
    load_small(&w);
    struct sim_config config;
    sim_config_defaults(&config);
    struct week_counts builtin, real;
    run_small_week(&w, &config, &builtin);
    config.entrance_profile = &calit2;
    run_small_week(&w, &config, &real);

    /* CalIt2: Friday in 263.5 a day, Saturday 12.9 (ratio 20). */
    unsigned friday = entries_between(&real, DOOR_B, 4, 4, 0, 48);
    unsigned saturday = entries_between(&real, DOOR_B, 5, 5, 0, 48);
    assert_true(friday > 100);
    assert_true(friday > 8 * saturday);
    /* It changes the building only (the office differs by chance alone, as
     * the random stream is shared), and arrivals keep on through the
     * afternoon (CalIt2 13:00-16:00 is as busy as its 09:00-12:00). */
    double office_ratio = (double)real.events_per_doorway[DOOR_OFFICE] /
                          (double)builtin.events_per_doorway[DOOR_OFFICE];
    assert_true(office_ratio > 0.9 && office_ratio < 1.1);
    unsigned real_afternoon = entries_between(&real, DOOR_B, 0, 4, 26, 32);
    unsigned real_morning = entries_between(&real, DOOR_B, 0, 4, 18, 24);
    unsigned builtin_afternoon = entries_between(&builtin, DOOR_B, 0, 4, 26, 32);
    unsigned builtin_morning = entries_between(&builtin, DOOR_B, 0, 4, 18, 24);
    assert_true(real_afternoon > 0.6 * real_morning);
    assert_true(builtin_afternoon < 0.6 * builtin_morning);

    world_free(&w);
    free(data);
    free(events);
}

/* --- scenarios through the counting engine ---------------------------------------------------- */

struct counted {
    struct engine *engine;
    struct recording *recording; /* may be NULL */
    site_index unsafe_space;
    int64_t unsafe_at;
    const struct site *site;
};

static void count_event(void *context, const struct sim_event *event)
{
    struct counted *c = context;
    int32_t sensor = engine_sensor_index(c->engine, event->serial);
    assert_true(sensor >= 0);
    assert_int_equal(engine_apply(c->engine, sensor, event->timestamp_ms, event->trajectory),
                     ENGINE_APPLIED);
    if (c->recording)
        record(c->recording, event);
}

static void note_unsafe(void *context, site_index space, enum safe_state from,
                        enum safe_state to, int64_t at)
{
    struct counted *c = context;
    (void)from;
    const char *function = c->site->spaces[space].function;
    if (to == SAFE_STATE_UNSAFE && c->unsafe_space == SITE_NONE && function &&
        (strcmp(function, "cafe") == 0 || strcmp(function, "dining_area") == 0)) {
        c->unsafe_space = space;
        c->unsafe_at = at;
    }
}

static struct engine *new_engine(const struct world *w, int64_t at, struct counted *counted)
{
    struct engine_config config;
    engine_config_defaults(&config);
    struct engine *engine = engine_new(w->site, w->zones, &config, at);
    assert_non_null(engine);
    counted->engine = engine;
    counted->site = w->site;
    counted->unsafe_space = SITE_NONE;
    struct engine_sink sink = { .context = counted, .safe_change = note_unsafe };
    engine_set_sink(engine, &sink);
    return engine;
}

/* A café goes over its safe limit within 40 minutes in a lunch rush, and not
 * in a normal run of the same morning (07:00 in San Francisco, 10:00 in New
 * York, 15:00 in London: no cafe is at lunch). */
static void run_morning(const struct world *w, enum sim_scenario scenario, struct counted *c)
{
    int64_t start = ms_at("2025-06-11T14:00:00Z");
    int64_t from = start - 6 * HOUR;
    struct engine *engine = new_engine(w, from, c);
    struct sim *sim = new_sim(w, 3, scenario, start);
    sim_begin(sim, from);
    sim_run_until(sim, start, count_event, c);
    engine_advance(engine, start);
    c->unsafe_space = SITE_NONE; /* only what happens from the start on */
    sim_run_until(sim, start + 40 * MINUTE, count_event, c);
    engine_advance(engine, start + 40 * MINUTE);
    sim_free(sim);
}

static void test_lunch_rush_makes_a_cafe_unsafe(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    int64_t start = ms_at("2025-06-11T14:00:00Z");

    struct counted normal = { 0 };
    run_morning(&w, SIM_NORMAL, &normal);
    assert_int_equal(normal.unsafe_space, SITE_NONE);
    engine_free(normal.engine);

    struct counted rush = { 0 };
    run_morning(&w, SIM_LUNCH_RUSH, &rush);
    assert_int_not_equal(rush.unsafe_space, SITE_NONE);
    assert_true(rush.unsafe_at > start && rush.unsafe_at <= start + 40 * MINUTE);
    /* All three cafes with a limit are over it at the end of the rush. */
    const char *cafes[] = { "Aurora Café", "Café Lumière", "Café Zoë" };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(engine_safe_state(rush.engine, space_named(w.site, cafes[i])),
                         SAFE_STATE_UNSAFE);
    engine_free(rush.engine);
    world_free(&w);
}

/* Whether any doorway linked to the space has a sensor that can report. */
static bool space_can_move(const struct site *site, site_index space)
{
    const struct space *s = &site->spaces[space];
    for (size_t l = 0; l < s->link_count; l++) {
        const struct link *link = &site->links[s->links[l]];
        if (link->doorway == SITE_NONE)
            continue;
        const struct doorway *d = &site->doorways[link->doorway];
        if (d->sensor_serial &&
            (d->sensor == SITE_NONE || site->sensors[d->sensor].status != SENSOR_STATUS_OFFLINE))
            return true;
    }
    return false;
}

static void test_evacuation_empties_every_space(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    const struct site *site = w.site;
    int64_t start = ms_at("2025-06-11T18:00:00Z"); /* 11:00, 14:00 and 19:00 local */
    int64_t trigger = start + 2 * MINUTE;
    int64_t from = start - 8 * HOUR;
    struct counted c = { 0 };
    struct recording after = { 0 };
    struct engine *engine = new_engine(&w, from, &c);
    struct sim *sim = new_sim(&w, 11, SIM_EVACUATION, start);
    sim_begin(sim, from);
    sim_run_until(sim, trigger, count_event, &c);
    /* A busy weekday: 11:00 in San Francisco, 14:00 in New York. */
    site_index harbor = space_named(site, "Harbor Building");
    site_index hudson = space_named(site, "Hudson Building");
    assert_true(engine_count(engine, harbor) > 150);
    assert_true(engine_count(engine, hudson) > 100);

    sim_run_until(sim, trigger + 10 * MINUTE, count_event, &c);
    engine_advance(engine, trigger + 10 * MINUTE);
    size_t frozen = 0;
    for (size_t s = 0; s < site->space_count; s++) {
        const struct space *space = &site->spaces[s];
        if (space->counting_mode == COUNTING_DOORWAYS && !space_can_move(site, (site_index)s)) {
            /* Its only doorways have offline sensors: nothing can change it. */
            assert_int_equal(engine_count(engine, (site_index)s), space->current_count);
            frozen++;
            continue;
        }
        if (engine_count(engine, (site_index)s) != 0)
            fail_msg("%s still counts %lld ten minutes after the alarm", space->name,
                     (long long)engine_count(engine, (site_index)s));
    }
    assert_int_equal(frozen, 2); /* Phone Booth 2B and the Hardware Cage */

    /* Empty for the rest of the hour: no crossings at all. */
    c.recording = &after;
    sim_run_until(sim, trigger + 64 * MINUTE, count_event, &c);
    assert_int_equal(after.count, 0);
    /* Then the profiles resume: people come back within the next hour. */
    sim_run_until(sim, trigger + 125 * MINUTE, count_event, &c);
    assert_true(after.count > 50);
    assert_true(engine_count(engine, harbor) > 10);

    free(after.events);
    sim_free(sim);
    engine_free(engine);
    world_free(&w);
}

/* 3000 people leave a hall through one door in a few minutes: many in the
 * same millisecond.  The engine counts a repeated (sensor, millisecond,
 * trajectory) once, so the simulator must never send one: every exit counts
 * and the hall reaches 0. */
static void test_crowded_evacuation_loses_no_exit(void **state)
{
    (void)state;
    struct world w;
    load_small(&w);
    site_index hall = 0;
    w.site->spaces[hall].capacity = optional_int_of(5000);
    w.site->spaces[hall].current_count = 3000;
    int64_t start = ms_at("2025-06-11T10:00:00Z");
    struct counted c = { 0 };
    struct recording r = { 0 };
    c.recording = &r;
    struct engine *engine = new_engine(&w, start, &c);
    struct sim *sim = new_sim(&w, 4, SIM_EVACUATION, start);
    sim_run_until(sim, start + 12 * MINUTE, count_event, &c);
    assert_int_equal(engine_count(engine, hall), 0);
    assert_int_equal(engine_stats(engine)->duplicates, 0);

    size_t exits = 0, same_millisecond = 0;
    for (size_t i = 0; i < r.count; i++) {
        if (r.events[i].doorway != DOOR_B)
            continue;
        exits += r.events[i].trajectory == -1;
        for (size_t j = i + 1; j < r.count && r.events[j].timestamp_ms == r.events[i].timestamp_ms;
             j++)
            if (r.events[j].doorway == DOOR_B) {
                same_millisecond++;
                assert_int_not_equal(r.events[j].trajectory, r.events[i].trajectory);
            }
    }
    assert_true(exits >= 3000);
    assert_int_equal(same_millisecond, 0);
    free(r.events);
    sim_free(sim);
    engine_free(engine);
    world_free(&w);
}

static void test_sensor_offline_and_back(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    const struct site *site = w.site;
    int64_t start = ms_at("2025-06-11T18:00:00Z") + 12345; /* not on a minute */
    struct sim *sim = new_sim(&w, 21, SIM_SENSOR_OFFLINE, start);

    /* Exactly one sensor that the site has online is down during the outage. */
    site_index down = SITE_NONE;
    size_t down_count = 0;
    for (size_t s = 0; s < site->sensor_count; s++) {
        if (site->sensors[s].status == SENSOR_STATUS_OFFLINE)
            continue;
        if (!sim_sensor_online(sim, (site_index)s, start + 5 * MINUTE, NULL)) {
            down = (site_index)s;
            down_count++;
        }
    }
    assert_int_equal(down_count, 1);

    /* Heartbeats: every whole minute while online; the last one before the
     * outage while down; back after 10 minutes. */
    int64_t beat = 0;
    int64_t outage = start + MINUTE;
    assert_true(sim_sensor_online(sim, down, outage - 1, &beat));
    assert_int_equal(beat, (outage - 1) / MINUTE * MINUTE);
    assert_false(sim_sensor_online(sim, down, outage, &beat));
    assert_int_equal(beat, (outage - 1) / MINUTE * MINUTE);
    assert_false(sim_sensor_online(sim, down, outage + 10 * MINUTE - 1, &beat));
    assert_int_equal(beat, (outage - 1) / MINUTE * MINUTE);
    assert_true(sim_sensor_online(sim, down, outage + 10 * MINUTE, &beat));
    assert_int_equal(beat, (outage + 10 * MINUTE) / MINUTE * MINUTE);

    /* A sensor offline in the site file stays offline with its heartbeat. */
    for (size_t s = 0; s < site->sensor_count; s++) {
        const struct sensor *sensor = &site->sensors[s];
        if (sensor->status != SENSOR_STATUS_OFFLINE)
            continue;
        assert_false(sim_sensor_online(sim, (site_index)s, start, &beat));
        assert_int_equal(beat, sensor->last_heartbeat_present ? sensor->last_heartbeat_ms
                                                              : INT64_MIN);
    }
    assert_false(sim_sensor_online(sim, (site_index)site->sensor_count, start, &beat));
    assert_int_equal(beat, INT64_MIN);

    /* Events: some before, none during, some after. */
    struct recording r = { 0 };
    run_recorded(sim, start - 2 * HOUR, start + 2 * HOUR, &r);
    size_t before = 0, during = 0, later = 0;
    for (size_t i = 0; i < r.count; i++) {
        if (r.events[i].sensor != down)
            continue;
        int64_t t = r.events[i].timestamp_ms;
        if (t < outage)
            before++;
        else if (t < outage + 10 * MINUTE)
            during++;
        else
            later++;
    }
    assert_true(before > 0);
    assert_int_equal(during, 0);
    assert_true(later > 0);
    free(r.events);
    sim_free(sim);

    /* Without the scenario every sensor the site has online stays online. */
    struct sim *normal = new_sim(&w, 21, SIM_NORMAL, start);
    for (size_t s = 0; s < site->sensor_count; s++)
        assert_int_equal(sim_sensor_online(normal, (site_index)s, start + 5 * MINUTE, NULL),
                         site->sensors[s].status != SENSOR_STATUS_OFFLINE);
    sim_free(normal);
    world_free(&w);
}

/* --- rate mode ---------------------------------------------------------------------------------- */

static void test_rate_mode(void **state)
{
    (void)state;
    struct world w;
    load_demo(&w);
    const struct site *site = w.site;
    int64_t start = ms_at("2025-06-14T03:00:00Z"); /* a Saturday night: profiles would be quiet */
    struct sim_config config;
    sim_config_defaults(&config);
    config.seed = 8;
    config.events_per_second = 5000;
    struct sim *sim = sim_new(site, w.zones, &config, start);
    assert_non_null(sim);
    struct recording r = { 0 };
    run_recorded(sim, start, start + MINUTE, &r);
    assert_in_range(r.count, 285000, 315000);

    int *last_trajectory = calloc(site->doorway_count, sizeof *last_trajectory);
    size_t *per_doorway = calloc(site->doorway_count, sizeof *per_doorway);
    assert_non_null(last_trajectory);
    assert_non_null(per_doorway);
    for (size_t i = 0; i < r.count; i++) {
        const struct sim_event *e = &r.events[i];
        assert_true(i == 0 || e->timestamp_ms >= r.events[i - 1].timestamp_ms);
        /* In and out alternate on each doorway. */
        assert_int_not_equal(e->trajectory, last_trajectory[e->doorway]);
        last_trajectory[e->doorway] = e->trajectory;
        per_doorway[e->doorway]++;
        for (size_t j = i + 1; j < r.count && r.events[j].timestamp_ms == e->timestamp_ms; j++)
            assert_false(r.events[j].doorway == e->doorway &&
                         r.events[j].trajectory == e->trajectory);
    }
    /* Uniform over the 79 doorways whose sensor works. */
    size_t used = 0;
    for (size_t d = 0; d < site->doorway_count; d++) {
        const struct doorway *doorway = &site->doorways[d];
        bool works = doorway->sensor_serial && doorway->sensor != SITE_NONE &&
                     site->sensors[doorway->sensor].status != SENSOR_STATUS_OFFLINE;
        if (!works) {
            assert_int_equal(per_doorway[d], 0);
            continue;
        }
        used++;
        double share = (double)per_doorway[d] * 79.0 / (double)r.count;
        assert_true(share > 0.85 && share < 1.15);
    }
    assert_int_equal(used, 79);
    free(last_trajectory);
    free(per_doorway);
    free(r.events);
    sim_free(sim);
    world_free(&w);
}

/* --- built-in profiles ---------------------------------------------------------------------------- */

static void test_builtin_profiles(void **state)
{
    (void)state;
    const char *functions[] = { "office", "focus_quiet", "meeting_room", "conference_room",
                                "phone_booth", "collaboration", "cafe", "dining_area",
                                "kitchen", "break_room", "gym", "wellness_room", "reception",
                                "lobby", "building", "restroom", "lab", "library", "lounge",
                                "theater", "event_space", "amenities_space", "retail",
                                "place_of_worship", "no such function" };
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        const struct sim_profile *p = sim_profile_for_function(functions[i]);
        assert_non_null(p);
        assert_false(p->departures_are_counts);
        float peak_in = 0, peak_out = 0;
        for (int d = 0; d < SIM_PROFILE_DAYS; d++)
            for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
                assert_true(p->arrival[d][s] > 0 && p->arrival[d][s] <= 1);
                assert_true(p->departure[d][s] > 0 && p->departure[d][s] <= 1);
                peak_in = fmaxf(peak_in, p->arrival[d][s]);
                peak_out = fmaxf(peak_out, p->departure[d][s]);
            }
        assert_true(peak_in == 1.f && peak_out == 1.f);
        /* Nights near zero, weekends quiet. */
        float weekday = 0, sunday = 0;
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            weekday += p->arrival[2][s];
            sunday += p->arrival[6][s];
        }
        assert_true(p->arrival[2][6] < 0.02f); /* Wednesday 03:00 */
        assert_true(sunday < 0.5f * weekday);
    }
    assert_ptr_equal(sim_profile_for_function("OFFICE"), sim_profile_for_function("office"));
    assert_ptr_equal(sim_profile_for_function(NULL), sim_profile_for_function("garage"));
    assert_string_equal(sim_profile_for_function(NULL)->name, "generic");
    assert_string_equal(sim_profile_for_function("kitchen")->name, "cafe");
    assert_string_equal(sim_profile_for_function("phone_booth")->name, "meeting");

    /* The cafe's weekday peak is at lunch, the gym's before and after work. */
    const struct sim_profile *cafe = sim_profile_for_function("cafe");
    assert_true(cafe->arrival[1][24] == 1.f && cafe->arrival[1][25] == 1.f); /* 12:00, 12:30 */
    assert_true(cafe->arrival[1][17] < 0.5f && cafe->arrival[1][31] < 0.5f);
    const struct sim_profile *gym = sim_profile_for_function("gym");
    assert_true(gym->arrival[3][14] == 1.f && gym->arrival[3][35] == 1.f); /* 07:00, 17:30 */
    assert_true(gym->arrival[3][20] < 0.2f);
    const struct sim_profile *office = sim_profile_for_function("office");
    assert_true(office->departure[0][35] == 1.f && office->departure[0][18] < 0.05f);
}

/* --- the CalIt2 profile ------------------------------------------------------------------------------ */

static double mean_in(const struct sim_profile *p, int weekday, int slot)
{
    return p->arrival[weekday][slot] * p->arrival_scale;
}

static double mean_out(const struct sim_profile *p, int weekday, int slot)
{
    return p->departure[weekday][slot] * p->departure_scale;
}

static void test_calit2_real_data(void **state)
{
    (void)state;
    size_t data_len, events_len;
    char *data = read_source_file("data/calit2/CalIt2.data", &data_len);
    char *events = read_source_file("data/calit2/CalIt2.events", &events_len);
    struct sim_profile *p = malloc(sizeof *p);
    assert_non_null(p);
    char error[256] = "unchanged";
    assert_int_equal(sim_profile_from_calit2(data, data_len, events, events_len, p, error,
                                             sizeof error),
                     0);
    assert_string_equal(error, "");
    assert_string_equal(p->name, "calit2");
    assert_true(p->departures_are_counts);

    /* Numbers from python3 (see the top of this file). */
    assert_float_equal(p->weeks, 15.0, 1e-9);
    assert_float_equal(p->arrival_scale, 22.2, 1e-9);
    assert_float_equal(p->departure_scale, 19.4, 1e-9);
    assert_true(p->arrival[4][27] == 1.f);   /* Friday 13:30-14:00 */
    assert_true(p->departure[3][23] == 1.f); /* Thursday 11:30-12:00 */
    assert_float_equal(mean_in(p, 0, 16), 3.6, 1e-5);        /* Monday 08:00-08:30 */
    assert_float_equal(mean_out(p, 0, 16), 0.866667, 1e-5);
    assert_float_equal(mean_in(p, 2, 24), 11.2, 1e-5);       /* Wednesday 12:00 */
    assert_float_equal(mean_in(p, 6, 28), 0.266667, 1e-5);   /* Sunday 14:00 */
    double saturday_in = 0, tuesday_out = 0;
    for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
        saturday_in += mean_in(p, 5, s);
        tuesday_out += mean_out(p, 1, s);
    }
    assert_float_equal(saturday_in, 12.933333, 1e-4);
    assert_float_equal(tuesday_out, 261.2, 1e-3);

    assert_int_equal(p->surge_count, 30);
    assert_float_equal(p->surges_per_week, 2.0, 1e-9);
    const struct { size_t index; int weekday, start, end; double factor; } expected[] = {
        { 0, 1, 22, 28, 77 / 90.8 },            /* 07/26/05 11:00-14:00, a Tuesday */
        { 11, 3, 36, 41, 2.3949579831932772 },  /* 08/18/05 18:00-20:30 */
        { 27, 6, 42, 45, 6.25 },                /* 10/23/05 21:00-22:30, a Sunday */
        { 29, 0, 32, 42, 4.502407704654895 },   /* 10/24/05 16:00-21:00 */
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct sim_surge *s = &p->surges[expected[i].index];
        assert_int_equal(s->weekday, expected[i].weekday);
        assert_int_equal(s->start_slot, expected[i].start);
        assert_int_equal(s->end_slot, expected[i].end);
        assert_float_equal(s->factor, expected[i].factor, 1e-9);
    }

    /* Without events: the same means, no surges. */
    struct sim_profile *bare = malloc(sizeof *bare);
    assert_non_null(bare);
    assert_int_equal(sim_profile_from_calit2(data, data_len, NULL, 0, bare, error, sizeof error), 0);
    assert_int_equal(bare->surge_count, 0);
    assert_true(bare->surges_per_week == 0);
    assert_memory_equal(bare->arrival, p->arrival, sizeof p->arrival);
    free(bare);
    free(p);
    free(data);
    free(events);
}

/* The count of a row is for the half hour BEFORE its time. */
static void test_calit2_previous_half_hour(void **state)
{
    (void)state;
    /* 07/25/05 is a Monday. */
    const char data[] = "9,07/25/05,00:00:00,5\n"  /* Sunday 23:30-24:00 */
                        "7,07/25/05,00:00:00,1\n"
                        "9,07/25/05,08:30:00,10\n" /* Monday 08:00-08:30 */
                        "9,08/01/05,08:30:00,20\n" /* the next Monday */
                        "7,07/25/05,08:30:00,4";   /* no final newline */
    struct sim_profile p;
    char error[256];
    assert_int_equal(sim_profile_from_calit2(data, strlen(data), NULL, 0, &p, error, sizeof error),
                     0);
    assert_float_equal(p.arrival_scale, 15.0, 1e-9); /* Monday 08:00: (10 + 20) / 2 */
    assert_float_equal(mean_in(&p, 0, 16), 15.0, 1e-6);
    assert_float_equal(mean_in(&p, 6, 47), 5.0, 1e-6);
    assert_float_equal(mean_in(&p, 0, 17), 0.0, 1e-9);
    assert_float_equal(mean_in(&p, 0, 0), 0.0, 1e-9);
    assert_float_equal(p.departure_scale, 4.0, 1e-9);
    assert_float_equal(mean_out(&p, 6, 47), 1.0, 1e-6);
}

static void test_calit2_stray_carriage_returns(void **state)
{
    (void)state;
    const char data[] = "9,07/25/05,08:30:00,4\r\n"
                        "7,07/25/05,08:30:00,2\r\r\n"
                        "\r\n"
                        "9 ,07/26/05\r,08:30:00,6\r\n"
                        "\r";
    const char events[] = "07/25/05,08:00:00,08:30:00,10; event\r\n\r\n";
    struct sim_profile p;
    char error[256];
    if (sim_profile_from_calit2(data, strlen(data), events, strlen(events), &p, error,
                                sizeof error) != 0)
        fail_msg("%s", error);
    assert_float_equal(mean_in(&p, 0, 16), 4.0, 1e-6);
    assert_float_equal(mean_in(&p, 1, 16), 6.0, 1e-6);
    assert_float_equal(mean_out(&p, 0, 16), 2.0, 1e-6);
    assert_int_equal(p.surge_count, 1);
    assert_float_equal(p.surges[0].factor, 1.0, 1e-9); /* the only Monday: its own mean */
}

static void expect_error(const char *data, const char *events, const char *fragment,
                         const char *fragment2)
{
    struct sim_profile p;
    char error[256] = "";
    int status = sim_profile_from_calit2(data, strlen(data), events,
                                         events ? strlen(events) : 0, &p, error, sizeof error);
    if (status != -1)
        fail_msg("accepted bad input, expected \"%s\"", fragment);
    if (strstr(error, fragment) == NULL || strstr(error, fragment2) == NULL)
        fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", error, fragment, fragment2);
    assert_null(strchr(error, '\n'));
}

static void test_calit2_errors_name_the_line(void **state)
{
    (void)state;
    const char *good = "9,07/25/05,08:30:00,4\n7,07/25/05,08:30:00,2\n";
    expect_error("9,07/25/05,08:30:00,4\n\n9,07/25/05,09:00:00,x\n", NULL, "CalIt2.data line 3",
                 "count");
    expect_error("8,07/25/05,08:30:00,4\n", NULL, "line 1", "flow");
    expect_error("9,07/25/05,08:15:00,4\n", NULL, "line 1", "half hour");
    expect_error("9,07/25/05,25:00:00,4\n", NULL, "line 1", "time");
    expect_error("9,02/30/05,08:30:00,4\n", NULL, "line 1", "date");
    expect_error("9,07/25/05,08:30:00\n", NULL, "line 1", "4 fields");
    expect_error("9,07/25/05,08:30:00,4,1\n", NULL, "line 1", "4 fields");
    expect_error("9,07/25/05,08:30:00,-4\n", NULL, "line 1", "count");
    expect_error("9,07/25/05,08:30:00,4\r\n9,07/25/05,08:30:00,5\r\n", NULL, "line 2", "second");
    expect_error("", NULL, "CalIt2.data", "no rows");
    expect_error("\r\n\n", NULL, "CalIt2.data", "no rows");
    expect_error(good, "07/25/05,08:00:00,08:30:00,a\n07/25/05,9:00:00,10:00:00,b\n",
                 "CalIt2.events line 2", "begin");
    expect_error(good, "07/25/05,10:00:00,08:30:00,a\n", "CalIt2.events line 1", "ends before");
    expect_error(good, "07/25/05,08:00:00\n", "CalIt2.events line 1", "MM/DD/YY");
    expect_error(good, "12/25/05,08:00:00,09:00:00,late\n", "CalIt2.events line 1",
                 "no counts");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_names),
        cmocka_unit_test(test_same_seed_same_events_in_any_chunks),
        cmocka_unit_test(test_different_seed_different_events),
        cmocka_unit_test(test_events_in_order_and_well_formed),
        cmocka_unit_test(test_office_and_cafe_shapes),
        cmocka_unit_test(test_intensity_scales_traffic),
        cmocka_unit_test(test_entrance_profile_from_calit2),
        cmocka_unit_test(test_lunch_rush_makes_a_cafe_unsafe),
        cmocka_unit_test(test_evacuation_empties_every_space),
        cmocka_unit_test(test_crowded_evacuation_loses_no_exit),
        cmocka_unit_test(test_sensor_offline_and_back),
        cmocka_unit_test(test_rate_mode),
        cmocka_unit_test(test_builtin_profiles),
        cmocka_unit_test(test_calit2_real_data),
        cmocka_unit_test(test_calit2_previous_half_hour),
        cmocka_unit_test(test_calit2_stray_carriage_returns),
        cmocka_unit_test(test_calit2_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
