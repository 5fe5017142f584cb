/* sensor_log.c — raw sensor event logs (CSV or JSON) for `occtop --replay`.
 *
 * CSV and JSON lines are read one physical line at a time into a bounded
 * buffer, so a log of any length takes the same memory and an over-long line
 * is skipped without being stored.  Only a JSON document (a saved API
 * response, an array) is read whole: it is checked by jansson once at open,
 * then walked element by element with a small iterative skimmer, which is
 * what lets a bad element be reported with the line it starts on. */
#include "wire/sensor_log.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/timefmt.h"
#include "wire/json_stream.h"

/* --- the log ---------------------------------------------------------------------------- */

/* The CSV columns the reader uses; every other column is ignored. */
enum column {
    COLUMN_TIME,
    COLUMN_CROSSING,
    COLUMN_SENSOR,
    COLUMN_DOORWAY,
    COLUMN_ID,
    COLUMN_KINDS
};

#define COLUMN_ABSENT SIZE_MAX

/* Header names per column, lower case, compared without regard to case. */
static const char *const column_names[COLUMN_KINDS][5] = {
    [COLUMN_TIME] = { "timestamp", "time", "ts", NULL },
    [COLUMN_CROSSING] = { "trajectory", "direction", NULL },
    [COLUMN_SENSOR] = { "sensor_serial_number", "serial_number", "serial", "sensor", NULL },
    [COLUMN_DOORWAY] = { "doorway_id", "doorway", NULL },
    [COLUMN_ID] = { "id", "event_id", NULL },
};

struct sensor_log {
    FILE *stream;
    bool owns_stream;                /* opened by sensor_log_open */
    char name[WIRE_SAFE_SOURCE_SIZE]; /* terminal-safe, for messages */
    enum sensor_log_format format;
    size_t line;                     /* the current line's number */
    bool finished;                   /* END or FAILED was returned: keep returning it */
    enum sensor_log_status final_status;

    /* Bytes given back while identifying the log (at most a BOM's worth). */
    unsigned char pushback[4];
    size_t pushback_count;
    int read_errno; /* set when the stream failed */

    /* The current line (CSV, JSON lines), NUL-terminated, without its end. */
    char *text; /* SENSOR_LOG_LINE_MAX + 1 bytes */
    size_t text_len;

    /* CSV */
    char separator;
    size_t field_count;
    size_t column[COLUMN_KINDS];                       /* field index or COLUMN_ABSENT */
    char column_label[COLUMN_KINDS][WIRE_SAFE_TEXT_SIZE]; /* as the header wrote it, safe */

    /* JSON lines: the first object, parsed while identifying the log. */
    json_t *pending;

    /* A JSON document, walked by next_document(). */
    char *document;
    size_t document_len;
    size_t at;             /* where reading goes on */
    bool in_array;         /* at is inside an array of events */
    bool in_envelope;      /* ...which is an envelope's "results" */
    size_t resume_at;      /* where the top level goes on after that array */
    size_t element_index;
    size_t counted_to;     /* newlines of document[0..counted_to) are in `line` */
};

/* --- reading bytes and lines ------------------------------------------------------------- */

static int next_byte(struct sensor_log *log)
{
    if (log->pushback_count > 0)
        return log->pushback[--log->pushback_count];
    int c = getc_unlocked(log->stream);
    if (c == EOF && ferror(log->stream) && !log->read_errno)
        log->read_errno = errno ? errno : EIO;
    return c;
}

/* Bytes are given back in reverse order of reading. */
static void unread_byte(struct sensor_log *log, int c)
{
    if (c != EOF && log->pushback_count < sizeof log->pushback)
        log->pushback[log->pushback_count++] = (unsigned char)c;
}

static void skip_bom(struct sensor_log *log)
{
    int first = next_byte(log);
    if (first != 0xEF) {
        unread_byte(log, first);
        return;
    }
    int second = next_byte(log);
    int third = second == 0xBB ? next_byte(log) : EOF;
    if (second == 0xBB && third == 0xBF)
        return;
    unread_byte(log, third);
    unread_byte(log, second);
    unread_byte(log, first);
}

enum line_status { LINE_OK, LINE_TOO_LONG, LINE_END, LINE_ERROR };

/* Reads the next physical line ('\n'-terminated, or the last one) into
 * log->text without its end: the '\n' and any '\r' before it, since real
 * exports end lines in CRLF and sometimes in CR CR LF.  A line longer than
 * SENSOR_LOG_LINE_MAX is read to its end but not stored. */
static enum line_status read_line(struct sensor_log *log)
{
    size_t len = 0;
    bool too_long = false, any = false;
    int c;
    while ((c = next_byte(log)) != EOF && c != '\n') {
        any = true;
        if (len < SENSOR_LOG_LINE_MAX)
            log->text[len++] = (char)c;
        else if (c != '\r') /* CRs past the limit may still be the line's end */
            too_long = true;
    }
    if (log->read_errno)
        return LINE_ERROR;
    if (c == EOF && !any)
        return LINE_END;
    log->line++;
    while (len > 0 && log->text[len - 1] == '\r')
        len--;
    log->text[len] = '\0';
    log->text_len = len;
    return too_long ? LINE_TOO_LONG : LINE_OK;
}

