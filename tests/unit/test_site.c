/* test_site.c — the object model: lookup, links, tree and every validation rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "core/site_merge.h"
#include "fixture_core.h"

static size_t count_problems(const struct site *site, enum site_problem_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < site->problem_count; i++)
        n += site->problems[i].kind == kind;
    return n;
}

static const struct site_problem *first_problem(const struct site *site,
                                                enum site_problem_kind kind)
{
    for (size_t i = 0; i < site->problem_count; i++)
        if (site->problems[i].kind == kind)
            return &site->problems[i];
    return NULL;
}

static const struct space *space_of(const struct site *site, const char *id)
{
    site_index i = site_find_space(site, id);
    assert_int_not_equal(i, SITE_NONE);
    return &site->spaces[i];
}

/* A small well-formed campus used by several tests. */
static struct site *small_campus(void)
{
    struct site *site = site_new();
    assert_non_null(site);
    fixture_add_space(site, "spc_c", "Campus", SPACE_TYPE_CAMPUS, NULL);
    fixture_add_space(site, "spc_b", "Building", SPACE_TYPE_BUILDING, "spc_c");
    fixture_add_space(site, "spc_f10", "Level 10", SPACE_TYPE_FLOOR, "spc_b");
    fixture_add_space(site, "spc_f2", "Level 2", SPACE_TYPE_FLOOR, "spc_b");
    fixture_add_space(site, "spc_r1", "Room", SPACE_TYPE_SPACE, "spc_f2");
    fixture_add_space(site, "spc_r2", "Nook", SPACE_TYPE_SPACE, "spc_r1");
    return site;
}

static void test_lookup_and_tree(void **state)
{
    (void)state;
    struct site *site = small_campus();
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    assert_int_equal(site_find_space(site, "spc_f2"), 3);
    assert_int_equal(site_find_space(site, "spc_nope"), SITE_NONE);
    assert_int_equal(site_find_space(site, NULL), SITE_NONE);

    /* Pre-order, siblings in natural name order: Level 2 before Level 10. */
    const char *expected[] = { "spc_c", "spc_b", "spc_f2", "spc_r1", "spc_r2", "spc_f10" };
    const int depths[] = { 0, 1, 2, 3, 4, 2 };
    size_t n = 0;
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i), n++) {
        assert_true(n < 6);
        assert_string_equal(site->spaces[i].id, expected[n]);
        assert_int_equal(site->spaces[i].depth, depths[n]);
    }
    assert_int_equal(n, 6);
    /* Skipping Level 2's subtree goes straight to Level 10. */
    assert_string_equal(site->spaces[site_walk_skip(site, site_find_space(site, "spc_f2"))].id,
                        "spc_f10");
    site_free(site);
}

static void test_relink_is_idempotent(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_doorway(site, "drw_1", NULL);
    assert_int_equal(site_add_link(site, "lnk_1", "spc_r1", "drw_1", 1, NULL, NULL), 0);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->link_count, 1);
    assert_int_equal(space_of(site, "spc_r1")->link_count, 1);
    assert_int_equal(site->problem_count, 0);
    /* Adding a space after linking and linking again puts it in the tree. */
    fixture_add_space(site, "spc_f3", "Level 3", SPACE_TYPE_FLOOR, "spc_b");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(space_of(site, "spc_f3")->depth, 2);
    site_free(site);
}

static void test_duplicate_space_id(void **state)
{
    (void)state;
    /* The reference's own list has this: "Main Office" repeats the id of
     * "Headquarters" and names it as its parent. */
    struct site *site = site_new();
    fixture_add_space(site, "spc_575377614718369795", "Headquarters", SPACE_TYPE_BUILDING, NULL);
    fixture_add_space(site, "spc_575377614718369795", "Main Office", SPACE_TYPE_SPACE,
                      "spc_575377614718369795");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_DUPLICATE_ID), 1);
    const struct site_problem *p = first_problem(site, SITE_PROBLEM_DUPLICATE_ID);
    assert_string_equal(p->id, "spc_575377614718369795");
    assert_non_null(strstr(p->message, "spc_575377614718369795"));
    assert_non_null(strstr(p->message, "Main Office"));
    /* The first keeps the id; the second is kept, marked, under the first. */
    assert_int_equal(site_find_space(site, "spc_575377614718369795"), 0);
    assert_true(site->spaces[1].flags & SPACE_FLAG_DUPLICATE_ID);
    assert_false(site->spaces[0].flags & SPACE_FLAG_DUPLICATE_ID);
    assert_int_equal(site->spaces[1].parent, 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_PARENT_CYCLE), 0);
    site_free(site);
}

