/* test_rest.c — the REST worker (net/rest.h) against a real HTTP server.
 *
 * The server is written here: a thread with a listening socket on
 * 127.0.0.1:0 that answers each connection from a script chosen by the path
 * (200, 403, 429 then 200, 500 then 200, an answer that never comes, bodies
 * too large...), records what it got (method, path, headers, body), and
 * closes.  Tests wait for results through the wake callback only, so a
 * missing wake fails them.  The budget's window is shortened with the test
 * hook to keep the whole run to a few seconds; alarm() turns a hang into a
 * failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "net/rest.h"

#define TOKEN "tok_s3cret-T0ken"
#define MAX_BODY ((size_t)64 * 1024 * 1024)
#define BIG_BODY 3000000
#define WAIT_SECONDS 20
#define MAX_RECORDED 64
#define MAX_PARKED 16

/* --- the test server ----------------------------------------------------- */

struct recorded {
    char method[16];
    char path[256]; /* as sent, with the query */
    char authorization[128];
    char accept[64];
    char content_type[64];
    char user_agent[64];
    char body[256];
};

struct server {
    int listen_fd;
    int port;
    int stop_pipe[2];
    pthread_t thread;
    pthread_mutex_t mutex;
    struct recorded requests[MAX_RECORDED];
    int count;
    int parked[MAX_PARKED]; /* connections left unanswered (/slow) */
    int parked_count;
};

static int64_t wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&pause, NULL);
}

/* A loopback socket bound to an ephemeral port; listening when asked (a
 * bound socket that does not listen refuses connections). */
static int bound_socket(bool listening, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
    if (listening)
        assert_int_equal(listen(fd, 64), 0);
    socklen_t length = sizeof address;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &length), 0);
    *port = ntohs(address.sin_port);
    return fd;
}

static bool send_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent <= 0)
            return false;
        data += sent;
        length -= (size_t)sent;
    }
    return true;
}

static void respond(int fd, const char *status, const char *extra_headers, const char *body)
{
    char head[512];
    snprintf(head, sizeof head,
             "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n%s\r\n",
             status, strlen(body), extra_headers);
    if (send_all(fd, head, strlen(head)))
        send_all(fd, body, strlen(body));
}

/* Sends total bytes of 'x' after head, until the client hangs up. */
static void respond_stream(int fd, const char *head, size_t total)
{
    static char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    if (!send_all(fd, head, strlen(head)))
        return;
    while (total > 0) {
        size_t length = total < sizeof chunk ? total : sizeof chunk;
        if (!send_all(fd, chunk, length))
            return;
        total -= length;
    }
}

static char big_byte(size_t i)
{
    return (char)('a' + (i * 7 + 3) % 26);
}

static void respond_big(int fd)
{
    char *body = malloc(BIG_BODY + 1);
    assert_non_null(body);
    for (size_t i = 0; i < BIG_BODY; i++)
        body[i] = big_byte(i);
    body[BIG_BODY] = '\0';
    respond(fd, "200 OK", "", body);
    free(body);
}

/* The value of header name (case-insensitive) in the header block. */
static void header_value(const char *headers, const char *name, char *out, size_t out_size)
{
    out[0] = '\0';
    size_t name_length = strlen(name);
    for (const char *line = headers; line && *line; line = strstr(line, "\r\n")) {
        if (line[0] == '\r')
            line += 2;
        if (strncasecmp(line, name, name_length) == 0 && line[name_length] == ':') {
            const char *value = line + name_length + 1;
            while (*value == ' ')
                value++;
            size_t length = strcspn(value, "\r\n");
            if (length >= out_size)
                length = out_size - 1;
            memcpy(out, value, length);
            out[length] = '\0';
            return;
        }
    }
}

