/* rest.h — requests to the Density REST API on a worker thread.
 *
 * DESIGN.md: the worker owns a curl multi handle (curl_multi_poll, woken by
 * curl_multi_wakeup); the loop thread submits requests and takes results,
 * and is woken by config.wake (lws_cancel_service) when one is ready.  The
 * UI never waits on the network.
 *
 * One request budget for the whole process: at most requests_per_minute
 * requests are sent in any 60 seconds, whoever asks; a request over budget
 * waits its turn.  A 429 is waited out (Retry-After, or 60 s without one)
 * and the request sent again.  Network errors, timeouts and 5xx are retried
 * with backoff and jitter (0.5 s doubling to 30 s) up to max_attempts.  A
 * 403 comes back at once.
 *
 * TLS certificates are verified unless config.insecure; proxies come from
 * the usual environment variables (libcurl's own handling).  The token is
 * sent only to the base URL's origin (an absolute URL elsewhere, e.g. a
 * hostile "next" link, is refused) and never appears in errors or logs.
 *
 * The worker also resolves host names (getaddrinfo blocks), for the
 * websocket client: lws 4.1 would resolve on the loop thread. */
#ifndef OCCTOP_NET_REST_H
#define OCCTOP_NET_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rest_method {
    REST_GET,
    REST_POST,
    REST_PUT,
    REST_RESOLVE, /* not HTTP: resolve the host of `path` (a URL or a host name) */
};

struct rest_config {
    const char *base_url;    /* e.g. "https://api.density.io/v2" (copied) */
    const char *token;       /* copied, wiped on rest_free */
    int requests_per_minute; /* the budget; <= 0 means 60 */
    bool insecure;           /* do not verify TLS certificates (test servers) */
    long timeout_ms;         /* per attempt; <= 0 means 15 s */
    int max_attempts;        /* for network errors and 5xx; <= 0 means no limit */
    bool timeout_notices;    /* also deliver REST_TAG_RETRYING notices (below) */
    void (*wake)(void *context); /* called on the worker thread when a result is ready */
    void *wake_context;
};

struct rest_result {
    uint64_t id;          /* as rest_request returned it */
    int tag;              /* the caller's, as given */
    void *user;           /* the caller's, as given */
    enum rest_method method;
    long status;          /* HTTP status; 0 when no answer came (see error) */
    char *body;           /* NUL-terminated (malloc'd), or NULL; for REST_RESOLVE the
                             numeric address, e.g. "127.0.0.1" or "::1" */
    size_t body_length;
    char error[256];      /* when status is 0: what went wrong, terminal-safe */
    int64_t sent_ms;      /* wall time the answered attempt was sent */
    int attempts;
};

void rest_result_clear(struct rest_result *result);

/* With config.timeout_notices, an attempt that timed out (a server that
 * takes the connection and never answers: 15 s each) and that will be made
 * again is also told at once, so that a caller can say why nothing comes:
 * a result with this tag, status 0 and error set ("cannot reach HOST:
 * Operation timed out ...").  It is a notice, not the request's end: that
 * result comes later, with the request's own tag. */
#define REST_TAG_RETRYING (-0x7e57)

struct rest_stats {
    uint64_t sent;          /* HTTP attempts sent */
    uint64_t retries;       /* attempts after a network error or 5xx */
    uint64_t rate_limited;  /* 429 answers waited out */
    uint64_t budget_waits;  /* requests that waited for the budget */
};

struct rest;

/* Starts the worker.  NULL with one line in error (a base URL that is not
 * http(s)://..., no token, curl or thread failure). */
struct rest *rest_new(const struct rest_config *config, char *error, size_t error_size);

/* Stops the worker (requests in flight are abandoned) and frees. */
void rest_free(struct rest *rest);

/* Queues a request.  path is relative to the base URL ("/spaces/?page=2")
 * or an absolute URL on the same origin.  body (JSON, copied) may be NULL.
 * Returns its id (never 0), or 0 when out of memory. */
uint64_t rest_request(struct rest *rest, enum rest_method method, const char *path,
                      const char *body, int tag, void *user);

/* The same, without retries after a network error or 5xx (a 429 is still
 * waited out): for callers with their own retry loop, such as the stream,
 * whose reconnection backoff must not wait behind this one's. */
uint64_t rest_request_once(struct rest *rest, enum rest_method method, const char *path,
                           const char *body, int tag, void *user);

/* The next finished request, if any (loop thread).  The caller owns *out
 * and clears it with rest_result_clear. */
bool rest_take(struct rest *rest, struct rest_result *out);

/* A copy of the counters (thread-safe). */
struct rest_stats rest_get_stats(struct rest *rest);

/* For tests only: the budget's window in ms instead of 60000 (<= 0 restores
 * it), so that a test of the budget does not take minutes.  Thread-safe. */
void rest_set_window_ms_for_tests(struct rest *rest, long window_ms);

#endif
