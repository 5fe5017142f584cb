/* test_codec.c — the JSON codecs (wire/json_util, json_model, json_stream)
 * against every example of the Density API v2 reference and against broken
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/counts.h"
#include "core/event.h"
#include "core/site.h"
#include "fixture.h"
#include "wire/json_model.h"
#include "wire/json_stream.h"
#include "wire/json_util.h"

/* --- helpers ---------------------------------------------------------------------------------- */

/* JSON written with ' for " so that the tests stay readable. */
static json_t *parse_q(const char *text)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t jerr;
    json_t *json = json_loads(copy, 0, &jerr);
    if (!json)
        fail_msg("test JSON does not parse: %s: %s", jerr.text, copy);
    free(copy);
    return json;
}

static const struct site_problem *find_problem(const struct site *site,
                                               enum site_problem_kind kind, const char *id)
{
    for (size_t i = 0; i < site->problem_count; i++)
        if (site->problems[i].kind == kind && site->problems[i].id &&
            strcmp(site->problems[i].id, id) == 0)
            return &site->problems[i];
    return NULL;
}

/* Every key of the reference's example is in the encoded object, recursively
 * (objects in both, and the first elements of non-empty arrays in both).  The
 * encoder may write null where the example has a value the model does not keep. */
static void assert_has_shape(const json_t *reference, const json_t *encoded, const char *path)
{
    if (json_is_object(reference) && json_is_object(encoded)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)reference, key, value) {
            const json_t *mine = json_object_get(encoded, key);
            if (!mine)
                fail_msg("encoded object lacks %s.%s", path, key);
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            assert_has_shape(value, mine, sub);
        }
    } else if (json_is_array(reference) && json_is_array(encoded) &&
               json_array_size(reference) > 0 && json_array_size(encoded) > 0) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s[0]", path);
        assert_has_shape(json_array_get(reference, 0), json_array_get(encoded, 0), sub);
    }
}

static struct wire_page page_of(const json_t *json, const char *what)
{
    struct wire_page page;
    struct wire_error err;
    wire_error_clear(&err);
    if (wire_decode_page(json, what, &page, &err) != 0)
        fail_msg("%s", err.message);
    return page;
}

/* --- fixtures that are not valid JSON --------------------------------------------------------- */

static void test_invalid_fixtures_fail_with_position(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *prefix; /* name, line and column */
        const char *reason; /* what jansson says, in part */
    } cases[] = {
        { "api/pagination.json", "pagination.json: line 6 column 5: invalid JSON: ",
          "invalid token" },
        { "api/space-events.json", "space-events.json: line 20 column 5: invalid JSON: ",
          "invalid token" },
        { "api/count-samples-5m.json", "count-samples-5m.json: line 65 column 3: invalid JSON: ",
          "invalid token" },
        { "api/total-entrances-1d.json",
          "total-entrances-1d.json: line 61 column 5: invalid JSON: ", "invalid token" },
        { "api/list-doorways.json", "list-doorways.json: line 43 column 1: invalid JSON: ",
          "expected near '}'" },
        { "api/update-webhook.json", "update-webhook.json: line 13 column 1: invalid JSON: ",
          "end of file expected" },
        { "api/webhook-payload.json", "webhook-payload.json: line 10 column 1: invalid JSON: ",
          "end of file expected" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct wire_error err;
        wire_error_clear(&err);
        json_t *json = fixture_json(cases[i].file, &err);
        assert_null(json);
        fixture_assert_one_line(err.message);
        if (strncmp(err.message, cases[i].prefix, strlen(cases[i].prefix)) != 0)
            fail_msg("expected \"%s...\", got \"%s\"", cases[i].prefix, err.message);
        if (!strstr(err.message, cases[i].reason))
            fail_msg("expected \"%s\" in \"%s\"", cases[i].reason, err.message);
    }
}

/* --- fixtures: spaces ------------------------------------------------------------------------- */

static void test_fixture_list_spaces(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/list-spaces.json");
    struct wire_page page = page_of(json, "spaces list");
    assert_int_equal(page.total, 2);
    assert_null(page.next);
    assert_null(page.previous);
    assert_int_equal(json_array_size(page.results), 2);

    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    /* Two spaces with one id, and a "description" key given twice: both decode. */
    assert_int_equal(wire_decode_space_list(site, page.results, "spaces", &err), 0);
    assert_int_equal(site->space_count, 2);
    const struct space *hq = &site->spaces[0], *office = &site->spaces[1];
    assert_string_equal(hq->id, "spc_575377614718369795");
    assert_string_equal(hq->name, "Headquarters");
    assert_null(hq->parent_id);
    assert_int_equal(hq->type, SPACE_TYPE_BUILDING);
    assert_null(hq->function);
    assert_string_equal(hq->time_zone, "America/New_York");
    assert_false(hq->daily_reset_present);
    assert_int_equal(hq->daily_reset_minute, 4 * 60);
    assert_int_equal(hq->current_count, 3);
    assert_true(hq->capacity.present);
    assert_int_equal(hq->capacity.value, 65);
    assert_false(hq->target_capacity.present);
    assert_int_equal(hq->safe_mode, SAFE_MODE_NONE);
    assert_false(hq->safe_threshold_value.present);
    assert_int_equal(hq->counting_mode, COUNTING_DOORWAYS);
    assert_true(hq->sensors_total.present);
    assert_int_equal(hq->sensors_total.value, 1);
    assert_int_equal(hq->ancestry_count, 0);
    assert_string_equal(office->name, "Main Office");
    assert_string_equal(office->parent_id, "spc_575377614718369795");
    assert_string_equal(office->function, "office");
    assert_int_equal(office->ancestry_count, 1);
    assert_string_equal(office->ancestry[0].name, "Headquarters");
    assert_int_equal(office->current_count, 30);

    /* The duplicate is site_link()'s to report. */
    assert_int_equal(site_link(site), 0);
    const struct site_problem *dup =
        find_problem(site, SITE_PROBLEM_DUPLICATE_ID, "spc_575377614718369795");
    assert_non_null(dup);
    assert_true(site->spaces[1].flags & SPACE_FLAG_DUPLICATE_ID);
    site_free(site);
    json_decref(json);
}

static void test_fixture_get_space(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/get-space.json");
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_space(site, json, &err), 0);
    assert_int_equal(site->space_count, 1);
    const struct space *s = &site->spaces[0];
    assert_string_equal(s->id, "spc_452554024357462439");
    assert_string_equal(s->name, "Conference Rm A");
    assert_string_equal(s->parent_id, "spc_352554024357462131");
    assert_int_equal(s->ancestry_count, 2);
    assert_string_equal(s->ancestry[0].name, "Floor A"); /* closest first */
    assert_string_equal(s->ancestry[1].id, "spc_552573639257462532");
    assert_string_equal(s->function, "conference_room");
    assert_true(s->daily_reset_present);
    assert_int_equal(s->daily_reset_minute, 13 * 60);
    assert_int_equal(s->current_count, 5);
    assert_int_equal(s->capacity.value, 50);
    assert_int_equal(s->tags.count, 1);
    assert_string_equal(s->tags.items[0], "tech_garden");
    assert_int_equal(s->time_segment_count, 1);
    assert_string_equal(s->time_segments[0].id, "tsm_578329221793841160");
    assert_string_equal(s->time_segments[0].name, "Main Lunchtime");
    assert_int_equal(s->time_segments[0].start_second, 11 * 3600);
    assert_int_equal(s->time_segments[0].end_second, 12 * 3600);
    assert_int_equal(s->time_segments[0].days, WEEKDAY_MONDAY | WEEKDAY_TUESDAY |
                                                   WEEKDAY_WEDNESDAY | WEEKDAY_THURSDAY |
                                                   WEEKDAY_FRIDAY);
    assert_int_equal(s->time_segment_group_count, 1);
    assert_string_equal(s->time_segment_groups[0].name, "All Lunches");

    assert_int_equal(site->link_count, 1);
    const struct link *l = &site->links[0];
    assert_string_equal(l->id, "lnk_835699047305052422");
    assert_string_equal(l->space_id, "spc_452554024357462439");
    assert_string_equal(l->doorway_id, "drw_452554070478029236");
    assert_string_equal(l->doorway_name, "Front Door");
    assert_int_equal(l->placement, 1);
    site_free(site);
    json_decref(json);
}

static void test_fixture_create_and_update_space(void **state)
{
    (void)state;
    struct wire_error err;
    wire_error_clear(&err);
    struct site *site = site_new();
    json_t *created = fixture_json_ok("api/create-space.json");
    json_t *updated = fixture_json_ok("api/update-space.json");
    assert_int_equal(wire_decode_space(site, created, &err), 0);
    assert_int_equal(wire_decode_space(site, updated, &err), 0);

    const struct space *kitchen = &site->spaces[0];
    assert_string_equal(kitchen->name, "Kitchen");
    assert_true(kitchen->daily_reset_present); /* "04:00" written out */
    assert_int_equal(kitchen->daily_reset_minute, 4 * 60);
    assert_false(kitchen->capacity.present);
    assert_int_equal(kitchen->sensors_total.value, 0);
    assert_int_equal(kitchen->ancestry_count, 0);

    const struct space *big = &site->spaces[1];
    assert_string_equal(big->name, "Big Kitchen");
    assert_int_equal(big->type, SPACE_TYPE_BUILDING);
    assert_string_equal(big->function, "lab");
    assert_string_equal(big->time_zone, "America/Los_Angeles");
    assert_int_equal(big->capacity.value, 100);
    assert_int_equal(big->target_capacity.value, 50);
    assert_int_equal(big->safe_capacity.value, 20);
    assert_int_equal(big->safe_mode, SAFE_MODE_SAFE_CAPACITY);
    assert_true(big->safe_threshold_value.present);
    assert_true(big->safe_threshold_value.value == 0.8);
    assert_int_equal(big->max_dwell_minutes.value, 100);
    site_free(site);
    json_decref(created);
    json_decref(updated);
}

/* Answers the monitor has no model for still parse, and the readers get at them. */
static void test_fixture_small_replies(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *field;
        const char *value;
    } cases[] = {
        { "api/tag-space.json", "tag_name", "tech_garden" },
        { "api/tag-doorway.json", "tag_name", "tech_garden" },
        { "api/assign-team.json", "team_name", "HR" },
        { "api/assign-team.json", "id", "ast_839584474655096000" },
        { "api/get-tag.json", "name", "tech_garden" },
        { "api/create-webhook.json", "endpoint", "https://your-website.com/webhook_action/" },
        { "api/get-webhook.json", "id", "whk_579141278554390567" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = fixture_json_ok(cases[i].file);
        struct wire_reader r;
        struct wire_error err;
        const char *value = NULL;
        assert_int_equal(wire_reader_open(&r, json, cases[i].file, &err), WIRE_OK);
        assert_int_equal(wire_read_string(&r, cases[i].field, WIRE_REQUIRED, &value), WIRE_OK);
        assert_string_equal(value, cases[i].value);
        json_decref(json);
    }
}

