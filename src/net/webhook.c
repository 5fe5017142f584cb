/* webhook.c — delivering the mock's webhooks (see webhook.h for what it
 * promises).
 *
 * Threads: the loop thread adds webhooks, changes them, marks them removed
 * and fills their queues; the worker frees removed ones and sends.  Both
 * touch a hook only under sender->mutex, except `attempt`, which is the
 * worker's alone.  An attempt copies what it sends (URL, header lines,
 * body) under the mutex, so the loop thread may change or drop anything at
 * any time: `epoch` tells the worker that the queue an attempt was made for
 * is gone (dropped when the webhook was disabled), and its outcome is then
 * ignored.
 *
 * Curl calls that may block are made outside the mutex: removing an easy
 * handle whose name resolution is still running waits for getaddrinfo in
 * the threaded resolver. */
#include "config.h"

#include "net/webhook.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/termtext.h"
#include "wire/json_stream.h"

#define WEBHOOK_QUEUE_FIRST_ROOM 16
/* The worker sleeps in curl_multi_poll and is woken for every change; the
 * cap only bounds the damage of a wake-up that never comes. */
#define WEBHOOK_IDLE_POLL_MS 1000
#define WEBHOOK_ERROR_SIZE 256

/* --- the queue ---------------------------------------------------------------------- */

void webhook_queue_init(struct webhook_queue *queue, size_t limit)
{
    memset(queue, 0, sizeof *queue);
    queue->limit = limit ? limit : 1;
}

void webhook_queue_clear(struct webhook_queue *queue)
{
    for (size_t i = 0; i < queue->count; i++)
        free(queue->items[(queue->head + i) % queue->room]);
    free(queue->items);
    queue->items = NULL;
    queue->head = queue->count = queue->room = 0;
}

size_t webhook_queue_length(const struct webhook_queue *queue)
{
    return queue->count;
}

const char *webhook_queue_head(const struct webhook_queue *queue)
{
    return queue->count ? queue->items[queue->head] : NULL;
}

void webhook_queue_pop(struct webhook_queue *queue)
{
    if (!queue->count)
        return;
    free(queue->items[queue->head]);
    queue->items[queue->head] = NULL;
    queue->head = (queue->head + 1) % queue->room;
    queue->count--;
}

/* Drops the oldest payload, or the one after a pinned head (which then
 * moves into its slot, so the ring stays contiguous). */
static void queue_drop_oldest(struct webhook_queue *queue, bool head_pinned)
{
    if (!head_pinned) {
        webhook_queue_pop(queue);
        return;
    }
    size_t second = (queue->head + 1) % queue->room;
    free(queue->items[second]);
    queue->items[second] = queue->items[queue->head];
    queue->items[queue->head] = NULL;
    queue->head = second;
    queue->count--;
}

static bool queue_grow(struct webhook_queue *queue)
{
    size_t room = queue->room ? queue->room * 2 : WEBHOOK_QUEUE_FIRST_ROOM;
    if (room > queue->limit)
        room = queue->limit;
    if (room <= queue->count)
        return false;
    char **items = malloc(room * sizeof *items);
    if (!items)
        return false;
    for (size_t i = 0; i < queue->count; i++)
        items[i] = queue->items[(queue->head + i) % queue->room];
    free(queue->items);
    queue->items = items;
    queue->room = room;
    queue->head = 0;
    return true;
}

size_t webhook_queue_push(struct webhook_queue *queue, char *text, bool head_pinned)
{
    size_t dropped = 0;
    if (queue->count >= queue->limit) {
        if (head_pinned && queue->count <= 1) {
            free(text); /* nothing may go but the newcomer */
            return 1;
        }
        queue_drop_oldest(queue, head_pinned && queue->count > 0);
        dropped = 1;
    }
    if (queue->count == queue->room && !queue_grow(queue)) {
        free(text);
        return dropped + 1;
    }
    queue->items[(queue->head + queue->count) % queue->room] = text;
    queue->count++;
    return dropped;
}

/* --- small parts -------------------------------------------------------------------- */

