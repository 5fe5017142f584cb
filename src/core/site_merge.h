/* site_merge.h — a running client's site brought to the shape a fresh
 * listing of the server's spaces describes: spaces made, renamed, moved or
 * deleted while the client runs (the monitor follows them).
 *
 * Indices of the spaces the site keeps never move, so every per-space array
 * of the client stays valid: spaces the listing adds are appended, spaces it
 * lacks become tombstones (space.deleted), spaces whose description changed
 * take the listing's fields in place.  Pure: no I/O. */
#ifndef OCCTOP_CORE_SITE_MERGE_H
#define OCCTOP_CORE_SITE_MERGE_H

#include "core/site.h"

/* `fresh` holds every space of the server (a whole /spaces/ listing, linked
 * with site_link()).  Links follow the fresh spaces' doorways; a doorway the
 * site lacks is added with the id and name the link gives.  Returns 1 when
 * the shape changed (site_link(site) has run), 0 when nothing changed, -1
 * when out of memory (the site is then only fit for site_free()).  What
 * moved into `site` is taken out of `fresh`. */
int site_merge(struct site *site, struct site *fresh);

#endif
