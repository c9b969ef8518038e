#include "render_fixture.h"
#include "test.h"

#include <regex.h>
#include <stdio.h>
#include <unistd.h>

/* --- gemsub --- */

static void news_profile(struct fixture *f)
{
    fx_block(f, BLOCK_HEADING, 1, "🔥 News");
    fx_item(f, 1, NULL, "2025.10: \xC2\xA0🌻🎉 Paper <accepted> & \"praised\"");
    fx_item(f, 1, NULL, "2025.07: 1,600 USD award");
    fx_item(f, 1, NULL, "2024.04: Bad \x01 control and \xEF\xBF\xBE nonchar");
    fx_sections(f);
}

static void test_gemsub(void)
{
    struct fixture f;
    fx_init(&f);
    news_profile(&f);
    CHECK(f.news.n == 3);
    struct buf out = {0};
    render_gemsub(&f.d, &f.o, &out);
    CHECK_STR(out.data,
              "# Ada Lovelace — News\n\n"
              "=> gemini://example.org/news/3/ 2025-10-01 Paper <accepted> & \"praised\"\n"
              "=> gemini://example.org/news/2/ 2025-07-01 1,600 USD award\n"
              "=> gemini://example.org/news/1/ 2024-04-01 Bad   control and \xEF\xBF\xBE nonchar\n"
              "\n=> /atom.xml Atom feed\n=> / Home\n");
    CHECK(gemtext_problem(out.data) == 0);

    /* Lagrange's subscription pattern matches every entry line. */
    regex_t re;
    int rc = regcomp(&re, "^=>[[:space:]]*([^[:space:]]+)[[:space:]]+"
                          "([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*)$",
                     REG_EXTENDED);
    CHECK(rc == 0);
    size_t entries = 0, matched = 0;
    for (char *line = strtok(out.data, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "=> gemini://", 12) != 0)
            continue; /* the undated footer links are not entries */
        entries++;
        matched += regexec(&re, line, 0, NULL, 0) == 0;
    }
    CHECK(entries == 3 && matched == 3);
    regfree(&re);

    /* A port other than 1965 and an IPv6 literal host. */
    buf_clear(&out);
    f.o.gemini_port = 1966;
    f.o.gemini_host = "::1";
    render_gemsub(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "=> gemini://[::1]:1966/news/1/ 2024-04-01 ");

    buf_clear(&out);
    f.o.news = NULL;
    render_gemsub(&f.d, &f.o, &out);
    CHECK_STR(out.data, "# Ada Lovelace — News\n\n\n=> /atom.xml Atom feed\n=> / Home\n");
    buf_free(&out);
    fx_free(&f);
}

/* --- Atom --- */

/* A small well-formedness check: one root element, tags nested and closed,
 * attribute values quoted, only the predefined or numeric entities, no raw
 * '<' or '&' in text, UTF-8 without the characters XML 1.0 forbids. */
static bool xml_char_ok(unsigned cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static bool entity_ok(const char **p)
{
    const char *names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++) {
        if (strncmp(*p, names[i], strlen(names[i])) == 0) {
            *p += strlen(names[i]);
            return true;
        }
    }
    return false;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' || c == '.';
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static bool xml_well_formed(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || !xml_char_ok(cp))
            return false;
        i += n;
    }
    const char *decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    if (strncmp(s, decl, strlen(decl)) != 0)
        return false;
    const char *p = s + strlen(decl);
    const char *stack[64];
    size_t stack_len[64], depth = 0, roots = 0;
    while (*p) {
        if (*p == '&') {
            if (!entity_ok(&p))
                return false;
            continue;
        }
        if (*p != '<') {
            if (depth == 0 && !(*p == ' ' || *p == '\n'))
                return false; /* text outside the root */
            p++;
            continue;
        }
        bool closing = p[1] == '/';
        const char *name = p + 1 + closing, *q = name;
        while (is_name_char(*q))
            q++;
        size_t name_len = (size_t)(q - name);
        if (name_len == 0)
            return false;
        if (closing) {
            q = skip_ws(q);
            if (*q != '>' || depth == 0 || stack_len[depth - 1] != name_len ||
                strncmp(stack[depth - 1], name, name_len) != 0)
                return false;
            depth--;
            p = q + 1;
            continue;
        }
        for (;;) { /* attributes */
            q = skip_ws(q);
            if (*q == '>' || (q[0] == '/' && q[1] == '>'))
                break;
            const char *an = q;
            while (is_name_char(*q))
                q++;
            if (q == an || *q != '=' || q[1] != '"')
                return false;
            q += 2;
            while (*q && *q != '"') {
                if (*q == '<')
                    return false;
                if (*q == '&') {
                    if (!entity_ok(&q))
                        return false;
                } else {
                    q++;
                }
            }
            if (*q != '"')
                return false;
            q++;
        }
        if (depth == 0)
            roots++;
        if (*q == '/') {
            p = q + 2;
        } else {
            if (depth == 64)
                return false;
            stack[depth] = name;
            stack_len[depth++] = name_len;
            p = q + 1;
        }
    }
    return depth == 0 && roots == 1;
}

