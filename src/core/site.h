/* site.h — the Density object model: spaces, doorways, sensors, the links
 * between doorways and spaces, and the site that holds them all.
 *
 * Ownership: a struct site owns every string and array reachable from it.
 * Objects are built outside (by the JSON decoder, the simulator, a test),
 * then moved in with site_take_*(), which leaves the source empty.
 *
 * After adding objects, call site_link(): it indexes ids (O(1) lookup),
 * merges the two views of each link (a space's "doorways" and a doorway's
 * "spaces"), builds the tree from parent_id, and validates the hierarchy.
 * Every problem it finds is recorded in site->problems with the ids involved,
 * and the site stays usable: see site_link() for how each case is handled.
 *
 * Indices (site_index) stay valid until the next site_take_*() or site_link();
 * pointers into the arrays are invalidated by site_take_*(). */
#ifndef OCCTOP_CORE_SITE_H
#define OCCTOP_CORE_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/idmap.h"
#include "core/optional.h"

typedef int32_t site_index;
#define SITE_NONE ((site_index)-1)

enum space_type {
    SPACE_TYPE_SPACE = 0, /* the API's default */
    SPACE_TYPE_FLOOR,
    SPACE_TYPE_BUILDING,
    SPACE_TYPE_CAMPUS,
};

enum safe_mode {
    SAFE_MODE_NONE = 0,         /* safe_threshold_mode is null */
    SAFE_MODE_SAFE_CAPACITY,    /* unsafe when count > safe_capacity */
    SAFE_MODE_PERC_TARGET,      /* unsafe when count > value x target_capacity */
    SAFE_MODE_PERC_LEGAL,       /* unsafe when count > value x capacity */
};

enum counting_mode {
    COUNTING_DOORWAYS = 0,
    COUNTING_COMPONENT_SPACES,
};

enum sensor_status {
    SENSOR_STATUS_UNKNOWN = 0,
    SENSOR_STATUS_ONLINE,
    SENSOR_STATUS_OFFLINE,
};

/* Why a space is marked in the tree (bits of space.flags). */
enum space_flag {
    SPACE_FLAG_DUPLICATE_ID = 1u << 0, /* an earlier space has this id */
    SPACE_FLAG_ORPHAN = 1u << 1,       /* parent_id names no space: shown at top level */
    SPACE_FLAG_IN_CYCLE = 1u << 2,     /* part of a parent cycle: shown at top level */
    SPACE_FLAG_BAD_PARENT = 1u << 3,   /* parent's type breaks campus > building > floor > space */
    SPACE_FLAG_TOO_MANY_CHILDREN = 1u << 4, /* a space with more than one child space */
    SPACE_FLAG_BAD_LINK = 1u << 5,     /* links a doorway the site does not know */
};

struct string_list {
    char **items;
    size_t count;
};

/* An {id, name} pair as the API nests it (ancestry, time_segment_groups). */
struct named_ref {
    char *id;
    char *name;
};

enum weekday_bit {
    WEEKDAY_MONDAY = 1u << 0,
    WEEKDAY_TUESDAY = 1u << 1,
    WEEKDAY_WEDNESDAY = 1u << 2,
    WEEKDAY_THURSDAY = 1u << 3,
    WEEKDAY_FRIDAY = 1u << 4,
    WEEKDAY_SATURDAY = 1u << 5,
    WEEKDAY_SUNDAY = 1u << 6,
};

struct time_segment {
    char *id;
    char *name;           /* "name" inside a space, "label" at /time_segments */
    int32_t start_second; /* seconds after local midnight */
    int32_t end_second;
    uint8_t days;         /* enum weekday_bit */
};

/* One doorway-to-space association.  The API shows it from both ends; the
 * model keeps it once. */
struct link {
    char *id;          /* link_id; may be NULL when a listing leaves it out */
    char *space_id;
    char *doorway_id;
    int placement;     /* sensor_placement: +1 sensor inside the space, -1 outside */
    site_index space;   /* resolved by site_link(); SITE_NONE if unknown */
    site_index doorway; /* resolved by site_link(); SITE_NONE if unknown */
    char *doorway_name; /* the name given beside the link, used when the doorway is unknown */
    char *space_name;
};

