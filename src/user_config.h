/* user_config.h — the user's config file: $XDG_CONFIG_HOME/occtop/config, or
 * ~/.config/occtop/config.  Lines of "key = value"; "#" starts a comment.
 * Keys: token (the API token), api_url.  The file holds a secret, so a file
 * that group or others can read gets a warning (chmod 600). */
#ifndef OCCTOP_USER_CONFIG_H
#define OCCTOP_USER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum { CONFIG_VALUE_MAX = 512 };

struct user_config {
    bool found;                      /* the file exists and was read */
    char path[512];
    char token[CONFIG_VALUE_MAX];    /* "" when not set */
    char api_url[CONFIG_VALUE_MAX];  /* "" when not set */
};

/* Reads the file if there is one.  Returns 0 (read, or no file), or -1 with
 * one line in error naming the file and the line that is wrong.  Warnings
 * (loose permissions, unknown keys) go to stderr. */
int user_config_load(struct user_config *config, char *error, size_t error_size);

/* Wipes the token. */
void user_config_clear(struct user_config *config);

#endif
