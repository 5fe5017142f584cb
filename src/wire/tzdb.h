/* tzdb.h — time zones by name from the system tz database (zoneinfo).
 *
 * Zone names come from the network (a space's time_zone), so they are
 * checked before they touch the file system: one to 64 characters, made of
 * components of [A-Za-z0-9_+-] joined by single '/' ("America/New_York",
 * "Etc/GMT+5"), no leading or trailing '/', no "." or ".." components.
 * Files are read whole, at most TZDB_MAX_FILE_SIZE bytes, and parsed with
 * tz_parse().  "UTC" and "Etc/UTC" always work, even without tzdata.
 *
 * Ownership: the database owns every zone it returns; they stay valid until
 * tzdb_free().  Successful loads are cached (at most one per file of the
 * database, so the cache is bounded by the directory); failures are not
 * cached, so a name is retried on the next call and costs one failed open.
 *
 * Not thread-safe: one thread calls tzdb_get().  The zones themselves are
 * immutable and may be read from any thread while the database lives. */
#ifndef OCCTOP_WIRE_TZDB_H
#define OCCTOP_WIRE_TZDB_H

#include <stddef.h>

#include "core/tz.h"

#define TZDB_MAX_NAME_LENGTH 64
#define TZDB_MAX_FILE_SIZE (1024 * 1024) /* real files are under 4 KiB */
#define TZDB_DEFAULT_DIRECTORY "/usr/share/zoneinfo"

/* directory NULL (or empty): $TZDIR if set and not empty, else
 * TZDB_DEFAULT_DIRECTORY.  The directory is not opened until a lookup.
 * Returns NULL only when out of memory. */
struct tzdb *tzdb_new(const char *directory);

/* The zone called name, loaded on first use.  On failure returns NULL and
 * writes one line to error (if error_size > 0) quoting the name, sanitized:
 * an invalid name, a missing zone, an unreadable, oversized or corrupt file.
 * The caller then falls back to UTC (tz_utc()). */
const struct tz_zone *tzdb_get(struct tzdb *db, const char *name, char *error,
                               size_t error_size);

/* The directory lookups read, for messages. */
const char *tzdb_directory(const struct tzdb *db);

void tzdb_free(struct tzdb *db);

#endif
