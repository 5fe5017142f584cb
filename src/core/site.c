/* site.c — the object model, its indices, its tree and its validation. */
#include "core/site.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/grow.h"
#include "core/segments.h"
#include "core/termtext.h"

enum { DEFAULT_DAILY_RESET_MINUTE = 4 * 60 };

/* --- small helpers ------------------------------------------------------ */

static char *copy_string(const char *text)
{
    return text ? strdup(text) : NULL;
}

static void free_refs(struct named_ref *refs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(refs[i].id);
        free(refs[i].name);
    }
    free(refs);
}

/* --- string lists --------------------------------------------------------- */

void string_list_clear(struct string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

int string_list_add(struct string_list *list, const char *text)
{
    char *copy = strdup(text ? text : "");
    char **items = realloc(list->items, (list->count + 1) * sizeof *items);
    if (!copy || !items) {
        free(copy);
        if (items)
            list->items = items;
        return -1;
    }
    items[list->count++] = copy;
    list->items = items;
    return 0;
}

bool string_list_contains(const struct string_list *list, const char *text)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i], text) == 0)
            return true;
    return false;
}

/* --- objects -------------------------------------------------------------- */

void space_init(struct space *s)
{
    memset(s, 0, sizeof *s);
    s->type = SPACE_TYPE_SPACE;
    s->daily_reset_minute = DEFAULT_DAILY_RESET_MINUTE;
    s->safe_mode = SAFE_MODE_NONE;
    s->counting_mode = COUNTING_DOORWAYS;
    s->parent = s->first_child = s->next_sibling = SITE_NONE;
}

void space_clear(struct space *s)
{
    free(s->id);
    free(s->name);
    free(s->parent_id);
    free(s->function);
    free(s->time_zone);
    string_list_clear(&s->component_space_ids);
    string_list_clear(&s->tags);
    free_refs(s->ancestry, s->ancestry_count);
    for (size_t i = 0; i < s->time_segment_count; i++) {
        free(s->time_segments[i].id);
        free(s->time_segments[i].name);
    }
    free(s->time_segments);
    free_refs(s->time_segment_groups, s->time_segment_group_count);
    space_details_clear(&s->details);
    free(s->links);
    space_init(s);
}

void space_details_clear(struct space_details *d)
{
    free(d->notes);
    free(d->description);
    free(d->meta_json);
    free(d->address);
    free(d->image_url);
    free(d->size_area_unit);
    free(d->annual_rent_currency);
    free_refs(d->teams, d->team_count);
    memset(d, 0, sizeof *d);
}

void doorway_init(struct doorway *d)
{
    memset(d, 0, sizeof *d);
    d->sensor = SITE_NONE;
}

void doorway_clear(struct doorway *d)
{
    free(d->id);
    free(d->name);
    free(d->description);
    free(d->sensor_serial);
    string_list_clear(&d->tags);
    free(d->links);
    doorway_init(d);
}

void sensor_init(struct sensor *s)
{
    memset(s, 0, sizeof *s);
    s->doorway = SITE_NONE;
}

void sensor_clear(struct sensor *s)
{
    free(s->serial);
    free(s->doorway_id);
    free(s->doorway_name);
    free(s->sensor_type);
    free(s->firmware_version);
    sensor_init(s);
}

void link_clear(struct link *l)
{
    free(l->id);
    free(l->space_id);
    free(l->doorway_id);
    free(l->doorway_name);
    free(l->space_name);
    memset(l, 0, sizeof *l);
    l->space = l->doorway = SITE_NONE;
}

/* --- enumerations ------------------------------------------------------- */

static const char *const space_type_names[] = {
    [SPACE_TYPE_SPACE] = "space",
    [SPACE_TYPE_FLOOR] = "floor",
    [SPACE_TYPE_BUILDING] = "building",
    [SPACE_TYPE_CAMPUS] = "campus",
};

