/* stream.c — the websocket client: /sockets, resolve, connect, reconnect. */
#include "net/stream.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/termtext.h"
#include "wire/json_stream.h"
#include "wire/json_util.h"

/* DESIGN.md: ping before hang-up (equal values trip an assert in Debian's
 * lws), reconnection concealed from lws (we reconnect ourselves, each time
 * with a new /sockets URL), and jitter so a fleet of kiosks does not
 * reconnect in step after a server restart. */
static const uint32_t backoff_ms[] = { 250, 500, 1000, 2000, 4000, 8000, 16000, 30000 };
static const lws_retry_bo_t retry_policy = {
    .retry_ms_table = backoff_ms,
    .retry_ms_table_count = LWS_ARRAY_SIZE(backoff_ms),
    .conceal_count = LWS_RETRY_CONCEAL_ALWAYS,
    .secs_since_valid_ping = STREAM_PING_SECONDS,
    .secs_since_valid_hangup = STREAM_HANGUP_SECONDS,
    .jitter_percent = 30,
};

struct target {
    bool tls;
    char host[256];
    char address[64]; /* the resolved numeric address */
    int port;
    char path[1024];
};

struct stream {
    struct net_loop *loop;
    struct rest *rest;
    struct lws_vhost *vhost;
    bool insecure;
    struct stream_handlers handlers;
    enum stream_state state;
    struct target target;
    struct lws *wsi;
    lws_sorted_usec_list_t retry;
    uint16_t retry_count;
    bool stopping;
    uint64_t connections;
    char *message;     /* the message being reassembled from fragments */
    size_t message_length;
    size_t message_capacity;
    bool oversized;    /* the current message went past the limit: drop it */
    char last_failure[256]; /* said once until another failure or a connection */
};

/* Why a connection failed, said once (not at every retry), and with what
 * to do when it is the server's certificate. */
static void explain_failure(struct stream *s, const void *in, size_t len)
{
    char why[200], host[100], line[500];
    termtext_sanitize(in, in ? len : 0, why, sizeof why, 150, TERMTEXT_ASCII);
    termtext_sanitize_str(s->target.host, host, sizeof host, 80, TERMTEXT_ASCII);
    if (!why[0] || strcmp(why, s->last_failure) == 0 || !s->handlers.log)
        return;
    snprintf(s->last_failure, sizeof s->last_failure, "%s", why);
    bool tls = strstr(why, "SSL") || strstr(why, "certificate") || strstr(why, "tls");
    snprintf(line, sizeof line, "stream: cannot connect to %s: %s%s", host, why,
             tls && !s->insecure ? " (the server's TLS certificate was refused; --insecure "
                                   "accepts a self-signed test server)" : "");
    s->handlers.log(s->handlers.context, line);
}

const char *stream_state_name(enum stream_state state)
{
    switch (state) {
    case STREAM_CONNECTING: return "connecting";
    case STREAM_LIVE: return "live";
    case STREAM_RECONNECTING: return "reconnecting";
    case STREAM_AUTH_ERROR: return "auth error";
    default: return "stopped";
    }
}

static void set_state(struct stream *s, enum stream_state state, bool connected)
{
    if (s->state == state && !connected)
        return;
    s->state = state;
    if (s->handlers.state)
        s->handlers.state(s->handlers.context, state, connected);
}

static void malformed(struct stream *s, const char *why)
{
    if (s->handlers.malformed)
        s->handlers.malformed(s->handlers.context, why);
}

/* --- connecting --------------------------------------------------------------- */

static void ask_for_url(struct stream *s)
{
    set_state(s, s->connections ? STREAM_RECONNECTING : STREAM_CONNECTING, false);
    if (!rest_request_once(s->rest, REST_POST, "/sockets", NULL, STREAM_REST_TAG_SOCKET, s))
        malformed(s, "out of memory asking for a stream URL");
}

static void on_retry(lws_sorted_usec_list_t *sul)
{
    struct stream *s = lws_container_of(sul, struct stream, retry);
    if (!s->stopping)
        ask_for_url(s);
}

