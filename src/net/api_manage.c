/* api_manage.c — the endpoints that create, change and delete the site's
 * objects: spaces (with tags and assigned teams), doorways (with tags) and
 * the links between them.
 *
 * Choices where the reference is silent (the README's "The mock server"
 * repeats them):
 *
 * Bodies
 *  - A JSON object of at most 64 KiB; anything else is 400 naming "request
 *    body".  Unknown fields are ignored (Django REST Framework ignores
 *    read-only fields); a missing field is left as it was; null clears a
 *    field that may be null.  A change is all or nothing: the first invalid
 *    field is 400 naming it, and nothing changes.
 *  - Creating answers 201 with the object as GET shows it; changing answers
 *    200 with it; deleting answers 204 without a body.
 *  - New ids are the prefix and 18 digits ("spc_", "drw_", "lnk_", "ast_"),
 *    never one the site already holds.
 *
 * Spaces (POST /spaces/, PUT /spaces/:id/)
 *  - name: required on POST; a string of 1 to 255 bytes, not blank.
 *  - space_type: space, floor, building or campus (default space);
 *    function: one of the reference's list, or null.
 *  - The hierarchy's rules are checked against the site as it will be, and
 *    each has its own 400: parent_id must name a space, and not the space
 *    itself or one inside it; a campus has no parent; a building stands
 *    alone or belongs to a campus; a floor belongs to a building; a space
 *    holds at most one child space; a type change must keep the space's
 *    children within the rules; annual_rent only on a building (a space
 *    that stops being a building must drop it: 400 otherwise).
 *  - time_zone: a zone of the tz database; a new space without one takes
 *    its parent's (then UTC).  daily_reset defaults to 04:00.
 *  - capacities and the safe threshold as PUT always took them (see api.c).
 *  - notes, description, address, image_url, size_area_unit,
 *    annual_rent_currency: strings (at most 1,000 bytes) or null; meta: any
 *    JSON (at most 16 KiB written); latitude -90..90, longitude -180..180,
 *    size_area and annual_rent numbers >= 0, floor_level an integer, or null.
 *    annual_rent_currency shows "USD" when not set, as in the reference.
 *  - counting_mode and component_spaces are read-only here (the site file
 *    sets them).
 *  - created_at and updated_at are the wall clock of the request.
 *
 * DELETE /spaces/:id/
 *  - The body must name the space exactly ({"name": "..."}): 400 otherwise.
 *  - A space that still has child spaces is 400: delete or move them first.
 *  - Its links go with it; its history is gone (GET answers 404).
 *
 * Tags and teams
 *  - tag_name: 1 to 64 letters, digits, "_" or "-".  Tagging answers 201
 *    {"tag_name"}, or 200 when the object already had the tag; untagging an
 *    object without that tag is 404.
 *  - team_name: a string of 1 to 255 bytes; the answer is 201 {"id":
 *    "ast_...", "team_name"}; a space's "assigned_teams" lists them in that
 *    shape.  Removing an unknown assignment is 404.
 *
 * Doorways (POST /doorways/, PUT /doorways/:id/, DELETE /doorways/:id/)
 *  - name: required on POST, 1 to 255 bytes, unique among doorways (400
 *    naming the doorway that has it).  description: a string or null.
 *  - sensor_serial_number: a string of 1 to 64 bytes or null.  A sensor is on
 *    one doorway: a serial another doorway has is 400.  A serial the site
 *    does not list becomes a sensor of its own (GET /sensors/ lists it).
 *    Counting follows the change from that moment: earlier events still
 *    count where the sensor was then.
 *  - Deleting a doorway deletes its links; its sensor stays, on no doorway.
 *
 * Links (the reference names POST /links without a section)
 *  - A link is {"id": "lnk_...", "space_id", "doorway_id",
 *    "sensor_placement": 1 or -1}: the doorway counts for the space,
 *    entrances in the direction the placement says (1: the sensor is inside
 *    the space).  GET /links/ (paginated) and GET /links/:id/ show them;
 *    POST /links/ creates one (all three fields required; 400 for an unknown
 *    space or doorway, or a second link between the same two); DELETE
 *    /links/:id/ removes it.  A doorway's "spaces" and a space's "doorways"
 *    show the link_id.
 *  - A new or removed link counts from the next event on; the stream and
 *    webhooks carry events of new spaces at once. */
#include "net/api.h"
#include "net/api_private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/safe.h"
#include "wire/json_model.h"

#define API_MAX_TEXT_LENGTH 1000
#define API_MAX_META_LENGTH (16 * 1024)
#define API_MAX_TAG_LENGTH 64
#define API_MAX_SERIAL_LENGTH 64

/* --- bodies and ids ----------------------------------------------------------------- */

bool api_open_body(struct call *call, json_t **json, struct wire_reader *r,
                   struct wire_error *err)
{
    const struct api_request *q = call->request;
    *json = NULL;
    wire_error_clear(err);
    if (!q->body || q->body_length == 0) {
        api_respond_error(call, 400, "request body: expected a JSON object");
        return false;
    }
    if (q->body_length > API_MAX_BODY_LENGTH) {
        api_respond_error(call, 400, "request body: larger than %d bytes", API_MAX_BODY_LENGTH);
        return false;
    }
    *json = wire_json_parse(q->body, q->body_length, "request body", err);
    if (!*json || wire_reader_open(r, *json, "request body", err) != WIRE_OK) {
        json_decref(*json);
        *json = NULL;
        api_respond_error(call, 400, "%s", err->message);
        return false;
    }
    return true;
}

typedef bool (*id_taken_fn)(const struct site *site, const char *id);

/* prefix + 18 digits, never one `taken` says the site holds. */
static char *new_id(struct api *api, const char *prefix, id_taken_fn taken)
{
    char id[64];
    do {
        snprintf(id, sizeof id, "%s%018llu", prefix,
                 (unsigned long long)(api->next_object_number++ % 1000000000000000000ull));
    } while (taken(api->site, id));
    return api_copy_string(id);
}

static bool space_id_taken(const struct site *site, const char *id)
{
    for (size_t i = 0; i < site->space_count; i++)
        if (site->spaces[i].id && strcmp(site->spaces[i].id, id) == 0)
            return true; /* deleted ones too: an id is never given twice */
    return false;
}

static bool doorway_id_taken(const struct site *site, const char *id)
{
    for (size_t i = 0; i < site->doorway_count; i++)
        if (site->doorways[i].id && strcmp(site->doorways[i].id, id) == 0)
            return true;
    return false;
}

