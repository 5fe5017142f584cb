/* file_write.h — replacing a file so that a crash never leaves it half
 * written: the data goes to a temporary file beside it, is flushed to the
 * disk (fsync), and is renamed over the old one; then the directory is
 * flushed so that the rename itself survives a power cut.  A reader sees
 * the old file or the new one, never a mix. */
#ifndef OCCTOP_WIRE_FILE_WRITE_H
#define OCCTOP_WIRE_FILE_WRITE_H

#include <stddef.h>

/* Returns 0, or -1 with one line in `error` naming the file and the cause
 * (the old file is then untouched, and no temporary file is left). */
int wire_file_replace(const char *path, const char *data, size_t length, char *error,
                      size_t error_size);

#endif
