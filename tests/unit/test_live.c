/* test_live.c — the client's live model: each rule of live.h with events
 * made by hand, then a large site fed many messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/live.h"
#include "fixture_core.h"

/* --- helpers ---------------------------------------------------------- */

struct fixture {
    struct site *site;
    struct live *live;
};

/* A linked site of `count` spaces named spc_0, spc_1, ... */
static struct site *make_site(size_t count)
{
    struct site *site = site_new();
    assert_non_null(site);
    for (size_t i = 0; i < count; i++) {
        char id[32];
        snprintf(id, sizeof id, "spc_%zu", i);
        fixture_add_space(site, id, NULL, SPACE_TYPE_SPACE, NULL);
    }
    assert_int_equal(site_link(site), 0);
    return site;
}

static int setup_site(void **state, size_t spaces)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->site = make_site(spaces);
    f->live = live_new(f->site);
    if (!f->live)
        return -1;
    *state = f;
    return 0;
}

static int setup_small(void **state)
{
    return setup_site(state, 3);
}

static int setup_large(void **state)
{
    return setup_site(state, 10000);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    live_free(f->live);
    site_free(f->site);
    free(f);
    return 0;
}

static struct space_event message(const char *id, const char *space_id, int64_t timestamp_ms,
                                  int64_t count)
{
    struct space_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.id, sizeof e.id, "%s", id);
    snprintf(e.space_id, sizeof e.space_id, "%s", space_id);
    e.timestamp_ms = timestamp_ms;
    e.direction = 1;
    e.count_present = true;
    e.count = count;
    return e;
}

/* A message that arrives 50 ms after its event. */
static enum live_result apply_message(struct live *live, const char *id, const char *space_id,
                                      int64_t timestamp_ms, int64_t count)
{
    struct space_event e = message(id, space_id, timestamp_ms, count);
    return live_apply(live, &e, timestamp_ms + 50);
}

/* --- the rules -------------------------------------------------------- */

static void test_new_model_is_empty(void **state)
{
    struct fixture *f = *state;
    for (site_index i = 0; i < 3; i++) {
        assert_false(live_has_count(f->live, i));
        assert_int_equal(live_count(f->live, i), 0);
        assert_int_equal(live_updated(f->live, i), -1);
    }
    assert_false(live_has_count(f->live, -1));
    assert_false(live_has_count(f->live, 3));
    assert_int_equal(live_data_age(f->live, 1000), -1);
    const struct live_stats *s = live_stats(f->live);
    assert_int_equal(s->applied + s->duplicates + s->stale + s->unknown_space + s->rejected
                         + s->malformed + s->refreshes,
                     0);
    site_index out[4];
    assert_int_equal(live_take_changed(f->live, out, 4), 0);
}

static void test_message_sets_count(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_1", t, 12), LIVE_APPLIED);
    assert_true(live_has_count(f->live, 1));
    assert_int_equal(live_count(f->live, 1), 12);
    assert_int_equal(live_updated(f->live, 1), t);
    /* The payload's count is authoritative, even when it goes down by 5. */
    assert_int_equal(apply_message(f->live, "evt_2", "spc_1", t + 1000, 7), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 1), 7);
    assert_int_equal(live_updated(f->live, 1), t + 1000);
    assert_false(live_has_count(f->live, 0));
    assert_false(live_has_count(f->live, 2));
    assert_int_equal(live_stats(f->live)->applied, 2);
}

static void test_duplicate_by_id(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, 3), LIVE_APPLIED);
    /* The same id again, even with a newer time and another count. */
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t + 5000, 99), LIVE_DUPLICATE);
    assert_int_equal(live_count(f->live, 0), 3);
    assert_int_equal(live_updated(f->live, 0), t);
    assert_int_equal(live_stats(f->live)->duplicates, 1);
    assert_int_equal(live_stats(f->live)->applied, 1);
    /* A repeat that newer data has overtaken is still told as a repeat (the
     * stats then say "sensors send twice", not "messages come late"). */
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t + 10, 4), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, 3), LIVE_DUPLICATE);
    assert_int_equal(live_stats(f->live)->duplicates, 2);
    assert_int_equal(live_stats(f->live)->stale, 0);
}

