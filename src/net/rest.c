/* rest.c — requests to the Density REST API on a worker thread.
 *
 * Threads: the loop thread calls rest_request / rest_take / rest_get_stats;
 * the worker owns the curl multi handle, every easy handle, the list of
 * active jobs and the record of send times.  They share only what sits
 * under rest->mutex (the two queues, the counters, the stop flag and the
 * window); curl_multi_wakeup is the one curl call made off the worker.
 *
 * A job goes: pending queue (loop thread) → active list (worker), where it
 * waits for its time (backoff, Retry-After) and for the budget, is sent,
 * maybe sent again, and finally becomes a result on the results queue. */
#include "config.h"

#include "net/rest.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/termtext.h"

#define REST_WINDOW_MS 60000L          /* "60 requests per minute" */
#define REST_DEFAULT_PER_MINUTE 60
#define REST_DEFAULT_TIMEOUT_MS 15000L
#define REST_MAX_CONNECT_TIMEOUT_MS 10000L
/* A page of 1000 spaces is about 3 MB: 64 MiB is generous and still keeps a
 * hostile or broken server from filling memory. */
#define REST_MAX_BODY ((size_t)64 * 1024 * 1024)
#define REST_BACKOFF_FIRST_MS 500
#define REST_BACKOFF_MAX_MS 30000
#define REST_RETRY_AFTER_DEFAULT_S 60
/* A Retry-After of hours (a broken server, a wrong date) would freeze the
 * request; the API's own window is a minute, so ten is plenty. */
#define REST_RETRY_AFTER_MAX_S 600
/* The worker sleeps in curl_multi_poll and is woken for every change; the
 * cap only bounds the damage of a wake-up that never comes. */
#define REST_IDLE_POLL_MS 1000

struct rest_buffer {
    char *data; /* NUL-terminated when not NULL */
    size_t length;
    size_t capacity;
};

struct rest_job {
    struct rest_job *next;
    uint64_t id;
    int tag;
    void *user;
    enum rest_method method;
    char *path; /* as given: a path, an absolute URL, or the target to resolve */
    char *body; /* may be NULL */

    /* Worker only, from here on. */
    CURLU *url;                  /* checked to be on the API's origin */
    char host[128];              /* the URL's host, terminal-safe, for errors */
    struct curl_slist *headers;  /* holds the token: wiped before freeing */
    CURL *easy;                  /* while an attempt is in flight */
    int64_t not_before_ms;       /* monotonic: backoff or Retry-After */
    bool waited_for_budget;      /* counted in budget_waits already */
    bool last_failed;            /* the previous attempt failed (for retries) */
    int attempts;                /* all attempts */
    int failures;                /* network errors and 5xx: what max_attempts bounds */
    bool once;                   /* no retries: the caller has its own (rest_request_once) */
    int64_t sent_ms;             /* wall time of the latest attempt */
    struct rest_buffer response;
    bool too_large;
    char retry_after[64];        /* the latest Retry-After value, trimmed */
    char curl_error[CURL_ERROR_SIZE];
};

struct rest_result_node {
    struct rest_result_node *next;
    struct rest_result result;
};

struct rest {
    /* Set by rest_new, read-only afterwards. */
    char *base_url; /* without trailing '/' */
    char *token;
    char *origin_scheme, *origin_host, *origin_port;
    int per_minute;
    bool insecure;
    long timeout_ms;
    int max_attempts;
    bool timeout_notices;
    void (*wake)(void *context);
    void *wake_context;
    char user_agent[64];
    CURLM *multi;
    pthread_t thread;

    /* Shared: under mutex. */
    pthread_mutex_t mutex;
    struct rest_job *pending_head, *pending_tail;
    struct rest_result_node *results_head, *results_tail;
    struct rest_stats stats;
    uint64_t next_id;
    long window_ms;
    bool stop;

    /* Worker only. */
    struct rest_job *active;  /* in submission order, which is the order served */
    int64_t *send_times;      /* a ring of per_minute monotonic send times */
    int send_count, send_oldest;
    long worker_window_ms;    /* the window as of the last look under the mutex */
    uint64_t random_state;
};

/* --- small helpers ------------------------------------------------------ */