static void test_missing_parent(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_space(site, "spc_lost", "Lost Room", SPACE_TYPE_SPACE, "spc_gone");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_MISSING_PARENT), 1);
    const struct site_problem *p = first_problem(site, SITE_PROBLEM_MISSING_PARENT);
    assert_string_equal(p->id, "spc_lost");
    assert_string_equal(p->other_id, "spc_gone");
    assert_non_null(strstr(p->message, "spc_gone"));
    const struct space *lost = space_of(site, "spc_lost");
    assert_true(lost->flags & SPACE_FLAG_ORPHAN);
    assert_int_equal(lost->parent, SITE_NONE);
    assert_int_equal(lost->depth, 0); /* shown at the top level */
    site_free(site);
}

static void test_parent_cycle(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_space(site, "spc_a", "A", SPACE_TYPE_SPACE, "spc_c3");
    fixture_add_space(site, "spc_b2", "B", SPACE_TYPE_SPACE, "spc_a");
    fixture_add_space(site, "spc_c3", "C", SPACE_TYPE_SPACE, "spc_b2");
    /* hangs off the cycle */
    fixture_add_space(site, "spc_tail", "Tail", SPACE_TYPE_SPACE, "spc_a");
    fixture_add_space(site, "spc_self", "Self", SPACE_TYPE_SPACE, "spc_self");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_PARENT_CYCLE), 2);
    for (size_t i = 0; i < site->problem_count; i++) {
        const struct site_problem *p = &site->problems[i];
        if (p->kind == SITE_PROBLEM_PARENT_CYCLE && strstr(p->message, "3 spaces")) {
            assert_non_null(strstr(p->message, "spc_a"));
            assert_non_null(strstr(p->message, "spc_b2"));
            assert_non_null(strstr(p->message, "spc_c3"));
        }
    }
    const char *members[] = { "spc_a", "spc_b2", "spc_c3", "spc_self" };
    for (size_t i = 0; i < 4; i++) {
        const struct space *s = space_of(site, members[i]);
        assert_true(s->flags & SPACE_FLAG_IN_CYCLE);
        assert_int_equal(s->parent, SITE_NONE);
    }
    /* The tail keeps its parent and is reached by the walk exactly once. */
    const struct space *tail = space_of(site, "spc_tail");
    assert_false(tail->flags & SPACE_FLAG_IN_CYCLE);
    assert_int_equal(tail->parent, site_find_space(site, "spc_a"));
    size_t visited = 0;
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i))
        visited++;
    assert_int_equal(visited, site->space_count);
    site_free(site);
}

static void test_parent_types(void **state)
{
    (void)state;
    struct site *site = small_campus();
    /* campus under campus */
    fixture_add_space(site, "spc_c2", "Campus 2", SPACE_TYPE_CAMPUS, "spc_c");
    fixture_add_space(site, "spc_bf", "Building on floor", SPACE_TYPE_BUILDING, "spc_f2");
    fixture_add_space(site, "spc_fc", "Floor on campus", SPACE_TYPE_FLOOR, "spc_c");
    fixture_add_space(site, "spc_fs", "Floor in room", SPACE_TYPE_FLOOR, "spc_r2");
    fixture_add_space(site, "spc_f0", "Floating floor", SPACE_TYPE_FLOOR, NULL);
    /* Allowed: a stand-alone building, a space under a campus or a building. */
    fixture_add_space(site, "spc_b0", "Stand-alone", SPACE_TYPE_BUILDING, NULL);
    fixture_add_space(site, "spc_sc", "Space on campus", SPACE_TYPE_SPACE, "spc_c");
    fixture_add_space(site, "spc_sb", "Space in building", SPACE_TYPE_SPACE, "spc_b");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_BAD_PARENT_TYPE), 5);
    const char *bad[] = { "spc_c2", "spc_bf", "spc_fc", "spc_fs", "spc_f0" };
    for (size_t i = 0; i < 5; i++)
        assert_true(space_of(site, bad[i])->flags & SPACE_FLAG_BAD_PARENT);
    const char *good[] = { "spc_b0", "spc_sc", "spc_sb", "spc_b", "spc_f2", "spc_r2" };
    for (size_t i = 0; i < 6; i++)
        assert_false(space_of(site, good[i])->flags & SPACE_FLAG_BAD_PARENT);
    /* Kept in place: the building on a floor is still that floor's child. */
    assert_int_equal(space_of(site, "spc_bf")->parent, site_find_space(site, "spc_f2"));
    const struct site_problem *p = first_problem(site, SITE_PROBLEM_BAD_PARENT_TYPE);
    assert_non_null(strstr(p->message, "campus"));
    site_free(site);
}

