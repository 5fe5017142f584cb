/* segments.c — time segments: time of day, the collection, and spaces. */
#include "core/segments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

enum { SECONDS_PER_DAY = 86400 };

static const char *const day_names[7] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday" };
static const char *const day_short[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* --- time ----------------------------------------------------------------- */

uint8_t segment_day_parse(const char *name)
{
    for (int d = 0; name && d < 7; d++)
        if (strcmp(name, day_names[d]) == 0)
            return (uint8_t)(1u << d);
    return 0;
}

const char *segment_day_name(int day)
{
    return day >= 0 && day < 7 ? day_names[day] : NULL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void segment_local_clock(const struct tz_zone *zone, int64_t ms, int32_t *second_of_day,
                         int *weekday)
{
    int64_t utc = floor_div(ms, 1000);
    int64_t local = utc + tz_offset_at(zone, utc);
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    if (second_of_day)
        *second_of_day = (int32_t)(local - days * SECONDS_PER_DAY);
    if (weekday) /* 1970-01-01 was a Thursday (3 when Monday is 0) */
        *weekday = (int)(((days + 3) % 7 + 7) % 7);
}

static int32_t clamp_second(int32_t second)
{
    return second < 0 ? 0 : second >= SECONDS_PER_DAY ? SECONDS_PER_DAY - 1 : second;
}

bool segment_contains(const struct time_segment *t, const struct tz_zone *zone, int64_t ms)
{
    if (!t || (t->days & SEGMENT_ALL_DAYS) == 0)
        return false;
    int32_t now;
    int day;
    segment_local_clock(zone, ms, &now, &day);
    bool today = (t->days >> day) & 1u;
    bool yesterday = (t->days >> ((day + 6) % 7)) & 1u;
    int32_t start = clamp_second(t->start_second), end = clamp_second(t->end_second);
    if (start < end)
        return today && now >= start && now < end;
    /* Spans midnight (end == start: 24 hours): started today or yesterday. */
    return (today && now >= start) || (yesterday && now < end);
}

void segment_days_text(uint8_t days, char *out, size_t out_size)
{
    if (out_size == 0)
        return;
    out[0] = '\0';
    days &= SEGMENT_ALL_DAYS;
    if (days == 0) {
        snprintf(out, out_size, "no days");
        return;
    }
    if (days == SEGMENT_ALL_DAYS) {
        snprintf(out, out_size, "every day");
        return;
    }
    size_t used = 0;
    for (int d = 0; d < 7 && used + 1 < out_size;) {
        if (!((days >> d) & 1u)) {
            d++;
            continue;
        }
        int last = d;
        while (last + 1 < 7 && ((days >> (last + 1)) & 1u))
            last++;
        int n;
        if (last - d >= 2)
            n = snprintf(out + used, out_size - used, "%s%s-%s", used ? ", " : "", day_short[d],
                         day_short[last]);
        else if (last > d)
            n = snprintf(out + used, out_size - used, "%s%s, %s", used ? ", " : "", day_short[d],
                         day_short[last]);
        else
            n = snprintf(out + used, out_size - used, "%s%s", used ? ", " : "", day_short[d]);
        if (n < 0 || (size_t)n >= out_size - used)
            return;
        used += (size_t)n;
        d = last + 1;
    }
}

static void clock_text(int32_t second, char *out, size_t out_size)
{
    second = clamp_second(second);
    if (second % 60)
        snprintf(out, out_size, "%02d:%02d:%02d", (int)(second / 3600), (int)(second / 60 % 60),
                 (int)(second % 60));
    else
        snprintf(out, out_size, "%02d:%02d", (int)(second / 3600), (int)(second / 60 % 60));
}

void segment_times_text(const struct time_segment *t, char *out, size_t out_size)
{
    if (out_size == 0)
        return;
    if (t->start_second == 0 && t->end_second == 0) {
        snprintf(out, out_size, "all day");
        return;
    }
    char start[16], end[16];
    clock_text(t->start_second, start, sizeof start);
    clock_text(t->end_second, end, sizeof end);
    snprintf(out, out_size, "%s-%s", start, end);
}

/* --- the collection ------------------------------------------------------- */

struct segments *segments_new(void)
{
    return calloc(1, sizeof(struct segments));
}

void segment_init(struct segment *s)
{
    memset(s, 0, sizeof *s);
}

void segment_clear(struct segment *s)
{
    free(s->time.id);
    free(s->time.name);
    string_list_clear(&s->space_ids);
    segment_init(s);
}

void segment_group_clear(struct segment_group *g)
{
    free(g->id);
    free(g->name);
    string_list_clear(&g->segment_ids);
    memset(g, 0, sizeof *g);
}

void segments_free(struct segments *segments)
{
    if (!segments)
        return;
    for (size_t i = 0; i < segments->count; i++)
        segment_clear(&segments->items[i]);
    for (size_t i = 0; i < segments->group_count; i++)
        segment_group_clear(&segments->groups[i]);
    free(segments->items);
    free(segments->groups);
    free(segments);
}

void segments_note_id(struct segments *segments, const char *id)
{
    if (!segments || !id)
        return;
    if (strncmp(id, SEGMENT_ID_PREFIX, 4) != 0 && strncmp(id, SEGMENT_GROUP_ID_PREFIX, 4) != 0)
        return;
    const char *digits = id + 4;
    uint64_t n = 0;
    size_t k = 0;
    for (; digits[k]; k++) {
        if (digits[k] < '0' || digits[k] > '9')
            return;
        unsigned d = (unsigned)(digits[k] - '0');
        if (n > (UINT64_MAX - 1 - d) / 10)
            return; /* too large to count past: new ids cannot collide with it */
        n = n * 10 + d;
    }
    if (k > 0 && n > segments->last_number)
        segments->last_number = n;
}

/* New numbers have 18 digits at least, as the API's ids do. */
#define FIRST_NUMBER UINT64_C(100000000000000000)

void segments_new_id(struct segments *segments, bool group, char out[SEGMENT_ID_SIZE])
{
    if (segments->last_number < FIRST_NUMBER)
        segments->last_number = FIRST_NUMBER;
    if (segments->last_number < UINT64_MAX - 1)
        segments->last_number++;
    snprintf(out, SEGMENT_ID_SIZE, "%s%llu", group ? SEGMENT_GROUP_ID_PREFIX : SEGMENT_ID_PREFIX,
             (unsigned long long)segments->last_number);
}

int segments_take(struct segments *segments, struct segment *segment)
{
    if (grow_reserve((void **)&segments->items, &segments->room, segments->count + 1,
                     sizeof *segments->items) != 0) {
        segment_clear(segment);
        return -1;
    }
    segments_note_id(segments, segment->time.id);
    segments->items[segments->count++] = *segment;
    segment_init(segment);
    return 0;
}

int segments_take_group(struct segments *segments, struct segment_group *group)
{
    if (grow_reserve((void **)&segments->groups, &segments->group_room,
                     segments->group_count + 1, sizeof *segments->groups) != 0) {
        segment_group_clear(group);
        return -1;
    }
    segments_note_id(segments, group->id);
    segments->groups[segments->group_count++] = *group;
    memset(group, 0, sizeof *group);
    return 0;
}

size_t segments_find(const struct segments *segments, const char *id)
{
    for (size_t i = 0; segments && id && i < segments->count; i++)
        if (segments->items[i].time.id && strcmp(segments->items[i].time.id, id) == 0)
            return i;
    return SEGMENTS_NONE;
}

size_t segments_find_group(const struct segments *segments, const char *id)
{
    for (size_t i = 0; segments && id && i < segments->group_count; i++)
        if (segments->groups[i].id && strcmp(segments->groups[i].id, id) == 0)
            return i;
    return SEGMENTS_NONE;
}

size_t segments_find_group_named(const struct segments *segments, const char *name)
{
    for (size_t i = 0; segments && name && i < segments->group_count; i++)
        if (segments->groups[i].name && strcmp(segments->groups[i].name, name) == 0)
            return i;
    return SEGMENTS_NONE;
}

static void remove_group(struct segments *segments, size_t index)
{
    segment_group_clear(&segments->groups[index]);
    memmove(&segments->groups[index], &segments->groups[index + 1],
            (segments->group_count - index - 1) * sizeof *segments->groups);
    segments->group_count--;
}

/* Whether to keep `item`, given the items kept before it (kept[0..n)). */
typedef bool (*keep_fn)(const void *context, const char *item, char *const *kept, size_t n);

/* Keeps the items of `list` for which keep() says so, in order. */
static void filter_list(struct string_list *list, keep_fn keep, const void *context)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (keep(context, list->items[i], list->items, kept)) {
            list->items[kept++] = list->items[i];
        } else {
            free(list->items[i]);
        }
    }
    list->count = kept;
    if (kept == 0) {
        free(list->items);
        list->items = NULL;
    }
}

