/* Documents built by hand for the renderer tests, so each layout rule can be
 * tested on exactly the blocks it is about, plus the format invariants
 * every output must keep whatever the input. */
#ifndef CAPSULED_RENDER_FIXTURE_H
#define CAPSULED_RENDER_FIXTURE_H

#include "capsuled/buf.h"
#include "capsuled/render.h"
#include "capsuled/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct doc d;
    struct news news; /* decided by fx_sections, as the server loads it */
    struct config cfg;
    struct page page;
    struct render_opts o;
    size_t cap; /* blocks allocated */
};

static inline void fx_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->cfg.site.title = "Site Title";
    f->cfg.site.author_name = "Ada Lovelace";
    f->cfg.site.author_bio = "Analyst of engines";
    f->cfg.site.serve_source = true;
    f->o.cfg = &f->cfg;
    f->o.page = &f->page;
    f->o.gemini_host = "example.org";
    f->o.gemini_port = 1965;
    f->o.gopher_host = "gopher.example.org";
    f->o.gopher_port = 7070;
    f->o.width = 40;
    f->news.section = NEWS_NONE;
}

static inline struct block *fx_block(struct fixture *f, enum block_type type,
                                     int level, const char *text)
{
    if (f->d.n_blocks == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->d.blocks = xrealloc(f->d.blocks, f->cap * sizeof *f->d.blocks);
    }
    struct block *b = &f->d.blocks[f->d.n_blocks++];
    memset(b, 0, sizeof *b);
    b->type = type;
    b->level = level;
    b->text = text ? xstrdup(text) : NULL;
    return b;
}

static inline struct block *fx_item(struct fixture *f, int depth,
                                    const char *marker, const char *text)
{
    struct block *b = fx_block(f, BLOCK_ITEM, depth, text);
    b->marker = marker ? xstrdup(marker) : NULL;
    return b;
}

static inline struct block *fx_pre(struct fixture *f, const char *info,
                                   const char *text)
{
    struct block *b = fx_block(f, BLOCK_PRE, 0, text);
    b->info = info ? xstrdup(info) : NULL;
    return b;
}

/* url NULL and section set: a link into the page. */
static inline void fx_link(struct block *b, const char *url,
                           const char *section, const char *label)
{
    b->links = xrealloc(b->links, (b->n_links + 1) * sizeof *b->links);
    struct link *l = &b->links[b->n_links++];
    memset(l, 0, sizeof *l);
    l->url = url ? xstrdup(url) : NULL;
    l->section = section ? xstrdup(section) : NULL;
    l->label = label ? xstrdup(label) : NULL;
}

static inline char *fx_slug(const char *title)
{
    struct buf b = {0};
    buf_puts(&b, "");
    for (const char *p = title; *p; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            buf_putc(&b, c);
        else if (c >= 'A' && c <= 'Z')
            buf_putc(&b, (char)(c + 32));
        else if (b.len && b.data[b.len - 1] != '-' && (unsigned char)c < 0x80)
            buf_putc(&b, '-');
    }
    while (b.len && b.data[b.len - 1] == '-')
        b.data[--b.len] = '\0';
    return buf_detach(&b);
}

/* The news of the fixture's model, decided again (after sections were
 * edited by hand) and given to the renderers. */
static inline void fx_news(struct fixture *f)
{
    news_free(&f->news);
    news_build(&f->d, &f->news);
    f->o.news = &f->news;
}

/* Sections as the model makes them: one per H1, sections[0] the blocks
 * before the first H1 when there are any; then the news. Call once, after
 * the blocks. */
static inline void fx_sections(struct fixture *f)
{
    struct doc *d = &f->d;
    for (size_t i = 0; i < d->n_blocks; i++) {
        bool h1 = d->blocks[i].type == BLOCK_HEADING && d->blocks[i].level == 1;
        if (!h1 && i > 0)
            continue;
        d->sections = xrealloc(d->sections, (d->n_sections + 1) * sizeof *d->sections);
        struct section *s = &d->sections[d->n_sections++];
        memset(s, 0, sizeof *s);
        s->first = i;
        const char *title = h1 ? d->blocks[i].text : "Home";
        s->title = xstrdup(title);
        s->plain_title = xstrdup(title);
        s->slug = fx_slug(title);
    }
    for (size_t k = 0; k < d->n_sections; k++) {
        size_t end = k + 1 < d->n_sections ? d->sections[k + 1].first : d->n_blocks;
        d->sections[k].count = end - d->sections[k].first;
    }
    fx_news(f);
}

static inline void fx_free(struct fixture *f)
{
    news_free(&f->news);
    f->o.news = NULL;
    struct doc *d = &f->d;
    for (size_t i = 0; i < d->n_blocks; i++) {
        struct block *b = &d->blocks[i];
        for (size_t k = 0; k < b->n_links; k++) {
            free(b->links[k].url);
            free(b->links[k].section);
            free(b->links[k].label);
        }
        free(b->links);
        free(b->text);
        free(b->marker);
        free(b->info);
    }
    for (size_t i = 0; i < d->n_sections; i++) {
        free(d->sections[i].slug);
        free(d->sections[i].title);
        free(d->sections[i].plain_title);
    }
    free(d->blocks);
    free(d->sections);
    memset(d, 0, sizeof *d);
    f->cap = 0;
}