static bool link_id_taken(const struct site *site, const char *id)
{
    for (size_t i = 0; i < site->link_count; i++)
        if (site->links[i].id && strcmp(site->links[i].id, id) == 0)
            return true;
    return false;
}

static bool team_id_taken(const struct site *site, const char *id)
{
    for (size_t i = 0; i < site->space_count; i++)
        for (size_t k = 0; k < site->spaces[i].details.team_count; k++)
            if (strcmp(site->spaces[i].details.teams[k].id, id) == 0)
                return true;
    return false;
}

/* --- a new shape -------------------------------------------------------------------- */

static bool grow_array(void **array, size_t *room, size_t want, size_t size)
{
    if (want <= *room)
        return true;
    size_t grown_room = *room * 2 > want ? *room * 2 : want;
    void *grown = realloc(*array, grown_room * size);
    if (!grown)
        return false;
    memset((char *)grown + *room * size, 0, (grown_room - *room) * size);
    *array = grown;
    *room = grown_room;
    return true;
}

/* Room for a zone per space and a report per sensor, before anything is
 * added, so that running out of memory changes nothing. */
static bool make_room(struct api *api, size_t spaces, size_t sensors)
{
    return grow_array((void **)&api->zones, &api->zone_room, spaces, sizeof *api->zones) &&
           grow_array((void **)&api->sensor_reports, &api->report_room, sensors,
                      sizeof *api->sensor_reports);
}

/* After objects or links were added or deleted: the site relinked, the
 * engine counting the new shape, the caller told.  False when memory ran
 * out (answered 500). */
static bool reshape(struct call *call)
{
    struct api *api = call->api;
    if (site_link(api->site) != 0 || engine_relink(api->engine, api->zones) != 0) {
        api_respond_out_of_memory(call);
        return false;
    }
    if (api->on_topology)
        api->on_topology(api->change_context);
    return true;
}

typedef void (*undo_fn)(struct site *site, site_index i);

/* The end of a POST that made object i (ok false: it ran out of memory on the
 * way, and what was made of it is deleted, never shown): the engine counts
 * the new shape, the caller is told, and the answer is 201 with the object. */
static void answer_made(struct call *call, bool ok, site_index i, size_t made_count,
                        undo_fn undo, encode_fn encode)
{
    if (!ok) {
        if ((size_t)i < made_count)
            undo(call->api->site, i);
        api_respond_out_of_memory(call);
        return;
    }
    if (!reshape(call))
        return;
    api_changed(call->api);
    api_respond_json(call, 201, encode(call->api, i));
}

/* --- spaces: reading an edit ----------------------------------------------------------- */

/* What a POST or PUT asks to change; *_set says the field was in the body. */
struct space_edit {
    bool name_set;
    const char *name;
    bool capacity_set, target_set, safe_capacity_set;
    optional_int capacity, target_capacity, safe_capacity;
    bool mode_set;
    enum safe_mode mode;
    bool value_set;
    optional_real value;
    bool reset_set;
    bool reset_present;
    int32_t reset_minute;
    bool zone_set;
    const char *zone_name; /* NULL: UTC */
    const struct tz_zone *zone;
    bool type_set;
    enum space_type type;
    bool function_set;
    const char *function; /* NULL: null */
    bool parent_set;
    const char *parent_id; /* NULL: no parent */
    site_index parent;
    bool meta_set;
    char *meta_json; /* owned; NULL: null */
    /* Text fields of space_details, by offset. */
    bool text_set[6];
    const char *text[6];
    bool real_set[4];
    optional_real real[4];
    bool floor_set;
    optional_int floor_level;
};

static const struct {
    const char *field;
    size_t offset;
} text_fields[6] = {
    { "notes", offsetof(struct space_details, notes) },
    { "description", offsetof(struct space_details, description) },
    { "address", offsetof(struct space_details, address) },
    { "image_url", offsetof(struct space_details, image_url) },
    { "size_area_unit", offsetof(struct space_details, size_area_unit) },
    { "annual_rent_currency", offsetof(struct space_details, annual_rent_currency) },
};

enum { REAL_LATITUDE, REAL_LONGITUDE, REAL_SIZE_AREA, REAL_ANNUAL_RENT };

static const struct {
    const char *field;
    size_t offset;
    double min, max;
} real_fields[4] = {
    { "latitude", offsetof(struct space_details, latitude), -90.0, 90.0 },
    { "longitude", offsetof(struct space_details, longitude), -180.0, 180.0 },
    { "size_area", offsetof(struct space_details, size_area), 0.0, 1e15 },
    { "annual_rent", offsetof(struct space_details, annual_rent), 0.0, 1e15 },
};

static void space_edit_clear(struct space_edit *edit)
{
    free(edit->meta_json);
    edit->meta_json = NULL;
}

#define API_MAX_CAPACITY INT64_C(2147483647)

/* Missing: not set.  null: set to absent.  Otherwise an integer in range. */
static int read_edit_int(const struct wire_reader *r, const char *field, bool *set,
                         optional_int *out)
{
    const json_t *v = wire_reader_get(r, field);
    if (!v)
        return WIRE_OK;
    *set = true;
    if (json_is_null(v)) {
        *out = (optional_int){ false, 0 };
        return WIRE_OK;
    }
    int64_t value = 0;
    if (wire_read_int(r, field, WIRE_REQUIRED, 0, API_MAX_CAPACITY, &value) != WIRE_OK)
        return WIRE_ERROR;
    *out = optional_int_of(value);
    return WIRE_OK;
}

static int read_edit_name(const struct wire_reader *r, struct space_edit *edit)
{
    if (!wire_reader_get(r, "name"))
        return WIRE_OK;
    if (wire_read_string(r, "name", WIRE_REQUIRED, &edit->name) != WIRE_OK)
        return WIRE_ERROR;
    size_t len = strlen(edit->name);
    if (len > API_MAX_NAME_LENGTH)
        return wire_reader_fail(r, "name", "longer than %d bytes", API_MAX_NAME_LENGTH);
    if (strspn(edit->name, " \t\r\n") == len)
        return wire_reader_fail(r, "name", "must not be blank");
    edit->name_set = true;
    return WIRE_OK;
}

