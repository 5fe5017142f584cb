/* options.c — parse the command line with getopt_long. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/termtext.h"
#include "core/timefmt.h"

enum {
    OPT_FORMAT = 256, OPT_ASCII, OPT_BATCH, OPT_SITE, OPT_STATE, OPT_REPLAY, OPT_AT, OPT_SERVE,
    OPT_LISTEN, OPT_TOKEN, OPT_TOKEN_FILE, OPT_RATE_LIMIT, OPT_SEED, OPT_SPEED, OPT_SCENARIO,
    OPT_RATE, OPT_START, OPT_HISTORY_DAYS, OPT_API_URL, OPT_INSECURE, OPT_INTERVAL,
    OPT_ITERATIONS, OPT_DURATION, OPT_BUDGET, OPT_EVENTS, OPT_RECORD,
    OPT_DEMO, OPT_KIOSK, OPT_ROTATE, OPT_TAG, OPT_READONLY, OPT_QUIET, OPT_NO_COLOR,
    OPT_NO_MOUSE, OPT_DELAY, OPT_ALERT, OPT_COME_IN, OPT_PLEASE_WAIT,
};

static const struct option long_options[] = {
    { "batch", no_argument, NULL, OPT_BATCH },
    { "site", required_argument, NULL, OPT_SITE },
    { "state", required_argument, NULL, OPT_STATE },
    { "replay", required_argument, NULL, OPT_REPLAY },
    { "at", required_argument, NULL, OPT_AT },
    { "serve", no_argument, NULL, OPT_SERVE },
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "token", required_argument, NULL, OPT_TOKEN },
    { "token-file", required_argument, NULL, OPT_TOKEN_FILE },
    { "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
    { "seed", required_argument, NULL, OPT_SEED },
    { "speed", required_argument, NULL, OPT_SPEED },
    { "scenario", required_argument, NULL, OPT_SCENARIO },
    { "rate", required_argument, NULL, OPT_RATE },
    { "start", required_argument, NULL, OPT_START },
    { "history-days", required_argument, NULL, OPT_HISTORY_DAYS },
    { "api-url", required_argument, NULL, OPT_API_URL },
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { "iterations", required_argument, NULL, OPT_ITERATIONS },
    { "duration", required_argument, NULL, OPT_DURATION },
    { "budget", required_argument, NULL, OPT_BUDGET },
    { "events", required_argument, NULL, OPT_EVENTS },
    { "record", required_argument, NULL, OPT_RECORD },
    { "demo", no_argument, NULL, OPT_DEMO },
    { "kiosk", required_argument, NULL, OPT_KIOSK },
    { "rotate", required_argument, NULL, OPT_ROTATE },
    { "tag", required_argument, NULL, OPT_TAG },
    { "readonly", optional_argument, NULL, OPT_READONLY },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "no-color", no_argument, NULL, OPT_NO_COLOR },
    { "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
    { "delay", required_argument, NULL, OPT_DELAY },
    { "alert", required_argument, NULL, OPT_ALERT },
    { "come-in", required_argument, NULL, OPT_COME_IN },
    { "please-wait", required_argument, NULL, OPT_PLEASE_WAIT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "ascii", no_argument, NULL, OPT_ASCII },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

void options_print_help(FILE *out)
{
    fputs("Usage: occtop [--api-url URL] [--token-file F] [monitor options]\n"
          "       occtop --demo [--site FILE] [--scenario NAME] [--speed N] [--seed N]\n"
          "              [--batch] [monitor options]\n"
          "       occtop --batch [--site FILE] [--format text|json] [--ascii]\n"
          "       occtop --batch --api-url URL [--token-file F] [--interval S]\n"
          "              [--iterations N] [--duration S] [--format text|json] [--insecure]\n"
          "       occtop --replay LOG --batch [--site FILE] [--at TIME] [--format text|json]\n"
          "       occtop --replay RECORDING --batch [--speed N] [--at TIME] [--interval S]\n"
          "              [--iterations N] [--duration S] [--format text|json]\n"
          "       occtop --serve [--site FILE] [--state FILE] [--listen ADDR:PORT]\n"
          "              [--token-file F] [--rate-limit N] [--seed N] [--speed N]\n"
          "              [--scenario NAME] [--rate N] [--start TIME]\n"
          "       occtop --help | --version\n"
          "\n"
          "Live occupancy monitor for Density people counters.\n"
          "\n"
          "Modes (without one: the interactive monitor of the live counts):\n"
          "  --demo             the monitor (or --batch lines) on a simulated site: the\n"
          "                     mock server and its doorways run inside occtop, reached\n"
          "                     over loopback HTTP and WebSocket; no account needed\n"
          "  --batch            print the site's hierarchy once, as a table, and exit;\n"
          "                     with --api-url (or DENSITY_API_URL) or --demo: follow the\n"
          "                     live counts, one line per change\n"
          "  --replay FILE      with --batch: count a raw sensor log (CSV with a header,\n"
          "                     or JSON lines of sensor events) through the counting\n"
          "                     engine, from empty spaces, and print the counts; or play\n"
          "                     back a --record recording at its recorded speed, printed\n"
          "                     as live data is (the kind is told by the file's content)\n"
          "  --serve            run the mock Density API v2 server with simulated\n"
          "                     doorways; the first line of output is its base URL\n"
          "\n"
          "Options:\n"
          "  --site FILE        site file to load (spaces, doorways and sensors in the\n"
          "                     Density API's JSON shapes; default: the demo campus)\n"
          "  --state FILE       with --serve or --demo: keep what the API changes (spaces,\n"
          "                     doorways, links, tags, time segments, webhooks) in FILE,\n"
          "                     written at each change; started from FILE when it exists\n"
          "  --at TIME          with --replay: the counts as of this ISO 8601 time (a\n"
          "                     recording stops there and prints the table)\n"
          "  --format FORMAT    batch output: text (default) or json (with --replay of a\n"
          "                     sensor log: the per-space counts, clamps and hourly\n"
          "                     history)\n"
          "  --ascii            write only ASCII (automatic when the locale is not UTF-8)\n"
          "  --history-days N   with --replay or --serve: days of minute history kept per\n"
          "                     space (default 8; 28,800 bytes a space a day)\n"
          "\n"
          "The monitor (press ? in it for the keys):\n"
          "  --kiosk SPACE_ID   start in the kiosk view of this space: its count in big\n"
          "                     digits, COME IN or PLEASE WAIT, the state's colour\n"
          "  --rotate S         kiosk: move to the next space every S seconds\n"
          "  --tag TAG          only spaces with this tag (the tree and the rotation)\n"
          "  --come-in TEXT     kiosk text while the space is safe (default COME IN)\n"
          "  --please-wait TEXT kiosk text while it is unsafe (default PLEASE WAIT)\n"
          "  --readonly[=LEVEL] 1 (the default level): no edits; 2: no quit key either\n"
          "                     (for unattended kiosks; stop it with a signal)\n"
          "  --alert KIND       how a new alarm is signalled: bell (default), flash,\n"
          "                     both or none\n"
          "  --quiet            no bell and no flash\n"
          "  --delay S          at least S seconds between frames (default 0.1: at most\n"
          "                     10 frames a second; changes in between are coalesced)\n"
          "  --no-color         no colour (also when NO_COLOR is set): bold and reverse\n"
          "  --no-mouse         leave the mouse to the terminal\n"
          "\n"
          "Live data (the monitor, or --batch with --api-url; the first three also with\n"
          "--replay of a recording, in recorded time):\n"
          "  --api-url URL      the Density API (also DENSITY_API_URL), e.g.\n"
          "                     https://api.density.io/v2 or a mock's URL\n"
          "  --interval S       print the whole table every S seconds instead of lines\n"
          "  --iterations N     stop after N lines (or N tables with --interval)\n"
          "  --duration S       stop after S seconds\n"
          "  --budget N         requests per minute for the whole process (default 60)\n"
          "  --insecure         do not check TLS certificates (self-signed test servers)\n"
          "  --record FILE      append every stream message to FILE as JSON lines, with\n"
          "                     its receive time (the first line holds the site);\n"
          "                     --replay FILE --batch plays it back\n"
          "\n"
          "Mock server (--serve, and --demo's):\n"
          "  --listen ADDR:PORT where to listen (default 127.0.0.1:8080; port 0 picks\n"
          "                     a free port)\n"
          "  --token-file FILE  the API token clients must send (first line of FILE);\n"
          "                     also DENSITY_API_TOKEN, or --token TOKEN (visible in ps)\n"
          "  --token TOKEN      the token on the command line (other users can see it)\n"
          "  --rate-limit N     requests per minute per token (default 60; 0: no limit)\n"
          "  --seed N           seed of the simulation: the same seed, the same events\n"
          "  --speed N          simulated seconds per real second (default 1); with\n"
          "                     --replay of a recording: N times the recorded speed\n"
          "  --scenario NAME    normal (default), lunch-rush, evacuation, sensor-offline\n"
          "  --rate N           drive the whole site at N sensor events per second\n"
          "  --events N         stop the simulation after N sensor events from the\n"
          "                     start (the site is then quiet; 0: quiet at once)\n"
          "  --start TIME       start the simulated clock at TIME (ISO 8601; default\n"
          "                     now): with --seed, two runs give the same events\n"
          "  -h, --help         show this help and exit\n"
          "  -V, --version      show the version and the libraries in use, and exit\n"
          "\n"
          "Exit status: 0 success, 1 bad input (one line says what), 2 bad command line,\n"
          "3 the server refused the token, 4 the server could not be reached.\n"
          "See occtop(1) for the site file format and the safe-state rules.\n",
          out);
}

/* Whole numbers and decimals for option values, with their bounds. */
static bool parse_long(const char *text, long low, long high, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < low || value > high)
        return false;
    *out = value;
    return true;
}

