/* json_stream.h — the time-varying half of the API: count pages, space and
 * sensor events, websocket messages, POST /sockets replies and webhook
 * payloads, between JSON and core/counts.h / core/event.h.
 *
 * Same rules as json_model.h: unknown fields are ignored, missing / null /
 * wrong-typed fields are told apart, and every error is one line naming the
 * object and the field.  Ids of events are stored inline (EVENT_ID_MAX): one
 * that does not fit is refused, naming the field.  Timestamps are ISO 8601
 * with or without milliseconds and with "Z" or an offset ("+00:00"); extra
 * digits of the fraction are dropped.
 *
 * Encoders return a new json_t the caller owns, or NULL when out of memory, in
 * the shapes of the reference's examples.  The websocket message is the
 * exception: it is written as text into the caller's buffer, because the mock
 * server sends one per event to every client. */
#ifndef OCCTOP_WIRE_JSON_STREAM_H
#define OCCTOP_WIRE_JSON_STREAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counts.h"
#include "core/event.h"
#include "wire/json_util.h"

/* --- GET /spaces/:id/counts/ ------------------------------------------------------ */

/* Decodes the whole response (envelope, "metrics", "results") into `page`,
 * which must have been initialised with count_page_init(); what it held is
 * freed first.  In each sample, "timestamp", "count" and "interval" with
 * "start", "end" and "analytics" {min, max, events, entrances, exits} are
 * required; utilization, target_utilization, entry_rate and exit_rate may be
 * null or missing (the reference's daily example leaves them out), and so may
 * "metrics" and each part of it.  On error the page is left empty. */
int wire_decode_count_page(const json_t *json, struct count_page *page, struct wire_error *err);

/* The reference's shape; "metrics" is null when page->metrics.present is false. */
json_t *wire_encode_count_page(const struct count_page *page);

/* --- space events (GET /spaces/:id/events/ rows) --------------------------------- */

/* "timestamp" and "direction" (1 or -1) are required; "id",
 * "sensor_serial_number", "doorway_id", "space_id" and "count" may be missing
 * or null.  label names the object in messages (NULL: "space event"). */
int wire_decode_space_event(const json_t *json, const char *label, struct space_event *out,
                            struct wire_error *err);

/* {id, sensor_serial_number, doorway_id, timestamp, direction}: the row shape
 * (space_id and count are not part of it); empty ids are written as null. */
json_t *wire_encode_space_event(const struct space_event *event);

/* --- sensor events (GET /sensors/:serial/events/ rows) ---------------------------- */

/* "timestamp" and "trajectory" (1 or -1) are required; the ids may be missing
 * or null.  label may be NULL ("sensor event"). */
int wire_decode_sensor_event(const json_t *json, const char *label, struct sensor_event *out,
                             struct wire_error *err);

json_t *wire_encode_sensor_event(const struct sensor_event *event);

/* --- websocket messages ------------------------------------------------------------------ */

/* What wire_decode_stream_message returns besides -1. */
enum wire_stream_kind {
    WIRE_STREAM_COUNT = 0, /* a space event: out->payload is filled */
    WIRE_STREAM_OTHER = 1, /* valid, but payload.type is not "count": only out->type,
                              request_id and version are filled; the caller skips it */
};

/* Decodes one websocket text message
 *   {"payload":{"count","direction","event_id","space_id","timestamp","type"},
 *    "request_id","version"}
 * from text[0..len) (need not be NUL-terminated).  For "count" messages,
 * count (>= 0), direction, space_id (not "") and timestamp are required; event_id,
 * request_id and version may be missing or null.  Returns a wire_stream_kind,
 * or -1 with err filled ("websocket message: ..."). */
int wire_decode_stream_message(const char *text, size_t len, struct stream_message *out,
                               struct wire_error *err);

/* The same, always through jansson.  wire_decode_stream_message() first
 * tries a one-pass scanner (wire/stream_scan.h) that answers only for
 * messages it is sure of, and gives the same answers as this one; this is
 * the reference the tests and the fuzz target compare it with. */
int wire_decode_stream_message_jansson(const char *text, size_t len, struct stream_message *out,
                                       struct wire_error *err);

/* The same for a message already parsed (e.g. one line of a --record
 * recording holds it as a member); json is borrowed. */
int wire_decode_stream_message_json(const json_t *json, struct stream_message *out,
                                    struct wire_error *err);

/* Big enough for any message wire_encode_stream_message writes. */
#define WIRE_STREAM_MESSAGE_MAX 2048

/* Writes the message as compact JSON text in the reference's key order into
 * out (NUL-terminated).  An empty type is written as "count", an empty
 * version as "v2", an empty event_id or request_id as null, and
 * count_present == false as "count":null.  Ids must be valid UTF-8.  Returns
 * the length written, or -1 if out_size is too small. */
int wire_encode_stream_message(const struct stream_message *message, char *out,
                               size_t out_size);

/* --- POST /sockets ------------------------------------------------------------------------- */

struct wire_socket_reply {
    char *url;           /* owned; a ws:// or wss:// URL */
    int64_t ttl_seconds; /* how long the URL may be used to connect */
};

/* {"url": "wss://...", "ttl": 300}; both are required.  On success out owns
 * the url: free it with wire_socket_reply_clear(). */
int wire_decode_socket_reply(const json_t *json, struct wire_socket_reply *out,
                             struct wire_error *err);
void wire_socket_reply_clear(struct wire_socket_reply *reply);
json_t *wire_encode_socket_reply(const char *url, int64_t ttl_seconds);

/* --- webhook payloads --------------------------------------------------------------------- */

/* One POST body: timestamp, space_id (not ""), direction and count are required;
 * doorway_id and organization_id may be missing or null; organization_name
 * too, and a longer one than fits is cut on a character boundary (it is a
 * name, not an id).  The reference's example is two such bodies back to
 * back: split them with wire_json_parse_next(). */
int wire_decode_webhook_payload(const json_t *json, struct webhook_payload *out,
                                struct wire_error *err);
json_t *wire_encode_webhook_payload(const struct webhook_payload *payload);

#endif
