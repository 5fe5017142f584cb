/* fuzz_request.c — the mock server's request path: routing of the path, the
 * query parameters (paging, times, order, interval), authorization, the rate
 * limit, PUT bodies and socket codes, through api_handle() (net/api.h) as
 * net/server.c calls it, without HTTP.
 *
 * Input: up to 8 requests separated by NUL bytes, each
 *   METHOD TARGET          e.g. "GET /v2/spaces/spc_1/counts/?start_time=...&page=2"
 *   Header: value          optional lines; "Authorization: ..." replaces the
 *                          valid token, "Authorization" alone sends none,
 *                          "Wall: N" moves the clock by N seconds
 *   (blank line)
 *   body                   bytes up to the next NUL, in a buffer of exactly
 *                          that length (the api must not need a NUL after it)
 * The path is percent-decoded, the query split at '&' and '=' and each part
 * percent-decoded ('+' is a space), as lws does for server.c (at most 32
 * parameters of 1 KiB).  METHOD "CLAIM" presents the code of the last
 * POST /sockets answer as a websocket handshake would, "WS" the code given
 * in the query.
 *
 * Each input gets a fresh site, engine and api (rate limit 5 a minute, so
 * 429 is reachable), with a few events fed, so that inputs do not depend on
 * each other.
 *
 * Checks: the status is one the api documents (a 500 is out of memory,
 * which does not happen here); a 204 has no body, any other a JSON object
 * of body_length bytes; an error body's "detail" is terminal-safe; a 405
 * says Allow; a 429 says Retry-After. */
#include <stdlib.h>
#include <strings.h>

#include "core/engine.h"
#include "fuzz_check.h"
#include "net/api.h"
#include "wire/site_file.h"

#define TOKEN "tok_fuzz"
#define MAX_REQUESTS 8
#define MAX_PARAMS 32
#define MAX_PARAM 1024
#define WALL_MS INT64_C(1709553600000) /* 2024-03-04T12:00:00Z */

/* The site of tests/unit/test_api.c, a little smaller. */
static const char site_json[] =
    "{\"name\": \"fuzz site\", \"spaces\": ["
    " {\"id\": \"spc_bldg\", \"name\": \"HQ\", \"space_type\": \"building\","
    "  \"current_count\": 40, \"capacity\": 100, \"tags\": [\"hq\"],"
    "  \"time_zone\": \"Europe/Paris\", \"safe_capacity\": 80, \"safe_threshold_mode\": \"SAFE_CAPACITY\"},"
    " {\"id\": \"spc_floor\", \"name\": \"Floor 1\", \"space_type\": \"floor\","
    "  \"parent_id\": \"spc_bldg\", \"target_capacity\": 10, \"tags\": [\"hq\", \"open\"]},"
    " {\"id\": \"spc_cafe\", \"name\": \"Cafe\", \"parent_id\": \"spc_floor\","
    "  \"function\": \"cafe\", \"capacity\": 20, \"target_capacity\": 10, \"tags\": [\"food\"]},"
    " {\"id\": \"spc_room1\", \"name\": \"Room 1\"},"
    " {\"id\": \"spc_room1\", \"name\": \"Room 1 again\"}"
    "], \"doorways\": ["
    " {\"id\": \"drw_front\", \"name\": \"Front Door\", \"sensor_serial_number\": \"SN1\","
    "  \"tags\": [\"hq\"], \"spaces\": ["
    "   {\"id\": \"spc_bldg\", \"link_id\": \"lnk_1\", \"sensor_placement\": 1},"
    "   {\"id\": \"spc_floor\", \"link_id\": \"lnk_2\", \"sensor_placement\": 1}]},"
    " {\"id\": \"drw_cafe\", \"name\": \"Cafe Door\", \"sensor_serial_number\": \"SN2\","
    "  \"tags\": [\"food\"], \"spaces\": ["
    "   {\"id\": \"spc_cafe\", \"link_id\": \"lnk_3\", \"sensor_placement\": 1},"
    "   {\"id\": \"spc_floor\", \"link_id\": \"lnk_4\", \"sensor_placement\": -1}]}"
    "], \"sensors\": ["
    " {\"serial_number\": \"SN1\", \"doorway_id\": \"drw_front\", \"status\": \"online\","
    "  \"last_heartbeat\": \"2024-03-04T09:59:00Z\"},"
    " {\"serial_number\": \"SN2\", \"doorway_id\": \"drw_cafe\", \"status\": \"offline\"}"
    "]}";

struct world {
    struct site *site;
    struct engine *engine;
    struct api *api;
    char code[128]; /* from the last POST /sockets */
};

