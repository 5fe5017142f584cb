/* api_webhooks.c — /webhooks/ of the mock server: GET and POST /webhooks/,
 * GET, PUT and DELETE /webhooks/:id/, and the webhooks kept for --state.
 * Delivery is net/webhook.c's, told of every change through the listener
 * (api_set_webhook_listener); this file never touches the network.
 *
 * Choices where the reference is silent (for the README, "The mock server"):
 *
 * Shape
 *  - A webhook is {id, name, description, endpoint, version: "v2",
 *    headers, enabled, type: "counts"}, as the reference's GET shows it,
 *    for every answer (list, POST, GET, PUT), plus a read-only "delivery"
 *    object when the server delivers (occtop --serve and --demo do):
 *    {delivered, retried, dropped, queued, last_error} (net/webhook.h says
 *    what each counts).  Ids are "whk_" and 18 digits, never reused (not
 *    after a DELETE either).  The list is in creation order, paginated
 *    like every list (page, page_size).
 *  - POST answers 201 (Django REST Framework's "created"), PUT 200, DELETE
 *    204 without a body.  An unknown id is 404.
 *
 * Bodies
 *  - A JSON object of at most 64 KiB; anything else is 400.  Fields are read
 *    in the reference's order (endpoint, headers, name, description, then
 *    enabled); the first bad one is 400 naming it ("request body: field
 *    \"endpoint\": ..."), and nothing changes.  Other fields (id, version,
 *    type, delivery) are accepted and ignored, as read-only fields are.
 *  - endpoint: required on POST; a string of at most 2048 bytes, printable
 *    ASCII without spaces (percent-encode the rest), http:// or https://
 *    with a host and an optional port (1-65535).  Loopback and private
 *    addresses are allowed: the mock is for tests.
 *  - headers: an object of strings (the reference says "array" but shows
 *    an object; an object it is), at most 32; null means none.  Names are
 *    HTTP tokens (letters, digits and !#$%&'*+-.^_`|~) of at most 128
 *    bytes, each once whatever its case; values at most 4096 bytes, with
 *    no control character but tab (no CR, no LF: a value can never add a
 *    header or a request).  Host, Content-Length, Content-Type,
 *    Transfer-Encoding, Connection, Expect, Upgrade, TE, Trailer,
 *    Keep-Alive and Proxy-Connection are the sender's and are refused.
 *    Values are never quoted in an error (they often hold secrets); they are
 *    shown by GET, as the reference shows them.
 *  - name (at most 255 bytes) and description (at most 1024): a string or
 *    null.
 *  - enabled: true or false; true when a POST does not say.  A PUT of
 *    false stops delivery at once and drops what was queued; true starts
 *    again with the next event.
 *  - PUT changes only the fields it gives (null clears name, description
 *    and headers; endpoint and enabled cannot be null).  It answers the
 *    webhook as GET shows it.
 *  - At most 32 webhooks: a POST beyond is 400.
 *
 * Delivery (net/webhook.h)
 *  - One POST per space per event, with Content-Type: application/json and
 *    the configured headers, body {timestamp (ISO 8601 UTC, milliseconds),
 *    space_id, doorway_id, organization_id, organization_name, direction,
 *    count}; organization_id is "org_1" (the mock has one organization) and
 *    organization_name the site file's "name" ("occtop" without one).
 *  - In order per webhook, one in flight; failures (no connection, 10 s
 *    without an answer, any non-2xx) are retried for ever, after 0.5 s
 *    doubling to 30 s with +-20 % jitter; at most 10,000 payloads wait per
 *    webhook, and a full queue drops its oldest waiting payload (counted in
 *    delivery.dropped).  At least once: a POST the endpoint read but did
 *    not answer within 10 s is sent again.  Events of the day simulated
 *    before the server answers are not sent.  Nothing about delivery is
 *    logged (the demo's terminal belongs to its screen): GET shows it.
 *
 * --state
 *  - api_webhooks_to_json / api_webhooks_from_json (net/api.h): the
 *    webhooks as GET shows them without "delivery", and the next id's
 *    number, so that a restart keeps ids and never reuses one.  Every
 *    successful POST, PUT and DELETE calls the api's on_change. */
