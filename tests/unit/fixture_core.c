/* fixture_core.c — test helpers that need only core/. */
#include "fixture_core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/timefmt.h"

int64_t fixture_ms(const char *iso)
{
    int64_t ms = 0;
    if (!timefmt_parse(iso, &ms, 0))
        fail_msg("bad timestamp in test: %s", iso);
    return ms;
}

struct space *fixture_add_space(struct site *site, const char *id, const char *name,
                                enum space_type type, const char *parent_id)
{
    struct space s;
    space_init(&s);
    s.id = strdup(id);
    s.name = name ? strdup(name) : NULL;
    s.type = type;
    s.parent_id = parent_id ? strdup(parent_id) : NULL;
    assert_int_equal(site_take_space(site, &s), 0);
    assert_null(s.id); /* moved out */
    return &site->spaces[site->space_count - 1];
}

void fixture_add_doorway(struct site *site, const char *id, const char *serial)
{
    struct doorway d;
    doorway_init(&d);
    d.id = strdup(id);
    d.name = strdup(id);
    d.sensor_serial = serial ? strdup(serial) : NULL;
    assert_int_equal(site_take_doorway(site, &d), 0);
    site->has_doorway_list = true;
}

void fixture_add_sensor(struct site *site, const char *serial, const char *doorway_id)
{
    struct sensor s;
    sensor_init(&s);
    s.serial = serial ? strdup(serial) : NULL;
    s.doorway_id = doorway_id ? strdup(doorway_id) : NULL;
    assert_int_equal(site_take_sensor(site, &s), 0);
    site->has_sensor_list = true;
}