static void test_fixture_get_tag(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/get-tag.json");
    struct wire_reader r, item;
    struct wire_error err;
    const json_t *spaces = NULL;
    assert_int_equal(wire_reader_open(&r, json, "tag", &err), WIRE_OK);
    assert_int_equal(wire_read_array(&r, "spaces", WIRE_REQUIRED, &spaces), WIRE_OK);
    assert_int_equal(json_array_size(spaces), 3);
    static const int64_t counts[] = { 3, 7, 1 };
    for (size_t i = 0; i < 3; i++) {
        int64_t count = -1;
        assert_int_equal(wire_read_element(&r, "spaces", spaces, i, &item), WIRE_OK);
        assert_int_equal(wire_read_int(&item, "current_count", WIRE_REQUIRED, 0, INT64_MAX,
                                       &count), WIRE_OK);
        assert_int_equal(count, counts[i]);
    }
    json_decref(json);
}

static void test_fixture_list_tags_total_disagrees(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/list-tags.json");
    struct wire_page page = page_of(json, "tags list");
    assert_int_equal(page.total, 1); /* as written, though it lists two */
    assert_int_equal(json_array_size(page.results), 2);
    json_decref(json);
}

static void test_fixture_webhook_subscriptions(void **state)
{
    (void)state;
    json_t *list = fixture_json_ok("api/list-webhooks.json");
    struct wire_page page = page_of(list, "webhooks list");
    assert_int_equal(page.total, 1);
    struct wire_reader r, item;
    struct wire_error err;
    bool enabled = false;
    const char *type = NULL;
    assert_int_equal(wire_reader_open(&r, list, "webhooks list", &err), WIRE_OK);
    assert_int_equal(wire_read_element(&r, "results", page.results, 0, &item), WIRE_OK);
    assert_int_equal(wire_read_bool(&item, "enabled", WIRE_REQUIRED, &enabled), WIRE_OK);
    assert_true(enabled);
    assert_int_equal(wire_read_string(&item, "name", WIRE_NULL_OK, &type), WIRE_ABSENT);
    assert_int_equal(wire_read_string(&item, "type", WIRE_REQUIRED, &type), WIRE_OK);
    assert_string_equal(type, "counts");
    json_decref(list);

    json_t *created = fixture_json_ok("api/get-webhook.json");
    struct wire_reader headers;
    const char *authorization = NULL;
    assert_int_equal(wire_reader_open(&r, created, "webhook", &err), WIRE_OK);
    assert_int_equal(wire_read_object(&r, "headers", WIRE_REQUIRED, &headers), WIRE_OK);
    assert_int_equal(wire_read_string(&headers, "Authorization", WIRE_REQUIRED, &authorization),
                     WIRE_OK);
    assert_string_equal(authorization, "Bearer xyzzy");
    /* A nested reader names the whole path. */
    assert_int_equal(wire_read_string(&headers, "X-Missing", WIRE_REQUIRED, &authorization),
                     WIRE_ERROR);
    assert_string_equal(err.message, "webhook: field \"headers.X-Missing\" is missing");
    json_decref(created);
}

/* --- fixtures: time segments ------------------------------------------------------------------ */

static void test_fixture_time_segments(void **state)
{
    (void)state;
    struct wire_error err;
    wire_error_clear(&err);
    struct time_segment segment;

    /* /time_segments/ names a segment "label"; spaces say "name". */
    json_t *one = fixture_json_ok("api/get-time-segment.json");
    assert_int_equal(wire_decode_time_segment(one, NULL, &segment, &err), 0);
    assert_string_equal(segment.id, "tsm_579017521479286820");
    assert_string_equal(segment.name, "Early Lunch");
    assert_int_equal(segment.start_second, 11 * 3600);
    assert_int_equal(segment.end_second, 12 * 3600);
    assert_int_equal(segment.days, WEEKDAY_MONDAY | WEEKDAY_WEDNESDAY | WEEKDAY_FRIDAY);
    wire_time_segment_clear(&segment);
    json_decref(one);

    json_t *created = fixture_json_ok("api/create-time-segment.json");
    assert_int_equal(wire_decode_time_segment(created, NULL, &segment, &err), 0);
    assert_string_equal(segment.name, "Early Lunch");
    wire_time_segment_clear(&segment);
    json_decref(created);

    json_t *updated = fixture_json_ok("api/update-time-segment.json");
    assert_int_equal(wire_decode_time_segment(updated, NULL, &segment, &err), 0);
    assert_string_equal(segment.name, "Early Lunch on Weekends");
    assert_int_equal(segment.days, WEEKDAY_SATURDAY | WEEKDAY_SUNDAY);
    wire_time_segment_clear(&segment);
    json_decref(updated);

    json_t *list = fixture_json_ok("api/list-time-segments.json");
    struct wire_page page = page_of(list, "time segments list");
    assert_int_equal(page.total, 2);
    assert_int_equal(wire_decode_time_segment(json_array_get(page.results, 1), "results[1]",
                                              &segment, &err), 0);
    assert_string_equal(segment.name, "Late Lunch");
    assert_int_equal(segment.start_second, 12 * 3600);
    wire_time_segment_clear(&segment);
    json_decref(list);

    json_t *bad = parse_q("{'id': 'tsm_1', 'label': 'x', 'start': '11:00:00', 'end': '12:00',"
                          " 'days': ['Monday', 'Funday']}");
    assert_int_equal(wire_decode_time_segment(bad, NULL, &segment, &err), -1);
    assert_string_equal(err.message, "time segment tsm_1: field \"days[1]\": expected a weekday "
                                     "(Monday to Sunday), got \"Funday\"");
    json_decref(bad);
}

/* --- fixtures: doorways ----------------------------------------------------------------------- */

static void test_fixture_list_doorways_count(void **state)
{
    (void)state;
    /* The verbatim example has a trailing comma (see the invalid-fixtures test);
     * this copy without it shows that "count" stands in for "total". */
    json_t *json = fixture_json_ok("api/list-doorways-fixed.json");
    struct wire_page page = page_of(json, "doorways list");
    assert_int_equal(page.total, 2);
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_doorway_list(site, page.results, "doorways", &err), 0);
    assert_int_equal(site->doorway_count, 2);
    const struct doorway *d = &site->doorways[0];
    assert_string_equal(d->id, "drw_437303389773103967");
    assert_string_equal(d->name, "Conference Room Door");
    assert_string_equal(d->sensor_serial, "Z458467949888405826");
    assert_null(d->description);
    assert_int_equal(d->tags.count, 1);
    assert_int_equal(site->link_count, 2);
    assert_string_equal(site->links[1].id, "lnk_81417582672240001");
    assert_string_equal(site->links[1].space_id, "spc_546324050188690001");
    assert_string_equal(site->links[1].space_name, "NYC Office");
    assert_string_equal(site->links[1].doorway_name, "Office Door");
    assert_int_equal(site->links[1].placement, 1);
    site_free(site);
    json_decref(json);
}

static void test_fixture_single_doorways(void **state)
{
    (void)state;
    struct wire_error err;
    wire_error_clear(&err);
    struct site *site = site_new();
    json_t *created = fixture_json_ok("api/create-doorway.json");
    json_t *got = fixture_json_ok("api/get-doorway.json");
    json_t *updated = fixture_json_ok("api/update-doorway.json");
    assert_int_equal(wire_decode_doorway(site, created, &err), 0);
    assert_int_equal(wire_decode_doorway(site, got, &err), 0);
    assert_int_equal(wire_decode_doorway(site, updated, &err), 0);

    assert_null(site->doorways[0].sensor_serial); /* null: no sensor yet */
    assert_string_equal(site->doorways[0].description, "The doorway to the Kitchen");
    assert_string_equal(site->doorways[1].description,
                        "The doorway to the Conference Room (inside the Office)");
    assert_string_equal(site->doorways[2].name, "Conference Room Door (Updated)");
    /* Get Doorway leaves link_id out. */
    assert_int_equal(site->link_count, 2);
    assert_null(site->links[0].id);
    assert_string_equal(site->links[0].space_id, "spc_439805443284402880");
    assert_string_equal(site->links[0].space_name, "Conference Room");
    assert_int_equal(site->links[0].placement, 1);
    site_free(site);
    json_decref(created);
    json_decref(got);
    json_decref(updated);
}

/* --- fixtures: sensors ------------------------------------------------------------------------ */

static void test_fixture_list_sensors(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/list-sensors.json");
    struct wire_page page = page_of(json, "sensors list");
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_sensor_list(site, page.results, "sensors", &err), 0);
    assert_int_equal(site->sensor_count, 2);
    const struct sensor *s = &site->sensors[0];
    assert_string_equal(s->serial, "Z458914847325684272");
    assert_string_equal(s->doorway_id, "drw_458687903724209131");
    assert_string_equal(s->doorway_name, "Conference Room Door");
    assert_string_equal(s->sensor_type, "s5");
    assert_int_equal(s->status, SENSOR_STATUS_ONLINE);
    assert_true(s->last_heartbeat_present);
    /* Written without a zone; read as UTC. */
    assert_int_equal(s->last_heartbeat_ms, fixture_ms("2016-09-19T15:45:00Z"));
    assert_string_equal(s->firmware_version, "6966-35a94c6-shiny-tracking-engine-s5_1g-internal");
    assert_string_equal(site->sensors[1].serial, "A0DJZ003");
    site_free(site);
    json_decref(json);
}

static void test_fixture_get_sensor_without_serial(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/get-sensor.json");
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_sensor(site, json, &err), 0);
    assert_null(site->sensors[0].serial);
    assert_string_equal(site->sensors[0].doorway_name, "Kitchen Door");
    assert_int_equal(site->sensors[0].status, SENSOR_STATUS_ONLINE);
    site_free(site);
    json_decref(json);
}

/* --- fixtures: counts ------------------------------------------------------------------------- */

static void test_fixture_space_counts(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/space-counts.json");
    struct count_page page;
    count_page_init(&page);
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_count_page(json, &page, &err), 0);
    assert_int_equal(page.total, 2);
    assert_null(page.next);
    const struct count_metrics *m = &page.metrics;
    assert_true(m->present);
    assert_int_equal(m->entrances.total.value, 40);
    assert_true(m->entrances.average.value == 1.5);
    assert_true(m->entrances.peak.value.value == 6);
    assert_int_equal(m->entrances.peak.timestamp_ms, fixture_ms("2020-08-30T20:00:00Z"));
    assert_int_equal(m->exits.total.value, 38);
    assert_true(m->count.average.value == 1.1);
    assert_true(m->count.min.value.present);
    assert_true(m->count.min.value.value == 0);
    assert_int_equal(m->count.max.timestamp_ms, fixture_ms("2020-08-31T15:00:00Z"));
    assert_false(m->target_utilization.average.present);
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        assert_int_equal(m->target_utilization.duration_seconds[band], 0); /* "0:00:00" */

    assert_int_equal(page.sample_count, 2);
    const struct count_sample *s = &page.samples[0];
    assert_int_equal(s->timestamp_ms, fixture_ms("2020-08-30T15:00:00Z"));
    assert_int_equal(s->start_ms, fixture_ms("2020-08-30T15:00:00Z"));
    /* "15:59:59.999999+00:00": microseconds, cut to the millisecond. */
    assert_int_equal(s->end_ms, fixture_ms("2020-08-30T15:59:59.999Z"));
    assert_int_equal(s->analytics.max, 1);
    assert_int_equal(s->analytics.events, 4);
    assert_int_equal(s->analytics.entrances, 2);
    assert_false(s->analytics.utilization.present);
    assert_true(s->analytics.entry_rate.present);
    assert_true(s->analytics.entry_rate.value == 0.0);
    assert_true(page.samples[1].analytics.exit_rate.value == 0.1);
    count_page_clear(&page);
    json_decref(json);
}

