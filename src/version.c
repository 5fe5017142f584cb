/* version.c — report the library versions found at run time, not at build
 * time: a bug report needs what actually ran.  Each of the four libraries
 * answers at run time (curses_version, lws_get_library_version,
 * curl_version_info, jansson_version_str), so the first line is what the
 * dynamic linker loaded; the second line, from the headers, is what occtop
 * was compiled against, so that a mismatch (a library upgraded under an old
 * build, or a build against headers other than the runtime's) shows. */
#include "config.h"

#include "version.h"

#include <curl/curl.h>
#include <curses.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <string.h>

/* lws's version strings end in "-" and its git hash, empty in a release. */
static int lws_length(const char *version)
{
    size_t n = strlen(version);
    while (n && version[n - 1] == '-')
        n--;
    return n > 64 ? 64 : (int)n;
}

void version_print(FILE *out)
{
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    const char *lws = lws_get_library_version();
    fprintf(out, "occtop %s\n", PACKAGE_VERSION);
    fprintf(out, "libraries: %s, libwebsockets %.*s, libcurl %s%s%s, jansson %s\n",
            curses_version(), lws_length(lws), lws, curl->version,
            curl->ssl_version ? " with " : "", curl->ssl_version ? curl->ssl_version : "",
            jansson_version_str());
    fprintf(out, "built with: ncurses %s.%d, libwebsockets %.*s, libcurl %s, jansson %s\n",
            NCURSES_VERSION, NCURSES_VERSION_PATCH, lws_length(LWS_LIBRARY_VERSION),
            LWS_LIBRARY_VERSION, LIBCURL_VERSION, JANSSON_VERSION);
}
