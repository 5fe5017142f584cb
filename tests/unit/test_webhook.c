/* test_webhook.c — webhooks: the endpoints (net/api_webhooks.c, through
 * api_handle, as test_api.c does), --state's save and restore, and delivery
 * (net/webhook.h): the queue, the backoff, the header lines, and a sender
 * POSTing to a small HTTP receiver on loopback (order, headers, retries,
 * the bound, disable and delete). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/timefmt.h"
#include "fixture.h"
#include "net/api.h"
#include "net/webhook.h"
#include "wire/site_file.h"

#define TOKEN "tok_w3bh00k-Token"
#define BASE "http://mock.test:8080/v2"
#define SECRET "s3cr3t-header-value"

static const char site_json[] =
    "{\"name\": \"Webhook site\", \"spaces\": ["
    " {\"id\": \"spc_a\", \"name\": \"A\"}"
    "], \"doorways\": ["
    " {\"id\": \"drw_a\", \"name\": \"Door A\", \"sensor_serial_number\": \"SN1\","
    "  \"spaces\": [{\"id\": \"spc_a\", \"link_id\": \"lnk_1\", \"sensor_placement\": 1}]}"
    "], \"sensors\": ["
    " {\"serial_number\": \"SN1\", \"doorway_id\": \"drw_a\", \"status\": \"online\"}"
    "]}";

static void sleep_ms(long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&pause, NULL);
}

/* --- the api ------------------------------------------------------------------------ */

/* A listener that records what it is told and serves fixed counters. */
struct fake_listener {
    int sets, removes;
    char last_set[64], last_removed[64];
    bool last_enabled;
    size_t last_header_count;
};

static void fake_set(void *context, const struct api_webhook_target *target)
{
    struct fake_listener *f = context;
    f->sets++;
    snprintf(f->last_set, sizeof f->last_set, "%s", target->id);
    f->last_enabled = target->enabled;
    f->last_header_count = target->header_count;
}

static void fake_remove(void *context, const char *id)
{
    struct fake_listener *f = context;
    f->removes++;
    snprintf(f->last_removed, sizeof f->last_removed, "%s", id);
}

static bool fake_delivery(void *context, const char *id, struct api_webhook_delivery *out)
{
    (void)context;
    (void)id;
    out->delivered = 7;
    out->retried = 2;
    out->dropped = 1;
    out->queued = 3;
    snprintf(out->last_error, sizeof out->last_error, "the endpoint answered 503");
    return true;
}

struct fx {
    struct site *site;
    struct engine *engine;
    struct api *api;
    int changes;
};

static void count_change(void *context)
{
    ((struct fx *)context)->changes++;
}

static struct fx *fx_new(void)
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
        .rate_limit = 0,
        .base_url = BASE,
        .seed = 42,
        .on_change = count_change,
        .change_context = fx,
    };
    fx->api = api_new(fx->site, fx->engine, NULL, &config);
    assert_non_null(fx->api);
    return fx;
}

static void fx_free(struct fx *fx)
{
    api_free(fx->api);
    engine_free(fx->engine);
    site_free(fx->site);
    free(fx);
}

struct reply {
    int status;
    json_t *json; /* NULL for 204 */
    const char *allow;
    char *text;   /* the raw body, "" for none */
};

static struct reply send_body(struct fx *fx, const char *method, const char *target,
                              const char *body, size_t body_length)
{
    char path[512];
    const char *query = strchr(target, '?');
    snprintf(path, sizeof path, "%.*s", (int)(query ? query - target : (long)strlen(target)),
             target);
    struct api_param params[4];
    size_t count = 0;
    char storage[4][64];
    for (const char *p = query ? query + 1 : NULL; p && *p && count < 4;) {
        size_t len = strcspn(p, "&");
        snprintf(storage[count], sizeof storage[count], "%.*s", (int)len, p);
        char *eq = strchr(storage[count], '=');
        params[count].name = storage[count];
        params[count].value = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        count++;
        p += len + (p[len] == '&');
    }
    struct api_request request = {
        .method = method,
        .path = path,
        .params = params,
        .param_count = count,
        .authorization = "Bearer " TOKEN,
        .body = body,
        .body_length = body_length,
        .wall_ms = fixture_ms("2024-03-04T12:00:00Z"),
    };
    struct api_response response;
    api_handle(fx->api, &request, &response);
    struct reply reply = { response.status, NULL, response.allow, NULL };
    reply.text = strdup(response.body ? response.body : "");
    assert_non_null(reply.text);
    if (response.status == 204) {
        assert_true(response.body == NULL || response.body_length == 0);
    } else {
        json_error_t error;
        assert_non_null(response.body);
        reply.json = json_loadb(response.body, response.body_length, 0, &error);
        if (!json_is_object(reply.json))
            fail_msg("%s %s: not a JSON object: %s", method, target, response.body);
    }
    api_response_clear(&response);
    return reply;
}

static struct reply send_request(struct fx *fx, const char *method, const char *target,
                                 const char *body)
{
    return send_body(fx, method, target, body, body ? strlen(body) : 0);
}

static void reply_free(struct reply *r)
{
    json_decref(r->json);
    free(r->text);
    r->json = NULL;
    r->text = NULL;
}

static void expect_status(const struct reply *r, int status)
{
    if (r->status != status)
        fail_msg("expected %d, got %d: %s", status, r->status, r->text);
}

static const char *detail(const struct reply *r)
{
    const char *text = json_string_value(json_object_get(r->json, "detail"));
    if (!text)
        fail_msg("no detail: %s", r->text);
    return text;
}

