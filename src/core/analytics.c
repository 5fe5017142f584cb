/* analytics.c — count samples and metrics from minute history.
 *
 * The definitions are in analytics.h.  The work is one pass over the
 * window's minutes: each minute belongs to exactly one sample (the one whose
 * first minute is the latest at or before it), so a week at 1m resolution
 * reads 10,080 minutes once, whatever the interval.
 *
 * A sample's first minute is floor(start / 1 min); the window's last minute
 * is the last one that starts before end_time.  In a window that is not
 * aligned to minutes, the minute holding start_time therefore counts whole,
 * like every other minute: history has nothing finer.  Consequences:
 *  - rates divide by the minutes a sample holds (5 for a 5m sample, 1380
 *    for a 23-hour local day, 6 for the last sample of an unaligned window
 *    that reaches into a sixth minute);
 *  - a count min or max is stamped with its minute's start, which for the
 *    first minute of an unaligned window is before start_time;
 *  - durations are whole minutes (multiples of 60 s).
 * Peaks are the chronologically first of equal samples, so the metrics are
 * the same in either order. */
#include "core/analytics.h"

#include <stdlib.h>

#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_MINUTE INT64_C(60000)
#define SECONDS_PER_DAY INT64_C(86400)
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)

/* --- intervals --------------------------------------------------------------------- */

static const struct {
    const char *name;
    int64_t seconds;
} interval_table[] = {
    [ANALYTICS_1M] = { "1m", 60 },
    [ANALYTICS_5M] = { "5m", 300 },
    [ANALYTICS_10M] = { "10m", 600 },
    [ANALYTICS_15M] = { "15m", 900 },
    [ANALYTICS_1H] = { "1h", 3600 },
    [ANALYTICS_1D] = { "1d", SECONDS_PER_DAY },
    [ANALYTICS_1W] = { "1w", SECONDS_PER_WEEK },
};

enum { INTERVAL_COUNT = sizeof interval_table / sizeof interval_table[0] };

/* No supported length is written with a number larger than this ("604800s"
 * is a week); stopping here also keeps number × unit far from overflow. */
#define LARGEST_INTERVAL_NUMBER INT64_C(604800)

static int64_t unit_seconds(char unit)
{
    switch (unit) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return SECONDS_PER_DAY;
    case 'w': return SECONDS_PER_WEEK;
    default: return 0;
    }
}

bool analytics_interval_parse(const char *text, enum analytics_interval *out)
{
    if (!text)
        return false;
    int64_t number = 0;
    size_t digits = 0;
    for (; text[digits] >= '0' && text[digits] <= '9'; digits++) {
        number = number * 10 + (text[digits] - '0');
        if (number > LARGEST_INTERVAL_NUMBER)
            return false;
    }
    if (digits == 0 || number == 0)
        return false;
    int64_t unit = unit_seconds(text[digits]); /* 0 for the terminating NUL too */
    if (unit == 0 || text[digits + 1] != '\0')
        return false;
    for (int i = 0; i < INTERVAL_COUNT; i++) {
        if (interval_table[i].seconds == number * unit) {
            *out = (enum analytics_interval)i;
            return true;
        }
    }
    return false;
}

const char *analytics_interval_name(enum analytics_interval interval)
{
    if ((int)interval < 0 || (int)interval >= INTERVAL_COUNT)
        return NULL;
    return interval_table[interval].name;
}

static bool is_calendar(enum analytics_interval interval)
{
    return interval == ANALYTICS_1D || interval == ANALYTICS_1W;
}

/* --- arithmetic -------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* b > 0 */
static int64_t ceil_div(int64_t a, int64_t b)
{
    return floor_div(a, b) + (a % b != 0);
}

/* Sums of counts and events must not overflow even over absurd windows (a
 * window's minutes are bounded only by the caller): they stick at the
 * limits instead.  Values are never negative in history the engine wrote,
 * but a bucket is plain data, so both directions are handled. */
static void add_saturating(int64_t *sum, int64_t value)
{
    if (value > 0 && *sum > INT64_MAX - value)
        *sum = INT64_MAX;
    else if (value < 0 && *sum < INT64_MIN - value)
        *sum = INT64_MIN;
    else
        *sum += value;
}

/* History stores counts clamped to this range; carried counts get the same. */
static int64_t clamp_count(int64_t count)
{
    if (count < 0)
        return 0;
    return count > INT32_MAX ? INT32_MAX : count;
}

static bool positive(optional_int value)
{
    return value.present && value.value > 0;
}

/* --- sample boundaries ------------------------------------------------------------- */

/* Sub-day samples step by a whole number of minutes from start_time. */
static uint64_t fixed_sample_count(const struct analytics_query *query)
{
    uint64_t span = (uint64_t)query->end_ms - (uint64_t)query->start_ms;
    uint64_t length = (uint64_t)(interval_table[query->interval].seconds * MS_PER_SECOND);
    return span / length + (span % length != 0);
}

