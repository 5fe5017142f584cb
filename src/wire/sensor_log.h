/* sensor_log.h — raw sensor event logs for `occtop --replay`.
 *
 * Two formats, told apart by content (the first non-blank byte):
 *  - JSON: one sensor event object per line, as the API's
 *    GET /sensors/:serial/events/ returns them in "results"
 *    ({"id","doorway_id","sensor_serial_number","timestamp","trajectory"}); a
 *    whole response envelope ({"total", ..., "results": [...]}) works too, as
 *    does an array of events, or several of either back to back (pages
 *    appended to one file).  These are read whole, up to
 *    SENSOR_LOG_DOCUMENT_MAX bytes.  JSON of another kind (a websocket
 *    recording, a site file, space events, counts) is refused at open.
 *  - CSV: a header line naming the columns, then one event per line.  Columns
 *    (case-insensitive, in any order, others ignored): the time
 *    ("timestamp", "time" or "ts"), the crossing ("trajectory" or
 *    "direction": 1, +1, -1, or "in"/"out"), and the sensor ("sensor_serial_number",
 *    "serial_number", "serial" or "sensor") and/or the doorway ("doorway_id"
 *    or "doorway"); optionally the event id ("id" or "event_id").  Values may
 *    be quoted ("...", with "" for a quote); lines may end in CRLF; a UTF-8
 *    BOM is skipped.  Separator: comma, or semicolon/tab when the header has
 *    no comma.
 * Timestamps are ISO 8601 (UTC or with an offset).
 *
 * A bad row does not stop the reading: sensor_log_next() reports it with its
 * line number and goes on with the next.  Lines are bounded (64 KiB); a
 * longer one is a bad row. */
#ifndef OCCTOP_WIRE_SENSOR_LOG_H
#define OCCTOP_WIRE_SENSOR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/event.h"
#include "wire/json_util.h"

/* The longest line read (CSV, JSON lines), without its line end. */
#define SENSOR_LOG_LINE_MAX ((size_t)64 * 1024)
/* The largest JSON document (envelope or array) read whole. */
#define SENSOR_LOG_DOCUMENT_MAX ((size_t)256 * 1024 * 1024)

enum sensor_log_format {
    SENSOR_LOG_CSV,
    SENSOR_LOG_JSON,
};

struct sensor_log;

/* Opens and identifies a log.  NULL with one line in error when the file
 * cannot be read or is not a sensor log (e.g. an empty file, a CSV header
 * without a time, crossing, or sensor/doorway column, a JSON file of another
 * kind). */
struct sensor_log *sensor_log_open(const char *path, struct wire_error *error);

/* The same over a stream the caller owns (e.g. a test's fmemopen); name
 * (NULL: "sensor log") names it in messages.  sensor_log_close() closes the
 * file sensor_log_open() opened, never the caller's stream. */
struct sensor_log *sensor_log_from_stream(FILE *stream, const char *name,
                                          struct wire_error *error);

enum sensor_log_format sensor_log_format(const struct sensor_log *log);

enum sensor_log_status {
    SENSOR_LOG_EVENT = 1, /* *event is filled */
    SENSOR_LOG_END = 0,
    SENSOR_LOG_BAD_ROW = -1, /* error names "NAME:LINE: what was wrong"; call again */
    SENSOR_LOG_FAILED = -2,  /* a read error: error says why; stop */
};

enum sensor_log_status sensor_log_next(struct sensor_log *log, struct sensor_event *event,
                                       struct wire_error *error);

/* Lines read so far (the current line's number). */
size_t sensor_log_line(const struct sensor_log *log);

void sensor_log_close(struct sensor_log *log);

#endif