static void test_fixture_count_samples_and_total_entrances(void **state)
{
    (void)state;
    struct count_page page;
    count_page_init(&page);
    struct wire_error err;
    wire_error_clear(&err);

    json_t *samples = fixture_json_ok("api/count-samples-5m-fixed.json");
    assert_int_equal(wire_decode_count_page(samples, &page, &err), 0);
    assert_int_equal(page.total, 288); /* one of 288 shown */
    assert_int_equal(page.sample_count, 1);
    assert_int_equal(page.samples[0].end_ms, fixture_ms("2019-09-19T08:04:59.999Z"));
    assert_int_equal(page.metrics.entrances.peak.timestamp_ms, fixture_ms("2019-09-19T20:10:00Z"));
    json_decref(samples);

    /* The daily example's analytics have no utilization nor rates. */
    json_t *daily = fixture_json_ok("api/total-entrances-1d-fixed.json");
    assert_int_equal(wire_decode_count_page(daily, &page, &err), 0);
    assert_int_equal(page.total, 7);
    const struct count_analytics *a = &page.samples[0].analytics;
    assert_int_equal(a->max, 43);
    assert_int_equal(a->events, 468);
    assert_int_equal(a->entrances, 234);
    assert_false(a->utilization.present);
    assert_false(a->target_utilization.present);
    assert_false(a->entry_rate.present);
    assert_false(a->exit_rate.present);
    assert_int_equal(page.samples[0].end_ms, fixture_ms("2017-09-18T07:59:59.999Z"));
    count_page_clear(&page);
    json_decref(daily);
}

/* --- fixtures: events, sockets, webhooks ------------------------------------------------------ */

static void test_fixture_space_events(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/space-events-fixed.json");
    struct wire_page page = page_of(json, "space events");
    assert_int_equal(page.total, 138);
    struct space_event e;
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_space_event(json_array_get(page.results, 0), NULL, &e, &err), 0);
    assert_string_equal(e.id, "evt_459087893936210613");
    assert_string_equal(e.sensor_serial, "Z457234837531526031");
    assert_string_equal(e.doorway_id, "drw_452554070478029236");
    assert_string_equal(e.space_id, "");
    assert_int_equal(e.timestamp_ms, fixture_ms("2016-09-19T15:32:10.409Z"));
    assert_int_equal(e.direction, -1);
    assert_false(e.count_present);
    assert_int_equal(wire_decode_space_event(json_array_get(page.results, 1), NULL, &e, &err), 0);
    assert_int_equal(e.direction, 1);

    /* Encoding gives back the reference's row exactly. */
    json_t *again = wire_encode_space_event(&e);
    assert_non_null(again);
    assert_true(json_equal(again, json_array_get(page.results, 1)));
    json_decref(again);
    json_decref(json);
}

static void test_fixture_sensor_events(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/sensor-events.json");
    struct wire_page page = page_of(json, "sensor events");
    struct sensor_event e;
    struct wire_error err;
    wire_error_clear(&err);
    static const int trajectories[] = { 1, -1 };
    for (size_t i = 0; i < 2; i++) {
        json_t *row = json_array_get(page.results, i);
        assert_int_equal(wire_decode_sensor_event(row, NULL, &e, &err), 0);
        assert_string_equal(e.sensor_serial, "Z444944692392493397");
        assert_string_equal(e.doorway_id, "drw_452554070478029236");
        assert_int_equal(e.trajectory, trajectories[i]);
        json_t *again = wire_encode_sensor_event(&e);
        assert_true(json_equal(again, row));
        json_decref(again);
    }
    assert_int_equal(e.timestamp_ms, fixture_ms("2017-09-19T15:00:19.003Z"));
    json_decref(json);
}

static void test_fixture_sockets(void **state)
{
    (void)state;
    json_t *json = fixture_json_ok("api/sockets.json");
    struct wire_socket_reply reply;
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_socket_reply(json, &reply, &err), 0);
    assert_string_equal(reply.url, "wss://sockets.density.io:8443/v2/?code=skc_fQhnu2a");
    assert_int_equal(reply.ttl_seconds, 300);
    json_t *again = wire_encode_socket_reply(reply.url, reply.ttl_seconds);
    assert_true(json_equal(again, json));
    json_decref(again);
    wire_socket_reply_clear(&reply);
    assert_null(reply.url);
    json_decref(json);
}

static void test_fixture_websocket_message(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("api/websocket-message.json", &len);
    struct stream_message m;
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_stream_message(text, len, &m, &err), WIRE_STREAM_COUNT);
    assert_true(m.payload.count_present);
    assert_int_equal(m.payload.count, 0);
    assert_int_equal(m.payload.direction, -1);
    assert_string_equal(m.payload.id, "evt_643916192641188838");
    assert_string_equal(m.payload.space_id, "spc_578610575982985330");
    assert_int_equal(m.payload.timestamp_ms, fixture_ms("2019-03-18T20:53:03.647Z"));
    assert_string_equal(m.type, "count");
    assert_string_equal(m.request_id, "5245250ce4a447e18f513b1863c80ea0");
    assert_string_equal(m.version, "v2");

    /* The encoder writes the same message back. */
    char out[WIRE_STREAM_MESSAGE_MAX];
    int written = wire_encode_stream_message(&m, out, sizeof out);
    assert_true(written > 0);
    assert_int_equal((size_t)written, strlen(out));
    json_t *reference = json_loadb(text, len, 0, NULL);
    json_t *encoded = json_loads(out, 0, NULL);
    assert_non_null(encoded);
    assert_true(json_equal(reference, encoded));
    json_decref(reference);
    json_decref(encoded);
    free(text);
}

static void test_fixture_webhook_payloads(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = fixture_read("api/webhook-payload.json", &len);
    struct wire_error err;
    size_t offset = 0;
    static const struct {
        const char *space_id;
        int direction;
        int64_t count;
    } expected[] = { { "spc_439805443284402880", 1, 32 }, { "spc_439805443284402881", -1, 104 } };
    for (size_t i = 0; i < 2; i++) {
        json_t *json = wire_json_parse_next(text, len, &offset, "webhook-payload.json", &err);
        if (!json)
            fail_msg("%s", err.message);
        struct webhook_payload p;
        assert_int_equal(wire_decode_webhook_payload(json, &p, &err), 0);
        assert_string_equal(p.event.space_id, expected[i].space_id);
        assert_string_equal(p.event.doorway_id, "drw_437303389773103967");
        assert_string_equal(p.organization_id, "org_123");
        assert_string_equal(p.organization_name, "Density");
        assert_int_equal(p.event.direction, expected[i].direction);
        assert_int_equal(p.event.count, expected[i].count);
        assert_int_equal(p.event.timestamp_ms, fixture_ms("2018-09-19T01:02:03.001Z"));
        json_t *again = wire_encode_webhook_payload(&p);
        assert_true(json_equal(again, json));
        json_decref(again);
        json_decref(json);
    }
    /* Nothing but the final newline is left. */
    assert_null(wire_json_parse_next(text, len, &offset, "webhook-payload.json", &err));
    assert_string_equal(err.message, "");
    free(text);
}

static void test_parse_next_reports_position_in_whole_text(void **state)
{
    (void)state;
    static const char text[] = "{\"a\": 1}\n{\"b\": 2}\n  {\"c\": ]";
    size_t offset = 0;
    struct wire_error err;
    for (int i = 0; i < 2; i++) {
        json_t *json = wire_json_parse_next(text, strlen(text), &offset, "stream", &err);
        assert_non_null(json);
        json_decref(json);
    }
    assert_null(wire_json_parse_next(text, strlen(text), &offset, "stream", &err));
    if (strncmp(err.message, "stream: line 3 column 9: invalid JSON: ", 39) != 0)
        fail_msg("got %s", err.message);
}

/* --- space decoding errors -------------------------------------------------------------------- */

struct error_case {
    const char *json;
    const char *message;
};

static void expect_space_error(const struct error_case *c)
{
    json_t *json = parse_q(c->json);
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_space(site, json, &err), -1);
    assert_string_equal(err.message, c->message);
    fixture_assert_one_line(err.message);
    /* Nothing of a bad object reaches the site. */
    assert_int_equal(site->space_count, 0);
    assert_int_equal(site->link_count, 0);
    site_free(site);
    json_decref(json);
}

