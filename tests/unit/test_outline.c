/* test_outline.c — the tree table's rows: tree order, collapsing, the name
 * and tag filters (a deep match shows its ancestors), each sort (siblings
 * only, ties in tree order), a 5,000-deep chain, and a 100,000-space site
 * checked against brute force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/outline.h"
#include "core/safe.h"
#include "fixture_core.h"

/* --- helpers ---------------------------------------------------------- */

/*  annex                      (parent_id names no space: top level)
 *  campus
 *    north
 *      f1: lab2 "Lab 2", lab10 "Lab 10", lobby
 *      f2: cafe, noname (no name)
 *    south
 *      ground: zurich "Café Zürich"                                     */
static struct site *make_site(void)
{
    struct site *site = site_new();
    assert_non_null(site);
    fixture_add_space(site, "campus", "Campus", SPACE_TYPE_CAMPUS, NULL);
    fixture_add_space(site, "north", "North", SPACE_TYPE_BUILDING, "campus");
    fixture_add_space(site, "south", "South", SPACE_TYPE_BUILDING, "campus");
    fixture_add_space(site, "f1", "Floor 1", SPACE_TYPE_FLOOR, "north");
    fixture_add_space(site, "f2", "Floor 2", SPACE_TYPE_FLOOR, "north");
    fixture_add_space(site, "ground", "Ground", SPACE_TYPE_FLOOR, "south");
    struct space *s = fixture_add_space(site, "lobby", "Lobby", SPACE_TYPE_SPACE, "f1");
    assert_int_equal(string_list_add(&s->tags, "entry"), 0);
    s = fixture_add_space(site, "lab10", "Lab 10", SPACE_TYPE_SPACE, "f1");
    assert_int_equal(string_list_add(&s->tags, "lab"), 0);
    s = fixture_add_space(site, "lab2", "Lab 2", SPACE_TYPE_SPACE, "f1");
    assert_int_equal(string_list_add(&s->tags, "lab"), 0);
    s = fixture_add_space(site, "cafe", "Cafe", SPACE_TYPE_SPACE, "f2");
    assert_int_equal(string_list_add(&s->tags, "food"), 0);
    fixture_add_space(site, "noname", NULL, SPACE_TYPE_SPACE, "f2");
    s = fixture_add_space(site, "zurich", "Caf\xc3\xa9 Z\xc3\xbcrich", SPACE_TYPE_SPACE, "ground");
    assert_int_equal(string_list_add(&s->tags, "food"), 0);
    assert_int_equal(string_list_add(&s->tags, "lab"), 0);
    fixture_add_space(site, "annex", "Annex", SPACE_TYPE_BUILDING, "missing");
    assert_int_equal(site_link(site), 0);
    return site;
}

static site_index at(const struct site *site, const char *id)
{
    site_index i = site_find_space(site, id);
    assert_true(i != SITE_NONE);
    return i;
}

/* Rebuilds and writes the rows as ids, each preceded by a dot per level:
 * "campus .north ..f1". */
static const char *rows_text(struct outline *o, const struct site *site,
                             const struct outline_counts *counts)
{
    static char text[4096];
    assert_int_equal(outline_rebuild(o, counts), 0);
    text[0] = '\0';
    size_t n;
    const struct outline_row *rows = outline_rows(o, &n);
    for (size_t r = 0; r < n; r++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%.*s%s", r ? " " : "", (int)rows[r].depth,
                 "..........", site->spaces[rows[r].space].id);
        assert_int_equal(outline_find_row(o, rows[r].space), (int64_t)r);
        assert_ptr_equal(outline_row_at(o, r), &rows[r]);
    }
    assert_int_equal(outline_row_count(o), n);
    assert_null(outline_row_at(o, n));
    return text;
}

static const struct outline_row *row_of(const struct outline *o, const struct site *site,
                                        const char *id)
{
    int64_t r = outline_find_row(o, at(site, id));
    assert_true(r >= 0);
    return outline_row_at(o, (size_t)r);
}

#define FULL_TREE                                                                            \
    "annex campus .north ..f1 ...lab2 ...lab10 ...lobby ..f2 ...noname ...cafe .south ..ground " \
    "...zurich"

/* --- tests -------------------------------------------------------------- */

