/* api_segments.c — time segments: /time_segments/, the segments a space
 * shows, and counts filtered by segment.
 *
 * The model is core/segments.h (site->segments): a site-wide list of
 * segments, each linked to spaces by id, and groups of segments.  Choices
 * where the reference is silent (the README's "The mock server" repeats
 * them):
 *
 * Where segments come from
 *  - The site file's "time_segments" (a GET /time_segments/ response or an
 *    array) and "time_segment_groups"; without them, the segments the
 *    spaces carry (a saved GET /spaces/ response), linked to the highest
 *    space listing each, groups guessed (core/segments.h,
 *    segments_from_nested); then POST, PUT and DELETE here.  A state file
 *    saves and restores them (api_segments_to_json, api_segments_from_json).
 *
 * Time (core/segments.h)
 *  - start and end are the wall clock of each space's own time zone.  A
 *    segment whose end is before its start spans midnight: it starts on
 *    each of its days and ends the next day.  end equal to start is 24 hours
 *    ("00:00:00" to "00:00:00": the whole of each of its days).  On
 *    daylight-saving days a segment lasts as long as the clock reads inside
 *    it (an hour less or more; one wholly inside the skipped hour does not
 *    happen that day).
 *
 * /time_segments/
 *  - GET /time_segments/ is paginated like every list (page, page_size), in
 *    the order the segments were loaded or created.  A segment shows
 *    exactly the reference's keys: id, label, start and end ("HH:MM:SS"),
 *    spaces ([{"space_id", "name"}]: the spaces it is linked to itself, not
 *    the ones that inherit it; a deleted space drops out), days (Monday
 *    first, whatever order they were given in).
 *  - POST /time_segments/ needs label, start, end, days and spaces; PUT
 *    /time_segments/:id/ takes any subset of them (an empty object changes
 *    nothing).  The body is a JSON object of at most 64 KiB; unknown fields
 *    are ignored (id among them); the first invalid field is 400 naming it
 *    ("request body: field \"days[1]\": ...") and nothing changes.  POST
 *    answers 201, PUT 200, both with the segment as GET shows it; DELETE
 *    answers 204 without a body.  A segment's groups go with it; a group
 *    left with no segment is gone.
 *  - label: a string of 1 to 255 bytes, not blank.  start, end: "HH:MM" or
 *    "HH:MM:SS", 00:00:00 to 23:59:59, always shown as "HH:MM:SS".  days: a
 *    non-empty array of "Monday" ... "Sunday", capitalised exactly so, each
 *    once.  spaces: an array of ids of spaces that exist (an object with
 *    "space_id", as GET shows them, is taken too, so that a GET body can be
 *    sent back); repeats count once; [] links none.
 *  - New ids are "tsm_" and 18 digits, one more than the largest number of
 *    a segment or group id seen; ids are never reused while the server runs.
 *  - At most 10,000 segments: a POST past that is 400.
 *
 * Groups (the reference shows time_segment_groups on spaces but has no
 * endpoint for them)
 *  - A group is {id "tsg_...", name, the ids of its segments}; it exists
 *    while it holds a segment.  Groups come from the site file, and from
 *    "time_segment_groups" in the body of POST and PUT: an array of
 *    strings, each the id of an existing group or a group's name; a name
 *    no group has makes a new group ("tsg_" and 18 digits) with that name
 *    (1 to 255 bytes, not blank).  On PUT the array replaces the segment's
 *    groups; null or [] takes it out of all of them.  Segments show no
 *    groups themselves (the reference's shape has none).
 *
 * Spaces (GET /spaces/ and /spaces/:id/)
 *  - "time_segments" lists every segment that applies to the space: linked
 *    to it or to one of its ancestors (inherited), in the list's order, as
 *    {"id", "name", "start", "end", "days"} (name is the label).
 *  - "time_segment_groups" lists the groups holding one of those segments,
 *    as {"id", "name"}.
 *  - "inherits_time_segments" is true when at least one of those segments
 *    reaches the space only through an ancestor.
 *
 * Counts (GET /spaces/:id/counts/)
 *  - time_segment_id and time_segment_group_id each take one id or several
 *    separated by commas; with either, only the minutes inside one of the
 *    named segments (or the segments of the named groups) count, by the
 *    wall clock of the space's time zone, whether or not the segment
 *    applies to the space.  A minute is in when its start is.  A sample
 *    covers its minutes in the segment: count is the count at the first of
 *    them; min, max, entrances, exits and rates are over them; a sample with
 *    no minute in the segment is left out (total counts the samples left).
 *    Metrics cover the same minutes.  A 1h sample from 11:00 with a segment
 *    from 11:30 is the half hour from 11:30, still stamped 11:00.
 *  - An id no segment (group) has names no minute, as any filter naming an
 *    unknown id: alone it gives an empty list (total 0, entrances and exits
 *    0, the other metrics null), not an error. */