/* Reads one request.  False when the client went away first. */
static bool read_request(int fd, struct recorded *request)
{
    char buffer[8192];
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        if (used == sizeof buffer - 1)
            return false;
        ssize_t got = recv(fd, buffer + used, sizeof buffer - 1 - used, 0);
        if (got <= 0)
            return false;
        used += (size_t)got;
        buffer[used] = '\0';
        end = strstr(buffer, "\r\n\r\n");
    }
    end[2] = '\0'; /* the header block ends with its last line's CRLF */
    memset(request, 0, sizeof *request);
    if (sscanf(buffer, "%15s %255s", request->method, request->path) != 2)
        return false;
    const char *headers = strstr(buffer, "\r\n");
    char length_text[32];
    header_value(headers, "Authorization", request->authorization, sizeof request->authorization);
    header_value(headers, "Accept", request->accept, sizeof request->accept);
    header_value(headers, "Content-Type", request->content_type, sizeof request->content_type);
    header_value(headers, "User-Agent", request->user_agent, sizeof request->user_agent);
    header_value(headers, "Content-Length", length_text, sizeof length_text);
    size_t body_length = (size_t)strtoul(length_text, NULL, 10);
    assert_true(body_length < sizeof request->body);
    size_t have = used - (size_t)(end + 4 - buffer);
    memcpy(request->body, end + 4, have);
    while (have < body_length) {
        ssize_t got = recv(fd, request->body + have, body_length - have, 0);
        if (got <= 0)
            return false;
        have += (size_t)got;
    }
    request->body[body_length] = '\0';
    return true;
}

/* The path without "/v2" and the query: what the script goes by. */
static void route_of(const char *path, char *route, size_t route_size)
{
    if (strncmp(path, "/v2/", 4) == 0)
        path += 3;
    snprintf(route, route_size, "%.*s", (int)strcspn(path, "?"), path);
}

/* Records the request; returns how many earlier ones had the same route. */
static int server_record(struct server *server, const struct recorded *request)
{
    char route[256], other[256];
    route_of(request->path, route, sizeof route);
    pthread_mutex_lock(&server->mutex);
    int seen = 0;
    for (int i = 0; i < server->count; i++) {
        route_of(server->requests[i].path, other, sizeof other);
        seen += strcmp(route, other) == 0;
    }
    if (server->count < MAX_RECORDED)
        server->requests[server->count++] = *request;
    pthread_mutex_unlock(&server->mutex);
    return seen;
}

/* Answers one connection by the script.  Returns true when it keeps the
 * connection open without answering. */
static bool server_answer(struct server *server, int fd, const struct recorded *request,
                          int seen)
{
    char route[256], location[128];
    route_of(request->path, route, sizeof route);
    if (strcmp(route, "/ok") == 0 || strcmp(route, "/echo") == 0) {
        respond(fd, "200 OK", "", "{\"ok\":true}");
    } else if (strcmp(route, "/forbidden") == 0) {
        respond(fd, "403 Forbidden", "", "{\"detail\":\"forbidden\"}");
    } else if (strcmp(route, "/limited") == 0) {
        if (seen == 0)
            respond(fd, "429 Too Many Requests", "Retry-After: 1\r\n", "{}");
        else
            respond(fd, "200 OK", "", "{\"ok\":true}");
    } else if (strcmp(route, "/limited-date") == 0) {
        /* A date in the past: send again at once (garbage would mean 60 s). */
        if (seen == 0)
            respond(fd, "429 Too Many Requests",
                    "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", "{}");
        else
            respond(fd, "200 OK", "", "{\"ok\":true}");
    } else if (strcmp(route, "/flaky") == 0) {
        if (seen == 0)
            respond(fd, "500 Internal Server Error", "", "{}");
        else
            respond(fd, "200 OK", "", "{\"ok\":true}");
    } else if (strcmp(route, "/down") == 0) {
        respond(fd, "503 Service Unavailable", "", "{\"detail\":\"down\"}");
    } else if (strcmp(route, "/redirect") == 0) {
        snprintf(location, sizeof location, "Location: http://localhost:%d/v2/ok\r\n",
                 server->port);
        respond(fd, "302 Found", location, "{}");
    } else if (strcmp(route, "/slow") == 0) {
        return true;
    } else if (strcmp(route, "/huge") == 0) {
        char head[128];
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                                    "Connection: close\r\n\r\n", MAX_BODY + 1);
        respond_stream(fd, head, MAX_BODY + 1);
    } else if (strcmp(route, "/stream-huge") == 0) {
        /* No length: only the bytes themselves can tell it is too much. */
        respond_stream(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", MAX_BODY + 65536);
    } else if (strcmp(route, "/big") == 0) {
        respond_big(fd);
    } else {
        respond(fd, "404 Not Found", "", "{}");
    }
    return false;
}

