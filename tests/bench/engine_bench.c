/* engine_bench.c — counting engine throughput and history memory.
 *
 * A synthetic campus of 1,011 spaces (10 buildings x 10 floors x 9 rooms,
 * plus the floors, buildings and campus), one sensor per room door and per
 * building entrance, and interior doors between pairs of rooms.  The events
 * are generated up front (pre-parsed: sensor index, timestamp, trajectory)
 * over one simulated day, so the timed loop is the engine alone.
 *
 * Prints the median of several runs, one core, and the bytes of minute
 * history a space needs per day. */
#include <inttypes.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/engine.h"

enum { BUILDINGS = 10, FLOORS = 10, ROOMS = 9, RUNS = 5 };

__attribute__((format(printf, 1, 2)))
static char *format(const char *pattern, ...)
{
    char text[64];
    va_list args;
    va_start(args, pattern);
    vsnprintf(text, sizeof text, pattern, args);
    va_end(args);
    return strdup(text);
}

static void add_space(struct site *site, char *id, enum space_type type, char *parent)
{
    struct space s;
    space_init(&s);
    s.id = id;
    s.name = strdup(id);
    s.type = type;
    s.parent_id = parent;
    s.capacity = optional_int_of(50);
    s.safe_mode = SAFE_MODE_SAFE_CAPACITY;
    s.safe_capacity = optional_int_of(40);
    site_take_space(site, &s);
}

static void add_door(struct site *site, char *id, char *serial)
{
    struct doorway d;
    doorway_init(&d);
    d.id = id;
    d.name = strdup(id);
    d.sensor_serial = serial;
    site_take_doorway(site, &d);
}

static struct site *make_site(void)
{
    struct site *site = site_new();
    add_space(site, strdup("spc_campus"), SPACE_TYPE_CAMPUS, NULL);
    for (int b = 0; b < BUILDINGS; b++) {
        add_space(site, format("spc_b%d", b), SPACE_TYPE_BUILDING, strdup("spc_campus"));
        add_door(site, format("drw_b%d", b), format("SB%d", b));
        site_add_link(site, NULL, format("spc_b%d", b) , format("drw_b%d", b), 1,
                      NULL, NULL);
        for (int f = 0; f < FLOORS; f++) {
            add_space(site, format("spc_b%df%d", b, f), SPACE_TYPE_FLOOR,
                      format("spc_b%d", b));
            for (int r = 0; r < ROOMS; r++) {
                add_space(site, format("spc_b%df%dr%d", b, f, r), SPACE_TYPE_SPACE,
                          format("spc_b%df%d", b, f));
                add_door(site, format("drw_b%df%dr%d", b, f, r), format("S%d_%d_%d", b, f, r));
                /* Room doors open onto the floor: +1 room, -1 nothing (floors
                 * are counted by their own stair doors). */
                site_add_link(site, NULL, format("spc_b%df%dr%d", b, f, r),
                              format("drw_b%df%dr%d", b, f, r), 1, NULL, NULL);
                if (r % 2 == 1) /* every second room connects to the one before */
                    site_add_link(site, NULL, format("spc_b%df%dr%d", b, f, r - 1),
                                  format("drw_b%df%dr%d", b, f, r), -1, NULL, NULL);
            }
        }
    }
    site->has_doorway_list = true;
    site_link(site);
    return site;
}

struct input {
    int32_t sensor;
    int32_t trajectory;
    int64_t timestamp_ms;
};

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void no_event(void *context, site_index space, const struct space_event *event)
{
    (void)space;
    *(int64_t *)context += event->count;
}

static double run_once(const struct site *site, const struct input *inputs, size_t count,
                       int64_t start_ms, bool with_sink, size_t *bytes_out)
{
    struct engine_config config;
    engine_config_defaults(&config);
    config.history_minutes = 24 * 60;
    struct engine *engine = engine_new(site, NULL, &config, start_ms);
    int64_t checksum = 0;
    if (with_sink) {
        struct engine_sink sink = { &checksum, no_event, NULL, NULL };
        engine_set_sink(engine, &sink);
    }
    double begin = seconds_now();
    for (size_t i = 0; i < count; i++)
        engine_apply(engine, inputs[i].sensor, inputs[i].timestamp_ms, inputs[i].trajectory);
    double elapsed = seconds_now() - begin;
    if (engine_stats(engine)->applied + engine_stats(engine)->duplicates != count)
        fprintf(stderr, "engine_bench: not every event was applied\n");
    if (bytes_out)
        *bytes_out = engine_bytes(engine);
    engine_free(engine);
    return (double)count / elapsed;
}

