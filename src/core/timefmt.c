/* timefmt.c — ISO 8601 timestamps and "H:MM:SS" durations.
 *
 * No timegm(), mktime() or TZ: they depend on the process environment and
 * are not all thread-safe.  The calendar arithmetic is Howard Hinnant's
 * days_from_civil / civil_from_days (http://howardhinnant.github.io/date_algorithms.html),
 * exact for the proleptic Gregorian calendar and free of tables.
 *
 * Parsing choices (the header leaves them open):
 *  - 'T' and 'Z' may be lower case, as RFC 3339 allows; a space in place of
 *    'T' is refused (the API never writes one, and spaces usually mean a
 *    human-formatted time in some unknown zone).
 *  - The year has exactly four digits (0000..9999): no sign, no expansion.
 *  - Second 60 (a leap second) is accepted and read as :59.999 of the same
 *    minute, so time still moves forward and the next minute still sorts
 *    after it.
 *  - The zone is "Z", "+HH:MM", "-HH:MM", "+HHMM" or "-HHMM" with hours
 *    0..23 and minutes 0..59.
 *
 * Formatting clamps to 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z
 * so the output always has the same shape and always parses back. */
#include "core/timefmt.h"

#include <inttypes.h>
#include <stdio.h>

#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_DAY INT64_C(86400000)
#define SECONDS_PER_DAY INT64_C(86400)

/* Far beyond any real date, yet small enough that the era arithmetic below
 * cannot overflow whatever the caller passes. */
#define CIVIL_YEAR_LIMIT INT64_C(1000000000000000) /* 10^15 years */
#define CIVIL_DAYS_LIMIT (INT64_MAX / 2)

/* --- calendar ------------------------------------------------------------ */

int64_t timefmt_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    if (year > CIVIL_YEAR_LIMIT)
        year = CIVIL_YEAR_LIMIT;
    if (year < -CIVIL_YEAR_LIMIT)
        year = -CIVIL_YEAR_LIMIT;

    /* Count years from March, so the leap day is the last day of a year. */
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = (unsigned)(year - era * 400);                 /* [0, 399] */
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year; /* [0, 146096] */
    return era * 146097 + (int64_t)day_of_era - 719468;
}

void timefmt_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    if (days > CIVIL_DAYS_LIMIT)
        days = CIVIL_DAYS_LIMIT;
    if (days < -CIVIL_DAYS_LIMIT)
        days = -CIVIL_DAYS_LIMIT;

    days += 719468; /* shift the epoch to 0000-03-01 */
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned day_of_era = (unsigned)(days - era * 146097);              /* [0, 146096] */
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_from_march = (5 * day_of_year + 2) / 153;             /* [0, 11] */
    const unsigned d = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    const unsigned m = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;

    if (year)
        *year = (int64_t)year_of_era + era * 400 + (m <= 2);
    if (month)
        *month = m;
    if (day)
        *day = d;
}

static bool is_leap_year(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned char lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && is_leap_year(year))
        return 29;
    return lengths[month - 1];
}

/* --- parsing helpers ------------------------------------------------------ */

/* Not isdigit(): that one follows the locale. */
static bool is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly `count` digits at *cursor and advances past them. */
static bool read_digits(const char **cursor, int count, unsigned *value)
{
    unsigned result = 0;
    for (int i = 0; i < count; i++) {
        char c = (*cursor)[i];
        if (!is_ascii_digit(c))
            return false;
        result = result * 10 + (unsigned)(c - '0');
    }
    *cursor += count;
    *value = result;
    return true;
}

static bool read_char(const char **cursor, char expected)
{
    if (**cursor != expected)
        return false;
    (*cursor)++;
    return true;
}

/* 'T' or 't', 'Z' or 'z'. */
static bool read_letter(const char **cursor, char upper)
{
    return read_char(cursor, upper) || read_char(cursor, (char)(upper - 'A' + 'a'));
}

/* An optional ".f" with 1..9 digits; the milliseconds, truncated. */
static bool read_fraction(const char **cursor, unsigned *ms)
{
    *ms = 0;
    if (!read_char(cursor, '.'))
        return true;
    int digits = 0;
    unsigned scale = 100;
    while (is_ascii_digit(**cursor)) {
        if (++digits > 9)
            return false;
        *ms += (unsigned)(**cursor - '0') * scale;
        scale /= 10;
        (*cursor)++;
    }
    return digits > 0;
}

struct zone {
    bool given;
    int offset_minutes; /* local time minus UTC */
};

static bool read_zone(const char **cursor, unsigned flags, struct zone *zone)
{
    zone->given = true;
    zone->offset_minutes = 0;
    if (read_letter(cursor, 'Z'))
        return true;

    int sign;
    if (read_char(cursor, '+')) {
        sign = 1;
    } else if (read_char(cursor, '-')) {
        sign = -1;
    } else {
        zone->given = false;
        return **cursor == '\0' && (flags & TIMEFMT_ALLOW_NO_ZONE);
    }

    unsigned hours, minutes;
    if (!read_digits(cursor, 2, &hours))
        return false;
    read_char(cursor, ':'); /* "+HH:MM" and "+HHMM" */
    if (!read_digits(cursor, 2, &minutes))
        return false;
    if (hours > 23 || minutes > 59)
        return false;
    zone->offset_minutes = sign * (int)(hours * 60 + minutes);
    return true;
}

/* --- timestamps ------------------------------------------------------------ */

struct civil_time {
    unsigned year, month, day, hour, minute, second, ms;
};

