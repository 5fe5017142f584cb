/* test_stream_scan.c — the one-pass websocket message scanner
 * (wire/stream_scan.h) against the jansson decoder it stands in for.
 *
 * Every input goes through both: when the scanner answers, its answer and
 * the decoded message must be jansson's, byte for byte; when it does not,
 * wire_decode_stream_message() must still give jansson's answer and error
 * message.  Inputs are copied into a buffer of exactly their length, so that
 * reading past the end is an ASan report.  Besides the lists below, every
 * prefix and many one-byte changes of a few messages are compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "fixture.h"
#include "wire/json_stream.h"
#include "wire/stream_scan.h"

/* --- the comparison ------------------------------------------------------------------ */

enum expect { EITHER, FAST, SLOW };

/* Runs text[0..len) through the scanner, jansson and the combined decoder;
 * fails the test when they disagree.  FAST: the scanner must answer; SLOW:
 * it must leave the message to jansson.  Returns jansson's result. */
static int compare_n(const char *text, size_t len, enum expect expect)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, text, len);
    struct stream_message fast, slow, both;
    struct wire_error slow_err, both_err;
    memset(&fast, 0x5A, sizeof fast);
    memset(&slow, 0xA5, sizeof slow);
    memset(&both, 0x3C, sizeof both);
    wire_error_clear(&slow_err);
    wire_error_clear(&both_err);
    int fast_kind = stream_scan_message(copy, len, &fast);
    int slow_kind = wire_decode_stream_message_jansson(copy, len, &slow, &slow_err);
    int both_kind = wire_decode_stream_message(copy, len, &both, &both_err);
    free(copy);

    if (fast_kind != STREAM_SCAN_UNSURE) {
        if (fast_kind != slow_kind || memcmp(&fast, &slow, sizeof fast) != 0)
            fail_msg("the scanner says %d, jansson %d (%s), for: %.*s", fast_kind, slow_kind,
                     slow_err.message, (int)len, text);
    }
    if (expect == FAST && fast_kind == STREAM_SCAN_UNSURE)
        fail_msg("the scanner left to jansson (%d, %s): %.*s", slow_kind, slow_err.message,
                 (int)len, text);
    if (expect == SLOW && fast_kind != STREAM_SCAN_UNSURE)
        fail_msg("the scanner answered %d: %.*s", fast_kind, (int)len, text);
    assert_int_equal(both_kind, slow_kind);
    if (slow_kind < 0)
        assert_string_equal(both_err.message, slow_err.message);
    else
        assert_memory_equal(&both, &slow, sizeof both);
    return slow_kind;
}

/* The same for a NUL-terminated text written with ' for ". */
static int compare_q(const char *text_q, enum expect expect)
{
    char *text = strdup(text_q);
    assert_non_null(text);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    int kind = compare_n(text, strlen(text), expect);
    free(text);
    return kind;
}

/* --- inputs ------------------------------------------------------------------------------ */

/* The reference's example, as the mock and the bench's firehose write it. */
static const char mock_message[] =
    "{\"payload\":{\"count\":0,\"direction\":-1,\"doorway_id\":\"drw_1\","
    "\"event_id\":\"evt_643916192641188838\",\"space_id\":\"spc_578610575982985330\","
    "\"timestamp\":\"2019-03-18T20:53:03.647Z\",\"type\":\"count\"},"
    "\"request_id\":\"5245250ce4a447e18f513b1863c80ea0\",\"version\":\"v2\"}";

/* The reference's example as printed there: indented, over lines. */
static const char reference_message[] =
    "{\n  \"payload\": {\n    \"count\": 0,\n    \"direction\": -1,\n"
    "    \"event_id\": \"evt_643916192641188838\",\n"
    "    \"space_id\": \"spc_578610575982985330\",\n"
    "    \"timestamp\": \"2019-03-18T20:53:03.647Z\",\n    \"type\": \"count\"\n  },\n"
    "  \"request_id\": \"5245250ce4a447e18f513b1863c80ea0\",\n  \"version\": \"v2\"\n}\n";

