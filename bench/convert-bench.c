/* convert-bench: time to turn a profile's Markdown into each output format.
 *
 * For every file and format, one run is: page_load (front matter, encoding
 * repair, Liquid) on the bytes already in memory, doc_build (cmark and the
 * shared model), then the renderer, then freeing it all. Runs repeat until a
 * minimum count and time are reached; the median is reported, so a run
 * slowed by a busy machine does not move the figure. */
#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "capsuled/diag.h"
#include "capsuled/doc.h"
#include "capsuled/page.h"
#include "capsuled/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum format { F_LOAD, F_GEMTEXT, F_GOPHERMAP, F_TEXT, F_GEMSUB, F_ATOM, F_COUNT };

static const char *format_names[F_COUNT] = {
    "load+doc", "gemtext", "gophermap", "text", "gemsub", "atom",
};

struct settings {
    const char *config_dir;
    int min_runs;
    int max_runs;
    double min_seconds;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* The feeds read the news, decided from the model first as the server
 * does when it loads the content. */
static void render_format(enum format f, const struct doc *d,
                          struct render_opts *o, struct buf *out)
{
    struct news news;
    switch (f) {
    case F_GEMTEXT: render_gemtext_all(d, o, out); break;
    case F_GOPHERMAP: render_gophermap_all(d, o, out); break;
    case F_TEXT: render_text_all(d, o, 1, out); break;
    case F_GEMSUB:
    case F_ATOM:
        news_build(d, &news);
        o->news = &news;
        if (f == F_GEMSUB)
            render_gemsub(d, o, out);
        else
            render_atom(d, o, out);
        o->news = NULL;
        news_free(&news);
        break;
    default: break;
    }
}

/* One timed run; returns seconds and the output size. */
static double run_once(enum format f, const char *path, const char *data,
                       size_t len, const struct config *cfg, size_t *out_len)
{
    double t0 = now_s();
    struct diags diags = {0};
    struct page page = {0};
    struct doc doc = {0};
    struct buf out = {0};
    page_load(path, data, len, cfg, &page, &diags);
    doc_build(&page, cfg, &doc, &diags);
    struct render_opts o = {
        .cfg = cfg, .page = &page,
        .gemini_host = cfg->gemini.n_hosts ? cfg->gemini.hosts[0].name : "localhost",
        .gemini_port = cfg->gemini.port,
        .gopher_host = cfg->gopher.host ? cfg->gopher.host : "localhost",
        .gopher_port = cfg->gopher.port,
        .width = cfg->gopher.width > 0 ? cfg->gopher.width : 70,
    };
    render_format(f, &doc, &o, &out);
    *out_len = out.len;
    buf_free(&out);
    doc_free(&doc);
    page_free(&page);
    diags_free(&diags);
    return now_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_time(enum format f, const char *path, const char *data,
                          size_t len, const struct config *cfg,
                          const struct settings *s, size_t *out_len, int *runs)
{
    double *t = malloc(sizeof(double) * (size_t)s->max_runs);
    double start = now_s();
    int n = 0;
    while (n < s->max_runs &&
           (n < s->min_runs || now_s() - start < s->min_seconds))
        t[n++] = run_once(f, path, data, len, cfg, out_len);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    double m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    free(t);
    *runs = n;
    return m;
}

static void print_time(double seconds)
{
    if (seconds < 1e-3)
        printf(" %9.1f µs", seconds * 1e6);
    else
        printf(" %9.2f ms", seconds * 1e3);
}

static int bench_file(const char *path, const struct config *cfg,
                      const struct settings *s)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return 1;
    double med[F_COUNT];
    size_t out_len[F_COUNT];
    int runs[F_COUNT];
    for (int f = 0; f < F_COUNT; f++)
        med[f] = median_time((enum format)f, path, data, len, cfg, s, &out_len[f], &runs[f]);
    printf("%-28s %9zu B", path, len);
    for (int f = 0; f < F_COUNT; f++)
        print_time(med[f]);
    printf("\n");
    printf("convert file=%s bytes=%zu", path, len);
    for (int f = 0; f < F_COUNT; f++)
        printf(" %s_us=%.1f %s_out=%zu %s_runs=%d", format_names[f], med[f] * 1e6,
               format_names[f], out_len[f], format_names[f], runs[f]);
    printf("\n");
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    struct settings s = {NULL, 5, 1000, 1.0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            s.config_dir = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            s.min_runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            s.min_seconds = atof(argv[++i]);
        else
            break;
    }
    if (i >= argc || s.min_runs < 1) {
        fprintf(stderr,
                "usage: convert-bench [--config CAPSULE-DIR] [--runs MIN] [--seconds MIN] FILE.md...\n"
                "  each format is timed as load + doc + render, median of at least MIN runs\n"
                "  and MIN seconds (defaults 5 runs, 1 s, at most 1000 runs)\n");
        return 2;
    }
    if (s.max_runs < s.min_runs)
        s.max_runs = s.min_runs;
    struct config cfg;
    struct diags diags = {0};
    if (s.config_dir) {
        if (config_load(s.config_dir, &cfg, &diags) != 0) {
            struct buf b = {0};
            diags_format(&diags, &b);
            fprintf(stderr, "%s", b.data ? b.data : "config error\n");
            buf_free(&b);
            return 2;
        }
    } else {
        config_defaults(&cfg);
    }
    diags_free(&diags);
    printf("%-28s %11s", "file", "size");
    for (int f = 0; f < F_COUNT; f++)
        printf(" %12s", format_names[f]);
    printf("\n");
    int rc = 0;
    for (; i < argc; i++)
        rc |= bench_file(argv[i], &cfg, &s);
    config_free(&cfg);
    return rc;
}
