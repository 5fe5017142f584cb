/* segments_json.c — time segments and their groups in JSON (see the header). */
#include "wire/segments_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/json_model.h"

/* --- encoding ------------------------------------------------------------------ */

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* json_array_append_new takes `item` over even when it fails. */
static bool append(json_t *array, json_t *item)
{
    return item && json_array_append_new(array, item) == 0;
}

json_t *wire_encode_clock(int32_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds > 86399)
        seconds = 86399;
    char text[16];
    snprintf(text, sizeof text, "%02d:%02d:%02d", (int)(seconds / 3600), (int)(seconds / 60 % 60),
             (int)(seconds % 60));
    return json_string(text);
}

json_t *wire_encode_days(uint8_t days)
{
    json_t *array = json_array();
    for (int d = 0; array && d < 7; d++) {
        if (((days >> d) & 1u) && !append(array, json_string(segment_day_name(d)))) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* [{"space_id", "name"}]: the spaces the site knows, or every id (state). */
static json_t *segment_spaces_json(const struct segment *segment, const struct site *site,
                                   bool every_id)
{
    json_t *array = json_array();
    for (size_t k = 0; array && k < segment->space_ids.count; k++) {
        const char *id = segment->space_ids.items[k];
        site_index i = site ? site_find_space(site, id) : SITE_NONE;
        if (i == SITE_NONE && !every_id)
            continue;
        struct wire_builder b = wire_builder_start();
        wire_builder_put(&b, "space_id", json_string(id));
        wire_builder_put(&b, "name",
                         i != SITE_NONE ? text_or_null(site->spaces[i].name) : json_null());
        if (!append(array, wire_builder_finish(&b))) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

static json_t *segment_json(const struct segments *segments, size_t index,
                            const struct site *site, bool every_id)
{
    const struct segment *s = &segments->items[index];
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(s->time.id));
    wire_builder_put(&b, "label", text_or_null(s->time.name));
    wire_builder_put(&b, "start", wire_encode_clock(s->time.start_second));
    wire_builder_put(&b, "end", wire_encode_clock(s->time.end_second));
    wire_builder_put(&b, "spaces", segment_spaces_json(s, site, every_id));
    wire_builder_put(&b, "days", wire_encode_days(s->time.days));
    return wire_builder_finish(&b);
}

json_t *wire_encode_segment(const struct segments *segments, size_t index,
                            const struct site *site)
{
    return segment_json(segments, index, site, false);
}

json_t *wire_encode_space_segment(const struct time_segment *t)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(t->id));
    wire_builder_put(&b, "name", text_or_null(t->name));
    wire_builder_put(&b, "start", wire_encode_clock(t->start_second));
    wire_builder_put(&b, "end", wire_encode_clock(t->end_second));
    wire_builder_put(&b, "days", wire_encode_days(t->days));
    return wire_builder_finish(&b);
}

json_t *wire_encode_segment_group(const struct segment_group *group)
{
    json_t *ids = json_array();
    for (size_t k = 0; ids && k < group->segment_ids.count; k++) {
        if (!append(ids, json_string(group->segment_ids.items[k]))) {
            json_decref(ids);
            ids = NULL;
        }
    }
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", text_or_null(group->id));
    wire_builder_put(&b, "name", text_or_null(group->name));
    wire_builder_put(&b, "time_segments", ids);
    return wire_builder_finish(&b);
}

json_t *wire_encode_segments(const struct segments *segments, const struct site *site)
{
    json_t *list = json_array(), *groups = json_array();
    for (size_t i = 0; list && segments && i < segments->count; i++) {
        if (!append(list, segment_json(segments, i, site, true))) {
            json_decref(list);
            list = NULL;
        }
    }
    for (size_t i = 0; groups && segments && i < segments->group_count; i++) {
        if (!append(groups, wire_encode_segment_group(&segments->groups[i]))) {
            json_decref(groups);
            groups = NULL;
        }
    }
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "time_segments", list);
    wire_builder_put(&b, "time_segment_groups", groups);
    return wire_builder_finish(&b);
}

/* --- decoding ------------------------------------------------------------------ */

/* An id given as a string, or as an object with one of the keys. */
static int read_ref(const struct wire_reader *r, const char *field, const json_t *array,
                    size_t index, const char *key, const char *other_key, const char **out)
{
    const json_t *item = json_array_get(array, index);
    char path[WIRE_PATH_SIZE];
    snprintf(path, sizeof path, "%s[%zu]", field, index);
    if (json_is_string(item)) {
        *out = json_string_value(item);
    } else if (json_is_object(item)) {
        struct wire_reader child;
        if (wire_read_element(r, field, array, index, &child) != WIRE_OK)
            return WIRE_ERROR;
        const char *used = json_object_get(item, key) || !other_key ? key : other_key;
        if (wire_read_string(&child, used, WIRE_REQUIRED, out) != WIRE_OK)
            return WIRE_ERROR;
    } else {
        return wire_reader_fail(r, path, "expected an id or an object with \"%s\", got %s", key,
                                wire_json_type_name(item));
    }
    if ((*out)[0] == '\0')
        return wire_reader_fail(r, path, "expected a non-empty id, got \"\"");
    return WIRE_OK;
}