/* What the API stores about a space and shows, without counting with it.
 * Free-form "meta" is kept as JSON text (core does not parse JSON). */
struct space_details {
    char *notes;
    char *description;
    char *meta_json;      /* NULL: null */
    char *address;
    char *image_url;
    optional_real latitude, longitude;
    optional_int floor_level;
    optional_real size_area;
    char *size_area_unit;
    optional_real annual_rent; /* buildings only (the API refuses it elsewhere) */
    char *annual_rent_currency;
    struct named_ref *teams;   /* assigned_teams: id ("ast_...") and team_name */
    size_t team_count;
    int64_t created_ms, updated_ms; /* 0: not known */
};

struct space {
    char *id;
    char *name;
    char *parent_id;      /* NULL for a root */
    enum space_type type;
    char *function;       /* NULL or one of the API's functions (kept as text: the list grows) */
    char *time_zone;      /* tz database name; NULL when not given */
    int32_t daily_reset_minute; /* minutes after local midnight; 04:00 when not given */
    bool daily_reset_present;
    int64_t current_count;
    optional_int capacity;        /* the legal capacity */
    optional_int target_capacity;
    optional_int safe_capacity;
    enum safe_mode safe_mode;
    optional_real safe_threshold_value;
    optional_int max_dwell_minutes;
    enum counting_mode counting_mode;
    struct string_list component_space_ids;
    struct string_list tags;
    optional_int sensors_total;
    struct named_ref *ancestry; /* as the server sent it; closest first */
    size_t ancestry_count;
    struct time_segment *time_segments;
    size_t time_segment_count;
    struct named_ref *time_segment_groups;
    size_t time_segment_group_count;
    struct space_details details;
    /* Deleted through the API: kept in place so that every index stays
     * valid, but site_link() leaves it out (no id, no tree, no links). */
    bool deleted;

    /* Filled by site_link(). */
    site_index *links; /* indices into site.links */
    size_t link_count;
    site_index parent;
    site_index first_child;
    site_index next_sibling;
    int32_t depth;      /* 0 for a root */
    uint32_t flags;     /* enum space_flag */
};

struct doorway {
    char *id;
    char *name;
    char *description;
    char *sensor_serial; /* NULL when no sensor is attached */
    struct string_list tags;
    int64_t created_ms, updated_ms; /* 0: not known */
    bool deleted;        /* as space.deleted */

    /* Filled by site_link(). */
    site_index *links;
    size_t link_count;
    site_index sensor;
};

struct sensor {
    char *serial;
    char *doorway_id;
    char *doorway_name;
    char *sensor_type;
    char *firmware_version;
    enum sensor_status status;
    bool last_heartbeat_present;
    int64_t last_heartbeat_ms; /* Unix time in milliseconds, UTC */

    /* Filled by site_link(). */
    site_index doorway;
};

enum site_problem_kind {
    SITE_PROBLEM_DUPLICATE_ID,
    SITE_PROBLEM_MISSING_PARENT,
    SITE_PROBLEM_PARENT_CYCLE,
    SITE_PROBLEM_BAD_PARENT_TYPE,
    SITE_PROBLEM_TOO_MANY_CHILD_SPACES,
    SITE_PROBLEM_UNKNOWN_DOORWAY,
    SITE_PROBLEM_UNKNOWN_SPACE,
    SITE_PROBLEM_UNKNOWN_COMPONENT,
    SITE_PROBLEM_LINK_CONFLICT,
    SITE_PROBLEM_UNKNOWN_SENSOR_DOORWAY,
    SITE_PROBLEM_SENSOR_WITHOUT_SERIAL,
};

struct site_problem {
    enum site_problem_kind kind;
    char *id;        /* the object the problem is about */
    char *other_id;  /* the id it refers to (parent, doorway, ...), or NULL */
    char *message;   /* one line, terminal-safe, names the ids and what occtop did */
};

struct segments;

struct site {
    char *name; /* may be NULL */

    struct space *spaces;
    size_t space_count, space_capacity;
    struct doorway *doorways;
    size_t doorway_count, doorway_capacity;
    struct sensor *sensors;
    size_t sensor_count, sensor_capacity;
    struct link *links;
    size_t link_count, link_capacity;