/* An interior doorway: one crossing, one event id, two spaces. */
static void test_same_id_other_space_applies(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_7", "spc_0", t, 4), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_7", "spc_1", t, 9), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 4);
    assert_int_equal(live_count(f->live, 1), 9);
    assert_int_equal(apply_message(f->live, "evt_7", "spc_1", t, 9), LIVE_DUPLICATE);
}

static void test_empty_id_never_duplicate(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "", "spc_2", t, 1), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "", "spc_2", t, 2), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "", "spc_2", t, 3), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 2), 3);
    assert_int_equal(live_stats(f->live)->duplicates, 0);
}

/* Only applied messages are remembered: a rejected or stale copy says
 * nothing about whether a good one was seen. */
static void test_unapplied_ids_not_remembered(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, -1), LIVE_REJECTED);
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, 1), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t + 10, 2), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_3", "spc_0", t + 5, 5), LIVE_STALE);
    assert_int_equal(apply_message(f->live, "evt_3", "spc_0", t + 20, 5), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 5);
}

static void test_stale_message_ignored(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:10Z");
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t, 8), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t - 1, 7), LIVE_STALE);
    assert_int_equal(live_count(f->live, 0), 8);
    assert_int_equal(live_updated(f->live, 0), t);
    assert_int_equal(live_stats(f->live)->stale, 1);
    /* Staleness is per space: an older time is fine for a space with none newer. */
    assert_int_equal(apply_message(f->live, "evt_0", "spc_1", t - 60000, 2), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 1), 2);
}

static void test_equal_timestamp_applied(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:10.123Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, 1), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t, 2), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 2);
    assert_int_equal(live_stats(f->live)->stale, 0);
}

static void test_unknown_space(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_nope", t, 4), LIVE_UNKNOWN_SPACE);
    assert_int_equal(live_stats(f->live)->unknown_space, 1);
    assert_int_equal(live_stats(f->live)->applied, 0);
    assert_int_equal(live_data_age(f->live, t + 1000), -1); /* nothing applied */
    site_index out[4];
    assert_int_equal(live_take_changed(f->live, out, 4), 0);
    /* A refresh for an index the site does not have. */
    assert_int_equal(live_refresh(f->live, -1, 5, t, t), LIVE_UNKNOWN_SPACE);
    assert_int_equal(live_refresh(f->live, 3, 5, t, t), LIVE_UNKNOWN_SPACE);
    assert_int_equal(live_stats(f->live)->refreshes, 0);
}

static void test_rejected(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, -1), LIVE_REJECTED);
    assert_int_equal(apply_message(f->live, "evt_2", "", t, 3), LIVE_REJECTED);
    struct space_event no_count = message("evt_3", "spc_0", t, 3);
    no_count.count_present = false;
    assert_int_equal(live_apply(f->live, &no_count, t), LIVE_REJECTED);
    /* An id that fills its field without a terminator cannot be trusted. */
    struct space_event unterminated = message("evt_4", "spc_0", t, 3);
    memset(unterminated.space_id, 'x', sizeof unterminated.space_id);
    assert_int_equal(live_apply(f->live, &unterminated, t), LIVE_REJECTED);
    assert_false(live_has_count(f->live, 0));
    assert_int_equal(live_stats(f->live)->rejected, 4);
    assert_int_equal(live_stats(f->live)->applied, 0);
    /* 0 is a count. */
    assert_int_equal(apply_message(f->live, "evt_5", "spc_0", t, 0), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 1, -2, t, t), LIVE_REJECTED);
    assert_false(live_has_count(f->live, 1));
}

static void test_malformed_counter(void **state)
{
    struct fixture *f = *state;
    live_count_malformed(f->live);
    live_count_malformed(f->live);
    const struct live_stats *s = live_stats(f->live);
    assert_int_equal(s->malformed, 2);
    assert_int_equal(s->applied + s->rejected + s->refreshes, 0);
    assert_int_equal(live_data_age(f->live, 0), -1); /* not data */
}

