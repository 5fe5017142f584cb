/* alarm.c — the alarm list; see alarm.h.
 *
 * Entries live in one array in order of creation, so their ids ascend and
 * an entry is found by binary search on its id.  Each space remembers the
 * id of its entry (0 for none) and whether it was unsafe: the second is
 * kept apart from the list so that a dropped or acknowledged-and-removed
 * entry does not make a still-unsafe space look new and ring again.
 * Removal shifts the array (at most `capacity` entries, and only when an
 * alarm ends or is acknowledged, which is rare next to events). */
#include "core/alarm.h"

#include <stdlib.h>
#include <string.h>

#define NOT_FOUND SIZE_MAX

struct alarm_space {
    uint64_t entry_id; /* 0: no entry in the list */
    bool unsafe;       /* at the last observation */
};

struct alarm_list {
    struct alarm_space *spaces;
    size_t space_count;
    struct alarm_entry *entries; /* oldest first */
    size_t count, capacity;
    size_t unacknowledged;
    uint64_t next_id;
    uint64_t dropped;
};

struct alarm_list *alarm_new(size_t space_count, size_t capacity)
{
    struct alarm_list *list = calloc(1, sizeof *list);
    if (!list)
        return NULL;
    list->space_count = space_count;
    list->capacity = capacity ? capacity : 1;
    list->next_id = 1;
    list->spaces = calloc(space_count ? space_count : 1, sizeof *list->spaces);
    list->entries = calloc(list->capacity, sizeof *list->entries);
    if (!list->spaces || !list->entries) {
        alarm_free(list);
        return NULL;
    }
    return list;
}

int alarm_grow(struct alarm_list *list, size_t space_count)
{
    if (space_count <= list->space_count)
        return 0;
    struct alarm_space *grown = realloc(list->spaces, space_count * sizeof *grown);
    if (!grown)
        return -1;
    memset(&grown[list->space_count], 0, (space_count - list->space_count) * sizeof *grown);
    list->spaces = grown;
    list->space_count = space_count;
    return 0;
}

void alarm_free(struct alarm_list *list)
{
    if (!list)
        return;
    free(list->spaces);
    free(list->entries);
    free(list);
}

/* --- entries ---------------------------------------------------------------- */

static struct alarm_space *space_at(const struct alarm_list *list, site_index space)
{
    if (!list || space < 0 || (size_t)space >= list->space_count)
        return NULL;
    return &list->spaces[space];
}

/* Binary search: ids ascend along the array. */
static size_t find_entry(const struct alarm_list *list, uint64_t id)
{
    size_t low = 0, high = list->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (list->entries[mid].id < id)
            low = mid + 1;
        else
            high = mid;
    }
    return low < list->count && list->entries[low].id == id ? low : NOT_FOUND;
}

static struct alarm_entry *entry_of_space(const struct alarm_list *list,
                                          const struct alarm_space *s)
{
    if (!s || s->entry_id == 0)
        return NULL;
    size_t at = find_entry(list, s->entry_id);
    return at == NOT_FOUND ? NULL : &list->entries[at];
}

static bool has_ended(const struct alarm_entry *e)
{
    return e->ended_ms != ALARM_STILL_UNSAFE;
}

/* Unlinks the entry from its space (the space's unsafe flag stays). */
static void forget_entry(struct alarm_list *list, const struct alarm_entry *e)
{
    struct alarm_space *s = space_at(list, e->space);
    if (s && s->entry_id == e->id)
        s->entry_id = 0;
    if (!e->acknowledged)
        list->unacknowledged--;
}

static void remove_at(struct alarm_list *list, size_t at)
{
    forget_entry(list, &list->entries[at]);
    memmove(&list->entries[at], &list->entries[at + 1],
            (list->count - at - 1) * sizeof *list->entries);
    list->count--;
}

/* Which entry to drop from a full list: see alarm.h. */
static size_t drop_victim(const struct alarm_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->entries[i].acknowledged)
            return i;
    for (size_t i = 0; i < list->count; i++)
        if (has_ended(&list->entries[i]))
            return i;
    return 0;
}