static int64_t rest_clock_ms(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int64_t rest_monotonic_ms(void)
{
    return rest_clock_ms(CLOCK_MONOTONIC);
}

/* xorshift64*: jitter needs no quality, only to differ between clients. */
static double rest_random_unit(struct rest *rest)
{
    uint64_t x = rest->random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rest->random_state = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / (double)(1ULL << 53);
}

/* Overwrites each occurrence of the token in text with '*': an error may
 * quote a URL or a server's words, and the token must never reach a screen
 * or a log, whoever put it there. */
static void rest_redact(char *text, const char *token)
{
    size_t token_length = strlen(token);
    char *at = text;
    while ((at = strstr(at, token)) != NULL) {
        memset(at, '*', token_length);
        at += token_length;
    }
}

static void rest_format_error(const struct rest *rest, char *error, size_t error_size,
                              const char *format, ...) __attribute__((format(printf, 4, 5)));

/* Writes a terminal-safe, token-free error line. */
static void rest_format_error(const struct rest *rest, char *error, size_t error_size,
                              const char *format, ...)
{
    char raw[512];
    va_list args;
    va_start(args, format);
    vsnprintf(raw, sizeof raw, format, args);
    va_end(args);
    rest_redact(raw, rest->token);
    termtext_sanitize_str(raw, error, error_size, 0, 0);
    explicit_bzero(raw, sizeof raw);
}

/* A terminal-safe, bounded copy of something from a URL or the network, to
 * quote in an error. */
static void rest_quote(const char *text, char *out, size_t out_size)
{
    termtext_sanitize_str(text, out, out_size, 120, 0);
}

static void rest_buffer_reset(struct rest_buffer *buffer)
{
    free(buffer->data);
    memset(buffer, 0, sizeof *buffer);
}

/* Frees a header list after wiping it: one line holds the token. */
static void rest_free_headers(struct curl_slist *headers)
{
    for (struct curl_slist *line = headers; line; line = line->next)
        explicit_bzero(line->data, strlen(line->data));
    curl_slist_free_all(headers);
}

static void rest_job_free(struct rest_job *job)
{
    if (!job)
        return;
    free(job->path);
    free(job->body);
    curl_url_cleanup(job->url);
    rest_free_headers(job->headers);
    rest_buffer_reset(&job->response);
    free(job);
}

/* --- the origin ----------------------------------------------------------- */

/* Parses an http(s) URL.  NULL when it is not one. */
static CURLU *rest_parse_url(const char *text)
{
    CURLU *url = curl_url();
    if (url && curl_url_set(url, CURLUPART_URL, text, 0) != CURLUE_OK) {
        curl_url_cleanup(url);
        url = NULL;
    }
    return url;
}

/* One part of url (curl_free it), or NULL.  The port comes with its
 * scheme's default filled in, so "https://h" and "https://h:443" match. */
static char *rest_url_part(CURLU *url, CURLUPart part)
{
    char *value = NULL;
    unsigned flags = part == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0;
    if (curl_url_get(url, part, &value, flags) != CURLUE_OK)
        return NULL;
    return value;
}

static bool rest_part_equals(CURLU *url, CURLUPart part, const char *expected)
{
    char *value = rest_url_part(url, part);
    bool equal = value && strcasecmp(value, expected) == 0;
    curl_free(value);
    return equal;
}

static bool rest_same_origin(const struct rest *rest, CURLU *url)
{
    return rest_part_equals(url, CURLUPART_SCHEME, rest->origin_scheme)
        && rest_part_equals(url, CURLUPART_HOST, rest->origin_host)
        && rest_part_equals(url, CURLUPART_PORT, rest->origin_port);
}

/* Stores the base URL's origin.  False when it is not http(s)://HOST... */
static bool rest_set_origin(struct rest *rest, const char *base_url)
{
    if (strncasecmp(base_url, "http://", 7) != 0 && strncasecmp(base_url, "https://", 8) != 0)
        return false;
    CURLU *url = rest_parse_url(base_url);
    if (!url)
        return false;
    char *scheme = rest_url_part(url, CURLUPART_SCHEME);
    char *host = rest_url_part(url, CURLUPART_HOST);
    char *port = rest_url_part(url, CURLUPART_PORT);
    bool ok = scheme && host && *host && port;
    if (ok) {
        rest->origin_scheme = strdup(scheme);
        rest->origin_host = strdup(host);
        rest->origin_port = strdup(port);
        ok = rest->origin_scheme && rest->origin_host && rest->origin_port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(url);
    return ok;
}

/* --- results ------------------------------------------------------------- */

void rest_result_clear(struct rest_result *result)
{
    if (!result)
        return;
    free(result->body);
    memset(result, 0, sizeof *result);
}

/* A result carrying the job's identity and history; the caller fills the
 * outcome.  NULL when out of memory. */
static struct rest_result_node *rest_result_for(const struct rest_job *job)
{
    struct rest_result_node *node = calloc(1, sizeof *node);
    if (!node)
        return NULL;
    node->result.id = job->id;
    node->result.tag = job->tag;
    node->result.user = job->user;
    node->result.method = job->method;
    node->result.sent_ms = job->sent_ms;
    node->result.attempts = job->attempts;
    return node;
}

/* Queues the result and wakes the loop thread (outside the mutex: wake may
 * take locks of its own). */
static void rest_deliver(struct rest *rest, struct rest_result_node *node)
{
    pthread_mutex_lock(&rest->mutex);
    if (rest->results_tail)
        rest->results_tail->next = node;
    else
        rest->results_head = node;
    rest->results_tail = node;
    pthread_mutex_unlock(&rest->mutex);
    if (rest->wake)
        rest->wake(rest->wake_context);
}

/* Ends a job with status 0 and an error (already safe and token-free).
 * Out of memory, the result is lost: the caller cannot be told anyway. */
static void rest_finish_error(struct rest *rest, struct rest_job *job, const char *error)
{
    struct rest_result_node *node = rest_result_for(job);
    if (!node)
        return;
    snprintf(node->result.error, sizeof node->result.error, "%s", error);
    rest_deliver(rest, node);
}

/* Tells of an attempt that failed and will be made again (the job goes on). */
static void rest_notify_retrying(struct rest *rest, const struct rest_job *job,
                                 const char *error)
{
    struct rest_result_node *node = rest_result_for(job);
    if (!node)
        return;
    node->result.tag = REST_TAG_RETRYING;
    snprintf(node->result.error, sizeof node->result.error, "%s", error);
    rest_deliver(rest, node);
}

/* Ends a job with its answer; the body moves into the result. */
static void rest_finish_answer(struct rest *rest, struct rest_job *job, long status,
                               const char *error)
{
    struct rest_result_node *node = rest_result_for(job);
    if (!node)
        return;
    node->result.status = status;
    node->result.body = job->response.data;
    node->result.body_length = job->response.length;
    memset(&job->response, 0, sizeof job->response);
    if (error)
        snprintf(node->result.error, sizeof node->result.error, "%s", error);
    rest_deliver(rest, node);
}

/* --- resolving (REST_RESOLVE) -------------------------------------------- */

/* The host of a ws(s):// or http(s):// URL, or a bare host name (IPv6
 * literals lose their brackets).  False when there is none. */
static bool rest_host_of(const char *target, char *host, size_t host_size)
{
    char *found = NULL;
    if (strstr(target, "://")) {
        CURLU *url = curl_url();
        /* ws:// and wss:// are unknown to this libcurl's URL parser. */
        if (url && curl_url_set(url, CURLUPART_URL, target, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
            found = rest_url_part(url, CURLUPART_HOST);
        curl_url_cleanup(url);
        if (!found)
            return false;
        snprintf(host, host_size, "%s", found);
        curl_free(found);
    } else {
        snprintf(host, host_size, "%s", target);
    }
    size_t length = strlen(host);
    if (length >= 2 && host[0] == '[' && host[length - 1] == ']') {
        memmove(host, host + 1, length - 2);
        host[length - 2] = '\0';
    }
    return *host != '\0';
}

/* The first address of the family, as text, or false. */
static bool rest_first_address(const struct addrinfo *list, int family, char *out,
                               size_t out_size)
{
    for (const struct addrinfo *at = list; at; at = at->ai_next) {
        if (at->ai_family != family)
            continue;
        const void *address = family == AF_INET
            ? (const void *)&((const struct sockaddr_in *)(const void *)at->ai_addr)->sin_addr
            : (const void *)&((const struct sockaddr_in6 *)(const void *)at->ai_addr)->sin6_addr;
        if (inet_ntop(family, address, out, (socklen_t)out_size))
            return true;
    }
    return false;
}

/* Blocks the worker for as long as getaddrinfo takes: that is the point
 * (the loop thread must not).  No budget: nothing goes to the API. */
static void rest_resolve(struct rest *rest, struct rest_job *job)
{
    char host[256], quoted[160], error[256];
    job->attempts = 1;
    job->sent_ms = rest_clock_ms(CLOCK_REALTIME);
    if (!rest_host_of(job->path, host, sizeof host)) {
        rest_quote(job->path, quoted, sizeof quoted);
        rest_format_error(rest, error, sizeof error, "cannot resolve %s: no host name in it",
                          quoted);
        rest_finish_error(rest, job, error);
        return;
    }
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int failure = getaddrinfo(host, NULL, &hints, &list);
    char address[INET6_ADDRSTRLEN];
    /* IPv4 first: a host with both usually serves both, and IPv4 works on
     * more of the networks a kiosk sits on. */
    bool found = !failure && (rest_first_address(list, AF_INET, address, sizeof address)
                              || rest_first_address(list, AF_INET6, address, sizeof address));
    if (list)
        freeaddrinfo(list);
    if (!found) {
        rest_quote(host, quoted, sizeof quoted);
        rest_format_error(rest, error, sizeof error, "cannot resolve %s: %s", quoted,
                          failure ? gai_strerror(failure) : "no IPv4 or IPv6 address");
        rest_finish_error(rest, job, error);
        return;
    }
    size_t length = strlen(address);
    job->response.data = strdup(address);
    job->response.length = job->response.data ? length : 0;
    job->response.capacity = job->response.length + 1;
    if (!job->response.data) {
        rest_finish_error(rest, job, "cannot resolve: out of memory");
        return;
    }
    rest_finish_answer(rest, job, 200, NULL);
}

/* --- preparing a request -------------------------------------------------- */

/* The full URL of the job, parsed, if it is on the API's origin.  Relative
 * paths are checked too: the same test for every URL leaves no gap. */
static bool rest_prepare_url(struct rest *rest, struct rest_job *job, char *error,
                             size_t error_size)
{
    const char *path = job->path;
    char *full = NULL;
    if (path[0] == '/') {
        size_t size = strlen(rest->base_url) + strlen(path) + 1;
        full = malloc(size);
        if (full)
            snprintf(full, size, "%s%s", rest->base_url, path);
    } else {
        full = strdup(path);
    }
    if (!full) {
        snprintf(error, error_size, "cannot start a request: out of memory");
        return false;
    }
    job->url = rest_parse_url(full);
    free(full);
    if (!job->url || !rest_same_origin(rest, job->url)) {
        char quoted[160];
        rest_quote(path, quoted, sizeof quoted);
        rest_format_error(rest, error, error_size, "refused: %s is not on the API's origin",
                          quoted);
        return false;
    }
    char *host = rest_url_part(job->url, CURLUPART_HOST);
    rest_quote(host ? host : "?", job->host, sizeof job->host);
    curl_free(host);
    return true;
}

/* The request headers; the token goes through one buffer, wiped at once. */
static bool rest_prepare_headers(struct rest *rest, struct rest_job *job)
{
    static const char prefix[] = "Authorization: Bearer ";
    size_t size = sizeof prefix + strlen(rest->token);
    char *line = malloc(size);
    if (!line)
        return false;
    snprintf(line, size, "%s%s", prefix, rest->token);
    struct curl_slist *headers = curl_slist_append(NULL, line);
    explicit_bzero(line, size);
    free(line);
    if (!headers)
        return false;
    job->headers = headers;
    const char *others[] = {
        "Accept: application/json",
        /* Without a body, "Content-Type:" removes the form type libcurl
         * would add to a POST. */
        job->body ? "Content-Type: application/json" : "Content-Type:",
        "Expect:", /* no 100-continue round trip for a small JSON body */
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        headers = curl_slist_append(job->headers, others[i]);
        if (!headers)
            return false;
        job->headers = headers;
    }
    return true;
}

/* --- transfers --------------------------------------------------------------- */

static size_t rest_on_body(char *data, size_t size, size_t count, void *context)
{
    struct rest_job *job = context;
    struct rest_buffer *buffer = &job->response;
    size_t length = size * count;
    if (length > REST_MAX_BODY - buffer->length) {
        job->too_large = true;
        return 0; /* anything but length stops the transfer */
    }
    size_t needed = buffer->length + length + 1;
    if (needed > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 16384;
        while (capacity < needed)
            capacity *= 2;
        if (capacity > REST_MAX_BODY + 1 && needed <= REST_MAX_BODY + 1)
            capacity = REST_MAX_BODY + 1; /* not 128 MiB for a 64 MiB body */
        char *grown = realloc(buffer->data, capacity);
        if (!grown)
            return 0;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, data, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return length;
}

/* Keeps the Retry-After value.  A status line starts a new response (after
 * a 100 Continue), which forgets the previous one's. */
static size_t rest_on_header(char *data, size_t size, size_t count, void *context)
{
    struct rest_job *job = context;
    size_t length = size * count;
    static const char name[] = "retry-after:";
    size_t name_length = sizeof name - 1;
    if (length >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        job->retry_after[0] = '\0';
    } else if (length > name_length && strncasecmp(data, name, name_length) == 0) {
        size_t start = name_length, end = length;
        while (start < end && (data[start] == ' ' || data[start] == '\t'))
            start++;
        while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n'
                               || data[end - 1] == ' ' || data[end - 1] == '\t'))
            end--;
        size_t value_length = end - start;
        if (value_length >= sizeof job->retry_after)
            value_length = sizeof job->retry_after - 1;
        memcpy(job->retry_after, data + start, value_length);
        job->retry_after[value_length] = '\0';
    }
    return length;
}

/* One attempt's easy handle, or NULL when curl is out of memory. */
static CURL *rest_new_easy(struct rest *rest, struct rest_job *job)
{
    CURL *easy = curl_easy_init();
    if (!easy)
        return NULL;
    long connect_timeout = rest->timeout_ms < REST_MAX_CONNECT_TIMEOUT_MS
        ? rest->timeout_ms : REST_MAX_CONNECT_TIMEOUT_MS;
    bool ok = curl_easy_setopt(easy, CURLOPT_CURLU, job->url) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_PRIVATE, job) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job->headers) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_USERAGENT, rest->user_agent) == CURLE_OK
        /* No redirects: a Location elsewhere would carry the token with
         * it.  A 3xx comes back as a status.  (The scheme is the base URL's
         * http or https: rest_prepare_url checked it.) */
        && curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK
        /* Threads: no SIGALRM for resolver timeouts. */
        && curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, rest->timeout_ms) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, rest->insecure ? 0L : 1L) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, rest->insecure ? 0L : 2L) == CURLE_OK
        /* Whatever encoding libcurl can decode; the bound below applies
         * after decoding, and MAXFILESIZE stops a too long one early. */
        && curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)REST_MAX_BODY) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, rest_on_body) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_WRITEDATA, job) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, rest_on_header) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_HEADERDATA, job) == CURLE_OK
        && curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->curl_error) == CURLE_OK;
    if (ok && job->method != REST_GET) {
        const char *body = job->body ? job->body : "";
        ok = curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body) == CURLE_OK
            && curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body))
                == CURLE_OK;
        if (ok && job->method == REST_PUT)
            ok = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT") == CURLE_OK;
    }
    if (!ok) {
        curl_easy_cleanup(easy);
        return NULL;
    }
    return easy;
}