static bool is_blank_line(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            return false;
    return true;
}

/* --- messages ----------------------------------------------------------------------------- */

/* Puts "NAME:LINE: " in front of the message the caller has just set. */
static enum sensor_log_status row_problem(const struct sensor_log *log, struct wire_error *error)
{
    wire_error_prefix(error, "%s:%zu", log->name, log->line);
    return SENSOR_LOG_BAD_ROW;
}

static int out_of_memory(const struct sensor_log *log, struct wire_error *error)
{
    wire_error_set(error, "%s: out of memory", log->name);
    return -1;
}

/* A read error while reading the line after the current one. */
static enum sensor_log_status read_failure(struct sensor_log *log, struct wire_error *error)
{
    wire_error_set(error, "%s:%zu: cannot read: %s", log->name, log->line + 1,
                   strerror(log->read_errno));
    return SENSOR_LOG_FAILED;
}

static void set_line_too_long(struct wire_error *error)
{
    wire_error_set(error, "line is longer than %zu KiB: skipped", SENSOR_LOG_LINE_MAX / 1024);
}

/* --- CSV: fields --------------------------------------------------------------------------- */

struct csv_cursor {
    char *text;
    size_t len;
    size_t at;
    char separator;
    bool done;
};

enum field_status { FIELD_OK, FIELD_END, FIELD_BAD };

static bool is_field_blank(char c, char separator)
{
    return c == ' ' || c == '\r' || (c == '\t' && separator != '\t');
}

/* A quoted value, with "" for a quote, unescaped in place: the text is
 * written from the opening quote on, which always stays behind the reading. */
static enum field_status quoted_field(struct csv_cursor *c, char **value, const char **problem)
{
    size_t write = c->at, read = c->at + 1;
    for (;;) {
        if (read >= c->len) {
            *problem = "a quoted value is not closed on its line";
            return FIELD_BAD;
        }
        if (c->text[read] == '"') {
            if (read + 1 < c->len && c->text[read + 1] == '"') {
                c->text[write++] = '"';
                read += 2;
                continue;
            }
            read++;
            break;
        }
        c->text[write++] = c->text[read++];
    }
    while (read < c->len && is_field_blank(c->text[read], c->separator))
        read++;
    if (read < c->len && c->text[read] != c->separator) {
        *problem = "text after the closing quote of a value";
        return FIELD_BAD;
    }
    *value = c->text + c->at;
    c->text[write] = '\0';
    c->done = read >= c->len;
    c->at = read + 1;
    return FIELD_OK;
}

/* The next field, unquoted, trimmed (unless quoted) and NUL-terminated in
 * place.  A quote inside an unquoted value is kept as it is. */
static enum field_status next_field(struct csv_cursor *c, char **value, const char **problem)
{
    if (c->done)
        return FIELD_END;
    while (c->at < c->len && is_field_blank(c->text[c->at], c->separator))
        c->at++;
    if (c->at < c->len && c->text[c->at] == '"')
        return quoted_field(c, value, problem);
    size_t start = c->at, end = c->at;
    while (end < c->len && c->text[end] != c->separator)
        end++;
    c->done = end >= c->len;
    c->at = end + 1;
    while (end > start && is_field_blank(c->text[end - 1], c->separator))
        end--;
    c->text[end] = '\0'; /* the separator or the line's own NUL */
    *value = c->text + start;
    return FIELD_OK;
}

/* Comma, unless the header has none: then semicolon (European spreadsheets)
 * or tab. */
static char choose_separator(const char *header, size_t len)
{
    if (memchr(header, ',', len))
        return ',';
    if (memchr(header, ';', len))
        return ';';
    if (memchr(header, '\t', len))
        return '\t';
    return ',';
}

/* --- CSV: the header ----------------------------------------------------------------------- */

static int column_of_name(const char *name)
{
    for (int kind = 0; kind < COLUMN_KINDS; kind++)
        for (const char *const *n = column_names[kind]; *n; n++)
            if (strcasecmp(name, *n) == 0)
                return kind;
    return -1;
}

/* "\"timestamp\", \"time\" or \"ts\"" for messages. */
static void describe_names(int kind, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *const *n = column_names[kind]; *n && used < out_size; n++) {
        const char *joint = n == column_names[kind] ? "" : n[1] ? ", " : " or ";
        int wrote = snprintf(out + used, out_size - used, "%s\"%s\"", joint, *n);
        if (wrote < 0)
            break;
        used += (size_t)wrote;
    }
}

