/* profile.c — built-in traffic shapes per space function, and the "calit2"
 * profile derived from real door counts.
 *
 * The built-in shapes are written as rows of 48 half hours (four lines of six
 * hours: 00:00, 06:00, 12:00, 18:00).  They are judgement, not data: an office
 * fills between 08:00 and 10:00 and empties from 17:00, a cafe has a small
 * breakfast bump, a strong lunch peak from 11:30 to 13:30 and an afternoon
 * coffee, a gym is busy before and after work.  Departure rows are relative
 * departure rates per person: a flat row means people stay for the
 * function's usual time (a meeting, a coffee), a row that rises in the
 * evening sends everybody home. */
#include "sim/profile.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"

/* --- rows ------------------------------------------------------------------ */

#define FLAT(v) { v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, \
                  v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v }
#define WEEK(weekday, saturday, sunday) \
    { weekday, weekday, weekday, weekday, weekday, saturday, sunday }
#define EVERY_DAY(row) { row, row, row, row, row, row, row }

/* A quiet day (weekends): some people come in late morning and early
 * afternoon; k scales the whole day against a busy weekday. */
#define QUIET_DAY(k) { \
    .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k), \
    .1f*(k),  .15f*(k), .2f*(k),  .3f*(k),  .4f*(k),  .55f*(k), .7f*(k),  .85f*(k), .95f*(k), 1.f*(k),  1.f*(k),  1.f*(k),  \
    1.f*(k),  1.f*(k),  .95f*(k), .9f*(k),  .85f*(k), .8f*(k),  .7f*(k),  .6f*(k),  .5f*(k),  .4f*(k),  .3f*(k),  .25f*(k), \
    .2f*(k),  .15f*(k), .12f*(k), .1f*(k),  .08f*(k), .07f*(k), .06f*(k), .06f*(k), .05f*(k), .05f*(k), .05f*(k), .05f*(k) }

#define OFFICE_IN { \
    .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, \
    .04f,  .08f,  .2f,   .4f,   .7f,   1.f,   1.f,   .75f,  .45f,  .3f,   .2f,   .15f,  \
    .12f,  .3f,   .45f,  .3f,   .15f,  .12f,  .1f,   .08f,  .06f,  .04f,  .03f,  .02f,  \
    .015f, .01f,  .01f,  .008f, .006f, .005f, .005f, .005f, .005f, .005f, .005f, .005f }

/* Low all day (people stay), a lunch outing, everybody out from 17:00; at
 * night whoever is still there leaves. */
#define OFFICE_OUT { \
    .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  \
    .1f,  .05f, .02f, .02f, .02f, .02f, .02f, .02f, .02f, .02f, .02f, .12f, \
    .3f,  .25f, .06f, .03f, .03f, .04f, .05f, .08f, .15f, .3f,  .6f,  1.f,  \
    1.f,  .9f,  .8f,  .7f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f }

#define MEETING_IN { \
    .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, \
    .01f,  .02f,  .05f,  .1f,   .3f,   .5f,   .8f,   .9f,   1.f,   .9f,   .9f,   .6f,   \
    .35f,  .4f,   .8f,   .9f,   1.f,   .9f,   .9f,   .8f,   .7f,   .5f,   .3f,   .15f,  \
    .06f,  .03f,  .015f, .01f,  .005f, .003f, .002f, .002f, .002f, .002f, .002f, .002f }

#define CAFE_IN { \
    .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, \
    .02f,  .05f,  .12f,  .25f,  .35f,  .35f,  .25f,  .15f,  .1f,   .12f,  .25f,  .6f,   \
    1.f,   1.f,   .8f,   .45f,  .2f,   .15f,  .25f,  .3f,   .2f,   .1f,   .06f,  .05f,  \
    .04f,  .02f,  .01f,  .008f, .005f, .004f, .003f, .003f, .003f, .003f, .003f, .003f }

#define CAFE_WEEKEND_IN { \
    .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, \
    .005f, .005f, .01f,  .02f,  .03f,  .04f,  .05f,  .06f,  .07f,  .08f,  .1f,   .12f,  \
    .15f,  .15f,  .12f,  .08f,  .05f,  .04f,  .04f,  .04f,  .03f,  .02f,  .015f, .01f,  \
    .008f, .005f, .004f, .003f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f }