static void begin_alarm(struct alarm_list *list, struct alarm_space *s, site_index space,
                        int64_t now_ms)
{
    if (list->count == list->capacity) {
        remove_at(list, drop_victim(list));
        list->dropped++;
    }
    struct alarm_entry *e = &list->entries[list->count++];
    *e = (struct alarm_entry){ .id = list->next_id++, .space = space, .began_ms = now_ms,
                               .ended_ms = ALARM_STILL_UNSAFE };
    s->entry_id = e->id;
    list->unacknowledged++;
}

/* --- observing --------------------------------------------------------------- */

static bool became_unsafe(struct alarm_list *list, struct alarm_space *s, site_index space,
                          int64_t now_ms)
{
    struct alarm_entry *e = entry_of_space(list, s);
    if (e && !e->acknowledged) {
        /* Still waiting for someone: reopen it, no second bell. */
        e->ended_ms = ALARM_STILL_UNSAFE;
        if (e->repeats < UINT32_MAX)
            e->repeats++;
        return false;
    }
    if (e) /* acknowledged ones leave when safe, so this is only defensive */
        remove_at(list, (size_t)(e - list->entries));
    begin_alarm(list, s, space, now_ms);
    return true;
}

static void became_safe(struct alarm_list *list, struct alarm_space *s, int64_t now_ms)
{
    struct alarm_entry *e = entry_of_space(list, s);
    if (!e)
        return;
    e->ended_ms = now_ms;
    if (e->acknowledged)
        remove_at(list, (size_t)(e - list->entries));
}

bool alarm_observe(struct alarm_list *list, site_index space, enum safe_state state,
                   int64_t now_ms)
{
    struct alarm_space *s = space_at(list, space);
    if (!s)
        return false;
    bool unsafe = state == SAFE_STATE_UNSAFE;
    if (unsafe == s->unsafe)
        return false;
    s->unsafe = unsafe;
    if (unsafe)
        return became_unsafe(list, s, space, now_ms);
    became_safe(list, s, now_ms);
    return false;
}

/* --- acknowledging ----------------------------------------------------------- */

bool alarm_acknowledge(struct alarm_list *list, uint64_t id)
{
    size_t at = find_entry(list, id);
    if (at == NOT_FOUND)
        return false;
    struct alarm_entry *e = &list->entries[at];
    if (!e->acknowledged) {
        e->acknowledged = true;
        list->unacknowledged--;
    }
    if (has_ended(e))
        remove_at(list, at);
    return true;
}

size_t alarm_acknowledge_all(struct alarm_list *list)
{
    size_t acknowledged = list->unacknowledged;
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        struct alarm_entry *e = &list->entries[i];
        e->acknowledged = true;
        if (has_ended(e)) {
            forget_entry(list, e); /* acknowledged now: the counter is fixed below */
            continue;
        }
        list->entries[kept++] = *e;
    }
    list->count = kept;
    list->unacknowledged = 0;
    return acknowledged;
}

/* --- queries ------------------------------------------------------------------- */

size_t alarm_count(const struct alarm_list *list)
{
    return list->count;
}

size_t alarm_unacknowledged(const struct alarm_list *list)
{
    return list->unacknowledged;
}

uint64_t alarm_dropped(const struct alarm_list *list)
{
    return list->dropped;
}

const struct alarm_entry *alarm_get(const struct alarm_list *list, size_t i)
{
    return i < list->count ? &list->entries[list->count - 1 - i] : NULL;
}

const struct alarm_entry *alarm_of_space(const struct alarm_list *list, site_index space)
{
    return entry_of_space(list, space_at(list, space));
}

bool alarm_space_unacknowledged(const struct alarm_list *list, site_index space)
{
    const struct alarm_entry *e = alarm_of_space(list, space);
    return e && !e->acknowledged;
}

bool alarm_space_unsafe(const struct alarm_list *list, site_index space)
{
    const struct alarm_space *s = space_at(list, space);
    return s && s->unsafe;
}
