/* jekyll-scholar's tags: queries as al-folio writes them, the configured
 * sort, the options of {% bibliography %}, citations, and each entry's
 * title, authors, venue and links in the HTML. */
#include "capsuled/bibtex.h"
#include "capsuled/config.h"
#include "capsuled/page.h"
#include "capsuled/scholar.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char bib[] =
    "---\n---\n"
    "@inproceedings{old, title={Old Work}, author={Ann Lee and Bo Chen},\n"
    "  booktitle={Proc. of Things}, year={2019}, selected={true},\n"
    "  pdf={old.pdf}, code={https://example.org/code}}\n"
    "@article{new, title={New {W}ork}, author={Lee, Ann and Chen, Bo and Cy Dee},\n"
    "  journal={Journal of Stuff}, year=2024, arxiv={2401.00001},\n"
    "  abbr={JoS}}\n"
    "@misc{mid, title={Middle}, author={Solo Writer}, year={2021},\n"
    "  selected={true}, html={https://example.org/mid}}\n";

static char root[64];
static struct diags diags;

static void write_site(void)
{
    strcpy(root, "/tmp/scholar-test-XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/_bibliography", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/_bibliography/papers.bib", root);
    FILE *f = fopen(path, "w");
    fputs(bib, f);
    fclose(f);
}

static struct value *site_with(const char *sort_by, const char *order)
{
    struct value *site = value_hash(), *conf = value_hash();
    value_hash_set(conf, "sort_by", 7, value_cstring(sort_by));
    value_hash_set(conf, "order", 5, value_cstring(order));
    value_hash_set(conf, "bibliography", 12, value_cstring("papers.bib"));
    value_hash_set(site, "scholar", 7, conf);
    return site;
}

static const char *tag(struct scholar *s, const char *name, const char *args)
{
    static struct buf out;
    buf_clear(&out);
    CHECK(scholar_tag(s, name, strlen(name), args, strlen(args), &out));
    return out.data ? out.data : "";
}

static void test_queries(void)
{
    struct value *e = bibtex_parse("t.bib", bib, sizeof bib - 1, &diags);
    const struct value *old = value_array_at(e, 0), *new = value_array_at(e, 1);
#define Q(q, entry) scholar_query_match(q, strlen(q), entry)
    CHECK(Q("@*", old));
    CHECK(Q("@*[selected=true]*", old));
    CHECK(!Q("@*[selected=true]*", new));
    CHECK(Q("@article", new) && !Q("@article", old));
    CHECK(Q("@*[year=2024]", new) && !Q("@*[year=2024]", old));
    CHECK(Q("@*[year>=2020, abbr=JoS]", new));
    CHECK(!Q("@*[year>=2020, abbr=JoS]", old));
    CHECK(Q("@*[year<2020 || abbr=JoS]", old) && Q("@*[year<2020 || abbr=JoS]", new));
    CHECK(Q("@*[title~=work]", new));
    CHECK(Q("@*[selected!=true]", new));
    CHECK(!Q("no at sign", old));
#undef Q
    value_release(e);
}

/* A query is a slice of the tag's text: a value that ends the slice is
 * read within it (the sanitizer build sees a read past the copy), and
 * years compare as numbers of any length. */
static bool query_in_exact_copy(const char *q, const struct value *entry)
{
    size_t n = strlen(q);
    char *copy = xmalloc(n);
    memcpy(copy, q, n);
    bool match = scholar_query_match(copy, n, entry);
    free(copy);
    return match;
}

static void test_query_values_are_slices(void)
{
    static const char two[] = "@misc{a, year={2019}}\n"
                              "@misc{b, year={00000000000000000000002024}}\n";
    struct value *e = bibtex_parse("t.bib", two, sizeof two - 1, &diags);
    const struct value *a = value_array_at(e, 0), *b = value_array_at(e, 1);
    CHECK(query_in_exact_copy("@*[year=2019", a));
    CHECK(!query_in_exact_copy("@*[year=2019", b));
    CHECK(query_in_exact_copy("@*[year=02024", b));
    CHECK(query_in_exact_copy("@*[year>99999999999999999999999", b) == false);
    CHECK(query_in_exact_copy("@*[year<99999999999999999999999", b));
    CHECK(query_in_exact_copy("@*[year>=2020", b) && !query_in_exact_copy("@*[year>=2020", a));
    value_release(e);
}

static void test_bibliography(void)
{
    struct value *site = site_with("year", "descending");
    struct scholar *s = scholar_new(root, site, 0, &diags);
    const char *html = tag(s, "bibliography", "-f papers -q @*[selected=true]*");
    CHECK_CONTAINS(html, "<ol class=\"bibliography\"><li>");
    CHECK_CONTAINS(html, "Middle");
    CHECK_CONTAINS(html, "Old Work");
    CHECK(strstr(html, "Middle") < strstr(html, "Old Work")); /* 2021 first */
    CHECK(!strstr(html, "New Work"));
    CHECK(!strchr(html, '\n'));
    CHECK_CONTAINS(html, "Ann Lee and Bo Chen");
    CHECK_CONTAINS(html, "<em>In Proc. of Things</em>, 2019");
    CHECK_CONTAINS(html, "<a href=\"/assets/pdf/old.pdf\">PDF</a>");
    CHECK_CONTAINS(html, "<a href=\"https://example.org/code\">Code</a>");
    CHECK_CONTAINS(html, "<a href=\"https://example.org/mid\">HTML</a>");

    html = tag(s, "bibliography", "--file papers --max 1");
    CHECK_CONTAINS(html, "New Work");
    CHECK(!strstr(html, "Middle"));
    CHECK_CONTAINS(html, "<abbr>JoS</abbr>");
    CHECK_CONTAINS(html, "Ann Lee, Bo Chen, and Cy Dee");
    CHECK_CONTAINS(html, "<em>Journal of Stuff</em>, 2024");
    CHECK_CONTAINS(html, "https://arxiv.org/abs/2401.00001\">arXiv</a>");
    scholar_free(s);
    value_release(site);

    site = site_with("year", "ascending");
    s = scholar_new(root, site, 0, &diags);
    html = tag(s, "bibliography", "");
    CHECK(strstr(html, "Old Work") < strstr(html, "Middle"));
    CHECK(strstr(html, "Middle") < strstr(html, "New Work"));
    scholar_free(s);
    value_release(site);
}

static void test_cite_and_errors(void)
{
    struct value *site = site_with("none", "ascending");
    struct scholar *s = scholar_new(root, site, 0, &diags);
    CHECK_STR(tag(s, "cite", "new old"), "(Lee et al., 2024; Lee &amp; Chen, 2019)");
    CHECK_STR(tag(s, "cite", "nope"), "(missing reference)");
    CHECK_CONTAINS(tag(s, "reference", "mid"), "Middle");
    struct buf out = {0};
    CHECK(!scholar_tag(s, "details", 7, "", 0, &out));
    diags_free(&diags);
    tag(s, "bibliography", "-f absent");
    diags_format(&diags, &out);
    CHECK_CONTAINS(out.data, "_bibliography/absent.bib");
    buf_free(&out);
    scholar_free(s);
    value_release(site);
}

/* Through a page: Liquid expands the tag's markup first, as
 * jekyll-scholar reads it after Liquid ("-q @*[year={{y}}]*"). */
static void test_page_tags(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/pubs.md", root);
    FILE *f = fopen(path, "w");
    fputs("---\nyears: [2024, 2019]\n---\n"
          "{% for y in page.years %}\n## {{ y }}\n\n"
          "{% bibliography -f papers -q @*[year={{y}}]* %}\n{% endfor %}\n"
          "See {% cite mid %}.\n", f);
    fclose(f);
    struct config cfg;
    config_defaults(&cfg);
    value_release(cfg.site.vars);
    cfg.site.vars = site_with("none", "ascending");
    struct page p;
    diags_free(&diags);
    CHECK(page_load_in(root, "pubs.md", "pubs.md", &cfg, &p, &diags) == 0);
    const char *body = p.body ? p.body : "";
    const char *y2024 = strstr(body, "## 2024"), *y2019 = strstr(body, "## 2019");
    const char *work_new = strstr(body, "New Work"), *work_old = strstr(body, "Old Work");
    CHECK(y2024 && y2019 && work_new && work_old);
    CHECK(y2024 < work_new && work_new < y2019 && y2019 < work_old);
    CHECK_CONTAINS(body, "See (Writer, 2021).");
    CHECK(diags.n == 0);
    page_free(&p);
    config_free(&cfg);
}

int main(void)
{
    write_site();
    test_queries();
    test_query_values_are_slices();
    test_bibliography();
    test_cite_and_errors();
    test_page_tags();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    diags_free(&diags);
    return test_done();
}