static void test_one_child_space(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_space(site, "spc_r3", "Second nook", SPACE_TYPE_SPACE, "spc_r1");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_TOO_MANY_CHILD_SPACES), 1);
    assert_string_equal(first_problem(site, SITE_PROBLEM_TOO_MANY_CHILD_SPACES)->id, "spc_r1");
    assert_true(space_of(site, "spc_r1")->flags & SPACE_FLAG_TOO_MANY_CHILDREN);
    /* A floor may have many child spaces. */
    assert_false(space_of(site, "spc_f2")->flags & SPACE_FLAG_TOO_MANY_CHILDREN);
    site_free(site);
}

static void test_links_merge_from_both_ends(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_doorway(site, "drw_in", "S1");
    /* The space lists the link with its id; the doorway lists it without. */
    assert_int_equal(site_add_link(site, "lnk_9", "spc_r1", "drw_in", 1, NULL, "Inner"), 0);
    assert_int_equal(site_add_link(site, "lnk_8", "spc_f2", "drw_in", -1, NULL, "Inner"), 0);
    assert_int_equal(site_add_link(site, NULL, "spc_r1", "drw_in", 1, "Room", NULL), 0);
    assert_int_equal(site_add_link(site, NULL, "spc_f2", "drw_in", -1, "Level 2", NULL), 0);
    fixture_add_sensor(site, "S1", "drw_in");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    assert_int_equal(site->link_count, 2);
    const struct doorway *d = &site->doorways[site_find_doorway(site, "drw_in")];
    assert_int_equal(d->link_count, 2);
    assert_int_equal(d->sensor, site_find_sensor(site, "S1"));
    assert_int_equal(site->sensors[0].doorway, site_find_doorway(site, "drw_in"));
    const struct link *room = &site->links[space_of(site, "spc_r1")->links[0]];
    assert_string_equal(room->id, "lnk_9");
    assert_string_equal(room->space_name, "Room");
    assert_int_equal(room->placement, 1);
    const struct link *floor = &site->links[space_of(site, "spc_f2")->links[0]];
    assert_int_equal(floor->placement, -1);
    assert_int_equal(floor->doorway, site_find_doorway(site, "drw_in"));
    site_free(site);
}

static void test_link_conflict(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_doorway(site, "drw_x", NULL);
    site_add_link(site, "lnk_1", "spc_r1", "drw_x", 1, NULL, NULL);
    site_add_link(site, "lnk_1", "spc_r1", "drw_x", -1, NULL, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_LINK_CONFLICT), 1);
    assert_int_equal(site->links[0].placement, 1); /* the first report wins */
    site_free(site);
}

static void test_unknown_doorway_and_space(void **state)
{
    (void)state;
    struct site *site = small_campus();
    site_add_link(site, "lnk_1", "spc_r1", "drw_ghost", 1, NULL, "Ghost door");
    /* Without a doorway list nothing can be checked, and nothing is said. */
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    assert_false(space_of(site, "spc_r1")->flags & SPACE_FLAG_BAD_LINK);

    fixture_add_doorway(site, "drw_real", NULL);
    site_add_link(site, "lnk_2", "spc_nowhere", "drw_real", 1, NULL, NULL);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_UNKNOWN_DOORWAY), 1);
    const struct site_problem *p = first_problem(site, SITE_PROBLEM_UNKNOWN_DOORWAY);
    assert_string_equal(p->id, "spc_r1");
    assert_string_equal(p->other_id, "drw_ghost");
    assert_true(space_of(site, "spc_r1")->flags & SPACE_FLAG_BAD_LINK);
    assert_int_equal(count_problems(site, SITE_PROBLEM_UNKNOWN_SPACE), 1);
    assert_string_equal(first_problem(site, SITE_PROBLEM_UNKNOWN_SPACE)->other_id,
                        "spc_nowhere");
    site_free(site);
}

