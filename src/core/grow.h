/* grow.h — growing a heap array by doubling, for arrays that keep a count
 * and a capacity beside the pointer:
 *
 *   if (grow_reserve((void **)&site->spaces, &site->space_capacity,
 *                    site->space_count + 1, sizeof *site->spaces) != 0)
 *       return -1;
 *   site->spaces[site->space_count++] = space;
 *
 * Ownership: *array is the caller's (malloc'd or NULL); it may move.  On
 * failure it is left as it was, still the caller's to free. */
#ifndef OCCTOP_CORE_GROW_H
#define OCCTOP_CORE_GROW_H

#include <stddef.h>

/* Makes room for at least `needed` elements of element_size bytes: does
 * nothing when *capacity is enough, else doubles it (from 8) until it is and
 * reallocs.  Returns 0, or -1 when out of memory or the size would overflow
 * (*array and *capacity unchanged). */
int grow_reserve(void **array, size_t *capacity, size_t needed, size_t element_size);

#endif
