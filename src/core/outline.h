/* outline.h — the rows of the monitor's tree table: which spaces are
 * visible, in what order, at what depth.
 *
 * Built over a linked site (site_link): the tree is the site's
 * parent/first_child/next_sibling links, walked without recursion (a
 * hierarchy may be thousands of levels deep).  The outline keeps the view's
 * state — a collapsed flag per space, a sort mode, a name filter and a tag
 * filter — and outline_rebuild() turns it into rows.  Rows are not rebuilt
 * by the setters: the caller rebuilds once per frame after any change (new
 * counts move rows in a count sort too).  O(n log n) in the site's spaces:
 * about 4 ms in tree order and 10-14 ms sorted for 100,000 spaces (-O2).
 *
 * Sorting orders the siblings of each parent; the tree's shape is kept, so
 * a child is always under its parent.  Ties keep the site's order (by name,
 * naturally), so rows of equal rank do not swap between frames:
 *   TREE         the site's order;
 *   COUNT        highest count first; spaces with no count yet last;
 *   UTILIZATION  highest count / capacity first (capacity: the legal one);
 *                spaces without a capacity above 0, or without a count, last;
 *   STATE        unsafe, warn, ok, then no threshold (or no count).
 *
 * Filters: the name filter matches a case-insensitive substring of the name
 * (of the id for a space without a name), folding ASCII letters only (other
 * UTF-8 bytes compare as they are); the tag filter matches a space carrying
 * exactly that tag.  With both set a space must match both.  A matching
 * space is shown with all its ancestors, so the tree still reads; while a
 * filter is active, a collapsed space with matches below it is shown
 * expanded (its collapsed flag is kept for when the filter is cleared).
 * Children that do not match are not shown, even under a match.
 *
 * Counts come from the caller (struct outline_counts), e.g. core/live's
 * live_count; a negative count means "not known yet".
 *
 * Ownership: the outline borrows the site, which must outlive it and not
 * change (no site_take_*, no site_link) while it lives: make a new outline
 * for a new site.  It owns its rows and copies of the filter texts.  Not
 * thread-safe. */
#ifndef OCCTOP_CORE_OUTLINE_H
#define OCCTOP_CORE_OUTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/site.h"

enum outline_sort {
    OUTLINE_SORT_TREE = 0,
    OUTLINE_SORT_COUNT,
    OUTLINE_SORT_UTILIZATION,
    OUTLINE_SORT_STATE,
};
#define OUTLINE_SORT_MODES 4

const char *outline_sort_name(enum outline_sort sort); /* "tree", "count", ... */

/* The next mode after `sort`, wrapping (the `s` key). */
enum outline_sort outline_sort_next(enum outline_sort sort);

struct outline_row {
    site_index space;
    int32_t depth;     /* 0 for a top-level space */
    bool has_children; /* in the site, whether or not they are shown */
    bool collapsed;    /* has children that are hidden because it is collapsed */
    bool matched;      /* matches the filters itself; false for an ancestor shown
                          only for a match below it.  True when no filter is set. */
};

/* Where counts come from.  count() returns the space's count, or a
 * negative number when it is not known. */
struct outline_counts {
    int64_t (*count)(const void *context, site_index space);
    const void *context;
};

/* A count function over a plain array: context is a const int64_t * with
 * one count per space. */
int64_t outline_count_from_array(const void *context, site_index space);

struct outline;

/* NULL when out of memory.  All spaces start expanded, sorted in tree order,
 * with no filter and SAFE_DEFAULT_WARN_FRACTION. */
struct outline *outline_new(const struct site *site);
void outline_free(struct outline *outline);
/* The site's shape changed (site_merge: spaces added at the end, renamed,
 * moved, deleted): the tree is laid out again; what was folded stays
 * folded.  Returns 0, or -1 when out of memory (then only outline_free). */
int outline_reshape(struct outline *outline);

/* --- view state (takes effect at the next outline_rebuild) --------------- */

void outline_toggle(struct outline *outline, site_index space);
void outline_set_collapsed(struct outline *outline, site_index space, bool collapsed);
bool outline_is_collapsed(const struct outline *outline, site_index space);
void outline_expand_all(struct outline *outline);
void outline_collapse_all(struct outline *outline); /* every space with children */

void outline_set_sort(struct outline *outline, enum outline_sort sort);
enum outline_sort outline_sort_mode(const struct outline *outline);

/* NULL or "" clears the filter.  The text is copied.  0, or -1 when out of
 * memory (the filter is then unchanged). */
int outline_set_name_filter(struct outline *outline, const char *text);
int outline_set_tag_filter(struct outline *outline, const char *tag);
const char *outline_name_filter(const struct outline *outline); /* NULL when none */
const char *outline_tag_filter(const struct outline *outline);  /* NULL when none */
bool outline_filtered(const struct outline *outline);

/* The warning band used to rank spaces in a STATE sort (see safe.h). */
void outline_set_warn_fraction(struct outline *outline, double warn_fraction);

/* --- rows ------------------------------------------------------------------ */

/* Recomputes the rows.  counts may be NULL (every count unknown: only the
 * count-based sorts care).  0, or -1 when the site no longer has the number
 * of spaces the outline was made for (the rows are then empty). */
int outline_rebuild(struct outline *outline, const struct outline_counts *counts);

/* The rows of the last rebuild, top to bottom; valid until the next one. */
const struct outline_row *outline_rows(const struct outline *outline, size_t *count);
size_t outline_row_count(const struct outline *outline);
const struct outline_row *outline_row_at(const struct outline *outline, size_t row);

/* The row showing `space`, or -1 when it is not visible: lets the UI keep the
 * cursor on the same space when the rows change.  O(1). */
int64_t outline_find_row(const struct outline *outline, site_index space);

/* Rows that match the filters themselves (all rows when there is none). */
size_t outline_match_count(const struct outline *outline);

/* Bytes allocated. */
size_t outline_bytes(const struct outline *outline);

#endif
