/* test_sensor_log.c — raw sensor event logs (wire/sensor_log): format
 * detection, CSV headers and rows, JSON lines and documents, bad rows with
 * their line numbers, limits, and the committed replay fixtures. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/site.h"
#include "fixture.h"
#include "wire/sensor_log.h"
#include "wire/site_file.h"

/* --- helpers ----------------------------------------------------------------- */

#define SERIAL_FRONT "Z700000000000000001"
#define SERIAL_LAB "Z700000000000000002"
#define SERIAL_PREP "Z700000000000000003"
#define DOOR_FRONT "drw_710000000000000001"
#define DOOR_LAB "drw_710000000000000002"
#define DOOR_PREP "drw_710000000000000003"

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in: %s", needle, text);
}

/* A log read from bytes in memory, named "test.log" in messages. */
struct reader {
    FILE *stream;
    struct sensor_log *log;
    struct sensor_event event;
    struct wire_error error;
};

static void open_bytes(struct reader *r, const char *bytes, size_t len)
{
    memset(r, 0, sizeof *r);
    r->stream = fmemopen((void *)bytes, len, "r");
    assert_non_null(r->stream);
    r->log = sensor_log_from_stream(r->stream, "test.log", &r->error);
    if (!r->log)
        fail_msg("open failed: %s", r->error.message);
}

static void open_text(struct reader *r, const char *text)
{
    open_bytes(r, text, strlen(text));
}

static void close_reader(struct reader *r)
{
    sensor_log_close(r->log);
    fclose(r->stream);
}

/* The next event, read from `line`; NULL ids are not checked. */
static void expect_event(struct reader *r, size_t line, const char *iso, int trajectory,
                         const char *serial, const char *doorway, const char *id)
{
    enum sensor_log_status status = sensor_log_next(r->log, &r->event, &r->error);
    if (status != SENSOR_LOG_EVENT)
        fail_msg("line %zu: expected an event, got status %d: %s", line, (int)status,
                 r->error.message);
    assert_int_equal(sensor_log_line(r->log), line);
    assert_int_equal(r->event.timestamp_ms, fixture_ms(iso));
    assert_int_equal(r->event.trajectory, trajectory);
    if (serial)
        assert_string_equal(r->event.sensor_serial, serial);
    if (doorway)
        assert_string_equal(r->event.doorway_id, doorway);
    if (id)
        assert_string_equal(r->event.id, id);
}

/* The next row is bad, on `line`, and its message says `needle`. */
static void expect_bad_row(struct reader *r, size_t line, const char *needle)
{
    enum sensor_log_status status = sensor_log_next(r->log, &r->event, &r->error);
    if (status != SENSOR_LOG_BAD_ROW)
        fail_msg("line %zu: expected a bad row, got status %d", line, (int)status);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "test.log:%zu: ", line);
    if (strncmp(r->error.message, prefix, strlen(prefix)) != 0)
        fail_msg("expected the message to start with \"%s\": %s", prefix, r->error.message);
    assert_int_equal(sensor_log_line(r->log), line);
    fixture_assert_one_line(r->error.message);
    assert_contains(r->error.message, needle);
}

static void expect_end(struct reader *r)
{
    enum sensor_log_status status = sensor_log_next(r->log, &r->event, &r->error);
    if (status != SENSOR_LOG_END)
        fail_msg("expected the end, got status %d: %s", (int)status, r->error.message);
    assert_string_equal(r->error.message, "");
}

/* Opening fails; returns the message (static) after checking its shape. */
static const char *refused_bytes(const char *bytes, size_t len)
{
    static struct wire_error error;
    FILE *stream = fmemopen((void *)bytes, len, "r");
    assert_non_null(stream);
    struct sensor_log *log = sensor_log_from_stream(stream, "test.log", &error);
    if (log)
        fail_msg("expected the log to be refused: %.60s", bytes);
    fclose(stream);
    fixture_assert_one_line(error.message);
    assert_contains(error.message, "test.log");
    return error.message;
}

static const char *refused(const char *text)
{
    return refused_bytes(text, strlen(text));
}

/* A text of `len` bytes made of `fill`, between `head` and `tail` (malloc). */
static char *padded(const char *head, char fill, size_t len, const char *tail)
{
    size_t head_len = strlen(head), tail_len = strlen(tail);
    assert_true(len >= head_len + tail_len);
    char *text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, head, head_len);
    memset(text + head_len, fill, len - head_len - tail_len);
    memcpy(text + len - tail_len, tail, tail_len + 1);
    return text;
}

static const char sensor_event_line[] =
    "{\"id\":\"evt_1\",\"doorway_id\":\"drw_1\",\"sensor_serial_number\":\"Z1\","
    "\"timestamp\":\"2024-03-12T16:00:00Z\",\"trajectory\":1}\n";

/* --- detection ---------------------------------------------------------------- */

static void test_detects_csv(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "timestamp,trajectory,serial\n2024-03-12T16:00:00Z,1,Z1\n");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_CSV);
    assert_int_equal(sensor_log_line(r.log), 1);
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_detects_json_lines(void **state)
{
    (void)state;
    struct reader r;
    char text[1024];
    snprintf(text, sizeof text, "%s%s", sensor_event_line, sensor_event_line);
    open_text(&r, text);
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
    expect_event(&r, 1, "2024-03-12T16:00:00Z", 1, "Z1", "drw_1", "evt_1");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "drw_1", "evt_1");
    expect_end(&r);
    close_reader(&r);
}

