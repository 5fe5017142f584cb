/* tz.h — time zones from the tz database, for daily resets and local-day
 * buckets, correct across daylight-saving changes.
 *
 * core/ does no I/O, so a zone is parsed from the bytes of a TZif file
 * (RFC 8536, versions 1 to 4) that the caller has read (see wire/tzdb.h).
 * Times after the file's last transition follow its POSIX TZ footer
 * ("EST5EDT,M3.2.0,M11.1.0"): "slim" files (zic -b slim) rely on it for
 * every date after 2007 in America/New_York; Debian 12's tzdata 2025b files
 * are "fat" and list transitions up to 2037, the footer taking over after.
 *
 * All times are Unix seconds (UTC) unless a name says "local".  A zone is
 * immutable once parsed and may be shared between threads.  Every query
 * accepts a NULL zone and treats it as UTC.  Instants are clamped to
 * +-2^60 s (about 36 billion years) so that no arithmetic can overflow.
 *
 * Files with leap-second records (the "right/" zones) are refused: their
 * transition times do not count Unix seconds. */
#ifndef OCCTOP_CORE_TZ_H
#define OCCTOP_CORE_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz_zone;

/* Parses TZif data.  On failure returns NULL and writes one line to error
 * naming what was wrong (nothing if error_size is 0); the name in it is
 * sanitized.  name is copied, for messages (may be NULL).  data is
 * untrusted: every count, index and time is checked.  The caller owns the
 * zone and frees it with tz_free(). */
struct tz_zone *tz_parse(const unsigned char *data, size_t len, const char *name,
                         char *error, size_t error_size);

/* A zone fixed at UTC (the default when a space names no zone).  It is
 * one shared, static zone: never NULL, and tz_free() leaves it alone, so a
 * caller may free whatever zone it holds without asking where it came from. */
struct tz_zone *tz_utc(void);

/* Accepts NULL and tz_utc(). */
void tz_free(struct tz_zone *zone);

/* The name given to tz_parse() ("(unnamed zone)" if none), "UTC" for
 * tz_utc() and NULL.  Not sanitized: a caller printing it sanitizes it. */
const char *tz_name(const struct tz_zone *zone);

/* Seconds east of UTC in force at utc_seconds (e.g. -14400 for EDT). */
int32_t tz_offset_at(const struct tz_zone *zone, int64_t utc_seconds);

/* The UTC instant at which local wall time `local_seconds` (seconds since
 * 1970-01-01T00:00 local) occurs.  In a gap (spring forward) it is the end
 * of the gap, the instant the clocks jump; in an overlap (fall back) it is
 * the first occurrence. */
int64_t tz_local_to_utc(const struct tz_zone *zone, int64_t local_seconds);

/* The first instant strictly after after_utc at which the local wall clock
 * reads second_of_day (0..86399; clamped to it), with the gap/overlap rules
 * above: a daily reset at 02:30 on a spring-forward day happens once, at
 * 03:00; one at 01:30 on a fall-back day happens once, at the first 01:30. */
int64_t tz_next_daily(const struct tz_zone *zone, int64_t after_utc, int32_t second_of_day);

/* The UTC instant of local midnight starting the local day that contains
 * utc_seconds; and the start of its local week (Monday 00:00).  When
 * midnight falls in a gap (Sao Paulo before 2019, Beirut), the day starts at
 * the jump, by the rule above; both are <= utc_seconds. */
int64_t tz_day_start(const struct tz_zone *zone, int64_t utc_seconds);
int64_t tz_week_start(const struct tz_zone *zone, int64_t utc_seconds);

#endif
