/* json_model.c — spaces, doorways, sensors, time segments and envelopes. */
#include "wire/json_model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"

/* Room for "<label> (<id>)" in messages. */
enum { WHAT_SIZE = WIRE_PATH_SIZE + WIRE_SAFE_TEXT_SIZE + 8 };

/* --- shared pieces ------------------------------------------------------------ */

/* "space spc_1", or "spaces[3] (spc_1)" when the caller gave a label. */
static void name_object(char *out, size_t size, const char *kind, const char *label,
                        const char *id)
{
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (id)
        wire_safe_text(id, safe, sizeof safe);
    if (label && id)
        snprintf(out, size, "%s (%s)", label, safe);
    else if (label)
        snprintf(out, size, "%s", label);
    else if (id)
        snprintf(out, size, "%s %s", kind, safe);
    else
        snprintf(out, size, "%s", kind);
}

/* Ids are looked up and compared: an empty one is a mistake, not an id. */
static int read_object_id(const struct wire_reader *r, const char *field, unsigned flags,
                          const char **id)
{
    int status = wire_read_string(r, field, flags, id);
    if (status == WIRE_OK && (*id)[0] == '\0')
        return wire_reader_fail(r, field, "expected a non-empty string, got \"\"");
    return status;
}

static int copy_into(const struct wire_reader *r, const char *text, char **out)
{
    free(*out);
    *out = text ? strdup(text) : NULL;
    if (text && !*out)
        return wire_reader_out_of_memory(r);
    return WIRE_OK;
}

/* Reads a field that must be one of the reference's listed words. */
static int read_choice(const struct wire_reader *r, const char *field, const char *choices,
                       bool (*parse)(const char *, int *), int *out)
{
    const char *text = NULL;
    int status = wire_read_string(r, field, WIRE_OPTIONAL, &text);
    if (status != WIRE_OK)
        return status;
    if (!parse(text, out)) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, field, "expected %s, got \"%s\"", choices,
                                wire_safe_text(text, safe, sizeof safe));
    }
    return WIRE_OK;
}

static bool parse_space_type(const char *text, int *out)
{
    enum space_type type;
    if (!space_type_parse(text, &type))
        return false;
    *out = (int)type;
    return true;
}

static bool parse_safe_mode(const char *text, int *out)
{
    enum safe_mode mode;
    if (!safe_mode_parse(text, &mode))
        return false;
    *out = (int)mode;
    return true;
}

static bool parse_counting_mode(const char *text, int *out)
{
    enum counting_mode mode;
    if (!counting_mode_parse(text, &mode))
        return false;
    *out = (int)mode;
    return true;
}

/* A time of day, "HH:MM" or "HH:MM:SS", in seconds after midnight. */
static int read_clock(const struct wire_reader *r, const char *field, unsigned flags,
                      int32_t *out_seconds)
{
    const char *text = NULL;
    int status = wire_read_string(r, field, flags, &text);
    if (status != WIRE_OK)
        return status;
    int32_t seconds = clock_time_parse(text);
    if (seconds < 0) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, field, "expected a time of day \"HH:MM\" or \"HH:MM:SS\", "
                                "got \"%s\"", wire_safe_text(text, safe, sizeof safe));
    }
    *out_seconds = seconds;
    return WIRE_OK;
}

/* [{"id": ..., "name": ...}, ...] as ancestry and time_segment_groups are. */
static int read_named_refs(const struct wire_reader *r, const char *field,
                           struct named_ref **out, size_t *out_count)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, field, WIRE_OPTIONAL, &array);
    if (status != WIRE_OK || json_array_size(array) == 0)
        return status;
    size_t count = json_array_size(array);
    struct named_ref *refs = calloc(count, sizeof *refs);
    if (!refs)
        return wire_reader_out_of_memory(r);
    /* Handed over at once so that the owner's clear() frees a partial list. */
    *out = refs;
    *out_count = count;
    for (size_t i = 0; i < count; i++) {
        struct wire_reader item;
        const char *id = NULL;
        if (wire_read_element(r, field, array, i, &item) != WIRE_OK ||
            read_object_id(&item, "id", WIRE_REQUIRED, &id) != WIRE_OK ||
            copy_into(&item, id, &refs[i].id) != WIRE_OK ||
            wire_read_strdup(&item, "name", WIRE_OPTIONAL, &refs[i].name) == WIRE_ERROR)
            return WIRE_ERROR;
    }
    return WIRE_OK;
}

typedef int (*decode_at_fn)(struct site *site, const json_t *json, const char *label,
                            struct wire_error *err);

