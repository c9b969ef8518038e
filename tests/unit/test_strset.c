/* The string set (src/util/strset.c): membership, copies, growth. */
#include "capsuled/strset.h"
#include "test.h"

#include <stdio.h>

static void test_empty(void)
{
    struct strset set = {0};
    CHECK(!strset_has(&set, ""));
    CHECK(!strset_has(&set, "/"));
    strset_free(&set);
    CHECK(set.n == 0 && set.cap == 0 && set.slots == NULL);
}

static void test_add_and_find(void)
{
    struct strset set = {0};
    CHECK(strset_add(&set, "/"));
    CHECK(strset_add(&set, "/about/"));
    CHECK(!strset_add(&set, "/about/")); /* already there */
    CHECK(strset_add(&set, ""));
    CHECK(set.n == 3);
    CHECK(strset_has(&set, "/"));
    CHECK(strset_has(&set, "/about/"));
    CHECK(strset_has(&set, ""));
    CHECK(!strset_has(&set, "/about"));
    CHECK(!strset_has(&set, "/about//"));
    strset_free(&set);
}

/* The set keeps copies: the caller's buffer is reused. */
static void test_copies(void)
{
    struct strset set = {0};
    char path[16] = "/news/1/";
    strset_add(&set, path);
    path[6] = '2';
    CHECK(strset_has(&set, "/news/1/"));
    CHECK(!strset_has(&set, path));
    strset_free(&set);
}

/* Thousands of routes, as a site has: every one found after the table
 * grew many times, none that was not added. */
static void test_growth(void)
{
    struct strset set = {0};
    char s[32];
    bool all_new = true;
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "/posts/%d/", i);
        all_new &= strset_add(&set, s);
    }
    CHECK(all_new);
    CHECK(set.n == 5000);
    CHECK(set.cap >= 2 * set.n);
    bool all_found = true, none_extra = true;
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "/posts/%d/", i);
        all_found &= strset_has(&set, s);
        snprintf(s, sizeof s, "/posts/%d", i);
        none_extra &= !strset_has(&set, s);
    }
    CHECK(all_found);
    CHECK(none_extra);
    snprintf(s, sizeof s, "/posts/%d/", 4999);
    CHECK(!strset_add(&set, s));
    CHECK(set.n == 5000);
    strset_free(&set);
}

int main(void)
{
    test_empty();
    test_add_and_find();
    test_copies();
    test_growth();
    return test_done();
}
