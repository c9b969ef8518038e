/* site-load: the cold load of a capsule or Jekyll site as the server does
 * it (capsule_load: the configuration, the site model, every page, post
 * and item rendered into the route tables, the files recorded for reload),
 * repeated RUNS times in one process, nothing written anywhere.
 *
 * Prints the wall time and the CPU time (user + system, from getrusage)
 * of each run and their medians: on a machine others share, the CPU time
 * is the figure that does not move with their load.
 *
 * With FILE (a page, post or item of the site, relative to DIR), then the
 * reload a running server does after FILE is edited: a word appended to
 * it (FILE is changed!), capsule_reload over the previous snapshot, RUNS
 * times.
 *
 * usage: site-load DIR [RUNS [FILE]]
 * Prints: load runs=N routes=R median_wall_s=… median_cpu_s=… min_cpu_s=…
 *         reload runs=N file=FILE median_wall_s=… median_cpu_s=… */
#include "capsuled/capsule.h"
#include "capsuled/diag.h"
#include "capsuled/hugepages.h"
#include "capsuled/site.h"

#include <stdio.h>
#include <string.h>
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

static void append_word(const char *dir, const char *file, int n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "a");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "\n\nreload%d\n", n);
    fclose(f);
}

/* One reload; apart, so that a profiler can be pointed at it
 * (valgrind --tool=callgrind --toggle-collect=one_reload). */
__attribute__((noinline)) static struct capsule *
one_reload(const char *dir, const struct capsule *prev, struct diags *diags)
{
    return capsule_reload(dir, prev, diags, NULL);
}

/* RUNS reloads, each after FILE is edited; -1 when one fails. */
static int reloads(const char *dir, const char *file, int runs)
{
    struct diags diags = {0};
    struct capsule *prev = capsule_load(dir, &diags);
    diags_free(&diags);
    double *walls = calloc((size_t)runs, sizeof *walls);
    double *cpus = calloc((size_t)runs, sizeof *cpus);
    for (int i = 0; prev && i < runs; i++) {
        append_word(dir, file, i);
        double w0 = wall_s(), c0 = cpu_s();
        struct capsule *c = one_reload(dir, prev, &diags);
        walls[i] = wall_s() - w0;
        cpus[i] = cpu_s() - c0;
        diags_free(&diags);
        capsule_unref(prev);
        prev = c;
    }
    if (prev)
        printf("reload runs=%d file=%s median_wall_s=%.4f "
               "median_cpu_s=%.4f\n", runs, file, median(walls, runs),
               median(cpus, runs));
    int rc = prev ? 0 : -1;
    capsule_unref(prev);
    free(walls);
    free(cpus);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: site-load DIR [RUNS]\n", stderr);
        return 2;
    }
    hugepages_restart(argv); /* as capsuled starts */
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
    if (argc > 3 && reloads(argv[1], argv[3], runs) < 0)
        return 1;
    return 0;
}