/* curl output is one line; pages appended with >> follow each other. */
static void test_one_line_envelopes_back_to_back(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "{\"total\":2,\"next\":\"https://x/?page=2\",\"previous\":null,\"results\":["
                  "{\"id\":\"evt_1\",\"sensor_serial_number\":\"Z1\",\"timestamp\":"
                  "\"2024-03-12T16:00:00Z\",\"trajectory\":1}]}\n"
                  "{\"total\":2,\"next\":null,\"previous\":\"https://x/?page=1\",\"results\":["
                  "{\"id\":\"evt_2\",\"sensor_serial_number\":\"Z1\",\"timestamp\":"
                  "\"2024-03-12T16:00:01Z\",\"trajectory\":-1}]}\n");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
    expect_event(&r, 1, "2024-03-12T16:00:00Z", 1, "Z1", "", "evt_1");
    expect_event(&r, 2, "2024-03-12T16:00:01Z", -1, "Z1", "", "evt_2");
    expect_end(&r);
    close_reader(&r);
}

/* Keys after "results" and nested arrays inside elements do not confuse the
 * walk; each element is reported on the line it starts on. */
static void test_envelope_elements_and_their_lines(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "{\n"
                  "  \"meta\": {\"results\": [\"not these\"], \"s\": \"]}\\\"[{\"},\n"
                  "  \"results\": [\n"
                  "    {\"sensor_serial_number\": \"Z1\", \"extra\": [[1], {\"a\": \"]\"}],\n"
                  "     \"timestamp\": \"2024-03-12T16:00:00Z\", \"trajectory\": 1},\n"
                  "    {\"sensor_serial_number\": \"Z1\", \"timestamp\": \"2024-03-12T16:00:01Z\",\n"
                  "     \"trajectory\": 5},\n"
                  "    \"a string\",\n"
                  "    {\"doorway_id\": \"drw_1\", \"timestamp\": \"2024-03-12T16:00:02Z\", "
                  "\"trajectory\": -1}\n"
                  "  ],\n"
                  "  \"total\": 4\n"
                  "}\n");
    expect_event(&r, 4, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_bad_row(&r, 6, "results[1]: field \"trajectory\"");
    expect_bad_row(&r, 8, "results[2]: expected an object, got a string");
    expect_event(&r, 9, "2024-03-12T16:00:02Z", -1, "", "drw_1", "");
    expect_end(&r);
    expect_end(&r); /* the end stays the end */
    close_reader(&r);
}

/* jansson keeps the last of repeated keys; so does the walk. */
static void test_repeated_results_key(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "{\"results\": [{\"trajectory\": 7}],\n"
                  " \"results\": [{\"doorway_id\": \"drw_1\", \"timestamp\": "
                  "\"2024-03-12T16:00:00Z\", \"trajectory\": -1}]}\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", -1, "", "drw_1", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_array_of_events(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "[\n"
                  "  {\"sensor_serial_number\": \"Z1\", \"timestamp\": \"2024-03-12T16:00:00Z\", "
                  "\"trajectory\": 1},\n"
                  "  {\"sensor_serial_number\": \"Z1\", \"timestamp\": \"2024-03-12T16:00:00Z\"}\n"
                  "]\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_bad_row(&r, 3, "[1]: field \"trajectory\" is missing");
    assert_string_equal(r.error.message, "test.log:3: [1]: field \"trajectory\" is missing");
    expect_end(&r);
    close_reader(&r);
}

static void test_empty_lists_are_empty_logs(void **state)
{
    (void)state;
    static const char *const empty[] = {
        "[]",
        "[ ]\n[]\n",
        "{\"total\": 0, \"next\": null, \"previous\": null, \"results\": []}\n",
        "{\n  \"total\": 0,\n  \"results\": []\n}\n",
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        struct reader r;
        open_text(&r, empty[i]);
        assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
        expect_end(&r);
        close_reader(&r);
    }
}

static void test_bom_and_leading_blank_lines(void **state)
{
    (void)state;
    struct reader r;
    char text[1024];
    snprintf(text, sizeof text, "\xEF\xBB\xBF\n \r\n  %s", sensor_event_line);
    open_text(&r, text);
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
    expect_event(&r, 3, "2024-03-12T16:00:00Z", 1, "Z1", "drw_1", "evt_1");
    expect_end(&r);
    close_reader(&r);

    open_text(&r, "\xEF\xBB\xBF\n\ntime,direction,sensor\n\n2024-03-12T16:00:00Z,in,Z1\n");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_CSV);
    assert_int_equal(sensor_log_line(r.log), 3);
    expect_event(&r, 5, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);

    /* A document after blank lines: its lines are the file's, for rows... */
    open_text(&r, "\xEF\xBB\xBF\r\n\n  [\n  {\"sensor_serial_number\": \"Z1\", \"timestamp\": "
                  "\"2024-03-12T16:00:00Z\", \"trajectory\": 1},\n\n  {\"trajectory\": 3}]\n");
    assert_int_equal(sensor_log_line(r.log), 3);
    expect_event(&r, 4, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_bad_row(&r, 6, "[1]: field \"timestamp\" is missing");
    expect_end(&r);
    close_reader(&r);

    /* ...and for jansson's messages. */
    const char *message = refused("\n\n[\n  {\"trajectory\": 1},\n  oops\n]\n");
    assert_contains(message, "line 5");
    assert_contains(message, "invalid JSON");
}

/* Bytes that start like a BOM but are not one are kept. */
static void test_partial_bom_is_content(void **state)
{
    (void)state;
    const char *message = refused("\xEF\xBB" "time,trajectory,serial\n");
    assert_contains(message, "time column");
}

static void test_empty_input_refused(void **state)
{
    (void)state;
    struct wire_error error;
    assert_null(sensor_log_open("/dev/null", &error));
    assert_string_equal(error.message,
                        "/dev/null: file is empty, expected a sensor log (CSV with a header "
                        "line, or JSON)");
    assert_contains(refused(" \n\r\n\t\n"), "file is empty");
    assert_contains(refused("\xEF\xBB\xBF"), "file is empty");
}

