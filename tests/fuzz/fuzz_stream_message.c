/* fuzz_stream_message.c — the websocket message handler: what the stream
 * client does with each text message (net/stream.c take_fragment, then
 * net/session.c on_message): wire_decode_stream_message(), then
 * live_apply() of a count message into a small site.
 *
 * Input: messages separated by '\n' (the server sends compact JSON, one
 * message per frame); an empty line is a reconnection
 * (live_new_connection).  Each message is copied into a buffer of exactly
 * its length: the decoder must not need a NUL after it.
 *
 * Checks: a failed decode is one safe line; a count message has a space id,
 * a direction of +1 or -1 and a count >= 0, and its ids are valid UTF-8;
 * it encodes again (wire_encode_stream_message) into
 * WIRE_STREAM_MESSAGE_MAX bytes, and the encoding decodes to the same
 * message; no count in the live model goes below zero.
 *
 * Differential: the one-pass scanner (wire/stream_scan.h), when it
 * answers, gives jansson's answer and jansson's message byte for byte, and
 * wire_decode_stream_message() (scanner, then jansson) gives jansson's
 * answer and error message for every input; an encoded message whose text
 * fields are plain ASCII is always read by the scanner. */
#include <stdlib.h>

#include "core/live.h"
#include "fuzz_check.h"
#include "wire/json_stream.h"
#include "wire/site_file.h"
#include "wire/stream_scan.h"

/* Three spaces, one inside another, so that messages can hit real ones. */
static const char site_json[] =
    "{\"spaces\": ["
    " {\"id\": \"spc_1\", \"name\": \"HQ\", \"space_type\": \"building\", \"current_count\": 4},"
    " {\"id\": \"spc_2\", \"name\": \"Floor\", \"space_type\": \"floor\", \"parent_id\": \"spc_1\"},"
    " {\"id\": \"spc_578610575982985330\", \"name\": \"Reference\"}"
    "]}";

static struct site *shared_site(void)
{
    static struct site *site;
    if (!site) {
        site = site_new();
        struct wire_error error;
        FUZZ_ASSERT(site && site_file_parse(site, site_json, sizeof site_json - 1, "site",
                                            &error) == 0,
                    "the fuzzer's site: %s", error.message);
    }
    return site;
}

static void assert_same(const struct stream_message *a, const struct stream_message *b)
{
    const struct space_event *p = &a->payload, *q = &b->payload;
    FUZZ_ASSERT(strcmp(p->id, q->id) == 0 && strcmp(p->space_id, q->space_id) == 0 &&
                    strcmp(p->doorway_id, q->doorway_id) == 0 &&
                    strcmp(p->sensor_serial, q->sensor_serial) == 0,
                "ids differ after a round trip");
    FUZZ_ASSERT(p->timestamp_ms == q->timestamp_ms, "timestamp %lld then %lld",
                (long long)p->timestamp_ms, (long long)q->timestamp_ms);
    FUZZ_ASSERT(p->direction == q->direction, "direction differs after a round trip");
    FUZZ_ASSERT(p->count_present == q->count_present && p->count == q->count,
                "count differs after a round trip");
    FUZZ_ASSERT(strcmp(a->request_id, b->request_id) == 0, "request_id differs");
}

/* The decoder's answer (kind, message, error) is jansson's, and so is the
 * scanner's whenever it gives one. */
static void assert_as_jansson(const char *text, size_t len, int kind,
                              const struct stream_message *message, const char *error)
{
    struct stream_message slow, fast;
    struct wire_error slow_error;
    memset(&slow, 0xA5, sizeof slow);
    memset(&fast, 0x3C, sizeof fast);
    wire_error_clear(&slow_error);
    int slow_kind = wire_decode_stream_message_jansson(text, len, &slow, &slow_error);
    FUZZ_ASSERT(kind == slow_kind, "decoded as %d, jansson says %d (%s)", kind, slow_kind,
                slow_error.message);
    if (kind < 0)
        FUZZ_ASSERT(strcmp(error, slow_error.message) == 0, "error \"%s\", jansson's \"%s\"",
                    error, slow_error.message);
    else
        FUZZ_ASSERT(memcmp(message, &slow, sizeof slow) == 0, "decoded unlike jansson");
    int fast_kind = stream_scan_message(text, len, &fast);
    if (fast_kind != STREAM_SCAN_UNSURE) {
        FUZZ_ASSERT(fast_kind == slow_kind, "the scanner says %d, jansson %d (%s)", fast_kind,
                    slow_kind, slow_error.message);
        FUZZ_ASSERT(memcmp(&fast, &slow, sizeof slow) == 0, "the scanner decoded unlike jansson");
    }
}

