/* recording.c — reading a --record recording; see recording.h.
 *
 * Decisions beyond the header:
 *  - Identification reads the first non-blank line whole only when it
 *    starts with '{': a CSV log is told apart after its first byte.  What
 *    was read is kept, and handed back through a fopencookie() stream that
 *    replays it before the rest of the file, so that a sensor log read from
 *    a pipe loses nothing.
 *  - A first line that is not valid JSON but names "occtop_recording" is a
 *    damaged recording, not a sensor log: saying "not valid JSON at column
 *    C" is more use than the sensor log's "not a sensor log".
 *  - Lines are parsed with jansson directly rather than wire_json_parse(),
 *    so that messages say "FILE:LINE: invalid JSON at column C" (the line is
 *    always line 1 of what jansson sees).
 *  - A later header is decoded only for its counts (id and current_count of
 *    each space): the replay keeps the first header's site, as the monitor
 *    keeps the hierarchy it loaded, and a space the first site lacks is
 *    skipped as the live model skips unknown spaces. */
#include "wire/recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "wire/json_model.h"
#include "wire/json_stream.h"

struct recording {
    FILE *stream;
    bool owns_stream;
    char name[WIRE_SAFE_SOURCE_SIZE]; /* terminal-safe */
    size_t line;                      /* lines read so far */
    bool finished;
    int read_errno;

    char *text; /* the current line, without its end; NUL-terminated */
    size_t text_len, text_size;
    bool text_too_long;

    struct site *site;
    char *api_url;
    int64_t started_ms;

    struct recording_count *counts; /* a later header's */
    size_t counts_size;
};

/* --- reading lines --------------------------------------------------------------------- */

static int grow(char **buffer, size_t *size, size_t need)
{
    if (need <= *size)
        return 0;
    size_t size_new = *size ? *size : 256;
    while (size_new < need)
        size_new *= 2;
    char *bigger = realloc(*buffer, size_new);
    if (!bigger)
        return -1;
    *buffer = bigger;
    *size = size_new;
    return 0;
}

/* Reads the next line into r->text.  Returns 1 with a line (perhaps
 * too long: r->text_too_long, text cut), 0 at the end, -1 on a read error
 * (r->read_errno) or out of memory (read_errno ENOMEM). */
static int read_line(struct recording *r)
{
    r->text_len = 0;
    r->text_too_long = false;
    int c;
    bool any = false;
    while ((c = getc(r->stream)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        if (r->text_len >= RECORDING_LINE_MAX) {
            r->text_too_long = true;
            continue;
        }
        if (grow(&r->text, &r->text_size, r->text_len + 2) != 0) {
            r->read_errno = ENOMEM;
            return -1;
        }
        r->text[r->text_len++] = (char)c;
    }
    if (c == EOF && ferror(r->stream)) {
        r->read_errno = errno ? errno : EIO;
        return -1;
    }
    if (!any)
        return 0;
    r->line++;
    if (r->text_len > 0 && r->text[r->text_len - 1] == '\r')
        r->text_len--;
    if (grow(&r->text, &r->text_size, r->text_len + 1) != 0) {
        r->read_errno = ENOMEM;
        return -1;
    }
    r->text[r->text_len] = '\0';
    return 1;
}

static bool is_blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            return false;
    return true;
}

/* "FILE:LINE: invalid JSON at column C: what jansson says". */
static json_t *parse_line(const struct recording *r, const char *text, size_t len,
                          struct wire_error *error)
{
    json_error_t jerr;
    json_t *json = json_loadb(text, len, 0, &jerr);
    if (!json) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        wire_error_set(error, "%s:%zu: invalid JSON at column %d: %s", r->name, r->line,
                       jerr.column, wire_safe_text(jerr.text, safe, sizeof safe));
    }
    return json;
}

/* "FILE:LINE", what a wire_reader calls the line in its messages. */
static void line_label(const struct recording *r, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s:%zu", r->name, r->line);
}

/* --- the header ------------------------------------------------------------------------ */

static int read_version(const struct wire_reader *rd, const struct recording *r,
                        struct wire_error *error)
{
    int64_t version;
    if (wire_read_int(rd, "occtop_recording", WIRE_REQUIRED, INT64_MIN, INT64_MAX,
                      &version) != WIRE_OK)
        return -1;
    if (version != RECORDING_VERSION) {
        wire_error_set(error, "%s:%zu: a recording of format %lld; this occtop reads format %d",
                       r->name, r->line, (long long)version, RECORDING_VERSION);
        return -1;
    }
    return 0;
}

typedef int (*list_decoder)(struct site *, const json_t *, const char *, struct wire_error *);

