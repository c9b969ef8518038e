/* The rate limit, as the generic cell rate algorithm (a token bucket kept
 * as one number): each client has a theoretical arrival time, TAT, that
 * every allowed request moves on by one interval (1/rate s); a request is
 * refused while TAT lies more than burst-1 intervals ahead of now. A TAT
 * in the past is a full bucket, so the entry with the smallest TAT is the
 * one that loses least when evicted (and, among full ones, the one quiet
 * longest): a new client takes its place.
 *
 * The table is set-associative: a key's hash picks a set of WAYS entries,
 * searched in full; nothing else is ever probed, so a client choosing its
 * addresses can only crowd its own set. One mutex: a request holds it for
 * a few comparisons. */
#include "ratelimit.h"

#include "capsuled/buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

enum { WAYS = 8 };

struct entry {
    struct peer_key key;
    long long tat_us; /* 0: empty */
};

struct rate_table {
    pthread_mutex_t lock;
    struct entry *entries;
    size_t n_sets; /* a power of two */
    uint64_t seed;
};

static uint64_t seed_of_the_day(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
}

struct rate_table *rate_table_new(size_t slots)
{
    struct rate_table *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->n_sets = 1;
    while (t->n_sets * WAYS < slots)
        t->n_sets *= 2;
    t->entries = xcalloc(t->n_sets * WAYS, sizeof *t->entries);
    t->seed = seed_of_the_day();
    return t;
}

void rate_table_free(struct rate_table *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->entries);
    free(t);
}

/* splitmix64's finalizer over both halves, keyed by the seed. */
static size_t set_of(const struct rate_table *t, const struct peer_key *k)
{
    uint64_t x = k->hi ^ t->seed;
    x = (x ^ x >> 30) * 0xbf58476d1ce4e5b9ull;
    x ^= k->lo;
    x = (x ^ x >> 27) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (size_t)x & (t->n_sets - 1);
}

/* The key's entry in its set, else the one to give it: an empty one, or
 * the one with the smallest TAT. */
static struct entry *entry_for(struct rate_table *t, const struct peer_key *k)
{
    struct entry *set = t->entries + set_of(t, k) * WAYS, *victim = set;
    for (int i = 0; i < WAYS; i++) {
        if (set[i].tat_us && set[i].key.hi == k->hi && set[i].key.lo == k->lo)
            return &set[i];
        if (set[i].tat_us < victim->tat_us)
            victim = &set[i];
    }
    victim->key = *k;
    victim->tat_us = 0;
    return victim;
}

int rate_take(struct rate_table *t, const struct peer_key *key, int rate,
              int burst, long long now_us)
{
    if (rate <= 0)
        return 0;
    long long interval = 1000000 / rate, slack;
    if (interval < 1)
        interval = 1;
    slack = (long long)((burst > 0 ? burst : rate) - 1) * interval;
    pthread_mutex_lock(&t->lock);
    struct entry *e = entry_for(t, key);
    long long tat = e->tat_us > now_us ? e->tat_us : now_us;
    long long early = tat - now_us - slack;
    if (early <= 0)
        e->tat_us = tat + interval;
    pthread_mutex_unlock(&t->lock);
    if (early <= 0)
        return 0;
    return (int)((early + 999999) / 1000000);
}