static int decode_list(struct site *site, const json_t *array, const char *name,
                       decode_at_fn decode, struct wire_error *err)
{
    if (!json_is_array(array)) {
        wire_error_set(err, "%s: expected an array, got %s", name, wire_json_type_name(array));
        return -1;
    }
    for (size_t i = 0; i < json_array_size(array); i++) {
        char label[WIRE_PATH_SIZE];
        snprintf(label, sizeof label, "%s[%zu]", name, i);
        if (decode(site, json_array_get(array, i), label, err) != 0)
            return -1;
    }
    return 0;
}

/* Links are recorded only once the object is known to be good; on failure the
 * ones recorded so far are taken back so that the site stays as it was. */
struct pending_link {
    const char *link_id;    /* borrowed from the JSON, like the rest */
    const char *other_id;   /* the doorway of a space, the space of a doorway */
    const char *other_name;
    int placement;
};

static int read_pending_links(const struct wire_reader *r, const char *field,
                              struct pending_link **out, size_t *out_count)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, field, WIRE_OPTIONAL, &array);
    if (status != WIRE_OK || json_array_size(array) == 0)
        return status;
    size_t count = json_array_size(array);
    struct pending_link *links = calloc(count, sizeof *links);
    if (!links)
        return wire_reader_out_of_memory(r);
    *out = links;
    *out_count = count;
    for (size_t i = 0; i < count; i++) {
        struct wire_reader item;
        struct pending_link *l = &links[i];
        if (wire_read_element(r, field, array, i, &item) != WIRE_OK ||
            read_object_id(&item, "id", WIRE_REQUIRED, &l->other_id) != WIRE_OK ||
            wire_read_string(&item, "name", WIRE_OPTIONAL, &l->other_name) == WIRE_ERROR ||
            wire_read_string(&item, "link_id", WIRE_OPTIONAL, &l->link_id) == WIRE_ERROR ||
            wire_read_sign(&item, "sensor_placement", &l->placement) != WIRE_OK)
            return WIRE_ERROR;
    }
    return WIRE_OK;
}

static void take_back_links(struct site *site, size_t keep)
{
    while (site->link_count > keep)
        link_clear(&site->links[--site->link_count]);
}

/* --- time segments -------------------------------------------------------------- */

static const struct {
    const char *name;
    uint8_t bit;
} weekdays[] = {
    { "Monday", WEEKDAY_MONDAY },     { "Tuesday", WEEKDAY_TUESDAY },
    { "Wednesday", WEEKDAY_WEDNESDAY }, { "Thursday", WEEKDAY_THURSDAY },
    { "Friday", WEEKDAY_FRIDAY },     { "Saturday", WEEKDAY_SATURDAY },
    { "Sunday", WEEKDAY_SUNDAY },
};
enum { WEEKDAY_COUNT = sizeof weekdays / sizeof weekdays[0] };

static int read_days(const struct wire_reader *r, uint8_t *out)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, "days", WIRE_OPTIONAL, &array);
    if (status != WIRE_OK)
        return status;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        char path[WIRE_PATH_SIZE];
        snprintf(path, sizeof path, "days[%zu]", i);
        if (!json_is_string(item))
            return wire_reader_fail(r, path, "expected a weekday name, got %s",
                                    wire_json_type_name(item));
        size_t day = 0;
        while (day < WEEKDAY_COUNT && strcasecmp(json_string_value(item), weekdays[day].name))
            day++;
        if (day == WEEKDAY_COUNT) {
            char safe[WIRE_SAFE_TEXT_SIZE];
            return wire_reader_fail(r, path, "expected a weekday (Monday to Sunday), got \"%s\"",
                                    wire_safe_text(json_string_value(item), safe, sizeof safe));
        }
        *out |= weekdays[day].bit;
    }
    return WIRE_OK;
}

