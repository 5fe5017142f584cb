/* token.c — the API token from the command line, a file or the environment. */
#include "token.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/termtext.h"

/* Tokens are printable ASCII without spaces; anything else is a paste
 * accident, and must not reach an HTTP header. */
static bool token_is_clean(const char *token)
{
    for (const unsigned char *p = (const unsigned char *)token; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return *token != '\0';
}

static int from_file(struct token *token, const char *file, char *error, size_t error_size)
{
    char path[256];
    termtext_sanitize_str(file, path, sizeof path, 120, 0);
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(error, error_size, "--token-file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        fprintf(stderr, "occtop: warning: --token-file %s can be read by other users "
                "(chmod 600 it)\n", path);
    char line[TOKEN_MAX + 2];
    bool read = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!read) {
        snprintf(error, error_size, "--token-file %s is empty", path);
        return -1;
    }
    size_t n = strcspn(line, "\r\n");
    if (n > TOKEN_MAX - 1) {
        explicit_bzero(line, sizeof line);
        snprintf(error, error_size, "--token-file %s: the token is longer than %d bytes", path,
                 TOKEN_MAX - 1);
        return -1;
    }
    line[n] = '\0';
    memcpy(token->value, line, n + 1);
    explicit_bzero(line, sizeof line);
    return 0;
}

int token_load(struct token *token, const char *option_value, const char *file,
               const char *config_token, char *error, size_t error_size)
{
    memset(token, 0, sizeof *token);
    const char *env = getenv("DENSITY_API_TOKEN");
    if (option_value) {
        fprintf(stderr, "occtop: warning: a token given with --token can be seen by other "
                "users of this machine; prefer --token-file or DENSITY_API_TOKEN\n");
        if (strlen(option_value) >= TOKEN_MAX) {
            snprintf(error, error_size, "--token: the token is longer than %d bytes",
                     TOKEN_MAX - 1);
            return -1;
        }
        snprintf(token->value, sizeof token->value, "%s", option_value);
        token->source = "--token";
    } else if (file) {
        if (from_file(token, file, error, error_size) != 0)
            return -1;
        token->source = "--token-file";
    } else if (env && *env) {
        if (strlen(env) >= TOKEN_MAX) {
            snprintf(error, error_size, "DENSITY_API_TOKEN is longer than %d bytes",
                     TOKEN_MAX - 1);
            return -1;
        }
        snprintf(token->value, sizeof token->value, "%s", env);
        token->source = "DENSITY_API_TOKEN";
    } else if (config_token && *config_token) {
        snprintf(token->value, sizeof token->value, "%s", config_token);
        token->source = "the config file";
    } else {
        return 1;
    }
    if (!token_is_clean(token->value)) {
        snprintf(error, error_size, "the token from %s is empty or has spaces or control "
                 "characters", token->source);
        token_clear(token);
        return -1;
    }
    return 0;
}

void token_clear(struct token *token)
{
    explicit_bzero(token->value, sizeof token->value);
}
