/* test_memo.c — the bounded answer cache (core/memo.h): keys that differ in
 * any field never meet, slots that collide replace each other, entries too
 * large are not kept; and the key of a count page (core/counts.h), which
 * must change with every value the page's JSON shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/counts.h"
#include "core/memo.h"

static void key_of_text(struct memo_key *key, const char *text)
{
    memo_key_reset(key);
    memo_key_add_text(key, text);
}

static void test_get_and_put(void **state)
{
    (void)state;
    struct memo *memo = memo_new(8, 1024);
    assert_non_null(memo);
    struct memo_key key = { 0 };
    size_t length = 99;
    key_of_text(&key, "a");
    assert_null(memo_get(memo, &key, &length));
    assert_int_equal(memo_put(memo, &key, "answer a", 8), 0);
    const char *value = memo_get(memo, &key, &length);
    assert_non_null(value);
    assert_int_equal(length, 8);
    assert_memory_equal(value, "answer a", 8);

    /* Another key finds nothing, whatever slot it falls in. */
    key_of_text(&key, "b");
    assert_null(memo_get(memo, &key, &length));
    /* NULL and "" are different keys. */
    key_of_text(&key, NULL);
    assert_null(memo_get(memo, &key, &length));
    assert_int_equal(memo_put(memo, &key, "null", 4), 0);
    key_of_text(&key, "");
    assert_null(memo_get(memo, &key, &length));
    key_of_text(&key, NULL);
    assert_non_null(memo_get(memo, &key, &length));

    /* Fields are delimited: ("ab", "c") is not ("a", "bc"). */
    memo_key_reset(&key);
    memo_key_add_text(&key, "ab");
    memo_key_add_text(&key, "c");
    assert_int_equal(memo_put(memo, &key, "1", 1), 0);
    memo_key_reset(&key);
    memo_key_add_text(&key, "a");
    memo_key_add_text(&key, "bc");
    assert_null(memo_get(memo, &key, &length));

    /* Doubles by their bits: 0.0 and -0.0 print differently. */
    memo_key_reset(&key);
    memo_key_add_real(&key, 0.0);
    assert_int_equal(memo_put(memo, &key, "0", 1), 0);
    memo_key_reset(&key);
    memo_key_add_real(&key, -0.0);
    assert_null(memo_get(memo, &key, &length));

    const struct memo_stats *stats = memo_stats(memo);
    assert_int_equal(stats->hits, 2);
    assert_int_equal(stats->misses, 6);
    assert_int_equal(stats->stored, 4);
    memo_key_free(&key);
    memo_free(memo);
    memo_free(NULL);
}

static void test_one_slot_replaces(void **state)
{
    (void)state;
    struct memo *memo = memo_new(1, 64);
    struct memo_key key = { 0 };
    size_t length;
    key_of_text(&key, "first");
    assert_int_equal(memo_put(memo, &key, "1", 1), 0);
    key_of_text(&key, "second");
    assert_int_equal(memo_put(memo, &key, "22", 2), 0);
    assert_non_null(memo_get(memo, &key, &length));
    assert_int_equal(length, 2);
    key_of_text(&key, "first");
    assert_null(memo_get(memo, &key, &length)); /* replaced */

    /* Too large (key and value together): not kept, and what the slot
     * held stays. */
    char big[80];
    memset(big, 'x', sizeof big);
    assert_int_equal(memo_put(memo, &key, big, 64 - key.length + 1), -1);
    assert_null(memo_get(memo, &key, &length));
    key_of_text(&key, "second");
    assert_non_null(memo_get(memo, &key, &length));
    assert_int_equal(memo_stats(memo)->bytes, key.length + 2);
    key_of_text(&key, "first");
    assert_int_equal(memo_put(memo, &key, big, 64 - key.length), 0); /* just fits */
    assert_int_equal(memo_stats(memo)->bytes, 64);

    /* An empty key and an empty value are fine. */
    memo_key_reset(&key);
    assert_int_equal(memo_put(memo, &key, "", 0), 0);
    assert_non_null(memo_get(memo, &key, &length));
    assert_int_equal(length, 0);
    memo_key_free(&key);
    memo_free(memo);
}

static void test_long_keys(void **state)
{
    (void)state;
    struct memo *memo = memo_new(4, 1 << 20);
    struct memo_key key = { 0 };
    size_t length;
    /* Keys of every length around the hash's 8-byte words, differing only
     * in their last byte. */
    for (size_t n = 1; n < 40; n++) {
        unsigned char bytes[40];
        memset(bytes, 7, sizeof bytes);
        memo_key_reset(&key);
        memo_key_add(&key, bytes, n);
        assert_int_equal(memo_put(memo, &key, "v", 1), 0);
        bytes[n - 1] = 8;
        memo_key_reset(&key);
        memo_key_add(&key, bytes, n);
        assert_null(memo_get(memo, &key, &length));
    }
    /* A key that outgrows its buffer many times over. */
    memo_key_reset(&key);
    for (int i = 0; i < 10000; i++)
        memo_key_add_int(&key, i);
    assert_int_equal(key.length, 80000);
    assert_false(key.failed);
    assert_int_equal(memo_put(memo, &key, "long", 4), 0);
    assert_non_null(memo_get(memo, &key, &length));
    memo_key_free(&key);
    memo_free(memo);
}

