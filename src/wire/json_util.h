/* json_util.h — the shared ground of the JSON codecs: error messages, parsing
 * text into json_t, and typed reads of object fields.
 *
 * Every reader tells three cases apart, because the Density API gives each a
 * meaning: a field that is missing, a field that is null ("not configured"),
 * and a field of the wrong type.  Each call says which of the first two it
 * accepts (enum wire_flag); anything it does not accept fills a wire_error
 * with one line that names the object, the field path and what was expected:
 *
 *   space spc_1: field "capacity": expected an integer or null, got a string
 *   websocket message: field "payload.count" is missing
 *   counts: field "results[2].count" is null, expected an integer
 *
 * Untrusted text (ids, names, parts of the input) only enters a message
 * through wire_safe_text(), which strips terminal controls and bounds it.
 *
 * Ownership: readers borrow the json_t they read; strings returned as
 * `const char *` live as long as that json_t.  Functions that copy say so. */
#ifndef OCCTOP_WIRE_JSON_UTIL_H
#define OCCTOP_WIRE_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/optional.h"
#include "core/site.h"

/* --- error messages --------------------------------------------------------- */

#define WIRE_ERROR_SIZE 512

/* One line of text, terminal-safe, "" when there is no error. */
struct wire_error {
    char message[WIRE_ERROR_SIZE];
};

void wire_error_clear(struct wire_error *err);

/* Replace the message.  err may be NULL (the message is then dropped).
 * Over-long messages are cut on a character boundary and end with "...". */
