/* alarm.h — the monitor's alarm list: spaces that became unsafe, kept until
 * someone acknowledges them.
 *
 * The caller tells it each space's safe state whenever it may have changed
 * (alarm_observe, e.g. after every applied event or refresh).  Rules, each
 * tested in tests/unit/test_alarm.c:
 *  - a space that was not unsafe and becomes unsafe begins a NEW alarm,
 *    unless it still has an unacknowledged alarm (it went safe and back):
 *    that alarm is reopened instead (same entry, same began_ms, `repeats`
 *    goes up), so one unattended flapping space is one line, and the bell
 *    rings once for it; alarm_observe returns true only for a new alarm;
 *  - when the space is safe again the alarm ends (ended_ms is set);
 *  - an unacknowledged alarm stays in the list after it ended, until
 *    acknowledged: the person at the desk may have been away;
 *  - an acknowledged alarm stays, marked acknowledged, while its space is
 *    still unsafe, and leaves the list when the space is safe again;
 *    acknowledging an alarm that has ended removes it at once.  The list
 *    keeps no history of finished alarms: it is what still needs
 *    attention (the event log and core/history hold what happened);
 *  - SAFE_STATE_NONE (no threshold), OK and WARN all count as "not unsafe";
 *  - the first observation of a space that is unsafe begins an alarm: at
 *    start-up the desk must learn about spaces that are already unsafe.
 *
 * The list is bounded (capacity entries).  When a new alarm finds it full,
 * it drops the oldest acknowledged alarm, or else the oldest one that has
 * ended, or else the oldest of all, and counts it in alarm_dropped(); the
 * space's state is still tracked, so a dropped alarm's space does not ring
 * again until it has been safe.
 *
 * Entries are in the order their alarms began (order of alarm_observe
 * calls); alarm_get(list, 0) is the newest.  Each has an id, unique for the
 * life of the list, to acknowledge it by: positions move as entries leave.
 *
 * Pure: no I/O, no clock (callers pass times in ms).  Ownership: the list
 * owns its entries and knows spaces only by index.  Not thread-safe. */
#ifndef OCCTOP_CORE_ALARM_H
#define OCCTOP_CORE_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/safe.h"
#include "core/site.h"

#define ALARM_DEFAULT_CAPACITY 1024

/* ended_ms while the space is still unsafe.  Not -1: times before 1970 are
 * real times in replays and tests, and -1 ms is one of them. */
#define ALARM_STILL_UNSAFE INT64_MIN

struct alarm_entry {
    uint64_t id;        /* 1, 2, 3, ... in order of creation */
    site_index space;
    int64_t began_ms;
    int64_t ended_ms;   /* ALARM_STILL_UNSAFE while unsafe */
    uint32_t repeats;   /* times it was reopened before being acknowledged */
    bool acknowledged;
};

struct alarm_list;

/* space_count: spaces 0 .. space_count - 1 (others are ignored); capacity
 * at least 1.  NULL when out of memory. */
struct alarm_list *alarm_new(size_t space_count, size_t capacity);
void alarm_free(struct alarm_list *list);
/* Room for spaces the site gained (0, or -1 when out of memory). */
int alarm_grow(struct alarm_list *list, size_t space_count);

/* The space's state at now_ms.  True when a new alarm began: ring the bell. */
bool alarm_observe(struct alarm_list *list, site_index space, enum safe_state state,
                   int64_t now_ms);

/* Acknowledges one alarm; false when no entry has that id (already gone). */
bool alarm_acknowledge(struct alarm_list *list, uint64_t id);

/* Acknowledges every alarm; returns how many were unacknowledged. */
size_t alarm_acknowledge_all(struct alarm_list *list);

size_t alarm_count(const struct alarm_list *list);          /* entries in the list */
size_t alarm_unacknowledged(const struct alarm_list *list); /* of those, not acknowledged */
uint64_t alarm_dropped(const struct alarm_list *list);      /* entries dropped when full */

/* The i-th newest entry (0 is the newest), or NULL when i >= alarm_count.
 * Valid until the next call that changes the list. */
const struct alarm_entry *alarm_get(const struct alarm_list *list, size_t i);

/* The space's entry in the list, or NULL. */
const struct alarm_entry *alarm_of_space(const struct alarm_list *list, site_index space);

/* Whether the space has an unacknowledged alarm (highlight it). */
bool alarm_space_unacknowledged(const struct alarm_list *list, site_index space);

/* Whether the space was unsafe at its last observation. */
bool alarm_space_unsafe(const struct alarm_list *list, site_index space);

#endif
