/* batch.c — the hierarchy as an indented table or as JSON. */
#include "ui/batch.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/analytics.h"
#include "core/safe.h"
#include "core/timefmt.h"
#include "core/termtext.h"

/* Deep hierarchies (real ones reach a dozen levels; hostile ones thousands)
 * are indented up to this depth, then say their depth in words. */
enum { MAX_INDENT_DEPTH = 16, NAME_COLUMNS_MAX = 48, NAME_COLUMNS_MIN = 20 };

static const struct {
    uint32_t flag;
    const char *word;
} mark_words[] = {
    { SPACE_FLAG_DUPLICATE_ID, "dup-id" },
    { SPACE_FLAG_ORPHAN, "orphan" },
    { SPACE_FLAG_IN_CYCLE, "cycle" },
    { SPACE_FLAG_BAD_PARENT, "bad-parent" },
    { SPACE_FLAG_TOO_MANY_CHILDREN, "children" },
    { SPACE_FLAG_BAD_LINK, "bad-link" },
};

void batch_marks(uint32_t flags, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof mark_words / sizeof mark_words[0]; i++) {
        if (!(flags & mark_words[i].flag))
            continue;
        int wrote = snprintf(out + used, out_size - used, "%s%s", used ? "," : "",
                             mark_words[i].word);
        if (wrote < 0 || (size_t)wrote >= out_size - used)
            break;
        used += (size_t)wrote;
    }
}

static const char *state_word(enum safe_state state)
{
    switch (state) {
    case SAFE_STATE_OK: return "OK";
    case SAFE_STATE_WARN: return "WARN";
    case SAFE_STATE_UNSAFE: return "UNSAFE";
    default: return "-";
    }
}

/* The indented, sanitised name cell of one row. */
static void name_cell(const struct space *s, int columns, unsigned text_flags, char *out,
                      size_t out_size)
{
    int depth = s->depth;
    int indent = 2 * (depth < MAX_INDENT_DEPTH ? depth : MAX_INDENT_DEPTH);
    char prefix[48] = "";
    if (depth > MAX_INDENT_DEPTH)
        snprintf(prefix, sizeof prefix, "[depth %d] ", depth);
    int prefix_width = (int)strlen(prefix);
    int room = columns - indent - prefix_width;
    if (room < 4)
        room = 4;
    memset(out, ' ', (size_t)indent);
    memcpy(out + indent, prefix, (size_t)prefix_width + 1);
    size_t used = (size_t)indent + (size_t)prefix_width;
    termtext_sanitize_str(s->name ? s->name : s->id, out + used, out_size - used, room,
                          text_flags);
    termtext_pad(out, out_size, columns);
}

static int name_columns(const struct site *site)
{
    int widest = NAME_COLUMNS_MIN;
    char cell[512];
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i)) {
        const struct space *s = &site->spaces[i];
        int depth = s->depth < MAX_INDENT_DEPTH ? s->depth : MAX_INDENT_DEPTH;
        int width = 2 * depth + termtext_sanitize_str(s->name ? s->name : s->id, cell,
                                                      sizeof cell, NAME_COLUMNS_MAX, 0);
        if (s->depth > MAX_INDENT_DEPTH)
            width += 16;
        if (width > widest)
            widest = width;
    }
    return widest < NAME_COLUMNS_MAX ? widest : NAME_COLUMNS_MAX;
}

static void format_optional(optional_int value, char *out, size_t out_size)
{
    if (value.present)
        snprintf(out, out_size, "%" PRId64, value.value);
    else
        snprintf(out, out_size, "-");
}

static void utilization_cell(const struct space *s, char *out, size_t out_size)
{
    if (s->capacity.present && s->capacity.value > 0)
        snprintf(out, out_size, "%.0f%%", 100.0 * (double)s->current_count /
                                              (double)s->capacity.value);
    else
        snprintf(out, out_size, "-");
}

struct totals {
    size_t unsafe, warn;
};

