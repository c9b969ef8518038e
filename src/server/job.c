/* Work on a thread of its own that the caller may stop waiting for.
 *
 * Building a snapshot parses Markdown with cmark, which cannot be
 * interrupted and is quadratic on some inputs in older releases. The thread
 * that starts a job keeps its own duties (signals, a time limit) and either
 * joins the job once it is done or leaves it behind: a job left behind runs
 * on until it ends or the process exits, and its memory stays reachable
 * from the list below so that exiting without it is no leak. */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

struct job {
    pthread_t thread;
    pthread_t starter; /* woken with wake_sig when fn returns */
    int wake_sig;
    void (*fn)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t ended;
    bool done; /* under lock */
    struct job *next;
};

/* Every job not joined yet: only the starting thread changes the list. */
static struct job *unjoined;

static void *job_main(void *arg)
{
    struct job *j = arg;
    j->fn(j->arg);
    pthread_mutex_lock(&j->lock);
    j->done = true;
    pthread_cond_broadcast(&j->ended);
    pthread_mutex_unlock(&j->lock);
    if (j->wake_sig)
        pthread_kill(j->starter, j->wake_sig);
    return NULL;
}

struct job *job_start(void (*fn)(void *), void *arg, int wake_sig)
{
    struct job *j = xcalloc(1, sizeof *j);
    *j = (struct job){.starter = pthread_self(), .wake_sig = wake_sig,
                      .fn = fn, .arg = arg};
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->ended, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&j->thread, NULL, job_main, j);
    if (rc != 0) {
        pthread_cond_destroy(&j->ended);
        pthread_mutex_destroy(&j->lock);
        free(j);
        errno = rc;
        return NULL;
    }
    j->next = unjoined;
    unjoined = j;
    return j;
}

bool job_done(struct job *j)
{
    pthread_mutex_lock(&j->lock);
    bool done = j->done;
    pthread_mutex_unlock(&j->lock);
    return done;
}

bool job_wait(struct job *j, long long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->lock);
    while (!j->done &&
           pthread_cond_timedwait(&j->ended, &j->lock, &until) != ETIMEDOUT)
        ;
    bool done = j->done;
    pthread_mutex_unlock(&j->lock);
    return done;
}

void job_join(struct job *j)
{
    pthread_join(j->thread, NULL);
    for (struct job **p = &unjoined; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            break;
        }
    pthread_cond_destroy(&j->ended);
    pthread_mutex_destroy(&j->lock);
    free(j);
}