static void test_refresh_older_than_message_ignored(void **state)
{
    struct fixture *f = *state;
    int64_t sent = fixture_ms("2024-05-06T09:00:00Z");
    /* A REST request leaves at `sent`; a stream message arrives before its answer. */
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", sent + 300, 11), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 0, 10, sent, sent + 800), LIVE_STALE);
    assert_int_equal(live_refresh(f->live, 0, 10, sent + 299, sent + 800), LIVE_STALE);
    assert_int_equal(live_count(f->live, 0), 11);
    assert_int_equal(live_updated(f->live, 0), sent + 300);
    assert_int_equal(live_stats(f->live)->refreshes, 0);
    assert_int_equal(live_data_age(f->live, sent + 1350), 1000); /* from the message's arrival */
}

static void test_refresh_newer_applied(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t, 11), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 0, 4, t + 60000, t + 60200), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 4);
    assert_int_equal(live_updated(f->live, 0), t + 60000);
    /* A refresh as of the message's own time is not older: applied. */
    assert_int_equal(live_refresh(f->live, 0, 5, t + 60000, t + 60300), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 5);
    /* A refresh for a space with no data yet. */
    assert_int_equal(live_refresh(f->live, 2, 0, t, t + 100), LIVE_APPLIED);
    assert_true(live_has_count(f->live, 2));
    assert_int_equal(live_stats(f->live)->refreshes, 3);
    /* A message is judged against earlier messages only: its time is the
     * server's, the refresh's is ours.  One stamped just before the refresh
     * request but newer than the last message still counts... */
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t + 59999, 6), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 6);
    assert_int_equal(apply_message(f->live, "evt_3", "spc_0", t + 60001, 7), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 7);
    /* ...one older than an earlier message does not. */
    assert_int_equal(apply_message(f->live, "evt_4", "spc_0", t + 60000, 8), LIVE_STALE);
    assert_int_equal(live_count(f->live, 0), 7);
}

/* A server whose clock runs ahead of ours (a simulated one, a skewed one):
 * its messages' times must not hide a later refresh's counts.  Refreshes are
 * judged by when messages arrived, in our clock. */
static void test_refresh_after_message_from_a_clock_ahead(void **state)
{
    struct fixture *f = *state;
    int64_t now = fixture_ms("2024-05-06T09:00:00Z");
    struct space_event e = message("evt_1", "spc_0", now + 3600000, 3); /* an hour ahead */
    assert_int_equal(live_apply(f->live, &e, now), LIVE_APPLIED);
    live_new_connection(f->live); /* that server died; another answers now */
    assert_int_equal(live_refresh(f->live, 0, 2, now + 1000, now + 1200), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 2);
    /* A refresh sent before that message arrived is still older than it. */
    e = message("evt_2", "spc_0", now + 3700000, 9);
    assert_int_equal(live_apply(f->live, &e, now + 5000), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 0, 1, now + 4000, now + 6000), LIVE_STALE);
    assert_int_equal(live_count(f->live, 0), 9);
}

