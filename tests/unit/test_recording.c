/* test_recording.c — reading --record recordings (wire/recording): telling
 * a recording from a sensor log by content, giving the bytes back, the
 * header, each kind of line, bad lines with their numbers, playing into
 * core/live, and the committed fixture tests/fixtures/replay/recording.jsonl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/live.h"
#include "core/site.h"
#include "fixture.h"
#include "wire/recording.h"
#include "wire/sensor_log.h"

/* --- helpers ----------------------------------------------------------------- */

#define HEADER_AT(started)                                                                \
    "{\"occtop_recording\":1,\"api_url\":\"http://127.0.0.1:8080/v2\",\"started_at\":\"" \
    started "\",\"site\":{\"name\":\"Test Site\",\"spaces\":["                           \
    "{\"id\":\"spc_1\",\"name\":\"Hall\",\"space_type\":\"building\",\"current_count\":5},"    \
    "{\"id\":\"spc_2\",\"name\":\"Room\",\"space_type\":\"space\",\"parent_id\":\"spc_1\","   \
    "\"current_count\":2}],\"doorways\":[],\"sensors\":[]}}"
#define HEADER HEADER_AT("2024-03-12T16:00:00.000Z")

#define MESSAGE(received, space, count, id)                                                \
    "{\"received_at\":\"" received "\",\"message\":{\"payload\":{\"count\":" #count         \
    ",\"direction\":1,\"event_id\":\"" id "\",\"space_id\":\"" space "\",\"timestamp\":\"" \
    received "\",\"type\":\"count\"},\"request_id\":null,\"version\":\"v2\"}}"

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in: %s", needle, text);
}

/* A recording (or not) read from bytes in memory, named "test.rec". */
struct reader {
    FILE *stream;
    FILE *other;
    struct recording *rec;
    struct recording_entry entry;
    struct wire_error error;
};

static void open_text(struct reader *r, const char *text)
{
    memset(r, 0, sizeof *r);
    r->stream = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(r->stream);
    r->rec = recording_from_stream(r->stream, "test.rec", &r->other, &r->error);
}

static void open_recording(struct reader *r, const char *text)
{
    open_text(r, text);
    if (!r->rec)
        fail_msg("not opened as a recording: %s", r->error.message);
    assert_null(r->other);
}

static void close_reader(struct reader *r)
{
    recording_close(r->rec);
    if (r->other)
        fclose(r->other);
    fclose(r->stream);
}

static void expect_entry(struct reader *r, enum recording_kind kind, size_t line)
{
    enum recording_status status = recording_next(r->rec, &r->entry, &r->error);
    if (status != RECORDING_ENTRY)
        fail_msg("line %zu: expected an entry, got %d: %s", line, (int)status, r->error.message);
    assert_int_equal(r->entry.kind, kind);
    assert_int_equal(r->entry.line, line);
}

static void expect_bad_line(struct reader *r, const char *needle)
{
    assert_int_equal(recording_next(r->rec, &r->entry, &r->error), RECORDING_BAD_LINE);
    fixture_assert_one_line(r->error.message);
    assert_contains(r->error.message, needle);
}

static void expect_end(struct reader *r)
{
    assert_int_equal(recording_next(r->rec, &r->entry, &r->error), RECORDING_END);
    assert_int_equal(recording_next(r->rec, &r->entry, &r->error), RECORDING_END);
}

/* Everything *other gives, which must be `text` byte for byte. */
static void expect_given_back(struct reader *r, const char *text)
{
    assert_null(r->rec);
    assert_non_null(r->other);
    assert_string_equal(r->error.message, "");
    size_t len = strlen(text);
    char *got = malloc(len + 16);
    assert_non_null(got);
    size_t n = fread(got, 1, len + 16, r->other);
    assert_int_equal(n, len);
    assert_memory_equal(got, text, len);
    free(got);
}

/* --- telling the kinds apart ---------------------------------------------------- */