static void schedule_retry(struct stream *s)
{
    if (s->stopping || s->state == STREAM_AUTH_ERROR)
        return;
    set_state(s, STREAM_RECONNECTING, false);
    char conceal = 0;
    uint32_t delay = lws_retry_get_delay_ms(net_loop_context(s->loop), &retry_policy,
                                            &s->retry_count, &conceal);
    lws_sul_schedule(net_loop_context(s->loop), 0, &s->retry, on_retry,
                     (lws_usec_t)delay * 1000);
}

/* ws://host:port/path?query, wss://[::1]/... */
static bool parse_url(const char *url, struct target *t)
{
    memset(t, 0, sizeof *t);
    const char *rest;
    if (strncmp(url, "ws://", 5) == 0) {
        rest = url + 5;
        t->port = 80;
    } else if (strncmp(url, "wss://", 6) == 0) {
        rest = url + 6;
        t->tls = true;
        t->port = 443;
    } else {
        return false;
    }
    size_t authority = strcspn(rest, "/?");
    const char *host = rest, *host_end = rest + authority;
    const char *colon = NULL;
    if (*host == '[') {
        const char *close = memchr(host, ']', authority);
        if (!close)
            return false;
        host++;
        colon = close + 1 < host_end && close[1] == ':' ? close + 1 : NULL;
        host_end = close;
    } else {
        colon = memchr(host, ':', authority);
        if (colon)
            host_end = colon;
    }
    size_t host_length = (size_t)(host_end - host);
    if (host_length == 0 || host_length >= sizeof t->host)
        return false;
    memcpy(t->host, host, host_length);
    if (colon) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (end != rest + authority || port < 1 || port > 65535)
            return false;
        t->port = (int)port;
    }
    const char *path = rest + authority;
    int n = snprintf(t->path, sizeof t->path, "%s%s", *path == '/' ? "" : "/", path);
    return n > 0 && (size_t)n < sizeof t->path;
}

static void connect_now(struct stream *s)
{
    struct lws_client_connect_info info;
    memset(&info, 0, sizeof info);
    info.context = net_loop_context(s->loop);
    info.vhost = s->vhost;
    info.address = s->target.address;
    info.port = s->target.port;
    info.path = s->target.path;
    info.host = s->target.host;
    info.origin = s->target.host;
    info.ssl_connection = s->target.tls ? LCCSCF_USE_SSL : 0;
    if (s->target.tls && s->insecure)
        info.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                               LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
    info.local_protocol_name = "occtop-stream";
    info.retry_and_idle_policy = &retry_policy;
    info.userdata = s;
    info.pwsi = &s->wsi;
    if (!lws_client_connect_via_info(&info)) {
        s->wsi = NULL;
        schedule_retry(s);
    }
}

void stream_take_rest_result(struct stream *s, const struct rest_result *result)
{
    if (s->stopping)
        return;
    if (result->tag == STREAM_REST_TAG_SOCKET) {
        if (result->status == 403) {
            set_state(s, STREAM_AUTH_ERROR, false);
            return;
        }
        struct wire_socket_reply reply = { 0 };
        struct wire_error error;
        wire_error_clear(&error);
        json_t *json = result->status == 200 && result->body
            ? wire_json_parse(result->body, result->body_length, "POST /sockets", &error) : NULL;
        bool usable = json && wire_decode_socket_reply(json, &reply, &error) == 0 &&
                      parse_url(reply.url, &s->target);
        json_decref(json);
        wire_socket_reply_clear(&reply);
        if (!usable) {
            if (result->status == 200) {
                char why[WIRE_ERROR_SIZE + 64];
                snprintf(why, sizeof why, "POST /sockets gave no usable ws:// or wss:// URL%s%s",
                         error.message[0] ? ": " : "", error.message);
                malformed(s, why);
            }
            schedule_retry(s);
            return;
        }
        if (!rest_request_once(s->rest, REST_RESOLVE, s->target.host, NULL,
                               STREAM_REST_TAG_RESOLVE, s))
            schedule_retry(s);
    } else if (result->tag == STREAM_REST_TAG_RESOLVE) {
        if (result->status != 200 || !result->body ||
            strlen(result->body) >= sizeof s->target.address) {
            schedule_retry(s);
            return;
        }
        snprintf(s->target.address, sizeof s->target.address, "%s", result->body);
        connect_now(s);
    }
}

/* --- receiving ------------------------------------------------------------------ */

