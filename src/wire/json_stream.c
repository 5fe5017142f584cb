/* json_stream.c — counts, events, websocket messages, sockets and webhooks. */
#include "wire/json_stream.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/termtext.h"
#include "core/timefmt.h"
#include "wire/json_model.h"
#include "wire/stream_scan.h"

/* --- shared pieces ------------------------------------------------------------ */

static json_t *id_or_null(const char *id)
{
    return id[0] ? json_string(id) : json_null();
}

static json_t *time_json(int64_t ms)
{
    char text[TIMEFMT_SIZE];
    timefmt_format(ms, text, sizeof text);
    return json_string(text);
}

/* --- counts: decoding ------------------------------------------------------------ */

static int read_timed_value(const struct wire_reader *r, const char *field,
                            struct timed_value *out)
{
    struct wire_reader peak;
    int status = wire_read_object(r, field, WIRE_OPTIONAL, &peak);
    if (status != WIRE_OK)
        return status;
    if (wire_read_optional_real(&peak, "value", &out->value) == WIRE_ERROR)
        return WIRE_ERROR;
    status = wire_read_time(&peak, "timestamp", WIRE_OPTIONAL, 0, &out->timestamp_ms);
    out->timestamp_present = status == WIRE_OK;
    return status == WIRE_ERROR ? WIRE_ERROR : WIRE_OK;
}

