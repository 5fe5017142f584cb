/* server.c — HTTP and websocket plumbing of the mock server on lws. */
#include "net/server.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/termtext.h"
#include "wire/json_stream.h"

enum { MAX_PARAMS = 32, MAX_PARAM = 1024, CHUNK = 16384, MAX_METHOD = 8 };

/* Bytes of websocket frames sent to a client in one write (send_messages):
 * about 60 messages; also what lws may hold for a client whose socket is
 * full, until it drains or is dropped. */
enum { BATCH_BYTES = 16 * 1024 };
_Static_assert(WIRE_STREAM_MESSAGE_MAX + 4 <= BATCH_BYTES && WIRE_STREAM_MESSAGE_MAX < 65536,
               "a message fits a batch, behind a 4-byte frame header");

/* lws holds the headers; SERVER_MAX_HEADER is the room it is given. */
_Static_assert(SERVER_MAX_HEADER == NET_LOOP_MAX_HEADER, "SERVER_MAX_HEADER is lws's header room");

/* One ring slot: a message ready to send, with lws's headroom before it. */
struct slot {
    size_t length;
    unsigned char bytes[LWS_PRE + WIRE_STREAM_MESSAGE_MAX];
};

/* Per connection.  lws gives every connection one of these (zeroed) and
 * reuses it across keep-alive requests, so each request resets it. */
struct session {
    bool websocket;
    /* HTTP */
    char method[MAX_METHOD];
    char *path;
    char *body;
    size_t body_length;
    bool body_too_large;
    int64_t body_deadline_ms; /* monotonic: the whole body by then */
    unsigned char *out; /* LWS_PRE + response body */
    size_t out_length, out_sent;
    bool responding;
    bool answered; /* one answer per request: an empty body may still end in
                      BODY_COMPLETION after the request was answered */
    /* websocket */
    struct lws *wsi;
    struct session *next_client;
    uint64_t next_seq;
    size_t incoming; /* bytes of the message being received */
    bool dropping;   /* too far behind: being closed (server_flush) */
};

struct server {
    struct lws_vhost *vhost;
    struct api *api;
    char base_url[128];
    char socket_url[128];
    char host[64];
    int port;
    bool loopback;
    uint64_t random_state;

    struct slot *ring;
    uint64_t head_seq; /* the sequence number the next message gets */
    struct session *clients;
    size_t client_count;
    uint64_t dropped;
    bool pending; /* messages queued since the last flush */
    unsigned char batch[LWS_PRE + BATCH_BYTES]; /* frames being sent (send_messages) */
};

