/* The site's search index (search.h): every section of every document
 * added, at its route and under its label; a later document at a route
 * already indexed left out; the ranking (title, then matching lines, then
 * the order added); ASCII folding only; the bound on results; the
 * renderers' results pages and their counts. */
#include "capsuled/search.h"
#include "render_fixture.h"
#include "test.h"

/* A home page: an untitled first section and "Interests". */
static void home_doc(struct fixture *f)
{
    fx_init(f);
    fx_block(f, BLOCK_PARA, 0, "I build capsules by the harbour.");
    fx_block(f, BLOCK_HEADING, 1, "Interests");
    fx_block(f, BLOCK_PARA, 0, "Ranking.\nHarbour lights, harbour walls.");
    fx_sections(f);
}

/* A page at BASE titled by its one section's text. */
static void page_doc(struct fixture *f, const char *base, const char *text)
{
    fx_init(f);
    fx_block(f, BLOCK_PARA, 0, text);
    fx_sections(f);
    f->d.base = xstrdup(base);
}

static void page_doc_free(struct fixture *f)
{
    free(f->d.base);
    f->d.base = NULL;
    fx_free(f);
}

static void test_index(void)
{
    struct fixture home, a, b, again;
    home_doc(&home);
    page_doc(&a, "/notes/", "Notes on Z\xc3\xbcrich and quorum.");
    page_doc(&b, "/harbour/", "Nothing else here.");
    page_doc(&again, "/notes/", "A second document at /notes/: quorum.");
    struct search_index ix = {0};
    search_index_add(&ix, &home.d, NULL);
    search_index_add(&ix, &a.d, "Notes");
    search_index_add(&ix, &b.d, "Harbour");
    search_index_add(&ix, &again.d, "Shadowed");
    CHECK(ix.n == 4 && ix.n_docs == 3);
    CHECK_STR(ix.entries[0].route, "/");
    CHECK_STR(ix.entries[1].route, "/interests/");
    CHECK_STR(ix.entries[1].label, "Interests");
    CHECK_STR(ix.entries[2].route, "/notes/");
    CHECK_STR(ix.entries[2].label, "Notes");

    struct search s;
    search_run(&ix, "QUORUM", &s);
    CHECK(s.n == 1 && s.matched == 1 && !s.cut);
    CHECK_STR(s.n ? s.results[0].entry->route : "", "/notes/");
    search_free(&s);
    /* A title first, then more lines, then the order added. */
    search_run(&ix, "harbour", &s);
    CHECK(s.n == 3);
    CHECK_STR(s.results[0].entry->route, "/harbour/");
    CHECK_STR(s.results[1].entry->route, "/");
    CHECK_STR(s.results[2].entry->route, "/interests/");
    CHECK(s.results[2].n_lines == 1 && s.results[2].line_len[0] == 30);
    search_free(&s);
    /* Every term on one line; non-ASCII letters are not folded. */
    search_run(&ix, "harbour ranking", &s);
    CHECK(s.n == 0 && s.matched == 0);
    search_free(&s);
    search_run(&ix, "Z\xc3\x9crich", &s);
    CHECK(s.n == 0);
    search_free(&s);
    search_run(&ix, "z\xc3\xbcrich", &s);
    CHECK(s.n == 1);
    search_free(&s);

    search_index_free(&ix);
    fx_free(&home);
    page_doc_free(&a);
    page_doc_free(&b);
    page_doc_free(&again);
}

static void test_bound_and_render(void)
{
    struct search_index ix = {0};
    struct fixture f[SEARCH_RESULTS_MAX + 5];
    char base[32];
    for (size_t i = 0; i < SEARCH_RESULTS_MAX + 5; i++) {
        snprintf(base, sizeof base, "/p%zu/", i);
        page_doc(&f[i], base, "a tidepool line");
        search_index_add(&ix, &f[i].d, base);
    }
    struct search s;
    search_run(&ix, "tidepool", &s);
    CHECK(s.n == SEARCH_RESULTS_MAX && s.matched == SEARCH_RESULTS_MAX + 5);
    CHECK_STR(s.results[0].entry->route, "/p0/");
    struct buf out = {0};
    render_gemtext_search(&f[0].o, "tidepool", &s, &out);
    CHECK(strncmp(out.data, "# Search: tidepool\n\n=> /p0/ /p0/\n> a tidepool "
                            "line\n", 47) == 0);
    CHECK_CONTAINS(out.data, "\n5 more matches not shown");
    CHECK(strstr(out.data, "No matches.") == NULL);
    buf_clear(&out);
    render_gophermap_search(&f[0].o, "tidepool", &s, &out);
    CHECK_CONTAINS(out.data, "1/p0/\t/p0/\tgopher.example.org\t7070\r\n");
    CHECK_CONTAINS(out.data, "5 more matches not shown");
    search_free(&s);
    buf_clear(&out);
    search_run(&ix, "xyzzy", &s);
    render_gemtext_search(&f[0].o, "xyzzy", &s, &out);
    CHECK_CONTAINS(out.data, "\nNo matches.\n");
    search_free(&s);
    buf_free(&out);
    CHECK(!search_has_terms("   ") && search_has_terms(" a "));
    search_index_free(&ix);
    for (size_t i = 0; i < SEARCH_RESULTS_MAX + 5; i++)
        page_doc_free(&f[i]);
}

/* A long line is shown as a window around its first match, cut between
 * words, with the cut ends marked. */
static void test_long_line(void)
{
    struct buf text = {0};
    for (int i = 0; i < 60; i++)
        buf_puts(&text, "lorem ipsum ");
    buf_puts(&text, "needle ");
    for (int i = 0; i < 60; i++)
        buf_puts(&text, "dolor sit ");
    struct fixture f;
    page_doc(&f, "/long/", text.data);
    struct search_index ix = {0};
    search_index_add(&ix, &f.d, "Long");
    struct search s;
    search_run(&ix, "needle", &s);
    CHECK(s.n == 1 && s.results[0].n_lines == 1);
    const struct search_result *r = &s.results[0];
    CHECK(r->line_len[0] <= SEARCH_LINE_SHOWN);
    CHECK(r->line_cut[0] == (SEARCH_CUT_BEFORE | SEARCH_CUT_AFTER));
    CHECK(r->line[0][0] != ' ' && r->line[0][-1] == ' ');
    CHECK(memmem(r->line[0], r->line_len[0], "needle", 6) != NULL);
    struct buf out = {0};
    render_gemtext_search(&f.o, "needle", &s, &out);
    CHECK_CONTAINS(out.data, "\n> \xe2\x80\xa6lorem ipsum ");
    CHECK_CONTAINS(out.data, " needle dolor ");
    CHECK_CONTAINS(out.data, " dolor\xe2\x80\xa6\n");
    buf_free(&out);
    search_free(&s);
    search_index_free(&ix);
    page_doc_free(&f);
    buf_free(&text);
}

int main(void)
{
    test_index();
    test_bound_and_render();
    test_long_line();
    return test_done();
}
