/* Time for the server: the monotonic clock, and the sorted list of
 * deadlines each worker keeps for its connections, so that the event
 * wait's timeout is the head's deadline and expiry a walk from the head. */
#include "server.h"

#include <time.h>

long long mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long mono_ms(void)
{
    return mono_us() / 1000;
}

void deadline_clear(struct deadlines *l, struct deadline *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else if (l->head == d)
        l->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else if (l->tail == d)
        l->tail = d->prev;
    d->prev = d->next = NULL;
}

/* Deadlines are nearly always the latest yet, so inserting from the tail
 * is O(1) in practice; a reload that shortens the deadline costs a walk. */
void deadline_set(struct deadlines *l, struct deadline *d, long long at_ms)
{
    deadline_clear(l, d);
    d->at_ms = at_ms;
    struct deadline *after = l->tail;
    while (after && after->at_ms > at_ms)
        after = after->prev;
    d->prev = after;
    d->next = after ? after->next : l->head;
    if (d->next)
        d->next->prev = d;
    else
        l->tail = d;
    if (after)
        after->next = d;
    else
        l->head = d;
}
