/* screen.h — the terminal, owned by ncurses: opening and closing it,
 * colours (or bold and reverse on a monochrome terminal), and writing text
 * that is always sanitised and clipped to the columns it may use.
 *
 * Input is read from /dev/tty (not fd 0, see DESIGN.md), whose descriptor
 * the loop watches; output goes to standard output.  Every string from the
 * network passes through core/termtext on its way to the screen. */
#ifndef OCCTOP_UI_SCREEN_H
#define OCCTOP_UI_SCREEN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/safe.h"
#include "ui/glyphs.h"

/* What a piece of text means: the screen turns it into colour, or into
 * bold/reverse/dim when there is no colour. */
enum screen_role {
    ROLE_NORMAL = 0,
    ROLE_HEADER,     /* the top bar */
    ROLE_TITLE,      /* column titles, pane titles */
    ROLE_SELECTED,   /* the cursor's row */
    ROLE_KEY,        /* a key in the bottom bar */
    ROLE_DIM,        /* stale numbers, secondary text */
    ROLE_OK,
    ROLE_WARN,
    ROLE_UNSAFE,
    ROLE_ALARM,      /* an unacknowledged alarm's row */
    ROLE_LIVE,       /* the connection, when live */
    ROLE_TROUBLE,    /* the connection, when not */
    ROLE_KIOSK_OK,   /* the whole kiosk screen, by state */
    ROLE_KIOSK_WARN,
    ROLE_KIOSK_UNSAFE,
    ROLE_KIOSK_NONE,
    ROLE_COUNT
};

struct screen_config {
    bool ascii;    /* no byte above 0x7f */
    bool no_color; /* --no-color or NO_COLOR */
    bool mouse;
};

struct screen;

/* Takes the terminal.  NULL with one line in error (no terminal, an
 * unknown TERM). */
struct screen *screen_open(const struct screen_config *config, char *error, size_t error_size);
/* Gives the terminal back as it was. */
void screen_close(struct screen *screen);

int screen_input_fd(const struct screen *screen);
/* SIGWINCH, SIGTSTP and SIGCONT are read from a descriptor on the loop
 * thread (DESIGN.md): call screen_block_signals() before any thread starts,
 * watch screen_signal_fd() (-1 when none could be made), and call
 * screen_take_signals() when it is readable: it follows a resize, and on
 * Ctrl-Z gives the terminal back, stops, and takes it again on fg. */
void screen_block_signals(void);
void screen_signal_set(sigset_t *set);
int screen_signal_fd(const struct screen *screen);
void screen_take_signals(struct screen *screen);
const struct glyphs *screen_glyphs(const struct screen *screen);
bool screen_ascii(const struct screen *screen);
int screen_rows(const struct screen *screen);
int screen_cols(const struct screen *screen);
int screen_colors(const struct screen *screen); /* 0 when drawing without colour */


/* The next key, or -1 when none is waiting.  Never blocks. */
int screen_key(struct screen *screen);

/* A mouse event after screen_key() returned KEY_MOUSE: false when none.
 * clicks: 0, 1, or 2 for a double click (ncurses merges two quick clicks). */
bool screen_mouse(struct screen *screen, int *row, int *col, int *clicks, int *wheel);

/* Starts a frame: erases the (virtual) screen; nothing reaches the terminal
 * before screen_end_frame, which sends only what changed. */
void screen_begin_frame(struct screen *screen);
void screen_end_frame(struct screen *screen);
/* Makes the next frame repaint the whole terminal (^L). */
void screen_repaint(struct screen *screen);

/* Writes text at (row, col), at most `width` columns, sanitised.  Returns
 * the columns used. */
int screen_text(struct screen *screen, int row, int col, int width, enum screen_role role,
                const char *text);
/* The same, for trusted text of our own already known to be safe (glyphs,
 * numbers): no sanitising, still clipped. */
int screen_glyphs_text(struct screen *screen, int row, int col, int width,
                       enum screen_role role, const char *text);
/* Fills a row segment with a role's background. */
void screen_fill(struct screen *screen, int row, int col, int width, enum screen_role role);
/* A horizontal rule with an optional title. */
void screen_rule(struct screen *screen, int row, const char *title);

/* The role of a safe state (colour and, without colour, an attribute). */
enum screen_role screen_state_role(enum safe_state state);
enum screen_role screen_kiosk_role(enum safe_state state);

void screen_bell(struct screen *screen);
void screen_flash(struct screen *screen);

#endif
