/* News decided from the model (src/content/news.c): which section is the
 * news, which of its items are dated and how, their numbers, their order
 * by date, and the item a block is; the feed, the site's posts merged
 * into it, and the repeats it drops. */
#include "render_fixture.h"
#include "test.h"

/* --- dates and titles --- */

/* One section "News" holding one item with this text; returns the item's
 * "date|title", or "-" when it is not news. */
static char *parse(const char *item)
{
    struct fixture f;
    fx_init(&f);
    fx_block(&f, BLOCK_HEADING, 1, "News");
    fx_item(&f, 1, NULL, item);
    fx_sections(&f);
    struct buf b = {0};
    if (f.news.n == 1)
        buf_printf(&b, "%s|%s", f.news.items[0].date, f.news.items[0].title);
    else
        buf_puts(&b, "-");
    fx_free(&f);
    return buf_detach(&b);
}

#define CHECK_PARSE(item, want)                                              \
    do {                                                                     \
        char *got_p = parse(item);                                           \
        CHECK_STR(got_p, want);                                              \
        free(got_p);                                                         \
    } while (0)

static void test_dates(void)
{
    CHECK_PARSE("2025.10: Paper accepted", "2025-10-01|Paper accepted");
    CHECK_PARSE("2025-10 Paper", "2025-10-01|Paper");
    CHECK_PARSE("2025-10-07, Paper", "2025-10-07|Paper");
    CHECK_PARSE("2025/10/31 - Paper", "2025-10-31|Paper");
    CHECK_PARSE("2025.1.2 – Paper", "2025-01-02|Paper");
    CHECK_PARSE("*2025.10*: Paper", "2025-10-01|Paper");
    CHECK_PARSE("[2025.10] Paper", "2025-10-01|Paper");
    CHECK_PARSE("2025.10:\xC2\xA0Paper", "2025-10-01|Paper");
    CHECK_PARSE("2025.10\xC2\xA0Paper", "2025-10-01|Paper");
    CHECK_PARSE("2025.10—Paper", "2025-10-01|Paper");
    /* The seed's shape: NBSP and decorative emoji before the title. */
    CHECK_PARSE("2025.10: \xC2\xA0🌻🎉 Our paper SSFusion has been accepted",
                "2025-10-01|Our paper SSFusion has been accepted");
    CHECK_PARSE("2025.10: ⭐️ Star", "2025-10-01|Star");
    CHECK_PARSE("2025.10: 中文标题 🎉", "2025-10-01|中文标题 🎉");
    CHECK_PARSE("2025.10: two\nlines   here ", "2025-10-01|two lines here");
    CHECK_PARSE("2025.10:", "2025-10-01|News");
    CHECK_PARSE("2025.10: 2nd prize", "2025-10-01|2nd prize");
    /* Not news. */
    CHECK_PARSE("2022 – 2023, Scholarship", "-");
    CHECK_PARSE("2025.13: bad month", "-");
    CHECK_PARSE("2025.00: bad month", "-");
    CHECK_PARSE("2025.10.32: bad day", "-");
    CHECK_PARSE("20251: x", "-");
    CHECK_PARSE("2025.10abc", "-");
    CHECK_PARSE("2025.101 x", "-");
    CHECK_PARSE("Released 2025.10", "-");
    CHECK_PARSE("", "-");
}

static void test_sections(void)
{
    struct fixture f;
    fx_init(&f);
    fx_block(&f, BLOCK_HEADING, 1, "About");
    fx_item(&f, 1, NULL, "Since 2020.01: not a dated item");
    fx_block(&f, BLOCK_HEADING, 1, "Education");
    fx_item(&f, 1, NULL, "2019.09 - 2022.06, University");
    fx_item(&f, 1, NULL, "2016.09 - 2019.06, School");
    fx_item(&f, 1, NULL, "Earlier, elsewhere");
    fx_block(&f, BLOCK_HEADING, 1, "Latest Updates");
    fx_block(&f, BLOCK_PARA, 0, "2025.10: a paragraph, not an item");
    fx_item(&f, 1, NULL, "2025.10: newest");
    fx_item(&f, 1, NULL, "Undated item");
    fx_item(&f, 2, NULL, "2025-11-02 nested, out of order");
    fx_item(&f, 1, NULL, "2024.01: oldest");
    fx_sections(&f);

    const struct news_item *items = f.news.items;
    size_t n = f.news.n;
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STR(items[0].title, "newest");
        CHECK_STR(items[1].date, "2025-11-02");
        CHECK_STR(items[2].title, "oldest");
        CHECK(f.news.section == 2 && items[2].block == 11);
        CHECK(f.news.by_date[0] == 1 && f.news.by_date[1] == 0);
        CHECK(items[0].number == 3 && items[2].number == 1);
    }

    /* Without a section named so, the first mostly dated one. */
    free(f.d.sections[2].slug);
    free(f.d.sections[2].plain_title);
    f.d.sections[2].slug = xstrdup("happenings");
    f.d.sections[2].plain_title = xstrdup("Happenings");
    fx_news(&f);
    items = f.news.items;
    n = f.news.n;
    CHECK(n == 2 && f.news.section == 1);
    CHECK(n == 2 && strcmp(items[1].date, "2016-09-01") == 0);
    fx_free(&f);

    fx_init(&f);
    fx_block(&f, BLOCK_PARA, 0, "No lists at all");
    fx_sections(&f);
    CHECK(f.news.n == 0 && f.news.items == NULL && f.news.section == NEWS_NONE);
    fx_free(&f);
}