static void test_space_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "[]", "space: expected an object, got an array" },
        { "{'name': 'x'}", "space: field \"id\" is missing" },
        { "{'id': null}", "space: field \"id\" is null, expected a string" },
        { "{'id': 7}", "space: field \"id\": expected a string, got an integer" },
        { "{'id': ''}", "space: field \"id\": expected a non-empty string, got \"\"" },
        { "{'id': 'spc_1', 'capacity': 'ten'}",
          "space spc_1: field \"capacity\": expected an integer or null, got a string" },
        { "{'id': 'spc_1', 'capacity': 3.0}",
          "space spc_1: field \"capacity\": expected an integer or null, got a real number" },
        { "{'id': 'spc_1', 'capacity': -1}",
          "space spc_1: field \"capacity\": expected an integer >= 0, got -1" },
        { "{'id': 'spc_1', 'current_count': null}",
          "space spc_1: field \"current_count\" is null, expected an integer" },
        { "{'id': 'spc_1', 'current_count': true}",
          "space spc_1: field \"current_count\": expected an integer, got a boolean" },
        { "{'id': 'spc_1', 'name': ['a']}",
          "space spc_1: field \"name\": expected a string or null, got an array" },
        { "{'id': 'spc_1', 'space_type': 'room'}",
          "space spc_1: field \"space_type\": expected one of space, floor, building, campus, "
          "got \"room\"" },
        { "{'id': 'spc_1', 'safe_threshold_mode': 'WHEN_FULL'}",
          "space spc_1: field \"safe_threshold_mode\": expected SAFE_CAPACITY, "
          "UTILIZATION_PERC_TARGET, UTILIZATION_PERC_LEGAL or null, got \"WHEN_FULL\"" },
        { "{'id': 'spc_1', 'safe_threshold_value': '0.8'}",
          "space spc_1: field \"safe_threshold_value\": expected a number or null, got a string" },
        { "{'id': 'spc_1', 'safe_threshold_value': -0.5}",
          "space spc_1: field \"safe_threshold_value\": expected a number >= 0, got -0.5" },
        { "{'id': 'spc_1', 'counting_mode': 'magic'}",
          "space spc_1: field \"counting_mode\": expected doorways or component_spaces, "
          "got \"magic\"" },
        { "{'id': 'spc_1', 'daily_reset': '25:00'}",
          "space spc_1: field \"daily_reset\": expected a time of day \"HH:MM\" or "
          "\"HH:MM:SS\", got \"25:00\"" },
        { "{'id': 'spc_1', 'daily_reset': 400}",
          "space spc_1: field \"daily_reset\": expected a string or null, got an integer" },
        { "{'id': 'spc_1', 'doorways': {}}",
          "space spc_1: field \"doorways\": expected an array or null, got an object" },
        { "{'id': 'spc_1', 'doorways': ['drw_1']}",
          "space spc_1: field \"doorways[0]\": expected an object, got a string" },
        { "{'id': 'spc_1', 'doorways': [{'id': 'drw_1', 'sensor_placement': 2}]}",
          "space spc_1: field \"doorways[0].sensor_placement\": expected 1 or -1, got 2" },
        { "{'id': 'spc_1', 'doorways': [{'id': 'drw_1', 'sensor_placement': 1},"
          " {'id': 'drw_2'}]}",
          "space spc_1: field \"doorways[1].sensor_placement\" is missing" },
        { "{'id': 'spc_1', 'doorways': [{'id': 'drw_1', 'sensor_placement': 1.0}]}",
          "space spc_1: field \"doorways[0].sensor_placement\": expected 1 or -1, "
          "got a real number" },
        { "{'id': 'spc_1', 'doorways': [{'sensor_placement': 1}]}",
          "space spc_1: field \"doorways[0].id\" is missing" },
        /* Links decoded before a later error are not left behind in the site. */
        { "{'id': 'spc_1', 'doorways': [{'id': 'drw_1', 'sensor_placement': 1}],"
          " 'tags': ['a', 5]}",
          "space spc_1: field \"tags[1]\": expected a string, got an integer" },
        { "{'id': 'spc_1', 'ancestry': [{'name': 'x'}]}",
          "space spc_1: field \"ancestry[0].id\" is missing" },
        { "{'id': 'spc_1', 'component_spaces': [4]}",
          "space spc_1: field \"component_spaces[0]\": expected a space id or an object with "
          "\"id\", got an integer" },
        { "{'id': 'spc_1', 'time_segments': [{'id': 'tsm_1', 'start': '9:00', 'end': '10:00'}]}",
          "space spc_1: field \"time_segments[0].start\": expected a time of day \"HH:MM\" or "
          "\"HH:MM:SS\", got \"9:00\"" },
        { "{'id': 'spc_1', 'sensors_total': 1e3}",
          "space spc_1: field \"sensors_total\": expected an integer or null, got a real number" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_space_error(&cases[i]);
}

static void test_space_accepts_variants(void **state)
{
    (void)state;
    json_t *json = parse_q(
        "{'id': 'spc_1', 'name': 'Lab', 'unknown_field': {'deep': [1, 2, {'x': null}]},"
        " 'safe_threshold_mode': 'UTILIZATION_PERC_LEGAl', 'safe_threshold_value': 1,"
        " 'daily_reset': '23:30', 'counting_mode': 'component_spaces',"
        " 'component_spaces': ['spc_2', {'id': 'spc_3', 'name': 'Three'}],"
        " 'doorways': [{'id': 'drw_1', 'sensor_placement': -1, 'link_id': null}],"
        " 'ancestry': null, 'tags': null, 'time_segments': null, 'capacity': null}");
    struct site *site = site_new();
    struct wire_error err;
    wire_error_clear(&err);
    assert_int_equal(wire_decode_space(site, json, &err), 0);
    const struct space *s = &site->spaces[0];
    assert_int_equal(s->safe_mode, SAFE_MODE_PERC_LEGAL); /* the reference's spelling */
    assert_true(s->safe_threshold_value.present);
    assert_true(s->safe_threshold_value.value == 1.0);
    assert_int_equal(s->daily_reset_minute, 23 * 60 + 30);
    assert_int_equal(s->counting_mode, COUNTING_COMPONENT_SPACES);
    assert_int_equal(s->component_space_ids.count, 2);
    assert_string_equal(s->component_space_ids.items[1], "spc_3");
    assert_int_equal(s->current_count, 0); /* missing: a new space */
    assert_false(s->capacity.present);
    assert_int_equal(site->links[0].placement, -1);
    assert_null(site->links[0].id);
    assert_string_equal(site->links[0].space_name, "Lab");
    site_free(site);
    json_decref(json);
}

static void test_space_label_names_position(void **state)
{
    (void)state;
    json_t *json = parse_q("{'id': 'spc_x', 'capacity': 'lots'}");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_space_at(site, json, "spaces[3]", &err), -1);
    assert_string_equal(err.message, "spaces[3] (spc_x): field \"capacity\": expected an integer "
                                     "or null, got a string");
    json_t *list = json_pack("[{s:s}, O]", "id", "spc_ok", json);
    assert_int_equal(wire_decode_space_list(site, list, "spaces", &err), -1);
    assert_string_equal(err.message, "spaces[1] (spc_x): field \"capacity\": expected an integer "
                                     "or null, got a string");
    assert_int_equal(site->space_count, 1); /* the good one before it stays */
    assert_int_equal(wire_decode_space_list(site, json, "spaces", &err), -1);
    assert_string_equal(err.message, "spaces: expected an array, got an object");
    json_decref(list);
    site_free(site);
    json_decref(json);
}

/* Ids are untrusted: control characters never reach a message, and a huge id
 * is cut. */
static void test_untrusted_ids_in_messages(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    json_t *json = json_pack("{s:s, s:s}", "id", "spc\x1b[2J\x07\xc2\x9b", "capacity", "x");
    assert_int_equal(wire_decode_space(site, json, &err), -1);
    fixture_assert_one_line(err.message);
    assert_null(strstr(err.message, "\x1b"));
    assert_null(strstr(err.message, "\xc2\x9b")); /* C1 CSI */
    assert_non_null(strstr(err.message, "[2J"));
    json_decref(json);

    size_t big = 1024 * 1024;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'a', big);
    huge[big] = '\0';
    json = json_pack("{s:s, s:s}", "id", huge, "capacity", "x");
    assert_int_equal(wire_decode_space(site, json, &err), -1);
    fixture_assert_one_line(err.message);
    assert_true(strlen(err.message) < 200);
    assert_non_null(strstr(err.message, "\xe2\x80\xa6")); /* cut, with an ellipsis */
    assert_non_null(strstr(err.message, "field \"capacity\""));
    json_decref(json);

    /* A 1 MiB name is a valid name: kept whole. */
    json = json_pack("{s:s, s:s}", "id", "spc_big", "name", huge);
    assert_int_equal(wire_decode_space(site, json, &err), 0);
    assert_int_equal(strlen(site->spaces[0].name), big);
    json_decref(json);
    free(huge);
    site_free(site);
}

/* --- doorway and sensor decoding errors ------------------------------------------------------- */

static void test_doorway_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "'drw_1'", "doorway: expected an object, got a string" },
        { "{'name': 'Front'}", "doorway: field \"id\" is missing" },
        { "{'id': 'drw_1', 'sensor_serial_number': 42}",
          "doorway drw_1: field \"sensor_serial_number\": expected a string or null, "
          "got an integer" },
        { "{'id': 'drw_1', 'spaces': [{'id': 'spc_1', 'sensor_placement': 0}]}",
          "doorway drw_1: field \"spaces[0].sensor_placement\": expected 1 or -1, got 0" },
        { "{'id': 'drw_1', 'spaces': [{'id': 'spc_1', 'sensor_placement': null}]}",
          "doorway drw_1: field \"spaces[0].sensor_placement\" is null, expected 1 or -1" },
        { "{'id': 'drw_1', 'spaces': [{'id': 'spc_1', 'sensor_placement': 1, 'link_id': 3}]}",
          "doorway drw_1: field \"spaces[0].link_id\": expected a string or null, "
          "got an integer" },
        { "{'id': 'drw_1', 'description': false}",
          "doorway drw_1: field \"description\": expected a string or null, got a boolean" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t jerr;
        char text[512];
        snprintf(text, sizeof text, "%s", cases[i].json);
        for (char *p = text; *p; p++)
            if (*p == '\'')
                *p = '"';
        json_t *json = json_loads(text, JSON_DECODE_ANY, &jerr);
        assert_non_null(json);
        struct site *site = site_new();
        struct wire_error err;
        assert_int_equal(wire_decode_doorway(site, json, &err), -1);
        assert_string_equal(err.message, cases[i].message);
        assert_int_equal(site->doorway_count, 0);
        assert_int_equal(site->link_count, 0);
        site_free(site);
        json_decref(json);
    }
}

static void test_sensor_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "{'serial_number': 5}",
          "sensor: field \"serial_number\": expected a string or null, got an integer" },
        { "{'serial_number': 'Z1', 'last_heartbeat': 'yesterday'}",
          "sensor Z1: field \"last_heartbeat\": expected an ISO 8601 timestamp, "
          "got \"yesterday\"" },
        { "{'serial_number': 'Z1', 'last_heartbeat': 1568000000}",
          "sensor Z1: field \"last_heartbeat\": expected an ISO 8601 timestamp or null, "
          "got an integer" },
        { "{'serial_number': 'Z1', 'status': 1}",
          "sensor Z1: field \"status\": expected a string or null, got an integer" },
        { "{'serial_number': 'Z1', 'doorway_id': {}}",
          "sensor Z1: field \"doorway_id\": expected a string or null, got an object" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = parse_q(cases[i].json);
        struct site *site = site_new();
        struct wire_error err;
        assert_int_equal(wire_decode_sensor(site, json, &err), -1);
        assert_string_equal(err.message, cases[i].message);
        assert_int_equal(site->sensor_count, 0);
        site_free(site);
        json_decref(json);
    }

    /* Unknown statuses are not errors; heartbeats take any zone form. */
    json_t *json = parse_q("{'serial_number': 'Z1', 'status': 'maintenance',"
                           " 'last_heartbeat': '2016-09-19T17:45:00+02:00'}");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_sensor_at(site, json, "sensors[0]", &err), 0);
    assert_int_equal(site->sensors[0].status, SENSOR_STATUS_UNKNOWN);
    assert_int_equal(site->sensors[0].last_heartbeat_ms, fixture_ms("2016-09-19T15:45:00Z"));
    site_free(site);
    json_decref(json);
}

/* --- pages and counts: errors ----------------------------------------------------------------- */