#define GYM_IN { \
    .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .003f, .1f,   \
    .5f,   .9f,   1.f,   .8f,   .5f,   .3f,   .15f,  .1f,   .1f,   .1f,   .1f,   .25f,  \
    .45f,  .4f,   .2f,   .08f,  .08f,  .08f,  .08f,  .08f,  .15f,  .4f,   .8f,   1.f,   \
    .9f,   .7f,   .4f,   .2f,   .1f,   .05f,  .02f,  .01f,  .005f, .003f, .003f, .003f }

#define GYM_WEEKEND_IN { \
    .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f, \
    .016f,  .04f,   .08f,   .16f,   .24f,   .32f,   .36f,   .36f,   .32f,   .28f,   .24f,   .2f, \
    .16f,   .144f,  .12f,   .12f,   .144f,  .16f,   .176f,  .176f,  .16f,   .12f,   .08f,   .064f, \
    .04f,   .024f,  .016f,  .008f,  .004f,  .0024f, .0016f, .0016f, .0016f, .0016f, .0016f, .0016f }

/* Lobbies, receptions, whole buildings and floors: the morning wave, people
 * going out and back at lunch, visitors through the day. */
#define BUILDING_IN { \
    .004f, .004f, .004f, .004f, .004f, .004f, .004f, .004f, .004f, .004f, .004f, .004f, \
    .05f,  .12f,  .3f,   .55f,  .85f,  1.f,   .95f,  .7f,   .45f,  .35f,  .3f,   .3f,   \
    .35f,  .45f,  .5f,   .35f,  .25f,  .2f,   .2f,   .18f,  .15f,  .12f,  .1f,   .08f,  \
    .06f,  .04f,  .03f,  .02f,  .01f,  .01f,  .008f, .006f, .005f, .005f, .004f, .004f }

#define BUILDING_OUT { \
    .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  \
    .1f,  .05f, .03f, .03f, .03f, .03f, .03f, .03f, .03f, .04f, .06f, .15f, \
    .35f, .3f,  .1f,  .05f, .05f, .06f, .08f, .1f,  .2f,  .4f,  .7f,  1.f,  \
    1.f,  .9f,  .8f,  .7f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f,  .6f }

/* Restrooms follow how many people are in the offices around them: this row
 * is the occupancy an office profile produces, not its arrivals. */
#define RESTROOM_IN { \
    .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  \
    .03f,  .05f,  .1f,   .25f,  .45f,  .65f,  .8f,   .9f,   .95f,  1.f,   1.f,   .95f,  \
    .8f,   .7f,   .8f,   .9f,   .95f,  .95f,  .95f,  .9f,   .85f,  .75f,  .6f,   .4f,   \
    .25f,  .15f,  .1f,   .06f,  .04f,  .02f,  .02f,  .01f,  .01f,  .01f,  .01f,  .01f }

/* Labs start later and run later. */
#define LAB_IN { \
    .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, \
    .01f,  .02f,  .05f,  .1f,   .3f,   .6f,   .9f,   1.f,   .8f,   .5f,   .35f,  .3f,   \
    .25f,  .35f,  .5f,   .5f,   .4f,   .35f,  .3f,   .3f,   .25f,  .2f,   .15f,  .12f,  \
    .1f,   .1f,   .08f,  .06f,  .05f,  .04f,  .03f,  .02f,  .01f,  .01f,  .008f, .006f }

#define LAB_OUT { \
    .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  .5f,  \
    .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .1f,  .3f,  \
    .4f,  .3f,  .15f, .15f, .15f, .15f, .15f, .25f, .25f, .25f, .5f,  .8f,  \
    1.f,  .9f,  .9f,  .9f,  .8f,  .8f,  .8f,  .8f,  .8f,  .8f,  .8f,  .8f }

