/* The configuration of a Jekyll site: Jekyll 4.3's defaults, then
 * _config.yml, then capsule.yaml when there is one (`--config a,b`: later
 * files deep-merged over earlier ones), then what Configuration.from adds:
 * `collections` as a hash with `posts` first (output, the site's permalink
 * style) and the default excludes. Every key is kept: one capsuled does not
 * use is never an error. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char defaults_yaml[] =
    "source: .\n"
    "destination: ./_site\n"
    "collections_dir: ''\n"
    "cache_dir: .jekyll-cache\n"
    "plugins_dir: _plugins\n"
    "layouts_dir: _layouts\n"
    "data_dir: _data\n"
    "includes_dir: _includes\n"
    "collections: {}\n"
    "safe: true\n"
    "include: [.htaccess]\n"
    "exclude: []\n"
    "keep_files: [.git, .svn]\n"
    "encoding: utf-8\n"
    "markdown_ext: markdown,mkdown,mkdn,mkd,md\n"
    "strict_front_matter: false\n"
    "show_drafts: ~\n"
    "limit_posts: 0\n"
    "future: false\n"
    "unpublished: false\n"
    "whitelist: []\n"
    "plugins: []\n"
    "markdown: kramdown\n"
    "highlighter: rouge\n"
    "lsi: false\n"
    "excerpt_separator: \"\\n\\n\"\n"
    "incremental: false\n"
    "detach: false\n"
    "port: '4000'\n"
    "host: 127.0.0.1\n"
    "baseurl: ~\n"
    "show_dir_listing: false\n"
    "permalink: date\n"
    "paginate_path: /page:num\n"
    "timezone: ~\n"
    "quiet: false\n"
    "verbose: false\n"
    "defaults: []\n"
    "liquid: {error_mode: warn, strict_filters: false, "
    "strict_variables: false}\n"
    "kramdown: {auto_ids: true, toc_levels: [1, 2, 3, 4, 5, 6], "
    "entity_output: as_char, smart_quotes: 'lsquo,rsquo,ldquo,rdquo', "
    "input: GFM, hard_wrap: false, guess_lang: true, footnote_nr: 1, "
    "show_warnings: false}\n";

static const char *const default_excludes[] = {
    ".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock",
    "node_modules", "vendor/bundle/", "vendor/cache/", "vendor/gems/",
    "vendor/ruby/"};

/* Configuration#add_default_excludes: the user's list, then Jekyll's. */
static struct value *with_excludes(const struct value *exclude)
{
    struct value *list = value_array();
    for (size_t i = 0; i < value_len(exclude); i++)
        value_array_push(list, value_retain(value_array_at(exclude, i)));
    for (size_t i = 0; i < sizeof default_excludes / sizeof *default_excludes;
         i++) {
        bool have = false;
        for (size_t k = 0; k < value_len(list) && !have; k++) {
            const char *t = value_text(value_array_at(list, k));
            have = t && strcmp(t, default_excludes[i]) == 0;
        }
        if (!have)
            value_array_push(list, value_cstring(default_excludes[i]));
    }
    return list;
}

/* Configuration#add_default_collections: `collections: [a, b]` is
 * {a: {}, b: {}}; posts first, written, at the permalink style. */
static struct value *with_posts(const struct value *collections,
                                const char *permalink)
{
    struct value *given = value_hash();
    if (value_kind(collections) == VALUE_ARRAY) {
        for (size_t i = 0; i < value_len(collections); i++) {
            const char *label = value_text(value_array_at(collections, i));
            if (label)
                value_hash_set(given, label, strlen(label), value_hash());
        }
    } else if (value_kind(collections) == VALUE_HASH) {
        value_hash_merge(given, collections);
    }
    const struct value *p = value_hash_get(given, "posts");
    struct value *posts = value_hash();
    if (value_kind(p) == VALUE_HASH)
        value_hash_merge(posts, p);
    value_hash_set(posts, "output", 6, value_bool(true));
    if (!jk_str(posts, "permalink", NULL))
        value_hash_set(posts, "permalink", 9,
                       value_cstring(jekyll_permalink_style(permalink)));
    struct value *out = value_hash();
    value_hash_set(out, "posts", 5, posts);
    for (size_t i = 0; i < value_len(given); i++) {
        size_t len;
        const char *key = value_hash_key_at(given, i, &len);
        const struct value *meta = value_hash_value_at(given, i);
        if (strcmp(key, "posts") != 0)
            value_hash_set(out, key, len, value_kind(meta) == VALUE_HASH
                                              ? value_retain(meta)
                                              : value_hash());
    }
    value_release(given);
    return out;
}

int jekyll_config_from(const char *const *names, const char *const *texts,
                       size_t n, struct value **out, struct diags *diags)
{
    struct value *cfg = NULL;
    jk_yaml("(defaults)", 1, defaults_yaml, sizeof defaults_yaml - 1,
            DIAG_ERROR, &cfg, diags);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct value *v = NULL;
        if (!texts[i])
            continue;
        if (jk_yaml(names[i], 1, texts[i], strlen(texts[i]), DIAG_ERROR, &v,
                    diags) < 0) {
            rc = -1;
            continue;
        }
        if (value_kind(v) == VALUE_HASH) { /* an empty file adds nothing */
            struct value *m = jk_merge(cfg, v);
            value_release(cfg);
            cfg = m;
        }
        value_release(v);
    }
    struct value *c = jk_with(cfg, "collections",
                              with_posts(value_hash_get(cfg, "collections"),
                                         jk_str(cfg, "permalink", "date")));
    struct value *e = jk_with(c, "exclude",
                              with_excludes(value_hash_get(cfg, "exclude")));
    value_release(cfg);
    value_release(c);
    *out = e;
    return rc;
}

bool jekyll_is_site(const char *dir)
{
    struct stat st;
    char *path = jk_join(dir, "_config.yml");
    bool yes = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return yes;
}
