/* One document of a Jekyll site picked by its URL, loaded as the server
 * loads it (the site's values for Liquid), for `capsuled render --page`
 * and for `check`'s walk over every page. */
#include "capsuled/site.h"
#include "site_internal.h"
#include "capsuled/url.h"

#include <stdlib.h>
#include <string.h>

/* URL as a comparable path: decoded, normalised, no "index.html" or
 * ".html", no '/' at the end ("/about.html", "/about/", "about" are all
 * "/about"; "/index.html" is "/"). */
static char *url_key(const char *url)
{
    size_t n = strlen(url);
    char *decoded = xmalloc(n + 1), *out = xmalloc(n + 3);
    long len = url_decode(url, n, decoded, n + 1);
    struct buf b = {0};
    if (len >= 0 && decoded[0] != '/')
        buf_putc(&b, '/');
    if (len >= 0)
        buf_put(&b, decoded, (size_t)len);
    bool ok = len >= 0 && site_normalize_path(b.data, b.len, out, n + 3);
    buf_free(&b);
    free(decoded);
    if (!ok) {
        free(out);
        return NULL;
    }
    size_t k = strlen(out);
    if (k >= 11 && strcmp(out + k - 11, "/index.html") == 0)
        out[k -= 10] = '\0'; /* "/cv/index.html" is "/cv/" */
    else if (k > 5 && strcmp(out + k - 5, ".html") == 0)
        out[k -= 5] = '\0';
    if (k > 1 && out[k - 1] == '/')
        out[--k] = '\0';
    return out;
}

bool site_url_same(const char *a, const char *b)
{
    char *x = url_key(a), *y = url_key(b);
    bool same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

const struct jekyll_doc *site_find_doc(const struct jekyll_site *js,
                                       const char *url)
{
    /* The last of several at one URL: the one Jekyll writes last. */
    for (size_t k = js ? js->n_docs : 0; k-- > 0;)
        if (site_url_same(js->docs[k].url, url))
            return &js->docs[k];
    return NULL;
}

int site_load_doc(const struct config *cfg, const struct jekyll_site *js,
                  const struct jekyll_doc *d, struct page *page,
                  struct doc *doc, struct diags *diags)
{
    struct config view = *cfg;
    view.site.vars = value_hash();
    value_hash_merge(view.site.vars, cfg->site.vars);
    value_hash_merge(view.site.vars, js->site);
    struct buf shown = {0};
    buf_printf(&shown, "%s/%s", js->root, d->path);
    int rc = site_doc_page(js, d, shown.data, &view, page, diags);
    if (rc == 0)
        doc_build(page, cfg, doc, diags);
    else
        page_free(page);
    value_release(view.site.vars);
    buf_free(&shown);
    return rc;
}

int site_content_select(struct site_content *c, const struct config *cfg,
                        const char *url, struct diags *diags)
{
    const struct jekyll_doc *d = site_find_doc(c->jekyll, url);
    if (!d || d->kind == JEKYLL_STATIC) {
        diags_add(diags, DIAG_ERROR, c->jekyll ? c->jekyll->root : NULL, 0,
                  "no page or item at %s (`capsuled list` shows the URLs)",
                  url);
        return -1;
    }
    if (site_url_same(d->url, "/"))
        return 0; /* the home page, loaded already */
    struct page page;
    struct doc doc;
    if (site_load_doc(cfg, c->jekyll, d, &page, &doc, diags) < 0)
        return -1;
    page_free(&c->page);
    doc_free(&c->doc);
    news_free(&c->news);
    c->page = page;
    c->doc = doc;
    free(c->page_path);
    c->page_path = xstrdup(page.path);
    /* As the server shows another page: its own text, no card, no news. */
    c->opts.page = &c->page;
    c->opts.news = NULL;
    c->opts.card = NULL;
    return 0;
}
