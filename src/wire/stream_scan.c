/* stream_scan.c — the websocket count message read in one pass, or not at all.
 *
 * The grammar is jansson's (load.c) restricted to what is cheap to be sure
 * of; each place that stops short says what jansson would do there.  The
 * fields are then checked as wire_decode_stream_message_json() checks them,
 * but every check that would fail gives up instead of failing: only jansson
 * writes error messages. */
#include "wire/stream_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/timefmt.h"

/* Unknown values nested deeper than this are left to jansson (its own limit
 * is 2048 levels; ours only bounds the recursion). */
#define SCAN_MAX_DEPTH 16

/* Longer timestamp text is left to jansson and timefmt (the API writes 24
 * bytes; extra fraction digits are legal but rare). */
#define SCAN_TIME_MAX 64

struct scanner {
    const char *at;
    const char *end;
};

enum value_kind {
    VALUE_MISSING = 0, /* the key was not seen */
    VALUE_NULL,
    VALUE_STRING,      /* text/len: the bytes between the quotes, no escapes */
    VALUE_INTEGER,     /* integer */
    VALUE_OBJECT,      /* read with the key's own shape */
    VALUE_OTHER,       /* valid JSON of another type: true, false, an object, an array */
};

struct value {
    enum value_kind kind;
    const char *text;
    size_t len;
    int64_t integer;
};

struct key {
    const char *name;
    size_t len;
};

/* The keys of one object that are read; the others are skipped.  `nested`
 * names the key whose object value is read with `child` (-1: none). */
struct shape {
    const struct key *keys;
    int count;
    struct value *values;
    int nested;
    struct shape *child;
};

/* --- tokens --------------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next byte after whitespace, or -1 at the end.  Compact JSON (what
 * servers send) has none, hence the test before the loop. */
static inline int peek(struct scanner *s)
{
    if (s->at < s->end && !is_space(*s->at))
        return (unsigned char)*s->at;
    while (s->at < s->end && is_space(*s->at))
        s->at++;
    return s->at < s->end ? (unsigned char)*s->at : -1;
}

/* Steps over `c` if it comes next (after whitespace). */
static inline bool take(struct scanner *s, char c)
{
    if (peek(s) != (unsigned char)c)
        return false;
    s->at++;
    return true;
}

/* The bytes of 8 (loaded little-end first) that end or complicate a
 * string: '"', '\\', a control byte, a byte >= 0x80; each marked by its
 * high bit.  These are the classic "has a zero byte" tests: they never miss
 * one, and the lowest mark is always a real one (a false mark can only come
 * from a borrow out of a real one below it). */
static uint64_t special_bytes(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
            ((w - ones * 0x20) & ~w) | w) & highs;
}

/* How many bytes from p are plain string bytes, looking 8 at a time while
 * 8 are left; stops at the first byte that is not, or short of the end. */
static size_t plain_run(const char *p, const char *end)
{
    const char *q = p;
    while (end - q >= 8) {
        uint64_t word;
        memcpy(&word, q, sizeof word);
        uint64_t special = special_bytes(word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (special)
            return (size_t)(q - p) + (size_t)(__builtin_ctzll(special) / 8);
#else
        if (special)
            break;
#endif
        q += 8;
    }
    return (size_t)(q - p);
}

/* A string at s->at (its opening quote).  Printable ASCII only: an escape
 * would need decoding (and jansson refuses \u0000 and lone surrogates), a
 * byte >= 0x80 would need jansson's UTF-8 check, and a control byte is an
 * error; all three are left to jansson.  Ids and timestamps are most of a
 * message, hence plain_run(). */
static bool scan_string(struct scanner *s, const char **text, size_t *len)
{
    const char *start = s->at + 1;
    for (const char *p = start + plain_run(start, s->end); p < s->end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *text = start;
            *len = (size_t)(p - start);
            s->at = p + 1;
            return true;
        }
        if (c < 0x20 || c >= 0x80 || c == '\\')
            return false;
    }
    return false; /* cut short: no closing quote */
}

/* -?(0|[1-9][0-9]*) within int64, as jansson reads integers (strtoll).  A
 * fraction or exponent makes a real number (jansson: strtod, and an
 * overflow is an error), a leading zero is an invalid token, a larger
 * magnitude is "too big integer": all left to jansson. */