static void fixed_sample_starts(const struct analytics_query *query, struct count_sample *samples,
                                 size_t count)
{
    uint64_t length = (uint64_t)(interval_table[query->interval].seconds * MS_PER_SECOND);
    /* Unsigned: start + i × length stays below end_ms, but i × length alone may
     * not fit an int64_t when start_time is far before 1970. */
    for (size_t i = 0; i < count; i++)
        samples[i].start_ms = (int64_t)((uint64_t)query->start_ms + i * length);
}

/* UTC days and weeks need no zone: 1970-01-01 was a Thursday. */
static int64_t utc_period_start(enum analytics_interval interval, int64_t utc_seconds)
{
    int64_t day = floor_div(utc_seconds, SECONDS_PER_DAY);
    if (interval == ANALYTICS_1W) {
        int64_t days_since_monday = day + 3 - floor_div(day + 3, 7) * 7;
        day -= days_since_monday;
    }
    return day * SECONDS_PER_DAY;
}

static int64_t period_start(const struct tz_zone *zone, enum analytics_interval interval,
                            int64_t utc_seconds)
{
    if (!zone)
        return utc_period_start(interval, utc_seconds);
    return interval == ANALYTICS_1W ? tz_week_start(zone, utc_seconds)
                                    : tz_day_start(zone, utc_seconds);
}

/* The local day (week) start after the one that began at `current`.  Half a
 * period past the nominal length lands inside the next local period however
 * daylight saving moved the clocks (local days last 23 to 25 hours); further
 * tries cover the historic calendar changes that repeated a day, and the
 * last resort keeps the walk moving should a zone return nonsense. */
static int64_t next_period_start(const struct tz_zone *zone, enum analytics_interval interval,
                                 int64_t current)
{
    int64_t length = interval == ANALYTICS_1W ? SECONDS_PER_WEEK : SECONDS_PER_DAY;
    for (int tries = 1; tries <= 3; tries++) {
        int64_t next = period_start(zone, interval, current + length * tries + length / 2);
        if (next > current)
            return next;
    }
    return current + length;
}

/* Walks the local period starts inside the window: the first sample starts
 * at start_time (clipped), the others at local midnights (Mondays).  Returns
 * the number of samples and writes their starts when `samples` is not NULL;
 * with a `limit` (0: none) it writes at most that many and returns limit + 1
 * as soon as it knows there are more, so that counting a huge window for a
 * refusal stays cheap. */
static uint64_t calendar_samples(const struct tz_zone *zone, const struct analytics_query *query,
                                 uint64_t limit, struct count_sample *samples)
{
    uint64_t count = 1;
    if (samples)
        samples[0].start_ms = query->start_ms;
    /* Compared in seconds so that a boundary × 1000 never overflows. */
    int64_t end_seconds = ceil_div(query->end_ms, MS_PER_SECOND);
    int64_t boundary = period_start(zone, query->interval,
                                    floor_div(query->start_ms, MS_PER_SECOND));
    for (;;) {
        boundary = next_period_start(zone, query->interval, boundary);
        if (boundary >= end_seconds)
            return count;
        if (limit != 0 && count == limit)
            return count + 1;
        if (samples)
            samples[count].start_ms = boundary * MS_PER_SECOND;
        count++;
    }
}

/* The interval ends are the next sample's start (or end_time), less 1 ms. */
static void set_sample_ends(struct count_sample *samples, size_t count, int64_t end_ms)
{
    for (size_t i = 0; i < count; i++) {
        int64_t next = i + 1 < count ? samples[i + 1].start_ms : end_ms;
        samples[i].timestamp_ms = samples[i].start_ms;
        samples[i].end_ms = next - 1;
    }
}

/* --- minutes ------------------------------------------------------------------------ */

struct minute {
    int64_t count; /* at the start of the minute */
    int64_t min;
    int64_t max;
    int64_t entrances;
    int64_t exits;
};

static struct minute minute_at(const struct analytics_space *space, int64_t minute)
{
    const struct minute_bucket *bucket = space->history ? history_at(space->history, minute)
                                                        : NULL;
    if (bucket)
        return (struct minute){ bucket->start, bucket->min, bucket->max, bucket->entrances,
                                bucket->exits };
    int64_t count = space->history
                        ? history_count_at(space->history, minute, space->current_count,
                                           space->count_before_history)
                        : space->current_count;
    count = clamp_count(count);
    return (struct minute){ count, count, count, 0, 0 };
}

/* The duration band of a minute: the highest whose lower bound
 * (count_duration_band_percent) the minute's max reaches.  Integers, so
 * that exactly 40 % of the target is in the 40 band. */
