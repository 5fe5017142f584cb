/* fuzz_json_model.c — every JSON decoder of an API object (wire/json_model.h,
 * wire/json_stream.h, wire/site_file.h), chosen by the input's first byte:
 *
 *   f  a site file (site_file_parse), then the counting engine on it
 *   s  spaces      d  doorways      n  sensors
 *      (each: a page envelope, a bare array or one object; links and tags
 *      come with them; then site_link() and the encoders)
 *   t  a time segment           c  a count page (GET /spaces/:id/counts/)
 *   e  space events (a page, an array or one row)
 *   v  sensor events (the same)  k  a POST /sockets reply
 *   w  webhook payloads (back to back, as the reference's example)
 *   m  a websocket message (already parsed, as a recording holds it)
 *   anything else: byte % 11 picks one of the above.
 *
 * The rest is the JSON text.  Checks: a refusal is one safe line (site
 * problems too); what was decoded encodes again, and the encoding decodes
 * (for spaces, doorways, sensors, events, count pages, webhook payloads and
 * socket replies) to the same values. */
#include <stdlib.h>

#include "core/counts.h"
#include "core/engine.h"
#include "core/safe.h"
#include "fuzz_check.h"
#include "wire/json_model.h"
#include "wire/json_stream.h"
#include "wire/site_file.h"

static const char kinds[] = "fsdntcevkwm";

/* --- helpers ------------------------------------------------------------------------ */

static void check_error(const struct wire_error *err, const char *what)
{
    fuzz_assert_message(err->message, sizeof err->message, what);
}

/* json (taken over) dumped to text and parsed again: what a client of the
 * mock reads. */
static json_t *through_text(json_t *json, const char *what)
{
    FUZZ_ASSERT(json != NULL, "%s: the encoder returned NULL", what);
    char *text = json_dumps(json, JSON_COMPACT);
    FUZZ_ASSERT(text != NULL, "%s: json_dumps failed", what);
    struct wire_error err;
    json_t *again = wire_json_parse(text, strlen(text), what, &err);
    FUZZ_ASSERT(again != NULL, "%s: its encoding does not parse: %s", what, err.message);
    free(text);
    json_decref(json);
    return again;
}

static void check_problems(const struct site *site)
{
    for (size_t i = 0; i < site->problem_count; i++)
        fuzz_assert_safe(site->problems[i].message, "site problem");
}

typedef int (*decode_one_fn)(struct site *, const json_t *, struct wire_error *);
typedef int (*decode_list_fn)(struct site *, const json_t *, const char *, struct wire_error *);
typedef json_t *(*encode_fn)(const struct site *, site_index);

/* Spaces, doorways or sensors: envelope, array or object; then the site is
 * linked, each object encoded, and the encoding decoded into a fresh site. */
static void objects(const json_t *json, const char *what, decode_one_fn one,
                    decode_list_fn list, encode_fn encode)
{
    struct site *site = site_new();
    FUZZ_ASSERT(site != NULL, "site_new");
    struct wire_error err;
    wire_error_clear(&err);
    int rc;
    struct wire_page page;
    if (json_is_object(json) && json_object_get(json, "results")) {
        rc = wire_decode_page(json, what, &page, &err);
        if (rc == 0) {
            FUZZ_ASSERT(json_is_array(page.results), "page results are not an array");
            FUZZ_ASSERT(page.total >= 0, "page total %lld", (long long)page.total);
            rc = list(site, page.results, what, &err);
        }
    } else if (json_is_array(json)) {
        rc = list(site, json, what, &err);
    } else {
        rc = one(site, json, &err);
    }
    if (rc != 0)
        check_error(&err, what);
    FUZZ_ASSERT(site_link(site) == 0, "site_link");
    check_problems(site);
    size_t count = encode == wire_encode_space     ? site->space_count
                   : encode == wire_encode_doorway ? site->doorway_count
                                                   : site->sensor_count;
    for (size_t i = 0; i < count; i++) {
        json_t *encoded = encode(site, (site_index)i);
        json_t *again = through_text(encoded, what);
        struct site *other = site_new();
        FUZZ_ASSERT(other != NULL, "site_new");
        wire_error_clear(&err);
        FUZZ_ASSERT(one(other, again, &err) == 0, "%s %zu: its encoding is refused: %s", what, i,
                    err.message);
        json_t *twice = encode(other, 0);
        FUZZ_ASSERT(twice != NULL, "%s %zu: the decoded encoding does not encode", what, i);
        json_decref(twice);
        site_free(other);
        json_decref(again);
    }
    site_free(site);
}

/* A site file, linked, then run through the engine: every sensor crosses
 * once in each direction, and every space's safe state is described. */
