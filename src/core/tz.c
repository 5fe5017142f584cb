/* tz.c — time zones from TZif data (RFC 8536), without libc's zone machinery.
 *
 * Why not localtime_r()/mktime(): they read TZ and /etc/localtime (state
 * global to the process), and core/ does no I/O.  Everything here is
 * arithmetic on the parsed zone.
 *
 * The model.  Counting only needs the UTC offset, so parsing reduces the
 * file's transitions to the instants at which the offset changes (a change
 * of abbreviation or of the isdst flag alone is dropped) and parses the POSIX
 * TZ footer into a rule.  The offset in force at t is then, as RFC 8536 3.2
 * and 3.3 say:
 *   - from the last transition on, the footer's rule when there is one;
 *   - before the first transition, time type 0;
 *   - otherwise the offset set by the latest transition at or before t.
 *
 * Local to UTC.  The local clock local(u) = u + offset(u) advances one
 * second per second and jumps at changes.  The instant for local time L is
 *     u(L) = min { u : local(u) >= L }
 * which is the first occurrence of L in an overlap and the jump (the end of
 * the gap) in a gap, as the header promises.  u is non-decreasing in L, and
 * because offsets lie within (-25 h, 26 h) it lies in [L - 93599, L + 89999]:
 * daily resets and day starts are all built on these two facts.
 *
 * The footer rule.  For each year Y the rule gives a start s(Y) and an end
 * e(Y) of daylight saving time, as UTC instants.  DST is in force on each
 * [s(Y), e(Y)) when the end follows the start (northern hemisphere), or on
 * [s(Y), e(Y+1)) when it precedes it (southern: DST spans the new year).
 * Overlapping intervals simply merge, which covers "DST all year" strings
 * such as "EST5EDT,0/0,J365/25".  Rule dates repeat every 400 years (the
 * Gregorian cycle is a whole number of weeks), which bounds every search.
 *
 * Robustness.  The parser checks every count against the bytes present
 * before it reads, every index against its table, and refuses transition
 * times beyond +-2^60 s; the public functions clamp their instants to the
 * same range.  With offsets bounded too, no sum below can overflow. */
#include "core/tz.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/termtext.h"
#include "core/timefmt.h"

#define SECONDS_PER_DAY INT64_C(86400)
#define SECONDS_PER_HOUR 3600

/* RFC 8536 3.2: utoff SHOULD be more than -25 h and less than 26 h; we
 * require it, and every window below is sized from these two bounds. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599

/* About 36 billion years: beyond any date anyone will ask about (zic writes
 * -2^59 as its "big bang"), and far enough from INT64_MAX that adding days
 * and offsets never overflows. */
#define TIME_LIMIT (INT64_C(1) << 60)

#define HEADER_SIZE 44
#define MAX_TYPES 256 /* a transition's type index is one byte */

/* POSIX TZ strings: offsets within 24:59:59; transition times may be signed
 * and reach 167 h in version 3+ files (RFC 8536 3.3.1). */
#define OFFSET_MAX_HOURS 24
#define RULE_TIME_MAX_HOURS 167
#define RULE_DEFAULT_TIME (2 * SECONDS_PER_HOUR)
#define GREGORIAN_CYCLE_YEARS 400

/* How much of an untrusted name or footer goes into a message. */
#define MESSAGE_TEXT_COLUMNS 64

/* --- the zone -------------------------------------------------------------- */

enum rule_kind {
    RULE_JULIAN_NO_LEAP, /* Jn: day 1..365, February 29 never counted */
    RULE_DAY_OF_YEAR,    /* n: day 0..365, February 29 counted */
    RULE_MONTH_WEEK_DAY, /* Mm.w.d: weekday d of week w (5: the last) of month m */
};

struct rule_date {
    enum rule_kind kind;
    int day;      /* Jn and n: the day; Mm.w.d: the weekday, 0 = Sunday */
    int week;     /* Mm.w.d only, 1..5 */
    int month;    /* Mm.w.d only, 1..12 */
    int32_t time; /* local seconds after the day's midnight */
};