/* Sends one attempt.  False when it could not start (out of memory). */
static bool rest_start_attempt(struct rest *rest, struct rest_job *job)
{
    rest_buffer_reset(&job->response);
    job->too_large = false;
    job->retry_after[0] = '\0';
    job->curl_error[0] = '\0';
    job->easy = rest_new_easy(rest, job);
    if (!job->easy)
        return false;
    if (curl_multi_add_handle(rest->multi, job->easy) != CURLM_OK) {
        curl_easy_cleanup(job->easy);
        job->easy = NULL;
        return false;
    }
    job->attempts++;
    job->sent_ms = rest_clock_ms(CLOCK_REALTIME);
    pthread_mutex_lock(&rest->mutex);
    rest->stats.sent++;
    if (job->last_failed)
        rest->stats.retries++;
    pthread_mutex_unlock(&rest->mutex);
    return true;
}

/* --- the budget: a sliding window of send times ---------------------------- */

static void rest_budget_expire(struct rest *rest, int64_t now)
{
    while (rest->send_count > 0
           && rest->send_times[rest->send_oldest] + rest->worker_window_ms <= now) {
        rest->send_oldest = (rest->send_oldest + 1) % rest->per_minute;
        rest->send_count--;
    }
}

/* When the next send may go: now, or when the oldest leaves the window. */
static int64_t rest_budget_free_at(struct rest *rest, int64_t now)
{
    rest_budget_expire(rest, now);
    if (rest->send_count < rest->per_minute)
        return now;
    return rest->send_times[rest->send_oldest] + rest->worker_window_ms;
}