static void test_tree_order(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);
    assert_non_null(o);
    /* Before the first rebuild there are no rows. */
    assert_int_equal(outline_row_count(o), 0);
    assert_int_equal(outline_find_row(o, 0), -1);

    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);
    const struct outline_row *r = row_of(o, site, "campus");
    assert_true(r->has_children);
    assert_false(r->collapsed);
    assert_true(r->matched);
    assert_int_equal(r->depth, 0);
    r = row_of(o, site, "lab10");
    assert_false(r->has_children);
    assert_int_equal(r->depth, 3);
    assert_int_equal(row_of(o, site, "annex")->depth, 0); /* orphan: top level */
    assert_int_equal(outline_match_count(o), site->space_count);
    assert_false(outline_filtered(o));
    assert_int_equal(outline_find_row(o, -1), -1);
    assert_int_equal(outline_find_row(o, (site_index)site->space_count), -1);
    outline_free(o);
    site_free(site);
}

static void test_collapse_and_expand(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);

    outline_toggle(o, at(site, "north"));
    assert_true(outline_is_collapsed(o, at(site, "north")));
    assert_string_equal(rows_text(o, site, NULL), "annex campus .north .south ..ground ...zurich");
    assert_true(row_of(o, site, "north")->collapsed);
    assert_int_equal(outline_find_row(o, at(site, "lab2")), -1);

    outline_toggle(o, at(site, "north"));
    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);

    outline_collapse_all(o);
    assert_string_equal(rows_text(o, site, NULL), "annex campus");
    assert_true(row_of(o, site, "campus")->collapsed);
    assert_false(row_of(o, site, "annex")->collapsed); /* no children: nothing to collapse */
    assert_false(outline_is_collapsed(o, at(site, "lab2")));
    assert_true(outline_is_collapsed(o, at(site, "f1")));

    /* Opening one level keeps the collapsed flags below it. */
    outline_set_collapsed(o, at(site, "campus"), false);
    assert_string_equal(rows_text(o, site, NULL), "annex campus .north .south");

    outline_expand_all(o);
    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);

    /* A collapsed leaf shows as a plain leaf. */
    outline_set_collapsed(o, at(site, "lab2"), true);
    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);
    assert_false(row_of(o, site, "lab2")->collapsed);

    outline_toggle(o, -1); /* ignored */
    outline_set_collapsed(o, 999, true);
    assert_false(outline_is_collapsed(o, 999));
    outline_free(o);
    site_free(site);
}

static void test_name_filter_shows_ancestors(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);

    assert_int_equal(outline_set_name_filter(o, "LAB 1"), 0);
    assert_true(outline_filtered(o));
    assert_string_equal(outline_name_filter(o), "LAB 1");
    assert_string_equal(rows_text(o, site, NULL), "campus .north ..f1 ...lab10");
    assert_true(row_of(o, site, "lab10")->matched);
    assert_false(row_of(o, site, "f1")->matched);
    assert_false(row_of(o, site, "campus")->matched);
    assert_int_equal(outline_match_count(o), 1);

    /* Collapsed spaces with matches below are shown open while filtering. */
    outline_collapse_all(o);
    assert_int_equal(outline_set_name_filter(o, "lab"), 0);
    assert_string_equal(rows_text(o, site, NULL), "campus .north ..f1 ...lab2 ...lab10");
    assert_false(row_of(o, site, "north")->collapsed);
    assert_true(row_of(o, site, "north")->has_children);
    assert_int_equal(outline_match_count(o), 2);

    /* A collapsed match with nothing matching below stays collapsed. */
    assert_int_equal(outline_set_name_filter(o, "floor"), 0);
    assert_string_equal(rows_text(o, site, NULL), "campus .north ..f1 ..f2");
    assert_true(row_of(o, site, "f1")->collapsed);
    outline_expand_all(o);
    assert_string_equal(rows_text(o, site, NULL), "campus .north ..f1 ..f2"); /* not the children */
    assert_false(row_of(o, site, "f1")->collapsed);

    /* Clearing the filter brings back the collapsed flags. */
    outline_collapse_all(o);
    assert_int_equal(outline_set_name_filter(o, ""), 0);
    assert_null(outline_name_filter(o));
    assert_false(outline_filtered(o));
    assert_string_equal(rows_text(o, site, NULL), "annex campus");
    outline_expand_all(o);

    /* ASCII folding only: other UTF-8 bytes compare as they are. */
    assert_int_equal(outline_set_name_filter(o, "caf"), 0);
    assert_string_equal(rows_text(o, site, NULL),
                        "campus .north ..f2 ...cafe .south ..ground ...zurich");
    assert_int_equal(outline_set_name_filter(o, "Z\xc3\xbcR"), 0); /* "ZüR" */
    assert_string_equal(rows_text(o, site, NULL), "campus .south ..ground ...zurich");
    assert_int_equal(outline_set_name_filter(o, "Z\xc3\x9cR"), 0); /* "ZÜR": Ü is not folded */
    assert_string_equal(rows_text(o, site, NULL), "");
    assert_int_equal(outline_match_count(o), 0);

    /* A space without a name is matched by its id. */
    assert_int_equal(outline_set_name_filter(o, "NONAME"), 0);
    assert_string_equal(rows_text(o, site, NULL), "campus .north ..f2 ...noname");

    /* A match high up shows itself, not its children. */
    assert_int_equal(outline_set_name_filter(o, "south"), 0);
    assert_string_equal(rows_text(o, site, NULL), "campus .south");
    assert_int_equal(outline_set_name_filter(o, NULL), 0);
    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);
    outline_free(o);
    site_free(site);
}