static int header_problem(struct sensor_log *log, struct wire_error *error, const char *what)
{
    wire_error_set(error, "%s:%zu: CSV header: %s", log->name, log->line, what);
    return -1;
}

static int take_header_field(struct sensor_log *log, const char *name, struct wire_error *error)
{
    int kind = column_of_name(name);
    if (kind >= 0 && log->column[kind] != COLUMN_ABSENT) {
        char other[WIRE_SAFE_TEXT_SIZE];
        wire_error_set(error, "%s:%zu: CSV header: columns \"%s\" and \"%s\" mean the same; "
                       "keep one", log->name, log->line, log->column_label[kind],
                       wire_safe_text(name, other, sizeof other));
        return -1;
    }
    if (kind >= 0) {
        log->column[kind] = log->field_count;
        wire_safe_text(name, log->column_label[kind], sizeof log->column_label[kind]);
    }
    log->field_count++;
    return 0;
}

/* Names every missing column with the names accepted for it. */
static int report_missing_columns(struct sensor_log *log, struct wire_error *error)
{
    char missing[WIRE_ERROR_SIZE] = "";
    size_t used = 0;
    char names[160], more[96];
    static const struct { int kind; const char *what; } required[] = {
        { COLUMN_TIME, "a time column" },
        { COLUMN_CROSSING, "a crossing column" },
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (log->column[required[i].kind] != COLUMN_ABSENT)
            continue;
        describe_names(required[i].kind, names, sizeof names);
        int wrote = snprintf(missing + used, sizeof missing - used, "%s%s (%s)",
                             used ? "; " : "", required[i].what, names);
        used = wrote < 0 ? used : used + (size_t)wrote;
        used = used < sizeof missing ? used : sizeof missing - 1;
    }
    if (log->column[COLUMN_SENSOR] == COLUMN_ABSENT && log->column[COLUMN_DOORWAY] == COLUMN_ABSENT) {
        describe_names(COLUMN_SENSOR, names, sizeof names);
        describe_names(COLUMN_DOORWAY, more, sizeof more);
        snprintf(missing + used, sizeof missing - used, "%sa sensor column (%s) or a doorway "
                 "column (%s)", used ? "; " : "", names, more);
    }
    if (!missing[0])
        return 0;
    wire_error_set(error, "%s:%zu: not a sensor log: the CSV header lacks %s",
                   log->name, log->line, missing);
    return -1;
}

static int read_csv_header(struct sensor_log *log, struct wire_error *error)
{
    enum line_status status = read_line(log);
    if (status == LINE_ERROR) {
        read_failure(log, error);
        return -1;
    }
    if (status == LINE_TOO_LONG)
        return header_problem(log, error, "the first line is too long for a header");
    if (memchr(log->text, '\0', log->text_len))
        return header_problem(log, error, "a NUL byte in the first line: not a text file");
    for (int kind = 0; kind < COLUMN_KINDS; kind++)
        log->column[kind] = COLUMN_ABSENT;
    log->separator = choose_separator(log->text, log->text_len);
    struct csv_cursor cursor = { log->text, log->text_len, 0, log->separator, false };
    char *name;
    const char *problem = NULL;
    enum field_status field;
    while ((field = next_field(&cursor, &name, &problem)) == FIELD_OK)
        if (take_header_field(log, name, error) != 0)
            return -1;
    if (field == FIELD_BAD)
        return header_problem(log, error, problem);
    return report_missing_columns(log, error);
}

/* --- CSV: rows ----------------------------------------------------------------------------- */

/* 1, +1, -1, "in" (+1) or "out" (-1); 0 for anything else. */
static int parse_crossing(const char *text)
{
    if (strcmp(text, "1") == 0 || strcmp(text, "+1") == 0 || strcasecmp(text, "in") == 0)
        return 1;
    if (strcmp(text, "-1") == 0 || strcasecmp(text, "out") == 0)
        return -1;
    return 0;
}

static enum sensor_log_status column_problem(const struct sensor_log *log, enum column kind,
                                             const char *value, const char *expected,
                                             struct wire_error *error)
{
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (!value[0])
        wire_error_set(error, "column \"%s\" is empty, expected %s", log->column_label[kind],
                       expected);
    else
        wire_error_set(error, "column \"%s\": expected %s, got \"%s\"", log->column_label[kind],
                       expected, wire_safe_text(value, safe, sizeof safe));
    return row_problem(log, error);
}

static enum sensor_log_status copy_id(const struct sensor_log *log, enum column kind,
                                      const char *value, char *out, struct wire_error *error)
{
    size_t len = strlen(value);
    if (len >= EVENT_ID_MAX) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        wire_error_set(error, "column \"%s\": \"%s\" is longer than %d bytes",
                       log->column_label[kind], wire_safe_text(value, safe, sizeof safe),
                       EVENT_ID_MAX - 1);
        return row_problem(log, error);
    }
    memcpy(out, value, len + 1);
    return SENSOR_LOG_EVENT;
}