static void site_file(const char *text, size_t len)
{
    struct site *site = site_new();
    FUZZ_ASSERT(site != NULL, "site_new");
    struct wire_error err;
    wire_error_clear(&err);
    if (site_file_parse(site, text, len, "fuzz.json", &err) != 0) {
        check_error(&err, "site file");
        site_free(site);
        return;
    }
    check_problems(site);
    if (site->name)
        FUZZ_ASSERT(fuzz_utf8_valid(site->name, strlen(site->name)), "site name not UTF-8");
    int64_t start = 1700000000000;
    struct engine_config config;
    engine_config_defaults(&config);
    config.history_minutes = 24 * 60; /* a fresh engine for every input must be cheap */
    config.dedupe_ids = 256;
    struct engine *engine = engine_new(site, NULL, &config, start);
    FUZZ_ASSERT(engine != NULL, "engine_new");
    for (size_t i = 0; i < site->sensor_count && i < 64; i++) {
        const char *serial = site->sensors[i].serial;
        int32_t sensor = serial ? engine_sensor_index(engine, serial) : -1;
        if (sensor < 0)
            continue;
        engine_apply(engine, sensor, start + 1000 * (int64_t)i, 1);
        engine_apply(engine, sensor, start + 1000 * (int64_t)i + 500, -1);
    }
    engine_advance(engine, start + 2 * 86400000);
    for (size_t i = 0; i < site->space_count; i++) {
        FUZZ_ASSERT(engine_count(engine, (site_index)i) >= 0, "space %zu below zero", i);
        char described[256];
        safe_describe(&site->spaces[i], described, sizeof described);
        fuzz_assert_safe(described, "safe_describe");
    }
    engine_free(engine);
    site_free(site);
}

static void time_segment(const json_t *json)
{
    struct time_segment segment;
    memset(&segment, 0, sizeof segment);
    struct wire_error err;
    wire_error_clear(&err);
    if (wire_decode_time_segment(json, NULL, &segment, &err) != 0) {
        check_error(&err, "time segment");
        return;
    }
    FUZZ_ASSERT(segment.start_second >= 0 && segment.start_second < 86400 &&
                    segment.end_second >= 0 && segment.end_second < 86400,
                "segment from %d to %d", (int)segment.start_second, (int)segment.end_second);
    wire_time_segment_clear(&segment);
}

static void count_page(const json_t *json)
{
    struct count_page page, again;
    count_page_init(&page);
    count_page_init(&again);
    struct wire_error err;
    wire_error_clear(&err);
    if (wire_decode_count_page(json, &page, &err) != 0) {
        check_error(&err, "count page");
        FUZZ_ASSERT(page.sample_count == 0, "a refused page keeps samples");
    } else {
        json_t *text = through_text(wire_encode_count_page(&page), "count page");
        FUZZ_ASSERT(wire_decode_count_page(text, &again, &err) == 0,
                    "an encoded count page is refused: %s", err.message);
        FUZZ_ASSERT(again.sample_count == page.sample_count && again.total == page.total,
                    "count page differs after a round trip");
        for (size_t i = 0; i < page.sample_count; i++)
            FUZZ_ASSERT(again.samples[i].timestamp_ms == page.samples[i].timestamp_ms &&
                            again.samples[i].count == page.samples[i].count,
                        "sample %zu differs after a round trip", i);
        json_decref(text);
    }
    count_page_clear(&again);
    count_page_clear(&page);
}

/* Rows of events: a page's results, an array, or one object. */
static const json_t *rows_of(const json_t *json)
{
    if (json_is_object(json) && json_is_array(json_object_get(json, "results")))
        return json_object_get(json, "results");
    return json;
}

static void space_events(const json_t *json)
{
    const json_t *rows = rows_of(json);
    size_t n = json_is_array(rows) ? json_array_size(rows) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_is_array(rows) ? json_array_get(rows, i) : rows;
        struct space_event e, again;
        struct wire_error err;
        wire_error_clear(&err);
        if (wire_decode_space_event(row, NULL, &e, &err) != 0) {
            check_error(&err, "space event");
            continue;
        }
        FUZZ_ASSERT(e.direction == 1 || e.direction == -1, "direction %d", e.direction);
        json_t *text = through_text(wire_encode_space_event(&e), "space event");
        FUZZ_ASSERT(wire_decode_space_event(text, NULL, &again, &err) == 0,
                    "an encoded space event is refused: %s", err.message);
        FUZZ_ASSERT(again.timestamp_ms == e.timestamp_ms && again.direction == e.direction &&
                        strcmp(again.id, e.id) == 0,
                    "space event differs after a round trip");
        json_decref(text);
    }
}

