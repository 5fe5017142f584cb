/* test_api.c — the mock server's API (net/api.h), request by request.
 *
 * A small site (below) runs in a real engine; a handful of sensor events,
 * worked out by hand, go through it with a sink that records the space
 * events in the api, as the server does.  Each test then sends crafted
 * requests to api_handle() and checks the status and the parsed JSON body:
 * the numbers against the hand-worked values, the shapes against the
 * reference's own examples (tests/fixtures/api). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/timefmt.h"
#include "fixture.h"
#include "net/api.h"
#include "wire/site_file.h"

#define TOKEN "tok_5ecret-Token"
#define BASE "http://mock.test:8080/v2"
#define WALL "2024-03-04T12:00:00Z"

/* Spaces: HQ (building, starts at 40 people) > Floor 1 > Cafe; four rooms at
 * the top level, and a second "spc_room1" that repeats an id.  The front
 * door counts HQ and Floor 1 (sensor inside both); the cafe door is
 * interior: +1 for the cafe, -1 for the floor. */
static const char site_json[] =
    "{\"name\": \"API test site\", \"spaces\": ["
    " {\"id\": \"spc_bldg\", \"name\": \"HQ\", \"space_type\": \"building\","
    "  \"current_count\": 40, \"capacity\": 100, \"tags\": [\"hq\"]},"
    " {\"id\": \"spc_floor\", \"name\": \"Floor 1\", \"space_type\": \"floor\","
    "  \"parent_id\": \"spc_bldg\", \"target_capacity\": 10, \"tags\": [\"hq\", \"open\"]},"
    " {\"id\": \"spc_cafe\", \"name\": \"Cafe\", \"parent_id\": \"spc_floor\","
    "  \"function\": \"cafe\", \"capacity\": 20, \"target_capacity\": 10, \"tags\": [\"food\"]},"
    " {\"id\": \"spc_room1\", \"name\": \"Room 1\"},"
    " {\"id\": \"spc_room2\", \"name\": \"Room 2\"},"
    " {\"id\": \"spc_room3\", \"name\": \"Room 3\"},"
    " {\"id\": \"spc_room4\", \"name\": \"Room 4\"},"
    " {\"id\": \"spc_room1\", \"name\": \"Room 1 again\"}"
    "], \"doorways\": ["
    " {\"id\": \"drw_front\", \"name\": \"Front Door\", \"sensor_serial_number\": \"SN1\","
    "  \"tags\": [\"hq\"], \"spaces\": ["
    "   {\"id\": \"spc_bldg\", \"link_id\": \"lnk_1\", \"sensor_placement\": 1},"
    "   {\"id\": \"spc_floor\", \"link_id\": \"lnk_2\", \"sensor_placement\": 1}]},"
    " {\"id\": \"drw_cafe\", \"name\": \"Cafe Door\", \"sensor_serial_number\": \"SN2\","
    "  \"tags\": [\"food\"], \"spaces\": ["
    "   {\"id\": \"spc_cafe\", \"link_id\": \"lnk_3\", \"sensor_placement\": 1},"
    "   {\"id\": \"spc_floor\", \"link_id\": \"lnk_4\", \"sensor_placement\": -1}]},"
    " {\"id\": \"drw_room1\", \"name\": \"Room 1 Door\", \"sensor_serial_number\": \"SN3\","
    "  \"spaces\": [{\"id\": \"spc_room1\", \"link_id\": \"lnk_5\", \"sensor_placement\": 1}]}"
    "], \"sensors\": ["
    " {\"serial_number\": \"SN1\", \"doorway_id\": \"drw_front\", \"status\": \"online\","
    "  \"last_heartbeat\": \"2024-03-04T09:59:00Z\"},"
    " {\"serial_number\": \"SN2\", \"doorway_id\": \"drw_cafe\", \"status\": \"online\"},"
    " {\"serial_number\": \"SN3\", \"doorway_id\": \"drw_room1\", \"status\": \"offline\"}"
    "]}";

/* The canonical spaces, in file order. */
static const char *const all_spaces[] = { "spc_bldg",  "spc_floor", "spc_cafe", "spc_room1",
                                          "spc_room2", "spc_room3", "spc_room4" };
#define SPACE_COUNT 7

struct fx {
    struct site *site;
    struct engine *engine;
    struct api *api;
    int64_t wall_ms;
};

static void record_space_event(void *context, site_index space, const struct space_event *event)
{
    api_record_space_event(context, space, event);
}

static struct fx *fx_new_with(int rate_limit, uint64_t seed, size_t log_capacity)
{
    struct fx *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->site = site_new();
    assert_non_null(fx->site);
    struct wire_error err;
    wire_error_clear(&err);
    if (site_file_parse(fx->site, site_json, strlen(site_json), "test site", &err) != 0)
        fail_msg("%s", err.message);
    fx->engine = engine_new(fx->site, NULL, NULL, fixture_ms("2024-03-04T09:00:00Z"));
    assert_non_null(fx->engine);
    struct api_config config = {
        .token = TOKEN,
        .rate_limit = rate_limit,
        .base_url = BASE "/", /* a trailing slash is tolerated */
        .socket_url = NULL,   /* derived: ws://mock.test:8080/v2/ */
        .seed = seed,
        .event_log_capacity = log_capacity,
    };
    fx->api = api_new(fx->site, fx->engine, NULL, &config);
    assert_non_null(fx->api);
    struct engine_sink sink = { .context = fx->api, .space_event = record_space_event };
    engine_set_sink(fx->engine, &sink);
    fx->wall_ms = fixture_ms(WALL);
    return fx;
}

static void fx_free(struct fx *fx)
{
    api_free(fx->api);
    engine_free(fx->engine);
    site_free(fx->site);
    free(fx);
}

/* One crossing, through the engine (space events) and into the sensor log. */
static void feed(struct fx *fx, const char *id, const char *serial, const char *iso,
                 int trajectory)
{
    struct sensor_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.id, sizeof e.id, "%s", id);
    snprintf(e.sensor_serial, sizeof e.sensor_serial, "%s", serial);
    e.timestamp_ms = fixture_ms(iso);
    e.trajectory = trajectory;
    assert_int_equal(engine_apply_event(fx->engine, &e), ENGINE_APPLIED);
    api_record_sensor_event(fx->api, &e);
}

/* The day's traffic.  Per space, worked out by hand:
 *   HQ      40 + E1 E2 E3 E11 - E7                  = 43  (4 in, 1 out)
 *   Floor 1  0 + E1 E2 E3 E6 E11 - E4 E7            = 3   (5 in, 2 out)
 *   Cafe     0 + E4 - E6                            = 0
 *   Room 1   0 + E5 E8 E10 - E9                     = 2
 * E11 arrives last but happened at 10:04. */
static void feed_day(struct fx *fx)
{
    feed(fx, "raw-1", "SN1", "2024-03-04T10:00:10Z", 1);
    feed(fx, "raw-2", "SN1", "2024-03-04T10:00:20Z", 1);
    feed(fx, "raw-3", "SN1", "2024-03-04T10:01:05Z", 1);
    feed(fx, "raw-4", "SN2", "2024-03-04T10:02:00Z", 1);
    feed(fx, "raw-5", "SN3", "2024-03-04T10:03:00Z", 1);
    feed(fx, "raw-6", "SN2", "2024-03-04T10:05:30Z", -1);
    feed(fx, "raw-7", "SN1", "2024-03-04T10:10:00Z", -1);
    feed(fx, "raw-8", "SN3", "2024-03-04T10:20:00Z", 1);
    feed(fx, "raw-9", "SN3", "2024-03-04T10:21:00Z", -1);
    feed(fx, "raw-10", "SN3", "2024-03-04T10:22:00Z", 1);
    feed(fx, "raw-11", "SN1", "2024-03-04T10:04:00Z", 1);
}

static struct fx *fx_new(void)
{
    struct fx *fx = fx_new_with(0, 42, 0);
    feed_day(fx);
    return fx;
}

/* --- requests ------------------------------------------------------------------------ */

#define MAX_PARAMS 16

struct reply {
    int status;
    json_t *json; /* every answer must be a JSON object */
    int retry_after;
    const char *allow;
};

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

/* Percent-decodes text[0..len) into a new string, as the server does. */
static char *decode(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '%' && i + 2 < len && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out[n++] = (char)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out[n++] = text[i];
        }
    }
    out[n] = '\0';
    return out;
}

/* Sends `target` — a path with an optional query ("/v2/spaces/?page=2") or an
 * absolute URL under BASE, as next/previous give them. */
static struct reply send_full(struct fx *fx, const char *method, const char *target,
                              const char *authorization, const char *body)
{
    if (strncmp(target, BASE, strlen(BASE)) == 0)
        target += strlen(BASE) - strlen("/v2");
    const char *query = strchr(target, '?');
    size_t path_length = query ? (size_t)(query - target) : strlen(target);
    char *path = decode(target, path_length);
    struct api_param params[MAX_PARAMS];
    size_t count = 0;
    for (const char *p = query ? query + 1 : NULL; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        assert_true(count < MAX_PARAMS);
        params[count].name = decode(p, eq ? (size_t)(eq - p) : len);
        params[count].value = eq ? decode(eq + 1, len - (size_t)(eq + 1 - p)) : decode("", 0);
        count++;
        p = amp ? amp + 1 : NULL;
    }
    struct api_request request = {
        .method = method,
        .path = path,
        .params = params,
        .param_count = count,
        .authorization = authorization,
        .body = body,
        .body_length = body ? strlen(body) : 0,
        .wall_ms = fx->wall_ms,
    };
    struct api_response response;
    api_handle(fx->api, &request, &response);
    struct reply reply = { response.status, NULL, response.retry_after_seconds, response.allow };
    assert_non_null(response.body);
    assert_int_equal(strlen(response.body), response.body_length);
    json_error_t error;
    reply.json = json_loadb(response.body, response.body_length, 0, &error);
    if (!reply.json || !json_is_object(reply.json))
        fail_msg("%s %s: the body is not a JSON object: %s", method, target, response.body);
    api_response_clear(&response);
    assert_null(response.body);
    for (size_t i = 0; i < count; i++) {
        free((char *)params[i].name);
        free((char *)params[i].value);
    }
    free(path);
    return reply;
}

static struct reply send_request(struct fx *fx, const char *method, const char *target,
                                 const char *body)
{
    return send_full(fx, method, target, "Bearer " TOKEN, body);
}

static struct reply get(struct fx *fx, const char *target)
{
    return send_request(fx, "GET", target, NULL);
}

static void reply_free(struct reply *reply)
{
    json_decref(reply->json);
    reply->json = NULL;
}

/* Fails unless the reply has `status`. */
static void expect_status(const struct reply *reply, int status)
{
    if (reply->status != status) {
        char *text = json_dumps(reply->json, JSON_COMPACT);
        fail_msg("expected %d, got %d: %s", status, reply->status, text ? text : "?");
    }
}

static const char *detail(const struct reply *reply)
{
    const char *text = json_string_value(json_object_get(reply->json, "detail"));
    if (!text)
        fail_msg("no \"detail\" string in the error body");
    return text;
}

/* A 400 whose detail starts with the parameter's name. */
static void expect_bad(struct fx *fx, const char *target, const char *parameter)
{
    struct reply r = get(fx, target);
    expect_status(&r, 400);
    if (strncmp(detail(&r), parameter, strlen(parameter)) != 0)
        fail_msg("%s: the detail does not start with \"%s\": %s", target, parameter, detail(&r));
    reply_free(&r);
}

static const char *string_at(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_string(value))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(value);
}

static json_int_t integer_at(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_integer(value))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(value);
}

static const json_t *results_of(const struct reply *reply)
{
    const json_t *results = json_object_get(reply->json, "results");
    assert_true(json_is_array(results));
    return results;
}

static int64_t timestamp_at(const json_t *object, const char *key)
{
    int64_t ms;
    assert_true(timefmt_parse(string_at(object, key), &ms, TIMEFMT_UTC_ONLY));
    return ms;
}

/* --- authentication ------------------------------------------------------------------ */

static void expect_forbidden(struct fx *fx, const char *target, const char *authorization)
{
    struct reply r = send_full(fx, "GET", target, authorization, NULL);
    expect_status(&r, 403);
    assert_true(strlen(detail(&r)) > 0);
    reply_free(&r);
}

static void test_authentication(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_forbidden(fx, "/v2/spaces/", NULL);
    expect_forbidden(fx, "/v2/spaces/", "");
    expect_forbidden(fx, "/v2/spaces/", "Bearer");
    expect_forbidden(fx, "/v2/spaces/", "Bearer ");
    expect_forbidden(fx, "/v2/spaces/", "Bearer wrong");
    expect_forbidden(fx, "/v2/spaces/", "Bearer tok_5ecret-Toke");   /* a prefix */
    expect_forbidden(fx, "/v2/spaces/", "Bearer tok_5ecret-TokenX"); /* longer */
    expect_forbidden(fx, "/v2/spaces/", "Bearer TOK_5ECRET-TOKEN");  /* tokens are exact */
    expect_forbidden(fx, "/v2/spaces/", "Basic " TOKEN);
    expect_forbidden(fx, "/v2/spaces/", TOKEN);
    expect_forbidden(fx, "/v2/spaces/", "Bearer" TOKEN);
    /* Unknown paths are not revealed to strangers: 403, not 404. */
    expect_forbidden(fx, "/v2/no/such/thing/", NULL);
    expect_forbidden(fx, "/v2/sockets", "Bearer nope");

    /* The scheme in any case, extra spaces, trailing blanks. */
    const char *good[] = { "Bearer " TOKEN, "bearer " TOKEN, "BEARER  " TOKEN,
                           "Bearer " TOKEN " \t" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct reply r = send_full(fx, "GET", "/v2/spaces/", good[i], NULL);
        expect_status(&r, 200);
        reply_free(&r);
    }
    fx_free(fx);
}

/* Tokens are compared over the longest a token may be (512 bytes), never
 * stopping at the first difference (api.c: secret_equal): a 512-byte token
 * works, and is refused with its last byte changed, a byte short or a byte
 * more; a 513-byte token cannot be configured. */
