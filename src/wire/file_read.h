/* file_read.h — reading a whole file into memory, with a size bound, for the
 * loaders that parse files whole (site files, tz database files).
 *
 * The file is opened, checked with fstat (a directory is refused; with
 * WIRE_FILE_REGULAR_ONLY anything but a regular file is), refused at once when
 * stat says it is larger than the bound, then read to its end.  stat's size
 * is only a hint: a file that is changing, a pipe or a /proc file is bounded
 * while it is read, in a buffer that never grows past one byte over the bound.
 *
 * Errors come back two ways, so that each caller can keep its own words:
 * the status and the system's errno say what went wrong, and err (which may
 * be NULL) gets a plain line naming the file:
 *   <path>: cannot open: <strerror>
 *   <path>: cannot read: <strerror>       (fstat or read failed)
 *   <path>: is a directory
 *   <path>: not a regular file
 *   <path>: file is larger than <bound>   ("256 MiB" in whole MiB, else "100 bytes")
 *   <path>: out of memory
 * The path is shown through wire_safe_source(). */
#ifndef OCCTOP_WIRE_FILE_READ_H
#define OCCTOP_WIRE_FILE_READ_H

#include <stddef.h>

#include "wire/json_util.h"

enum wire_file_flag {
    WIRE_FILE_REGULAR_ONLY = 1u << 0, /* refuse pipes, devices, sockets */
    WIRE_FILE_NONBLOCK = 1u << 1,     /* open with O_NONBLOCK: a FIFO cannot hang the open */
};

enum wire_file_status {
    WIRE_FILE_OK = 0,
    WIRE_FILE_OPEN_FAILED,  /* open() failed: sys_errno */
    WIRE_FILE_STAT_FAILED,  /* fstat() failed: sys_errno */
    WIRE_FILE_IS_DIRECTORY,
    WIRE_FILE_NOT_REGULAR,  /* only with WIRE_FILE_REGULAR_ONLY */
    WIRE_FILE_TOO_LARGE,    /* more than max_bytes */
    WIRE_FILE_READ_FAILED,  /* read() failed: sys_errno */
    WIRE_FILE_NO_MEMORY,    /* sys_errno is ENOMEM */
};

/* What wire_file_read() gives back.  On WIRE_FILE_OK, data holds len bytes
 * (not NUL-terminated; data is non-NULL even for an empty file) and the
 * caller owns it (free).  On failure data is NULL, len 0, and sys_errno is
 * the errno of the failing call (0 when none failed). */
struct wire_file {
    char *data;
    size_t len;
    int sys_errno;
};

/* Reads the file at path, at most max_bytes of it; flags are enum
 * wire_file_flag.  Returns the status; on failure also fills err. */
enum wire_file_status wire_file_read(const char *path, size_t max_bytes, unsigned flags,
                                     struct wire_file *out, struct wire_error *err);

/* "256 MiB" when bytes is a whole number of MiB, else "100 bytes". */
void wire_file_describe_size(size_t bytes, char *out, size_t out_size);

#endif