/* Printable ASCII without '"' and '\\': written without escapes. */
static bool plain_text(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p >= 0x7F || *p == '"' || *p == '\\')
            return false;
    return true;
}

static bool plain_message(const struct stream_message *m)
{
    const struct space_event *e = &m->payload;
    return plain_text(e->id) && plain_text(e->space_id) && plain_text(e->doorway_id) &&
           plain_text(m->type) && plain_text(m->request_id) && plain_text(m->version);
}

static void handle(struct live *live, const char *text, size_t len, int64_t received_ms)
{
    struct stream_message message;
    struct wire_error error;
    memset(&message, 0x5A, sizeof message);
    wire_error_clear(&error);
    int kind = wire_decode_stream_message(text, len, &message, &error);
    assert_as_jansson(text, len, kind, &message, error.message);
    if (kind < 0) {
        FUZZ_ASSERT(kind == -1, "returned %d", kind);
        fuzz_assert_message(error.message, sizeof error.message, "decode error");
        live_count_malformed(live);
        return;
    }
    fuzz_assert_id(message.type, sizeof message.type, "type");
    fuzz_assert_id(message.request_id, sizeof message.request_id, "request_id");
    fuzz_assert_id(message.version, sizeof message.version, "version");
    if (kind == WIRE_STREAM_OTHER)
        return;
    FUZZ_ASSERT(kind == WIRE_STREAM_COUNT, "kind %d", kind);
    const struct space_event *e = &message.payload;
    fuzz_assert_id(e->space_id, sizeof e->space_id, "space_id");
    fuzz_assert_id(e->id, sizeof e->id, "event_id");
    fuzz_assert_id(e->doorway_id, sizeof e->doorway_id, "doorway_id");
    fuzz_assert_id(e->sensor_serial, sizeof e->sensor_serial, "sensor serial");
    FUZZ_ASSERT(e->space_id[0] != '\0', "a count message without a space");
    FUZZ_ASSERT(e->direction == 1 || e->direction == -1, "direction %d", e->direction);
    FUZZ_ASSERT(e->count_present && e->count >= 0, "count %lld", (long long)e->count);

    /* The mock server's side: encode it again; it must fit and read back. */
    char encoded[WIRE_STREAM_MESSAGE_MAX];
    int n = wire_encode_stream_message(&message, encoded, sizeof encoded);
    FUZZ_ASSERT(n >= 0 && (size_t)n < sizeof encoded, "a decoded message does not encode: %d",
                n);
    struct stream_message again;
    FUZZ_ASSERT(wire_decode_stream_message(encoded, (size_t)n, &again, &error) ==
                    WIRE_STREAM_COUNT,
                "its encoding does not decode: %s", error.message);
    assert_same(&message, &again);
    /* The mock's messages are the scanner's usual case. */
    if (plain_message(&message)) {
        struct stream_message fast;
        FUZZ_ASSERT(stream_scan_message(encoded, (size_t)n, &fast) == WIRE_STREAM_COUNT,
                    "the scanner did not read an encoded message: %s", encoded);
        FUZZ_ASSERT(memcmp(&fast, &again, sizeof fast) == 0, "the scanner read it otherwise");
    }

    const struct site *site = shared_site();
    enum live_result result = live_apply(live, e, received_ms);
    FUZZ_ASSERT(result >= LIVE_APPLIED && result <= LIVE_REJECTED, "result %d", (int)result);
    site_index space = site_find_space(site, e->space_id);
    if (result == LIVE_APPLIED)
        FUZZ_ASSERT(space != SITE_NONE && live_count(live, space) == e->count,
                    "applied, but the count is not the message's");
    if (space == SITE_NONE)
        FUZZ_ASSERT(result == LIVE_UNKNOWN_SPACE, "unknown space, result %d", (int)result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct site *site = shared_site();
    struct live *live = live_new(site);
    FUZZ_ASSERT(live != NULL, "live_new");
    live_set_connection(live, LIVE_LIVE, 0);
    int64_t received_ms = 1700000000000;
    const char *text = (const char *)data;
    size_t at = 0;
    while (at <= size) {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : size - at;
        if (len == 0 && nl) {
            live_new_connection(live);
        } else if (len > 0) {
            char *message = malloc(len);
            FUZZ_ASSERT(message != NULL, "out of memory");
            memcpy(message, text + at, len);
            handle(live, message, len, received_ms);
            free(message);
        }
        received_ms += 250;
        if (!nl)
            break;
        at += len + 1;
    }
    for (size_t i = 0; i < site->space_count; i++)
        FUZZ_ASSERT(live_count(live, (site_index)i) >= 0, "space %zu below zero", i);
    site_index changed[8];
    while (live_take_changed(live, changed, 8) > 0) {
    }
    live_data_age(live, received_ms);
    live_free(live);
    return 0;
}