static int read_edit_mode(const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "safe_threshold_mode");
    if (!v)
        return WIRE_OK;
    edit->mode_set = true;
    edit->mode = SAFE_MODE_NONE;
    if (json_is_null(v))
        return WIRE_OK;
    const char *text = NULL;
    if (wire_read_string(r, "safe_threshold_mode", WIRE_REQUIRED, &text) != WIRE_OK)
        return WIRE_ERROR;
    if (!safe_mode_parse(text, &edit->mode) || edit->mode == SAFE_MODE_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, "safe_threshold_mode",
                                "expected SAFE_CAPACITY, UTILIZATION_PERC_TARGET or "
                                "UTILIZATION_PERC_LEGAL, got \"%s\"",
                                SAFE(text, safe));
    }
    return WIRE_OK;
}

static int read_edit_value(const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "safe_threshold_value");
    if (!v)
        return WIRE_OK;
    edit->value_set = true;
    edit->value = (optional_real){ false, 0.0 };
    if (json_is_null(v))
        return WIRE_OK;
    double value = 0.0;
    if (wire_read_real(r, "safe_threshold_value", WIRE_REQUIRED, &value) != WIRE_OK)
        return WIRE_ERROR;
    if (!(value >= 0.0 && value <= 1.0))
        return wire_reader_fail(r, "safe_threshold_value",
                                "expected a proportion from 0 to 1, got %g", value);
    edit->value = optional_real_of(value);
    return WIRE_OK;
}

static int read_edit_reset(const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "daily_reset");
    if (!v)
        return WIRE_OK;
    edit->reset_set = true;
    edit->reset_present = false;
    edit->reset_minute = 4 * 60; /* the reference's default */
    if (json_is_null(v))
        return WIRE_OK;
    const char *text = NULL;
    if (wire_read_string(r, "daily_reset", WIRE_REQUIRED, &text) != WIRE_OK)
        return WIRE_ERROR;
    int32_t seconds = clock_time_parse(text);
    if (seconds < 0 || seconds % 60 != 0) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, "daily_reset",
                                "expected a 24-hour time from 00:00 to 23:59 (\"HH:MM\"), got "
                                "\"%s\"",
                                SAFE(text, safe));
    }
    edit->reset_present = true;
    edit->reset_minute = seconds / 60;
    return WIRE_OK;
}

static int read_edit_zone(struct api *api, const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "time_zone");
    if (!v)
        return WIRE_OK;
    edit->zone_set = true;
    edit->zone_name = NULL;
    edit->zone = NULL;
    if (json_is_null(v))
        return WIRE_OK;
    if (wire_read_string(r, "time_zone", WIRE_REQUIRED, &edit->zone_name) != WIRE_OK)
        return WIRE_ERROR;
    if (!api->tzdb && !(api->tzdb = tzdb_new(NULL)))
        return wire_reader_out_of_memory(r);
    char error[WIRE_ERROR_SIZE];
    edit->zone = tzdb_get(api->tzdb, edit->zone_name, error, sizeof error);
    if (!edit->zone)
        return wire_reader_fail(r, "time_zone", "%s", error);
    return WIRE_OK;
}

/* The threshold as it will be, checked for the field its mode needs. */
static int check_edit_threshold(const struct wire_reader *r, const struct space *current,
                                const struct space_edit *edit)
{
    if (!edit->mode_set && !edit->value_set && !edit->capacity_set && !edit->target_set &&
        !edit->safe_capacity_set)
        return WIRE_OK;
    struct space merged = *current; /* a shallow view: only numbers change */
    if (edit->capacity_set)
        merged.capacity = edit->capacity;
    if (edit->target_set)
        merged.target_capacity = edit->target_capacity;
    if (edit->safe_capacity_set)
        merged.safe_capacity = edit->safe_capacity;
    if (edit->mode_set)
        merged.safe_mode = edit->mode;
    if (edit->value_set)
        merged.safe_threshold_value = edit->value;
    struct safe_limit limit = safe_limit_of(&merged);
    if (merged.safe_mode != SAFE_MODE_NONE && !limit.present)
        return wire_reader_fail(r, "safe_threshold_mode", "%s needs %s",
                                safe_mode_name(merged.safe_mode),
                                limit.missing ? limit.missing : "more fields");
    return WIRE_OK;
}


static const char *const functions[] = {
    "amenities_space", "break_room", "cafe", "collaboration", "conference_room", "dining_area",
    "event_space", "focus_quiet", "gym", "kitchen", "lab", "library", "lounge", "meeting_room",
    "office", "phone_booth", "place_of_worship", "reception", "restroom", "retail", "theater",
    "wellness_room",
};

static int read_edit_type(const struct wire_reader *r, struct space_edit *edit)
{
    if (!wire_reader_get(r, "space_type"))
        return WIRE_OK;
    const char *text = NULL;
    if (wire_read_string(r, "space_type", WIRE_REQUIRED, &text) != WIRE_OK)
        return WIRE_ERROR;
    if (!space_type_parse(text, &edit->type)) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, "space_type",
                                "expected space, floor, building or campus, got \"%s\"",
                                SAFE(text, safe));
    }
    edit->type_set = true;
    return WIRE_OK;
}

static int read_edit_function(const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "function");
    if (!v)
        return WIRE_OK;
    edit->function_set = true;
    if (json_is_null(v))
        return WIRE_OK;
    if (wire_read_string(r, "function", WIRE_REQUIRED, &edit->function) != WIRE_OK)
        return WIRE_ERROR;
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (strcmp(functions[i], edit->function) == 0)
            return WIRE_OK;
    char safe[WIRE_SAFE_TEXT_SIZE];
    return wire_reader_fail(r, "function", "not a space function: \"%s\" (for example "
                            "office, cafe, meeting_room)", SAFE(edit->function, safe));
}

static int read_edit_parent(struct api *api, const struct wire_reader *r,
                            struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "parent_id");
    if (!v)
        return WIRE_OK;
    edit->parent_set = true;
    edit->parent = SITE_NONE;
    if (json_is_null(v))
        return WIRE_OK;
    if (wire_read_string(r, "parent_id", WIRE_REQUIRED, &edit->parent_id) != WIRE_OK)
        return WIRE_ERROR;
    edit->parent = site_find_space(api->site, edit->parent_id);
    if (edit->parent == SITE_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, "parent_id", "no space with id \"%s\"",
                                SAFE(edit->parent_id, safe));
    }
    return WIRE_OK;
}