static const char *string_at(const json_t *object, const char *key)
{
    const json_t *v = json_object_get(object, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

/* POSTs a webhook and returns its id (a static buffer). */
static const char *create(struct fx *fx, const char *body)
{
    static char id[64];
    struct reply r = send_request(fx, "POST", "/v2/webhooks/", body);
    expect_status(&r, 201);
    snprintf(id, sizeof id, "%s", string_at(r.json, "id"));
    reply_free(&r);
    return id;
}

/* A 400 whose detail names field; the detail never holds SECRET. */
static void expect_bad(struct fx *fx, const char *method, const char *target, const char *body,
                       const char *field)
{
    struct reply r = send_request(fx, method, target, body);
    if (r.status != 400)
        fail_msg("%s %s %s: expected 400, got %d: %s", method, target, body ? body : "(none)",
                 r.status, r.text);
    if (field && !strstr(detail(&r), field))
        fail_msg("%s: the detail does not name %s: %s", body ? body : "(none)", field,
                 detail(&r));
    if (strstr(r.text, SECRET))
        fail_msg("the secret header value is quoted in an error: %s", r.text);
    reply_free(&r);
}

static void test_create_and_get(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct reply r = send_request(fx, "POST", "/v2/webhooks/",
                                  "{\"endpoint\": \"https://example.com/some-action/\","
                                  " \"headers\": {\"Authorization\": \"Bearer xyzzy\"}}");
    expect_status(&r, 201);
    const char *id = string_at(r.json, "id");
    assert_int_equal(strncmp(id, "whk_", 4), 0);
    assert_int_equal(strspn(id + 4, "0123456789"), strlen(id + 4));
    assert_int_equal(strlen(id + 4), 18);
    /* The reference's shape, exactly (no listener: no "delivery"). */
    const char *keys[] = { "id", "name", "description", "endpoint", "version", "headers",
                           "enabled", "type" };
    assert_int_equal(json_object_size(r.json), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(r.json, keys[i]));
    assert_true(json_is_null(json_object_get(r.json, "name")));
    assert_true(json_is_null(json_object_get(r.json, "description")));
    assert_string_equal(string_at(r.json, "endpoint"), "https://example.com/some-action/");
    assert_string_equal(string_at(r.json, "version"), "v2");
    assert_string_equal(string_at(r.json, "type"), "counts");
    assert_true(json_is_true(json_object_get(r.json, "enabled")));
    assert_string_equal(string_at(json_object_get(r.json, "headers"), "Authorization"),
                        "Bearer xyzzy");
    assert_int_equal(fx->changes, 1);

    char path[128];
    snprintf(path, sizeof path, "/v2/webhooks/%s/", id);
    struct reply got = send_request(fx, "GET", path, NULL);
    expect_status(&got, 200);
    assert_true(json_equal(got.json, r.json));
    reply_free(&got);
    snprintf(path, sizeof path, "/v2/webhooks/%s", id); /* without the slash */
    got = send_request(fx, "GET", path, NULL);
    expect_status(&got, 200);
    reply_free(&got);

    struct reply list = send_request(fx, "GET", "/v2/webhooks/", NULL);
    expect_status(&list, 200);
    assert_int_equal(json_integer_value(json_object_get(list.json, "total")), 1);
    assert_true(json_is_null(json_object_get(list.json, "next")));
    assert_true(json_equal(json_array_get(json_object_get(list.json, "results"), 0), r.json));
    reply_free(&list);
    reply_free(&r);

    /* A second one: another id; name, description and enabled as given. */
    r = send_request(fx, "POST", "/v2/webhooks",
                     "{\"endpoint\": \"http://127.0.0.1:9/x\", \"name\": \"Desk\","
                     " \"description\": \"d\", \"enabled\": false, \"id\": \"whk_1\","
                     " \"type\": \"ignored\"}");
    expect_status(&r, 201);
    assert_string_not_equal(string_at(r.json, "id"), "whk_1");
    assert_string_equal(string_at(r.json, "name"), "Desk");
    assert_string_equal(string_at(r.json, "description"), "d");
    assert_string_equal(string_at(r.json, "type"), "counts");
    assert_true(json_is_false(json_object_get(r.json, "enabled")));
    assert_int_equal(json_object_size(json_object_get(r.json, "headers")), 0);
    reply_free(&r);
    assert_int_equal(fx->changes, 2);
    fx_free(fx);
}

static void test_validation(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    const char *post = "/v2/webhooks/";
    /* The body. */
    expect_bad(fx, "POST", post, NULL, "request body");
    expect_bad(fx, "POST", post, "", "request body");
    expect_bad(fx, "POST", post, "[]", "request body");
    expect_bad(fx, "POST", post, "[{\"endpoint\": \"http://a/\"}]", "request body");
    expect_bad(fx, "POST", post, "\"http://a/\"", "request body");
    expect_bad(fx, "POST", post, "42", "request body");
    expect_bad(fx, "POST", post, "{\"endpoint\": ", "request body");
    size_t big = 64 * 1024 + 1;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, ' ', big);
    memcpy(huge, "{\"endpoint\": \"http://a/\"}", 25);
    huge[big] = '\0';
    struct reply r = send_body(fx, "POST", post, huge, big);
    expect_status(&r, 400);
    assert_non_null(strstr(detail(&r), "request body"));
    reply_free(&r);
    free(huge);

    /* endpoint */
    expect_bad(fx, "POST", post, "{}", "endpoint");
    expect_bad(fx, "POST", post, "{\"name\": \"x\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": null}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": 42}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"example.com/hook\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"ftp://example.com/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"file:///etc/passwd\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"gopher://example.com/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http:///path\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://:80/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a b/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\\r\\nX: y\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://h\\u00e9/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a:0/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a:65536/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a:8x/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a:/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://[::1/\"}", "endpoint");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a<b/\"}", "endpoint");
    char long_url[2200];
    memset(long_url, 'a', sizeof long_url);
    memcpy(long_url, "{\"endpoint\": \"http://a/", 23);
    strcpy(long_url + 2150, "\"}");
    expect_bad(fx, "POST", post, long_url, "endpoint");
    /* ... and what is accepted. */
    const char *good[] = {
        "http://127.0.0.1:8080/hook",   "HTTPS://Example.COM",
        "https://user:pw@example.com/", "http://[::1]:8080/x?a=b&c=%20#f",
        "http://a:65535",               "https://hooks.example.com/a/b/c/",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"endpoint\": \"%s\"}", good[i]);
        r = send_request(fx, "POST", post, body);
        if (r.status != 201)
            fail_msg("%s: expected 201, got %d: %s", good[i], r.status, r.text);
        assert_string_equal(string_at(r.json, "endpoint"), good[i]);
        reply_free(&r);
    }

    /* headers */
    const char *url = "\"endpoint\": \"http://a/\"";
    const char *bad_headers[] = {
        "[\"X-A: b\"]",
        "\"X-A: b\"",
        "{\"X-A\": 1}",
        "{\"X-A\": null}",
        "{\"X-A\": [\"" SECRET "\"]}",
        "{\"X-A\": \"" SECRET "\\r\\nX-Injected: 1\"}",
        "{\"X-A\": \"" SECRET "\\nX-Injected: 1\"}",
        "{\"X-A\": \"" SECRET "\\r\"}",
        "{\"X-A\": \"" SECRET "\\u001b[2J\"}",
        "{\"X-A\": \"" SECRET "\\u007f\"}",
        "{\"X A\": \"v\"}",
        "{\"X-A:\": \"v\"}",
        "{\"X-A\\r\\nX-B\": \"v\"}",
        "{\"\": \"v\"}",
        "{\"X-\\u00e9\": \"v\"}",
        "{\"Host\": \"evil.example\"}",
        "{\"content-length\": \"5\"}",
        "{\"Transfer-Encoding\": \"chunked\"}",
        "{\"Content-Type\": \"text/plain\"}",
        "{\"X-A\": \"1\", \"x-a\": \"2\"}",
    };
    for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, "{%s, \"headers\": %s}", url, bad_headers[i]);
        expect_bad(fx, "POST", post, body, "headers");
    }
    /* jansson refuses a NUL in a string before the headers are read. */
    expect_bad(fx, "POST", post,
               "{\"endpoint\": \"http://a/\", \"headers\": {\"X-A\": \"" SECRET "\\u0000\"}}",
               "request body");
    /* Bounds: 32 headers pass, 33 do not; a value of 4096 bytes passes. */
    char *body = malloc(16384);
    assert_non_null(body);
    for (int n = 32; n <= 33; n++) {
        int at = sprintf(body, "{%s, \"headers\": {", url);
        for (int i = 0; i < n; i++)
            at += sprintf(body + at, "%s\"X-H%d\": \"v%d\"", i ? ", " : "", i, i);
        strcpy(body + at, "}}");
        r = send_request(fx, "POST", post, body);
        expect_status(&r, n == 32 ? 201 : 400);
        reply_free(&r);
    }
    for (int n = 4096; n <= 4097; n++) {
        int at = sprintf(body, "{%s, \"headers\": {\"X-Long\": \"", url);
        memset(body + at, 'v', (size_t)n);
        strcpy(body + at + n, "\"}}");
        r = send_request(fx, "POST", post, body);
        expect_status(&r, n == 4096 ? 201 : 400);
        reply_free(&r);
    }
    char name[200];
    memset(name, 'N', 129);
    name[129] = '\0';
    sprintf(body, "{%s, \"headers\": {\"%s\": \"v\"}}", url, name);
    expect_bad(fx, "POST", post, body, "headers");
    free(body);
    /* Tabs, spaces, quotes and UTF-8 are values; an empty one too. */
    r = send_request(fx, "POST", post,
                     "{\"endpoint\": \"http://a/\", \"headers\": {\"X-A\": \"a\\tb c\\\"d\","
                     " \"X-B\": \"caf\\u00e9\", \"X-C\": \"\", \"X-D!#$%&'*+-.^_`|~\": \"1\"},"
                     " \"headers_count\": 4}");
    expect_status(&r, 201);
    assert_int_equal(json_object_size(json_object_get(r.json, "headers")), 4);
    reply_free(&r);
    r = send_request(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"headers\": null}");
    expect_status(&r, 201);
    assert_int_equal(json_object_size(json_object_get(r.json, "headers")), 0);
    reply_free(&r);

    /* name, description, enabled */
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"name\": 1}", "name");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"name\": {}}", "name");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"description\": []}",
               "description");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"enabled\": \"yes\"}",
               "enabled");
    expect_bad(fx, "POST", post, "{\"endpoint\": \"http://a/\", \"enabled\": null}", "enabled");
    char long_name[400];
    int at = sprintf(long_name, "{\"endpoint\": \"http://a/\", \"name\": \"");
    memset(long_name + at, 'n', 256);
    strcpy(long_name + at + 256, "\"}");
    expect_bad(fx, "POST", post, long_name, "name");
    /* The first bad field in the reference's order is the one named. */
    expect_bad(fx, "POST", post, "{\"name\": 1, \"endpoint\": \"ftp://a/\"}", "endpoint");

    /* Nothing failed was kept, and on_change came only for the 201s. */
    r = send_request(fx, "GET", "/v2/webhooks/?page_size=100", NULL);
    expect_status(&r, 200);
    json_int_t total = json_integer_value(json_object_get(r.json, "total"));
    assert_int_equal(total, 6 + 1 + 1 + 2);
    assert_int_equal(fx->changes, (int)total);
    reply_free(&r);
    fx_free(fx);
}

