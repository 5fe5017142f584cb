/* json_util.c — error messages, parsing and typed field reads for the codecs. */
#include "wire/json_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/termtext.h"
#include "core/timefmt.h"

/* --- error messages --------------------------------------------------------- */

void wire_error_clear(struct wire_error *err)
{
    if (err)
        err->message[0] = '\0';
}

/* A message cut by vsnprintf may end inside a UTF-8 sequence; step back to a
 * character boundary and say that it was cut. */
static void mark_cut(char *message, size_t size)
{
    static const char ellipsis[] = "...";
    size_t end = size - sizeof ellipsis;
    while (end > 0 && ((unsigned char)message[end] & 0xC0) == 0x80)
        end--;
    memcpy(message + end, ellipsis, sizeof ellipsis);
}

static void error_vset(struct wire_error *err, const char *format, va_list args)
    __attribute__((format(printf, 2, 0)));

static void error_vset(struct wire_error *err, const char *format, va_list args)
{
    int wrote = vsnprintf(err->message, sizeof err->message, format, args);
    if (wrote < 0)
        snprintf(err->message, sizeof err->message, "(could not format an error message)");
    else if ((size_t)wrote >= sizeof err->message)
        mark_cut(err->message, sizeof err->message);
}

void wire_error_set(struct wire_error *err, const char *format, ...)
{
    if (!err)
        return;
    va_list args;
    va_start(args, format);
    error_vset(err, format, args);
    va_end(args);
}

void wire_error_prefix(struct wire_error *err, const char *format, ...)
{
    if (!err)
        return;
    char context[WIRE_ERROR_SIZE];
    va_list args;
    va_start(args, format);
    int wrote = vsnprintf(context, sizeof context, format, args);
    va_end(args);
    if (wrote < 0)
        context[0] = '\0';
    else if ((size_t)wrote >= sizeof context)
        mark_cut(context, sizeof context);
    char old[WIRE_ERROR_SIZE];
    memcpy(old, err->message, sizeof old);
    wire_error_set(err, "%s: %s", context, old);
}

const char *wire_safe_text(const char *text, char *out, size_t out_size)
{
    termtext_sanitize_str(text ? text : "(null)", out, out_size, WIRE_SAFE_TEXT_COLUMNS, 0);
    return out;
}

const char *wire_safe_source(const char *name, char *out, size_t out_size)
{
    termtext_sanitize_str(name ? name : "(unnamed input)", out, out_size,
                          WIRE_SAFE_SOURCE_COLUMNS, 0);
    return out;
}

const char *wire_json_type_name(const json_t *value)
{
    if (!value)
        return "nothing";
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "an unknown value";
}

/* --- parsing ---------------------------------------------------------------- */

static void set_parse_error(struct wire_error *err, const char *source, int line, int column,
                            const char *jansson_text)
{
    char safe_source[WIRE_SAFE_SOURCE_SIZE];
    char safe_detail[WIRE_ERROR_SIZE];
    /* jansson quotes the offending input ("near '...'"): it is untrusted too. */
    termtext_sanitize_str(jansson_text, safe_detail, sizeof safe_detail, 160, 0);
    /* jansson reports column 0 when it stopped at the start of a line. */
    wire_error_set(err, "%s: line %d column %d: invalid JSON: %s",
                   wire_safe_source(source, safe_source, sizeof safe_source), line > 0 ? line : 1,
                   column > 0 ? column : 1, safe_detail);
}

json_t *wire_json_parse(const char *text, size_t len, const char *source,
                        struct wire_error *err)
{
    json_error_t jerr;
    json_t *json = json_loadb(text, len, 0, &jerr);
    if (!json)
        set_parse_error(err, source, jerr.line, jerr.column, jerr.text);
    return json;
}

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

