/* webhook.h — delivering the mock's webhooks: every space event POSTed as
 * JSON to the endpoint of each enabled webhook, from a worker thread.
 *
 * The api (net/api_webhooks.c) keeps the webhooks and tells this module of
 * every change through the listener webhook_listener() gives; serve.c hands
 * each space event to webhook_publish().  Neither waits on the network.
 *
 * Threads (DESIGN.md): the loop thread calls every function here; a worker
 * thread owns a curl multi handle (curl_multi_poll, woken by
 * curl_multi_wakeup) and every easy handle.  They share the webhooks, their
 * queues and counters under one mutex; no curl call that can block (the
 * threaded resolver's cancel waits for getaddrinfo) is made under it.
 *
 * Delivery, per webhook:
 *  - order: one POST in flight at a time; the next payload goes only after
 *    the previous one was answered 2xx, or was dropped;
 *  - failures (no connection, a timeout, any status but 2xx, redirects
 *    included: they are not followed) are retried without limit, after
 *    0.5 s, 1 s, 2 s ... up to 30 s, each +-20 % (never above 30 s);
 *  - each attempt has 10 s (connection included); an endpoint that read a
 *    POST and did not answer in time gets it again: delivery is at least
 *    once, and exactly once to endpoints that answer;
 *  - the queue holds at most 10,000 payloads (the one in flight included);
 *    a payload arriving at a full queue drops the OLDEST waiting one (never
 *    the one in flight), so that the endpoint, once back, gets the latest
 *    counts; drops are counted;
 *  - a webhook disabled or deleted stops at once: its queue is dropped
 *    (counted) and a POST in flight is abandoned; a changed endpoint or
 *    headers apply from the next attempt, which goes at once (the backoff
 *    restarts);
 *  - the configured headers go with every POST, after Content-Type:
 *    application/json; they are never logged nor put in an error (they
 *    often hold secrets) and are wiped from memory when freed.
 * Nothing is logged: delivery problems show in GET /webhooks/:id/
 * ("delivery": delivered, retried, dropped, queued, last_error).
 *
 * Ownership: the sender copies everything it is given. */
#ifndef OCCTOP_NET_WEBHOOK_H
#define OCCTOP_NET_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "net/api.h"

#define WEBHOOK_DEFAULT_QUEUE_LIMIT 10000
#define WEBHOOK_DEFAULT_TIMEOUT_MS 10000L
#define WEBHOOK_DEFAULT_BACKOFF_FIRST_MS 500L
#define WEBHOOK_DEFAULT_BACKOFF_MAX_MS 30000L
/* The mock serves one organization. */
#define WEBHOOK_DEFAULT_ORGANIZATION_ID "org_1"
#define WEBHOOK_DEFAULT_ORGANIZATION_NAME "occtop"

struct webhook_config {
    const char *organization_id;   /* in every payload; NULL: "org_1" */
    const char *organization_name; /* NULL or "": "occtop" (serve.c gives the site's name) */
    size_t queue_limit;            /* payloads per webhook; 0: 10,000 */
    long timeout_ms;               /* per attempt; <= 0: 10 s */
    long backoff_first_ms;         /* <= 0: 500 ms (tests use less) */
    long backoff_max_ms;           /* <= 0: 30 s */
};

struct webhook_sender;

/* Starts the worker.  NULL with one line in error (curl or thread failure,
 * out of memory). */
struct webhook_sender *webhook_new(const struct webhook_config *config, char *error,
                                   size_t error_size);
/* Stops the worker (POSTs in flight are abandoned, queues dropped), frees. */
void webhook_free(struct webhook_sender *sender);

/* Creates or changes the delivery of target->id (copied).  false when out of
 * memory (the webhook is then not delivered). */
bool webhook_set(struct webhook_sender *sender, const struct api_webhook_target *target);
/* Stops and forgets the webhook `id` (nothing when there is none). */
void webhook_remove(struct webhook_sender *sender, const char *id);
/* Its counters; false when there is no such webhook. */
bool webhook_delivery(struct webhook_sender *sender, const char *id,
                      struct api_webhook_delivery *out);

/* The three calls above for api_set_webhook_listener(). */
struct api_webhook_listener webhook_listener(struct webhook_sender *sender);

/* Queues one payload for each enabled webhook: the space event (space_id,
 * doorway_id, timestamp, direction, count) with the organization.  Cheap
 * when no webhook is enabled.  sender may be NULL. */
void webhook_publish(struct webhook_sender *sender, const struct space_event *event);

/* --- the parts, for tests ---------------------------------------------------------- */

/* A bounded FIFO of payload texts (malloc'd, owned by the queue). */
struct webhook_queue {
    char **items; /* a ring of `room` slots */
    size_t head, count, room, limit;
};

void webhook_queue_init(struct webhook_queue *queue, size_t limit); /* limit 0 counts as 1 */
/* Frees every payload; the queue stays usable. */
void webhook_queue_clear(struct webhook_queue *queue);
/* Appends text, taking it over.  At the limit the oldest payload is dropped
 * first, or, when head_pinned (the head is in flight), the one after it;
 * with nothing droppable (limit 1, pinned head), or out of memory, the new
 * one is.  Returns the number of payloads dropped (0 or 1). */
size_t webhook_queue_push(struct webhook_queue *queue, char *text, bool head_pinned);
const char *webhook_queue_head(const struct webhook_queue *queue); /* NULL when empty */
void webhook_queue_pop(struct webhook_queue *queue);               /* frees the head */
size_t webhook_queue_length(const struct webhook_queue *queue);

/* The wait before attempt failures + 1: first_ms doubled for each failure
 * after the first, capped at max_ms, times 0.8 + 0.4 * unit (unit in
 * [0, 1): the jitter), never above max_ms nor below 1. */
long webhook_backoff_ms(int failures, double unit, long first_ms, long max_ms);

/* The header line libcurl is given: "Name: value", or "Name;" for an empty
 * value ("Name:" would remove the header instead).  NULL when out of memory
 * or when name or value holds CR, LF or NUL (the api refuses those; this is
 * the second lock on the door). */
char *webhook_header_line(const char *name, const char *value);

#endif
