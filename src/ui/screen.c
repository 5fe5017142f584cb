/* screen.c — ncurses owns the terminal here and nowhere else. */
#include "config.h"

#include "ui/screen.h"

#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/termtext.h"

enum { TEXT_MAX = 2048 };

struct screen {
    SCREEN *term;
    FILE *input;     /* /dev/tty */
    int signal_fd;   /* a signalfd for SIGWINCH, SIGTSTP and SIGCONT, or -1 */
    bool ascii;
    int colors;      /* 0: monochrome (or --no-color) */
    attr_t role_attr[ROLE_COUNT];
    const struct glyphs *glyphs;
    MEVENT mouse_event;
};

/* --- colours ------------------------------------------------------------------------- */

struct role_style {
    short fg, bg;   /* -1: the terminal's default */
    attr_t extra;   /* with colour */
    attr_t mono;    /* without colour: never colour alone, never only colour */
};

static const struct role_style role_styles[ROLE_COUNT] = {
    [ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
    [ROLE_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
    [ROLE_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
    [ROLE_SELECTED] = { -1, -1, A_REVERSE, A_REVERSE },
    [ROLE_KEY] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
    [ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
    [ROLE_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
    [ROLE_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
    [ROLE_UNSAFE] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_ALARM] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_LIVE] = { COLOR_GREEN, COLOR_BLUE, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_TROUBLE] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_BLINK },
    [ROLE_KIOSK_OK] = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_NORMAL },
    [ROLE_KIOSK_WARN] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_BOLD },
    [ROLE_KIOSK_UNSAFE] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_KIOSK_NONE] = { -1, -1, A_NORMAL, A_NORMAL },
};

/* Bright variants where the terminal has them: easier to tell apart from
 * across a room. */
static short brighter(short color, int colors)
{
    if (colors < 16 || color < 0 || color == COLOR_BLACK || color == COLOR_BLUE)
        return color;
    return (short)(color + 8);
}

static void set_up_colors(struct screen *s, bool no_color)
{
    s->colors = 0;
    if (!no_color && has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS > ROLE_COUNT) {
        use_default_colors();
        s->colors = COLORS;
    }
    for (int role = 0; role < ROLE_COUNT; role++) {
        const struct role_style *style = &role_styles[role];
        if (!s->colors) {
            s->role_attr[role] = style->mono;
            continue;
        }
        short fg = style->bg < 0 ? brighter(style->fg, s->colors) : style->fg;
        init_pair((short)(role + 1), fg, style->bg);
        s->role_attr[role] = COLOR_PAIR(role + 1) | style->extra;
    }
}

/* --- life ---------------------------------------------------------------------------- */

void screen_block_signals(void)
{
    sigset_t set;
    screen_signal_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void screen_signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGWINCH);
    sigaddset(set, SIGTSTP);
    sigaddset(set, SIGCONT);
}

static int open_signal_fd(void)
{
    /* The signals were blocked before any thread started, so they stay
     * pending for this descriptor, read on the loop thread, instead of
     * running a handler in whichever thread they hit. */
    sigset_t set;
    screen_signal_set(&set);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

struct screen *screen_open(const struct screen_config *config, char *error, size_t error_size)
{
    struct screen *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    s->signal_fd = -1;
    s->input = fopen("/dev/tty", "r");
    if (!s->input || !isatty(STDOUT_FILENO)) {
        snprintf(error, error_size, "the monitor needs a terminal (use --batch for output to a "
                 "file or a pipe)");
        screen_close(s);
        return NULL;
    }
    const char *term = getenv("TERM");
    s->term = newterm(NULL, stdout, s->input);
    if (!s->term) {
        char safe[64];
        termtext_sanitize_str(term ? term : "", safe, sizeof safe, 40, TERMTEXT_ASCII);
        snprintf(error, error_size, "cannot use the terminal type \"%s\" (TERM): try TERM=xterm "
                 "or TERM=vt100", safe);
        screen_close(s);
        return NULL;
    }
    s->ascii = config->ascii;
    s->glyphs = glyphs_for(config->ascii);
    set_escdelay(25); /* Esc answers at once; arrow keys arrive faster than this */
    cbreak();
    noecho();
    nonl();
    curs_set(0);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    leaveok(stdscr, TRUE);
    set_up_colors(s, config->no_color);
    if (config->mouse)
        mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
                  NULL);
    s->signal_fd = open_signal_fd();
    return s;
}

void screen_close(struct screen *s)
{
    if (!s)
        return;
    if (s->term) {
        curs_set(1);
        endwin();
        delscreen(s->term);
    }
    if (s->input)
        fclose(s->input);
    if (s->signal_fd >= 0)
        close(s->signal_fd);
    free(s);
}

int screen_input_fd(const struct screen *s)
{
    return fileno(s->input);
}

int screen_signal_fd(const struct screen *s)
{
    return s->signal_fd;
}

const struct glyphs *screen_glyphs(const struct screen *s)
{
    return s->glyphs;
}

bool screen_ascii(const struct screen *s)
{
    return s->ascii;
}

int screen_rows(const struct screen *s)
{
    (void)s;
    return LINES;
}

int screen_cols(const struct screen *s)
{
    (void)s;
    return COLS;
}

int screen_colors(const struct screen *s)
{
    return s->colors;
}

