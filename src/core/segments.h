/* segments.h — time segments: named timeframes ("Lunch", 11:30 to 13:30 on
 * weekdays) linked to spaces, and groups of them.
 *
 * Two views of the same idea live in the program:
 *  - the site-level collection (struct segments, site->segments): what the
 *    mock server serves at /time_segments/, each segment with the ids of the
 *    spaces it is linked to, and the groups that name segments;
 *  - the segments a space carries as the API nests them (space.time_segments
 *    of core/site.h), which is what a monitor receives.
 * Both use struct time_segment for the timeframe, so that the questions of
 * time (is this instant inside? which is the current one?) have one answer.
 *
 * Time
 *  - start and end are seconds after local midnight (0..86399), read on the
 *    wall clock of the space's time zone (core/tz.h).  An instant is inside
 *    a segment when the wall clock then reads start <= t < end on one of the
 *    segment's days.
 *  - A segment whose end is before its start spans midnight: it starts on
 *    each of its days and runs into the next day ("22:00" to "06:00" on
 *    Friday is Friday 22:00 to Saturday 06:00; Saturday need not be one of
 *    its days).  A segment whose end equals its start lasts 24 hours
 *    ("00:00" to "00:00" is the whole of each of its days).
 *  - Daylight-saving days follow the wall clock: a segment lasts as long as
 *    the clock reads inside it, an hour less when the clocks go forward
 *    through it (a segment wholly inside the skipped hour does not happen
 *    that day) and an hour more when they go back through it.
 *
 * Inheritance (the reference: "if a parent space is linked to a time
 * segment, all of its children spaces are also linked to that time
 * segment"): a segment applies to the spaces it is linked to and to every
 * descendant of them, found by walking up the site's parents (site_link()
 * must have run).  Links name spaces by id, so that they survive the site
 * changing under them; an id the site does not know (any more) links
 * nothing.
 *
 * Ownership: a struct segments owns every segment, group and string in it;
 * objects are built outside and moved in with segments_take*(), which leaves
 * the source empty.  Pure C, no I/O, not thread-safe. */
#ifndef OCCTOP_CORE_SEGMENTS_H
#define OCCTOP_CORE_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/site.h"
#include "core/tz.h"

#define SEGMENT_ID_PREFIX "tsm_"
#define SEGMENT_GROUP_ID_PREFIX "tsg_"
#define SEGMENT_ID_SIZE 32   /* room for a generated id: the prefix and 20 digits */
#define SEGMENTS_NONE ((size_t)-1)
#define SEGMENT_ALL_DAYS 0x7F

/* One segment of the collection.  time.name is its label. */
struct segment {
    struct time_segment time;
    struct string_list space_ids; /* linked spaces, in the order given */
};

struct segment_group {
    char *id;
    char *name;
    struct string_list segment_ids;
};

struct segments {
    struct segment *items;
    size_t count, room;
    struct segment_group *groups;
    size_t group_count, group_room;
    uint64_t last_number;       /* the largest number in a "tsm_"/"tsg_" id seen */
};

/* --- time ----------------------------------------------------------------- */

/* The weekday bit (enum weekday_bit) of a weekday name, "Monday" to
 * "Sunday", exactly as the reference capitalises them; 0 for anything else. */
uint8_t segment_day_parse(const char *name);
const char *segment_day_name(int day); /* 0 Monday .. 6 Sunday; NULL outside */

/* The local wall clock at ms (Unix milliseconds) in zone (NULL: UTC):
 * second of the day 0..86399 and weekday 0 (Monday) .. 6 (Sunday). */
void segment_local_clock(const struct tz_zone *zone, int64_t ms, int32_t *second_of_day,
                         int *weekday);

/* Whether the instant ms is inside the segment, in zone (see the file
 * comment for midnight and daylight saving). */
bool segment_contains(const struct time_segment *t, const struct tz_zone *zone, int64_t ms);

/* "Mon-Fri", "Sat, Sun", "every day", "Mon, Wed, Fri" (at most 32 bytes),
 * and "11:30-13:30" (seconds shown only when not zero): for screens. */