static int read_edit_meta(const struct wire_reader *r, struct space_edit *edit)
{
    const json_t *v = wire_reader_get(r, "meta");
    if (!v)
        return WIRE_OK;
    edit->meta_set = true;
    if (json_is_null(v))
        return WIRE_OK;
    edit->meta_json = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!edit->meta_json)
        return wire_reader_out_of_memory(r);
    if (strlen(edit->meta_json) > API_MAX_META_LENGTH)
        return wire_reader_fail(r, "meta", "longer than %d bytes written as JSON",
                                API_MAX_META_LENGTH);
    return WIRE_OK;
}

static int read_edit_details(const struct wire_reader *r, struct space_edit *edit)
{
    for (size_t k = 0; k < sizeof text_fields / sizeof text_fields[0]; k++) {
        const char *field = text_fields[k].field;
        if (!wire_reader_get(r, field))
            continue;
        edit->text_set[k] = true;
        if (wire_read_string(r, field, WIRE_OPTIONAL, &edit->text[k]) == WIRE_ERROR)
            return WIRE_ERROR;
        if (edit->text[k] && strlen(edit->text[k]) > API_MAX_TEXT_LENGTH)
            return wire_reader_fail(r, field, "longer than %d bytes", API_MAX_TEXT_LENGTH);
    }
    for (size_t k = 0; k < sizeof real_fields / sizeof real_fields[0]; k++) {
        const char *field = real_fields[k].field;
        if (!wire_reader_get(r, field))
            continue;
        edit->real_set[k] = true;
        if (wire_read_optional_real(r, field, &edit->real[k]) == WIRE_ERROR)
            return WIRE_ERROR;
        double value = edit->real[k].value;
        if (edit->real[k].present &&
            !(value >= real_fields[k].min && value <= real_fields[k].max))
            return wire_reader_fail(r, field, "expected a number from %g to %g, got %g",
                                    real_fields[k].min, real_fields[k].max, value);
    }
    if (wire_reader_get(r, "floor_level")) {
        edit->floor_set = true;
        int64_t level = 0;
        int got = wire_read_int(r, "floor_level", WIRE_OPTIONAL, -1000, 1000, &level);
        if (got == WIRE_ERROR)
            return WIRE_ERROR;
        edit->floor_level = got == WIRE_OK ? optional_int_of(level) : (optional_int){ false, 0 };
    }
    return WIRE_OK;
}

static int read_space_edit(struct api *api, const struct wire_reader *r,
                           const struct space *current, struct space_edit *edit)
{
    memset(edit, 0, sizeof *edit);
    edit->parent = SITE_NONE;
    if (read_edit_name(r, edit) != WIRE_OK ||
        read_edit_int(r, "capacity", &edit->capacity_set, &edit->capacity) != WIRE_OK ||
        read_edit_int(r, "target_capacity", &edit->target_set, &edit->target_capacity) !=
            WIRE_OK ||
        read_edit_int(r, "safe_capacity", &edit->safe_capacity_set, &edit->safe_capacity) !=
            WIRE_OK ||
        read_edit_mode(r, edit) != WIRE_OK || read_edit_value(r, edit) != WIRE_OK ||
        read_edit_reset(r, edit) != WIRE_OK || read_edit_zone(api, r, edit) != WIRE_OK ||
        read_edit_type(r, edit) != WIRE_OK || read_edit_function(r, edit) != WIRE_OK ||
        read_edit_parent(api, r, edit) != WIRE_OK || read_edit_meta(r, edit) != WIRE_OK ||
        read_edit_details(r, edit) != WIRE_OK)
        return WIRE_ERROR;
    return check_edit_threshold(r, current, edit);
}

/* --- spaces: the hierarchy's rules -------------------------------------------------------- */

static bool is_inside(const struct site *site, site_index space, site_index ancestor)
{
    for (site_index at = space; at != SITE_NONE; at = site->spaces[at].parent)
        if (at == ancestor)
            return true;
    return false;
}

/* A child space of `parent` other than `except`, or SITE_NONE. */
static site_index other_child_space(const struct site *site, site_index parent, site_index except)
{
    for (site_index c = site->spaces[parent].first_child; c != SITE_NONE;
         c = site->spaces[c].next_sibling)
        if (c != except && site->spaces[c].type == SPACE_TYPE_SPACE)
            return c;
    return SITE_NONE;
}

/* The space as it will be (`self` SITE_NONE for a new one), checked against
 * campus > building > floor > space and the one-child-space rule. */
static int check_hierarchy(const struct api *api, const struct wire_reader *r, site_index self,
                           const struct space_edit *edit)
{
    const struct site *site = api->site;
    const struct space *current = self != SITE_NONE ? &site->spaces[self] : NULL;
    enum space_type type = edit->type_set ? edit->type : current ? current->type
                                                                 : SPACE_TYPE_SPACE;
    site_index parent = edit->parent_set ? edit->parent : current ? current->parent : SITE_NONE;
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (self != SITE_NONE && parent != SITE_NONE && is_inside(site, parent, self))
        return wire_reader_fail(r, "parent_id", "%s is this space or inside it: a space "
                                "cannot be its own ancestor",
                                SAFE(site->spaces[parent].id, safe));
    const struct space *parent_space = parent != SITE_NONE ? &site->spaces[parent] : NULL;
    if (!site_parent_allowed(type, parent_space))
        return wire_reader_fail(r, edit->parent_set ? "parent_id" : "space_type",
                                "%s: a %s cannot have %s%s", site_parent_rule(type),
                                space_type_name(type),
                                parent_space ? "a parent of type " : "no parent",
                                parent_space ? space_type_name(parent_space->type) : "");
    if (type == SPACE_TYPE_SPACE && parent_space && parent_space->type == SPACE_TYPE_SPACE) {
        site_index other = other_child_space(site, parent, self);
        if (other != SITE_NONE)
            return wire_reader_fail(r, "parent_id", "a space has at most one child space, and "
                                    "%s already has %s",
                                    SAFE(parent_space->id, safe), site->spaces[other].id);
    }
    for (site_index c = current ? current->first_child : SITE_NONE; c != SITE_NONE;
         c = site->spaces[c].next_sibling) {
        struct space as_parent = *current; /* a shallow view: only the type changes */
        as_parent.type = type;
        if (!site_parent_allowed(site->spaces[c].type, &as_parent))
            return wire_reader_fail(r, "space_type", "its child %s %s would break the rule "
                                    "(%s)", space_type_name(site->spaces[c].type),
                                    SAFE(site->spaces[c].id, safe),
                                    site_parent_rule(site->spaces[c].type));
    }
    bool rent = edit->real_set[REAL_ANNUAL_RENT]
                    ? edit->real[REAL_ANNUAL_RENT].present
                    : current && current->details.annual_rent.present;
    if (rent && type != SPACE_TYPE_BUILDING)
        return wire_reader_fail(r, "annual_rent", "only a building has an annual rent (this "
                                "is a %s)", space_type_name(type));
    return WIRE_OK;
}