static void test_usual_messages_take_the_fast_path(void **state)
{
    (void)state;
    assert_int_equal(compare_n(mock_message, strlen(mock_message), FAST), WIRE_STREAM_COUNT);
    assert_int_equal(compare_n(reference_message, strlen(reference_message), FAST),
                     WIRE_STREAM_COUNT);

    /* What the mock's own encoder writes, with every optional part. */
    struct stream_message m;
    memset(&m, 0, sizeof m);
    snprintf(m.payload.id, sizeof m.payload.id, "evt_1");
    snprintf(m.payload.space_id, sizeof m.payload.space_id, "spc_1");
    snprintf(m.payload.doorway_id, sizeof m.payload.doorway_id, "drw_1");
    m.payload.timestamp_ms = fixture_ms("2024-03-12T16:00:01.500Z");
    m.payload.direction = 1;
    m.payload.count_present = true;
    m.payload.count = 12;
    char out[WIRE_STREAM_MESSAGE_MAX];
    int n = wire_encode_stream_message(&m, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(compare_n(out, (size_t)n, FAST), WIRE_STREAM_COUNT);
    m.payload.id[0] = '\0'; /* written as null */
    n = wire_encode_stream_message(&m, out, sizeof out);
    assert_int_equal(compare_n(out, (size_t)n, FAST), WIRE_STREAM_COUNT);

    /* Keys in any order, whitespace anywhere, optional parts null or missing. */
    compare_q("{'version':'v2','request_id':'r','payload':{'type':'count','timestamp':"
              "'2019-03-18T20:53:03Z','space_id':'spc_1','event_id':'e','direction':1,'count':3}}",
              FAST);
    compare_q(" \t\r\n{ 'payload' : { 'count' : 3 , 'direction' : -1 , 'space_id' : 'spc_1' ,"
              " 'timestamp' : '2019-03-18T20:53:03Z' , 'type' : 'count' } } \n\t\r ",
              FAST);
    compare_q("{'payload':{'count':3,'direction':1,'event_id':null,'doorway_id':null,"
              "'space_id':'s','timestamp':'2019-03-18T20:53:03Z','type':'count'},"
              "'request_id':null,'version':null}",
              FAST);
    compare_q("{'payload':{'count':3,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}",
              FAST);

    /* Numbers at their edges. */
    compare_q("{'payload':{'count':0,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}", FAST);
    compare_q("{'payload':{'count':-0,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}", FAST);
    compare_q("{'payload':{'count':9223372036854775807,'direction':-1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}", FAST);

    /* Timestamps: offsets, more digits than milliseconds, a leap second. */
    compare_q("{'payload':{'count':1,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03.123456+05:30','type':'count'}}", FAST);
    compare_q("{'payload':{'count':1,'direction':1,'space_id':'s',"
              "'timestamp':'2016-12-31T23:59:60Z','type':'count'}}", FAST);
    compare_q("{'payload':{'count':1,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03-00:00','type':'count'}}", FAST);
}

static void test_unknown_fields_are_skipped(void **state)
{
    (void)state;
    compare_q("{'trace':{'a':[1,2,{'b':null}],'c':true},'payload':{'extra':[],'count':1,"
              "'more':{},'direction':1,'space_id':'s','timestamp':'2019-03-18T20:53:03Z',"
              "'x':false,'type':'count','n':-9223372036854775808},'padding':'',"
              "'list':[[],[[]],{}]}",
              FAST);
    /* The keys the scanner reads, nested where it does not read them. */
    compare_q("{'x':{'payload':1,'count':2},'payload':{'y':{'count':'no','type':1},"
              "'count':1,'direction':1,'space_id':'s','timestamp':'2019-03-18T20:53:03Z',"
              "'type':'count'}}",
              FAST);
    /* Unknown keys given twice: jansson keeps the last, nobody reads them. */
    compare_q("{'a':1,'a':2,'payload':{'b':1,'b':'x','count':1,'direction':1,'space_id':'s',"
              "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}",
              FAST);
    /* Keys that look like read ones but are not. */
    compare_q("{'payloads':1,'Payload':{},'payload':{'counts':'x','typ':1,'count':1,"
              "'direction':1,'space_id':'s','timestamp':'2019-03-18T20:53:03Z','type':'count',"
              "'':0,'types':[]}}",
              FAST);
    /* Deep nesting in an unknown field: the scanner's bound, then jansson's. */
    char deep[4096];
    for (int depth = 1; depth < 40; depth += 3) {
        size_t n = (size_t)snprintf(deep, sizeof deep, "{\"payload\":{\"type\":\"x\"},\"d\":");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(deep + n, sizeof deep - n, "%s", i % 2 ? "[" : "{\"k\":");
        deep[n++] = '0';
        for (int i = depth - 1; i >= 0; i--)
            deep[n++] = i % 2 ? ']' : '}';
        deep[n++] = '}';
        assert_int_equal(compare_n(deep, n, depth < 10 ? FAST : EITHER), WIRE_STREAM_OTHER);
    }
}

static void test_other_types(void **state)
{
    (void)state;
    assert_int_equal(compare_q("{'payload':{'type':'heartbeat'},'version':'v2'}", FAST),
                     WIRE_STREAM_OTHER);
    /* Fields a count message would need may be anything in another type. */
    assert_int_equal(compare_q("{'payload':{'type':'presence','count':'x','direction':7,"
                               "'space_id':null,'timestamp':[]},'request_id':'r'}",
                               FAST),
                     WIRE_STREAM_OTHER);
    assert_int_equal(compare_q("{'payload':{'type':''}}", FAST), WIRE_STREAM_OTHER);
    assert_int_equal(compare_q("{'payload':{'type':'Count','count':1}}", FAST),
                     WIRE_STREAM_OTHER);
    /* type must still be a string that fits. */
    assert_int_equal(compare_q("{'payload':{'type':'a-type-of-16-chr'}}", SLOW), -1);
    assert_int_equal(compare_q("{'payload':{'type':'a-type-of-15-ch'}}", FAST),
                     WIRE_STREAM_OTHER);
    assert_int_equal(compare_q("{'payload':{'type':null}}", SLOW), -1);
    assert_int_equal(compare_q("{'payload':{'type':1}}", SLOW), -1);
    assert_int_equal(compare_q("{'payload':{}}", SLOW), -1);
    assert_int_equal(compare_q("{'payload':{'type':'x'},'version':'v2.0.0.1'}", SLOW), -1);
    assert_int_equal(compare_q("{'payload':{'type':'x'},'version':'v2.0.01'}", FAST),
                     WIRE_STREAM_OTHER);
}

/* Each of these is left to jansson, whatever jansson then says. */
static void test_what_is_left_to_jansson(void **state)
{
    (void)state;
    static const char *const slow[] = {
        /* escapes, anywhere */
        "{'payload':{'count':1,'direction':1,'space_id':'s\\u0041','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'p\\u0061yload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'x':'a\\'b'}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'x':'\\u0000'}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'x':'\\ud800'}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'x':'\\ud83d\\ude00'}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'x':'\\q'}",
        /* non-ASCII: valid UTF-8, and not */
        "{'payload':{'count':1,'direction':1,'space_id':'caf\xc3\xa9','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'\xe2\x82\xac':1}",
        "{'payload':{'count':1,'direction':1,'space_id':'\xff\xfe','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'\xc0\xaf','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'\xed\xa0\x80','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "\xef\xbb\xbf{'payload':{'type':'x'}}",
        /* numbers that are not plain int64 integers */
        "{'payload':{'count':1e2,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1.0,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':-0.0,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1E0,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':01,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':9223372036854775808,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':99999999999999999999999,'direction':1,'space_id':'s',"
        "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'n':-9223372036854775809}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'n':1e400}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'n':0.5}",
        "{'payload':{'count':+1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':-,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1.0,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        /* read keys given twice: jansson keeps the last */
        "{'payload':{'type':'x'},'payload':{'count':1,'direction':1,'space_id':'s',"
        "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':-1,'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count','type':'other'}}",
        "{'payload':{'type':'x'},'version':'v2','version':null}",
        "{'payload':1,'payload':{'type':'x'}}",
        /* invalid messages: every one of them, jansson says why */
        "{'payload':{'count':-1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':null,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':'1','direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':0,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':true,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':null,'timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':['s'],'timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','event_id':5,'timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','doorway_id':{},'timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18 20:53:03','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-02-30T20:53:03Z','type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':null,"
        "'type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03.1234567890123456789012345678901234567890123456789012Z',"
        "'type':'count'}}",
        "{'payload':{'count':1,'direction':1,'space_id':'s','timestamp':"
        "'2019-03-18T20:53:03Z','type':'count'},'request_id':7}",
        "{'payload':null}",
        "{'payload':'count'}",
        "{'payload':[]}",
        "{}",
        "[]",
        "[{'payload':{'type':'x'}}]",
        "'x'",
        "1",
        "null",
        "ping",
        "",
        " ",
        "{",
        "}",
        /* not JSON */
        "{'payload':{'type':'x'},}",
        "{'payload':{'type':'x',}}",
        "{'payload':{'type':'x'}}}",
        "{'payload':{'type':'x'}} {}",
        "{'payload':{'type':'x'}}x",
        "{'payload' {'type':'x'}}",
        "{'payload'::{'type':'x'}}",
        "{payload:{'type':'x'}}",
        "{'payload':{'type':'x'},'a':nul}",
        "{'payload':{'type':'x'},'a':nullx}",
        "{'payload':{'type':'x'},'a':tru}",
        "{'payload':{'type':'x'},'a':True}",
        "{'payload':{'type':'x'},'a':[1,]}",
        "{'payload':{'type':'x'},'a':[,1]}",
        "{'payload':{'type':'x'},'a':{'b'}}",
        "{'payload':{'type':'x'},'a':'b\tc'}",
        "{'payload':{'type':'x'},'a':'b\nc'}",
        "{'payload':{'type':'x'},'a':'\x7f'}",
        "{'payload':{'type':'x'},'a':'\x1f'}",
        "{'payload':{'type':'x\x1f'}}",
        "{'payload':{'type':'x'},'a':'0123456789abcde\x1f'}",
        "{'payload':{'type':'x'},'a':1 2}",
        "{'payload':{'type':'x'},'a':'1''2'}",
        "{'payload':{'type':'x'}\f}",
        "{'payload':{'type':'x'}\v}",
    };
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++) {
        /* "\x7f" is plain ASCII to jansson (and to the scanner). */
        compare_q(slow[i], strchr(slow[i], '\x7f') ? EITHER : SLOW);
    }

    /* A NUL byte: inside a string, between tokens, after the message. */
    static const char with_nul[] = "{\"payload\":{\"type\":\"a\0b\"}}";
    compare_n(with_nul, sizeof with_nul - 1, SLOW);
    static const char nul_between[] = "{\"payload\":\0{\"type\":\"ab\"}}";
    compare_n(nul_between, sizeof nul_between - 1, SLOW);
    static const char nul_after[] = "{\"payload\":{\"type\":\"ab\"}}\0";
    compare_n(nul_after, sizeof nul_after - 1, SLOW);
    /* No text at all. */
    struct stream_message m;
    assert_int_equal(stream_scan_message(NULL, 0, &m), STREAM_SCAN_UNSURE);
}

