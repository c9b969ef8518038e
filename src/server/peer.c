/* Connections open per client: an open-addressing hash table (linear
 * probing; deletion by backward shift, so no tombstones pile up) behind one
 * mutex. An accept and a close each hold it for a probe or two, which costs
 * far less than the accept itself. The hash is seeded at random, so that a
 * client choosing its /64 prefixes cannot line them up into one long probe
 * sequence. The table doubles at half full and never shrinks: it holds at
 * most one entry per open connection. */
#include "peer.h"

#include "capsuled/buf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

enum { INITIAL_SLOTS = 256 };

struct slot {
    struct peer_key key;
    int count; /* 0 = empty */
};

struct peer_table {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t mask; /* slots - 1, a power of two minus one */
    size_t used;
    uint64_t seed;
};

/* ---- the key --------------------------------------------------------------- */

static uint64_t load_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

bool peer_key_of(const struct sockaddr *sa, struct peer_key *key)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        const unsigned char *a = (const unsigned char *)&in->sin_addr;
        key->hi = 0;
        key->lo = 0xffff00000000ull | (uint64_t)a[0] << 24 |
                  (uint64_t)a[1] << 16 | (uint64_t)a[2] << 8 | a[3];
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const unsigned char *a = in6->sin6_addr.s6_addr;
        key->hi = load_be64(a);
        /* ::ffff:a.b.c.d (a dual-stack socket) is that IPv4 client. */
        key->lo = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) ? load_be64(a + 8) : 0;
        return true;
    }
    return false;
}

static bool is_v4(const struct peer_key *k)
{
    return k->hi == 0 && k->lo >> 32 == 0xffff;
}

struct peer_key peer_key_network(struct peer_key key)
{
    if (is_v4(&key))
        key.lo &= ~0xffull;
    else
        key.hi &= ~0xffffull;
    return key;
}

static void store_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

void peer_key_format(const struct peer_key *key, char *out, size_t size)
{
    unsigned char a[16];
    store_be64(a, key->hi);
    store_be64(a + 8, key->lo);
    bool v4 = is_v4(key);
    if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a + 12 : a, out,
                   (socklen_t)size) && size)
        *out = '\0';
}

/* ---- the table --------------------------------------------------------------- */

static uint64_t random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
}

/* splitmix64's finalizer over both halves, keyed by the seed. */
static size_t slot_of(const struct peer_table *t, const struct peer_key *k)
{
    uint64_t x = k->hi ^ t->seed;
    x = (x ^ x >> 30) * 0xbf58476d1ce4e5b9ull;
    x ^= k->lo;
    x = (x ^ x >> 27) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (size_t)x & t->mask;
}

static bool same_key(const struct peer_key *a, const struct peer_key *b)
{
    return a->hi == b->hi && a->lo == b->lo;
}

/* The key's slot, or the empty slot where it would go. */
static struct slot *find(const struct peer_table *t, const struct peer_key *k)
{
    size_t i = slot_of(t, k);
    while (t->slots[i].count && !same_key(&t->slots[i].key, k))
        i = (i + 1) & t->mask;
    return &t->slots[i];
}

static void grow(struct peer_table *t)
{
    struct slot *old = t->slots;
    size_t n_old = t->mask + 1;
    t->slots = xcalloc(n_old * 2, sizeof *t->slots);
    t->mask = n_old * 2 - 1;
    for (size_t i = 0; i < n_old; i++)
        if (old[i].count)
            *find(t, &old[i].key) = old[i];
    free(old);
}

/* Empties slot i and moves later entries of the same probe sequence back,
 * so that every entry stays reachable from its home slot without gaps. */
static void remove_at(struct peer_table *t, size_t i)
{
    size_t j = i;
    for (;;) {
        t->slots[i].count = 0;
        for (;;) {
            j = (j + 1) & t->mask;
            if (!t->slots[j].count)
                return;
            size_t home = slot_of(t, &t->slots[j].key);
            /* j may move to i when its home is not cyclically in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        t->slots[i] = t->slots[j];
        i = j;
    }
}

struct peer_table *peer_table_new(void)
{
    struct peer_table *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->slots = xcalloc(INITIAL_SLOTS, sizeof *t->slots);
    t->mask = INITIAL_SLOTS - 1;
    t->seed = random_seed();
    return t;
}

void peer_table_free(struct peer_table *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    free(t);
}

bool peer_take(struct peer_table *t, const struct peer_key *key, int max)
{
    pthread_mutex_lock(&t->lock);
    struct slot *s = find(t, key);
    bool ok = s->count < max;
    if (ok && !s->count) {
        if (2 * (t->used + 1) > t->mask + 1) {
            grow(t);
            s = find(t, key);
        }
        s->key = *key;
        t->used++;
    }
    if (ok)
        s->count++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void peer_release(struct peer_table *t, const struct peer_key *key)
{
    pthread_mutex_lock(&t->lock);
    struct slot *s = find(t, key);
    if (s->count && --s->count == 0) {
        remove_at(t, (size_t)(s - t->slots));
        t->used--;
    }
    pthread_mutex_unlock(&t->lock);
}

int peer_count(struct peer_table *t, const struct peer_key *key)
{
    pthread_mutex_lock(&t->lock);
    int n = find(t, key)->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}