/* --- spaces: applying an edit ----------------------------------------------------------------- */

static bool replace_text(char **slot, bool set, const char *text)
{
    if (!set)
        return true;
    char *copy = text ? api_copy_string(text) : NULL;
    if (text && !copy)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

/* Applies a checked edit.  Strings are copied one by one; running out of
 * memory halfway leaves a consistent space with part of the edit (and the
 * answer is 500). */
static bool apply_space_edit(struct api *api, site_index i, struct space_edit *edit,
                             int64_t now_ms)
{
    struct space *s = &api->site->spaces[i];
    bool ok = replace_text(&s->name, edit->name_set, edit->name) &&
              replace_text(&s->function, edit->function_set, edit->function) &&
              replace_text(&s->parent_id, edit->parent_set, edit->parent_id) &&
              replace_text(&s->time_zone, edit->zone_set, edit->zone_name);
    for (size_t k = 0; ok && k < sizeof text_fields / sizeof text_fields[0]; k++)
        ok = replace_text((char **)((char *)&s->details + text_fields[k].offset),
                          edit->text_set[k], edit->text[k]);
    if (!ok)
        return false;
    for (size_t k = 0; k < sizeof real_fields / sizeof real_fields[0]; k++)
        if (edit->real_set[k])
            *(optional_real *)((char *)&s->details + real_fields[k].offset) = edit->real[k];
    if (edit->floor_set)
        s->details.floor_level = edit->floor_level;
    if (edit->meta_set) {
        free(s->details.meta_json);
        s->details.meta_json = edit->meta_json;
        edit->meta_json = NULL;
    }
    if (edit->type_set)
        s->type = edit->type;
    if (edit->capacity_set)
        s->capacity = edit->capacity;
    if (edit->target_set)
        s->target_capacity = edit->target_capacity;
    if (edit->safe_capacity_set)
        s->safe_capacity = edit->safe_capacity;
    if (edit->mode_set)
        s->safe_mode = edit->mode;
    if (edit->value_set)
        s->safe_threshold_value = edit->value;
    if (edit->reset_set) {
        s->daily_reset_present = edit->reset_present;
        s->daily_reset_minute = edit->reset_minute;
    }
    if (edit->zone_set)
        api->zones[i] = edit->zone;
    if (!s->details.created_ms)
        s->details.created_ms = now_ms;
    s->details.updated_ms = now_ms;
    return true;
}

/* --- spaces: the endpoints ------------------------------------------------------------------- */

/* The body of a POST or PUT read and checked against the space as it is
 * (an empty one for a new space).  False after answering 400. */
static bool read_checked_edit(struct call *call, site_index self, const struct space *current,
                              struct space_edit *edit, json_t **json)
{
    struct wire_error err;
    struct wire_reader r;
    if (!api_open_body(call, json, &r, &err))
        return false;
    if (read_space_edit(call->api, &r, current, edit) != WIRE_OK ||
        check_hierarchy(call->api, &r, self, edit) != WIRE_OK) {
        space_edit_clear(edit);
        json_decref(*json);
        *json = NULL;
        api_respond_error(call, 400, "%s", err.message);
        return false;
    }
    return true;
}

void api_put_space(struct call *call, const char *id)
{
    struct api *api = call->api;
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct space_edit edit;
    json_t *json = NULL;
    if (!read_checked_edit(call, i, &api->site->spaces[i], &edit, &json))
        return;
    bool moved = edit.parent_set || edit.type_set || edit.name_set;
    bool applied = apply_space_edit(api, i, &edit, call->request->wall_ms);
    space_edit_clear(&edit);
    json_decref(json); /* the edit borrowed from it */
    if (!applied) {
        api_respond_out_of_memory(call);
        return;
    }
    engine_update_space(api->engine, i, api->zones[i]);
    if (moved && !reshape(call)) /* the tree's order and rules */
        return;
    api_changed(api);
    api_respond_json(call, 200, api_space_json(api, i));
}

void api_post_spaces(struct call *call, const char *unused)
{
    (void)unused;
    struct api *api = call->api;
    struct space blank;
    space_init(&blank);
    blank.daily_reset_present = true; /* shown as the reference shows a new space: "04:00" */
    struct space_edit edit;
    json_t *json = NULL;
    if (!read_checked_edit(call, SITE_NONE, &blank, &edit, &json))
        return;
    if (!edit.name_set) {
        space_edit_clear(&edit);
        json_decref(json);
        api_respond_error(call, 400, "request body: field \"name\": required");
        return;
    }
    site_index i = (site_index)api->site->space_count;
    blank.id = new_id(api, "spc_", space_id_taken);
    if (!edit.zone_set && edit.parent != SITE_NONE) { /* the parent's zone, by default */
        const struct space *parent = &api->site->spaces[edit.parent];
        edit.zone_set = parent->time_zone != NULL;
        edit.zone_name = parent->time_zone;
        edit.zone = api->zones[edit.parent];
    }
    bool ok = blank.id && make_room(api, (size_t)i + 1, api->site->sensor_count) &&
              site_take_space(api->site, &blank) == 0;
    ok = ok && apply_space_edit(api, i, &edit, call->request->wall_ms);
    space_edit_clear(&edit);
    json_decref(json);
    space_clear(&blank);
    answer_made(call, ok, i, api->site->space_count, site_delete_space, api_space_json);
}

void api_delete_space(struct call *call, const char *id)
{
    struct api *api = call->api;
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct wire_error err;
    struct wire_reader r;
    json_t *json = NULL;
    const char *name = NULL;
    if (!api_open_body(call, &json, &r, &err))
        return;
    const struct space *s = &api->site->spaces[i];
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (wire_read_string(&r, "name", WIRE_REQUIRED, &name) != WIRE_OK) {
        api_respond_error(call, 400, "%s", err.message);
    } else if (!s->name || strcmp(name, s->name) != 0) {
        api_respond_error(call, 400, "name: must be the space's current name exactly (\"%s\")",
                          SAFE(s->name, safe));
    } else if (s->first_child != SITE_NONE) {
        api_respond_error(call, 400, "space %s has child spaces (%s first): delete or move them "
                          "first", SAFE(s->id, safe), api->site->spaces[s->first_child].id);
    } else {
        site_delete_space(api->site, i);
        if (reshape(call)) {
            api_changed(api);
            call->response->status = 204;
        }
    }
    json_decref(json);
}

/* --- tags ------------------------------------------------------------------------------------- */

static bool valid_tag(const char *tag)
{
    size_t length = strlen(tag);
    if (length == 0 || length > API_MAX_TAG_LENGTH)
        return false;
    for (size_t k = 0; k < length; k++)
        if (!isalnum((unsigned char)tag[k]) && tag[k] != '_' && tag[k] != '-')
            return false;
    return true;
}

static void answer_tag(struct call *call, int status, const char *tag)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "tag_name", json_string(tag));
    api_respond_json(call, status, wire_builder_finish(&b));
}

