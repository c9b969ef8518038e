/* Incremental reloads (capsule_reload over the previous snapshot) against
 * cold loads: after each edit of a small Jekyll site (a post's body, its
 * front matter, a data file, an include, the configuration, a new post),
 * the snapshot a reload builds must hold every route of every protocol,
 * byte for byte, and every diagnostic, that a cold load of the same files
 * builds; and the reload must have kept something, or the test proves
 * nothing. */
#include "test.h"

#include "capsuled/capsule.h"
#include "capsuled/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[64];

static void put(const char *name, const char *text, const char *mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, name);
    FILE *f = fopen(path, mode);
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void folder(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, name);
    mkdir(path, 0755);
}

/* File times come from a coarse clock: a load keeps nothing changed
 * within a tick of it, so the files are left to age first. */
static void age(void)
{
    struct timespec t = {0, 40 * 1000 * 1000};
    nanosleep(&t, NULL);
}

static const char POST_A[] =
    "---\ntitle: First post\n---\n"
    "A plain post, with a [link home](/#news), to [the plain page]"
    "(/plain/) and to [the second](/2024/01/02/b.html).\n\n"
    "## Details\n\nMore words.\n\n## Notes\n\nEven more.\n";

static void make_site(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/capsuled-incr-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        exit(1);
    }
    const char *dirs[] = {"_posts", "_pages", "_data", "_includes", "_news"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        folder(dirs[i]);
    put("_config.yml",
        "title: Incremental\nurl: https://example.org\ninclude: [_pages]\n"
        "lang: en\ncollections:\n  news:\n    output: true\n", "w");
    put("capsule.yaml",
        "gemini:\n  host: example.org\ngopher:\n  host: gopher.example.org\n"
        "finger:\n  enabled: true\nspartan:\n  enabled: true\n", "w");
    put("index.md",
        "---\npermalink: /\ntitle: Home\n---\n# About\n\nHello.\n\n# News\n\n"
        "{% for post in site.posts %}- [{{ post.title }}]({{ post.url }})\n"
        "{% endfor %}\n", "w");
    put("_posts/2024-01-01-a.md", POST_A, "w");
    put("_posts/2024-01-02-b.md",
        "---\ntitle: Second post\n---\nBack to [the first](/2024/01/01/a.html)."
        "\n", "w");
    put("_pages/plain.md",
        "---\ntitle: Plain\npermalink: /plain/\n---\n# One\n\nText.\n\n# Two\n\n"
        "More text, and [a post](/2024/01/01/a.html).\n", "w");
    put("_pages/people.md",
        "---\ntitle: People\npermalink: /people/\n---\n"
        "{% for p in site.data.people %}- {{ p.name }}\n{% endfor %}\n", "w");
    put("_pages/posts.md",
        "---\ntitle: Posts\npermalink: /all/\n---\n"
        "{% for p in site.posts %}- {{ p.title }}\n{% endfor %}\n", "w");
    put("_pages/noted.md",
        "---\ntitle: Noted\npermalink: /noted/\n---\n{% include note.md %}\n",
        "w");
    put("_pages/profile.md",
        "---\ntitle: Profile\npermalink: /profile/\nlayout: about\n"
        "latest_posts:\n  enabled: true\n---\n# Hello\n\nNo Liquid here, "
        "but the layout lists the latest posts.\n", "w");
    put("_pages/card.md",
        "---\ntitle: Card\npermalink: /card/\nauthor_profile: true\n---\n"
        "No Liquid, but the author's card beside it.\n", "w");
    put("_includes/note.md", "An included note.\n", "w");
    put("_data/people.yml", "- name: Ada\n- name: Grace\n", "w");
    put("_data/socials.yml", "github_username: ada\n", "w");
    put("_news/first.md", "---\ntitle: News one\ndate: 2024-01-03\n---\n"
                          "Something happened.\n", "w");
    age();
}

/* Every route of table A is in B with the same bytes, and the other way
 * round (the tables are sorted by path). */
static bool same_table(const char *what, const struct route_table *a,
                       const struct route_table *b)
{
    bool same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++) {
        const struct route *x = &a->items[i], *y = &b->items[i];
        same = strcmp(x->path, y->path) == 0 && x->len == y->len &&
               memcmp(x->data, y->data, x->len) == 0;
        if (!same)
            printf("# %s: %s differs\n", what, x->path);
    }
    if (a->n != b->n)
        printf("# %s: %zu routes, %zu in the cold load\n", what, a->n, b->n);
    return same;
}

/* The search indexes hold the same entries in the same order. */
static bool same_search(const struct search_index *a,
                        const struct search_index *b)
{
    bool same = a->n == b->n && a->n_docs == b->n_docs;
    for (size_t i = 0; same && i < a->n; i++) {
        const struct search_entry *x = &a->entries[i], *y = &b->entries[i];
        same = strcmp(x->route, y->route) == 0 &&
               strcmp(x->label, y->label) == 0 && x->len == y->len &&
               memcmp(x->text, y->text, x->len) == 0 && x->doc == y->doc &&
               x->title_at == y->title_at;
        if (!same)
            printf("# search: %s differs\n", x->route);
    }
    return same;
}