static bool rest_budget_take(struct rest *rest, int64_t now)
{
    if (rest_budget_free_at(rest, now) > now)
        return false;
    int slot = (rest->send_oldest + rest->send_count) % rest->per_minute;
    rest->send_times[slot] = now;
    rest->send_count++;
    return true;
}

/* --- outcomes ------------------------------------------------------------------ */

/* Seconds to wait after a 429: Retry-After as seconds or as an HTTP date,
 * 60 without a usable one. */
static long rest_retry_after_seconds(const char *value)
{
    long seconds;
    if (*value && strspn(value, "0123456789") == strlen(value)) {
        seconds = strlen(value) > 6 ? REST_RETRY_AFTER_MAX_S : strtol(value, NULL, 10);
    } else {
        time_t date = *value ? curl_getdate(value, NULL) : -1;
        if (date == -1)
            return REST_RETRY_AFTER_DEFAULT_S;
        double delta = difftime(date, time(NULL));
        seconds = delta <= 0 ? 0 : delta >= REST_RETRY_AFTER_MAX_S ? REST_RETRY_AFTER_MAX_S
                                                                    : (long)delta;
    }
    return seconds > REST_RETRY_AFTER_MAX_S ? REST_RETRY_AFTER_MAX_S : seconds;
}

/* 0.5 s, 1 s, 2 s ... up to 30 s, each ±20 %. */
static int64_t rest_backoff_ms(struct rest *rest, int failures)
{
    int64_t delay = REST_BACKOFF_FIRST_MS;
    for (int i = 1; i < failures && delay < REST_BACKOFF_MAX_MS; i++)
        delay *= 2;
    if (delay > REST_BACKOFF_MAX_MS)
        delay = REST_BACKOFF_MAX_MS;
    return (int64_t)((double)delay * (0.8 + 0.4 * rest_random_unit(rest)));
}

