/* idmap.c — open-addressing hash map from borrowed string keys to indices. */
#include "core/idmap.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a: ids are short ASCII strings; this is fast and spreads them well. */
static uint32_t hash_key(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

void idmap_init(struct idmap *map)
{
    map->slots = NULL;
    map->capacity = 0;
    map->count = 0;
}

void idmap_free(struct idmap *map)
{
    free(map->slots);
    idmap_init(map);
}

void idmap_clear(struct idmap *map)
{
    if (map->slots)
        memset(map->slots, 0, map->capacity * sizeof *map->slots);
    map->count = 0;
}

static struct idmap_slot *find_slot(struct idmap_slot *slots, size_t capacity,
                                    const char *key, uint32_t hash)
{
    size_t mask = capacity - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        struct idmap_slot *slot = &slots[i];
        if (!slot->key || (slot->hash == hash && strcmp(slot->key, key) == 0))
            return slot;
    }
}

static int grow(struct idmap *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 16;
    if (capacity > SIZE_MAX / sizeof(struct idmap_slot))
        return -1;
    struct idmap_slot *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < map->capacity; i++) {
        const struct idmap_slot *old = &map->slots[i];
        if (old->key)
            *find_slot(slots, capacity, old->key, old->hash) = *old;
    }
    free(map->slots);
    map->slots = slots;
    map->capacity = capacity;
    return 0;
}

int idmap_insert(struct idmap *map, const char *key, int32_t index)
{
    /* Keep the load under 70 % so probes stay short. */
    if ((map->count + 1) * 10 > map->capacity * 7 && grow(map) != 0)
        return -1;
    uint32_t hash = hash_key(key);
    struct idmap_slot *slot = find_slot(map->slots, map->capacity, key, hash);
    if (slot->key)
        return 1;
    slot->key = key;
    slot->hash = hash;
    slot->index = index;
    map->count++;
    return 0;
}

int32_t idmap_find(const struct idmap *map, const char *key)
{
    if (!map->capacity || !key)
        return -1;
    uint32_t hash = hash_key(key);
    const struct idmap_slot *slot = find_slot(map->slots, map->capacity, key, hash);
    return slot->key ? slot->index : -1;
}
