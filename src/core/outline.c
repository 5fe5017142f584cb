/* outline.c — the tree table's rows; see outline.h.
 *
 * How a rebuild works, without recursion:
 *  1. (once, in outline_new) each parent's children are laid out as one
 *     slice of an array, in the site's sibling order, found from a
 *     pre-order walk; roots are the slice of "parent -1";
 *  2. with a filter, each matching space marks its ancestors as "has a
 *     match below", stopping at the first ancestor already marked, so the
 *     marking costs O(n) in all, whatever the depth;
 *  3. for a sort other than TREE, each slice is sorted on keys computed
 *     once per space (n log n in all);
 *  4. rows come from a depth-first walk over the slices with an explicit
 *     stack of slice cursors, one per open level (a 5,000-deep chain needs
 *     5,000 frames: they are allocated with the outline, not on the C
 *     stack). */
#include "core/outline.h"

#include <stdlib.h>
#include <string.h>

#include "core/safe.h"

enum mark_bit {
    MARK_MATCHED = 1u << 0, /* the space itself matches the filters */
    MARK_BELOW = 1u << 1,   /* a space below it matches */
};

/* What a sort compares, computed once per space per rebuild. */
struct sort_key {
    site_index space;
    int32_t tree_pos;   /* pre-order position: the tie-break */
    int64_t count;      /* negative: unknown */
    double utilization; /* negative: none */
    int state_rank;     /* enum safe_state: higher is worse */
};

/* A cursor over one slice of children during the row walk. */
struct frame {
    size_t next, end;
};

struct outline {
    const struct site *site;
    size_t space_count;

    /* The tree, laid out once.  The children of parent p are
     * tree_children[group_start[p + 1] .. group_start[p + 2]). */
    size_t *group_start;        /* space_count + 2 */
    site_index *tree_children;  /* in the site's order */
    int32_t *tree_pos;          /* pre-order position; -1 when unreachable */

    /* Scratch, reused by every rebuild. */
    site_index *sorted_children;
    struct sort_key *keys;
    uint8_t *marks;             /* enum mark_bit */
    struct frame *stack;        /* space_count + 1 */

    /* View state. */
    uint8_t *collapsed;
    enum outline_sort sort;
    char *name_filter;          /* as given */
    char *name_folded;          /* ASCII lower case, for matching */
    char *tag_filter;
    double warn_fraction;

    /* The rows of the last rebuild. */
    struct outline_row *rows;
    size_t row_count;
    size_t match_count;
    int32_t *row_of;            /* row of each space, -1 when not visible */
};

/* --- names ---------------------------------------------------------------- */

static const char *const sort_names[OUTLINE_SORT_MODES] = { "tree", "count", "utilization",
                                                            "state" };

const char *outline_sort_name(enum outline_sort sort)
{
    return (unsigned)sort < OUTLINE_SORT_MODES ? sort_names[sort] : "?";
}

enum outline_sort outline_sort_next(enum outline_sort sort)
{
    return (enum outline_sort)(((unsigned)sort + 1) % OUTLINE_SORT_MODES);
}

int64_t outline_count_from_array(const void *context, site_index space)
{
    return ((const int64_t *)context)[space];
}

/* --- building the tree layout --------------------------------------------- */

static size_t group_of(const struct site *site, site_index space)
{
    return (size_t)(site->spaces[space].parent + 1); /* roots (parent -1) are group 0 */
}

/* Counting sort of the spaces by parent, filled in pre-order so that each
 * slice keeps the site's sibling order. */
static void lay_out_tree(struct outline *o)
{
    const struct site *site = o->site;
    for (size_t i = 0; i < o->space_count; i++)
        o->tree_pos[i] = -1;
    memset(o->group_start, 0, (o->space_count + 2) * sizeof *o->group_start);

    int32_t position = 0;
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i)) {
        o->tree_pos[i] = position++;
        o->group_start[group_of(site, i) + 1]++;
    }
    for (size_t g = 1; g < o->space_count + 2; g++)
        o->group_start[g] += o->group_start[g - 1];

    /* group_start[g] doubles as the fill cursor of group g, then is restored. */
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        o->tree_children[o->group_start[group_of(site, i)]++] = i;
    for (size_t g = o->space_count + 1; g > 0; g--)
        o->group_start[g] = o->group_start[g - 1];
    o->group_start[0] = 0;
}

