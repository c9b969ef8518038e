#include "capsuled/width.h"
#include "render_fixture.h"
#include "test.h"

static void build(struct fixture *f)
{
    fx_block(f, BLOCK_HEADING, 1, "👨‍🎓 About Me");
    struct block *p = fx_block(f, BLOCK_PARA, 0,
                               "I work on distributed training. See Research and Code.");
    fx_link(p, NULL, "research", "Research");
    fx_link(p, "https://github.com/x", NULL, "Code");
    fx_block(f, BLOCK_HEADING, 3, "Details");
    fx_item(f, 1, NULL, "First item that is long enough to wrap around");
    fx_item(f, 1, "2.", "Second");
    fx_block(f, BLOCK_PARA, 0, ".");
    fx_block(f, BLOCK_QUOTE, 1, "Quoted words");
    fx_pre(f, NULL, "x = 1  # a code line longer than the width of forty columns\n");
    struct block *img = fx_block(f, BLOCK_PARA, 0, "A cat");
    img->only_links = true;
    fx_link(img, "https://example.org/cat.png", NULL, "A cat");
    img->links[0].image = true;
    fx_block(f, BLOCK_HEADING, 1, "Research");
    fx_block(f, BLOCK_PARA, 0, "More.");
    fx_sections(f);
}

static const char *want_text =
    "👨‍🎓 About Me\n"
    "===========\n"
    "\n"
    "I work on distributed training. See\n"
    "Research and Code.\n"
    "  [1] Research: gemini://example.org/research/\n"
    "  [2] Code: https://github.com/x\n"
    "\n"
    "Details\n"
    "-------\n"
    "\n"
    "- First item that is long enough to wrap\n"
    "  around\n"
    "2. Second\n"
    "\n"
    ".\n"
    "\n"
    "> Quoted words\n"
    "\n"
    "x = 1  # a code line longer than the width of forty columns\n"
    "\n"
    "  [3] image: A cat: https://example.org/cat.png\n";

static void test_section(void)
{
    struct fixture f;
    fx_init(&f);
    build(&f);
    struct buf out = {0};
    render_text_section(&f.d, 0, &f.o, 0, &out);
    CHECK_STR(out.data, want_text);

    /* For gopher: CRLF, the lone "." doubled, the document's final ".". */
    buf_clear(&out);
    render_text_section(&f.d, 0, &f.o, 1, &out);
    CHECK_CONTAINS(out.data, "See\r\nResearch and Code.\r\n");
    CHECK_CONTAINS(out.data, "\r\n..\r\n");
    CHECK_CONTAINS(out.data, "[1] Research: gopher://gopher.example.org:7070/1/research/\r\n");
    CHECK(out.len >= 3 && strcmp(out.data + out.len - 3, ".\r\n") == 0);
    CHECK(strstr(out.data, "\r\n.\r\n") == out.data + out.len - 5);
    size_t lf = 0, crlf = 0;
    for (size_t i = 0; i < out.len; i++) {
        lf += out.data[i] == '\n';
        crlf += out.data[i] == '\n' && i > 0 && out.data[i - 1] == '\r';
    }
    CHECK(lf == crlf);

    buf_clear(&out);
    render_text_section(&f.d, 42, &f.o, 0, &out);
    CHECK(out.len == 0);
    buf_clear(&out);
    render_text_section(&f.d, 42, &f.o, 1, &out);
    CHECK_STR(out.data, ".\r\n");
    buf_free(&out);
    fx_free(&f);
}

/* Every line fits the width, but preformatted and link lines. */
static int overlong_lines(const char *s, int width)
{
    int bad = 0;
    bool pre_ok;
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        pre_ok = strstr(p, "  [") == p || strncmp(p, "x = 1", 5) == 0;
        if (!pre_ok && width_text(p, len) > (size_t)width)
            bad++;
        p += len + (nl != NULL);
    }
    return bad;
}

static void test_all(void)
{
    struct fixture f;
    fx_init(&f);
    build(&f);
    struct buf out = {0};
    render_text_all(&f.d, &f.o, 0, &out);
    const char *head = "Ada Lovelace\n============\nAnalyst of engines\n\n👨‍🎓 About Me\n";
    CHECK(strncmp(out.data, head, strlen(head)) == 0);
    CHECK_CONTAINS(out.data, "\nResearch\n========\n\nMore.\n");
    CHECK(utf8_valid(out.data, out.len));
    for (int width = 20; width <= 80; width += 7) {
        f.o.width = width;
        buf_clear(&out);
        render_text_all(&f.d, &f.o, 0, &out);
        CHECK(overlong_lines(out.data, width) == 0);
    }
    buf_free(&out);
    fx_free(&f);
}

static void check_capsule(const char *name, struct loaded *l)
{
    struct buf out = {0};
    bool seed = strcmp(name, "capsule") == 0;
    for (size_t i = 0; i < l->d.n_sections; i++) {
        buf_clear(&out);
        render_text_section(&l->d, i, &l->o, 1, &out);
        size_t lf = 0, crlf = 0, lone_dots = 0;
        for (size_t k = 0; k < out.len; k++) {
            lf += out.data[k] == '\n';
            crlf += out.data[k] == '\n' && k > 0 && out.data[k - 1] == '\r';
            lone_dots += k + 3 <= out.len && (k == 0 || out.data[k - 1] == '\n') &&
                         memcmp(out.data + k, ".\r\n", 3) == 0;
        }
        CHECK(lf == crlf && lone_dots == 1 && utf8_valid(out.data, out.len));
        CHECK(out.len >= 3 && strcmp(out.data + out.len - 3, ".\r\n") == 0);
    }
    buf_clear(&out);
    render_text_all(&l->d, &l->o, 0, &out);
    CHECK(utf8_valid(out.data, out.len) && strchr(out.data, '\r') == NULL);
    if (seed) {
        CHECK(overlong_lines(out.data, 70) == 0);
        CHECK_CONTAINS(out.data, "Zhangqiang Ming\n===============\n");
        CHECK_CONTAINS(out.data, "\n- 2025.10:");
        CHECK_CONTAINS(out.data, "🌻🎉 Our paper SSFusion has been accepted to ICDE2026 (The\n"
                                 "  42st IEEE International Conference");
    }
    buf_free(&out);
}

int main(void)
{
    int capsules = fx_each_capsule(check_capsule);
    CHECK(capsules >= 1);
    test_section();
    test_all();
    return test_done();
}