#include "net/api.h"
#include "net/api_private.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WEBHOOK_ID_PREFIX "whk_"
#define WEBHOOK_ID_MAX_DIGITS 19             /* fits in a uint64_t */
#define WEBHOOK_FIRST_NUMBER UINT64_C(900000000000000001) /* 18 digits, as Density's */
#define API_MAX_WEBHOOKS 32
#define API_MAX_WEBHOOK_HEADERS 32
#define API_MAX_HEADER_NAME_LENGTH 128
#define API_MAX_HEADER_VALUE_LENGTH 4096
#define API_MAX_ENDPOINT_LENGTH 2048
#define API_MAX_DESCRIPTION_LENGTH 1024

struct webhook_def {
    char *id;
    char *name;        /* NULL: null */
    char *description; /* NULL: null */
    char *endpoint;
    char **header_names; /* header_count of each */
    char **header_values;
    size_t header_count;
    bool enabled;
};

struct api_webhooks {
    struct webhook_def *items[API_MAX_WEBHOOKS]; /* in creation order */
    size_t count;
    uint64_t next_number;
    bool has_listener;
    struct api_webhook_listener listener;
};

/* --- the store ---------------------------------------------------------------------- */

static struct api_webhooks *webhooks_of(struct api *api)
{
    if (!api->webhooks) {
        api->webhooks = calloc(1, sizeof *api->webhooks);
        if (api->webhooks)
            api->webhooks->next_number = WEBHOOK_FIRST_NUMBER;
    }
    return api->webhooks;
}

/* Header values often hold secrets: wiped before they go back to malloc. */
static void free_secret(char *text)
{
    if (text) {
        explicit_bzero(text, strlen(text));
        free(text);
    }
}

static void def_free(struct webhook_def *w)
{
    if (!w)
        return;
    free(w->id);
    free(w->name);
    free(w->description);
    free(w->endpoint);
    for (size_t i = 0; i < w->header_count; i++) {
        free(w->header_names[i]);
        free_secret(w->header_values[i]);
    }
    free(w->header_names);
    free(w->header_values);
    free(w);
}

void api_webhooks_free(struct api *api)
{
    if (!api || !api->webhooks)
        return;
    for (size_t i = 0; i < api->webhooks->count; i++)
        def_free(api->webhooks->items[i]);
    free(api->webhooks);
    api->webhooks = NULL;
}

static struct webhook_def *find_webhook(const struct api_webhooks *hooks, const char *id,
                                        size_t *index)
{
    for (size_t i = 0; hooks && id && i < hooks->count; i++) {
        if (strcmp(hooks->items[i]->id, id) == 0) {
            if (index)
                *index = i;
            return hooks->items[i];
        }
    }
    return NULL;
}

static void tell_set(const struct api_webhooks *hooks, const struct webhook_def *w)
{
    if (!hooks->has_listener || !hooks->listener.set)
        return;
    struct api_webhook_target target = {
        .id = w->id,
        .endpoint = w->endpoint,
        .header_names = (const char *const *)w->header_names,
        .header_values = (const char *const *)w->header_values,
        .header_count = w->header_count,
        .enabled = w->enabled,
    };
    hooks->listener.set(hooks->listener.context, &target);
}

static void tell_remove(const struct api_webhooks *hooks, const struct webhook_def *w)
{
    if (hooks->has_listener && hooks->listener.remove)
        hooks->listener.remove(hooks->listener.context, w->id);
}

void api_set_webhook_listener(struct api *api, const struct api_webhook_listener *listener)
{
    struct api_webhooks *hooks = api ? webhooks_of(api) : NULL;
    if (!hooks)
        return; /* out of memory: webhooks cannot be created either */
    hooks->has_listener = listener != NULL;
    if (listener)
        hooks->listener = *listener;
    for (size_t i = 0; listener && i < hooks->count; i++)
        tell_set(hooks, hooks->items[i]);
}

/* --- as JSON ------------------------------------------------------------------------ */

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

static json_t *headers_json(const struct webhook_def *w)
{
    json_t *headers = json_object();
    for (size_t i = 0; headers && i < w->header_count; i++) {
        if (json_object_set_new(headers, w->header_names[i],
                                json_string(w->header_values[i])) != 0) {
            json_decref(headers);
            headers = NULL;
        }
    }
    return headers;
}

static json_t *delivery_json(const struct api_webhook_delivery *d)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "delivered", json_integer((json_int_t)d->delivered));
    wire_builder_put(&b, "retried", json_integer((json_int_t)d->retried));
    wire_builder_put(&b, "dropped", json_integer((json_int_t)d->dropped));
    wire_builder_put(&b, "queued", json_integer((json_int_t)d->queued));
    json_t *error = d->last_error[0] ? json_string(d->last_error) : json_null();
    wire_builder_put(&b, "last_error", error ? error : json_null());
    return wire_builder_finish(&b);
}