#define LIBRARY_IN { \
    .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, \
    .005f, .01f,  .03f,  .06f,  .15f,  .3f,   .5f,   .7f,   .85f,  .9f,   .9f,   .75f,  \
    .6f,   .7f,   .9f,   1.f,   1.f,   .95f,  .9f,   .85f,  .75f,  .6f,   .45f,  .3f,   \
    .2f,   .15f,  .1f,   .07f,  .05f,  .02f,  .02f,  .01f,  .005f, .003f, .002f, .002f }

/* Lounges: lunch, a mid-afternoon break, and after work. */
#define LOUNGE_IN { \
    .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, \
    .01f,  .02f,  .04f,  .06f,  .1f,   .15f,  .2f,   .2f,   .25f,  .25f,  .3f,   .5f,   \
    .8f,   .9f,   .7f,   .45f,  .35f,  .35f,  .45f,  .55f,  .6f,   .7f,   .9f,   1.f,   \
    .8f,   .5f,   .3f,   .15f,  .08f,  .03f,  .02f,  .01f,  .008f, .006f, .005f, .005f }

/* Theaters and event spaces: a morning all-hands, a lunch talk, an afternoon
 * session and an evening event; people leave when each ends. */
#define EVENT_IN { \
    .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, \
    .005f, .01f,  .02f,  .03f,  .05f,  .1f,   .4f,   1.f,   .3f,   .1f,   .1f,   .6f,   \
    .8f,   .2f,   .1f,   .1f,   .15f,  .15f,  .15f,  .3f,   .7f,   .5f,   .2f,   .3f,   \
    .5f,   .3f,   .1f,   .05f,  .02f,  .01f,  .005f, .003f, .002f, .002f, .002f, .002f }

#define EVENT_OUT { \
    1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  1.f,  \
    .3f,  .3f,  .3f,  .3f,  .3f,  .3f,  .3f,  .3f,  .3f,  1.f,  .6f,  .3f,  \
    .3f,  .3f,  1.f,  .6f,  .3f,  .3f,  .3f,  .3f,  .3f,  .3f,  .8f,  .6f,  \
    .3f,  .3f,  .6f,  1.f,  .8f,  .8f,  .8f,  .8f,  .8f,  .8f,  1.f,  1.f }

/* Mail rooms, shops, amenities: short visits through the working day. */
#define AMENITIES_IN { \
    .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, .002f, \
    .01f,  .02f,  .05f,  .1f,   .2f,   .4f,   .6f,   .7f,   .7f,   .65f,  .7f,   .85f,  \
    1.f,   1.f,   .85f,  .7f,   .6f,   .55f,  .55f,  .55f,  .5f,   .45f,  .4f,   .3f,   \
    .15f,  .08f,  .04f,  .01f,  .005f, .003f, .002f, .002f, .002f, .002f, .002f, .002f }

#define WORSHIP_IN { \
    .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .05f,  \
    .1f,   .15f,  .2f,   .15f,  .1f,   .05f,  .05f,  .05f,  .05f,  .05f,  .1f,   .2f,   \
    .4f,   .5f,   .45f,  .3f,   .15f,  .1f,   .1f,   .15f,  .2f,   .15f,  .1f,   .2f,   \
    .3f,   .25f,  .15f,  .1f,   .05f,  .02f,  .01f,  .005f, .005f, .005f, .005f, .005f }

/* Friday midday prayers. */
#define WORSHIP_FRIDAY_IN { \
    .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .005f, .05f,  \
    .1f,   .15f,  .2f,   .15f,  .1f,   .05f,  .05f,  .05f,  .05f,  .05f,  .1f,   .3f,   \
    .8f,   1.f,   .9f,   .5f,   .15f,  .1f,   .1f,   .15f,  .2f,   .15f,  .1f,   .2f,   \
    .3f,   .25f,  .15f,  .1f,   .05f,  .02f,  .01f,  .005f, .005f, .005f, .005f, .005f }

#define GENERIC_IN { \
    .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  .01f,  \
    .03f,  .05f,  .1f,   .2f,   .4f,   .55f,  .7f,   .8f,   .9f,   .95f,  1.f,   1.f,   \
    .9f,   .9f,   .9f,   .9f,   .9f,   .85f,  .8f,   .7f,   .6f,   .5f,   .4f,   .3f,   \
    .2f,   .15f,  .1f,   .08f,  .05f,  .04f,  .03f,  .02f,  .01f,  .01f,  .01f,  .01f }