static void server_handle(struct server *server, int fd)
{
    struct timeval limit = { 5, 0 }; /* a stuck client must not stall the tests */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    struct recorded request;
    if (read_request(fd, &request)) {
        int seen = server_record(server, &request);
        if (server_answer(server, fd, &request, seen)) {
            pthread_mutex_lock(&server->mutex);
            bool kept = server->parked_count < MAX_PARKED;
            if (kept)
                server->parked[server->parked_count++] = fd;
            pthread_mutex_unlock(&server->mutex);
            if (kept)
                return;
        }
    }
    shutdown(fd, SHUT_WR);
    close(fd);
}

static void *server_run(void *context)
{
    struct server *server = context;
    for (;;) {
        struct pollfd fds[2] = {
            { .fd = server->listen_fd, .events = POLLIN },
            { .fd = server->stop_pipe[0], .events = POLLIN },
        };
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            break;
        if (fds[0].revents & POLLIN) {
            int fd = accept(server->listen_fd, NULL, NULL);
            if (fd >= 0)
                server_handle(server, fd);
        }
    }
    return NULL;
}

static void server_start(struct server *server)
{
    memset(server, 0, sizeof *server);
    pthread_mutex_init(&server->mutex, NULL);
    server->listen_fd = bound_socket(true, &server->port);
    assert_int_equal(pipe(server->stop_pipe), 0);
    assert_int_equal(pthread_create(&server->thread, NULL, server_run, server), 0);
}

static void server_stop(struct server *server)
{
    assert_int_equal(write(server->stop_pipe[1], "x", 1), 1);
    pthread_join(server->thread, NULL);
    for (int i = 0; i < server->parked_count; i++)
        close(server->parked[i]);
    close(server->listen_fd);
    close(server->stop_pipe[0]);
    close(server->stop_pipe[1]);
    pthread_mutex_destroy(&server->mutex);
}

static int server_count(struct server *server)
{
    pthread_mutex_lock(&server->mutex);
    int count = server->count;
    pthread_mutex_unlock(&server->mutex);
    return count;
}

static struct recorded server_request(struct server *server, int index)
{
    pthread_mutex_lock(&server->mutex);
    assert_true(index < server->count);
    struct recorded request = server->requests[index];
    pthread_mutex_unlock(&server->mutex);
    return request;
}

/* --- the fixture ------------------------------------------------------------ */

struct fixture {
    struct server server;
    char base[128]; /* http://127.0.0.1:PORT/v2 */
    struct rest *rest;
    pthread_mutex_t mutex;
    pthread_cond_t woken;
    int wakes;
};

static void on_wake(void *context)
{
    struct fixture *f = context;
    pthread_mutex_lock(&f->mutex);
    f->wakes++;
    pthread_cond_broadcast(&f->woken);
    pthread_mutex_unlock(&f->mutex);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    server_start(&f->server);
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d/v2", f->server.port);
    pthread_mutex_init(&f->mutex, NULL);
    pthread_cond_init(&f->woken, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rest_free(f->rest);
    server_stop(&f->server);
    pthread_cond_destroy(&f->woken);
    pthread_mutex_destroy(&f->mutex);
    free(f);
    return 0;
}

static struct rest_config config_for(struct fixture *f, const char *base)
{
    struct rest_config config = {
        .base_url = base,
        .token = TOKEN,
        .requests_per_minute = 60,
        .timeout_ms = 5000,
        .max_attempts = 3,
        .wake = on_wake,
        .wake_context = f,
    };
    return config;
}

static struct rest *open_rest(const struct rest_config *config)
{
    char error[256] = "";
    struct rest *rest = rest_new(config, error, sizeof error);
    if (!rest)
        fail_msg("rest_new: %s", error);
    return rest;
}

/* Opens f->rest on the test server with these settings. */
static void open_default(struct fixture *f, int per_minute, long timeout_ms, int max_attempts)
{
    struct rest_config config = config_for(f, f->base);
    config.requests_per_minute = per_minute;
    config.timeout_ms = timeout_ms;
    config.max_attempts = max_attempts;
    f->rest = open_rest(&config);
}

/* The next result of rest, waiting for a wake; fails after WAIT_SECONDS.
 * Every result is checked for the token. */
static void take_from(struct fixture *f, struct rest *rest, struct rest_result *out)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&f->mutex);
    /* The worker queues a result before it wakes, and the wake takes this
     * mutex: checking under it cannot miss one. */
    while (!rest_take(rest, out)) {
        if (pthread_cond_timedwait(&f->woken, &f->mutex, &deadline) == ETIMEDOUT) {
            pthread_mutex_unlock(&f->mutex);
            fail_msg("no result (or no wake) within %d s", WAIT_SECONDS);
        }
    }
    pthread_mutex_unlock(&f->mutex);
    assert_null(strstr(out->error, TOKEN));
}