static bool same_sites(const struct capsule *a, const struct capsule *b)
{
    bool same = a->n_sites == b->n_sites;
    for (size_t i = 0; same && i < a->n_sites; i++) {
        const struct site *x = a->sites[i], *y = b->sites[i];
        same = same_table("gemini", &x->gemini, &y->gemini) &&
               same_table("gopher", &x->gopher, &y->gopher) &&
               same_table("spartan", &x->spartan, &y->spartan) &&
               same_table("finger", &x->finger, &y->finger) &&
               same_search(&x->search, &y->search);
    }
    return same;
}

static char *formatted(const struct diags *d)
{
    struct buf b = {0};
    buf_puts(&b, "");
    diags_format(d, &b);
    return buf_detach(&b);
}

static size_t kept_docs(const struct capsule *c)
{
    const struct jekyll_site *js = c->sites[0]->content.jekyll;
    return js ? js->n_kept : 0;
}

static size_t renders_kept;

/* Reloads over *prev and loads cold: the same routes and diagnostics.
 * *prev becomes the reload. Returns the documents the reload kept (and
 * sets renders_kept to the pages it did not render again). */
static size_t reload_matches(struct capsule **prev, const char *what)
{
    struct diags dr = {0}, dc = {0};
    struct capsule *r = capsule_reload(root, *prev, &dr, NULL);
    struct capsule *c = capsule_load(root, &dc);
    printf("# after %s\n", what);
    CHECK(r != NULL && c != NULL);
    size_t kept = 0;
    if (r && c) {
        CHECK(same_sites(r, c));
        char *x = formatted(&dr), *y = formatted(&dc);
        CHECK_STR(x, y);
        free(x);
        free(y);
        kept = kept_docs(r);
        renders_kept = r->sites[0]->n_renders_kept;
    }
    capsule_unref(c);
    capsule_unref(*prev);
    *prev = r;
    diags_free(&dr);
    diags_free(&dc);
    age();
    return kept;
}

static bool satisfies(size_t n, const char *rule)
{
    size_t want = (size_t)atoi(rule + 3);
    return rule[0] == '>' ? n >= want : n == want;
}

/* reload_matches, then whether the count of documents kept satisfies
 * RULE (">= N" or "== N"), and that of pages not rendered again PAGES. */
static void expect_kept(struct capsule **c, const char *what, const char *rule,
                        const char *pages)
{
    size_t kept = reload_matches(c, what);
    CHECK(satisfies(kept, rule) && "documents kept");
    CHECK(satisfies(renders_kept, pages) && "pages kept");
    printf("# kept %zu documents (want %s) and %zu pages (want %s)\n", kept,
           rule, renders_kept, pages);
}

int main(void)
{
    make_site();
    struct diags d = {0};
    struct capsule *c = capsule_load(root, &d);
    diags_free(&d);
    CHECK(c != NULL);
    if (!c)
        return test_done();
    CHECK(kept_docs(c) == 0);
    /* Nothing changed: every document is kept. */
    expect_kept(&c, "no edit", ">= 7", ">= 4");
    put("_posts/2024-01-01-a.md", "\nA new paragraph.\n", "a");
    expect_kept(&c, "a post's body", ">= 6", ">= 3");
    put("_posts/2024-01-01-a.md",
        "---\ntitle: First post, renamed\n---\nShorter now.\n", "w");
    expect_kept(&c, "a post's front matter", ">= 6", ">= 3");
    put("_data/people.yml", "- name: Ada\n- name: Barbara\n", "w");
    put("_data/socials.yml", "github_username: grace\n", "w");
    expect_kept(&c, "a data file", ">= 6", ">= 3");
    put("_includes/note.md", "A note, changed.\n", "w");
    expect_kept(&c, "an include", ">= 6", ">= 4");
    put("_posts/2024-01-03-c.md", "---\ntitle: Third\n---\nNew.\n", "w");
    expect_kept(&c, "a new post", ">= 6", "== 0");
    put("_pages/plain.md", "---\ntitle: Plain\npermalink: /plainer/\n---\n"
                           "# One\n\nMoved.\n", "w");
    expect_kept(&c, "a page's URL", ">= 6", "== 0");
    put("_config.yml", "title: Renamed\nurl: https://example.org\n"
                       "include: [_pages]\nlang: en\ncollections:\n  news:\n"
                       "    output: true\n", "w");
    expect_kept(&c, "the configuration", "== 0", "== 0");
    expect_kept(&c, "nothing, after the configuration", ">= 7",
                ">= 4");
    capsule_unref(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", root);
    return test_done();
}