const char *space_type_name(enum space_type type)
{
    return (unsigned)type <= SPACE_TYPE_CAMPUS ? space_type_names[type] : "space";
}

bool space_type_parse(const char *text, enum space_type *out)
{
    for (unsigned i = 0; i <= SPACE_TYPE_CAMPUS; i++) {
        if (text && strcmp(text, space_type_names[i]) == 0) {
            *out = (enum space_type)i;
            return true;
        }
    }
    return false;
}

static const char *const safe_mode_names[] = {
    [SAFE_MODE_NONE] = NULL,
    [SAFE_MODE_SAFE_CAPACITY] = "SAFE_CAPACITY",
    [SAFE_MODE_PERC_TARGET] = "UTILIZATION_PERC_TARGET",
    [SAFE_MODE_PERC_LEGAL] = "UTILIZATION_PERC_LEGAL",
};

const char *safe_mode_name(enum safe_mode mode)
{
    return (unsigned)mode <= SAFE_MODE_PERC_LEGAL ? safe_mode_names[mode] : NULL;
}

bool safe_mode_parse(const char *text, enum safe_mode *out)
{
    for (unsigned i = SAFE_MODE_SAFE_CAPACITY; i <= SAFE_MODE_PERC_LEGAL; i++) {
        if (text && strcasecmp(text, safe_mode_names[i]) == 0) {
            *out = (enum safe_mode)i;
            return true;
        }
    }
    return false;
}

const char *counting_mode_name(enum counting_mode mode)
{
    return mode == COUNTING_COMPONENT_SPACES ? "component_spaces" : "doorways";
}

bool counting_mode_parse(const char *text, enum counting_mode *out)
{
    if (text && strcmp(text, "doorways") == 0)
        *out = COUNTING_DOORWAYS;
    else if (text && strcmp(text, "component_spaces") == 0)
        *out = COUNTING_COMPONENT_SPACES;
    else
        return false;
    return true;
}

const char *sensor_status_name(enum sensor_status status)
{
    switch (status) {
    case SENSOR_STATUS_ONLINE: return "online";
    case SENSOR_STATUS_OFFLINE: return "offline";
    default: return "unknown";
    }
}

enum sensor_status sensor_status_parse(const char *text)
{
    if (text && strcasecmp(text, "online") == 0)
        return SENSOR_STATUS_ONLINE;
    if (text && strcasecmp(text, "offline") == 0)
        return SENSOR_STATUS_OFFLINE;
    return SENSOR_STATUS_UNKNOWN;
}

static int two_digits(const char *p)
{
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

int32_t clock_time_parse(const char *text)
{
    if (!text)
        return -1;
    size_t len = strlen(text);
    if ((len != 5 && len != 8) || text[2] != ':' || (len == 8 && text[5] != ':'))
        return -1;
    int hours = two_digits(text), minutes = two_digits(text + 3);
    int seconds = len == 8 ? two_digits(text + 6) : 0;
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59)
        return -1;
    return hours * 3600 + minutes * 60 + seconds;
}

/* --- the site --------------------------------------------------------------- */

struct site *site_new(void)
{
    struct site *site = calloc(1, sizeof *site);
    if (!site)
        return NULL;
    idmap_init(&site->space_ids);
    idmap_init(&site->doorway_ids);
    idmap_init(&site->sensor_serials);
    site->first_root = SITE_NONE;
    return site;
}

static void clear_problems(struct site *site)
{
    for (size_t i = 0; i < site->problem_count; i++) {
        free(site->problems[i].id);
        free(site->problems[i].other_id);
        free(site->problems[i].message);
    }
    site->problem_count = 0;
}

