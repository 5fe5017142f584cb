/* counts.c — count pages: their lifetime and the duration bands. */
#include "core/counts.h"

#include <stdlib.h>
#include <string.h>

/* The keys of metrics.target_utilization.durations, in the API's order. */
const int count_duration_band_percent[COUNT_DURATION_BANDS] = { 0, 40, 80, 100 };

void count_page_init(struct count_page *page)
{
    memset(page, 0, sizeof *page);
    /* 0 would read as "zero seconds spent in the band", which is a value. */
    for (int band = 0; band < COUNT_DURATION_BANDS; band++)
        page->metrics.target_utilization.duration_seconds[band] = -1;
}

void count_page_clear(struct count_page *page)
{
    free(page->next);
    free(page->previous);
    free(page->samples);
    count_page_init(page);
}