/* Ids at their limits: the scanner takes what fits, jansson refuses the rest. */
static void test_id_limits(void **state)
{
    (void)state;
    char id[EVENT_ID_MAX + 2], text[1024];
    for (size_t n = EVENT_ID_MAX - 2; n <= EVENT_ID_MAX + 1; n++) {
        memset(id, 'i', n);
        id[n] = '\0';
        snprintf(text, sizeof text,
                 "{'payload':{'count':1,'direction':1,'space_id':'%s',"
                 "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}", id);
        compare_q(text, n < EVENT_ID_MAX ? FAST : SLOW);
        static const char *const fields[] = { "event_id", "doorway_id" };
        for (size_t f = 0; f < 2; f++) {
            snprintf(text, sizeof text,
                     "{'payload':{'count':1,'direction':1,'space_id':'s','%s':'%s',"
                     "'timestamp':'2019-03-18T20:53:03Z','type':'count'}}",
                     fields[f], id);
            compare_q(text, n < EVENT_ID_MAX ? FAST : SLOW);
        }
        snprintf(text, sizeof text, "{'payload':{'type':'x'},'request_id':'%s'}", id);
        compare_q(text, n < EVENT_ID_MAX ? FAST : SLOW);
    }
}

/* --- mutations ----------------------------------------------------------------------------- */

