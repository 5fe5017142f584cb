/* options.h — the command line. */
#ifndef OCCTOP_OPTIONS_H
#define OCCTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum occtop_mode {
    MODE_NONE = 0,
    MODE_HELP,
    MODE_VERSION,
    MODE_BATCH,
    MODE_REPLAY, /* --replay FILE --batch */
};

enum output_format {
    FORMAT_TEXT = 0,
    FORMAT_JSON,
};

struct options {
    enum occtop_mode mode;
    const char *site_path;   /* NULL: the installed demo site */
    const char *replay_path; /* --replay FILE */
    bool has_at;
    int64_t at_ms;           /* --at TIMESTAMP */
    enum output_format format;
    bool ascii;              /* --ascii, or a locale that is not UTF-8 */
};

/* Exit statuses (documented in occtop(1)). */
enum {
    EXIT_OK = 0,
    EXIT_BAD_INPUT = 1, /* a file or data occtop could not use */
    EXIT_USAGE = 2,     /* a bad command line */
};

/* Fills *out from argv.  On a bad command line returns -1 with one line in
 * error (which names the offending argument). */
int options_parse(int argc, char **argv, struct options *out, char *error, size_t error_size);

void options_print_help(FILE *out);

#endif