int main(int argc, char **argv)
{
    size_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one); /* one core, as the target says */

    struct site *site = make_site();
    /* Every doorway has a sensor; the engine numbers them first, in doorway order. */
    int32_t sensors = (int32_t)site->doorway_count;

    /* One day, starting at 05:00 UTC (after the 04:00 resets), in order with
     * a little jitter: 1 event in 50 is late by up to 2 s, 1 in 200 repeats. */
    struct input *inputs = malloc(count * sizeof *inputs);
    uint64_t random = 0x9e3779b97f4a7c15ull;
    int64_t start_ms = 1717995600000; /* 2024-06-10T05:00:00Z */
    int64_t day_ms = 19LL * 3600 * 1000;
    for (size_t i = 0; i < count; i++) {
        uint64_t r = next_random(&random);
        inputs[i].sensor = (int32_t)(r % (uint64_t)sensors);
        inputs[i].trajectory = (r >> 32) % 100 < 52 ? 1 : -1;
        inputs[i].timestamp_ms = start_ms + (int64_t)((double)i / (double)count * (double)day_ms);
        if ((r >> 40) % 50 == 0)
            inputs[i].timestamp_ms -= (int64_t)((r >> 48) % 2000);
        if (i > 0 && (r >> 20) % 200 == 0)
            inputs[i] = inputs[i - 1];
    }

    double rates[RUNS], sink_rates[RUNS];
    size_t bytes = 0;
    for (int run = 0; run < RUNS; run++) {
        rates[run] = run_once(site, inputs, count, start_ms, false, &bytes);
        sink_rates[run] = run_once(site, inputs, count, start_ms, true, NULL);
    }
    qsort(rates, RUNS, sizeof rates[0], compare_doubles);
    qsort(sink_rates, RUNS, sizeof sink_rates[0], compare_doubles);

    double per_day = (double)HISTORY_BYTES_PER_MINUTE * 1440.0;
    printf("engine: %zu spaces, %d sensors, %zu pre-parsed events, %d runs, one core\n",
           site->space_count, sensors, count, RUNS);
    printf("engine events/s (median): %.1f M   [min %.1f M, max %.1f M]   target >= 20 M: %s\n",
           rates[RUNS / 2] / 1e6, rates[0] / 1e6, rates[RUNS - 1] / 1e6,
           rates[RUNS / 2] >= 20e6 ? "met" : "NOT met");
    printf("engine events/s with a space-event sink (median): %.1f M\n", sink_rates[RUNS / 2] / 1e6);
    printf("history bytes per space per day: %.0f (%.1f KiB)   target <= 32 KiB: %s\n", per_day,
           per_day / 1024.0, per_day <= 32 * 1024 ? "met" : "NOT met");
    printf("engine bytes per space, one day of history, all state: %.0f\n",
           (double)bytes / (double)site->space_count);
    /* The machine-readable lines tests/bench/run.sh gathers into its table:
     * FIGURE, name, occtop's value, the peer's (none), ratio, target, verdict. */
    printf("FIGURE\tengine: pre-parsed sensor events/s, %zu spaces, one core\t%.1f M\t-\t-\t"
           ">= 20 M/s\t%s\n", site->space_count, rates[RUNS / 2] / 1e6,
           rates[RUNS / 2] >= 20e6 ? "met" : "missed");
    printf("FIGURE\tengine: minute history per space per day\t%.1f KiB\t-\t-\t<= 32 KiB\t%s\n",
           per_day / 1024.0, per_day <= 32 * 1024 ? "met" : "missed");
    free(inputs);
    site_free(site);
    return 0;
}