/* Waits until wake was called at least count times (it runs just after the
 * result is queued, so a result can be taken before its wake). */
static void wait_for_wakes(struct fixture *f, int count)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&f->mutex);
    while (f->wakes < count) {
        if (pthread_cond_timedwait(&f->woken, &f->mutex, &deadline) == ETIMEDOUT)
            break;
    }
    int wakes = f->wakes;
    pthread_mutex_unlock(&f->mutex);
    assert_int_equal(wakes, count);
}

static void take(struct fixture *f, struct rest_result *out)
{
    take_from(f, f->rest, out);
}

/* Sends one request and returns its result. */
static void request_and_take(struct fixture *f, enum rest_method method, const char *path,
                             const char *body, struct rest_result *out)
{
    uint64_t id = rest_request(f->rest, method, path, body, 0, NULL);
    assert_true(id != 0);
    take(f, out);
    assert_true(out->id == id);
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* --- tests ----------------------------------------------------------------------- */

static void test_new_rejects_bad_config(void **state)
{
    struct fixture *f = *state;
    const char *bad_bases[] = { NULL, "", "ftp://example.com/v2", "http://", "example.com/v2",
                                "https://exa mple.com/" };
    for (size_t i = 0; i < sizeof bad_bases / sizeof bad_bases[0]; i++) {
        struct rest_config config = config_for(f, bad_bases[i]);
        char error[256] = "";
        assert_null(rest_new(&config, error, sizeof error));
        assert_true(error[0] != '\0');
    }
    const char *bad_tokens[] = { NULL, "", "tok en_with_space", "tok\r\nX-Evil: 1" };
    for (size_t i = 0; i < sizeof bad_tokens / sizeof bad_tokens[0]; i++) {
        struct rest_config config = config_for(f, f->base);
        config.token = bad_tokens[i];
        char error[256] = "";
        assert_null(rest_new(&config, error, sizeof error));
        assert_true(error[0] != '\0');
        if (bad_tokens[i] && *bad_tokens[i])
            assert_null(strstr(error, bad_tokens[i]));
    }
    struct rest_config config = config_for(f, f->base);
    char error[256] = "";
    f->rest = rest_new(&config, error, sizeof error);
    assert_non_null(f->rest);
}

static void test_get_sends_token_and_headers(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    int marker = 0;
    int64_t before = wall_ms();
    uint64_t id = rest_request(f->rest, REST_GET, "/ok", NULL, 42, &marker);
    uint64_t other = rest_request(f->rest, REST_GET, "/ok", NULL, 43, NULL);
    assert_true(id != 0 && other != 0 && id != other);
    struct rest_result first, second;
    take(f, &first);
    take(f, &second);
    int64_t after = wall_ms();
    struct rest_result *result = first.id == id ? &first : &second;
    assert_true(result->id == id);
    assert_int_equal(result->tag, 42);
    assert_ptr_equal(result->user, &marker);
    assert_int_equal(result->method, REST_GET);
    assert_int_equal(result->status, 200);
    assert_string_equal(result->body, "{\"ok\":true}");
    assert_int_equal(result->body_length, strlen("{\"ok\":true}"));
    assert_string_equal(result->error, "");
    assert_int_equal(result->attempts, 1);
    assert_true(result->sent_ms >= before && result->sent_ms <= after);
    assert_int_equal((first.id == id ? &second : &first)->tag, 43);

    assert_int_equal(server_count(&f->server), 2);
    struct recorded request = server_request(&f->server, 0);
    assert_string_equal(request.method, "GET");
    assert_string_equal(request.path, "/v2/ok");
    assert_string_equal(request.authorization, "Bearer " TOKEN);
    assert_string_equal(request.accept, "application/json");
    assert_string_equal(request.content_type, ""); /* no body, no type */
    assert_string_equal(request.user_agent, "occtop/" PACKAGE_VERSION);

    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.sent, 2);
    assert_int_equal(stats.retries, 0);
    rest_result_clear(&first);
    rest_result_clear(&second);
    assert_null(first.body);
    wait_for_wakes(f, 2); /* one per result */
}