static bool scan_integer(struct scanner *s, int64_t *out)
{
    const char *p = s->at;
    bool negative = p < s->end && *p == '-';
    if (negative)
        p++;
    if (p >= s->end || *p < '0' || *p > '9')
        return false;
    const uint64_t limit = (uint64_t)INT64_MAX + 1; /* the magnitude of INT64_MIN */
    uint64_t magnitude = 0;
    if (*p == '0') {
        p++;
    } else {
        for (; p < s->end && *p >= '0' && *p <= '9'; p++) {
            unsigned digit = (unsigned)(*p - '0');
            if (magnitude > (limit - digit) / 10)
                return false;
            magnitude = magnitude * 10 + digit;
        }
    }
    if (p < s->end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E'))
        return false;
    if (!negative && magnitude == limit)
        return false;
    if (negative)
        *out = magnitude == limit ? INT64_MIN : -(int64_t)magnitude;
    else
        *out = (int64_t)magnitude;
    s->at = p;
    return true;
}

/* true, false or null.  What follows is checked by the caller, which
 * expects ',' or a closing bracket: "nullx" fails there, as in jansson. */
static bool scan_word(struct scanner *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->at) < n || memcmp(s->at, word, n) != 0)
        return false;
    s->at += n;
    return true;
}

/* --- values ------------------------------------------------------------------------ */

static bool scan_value(struct scanner *s, int depth, struct value *v);

/* Which of shape's keys `key` is, or -1.  The keys of one shape differ in
 * their length or first byte, so at most one is compared in full. */
static int find_key(const struct shape *shape, const char *key, size_t key_len)
{
    for (int i = 0; shape && i < shape->count; i++) {
        const struct key *k = &shape->keys[i];
        if (k->len == key_len && k->name[0] == key[0]) {
            size_t n = 1;
            while (n < key_len && k->name[n] == key[n])
                n++;
            return n == key_len ? i : -1;
        }
    }
    return -1;
}

/* The members of an object after its '{', up to and with its '}'.  A key
 * of `shape` seen twice gives up: jansson keeps the last, and working out
 * which one counts is not worth it here. */
static bool scan_members(struct scanner *s, int depth, struct shape *shape)
{
    if (depth > SCAN_MAX_DEPTH)
        return false;
    if (take(s, '}'))
        return true;
    do {
        const char *key;
        size_t key_len;
        struct value ignored;
        if (peek(s) != '"' || !scan_string(s, &key, &key_len) || !take(s, ':'))
            return false;
        int index = find_key(shape, key, key_len);
        struct value *v = index >= 0 ? &shape->values[index] : &ignored;
        if (index >= 0 && v->kind != VALUE_MISSING)
            return false;
        if (index >= 0 && index == shape->nested && peek(s) == '{') {
            s->at++;
            v->kind = VALUE_OBJECT;
            if (!scan_members(s, depth + 1, shape->child))
                return false;
        } else if (!scan_value(s, depth + 1, v)) {
            return false;
        }
    } while (take(s, ','));
    return take(s, '}');
}

/* The elements of an array after its '[', up to and with its ']'. */
static bool scan_elements(struct scanner *s, int depth)
{
    if (depth > SCAN_MAX_DEPTH)
        return false;
    if (take(s, ']'))
        return true;
    do {
        struct value ignored;
        if (!scan_value(s, depth + 1, &ignored))
            return false;
    } while (take(s, ','));
    return take(s, ']');
}

static bool scan_value(struct scanner *s, int depth, struct value *v)
{
    switch (peek(s)) {
    case '"':
        v->kind = VALUE_STRING;
        return scan_string(s, &v->text, &v->len);
    case '{':
        s->at++;
        v->kind = VALUE_OTHER;
        return scan_members(s, depth, NULL);
    case '[':
        s->at++;
        v->kind = VALUE_OTHER;
        return scan_elements(s, depth);
    case 't':
        v->kind = VALUE_OTHER;
        return scan_word(s, "true");
    case 'f':
        v->kind = VALUE_OTHER;
        return scan_word(s, "false");
    case 'n':
        v->kind = VALUE_NULL;
        return scan_word(s, "null");
    default:
        v->kind = VALUE_INTEGER;
        return scan_integer(s, &v->integer);
    }
}

/* --- fields ------------------------------------------------------------------------- */

/* wire_read_id(): a string that fits out_size with its NUL, or (when
 * `required` is false) missing or null, read as "".  out is already zeroed. */
