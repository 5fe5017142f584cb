/* test_segments.c — time segments (core/segments.h) and their JSON
 * (wire/segments_json.h): whether an instant is inside a segment (plain,
 * in a zone, across midnight, on daylight-saving days), which segments a
 * space has (inherited ones included) and which is current, the
 * collection's ids and groups, and reading them from site files.
 *
 * Every expected value is worked out by hand in the comments.  Real zones
 * come from /usr/share/zoneinfo (Debian package tzdata); those tests are
 * skipped, saying so, when it is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/segments.h"
#include "core/site.h"
#include "fixture.h"
#include "wire/segments_json.h"
#include "wire/site_file.h"
#include "wire/tzdb.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define H (3600)
#define WEEKDAYS (WEEKDAY_MONDAY | WEEKDAY_TUESDAY | WEEKDAY_WEDNESDAY | WEEKDAY_THURSDAY | \
                  WEEKDAY_FRIDAY)

static struct tzdb *system_db; /* NULL when ZONEINFO is missing */

static const struct tz_zone *real_zone(const char *name)
{
    if (!system_db)
        skip();
    return fixture_zone(system_db, name);
}

static struct time_segment timeframe(int32_t start, int32_t end, uint8_t days)
{
    return (struct time_segment){ .id = NULL, .name = NULL, .start_second = start,
                                  .end_second = end, .days = days };
}

static bool in(const struct time_segment *t, const struct tz_zone *zone, const char *iso)
{
    return segment_contains(t, zone, fixture_ms(iso));
}

/* --- days and times ---------------------------------------------------------------- */

