/* The per-client connection counts: which addresses are one client (IPv4
 * whole, IPv6 by /64, IPv4-mapped as IPv4), the cap, and a table that
 * grows and deletes by backward shift without losing any count. */
#include "peer.h"
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

static struct peer_key key_v4(const char *text)
{
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(1)};
    inet_pton(AF_INET, text, &in.sin_addr);
    struct peer_key k = {1, 1};
    if (!peer_key_of((const struct sockaddr *)&in, &k))
        k.hi = k.lo = ~0ull;
    return k;
}

static struct peer_key key_v6(const char *text, uint16_t port)
{
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6,
                               .sin6_port = htons(port)};
    inet_pton(AF_INET6, text, &in6.sin6_addr);
    struct peer_key k = {1, 1};
    if (!peer_key_of((const struct sockaddr *)&in6, &k))
        k.hi = k.lo = ~0ull;
    return k;
}

static bool same(struct peer_key a, struct peer_key b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

static void keys(void)
{
    struct peer_key lo4 = key_v4("127.0.0.1");
    CHECK(lo4.hi == 0 && lo4.lo == 0xffff7f000001ull);
    CHECK(!same(lo4, key_v4("127.0.0.2")));
    CHECK(same(key_v4("203.0.113.9"), key_v4("203.0.113.9")));
    /* IPv4-mapped IPv6 is the IPv4 client, whatever the port. */
    CHECK(same(key_v6("::ffff:127.0.0.1", 9), lo4));
    CHECK(!same(key_v6("::ffff:127.0.0.2", 9), lo4));
    /* IPv6: one /64 is one client. */
    struct peer_key a = key_v6("2001:db8:1:2::1", 1);
    CHECK(a.hi == 0x20010db800010002ull && a.lo == 0);
    CHECK(same(a, key_v6("2001:db8:1:2:ffff:ffff:ffff:ffff", 2)));
    CHECK(!same(a, key_v6("2001:db8:1:3::1", 1)));
    CHECK(!same(a, key_v6("2001:db9:1:2::1", 1)));
    /* ::1 and the other addresses of ::/64 are one client, not an IPv4 one. */
    struct peer_key one = key_v6("::1", 1);
    CHECK(one.hi == 0 && one.lo == 0 && !same(one, key_v4("0.0.0.1")));
    CHECK(same(one, key_v6("::2", 1)));
    /* Not an IP address: not counted. */
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    struct peer_key k;
    CHECK(!peer_key_of((const struct sockaddr *)&un, &k));
}

static void cap(void)
{
    struct peer_table *t = peer_table_new();
    struct peer_key a = key_v4("192.0.2.1"), b = key_v4("192.0.2.2");
    int taken = 0;
    for (int i = 0; i < 10; i++)
        taken += peer_take(t, &a, 3);
    CHECK(taken == 3 && peer_count(t, &a) == 3);
    CHECK(peer_take(t, &b, 3) && peer_count(t, &b) == 1);
    peer_release(t, &a);
    CHECK(peer_count(t, &a) == 2 && peer_take(t, &a, 3));
    CHECK(!peer_take(t, &a, 3));
    for (int i = 0; i < 3; i++)
        peer_release(t, &a);
    CHECK(peer_count(t, &a) == 0);
    peer_release(t, &a); /* one too many: ignored */
    CHECK(peer_count(t, &a) == 0 && peer_count(t, &b) == 1);
    peer_table_free(t);
}

/* 20,000 clients with two connections each, released in a scrambled order:
 * the table doubles many times and deletes from every kind of probe run. */
static void churn(void)
{
    enum { N = 20000 };
    struct peer_table *t = peer_table_new();
    struct peer_key *k = malloc(N * sizeof *k);
    int ok = 0;
    for (int i = 0; i < N; i++) {
        k[i].hi = (uint64_t)i * 0x10000;
        k[i].lo = 0;
        ok += peer_take(t, &k[i], 2) && peer_take(t, &k[i], 2) &&
              !peer_take(t, &k[i], 2);
    }
    CHECK(ok == N);
    int right = 0;
    for (int i = 0; i < N; i++)
        right += peer_count(t, &k[i]) == 2;
    CHECK(right == N);
    for (int i = 0; i < N; i++)
        peer_release(t, &k[(i * 7919) % N]);
    right = 0;
    for (int i = 0; i < N; i++)
        right += peer_count(t, &k[i]) == 1;
    CHECK(right == N);
    for (int i = 0; i < N; i += 2)
        peer_release(t, &k[i]);
    right = 0;
    for (int i = 0; i < N; i++)
        right += peer_count(t, &k[i]) == (i % 2);
    CHECK(right == N);
    free(k);
    peer_table_free(t);
}

/* What the anonymised log shows: the key cut to a /24 or a /48. */
static void networks(void)
{
    char out[64];
    struct peer_key k = peer_key_network(key_v4("203.0.113.9"));
    peer_key_format(&k, out, sizeof out);
    CHECK_STR(out, "203.0.113.0");
    k = peer_key_network(key_v6("::ffff:198.51.100.200", 1));
    peer_key_format(&k, out, sizeof out);
    CHECK_STR(out, "198.51.100.0");
    k = peer_key_network(key_v6("2001:db8:1:2::1", 1));
    peer_key_format(&k, out, sizeof out);
    CHECK_STR(out, "2001:db8:1::");
    k = key_v6("2001:db8:1:2::1", 1);
    peer_key_format(&k, out, sizeof out);
    CHECK_STR(out, "2001:db8:1:2::");
}

int main(void)
{
    networks();
    keys();
    cap();
    churn();
    return test_done();
}