long webhook_backoff_ms(int failures, double unit, long first_ms, long max_ms)
{
    long delay = first_ms;
    for (int i = 1; i < failures && delay < max_ms; i++)
        delay *= 2;
    if (delay > max_ms)
        delay = max_ms;
    long jittered = (long)((double)delay * (0.8 + 0.4 * unit));
    if (jittered > max_ms)
        jittered = max_ms;
    return jittered < 1 ? 1 : jittered;
}

static bool header_token(const char *name)
{
    if (!*name)
        return false;
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || strchr("!#$%&'*+-.^_`|~", *c) != NULL;
        if (!ok)
            return false;
    }
    return true;
}

char *webhook_header_line(const char *name, const char *value)
{
    if (!name || !value || !header_token(name) || strpbrk(value, "\r\n"))
        return NULL;
    size_t size = strlen(name) + strlen(value) + 3;
    char *line = malloc(size);
    if (!line)
        return NULL;
    if (value[0])
        snprintf(line, size, "%s: %s", name, value);
    else
        snprintf(line, size, "%s;", name);
    return line;
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Header lines hold secrets: wiped before they go back to malloc. */
static void free_line(char *line)
{
    if (line) {
        explicit_bzero(line, strlen(line));
        free(line);
    }
}

static void free_lines(char **lines, size_t count)
{
    for (size_t i = 0; lines && i < count; i++)
        free_line(lines[i]);
    free(lines);
}

static void free_slist(struct curl_slist *list)
{
    for (struct curl_slist *item = list; item; item = item->next)
        explicit_bzero(item->data, strlen(item->data));
    curl_slist_free_all(list);
}

/* --- the state ---------------------------------------------------------------------- */

struct hook;

/* One POST in flight (the worker's). */
struct attempt {
    struct attempt *next; /* in the worker's lists of the moment */
    struct hook *hook;    /* NULL once abandoned */
    uint64_t epoch;
    char *url;
    char *body;
    struct curl_slist *headers;
    CURL *easy;
    char error[CURL_ERROR_SIZE];
};

struct hook {
    struct hook *next;
    char *id;
    char *endpoint;
    char **lines; /* "Name: value" */
    size_t line_count;
    bool enabled;
    bool removed; /* the worker frees it */
    uint64_t epoch;
    struct webhook_queue queue;
    bool head_in_flight;
    uint64_t delivered, retried, dropped;
    char last_error[WEBHOOK_ERROR_SIZE];
    int failures; /* in a row */
    int64_t not_before_ms;
    struct attempt *attempt; /* the worker's: in flight */
};

struct webhook_sender {
    /* Set by webhook_new, read-only afterwards. */
    char organization_id[EVENT_ID_MAX];
    char organization_name[EVENT_ID_MAX];
    size_t queue_limit;
    long timeout_ms, backoff_first_ms, backoff_max_ms;
    char user_agent[64];
    CURLM *multi;
    pthread_t thread;

    /* Shared: under mutex. */
    pthread_mutex_t mutex;
    struct hook *hooks;
    bool stop;

    size_t enabled_count;  /* loop thread only */
    uint64_t random_state; /* worker only */
};

static void hook_free(struct hook *hook)
{
    free(hook->id);
    free(hook->endpoint);
    free_lines(hook->lines, hook->line_count);
    webhook_queue_clear(&hook->queue);
    free(hook);
}

static void attempt_free(struct attempt *a)
{
    if (!a)
        return;
    free(a->url);
    free(a->body);
    free_slist(a->headers);
    free(a);
}

/* A hook by id, not removed; under the mutex. */
static struct hook *find_hook(struct webhook_sender *sender, const char *id)
{
    for (struct hook *hook = sender->hooks; hook; hook = hook->next)
        if (!hook->removed && strcmp(hook->id, id) == 0)
            return hook;
    return NULL;
}

/* Drops the queue (counted) and voids an attempt in flight; under the mutex. */
static void drop_queue(struct hook *hook)
{
    hook->dropped += webhook_queue_length(&hook->queue);
    webhook_queue_clear(&hook->queue);
    hook->epoch++;
    hook->head_in_flight = false;
    hook->failures = 0;
    hook->not_before_ms = 0;
}

static void count_enabled(struct webhook_sender *sender)
{
    size_t n = 0;
    for (struct hook *hook = sender->hooks; hook; hook = hook->next)
        n += !hook->removed && hook->enabled;
    sender->enabled_count = n;
}

/* --- the loop thread's side --------------------------------------------------------- */

static bool same_lines(char **a, size_t a_count, char **b, size_t b_count)
{
    if (a_count != b_count)
        return false;
    for (size_t i = 0; i < a_count; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

bool webhook_set(struct webhook_sender *sender, const struct api_webhook_target *target)
{
    if (!sender || !target || !target->id || !target->endpoint)
        return false;
    /* Everything new is made before the lock. */
    char *endpoint = strdup(target->endpoint);
    char **lines = calloc(target->header_count ? target->header_count : 1, sizeof *lines);
    size_t line_count = 0;
    bool ok = endpoint && lines;
    for (size_t i = 0; ok && i < target->header_count; i++) {
        char *line = webhook_header_line(target->header_names[i], target->header_values[i]);
        if (line)
            lines[line_count++] = line;
        else
            ok = false; /* out of memory (a bad header cannot come from the api) */
    }
    struct hook *fresh = NULL;
    pthread_mutex_lock(&sender->mutex);
    struct hook *hook = ok ? find_hook(sender, target->id) : NULL;
    if (ok && !hook) {
        fresh = calloc(1, sizeof *fresh);
        if (fresh)
            fresh->id = strdup(target->id);
        if (fresh && fresh->id) {
            webhook_queue_init(&fresh->queue, sender->queue_limit);
            struct hook **end = &sender->hooks;
            while (*end)
                end = &(*end)->next;
            *end = hook = fresh;
        } else {
            ok = false;
        }
    }
    if (ok) {
        bool moved = !hook->endpoint || strcmp(hook->endpoint, endpoint) != 0 ||
                     !same_lines(hook->lines, hook->line_count, lines, line_count);
        char *old_endpoint = hook->endpoint;
        char **old_lines = hook->lines;
        size_t old_count = hook->line_count;
        hook->endpoint = endpoint;
        hook->lines = lines;
        hook->line_count = line_count;
        endpoint = old_endpoint;
        lines = old_lines;
        line_count = old_count;
        if (hook->enabled && !target->enabled)
            drop_queue(hook);
        if (moved) { /* a new place to try: at once */
            hook->failures = 0;
            hook->not_before_ms = 0;
        }
        hook->enabled = target->enabled;
        count_enabled(sender);
    } else if (fresh) {
        hook_free(fresh);
    }
    pthread_mutex_unlock(&sender->mutex);
    free(endpoint);
    free_lines(lines, line_count);
    curl_multi_wakeup(sender->multi);
    return ok;
}

void webhook_remove(struct webhook_sender *sender, const char *id)
{
    if (!sender || !id)
        return;
    pthread_mutex_lock(&sender->mutex);
    struct hook *hook = find_hook(sender, id);
    if (hook) {
        drop_queue(hook);
        hook->removed = true;
        count_enabled(sender);
    }
    pthread_mutex_unlock(&sender->mutex);
    curl_multi_wakeup(sender->multi);
}

bool webhook_delivery(struct webhook_sender *sender, const char *id,
                      struct api_webhook_delivery *out)
{
    if (!sender || !id || !out)
        return false;
    pthread_mutex_lock(&sender->mutex);
    struct hook *hook = find_hook(sender, id);
    if (hook) {
        out->delivered = hook->delivered;
        out->retried = hook->retried;
        out->dropped = hook->dropped;
        out->queued = webhook_queue_length(&hook->queue);
        snprintf(out->last_error, sizeof out->last_error, "%s", hook->last_error);
    }
    pthread_mutex_unlock(&sender->mutex);
    return hook != NULL;
}

static void listener_set(void *context, const struct api_webhook_target *target)
{
    (void)webhook_set(context, target); /* out of memory: not delivered */
}

static void listener_remove(void *context, const char *id)
{
    webhook_remove(context, id);
}

static bool listener_delivery(void *context, const char *id, struct api_webhook_delivery *out)
{
    return webhook_delivery(context, id, out);
}

struct api_webhook_listener webhook_listener(struct webhook_sender *sender)
{
    struct api_webhook_listener listener = {
        .set = listener_set,
        .remove = listener_remove,
        .delivery = listener_delivery,
        .context = sender,
    };
    return listener;
}

void webhook_publish(struct webhook_sender *sender, const struct space_event *event)
{
    if (!sender || sender->enabled_count == 0 || !event)
        return;
    struct webhook_payload payload;
    memset(&payload, 0, sizeof payload);
    payload.event = *event;
    memcpy(payload.organization_id, sender->organization_id, sizeof payload.organization_id);
    memcpy(payload.organization_name, sender->organization_name,
           sizeof payload.organization_name);
    json_t *json = wire_encode_webhook_payload(&payload);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text)
        return; /* out of memory: the event is not sent */
    pthread_mutex_lock(&sender->mutex);
    for (struct hook *hook = sender->hooks; hook; hook = hook->next) {
        if (hook->removed || !hook->enabled)
            continue;
        char *copy = strdup(text);
        if (copy)
            hook->dropped += webhook_queue_push(&hook->queue, copy, hook->head_in_flight);
        else
            hook->dropped++; /* out of memory */
    }
    pthread_mutex_unlock(&sender->mutex);
    free(text);
    curl_multi_wakeup(sender->multi);
}

/* --- the worker --------------------------------------------------------------------- */

/* xorshift64*: jitter needs no quality, only to spread retries. */
static double random_unit(struct webhook_sender *sender)
{
    uint64_t x = sender->random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sender->random_state = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / (double)(1ULL << 53);
}

/* Copies what the hook's head needs to be sent; under the mutex.  NULL when
 * out of memory. */
static struct attempt *attempt_prepare(struct webhook_sender *sender, struct hook *hook)
{
    struct attempt *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->hook = hook;
    a->epoch = hook->epoch;
    a->url = strdup(hook->endpoint);
    a->body = strdup(webhook_queue_head(&hook->queue));
    bool ok = a->url && a->body;
    const char *fixed[] = {
        "Content-Type: application/json",
        "Expect:", /* no 100-continue round trip for a small body */
    };
    for (size_t i = 0; ok && i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *list = curl_slist_append(a->headers, fixed[i]);
        ok = list != NULL;
        if (ok)
            a->headers = list;
    }
    for (size_t i = 0; ok && i < hook->line_count; i++) {
        struct curl_slist *list = curl_slist_append(a->headers, hook->lines[i]);
        ok = list != NULL;
        if (ok)
            a->headers = list;
    }
    (void)sender;
    if (!ok) {
        attempt_free(a);
        return NULL;
    }
    return a;
}

static size_t discard_body(char *data, size_t size, size_t count, void *context)
{
    (void)data;
    (void)context;
    return size * count; /* the answer's body means nothing; the timeout bounds it */
}

/* The easy handle of an attempt; false when curl is out of memory. */
static bool attempt_start(struct webhook_sender *sender, struct attempt *a)
{
    CURL *easy = curl_easy_init();
    if (!easy)
        return false;
    bool ok = curl_easy_setopt(easy, CURLOPT_URL, a->url) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_PRIVATE, a) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
              curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
#else
              curl_easy_setopt(easy, CURLOPT_PROTOCOLS,
                               (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) == CURLE_OK &&
#endif
              curl_easy_setopt(easy, CURLOPT_HTTPHEADER, a->headers) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_USERAGENT, sender->user_agent) == CURLE_OK &&
              /* A redirect is a failure, not followed: the headers may be
               * secrets meant for the endpoint only. */
              curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, sender->timeout_ms) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, sender->timeout_ms) ==
                  CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_POSTFIELDS, a->body) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                               (curl_off_t)strlen(a->body)) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard_body) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, a->error) == CURLE_OK;
    if (!ok || curl_multi_add_handle(sender->multi, easy) != CURLM_OK) {
        curl_easy_cleanup(easy);
        return false;
    }
    a->easy = easy;
    return true;
}

