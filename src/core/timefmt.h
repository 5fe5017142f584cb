/* timefmt.h — ISO 8601 timestamps as the Density API writes them.
 *
 * Times are int64_t milliseconds since the Unix epoch, UTC. */
#ifndef OCCTOP_CORE_TIMEFMT_H
#define OCCTOP_CORE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum timefmt_flag {
    /* Refuse anything but UTC: "Z", "+00:00", "-00:00" or (with
     * TIMEFMT_ALLOW_NO_ZONE) no zone at all.  Without it, other offsets are
     * accepted and converted to UTC. */
    TIMEFMT_UTC_ONLY = 1u << 0,
    /* Accept a timestamp without a zone and read it as UTC (the reference's
     * sensor last_heartbeat is written so). */
    TIMEFMT_ALLOW_NO_ZONE = 1u << 1,
};

/* Parses "2016-05-23T10:00:00Z", "...T10:00:00.000Z", "...T15:59:59.999999+00:00"
 * (fractions past the millisecond are truncated).  Returns true on success. */
bool timefmt_parse(const char *text, int64_t *out_ms, unsigned flags);

/* Writes "2016-05-23T10:00:00.000Z"; out needs TIMEFMT_SIZE bytes. */
#define TIMEFMT_SIZE 32
void timefmt_format(int64_t ms, char *out, size_t out_size);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t timefmt_days_from_civil(int64_t year, unsigned month, unsigned day);
void timefmt_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

/* "H:MM:SS" durations as the API's metrics write them; -1 if malformed. */
int64_t timefmt_parse_duration(const char *text);
void timefmt_format_duration(int64_t seconds, char *out, size_t out_size);

#endif