static void resize(struct screen *s)
{
    struct winsize size;
    if (ioctl(fileno(s->input), TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
        resizeterm(size.ws_row, size.ws_col);
    clearok(curscr, TRUE); /* a resize can leave anything on the terminal */
}

/* Ctrl-Z: give the terminal back, stop, and take it again on fg. */
static void suspend(struct screen *s)
{
    endwin();
    fflush(stdout);
    signal(SIGTSTP, SIG_DFL); /* not ncurses' handler: this thread does the work */
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
    raise(SIGTSTP); /* stops here until SIGCONT */
    pthread_sigmask(SIG_BLOCK, &tstp, NULL);
    resize(s); /* the window may have changed while stopped */
}

void screen_take_signals(struct screen *s)
{
    struct signalfd_siginfo info;
    bool resized = false;
    while (s->signal_fd >= 0 && read(s->signal_fd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGTSTP)
            suspend(s);
        resized = true; /* SIGWINCH, and SIGCONT: repaint everything */
    }
    if (!resized)
        return;
    resize(s);
    /* After fg, ncurses sends the keypad mode (smkx) again only when the
     * next key is read, so the first arrow key would come as Esc [ B: send
     * it now. */
    const char *keypad_on = tigetstr("smkx");
    if (keypad_on && keypad_on != (char *)-1)
        putp(keypad_on);
    fflush(stdout);
}

int screen_key(struct screen *s)
{
    (void)s;
    int key = wgetch(stdscr);
    return key == ERR ? -1 : key;
}

bool screen_mouse(struct screen *s, int *row, int *col, int *clicks, int *wheel)
{
    if (getmouse(&s->mouse_event) != OK)
        return false;
    *row = s->mouse_event.y;
    *col = s->mouse_event.x;
    *clicks = (s->mouse_event.bstate & BUTTON1_DOUBLE_CLICKED) ? 2
            : (s->mouse_event.bstate & BUTTON1_CLICKED) ? 1 : 0;
    *wheel = (s->mouse_event.bstate & BUTTON4_PRESSED) ? -1
           : (s->mouse_event.bstate & BUTTON5_PRESSED) ? 1 : 0;
    return true;
}

/* --- drawing --------------------------------------------------------------------------- */

void screen_begin_frame(struct screen *s)
{
    (void)s;
    werase(stdscr);
}

void screen_end_frame(struct screen *s)
{
    (void)s;
    wnoutrefresh(stdscr);
    doupdate();
}

void screen_repaint(struct screen *s)
{
    (void)s;
    clearok(curscr, TRUE);
}

static int put(struct screen *s, int row, int col, int width, enum screen_role role,
               const char *safe)
{
    if (row < 0 || row >= LINES || col < 0 || col >= COLS || width <= 0)
        return 0;
    if (width > COLS - col)
        width = COLS - col;
    char clipped[TEXT_MAX];
    int used = termtext_sanitize_str(safe, clipped, sizeof clipped, width,
                                     s->ascii ? TERMTEXT_ASCII : 0);
    wattrset(stdscr, s->role_attr[role]);
    mvwaddstr(stdscr, row, col, clipped);
    wattrset(stdscr, A_NORMAL);
    return used;
}

int screen_text(struct screen *s, int row, int col, int width, enum screen_role role,
                const char *text)
{
    return put(s, row, col, width, role, text ? text : "");
}

int screen_glyphs_text(struct screen *s, int row, int col, int width, enum screen_role role,
                       const char *text)
{
    /* Our own glyphs pass the sanitiser unchanged; going through it still
     * clips them to the width. */
    return put(s, row, col, width, role, text ? text : "");
}

void screen_fill(struct screen *s, int row, int col, int width, enum screen_role role)
{
    if (row < 0 || row >= LINES || col < 0 || col >= COLS)
        return;
    if (width > COLS - col)
        width = COLS - col;
    wattrset(stdscr, s->role_attr[role]);
    mvwhline(stdscr, row, col, ' ', width);
    wattrset(stdscr, A_NORMAL);
}

void screen_rule(struct screen *s, int row, const char *title)
{
    if (row < 0 || row >= LINES)
        return;
    char line[TEXT_MAX];
    size_t glyph = strlen(s->glyphs->hline), used = 0;
    for (int col = 0; col < COLS && used + glyph < sizeof line; col++, used += glyph)
        memcpy(line + used, s->glyphs->hline, glyph);
    line[used] = '\0';
    put(s, row, 0, COLS, ROLE_DIM, line);
    if (title && *title) {
        char text[256];
        snprintf(text, sizeof text, " %s ", title);
        put(s, row, 2, COLS - 4, ROLE_TITLE, text);
    }
}

enum screen_role screen_state_role(enum safe_state state)
{
    switch (state) {
    case SAFE_STATE_OK: return ROLE_OK;
    case SAFE_STATE_WARN: return ROLE_WARN;
    case SAFE_STATE_UNSAFE: return ROLE_UNSAFE;
    default: return ROLE_NORMAL;
    }
}

enum screen_role screen_kiosk_role(enum safe_state state)
{
    switch (state) {
    case SAFE_STATE_OK: return ROLE_KIOSK_OK;
    case SAFE_STATE_WARN: return ROLE_KIOSK_WARN;
    case SAFE_STATE_UNSAFE: return ROLE_KIOSK_UNSAFE;
    default: return ROLE_KIOSK_NONE;
    }
}

void screen_bell(struct screen *s)
{
    (void)s;
    beep();
}

void screen_flash(struct screen *s)
{
    (void)s;
    flash();
}
