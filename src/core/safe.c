/* safe.c — Density's safe-threshold rules, plus a warning band.
 *
 * Choices the header leaves open:
 *  - A field that is present but unusable (a negative capacity, a negative,
 *    NaN or infinite safe_threshold_value) counts as missing: the space has
 *    no threshold and `missing` names the field.  Showing "unsafe" for a
 *    typo in the configuration would send staff to a room for nothing.
 *  - When several fields are missing, safe_threshold_value is named first,
 *    then the capacity it multiplies.
 *  - A safe_threshold_value above 1 is allowed (a limit above capacity).
 *  - Limits too large for int64_t are clamped to INT64_MAX.
 *  - warn_fraction: NaN means SAFE_DEFAULT_WARN_FRACTION; 0 or less puts
 *    every non-empty count in warning; above 1 there is no warning band. */
#include "core/safe.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* How far a product may be from a whole number and still count as that
 * number: 0.29 x 100 is 28.999999999999996 in binary floating point, and a
 * limit of 28 there would call a space unsafe one person early. */
static bool nearly_whole(double x, double *whole)
{
    double nearest = nearbyint(x);
    double tolerance = 1e-9 * fmax(1.0, fabs(x));
    if (fabs(x - nearest) > tolerance)
        return false;
    *whole = nearest;
    return true;
}

/* 2^63, exactly representable; every double below it converts to int64_t. */
#define INT64_LIMIT_AS_DOUBLE 9223372036854775808.0

static int64_t clamp_to_int64(double x)
{
    if (!(x < INT64_LIMIT_AS_DOUBLE))
        return INT64_MAX;
    if (x < -INT64_LIMIT_AS_DOUBLE)
        return INT64_MIN;
    return (int64_t)x;
}

/* The largest whole count not above `x` (x >= 0). */
static int64_t floor_count(double x)
{
    double whole;
    return clamp_to_int64(nearly_whole(x, &whole) ? whole : floor(x));
}

/* The smallest whole count not below `x` (x >= 0). */
static int64_t ceil_count(double x)
{
    double whole;
    return clamp_to_int64(nearly_whole(x, &whole) ? whole : ceil(x));
}

/* Why a mode's field gives no threshold, for safe_describe(). */
enum field_problem {
    FIELD_NOT_SET,
    FIELD_NEGATIVE,
    FIELD_NOT_FINITE,
};

struct field_gap {
    const char *field; /* NULL when nothing is missing */
    enum field_problem problem;
};

static bool check_capacity(optional_int capacity, const char *field, struct field_gap *gap)
{
    if (!capacity.present)
        *gap = (struct field_gap){ field, FIELD_NOT_SET };
    else if (capacity.value < 0)
        *gap = (struct field_gap){ field, FIELD_NEGATIVE };
    else
        return true;
    return false;
}

static bool check_fraction(optional_real fraction, struct field_gap *gap)
{
    const char *field = "safe_threshold_value";
    if (!fraction.present)
        *gap = (struct field_gap){ field, FIELD_NOT_SET };
    else if (!isfinite(fraction.value))
        *gap = (struct field_gap){ field, FIELD_NOT_FINITE };
    else if (fraction.value < 0)
        *gap = (struct field_gap){ field, FIELD_NEGATIVE };
    else
        return true;
    return false;
}

static struct safe_limit limit_of_fraction(optional_real fraction, optional_int capacity,
                                           const char *capacity_field, struct field_gap *gap)
{
    if (!check_fraction(fraction, gap) || !check_capacity(capacity, capacity_field, gap))
        return (struct safe_limit){ .present = false, .missing = gap->field };
    double product = fraction.value * (double)capacity.value;
    return (struct safe_limit){ .present = true, .max_safe_count = floor_count(product) };
}

static struct safe_limit limit_and_gap(const struct space *space, struct field_gap *gap)
{
    *gap = (struct field_gap){ NULL, FIELD_NOT_SET };
    if (space == NULL)
        return (struct safe_limit){ .present = false };
    switch (space->safe_mode) {
    case SAFE_MODE_SAFE_CAPACITY:
        if (!check_capacity(space->safe_capacity, "safe_capacity", gap))
            return (struct safe_limit){ .present = false, .missing = gap->field };
        return (struct safe_limit){ .present = true,
                                    .max_safe_count = space->safe_capacity.value };
    case SAFE_MODE_PERC_TARGET:
        return limit_of_fraction(space->safe_threshold_value, space->target_capacity,
                                 "target_capacity", gap);
    case SAFE_MODE_PERC_LEGAL:
        return limit_of_fraction(space->safe_threshold_value, space->capacity, "capacity", gap);
    case SAFE_MODE_NONE:
        break;
    }
    return (struct safe_limit){ .present = false };
}