static void test_new_connection_forgets_ids_and_times(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    assert_int_equal(apply_message(f->live, "evt_9", "spc_0", t, 3), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_9", "spc_0", t, 3), LIVE_DUPLICATE);
    /* A restarted server reuses its ids and has its own clock: after a new
     * connection both its ids and its (older) times count. */
    live_new_connection(f->live);
    assert_int_equal(apply_message(f->live, "evt_9", "spc_0", t - 5000, 4), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 4);
    assert_int_equal(apply_message(f->live, "evt_9", "spc_0", t - 5000, 4), LIVE_DUPLICATE);
}

static void test_connection_states(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(live_connection_state(f->live), LIVE_CONNECTING);
    assert_int_equal(live_connection_since(f->live), -1);
    /* The first call sets "since", even for the state the model starts in. */
    live_set_connection(f->live, LIVE_CONNECTING, 1000);
    assert_int_equal(live_connection_since(f->live), 1000);
    live_set_connection(f->live, LIVE_CONNECTING, 1500);
    assert_int_equal(live_connection_since(f->live), 1000);
    live_set_connection(f->live, LIVE_LIVE, 2000);
    live_set_connection(f->live, LIVE_LIVE, 3000); /* keeps the first since */
    assert_int_equal(live_connection_state(f->live), LIVE_LIVE);
    assert_int_equal(live_connection_since(f->live), 2000);
    live_set_connection(f->live, LIVE_RECONNECTING, 4000);
    assert_int_equal(live_connection_state(f->live), LIVE_RECONNECTING);
    assert_int_equal(live_connection_since(f->live), 4000);
    live_set_connection(f->live, LIVE_LIVE, 5000);
    assert_int_equal(live_connection_since(f->live), 5000);
    live_set_connection(f->live, LIVE_AUTH_ERROR, 6000);
    assert_int_equal(live_connection_state(f->live), LIVE_AUTH_ERROR);
    live_set_connection(f->live, LIVE_OFFLINE, 7000);
    assert_int_equal(live_connection_state(f->live), LIVE_OFFLINE);
    assert_int_equal(live_connection_since(f->live), 7000);
}

/* A played-back recording says so instead of LIVE (the counts are history),
 * and its messages and refreshes apply by the same rules, on the replay's
 * clock. */
static void test_replay_state(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-03-12T16:00:00Z");
    live_set_connection(f->live, LIVE_REPLAY, t);
    assert_int_equal(live_connection_state(f->live), LIVE_REPLAY);
    assert_int_equal(live_connection_since(f->live), t);
    assert_int_equal(live_refresh(f->live, 0, 5, t, t), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t + 1000, 6), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_1", "spc_0", t + 1000, 6), LIVE_DUPLICATE);
    assert_int_equal(live_count(f->live, 0), 6);
    assert_int_equal(live_connection_state(f->live), LIVE_REPLAY);
}

static void test_connection_names(void **state)
{
    (void)state;
    assert_string_equal(live_connection_name(LIVE_CONNECTING), "CONNECTING");
    assert_string_equal(live_connection_name(LIVE_LIVE), "LIVE");
    assert_string_equal(live_connection_name(LIVE_RECONNECTING), "RECONNECTING");
    assert_string_equal(live_connection_name(LIVE_AUTH_ERROR), "AUTH ERROR");
    assert_string_equal(live_connection_name(LIVE_OFFLINE), "OFFLINE");
    assert_string_equal(live_connection_name(LIVE_REPLAY), "REPLAY");
    assert_string_equal(live_connection_name((enum live_connection)42), "UNKNOWN");
}

static void test_data_age(void **state)
{
    struct fixture *f = *state;
    struct space_event e = message("evt_1", "spc_0", 500, 1);
    assert_int_equal(live_apply(f->live, &e, 10000), LIVE_APPLIED);
    assert_int_equal(live_data_age(f->live, 12500), 2500);
    assert_int_equal(live_data_age(f->live, 9000), 0); /* now read before the data came */
    /* Ignored messages and refreshes are not data. */
    assert_int_equal(live_apply(f->live, &e, 20000), LIVE_DUPLICATE);
    struct space_event old = message("evt_0", "spc_0", 400, 1);
    assert_int_equal(live_apply(f->live, &old, 20000), LIVE_STALE);
    assert_int_equal(live_refresh(f->live, 0, 1, 100, 20000), LIVE_STALE);
    assert_int_equal(live_data_age(f->live, 22000), 12000);
    assert_int_equal(live_refresh(f->live, 1, 1, 100, 21000), LIVE_APPLIED);
    assert_int_equal(live_data_age(f->live, 22000), 1000);
    /* Measured from the last data, not the largest time: a clock stepped back
     * must not make old numbers look fresh. */
    struct space_event later = message("evt_2", "spc_0", 600, 2);
    assert_int_equal(live_apply(f->live, &later, 15000), LIVE_APPLIED);
    assert_int_equal(live_data_age(f->live, 16000), 1000);
    assert_int_equal(live_data_age(f->live, INT64_MAX), INT64_MAX - 15000);
}

static void test_changed_order_clearing_and_max(void **state)
{
    struct fixture *f = *state;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    /* Marked in the order 2, 0, 1: given back in index order. */
    assert_int_equal(apply_message(f->live, "evt_1", "spc_2", t, 5), LIVE_APPLIED);
    /* A first count marks the space even when it is 0. */
    assert_int_equal(apply_message(f->live, "evt_2", "spc_0", t, 0), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 1, 3, t, t), LIVE_APPLIED);
    /* Space 2 changes again: still listed once. */
    assert_int_equal(apply_message(f->live, "evt_3", "spc_2", t + 1, 6), LIVE_APPLIED);
    site_index out[8] = {-7, -7, -7, -7, -7, -7, -7, -7};
    assert_int_equal(live_take_changed(f->live, out, 0), 0); /* max 0 takes nothing */
    assert_int_equal(live_take_changed(f->live, out, 2), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], -7); /* the bound is kept */
    assert_int_equal(live_take_changed(f->live, out, 8), 1);
    assert_int_equal(out[0], 2);
    assert_int_equal(live_take_changed(f->live, out, 8), 0); /* cleared */
    /* The same count again moves the data time but is no change. */
    assert_int_equal(apply_message(f->live, "evt_4", "spc_2", t + 2, 6), LIVE_APPLIED);
    assert_int_equal(live_refresh(f->live, 1, 3, t + 2, t + 2), LIVE_APPLIED);
    assert_int_equal(live_updated(f->live, 2), t + 2);
    assert_int_equal(live_take_changed(f->live, out, 8), 0);
    /* A taken space is marked again by its next change, and a mark made
     * after a bounded take still comes out in index order. */
    assert_int_equal(apply_message(f->live, "evt_5", "spc_2", t + 3, 7), LIVE_APPLIED);
    assert_int_equal(apply_message(f->live, "evt_6", "spc_1", t + 3, 4), LIVE_APPLIED);
    assert_int_equal(live_take_changed(f->live, out, 1), 1);
    assert_int_equal(out[0], 1);
    assert_int_equal(apply_message(f->live, "evt_7", "spc_0", t + 3, 1), LIVE_APPLIED);
    assert_int_equal(live_take_changed(f->live, out, 8), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 2);
}

