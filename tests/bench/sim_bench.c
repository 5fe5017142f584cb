/* sim_bench.c — the cost of simulated doorways on the demo campus.
 *
 * Prints, as the median of several runs on one core (CPU time):
 *  - the 24-hour backfill a demo does at start (events only, and with the
 *    counting engine applying them);
 *  - events per CPU second with the profiles, over a simulated week;
 *  - rate mode at 5000 events per simulated second (--rate 5000), as a share
 *    of one core when the clock runs at real speed;
 *  - parsing the CalIt2 files into the "calit2" profile.
 *
 * Usage: sim_bench [SITE.json [CALIT2-DIR]]; by default the files under
 * $top_srcdir (or the current directory). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/engine.h"
#include "core/timefmt.h"
#include "sim/profile.h"
#include "sim/sim.h"
#include "wire/site_file.h"
#include "wire/tzdb.h"

enum { RUNS = 7 };

#define MINUTE INT64_C(60000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values)
{
    qsort(values, RUNS, sizeof values[0], compare_doubles);
    return values[RUNS / 2];
}

static char *read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t capacity = 1 << 16, used = 0, got;
    char *text = malloc(capacity);
    while (text && (got = fread(text + used, 1, capacity - used, file)) > 0) {
        used += got;
        if (used == capacity) {
            char *bigger = realloc(text, capacity *= 2);
            if (bigger == NULL)
                free(text);
            text = bigger;
        }
    }
    fclose(file);
    *len = used;
    return text;
}

static void count_only(void *context, const struct sim_event *event)
{
    (void)event;
    ++*(uint64_t *)context;
}

struct counting {
    struct engine *engine;
    uint64_t events;
};

static void apply(void *context, const struct sim_event *event)
{
    struct counting *c = context;
    c->events++;
    int32_t sensor = engine_sensor_index(c->engine, event->serial);
    if (sensor >= 0)
        engine_apply(c->engine, sensor, event->timestamp_ms, event->trajectory);
}

struct setup {
    const struct site *site;
    const struct tz_zone **zones;
    const struct sim_profile *entrance;
};

static struct sim *new_sim(const struct setup *s, double rate, int64_t start)
{
    struct sim_config config;
    sim_config_defaults(&config);
    config.seed = 12345;
    config.events_per_second = rate;
    config.entrance_profile = s->entrance;
    struct sim *sim = sim_new(s->site, s->zones, &config, start);
    if (sim == NULL) {
        fprintf(stderr, "sim_bench: out of memory\n");
        exit(1);
    }
    return sim;
}

/* The demo's start: sim_new, then 24 hours of events. */
static double backfill(const struct setup *s, int64_t now, bool with_engine, uint64_t *events)
{
    double begin = cpu_seconds();
    struct sim *sim = new_sim(s, 0, now);
    sim_begin(sim, now - DAY);
    struct counting c = { NULL, 0 };
    if (with_engine) {
        struct engine_config config;
        engine_config_defaults(&config);
        c.engine = engine_new(s->site, s->zones, &config, now - DAY);
        sim_run_until(sim, now, apply, &c);
        engine_advance(c.engine, now);
        engine_free(c.engine);
    } else {
        sim_run_until(sim, now, count_only, &c.events);
    }
    sim_free(sim);
    *events = c.events;
    return cpu_seconds() - begin;
}

static double run_for(const struct setup *s, double rate, int64_t from, int64_t span,
                      uint64_t *events)
{
    struct sim *sim = new_sim(s, rate, from);
    *events = 0;
    double begin = cpu_seconds();
    /* In one-second steps, as the demo's clock ticks. */
    for (int64_t t = from + 1000; t <= from + span; t += 1000)
        sim_run_until(sim, t, count_only, events);
    double elapsed = cpu_seconds() - begin;
    sim_free(sim);
    return elapsed;
}

