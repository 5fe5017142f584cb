/* fixture_core.h — test helpers that need only core/ (no jansson, no wire),
 * so that the core tests link libocccore.a alone: times written in ISO 8601
 * and sites built in code.
 *
 * Every helper fails the running test (cmocka) instead of returning an
 * error. */
#ifndef OCCTOP_TESTS_FIXTURE_CORE_H
#define OCCTOP_TESTS_FIXTURE_CORE_H

#include <stdint.h>

#include "core/site.h"

/* "2024-01-01T00:00:00Z" (with a zone or an offset) in ms since the epoch. */
int64_t fixture_ms(const char *iso);

/* Adds a space with copies of the strings (name and parent_id may be NULL)
 * and returns it, valid until the next space is added. */
struct space *fixture_add_space(struct site *site, const char *id, const char *name,
                                enum space_type type, const char *parent_id);

/* Adds a doorway named after its id (serial may be NULL) and marks the site
 * as having a doorway list. */
void fixture_add_doorway(struct site *site, const char *id, const char *serial);

/* Adds a sensor (either string may be NULL) and marks the site as having a
 * sensor list. */
void fixture_add_sensor(struct site *site, const char *serial, const char *doorway_id);

#endif