static int print_text(FILE *out, const struct site *site, const struct batch_options *options)
{
    unsigned text_flags = options->ascii ? TERMTEXT_ASCII : 0;
    int columns = name_columns(site);
    char cell[1024], site_name[256];
    struct totals totals = { 0, 0 };

    termtext_sanitize_str(site->name ? site->name : "(unnamed site)", site_name,
                          sizeof site_name, 60, text_flags);
    fprintf(out, "%s: %zu spaces, %zu doorways, %zu sensors\n", site_name, site->space_count,
            site->doorway_count, site->sensor_count);
    snprintf(cell, sizeof cell, "NAME");
    termtext_pad(cell, sizeof cell, columns);
    fprintf(out, "%s  %-8s %6s %6s %5s  %-6s %6s  %s\n", cell, "TYPE", "COUNT", "CAP", "UTIL",
            "STATE", "LIMIT", "MARKS");

    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i)) {
        const struct space *s = &site->spaces[i];
        char capacity[24], utilization[16], limit_text[24], marks[96];
        struct safe_limit limit = safe_limit_of(s);
        enum safe_state state = safe_state_for(limit, s->current_count, options->warn_fraction);
        totals.unsafe += state == SAFE_STATE_UNSAFE;
        totals.warn += state == SAFE_STATE_WARN;

        name_cell(s, columns, text_flags, cell, sizeof cell);
        format_optional(s->capacity, capacity, sizeof capacity);
        utilization_cell(s, utilization, sizeof utilization);
        format_optional((optional_int){ limit.present, limit.max_safe_count }, limit_text,
                        sizeof limit_text);
        batch_marks(s->flags, marks, sizeof marks);
        fprintf(out, "%s  %-8s %6" PRId64 " %6s %5s  %-6s %6s%s%s\n", cell,
                space_type_name(s->type), s->current_count, capacity, utilization,
                state_word(state), limit_text, marks[0] ? "  " : "", marks);
    }
    fprintf(out, "%zu unsafe, %zu in warning, %zu problem%s\n", totals.unsafe, totals.warn,
            site->problem_count, site->problem_count == 1 ? "" : "s");
    return 0;
}

static json_t *optional_json(optional_int value)
{
    return value.present ? json_integer(value.value) : json_null();
}

static json_t *space_row(const struct site *site, const struct space *s, double warn_fraction)
{
    struct safe_limit limit = safe_limit_of(s);
    enum safe_state state = safe_state_for(limit, s->current_count, warn_fraction);
    json_t *marks = json_array();
    for (size_t m = 0; m < sizeof mark_words / sizeof mark_words[0]; m++)
        if (s->flags & mark_words[m].flag)
            json_array_append_new(marks, json_string(mark_words[m].word));
    json_t *utilization = s->capacity.present && s->capacity.value > 0
        ? json_real((double)s->current_count / (double)s->capacity.value) : json_null();
    const char *parent_id = s->parent != SITE_NONE ? site->spaces[s->parent].id : NULL;
    return json_pack("{s:s?, s:s?, s:s, s:s?, s:i, s:I, s:o, s:o, s:s, s:o, s:s?, s:o}",
                     "id", s->id, "name", s->name, "type", space_type_name(s->type),
                     "parent_id", parent_id, "depth", (int)s->depth,
                     "count", (json_int_t)s->current_count, "capacity",
                     optional_json(s->capacity), "utilization", utilization, "safe_state",
                     safe_state_name(state), "safe_limit",
                     optional_json((optional_int){ limit.present, limit.max_safe_count }),
                     "safe_threshold_mode", safe_mode_name(s->safe_mode), "marks", marks);
}