/* "entrances" and "exits" share a shape. */
static int read_traffic_metrics(const struct wire_reader *r, const char *field,
                                optional_int *total, optional_real *average,
                                struct timed_value *peak)
{
    struct wire_reader m;
    int status = wire_read_object(r, field, WIRE_OPTIONAL, &m);
    if (status != WIRE_OK)
        return status;
    if (wire_read_optional_count(&m, "total", total) == WIRE_ERROR ||
        wire_read_optional_real(&m, "average", average) == WIRE_ERROR ||
        read_timed_value(&m, "peak", peak) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int read_count_metrics(const struct wire_reader *r, struct count_metrics *out)
{
    struct wire_reader m;
    int status = wire_read_object(r, "count", WIRE_OPTIONAL, &m);
    if (status != WIRE_OK)
        return status;
    if (wire_read_optional_real(&m, "average", &out->count.average) == WIRE_ERROR ||
        read_timed_value(&m, "min", &out->count.min) == WIRE_ERROR ||
        read_timed_value(&m, "max", &out->count.max) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

/* {"0": "0:00:00", "40": ..., "80": ..., "100": ...}: time spent in each band. */
static int read_durations(const struct wire_reader *r, int64_t *seconds)
{
    struct wire_reader d;
    int status = wire_read_object(r, "durations", WIRE_OPTIONAL, &d);
    if (status != WIRE_OK)
        return status;
    for (int band = 0; band < COUNT_DURATION_BANDS; band++) {
        char key[8];
        const char *text = NULL;
        snprintf(key, sizeof key, "%d", count_duration_band_percent[band]);
        status = wire_read_string(&d, key, WIRE_OPTIONAL, &text);
        if (status == WIRE_ERROR)
            return WIRE_ERROR;
        seconds[band] = status == WIRE_OK ? timefmt_parse_duration(text) : -1;
        if (status == WIRE_OK && seconds[band] < 0) {
            char safe[WIRE_SAFE_TEXT_SIZE];
            return wire_reader_fail(&d, key, "expected a duration \"H:MM:SS\", got \"%s\"",
                                    wire_safe_text(text, safe, sizeof safe));
        }
    }
    return WIRE_OK;
}

static int read_utilization_metrics(const struct wire_reader *r, struct count_metrics *out)
{
    struct wire_reader m;
    int status = wire_read_object(r, "target_utilization", WIRE_OPTIONAL, &m);
    if (status != WIRE_OK)
        return status;
    if (wire_read_optional_real(&m, "average", &out->target_utilization.average) ==
            WIRE_ERROR ||
        wire_read_optional_real(&m, "min", &out->target_utilization.min) == WIRE_ERROR ||
        wire_read_optional_real(&m, "max", &out->target_utilization.max) == WIRE_ERROR ||
        read_durations(&m, out->target_utilization.duration_seconds) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int read_metrics(const struct wire_reader *r, struct count_metrics *out)
{
    struct wire_reader m;
    int status = wire_read_object(r, "metrics", WIRE_OPTIONAL, &m);
    if (status != WIRE_OK)
        return status;
    out->present = true;
    if (read_traffic_metrics(&m, "entrances", &out->entrances.total, &out->entrances.average,
                             &out->entrances.peak) == WIRE_ERROR ||
        read_traffic_metrics(&m, "exits", &out->exits.total, &out->exits.average,
                             &out->exits.peak) == WIRE_ERROR ||
        read_count_metrics(&m, out) == WIRE_ERROR ||
        read_utilization_metrics(&m, out) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int read_analytics(const struct wire_reader *r, struct count_analytics *out)
{
    if (wire_read_int(r, "min", WIRE_REQUIRED, 0, INT64_MAX, &out->min) != WIRE_OK ||
        wire_read_int(r, "max", WIRE_REQUIRED, 0, INT64_MAX, &out->max) != WIRE_OK ||
        wire_read_int(r, "events", WIRE_REQUIRED, 0, INT64_MAX, &out->events) != WIRE_OK ||
        wire_read_int(r, "entrances", WIRE_REQUIRED, 0, INT64_MAX, &out->entrances) != WIRE_OK ||
        wire_read_int(r, "exits", WIRE_REQUIRED, 0, INT64_MAX, &out->exits) != WIRE_OK ||
        wire_read_optional_real(r, "utilization", &out->utilization) == WIRE_ERROR ||
        wire_read_optional_real(r, "target_utilization", &out->target_utilization) ==
            WIRE_ERROR ||
        wire_read_optional_real(r, "entry_rate", &out->entry_rate) == WIRE_ERROR ||
        wire_read_optional_real(r, "exit_rate", &out->exit_rate) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int read_sample(const struct wire_reader *r, struct count_sample *out)
{
    struct wire_reader interval, analytics;
    if (wire_read_time(r, "timestamp", WIRE_REQUIRED, 0, &out->timestamp_ms) != WIRE_OK ||
        wire_read_int(r, "count", WIRE_REQUIRED, 0, INT64_MAX, &out->count) != WIRE_OK ||
        wire_read_object(r, "interval", WIRE_REQUIRED, &interval) != WIRE_OK ||
        wire_read_time(&interval, "start", WIRE_REQUIRED, 0, &out->start_ms) != WIRE_OK ||
        wire_read_time(&interval, "end", WIRE_REQUIRED, 0, &out->end_ms) != WIRE_OK ||
        wire_read_object(&interval, "analytics", WIRE_REQUIRED, &analytics) != WIRE_OK ||
        read_analytics(&analytics, &out->analytics) != WIRE_OK)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int copy_url(const struct wire_reader *r, const char *url, char **out)
{
    if (!url)
        return WIRE_OK;
    *out = strdup(url);
    return *out ? WIRE_OK : wire_reader_out_of_memory(r);
}

int wire_decode_count_page(const json_t *json, struct count_page *page, struct wire_error *err)
{
    static const char what[] = "counts";
    count_page_clear(page);
    struct wire_page envelope;
    struct wire_reader r;
    if (wire_decode_page(json, what, &envelope, err) != 0 ||
        wire_reader_open(&r, json, what, err) != WIRE_OK)
        return -1;
    page->total = envelope.total;
    int status = WIRE_OK;
    if (copy_url(&r, envelope.next, &page->next) != WIRE_OK ||
        copy_url(&r, envelope.previous, &page->previous) != WIRE_OK ||
        read_metrics(&r, &page->metrics) == WIRE_ERROR)
        status = WIRE_ERROR;

    size_t count = json_array_size(envelope.results);
    if (status == WIRE_OK && count > 0) {
        page->samples = calloc(count, sizeof *page->samples);
        if (!page->samples)
            status = wire_reader_out_of_memory(&r);
    }
    for (size_t i = 0; status == WIRE_OK && i < count; i++) {
        struct wire_reader sample;
        status = wire_read_element(&r, "results", envelope.results, i, &sample);
        if (status == WIRE_OK)
            status = read_sample(&sample, &page->samples[i]);
    }
    if (status != WIRE_OK) {
        count_page_clear(page);
        return -1;
    }
    page->sample_count = count;
    return 0;
}

/* --- counts: encoding ------------------------------------------------------------- */

static json_t *timed_value_json(const struct timed_value *v)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "value", wire_json_real_or_null(v->value));
    wire_builder_put(&b, "timestamp",
                     v->timestamp_present ? time_json(v->timestamp_ms) : json_null());
    return wire_builder_finish(&b);
}

static json_t *traffic_json(optional_int total, optional_real average,
                            const struct timed_value *peak)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "total", wire_json_int_or_null(total));
    wire_builder_put(&b, "average", wire_json_real_or_null(average));
    wire_builder_put(&b, "peak", timed_value_json(peak));
    return wire_builder_finish(&b);
}

static json_t *durations_json(const int64_t *seconds)
{
    struct wire_builder b = wire_builder_start();
    for (int band = 0; band < COUNT_DURATION_BANDS; band++) {
        char key[8], text[32];
        snprintf(key, sizeof key, "%d", count_duration_band_percent[band]);
        if (seconds[band] < 0) {
            wire_builder_put(&b, key, json_null());
            continue;
        }
        timefmt_format_duration(seconds[band], text, sizeof text);
        wire_builder_put(&b, key, json_string(text));
    }
    return wire_builder_finish(&b);
}

static json_t *metrics_json(const struct count_metrics *m)
{
    if (!m->present)
        return json_null();
    struct wire_builder count = wire_builder_start();
    wire_builder_put(&count, "average", wire_json_real_or_null(m->count.average));
    wire_builder_put(&count, "min", timed_value_json(&m->count.min));
    wire_builder_put(&count, "max", timed_value_json(&m->count.max));
    struct wire_builder utilization = wire_builder_start();
    wire_builder_put(&utilization, "average",
                     wire_json_real_or_null(m->target_utilization.average));
    wire_builder_put(&utilization, "min", wire_json_real_or_null(m->target_utilization.min));
    wire_builder_put(&utilization, "max", wire_json_real_or_null(m->target_utilization.max));
    wire_builder_put(&utilization, "durations",
                     durations_json(m->target_utilization.duration_seconds));

    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "entrances",
                     traffic_json(m->entrances.total, m->entrances.average, &m->entrances.peak));
    wire_builder_put(&b, "exits", traffic_json(m->exits.total, m->exits.average, &m->exits.peak));
    wire_builder_put(&b, "count", wire_builder_finish(&count));
    wire_builder_put(&b, "target_utilization", wire_builder_finish(&utilization));
    return wire_builder_finish(&b);
}

static json_t *sample_json(const struct count_sample *s)
{
    const struct count_analytics *a = &s->analytics;
    struct wire_builder analytics = wire_builder_start();
    wire_builder_put(&analytics, "min", json_integer(a->min));
    wire_builder_put(&analytics, "max", json_integer(a->max));
    wire_builder_put(&analytics, "events", json_integer(a->events));
    wire_builder_put(&analytics, "entrances", json_integer(a->entrances));
    wire_builder_put(&analytics, "exits", json_integer(a->exits));
    wire_builder_put(&analytics, "utilization", wire_json_real_or_null(a->utilization));
    wire_builder_put(&analytics, "target_utilization",
                     wire_json_real_or_null(a->target_utilization));
    wire_builder_put(&analytics, "entry_rate", wire_json_real_or_null(a->entry_rate));
    wire_builder_put(&analytics, "exit_rate", wire_json_real_or_null(a->exit_rate));

    struct wire_builder interval = wire_builder_start();
    wire_builder_put(&interval, "start", time_json(s->start_ms));
    wire_builder_put(&interval, "end", time_json(s->end_ms));
    wire_builder_put(&interval, "analytics", wire_builder_finish(&analytics));

    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "timestamp", time_json(s->timestamp_ms));
    wire_builder_put(&b, "count", json_integer(s->count));
    wire_builder_put(&b, "interval", wire_builder_finish(&interval));
    return wire_builder_finish(&b);
}

json_t *wire_encode_count_page(const struct count_page *page)
{
    json_t *results = json_array();
    for (size_t i = 0; results && i < page->sample_count; i++) {
        json_t *sample = sample_json(&page->samples[i]);
        if (!sample || json_array_append_new(results, sample) != 0) {
            json_decref(results);
            results = NULL;
        }
    }
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "total", json_integer(page->total));
    wire_builder_put(&b, "next", page->next ? json_string(page->next) : json_null());
    wire_builder_put(&b, "previous", page->previous ? json_string(page->previous) : json_null());
    wire_builder_put(&b, "metrics", metrics_json(&page->metrics));
    wire_builder_put(&b, "results", results);
    return wire_builder_finish(&b);
}

/* --- space and sensor events --------------------------------------------------------- */

int wire_decode_space_event(const json_t *json, const char *label, struct space_event *out,
                            struct wire_error *err)
{
    memset(out, 0, sizeof *out);
    struct wire_reader r;
    int64_t count = 0;
    if (wire_reader_open(&r, json, label ? label : "space event", err) != WIRE_OK ||
        wire_read_id(&r, "id", WIRE_OPTIONAL, out->id, sizeof out->id) == WIRE_ERROR ||
        wire_read_id(&r, "sensor_serial_number", WIRE_OPTIONAL, out->sensor_serial,
                     sizeof out->sensor_serial) == WIRE_ERROR ||
        wire_read_id(&r, "doorway_id", WIRE_OPTIONAL, out->doorway_id, sizeof out->doorway_id) ==
            WIRE_ERROR ||
        wire_read_id(&r, "space_id", WIRE_OPTIONAL, out->space_id, sizeof out->space_id) ==
            WIRE_ERROR ||
        wire_read_time(&r, "timestamp", WIRE_REQUIRED, 0, &out->timestamp_ms) != WIRE_OK ||
        wire_read_sign(&r, "direction", &out->direction) != WIRE_OK)
        return -1;
    int status = wire_read_int(&r, "count", WIRE_OPTIONAL, 0, INT64_MAX, &count);
    if (status == WIRE_ERROR)
        return -1;
    out->count_present = status == WIRE_OK;
    out->count = out->count_present ? count : 0;
    return 0;
}

json_t *wire_encode_space_event(const struct space_event *event)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", id_or_null(event->id));
    wire_builder_put(&b, "sensor_serial_number", id_or_null(event->sensor_serial));
    wire_builder_put(&b, "doorway_id", id_or_null(event->doorway_id));
    wire_builder_put(&b, "timestamp", time_json(event->timestamp_ms));
    wire_builder_put(&b, "direction", json_integer(event->direction));
    return wire_builder_finish(&b);
}

int wire_decode_sensor_event(const json_t *json, const char *label, struct sensor_event *out,
                             struct wire_error *err)
{
    memset(out, 0, sizeof *out);
    struct wire_reader r;
    if (wire_reader_open(&r, json, label ? label : "sensor event", err) != WIRE_OK ||
        wire_read_id(&r, "id", WIRE_OPTIONAL, out->id, sizeof out->id) == WIRE_ERROR ||
        wire_read_id(&r, "doorway_id", WIRE_OPTIONAL, out->doorway_id, sizeof out->doorway_id) ==
            WIRE_ERROR ||
        wire_read_id(&r, "sensor_serial_number", WIRE_OPTIONAL, out->sensor_serial,
                     sizeof out->sensor_serial) == WIRE_ERROR ||
        wire_read_time(&r, "timestamp", WIRE_REQUIRED, 0, &out->timestamp_ms) != WIRE_OK ||
        wire_read_sign(&r, "trajectory", &out->trajectory) != WIRE_OK)
        return -1;
    return 0;
}

json_t *wire_encode_sensor_event(const struct sensor_event *event)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", id_or_null(event->id));
    wire_builder_put(&b, "doorway_id", id_or_null(event->doorway_id));
    wire_builder_put(&b, "sensor_serial_number", id_or_null(event->sensor_serial));
    wire_builder_put(&b, "timestamp", time_json(event->timestamp_ms));
    wire_builder_put(&b, "trajectory", json_integer(event->trajectory));
    return wire_builder_finish(&b);
}

/* --- websocket messages ------------------------------------------------------------------ */

/* The space an event counts: required, and "" names no space (as an empty id
 * of a space object is refused, wire/json_model.c). */
static int read_space_id(const struct wire_reader *r, char *out, size_t out_size)
{
    int status = wire_read_id(r, "space_id", WIRE_REQUIRED, out, out_size);
    if (status == WIRE_OK && out[0] == '\0')
        return wire_reader_fail(r, "space_id", "expected a non-empty string, got \"\"");
    return status;
}

static int read_stream_payload(const struct wire_reader *p, struct space_event *out)
{
    if (wire_read_int(p, "count", WIRE_REQUIRED, 0, INT64_MAX, &out->count) != WIRE_OK ||
        wire_read_sign(p, "direction", &out->direction) != WIRE_OK ||
        wire_read_id(p, "event_id", WIRE_OPTIONAL, out->id, sizeof out->id) == WIRE_ERROR ||
        /* Not in the reference's example; the mock sends it, for the event log. */
        wire_read_id(p, "doorway_id", WIRE_OPTIONAL, out->doorway_id, sizeof out->doorway_id) ==
            WIRE_ERROR ||
        read_space_id(p, out->space_id, sizeof out->space_id) != WIRE_OK ||
        wire_read_time(p, "timestamp", WIRE_REQUIRED, 0, &out->timestamp_ms) != WIRE_OK)
        return WIRE_ERROR;
    out->count_present = true;
    return WIRE_OK;
}

int wire_decode_stream_message(const char *text, size_t len, struct stream_message *out,
                               struct wire_error *err)
{
    /* The usual message is read without jansson; anything else, and every
     * error, goes the long way (wire/stream_scan.h). */
    int kind = stream_scan_message(text, len, out);
    if (kind != STREAM_SCAN_UNSURE)
        return kind;
    return wire_decode_stream_message_jansson(text, len, out, err);
}

int wire_decode_stream_message_jansson(const char *text, size_t len, struct stream_message *out,
                                       struct wire_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *json = wire_json_parse(text, len, "websocket message", err);
    if (!json)
        return -1;
    int result = wire_decode_stream_message_json(json, out, err);
    json_decref(json);
    return result;
}

int wire_decode_stream_message_json(const json_t *json, struct stream_message *out,
                                    struct wire_error *err)
{
    static const char what[] = "websocket message";
    memset(out, 0, sizeof *out);
    struct wire_reader r, payload;
    int result = -1;
    if (wire_reader_open(&r, json, what, err) == WIRE_OK &&
        wire_read_object(&r, "payload", WIRE_REQUIRED, &payload) == WIRE_OK &&
        wire_read_id(&payload, "type", WIRE_REQUIRED, out->type, sizeof out->type) == WIRE_OK &&
        wire_read_id(&r, "request_id", WIRE_OPTIONAL, out->request_id, sizeof out->request_id) !=
            WIRE_ERROR &&
        wire_read_id(&r, "version", WIRE_OPTIONAL, out->version, sizeof out->version) !=
            WIRE_ERROR) {
        if (strcmp(out->type, "count") != 0)
            result = WIRE_STREAM_OTHER;
        else if (read_stream_payload(&payload, &out->payload) == WIRE_OK)
            result = WIRE_STREAM_COUNT;
    }
    return result;
}

/* A bounded text writer: remembers overflow instead of checking every call. */
struct text_out {
    char *at;
    size_t left;
    bool overflow;
};

static void put_raw(struct text_out *o, const char *text, size_t len)
{
    if (o->overflow || len >= o->left) {
        o->overflow = true;
        return;
    }
    memcpy(o->at, text, len);
    o->at += len;
    o->left -= len;
    *o->at = '\0';
}

static void put_text(struct text_out *o, const char *text)
{
    put_raw(o, text, strlen(text));
}

/* A JSON string literal, or null for "". */
static void put_json_string(struct text_out *o, const char *text)
{
    if (!text[0]) {
        put_text(o, "null");
        return;
    }
    put_raw(o, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char escaped[8];
        if (*p == '"' || *p == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)*p;
            put_raw(o, escaped, 2);
        } else if (*p < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", *p);
            put_raw(o, escaped, 6);
        } else {
            put_raw(o, (const char *)p, 1);
        }
    }
    put_raw(o, "\"", 1);
}

int wire_encode_stream_message(const struct stream_message *message, char *out, size_t out_size)
{
    if (out_size == 0)
        return -1;
    const struct space_event *e = &message->payload;
    struct text_out o = { out, out_size, false };
    char number[32], timestamp[TIMEFMT_SIZE];
    out[0] = '\0';
    timefmt_format(e->timestamp_ms, timestamp, sizeof timestamp);

    put_text(&o, "{\"payload\":{\"count\":");
    if (e->count_present) {
        snprintf(number, sizeof number, "%" PRId64, e->count);
        put_text(&o, number);
    } else {
        put_text(&o, "null");
    }
    snprintf(number, sizeof number, "%d", e->direction);
    put_text(&o, ",\"direction\":");
    put_text(&o, number);
    if (e->doorway_id[0]) { /* an addition to the reference's message: the event log shows it */
        put_text(&o, ",\"doorway_id\":");
        put_json_string(&o, e->doorway_id);
    }
    put_text(&o, ",\"event_id\":");
    put_json_string(&o, e->id);
    put_text(&o, ",\"space_id\":");
    put_json_string(&o, e->space_id);
    put_text(&o, ",\"timestamp\":");
    put_json_string(&o, timestamp);
    put_text(&o, ",\"type\":");
    put_json_string(&o, message->type[0] ? message->type : "count");
    put_text(&o, "},\"request_id\":");
    put_json_string(&o, message->request_id);
    put_text(&o, ",\"version\":");
    put_json_string(&o, message->version[0] ? message->version : "v2");
    put_text(&o, "}");
    if (o.overflow) {
        out[0] = '\0';
        return -1;
    }
    return (int)(out_size - o.left);
}

/* --- POST /sockets ------------------------------------------------------------------------- */

static bool is_websocket_url(const char *url)
{
    return strncasecmp(url, "ws://", 5) == 0 || strncasecmp(url, "wss://", 6) == 0;
}

int wire_decode_socket_reply(const json_t *json, struct wire_socket_reply *out,
                             struct wire_error *err)
{
    out->url = NULL;
    out->ttl_seconds = 0;
    struct wire_reader r;
    const char *url = NULL;
    if (wire_reader_open(&r, json, "sockets reply", err) != WIRE_OK ||
        wire_read_string(&r, "url", WIRE_REQUIRED, &url) != WIRE_OK ||
        wire_read_int(&r, "ttl", WIRE_REQUIRED, 0, INT64_MAX, &out->ttl_seconds) != WIRE_OK)
        return -1;
    if (!is_websocket_url(url)) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        wire_reader_fail(&r, "url", "expected a ws:// or wss:// URL, got \"%s\"",
                         wire_safe_text(url, safe, sizeof safe));
        return -1;
    }
    out->url = strdup(url);
    if (!out->url)
        return wire_reader_out_of_memory(&r);
    return 0;
}