struct posix_rule {
    int32_t std_offset; /* seconds east of UTC */
    bool has_dst;
    int32_t dst_offset;
    struct rule_date start; /* given in local standard time */
    struct rule_date end;   /* given in local daylight time */
};

struct tz_zone {
    char *name;               /* NULL: unnamed */
    int32_t initial_offset;   /* before the first change */
    size_t change_count;
    int64_t *change_times;    /* strictly ascending */
    int32_t *change_offsets;  /* the offset from change_times[i] on */
    bool has_rule;            /* a non-empty footer */
    int64_t rule_from;        /* the rule governs instants >= rule_from */
    struct posix_rule rule;
};

/* Shared and never freed: tz_utc() cannot fail, and tz_free() ignores it. */
static struct tz_zone utc_zone = { .name = "UTC" };

/* --- arithmetic ------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static int64_t clamp_time(int64_t t)
{
    return t > TIME_LIMIT ? TIME_LIMIT : t < -TIME_LIMIT ? -TIME_LIMIT : t;
}

static bool is_leap_year(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static int64_t year_of(int64_t utc_seconds)
{
    int64_t year;
    timefmt_civil_from_days(floor_div(utc_seconds, SECONDS_PER_DAY), &year, NULL, NULL);
    return year;
}

/* --- the footer rule --------------------------------------------------------- */

/* The local date (days since 1970-01-01) a rule names in `year`. */
static int64_t rule_day(const struct rule_date *date, int64_t year)
{
    int64_t january_first = timefmt_days_from_civil(year, 1, 1);
    switch (date->kind) {
    case RULE_JULIAN_NO_LEAP:
        /* J60 is March 1 in every year. */
        return january_first + date->day - 1 + (date->day >= 60 && is_leap_year(year));
    case RULE_DAY_OF_YEAR:
        return january_first + date->day;
    case RULE_MONTH_WEEK_DAY:
        break;
    }
    unsigned month = (unsigned)date->month;
    int64_t first = timefmt_days_from_civil(year, month, 1);
    int64_t next_month = month == 12 ? timefmt_days_from_civil(year + 1, 1, 1)
                                     : timefmt_days_from_civil(year, month + 1, 1);
    int64_t first_weekday = floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday */
    int64_t day = first + floor_mod(date->day - first_weekday, 7) + 7 * (date->week - 1);
    if (day >= next_month) /* week 5 is the last such weekday, which may be the 4th */
        day -= 7;
    return day;
}

static int64_t rule_start(const struct posix_rule *rule, int64_t year)
{
    return rule_day(&rule->start, year) * SECONDS_PER_DAY + rule->start.time - rule->std_offset;
}

static int64_t rule_end(const struct posix_rule *rule, int64_t year)
{
    return rule_day(&rule->end, year) * SECONDS_PER_DAY + rule->end.time - rule->dst_offset;
}

static bool rule_in_dst(const struct posix_rule *rule, int64_t t)
{
    /* s(Y) and e(Y) stay within about 9 days of year Y (rule times reach
     * +-167 h, offsets 26 h, "n" days one past the year), so only the
     * intervals of these years can contain t. */
    int64_t year = year_of(t);
    for (int64_t y = year - 2; y <= year + 1; y++) {
        int64_t start = rule_start(rule, y);
        int64_t end = rule_end(rule, y);
        if (end < start)
            end = rule_end(rule, y + 1);
        if (start <= t && t < end)
            return true;
    }
    return false;
}

static int32_t rule_offset(const struct posix_rule *rule, int64_t t)
{
    if (!rule->has_dst)
        return rule->std_offset;
    return rule_in_dst(rule, t) ? rule->dst_offset : rule->std_offset;
}