static void test_websocket_recording_refused(void **state)
{
    (void)state;
    const char *line = "{\"payload\":{\"count\":3,\"direction\":1,\"space_id\":\"spc_1\","
                       "\"timestamp\":\"2024-03-12T16:00:00Z\",\"type\":\"count\"},"
                       "\"request_id\":null,\"version\":\"v2\"}\n";
    assert_string_equal(refused(line),
                        "test.log:1: looks like a websocket recording, not a sensor log");
    /* The same message pretty-printed is read as a document. */
    assert_contains(refused("\n{\n  \"payload\": {\"count\": 3},\n  \"version\": \"v2\"\n}\n"),
                    "test.log:2: looks like a websocket recording, not a sensor log");
}

static void test_other_json_refused(void **state)
{
    (void)state;
    assert_contains(refused("{\"name\": \"x\", \"spaces\": []}\n"), "looks like a site file");
    assert_contains(refused("{\"total\": 1, \"results\": [{\"id\": \"spc_1\", \"space_type\": "
                            "\"space\"}]}"),
                    "looks like a site file");
    assert_contains(refused("{\"total\":1,\"results\":[{\"id\":\"evt_1\",\"timestamp\":"
                            "\"2024-03-12T16:00:00Z\",\"direction\":1}]}"),
                    "looks like space events (GET /spaces/:id/events/), not a sensor log");
    assert_contains(refused("[{\"timestamp\":\"2024-03-12T16:00:00Z\",\"count\":3,"
                            "\"interval\":{}}]"),
                    "looks like counts");
    assert_contains(refused("{\"foo\": 1}\n"), "test.log:1: not a sensor log");
    assert_contains(refused("{\"total\": 1, \"results\": {\"a\": 1}}"),
                    "field \"results\": expected an array of sensor events, got an object");
    /* A later page of another kind is refused as well. */
    assert_contains(refused("[]\n[{\"payload\": {}}]\n"),
                    "test.log:2: looks like a websocket recording");
}

static void test_invalid_json_document_refused(void **state)
{
    (void)state;
    const char *message = refused("{\n  \"total\": 2,\n  \"results\": [\n    {\"a\": 1},,\n");
    assert_contains(message, "test.log: line 4");
    assert_contains(message, "invalid JSON");
    /* Something after a value that is not another value. */
    assert_contains(refused("[]\nnonsense\n"), "invalid JSON");
    assert_contains(refused("[] , []"), "invalid JSON");
}

/* Nesting is bounded by jansson; the skimmer never recurses. */
static void test_deep_nesting_does_not_crash(void **state)
{
    (void)state;
    char *deep = padded("", '[', 200000, "");
    assert_contains(refused(deep), "invalid JSON");
    free(deep);

    /* In a JSON line: that row is bad, the next is read. */
    char *row = padded("{\"a\":", '[', 50000, "\n");
    char text[60000 + sizeof sensor_event_line];
    snprintf(text, sizeof text, "%s%s%s", sensor_event_line, row, sensor_event_line);
    free(row);
    struct reader r;
    open_text(&r, text);
    expect_event(&r, 1, "2024-03-12T16:00:00Z", 1, "Z1", NULL, NULL);
    expect_bad_row(&r, 2, "invalid JSON");
    expect_event(&r, 3, "2024-03-12T16:00:00Z", 1, "Z1", NULL, NULL);
    expect_end(&r);
    close_reader(&r);
}

/* A stream of '[' followed by blanks, one byte longer than the limit. */
struct big_stream {
    size_t left;
    bool started;
};

static ssize_t big_read(void *cookie, char *buffer, size_t size)
{
    struct big_stream *big = cookie;
    size_t n = size < big->left ? size : big->left;
    if (n == 0)
        return 0;
    memset(buffer, ' ', n);
    if (!big->started) {
        buffer[0] = '[';
        big->started = true;
    }
    big->left -= n;
    return (ssize_t)n;
}

static void test_document_size_limit(void **state)
{
    (void)state;
    struct big_stream big = { SENSOR_LOG_DOCUMENT_MAX + 1, false };
    cookie_io_functions_t io = { .read = big_read };
    FILE *stream = fopencookie(&big, "r", io);
    assert_non_null(stream);
    struct wire_error error;
    assert_null(sensor_log_from_stream(stream, "big.json", &error));
    assert_string_equal(error.message,
                        "big.json: larger than 256 MiB, the limit for a JSON sensor log");
    fclose(stream);
}

/* --- CSV headers ---------------------------------------------------------------- */

static void test_header_names_in_any_case_and_order(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "Note,Sensor_Serial_Number,TRAJECTORY,Doorway_ID,Event_ID,TimeStamp\n"
                  "hello,Z1,-1,drw_1,evt_1,2024-03-12T16:00:00Z\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", -1, "Z1", "drw_1", "evt_1");
    expect_end(&r);
    close_reader(&r);

    open_text(&r, "ts,direction,serial_number,doorway,id\n"
                  "2024-03-12T16:00:00Z,out,Z2,drw_2,evt_2\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", -1, "Z2", "drw_2", "evt_2");
    close_reader(&r);

    open_text(&r, "\"time\",\"sensor\",\"direction\"\n2024-03-12T16:00:00Z,Z3,in\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z3", "", "");
    close_reader(&r);
}

