/* options.c — parse the command line with getopt_long. */
#include "options.h"

#include <getopt.h>
#include <string.h>

#include "core/termtext.h"
#include "core/timefmt.h"

enum { OPT_FORMAT = 256, OPT_ASCII, OPT_BATCH, OPT_SITE, OPT_REPLAY, OPT_AT };

static const struct option long_options[] = {
    { "batch", no_argument, NULL, OPT_BATCH },
    { "site", required_argument, NULL, OPT_SITE },
    { "replay", required_argument, NULL, OPT_REPLAY },
    { "at", required_argument, NULL, OPT_AT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "ascii", no_argument, NULL, OPT_ASCII },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

void options_print_help(FILE *out)
{
    fputs("Usage: occtop --batch [--site FILE] [--format text|json] [--ascii]\n"
          "       occtop --replay LOG --batch [--site FILE] [--at TIME] [--format text|json]\n"
          "       occtop --help | --version\n"
          "\n"
          "Live occupancy monitor for Density people counters.\n"
          "\n"
          "Modes:\n"
          "  --batch            print the site's hierarchy once, as a table, and exit\n"
          "  --replay LOG       count a raw sensor log (CSV with a header, or JSON lines\n"
          "                     of sensor events) through the counting engine, from\n"
          "                     empty spaces, and print the counts (with --batch)\n"
          "\n"
          "Options:\n"
          "  --site FILE        site file to load (spaces, doorways and sensors in the\n"
          "                     Density API's JSON shapes; default: the demo campus)\n"
          "  --at TIME          with --replay: the counts as of this ISO 8601 time\n"
          "  --format FORMAT    batch output: text (default) or json (with --replay, the\n"
          "                     per-space counts, clamps and hourly history)\n"
          "  --ascii            write only ASCII (automatic when the locale is not UTF-8)\n"
          "  -h, --help         show this help and exit\n"
          "  -V, --version      show the version and the libraries in use, and exit\n"
          "\n"
          "Exit status: 0 success, 1 bad input (one line says what), 2 bad command line.\n"
          "See occtop(1) for the site file format and the safe-state rules.\n",
          out);
}

static void set_error(char *error, size_t error_size, const char *what, const char *arg)
{
    char safe[128];
    termtext_sanitize_str(arg ? arg : "", safe, sizeof safe, 60, 0);
    snprintf(error, error_size, "%s%s%s", what, arg ? ": " : "", arg ? safe : "");
}

int options_parse(int argc, char **argv, struct options *out, char *error, size_t error_size)
{
    memset(out, 0, sizeof *out);
    opterr = 0; /* we word the errors ourselves, sanitised */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'h': out->mode = MODE_HELP; return 0;
        case 'V': out->mode = MODE_VERSION; return 0;
        case OPT_BATCH: out->mode = MODE_BATCH; break;
        case OPT_SITE: out->site_path = optarg; break;
        case OPT_REPLAY: out->replay_path = optarg; break;
        case OPT_AT:
            if (!timefmt_parse(optarg, &out->at_ms, 0)) {
                set_error(error, error_size,
                          "--at takes an ISO 8601 time like 2024-05-01T12:00:00Z, not", optarg);
                return -1;
            }
            out->has_at = true;
            break;
        case OPT_ASCII: out->ascii = true; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                out->format = FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                out->format = FORMAT_JSON;
            } else {
                set_error(error, error_size, "--format takes text or json, not", optarg);
                return -1;
            }
            break;
        case ':':
            set_error(error, error_size, "option needs a value", argv[optind - 1]);
            return -1;
        default:
            set_error(error, error_size, "unknown option", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        set_error(error, error_size, "unexpected argument", argv[optind]);
        return -1;
    }
    if (out->replay_path) {
        if (out->mode != MODE_BATCH) {
            set_error(error, error_size, "--replay needs --batch (the interactive monitor is "
                      "not part of this version)", NULL);
            return -1;
        }
        out->mode = MODE_REPLAY;
    } else if (out->has_at) {
        set_error(error, error_size, "--at goes with --replay", NULL);
        return -1;
    }
    if (out->mode == MODE_NONE) {
        set_error(error, error_size, "no mode given: use --batch (the live monitor is not "
                  "part of this version)", NULL);
        return -1;
    }
    return 0;
}