static json_t *webhook_json(const struct api *api, const struct webhook_def *w,
                            bool with_delivery)
{
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "id", json_string(w->id));
    wire_builder_put(&b, "name", text_or_null(w->name));
    wire_builder_put(&b, "description", text_or_null(w->description));
    wire_builder_put(&b, "endpoint", json_string(w->endpoint));
    wire_builder_put(&b, "version", json_string("v2"));
    wire_builder_put(&b, "headers", headers_json(w));
    wire_builder_put(&b, "enabled", json_boolean(w->enabled));
    wire_builder_put(&b, "type", json_string("counts"));
    const struct api_webhooks *hooks = api->webhooks;
    struct api_webhook_delivery delivery;
    memset(&delivery, 0, sizeof delivery);
    if (with_delivery && hooks->has_listener && hooks->listener.delivery &&
        hooks->listener.delivery(hooks->listener.context, w->id, &delivery)) {
        delivery.last_error[sizeof delivery.last_error - 1] = '\0';
        wire_builder_put(&b, "delivery", delivery_json(&delivery));
    }
    return wire_builder_finish(&b);
}

/* For api_respond_list: i is the webhook's place in the list. */
static json_t *webhook_at_json(const struct api *api, site_index i)
{
    return webhook_json(api, api->webhooks->items[i], true);
}

/* --- checking ----------------------------------------------------------------------- */

/* RFC 9110's tchar. */
static bool token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool header_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > API_MAX_HEADER_NAME_LENGTH)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!token_char((unsigned char)name[i]))
            return false;
    return true;
}

/* Framing and connection headers are the sender's: a configured one could
 * break the request (or smuggle another). */
static bool header_reserved(const char *name)
{
    static const char *const reserved[] = {
        "Host",    "Content-Length", "Content-Type", "Transfer-Encoding", "Connection",
        "Expect",  "Upgrade",        "TE",           "Trailer",           "Keep-Alive",
        "Proxy-Connection",
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcasecmp(name, reserved[i]) == 0)
            return true;
    return false;
}

/* Field values (RFC 9110): visible characters, spaces, tabs and bytes from
 * 0x80 on (jansson's strings are UTF-8); no other control character. */
static bool header_value_ok(const json_t *value)
{
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    if (strlen(text) != length) /* a NUL inside */
        return false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return false;
    }
    return true;
}

static int check_headers(const struct wire_reader *r, const struct wire_reader *headers)
{
    size_t count = json_object_size(headers->object);
    if (count > API_MAX_WEBHOOK_HEADERS)
        return wire_reader_fail(r, "headers", "at most %d headers, got %zu",
                                API_MAX_WEBHOOK_HEADERS, count);
    const char *seen[API_MAX_WEBHOOK_HEADERS];
    size_t seen_count = 0;
    const char *name;
    json_t *value;
    char safe[WIRE_SAFE_TEXT_SIZE];
    json_object_foreach((json_t *)headers->object, name, value) {
        if (!header_name_ok(name))
            return wire_reader_fail(r, "headers",
                                    "\"%s\" is not a header name: 1 to %d letters, digits or "
                                    "!#$%%&'*+-.^_`|~",
                                    SAFE(name, safe), API_MAX_HEADER_NAME_LENGTH);
        /* From here on the name is a token: safe in a field path. */
        if (header_reserved(name))
            return wire_reader_fail(r, "headers", "\"%s\" is set by the sender, not configurable",
                                    name);
        for (size_t i = 0; i < seen_count; i++)
            if (strcasecmp(seen[i], name) == 0)
                return wire_reader_fail(r, "headers", "\"%s\" is given twice (\"%s\")", name,
                                        seen[i]);
        seen[seen_count++] = name;
        /* Messages about a value never quote it: it may be a secret. */
        if (!json_is_string(value))
            return wire_reader_fail(headers, name, "expected a string, got %s",
                                    wire_json_type_name(value));
        if (!header_value_ok(value))
            return wire_reader_fail(headers, name,
                                    "must not hold control characters (CR, LF, NUL ...): a "
                                    "header value is one line");
        if (json_string_length(value) > API_MAX_HEADER_VALUE_LENGTH)
            return wire_reader_fail(headers, name, "longer than %d bytes",
                                    API_MAX_HEADER_VALUE_LENGTH);
    }
    return WIRE_OK;
}

