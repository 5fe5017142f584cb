/* site_zones.c — each space's zone, each unknown zone said once. */
#include "wire/site_zones.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool said_before(const struct site *site, const struct tz_zone **zones, size_t upto,
                        const char *name)
{
    for (size_t j = 0; j < upto; j++)
        if (!zones[j] && site->spaces[j].time_zone && strcmp(site->spaces[j].time_zone, name) == 0)
            return true;
    return false;
}

const struct tz_zone **site_zones_load(struct tzdb *db, const struct site *site,
                                       site_zones_warn_fn warn, void *context)
{
    const struct tz_zone **zones = calloc(site->space_count ? site->space_count : 1,
                                          sizeof *zones);
    if (!zones)
        return NULL;
    for (size_t i = 0; i < site->space_count; i++) {
        const char *name = site->spaces[i].time_zone;
        if (!name)
            continue;
        char error[256];
        zones[i] = tzdb_get(db, name, error, sizeof error);
        if (!zones[i] && warn && !said_before(site, zones, i, name))
            warn(context, error);
    }
    return zones;
}