#include "net/api.h"
#include "net/api_private.h"

#include <stdlib.h>
#include <string.h>

#include "core/segments.h"
#include "wire/json_model.h"
#include "wire/segments_json.h"

#define API_MAX_SEGMENT_COUNT 10000
#define API_MAX_FILTER_IDS 1000

/* --- the collection ------------------------------------------------------------ */

/* The site's segments, made on first use from the spaces' own lists when
 * the site came without a collection (a site built in code).  NULL only
 * when memory ran out. */
static struct segments *collection(const struct api *api)
{
    struct site *site = api->site;
    if (!site->segments && segments_from_nested(site, &site->segments) != 0)
        return NULL;
    if (!site->segments)
        site->segments = segments_new();
    return site->segments;
}

/* --- spaces --------------------------------------------------------------------- */

static json_t *space_segments_json(const struct segments *c, const size_t *applying, size_t n)
{
    json_t *array = json_array();
    for (size_t k = 0; array && k < n; k++)
        if (!api_append(array, wire_encode_space_segment(&c->items[applying[k]].time))) {
            json_decref(array);
            array = NULL;
        }
    return array;
}

static json_t *space_groups_json(const struct segments *c, const bool *applies)
{
    json_t *array = json_array();
    for (size_t g = 0; array && g < c->group_count; g++) {
        if (!segments_group_applies(c, g, applies))
            continue;
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "id", json_string(c->groups[g].id));
        wire_builder_put(&b, "name", c->groups[g].name ? json_string(c->groups[g].name)
                                                       : json_null());
        if (!api_append(array, wire_builder_finish(&b))) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

json_t *api_segments_space_json(const struct api *api, site_index i, json_t *json)
{
    if (!json)
        return NULL;
    const struct segments *c = collection(api);
    size_t n = c ? c->count : 0;
    size_t *applying = malloc((n ? n : 1) * sizeof *applying);
    enum segment_reach *reach = malloc((n ? n : 1) * sizeof *reach);
    bool *applies = calloc(n ? n : 1, sizeof *applies);
    json_t *segments = NULL, *groups = NULL;
    bool inherits = false;
    if (c && applying && reach && applies) {
        size_t count = segments_for_space(c, api->site, i, applying, reach, n);
        for (size_t k = 0; k < count; k++) {
            applies[applying[k]] = true;
            inherits = inherits || reach[k] == SEGMENT_INHERITED;
        }
        segments = space_segments_json(c, applying, count);
        groups = space_groups_json(c, applies);
    }
    free(applying);
    free(reach);
    free(applies);
    if (!segments || !groups) {
        json_decref(segments);
        json_decref(groups);
        json_decref(json);
        return NULL;
    }
    /* json_object_set_new takes the value over, even when it fails. */
    int failed = json_object_set_new(json, "time_segments", segments);
    failed |= json_object_set_new(json, "time_segment_groups", groups);
    failed |= json_object_set_new(json, "inherits_time_segments", json_boolean(inherits));
    if (failed) {
        json_decref(json);
        return NULL;
    }
    return json;
}

/* --- reading a body ---------------------------------------------------------------- */

/* What a POST or PUT gives; *_set says the field was in the body.  Strings
 * and arrays are borrowed from the body's JSON. */
struct segment_edit {
    bool label_set, start_set, end_set, days_set, spaces_set, groups_set;
    const char *label;
    int32_t start, end;
    uint8_t days;
    struct string_list space_ids; /* owned: the site's ids, each once */
    const json_t *groups;         /* NULL: none */
};

static void segment_edit_clear(struct segment_edit *edit)
{
    string_list_clear(&edit->space_ids);
}

/* Present fields are read; a missing one fails only when `required`. */
static bool wanted(const struct wire_reader *r, const char *field, bool required)
{
    return required || wire_reader_get(r, field) != NULL;
}

static int read_label(const struct wire_reader *r, bool required, struct segment_edit *edit)
{
    if (!wanted(r, "label", required))
        return WIRE_OK;
    if (wire_read_string(r, "label", WIRE_REQUIRED, &edit->label) != WIRE_OK)
        return WIRE_ERROR;
    size_t len = strlen(edit->label);
    if (len > API_MAX_NAME_LENGTH)
        return wire_reader_fail(r, "label", "longer than %d bytes", API_MAX_NAME_LENGTH);
    if (strspn(edit->label, " \t\r\n") == len)
        return wire_reader_fail(r, "label", "must not be blank");
    edit->label_set = true;
    return WIRE_OK;
}

static int read_clock_field(const struct wire_reader *r, const char *field, bool required,
                            bool *set, int32_t *out)
{
    if (!wanted(r, field, required))
        return WIRE_OK;
    const char *text = NULL;
    if (wire_read_string(r, field, WIRE_REQUIRED, &text) != WIRE_OK)
        return WIRE_ERROR;
    int32_t seconds = clock_time_parse(text);
    if (seconds < 0) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, field,
                                "expected a 24-hour time \"HH:MM:SS\" (or \"HH:MM\") such as "
                                "\"11:00:00\", got \"%s\"",
                                SAFE(text, safe));
    }
    *set = true;
    *out = seconds;
    return WIRE_OK;
}

