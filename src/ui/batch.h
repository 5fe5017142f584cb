/* batch.h — non-interactive output: the site's hierarchy as a text table or
 * as JSON, for scripts, cron jobs and people without a terminal UI. */
#ifndef OCCTOP_UI_BATCH_H
#define OCCTOP_UI_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/engine.h"
#include "core/live.h"
#include "core/site.h"

struct batch_options {
    bool json;
    bool ascii;            /* text output: only printable ASCII */
    double warn_fraction;  /* the warning band, SAFE_DEFAULT_WARN_FRACTION by default */
};

/* Prints the tree in walk order (site_link() must have run).  Every name and
 * id is sanitised for the terminal (text) or escaped to ASCII (JSON).
 * Returns 0, or -1 if writing failed (errno is set). */
int batch_print_site(FILE *out, const struct site *site, const struct batch_options *options);

/* What a replay of a raw sensor log did (occtop --replay FILE --batch). */
struct batch_replay {
    const char *file;          /* as given on the command line */
    const char *format;        /* "csv" or "json" */
    uint64_t rows;             /* rows read (events and bad rows) */
    uint64_t applied;          /* events counted */
    uint64_t duplicates;       /* dropped as repeats */
    uint64_t rejected;         /* bad rows and unusable events (unknown sensor, ...) */
    uint64_t after_at;         /* events later than --at, left out */
    uint64_t clamps;           /* exits at 0 */
    bool has_events;
    int64_t first_ms, last_ms; /* the earliest and latest event counted */
    bool has_at;
    int64_t at_ms;             /* --at: the counts are as of this time */
    const struct engine *engine;
};

/* The replay's counts (the site's current_count must hold them), then its
 * summary; with options->json, one object with the summary and, per space,
 * the count, the clamps and hourly history from the engine. */
int batch_print_replay(FILE *out, const struct site *site, const struct batch_replay *replay,
                       const struct batch_options *options);

/* The summary line: "rows read N, events applied N, duplicates dropped N,
 * rows rejected N, clamps N". */
void batch_replay_summary(const struct batch_replay *replay, char *out, size_t out_size);

/* One line for a space whose live count changed: "TIME ID COUNT NAME" (the
 * data time, the count, the name sanitised), or with options->json one
 * compact object {time, space_id, name, count, connection}.  Shared by live
 * batch mode and the replay of a recording, whose lines are the same.
 * Returns 0, or -1 if writing failed. */
int batch_print_change(FILE *out, const struct site *site, const struct live *live,
                       site_index i, const struct batch_options *options);

/* The whole table (or JSON) with the live counts, headed in text by
 * "TIME STATE, newest data N s old" for now_ms (wall time live, the
 * replay's clock in a replay).  Writes the live counts into the site's
 * current_count, which is what the table shows. */
int batch_print_snapshot(FILE *out, struct site *site, const struct live *live, int64_t now_ms,
                         const struct batch_options *options);

/* The words for a space's marks (enum space_flag), e.g. "orphan,dup-id";
 * "" when it has none. */
void batch_marks(uint32_t flags, char *out, size_t out_size);

#endif
