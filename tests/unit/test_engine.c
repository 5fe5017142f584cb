/* test_engine.c — the counting rules, each on a hand-worked example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "fixture.h"
#include "wire/tzdb.h"

/* --- a small site built in code ------------------------------------------------- */

static struct space *space_named(struct site *site, const char *id)
{
    for (size_t i = 0; i < site->space_count; i++)
        if (strcmp(site->spaces[i].id, id) == 0)
            return &site->spaces[i];
    fail_msg("no space %s", id);
    return NULL;
}

static int64_t at(const char *iso)
{
    return fixture_ms(iso);
}

/* Office (floor) with a meeting room inside it: the front door counts the
 * office (sensor inside, +1); the meeting-room door is interior: +1 for the
 * room, -1 for the office. */
static struct site *office_site(void)
{
    struct site *site = site_new();
    fixture_add_space(site, "spc_b", "spc_b", SPACE_TYPE_BUILDING, NULL);
    fixture_add_space(site, "spc_office", "spc_office", SPACE_TYPE_FLOOR, "spc_b");
    fixture_add_space(site, "spc_room", "spc_room", SPACE_TYPE_SPACE, "spc_office");
    fixture_add_doorway(site, "drw_front", "S_FRONT");
    fixture_add_doorway(site, "drw_room", "S_ROOM");
    fixture_add_doorway(site, "drw_spare", NULL);
    site_add_link(site, "lnk_1", "spc_office", "drw_front", 1, NULL, NULL);
    site_add_link(site, "lnk_2", "spc_room", "drw_room", 1, NULL, NULL);
    site_add_link(site, "lnk_3", "spc_office", "drw_room", -1, NULL, NULL);
    site_add_link(site, "lnk_4", "spc_b", "drw_spare", 1, NULL, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    return site;
}

/* --- what the sink hears ------------------------------------------------------------ */

struct heard {
    struct space_event events[64];
    site_index event_spaces[64];
    size_t event_count;
    struct {
        site_index space;
        enum safe_state from, to;
        int64_t at;
    } changes[16];
    size_t change_count;
    int64_t resets[16];
    size_t reset_count;
};

static void hear_event(void *context, site_index space, const struct space_event *event)
{
    struct heard *heard = context;
    if (heard->event_count < 64) {
        heard->event_spaces[heard->event_count] = space;
        heard->events[heard->event_count++] = *event;
    }
}

static void hear_change(void *context, site_index space, enum safe_state from,
                        enum safe_state to, int64_t at_ms)
{
    struct heard *heard = context;
    if (heard->change_count < 16) {
        heard->changes[heard->change_count].space = space;
        heard->changes[heard->change_count].from = from;
        heard->changes[heard->change_count].to = to;
        heard->changes[heard->change_count++].at = at_ms;
    }
}

static void hear_reset(void *context, site_index space, int64_t at_ms)
{
    (void)space;
    struct heard *heard = context;
    if (heard->reset_count < 16)
        heard->resets[heard->reset_count++] = at_ms;
}

static struct engine *listening_engine(const struct site *site, struct heard *heard,
                                       const struct tz_zone *const *zones, int64_t start)
{
    struct engine *engine = engine_new(site, zones, NULL, start);
    assert_non_null(engine);
    memset(heard, 0, sizeof *heard);
    struct engine_sink sink = { heard, hear_event, hear_change, hear_reset };
    engine_set_sink(engine, &sink);
    return engine;
}

static int32_t sensor(const struct engine *engine, const char *serial)
{
    int32_t index = engine_sensor_index(engine, serial);
    assert_true(index >= 0);
    return index;
}

/* --- the rules ---------------------------------------------------------------- */

static void test_interior_doorway(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct heard heard;
    int64_t t0 = at("2024-05-01T09:00:00Z");
    struct engine *engine = listening_engine(site, &heard, NULL, t0);
    site_index office = site_find_space(site, "spc_office");
    site_index room = site_find_space(site, "spc_room");

    /* Three people come in the front door; two walk into the meeting room. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(engine_apply(engine, sensor(engine, "S_FRONT"), t0 + 1000 * i, 1),
                         ENGINE_APPLIED);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_ROOM"), t0 + 5000, 1), ENGINE_APPLIED);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_ROOM"), t0 + 6000, 1), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, office), 1); /* 3 in, 2 out into the room */
    assert_int_equal(engine_count(engine, room), 2);

    /* One leaves the room back into the office: trajectory -1. */
    engine_apply(engine, sensor(engine, "S_ROOM"), t0 + 7000, -1);
    assert_int_equal(engine_count(engine, office), 2);
    assert_int_equal(engine_count(engine, room), 1);

    /* Each interior crossing is two space events: one per linked space. */
    assert_int_equal(heard.event_count, 3 + 2 * 3);
    const struct space_event *last_room = NULL, *last_office = NULL;
    for (size_t i = 0; i < heard.event_count; i++) {
        if (heard.event_spaces[i] == room)
            last_room = &heard.events[i];
        if (heard.event_spaces[i] == office)
            last_office = &heard.events[i];
    }
    assert_string_equal(last_room->space_id, "spc_room");
    assert_string_equal(last_room->doorway_id, "drw_room");
    assert_string_equal(last_room->sensor_serial, "S_ROOM");
    assert_int_equal(last_room->direction, -1);
    assert_int_equal(last_room->count, 1);
    assert_int_equal(last_office->direction, 1);
    assert_int_equal(last_office->count, 2);
    assert_int_equal(last_room->timestamp_ms, t0 + 7000);
    engine_free(engine);
    site_free(site);
}

static void test_event_ids_count_up(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct engine_config config;
    engine_config_defaults(&config);
    config.first_event_number = 123456789012345678ull;
    struct engine *engine = engine_new(site, NULL, &config, 0);
    struct heard heard;
    memset(&heard, 0, sizeof heard);
    struct engine_sink sink = { &heard, hear_event, NULL, NULL };
    engine_set_sink(engine, &sink);
    engine_apply(engine, sensor(engine, "S_FRONT"), 1000, 1);
    engine_apply(engine, sensor(engine, "S_ROOM"), 2000, 1);
    assert_int_equal(heard.event_count, 3);
    assert_string_equal(heard.events[0].id, "evt_123456789012345678");
    assert_string_equal(heard.events[1].id, "evt_123456789012345679");
    assert_string_equal(heard.events[2].id, "evt_123456789012345680");
    engine_free(engine);
    site_free(site);
}

static void test_clamping(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct heard heard;
    struct engine *engine = listening_engine(site, &heard, NULL, 0);
    site_index office = site_find_space(site, "spc_office");
    /* Two exits at 0: kept as events, the count stays 0, two clamps. */
    assert_int_equal(engine_apply(engine, sensor(engine, "S_FRONT"), 1000, -1), ENGINE_APPLIED);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_FRONT"), 2000, -1), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, office), 0);
    assert_int_equal(engine_clamps(engine, office), 2);
    assert_int_equal(engine_stats(engine)->clamps, 2);
    assert_int_equal(heard.event_count, 2);
    assert_int_equal(heard.events[1].direction, -1);
    assert_int_equal(heard.events[1].count, 0);
    /* Then one entrance counts from 0, not from -2. */
    engine_apply(engine, sensor(engine, "S_FRONT"), 3000, 1);
    assert_int_equal(engine_count(engine, office), 1);
    const struct minute_bucket *b = history_at(engine_history(engine, office), 0);
    assert_non_null(b);
    assert_int_equal(b->exits, 2);
    assert_int_equal(b->entrances, 1);
    assert_int_equal(b->min, 0);
    assert_int_equal(b->max, 1);
    engine_free(engine);
    site_free(site);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    site_index office = site_find_space(site, "spc_office");
    int32_t front = sensor(engine, "S_FRONT");
    assert_int_equal(engine_apply(engine, front, 5000, 1), ENGINE_APPLIED);
    assert_int_equal(engine_apply(engine, front, 5000, 1), ENGINE_DUPLICATE);
    /* Same moment, other way: a different event. */
    assert_int_equal(engine_apply(engine, front, 5000, -1), ENGINE_APPLIED);
    assert_int_equal(engine_apply(engine, front, 6000, 1), ENGINE_APPLIED);
    /* A repeat of an older event arriving late is still caught. */
    assert_int_equal(engine_apply(engine, front, 5000, 1), ENGINE_DUPLICATE);
    assert_int_equal(engine_count(engine, office), 1);
    assert_int_equal(engine_stats(engine)->duplicates, 2);

    /* By event id: the same id is one event even with another timestamp. */
    struct sensor_event ev = { .id = "evt_42", .sensor_serial = "S_FRONT",
                               .timestamp_ms = 9000, .trajectory = 1 };
    assert_int_equal(engine_apply_event(engine, &ev), ENGINE_APPLIED);
    ev.timestamp_ms = 9500;
    assert_int_equal(engine_apply_event(engine, &ev), ENGINE_DUPLICATE);
    assert_int_equal(engine_count(engine, office), 2);
    /* Unknown sensors, bad trajectories and doorway ids. */
    struct sensor_event unknown = { .sensor_serial = "NOPE", .timestamp_ms = 9600,
                                    .trajectory = 1 };
    assert_int_equal(engine_apply_event(engine, &unknown), ENGINE_UNKNOWN_SENSOR);
    assert_int_equal(engine_apply(engine, front, 9700, 2), ENGINE_BAD_TRAJECTORY);
    struct sensor_event by_door = { .doorway_id = "drw_front", .timestamp_ms = 9800,
                                    .trajectory = 1 };
    assert_int_equal(engine_apply_event(engine, &by_door), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, office), 3);
    assert_int_equal(engine_apply_event(engine, &by_door), ENGINE_DUPLICATE);
    engine_free(engine);
    site_free(site);
}