/* The row names neither a sensor nor a doorway: say which columns were empty. */
static enum sensor_log_status no_sensor_or_doorway(const struct sensor_log *log,
                                                   struct wire_error *error)
{
    bool has_sensor = log->column[COLUMN_SENSOR] != COLUMN_ABSENT;
    bool has_doorway = log->column[COLUMN_DOORWAY] != COLUMN_ABSENT;
    if (has_sensor && has_doorway)
        wire_error_set(error, "columns \"%s\" and \"%s\" are both empty, expected a sensor "
                       "serial or a doorway id", log->column_label[COLUMN_SENSOR],
                       log->column_label[COLUMN_DOORWAY]);
    else if (has_sensor)
        wire_error_set(error, "column \"%s\" is empty, expected a sensor serial",
                       log->column_label[COLUMN_SENSOR]);
    else
        wire_error_set(error, "column \"%s\" is empty, expected a doorway id",
                       log->column_label[COLUMN_DOORWAY]);
    return row_problem(log, error);
}

static enum sensor_log_status convert_row(const struct sensor_log *log,
                                          const char *const value[COLUMN_KINDS],
                                          struct sensor_event *event, struct wire_error *error)
{
    memset(event, 0, sizeof *event);
    if (!timefmt_parse(value[COLUMN_TIME], &event->timestamp_ms, 0))
        return column_problem(log, COLUMN_TIME, value[COLUMN_TIME],
                              "an ISO 8601 time such as 2017-09-19T15:00:10.436Z", error);
    event->trajectory = parse_crossing(value[COLUMN_CROSSING]);
    if (!event->trajectory)
        return column_problem(log, COLUMN_CROSSING, value[COLUMN_CROSSING],
                              "1, -1, \"in\" or \"out\"", error);
    if (copy_id(log, COLUMN_SENSOR, value[COLUMN_SENSOR], event->sensor_serial, error) < 0 ||
        copy_id(log, COLUMN_DOORWAY, value[COLUMN_DOORWAY], event->doorway_id, error) < 0 ||
        copy_id(log, COLUMN_ID, value[COLUMN_ID], event->id, error) < 0)
        return SENSOR_LOG_BAD_ROW;
    if (!event->sensor_serial[0] && !event->doorway_id[0])
        return no_sensor_or_doorway(log, error);
    return SENSOR_LOG_EVENT;
}

static enum sensor_log_status parse_csv_row(struct sensor_log *log, struct sensor_event *event,
                                            struct wire_error *error)
{
    if (memchr(log->text, '\0', log->text_len)) {
        wire_error_set(error, "a NUL byte in the line");
        return row_problem(log, error);
    }
    const char *value[COLUMN_KINDS] = { "", "", "", "", "" };
    struct csv_cursor cursor = { log->text, log->text_len, 0, log->separator, false };
    size_t count = 0;
    char *field;
    const char *problem = NULL;
    enum field_status status;
    while ((status = next_field(&cursor, &field, &problem)) == FIELD_OK) {
        for (int kind = 0; kind < COLUMN_KINDS; kind++)
            if (log->column[kind] == count)
                value[kind] = field;
        count++;
    }
    if (status == FIELD_BAD) {
        wire_error_set(error, "field %zu: %s", count + 1, problem);
        return row_problem(log, error);
    }
    if (count != log->field_count) {
        wire_error_set(error, "%zu field%s, expected %zu as in the header", count,
                       count == 1 ? "" : "s", log->field_count);
        return row_problem(log, error);
    }
    return convert_row(log, value, event, error);
}

/* Reads up to the next line that is not blank (CSV rows and JSON lines).
 * false: there is none, and *status is what to return (the end, a read
 * failure, or a line too long as a bad row). */
static bool next_row_line(struct sensor_log *log, enum sensor_log_status *status,
                          struct wire_error *error)
{
    for (;;) {
        switch (read_line(log)) {
        case LINE_END:
            *status = SENSOR_LOG_END;
            return false;
        case LINE_ERROR:
            *status = read_failure(log, error);
            return false;
        case LINE_TOO_LONG:
            set_line_too_long(error);
            *status = row_problem(log, error);
            return false;
        case LINE_OK: break;
        }
        if (!is_blank_line(log->text, log->text_len))
            return true;
    }
}

static enum sensor_log_status next_csv(struct sensor_log *log, struct sensor_event *event,
                                       struct wire_error *error)
{
    enum sensor_log_status status;
    if (!next_row_line(log, &status, error))
        return status;
    return parse_csv_row(log, event, error);
}

/* --- JSON: what an object is ---------------------------------------------------------------- */

enum json_kind {
    KIND_SENSOR_EVENT,
    KIND_WEBSOCKET,
    KIND_SPACE_EVENT,
    KIND_COUNTS,
    KIND_SITE,
    KIND_UNKNOWN,
};