static void test_tag_filter(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);
    assert_int_equal(outline_set_tag_filter(o, "food"), 0);
    assert_string_equal(outline_tag_filter(o), "food");
    assert_string_equal(rows_text(o, site, NULL),
                        "campus .north ..f2 ...cafe .south ..ground ...zurich");
    assert_int_equal(outline_set_tag_filter(o, "Food"), 0); /* exact */
    assert_string_equal(rows_text(o, site, NULL), "");

    /* Both filters: a space must match both. */
    assert_int_equal(outline_set_tag_filter(o, "lab"), 0);
    assert_string_equal(rows_text(o, site, NULL),
                        "campus .north ..f1 ...lab2 ...lab10 .south ..ground ...zurich");
    assert_int_equal(outline_set_name_filter(o, "caf"), 0);
    assert_string_equal(rows_text(o, site, NULL), "campus .south ..ground ...zurich");
    assert_int_equal(outline_set_tag_filter(o, NULL), 0);
    assert_null(outline_tag_filter(o));
    assert_string_equal(rows_text(o, site, NULL),
                        "campus .north ..f2 ...cafe .south ..ground ...zurich");
    outline_free(o);
    site_free(site);
}

/* Counts by id; every space not listed is unknown (-1). */
static void set_counts(const struct site *site, int64_t *counts, const char *const *ids,
                       const int64_t *values, size_t n)
{
    for (size_t i = 0; i < site->space_count; i++)
        counts[i] = -1;
    for (size_t k = 0; k < n; k++)
        counts[at(site, ids[k])] = values[k];
}

static void test_sort_by_count(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);
    int64_t counts[32];
    const char *ids[] = { "campus", "north", "south", "f1", "f2", "lab2", "lab10", "lobby",
                          "cafe", "ground", "zurich" };
    const int64_t values[] = { 14, 11, 3, 11, 0, 3, 5, 3, 0, 3, 3 };
    set_counts(site, counts, ids, values, sizeof values / sizeof values[0]);
    struct outline_counts source = { outline_count_from_array, counts };

    outline_set_sort(o, OUTLINE_SORT_COUNT);
    assert_int_equal(outline_sort_mode(o), OUTLINE_SORT_COUNT);
    /* Siblings only: lab10 first under f1; lab2 and lobby tie and keep tree
     * order; noname has no count and goes last; annex too, at the top. */
    const char *expected = "campus .north ..f1 ...lab10 ...lab2 ...lobby ..f2 ...cafe ...noname "
                           ".south ..ground ...zurich annex";
    assert_string_equal(rows_text(o, site, &source), expected);
    assert_string_equal(rows_text(o, site, &source), expected); /* stable */

    /* Ties keep tree order whatever the counts were before. */
    counts[at(site, "lobby")] = 100;
    assert_string_equal(rows_text(o, site, &source),
                        "campus .north ..f1 ...lobby ...lab10 ...lab2 ..f2 ...cafe ...noname "
                        ".south ..ground ...zurich annex");
    counts[at(site, "lobby")] = 3;
    assert_string_equal(rows_text(o, site, &source), expected);

    /* Without counts: every count unknown, so tree order. */
    assert_string_equal(rows_text(o, site, NULL), FULL_TREE);
    struct outline_counts none = { NULL, NULL };
    assert_string_equal(rows_text(o, site, &none), FULL_TREE);

    /* The sort and the collapse flags combine. */
    outline_toggle(o, at(site, "f1"));
    assert_string_equal(rows_text(o, site, &source),
                        "campus .north ..f1 ..f2 ...cafe ...noname .south ..ground ...zurich annex");
    outline_set_sort(o, OUTLINE_SORT_TREE);
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ..f2 ...noname ...cafe .south ..ground ...zurich");
    outline_set_sort(o, (enum outline_sort)42); /* ignored */
    assert_int_equal(outline_sort_mode(o), OUTLINE_SORT_TREE);
    outline_free(o);
    site_free(site);
}

