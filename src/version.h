/* version.h — occtop's version and the versions of the libraries it runs with. */
#ifndef OCCTOP_VERSION_H
#define OCCTOP_VERSION_H

#include <stdio.h>

void version_print(FILE *out);

#endif
