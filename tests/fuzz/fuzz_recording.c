/* fuzz_recording.c — wire/recording.h: reading a --record recording, and the
 * hand-back of anything else to the sensor log reader, as --replay does.
 *
 * A recording's header is decoded (its site linked), then every line is
 * read and played into core/live with recording_start()/recording_apply().
 * Input that is not a recording comes back as a stream that must give the
 * whole input from its first byte: it is read back and compared, then read
 * again by the sensor log reader.
 *
 * Checks: errors are one safe line; line numbers never go back; entries
 * carry their kind's data; counts in the live model never go below zero. */
#include <stdio.h>

#include "core/live.h"
#include "fuzz_check.h"
#include "wire/recording.h"
#include "wire/sensor_log.h"

static void check_recording(struct recording *recording, size_t size)
{
    fuzz_assert_safe(recording_name(recording), "recording name");
    struct site *site = recording_site(recording);
    FUZZ_ASSERT(site != NULL, "no site");
    for (size_t i = 0; i < site->problem_count; i++)
        fuzz_assert_safe(site->problems[i].message, "site problem");
    struct live *live = live_new(site);
    FUZZ_ASSERT(live != NULL, "live_new");
    recording_start(recording, live);
    size_t last_line = recording_line(recording);
    for (size_t calls = 0;; calls++) {
        FUZZ_ASSERT(calls <= size + 2, "recording_next does not advance");
        struct recording_entry entry;
        struct wire_error error;
        wire_error_clear(&error);
        enum recording_status status = recording_next(recording, &entry, &error);
        size_t line = recording_line(recording);
        FUZZ_ASSERT(line >= last_line, "line went back from %zu to %zu", last_line, line);
        last_line = line;
        if (status == RECORDING_BAD_LINE) {
            fuzz_assert_message(error.message, sizeof error.message, "bad line");
            continue;
        }
        if (status != RECORDING_ENTRY) {
            FUZZ_ASSERT(status == RECORDING_END || status == RECORDING_FAILED, "status %d",
                        (int)status);
            break;
        }
        FUZZ_ASSERT(entry.line == line, "entry line %zu, reader at %zu", entry.line, line);
        switch (entry.kind) {
        case RECORDING_MESSAGE:
            fuzz_assert_id(entry.message.payload.space_id, EVENT_ID_MAX, "space id");
            fuzz_assert_id(entry.message.payload.id, EVENT_ID_MAX, "event id");
            FUZZ_ASSERT(entry.message.payload.direction == 1 ||
                            entry.message.payload.direction == -1,
                        "direction %d", entry.message.payload.direction);
            break;
        case RECORDING_RESTART:
            FUZZ_ASSERT(entry.count_count == 0 || entry.counts != NULL, "restart without counts");
            for (size_t i = 0; i < entry.count_count; i++)
                fuzz_assert_id(entry.counts[i].space_id, EVENT_ID_MAX, "restart space id");
            break;
        case RECORDING_OTHER:
        case RECORDING_MALFORMED:
            break;
        default:
            FUZZ_ASSERT(false, "kind %d", (int)entry.kind);
        }
        enum live_result result = recording_apply(&entry, site, live);
        FUZZ_ASSERT(result >= LIVE_APPLIED && result <= LIVE_REJECTED, "result %d", (int)result);
        for (size_t i = 0; i < site->space_count; i++)
            FUZZ_ASSERT(live_count(live, (site_index)i) >= 0, "space %zu below zero", i);
    }
    live_free(live);
}

/* The stream handed back must read the input from its first byte. */
static void check_given_back(FILE *other, const uint8_t *data, size_t size)
{
    size_t at = 0;
    int c;
    while ((c = getc(other)) != EOF) {
        FUZZ_ASSERT(at < size, "given back more than the input");
        FUZZ_ASSERT(c == data[at], "byte %zu given back as 0x%02x, was 0x%02x", at, c, data[at]);
        at++;
    }
    FUZZ_ASSERT(at == size, "given back %zu of %zu bytes", at, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses an empty buffer */
    FILE *stream = fmemopen((void *)data, size, "r");
    FUZZ_ASSERT(stream != NULL, "fmemopen");
    FILE *other = NULL;
    struct wire_error error;
    wire_error_clear(&error);
    struct recording *recording = recording_from_stream(stream, "fuzz.jsonl", &other, &error);
    if (recording) {
        FUZZ_ASSERT(other == NULL, "a recording and a stream given back");
        check_recording(recording, size);
        recording_close(recording);
    } else if (other) {
        FUZZ_ASSERT(error.message[0] == '\0', "given back with a message: %s", error.message);
        check_given_back(other, data, size);
        fclose(other);
        /* Once more, as --replay reads it: the sensor log reader on the
         * stream given back (a few rows; fuzz_sensor_log does the rest). */
        rewind(stream);
        other = NULL;
        recording = recording_from_stream(stream, "fuzz.jsonl", &other, &error);
        FUZZ_ASSERT(recording == NULL && other != NULL, "not the same answer twice");
        struct sensor_log *log = sensor_log_from_stream(other, "fuzz.jsonl", &error);
        if (log) {
            struct sensor_event event;
            for (int i = 0; i < 64 && sensor_log_next(log, &event, &error) != SENSOR_LOG_END;
                 i++) {
            }
            sensor_log_close(log);
        } else {
            fuzz_assert_message(error.message, sizeof error.message, "sensor log error");
        }
        fclose(other);
    } else {
        fuzz_assert_message(error.message, sizeof error.message, "open error");
    }
    fclose(stream);
    return 0;
}
