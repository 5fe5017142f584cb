/* datafile.c — finding the data files. */
#include "config.h"

#include "datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifndef OCCTOP_DATADIR
#define OCCTOP_DATADIR "/usr/local/share/occtop"
#endif

bool datafile_find(const char *relative, char *out, size_t out_size)
{
    const char *env = getenv("OCCTOP_DATA_DIR");
    const char *dirs[] = { env && *env ? env : NULL, OCCTOP_DATADIR, "data" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        struct stat st;
        if (!dirs[i])
            continue;
        int n = snprintf(out, out_size, "%s/%s", dirs[i], relative);
        if (n > 0 && (size_t)n < out_size && stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return true;
    }
    snprintf(out, out_size, "%s/%s", OCCTOP_DATADIR, relative);
    return false;
}