static void test_long_tokens(void **state)
{
    (void)state;
    enum { MAX = 512 };
    char token[MAX + 2], header[MAX + 32];
    memset(token, 'k', MAX + 1);
    token[MAX + 1] = '\0';
    struct site *site = site_new();
    assert_int_equal(site_link(site), 0);
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    struct api_config config = { .token = token };
    assert_null(api_new(site, engine, NULL, &config)); /* 513 bytes */
    token[MAX] = '\0';
    struct api *api = api_new(site, engine, NULL, &config);
    assert_non_null(api);
    static const struct {
        size_t length;
        char last;
        int status;
    } cases[] = {
        { MAX, 'k', 200 },     /* the token */
        { MAX, 'K', 403 },     /* its last byte changed */
        { MAX - 1, 'k', 403 }, /* a prefix */
        { MAX + 1, 'k', 403 }, /* one byte more */
        { 1, 'k', 403 },       /* its first byte */
        { 4000, 'k', 403 },    /* far longer */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *authorization = cases[i].length + 8 > sizeof header
            ? malloc(cases[i].length + 8) : header;
        assert_non_null(authorization);
        memcpy(authorization, "Bearer ", 7);
        memset(authorization + 7, 'k', cases[i].length);
        authorization[7 + cases[i].length - 1] = cases[i].last;
        authorization[7 + cases[i].length] = '\0';
        struct api_request request = { .method = "GET", .path = "/v2/spaces/",
                                       .authorization = authorization,
                                       .wall_ms = fixture_ms(WALL) };
        struct api_response response;
        api_handle(api, &request, &response);
        if (response.status != cases[i].status)
            fail_msg("case %zu (%zu bytes): %d, expected %d", i, cases[i].length,
                     response.status, cases[i].status);
        api_response_clear(&response);
        if (authorization != header)
            free(authorization);
    }
    api_free(api);
    engine_free(engine);
    site_free(site);
}

static void test_api_new_needs_a_token(void **state)
{
    (void)state;
    struct site *site = site_new();
    assert_int_equal(site_link(site), 0);
    struct engine *engine = engine_new(site, NULL, NULL, 0);
    struct api_config config = { .token = NULL };
    assert_null(api_new(site, engine, NULL, &config));
    config.token = "";
    assert_null(api_new(site, engine, NULL, &config));
    assert_null(api_new(site, engine, NULL, NULL));
    config.token = "t";
    struct api *api = api_new(site, engine, NULL, &config);
    assert_non_null(api);
    api_free(api);
    engine_free(engine);
    site_free(site);
}

/* --- paths and methods --------------------------------------------------------------- */

static void expect_not_found(struct fx *fx, const char *method, const char *target)
{
    struct reply r = send_request(fx, method, target, NULL);
    expect_status(&r, 404);
    assert_true(strlen(detail(&r)) > 0);
    reply_free(&r);
}

static void test_not_found(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const char *paths[] = {
        "/v2",
        "/v2/",
        "/v1/spaces/",
        "/spaces/",
        "/v2spaces/",
        "/v2/nothing/",
        "/v2/webhooks/whk_nope/",
        "/v2/time_segments/tsm_nope/",
        "/v2/spaces//",
        "/v2//spaces/",
        "/v2/spaces/spc_bldg/counts/extra/",
        "/v2/spaces/spc_bldg/tags/food/extra/",
        "/v2/spaces/spc_nope/",
        "/v2/spaces/spc_nope/counts/?start_time=2024-03-04T10:00:00Z&end_time=2024-03-04T11:00:00Z",
        "/v2/spaces/spc_nope/events/?start_time=2024-03-04T10:00:00Z",
        "/v2/doorways/drw_nope/",
        "/v2/sensors/SN9/",
        "/v2/sensors/SN9/events/?start_time=2024-03-04T10:00:00Z",
        "/v2/tags/no_such_tag/",
        "/v2/spaces/%FF%FE%1B[2J/",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        expect_not_found(fx, "GET", paths[i]);

    /* The id is named in the detail. */
    struct reply r = get(fx, "/v2/spaces/spc_nope/");
    assert_non_null(strstr(detail(&r), "spc_nope"));
    reply_free(&r);

    /* A path longer than any real one. */
    char *path = malloc(5000);
    assert_non_null(path);
    strcpy(path, "/v2/spaces/");
    memset(path + strlen(path), 'a', 4000);
    path[4011] = '\0';
    expect_not_found(fx, "GET", path);
    free(path);

    /* A NULL path or method does not crash. */
    struct api_request request = { .method = NULL, .path = NULL,
                                   .authorization = "Bearer " TOKEN };
    struct api_response response;
    api_handle(fx->api, &request, &response);
    assert_int_equal(response.status, 404);
    api_response_clear(&response);
    request.path = "/v2/spaces/";
    api_handle(fx->api, &request, &response);
    assert_int_equal(response.status, 405);
    api_response_clear(&response);
    fx_free(fx);
}

static void expect_method_not_allowed(struct fx *fx, const char *method, const char *target,
                                      const char *allow)
{
    struct reply r = send_request(fx, method, target, NULL);
    expect_status(&r, 405);
    assert_non_null(r.allow);
    assert_string_equal(r.allow, allow);
    assert_non_null(strstr(detail(&r), method));
    reply_free(&r);
}

static void test_method_not_allowed(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_method_not_allowed(fx, "PATCH", "/v2/spaces/spc_bldg/", "GET, PUT, DELETE");
    expect_method_not_allowed(fx, "PUT", "/v2/spaces/", "GET, POST");
    expect_method_not_allowed(fx, "PUT", "/v2/spaces/spc_bldg/counts/", "GET");
    expect_method_not_allowed(fx, "POST", "/v2/doorways/drw_front/", "GET, PUT, DELETE");
    expect_method_not_allowed(fx, "GET", "/v2/spaces/spc_bldg/tags/", "POST");
    expect_method_not_allowed(fx, "PUT", "/v2/links/", "GET, POST");
    expect_method_not_allowed(fx, "GET", "/v2/sockets", "POST");
    expect_method_not_allowed(fx, "GET", "/v2/sockets/", "POST");
    expect_method_not_allowed(fx, "get", "/v2/spaces/", "GET, POST"); /* methods are case-sensitive */
    /* 200 answers carry no Allow. */
    struct reply r = get(fx, "/v2/spaces/");
    expect_status(&r, 200);
    assert_null(r.allow);
    reply_free(&r);
    fx_free(fx);
}

static void test_trailing_slash_optional(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const char *pairs[][2] = {
        { "/v2/spaces", "/v2/spaces/" },
        { "/v2/spaces/spc_cafe", "/v2/spaces/spc_cafe/" },
        { "/v2/doorways", "/v2/doorways/" },
        { "/v2/doorways/drw_cafe", "/v2/doorways/drw_cafe/" },
        { "/v2/sensors/SN1", "/v2/sensors/SN1/" },
        { "/v2/tags", "/v2/tags/" },
        { "/v2/tags/food", "/v2/tags/food/" },
        { "/v2/spaces/spc_floor/events?start_time=2024-03-04T10:00:00Z",
          "/v2/spaces/spc_floor/events/?start_time=2024-03-04T10:00:00Z" },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct reply a = get(fx, pairs[i][0]);
        struct reply b = get(fx, pairs[i][1]);
        expect_status(&a, 200);
        expect_status(&b, 200);
        assert_true(json_equal(a.json, b.json));
        reply_free(&a);
        reply_free(&b);
    }
    struct reply a = send_request(fx, "POST", "/v2/sockets", NULL);
    struct reply b = send_request(fx, "POST", "/v2/sockets/", NULL);
    expect_status(&a, 200);
    expect_status(&b, 200);
    reply_free(&a);
    reply_free(&b);
    fx_free(fx);
}

/* --- bad parameters ------------------------------------------------------------------ */

#define COUNTS "/v2/spaces/spc_floor/counts/?"
#define EVENTS "/v2/spaces/spc_floor/events/?"
#define WINDOW "start_time=2024-03-04T10:00:00Z&end_time=2024-03-04T11:00:00Z"

static void test_bad_parameters(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_bad(fx, COUNTS "end_time=2024-03-04T11:00:00Z", "start_time");
    expect_bad(fx, COUNTS "start_time=&end_time=2024-03-04T11:00:00Z", "start_time");
    expect_bad(fx, COUNTS "start_time=yesterday&end_time=2024-03-04T11:00:00Z", "start_time");
    expect_bad(fx, COUNTS "start_time=2024-02-30T10:00:00Z&end_time=2024-03-04T11:00:00Z",
               "start_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T10:00:00%2B01:00&end_time=2024-03-04T11:00:00Z",
               "start_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T10:00:00&end_time=2024-03-04T11:00:00Z",
               "start_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T10:00:00Z", "end_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T10:00:00Z&end_time=2024-03-04T11:00:00-05:00",
               "end_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T11:00:00Z&end_time=2024-03-04T10:00:00Z",
               "end_time");
    expect_bad(fx, COUNTS "start_time=2024-03-04T10:00:00Z&end_time=2024-03-04T10:00:00Z",
               "end_time");
    expect_bad(fx, COUNTS WINDOW "&interval=2m", "interval");
    expect_bad(fx, COUNTS WINDOW "&interval=1mo", "interval");
    expect_bad(fx, COUNTS WINDOW "&interval=0h", "interval");
    expect_bad(fx, COUNTS WINDOW "&interval=-1h", "interval");
    expect_bad(fx, COUNTS WINDOW "&order=UP", "order");
    expect_bad(fx, COUNTS WINDOW "&page_size=1001", "page_size");
    expect_bad(fx, COUNTS WINDOW "&page_size=0", "page_size");
    expect_bad(fx, COUNTS WINDOW "&page_size=ten", "page_size");
    expect_bad(fx, COUNTS WINDOW "&page_size=99999999999999999999999", "page_size");
    expect_bad(fx, COUNTS WINDOW "&page=0", "page");
    expect_bad(fx, COUNTS WINDOW "&page=-1", "page");
    expect_bad(fx, COUNTS WINDOW "&page=1.5", "page");
    /* Absurd windows name both ends. */
    expect_bad(fx, COUNTS "start_time=2000-01-01T00:00:00Z&end_time=2024-01-01T00:00:00Z",
               "start_time, end_time");
    expect_bad(fx, COUNTS "start_time=2024-01-01T00:00:00Z&end_time=2024-10-01T00:00:00Z"
                          "&interval=1m",
               "start_time, end_time");

    expect_bad(fx, EVENTS "end_time=2024-03-04T11:00:00Z", "start_time");
    expect_bad(fx, EVENTS "start_time=10am", "start_time");
    expect_bad(fx, EVENTS "start_time=2024-03-04T10:00:00Z&end_time=soon", "end_time");
    expect_bad(fx, EVENTS "start_time=2024-03-04T10:00:00Z&order=UP", "order");
    expect_bad(fx, EVENTS "start_time=2024-03-04T10:00:00Z&page_size=1001", "page_size");
    expect_bad(fx, "/v2/sensors/SN1/events/?start_time=x", "start_time");
    expect_bad(fx, "/v2/sensors/SN1/events/?order=UP&start_time=2024-03-04T10:00:00Z", "order");
    expect_bad(fx, "/v2/spaces/?space_type=castle", "space_type");
    expect_bad(fx, "/v2/spaces/?page_size=1001", "page_size");
    expect_bad(fx, "/v2/doorways/?page=x", "page");
    expect_bad(fx, "/v2/tags/?page_size=0", "page_size");

    /* The message says why a timestamp with an offset is refused. */
    struct reply r = get(fx, COUNTS "start_time=2024-03-04T10:00:00%2B01:00&end_time=x");
    assert_non_null(strstr(detail(&r), "UTC"));
    reply_free(&r);

    /* Good spellings of the same things pass; unknown parameters are ignored. */
    const char *good[] = {
        COUNTS WINDOW,
        COUNTS WINDOW "&interval=60m&order=desc&page_size=1000&page=1",
        COUNTS "start_time=2024-03-04T10:00:00.000Z&end_time=2024-03-04T11:00:00%2B00:00",
        COUNTS WINDOW "&interval=3600s&unknown=1&time_segment_id=tsm_1",
        COUNTS WINDOW "&interval=1w",
        EVENTS "start_time=2024-03-04T10:00:00Z&order=DESC",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct reply ok = get(fx, good[i]);
        expect_status(&ok, 200);
        reply_free(&ok);
    }
    fx_free(fx);
}

/* A page past the last is 404 (as Django REST Framework's "Invalid page."). */
static void test_page_past_the_end(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct reply r = get(fx, "/v2/spaces/?page=2");
    expect_status(&r, 404);
    assert_non_null(strstr(detail(&r), "page"));
    reply_free(&r);
    /* Page 1 of nothing is an empty page. */
    r = get(fx, "/v2/spaces/?tag=no_such_tag");
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 0);
    assert_int_equal(json_array_size(results_of(&r)), 0);
    assert_true(json_is_null(json_object_get(r.json, "next")));
    assert_true(json_is_null(json_object_get(r.json, "previous")));
    reply_free(&r);
    r = get(fx, "/v2/spaces/?tag=no_such_tag&page=2");
    expect_status(&r, 404);
    reply_free(&r);
    fx_free(fx);
}

/* --- the rate limit ------------------------------------------------------------------ */

static void test_rate_limit(void **state)
{
    (void)state;
    struct fx *fx = fx_new_with(3, 42, 0);
    fx->wall_ms = fixture_ms("2024-03-04T12:00:50Z");
    /* Refused tokens do not use the budget. */
    expect_forbidden(fx, "/v2/spaces/", "Bearer wrong");
    for (int i = 0; i < 3; i++) {
        struct reply r = get(fx, i == 1 ? "/v2/nothing/" : "/v2/spaces/");
        expect_status(&r, i == 1 ? 404 : 200); /* every answered request counts */
        assert_int_equal(r.retry_after, 0);
        reply_free(&r);
    }
    struct reply r = get(fx, "/v2/spaces/");
    expect_status(&r, 429);
    assert_int_equal(r.retry_after, 10); /* 12:00:50 to 12:01:00 */
    assert_true(strlen(detail(&r)) > 0);
    reply_free(&r);

    fx->wall_ms = fixture_ms("2024-03-04T12:00:59.001Z");
    r = send_request(fx, "POST", "/v2/sockets", NULL);
    expect_status(&r, 429);
    assert_int_equal(r.retry_after, 1); /* 999 ms: rounded up */
    reply_free(&r);

    fx->wall_ms = fixture_ms("2024-03-04T12:01:00Z"); /* the next window */
    for (int i = 0; i < 3; i++) {
        r = get(fx, "/v2/spaces/");
        expect_status(&r, 200);
        reply_free(&r);
    }
    r = get(fx, "/v2/spaces/");
    expect_status(&r, 429);
    assert_int_equal(r.retry_after, 60);
    reply_free(&r);
    fx_free(fx);
}