json_t *wire_json_parse_next(const char *text, size_t len, size_t *offset, const char *source,
                             struct wire_error *err)
{
    wire_error_clear(err);
    size_t at = *offset;
    while (at < len && is_json_space(text[at]))
        at++;
    if (at >= len) {
        *offset = len;
        return NULL;
    }
    json_error_t jerr;
    json_t *json = json_loadb(text + at, len - at, JSON_DISABLE_EOF_CHECK, &jerr);
    if (json) {
        *offset = at + (size_t)jerr.position;
        return json;
    }
    /* jansson counts from `at`; messages count from the start of the text. */
    int line = 1, column = 0;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            line++;
            column = 0;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            column++;
        }
    }
    if (jerr.line <= 1)
        column += jerr.column;
    else
        column = jerr.column;
    set_parse_error(err, source, line + (jerr.line > 1 ? jerr.line - 1 : 0), column, jerr.text);
    return NULL;
}

/* --- reading fields ----------------------------------------------------------- */

static int reader_vfail(const struct wire_reader *r, const char *field, const char *separator,
                        const char *format, va_list args) __attribute__((format(printf, 4, 0)));

static int reader_vfail(const struct wire_reader *r, const char *field, const char *separator,
                        const char *format, va_list args)
{
    if (!r->err)
        return WIRE_ERROR;
    char detail[WIRE_ERROR_SIZE];
    int wrote = vsnprintf(detail, sizeof detail, format, args);
    if (wrote < 0)
        detail[0] = '\0';
    else if ((size_t)wrote >= sizeof detail)
        mark_cut(detail, sizeof detail);
    wire_error_set(r->err, "%s: field \"%s%s\"%s%s", r->what, r->prefix, field, separator, detail);
    return WIRE_ERROR;
}

int wire_reader_fail(const struct wire_reader *r, const char *field, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    reader_vfail(r, field, ": ", format, args);
    va_end(args);
    return WIRE_ERROR;
}

/* "field "x" is missing": no colon, the sentence goes on. */
static int reader_fail_state(const struct wire_reader *r, const char *field, const char *format,
                             ...) __attribute__((format(printf, 3, 4)));

static int reader_fail_state(const struct wire_reader *r, const char *field, const char *format,
                             ...)
{
    va_list args;
    va_start(args, format);
    reader_vfail(r, field, " ", format, args);
    va_end(args);
    return WIRE_ERROR;
}

int wire_reader_out_of_memory(const struct wire_reader *r)
{
    wire_error_set(r->err, "%s: out of memory", r->what);
    return WIRE_ERROR;
}

int wire_reader_open(struct wire_reader *r, const json_t *json, const char *what,
                     struct wire_error *err)
{
    r->object = json;
    r->what = what;
    r->prefix[0] = '\0';
    r->err = err;
    if (!json_is_object(json)) {
        wire_error_set(err, "%s: expected an object, got %s", what, wire_json_type_name(json));
        return WIRE_ERROR;
    }
    return WIRE_OK;
}

const json_t *wire_reader_get(const struct wire_reader *r, const char *field)
{
    return json_object_get(r->object, field);
}

/* Finds a field and settles missing and null by the flags.  WIRE_OK means
 * *value is a non-null JSON value whose type the caller still checks. */
static int lookup(const struct wire_reader *r, const char *field, unsigned flags,
                  const char *expected, const json_t **value)
{
    const json_t *v = json_object_get(r->object, field);
    if (!v) {
        if (flags & WIRE_MISSING_OK)
            return WIRE_ABSENT;
        return reader_fail_state(r, field, "is missing");
    }
    if (json_is_null(v)) {
        if (flags & WIRE_NULL_OK)
            return WIRE_ABSENT;
        return reader_fail_state(r, field, "is null, expected %s", expected);
    }
    *value = v;
    return WIRE_OK;
}

static int wrong_type(const struct wire_reader *r, const char *field, unsigned flags,
                      const char *expected, const json_t *value)
{
    return wire_reader_fail(r, field, "expected %s%s, got %s", expected,
                            (flags & WIRE_NULL_OK) ? " or null" : "",
                            wire_json_type_name(value));
}

