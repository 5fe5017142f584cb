/* details.h — the details screen of one space: where it sits, its numbers
 * today, its safe threshold in words, its tags, its time segments (days,
 * times, the ones in force now marked, by the space's zone), its doorways
 * with their sensors, and a 24-hour chart of its counts (from GET /counts,
 * fetched when shown). */
#ifndef OCCTOP_UI_DETAILS_H
#define OCCTOP_UI_DETAILS_H

#include <stdint.h>

struct monitor;

void details_draw(struct monitor *monitor, int64_t now_ms);

#endif
