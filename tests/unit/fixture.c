/* fixture.c — test inputs from tests/fixtures, message checks, zones. */
#include "fixture.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void fixture_path(const char *relative, char *out, size_t out_size)
{
    const char *top = getenv("top_srcdir");
    int wrote = snprintf(out, out_size, "%s/tests/fixtures/%s", top && *top ? top : ".",
                         relative);
    if (wrote < 0 || (size_t)wrote >= out_size)
        fail_msg("fixture path too long for %s", relative);
}

char *fixture_read(const char *relative, size_t *len)
{
    char path[4096];
    fixture_path(relative, path, sizeof path);
    FILE *file = fopen(path, "rb");
    if (!file)
        fail_msg("cannot open fixture %s: %s (is top_srcdir set?)", path, strerror(errno));
    size_t capacity = 4096, used = 0;
    char *text = malloc(capacity);
    assert_non_null(text);
    for (;;) {
        used += fread(text + used, 1, capacity - used - 1, file);
        if (ferror(file))
            fail_msg("cannot read fixture %s", path);
        if (used < capacity - 1)
            break;
        capacity *= 2;
        text = realloc(text, capacity);
        assert_non_null(text);
    }
    fclose(file);
    text[used] = '\0';
    if (len)
        *len = used;
    return text;
}

json_t *fixture_json(const char *relative, struct wire_error *err)
{
    size_t len = 0;
    char *text = fixture_read(relative, &len);
    const char *base = strrchr(relative, '/');
    json_t *json = wire_json_parse(text, len, base ? base + 1 : relative, err);
    free(text);
    return json;
}

json_t *fixture_json_ok(const char *relative)
{
    struct wire_error err;
    wire_error_clear(&err);
    json_t *json = fixture_json(relative, &err);
    if (!json)
        fail_msg("fixture %s: %s", relative, err.message);
    return json;
}

void fixture_assert_one_line(const char *message)
{
    assert_true(message[0] != '\0');
    assert_true(strlen(message) < WIRE_ERROR_SIZE);
    for (const unsigned char *p = (const unsigned char *)message; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fail_msg("control byte 0x%02x in message: %s", *p, message);
}

const struct tz_zone *fixture_zone(struct tzdb *db, const char *name)
{
    char error[256];
    const struct tz_zone *zone = tzdb_get(db, name, error, sizeof error);
    if (!zone)
        fail_msg("%s", error);
    return zone;
}
