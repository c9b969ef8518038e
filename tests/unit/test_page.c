/* Pages: front matter, encoding repair and Liquid together, line numbers,
 * and the traps (empty file, only front matter, NUL bytes, huge input,
 * alias bombs). */
#include "capsuled/buf.h"
#include "capsuled/page.h"
#include "capsuled/yaml_budget.h"
#include "test.h"

#include <dirent.h>
#include <stdlib.h>

static struct config cfg;
static struct diags diags;
static struct page pg;

/* Loads a page from a string, replacing the previous one. */
static int load(const char *text)
{
    page_free(&pg);
    diags_free(&diags);
    return page_load("test.md", text, strlen(text), &cfg, &pg, &diags);
}

static const char *first_message(void)
{
    return diags.n ? diags.items[0].msg : "";
}

static void test_front_matter(void)
{
    CHECK(load("---\ntitle: \"Hello\"\nlang: de\npermalink: /\ndate: 2025-01-02\n"
               "author:\n  name: Ada\nredirect_from:\n  - /about/\n---\n# {{ page.title }}\n") == 0);
    CHECK(diags.n == 0);
    CHECK_STR(pg.title, "Hello");
    CHECK_STR(pg.lang, "de");
    CHECK_STR(pg.permalink, "/");
    CHECK_STR(pg.date, "2025-01-02");
    CHECK_STR(page_var(&pg, "author.name"), "Ada");
    CHECK_STR(page_var(&pg, "redirect_from.0"), "/about/");
    CHECK(page_var(&pg, "nope") == NULL);
    CHECK_STR(pg.body, "# Hello\n");
    CHECK(pg.body_line == 11);

    CHECK(load("---\ntitle: \"\"\n...\nbody\n") == 0);
    CHECK_STR(pg.title, "");
    CHECK_STR(pg.body, "body\n");
    CHECK(pg.body_line == 4);

    CHECK(load("# No front matter\n---\n") == 0);
    CHECK(pg.title == NULL && pg.body_line == 1);
    CHECK_STR(pg.body, "# No front matter\n---\n");
}

static void test_front_matter_errors(void)
{
    CHECK(load("---\ntitle: x\n\nNo end here\n") == 0);
    CHECK(diags.n == 1 && diags.items[0].level == DIAG_ERROR && diags.items[0].line == 1);
    CHECK_STR(first_message(), "front matter opened here is never closed");
    CHECK_STR(pg.body, "title: x\n\nNo end here\n");
    CHECK(pg.body_line == 2);

    CHECK(load("---\ntitle: ok\nbad: [unclosed\nmore: x\n---\nbody\n") == -1);
    CHECK(diags.n == 1 && diags.items[0].level == DIAG_ERROR);
    CHECK(diags.items[0].line >= 3 && diags.items[0].line <= 5);
    CHECK_CONTAINS(first_message(), "front matter:");
    CHECK_STR(diags.items[0].file, "test.md");
    CHECK_STR(pg.body, "body\n"); /* still built as far as possible */

    CHECK(load("---\n- a\n- b\n---\nx\n") == 0);
    CHECK(diags.n == 1 && diags.items[0].level == DIAG_WARNING);
}

/* Front matter aliases: a bomb fails the page (the server keeps its last
 * good snapshot) at the line of the alias being expanded; a few aliases
 * work as before. */
static void test_alias_bomb(void)
{
    struct buf md = {0};
    buf_puts(&md, "---\ntitle: Bomb\nv: &v \"");
    for (int i = 0; i < 100000; i++)
        buf_putc(&md, 'x');
    buf_puts(&md, "\"\n");
    for (int level = 1; level <= 4; level++) {
        char below[8] = "v";
        if (level > 1)
            snprintf(below, sizeof below, "l%d", level - 1);
        buf_printf(&md, "l%d: &l%d [", level, level);
        for (int i = 0; i < 10; i++)
            buf_printf(&md, "%s*%s", i ? ", " : "", below);
        buf_puts(&md, "]\n");
    }
    buf_puts(&md, "---\n# Body\n");
    CHECK(load(md.data) == -1);
    CHECK(diags.n == 1 && diags.items[0].level == DIAG_ERROR);
    CHECK(diags.items[0].line == 5); /* l2: the file's fifth line */
    CHECK_STR(first_message(),
              "front matter: too large after alias expansion (more than 4 MiB)");
    CHECK(value_len(pg.vars) == 0);
    CHECK_STR(pg.body, "# Body\n");
    buf_free(&md);

    CHECK(load("---\nname: &n Ada\nauthor:\n  name: *n\nlinks: &l [a, b]\n"
               "more: [*l, *l]\n---\n{{ page.author.name }}\n") == 0);
    CHECK(diags.n == 0);
    CHECK_STR(page_var(&pg, "author.name"), "Ada");
    CHECK_STR(page_var(&pg, "more.1.0"), "a");
    CHECK_STR(pg.body, "Ada\n");
}

/* More than 1 MiB of front matter is not handed to libyaml. */
static void test_front_matter_cap(void)
{
    size_t n = YAML_MAX_SOURCE + 1;
    struct buf md = {0};
    buf_puts(&md, "---\n");
    while (md.len < n + 4)
        buf_puts(&md, "# a comment line of the front matter, as long as it takes\n");
    buf_puts(&md, "title: T\n---\nbody\n");
    CHECK(load(md.data) == -1);
    CHECK(diags.n == 1 && diags.items[0].line == 2);
    CHECK_CONTAINS(first_message(), "front matter: too large:");
    CHECK_STR(pg.body, "body\n");
    buf_free(&md);
}

