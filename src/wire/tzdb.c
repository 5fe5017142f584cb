/* tzdb.c — time zones by name from the system tz database.
 *
 * The name check is the security boundary: a zone name from the network
 * becomes a path under the database directory, so only names that cannot
 * climb out of it (no "..", no leading '/') and cannot surprise a terminal
 * in a message get as far as open().  Symbolic links inside the database
 * (Debian links US/Eastern to ../America/New_York) are followed: the
 * directory's contents are the administrator's, not the network's. */
#include "wire/tzdb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/termtext.h"
#include "wire/file_read.h"

/* How much of an untrusted name or a path goes into a message. */
#define MESSAGE_TEXT_COLUMNS 72

struct tzdb_entry {
    char *name;
    struct tz_zone *zone;
};

struct tzdb {
    char *directory;
    struct tzdb_entry *entries;
    size_t count;
    size_t capacity;
};

struct tzdb *tzdb_new(const char *directory)
{
    if (!directory || !*directory) {
        const char *from_env = getenv("TZDIR");
        directory = from_env && *from_env ? from_env : TZDB_DEFAULT_DIRECTORY;
    }
    struct tzdb *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->directory = strdup(directory);
    if (!db->directory) {
        free(db);
        return NULL;
    }
    return db;
}

void tzdb_free(struct tzdb *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->count; i++) {
        free(db->entries[i].name);
        tz_free(db->entries[i].zone);
    }
    free(db->entries);
    free(db->directory);
    free(db);
}

const char *tzdb_directory(const struct tzdb *db)
{
    return db->directory;
}

/* --- names ---------------------------------------------------------------- */

static bool is_name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '+' || ch == '-';
}

/* NULL when name is acceptable, else what is wrong with it. */
static const char *name_problem(const char *name)
{
    size_t length = strnlen(name, TZDB_MAX_NAME_LENGTH + 1);
    if (length == 0)
        return "it is empty";
    if (length > TZDB_MAX_NAME_LENGTH)
        return "it is longer than 64 characters";
    if (name[0] == '/')
        return "it starts with '/'";
    const char *component = name;
    for (;;) {
        size_t n = strcspn(component, "/");
        if (n == 0)
            return "it has an empty component";
        bool dots = component[0] == '.' && (n == 1 || (n == 2 && component[1] == '.'));
        if (dots)
            return "it has a '.' or '..' component";
        for (size_t i = 0; i < n; i++)
            if (!is_name_char(component[i]))
                return "only letters, digits, '_', '+', '-' and '/' are allowed";
        if (component[n] == '\0')
            return NULL;
        component += n + 1;
    }
}

/* --- messages ------------------------------------------------------------- */