int main(int argc, char **argv)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);

    const char *top = getenv("top_srcdir");
    char site_path[4096], calit2_dir[4096], path[4200];
    snprintf(site_path, sizeof site_path, "%s/data/demo-campus.json", top && *top ? top : ".");
    snprintf(calit2_dir, sizeof calit2_dir, "%s/data/calit2", top && *top ? top : ".");
    if (argc > 1)
        snprintf(site_path, sizeof site_path, "%s", argv[1]);
    if (argc > 2)
        snprintf(calit2_dir, sizeof calit2_dir, "%s", argv[2]);

    struct site *site = site_new();
    struct wire_error err;
    if (site == NULL || site_file_load(site, site_path, &err) != 0) {
        fprintf(stderr, "sim_bench: %s\n", site ? err.message : "out of memory");
        return 1;
    }
    struct tzdb *db = tzdb_new(NULL);
    const struct tz_zone **zones = calloc(site->space_count + 1, sizeof *zones);
    for (size_t i = 0; db && zones && i < site->space_count; i++) {
        char message[256];
        if (site->spaces[i].time_zone)
            zones[i] = tzdb_get(db, site->spaces[i].time_zone, message, sizeof message);
    }

    /* CalIt2 for the building entrances, as the demo uses it. */
    size_t data_len = 0, events_len = 0;
    snprintf(path, sizeof path, "%s/CalIt2.data", calit2_dir);
    char *data = read_file(path, &data_len);
    snprintf(path, sizeof path, "%s/CalIt2.events", calit2_dir);
    char *calit2_events = read_file(path, &events_len);
    static struct sim_profile calit2;
    double parse_times[RUNS];
    bool have_calit2 = data != NULL;
    for (int run = 0; run < RUNS && have_calit2; run++) {
        char message[256];
        double begin = cpu_seconds();
        if (sim_profile_from_calit2(data, data_len, calit2_events, events_len, &calit2, message,
                                    sizeof message) != 0) {
            fprintf(stderr, "sim_bench: %s\n", message);
            have_calit2 = false;
        }
        parse_times[run] = cpu_seconds() - begin;
    }
    struct setup setup = { site, zones, have_calit2 ? &calit2 : NULL };

    int64_t now = 0;
    timefmt_parse("2025-06-11T19:00:00Z", &now, 0); /* a Wednesday, noon in San Francisco */

    double times[RUNS], engine_times[RUNS];
    uint64_t backfill_events = 0;
    for (int run = 0; run < RUNS; run++) {
        times[run] = backfill(&setup, now, false, &backfill_events);
        engine_times[run] = backfill(&setup, now, true, &backfill_events);
    }
    printf("sim: %s, %zu spaces, %zu doorways, entrances %s, %d runs, one core, CPU time\n",
           site_path, site->space_count, site->doorway_count,
           have_calit2 ? "calit2" : "built-in", RUNS);
    printf("backfill 24 h: %.2f ms for %llu events; with the engine counting them: %.2f ms"
           "   target < 1000 ms: %s\n",
           median(times) * 1e3, (unsigned long long)backfill_events, median(engine_times) * 1e3,
           median(engine_times) < 1.0 ? "met" : "NOT met");

    uint64_t week_events = 0;
    for (int run = 0; run < RUNS; run++)
        times[run] = run_for(&setup, 0, now - 7 * DAY, 7 * DAY, &week_events);
    double week = median(times);
    printf("profiles: %llu events in a simulated week, %.1f ms: %.2f M events per CPU second\n",
           (unsigned long long)week_events, week * 1e3, (double)week_events / week / 1e6);

    uint64_t rate_events = 0;
    const int64_t rate_span = 10 * MINUTE;
    for (int run = 0; run < RUNS; run++)
        times[run] = run_for(&setup, 5000, now, rate_span, &rate_events);
    double rate = median(times);
    double share = rate / ((double)rate_span / 1000.0);
    printf("--rate 5000: %llu events in 10 simulated minutes, %.1f ms: %.2f M events per CPU "
           "second, %.3f%% of a core at real speed   target < 5%%: %s\n",
           (unsigned long long)rate_events, rate * 1e3, (double)rate_events / rate / 1e6,
           share * 100, share < 0.05 ? "met" : "NOT met");
    /* The machine-readable lines tests/bench/run.sh gathers into its table. */
    printf("FIGURE\tsim: 24 h backfill with the engine, %zu spaces\t%.0f ms\t-\t-\t< 1000 ms\t%s\n",
           site->space_count, median(engine_times) * 1e3,
           median(engine_times) < 1.0 ? "met" : "missed");
    printf("FIGURE\tsim: --rate 5000, share of a core\t%.3f %%\t-\t-\t< 5 %%\t%s\n",
           share * 100, share < 0.05 ? "met" : "missed");
    if (have_calit2)
        printf("calit2 profile: parsed %zu + %zu bytes in %.2f ms\n", data_len, events_len,
               median(parse_times) * 1e3);
    else
        printf("calit2 profile: not found under %s\n", calit2_dir);

    free(data);
    free(calit2_events);
    free(zones);
    tzdb_free(db);
    site_free(site);
    return 0;
}