static void test_post_and_put_send_json(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    struct rest_result result;
    request_and_take(f, REST_POST, "/echo", "{\"a\":1}", &result);
    assert_int_equal(result.status, 200);
    assert_int_equal(result.method, REST_POST);
    rest_result_clear(&result);
    request_and_take(f, REST_PUT, "/echo", "{\"name\":\"Cafe\"}", &result);
    assert_int_equal(result.status, 200);
    rest_result_clear(&result);
    request_and_take(f, REST_POST, "/echo", NULL, &result);
    assert_int_equal(result.status, 200);
    rest_result_clear(&result);

    struct recorded post = server_request(&f->server, 0);
    assert_string_equal(post.method, "POST");
    assert_string_equal(post.content_type, "application/json");
    assert_string_equal(post.body, "{\"a\":1}");
    assert_string_equal(post.authorization, "Bearer " TOKEN);
    struct recorded put = server_request(&f->server, 1);
    assert_string_equal(put.method, "PUT");
    assert_string_equal(put.path, "/v2/echo");
    assert_string_equal(put.content_type, "application/json");
    assert_string_equal(put.body, "{\"name\":\"Cafe\"}");
    struct recorded empty = server_request(&f->server, 2);
    assert_string_equal(empty.method, "POST");
    assert_string_equal(empty.body, "");
    assert_string_equal(empty.content_type, "");
}

/* A "next" link is absolute: on the API's origin it is followed. */
static void test_absolute_url_on_the_origin(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    char url[256];
    struct rest_result result;
    snprintf(url, sizeof url, "%s/ok?page=2&page_size=15", f->base);
    request_and_take(f, REST_GET, url, NULL, &result);
    assert_int_equal(result.status, 200);
    rest_result_clear(&result);
    /* Scheme and host compare without case, the default port is implied. */
    snprintf(url, sizeof url, "HTTP://127.0.0.1:%d/v2/ok", f->server.port);
    request_and_take(f, REST_GET, url, NULL, &result);
    assert_int_equal(result.status, 200);
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 2);
    assert_string_equal(server_request(&f->server, 0).path, "/v2/ok?page=2&page_size=15");
    assert_string_equal(server_request(&f->server, 0).authorization, "Bearer " TOKEN);
    assert_string_equal(server_request(&f->server, 1).path, "/v2/ok");
}

/* A base URL with a trailing slash does not double it. */
static void test_base_with_trailing_slash(void **state)
{
    struct fixture *f = *state;
    char base[160];
    snprintf(base, sizeof base, "%s/", f->base);
    struct rest_config config = config_for(f, base);
    f->rest = open_rest(&config);
    struct rest_result result;
    request_and_take(f, REST_GET, "/ok", NULL, &result);
    assert_int_equal(result.status, 200);
    rest_result_clear(&result);
    assert_string_equal(server_request(&f->server, 0).path, "/v2/ok");
}

/* The token goes nowhere but the base URL's scheme://host:port. */
static void test_other_origin_refused(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    int port = f->server.port, other_port;
    int other_fd = bound_socket(true, &other_port); /* would accept, were it asked */
    char urls[7][256];
    snprintf(urls[0], sizeof urls[0], "http://localhost:%d/v2/ok", port); /* same server */
    snprintf(urls[1], sizeof urls[1], "http://127.0.0.1:%d/v2/ok", other_port);
    snprintf(urls[2], sizeof urls[2], "https://127.0.0.1:%d/v2/ok", port);
    snprintf(urls[3], sizeof urls[3], "http://127.0.0.1:%d@localhost:%d/v2/ok", port, port);
    snprintf(urls[4], sizeof urls[4], "http://localhost:%d/v2/ok?token=%s", port, TOKEN);
    snprintf(urls[5], sizeof urls[5], "spaces/");
    snprintf(urls[6], sizeof urls[6], "file:///etc/passwd");
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        struct rest_result result;
        request_and_take(f, REST_GET, urls[i], NULL, &result);
        assert_int_equal(result.status, 0);
        assert_true(starts_with(result.error, "refused: "));
        assert_non_null(strstr(result.error, "is not on the API's origin"));
        assert_int_equal(result.attempts, 0);
        assert_null(result.body);
        if (i == 4)
            assert_non_null(strstr(result.error, "token=****")); /* redacted */
        rest_result_clear(&result);
    }
    assert_int_equal(server_count(&f->server), 0);
    assert_int_equal(rest_get_stats(f->rest).sent, 0);
    struct pollfd other = { .fd = other_fd, .events = POLLIN };
    assert_int_equal(poll(&other, 1, 0), 0); /* nobody connected to the other port */
    close(other_fd);
}