static int read_time_segment(const struct wire_reader *r, struct time_segment *out)
{
    const char *id = NULL;
    const char *name = NULL;
    if (read_object_id(r, "id", WIRE_REQUIRED, &id) != WIRE_OK ||
        copy_into(r, id, &out->id) != WIRE_OK)
        return WIRE_ERROR;
    /* A space nests segments with "name"; /time_segments/ calls it "label". */
    int status = wire_read_string(r, "name", WIRE_OPTIONAL, &name);
    if (status == WIRE_ABSENT)
        status = wire_read_string(r, "label", WIRE_OPTIONAL, &name);
    if (status == WIRE_ERROR || copy_into(r, name, &out->name) != WIRE_OK)
        return WIRE_ERROR;
    if (read_clock(r, "start", WIRE_REQUIRED, &out->start_second) != WIRE_OK ||
        read_clock(r, "end", WIRE_REQUIRED, &out->end_second) != WIRE_OK ||
        read_days(r, &out->days) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

void wire_time_segment_clear(struct time_segment *segment)
{
    free(segment->id);
    free(segment->name);
    memset(segment, 0, sizeof *segment);
}

int wire_decode_time_segment(const json_t *json, const char *label, struct time_segment *out,
                             struct wire_error *err)
{
    memset(out, 0, sizeof *out);
    struct wire_reader r;
    char what[WHAT_SIZE];
    const char *id = NULL;
    name_object(what, sizeof what, "time segment", label, NULL);
    if (wire_reader_open(&r, json, what, err) != WIRE_OK)
        return -1;
    if (wire_read_string(&r, "id", WIRE_OPTIONAL, &id) == WIRE_OK)
        name_object(what, sizeof what, "time segment", label, id);
    if (read_time_segment(&r, out) != WIRE_OK) {
        wire_time_segment_clear(out);
        return -1;
    }
    return 0;
}

/* --- spaces: decoding ------------------------------------------------------------ */

static int read_space_texts(const struct wire_reader *r, struct space *s)
{
    if (wire_read_strdup(r, "name", WIRE_OPTIONAL, &s->name) == WIRE_ERROR ||
        wire_read_strdup(r, "parent_id", WIRE_OPTIONAL, &s->parent_id) == WIRE_ERROR ||
        wire_read_strdup(r, "function", WIRE_OPTIONAL, &s->function) == WIRE_ERROR ||
        wire_read_strdup(r, "time_zone", WIRE_OPTIONAL, &s->time_zone) == WIRE_ERROR)
        return WIRE_ERROR;
    return WIRE_OK;
}

static int read_space_modes(const struct wire_reader *r, struct space *s)
{
    int type = (int)s->type, safe = (int)s->safe_mode, counting = (int)s->counting_mode;
    if (read_choice(r, "space_type", "one of space, floor, building, campus", parse_space_type,
                    &type) == WIRE_ERROR ||
        read_choice(r, "safe_threshold_mode",
                    "SAFE_CAPACITY, UTILIZATION_PERC_TARGET, UTILIZATION_PERC_LEGAL or null",
                    parse_safe_mode, &safe) == WIRE_ERROR ||
        read_choice(r, "counting_mode", "doorways or component_spaces", parse_counting_mode,
                    &counting) == WIRE_ERROR)
        return WIRE_ERROR;
    s->type = (enum space_type)type;
    s->safe_mode = (enum safe_mode)safe;
    s->counting_mode = (enum counting_mode)counting;
    return WIRE_OK;
}

static int read_daily_reset(const struct wire_reader *r, struct space *s)
{
    int32_t seconds = 0;
    int status = read_clock(r, "daily_reset", WIRE_OPTIONAL, &seconds);
    if (status == WIRE_OK) {
        s->daily_reset_minute = seconds / 60;
        s->daily_reset_present = true;
    }
    return status;
}

static int read_space_numbers(const struct wire_reader *r, struct space *s)
{
    /* A missing current_count is a new space; null would be a broken one. */
    if (wire_read_int(r, "current_count", WIRE_MISSING_OK, 0, INT64_MAX, &s->current_count) ==
            WIRE_ERROR ||
        wire_read_optional_count(r, "capacity", &s->capacity) == WIRE_ERROR ||
        wire_read_optional_count(r, "target_capacity", &s->target_capacity) == WIRE_ERROR ||
        wire_read_optional_count(r, "safe_capacity", &s->safe_capacity) == WIRE_ERROR ||
        wire_read_optional_real(r, "safe_threshold_value", &s->safe_threshold_value) ==
            WIRE_ERROR ||
        wire_read_optional_count(r, "max_dwell_minutes", &s->max_dwell_minutes) == WIRE_ERROR ||
        wire_read_optional_count(r, "sensors_total", &s->sensors_total) == WIRE_ERROR)
        return WIRE_ERROR;
    if (s->safe_threshold_value.present && !(s->safe_threshold_value.value >= 0))
        return wire_reader_fail(r, "safe_threshold_value", "expected a number >= 0, got %g",
                                s->safe_threshold_value.value);
    return WIRE_OK;
}

/* Component spaces come as ids, or as space summaries with an "id". */
static int read_component_spaces(const struct wire_reader *r, struct space *s)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, "component_spaces", WIRE_OPTIONAL, &array);
    if (status != WIRE_OK)
        return status;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        const char *id = NULL;
        if (json_is_string(item) && json_string_value(item)[0] != '\0') {
            id = json_string_value(item);
        } else if (json_is_object(item)) {
            struct wire_reader component;
            if (wire_read_element(r, "component_spaces", array, i, &component) != WIRE_OK ||
                read_object_id(&component, "id", WIRE_REQUIRED, &id) != WIRE_OK)
                return WIRE_ERROR;
        } else {
            char path[WIRE_PATH_SIZE];
            snprintf(path, sizeof path, "component_spaces[%zu]", i);
            return wire_reader_fail(r, path, "expected a space id or an object with \"id\", got %s",
                                    json_is_string(item) ? "\"\""
                                                         : wire_json_type_name(item));
        }
        if (string_list_add(&s->component_space_ids, id) != 0)
            return wire_reader_out_of_memory(r);
    }
    return WIRE_OK;
}

