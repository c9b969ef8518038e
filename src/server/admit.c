/* How many connections may be open: a total, process-wide
 * (server.max_connections, and never more than the descriptor limit leaves
 * room for), and a number per client (server.max_per_client, peer.c), so
 * that one address cannot take every slot of the total. A connection over
 * either cap is accepted and closed at once by the worker. */
#include "server.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>

/* Descriptors kept free beyond the connections: the reserves, a reload's
 * file reads, the log reopened, the accept that refuses one over the cap. */
#define SPARE_FDS 8

static bool over_total_cap(struct server *srv, int max)
{
    if (srv->fd_cap > 0 && (max <= 0 || srv->fd_cap < max))
        max = srv->fd_cap;
    int before = atomic_fetch_add_explicit(&srv->connections, 1,
                                           memory_order_relaxed);
    if (max > 0 && before >= max) {
        atomic_fetch_sub_explicit(&srv->connections, 1, memory_order_relaxed);
        return true;
    }
    return false;
}

/* The count is keyed by the client's address (peer_key_of). Behind a
 * PROXY-protocol listener the socket's peer is the proxy: the slot is
 * taken only once the header is read, keyed by the address it names, and a
 * client over its cap closed then. */
static bool over_client_cap(struct server *srv, int max,
                            const struct sockaddr_storage *peer,
                            struct slot *slot)
{
    if (max <= 0 || !peer ||
        !peer_key_of((const struct sockaddr *)peer, &slot->client))
        return false;
    slot->client_counted = peer_take(srv->peers, &slot->client, max);
    return !slot->client_counted;
}

bool admit(struct server *srv, const struct cfg_server *cfg,
           const struct sockaddr_storage *peer, struct slot *slot)
{
    *slot = (struct slot){0};
    if (over_total_cap(srv, cfg->max_connections))
        return false;
    if (over_client_cap(srv, cfg->max_per_client, peer, slot)) {
        atomic_fetch_sub_explicit(&srv->connections, 1, memory_order_relaxed);
        return false;
    }
    return true;
}

bool admit_client(struct server *srv, const struct cfg_server *cfg,
                  const struct sockaddr_storage *peer, struct slot *slot)
{
    return !over_client_cap(srv, cfg->max_per_client, peer, slot);
}

void admit_release(struct server *srv, const struct slot *slot)
{
    if (slot->client_counted)
        peer_release(srv->peers, &slot->client);
    atomic_fetch_sub_explicit(&srv->connections, 1, memory_order_relaxed);
}

/* /proc lists them at once; without it (a chroot) probe each number. */
static int count_open_fds(int limit)
{
    int open_fds = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        while (readdir(dir))
            open_fds++;
        closedir(dir);
        return open_fds - 3; /* ".", ".." and the directory's own */
    }
    for (int fd = 0; fd < limit; fd++)
        open_fds += fcntl(fd, F_GETFD) != -1;
    return open_fds;
}

/* A cap below the descriptor limit, so that a connection over it is still
 * accepted and closed at once (clean refusal) rather than left in the
 * queue by an accept failing with EMFILE. */
int admit_fd_cap(size_t n_workers)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > INT_MAX)
        return 0;
    int limit = (int)rl.rlim_cur;
    int room = limit - count_open_fds(limit < 1 << 20 ? limit : 1 << 20) -
               SPARE_FDS - (int)n_workers;
    return room > 1 ? room : 1;
}
