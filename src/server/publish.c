/* What the main thread publishes to the workers: the live snapshot and TLS
 * set. A swap replaces them under the lock and bumps a generation; a worker
 * looks at the generation only, and takes new references when it moved. */
#include "server.h"

void server_swap(struct server *srv, struct capsule *c, struct tls_set *tls)
{
    pthread_mutex_lock(&srv->lock);
    struct capsule *old_c = NULL;
    struct tls_set *old_t = NULL;
    if (c) {
        old_c = srv->current;
        srv->current = c;
    }
    if (tls) {
        old_t = srv->tls;
        srv->tls = tls;
    }
    atomic_fetch_add_explicit(&srv->gen, 1, memory_order_release);
    pthread_mutex_unlock(&srv->lock);
    capsule_unref(old_c);
    tls_set_unref(old_t);
}

void view_refresh(struct view *v, struct server *srv)
{
    if (atomic_load_explicit(&srv->gen, memory_order_acquire) == v->gen)
        return;
    pthread_mutex_lock(&srv->lock);
    struct capsule *c = capsule_ref(srv->current);
    struct tls_set *t = tls_set_ref(srv->tls);
    v->gen = atomic_load_explicit(&srv->gen, memory_order_relaxed);
    pthread_mutex_unlock(&srv->lock);
    view_release(v);
    v->snap = c;
    v->tls = t;
}

void view_release(struct view *v)
{
    capsule_unref(v->snap);
    tls_set_unref(v->tls);
    v->snap = NULL;
    v->tls = NULL;
}
