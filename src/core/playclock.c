/* playclock.c — recorded time against real time; see playclock.h.
 *
 * The clock is an origin pair and a speed; changing the speed or pausing
 * moves the origin to "now", so earlier changes never accumulate rounding.
 * Products are computed in double and clamped: a recording spans at most a
 * few years (1e11 ms), and at the slowest speed (0.001) that is 1e14 ms of
 * real time, far inside int64, but hostile times are clamped anyway. */
#include "core/playclock.h"

#include <math.h>

static int64_t clamp_ms(double ms)
{
    if (!(ms > -9.0e18)) /* also NaN */
        return -INT64_MAX;
    if (ms > 9.0e18)
        return INT64_MAX;
    return (int64_t)ms;
}

void playclock_start(struct playclock *clock, int64_t recorded_ms, int64_t real_ms,
                     double speed)
{
    clock->origin_recorded_ms = recorded_ms;
    clock->origin_real_ms = real_ms;
    clock->speed = speed > 0 ? speed : 1.0;
    clock->paused = false;
}

int64_t playclock_recorded(const struct playclock *clock, int64_t real_ms)
{
    if (clock->paused || real_ms <= clock->origin_real_ms)
        return clock->origin_recorded_ms;
    double elapsed = ((double)real_ms - (double)clock->origin_real_ms) * clock->speed;
    return clamp_ms((double)clock->origin_recorded_ms + floor(elapsed));
}

int64_t playclock_real_at(const struct playclock *clock, int64_t recorded_ms, int64_t real_ms)
{
    if (recorded_ms <= playclock_recorded(clock, real_ms))
        return real_ms;
    if (clock->paused)
        return INT64_MAX;
    double ahead = ((double)recorded_ms - (double)clock->origin_recorded_ms) / clock->speed;
    int64_t at = clamp_ms((double)clock->origin_real_ms + ceil(ahead));
    return at < real_ms ? real_ms : at;
}

void playclock_set_speed(struct playclock *clock, double speed, int64_t real_ms)
{
    bool paused = clock->paused;
    playclock_start(clock, playclock_recorded(clock, real_ms), real_ms, speed);
    clock->paused = paused;
}

void playclock_pause(struct playclock *clock, int64_t real_ms)
{
    if (clock->paused)
        return;
    clock->origin_recorded_ms = playclock_recorded(clock, real_ms);
    clock->origin_real_ms = real_ms;
    clock->paused = true;
}

void playclock_resume(struct playclock *clock, int64_t real_ms)
{
    if (!clock->paused)
        return;
    clock->origin_real_ms = real_ms;
    clock->paused = false;
}

void playclock_jump(struct playclock *clock, int64_t recorded_ms, int64_t real_ms)
{
    clock->origin_recorded_ms = recorded_ms;
    clock->origin_real_ms = real_ms;
}