/* --- order, numbers and lookup --- */

static void test_order(void)
{
    struct fixture f;
    fx_init(&f);
    fx_block(&f, BLOCK_HEADING, 1, "News");
    fx_item(&f, 1, NULL, "2024.01: b");           /* block 1 */
    fx_block(&f, BLOCK_PARA, 0, "between");       /* block 2 */
    fx_item(&f, 1, NULL, "2025.03: c");           /* block 3 */
    fx_item(&f, 1, NULL, "2024.01: d, same date"); /* block 4 */
    fx_item(&f, 1, NULL, "2023-12-31 e");          /* block 5 */
    fx_sections(&f);
    const struct news *n = &f.news;
    CHECK(n->section == 0 && n->n == 4);
    if (n->n == 4) {
        /* Newest first; the two of 2024-01 in page order. */
        CHECK(n->by_date[0] == 1 && n->by_date[1] == 0 &&
              n->by_date[2] == 2 && n->by_date[3] == 3);
        CHECK(n->items[0].number == 4 && n->items[3].number == 1);
        CHECK(news_at_block(n, 3) == &n->items[1]);
        CHECK(news_at_block(n, 5) == &n->items[3]);
    }
    CHECK(news_at_block(n, 0) == NULL && news_at_block(n, 2) == NULL);
    CHECK(news_at_block(n, 99) == NULL && news_at_block(NULL, 1) == NULL);
    fx_free(&f);
    CHECK(f.news.n == 0 && f.news.items == NULL && f.news.by_date == NULL);
    news_free(&f.news); /* twice is harmless */

    /* A section named news without one dated item is still the news. */
    fx_init(&f);
    fx_block(&f, BLOCK_HEADING, 1, "Intro");
    fx_item(&f, 1, NULL, "2025.01: dated, but not the news");
    fx_block(&f, BLOCK_HEADING, 1, "Latest News");
    fx_block(&f, BLOCK_PARA, 0, "Nothing yet.");
    fx_sections(&f);
    CHECK(f.news.section == 1 && f.news.n == 0 && f.news.by_date == NULL);
    fx_free(&f);
}

/* --- the feed, and posts merged into it --- */

/* The feed as "date link title" lines, newest first. */
static char *feed_lines(const struct news *n)
{
    struct buf b = {0};
    for (size_t i = 0; i < n->n_feed; i++)
        buf_printf(&b, "%s %s %s\n", n->feed[i].date, n->feed[i].link,
                   n->feed[i].title);
    return buf_detach(&b);
}

#define CHECK_FEED(news, want)                                               \
    do {                                                                     \
        char *got_f = feed_lines(news);                                      \
        CHECK_STR(got_f, want);                                              \
        free(got_f);                                                         \
    } while (0)

/* A News section of three items, the first linking to a post. */
static void news_page(struct fixture *f, const char *first_link)
{
    fx_init(f);
    fx_block(f, BLOCK_HEADING, 1, "News");
    struct block *b = fx_item(f, 1, NULL, "2024-03-01: Second post is out");
    if (first_link)
        fx_link(b, first_link, NULL, "Second post");
    fx_item(f, 1, NULL, "2024-02-10: Award");
    fx_item(f, 1, NULL, "2023-12-05: Joined");
    fx_sections(f);
}

static void test_feed_of_section(void)
{
    struct fixture f;
    news_page(&f, NULL);
    /* Without posts, the items newest first at their /news/N/, the item's
     * whole text as the summary. */
    CHECK_FEED(&f.news, "2024-03-01 /news/3/ Second post is out\n"
                        "2024-02-10 /news/2/ Award\n"
                        "2023-12-05 /news/1/ Joined\n");
    CHECK(f.news.n_feed == 3 && f.news.feed[1].item == 1 &&
          !f.news.feed[1].gopher);
    CHECK(f.news.n_feed == 3 &&
          strcmp(f.news.feed[2].summary, "2023-12-05: Joined") == 0);
    news_merge_posts(&f.news, &f.d, NULL, 0); /* nothing to add */
    CHECK(f.news.n_feed == 3);
    fx_free(&f);
    CHECK(f.news.feed == NULL && f.news.n_feed == 0);
}

static const struct news_post POSTS[] = {
    {"2024-02-10", "Talk, same day as the award", "/news/talk/", NULL, true},
    {"2024-03-01", "Second post", "/blog/2024/03/01/second/", "Its excerpt",
     true},
    {"2025-01-01", "\xF0\x9F\x8E\x89 \xE2\x80\x94 New year", "/news/ny/",
     NULL, true},
    {"2020-05-05", NULL, "/blog/2020/05/05/untitled/", NULL, false},
};

