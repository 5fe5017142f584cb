/* batch.h — non-interactive output: the site's hierarchy as a text table or
 * as JSON, for scripts, cron jobs and people without a terminal UI. */
#ifndef OCCTOP_UI_BATCH_H
#define OCCTOP_UI_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/site.h"

struct batch_options {
    bool json;
    bool ascii;            /* text output: only printable ASCII */
    double warn_fraction;  /* the warning band, SAFE_DEFAULT_WARN_FRACTION by default */
};

/* Prints the tree in walk order (site_link() must have run).  Every name and
 * id is sanitised for the terminal (text) or escaped to ASCII (JSON).
 * Returns 0, or -1 if writing failed (errno is set). */
int batch_print_site(FILE *out, const struct site *site, const struct batch_options *options);

/* The words for a space's marks (enum space_flag), e.g. "orphan,dup-id";
 * "" when it has none. */
void batch_marks(uint32_t flags, char *out, size_t out_size);

#endif