static const char *problem_kind_name(enum site_problem_kind kind)
{
    static const char *const names[] = {
        [SITE_PROBLEM_DUPLICATE_ID] = "duplicate_id",
        [SITE_PROBLEM_MISSING_PARENT] = "missing_parent",
        [SITE_PROBLEM_PARENT_CYCLE] = "parent_cycle",
        [SITE_PROBLEM_BAD_PARENT_TYPE] = "bad_parent_type",
        [SITE_PROBLEM_TOO_MANY_CHILD_SPACES] = "too_many_child_spaces",
        [SITE_PROBLEM_UNKNOWN_DOORWAY] = "unknown_doorway",
        [SITE_PROBLEM_UNKNOWN_SPACE] = "unknown_space",
        [SITE_PROBLEM_UNKNOWN_COMPONENT] = "unknown_component",
        [SITE_PROBLEM_LINK_CONFLICT] = "link_conflict",
        [SITE_PROBLEM_UNKNOWN_SENSOR_DOORWAY] = "unknown_sensor_doorway",
        [SITE_PROBLEM_SENSOR_WITHOUT_SERIAL] = "sensor_without_serial",
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

/* Writes root (taken over) as indented JSON and a newline.  ASCII escapes
 * keep C1 controls and bidi overrides out of a terminal. */
static int dump_json(FILE *out, json_t *root)
{
    int failed = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (failed == 0)
        fputc('\n', out);
    return failed ? -1 : 0;
}

static int print_json(FILE *out, const struct site *site, const struct batch_options *options)
{
    json_t *spaces = json_array(), *problems = json_array();
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        json_array_append_new(spaces, space_row(site, &site->spaces[i], options->warn_fraction));
    for (size_t p = 0; p < site->problem_count; p++) {
        const struct site_problem *problem = &site->problems[p];
        json_array_append_new(problems,
                              json_pack("{s:s, s:s?, s:s?, s:s}", "kind",
                                        problem_kind_name(problem->kind), "id", problem->id,
                                        "other_id", problem->other_id, "message",
                                        problem->message));
    }
    json_t *root = json_pack("{s:s?, s:o, s:o}", "site", site->name, "spaces", spaces,
                             "problems", problems);
    if (!root) {
        errno = ENOMEM;
        return -1;
    }
    return dump_json(out, root);
}

void batch_replay_summary(const struct batch_replay *replay, char *out, size_t out_size)
{
    int used = snprintf(out, out_size,
                        "rows read %" PRIu64 ", events applied %" PRIu64
                        ", duplicates dropped %" PRIu64 ", rows rejected %" PRIu64
                        ", clamps %" PRIu64,
                        replay->rows, replay->applied, replay->duplicates, replay->rejected,
                        replay->clamps);
    if (replay->has_at && used > 0 && (size_t)used < out_size)
        snprintf(out + used, out_size - used, ", after --at %" PRIu64, replay->after_at);
}

/* Hourly samples of a space's history over the replayed span. */
static json_t *history_json(const struct batch_replay *replay, site_index space,
                            const struct space *s)
{
    json_t *samples = json_array();
    const struct history *history = engine_history(replay->engine, space);
    if (!replay->has_events || !history || history->used == 0)
        return samples;
    int64_t hour = 3600000;
    int64_t end = (replay->has_at ? replay->at_ms : replay->last_ms) + 1;
    int64_t start = replay->first_ms - (replay->first_ms % hour + hour) % hour;
    int64_t oldest = history_oldest(history) * 60000;
    if (start < oldest) /* older than the history kept: leave it out */
        start = oldest - (oldest % hour + hour) % hour;
    struct analytics_space subject = {
        .history = history,
        .current_count = engine_count(replay->engine, space),
        .capacity = s->capacity,
        .target_capacity = s->target_capacity,
    };
    struct analytics_query query = { .start_ms = start, .end_ms = end,
                                     .interval = ANALYTICS_1H, .max_samples = 100000 };
    struct count_page page;
    count_page_init(&page);
    if (analytics_counts(&subject, &query, &page) == ANALYTICS_OK) {
        for (size_t i = 0; i < page.sample_count; i++) {
            const struct count_sample *c = &page.samples[i];
            char when[TIMEFMT_SIZE];
            timefmt_format(c->timestamp_ms, when, sizeof when);
            json_array_append_new(samples, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}",
                "timestamp", when, "count", (json_int_t)c->count,
                "min", (json_int_t)c->analytics.min, "max", (json_int_t)c->analytics.max,
                "entrances", (json_int_t)c->analytics.entrances,
                "exits", (json_int_t)c->analytics.exits));
        }
    }
    count_page_clear(&page);
    return samples;
}

static json_t *time_or_null(bool present, int64_t ms)
{
    char text[TIMEFMT_SIZE];
    if (!present)
        return json_null();
    timefmt_format(ms, text, sizeof text);
    return json_string(text);
}

