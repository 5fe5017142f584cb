/* eventlog.c — a ring of events with a chain per key; see eventlog.h. */
#include "core/eventlog.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/termtext.h"

#define NO_SEQ UINT64_MAX
#define INITIAL_SLOTS 1024

enum id_kind {
    ID_NONE = 0,
    ID_NUMBER, /* "evt_<number>" */
    ID_TEXT,   /* anything else, copied */
};

struct entry {
    int64_t timestamp_ms;
    int64_t chain_latest; /* the latest timestamp of this entry and the older ones of its key */
    uint64_t prev;        /* sequence of the previous entry of the same key, or NO_SEQ */
    union {
        uint64_t number;
        char *text;
    } id;
    int32_t key;
    int32_t doorway;
    int32_t sensor;
    int8_t value;
    uint8_t id_kind;
};

struct eventlog {
    struct entry *slots; /* entry of sequence s is at slots[s % slot_count] */
    size_t slot_count;   /* grows by doubling up to capacity */
    size_t capacity;
    uint64_t next_seq;   /* sequence of the next entry added */
    size_t size;         /* entries alive: sequences [next_seq - size, next_seq) */
    uint64_t *heads;     /* newest sequence of each key, or NO_SEQ */
    size_t head_count;
};

/* --- ids ----------------------------------------------------------------------------- */

static const char number_prefix[] = "evt_";
#define NUMBER_PREFIX_LENGTH (sizeof number_prefix - 1)

/* True when id is exactly "evt_" and the canonical decimal form of a uint64
 * (no sign, no leading zero but for "0"), so that writing the number back
 * gives the same text. */
static bool parse_number_id(const char *id, uint64_t *out)
{
    if (strncmp(id, number_prefix, NUMBER_PREFIX_LENGTH) != 0)
        return false;
    const char *digits = id + NUMBER_PREFIX_LENGTH;
    if (digits[0] < '0' || digits[0] > '9' || (digits[0] == '0' && digits[1] != '\0'))
        return false;
    uint64_t value = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

static void write_number_id(uint64_t number, char *out, size_t out_size)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + number % 10);
        number /= 10;
    } while (number != 0);
    size_t at = 0;
    for (size_t i = 0; i < NUMBER_PREFIX_LENGTH && at + 1 < out_size; i++)
        out[at++] = number_prefix[i];
    while (n > 0 && at + 1 < out_size)
        out[at++] = digits[--n];
    out[at] = '\0';
}

static void entry_release(struct entry *e)
{
    if (e->id_kind == ID_TEXT)
        free(e->id.text);
    e->id_kind = ID_NONE;
}

/* Sets the entry's id; false when a copy could not be allocated. */
static bool entry_set_id(struct entry *e, const char *id)
{
    e->id_kind = ID_NONE;
    if (!id || id[0] == '\0')
        return true;
    uint64_t number;
    if (parse_number_id(id, &number)) {
        e->id_kind = ID_NUMBER;
        e->id.number = number;
        return true;
    }
    size_t len = strnlen(id, EVENTLOG_ID_MAX - 1);
    char *copy = malloc(len + 1);
    if (!copy)
        return false;
    termtext_copy(copy, len + 1, id);
    e->id_kind = ID_TEXT;
    e->id.text = copy;
    return true;
}

/* --- the ring ------------------------------------------------------------------------ */

struct eventlog *eventlog_new(size_t capacity)
{
    struct eventlog *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->capacity = capacity < 1 ? 1 : capacity;
    if (log->capacity > SIZE_MAX / sizeof *log->slots)
        log->capacity = SIZE_MAX / sizeof *log->slots;
    log->slot_count = log->capacity < INITIAL_SLOTS ? log->capacity : INITIAL_SLOTS;
    log->slots = calloc(log->slot_count, sizeof *log->slots);
    if (!log->slots) {
        free(log);
        return NULL;
    }
    return log;
}

static struct entry *slot_of(const struct eventlog *log, uint64_t seq)
{
    return &log->slots[seq % log->slot_count];
}

static bool alive(const struct eventlog *log, uint64_t seq)
{
    return seq != NO_SEQ && seq < log->next_seq && log->next_seq - seq <= log->size;
}

void eventlog_free(struct eventlog *log)
{
    if (!log)
        return;
    for (uint64_t seq = log->next_seq - log->size; seq < log->next_seq; seq++)
        entry_release(slot_of(log, seq));
    free(log->slots);
    free(log->heads);
    free(log);
}

size_t eventlog_size(const struct eventlog *log)
{
    return log->size;
}

uint64_t eventlog_dropped(const struct eventlog *log)
{
    return log->next_seq - log->size;
}

/* Doubles the ring (up to capacity) when it is full.  The ring only grows
 * while it has never wrapped (it grows each time it fills, until it reaches
 * capacity), so the live sequences are 0 .. size - 1 and keep their slots: a
 * plain realloc is enough (new slots are written before they are read).
 * Returns false only when out of memory; a ring at capacity stays as it is. */
