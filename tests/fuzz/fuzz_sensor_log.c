/* fuzz_sensor_log.c — wire/sensor_log.h: the CSV / JSON raw sensor event
 * importer of --replay, over fmemopen() of the input.
 *
 * Checks: open either fails with one safe line or identifies the log; every
 * call of sensor_log_next() then gives an event (trajectory +1 or -1, ids
 * terminated in their fields, a timestamp), a bad row with one safe line
 * naming it, or the end; line numbers never go back; after END or FAILED it
 * keeps saying so. */
#include <stdio.h>

#include "fuzz_check.h"
#include "wire/sensor_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses an empty buffer */
    FILE *stream = fmemopen((void *)data, size, "r");
    FUZZ_ASSERT(stream != NULL, "fmemopen");
    struct wire_error error;
    wire_error_clear(&error);
    struct sensor_log *log = sensor_log_from_stream(stream, "fuzz.log", &error);
    if (!log) {
        fuzz_assert_message(error.message, sizeof error.message, "open error");
        fclose(stream);
        return 0;
    }
    enum sensor_log_format format = sensor_log_format(log);
    FUZZ_ASSERT(format == SENSOR_LOG_CSV || format == SENSOR_LOG_JSON, "format %d", (int)format);
    size_t last_line = 0;
    /* Each call consumes at least a line or an element: more calls than
     * bytes (plus the end) means it is stuck. */
    for (size_t calls = 0;; calls++) {
        FUZZ_ASSERT(calls <= size + 2, "sensor_log_next does not advance");
        struct sensor_event event;
        memset(&event, 0x5A, sizeof event);
        wire_error_clear(&error);
        enum sensor_log_status status = sensor_log_next(log, &event, &error);
        size_t line = sensor_log_line(log);
        FUZZ_ASSERT(line >= last_line, "line went back from %zu to %zu", last_line, line);
        last_line = line;
        if (status == SENSOR_LOG_EVENT) {
            FUZZ_ASSERT(event.trajectory == 1 || event.trajectory == -1, "trajectory %d",
                        event.trajectory);
            /* CSV ids are bytes as the file has them (sanitized when shown). */
            FUZZ_ASSERT(memchr(event.id, '\0', sizeof event.id), "id not terminated");
            FUZZ_ASSERT(memchr(event.sensor_serial, '\0', sizeof event.sensor_serial),
                        "serial not terminated");
            FUZZ_ASSERT(memchr(event.doorway_id, '\0', sizeof event.doorway_id),
                        "doorway id not terminated");
            FUZZ_ASSERT(event.sensor_serial[0] || event.doorway_id[0],
                        "an event with neither a sensor nor a doorway");
        } else if (status == SENSOR_LOG_BAD_ROW) {
            fuzz_assert_message(error.message, sizeof error.message, "bad row");
        } else {
            FUZZ_ASSERT(status == SENSOR_LOG_END || status == SENSOR_LOG_FAILED, "status %d",
                        (int)status);
            if (status == SENSOR_LOG_FAILED)
                fuzz_assert_message(error.message, sizeof error.message, "read failure");
            enum sensor_log_status again = sensor_log_next(log, &event, &error);
            FUZZ_ASSERT(again == status, "status %d after %d", (int)again, (int)status);
            break;
        }
    }
    sensor_log_close(log);
    fclose(stream);
    return 0;
}