static void test_put_and_delete(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    struct fake_listener fake = { 0 };
    struct api_webhook_listener listener = { fake_set, fake_remove, fake_delivery, &fake };
    api_set_webhook_listener(fx->api, &listener);
    char id[64], path[128];
    snprintf(id, sizeof id, "%s",
             create(fx, "{\"endpoint\": \"https://your-website.com/webhook_action/\","
                        " \"headers\": {\"Authorization\": \"Bearer xyzzy\"}, \"name\": \"n\"}"));
    snprintf(path, sizeof path, "/v2/webhooks/%s/", id);
    assert_int_equal(fake.sets, 1);
    assert_string_equal(fake.last_set, id);
    assert_true(fake.last_enabled);
    assert_int_equal(fake.last_header_count, 1);

    /* The reference's PUT: only endpoint changes. */
    struct reply r = send_request(fx, "PUT", path,
                                  "{\"endpoint\": \"https://some-website.com/other_endpoint\"}");
    expect_status(&r, 200);
    assert_string_equal(string_at(r.json, "endpoint"), "https://some-website.com/other_endpoint");
    assert_string_equal(string_at(json_object_get(r.json, "headers"), "Authorization"),
                        "Bearer xyzzy");
    assert_string_equal(string_at(r.json, "name"), "n");
    /* With a listener, "delivery" is there, read-only. */
    json_t *delivery = json_object_get(r.json, "delivery");
    assert_true(json_is_object(delivery));
    assert_int_equal(json_integer_value(json_object_get(delivery, "delivered")), 7);
    assert_int_equal(json_integer_value(json_object_get(delivery, "retried")), 2);
    assert_int_equal(json_integer_value(json_object_get(delivery, "dropped")), 1);
    assert_int_equal(json_integer_value(json_object_get(delivery, "queued")), 3);
    assert_string_equal(string_at(delivery, "last_error"), "the endpoint answered 503");
    reply_free(&r);
    assert_int_equal(fake.sets, 2);
    assert_int_equal(fx->changes, 2);

    /* null clears name and headers; enabled false; read-only fields ignored. */
    r = send_request(fx, "PUT", path,
                     "{\"name\": null, \"headers\": null, \"enabled\": false,"
                     " \"delivery\": {\"delivered\": 0}, \"version\": \"v3\"}");
    expect_status(&r, 200);
    assert_true(json_is_null(json_object_get(r.json, "name")));
    assert_int_equal(json_object_size(json_object_get(r.json, "headers")), 0);
    assert_true(json_is_false(json_object_get(r.json, "enabled")));
    assert_string_equal(string_at(r.json, "version"), "v2");
    reply_free(&r);
    assert_false(fake.last_enabled);
    assert_int_equal(fake.last_header_count, 0);

    /* A bad PUT changes nothing (all or nothing) and is not a change. */
    int changes = fx->changes;
    expect_bad(fx, "PUT", path, "{\"enabled\": true, \"endpoint\": \"nope\"}", "endpoint");
    expect_bad(fx, "PUT", path, "{\"endpoint\": null}", "endpoint");
    expect_bad(fx, "PUT", path, "{\"headers\": {\"X\": \"a\\nb\"}}", "headers");
    expect_bad(fx, "PUT", path, NULL, "request body");
    expect_bad(fx, "PUT", path, "[]", "request body");
    r = send_request(fx, "GET", path, NULL);
    assert_true(json_is_false(json_object_get(r.json, "enabled")));
    reply_free(&r);
    r = send_request(fx, "PUT", path, "{}"); /* nothing to change: fine */
    expect_status(&r, 200);
    reply_free(&r);
    assert_int_equal(fx->changes, changes + 1);

    /* Unknown ids. */
    const char *unknown[] = { "/v2/webhooks/whk_1/", "/v2/webhooks/nope/",
                              "/v2/webhooks/%1B[2J/" };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        r = send_request(fx, "GET", unknown[i], NULL);
        expect_status(&r, 404);
        reply_free(&r);
        r = send_request(fx, "PUT", unknown[i], "{\"enabled\": true}");
        expect_status(&r, 404);
        reply_free(&r);
        r = send_request(fx, "DELETE", unknown[i], NULL);
        expect_status(&r, 404);
        reply_free(&r);
    }
    r = send_request(fx, "GET", "/v2/webhooks/whk_1/", NULL);
    assert_non_null(strstr(detail(&r), "whk_1"));
    reply_free(&r);

    /* Methods. */
    r = send_request(fx, "PATCH", "/v2/webhooks/", NULL);
    expect_status(&r, 405);
    assert_string_equal(r.allow, "GET, POST");
    reply_free(&r);
    r = send_request(fx, "POST", path, "{}");
    expect_status(&r, 405);
    assert_string_equal(r.allow, "GET, PUT, DELETE");
    reply_free(&r);
    r = send_request(fx, "GET", "/v2/webhooks/x/y/", NULL);
    expect_status(&r, 404);
    reply_free(&r);

    /* DELETE: 204 without a body, then 404; the listener is told. */
    changes = fx->changes;
    r = send_request(fx, "DELETE", path, NULL);
    expect_status(&r, 204);
    assert_string_equal(r.text, "");
    reply_free(&r);
    assert_int_equal(fake.removes, 1);
    assert_string_equal(fake.last_removed, id);
    assert_int_equal(fx->changes, changes + 1);
    r = send_request(fx, "GET", path, NULL);
    expect_status(&r, 404);
    reply_free(&r);
    r = send_request(fx, "DELETE", path, NULL);
    expect_status(&r, 404);
    reply_free(&r);

    /* Ids are never reused. */
    const char *next = create(fx, "{\"endpoint\": \"http://a/\"}");
    assert_string_not_equal(next, id);
    assert_true(strcmp(next, id) > 0);
    fx_free(fx);
}