/* --- scale ------------------------------------------------------------ */

/* The 4097th-previous id is forgotten; the last 4096 are all remembered,
 * after enough traffic to have evicted and refilled the set many times. */
static void test_duplicates_after_eviction(void **state)
{
    struct fixture *f = *state;
    enum { SENT = 5 * LIVE_REMEMBERED_EVENTS + 123 };
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    char id[32];
    for (int i = 0; i < SENT; i++) {
        snprintf(id, sizeof id, "evt_%d", i);
        assert_int_equal(apply_message(f->live, id, "spc_0", t + i, i), LIVE_APPLIED);
    }
    /* Newer times, so that only the duplicate rule can refuse them. */
    int64_t later = t + SENT;
    for (int i = SENT - LIVE_REMEMBERED_EVENTS; i < SENT; i++) {
        snprintf(id, sizeof id, "evt_%d", i);
        assert_int_equal(apply_message(f->live, id, "spc_0", later, 1), LIVE_DUPLICATE);
    }
    assert_int_equal(live_stats(f->live)->duplicates, LIVE_REMEMBERED_EVENTS);
    snprintf(id, sizeof id, "evt_%d", SENT - LIVE_REMEMBERED_EVENTS - 1);
    assert_int_equal(apply_message(f->live, id, "spc_0", later, 2), LIVE_APPLIED);
    assert_int_equal(live_count(f->live, 0), 2);
    /* Remembering it again forgot the oldest of the rest. */
    snprintf(id, sizeof id, "evt_%d", SENT - LIVE_REMEMBERED_EVENTS);
    assert_int_equal(apply_message(f->live, id, "spc_0", later, 3), LIVE_APPLIED);
    snprintf(id, sizeof id, "evt_%d", SENT - 1);
    assert_int_equal(apply_message(f->live, id, "spc_0", later, 4), LIVE_DUPLICATE);
}

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* 10,000 spaces and 100,000 messages, some repeated and some late: no
 * timing (benchmarks measure speed), but a quadratic model would make this
 * test crawl, and every count must match a model kept beside it. */
