/* grow.c — growing a heap array by doubling (see grow.h). */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>

int grow_reserve(void **array, size_t *capacity, size_t needed, size_t element_size)
{
    if (needed <= *capacity)
        return 0;
    size_t grown = *capacity ? *capacity : 8;
    while (grown < needed) {
        if (grown > SIZE_MAX / 2 / element_size)
            return -1;
        grown *= 2;
    }
    if (grown > SIZE_MAX / element_size)
        return -1;
    void *bigger = realloc(*array, grown * element_size);
    if (!bigger)
        return -1;
    *array = bigger;
    *capacity = grown;
    return 0;
}