static void test_header_makes_a_recording(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, HEADER "\n");
    struct site *site = recording_site(r.rec);
    assert_int_equal(site->space_count, 2);
    assert_string_equal(site->name, "Test Site");
    assert_int_equal(site->spaces[site_find_space(site, "spc_2")].current_count, 2);
    assert_int_equal(site->spaces[site_find_space(site, "spc_2")].depth, 1);
    assert_int_equal(recording_started(r.rec), fixture_ms("2024-03-12T16:00:00Z"));
    assert_string_equal(recording_api_url(r.rec), "http://127.0.0.1:8080/v2");
    assert_string_equal(recording_name(r.rec), "test.rec");
    assert_int_equal(recording_line(r.rec), 1);
    expect_end(&r);
    close_reader(&r);
}

/* The key decides, wherever it is in the object, after blank lines too. */
static void test_key_order_and_blank_lines(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, "\n  \r\n {\"site\":{\"spaces\":[]},\"started_at\":\"2024-03-12T16:00:00Z\","
                       "\"occtop_recording\":1}\r\n" MESSAGE("2024-03-12T16:00:01.000Z", "spc_9", 1,
                                                             "evt_1") "\r\n");
    assert_int_equal(recording_line(r.rec), 3);
    assert_null(recording_api_url(r.rec));
    assert_int_equal(recording_site(r.rec)->space_count, 0);
    expect_entry(&r, RECORDING_MESSAGE, 4);
    expect_end(&r);
    close_reader(&r);
}

/* Whatever is not a recording is given back whole, for the sensor log. */
static void test_other_files_given_back(void **state)
{
    (void)state;
    static const char *const others[] = {
        "timestamp,trajectory,serial\n2024-03-12T16:00:00Z,1,Z1\n",
        "\n\n{\"timestamp\":\"2024-03-12T16:00:00Z\",\"trajectory\":1,\"sensor_serial_number\":\"Z1\"}\n",
        "{\"total\": 1,\n \"results\": []}\n",
        "[{\"occtop_recording\":1}]\n",
        "{\"payload\":{\"type\":\"count\"}}",
        "   ",
        "",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        struct reader r;
        open_text(&r, others[i]);
        expect_given_back(&r, others[i]);
        close_reader(&r);
    }
}

/* A sensor log read through the given-back stream loses nothing. */
static void test_sensor_log_through_giveback(void **state)
{
    (void)state;
    static const char csv[] = "timestamp,trajectory,serial\n2024-03-12T16:00:00Z,1,Z1\n"
                              "2024-03-12T16:00:01Z,-1,Z1\n";
    struct reader r;
    open_text(&r, csv);
    assert_null(r.rec);
    assert_non_null(r.other);
    struct wire_error error;
    struct sensor_log *log = sensor_log_from_stream(r.other, "test.csv", &error);
    if (!log)
        fail_msg("%s", error.message);
    struct sensor_event event;
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_EVENT);
    assert_int_equal(event.trajectory, 1);
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_EVENT);
    assert_int_equal(event.trajectory, -1);
    assert_int_equal(sensor_log_line(log), 3);
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_END);
    sensor_log_close(log);
    close_reader(&r);
}

/* --- bad headers: fatal, one line, with the line number -------------------------- */

static void expect_bad_header(const char *text, const char *needle)
{
    struct reader r;
    open_text(&r, text);
    assert_null(r.rec);
    assert_null(r.other);
    fixture_assert_one_line(r.error.message);
    assert_contains(r.error.message, needle);
    fclose(r.stream);
}

static void test_bad_headers(void **state)
{
    (void)state;
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\n",
                      "test.rec:1: a recording whose first line is not valid JSON");
    expect_bad_header("\n{\"occtop_recording\":2,\"started_at\":\"2024-03-12T16:00:00Z\","
                      "\"site\":{\"spaces\":[]}}\n",
                      "test.rec:2: a recording of format 2; this occtop reads format 1");
    expect_bad_header("{\"occtop_recording\":\"1\"}\n",
                      "test.rec:1: field \"occtop_recording\": expected an integer");
    expect_bad_header("{\"occtop_recording\":1,\"site\":{\"spaces\":[]}}\n",
                      "test.rec:1: field \"started_at\" is missing");
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\"yesterday\",\"site\":{}}\n",
                      "test.rec:1: field \"started_at\": expected an ISO 8601 timestamp");
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\"2024-03-12T16:00:00Z\"}\n",
                      "test.rec:1: field \"site\" is missing");
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\"2024-03-12T16:00:00Z\","
                      "\"site\":{\"spaces\":[{\"id\":5}]}}\n",
                      "test.rec:1: site.spaces[0]: field \"id\": expected a string");
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\"2024-03-12T16:00:00Z\","
                      "\"site\":{\"spaces\":[],\"doorways\":{}}}\n",
                      "test.rec:1: field \"site.doorways\": expected an array");
    /* Terminal controls in the input do not reach the message. */
    expect_bad_header("{\"occtop_recording\":1,\"started_at\":\"\\u001b[2J\",\"site\":{}}\n",
                      "test.rec:1: field \"started_at\"");
}

