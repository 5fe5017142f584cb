/* serve.h — occtop --serve: the mock Density API v2 server, headless. */
#ifndef OCCTOP_SERVE_H
#define OCCTOP_SERVE_H

#include "options.h"

/* Runs until SIGINT or SIGTERM; returns an exit status. */
int serve_run(const struct options *options);

#endif