static void test_many_spaces_many_messages(void **state)
{
    struct fixture *f = *state;
    enum { SPACES = 10000, MESSAGES = 100000 };
    int64_t *expected = calloc(SPACES, sizeof *expected);
    int64_t *latest = calloc(SPACES, sizeof *latest);
    bool *seen = calloc(SPACES, sizeof *seen);
    site_index *out = calloc(SPACES, sizeof *out);
    assert_non_null(expected);
    assert_non_null(latest);
    assert_non_null(seen);
    assert_non_null(out);
    uint32_t seed = 12345;
    int64_t t = fixture_ms("2024-05-06T09:00:00Z");
    uint64_t want_applied = 0, want_stale = 0, want_duplicates = 0;
    char id[32], space_id[32];
    for (int i = 0; i < MESSAGES; i++) {
        int space = (int)(next_random(&seed) % SPACES);
        int64_t at = t + i - (int64_t)(next_random(&seed) % 3); /* some late */
        int64_t count = (int64_t)(next_random(&seed) % 50);
        snprintf(id, sizeof id, "evt_%d", i);
        snprintf(space_id, sizeof space_id, "spc_%d", space);
        struct space_event e = message(id, space_id, at, count);
        bool stale = seen[space] && at < latest[space];
        assert_int_equal(live_apply(f->live, &e, at), stale ? LIVE_STALE : LIVE_APPLIED);
        if (stale) {
            want_stale++;
            continue;
        }
        want_applied++;
        expected[space] = count;
        latest[space] = at;
        seen[space] = true;
        if (i % 10 == 0) { /* a repeat, as sensors send */
            assert_int_equal(live_apply(f->live, &e, at), LIVE_DUPLICATE);
            want_duplicates++;
        }
    }
    const struct live_stats *s = live_stats(f->live);
    assert_int_equal(s->applied, want_applied);
    assert_int_equal(s->stale, want_stale);
    assert_int_equal(s->duplicates, want_duplicates);
    assert_true(want_stale > 0);
    size_t with_count = 0;
    for (site_index i = 0; i < SPACES; i++) {
        assert_int_equal(live_has_count(f->live, i), seen[i]);
        assert_int_equal(live_count(f->live, i), expected[i]);
        with_count += seen[i];
    }
    /* Drained in bounded takes: strictly rising indices, every counted space once. */
    size_t taken = 0;
    site_index previous = -1;
    for (;;) {
        size_t n = live_take_changed(f->live, out, 777);
        if (n == 0)
            break;
        assert_true(n <= 777);
        for (size_t k = 0; k < n; k++) {
            assert_true(out[k] > previous);
            assert_true(seen[out[k]]);
            previous = out[k];
        }
        taken += n;
    }
    assert_int_equal(taken, with_count);
    free(expected);
    free(latest);
    free(seen);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_model_is_empty, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_message_sets_count, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_by_id, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_same_id_other_space_applies, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_empty_id_never_duplicate, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_unapplied_ids_not_remembered, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_stale_message_ignored, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_equal_timestamp_applied, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_space, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_rejected, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_counter, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_older_than_message_ignored, setup_small,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_new_connection_forgets_ids_and_times, setup_small,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refresh_newer_applied, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_connection_states, setup_small, teardown),
        cmocka_unit_test(test_connection_names),
        cmocka_unit_test_setup_teardown(test_refresh_after_message_from_a_clock_ahead, setup_small,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_replay_state, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_data_age, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_changed_order_clearing_and_max, setup_small,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_after_eviction, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_many_spaces_many_messages, setup_large, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