/* POST .../tags/ on an object's tag list. */
static void add_tag(struct call *call, struct string_list *tags)
{
    struct wire_error err;
    struct wire_reader r;
    json_t *json = NULL;
    const char *tag = NULL;
    if (!api_open_body(call, &json, &r, &err))
        return;
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (wire_read_string(&r, "tag_name", WIRE_REQUIRED, &tag) != WIRE_OK) {
        api_respond_error(call, 400, "%s", err.message);
    } else if (!valid_tag(tag)) {
        api_respond_error(call, 400, "tag_name: 1 to %d letters, digits, \"_\" or \"-\", got "
                          "\"%s\"", API_MAX_TAG_LENGTH, SAFE(tag, safe));
    } else if (string_list_contains(tags, tag)) {
        answer_tag(call, 200, tag);
    } else if (string_list_add(tags, tag) != 0) {
        api_respond_out_of_memory(call);
    } else {
        api_changed(call->api);
        answer_tag(call, 201, tag);
    }
    json_decref(json);
}

static void remove_tag(struct call *call, struct string_list *tags, const char *tag)
{
    for (size_t k = 0; k < tags->count; k++) {
        if (strcmp(tags->items[k], tag) != 0)
            continue;
        free(tags->items[k]);
        memmove(&tags->items[k], &tags->items[k + 1], (tags->count - k - 1) * sizeof(char *));
        tags->count--;
        api_changed(call->api);
        call->response->status = 204;
        return;
    }
    char safe[WIRE_SAFE_TEXT_SIZE];
    api_respond_error(call, 404, "No tag \"%s\" on this object.", SAFE(tag, safe));
}

void api_post_space_tag(struct call *call, const char *id)
{
    site_index i = api_path_space(call, id);
    if (i != SITE_NONE)
        add_tag(call, &call->api->site->spaces[i].tags);
}

void api_delete_space_tag(struct call *call, const char *id)
{
    site_index i = api_path_space(call, id);
    if (i != SITE_NONE)
        remove_tag(call, &call->api->site->spaces[i].tags, call->segments[3]);
}

/* --- assigned teams ---------------------------------------------------------------------------- */

void api_post_space_team(struct call *call, const char *id)
{
    struct api *api = call->api;
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct wire_error err;
    struct wire_reader r;
    json_t *json = NULL;
    const char *team = NULL;
    if (!api_open_body(call, &json, &r, &err))
        return;
    struct space_details *d = &api->site->spaces[i].details;
    if (wire_read_string(&r, "team_name", WIRE_REQUIRED, &team) != WIRE_OK) {
        api_respond_error(call, 400, "%s", err.message);
    } else if (!team[0] || strlen(team) > API_MAX_NAME_LENGTH) {
        api_respond_error(call, 400, "team_name: 1 to %d bytes", API_MAX_NAME_LENGTH);
    } else {
        struct named_ref *grown = realloc(d->teams, (d->team_count + 1) * sizeof *grown);
        char *team_id = new_id(api, "ast_", team_id_taken);
        char *name = api_copy_string(team);
        if (grown)
            d->teams = grown;
        if (!grown || !team_id || !name) {
            free(team_id);
            free(name);
            api_respond_out_of_memory(call);
        } else {
            d->teams[d->team_count++] = (struct named_ref){ team_id, name };
            api_changed(api);
            struct wire_builder b = wire_builder_start();
            wire_builder_put(&b, "id", json_string(team_id));
            wire_builder_put(&b, "team_name", json_string(name));
            api_respond_json(call, 201, wire_builder_finish(&b));
        }
    }
    json_decref(json);
}

void api_delete_space_team(struct call *call, const char *id)
{
    site_index i = api_path_space(call, id);
    if (i == SITE_NONE)
        return;
    struct space_details *d = &call->api->site->spaces[i].details;
    const char *team_id = call->segments[3];
    for (size_t k = 0; k < d->team_count; k++) {
        if (strcmp(d->teams[k].id, team_id) != 0)
            continue;
        free(d->teams[k].id);
        free(d->teams[k].name);
        memmove(&d->teams[k], &d->teams[k + 1], (d->team_count - k - 1) * sizeof *d->teams);
        d->team_count--;
        api_changed(call->api);
        call->response->status = 204;
        return;
    }
    char safe[WIRE_SAFE_TEXT_SIZE];
    api_respond_error(call, 404, "No assigned team \"%s\" on this space.", SAFE(team_id, safe));
}

/* --- doorways ------------------------------------------------------------------------------------ */

struct doorway_edit {
    bool name_set, description_set, serial_set;
    const char *name, *description, *serial; /* borrowed from the body */
};

static site_index path_doorway(struct call *call, const char *id)
{
    site_index i = site_find_doorway(call->api->site, id);
    if (i == SITE_NONE) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No doorway with id \"%s\".", SAFE(id, safe));
    }
    return i;
}