static void test_list_pages_and_limit(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char ids[32][64];
    for (int i = 0; i < 32; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"endpoint\": \"http://a/%d\", \"name\": \"w%d\"}", i, i);
        snprintf(ids[i], sizeof ids[i], "%s", create(fx, body));
    }
    expect_bad(fx, "POST", "/v2/webhooks/", "{\"endpoint\": \"http://a/\"}", "webhooks");
    /* Pages of 5, in creation order. */
    int seen = 0, pages = 0;
    char url[512];
    snprintf(url, sizeof url, "/v2/webhooks/?page_size=5");
    for (;;) {
        struct reply r = send_request(fx, "GET", url, NULL);
        expect_status(&r, 200);
        assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 32);
        json_t *results = json_object_get(r.json, "results");
        for (size_t k = 0; k < json_array_size(results); k++)
            assert_string_equal(string_at(json_array_get(results, k), "id"), ids[seen++]);
        pages++;
        const char *next = json_string_value(json_object_get(r.json, "next"));
        if (!next) {
            reply_free(&r);
            break;
        }
        assert_int_equal(strncmp(next, BASE "/webhooks/?", strlen(BASE "/webhooks/?")), 0);
        snprintf(url, sizeof url, "%s", next + strlen(BASE) - 3);
        reply_free(&r);
    }
    assert_int_equal(seen, 32);
    assert_int_equal(pages, 7);
    struct reply r = send_request(fx, "GET", "/v2/webhooks/?page_size=5&page=8", NULL);
    expect_status(&r, 404);
    reply_free(&r);
    r = send_request(fx, "GET", "/v2/webhooks/?page_size=0", NULL);
    expect_status(&r, 400);
    reply_free(&r);
    /* A deleted one makes room. */
    char path[128];
    snprintf(path, sizeof path, "/v2/webhooks/%s/", ids[3]);
    r = send_request(fx, "DELETE", path, NULL);
    expect_status(&r, 204);
    reply_free(&r);
    create(fx, "{\"endpoint\": \"http://a/\"}");
    fx_free(fx);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    struct fx *fx = fx_new();
    char first[64], second[64], third[64];
    snprintf(first, sizeof first, "%s",
             create(fx, "{\"endpoint\": \"http://a/1\", \"headers\": {\"X-K\": \"v\"},"
                        " \"name\": \"one\", \"description\": \"the first\"}"));
    snprintf(second, sizeof second, "%s", create(fx, "{\"endpoint\": \"http://a/2\"}"));
    snprintf(third, sizeof third, "%s",
             create(fx, "{\"endpoint\": \"https://b/3\", \"enabled\": false}"));
    char path[128];
    snprintf(path, sizeof path, "/v2/webhooks/%s/", third);
    struct reply r = send_request(fx, "DELETE", path, NULL);
    reply_free(&r);
    struct reply before = send_request(fx, "GET", "/v2/webhooks/", NULL);
    json_t *saved = api_webhooks_to_json(fx->api);
    assert_non_null(saved);
    assert_int_equal(json_array_size(json_object_get(saved, "webhooks")), 2);
    assert_null(json_object_get(json_array_get(json_object_get(saved, "webhooks"), 0),
                                "delivery"));
    /* Through text, as a state file holds it. */
    char *text = json_dumps(saved, JSON_COMPACT);
    json_decref(saved);
    json_t *loaded = json_loads(text, 0, NULL);
    free(text);

    struct fx *again = fx_new();
    struct fake_listener fake = { 0 };
    struct api_webhook_listener listener = { fake_set, fake_remove, NULL, &fake };
    api_set_webhook_listener(again->api, &listener);
    create(again, "{\"endpoint\": \"http://replaced/\"}");
    char error[512] = "";
    assert_int_equal(api_webhooks_from_json(again->api, loaded, error, sizeof error), 0);
    json_decref(loaded);
    assert_int_equal(fake.removes, 1); /* the one there was */
    assert_int_equal(fake.sets, 1 + 2);
    assert_int_equal(again->changes, 1); /* a restore is not a change */
    struct reply after = send_request(again, "GET", "/v2/webhooks/", NULL);
    assert_true(json_equal(before.json, after.json));
    reply_free(&before);
    reply_free(&after);
    /* The next id is past the deleted one: never reused. */
    const char *next = create(again, "{\"endpoint\": \"http://a/4\"}");
    assert_true(strcmp(next, third) > 0);

    /* A bare array restores too. */
    json_t *array = json_pack("[{s:s, s:s}]", "id", "whk_5", "endpoint", "http://c/");
    assert_int_equal(api_webhooks_from_json(again->api, array, error, sizeof error), 0);
    json_decref(array);
    r = send_request(again, "GET", "/v2/webhooks/whk_5/", NULL);
    expect_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "enabled")));
    reply_free(&r);

    /* Bad input: -1, one line naming the field, nothing changed. */
    const char *bad[][2] = {
        { "{\"webhooks\": [{\"id\": \"whk_7\", \"endpoint\": \"ftp://x/\"}]}", "endpoint" },
        { "{\"webhooks\": [{\"id\": \"hook_7\", \"endpoint\": \"http://x/\"}]}", "id" },
        { "{\"webhooks\": [{\"id\": \"whk_\", \"endpoint\": \"http://x/\"}]}", "id" },
        { "{\"webhooks\": [{\"endpoint\": \"http://x/\"}]}", "id" },
        { "{\"webhooks\": [{\"id\": \"whk_7\", \"endpoint\": \"http://x/\"},"
          " {\"id\": \"whk_7\", \"endpoint\": \"http://y/\"}]}",
          "id" },
        { "{\"webhooks\": [{\"id\": \"whk_7\", \"endpoint\": \"http://x/\","
          " \"headers\": {\"X\": \"a\\r\\nb\"}}]}",
          "headers" },
        { "{\"webhooks\": {}}", "webhooks" },
        { "{\"hooks\": []}", "webhooks" },
        { "{\"webhooks\": [], \"next_number\": \"9\"}", "next_number" },
        { "[42]", "webhooks[0]" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *json = json_loads(bad[i][0], 0, NULL);
        assert_non_null(json);
        error[0] = '\0';
        assert_int_equal(api_webhooks_from_json(again->api, json, error, sizeof error), -1);
        json_decref(json);
        if (!strstr(error, bad[i][1]))
            fail_msg("%s: the error does not name %s: %s", bad[i][0], bad[i][1], error);
        fixture_assert_one_line(error);
    }
    r = send_request(again, "GET", "/v2/webhooks/", NULL);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    reply_free(&r);
    /* An empty list empties. */
    json_t *empty = json_loads("{\"webhooks\": []}", 0, NULL);
    assert_int_equal(api_webhooks_from_json(again->api, empty, error, sizeof error), 0);
    json_decref(empty);
    r = send_request(again, "GET", "/v2/webhooks/", NULL);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    reply_free(&r);
    fx_free(again);
    fx_free(fx);
}

