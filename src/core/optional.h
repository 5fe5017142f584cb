/* optional.h — values the Density API may send as null or leave out.
 *
 * The API uses null for "not configured" (a capacity nobody set), which is
 * different from zero; these small structs keep that difference. */
#ifndef OCCTOP_CORE_OPTIONAL_H
#define OCCTOP_CORE_OPTIONAL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool present;
    int64_t value;
} optional_int;

typedef struct {
    bool present;
    double value;
} optional_real;

static inline optional_int optional_int_of(int64_t v) { return (optional_int){ true, v }; }
static inline optional_real optional_real_of(double v) { return (optional_real){ true, v }; }

#endif
