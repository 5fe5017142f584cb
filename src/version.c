/* version.c — report the library versions found at run time, not at build
 * time: a bug report needs what actually ran. */
#include "config.h"

#include "version.h"

#include <curl/curl.h>
#include <curses.h>
#include <jansson.h>
#include <libwebsockets.h>

void version_print(FILE *out)
{
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "occtop %s\n", PACKAGE_VERSION);
    fprintf(out, "libraries: %s, libwebsockets %s, libcurl %s%s%s, jansson %s\n",
            curses_version(), lws_get_library_version(), curl->version,
            curl->ssl_version ? " with " : "", curl->ssl_version ? curl->ssl_version : "",
            jansson_version_str());
}
