/* loop.h — the process's one libwebsockets context and its service loop.
 *
 * DESIGN.md: one lws_context for the whole process lifetime, served by one
 * thread; the mock server and (later) the stream client each add a vhost.
 * lws never writes to the terminal: its warnings and errors go through
 * net_loop's log sink, sanitised, to standard error (or a log file). */
#ifndef OCCTOP_NET_LOOP_H
#define OCCTOP_NET_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct lws_context;
struct net_loop;

/* The bytes of request headers lws keeps for each connection (the whole
 * request line and headers): the mock's SERVER_MAX_HEADER. */
enum { NET_LOOP_MAX_HEADER = 4096 };

/* NULL with one line in error when lws cannot start. */
struct net_loop *net_loop_new(char *error, size_t error_size);
void net_loop_free(struct net_loop *loop);

struct lws_context *net_loop_context(struct net_loop *loop);

/* fn runs on the loop thread after any thread calls net_loop_wake() (the
 * REST worker does, when a result is ready).  Repeated wakes may be merged
 * into one call: fn must drain everything that is ready. */
void net_loop_on_wake(struct net_loop *loop, void (*fn)(void *context), void *context);

/* fn runs on the loop thread whenever fd is readable (a terminal, a
 * signalfd).  The loop watches a duplicate of fd, closed with the loop.
 * Returns 0, or -1. */
int net_loop_watch_fd(struct net_loop *loop, int fd, void (*fn)(void *context), void *context);

/* lws's warnings go to sink instead of standard error (NULL restores it):
 * while a screen owns the terminal nothing else may write to it. */
void net_loop_log_to(void (*sink)(void *context, const char *line), void *context);

/* Thread-safe: the only lws call allowed off the loop thread. */
void net_loop_wake(void *loop);

/* Wall-clock time (CLOCK_REALTIME) in ms: what the API's timestamps,
 * socket ttls and rate-limit windows are measured in. */
int64_t net_wall_ms(void);

/* From now on SIGINT, SIGTERM and SIGHUP set *stop (interrupting lws's wait, so
 * net_loop_run returns) and SIGPIPE is ignored (a peer that hangs up must
 * not kill the process). */
void net_loop_catch_signals(volatile sig_atomic_t *stop);

/* Services events until *stop becomes non-zero (set it from a signal
 * handler; the signal interrupts the wait).  Returns 0, or -1 when lws
 * failed. */
int net_loop_run(struct net_loop *loop, volatile sig_atomic_t *stop);

#endif