/* NULL when text is an http(s) URL we can POST to; otherwise what is wrong. */
static const char *endpoint_problem(const char *text)
{
    size_t len = strlen(text);
    if (len == 0)
        return "must not be empty";
    if (len > API_MAX_ENDPOINT_LENGTH)
        return "longer than 2048 bytes";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x21 || (unsigned char)text[i] > 0x7E)
            return "must be printable ASCII without spaces (percent-encode the rest)";
    size_t scheme = strncasecmp(text, "http://", 7) == 0    ? 7
                    : strncasecmp(text, "https://", 8) == 0 ? 8
                                                            : 0;
    if (scheme == 0)
        return "expected an http:// or https:// URL";
    const char *authority = text + scheme;
    size_t authority_length = strcspn(authority, "/?#");
    const char *host = authority;
    for (size_t i = 0; i < authority_length; i++)
        if (authority[i] == '@')
            host = authority + i + 1; /* user:password@ */
    size_t host_length = authority_length - (size_t)(host - authority);
    const char *port = NULL;
    if (host_length > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', host_length);
        if (!close || close == host + 1)
            return "has an IPv6 address without its closing ']'";
        size_t rest = host_length - (size_t)(close + 1 - host);
        if (rest > 0 && close[1] != ':')
            return "has something after the IPv6 address that is not a port";
        port = rest > 0 ? close + 1 : NULL;
    } else {
        const char *colon = memchr(host, ':', host_length);
        if (colon == host || host_length == 0)
            return "has no host";
        port = colon;
        for (const char *c = host; c < (colon ? colon : host + host_length); c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' ||
                  *c == '%'))
                return "has a host that is not a name or an address";
    }
    if (port) {
        size_t digits = host_length - (size_t)(port + 1 - host);
        unsigned long value = 0;
        for (size_t i = 0; i < digits; i++) {
            if (port[1 + i] < '0' || port[1 + i] > '9')
                return "has a port that is not a number";
            value = value * 10 + (unsigned long)(port[1 + i] - '0');
            if (value > 65535)
                break;
        }
        if (digits == 0 || value == 0 || value > 65535)
            return "has a port that is not from 1 to 65535";
    }
    return NULL;
}

/* What a body asks; *_set says the field was in it.  Strings are borrowed
 * from the JSON. */
struct webhook_edit {
    bool endpoint_set;
    const char *endpoint;
    bool headers_set;
    const json_t *headers; /* NULL: none */
    bool name_set;
    const char *name; /* NULL: null */
    bool description_set;
    const char *description;
    bool enabled_set;
    bool enabled;
};

static int read_text_or_null(const struct wire_reader *r, const char *field, size_t max,
                             bool *set, const char **out)
{
    const json_t *v = wire_reader_get(r, field);
    if (!v)
        return WIRE_OK;
    *set = true;
    *out = NULL;
    if (wire_read_string(r, field, WIRE_NULL_OK, out) == WIRE_ERROR)
        return WIRE_ERROR;
    if (*out && strlen(*out) > max)
        return wire_reader_fail(r, field, "longer than %zu bytes", max);
    return WIRE_OK;
}

static int read_webhook_edit(const struct wire_reader *r, struct webhook_edit *edit,
                             bool creating)
{
    memset(edit, 0, sizeof *edit);
    edit->enabled = true;
    if (wire_reader_get(r, "endpoint")) {
        if (wire_read_string(r, "endpoint", WIRE_REQUIRED, &edit->endpoint) != WIRE_OK)
            return WIRE_ERROR;
        const char *problem = endpoint_problem(edit->endpoint);
        if (problem) {
            char safe[WIRE_SAFE_TEXT_SIZE];
            return wire_reader_fail(r, "endpoint", "%s, got \"%s\"", problem,
                                    SAFE(edit->endpoint, safe));
        }
        edit->endpoint_set = true;
    } else if (creating) {
        return wire_reader_fail(r, "endpoint", "required: the http:// or https:// URL the "
                                               "events are POSTed to");
    }
    const json_t *headers = wire_reader_get(r, "headers");
    if (headers) {
        edit->headers_set = true;
        struct wire_reader child;
        int status = wire_read_object(r, "headers", WIRE_NULL_OK, &child);
        if (status == WIRE_ERROR || (status == WIRE_OK && check_headers(r, &child) != WIRE_OK))
            return WIRE_ERROR;
        edit->headers = status == WIRE_OK ? headers : NULL;
    }
    if (read_text_or_null(r, "name", API_MAX_NAME_LENGTH, &edit->name_set, &edit->name) !=
            WIRE_OK ||
        read_text_or_null(r, "description", API_MAX_DESCRIPTION_LENGTH,
                          &edit->description_set, &edit->description) != WIRE_OK)
        return WIRE_ERROR;
    if (wire_reader_get(r, "enabled")) {
        if (wire_read_bool(r, "enabled", WIRE_REQUIRED, &edit->enabled) != WIRE_OK)
            return WIRE_ERROR;
        edit->enabled_set = true;
    }
    return WIRE_OK;
}

