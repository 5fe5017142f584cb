/* api_state.c — what the API can change, as one document: the --state file.
 *
 * The document is a site file (wire/site_file.h) in the API's own shapes,
 * so that `occtop --serve --site STATE` also reads it:
 *   {"occtop_state": 1, "name": ..., "spaces": [...], "doorways": [...],
 *    "sensors": [...], "time_segments": [...], "time_segment_groups": [...],
 *    "time_segment_next_number": n, "webhooks": {"webhooks": [...],
 *    "next_number": n}}
 * The site file loader reads the first six; api_state_restore() the rest
 * (and the segments again, with the number their new ids continue from).
 * Deleted objects are left out; counts are written but the mock starts its
 * simulation from empty spaces anyway. */
#include "net/api.h"
#include "net/api_private.h"

#include <stdio.h>
#include <stdlib.h>

#include "wire/json_model.h"

typedef json_t *(*encode_at_fn)(const struct api *api, size_t i);

static json_t *space_at(const struct api *api, size_t i)
{
    return api_canonical_space(api->site, i) ? api_space_json(api, (site_index)i) : json_null();
}

static json_t *doorway_at(const struct api *api, size_t i)
{
    return api_canonical_doorway(api->site, i) ? api_doorway_json(api, (site_index)i)
                                               : json_null();
}

static json_t *sensor_at(const struct api *api, size_t i)
{
    const struct site *site = api->site;
    bool kept = site->sensors[i].serial &&
                site_find_sensor(site, site->sensors[i].serial) == (site_index)i;
    return kept ? wire_encode_sensor(site, (site_index)i) : json_null();
}

/* Every object encode() gives (null: left out); NULL when memory ran out. */
static json_t *list_of(const struct api *api, size_t count, encode_at_fn encode)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < count; i++) {
        json_t *item = encode(api, i);
        if (item && json_is_null(item)) {
            json_decref(item);
            continue;
        }
        if (!api_append(array, item)) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* The segments' part goes at the top level, where a site file has it. */
static json_t *with_segments(json_t *state, json_t *segments)
{
    if (!state || !segments) {
        json_decref(state);
        json_decref(segments);
        return NULL;
    }
    json_t *next = json_object_get(segments, "next_number");
    int failed = json_object_set(state, "time_segments", json_object_get(segments,
                                                                         "time_segments")) |
                 json_object_set(state, "time_segment_groups",
                                 json_object_get(segments, "time_segment_groups")) |
                 (next ? json_object_set(state, "time_segment_next_number", next) : 0);
    json_decref(segments);
    if (failed) {
        json_decref(state);
        return NULL;
    }
    return state;
}

json_t *api_state_json(const struct api *api)
{
    const struct site *site = api->site;
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "occtop_state", json_integer(1));
    wire_builder_put(&b, "name", site->name ? json_string(site->name) : json_null());
    wire_builder_put(&b, "spaces", list_of(api, site->space_count, space_at));
    wire_builder_put(&b, "doorways", list_of(api, site->doorway_count, doorway_at));
    wire_builder_put(&b, "sensors", list_of(api, site->sensor_count, sensor_at));
    wire_builder_put(&b, "webhooks", api_webhooks_to_json(api));
    return with_segments(wire_builder_finish(&b), api_segments_to_json(api));
}

int api_state_restore(struct api *api, const json_t *state, char *error, size_t error_size)
{
    const json_t *webhooks = json_object_get(state, "webhooks");
    if (webhooks && api_webhooks_from_json(api, webhooks, error, error_size) != 0)
        return -1;
    const json_t *list = json_object_get(state, "time_segments");
    if (!list)
        return 0;
    json_t *segments = json_object();
    const json_t *groups = json_object_get(state, "time_segment_groups");
    const json_t *next = json_object_get(state, "time_segment_next_number");
    if (!segments || json_object_set(segments, "time_segments", (json_t *)list) != 0 ||
        (groups && json_object_set(segments, "time_segment_groups", (json_t *)groups) != 0) ||
        (next && json_object_set(segments, "next_number", (json_t *)next) != 0)) {
        json_decref(segments);
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    int status = api_segments_from_json(api, segments, error, error_size);
    json_decref(segments);
    return status;
}