/* One whole message: to the raw handler, decoded, to the owner. */
static void deliver(struct stream *s, const char *text, size_t len)
{
    int64_t now = net_wall_ms();
    if (s->handlers.raw)
        s->handlers.raw(s->handlers.context, text, len, now);
    struct stream_message message;
    struct wire_error error;
    int decoded = wire_decode_stream_message(text, len, &message, &error);
    if (decoded == WIRE_STREAM_COUNT && s->handlers.message)
        s->handlers.message(s->handlers.context, &message.payload, now);
    else if (decoded < 0)
        malformed(s, error.message);
}

/* Room for `needed` bytes of the message being reassembled; the buffer is
 * kept between messages and grows by doubling (within the limit). */
static bool reserve(struct stream *s, size_t needed)
{
    if (needed <= s->message_capacity)
        return true;
    size_t capacity = s->message_capacity ? s->message_capacity : 4096;
    while (capacity < needed)
        capacity *= 2;
    if (capacity > STREAM_MAX_MESSAGE)
        capacity = STREAM_MAX_MESSAGE;
    char *grown = realloc(s->message, capacity);
    if (!grown)
        return false;
    s->message = grown;
    s->message_capacity = capacity;
    return true;
}

static void take_fragment(struct stream *s, const void *in, size_t len, bool last)
{
    if (!s->oversized && s->message_length + len > STREAM_MAX_MESSAGE) {
        s->oversized = true;
        malformed(s, "a message larger than the 64 KiB limit was dropped");
    }
    /* The usual case, a message in one piece: decoded where lws put it. */
    if (last && !s->oversized && s->message_length == 0) {
        deliver(s, len > 0 ? in : "", len); /* an empty frame may come with NULL */
        return;
    }
    if (!s->oversized && len > 0) {
        if (reserve(s, s->message_length + len)) {
            memcpy(s->message + s->message_length, in, len);
            s->message_length += len;
        } else {
            s->oversized = true;
        }
    }
    if (!last)
        return;
    if (!s->oversized)
        deliver(s, s->message_length > 0 ? s->message : "", s->message_length);
    s->message_length = 0;
    s->oversized = false;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct stream *s = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        s->retry_count = 0;
        s->last_failure[0] = '\0';
        s->connections++;
        s->message_length = 0;
        s->oversized = false;
        set_state(s, STREAM_LIVE, true);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        take_fragment(s, in, len, lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi));
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (s) {
            s->wsi = NULL;
            /* A connection cut short by our own stop is not a failure to report. */
            if (!s->stopping) {
                explain_failure(s, in, len);
                schedule_retry(s);
            }
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (s && !s->stopping) {
            s->wsi = NULL;
            schedule_retry(s);
        }
        return 0;
    default:
        return 0;
    }
}

/* rx_buffer_size: a message up to the limit reaches the callback whole, to
 * be decoded where lws put it instead of being copied together from 4 KiB
 * pieces.  (How much lws reads at a time is the smaller of this and the
 * context's pt_serv_buf_size, net/loop.c.) */
static const struct lws_protocols protocols[] = {
    { "occtop-stream", callback, 0, STREAM_MAX_MESSAGE, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* --- life --------------------------------------------------------------------------- */

struct stream *stream_new(struct net_loop *loop, struct rest *rest, bool insecure,
                          const struct stream_handlers *handlers, char *error,
                          size_t error_size)
{
    struct stream *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    s->loop = loop;
    s->rest = rest;
    s->insecure = insecure;
    s->handlers = *handlers;
    s->state = STREAM_STOPPED;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.vhost_name = "occtop-client";
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    s->vhost = lws_create_vhost(net_loop_context(loop), &info);
    if (!s->vhost) {
        snprintf(error, error_size, "libwebsockets could not make a client");
        free(s);
        return NULL;
    }
    return s;
}

void stream_stop(struct stream *s)
{
    if (!s)
        return;
    s->stopping = true;
    lws_sul_cancel(&s->retry);
}

void stream_free(struct stream *s)
{
    if (!s)
        return;
    free(s->message);
    free(s);
}

void stream_start(struct stream *s)
{
    s->stopping = false;
    s->retry_count = 0;
    ask_for_url(s);
}

enum stream_state stream_get_state(const struct stream *s)
{
    return s->state;
}

uint64_t stream_connections(const struct stream *s)
{
    return s->connections;
}