static void test_semicolon_and_tab_separators(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time;direction;serial\n2024-03-12T16:00:00Z;1;Z1\n\"a;b\";1;Z1\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_bad_row(&r, 3, "got \"a;b\"");
    close_reader(&r);

    open_text(&r, "time\tdirection\tserial\n 2024-03-12T16:00:00Z\t-1\t Z1 \n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", -1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_missing_columns_refused(void **state)
{
    (void)state;
    assert_string_equal(refused("trajectory,serial\n"),
                        "test.log:1: not a sensor log: the CSV header lacks a time column "
                        "(\"timestamp\", \"time\" or \"ts\")");
    assert_string_equal(refused("\ntimestamp,serial,doorway\n"),
                        "test.log:2: not a sensor log: the CSV header lacks a crossing column "
                        "(\"trajectory\" or \"direction\")");
    assert_string_equal(refused("timestamp,trajectory,space_id\n"),
                        "test.log:1: not a sensor log: the CSV header lacks a sensor column "
                        "(\"sensor_serial_number\", \"serial_number\", \"serial\" or \"sensor\") "
                        "or a doorway column (\"doorway_id\" or \"doorway\")");
    /* A file without a header: everything is missing, and said so. */
    const char *message = refused("2024-03-12T16:00:00Z,1,Z1\n");
    assert_contains(message, "a time column");
    assert_contains(message, "a crossing column");
    assert_contains(message, "a sensor column");
}

static void test_doorway_column_alone_is_enough(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "doorway_id,timestamp,trajectory\ndrw_1,2024-03-12T16:00:00Z,1\n,"
                  "2024-03-12T16:00:01Z,1\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "", "drw_1", "");
    expect_bad_row(&r, 3, "column \"doorway_id\" is empty, expected a doorway id");
    close_reader(&r);
}

static void test_bad_headers_refused(void **state)
{
    (void)state;
    assert_string_equal(refused("time,timestamp,trajectory,serial\n"),
                        "test.log:1: CSV header: columns \"time\" and \"timestamp\" mean the "
                        "same; keep one");
    assert_contains(refused("time,\"trajectory,serial\n"),
                    "CSV header: a quoted value is not closed on its line");
    static const char nul_header[] = "time,trajectory\0,serial\n";
    assert_contains(refused_bytes(nul_header, sizeof nul_header - 1), "a NUL byte");
    char *long_header = padded("time,trajectory,serial,", 'x', SENSOR_LOG_LINE_MAX + 1, "");
    assert_contains(refused(long_header), "test.log:1: CSV header: the first line is too long");
    free(long_header);
}

/* --- CSV rows ------------------------------------------------------------------------ */

static void test_quoted_values(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "note,time,direction,serial,id\n"
                  "\"a, b\",\"2024-03-12T16:00:00Z\",\"1\",\"Z1\",\"evt_\"\"1\"\"\"\n"
                  "  \"spaced\"  , 2024-03-12T16:00:01Z ,  -1,Z1  ,\n"
                  "\"\",2024-03-12T16:00:02Z,1,\" Z1 \",\"\"\n"
                  "un\"quoted,2024-03-12T16:00:03Z,1,Z\"2,\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "evt_\"1\"");
    expect_event(&r, 3, "2024-03-12T16:00:01Z", -1, "Z1", "", "");
    expect_event(&r, 4, "2024-03-12T16:00:02Z", 1, " Z1 ", "", ""); /* quotes keep blanks */
    expect_event(&r, 5, "2024-03-12T16:00:03Z", 1, "Z\"2", "", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_quote_errors_are_bad_rows(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,serial\n"
                  "2024-03-12T16:00:00Z,1,\"Z1\n"
                  "2024-03-12T16:00:00Z,\"1\"x,Z1\n"
                  "2024-03-12T16:00:01Z,1,Z1\n");
    expect_bad_row(&r, 2, "field 3: a quoted value is not closed on its line");
    expect_bad_row(&r, 3, "field 2: text after the closing quote of a value");
    expect_event(&r, 4, "2024-03-12T16:00:01Z", 1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_crlf_and_stray_cr(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,serial\r\n"
                  "2024-03-12T16:00:00Z,1,Z1\r\n"
                  "2024-03-12T16:00:01Z,-1,Z1\r\r\n"
                  "2024-03-12T16:00:02Z\r,1\r,Z1\n"
                  "\r\n"
                  "2024-03-12T16:00:03Z,1,\"Z1\"\r");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_event(&r, 3, "2024-03-12T16:00:01Z", -1, "Z1", "", "");
    expect_event(&r, 4, "2024-03-12T16:00:02Z", 1, "Z1", "", "");
    expect_event(&r, 6, "2024-03-12T16:00:03Z", 1, "Z1", "", "");
    expect_end(&r);
    assert_int_equal(sensor_log_line(r.log), 6);
    close_reader(&r);
}

static void test_blank_lines_skipped_and_counted(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,serial\n\n   \n\t\n2024-03-12T16:00:00Z,1,Z1\n\n\n"
                  "2024-03-12T16:00:01Z,1,Z1");
    expect_event(&r, 5, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_event(&r, 8, "2024-03-12T16:00:01Z", 1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_header_only_is_an_empty_log(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,serial\n\n");
    expect_end(&r);
    assert_int_equal(sensor_log_line(r.log), 2);
    close_reader(&r);
}

static void test_wrong_field_count(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,serial\n"
                  "2024-03-12T16:00:00Z,1\n"
                  "2024-03-12T16:00:00Z,1,Z1,extra\n"
                  "2024-03-12T16:00:00Z,1,Z1,\n"
                  "x\n");
    expect_bad_row(&r, 2, "2 fields, expected 3 as in the header");
    expect_bad_row(&r, 3, "4 fields, expected 3 as in the header");
    expect_bad_row(&r, 4, "4 fields, expected 3");
    expect_bad_row(&r, 5, "1 field, expected 3");
    expect_end(&r);
    close_reader(&r);
}

static void test_bad_timestamps(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "Direction,Serial,When_TS,ts\n"
                  "1,Z1,x,03/12/2024 16:03:30\n"
                  "1,Z1,x,\n"
                  "1,Z1,x,2024-03-12T16:00:00\n"
                  "1,Z1,x,2024-02-30T16:00:00Z\n"
                  "1,Z1,x,2024-03-12T18:00:00+02:00\n");
    expect_bad_row(&r, 2, "column \"ts\": expected an ISO 8601 time such as "
                          "2017-09-19T15:00:10.436Z, got \"03/12/2024 16:03:30\"");
    expect_bad_row(&r, 3, "column \"ts\" is empty, expected an ISO 8601 time");
    expect_bad_row(&r, 4, "got \"2024-03-12T16:00:00\""); /* no zone: ambiguous */
    expect_bad_row(&r, 5, "got \"2024-02-30T16:00:00Z\"");
    expect_event(&r, 6, "2024-03-12T16:00:00Z", 1, "Z1", "", ""); /* offset converted */
    expect_end(&r);
    close_reader(&r);
}

static void test_crossing_values(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,trajectory,serial\n"
                  "2024-03-12T16:00:00Z,1,Z1\n"
                  "2024-03-12T16:00:00Z,+1,Z1\n"
                  "2024-03-12T16:00:00Z,-1,Z1\n"
                  "2024-03-12T16:00:00Z,in,Z1\n"
                  "2024-03-12T16:00:00Z,OUT,Z1\n"
                  "2024-03-12T16:00:00Z,In,Z1\n"
                  "2024-03-12T16:00:00Z,2,Z1\n"
                  "2024-03-12T16:00:00Z,0,Z1\n"
                  "2024-03-12T16:00:00Z,1.0,Z1\n"
                  "2024-03-12T16:00:00Z,,Z1\n"
                  "2024-03-12T16:00:00Z,--1,Z1\n");
    static const int expected[] = { 1, 1, -1, 1, -1, 1 };
    for (size_t i = 0; i < 6; i++)
        expect_event(&r, i + 2, "2024-03-12T16:00:00Z", expected[i], "Z1", "", "");
    expect_bad_row(&r, 8, "column \"trajectory\": expected 1, -1, \"in\" or \"out\", got \"2\"");
    expect_bad_row(&r, 9, "got \"0\"");
    expect_bad_row(&r, 10, "got \"1.0\"");
    expect_bad_row(&r, 11, "column \"trajectory\" is empty");
    expect_bad_row(&r, 12, "got \"--1\"");
    expect_end(&r);
    close_reader(&r);
}

static void test_sensor_or_doorway_required(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "time,direction,sensor_serial_number,doorway_id\n"
                  "2024-03-12T16:00:00Z,1,,drw_1\n"
                  "2024-03-12T16:00:01Z,1,Z1,drw_1\n"
                  "2024-03-12T16:00:02Z,1,,\n"
                  "2024-03-12T16:00:03Z,1,\"\",\" \"\n");
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "", "drw_1", ""); /* the doorway stands in */
    expect_event(&r, 3, "2024-03-12T16:00:01Z", 1, "Z1", "drw_1", "");
    expect_bad_row(&r, 4, "columns \"sensor_serial_number\" and \"doorway_id\" are both empty");
    expect_event(&r, 5, "2024-03-12T16:00:03Z", 1, "", " ", ""); /* quoted: kept as given */
    expect_end(&r);
    close_reader(&r);

    open_text(&r, "time,direction,serial\n2024-03-12T16:00:00Z,1,\n");
    expect_bad_row(&r, 2, "column \"serial\" is empty, expected a sensor serial");
    close_reader(&r);
}