static void test_out_of_order(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    site_index office = site_find_space(site, "spc_office");
    int32_t front = sensor(engine, "S_FRONT");
    int64_t t0 = at("2024-05-01T10:00:00Z");
    int64_t m0 = t0 / 60000;
    engine_apply(engine, front, t0 + 5 * 60000, 1);          /* 10:05 one in */
    engine_apply(engine, front, t0 + 5 * 60000 + 1000, 1);   /* 10:05 two in */
    engine_apply(engine, front, t0 + 2 * 60000 + 30000, 1);  /* 10:02:30 arrives late */
    assert_int_equal(engine_count(engine, office), 3);
    const struct history *h = engine_history(engine, office);
    /* The late entrance lands in 10:02 ... */
    assert_int_equal(history_at(h, m0 + 2)->entrances, 1);
    assert_int_equal(history_at(h, m0 + 5)->entrances, 2);
    /* ... and the minutes after it count one more person. */
    assert_int_equal(history_at(h, m0 + 3)->start, 1);
    assert_int_equal(history_at(h, m0 + 4)->start, 1);
    assert_int_equal(history_at(h, m0 + 5)->start, 1);
    assert_int_equal(history_at(h, m0 + 5)->max, 3);
    /* A late exit at 10:04 moves 10:05 back down. */
    engine_apply(engine, front, t0 + 4 * 60000, -1);
    assert_int_equal(engine_count(engine, office), 2);
    assert_int_equal(history_at(h, m0 + 4)->exits, 1);
    assert_int_equal(history_at(h, m0 + 5)->start, 0);
    engine_free(engine);
    site_free(site);
}

