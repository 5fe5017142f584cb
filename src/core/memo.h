/* memo.h — a small bounded cache of answers, each kept under a key that
 * holds every input it was computed from.
 *
 * The mock server's counts endpoint (net/api.c) keeps there the JSON it
 * encodes, under a key written with every value the encoding reads
 * (count_page_key): an equal key later means the same bytes, whatever
 * happened in between, so nothing has to be told when the history, the
 * count or the space changes, and nothing can be forgotten.
 *
 * Keys are byte strings written field by field (memo_key_add_*), each field
 * of a fixed size or preceded by its length, so that two different lists
 * of fields never make the same bytes.  Slots are direct-mapped by a hash
 * of the key: a new answer replaces the one in its slot; an answer whose
 * key and value together pass max_entry_bytes is not kept.  Memory: at
 * most slots x (max_entry_bytes + 48) bytes, plus each key's buffer.
 *
 * Pure: no I/O.  Ownership: the memo owns copies of the keys and values it
 * keeps; what memo_get returns is valid until the next memo_put or
 * memo_free.  Not thread-safe. */
#ifndef OCCTOP_CORE_MEMO_H
#define OCCTOP_CORE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key being written.  Zero-initialised is empty; reset between uses keeps
 * its buffer, so that a key written per request allocates only at first. */
struct memo_key {
    unsigned char *bytes;
    size_t length, room;
    bool failed; /* memory ran out while writing it: memo_get and memo_put refuse it */
};

void memo_key_reset(struct memo_key *key);
void memo_key_free(struct memo_key *key);
void memo_key_add(struct memo_key *key, const void *data, size_t size);
void memo_key_add_int(struct memo_key *key, int64_t value);
void memo_key_add_bool(struct memo_key *key, bool value);
/* The value's bits: equal keys mean equal bits, so equal formatting (0.0
 * and -0.0 are different keys, as they are different text). */
void memo_key_add_real(struct memo_key *key, double value);
/* Its length, then its bytes; NULL is not "". */
void memo_key_add_text(struct memo_key *key, const char *text);

struct memo_stats {
    uint64_t hits, misses, stored;
    size_t bytes; /* held by the entries */
};

/* NULL when out of memory; slots and max_entry_bytes are at least 1. */
struct memo *memo_new(size_t slots, size_t max_entry_bytes);
void memo_free(struct memo *memo);

/* The value kept under `key`, or NULL (counted as a miss). */
const void *memo_get(struct memo *memo, const struct memo_key *key, size_t *length);

/* Keeps a copy of value under a copy of key, in place of whatever its slot
 * held.  Returns 0, or -1 when the entry is too large or the key failed
 * (the slot keeps what it held), or memory ran out (the slot is empty). */
int memo_put(struct memo *memo, const struct memo_key *key, const void *value, size_t length);

const struct memo_stats *memo_stats(const struct memo *memo);

#endif