/* What a file of each kind looks like, and one object of it. */
static const char *const kind_file_name[KIND_UNKNOWN + 1] = {
    [KIND_WEBSOCKET] = "a websocket recording",
    [KIND_SPACE_EVENT] = "space events (GET /spaces/:id/events/)",
    [KIND_COUNTS] = "counts (GET /spaces/:id/counts/)",
    [KIND_SITE] = "a site file",
};
static const char *const kind_object_name[KIND_UNKNOWN + 1] = {
    [KIND_WEBSOCKET] = "a websocket message",
    [KIND_SPACE_EVENT] = "a space event",
    [KIND_COUNTS] = "a count sample",
    [KIND_SITE] = "a site or space object",
};

static bool has(const json_t *object, const char *key)
{
    return json_object_get(object, key) != NULL;
}

/* Told apart by the fields only each kind has; the decoder then judges a
 * sensor event field by field. */
static enum json_kind classify_object(const json_t *object)
{
    if (has(object, "payload"))
        return KIND_WEBSOCKET;
    if (has(object, "spaces") || has(object, "space_type"))
        return KIND_SITE;
    if (has(object, "trajectory"))
        return KIND_SENSOR_EVENT;
    if (has(object, "direction"))
        return KIND_SPACE_EVENT;
    if (has(object, "interval") || has(object, "count") || has(object, "metrics"))
        return KIND_COUNTS;
    if (has(object, "timestamp") || has(object, "sensor_serial_number"))
        return KIND_SENSOR_EVENT;
    return KIND_UNKNOWN;
}

/* For open: a log is refused when its first object is of another kind. */
static int refuse_kind(const struct sensor_log *log, enum json_kind kind, size_t line,
                       struct wire_error *error)
{
    if (kind == KIND_SENSOR_EVENT)
        return 0;
    if (kind == KIND_UNKNOWN)
        wire_error_set(error, "%s:%zu: not a sensor log: expected sensor event objects "
                       "(\"timestamp\", \"trajectory\", \"sensor_serial_number\", ...)",
                       log->name, line);
    else
        wire_error_set(error, "%s:%zu: looks like %s, not a sensor log", log->name, line,
                       kind_file_name[kind]);
    return -1;
}

/* One row: a JSON line, or an element of a document.  label names it in
 * messages ("sensor event", "results[3]"). */
static enum sensor_log_status decode_row(const struct sensor_log *log, const json_t *json,
                                         const char *label, struct sensor_event *event,
                                         struct wire_error *error)
{
    enum json_kind kind = json_is_object(json) ? classify_object(json) : KIND_UNKNOWN;
    if (kind != KIND_SENSOR_EVENT && kind != KIND_UNKNOWN) {
        wire_error_set(error, "%s: looks like %s, not a sensor event", label,
                       kind_object_name[kind]);
        return row_problem(log, error);
    }
    if (wire_decode_sensor_event(json, label, event, error) != 0)
        return row_problem(log, error);
    if (!event->sensor_serial[0] && !event->doorway_id[0]) {
        wire_error_set(error, "%s: neither \"sensor_serial_number\" nor \"doorway_id\" is given",
                       label);
        return row_problem(log, error);
    }
    return SENSOR_LOG_EVENT;
}

/* --- JSON lines ------------------------------------------------------------------------------ */

static enum sensor_log_status next_json_line(struct sensor_log *log, struct sensor_event *event,
                                             struct wire_error *error)
{
    json_t *json = log->pending;
    log->pending = NULL;
    while (!json) {
        enum sensor_log_status status;
        if (!next_row_line(log, &status, error))
            return status;
        json_error_t jerr;
        json = json_loadb(log->text, log->text_len, 0, &jerr);
        if (!json) {
            char safe[WIRE_SAFE_TEXT_SIZE];
            wire_error_set(error, "column %d: invalid JSON: %s", jerr.column > 0 ? jerr.column : 1,
                           wire_safe_text(jerr.text, safe, sizeof safe));
            return row_problem(log, error);
        }
    }
    enum sensor_log_status status = decode_row(log, json, "sensor event", event, error);
    json_decref(json);
    return status;
}

/* --- JSON documents: skimming text jansson has already accepted ------------------------------ */

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *text, size_t len, size_t at)
{
    while (at < len && is_json_space(text[at]))
        at++;
    return at;
}

/* From the opening quote to just after the closing one. */
static size_t skip_string(const char *text, size_t len, size_t at)
{
    for (at++; at < len; at++) {
        if (text[at] == '\\')
            at++;
        else if (text[at] == '"')
            return at + 1;
    }
    return len;
}

/* Just after the value that starts at text[at].  Iterative, so that the
 * nesting depth costs no stack; always moves forward. */