static void test_sensor_moved(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    site_index office = site_find_space(site, "spc_office");
    site_index building = site_find_space(site, "spc_b");
    int32_t front = sensor(engine, "S_FRONT");
    engine_apply(engine, front, 1000, 1);
    /* At t=10 s the sensor is moved to the spare doorway (the building's). */
    assert_int_equal(engine_set_doorway_sensor(engine, site_find_doorway(site, "drw_spare"),
                                               "S_FRONT", 10000), 0);
    engine_apply(engine, front, 12000, 1);
    assert_int_equal(engine_count(engine, office), 1);
    assert_int_equal(engine_count(engine, building), 1);
    /* A late event from before the move still counts for the old doorway. */
    engine_apply(engine, front, 9000, 1);
    assert_int_equal(engine_count(engine, office), 2);
    assert_int_equal(engine_count(engine, building), 1);
    /* The front door has no sensor now: its stand-in (events by doorway id)
     * still counts for it. */
    struct sensor_event by_door = { .doorway_id = "drw_front", .timestamp_ms = 13000,
                                    .trajectory = 1 };
    assert_int_equal(engine_apply_event(engine, &by_door), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, office), 3);
    /* A new sensor, unknown until now, is put on the front door. */
    assert_int_equal(engine_set_doorway_sensor(engine, site_find_doorway(site, "drw_front"),
                                               "S_NEW", 20000), 0);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_NEW"), 19000, 1), ENGINE_NO_DOORWAY);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_NEW"), 21000, 1), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, office), 4);
    engine_free(engine);
    site_free(site);
}