static void test_rate_limit_default_is_60(void **state)
{
    (void)state;
    struct fx *fx = fx_new_with(-1, 42, 0); /* negative: the default */
    for (int i = 0; i < API_DEFAULT_RATE_LIMIT; i++) {
        struct reply r = get(fx, "/v2/tags/");
        expect_status(&r, 200);
        reply_free(&r);
    }
    struct reply r = get(fx, "/v2/tags/");
    expect_status(&r, 429);
    assert_int_equal(r.retry_after, 60);
    reply_free(&r);
    fx_free(fx);
}

/* --- pagination ---------------------------------------------------------------------- */

static bool null_at(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    assert_non_null(value);
    return json_is_null(value);
}

/* Follows next from `first` to the end, collecting each result's `key`;
 * checks total on every page, previous/next at the ends and that previous
 * leads back to the page before. */
static size_t walk_pages(struct fx *fx, const char *first, const char *key, char **out,
                         size_t out_size, size_t expected_pages)
{
    size_t count = 0, pages = 0;
    json_int_t total = -1;
    char *url = strdup(first);
    char *previous_url = NULL;
    while (url) {
        struct reply r = get(fx, url);
        expect_status(&r, 200);
        pages++;
        if (total < 0)
            total = integer_at(r.json, "total");
        assert_int_equal(integer_at(r.json, "total"), total);
        const json_t *results = results_of(&r);
        for (size_t i = 0; i < json_array_size(results); i++) {
            assert_true(count < out_size);
            out[count++] = strdup(string_at(json_array_get(results, i), key));
        }
        if (pages == 1) {
            assert_true(null_at(r.json, "previous"));
        } else {
            /* previous is absolute and gives the page we came from. */
            const char *previous = string_at(r.json, "previous");
            assert_int_equal(strncmp(previous, BASE "/", strlen(BASE) + 1), 0);
            struct reply back = get(fx, previous);
            struct reply before = get(fx, previous_url);
            expect_status(&back, 200);
            assert_true(json_equal(back.json, before.json));
            reply_free(&back);
            reply_free(&before);
        }
        free(previous_url);
        previous_url = url;
        url = NULL;
        if (!null_at(r.json, "next")) {
            const char *next = string_at(r.json, "next");
            assert_int_equal(strncmp(next, BASE "/", strlen(BASE) + 1), 0);
            url = strdup(next);
            assert_true(pages < 100);
        }
        reply_free(&r);
    }
    free(previous_url);
    assert_int_equal(pages, expected_pages);
    assert_int_equal(count, total);
    return count;
}

static void free_strings(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
}

static void test_pagination_spaces(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char *ids[32];
    /* 7 spaces, 3 a page: 3 + 3 + 1, each space once, in file order (the
     * repeated spc_room1 is not listed). */
    size_t count = walk_pages(fx, "/v2/spaces/?page_size=3", "id", ids, 32, 3);
    assert_int_equal(count, SPACE_COUNT);
    for (size_t i = 0; i < SPACE_COUNT; i++)
        assert_string_equal(ids[i], all_spaces[i]);
    free_strings(ids, count);

    /* One page of everything: next and previous null. */
    struct reply r = get(fx, "/v2/spaces/");
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), SPACE_COUNT);
    assert_int_equal(json_array_size(results_of(&r)), SPACE_COUNT);
    assert_true(null_at(r.json, "next"));
    assert_true(null_at(r.json, "previous"));
    reply_free(&r);

    /* The reference's example: page 2 of 3-a-page links to 3 and 1. */
    r = get(fx, "/v2/spaces/?page=2&page_size=3");
    assert_string_equal(string_at(r.json, "next"), BASE "/spaces/?page=3&page_size=3");
    assert_string_equal(string_at(r.json, "previous"), BASE "/spaces/?page=1&page_size=3");
    reply_free(&r);

    /* Filters stay in next; unknown parameters are dropped; values encoded. */
    r = get(fx, "/v2/spaces/?bogus=1&tag=hq&page_size=1");
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 2);
    assert_string_equal(string_at(r.json, "next"), BASE "/spaces/?tag=hq&page_size=1&page=2");
    reply_free(&r);
    count = walk_pages(fx, "/v2/spaces/?tag=hq&page_size=1", "id", ids, 32, 2);
    assert_int_equal(count, 2);
    assert_string_equal(ids[0], "spc_bldg");
    assert_string_equal(ids[1], "spc_floor");
    free_strings(ids, count);
    fx_free(fx);
}

static void test_pagination_other_lists(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char *ids[32];
    size_t count = walk_pages(fx, "/v2/doorways/?page_size=2", "id", ids, 32, 2);
    assert_int_equal(count, 3);
    assert_string_equal(ids[0], "drw_front");
    assert_string_equal(ids[1], "drw_cafe");
    assert_string_equal(ids[2], "drw_room1");
    free_strings(ids, count);

    count = walk_pages(fx, "/v2/sensors/?page_size=1", "serial_number", ids, 32, 3);
    assert_int_equal(count, 3);
    assert_string_equal(ids[0], "SN1");
    assert_string_equal(ids[2], "SN3");
    free_strings(ids, count);

    count = walk_pages(fx, "/v2/tags/?page_size=2", "name", ids, 32, 2);
    assert_int_equal(count, 3);
    assert_string_equal(ids[0], "food"); /* sorted, each once */
    assert_string_equal(ids[1], "hq");
    assert_string_equal(ids[2], "open");
    free_strings(ids, count);

    /* Events: 7 for the floor between 10:00 and 11:00, 3 a page, the
     * window and the filter carried along. */
    count = walk_pages(fx, EVENTS WINDOW "&page_size=3", "id", ids, 32, 3);
    assert_int_equal(count, 7);
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            assert_string_not_equal(ids[i], ids[j]);
    free_strings(ids, count);
    struct reply r = get(fx, EVENTS WINDOW "&doorway_id=drw_front&page_size=2&order=DESC");
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 5);
    assert_string_equal(string_at(r.json, "next"),
                        BASE "/spaces/spc_floor/events/?start_time=2024-03-04T10%3A00%3A00Z"
                             "&end_time=2024-03-04T11%3A00%3A00Z&doorway_id=drw_front"
                             "&page_size=2&order=DESC&page=2");
    reply_free(&r);
    fx_free(fx);
}

/* --- filters ------------------------------------------------------------------------- */

/* The ids of a one-page list, joined by spaces. */
static void list_ids(struct fx *fx, const char *target, const char *key, char *out,
                     size_t out_size)
{
    struct reply r = get(fx, target);
    expect_status(&r, 200);
    out[0] = '\0';
    const json_t *results = results_of(&r);
    assert_int_equal(integer_at(r.json, "total"), json_array_size(results));
    for (size_t i = 0; i < json_array_size(results); i++) {
        if (i > 0)
            strncat(out, " ", out_size - strlen(out) - 1);
        strncat(out, string_at(json_array_get(results, i), key), out_size - strlen(out) - 1);
    }
    reply_free(&r);
}

static void test_filters(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char ids[256];
    list_ids(fx, "/v2/spaces/?doorway_id=drw_cafe", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_floor spc_cafe");
    list_ids(fx, "/v2/spaces/?doorway_id=drw_front", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_bldg spc_floor");
    list_ids(fx, "/v2/spaces/?doorway_id=drw_nope", "id", ids, sizeof ids);
    assert_string_equal(ids, "");
    list_ids(fx, "/v2/spaces/?doorway_id=", "id", ids, sizeof ids); /* empty: no filter */
    assert_int_equal(strlen(ids), strlen("spc_bldg spc_floor spc_cafe spc_room1 spc_room2 "
                                         "spc_room3 spc_room4"));
    list_ids(fx, "/v2/spaces/?space_type=floor", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_floor");
    list_ids(fx, "/v2/spaces/?space_type=space&tag=food", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_cafe");
    list_ids(fx, "/v2/spaces/?tag=open", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_floor");
    list_ids(fx, "/v2/spaces/?tag=hq&doorway_id=drw_cafe", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_floor");
    list_ids(fx, "/v2/doorways/?space_id=spc_floor", "id", ids, sizeof ids);
    assert_string_equal(ids, "drw_front drw_cafe");
    list_ids(fx, "/v2/doorways/?space_id=spc_room1", "id", ids, sizeof ids);
    assert_string_equal(ids, "drw_room1");
    list_ids(fx, "/v2/doorways/?space_id=spc_room2", "id", ids, sizeof ids);
    assert_string_equal(ids, "");
    list_ids(fx, "/v2/doorways/?space_id=spc_nope", "id", ids, sizeof ids);
    assert_string_equal(ids, "");
    /* The last of a repeated parameter counts. */
    list_ids(fx, "/v2/spaces/?tag=food&tag=open", "id", ids, sizeof ids);
    assert_string_equal(ids, "spc_floor");
    fx_free(fx);
}

/* --- shapes -------------------------------------------------------------------------- */

static bool same_kind(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return true;
    return json_typeof(a) == json_typeof(b);
}

/* Every key of the reference's example is in ours, recursively (objects
 * inside arrays are checked against the example's first element), and where
 * both have a non-null value the JSON types agree. */
static void assert_keys(const json_t *reference, const json_t *ours, const char *where)
{
    if (json_is_null(reference) || json_is_null(ours))
        return;
    if (!same_kind(reference, ours))
        fail_msg("%s: the reference has another type here", where);
    if (json_is_object(reference)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)reference, key, value) {
            char path[512];
            snprintf(path, sizeof path, "%s.%s", where, key);
            const json_t *mine = json_object_get(ours, key);
            if (!mine)
                fail_msg("%s is missing", path);
            assert_keys(value, mine, path);
        }
    } else if (json_is_array(reference) && json_array_size(reference) > 0) {
        for (size_t i = 0; i < json_array_size(ours); i++) {
            char path[512];
            snprintf(path, sizeof path, "%s[%zu]", where, i);
            assert_keys(json_array_get(reference, 0), json_array_get(ours, i), path);
        }
    }
}

static void expect_shape(struct fx *fx, const char *method, const char *target, const char *body,
                         const char *fixture, const char *part)
{
    json_t *reference = fixture_json_ok(fixture);
    struct reply r = send_request(fx, method, target, body);
    expect_status(&r, 200);
    const json_t *ref_part = part ? json_object_get(reference, part) : reference;
    const json_t *our_part = part ? json_object_get(r.json, part) : r.json;
    assert_non_null(ref_part);
    assert_non_null(our_part);
    if (json_is_array(our_part))
        assert_true(json_array_size(our_part) > 0); /* something to compare */
    assert_keys(ref_part, our_part, fixture);
    json_decref(reference);
    reply_free(&r);
}

/* The envelope of every list. */
static void expect_envelope(struct fx *fx, const char *target)
{
    struct reply r = get(fx, target);
    expect_status(&r, 200);
    assert_true(json_is_integer(json_object_get(r.json, "total")));
    assert_non_null(json_object_get(r.json, "next"));
    assert_non_null(json_object_get(r.json, "previous"));
    assert_true(json_is_array(json_object_get(r.json, "results")));
    reply_free(&r);
}

static void test_shapes(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    api_set_sensor_status(fx->api, 1, true, fixture_ms("2024-03-04T10:30:00Z"));
    expect_shape(fx, "GET", "/v2/spaces/", NULL, "api/list-spaces.json", NULL);
    expect_shape(fx, "GET", "/v2/spaces/spc_cafe/", NULL, "api/get-space.json", NULL);
    expect_shape(fx, "GET", "/v2/doorways/drw_cafe/", NULL, "api/get-doorway.json", NULL);
    /* The reference's doorway list says "count": its results are compared. */
    expect_shape(fx, "GET", "/v2/doorways/", NULL, "api/list-doorways-fixed.json", "results");
    expect_envelope(fx, "/v2/doorways/");
    expect_shape(fx, "GET", "/v2/sensors/", NULL, "api/list-sensors.json", NULL);
    expect_shape(fx, "GET", "/v2/sensors/SN1/", NULL, "api/get-sensor.json", NULL);
    expect_shape(fx, "GET", COUNTS WINDOW, NULL, "api/space-counts.json", NULL);
    expect_shape(fx, "GET", COUNTS WINDOW "&interval=5m", NULL, "api/count-samples-5m-fixed.json",
                 NULL);
    expect_shape(fx, "GET", EVENTS WINDOW, NULL, "api/space-events-fixed.json", NULL);
    expect_shape(fx, "GET", "/v2/sensors/SN1/events/?start_time=2024-03-04T10:00:00Z", NULL,
                 "api/sensor-events.json", NULL);
    expect_shape(fx, "GET", "/v2/tags/", NULL, "api/list-tags.json", NULL);
    expect_shape(fx, "GET", "/v2/tags/food/", NULL, "api/get-tag.json", NULL);
    expect_shape(fx, "POST", "/v2/sockets", NULL, "api/sockets.json", NULL);
    expect_shape(fx, "PUT", "/v2/spaces/spc_cafe/", "{\"name\": \"Big Kitchen\"}",
                 "api/update-space.json", NULL);

    /* Event rows have exactly the reference's keys (space_id and count are
     * not part of them). */
    struct reply r = get(fx, EVENTS WINDOW);
    const json_t *row = json_array_get(results_of(&r), 0);
    assert_int_equal(json_object_size(row), 5);
    reply_free(&r);
    fx_free(fx);
}

/* --- spaces -------------------------------------------------------------------------- */

static void test_space_detail(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct reply r = get(fx, "/v2/spaces/spc_cafe/");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "id"), "spc_cafe");
    assert_string_equal(string_at(r.json, "name"), "Cafe");
    assert_string_equal(string_at(r.json, "parent_id"), "spc_floor");
    const json_t *ancestry = json_object_get(r.json, "ancestry");
    assert_int_equal(json_array_size(ancestry), 2); /* closest first */
    assert_string_equal(string_at(json_array_get(ancestry, 0), "id"), "spc_floor");
    assert_string_equal(string_at(json_array_get(ancestry, 0), "name"), "Floor 1");
    assert_string_equal(string_at(json_array_get(ancestry, 1), "id"), "spc_bldg");
    const json_t *doorways = json_object_get(r.json, "doorways");
    assert_int_equal(json_array_size(doorways), 1);
    const json_t *door = json_array_get(doorways, 0);
    assert_string_equal(string_at(door, "id"), "drw_cafe");
    assert_string_equal(string_at(door, "name"), "Cafe Door");
    assert_string_equal(string_at(door, "link_id"), "lnk_3");
    assert_int_equal(integer_at(door, "sensor_placement"), 1);
    assert_int_equal(integer_at(r.json, "capacity"), 20);
    assert_int_equal(integer_at(r.json, "current_count"), 0);
    reply_free(&r);

    /* current_count is live: the site file said 40 for HQ, the day's
     * traffic made it 43. */
    r = get(fx, "/v2/spaces/spc_bldg/");
    assert_int_equal(integer_at(r.json, "current_count"), 43);
    assert_int_equal(json_array_size(json_object_get(r.json, "ancestry")), 0);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_floor/");
    assert_int_equal(integer_at(r.json, "current_count"), 3);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_room1/");
    assert_int_equal(integer_at(r.json, "current_count"), 2);
    assert_string_equal(string_at(r.json, "name"), "Room 1"); /* the first of the two */
    reply_free(&r);

    /* The list shows the same live counts. */
    r = get(fx, "/v2/spaces/?space_type=building");
    assert_int_equal(integer_at(json_array_get(results_of(&r), 0), "current_count"), 43);
    reply_free(&r);

    /* One more entrance shows at once. */
    feed(fx, "raw-12", "SN1", "2024-03-04T10:30:00Z", 1);
    r = get(fx, "/v2/spaces/spc_bldg/");
    assert_int_equal(integer_at(r.json, "current_count"), 44);
    reply_free(&r);
    fx_free(fx);
}

/* --- counts -------------------------------------------------------------------------- */

static json_int_t metric_total(const json_t *page, const char *which)
{
    return integer_at(json_object_get(json_object_get(page, "metrics"), which), "total");
}

static void sum_directions(struct fx *fx, const char *target, json_int_t *in, json_int_t *out)
{
    struct reply r = get(fx, target);
    expect_status(&r, 200);
    *in = *out = 0;
    const json_t *results = results_of(&r);
    assert_int_equal(integer_at(r.json, "total"), json_array_size(results));
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_int_t direction = integer_at(json_array_get(results, i), "direction");
        assert_true(direction == 1 || direction == -1);
        (direction > 0 ? (*in)++ : (*out)++);
    }
    reply_free(&r);
}

static void test_counts(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct reply r = get(fx, COUNTS WINDOW "&interval=5m");
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 12);
    const json_t *results = results_of(&r);
    assert_int_equal(json_array_size(results), 12);
    /* By hand: 10:00-10:05 E1 E2 E3 E11 in, E4 out; 10:05-10:10 E6 in;
     * 10:10-10:15 E7 out; then nothing.  Counts at the starts 0, 3, 4, 3. */
    static const json_int_t in[] = { 4, 1, 0, 0 }, out[] = { 1, 0, 1, 0 },
                            count[] = { 0, 3, 4, 3 };
    for (size_t i = 0; i < 4; i++) {
        const json_t *sample = json_array_get(results, i);
        const json_t *interval = json_object_get(sample, "interval");
        const json_t *analytics = json_object_get(interval, "analytics");
        assert_int_equal(integer_at(sample, "count"), count[i]);
        assert_int_equal(integer_at(analytics, "entrances"), in[i]);
        assert_int_equal(integer_at(analytics, "exits"), out[i]);
        assert_int_equal(integer_at(analytics, "events"), in[i] + out[i]);
        int64_t start = fixture_ms("2024-03-04T10:00:00Z") + (int64_t)i * 300000;
        assert_int_equal(timestamp_at(sample, "timestamp"), start);
        assert_int_equal(timestamp_at(interval, "start"), start);
        assert_int_equal(timestamp_at(interval, "end"), start + 300000 - 1);
    }
    assert_int_equal(metric_total(r.json, "entrances"), 5);
    assert_int_equal(metric_total(r.json, "exits"), 2);
    reply_free(&r);

    /* The default interval is 1h: one sample for the hour. */
    r = get(fx, COUNTS WINDOW);
    assert_int_equal(integer_at(r.json, "total"), 1);
    const json_t *analytics =
        json_object_get(json_object_get(json_array_get(results_of(&r), 0), "interval"),
                        "analytics");
    assert_int_equal(integer_at(analytics, "entrances"), 5);
    assert_int_equal(integer_at(analytics, "exits"), 2);
    assert_int_equal(integer_at(analytics, "max"), 4);
    reply_free(&r);

    /* Before the first event the engine started HQ at the site file's 40,
     * not at today's live 43. */
    r = get(fx, "/v2/spaces/spc_bldg/counts/?start_time=2024-03-04T09:00:00Z"
                "&end_time=2024-03-04T10:00:00Z&interval=15m");
    expect_status(&r, 200);
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 4);
    for (size_t i = 0; i < 4; i++) {
        const json_t *sample = json_array_get(results, i);
        const json_t *a =
            json_object_get(json_object_get(sample, "interval"), "analytics");
        assert_int_equal(integer_at(sample, "count"), 40);
        assert_int_equal(integer_at(a, "min"), 40);
        assert_int_equal(integer_at(a, "max"), 40);
        assert_int_equal(integer_at(a, "events"), 0);
    }
    reply_free(&r);

    /* DESC: the same samples, newest first. */
    r = get(fx, COUNTS WINDOW "&interval=15m&order=DESC");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 4);
    assert_int_equal(timestamp_at(json_array_get(results, 0), "timestamp"),
                     fixture_ms("2024-03-04T10:45:00Z"));
    assert_int_equal(timestamp_at(json_array_get(results, 3), "timestamp"),
                     fixture_ms("2024-03-04T10:00:00Z"));
    reply_free(&r);
    fx_free(fx);
}