/* --- the queue, the backoff, header lines ------------------------------------------- */

static char *text_of(int n)
{
    char *text = malloc(16);
    assert_non_null(text);
    snprintf(text, 16, "p%d", n);
    return text;
}

static void expect_queue(const struct webhook_queue *q, const int *expected, size_t count)
{
    assert_int_equal(webhook_queue_length(q), count);
    for (size_t i = 0; i < count; i++) {
        char want[16];
        snprintf(want, sizeof want, "p%d", expected[i]);
        assert_string_equal(q->items[(q->head + i) % q->room], want);
    }
}

static void test_queue(void **state)
{
    (void)state;
    struct webhook_queue q;
    webhook_queue_init(&q, 4);
    assert_null(webhook_queue_head(&q));
    webhook_queue_pop(&q); /* empty: nothing */
    for (int i = 1; i <= 4; i++)
        assert_int_equal(webhook_queue_push(&q, text_of(i), false), 0);
    expect_queue(&q, (const int[]){ 1, 2, 3, 4 }, 4);
    /* Full: the oldest goes. */
    assert_int_equal(webhook_queue_push(&q, text_of(5), false), 1);
    expect_queue(&q, (const int[]){ 2, 3, 4, 5 }, 4);
    /* Full with the head in flight: the one after it goes. */
    assert_int_equal(webhook_queue_push(&q, text_of(6), true), 1);
    expect_queue(&q, (const int[]){ 2, 4, 5, 6 }, 4);
    assert_string_equal(webhook_queue_head(&q), "p2");
    webhook_queue_pop(&q);
    webhook_queue_pop(&q);
    expect_queue(&q, (const int[]){ 5, 6 }, 2);
    /* Round and round the ring. */
    for (int i = 7; i < 40; i++) {
        assert_int_equal(webhook_queue_push(&q, text_of(i), i % 2 == 0), 0);
        webhook_queue_pop(&q);
    }
    expect_queue(&q, (const int[]){ 38, 39 }, 2);
    webhook_queue_clear(&q);
    assert_int_equal(webhook_queue_length(&q), 0);
    assert_int_equal(webhook_queue_push(&q, text_of(1), false), 0); /* usable after clear */
    webhook_queue_clear(&q);

    /* A limit of 1 with its one payload in flight: the newcomer is dropped. */
    webhook_queue_init(&q, 1);
    assert_int_equal(webhook_queue_push(&q, text_of(1), false), 0);
    assert_int_equal(webhook_queue_push(&q, text_of(2), true), 1);
    expect_queue(&q, (const int[]){ 1 }, 1);
    assert_int_equal(webhook_queue_push(&q, text_of(3), false), 1);
    expect_queue(&q, (const int[]){ 3 }, 1);
    webhook_queue_clear(&q);

    /* Growing from nothing to the default limit keeps order. */
    webhook_queue_init(&q, WEBHOOK_DEFAULT_QUEUE_LIMIT);
    for (int i = 0; i < WEBHOOK_DEFAULT_QUEUE_LIMIT + 5; i++) {
        size_t dropped = webhook_queue_push(&q, text_of(i), true);
        assert_int_equal(dropped, i < WEBHOOK_DEFAULT_QUEUE_LIMIT ? 0 : 1);
    }
    assert_int_equal(webhook_queue_length(&q), WEBHOOK_DEFAULT_QUEUE_LIMIT);
    assert_string_equal(webhook_queue_head(&q), "p0"); /* in flight: kept */
    webhook_queue_pop(&q);
    assert_string_equal(webhook_queue_head(&q), "p6");
    webhook_queue_clear(&q);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(webhook_backoff_ms(1, 0.5, 500, 30000), 500);
    assert_int_equal(webhook_backoff_ms(2, 0.5, 500, 30000), 1000);
    assert_int_equal(webhook_backoff_ms(3, 0.5, 500, 30000), 2000);
    assert_int_equal(webhook_backoff_ms(7, 0.5, 500, 30000), 30000);
    assert_int_equal(webhook_backoff_ms(1000, 0.5, 500, 30000), 30000);
    assert_int_equal(webhook_backoff_ms(1, 0.0, 500, 30000), 400);
    assert_true(webhook_backoff_ms(1, 0.999, 500, 30000) >= 599);
    assert_true(webhook_backoff_ms(1, 0.999, 500, 30000) <= 600);
    assert_int_equal(webhook_backoff_ms(100, 0.999, 500, 30000), 30000); /* never above */
    assert_int_equal(webhook_backoff_ms(100, 0.0, 500, 30000), 24000);
    assert_int_equal(webhook_backoff_ms(1, 0.0, 1, 10), 1); /* never below 1 */
}