static void test_traps(void)
{
    CHECK(load("") == 0);
    CHECK_STR(pg.body, "");
    CHECK(pg.body_len == 0 && pg.source_len == 0 && diags.n == 0);

    CHECK(load("---\ntitle: Only\n---\n") == 0);
    CHECK_STR(pg.body, "");
    CHECK_STR(pg.title, "Only");
    CHECK(load("---\ntitle: Only\n---") == 0);
    CHECK_STR(pg.body, "");
    CHECK(load("---\n---\n") == 0 && value_len(pg.vars) == 0);

    CHECK(load("\xef\xbb\xbf---\r\ntitle: BOM\r\n---\r\nline\r\n\ttabbed\r\n") == 0);
    CHECK_STR(pg.title, "BOM");
    CHECK_STR(pg.body, "line\n\ttabbed\n");
    CHECK(pg.source_len == strlen("\xef\xbb\xbf---\r\ntitle: BOM\r\n---\r\nline\r\n\ttabbed\r\n"));

    page_free(&pg);
    diags_free(&diags);
    CHECK(page_load("nul.md", "a\0b\n\xff", 5, &cfg, &pg, &diags) == 0);
    CHECK_STR(pg.body, "a\xef\xbf\xbd" "b\n\xef\xbf\xbd");
    CHECK(memcmp(pg.source, "a\0b\n\xff", 5) == 0);

    /* multi-line Liquid and an attribute inside a comment */
    CHECK(load("---\ntitle: T\n---\n{% if site.nope\n %}\nhidden\n{% endif %}\n"
               "<!-- <img src=\"x?u={{ url | url_encode }}\"> -->\n# {{ page.title }} of {{ site.title }}\n") == 0);
    CHECK_STR(pg.body, "\n<!-- <img src=\"x?u=\"> -->\n# T of \n");
    /* body line 3 (the heading) is source line 9 */
    CHECK(page_source_line(&pg, 3) == 9 && page_source_line(&pg, 2) == 8);
}

static void test_large(void)
{
    size_t n = 10u << 20;
    char *big = malloc(n + 1);
    /* one 1 MB line, then many short ones */
    memset(big, 'x', 1u << 20);
    for (size_t i = 1u << 20; i < n; i++)
        big[i] = (i % 64 == 0) ? '\n' : "ab {{ page.t }} \xc3\xa9"[i % 17];
    big[n] = '\0';
    page_free(&pg);
    diags_free(&diags);
    CHECK(page_load("big.md", big, n, &cfg, &pg, &diags) == 0);
    CHECK(pg.body_len > (1u << 20));
    free(big);
}

static const char *source_root(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    return root ? root : ".";
}

static bool has_fffd(const char *s)
{
    return strstr(s, "\xef\xbf\xbd") != NULL;
}

static void test_seed(void)
{
    struct buf dir = {0}, file = {0};
    buf_printf(&dir, "%s/capsule", source_root());
    buf_printf(&file, "%s/about.md", dir.data);
    struct config seed_cfg;
    struct diags d = {0};
    CHECK(config_load(dir.data, &seed_cfg, &d) == 0);
    page_free(&pg);
    CHECK(page_load_file(file.data, &seed_cfg, &pg, &d) == 0);
    CHECK(d.n == 0);
    CHECK_CONTAINS(pg.body, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93 About Me");
    CHECK_CONTAINS(pg.body, "\xe2\x8c\x9b\t Research Interests");
    CHECK(strstr(pg.body, "{%") == NULL && strstr(pg.body, "{{") == NULL);
    CHECK(!has_fffd(pg.body));
    CHECK(pg.repairs > 0);
    printf("# seed: %zu mojibake spans repaired\n", pg.repairs);
    CHECK(pg.body_line == 10);
    CHECK_STR(pg.permalink, "/");
    /* Liquid's line map leads body lines back to the source: the
     * "Research Interests" heading is on line 34 */
    int line = 1;
    const char *at = strstr(pg.body, "Research Interests");
    for (const char *s = pg.body; at && s < at; s++)
        line += *s == '\n';
    CHECK(at && page_source_line(&pg, line) == 34);
    config_free(&seed_cfg);
    diags_free(&d);
    buf_free(&dir);
    buf_free(&file);
}

static void test_corpus(void)
{
    struct buf path = {0};
    buf_printf(&path, "%s/../shared/corpus", source_root());
    DIR *d = opendir(path.data);
    if (!d) {
        printf("# corpus not found, skipped\n");
        buf_free(&path);
        return;
    }
    struct dirent *e;
    int pages = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct buf file = {0};
        buf_printf(&file, "%s/%s/about.md", path.data, e->d_name);
        struct diags dg = {0};
        page_free(&pg);
        if (page_load_file(file.data, &cfg, &pg, &dg) == 0 && dg.n == 0) {
            pages++;
            CHECK(!has_fffd(pg.body) && pg.repairs == 0);
            CHECK(strstr(pg.body, "{%") == NULL && strstr(pg.body, "{{") == NULL);
        }
        diags_free(&dg);
        buf_free(&file);
    }
    closedir(d);
    CHECK(pages == 6);
    buf_free(&path);
}

static void test_missing_file(void)
{
    struct diags d = {0};
    page_free(&pg);
    CHECK(page_load_file("/nonexistent/about.md", &cfg, &pg, &d) == -1);
    CHECK(d.n == 1 && d.items[0].level == DIAG_ERROR);
    CHECK_STR(d.items[0].file, "/nonexistent/about.md");
    CHECK_CONTAINS(d.items[0].msg, "cannot read");
    diags_free(&d);
}

int main(void)
{
    config_defaults(&cfg);
    test_front_matter();
    test_front_matter_errors();
    test_alias_bomb();
    test_front_matter_cap();
    test_traps();
    test_large();
    test_seed();
    test_corpus();
    test_missing_file();
    page_free(&pg);
    diags_free(&diags);
    config_free(&cfg);
    return test_done();
}