/* Entrances and exits of /counts and of /events agree for the same window. */
static void test_counts_agree_with_events(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    static const struct {
        const char *space, *start, *end;
        json_int_t in, out; /* by hand */
    } cases[] = {
        { "spc_floor", "2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", 5, 2 },
        { "spc_floor", "2024-03-04T10:02:00Z", "2024-03-04T10:10:00Z", 2, 1 },
        { "spc_bldg", "2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", 4, 1 },
        { "spc_cafe", "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", 1, 0 },
        { "spc_room1", "2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z", 3, 1 },
        { "spc_room2", "2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char target[512];
        snprintf(target, sizeof target,
                 "/v2/spaces/%s/counts/?start_time=%s&end_time=%s&interval=1m", cases[i].space,
                 cases[i].start, cases[i].end);
        struct reply counts = get(fx, target);
        expect_status(&counts, 200);
        snprintf(target, sizeof target, "/v2/spaces/%s/events/?start_time=%s&end_time=%s",
                 cases[i].space, cases[i].start, cases[i].end);
        json_int_t in, out;
        sum_directions(fx, target, &in, &out);
        assert_int_equal(in, cases[i].in);
        assert_int_equal(out, cases[i].out);
        assert_int_equal(metric_total(counts.json, "entrances"), in);
        assert_int_equal(metric_total(counts.json, "exits"), out);
        reply_free(&counts);
    }
    fx_free(fx);
}

/* total counts samples; results are the page; metrics cover the window. */
static void test_counts_pagination(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    json_t *whole_metrics = NULL;
    int64_t expected = fixture_ms("2024-03-04T10:00:00Z");
    char *url = strdup(COUNTS WINDOW "&interval=5m&page_size=5");
    size_t pages = 0;
    while (url) {
        struct reply r = get(fx, url);
        expect_status(&r, 200);
        pages++;
        assert_int_equal(integer_at(r.json, "total"), 12);
        const json_t *results = results_of(&r);
        assert_int_equal(json_array_size(results), pages < 3 ? 5 : 2);
        for (size_t i = 0; i < json_array_size(results); i++, expected += 300000)
            assert_int_equal(timestamp_at(json_array_get(results, i), "timestamp"), expected);
        const json_t *metrics = json_object_get(r.json, "metrics");
        if (!whole_metrics)
            whole_metrics = json_deep_copy(metrics);
        assert_true(json_equal(metrics, whole_metrics));
        assert_int_equal(metric_total(r.json, "entrances"), 5);
        free(url);
        url = null_at(r.json, "next") ? NULL : strdup(string_at(r.json, "next"));
        if (url)
            assert_non_null(strstr(url, "interval=5m"));
        reply_free(&r);
    }
    assert_int_equal(pages, 3);
    assert_int_equal(expected, fixture_ms("2024-03-04T11:00:00Z"));
    json_decref(whole_metrics);
    fx_free(fx);
}

/* --- events -------------------------------------------------------------------------- */

static void test_space_events(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* ASC by time, the late E11 (10:04) in its place. */
    static const char *const times[] = { "2024-03-04T10:00:10Z", "2024-03-04T10:00:20Z",
                                         "2024-03-04T10:01:05Z", "2024-03-04T10:02:00Z",
                                         "2024-03-04T10:04:00Z", "2024-03-04T10:05:30Z",
                                         "2024-03-04T10:10:00Z" };
    static const int directions[] = { 1, 1, 1, -1, 1, 1, -1 };
    static const char *const doors[] = { "drw_front", "drw_front", "drw_front", "drw_cafe",
                                         "drw_front", "drw_cafe",  "drw_front" };
    static const char *const serials[] = { "SN1", "SN1", "SN1", "SN2", "SN1", "SN2", "SN1" };
    struct reply r = get(fx, EVENTS WINDOW);
    expect_status(&r, 200);
    const json_t *results = results_of(&r);
    assert_int_equal(json_array_size(results), 7);
    for (size_t i = 0; i < 7; i++) {
        const json_t *e = json_array_get(results, i);
        assert_int_equal(timestamp_at(e, "timestamp"), fixture_ms(times[i]));
        assert_int_equal(integer_at(e, "direction"), directions[i]);
        assert_string_equal(string_at(e, "doorway_id"), doors[i]);
        assert_string_equal(string_at(e, "sensor_serial_number"), serials[i]);
        assert_int_equal(strncmp(string_at(e, "id"), "evt_", 4), 0);
    }
    /* The engine numbered E11 last: its id is the largest. */
    assert_true(strtoull(string_at(json_array_get(results, 4), "id") + 4, NULL, 10) >
                strtoull(string_at(json_array_get(results, 6), "id") + 4, NULL, 10));
    json_t *ascending = json_deep_copy(results);
    reply_free(&r);

    /* DESC is the reverse. */
    r = get(fx, EVENTS WINDOW "&order=DESC");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 7);
    for (size_t i = 0; i < 7; i++)
        assert_true(json_equal(json_array_get(results, i), json_array_get(ascending, 6 - i)));
    reply_free(&r);
    json_decref(ascending);

    /* end_time is exclusive: 10:10:00 is not in [10:00, 10:10). */
    r = get(fx, EVENTS "start_time=2024-03-04T10:00:00Z&end_time=2024-03-04T10:10:00Z");
    assert_int_equal(integer_at(r.json, "total"), 6);
    reply_free(&r);
    /* start_time is inclusive. */
    r = get(fx, EVENTS "start_time=2024-03-04T10:10:00Z&end_time=2024-03-04T10:10:00.001Z");
    assert_int_equal(integer_at(r.json, "total"), 1);
    reply_free(&r);

    /* doorway_id filters; an unknown doorway matches nothing. */
    r = get(fx, EVENTS WINDOW "&doorway_id=drw_cafe");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 2);
    assert_int_equal(integer_at(json_array_get(results, 0), "direction"), -1);
    assert_int_equal(integer_at(json_array_get(results, 1), "direction"), 1);
    reply_free(&r);
    r = get(fx, EVENTS WINDOW "&doorway_id=drw_nope");
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);

    /* end_time defaults to the engine's now (10:22, E10), which is included. */
    r = get(fx, "/v2/spaces/spc_room1/events/?start_time=2024-03-04T10:00:00Z");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 4);
    assert_int_equal(timestamp_at(json_array_get(results, 3), "timestamp"),
                     fixture_ms("2024-03-04T10:22:00Z"));
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_room2/events/?start_time=2024-03-04T10:00:00Z");
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);
    fx_free(fx);
}

/* The log is bounded: the oldest events go first. */
static void test_event_log_bounded(void **state)
{
    (void)state;
    struct fx *fx = fx_new_with(0, 42, 4);
    feed_day(fx);
    /* 11 crossings made 18 space events; the last 4 told were E9 (room1),
     * E10 (room1), E11 (HQ, floor). */
    struct reply r = get(fx, "/v2/spaces/spc_room1/events/?start_time=2024-03-04T00:00:00Z");
    assert_int_equal(integer_at(r.json, "total"), 2);
    reply_free(&r);
    r = get(fx, EVENTS "start_time=2024-03-04T00:00:00Z");
    assert_int_equal(integer_at(r.json, "total"), 1);
    assert_int_equal(timestamp_at(json_array_get(results_of(&r), 0), "timestamp"),
                     fixture_ms("2024-03-04T10:04:00Z"));
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/events/?start_time=2024-03-04T00:00:00Z");
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);
    fx_free(fx);
}

/* --- sensors ------------------------------------------------------------------------- */

static void test_sensors(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* Before any report: what the site file says. */
    struct reply r = get(fx, "/v2/sensors/SN1/");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "serial_number"), "SN1");
    assert_string_equal(string_at(r.json, "doorway_id"), "drw_front");
    assert_string_equal(string_at(r.json, "doorway_name"), "Front Door");
    assert_string_equal(string_at(r.json, "status"), "online");
    assert_int_equal(timestamp_at(r.json, "last_heartbeat"), fixture_ms("2024-03-04T09:59:00Z"));
    reply_free(&r);
    r = get(fx, "/v2/sensors/SN3/");
    assert_string_equal(string_at(r.json, "status"), "offline");
    reply_free(&r);

    /* The simulator's reports win. */
    api_set_sensor_status(fx->api, 2, true, fixture_ms("2024-03-04T10:31:00Z"));
    api_set_sensor_status(fx->api, 0, false, fixture_ms("2024-03-04T10:01:00Z"));
    api_set_sensor_status(fx->api, 99, true, 0); /* no such sensor: ignored */
    api_set_sensor_status(fx->api, -1, true, 0);
    r = get(fx, "/v2/sensors/SN3/");
    assert_string_equal(string_at(r.json, "status"), "online");
    assert_string_equal(string_at(r.json, "last_heartbeat"), "2024-03-04T10:31:00.000Z");
    reply_free(&r);
    r = get(fx, "/v2/sensors/");
    const json_t *first = json_array_get(results_of(&r), 0);
    assert_string_equal(string_at(first, "status"), "offline");
    assert_int_equal(timestamp_at(first, "last_heartbeat"), fixture_ms("2024-03-04T10:01:00Z"));
    reply_free(&r);
    fx_free(fx);
}