static int duration_band(int64_t max, int64_t target)
{
    for (int band = COUNT_DURATION_BANDS - 1; band > 0; band--) {
        int64_t percent = count_duration_band_percent[band];
        /* max fits 32 bits, so max × 100 cannot overflow; a target too large
         * to multiply is out of reach of every count. */
        if (target <= INT64_MAX / 100 && max * 100 >= percent * target)
            return band;
    }
    return 0;
}

/* --- folding ------------------------------------------------------------------------ */

struct sample_fold {
    int64_t minutes;
    int64_t min, max;
    int64_t entrances, exits;
};

struct timed_count {
    int64_t value;
    int64_t timestamp_ms;
};

struct window_fold {
    int64_t minutes;
    int64_t count_sum;
    struct timed_count count_min, count_max;
    int64_t band_minutes[COUNT_DURATION_BANDS];
    int64_t entrances, exits;
    struct timed_count entrance_peak, exit_peak;
    int64_t target; /* 0: none */
};

static void fold_sample_minute(struct sample_fold *fold, const struct minute *m)
{
    if (fold->minutes == 0 || m->min < fold->min)
        fold->min = m->min;
    if (fold->minutes == 0 || m->max > fold->max)
        fold->max = m->max;
    add_saturating(&fold->entrances, m->entrances);
    add_saturating(&fold->exits, m->exits);
    fold->minutes++;
}

/* Strict comparisons keep the first minute (sample) on ties. */
static void fold_window_minute(struct window_fold *fold, const struct minute *m, int64_t minute)
{
    int64_t at = minute * MS_PER_MINUTE;
    if (fold->minutes == 0 || m->min < fold->count_min.value)
        fold->count_min = (struct timed_count){ m->min, at };
    if (fold->minutes == 0 || m->max > fold->count_max.value)
        fold->count_max = (struct timed_count){ m->max, at };
    add_saturating(&fold->count_sum, m->count);
    if (fold->target > 0)
        fold->band_minutes[duration_band(m->max, fold->target)]++;
    fold->minutes++;
}

static void fold_window_sample(struct window_fold *fold, const struct count_sample *sample,
                               bool first)
{
    const struct count_analytics *a = &sample->analytics;
    if (first || a->entrances > fold->entrance_peak.value)
        fold->entrance_peak = (struct timed_count){ a->entrances, sample->timestamp_ms };
    if (first || a->exits > fold->exit_peak.value)
        fold->exit_peak = (struct timed_count){ a->exits, sample->timestamp_ms };
    add_saturating(&fold->entrances, a->entrances);
    add_saturating(&fold->exits, a->exits);
}

static optional_real ratio(int64_t value, optional_int of)
{
    if (!positive(of))
        return (optional_real){ false, 0.0 };
    return optional_real_of((double)value / (double)of.value);
}

static void finish_sample(struct count_sample *sample, const struct sample_fold *fold,
                          const struct analytics_space *space)
{
    struct count_analytics *a = &sample->analytics;
    a->min = fold->min;
    a->max = fold->max;
    a->entrances = fold->entrances;
    a->exits = fold->exits;
    a->events = fold->entrances;
    add_saturating(&a->events, fold->exits);
    a->utilization = ratio(fold->max, space->capacity);
    a->target_utilization = ratio(fold->max, space->target_capacity);
    if (fold->minutes > 0) {
        a->entry_rate = optional_real_of((double)fold->entrances / (double)fold->minutes);
        a->exit_rate = optional_real_of((double)fold->exits / (double)fold->minutes);
    }
}

/* Folds the minutes of one sample into it and into the window.  A sample
 * whose first minute is also the next sample's (possible only with local
 * midnights that are not whole minutes, as in zones' pre-1900 local mean
 * time) holds no minute: it gets that minute's count and no events. */
static bool kept_minute(const struct analytics_query *query, int64_t minute)
{
    return !query->keep_minute || query->keep_minute(query->keep_context, minute * MS_PER_MINUTE);
}

/* Returns false for a sample that holds no counted minute (keep_minute). */
static bool fold_sample(const struct analytics_space *space, const struct analytics_query *query,
                        struct count_sample *sample, int64_t first_minute, int64_t stop_minute,
                        struct window_fold *window)
{
    struct sample_fold fold = { 0 };
    sample->count = minute_at(space, first_minute).count;
    for (int64_t minute = first_minute; minute < stop_minute; minute++) {
        if (!kept_minute(query, minute))
            continue;
        struct minute m = minute_at(space, minute);
        if (fold.minutes == 0)
            sample->count = m.count;
        fold_sample_minute(&fold, &m);
        fold_window_minute(window, &m, minute);
    }
    if (fold.minutes == 0) {
        if (first_minute < stop_minute || !kept_minute(query, first_minute))
            return false; /* only when some minutes are left out */
        fold.min = fold.max = sample->count;
    }
    finish_sample(sample, &fold, space);
    return true;
}