static int read_doorway_serial(const struct api *api, const struct wire_reader *r,
                               site_index self, struct doorway_edit *edit)
{
    if (!wire_reader_get(r, "sensor_serial_number"))
        return WIRE_OK;
    edit->serial_set = true;
    if (wire_read_string(r, "sensor_serial_number", WIRE_OPTIONAL, &edit->serial) == WIRE_ERROR)
        return WIRE_ERROR;
    if (!edit->serial)
        return WIRE_OK;
    size_t length = strlen(edit->serial);
    if (length == 0 || length > API_MAX_SERIAL_LENGTH)
        return wire_reader_fail(r, "sensor_serial_number", "1 to %d bytes, or null",
                                API_MAX_SERIAL_LENGTH);
    const struct site *site = api->site;
    for (size_t d = 0; d < site->doorway_count; d++) {
        const struct doorway *other = &site->doorways[d];
        if ((site_index)d != self && !other->deleted && other->sensor_serial &&
            strcmp(other->sensor_serial, edit->serial) == 0) {
            char safe[WIRE_SAFE_TEXT_SIZE];
            return wire_reader_fail(r, "sensor_serial_number", "sensor %s is on doorway %s: "
                                    "a sensor is on one doorway", SAFE(edit->serial, safe),
                                    other->id);
        }
    }
    return WIRE_OK;
}

static int read_doorway_edit(const struct api *api, const struct wire_reader *r,
                             site_index self, struct doorway_edit *edit)
{
    memset(edit, 0, sizeof *edit);
    if (wire_reader_get(r, "name")) {
        edit->name_set = true;
        if (wire_read_string(r, "name", WIRE_REQUIRED, &edit->name) != WIRE_OK)
            return WIRE_ERROR;
        size_t length = strlen(edit->name);
        if (length > API_MAX_NAME_LENGTH || strspn(edit->name, " \t\r\n") == length)
            return wire_reader_fail(r, "name", "1 to %d bytes, not blank", API_MAX_NAME_LENGTH);
        for (size_t d = 0; d < api->site->doorway_count; d++) {
            const struct doorway *other = &api->site->doorways[d];
            if ((site_index)d != self && !other->deleted && other->name &&
                strcmp(other->name, edit->name) == 0)
                return wire_reader_fail(r, "name", "doorway %s already has this name: a "
                                        "doorway's name is unique", other->id);
        }
    }
    if (wire_reader_get(r, "description")) {
        edit->description_set = true;
        if (wire_read_string(r, "description", WIRE_OPTIONAL, &edit->description) ==
            WIRE_ERROR)
            return WIRE_ERROR;
        if (edit->description && strlen(edit->description) > API_MAX_TEXT_LENGTH)
            return wire_reader_fail(r, "description", "longer than %d bytes",
                                    API_MAX_TEXT_LENGTH);
    }
    return read_doorway_serial(api, r, self, edit);
}

/* The site's sensor record for a serial, made when the site has none. */
static bool place_sensor(struct api *api, const char *serial, const struct doorway *doorway)
{
    struct site *site = api->site;
    for (size_t i = 0; i < site->sensor_count; i++) {
        struct sensor *s = &site->sensors[i];
        if (!s->serial || strcmp(s->serial, serial) != 0)
            continue;
        return replace_text(&s->doorway_id, true, doorway->id) &&
               replace_text(&s->doorway_name, true, doorway->name);
    }
    if (!make_room(api, site->space_count, site->sensor_count + 1))
        return false;
    struct sensor made;
    sensor_init(&made);
    made.serial = api_copy_string(serial);
    made.doorway_id = api_copy_string(doorway->id);
    made.doorway_name = api_copy_string(doorway->name);
    made.sensor_type = api_copy_string("virtual");
    made.status = SENSOR_STATUS_ONLINE;
    if (!made.serial || !made.doorway_id || !made.doorway_name || !made.sensor_type) {
        sensor_clear(&made);
        return false;
    }
    return site_take_sensor(site, &made) == 0;
}

/* The sensor leaves the doorway: its record says it is on none. */
static void unplace_sensor(struct site *site, const char *serial)
{
    site_index i = serial ? site_find_sensor(site, serial) : SITE_NONE;
    if (i == SITE_NONE)
        return;
    struct sensor *s = &site->sensors[i];
    free(s->doorway_id);
    free(s->doorway_name);
    s->doorway_id = s->doorway_name = NULL;
}

static bool apply_doorway_edit(struct api *api, site_index i, const struct doorway_edit *edit,
                               int64_t now_ms)
{
    struct doorway *d = &api->site->doorways[i];
    if (!replace_text(&d->name, edit->name_set, edit->name) ||
        !replace_text(&d->description, edit->description_set, edit->description))
        return false;
    if (edit->serial_set) {
        bool same = d->sensor_serial && edit->serial && strcmp(d->sensor_serial, edit->serial) == 0;
        if (!same) {
            unplace_sensor(api->site, d->sensor_serial);
            if (!replace_text(&d->sensor_serial, true, edit->serial) ||
                (edit->serial && !place_sensor(api, edit->serial, d)))
                return false;
            if ((size_t)i < api->site->doorway_count &&
                engine_set_doorway_sensor(api->engine, i, d->sensor_serial,
                                          engine_now(api->engine)) != 0)
                return false;
        }
    }
    if (!d->created_ms)
        d->created_ms = now_ms;
    d->updated_ms = now_ms;
    return true;
}

static bool read_checked_doorway(struct call *call, site_index self, struct doorway_edit *edit,
                                 json_t **json)
{
    struct wire_error err;
    struct wire_reader r;
    if (!api_open_body(call, json, &r, &err))
        return false;
    if (read_doorway_edit(call->api, &r, self, edit) != WIRE_OK) {
        json_decref(*json);
        *json = NULL;
        api_respond_error(call, 400, "%s", err.message);
        return false;
    }
    return true;
}

void api_post_doorways(struct call *call, const char *unused)
{
    (void)unused;
    struct api *api = call->api;
    struct doorway_edit edit;
    json_t *json = NULL;
    if (!read_checked_doorway(call, SITE_NONE, &edit, &json))
        return;
    if (!edit.name_set) {
        json_decref(json);
        api_respond_error(call, 400, "request body: field \"name\": required");
        return;
    }
    struct doorway made;
    doorway_init(&made);
    made.id = new_id(api, "drw_", doorway_id_taken);
    site_index i = (site_index)api->site->doorway_count;
    /* The engine learns of the doorway (and its sensor) when it relinks. */
    struct doorway_edit later = edit;
    edit.serial_set = false;
    bool ok = made.id && site_take_doorway(api->site, &made) == 0 &&
              apply_doorway_edit(api, i, &edit, call->request->wall_ms);
    if (ok && later.serial_set && later.serial)
        ok = replace_text(&api->site->doorways[i].sensor_serial, true, later.serial) &&
             place_sensor(api, later.serial, &api->site->doorways[i]);
    json_decref(json);
    doorway_clear(&made);
    answer_made(call, ok, i, api->site->doorway_count, site_delete_doorway, api_doorway_json);
}

