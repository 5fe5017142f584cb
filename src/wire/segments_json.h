/* segments_json.h — the site-level time segments (core/segments.h) in
 * JSON: as the API shows them, and as site files and state files hold them.
 *
 * Shapes
 *  - A segment as GET /time_segments/:id/ shows it (the reference's keys,
 *    in its order):
 *      {"id": "tsm_1", "label": "Lunch", "start": "11:30:00", "end": "13:30:00",
 *       "spaces": [{"space_id": "spc_1", "name": "Cafe"}], "days": ["Monday", ...]}
 *    "spaces" lists the linked spaces the site knows (an id it does not know
 *    is left out: the space was deleted), with their names (null without).
 *  - A segment as a space nests it (GET /spaces/:id/):
 *      {"id", "name", "start", "end", "days"}
 *  - A group: the reference shows groups only as {"id", "name"} inside a
 *    space and has no endpoint for them; occtop keeps them site-wide as
 *      {"id": "tsg_1", "name": "All Lunches", "time_segments": ["tsm_1", ...]}
 *
 * Reading ("time_segments" and "time_segment_groups" of a site file or a
 * state file): the segment list is a GET /time_segments/ response (with
 * "results") or a bare array.  Each segment is read as
 * wire_decode_time_segment() reads it ("label" or "name"; start and end
 * "HH:MM" or "HH:MM:SS"; days by name), plus "spaces": ids, or objects
 * with "space_id" (or "id") as GET shows them; missing or null means none.
 * Space ids are kept as given even when the site does not know them (they
 * link nothing).  A group's "time_segments" holds ids or objects with "id".
 * A later segment or group repeating an earlier one's id is left out (as a
 * site's spaces are); group entries naming no segment of the list are
 * dropped, and so are groups left empty (segments_tidy).  The first error
 * stops the read, with a message naming the element and the field. */
#ifndef OCCTOP_WIRE_SEGMENTS_JSON_H
#define OCCTOP_WIRE_SEGMENTS_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/segments.h"
#include "core/site.h"
#include "wire/json_util.h"

/* "HH:MM:SS", and the weekday names in the reference's order (Monday
 * first): new references, NULL when out of memory. */
json_t *wire_encode_clock(int32_t seconds);
json_t *wire_encode_days(uint8_t days);

/* The shapes above; NULL when out of memory. */
json_t *wire_encode_segment(const struct segments *segments, size_t index,
                            const struct site *site);
json_t *wire_encode_space_segment(const struct time_segment *t);
json_t *wire_encode_segment_group(const struct segment_group *group);

/* The whole collection, for a state file:
 *   {"time_segments": [...], "time_segment_groups": [...]}
 * Segments keep every space id they hold (even ones the site no longer
 * knows, with a null name), so that reading it back restores them. */
json_t *wire_encode_segments(const struct segments *segments, const struct site *site);

/* Reads a segment list and a group list (either may be NULL or null: none)
 * into a new collection (*out; the caller frees it with segments_free()).
 * Returns 0, or -1 with err filled and *out NULL. */
int wire_decode_segments(const json_t *segments, const json_t *groups, struct segments **out,
                         struct wire_error *err);

#endif
