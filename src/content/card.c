/* The card from the configuration, in the shapes the themes give it (see
 * capsuled/card.h). A profile's URL is the theme's own: academicpages'
 * author-profile.html writes https://github.com/{{ author.github }}, and
 * al-folio's social.html https://scholar.google.com/citations?user=…. */
#include "capsuled/card.h"

#include "capsuled/buf.h"

#include <stdlib.h>
#include <string.h>

/* A profile key and the URL a user name goes into (%s); NULL: the value
 * is a URL. */
struct profile {
    const char *key, *label, *url;
};

/* AcadHomepage and academicpages: keys of `author`. */
static const struct profile author_profiles[] = {
    {"uri", "Website", NULL},
    {"googlescholar", "Google Scholar", NULL},
    {"orcid", "ORCID", NULL},
    {"researchgate", "ResearchGate", NULL},
    {"academia", "Academia", NULL},
    {"arxiv", "arXiv", NULL},
    {"semantic", "Semantic Scholar", NULL},
    {"pubmed", "PubMed", NULL},
    {"scopus", "Scopus", NULL},
    {"impactstory", "ImpactStory", NULL},
    {"dblp", "DBLP", NULL},
    {"github", "GitHub", "https://github.com/%s"},
    {"gitlab", "GitLab", "https://gitlab.com/%s"},
    {"bitbucket", "Bitbucket", "https://bitbucket.org/%s"},
    {"kaggle", "Kaggle", "https://www.kaggle.com/%s"},
    {"stackoverflow", "Stack Overflow", "https://stackoverflow.com/users/%s"},
    {"linkedin", "LinkedIn", "https://www.linkedin.com/in/%s"},
    {"twitter", "Twitter", "https://twitter.com/%s"},
    {"bluesky", "Bluesky", "https://bsky.app/profile/%s"},
    {"mastodon", "Mastodon", NULL},
    {"facebook", "Facebook", "https://www.facebook.com/%s"},
    {"instagram", "Instagram", "https://instagram.com/%s"},
    {"youtube", "YouTube", "https://youtube.com/%s"},
    {"keybase", "Keybase", "https://keybase.io/%s"},
    {"wikipedia", "Wikipedia", "https://en.wikipedia.org/wiki/%s"},
};

/* al-folio: keys at the top of _config.yml or in _data/socials.yml. */
static const struct profile folio_profiles[] = {
    {"scholar_userid", "Google Scholar",
     "https://scholar.google.com/citations?user=%s"},
    {"orcid_id", "ORCID", "https://orcid.org/%s"},
    {"research_gate_profile", "ResearchGate",
     "https://www.researchgate.net/profile/%s"},
    {"semanticscholar_id", "Semantic Scholar",
     "https://www.semanticscholar.org/author/%s"},
    {"dblp_url", "DBLP", NULL},
    {"github_username", "GitHub", "https://github.com/%s"},
    {"gitlab_username", "GitLab", "https://gitlab.com/%s"},
    {"linkedin_username", "LinkedIn", "https://www.linkedin.com/in/%s"},
    {"x_username", "X", "https://twitter.com/%s"},
    {"twitter_username", "Twitter", "https://twitter.com/%s"},
    {"bluesky_url", "Bluesky", NULL},
    {"mastodon_username", "Mastodon", NULL},
    {"medium_username", "Medium", "https://medium.com/@%s"},
    {"quora_username", "Quora", "https://www.quora.com/profile/%s"},
    {"stackoverflow_id", "Stack Overflow", "https://stackoverflow.com/users/%s"},
    {"keybase_username", "Keybase", "https://keybase.io/%s"},
    {"wikidata_id", "Wikidata", "https://www.wikidata.org/wiki/%s"},
    {"blogger_url", "Blog", NULL},
    {"work_url", "Work", NULL},
};