void api_put_doorway(struct call *call, const char *id)
{
    struct api *api = call->api;
    site_index i = path_doorway(call, id);
    if (i == SITE_NONE)
        return;
    struct doorway_edit edit;
    json_t *json = NULL;
    if (!read_checked_doorway(call, i, &edit, &json))
        return;
    bool ok = apply_doorway_edit(api, i, &edit, call->request->wall_ms);
    json_decref(json);
    if (!ok) {
        api_respond_out_of_memory(call);
        return;
    }
    if (!reshape(call)) /* names shown beside links, sensors' doorways */
        return;
    api_changed(api);
    api_respond_json(call, 200, api_doorway_json(api, i));
}

void api_delete_doorway(struct call *call, const char *id)
{
    site_index i = path_doorway(call, id);
    if (i == SITE_NONE)
        return;
    site_delete_doorway(call->api->site, i);
    if (!reshape(call))
        return;
    api_changed(call->api);
    call->response->status = 204;
}

void api_post_doorway_tag(struct call *call, const char *id)
{
    site_index i = path_doorway(call, id);
    if (i != SITE_NONE)
        add_tag(call, &call->api->site->doorways[i].tags);
}

void api_delete_doorway_tag(struct call *call, const char *id)
{
    site_index i = path_doorway(call, id);
    if (i != SITE_NONE)
        remove_tag(call, &call->api->site->doorways[i].tags, call->segments[3]);
}

/* --- links ------------------------------------------------------------------------------------ */

static json_t *link_json(const struct api *api, site_index i)
{
    const struct link *l = &api->site->links[i];
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", l->id ? json_string(l->id) : json_null());
    wire_builder_put(&b, "space_id", json_string(l->space_id));
    wire_builder_put(&b, "doorway_id", json_string(l->doorway_id));
    wire_builder_put(&b, "sensor_placement", json_integer(l->placement >= 0 ? 1 : -1));
    return wire_builder_finish(&b);
}

/* Links with an id, whose two ends the site has. */
static bool listed_link(const struct site *site, size_t i)
{
    const struct link *l = &site->links[i];
    return l->id && l->space != SITE_NONE && l->doorway != SITE_NONE;
}

static site_index path_link(struct call *call, const char *id)
{
    const struct site *site = call->api->site;
    for (size_t i = 0; i < site->link_count; i++)
        if (listed_link(site, i) && strcmp(site->links[i].id, id) == 0)
            return (site_index)i;
    char safe[WIRE_SAFE_TEXT_SIZE];
    api_respond_error(call, 404, "No link with id \"%s\".", SAFE(id, safe));
    return SITE_NONE;
}

void api_list_links(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "page", "page_size", NULL };
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    const struct site *site = call->api->site;
    site_index *indices = api_index_buffer(site->link_count);
    if (!indices) {
        api_respond_out_of_memory(call);
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < site->link_count; i++)
        if (listed_link(site, i))
            indices[count++] = (site_index)i;
    api_respond_list(call, indices, count, known, &p, link_json);
    free(indices);
}

void api_get_link(struct call *call, const char *id)
{
    site_index i = path_link(call, id);
    if (i != SITE_NONE)
        api_respond_json(call, 200, link_json(call->api, i));
}

void api_post_links(struct call *call, const char *unused)
{
    (void)unused;
    struct api *api = call->api;
    struct wire_error err;
    struct wire_reader r;
    json_t *json = NULL;
    if (!api_open_body(call, &json, &r, &err))
        return;
    const char *space_id = NULL, *doorway_id = NULL;
    int placement = 0;
    site_index space = SITE_NONE, doorway = SITE_NONE;
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (wire_read_string(&r, "space_id", WIRE_REQUIRED, &space_id) != WIRE_OK ||
        wire_read_string(&r, "doorway_id", WIRE_REQUIRED, &doorway_id) != WIRE_OK ||
        wire_read_sign(&r, "sensor_placement", &placement) != WIRE_OK) {
        api_respond_error(call, 400, "%s", err.message);
    } else if ((space = site_find_space(api->site, space_id)) == SITE_NONE) {
        api_respond_error(call, 400, "space_id: no space with id \"%s\"", SAFE(space_id, safe));
    } else if ((doorway = site_find_doorway(api->site, doorway_id)) == SITE_NONE) {
        api_respond_error(call, 400, "doorway_id: no doorway with id \"%s\"",
                          SAFE(doorway_id, safe));
    } else {
        const struct space *s = &api->site->spaces[space];
        for (size_t k = 0; k < s->link_count; k++)
            if (api->site->links[s->links[k]].doorway == doorway) {
                api_respond_error(call, 400, "doorway_id: %s is already linked to space %s "
                                  "(delete that link to change it)", SAFE(doorway_id, safe),
                                  s->id);
                json_decref(json);
                return;
            }
        char *link_id = new_id(api, "lnk_", link_id_taken);
        bool ok = link_id && site_add_link(api->site, link_id, space_id, doorway_id, placement,
                                           NULL, NULL) == 0;
        json_decref(json);
        json = NULL;
        if (!ok) {
            free(link_id);
            api_respond_out_of_memory(call);
            return;
        }
        if (!reshape(call)) {
            free(link_id);
            return;
        }
        api_changed(api);
        site_index made = SITE_NONE;
        for (size_t i = 0; i < api->site->link_count && made == SITE_NONE; i++)
            if (api->site->links[i].id && strcmp(api->site->links[i].id, link_id) == 0)
                made = (site_index)i;
        free(link_id);
        if (made == SITE_NONE)
            api_respond_out_of_memory(call);
        else
            api_respond_json(call, 201, link_json(api, made));
    }
    json_decref(json);
}

void api_delete_link(struct call *call, const char *id)
{
    struct site *site = call->api->site;
    site_index i = path_link(call, id);
    if (i == SITE_NONE)
        return;
    link_clear(&site->links[i]);
    memmove(&site->links[i], &site->links[i + 1],
            (site->link_count - (size_t)i - 1) * sizeof *site->links);
    site->link_count--;
    if (!reshape(call))
        return;
    api_changed(call->api);
    call->response->status = 204;
}
