/* The server's life: init (the shared state, one event set per worker),
 * start (the worker threads), stop (wake every worker, let connections in
 * flight finish within the grace, join, free). What happens in between is
 * the workers' (worker.c) and the swaps' (publish.c). */
#include "server.h"

#include "capsuled/buf.h"

#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Clients the rate limit tracks at once (24 bytes each): past that, the
 * one that has been quiet longest is forgotten. */
enum { RATE_CLIENTS = 16384 };

int server_init(struct server *srv, size_t n_workers, struct capsule *first,
                struct tls_set *tls, int grace_ms)
{
    pthread_mutex_init(&srv->lock, NULL);
    srv->current = first;
    srv->tls = tls;
    atomic_init(&srv->gen, 1);
    atomic_init(&srv->connections, 0);
    srv->peers = peer_table_new();
    srv->rates = rate_table_new(RATE_CLIENTS);
    srv->grace_ms = grace_ms;
    srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    srv->n_workers = n_workers;
    srv->workers = xcalloc(n_workers, sizeof *srv->workers);
    for (size_t i = 0; i < n_workers; i++)
        srv->workers[i].ev = srv->workers[i].reserve_fd = -1;
    if (srv->wake_fd < 0)
        return -1;
    for (size_t i = 0; i < n_workers; i++)
        if (worker_init(&srv->workers[i], srv) < 0)
            return -1;
    return 0;
}

int server_add_listeners(struct server *srv, size_t i, struct listener *ls,
                         size_t n)
{
    return worker_listen(&srv->workers[i], ls, n);
}

int server_start(struct server *srv)
{
    srv->fd_cap = admit_fd_cap(srv->n_workers);
    for (size_t i = 0; i < srv->n_workers; i++)
        if (worker_start(&srv->workers[i]) < 0)
            return -1;
    return 0;
}

static void wake_workers(struct server *srv)
{
    uint64_t one = 1;
    ssize_t rc = write(srv->wake_fd, &one, sizeof one);
    (void)rc;
}

void server_stop(struct server *srv)
{
    wake_workers(srv);
    for (size_t i = 0; i < srv->n_workers; i++)
        if (srv->workers[i].started)
            pthread_join(srv->workers[i].thread, NULL);
    for (size_t i = 0; i < srv->n_workers; i++)
        worker_free(&srv->workers[i]);
    free(srv->workers);
    capsule_unref(srv->current);
    tls_set_unref(srv->tls);
    peer_table_free(srv->peers);
    rate_table_free(srv->rates);
    if (srv->wake_fd >= 0)
        close(srv->wake_fd);
    pthread_mutex_destroy(&srv->lock);
}