    /* Whether the input had a doorway list / sensor list at all: without one,
     * references to doorways cannot be checked and are not reported. */
    bool has_doorway_list;
    bool has_sensor_list;

    /* The site-level time segments and their groups (core/segments.h), as
     * the mock server serves them; NULL when there are none.  Owned: freed
     * by site_free().  (A monitor's spaces carry theirs in time_segments.) */
    struct segments *segments;

    /* Filled by site_link(). */
    struct idmap space_ids, doorway_ids, sensor_serials;
    site_index first_root;
    struct site_problem *problems;
    size_t problem_count, problem_capacity;
};

/* --- objects --------------------------------------------------------- */

void space_init(struct space *s);   /* zero, with the API's defaults */
void space_clear(struct space *s);  /* frees and re-inits */
void space_details_clear(struct space_details *d); /* frees and zeroes */
void doorway_init(struct doorway *d);
void doorway_clear(struct doorway *d);
void sensor_init(struct sensor *s);
void sensor_clear(struct sensor *s);
void link_clear(struct link *l);

void string_list_clear(struct string_list *list);
int string_list_add(struct string_list *list, const char *text); /* copies; 0 or -1 */
bool string_list_contains(const struct string_list *list, const char *text);

const char *space_type_name(enum space_type type);         /* "space", "floor", ... */
bool space_type_parse(const char *text, enum space_type *out);
const char *safe_mode_name(enum safe_mode mode);           /* API spelling, or NULL for NONE */
bool safe_mode_parse(const char *text, enum safe_mode *out); /* case-insensitive (the reference
                                                                spells one "UTILIZATION_PERC_LEGAl") */
const char *counting_mode_name(enum counting_mode mode);
bool counting_mode_parse(const char *text, enum counting_mode *out);
const char *sensor_status_name(enum sensor_status status);
enum sensor_status sensor_status_parse(const char *text); /* unknown text gives UNKNOWN */

/* "HH:MM" or "HH:MM:SS" (24-hour) to seconds after midnight; -1 if malformed. */
int32_t clock_time_parse(const char *text);

/* --- the site -------------------------------------------------------- */

struct site *site_new(void);
void site_free(struct site *site);

/* Move an object into the site.  The source is left initialised and empty
 * whether or not the call succeeds.  Return 0, or -1 when out of memory. */
int site_take_space(struct site *site, struct space *space);
int site_take_doorway(struct site *site, struct doorway *doorway);
int site_take_sensor(struct site *site, struct sensor *sensor);

/* Record a link as either end reports it; duplicates are merged by
 * site_link().  Strings are copied; names may be NULL. */
int site_add_link(struct site *site, const char *link_id, const char *space_id,
                  const char *doorway_id, int placement,
                  const char *space_name, const char *doorway_name);

/* campus > building > floor > space: whether a space of type `child` may
 * have `parent` (NULL: none), and the rule in words when it may not. */
bool site_parent_allowed(enum space_type child, const struct space *parent);
const char *site_parent_rule(enum space_type child);

/* Deletion keeps the object as a tombstone (see space.deleted) and drops
 * every link to it; call site_link() afterwards.  Deleting a space does not
 * touch its children: the caller refuses that case. */
void site_delete_space(struct site *site, site_index space);
/* Drops every link whose space id (space_end) or doorway id is `id`. */
void site_unlink(struct site *site, const char *id, bool space_end);
void site_delete_doorway(struct site *site, site_index doorway);

/* Index, resolve, build the tree and validate; see the file comment.
 * Safe to call again after more objects are added.  Returns 0, or -1 when
 * out of memory (the site is then only fit for site_free()). */
int site_link(struct site *site);

site_index site_find_space(const struct site *site, const char *id);
site_index site_find_doorway(const struct site *site, const char *id);
site_index site_find_sensor(const struct site *site, const char *serial);

/* Pre-order walk of the tree without recursion (a hierarchy may be
 * thousands of levels deep).  Start with site->first_root; SITE_NONE ends. */
site_index site_walk_next(const struct site *site, site_index current);

/* The same walk, but skipping the children of `current`. */
site_index site_walk_skip(const struct site *site, site_index current);

#endif