static void test_header_lines(void **state)
{
    (void)state;
    char *line = webhook_header_line("Authorization", "Bearer xyzzy");
    assert_string_equal(line, "Authorization: Bearer xyzzy");
    free(line);
    line = webhook_header_line("X-Empty", "");
    assert_string_equal(line, "X-Empty;");
    free(line);
    assert_null(webhook_header_line("X-A", "a\r\nX-B: c"));
    assert_null(webhook_header_line("X-A", "a\n"));
    assert_null(webhook_header_line("X-A", "a\r"));
    assert_null(webhook_header_line("X A", "a"));
    assert_null(webhook_header_line("X-A:", "a"));
    assert_null(webhook_header_line("", "a"));
    assert_null(webhook_header_line(NULL, "a"));
}

/* --- delivery ----------------------------------------------------------------------- */

#define MAX_RECEIVED 256

struct received {
    char path[128];
    char content_type[64];
    char secret[64];
    bool has_empty;
    char authorization[128];
    char body[512];
    int status; /* what the receiver answered */
};

struct receiver {
    int fd, port;
    int stop_pipe[2];
    pthread_t thread;
    pthread_mutex_t mutex;
    struct received requests[MAX_RECEIVED];
    int count;
    int fail_first; /* answer 500 to this many requests first */
    int hang_first; /* then leave this many unanswered (kept open until stop) */
    int parked[8];
    int parked_count;
};

static void header_value(const char *headers, const char *name, char *out, size_t out_size,
                         bool *present)
{
    out[0] = '\0';
    size_t name_length = strlen(name);
    for (const char *line = strstr(headers, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_length) == 0 && start[name_length] == ':') {
            const char *value = start + name_length + 1;
            while (*value == ' ')
                value++;
            snprintf(out, out_size, "%.*s", (int)strcspn(value, "\r\n"), value);
            if (present)
                *present = true;
            return;
        }
    }
}

static bool read_request(int fd, struct received *r)
{
    char buffer[8192];
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        if (used == sizeof buffer - 1)
            return false;
        ssize_t got = recv(fd, buffer + used, sizeof buffer - 1 - used, 0);
        if (got <= 0)
            return false;
        used += (size_t)got;
        buffer[used] = '\0';
        end = strstr(buffer, "\r\n\r\n");
    }
    end[2] = '\0';
    memset(r, 0, sizeof *r);
    char method[16];
    if (sscanf(buffer, "%15s %127s", method, r->path) != 2 || strcmp(method, "POST") != 0)
        return false;
    char length_text[32];
    header_value(buffer, "Content-Type", r->content_type, sizeof r->content_type, NULL);
    header_value(buffer, "X-Secret", r->secret, sizeof r->secret, NULL);
    char ignored[8];
    header_value(buffer, "X-Empty", ignored, sizeof ignored, &r->has_empty);
    header_value(buffer, "Authorization", r->authorization, sizeof r->authorization, NULL);
    header_value(buffer, "Content-Length", length_text, sizeof length_text, NULL);
    size_t length = (size_t)strtoul(length_text, NULL, 10);
    if (length >= sizeof r->body)
        return false;
    size_t have = used - (size_t)(end + 4 - buffer);
    memcpy(r->body, end + 4, have);
    while (have < length) {
        ssize_t got = recv(fd, r->body + have, length - have, 0);
        if (got <= 0)
            return false;
        have += (size_t)got;
    }
    r->body[length] = '\0';
    return true;
}

