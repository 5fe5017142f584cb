/* main.c — options, then the mode: wiring only, the work is in the layers. */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/safe.h"
#include "core/site.h"
#include "options.h"
#include "client.h"
#include "datafile.h"
#include "replay.h"
#include "serve.h"
#include "user_config.h"
#include "ui/batch.h"
#include "version.h"
#include "watch.h"
#include "wire/site_file.h"

#ifndef OCCTOP_DATADIR
#define OCCTOP_DATADIR "/usr/local/share/occtop"
#endif

static char default_site_path[512];

static bool locale_is_utf8(void)
{
    const char *codeset = nl_langinfo(CODESET);
    return codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/* Problems found in the site are warnings: the site is still shown, with
 * the affected spaces marked. */
static void report_problems(const struct site *site, const char *path)
{
    for (size_t i = 0; i < site->problem_count; i++)
        fprintf(stderr, "occtop: warning: %s: %s\n", path, site->problems[i].message);
}

static int run_batch(const struct options *options)
{
    const char *path = options->site_path;
    struct site *site = site_new();
    struct wire_error error;
    if (!site) {
        fprintf(stderr, "occtop: out of memory\n");
        return EXIT_BAD_INPUT;
    }
    if (site_file_load(site, path, &error) != 0) {
        fprintf(stderr, "occtop: %s\n", error.message);
        site_free(site);
        return EXIT_BAD_INPUT;
    }
    report_problems(site, path);

    struct batch_options batch = {
        .json = options->format == FORMAT_JSON,
        .ascii = options->ascii,
        .warn_fraction = SAFE_DEFAULT_WARN_FRACTION,
    };
    int status = EXIT_OK;
    if (batch_print_site(stdout, site, &batch) != 0) {
        fprintf(stderr, "occtop: cannot write the output: %s\n", strerror(errno));
        status = EXIT_BAD_INPUT;
    }
    site_free(site);
    return status;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    struct options options;
    char error[256];
    if (options_parse(argc, argv, &options, error, sizeof error) != 0) {
        fprintf(stderr, "occtop: %s\nTry 'occtop --help'.\n", error);
        return EXIT_USAGE;
    }
    if (!locale_is_utf8())
        options.ascii = true;
    /* Before the config file: --help and --version work whatever it holds
     * (a bug report starts with --version). */
    if (options.mode == MODE_HELP) {
        options_print_help(stdout);
        return EXIT_OK;
    }
    if (options.mode == MODE_VERSION) {
        version_print(stdout);
        return EXIT_OK;
    }
    /* The demo's client talks to its own server on 127.0.0.1 only; a proxy
     * from the environment would take that loopback traffic (libcurl unless
     * no_proxy says otherwise, libwebsockets always: it reads http_proxy and
     * ignores no_proxy), and the demo would not start behind a company
     * proxy.  Before any thread exists: setenv is not thread-safe. */
    if (options.demo) {
        static const char *const proxies[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
                                               "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
        for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
            unsetenv(proxies[i]);
    }
    /* Live data unless a site file is named: from --api-url, DENSITY_API_URL,
     * the config file, or Density itself when only a token is known. */
    struct user_config config;
    if (user_config_load(&config, error, sizeof error) != 0) {
        fprintf(stderr, "occtop: %s\n", error);
        return EXIT_BAD_INPUT;
    }
    const char *env_url = getenv("DENSITY_API_URL"), *env_token = getenv("DENSITY_API_TOKEN");
    const char *api_url = options.api_url ? options.api_url
                        : env_url && *env_url ? env_url
                        : config.api_url[0] ? config.api_url : NULL;
    bool have_token = options.token || options.token_file || (env_token && *env_token) ||
                      config.token[0];
    bool live = options.mode == MODE_BATCH &&
                (options.demo || (!options.site_path && (api_url || have_token)));
    if (!api_url)
        api_url = "https://api.density.io/v2";
    if (!options.site_path) {
        datafile_find("demo-campus.json", default_site_path, sizeof default_site_path);
        options.site_path = default_site_path;
    }
    switch (options.mode) {
    case MODE_BATCH:
    {
        int status = live ? client_run(&options, api_url, config.token) : run_batch(&options);
        user_config_clear(&config);
        return status;
    }
    case MODE_MONITOR:
    {
        int status = watch_run(&options, api_url, config.token);
        user_config_clear(&config);
        return status;
    }
    case MODE_REPLAY:
        return replay_run(&options);
    case MODE_SERVE:
        return serve_run(&options);
    default:
        return EXIT_USAGE;
    }
}
