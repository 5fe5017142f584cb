/* event.h — entrances and exits (space events), raw sensor events, and the
 * websocket message that carries a space event.
 *
 * These are hot-path values (the stream delivers thousands a second), so ids
 * are stored inline; an id longer than EVENT_ID_MAX - 1 bytes is refused by
 * the decoder with a message naming the field. */
#ifndef OCCTOP_CORE_EVENT_H
#define OCCTOP_CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define EVENT_ID_MAX 64

/* An entrance (+1) or exit (-1) of one space: the payload of a websocket
 * message, a row of /spaces/:id/events/, a webhook POST. */
struct space_event {
    char id[EVENT_ID_MAX];            /* evt_...; "" when not given */
    char space_id[EVENT_ID_MAX];      /* "" when not given */
    char doorway_id[EVENT_ID_MAX];    /* "" when not given */
    char sensor_serial[EVENT_ID_MAX]; /* "" when not given */
    int64_t timestamp_ms;
    int direction;                    /* +1 or -1 */
    bool count_present;
    int64_t count;                    /* the space's count after the event */
};

/* A raw sensor crossing: trajectory +1 towards the side the sensor faces. */
struct sensor_event {
    char id[EVENT_ID_MAX];
    char sensor_serial[EVENT_ID_MAX];
    char doorway_id[EVENT_ID_MAX];
    int64_t timestamp_ms;
    int trajectory; /* +1 or -1 */
};

/* A websocket message: {"payload":{...},"request_id":...,"version":"v2"}. */
struct stream_message {
    struct space_event payload;
    char type[16];                 /* payload.type, "count" for space events */
    char request_id[EVENT_ID_MAX]; /* "" when not given */
    char version[8];               /* "v2" */
};

/* A webhook POST body (one space of one event). */
struct webhook_payload {
    struct space_event event;
    char organization_id[EVENT_ID_MAX];
    char organization_name[EVENT_ID_MAX];
};

#endif