/* --- lines -------------------------------------------------------------------------- */

static void test_each_kind_of_line(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, HEADER "\n"
                   MESSAGE("2024-03-12T16:00:01.250Z", "spc_2", 3, "evt_1") "\n"
                   "{\"received_at\":\"2024-03-12T16:00:02Z\",\"malformed\":true,\"length\":12}\n"
                   "{\"received_at\":\"2024-03-12T16:00:03Z\",\"malformed\":true}\n"
                   "{\"received_at\":\"2024-03-12T16:00:04Z\",\"message\":{\"payload\":"
                   "{\"type\":\"presence\"},\"version\":\"v2\"}}\n"
                   "\n"
                   HEADER_AT("2024-03-12T17:00:00.000Z") "\n");
    expect_entry(&r, RECORDING_MESSAGE, 2);
    assert_int_equal(r.entry.received_ms, fixture_ms("2024-03-12T16:00:01.250Z"));
    assert_string_equal(r.entry.message.payload.space_id, "spc_2");
    assert_string_equal(r.entry.message.payload.id, "evt_1");
    assert_int_equal(r.entry.message.payload.count, 3);
    expect_entry(&r, RECORDING_MALFORMED, 3);
    assert_int_equal(r.entry.length, 12);
    expect_entry(&r, RECORDING_MALFORMED, 4);
    assert_int_equal(r.entry.length, -1);
    expect_entry(&r, RECORDING_OTHER, 5);
    assert_string_equal(r.entry.message.type, "presence");
    expect_entry(&r, RECORDING_RESTART, 7);
    assert_int_equal(r.entry.received_ms, fixture_ms("2024-03-12T17:00:00Z"));
    assert_int_equal(r.entry.count_count, 2);
    assert_string_equal(r.entry.counts[0].space_id, "spc_1");
    assert_int_equal(r.entry.counts[0].count, 5);
    expect_end(&r);
    close_reader(&r);
}

/* Each bad line is reported with its number, and reading goes on. */
static void test_bad_lines_skipped(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, HEADER "\n"
                   "{\"received_at\":\"2024-03-12T16:00:01Z\",\"message\":{\"payl\n"
                   "[1,2]\n"
                   "{\"message\":{}}\n"
                   "{\"received_at\":\"2024-03-12T16:00:01Z\"}\n"
                   "{\"received_at\":\"2024-03-12T16:00:01Z\",\"message\":{\"payload\":"
                   "{\"type\":\"count\",\"count\":\"five\"}}}\n"
                   "{\"received_at\":\"2024-03-12T16:00:01Z\",\"malformed\":\"yes\"}\n"
                   "{\"received_at\":\"2024-03-12T16:00:01Z\",\"message\":{\"payload\":"
                   "{\"type\":\"count\",\"count\":1,\"direction\":1,\"space_id\":\"\\u001b]0;x\\u0007\","
                   "\"timestamp\":\"\\u001b[2J\"}}}\n"
                   "{\"occtop_recording\":1,\"started_at\":\"2024-03-12T16:00:00Z\"}\n"
                   MESSAGE("2024-03-12T16:00:09Z", "spc_1", 6, "evt_2") "\n");
    expect_bad_line(&r, "test.rec:2: invalid JSON at column");
    expect_bad_line(&r, "test.rec:3: expected an object");
    expect_bad_line(&r, "test.rec:4: field \"received_at\" is missing");
    expect_bad_line(&r, "test.rec:5: neither a \"message\" nor \"malformed\"");
    expect_bad_line(&r, "test.rec:6: websocket message: field \"payload.count\": expected an "
                        "integer");
    expect_bad_line(&r, "test.rec:7: field \"malformed\": expected true or false");
    expect_bad_line(&r, "test.rec:8: websocket message: field \"payload.timestamp\"");
    expect_bad_line(&r, "test.rec:9: field \"site\" is missing");
    expect_entry(&r, RECORDING_MESSAGE, 10);
    assert_int_equal(r.entry.message.payload.count, 6);
    expect_end(&r);
    close_reader(&r);
}