static int read_ref_list(const struct wire_reader *r, const char *field, const char *key,
                         const char *other_key, struct string_list *out)
{
    const json_t *array = NULL;
    int status = wire_read_array(r, field, WIRE_OPTIONAL, &array);
    if (status != WIRE_OK)
        return status == WIRE_ABSENT ? WIRE_OK : WIRE_ERROR;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *id = NULL;
        if (read_ref(r, field, array, i, key, other_key, &id) != WIRE_OK)
            return WIRE_ERROR;
        if (string_list_contains(out, id))
            continue;
        if (string_list_add(out, id) != 0)
            return wire_reader_out_of_memory(r);
    }
    return WIRE_OK;
}

static int decode_segment(struct segments *c, const json_t *json, const char *label,
                          struct wire_error *err)
{
    struct segment segment;
    segment_init(&segment);
    if (wire_decode_time_segment(json, label, &segment.time, err) != 0)
        return -1;
    if (segments_find(c, segment.time.id) != SEGMENTS_NONE) {
        segment_clear(&segment); /* a repeated id: the first one stands */
        return 0;
    }
    char what[WIRE_PATH_SIZE + WIRE_SAFE_TEXT_SIZE + 8], safe[WIRE_SAFE_TEXT_SIZE];
    snprintf(what, sizeof what, "%s (%s)", label,
             wire_safe_text(segment.time.id, safe, sizeof safe));
    struct wire_reader r;
    if (wire_reader_open(&r, json, what, err) != WIRE_OK ||
        read_ref_list(&r, "spaces", "space_id", "id", &segment.space_ids) != WIRE_OK) {
        segment_clear(&segment);
        return -1;
    }
    if (segments_take(c, &segment) != 0) {
        wire_error_set(err, "%s: out of memory", what);
        return -1;
    }
    return 0;
}

static int decode_group(struct segments *c, const json_t *json, const char *label,
                        struct wire_error *err)
{
    struct wire_reader r;
    struct segment_group group = { 0 };
    const char *id = NULL;
    if (wire_reader_open(&r, json, label, err) != WIRE_OK ||
        wire_read_string(&r, "id", WIRE_REQUIRED, &id) != WIRE_OK)
        return -1;
    if (id[0] == '\0') {
        wire_reader_fail(&r, "id", "expected a non-empty string, got \"\"");
        return -1;
    }
    if (segments_find_group(c, id) != SEGMENTS_NONE)
        return 0;
    group.id = strdup(id);
    if (!group.id || wire_read_strdup(&r, "name", WIRE_OPTIONAL, &group.name) == WIRE_ERROR ||
        read_ref_list(&r, "time_segments", "id", NULL, &group.segment_ids) != WIRE_OK) {
        if (!group.id)
            wire_reader_out_of_memory(&r);
        segment_group_clear(&group);
        return -1;
    }
    if (segments_take_group(c, &group) != 0) {
        wire_reader_out_of_memory(&r);
        return -1;
    }
    return 0;
}

typedef int (*decode_item_fn)(struct segments *c, const json_t *json, const char *label,
                              struct wire_error *err);

static int decode_array(struct segments *c, const json_t *value, const char *name,
                        bool envelope_ok, decode_item_fn decode, struct wire_error *err)
{
    if (!value || json_is_null(value))
        return 0;
    const json_t *array = value;
    if (envelope_ok && json_is_object(value)) {
        struct wire_page page;
        if (wire_decode_page(value, name, &page, err) != 0)
            return -1;
        array = page.results;
    }
    if (!json_is_array(array)) {
        wire_error_set(err, "%s: expected %san array, got %s", name,
                       envelope_ok ? "a GET /time_segments/ response (with \"results\") or " : "",
                       wire_json_type_name(array));
        return -1;
    }
    for (size_t i = 0; i < json_array_size(array); i++) {
        char label[WIRE_PATH_SIZE];
        snprintf(label, sizeof label, "%s[%zu]", name, i);
        if (decode(c, json_array_get(array, i), label, err) != 0)
            return -1;
    }
    return 0;
}

int wire_decode_segments(const json_t *segments, const json_t *groups, struct segments **out,
                         struct wire_error *err)
{
    *out = NULL;
    struct segments *c = segments_new();
    if (!c) {
        wire_error_set(err, "time_segments: out of memory");
        return -1;
    }
    if (decode_array(c, segments, "time_segments", true, decode_segment, err) != 0 ||
        decode_array(c, groups, "time_segment_groups", false, decode_group, err) != 0) {
        segments_free(c);
        return -1;
    }
    segments_tidy(c);
    *out = c;
    return 0;
}
