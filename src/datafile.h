/* datafile.h — where occtop's data files are: $OCCTOP_DATA_DIR, then the
 * installed package data directory, then ./data (running from the source
 * tree, as the README's quick start does). */
#ifndef OCCTOP_DATAFILE_H
#define OCCTOP_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the first existing path of `relative` (e.g. "demo-campus.json")
 * into out and returns true; false (out holds the installed path, for the
 * message that it is missing) when none exists. */
bool datafile_find(const char *relative, char *out, size_t out_size);

#endif