static void test_day_names(void **state)
{
    (void)state;
    assert_int_equal(segment_day_parse("Monday"), WEEKDAY_MONDAY);
    assert_int_equal(segment_day_parse("Sunday"), WEEKDAY_SUNDAY);
    assert_int_equal(segment_day_parse("monday"), 0); /* capitalised exactly */
    assert_int_equal(segment_day_parse("Mon"), 0);
    assert_int_equal(segment_day_parse(""), 0);
    assert_int_equal(segment_day_parse(NULL), 0);
    assert_string_equal(segment_day_name(0), "Monday");
    assert_string_equal(segment_day_name(6), "Sunday");
    assert_null(segment_day_name(7));

    char text[64];
    static const struct {
        uint8_t days;
        const char *text;
    } cases[] = {
        { WEEKDAYS, "Mon-Fri" },
        { SEGMENT_ALL_DAYS, "every day" },
        { WEEKDAY_SATURDAY | WEEKDAY_SUNDAY, "Sat, Sun" },
        { WEEKDAY_MONDAY | WEEKDAY_WEDNESDAY | WEEKDAY_FRIDAY, "Mon, Wed, Fri" },
        { WEEKDAY_MONDAY | WEEKDAY_TUESDAY | WEEKDAY_WEDNESDAY | WEEKDAY_FRIDAY |
              WEEKDAY_SATURDAY, "Mon-Wed, Fri, Sat" },
        { WEEKDAY_SUNDAY, "Sun" },
        { 0, "no days" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        segment_days_text(cases[i].days, text, sizeof text);
        assert_string_equal(text, cases[i].text);
    }

    struct time_segment t = timeframe(11 * H + 30 * 60, 13 * H + 30 * 60, WEEKDAYS);
    segment_times_text(&t, text, sizeof text);
    assert_string_equal(text, "11:30-13:30");
    t = timeframe(22 * H, 6 * H + 15, WEEKDAYS);
    segment_times_text(&t, text, sizeof text);
    assert_string_equal(text, "22:00-06:00:15");
    t = timeframe(0, 0, WEEKDAYS);
    segment_times_text(&t, text, sizeof text);
    assert_string_equal(text, "all day");
}

/* --- membership ------------------------------------------------------------------ */

/* 2024-03-04 was a Monday; NULL is UTC. */
static void test_contains_utc(void **state)
{
    (void)state;
    struct time_segment lunch = timeframe(11 * H + 30 * 60, 13 * H + 30 * 60, WEEKDAYS);
    assert_false(in(&lunch, NULL, "2024-03-04T11:29:59.999Z"));
    assert_true(in(&lunch, NULL, "2024-03-04T11:30:00Z"));
    assert_true(in(&lunch, NULL, "2024-03-04T13:29:59.999Z"));
    assert_false(in(&lunch, NULL, "2024-03-04T13:30:00Z")); /* the end is not inside */
    assert_true(in(&lunch, NULL, "2024-03-08T12:00:00Z"));  /* Friday */
    assert_false(in(&lunch, NULL, "2024-03-09T12:00:00Z")); /* Saturday */
    assert_false(in(&lunch, NULL, "2024-03-10T12:00:00Z")); /* Sunday */
    /* Before 1970 the weekday is still right: 1969-12-29 was a Monday. */
    assert_true(in(&lunch, NULL, "1969-12-29T12:00:00Z"));
    assert_false(in(&lunch, NULL, "1969-12-28T12:00:00Z"));
    /* No days: never. */
    struct time_segment never = timeframe(0, 0, 0);
    assert_false(in(&never, NULL, "2024-03-04T12:00:00Z"));
    assert_false(segment_contains(NULL, NULL, 0));
}

/* The wall clock of the zone decides, weekday included. */
static void test_contains_in_a_zone(void **state)
{
    (void)state;
    const struct tz_zone *la = real_zone("America/Los_Angeles");
    struct time_segment lunch = timeframe(11 * H + 30 * 60, 14 * H, WEEKDAYS);
    /* 2024-05-01 (Wednesday), PDT = UTC-7: 19:00Z is 12:00 there. */
    assert_true(in(&lunch, la, "2024-05-01T19:00:00Z"));
    assert_false(in(&lunch, la, "2024-05-01T12:00:00Z")); /* 05:00 */
    assert_true(in(&lunch, la, "2024-05-01T18:30:00Z"));  /* 11:30 */
    assert_false(in(&lunch, la, "2024-05-01T21:00:00Z")); /* 14:00 */
    /* Friday 19:00 in Los Angeles is Saturday 02:00 UTC. */
    struct time_segment friday_evening = timeframe(18 * H, 20 * H, WEEKDAY_FRIDAY);
    assert_true(in(&friday_evening, la, "2024-05-04T02:00:00Z"));
    assert_false(in(&friday_evening, NULL, "2024-05-04T02:00:00Z"));

    int32_t second;
    int weekday;
    segment_local_clock(la, fixture_ms("2024-05-04T02:00:00Z"), &second, &weekday);
    assert_int_equal(second, 19 * H);
    assert_int_equal(weekday, 4); /* Friday */
}

/* End before start: it starts on its days and ends the next day.  End equal
 * to start: 24 hours. */
static void test_contains_across_midnight(void **state)
{
    (void)state;
    struct time_segment night = timeframe(22 * H, 6 * H, WEEKDAY_FRIDAY);
    assert_true(in(&night, NULL, "2024-03-08T22:00:00Z"));  /* Friday 22:00 */
    assert_true(in(&night, NULL, "2024-03-08T23:59:59Z"));
    assert_true(in(&night, NULL, "2024-03-09T00:00:00Z"));  /* Saturday, not one of its days */
    assert_true(in(&night, NULL, "2024-03-09T05:59:59Z"));
    assert_false(in(&night, NULL, "2024-03-09T06:00:00Z"));
    assert_false(in(&night, NULL, "2024-03-09T22:00:00Z")); /* Saturday evening */
    assert_false(in(&night, NULL, "2024-03-07T23:00:00Z")); /* Thursday evening */
    assert_false(in(&night, NULL, "2024-03-08T05:00:00Z")); /* Friday morning: Thursday's */
    assert_false(in(&night, NULL, "2024-03-08T21:59:59Z"));

    struct time_segment saturday = timeframe(0, 0, WEEKDAY_SATURDAY);
    assert_false(in(&saturday, NULL, "2024-03-08T23:59:59Z"));
    assert_true(in(&saturday, NULL, "2024-03-09T00:00:00Z"));
    assert_true(in(&saturday, NULL, "2024-03-09T23:59:59Z"));
    assert_false(in(&saturday, NULL, "2024-03-10T00:00:00Z"));

    struct time_segment shift = timeframe(8 * H, 8 * H, WEEKDAY_MONDAY); /* Mon 08:00 + 24 h */
    assert_false(in(&shift, NULL, "2024-03-04T07:59:59Z"));
    assert_true(in(&shift, NULL, "2024-03-04T08:00:00Z"));
    assert_true(in(&shift, NULL, "2024-03-05T07:59:59Z"));
    assert_false(in(&shift, NULL, "2024-03-05T08:00:00Z"));
}

/* Minutes of `day` (UTC start, 25 hours scanned) inside t. */
static int minutes_inside(const struct time_segment *t, const struct tz_zone *zone,
                          const char *from_iso)
{
    int64_t from = fixture_ms(from_iso);
    int minutes = 0;
    for (int m = 0; m < 26 * 60; m++)
        minutes += segment_contains(t, zone, from + (int64_t)m * 60000);
    return minutes;
}

/* New York: 2024-03-10 02:00 EST became 03:00 EDT (07:00Z); 2024-11-03
 * 02:00 EDT became 01:00 EST (06:00Z).  Both Sundays. */
static void test_contains_on_dst_days(void **state)
{
    (void)state;
    const struct tz_zone *ny = real_zone("America/New_York");
    struct time_segment early = timeframe(1 * H + 30 * 60, 2 * H + 30 * 60, WEEKDAY_SUNDAY);
    assert_true(in(&early, ny, "2024-03-10T06:30:00Z"));  /* 01:30 EST */
    assert_true(in(&early, ny, "2024-03-10T06:59:59Z"));  /* 01:59:59 EST */
    assert_false(in(&early, ny, "2024-03-10T07:00:00Z")); /* 03:00 EDT */
    /* An hour on the clock, half an hour that day. */
    assert_int_equal(minutes_inside(&early, ny, "2024-03-10T04:00:00Z"), 30);

    /* Wholly inside the skipped hour: it does not happen that day. */
    struct time_segment skipped = timeframe(2 * H + 10 * 60, 2 * H + 50 * 60, WEEKDAY_SUNDAY);
    assert_int_equal(minutes_inside(&skipped, ny, "2024-03-10T04:00:00Z"), 0);
    /* ... and does the Sunday after. */
    assert_int_equal(minutes_inside(&skipped, ny, "2024-03-17T04:00:00Z"), 40);

    /* Lunch keeps to the wall clock: 11:30 EDT is 15:30Z that day. */
    struct time_segment lunch = timeframe(11 * H + 30 * 60, 13 * H + 30 * 60, SEGMENT_ALL_DAYS);
    assert_true(in(&lunch, ny, "2024-03-10T15:30:00Z"));
    assert_false(in(&lunch, ny, "2024-03-10T15:29:59Z"));
    assert_true(in(&lunch, ny, "2024-03-09T16:30:00Z")); /* the day before: EST */
    assert_false(in(&lunch, ny, "2024-03-09T16:29:59Z"));

    /* Fall back: 01:00-02:00 happens twice, two hours in all. */
    struct time_segment one_am = timeframe(1 * H, 2 * H, WEEKDAY_SUNDAY);
    assert_true(in(&one_am, ny, "2024-11-03T05:00:00Z"));  /* 01:00 EDT */
    assert_true(in(&one_am, ny, "2024-11-03T06:00:00Z"));  /* 01:00 EST */
    assert_true(in(&one_am, ny, "2024-11-03T06:59:59Z"));
    assert_false(in(&one_am, ny, "2024-11-03T07:00:00Z")); /* 02:00 EST */
    assert_int_equal(minutes_inside(&one_am, ny, "2024-11-03T03:00:00Z"), 120);
}

/* --- the collection and spaces --------------------------------------------------- */

static void add_segment(struct segments *c, const char *id, const char *label, int32_t start,
                        int32_t end, uint8_t days, const char *const *spaces)
{
    struct segment s;
    segment_init(&s);
    s.time.id = strdup(id);
    s.time.name = strdup(label);
    s.time.start_second = start;
    s.time.end_second = end;
    s.time.days = days;
    for (size_t k = 0; spaces && spaces[k]; k++)
        assert_int_equal(string_list_add(&s.space_ids, spaces[k]), 0);
    assert_int_equal(segments_take(c, &s), 0);
    assert_null(s.time.id); /* moved */
}

static void add_group(struct segments *c, const char *id, const char *name,
                      const char *const *segment_ids)
{
    struct segment_group g = { 0 };
    g.id = strdup(id);
    g.name = strdup(name);
    for (size_t k = 0; segment_ids[k]; k++)
        assert_int_equal(string_list_add(&g.segment_ids, segment_ids[k]), 0);
    assert_int_equal(segments_take_group(c, &g), 0);
}

/* Campus > HQ (building) > Floor 1 > Cafe > Nook; B2 (building) alone. */
static struct site *tree_site(void)
{
    struct site *site = site_new();
    assert_non_null(site);
    fixture_add_space(site, "spc_campus", "Campus", SPACE_TYPE_CAMPUS, NULL);
    fixture_add_space(site, "spc_hq", "HQ", SPACE_TYPE_BUILDING, "spc_campus");
    fixture_add_space(site, "spc_floor", "Floor 1", SPACE_TYPE_FLOOR, "spc_hq");
    fixture_add_space(site, "spc_cafe", "Cafe", SPACE_TYPE_SPACE, "spc_floor");
    fixture_add_space(site, "spc_nook", "Nook", SPACE_TYPE_SPACE, "spc_cafe");
    fixture_add_space(site, "spc_b2", "B2", SPACE_TYPE_BUILDING, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    return site;
}

static struct segments *tree_segments(void)
{
    struct segments *c = segments_new();
    assert_non_null(c);
    static const char *const hq[] = { "spc_hq", NULL }, *const cafe[] = { "spc_cafe", NULL },
                             *const b2[] = { "spc_b2", "spc_gone", NULL },
                             *const gone[] = { "spc_gone", NULL },
                             *const both[] = { "spc_floor", "spc_cafe", NULL };
    add_segment(c, "tsm_1", "Office hours", 8 * H, 18 * H, WEEKDAYS, hq);
    add_segment(c, "tsm_2", "Lunch", 11 * H + 30 * 60, 13 * H + 30 * 60, WEEKDAYS, cafe);
    add_segment(c, "tsm_3", "B2 hours", 9 * H, 17 * H, WEEKDAYS, b2);
    add_segment(c, "tsm_4", "Nowhere", 0, 0, SEGMENT_ALL_DAYS, gone);
    add_segment(c, "tsm_5", "Cleaning", 20 * H, 22 * H, WEEKDAY_FRIDAY, both);
    static const char *const meals[] = { "tsm_2", "tsm_3", NULL }, *const all[] = { "tsm_4", NULL };
    add_group(c, "tsg_1", "Meals", meals);
    add_group(c, "tsg_2", "Nothing", all);
    return c;
}

static void test_inheritance(void **state)
{
    (void)state;
    struct site *site = tree_site();
    struct segments *c = tree_segments();
    site_index campus = site_find_space(site, "spc_campus"), hq = site_find_space(site, "spc_hq"),
               floor = site_find_space(site, "spc_floor"), cafe = site_find_space(site, "spc_cafe"),
               nook = site_find_space(site, "spc_nook"), b2 = site_find_space(site, "spc_b2");

    /* Office hours: linked to HQ, inherited by everything under it. */
    assert_int_equal(segments_reach(c, 0, site, hq), SEGMENT_LINKED);
    assert_int_equal(segments_reach(c, 0, site, floor), SEGMENT_INHERITED);
    assert_int_equal(segments_reach(c, 0, site, nook), SEGMENT_INHERITED);
    assert_int_equal(segments_reach(c, 0, site, campus), SEGMENT_NOT); /* not upwards */
    assert_int_equal(segments_reach(c, 0, site, b2), SEGMENT_NOT);
    /* Cleaning is linked to the floor and to the cafe: linked wins there. */
    assert_int_equal(segments_reach(c, 4, site, cafe), SEGMENT_LINKED);
    assert_int_equal(segments_reach(c, 4, site, nook), SEGMENT_INHERITED);
    /* An id the site does not know links nothing. */
    for (site_index i = 0; i < (site_index)site->space_count; i++)
        assert_int_equal(segments_reach(c, 3, site, i), SEGMENT_NOT);
    assert_int_equal(segments_reach(c, 2, site, b2), SEGMENT_LINKED);
    assert_int_equal(segments_reach(c, 99, site, b2), SEGMENT_NOT);

    size_t found[8];
    enum segment_reach reach[8];
    assert_int_equal(segments_for_space(c, site, nook, found, reach, 8), 3);
    assert_int_equal(found[0], 0); /* in the collection's order */
    assert_int_equal(found[1], 1);
    assert_int_equal(found[2], 4);
    assert_int_equal(reach[0], SEGMENT_INHERITED);
    assert_int_equal(reach[1], SEGMENT_INHERITED);
    assert_int_equal(reach[2], SEGMENT_INHERITED);
    assert_int_equal(segments_for_space(c, site, cafe, found, reach, 8), 3);
    assert_int_equal(reach[1], SEGMENT_LINKED);
    assert_int_equal(segments_for_space(c, site, campus, found, reach, 8), 0);
    assert_int_equal(segments_for_space(c, site, hq, found, NULL, 8), 1);
    /* A short buffer still counts them all. */
    assert_int_equal(segments_for_space(c, site, nook, found, reach, 1), 3);
    assert_int_equal(found[0], 0);

    /* Groups apply through their segments. */
    bool applies[5] = { true, true, false, false, true }; /* the cafe's */
    assert_true(segments_group_applies(c, 0, applies));
    assert_false(segments_group_applies(c, 1, applies));
    bool b2_applies[5] = { false, false, true, false, false };
    assert_true(segments_group_applies(c, 0, b2_applies));

    /* A space whose parent is deleted no longer inherits. */
    site_delete_space(site, floor);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(segments_reach(c, 0, site, cafe), SEGMENT_NOT);
    assert_int_equal(segments_reach(c, 4, site, cafe), SEGMENT_LINKED);
    segments_free(c);
    site_free(site);
}

static void test_current(void **state)
{
    (void)state;
    struct site *site = tree_site();
    struct segments *c = tree_segments();
    site_index cafe = site_find_space(site, "spc_cafe"), b2 = site_find_space(site, "spc_b2");
    size_t now[8];
    /* Monday 12:00 UTC: office hours and lunch. */
    assert_int_equal(segments_current(c, site, cafe, NULL, fixture_ms("2024-03-04T12:00:00Z"),
                                      now, 8), 2);
    assert_int_equal(now[0], 0);
    assert_int_equal(now[1], 1);
    /* 14:00: office hours only. */
    assert_int_equal(segments_current(c, site, cafe, NULL, fixture_ms("2024-03-04T14:00:00Z"),
                                      now, 8), 1);
    assert_int_equal(now[0], 0);
    /* Friday 21:00: cleaning only. */
    assert_int_equal(segments_current(c, site, cafe, NULL, fixture_ms("2024-03-08T21:00:00Z"),
                                      now, 8), 1);
    assert_int_equal(now[0], 4);
    /* Saturday noon: none. */
    assert_int_equal(segments_current(c, site, cafe, NULL, fixture_ms("2024-03-09T12:00:00Z"),
                                      now, 8), 0);
    /* Nowhere is always on, but on no space. */
    assert_int_equal(segments_current(c, site, b2, NULL, fixture_ms("2024-03-09T12:00:00Z"),
                                      now, 8), 0);
    /* In a zone: 12:00 in New York on that Monday is 17:00Z. */
    if (system_db) {
        const struct tz_zone *ny = fixture_zone(system_db, "America/New_York");
        assert_int_equal(segments_current(c, site, cafe, ny,
                                          fixture_ms("2024-03-04T12:00:00Z"), now, 8), 0);
        assert_int_equal(segments_current(c, site, cafe, ny,
                                          fixture_ms("2024-03-04T17:00:00Z"), now, 8), 2);
    }
    segments_free(c);
    site_free(site);
}

static void test_collection(void **state)
{
    (void)state;
    struct segments *c = tree_segments();
    assert_int_equal(segments_find(c, "tsm_3"), 2);
    assert_int_equal(segments_find(c, "tsm_9"), SEGMENTS_NONE);
    assert_int_equal(segments_find(NULL, "tsm_1"), SEGMENTS_NONE);
    assert_int_equal(segments_find_group(c, "tsg_2"), 1);
    assert_int_equal(segments_find_group_named(c, "Meals"), 0);
    assert_int_equal(segments_find_group_named(c, "meals"), SEGMENTS_NONE);

    /* New ids: 18 digits, one more than any number seen, groups included. */
    char id[SEGMENT_ID_SIZE];
    segments_new_id(c, false, id);
    assert_string_equal(id, "tsm_100000000000000001");
    segments_new_id(c, true, id);
    assert_string_equal(id, "tsg_100000000000000002");
    segments_note_id(c, "tsm_612004642239573898");
    segments_note_id(c, "spc_999999999999999999"); /* another kind: ignored */
    segments_note_id(c, "tsm_12x");                /* not a number: ignored */
    segments_note_id(c, "tsm_99999999999999999999999"); /* too large to count past */
    segments_new_id(c, false, id);
    assert_string_equal(id, "tsm_612004642239573899");

    /* Removing Lunch takes it out of Meals; removing Nowhere empties
     * Nothing, which goes. */
    segments_remove(c, 1);
    assert_int_equal(c->count, 4);
    assert_int_equal(segments_find(c, "tsm_3"), 1);
    assert_int_equal(c->groups[0].segment_ids.count, 1);
    assert_string_equal(c->groups[0].segment_ids.items[0], "tsm_3");
    segments_remove(c, segments_find(c, "tsm_4"));
    assert_int_equal(c->group_count, 1);
    segments_remove(c, 99); /* nothing */
    assert_int_equal(c->count, 3);

    /* tidy: unknown and repeated ids go, and the groups they empty. */
    static const char *const odd[] = { "tsm_1", "tsm_nope", "tsm_1", NULL },
                             *const none[] = { "tsm_nope", NULL };
    add_group(c, "tsg_8", "Odd", odd);
    add_group(c, "tsg_9", "Empty", none);
    segments_tidy(c);
    assert_int_equal(c->group_count, 2);
    assert_string_equal(c->groups[1].id, "tsg_8");
    assert_int_equal(c->groups[1].segment_ids.count, 1);
    segments_free(c);
    segments_free(NULL);
}

/* --- from the spaces' own lists ----------------------------------------------------- */

static void nested(struct space *s, const char *id, const char *name, int32_t start, int32_t end)
{
    struct time_segment *grown =
        realloc(s->time_segments, (s->time_segment_count + 1) * sizeof *grown);
    assert_non_null(grown);
    s->time_segments = grown;
    grown[s->time_segment_count++] = (struct time_segment){ strdup(id), strdup(name), start, end,
                                                            WEEKDAYS };
}

static void nested_group(struct space *s, const char *id, const char *name)
{
    struct named_ref *grown =
        realloc(s->time_segment_groups, (s->time_segment_group_count + 1) * sizeof *grown);
    assert_non_null(grown);
    s->time_segment_groups = grown;
    grown[s->time_segment_group_count++] = (struct named_ref){ strdup(id), strdup(name) };
}

/* As a real GET /spaces/ shows them: children repeat what they inherit. */
static void test_from_nested(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct space *s = fixture_add_space(site, "spc_hq", "HQ", SPACE_TYPE_BUILDING, NULL);
    nested(s, "tsm_1", "Office hours", 8 * H, 18 * H);
    nested_group(s, "tsg_work", "Work");
    s = fixture_add_space(site, "spc_floor", "Floor 1", SPACE_TYPE_FLOOR, "spc_hq");
    nested(s, "tsm_1", "Office hours", 8 * H, 18 * H);
    nested_group(s, "tsg_work", "Work");
    s = fixture_add_space(site, "spc_cafe", "Cafe", SPACE_TYPE_SPACE, "spc_floor");
    nested(s, "tsm_1", "Office hours", 8 * H, 18 * H);
    nested(s, "tsm_2", "Breakfast", 7 * H, 9 * H);
    nested(s, "tsm_3", "Lunch", 11 * H, 13 * H);
    nested_group(s, "tsg_meals", "Meals");
    nested_group(s, "tsg_work", "Work");
    s = fixture_add_space(site, "spc_kiosk", "Kiosk", SPACE_TYPE_SPACE, NULL);
    nested(s, "tsm_3", "Lunch", 11 * H, 13 * H);
    nested_group(s, "tsg_meals", "Meals");
    assert_int_equal(site_link(site), 0);

    struct segments *c = NULL;
    assert_int_equal(segments_from_nested(site, &c), 0);
    assert_non_null(c);
    assert_int_equal(c->count, 3);
    /* Office hours: linked at HQ only; the floor and the cafe inherit it. */
    assert_string_equal(c->items[0].time.id, "tsm_1");
    assert_string_equal(c->items[0].time.name, "Office hours");
    assert_int_equal(c->items[0].space_ids.count, 1);
    assert_string_equal(c->items[0].space_ids.items[0], "spc_hq");
    assert_int_equal(c->items[0].time.start_second, 8 * H);
    assert_int_equal(c->items[0].time.days, WEEKDAYS);
    /* Lunch: on the cafe and on the kiosk. */
    assert_int_equal(c->items[2].space_ids.count, 2);
    /* Groups: what every space showing them lists.  Meals: the cafe has
     * office hours, breakfast and lunch, the kiosk lunch: lunch.  Work:
     * office hours. */
    assert_int_equal(c->group_count, 2);
    assert_string_equal(c->groups[0].id, "tsg_work");
    assert_int_equal(c->groups[0].segment_ids.count, 1);
    assert_string_equal(c->groups[0].segment_ids.items[0], "tsm_1");
    assert_string_equal(c->groups[1].name, "Meals");
    assert_int_equal(c->groups[1].segment_ids.count, 1);
    assert_string_equal(c->groups[1].segment_ids.items[0], "tsm_3");
    segments_free(c);

    /* The monitor's view: the cafe's own three, no more (the ancestors add
     * nothing new); the floor's one. */
    const struct time_segment *list[8];
    assert_int_equal(segments_nested_for_space(site, site_find_space(site, "spc_cafe"), list, 8),
                     3);
    assert_int_equal(segments_nested_for_space(site, site_find_space(site, "spc_floor"), list, 8),
                     1);
    site_free(site);

    /* No space carries one: no collection. */
    site = tree_site();
    assert_int_equal(segments_from_nested(site, &c), 0);
    assert_null(c);
    /* A server that lists only a space's own: the ancestors' are added. */
    nested(&site->spaces[site_find_space(site, "spc_hq")], "tsm_1", "Office hours", 8 * H, 18 * H);
    nested(&site->spaces[site_find_space(site, "spc_cafe")], "tsm_2", "Lunch", 11 * H, 13 * H);
    assert_int_equal(segments_nested_for_space(site, site_find_space(site, "spc_nook"), list, 8),
                     2);
    assert_string_equal(list[0]->id, "tsm_2"); /* the closest first */
    assert_string_equal(list[1]->id, "tsm_1");
    site_free(site);
}

/* --- JSON --------------------------------------------------------------------------- */

static json_t *parse(const char *text)
{
    struct wire_error err;
    wire_error_clear(&err);
    json_t *json = wire_json_parse(text, strlen(text), "test", &err);
    if (!json)
        fail_msg("%s", err.message);
    return json;
}

static void expect_decode_error(const char *segments, const char *groups, const char *message)
{
    json_t *a = segments ? parse(segments) : NULL, *b = groups ? parse(groups) : NULL;
    struct segments *c = (struct segments *)1;
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_segments(a, b, &c, &err), -1);
    assert_null(c);
    assert_string_equal(err.message, message);
    fixture_assert_one_line(err.message);
    json_decref(a);
    json_decref(b);
}

static void test_json(void **state)
{
    (void)state;
    json_t *list = parse(
        "{\"total\": 3, \"next\": null, \"previous\": null, \"results\": ["
        " {\"id\": \"tsm_1\", \"label\": \"Lunch\", \"start\": \"11:30\", \"end\": \"13:30:00\","
        "  \"spaces\": [\"spc_a\", {\"space_id\": \"spc_b\", \"name\": \"B\"}, \"spc_a\"],"
        "  \"days\": [\"Friday\", \"Monday\"]},"
        " {\"id\": \"tsm_2\", \"name\": \"Night\", \"start\": \"22:00\", \"end\": \"06:00\","
        "  \"days\": [\"Saturday\"]},"
        " {\"id\": \"tsm_1\", \"label\": \"Repeated\", \"start\": \"01:00\", \"end\": \"02:00\"}"
        "]}");
    json_t *groups = parse("[{\"id\": \"tsg_1\", \"name\": \"All\", \"time_segments\":"
                           " [\"tsm_1\", {\"id\": \"tsm_2\"}, \"tsm_nope\"]},"
                           " {\"id\": \"tsg_2\", \"name\": \"Gone\", \"time_segments\": []}]");
    struct segments *c = NULL;
    struct wire_error err;
    wire_error_clear(&err);
    if (wire_decode_segments(list, groups, &c, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(c->count, 2); /* the repeated id is left out */
    assert_string_equal(c->items[0].time.name, "Lunch");
    assert_int_equal(c->items[0].time.start_second, 11 * H + 30 * 60);
    assert_int_equal(c->items[0].time.days, WEEKDAY_MONDAY | WEEKDAY_FRIDAY);
    assert_int_equal(c->items[0].space_ids.count, 2);
    assert_string_equal(c->items[0].space_ids.items[1], "spc_b");
    assert_string_equal(c->items[1].time.name, "Night");
    assert_int_equal(c->items[1].space_ids.count, 0);
    assert_int_equal(c->group_count, 1); /* the empty one goes */
    assert_int_equal(c->groups[0].segment_ids.count, 2);

    /* Encoded as GET shows it: only the spaces the site knows, with names. */
    struct site *site = site_new();
    fixture_add_space(site, "spc_b", "Bee", SPACE_TYPE_SPACE, NULL);
    assert_int_equal(site_link(site), 0);
    json_t *one = wire_encode_segment(c, 0, site);
    char *text = json_dumps(one, JSON_COMPACT);
    assert_string_equal(text, "{\"id\":\"tsm_1\",\"label\":\"Lunch\",\"start\":\"11:30:00\","
                              "\"end\":\"13:30:00\",\"spaces\":[{\"space_id\":\"spc_b\","
                              "\"name\":\"Bee\"}],\"days\":[\"Monday\",\"Friday\"]}");
    free(text);
    json_decref(one);
    one = wire_encode_space_segment(&c->items[1].time);
    text = json_dumps(one, JSON_COMPACT);
    assert_string_equal(text, "{\"id\":\"tsm_2\",\"name\":\"Night\",\"start\":\"22:00:00\","
                              "\"end\":\"06:00:00\",\"days\":[\"Saturday\"]}");
    free(text);
    json_decref(one);

    /* The state form keeps every id and reads back the same. */
    json_t *state_json = wire_encode_segments(c, site);
    struct segments *back = NULL;
    assert_int_equal(wire_decode_segments(json_object_get(state_json, "time_segments"),
                                          json_object_get(state_json, "time_segment_groups"),
                                          &back, &err),
                     0);
    json_t *again = wire_encode_segments(back, site);
    assert_true(json_equal(state_json, again));
    assert_int_equal(back->items[0].space_ids.count, 2);
    json_decref(again);
    json_decref(state_json);
    segments_free(back);
    segments_free(c);
    site_free(site);
    json_decref(list);
    json_decref(groups);

    /* Nothing at all is an empty collection. */
    assert_int_equal(wire_decode_segments(NULL, NULL, &c, &err), 0);
    assert_int_equal(c->count, 0);
    segments_free(c);

    expect_decode_error("[{\"id\": \"tsm_1\", \"label\": \"x\", \"start\": \"25:00\","
                        " \"end\": \"26:00\"}]",
                        NULL,
                        "time_segments[0] (tsm_1): field \"start\": expected a time "
                        "of day \"HH:MM\" or \"HH:MM:SS\", got \"25:00\"");
    expect_decode_error("[{\"id\": \"tsm_1\", \"start\": \"01:00\", \"end\": \"02:00\","
                        " \"spaces\": [7]}]",
                        NULL,
                        "time_segments[0] (tsm_1): field \"spaces[0]\": expected an id or an "
                        "object with \"space_id\", got an integer");
    expect_decode_error("{\"results\": 3}", NULL,
                        "time_segments: field \"results\": expected an array, got an integer");
}

static void test_json_errors(void **state)
{
    (void)state;
    expect_decode_error("[1]", NULL, "time_segments[0]: expected an object, got an integer");
    expect_decode_error("[]", "[{\"name\": \"x\"}]",
                        "time_segment_groups[0]: field \"id\" is missing");
    expect_decode_error("[]", "{}", "time_segment_groups: expected an array, got an object");
}

/* --- site files ---------------------------------------------------------------------- */

static struct site *parse_site(const char *text)
{
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    if (site_file_parse(site, text, strlen(text), "site.json", &err) != 0)
        fail_msg("%s", err.message);
    return site;
}

static void test_site_file(void **state)
{
    (void)state;
    /* A site-level list wins over what the spaces carry. */
    struct site *site = parse_site(
        "{\"spaces\": ["
        " {\"id\": \"spc_hq\", \"space_type\": \"building\","
        "  \"time_segments\": [{\"id\": \"tsm_9\", \"name\": \"Ignored\", \"start\": \"01:00\","
        "   \"end\": \"02:00\", \"days\": [\"Monday\"]}]},"
        " {\"id\": \"spc_floor\", \"space_type\": \"floor\", \"parent_id\": \"spc_hq\"}],"
        " \"time_segments\": [{\"id\": \"tsm_1\", \"label\": \"Office\", \"start\": \"08:00\","
        "   \"end\": \"18:00\", \"days\": [\"Monday\"], \"spaces\": [\"spc_hq\"]}],"
        " \"time_segment_groups\": [{\"id\": \"tsg_1\", \"name\": \"Work\","
        "   \"time_segments\": [\"tsm_1\"]}]}");
    assert_non_null(site->segments);
    assert_int_equal(site->segments->count, 1);
    assert_string_equal(site->segments->items[0].time.name, "Office");
    assert_int_equal(site->segments->group_count, 1);
    assert_int_equal(segments_reach(site->segments, 0, site, site_find_space(site, "spc_floor")),
                     SEGMENT_INHERITED);
    site_free(site);

    /* Without one, the spaces' lists make it. */
    site = parse_site("[{\"id\": \"spc_hq\", \"time_segments\": [{\"id\": \"tsm_9\","
                      " \"name\": \"Early\", \"start\": \"01:00\", \"end\": \"02:00\","
                      " \"days\": [\"Monday\"]}]}]");
    assert_non_null(site->segments);
    assert_int_equal(site->segments->count, 1);
    assert_string_equal(site->segments->items[0].space_ids.items[0], "spc_hq");
    site_free(site);

    /* None at all: none. */
    site = parse_site("[{\"id\": \"spc_hq\"}]");
    assert_null(site->segments);
    site_free(site);

    /* An error names the file, the element and the field. */
    site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    static const char bad[] = "{\"spaces\": [], \"time_segments\": [{\"id\": \"tsm_1\","
                              " \"start\": \"08:00\", \"end\": \"18:00\","
                              " \"days\": [\"Funday\"]}]}";
    assert_int_equal(site_file_parse(site, bad, strlen(bad), "site.json", &err), -1);
    assert_string_equal(err.message, "site.json: time_segments[0] (tsm_1): field "
                                     "\"days[0]\": expected a weekday (Monday to Sunday), got "
                                     "\"Funday\"");
    site_free(site);

    /* The demo's segments and groups. */
    char path[4096];
    fixture_path("../../data/demo-campus.json", path, sizeof path);
    site = site_new();
    if (site_file_load(site, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_non_null(site->segments);
    assert_int_equal(site->segments->count, 6);
    assert_int_equal(site->segments->group_count, 2);
    size_t lunch = segments_find(site->segments, "tsm_612004642239573898");
    assert_int_not_equal(lunch, SEGMENTS_NONE);
    assert_string_equal(site->segments->items[lunch].time.name, "Lunch");
    /* Core Hours is on the buildings: Level 1 of Harbor inherits it. */
    size_t core = segments_find(site->segments, "tsm_612004699432390916");
    assert_int_equal(segments_reach(site->segments, core, site,
                                    site_find_space(site, "spc_594214077030723049")),
                     SEGMENT_INHERITED);
    site_free(site);
}

int main(void)
{
    struct stat st;
    if (stat(ZONEINFO, &st) == 0 && S_ISDIR(st.st_mode))
        system_db = tzdb_new(ZONEINFO);
    else
        fprintf(stderr, "test_segments: %s is missing (install the Debian package tzdata): the "
                        "tests in real zones are skipped\n", ZONEINFO);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_names),
        cmocka_unit_test(test_contains_utc),
        cmocka_unit_test(test_contains_in_a_zone),
        cmocka_unit_test(test_contains_across_midnight),
        cmocka_unit_test(test_contains_on_dst_days),
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_current),
        cmocka_unit_test(test_collection),
        cmocka_unit_test(test_from_nested),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_site_file),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tzdb_free(system_db);
    return failed;
}