static bool read_civil_time(const char **cursor, struct civil_time *t)
{
    return read_digits(cursor, 4, &t->year) && read_char(cursor, '-') &&
           read_digits(cursor, 2, &t->month) && read_char(cursor, '-') &&
           read_digits(cursor, 2, &t->day) && read_letter(cursor, 'T') &&
           read_digits(cursor, 2, &t->hour) && read_char(cursor, ':') &&
           read_digits(cursor, 2, &t->minute) && read_char(cursor, ':') &&
           read_digits(cursor, 2, &t->second) && read_fraction(cursor, &t->ms);
}

static bool civil_time_valid(const struct civil_time *t)
{
    return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= days_in_month(t->year, t->month) && t->hour <= 23 && t->minute <= 59 &&
           t->second <= 60;
}

bool timefmt_parse(const char *text, int64_t *out_ms, unsigned flags)
{
    if (text == NULL)
        return false;

    const char *cursor = text;
    struct civil_time t;
    struct zone zone;
    if (!read_civil_time(&cursor, &t) || !read_zone(&cursor, flags, &zone))
        return false;
    if (*cursor != '\0' || !civil_time_valid(&t))
        return false;
    if ((flags & TIMEFMT_UTC_ONLY) && zone.offset_minutes != 0)
        return false;

    if (t.second == 60) { /* leap second: see the file comment */
        t.second = 59;
        t.ms = 999;
    }
    int64_t days = timefmt_days_from_civil(t.year, t.month, t.day);
    int64_t seconds = (int64_t)t.hour * 3600 + (int64_t)t.minute * 60 + t.second -
                      (int64_t)zone.offset_minutes * 60;
    if (out_ms)
        *out_ms = days * MS_PER_DAY + seconds * MS_PER_SECOND + t.ms;
    return true;
}

/* Division rounding towards minus infinity, so times before 1970 land on
 * the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void timefmt_format(int64_t ms, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0)
        return;

    const int64_t first_ms = timefmt_days_from_civil(0, 1, 1) * MS_PER_DAY;
    const int64_t last_ms = timefmt_days_from_civil(10000, 1, 1) * MS_PER_DAY - 1;
    if (ms < first_ms)
        ms = first_ms;
    if (ms > last_ms)
        ms = last_ms;

    int64_t days = floor_div(ms, MS_PER_DAY);
    int64_t ms_of_day = ms - days * MS_PER_DAY;
    int64_t year;
    unsigned month, day;
    timefmt_civil_from_days(days, &year, &month, &day);

    unsigned second_of_day = (unsigned)(ms_of_day / MS_PER_SECOND);
    snprintf(out, out_size, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", year, month, day,
             second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60,
             (unsigned)(ms_of_day % MS_PER_SECOND));
}

/* --- durations ------------------------------------------------------------ */

/* Reads one or more digits as a non-negative number; false on overflow. */
static bool read_number(const char **cursor, int64_t *value)
{
    if (!is_ascii_digit(**cursor))
        return false;
    int64_t result = 0;
    while (is_ascii_digit(**cursor)) {
        int digit = **cursor - '0';
        if (result > (INT64_MAX - digit) / 10)
            return false;
        result = result * 10 + digit;
        (*cursor)++;
    }
    *value = result;
    return true;
}

static bool read_word(const char **cursor, const char *word)
{
    const char *p = *cursor;
    for (; *word; word++, p++) {
        if (*p != *word)
            return false;
    }
    *cursor = p;
    return true;
}

/* Python's str(timedelta), which is what the API's metrics print, writes
 * "26:03:00" as "1 day, 2:03:00" and adds ".ffffff" when there are
 * microseconds.  Both are accepted; the fraction is dropped. */
static bool read_day_prefix(const char **cursor, int64_t *days)
{
    const char *p = *cursor;
    *days = 0;
    int64_t count;
    if (!read_number(&p, &count) || !read_char(&p, ' '))
        return true; /* no prefix: the number was the hours */
    if (!read_word(&p, "day"))
        return false;
    read_char(&p, 's');
    if (!read_word(&p, ", "))
        return false;
    *days = count;
    *cursor = p;
    return true;
}

int64_t timefmt_parse_duration(const char *text)
{
    if (text == NULL)
        return -1;

    const char *cursor = text;
    int64_t days, hours;
    unsigned minutes, seconds, ignored_ms;
    if (!read_day_prefix(&cursor, &days) || !read_number(&cursor, &hours) ||
        !read_char(&cursor, ':') || !read_digits(&cursor, 2, &minutes) ||
        !read_char(&cursor, ':') || !read_digits(&cursor, 2, &seconds) ||
        !read_fraction(&cursor, &ignored_ms) || *cursor != '\0')
        return -1;
    if (minutes > 59 || seconds > 59)
        return -1;

    if (days > INT64_MAX / SECONDS_PER_DAY || hours > INT64_MAX / 3600)
        return -1;
    int64_t total = days * SECONDS_PER_DAY;
    int64_t rest = (int64_t)minutes * 60 + seconds;
    if (hours * 3600 > INT64_MAX - total - rest)
        return -1;
    return total + hours * 3600 + rest;
}

void timefmt_format_duration(int64_t seconds, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0)
        return;
    /* -(seconds + 1) + 1, in unsigned: INT64_MIN has a magnitude too. */
    uint64_t magnitude = seconds < 0 ? (uint64_t)(-(seconds + 1)) + 1 : (uint64_t)seconds;
    snprintf(out, out_size, "%s%" PRIu64 ":%02u:%02u", seconds < 0 ? "-" : "", magnitude / 3600,
             (unsigned)(magnitude / 60 % 60), (unsigned)(magnitude % 60));
}