/* What an attempt's end means for its hook; under the mutex. */
static void settle(struct webhook_sender *sender, struct attempt *a, bool started,
                   CURLcode code, long status)
{
    struct hook *hook = a->hook;
    if (!hook)
        return;
    hook->attempt = NULL;
    if (a->epoch != hook->epoch)
        return; /* its queue was dropped meanwhile: the outcome means nothing */
    hook->head_in_flight = false;
    if (started && code == CURLE_OK && status >= 200 && status <= 299) {
        webhook_queue_pop(&hook->queue);
        hook->delivered++;
        hook->failures = 0;
        hook->not_before_ms = 0;
        hook->last_error[0] = '\0';
        return;
    }
    char raw[CURL_ERROR_SIZE + 64];
    if (!started)
        snprintf(raw, sizeof raw, "cannot start a request: out of memory");
    else if (code != CURLE_OK)
        /* curl's words never hold request headers. */
        snprintf(raw, sizeof raw, "cannot deliver: %s",
                 a->error[0] ? a->error : curl_easy_strerror(code));
    else
        snprintf(raw, sizeof raw, "the endpoint answered %ld", status);
    termtext_sanitize_str(raw, hook->last_error, sizeof hook->last_error, 0, 0);
    hook->failures++;
    hook->not_before_ms = monotonic_ms() + webhook_backoff_ms(hook->failures,
                                                              random_unit(sender),
                                                              sender->backoff_first_ms,
                                                              sender->backoff_max_ms);
}