/* Errors another try cannot fix: better said at once than retried forever. */
static bool rest_is_permanent(CURLcode code)
{
    switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return true;
    default:
        return false;
    }
}

/* A network error or a 5xx: true when the job is over (attempts spent). */
static bool rest_count_failure(struct rest *rest, struct rest_job *job, int64_t now)
{
    job->failures++;
    job->last_failed = true;
    if (job->once || (rest->max_attempts > 0 && job->failures >= rest->max_attempts))
        return true;
    job->not_before_ms = now + rest_backoff_ms(rest, job->failures);
    return false;
}

/* Decides what an attempt's end means.  True when the job is over (and its
 * result delivered); false when it goes back to waiting. */
static bool rest_settle(struct rest *rest, struct rest_job *job, CURLcode code, long status)
{
    char error[256];
    int64_t now = rest_monotonic_ms();
    if (job->too_large || code == CURLE_FILESIZE_EXCEEDED) {
        rest_format_error(rest, error, sizeof error, "the answer from %s is larger than %zu MiB",
                          job->host, REST_MAX_BODY / (1024 * 1024));
        rest_finish_error(rest, job, error);
        return true;
    }
    if (code != CURLE_OK) {
        /* curl's own message says more ("Connection refused", which
         * certificate check failed); it never holds request headers, and
         * rest_format_error takes the token out whatever it holds. */
        const char *detail = job->curl_error[0] ? job->curl_error : curl_easy_strerror(code);
        char quoted[CURL_ERROR_SIZE];
        termtext_sanitize_str(detail, quoted, sizeof quoted, 0, 0);
        rest_format_error(rest, error, sizeof error, "cannot reach %s: %s", job->host, quoted);
        if (!rest_is_permanent(code) && !rest_count_failure(rest, job, now)) {
            if (code == CURLE_OPERATION_TIMEDOUT && rest->timeout_notices)
                rest_notify_retrying(rest, job, error);
            return false;
        }
        rest_finish_error(rest, job, error);
        return true;
    }
    if (status == 429) {
        pthread_mutex_lock(&rest->mutex);
        rest->stats.rate_limited++;
        pthread_mutex_unlock(&rest->mutex);
        job->last_failed = false;
        job->not_before_ms = now + rest_retry_after_seconds(job->retry_after) * 1000;
        return false;
    }
    if (status >= 500 && status <= 599) {
        if (!rest_count_failure(rest, job, now))
            return false;
        rest_format_error(rest, error, sizeof error, "%s answered %ld after %d attempts",
                          job->host, status, job->attempts);
        rest_finish_answer(rest, job, status, error);
        return true;
    }
    rest_finish_answer(rest, job, status, NULL);
    return true;
}