static size_t skip_value(const char *text, size_t len, size_t at)
{
    if (at >= len)
        return len;
    if (text[at] == '"')
        return skip_string(text, len, at);
    if (text[at] != '{' && text[at] != '[') {
        size_t end = at;
        while (end < len && !is_json_space(text[end]) && text[end] != ',' && text[end] != ']' &&
               text[end] != '}')
            end++;
        return end > at ? end : at + 1;
    }
    size_t depth = 0;
    while (at < len) {
        char c = text[at];
        if (c == '"') {
            at = skip_string(text, len, at);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return at + 1;
        at++;
    }
    return len;
}

/* The '[' of the array that the object at text[at] gives as "results" (the
 * last one, as jansson keeps the last of repeated keys), or SIZE_MAX. */
static size_t find_results(const char *text, size_t len, size_t at)
{
    static const char key[] = "\"results\"";
    size_t found = SIZE_MAX;
    size_t end = skip_value(text, len, at);
    at = skip_space(text, end, at + 1);
    while (at < end && text[at] == '"') {
        size_t key_end = skip_string(text, end, at);
        bool match = key_end - at == sizeof key - 1 && memcmp(text + at, key, sizeof key - 1) == 0;
        at = skip_space(text, end, key_end);
        if (at >= end || text[at] != ':')
            break;
        at = skip_space(text, end, at + 1);
        if (match && at < end && text[at] == '[')
            found = at;
        at = skip_space(text, end, skip_value(text, end, at));
        if (at < end && text[at] == ',')
            at = skip_space(text, end, at + 1);
    }
    return found;
}

static void count_lines_to(struct sensor_log *log, size_t offset)
{
    for (size_t i = log->counted_to; i < offset && i < log->document_len; i++)
        if (log->document[i] == '\n')
            log->line++;
    if (offset > log->counted_to)
        log->counted_to = offset;
}

static size_t line_of(const struct sensor_log *log, size_t offset)
{
    size_t line = 1;
    for (size_t i = 0; i < offset && i < log->document_len; i++)
        line += log->document[i] == '\n';
    return line;
}

static enum sensor_log_status read_element(struct sensor_log *log, size_t start, size_t end,
                                           const char *label, struct sensor_event *event,
                                           struct wire_error *error)
{
    count_lines_to(log, start);
    json_error_t jerr;
    json_t *json = json_loadb(log->document + start, end - start, JSON_DECODE_ANY, &jerr);
    if (!json) { /* not expected: the whole document parsed at open */
        char safe[WIRE_SAFE_TEXT_SIZE];
        wire_error_set(error, "%s: invalid JSON: %s", label,
                       wire_safe_text(jerr.text, safe, sizeof safe));
        return row_problem(log, error);
    }
    enum sensor_log_status status = decode_row(log, json, label, event, error);
    json_decref(json);
    return status;
}

static void enter_array(struct sensor_log *log, size_t first, size_t resume_at, bool envelope)
{
    log->at = first;
    log->resume_at = resume_at;
    log->in_array = true;
    log->in_envelope = envelope;
    log->element_index = 0;
}

/* Top-level values one after the other: an array of events, an envelope
 * (its "results"), or a single event object. */
static enum sensor_log_status next_document(struct sensor_log *log, struct sensor_event *event,
                                            struct wire_error *error)
{
    const char *text = log->document;
    size_t len = log->document_len;
    for (;;) {
        size_t at = skip_space(text, len, log->at);
        if (!log->in_array) {
            if (at >= len) {
                log->at = len;
                return SENSOR_LOG_END;
            }
            size_t end = skip_value(text, len, at);
            size_t results = text[at] == '{' ? find_results(text, len, at) : SIZE_MAX;
            if (text[at] == '[' || results != SIZE_MAX) {
                enter_array(log, (results != SIZE_MAX ? results : at) + 1, end, results != SIZE_MAX);
                continue;
            }
            log->at = end;
            return read_element(log, at, end, "sensor event", event, error);
        }
        if (at >= len || text[at] == ']') {
            log->in_array = false;
            log->at = log->resume_at;
            continue;
        }
        size_t end = skip_value(text, len, at);
        size_t next = skip_space(text, len, end);
        log->at = next < len && text[next] == ',' ? next + 1 : next;
        char label[40];
        snprintf(label, sizeof label, "%s[%zu]", log->in_envelope ? "results" : "",
                 log->element_index++);
        return read_element(log, at, end, label, event, error);
    }
}

/* --- JSON documents: loading and checking ------------------------------------------------------ */

/* Each top-level value must parse, and its first object must be a sensor
 * event (an empty list is an empty log; non-objects are left to the rows). */
static int check_value(const struct sensor_log *log, const json_t *value, size_t start,
                       struct wire_error *error)
{
    const json_t *first = value;
    const json_t *results = json_is_object(value) ? json_object_get(value, "results") : NULL;
    if (results && !json_is_array(results)) {
        wire_error_set(error, "%s:%zu: field \"results\": expected an array of sensor events, "
                       "got %s", log->name, line_of(log, start), wire_json_type_name(results));
        return -1;
    }
    if (results)
        first = json_array_get(results, 0);
    else if (json_is_array(value))
        first = json_array_get(value, 0);
    enum json_kind kind = json_is_object(first) ? classify_object(first) : KIND_SENSOR_EVENT;
    return kind == KIND_SENSOR_EVENT ? 0 : refuse_kind(log, kind, line_of(log, start), error);
}

static int check_document(struct sensor_log *log, struct wire_error *error)
{
    size_t offset = 0;
    for (;;) {
        size_t start = skip_space(log->document, log->document_len, offset);
        struct wire_error parse_error;
        json_t *value = wire_json_parse_next(log->document, log->document_len, &offset,
                                             log->name, &parse_error);
        if (!value) {
            if (!parse_error.message[0])
                return 0; /* only blank space was left */
            wire_error_set(error, "%s", parse_error.message);
            return -1;
        }
        int status = check_value(log, value, start, error);
        json_decref(value);
        if (status != 0)
            return -1;
    }
}

static int document_too_large(const struct sensor_log *log, struct wire_error *error)
{
    wire_error_set(error, "%s: larger than %zu MiB, the limit for a JSON sensor log", log->name,
                   SENSOR_LOG_DOCUMENT_MAX / (1024 * 1024));
    return -1;
}

/* Buffers double, but never past one byte over the limit: that byte is
 * enough to tell that the input is too large. */
static size_t grown_capacity(size_t capacity)
{
    return capacity <= SENSOR_LOG_DOCUMENT_MAX / 2 ? capacity * 2 : SENSOR_LOG_DOCUMENT_MAX + 1;
}

/* Appends the rest of the stream (given-back bytes first) to the document,
 * whose buffer grows up to one byte past the limit. */
static int read_rest(struct sensor_log *log, size_t *capacity, struct wire_error *error)
{
    while (log->pushback_count > 0)
        log->document[log->document_len++] = (char)log->pushback[--log->pushback_count];
    for (;;) {
        if (log->document_len == *capacity) {
            if (*capacity > SENSOR_LOG_DOCUMENT_MAX)
                return document_too_large(log, error);
            char *bigger = realloc(log->document, grown_capacity(*capacity));
            if (!bigger)
                return out_of_memory(log, error);
            log->document = bigger;
            *capacity = grown_capacity(*capacity);
        }
        size_t got = fread(log->document + log->document_len, 1, *capacity - log->document_len,
                           log->stream);
        log->document_len += got;
        if (got == 0)
            break;
    }
    if (ferror(log->stream)) {
        wire_error_set(error, "%s: cannot read: %s", log->name, strerror(errno ? errno : EIO));
        return -1;
    }
    return log->document_len > SENSOR_LOG_DOCUMENT_MAX ? document_too_large(log, error) : 0;
}

/* The document is the whole file from its first non-blank byte on; the
 * blank lines and columns before it come back as newlines and spaces, so
 * that jansson's line and column numbers are those of the file. */
static int load_document(struct sensor_log *log, const char *first_line, size_t first_len,
                         size_t newlines, size_t columns, struct wire_error *error)
{
    size_t lead = newlines + columns;
    if (lead > SENSOR_LOG_DOCUMENT_MAX || first_len > SENSOR_LOG_DOCUMENT_MAX - lead)
        return document_too_large(log, error);
    size_t capacity = lead + first_len + 65536;
    log->document = malloc(capacity);
    if (!log->document)
        return out_of_memory(log, error);
    memset(log->document, '\n', newlines);
    memset(log->document + newlines, ' ', columns);
    if (first_len)
        memcpy(log->document + lead, first_line, first_len);
    log->document_len = lead + first_len;
    if (read_rest(log, &capacity, error) != 0 || check_document(log, error) != 0)
        return -1;
    /* The first value starts on the line after the lead's newlines. */
    log->line = newlines + 1;
    log->counted_to = newlines;
    return 0;
}

/* The first line of a log that starts with '{', with its '\n' if it has one
 * (it may be a whole envelope written on one line, so it is bounded by the
 * document limit, not the line limit). */
static int read_first_line(struct sensor_log *log, char **out, size_t *out_len,
                           struct wire_error *error)
{
    size_t capacity = 4096, len = 0;
    char *line = malloc(capacity);
    if (!line)
        return out_of_memory(log, error);
    int c;
    while ((c = next_byte(log)) != EOF) {
        if (len == capacity) {
            if (capacity > SENSOR_LOG_DOCUMENT_MAX) {
                free(line);
                return document_too_large(log, error);
            }
            char *bigger = realloc(line, grown_capacity(capacity));
            if (!bigger) {
                free(line);
                return out_of_memory(log, error);
            }
            line = bigger;
            capacity = grown_capacity(capacity);
        }
        line[len++] = (char)c;
        if (c == '\n')
            break;
    }
    if (log->read_errno) {
        free(line);
        read_failure(log, error);
        return -1;
    }
    *out = line;
    *out_len = len;
    return 0;
}

/* '[' starts a document.  '{' starts JSON lines when the first line is a
 * whole object on its own and not an envelope; otherwise a document. */
static int identify_json(struct sensor_log *log, int first_byte, size_t newlines, size_t columns,
                         struct wire_error *error)
{
    log->format = SENSOR_LOG_JSON;
    if (first_byte == '[')
        return load_document(log, NULL, 0, newlines, columns, error);
    char *first;
    size_t first_len;
    if (read_first_line(log, &first, &first_len, error) != 0)
        return -1;
    json_error_t jerr;
    json_t *json = json_loadb(first, first_len, 0, &jerr);
    if (json_is_object(json) && !has(json, "results")) {
        free(first);
        log->line = newlines + 1;
        log->pending = json;
        return refuse_kind(log, classify_object(json), log->line, error);
    }
    json_decref(json);
    int status = load_document(log, first, first_len, newlines, columns, error);
    free(first);
    return status;
}

/* --- opening -------------------------------------------------------------------------------- */

/* Skips blank space before the first byte that tells the format, counting
 * the lines and columns it covers. */
static int skip_leading_blanks(struct sensor_log *log, size_t *newlines, size_t *columns)
{
    int c;
    *newlines = *columns = 0;
    while ((c = next_byte(log)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
        if (c == '\n') {
            (*newlines)++;
            *columns = 0;
        } else {
            (*columns)++;
        }
    }
    return c;
}

static int identify(struct sensor_log *log, struct wire_error *error)
{
    skip_bom(log);
    size_t newlines, columns;
    int c = skip_leading_blanks(log, &newlines, &columns);
    if (c == EOF) {
        if (log->read_errno)
            read_failure(log, error);
        else
            wire_error_set(error, "%s: file is empty, expected a sensor log (CSV with a header "
                           "line, or JSON)", log->name);
        return -1;
    }
    unread_byte(log, c);
    log->line = newlines;
    if (c == '{' || c == '[')
        return identify_json(log, c, newlines, columns, error);
    log->format = SENSOR_LOG_CSV;
    return read_csv_header(log, error);
}

struct sensor_log *sensor_log_from_stream(FILE *stream, const char *name,
                                          struct wire_error *error)
{
    wire_error_clear(error);
    struct sensor_log *log = calloc(1, sizeof *log);
    char *text = malloc(SENSOR_LOG_LINE_MAX + 1);
    if (!log || !text) {
        char safe[WIRE_SAFE_SOURCE_SIZE];
        wire_error_set(error, "%s: out of memory",
                       wire_safe_source(name ? name : "sensor log", safe, sizeof safe));
        free(log);
        free(text);
        return NULL;
    }
    log->stream = stream;
    log->text = text;
    wire_safe_source(name ? name : "sensor log", log->name, sizeof log->name);
    if (identify(log, error) != 0) {
        sensor_log_close(log);
        return NULL;
    }
    return log;
}

struct sensor_log *sensor_log_open(const char *path, struct wire_error *error)
{
    char source[WIRE_SAFE_SOURCE_SIZE];
    wire_safe_source(path, source, sizeof source);
    FILE *stream = fopen(path, "rb");
    if (!stream) {
        wire_error_set(error, "%s: cannot open: %s", source, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(stream), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(stream);
        wire_error_set(error, "%s: is a directory, expected a sensor log file", source);
        return NULL;
    }
    struct sensor_log *log = sensor_log_from_stream(stream, path, error);
    if (!log) {
        fclose(stream);
        return NULL;
    }
    log->owns_stream = true;
    return log;
}

/* --- reading -------------------------------------------------------------------------------- */

enum sensor_log_format sensor_log_format(const struct sensor_log *log)
{
    return log->format;
}

enum sensor_log_status sensor_log_next(struct sensor_log *log, struct sensor_event *event,
                                       struct wire_error *error)
{
    wire_error_clear(error);
    if (log->finished) {
        if (log->final_status == SENSOR_LOG_FAILED)
            read_failure(log, error);
        return log->final_status;
    }
    enum sensor_log_status status;
    if (log->document)
        status = next_document(log, event, error);
    else if (log->format == SENSOR_LOG_JSON)
        status = next_json_line(log, event, error);
    else
        status = next_csv(log, event, error);
    if (status == SENSOR_LOG_END || status == SENSOR_LOG_FAILED) {
        log->finished = true;
        log->final_status = status;
    }
    return status;
}

size_t sensor_log_line(const struct sensor_log *log)
{
    return log->line;
}

void sensor_log_close(struct sensor_log *log)
{
    if (!log)
        return;
    if (log->owns_stream && log->stream)
        fclose(log->stream);
    json_decref(log->pending);
    free(log->document);
    free(log->text);
    free(log);
}