void site_free(struct site *site)
{
    if (!site)
        return;
    for (size_t i = 0; i < site->space_count; i++)
        space_clear(&site->spaces[i]);
    for (size_t i = 0; i < site->doorway_count; i++)
        doorway_clear(&site->doorways[i]);
    for (size_t i = 0; i < site->sensor_count; i++)
        sensor_clear(&site->sensors[i]);
    for (size_t i = 0; i < site->link_count; i++)
        link_clear(&site->links[i]);
    clear_problems(site);
    free(site->problems);
    free(site->spaces);
    free(site->doorways);
    free(site->sensors);
    free(site->links);
    idmap_free(&site->space_ids);
    idmap_free(&site->doorway_ids);
    idmap_free(&site->sensor_serials);
    segments_free(site->segments);
    free(site->name);
    free(site);
}

int site_take_space(struct site *site, struct space *space)
{
    if (grow_reserve((void **)&site->spaces, &site->space_capacity, site->space_count + 1,
                     sizeof *site->spaces) != 0) {
        space_clear(space);
        return -1;
    }
    site->spaces[site->space_count++] = *space;
    space_init(space);
    return 0;
}

int site_take_doorway(struct site *site, struct doorway *doorway)
{
    if (grow_reserve((void **)&site->doorways, &site->doorway_capacity, site->doorway_count + 1,
                     sizeof *site->doorways) != 0) {
        doorway_clear(doorway);
        return -1;
    }
    site->doorways[site->doorway_count++] = *doorway;
    doorway_init(doorway);
    return 0;
}

int site_take_sensor(struct site *site, struct sensor *sensor)
{
    if (grow_reserve((void **)&site->sensors, &site->sensor_capacity, site->sensor_count + 1,
                     sizeof *site->sensors) != 0) {
        sensor_clear(sensor);
        return -1;
    }
    site->sensors[site->sensor_count++] = *sensor;
    sensor_init(sensor);
    return 0;
}

int site_add_link(struct site *site, const char *link_id, const char *space_id,
                  const char *doorway_id, int placement,
                  const char *space_name, const char *doorway_name)
{
    if (grow_reserve((void **)&site->links, &site->link_capacity, site->link_count + 1,
                     sizeof *site->links) != 0)
        return -1;
    struct link l = {
        .id = copy_string(link_id),
        .space_id = copy_string(space_id ? space_id : ""),
        .doorway_id = copy_string(doorway_id ? doorway_id : ""),
        .placement = placement,
        .space = SITE_NONE,
        .doorway = SITE_NONE,
        .space_name = copy_string(space_name),
        .doorway_name = copy_string(doorway_name),
    };
    if ((link_id && !l.id) || !l.space_id || !l.doorway_id || (space_name && !l.space_name) ||
        (doorway_name && !l.doorway_name)) {
        link_clear(&l);
        return -1;
    }
    site->links[site->link_count++] = l;
    return 0;
}

site_index site_find_space(const struct site *site, const char *id)
{
    return idmap_find(&site->space_ids, id);
}

site_index site_find_doorway(const struct site *site, const char *id)
{
    return idmap_find(&site->doorway_ids, id);
}

site_index site_find_sensor(const struct site *site, const char *serial)
{
    return idmap_find(&site->sensor_serials, serial);
}

site_index site_walk_skip(const struct site *site, site_index current)
{
    while (current != SITE_NONE) {
        const struct space *s = &site->spaces[current];
        if (s->next_sibling != SITE_NONE)
            return s->next_sibling;
        current = s->parent;
    }
    return SITE_NONE;
}

site_index site_walk_next(const struct site *site, site_index current)
{
    if (current == SITE_NONE)
        return SITE_NONE;
    if (site->spaces[current].first_child != SITE_NONE)
        return site->spaces[current].first_child;
    return site_walk_skip(site, current);
}

/* --- problems ---------------------------------------------------------------- */

/* Untrusted ids and names are cut and neutralised before they enter a message. */
enum { ID_COLUMNS = 48, NAME_COLUMNS = 40 };

struct safe_text {
    char text[256];
};