/* --- documents from Markdown and from real capsules --- */

#include "capsuled/page.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

/* The blocks of a Markdown text, through the real model. */
static inline void fx_markdown(struct fixture *f, const char *md)
{
    doc_build_markdown(md, strlen(md), &f->d);
}

/* A capsule loaded the way the server loads it: capsule.yaml (defaults
 * when absent), the page, the model. Returns false when it cannot. */
struct loaded {
    struct config cfg;
    struct page page;
    struct doc d;
    struct news news;
    struct render_opts o;
};

static inline bool fx_load(const char *dir, struct loaded *l)
{
    struct diags dg = {0};
    memset(l, 0, sizeof *l);
    if (config_load(dir, &l->cfg, &dg) != 0) {
        printf("# %s: no usable capsule.yaml: skipped\n", dir);
        config_free(&l->cfg);
        diags_free(&dg);
        return false;
    }
    struct buf path = {0};
    buf_printf(&path, "%s/%s", dir,
               l->cfg.site.page ? l->cfg.site.page : "about.md");
    int rc = page_load_file(path.data, &l->cfg, &l->page, &dg);
    buf_free(&path);
    if (rc == 0) {
        doc_build(&l->page, &l->cfg, &l->d, &dg);
        news_build(&l->d, &l->news);
    }
    diags_free(&dg);
    if (rc != 0) {
        config_free(&l->cfg);
        return false;
    }
    l->o = (struct render_opts){&l->cfg, &l->page, "localhost", 1965,
                                "localhost", 7070, 70, &l->news, NULL,
                                GEMTEXT_GEMINI, "localhost", 300, NULL, 0};
    return true;
}

static inline void fx_unload(struct loaded *l)
{
    news_free(&l->news);
    doc_free(&l->d);
    page_free(&l->page);
    config_free(&l->cfg);
}

/* Calls fn for the default capsule and for every profile of the shared
 * corpus next to the source tree (skipped when absent); returns how many
 * capsules it visited. */
static inline int fx_each_capsule(void (*fn)(const char *name, struct loaded *))
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    char dir[4096];
    int visited = 0;
    struct loaded l;
    snprintf(dir, sizeof dir, "%s/capsule", root ? root : "..");
    if (fx_load(dir, &l)) {
        fn("capsule", &l);
        fx_unload(&l);
        visited++;
    }
    snprintf(dir, sizeof dir, "%s/../shared/corpus", root ? root : "..");
    DIR *corpus = opendir(dir);
    if (!corpus) {
        printf("# no corpus next to the source tree: skipped\n");
        return visited;
    }
    struct dirent *e;
    while ((e = readdir(corpus)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct buf sub = {0};
        buf_printf(&sub, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(sub.data, &st) == 0 && S_ISDIR(st.st_mode) && fx_load(sub.data, &l)) {
            fn(e->d_name, &l);
            fx_unload(&l);
            visited++;
        }
        buf_free(&sub);
    }
    closedir(corpus);
    return visited;
}

/* --- invariants --- */

static inline bool line_starts(const char *line, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(line, p, n) == 0;
}

/* Valid gemtext: UTF-8, LF only, a final line end, balanced ``` toggles,
 * every "=>" line with a URL, no heading deeper than ###. Returns the
 * number of the first bad line, or 0. */
static inline int gemtext_problem(const char *s)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len) || strchr(s, '\r') || (len && s[len - 1] != '\n'))
        return -1;
    bool pre = false;
    int n = 0;
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = (size_t)(nl - p);
        n++;
        if (line_starts(p, l, "```")) {
            pre = !pre;
        } else if (!pre && line_starts(p, l, "=>")) {
            const char *u = p + 2;
            while (u < nl && (*u == ' ' || *u == '\t'))
                u++;
            if (u == nl)
                return n;
        } else if (!pre && line_starts(p, l, "####")) {
            return n;
        }
        p = nl + 1;
    }
    return pre ? -2 : 0;
}

/* A valid menu: CRLF lines of four TAB-separated fields, a type character,
 * a numeric port, ending with ".". Returns the first bad line, or 0. */
static inline int gophermap_problem(const char *s)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len) || len < 3 || strcmp(s + len - 3, ".\r\n") != 0)
        return -1;
    int n = 0;
    for (const char *p = s; p < s + len - 3;) {
        const char *end = strstr(p, "\r\n");
        n++;
        if (!end)
            return n;
        int tabs = 0;
        for (const char *q = p; q < end; q++) {
            if (*q == '\n' || *q == '\r')
                return n;
            tabs += *q == '\t';
        }
        if (tabs != 3 || *p == '\t')
            return n;
        const char *port = end;
        while (port > p && port[-1] != '\t')
            port--;
        if (port == end)
            return n;
        for (const char *q = port; q < end; q++)
            if (*q < '0' || *q > '9')
                return n;
        p = end + 2;
    }
    return 0;
}

#endif
