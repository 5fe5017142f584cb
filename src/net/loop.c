/* loop.c — the lws context, with lws's own logging kept off the terminal. */
#include "net/loop.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/termtext.h"

struct net_loop {
    struct lws_context *context;
};

/* lws logs lines that may quote peers' input: neutralise them. */
static void log_line(int level, const char *line)
{
    char safe[512];
    termtext_sanitize_str(line, safe, sizeof safe, 200, TERMTEXT_ASCII);
    size_t n = strlen(safe);
    while (n && safe[n - 1] == ' ')
        safe[--n] = '\0';
    fprintf(stderr, "occtop: lws %s: %s\n", level == LLL_ERR ? "error" : "warning", safe);
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
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.port = CONTEXT_PORT_NO_LISTEN;
    loop->context = lws_create_context(&info);
    if (!loop->context) {
        snprintf(error, error_size, "libwebsockets could not start");
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

int net_loop_run(struct net_loop *loop, volatile sig_atomic_t *stop)
{
    while (!*stop) {
        if (lws_service(loop->context, 0) < 0)
            return -1;
    }
    return 0;
}