static int read_days(const struct wire_reader *r, bool required, struct segment_edit *edit)
{
    if (!wanted(r, "days", required))
        return WIRE_OK;
    const json_t *array = NULL;
    if (wire_read_array(r, "days", WIRE_REQUIRED, &array) != WIRE_OK)
        return WIRE_ERROR;
    if (json_array_size(array) == 0)
        return wire_reader_fail(r, "days", "must name at least one day, such as [\"Monday\"]");
    uint8_t days = 0;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        char path[32], safe[WIRE_SAFE_TEXT_SIZE];
        snprintf(path, sizeof path, "days[%zu]", i);
        if (!json_is_string(item))
            return wire_reader_fail(r, path, "expected a weekday name such as \"Monday\", got %s",
                                    wire_json_type_name(item));
        uint8_t bit = segment_day_parse(json_string_value(item));
        if (!bit)
            return wire_reader_fail(r, path,
                                    "expected a capitalised weekday, \"Monday\" to \"Sunday\", "
                                    "got \"%s\"",
                                    SAFE(json_string_value(item), safe));
        if (days & bit)
            return wire_reader_fail(r, path, "\"%s\" is listed twice",
                                    SAFE(json_string_value(item), safe));
        days |= bit;
    }
    edit->days = days;
    edit->days_set = true;
    return WIRE_OK;
}

static int read_spaces(const struct api *api, const struct wire_reader *r, bool required,
                       struct segment_edit *edit)
{
    if (!wanted(r, "spaces", required))
        return WIRE_OK;
    const json_t *array = NULL;
    if (wire_read_array(r, "spaces", WIRE_REQUIRED, &array) != WIRE_OK)
        return WIRE_ERROR;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        char path[64], safe[WIRE_SAFE_TEXT_SIZE];
        snprintf(path, sizeof path, "spaces[%zu]", i);
        const char *id = NULL;
        if (json_is_object(item)) {
            struct wire_reader child;
            if (wire_read_element(r, "spaces", array, i, &child) != WIRE_OK ||
                wire_read_string(&child, "space_id", WIRE_REQUIRED, &id) != WIRE_OK)
                return WIRE_ERROR;
        } else if (json_is_string(item)) {
            id = json_string_value(item);
        } else {
            return wire_reader_fail(r, path, "expected a space id such as \"spc_1\", got %s",
                                    wire_json_type_name(item));
        }
        site_index s = site_find_space(api->site, id);
        if (s == SITE_NONE)
            return wire_reader_fail(r, path, "no space with id \"%s\"", SAFE(id, safe));
        const char *canonical = api->site->spaces[s].id;
        if (!string_list_contains(&edit->space_ids, canonical) &&
            string_list_add(&edit->space_ids, canonical) != 0)
            return wire_reader_out_of_memory(r);
    }
    edit->spaces_set = true;
    return WIRE_OK;
}