static bool known_and_first(const void *context, const char *item, char *const *kept, size_t n)
{
    if (segments_find(context, item) == SEGMENTS_NONE)
        return false;
    for (size_t j = 0; j < n; j++)
        if (strcmp(kept[j], item) == 0)
            return false;
    return true;
}

void segments_tidy(struct segments *segments)
{
    if (!segments)
        return;
    for (size_t g = segments->group_count; g-- > 0;) {
        filter_list(&segments->groups[g].segment_ids, known_and_first, segments);
        if (segments->groups[g].segment_ids.count == 0)
            remove_group(segments, g);
    }
}

void segments_remove(struct segments *segments, size_t index)
{
    if (!segments || index >= segments->count)
        return;
    segment_clear(&segments->items[index]);
    memmove(&segments->items[index], &segments->items[index + 1],
            (segments->count - index - 1) * sizeof *segments->items);
    segments->count--;
    segments_tidy(segments);
}

/* --- from the spaces' own lists ------------------------------------------- */

static bool lists_segment(const struct space *s, const char *id)
{
    for (size_t k = 0; k < s->time_segment_count; k++)
        if (s->time_segments[k].id && strcmp(s->time_segments[k].id, id) == 0)
            return true;
    return false;
}

static bool ancestor_lists(const struct site *site, site_index space, const char *id)
{
    size_t steps = 0;
    for (site_index p = site->spaces[space].parent;
         p >= 0 && (size_t)p < site->space_count && steps < site->space_count;
         p = site->spaces[p].parent, steps++)
        if (lists_segment(&site->spaces[p], id))
            return true;
    return false;
}

