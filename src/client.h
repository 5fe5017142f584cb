/* client.h — occtop --batch on live data from a Density API (or the mock). */
#ifndef OCCTOP_CLIENT_H
#define OCCTOP_CLIENT_H

#include "options.h"

/* Loads the hierarchy from base_url, follows the stream, prints changes or
 * snapshots until --iterations, --duration or a signal.  Returns the exit
 * status: EXIT_OK, EXIT_AUTH (the token was refused), EXIT_UNREACHABLE. */
int client_run(const struct options *options, const char *base_url, const char *config_token);

#endif