static uint64_t next_random(struct server *server)
{
    uint64_t z = (server->random_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static struct server *server_of(struct lws *wsi)
{
    return lws_vhost_user(lws_get_vhost(wsi));
}

/* --- HTTP ------------------------------------------------------------------ */

static void reset_http(struct session *s)
{
    free(s->path);
    free(s->body);
    free(s->out);
    struct session keep = { .websocket = s->websocket };
    *s = keep;
}

static const char *method_name(int method)
{
    switch (method) {
    case LWSHUMETH_GET: return "GET";
    case LWSHUMETH_POST: return "POST";
    case LWSHUMETH_PUT: return "PUT";
    case LWSHUMETH_DELETE: return "DELETE";
    case LWSHUMETH_PATCH: return "PATCH";
    case LWSHUMETH_OPTIONS: return "OPTIONS";
    case LWSHUMETH_HEAD: return "HEAD";
    default: return "UNKNOWN";
    }
}

/* Splits lws's decoded "name=value" query fragments in place. */
static size_t read_params(struct lws *wsi, char storage[][MAX_PARAM], struct api_param *params)
{
    size_t count = 0;
    for (int i = 0; count < MAX_PARAMS; i++) {
        if (lws_hdr_copy_fragment(wsi, storage[count], MAX_PARAM, WSI_TOKEN_HTTP_URI_ARGS, i) < 0)
            break;
        char *equals = strchr(storage[count], '=');
        params[count].name = storage[count];
        params[count].value = equals ? equals + 1 : "";
        if (equals)
            *equals = '\0';
        count++;
    }
    return count;
}

static int start_response(struct lws *wsi, struct session *s, int status,
                          int retry_after_seconds, const char *allow)
{
    unsigned char headers[LWS_PRE + 1024];
    unsigned char *start = headers + LWS_PRE, *p = start, *end = headers + sizeof headers - 1;
    /* 204 carries no body, and so no Content-Type nor Content-Length (RFC 9110). */
    bool empty = status == 204;
    if (lws_add_http_common_headers(wsi, (unsigned int)status, empty ? NULL : "application/json",
                                    empty ? LWS_ILLEGAL_HTTP_CONTENT_LEN : s->out_length, &p,
                                    end))
        return -1;
    if (retry_after_seconds > 0) {
        char value[16];
        int n = snprintf(value, sizeof value, "%d", retry_after_seconds);
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
                                        (const unsigned char *)value, n, &p, end))
            return -1;
    }
    if (allow && lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:",
                                             (const unsigned char *)allow, (int)strlen(allow),
                                             &p, end))
        return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    s->responding = true;
    lws_callback_on_writable(wsi);
    return 0;
}

static int respond(struct lws *wsi, struct session *s)
{
    if (s->answered)
        return 0;
    s->answered = true;
    struct server *server = server_of(wsi);
    struct api_response response = { 0 };
    if (s->body_too_large) {
        response.status = 413;
        response.body = strdup("{\"detail\":\"request body too large\"}");
    } else if (!server->api) {
        response.status = 503;
        response.body = strdup("{\"detail\":\"starting\"}");
    } else {
        static char storage[MAX_PARAMS][MAX_PARAM];
        struct api_param params[MAX_PARAMS];
        char authorization[SERVER_MAX_HEADER];
        bool has_authorization = lws_hdr_copy(wsi, authorization, sizeof authorization,
                                              WSI_TOKEN_HTTP_AUTHORIZATION) > 0;
        struct api_request request = {
            .method = s->method,
            .path = s->path ? s->path : "/",
            .params = params,
            .param_count = read_params(wsi, storage, params),
            .authorization = has_authorization ? authorization : NULL,
            .body = s->body,
            .body_length = s->body_length,
            .wall_ms = net_wall_ms(),
        };
        api_handle(server->api, &request, &response);
        /* Nothing of the token may linger on the stack. */
        explicit_bzero(authorization, sizeof authorization);
    }
    size_t length = response.body ? strlen(response.body) : 0;
    s->out = malloc(LWS_PRE + length + 1);
    if (!s->out) {
        api_response_clear(&response);
        return -1;
    }
    memcpy(s->out + LWS_PRE, response.body ? response.body : "", length);
    s->out_length = length;
    s->out_sent = 0;
    int status = response.status, retry = response.retry_after_seconds;
    const char *allow = response.allow; /* a static string */
    api_response_clear(&response);
    return start_response(wsi, s, status, retry, allow);
}