/* A redirect could carry the token elsewhere: it comes back as a status. */
static void test_redirect_not_followed(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    struct rest_result result;
    request_and_take(f, REST_GET, "/redirect", NULL, &result);
    assert_int_equal(result.status, 302);
    assert_int_equal(result.attempts, 1);
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 1);
}

static int compare_ms(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* 3 per window, 7 requests at once: never more than 3 in any window. */
static void test_budget_is_never_exceeded(void **state)
{
    struct fixture *f = *state;
    enum { PER_WINDOW = 3, REQUESTS = 7, WINDOW_MS = 600 };
    open_default(f, PER_WINDOW, 5000, 3);
    rest_set_window_ms_for_tests(f->rest, WINDOW_MS);
    for (int i = 0; i < REQUESTS; i++)
        assert_true(rest_request(f->rest, REST_GET, "/ok", NULL, i, NULL) != 0);
    int64_t sent[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
        struct rest_result result;
        take(f, &result);
        assert_int_equal(result.status, 200);
        sent[i] = result.sent_ms;
        rest_result_clear(&result);
    }
    qsort(sent, REQUESTS, sizeof sent[0], compare_ms);
    /* Small slack: the window runs on the monotonic clock, sent_ms is wall
     * time read a moment after. */
    for (int i = 0; i + PER_WINDOW < REQUESTS; i++)
        assert_true(sent[i + PER_WINDOW] - sent[i] >= WINDOW_MS - 10);
    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.sent, REQUESTS);
    assert_int_equal(stats.budget_waits, REQUESTS - PER_WINDOW);
    assert_int_equal(server_count(&f->server), REQUESTS);
}

/* A 429 is waited out (Retry-After: 1) and does not use up max_attempts. */
static void test_429_waited_out(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 1);
    int64_t before = wall_ms();
    struct rest_result result;
    request_and_take(f, REST_GET, "/limited", NULL, &result);
    assert_int_equal(result.status, 200);
    assert_int_equal(result.attempts, 2);
    assert_true(result.sent_ms - before >= 1000 - 10);
    rest_result_clear(&result);
    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.rate_limited, 1);
    assert_int_equal(stats.retries, 0);
    assert_int_equal(stats.sent, 2);
}

/* Retry-After as an HTTP date (here in the past: no wait at all). */
static void test_429_with_a_date(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 1);
    int64_t before = wall_ms();
    struct rest_result result;
    request_and_take(f, REST_GET, "/limited-date", NULL, &result);
    assert_int_equal(result.status, 200);
    assert_int_equal(result.attempts, 2);
    assert_true(wall_ms() - before < 10000); /* not the 60 s of an unreadable value */
    rest_result_clear(&result);
    assert_int_equal(rest_get_stats(f->rest).rate_limited, 1);
}

static void test_500_retried(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 3);
    int64_t before = wall_ms();
    struct rest_result result;
    request_and_take(f, REST_GET, "/flaky", NULL, &result);
    assert_int_equal(result.status, 200);
    assert_int_equal(result.attempts, 2);
    assert_string_equal(result.error, "");
    assert_true(result.sent_ms - before >= 400); /* backoff: 500 ms - 20 % */
    rest_result_clear(&result);
    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.retries, 1);
    assert_int_equal(stats.sent, 2);
}

static void test_5xx_gives_up_with_the_status(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 2);
    struct rest_result result;
    request_and_take(f, REST_GET, "/down", NULL, &result);
    assert_int_equal(result.status, 503);
    assert_int_equal(result.attempts, 2);
    assert_non_null(strstr(result.error, "503"));
    assert_non_null(strstr(result.error, "127.0.0.1"));
    assert_non_null(result.body);
    assert_non_null(strstr(result.body, "down"));
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 2);
}