/* Under the mutex: frees what was removed, takes back the attempts that no
 * longer count (*abandon), and prepares those that may go (*start). */
static void tend(struct webhook_sender *sender, int64_t now, struct attempt **abandon,
                 struct attempt **start)
{
    struct hook **link = &sender->hooks;
    while (*link) {
        struct hook *hook = *link;
        struct attempt *a = hook->attempt;
        if (a && (hook->removed || !hook->enabled || a->epoch != hook->epoch)) {
            hook->attempt = NULL;
            a->hook = NULL;
            a->next = *abandon;
            *abandon = a;
        }
        if (hook->removed && !hook->attempt) {
            *link = hook->next;
            hook_free(hook);
            continue;
        }
        if (hook->enabled && !hook->removed && !hook->attempt &&
            webhook_queue_length(&hook->queue) > 0 && hook->not_before_ms <= now) {
            a = attempt_prepare(sender, hook);
            if (a) {
                hook->attempt = a;
                hook->head_in_flight = true;
                if (hook->failures > 0)
                    hook->retried++;
                a->next = *start;
                *start = a;
            } else {
                hook->failures++;
                hook->not_before_ms = now + sender->backoff_first_ms;
            }
        }
        link = &hook->next;
    }
}

static void abandon_attempt(struct webhook_sender *sender, struct attempt *a)
{
    if (a->easy) {
        curl_multi_remove_handle(sender->multi, a->easy);
        curl_easy_cleanup(a->easy);
    }
    attempt_free(a);
}