static struct safe_text safe_id(const char *id)
{
    struct safe_text out;
    termtext_sanitize_str(id ? id : "(none)", out.text, sizeof out.text, ID_COLUMNS, 0);
    return out;
}

static struct safe_text safe_name(const char *name)
{
    struct safe_text out;
    termtext_sanitize_str(name ? name : "(unnamed)", out.text, sizeof out.text, NAME_COLUMNS, 0);
    return out;
}

static int add_problem(struct site *site, enum site_problem_kind kind, const char *id,
                       const char *other_id, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

static int add_problem(struct site *site, enum site_problem_kind kind, const char *id,
                       const char *other_id, const char *format, ...)
{
    if (grow_reserve((void **)&site->problems, &site->problem_capacity, site->problem_count + 1,
                     sizeof *site->problems) != 0)
        return -1;
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    struct site_problem p = {
        .kind = kind,
        .id = copy_string(id),
        .other_id = copy_string(other_id),
        .message = strdup(message),
    };
    if ((id && !p.id) || (other_id && !p.other_id) || !p.message) {
        free(p.id);
        free(p.other_id);
        free(p.message);
        return -1;
    }
    site->problems[site->problem_count++] = p;
    return 0;
}

/* --- site_link: indices ---------------------------------------------------- */

static void reset_links(struct site *site)
{
    clear_problems(site);
    idmap_clear(&site->space_ids);
    idmap_clear(&site->doorway_ids);
    idmap_clear(&site->sensor_serials);
    for (size_t i = 0; i < site->space_count; i++) {
        struct space *s = &site->spaces[i];
        free(s->links);
        s->links = NULL;
        s->link_count = 0;
        s->parent = s->first_child = s->next_sibling = SITE_NONE;
        s->depth = 0;
        s->flags = 0;
    }
    for (size_t i = 0; i < site->doorway_count; i++) {
        struct doorway *d = &site->doorways[i];
        free(d->links);
        d->links = NULL;
        d->link_count = 0;
        d->sensor = SITE_NONE;
    }
    for (size_t i = 0; i < site->sensor_count; i++)
        site->sensors[i].doorway = SITE_NONE;
    site->first_root = SITE_NONE;
}

static int index_spaces(struct site *site)
{
    for (size_t i = 0; i < site->space_count; i++) {
        struct space *s = &site->spaces[i];
        if (!s->id || s->deleted)
            continue; /* the decoder refuses these; a hand-built site may not */
        int added = idmap_insert(&site->space_ids, s->id, (site_index)i);
        if (added < 0)
            return -1;
        if (added == 1) {
            site_index first = idmap_find(&site->space_ids, s->id);
            s->flags |= SPACE_FLAG_DUPLICATE_ID;
            if (add_problem(site, SITE_PROBLEM_DUPLICATE_ID, s->id, NULL,
                            "duplicate space id %s: \"%s\" keeps it, \"%s\" is shown marked dup-id",
                            safe_id(s->id).text, safe_name(site->spaces[first].name).text,
                            safe_name(s->name).text) != 0)
                return -1;
        }
    }
    return 0;
}

static int index_doorways(struct site *site)
{
    for (size_t i = 0; i < site->doorway_count; i++) {
        const struct doorway *d = &site->doorways[i];
        if (!d->id || d->deleted)
            continue;
        int added = idmap_insert(&site->doorway_ids, d->id, (site_index)i);
        if (added < 0)
            return -1;
        if (added == 1 && add_problem(site, SITE_PROBLEM_DUPLICATE_ID, d->id, NULL,
                                      "duplicate doorway id %s: the first one is used",
                                      safe_id(d->id).text) != 0)
            return -1;
    }
    return 0;
}

static int index_sensors(struct site *site)
{
    for (size_t i = 0; i < site->sensor_count; i++) {
        struct sensor *s = &site->sensors[i];
        if (!s->serial) {
            if (add_problem(site, SITE_PROBLEM_SENSOR_WITHOUT_SERIAL, NULL, s->doorway_id,
                            "a sensor on doorway %s has no serial_number and is ignored",
                            safe_id(s->doorway_id).text) != 0)
                return -1;
            continue;
        }
        int added = idmap_insert(&site->sensor_serials, s->serial, (site_index)i);
        if (added < 0)
            return -1;
        if (added == 1 && add_problem(site, SITE_PROBLEM_DUPLICATE_ID, s->serial, NULL,
                                      "duplicate sensor serial %s: the first one is used",
                                      safe_id(s->serial).text) != 0)
            return -1;
    }
    return 0;
}

/* --- site_link: links --------------------------------------------------------- */

static int append_index(site_index **array, size_t *count, site_index value)
{
    site_index *grown = realloc(*array, (*count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    grown[(*count)++] = value;
    *array = grown;
    return 0;
}

/* The link already kept for this space and doorway, if any. */
static site_index find_kept_link(const struct site *site, const struct link *l)
{
    if (l->space != SITE_NONE) {
        const struct space *s = &site->spaces[l->space];
        for (size_t i = 0; i < s->link_count; i++)
            if (strcmp(site->links[s->links[i]].doorway_id, l->doorway_id) == 0)
                return s->links[i];
    } else if (l->doorway != SITE_NONE) {
        const struct doorway *d = &site->doorways[l->doorway];
        for (size_t i = 0; i < d->link_count; i++)
            if (strcmp(site->links[d->links[i]].space_id, l->space_id) == 0)
                return d->links[i];
    }
    return SITE_NONE;
}

/* Both ends of the API describe the same link; the first report wins and
 * later ones only fill in what it lacked. */
static int merge_link(struct site *site, struct link *kept, struct link *dup)
{
    if (!kept->id && dup->id) {
        kept->id = dup->id;
        dup->id = NULL;
    }
    if (!kept->doorway_name && dup->doorway_name) {
        kept->doorway_name = dup->doorway_name;
        dup->doorway_name = NULL;
    }
    if (!kept->space_name && dup->space_name) {
        kept->space_name = dup->space_name;
        dup->space_name = NULL;
    }
    if (kept->placement != dup->placement &&
        add_problem(site, SITE_PROBLEM_LINK_CONFLICT, kept->space_id, kept->doorway_id,
                    "space %s and doorway %s disagree on sensor_placement (%+d and %+d); "
                    "%+d is used",
                    safe_id(kept->space_id).text, safe_id(kept->doorway_id).text, kept->placement,
                    dup->placement, kept->placement) != 0)
        return -1;
    return 0;
}

static int report_link_ends(struct site *site, const struct link *l)
{
    if (l->space != SITE_NONE && l->doorway == SITE_NONE && site->has_doorway_list) {
        site->spaces[l->space].flags |= SPACE_FLAG_BAD_LINK;
        return add_problem(site, SITE_PROBLEM_UNKNOWN_DOORWAY, l->space_id, l->doorway_id,
                           "space %s links doorway %s, which the site does not have; "
                           "the link is not counted",
                           safe_id(l->space_id).text, safe_id(l->doorway_id).text);
    }
    if (l->space == SITE_NONE)
        return add_problem(site, SITE_PROBLEM_UNKNOWN_SPACE, l->doorway_id, l->space_id,
                           "doorway %s links space %s, which the site does not have; "
                           "the link is not counted",
                           safe_id(l->doorway_id).text, safe_id(l->space_id).text);
    return 0;
}

static int resolve_links(struct site *site)
{
    size_t kept_count = 0;
    for (size_t i = 0; i < site->link_count; i++) {
        struct link *l = &site->links[i];
        l->space = site_find_space(site, l->space_id);
        l->doorway = site_find_doorway(site, l->doorway_id);
        site_index kept = find_kept_link(site, l);
        if (kept != SITE_NONE) {
            int failed = merge_link(site, &site->links[kept], l);
            link_clear(l);
            if (failed)
                return -1;
            continue;
        }
        /* Compact in place: kept links keep their relative order. */
        site_index at = (site_index)kept_count++;
        if ((size_t)at != i) {
            site->links[at] = *l;
            memset(l, 0, sizeof *l);
            l = &site->links[at];
        }
        if (l->space != SITE_NONE &&
            append_index(&site->spaces[l->space].links, &site->spaces[l->space].link_count, at))
            return -1;
        if (l->doorway != SITE_NONE &&
            append_index(&site->doorways[l->doorway].links,
                         &site->doorways[l->doorway].link_count, at))
            return -1;
        if (report_link_ends(site, l) != 0)
            return -1;
    }
    site->link_count = kept_count;
    return 0;
}

static int resolve_sensors(struct site *site)
{
    for (size_t i = 0; i < site->doorway_count; i++) {
        struct doorway *d = &site->doorways[i];
        if (d->sensor_serial)
            d->sensor = site_find_sensor(site, d->sensor_serial);
    }
    for (size_t i = 0; i < site->sensor_count; i++) {
        struct sensor *s = &site->sensors[i];
        if (!s->doorway_id)
            continue;
        s->doorway = site_find_doorway(site, s->doorway_id);
        if (s->doorway == SITE_NONE && site->has_doorway_list && s->serial &&
            add_problem(site, SITE_PROBLEM_UNKNOWN_SENSOR_DOORWAY, s->serial, s->doorway_id,
                        "sensor %s is on doorway %s, which the site does not have",
                        safe_id(s->serial).text, safe_id(s->doorway_id).text) != 0)
            return -1;
    }
    return 0;
}

static int check_components(struct site *site)
{
    for (size_t i = 0; i < site->space_count; i++) {
        const struct space *s = &site->spaces[i];
        for (size_t c = 0; !s->deleted && c < s->component_space_ids.count; c++) {
            const char *id = s->component_space_ids.items[c];
            if (site_find_space(site, id) == SITE_NONE &&
                add_problem(site, SITE_PROBLEM_UNKNOWN_COMPONENT, s->id, id,
                            "space %s counts component space %s, which the site does not have",
                            safe_id(s->id).text, safe_id(id).text) != 0)
                return -1;
        }
    }
    return 0;
}

/* --- site_link: the tree ------------------------------------------------------ */

static int resolve_parents(struct site *site)
{
    for (size_t i = 0; i < site->space_count; i++) {
        struct space *s = &site->spaces[i];
        if (!s->parent_id || s->deleted)
            continue;
        s->parent = site_find_space(site, s->parent_id);
        if (s->parent == SITE_NONE) {
            s->flags |= SPACE_FLAG_ORPHAN;
            if (add_problem(site, SITE_PROBLEM_MISSING_PARENT, s->id, s->parent_id,
                            "space %s (\"%s\") has parent %s, which the site does not have; "
                            "it is shown at the top level marked orphan",
                            safe_id(s->id).text, safe_name(s->name).text,
                            safe_id(s->parent_id).text) != 0)
                return -1;
        }
    }
    return 0;
}

/* Follows parent links from every space once (O(n) in all), colouring each
 * walk; meeting the current walk's colour again means a cycle.  Every space of
 * a cycle loses its parent and is shown at the top level. */
static int break_cycles(struct site *site)
{
    size_t n = site->space_count;
    size_t *walk_of = calloc(n ? n : 1, sizeof *walk_of); /* 0: not visited yet */
    if (!walk_of)
        return -1;
    int status = 0;
    for (size_t start = 0; start < n && status == 0; start++) {
        size_t walk = start + 1;
        site_index at = (site_index)start;
        while (at != SITE_NONE && walk_of[at] == 0) {
            walk_of[at] = walk;
            at = site->spaces[at].parent;
        }
        if (at == SITE_NONE || walk_of[at] != walk)
            continue; /* reached a root or an earlier walk: no new cycle */

        char members[512] = "";
        size_t used = 0, count = 0;
        site_index member = at;
        do {
            struct space *s = &site->spaces[member];
            site_index next = s->parent;
            s->flags |= SPACE_FLAG_IN_CYCLE;
            s->parent = SITE_NONE;
            if (count++ < 6 && used < sizeof members) {
                int wrote = snprintf(members + used, sizeof members - used, "%s%s",
                                     used ? " -> " : "", safe_id(s->id).text);
                used += wrote > 0 ? (size_t)wrote : 0;
            }
            member = next;
        } while (member != at && member != SITE_NONE);
        status = add_problem(site, SITE_PROBLEM_PARENT_CYCLE, site->spaces[at].id, NULL,
                             "parent cycle of %zu space%s: %s%s; they are shown at the top "
                             "level marked cycle",
                             count, count == 1 ? "" : "s", members, count > 6 ? " -> ..." : "");
    }
    free(walk_of);
    return status;
}

/* campus > building > floor > space: which parent types each type accepts. */
bool site_parent_allowed(enum space_type child, const struct space *parent)
{
    switch (child) {
    case SPACE_TYPE_CAMPUS:
        return parent == NULL;
    case SPACE_TYPE_BUILDING:
        return parent == NULL || parent->type == SPACE_TYPE_CAMPUS;
    case SPACE_TYPE_FLOOR:
        return parent != NULL && parent->type == SPACE_TYPE_BUILDING;
    case SPACE_TYPE_SPACE:
    default:
        return true;
    }
}

const char *site_parent_rule(enum space_type child)
{
    switch (child) {
    case SPACE_TYPE_CAMPUS: return "a campus cannot have a parent";
    case SPACE_TYPE_BUILDING: return "a building stands alone or belongs to a campus";
    case SPACE_TYPE_FLOOR: return "a floor belongs to a building";
    default: return "";
    }
}

static int check_parent_types(struct site *site)
{
    for (size_t i = 0; i < site->space_count; i++) {
        struct space *s = &site->spaces[i];
        if (s->deleted || (s->flags & (SPACE_FLAG_ORPHAN | SPACE_FLAG_IN_CYCLE)))
            continue; /* already reported; its parent is unknown */
        const struct space *parent = s->parent != SITE_NONE ? &site->spaces[s->parent] : NULL;
        if (site_parent_allowed(s->type, parent))
            continue;
        s->flags |= SPACE_FLAG_BAD_PARENT;
        int failed = parent
            ? add_problem(site, SITE_PROBLEM_BAD_PARENT_TYPE, s->id, parent->id,
                          "%s %s has %s %s as parent (%s); kept there, marked bad-parent",
                          space_type_name(s->type), safe_id(s->id).text,
                          space_type_name(parent->type), safe_id(parent->id).text,
                          site_parent_rule(s->type))
            : add_problem(site, SITE_PROBLEM_BAD_PARENT_TYPE, s->id, NULL,
                          "%s %s has no parent (%s); shown at the top level marked bad-parent",
                          space_type_name(s->type), safe_id(s->id).text, site_parent_rule(s->type));
        if (failed)
            return -1;
    }
    return 0;
}

/* Compares names so that "Level 2" sorts before "Level 10". */
static int natural_compare(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0') a++;
            while (*b == '0') b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la])) la++;
            while (isdigit((unsigned char)b[lb])) lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
            continue;
        }
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