static void test_sensor_problems(void **state)
{
    (void)state;
    struct site *site = small_campus();
    fixture_add_doorway(site, "drw_1", "S1");
    fixture_add_sensor(site, "S1", "drw_1");
    fixture_add_sensor(site, NULL, "drw_1");
    fixture_add_sensor(site, "S2", "drw_missing");
    fixture_add_sensor(site, "S1", "drw_1");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_SENSOR_WITHOUT_SERIAL), 1);
    assert_int_equal(count_problems(site, SITE_PROBLEM_UNKNOWN_SENSOR_DOORWAY), 1);
    assert_int_equal(count_problems(site, SITE_PROBLEM_DUPLICATE_ID), 1);
    assert_int_equal(site_find_sensor(site, "S1"), 0);
    site_free(site);
}

static void test_unknown_component(void **state)
{
    (void)state;
    struct site *site = small_campus();
    struct space s;
    space_init(&s);
    s.id = strdup("spc_sum");
    s.name = strdup("All rooms");
    s.counting_mode = COUNTING_COMPONENT_SPACES;
    string_list_add(&s.component_space_ids, "spc_r1");
    string_list_add(&s.component_space_ids, "spc_none");
    site_take_space(site, &s);
    assert_int_equal(site_link(site), 0);
    assert_int_equal(count_problems(site, SITE_PROBLEM_UNKNOWN_COMPONENT), 1);
    assert_string_equal(first_problem(site, SITE_PROBLEM_UNKNOWN_COMPONENT)->other_id,
                        "spc_none");
    site_free(site);
}

static void test_hostile_text_in_messages(void **state)
{
    (void)state;
    struct site *site = site_new();
    fixture_add_space(site, "spc_\x1b]0;pwned\x07", "\x1b[2JEvil", SPACE_TYPE_SPACE,
                      "spc_\x9b" "31m");
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 1);
    const char *message = site->problems[0].message;
    for (const unsigned char *p = (const unsigned char *)message; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
    assert_null(strchr(message, '\x1b'));
    site_free(site);
}

static void test_deep_hierarchy(void **state)
{
    (void)state;
    /* 5,000 levels: nothing in linking or walking may recurse. */
    enum { LEVELS = 5000 };
    struct site *site = site_new();
    char id[32], parent[32];
    for (int i = 0; i < LEVELS; i++) {
        snprintf(id, sizeof id, "spc_%d", i);
        snprintf(parent, sizeof parent, "spc_%d", i - 1);
        fixture_add_space(site, id, id, SPACE_TYPE_SPACE, i ? parent : NULL);
    }
    assert_int_equal(site_link(site), 0);
    assert_int_equal(site->problem_count, 0);
    assert_int_equal(space_of(site, "spc_4999")->depth, LEVELS - 1);
    site_free(site);
}

static void test_many_spaces(void **state)
{
    (void)state;
    enum { SPACES = 100000 };
    struct site *site = site_new();
    fixture_add_space(site, "spc_root", "Root", SPACE_TYPE_FLOOR, NULL);
    char id[32];
    for (int i = 0; i < SPACES; i++) {
        snprintf(id, sizeof id, "spc_%d", i);
        fixture_add_space(site, id, id, SPACE_TYPE_SPACE, "spc_root");
    }
    assert_int_equal(site_link(site), 0);
    for (int i = 0; i < SPACES; i += 997) {
        snprintf(id, sizeof id, "spc_%d", i);
        assert_int_equal(site_find_space(site, id), i + 1);
    }
    site_free(site);
}

static void test_enums_and_clock(void **state)
{
    (void)state;
    enum space_type type;
    assert_true(space_type_parse("building", &type));
    assert_int_equal(type, SPACE_TYPE_BUILDING);
    assert_false(space_type_parse("Building", &type));
    assert_false(space_type_parse(NULL, &type));
    enum safe_mode mode;
    assert_true(safe_mode_parse("UTILIZATION_PERC_LEGAl", &mode)); /* the reference's typo */
    assert_int_equal(mode, SAFE_MODE_PERC_LEGAL);
    assert_false(safe_mode_parse("SAFE", &mode));
    assert_string_equal(safe_mode_name(SAFE_MODE_PERC_TARGET), "UTILIZATION_PERC_TARGET");
    assert_null(safe_mode_name(SAFE_MODE_NONE));
    enum counting_mode counting;
    assert_true(counting_mode_parse("component_spaces", &counting));
    assert_false(counting_mode_parse("doors", &counting));
    assert_int_equal(sensor_status_parse("offline"), SENSOR_STATUS_OFFLINE);
    assert_int_equal(sensor_status_parse("weird"), SENSOR_STATUS_UNKNOWN);
    assert_int_equal(clock_time_parse("04:00"), 4 * 3600);
    assert_int_equal(clock_time_parse("23:59:59"), 86399);
    assert_int_equal(clock_time_parse("24:00"), -1);
    assert_int_equal(clock_time_parse("4:00"), -1);
    assert_int_equal(clock_time_parse("04:60"), -1);
    assert_int_equal(clock_time_parse(""), -1);
    struct space s;
    space_init(&s);
    assert_int_equal(s.daily_reset_minute, 240);
    assert_false(s.daily_reset_present);
}

