/* playclock.h — the clock of a played-back recording: recorded time against
 * the wall (or monotonic) clock, at a speed, with pause and jumps.
 *
 * `occtop --replay RECORDING` plays messages when their recorded time comes
 * round on this clock; the batch player sleeps until playclock_wall_at()
 * of the next one, the monitor schedules a timer for it.  Keeping the
 * arithmetic here (pure: callers pass every time) lets both share it and
 * tests check it without sleeping.
 *
 * Times are ms.  speed is recorded seconds per real second (1: as recorded,
 * 10: ten times faster); it must be > 0. */
#ifndef OCCTOP_CORE_PLAYCLOCK_H
#define OCCTOP_CORE_PLAYCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct playclock {
    int64_t origin_recorded_ms; /* recorded time at origin_real_ms */
    int64_t origin_real_ms;
    double speed;
    bool paused; /* recorded time stands still at origin_recorded_ms */
};

/* Recorded time recorded_ms is now, at real time real_ms. */
void playclock_start(struct playclock *clock, int64_t recorded_ms, int64_t real_ms,
                     double speed);

/* The recorded time at real time real_ms. */
int64_t playclock_recorded(const struct playclock *clock, int64_t real_ms);

/* The real time at which recorded_ms comes: real_ms itself when it is due
 * already, INT64_MAX while paused.  Rounded up, so that sleeping until it
 * never wakes a millisecond early. */
int64_t playclock_real_at(const struct playclock *clock, int64_t recorded_ms, int64_t real_ms);

/* A new speed from real_ms on; the recorded time does not jump. */
void playclock_set_speed(struct playclock *clock, double speed, int64_t real_ms);

void playclock_pause(struct playclock *clock, int64_t real_ms);
void playclock_resume(struct playclock *clock, int64_t real_ms);

/* Moves the recorded time to recorded_ms at real_ms (skip a long gap). */
void playclock_jump(struct playclock *clock, int64_t recorded_ms, int64_t real_ms);

#endif