static void test_page_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        { "{'total': 1}", "spaces list: field \"results\" is missing" },
        { "{'total': 1, 'results': {}}",
          "spaces list: field \"results\": expected an array, got an object" },
        { "{'results': []}",
          "spaces list: field \"total\" is missing (and there is no \"count\")" },
        { "{'total': '2', 'results': []}",
          "spaces list: field \"total\": expected an integer, got a string" },
        { "{'count': -2, 'results': []}",
          "spaces list: field \"count\": expected an integer >= 0, got -2" },
        { "{'total': 0, 'next': 2, 'results': []}",
          "spaces list: field \"next\": expected a string or null, got an integer" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = parse_q(cases[i].json);
        struct wire_page page;
        struct wire_error err;
        assert_int_equal(wire_decode_page(json, "spaces list", &page, &err), -1);
        assert_string_equal(err.message, cases[i].message);
        json_decref(json);
    }
    json_t *both = parse_q("{'total': 5, 'count': 7, 'next': 'https://x/?page=2',"
                           " 'results': [1]}");
    struct wire_page page = page_of(both, "list");
    assert_int_equal(page.total, 5);
    assert_string_equal(page.next, "https://x/?page=2");
    json_decref(both);
}

/* A sample to break in each case below. */
static const char good_counts[] =
    "{'total': 1, 'next': null, 'previous': null, 'results': [{"
    "'timestamp': '2020-08-30T15:00:00Z', 'count': 2, 'interval': {"
    "'start': '2020-08-30T15:00:00Z', 'end': '2020-08-30T15:59:59.999Z', 'analytics': {"
    "'min': 0, 'max': 3, 'events': 4, 'entrances': 2, 'exits': 2}}}]}";

static void expect_counts_error(const char *from, const char *to, const char *message)
{
    char text[1024];
    const char *at = strstr(good_counts, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_counts), good_counts, to,
             at + strlen(from));
    json_t *json = parse_q(text);
    struct count_page page;
    count_page_init(&page);
    struct wire_error err;
    assert_int_equal(wire_decode_count_page(json, &page, &err), -1);
    assert_string_equal(err.message, message);
    assert_int_equal(page.sample_count, 0);
    assert_null(page.samples);
    count_page_clear(&page);
    json_decref(json);
}

static void test_count_sample_errors(void **state)
{
    (void)state;
    json_t *json = parse_q(good_counts);
    struct count_page page;
    count_page_init(&page);
    struct wire_error err;
    assert_int_equal(wire_decode_count_page(json, &page, &err), 0);
    assert_int_equal(page.sample_count, 1);
    assert_false(page.metrics.present);
    count_page_clear(&page);
    json_decref(json);

    expect_counts_error("'count': 2, ", "", "counts: field \"results[0].count\" is missing");
    expect_counts_error("'count': 2", "'count': null",
                        "counts: field \"results[0].count\" is null, expected an integer");
    expect_counts_error("'count': 2", "'count': 2.5",
                        "counts: field \"results[0].count\": expected an integer, "
                        "got a real number");
    expect_counts_error("'count': 2", "'count': -1",
                        "counts: field \"results[0].count\": expected an integer >= 0, got -1");
    expect_counts_error("'min': 0", "'min': null",
                        "counts: field \"results[0].interval.analytics.min\" is null, "
                        "expected an integer");
    expect_counts_error("'exits': 2", "'exits': '2'",
                        "counts: field \"results[0].interval.analytics.exits\": expected an "
                        "integer, got a string");
    expect_counts_error("'timestamp': '2020-08-30T15:00:00Z'", "'timestamp': 'soon'",
                        "counts: field \"results[0].timestamp\": expected an ISO 8601 "
                        "timestamp, got \"soon\"");
    expect_counts_error("'end': '2020-08-30T15:59:59.999Z', ", "",
                        "counts: field \"results[0].interval.end\" is missing");
    expect_counts_error("'analytics': {", "'analytics': 3, 'x': {",
                        "counts: field \"results[0].interval.analytics\": expected an object, "
                        "got an integer");
    expect_counts_error("'results': [{", "'results': [7, {",
                        "counts: field \"results[0]\": expected an object, got an integer");
    expect_counts_error("'total': 1", "'total': 'one'",
                        "counts: field \"total\": expected an integer, got a string");
    expect_counts_error("'next': null", "'next': 'x', 'metrics': {'entrances': []}",
                        "counts: field \"metrics.entrances\": expected an object or null, "
                        "got an array");
    expect_counts_error("'next': null",
                        "'next': null, 'metrics': {'target_utilization': {'durations': "
                        "{'40': 'an hour'}}}",
                        "counts: field \"metrics.target_utilization.durations.40\": expected a "
                        "duration \"H:MM:SS\", got \"an hour\"");
    expect_counts_error("'next': null",
                        "'next': null, 'metrics': {'count': {'max': {'value': 'x'}}}",
                        "counts: field \"metrics.count.max.value\": expected a number or null, "
                        "got a string");
}

/* --- websocket messages ----------------------------------------------------------------------- */

static const char good_message[] =
    "{'payload': {'count': 4, 'direction': 1, 'event_id': 'evt_1', 'space_id': 'spc_1',"
    " 'timestamp': '2019-03-18T20:53:03.647Z', 'type': 'count'},"
    " 'request_id': 'req', 'version': 'v2'}";

static int decode_message_q(const char *text_q, struct stream_message *m,
                            struct wire_error *err)
{
    char *text = strdup(text_q);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    int result = wire_decode_stream_message(text, strlen(text), m, err);
    free(text);
    return result;
}

static void expect_message_error(const char *from, const char *to, const char *message)
{
    char text[1024];
    const char *at = strstr(good_message, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_message), good_message, to,
             at + strlen(from));
    struct stream_message m;
    struct wire_error err;
    assert_int_equal(decode_message_q(text, &m, &err), -1);
    assert_string_equal(err.message, message);
}

static void test_websocket_message_errors(void **state)
{
    (void)state;
    struct stream_message m;
    struct wire_error err;
    assert_int_equal(decode_message_q(good_message, &m, &err), WIRE_STREAM_COUNT);
    assert_int_equal(m.payload.count, 4);

    expect_message_error("'count': 4, ", "",
                         "websocket message: field \"payload.count\" is missing");
    expect_message_error("'count': 4", "'count': null",
                         "websocket message: field \"payload.count\" is null, expected an integer");
    expect_message_error("'count': 4", "'count': '4'",
                         "websocket message: field \"payload.count\": expected an integer, "
                         "got a string");
    expect_message_error("'count': 4", "'count': 4.0",
                         "websocket message: field \"payload.count\": expected an integer, "
                         "got a real number");
    expect_message_error("'direction': 1", "'direction': 0",
                         "websocket message: field \"payload.direction\": expected 1 or -1, "
                         "got 0");
    expect_message_error("'space_id': 'spc_1',", "",
                         "websocket message: field \"payload.space_id\" is missing");
    expect_message_error("'timestamp': '2019-03-18T20:53:03.647Z'", "'timestamp': 12",
                         "websocket message: field \"payload.timestamp\": expected an ISO 8601 "
                         "timestamp, got an integer");
    expect_message_error("'type': 'count'", "'type': ['count']",
                         "websocket message: field \"payload.type\": expected a string, "
                         "got an array");
    expect_message_error("'request_id': 'req'", "'request_id': 5",
                         "websocket message: field \"request_id\": expected a string or null, "
                         "got an integer");
    expect_message_error("{'payload': {", "{'x': {",
                         "websocket message: field \"payload\" is missing");
    expect_message_error("{'payload': {", "{'payload': 'count', 'x': {",
                         "websocket message: field \"payload\": expected an object, got a string");

    /* Not JSON at all: the dashboard's keep-alive text, a cut message, bad UTF-8. */
    assert_int_equal(wire_decode_stream_message("ping", 4, &m, &err), -1);
    /* jansson points at the last character of the token it stopped at. */
    assert_string_equal(err.message, "websocket message: line 1 column 4: invalid JSON: "
                                     "'[' or '{' expected near 'ping'");
    assert_int_equal(wire_decode_stream_message("{\"payload\": {", 13, &m, &err), -1);
    assert_true(strncmp(err.message, "websocket message: line 1 column ", 33) == 0);
    fixture_assert_one_line(err.message);
    static const char bad_utf8[] = "{\"payload\": \"\xff\xfe\"}";
    assert_int_equal(wire_decode_stream_message(bad_utf8, strlen(bad_utf8), &m, &err), -1);
    assert_non_null(strstr(err.message, "invalid JSON"));
    fixture_assert_one_line(err.message);
    static const char with_nul[] = "{\"payload\": \"a\\u0000b\"}";
    assert_int_equal(wire_decode_stream_message(with_nul, strlen(with_nul), &m, &err), -1);
    fixture_assert_one_line(err.message);
    assert_int_equal(wire_decode_stream_message("[1]", 3, &m, &err), -1);
    assert_string_equal(err.message, "websocket message: expected an object, got an array");
    assert_int_equal(wire_decode_stream_message("", 0, &m, &err), -1);
    fixture_assert_one_line(err.message);
}

static void test_websocket_message_variants(void **state)
{
    (void)state;
    struct stream_message m;
    struct wire_error err;

    /* Unknown fields anywhere are ignored; optional ids may be null. */
    assert_int_equal(decode_message_q(
                         "{'payload': {'count': 1, 'direction': -1, 'event_id': null,"
                         " 'space_id': 'spc_9', 'timestamp': '2019-03-18T20:53:03+00:00',"
                         " 'type': 'count', 'doorway_id': 'drw_1', 'extra': [{}]},"
                         " 'version': 'v2', 'trace': {'a': 1}}",
                         &m, &err),
                     WIRE_STREAM_COUNT);
    assert_string_equal(m.payload.id, "");
    assert_string_equal(m.request_id, "");
    assert_int_equal(m.payload.timestamp_ms, fixture_ms("2019-03-18T20:53:03Z"));

    /* Another type: reported, not decoded as a count. */
    assert_int_equal(decode_message_q("{'payload': {'type': 'presence', 'who': 3}}", &m, &err),
                     WIRE_STREAM_OTHER);
    assert_string_equal(m.type, "presence");

    /* The text need not end with NUL: only len bytes are read. */
    char text[512];
    snprintf(text, sizeof text, "%s", good_message);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    size_t len = strlen(text);
    text[len] = 'X'; /* garbage after the message, beyond len */
    text[len + 1] = '\0';
    assert_int_equal(wire_decode_stream_message(text, len, &m, &err), WIRE_STREAM_COUNT);
}

