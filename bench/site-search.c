/* site-search: what search over a whole site costs. Loads DIR as the
 * server does (capsule_load), reports the size of the default host's
 * search index, then runs each QUERY RUNS times as a request does
 * (site_search_gemini: search_run and the results page) and prints the
 * median time of one query, its sections matched and the page's size.
 *
 * usage: site-search DIR RUNS QUERY...
 * Prints: index entries=E docs=D text_bytes=B
 *         query "Q" runs=N matched=M shown=S page_bytes=P median_ms=… */
#include "capsuled/capsule.h"
#include "capsuled/diag.h"
#include "capsuled/search.h"
#include "capsuled/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report_index(const struct search_index *ix)
{
    size_t bytes = 0;
    for (size_t i = 0; i < ix->n; i++)
        bytes += ix->entries[i].len;
    printf("index entries=%zu docs=%zu text_bytes=%zu\n", ix->n, ix->n_docs,
           bytes);
}

static void one_query(const struct site *s, const char *query, int runs)
{
    double *ms = calloc((size_t)runs, sizeof *ms);
    struct buf page = {0};
    for (int i = 0; i < runs; i++) {
        buf_clear(&page);
        double t0 = now_ms();
        site_search_gemini(s, query, &page);
        ms[i] = now_ms() - t0;
    }
    struct search hits;
    search_run(&s->search, query, &hits);
    qsort(ms, (size_t)runs, sizeof *ms, by_value);
    printf("query \"%s\" runs=%d matched=%zu shown=%zu page_bytes=%zu "
           "median_ms=%.3f\n", query, runs, hits.matched, hits.n, page.len,
           ms[runs / 2]);
    search_free(&hits);
    buf_free(&page);
    free(ms);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: site-search DIR RUNS QUERY...\n", stderr);
        return 2;
    }
    int runs = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    struct diags diags = {0};
    struct capsule *c = capsule_load(argv[1], &diags);
    if (!c) {
        fprintf(stderr, "site-search: %s: cannot load\n", argv[1]);
        diags_free(&diags);
        return 1;
    }
    report_index(&c->sites[0]->search);
    for (int i = 3; i < argc; i++)
        one_query(c->sites[0], argv[i], runs);
    capsule_unref(c);
    diags_free(&diags);
    return 0;
}
