/* watch.h — the interactive monitor on live data or on the demo. */
#ifndef OCCTOP_WATCH_H
#define OCCTOP_WATCH_H

#include "options.h"

/* Runs until q, SIGINT, SIGTERM or SIGHUP; returns an exit status
 * (EXIT_AUTH when the server refused the token). */
int watch_run(const struct options *options, const char *api_url, const char *config_token);

#endif