void wire_socket_reply_clear(struct wire_socket_reply *reply)
{
    free(reply->url);
    reply->url = NULL;
    reply->ttl_seconds = 0;
}

json_t *wire_encode_socket_reply(const char *url, int64_t ttl_seconds)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "url", json_string(url));
    wire_builder_put(&b, "ttl", json_integer(ttl_seconds));
    return wire_builder_finish(&b);
}

/* --- webhook payloads --------------------------------------------------------------------- */

int wire_decode_webhook_payload(const json_t *json, struct webhook_payload *out,
                                struct wire_error *err)
{
    memset(out, 0, sizeof *out);
    struct wire_reader r;
    const char *organization_name = NULL;
    struct space_event *e = &out->event;
    if (wire_reader_open(&r, json, "webhook payload", err) != WIRE_OK ||
        wire_read_time(&r, "timestamp", WIRE_REQUIRED, 0, &e->timestamp_ms) != WIRE_OK ||
        read_space_id(&r, e->space_id, sizeof e->space_id) != WIRE_OK ||
        wire_read_id(&r, "doorway_id", WIRE_OPTIONAL, e->doorway_id, sizeof e->doorway_id) ==
            WIRE_ERROR ||
        wire_read_id(&r, "organization_id", WIRE_OPTIONAL, out->organization_id,
                     sizeof out->organization_id) == WIRE_ERROR ||
        wire_read_string(&r, "organization_name", WIRE_OPTIONAL, &organization_name) ==
            WIRE_ERROR ||
        wire_read_sign(&r, "direction", &e->direction) != WIRE_OK ||
        wire_read_int(&r, "count", WIRE_REQUIRED, 0, INT64_MAX, &e->count) != WIRE_OK)
        return -1;
    e->count_present = true;
    if (organization_name)
        termtext_copy(out->organization_name, sizeof out->organization_name, organization_name);
    return 0;
}

json_t *wire_encode_webhook_payload(const struct webhook_payload *payload)
{
    const struct space_event *e = &payload->event;
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "timestamp", time_json(e->timestamp_ms));
    wire_builder_put(&b, "space_id", id_or_null(e->space_id));
    wire_builder_put(&b, "doorway_id", id_or_null(e->doorway_id));
    wire_builder_put(&b, "organization_id", id_or_null(payload->organization_id));
    wire_builder_put(&b, "organization_name", id_or_null(payload->organization_name));
    wire_builder_put(&b, "direction", json_integer(e->direction));
    wire_builder_put(&b, "count", e->count_present ? json_integer(e->count) : json_null());
    return wire_builder_finish(&b);
}
