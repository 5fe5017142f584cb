/* site_merge.c — following the server's shape (see site_merge.h). */
#include "core/site_merge.h"

#include <stdlib.h>
#include <string.h>

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_int(optional_int a, optional_int b)
{
    return a.present == b.present && (!a.present || a.value == b.value);
}

static bool same_real(optional_real a, optional_real b)
{
    return a.present == b.present && (!a.present || a.value == b.value);
}

static bool same_list(const struct string_list *a, const struct string_list *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

static bool same_segments(const struct space *a, const struct space *b)
{
    if (a->time_segment_count != b->time_segment_count)
        return false;
    for (size_t i = 0; i < a->time_segment_count; i++) {
        const struct time_segment *x = &a->time_segments[i], *y = &b->time_segments[i];
        if (!same_text(x->id, y->id) || !same_text(x->name, y->name) ||
            x->start_second != y->start_second || x->end_second != y->end_second ||
            x->days != y->days)
            return false;
    }
    return true;
}

/* The doorways a space links, with placements, in the same order. */
static bool same_links(const struct site *site, const struct space *a,
                       const struct site *fresh, const struct space *b)
{
    if (a->link_count != b->link_count)
        return false;
    for (size_t i = 0; i < a->link_count; i++) {
        const struct link *x = &site->links[a->links[i]], *y = &fresh->links[b->links[i]];
        if (strcmp(x->doorway_id, y->doorway_id) != 0 || x->placement != y->placement)
            return false;
    }
    return true;
}

/* What the client shows or counts with: a difference means the space is
 * taken again from the listing. */
static bool same_space(const struct site *site, const struct space *a, const struct site *fresh,
                       const struct space *b)
{
    return same_text(a->name, b->name) && same_text(a->parent_id, b->parent_id) &&
           a->type == b->type && same_text(a->function, b->function) &&
           same_text(a->time_zone, b->time_zone) &&
           a->daily_reset_minute == b->daily_reset_minute &&
           same_int(a->capacity, b->capacity) &&
           same_int(a->target_capacity, b->target_capacity) &&
           same_int(a->safe_capacity, b->safe_capacity) && a->safe_mode == b->safe_mode &&
           same_real(a->safe_threshold_value, b->safe_threshold_value) &&
           a->counting_mode == b->counting_mode &&
           same_list(&a->component_space_ids, &b->component_space_ids) &&
           same_list(&a->tags, &b->tags) && same_segments(a, b) &&
           same_links(site, a, fresh, b);
}

/* The fresh space's links, copied; doorways the site lacks come as stubs. */
static int copy_links(struct site *site, const struct site *fresh, const struct space *from)
{
    for (size_t i = 0; i < from->link_count; i++) {
        const struct link *l = &fresh->links[from->links[i]];
        if (site_find_doorway(site, l->doorway_id) == SITE_NONE) {
            struct doorway stub;
            doorway_init(&stub);
            stub.id = strdup(l->doorway_id);
            stub.name = l->doorway_name ? strdup(l->doorway_name) : NULL;
            if (!stub.id || (l->doorway_name && !stub.name) ||
                site_take_doorway(site, &stub) != 0) {
                doorway_clear(&stub);
                return -1;
            }
            /* Found by the next site_link(); until then, by this one's id. */
            if (idmap_insert(&site->doorway_ids, site->doorways[site->doorway_count - 1].id,
                             (site_index)(site->doorway_count - 1)) < 0)
                return -1;
        }
        if (site_add_link(site, l->id, from->id, l->doorway_id, l->placement, from->name,
                          l->doorway_name) != 0)
            return -1;
    }
    return 0;
}

/* Slot i takes the fresh space k (whose old content goes back to fresh, to
 * be freed with it), and its links. */
static int take_again(struct site *site, site_index i, struct site *fresh, site_index k)
{
    struct space old = site->spaces[i];
    site->spaces[i] = fresh->spaces[k];
    fresh->spaces[k] = old;
    site_unlink(site, site->spaces[i].id, true);
    /* Its link list still indexes fresh->links until site_link(site). */
    return copy_links(site, fresh, &site->spaces[i]);
}

/* A space the site did not have, moved in at the end. */
static int take_new(struct site *site, struct site *fresh, site_index k)
{
    size_t at = site->space_count;
    if (site_take_space(site, &fresh->spaces[k]) != 0)
        return -1;
    return copy_links(site, fresh, &site->spaces[at]);
}

int site_merge(struct site *site, struct site *fresh)
{
    bool changed = false;
    size_t known = site->space_count;
    for (size_t i = 0; i < known; i++) {
        const struct space *a = &site->spaces[i];
        if (!a->deleted && a->id && site_find_space(fresh, a->id) == SITE_NONE) {
            site_delete_space(site, (site_index)i);
            changed = true;
        }
    }
    for (size_t k = 0; k < fresh->space_count; k++) {
        const struct space *b = &fresh->spaces[k];
        if (!b->id || site_find_space(fresh, b->id) != (site_index)k)
            continue; /* a later duplicate: the listing's own problem */
        site_index i = site_find_space(site, b->id);
        if (i != SITE_NONE && same_space(site, &site->spaces[i], fresh, b))
            continue;
        changed = true;
        int status = i != SITE_NONE ? take_again(site, i, fresh, (site_index)k)
                                    : take_new(site, fresh, (site_index)k);
        if (status != 0)
            return -1;
    }
    if (!changed)
        return 0;
    return site_link(site) == 0 ? 1 : -1;
}