static void test_component_spaces(void **state)
{
    (void)state;
    struct site *site = office_site();
    fixture_add_space(site, "spc_both", "spc_both", SPACE_TYPE_SPACE, NULL)->current_count = 99;
    struct space *both = space_named(site, "spc_both");
    both->counting_mode = COUNTING_COMPONENT_SPACES;
    string_list_add(&both->component_space_ids, "spc_office");
    string_list_add(&both->component_space_ids, "spc_room");
    /* An aggregate of the aggregate, and a cycle that must not loop. */
    fixture_add_space(site, "spc_all", "spc_all", SPACE_TYPE_SPACE, NULL);
    struct space *all = space_named(site, "spc_all");
    all->counting_mode = COUNTING_COMPONENT_SPACES;
    string_list_add(&all->component_space_ids, "spc_both");
    string_list_add(&space_named(site, "spc_both")->component_space_ids, "spc_all");
    /* Its own doorway is ignored. */
    site_add_link(site, "lnk_9", "spc_both", "drw_spare", 1, NULL, NULL);
    assert_int_equal(site_link(site), 0);

    struct engine *engine = engine_new(site, NULL, NULL, 0);
    site_index agg = site_find_space(site, "spc_both");
    site_index agg2 = site_find_space(site, "spc_all");
    assert_int_equal(engine_count(engine, agg), 0); /* the sum of 0 and 0, not the 99 given */
    engine_apply(engine, sensor(engine, "S_FRONT"), 1000, 1);
    engine_apply(engine, sensor(engine, "S_FRONT"), 2000, 1);
    engine_apply(engine, sensor(engine, "S_ROOM"), 3000, 1); /* office -1, room +1 */
    assert_int_equal(engine_count(engine, agg), 2);
    assert_int_equal(engine_count(engine, agg2), 2);
    engine_apply(engine, sensor(engine, "S_FRONT"), 4000, -1);
    assert_int_equal(engine_count(engine, agg), 1);
    /* The spare doorway only links the building and the aggregate. */
    engine_apply(engine, sensor(engine, "S_FRONT"), 5000, 1);
    struct sensor_event spare = { .doorway_id = "drw_spare", .timestamp_ms = 6000,
                                  .trajectory = 1 };
    engine_apply_event(engine, &spare);
    assert_int_equal(engine_count(engine, agg), 2);
    assert_int_equal(engine_count(engine, site_find_space(site, "spc_b")), 1);
    const struct minute_bucket *b = history_at(engine_history(engine, agg), 0);
    assert_int_equal(b->entrances, 4); /* 2 front, 1 room, 1 front */
    assert_int_equal(b->exits, 2);     /* office side of the room door, 1 front */
    engine_free(engine);
    site_free(site);
}

static void test_safe_transitions(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct space *office = space_named(site, "spc_office");
    office->safe_mode = SAFE_MODE_SAFE_CAPACITY;
    office->safe_capacity = optional_int_of(5); /* warn from 4, unsafe at 6 */
    struct heard heard;
    struct engine *engine = listening_engine(site, &heard, NULL, 0);
    site_index o = site_find_space(site, "spc_office");
    int32_t front = sensor(engine, "S_FRONT");
    assert_int_equal(engine_safe_state(engine, o), SAFE_STATE_OK);
    int directions[] = { 1, 1, 1, 1, 1, 1, -1, -1, -1 };
    for (int i = 0; i < 9; i++)
        engine_apply(engine, front, 1000 * (i + 1), directions[i]);
    /* counts 1 2 3 4 5 6 5 4 3: ok->warn at 4 (t=4 s), warn->unsafe at 6 (6 s),
     * unsafe->warn at 5 (7 s), warn->ok at 3 (9 s). */
    assert_int_equal(heard.change_count, 4);
    enum safe_state from[] = { SAFE_STATE_OK, SAFE_STATE_WARN, SAFE_STATE_UNSAFE, SAFE_STATE_WARN };
    enum safe_state to[] = { SAFE_STATE_WARN, SAFE_STATE_UNSAFE, SAFE_STATE_WARN, SAFE_STATE_OK };
    int64_t when[] = { 4000, 6000, 7000, 9000 };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(heard.changes[i].space, o);
        assert_int_equal(heard.changes[i].from, from[i]);
        assert_int_equal(heard.changes[i].to, to[i]);
        assert_int_equal(heard.changes[i].at, when[i]);
    }
    engine_free(engine);
    site_free(site);
}