/* --- building ----------------------------------------------------------------------- */

/* *out = a copy of text (NULL stays NULL); false when out of memory. */
static bool copy_into(char **out, const char *text)
{
    *out = api_copy_string(text);
    return !text || *out;
}

static bool copy_headers(struct webhook_def *w, size_t count, const char *const *names,
                         const char *const *values)
{
    w->header_names = calloc(count ? count : 1, sizeof *w->header_names);
    w->header_values = calloc(count ? count : 1, sizeof *w->header_values);
    if (!w->header_names || !w->header_values)
        return false;
    for (w->header_count = 0; w->header_count < count; w->header_count++) {
        size_t i = w->header_count;
        w->header_names[i] = api_copy_string(names[i]);
        w->header_values[i] = api_copy_string(values[i]);
        if (!w->header_names[i] || !w->header_values[i]) {
            w->header_count++; /* so that def_free frees this pair too */
            return false;
        }
    }
    return true;
}

static bool copy_json_headers(struct webhook_def *w, const json_t *headers)
{
    const char *names[API_MAX_WEBHOOK_HEADERS], *values[API_MAX_WEBHOOK_HEADERS];
    size_t n = 0;
    const char *name;
    json_t *value;
    if (headers) {
        json_object_foreach((json_t *)headers, name, value) {
            if (n == API_MAX_WEBHOOK_HEADERS)
                break; /* cannot happen: checked */
            names[n] = name;
            values[n] = json_string_value(value);
            n++;
        }
    }
    return copy_headers(w, n, names, values);
}

/* A new webhook: `base` (NULL for a new one) with the edit applied.  NULL
 * when out of memory; base is not touched. */
static struct webhook_def *build_webhook(const struct webhook_def *base,
                                         const struct webhook_edit *edit, const char *id)
{
    struct webhook_def *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    bool ok = copy_into(&w->id, id) &&
              copy_into(&w->name, edit->name_set ? edit->name : base ? base->name : NULL) &&
              copy_into(&w->description, edit->description_set ? edit->description
                                         : base                ? base->description
                                                               : NULL) &&
              copy_into(&w->endpoint, edit->endpoint_set ? edit->endpoint : base->endpoint);
    if (ok)
        ok = edit->headers_set || !base
                 ? copy_json_headers(w, edit->headers)
                 : copy_headers(w, base->header_count,
                                (const char *const *)base->header_names,
                                (const char *const *)base->header_values);
    w->enabled = edit->enabled_set ? edit->enabled : base ? base->enabled : true;
    if (!ok) {
        def_free(w);
        return NULL;
    }
    return w;
}

/* --- the endpoints ------------------------------------------------------------------ */

static struct webhook_def *path_webhook(struct call *call, const char *id, size_t *index)
{
    struct webhook_def *w = find_webhook(call->api->webhooks, id, index);
    if (!w) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        api_respond_error(call, 404, "No webhook with id \"%s\".", SAFE(id, safe));
    }
    return w;
}

void api_list_webhooks(struct call *call, const char *unused)
{
    (void)unused;
    static const char *const known[] = { "page", "page_size", NULL };
    struct api_webhooks *hooks = webhooks_of(call->api);
    if (!hooks) {
        api_respond_out_of_memory(call);
        return;
    }
    struct paging p;
    if (!api_read_paging(call, &p))
        return;
    site_index indices[API_MAX_WEBHOOKS];
    for (size_t i = 0; i < hooks->count; i++)
        indices[i] = (site_index)i;
    api_respond_list(call, indices, hooks->count, known, &p, webhook_at_json);
}