static void test_sensor_events(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* SN1 saw E1 E2 E3 E11 E7, in time order; ids are the raw events'. */
    static const char *const ids[] = { "raw-1", "raw-2", "raw-3", "raw-11", "raw-7" };
    static const int trajectories[] = { 1, 1, 1, 1, -1 };
    struct reply r = get(fx, "/v2/sensors/SN1/events/?start_time=2024-03-04T10:00:00Z");
    expect_status(&r, 200);
    const json_t *results = results_of(&r);
    assert_int_equal(json_array_size(results), 5);
    for (size_t i = 0; i < 5; i++) {
        const json_t *e = json_array_get(results, i);
        assert_string_equal(string_at(e, "id"), ids[i]);
        assert_int_equal(integer_at(e, "trajectory"), trajectories[i]);
        assert_string_equal(string_at(e, "sensor_serial_number"), "SN1");
        assert_string_equal(string_at(e, "doorway_id"), "drw_front"); /* the sensor's door */
    }
    reply_free(&r);

    /* The trajectory is the sensor's, not a space's direction: SN2's -1
     * (E6) was an entrance of the floor. */
    r = get(fx, "/v2/sensors/SN2/events/?start_time=2024-03-04T10:00:00Z&order=DESC");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 2);
    assert_string_equal(string_at(json_array_get(results, 0), "id"), "raw-6");
    assert_int_equal(integer_at(json_array_get(results, 0), "trajectory"), -1);
    reply_free(&r);

    /* An event of a sensor the site does not list is not kept; one without a
     * serial is kept under its doorway's sensor. */
    struct sensor_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.sensor_serial, sizeof e.sensor_serial, "SN404");
    e.timestamp_ms = fixture_ms("2024-03-04T10:40:00Z");
    e.trajectory = 1;
    api_record_sensor_event(fx->api, &e);
    memset(&e, 0, sizeof e);
    snprintf(e.doorway_id, sizeof e.doorway_id, "drw_room1");
    e.timestamp_ms = fixture_ms("2024-03-04T10:41:00Z");
    e.trajectory = -1;
    api_record_sensor_event(fx->api, &e);
    r = get(fx, "/v2/sensors/SN3/events/?start_time=2024-03-04T10:40:00Z"
                "&end_time=2024-03-04T10:42:00Z");
    results = results_of(&r);
    assert_int_equal(json_array_size(results), 1);
    assert_true(json_is_null(json_object_get(json_array_get(results, 0), "id")));
    assert_string_equal(string_at(json_array_get(results, 0), "sensor_serial_number"), "SN3");
    reply_free(&r);
    fx_free(fx);
}

/* --- sockets ------------------------------------------------------------------------- */

/* POST /sockets; returns the code (malloc'd) from the URL. */
static char *issue_code(struct fx *fx)
{
    struct reply r = send_request(fx, "POST", "/v2/sockets", NULL);
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "ttl"), 300);
    const char *url = string_at(r.json, "url");
    static const char prefix[] = "ws://mock.test:8080/v2/?code=skc_";
    if (strncmp(url, prefix, strlen(prefix)) != 0)
        fail_msg("unexpected socket URL %s", url);
    char *code = strdup(strstr(url, "skc_"));
    assert_true(strlen(code) > 12);
    reply_free(&r);
    return code;
}

static void test_socket_codes(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    int64_t issued = fx->wall_ms;
    char *a = issue_code(fx);
    char *b = issue_code(fx);
    assert_string_not_equal(a, b);

    /* Once, and only once. */
    assert_true(api_claim_socket_code(fx->api, a, issued + 1000));
    assert_false(api_claim_socket_code(fx->api, a, issued + 1000));
    /* Strictly within the ttl. */
    assert_true(api_claim_socket_code(fx->api, b, issued + 300000 - 1));
    char *c = issue_code(fx);
    assert_false(api_claim_socket_code(fx->api, c, issued + 300000));
    assert_false(api_claim_socket_code(fx->api, c, issued + 1000)); /* expired is gone */

    /* Anything else is refused. */
    char *d = issue_code(fx);
    char near[64];
    snprintf(near, sizeof near, "%s", d);
    near[strlen(near) - 1] ^= 1; /* one character off */
    assert_false(api_claim_socket_code(fx->api, near, issued));
    near[strlen(near) - 1] = '\0'; /* a prefix */
    assert_false(api_claim_socket_code(fx->api, near, issued));
    snprintf(near, sizeof near, "%sX", d); /* longer */
    assert_false(api_claim_socket_code(fx->api, near, issued));
    assert_false(api_claim_socket_code(fx->api, "skc_fQhnu2a", issued));
    assert_false(api_claim_socket_code(fx->api, "", issued));
    assert_false(api_claim_socket_code(fx->api, NULL, issued));
    assert_false(api_claim_socket_code(NULL, d, issued));
    char huge[4096];
    memset(huge, 'k', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_false(api_claim_socket_code(fx->api, huge, issued));
    assert_true(api_claim_socket_code(fx->api, d, issued)); /* still good after all that */
    free(a);
    free(b);
    free(c);
    free(d);
    fx_free(fx);

    /* A seed makes codes repeatable; another seed gives others. */
    struct fx *x = fx_new_with(0, 7, 0), *y = fx_new_with(0, 7, 0), *z = fx_new_with(0, 8, 0);
    char *cx = issue_code(x), *cy = issue_code(y), *cz = issue_code(z);
    assert_string_equal(cx, cy);
    assert_string_not_equal(cx, cz);
    assert_false(api_claim_socket_code(y->api, cz, y->wall_ms)); /* codes are per server */
    free(cx);
    free(cy);
    free(cz);
    fx_free(x);
    fx_free(y);
    fx_free(z);

    /* Without a seed, codes come from the system: 22 letters and digits,
     * never the same twice. */
    struct fx *u = fx_new_with(0, 0, 0), *v = fx_new_with(0, 0, 0);
    char *cu = issue_code(u), *cv = issue_code(v), *cu2 = issue_code(u);
    assert_int_equal(strlen(cu), 4 + 22);
    assert_int_equal(strspn(cu + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789"),
                     22);
    assert_string_not_equal(cu, cv);
    assert_string_not_equal(cu, cu2);
    assert_true(api_claim_socket_code(u->api, cu2, u->wall_ms));
    assert_true(api_claim_socket_code(u->api, cu, u->wall_ms));
    free(cu);
    free(cv);
    free(cu2);
    fx_free(u);
    fx_free(v);
}

/* --- PUT /spaces/:id/ ---------------------------------------------------------------- */

static void expect_put_refused(struct fx *fx, const char *body, const char *field)
{
    struct reply r = send_request(fx, "PUT", "/v2/spaces/spc_cafe/", body);
    expect_status(&r, 400);
    if (!strstr(detail(&r), field))
        fail_msg("PUT %s: the detail does not name %s: %s", body, field, detail(&r));
    reply_free(&r);
}

static void test_put_validation(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    expect_put_refused(fx, "{\"safe_threshold_mode\": \"SAFE_MAYBE\"}", "safe_threshold_mode");
    expect_put_refused(fx, "{\"safe_threshold_mode\": 3}", "safe_threshold_mode");
    expect_put_refused(fx, "{\"capacity\": -1}", "capacity");
    expect_put_refused(fx, "{\"capacity\": 2.5}", "capacity");
    expect_put_refused(fx, "{\"capacity\": \"20\"}", "capacity");
    expect_put_refused(fx, "{\"target_capacity\": -5}", "target_capacity");
    expect_put_refused(fx, "{\"safe_capacity\": 99999999999}", "safe_capacity");
    expect_put_refused(fx, "{\"daily_reset\": \"25:00\"}", "daily_reset");
    expect_put_refused(fx, "{\"daily_reset\": \"4am\"}", "daily_reset");
    expect_put_refused(fx, "{\"daily_reset\": \"04:00:30\"}", "daily_reset");
    expect_put_refused(fx, "{\"time_zone\": \"Mars/Olympus_Mons\"}", "time_zone");
    expect_put_refused(fx, "{\"time_zone\": \"../../etc/passwd\"}", "time_zone");
    expect_put_refused(fx, "{\"name\": \"\"}", "name");
    expect_put_refused(fx, "{\"name\": \"   \"}", "name");
    expect_put_refused(fx, "{\"name\": null}", "name");
    expect_put_refused(fx, "{\"safe_threshold_value\": 1.5}", "safe_threshold_value");
    expect_put_refused(fx, "{\"safe_threshold_value\": -0.1}", "safe_threshold_value");
    /* A mode without the field it needs. */
    expect_put_refused(fx, "{\"safe_threshold_mode\": \"SAFE_CAPACITY\"}", "safe_capacity");
    expect_put_refused(fx, "{\"safe_threshold_mode\": \"UTILIZATION_PERC_TARGET\"}",
                       "safe_threshold_value");
    /* Not an object, not JSON, nothing. */
    expect_put_refused(fx, "[1, 2]", "request body");
    expect_put_refused(fx, "{\"name\": ", "request body");
    expect_put_refused(fx, "", "request body");
    /* All or nothing: a good name with a bad capacity changes nothing. */
    expect_put_refused(fx, "{\"name\": \"Changed\", \"capacity\": -3}", "capacity");

    struct reply r = get(fx, "/v2/spaces/spc_cafe/");
    assert_string_equal(string_at(r.json, "name"), "Cafe");
    assert_int_equal(integer_at(r.json, "capacity"), 20);
    assert_true(null_at(r.json, "safe_threshold_mode"));
    assert_true(null_at(r.json, "daily_reset"));
    reply_free(&r);

    /* Unknown spaces are 404 before the body is read. */
    r = send_request(fx, "PUT", "/v2/spaces/spc_nope/", "{\"capacity\": -1}");
    expect_status(&r, 404);
    reply_free(&r);
    fx_free(fx);
}

static void test_put_changes(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    site_index cafe = site_find_space(fx->site, "spc_cafe");
    site_index room = site_find_space(fx->site, "spc_room1");
    struct reply r = send_request(fx, "PUT", "/v2/spaces/spc_cafe/",
                                  "{\"name\": \"Big Cafe\", \"capacity\": 30,"
                                  " \"daily_reset\": \"13:00\", \"time_zone\": \"Europe/Paris\","
                                  " \"notes\": \"ignored\", \"meta\": {\"a\": 1}}");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "name"), "Big Cafe");
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/");
    assert_string_equal(string_at(r.json, "name"), "Big Cafe");
    assert_int_equal(integer_at(r.json, "capacity"), 30);
    assert_int_equal(integer_at(r.json, "target_capacity"), 10); /* untouched */
    assert_string_equal(string_at(r.json, "daily_reset"), "13:00");
    assert_string_equal(string_at(r.json, "time_zone"), "Europe/Paris");
    reply_free(&r);
    /* The engine resets the cafe at 13:00 Paris time (UTC+1 in March): the
     * next reset after 10:22Z is 12:00Z the same day. */
    assert_int_equal(engine_next_reset(fx->engine, cafe), fixture_ms("2024-03-04T12:00:00Z"));

    /* A threshold below the live count makes the room unsafe. */
    assert_int_equal(engine_safe_state(fx->engine, room), SAFE_STATE_NONE);
    r = send_request(fx, "PUT", "/v2/spaces/spc_room1",
                     "{\"safe_capacity\": 1, \"safe_threshold_mode\": \"safe_capacity\"}");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "safe_threshold_mode"), "SAFE_CAPACITY");
    assert_int_equal(integer_at(r.json, "safe_capacity"), 1);
    reply_free(&r);
    assert_int_equal(engine_safe_state(fx->engine, room), SAFE_STATE_UNSAFE);
    /* Raised again: safe. */
    r = send_request(fx, "PUT", "/v2/spaces/spc_room1/", "{\"safe_capacity\": 10}");
    expect_status(&r, 200);
    reply_free(&r);
    assert_int_equal(engine_safe_state(fx->engine, room), SAFE_STATE_OK);
    /* A quarter of a target of 4: 1 person is still safe, 2 are inside. */
    r = send_request(fx, "PUT", "/v2/spaces/spc_room1/",
                     "{\"target_capacity\": 4, \"safe_threshold_value\": 0.25,"
                     " \"safe_threshold_mode\": \"UTILIZATION_PERC_TARGET\"}");
    expect_status(&r, 200);
    reply_free(&r);
    assert_int_equal(engine_safe_state(fx->engine, room), SAFE_STATE_UNSAFE); /* 2 > 1 */

    /* null clears: no mode, no capacity, the default reset, UTC. */
    r = send_request(fx, "PUT", "/v2/spaces/spc_cafe/",
                     "{\"capacity\": null, \"daily_reset\": null, \"time_zone\": null}");
    expect_status(&r, 200);
    assert_true(null_at(r.json, "capacity"));
    assert_true(null_at(r.json, "daily_reset"));
    assert_true(null_at(r.json, "time_zone"));
    reply_free(&r);
    /* 04:00 UTC next: after 10:22Z that is tomorrow. */
    assert_int_equal(engine_next_reset(fx->engine, cafe), fixture_ms("2024-03-05T04:00:00Z"));
    r = send_request(fx, "PUT", "/v2/spaces/spc_room1/", "{\"safe_threshold_mode\": null}");
    expect_status(&r, 200);
    reply_free(&r);
    assert_int_equal(engine_safe_state(fx->engine, room), SAFE_STATE_NONE);
    fx_free(fx);
}

/* --- tags ---------------------------------------------------------------------------- */