void wire_error_set(struct wire_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Put "<context>: " in front of the current message, e.g. a file name. */
void wire_error_prefix(struct wire_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Ids, names and input fragments quoted in messages are cut to this many
 * columns; WIRE_SAFE_TEXT_SIZE holds that many columns of any UTF-8. */
#define WIRE_SAFE_TEXT_COLUMNS 48
#define WIRE_SAFE_TEXT_SIZE 208

/* A terminal-safe, bounded copy of untrusted text (NULL gives "(null)").
 * Returns out, so it can be used inside a printf argument list. */
const char *wire_safe_text(const char *text, char *out, size_t out_size);

/* The same for the name of an input (a file path, "websocket message"),
 * which deserves more room. */
#define WIRE_SAFE_SOURCE_COLUMNS 120
#define WIRE_SAFE_SOURCE_SIZE 484
const char *wire_safe_source(const char *name, char *out, size_t out_size);

/* "a string", "an integer", "a real number", "a boolean", "null", "an object",
 * "an array"; "nothing" for NULL. */
const char *wire_json_type_name(const json_t *value);

/* --- parsing ---------------------------------------------------------------- */

/* Parses text[0..len) (an object or an array) with jansson's strict defaults:
 * invalid UTF-8, NUL in strings, integers beyond int64 and deep nesting are
 * refused.  On failure returns NULL and writes
 *   "<source>: line L column C: invalid JSON: <what jansson says>".
 * The caller owns the result (json_decref). */
json_t *wire_json_parse(const char *text, size_t len, const char *source,
                        struct wire_error *err);

/* Parses the next object or array of a sequence of concatenated JSON values
 * (the reference's webhook example is two objects back to back), starting at
 * *offset, and moves *offset past it.  Returns NULL with err->message "" when
 * only whitespace is left, or NULL with a message (lines and columns count
 * from the start of text) when the next value is not valid JSON. */
json_t *wire_json_parse_next(const char *text, size_t len, size_t *offset, const char *source,
                             struct wire_error *err);

/* --- reading fields ----------------------------------------------------------- */

enum wire_flag {
    WIRE_REQUIRED = 0,
    WIRE_NULL_OK = 1u << 0,    /* null is accepted and reads as absent */
    WIRE_MISSING_OK = 1u << 1, /* a missing field is accepted and reads as absent */
    WIRE_OPTIONAL = WIRE_NULL_OK | WIRE_MISSING_OK,
};

/* What every read returns. */
enum wire_status {
    WIRE_ERROR = -1,  /* err is filled */
    WIRE_OK = 0,      /* the value was read */
    WIRE_ABSENT = 1,  /* missing or null, and the flags accept it; out is untouched
                         unless the function says otherwise */
};

#define WIRE_PATH_SIZE 128

/* A view of one JSON object plus what to call it in messages.  Nested objects
 * get their own reader whose field paths carry the parent's ("payload.count",
 * "doorways[1].sensor_placement"). */
struct wire_reader {
    const json_t *object;        /* borrowed */
    const char *what;            /* borrowed, terminal-safe: "space spc_1" */
    char prefix[WIRE_PATH_SIZE]; /* "" or "payload." */
    struct wire_error *err;
};

/* Starts reading `json`, which must be an object ("<what>: expected an
 * object, got an array" otherwise). */
int wire_reader_open(struct wire_reader *r, const json_t *json, const char *what,
                     struct wire_error *err);

/* Fails with "<what>: field "<path>": <message>"; returns WIRE_ERROR. */
int wire_reader_fail(const struct wire_reader *r, const char *field, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails with "<what>: out of memory"; returns WIRE_ERROR. */
int wire_reader_out_of_memory(const struct wire_reader *r);

/* The field as it is, or NULL when missing (no check at all). */
const json_t *wire_reader_get(const struct wire_reader *r, const char *field);

/* A nested object: `child` reads it, with paths "<field>.<name>". */
int wire_read_object(const struct wire_reader *r, const char *field, unsigned flags,
                     struct wire_reader *child);

/* An array (borrowed). */
int wire_read_array(const struct wire_reader *r, const char *field, unsigned flags,
                    const json_t **out);

/* Element `index` of `array` (read from `field`), which must be an object:
 * `child` reads it, with paths "<field>[<index>].<name>". */
int wire_read_element(const struct wire_reader *r, const char *field, const json_t *array,
                      size_t index, struct wire_reader *child);

/* A string, borrowed from the JSON. */
int wire_read_string(const struct wire_reader *r, const char *field, unsigned flags,
                     const char **out);

/* A string, copied (malloc); *out is freed first and left NULL when the
 * field is absent. */
int wire_read_strdup(const struct wire_reader *r, const char *field, unsigned flags,
                     char **out);

/* A string copied into a fixed buffer (event ids): one that does not fit in
 * out_size - 1 bytes is refused with a message naming the limit.  out is ""
 * when the field is absent. */
int wire_read_id(const struct wire_reader *r, const char *field, unsigned flags, char *out,
                 size_t out_size);

/* An integer within [min, max].  A real number (3.0) is refused: it is not an
 * integer in the API. */
int wire_read_int(const struct wire_reader *r, const char *field, unsigned flags, int64_t min,
                  int64_t max, int64_t *out);

/* Shorthand: an integer >= 0, or null / missing (present == false). */
int wire_read_optional_count(const struct wire_reader *r, const char *field, optional_int *out);

/* +1 or -1 (direction, trajectory, sensor_placement). */
int wire_read_sign(const struct wire_reader *r, const char *field, int *out);

/* A number: integer or real. */
int wire_read_real(const struct wire_reader *r, const char *field, unsigned flags, double *out);

/* Shorthand: a number, or null / missing (present == false). */
int wire_read_optional_real(const struct wire_reader *r, const char *field, optional_real *out);

int wire_read_bool(const struct wire_reader *r, const char *field, unsigned flags, bool *out);

/* An ISO 8601 timestamp string (timefmt_parse with timefmt_flags) in ms. */
int wire_read_time(const struct wire_reader *r, const char *field, unsigned flags,
                   unsigned timefmt_flags, int64_t *out_ms);

/* An array of strings, each copied into `out` (which is cleared first). */
int wire_read_string_list(const struct wire_reader *r, const char *field, unsigned flags,
                          struct string_list *out);

/* --- building objects ------------------------------------------------------------ */

/* Sets keys one after the other and remembers whether any failed, so that an
 * encoder checks once, at the end:
 *
 *   struct wire_builder b = wire_builder_start();
 *   wire_builder_put(&b, "id", json_string(id));
 *   wire_builder_put(&b, "count", json_integer(count));
 *   return wire_builder_finish(&b);
 *
 * Ownership: the builder owns its object until wire_builder_finish().
 * wire_builder_put() takes `value` over, as json_object_set_new() does, even
 * when it fails; a NULL value (a failed allocation) or a NULL object (a failed
 * wire_builder_start()) makes the builder fail.  wire_builder_finish() hands
 * the object to the caller (who json_decref()s it), or, if anything failed,
 * frees it and returns NULL.  A builder is used once. */
struct wire_builder {
    json_t *obj;
    bool failed;
};

struct wire_builder wire_builder_start(void);
void wire_builder_put(struct wire_builder *b, const char *key, json_t *value);
json_t *wire_builder_finish(struct wire_builder *b);

/* New values for optional fields: the value, or JSON null when absent.
 * NULL only when out of memory. */
json_t *wire_json_int_or_null(optional_int value);
json_t *wire_json_real_or_null(optional_real value);

#endif
