/* user_config.c — the user's config file, read once at start-up. */
#include "user_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/termtext.h"

static void config_path(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(out, size, "%s/occtop/config", xdg);
    else if (home && *home)
        snprintf(out, size, "%s/.config/occtop/config", home);
    else
        out[0] = '\0';
}

static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r' ||
                 text[n - 1] == '\n'))
        text[--n] = '\0';
    return text;
}

/* One "key = value" line; 0, or -1 when it is malformed. */
static int take_line(struct user_config *config, char *line, const char *path_safe, int number)
{
    char *text = trim(line);
    if (*text == '\0' || *text == '#')
        return 0;
    char *equals = strchr(text, '=');
    if (!equals)
        return -1;
    *equals = '\0';
    char *key = trim(text), *value = trim(equals + 1);
    char *target = strcmp(key, "token") == 0 ? config->token
                 : strcmp(key, "api_url") == 0 ? config->api_url : NULL;
    if (!target) {
        char safe[64];
        termtext_sanitize_str(key, safe, sizeof safe, 30, 0);
        fprintf(stderr, "occtop: warning: %s:%d: unknown key \"%s\" (known: token, api_url)\n",
                path_safe, number, safe);
        return 0;
    }
    if (strlen(value) >= CONFIG_VALUE_MAX)
        return -1;
    memcpy(target, value, strlen(value) + 1);
    return 0;
}

int user_config_load(struct user_config *config, char *error, size_t error_size)
{
    memset(config, 0, sizeof *config);
    config_path(config->path, sizeof config->path);
    if (!config->path[0])
        return 0;
    FILE *f = fopen(config->path, "r");
    if (!f)
        return errno == ENOENT || errno == ENOTDIR ? 0 : (snprintf(error, error_size,
                      "%s: %s", config->path, strerror(errno)), -1);
    char path_safe[256];
    termtext_sanitize_str(config->path, path_safe, sizeof path_safe, 120, 0);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        fprintf(stderr, "occtop: warning: %s can be read by other users and may hold your API "
                "token (chmod 600 it)\n", path_safe);
    char line[CONFIG_VALUE_MAX + 64];
    int number = 0, status = 0;
    while (status == 0 && fgets(line, sizeof line, f)) {
        number++;
        if (take_line(config, line, path_safe, number) != 0) {
            snprintf(error, error_size, "%s:%d: expected \"key = value\" (token, api_url)",
                     path_safe, number);
            status = -1;
        }
    }
    explicit_bzero(line, sizeof line);
    fclose(f);
    config->found = status == 0;
    if (status != 0)
        user_config_clear(config);
    return status;
}

void user_config_clear(struct user_config *config)
{
    explicit_bzero(config->token, sizeof config->token);
}