static void child_reader(const struct wire_reader *r, const json_t *object, const char *path,
                         struct wire_reader *child)
{
    child->object = object;
    child->what = r->what;
    child->err = r->err;
    /* A cut prefix only shortens messages; it never changes what is read. */
    int wrote = snprintf(child->prefix, sizeof child->prefix, "%s%s.", r->prefix, path);
    if (wrote < 0 || (size_t)wrote >= sizeof child->prefix)
        mark_cut(child->prefix, sizeof child->prefix);
}

int wire_read_object(const struct wire_reader *r, const char *field, unsigned flags,
                     struct wire_reader *child)
{
    static const char expected[] = "an object";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_object(v))
        return wrong_type(r, field, flags, expected, v);
    child_reader(r, v, field, child);
    return WIRE_OK;
}

int wire_read_array(const struct wire_reader *r, const char *field, unsigned flags,
                    const json_t **out)
{
    static const char expected[] = "an array";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_array(v))
        return wrong_type(r, field, flags, expected, v);
    *out = v;
    return WIRE_OK;
}

int wire_read_element(const struct wire_reader *r, const char *field, const json_t *array,
                      size_t index, struct wire_reader *child)
{
    char path[WIRE_PATH_SIZE];
    snprintf(path, sizeof path, "%s[%zu]", field, index);
    const json_t *v = json_array_get(array, index);
    if (!json_is_object(v))
        return wire_reader_fail(r, path, "expected an object, got %s", wire_json_type_name(v));
    child_reader(r, v, path, child);
    return WIRE_OK;
}

int wire_read_string(const struct wire_reader *r, const char *field, unsigned flags,
                     const char **out)
{
    static const char expected[] = "a string";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_string(v))
        return wrong_type(r, field, flags, expected, v);
    *out = json_string_value(v);
    return WIRE_OK;
}

int wire_read_strdup(const struct wire_reader *r, const char *field, unsigned flags, char **out)
{
    const char *text = NULL;
    int status = wire_read_string(r, field, flags, &text);
    if (status == WIRE_ERROR)
        return status;
    free(*out);
    *out = NULL;
    if (status == WIRE_ABSENT)
        return status;
    *out = strdup(text);
    if (!*out)
        return wire_reader_out_of_memory(r);
    return WIRE_OK;
}

int wire_read_id(const struct wire_reader *r, const char *field, unsigned flags, char *out,
                 size_t out_size)
{
    const char *text = NULL;
    int status = wire_read_string(r, field, flags, &text);
    if (status == WIRE_ERROR)
        return status;
    out[0] = '\0';
    if (status == WIRE_ABSENT)
        return status;
    /* jansson refuses NUL inside strings, so the length is the string's. */
    size_t len = strlen(text);
    if (len >= out_size) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, field, "longer than %zu bytes (\"%s\")", out_size - 1,
                                wire_safe_text(text, safe, sizeof safe));
    }
    memcpy(out, text, len + 1);
    return WIRE_OK;
}

int wire_read_int(const struct wire_reader *r, const char *field, unsigned flags, int64_t min,
                  int64_t max, int64_t *out)
{
    static const char expected[] = "an integer";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_integer(v))
        return wrong_type(r, field, flags, expected, v);
    /* json_int_t is long long; int64_t holds every value jansson accepts. */
    int64_t value = (int64_t)json_integer_value(v);
    if (value < min || value > max) {
        if (max == INT64_MAX)
            return wire_reader_fail(r, field, "expected an integer >= %" PRId64 ", got %" PRId64,
                                    min, value);
        return wire_reader_fail(r, field,
                                "expected an integer from %" PRId64 " to %" PRId64
                                ", got %" PRId64,
                                min, max, value);
    }
    *out = value;
    return WIRE_OK;
}