static int decode_list(struct recording *r, const struct wire_reader *site_reader,
                       const char *field, list_decoder decode, bool *present,
                       struct wire_error *error)
{
    const json_t *array = NULL;
    int status = wire_read_array(site_reader, field, present ? WIRE_OPTIONAL : WIRE_REQUIRED,
                                 &array);
    if (status == WIRE_ERROR)
        return -1;
    if (present)
        *present = status == WIRE_OK;
    if (status != WIRE_OK)
        return 0;
    char label[32];
    snprintf(label, sizeof label, "site.%s", field);
    if (decode(r->site, array, label, error) != 0) {
        wire_error_prefix(error, "%s:%zu", r->name, r->line);
        return -1;
    }
    return 0;
}

static int decode_site(struct recording *r, const struct wire_reader *rd,
                       struct wire_error *error)
{
    struct wire_reader site_reader;
    char *name = NULL;
    if (wire_read_object(rd, "site", WIRE_REQUIRED, &site_reader) != WIRE_OK ||
        wire_read_strdup(&site_reader, "name", WIRE_OPTIONAL, &name) == WIRE_ERROR)
        return -1;
    free(r->site->name);
    r->site->name = name;
    if (decode_list(r, &site_reader, "spaces", wire_decode_space_list, NULL, error) != 0 ||
        decode_list(r, &site_reader, "doorways", wire_decode_doorway_list,
                    &r->site->has_doorway_list, error) != 0 ||
        decode_list(r, &site_reader, "sensors", wire_decode_sensor_list,
                    &r->site->has_sensor_list, error) != 0)
        return -1;
    if (site_link(r->site) != 0) {
        wire_error_set(error, "%s:%zu: out of memory", r->name, r->line);
        return -1;
    }
    return 0;
}

static int decode_header(struct recording *r, const json_t *json, struct wire_error *error)
{
    char label[WIRE_SAFE_SOURCE_SIZE + 32];
    line_label(r, label, sizeof label);
    struct wire_reader rd;
    r->site = site_new();
    if (!r->site) {
        wire_error_set(error, "%s: out of memory", label);
        return -1;
    }
    if (wire_reader_open(&rd, json, label, error) != WIRE_OK || read_version(&rd, r, error) ||
        wire_read_time(&rd, "started_at", WIRE_REQUIRED, 0, &r->started_ms) != WIRE_OK ||
        wire_read_strdup(&rd, "api_url", WIRE_OPTIONAL, &r->api_url) == WIRE_ERROR)
        return -1;
    return decode_site(r, &rd, error);
}

/* --- identifying the file ----------------------------------------------------------------- */

/* What identification read: the bytes, for giving them back. */
struct sniffed {
    char *data;
    size_t len, size;
    size_t line_start; /* where the first non-blank line starts */
    size_t lines;      /* newlines before it */
    bool complete;     /* the line ended (newline or end of file) within the bound */
};

/* Reads blank lines, then the first non-blank line when it starts with '{'.
 * Returns 0, or -1 on a read error / out of memory (errno). */
static int sniff(FILE *stream, struct sniffed *s)
{
    int c;
    bool in_line = false; /* inside the first non-blank line */
    s->complete = true;
    while ((c = getc(stream)) != EOF) {
        if (grow(&s->data, &s->size, s->len + 1) != 0) {
            errno = ENOMEM;
            return -1;
        }
        s->data[s->len++] = (char)c;
        if (in_line) {
            if (c == '\n')
                return 0;
            if (s->len - s->line_start > RECORDING_LINE_MAX) {
                s->complete = false;
                return 0;
            }
        } else if (c == '\n') {
            s->lines++;
            s->line_start = s->len;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            if (c != '{')
                return 0;
            in_line = true;
        }
    }
    return ferror(stream) ? -1 : 0;
}

/* Whether text names the recording key at all (a damaged header). */
static bool mentions_key(const char *text, size_t len)
{
    static const char key[] = "\"occtop_recording\"";
    return memmem(text, len, key, sizeof key - 1) != NULL;
}