static void collect_done(struct webhook_sender *sender)
{
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read(sender->multi, &left)) != NULL) {
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL *easy = message->easy_handle;
        CURLcode code = message->data.result; /* read before the handle goes */
        char *private_data = NULL;
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private_data);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        struct attempt *a = (struct attempt *)(void *)private_data;
        curl_multi_remove_handle(sender->multi, easy);
        curl_easy_cleanup(easy);
        a->easy = NULL;
        pthread_mutex_lock(&sender->mutex);
        settle(sender, a, true, code, status);
        pthread_mutex_unlock(&sender->mutex);
        attempt_free(a);
    }
}

/* How long the worker may sleep: until the next hook's backoff ends. */
static int sleep_ms(struct webhook_sender *sender, int64_t now)
{
    int64_t until = now + WEBHOOK_IDLE_POLL_MS;
    for (struct hook *hook = sender->hooks; hook; hook = hook->next)
        if (hook->enabled && !hook->removed && !hook->attempt &&
            webhook_queue_length(&hook->queue) > 0 && hook->not_before_ms < until)
            until = hook->not_before_ms;
    return until > now ? (int)(until - now) : 0;
}

static void *worker(void *context)
{
    struct webhook_sender *sender = context;
    for (;;) {
        struct attempt *abandon = NULL, *start = NULL;
        pthread_mutex_lock(&sender->mutex);
        bool stop = sender->stop;
        if (!stop)
            tend(sender, monotonic_ms(), &abandon, &start);
        pthread_mutex_unlock(&sender->mutex);
        if (stop)
            break;
        while (abandon) {
            struct attempt *a = abandon;
            abandon = a->next;
            abandon_attempt(sender, a);
        }
        while (start) {
            struct attempt *a = start;
            start = a->next;
            if (!attempt_start(sender, a)) {
                pthread_mutex_lock(&sender->mutex);
                settle(sender, a, false, CURLE_OUT_OF_MEMORY, 0);
                pthread_mutex_unlock(&sender->mutex);
                attempt_free(a);
            }
        }
        int running;
        curl_multi_perform(sender->multi, &running);
        collect_done(sender);
        pthread_mutex_lock(&sender->mutex);
        int wait = sleep_ms(sender, monotonic_ms());
        pthread_mutex_unlock(&sender->mutex);
        /* Also returns for curl's own timers and sockets, and at once for a
         * curl_multi_wakeup (a payload, a change, or stop). */
        curl_multi_poll(sender->multi, NULL, 0, wait, NULL);
    }
    /* Stopping: every attempt is abandoned; webhook_free frees the hooks. */
    for (struct hook *hook = sender->hooks; hook; hook = hook->next) {
        if (hook->attempt) {
            abandon_attempt(sender, hook->attempt);
            hook->attempt = NULL;
        }
    }
    return NULL;
}