int wire_read_optional_count(const struct wire_reader *r, const char *field, optional_int *out)
{
    int64_t value = 0;
    int status = wire_read_int(r, field, WIRE_OPTIONAL, 0, INT64_MAX, &value);
    if (status == WIRE_ERROR)
        return status;
    out->present = status == WIRE_OK;
    out->value = out->present ? value : 0;
    return status;
}

int wire_read_sign(const struct wire_reader *r, const char *field, int *out)
{
    static const char expected[] = "1 or -1";
    const json_t *v = NULL;
    int status = lookup(r, field, WIRE_REQUIRED, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_integer(v))
        return wrong_type(r, field, WIRE_REQUIRED, expected, v);
    json_int_t value = json_integer_value(v);
    if (value != 1 && value != -1)
        return wire_reader_fail(r, field, "expected 1 or -1, got %lld", (long long)value);
    *out = (int)value;
    return WIRE_OK;
}

int wire_read_real(const struct wire_reader *r, const char *field, unsigned flags, double *out)
{
    static const char expected[] = "a number";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_number(v))
        return wrong_type(r, field, flags, expected, v);
    *out = json_number_value(v);
    return WIRE_OK;
}

int wire_read_optional_real(const struct wire_reader *r, const char *field, optional_real *out)
{
    double value = 0;
    int status = wire_read_real(r, field, WIRE_OPTIONAL, &value);
    if (status == WIRE_ERROR)
        return status;
    out->present = status == WIRE_OK;
    out->value = out->present ? value : 0;
    return status;
}

int wire_read_bool(const struct wire_reader *r, const char *field, unsigned flags, bool *out)
{
    static const char expected[] = "true or false";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_boolean(v))
        return wrong_type(r, field, flags, expected, v);
    *out = json_is_true(v);
    return WIRE_OK;
}

int wire_read_time(const struct wire_reader *r, const char *field, unsigned flags,
                   unsigned timefmt_flags, int64_t *out_ms)
{
    static const char expected[] = "an ISO 8601 timestamp";
    const json_t *v = NULL;
    int status = lookup(r, field, flags, expected, &v);
    if (status != WIRE_OK)
        return status;
    if (!json_is_string(v))
        return wrong_type(r, field, flags, expected, v);
    if (!timefmt_parse(json_string_value(v), out_ms, timefmt_flags)) {
        char safe[WIRE_SAFE_TEXT_SIZE];
        return wire_reader_fail(r, field, "expected %s, got \"%s\"", expected,
                                wire_safe_text(json_string_value(v), safe, sizeof safe));
    }
    return WIRE_OK;
}

int wire_read_string_list(const struct wire_reader *r, const char *field, unsigned flags,
                          struct string_list *out)
{
    string_list_clear(out);
    const json_t *array = NULL;
    int status = wire_read_array(r, field, flags, &array);
    if (status != WIRE_OK)
        return status;
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        if (!json_is_string(item)) {
            char path[WIRE_PATH_SIZE];
            snprintf(path, sizeof path, "%s[%zu]", field, i);
            string_list_clear(out);
            return wire_reader_fail(r, path, "expected a string, got %s",
                                    wire_json_type_name(item));
        }
        if (string_list_add(out, json_string_value(item)) != 0) {
            string_list_clear(out);
            return wire_reader_out_of_memory(r);
        }
    }
    return WIRE_OK;
}

/* --- building objects ------------------------------------------------------------ */

struct wire_builder wire_builder_start(void)
{
    return (struct wire_builder){ json_object(), false };
}

void wire_builder_put(struct wire_builder *b, const char *key, json_t *value)
{
    if (!value || json_object_set_new(b->obj, key, value) != 0)
        b->failed = true;
}

json_t *wire_builder_finish(struct wire_builder *b)
{
    if (b->failed) {
        json_decref(b->obj);
        return NULL;
    }
    return b->obj;
}

json_t *wire_json_int_or_null(optional_int value)
{
    return value.present ? json_integer(value.value) : json_null();
}

json_t *wire_json_real_or_null(optional_real value)
{
    return value.present ? json_real(value.value) : json_null();
}