static void sensor_events(const json_t *json)
{
    const json_t *rows = rows_of(json);
    size_t n = json_is_array(rows) ? json_array_size(rows) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_is_array(rows) ? json_array_get(rows, i) : rows;
        struct sensor_event e, again;
        struct wire_error err;
        wire_error_clear(&err);
        if (wire_decode_sensor_event(row, NULL, &e, &err) != 0) {
            check_error(&err, "sensor event");
            continue;
        }
        FUZZ_ASSERT(e.trajectory == 1 || e.trajectory == -1, "trajectory %d", e.trajectory);
        json_t *text = through_text(wire_encode_sensor_event(&e), "sensor event");
        FUZZ_ASSERT(wire_decode_sensor_event(text, NULL, &again, &err) == 0,
                    "an encoded sensor event is refused: %s", err.message);
        FUZZ_ASSERT(again.timestamp_ms == e.timestamp_ms && again.trajectory == e.trajectory &&
                        strcmp(again.id, e.id) == 0 &&
                        strcmp(again.sensor_serial, e.sensor_serial) == 0,
                    "sensor event differs after a round trip");
        json_decref(text);
    }
}

static void socket_reply(const json_t *json)
{
    struct wire_socket_reply reply = { 0 }, again = { 0 };
    struct wire_error err;
    wire_error_clear(&err);
    if (wire_decode_socket_reply(json, &reply, &err) != 0) {
        check_error(&err, "socket reply");
        return;
    }
    FUZZ_ASSERT(reply.url != NULL, "a reply without a url");
    json_t *text =
        through_text(wire_encode_socket_reply(reply.url, reply.ttl_seconds), "socket reply");
    FUZZ_ASSERT(wire_decode_socket_reply(text, &again, &err) == 0,
                "an encoded socket reply is refused: %s", err.message);
    FUZZ_ASSERT(strcmp(again.url, reply.url) == 0 && again.ttl_seconds == reply.ttl_seconds,
                "socket reply differs after a round trip");
    json_decref(text);
    wire_socket_reply_clear(&again);
    wire_socket_reply_clear(&reply);
}

static void webhook_payloads(const char *text, size_t len)
{
    size_t offset = 0;
    for (int i = 0; i < 64; i++) {
        struct wire_error err;
        wire_error_clear(&err);
        size_t before = offset;
        json_t *json = wire_json_parse_next(text, len, &offset, "webhook", &err);
        if (!json) {
            if (err.message[0])
                check_error(&err, "webhook parse");
            return;
        }
        FUZZ_ASSERT(offset > before && offset <= len, "offset %zu after %zu of %zu", offset,
                    before, len);
        struct webhook_payload payload, again;
        if (wire_decode_webhook_payload(json, &payload, &err) != 0) {
            check_error(&err, "webhook payload");
        } else {
            fuzz_assert_id(payload.organization_name, sizeof payload.organization_name,
                           "organization_name");
            json_t *encoded =
                through_text(wire_encode_webhook_payload(&payload), "webhook payload");
            FUZZ_ASSERT(wire_decode_webhook_payload(encoded, &again, &err) == 0,
                        "an encoded webhook payload is refused: %s", err.message);
            FUZZ_ASSERT(again.event.timestamp_ms == payload.event.timestamp_ms &&
                            again.event.count == payload.event.count &&
                            strcmp(again.organization_name, payload.organization_name) == 0,
                        "webhook payload differs after a round trip");
            json_decref(encoded);
        }
        json_decref(json);
    }
}

static void stream_message(const json_t *json)
{
    struct stream_message message;
    struct wire_error err;
    wire_error_clear(&err);
    int kind = wire_decode_stream_message_json(json, &message, &err);
    if (kind < 0) {
        check_error(&err, "websocket message");
        return;
    }
    if (kind != WIRE_STREAM_COUNT)
        return;
    char text[WIRE_STREAM_MESSAGE_MAX];
    int n = wire_encode_stream_message(&message, text, sizeof text);
    FUZZ_ASSERT(n >= 0, "a decoded message does not encode");
}

/* --- the target ----------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *found = memchr(kinds, data[0], sizeof kinds - 1);
    char kind = found ? *found : kinds[data[0] % (sizeof kinds - 1)];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (kind == 'f') {
        site_file(text, len);
        return 0;
    }
    if (kind == 'w') {
        webhook_payloads(text, len);
        return 0;
    }
    struct wire_error err;
    wire_error_clear(&err);
    json_t *json = wire_json_parse(text, len, "fuzz", &err);
    if (!json) {
        check_error(&err, "parse");
        return 0;
    }
    switch (kind) {
    case 's':
        objects(json, "spaces", wire_decode_space, wire_decode_space_list, wire_encode_space);
        break;
    case 'd':
        objects(json, "doorways", wire_decode_doorway, wire_decode_doorway_list,
                wire_encode_doorway);
        break;
    case 'n':
        objects(json, "sensors", wire_decode_sensor, wire_decode_sensor_list, wire_encode_sensor);
        break;
    case 't': time_segment(json); break;
    case 'c': count_page(json); break;
    case 'e': space_events(json); break;
    case 'v': sensor_events(json); break;
    case 'k': socket_reply(json); break;
    case 'm': stream_message(json); break;
    default: break;
    }
    json_decref(json);
    return 0;
}