/* Every prefix: a message cut short anywhere. */
static void compare_prefixes(const char *text)
{
    size_t len = strlen(text);
    for (size_t n = 0; n <= len; n++)
        compare_n(text, n, n == len ? FAST : EITHER);
}

/* Every byte replaced by each of a set of bytes that matter to JSON, every
 * byte deleted, and whitespace inserted before every byte. */
static void compare_mutations(const char *text)
{
    static const char bytes[] = "\"\\{}[]:,0123456789-+.eE tfn\t\n\r\x01\x1f\x7f\x80\xc3\xff";
    size_t len = strlen(text);
    char *work = malloc(len + 2);
    assert_non_null(work);
    for (size_t at = 0; at < len; at++) {
        for (size_t b = 0; b < sizeof bytes - 1; b++) {
            memcpy(work, text, len);
            work[at] = bytes[b];
            compare_n(work, len, EITHER);
        }
        memcpy(work, text, at);
        memcpy(work + at, text + at + 1, len - at - 1);
        compare_n(work, len - 1, EITHER);
        memcpy(work, text, at);
        work[at] = ' ';
        memcpy(work + at + 1, text + at, len - at);
        compare_n(work, len + 1, EITHER);
    }
    free(work);
}

static const char *const seeds[] = {
    mock_message,
    "{\"version\":\"v2\",\"payload\":{\"type\":\"count\",\"count\":12,\"direction\":1,"
    "\"space_id\":\"spc_1\",\"timestamp\":\"2024-03-12T16:00:01.5+01:00\",\"event_id\":null,"
    "\"x\":[1,{\"y\":false}]},\"request_id\":null}",
    "{\"payload\":{\"type\":\"heartbeat\",\"count\":-1},\"version\":\"v2\",\"z\":true}",
};

static void test_prefixes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        compare_prefixes(seeds[i]);
    compare_prefixes(reference_message);
}

static void test_mutations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        compare_mutations(seeds[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usual_messages_take_the_fast_path),
        cmocka_unit_test(test_unknown_fields_are_skipped),
        cmocka_unit_test(test_other_types),
        cmocka_unit_test(test_what_is_left_to_jansson),
        cmocka_unit_test(test_id_limits),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
