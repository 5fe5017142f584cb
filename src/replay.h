/* replay.h — occtop --replay FILE --site SITE --batch: a raw sensor log fed
 * through the counting engine, and the counts (or history) that result. */
#ifndef OCCTOP_REPLAY_H
#define OCCTOP_REPLAY_H

#include "options.h"

/* Runs the replay the options describe; returns an exit status. */
int replay_run(const struct options *options);

#endif
