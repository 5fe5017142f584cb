/* file_write.c — atomic replacement of a file (see file_write.h). */
#include "wire/file_write.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/json_util.h"

static int fail(const char *path, const char *what, int code, char *error, size_t error_size)
{
    char safe[WIRE_SAFE_TEXT_SIZE];
    snprintf(error, error_size, "%s: %s: %s", wire_safe_text(path, safe, sizeof safe), what,
             strerror(code));
    return -1;
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t wrote = write(fd, data, length);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return -1;
        data += wrote;
        length -= (size_t)wrote;
    }
    return 0;
}

/* The directory's own entry list reaches the disk: the rename is durable. */
static int sync_directory(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int status = fsync(fd);
    close(fd);
    return status;
}

int wire_file_replace(const char *path, const char *data, size_t length, char *error,
                      size_t error_size)
{
    char temporary[4096];
    int n = snprintf(temporary, sizeof temporary, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof temporary)
        return fail(path, "cannot write", ENAMETOOLONG, error, error_size);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(path, "cannot write beside it", errno, error, error_size);
    if (write_all(fd, data, length) != 0 || fsync(fd) != 0) {
        int code = errno ? errno : EIO;
        close(fd);
        unlink(temporary);
        return fail(path, "cannot write", code, error, error_size);
    }
    if (close(fd) != 0 || rename(temporary, path) != 0) {
        int code = errno;
        unlink(temporary);
        return fail(path, "cannot replace", code, error, error_size);
    }
    if (sync_directory(path) != 0)
        return fail(path, "written, but its directory could not be flushed", errno, error,
                    error_size);
    return 0;
}
