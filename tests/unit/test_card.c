/* The card from the configuration in each theme's shape: academicpages /
 * AcadHomepage `author.*`, minimal-mistakes `author.links`, al-folio's
 * top-level keys and _data/socials.yml; empty keys left out, each URL
 * once, the email as a mailto: link first. */
#include "test.h"

#include "capsuled/card.h"
#include "capsuled/jekyll.h"

static struct value *site_of(const char *yaml)
{
    const char *names[] = {"_config.yml"};
    const char *texts[] = {yaml};
    struct value *v = NULL;
    struct diags d = {0};
    CHECK(jekyll_config_from(names, texts, 1, &v, &d) == 0);
    diags_free(&d);
    return v;
}

static void test_academicpages(void)
{
    struct value *site = site_of(
        "author:\n  name: Ada\n  bio: Networks\n  location: Earth\n"
        "  employer: Red Brick\n  email: ada@example.org\n"
        "  googlescholar: https://scholar.google.com/citations?user=X\n"
        "  github: ada\n  linkedin:\n  twitter: https://twitter.com/ada\n"
        "  links:\n    - {label: Blog, url: 'https://blog.example.org'}\n"
        "    - {label: Again, url: 'https://github.com/ada'}\n");
    struct card c;
    card_build(site, &c);
    CHECK_STR(c.name, "Ada");
    CHECK_STR(c.bio, "Networks");
    CHECK_STR(c.place, "Earth · Red Brick");
    CHECK(c.n_links == 5);
    if (c.n_links == 5) {
        CHECK_STR(c.links[0].url, "mailto:ada@example.org");
        CHECK_STR(c.links[0].label, "Email: ada@example.org");
        CHECK_STR(c.links[1].label, "Google Scholar");
        CHECK_STR(c.links[2].url, "https://github.com/ada");
        CHECK_STR(c.links[3].url, "https://twitter.com/ada");
        CHECK_STR(c.links[4].label, "Blog");
    }
    card_free(&c);
    value_release(site);
}

static void test_al_folio(void)
{
    struct value *site = site_of(
        "first_name: Grace\nmiddle_name:\nlast_name: Hopper\n"
        "email: grace@example.org\nscholar_userid: ABC\n"
        "data:\n  socials:\n    github_username: grace\n"
        "    orcid_id: 0000-0001\n    email: other@example.org\n");
    struct card c;
    card_build(site, &c);
    CHECK_STR(c.name, "Grace Hopper");
    CHECK(c.bio == NULL && c.place == NULL);
    CHECK(c.n_links == 4);
    if (c.n_links == 4) {
        CHECK_STR(c.links[0].url, "mailto:grace@example.org");
        CHECK_STR(c.links[1].url,
                  "https://scholar.google.com/citations?user=ABC");
        CHECK_STR(c.links[2].url, "https://orcid.org/0000-0001");
        CHECK_STR(c.links[3].url, "https://github.com/grace");
    }
    card_free(&c);
    value_release(site);
}

static void test_empty(void)
{
    struct value *site = site_of("author:\n  name: ''\n  github: false\n"
                                 "  uri: not a url\n");
    struct card c;
    card_build(site, &c);
    CHECK(c.name == NULL && c.n_links == 0);
    card_free(&c);
    value_release(site);
    card_build(NULL, &c);
    CHECK(c.name == NULL && c.n_links == 0);
    card_free(&c);
}

int main(void)
{
    test_academicpages();
    test_al_folio();
    test_empty();
    return test_done();
}
