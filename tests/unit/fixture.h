/* fixture.h — test helpers that need wire/ (and so jansson): reading test
 * inputs from tests/fixtures, checking error messages, loading zones.  The
 * core-only helpers are in fixture_core.h, included here; a test that uses
 * this file links fixture.c and fixture_core.c.
 *
 * The automake test harness exports top_srcdir (absolute), so the tests find
 * their fixtures in a VPATH or distcheck build as well; run by hand without
 * it, paths are taken relative to the current directory. */
#ifndef OCCTOP_TESTS_FIXTURE_H
#define OCCTOP_TESTS_FIXTURE_H

#include <jansson.h>
#include <stddef.h>

#include "fixture_core.h"
#include "core/tz.h"
#include "wire/json_util.h"
#include "wire/tzdb.h"

/* "$top_srcdir/tests/fixtures/<relative>" into out. */
void fixture_path(const char *relative, char *out, size_t out_size);

/* The whole file, NUL-terminated (malloc; the caller frees it); *len (may be
 * NULL) gets its length.  Fails the running test when the file cannot be read. */
char *fixture_read(const char *relative, size_t *len);

/* The file parsed with wire_json_parse(), named by its base name in messages
 * ("list-doorways.json: line 43 column 1: invalid JSON: ...").  Returns NULL
 * with err filled when it is not valid JSON.  The caller owns the result. */
json_t *fixture_json(const char *relative, struct wire_error *err);

/* The same, failing the running test when the file is not valid JSON. */
json_t *fixture_json_ok(const char *relative);

/* An error message is one terminal-safe line that fits a wire_error. */
void fixture_assert_one_line(const char *message);

/* The zone called name from db; fails the running test with tzdb's message
 * when it cannot be loaded. */
const struct tz_zone *fixture_zone(struct tzdb *db, const char *name);

#endif