struct sibling_key {
    site_index parent;
    site_index index;
    const char *name;
    const char *id;
};

static int compare_siblings(const void *pa, const void *pb)
{
    const struct sibling_key *a = pa, *b = pb;
    if (a->parent != b->parent)
        return a->parent < b->parent ? -1 : 1;
    int c = natural_compare(a->name ? a->name : "", b->name ? b->name : "");
    if (c)
        return c;
    c = strcmp(a->id ? a->id : "", b->id ? b->id : "");
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Children (and roots) are ordered by name, naturally, then by id. */
static int build_children(struct site *site)
{
    size_t n = site->space_count;
    struct sibling_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < site->space_count; i++)
        if (!site->spaces[i].deleted)
            keys[kept++] = (struct sibling_key){ site->spaces[i].parent, (site_index)i,
                                                 site->spaces[i].name, site->spaces[i].id };
    n = kept;
    qsort(keys, n, sizeof *keys, compare_siblings);
    /* Link each run of siblings back to front so each head ends up first. */
    for (size_t k = n; k-- > 0;) {
        struct space *s = &site->spaces[keys[k].index];
        site_index *head = s->parent == SITE_NONE ? &site->first_root
                                                  : &site->spaces[s->parent].first_child;
        s->next_sibling = *head;
        *head = keys[k].index;
    }
    free(keys);
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        site->spaces[i].depth = site->spaces[i].parent == SITE_NONE
                                    ? 0 : site->spaces[site->spaces[i].parent].depth + 1;
    return 0;
}

