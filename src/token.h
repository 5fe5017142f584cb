/* token.h — where the API token comes from, and keeping it out of sight.
 *
 * In order: --token TOKEN (works, but other users can see it in ps: a
 * warning says so), --token-file FILE (the first line; a file that group or
 * others can read gets a warning), the environment variable
 * DENSITY_API_TOKEN, the config file's "token" (src/config.h).  The token is never printed: messages name its source
 * instead. */
#ifndef OCCTOP_TOKEN_H
#define OCCTOP_TOKEN_H

#include <stddef.h>

enum { TOKEN_MAX = 512 };

struct token {
    char value[TOKEN_MAX]; /* "" when none was found */
    const char *source;    /* "--token", "--token-file", "DENSITY_API_TOKEN", "the config file" */
};

/* Fills *token.  Returns 0 (found), 1 (none given anywhere), or -1 with one
 * line in error (an unreadable or empty file, a token with spaces or control
 * characters, one too long).  Warnings go to stderr. */
int token_load(struct token *token, const char *option_value, const char *file,
               const char *config_token, char *error, size_t error_size);

/* Wipes the token from memory. */
void token_clear(struct token *token);

#endif
