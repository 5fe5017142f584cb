/* stream_scan.h — a fast path for the websocket count message.
 *
 * The stream brings one small JSON object per event, hundreds of thousands
 * a second at full speed, and building a jansson tree for each was most of
 * the client's time.  stream_scan_message() reads the usual shape in one
 * pass, without allocating:
 *
 *   {"payload": {"count", "direction", "doorway_id", "event_id", "space_id",
 *                "timestamp", "type"}, "request_id", "version"}
 *
 * keys in any order, any JSON whitespace, unknown fields anywhere (strings,
 * integers, true/false/null, and objects and arrays of those).
 *
 * It answers only when it is sure.  Anything it does not fully understand
 * (an escape in a string, a byte >= 0x80, a real number, an integer beyond
 * int64, a key it reads given twice, deep nesting) and every message that
 * is not a valid count or other-type message gives STREAM_SCAN_UNSURE: the
 * caller then decodes the text with jansson (wire_decode_stream_message does),
 * so what is accepted and refused, and every error message, stay jansson's.
 * When it answers, *out is what the jansson decoder would have written, byte
 * for byte (tests/unit/test_stream_scan.c and the stream_message fuzz target
 * compare the two).
 *
 * text[0..len) need not be NUL-terminated; nothing outside it is read. */
#ifndef OCCTOP_WIRE_STREAM_SCAN_H
#define OCCTOP_WIRE_STREAM_SCAN_H

#include <stddef.h>

#include "core/event.h"
#include "wire/json_stream.h"

/* Not a wire_stream_kind: "ask jansson". */
#define STREAM_SCAN_UNSURE (-2)

/* Returns WIRE_STREAM_COUNT or WIRE_STREAM_OTHER with *out filled as
 * wire_decode_stream_message() fills it, or STREAM_SCAN_UNSURE (*out is then
 * unspecified). */
int stream_scan_message(const char *text, size_t len, struct stream_message *out);

#endif
