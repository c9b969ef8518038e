/* The rate limit's table on a clock of its own: a burst allowed at once and
 * then one request per interval, the seconds to wait when over, a client
 * at the rate never refused, clients apart, and a full table forgetting the
 * client quiet longest. */
#include "ratelimit.h"
#include "test.h"

#include <stdlib.h>

static const long long S = 1000000; /* a second in microseconds */

static struct peer_key client(uint64_t n)
{
    return (struct peer_key){0, 0xffff00000000ull | n};
}

static void burst_then_rate(void)
{
    struct rate_table *t = rate_table_new(64);
    struct peer_key a = client(1);
    long long now = 1000 * S;
    int allowed = 0;
    for (int i = 0; i < 10; i++)
        allowed += rate_take(t, &a, 2, 5, now) == 0;
    CHECK(allowed == 5); /* the burst */
    int wait = rate_take(t, &a, 2, 5, now);
    CHECK(wait == 1);    /* the next is due in 0.5 s: 1 s, rounded up */
    CHECK(rate_take(t, &a, 2, 5, now + S / 2) == 0); /* one interval on */
    CHECK(rate_take(t, &a, 2, 5, now + S / 2) > 0);
    /* Spent at 1/s with a burst of 1: the wait is the whole interval. */
    struct peer_key c = client(9);
    CHECK(rate_take(t, &c, 1, 1, now) == 0);
    CHECK(rate_take(t, &c, 1, 1, now) == 1);
    CHECK(rate_take(t, &c, 1, 1, now + S) == 0);
    /* Another client is not slowed by the first. */
    struct peer_key b = client(2);
    CHECK(rate_take(t, &b, 2, 5, now) == 0);
    /* Off: never refused. */
    CHECK(rate_take(t, &a, 0, 0, now) == 0);
    rate_table_free(t);
}

static void steady_client(void)
{
    struct rate_table *t = rate_table_new(64);
    struct peer_key a = client(3);
    int refused = 0;
    /* 10/s, burst 0 (= 10): a request every 100 ms for a minute. */
    for (long long i = 0; i < 600; i++)
        refused += rate_take(t, &a, 10, 0, S + i * S / 10) != 0;
    CHECK(refused == 0);
    /* Faster than the rate: refused about once the burst is spent. */
    refused = 0;
    for (long long i = 0; i < 200; i++)
        refused += rate_take(t, &a, 10, 0, 100 * S + i * S / 20) != 0;
    CHECK(refused >= 80 && refused <= 110);
    rate_table_free(t);
}

static void eviction(void)
{
    struct rate_table *t = rate_table_new(8); /* one set of 8 */
    long long now = 10 * S;
    struct peer_key first = client(100);
    CHECK(rate_take(t, &first, 1, 1, now) == 0);
    CHECK(rate_take(t, &first, 1, 1, now) > 0); /* remembered */
    /* Eight newer clients, each spent for longer than the first: the
     * first is the one forgotten, and starts afresh. */
    for (uint64_t i = 0; i < 8; i++) {
        struct peer_key k = client(200 + i);
        rate_take(t, &k, 1, 1, now + 1);
        rate_take(t, &k, 1, 1, now + 1);
    }
    CHECK(rate_take(t, &first, 1, 1, now + 2) == 0);
    rate_table_free(t);
}

int main(void)
{
    burst_then_rate();
    steady_client();
    eviction();
    return test_done();
}