static void *receiver_main(void *context)
{
    struct receiver *rx = context;
    for (;;) {
        struct pollfd fds[2] = { { rx->fd, POLLIN, 0 }, { rx->stop_pipe[0], POLLIN, 0 } };
        if (poll(fds, 2, -1) < 0 || fds[1].revents)
            return NULL;
        int fd = accept(rx->fd, NULL, NULL);
        if (fd < 0)
            continue;
        struct received r;
        if (read_request(fd, &r)) {
            pthread_mutex_lock(&rx->mutex);
            r.status = rx->fail_first > 0 ? 500 : rx->hang_first > 0 ? 0 : 200;
            if (rx->fail_first > 0)
                rx->fail_first--;
            else if (rx->hang_first > 0)
                rx->hang_first--;
            if (rx->count < MAX_RECEIVED)
                rx->requests[rx->count++] = r;
            bool park = r.status == 0 && rx->parked_count < 8;
            if (park)
                rx->parked[rx->parked_count++] = fd;
            pthread_mutex_unlock(&rx->mutex);
            if (park)
                continue;
            const char *answer = r.status == 200
                                     ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                       "Connection: close\r\n\r\nok"
                                     : "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n"
                                       "Connection: close\r\n\r\n";
            (void)!send(fd, answer, strlen(answer), MSG_NOSIGNAL);
        }
        close(fd);
    }
}

static int loopback_socket(bool listening, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
    if (listening)
        assert_int_equal(listen(fd, 64), 0);
    socklen_t length = sizeof address;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &length), 0);
    *port = ntohs(address.sin_port);
    return fd;
}

static struct receiver *receiver_start(int fail_first)
{
    struct receiver *rx = calloc(1, sizeof *rx);
    assert_non_null(rx);
    rx->fd = loopback_socket(true, &rx->port);
    rx->fail_first = fail_first;
    assert_int_equal(pipe(rx->stop_pipe), 0);
    pthread_mutex_init(&rx->mutex, NULL);
    assert_int_equal(pthread_create(&rx->thread, NULL, receiver_main, rx), 0);
    return rx;
}

static void receiver_stop(struct receiver *rx)
{
    assert_int_equal(write(rx->stop_pipe[1], "x", 1), 1);
    pthread_join(rx->thread, NULL);
    for (int i = 0; i < rx->parked_count; i++)
        close(rx->parked[i]);
    close(rx->fd);
    close(rx->stop_pipe[0]);
    close(rx->stop_pipe[1]);
    pthread_mutex_destroy(&rx->mutex);
    free(rx);
}

static int receiver_count(struct receiver *rx)
{
    pthread_mutex_lock(&rx->mutex);
    int count = rx->count;
    pthread_mutex_unlock(&rx->mutex);
    return count;
}

static struct webhook_sender *sender_with_timeout(size_t queue_limit, long timeout_ms)
{
    struct webhook_config config = {
        .organization_name = "Test Org",
        .queue_limit = queue_limit,
        .timeout_ms = timeout_ms,
        .backoff_first_ms = 20,
        .backoff_max_ms = 100,
    };
    char error[256];
    struct webhook_sender *sender = webhook_new(&config, error, sizeof error);
    if (!sender)
        fail_msg("%s", error);
    return sender;
}

static struct webhook_sender *sender_new(size_t queue_limit)
{
    return sender_with_timeout(queue_limit, 5000);
}

static void set_target(struct webhook_sender *sender, const char *id, int port, bool enabled)
{
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/hook/%s", port, id);
    const char *names[] = { "X-Secret", "X-Empty" };
    const char *values[] = { SECRET, "" };
    struct api_webhook_target target = {
        .id = id,
        .endpoint = endpoint,
        .header_names = names,
        .header_values = values,
        .header_count = 2,
        .enabled = enabled,
    };
    assert_true(webhook_set(sender, &target));
}

static void publish(struct webhook_sender *sender, int count)
{
    struct space_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.id, sizeof e.id, "evt_%d", count);
    snprintf(e.space_id, sizeof e.space_id, "spc_a");
    snprintf(e.doorway_id, sizeof e.doorway_id, "drw_a");
    e.timestamp_ms = fixture_ms("2018-09-19T01:02:03Z") + 1 + count;
    e.direction = count % 3 == 0 ? -1 : 1;
    e.count_present = true;
    e.count = count;
    webhook_publish(sender, &e);
}

static struct api_webhook_delivery delivery_of(struct webhook_sender *sender, const char *id)
{
    struct api_webhook_delivery d;
    memset(&d, 0, sizeof d);
    assert_true(webhook_delivery(sender, id, &d));
    return d;
}

/* Waits (up to 20 s) until `id` has delivered `count`. */
static void wait_delivered(struct webhook_sender *sender, const char *id, uint64_t count)
{
    for (int i = 0; i < 2000 && delivery_of(sender, id).delivered < count; i++)
        sleep_ms(10);
    struct api_webhook_delivery d = delivery_of(sender, id);
    if (d.delivered != count)
        fail_msg("%s: delivered %llu of %llu (queued %llu, last error %s)", id,
                 (unsigned long long)d.delivered, (unsigned long long)count,
                 (unsigned long long)d.queued, d.last_error);
}

static void test_delivery_in_order_with_headers(void **state)
{
    (void)state;
    struct receiver *rx = receiver_start(0);
    struct webhook_sender *sender = sender_new(0);
    publish(sender, 0); /* no webhook yet: goes nowhere */
    set_target(sender, "whk_1", rx->port, true);
    for (int i = 1; i <= 40; i++)
        publish(sender, i);
    wait_delivered(sender, "whk_1", 40);
    struct api_webhook_delivery d = delivery_of(sender, "whk_1");
    assert_int_equal(d.retried, 0);
    assert_int_equal(d.dropped, 0);
    assert_int_equal(d.queued, 0);
    assert_string_equal(d.last_error, "");
    assert_int_equal(receiver_count(rx), 40);
    for (int i = 0; i < 40; i++) {
        const struct received *r = &rx->requests[i];
        assert_string_equal(r->path, "/hook/whk_1");
        assert_string_equal(r->content_type, "application/json");
        assert_string_equal(r->secret, SECRET);
        assert_true(r->has_empty);
        assert_string_equal(r->authorization, "");
        json_t *body = json_loads(r->body, 0, NULL);
        assert_non_null(body);
        const char *keys[] = { "timestamp", "space_id",          "doorway_id", "organization_id",
                               "organization_name", "direction", "count" };
        assert_int_equal(json_object_size(body), 7);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            assert_non_null(json_object_get(body, keys[k]));
        assert_int_equal(json_integer_value(json_object_get(body, "count")), i + 1);
        assert_int_equal(json_integer_value(json_object_get(body, "direction")),
                         (i + 1) % 3 == 0 ? -1 : 1);
        assert_string_equal(string_at(body, "space_id"), "spc_a");
        assert_string_equal(string_at(body, "doorway_id"), "drw_a");
        assert_string_equal(string_at(body, "organization_id"), "org_1");
        assert_string_equal(string_at(body, "organization_name"), "Test Org");
        char want[32];
        snprintf(want, sizeof want, "2018-09-19T01:02:03.%03dZ", i + 2);
        assert_string_equal(string_at(body, "timestamp"), want);
        json_decref(body);
    }
    webhook_free(sender);
    receiver_stop(rx);
}