/* --- playing into core/live -------------------------------------------------------------- */

static void test_start_and_apply(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, HEADER "\n"
                   MESSAGE("2024-03-12T16:00:01Z", "spc_2", 3, "evt_1") "\n"
                   MESSAGE("2024-03-12T16:00:02Z", "spc_2", 3, "evt_1") "\n"
                   MESSAGE("2024-03-12T16:00:03Z", "spc_404", 1, "evt_2") "\n"
                   "{\"received_at\":\"2024-03-12T16:00:04Z\",\"malformed\":true}\n"
                   HEADER_AT("2024-03-12T17:00:00Z") "\n"
                   MESSAGE("2024-03-12T17:00:01Z", "spc_2", 1, "evt_1") "\n");
    struct site *site = recording_site(r.rec);
    struct live *live = live_new(site);
    assert_non_null(live);
    recording_start(r.rec, live);
    assert_int_equal(live_connection_state(live), LIVE_REPLAY);
    assert_int_equal(live_connection_since(live), recording_started(r.rec));
    site_index hall = site_find_space(site, "spc_1"), room = site_find_space(site, "spc_2");
    assert_int_equal(live_count(live, hall), 5);
    assert_int_equal(live_count(live, room), 2);

    expect_entry(&r, RECORDING_MESSAGE, 2);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_APPLIED);
    assert_int_equal(live_count(live, room), 3);
    /* Received times are the data's age on the replay's clock. */
    assert_int_equal(live_data_age(live, fixture_ms("2024-03-12T16:00:06Z")), 5000);
    expect_entry(&r, RECORDING_MESSAGE, 3);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_DUPLICATE);
    expect_entry(&r, RECORDING_MESSAGE, 4);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_UNKNOWN_SPACE);
    expect_entry(&r, RECORDING_MALFORMED, 5);
    recording_apply(&r.entry, site, live);
    assert_int_equal(live_stats(live)->malformed, 1);

    /* A later run: its counts, and the old server's event ids forgotten. */
    expect_entry(&r, RECORDING_RESTART, 6);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_APPLIED);
    assert_int_equal(live_count(live, room), 2);
    expect_entry(&r, RECORDING_MESSAGE, 7);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_APPLIED);
    assert_int_equal(live_count(live, room), 1);
    assert_int_equal(live_connection_state(live), LIVE_REPLAY);
    live_free(live);
    close_reader(&r);
}

/* A connection and a refresh: the replay forgets ids on the one and takes
 * the counts of the other, judged as the client judged them (as_of against
 * the times messages arrived). */
static void test_connected_and_refresh(void **state)
{
    (void)state;
    struct reader r;
    open_recording(&r, HEADER "\n"
                   "{\"received_at\":\"2024-03-12T16:00:00.500Z\",\"connected\":true}\n"
                   MESSAGE("2024-03-12T16:00:01Z", "spc_2", 3, "evt_1") "\n"
                   "{\"received_at\":\"2024-03-12T16:00:02Z\",\"refresh\":{\"as_of\":"
                   "\"2024-03-12T16:00:00.600Z\",\"counts\":{\"spc_1\":7,\"spc_2\":9,"
                   "\"spc_404\":1,\"spc_bad\":-1}}}\n"
                   "{\"received_at\":\"2024-03-12T16:00:05Z\",\"connected\":true}\n"
                   MESSAGE("2024-03-12T16:00:06Z", "spc_2", 4, "evt_1") "\n"
                   "{\"received_at\":\"2024-03-12T16:00:07Z\",\"refresh\":{\"counts\":{}}}\n");
    struct site *site = recording_site(r.rec);
    struct live *live = live_new(site);
    assert_non_null(live);
    recording_start(r.rec, live);
    site_index hall = site_find_space(site, "spc_1"), room = site_find_space(site, "spc_2");

    expect_entry(&r, RECORDING_CONNECTED, 2);
    recording_apply(&r.entry, site, live);
    expect_entry(&r, RECORDING_MESSAGE, 3);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_APPLIED);
    expect_entry(&r, RECORDING_REFRESH, 4);
    assert_int_equal(r.entry.as_of_ms, fixture_ms("2024-03-12T16:00:00.600Z"));
    assert_int_equal(r.entry.count_count, 3); /* the negative count is left out */
    recording_apply(&r.entry, site, live);
    assert_int_equal(live_count(live, hall), 7);
    /* The message arrived after that request was sent: it stays. */
    assert_int_equal(live_count(live, room), 3);

    /* A new connection: the same event id counts again. */
    expect_entry(&r, RECORDING_CONNECTED, 5);
    recording_apply(&r.entry, site, live);
    expect_entry(&r, RECORDING_MESSAGE, 6);
    assert_int_equal(recording_apply(&r.entry, site, live), LIVE_APPLIED);
    assert_int_equal(live_count(live, room), 4);
    /* A refresh line without as_of is a bad line, reported and skipped. */
    struct wire_error error;
    assert_int_equal(recording_next(r.rec, &r.entry, &error), RECORDING_BAD_LINE);
    assert_contains(error.message, ":7:");
    expect_end(&r);
    live_free(live);
    close_reader(&r);
}