/* --- the worker ------------------------------------------------------------------ */

/* Moves new requests onto the active list.  False when told to stop. */
static bool rest_adopt_pending(struct rest *rest)
{
    pthread_mutex_lock(&rest->mutex);
    bool stop = rest->stop;
    struct rest_job *adopted = rest->pending_head;
    rest->pending_head = rest->pending_tail = NULL;
    rest->worker_window_ms = rest->window_ms;
    pthread_mutex_unlock(&rest->mutex);
    struct rest_job **end = &rest->active;
    while (*end)
        end = &(*end)->next;
    *end = adopted;
    return !stop;
}

/* Starts what may start, in order.  Removes the jobs it ends. */
static void rest_start_ready(struct rest *rest, int64_t now)
{
    struct rest_job **link = &rest->active;
    while (*link) {
        struct rest_job *job = *link;
        bool over = false;
        char error[256];
        if (job->easy || job->not_before_ms > now) {
            /* in flight, or waiting its time */
        } else if (job->method == REST_RESOLVE) {
            rest_resolve(rest, job);
            over = true;
        } else if (!job->url && !rest_prepare_url(rest, job, error, sizeof error)) {
            rest_finish_error(rest, job, error);
            over = true;
        } else if (!job->headers && !rest_prepare_headers(rest, job)) {
            rest_finish_error(rest, job, "cannot start a request: out of memory");
            over = true;
        } else if (!rest_budget_take(rest, now)) {
            if (!job->waited_for_budget) {
                job->waited_for_budget = true;
                pthread_mutex_lock(&rest->mutex);
                rest->stats.budget_waits++;
                pthread_mutex_unlock(&rest->mutex);
            }
        } else if (!rest_start_attempt(rest, job)) {
            rest_finish_error(rest, job, "cannot start a request: out of memory");
            over = true;
        }
        if (over) {
            *link = job->next;
            rest_job_free(job);
        } else {
            link = &job->next;
        }
    }
}

