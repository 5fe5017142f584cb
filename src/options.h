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
    MODE_REPLAY, /* --replay FILE --batch: a sensor log or a --record recording */
    MODE_SERVE,  /* --serve: the mock Density server, headless */
    MODE_MONITOR, /* no mode option: the interactive monitor */
};

enum output_format {
    FORMAT_TEXT = 0,
    FORMAT_JSON,
};

struct options {
    enum occtop_mode mode;
    const char *site_path;   /* NULL: the installed demo site */
    const char *state_path;  /* --state: the mock's site, saved at each change */
    const char *replay_path; /* --replay FILE */
    bool has_at;
    int64_t at_ms;           /* --at TIMESTAMP */
    enum output_format format;
    bool ascii;              /* --ascii, or a locale that is not UTF-8 */

    /* --serve */
    const char *listen;      /* ADDRESS:PORT, default 127.0.0.1:8080 */
    const char *token;       /* --token (discouraged: visible in ps) */
    const char *token_file;  /* --token-file */
    int rate_limit;          /* requests per minute per token; 0 = off */
    uint64_t seed;
    bool has_seed;
    double speed;            /* simulated (or recorded, --replay) seconds per real second */
    bool has_speed;          /* --speed was given */
    const char *scenario;    /* normal, lunch-rush, evacuation, sensor-offline */
    double rate;             /* --rate: sensor events per second (load tests); 0 = profiles */
    /* live data (--batch with --api-url or DENSITY_API_URL) */
    const char *api_url;     /* --api-url */
    bool insecure;           /* --insecure: TLS certificates not checked */
    int interval_seconds;    /* --interval: a snapshot every S seconds */
    long iterations;         /* --iterations: stop after N lines (or snapshots) */
    long duration_seconds;   /* --duration: stop after S seconds */
    int budget;              /* --budget: requests per minute, for the whole process */
    const char *record_path; /* --record: append every stream message, as JSON lines */
    int history_days;        /* --history-days: minute history kept per space */
    long events;             /* --events: stop simulating after N sensor events (0: none) */
    bool has_events;
    /* the monitor */
    bool demo;               /* --demo: the mock server and simulator in this process */
    const char *kiosk;       /* --kiosk SPACE_ID */
    int rotate_seconds;      /* --rotate S */
    const char *tag;         /* --tag TAG */
    int readonly;            /* --readonly[=LEVEL]: 1 no edits, 2 also no quit key */
    bool quiet;              /* --quiet: no bell or flash */
    bool no_color;           /* --no-color, or NO_COLOR in the environment */
    bool no_mouse;           /* --no-mouse */
    int delay_ms;            /* --delay S: the least time between frames */
    int alert;               /* --alert: enum monitor_alert bits (1 bell, 2 flash) */
    const char *come_in_text;     /* --come-in TEXT */
    const char *please_wait_text; /* --please-wait TEXT */
    bool has_start;
    int64_t start_ms;        /* --start: the simulated clock's start (default: now) */
};

/* Exit statuses (documented in occtop(1)). */
enum {
    EXIT_OK = 0,
    EXIT_BAD_INPUT = 1, /* a file or data occtop could not use */
    EXIT_USAGE = 2,     /* a bad command line */
    EXIT_AUTH = 3,      /* the server refused the token */
    EXIT_UNREACHABLE = 4, /* the server could not be reached */
};

/* Fills *out from argv.  On a bad command line returns -1 with one line in
 * error (which names the offending argument). */
int options_parse(int argc, char **argv, struct options *out, char *error, size_t error_size);

void options_print_help(FILE *out);

#endif