/* --- the committed fixture ------------------------------------------------------------ */

static void test_fixture_recording(void **state)
{
    (void)state;
    char path[4096];
    fixture_path("replay/recording.jsonl", path, sizeof path);
    FILE *other = NULL;
    struct wire_error error;
    struct recording *rec = recording_open(path, &other, &error);
    if (!rec)
        fail_msg("%s", error.message);
    struct site *site = recording_site(rec);
    assert_int_equal(site->space_count, 4);
    assert_int_equal(site->doorway_count, 3);
    assert_int_equal(site->sensor_count, 3);
    assert_int_equal(site->problem_count, 0);
    struct recording_entry entry;
    size_t entries = 0, bad = 0, bad_lines[8];
    enum recording_status status;
    while ((status = recording_next(rec, &entry, &error)) != RECORDING_END) {
        assert_int_not_equal(status, RECORDING_FAILED);
        if (status == RECORDING_BAD_LINE) {
            fixture_assert_one_line(error.message);
            if (bad < 8)
                bad_lines[bad] = recording_line(rec);
            bad++;
        } else {
            entries++;
        }
    }
    /* README.md lists the lines; 5, 7 and 15 cannot be read. */
    assert_int_equal(bad, 3);
    assert_int_equal(bad_lines[0], 5);
    assert_int_equal(bad_lines[1], 7);
    assert_int_equal(bad_lines[2], 15);
    assert_int_equal(entries, 10);
    recording_close(rec);
}

/* The sensor log fixture is not a recording: the file comes back. */
static void test_fixture_sensor_log_given_back(void **state)
{
    (void)state;
    char path[4096];
    fixture_path("replay/messy.csv", path, sizeof path);
    FILE *other = NULL;
    struct wire_error error;
    assert_null(recording_open(path, &other, &error));
    assert_non_null(other);
    size_t len = 0;
    char *expected = fixture_read("replay/messy.csv", &len);
    char *got = malloc(len + 1);
    assert_non_null(got);
    assert_int_equal(fread(got, 1, len + 1, other), len);
    assert_memory_equal(got, expected, len);
    free(got);
    free(expected);
    fclose(other);
}

static void test_missing_file_and_directory(void **state)
{
    (void)state;
    FILE *other = NULL;
    struct wire_error error;
    assert_null(recording_open("/nonexistent/rec.jsonl", &other, &error));
    assert_null(other);
    assert_contains(error.message, "/nonexistent/rec.jsonl: cannot open");
    assert_null(recording_open("/", &other, &error));
    assert_null(other);
    assert_contains(error.message, "is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_makes_a_recording),
        cmocka_unit_test(test_key_order_and_blank_lines),
        cmocka_unit_test(test_other_files_given_back),
        cmocka_unit_test(test_sensor_log_through_giveback),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_each_kind_of_line),
        cmocka_unit_test(test_bad_lines_skipped),
        cmocka_unit_test(test_start_and_apply),
        cmocka_unit_test(test_connected_and_refresh),
        cmocka_unit_test(test_fixture_recording),
        cmocka_unit_test(test_fixture_sensor_log_given_back),
        cmocka_unit_test(test_missing_file_and_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