static void test_id_length_limit(void **state)
{
    (void)state;
    char longest[EVENT_ID_MAX], too_long[EVENT_ID_MAX + 1];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memset(too_long, 'b', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    char text[1024];
    snprintf(text, sizeof text,
             "time,direction,serial,doorway,id\n"
             "2024-03-12T16:00:00Z,1,%s,%s,%s\n"
             "2024-03-12T16:00:00Z,1,%s,d,e\n"
             "2024-03-12T16:00:00Z,1,s,%s,e\n"
             "2024-03-12T16:00:00Z,1,s,d,%s\n",
             longest, longest, longest, too_long, too_long, too_long);
    struct reader r;
    open_text(&r, text);
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, longest, longest, longest);
    expect_bad_row(&r, 3, "column \"serial\": \"bbbb");
    assert_contains(r.error.message, "is longer than 63 bytes");
    expect_bad_row(&r, 4, "column \"doorway\": \"bbbb");
    expect_bad_row(&r, 5, "column \"id\": \"bbbb");
    expect_end(&r);
    close_reader(&r);
}

/* Lines are bounded: a longer one is a bad row, skipped without being kept,
 * and the lines after it keep their numbers. */
static void test_long_lines(void **state)
{
    (void)state;
    const char *header = "note,time,direction,serial\n";
    /* Exactly the limit (CRs past it are the line's end), then one byte over. */
    char *longest = padded("", 'n', SENSOR_LOG_LINE_MAX, ",2024-03-12T16:00:00Z,1,Z1");
    char *over = padded("", 'o', SENSOR_LOG_LINE_MAX + 1, ",2024-03-12T16:00:01Z,1,Z1");
    size_t len = strlen(header) + 2 * SENSOR_LOG_LINE_MAX + 200;
    char *text = malloc(len);
    assert_non_null(text);
    snprintf(text, len, "%s%s\r\r\n%s\n2024-03-12T16:00:02Z:x,2024-03-12T16:00:02Z,-1,Z1\n",
             header, longest, over);
    struct reader r;
    open_text(&r, text);
    expect_event(&r, 2, "2024-03-12T16:00:00Z", 1, "Z1", "", "");
    expect_bad_row(&r, 3, "line is longer than 64 KiB: skipped");
    expect_event(&r, 4, "2024-03-12T16:00:02Z", -1, "Z1", "", "");
    expect_end(&r);
    close_reader(&r);
    free(longest);
    free(over);
    free(text);
}