static int check_child_spaces(struct site *site)
{
    for (size_t i = 0; i < site->space_count; i++) {
        struct space *s = &site->spaces[i];
        if (s->type != SPACE_TYPE_SPACE || s->deleted)
            continue;
        size_t children = 0;
        for (site_index c = s->first_child; c != SITE_NONE; c = site->spaces[c].next_sibling)
            children += site->spaces[c].type == SPACE_TYPE_SPACE;
        if (children <= 1)
            continue;
        s->flags |= SPACE_FLAG_TOO_MANY_CHILDREN;
        if (add_problem(site, SITE_PROBLEM_TOO_MANY_CHILD_SPACES, s->id, NULL,
                        "space %s (\"%s\") has %zu child spaces (a space can only have one); "
                        "all are shown, the parent marked children",
                        safe_id(s->id).text, safe_name(s->name).text, children) != 0)
            return -1;
    }
    return 0;
}

void site_unlink(struct site *site, const char *id, bool space_end)
{
    size_t kept = 0;
    for (size_t i = 0; i < site->link_count; i++) {
        struct link *l = &site->links[i];
        const char *end = space_end ? l->space_id : l->doorway_id;
        if (end && id && strcmp(end, id) == 0) {
            link_clear(l);
            continue;
        }
        if (kept != i) {
            site->links[kept] = *l;
            memset(l, 0, sizeof *l);
        }
        kept++;
    }
    site->link_count = kept;
}