static void test_websocket_message_long_ids(void **state)
{
    (void)state;
    struct stream_message m;
    struct wire_error err;
    char id[EVENT_ID_MAX + 1];
    char text[1024];

    /* EVENT_ID_MAX - 1 bytes fit... */
    memset(id, 'e', EVENT_ID_MAX - 1);
    id[EVENT_ID_MAX - 1] = '\0';
    snprintf(text, sizeof text, "{'payload': {'count': 1, 'direction': 1, 'event_id': '%s',"
             " 'space_id': 'spc_1', 'timestamp': '2019-03-18T20:53:03Z', 'type': 'count'}}", id);
    assert_int_equal(decode_message_q(text, &m, &err), WIRE_STREAM_COUNT);
    assert_string_equal(m.payload.id, id);

    /* ...one more does not. */
    memset(id, 'e', EVENT_ID_MAX);
    id[EVENT_ID_MAX] = '\0';
    snprintf(text, sizeof text, "{'payload': {'count': 1, 'direction': 1, 'event_id': '%s',"
             " 'space_id': 'spc_1', 'timestamp': '2019-03-18T20:53:03Z', 'type': 'count'}}", id);
    assert_int_equal(decode_message_q(text, &m, &err), -1);
    char expected[256];
    snprintf(expected, sizeof expected, "websocket message: field \"payload.event_id\": longer "
             "than %d bytes (\"%.47s\xe2\x80\xa6\")", EVENT_ID_MAX - 1, id);
    assert_string_equal(err.message, expected);

    /* A 1 MiB id: refused, with a short message. */
    size_t big = 1024 * 1024;
    char *huge = malloc(big + 256);
    assert_non_null(huge);
    int head = snprintf(huge, 256, "{\"payload\": {\"count\": 1, \"direction\": 1, "
                        "\"space_id\": \"");
    memset(huge + head, 's', big);
    snprintf(huge + head + big, 256 - 1, "\", \"timestamp\": \"2019-03-18T20:53:03Z\", "
             "\"type\": \"count\"}}");
    assert_int_equal(wire_decode_stream_message(huge, strlen(huge), &m, &err), -1);
    assert_true(strncmp(err.message, "websocket message: field \"payload.space_id\": longer than",
                        56) == 0);
    assert_true(strlen(err.message) < 200);

    /* A 1 MiB string in a field nobody reads is fine. */
    head = snprintf(huge, 256, "{\"payload\": {\"count\": 1, \"direction\": 1, \"space_id\": "
                    "\"spc_1\", \"timestamp\": \"2019-03-18T20:53:03Z\", \"type\": \"count\"},"
                    " \"padding\": \"");
    memset(huge + head, 'p', big);
    snprintf(huge + head + big, 256 - 1, "\"}");
    assert_int_equal(wire_decode_stream_message(huge, strlen(huge), &m, &err), WIRE_STREAM_COUNT);
    assert_string_equal(m.payload.space_id, "spc_1");
    free(huge);
}

static void test_websocket_message_round_trip(void **state)
{
    (void)state;
    struct stream_message m;
    memset(&m, 0, sizeof m);
    snprintf(m.payload.id, sizeof m.payload.id, "evt_\"quoted\"\\");
    snprintf(m.payload.space_id, sizeof m.payload.space_id, "spc_\x01\ttab");
    m.payload.timestamp_ms = fixture_ms("2021-01-02T03:04:05.678Z");
    m.payload.direction = -1;
    m.payload.count_present = true;
    m.payload.count = INT64_MAX;
    snprintf(m.request_id, sizeof m.request_id, "r1");

    char out[WIRE_STREAM_MESSAGE_MAX];
    int written = wire_encode_stream_message(&m, out, sizeof out);
    assert_true(written > 0);
    struct stream_message back;
    struct wire_error err;
    assert_int_equal(wire_decode_stream_message(out, (size_t)written, &back, &err),
                     WIRE_STREAM_COUNT);
    assert_string_equal(back.payload.id, m.payload.id);
    assert_string_equal(back.payload.space_id, m.payload.space_id);
    assert_int_equal(back.payload.timestamp_ms, m.payload.timestamp_ms);
    assert_int_equal(back.payload.direction, -1);
    assert_int_equal(back.payload.count, INT64_MAX);
    assert_string_equal(back.type, "count"); /* the defaults */
    assert_string_equal(back.version, "v2");
    assert_string_equal(back.request_id, "r1");

    /* Too small a buffer is refused, not overrun. */
    char small[40];
    memset(small, '#', sizeof small);
    assert_int_equal(wire_encode_stream_message(&m, small, sizeof small), -1);
    assert_string_equal(small, "");
    assert_int_equal(wire_encode_stream_message(&m, out, (size_t)written), -1);
    assert_int_equal(wire_encode_stream_message(&m, out, (size_t)written + 1), written);
}

/* --- sockets and webhooks: errors ------------------------------------------------------------- */

static void test_socket_reply_and_webhook_errors(void **state)
{
    (void)state;
    struct wire_socket_reply reply;
    struct wire_error err;
    static const struct error_case socket_cases[] = {
        { "{'url': 'wss://x'}", "sockets reply: field \"ttl\" is missing" },
        { "{'url': null, 'ttl': 300}", "sockets reply: field \"url\" is null, expected a string" },
        { "{'url': 'https://x/', 'ttl': 300}",
          "sockets reply: field \"url\": expected a ws:// or wss:// URL, got \"https://x/\"" },
        { "{'url': 'wss://x', 'ttl': -5}",
          "sockets reply: field \"ttl\": expected an integer >= 0, got -5" },
    };
    for (size_t i = 0; i < sizeof socket_cases / sizeof socket_cases[0]; i++) {
        json_t *json = parse_q(socket_cases[i].json);
        assert_int_equal(wire_decode_socket_reply(json, &reply, &err), -1);
        assert_string_equal(err.message, socket_cases[i].message);
        assert_null(reply.url);
        json_decref(json);
    }

    struct webhook_payload p;
    static const struct error_case webhook_cases[] = {
        { "{'timestamp': '2018-09-19T01:02:03.001Z', 'space_id': 'spc_1', 'direction': 1}",
          "webhook payload: field \"count\" is missing" },
        { "{'timestamp': '2018-09-19T01:02:03.001Z', 'space_id': 'spc_1', 'direction': 2,"
          " 'count': 1}",
          "webhook payload: field \"direction\": expected 1 or -1, got 2" },
        { "{'space_id': 'spc_1', 'direction': 1, 'count': 1}",
          "webhook payload: field \"timestamp\" is missing" },
    };
    for (size_t i = 0; i < sizeof webhook_cases / sizeof webhook_cases[0]; i++) {
        json_t *json = parse_q(webhook_cases[i].json);
        assert_int_equal(wire_decode_webhook_payload(json, &p, &err), -1);
        assert_string_equal(err.message, webhook_cases[i].message);
        json_decref(json);
    }

    /* A long organization name is a name: cut on a character boundary. */
    char name[3 * EVENT_ID_MAX];
    name[0] = '\0';
    for (int i = 0; i < EVENT_ID_MAX; i++)
        strcat(name, "\xc3\xa9"); /* é, two bytes */
    json_t *json = json_pack("{s:s, s:s, s:i, s:i, s:s}", "timestamp", "2018-09-19T01:02:03Z",
                             "space_id", "spc_1", "direction", -1, "count", 0,
                             "organization_name", name);
    assert_int_equal(wire_decode_webhook_payload(json, &p, &err), 0);
    assert_int_equal(strlen(p.organization_name), EVENT_ID_MAX - 2);
    json_decref(json);
}

/* --- round trips ------------------------------------------------------------------------------ */

static void assert_same_refs(const struct named_ref *a, size_t a_count,
                             const struct named_ref *b, size_t b_count)
{
    assert_int_equal(a_count, b_count);
    for (size_t i = 0; i < a_count; i++) {
        assert_string_equal(a[i].id, b[i].id);
        assert_string_equal(a[i].name, b[i].name);
    }
}

static void assert_same_optional_text(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same_space(const struct space *a, const struct space *b)
{
    assert_string_equal(a->id, b->id);
    assert_same_optional_text(a->name, b->name);
    assert_same_optional_text(a->parent_id, b->parent_id);
    assert_int_equal(a->type, b->type);
    assert_same_optional_text(a->function, b->function);
    assert_same_optional_text(a->time_zone, b->time_zone);
    assert_int_equal(a->daily_reset_present, b->daily_reset_present);
    assert_int_equal(a->daily_reset_minute, b->daily_reset_minute);
    assert_int_equal(a->current_count, b->current_count);
    assert_memory_equal(&a->capacity, &b->capacity, sizeof a->capacity);
    assert_memory_equal(&a->target_capacity, &b->target_capacity, sizeof a->target_capacity);
    assert_memory_equal(&a->safe_capacity, &b->safe_capacity, sizeof a->safe_capacity);
    assert_int_equal(a->safe_mode, b->safe_mode);
    assert_int_equal(a->safe_threshold_value.present, b->safe_threshold_value.present);
    assert_true(a->safe_threshold_value.value == b->safe_threshold_value.value);
    assert_memory_equal(&a->max_dwell_minutes, &b->max_dwell_minutes, sizeof a->max_dwell_minutes);
    assert_memory_equal(&a->sensors_total, &b->sensors_total, sizeof a->sensors_total);
    assert_int_equal(a->counting_mode, b->counting_mode);
    assert_int_equal(a->component_space_ids.count, b->component_space_ids.count);
    for (size_t i = 0; i < a->component_space_ids.count; i++)
        assert_string_equal(a->component_space_ids.items[i], b->component_space_ids.items[i]);
    assert_int_equal(a->tags.count, b->tags.count);
    for (size_t i = 0; i < a->tags.count; i++)
        assert_string_equal(a->tags.items[i], b->tags.items[i]);
    assert_same_refs(a->ancestry, a->ancestry_count, b->ancestry, b->ancestry_count);
    assert_same_refs(a->time_segment_groups, a->time_segment_group_count, b->time_segment_groups,
                     b->time_segment_group_count);
    assert_int_equal(a->time_segment_count, b->time_segment_count);
    for (size_t i = 0; i < a->time_segment_count; i++) {
        assert_string_equal(a->time_segments[i].id, b->time_segments[i].id);
        assert_same_optional_text(a->time_segments[i].name, b->time_segments[i].name);
        assert_int_equal(a->time_segments[i].start_second, b->time_segments[i].start_second);
        assert_int_equal(a->time_segments[i].end_second, b->time_segments[i].end_second);
        assert_int_equal(a->time_segments[i].days, b->time_segments[i].days);
    }
}

static void assert_same_link(const struct link *a, const struct link *b)
{
    assert_same_optional_text(a->id, b->id);
    assert_string_equal(a->space_id, b->space_id);
    assert_string_equal(a->doorway_id, b->doorway_id);
    assert_int_equal(a->placement, b->placement);
}

/* Encodes every space of `site`, decodes the result into a new site, links it. */
static struct site *re_decode_spaces(const struct site *site)
{
    struct site *again = site_new();
    struct wire_error err;
    for (site_index i = 0; i < (site_index)site->space_count; i++) {
        json_t *json = wire_encode_space(site, i);
        assert_non_null(json);
        if (wire_decode_space(again, json, &err) != 0)
            fail_msg("%s", err.message);
        json_decref(json);
    }
    assert_int_equal(site_link(again), 0);
    return again;
}

static void test_space_round_trip(void **state)
{
    (void)state;
    json_t *reference = fixture_json_ok("api/get-space.json");
    json_t *updated = fixture_json_ok("api/update-space.json");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_space(site, reference, &err), 0);
    assert_int_equal(wire_decode_space(site, updated, &err), 0);
    json_t *extra = parse_q("{'id': 'spc_c', 'component_spaces': ['spc_452554024357462439'],"
                            " 'counting_mode': 'component_spaces', 'daily_reset': '00:05',"
                            " 'safe_threshold_mode': 'UTILIZATION_PERC_TARGET',"
                            " 'safe_threshold_value': 0.6, 'target_capacity': 10}");
    assert_int_equal(wire_decode_space(site, extra, &err), 0);
    assert_int_equal(site_link(site), 0);

    /* Every key of the reference's example is written. */
    json_t *encoded = wire_encode_space(site, 0);
    assert_non_null(encoded);
    assert_has_shape(reference, encoded, "space");
    json_t *created = fixture_json_ok("api/create-space.json");
    assert_has_shape(created, encoded, "space");
    json_decref(created);
    json_decref(encoded);

    struct site *again = re_decode_spaces(site);
    assert_int_equal(again->space_count, site->space_count);
    for (size_t i = 0; i < site->space_count; i++)
        assert_same_space(&site->spaces[i], &again->spaces[i]);
    assert_int_equal(again->link_count, site->link_count);
    for (size_t i = 0; i < site->link_count; i++)
        assert_same_link(&site->links[i], &again->links[i]);
    /* The doorway's name travels with the link. */
    assert_string_equal(again->links[0].doorway_name, "Front Door");
    site_free(again);
    site_free(site);
    json_decref(extra);
    json_decref(updated);
    json_decref(reference);
}

