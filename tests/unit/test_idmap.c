/* test_idmap.c — the id index: first index wins, growth keeps every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/idmap.h"

static void test_insert_find(void **state)
{
    (void)state;
    struct idmap map;
    idmap_init(&map);
    assert_int_equal(idmap_find(&map, "spc_1"), -1); /* empty map */
    assert_int_equal(idmap_insert(&map, "spc_1", 7), 0);
    assert_int_equal(idmap_insert(&map, "spc_2", 8), 0);
    assert_int_equal(idmap_insert(&map, "spc_1", 9), 1); /* duplicate: first kept */
    assert_int_equal(idmap_find(&map, "spc_1"), 7);
    assert_int_equal(idmap_find(&map, "spc_2"), 8);
    assert_int_equal(idmap_find(&map, "spc_3"), -1);
    assert_int_equal(idmap_find(&map, NULL), -1);
    assert_int_equal(map.count, 2);
    idmap_clear(&map);
    assert_int_equal(idmap_find(&map, "spc_1"), -1);
    idmap_free(&map);
}

static void test_growth(void **state)
{
    (void)state;
    enum { KEYS = 50000 };
    char (*keys)[24] = malloc(KEYS * sizeof *keys);
    assert_non_null(keys);
    struct idmap map;
    idmap_init(&map);
    for (int i = 0; i < KEYS; i++) {
        snprintf(keys[i], sizeof keys[i], "drw_%018d", i * 7919);
        assert_int_equal(idmap_insert(&map, keys[i], i), 0);
    }
    for (int i = 0; i < KEYS; i++)
        assert_int_equal(idmap_find(&map, keys[i]), i);
    assert_true(map.count * 10 <= map.capacity * 7);
    idmap_free(&map);
    free(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_find),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
