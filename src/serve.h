/* serve.h — the mock Density API v2 server with simulated doorways: headless
 * (occtop --serve), or inside another mode's loop (occtop --demo). */
#ifndef OCCTOP_SERVE_H
#define OCCTOP_SERVE_H

#include <stdint.h>

#include "net/loop.h"
#include "options.h"

struct serve;

/* Loads the site, simulates the last day, listens on `listen` (e.g.
 * "127.0.0.1:0") and starts the simulated clock on the loop.  Borrows
 * options and token, which must outlive it.  NULL with one line in error and
 * *status an exit status (EXIT_USAGE for a bad --scenario). */
struct serve *serve_new(const struct options *options, struct net_loop *loop,
                        const char *token, const char *listen, int *status, char *error,
                        size_t error_size);
/* The same for --demo: on a free loopback port, with a random token written
 * to token (at least 40 bytes), which must outlive the server. */
struct serve *serve_demo(const struct options *options, struct net_loop *loop, char *token,
                         size_t token_size, int *status, char *error, size_t error_size);
const char *serve_base_url(const struct serve *serve);
double serve_speed(const struct serve *serve);
/* The simulated clock (ms): the time of the events it sends. */
int64_t serve_now(const struct serve *serve);
/* Shutting down: serve_stop(), then net_loop_free(), then serve_free(). */
void serve_stop(struct serve *serve);
void serve_free(struct serve *serve);

/* occtop --serve: runs until SIGINT or SIGTERM; returns an exit status. */
int serve_run(const struct options *options);

#endif
