/* site_file.c — loading a site from a JSON file (format in site_file.h). */
#include "wire/site_file.h"

#include <stdlib.h>
#include <string.h>

#include "core/segments.h"
#include "wire/file_read.h"
#include "wire/json_model.h"
#include "wire/segments_json.h"

typedef int (*decode_list_fn)(struct site *site, const json_t *array, const char *name,
                              struct wire_error *err);

/* A list is a GET response envelope or a bare array; elements are named
 * "<name>[i]" either way, i being the index in the results. */
static int load_list(struct site *site, const json_t *value, const char *name,
                     decode_list_fn decode, struct wire_error *err)
{
    if (json_is_array(value))
        return decode(site, value, name, err);
    if (!json_is_object(value)) {
        wire_error_set(err, "%s: expected a GET /%s/ response (with \"results\") or an array, "
                       "got %s", name, name, wire_json_type_name(value));
        return -1;
    }
    struct wire_page page;
    if (wire_decode_page(value, name, &page, err) != 0)
        return -1;
    return decode(site, page.results, name, err);
}

/* "time_segments" and "time_segment_groups" (wire/segments_json.h); with
 * neither, the spaces' own lists are used once the site is linked. */
static int load_segments(struct site *site, const json_t *json, const char *source,
                         struct wire_error *err)
{
    const json_t *list = json_object_get(json, "time_segments");
    const json_t *groups = json_object_get(json, "time_segment_groups");
    if ((!list || json_is_null(list)) && (!groups || json_is_null(groups)))
        return 0;
    struct segments *segments = NULL;
    if (wire_decode_segments(list, groups, &segments, err) != 0) {
        wire_error_prefix(err, "%s", source);
        return -1;
    }
    segments_free(site->segments);
    site->segments = segments;
    return 0;
}

/* The optional parts of the full form: "name", "doorways", "sensors",
 * "time_segments", "time_segment_groups". */
static int load_site_extras(struct site *site, const json_t *json, const char *source,
                            struct wire_error *err)
{
    struct wire_reader r;
    const char *name = NULL;
    if (wire_reader_open(&r, json, source, err) != WIRE_OK ||
        wire_read_string(&r, "name", WIRE_OPTIONAL, &name) == WIRE_ERROR)
        return -1;
    if (name) {
        free(site->name);
        site->name = strdup(name);
        if (!site->name) {
            wire_error_set(err, "%s: out of memory", source);
            return -1;
        }
    }
    const json_t *doorways = json_object_get(json, "doorways");
    if (doorways && !json_is_null(doorways)) {
        site->has_doorway_list = true;
        if (load_list(site, doorways, "doorways", wire_decode_doorway_list, err) != 0) {
            wire_error_prefix(err, "%s", source);
            return -1;
        }
    }
    const json_t *sensors = json_object_get(json, "sensors");
    if (sensors && !json_is_null(sensors)) {
        site->has_sensor_list = true;
        if (load_list(site, sensors, "sensors", wire_decode_sensor_list, err) != 0) {
            wire_error_prefix(err, "%s", source);
            return -1;
        }
    }
    return load_segments(site, json, source, err);
}

/* Tells the three accepted forms apart and loads the spaces. */
static int load_site(struct site *site, const json_t *json, const char *source,
                     struct wire_error *err)
{
    const json_t *spaces = json;
    if (json_is_object(json)) {
        spaces = json_object_get(json, "spaces");
        if (spaces) {
            if (load_site_extras(site, json, source, err) != 0)
                return -1;
        } else if (json_object_get(json, "results")) {
            spaces = json; /* a GET /spaces/ response */
        } else {
            wire_error_set(err, "%s: expected a site file: an object with \"spaces\", a GET "
                           "/spaces/ response (with \"results\") or an array of spaces",
                           source);
            return -1;
        }
    }
    if (load_list(site, spaces, "spaces", wire_decode_space_list, err) != 0) {
        wire_error_prefix(err, "%s", source);
        return -1;
    }
    return 0;
}

static bool only_whitespace(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
            return false;
    return true;
}

int site_file_parse(struct site *site, const char *text, size_t len, const char *source_name,
                    struct wire_error *err)
{
    char source[WIRE_SAFE_SOURCE_SIZE];
    wire_safe_source(source_name ? source_name : "site file", source, sizeof source);
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (only_whitespace(text, len)) {
        wire_error_set(err, "%s: file is empty, expected a site file (JSON)", source);
        return -1;
    }
    json_t *json = wire_json_parse(text, len, source_name ? source_name : "site file", err);
    if (!json)
        return -1;
    int status = load_site(site, json, source, err);
    json_decref(json);
    if (status != 0)
        return -1;
    if (site_link(site) != 0 ||
        (!site->segments && segments_from_nested(site, &site->segments) != 0)) {
        wire_error_set(err, "%s: out of memory while linking the site", source);
        return -1;
    }
    return 0;
}

int site_file_load_bounded(struct site *site, const char *path, size_t max_bytes,
                           struct wire_error *err)
{
    struct wire_file file;
    enum wire_file_status status = wire_file_read(path, max_bytes, 0, &file, err);
    if (status == WIRE_FILE_OK) {
        int result = site_file_parse(site, file.data, file.len, path, err);
        free(file.data);
        return result;
    }
    /* Two of the plain messages also say what the file should have been. */
    char source[WIRE_SAFE_SOURCE_SIZE];
    wire_safe_source(path, source, sizeof source);
    if (status == WIRE_FILE_IS_DIRECTORY) {
        wire_error_set(err, "%s: is a directory, expected a site file (JSON)", source);
    } else if (status == WIRE_FILE_TOO_LARGE) {
        char limit[48];
        wire_file_describe_size(max_bytes, limit, sizeof limit);
        wire_error_set(err, "%s: file is larger than %s, the limit for a site file", source,
                       limit);
    }
    return -1;
}

int site_file_load(struct site *site, const char *path, struct wire_error *err)
{
    return site_file_load_bounded(site, path, SITE_FILE_MAX_BYTES, err);
}
