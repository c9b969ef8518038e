/* site-load: the cold load of a capsule or Jekyll site as the server does
 * it (capsule_load: the configuration, the site model, every page, post
 * and item rendered into the route tables, the files recorded for reload),
 * repeated RUNS times in one process, nothing written anywhere.
 *
 * Prints the wall time and the CPU time (user + system, from getrusage)
 * of each run and their medians: on a machine others share, the CPU time
 * is the figure that does not move with their load.
 *
 * usage: site-load DIR [RUNS]
 * Prints: load runs=N routes=R median_wall_s=… median_cpu_s=… min_cpu_s=… */
#include "capsuled/capsule.h"
#include "capsuled/diag.h"
#include "capsuled/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t routes_of(const struct capsule *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_sites; i++)
        n += c->sites[i]->gemini.n + c->sites[i]->gopher.n +
             c->sites[i]->spartan.n + c->sites[i]->finger.n;
    return n;
}

/* One cold load; -1 when the site does not load (the reasons printed). */
static int one_load(const char *dir, double *wall, double *cpu, size_t *routes)
{
    struct diags diags = {0};
    double w0 = wall_s(), c0 = cpu_s();
    struct capsule *c = capsule_load(dir, &diags);
    *wall = wall_s() - w0;
    *cpu = cpu_s() - c0;
    if (!c) {
        struct buf b = {0};
        diags_format(&diags, &b);
        fprintf(stderr, "site-load: %s: cannot load:\n%s", dir,
                b.data ? b.data : "");
        buf_free(&b);
        diags_free(&diags);
        return -1;
    }
    *routes = routes_of(c);
    capsule_unref(c);
    diags_free(&diags);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: site-load DIR [RUNS]\n", stderr);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1)
        runs = 1;
    double *walls = calloc((size_t)runs, sizeof *walls);
    double *cpus = calloc((size_t)runs, sizeof *cpus);
    size_t routes = 0;
    for (int i = 0; i < runs; i++) {
        if (one_load(argv[1], &walls[i], &cpus[i], &routes) < 0)
            return 1;
        printf("load run=%d wall_s=%.3f cpu_s=%.3f\n", i + 1, walls[i],
               cpus[i]);
    }
    double w = median(walls, runs), c = median(cpus, runs);
    printf("load runs=%d routes=%zu median_wall_s=%.3f median_cpu_s=%.3f "
           "min_cpu_s=%.3f\n", runs, routes, w, c, cpus[0]);
    free(walls);
    free(cpus);
    return 0;
}