static bool read_id(const struct value *v, bool required, char *out, size_t out_size)
{
    if (v->kind == VALUE_MISSING || v->kind == VALUE_NULL)
        return !required;
    if (v->kind != VALUE_STRING || v->len >= out_size)
        return false;
    memcpy(out, v->text, v->len);
    out[v->len] = '\0';
    return true;
}

/* wire_read_time() with no timefmt flags. */
static bool read_time(const struct value *v, int64_t *out_ms)
{
    char text[SCAN_TIME_MAX];
    if (v->kind != VALUE_STRING || v->len >= sizeof text)
        return false;
    memcpy(text, v->text, v->len);
    text[v->len] = '\0';
    return timefmt_parse(text, out_ms, 0);
}

enum { ROOT_PAYLOAD, ROOT_REQUEST_ID, ROOT_VERSION, ROOT_KEYS };
enum {
    PAYLOAD_COUNT,
    PAYLOAD_DIRECTION,
    PAYLOAD_DOORWAY_ID,
    PAYLOAD_EVENT_ID,
    PAYLOAD_SPACE_ID,
    PAYLOAD_TIMESTAMP,
    PAYLOAD_TYPE,
    PAYLOAD_KEYS
};

/* No two keys of one table have both the same length and first byte
 * (find_key() relies on it). */
#define KEY(name) { name, sizeof name - 1 }
static const struct key root_keys[ROOT_KEYS] = { KEY("payload"), KEY("request_id"),
                                                 KEY("version") };
static const struct key payload_keys[PAYLOAD_KEYS] = {
    KEY("count"), KEY("direction"), KEY("doorway_id"), KEY("event_id"),
    KEY("space_id"), KEY("timestamp"), KEY("type"),
};

/* read_stream_payload() of json_stream.c, for a "count" message. */
static bool read_count_payload(const struct value *p, struct space_event *out)
{
    const struct value *count = &p[PAYLOAD_COUNT], *direction = &p[PAYLOAD_DIRECTION];
    if (count->kind != VALUE_INTEGER || count->integer < 0 || direction->kind != VALUE_INTEGER ||
        (direction->integer != 1 && direction->integer != -1))
        return false;
    out->count = count->integer;
    out->direction = (int)direction->integer;
    if (!read_id(&p[PAYLOAD_EVENT_ID], false, out->id, sizeof out->id) ||
        !read_id(&p[PAYLOAD_DOORWAY_ID], false, out->doorway_id, sizeof out->doorway_id) ||
        !read_id(&p[PAYLOAD_SPACE_ID], true, out->space_id, sizeof out->space_id) ||
        out->space_id[0] == '\0' || !read_time(&p[PAYLOAD_TIMESTAMP], &out->timestamp_ms))
        return false;
    out->count_present = true;
    return true;
}

int stream_scan_message(const char *text, size_t len, struct stream_message *out)
{
    if (!text || len == 0)
        return STREAM_SCAN_UNSURE;
    struct value root[ROOT_KEYS], payload[PAYLOAD_KEYS];
    for (int i = 0; i < ROOT_KEYS; i++)
        root[i].kind = VALUE_MISSING;
    for (int i = 0; i < PAYLOAD_KEYS; i++)
        payload[i].kind = VALUE_MISSING;
    struct shape payload_shape = { payload_keys, PAYLOAD_KEYS, payload, -1, NULL };
    struct shape root_shape = { root_keys, ROOT_KEYS, root, ROOT_PAYLOAD, &payload_shape };
    struct scanner s = { text, text + len };
    /* jansson's top level: one object (an array is valid JSON, but not a
     * message), then only whitespace. */
    if (!take(&s, '{') || !scan_members(&s, 0, &root_shape) || peek(&s) != -1)
        return STREAM_SCAN_UNSURE;

    memset(out, 0, sizeof *out);
    if (root[ROOT_PAYLOAD].kind != VALUE_OBJECT ||
        !read_id(&payload[PAYLOAD_TYPE], true, out->type, sizeof out->type) ||
        !read_id(&root[ROOT_REQUEST_ID], false, out->request_id, sizeof out->request_id) ||
        !read_id(&root[ROOT_VERSION], false, out->version, sizeof out->version))
        return STREAM_SCAN_UNSURE;
    if (strcmp(out->type, "count") != 0)
        return WIRE_STREAM_OTHER;
    return read_count_payload(payload, &out->payload) ? WIRE_STREAM_COUNT : STREAM_SCAN_UNSURE;
}
