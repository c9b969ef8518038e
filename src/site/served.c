/* What `capsuled check` says about the protocols beside Gemini and Gopher:
 * what Finger and Spartan serve when enabled, and what in the content or
 * the configuration keeps them from serving it (a section no finger name
 * reaches, a listener another protocol already holds). */
#include "capsuled/paths.h"
#include "capsuled/site.h"

#include <string.h>
#include <strings.h>

/* --- finger --- */

/* Why a section's slug is no finger name of its own, or NULL. */
static const char *finger_unreachable(const struct doc *d, size_t i)
{
    const char *slug = d->sections[i].slug;
    if (strchr(slug, '@'))
        return "a name with '@' is a forwarding request, refused";
    if (strcasecmp(slug, "plan") == 0)
        return "'plan' answers the latest news";
    for (size_t k = 0; k < i; k++)
        if (path_slug_is_safe(d->sections[k].slug) &&
            strcasecmp(d->sections[k].slug, slug) == 0)
            return "an earlier section has the same name in another case";
    return NULL;
}

static void check_finger(const struct config *cfg,
                         const struct site_content *c, struct diags *diags)
{
    const struct doc *d = &c->doc;
    struct buf names = {0};
    size_t n = 0;
    for (size_t i = 0; i < d->n_sections; i++) {
        const char *slug = d->sections[i].slug;
        if (!path_slug_is_safe(slug))
            continue; /* reported with the heading */
        const char *why = finger_unreachable(d, i);
        if (why) {
            diags_add(diags, DIAG_WARNING, c->page_path, 0,
                      "finger: section '%s' cannot be fingered: %s", slug,
                      why);
            continue;
        }
        buf_printf(&names, "%s%s", n++ ? ", " : "", slug);
    }
    diags_add(diags, DIAG_NOTE, cfg->file, 0,
              "finger: serves the card (finger @%s), the .plan and %zu "
              "section%s by name: %s", cfg->gopher.host, n, n == 1 ? "" : "s",
              names.data ? names.data : "(none)");
    buf_free(&names);
}

/* --- spartan --- */

static void check_spartan(const struct config *cfg,
                          const struct site_content *c, struct diags *diags)
{
    struct buf url = {0};
    path_spartan_url(&url, cfg->spartan.host, cfg->spartan.port, PATH_HOME);
    diags_add(diags, DIAG_NOTE, cfg->file, 0,
              "spartan: serves the Gemini pages (%zu sections, %zu news "
              "items) at %s; search takes its terms as upload data, other "
              "uploads are refused", c->doc.n_sections, c->news.n, url.data);
    buf_free(&url);
}

/* --- listeners --- */

struct listeners {
    const char *key;
    const struct cfg_listen *items;
    size_t n;
    bool enabled;
};

/* Whether two addresses bind one socket: the same port on the same
 * address, or on any address ("*" or "") and another. */
static bool same_socket(const struct cfg_listen *a, const struct cfg_listen *b)
{
    if (a->port != b->port)
        return false;
    const char *x = a->addr ? a->addr : "", *y = b->addr ? b->addr : "";
    return strcmp(x, y) == 0 || strcmp(x, "*") == 0 || !*x ||
           strcmp(y, "*") == 0 || !*y;
}

static void check_pair(const struct config *cfg, const struct listeners *a,
                       const struct listeners *b, struct diags *diags)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < b->n; k++)
            if (same_socket(&a->items[i], &b->items[k])) {
                diags_add(diags, DIAG_WARNING, cfg->file, 0,
                          "%s and %s both bind port %d (%s): the server "
                          "cannot start", a->key, b->key, a->items[i].port,
                          a->items[i].addr && *a->items[i].addr
                              ? a->items[i].addr
                              : "*");
                return;
            }
}

static void check_listeners(const struct config *cfg, struct diags *diags)
{
    const struct listeners all[] = {
        {"gemini.listen", cfg->gemini.listen, cfg->gemini.n_listen,
         cfg->gemini.enabled},
        {"gopher.listen", cfg->gopher.listen, cfg->gopher.n_listen,
         cfg->gopher.enabled},
        {"finger.listen", cfg->finger.listen, cfg->finger.n_listen,
         cfg->finger.enabled},
        {"spartan.listen", cfg->spartan.listen, cfg->spartan.n_listen,
         cfg->spartan.enabled},
    };
    size_t n = sizeof all / sizeof *all;
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (all[i].enabled && all[k].enabled)
                check_pair(cfg, &all[i], &all[k], diags);
}

void site_check_served(const struct config *cfg, const struct site_content *c,
                       struct diags *diags)
{
    if (cfg->finger.enabled)
        check_finger(cfg, c, diags);
    if (cfg->spartan.enabled)
        check_spartan(cfg, c, diags);
    check_listeners(cfg, diags);
}