static int read_groups(const struct wire_reader *r, struct segment_edit *edit)
{
    const json_t *v = wire_reader_get(r, "time_segment_groups");
    if (!v)
        return WIRE_OK;
    edit->groups_set = true;
    if (json_is_null(v))
        return WIRE_OK;
    const json_t *array = NULL;
    if (wire_read_array(r, "time_segment_groups", WIRE_REQUIRED, &array) != WIRE_OK)
        return WIRE_ERROR;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        char path[64];
        snprintf(path, sizeof path, "time_segment_groups[%zu]", i);
        if (!json_is_string(item))
            return wire_reader_fail(r, path,
                                    "expected a group's id or name (a string), got %s",
                                    wire_json_type_name(item));
        const char *text = json_string_value(item);
        size_t len = strlen(text);
        if (len > API_MAX_NAME_LENGTH)
            return wire_reader_fail(r, path, "longer than %d bytes", API_MAX_NAME_LENGTH);
        if (strspn(text, " \t\r\n") == len)
            return wire_reader_fail(r, path, "must not be blank");
    }
    edit->groups = array;
    return WIRE_OK;
}

/* The reference's order: label, start, end, days, spaces; then groups. */
static int read_segment_edit(const struct api *api, const struct wire_reader *r, bool creating,
                             struct segment_edit *edit)
{
    memset(edit, 0, sizeof *edit);
    if (read_label(r, creating, edit) != WIRE_OK ||
        read_clock_field(r, "start", creating, &edit->start_set, &edit->start) != WIRE_OK ||
        read_clock_field(r, "end", creating, &edit->end_set, &edit->end) != WIRE_OK ||
        read_days(r, creating, edit) != WIRE_OK || read_spaces(api, r, creating, edit) != WIRE_OK ||
        read_groups(r, edit) != WIRE_OK)
        return WIRE_ERROR;
    return WIRE_OK;
}

/* --- applying ---------------------------------------------------------------------- */

static bool add_unique(struct string_list *list, const char *text)
{
    return string_list_contains(list, text) || string_list_add(list, text) == 0;
}

static void remove_string(struct string_list *list, const char *text)
{
    for (size_t k = 0; k < list->count; k++) {
        if (strcmp(list->items[k], text) != 0)
            continue;
        free(list->items[k]);
        memmove(&list->items[k], &list->items[k + 1], (list->count - k - 1) * sizeof *list->items);
        list->count--;
        k--;
    }
}

/* The group a string of "time_segment_groups" names: by id, by name, or a
 * new one.  SEGMENTS_NONE when memory ran out. */
static size_t group_for(struct segments *c, const char *text)
{
    size_t g = segments_find_group(c, text);
    if (g == SEGMENTS_NONE)
        g = segments_find_group_named(c, text);
    if (g != SEGMENTS_NONE)
        return g;
    char id[SEGMENT_ID_SIZE];
    segments_new_id(c, true, id);
    struct segment_group group = { 0 };
    group.id = api_copy_string(id);
    group.name = api_copy_string(text);
    if (!group.id || !group.name) {
        segment_group_clear(&group);
        return SEGMENTS_NONE;
    }
    if (segments_take_group(c, &group) != 0)
        return SEGMENTS_NONE;
    return c->group_count - 1;
}

/* Puts segment `id` in exactly the groups `groups` names (NULL: none). */
static bool set_groups(struct segments *c, const char *id, const json_t *groups)
{
    size_t *chosen = malloc((json_array_size(groups) + 1) * sizeof *chosen);
    size_t n = 0;
    bool ok = chosen != NULL;
    for (size_t i = 0; ok && i < json_array_size(groups); i++) {
        size_t g = group_for(c, json_string_value(json_array_get(groups, i)));
        ok = g != SEGMENTS_NONE;
        if (ok)
            chosen[n++] = g;
    }
    for (size_t g = 0; ok && g < c->group_count; g++) {
        bool in = false;
        for (size_t k = 0; k < n; k++)
            in = in || chosen[k] == g;
        if (in)
            ok = add_unique(&c->groups[g].segment_ids, id);
        else
            remove_string(&c->groups[g].segment_ids, id);
    }
    free(chosen);
    segments_tidy(c); /* groups left empty, or made and not filled, go */
    return ok;
}

static bool copy_text(char **out, const char *text)
{
    *out = api_copy_string(text);
    return *out != NULL;
}

/* Applies a checked edit to segment s (a new one when creating). */
static bool apply_edit(struct segment *s, struct segment_edit *edit)
{
    char *label = NULL;
    if (edit->label_set && !copy_text(&label, edit->label))
        return false;
    if (edit->label_set) {
        free(s->time.name);
        s->time.name = label;
    }
    if (edit->start_set)
        s->time.start_second = edit->start;
    if (edit->end_set)
        s->time.end_second = edit->end;
    if (edit->days_set)
        s->time.days = edit->days;
    if (edit->spaces_set) {
        string_list_clear(&s->space_ids);
        s->space_ids = edit->space_ids; /* moved */
        edit->space_ids = (struct string_list){ 0 };
    }
    return true;
}

