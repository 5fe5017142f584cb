/* kiosk.h — the Safe-Display view: one space's count in big digits that
 * scale with the terminal, "COME IN" or "PLEASE WAIT", percent full, and the
 * state's colour over the whole screen (with bold and reverse as well, so
 * the state never rests on colour alone). */
#ifndef OCCTOP_UI_KIOSK_H
#define OCCTOP_UI_KIOSK_H

#include <stdint.h>

struct monitor;

void kiosk_draw(struct monitor *monitor, int64_t now_ms);

#endif
