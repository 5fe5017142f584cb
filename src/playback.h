/* playback.h — occtop --replay RECORDING --batch: a --record recording
 * played back through the live model, at the recorded speed (or --speed N
 * times it), printed as live batch mode prints live data, with REPLAY as the
 * connection state. */
#ifndef OCCTOP_PLAYBACK_H
#define OCCTOP_PLAYBACK_H

#include "options.h"
#include "wire/recording.h"

/* Plays the recording the options describe and closes it; returns an exit
 * status.  Pacing follows the recorded receive times; --interval S prints
 * the table every S seconds of recorded time, --iterations and --duration
 * (recorded seconds) end it early, --at TIME ends it at TIME with the table
 * as of then.  SIGINT and SIGTERM end it at once, even inside a long gap. */
int playback_run(const struct options *options, struct recording *recording);

#endif