static int read_space_time_segments(const struct wire_reader *r, struct space *s)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, "time_segments", WIRE_OPTIONAL, &array);
    if (status != WIRE_OK || json_array_size(array) == 0)
        return status;
    size_t count = json_array_size(array);
    s->time_segments = calloc(count, sizeof *s->time_segments);
    if (!s->time_segments)
        return wire_reader_out_of_memory(r);
    s->time_segment_count = count;
    for (size_t i = 0; i < count; i++) {
        struct wire_reader item;
        if (wire_read_element(r, "time_segments", array, i, &item) != WIRE_OK ||
            read_time_segment(&item, &s->time_segments[i]) != WIRE_OK)
            return WIRE_ERROR;
    }
    return WIRE_OK;
}

/* The descriptive fields, read leniently: they count for nothing, so a
 * value of an unexpected type is left out rather than refusing the space
 * (real accounts have fields this reader has never seen filled). */
static char *lenient_text(const json_t *object, const char *field)
{
    const json_t *v = json_object_get(object, field);
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static optional_real lenient_real(const json_t *object, const char *field)
{
    const json_t *v = json_object_get(object, field);
    return json_is_number(v) ? optional_real_of(json_number_value(v))
                             : (optional_real){ false, 0.0 };
}

static int64_t lenient_time(const json_t *object, const char *field)
{
    const json_t *v = json_object_get(object, field);
    int64_t ms = 0;
    if (!json_is_string(v) || !timefmt_parse(json_string_value(v), &ms, 0))
        return 0;
    return ms;
}

static void read_teams(const json_t *array, struct space_details *d)
{
    size_t count = json_array_size(array);
    d->teams = count ? calloc(count, sizeof *d->teams) : NULL;
    for (size_t i = 0; d->teams && i < count; i++) {
        const json_t *item = json_array_get(array, i);
        const json_t *id = json_object_get(item, "id");
        const json_t *name = json_object_get(item, "team_name");
        if (!json_is_string(id) || !json_is_string(name))
            continue;
        struct named_ref team = { strdup(json_string_value(id)), strdup(json_string_value(name)) };
        if (!team.id || !team.name) {
            free(team.id);
            free(team.name);
            continue;
        }
        d->teams[d->team_count++] = team;
    }
}

static int read_space_details(const struct wire_reader *r, struct space_details *d)
{
    const json_t *o = r->object;
    d->notes = lenient_text(o, "notes");
    d->description = lenient_text(o, "description");
    d->address = lenient_text(o, "address");
    d->image_url = lenient_text(o, "image_url");
    d->size_area_unit = lenient_text(o, "size_area_unit");
    d->annual_rent_currency = lenient_text(o, "annual_rent_currency");
    const json_t *meta = json_object_get(o, "meta");
    if (meta && !json_is_null(meta))
        d->meta_json = json_dumps(meta, JSON_COMPACT | JSON_ENCODE_ANY);
    d->latitude = lenient_real(o, "latitude");
    d->longitude = lenient_real(o, "longitude");
    d->size_area = lenient_real(o, "size_area");
    d->annual_rent = lenient_real(o, "annual_rent");
    const json_t *floor = json_object_get(o, "floor_level");
    if (json_is_integer(floor))
        d->floor_level = optional_int_of(json_integer_value(floor));
    read_teams(json_object_get(o, "assigned_teams"), d);
    d->created_ms = lenient_time(o, "created_at");
    d->updated_ms = lenient_time(o, "updated_at");
    return WIRE_OK;
}

static int read_space(const struct wire_reader *r, struct space *s, struct pending_link **links,
                      size_t *link_count)
{
    if (read_space_texts(r, s) != WIRE_OK || read_space_modes(r, s) != WIRE_OK ||
        read_daily_reset(r, s) == WIRE_ERROR || read_space_numbers(r, s) != WIRE_OK ||
        read_named_refs(r, "ancestry", &s->ancestry, &s->ancestry_count) == WIRE_ERROR ||
        read_pending_links(r, "doorways", links, link_count) == WIRE_ERROR ||
        wire_read_string_list(r, "tags", WIRE_OPTIONAL, &s->tags) == WIRE_ERROR ||
        read_component_spaces(r, s) == WIRE_ERROR ||
        read_space_time_segments(r, s) == WIRE_ERROR ||
        read_named_refs(r, "time_segment_groups", &s->time_segment_groups,
                        &s->time_segment_group_count) == WIRE_ERROR)
        return WIRE_ERROR;
    return read_space_details(r, &s->details);
}

int wire_decode_space_at(struct site *site, const json_t *json, const char *label,
                         struct wire_error *err)
{
    struct wire_reader r;
    char what[WHAT_SIZE];
    const char *id = NULL;
    name_object(what, sizeof what, "space", label, NULL);
    if (wire_reader_open(&r, json, what, err) != WIRE_OK ||
        read_object_id(&r, "id", WIRE_REQUIRED, &id) != WIRE_OK)
        return -1;
    name_object(what, sizeof what, "space", label, id);

    struct space s;
    space_init(&s);
    struct pending_link *links = NULL;
    size_t link_count = 0;
    int status = copy_into(&r, id, &s.id);
    if (status == WIRE_OK)
        status = read_space(&r, &s, &links, &link_count);

    size_t links_before = site->link_count;
    for (size_t i = 0; status == WIRE_OK && i < link_count; i++) {
        const struct pending_link *l = &links[i];
        if (site_add_link(site, l->link_id, id, l->other_id, l->placement, s.name,
                          l->other_name) != 0)
            status = wire_reader_out_of_memory(&r);
    }
    if (status == WIRE_OK && site_take_space(site, &s) != 0)
        status = wire_reader_out_of_memory(&r);
    if (status != WIRE_OK) {
        take_back_links(site, links_before);
        space_clear(&s);
    }
    free(links);
    return status == WIRE_OK ? 0 : -1;
}

int wire_decode_space(struct site *site, const json_t *json, struct wire_error *err)
{
    return wire_decode_space_at(site, json, NULL, err);
}

int wire_decode_space_list(struct site *site, const json_t *array, const char *name,
                           struct wire_error *err)
{
    return decode_list(site, array, name, wire_decode_space_at, err);
}

/* --- doorways: decoding ----------------------------------------------------------- */

static int read_doorway(const struct wire_reader *r, struct doorway *d, struct pending_link **links,
                        size_t *link_count)
{
    if (wire_read_strdup(r, "name", WIRE_OPTIONAL, &d->name) == WIRE_ERROR ||
        wire_read_strdup(r, "description", WIRE_OPTIONAL, &d->description) == WIRE_ERROR ||
        wire_read_strdup(r, "sensor_serial_number", WIRE_OPTIONAL, &d->sensor_serial) ==
            WIRE_ERROR ||
        read_pending_links(r, "spaces", links, link_count) == WIRE_ERROR ||
        wire_read_string_list(r, "tags", WIRE_OPTIONAL, &d->tags) == WIRE_ERROR)
        return WIRE_ERROR;
    d->created_ms = lenient_time(r->object, "created_at");
    d->updated_ms = lenient_time(r->object, "updated_at");
    /* "" is how some clients unset the sensor; it names no sensor. */
    if (d->sensor_serial && d->sensor_serial[0] == '\0') {
        free(d->sensor_serial);
        d->sensor_serial = NULL;
    }
    return WIRE_OK;
}

int wire_decode_doorway_at(struct site *site, const json_t *json, const char *label,
                           struct wire_error *err)
{
    struct wire_reader r;
    char what[WHAT_SIZE];
    const char *id = NULL;
    name_object(what, sizeof what, "doorway", label, NULL);
    if (wire_reader_open(&r, json, what, err) != WIRE_OK ||
        read_object_id(&r, "id", WIRE_REQUIRED, &id) != WIRE_OK)
        return -1;
    name_object(what, sizeof what, "doorway", label, id);

    struct doorway d;
    doorway_init(&d);
    struct pending_link *links = NULL;
    size_t link_count = 0;
    int status = copy_into(&r, id, &d.id);
    if (status == WIRE_OK)
        status = read_doorway(&r, &d, &links, &link_count);

    size_t links_before = site->link_count;
    for (size_t i = 0; status == WIRE_OK && i < link_count; i++) {
        const struct pending_link *l = &links[i];
        if (site_add_link(site, l->link_id, l->other_id, id, l->placement, l->other_name,
                          d.name) != 0)
            status = wire_reader_out_of_memory(&r);
    }
    if (status == WIRE_OK && site_take_doorway(site, &d) != 0)
        status = wire_reader_out_of_memory(&r);
    if (status != WIRE_OK) {
        take_back_links(site, links_before);
        doorway_clear(&d);
    }
    free(links);
    return status == WIRE_OK ? 0 : -1;
}

int wire_decode_doorway(struct site *site, const json_t *json, struct wire_error *err)
{
    return wire_decode_doorway_at(site, json, NULL, err);
}

int wire_decode_doorway_list(struct site *site, const json_t *array, const char *name,
                             struct wire_error *err)
{
    return decode_list(site, array, name, wire_decode_doorway_at, err);
}

/* --- sensors: decoding ------------------------------------------------------------- */

static int read_sensor(const struct wire_reader *r, struct sensor *s)
{
    const char *status_text = NULL;
    int status = WIRE_OK;
    if (wire_read_strdup(r, "doorway_id", WIRE_OPTIONAL, &s->doorway_id) == WIRE_ERROR ||
        wire_read_strdup(r, "doorway_name", WIRE_OPTIONAL, &s->doorway_name) == WIRE_ERROR ||
        wire_read_strdup(r, "sensor_type", WIRE_OPTIONAL, &s->sensor_type) == WIRE_ERROR ||
        wire_read_strdup(r, "firmware_version", WIRE_OPTIONAL, &s->firmware_version) ==
            WIRE_ERROR ||
        wire_read_string(r, "status", WIRE_OPTIONAL, &status_text) == WIRE_ERROR)
        return WIRE_ERROR;
    s->status = sensor_status_parse(status_text);
    /* The reference writes "2016-09-19T15:45:00": no zone, meant as UTC. */
    status = wire_read_time(r, "last_heartbeat", WIRE_OPTIONAL, TIMEFMT_ALLOW_NO_ZONE,
                            &s->last_heartbeat_ms);
    if (status == WIRE_ERROR)
        return WIRE_ERROR;
    s->last_heartbeat_present = status == WIRE_OK;
    return WIRE_OK;
}

int wire_decode_sensor_at(struct site *site, const json_t *json, const char *label,
                          struct wire_error *err)
{
    struct wire_reader r;
    char what[WHAT_SIZE];
    const char *serial = NULL;
    name_object(what, sizeof what, "sensor", label, NULL);
    if (wire_reader_open(&r, json, what, err) != WIRE_OK ||
        read_object_id(&r, "serial_number", WIRE_OPTIONAL, &serial) == WIRE_ERROR)
        return -1;
    name_object(what, sizeof what, "sensor", label, serial);

    struct sensor s;
    sensor_init(&s);
    int status = copy_into(&r, serial, &s.serial);
    if (status == WIRE_OK)
        status = read_sensor(&r, &s);
    if (status == WIRE_OK && site_take_sensor(site, &s) != 0)
        status = wire_reader_out_of_memory(&r);
    if (status != WIRE_OK)
        sensor_clear(&s);
    return status == WIRE_OK ? 0 : -1;
}

int wire_decode_sensor(struct site *site, const json_t *json, struct wire_error *err)
{
    return wire_decode_sensor_at(site, json, NULL, err);
}

int wire_decode_sensor_list(struct site *site, const json_t *array, const char *name,
                            struct wire_error *err)
{
    return decode_list(site, array, name, wire_decode_sensor_at, err);
}

/* --- the envelope -------------------------------------------------------------------- */

int wire_decode_page(const json_t *json, const char *what, struct wire_page *page,
                     struct wire_error *err)
{
    struct wire_reader r;
    memset(page, 0, sizeof *page);
    if (wire_reader_open(&r, json, what, err) != WIRE_OK ||
        wire_read_array(&r, "results", WIRE_REQUIRED, &page->results) != WIRE_OK)
        return -1;
    /* Every list says "total" except the doorway list, which says "count". */
    const char *total_key = "total";
    if (!wire_reader_get(&r, "total")) {
        if (!wire_reader_get(&r, "count")) {
            wire_error_set(err, "%s: field \"total\" is missing (and there is no \"count\")",
                           what);
            return -1;
        }
        total_key = "count";
    }
    if (wire_read_int(&r, total_key, WIRE_REQUIRED, 0, INT64_MAX, &page->total) != WIRE_OK ||
        wire_read_string(&r, "next", WIRE_OPTIONAL, &page->next) == WIRE_ERROR ||
        wire_read_string(&r, "previous", WIRE_OPTIONAL, &page->previous) == WIRE_ERROR)
        return -1;
    return 0;
}

/* --- encoding ---------------------------------------------------------------------------- */

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* json_array_append_new takes `item` over even when it fails. */
static bool append(json_t *array, json_t *item)
{
    return item && json_array_append_new(array, item) == 0;
}

static json_t *named_ref_json(const char *id, const char *name)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(id));
    wire_builder_put(&b, "name", text_or_null(name));
    return wire_builder_finish(&b);
}