static void record_space_event(void *context, site_index space, const struct space_event *event)
{
    api_record_space_event(context, space, event);
}

static void world_open(struct world *w)
{
    memset(w, 0, sizeof *w);
    w->site = site_new();
    struct wire_error err;
    FUZZ_ASSERT(w->site && site_file_parse(w->site, site_json, sizeof site_json - 1, "site",
                                           &err) == 0,
                "the fuzzer's site: %s", err.message);
    int64_t start = WALL_MS - 3 * 3600 * 1000;
    /* Smaller than the defaults (a week of history, 65536 ids): a fresh
     * engine for every input must be cheap. */
    struct engine_config engine_config;
    engine_config_defaults(&engine_config);
    engine_config.history_minutes = 2 * 24 * 60;
    engine_config.dedupe_ids = 256;
    w->engine = engine_new(w->site, NULL, &engine_config, start);
    FUZZ_ASSERT(w->engine != NULL, "engine_new");
    struct api_config config = {
        .token = TOKEN,
        .rate_limit = 5,
        .base_url = "http://mock.test:8080/v2",
        .seed = 7,
        .event_log_capacity = 16,
    };
    w->api = api_new(w->site, w->engine, NULL, &config);
    FUZZ_ASSERT(w->api != NULL, "api_new");
    struct engine_sink sink = { .context = w->api, .space_event = record_space_event };
    engine_set_sink(w->engine, &sink);
    static const struct {
        const char *serial;
        int minute, trajectory;
    } feed[] = { { "SN1", 5, 1 }, { "SN1", 6, 1 }, { "SN2", 20, 1 },
                 { "SN2", 61, -1 }, { "SN1", 125, -1 }, { "SN9", 130, 1 } };
    for (size_t i = 0; i < sizeof feed / sizeof feed[0]; i++) {
        struct sensor_event e;
        memset(&e, 0, sizeof e);
        snprintf(e.id, sizeof e.id, "raw-%zu", i);
        snprintf(e.sensor_serial, sizeof e.sensor_serial, "%s", feed[i].serial);
        e.timestamp_ms = start + feed[i].minute * 60000;
        e.trajectory = feed[i].trajectory;
        engine_apply_event(w->engine, &e);
        api_record_sensor_event(w->api, &e);
    }
    api_set_sensor_status(w->api, 0, true, start);
}

