/* test_site_file.c — loading sites from files (wire/site_file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/site.h"
#include "core/timefmt.h"
#include "fixture.h"
#include "wire/site_file.h"

/* --- helpers ----------------------------------------------------------------- */

/* Loads tests/fixtures/<relative> by its full path; returns the loader's result. */
static int load(struct site *site, const char *relative, struct wire_error *err)
{
    char path[4096];
    fixture_path(relative, path, sizeof path);
    wire_error_clear(err);
    return site_file_load(site, path, err);
}

/* The message must be "<full path of relative>: <rest>". */
static void assert_message_for(const char *relative, const char *message, const char *rest)
{
    char path[4096], expected[4096 + 512];
    fixture_path(relative, path, sizeof path);
    snprintf(expected, sizeof expected, "%s: %s", path, rest);
    assert_string_equal(message, expected);
}

static bool has_problem(const struct site *site, enum site_problem_kind kind, const char *id)
{
    for (size_t i = 0; i < site->problem_count; i++)
        if (site->problems[i].kind == kind && site->problems[i].id &&
            strcmp(site->problems[i].id, id) == 0)
            return true;
    return false;
}

static site_index find_link(const struct site *site, const char *space_id,
                            const char *doorway_id)
{
    for (size_t i = 0; i < site->link_count; i++)
        if (strcmp(site->links[i].space_id, space_id) == 0 &&
            strcmp(site->links[i].doorway_id, doorway_id) == 0)
            return (site_index)i;
    return SITE_NONE;
}

/* --- the accepted forms ------------------------------------------------------ */