/* The first instant after t at which the rule changes the offset.  The
 * offset can only change at some s(Y) or e(Y); candidates of year Y + 2 all
 * follow those of year Y, so the search stops one year after the first hit,
 * and a whole Gregorian cycle without a hit means there is none. */
static bool rule_next_change(const struct posix_rule *rule, int64_t t, int64_t *change)
{
    if (!rule->has_dst || rule->dst_offset == rule->std_offset)
        return false;
    int64_t year = year_of(t);
    bool found = false;
    int64_t first_hit_year = 0;
    for (int64_t y = year - 2; y <= year + GREGORIAN_CYCLE_YEARS + 2; y++) {
        if (found && y > first_hit_year + 1)
            break;
        const int64_t candidates[2] = { rule_start(rule, y), rule_end(rule, y) };
        for (int i = 0; i < 2; i++) {
            int64_t c = candidates[i];
            if (c <= t || (found && c >= *change))
                continue;
            if (rule_offset(rule, c) == rule_offset(rule, c - 1))
                continue;
            if (!found)
                first_hit_year = y;
            found = true;
            *change = c;
        }
    }
    return found;
}

/* --- offsets and changes ----------------------------------------------------- */

/* How many changes happen at or before t. */
static size_t changes_until(const struct tz_zone *zone, int64_t t)
{
    size_t low = 0, high = zone->change_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (zone->change_times[middle] <= t)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static int32_t table_offset(const struct tz_zone *zone, int64_t t)
{
    size_t n = changes_until(zone, t);
    return n == 0 ? zone->initial_offset : zone->change_offsets[n - 1];
}

/* t is already clamped. */
static int32_t offset_at(const struct tz_zone *zone, int64_t t)
{
    if (zone->has_rule && t >= zone->rule_from)
        return rule_offset(&zone->rule, t);
    return table_offset(zone, t);
}

/* The first instant after t at which offset_at() changes; false if never. */
static bool next_change(const struct tz_zone *zone, int64_t t, int64_t *change)
{
    if (zone->has_rule && t >= zone->rule_from)
        return rule_next_change(&zone->rule, t, change);
    size_t next = changes_until(zone, t);
    if (next < zone->change_count &&
        (!zone->has_rule || zone->change_times[next] < zone->rule_from)) {
        *change = zone->change_times[next];
        return true;
    }
    if (!zone->has_rule)
        return false;
    /* The rule takes over at rule_from, which follows t. */
    if (rule_offset(&zone->rule, zone->rule_from) != table_offset(zone, zone->rule_from - 1)) {
        *change = zone->rule_from;
        return true;
    }
    return rule_next_change(&zone->rule, zone->rule_from, change);
}

/* u(L) from the comment at the top: walks the spans of constant offset from
 * a point whose local time is surely before L. */
static int64_t local_to_utc(const struct tz_zone *zone, int64_t local)
{
    int64_t span_start = local - UTOFF_MAX - 1;
    for (;;) {
        int64_t candidate = local - offset_at(zone, span_start);
        if (candidate < span_start) /* the clocks jumped over L at span_start */
            return span_start;
        int64_t span_end;
        if (!next_change(zone, span_start, &span_end) || candidate < span_end)
            return candidate;
        span_start = span_end;
    }
}

static int64_t local_day_of(const struct tz_zone *zone, int64_t utc_seconds)
{
    return floor_div(utc_seconds + offset_at(zone, utc_seconds), SECONDS_PER_DAY);
}

/* --- public queries ---------------------------------------------------------- */

struct tz_zone *tz_utc(void)
{
    return &utc_zone;
}

const char *tz_name(const struct tz_zone *zone)
{
    if (!zone)
        return utc_zone.name;
    return zone->name ? zone->name : "(unnamed zone)";
}

int32_t tz_offset_at(const struct tz_zone *zone, int64_t utc_seconds)
{
    if (!zone)
        return 0;
    return offset_at(zone, clamp_time(utc_seconds));
}

int64_t tz_local_to_utc(const struct tz_zone *zone, int64_t local_seconds)
{
    if (!zone)
        zone = &utc_zone;
    return local_to_utc(zone, clamp_time(local_seconds));
}

int64_t tz_next_daily(const struct tz_zone *zone, int64_t after_utc, int32_t second_of_day)
{
    if (!zone)
        zone = &utc_zone;
    after_utc = clamp_time(after_utc);
    if (second_of_day < 0)
        second_of_day = 0;
    if (second_of_day >= SECONDS_PER_DAY)
        second_of_day = (int32_t)SECONDS_PER_DAY - 1;
    /* u(day, second_of_day) is non-decreasing in day; given the offset
     * bounds it is <= after_utc four local days before after_utc's and
     * > after_utc four days after, so the first day past after_utc lies in
     * between. */
    int64_t today = local_day_of(zone, after_utc);
    int64_t at = after_utc;
    for (int64_t day = today - 4; day <= today + 4; day++) {
        at = local_to_utc(zone, clamp_time(day * SECONDS_PER_DAY + second_of_day));
        if (at > after_utc)
            break;
    }
    return at;
}

int64_t tz_day_start(const struct tz_zone *zone, int64_t utc_seconds)
{
    if (!zone)
        zone = &utc_zone;
    utc_seconds = clamp_time(utc_seconds);
    int64_t day = local_day_of(zone, utc_seconds);
    return local_to_utc(zone, clamp_time(day * SECONDS_PER_DAY));
}

int64_t tz_week_start(const struct tz_zone *zone, int64_t utc_seconds)
{
    if (!zone)
        zone = &utc_zone;
    utc_seconds = clamp_time(utc_seconds);
    int64_t day = local_day_of(zone, utc_seconds);
    int64_t monday = day - floor_mod(day + 3, 7); /* day 0 was a Thursday */
    return local_to_utc(zone, clamp_time(monday * SECONDS_PER_DAY));
}

void tz_free(struct tz_zone *zone)
{
    if (!zone || zone == &utc_zone)
        return;
    free(zone->name);
    free(zone->change_times);
    free(zone->change_offsets);
    free(zone);
}

/* --- parsing: messages ------------------------------------------------------- */

struct parser {
    const unsigned char *data;
    size_t len;
    char name[3 * MESSAGE_TEXT_COLUMNS + 8]; /* sanitized, for messages */
    char *error;
    size_t error_size;
};

static bool fail(struct parser *p, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Writes "<name>: <what>" and returns false, so callers can `return fail(...)`. */
static bool fail(struct parser *p, const char *format, ...)
{
    if (!p->error || p->error_size == 0)
        return false;
    int n = snprintf(p->error, p->error_size, "%s: ", p->name);
    if (n < 0 || (size_t)n >= p->error_size)
        return false;
    va_list args;
    va_start(args, format);
    vsnprintf(p->error + n, p->error_size - (size_t)n, format, args);
    va_end(args);
    return false;
}

/* --- parsing: the binary part ---------------------------------------------- */

struct header {
    unsigned char version; /* 1 for version 1 (a NUL byte), else '2', '3', ... */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Two's complement by arithmetic, not by an implementation-defined cast. */
static int64_t get_i32(const unsigned char *b)
{
    uint32_t u = get_u32(b);
    return u <= INT32_MAX ? (int64_t)u : (int64_t)u - (INT64_C(1) << 32);
}

static int64_t get_i64(const unsigned char *b)
{
    uint64_t u = (uint64_t)get_u32(b) << 32 | get_u32(b + 4);
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

static bool read_header(struct parser *p, size_t at, struct header *h)
{
    if (p->len - at < HEADER_SIZE)
        return fail(p, "truncated TZif header (%zu bytes at offset %zu, need %d)", p->len - at, at,
                    HEADER_SIZE);
    const unsigned char *b = p->data + at;
    if (memcmp(b, "TZif", 4) != 0)
        return fail(p, "not TZif data (bad magic at offset %zu)", at);
    if (b[4] == 0)
        h->version = 1;
    else if (b[4] >= '2' && b[4] <= '9') /* later versions only extend version 2 */
        h->version = b[4];
    else
        return fail(p, "unknown TZif version byte 0x%02x", b[4]);
    h->isutcnt = get_u32(b + 20);
    h->isstdcnt = get_u32(b + 24);
    h->leapcnt = get_u32(b + 28);
    h->timecnt = get_u32(b + 32);
    h->typecnt = get_u32(b + 36);
    h->charcnt = get_u32(b + 40);
    return true;
}

/* Bytes of the data block after a header; cannot overflow (each count is
 * below 2^32, the multipliers small). */
static uint64_t block_size(const struct header *h, unsigned time_size)
{
    return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

static bool check_block_fits(struct parser *p, size_t at, const struct header *h,
                             unsigned time_size)
{
    uint64_t need = block_size(h, time_size);
    if (need > p->len - at)
        return fail(p, "truncated data block: its counts need %llu bytes at offset %zu, %zu left",
                    (unsigned long long)need, at, p->len - at);
    return true;
}

static bool check_counts(struct parser *p, const struct header *h)
{
    if (h->typecnt == 0 || h->typecnt > MAX_TYPES)
        return fail(p, "%lu local time types (must be 1..%d)", (unsigned long)h->typecnt,
                    MAX_TYPES);
    if (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)
        return fail(p, "%lu standard/wall indicators for %lu types", (unsigned long)h->isstdcnt,
                    (unsigned long)h->typecnt);
    if (h->isutcnt != 0 && h->isutcnt != h->typecnt)
        return fail(p, "%lu UT/local indicators for %lu types", (unsigned long)h->isutcnt,
                    (unsigned long)h->typecnt);
    if (h->leapcnt != 0)
        return fail(p, "has leap-second records (a \"right/\" zone), which are not supported");
    return true;
}

/* Checks the local time types and stores their offsets. */
static bool read_types(struct parser *p, const struct header *h, const unsigned char *ttinfo,
                       const unsigned char *chars, int32_t offsets[MAX_TYPES])
{
    for (uint32_t i = 0; i < h->typecnt; i++) {
        const unsigned char *t = ttinfo + 6 * (size_t)i;
        int64_t utoff = get_i32(t);
        if (utoff < UTOFF_MIN || utoff > UTOFF_MAX)
            return fail(p, "local time type %lu has offset %lld s, outside -25 h..+26 h",
                        (unsigned long)i, (long long)utoff);
        if (t[4] > 1)
            return fail(p, "local time type %lu has isdst %u (must be 0 or 1)", (unsigned long)i,
                        t[4]);
        uint32_t designation = t[5];
        if (designation >= h->charcnt ||
            !memchr(chars + designation, '\0', h->charcnt - designation))
            return fail(p, "local time type %lu has abbreviation index %lu outside the %lu-byte "
                        "table or unterminated", (unsigned long)i, (unsigned long)designation,
                        (unsigned long)h->charcnt);
        offsets[i] = (int32_t)utoff;
    }
    return true;
}

static bool check_indicators(struct parser *p, const unsigned char *values, uint32_t count,
                             const char *what)
{
    for (uint32_t i = 0; i < count; i++)
        if (values[i] > 1)
            return fail(p, "%s indicator %lu is %u (must be 0 or 1)", what, (unsigned long)i,
                        values[i]);
    return true;
}

/* Reads the data block at `at` into zone's change table. */
static bool read_block(struct parser *p, size_t at, const struct header *h, unsigned time_size,
                       struct tz_zone *zone)
{
    if (!check_counts(p, h) || !check_block_fits(p, at, h, time_size))
        return false;
    const unsigned char *times = p->data + at;
    const unsigned char *type_indices = times + (size_t)h->timecnt * time_size;
    const unsigned char *ttinfo = type_indices + h->timecnt;
    const unsigned char *chars = ttinfo + 6 * (size_t)h->typecnt;
    const unsigned char *isstd = chars + h->charcnt; /* leapcnt is 0 */
    const unsigned char *isut = isstd + h->isstdcnt;

    int32_t offsets[MAX_TYPES];
    if (!read_types(p, h, ttinfo, chars, offsets) ||
        !check_indicators(p, isstd, h->isstdcnt, "standard/wall") ||
        !check_indicators(p, isut, h->isutcnt, "UT/local"))
        return false;

    size_t capacity = h->timecnt ? h->timecnt : 1;
    zone->change_times = malloc(capacity * sizeof *zone->change_times);
    zone->change_offsets = malloc(capacity * sizeof *zone->change_offsets);
    if (!zone->change_times || !zone->change_offsets)
        return fail(p, "out of memory");

    zone->initial_offset = offsets[0];
    int32_t current = offsets[0];
    int64_t previous = 0;
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const unsigned char *b = times + (size_t)i * time_size;
        int64_t t = time_size == 8 ? get_i64(b) : get_i32(b);
        if (t < -TIME_LIMIT || t > TIME_LIMIT)
            return fail(p, "transition %lu at %lld s is out of range", (unsigned long)i,
                        (long long)t);
        if (i > 0 && t <= previous)
            return fail(p, "transition %lu at %lld s does not follow the previous one (%lld s)",
                        (unsigned long)i, (long long)t, (long long)previous);
        if (type_indices[i] >= h->typecnt)
            return fail(p, "transition %lu uses local time type %u of %lu", (unsigned long)i,
                        type_indices[i], (unsigned long)h->typecnt);
        previous = t;
        int32_t offset = offsets[type_indices[i]];
        if (offset != current) {
            zone->change_times[zone->change_count] = t;
            zone->change_offsets[zone->change_count] = offset;
            zone->change_count++;
            current = offset;
        }
    }
    /* RFC 8536 3.3: the footer governs from the last transition on. */
    zone->rule_from = h->timecnt ? previous : -TIME_LIMIT;
    return true;
}

/* --- parsing: the POSIX TZ footer --------------------------------------------- */

struct cursor {
    const unsigned char *text;
    size_t len;
    size_t pos;
    const char *problem; /* what was expected where parsing stopped */
};

static int peek(const struct cursor *c)
{
    return c->pos < c->len ? c->text[c->pos] : -1;
}

/* ASCII classes, independent of the locale. */
static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alpha(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool expect(struct cursor *c, bool ok, const char *problem)
{
    if (!ok)
        c->problem = problem;
    return ok;
}

/* An abbreviation: three or more letters, or <...> holding three or more
 * letters, digits and signs ("<+0530>"). */
static bool parse_abbreviation(struct cursor *c)
{
    size_t start;
    if (peek(c) == '<') {
        start = ++c->pos;
        while (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-')
            c->pos++;
        if (!expect(c, peek(c) == '>', "'>' closing a quoted abbreviation"))
            return false;
        c->pos++;
        return expect(c, c->pos - 1 - start >= 3, "an abbreviation of 3 or more characters");
    }
    start = c->pos;
    while (is_alpha(peek(c)))
        c->pos++;
    return expect(c, c->pos - start >= 3, "an abbreviation of 3 or more letters");
}

static bool parse_number(struct cursor *c, int max, int *value, const char *problem)
{
    if (!expect(c, is_digit(peek(c)), problem))
        return false;
    int n = 0;
    while (is_digit(peek(c))) {
        n = n * 10 + (peek(c) - '0'); /* cannot overflow: n <= max <= 999 here */
        if (!expect(c, n <= max, problem))
            return false;
        c->pos++;
    }
    *value = n;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to max_hours. */
static bool parse_signed_hms(struct cursor *c, int max_hours, int32_t *seconds,
                             const char *problem)
{
    int sign = 1;
    if (peek(c) == '+' || peek(c) == '-') {
        sign = peek(c) == '-' ? -1 : 1;
        c->pos++;
    }
    int hours, minutes = 0, secs = 0;
    if (!parse_number(c, max_hours, &hours, problem))
        return false;
    if (peek(c) == ':') {
        c->pos++;
        if (!parse_number(c, 59, &minutes, "minutes 00..59"))
            return false;
        if (peek(c) == ':') {
            c->pos++;
            if (!parse_number(c, 59, &secs, "seconds 00..59"))
                return false;
        }
    }
    *seconds = sign * (hours * SECONDS_PER_HOUR + minutes * 60 + secs);
    return true;
}

/* POSIX offsets count west of UTC: "EST5" is UTC-5. */
static bool parse_offset(struct cursor *c, int32_t *seconds_east)
{
    int32_t west;
    if (!parse_signed_hms(c, OFFSET_MAX_HOURS, &west, "an offset with hours 0..24"))
        return false;
    *seconds_east = -west;
    return true;
}

static bool parse_rule_date(struct cursor *c, struct rule_date *date)
{
    *date = (struct rule_date){ .time = RULE_DEFAULT_TIME };
    if (peek(c) == 'J') {
        c->pos++;
        date->kind = RULE_JULIAN_NO_LEAP;
        if (!parse_number(c, 365, &date->day, "a day 1..365 after 'J'") ||
            !expect(c, date->day >= 1, "a day 1..365 after 'J'"))
            return false;
    } else if (peek(c) == 'M') {
        c->pos++;
        date->kind = RULE_MONTH_WEEK_DAY;
        if (!parse_number(c, 12, &date->month, "a month 1..12") ||
            !expect(c, date->month >= 1, "a month 1..12") ||
            !expect(c, peek(c) == '.', "'.' after the month"))
            return false;
        c->pos++;
        if (!parse_number(c, 5, &date->week, "a week 1..5") ||
            !expect(c, date->week >= 1, "a week 1..5") ||
            !expect(c, peek(c) == '.', "'.' after the week"))
            return false;
        c->pos++;
        if (!parse_number(c, 6, &date->day, "a weekday 0..6"))
            return false;
    } else {
        date->kind = RULE_DAY_OF_YEAR;
        if (!parse_number(c, 365, &date->day, "a rule date (Jn, n or Mm.w.d)"))
            return false;
    }
    if (peek(c) == '/') {
        c->pos++;
        return parse_signed_hms(c, RULE_TIME_MAX_HOURS, &date->time,
                                "a time with hours -167..167");
    }
    return true;
}

/* std offset [dst [offset] [,start[/time],end[/time]]] */
static bool parse_posix_rule(struct cursor *c, struct posix_rule *rule)
{
    *rule = (struct posix_rule){ 0 };
    if (!parse_abbreviation(c) || !parse_offset(c, &rule->std_offset))
        return false;
    if (peek(c) == -1)
        return true;
    if (!parse_abbreviation(c))
        return false;
    rule->has_dst = true;
    rule->dst_offset = rule->std_offset + SECONDS_PER_HOUR; /* <= UTOFF_MAX */
    if (is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-')
        if (!parse_offset(c, &rule->dst_offset))
            return false;
    if (peek(c) == -1) {
        /* No rule: tzcode's (and glibc's) default, the US rule since 2007. */
        rule->start = (struct rule_date){ RULE_MONTH_WEEK_DAY, 0, 2, 3, RULE_DEFAULT_TIME };
        rule->end = (struct rule_date){ RULE_MONTH_WEEK_DAY, 0, 1, 11, RULE_DEFAULT_TIME };
        return true;
    }
    if (!expect(c, peek(c) == ',', "',' before the start rule"))
        return false;
    c->pos++;
    if (!parse_rule_date(c, &rule->start) || !expect(c, peek(c) == ',', "',' before the end rule"))
        return false;
    c->pos++;
    if (!parse_rule_date(c, &rule->end))
        return false;
    return expect(c, peek(c) == -1, "the end of the string");
}

/* The footer is "\n" TZ-string "\n" and ends the data. */
static bool read_footer(struct parser *p, size_t at, struct tz_zone *zone)
{
    if (at >= p->len || p->data[at] != '\n')
        return fail(p, "missing footer (no newline at offset %zu)", at);
    const unsigned char *text = p->data + at + 1;
    size_t room = p->len - at - 1;
    const unsigned char *newline = memchr(text, '\n', room);
    if (!newline)
        return fail(p, "footer is not terminated by a newline");
    size_t text_len = (size_t)(newline - text);
    if (text_len + 1 != room)
        return fail(p, "stray bytes after the footer (%zu)", room - text_len - 1);
    if (text_len == 0)
        return true; /* no rule: the last transition's type lasts */

    struct cursor c = { .text = text, .len = text_len };
    if (!parse_posix_rule(&c, &zone->rule)) {
        char shown[3 * MESSAGE_TEXT_COLUMNS + 8];
        termtext_sanitize((const char *)text, text_len, shown, sizeof shown, MESSAGE_TEXT_COLUMNS,
                          TERMTEXT_ASCII);
        return fail(p, "bad POSIX TZ footer \"%s\": expected %s at character %zu", shown,
                    c.problem, c.pos + 1);
    }
    zone->has_rule = true;
    return true;
}

/* --- parsing: the whole file ----------------------------------------------- */

static bool parse_into(struct parser *p, struct tz_zone *zone)
{
    struct header first;
    if (!read_header(p, 0, &first))
        return false;
    if (first.version == 1) {
        if (!read_block(p, HEADER_SIZE, &first, 4, zone))
            return false;
        zone->has_rule = false;
        size_t end = HEADER_SIZE + (size_t)block_size(&first, 4);
        if (end != p->len)
            return fail(p, "stray bytes after the data (%zu)", p->len - end);
        return true;
    }
    /* Version 2+: skip the 32-bit block, whose only use is for old readers. */
    uint64_t skipped = block_size(&first, 4);
    if (skipped > p->len - HEADER_SIZE)
        return fail(p, "truncated version 1 data block: its counts need %llu bytes, %zu left",
                    (unsigned long long)skipped, p->len - HEADER_SIZE);
    size_t second_at = HEADER_SIZE + (size_t)skipped;
    struct header second;
    if (!read_header(p, second_at, &second))
        return false;
    if (second.version == 1)
        return fail(p, "second header has version 1");
    size_t block_at = second_at + HEADER_SIZE;
    if (!read_block(p, block_at, &second, 8, zone))
        return false;
    return read_footer(p, block_at + (size_t)block_size(&second, 8), zone);
}

struct tz_zone *tz_parse(const unsigned char *data, size_t len, const char *name, char *error,
                         size_t error_size)
{
    struct parser p = { .data = data, .len = len, .error = error, .error_size = error_size };
    termtext_sanitize_str(name ? name : "TZif data", p.name, sizeof p.name, MESSAGE_TEXT_COLUMNS,
                          TERMTEXT_ASCII);
    if (!data && len > 0) {
        fail(&p, "no data");
        return NULL;
    }
    if (!data)
        p.data = (const unsigned char *)""; /* len is 0: the header check refuses it */

    struct tz_zone *zone = calloc(1, sizeof *zone);
    if (!zone) {
        fail(&p, "out of memory");
        return NULL;
    }
    if (!parse_into(&p, zone)) {
        tz_free(zone);
        return NULL;
    }
    if (name && !(zone->name = strdup(name))) {
        fail(&p, "out of memory");
        tz_free(zone);
        return NULL;
    }
    return zone;
}