/* --- /time_segments/ ----------------------------------------------------------------- */

static json_t *segment_at(const struct api *api, site_index i)
{
    return wire_encode_segment(api->site->segments, (size_t)i, api->site);
}

/* The segment the path names; SEGMENTS_NONE after answering 404 (or 500). */
static size_t path_segment(struct call *call, const char *id)
{
    const struct segments *c = collection(call->api);
    if (!c) {
        api_respond_out_of_memory(call);
        return SEGMENTS_NONE;
    }
    size_t k = segments_find(c, id);
    if (k == SEGMENTS_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No time segment with id \"%s\".", SAFE(id, safe));
    }
    return k;
}

void api_list_time_segments(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "page", "page_size", NULL };
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    const struct segments *c = collection(call->api);
    site_index *indices = c ? api_index_buffer(c->count) : NULL;
    if (!indices) {
        api_respond_out_of_memory(call);
        return;
    }
    for (size_t k = 0; k < c->count; k++)
        indices[k] = (site_index)k;
    api_respond_list(call, indices, c->count, known, &p, segment_at);
    free(indices);
}

void api_get_time_segment(struct call *call, const char *id)
{
    size_t k = path_segment(call, id);
    if (k != SEGMENTS_NONE)
        api_respond_json(call, 200, segment_at(call->api, (site_index)k));
}

void api_post_time_segments(struct call *call, const char *unused)
{
    (void)unused;
    struct api *api = call->api;
    struct segments *c = collection(api);
    if (!c) {
        api_respond_out_of_memory(call);
        return;
    }
    json_t *json = NULL;
    struct wire_reader r;
    struct wire_error err;
    wire_error_clear(&err);
    if (!api_open_body(call, &json, &r, &err))
        return;
    struct segment_edit edit;
    if (read_segment_edit(api, &r, true, &edit) != WIRE_OK) {
        segment_edit_clear(&edit);
        json_decref(json);
        api_respond_error(call, 400, "%s", err.message);
        return;
    }
    if (c->count >= API_MAX_SEGMENT_COUNT) {
        segment_edit_clear(&edit);
        json_decref(json);
        api_respond_error(call, 400, "time segments: the server holds at most %d; delete some "
                                     "first", API_MAX_SEGMENT_COUNT);
        return;
    }
    char id[SEGMENT_ID_SIZE];
    segments_new_id(c, false, id);
    struct segment segment;
    segment_init(&segment);
    bool ok = copy_text(&segment.time.id, id) && apply_edit(&segment, &edit);
    if (ok)
        ok = segments_take(c, &segment) == 0; /* clears segment on failure */
    else
        segment_clear(&segment);
    if (ok && edit.groups_set)
        ok = set_groups(c, id, edit.groups);
    segment_edit_clear(&edit);
    json_decref(json);
    if (!ok) {
        api_respond_out_of_memory(call);
        return;
    }
    api_changed(api);
    api_respond_json(call, 201, segment_at(api, (site_index)segments_find(c, id)));
}

void api_put_time_segment(struct call *call, const char *id)
{
    size_t k = path_segment(call, id);
    if (k == SEGMENTS_NONE)
        return;
    struct api *api = call->api;
    struct segments *c = api->site->segments;
    json_t *json = NULL;
    struct wire_reader r;
    struct wire_error err;
    wire_error_clear(&err);
    if (!api_open_body(call, &json, &r, &err))
        return;
    struct segment_edit edit;
    if (read_segment_edit(api, &r, false, &edit) != WIRE_OK) {
        segment_edit_clear(&edit);
        json_decref(json);
        api_respond_error(call, 400, "%s", err.message);
        return;
    }
    bool ok = apply_edit(&c->items[k], &edit);
    if (ok && edit.groups_set)
        ok = set_groups(c, c->items[k].time.id, edit.groups);
    segment_edit_clear(&edit);
    json_decref(json);
    if (!ok) {
        api_respond_out_of_memory(call);
        return;
    }
    api_changed(api);
    api_respond_json(call, 200, segment_at(api, (site_index)k));
}