static void test_tags(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char names[256];
    list_ids(fx, "/v2/tags/", "name", names, sizeof names);
    assert_string_equal(names, "food hq open");

    struct reply r = get(fx, "/v2/tags/hq/");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "name"), "hq");
    const json_t *spaces = json_object_get(r.json, "spaces");
    assert_int_equal(json_array_size(spaces), 2);
    assert_string_equal(string_at(json_array_get(spaces, 0), "id"), "spc_bldg");
    assert_string_equal(string_at(json_array_get(spaces, 0), "name"), "HQ");
    assert_int_equal(integer_at(json_array_get(spaces, 0), "current_count"), 43);
    assert_string_equal(string_at(json_array_get(spaces, 1), "id"), "spc_floor");
    assert_int_equal(integer_at(json_array_get(spaces, 1), "current_count"), 3);
    const json_t *doorways = json_object_get(r.json, "doorways");
    assert_int_equal(json_array_size(doorways), 1);
    assert_string_equal(string_at(json_array_get(doorways, 0), "id"), "drw_front");
    assert_string_equal(string_at(json_array_get(doorways, 0), "name"), "Front Door");
    reply_free(&r);

    r = get(fx, "/v2/tags/open/"); /* spaces only */
    assert_int_equal(json_array_size(json_object_get(r.json, "spaces")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "doorways")), 0);
    reply_free(&r);
    r = get(fx, "/v2/tags/HQ/"); /* exact */
    expect_status(&r, 404);
    reply_free(&r);
    fx_free(fx);
}

/* --- untrusted input ----------------------------------------------------------------- */

/* Hostile parameters never crash and never break the JSON. */
static void test_hostile_input(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const char *targets[] = {
        COUNTS "start_time=%FF%FE%00&end_time=%1B[2J",
        COUNTS WINDOW "&interval=%FF",
        COUNTS WINDOW "&order=%C3%28",
        "/v2/spaces/?tag=%FF%FE&page_size=1",
        "/v2/spaces/?doorway_id=%E2%80%AE",
        EVENTS "start_time=2024-03-04T10:00:00Z&doorway_id=%FF",
        "/v2/tags/%FF/",
        "/v2/sensors/%1B%5B31m/",
    };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        struct reply r = get(fx, targets[i]);
        assert_true(r.status == 200 || r.status == 400 || r.status == 404);
        reply_free(&r);
    }
    /* A PUT body with a NUL inside, a huge body, deep nesting. */
    struct api_request request = { .method = "PUT", .path = "/v2/spaces/spc_cafe/",
                                   .authorization = "Bearer " TOKEN, .body = "{\"name\":\"a\0b\"}",
                                   .body_length = 14, .wall_ms = fx->wall_ms };
    struct api_response response;
    api_handle(fx->api, &request, &response);
    assert_int_equal(response.status, 400);
    api_response_clear(&response);
    size_t big = 70 * 1024;
    char *body = malloc(big + 1);
    assert_non_null(body);
    memset(body, '[', big);
    body[big] = '\0';
    request.body = body;
    request.body_length = big;
    api_handle(fx->api, &request, &response);
    assert_int_equal(response.status, 400);
    api_response_clear(&response);
    request.body_length = 5000; /* deep nesting, under the size limit */
    api_handle(fx->api, &request, &response);
    assert_int_equal(response.status, 400);
    api_response_clear(&response);
    free(body);
    /* Space events with hostile ids are kept without breaking the output. */
    struct space_event e;
    memset(&e, 0xFF, sizeof e); /* not terminated, not UTF-8 */
    e.count_present = false;
    e.timestamp_ms = fixture_ms("2024-03-04T10:50:00Z");
    e.direction = 1;
    api_record_space_event(fx->api, 3, &e);
    api_record_space_event(fx->api, 999, &e); /* no such space: ignored */
    api_record_space_event(fx->api, -1, &e);
    struct reply r = get(fx, "/v2/spaces/spc_room1/events/?start_time=2024-03-04T10:45:00Z"
                             "&end_time=2024-03-04T11:00:00Z");
    expect_status(&r, 200);
    const json_t *row = json_array_get(results_of(&r), 0);
    assert_true(json_is_null(json_object_get(row, "id")));
    assert_true(json_is_null(json_object_get(row, "doorway_id")));
    reply_free(&r);
    fx_free(fx);
}

/* --- time segments (api_segments.c) ------------------------------------------------------ */

#define SEGMENTS "/v2/time_segments/"

/* A request whose answer may have no body (204): its status. */
static int status_of(struct fx *fx, const char *method, const char *path, const char *body)
{
    struct api_request request = { .method = method, .path = path,
                                   .authorization = "Bearer " TOKEN, .body = body,
                                   .body_length = body ? strlen(body) : 0,
                                   .wall_ms = fx->wall_ms };
    struct api_response response;
    api_handle(fx->api, &request, &response);
    int status = response.status;
    if (status == 204)
        assert_null(response.body);
    api_response_clear(&response);
    return status;
}

/* POSTs a segment and returns its id (the caller frees it). */
static char *post_segment(struct fx *fx, const char *body)
{
    struct reply r = send_request(fx, "POST", SEGMENTS, body);
    expect_status(&r, 201);
    char *id = strdup(string_at(r.json, "id"));
    reply_free(&r);
    return id;
}

/* A 400 whose detail names the body field. */
static void expect_field_bad(struct fx *fx, const char *method, const char *target,
                             const char *body, const char *field)
{
    struct reply r = send_request(fx, method, target, body);
    expect_status(&r, 400);
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", field);
    if (!strstr(detail(&r), quoted))
        fail_msg("%s %s: the detail does not name %s: %s", method, body ? body : "(none)",
                 quoted, detail(&r));
    reply_free(&r);
}

static const char lunch_body[] =
    "{\"label\": \"Lunch\", \"start\": \"11:30\", \"end\": \"13:30:00\","
    " \"days\": [\"Friday\", \"Monday\"], \"spaces\": [\"spc_cafe\"]}";

static void test_segments_crud(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* None at first: an empty list, not 404. */
    struct reply r = get(fx, SEGMENTS);
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);

    r = send_request(fx, "POST", SEGMENTS, lunch_body);
    expect_status(&r, 201);
    char *id = strdup(string_at(r.json, "id"));
    assert_int_equal(strncmp(id, "tsm_", 4), 0);
    assert_int_equal(strlen(id), 4 + 18); /* "tsm_" and 18 digits */
    assert_string_equal(string_at(r.json, "label"), "Lunch");
    assert_string_equal(string_at(r.json, "start"), "11:30:00");
    assert_string_equal(string_at(r.json, "end"), "13:30:00");
    const json_t *days = json_object_get(r.json, "days"); /* Monday first */
    assert_int_equal(json_array_size(days), 2);
    assert_string_equal(json_string_value(json_array_get(days, 0)), "Monday");
    assert_string_equal(json_string_value(json_array_get(days, 1)), "Friday");
    const json_t *spaces = json_object_get(r.json, "spaces");
    assert_int_equal(json_array_size(spaces), 1);
    assert_string_equal(string_at(json_array_get(spaces, 0), "space_id"), "spc_cafe");
    assert_string_equal(string_at(json_array_get(spaces, 0), "name"), "Cafe");
    /* Exactly the reference's keys. */
    assert_int_equal(json_object_size(r.json), 6);
    assert_int_equal(json_object_size(json_array_get(spaces, 0)), 2);
    json_t *created = json_deep_copy(r.json);
    reply_free(&r);

    /* GET by id and the list show the same. */
    char path[128];
    snprintf(path, sizeof path, SEGMENTS "%s/", id);
    r = get(fx, path);
    expect_status(&r, 200);
    assert_true(json_equal(r.json, created));
    reply_free(&r);
    r = get(fx, SEGMENTS);
    assert_int_equal(integer_at(r.json, "total"), 1);
    assert_true(json_equal(json_array_get(results_of(&r), 0), created));
    reply_free(&r);

    /* PUT changes what it names. */
    r = send_request(fx, "PUT", path,
                     "{\"label\": \"Early Lunch on Weekends\", \"days\": [\"Sunday\", "
                     "\"Saturday\"], \"id\": \"tsm_ignored\"}");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "id"), id);
    assert_string_equal(string_at(r.json, "label"), "Early Lunch on Weekends");
    assert_string_equal(string_at(r.json, "start"), "11:30:00");
    days = json_object_get(r.json, "days");
    assert_int_equal(json_array_size(days), 2);
    assert_string_equal(json_string_value(json_array_get(days, 0)), "Saturday");
    assert_int_equal(json_array_size(json_object_get(r.json, "spaces")), 1);
    reply_free(&r);
    /* An empty object changes nothing; a GET body can be sent back. */
    r = get(fx, path);
    json_t *before = json_deep_copy(r.json);
    char *text = json_dumps(r.json, JSON_COMPACT);
    reply_free(&r);
    r = send_request(fx, "PUT", path, "{}");
    expect_status(&r, 200);
    assert_true(json_equal(r.json, before));
    reply_free(&r);
    r = send_request(fx, "PUT", path, text);
    expect_status(&r, 200);
    assert_true(json_equal(r.json, before));
    reply_free(&r);
    free(text);
    /* The spaces, the times. */
    r = send_request(fx, "PUT", path,
                     "{\"spaces\": [\"spc_bldg\", \"spc_room1\", \"spc_bldg\"],"
                     " \"start\": \"22:00\", \"end\": \"06:00\"}");
    expect_status(&r, 200);
    spaces = json_object_get(r.json, "spaces");
    assert_int_equal(json_array_size(spaces), 2); /* repeats count once */
    assert_string_equal(string_at(json_array_get(spaces, 0), "space_id"), "spc_bldg");
    assert_string_equal(string_at(json_array_get(spaces, 1), "name"), "Room 1");
    assert_string_equal(string_at(r.json, "start"), "22:00:00");
    assert_string_equal(string_at(r.json, "end"), "06:00:00");
    reply_free(&r);
    r = send_request(fx, "PUT", path, "{\"spaces\": []}");
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "spaces")), 0);
    reply_free(&r);

    /* DELETE: 204 without a body, then it is gone. */
    assert_int_equal(status_of(fx, "DELETE", path, NULL), 204);
    r = get(fx, path);
    expect_status(&r, 404);
    assert_non_null(strstr(detail(&r), id));
    reply_free(&r);
    assert_int_equal(status_of(fx, "DELETE", path, NULL), 404);
    assert_int_equal(status_of(fx, "PUT", path, "{}"), 404);
    r = get(fx, SEGMENTS);
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);

    /* A new id is never one given before. */
    char *again = post_segment(fx, lunch_body);
    assert_string_not_equal(again, id);
    free(again);

    /* Methods. */
    struct reply m = send_request(fx, "PATCH", path, "{}");
    expect_status(&m, 405);
    assert_string_equal(m.allow, "GET, PUT, DELETE");
    reply_free(&m);
    m = send_request(fx, "DELETE", SEGMENTS, NULL);
    expect_status(&m, 405);
    assert_string_equal(m.allow, "GET, POST");
    reply_free(&m);
    json_decref(created);
    json_decref(before);
    free(id);
    fx_free(fx);
}

static void test_segments_pagination_and_shapes(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    for (int i = 0; i < 5; i++)
        free(post_segment(fx, lunch_body));
    char *ids[8];
    assert_int_equal(walk_pages(fx, SEGMENTS "?page_size=2", "id", ids, 8, 3), 5);
    for (size_t i = 1; i < 5; i++)
        assert_true(strcmp(ids[i - 1], ids[i]) < 0); /* in the order made */
    free_strings(ids, 5);

    /* The reference's examples, key by key. */
    json_t *reference = fixture_json_ok("api/list-time-segments.json");
    struct reply r = get(fx, SEGMENTS);
    assert_keys(reference, r.json, "list-time-segments.json");
    reply_free(&r);
    json_decref(reference);
    reference = fixture_json_ok("api/create-time-segment.json");
    r = send_request(fx, "POST", SEGMENTS, lunch_body);
    expect_status(&r, 201);
    assert_keys(reference, r.json, "create-time-segment.json");
    char path[128];
    snprintf(path, sizeof path, SEGMENTS "%s", string_at(r.json, "id")); /* no slash */
    reply_free(&r);
    json_decref(reference);
    reference = fixture_json_ok("api/get-time-segment.json");
    r = get(fx, path);
    expect_status(&r, 200);
    assert_keys(reference, r.json, "get-time-segment.json");
    reply_free(&r);
    json_decref(reference);
    reference = fixture_json_ok("api/update-time-segment.json");
    r = send_request(fx, "PUT", path, "{\"label\": \"Early Lunch on Weekends\","
                                      " \"days\": [\"Sunday\", \"Saturday\"]}");
    expect_status(&r, 200);
    assert_keys(reference, r.json, "update-time-segment.json");
    reply_free(&r);
    json_decref(reference);
    fx_free(fx);
}