static void test_merge(void)
{
    struct fixture f;
    news_page(&f, "https://example.org/blog/2024/03/01/second/");
    news_merge_posts(&f.news, &f.d, POSTS, 4);
    /* Newest first; on one date a post before a section item; the item
     * repeating the post (same date, a link to it) once, at the post's
     * route in the section's words; titles cleaned as the section's are. */
    CHECK_FEED(&f.news, "2025-01-01 /news/ny/ New year\n"
                        "2024-03-01 /blog/2024/03/01/second/ Second post is out\n"
                        "2024-02-10 /news/talk/ Talk, same day as the award\n"
                        "2024-02-10 /news/2/ Award\n"
                        "2023-12-05 /news/1/ Joined\n"
                        "2020-05-05 /blog/2020/05/05/untitled/ News\n");
    const struct news_entry *e = f.news.feed;
    CHECK(f.news.n_feed == 6);
    if (f.news.n_feed == 6) {
        CHECK_STR(e[1].summary, "Its excerpt");
        CHECK_STR(e[2].summary, "Talk, same day as the award");
        CHECK(e[1].item == NEWS_NONE && e[1].gopher && !e[5].gopher);
        CHECK(e[3].item == 1 && e[4].item == 2);
    }
    /* The section's items themselves are untouched: /news/3/ stays. */
    CHECK(f.news.n == 3 && f.news.items[0].number == 3);
    fx_free(&f);
}

/* Which links name the post's route, and which do not. */
static bool repeats(const char *link, const char *date)
{
    struct fixture f;
    news_page(&f, link);
    struct news_post p = {"", "Second post", "/blog/2024/03/01/second/",
                          NULL, true};
    memcpy(p.date, date, 11);
    news_merge_posts(&f.news, &f.d, &p, 1);
    bool dropped = f.news.n_feed == 3;
    fx_free(&f);
    return dropped;
}

static void test_repeats(void)
{
    CHECK(repeats("/blog/2024/03/01/second/", "2024-03-01"));
    CHECK(repeats("/blog/2024/03/01/second", "2024-03-01"));
    CHECK(repeats("/blog/2024/03/01/second/index.html", "2024-03-01"));
    CHECK(repeats("https://example.org/blog/2024/03/01/second/#top",
                  "2024-03-01"));
    CHECK(repeats("gemini://x/blog/2024/03/01/%73econd/?q", "2024-03-01"));
    /* Not the same: another date, another page, no link. */
    CHECK(!repeats("/blog/2024/03/01/second/", "2024-03-02"));
    CHECK(!repeats("/blog/2024/03/01/second-part/", "2024-03-01"));
    CHECK(!repeats("/blog/2024/03/01/", "2024-03-01"));
    CHECK(!repeats("relative/second/", "2024-03-01"));
    CHECK(!repeats("/x?u=https://example.org/blog/2024/03/01/second/",
                   "2024-03-01"));
    CHECK(!repeats("https://example.org", "2024-03-01"));
    CHECK(!repeats(NULL, "2024-03-01"));

    /* A .html route, as served without its suffix. */
    struct fixture f;
    news_page(&f, "/notes/second.html");
    struct news_post p = {"2024-03-01", "Second", "/notes/second", NULL, true};
    news_merge_posts(&f.news, &f.d, &p, 1);
    CHECK(f.news.n_feed == 3);
    fx_free(&f);
}

/* A page without a News section: the feed is the posts alone. */
static void test_posts_only(void)
{
    struct fixture f;
    fx_init(&f);
    fx_block(&f, BLOCK_PARA, 0, "No news here");
    fx_sections(&f);
    CHECK(f.news.section == NEWS_NONE && f.news.n_feed == 0);
    news_merge_posts(&f.news, &f.d, POSTS, 2);
    CHECK_FEED(&f.news, "2024-03-01 /blog/2024/03/01/second/ Second post\n"
                        "2024-02-10 /news/talk/ Talk, same day as the award\n");
    fx_free(&f);
}

/* The seed capsule: seven items, the newest on top of the page. */
static void check_capsule(const char *name, struct loaded *l)
{
    const struct news *n = &l->news;
    for (size_t i = 0; i < n->n; i++) {
        CHECK(n->items[i].number == n->n - i);
        CHECK(news_at_block(n, n->items[i].block) == &n->items[i]);
        if (i > 0) {
            const char *newer = n->items[n->by_date[i - 1]].date;
            CHECK(strcmp(newer, n->items[n->by_date[i]].date) >= 0);
        }
    }
    if (strcmp(name, "capsule") == 0) {
        CHECK(n->n == 7 && n->section != NEWS_NONE);
        CHECK(n->n == 7 && n->by_date[0] == 0);
        CHECK(n->section < l->d.n_sections &&
              strstr(l->d.sections[n->section].plain_title, "News") != NULL);
    }
}

int main(void)
{
    int capsules = fx_each_capsule(check_capsule);
    CHECK(capsules >= 1);
    test_dates();
    test_sections();
    test_order();
    test_feed_of_section();
    test_merge();
    test_repeats();
    test_posts_only();
    return test_done();
}