static int write_body(struct lws *wsi, struct session *s)
{
    if (!s->responding)
        return 0;
    size_t left = s->out_length - s->out_sent;
    size_t n = left > CHUNK ? CHUNK : left;
    enum lws_write_protocol kind = n == left ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP;
    if (n > 0 || kind == LWS_WRITE_HTTP_FINAL) {
        /* lws needs LWS_PRE writable bytes before what it sends. */
        unsigned char *at = s->out + LWS_PRE + s->out_sent;
        unsigned char saved[LWS_PRE];
        memcpy(saved, at - LWS_PRE, LWS_PRE);
        int wrote = lws_write(wsi, at, n, kind);
        memcpy(at - LWS_PRE, saved, LWS_PRE);
        if (wrote < (int)n)
            return -1;
    }
    s->out_sent += n;
    if (s->out_sent < s->out_length) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    reset_http(s);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int begin_http(struct lws *wsi, struct session *s, const char *path)
{
    reset_http(s);
    char *uri = NULL;
    int uri_length = 0;
    int method = lws_http_get_uri_and_method(wsi, &uri, &uri_length);
    snprintf(s->method, sizeof s->method, "%s", method_name(method));
    s->path = strdup(path ? path : "/");
    if (!s->path)
        return -1;
    /* A body is coming when the request says how long it is. */
    char length[32];
    if ((method == LWSHUMETH_POST || method == LWSHUMETH_PUT || method == LWSHUMETH_DELETE ||
         method == LWSHUMETH_PATCH) &&
        lws_hdr_copy(wsi, length, sizeof length, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
        strtoull(length, NULL, 10) > 0) {
        s->body_deadline_ms = monotonic_ms() + SERVER_BODY_SECONDS * 1000;
        return 0;
    }
    return respond(wsi, s);
}

/* lws restarts its idle timeout at every byte, so a body sent a byte at a
 * time would hold the connection for ever: the whole body has
 * SERVER_BODY_SECONDS, then the connection is closed. */
static bool body_late(const struct session *s)
{
    return s->body_deadline_ms && monotonic_ms() > s->body_deadline_ms;
}

static void take_body(struct session *s, const void *in, size_t len)
{
    if (len == 0)
        return; /* lws passes NULL for an empty body (Content-Length: 0) */
    if (s->body_too_large || s->body_length + len > SERVER_MAX_BODY) {
        s->body_too_large = true;
        return;
    }
    char *grown = realloc(s->body, s->body_length + len + 1);
    if (!grown) {
        s->body_too_large = true;
        return;
    }
    memcpy(grown + s->body_length, in, len);
    s->body_length += len;
    grown[s->body_length] = '\0';
    s->body = grown;
}

/* --- websockets ------------------------------------------------------------ */

/* The handshake must present a code from POST /sockets, once. */
static int accept_websocket(struct lws *wsi)
{
    struct server *server = server_of(wsi);
    char buffer[128];
    /* It returns where the value starts within buffer ("code=" is copied too). */
    const char *code = server->api
        ? lws_get_urlarg_by_name(wsi, "code=", buffer, sizeof buffer) : NULL;
    return code && api_claim_socket_code(server->api, code, net_wall_ms()) ? 0 : -1;
}

static void add_client(struct server *server, struct lws *wsi, struct session *s)
{
    s->websocket = true;
    s->wsi = wsi;
    s->next_seq = server->head_seq; /* from now on: the past is at /events */
    s->next_client = server->clients;
    server->clients = s;
    server->client_count++;
}

static void remove_client(struct server *server, struct session *s)
{
    for (struct session **at = &server->clients; *at; at = &(*at)->next_client) {
        if (*at == s) {
            *at = s->next_client;
            server->client_count--;
            return;
        }
    }
}

static int send_messages(struct lws *wsi, struct session *s)
{
    struct server *server = server_of(wsi);
    if (server->head_seq - s->next_seq > SERVER_RING_MESSAGES) {
        /* A whole ring behind: it stopped reading.  Drop it. */
        if (!s->dropping)
            server->dropped++;
        remove_client(server, s);
        return -1;
    }
    /* Whole text frames of consecutive messages, framed here and sent in one
     * raw write: one system call for many messages, not one each (with 200
     * clients, the per-message send() and lws's poll() for "choked" were the
     * mock's whole cost: tests/bench/fanout.py).  lws keeps what the socket
     * did not take and reports the pipe choked until it has gone. */
    while (s->next_seq < server->head_seq && !lws_send_pipe_choked(wsi)) {
        unsigned char *out = server->batch + LWS_PRE;
        size_t used = 0;
        while (s->next_seq < server->head_seq) {
            const struct slot *slot = &server->ring[s->next_seq % SERVER_RING_MESSAGES];
            size_t header = slot->length < 126 ? 2 : 4;
            if (used + header + slot->length > BATCH_BYTES)
                break;
            out[used++] = 0x81; /* FIN, text */
            if (header == 2) {
                out[used++] = (unsigned char)slot->length;
            } else {
                out[used++] = 126;
                out[used++] = (unsigned char)(slot->length >> 8);
                out[used++] = (unsigned char)(slot->length & 0xff);
            }
            memcpy(out + used, slot->bytes + LWS_PRE, slot->length);
            used += slot->length;
            s->next_seq++;
        }
        if (lws_write(wsi, out, used, LWS_WRITE_RAW) < (int)used)
            return -1;
    }
    if (s->next_seq < server->head_seq)
        lws_callback_on_writable(wsi);
    return 0;
}

/* Clients may send "ping" (Density's dashboard does); anything else is read
 * and ignored, but a message may not grow past the limit. */
static int receive(struct lws *wsi, struct session *s, size_t len)
{
    s->incoming += len;
    if (s->incoming > SERVER_MAX_WS_MESSAGE) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                         (unsigned char *)"message too large", 17);
        return -1;
    }
    if (lws_is_final_fragment(wsi))
        s->incoming = 0;
    return 0;
}