static bool parse_double(const char *text, double low, double high, double *out)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(value) || value < low || value > high)
        return false;
    *out = value;
    return true;
}

static bool parse_seed(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*text == '-')
        return false;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || end == text || *end)
        return false;
    *out = value;
    return true;
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
    out->rate_limit = 60;
    out->speed = 1.0;
    out->budget = 60;
    out->delay_ms = 100;
    out->alert = 1; /* the bell */
    const char *no_color = getenv("NO_COLOR");
    out->no_color = no_color && *no_color; /* https://no-color.org */
    out->history_days = ENGINE_DEFAULT_HISTORY_MINUTES / (24 * 60);
    opterr = 0; /* we word the errors ourselves, sanitised */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'h': out->mode = MODE_HELP; return 0;
        case 'V': out->mode = MODE_VERSION; return 0;
        case OPT_BATCH:
        case OPT_SERVE: {
            enum occtop_mode mode = c == OPT_BATCH ? MODE_BATCH : MODE_SERVE;
            if (out->mode != MODE_NONE && out->mode != mode) {
                set_error(error, error_size, "--batch and --serve are separate modes: choose one",
                          NULL);
                return -1;
            }
            out->mode = mode;
            break;
        }
        case OPT_SITE: out->site_path = optarg; break;
        case OPT_STATE: out->state_path = optarg; break;
        case OPT_REPLAY: out->replay_path = optarg; break;
        case OPT_LISTEN: out->listen = optarg; break;
        case OPT_TOKEN: out->token = optarg; break;
        case OPT_TOKEN_FILE: out->token_file = optarg; break;
        case OPT_SCENARIO: out->scenario = optarg; break;
        case OPT_RATE_LIMIT: {
            long value;
            if (!parse_long(optarg, 0, 1000000, &value)) {
                set_error(error, error_size, "--rate-limit takes a number of requests per "
                          "minute from 0 (no limit) to 1000000, not", optarg);
                return -1;
            }
            out->rate_limit = (int)value;
            break;
        }
        case OPT_SEED:
            if (!parse_seed(optarg, &out->seed)) {
                set_error(error, error_size, "--seed takes a whole number, not", optarg);
                return -1;
            }
            out->has_seed = true;
            break;
        case OPT_SPEED:
            if (!parse_double(optarg, 0.001, 100000, &out->speed)) {
                set_error(error, error_size, "--speed takes a number from 0.001 to 100000, not",
                          optarg);
                return -1;
            }
            out->has_speed = true;
            break;
        case OPT_RATE:
            if (!parse_double(optarg, 0, 1000000, &out->rate)) {
                set_error(error, error_size, "--rate takes sensor events per second from 0 to "
                          "1000000, not", optarg);
                return -1;
            }
            break;
        case OPT_API_URL: out->api_url = optarg; break;
        case OPT_INSECURE: out->insecure = true; break;
        case OPT_RECORD: out->record_path = optarg; break;
        case OPT_INTERVAL:
        case OPT_ITERATIONS:
        case OPT_DURATION:
        case OPT_BUDGET:
        case OPT_EVENTS: {
            long value;
            if (!parse_long(optarg, c == OPT_EVENTS ? 0 : 1, 100000000, &value)) {
                set_error(error, error_size, c == OPT_INTERVAL ? "--interval takes seconds, not"
                          : c == OPT_ITERATIONS ? "--iterations takes a count, not"
                          : c == OPT_DURATION ? "--duration takes seconds, not"
                          : c == OPT_EVENTS ? "--events takes a number of events, not"
                          : "--budget takes requests per minute, not", optarg);
                return -1;
            }
            if (c == OPT_INTERVAL) {
                out->interval_seconds = (int)(value > 86400 ? 86400 : value);
            } else if (c == OPT_ITERATIONS) {
                out->iterations = value;
            } else if (c == OPT_DURATION) {
                out->duration_seconds = value;
            } else if (c == OPT_EVENTS) {
                out->events = value;
                out->has_events = true;
            } else {
                out->budget = (int)value;
            }
            break;
        }
        case OPT_HISTORY_DAYS: {
            long value;
            if (!parse_long(optarg, 1, 366, &value)) {
                set_error(error, error_size, "--history-days takes a number of days from 1 to "
                          "366, not", optarg);
                return -1;
            }
            out->history_days = (int)value;
            break;
        }
        case OPT_START:
            if (!timefmt_parse(optarg, &out->start_ms, 0)) {
                set_error(error, error_size,
                          "--start takes an ISO 8601 time like 2024-05-01T12:00:00Z, not", optarg);
                return -1;
            }
            out->has_start = true;
            break;
        case OPT_AT:
            if (!timefmt_parse(optarg, &out->at_ms, 0)) {
                set_error(error, error_size,
                          "--at takes an ISO 8601 time like 2024-05-01T12:00:00Z, not", optarg);
                return -1;
            }
            out->has_at = true;
            break;
        case OPT_ASCII: out->ascii = true; break;
        case OPT_DEMO: out->demo = true; break;
        case OPT_KIOSK: out->kiosk = optarg; break;
        case OPT_TAG: out->tag = optarg; break;
        case OPT_QUIET: out->quiet = true; break;
        case OPT_NO_COLOR: out->no_color = true; break;
        case OPT_NO_MOUSE: out->no_mouse = true; break;
        case OPT_COME_IN: out->come_in_text = optarg; break;
        case OPT_PLEASE_WAIT: out->please_wait_text = optarg; break;
        case OPT_ROTATE: {
            long value;
            if (!parse_long(optarg, 1, 86400, &value)) {
                set_error(error, error_size, "--rotate takes seconds from 1 to 86400, not",
                          optarg);
                return -1;
            }
            out->rotate_seconds = (int)value;
            break;
        }
        case OPT_READONLY: {
            long value = 1;
            if (optarg && !parse_long(optarg, 1, 2, &value)) {
                set_error(error, error_size, "--readonly takes level 1 (no edits) or 2 (no "
                          "edits, no quit key), not", optarg);
                return -1;
            }
            out->readonly = (int)value;
            break;
        }
        case OPT_DELAY: {
            double seconds;
            if (!parse_double(optarg, 0.02, 10, &seconds)) {
                set_error(error, error_size, "--delay takes seconds between frames, from 0.02 "
                          "to 10, not", optarg);
                return -1;
            }
            out->delay_ms = (int)(seconds * 1000 + 0.5);
            break;
        }
        case OPT_ALERT:
            if (strcmp(optarg, "none") == 0) {
                out->alert = 0;
            } else if (strcmp(optarg, "bell") == 0) {
                out->alert = 1;
            } else if (strcmp(optarg, "flash") == 0) {
                out->alert = 2;
            } else if (strcmp(optarg, "both") == 0) {
                out->alert = 3;
            } else {
                set_error(error, error_size, "--alert takes bell, flash, both or none, not",
                          optarg);
                return -1;
            }
            break;
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
        if (out->mode == MODE_SERVE) {
            set_error(error, error_size, "--replay and --serve are separate modes: choose one",
                      NULL);
            return -1;
        }
        /* Without --batch a recording plays in the monitor (watch.c). */
        if (out->mode == MODE_BATCH)
            out->mode = MODE_REPLAY;
        else if (out->has_at) {
            set_error(error, error_size, "--at goes with --replay ... --batch", NULL);
            return -1;
        }
    } else if (out->has_at) {
        set_error(error, error_size, "--at goes with --replay", NULL);
        return -1;
    }
    if (out->mode == MODE_NONE)
        out->mode = MODE_MONITOR;
    if (out->mode == MODE_MONITOR && out->site_path && !out->demo && !out->replay_path) {
        set_error(error, error_size, "--site goes with --demo, --batch or --serve (the monitor "
                  "shows live data; occtop --demo --site FILE watches a simulated site)", NULL);
        return -1;
    }
    if (out->mode != MODE_MONITOR && (out->kiosk || out->rotate_seconds || out->readonly)) {
        set_error(error, error_size, out->kiosk ? "--kiosk goes with the monitor, not --batch, "
                  "--serve or --replay ... --batch" : out->rotate_seconds ? "--rotate goes with "
                  "the monitor's kiosk view" : "--readonly goes with the monitor", NULL);
        return -1;
    }
    if (out->state_path && out->mode != MODE_SERVE && !out->demo) {
        set_error(error, error_size, "--state goes with --serve or --demo (it keeps the mock "
                  "server's site)", NULL);
        return -1;
    }
    if (out->demo && out->mode == MODE_SERVE) {
        set_error(error, error_size, "--demo runs its own server: leave out --serve", NULL);
        return -1;
    }
    if (out->demo && (out->api_url || out->replay_path)) {
        set_error(error, error_size, out->api_url ? "--demo and --api-url: choose one"
                                                  : "--demo and --replay: choose one", NULL);
        return -1;
    }
    return 0;
}