static void set_capacity(struct site *site, const char *id, int64_t capacity)
{
    site->spaces[at(site, id)].capacity = optional_int_of(capacity);
}

static void test_sort_by_utilization(void **state)
{
    (void)state;
    struct site *site = make_site();
    set_capacity(site, "lab2", 10);  /* 5 of 10: 50% */
    set_capacity(site, "lab10", 20); /* 9 of 20: 45% */
    set_capacity(site, "lobby", 0);  /* capacity 0: no utilization */
    set_capacity(site, "cafe", 4);   /* 4 of 4 */
    set_capacity(site, "noname", 4); /* no count */
    struct outline *o = outline_new(site);
    int64_t counts[32];
    const char *ids[] = { "lab2", "lab10", "lobby", "cafe" };
    const int64_t values[] = { 5, 9, 50, 4 };
    set_counts(site, counts, ids, values, 4);
    struct outline_counts source = { outline_count_from_array, counts };
    outline_set_sort(o, OUTLINE_SORT_UTILIZATION);
    /* Only f2's children move: cafe is at 100%, noname has no count.  The
     * floors and buildings have no capacity, so they keep tree order. */
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lab2 ...lab10 ...lobby ..f2 ...cafe ...noname "
                        ".south ..ground ...zurich");
    outline_collapse_all(o);
    outline_set_collapsed(o, at(site, "campus"), false);
    outline_set_collapsed(o, at(site, "north"), false);
    outline_set_collapsed(o, at(site, "f1"), false);
    outline_set_collapsed(o, at(site, "f2"), false);
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lab2 ...lab10 ...lobby ..f2 ...cafe ...noname "
                        ".south");
    counts[at(site, "lab10")] = 11; /* 55% */
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lab10 ...lab2 ...lobby ..f2 ...cafe ...noname "
                        ".south");
    outline_free(o);
    site_free(site);
}

static void set_safe_capacity(struct site *site, const char *id, int64_t limit)
{
    struct space *s = &site->spaces[at(site, id)];
    s->safe_mode = SAFE_MODE_SAFE_CAPACITY;
    s->safe_capacity = optional_int_of(limit);
}

static void test_sort_by_state(void **state)
{
    (void)state;
    struct site *site = make_site();
    set_safe_capacity(site, "lab2", 100);  /* 5: ok */
    set_safe_capacity(site, "lab10", 10);  /* 9: warn at 0.8, ok at 0.95 */
    set_safe_capacity(site, "lobby", 4);   /* 5: unsafe */
    struct outline *o = outline_new(site);
    int64_t counts[32];
    const char *ids[] = { "lab2", "lab10", "lobby", "cafe", "f1" };
    const int64_t values[] = { 5, 9, 5, 50, 19 };
    set_counts(site, counts, ids, values, 5);
    struct outline_counts source = { outline_count_from_array, counts };
    outline_set_sort(o, OUTLINE_SORT_STATE);
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lobby ...lab10 ...lab2 ..f2 ...noname ...cafe "
                        ".south ..ground ...zurich");
    outline_set_warn_fraction(o, 0.95);
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lobby ...lab2 ...lab10 ..f2 ...noname ...cafe "
                        ".south ..ground ...zurich");
    /* An unknown count has no state. */
    counts[at(site, "lobby")] = -1;
    assert_string_equal(rows_text(o, site, &source),
                        "annex campus .north ..f1 ...lab2 ...lab10 ...lobby ..f2 ...noname ...cafe "
                        ".south ..ground ...zurich");
    outline_free(o);
    site_free(site);
}