static void test_delivery_retries_keep_order(void **state)
{
    (void)state;
    struct receiver *rx = receiver_start(3);
    struct webhook_sender *sender = sender_new(0);
    set_target(sender, "whk_2", rx->port, true);
    for (int i = 1; i <= 5; i++)
        publish(sender, i);
    wait_delivered(sender, "whk_2", 5);
    struct api_webhook_delivery d = delivery_of(sender, "whk_2");
    assert_int_equal(d.retried, 3);
    assert_int_equal(d.dropped, 0);
    assert_int_equal(receiver_count(rx), 8);
    int expected[] = { 1, 1, 1, 1, 2, 3, 4, 5 }; /* the first, three times refused */
    for (int i = 0; i < 8; i++) {
        json_t *body = json_loads(rx->requests[i].body, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(body, "count")), expected[i]);
        assert_int_equal(rx->requests[i].status, i < 3 ? 500 : 200);
        json_decref(body);
    }
    webhook_free(sender);
    receiver_stop(rx);
}

/* An endpoint that takes the POST and never answers: the attempt times out
 * and the same payload goes again (at least once: the endpoint saw it
 * twice), and the order holds. */
static void test_delivery_timeout(void **state)
{
    (void)state;
    struct receiver *rx = receiver_start(0);
    pthread_mutex_lock(&rx->mutex);
    rx->hang_first = 1;
    pthread_mutex_unlock(&rx->mutex);
    struct webhook_sender *sender = sender_with_timeout(0, 1000);
    set_target(sender, "whk_slow", rx->port, true);
    for (int i = 1; i <= 3; i++)
        publish(sender, i);
    wait_delivered(sender, "whk_slow", 3);
    struct api_webhook_delivery d = delivery_of(sender, "whk_slow");
    assert_int_equal(d.retried, 1);
    assert_int_equal(receiver_count(rx), 4);
    int expected[] = { 1, 1, 2, 3 };
    for (int i = 0; i < 4; i++) {
        json_t *body = json_loads(rx->requests[i].body, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(body, "count")), expected[i]);
        json_decref(body);
    }
    webhook_free(sender);
    receiver_stop(rx);
}

static void test_delivery_bound_disable_remove(void **state)
{
    (void)state;
    int port;
    int refusing = loopback_socket(false, &port); /* bound, not listening: refused */
    struct webhook_sender *sender = sender_new(3);
    set_target(sender, "whk_3", port, true);
    for (int i = 1; i <= 10; i++)
        publish(sender, i);
    struct api_webhook_delivery d;
    for (int i = 0; i < 500; i++) {
        d = delivery_of(sender, "whk_3");
        if (d.retried >= 2)
            break;
        sleep_ms(10);
    }
    assert_true(d.retried >= 2);
    assert_int_equal(d.delivered, 0);
    assert_int_equal(d.queued, 3);
    assert_int_equal(d.dropped, 7);
    assert_true(strlen(d.last_error) > 0);
    assert_null(strstr(d.last_error, SECRET));

    /* Disabled: the queue goes (counted), nothing more is queued. */
    set_target(sender, "whk_3", port, false);
    d = delivery_of(sender, "whk_3");
    assert_int_equal(d.queued, 0);
    assert_int_equal(d.dropped, 10);
    publish(sender, 11);
    assert_int_equal(delivery_of(sender, "whk_3").queued, 0);
    /* Enabled again: from the next event on. */
    set_target(sender, "whk_3", port, true);
    publish(sender, 12);
    assert_int_equal(delivery_of(sender, "whk_3").queued, 1);

    /* Moved to a receiver that answers: delivered at once, no backoff wait. */
    struct receiver *rx = receiver_start(0);
    set_target(sender, "whk_3", rx->port, true);
    wait_delivered(sender, "whk_3", 1);
    json_t *body = json_loads(rx->requests[0].body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(body, "count")), 12);
    json_decref(body);

    /* Removed: forgotten, nothing more sent. */
    webhook_remove(sender, "whk_3");
    struct api_webhook_delivery gone;
    assert_false(webhook_delivery(sender, "whk_3", &gone));
    publish(sender, 13);
    sleep_ms(200);
    assert_int_equal(receiver_count(rx), 1);
    webhook_remove(sender, "whk_3"); /* twice: nothing */

    /* Disabled from the start: nothing sent. */
    set_target(sender, "whk_4", rx->port, false);
    publish(sender, 14);
    sleep_ms(200);
    assert_int_equal(receiver_count(rx), 1);
    webhook_free(sender);
    receiver_stop(rx);
    close(refusing);
}

/* Two webhooks: each gets every payload, in order; a stalled one does not
 * hold up the other. */
static void test_delivery_independent(void **state)
{
    (void)state;
    int port;
    int refusing = loopback_socket(false, &port);
    struct receiver *rx = receiver_start(0);
    struct webhook_sender *sender = sender_new(0);
    set_target(sender, "whk_down", port, true);
    set_target(sender, "whk_up", rx->port, true);
    for (int i = 1; i <= 10; i++)
        publish(sender, i);
    wait_delivered(sender, "whk_up", 10);
    assert_int_equal(delivery_of(sender, "whk_down").queued, 10);
    /* The api drives the sender through the listener the same way. */
    struct api_webhook_listener listener = webhook_listener(sender);
    listener.remove(listener.context, "whk_down");
    struct api_webhook_delivery d;
    assert_false(listener.delivery(listener.context, "whk_down", &d));
    assert_true(listener.delivery(listener.context, "whk_up", &d));
    assert_int_equal(d.delivered, 10);
    webhook_free(sender); /* with a payload never delivered: freed */
    receiver_stop(rx);
    close(refusing);
    webhook_publish(NULL, NULL); /* no sender: nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_get),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_put_and_delete),
        cmocka_unit_test(test_list_pages_and_limit),
        cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_header_lines),
        cmocka_unit_test(test_delivery_in_order_with_headers),
        cmocka_unit_test(test_delivery_retries_keep_order),
        cmocka_unit_test(test_delivery_timeout),
        cmocka_unit_test(test_delivery_bound_disable_remove),
        cmocka_unit_test(test_delivery_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