/* 1: a recording, header decoded; 0: not one; -1: error filled. */
static int identify(struct recording *r, const struct sniffed *s, struct wire_error *error)
{
    const char *text = s->data ? s->data + s->line_start : "";
    size_t len = s->len - s->line_start;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    while (len > 0 && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    if (len == 0 || text[0] != '{')
        return 0;
    r->line = s->lines + 1;
    if (!s->complete) {
        if (!mentions_key(text, len))
            return 0;
        wire_error_set(error, "%s:%zu: the recording's first line is longer than 64 MiB",
                       r->name, r->line);
        return -1;
    }
    json_error_t jerr;
    json_t *json = json_loadb(text, len, 0, &jerr);
    if (!json) {
        if (!mentions_key(text, len))
            return 0;
        char safe[WIRE_SAFE_TEXT_SIZE];
        wire_error_set(error, "%s:%zu: a recording whose first line is not valid JSON "
                       "(column %d: %s)", r->name, r->line, jerr.column,
                       wire_safe_text(jerr.text, safe, sizeof safe));
        return -1;
    }
    int result = 0;
    if (json_is_object(json) && json_object_get(json, "occtop_recording"))
        result = decode_header(r, json, error) == 0 ? 1 : -1;
    json_decref(json);
    return result;
}

/* --- giving back what was read ----------------------------------------------------------- */

struct giveback {
    char *data;
    size_t len, at;
    FILE *inner;
    bool owns_inner;
};

static ssize_t giveback_read(void *cookie, char *buffer, size_t size)
{
    struct giveback *g = cookie;
    if (g->at < g->len) {
        size_t n = g->len - g->at < size ? g->len - g->at : size;
        memcpy(buffer, g->data + g->at, n);
        g->at += n;
        return (ssize_t)n;
    }
    size_t n = fread(buffer, 1, size, g->inner);
    if (n == 0 && ferror(g->inner))
        return -1;
    return (ssize_t)n;
}

static int giveback_close(void *cookie)
{
    struct giveback *g = cookie;
    int status = g->owns_inner ? fclose(g->inner) : 0;
    free(g->data);
    free(g);
    return status;
}

/* A stream reading s->data, then the rest of inner; takes s->data over. */
static FILE *give_back(struct sniffed *s, FILE *inner, bool owns_inner)
{
    struct giveback *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    cookie_io_functions_t io = { .read = giveback_read, .close = giveback_close };
    FILE *stream = fopencookie(g, "rb", io);
    if (!stream) {
        free(g);
        return NULL;
    }
    g->data = s->data;
    g->len = s->len;
    g->inner = inner;
    g->owns_inner = owns_inner;
    s->data = NULL;
    return stream;
}

/* --- opening ----------------------------------------------------------------------------- */

static struct recording *recording_new(FILE *stream, const char *name)
{
    struct recording *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->stream = stream;
    wire_safe_source(name ? name : "recording", r->name, sizeof r->name);
    return r;
}

static struct recording *open_stream(FILE *stream, const char *name, bool owns, FILE **other,
                                     struct wire_error *error)
{
    *other = NULL;
    wire_error_clear(error);
    struct recording *r = recording_new(stream, name);
    struct sniffed s = { 0 };
    if (!r) {
        char safe[WIRE_SAFE_SOURCE_SIZE];
        wire_error_set(error, "%s: out of memory",
                       wire_safe_source(name ? name : "recording", safe, sizeof safe));
        return NULL;
    }
    int found = -1;
    if (sniff(stream, &s) != 0)
        wire_error_set(error, "%s: cannot read: %s", r->name, strerror(errno));
    else
        found = identify(r, &s, error);
    if (found == 0) {
        *other = give_back(&s, stream, owns);
        if (!*other) {
            wire_error_set(error, "%s: out of memory", r->name);
            found = -1;
        }
    }
    free(s.data);
    if (found != 1) {
        r->stream = NULL; /* the caller's, or *other's now */
        recording_close(r);
        return NULL;
    }
    r->owns_stream = owns;
    return r;
}

struct recording *recording_from_stream(FILE *stream, const char *name, FILE **other,
                                        struct wire_error *error)
{
    return open_stream(stream, name, false, other, error);
}

struct recording *recording_open(const char *path, FILE **other, struct wire_error *error)
{
    char source[WIRE_SAFE_SOURCE_SIZE];
    wire_safe_source(path, source, sizeof source);
    *other = NULL;
    FILE *stream = fopen(path, "rb");
    if (!stream) {
        wire_error_set(error, "%s: cannot open: %s", source, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(stream), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(stream);
        wire_error_set(error, "%s: is a directory, expected a sensor log or a recording",
                       source);
        return NULL;
    }
    struct recording *r = open_stream(stream, path, true, other, error);
    if (!r && !*other)
        fclose(stream);
    return r;
}

void recording_close(struct recording *r)
{
    if (!r)
        return;
    if (r->owns_stream && r->stream)
        fclose(r->stream);
    site_free(r->site);
    free(r->api_url);
    free(r->text);
    free(r->counts);
    free(r);
}

struct site *recording_site(struct recording *r)
{
    return r->site;
}

int64_t recording_started(const struct recording *r)
{
    return r->started_ms;
}

const char *recording_api_url(const struct recording *r)
{
    return r->api_url;
}

const char *recording_name(const struct recording *r)
{
    return r->name;
}

size_t recording_line(const struct recording *r)
{
    return r->line;
}

/* --- later lines ------------------------------------------------------------------------- */

static int add_count(struct recording *r, size_t n, const char *id, int64_t count)
{
    if (n >= r->counts_size) {
        size_t size = r->counts_size ? 2 * r->counts_size : 64;
        struct recording_count *bigger = realloc(r->counts, size * sizeof *bigger);
        if (!bigger)
            return -1;
        r->counts = bigger;
        r->counts_size = size;
    }
    snprintf(r->counts[n].space_id, sizeof r->counts[n].space_id, "%s", id);
    r->counts[n].count = count;
    return 0;
}

/* A later header: its time and each space's count.  Spaces without a usable
 * id or count are left out (they keep what the replay has). */
static enum recording_status decode_restart(struct recording *r, const struct wire_reader *rd,
                                            struct recording_entry *entry,
                                            struct wire_error *error)
{
    struct wire_reader site_reader;
    const json_t *spaces = NULL;
    if (read_version(rd, r, error) != 0 ||
        wire_read_time(rd, "started_at", WIRE_REQUIRED, 0, &entry->received_ms) != WIRE_OK ||
        wire_read_object(rd, "site", WIRE_REQUIRED, &site_reader) != WIRE_OK ||
        wire_read_array(&site_reader, "spaces", WIRE_REQUIRED, &spaces) != WIRE_OK)
        return RECORDING_BAD_LINE;
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(spaces); i++) {
        const json_t *space = json_array_get(spaces, i);
        const json_t *id = json_object_get(space, "id");
        const json_t *count = json_object_get(space, "current_count");
        if (!json_is_string(id) || strlen(json_string_value(id)) >= EVENT_ID_MAX ||
            !json_is_integer(count) || json_integer_value(count) < 0)
            continue;
        if (add_count(r, n, json_string_value(id), json_integer_value(count)) != 0) {
            wire_error_set(error, "%s:%zu: out of memory", r->name, r->line);
            return RECORDING_BAD_LINE;
        }
        n++;
    }
    entry->kind = RECORDING_RESTART;
    entry->counts = r->counts;
    entry->count_count = n;
    return RECORDING_ENTRY;
}

/* {"refresh":{"as_of":ISO,"counts":{"spc_...":N,...}}}: counts the client
 * re-fetched.  Ids or counts it could not have used are left out. */
static enum recording_status decode_refresh(struct recording *r, const struct wire_reader *rd,
                                            struct recording_entry *entry,
                                            struct wire_error *error)
{
    struct wire_reader refresh;
    if (wire_read_object(rd, "refresh", WIRE_REQUIRED, &refresh) != WIRE_OK ||
        wire_read_time(&refresh, "as_of", WIRE_REQUIRED, 0, &entry->as_of_ms) != WIRE_OK)
        return RECORDING_BAD_LINE;
    const json_t *counts = wire_reader_get(&refresh, "counts");
    if (!json_is_object(counts)) {
        wire_error_set(error, "%s:%zu: field \"refresh.counts\": expected an object", r->name,
                       r->line);
        return RECORDING_BAD_LINE;
    }
    size_t n = 0;
    const char *id;
    const json_t *count;
    json_object_foreach((json_t *)counts, id, count) {
        if (strlen(id) >= EVENT_ID_MAX || !json_is_integer(count) || json_integer_value(count) < 0)
            continue;
        if (add_count(r, n, id, json_integer_value(count)) != 0) {
            wire_error_set(error, "%s:%zu: out of memory", r->name, r->line);
            return RECORDING_BAD_LINE;
        }
        n++;
    }
    entry->kind = RECORDING_REFRESH;
    entry->counts = r->counts;
    entry->count_count = n;
    return RECORDING_ENTRY;
}

static enum recording_status decode_message(struct recording *r, const struct wire_reader *rd,
                                            struct recording_entry *entry,
                                            struct wire_error *error)
{
    if (wire_read_time(rd, "received_at", WIRE_REQUIRED, 0, &entry->received_ms) != WIRE_OK)
        return RECORDING_BAD_LINE;
    if (wire_reader_get(rd, "refresh"))
        return decode_refresh(r, rd, entry, error);
    bool connected = false;
    if (wire_read_bool(rd, "connected", WIRE_OPTIONAL, &connected) == WIRE_ERROR)
        return RECORDING_BAD_LINE;
    if (connected) {
        entry->kind = RECORDING_CONNECTED;
        return RECORDING_ENTRY;
    }
    bool malformed = false;
    if (wire_read_bool(rd, "malformed", WIRE_OPTIONAL, &malformed) == WIRE_ERROR)
        return RECORDING_BAD_LINE;
    if (malformed) {
        entry->kind = RECORDING_MALFORMED;
        entry->length = -1;
        return wire_read_int(rd, "length", WIRE_OPTIONAL, 0, INT64_MAX, &entry->length) ==
                       WIRE_ERROR
                   ? RECORDING_BAD_LINE
                   : RECORDING_ENTRY;
    }
    const json_t *message = wire_reader_get(rd, "message");
    if (!message) {
        wire_error_set(error, "%s:%zu: neither a \"message\" nor \"malformed\": true", r->name,
                       r->line);
        return RECORDING_BAD_LINE;
    }
    int kind = wire_decode_stream_message_json(message, &entry->message, error);
    if (kind < 0) {
        wire_error_prefix(error, "%s:%zu", r->name, r->line);
        return RECORDING_BAD_LINE;
    }
    entry->kind = kind == WIRE_STREAM_COUNT ? RECORDING_MESSAGE : RECORDING_OTHER;
    return RECORDING_ENTRY;
}

static enum recording_status decode_entry(struct recording *r, struct recording_entry *entry,
                                          struct wire_error *error)
{
    json_t *json = parse_line(r, r->text, r->text_len, error);
    if (!json)
        return RECORDING_BAD_LINE;
    char label[WIRE_SAFE_SOURCE_SIZE + 32];
    line_label(r, label, sizeof label);
    struct wire_reader rd;
    enum recording_status status = RECORDING_BAD_LINE;
    if (wire_reader_open(&rd, json, label, error) == WIRE_OK)
        status = json_object_get(json, "occtop_recording") ? decode_restart(r, &rd, entry, error)
                                                            : decode_message(r, &rd, entry, error);
    json_decref(json);
    return status;
}

enum recording_status recording_next(struct recording *r, struct recording_entry *entry,
                                     struct wire_error *error)
{
    wire_error_clear(error);
    memset(entry, 0, sizeof *entry);
    for (;;) {
        if (r->finished)
            return r->read_errno ? RECORDING_FAILED : RECORDING_END;
        int got = read_line(r);
        if (got <= 0) {
            r->finished = true;
            if (got < 0)
                wire_error_set(error, "%s: cannot read: %s", r->name, strerror(r->read_errno));
            continue;
        }
        if (r->text_too_long) {
            wire_error_set(error, "%s:%zu: a line longer than 64 MiB, skipped", r->name, r->line);
            return RECORDING_BAD_LINE;
        }
        if (is_blank(r->text, r->text_len))
            continue;
        entry->line = r->line;
        return decode_entry(r, entry, error);
    }
}

/* --- playing into core/live -------------------------------------------------------------- */

void recording_start(const struct recording *r, struct live *live)
{
    live_set_connection(live, LIVE_REPLAY, r->started_ms);
    for (size_t i = 0; i < r->site->space_count; i++)
        live_refresh(live, (site_index)i, r->site->spaces[i].current_count, r->started_ms,
                     r->started_ms);
}

enum live_result recording_apply(const struct recording_entry *entry, const struct site *site,
                                 struct live *live)
{
    switch (entry->kind) {
    case RECORDING_MESSAGE:
        return live_apply(live, &entry->message.payload, entry->received_ms);
    case RECORDING_MALFORMED:
        live_count_malformed(live);
        break;
    case RECORDING_RESTART:
        /* As the client did on connecting: forget the old server's ids and
         * times, then take the counts it loaded. */
        live_new_connection(live);
        for (size_t i = 0; i < entry->count_count; i++) {
            site_index space = site_find_space(site, entry->counts[i].space_id);
            if (space != SITE_NONE)
                live_refresh(live, space, entry->counts[i].count, entry->received_ms,
                             entry->received_ms);
        }
        break;
    case RECORDING_CONNECTED:
        live_new_connection(live);
        break;
    case RECORDING_REFRESH:
        for (size_t i = 0; i < entry->count_count; i++) {
            site_index space = site_find_space(site, entry->counts[i].space_id);
            if (space != SITE_NONE)
                live_refresh(live, space, entry->counts[i].count, entry->as_of_ms,
                             entry->received_ms);
        }
        break;
    case RECORDING_OTHER:
        break;
    }
    return LIVE_APPLIED;
}