static int print_replay_json(FILE *out, const struct site *site,
                             const struct batch_replay *replay,
                             const struct batch_options *options)
{
    json_t *spaces = json_array();
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i)) {
        json_t *row = space_row(site, &site->spaces[i], options->warn_fraction);
        json_object_set_new(row, "clamps",
                            json_integer((json_int_t)engine_clamps(replay->engine, i)));
        json_object_set_new(row, "history", history_json(replay, i, &site->spaces[i]));
        json_array_append_new(spaces, row);
    }
    json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
        "rows_read", (json_int_t)replay->rows, "events_applied", (json_int_t)replay->applied,
        "duplicates_dropped", (json_int_t)replay->duplicates,
        "rows_rejected", (json_int_t)replay->rejected,
        "after_at", (json_int_t)replay->after_at, "clamps", (json_int_t)replay->clamps);
    json_t *root = json_pack("{s:s?, s:{s:s, s:s, s:o, s:o, s:o}, s:o, s:o}",
        "site", site->name,
        "replay", "file", replay->file, "format", replay->format,
        "first_event", time_or_null(replay->has_events, replay->first_ms),
        "last_event", time_or_null(replay->has_events, replay->last_ms),
        "at", time_or_null(replay->has_at, replay->at_ms),
        "summary", summary, "spaces", spaces);
    if (!root) {
        errno = EINVAL;
        return -1;
    }
    return dump_json(out, root);
}

int batch_print_replay(FILE *out, const struct site *site, const struct batch_replay *replay,
                       const struct batch_options *options)
{
    int status;
    if (options->json) {
        status = print_replay_json(out, site, replay, options);
    } else {
        char line[256], first[TIMEFMT_SIZE], last[TIMEFMT_SIZE];
        status = print_text(out, site, options);
        batch_replay_summary(replay, line, sizeof line);
        fprintf(out, "replay: %s\n", line);
        if (replay->has_events) {
            timefmt_format(replay->first_ms, first, sizeof first);
            timefmt_format(replay->has_at ? replay->at_ms : replay->last_ms, last, sizeof last);
            fprintf(out, "replay: events from %s, counts as of %s\n", first, last);
        }
    }
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return status;
}

int batch_print_site(FILE *out, const struct site *site, const struct batch_options *options)
{
    int status = options->json ? print_json(out, site, options) : print_text(out, site, options);
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return status;
}

/* --- live counts (occtop --batch on live data, and --replay of a recording) ------------ */

int batch_print_change(FILE *out, const struct site *site, const struct live *live,
                       site_index i, const struct batch_options *options)
{
    const struct space *s = &site->spaces[i];
    char when[TIMEFMT_SIZE];
    timefmt_format(live_updated(live, i), when, sizeof when);
    const char *connection = live_connection_name(live_connection_state(live));
    if (options->json) {
        json_t *line = json_pack("{s:s, s:s?, s:s?, s:I, s:s}", "time", when, "space_id", s->id,
                                 "name", s->name, "count", (json_int_t)live_count(live, i),
                                 "connection", connection);
        char *text = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        json_decref(line);
        if (!text) {
            errno = ENOMEM;
            return -1;
        }
        int wrote = fprintf(out, "%s\n", text);
        free(text);
        return wrote < 0 ? -1 : 0;
    }
    char name[256], id[128];
    unsigned flags = options->ascii ? TERMTEXT_ASCII : 0;
    termtext_sanitize_str(s->name ? s->name : "", name, sizeof name, 60, flags);
    termtext_sanitize_str(s->id, id, sizeof id, 48, flags);
    return fprintf(out, "%s %s %" PRId64 " %s\n", when, id, live_count(live, i), name) < 0 ? -1
                                                                                          : 0;
}

int batch_print_snapshot(FILE *out, struct site *site, const struct live *live, int64_t now_ms,
                         const struct batch_options *options)
{
    for (size_t i = 0; i < site->space_count; i++)
        site->spaces[i].current_count = live_count(live, (site_index)i);
    if (!options->json) {
        char when[TIMEFMT_SIZE];
        timefmt_format(now_ms, when, sizeof when);
        int64_t age = live_data_age(live, now_ms);
        if (fprintf(out, "%s %s, newest data %" PRId64 " s old\n", when,
                    live_connection_name(live_connection_state(live)),
                    age < 0 ? 0 : age / 1000) < 0)
            return -1;
    }
    return batch_print_site(out, site, options);
}