void api_post_webhooks(struct call *call, const char *unused)
{
    (void)unused;
    struct api_webhooks *hooks = webhooks_of(call->api);
    if (!hooks) {
        api_respond_out_of_memory(call);
        return;
    }
    json_t *json = NULL;
    struct wire_reader r;
    struct wire_error err;
    struct webhook_edit edit;
    if (!api_open_body(call, &json, &r, &err)) {
        json_decref(json);
        return;
    }
    if (read_webhook_edit(&r, &edit, true) != WIRE_OK) {
        json_decref(json);
        api_respond_error(call, 400, "%s", err.message);
        return;
    }
    if (hooks->count >= API_MAX_WEBHOOKS) {
        json_decref(json);
        api_respond_error(call, 400, "webhooks: at most %d; delete one first", API_MAX_WEBHOOKS);
        return;
    }
    char id[sizeof WEBHOOK_ID_PREFIX + 24];
    snprintf(id, sizeof id, WEBHOOK_ID_PREFIX "%" PRIu64, hooks->next_number);
    struct webhook_def *w = build_webhook(NULL, &edit, id);
    json_decref(json); /* edit borrowed from it */
    if (!w) {
        api_respond_out_of_memory(call);
        return;
    }
    hooks->items[hooks->count++] = w;
    hooks->next_number++;
    tell_set(hooks, w);
    api_respond_json(call, 201, webhook_json(call->api, w, true));
    api_changed(call->api);
}

void api_get_webhook(struct call *call, const char *id)
{
    struct webhook_def *w = path_webhook(call, id, NULL);
    if (w)
        api_respond_json(call, 200, webhook_json(call->api, w, true));
}

void api_put_webhook(struct call *call, const char *id)
{
    size_t index = 0;
    struct webhook_def *old = path_webhook(call, id, &index);
    if (!old)
        return;
    json_t *json = NULL;
    struct wire_reader r;
    struct wire_error err;
    struct webhook_edit edit;
    if (!api_open_body(call, &json, &r, &err)) {
        json_decref(json);
        return;
    }
    if (read_webhook_edit(&r, &edit, false) != WIRE_OK) {
        json_decref(json);
        api_respond_error(call, 400, "%s", err.message);
        return;
    }
    struct webhook_def *w = build_webhook(old, &edit, old->id);
    json_decref(json);
    if (!w) {
        api_respond_out_of_memory(call);
        return;
    }
    struct api_webhooks *hooks = call->api->webhooks;
    hooks->items[index] = w;
    def_free(old);
    tell_set(hooks, w);
    api_respond_json(call, 200, webhook_json(call->api, w, true));
    api_changed(call->api);
}

void api_delete_webhook(struct call *call, const char *id)
{
    size_t index = 0;
    struct webhook_def *w = path_webhook(call, id, &index);
    if (!w)
        return;
    struct api_webhooks *hooks = call->api->webhooks;
    tell_remove(hooks, w);
    memmove(&hooks->items[index], &hooks->items[index + 1],
            (hooks->count - index - 1) * sizeof hooks->items[0]);
    hooks->count--;
    def_free(w);
    struct api_response *response = call->response;
    api_response_clear(response);
    response->status = 204; /* no body */
    api_changed(call->api);
}

/* --- --state ------------------------------------------------------------------------ */

json_t *api_webhooks_to_json(const struct api *api)
{
    if (!api)
        return NULL;
    const struct api_webhooks *hooks = api->webhooks;
    json_t *array = json_array();
    for (size_t i = 0; array && hooks && i < hooks->count; i++) {
        if (!api_append(array, webhook_json(api, hooks->items[i], false))) {
            json_decref(array);
            array = NULL;
        }
    }
    struct wire_builder b = wire_builder_start();
    wire_builder_put(&b, "webhooks", array);
    wire_builder_put(&b, "next_number",
                     json_integer((json_int_t)(hooks ? hooks->next_number
                                                     : WEBHOOK_FIRST_NUMBER)));
    return wire_builder_finish(&b);
}

/* The number of "whk_<digits>"; 0 when id is not one. */
static uint64_t webhook_id_number(const char *id)
{
    size_t prefix = sizeof WEBHOOK_ID_PREFIX - 1;
    if (strncmp(id, WEBHOOK_ID_PREFIX, prefix) != 0)
        return 0;
    const char *digits = id + prefix;
    size_t n = strlen(digits);
    if (n == 0 || n > WEBHOOK_ID_MAX_DIGITS || strspn(digits, "0123456789") != n)
        return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value = value * 10 + (uint64_t)(digits[i] - '0');
    return value;
}