static void test_sort_names(void **state)
{
    (void)state;
    assert_string_equal(outline_sort_name(OUTLINE_SORT_TREE), "tree");
    assert_string_equal(outline_sort_name(OUTLINE_SORT_COUNT), "count");
    assert_string_equal(outline_sort_name(OUTLINE_SORT_UTILIZATION), "utilization");
    assert_string_equal(outline_sort_name(OUTLINE_SORT_STATE), "state");
    assert_string_equal(outline_sort_name((enum outline_sort)9), "?");
    enum outline_sort s = OUTLINE_SORT_TREE;
    for (int i = 0; i < OUTLINE_SORT_MODES; i++)
        s = outline_sort_next(s);
    assert_int_equal(s, OUTLINE_SORT_TREE);
    assert_int_equal(outline_sort_next(OUTLINE_SORT_STATE), OUTLINE_SORT_TREE);
}

static void test_deep_chain(void **state)
{
    (void)state;
    enum { LEVELS = 5000 };
    struct site *site = site_new();
    char id[32], parent[32];
    for (int i = 0; i < LEVELS; i++) {
        snprintf(id, sizeof id, "spc_%d", i);
        snprintf(parent, sizeof parent, "spc_%d", i - 1);
        fixture_add_space(site, id, id, SPACE_TYPE_SPACE, i ? parent : NULL);
    }
    assert_int_equal(site_link(site), 0);
    struct outline *o = outline_new(site);
    int64_t *counts = malloc(LEVELS * sizeof *counts);
    for (int i = 0; i < LEVELS; i++)
        counts[i] = LEVELS - i;
    struct outline_counts source = { outline_count_from_array, counts };

    for (int sort = 0; sort < OUTLINE_SORT_MODES; sort++) {
        outline_set_sort(o, (enum outline_sort)sort);
        assert_int_equal(outline_rebuild(o, &source), 0);
        assert_int_equal(outline_row_count(o), LEVELS);
        for (int i = 0; i < LEVELS; i += 499) {
            assert_int_equal(outline_row_at(o, (size_t)i)->space, i);
            assert_int_equal(outline_row_at(o, (size_t)i)->depth, i);
        }
    }

    /* The deepest leaf matches: every ancestor shows, only it matches. */
    assert_int_equal(outline_set_name_filter(o, "SPC_4999"), 0);
    outline_collapse_all(o);
    assert_int_equal(outline_rebuild(o, &source), 0);
    assert_int_equal(outline_row_count(o), LEVELS);
    assert_int_equal(outline_match_count(o), 1);
    assert_true(outline_row_at(o, LEVELS - 1)->matched);
    assert_false(outline_row_at(o, LEVELS - 2)->matched);
    assert_false(outline_row_at(o, 0)->collapsed);

    assert_int_equal(outline_set_name_filter(o, "spc_2500"), 0);
    assert_int_equal(outline_rebuild(o, &source), 0);
    assert_int_equal(outline_row_count(o), 2501);
    assert_true(outline_row_at(o, 2500)->collapsed); /* matched, collapsed, nothing below */

    assert_int_equal(outline_set_name_filter(o, NULL), 0);
    assert_int_equal(outline_rebuild(o, &source), 0);
    assert_int_equal(outline_row_count(o), 1);
    outline_expand_all(o);
    outline_toggle(o, 100);
    assert_int_equal(outline_rebuild(o, &source), 0);
    assert_int_equal(outline_row_count(o), 101);
    assert_int_equal(outline_find_row(o, 100), 100);
    assert_int_equal(outline_find_row(o, 101), -1);
    assert_true(outline_bytes(o) > LEVELS * sizeof(struct outline_row));
    free(counts);
    outline_free(o);
    site_free(site);
}

/* --- a large site against brute force ----------------------------------- */

static bool name_has(const char *name, const char *needle)
{
    return strstr(name, needle) != NULL;
}

