/* Requests per second per client (server.rate_limit, server.rate_burst),
 * keyed as the per-client cap counts (peer_key_of). Memory is bounded: a
 * fixed table, where a new client takes the place of the one whose
 * allowance is the fullest, the entry that has been quiet longest. Kept
 * apart from server.h, which needs OpenSSL, so that the unit tests can
 * build it alone. */
#ifndef CAPSULED_RATELIMIT_H
#define CAPSULED_RATELIMIT_H

#include "peer.h"

struct rate_table;

/* A table of at least slots clients (rounded up to whole sets). */
struct rate_table *rate_table_new(size_t slots);
void rate_table_free(struct rate_table *t);
/* Counts one request of key's client at now_us (a monotonic clock) against
 * rate per second with up to burst at once (0: the rate). 0 when it is
 * allowed; else the whole seconds (≥ 1) until one would be, and nothing is
 * counted. Thread-safe. */
int rate_take(struct rate_table *t, const struct peer_key *key, int rate,
              int burst, long long now_us);

#endif