/* Reads webhooks[index]; NULL with err filled (or out of memory). */
static struct webhook_def *restore_one(const struct wire_reader *top, const json_t *array,
                                       size_t index, struct webhook_def *const *done,
                                       uint64_t *max_number)
{
    struct wire_reader r;
    const char *id = NULL;
    struct webhook_edit edit;
    if (wire_read_element(top, "webhooks", array, index, &r) != WIRE_OK ||
        wire_read_string(&r, "id", WIRE_REQUIRED, &id) != WIRE_OK)
        return NULL;
    uint64_t number = webhook_id_number(id);
    char safe[WIRE_SAFE_TEXT_SIZE];
    if (number == 0) {
        wire_reader_fail(&r, "id", "expected \"whk_\" and digits, got \"%s\"", SAFE(id, safe));
        return NULL;
    }
    for (size_t k = 0; k < index; k++) {
        if (strcmp(done[k]->id, id) == 0) {
            wire_reader_fail(&r, "id", "\"%s\" is given twice", SAFE(id, safe));
            return NULL;
        }
    }
    if (read_webhook_edit(&r, &edit, true) != WIRE_OK)
        return NULL;
    struct webhook_def *w = build_webhook(NULL, &edit, id);
    if (!w)
        wire_reader_out_of_memory(&r);
    if (number > *max_number)
        *max_number = number;
    return w;
}

int api_webhooks_from_json(struct api *api, const json_t *json, char *error, size_t error_size)
{
    struct wire_error err;
    wire_error_clear(&err);
    struct api_webhooks *hooks = api ? webhooks_of(api) : NULL;
    if (!hooks || !json) {
        snprintf(error, error_size, "%s", hooks ? "webhooks: nothing to read" : "out of memory");
        return -1;
    }
    /* A bare array reads as {"webhooks": [...]}: one path for messages. */
    json_t *top = json_is_array(json) ? json_pack("{sO}", "webhooks", (json_t *)json)
                                      : json_incref((json_t *)json);
    struct wire_reader r;
    const json_t *array = NULL;
    int64_t next_number = 0;
    struct webhook_def *restored[API_MAX_WEBHOOKS];
    size_t count = 0;
    uint64_t max_number = 0;
    int status = top ? wire_reader_open(&r, top, "webhooks", &err) : WIRE_ERROR;
    if (!top)
        wire_error_set(&err, "out of memory");
    if (status == WIRE_OK)
        status = wire_read_array(&r, "webhooks", WIRE_REQUIRED, &array);
    if (status == WIRE_OK &&
        wire_read_int(&r, "next_number", WIRE_OPTIONAL, 1, INT64_MAX, &next_number) ==
            WIRE_ERROR)
        status = WIRE_ERROR;
    if (status == WIRE_OK && json_array_size(array) > API_MAX_WEBHOOKS) {
        wire_reader_fail(&r, "webhooks", "at most %d webhooks, got %zu", API_MAX_WEBHOOKS,
                         json_array_size(array));
        status = WIRE_ERROR;
    }
    for (size_t i = 0; status == WIRE_OK && i < json_array_size(array); i++) {
        restored[count] = restore_one(&r, array, i, restored, &max_number);
        if (restored[count])
            count++;
        else
            status = WIRE_ERROR;
    }
    json_decref(top);
    if (status != WIRE_OK) {
        for (size_t i = 0; i < count; i++)
            def_free(restored[i]);
        snprintf(error, error_size, "%s", err.message);
        return -1;
    }
    for (size_t i = 0; i < hooks->count; i++) {
        tell_remove(hooks, hooks->items[i]);
        def_free(hooks->items[i]);
    }
    memcpy(hooks->items, restored, count * sizeof restored[0]);
    hooks->count = count;
    uint64_t next = WEBHOOK_FIRST_NUMBER;
    if (max_number != UINT64_MAX && max_number + 1 > next)
        next = max_number + 1;
    if ((uint64_t)next_number > next)
        next = (uint64_t)next_number;
    hooks->next_number = next;
    for (size_t i = 0; i < count; i++)
        tell_set(hooks, hooks->items[i]);
    return 0;
}