static bool usable_space(const struct site *site, size_t i)
{
    const struct space *s = &site->spaces[i];
    return s->id && !s->deleted && site_find_space(site, s->id) == (site_index)i;
}

static int add_nested_segment(struct segments *c, const struct time_segment *t)
{
    struct segment segment;
    segment_init(&segment);
    segment.time = *t;
    segment.time.id = strdup(t->id);
    segment.time.name = t->name ? strdup(t->name) : NULL;
    if (!segment.time.id || (t->name && !segment.time.name)) {
        segment_clear(&segment);
        return -1;
    }
    return segments_take(c, &segment);
}

static int link_nested(const struct site *site, struct segments *c)
{
    for (size_t i = 0; i < site->space_count; i++) {
        const struct space *s = &site->spaces[i];
        for (size_t k = 0; usable_space(site, i) && k < s->time_segment_count; k++) {
            const struct time_segment *t = &s->time_segments[k];
            if (!t->id)
                continue;
            size_t at = segments_find(c, t->id);
            if (at == SEGMENTS_NONE) {
                if (add_nested_segment(c, t) != 0)
                    return -1;
                at = c->count - 1;
            }
            if (ancestor_lists(site, (site_index)i, t->id) ||
                string_list_contains(&c->items[at].space_ids, s->id))
                continue;
            if (string_list_add(&c->items[at].space_ids, s->id) != 0)
                return -1;
        }
    }
    return 0;
}

/* Keeps the ids that the space (the context) lists itself. */
static bool listed_by(const void *context, const char *item, char *const *kept, size_t n)
{
    (void)kept;
    (void)n;
    return lists_segment(context, item);
}

static int guess_groups(const struct site *site, struct segments *c)
{
    for (size_t i = 0; i < site->space_count; i++) {
        const struct space *s = &site->spaces[i];
        for (size_t k = 0; usable_space(site, i) && k < s->time_segment_group_count; k++) {
            const struct named_ref *ref = &s->time_segment_groups[k];
            if (!ref->id)
                continue;
            size_t g = segments_find_group(c, ref->id);
            if (g != SEGMENTS_NONE) {
                filter_list(&c->groups[g].segment_ids, listed_by, s);
                continue;
            }
            struct segment_group group = { 0 };
            group.id = strdup(ref->id);
            group.name = strdup(ref->name ? ref->name : ref->id);
            bool ok = group.id && group.name;
            for (size_t t = 0; ok && t < s->time_segment_count; t++)
                if (s->time_segments[t].id)
                    ok = string_list_add(&group.segment_ids, s->time_segments[t].id) == 0;
            if (!ok) {
                segment_group_clear(&group);
                return -1;
            }
            if (segments_take_group(c, &group) != 0)
                return -1;
        }
    }
    return 0;
}

