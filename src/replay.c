/* replay.c — wiring for --replay: site, time zones, log, engine, report.
 *
 * The file is a raw sensor log or a --record recording, told apart by its
 * content (wire/recording.h); a recording goes to src/playback.c.
 *
 * A replay of a sensor log starts from empty spaces (the site file's current_count is a
 * snapshot of some other moment) and counts every event of the log, late and
 * out-of-order ones included; with --at it leaves out the events after that
 * time and performs the daily resets up to it. */
#include "config.h"

#include "replay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/termtext.h"
#include "core/timefmt.h"
#include "playback.h"
#include "ui/batch.h"
#include "wire/sensor_log.h"
#include "wire/site_file.h"
#include "wire/site_zones.h"
#include "wire/recording.h"
#include "wire/tzdb.h"

/* A log with a million bad rows should not print a million lines. */
enum { MAX_ROW_MESSAGES = 20 };

struct replay {
    const struct options *options;
    struct site *site;
    struct tzdb *zones_db;
    const struct tz_zone **zones;
    struct engine *engine;
    FILE *stream; /* the file, given back by recording_open() */
    struct sensor_log *log;
    struct batch_replay report;
    uint64_t row_messages;
};

static void row_message(struct replay *r, const char *message)
{
    if (r->row_messages++ < MAX_ROW_MESSAGES)
        fprintf(stderr, "occtop: %s\n", message);
}

static void warn_zone(void *context, const char *message)
{
    (void)context;
    fprintf(stderr, "occtop: warning: %s; its spaces count in UTC\n", message);
}

static int load_zones(struct replay *r)
{
    r->zones_db = tzdb_new(NULL);
    if (!r->zones_db)
        return -1;
    r->zones = site_zones_load(r->zones_db, r->site, warn_zone, NULL);
    return r->zones ? 0 : -1;
}

static void start_engine(struct replay *r, int64_t first_ms)
{
    /* From empty spaces: the file's counts belong to another moment. */
    for (size_t i = 0; i < r->site->space_count; i++)
        r->site->spaces[i].current_count = 0;
    struct engine_config config;
    engine_config_defaults(&config);
    config.history_minutes = r->options->history_days * 24 * 60;
    r->engine = engine_new(r->site, r->zones, &config, first_ms - 1);
}

static void count_event(struct replay *r, const struct sensor_event *event)
{
    const struct options *o = r->options;
    if (o->has_at && event->timestamp_ms > o->at_ms) {
        r->report.after_at++;
        return;
    }
    if (!r->engine) {
        start_engine(r, o->has_at && o->at_ms < event->timestamp_ms ? o->at_ms
                                                                     : event->timestamp_ms);
        if (!r->engine)
            return;
    }
    enum engine_result result = engine_apply_event(r->engine, event);
    if (result == ENGINE_APPLIED) {
        r->report.applied++;
        if (!r->report.has_events || event->timestamp_ms < r->report.first_ms)
            r->report.first_ms = event->timestamp_ms;
        if (!r->report.has_events || event->timestamp_ms > r->report.last_ms)
            r->report.last_ms = event->timestamp_ms;
        r->report.has_events = true;
    } else if (result == ENGINE_DUPLICATE) {
        r->report.duplicates++;
    } else {
        char message[512], who[96];
        termtext_sanitize_str(event->sensor_serial[0] ? event->sensor_serial : event->doorway_id,
                              who, sizeof who, 48, 0);
        snprintf(message, sizeof message, "%s:%zu: %s %s: event skipped", r->report.file,
                 sensor_log_line(r->log), engine_result_name(result), who);
        row_message(r, message);
        r->report.rejected++;
    }
}

static int read_log(struct replay *r)
{
    struct sensor_event event;
    struct wire_error error;
    for (;;) {
        enum sensor_log_status status = sensor_log_next(r->log, &event, &error);
        if (status == SENSOR_LOG_END)
            return 0;
        if (status == SENSOR_LOG_FAILED) {
            fprintf(stderr, "occtop: %s\n", error.message);
            return -1;
        }
        r->report.rows++;
        if (status == SENSOR_LOG_BAD_ROW) {
            row_message(r, error.message);
            r->report.rejected++;
            continue;
        }
        count_event(r, &event);
    }
}

static void finish_counts(struct replay *r)
{
    if (!r->engine) {
        start_engine(r, r->options->has_at ? r->options->at_ms : 0);
        if (!r->engine)
            return;
    }
    if (r->options->has_at)
        engine_advance(r->engine, r->options->at_ms);
    for (size_t i = 0; i < r->site->space_count; i++)
        r->site->spaces[i].current_count = engine_count(r->engine, (site_index)i);
    r->report.clamps = engine_stats(r->engine)->clamps;
    r->report.engine = r->engine;
    r->report.has_at = r->options->has_at;
    r->report.at_ms = r->options->at_ms;
}

static void replay_free(struct replay *r)
{
    engine_free(r->engine);
    sensor_log_close(r->log);
    if (r->stream)
        fclose(r->stream);
    free((void *)r->zones);
    tzdb_free(r->zones_db);
    site_free(r->site);
}

int replay_run(const struct options *options)
{
    struct replay r = { .options = options, .report.file = options->replay_path };
    struct wire_error error;
    struct recording *recording = recording_open(options->replay_path, &r.stream, &error);
    if (recording)
        return playback_run(options, recording);
    if (!r.stream) {
        fprintf(stderr, "occtop: %s\n", error.message);
        return EXIT_BAD_INPUT;
    }
    if (options->has_speed) {
        /* A sensor log has no pace of its own: it is counted at once. */
        fprintf(stderr, "occtop: --speed goes with --serve, --demo or --replay of a "
                "recording\n");
        fclose(r.stream);
        return EXIT_USAGE;
    }
    int status = EXIT_BAD_INPUT;
    r.site = site_new();
    if (!r.site || site_file_load(r.site, options->site_path, &error) != 0) {
        fprintf(stderr, "occtop: %s\n", r.site ? error.message : "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r.site->problem_count; i++)
        fprintf(stderr, "occtop: warning: %s: %s\n", options->site_path,
                r.site->problems[i].message);
    if (load_zones(&r) != 0) {
        fprintf(stderr, "occtop: out of memory\n");
        goto done;
    }
    r.log = sensor_log_from_stream(r.stream, options->replay_path, &error);
    if (!r.log) {
        fprintf(stderr, "occtop: %s\n", error.message);
        goto done;
    }
    r.report.format = sensor_log_format(r.log) == SENSOR_LOG_CSV ? "csv" : "json";
    if (read_log(&r) != 0)
        goto done;
    finish_counts(&r);
    if (!r.engine) {
        fprintf(stderr, "occtop: out of memory\n");
        goto done;
    }
    if (r.row_messages > MAX_ROW_MESSAGES)
        fprintf(stderr, "occtop: %s: %" PRIu64 " more rejected rows not shown\n",
                r.report.file, r.row_messages - MAX_ROW_MESSAGES);

    struct batch_options batch = {
        .json = options->format == FORMAT_JSON,
        .ascii = options->ascii,
        .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
    };
    status = EXIT_OK;
    if (batch_print_replay(stdout, r.site, &r.report, &batch) != 0) {
        fprintf(stderr, "occtop: cannot write the output: %s\n", strerror(errno));
        status = EXIT_BAD_INPUT;
    }
done:
    replay_free(&r);
    return status;
}