static int xmllint_ok(const char *xml)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        return -1;
    char path[] = "/tmp/capsuled-atom-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *fp = fdopen(fd, "w");
    fputs(xml, fp);
    fclose(fp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    return rc == 0;
}

static void test_atom(void)
{
    struct fixture f;
    fx_init(&f);
    news_profile(&f);
    struct buf out = {0};
    render_atom(&f.d, &f.o, &out);
    const char *x = out.data;
    CHECK(xml_well_formed(x));
    CHECK_CONTAINS(x, "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>gemini://example.org/</id>\n");
    CHECK_CONTAINS(x, "<title>Ada Lovelace — News</title>");
    CHECK_CONTAINS(x, "<updated>2025-10-01T00:00:00Z</updated>\n  <author><name>Ada Lovelace</name></author>");
    CHECK_CONTAINS(x, "<link rel=\"self\" href=\"gemini://example.org/atom.xml\"/>");
    CHECK_CONTAINS(x, "<link rel=\"alternate\" href=\"gemini://example.org/news/\"/>");
    CHECK_CONTAINS(x, "<entry>\n    <id>gemini://example.org/news/3/</id>\n"
                      "    <title>Paper &lt;accepted&gt; &amp; &quot;praised&quot;</title>\n"
                      "    <updated>2025-10-01T00:00:00Z</updated>\n"
                      "    <link rel=\"alternate\" href=\"gemini://example.org/news/3/\"/>\n"
                      "    <summary type=\"text\">2025.10: \xC2\xA0🌻🎉 Paper &lt;accepted&gt;");
    CHECK_CONTAINS(x, "<title>Bad  control and  nonchar</title>");
    CHECK(strstr(x, "\x01") == NULL);
    CHECK(strlen(x) > 8 && strcmp(x + strlen(x) - 8, "</feed>\n") == 0);
    int lint = xmllint_ok(x);
    if (lint < 0)
        printf("# xmllint not installed: external check skipped\n");
    else
        CHECK(lint == 1);

    /* No news: still a valid feed, updated from the page date. */
    buf_clear(&out);
    f.page.date = "2024-05-06 10:00";
    f.cfg.site.author_name = "A & B <x>";
    f.o.news = NULL;
    render_atom(&f.d, &f.o, &out);
    CHECK(xml_well_formed(out.data));
    CHECK_CONTAINS(out.data, "<updated>2024-05-06T00:00:00Z</updated>");
    CHECK_CONTAINS(out.data, "<name>A &amp; B &lt;x&gt;</name>");
    CHECK(strstr(out.data, "<entry>") == NULL);
    if (lint >= 0)
        CHECK(xmllint_ok(out.data) == 1);

    /* The checker itself rejects what it should. */
    CHECK(!xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>&</a>"));
    CHECK(!xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?><a><b></a></b>"));
    CHECK(!xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?><a x=\"<\"/>"));
    CHECK(!xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\x01</a>"));
    CHECK(!xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/><b/>"));
    CHECK(xml_well_formed("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a x=\"1\"><b/>t&amp;</a>\n"));
    buf_free(&out);
    fx_free(&f);
}

static bool gemsub_all_match(const char *gemsub, size_t *entries)
{
    regex_t re;
    if (regcomp(&re, "^=>[[:space:]]*([^[:space:]]+)[[:space:]]+"
                     "([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*)$",
                REG_EXTENDED) != 0)
        return false;
    char *copy = xstrdup(gemsub);
    size_t matched = 0;
    *entries = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "=> gemini://", 12) != 0)
            continue; /* the undated footer links are not entries */
        ++*entries;
        matched += regexec(&re, line, 0, NULL, 0) == 0;
    }
    free(copy);
    regfree(&re);
    return matched == *entries;
}

static void check_capsule(const char *name, struct loaded *l)
{
    const struct news_item *items = l->news.items;
    size_t n = l->news.n;
    struct buf out = {0};
    render_gemsub(&l->d, &l->o, &out);
    size_t entries;
    CHECK(gemsub_all_match(out.data, &entries) && entries == n);
    CHECK(gemtext_problem(out.data) == 0);
    buf_clear(&out);
    render_atom(&l->d, &l->o, &out);
    CHECK(xml_well_formed(out.data));
    if (xmllint_ok(out.data) == 0)
        CHECK(!"xmllint rejects the feed");
    if (strcmp(name, "capsule") == 0) {
        CHECK(n == 7);
        if (n == 7) {
            CHECK_STR(items[0].date, "2025-10-01");
            CHECK_STR(items[0].title, "Our paper SSFusion has been accepted to ICDE2026 (The 42st IEEE "
                                      "International Conference on Data Engineering ). I am the first "
                                      "author of this work.");
            CHECK_STR(items[6].date, "2024-04-01");
            CHECK(strncmp(items[6].title, "Our paper ADTopk has been accepted", 34) == 0);
        }
        CHECK_CONTAINS(out.data, "<id>gemini://localhost/news/1/</id>\n    <title>Our paper ADTopk");
        CHECK_CONTAINS(out.data, "<updated>2025-10-01T00:00:00Z</updated>\n  <author><name>Zhangqiang Ming</name>");
    }
    buf_free(&out);
}

