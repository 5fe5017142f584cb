/* memo.c — answers kept under the inputs they came from; see memo.h.
 *
 * An entry is one allocation: the key's bytes, then the value's.  The slot
 * keeps the key's hash, so that a lookup compares bytes only when the
 * hashes agree.  The hash reads the key eight bytes at a time: keys are a
 * few kilobytes (a counts answer of 24 samples makes about 2.8 KB) and are
 * hashed on every request. */
#include "core/memo.h"

#include <stdlib.h>
#include <string.h>

struct memo_entry {
    uint64_t hash;
    size_t key_length, value_length;
    unsigned char *data; /* key_length bytes of key, then the value; NULL: empty */
};

struct memo {
    struct memo_entry *slots;
    size_t slot_count;
    size_t max_entry_bytes;
    struct memo_stats stats;
};

/* --- keys ------------------------------------------------------------------ */

void memo_key_reset(struct memo_key *key)
{
    key->length = 0;
    key->failed = false;
}

void memo_key_free(struct memo_key *key)
{
    free(key->bytes);
    *key = (struct memo_key){ 0 };
}

static bool key_reserve(struct memo_key *key, size_t size)
{
    if (key->failed)
        return false;
    if (size <= key->room - key->length)
        return true;
    size_t room = key->room ? key->room : 256;
    while (room - key->length < size) {
        if (room > SIZE_MAX / 2) {
            key->failed = true;
            return false;
        }
        room *= 2;
    }
    unsigned char *bytes = realloc(key->bytes, room);
    if (!bytes) {
        key->failed = true;
        return false;
    }
    key->bytes = bytes;
    key->room = room;
    return true;
}

void memo_key_add(struct memo_key *key, const void *data, size_t size)
{
    if (size == 0 || !key_reserve(key, size))
        return;
    memcpy(key->bytes + key->length, data, size);
    key->length += size;
}

void memo_key_add_int(struct memo_key *key, int64_t value)
{
    memo_key_add(key, &value, sizeof value);
}

void memo_key_add_bool(struct memo_key *key, bool value)
{
    unsigned char byte = value ? 1 : 0;
    memo_key_add(key, &byte, 1);
}

void memo_key_add_real(struct memo_key *key, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    memo_key_add(key, &bits, sizeof bits);
}

void memo_key_add_text(struct memo_key *key, const char *text)
{
    if (!text) {
        memo_key_add_int(key, -1);
        return;
    }
    size_t length = strlen(text);
    memo_key_add_int(key, (int64_t)length);
    memo_key_add(key, text, length);
}

/* A 64-bit multiply-xorshift over 8-byte words, then the tail. */
static uint64_t hash_bytes(const unsigned char *bytes, size_t length)
{
    const uint64_t multiplier = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t hash = length * multiplier;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        memcpy(&word, bytes + i, sizeof word);
        hash = (hash ^ word) * multiplier;
        hash ^= hash >> 29;
    }
    uint64_t tail = 0;
    if (length > i)
        memcpy(&tail, bytes + i, length - i);
    hash = (hash ^ tail) * multiplier;
    return hash ^ (hash >> 32);
}

/* --- the memo -------------------------------------------------------------- */

struct memo *memo_new(size_t slots, size_t max_entry_bytes)
{
    struct memo *memo = calloc(1, sizeof *memo);
    if (!memo)
        return NULL;
    memo->slot_count = slots ? slots : 1;
    memo->max_entry_bytes = max_entry_bytes ? max_entry_bytes : 1;
    memo->slots = calloc(memo->slot_count, sizeof *memo->slots);
    if (!memo->slots) {
        free(memo);
        return NULL;
    }
    return memo;
}

static void entry_clear(struct memo *memo, struct memo_entry *entry)
{
    if (entry->data)
        memo->stats.bytes -= entry->key_length + entry->value_length;
    free(entry->data);
    *entry = (struct memo_entry){ 0 };
}

void memo_free(struct memo *memo)
{
    if (!memo)
        return;
    for (size_t i = 0; i < memo->slot_count; i++)
        free(memo->slots[i].data);
    free(memo->slots);
    free(memo);
}

static struct memo_entry *slot_of(const struct memo *memo, uint64_t hash)
{
    return &memo->slots[hash % memo->slot_count];
}

const void *memo_get(struct memo *memo, const struct memo_key *key, size_t *length)
{
    if (key->failed) {
        memo->stats.misses++;
        return NULL;
    }
    uint64_t hash = hash_bytes(key->bytes, key->length);
    const struct memo_entry *entry = slot_of(memo, hash);
    if (!entry->data || entry->hash != hash || entry->key_length != key->length ||
        (key->length && memcmp(entry->data, key->bytes, key->length) != 0)) {
        memo->stats.misses++;
        return NULL;
    }
    memo->stats.hits++;
    *length = entry->value_length;
    return entry->data + entry->key_length;
}

int memo_put(struct memo *memo, const struct memo_key *key, const void *value, size_t length)
{
    if (key->failed || key->length > memo->max_entry_bytes ||
        length > memo->max_entry_bytes - key->length)
        return -1;
    uint64_t hash = hash_bytes(key->bytes, key->length);
    struct memo_entry *entry = slot_of(memo, hash);
    entry_clear(memo, entry);
    unsigned char *data = malloc(key->length + length ? key->length + length : 1);
    if (!data)
        return -1;
    if (key->length)
        memcpy(data, key->bytes, key->length);
    if (length)
        memcpy(data + key->length, value, length);
    *entry = (struct memo_entry){ hash, key->length, length, data };
    memo->stats.stored++;
    memo->stats.bytes += key->length + length;
    return 0;
}

const struct memo_stats *memo_stats(const struct memo *memo)
{
    return &memo->stats;
}