/* --- life --------------------------------------------------------------------------- */

static void destroy(struct webhook_sender *sender)
{
    while (sender->hooks) {
        struct hook *hook = sender->hooks;
        sender->hooks = hook->next;
        hook_free(hook);
    }
    if (sender->multi)
        curl_multi_cleanup(sender->multi);
    pthread_mutex_destroy(&sender->mutex);
    free(sender);
    curl_global_cleanup();
}

struct webhook_sender *webhook_new(const struct webhook_config *config, char *error,
                                   size_t error_size)
{
    static const struct webhook_config defaults = { 0 };
    if (!config)
        config = &defaults;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, error_size, "libcurl could not start");
        return NULL;
    }
    struct webhook_sender *sender = calloc(1, sizeof *sender);
    if (!sender) {
        curl_global_cleanup();
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&sender->mutex, NULL);
    termtext_copy(sender->organization_id, sizeof sender->organization_id,
                  config->organization_id && config->organization_id[0]
                      ? config->organization_id
                      : WEBHOOK_DEFAULT_ORGANIZATION_ID);
    termtext_copy(sender->organization_name, sizeof sender->organization_name,
                  config->organization_name && config->organization_name[0]
                      ? config->organization_name
                      : WEBHOOK_DEFAULT_ORGANIZATION_NAME);
    sender->queue_limit = config->queue_limit ? config->queue_limit
                                              : WEBHOOK_DEFAULT_QUEUE_LIMIT;
    sender->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms
                                                : WEBHOOK_DEFAULT_TIMEOUT_MS;
    sender->backoff_first_ms = config->backoff_first_ms > 0 ? config->backoff_first_ms
                                                            : WEBHOOK_DEFAULT_BACKOFF_FIRST_MS;
    sender->backoff_max_ms = config->backoff_max_ms > 0 ? config->backoff_max_ms
                                                        : WEBHOOK_DEFAULT_BACKOFF_MAX_MS;
    if (sender->backoff_max_ms < sender->backoff_first_ms)
        sender->backoff_max_ms = sender->backoff_first_ms;
    snprintf(sender->user_agent, sizeof sender->user_agent, "occtop/%s (webhooks)",
             PACKAGE_VERSION);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sender->random_state = ((uint64_t)now.tv_sec * 1000000007ULL) ^ (uint64_t)now.tv_nsec ^
                           (uint64_t)(uintptr_t)sender ^ 0x9E3779B97F4A7C15ULL;
    sender->multi = curl_multi_init();
    if (!sender->multi) {
        snprintf(error, error_size, "libcurl could not start");
        destroy(sender);
        return NULL;
    }
    if (pthread_create(&sender->thread, NULL, worker, sender) != 0) {
        snprintf(error, error_size, "cannot start the webhook worker thread");
        destroy(sender);
        return NULL;
    }
    return sender;
}

void webhook_free(struct webhook_sender *sender)
{
    if (!sender)
        return;
    pthread_mutex_lock(&sender->mutex);
    sender->stop = true;
    pthread_mutex_unlock(&sender->mutex);
    curl_multi_wakeup(sender->multi);
    pthread_join(sender->thread, NULL);
    destroy(sender);
}