static void test_full_site_file(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    if (load(site, "sites/good.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(site->name, "Test Campus");
    assert_true(site->has_doorway_list);
    assert_true(site->has_sensor_list);
    assert_int_equal(site->space_count, 3);
    assert_int_equal(site->doorway_count, 2);
    assert_int_equal(site->sensor_count, 2);
    for (size_t i = 0; i < site->problem_count; i++)
        fail_msg("unexpected problem: %s", site->problems[i].message);

    /* site_link() has run: the tree and the merged links are there. */
    site_index building = site_find_space(site, "spc_building");
    site_index floor = site_find_space(site, "spc_floor");
    site_index room = site_find_space(site, "spc_room");
    assert_int_equal(site->first_root, building);
    assert_int_equal(site->spaces[building].first_child, floor);
    assert_int_equal(site->spaces[floor].first_child, room);
    assert_int_equal(site->spaces[room].depth, 2);
    assert_int_equal(site->spaces[room].safe_mode, SAFE_MODE_SAFE_CAPACITY);
    assert_int_equal(site->spaces[room].daily_reset_minute, 3 * 60 + 30);
    /* lnk_1 and lnk_2 come from both ends and are kept once; lnk_3 from one. */
    assert_int_equal(site->link_count, 3);
    site_index inner = find_link(site, "spc_building", "drw_stairs");
    assert_true(inner != SITE_NONE);
    assert_int_equal(site->links[inner].placement, -1);
    assert_string_equal(site->links[inner].id, "lnk_3");
    assert_int_equal(site->spaces[building].link_count, 2);

    site_index main_door = site_find_doorway(site, "drw_main");
    assert_int_equal(site->doorways[main_door].sensor, site_find_sensor(site, "Z100"));
    const struct sensor *z100 = &site->sensors[site_find_sensor(site, "Z100")];
    assert_int_equal(z100->doorway, main_door);
    assert_true(z100->last_heartbeat_present);
    assert_int_equal(site->sensors[site_find_sensor(site, "Z200")].status,
                     SENSOR_STATUS_OFFLINE);
    site_free(site);
}

/* `curl .../spaces/ > f.json` is a site file. */
static void test_spaces_response_as_site_file(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    if (load(site, "sites/spaces-envelope.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_null(site->name);
    assert_int_equal(site->space_count, 2);
    assert_false(site->has_doorway_list);
    assert_false(site->has_sensor_list);
    /* Without a doorway list, the link to drw_x cannot be checked: no problem. */
    assert_int_equal(site->problem_count, 0);
    assert_int_equal(site->link_count, 1);
    assert_int_equal(site->spaces[1].parent, 0);
    site_free(site);

    /* The reference's own example, duplicate id and all. */
    site = site_new();
    if (load(site, "api/list-spaces.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(site->space_count, 2);
    assert_true(has_problem(site, SITE_PROBLEM_DUPLICATE_ID, "spc_575377614718369795"));
    site_free(site);
}

static void test_bare_array_of_spaces(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    if (load(site, "sites/spaces-array.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(site->space_count, 2);
    assert_int_equal(site->spaces[1].current_count, 9);
    assert_false(site->spaces[1].capacity.present);
    assert_int_equal(site->first_root, 0); /* "Alpha" sorts first */
    site_free(site);
}

static void test_byte_order_mark_and_null_lists(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF{\"spaces\": [{\"id\": \"spc_1\"}], "
                               "\"doorways\": null, \"sensors\": null, \"name\": null}";
    struct site *site = site_new();
    struct wire_error err;
    if (site_file_parse(site, text, strlen(text), "bom.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(site->space_count, 1);
    assert_null(site->name);
    assert_false(site->has_doorway_list);
    assert_false(site->has_sensor_list);
    site_free(site);
}

static void test_unknown_references_are_problems(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    if (load(site, "sites/unknown-references.json", &err) != 0)
        fail_msg("%s", err.message);
    assert_true(site->has_doorway_list);
    assert_true(has_problem(site, SITE_PROBLEM_UNKNOWN_DOORWAY, "spc_a"));
    assert_true(has_problem(site, SITE_PROBLEM_UNKNOWN_SENSOR_DOORWAY, "Z9"));
    site_free(site);
}

/* --- errors ---------------------------------------------------------------------- */

static void test_decode_error_names_file_and_object(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(load(site, "sites/wrong-type.json", &err), -1);
    assert_message_for("sites/wrong-type.json", err.message,
                       "spaces[1] (spc_b): field \"capacity\": expected an integer or null, "
                       "got a string");
    site_free(site);
}

static void test_errors_in_each_part(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *message; /* after "<file name>: " */
    } cases[] = {
        { "missing-spaces.json",
          "expected a site file: an object with \"spaces\", a GET /spaces/ response (with "
          "\"results\") or an array of spaces" },
        { "spaces-not-a-list.json",
          "spaces: expected a GET /spaces/ response (with \"results\") or an array, "
          "got a string" },
        { "bad-envelope.json", "spaces: field \"total\": expected an integer, got a string" },
        { "bad-doorway.json",
          "doorways[0] (drw_1): field \"spaces[0].sensor_placement\": expected 1 or -1, got 2" },
        { "bad-sensor.json",
          "sensors[1] (Z2): field \"last_heartbeat\": expected an ISO 8601 timestamp, "
          "got \"last tuesday\"" },
        { "bad-name.json", "field \"name\": expected a string or null, got an integer" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char relative[256], expected[1024];
        snprintf(relative, sizeof relative, "sites/%s", cases[i].file);
        size_t len = 0;
        char *text = fixture_read(relative, &len);
        struct site *site = site_new();
        struct wire_error err;
        assert_int_equal(site_file_parse(site, text, len, cases[i].file, &err), -1);
        snprintf(expected, sizeof expected, "%s: %s", cases[i].file, cases[i].message);
        assert_string_equal(err.message, expected);
        assert_null(strchr(err.message, '\n'));
        site_free(site);
        free(text);
    }
}

static void test_invalid_json(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(load(site, "sites/truncated.json", &err), -1);
    assert_message_for("sites/truncated.json", err.message,
                       "line 27 column 58: invalid JSON: premature end of input near '\"link_id'");
    site_free(site);

    site = site_new();
    assert_int_equal(site_file_parse(site, "42", 2, "number.json", &err), -1);
    assert_true(strncmp(err.message, "number.json: line 1 column ", 27) == 0);
    assert_non_null(strstr(err.message, "invalid JSON"));
    site_free(site);
}

static void test_file_system_errors(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    assert_int_equal(load(site, "sites/empty.json", &err), -1);
    assert_message_for("sites/empty.json", err.message,
                       "file is empty, expected a site file (JSON)");
    assert_int_equal(site_file_parse(site, " \n\t\r\n", 5, "blank.json", &err), -1);
    assert_string_equal(err.message, "blank.json: file is empty, expected a site file (JSON)");

    assert_int_equal(load(site, "sites", &err), -1);
    assert_message_for("sites", err.message, "is a directory, expected a site file (JSON)");

    assert_int_equal(load(site, "sites/no-such-file.json", &err), -1);
    assert_message_for("sites/no-such-file.json", err.message,
                       "cannot open: No such file or directory");
    assert_int_equal(site->space_count, 0);
    site_free(site);
}

static void test_size_limit(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    char path[4096];
    fixture_path("sites/good.json", path, sizeof path);
    assert_int_equal(site_file_load_bounded(site, path, 100, &err), -1);
    assert_message_for("sites/good.json", err.message,
                       "file is larger than 100 bytes, the limit for a site file");

    /* A file whose size stat() does not tell (as in /proc) is bounded while read. */
    assert_int_equal(site_file_load_bounded(site, "/proc/self/status", 64, &err), -1);
    assert_string_equal(err.message,
                        "/proc/self/status: file is larger than 64 bytes, the limit for a site "
                        "file");

    /* Limits in whole MiB are written so. */
    char temp[] = "/tmp/occtop-site-XXXXXX";
    int fd = mkstemp(temp);
    assert_true(fd >= 0);
    size_t mib = 1024 * 1024;
    char *blank = malloc(mib + 1);
    assert_non_null(blank);
    memset(blank, ' ', mib + 1);
    assert_int_equal(write(fd, blank, mib + 1), (ssize_t)(mib + 1));
    close(fd);
    free(blank);
    assert_int_equal(site_file_load_bounded(site, temp, mib, &err), -1);
    char expected[512];
    snprintf(expected, sizeof expected, "%s: file is larger than 1 MiB, the limit for a site file",
             temp);
    assert_string_equal(err.message, expected);
    unlink(temp);
    assert_true(SITE_FILE_MAX_BYTES == (size_t)256 * 1024 * 1024);
    site_free(site);
}

/* A file name is shown as given, minus what a terminal would obey. */
static void test_untrusted_source_name(void **state)
{
    (void)state;
    struct site *site = site_new();
    struct wire_error err;
    static const char text[] = "{\"spaces\": [{\"id\": 5}]}";
    assert_int_equal(site_file_parse(site, text, strlen(text), "evil\x1b]0;owned\x07.json", &err),
                     -1);
    assert_null(strchr(err.message, '\x1b'));
    assert_null(strchr(err.message, '\x07'));
    assert_non_null(strstr(err.message, "spaces[0]: field \"id\": expected a string, got an integer"));
    site_free(site);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_site_file),
        cmocka_unit_test(test_spaces_response_as_site_file),
        cmocka_unit_test(test_bare_array_of_spaces),
        cmocka_unit_test(test_byte_order_mark_and_null_lists),
        cmocka_unit_test(test_unknown_references_are_problems),
        cmocka_unit_test(test_decode_error_names_file_and_object),
        cmocka_unit_test(test_errors_in_each_part),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_file_system_errors),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_untrusted_source_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
