/* site_file.h — loads a site (spaces, doorways, sensors) from a JSON file, for
 * `occtop --batch --site FILE` and the demo.
 *
 * The format
 * ----------
 * A site file is JSON in the Density API v2's own shapes, so that saved API
 * responses can be used as they are.  It is one of:
 *
 *   1. An object with a "spaces" key:
 *        {
 *          "name": "Site name",           optional: a string or null
 *          "spaces":   <spaces>,          required
 *          "doorways": <doorways>,        optional
 *          "sensors":  <sensors>,         optional
 *          "time_segments": <segments>,   optional
 *          "time_segment_groups": [...]   optional
 *        }
 *      where each list is either a GET /spaces/ (/doorways/, /sensors/)
 *      response envelope {"total" (or "count"), "next", "previous",
 *      "results": [...]} or a bare array of the objects.  A doorway or sensor
 *      list that is null counts as absent.  Time segments are a GET
 *      /time_segments/ response or a bare array, each segment with the ids
 *      of its spaces; groups are {"id", "name", "time_segments": [ids]}
 *      (wire/segments_json.h).  They become site->segments, which the mock
 *      server serves.  Without either key, the segments the spaces carry
 *      (their "time_segments", as GET /spaces/ shows them) are made into
 *      site->segments once the site is linked (segments_from_nested()), as
 *      they are for the two forms below.
 *   2. A GET /spaces/ response on its own (an object with "results"), so that
 *        curl -H "Authorization: Bearer $TOKEN" https://api.density.io/v2/spaces/ > site.json
 *      gives a working site file.
 *   3. A bare array of space objects.
 *
 * Objects are read as the API decoders read them (wire/json_model.h): unknown
 * fields are ignored, and a space's "doorways" and a doorway's "spaces" both
 * describe links.  When the file has a doorway list (a sensor list), links to
 * doorways (sensors on doorways) it does not contain are reported as problems;
 * without one they cannot be checked and are not.  A UTF-8 byte order mark at
 * the start is skipped.
 *
 * Errors
 * ------
 * The first error stops the load, with one line naming the file and the
 * object, e.g.
 *   demo.json: spaces[3] (spc_x): field "capacity": expected an integer or null, got a string
 *   demo.json: line 12 column 5: invalid JSON: string or '}' expected near ','
 * Inconsistencies between objects (duplicate ids, unknown parents, ...) are
 * not errors: site_link() records them in site->problems.
 *
 * Ownership: the loaders add to a site the caller owns (normally a fresh one
 * from site_new()), set site->name when the file gives one, set
 * has_doorway_list and has_sensor_list when it has those lists, and call
 * site_link().  After a failure the site may hold part of the file and is only
 * fit for site_free(). */
#ifndef OCCTOP_WIRE_SITE_FILE_H
#define OCCTOP_WIRE_SITE_FILE_H

#include <stddef.h>

#include "core/site.h"
#include "wire/json_util.h"

/* Files larger than this are refused before they are parsed. */
#define SITE_FILE_MAX_BYTES ((size_t)256 * 1024 * 1024)

/* Reads and parses the file at `path` (a regular file or a pipe).  Returns 0,
 * or -1 with err naming the file: cannot open (with the system's reason), is a
 * directory, is empty, is larger than SITE_FILE_MAX_BYTES, or what is wrong in
 * it. */
int site_file_load(struct site *site, const char *path, struct wire_error *err);

/* The same with another size limit (tests, embedded callers). */
int site_file_load_bounded(struct site *site, const char *path, size_t max_bytes,
                           struct wire_error *err);

/* Parses text[0..len) (need not be NUL-terminated).  source_name names it in
 * messages (NULL: "site file"). */
int site_file_parse(struct site *site, const char *text, size_t len, const char *source_name,
                    struct wire_error *err);

#endif