void site_delete_space(struct site *site, site_index space)
{
    if (space < 0 || (size_t)space >= site->space_count)
        return;
    struct space *s = &site->spaces[space];
    site_unlink(site, s->id, true);
    s->deleted = true;
}

void site_delete_doorway(struct site *site, site_index doorway)
{
    if (doorway < 0 || (size_t)doorway >= site->doorway_count)
        return;
    struct doorway *d = &site->doorways[doorway];
    site_unlink(site, d->id, false);
    /* Its sensor is on no doorway any more. */
    for (size_t i = 0; d->id && i < site->sensor_count; i++) {
        struct sensor *sensor = &site->sensors[i];
        if (sensor->doorway_id && strcmp(sensor->doorway_id, d->id) == 0) {
            free(sensor->doorway_id);
            free(sensor->doorway_name);
            sensor->doorway_id = sensor->doorway_name = NULL;
        }
    }
    d->deleted = true;
}

int site_link(struct site *site)
{
    reset_links(site);
    if (index_spaces(site) || index_doorways(site) || index_sensors(site))
        return -1;
    if (resolve_links(site) || resolve_sensors(site) || check_components(site))
        return -1;
    if (resolve_parents(site) || break_cycles(site) || check_parent_types(site))
        return -1;
    if (build_children(site) || check_child_spaces(site))
        return -1;
    return 0;
}