static void test_nul_byte_is_a_bad_row(void **state)
{
    (void)state;
    static const char text[] = "time,direction,serial\n"
                                "2024-03-12T16:00:00Z\0junk,1,Z1\n"
                                "2024-03-12T16:00:01Z,1,Z1\n";
    struct reader r;
    open_bytes(&r, text, sizeof text - 1);
    expect_bad_row(&r, 2, "a NUL byte in the line");
    expect_event(&r, 3, "2024-03-12T16:00:01Z", 1, "Z1", "", "");
    close_reader(&r);
}

/* Values quoted in messages are stripped of terminal controls and bounded. */
static void test_messages_are_terminal_safe(void **state)
{
    (void)state;
    char text[4096];
    char huge[1200];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    snprintf(text, sizeof text,
             "time,direction,serial\n"
             "\x1b]0;owned\x07\x1b[2J,1,Z1\n"
             "%s,1,Z1\n",
             huge);
    struct reader r;
    open_text(&r, text);
    expect_bad_row(&r, 2, "column \"time\"");
    assert_null(strchr(r.error.message, '\x1b'));
    expect_bad_row(&r, 3, "hhhh");
    assert_true(strlen(r.error.message) < 200);
    close_reader(&r);

    /* A hostile file name and header too. */
    FILE *stream = fmemopen((void *)"t\x1b[31m,x\n", 9, "r");
    assert_non_null(stream);
    struct wire_error error;
    assert_null(sensor_log_from_stream(stream, "evil\x1b[2J.csv", &error));
    fixture_assert_one_line(error.message);
    fclose(stream);
}

/* --- JSON rows ----------------------------------------------------------------------- */

static void test_json_lines_rows(void **state)
{
    (void)state;
    char too_long_id[EVENT_ID_MAX + 1];
    memset(too_long_id, 'i', sizeof too_long_id - 1);
    too_long_id[sizeof too_long_id - 1] = '\0';
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "{\"sensor_serial_number\":\"Z1\",\"timestamp\":\"2024-03-12T16:00:00Z\","
             "\"trajectory\":2}\n"
             "{\"sensor_serial_number\":\"Z1\",\"trajectory\":1}\n"
             "{\"timestamp\":\"2024-03-12T16:00:00Z\",\"trajectory\":1,"
             "\"sensor_serial_number\":null,\"doorway_id\":null}\n"
             "{\"id\":\"%s\",\"sensor_serial_number\":\"Z1\","
             "\"timestamp\":\"2024-03-12T16:00:00Z\",\"trajectory\":1}\n"
             "{\"payload\":{\"count\":1},\"version\":\"v2\"}\n"
             "[1, 2]\n"
             "{\"sensor_serial_number\":\"Z1\",\"timestamp\":\"2024-03-12T16:00:00Z\","
             "\"trajectory\":1} trailing\n"
             "\r\n"
             "{\"sensor_serial_number\":null,\"doorway_id\":\"drw_9\","
             "\"timestamp\":\"2024-03-12T18:00:00.250+02:00\",\"trajectory\":-1}\r\n",
             sensor_event_line, too_long_id);
    struct reader r;
    open_text(&r, text);
    expect_event(&r, 1, "2024-03-12T16:00:00Z", 1, "Z1", "drw_1", "evt_1");
    expect_bad_row(&r, 2, "sensor event: field \"trajectory\"");
    expect_bad_row(&r, 3, "sensor event: field \"timestamp\" is missing");
    expect_bad_row(&r, 4, "neither \"sensor_serial_number\" nor \"doorway_id\" is given");
    expect_bad_row(&r, 5, "field \"id\"");
    expect_bad_row(&r, 6, "looks like a websocket message, not a sensor event");
    expect_bad_row(&r, 7, "expected an object, got an array");
    expect_bad_row(&r, 8, "invalid JSON");
    expect_event(&r, 10, "2024-03-12T16:00:00.250Z", -1, "", "drw_9", "");
    expect_end(&r);
    close_reader(&r);
}

static void test_json_line_too_long(void **state)
{
    (void)state;
    char *row = padded("{\"note\":\"", 'x', SENSOR_LOG_LINE_MAX + 10, "\"}\n");
    size_t len = strlen(row) + 2 * sizeof sensor_event_line;
    char *text = malloc(len);
    assert_non_null(text);
    snprintf(text, len, "%s%s%s", sensor_event_line, row, sensor_event_line);
    struct reader r;
    open_text(&r, text);
    expect_event(&r, 1, "2024-03-12T16:00:00Z", 1, "Z1", NULL, NULL);
    expect_bad_row(&r, 2, "line is longer than 64 KiB");
    expect_event(&r, 3, "2024-03-12T16:00:00Z", 1, "Z1", NULL, NULL);
    close_reader(&r);
    free(row);
    free(text);
}

/* --- streams and files ------------------------------------------------------------------ */

/* A stream that gives some text, then fails. */
struct failing_stream {
    const char *text;
    bool given;
};

static ssize_t failing_read(void *cookie, char *buffer, size_t size)
{
    struct failing_stream *failing = cookie;
    if (failing->given) {
        errno = EIO;
        return -1;
    }
    size_t n = strlen(failing->text);
    assert_true(n <= size);
    memcpy(buffer, failing->text, n);
    failing->given = true;
    return (ssize_t)n;
}