/* The Spartan dialect: relative gemsub links, spartan:// in Atom. */
static void test_spartan_dialect(void)
{
    struct fixture f;
    fx_init(&f);
    news_profile(&f);
    f.o.dialect = GEMTEXT_SPARTAN;
    f.o.spartan_host = "example.org";
    f.o.spartan_port = 3000;
    struct buf out = {0};
    render_gemsub(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "\n=> /news/3/ 2025-10-01 Paper <accepted>");
    CHECK(strstr(out.data, "://") == NULL);
    buf_clear(&out);
    render_atom(&f.d, &f.o, &out);
    CHECK(xml_well_formed(out.data));
    CHECK_CONTAINS(out.data, "<id>spartan://example.org:3000/</id>");
    CHECK_CONTAINS(out.data, "<id>spartan://example.org:3000/news/3/</id>");
    CHECK(strstr(out.data, "gemini://") == NULL);
    buf_free(&out);
    fx_free(&f);
}

/* --- posts in every feed --- */

static const struct news_post POSTS[] = {
    {"2025-11-02", "A post & <more>", "/blog/2025/11/02/a-post/",
     "Its excerpt, \"quoted\"", true},
    {"2024-01-05", "An item", "/news/item/", NULL, true},
};

static void test_posts(void)
{
    struct fixture f;
    fx_init(&f);
    news_profile(&f);
    news_merge_posts(&f.news, &f.d, POSTS, 2);
    struct buf out = {0};
    render_gemsub(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "\n\n=> gemini://example.org/blog/2025/11/02/a-post/ "
                             "2025-11-02 A post & <more>\n"
                             "=> gemini://example.org/news/3/ 2025-10-01 Paper");
    CHECK_CONTAINS(out.data, "1,600 USD award\n"
                             "=> gemini://example.org/news/1/ 2024-04-01 Bad");
    CHECK_CONTAINS(out.data, "nonchar\n"
                             "=> gemini://example.org/news/item/ 2024-01-05 An item\n\n");
    size_t entries;
    CHECK(gemsub_all_match(out.data, &entries) && entries == 5);
    buf_clear(&out);
    render_atom(&f.d, &f.o, &out);
    CHECK(xml_well_formed(out.data));
    CHECK(xmllint_ok(out.data) != 0);
    CHECK_CONTAINS(out.data, "<updated>2025-11-02T00:00:00Z</updated>\n  <author>");
    CHECK_CONTAINS(out.data, "<entry>\n    <id>gemini://example.org/blog/2025/11/02/a-post/</id>\n"
                             "    <title>A post &amp; &lt;more&gt;</title>\n"
                             "    <updated>2025-11-02T00:00:00Z</updated>\n"
                             "    <link rel=\"alternate\" href=\"gemini://example.org/blog/2025/11/02/a-post/\"/>\n"
                             "    <summary type=\"text\">Its excerpt, &quot;quoted&quot;</summary>");
    CHECK_CONTAINS(out.data, "<summary type=\"text\">An item</summary>");
    buf_clear(&out);
    render_gophermap_news(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "\r\n12025-11-02  A post & <more>\t/blog/2025/11/02/a-post/\t"
                             "gopher.example.org\t7070\r\n"
                             "i2025-10-01  Paper");
    buf_clear(&out);
    render_finger_plan(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "2025-11-02  A post & <more>\r\n2025-10-01  Paper");
    CHECK(strstr(out.data, "An item") == NULL); /* three latest only */
    buf_clear(&out);
    render_gemtext_home(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "## Latest news\n=> /blog/2025/11/02/a-post/ 2025-11-02 A post");
    buf_clear(&out);
    render_gophermap_home(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "\r\n12025-11-02 A post & <more>\t/blog/2025/11/02/a-post/\t");
    CHECK_CONTAINS(out.data, "\r\ni2025-10-01 Paper");
    f.o.dialect = GEMTEXT_SPARTAN;
    buf_clear(&out);
    render_gemsub(&f.d, &f.o, &out);
    CHECK_CONTAINS(out.data, "\n=> /blog/2025/11/02/a-post/ 2025-11-02 A post");
    CHECK(strstr(out.data, "://") == NULL);
    buf_free(&out);
    fx_free(&f);
}

int main(void)
{
    int capsules = fx_each_capsule(check_capsule);
    CHECK(capsules >= 1);
    test_gemsub();
    test_atom();
    test_spartan_dialect();
    test_posts();
    return test_done();
}
