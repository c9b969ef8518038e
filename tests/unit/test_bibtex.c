/* BibTeX as jekyll-scholar reads it: entry shapes, delimiters, macros and
 * concatenation, LaTeX decoding, names, and broken entries reported with
 * their line and skipped without losing the rest. */
#include "capsuled/bibtex.h"
#include "capsuled/buf.h"
#include "test.h"

static struct diags diags;

static struct value *parse(const char *text)
{
    diags_free(&diags);
    return bibtex_parse("refs.bib", text, strlen(text), &diags);
}

static const char *field(const struct value *entries, size_t i,
                         const char *path)
{
    return value_text(value_path_get(value_array_at(entries, i), path));
}

static const char *decode(const char *latex)
{
    static struct buf out;
    buf_clear(&out);
    bibtex_decode_latex(latex, strlen(latex), &out);
    return out.data ? out.data : "";
}

static void test_entry_shapes(void)
{
    struct value *e = parse(
        "---\n---\n@Article{smith2020,\n  Title = {A {Deep} Study},\n"
        "  year = 2020,\n  journal = \"J. of {T}hings\",\n}\n"
        "@inproceedings(doe21, title={Paren form}, year={2021})\n");
    CHECK(value_len(e) == 2);
    CHECK_STR(field(e, 0, "type"), "article");
    CHECK_STR(field(e, 0, "key"), "smith2020");
    CHECK_STR(field(e, 0, "title"), "A Deep Study");
    CHECK_STR(field(e, 0, "year"), "2020");
    CHECK_STR(field(e, 0, "journal"), "J. of Things");
    CHECK(value_int_of(value_hash_get(value_array_at(e, 0), "line")) == 3);
    CHECK_STR(field(e, 1, "title"), "Paren form");
    value_release(e);
    /* A field named like a key the reader sets does not replace it. */
    e = parse("@phdthesis{t1, type = {PhD thesis}, key = {x}, line = {9}}");
    CHECK_STR(field(e, 0, "type"), "phdthesis");
    CHECK_STR(field(e, 0, "key"), "t1");
    CHECK(value_int_of(value_hash_get(value_array_at(e, 0), "line")) == 1);
    CHECK(diags.n == 0);
    value_release(e);
}

static void test_macros(void)
{
    struct value *e = parse(
        "@string{conf = \"Conference on {X}\"}\n@comment{ignored @article{x,}}\n"
        "@preamble{\"\\newcommand{\\x}{y}\"}\n"
        "@misc{k, booktitle = \"Proc. \" # conf # { 2024}, month = mar}\n");
    CHECK(value_len(e) == 1);
    CHECK_STR(field(e, 0, "booktitle"), "Proc. Conference on X 2024");
    CHECK_STR(field(e, 0, "month"), "March");
    value_release(e);
}

static void test_latex(void)
{
    CHECK_STR(decode("M{\\\"u}ller and G\\\"odel"), "Müller and Gödel");
    CHECK_STR(decode("Garc{\\'\\i}a, \\c{C}elik, Dvo\\v{r}\\'ak"),
              "García, Çelik, Dvořák");
    CHECK_STR(decode("pages 1--10 --- fast \\& cheap, 50\\%"),
              "pages 1–10 — fast & cheap, 50%");
    CHECK_STR(decode("\\textbf{Bold} and \\emph{it}   spaced\n  out~here"),
              "Bold and it spaced out here");
    CHECK_STR(decode("Stra{\\ss}e, $\\alpha$-test"), "Straße, α-test");
    CHECK_STR(decode("\\^{z}"), "z\xcc\x82"); /* no precomposed form */
}

static void test_names(void)
{
    const char *authors = "Anh Nguyen* and Doe, Jane and {World Health "
                          "Organization} and Ludwig van Beethoven";
    struct value *n = bibtex_split_names(authors, strlen(authors));
    CHECK(value_len(n) == 4);
    CHECK_STR(value_text(value_path_get(n, "0.first")), "Anh");
    CHECK_STR(value_text(value_path_get(n, "0.last")), "Nguyen*");
    CHECK_STR(value_text(value_path_get(n, "1.first")), "Jane");
    CHECK_STR(value_text(value_path_get(n, "1.last")), "Doe");
    CHECK_STR(value_text(value_path_get(n, "2.last")),
              "World Health Organization");
    CHECK_STR(value_text(value_path_get(n, "3.last")), "Beethoven");
    value_release(n);
    struct value *e = parse("@book{b, author = {Grand and Sandy}}");
    CHECK_STR(field(e, 0, "author_array.1.last"), "Sandy");
    value_release(e);
}

static void test_broken(void)
{
    struct value *e = parse("@article{bad,\n title = {never closed\n"
                            "@article{x, title = }\n"
                            "@misc{good, title={Fine}, note = undefinedmacro}\n");
    CHECK(value_len(e) == 0 || value_len(e) == 1);
    struct buf out = {0};
    diags_format(&diags, &out);
    CHECK_CONTAINS(out.data, "refs.bib:1:");
    buf_free(&out);
    value_release(e);
    /* An entry after a broken one is still read. */
    e = parse("@article{bad, title = {x} junk junk}\n"
              "@misc{good,\n title={Fine}, note = undefinedmacro}\n");
    CHECK(value_len(e) == 1);
    CHECK_STR(field(e, 0, "key"), "good");
    CHECK_STR(field(e, 0, "note"), "");
    diags_format(&diags, &out);
    CHECK_CONTAINS(out.data, "refs.bib:1: warning: BibTeX entry skipped");
    CHECK_CONTAINS(out.data, "undefined BibTeX string 'undefinedmacro'");
    buf_free(&out);
    value_release(e);
    e = parse("email me @ home, or @{}, or @@@");
    CHECK(value_len(e) == 0);
    value_release(e);
}

int main(void)
{
    test_entry_shapes();
    test_macros();
    test_latex();
    test_names();
    test_broken();
    diags_free(&diags);
    return test_done();
}
