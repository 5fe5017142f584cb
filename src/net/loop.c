/* loop.c — the lws context, with lws's own logging kept off the terminal. */
#include "net/loop.h"

#include <libwebsockets.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/termtext.h"

enum { MAX_WATCHES = 4, LOG_LINES_PER_SECOND = 5 };

struct net_watch {
    void (*fn)(void *context);
    void *context;
};

struct net_loop {
    struct lws_context *context;
    struct lws_vhost *vhost;
    void (*wake_fn)(void *context);
    void *wake_context;
    struct net_watch watches[MAX_WATCHES];
    size_t watch_count;
};

/* Set by SIGINT, SIGTERM and SIGHUP once net_loop_catch_signals() is called;
 * net_loop_run() stops when it is set. */
static volatile sig_atomic_t *stop_flag;

/* Where lws's lines go: standard error, unless a screen owns the terminal. */
static void (*log_sink)(void *context, const char *line);
static void *log_sink_context;

/* lws_cancel_service() reaches every protocol as EVENT_WAIT_CANCELLED; this
 * one turns it into the owner's wake handler. */
static int loop_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    (void)user;
    (void)in;
    (void)len;
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        struct net_loop *loop = lws_vhost_user(lws_get_vhost(wsi));
        if (loop && loop->wake_fn)
            loop->wake_fn(loop->wake_context);
    } else if (reason == LWS_CALLBACK_RAW_RX_FILE) {
        struct net_watch *watch = lws_get_opaque_user_data(wsi);
        if (watch)
            watch->fn(watch->context);
        /* A terminal that hung up (its SSH link or tmux pane closed) stays
         * readable for ever, with nothing to read: without this the loop
         * would spin at full speed.  It means what SIGHUP means, which only
         * the terminal's session leader receives: occtop run from a script
         * (a kiosk's login loop) is not it. */
        struct pollfd hup = { .fd = lws_get_socket_fd(wsi), .events = POLLIN };
        if (poll(&hup, 1, 0) == 1 && (hup.revents & (POLLHUP | POLLERR | POLLNVAL)) &&
            stop_flag)
            *stop_flag = 1;
    }
    return 0;
}

static const struct lws_protocols loop_protocols[] = {
    { "occtop-loop", loop_callback, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void log_emit(const char *text)
{
    if (log_sink)
        log_sink(log_sink_context, text);
    else
        fprintf(stderr, "occtop: %s\n", text);
}

/* lws logs lines that may quote peers' input: neutralise them.  A peer can
 * also make it log a line per connection (headers too large, say): at most
 * LOG_LINES_PER_SECOND a second, and how many were left out. */
static void log_line(int level, const char *line)
{
    static time_t second;
    static unsigned in_second, left_out;
    time_t now = time(NULL);
    if (now != second) {
        if (left_out) {
            char note[96];
            snprintf(note, sizeof note, "lws: %u more lines left out", left_out);
            log_emit(note);
        }
        second = now;
        in_second = left_out = 0;
    }
    if (++in_second > LOG_LINES_PER_SECOND) {
        left_out++;
        return;
    }
    char safe[512];
    termtext_sanitize_str(line, safe, sizeof safe, 200, TERMTEXT_ASCII);
    size_t n = strlen(safe);
    while (n && safe[n - 1] == ' ')
        safe[--n] = '\0';
    char text[600];
    snprintf(text, sizeof text, "lws %s: %s", level == LLL_ERR ? "error" : "warning", safe);
    log_emit(text);
}

void net_loop_log_to(void (*sink)(void *context, const char *line), void *context)
{
    log_sink = sink;
    log_sink_context = context;
}

struct net_loop *net_loop_new(char *error, size_t error_size)
{
    struct net_loop *loop = calloc(1, sizeof *loop);
    if (!loop) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    lws_set_log_level(LLL_ERR | LLL_WARN, log_line);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    /* Vhosts are added by the parts that need them (the mock server, the
     * stream client), each with its own protocols. */
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.max_http_header_data = NET_LOOP_MAX_HEADER; /* lws's default, said out loud */
    /* Reads of up to 64 KiB: a busy stream takes fewer trips through the loop
     * (about 8% of the client's time per message, tests/bench/stream_ingest.py). */
    info.pt_serv_buf_size = 64 * 1024;
    loop->context = lws_create_context(&info);
    if (!loop->context) {
        snprintf(error, error_size, "libwebsockets could not start");
        free(loop);
        return NULL;
    }
    struct lws_context_creation_info vhost;
    memset(&vhost, 0, sizeof vhost);
    vhost.port = CONTEXT_PORT_NO_LISTEN;
    vhost.protocols = loop_protocols;
    vhost.vhost_name = "occtop-loop";
    vhost.user = loop;
    loop->vhost = lws_create_vhost(loop->context, &vhost);
    if (!loop->vhost) {
        snprintf(error, error_size, "libwebsockets could not start");
        lws_context_destroy(loop->context);
        free(loop);
        return NULL;
    }
    return loop;
}

void net_loop_free(struct net_loop *loop)
{
    if (!loop)
        return;
    lws_context_destroy(loop->context);
    free(loop);
}

struct lws_context *net_loop_context(struct net_loop *loop)
{
    return loop->context;
}

int64_t net_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_stop_signal(int signal_number)
{
    (void)signal_number;
    if (stop_flag)
        *stop_flag = 1;
}

void net_loop_catch_signals(volatile sig_atomic_t *stop)
{
    stop_flag = stop;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal; /* no SA_RESTART: the signal ends the wait */
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL); /* the terminal went away (an SSH link dropped) */
    signal(SIGPIPE, SIG_IGN);
}

void net_loop_on_wake(struct net_loop *loop, void (*fn)(void *context), void *context)
{
    loop->wake_fn = fn;
    loop->wake_context = context;
}

int net_loop_watch_fd(struct net_loop *loop, int fd, void (*fn)(void *context), void *context)
{
    if (loop->watch_count == MAX_WATCHES)
        return -1;
    /* lws closes what it adopted; the caller keeps its own descriptor. */
    int copy = dup(fd);
    if (copy < 0)
        return -1;
    struct net_watch *watch = &loop->watches[loop->watch_count];
    watch->fn = fn;
    watch->context = context;
    lws_sock_file_fd_type descriptor;
    descriptor.filefd = copy;
    struct lws *wsi = lws_adopt_descriptor_vhost(loop->vhost, LWS_ADOPT_RAW_FILE_DESC,
                                                 descriptor, "occtop-loop", NULL);
    if (!wsi) {
        close(copy);
        return -1;
    }
    lws_set_opaque_user_data(wsi, watch);
    loop->watch_count++;
    return 0;
}

void net_loop_wake(void *loop)
{
    lws_cancel_service(((struct net_loop *)loop)->context);
}

int net_loop_run(struct net_loop *loop, volatile sig_atomic_t *stop)
{
    while (!*stop) {
        if (lws_service(loop->context, 0) < 0)
            return -1;
    }
    return 0;
}
