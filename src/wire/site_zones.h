/* site_zones.h — the time zone of every space of a site, from the tz
 * database, for the engine, the simulator and analytics. */
#ifndef OCCTOP_WIRE_SITE_ZONES_H
#define OCCTOP_WIRE_SITE_ZONES_H

#include "core/site.h"
#include "core/tz.h"
#include "wire/tzdb.h"

/* Called once per zone name the database cannot give (the spaces that
 * name it then count in UTC), with a one-line, terminal-safe message. */
typedef void (*site_zones_warn_fn)(void *context, const char *message);

/* A calloc'd array with one entry per space (NULL: UTC).  The zones belong
 * to db.  NULL when out of memory. */
const struct tz_zone **site_zones_load(struct tzdb *db, const struct site *site,
                                       site_zones_warn_fn warn, void *context);

#endif