static void world_close(struct world *w)
{
    api_free(w->api);
    engine_free(w->engine);
    site_free(w->site);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes text[0..len) into out (NUL-terminated, cut to out_size). */
static void decode(const char *text, size_t len, bool plus_is_space, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < out_size; i++) {
        char c = text[i];
        if (c == '%' && i + 2 < len && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            c = (char)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

/* The socket code in a POST /sockets answer's url ("...?code=XYZ"). */
static void remember_code(struct world *w, const json_t *body)
{
    const char *url = json_string_value(json_object_get(body, "url"));
    const char *code = url ? strstr(url, "code=") : NULL;
    if (code)
        snprintf(w->code, sizeof w->code, "%s", code + 5);
}

static void check_response(struct world *w, const struct api_response *r)
{
    static const int statuses[] = { 200, 201, 204, 400, 403, 404, 405, 429 };
    bool known = false;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        known = known || r->status == statuses[i];
    FUZZ_ASSERT(known, "status %d", r->status);
    if (r->status == 204) {
        FUZZ_ASSERT(r->body == NULL, "a 204 with a body");
        return;
    }
    FUZZ_ASSERT(r->body != NULL, "a %d without a body", r->status);
    FUZZ_ASSERT(strlen(r->body) == r->body_length, "body_length %zu for %zu bytes",
                r->body_length, strlen(r->body));
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_length, 0, &jerr);
    FUZZ_ASSERT(json_is_object(body), "the body is not a JSON object: %s", jerr.text);
    if (r->status >= 400) {
        const char *detail = json_string_value(json_object_get(body, "detail"));
        FUZZ_ASSERT(detail != NULL, "a %d without a detail", r->status);
        fuzz_assert_safe(detail, "detail");
    }
    if (r->status == 405)
        FUZZ_ASSERT(r->allow != NULL, "a 405 without Allow");
    if (r->status == 429)
        FUZZ_ASSERT(r->retry_after_seconds > 0, "a 429 without Retry-After");
    if (r->status == 200 && json_object_get(body, "url"))
        remember_code(w, body);
    json_decref(body);
}

static void one_request(struct world *w, const char *text, size_t len, int64_t *wall_ms)
{
    /* The request line. */
    const char *nl = memchr(text, '\n', len);
    size_t line_len = nl ? (size_t)(nl - text) : len;
    if (line_len > 0 && text[line_len - 1] == '\r')
        line_len--;
    const char *space = memchr(text, ' ', line_len);
    char method[16];
    size_t method_len = space ? (size_t)(space - text) : line_len;
    snprintf(method, sizeof method, "%.*s", (int)(method_len < 15 ? method_len : 15), text);
    const char *target = space ? space + 1 : "/";
    size_t target_len = space ? line_len - method_len - 1 : 1;

    /* Headers, then the body. */
    char authorization[600];
    snprintf(authorization, sizeof authorization, "Bearer " TOKEN);
    bool has_authorization = true;
    const char *body = NULL;
    size_t body_len = 0;
    size_t at = nl ? (size_t)(nl - text) + 1 : len;
    while (at < len) {
        const char *end = memchr(text + at, '\n', len - at);
        size_t n = end ? (size_t)(end - (text + at)) : len - at;
        const char *h = text + at;
        at += n + (end ? 1 : 0);
        if (n > 0 && h[n - 1] == '\r')
            n--;
        if (n == 0) {
            body = text + at;
            body_len = len - at;
            break;
        }
        if (n >= 14 && strncasecmp(h, "authorization:", 14) == 0) {
            size_t skip = 14 + (n > 14 && h[14] == ' ');
            snprintf(authorization, sizeof authorization, "%.*s", (int)(n - skip), h + skip);
        } else if (n == 13 && strncasecmp(h, "authorization", 13) == 0) {
            has_authorization = false;
        } else if (n >= 5 && strncasecmp(h, "wall:", 5) == 0) {
            char number[32];
            snprintf(number, sizeof number, "%.*s", (int)(n - 5 < 31 ? n - 5 : 31), h + 5);
            long long seconds = strtoll(number, NULL, 10) % (400LL * 86400);
            *wall_ms += seconds * 1000;
        }
    }

    /* The path and the query, decoded as lws does. */
    const char *query = memchr(target, '?', target_len);
    size_t path_len = query ? (size_t)(query - target) : target_len;
    char *path = malloc(path_len + 1);
    FUZZ_ASSERT(path != NULL, "out of memory");
    decode(target, path_len, false, path, path_len + 1);
    static char storage[MAX_PARAMS][MAX_PARAM];
    struct api_param params[MAX_PARAMS];
    size_t count = 0;
    const char *p = query ? query + 1 : NULL;
    const char *query_end = target + target_len;
    while (p && p < query_end && count < MAX_PARAMS) {
        const char *amp = memchr(p, '&', (size_t)(query_end - p));
        size_t n = amp ? (size_t)(amp - p) : (size_t)(query_end - p);
        decode(p, n, true, storage[count], MAX_PARAM);
        char *equals = strchr(storage[count], '=');
        params[count].name = storage[count];
        params[count].value = equals ? equals + 1 : "";
        if (equals)
            *equals = '\0';
        count++;
        p = amp ? amp + 1 : NULL;
    }

    if (strcmp(method, "CLAIM") == 0 || strcmp(method, "WS") == 0) {
        const char *code = w->code;
        if (method[0] == 'W') {
            code = NULL;
            for (size_t i = 0; i < count; i++)
                if (strcmp(params[i].name, "code") == 0)
                    code = params[i].value;
        }
        if (code)
            api_claim_socket_code(w->api, code, *wall_ms);
        free(path);
        return;
    }

    char *exact_body = NULL;
    if (body_len > 0) {
        exact_body = malloc(body_len);
        FUZZ_ASSERT(exact_body != NULL, "out of memory");
        memcpy(exact_body, body, body_len);
    }
    struct api_request request = {
        .method = method,
        .path = path,
        .params = params,
        .param_count = count,
        .authorization = has_authorization ? authorization : NULL,
        .body = exact_body,
        .body_length = body_len,
        .wall_ms = *wall_ms,
    };
    struct api_response response;
    api_handle(w->api, &request, &response);
    static int verbose = -1; /* FUZZ_VERBOSE=1: what each request got, for writing seeds */
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "%s %s -> %d %.200s\n", method, path, response.status,
                response.body ? response.body : "");
    check_response(w, &response);
    api_response_clear(&response);
    free(exact_body);
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct world w;
    world_open(&w);
    int64_t wall_ms = WALL_MS;
    const char *text = (const char *)data;
    size_t at = 0;
    for (int i = 0; i < MAX_REQUESTS && at < size; i++) {
        const char *nul = memchr(text + at, '\0', size - at);
        size_t len = nul ? (size_t)(nul - (text + at)) : size - at;
        if (len > 0)
            one_request(&w, text + at, len, &wall_ms);
        at += len + 1;
    }
    world_close(&w);
    return 0;
}