/* --- the built-in profiles --------------------------------------------------- */

static const struct sim_profile office_profile = {
    .name = "office",
    .arrival = WEEK(OFFICE_IN, QUIET_DAY(.06f), QUIET_DAY(.03f)),
    .departure = EVERY_DAY(OFFICE_OUT),
};

static const struct sim_profile meeting_profile = {
    .name = "meeting",
    .arrival = WEEK(MEETING_IN, QUIET_DAY(.03f), QUIET_DAY(.02f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile cafe_profile = {
    .name = "cafe",
    .arrival = WEEK(CAFE_IN, CAFE_WEEKEND_IN, CAFE_WEEKEND_IN),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile gym_profile = {
    .name = "gym",
    .arrival = WEEK(GYM_IN, GYM_WEEKEND_IN, GYM_WEEKEND_IN),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile building_profile = {
    .name = "building",
    .arrival = WEEK(BUILDING_IN, QUIET_DAY(.08f), QUIET_DAY(.05f)),
    .departure = EVERY_DAY(BUILDING_OUT),
};

static const struct sim_profile restroom_profile = {
    .name = "restroom",
    .arrival = WEEK(RESTROOM_IN, QUIET_DAY(.08f), QUIET_DAY(.05f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile lab_profile = {
    .name = "lab",
    .arrival = WEEK(LAB_IN, QUIET_DAY(.15f), QUIET_DAY(.1f)),
    .departure = EVERY_DAY(LAB_OUT),
};

static const struct sim_profile library_profile = {
    .name = "library",
    .arrival = WEEK(LIBRARY_IN, QUIET_DAY(.3f), QUIET_DAY(.2f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile lounge_profile = {
    .name = "lounge",
    .arrival = WEEK(LOUNGE_IN, QUIET_DAY(.2f), QUIET_DAY(.15f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

/* A weekly all-hands on Tuesday morning and a Thursday afternoon talk, each
 * in half of the weeks. */
static const struct sim_profile event_profile = {
    .name = "event",
    .arrival = WEEK(EVENT_IN, QUIET_DAY(.1f), QUIET_DAY(.05f)),
    .departure = EVERY_DAY(EVENT_OUT),
    .surges = { { .weekday = 1, .start_slot = 19, .end_slot = 22, .factor = 3.0 },
                { .weekday = 3, .start_slot = 32, .end_slot = 36, .factor = 3.0 } },
    .surge_count = 2,
    .surges_per_week = 1.0,
};

static const struct sim_profile amenities_profile = {
    .name = "amenities",
    .arrival = WEEK(AMENITIES_IN, QUIET_DAY(.05f), QUIET_DAY(.03f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile worship_profile = {
    .name = "worship",
    .arrival = { WORSHIP_IN, WORSHIP_IN, WORSHIP_IN, WORSHIP_IN, WORSHIP_FRIDAY_IN,
                 QUIET_DAY(.08f), QUIET_DAY(.1f) },
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct sim_profile generic_profile = {
    .name = "generic",
    .arrival = WEEK(GENERIC_IN, QUIET_DAY(.1f), QUIET_DAY(.06f)),
    .departure = EVERY_DAY(FLAT(1.f)),
};

static const struct {
    const char *function;
    const struct sim_profile *profile;
} function_profiles[] = {
    { "office", &office_profile },
    { "focus_quiet", &office_profile },
    { "meeting_room", &meeting_profile },
    { "conference_room", &meeting_profile },
    { "phone_booth", &meeting_profile },
    { "collaboration", &meeting_profile },
    { "cafe", &cafe_profile },
    { "dining_area", &cafe_profile },
    { "kitchen", &cafe_profile },
    { "break_room", &cafe_profile },
    { "gym", &gym_profile },
    { "wellness_room", &gym_profile },
    { "reception", &building_profile },
    { "lobby", &building_profile },
    { "building", &building_profile },
    { "floor", &building_profile },
    { "campus", &building_profile },
    { "restroom", &restroom_profile },
    { "lab", &lab_profile },
    { "library", &library_profile },
    { "lounge", &lounge_profile },
    { "theater", &event_profile },
    { "event_space", &event_profile },
    { "amenities_space", &amenities_profile },
    { "retail", &amenities_profile },
    { "place_of_worship", &worship_profile },
};

const struct sim_profile *sim_profile_for_function(const char *function)
{
    if (function == NULL)
        return &generic_profile;
    for (size_t i = 0; i < sizeof function_profiles / sizeof function_profiles[0]; i++)
        if (strcasecmp(function, function_profiles[i].function) == 0)
            return function_profiles[i].profile;
    return &generic_profile;
}

/* --- parsing CalIt2 ------------------------------------------------------------- */

#define SECONDS_PER_SLOT 1800
#define MAX_COUNT 1000000L
/* Bounds the per-day table: the real data spans 15 weeks. */
#define MAX_SPAN_DAYS 36600

struct text_lines {
    const char *next, *end;
    size_t number; /* of the line last returned, from 1 */
};

/* The next line without its '\n'; false at the end of the text. */
static bool next_line(struct text_lines *lines, const char **start, const char **stop)
{
    if (lines->next == NULL || lines->next >= lines->end)
        return false;
    const char *p = lines->next;
    const char *nl = memchr(p, '\n', (size_t)(lines->end - p));
    *start = p;
    *stop = nl ? nl : lines->end;
    lines->next = nl ? nl + 1 : lines->end;
    lines->number++;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **start, const char **stop)
{
    while (*start < *stop && is_blank(**start))
        (*start)++;
    while (*stop > *start && is_blank((*stop)[-1]))
        (*stop)--;
}

/* Splits [start, stop) at commas into up to max fields, trimmed; returns the
 * number of fields (max + 1 when there are more). */
static size_t split_fields(const char *start, const char *stop, const char *field_start[],
                           const char *field_stop[], size_t max)
{
    size_t count = 0;
    const char *p = start;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(stop - p));
        const char *end = comma ? comma : stop;
        if (count == max)
            return max + 1;
        field_start[count] = p;
        field_stop[count] = end;
        trim(&field_start[count], &field_stop[count]);
        count++;
        if (comma == NULL)
            return count;
        p = comma + 1;
    }
}

/* Exactly `digits` decimal digits (0: one or more, at most 9). */
static bool parse_digits(const char *start, const char *stop, size_t digits, long *out)
{
    size_t n = (size_t)(stop - start);
    if (n == 0 || n > 9 || (digits && n != digits))
        return false;
    long value = 0;
    for (const char *p = start; p < stop; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (*p - '0');
    }
    *out = value;
    return true;
}

static bool is_leap(long year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* "MM/DD/YY" (or a four-digit year) to days since 1970-01-01. */
static bool parse_date(const char *start, const char *stop, int64_t *days)
{
    static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *slash1 = memchr(start, '/', (size_t)(stop - start));
    if (slash1 == NULL)
        return false;
    const char *slash2 = memchr(slash1 + 1, '/', (size_t)(stop - slash1 - 1));
    if (slash2 == NULL)
        return false;
    long month, day, year;
    if (!parse_digits(start, slash1, 2, &month) || !parse_digits(slash1 + 1, slash2, 2, &day))
        return false;
    size_t year_digits = (size_t)(stop - slash2 - 1);
    if ((year_digits != 2 && year_digits != 4) || !parse_digits(slash2 + 1, stop, 0, &year))
        return false;
    if (year_digits == 2)
        year += 2000; /* the data is from 2005 */
    if (month < 1 || month > 12 || day < 1)
        return false;
    int limit = month_days[month - 1] + (month == 2 && is_leap(year));
    if (day > limit)
        return false;
    *days = timefmt_days_from_civil(year, (unsigned)month, (unsigned)day);
    return true;
}

/* "HH:MM:SS" to seconds after midnight; 24:00:00 only when allow_24. */
static bool parse_clock(const char *start, const char *stop, bool allow_24, long *seconds)
{
    if (stop - start != 8 || start[2] != ':' || start[5] != ':')
        return false;
    long h, m, s;
    if (!parse_digits(start, start + 2, 2, &h) || !parse_digits(start + 3, start + 5, 2, &m) ||
        !parse_digits(start + 6, stop, 2, &s))
        return false;
    if (m > 59 || s > 59 || h > 24 || (h == 24 && (!allow_24 || m || s)))
        return false;
    *seconds = h * 3600 + m * 60 + s;
    return true;
}

static int weekday_of(int64_t days)
{
    int64_t w = (days + 3) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

struct calit2_row {
    int64_t day;   /* of the half hour counted */
    int slot;
    bool in;
    long count;
    size_t line;
};

struct row_list {
    struct calit2_row *rows;
    size_t count, capacity;
};

static int row_list_add(struct row_list *list, struct calit2_row row)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 1024;
        struct calit2_row *rows = realloc(list->rows, capacity * sizeof *rows);
        if (rows == NULL)
            return -1;
        list->rows = rows;
        list->capacity = capacity;
    }
    list->rows[list->count++] = row;
    return 0;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *error, size_t error_size, const char *pattern, ...)
{
    if (error_size > 0) {
        va_list args;
        va_start(args, pattern);
        vsnprintf(error, error_size, pattern, args);
        va_end(args);
    }
    return -1;
}

#define DATA_NAME "CalIt2.data"
#define EVENTS_NAME "CalIt2.events"

/* One data line to a row; the count belongs to the half hour before the
 * row's time, which may be on the day before. */
static int parse_data_line(const char *start, const char *stop, size_t line,
                           struct calit2_row *row, char *error, size_t error_size)
{
    const char *fs[4], *fe[4];
    size_t fields = split_fields(start, stop, fs, fe, 4);
    if (fields != 4)
        return fail(error, error_size,
                    DATA_NAME " line %zu: expected 4 fields (flow,MM/DD/YY,HH:MM:SS,count), got %s%zu",
                    line, fields > 4 ? "more than " : "", fields > 4 ? (size_t)4 : fields);
    long flow, seconds, count;
    int64_t days;
    if (!parse_digits(fs[0], fe[0], 0, &flow) || (flow != 7 && flow != 9))
        return fail(error, error_size, DATA_NAME " line %zu: flow must be 7 (out) or 9 (in)", line);
    if (!parse_date(fs[1], fe[1], &days))
        return fail(error, error_size, DATA_NAME " line %zu: date is not a valid MM/DD/YY", line);
    if (!parse_clock(fs[2], fe[2], false, &seconds))
        return fail(error, error_size, DATA_NAME " line %zu: time is not a valid HH:MM:SS", line);
    if (seconds % SECONDS_PER_SLOT != 0)
        return fail(error, error_size, DATA_NAME " line %zu: time is not on the half hour", line);
    if (!parse_digits(fs[3], fe[3], 0, &count) || count > MAX_COUNT)
        return fail(error, error_size,
                    DATA_NAME " line %zu: count is not a whole number from 0 to %ld", line,
                    MAX_COUNT);
    long slot = seconds / SECONDS_PER_SLOT - 1;
    if (slot < 0) {
        slot += 48;
        days -= 1;
    }
    *row = (struct calit2_row){ .day = days, .slot = (int)slot, .in = flow == 9,
                                .count = count, .line = line };
    return 0;
}

static int parse_data(const char *data, size_t data_len, struct row_list *rows, char *error,
                      size_t error_size)
{
    struct text_lines lines = { data, data + data_len, 0 };
    const char *start, *stop;
    while (next_line(&lines, &start, &stop)) {
        trim(&start, &stop);
        if (start == stop)
            continue;
        struct calit2_row row = { 0 };
        if (parse_data_line(start, stop, lines.number, &row, error, error_size) != 0)
            return -1;
        if (row_list_add(rows, row) != 0)
            return fail(error, error_size, DATA_NAME ": out of memory");
    }
    if (rows->count == 0)
        return fail(error, error_size, DATA_NAME ": no rows");
    return 0;
}

/* Counts per day and slot, -1 where no row gave one. */
struct day_table {
    int64_t first_day;
    size_t days;
    long *in, *out; /* [day * 48 + slot] */
    double mean_in[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS];
};

static long *table_cell(const struct day_table *table, bool in, int64_t day, int slot)
{
    if (day < table->first_day || day >= table->first_day + (int64_t)table->days)
        return NULL;
    size_t index = (size_t)(day - table->first_day) * SIM_PROFILE_SLOTS + (size_t)slot;
    return in ? &table->in[index] : &table->out[index];
}

static int build_table(const struct row_list *rows, struct day_table *table, char *error,
                       size_t error_size)
{
    int64_t first = rows->rows[0].day, last = first;
    for (size_t i = 1; i < rows->count; i++) {
        if (rows->rows[i].day < first)
            first = rows->rows[i].day;
        if (rows->rows[i].day > last)
            last = rows->rows[i].day;
    }
    if (last - first >= MAX_SPAN_DAYS)
        return fail(error, error_size, DATA_NAME ": the dates span more than %d days",
                    MAX_SPAN_DAYS);
    table->first_day = first;
    table->days = (size_t)(last - first + 1);
    size_t cells = table->days * SIM_PROFILE_SLOTS;
    table->in = malloc(cells * sizeof *table->in);
    table->out = malloc(cells * sizeof *table->out);
    if (table->in == NULL || table->out == NULL)
        return fail(error, error_size, DATA_NAME ": out of memory");
    for (size_t i = 0; i < cells; i++)
        table->in[i] = table->out[i] = -1;
    for (size_t i = 0; i < rows->count; i++) {
        const struct calit2_row *row = &rows->rows[i];
        long *cell = table_cell(table, row->in, row->day, row->slot);
        if (*cell >= 0)
            return fail(error, error_size,
                        DATA_NAME " line %zu: a second %s count for the same half hour", row->line,
                        row->in ? "in" : "out");
        *cell = row->count;
    }
    return 0;
}

/* Mean per weekday and slot, scaled so the week's peak is 1.0; the table
 * keeps the unscaled in-means for the surge factors. */
static void fill_means(struct day_table *table, struct sim_profile *out)
{
    double sum_in[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS] = { { 0 } };
    double sum_out[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS] = { { 0 } };
    int n_in[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS] = { { 0 } };
    int n_out[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS] = { { 0 } };
    size_t rows_in = 0;
    for (size_t d = 0; d < table->days; d++) {
        int weekday = weekday_of(table->first_day + (int64_t)d);
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            long in = table->in[d * SIM_PROFILE_SLOTS + (size_t)s];
            long o = table->out[d * SIM_PROFILE_SLOTS + (size_t)s];
            if (in >= 0) {
                sum_in[weekday][s] += (double)in;
                n_in[weekday][s]++;
                rows_in++;
            }
            if (o >= 0) {
                sum_out[weekday][s] += (double)o;
                n_out[weekday][s]++;
            }
        }
    }
    double peak_in = 0, peak_out = 0;
    for (int d = 0; d < SIM_PROFILE_DAYS; d++)
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            sum_in[d][s] = n_in[d][s] ? sum_in[d][s] / n_in[d][s] : 0;
            sum_out[d][s] = n_out[d][s] ? sum_out[d][s] / n_out[d][s] : 0;
            if (sum_in[d][s] > peak_in)
                peak_in = sum_in[d][s];
            if (sum_out[d][s] > peak_out)
                peak_out = sum_out[d][s];
        }
    for (int d = 0; d < SIM_PROFILE_DAYS; d++)
        for (int s = 0; s < SIM_PROFILE_SLOTS; s++) {
            out->arrival[d][s] = peak_in > 0 ? (float)(sum_in[d][s] / peak_in) : 0.f;
            out->departure[d][s] = peak_out > 0 ? (float)(sum_out[d][s] / peak_out) : 0.f;
        }
    memcpy(table->mean_in, sum_in, sizeof table->mean_in);
    out->arrival_scale = peak_in;
    out->departure_scale = peak_out;
    out->weeks = (double)rows_in / (SIM_PROFILE_DAYS * SIM_PROFILE_SLOTS);
}

/* The event's in-count over the mean in-count of its weekday and slots. */
static double surge_factor(const struct day_table *table, int64_t day, int start_slot,
                           int end_slot, bool *any)
{
    double seen = 0, usual = 0;
    int weekday = weekday_of(day);
    *any = false;
    for (int s = start_slot; s < end_slot; s++) {
        const long *cell = table_cell(table, true, day, s);
        if (cell == NULL || *cell < 0)
            continue;
        *any = true;
        seen += (double)*cell;
        usual += table->mean_in[weekday][s];
    }
    return usual > 0 ? seen / usual : 1.0; /* no usual traffic: no measurable surge */
}

static int parse_events(const char *events, size_t events_len, const struct day_table *table,
                        struct sim_profile *out, char *error, size_t error_size)
{
    struct text_lines lines = { events, events + events_len, 0 };
    const char *start, *stop;
    size_t found = 0;
    while (next_line(&lines, &start, &stop)) {
        trim(&start, &stop);
        if (start == stop)
            continue;
        size_t line = lines.number;
        const char *fs[4], *fe[4];
        /* The name is everything after the third comma. */
        size_t fields = split_fields(start, stop, fs, fe, 3);
        if (fields < 4)
            return fail(error, error_size,
                        EVENTS_NAME " line %zu: expected MM/DD/YY,HH:MM:SS,HH:MM:SS,name", line);
        int64_t day;
        long begin, end;
        if (!parse_date(fs[0], fe[0], &day))
            return fail(error, error_size, EVENTS_NAME " line %zu: date is not a valid MM/DD/YY",
                        line);
        if (!parse_clock(fs[1], fe[1], false, &begin))
            return fail(error, error_size,
                        EVENTS_NAME " line %zu: begin time is not a valid HH:MM:SS", line);
        if (!parse_clock(fs[2], fe[2], true, &end))
            return fail(error, error_size,
                        EVENTS_NAME " line %zu: end time is not a valid HH:MM:SS", line);
        if (end == 0)
            end = 86400;
        if (end <= begin)
            return fail(error, error_size, EVENTS_NAME " line %zu: the event ends before it begins",
                        line);
        int start_slot = (int)(begin / SECONDS_PER_SLOT);
        int end_slot = (int)((end + SECONDS_PER_SLOT - 1) / SECONDS_PER_SLOT);
        bool any;
        double factor = surge_factor(table, day, start_slot, end_slot, &any);
        if (!any)
            return fail(error, error_size,
                        EVENTS_NAME " line %zu: the data has no counts for the event's hours", line);
        if (found == SIM_PROFILE_MAX_SURGES)
            return fail(error, error_size, EVENTS_NAME " line %zu: more than %d events", line,
                        SIM_PROFILE_MAX_SURGES);
        out->surges[found++] = (struct sim_surge){ .weekday = weekday_of(day),
                                                   .start_slot = start_slot,
                                                   .end_slot = end_slot,
                                                   .factor = factor };
    }
    out->surge_count = found;
    out->surges_per_week = out->weeks > 0 ? (double)found / out->weeks : 0;
    return 0;
}

int sim_profile_from_calit2(const char *data, size_t data_len, const char *events,
                            size_t events_len, struct sim_profile *out, char *error,
                            size_t error_size)
{
    if (error_size > 0)
        error[0] = '\0';
    struct sim_profile profile;
    memset(&profile, 0, sizeof profile);
    snprintf(profile.name, sizeof profile.name, "calit2");
    profile.departures_are_counts = true;

    struct row_list rows = { 0 };
    struct day_table table = { 0 };
    int status = -1;
    if (parse_data(data, data_len, &rows, error, error_size) != 0)
        goto done;
    if (build_table(&rows, &table, error, error_size) != 0)
        goto done;
    fill_means(&table, &profile);
    if (events != NULL && parse_events(events, events_len, &table, &profile, error, error_size) != 0)
        goto done;
    *out = profile;
    status = 0;
done:
    free(rows.rows);
    free(table.in);
    free(table.out);
    return status;
}