int segments_from_nested(const struct site *site, struct segments **out)
{
    *out = NULL;
    bool any = false;
    for (size_t i = 0; site && i < site->space_count && !any; i++)
        any = usable_space(site, i) && site->spaces[i].time_segment_count > 0;
    if (!any)
        return 0;
    struct segments *c = segments_new();
    if (!c || link_nested(site, c) != 0 || guess_groups(site, c) != 0) {
        segments_free(c);
        return -1;
    }
    segments_tidy(c);
    *out = c;
    return 0;
}

/* --- spaces --------------------------------------------------------------- */

/* Whether `ancestor` is a strict ancestor of `space`; the walk is bounded
 * in case the tree is not what site_link() left. */
static bool is_ancestor(const struct site *site, site_index ancestor, site_index space)
{
    size_t steps = 0;
    for (site_index p = site->spaces[space].parent; p != SITE_NONE && steps < site->space_count;
         p = site->spaces[p].parent, steps++) {
        if (p < 0 || (size_t)p >= site->space_count)
            return false;
        if (p == ancestor)
            return true;
    }
    return false;
}

enum segment_reach segments_reach(const struct segments *segments, size_t index,
                                  const struct site *site, site_index space)
{
    if (!segments || !site || index >= segments->count || space < 0 ||
        (size_t)space >= site->space_count)
        return SEGMENT_NOT;
    const struct string_list *ids = &segments->items[index].space_ids;
    enum segment_reach reach = SEGMENT_NOT;
    for (size_t k = 0; k < ids->count; k++) {
        site_index linked = site_find_space(site, ids->items[k]);
        if (linked == SITE_NONE)
            continue;
        if (linked == space)
            return SEGMENT_LINKED;
        if (reach == SEGMENT_NOT && is_ancestor(site, linked, space))
            reach = SEGMENT_INHERITED;
    }
    return reach;
}

size_t segments_for_space(const struct segments *segments, const struct site *site,
                          site_index space, size_t *out, enum segment_reach *reach, size_t room)
{
    size_t count = 0;
    for (size_t i = 0; segments && i < segments->count; i++) {
        enum segment_reach r = segments_reach(segments, i, site, space);
        if (r == SEGMENT_NOT)
            continue;
        if (count < room) {
            if (out)
                out[count] = i;
            if (reach)
                reach[count] = r;
        }
        count++;
    }
    return count;
}

bool segments_group_applies(const struct segments *segments, size_t index, const bool *applies)
{
    if (!segments || index >= segments->group_count || !applies)
        return false;
    const struct string_list *ids = &segments->groups[index].segment_ids;
    for (size_t k = 0; k < ids->count; k++) {
        size_t s = segments_find(segments, ids->items[k]);
        if (s != SEGMENTS_NONE && applies[s])
            return true;
    }
    return false;
}

size_t segments_current(const struct segments *segments, const struct site *site,
                        site_index space, const struct tz_zone *zone, int64_t ms, size_t *out,
                        size_t room)
{
    size_t count = 0;
    for (size_t i = 0; segments && i < segments->count; i++) {
        if (!segment_contains(&segments->items[i].time, zone, ms) ||
            segments_reach(segments, i, site, space) == SEGMENT_NOT)
            continue;
        if (out && count < room)
            out[count] = i;
        count++;
    }
    return count;
}

/* --- segments as a space carries them ------------------------------------- */

size_t segments_nested_for_space(const struct site *site, site_index space,
                                 const struct time_segment **out, size_t room)
{
    if (!site || space < 0 || (size_t)space >= site->space_count)
        return 0;
    size_t count = 0, steps = 0;
    for (site_index p = space; p != SITE_NONE && p >= 0 && (size_t)p < site->space_count &&
                               steps <= site->space_count;
         p = site->spaces[p].parent, steps++) {
        const struct space *s = &site->spaces[p];
        for (size_t k = 0; k < s->time_segment_count; k++) {
            const struct time_segment *t = &s->time_segments[k];
            bool seen = false;
            for (size_t j = 0; j < count && j < room && !seen; j++)
                seen = t->id && out[j]->id && strcmp(out[j]->id, t->id) == 0;
            if (seen)
                continue;
            if (count < room)
                out[count] = t;
            count++;
        }
    }
    return count;
}
