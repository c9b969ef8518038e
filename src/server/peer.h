/* Connections open per client address (server.max_per_client), counted
 * across protocols and worker threads in one table. A "client" is an IPv4
 * address, or an IPv6 /64 (what one subscriber is usually given); an
 * IPv4-mapped IPv6 address is its IPv4 address. Kept apart from server.h,
 * which needs OpenSSL, so that the unit tests can build it alone. */
#ifndef CAPSULED_PEER_H
#define CAPSULED_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The 128 bits that name a client: an IPv4 address in its IPv4-mapped form
 * (::ffff:a.b.c.d, so lo is never 0), an IPv6 address cut to its /64
 * (lo = 0). Both halves in network order read as big-endian integers. */
struct peer_key {
    uint64_t hi, lo;
};

/* Fills *key for an AF_INET or AF_INET6 address; false for any other
 * family (such a peer is not counted). Pure. The one function that turns a
 * client's address (the socket's peer, or the source a PROXY header names)
 * into who the client is: the per-client cap, the rate limit and the
 * access log's anonymising all start from it. */
bool peer_key_of(const struct sockaddr *sa, struct peer_key *key);
/* The network the anonymised log shows for a key: its IPv4 /24, its IPv6
 * /48. Pure. */
struct peer_key peer_key_network(struct peer_key key);
/* A key as an address: "203.0.113.0", "2001:db8:1::". Pure. */
void peer_key_format(const struct peer_key *key, char *out, size_t size);

struct peer_table;

struct peer_table *peer_table_new(void);
void peer_table_free(struct peer_table *t);
/* Counts one more connection of key's client unless it has max open
 * already (then false, nothing counted). Thread-safe. */
bool peer_take(struct peer_table *t, const struct peer_key *key, int max);
/* Gives back a connection peer_take counted. Thread-safe. */
void peer_release(struct peer_table *t, const struct peer_key *key);
/* Connections counted for key's client (for tests). */
int peer_count(struct peer_table *t, const struct peer_key *key);

#endif