static void report(char *error, size_t error_size, const char *name, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes `time zone "<name>": <what>`, the name sanitized and bounded. */
static void report(char *error, size_t error_size, const char *name, const char *format, ...)
{
    if (!error || error_size == 0)
        return;
    char shown[3 * MESSAGE_TEXT_COLUMNS + 8];
    termtext_sanitize_str(name, shown, sizeof shown, MESSAGE_TEXT_COLUMNS, TERMTEXT_ASCII);
    int n = snprintf(error, error_size, "time zone \"%s\": ", shown);
    if (n < 0 || (size_t)n >= error_size)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(error + n, error_size - (size_t)n, format, args);
    va_end(args);
}

/* --- files ---------------------------------------------------------------- */

static char *zone_path(const struct tzdb *db, const char *name)
{
    size_t directory_length = strlen(db->directory);
    size_t name_length = strlen(name);
    char *path = malloc(directory_length + 1 + name_length + 1);
    if (!path)
        return NULL;
    memcpy(path, db->directory, directory_length);
    path[directory_length] = '/';
    memcpy(path + directory_length + 1, name, name_length + 1);
    return path;
}

/* Opens and reads the zone file; on failure writes the message. */
static char *load_file(const struct tzdb *db, const char *name, size_t *len, char *error,
                       size_t error_size)
{
    char shown_directory[3 * MESSAGE_TEXT_COLUMNS + 8];
    termtext_sanitize_str(db->directory, shown_directory, sizeof shown_directory,
                          MESSAGE_TEXT_COLUMNS, TERMTEXT_ASCII);
    char *path = zone_path(db, name);
    if (!path) {
        report(error, error_size, name, "out of memory");
        return NULL;
    }
    /* Non-blocking: a FIFO planted in the directory must not hang the caller. */
    struct wire_file file;
    enum wire_file_status status = wire_file_read(
        path, TZDB_MAX_FILE_SIZE, WIRE_FILE_REGULAR_ONLY | WIRE_FILE_NONBLOCK, &file, NULL);
    free(path);
    switch (status) {
    case WIRE_FILE_OK:
        *len = file.len;
        return file.data;
    case WIRE_FILE_OPEN_FAILED:
        if (file.sys_errno == ENOENT || file.sys_errno == ENOTDIR)
            report(error, error_size, name, "no such zone in %s", shown_directory);
        else
            report(error, error_size, name, "cannot open its file: %s",
                   strerror(file.sys_errno));
        break;
    case WIRE_FILE_STAT_FAILED:
        report(error, error_size, name, "cannot stat its file: %s", strerror(file.sys_errno));
        break;
    case WIRE_FILE_IS_DIRECTORY:
        report(error, error_size, name, "no such zone in %s (it is a directory)",
               shown_directory);
        break;
    case WIRE_FILE_NOT_REGULAR:
        report(error, error_size, name, "its file is not a regular file");
        break;
    case WIRE_FILE_TOO_LARGE:
        report(error, error_size, name, "its file is larger than 1 MiB");
        break;
    case WIRE_FILE_READ_FAILED:
    case WIRE_FILE_NO_MEMORY:
        report(error, error_size, name, "cannot read its file: %s", strerror(file.sys_errno));
        break;
    }
    return NULL;
}

/* Parses the data; tz_parse's message starts with the name, which this
 * one already quotes, so it is dropped. */
static struct tz_zone *parse_file(const unsigned char *data, size_t len, const char *name,
                                  char *error, size_t error_size)
{
    char why[256] = "";
    struct tz_zone *zone = tz_parse(data, len, name, why, sizeof why);
    if (zone)
        return zone;
    const char *detail = why;
    size_t name_length = strlen(name);
    if (strncmp(why, name, name_length) == 0 && strncmp(why + name_length, ": ", 2) == 0)
        detail = why + name_length + 2;
    report(error, error_size, name, "%s", detail);
    return NULL;
}

/* --- lookups -------------------------------------------------------------- */

static struct tz_zone *cached(const struct tzdb *db, const char *name)
{
    for (size_t i = 0; i < db->count; i++)
        if (strcmp(db->entries[i].name, name) == 0)
            return db->entries[i].zone;
    return NULL;
}

static bool remember(struct tzdb *db, const char *name, struct tz_zone *zone)
{
    if (grow_reserve((void **)&db->entries, &db->capacity, db->count + 1, sizeof *db->entries) != 0)
        return false;
    char *copy = strdup(name);
    if (!copy)
        return false;
    db->entries[db->count++] = (struct tzdb_entry){ copy, zone };
    return true;
}

const struct tz_zone *tzdb_get(struct tzdb *db, const char *name, char *error,
                               size_t error_size)
{
    if (!name) {
        report(error, error_size, "", "no zone name");
        return NULL;
    }
    const char *problem = name_problem(name);
    if (problem) {
        report(error, error_size, name, "not a valid zone name: %s", problem);
        return NULL;
    }
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
        return tz_utc();
    struct tz_zone *zone = cached(db, name);
    if (zone)
        return zone;

    size_t len = 0;
    char *data = load_file(db, name, &len, error, error_size);
    if (!data)
        return NULL;
    zone = parse_file((const unsigned char *)data, len, name, error, error_size);
    free(data);
    if (!zone)
        return NULL;
    if (!remember(db, name, zone)) {
        tz_free(zone);
        report(error, error_size, name, "out of memory");
        return NULL;
    }
    return zone;
}