static void test_unreachable_gives_up(void **state)
{
    struct fixture *f = *state;
    int port;
    int closed_fd = bound_socket(false, &port); /* bound, not listening: refuses */
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v2", port);
    struct rest_config config = config_for(f, base);
    config.max_attempts = 3;
    f->rest = open_rest(&config);
    int64_t before = wall_ms();
    struct rest_result result;
    request_and_take(f, REST_GET, "/ok", NULL, &result);
    assert_int_equal(result.status, 0);
    assert_int_equal(result.attempts, 3);
    assert_true(starts_with(result.error, "cannot reach 127.0.0.1: "));
    assert_null(result.body);
    assert_true(wall_ms() - before >= 400 + 800); /* two backoffs, -20 % each */
    rest_result_clear(&result);
    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.sent, 3);
    assert_int_equal(stats.retries, 2);
    close(closed_fd);
}

static void test_timeout_retried_then_given_up(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 300, 2);
    struct rest_result result;
    request_and_take(f, REST_GET, "/slow", NULL, &result);
    assert_int_equal(result.status, 0);
    assert_int_equal(result.attempts, 2);
    assert_true(starts_with(result.error, "cannot reach 127.0.0.1: "));
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 2);
}

/* With timeout_notices, each attempt that timed out and will be made again is
 * told at once (REST_TAG_RETRYING, same id, what happened); the last one is
 * the request's own end, not a notice. */
static void test_timeout_notices(void **state)
{
    struct fixture *f = *state;
    struct rest_config config = config_for(f, f->base);
    config.timeout_ms = 300;
    config.max_attempts = 3;
    config.timeout_notices = true;
    f->rest = open_rest(&config);
    uint64_t id = rest_request(f->rest, REST_GET, "/slow", NULL, 7, NULL);
    struct rest_result result;
    for (int notice = 0; notice < 2; notice++) {
        take(f, &result);
        assert_int_equal(result.tag, REST_TAG_RETRYING);
        assert_true(result.id == id);
        assert_int_equal(result.status, 0);
        assert_true(starts_with(result.error, "cannot reach 127.0.0.1: "));
        assert_non_null(strstr(result.error, "timed out"));
        rest_result_clear(&result);
    }
    take(f, &result);
    assert_int_equal(result.tag, 7);
    assert_int_equal(result.attempts, 3);
    assert_int_equal(result.status, 0);
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 3);
}

static void test_403_at_once(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 5000, 5);
    struct rest_result result;
    request_and_take(f, REST_GET, "/forbidden", NULL, &result);
    assert_int_equal(result.status, 403);
    assert_int_equal(result.attempts, 1);
    assert_non_null(strstr(result.body, "forbidden"));
    rest_result_clear(&result);
    assert_int_equal(server_count(&f->server), 1);
    assert_int_equal(rest_get_stats(f->rest).retries, 0);
}

/* Over 64 MiB, announced or not, is refused and not retried. */
static void test_body_too_large(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 20000, 3);
    const char *paths[] = { "/huge", "/stream-huge" };
    for (size_t i = 0; i < 2; i++) {
        struct rest_result result;
        request_and_take(f, REST_GET, paths[i], NULL, &result);
        assert_int_equal(result.status, 0);
        assert_int_equal(result.attempts, 1);
        assert_non_null(strstr(result.error, "larger than 64 MiB"));
        assert_null(result.body);
        rest_result_clear(&result);
    }
    assert_int_equal(server_count(&f->server), 2);
}

/* A 3 MB page (1000 spaces) arrives whole, across many writes. */
static void test_big_body_intact(void **state)
{
    struct fixture *f = *state;
    open_default(f, 60, 10000, 3);
    struct rest_result result;
    request_and_take(f, REST_GET, "/big", NULL, &result);
    assert_int_equal(result.status, 200);
    assert_int_equal(result.body_length, BIG_BODY);
    assert_int_equal(result.body[BIG_BODY], '\0');
    size_t wrong = 0;
    for (size_t i = 0; i < BIG_BODY; i++)
        wrong += result.body[i] != big_byte(i);
    assert_int_equal(wrong, 0);
    rest_result_clear(&result);
}

static bool is_loopback(const char *address)
{
    return strcmp(address, "127.0.0.1") == 0 || strcmp(address, "::1") == 0;
}

