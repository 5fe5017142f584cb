/* playback.c — the batch player of a --record recording; see playback.h.
 *
 * Wiring only: wire/recording reads and decodes the lines and applies them
 * to core/live, core/playclock says when each is due, ui/batch prints what
 * changed with the live client's own functions.  This file sleeps and
 * prints.
 *
 * Decisions:
 *  - The replay clock is the recorded receive time: messages are applied
 *    with the time they were received, so "newest data N s old" means what
 *    it meant live.  A line received earlier than the one before it (the
 *    wall clock stepped back) plays at once, without going back in time.
 *  - Waiting is sigtimedwait() on SIGINT and SIGTERM, blocked meanwhile:
 *    a signal arriving just before a long wait still ends it at once, which
 *    a flag checked before nanosleep() cannot promise.
 *  - The replay ends at the end of the file, without waiting out the time
 *    after the last line: nothing more is known about it.  --duration and
 *    --at do wait out the time to their end when the file goes on past it,
 *    because that time is part of what was recorded. */
#include "config.h"

#include "playback.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/live.h"
#include "core/playclock.h"
#include "core/safe.h"
#include "core/timefmt.h"
#include "ui/batch.h"
#include "wire/recording.h"

/* A recording with a million bad lines should not print a million lines. */
enum { MAX_LINE_MESSAGES = 20 };

struct playback {
    const struct options *options;
    struct recording *recording;
    struct site *site;
    struct live *live;
    struct playclock clock;
    struct batch_options batch;
    sigset_t signals;      /* SIGINT, SIGTERM: blocked, waited for */
    sigset_t saved_mask;
    int64_t end_ms;        /* recorded time at which the replay ends (--at, --duration) */
    int64_t now_ms;        /* the replay clock: the recorded time played so far */
    int64_t next_snapshot_ms;
    uint64_t lines, snapshots;
    uint64_t played, bad_lines, unknown_space, malformed, messages_shown;
    bool stopped;          /* a signal or --iterations ended it */
    bool write_failed;
};

/* --- time ---------------------------------------------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until the replay clock reaches recorded_ms, or a signal comes
 * (then p->stopped).  Returns !p->stopped. */
static bool wait_until(struct playback *p, int64_t recorded_ms)
{
    for (;;) {
        int64_t real = monotonic_ms();
        int64_t wait = playclock_real_at(&p->clock, recorded_ms, real) - real;
        struct timespec ts = { .tv_sec = (time_t)(wait / 1000),
                               .tv_nsec = (long)(wait % 1000) * 1000000L };
        int signal_number = sigtimedwait(&p->signals, NULL, &ts);
        if (signal_number > 0) {
            p->stopped = true;
            return false;
        }
        if (wait == 0)
            break; /* due: the call only looked for a pending signal */
    }
    if (recorded_ms > p->now_ms)
        p->now_ms = recorded_ms;
    return true;
}

/* --- output ---------------------------------------------------------------------------- */

static void line_message(struct playback *p, const char *message)
{
    if (p->messages_shown++ < MAX_LINE_MESSAGES)
        fprintf(stderr, "occtop: %s\n", message);
}

static void wrote(struct playback *p, int status)
{
    if (status != 0)
        p->write_failed = true;
}

static bool iterations_done(const struct playback *p)
{
    long n = p->options->iterations;
    return n > 0 && (p->options->interval_seconds > 0 ? p->snapshots : p->lines) >= (uint64_t)n;
}

static void print_snapshot(struct playback *p, int64_t at_ms)
{
    wrote(p, batch_print_snapshot(stdout, p->site, p->live, at_ms, &p->batch));
    p->snapshots++;
    if (iterations_done(p))
        p->stopped = true;
}

static void print_changes(struct playback *p)
{
    site_index changed[512];
    size_t n;
    while (!p->stopped && (n = live_take_changed(p->live, changed, 512)) > 0) {
        for (size_t k = 0; k < n && !p->stopped; k++) {
            wrote(p, batch_print_change(stdout, p->site, p->live, changed[k], &p->batch));
            p->lines++;
            if (iterations_done(p))
                p->stopped = true;
        }
    }
    if (fflush(stdout) != 0)
        p->write_failed = true;
}

/* The snapshots due before recorded time t (--interval), each at its time;
 * with inclusive, also one due at t itself. */
static void snapshots_until(struct playback *p, int64_t t, bool inclusive)
{
    if (p->options->interval_seconds <= 0)
        return;
    while (!p->stopped && (p->next_snapshot_ms < t || (inclusive && p->next_snapshot_ms == t))) {
        if (!wait_until(p, p->next_snapshot_ms))
            return;
        print_snapshot(p, p->next_snapshot_ms);
        p->next_snapshot_ms += (int64_t)p->options->interval_seconds * 1000;
    }
}

/* --- playing --------------------------------------------------------------------------- */

static void apply(struct playback *p, const struct recording_entry *entry)
{
    enum live_result result = recording_apply(entry, p->site, p->live);
    if (entry->kind == RECORDING_MALFORMED)
        p->malformed++;
    if (entry->kind != RECORDING_MESSAGE)
        return;
    if (result != LIVE_UNKNOWN_SPACE) {
        p->played++;
        return;
    }
    char message[512], id[WIRE_SAFE_TEXT_SIZE];
    snprintf(message, sizeof message, "%s:%zu: space %s is not in the recording's site: "
             "message skipped", recording_name(p->recording), entry->line,
             wire_safe_text(entry->message.payload.space_id, id, sizeof id));
    line_message(p, message);
    p->unknown_space++;
}