static void test_segments_validation(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    static const struct {
        const char *body, *field;
    } bad[] = {
        /* each required field */
        { "{\"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"], \"spaces\": []}",
          "label" },
        { "{\"label\": \"L\", \"end\": \"12:00\", \"days\": [\"Monday\"], \"spaces\": []}",
          "start" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"days\": [\"Monday\"], \"spaces\": []}",
          "end" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"spaces\": []}", "days" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"]}",
          "spaces" },
        /* label */
        { "{\"label\": \"  \", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "label" },
        { "{\"label\": 7, \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "label" },
        { "{\"label\": null, \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "label" },
        /* times */
        { "{\"label\": \"L\", \"start\": \"24:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "start" },
        { "{\"label\": \"L\", \"start\": \"1130\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "start" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:60\", \"days\": [\"Monday\"],"
          " \"spaces\": []}", "end" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": 12, \"days\": [\"Monday\"],"
          " \"spaces\": []}", "end" },
        /* days */
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [],"
          " \"spaces\": []}", "days" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": \"Monday\","
          " \"spaces\": []}", "days" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"monday\"],"
          " \"spaces\": []}", "days[0]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\","
          " \"Funday\"], \"spaces\": []}", "days[1]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\","
          " \"Monday\"], \"spaces\": []}", "days[1]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [1],"
          " \"spaces\": []}", "days[0]" },
        /* spaces */
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [\"spc_nope\"]}", "spaces[0]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [\"spc_cafe\", 3]}", "spaces[1]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": \"spc_cafe\"}", "spaces" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [{\"name\": \"Cafe\"}]}", "spaces[0].space_id" },
        /* groups */
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [], \"time_segment_groups\": \"All\"}", "time_segment_groups" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [], \"time_segment_groups\": [\" \"]}", "time_segment_groups[0]" },
        { "{\"label\": \"L\", \"start\": \"11:00\", \"end\": \"12:00\", \"days\": [\"Monday\"],"
          " \"spaces\": [], \"time_segment_groups\": [{\"id\": \"tsg_1\"}]}",
          "time_segment_groups[0]" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_field_bad(fx, "POST", SEGMENTS, bad[i].body, bad[i].field);
    /* A label past 255 bytes. */
    char long_body[600];
    snprintf(long_body, sizeof long_body,
             "{\"label\": \"%0256d\", \"start\": \"11:00\", \"end\": \"12:00\","
             " \"days\": [\"Monday\"], \"spaces\": []}", 0);
    expect_field_bad(fx, "POST", SEGMENTS, long_body, "label");
    /* Bodies that are not an object. */
    static const char *const not_objects[] = { "", "[]", "{", "\"x\"" };
    for (size_t i = 0; i < sizeof not_objects / sizeof not_objects[0]; i++) {
        struct reply r = send_request(fx, "POST", SEGMENTS, not_objects[i][0] ? not_objects[i]
                                                                              : NULL);
        expect_status(&r, 400);
        assert_non_null(strstr(detail(&r), "request body"));
        reply_free(&r);
    }
    /* Nothing was made. */
    struct reply r = get(fx, SEGMENTS);
    assert_int_equal(integer_at(r.json, "total"), 0);
    reply_free(&r);

    /* PUT: all or nothing. */
    char *id = post_segment(fx, lunch_body);
    char path[128];
    snprintf(path, sizeof path, SEGMENTS "%s/", id);
    r = get(fx, path);
    json_t *before = json_deep_copy(r.json);
    reply_free(&r);
    expect_field_bad(fx, "PUT", path, "{\"label\": \"New\", \"days\": [\"Moonday\"]}", "days[0]");
    expect_field_bad(fx, "PUT", path, "{\"label\": \"New\", \"spaces\": [\"spc_x\"]}",
                     "spaces[0]");
    expect_field_bad(fx, "PUT", path, "{\"start\": null}", "start");
    expect_field_bad(fx, "PUT", path, "{\"days\": null}", "days");
    r = get(fx, path);
    assert_true(json_equal(r.json, before));
    reply_free(&r);
    json_decref(before);
    free(id);
    fx_free(fx);
}

static const json_t *space_part(const struct reply *r, const char *key)
{
    const json_t *value = json_object_get(r->json, key);
    assert_non_null(value);
    return value;
}

/* What spaces show: the segments that apply, inherited ones included. */
static void test_segments_on_spaces(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    /* Nothing yet: empty lists, not inherited. */
    struct reply r = get(fx, "/v2/spaces/spc_cafe/");
    assert_int_equal(json_array_size(space_part(&r, "time_segments")), 0);
    assert_int_equal(json_array_size(space_part(&r, "time_segment_groups")), 0);
    assert_true(json_is_false(space_part(&r, "inherits_time_segments")));
    reply_free(&r);

    char *office = post_segment(fx, "{\"label\": \"Office hours\", \"start\": \"08:00\","
                                    " \"end\": \"18:00\", \"days\": [\"Monday\", \"Tuesday\"],"
                                    " \"spaces\": [\"spc_bldg\"],"
                                    " \"time_segment_groups\": [\"Work\"]}");
    char *lunch = post_segment(fx, "{\"label\": \"Lunch\", \"start\": \"11:30\","
                                   " \"end\": \"13:30\", \"days\": [\"Monday\"],"
                                   " \"spaces\": [\"spc_cafe\"],"
                                   " \"time_segment_groups\": [\"Meals\", \"Work\"]}");
    /* The building: its own, not inherited. */
    r = get(fx, "/v2/spaces/spc_bldg/");
    const json_t *segments = space_part(&r, "time_segments");
    assert_int_equal(json_array_size(segments), 1);
    const json_t *one = json_array_get(segments, 0);
    assert_string_equal(string_at(one, "id"), office);
    assert_string_equal(string_at(one, "name"), "Office hours");
    assert_string_equal(string_at(one, "start"), "08:00:00");
    assert_string_equal(string_at(one, "end"), "18:00:00");
    assert_int_equal(json_array_size(json_object_get(one, "days")), 2);
    assert_int_equal(json_object_size(one), 5); /* id, name, start, end, days */
    const json_t *groups = space_part(&r, "time_segment_groups");
    assert_int_equal(json_array_size(groups), 1);
    assert_string_equal(string_at(json_array_get(groups, 0), "name"), "Work");
    char *work = strdup(string_at(json_array_get(groups, 0), "id"));
    assert_int_equal(strncmp(work, "tsg_", 4), 0);
    assert_true(json_is_false(space_part(&r, "inherits_time_segments")));
    reply_free(&r);
    /* The floor inherits office hours. */
    r = get(fx, "/v2/spaces/spc_floor/");
    assert_int_equal(json_array_size(space_part(&r, "time_segments")), 1);
    assert_true(json_is_true(space_part(&r, "inherits_time_segments")));
    reply_free(&r);
    /* The cafe: office hours (inherited) and lunch (its own); both groups. */
    r = get(fx, "/v2/spaces/spc_cafe/");
    segments = space_part(&r, "time_segments");
    assert_int_equal(json_array_size(segments), 2);
    assert_string_equal(string_at(json_array_get(segments, 0), "id"), office);
    assert_string_equal(string_at(json_array_get(segments, 1), "id"), lunch);
    assert_int_equal(json_array_size(space_part(&r, "time_segment_groups")), 2);
    assert_true(json_is_true(space_part(&r, "inherits_time_segments")));
    reply_free(&r);
    /* A room outside the building: none. */
    r = get(fx, "/v2/spaces/spc_room2/");
    assert_int_equal(json_array_size(space_part(&r, "time_segments")), 0);
    reply_free(&r);
    /* The list shows the same. */
    r = get(fx, "/v2/spaces/?tag=food");
    assert_int_equal(json_array_size(
                         json_object_get(json_array_get(results_of(&r), 0), "time_segments")),
                     2);
    reply_free(&r);

    /* Groups by id or by name; [] leaves them all; an empty group is gone. */
    char path[128], body[256];
    snprintf(path, sizeof path, SEGMENTS "%s/", office);
    r = send_request(fx, "PUT", path, "{\"time_segment_groups\": []}");
    expect_status(&r, 200);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_bldg/");
    assert_int_equal(json_array_size(space_part(&r, "time_segment_groups")), 0);
    reply_free(&r);
    snprintf(body, sizeof body, "{\"time_segment_groups\": [\"%s\"]}", work);
    r = send_request(fx, "PUT", path, body); /* Work still holds lunch: found by id */
    expect_status(&r, 200);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_bldg/");
    groups = space_part(&r, "time_segment_groups");
    assert_int_equal(json_array_size(groups), 1);
    assert_string_equal(string_at(json_array_get(groups, 0), "id"), work);
    reply_free(&r);
    /* Deleting lunch takes Meals with it (no segment left in it). */
    snprintf(path, sizeof path, SEGMENTS "%s/", lunch);
    assert_int_equal(status_of(fx, "DELETE", path, NULL), 204);
    r = get(fx, "/v2/spaces/spc_cafe/");
    assert_int_equal(json_array_size(space_part(&r, "time_segments")), 1);
    groups = space_part(&r, "time_segment_groups");
    assert_int_equal(json_array_size(groups), 1);
    assert_string_equal(string_at(json_array_get(groups, 0), "name"), "Work");
    reply_free(&r);

    /* The state round trip: another api with the same site shape. */
    json_t *saved = api_segments_to_json(fx->api);
    assert_non_null(saved);
    struct fx *other = fx_new();
    char error[256] = "";
    json_t *bad = json_pack("{s:[{s:s}]}", "time_segments", "label", "no id");
    assert_int_equal(api_segments_from_json(other->api, bad, error, sizeof error), -1);
    assert_non_null(strstr(error, "\"id\""));
    json_decref(bad);
    assert_int_equal(api_segments_from_json(other->api, saved, error, sizeof error), 0);
    struct reply a = get(fx, "/v2/spaces/spc_cafe/"), b = get(other, "/v2/spaces/spc_cafe/");
    assert_true(json_equal(json_object_get(a.json, "time_segments"),
                           json_object_get(b.json, "time_segments")));
    assert_true(json_equal(json_object_get(a.json, "time_segment_groups"),
                           json_object_get(b.json, "time_segment_groups")));
    reply_free(&a);
    reply_free(&b);
    a = get(fx, SEGMENTS);
    b = get(other, SEGMENTS);
    assert_true(json_equal(a.json, b.json));
    reply_free(&a);
    reply_free(&b);
    /* New ids after a restore stay clear of the restored ones. */
    char *next = post_segment(other, lunch_body);
    assert_true(strcmp(next, office) > 0 && strcmp(next, lunch) > 0);
    free(next);
    json_decref(saved);
    fx_free(other);
    free(work);
    free(office);
    free(lunch);
    fx_free(fx);
}

static int changes;
static void count_change(void *context)
{
    assert_ptr_equal(context, &changes);
    changes++;
}

/* on_change: once per request that changed something, never otherwise. */
static void test_segments_change_hook(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    api_free(fx->api);
    struct api_config config = { .token = TOKEN, .rate_limit = 0, .base_url = BASE,
                                 .seed = 42, .on_change = count_change,
                                 .change_context = &changes };
    fx->api = api_new(fx->site, fx->engine, NULL, &config);
    assert_non_null(fx->api);
    struct engine_sink sink = { .context = fx->api, .space_event = record_space_event };
    engine_set_sink(fx->engine, &sink);
    changes = 0;
    char *id = post_segment(fx, lunch_body);
    assert_int_equal(changes, 1);
    char path[128];
    snprintf(path, sizeof path, SEGMENTS "%s/", id);
    expect_field_bad(fx, "PUT", path, "{\"days\": []}", "days");
    expect_field_bad(fx, "POST", SEGMENTS, "{}", "label");
    struct reply r = get(fx, path);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/");
    reply_free(&r);
    assert_int_equal(changes, 1);
    r = send_request(fx, "PUT", path, "{\"label\": \"Late\"}");
    reply_free(&r);
    assert_int_equal(changes, 2);
    assert_int_equal(status_of(fx, "DELETE", path, NULL), 204);
    assert_int_equal(changes, 3);
    assert_int_equal(status_of(fx, "DELETE", path, NULL), 404);
    assert_int_equal(changes, 3);
    free(id);
    fx_free(fx);
}

/* The sample of `r` at `index` and its analytics. */
static const json_t *sample_at(const struct reply *r, size_t index, const json_t **analytics)
{
    const json_t *sample = json_array_get(results_of(r), index);
    assert_non_null(sample);
    *analytics = json_object_get(json_object_get(sample, "interval"), "analytics");
    return sample;
}

static double real_at(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_number(value))
        fail_msg("\"%s\" is not a number", key);
    return json_number_value(value);
}

/* Counts by segment against the day's traffic worked out by hand (Floor 1,
 * UTC, Monday 2024-03-04), minute by minute:
 *   10:00  starts at 0, E1 E2 in          (min 0, max 2)
 *   10:01  starts at 2, E3 in             (2, 3)
 *   10:02  starts at 3, E4 out            (2, 3)
 *   10:03  2                              (2, 2)
 *   10:04  starts at 2, E11 in            (2, 3)
 *   10:05  starts at 3, E6 in at 10:05:30 (3, 4)
 *   10:06 .. 10:09  4
 *   10:10  starts at 4, E7 out            (3, 4); then 3.
 * The segment 10:02-10:06 on Mondays keeps the minutes 10:02 to 10:05. */
static void test_counts_by_segment(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char *mid = post_segment(fx, "{\"label\": \"Mid\", \"start\": \"10:02\", \"end\": \"10:06\","
                                 " \"days\": [\"Monday\"], \"spaces\": [\"spc_room2\"],"
                                 " \"time_segment_groups\": [\"G\"]}");
    char *night = post_segment(fx, "{\"label\": \"Night\", \"start\": \"23:00\","
                                   " \"end\": \"01:00\", \"days\": [\"Sunday\"], \"spaces\": []}");
    char target[512];
    /* 5m: two samples are left. */
    snprintf(target, sizeof target, COUNTS WINDOW "&interval=5m&time_segment_id=%s", mid);
    struct reply r = get(fx, target);
    expect_status(&r, 200);
    assert_int_equal(integer_at(r.json, "total"), 2);
    assert_int_equal(json_array_size(results_of(&r)), 2);
    const json_t *a;
    const json_t *s = sample_at(&r, 0, &a);
    assert_int_equal(timestamp_at(s, "timestamp"), fixture_ms("2024-03-04T10:00:00Z"));
    const json_t *interval = json_object_get(s, "interval");
    assert_int_equal(timestamp_at(interval, "start"), fixture_ms("2024-03-04T10:00:00Z"));
    assert_int_equal(timestamp_at(interval, "end"), fixture_ms("2024-03-04T10:04:59.999Z"));
    assert_int_equal(integer_at(s, "count"), 3); /* at 10:02, the first minute in */
    assert_int_equal(integer_at(a, "entrances"), 1); /* E11; E1-E3 are before 10:02 */
    assert_int_equal(integer_at(a, "exits"), 1);     /* E4 */
    assert_int_equal(integer_at(a, "events"), 2);
    assert_int_equal(integer_at(a, "min"), 2);
    assert_int_equal(integer_at(a, "max"), 3);
    assert_true(real_at(a, "entry_rate") > 0.3333 && real_at(a, "entry_rate") < 0.3334);
    s = sample_at(&r, 1, &a);
    assert_int_equal(timestamp_at(s, "timestamp"), fixture_ms("2024-03-04T10:05:00Z"));
    assert_int_equal(integer_at(s, "count"), 3);
    assert_int_equal(integer_at(a, "entrances"), 1); /* E6 */
    assert_int_equal(integer_at(a, "exits"), 0);
    assert_int_equal(integer_at(a, "min"), 3);
    assert_int_equal(integer_at(a, "max"), 4);
    assert_true(real_at(a, "entry_rate") == 1.0);
    /* Metrics over the same four minutes. */
    const json_t *metrics = json_object_get(r.json, "metrics");
    assert_int_equal(metric_total(r.json, "entrances"), 2);
    assert_int_equal(metric_total(r.json, "exits"), 1);
    const json_t *count = json_object_get(metrics, "count");
    assert_true(real_at(count, "average") == 2.5); /* (3 + 2 + 2 + 3) / 4 */
    assert_true(real_at(json_object_get(count, "min"), "value") == 2);
    assert_int_equal(timestamp_at(json_object_get(count, "min"), "timestamp"),
                     fixture_ms("2024-03-04T10:02:00Z"));
    assert_true(real_at(json_object_get(count, "max"), "value") == 4);
    assert_int_equal(timestamp_at(json_object_get(count, "max"), "timestamp"),
                     fixture_ms("2024-03-04T10:05:00Z"));
    json_t *by_segment = json_deep_copy(r.json);
    reply_free(&r);

    /* The same through the group, through a list with an unknown id, and
     * through both parameters at once. */
    r = get(fx, "/v2/spaces/spc_room2/");
    const char *group = string_at(json_array_get(space_part(&r, "time_segment_groups"), 0), "id");
    char *group_id = strdup(group);
    reply_free(&r);
    const char *same[3];
    char t1[512], t2[512], t3[512];
    snprintf(t1, sizeof t1, COUNTS WINDOW "&interval=5m&time_segment_group_id=%s", group_id);
    snprintf(t2, sizeof t2, COUNTS WINDOW "&interval=5m&time_segment_id=tsm_nope,%s,", mid);
    snprintf(t3, sizeof t3, COUNTS WINDOW "&interval=5m&time_segment_id=%s"
                            "&time_segment_group_id=%s", night, group_id);
    same[0] = t1;
    same[1] = t2;
    same[2] = t3;
    for (size_t i = 0; i < 3; i++) {
        r = get(fx, same[i]);
        expect_status(&r, 200);
        assert_true(json_equal(r.json, by_segment));
        reply_free(&r);
    }

    /* The default 1h: one sample, the four minutes. */
    snprintf(target, sizeof target, COUNTS WINDOW "&time_segment_id=%s", mid);
    r = get(fx, target);
    assert_int_equal(integer_at(r.json, "total"), 1);
    s = sample_at(&r, 0, &a);
    assert_int_equal(integer_at(s, "count"), 3);
    assert_int_equal(integer_at(a, "entrances"), 2);
    assert_int_equal(integer_at(a, "exits"), 1);
    assert_int_equal(integer_at(a, "min"), 2);
    assert_int_equal(integer_at(a, "max"), 4);
    assert_true(real_at(a, "entry_rate") == 0.5);
    reply_free(&r);

    /* DESC, and pages that keep the filter. */
    snprintf(target, sizeof target, COUNTS WINDOW "&interval=1m&order=DESC&page_size=3"
                                    "&time_segment_id=%s", mid);
    r = get(fx, target);
    assert_int_equal(integer_at(r.json, "total"), 4);
    assert_int_equal(timestamp_at(json_array_get(results_of(&r), 0), "timestamp"),
                     fixture_ms("2024-03-04T10:05:00Z"));
    assert_non_null(strstr(string_at(r.json, "next"), "time_segment_id=tsm_"));
    reply_free(&r);

    /* Outside every minute, or an unknown id: an empty list. */
    static const char *const empty_targets[] = {
        COUNTS WINDOW "&interval=5m&time_segment_id=tsm_nope",
        COUNTS WINDOW "&interval=5m&time_segment_group_id=tsg_nope",
        COUNTS WINDOW "&time_segment_id=,",
    };
    for (size_t i = 0; i < 4; i++) {
        if (i == 3) {
            snprintf(target, sizeof target, COUNTS WINDOW "&time_segment_id=%s", night);
        } else {
            snprintf(target, sizeof target, "%s", empty_targets[i]);
        }
        r = get(fx, target);
        expect_status(&r, 200);
        assert_int_equal(integer_at(r.json, "total"), 0);
        assert_int_equal(json_array_size(results_of(&r)), 0);
        assert_int_equal(metric_total(r.json, "entrances"), 0);
        assert_int_equal(metric_total(r.json, "exits"), 0);
        metrics = json_object_get(r.json, "metrics");
        assert_true(json_is_null(json_object_get(json_object_get(metrics, "count"), "average")));
        reply_free(&r);
    }

    /* The space's own time zone decides: Floor 1 in New York (UTC-5 in
     * March), a segment from 05:02 to 05:06 there is the same four minutes. */
    r = send_request(fx, "PUT", "/v2/spaces/spc_floor/", "{\"time_zone\": \"America/New_York\"}");
    expect_status(&r, 200);
    reply_free(&r);
    char *local = post_segment(fx, "{\"label\": \"Local\", \"start\": \"05:02\", \"end\": \"05:06\","
                                   " \"days\": [\"Monday\"], \"spaces\": []}");
    snprintf(target, sizeof target, COUNTS WINDOW "&interval=5m&time_segment_id=%s", local);
    r = get(fx, target);
    expect_status(&r, 200);
    assert_true(json_equal(r.json, by_segment));
    reply_free(&r);
    snprintf(target, sizeof target, COUNTS WINDOW "&interval=5m&time_segment_id=%s", mid);
    r = get(fx, target);
    assert_int_equal(integer_at(r.json, "total"), 0); /* 10:02 UTC is 05:02 there */
    reply_free(&r);

    json_decref(by_segment);
    free(local);
    free(group_id);
    free(mid);
    free(night);
    fx_free(fx);
}

/* --- counts: answers kept --------------------------------------------------------- */

/* The body of GET /v2/spaces/<space>/counts/?params from `api`: a 200. */
static char *counts_body_from(struct fx *fx, struct api *api, const char *space,
                              const struct api_param *params, size_t count)
{
    char path[128];
    snprintf(path, sizeof path, "/v2/spaces/%s/counts/", space);
    struct api_request request = { .method = "GET", .path = path, .params = params,
                                   .param_count = count, .authorization = "Bearer " TOKEN,
                                   .wall_ms = fx->wall_ms };
    struct api_response response;
    api_handle(api, &request, &response);
    if (response.status != 200)
        fail_msg("%s: %d %s", path, response.status, response.body);
    assert_int_equal(strlen(response.body), response.body_length);
    char *body = strdup(response.body);
    assert_non_null(body);
    api_response_clear(&response);
    return body;
}

/* Asks fx->api, which may answer with what it kept, and an api over the same
 * site and engine that has kept nothing: the bytes must be the same.  Tells
 * whether fx->api answered from what it kept. */
static char *expect_fresh(struct fx *fx, const char *space, const struct api_param *params,
                          size_t count, bool *kept)
{
    uint64_t hits_before, hits, misses;
    api_counts_cache_stats(fx->api, &hits_before, &misses);
    char *body = counts_body_from(fx, fx->api, space, params, count);
    api_counts_cache_stats(fx->api, &hits, &misses);
    *kept = hits > hits_before;

    struct api_config config = { .token = TOKEN, .rate_limit = 0, .base_url = BASE "/",
                                 .seed = 42 };
    struct api *fresh = api_new(fx->site, fx->engine, NULL, &config);
    assert_non_null(fresh);
    char *computed = counts_body_from(fx, fresh, space, params, count);
    api_free(fresh);
    assert_string_equal(body, computed);
    free(computed);
    return body;
}

/* The answer to `params` before and after a change: equal to a fresh one
 * each time, and different (or the same, `differs` false) from before. */
static void expect_change(struct fx *fx, int line, char **before, const char *space,
                          const struct api_param *params, size_t count, bool differs)
{
    bool kept;
    char *after = expect_fresh(fx, space, params, count, &kept);
    bool same = strcmp(*before, after) == 0;
    if (differs == same || kept == differs)
        fail_msg("line %d: expected %s; the answer %s, %s", line,
                 differs ? "a new answer" : "the kept one", same ? "is the same" : "changed",
                 kept ? "kept" : "computed");
    free(*before);
    *before = after;
}

#define EXPECT_CHANGE(...) expect_change(fx, __LINE__, __VA_ARGS__)

/* GET /spaces/:id/ answers are kept: every change a request makes, and every
 * count the engine makes, must show in the next answer. */
static void test_space_kept_answers_are_fresh(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct reply r = get(fx, "/v2/spaces/spc_cafe/");
    expect_status(&r, 200);
    char *first = json_dumps(r.json, JSON_COMPACT);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/");
    char *again = json_dumps(r.json, JSON_COMPACT);
    assert_string_equal(first, again);
    reply_free(&r);

    r = send_request(fx, "PUT", "/v2/spaces/spc_cafe/", "{\"name\": \"Cafe Renamed\"}");
    expect_status(&r, 200);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/");
    assert_string_equal(string_at(r.json, "name"), "Cafe Renamed");
    reply_free(&r);

    r = send_request(fx, "POST", "/v2/spaces/spc_cafe/tags/", "{\"tag_name\": \"fresh\"}");
    expect_status(&r, 201);
    reply_free(&r);
    r = get(fx, "/v2/spaces/spc_cafe/");
    char *tagged = json_dumps(json_object_get(r.json, "tags"), JSON_COMPACT);
    assert_non_null(strstr(tagged, "\"fresh\""));
    reply_free(&r);

    site_index cafe = site_find_space(fx->site, "spc_cafe");
    engine_set_count(fx->engine, cafe, engine_count(fx->engine, cafe) + 3,
                     engine_now(fx->engine));
    r = get(fx, "/v2/spaces/spc_cafe/");
    assert_int_equal(json_integer_value(json_object_get(r.json, "current_count")),
                     engine_count(fx->engine, cafe));
    reply_free(&r);
    free(first);
    free(again);
    free(tagged);
    fx_free(fx);
}

static void test_counts_kept_answers_are_fresh(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const struct api_param hour[] = { { "start_time", "2024-03-04T10:00:00Z" },
                                      { "end_time", "2024-03-04T11:00:00Z" },
                                      { "interval", "5m" } };
    const struct api_param day[] = { { "start_time", "2024-03-04T10:00:00Z" },
                                     { "end_time", "2024-03-05T10:00:00Z" },
                                     { "interval", "1h" } };
    const struct api_param paged[] = { { "start_time", "2024-03-04T10:00:00Z" },
                                       { "end_time", "2024-03-04T11:00:00Z" },
                                       { "interval", "1m" }, { "order", "desc" },
                                       { "page_size", "7" }, { "page", "2" } };
    bool kept;
    char *h = expect_fresh(fx, "spc_floor", hour, 3, &kept);
    assert_false(kept);
    char *again = expect_fresh(fx, "spc_floor", hour, 3, &kept);
    assert_true(kept);
    assert_string_equal(h, again);
    free(again);
    char *d = expect_fresh(fx, "spc_floor", day, 3, &kept);
    char *p = expect_fresh(fx, "spc_floor", paged, 6, &kept);
    assert_false(kept);
    assert_non_null(strstr(p, "\"next\":\"" BASE "/spaces/spc_floor/counts/?"));
    EXPECT_CHANGE(&p, "spc_floor", paged, 6, false);

    /* Time passes without events: nothing the answers show moves. */
    engine_advance(fx->engine, fixture_ms("2024-03-04T10:40:00Z"));
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, false);
    /* An event in the window: its sample, the counts after it, the metrics. */
    feed(fx, "raw-12", "SN1", "2024-03-04T10:30:00Z", 1);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, true);
    EXPECT_CHANGE(&p, "spc_floor", paged, 6, true);
    /* A late one, minutes before the newest. */
    feed(fx, "raw-13", "SN1", "2024-03-04T10:25:30Z", -1);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, true);
    /* One after the window moves the live count, not the window's minutes. */
    feed(fx, "raw-14", "SN1", "2024-03-04T11:30:00Z", 1);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, false);
    EXPECT_CHANGE(&d, "spc_floor", day, 3, true); /* the day window holds it */
    /* The count set from outside. */
    engine_set_count(fx->engine, site_find_space(fx->site, "spc_floor"), 9,
                     fixture_ms("2024-03-04T11:40:00Z"));
    EXPECT_CHANGE(&d, "spc_floor", day, 3, true);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, false);
    /* Edits of the space: utilization and target utilization. */
    struct reply r = send_request(fx, "PUT", "/v2/spaces/spc_floor/", "{\"capacity\": 50}");
    expect_status(&r, 200);
    reply_free(&r);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, true);
    EXPECT_CHANGE(&d, "spc_floor", day, 3, true);
    r = send_request(fx, "PUT", "/v2/spaces/spc_floor/", "{\"target_capacity\": 5}");
    expect_status(&r, 200);
    reply_free(&r);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, true);
    EXPECT_CHANGE(&d, "spc_floor", day, 3, true);
    r = send_request(fx, "PUT", "/v2/spaces/spc_floor/", "{\"name\": \"Floor One\"}");
    expect_status(&r, 200);
    reply_free(&r);
    EXPECT_CHANGE(&h, "spc_floor", hour, 3, false); /* the name is not in counts */
    EXPECT_CHANGE(&p, "spc_floor", paged, 6, true);  /* capacity and target were */
    /* The daily reset (04:00 UTC) zeroes the count in the day window. */
    engine_advance(fx->engine, fixture_ms("2024-03-05T04:00:30Z"));
    EXPECT_CHANGE(&d, "spc_floor", day, 3, true);
    EXPECT_CHANGE(&p, "spc_floor", paged, 6, false);

    /* Two spaces whose pages are the same share the bytes. */
    char *room2 = expect_fresh(fx, "spc_room2", hour, 3, &kept);
    char *room3 = expect_fresh(fx, "spc_room3", hour, 3, &kept);
    assert_true(kept);
    assert_string_equal(room2, room3);
    free(room2);
    free(room3);
    free(h);
    free(d);
    free(p);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authentication),
        cmocka_unit_test(test_api_new_needs_a_token),
        cmocka_unit_test(test_long_tokens),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_trailing_slash_optional),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_page_past_the_end),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_rate_limit_default_is_60),
        cmocka_unit_test(test_pagination_spaces),
        cmocka_unit_test(test_pagination_other_lists),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_space_detail),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_counts_agree_with_events),
        cmocka_unit_test(test_counts_pagination),
        cmocka_unit_test(test_counts_kept_answers_are_fresh),
        cmocka_unit_test(test_space_kept_answers_are_fresh),
        cmocka_unit_test(test_space_events),
        cmocka_unit_test(test_event_log_bounded),
        cmocka_unit_test(test_sensors),
        cmocka_unit_test(test_sensor_events),
        cmocka_unit_test(test_socket_codes),
        cmocka_unit_test(test_put_validation),
        cmocka_unit_test(test_put_changes),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_segments_crud),
        cmocka_unit_test(test_segments_pagination_and_shapes),
        cmocka_unit_test(test_segments_validation),
        cmocka_unit_test(test_segments_on_spaces),
        cmocka_unit_test(test_segments_change_hook),
        cmocka_unit_test(test_counts_by_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