struct outline *outline_new(const struct site *site)
{
    struct outline *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    size_t n = site->space_count;
    size_t n1 = n ? n : 1; /* calloc(0) may return NULL */
    o->site = site;
    o->space_count = n;
    o->warn_fraction = SAFE_DEFAULT_WARN_FRACTION;
    o->group_start = calloc(n + 2, sizeof *o->group_start);
    o->tree_children = calloc(n1, sizeof *o->tree_children);
    o->tree_pos = calloc(n1, sizeof *o->tree_pos);
    o->sorted_children = calloc(n1, sizeof *o->sorted_children);
    o->keys = calloc(n1, sizeof *o->keys);
    o->marks = calloc(n1, sizeof *o->marks);
    o->stack = calloc(n + 1, sizeof *o->stack);
    o->collapsed = calloc(n1, sizeof *o->collapsed);
    o->rows = calloc(n1, sizeof *o->rows);
    o->row_of = calloc(n1, sizeof *o->row_of);
    if (!o->group_start || !o->tree_children || !o->tree_pos || !o->sorted_children || !o->keys
        || !o->marks || !o->stack || !o->collapsed || !o->rows || !o->row_of) {
        outline_free(o);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        o->row_of[i] = -1;
    lay_out_tree(o);
    return o;
}

static void clear_rows(struct outline *o);

static bool regrow(void **array, size_t count, size_t size)
{
    void *grown = realloc(*array, (count ? count : 1) * size);
    if (grown)
        *array = grown;
    return grown != NULL;
}

int outline_reshape(struct outline *o)
{
    size_t n = o->site->space_count, old = o->space_count;
    if (n < old)
        return -1; /* sites only grow: deleted spaces stay as tombstones */
    if (!regrow((void **)&o->group_start, n + 2, sizeof *o->group_start) ||
        !regrow((void **)&o->tree_children, n, sizeof *o->tree_children) ||
        !regrow((void **)&o->tree_pos, n, sizeof *o->tree_pos) ||
        !regrow((void **)&o->sorted_children, n, sizeof *o->sorted_children) ||
        !regrow((void **)&o->keys, n, sizeof *o->keys) ||
        !regrow((void **)&o->marks, n, sizeof *o->marks) ||
        !regrow((void **)&o->stack, n + 1, sizeof *o->stack) ||
        !regrow((void **)&o->collapsed, n, sizeof *o->collapsed) ||
        !regrow((void **)&o->rows, n, sizeof *o->rows) ||
        !regrow((void **)&o->row_of, n, sizeof *o->row_of))
        return -1;
    memset(o->collapsed + old, 0, (n - old) * sizeof *o->collapsed);
    memset(o->marks + old, 0, (n - old) * sizeof *o->marks);
    for (size_t i = old; i < n; i++)
        o->row_of[i] = -1;
    o->space_count = n;
    clear_rows(o);
    lay_out_tree(o);
    return 0;
}

void outline_free(struct outline *o)
{
    if (!o)
        return;
    free(o->group_start);
    free(o->tree_children);
    free(o->tree_pos);
    free(o->sorted_children);
    free(o->keys);
    free(o->marks);
    free(o->stack);
    free(o->collapsed);
    free(o->name_filter);
    free(o->name_folded);
    free(o->tag_filter);
    free(o->rows);
    free(o->row_of);
    free(o);
}

/* --- view state ------------------------------------------------------------ */

static bool in_range(const struct outline *o, site_index space)
{
    return space >= 0 && (size_t)space < o->space_count;
}

void outline_toggle(struct outline *o, site_index space)
{
    if (in_range(o, space))
        o->collapsed[space] = !o->collapsed[space];
}

void outline_set_collapsed(struct outline *o, site_index space, bool collapsed)
{
    if (in_range(o, space))
        o->collapsed[space] = collapsed;
}

bool outline_is_collapsed(const struct outline *o, site_index space)
{
    return in_range(o, space) && o->collapsed[space];
}

void outline_expand_all(struct outline *o)
{
    memset(o->collapsed, 0, o->space_count * sizeof *o->collapsed);
}

void outline_collapse_all(struct outline *o)
{
    for (size_t i = 0; i < o->space_count; i++)
        o->collapsed[i] = o->site->spaces[i].first_child != SITE_NONE;
}

void outline_set_sort(struct outline *o, enum outline_sort sort)
{
    if ((unsigned)sort < OUTLINE_SORT_MODES)
        o->sort = sort;
}

enum outline_sort outline_sort_mode(const struct outline *o)
{
    return o->sort;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Replaces *slot with a copy of text (NULL for NULL or ""). */
static int replace_text(char **slot, const char *text)
{
    char *copy = NULL;
    if (text && text[0]) {
        copy = strdup(text);
        if (!copy)
            return -1;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

int outline_set_name_filter(struct outline *o, const char *text)
{
    char *folded = NULL;
    if (text && text[0]) {
        folded = strdup(text);
        if (!folded)
            return -1;
        for (char *c = folded; *c; c++)
            *c = fold(*c);
    }
    if (replace_text(&o->name_filter, text) != 0) {
        free(folded);
        return -1;
    }
    free(o->name_folded);
    o->name_folded = folded;
    return 0;
}

int outline_set_tag_filter(struct outline *o, const char *tag)
{
    return replace_text(&o->tag_filter, tag);
}

const char *outline_name_filter(const struct outline *o)
{
    return o->name_filter;
}

const char *outline_tag_filter(const struct outline *o)
{
    return o->tag_filter;
}

bool outline_filtered(const struct outline *o)
{
    return o->name_filter || o->tag_filter;
}

void outline_set_warn_fraction(struct outline *o, double warn_fraction)
{
    o->warn_fraction = warn_fraction;
}

/* --- filtering --------------------------------------------------------------- */

/* Whether `folded_needle` (already lower case) occurs in text, folding ASCII. */
static bool contains_folded(const char *text, const char *folded_needle)
{
    size_t length = strlen(folded_needle);
    for (const char *start = text; *start; start++) {
        size_t k = 0;
        while (k < length && start[k] && fold(start[k]) == folded_needle[k])
            k++;
        if (k == length)
            return true;
    }
    return length == 0;
}

static bool space_matches(const struct outline *o, const struct space *s)
{
    if (o->name_folded) {
        const char *name = s->name ? s->name : s->id ? s->id : "";
        if (!contains_folded(name, o->name_folded))
            return false;
    }
    return !o->tag_filter || string_list_contains(&s->tags, o->tag_filter);
}

/* Marks matches and, above each, its ancestors; counts the matches. */
static void mark_matches(struct outline *o)
{
    const struct site *site = o->site;
    bool filtered = outline_filtered(o);
    memset(o->marks, 0, o->space_count * sizeof *o->marks);
    o->match_count = 0;
    for (size_t i = 0; i < o->space_count; i++) {
        if (o->tree_pos[i] < 0 || (filtered && !space_matches(o, &site->spaces[i])))
            continue;
        o->marks[i] |= MARK_MATCHED;
        o->match_count++;
        if (!filtered)
            continue;
        /* An ancestor already marked has its own ancestors marked too. */
        for (site_index p = site->spaces[i].parent; p != SITE_NONE && !(o->marks[p] & MARK_BELOW);
             p = site->spaces[p].parent)
            o->marks[p] |= MARK_BELOW;
    }
}

/* --- sorting ------------------------------------------------------------------ */

/* Ties go to the site's order: rows of equal rank keep their places. */
static int by_tree_pos(const struct sort_key *a, const struct sort_key *b)
{
    return (a->tree_pos > b->tree_pos) - (a->tree_pos < b->tree_pos);
}

static int compare_count(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1; /* unknown (-1) ends up last */
    return by_tree_pos(a, b);
}

static int compare_utilization(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    if (a->utilization != b->utilization)
        return a->utilization > b->utilization ? -1 : 1; /* none (-1) ends up last */
    return by_tree_pos(a, b);
}

static int compare_state(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    if (a->state_rank != b->state_rank)
        return a->state_rank > b->state_rank ? -1 : 1;
    return by_tree_pos(a, b);
}

static struct sort_key key_of(const struct outline *o, site_index space,
                              const struct outline_counts *counts)
{
    const struct space *s = &o->site->spaces[space];
    int64_t count = counts && counts->count ? counts->count(counts->context, space) : -1;
    struct sort_key key = { .space = space, .tree_pos = o->tree_pos[space],
                            .count = count < 0 ? -1 : count, .utilization = -1.0,
                            .state_rank = SAFE_STATE_NONE };
    if (count < 0)
        return key;
    if (s->capacity.present && s->capacity.value > 0)
        key.utilization = (double)count / (double)s->capacity.value;
    if (o->sort == OUTLINE_SORT_STATE)
        key.state_rank = (int)safe_state_for(safe_limit_of(s), count, o->warn_fraction);
    return key;
}

typedef int (*compare_fn)(const void *, const void *);

static compare_fn comparator_of(enum outline_sort sort)
{
    switch (sort) {
    case OUTLINE_SORT_COUNT: return compare_count;
    case OUTLINE_SORT_UTILIZATION: return compare_utilization;
    case OUTLINE_SORT_STATE: return compare_state;
    case OUTLINE_SORT_TREE: break;
    }
    return NULL;
}

/* The children slices to walk: the tree's own, or sorted copies. */
static const site_index *ordered_children(struct outline *o, const struct outline_counts *counts)
{
    compare_fn compare = comparator_of(o->sort);
    if (!compare)
        return o->tree_children;
    size_t total = o->group_start[o->space_count + 1];
    for (size_t k = 0; k < total; k++)
        o->keys[k] = key_of(o, o->tree_children[k], counts);
    for (size_t g = 0; g < o->space_count + 1; g++) {
        size_t start = o->group_start[g], size = o->group_start[g + 1] - start;
        if (size > 1)
            qsort(&o->keys[start], size, sizeof *o->keys, compare);
    }
    for (size_t k = 0; k < total; k++)
        o->sorted_children[k] = o->keys[k].space;
    return o->sorted_children;
}

/* --- rows --------------------------------------------------------------------- */

static void clear_rows(struct outline *o)
{
    for (size_t r = 0; r < o->row_count; r++)
        o->row_of[o->rows[r].space] = -1;
    o->row_count = 0;
}

static struct frame children_frame(const struct outline *o, site_index parent)
{
    size_t g = (size_t)(parent + 1);
    return (struct frame){ o->group_start[g], o->group_start[g + 1] };
}

static void add_row(struct outline *o, site_index space, bool filtered)
{
    const struct space *s = &o->site->spaces[space];
    bool has_children = s->first_child != SITE_NONE;
    /* A filter opens a collapsed space that has matches below it. */
    bool opened_by_filter = filtered && (o->marks[space] & MARK_BELOW);
    o->row_of[space] = (int32_t)o->row_count;
    o->rows[o->row_count++] = (struct outline_row){
        .space = space,
        .depth = s->depth,
        .has_children = has_children,
        .collapsed = has_children && o->collapsed[space] && !opened_by_filter,
        .matched = (o->marks[space] & MARK_MATCHED) != 0,
    };
}

/* Whether the walk goes below a shown space.  With a filter, children that
 * are not marked are skipped one by one, so "open" is enough. */
static bool walk_opens(const struct outline *o, site_index space, bool filtered)
{
    if (filtered)
        return (o->marks[space] & MARK_BELOW) || !o->collapsed[space];
    return !o->collapsed[space];
}

int outline_rebuild(struct outline *o, const struct outline_counts *counts)
{
    clear_rows(o);
    if (o->site->space_count != o->space_count)
        return -1;
    bool filtered = outline_filtered(o);
    mark_matches(o);
    const site_index *children = ordered_children(o, counts);

    size_t depth = 0;
    o->stack[depth++] = children_frame(o, SITE_NONE);
    while (depth > 0) {
        struct frame *top = &o->stack[depth - 1];
        if (top->next == top->end) {
            depth--;
            continue;
        }
        site_index space = children[top->next++];
        if (!o->marks[space])
            continue; /* filtered out, with nothing matching below */
        add_row(o, space, filtered);
        if (walk_opens(o, space, filtered)) {
            struct frame below = children_frame(o, space);
            if (below.next < below.end)
                o->stack[depth++] = below; /* depth <= tree depth + 1 <= n + 1 */
        }
    }
    return 0;
}

const struct outline_row *outline_rows(const struct outline *o, size_t *count)
{
    if (count)
        *count = o->row_count;
    return o->rows;
}

size_t outline_row_count(const struct outline *o)
{
    return o->row_count;
}

const struct outline_row *outline_row_at(const struct outline *o, size_t row)
{
    return row < o->row_count ? &o->rows[row] : NULL;
}

int64_t outline_find_row(const struct outline *o, site_index space)
{
    return in_range(o, space) ? o->row_of[space] : -1;
}

size_t outline_match_count(const struct outline *o)
{
    return o->match_count;
}

size_t outline_bytes(const struct outline *o)
{
    size_t n = o->space_count;
    size_t per_space = sizeof *o->tree_children + sizeof *o->tree_pos
                       + sizeof *o->sorted_children + sizeof *o->keys + sizeof *o->marks
                       + sizeof *o->collapsed + sizeof *o->rows + sizeof *o->row_of
                       + sizeof *o->group_start + sizeof *o->stack;
    size_t filters = (o->name_filter ? 2 * strlen(o->name_filter) + 2 : 0)
                     + (o->tag_filter ? strlen(o->tag_filter) + 1 : 0);
    return sizeof *o + n * per_space + 2 * sizeof *o->group_start + sizeof *o->stack + filters;
}