static void test_read_error_fails(void **state)
{
    (void)state;
    struct failing_stream failing = { "time,direction,serial\n2024-03-12T16:00:00Z,1,Z1\n",
                                      false };
    cookie_io_functions_t io = { .read = failing_read };
    FILE *stream = fopencookie(&failing, "r", io);
    assert_non_null(stream);
    struct wire_error error;
    struct sensor_log *log = sensor_log_from_stream(stream, "flaky.csv", &error);
    assert_non_null(log);
    struct sensor_event event;
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_EVENT);
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_FAILED);
    assert_string_equal(error.message, "flaky.csv:3: cannot read: Input/output error");
    assert_int_equal(sensor_log_next(log, &event, &error), SENSOR_LOG_FAILED);
    sensor_log_close(log);
    fclose(stream);

    failing = (struct failing_stream){ "[{\"trajectory\": 1}", false };
    stream = fopencookie(&failing, "r", io);
    assert_non_null(stream);
    assert_null(sensor_log_from_stream(stream, "flaky.json", &error));
    assert_contains(error.message, "cannot read: Input/output error");
    fclose(stream);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct wire_error error;
    assert_null(sensor_log_open("/nonexistent/replay.csv", &error));
    assert_string_equal(error.message,
                        "/nonexistent/replay.csv: cannot open: No such file or directory");
    char path[4096];
    fixture_path("replay", path, sizeof path);
    assert_null(sensor_log_open(path, &error));
    assert_contains(error.message, "is a directory");
}

static struct sensor_log *open_fixture(const char *relative)
{
    char path[4096];
    fixture_path(relative, path, sizeof path);
    struct wire_error error;
    struct sensor_log *log = sensor_log_open(path, &error);
    if (!log)
        fail_msg("cannot open fixture: %s", error.message);
    return log;
}

/* messy.csv line by line, as tests/fixtures/replay/README.md describes it. */
static void test_messy_csv_fixture(void **state)
{
    (void)state;
    struct reader r = { 0 };
    r.log = open_fixture("replay/messy.csv");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_CSV);
    expect_event(&r, 2, "2024-03-12T16:00:05.250Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9001");
    expect_event(&r, 3, "2024-03-12T16:00:05.250Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9001");
    expect_event(&r, 4, "2024-03-12T16:00:40Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9002");
    expect_event(&r, 5, "2024-03-12T16:01:10Z", -1, SERIAL_LAB, DOOR_LAB, "");
    expect_event(&r, 7, "2024-03-12T16:02:30Z", 1, SERIAL_PREP, DOOR_PREP, "evt_9005");
    expect_event(&r, 8, "2024-03-12T16:02:00Z", -1, SERIAL_PREP, DOOR_PREP, "evt_9004");
    expect_event(&r, 9, "2024-03-12T16:02:00Z", -1, SERIAL_PREP, DOOR_PREP, "evt_9004");
    expect_event(&r, 10, "2024-03-12T16:03:00Z", 1, SERIAL_PREP, DOOR_PREP, "evt_9006");
    enum sensor_log_status status = sensor_log_next(r.log, &r.event, &r.error);
    assert_int_equal(status, SENSOR_LOG_BAD_ROW);
    assert_true(strstr(r.error.message, "messy.csv:11: column \"Timestamp\": expected an ISO "
                                        "8601 time") != NULL);
    assert_contains(r.error.message, "got \"03/12/2024 16:03:30\"");
    status = sensor_log_next(r.log, &r.event, &r.error);
    assert_int_equal(status, SENSOR_LOG_BAD_ROW);
    assert_contains(r.error.message, "messy.csv:12: column \"Direction\": expected 1, -1, "
                                     "\"in\" or \"out\", got \"2\"");
    expect_event(&r, 13, "2024-03-12T16:04:30Z", 1, SERIAL_LAB, DOOR_LAB, "evt_9009");
    expect_event(&r, 14, "2024-03-12T16:05:00Z", -1, SERIAL_FRONT, DOOR_FRONT, "evt_9010");
    expect_event(&r, 15, "2024-03-12T16:06:00Z", -1, "", DOOR_FRONT, "evt_9011");
    expect_event(&r, 16, "2024-03-12T16:07:00Z", -1, SERIAL_FRONT, DOOR_FRONT, "evt_9012");
    expect_event(&r, 17, "2024-03-12T16:08:00Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9013");
    expect_event(&r, 18, "2024-03-12T16:08:30Z", 1, "", DOOR_FRONT, "evt_9014");
    expect_event(&r, 19, "2024-03-12T16:09:00Z", -1, SERIAL_LAB, DOOR_LAB, "evt_9015");
    expect_event(&r, 20, "2024-03-12T16:09:30Z", -1, SERIAL_PREP, DOOR_PREP, "evt_9016");
    expect_event(&r, 21, "2024-03-12T16:10:00Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9017");
    expect_event(&r, 22, "2024-03-12T16:07:00Z", -1, SERIAL_FRONT, DOOR_FRONT, "evt_9012");
    expect_event(&r, 23, "2024-03-12T16:01:10Z", -1, SERIAL_LAB, DOOR_LAB, "");
    expect_event(&r, 24, "2024-03-12T16:06:30Z", -1, SERIAL_FRONT, DOOR_FRONT, "evt_9018");
    expect_end(&r);
    assert_int_equal(sensor_log_line(r.log), 24);
    sensor_log_close(r.log);
}

static void test_events_jsonl_fixture(void **state)
{
    (void)state;
    struct reader r = { 0 };
    r.log = open_fixture("replay/events.jsonl");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
    expect_event(&r, 1, "2024-03-12T16:20:00Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9101");
    expect_event(&r, 2, "2024-03-12T16:21:00.500Z", 1, SERIAL_FRONT, DOOR_FRONT, "evt_9102");
    enum sensor_log_status status = sensor_log_next(r.log, &r.event, &r.error);
    assert_int_equal(status, SENSOR_LOG_BAD_ROW);
    assert_contains(r.error.message, "events.jsonl:4: column ");
    assert_contains(r.error.message, "invalid JSON");
    expect_event(&r, 5, "2024-03-12T16:23:00Z", -1, "", DOOR_LAB, "evt_9104");
    expect_event(&r, 6, "2024-03-12T16:24:00Z", -1, SERIAL_PREP, DOOR_PREP, "evt_9105");
    expect_end(&r);
    sensor_log_close(r.log);
}

