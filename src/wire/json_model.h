/* json_model.h — spaces, doorways, sensors, time segments and the paginated
 * envelope, between Density API v2 JSON and the object model (core/site.h).
 *
 * Decoders read every field a monitor can use and ignore the others (address,
 * meta, created_at, ...), so new fields on the server break nothing.  A field
 * that is there but wrong is an error: the decoder adds nothing to the site
 * and fills err with one line naming the object, the field and what was
 * expected.  What is wrong only between objects (duplicate ids, unknown
 * parents, links to unknown doorways) is not the decoder's business: it is
 * found by site_link() and listed in site->problems.
 *
 * Each decoder comes in two forms: the plain one calls the object "space
 * spc_1" in messages; the _at form takes a label for where the object sits
 * ("spaces[3]") and says "spaces[3] (spc_1)".  Labels are written by the
 * caller and must be terminal-safe; ids from the input are sanitized here.
 *
 * Encoders return a new json_t (the caller owns it and json_decref()s it) in
 * the shapes of the reference's examples, with every key the reference shows:
 * keys the model does not keep (notes, address, created_at, ...) are null, or
 * [] / false where the reference's type is an array / a boolean.  They return
 * NULL when out of memory or when a string in the model is not valid UTF-8
 * (strings that came through a decoder always are). */
#ifndef OCCTOP_WIRE_JSON_MODEL_H
#define OCCTOP_WIRE_JSON_MODEL_H

#include <jansson.h>
#include <stdint.h>

#include "core/site.h"
#include "wire/json_util.h"

/* --- the paginated envelope ----------------------------------------------------- */

/* {"total": N, "next": url|null, "previous": url|null, "results": [...]}.
 * The doorway list writes "count" instead of "total": both are accepted
 * ("total" wins when both are there).  total need not match the number of
 * results (the reference's tag list says 1 and lists 2). */
struct wire_page {
    int64_t total;
    const char *next;      /* borrowed from the JSON; NULL when null or missing */
    const char *previous;  /* borrowed; NULL when null or missing */
    const json_t *results; /* borrowed: the array */
};

/* `what` names the list in messages ("spaces list"); terminal-safe. */
int wire_decode_page(const json_t *json, const char *what, struct wire_page *page,
                     struct wire_error *err);

/* Builds an envelope around `results`, which it takes over (even on failure).
 * next and previous may be NULL (written as null). */
json_t *wire_encode_page(json_t *results, int64_t total, const char *next, const char *previous);

/* --- spaces ------------------------------------------------------------------ */

/* Decodes one space object and moves it into the site (site_take_space); each
 * entry of its "doorways" becomes a link (site_add_link), so call site_link()
 * once everything is in.  Returns 0, or -1 with err filled and the site
 * unchanged.
 *
 * Rules beyond the types: "id" is a non-empty string; "daily_reset" null or
 * missing means the default 04:00 (daily_reset_present false); counts and
 * capacities are integers >= 0; "sensor_placement" is exactly 1 or -1;
 * "space_type", "safe_threshold_mode", "counting_mode" and the days of time
 * segments must be values the reference lists ("safe_threshold_mode" case-
 * insensitively, as the reference spells one "UTILIZATION_PERC_LEGAl");
 * "component_spaces" holds ids or objects with an "id". */
int wire_decode_space(struct site *site, const json_t *json, struct wire_error *err);
int wire_decode_space_at(struct site *site, const json_t *json, const char *label,
                         struct wire_error *err);

/* Decodes every element of `array` (e.g. a page's results) with the label
 * "<name>[<index>]".  Stops at the first error; spaces decoded before it stay
 * in the site. */
int wire_decode_space_list(struct site *site, const json_t *array, const char *name,
                           struct wire_error *err);

/* The GET /spaces/:id/ shape.  "ancestry" is computed from the tree when
 * site_link() has placed the space under a parent, else it is the ancestry
 * the space came with; "doorways" lists the space's links, which exist only
 * after site_link().  i must be a valid index. */
json_t *wire_encode_space(const struct site *site, site_index i);

/* --- doorways ---------------------------------------------------------------- */

/* Decodes one doorway (id, name, description, sensor_serial_number, tags, and
 * "spaces", each a link) into the site.  Same contract as wire_decode_space. */
int wire_decode_doorway(struct site *site, const json_t *json, struct wire_error *err);
int wire_decode_doorway_at(struct site *site, const json_t *json, const char *label,
                           struct wire_error *err);
int wire_decode_doorway_list(struct site *site, const json_t *array, const char *name,
                             struct wire_error *err);

/* The GET /doorways/:id/ shape, with "link_id" in each of "spaces" as in the
 * doorway list.  Needs site_link() for "spaces". */
json_t *wire_encode_doorway(const struct site *site, site_index i);

/* --- sensors ------------------------------------------------------------------ */

/* Decodes one sensor (serial_number, doorway_id, doorway_name, sensor_type,
 * status, last_heartbeat, firmware_version) into the site.  serial_number may
 * be missing (Get Sensor leaves it out): the serial is then NULL.  The
 * reference writes last_heartbeat without a zone; it is read as UTC.  A status
 * other than online/offline reads as SENSOR_STATUS_UNKNOWN. */
int wire_decode_sensor(struct site *site, const json_t *json, struct wire_error *err);
int wire_decode_sensor_at(struct site *site, const json_t *json, const char *label,
                          struct wire_error *err);
int wire_decode_sensor_list(struct site *site, const json_t *array, const char *name,
                            struct wire_error *err);

/* The GET /sensors/:serial/ shape (status null when unknown). */
json_t *wire_encode_sensor(const struct site *site, site_index i);

/* --- time segments -------------------------------------------------------------- */

/* Decodes a time segment as /time_segments/ serves it or as a space nests it:
 * the name is "label" there and "name" here; either is accepted.  start and
 * end are "HH:MM:SS" (or "HH:MM"); days are the capitalised weekday names.
 * On success `out` owns copies of the strings: free them with
 * wire_time_segment_clear().  label may be NULL ("time segment <id>"). */
int wire_decode_time_segment(const json_t *json, const char *label, struct time_segment *out,
                             struct wire_error *err);
void wire_time_segment_clear(struct time_segment *segment);

#endif