/* The text of a scalar, NULL when missing, nil, false or blank. */
static const char *text_of(const struct value *v)
{
    enum value_kind k = value_kind(v);
    const char *s = value_text(v);
    if (k == VALUE_NIL || k == VALUE_ARRAY || k == VALUE_HASH ||
        (k == VALUE_BOOL && !value_bool_of(v)) || !s)
        return NULL;
    while (*s == ' ')
        s++;
    return *s ? s : NULL;
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static void add_link(struct card *c, const char *label, const char *url)
{
    for (size_t i = 0; i < c->n_links; i++)
        if (strcmp(c->links[i].url, url) == 0)
            return;
    c->links = xrealloc(c->links, (c->n_links + 1) * sizeof *c->links);
    c->links[c->n_links].label = xstrdup(label);
    c->links[c->n_links++].url = xstrdup(url);
}

static void add_profile(struct card *c, const struct profile *p,
                        const char *value)
{
    struct buf url = {0};
    if (is_url(value) || !p->url)
        buf_puts(&url, value);
    else
        buf_printf(&url, p->url, value);
    if (is_url(url.data))
        add_link(c, p->label, url.data);
    buf_free(&url);
}

static void add_profiles(struct card *c, const struct value *from,
                         const struct profile *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = text_of(value_hash_get(from, list[i].key));
        if (v)
            add_profile(c, &list[i], v);
    }
}

/* minimal-mistakes' author.links: [{label, url}, …]. */
static void add_listed(struct card *c, const struct value *links)
{
    for (size_t i = 0; i < value_len(links); i++) {
        const struct value *l = value_array_at(links, i);
        const char *url = text_of(value_hash_get(l, "url"));
        const char *label = text_of(value_hash_get(l, "label"));
        if (url && is_url(url))
            add_link(c, label ? label : url, url);
    }
}

static char *folio_name(const struct value *site)
{
    static const char *const parts[] = {"first_name", "middle_name",
                                        "last_name"};
    struct buf b = {0};
    for (size_t i = 0; i < 3; i++) {
        const char *p = text_of(value_hash_get(site, parts[i]));
        if (p)
            buf_printf(&b, "%s%s", b.len ? " " : "", p);
    }
    return b.len ? buf_detach(&b) : NULL;
}

static char *place_of(const struct value *author)
{
    const char *loc = text_of(value_hash_get(author, "location"));
    const char *emp = text_of(value_hash_get(author, "employer"));
    struct buf b = {0};
    if (loc)
        buf_puts(&b, loc);
    if (emp)
        buf_printf(&b, "%s%s", b.len ? " · " : "", emp);
    return b.len ? buf_detach(&b) : NULL;
}

static const char *email_of(const struct value *site,
                            const struct value *author,
                            const struct value *socials)
{
    const char *e = text_of(value_hash_get(author, "email"));
    if (!e)
        e = text_of(value_hash_get(site, "email"));
    if (!e)
        e = text_of(value_hash_get(socials, "email"));
    return e;
}

void card_build(const struct value *site, struct card *out)
{
    memset(out, 0, sizeof *out);
    const struct value *author = value_hash_get(site, "author");
    const struct value *socials = value_path_get(site, "data.socials");
    const char *name = text_of(value_hash_get(author, "name"));
    out->name = name ? xstrdup(name) : folio_name(site);
    const char *bio = text_of(value_hash_get(author, "bio"));
    out->bio = bio ? xstrdup(bio) : NULL;
    out->place = place_of(author);
    const char *email = email_of(site, author, socials);
    if (email) {
        /* Labelled as the themes' sidebars label it, the address shown
         * too: on the web it hides behind the link. */
        struct buf m = {0}, label = {0};
        buf_printf(&m, "mailto:%s", email);
        buf_printf(&label, "Email: %s", email);
        add_link(out, label.data, m.data);
        buf_free(&m);
        buf_free(&label);
    }
    size_t na = sizeof author_profiles / sizeof *author_profiles;
    size_t nf = sizeof folio_profiles / sizeof *folio_profiles;
    add_profiles(out, author, author_profiles, na);
    add_listed(out, value_hash_get(author, "links"));
    add_profiles(out, site, folio_profiles, nf);
    add_profiles(out, socials, folio_profiles, nf);
}

void card_free(struct card *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_links; i++) {
        free(c->links[i].label);
        free(c->links[i].url);
    }
    free(c->links);
    free(c->name);
    free(c->bio);
    free(c->place);
    memset(c, 0, sizeof *c);
}
