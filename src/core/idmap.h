/* idmap.h — string id to array index, O(1) on average.
 *
 * Keys are borrowed: the map stores the pointer it is given, so the string
 * must outlive the map (the site owns both).  Open addressing with linear
 * probing; no removal: a site that changes rebuilds its maps. */
#ifndef OCCTOP_CORE_IDMAP_H
#define OCCTOP_CORE_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
    const char *key;
    uint32_t hash;
    int32_t index;
};

struct idmap {
    struct idmap_slot *slots;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
};

void idmap_init(struct idmap *map);
void idmap_free(struct idmap *map);
void idmap_clear(struct idmap *map);

/* Adds key -> index.  Returns 0, 1 if the key was already there (the map keeps
 * the first index: a later duplicate never shadows it), or -1 when out of memory. */
int idmap_insert(struct idmap *map, const char *key, int32_t index);

/* The index stored for key, or -1. */
int32_t idmap_find(const struct idmap *map, const char *key);

#endif