struct safe_limit safe_limit_of(const struct space *space)
{
    struct field_gap ignored;
    return limit_and_gap(space, &ignored);
}

enum safe_state safe_state_for(struct safe_limit limit, int64_t count, double warn_fraction)
{
    if (!limit.present)
        return SAFE_STATE_NONE;
    if (count > limit.max_safe_count)
        return SAFE_STATE_UNSAFE;
    if (count <= 0)
        return SAFE_STATE_OK;

    if (isnan(warn_fraction))
        warn_fraction = SAFE_DEFAULT_WARN_FRACTION;
    if (warn_fraction <= 0)
        return SAFE_STATE_WARN;
    /* count >= fraction x limit, in whole people and without the product's
     * rounding error deciding (0.7 x 90 is 63.00000000000001). */
    int64_t warn_from = ceil_count(warn_fraction * (double)limit.max_safe_count);
    return count >= warn_from ? SAFE_STATE_WARN : SAFE_STATE_OK;
}

enum safe_state safe_state_of(const struct space *space, double warn_fraction)
{
    if (space == NULL)
        return SAFE_STATE_NONE;
    return safe_state_for(safe_limit_of(space), space->current_count, warn_fraction);
}

const char *safe_state_name(enum safe_state state)
{
    switch (state) {
    case SAFE_STATE_NONE:
        return "none";
    case SAFE_STATE_OK:
        return "ok";
    case SAFE_STATE_WARN:
        return "warn";
    case SAFE_STATE_UNSAFE:
        return "unsafe";
    }
    return "unknown";
}

/* --- describing a threshold ---------------------------------------------- */

/* "60", "65.5", "12.35": a fraction as a percentage with at most two
 * decimals.  Done in integers so the decimal point does not follow
 * LC_NUMERIC (the UI runs with the user's locale); absurdly large values
 * are written as "1e+302", which has no decimal point either. */
static void format_percent(double fraction, char *out, size_t out_size)
{
    double percent = fraction * 100.0;
    if (percent >= 1e15) {
        snprintf(out, out_size, "%.0e", percent);
        return;
    }
    int64_t hundredths = (int64_t)nearbyint(percent * 100.0);
    int64_t whole = hundredths / 100;
    int decimals = (int)(hundredths % 100);
    if (decimals == 0)
        snprintf(out, out_size, "%" PRId64, whole);
    else if (decimals % 10 == 0)
        snprintf(out, out_size, "%" PRId64 ".%d", whole, decimals / 10);
    else
        snprintf(out, out_size, "%" PRId64 ".%02d", whole, decimals);
}

static const char *people(int64_t count)
{
    return count == 1 ? "person" : "people";
}

static void describe_gap(struct field_gap gap, char *out, size_t out_size)
{
    switch (gap.problem) {
    case FIELD_NOT_SET:
        snprintf(out, out_size, "safe threshold incomplete: %s is not set", gap.field);
        return;
    case FIELD_NEGATIVE:
        snprintf(out, out_size, "safe threshold invalid: %s is negative", gap.field);
        return;
    case FIELD_NOT_FINITE:
        snprintf(out, out_size, "safe threshold invalid: %s is not a finite number", gap.field);
        return;
    }
}

void safe_describe(const struct space *space, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0)
        return;
    struct field_gap gap;
    struct safe_limit limit = limit_and_gap(space, &gap);
    if (!limit.present) {
        if (gap.field == NULL)
            snprintf(out, out_size, "no safe threshold");
        else
            describe_gap(gap, out, out_size);
        return;
    }

    int64_t max = limit.max_safe_count;
    char percent[32];
    switch (space->safe_mode) {
    case SAFE_MODE_SAFE_CAPACITY:
        snprintf(out, out_size, "unsafe above %" PRId64 " %s (safe capacity)", max, people(max));
        return;
    case SAFE_MODE_PERC_TARGET:
        format_percent(space->safe_threshold_value.value, percent, sizeof percent);
        snprintf(out, out_size, "unsafe above %" PRId64 " %s (%s%% of target capacity %" PRId64 ")",
                 max, people(max), percent, space->target_capacity.value);
        return;
    case SAFE_MODE_PERC_LEGAL:
        format_percent(space->safe_threshold_value.value, percent, sizeof percent);
        snprintf(out, out_size, "unsafe above %" PRId64 " %s (%s%% of legal capacity %" PRId64 ")",
                 max, people(max), percent, space->capacity.value);
        return;
    case SAFE_MODE_NONE:
        break;
    }
    snprintf(out, out_size, "no safe threshold");
}