static void rest_unlink(struct rest *rest, struct rest_job *job)
{
    for (struct rest_job **link = &rest->active; *link; link = &(*link)->next) {
        if (*link == job) {
            *link = job->next;
            return;
        }
    }
}

/* Settles the attempts curl has finished. */
static void rest_collect_done(struct rest *rest)
{
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read(rest->multi, &left)) != NULL) {
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL *easy = message->easy_handle;
        CURLcode code = message->data.result; /* read before the handle goes */
        char *private_data = NULL;
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private_data);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        struct rest_job *job = (struct rest_job *)(void *)private_data;
        curl_multi_remove_handle(rest->multi, easy);
        curl_easy_cleanup(easy);
        job->easy = NULL;
        if (rest_settle(rest, job, code, status)) {
            rest_unlink(rest, job);
            rest_job_free(job);
        }
    }
}

/* How long the worker may sleep: until the next job's time, or until the
 * budget frees for a job that is waiting for it. */
static int rest_sleep_ms(struct rest *rest, int64_t now)
{
    int64_t until = now + REST_IDLE_POLL_MS;
    for (struct rest_job *job = rest->active; job; job = job->next) {
        if (job->easy)
            continue;
        int64_t at = job->not_before_ms > now ? job->not_before_ms
                                              : rest_budget_free_at(rest, now);
        if (at < until)
            until = at;
    }
    return until > now ? (int)(until - now) : 0;
}

/* Abandons every active job (rest_free): their results would go nowhere. */
static void rest_abandon_active(struct rest *rest)
{
    while (rest->active) {
        struct rest_job *job = rest->active;
        rest->active = job->next;
        if (job->easy) {
            curl_multi_remove_handle(rest->multi, job->easy);
            curl_easy_cleanup(job->easy);
        }
        rest_job_free(job);
    }
}

static void *rest_worker(void *context)
{
    struct rest *rest = context;
    while (rest_adopt_pending(rest)) {
        rest_start_ready(rest, rest_monotonic_ms());
        int running;
        curl_multi_perform(rest->multi, &running);
        rest_collect_done(rest);
        /* curl_multi_poll also returns for curl's own timers and sockets,
         * and at once for a curl_multi_wakeup (a request, or stop). */
        curl_multi_poll(rest->multi, NULL, 0, rest_sleep_ms(rest, rest_monotonic_ms()), NULL);
    }
    rest_abandon_active(rest);
    return NULL;
}

/* --- the public side ---------------------------------------------------------- */

/* A token goes into a header line: printable ASCII without spaces only, so
 * it can never break the line. */
static bool rest_token_usable(const char *token)
{
    for (const char *c = token; *c; c++) {
        if (*c < 0x21 || *c > 0x7e)
            return false;
    }
    return true;
}

/* Frees what rest_new may have set up; the worker is not running. */
static void rest_destroy(struct rest *rest)
{
    while (rest->pending_head) {
        struct rest_job *job = rest->pending_head;
        rest->pending_head = job->next;
        rest_job_free(job);
    }
    while (rest->results_head) {
        struct rest_result_node *node = rest->results_head;
        rest->results_head = node->next;
        rest_result_clear(&node->result);
        free(node);
    }
    if (rest->multi)
        curl_multi_cleanup(rest->multi);
    if (rest->token) {
        explicit_bzero(rest->token, strlen(rest->token));
        free(rest->token);
    }
    free(rest->base_url);
    free(rest->origin_scheme);
    free(rest->origin_host);
    free(rest->origin_port);
    free(rest->send_times);
    pthread_mutex_destroy(&rest->mutex);
    free(rest);
    curl_global_cleanup();
}

/* Copies the configuration.  False with error filled. */
static bool rest_configure(struct rest *rest, const struct rest_config *config, char *error,
                           size_t error_size)
{
    char quoted[160];
    if (!config->token || !*config->token) {
        snprintf(error, error_size, "no API token");
        return false;
    }
    if (!rest_token_usable(config->token)) {
        snprintf(error, error_size, "the API token may hold only printable ASCII characters "
                                    "without spaces");
        return false;
    }
    rest->token = strdup(config->token);
    rest->base_url = strdup(config->base_url);
    if (!rest->token || !rest->base_url) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    size_t length = strlen(rest->base_url);
    while (length > 0 && rest->base_url[length - 1] == '/')
        rest->base_url[--length] = '\0';
    if (!rest_set_origin(rest, rest->base_url)) {
        rest_quote(config->base_url, quoted, sizeof quoted);
        snprintf(error, error_size, "the API's base URL must be http(s)://HOST[:PORT][/PATH], "
                                    "not %s", quoted);
        return false;
    }
    rest->per_minute = config->requests_per_minute > 0 ? config->requests_per_minute
                                                       : REST_DEFAULT_PER_MINUTE;
    rest->insecure = config->insecure;
    rest->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : REST_DEFAULT_TIMEOUT_MS;
    rest->max_attempts = config->max_attempts;
    rest->timeout_notices = config->timeout_notices;
    rest->wake = config->wake;
    rest->wake_context = config->wake_context;
    snprintf(rest->user_agent, sizeof rest->user_agent, "occtop/%s", PACKAGE_VERSION);
    rest->send_times = calloc((size_t)rest->per_minute, sizeof *rest->send_times);
    if (!rest->send_times) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    return true;
}