/* --- daily reset across daylight saving ---------------------------------------------- */

static struct tzdb *zones_db;

static const struct tz_zone *zone(const char *name)
{
    return fixture_zone(zones_db, name);
}

static void check_resets(const char *tz_name, const char *start, const char *const expected[],
                         size_t expected_count, const char *end)
{
    struct site *site = office_site();
    const struct tz_zone *zones[3] = { zone(tz_name), zone(tz_name), zone(tz_name) };
    struct heard heard;
    struct engine *engine = listening_engine(site, &heard, zones, at(start));
    site_index office = site_find_space(site, "spc_office");
    int32_t front = sensor(engine, "S_FRONT");
    for (size_t i = 0; i < expected_count; i++) {
        int64_t reset = at(expected[i]);
        engine_apply(engine, front, reset - 60000, 1); /* someone in, a minute before */
        engine_advance(engine, reset - 1);
        assert_int_not_equal(engine_count(engine, office), 0);
        engine_advance(engine, reset);
        assert_int_equal(engine_count(engine, office), 0);
        assert_int_equal(engine_last_reset(engine, office), reset);
        /* An event from before the reset, arriving now, stays in yesterday. */
        engine_apply(engine, front, reset - 30000, 1);
        assert_int_equal(engine_count(engine, office), 0);
        assert_true(history_at(engine_history(engine, office), reset / 60000)->reset);
    }
    engine_advance(engine, at(end));
    /* Three spaces reset each time. */
    assert_int_equal(heard.reset_count, 3 * expected_count);
    engine_free(engine);
    site_free(site);
}

static void test_daily_reset_new_york_dst(void **state)
{
    (void)state;
    /* 04:00 local: EST is UTC-5, EDT UTC-4; clocks spring forward on
     * 2024-03-10 and fall back on 2024-11-03. */
    const char *spring[] = { "2024-03-09T09:00:00Z", "2024-03-10T08:00:00Z",
                             "2024-03-11T08:00:00Z" };
    check_resets("America/New_York", "2024-03-08T12:00:00Z", spring, 3, "2024-03-11T12:00:00Z");
    const char *autumn[] = { "2024-11-02T08:00:00Z", "2024-11-03T09:00:00Z",
                             "2024-11-04T09:00:00Z" };
    check_resets("America/New_York", "2024-11-01T12:00:00Z", autumn, 3, "2024-11-04T12:00:00Z");
}

static void test_daily_reset_london_dst(void **state)
{
    (void)state;
    /* 04:00 local: GMT is UTC+0, BST UTC+1 from 2024-03-31 to 2024-10-27. */
    const char *spring[] = { "2024-03-30T04:00:00Z", "2024-03-31T03:00:00Z",
                             "2024-04-01T03:00:00Z" };
    check_resets("Europe/London", "2024-03-29T12:00:00Z", spring, 3, "2024-04-01T12:00:00Z");
    const char *autumn[] = { "2024-10-26T03:00:00Z", "2024-10-27T04:00:00Z" };
    check_resets("Europe/London", "2024-10-25T12:00:00Z", autumn, 2, "2024-10-27T12:00:00Z");
}