static void test_large_site(void **state)
{
    (void)state;
    enum { SPACES = 100000 };
    struct site *site = site_new();
    char id[32], parent[32], name[32];
    srand(5);
    for (int i = 0; i < SPACES; i++) {
        snprintf(id, sizeof id, "s%d", i);
        snprintf(name, sizeof name, "n%d", rand() % 50000);
        /* Mostly shallow and wide, with some long runs. */
        int p = i == 0 ? -1 : rand() % 10 ? rand() % i : i - 1;
        snprintf(parent, sizeof parent, "s%d", p);
        fixture_add_space(site, id, name, SPACE_TYPE_SPACE, p < 0 ? NULL : parent);
    }
    assert_int_equal(site_link(site), 0);
    /* Tree positions, to check the tie-break. */
    int32_t *pos = malloc(SPACES * sizeof *pos);
    int32_t next = 0;
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        pos[i] = next++;
    assert_int_equal(next, SPACES);

    int64_t *counts = malloc(SPACES * sizeof *counts);
    for (int i = 0; i < SPACES; i++)
        counts[i] = rand() % 20 - 1; /* some unknown, many ties */
    struct outline_counts source = { outline_count_from_array, counts };

    struct outline *o = outline_new(site);
    outline_set_sort(o, OUTLINE_SORT_COUNT);
    assert_int_equal(outline_rebuild(o, &source), 0);
    assert_int_equal(outline_row_count(o), SPACES);

    /* Every row is under its parent, one level deeper, and each run of
     * siblings is in count order, ties in tree order. */
    site_index *last_child = malloc(SPACES * sizeof *last_child);
    site_index last_root = SITE_NONE;
    for (int i = 0; i < SPACES; i++)
        last_child[i] = SITE_NONE;
    for (size_t r = 0; r < SPACES; r++) {
        const struct outline_row *row = outline_row_at(o, r);
        site_index p = site->spaces[row->space].parent;
        site_index *previous = p == SITE_NONE ? &last_root : &last_child[p];
        if (p != SITE_NONE) {
            int64_t pr = outline_find_row(o, p);
            assert_true(pr >= 0 && (size_t)pr < r);
            assert_int_equal(row->depth, outline_row_at(o, (size_t)pr)->depth + 1);
        }
        if (*previous != SITE_NONE) {
            int64_t a = counts[*previous], b = counts[row->space];
            assert_true(a > b || (a == b && pos[*previous] < pos[row->space]));
        }
        *previous = row->space;
    }

    /* Filter "n7": the rows are exactly the matches and their ancestors. */
    assert_int_equal(outline_set_name_filter(o, "n7"), 0);
    assert_int_equal(outline_rebuild(o, &source), 0);
    bool *expected = calloc(SPACES, sizeof *expected);
    size_t expected_rows = 0, matches = 0;
    for (int i = 0; i < SPACES; i++) {
        if (!name_has(site->spaces[i].name, "n7"))
            continue;
        matches++;
        for (site_index s = i; s != SITE_NONE && !expected[s]; s = site->spaces[s].parent) {
            expected[s] = true;
            expected_rows++;
        }
    }
    assert_int_equal(outline_match_count(o), matches);
    assert_int_equal(outline_row_count(o), expected_rows);
    for (int i = 0; i < SPACES; i++) {
        int64_t r = outline_find_row(o, i);
        assert_int_equal(r >= 0, expected[i]);
        if (r >= 0)
            assert_int_equal(outline_row_at(o, (size_t)r)->matched,
                             name_has(site->spaces[i].name, "n7"));
    }
    free(expected);
    free(last_child);
    free(counts);
    free(pos);
    outline_free(o);
    site_free(site);
}

static void test_site_changes_and_empty_site(void **state)
{
    (void)state;
    struct site *site = make_site();
    struct outline *o = outline_new(site);
    assert_int_equal(outline_rebuild(o, NULL), 0);
    assert_true(outline_row_count(o) > 0);
    fixture_add_space(site, "late", "Late", SPACE_TYPE_SPACE, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(outline_rebuild(o, NULL), -1);
    assert_int_equal(outline_row_count(o), 0);
    assert_int_equal(outline_find_row(o, 0), -1);
    outline_free(o);
    site_free(site);

    site = site_new();
    assert_int_equal(site_link(site), 0);
    o = outline_new(site);
    assert_non_null(o);
    assert_int_equal(outline_rebuild(o, NULL), 0);
    assert_int_equal(outline_row_count(o), 0);
    outline_collapse_all(o);
    outline_expand_all(o);
    assert_int_equal(outline_set_name_filter(o, "x"), 0);
    assert_int_equal(outline_rebuild(o, NULL), 0);
    assert_int_equal(outline_row_count(o), 0);
    outline_free(o);
    outline_free(NULL);
    site_free(site);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_order),
        cmocka_unit_test(test_collapse_and_expand),
        cmocka_unit_test(test_name_filter_shows_ancestors),
        cmocka_unit_test(test_tag_filter),
        cmocka_unit_test(test_sort_by_count),
        cmocka_unit_test(test_sort_by_utilization),
        cmocka_unit_test(test_sort_by_state),
        cmocka_unit_test(test_sort_names),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_large_site),
        cmocka_unit_test(test_site_changes_and_empty_site),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