struct rest *rest_new(const struct rest_config *config, char *error, size_t error_size)
{
    if (!config || !config->base_url) {
        snprintf(error, error_size, "no API base URL");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, error_size, "libcurl could not start");
        return NULL;
    }
    struct rest *rest = calloc(1, sizeof *rest);
    if (!rest) {
        curl_global_cleanup();
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&rest->mutex, NULL);
    rest->next_id = 1;
    rest->window_ms = rest->worker_window_ms = REST_WINDOW_MS;
    rest->random_state = (uint64_t)rest_clock_ms(CLOCK_REALTIME) ^ (uint64_t)(uintptr_t)rest
        ^ 0x9E3779B97F4A7C15ULL;
    if (!rest_configure(rest, config, error, error_size)) {
        rest_destroy(rest);
        return NULL;
    }
    rest->multi = curl_multi_init();
    if (!rest->multi) {
        snprintf(error, error_size, "libcurl could not start");
        rest_destroy(rest);
        return NULL;
    }
    if (pthread_create(&rest->thread, NULL, rest_worker, rest) != 0) {
        snprintf(error, error_size, "cannot start the REST worker thread");
        rest_destroy(rest);
        return NULL;
    }
    return rest;
}

void rest_free(struct rest *rest)
{
    if (!rest)
        return;
    pthread_mutex_lock(&rest->mutex);
    rest->stop = true;
    pthread_mutex_unlock(&rest->mutex);
    curl_multi_wakeup(rest->multi);
    pthread_join(rest->thread, NULL);
    rest_destroy(rest);
}

static uint64_t queue_request(struct rest *rest, enum rest_method method, const char *path,
                              const char *body, int tag, void *user, bool once)
{
    struct rest_job *job = calloc(1, sizeof *job);
    if (!job)
        return 0;
    job->once = once;
    job->method = method;
    job->tag = tag;
    job->user = user;
    job->path = strdup(path ? path : "");
    job->body = body ? strdup(body) : NULL;
    if (!job->path || (body && !job->body)) {
        rest_job_free(job);
        return 0;
    }
    pthread_mutex_lock(&rest->mutex);
    job->id = rest->next_id++;
    if (rest->pending_tail)
        rest->pending_tail->next = job;
    else
        rest->pending_head = job;
    rest->pending_tail = job;
    uint64_t id = job->id; /* the worker may free job as soon as we unlock */
    pthread_mutex_unlock(&rest->mutex);
    curl_multi_wakeup(rest->multi);
    return id;
}

uint64_t rest_request(struct rest *rest, enum rest_method method, const char *path,
                      const char *body, int tag, void *user)
{
    return queue_request(rest, method, path, body, tag, user, false);
}

uint64_t rest_request_once(struct rest *rest, enum rest_method method, const char *path,
                           const char *body, int tag, void *user)
{
    return queue_request(rest, method, path, body, tag, user, true);
}

bool rest_take(struct rest *rest, struct rest_result *out)
{
    pthread_mutex_lock(&rest->mutex);
    struct rest_result_node *node = rest->results_head;
    if (node) {
        rest->results_head = node->next;
        if (!rest->results_head)
            rest->results_tail = NULL;
    }
    pthread_mutex_unlock(&rest->mutex);
    if (!node)
        return false;
    *out = node->result;
    free(node);
    return true;
}

struct rest_stats rest_get_stats(struct rest *rest)
{
    pthread_mutex_lock(&rest->mutex);
    struct rest_stats stats = rest->stats;
    pthread_mutex_unlock(&rest->mutex);
    return stats;
}

void rest_set_window_ms_for_tests(struct rest *rest, long window_ms)
{
    pthread_mutex_lock(&rest->mutex);
    rest->window_ms = window_ms > 0 ? window_ms : REST_WINDOW_MS;
    pthread_mutex_unlock(&rest->mutex);
    curl_multi_wakeup(rest->multi);
}