void segment_days_text(uint8_t days, char *out, size_t out_size);
void segment_times_text(const struct time_segment *t, char *out, size_t out_size);

/* --- the collection ------------------------------------------------------- */

struct segments *segments_new(void);
void segments_free(struct segments *segments); /* accepts NULL */

void segment_init(struct segment *s);
void segment_clear(struct segment *s);   /* frees and re-inits */
void segment_group_clear(struct segment_group *g);

/* Moves a segment (a group) in, at the end.  The source is left empty
 * whether or not the call succeeds.  0, or -1 when out of memory. */
int segments_take(struct segments *segments, struct segment *segment);
int segments_take_group(struct segments *segments, struct segment_group *group);

/* Index by id; SEGMENTS_NONE when there is none (or segments is NULL). */
size_t segments_find(const struct segments *segments, const char *id);
size_t segments_find_group(const struct segments *segments, const char *id);
size_t segments_find_group_named(const struct segments *segments, const char *name);

/* Removes segment `index` and its mentions in groups; a group it leaves
 * empty is removed too.  Indices after it shift down by one. */
void segments_remove(struct segments *segments, size_t index);

/* A group exists while it holds a segment: takes out of each group the ids
 * of segments the collection does not hold and repeated ids, then removes
 * the groups left empty. */
void segments_tidy(struct segments *segments);

/* A new id, "tsm_<n>" ("tsg_<n>"), n one more than any number seen in the
 * collection's ids so far and at least 10^17 + 1, so that it has 18 digits
 * like the API's ids (never reused in the collection's life). */
void segments_new_id(struct segments *segments, bool group, char out[SEGMENT_ID_SIZE]);

/* Records the number of an id taken in from elsewhere, so that new ids stay
 * clear of it (segments_take* do this). */
void segments_note_id(struct segments *segments, const char *id);

/* Builds a collection from the segments the spaces carry, for a site that
 * came without a site-level list (a saved GET /spaces/ response): each id
 * once (as the first space listing it has it), linked to each space that
 * lists it unless an ancestor lists it too (it is then inherited).  Groups
 * are guessed, the API saying only which spaces show a group: a group holds
 * the segments that every space showing it lists itself; a group for which
 * that leaves nothing is dropped.  *out is NULL when no space carries a
 * segment.  Returns 0, or -1 when out of memory. */
int segments_from_nested(const struct site *site, struct segments **out);

/* --- spaces --------------------------------------------------------------- */

/* How a segment reaches a space. */
enum segment_reach {
    SEGMENT_NOT = 0,
    SEGMENT_LINKED,    /* linked to the space itself */
    SEGMENT_INHERITED, /* linked to an ancestor only */
};

/* How segment `index` reaches space `space` of `site`. */
enum segment_reach segments_reach(const struct segments *segments, size_t index,
                                  const struct site *site, site_index space);

/* The segments that apply to a space, inherited ones included, in the
 * collection's order: fills out[0..min(count, room)) with their indices
 * and reach[] (may be NULL) with how each reaches it; returns how many
 * apply. */
size_t segments_for_space(const struct segments *segments, const struct site *site,
                          site_index space, size_t *out, enum segment_reach *reach, size_t room);

/* Whether group `index` holds one of the segments flagged in applies[]
 * (one flag per segment of the collection). */
bool segments_group_applies(const struct segments *segments, size_t index, const bool *applies);

/* The segments that apply to a space and hold the instant ms in its zone
 * (in the collection's order); returns how many. */
size_t segments_current(const struct segments *segments, const struct site *site,
                        site_index space, const struct tz_zone *zone, int64_t ms, size_t *out,
                        size_t room);

/* --- segments as a space carries them (the monitor's view) ---------------- */

/* A space's nested segments and those of its ancestors (for a server that
 * lists only a space's own): each id once, the space's own first, then the
 * closest ancestor's.  Fills out[] with pointers into the site; returns
 * how many there are (may exceed room). */
size_t segments_nested_for_space(const struct site *site, site_index space,
                                 const struct time_segment **out, size_t room);

#endif