static json_t *string_list_json(const struct string_list *list)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < list->count; i++) {
        if (!append(array, json_string(list->items[i]))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *clock_json(int32_t seconds, bool with_seconds)
{
    char text[16];
    if (with_seconds)
        snprintf(text, sizeof text, "%02d:%02d:%02d", (int)(seconds / 3600),
                 (int)(seconds / 60 % 60), (int)(seconds % 60));
    else
        snprintf(text, sizeof text, "%02d:%02d", (int)(seconds / 3600), (int)(seconds / 60 % 60));
    return json_string(text);
}

static json_t *time_json(bool present, int64_t ms)
{
    if (!present)
        return json_null();
    char text[TIMEFMT_SIZE];
    timefmt_format(ms, text, sizeof text);
    return json_string(text);
}

/* The space's parents, closest first, from the tree; the walk is bounded in
 * case the tree was edited after site_link(). */
static json_t *ancestry_json(const struct site *site, const struct space *s)
{
    json_t *array = json_array();
    if (!array)
        return NULL;
    bool ok = true;
    if (s->parent != SITE_NONE) {
        size_t steps = 0;
        for (site_index p = s->parent; ok && p != SITE_NONE && steps < site->space_count;
             p = site->spaces[p].parent, steps++)
            ok = append(array, named_ref_json(site->spaces[p].id, site->spaces[p].name));
    } else if (s->parent_id) {
        for (size_t i = 0; ok && i < s->ancestry_count; i++)
            ok = append(array, named_ref_json(s->ancestry[i].id, s->ancestry[i].name));
    }
    if (!ok) {
        json_decref(array);
        return NULL;
    }
    return array;
}

static json_t *days_json(uint8_t days)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < WEEKDAY_COUNT; i++) {
        if ((days & weekdays[i].bit) && !append(array, json_string(weekdays[i].name))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *time_segments_json(const struct space *s)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < s->time_segment_count; i++) {
        const struct time_segment *t = &s->time_segments[i];
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "id", text_or_null(t->id));
        wire_builder_put(&b, "name", text_or_null(t->name));
        wire_builder_put(&b, "start", clock_json(t->start_second, true));
        wire_builder_put(&b, "end", clock_json(t->end_second, true));
        wire_builder_put(&b, "days", days_json(t->days));
        if (!append(array, wire_builder_finish(&b))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *named_refs_json(const struct named_ref *refs, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < count; i++) {
        if (!append(array, named_ref_json(refs[i].id, refs[i].name))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* One end of a link as the other end lists it: {id, name, link_id, placement}. */
static json_t *link_end_json(const char *id, const char *name, const struct link *l)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(id));
    wire_builder_put(&b, "name", text_or_null(name));
    wire_builder_put(&b, "link_id", text_or_null(l->id));
    wire_builder_put(&b, "sensor_placement", json_integer(l->placement));
    return wire_builder_finish(&b);
}

static json_t *space_doorways_json(const struct site *site, const struct space *s)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < s->link_count; i++) {
        const struct link *l = &site->links[s->links[i]];
        const char *name = l->doorway != SITE_NONE ? site->doorways[l->doorway].name
                                                   : l->doorway_name;
        if (!append(array, link_end_json(l->doorway_id, name, l))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* "meta" is kept as JSON text: written back as the JSON it was. */
static json_t *meta_json(const char *text)
{
    json_t *meta = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return meta ? meta : json_null();
}

static json_t *teams_json(const struct space_details *d)
{
    json_t *array = json_array();
    for (size_t k = 0; array && k < d->team_count; k++) {
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "id", text_or_null(d->teams[k].id));
        wire_builder_put(&b, "team_name", text_or_null(d->teams[k].name));
        if (!append(array, wire_builder_finish(&b))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

json_t *wire_encode_space(const struct site *site, site_index i)
{
    const struct space *s = &site->spaces[i];
    const struct space_details *d = &s->details;
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(s->id));
    wire_builder_put(&b, "name", text_or_null(s->name));
    wire_builder_put(&b, "notes", text_or_null(d->notes));
    wire_builder_put(&b, "meta", meta_json(d->meta_json));
    wire_builder_put(&b, "description", text_or_null(d->description));
    wire_builder_put(&b, "parent_id", text_or_null(s->parent_id));
    wire_builder_put(&b, "ancestry", ancestry_json(site, s));
    wire_builder_put(&b, "space_type", json_string(space_type_name(s->type)));
    wire_builder_put(&b, "function", text_or_null(s->function));
    wire_builder_put(&b, "capacity", wire_json_int_or_null(s->capacity));
    wire_builder_put(&b, "target_capacity", wire_json_int_or_null(s->target_capacity));
    wire_builder_put(&b, "safe_capacity", wire_json_int_or_null(s->safe_capacity));
    wire_builder_put(&b, "safe_threshold_mode", text_or_null(safe_mode_name(s->safe_mode)));
    wire_builder_put(&b, "safe_threshold_value", wire_json_real_or_null(s->safe_threshold_value));
    wire_builder_put(&b, "max_dwell_minutes", wire_json_int_or_null(s->max_dwell_minutes));
    wire_builder_put(&b, "time_zone", text_or_null(s->time_zone));
    wire_builder_put(&b, "daily_reset",
                     s->daily_reset_present ? clock_json(s->daily_reset_minute * 60, false)
                                            : json_null());
    wire_builder_put(&b, "current_count", json_integer(s->current_count));
    wire_builder_put(&b, "doorways", space_doorways_json(site, s));
    wire_builder_put(&b, "tags", string_list_json(&s->tags));
    wire_builder_put(&b, "address", text_or_null(d->address));
    wire_builder_put(&b, "latitude", wire_json_real_or_null(d->latitude));
    wire_builder_put(&b, "longitude", wire_json_real_or_null(d->longitude));
    wire_builder_put(&b, "counting_mode", json_string(counting_mode_name(s->counting_mode)));
    wire_builder_put(&b, "component_spaces", string_list_json(&s->component_space_ids));
    wire_builder_put(&b, "floor_level", wire_json_int_or_null(d->floor_level));
    wire_builder_put(&b, "space_mappings", json_array());
    wire_builder_put(&b, "time_segments", time_segments_json(s));
    wire_builder_put(&b, "time_segment_groups",
                     named_refs_json(s->time_segment_groups, s->time_segment_group_count));
    wire_builder_put(&b, "size_area", wire_json_real_or_null(d->size_area));
    wire_builder_put(&b, "size_area_unit", text_or_null(d->size_area_unit));
    wire_builder_put(&b, "annual_rent", wire_json_real_or_null(d->annual_rent));
    wire_builder_put(&b, "annual_rent_currency",
                     json_string(d->annual_rent_currency ? d->annual_rent_currency : "USD"));
    wire_builder_put(&b, "assigned_teams", teams_json(d));
    wire_builder_put(&b, "sensors_total", wire_json_int_or_null(s->sensors_total));
    wire_builder_put(&b, "image_url", text_or_null(d->image_url));
    wire_builder_put(&b, "created_at", time_json(d->created_ms != 0, d->created_ms));
    wire_builder_put(&b, "updated_at", time_json(d->updated_ms != 0, d->updated_ms));
    wire_builder_put(&b, "inherits_time_segments", json_false());
    return wire_builder_finish(&b);
}

static json_t *doorway_spaces_json(const struct site *site, const struct doorway *d)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < d->link_count; i++) {
        const struct link *l = &site->links[d->links[i]];
        const char *name = l->space != SITE_NONE ? site->spaces[l->space].name : l->space_name;
        if (!append(array, link_end_json(l->space_id, name, l))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

json_t *wire_encode_doorway(const struct site *site, site_index i)
{
    const struct doorway *d = &site->doorways[i];
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(d->id));
    wire_builder_put(&b, "sensor_serial_number", text_or_null(d->sensor_serial));
    wire_builder_put(&b, "name", text_or_null(d->name));
    wire_builder_put(&b, "description", text_or_null(d->description));
    wire_builder_put(&b, "spaces", doorway_spaces_json(site, d));
    wire_builder_put(&b, "tags", string_list_json(&d->tags));
    wire_builder_put(&b, "created_at", time_json(d->created_ms != 0, d->created_ms));
    wire_builder_put(&b, "updated_at", time_json(d->updated_ms != 0, d->updated_ms));
    wire_builder_put(&b, "multipoint", json_false());
    return wire_builder_finish(&b);
}

json_t *wire_encode_sensor(const struct site *site, site_index i)
{
    const struct sensor *s = &site->sensors[i];
    const char *doorway_name = s->doorway_name;
    if (!doorway_name && s->doorway != SITE_NONE)
        doorway_name = site->doorways[s->doorway].name;
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "uuid", json_null());
    wire_builder_put(&b, "organization_id", json_null());
    wire_builder_put(&b, "serial_number", text_or_null(s->serial));
    wire_builder_put(&b, "doorway_id", text_or_null(s->doorway_id));
    wire_builder_put(&b, "doorway_name", text_or_null(doorway_name));
    wire_builder_put(&b, "sensor_type", text_or_null(s->sensor_type));
    wire_builder_put(&b, "status", s->status == SENSOR_STATUS_UNKNOWN
                                       ? json_null()
                                       : json_string(sensor_status_name(s->status)));
    wire_builder_put(&b, "last_heartbeat",
                     time_json(s->last_heartbeat_present, s->last_heartbeat_ms));
    wire_builder_put(&b, "current_disposition", json_null());
    wire_builder_put(&b, "network_addresses", json_array());
    wire_builder_put(&b, "firmware_version", text_or_null(s->firmware_version));
    wire_builder_put(&b, "created_at", json_null());
    wire_builder_put(&b, "updated_at", json_null());
    return wire_builder_finish(&b);
}

json_t *wire_encode_page(json_t *results, int64_t total, const char *next, const char *previous)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "total", json_integer(total));
    wire_builder_put(&b, "next", text_or_null(next));
    wire_builder_put(&b, "previous", text_or_null(previous));
    wire_builder_put(&b, "results", results);
    return wire_builder_finish(&b);
}
