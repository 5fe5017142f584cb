/* profile.h — daily traffic profiles for simulated doorways.
 *
 * A profile gives, for each weekday (Monday first) and each half hour of the
 * local day, a relative arrival rate and a relative departure value, both
 * scaled so that the week's peak is 1.0.  The simulator (sim.h) turns them
 * into people: arrivals per minute are the arrival value times a rate sized
 * from the space's capacity.  Departures come in two flavours:
 *  - built-in shapes say how readily each person present leaves (an office
 *    empties in the evening because its departure value is high then, not
 *    because of a fixed dwell time; a flat row means people stay for the
 *    function's usual time);
 *  - profiles from data give the number of people leaving (departures_are_counts),
 *    which the simulator divides by the occupancy the in and out counts imply.
 *
 * A profile may also carry surges: known events (a conference, an all-hands)
 * that multiply the arrivals of some half hours of one weekday, and how many
 * such events happen in a week.
 *
 * Two kinds of profiles:
 *  - built-in shapes per space function (office, cafe, gym, ...), static and
 *    read-only: sim_profile_for_function();
 *  - "calit2", derived from the real half-hour door counts of the CalIt2
 *    building (UCI Machine Learning Repository; data/calit2/README.md):
 *    sim_profile_from_calit2(), which only parses buffers (no I/O: the caller
 *    reads the files).
 *
 * Ownership: a profile is a plain value without pointers; copy it freely. */
#ifndef OCCTOP_SIM_PROFILE_H
#define OCCTOP_SIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#define SIM_PROFILE_DAYS 7    /* Monday = 0 ... Sunday = 6 */
#define SIM_PROFILE_SLOTS 48  /* half hours from local midnight */
#define SIM_PROFILE_MAX_SURGES 64
#define SIM_PROFILE_NAME_SIZE 24

/* One known event: on `weekday`, half hours [start_slot, end_slot). */
struct sim_surge {
    int weekday;     /* 0 = Monday */
    int start_slot;  /* 0..47 */
    int end_slot;    /* start_slot + 1 .. 48 */
    double factor;   /* arrivals during the event relative to the usual ones:
                        2.5 means two and a half times as many.  Measured
                        values below 1 are kept as they are. */
};

struct sim_profile {
    char name[SIM_PROFILE_NAME_SIZE];
    float arrival[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS];   /* relative; week's peak 1.0 */
    float departure[SIM_PROFILE_DAYS][SIM_PROFILE_SLOTS]; /* relative; week's peak 1.0 */
    bool departures_are_counts; /* departure[][] counts people leaving (see above) */

    /* For a profile derived from data: what 1.0 stands for, in people per
     * half hour (the mean count of the busiest weekday/slot), so that
     * arrival[d][s] x arrival_scale is the mean in-count of that weekday and
     * slot; and how many weeks were averaged.  0 for the built-in shapes. */
    double arrival_scale;
    double departure_scale;
    double weeks;

    /* Surges in the order found; surges_per_week says how often one happens
     * (the simulator picks a day's surge among those of its weekday). */
    struct sim_surge surges[SIM_PROFILE_MAX_SURGES];
    size_t surge_count;
    double surges_per_week;
};

/* The built-in profile for a space function (the API's names: "office",
 * "meeting_room", "cafe", ...; also "lobby", "building", "floor" and
 * "campus"), compared without regard to ASCII case.  NULL or an unknown
 * function gives the "generic" shape.  Never NULL; static storage. */
const struct sim_profile *sim_profile_for_function(const char *function);

/* Derives the "calit2" profile from CalIt2.data and CalIt2.events.
 *
 * data: lines "flow,MM/DD/YY,HH:MM:SS,count" with flow 7 (out) or 9 (in), a
 * time on the half hour, and the count of the PREVIOUS half hour (the row at
 * 00:00 counts 23:30-24:00 of the day before).  Means are taken per weekday
 * and slot over the rows present; in and out separately.
 *
 * events: lines "MM/DD/YY,HH:MM:SS,HH:MM:SS,name" (date, begin, end; an end
 * of 00:00:00 or 24:00:00 means midnight).  Each event becomes a surge whose
 * factor is the in-count during its half hours over the weekday/slot means of
 * the same half hours; surges_per_week is the number of events over the
 * weeks of data.  events may be NULL (no surges).
 *
 * Both texts may lack a final newline; blank lines are skipped; carriage
 * returns are accepted around fields (files that went through Windows).
 * Returns 0, or -1 with one line in error naming the file, the line and what
 * is wrong ("CalIt2.data line 12: flow must be 7 or 9, got 8"). */
int sim_profile_from_calit2(const char *data, size_t data_len, const char *events,
                            size_t events_len, struct sim_profile *out, char *error,
                            size_t error_size);

#endif