static void test_daily_reset_time_and_long_silence(void **state)
{
    (void)state;
    struct site *site = office_site();
    space_named(site, "spc_office")->daily_reset_minute = 13 * 60 + 30; /* 13:30 UTC */
    struct heard heard;
    struct engine *engine = listening_engine(site, &heard, NULL, at("2024-01-01T00:00:00Z"));
    site_index office = site_find_space(site, "spc_office");
    assert_int_equal(engine_next_reset(engine, office), at("2024-01-01T13:30:00Z"));
    engine_apply(engine, sensor(engine, "S_FRONT"), at("2024-01-01T12:00:00Z"), 1);
    /* A month of silence: the resets catch up without a month of work, and
     * the count is 0 after them. */
    engine_advance(engine, at("2024-02-01T14:00:00Z"));
    assert_int_equal(engine_count(engine, office), 0);
    assert_int_equal(engine_last_reset(engine, office), at("2024-02-01T13:30:00Z"));
    assert_int_equal(engine_next_reset(engine, office), at("2024-02-02T13:30:00Z"));
    engine_free(engine);
    site_free(site);
}

/* The engine compares integers per event; they must agree with the rules in
 * safe.c for every mode, count and awkward fraction. */
static void test_fast_safe_state_agrees(void **state)
{
    (void)state;
    const double fractions[] = { 0.8, 0.75, 0.5, 0.333, 1.0, 0.0, 1.5 };
    for (size_t f = 0; f < sizeof fractions / sizeof fractions[0]; f++) {
        struct site *site = office_site();
        struct space *room = space_named(site, "spc_room");
        room->safe_mode = SAFE_MODE_PERC_TARGET;
        room->target_capacity = optional_int_of(37);
        room->safe_threshold_value = optional_real_of(0.7); /* 25.9: limit 25 */
        struct space *office = space_named(site, "spc_office");
        office->safe_mode = SAFE_MODE_SAFE_CAPACITY;
        office->safe_capacity = optional_int_of(1);
        struct engine_config config;
        engine_config_defaults(&config);
        config.warn_fraction = fractions[f];
        struct engine *engine = engine_new(site, NULL, &config, 0);
        const char *ids[] = { "spc_room", "spc_office", "spc_b" };
        for (size_t i = 0; i < 3; i++) {
            site_index s = site_find_space(site, ids[i]);
            struct safe_limit limit = safe_limit_of(&site->spaces[s]);
            for (int64_t count = 0; count <= 40; count++) {
                engine_set_count(engine, s, count, 1000 * (count + 1));
                assert_int_equal(engine_safe_state(engine, s),
                                 safe_state_for(limit, count, fractions[f]));
            }
        }
        engine_free(engine);
        site_free(site);
    }
}

static void test_update_space(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct heard heard;
    struct engine *engine = listening_engine(site, &heard, NULL, at("2024-01-01T00:00:00Z"));
    site_index office = site_find_space(site, "spc_office");
    for (int i = 0; i < 5; i++)
        engine_apply(engine, sensor(engine, "S_FRONT"), at("2024-01-01T01:00:00Z") + i, 1);
    assert_int_equal(engine_safe_state(engine, office), SAFE_STATE_NONE);
    /* An edit sets a safe capacity of 4 and a reset at 02:00: 5 people are
     * unsafe at once, and the count returns to 0 at 02:00. */
    site->spaces[office].safe_mode = SAFE_MODE_SAFE_CAPACITY;
    site->spaces[office].safe_capacity = optional_int_of(4);
    site->spaces[office].daily_reset_minute = 120;
    engine_update_space(engine, office, NULL);
    assert_int_equal(engine_safe_state(engine, office), SAFE_STATE_UNSAFE);
    assert_int_equal(heard.change_count, 1);
    assert_int_equal(heard.changes[0].to, SAFE_STATE_UNSAFE);
    assert_int_equal(engine_next_reset(engine, office), at("2024-01-01T02:00:00Z"));
    engine_advance(engine, at("2024-01-01T02:00:00Z"));
    assert_int_equal(engine_count(engine, office), 0);
    assert_int_equal(engine_safe_state(engine, office), SAFE_STATE_OK);
    engine_free(engine);
    site_free(site);
}

static void test_set_count_and_memory(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    site_index office = site_find_space(site, "spc_office");
    engine_set_count(engine, office, 17, 120000);
    assert_int_equal(engine_count(engine, office), 17);
    const struct minute_bucket *b = history_at(engine_history(engine, office), 2);
    assert_int_equal(b->max, 17);
    assert_int_equal(b->entrances, 0);
    engine_set_count(engine, office, -4, 180000);
    assert_int_equal(engine_count(engine, office), 0);
    /* History is only allocated for spaces that saw something. */
    assert_int_equal(history_bytes(engine_history(engine, site_find_space(site, "spc_room"))), 0);
    assert_int_equal(history_bytes(engine_history(engine, office)),
                     (size_t)ENGINE_DEFAULT_HISTORY_MINUTES * 20);
    assert_true(engine_bytes(engine) > history_bytes(engine_history(engine, office)));
    engine_free(engine);
    site_free(site);
}