/* Resolving needs no budget: it goes ahead while a request waits for it. */
static void test_resolve(void **state)
{
    struct fixture *f = *state;
    open_default(f, 1, 5000, 3);
    assert_true(rest_request(f->rest, REST_GET, "/ok", NULL, 0, NULL) != 0);
    uint64_t waiting = rest_request(f->rest, REST_GET, "/ok", NULL, 0, NULL);
    const char *targets[] = { "localhost", "ws://localhost:8080/v2/socket", "wss://[::1]:443/x",
                              "http://127.0.0.1/", "bad..host", "" };
    uint64_t ids[6];
    for (size_t i = 0; i < 6; i++) {
        ids[i] = rest_request(f->rest, REST_RESOLVE, targets[i], NULL, (int)i, NULL);
        assert_true(ids[i] != 0);
    }
    int resolved = 0, fetched = 0;
    for (int n = 0; n < 7; n++) {
        struct rest_result result;
        take(f, &result);
        assert_true(result.id != waiting);
        if (result.method == REST_GET) {
            assert_int_equal(result.status, 200);
            fetched++;
            rest_result_clear(&result);
            continue;
        }
        assert_int_equal(result.method, REST_RESOLVE);
        assert_true(result.id == ids[result.tag]);
        resolved++;
        switch (result.tag) {
        case 0:
        case 1:
            assert_int_equal(result.status, 200);
            assert_true(is_loopback(result.body));
            assert_int_equal(result.body_length, strlen(result.body));
            break;
        case 2:
            assert_int_equal(result.status, 200);
            assert_string_equal(result.body, "::1");
            break;
        case 3:
            assert_int_equal(result.status, 200);
            assert_string_equal(result.body, "127.0.0.1");
            break;
        case 4:
            assert_int_equal(result.status, 0);
            assert_true(starts_with(result.error, "cannot resolve bad..host: "));
            assert_null(result.body);
            break;
        default:
            assert_int_equal(result.status, 0);
            assert_true(starts_with(result.error, "cannot resolve"));
            break;
        }
        rest_result_clear(&result);
    }
    assert_int_equal(resolved, 6);
    assert_int_equal(fetched, 1);
    struct rest_stats stats = rest_get_stats(f->rest);
    assert_int_equal(stats.sent, 1);
    assert_int_equal(stats.budget_waits, 1);
    /* The teardown frees it with the second request still waiting. */
}

/* rest_free abandons what is in flight, waiting for the budget, backing off
 * or not yet taken, at once. */
static void test_free_with_requests_in_flight(void **state)
{
    struct fixture *f = *state;
    open_default(f, 2, 10000, 0);
    assert_true(rest_request(f->rest, REST_GET, "/slow", NULL, 0, NULL) != 0);
    assert_true(rest_request(f->rest, REST_GET, "/ok", NULL, 0, NULL) != 0);
    for (int i = 0; i < 3; i++)
        assert_true(rest_request(f->rest, REST_POST, "/slow", "{}", 0, NULL) != 0);
    /* A second worker retrying forever against a port that refuses. */
    int port;
    int closed_fd = bound_socket(false, &port);
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v2", port);
    struct rest_config config = config_for(f, base);
    config.max_attempts = 0;
    struct rest *retrying = open_rest(&config);
    assert_true(rest_request(retrying, REST_GET, "/ok", NULL, 0, NULL) != 0);

    for (int i = 0; i < 100 && server_count(&f->server) < 2; i++)
        sleep_ms(50);
    assert_int_equal(server_count(&f->server), 2); /* the budget held back the rest */
    for (int i = 0; i < 100 && rest_get_stats(retrying).sent < 2; i++)
        sleep_ms(50);
    assert_true(rest_get_stats(retrying).sent >= 2);

    int64_t before = wall_ms();
    rest_free(f->rest);
    rest_free(retrying);
    f->rest = NULL;
    assert_true(wall_ms() - before < 3000);
    close(closed_fd);
}

int main(void)
{
    /* A hang is a failure, not a stuck build. */
    alarm(300);
    /* The test server is on loopback: a proxy from the environment (which
     * libcurl would use, as it should in production) must not get between. */
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_rejects_bad_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_sends_token_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_and_put_send_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absolute_url_on_the_origin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_with_trailing_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_origin_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_is_never_exceeded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_waited_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_with_a_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_5xx_gives_up_with_the_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_retried_then_given_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_notices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_403_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_body_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_with_requests_in_flight, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