static void fill_metrics(struct count_metrics *metrics, const struct window_fold *fold,
                         size_t sample_count, const struct analytics_space *space)
{
    metrics->present = true;
    if (sample_count == 0 || fold->minutes == 0) { /* every minute left out */
        metrics->entrances.total = optional_int_of(0);
        metrics->exits.total = optional_int_of(0);
        for (int band = 0; band < COUNT_DURATION_BANDS; band++)
            metrics->target_utilization.duration_seconds[band] = 0;
        return; /* the rest stays absent (null) */
    }
    metrics->entrances.total = optional_int_of(fold->entrances);
    metrics->entrances.average = optional_real_of((double)fold->entrances / (double)sample_count);
    metrics->entrances.peak = (struct timed_value){
        optional_real_of((double)fold->entrance_peak.value), true,
        fold->entrance_peak.timestamp_ms };
    metrics->exits.total = optional_int_of(fold->exits);
    metrics->exits.average = optional_real_of((double)fold->exits / (double)sample_count);
    metrics->exits.peak = (struct timed_value){
        optional_real_of((double)fold->exit_peak.value), true, fold->exit_peak.timestamp_ms };

    double average = (double)fold->count_sum / (double)fold->minutes;
    metrics->count.average = optional_real_of(average);
    metrics->count.min = (struct timed_value){ optional_real_of((double)fold->count_min.value),
                                               true, fold->count_min.timestamp_ms };
    metrics->count.max = (struct timed_value){ optional_real_of((double)fold->count_max.value),
                                               true, fold->count_max.timestamp_ms };

    if (positive(space->target_capacity)) {
        double target = (double)space->target_capacity.value;
        metrics->target_utilization.average = optional_real_of(average / target);
        metrics->target_utilization.min = ratio(fold->count_min.value, space->target_capacity);
        metrics->target_utilization.max = ratio(fold->count_max.value, space->target_capacity);
    }
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        metrics->target_utilization.duration_seconds[band] = fold->band_minutes[band] * 60;
}

static void fold_window(const struct analytics_space *space, const struct analytics_query *query,
                        struct count_page *page)
{
    struct window_fold window = { 0 };
    window.target = positive(space->target_capacity) ? space->target_capacity.value : 0;
    struct count_sample *samples = page->samples;
    size_t count = page->sample_count, kept = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t first = floor_div(samples[i].start_ms, MS_PER_MINUTE);
        int64_t stop = i + 1 < count ? floor_div(samples[i + 1].start_ms, MS_PER_MINUTE)
                                     : ceil_div(query->end_ms, MS_PER_MINUTE);
        struct count_sample sample = samples[i];
        if (!fold_sample(space, query, &sample, first, stop, &window))
            continue;
        fold_window_sample(&window, &sample, kept == 0);
        samples[kept++] = sample; /* kept <= i: sample i + 1 is still there */
    }
    page->sample_count = kept;
    page->total = (int64_t)kept;
    fill_metrics(&page->metrics, &window, kept, space);
}

static void reverse_samples(struct count_sample *samples, size_t count)
{
    for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
        struct count_sample swap = samples[i];
        samples[i] = samples[j - 1];
        samples[j - 1] = swap;
    }
}

/* --- the answer --------------------------------------------------------------------- */

enum analytics_status analytics_counts(const struct analytics_space *space,
                                       const struct analytics_query *query,
                                       struct count_page *page)
{
    count_page_clear(page);
    if (query->end_ms <= query->start_ms)
        return ANALYTICS_EMPTY_WINDOW;

    uint64_t count = is_calendar(query->interval)
                         ? calendar_samples(space->zone, query, query->max_samples, NULL)
                         : fixed_sample_count(query);
    if (query->max_samples != 0 && count > query->max_samples)
        return ANALYTICS_TOO_MANY;
    if (count > SIZE_MAX / sizeof *page->samples)
        return ANALYTICS_NO_MEMORY;

    struct count_sample *samples = calloc((size_t)count, sizeof *samples);
    if (!samples)
        return ANALYTICS_NO_MEMORY;
    if (is_calendar(query->interval))
        calendar_samples(space->zone, query, count, samples);
    else
        fixed_sample_starts(query, samples, (size_t)count);
    set_sample_ends(samples, (size_t)count, query->end_ms);

    page->samples = samples;
    page->sample_count = (size_t)count;
    page->total = (int64_t)count;
    fold_window(space, query, page);
    if (query->descending)
        reverse_samples(samples, page->sample_count);
    return ANALYTICS_OK;
}