/* --- following the server's shape (site_merge) ------------------------------------- */

static struct site *listing(bool with_kitchen, bool lobby_renamed, bool with_lab)
{
    struct site *site = site_new();
    fixture_add_space(site, "spc_b", "Building", SPACE_TYPE_BUILDING, NULL);
    fixture_add_space(site, "spc_f", "Floor 1", SPACE_TYPE_FLOOR, "spc_b");
    fixture_add_space(site, "spc_lobby", lobby_renamed ? "Front Lobby" : "Lobby",
                      SPACE_TYPE_SPACE, "spc_f");
    if (with_kitchen)
        fixture_add_space(site, "spc_kitchen", "Kitchen", SPACE_TYPE_SPACE, "spc_f");
    if (with_lab) {
        fixture_add_space(site, "spc_lab", "Lab", SPACE_TYPE_SPACE, "spc_f");
        site_add_link(site, "lnk_lab", "spc_lab", "drw_lab", 1, "Lab", "Lab Door");
    }
    site_add_link(site, "lnk_1", "spc_lobby", "drw_front", 1, NULL, "Front Door");
    assert_int_equal(site_link(site), 0);
    return site;
}

static void test_merge(void **state)
{
    (void)state;
    struct site *site = listing(true, false, false);
    site_index lobby = site_find_space(site, "spc_lobby");
    site_index kitchen = site_find_space(site, "spc_kitchen");

    /* The same listing again: nothing changes. */
    struct site *same = listing(true, false, false);
    assert_int_equal(site_merge(site, same), 0);
    site_free(same);

    /* The kitchen deleted, the lobby renamed, a lab made with a new door. */
    struct site *fresh = listing(false, true, true);
    assert_int_equal(site_merge(site, fresh), 1);
    site_free(fresh);
    assert_int_equal(site_find_space(site, "spc_lobby"), lobby); /* indices stay */
    assert_string_equal(site->spaces[lobby].name, "Front Lobby");
    assert_int_equal(site_find_space(site, "spc_kitchen"), SITE_NONE);
    assert_true(site->spaces[kitchen].deleted);
    site_index lab = site_find_space(site, "spc_lab");
    assert_int_equal(lab, 4); /* after every space the site had */
    assert_string_equal(site->spaces[site->spaces[lab].parent].id, "spc_f");
    assert_int_equal(site->spaces[lab].link_count, 1);
    site_index door = site_find_doorway(site, "drw_lab");
    assert_int_not_equal(door, SITE_NONE);
    assert_string_equal(site->doorways[door].name, "Lab Door");
    assert_int_equal(site->spaces[lobby].link_count, 1);
    size_t in_tree = 0;
    for (site_index i = site->first_root; i != SITE_NONE; i = site_walk_next(site, i)) {
        assert_int_not_equal(i, kitchen);
        in_tree++;
    }
    assert_int_equal(in_tree, 4);
    assert_int_equal(site->problem_count, 0);
    site_free(site);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_and_tree),
        cmocka_unit_test(test_relink_is_idempotent),
        cmocka_unit_test(test_duplicate_space_id),
        cmocka_unit_test(test_missing_parent),
        cmocka_unit_test(test_parent_cycle),
        cmocka_unit_test(test_parent_types),
        cmocka_unit_test(test_one_child_space),
        cmocka_unit_test(test_links_merge_from_both_ends),
        cmocka_unit_test(test_link_conflict),
        cmocka_unit_test(test_unknown_doorway_and_space),
        cmocka_unit_test(test_sensor_problems),
        cmocka_unit_test(test_unknown_component),
        cmocka_unit_test(test_hostile_text_in_messages),
        cmocka_unit_test(test_deep_hierarchy),
        cmocka_unit_test(test_many_spaces),
        cmocka_unit_test(test_enums_and_clock),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