/* --- the key of a count page -------------------------------------------------- */

static void page_with_samples(struct count_page *page, struct count_sample *samples, size_t n)
{
    count_page_init(page);
    page->total = (int64_t)n;
    page->samples = samples;
    page->sample_count = n;
    page->metrics.present = true;
    for (size_t i = 0; i < n; i++) {
        struct count_sample *s = &samples[i];
        memset(s, 0, sizeof *s);
        s->timestamp_ms = s->start_ms = (int64_t)i * 300000;
        s->end_ms = s->start_ms + 299999;
        s->count = 5;
        s->analytics.entry_rate = optional_real_of(0.2);
    }
}

static void key_of_page(const struct count_page *page, struct memo_key *key)
{
    memo_key_reset(key);
    count_page_key(page, key);
    assert_false(key->failed);
}

static bool same_key(const struct memo_key *a, const struct memo_key *b)
{
    return a->length == b->length && memcmp(a->bytes, b->bytes, a->length) == 0;
}

/* Every field the JSON shows moves the key; values the JSON does not show
 * (a value beside present = false) do not. */
static void test_page_key_covers_every_field(void **state)
{
    (void)state;
    struct count_sample samples[3];
    struct count_page page;
    page_with_samples(&page, samples, 3);
    struct memo_key base = { 0 }, key = { 0 };
    key_of_page(&page, &base);
    key_of_page(&page, &key);
    assert_true(same_key(&base, &key));

#define MOVES(change, undo)                 \
    do {                                    \
        change;                             \
        key_of_page(&page, &key);           \
        assert_false(same_key(&base, &key)); \
        undo;                               \
        key_of_page(&page, &key);           \
        assert_true(same_key(&base, &key));  \
    } while (0)

    struct count_sample *s = &samples[2];
    struct count_analytics *a = &s->analytics;
    struct count_metrics *m = &page.metrics;
    MOVES(page.total++, page.total--);
    MOVES(page.next = "http://x/?page=2", page.next = NULL);
    MOVES(page.previous = "", page.previous = NULL);
    MOVES(page.sample_count--, page.sample_count++);
    MOVES(s->timestamp_ms++, s->timestamp_ms--);
    MOVES(s->count++, s->count--);
    MOVES(s->start_ms++, s->start_ms--);
    MOVES(s->end_ms++, s->end_ms--);
    MOVES(a->min++, a->min--);
    MOVES(a->max++, a->max--);
    MOVES(a->events++, a->events--);
    MOVES(a->entrances++, a->entrances--);
    MOVES(a->exits++, a->exits--);
    MOVES(a->utilization = optional_real_of(0.0), a->utilization = (optional_real){ 0 });
    MOVES(a->target_utilization = optional_real_of(1.0),
          a->target_utilization = (optional_real){ 0 });
    MOVES(a->entry_rate.value = nextafter(0.2, 1.0), a->entry_rate.value = 0.2);
    MOVES(a->exit_rate = optional_real_of(0.0), a->exit_rate = (optional_real){ 0 });
    MOVES(m->present = false, m->present = true);
    MOVES(m->entrances.total = optional_int_of(0), m->entrances.total = (optional_int){ 0 });
    MOVES(m->entrances.average = optional_real_of(0.0),
          m->entrances.average = (optional_real){ 0 });
    MOVES(m->entrances.peak.value = optional_real_of(0.0),
          m->entrances.peak.value = (optional_real){ 0 });
    MOVES(m->entrances.peak.timestamp_present = true,
          m->entrances.peak.timestamp_present = false);
    MOVES(m->exits.total = optional_int_of(0), m->exits.total = (optional_int){ 0 });
    MOVES(m->exits.average = optional_real_of(0.0), m->exits.average = (optional_real){ 0 });
    MOVES(m->exits.peak.value = optional_real_of(0.0),
          m->exits.peak.value = (optional_real){ 0 });
    MOVES(m->count.average = optional_real_of(0.0), m->count.average = (optional_real){ 0 });
    MOVES(m->count.min.timestamp_present = true, m->count.min.timestamp_present = false);
    MOVES(m->count.max.value = optional_real_of(0.0), m->count.max.value = (optional_real){ 0 });
    MOVES(m->target_utilization.average = optional_real_of(0.0),
          m->target_utilization.average = (optional_real){ 0 });
    MOVES(m->target_utilization.min = optional_real_of(0.0),
          m->target_utilization.min = (optional_real){ 0 });
    MOVES(m->target_utilization.max = optional_real_of(0.0),
          m->target_utilization.max = (optional_real){ 0 });
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        MOVES(m->target_utilization.duration_seconds[band]++,
              m->target_utilization.duration_seconds[band]--);

    /* Not shown, so not in the key: values beside present = false, a
     * timestamp that is not present. */
    a->utilization.value = 42.0;
    m->entrances.peak.timestamp_ms = 12345;
    key_of_page(&page, &key);
    assert_true(same_key(&base, &key));
    /* Metrics that are absent are absent whatever they hold. */
    m->present = false;
    key_of_page(&page, &base);
    m->count.average = optional_real_of(3.0);
    key_of_page(&page, &key);
    assert_true(same_key(&base, &key));
#undef MOVES
    memo_key_free(&base);
    memo_key_free(&key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_and_put),
        cmocka_unit_test(test_one_slot_replaces),
        cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_page_key_covers_every_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