/* --- the protocol ----------------------------------------------------------- */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct session *s = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return begin_http(wsi, s, in);
    case LWS_CALLBACK_HTTP_BODY:
        if (body_late(s))
            return -1;
        take_body(s, in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return respond(wsi, s);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return write_body(wsi, s);
    case LWS_CALLBACK_CLOSED_HTTP:
        /* No session when lws drops a connection before binding it to the
         * protocol: headers past its limits ("Ran out of header data
         * space", "More hdr frags than we can deal with"). */
        if (s)
            reset_http(s);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return accept_websocket(wsi);
    case LWS_CALLBACK_ESTABLISHED:
        add_client(server_of(wsi), wsi, s);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return send_messages(wsi, s);
    case LWS_CALLBACK_RECEIVE:
        return receive(wsi, s, len);
    case LWS_CALLBACK_CLOSED:
        remove_client(server_of(wsi), s);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* lws picks the first protocol for plain HTTP and for websockets that ask
 * for no subprotocol (the usual clients), so one protocol serves both. */
static const struct lws_protocols protocols[] = {
    { "density-v2", callback, sizeof(struct session), SERVER_MAX_WS_MESSAGE, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* --- setup ---------------------------------------------------------------------- */

static int parse_listen(const char *listen, char *host, size_t host_size, int *port)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return -1;
    size_t host_length = (size_t)(colon - listen);
    const char *host_start = listen;
    if (listen[0] == '[') { /* [::1]:8080 */
        if (host_length < 3 || listen[host_length - 1] != ']')
            return -1;
        host_start++;
        host_length -= 2;
    }
    if (host_length == 0 || host_length >= host_size)
        return -1;
    memcpy(host, host_start, host_length);
    host[host_length] = '\0';
    char *end;
    errno = 0;
    long value = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || value < 0 || value > 65535)
        return -1;
    *port = (int)value;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, host_size, "127.0.0.1");
    return 0;
}