/* Ancestry comes from the tree once site_link() has placed a space. */
static void test_space_ancestry_from_tree(void **state)
{
    (void)state;
    json_t *json = parse_q(
        "[{'id': 'spc_f', 'name': 'Floor 1', 'space_type': 'floor', 'parent_id': 'spc_b',"
        "  'ancestry': [{'id': 'stale', 'name': 'Stale'}]},"
        " {'id': 'spc_b', 'name': 'Building', 'space_type': 'building', 'parent_id': 'spc_c'},"
        " {'id': 'spc_c', 'name': 'Campus', 'space_type': 'campus'},"
        " {'id': 'spc_o', 'name': 'Orphan', 'parent_id': 'spc_gone',"
        "  'ancestry': [{'id': 'spc_gone', 'name': 'Gone'}]}]");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_space_list(site, json, "spaces", &err), 0);
    assert_int_equal(site_link(site), 0);

    json_t *floor = wire_encode_space(site, 0);
    json_t *expected = parse_q("[{'id': 'spc_b', 'name': 'Building'},"
                               " {'id': 'spc_c', 'name': 'Campus'}]");
    assert_true(json_equal(json_object_get(floor, "ancestry"), expected));
    json_decref(expected);
    json_decref(floor);

    json_t *campus = wire_encode_space(site, 2);
    assert_int_equal(json_array_size(json_object_get(campus, "ancestry")), 0);
    assert_true(json_is_null(json_object_get(campus, "parent_id")));
    json_decref(campus);

    /* An orphan keeps the ancestry it came with. */
    json_t *orphan = wire_encode_space(site, 3);
    expected = parse_q("[{'id': 'spc_gone', 'name': 'Gone'}]");
    assert_true(json_equal(json_object_get(orphan, "ancestry"), expected));
    json_decref(expected);
    json_decref(orphan);
    site_free(site);
    json_decref(json);
}

static void test_doorway_round_trip(void **state)
{
    (void)state;
    json_t *list = fixture_json_ok("api/list-doorways-fixed.json");
    json_t *reference = fixture_json_ok("api/get-doorway.json");
    struct wire_page page = page_of(list, "doorways list");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_doorway_list(site, page.results, "doorways", &err), 0);
    json_t *bare = json_pack("{s:s}", "id", "drw_bare");
    assert_int_equal(wire_decode_doorway(site, bare, &err), 0);
    json_decref(bare);
    assert_int_equal(site_link(site), 0);

    struct site *again = site_new();
    for (site_index i = 0; i < (site_index)site->doorway_count; i++) {
        json_t *json = wire_encode_doorway(site, i);
        assert_non_null(json);
        assert_has_shape(reference, json, "doorway");
        if (wire_decode_doorway(again, json, &err) != 0)
            fail_msg("%s", err.message);
        json_decref(json);
    }
    assert_int_equal(site_link(again), 0);
    assert_int_equal(again->doorway_count, 3);
    for (size_t i = 0; i < site->doorway_count; i++) {
        const struct doorway *a = &site->doorways[i], *b = &again->doorways[i];
        assert_string_equal(a->id, b->id);
        assert_same_optional_text(a->name, b->name);
        assert_same_optional_text(a->description, b->description);
        assert_same_optional_text(a->sensor_serial, b->sensor_serial);
        assert_int_equal(a->tags.count, b->tags.count);
        assert_int_equal(a->link_count, b->link_count);
    }
    for (size_t i = 0; i < site->link_count; i++)
        assert_same_link(&site->links[i], &again->links[i]);
    assert_string_equal(again->links[0].space_name, "SF Office");
    site_free(again);
    site_free(site);
    json_decref(reference);
    json_decref(list);
}

static void test_sensor_round_trip(void **state)
{
    (void)state;
    json_t *list = fixture_json_ok("api/list-sensors.json");
    json_t *reference = fixture_json_ok("api/get-sensor.json");
    struct wire_page page = page_of(list, "sensors list");
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(wire_decode_sensor_list(site, page.results, "sensors", &err), 0);
    assert_int_equal(wire_decode_sensor(site, reference, &err), 0); /* no serial */
    json_t *offline = parse_q("{'serial_number': 'Z9', 'status': 'offline'}");
    assert_int_equal(wire_decode_sensor(site, offline, &err), 0);

    struct site *again = site_new();
    for (site_index i = 0; i < (site_index)site->sensor_count; i++) {
        json_t *json = wire_encode_sensor(site, i);
        assert_non_null(json);
        assert_has_shape(reference, json, "sensor");
        if (wire_decode_sensor(again, json, &err) != 0)
            fail_msg("%s", err.message);
        json_decref(json);
    }
    assert_int_equal(again->sensor_count, site->sensor_count);
    for (size_t i = 0; i < site->sensor_count; i++) {
        const struct sensor *a = &site->sensors[i], *b = &again->sensors[i];
        assert_same_optional_text(a->serial, b->serial);
        assert_same_optional_text(a->doorway_id, b->doorway_id);
        assert_same_optional_text(a->doorway_name, b->doorway_name);
        assert_same_optional_text(a->sensor_type, b->sensor_type);
        assert_same_optional_text(a->firmware_version, b->firmware_version);
        assert_int_equal(a->status, b->status);
        assert_int_equal(a->last_heartbeat_present, b->last_heartbeat_present);
        assert_int_equal(a->last_heartbeat_ms, b->last_heartbeat_ms);
    }
    assert_int_equal(again->sensors[3].status, SENSOR_STATUS_OFFLINE);
    assert_false(again->sensors[3].last_heartbeat_present);
    site_free(again);
    site_free(site);
    json_decref(offline);
    json_decref(reference);
    json_decref(list);
}

static void assert_same_optional_real(optional_real a, optional_real b)
{
    assert_int_equal(a.present, b.present);
    assert_true(a.value == b.value);
}

static void assert_same_timed(const struct timed_value *a, const struct timed_value *b)
{
    assert_same_optional_real(a->value, b->value);
    assert_int_equal(a->timestamp_present, b->timestamp_present);
    assert_int_equal(a->timestamp_ms, b->timestamp_ms);
}

static void assert_same_count_page(const struct count_page *a, const struct count_page *b)
{
    assert_int_equal(a->total, b->total);
    assert_same_optional_text(a->next, b->next);
    assert_same_optional_text(a->previous, b->previous);
    const struct count_metrics *ma = &a->metrics, *mb = &b->metrics;
    assert_int_equal(ma->present, mb->present);
    assert_memory_equal(&ma->entrances.total, &mb->entrances.total, sizeof ma->entrances.total);
    assert_same_optional_real(ma->entrances.average, mb->entrances.average);
    assert_same_timed(&ma->entrances.peak, &mb->entrances.peak);
    assert_memory_equal(&ma->exits.total, &mb->exits.total, sizeof ma->exits.total);
    assert_same_timed(&ma->exits.peak, &mb->exits.peak);
    assert_same_optional_real(ma->count.average, mb->count.average);
    assert_same_timed(&ma->count.min, &mb->count.min);
    assert_same_timed(&ma->count.max, &mb->count.max);
    assert_same_optional_real(ma->target_utilization.average, mb->target_utilization.average);
    assert_same_optional_real(ma->target_utilization.max, mb->target_utilization.max);
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        assert_int_equal(ma->target_utilization.duration_seconds[band],
                         mb->target_utilization.duration_seconds[band]);
    assert_int_equal(a->sample_count, b->sample_count);
    for (size_t i = 0; i < a->sample_count; i++) {
        const struct count_sample *sa = &a->samples[i], *sb = &b->samples[i];
        assert_int_equal(sa->timestamp_ms, sb->timestamp_ms);
        assert_int_equal(sa->count, sb->count);
        assert_int_equal(sa->start_ms, sb->start_ms);
        assert_int_equal(sa->end_ms, sb->end_ms);
        assert_int_equal(sa->analytics.min, sb->analytics.min);
        assert_int_equal(sa->analytics.max, sb->analytics.max);
        assert_int_equal(sa->analytics.events, sb->analytics.events);
        assert_int_equal(sa->analytics.entrances, sb->analytics.entrances);
        assert_int_equal(sa->analytics.exits, sb->analytics.exits);
        assert_same_optional_real(sa->analytics.utilization, sb->analytics.utilization);
        assert_same_optional_real(sa->analytics.target_utilization,
                                  sb->analytics.target_utilization);
        assert_same_optional_real(sa->analytics.entry_rate, sb->analytics.entry_rate);
        assert_same_optional_real(sa->analytics.exit_rate, sb->analytics.exit_rate);
    }
}