void api_delete_time_segment(struct call *call, const char *id)
{
    size_t k = path_segment(call, id);
    if (k == SEGMENTS_NONE)
        return;
    segments_remove(call->api->site->segments, k);
    api_changed(call->api);
    call->response->status = 204;
}

/* --- counts ------------------------------------------------------------------------ */

/* Adds to the filter the segments a comma-separated list of ids names. */
static bool add_filter_ids(struct api_segment_filter *filter, const struct segments *c,
                           const char *text, bool groups)
{
    while (text && *text) {
        const char *comma = strchr(text, ',');
        size_t len = comma ? (size_t)(comma - text) : strlen(text);
        char id[256];
        if (len > 0 && len < sizeof id) {
            memcpy(id, text, len);
            id[len] = '\0';
            size_t at = groups ? segments_find_group(c, id) : segments_find(c, id);
            const struct string_list *members = groups && at != SEGMENTS_NONE
                                                    ? &c->groups[at].segment_ids
                                                    : NULL;
            size_t adding = groups ? (members ? members->count : 0) : at != SEGMENTS_NONE;
            if (filter->count + adding > filter->room) {
                size_t room = (filter->count + adding) * 2 + 8;
                const struct time_segment **items =
                    realloc(filter->items, room * sizeof *filter->items);
                if (!items)
                    return false;
                filter->items = items;
                filter->room = room;
            }
            if (!groups && at != SEGMENTS_NONE)
                filter->items[filter->count++] = &c->items[at].time;
            for (size_t m = 0; members && m < members->count; m++) {
                size_t s = segments_find(c, members->items[m]);
                if (s != SEGMENTS_NONE)
                    filter->items[filter->count++] = &c->items[s].time;
            }
        }
        text = comma ? comma + 1 : NULL;
    }
    return true;
}

bool api_segments_read_filter(struct call *call, site_index space,
                              struct api_segment_filter *filter)
{
    memset(filter, 0, sizeof *filter);
    const char *ids = api_param(call, "time_segment_id");
    const char *group_ids = api_param(call, "time_segment_group_id");
    if (!ids && !group_ids)
        return true;
    filter->active = true;
    filter->zone = call->api->zones[space];
    const struct segments *c = collection(call->api);
    if (!c || !add_filter_ids(filter, c, ids, false) ||
        !add_filter_ids(filter, c, group_ids, true)) {
        api_segments_filter_clear(filter);
        api_respond_out_of_memory(call);
        return false;
    }
    return true;
}

bool api_segments_keep_minute(const void *context, int64_t minute_ms)
{
    const struct api_segment_filter *filter = context;
    for (size_t k = 0; k < filter->count; k++)
        if (segment_contains(filter->items[k], filter->zone, minute_ms))
            return true;
    return false;
}

void api_segments_filter_clear(struct api_segment_filter *filter)
{
    free(filter->items);
    memset(filter, 0, sizeof *filter);
}

/* --- state ------------------------------------------------------------------------- */

json_t *api_segments_to_json(const struct api *api)
{
    if (!api)
        return NULL;
    const struct segments *c = collection(api);
    json_t *json = c ? wire_encode_segments(c, api->site) : NULL;
    uint64_t next = c && c->last_number < (uint64_t)INT64_MAX ? c->last_number + 1
                                                              : (uint64_t)INT64_MAX;
    if (json && json_object_set_new(json, "next_number", json_integer((json_int_t)next)) != 0) {
        json_decref(json);
        return NULL;
    }
    return json;
}

int api_segments_from_json(struct api *api, const json_t *json, char *error, size_t error_size)
{
    struct wire_error err;
    wire_error_clear(&err);
    struct segments *c = NULL;
    int status = -1;
    const json_t *next = json_object_get(json, "next_number");
    if (!api || !json_is_object(json))
        wire_error_set(&err, "time segments: expected an object with \"time_segments\"");
    else if (next && (!json_is_integer(next) || json_integer_value(next) < 1))
        wire_error_set(&err, "time segments: field \"next_number\": expected a whole number "
                             "from 1");
    else
        status = wire_decode_segments(json_object_get(json, "time_segments"),
                                      json_object_get(json, "time_segment_groups"), &c, &err);
    if (status == 0 && next && c->last_number < (uint64_t)json_integer_value(next) - 1)
        c->last_number = (uint64_t)json_integer_value(next) - 1;
    if (status != 0) {
        if (error && error_size)
            snprintf(error, error_size, "%s", err.message);
        return -1;
    }
    segments_free(api->site->segments);
    api->site->segments = c;
    return 0;
}