/* The API reshapes a running site: a new space behind a new doorway, a
 * link moved, a doorway and a space deleted.  Counts already made stay. */
static void test_relink(void **state)
{
    (void)state;
    struct site *site = office_site();
    struct heard heard;
    int64_t t0 = at("2024-05-01T09:00:00Z");
    struct engine *engine = listening_engine(site, &heard, NULL, t0);
    site_index office = site_find_space(site, "spc_office");
    for (int i = 0; i < 3; i++)
        engine_apply(engine, sensor(engine, "S_FRONT"), t0 + 1000 * i, 1);
    assert_int_equal(engine_count(engine, office), 3);

    /* A kitchen on the floor, with its own door and sensor. */
    fixture_add_space(site, "spc_kitchen", "Kitchen", SPACE_TYPE_SPACE, "spc_office");
    fixture_add_doorway(site, "drw_kitchen", "S_KITCHEN");
    site_add_link(site, "lnk_5", "spc_kitchen", "drw_kitchen", 1, NULL, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(engine_relink(engine, NULL), 0);
    site_index kitchen = site_find_space(site, "spc_kitchen");
    assert_int_equal(engine_count(engine, office), 3);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_KITCHEN"), t0 + 5000, 1),
                     ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, kitchen), 1);
    assert_int_equal(engine_count(engine, office), 3);
    assert_string_equal(heard.events[heard.event_count - 1].space_id, "spc_kitchen");

    /* Events given by doorway id reach the new doorway too. */
    struct sensor_event by_doorway = { .timestamp_ms = t0 + 6000, .trajectory = 1 };
    snprintf(by_doorway.doorway_id, sizeof by_doorway.doorway_id, "drw_kitchen");
    assert_int_equal(engine_apply_event(engine, &by_doorway), ENGINE_APPLIED);
    assert_int_equal(engine_count(engine, kitchen), 2);

    /* The front door is deleted: its sensor counts nothing from now on, and
     * what it counted stays. */
    site_delete_doorway(site, site_find_doorway(site, "drw_front"));
    assert_int_equal(site_link(site), 0);
    assert_int_equal(engine_relink(engine, NULL), 0);
    assert_int_equal(engine_apply(engine, sensor(engine, "S_FRONT"), t0 + 7000, 1),
                     ENGINE_NO_DOORWAY);
    assert_int_equal(engine_count(engine, office), 3);
    assert_int_equal(site_find_doorway(site, "drw_front"), SITE_NONE);

    /* The kitchen is deleted: out of the tree, its door counts nothing. */
    site_delete_space(site, kitchen);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(engine_relink(engine, NULL), 0);
    assert_int_equal(site_find_space(site, "spc_kitchen"), SITE_NONE);
    assert_int_equal(engine_count(engine, kitchen), 0);
    size_t before = heard.event_count;
    engine_apply(engine, sensor(engine, "S_KITCHEN"), t0 + 8000, 1);
    assert_int_equal(heard.event_count, before);
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        assert_int_not_equal(i, kitchen);
    assert_int_equal(site->problem_count, 0);
    engine_free(engine);
    site_free(site);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    zones_db = tzdb_new(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interior_doorway),
        cmocka_unit_test(test_event_ids_count_up),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_sensor_moved),
        cmocka_unit_test(test_component_spaces),
        cmocka_unit_test(test_safe_transitions),
        cmocka_unit_test(test_daily_reset_new_york_dst),
        cmocka_unit_test(test_daily_reset_london_dst),
        cmocka_unit_test(test_daily_reset_time_and_long_silence),
        cmocka_unit_test(test_fast_safe_state_agrees),
        cmocka_unit_test(test_update_space),
        cmocka_unit_test(test_set_count_and_memory),
        cmocka_unit_test(test_relink),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tzdb_free(zones_db);
    return failed;
}