static void test_count_page_round_trip(void **state)
{
    (void)state;
    static const char *const files[] = { "api/space-counts.json", "api/count-samples-5m-fixed.json",
                                         "api/total-entrances-1d-fixed.json" };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        json_t *reference = fixture_json_ok(files[f]);
        struct count_page page, again;
        count_page_init(&page);
        count_page_init(&again);
        struct wire_error err;
        assert_int_equal(wire_decode_count_page(reference, &page, &err), 0);
        json_t *encoded = wire_encode_count_page(&page);
        assert_non_null(encoded);
        assert_has_shape(reference, encoded, "counts");
        assert_int_equal(wire_decode_count_page(encoded, &again, &err), 0);
        assert_same_count_page(&page, &again);
        json_decref(encoded);
        count_page_clear(&page);
        count_page_clear(&again);
        json_decref(reference);
    }

    /* Unset parts survive as null; paging links survive as text. */
    struct count_page page, again;
    count_page_init(&page);
    count_page_init(&again);
    page.total = 3;
    page.next = strdup("https://api.density.io/v2/spaces/spc_1/counts/?page=2");
    page.metrics.present = true;
    page.metrics.target_utilization.duration_seconds[2] = 3725;
    page.metrics.exits.peak.value = optional_real_of(2.5);
    struct wire_error err;
    json_t *encoded = wire_encode_count_page(&page);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(json_object_get(encoded, "metrics"),
                                                            "target_utilization"),
                                            "durations"),
                            "80")),
                        "1:02:05");
    assert_int_equal(wire_decode_count_page(encoded, &again, &err), 0);
    assert_same_count_page(&page, &again);
    json_decref(encoded);
    count_page_clear(&page);
    count_page_clear(&again);
}

static void test_event_round_trips(void **state)
{
    (void)state;
    struct wire_error err;
    /* memset: the structs are compared bytewise, padding included. */
    struct space_event e;
    memset(&e, 0, sizeof e);
    e.timestamp_ms = fixture_ms("2020-02-29T23:59:59.999Z");
    e.direction = 1;
    snprintf(e.id, sizeof e.id, "evt_1");
    snprintf(e.doorway_id, sizeof e.doorway_id, "drw_1");
    json_t *json = wire_encode_space_event(&e);
    assert_true(json_is_null(json_object_get(json, "sensor_serial_number")));
    struct space_event back;
    assert_int_equal(wire_decode_space_event(json, NULL, &back, &err), 0);
    assert_memory_equal(&back, &e, sizeof e);
    json_decref(json);

    struct sensor_event s;
    memset(&s, 0, sizeof s);
    s.timestamp_ms = fixture_ms("1999-12-31T23:59:59Z");
    s.trajectory = -1;
    snprintf(s.sensor_serial, sizeof s.sensor_serial, "Z1");
    json = wire_encode_sensor_event(&s);
    struct sensor_event s_back;
    assert_int_equal(wire_decode_sensor_event(json, NULL, &s_back, &err), 0);
    assert_memory_equal(&s_back, &s, sizeof s);
    json_decref(json);

    struct webhook_payload p;
    memset(&p, 0, sizeof p);
    p.event.direction = -1;
    p.event.count_present = true;
    p.event.count = 12;
    snprintf(p.event.space_id, sizeof p.event.space_id, "spc_1");
    json = wire_encode_webhook_payload(&p);
    struct webhook_payload p_back;
    assert_int_equal(wire_decode_webhook_payload(json, &p_back, &err), 0);
    assert_memory_equal(&p_back, &p, sizeof p);
    json_decref(json);

    /* Space and sensor event errors name the row. */
    json = parse_q("{'timestamp': '2020-01-01T00:00:00Z', 'direction': -2}");
    assert_int_equal(wire_decode_space_event(json, "space events results[4]", &back, &err), -1);
    assert_string_equal(err.message, "space events results[4]: field \"direction\": expected 1 "
                                     "or -1, got -2");
    assert_int_equal(wire_decode_sensor_event(json, NULL, &s_back, &err), -1);
    assert_string_equal(err.message, "sensor event: field \"trajectory\" is missing");
    json_decref(json);
}

static void test_page_encoding(void **state)
{
    (void)state;
    json_t *results = json_array();
    json_array_append_new(results, json_integer(1));
    json_t *page = wire_encode_page(results, 89, "https://a/?page=5", NULL);
    json_t *expected = parse_q("{'total': 89, 'next': 'https://a/?page=5', 'previous': null,"
                               " 'results': [1]}");
    assert_true(json_equal(page, expected));
    json_decref(expected);
    json_decref(page);
    assert_null(wire_encode_page(NULL, 0, NULL, NULL)); /* nothing to wrap */
}

/* --- json_util -------------------------------------------------------------------------------- */

static void test_error_helpers(void **state)
{
    (void)state;
    struct wire_error err;
    wire_error_set(&err, "space %s: bad", "spc_1");
    wire_error_prefix(&err, "%s", "demo.json");
    assert_string_equal(err.message, "demo.json: space spc_1: bad");
    wire_error_clear(&err);
    assert_string_equal(err.message, "");
    wire_error_set(NULL, "dropped"); /* allowed */

    /* An over-long message is cut on a character boundary, marked "...". */
    char long_text[2 * WIRE_ERROR_SIZE];
    size_t used = 0;
    while (used + 3 < sizeof long_text - 1) {
        memcpy(long_text + used, "\xe2\x82\xac", 3); /* € */
        used += 3;
    }
    long_text[used] = '\0';
    wire_error_set(&err, "xy%s", long_text);
    size_t len = strlen(err.message);
    assert_true(len < WIRE_ERROR_SIZE);
    assert_true(len > WIRE_ERROR_SIZE - 8);
    assert_string_equal(err.message + len - 3, "...");
    /* What precedes "..." is whole characters: "xy" then euros. */
    assert_int_equal((len - 3 - 2) % 3, 0);

    char safe[WIRE_SAFE_TEXT_SIZE];
    assert_string_equal(wire_safe_text("a\nb\x1b", safe, sizeof safe), "a b\xef\xbf\xbd");
    assert_string_equal(wire_safe_text(NULL, safe, sizeof safe), "(null)");
    assert_string_equal(wire_json_type_name(NULL), "nothing");
}

static void test_reader_flags(void **state)
{
    (void)state;
    json_t *json = parse_q("{'a': null, 'n': 5, 's': 'text', 'r': 2.5, 'b': true}");
    struct wire_reader r;
    struct wire_error err;
    assert_int_equal(wire_reader_open(&r, json, "thing", &err), WIRE_OK);
    int64_t n = -1;
    double real = 0;
    const char *text = NULL;
    /* Missing and null: each accepted only when asked for. */
    assert_int_equal(wire_read_int(&r, "zz", WIRE_MISSING_OK, 0, 10, &n), WIRE_ABSENT);
    assert_int_equal(wire_read_int(&r, "zz", WIRE_NULL_OK, 0, 10, &n), WIRE_ERROR);
    assert_string_equal(err.message, "thing: field \"zz\" is missing");
    assert_int_equal(wire_read_int(&r, "a", WIRE_NULL_OK, 0, 10, &n), WIRE_ABSENT);
    assert_int_equal(wire_read_int(&r, "a", WIRE_MISSING_OK, 0, 10, &n), WIRE_ERROR);
    assert_string_equal(err.message, "thing: field \"a\" is null, expected an integer");
    assert_int_equal(n, -1); /* untouched */
    assert_int_equal(wire_read_int(&r, "n", WIRE_REQUIRED, 0, 4, &n), WIRE_ERROR);
    assert_string_equal(err.message, "thing: field \"n\": expected an integer from 0 to 4, got 5");
    assert_int_equal(wire_read_int(&r, "n", WIRE_REQUIRED, 0, 5, &n), WIRE_OK);
    assert_int_equal(n, 5);
    assert_int_equal(wire_read_real(&r, "n", WIRE_REQUIRED, &real), WIRE_OK); /* ints are numbers */
    assert_true(real == 5.0);
    assert_int_equal(wire_read_real(&r, "r", WIRE_REQUIRED, &real), WIRE_OK);
    assert_true(real == 2.5);
    assert_int_equal(wire_read_real(&r, "s", WIRE_REQUIRED, &real), WIRE_ERROR);
    assert_string_equal(err.message, "thing: field \"s\": expected a number, got a string");
    assert_int_equal(wire_read_string(&r, "b", WIRE_OPTIONAL, &text), WIRE_ERROR);
    assert_string_equal(err.message,
                        "thing: field \"b\": expected a string or null, got a boolean");
    char *copy = strdup("old");
    assert_int_equal(wire_read_strdup(&r, "a", WIRE_OPTIONAL, &copy), WIRE_ABSENT);
    assert_null(copy);
    assert_int_equal(wire_read_strdup(&r, "s", WIRE_OPTIONAL, &copy), WIRE_OK);
    assert_string_equal(copy, "text");
    free(copy);
    json_decref(json);

    json = json_integer(3);
    assert_int_equal(wire_reader_open(&r, json, "thing", &err), WIRE_ERROR);
    assert_string_equal(err.message, "thing: expected an object, got an integer");
    json_decref(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_fixtures_fail_with_position),
        cmocka_unit_test(test_fixture_list_spaces),
        cmocka_unit_test(test_fixture_get_space),
        cmocka_unit_test(test_fixture_create_and_update_space),
        cmocka_unit_test(test_fixture_small_replies),
        cmocka_unit_test(test_fixture_get_tag),
        cmocka_unit_test(test_fixture_list_tags_total_disagrees),
        cmocka_unit_test(test_fixture_webhook_subscriptions),
        cmocka_unit_test(test_fixture_time_segments),
        cmocka_unit_test(test_fixture_list_doorways_count),
        cmocka_unit_test(test_fixture_single_doorways),
        cmocka_unit_test(test_fixture_list_sensors),
        cmocka_unit_test(test_fixture_get_sensor_without_serial),
        cmocka_unit_test(test_fixture_space_counts),
        cmocka_unit_test(test_fixture_count_samples_and_total_entrances),
        cmocka_unit_test(test_fixture_space_events),
        cmocka_unit_test(test_fixture_sensor_events),
        cmocka_unit_test(test_fixture_sockets),
        cmocka_unit_test(test_fixture_websocket_message),
        cmocka_unit_test(test_fixture_webhook_payloads),
        cmocka_unit_test(test_parse_next_reports_position_in_whole_text),
        cmocka_unit_test(test_space_errors),
        cmocka_unit_test(test_space_accepts_variants),
        cmocka_unit_test(test_space_label_names_position),
        cmocka_unit_test(test_untrusted_ids_in_messages),
        cmocka_unit_test(test_doorway_errors),
        cmocka_unit_test(test_sensor_errors),
        cmocka_unit_test(test_page_errors),
        cmocka_unit_test(test_count_sample_errors),
        cmocka_unit_test(test_websocket_message_errors),
        cmocka_unit_test(test_websocket_message_variants),
        cmocka_unit_test(test_websocket_message_long_ids),
        cmocka_unit_test(test_websocket_message_round_trip),
        cmocka_unit_test(test_socket_reply_and_webhook_errors),
        cmocka_unit_test(test_space_round_trip),
        cmocka_unit_test(test_space_ancestry_from_tree),
        cmocka_unit_test(test_doorway_round_trip),
        cmocka_unit_test(test_sensor_round_trip),
        cmocka_unit_test(test_count_page_round_trip),
        cmocka_unit_test(test_event_round_trips),
        cmocka_unit_test(test_page_encoding),
        cmocka_unit_test(test_error_helpers),
        cmocka_unit_test(test_reader_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