static bool grow_slots(struct eventlog *log)
{
    if (log->size < log->slot_count || log->slot_count >= log->capacity)
        return true;
    size_t count = log->slot_count > log->capacity / 2 ? log->capacity : log->slot_count * 2;
    struct entry *slots = realloc(log->slots, count * sizeof *slots);
    if (!slots)
        return false;
    log->slots = slots;
    log->slot_count = count;
    return true;
}

/* New keys start with no entries. */
static bool grow_heads(struct eventlog *log, int32_t key)
{
    size_t old = log->head_count;
    if (grow_reserve((void **)&log->heads, &log->head_count, (size_t)key + 1,
                     sizeof *log->heads) != 0)
        return false;
    for (size_t i = old; i < log->head_count; i++)
        log->heads[i] = NO_SEQ;
    return true;
}

int eventlog_add(struct eventlog *log, const struct eventlog_record *record, const char *id)
{
    if (record->key < 0 || record->key >= EVENTLOG_MAX_KEYS)
        return -1;
    if (!grow_heads(log, record->key) || !grow_slots(log))
        return -1;
    struct entry fresh = {
        .timestamp_ms = record->timestamp_ms,
        .chain_latest = record->timestamp_ms,
        .prev = log->heads[record->key],
        .key = record->key,
        .doorway = record->doorway,
        .sensor = record->sensor,
        .value = (int8_t)(record->value < 0 ? -1 : 1),
    };
    if (!entry_set_id(&fresh, id))
        return -1;
    if (alive(log, fresh.prev)) {
        int64_t older = slot_of(log, fresh.prev)->chain_latest;
        if (older > fresh.chain_latest)
            fresh.chain_latest = older;
    } else {
        fresh.prev = NO_SEQ;
    }
    /* The slot is the oldest entry's when the ring is full: it goes now. */
    struct entry *slot = slot_of(log, log->next_seq);
    if (log->size == log->slot_count) {
        entry_release(slot);
        log->size--;
    }
    *slot = fresh;
    log->heads[record->key] = log->next_seq;
    log->next_seq++;
    log->size++;
    return 0;
}

/* --- queries ------------------------------------------------------------------------- */

void eventlog_matches_init(struct eventlog_matches *matches)
{
    matches->items = NULL;
    matches->count = 0;
}

void eventlog_matches_clear(struct eventlog_matches *matches)
{
    free(matches->items);
    eventlog_matches_init(matches);
}

static int compare_matches(const void *a, const void *b)
{
    const struct eventlog_match *x = a, *y = b;
    if (x->timestamp_ms != y->timestamp_ms)
        return x->timestamp_ms < y->timestamp_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void reverse(struct eventlog_match *items, size_t count)
{
    for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
        struct eventlog_match swap = items[i];
        items[i] = items[j - 1];
        items[j - 1] = swap;
    }
}

static bool sorted(const struct eventlog_match *items, size_t count)
{
    for (size_t i = 1; i < count; i++)
        if (compare_matches(&items[i - 1], &items[i]) > 0)
            return false;
    return true;
}

static bool wanted(const struct entry *e, const struct eventlog_query *query)
{
    return e->timestamp_ms >= query->start_ms && e->timestamp_ms < query->end_ms &&
           (!query->filter_doorway || e->doorway == query->doorway);
}

/* The walk visits the key's entries from the newest, so matches come out in
 * reverse order of arrival; they are stored as they come and put in order
 * afterwards (a sort only when late events broke time order). */
int eventlog_query(const struct eventlog *log, const struct eventlog_query *query,
                   struct eventlog_matches *matches)
{
    eventlog_matches_clear(matches);
    if (query->key < 0 || (size_t)query->key >= log->head_count ||
        query->end_ms <= query->start_ms)
        return 0;
    size_t room = 0; /* of matches->items */
    for (uint64_t seq = log->heads[query->key]; alive(log, seq);) {
        const struct entry *e = slot_of(log, seq);
        if (e->chain_latest < query->start_ms)
            break;
        if (wanted(e, query)) {
            if (grow_reserve((void **)&matches->items, &room, matches->count + 1,
                             sizeof *matches->items) != 0) {
                eventlog_matches_clear(matches);
                return -1;
            }
            matches->items[matches->count++] = (struct eventlog_match){ e->timestamp_ms, seq };
        }
        seq = e->prev;
    }
    reverse(matches->items, matches->count);
    if (!sorted(matches->items, matches->count))
        qsort(matches->items, matches->count, sizeof *matches->items, compare_matches);
    if (query->descending)
        reverse(matches->items, matches->count);
    return 0;
}

bool eventlog_get(const struct eventlog *log, uint64_t seq, struct eventlog_record *out,
                  char *id, size_t id_size)
{
    if (!alive(log, seq))
        return false;
    const struct entry *e = slot_of(log, seq);
    out->timestamp_ms = e->timestamp_ms;
    out->key = e->key;
    out->doorway = e->doorway;
    out->sensor = e->sensor;
    out->value = e->value;
    if (id && id_size > 0) {
        if (e->id_kind == ID_NUMBER)
            write_number_id(e->id.number, id, id_size);
        else if (e->id_kind == ID_TEXT)
            termtext_copy(id, id_size, e->id.text);
        else
            id[0] = '\0';
    }
    return true;
}
