/* file_read.c — a whole file into memory, bounded (see file_read.h). */
#include "wire/file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void wire_file_describe_size(size_t bytes, char *out, size_t out_size)
{
    const size_t mib = (size_t)1024 * 1024;
    if (bytes >= mib && bytes % mib == 0)
        snprintf(out, out_size, "%zu MiB", bytes / mib);
    else
        snprintf(out, out_size, "%zu bytes", bytes);
}

/* Reads all of fd into a buffer that starts at size_hint + 1 bytes (64 KiB
 * without a hint: pipes have no size) and doubles, but never past one byte
 * over max_bytes: that byte is enough to tell a full file from a larger one. */
static enum wire_file_status read_all(int fd, size_t size_hint, size_t max_bytes,
                                      struct wire_file *out)
{
    const size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX;
    size_t capacity = size_hint > 0 && size_hint < limit ? size_hint + 1 : 65536;
    if (capacity > limit)
        capacity = limit;
    size_t len = 0;
    char *buffer = malloc(capacity);
    if (!buffer) {
        out->sys_errno = ENOMEM;
        return WIRE_FILE_NO_MEMORY;
    }
    for (;;) {
        if (len == capacity) {
            if (capacity == limit)
                break; /* one byte over the bound */
            size_t grown = capacity > limit / 2 ? limit : 2 * capacity;
            char *bigger = realloc(buffer, grown);
            if (!bigger) {
                free(buffer);
                out->sys_errno = ENOMEM;
                return WIRE_FILE_NO_MEMORY;
            }
            buffer = bigger;
            capacity = grown;
        }
        ssize_t got = read(fd, buffer + len, capacity - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            out->sys_errno = errno;
            free(buffer);
            return WIRE_FILE_READ_FAILED;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len > max_bytes) {
        free(buffer);
        return WIRE_FILE_TOO_LARGE;
    }
    out->data = buffer;
    out->len = len;
    return WIRE_FILE_OK;
}

/* Opens, checks and reads; sets only out and the status. */
static enum wire_file_status read_file(const char *path, size_t max_bytes, unsigned flags,
                                       struct wire_file *out)
{
    int open_flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    if (flags & WIRE_FILE_NONBLOCK)
        open_flags |= O_NONBLOCK;
    int fd = open(path, open_flags);
    if (fd < 0) {
        out->sys_errno = errno;
        return WIRE_FILE_OPEN_FAILED;
    }
    struct stat st;
    enum wire_file_status status;
    if (fstat(fd, &st) != 0) {
        out->sys_errno = errno;
        status = WIRE_FILE_STAT_FAILED;
    } else if (S_ISDIR(st.st_mode)) {
        status = WIRE_FILE_IS_DIRECTORY;
    } else if ((flags & WIRE_FILE_REGULAR_ONLY) && !S_ISREG(st.st_mode)) {
        status = WIRE_FILE_NOT_REGULAR;
    } else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
        status = WIRE_FILE_TOO_LARGE;
    } else {
        status = read_all(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, max_bytes, out);
    }
    close(fd);
    return status;
}

enum wire_file_status wire_file_read(const char *path, size_t max_bytes, unsigned flags,
                                     struct wire_file *out, struct wire_error *err)
{
    *out = (struct wire_file){ NULL, 0, 0 };
    enum wire_file_status status = read_file(path, max_bytes, flags, out);
    if (status == WIRE_FILE_OK || !err)
        return status;
    char source[WIRE_SAFE_SOURCE_SIZE];
    wire_safe_source(path, source, sizeof source);
    char limit[48];
    switch (status) {
    case WIRE_FILE_OK:
        break;
    case WIRE_FILE_OPEN_FAILED:
        wire_error_set(err, "%s: cannot open: %s", source, strerror(out->sys_errno));
        break;
    case WIRE_FILE_STAT_FAILED:
    case WIRE_FILE_READ_FAILED:
        wire_error_set(err, "%s: cannot read: %s", source, strerror(out->sys_errno));
        break;
    case WIRE_FILE_IS_DIRECTORY:
        wire_error_set(err, "%s: is a directory", source);
        break;
    case WIRE_FILE_NOT_REGULAR:
        wire_error_set(err, "%s: not a regular file", source);
        break;
    case WIRE_FILE_TOO_LARGE:
        wire_file_describe_size(max_bytes, limit, sizeof limit);
        wire_error_set(err, "%s: file is larger than %s", source, limit);
        break;
    case WIRE_FILE_NO_MEMORY:
        wire_error_set(err, "%s: out of memory", source);
        break;
    }
    return status;
}