/* Plays the lines up to the end of the file or p->end_ms.  Returns 0, or
 * -1 after a read error (reported). */
static int play(struct playback *p, bool *reached_end)
{
    struct recording_entry entry;
    struct wire_error error;
    *reached_end = false;
    while (!p->stopped) {
        enum recording_status status = recording_next(p->recording, &entry, &error);
        if (status == RECORDING_END)
            return 0;
        if (status == RECORDING_FAILED) {
            fprintf(stderr, "occtop: %s\n", error.message);
            return -1;
        }
        if (status == RECORDING_BAD_LINE) {
            line_message(p, error.message);
            p->bad_lines++;
            continue;
        }
        int64_t t = entry.received_ms > p->now_ms ? entry.received_ms : p->now_ms;
        if (t > p->end_ms) {
            *reached_end = true;
            return 0;
        }
        snapshots_until(p, t, false); /* one due at t shows the lines of t too */
        if (p->stopped || !wait_until(p, t))
            return 0;
        apply(p, &entry);
        if (p->options->interval_seconds <= 0)
            print_changes(p);
    }
    return 0;
}

/* After the last line played: the time up to --duration's or --at's end is
 * waited out (with its snapshots) only when the recording went on past it;
 * then --at prints the table as of its time. */
static void finish(struct playback *p, bool reached_end)
{
    const struct options *o = p->options;
    bool at_end = o->has_at && p->end_ms == o->at_ms;
    if (reached_end) {
        snapshots_until(p, p->end_ms, false);
        if (!p->stopped)
            wait_until(p, p->end_ms);
    } else {
        /* The snapshot due at the last line's time (or at the start of an
         * empty recording), unless --at's own table is about to be it. */
        snapshots_until(p, p->now_ms, !(at_end && p->now_ms == o->at_ms));
    }
    if (at_end && !p->stopped)
        print_snapshot(p, o->at_ms);
}

/* The counts of what went wrong, when anything did. */
static void summarize(const struct playback *p)
{
    const char *name = recording_name(p->recording);
    if (p->messages_shown > MAX_LINE_MESSAGES)
        fprintf(stderr, "occtop: %s: %" PRIu64 " more skipped lines not shown\n", name,
                p->messages_shown - MAX_LINE_MESSAGES);
    if (p->bad_lines + p->unknown_space + p->malformed == 0)
        return;
    fprintf(stderr, "occtop: %s: messages played %" PRIu64 ", lines skipped %" PRIu64
            " (unreadable %" PRIu64 ", unknown space %" PRIu64 "), malformed when received %"
            PRIu64 "\n", name, p->played, p->bad_lines + p->unknown_space, p->bad_lines,
            p->unknown_space, p->malformed);
}

/* --- life ---------------------------------------------------------------------------- */

static int64_t end_of_replay(const struct options *o, int64_t started_ms)
{
    int64_t end = INT64_MAX;
    if (o->duration_seconds > 0)
        end = started_ms + (int64_t)o->duration_seconds * 1000;
    if (o->has_at && o->at_ms < end)
        end = o->at_ms;
    return end;
}

static int start(struct playback *p)
{
    const struct options *o = p->options;
    int64_t started = recording_started(p->recording);
    if (o->has_at && o->at_ms < started) {
        char at[TIMEFMT_SIZE], begin[TIMEFMT_SIZE];
        timefmt_format(o->at_ms, at, sizeof at);
        timefmt_format(started, begin, sizeof begin);
        fprintf(stderr, "occtop: %s: --at %s is before the recording starts (%s)\n",
                recording_name(p->recording), at, begin);
        return -1;
    }
    p->site = recording_site(p->recording);
    for (size_t i = 0; i < p->site->problem_count; i++)
        fprintf(stderr, "occtop: warning: %s: %s\n", recording_name(p->recording),
                p->site->problems[i].message);
    p->live = live_new(p->site);
    if (!p->live) {
        fprintf(stderr, "occtop: out of memory\n");
        return -1;
    }
    recording_start(p->recording, p->live);
    site_index scratch[256]; /* the first counts are not changes, as live */
    while (live_take_changed(p->live, scratch, 256) > 0)
        continue;
    p->now_ms = p->next_snapshot_ms = started;
    p->end_ms = end_of_replay(o, started);
    sigemptyset(&p->signals);
    sigaddset(&p->signals, SIGINT);
    sigaddset(&p->signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &p->signals, &p->saved_mask);
    playclock_start(&p->clock, started, monotonic_ms(), o->speed);
    return 0;
}

int playback_run(const struct options *options, struct recording *recording)
{
    struct playback p = {
        .options = options,
        .recording = recording,
        .batch = {
            .json = options->format == FORMAT_JSON,
            .ascii = options->ascii,
            .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
        },
    };
    int status = EXIT_BAD_INPUT;
    if (start(&p) == 0) {
        bool reached_end;
        if (play(&p, &reached_end) == 0) {
            finish(&p, reached_end);
            status = EXIT_OK;
        }
        fflush(stdout);
        if (p.write_failed || ferror(stdout)) {
            fprintf(stderr, "occtop: cannot write the output: %s\n", strerror(errno ? errno : EIO));
            status = EXIT_BAD_INPUT;
        }
        summarize(&p);
        sigprocmask(SIG_SETMASK, &p.saved_mask, NULL);
    }
    live_free(p.live);
    recording_close(recording);
    return status;
}