static void test_envelope_fixture(void **state)
{
    (void)state;
    struct reader r = { 0 };
    r.log = open_fixture("replay/envelope.json");
    assert_int_equal(sensor_log_format(r.log), SENSOR_LOG_JSON);
    expect_event(&r, 6, "2024-03-12T16:30:00Z", 1, SERIAL_LAB, DOOR_LAB, "evt_9201");
    expect_event(&r, 13, "2024-03-12T16:31:00Z", -1, SERIAL_LAB, DOOR_LAB, "evt_9202");
    expect_event(&r, 20, "2024-03-12T16:32:15.125Z", 1, SERIAL_LAB, DOOR_LAB, "evt_9203");
    expect_end(&r);
    sensor_log_close(r.log);
}

/* The numbers in tests/fixtures/replay/README.md, through the real engine:
 * if the engine's rules or the fixture change, the README must too. */
static void test_messy_fixture_counts_match_readme(void **state)
{
    (void)state;
    char path[4096];
    fixture_path("replay/site.json", path, sizeof path);
    struct site *site = site_new();
    assert_non_null(site);
    struct wire_error error;
    if (site_file_load(site, path, &error) != 0)
        fail_msg("%s", error.message);
    assert_int_equal(site->problem_count, 0);
    assert_int_equal(site->space_count, 4);
    assert_int_equal(site->doorway_count, 3);

    struct sensor_log *log = open_fixture("replay/messy.csv");
    struct engine_config config;
    engine_config_defaults(&config);
    struct engine *engine = engine_new(site, NULL, &config, fixture_ms("2024-03-12T16:00:05.250Z"));
    assert_non_null(engine);
    struct sensor_event event;
    enum sensor_log_status status;
    size_t rows = 0, bad_rows = 0;
    while ((status = sensor_log_next(log, &event, &error)) != SENSOR_LOG_END) {
        assert_int_not_equal(status, SENSOR_LOG_FAILED);
        rows++;
        if (status == SENSOR_LOG_BAD_ROW)
            bad_rows++;
        else
            engine_apply_event(engine, &event);
    }
    sensor_log_close(log);
    assert_int_equal(rows, 22);
    assert_int_equal(bad_rows, 2);
    const struct engine_stats *stats = engine_stats(engine);
    assert_int_equal(stats->applied, 16);
    assert_int_equal(stats->duplicates, 4);
    assert_int_equal(stats->rejected, 0);
    assert_int_equal(stats->clamps, 3);
    assert_int_equal(stats->space_events, 29);

    static const struct {
        const char *id;
        int64_t count;
        uint64_t clamps;
    } expected[] = {
        { "spc_700000000000000001", 2, 1 }, /* Annex */
        { "spc_700000000000000002", 2, 1 }, /* Annex Level 1 */
        { "spc_700000000000000003", 1, 0 }, /* Wet Lab */
        { "spc_700000000000000004", 1, 1 }, /* Prep Room */
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        site_index space = site_find_space(site, expected[i].id);
        assert_int_not_equal(space, SITE_NONE);
        assert_int_equal(engine_count(engine, space), expected[i].count);
        assert_int_equal(engine_clamps(engine, space), expected[i].clamps);
    }
    engine_free(engine);
    site_free(site);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_csv),
        cmocka_unit_test(test_detects_json_lines),
        cmocka_unit_test(test_one_line_envelopes_back_to_back),
        cmocka_unit_test(test_envelope_elements_and_their_lines),
        cmocka_unit_test(test_repeated_results_key),
        cmocka_unit_test(test_array_of_events),
        cmocka_unit_test(test_empty_lists_are_empty_logs),
        cmocka_unit_test(test_bom_and_leading_blank_lines),
        cmocka_unit_test(test_partial_bom_is_content),
        cmocka_unit_test(test_empty_input_refused),
        cmocka_unit_test(test_websocket_recording_refused),
        cmocka_unit_test(test_other_json_refused),
        cmocka_unit_test(test_invalid_json_document_refused),
        cmocka_unit_test(test_deep_nesting_does_not_crash),
        cmocka_unit_test(test_document_size_limit),
        cmocka_unit_test(test_header_names_in_any_case_and_order),
        cmocka_unit_test(test_semicolon_and_tab_separators),
        cmocka_unit_test(test_missing_columns_refused),
        cmocka_unit_test(test_doorway_column_alone_is_enough),
        cmocka_unit_test(test_bad_headers_refused),
        cmocka_unit_test(test_quoted_values),
        cmocka_unit_test(test_quote_errors_are_bad_rows),
        cmocka_unit_test(test_crlf_and_stray_cr),
        cmocka_unit_test(test_blank_lines_skipped_and_counted),
        cmocka_unit_test(test_header_only_is_an_empty_log),
        cmocka_unit_test(test_wrong_field_count),
        cmocka_unit_test(test_bad_timestamps),
        cmocka_unit_test(test_crossing_values),
        cmocka_unit_test(test_sensor_or_doorway_required),
        cmocka_unit_test(test_id_length_limit),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_nul_byte_is_a_bad_row),
        cmocka_unit_test(test_messages_are_terminal_safe),
        cmocka_unit_test(test_json_lines_rows),
        cmocka_unit_test(test_json_line_too_long),
        cmocka_unit_test(test_read_error_fails),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_messy_csv_fixture),
        cmocka_unit_test(test_events_jsonl_fixture),
        cmocka_unit_test(test_envelope_fixture),
        cmocka_unit_test(test_messy_fixture_counts_match_readme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