static bool loopback_host(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

struct server *server_new(struct net_loop *loop, const char *listen, uint64_t seed, char *error,
                          size_t error_size)
{
    struct server *server = calloc(1, sizeof *server);
    if (!server || !(server->ring = calloc(SERVER_RING_MESSAGES, sizeof *server->ring))) {
        snprintf(error, error_size, "out of memory");
        free(server);
        return NULL;
    }
    server->random_state = seed;
    if (parse_listen(listen, server->host, sizeof server->host, &server->port) != 0) {
        char safe[96];
        termtext_sanitize_str(listen, safe, sizeof safe, 60, 0);
        snprintf(error, error_size, "--listen takes ADDRESS:PORT (e.g. 127.0.0.1:8080), not %s",
                 safe);
        server_free(server);
        return NULL;
    }
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = server->port;
    info.iface = server->host;
    info.protocols = protocols;
    info.vhost_name = "occtop-mock";
    info.user = server;
    info.keepalive_timeout = 5;
    info.timeout_secs = 20;
    /* Headers sent a byte at a time (slow-loris) hold lws's header table;
     * this is how long, however they trickle. */
    info.timeout_secs_ah_idle = SERVER_HEADER_SECONDS;
    if (strchr(server->host, ':'))
        info.options |= LWS_SERVER_OPTION_IPV6_V6ONLY_MODIFY | LWS_SERVER_OPTION_IPV6_V6ONLY_VALUE;
    else
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    server->vhost = lws_create_vhost(net_loop_context(loop), &info);
    if (!server->vhost || lws_get_vhost_listen_port(server->vhost) <= 0) {
        snprintf(error, error_size, "cannot listen on %s:%d (in use, or not an address of "
                 "this machine)", server->host, server->port);
        server_free(server);
        return NULL;
    }
    server->port = lws_get_vhost_listen_port(server->vhost);
    server->loopback = loopback_host(server->host);
    const char *bracket_open = strchr(server->host, ':') ? "[" : "";
    const char *bracket_close = strchr(server->host, ':') ? "]" : "";
    snprintf(server->base_url, sizeof server->base_url, "http://%s%s%s:%d/v2", bracket_open,
             server->host, bracket_close, server->port);
    snprintf(server->socket_url, sizeof server->socket_url, "ws://%s%s%s:%d/v2/", bracket_open,
             server->host, bracket_close, server->port);
    return server;
}

void server_free(struct server *server)
{
    if (!server)
        return;
    /* The vhost goes with the context (net_loop_free). */
    free(server->ring);
    free(server);
}

void server_set_api(struct server *server, struct api *api)
{
    server->api = api;
}

const char *server_base_url(const struct server *server)
{
    return server->base_url;
}

const char *server_socket_url(const struct server *server)
{
    return server->socket_url;
}

int server_is_loopback(const struct server *server)
{
    return server->loopback;
}

void server_broadcast(struct server *server, const struct space_event *event)
{
    if (!server->clients)
        return; /* nobody listens: the /events log has it */
    struct stream_message message;
    memset(&message, 0, sizeof message);
    message.payload = *event;
    snprintf(message.type, sizeof message.type, "count");
    snprintf(message.version, sizeof message.version, "v2");
    snprintf(message.request_id, sizeof message.request_id, "%016llx%016llx",
             (unsigned long long)next_random(server), (unsigned long long)next_random(server));
    struct slot *slot = &server->ring[server->head_seq % SERVER_RING_MESSAGES];
    int length = wire_encode_stream_message(&message, (char *)slot->bytes + LWS_PRE,
                                            WIRE_STREAM_MESSAGE_MAX);
    if (length < 0)
        return;
    slot->length = (size_t)length;
    server->head_seq++;
    server->pending = true;
}

void server_flush(struct server *server)
{
    if (!server->pending)
        return;
    server->pending = false;
    for (struct session *s = server->clients; s; s = s->next_client) {
        if (server->head_seq - s->next_seq > SERVER_RING_MESSAGES) {
            /* A whole ring behind while its socket stays full: lws never
             * calls it writable, so send_messages() cannot drop it. */
            if (!s->dropping) {
                s->dropping = true;
                server->dropped++;
                lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            }
            continue;
        }
        lws_callback_on_writable(s->wsi);
    }
}

size_t server_client_count(const struct server *server)
{
    return server->client_count;
}

uint64_t server_clients_dropped(const struct server *server)
{
    return server->dropped;
}
