/* capsule.yaml loading: libyaml's document API gives a tree whose nodes carry
 * their line, so every problem is reported as "file:line: key: problem".
 * Values are read into the struct, then the settings that depend on others
 * (listen addresses on the port, certificate paths on the host name, the
 * page on the files present) are derived in one place. */
#include "capsuled/config.h"

#include "capsuled/buf.h"
#include "capsuled/file.h"
#include "capsuled/utf8.h"
#include "capsuled/value_yaml.h"
#include "capsuled/yaml_budget.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

struct loader {
    const char *file;
    yaml_document_t *doc;
    struct config *cfg;
    struct diags *diags;
    int errors;
    bool gemini_listen_set, gopher_listen_set, finger_listen_set, gopher_host_set, page_set;
    bool spartan_listen_set, spartan_host_set;
    struct value *vars; /* the whole document, for Liquid's `site` */
};

/* --- small helpers --- */

static char *join_path(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        return xstrdup(path);
    struct buf b = {0};
    buf_printf(&b, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", path);
    return buf_detach(&b);
}

static void replace(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

static int node_line(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

static const char *node_kind(const yaml_node_t *node)
{
    switch (node ? node->type : YAML_NO_NODE) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static const char *scalar_text(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* `key:` with no value, `~` and `null` leave a setting at its default. */
static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE ||
        node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = scalar_text(node);
    return !s[0] || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

static void error_at(struct loader *ld, const yaml_node_t *node, const char *key,
                     const char *fmt, const char *detail)
{
    struct buf msg = {0};
    buf_printf(&msg, fmt, detail);
    diags_add(ld->diags, DIAG_ERROR, ld->file, node_line(node), "%s: %s", key,
              msg.data);
    buf_free(&msg);
    ld->errors++;
}

static void wrong_kind(struct loader *ld, const yaml_node_t *node,
                       const char *key, const char *expected)
{
    diags_add(ld->diags, DIAG_ERROR, ld->file, node_line(node),
              "%s: expected %s, got %s", key, expected, node_kind(node));
    ld->errors++;
}

static yaml_node_t *node_at(struct loader *ld, int index)
{
    return yaml_document_get_node(ld->doc, index);
}

/* --- typed readers: each reports its own error and leaves *out alone on
 * failure, so a bad value never hides the defaults --- */

static void read_string(struct loader *ld, const yaml_node_t *node,
                        const char *key, char **out)
{
    if (is_null(node))
        return;
    if (node->type != YAML_SCALAR_NODE) {
        wrong_kind(ld, node, key, "a string");
        return;
    }
    replace(out, xstrdup(scalar_text(node)));
}

static void read_bool(struct loader *ld, const yaml_node_t *node,
                      const char *key, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    if (is_null(node))
        return;
    if (node->type != YAML_SCALAR_NODE) {
        wrong_kind(ld, node, key, "true or false");
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(scalar_text(node), yes[i]) == 0) {
            *out = true;
            return;
        }
        if (strcasecmp(scalar_text(node), no[i]) == 0) {
            *out = false;
            return;
        }
    }
    error_at(ld, node, key, "expected true or false, got '%s'", scalar_text(node));
}

static bool parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void read_int(struct loader *ld, const yaml_node_t *node,
                     const char *key, long min, long max, int *out)
{
    long v;
    if (is_null(node))
        return;
    if (node->type == YAML_SCALAR_NODE && parse_int(scalar_text(node), min, max, &v)) {
        *out = (int)v;
        return;
    }
    struct buf msg = {0};
    buf_printf(&msg, "expected an integer from %ld to %ld, got ", min, max);
    if (node->type == YAML_SCALAR_NODE)
        buf_printf(&msg, "'%s'", scalar_text(node));
    else
        buf_puts(&msg, node_kind(node));
    diags_add(ld->diags, DIAG_ERROR, ld->file, node_line(node), "%s: %s", key,
              msg.data);
    buf_free(&msg);
    ld->errors++;
}

/* A size in bytes, up to 1 GiB: a content file beyond that is a mistake
 * (and a snapshot holds it several times over). */
static void read_byte_count(struct loader *ld, const yaml_node_t *node,
                            const char *key, size_t *out)
{
    int bytes = (int)*out;
    read_int(ld, node, key, 1, 1L << 30, &bytes);
    *out = (size_t)bytes;
}

static void read_seconds(struct loader *ld, const yaml_node_t *node,
                         const char *key, int *out_ms)
{
    if (is_null(node))
        return;
    if (node->type == YAML_SCALAR_NODE) {
        char *end;
        double v = strtod(scalar_text(node), &end);
        if (end != scalar_text(node) && !*end && isfinite(v) && v >= 0.001 &&
            v <= 3600) {
            *out_ms = (int)(v * 1000 + 0.5);
            return;
        }
        error_at(ld, node, key, "expected a number of seconds from 0.001 to 3600, got '%s'",
                 scalar_text(node));
        return;
    }
    wrong_kind(ld, node, key, "a number of seconds");
}

static bool valid_host_name(const char *s)
{
    if (!s[0] || strlen(s) > 253)
        return false;
    for (; *s; s++)
        if (*s <= ' ' || strchr("/\\?#@:[]", *s))
            return false;
    return true;
}

static void read_host_name(struct loader *ld, const yaml_node_t *node,
                           const char *key, char **out)
{
    char *name = NULL;
    read_string(ld, node, key, &name);
    if (!name)
        return;
    if (!valid_host_name(name)) {
        error_at(ld, node, key, "expected a host name, got '%s'", name);
        free(name);
        return;
    }
    replace(out, lower_dup(name));
    free(name);
}

/* A scalar or a list of scalars, e.g. `aliases: example.org` or
 * `aliases: [a.example, b.example]`. Each element goes through check. */
typedef bool (*item_fn)(struct loader *ld, const yaml_node_t *item,
                        const char *key, void *list);

static void read_list(struct loader *ld, const yaml_node_t *node,
                      const char *key, item_fn add, void *list)
{
    if (is_null(node))
        return;
    if (node->type == YAML_SCALAR_NODE) {
        add(ld, node, key, list);
        return;
    }
    if (node->type != YAML_SEQUENCE_NODE) {
        wrong_kind(ld, node, key, "a string or a list of strings");
        return;
    }
    for (yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        yaml_node_t *item = node_at(ld, *it);
        if (!item || item->type != YAML_SCALAR_NODE)
            wrong_kind(ld, item ? item : node, key, "a string");
        else
            add(ld, item, key, list);
    }
}

static bool add_alias(struct loader *ld, const yaml_node_t *item,
                      const char *key, void *list)
{
    struct cfg_host *h = list;
    if (!valid_host_name(scalar_text(item))) {
        error_at(ld, item, key, "expected a host name, got '%s'", scalar_text(item));
        return false;
    }
    h->aliases = xrealloc(h->aliases, (h->n_aliases + 1) * sizeof *h->aliases);
    h->aliases[h->n_aliases++] = lower_dup(scalar_text(item));
    return true;
}

struct listen_list {
    struct cfg_listen **items;
    size_t *n;
};

/* "127.0.0.1:1965", "[::1]:1965", "*:70", ":70", a bare address (port 0:
 * the public port, known once the whole file was read) or a bare port (any
 * address). */
static bool parse_listen(const char *s, struct cfg_listen *out)
{
    char host[256];
    const char *port = NULL;
    long p = 0;
    if (strlen(s) >= sizeof host)
        return false;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        port = close[1] ? close + 2 : NULL;
    } else if (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':')) {
        const char *colon = strchr(s, ':');
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    } else if (s[0] >= '0' && s[0] <= '9' && !strchr(s, '.')) {
        strcpy(host, "*");
        port = s;
    } else {
        strcpy(host, s);
    }
    if (port && !parse_int(port, 1, 65535, &p))
        return false;
    unsigned char addr[16];
    if (strcmp(host, "*") && host[0] && inet_pton(AF_INET, host, addr) != 1 &&
        inet_pton(AF_INET6, host, addr) != 1)
        return false;
    out->addr = xstrdup(host);
    out->port = (int)p;
    return true;
}

static bool add_listen(struct loader *ld, const yaml_node_t *item,
                       const char *key, void *list)
{
    struct listen_list *l = list;
    struct cfg_listen one;
    if (!parse_listen(scalar_text(item), &one)) {
        error_at(ld, item, key,
                 "expected ADDRESS:PORT ('127.0.0.1:1965', '[::1]:1965', '*:70'), got '%s'",
                 scalar_text(item));
        return false;
    }
    *l->items = xrealloc(*l->items, (*l->n + 1) * sizeof **l->items);
    (*l->items)[(*l->n)++] = one;
    return true;
}

static void free_listens(struct cfg_listen **items, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*items)[i].addr);
    free(*items);
    *items = NULL;
    *n = 0;
}

/* Reads a listen list, replacing the defaults only when it parses. */
static bool read_listen(struct loader *ld, const yaml_node_t *node,
                        const char *key, struct cfg_listen **items, size_t *n)
{
    struct cfg_listen *got = NULL;
    size_t count = 0;
    int before = ld->errors;
    struct listen_list l = {&got, &count};
    if (is_null(node))
        return false;
    read_list(ld, node, key, add_listen, &l);
    if (ld->errors != before) {
        free_listens(&got, &count);
        return false;
    }
    free_listens(items, n);
    *items = got;
    *n = count;
    return true;
}

static void warn_unknown(struct loader *ld, const yaml_node_t *key_node,
                         const char *prefix)
{
    diags_add(ld->diags, DIAG_WARNING, ld->file, node_line(key_node),
              "%s%s%s: unknown key (ignored)", prefix, prefix[0] ? "." : "",
              scalar_text(key_node));
}

/* Walks a mapping, calling set for each key; reports non-scalar keys. */
typedef bool (*key_fn)(struct loader *ld, const char *key, yaml_node_t *value,
                       void *target);

static void each_pair(struct loader *ld, const yaml_node_t *map,
                      const char *prefix, key_fn set, void *target,
                      bool warn)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        if (!k || !v)
            continue;
        if (k->type != YAML_SCALAR_NODE) {
            wrong_kind(ld, k, prefix[0] ? prefix : "key", "a plain key");
            continue;
        }
        if (!set(ld, scalar_text(k), v, target) && warn)
            warn_unknown(ld, k, prefix);
    }
}

static bool expect_mapping(struct loader *ld, const yaml_node_t *node,
                           const char *key)
{
    if (is_null(node))
        return false;
    if (node->type != YAML_MAPPING_NODE) {
        wrong_kind(ld, node, key, "a mapping");
        return false;
    }
    return true;
}

/* --- sections --- */

static bool set_author(struct loader *ld, const char *key, yaml_node_t *v,
                       void *target)
{
    struct cfg_site *site = target;
    struct buf full = {0};
    buf_printf(&full, "author.%s", key);
    if (strcmp(key, "name") == 0)
        read_string(ld, v, full.data, &site->author_name);
    else if (strcmp(key, "bio") == 0)
        read_string(ld, v, full.data, &site->author_bio);
    else if (strcmp(key, "email") == 0)
        read_string(ld, v, full.data, &site->author_email);
    buf_free(&full);
    return true; /* Jekyll themes define many more author.* keys */
}

struct host_ctx {
    struct cfg_host *host;
    const char *prefix;
};

static bool set_host_key(struct loader *ld, const char *key, yaml_node_t *v,
                         struct cfg_host *h, const char *prefix)
{
    struct buf full = {0};
    bool known = true;
    buf_printf(&full, "%s.%s", prefix, key);
    if (strcmp(key, "host") == 0 || strcmp(key, "name") == 0)
        read_host_name(ld, v, full.data, &h->name);
    else if (strcmp(key, "aliases") == 0)
        read_list(ld, v, full.data, add_alias, h);
    else if (strcmp(key, "root") == 0)
        read_string(ld, v, full.data, &h->root);
    else if (strcmp(key, "cert") == 0)
        read_string(ld, v, full.data, &h->cert_file);
    else if (strcmp(key, "key") == 0)
        read_string(ld, v, full.data, &h->key_file);
    else
        known = false;
    buf_free(&full);
    return known;
}

static bool set_extra_host(struct loader *ld, const char *key, yaml_node_t *v,
                           void *target)
{
    struct host_ctx *hc = target;
    if (strcmp(key, "host") == 0)
        return false; /* extra hosts spell it "name" */
    return set_host_key(ld, key, v, hc->host, hc->prefix);
}

/* Each extra host is a whole site, built and kept in memory: a list of
 * aliases to one host (`hosts: [*h, *h, …]`) made 2,000 of them from 6 KB
 * of YAML and took the server past 1.5 GB. */
#define MAX_EXTRA_HOSTS 64

static void read_extra_hosts(struct loader *ld, const yaml_node_t *node)
{
    struct cfg_gemini *g = &ld->cfg->gemini;
    if (is_null(node))
        return;
    if (node->type != YAML_SEQUENCE_NODE) {
        wrong_kind(ld, node, "gemini.hosts", "a list of hosts");
        return;
    }
    size_t n = (size_t)(node->data.sequence.items.top -
                        node->data.sequence.items.start);
    if (n > MAX_EXTRA_HOSTS) {
        diags_add(ld->diags, DIAG_ERROR, ld->file, node_line(node),
                  "gemini.hosts: at most %d hosts, got %zu", MAX_EXTRA_HOSTS, n);
        ld->errors++;
        return;
    }
    for (yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        yaml_node_t *item = node_at(ld, *it);
        struct buf prefix = {0};
        buf_printf(&prefix, "gemini.hosts[%zu]", (size_t)(it - node->data.sequence.items.start));
        if (item && expect_mapping(ld, item, prefix.data)) {
            struct cfg_host h = {0};
            struct host_ctx hc = {&h, prefix.data};
            each_pair(ld, item, prefix.data, set_extra_host, &hc, true);
            if (!h.name) {
                diags_add(ld->diags, DIAG_ERROR, ld->file, node_line(item),
                          "%s: name: missing (every extra host needs one)", prefix.data);
                ld->errors++;
            }
            g->hosts = xrealloc(g->hosts, (g->n_hosts + 1) * sizeof *g->hosts);
            g->hosts[g->n_hosts++] = h;
        }
        buf_free(&prefix);
    }
}

static bool set_gemini(struct loader *ld, const char *key, yaml_node_t *v,
                       void *target)
{
    struct cfg_gemini *g = target;
    if (strcmp(key, "port") == 0) {
        read_int(ld, v, "gemini.port", 1, 65535, &g->port);
    } else if (strcmp(key, "listen") == 0) {
        ld->gemini_listen_set |= read_listen(ld, v, "gemini.listen", &g->listen,
                                             &g->n_listen);
    } else if (strcmp(key, "enabled") == 0) {
        read_bool(ld, v, "gemini.enabled", &g->enabled);
    } else if (strcmp(key, "proxy_protocol") == 0) {
        read_bool(ld, v, "gemini.proxy_protocol", &g->proxy_protocol);
    } else if (strcmp(key, "hosts") == 0) {
        read_extra_hosts(ld, v);
    } else {
        return strcmp(key, "name") != 0 &&
               set_host_key(ld, key, v, &g->hosts[0], "gemini");
    }
    return true;
}

static bool set_gopher(struct loader *ld, const char *key, yaml_node_t *v,
                       void *target)
{
    struct cfg_gopher *g = target;
    if (strcmp(key, "host") == 0) {
        char *before = g->host;
        read_host_name(ld, v, "gopher.host", &g->host);
        ld->gopher_host_set |= g->host != before;
    } else if (strcmp(key, "port") == 0) {
        read_int(ld, v, "gopher.port", 1, 65535, &g->port);
    } else if (strcmp(key, "listen") == 0) {
        ld->gopher_listen_set |= read_listen(ld, v, "gopher.listen", &g->listen,
                                             &g->n_listen);
    } else if (strcmp(key, "width") == 0) {
        read_int(ld, v, "gopher.width", 20, 1000, &g->width);
    } else if (strcmp(key, "admin") == 0) {
        read_string(ld, v, "gopher.admin", &g->admin);
    } else if (strcmp(key, "enabled") == 0) {
        read_bool(ld, v, "gopher.enabled", &g->enabled);
    } else if (strcmp(key, "proxy_protocol") == 0) {
        read_bool(ld, v, "gopher.proxy_protocol", &g->proxy_protocol);
    } else {
        return false;
    }
    return true;
}

static bool set_finger(struct loader *ld, const char *key, yaml_node_t *v,
                       void *target)
{
    struct cfg_finger *f = target;
    if (strcmp(key, "listen") == 0)
        ld->finger_listen_set |= read_listen(ld, v, "finger.listen",
                                             &f->listen, &f->n_listen);
    else if (strcmp(key, "enabled") == 0)
        read_bool(ld, v, "finger.enabled", &f->enabled);
    else if (strcmp(key, "ascii") == 0)
        read_bool(ld, v, "finger.ascii", &f->ascii);
    else if (strcmp(key, "proxy_protocol") == 0)
        read_bool(ld, v, "finger.proxy_protocol", &f->proxy_protocol);
    else
        return false;
    return true;
}

static bool set_spartan(struct loader *ld, const char *key, yaml_node_t *v,
                        void *target)
{
    struct cfg_spartan *sp = target;
    if (strcmp(key, "host") == 0) {
        char *before = sp->host;
        read_host_name(ld, v, "spartan.host", &sp->host);
        ld->spartan_host_set |= sp->host != before;
    } else if (strcmp(key, "port") == 0) {
        read_int(ld, v, "spartan.port", 1, 65535, &sp->port);
    } else if (strcmp(key, "listen") == 0) {
        ld->spartan_listen_set |= read_listen(ld, v, "spartan.listen",
                                              &sp->listen, &sp->n_listen);
    } else if (strcmp(key, "enabled") == 0) {
        read_bool(ld, v, "spartan.enabled", &sp->enabled);
    } else if (strcmp(key, "proxy_protocol") == 0) {
        read_bool(ld, v, "spartan.proxy_protocol", &sp->proxy_protocol);
    } else {
        return false;
    }
    return true;
}

static bool set_server(struct loader *ld, const char *key, yaml_node_t *v,
                       void *target)
{
    struct cfg_server *s = target;
    if (strcmp(key, "workers") == 0)
        read_int(ld, v, "server.workers", 0, 1024, &s->workers);
    else if (strcmp(key, "max_connections") == 0)
        read_int(ld, v, "server.max_connections", 1, 1000000, &s->max_connections);
    else if (strcmp(key, "max_per_client") == 0)
        read_int(ld, v, "server.max_per_client", 0, 1000000, &s->max_per_client);
    else if (strcmp(key, "deadline") == 0)
        read_seconds(ld, v, "server.deadline", &s->deadline_ms);
    else if (strcmp(key, "user") == 0)
        read_string(ld, v, "server.user", &s->user);
    else if (strcmp(key, "group") == 0)
        read_string(ld, v, "server.group", &s->group);
    else if (strcmp(key, "chroot") == 0)
        read_bool(ld, v, "server.chroot", &s->chroot);
    else if (strcmp(key, "access_log") == 0)
        read_string(ld, v, "server.access_log", &s->access_log);
    else if (strcmp(key, "anonymize") == 0)
        read_bool(ld, v, "server.anonymize", &s->anonymize);
    else if (strcmp(key, "landlock") == 0)
        read_bool(ld, v, "server.landlock", &s->landlock);
    else if (strcmp(key, "max_file_bytes") == 0)
        read_byte_count(ld, v, "server.max_file_bytes", &s->max_file_bytes);
    else if (strcmp(key, "build_timeout") == 0)
        read_seconds(ld, v, "server.build_timeout", &s->build_timeout_ms);
    else if (strcmp(key, "rate_limit") == 0)
        read_int(ld, v, "server.rate_limit", 0, 1000000, &s->rate_limit);
    else if (strcmp(key, "rate_burst") == 0)
        read_int(ld, v, "server.rate_burst", 0, 1000000, &s->rate_burst);
    else
        return false;
    return true;
}

/* Lists and mappings a Jekyll _config.yml carries; pasted in, they are
 * harmless site variables, not typos. */
static bool is_jekyll_collection(const char *key)
{
    static const char *const keys[] = {
        "include", "exclude", "keep_files", "plugins", "gems", "defaults",
        "collections", "sass", "kramdown", "whitelist", "plugins_dir",
        "social", "analytics", "comments", "footer", "navigation", "paginate",
        "markdown_ext", "data", "compress_html", "jekyll-archives",
        "scholar", "github", "staticman", "reCaptcha", "atom_feed", "search",
        "category_archive", "tag_archive", "mathjax", "authors", "feed",
        "seo", "twitter", "facebook", "webrick", "repository",
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* --- favicon --- */

/* favicon.txt holds one emoji (the Gemini favicon convention), which
 * clients show beside the page title. Without Unicode's tables, "one
 * grapheme cluster" is checked in the shape emoji take: a base character,
 * then modifiers; bases joined by ZWJ (👨‍🎓); a pair of regional
 * indicators (a flag); a keycap (#️⃣). 64 bytes fit the longest (a kiss with
 * two skin tones, 35 bytes; a subdivision flag, 28). */
#define FAVICON_MAX 64
#define ZWJ 0x200D

/* Spaces, line and paragraph separators, invisible and bidi formatting
 * characters, and the controls: never part of a favicon. */
static bool is_blank_or_format(unsigned cp)
{
    return cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) ||
           cp == 0x3000 || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* What may follow a base: combining marks (the keycap U+20E3 among them),
 * variation selectors, skin tones, and the tags of subdivision flags. */
static bool is_modifier(unsigned cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
           (cp >= 0xE0020 && cp <= 0xE007F);
}

static bool is_regional(unsigned cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/* One base at cps[*i] (a flag's two indicators, a keycap's digit, # or *
 * with its U+20E3, or any other visible character beyond ASCII), then its
 * modifiers. ASCII alone is never a base: no letters, no "=>", no "#". */
static bool favicon_element(const unsigned *cps, size_t n, size_t *i)
{
    unsigned cp = cps[*i];
    bool keycap = (cp >= '0' && cp <= '9') || cp == '#' || cp == '*';
    if (is_regional(cp)) {
        if (*i + 1 >= n || !is_regional(cps[*i + 1]))
            return false;
        (*i)++;
    } else if (keycap) {
        size_t k = *i + 1;
        k += k < n && cps[k] == 0xFE0F;
        if (k >= n || cps[k] != 0x20E3)
            return false;
    } else if (cp < 0x80 || is_blank_or_format(cp) || is_modifier(cp)) {
        return false;
    }
    for ((*i)++; *i < n && is_modifier(cps[*i]); (*i)++)
        ;
    return true;
}

/* Valid UTF-8, at most FAVICON_MAX bytes, one emoji-shaped cluster. */
static bool valid_favicon(const char *s, size_t len)
{
    unsigned cps[FAVICON_MAX];
    size_t n = 0, i = 0;
    if (len == 0 || len > FAVICON_MAX)
        return false;
    for (size_t at = 0, step; at < len; at += step) {
        step = utf8_decode(s + at, len - at, &cps[n++]);
        if (step == 0)
            return false;
    }
    while (favicon_element(cps, n, &i)) {
        if (i == n)
            return true;
        if (cps[i++] != ZWJ || i == n)
            return false;
    }
    return false;
}

/* A Jekyll _config.yml's favicon is a web path (/assets/favicon.ico): it
 * stays a site variable, and only capsule.yaml sets /favicon.txt. */
static bool is_jekyll_file(const char *file)
{
    const char *slash = strrchr(file, '/');
    return strcmp(slash ? slash + 1 : file, "_config.yml") == 0;
}

/* An invalid favicon is dropped with a warning: the site still serves,
 * without /favicon.txt. The value is not quoted: it may be a megabyte. */
static void read_favicon(struct loader *ld, const yaml_node_t *node,
                         struct cfg_site *site)
{
    if (is_jekyll_file(ld->file) || is_null(node))
        return;
    if (node->type == YAML_SCALAR_NODE &&
        valid_favicon(scalar_text(node), node->data.scalar.length)) {
        replace(&site->favicon, xstrdup(scalar_text(node)));
        return;
    }
    diags_add(ld->diags, DIAG_WARNING, ld->file, node_line(node),
              "favicon: expected one emoji (one character and its modifiers, "
              "at most %d bytes, no spaces or control characters); "
              "/favicon.txt not served", FAVICON_MAX);
}

static bool set_top(struct loader *ld, const char *key, yaml_node_t *v,
                    void *target)
{
    struct config *cfg = target;
    struct cfg_site *site = &cfg->site;
    static const struct {
        const char *key;
        size_t offset;
    } strings[] = {
        {"title", offsetof(struct cfg_site, title)},
        {"description", offsetof(struct cfg_site, description)},
        {"lang", offsetof(struct cfg_site, lang)},
        {"url", offsetof(struct cfg_site, url)},
        {"robots", offsetof(struct cfg_site, robots)},
    };
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        if (strcmp(key, strings[i].key) == 0) {
            read_string(ld, v, key, (char **)((char *)site + strings[i].offset));
            return true;
        }
    }
    if (strcmp(key, "page") == 0) {
        char *before = site->page;
        read_string(ld, v, key, &site->page);
        ld->page_set |= site->page != before;
    } else if (strcmp(key, "favicon") == 0) {
        read_favicon(ld, v, site);
    } else if (strcmp(key, "source") == 0) {
        read_bool(ld, v, key, &site->serve_source);
    } else if (strcmp(key, "author") == 0) {
        if (expect_mapping(ld, v, "author"))
            each_pair(ld, v, "author", set_author, site, false);
    } else if (strcmp(key, "gemini") == 0) {
        if (expect_mapping(ld, v, "gemini"))
            each_pair(ld, v, "gemini", set_gemini, &cfg->gemini, true);
    } else if (strcmp(key, "gopher") == 0) {
        if (expect_mapping(ld, v, "gopher"))
            each_pair(ld, v, "gopher", set_gopher, &cfg->gopher, true);
    } else if (strcmp(key, "finger") == 0) {
        if (expect_mapping(ld, v, "finger"))
            each_pair(ld, v, "finger", set_finger, &cfg->finger, true);
    } else if (strcmp(key, "spartan") == 0) {
        if (expect_mapping(ld, v, "spartan"))
            each_pair(ld, v, "spartan", set_spartan, &cfg->spartan, true);
    } else if (strcmp(key, "server") == 0) {
        if (expect_mapping(ld, v, "server"))
            each_pair(ld, v, "server", set_server, &cfg->server, true);
    } else {
        return v->type == YAML_SCALAR_NODE || is_jekyll_collection(key);
    }
    return true;
}

/* --- {{ site.X }} variables --- */

/* base's pairs, then over's, a pair both hold taking over's value (merged
 * again when both are mappings), as Jekyll lays a _config.yml over its
 * defaults; unlike Jekyll, a nil from over replaces too (`lang:` left
 * empty reads as "", as it always has here). */
static struct value *merged(const struct value *base, const struct value *over)
{
    if (value_kind(base) != VALUE_HASH || value_kind(over) != VALUE_HASH)
        return value_retain(over);
    struct value *m = value_hash();
    value_hash_merge(m, base);
    for (size_t i = 0; i < value_len(over); i++) {
        size_t len;
        const char *key = value_hash_key_at(over, i, &len);
        value_hash_set(m, key, len, merged(value_hash_getn(m, key, len),
                                           value_hash_value_at(over, i)));
    }
    return m;
}

/* The site settings as read (or their defaults): what {{ site.KEY }}
 * gives for a key the file does not set. */
static struct value *site_defaults(const struct cfg_site *s)
{
    struct value *site = value_hash(), *author = value_hash();
    value_hash_set(site, "title", 5, value_cstring(s->title));
    value_hash_set(site, "description", 11, value_cstring(s->description));
    value_hash_set(site, "lang", 4, value_cstring(s->lang));
    value_hash_set(site, "url", 3, value_cstring(s->url));
    value_hash_set(author, "name", 4, value_cstring(s->author_name));
    value_hash_set(author, "bio", 3, value_cstring(s->author_bio));
    value_hash_set(author, "email", 5, value_cstring(s->author_email));
    value_hash_set(site, "author", 6, author);
    return site;
}

/* Liquid's `site`: the whole file (every key, Jekyll's included) over the
 * defaults of the settings. */
static void set_site_vars(struct cfg_site *site, const struct value *file)
{
    struct value *defaults = site_defaults(site);
    value_release(site->vars);
    site->vars = file ? merged(defaults, file) : value_retain(defaults);
    value_release(defaults);
}

const char *config_site_var(const struct config *cfg, const char *key)
{
    if (!cfg || !key)
        return NULL;
    return value_text(value_path_get(cfg->site.vars, key));
}

/* --- defaults --- */

static void default_listen(struct cfg_listen **items, size_t *n, int port)
{
    free_listens(items, n);
    *items = xcalloc(2, sizeof **items);
    (*items)[0] = (struct cfg_listen){xstrdup("127.0.0.1"), port};
    (*items)[1] = (struct cfg_listen){xstrdup("::1"), port};
    *n = 2;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* about.md, or else the only .md file of the directory. */
static char *find_page(const char *root)
{
    char *about = join_path(root, "about.md");
    bool have = file_exists(about);
    free(about);
    if (have)
        return xstrdup("about.md");
    DIR *d = opendir(root);
    char *only = NULL;
    int count = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0 && count++ == 0)
            only = xstrdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (count == 1)
        return only;
    free(only);
    return xstrdup("about.md");
}

static void resolve_host(const char *dir, struct cfg_host *h)
{
    if (!h->name)
        h->name = xstrdup("localhost");
    replace(&h->root, h->root ? join_path(dir, h->root) : xstrdup(dir));
    /* Unset: generated in the state directory, never inside the site,
     * where Jekyll would publish the key (config_place_certs). */
    if (h->cert_file)
        replace(&h->cert_file, join_path(dir, h->cert_file));
    if (h->key_file)
        replace(&h->key_file, join_path(dir, h->key_file));
}

static char *state_file(const char *state_dir, const char *name,
                        const char *ext)
{
    struct buf b = {0};
    buf_printf(&b, "%s/%s.%s", state_dir, name, ext);
    return buf_detach(&b);
}

void config_place_certs(struct config *cfg, const char *state_dir)
{
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++) {
        struct cfg_host *h = &cfg->gemini.hosts[i];
        if (!h->cert_file)
            h->cert_file = state_file(state_dir, h->name, "crt");
        if (!h->key_file)
            h->key_file = state_file(state_dir, h->name, "key");
    }
}

bool config_certs_placed(const struct config *cfg)
{
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++)
        if (!cfg->gemini.hosts[i].cert_file || !cfg->gemini.hosts[i].key_file)
            return false;
    return true;
}

static void fill_ports(struct cfg_listen *items, size_t n, int port)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].port == 0)
            items[i].port = port;
}

/* Settings derived from others, applied once everything was read. */
static void derive(struct config *cfg, const struct loader *ld)
{
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++)
        resolve_host(cfg->dir, &cfg->gemini.hosts[i]);
    if (!ld->gemini_listen_set)
        default_listen(&cfg->gemini.listen, &cfg->gemini.n_listen, cfg->gemini.port);
    if (!ld->gopher_listen_set)
        default_listen(&cfg->gopher.listen, &cfg->gopher.n_listen, cfg->gopher.port);
    fill_ports(cfg->gemini.listen, cfg->gemini.n_listen, cfg->gemini.port);
    fill_ports(cfg->gopher.listen, cfg->gopher.n_listen, cfg->gopher.port);
    if (!ld->finger_listen_set)
        default_listen(&cfg->finger.listen, &cfg->finger.n_listen,
                       FINGER_DEFAULT_PORT);
    fill_ports(cfg->finger.listen, cfg->finger.n_listen, FINGER_DEFAULT_PORT);
    if (!ld->spartan_listen_set)
        default_listen(&cfg->spartan.listen, &cfg->spartan.n_listen,
                       cfg->spartan.port);
    fill_ports(cfg->spartan.listen, cfg->spartan.n_listen, cfg->spartan.port);
    if (!ld->spartan_host_set)
        replace(&cfg->spartan.host, xstrdup(cfg->gemini.hosts[0].name));
    if (!ld->gopher_host_set)
        replace(&cfg->gopher.host, xstrdup(cfg->gemini.hosts[0].name));
    if (!ld->page_set)
        replace(&cfg->site.page, find_page(cfg->gemini.hosts[0].root));
    cfg->site.page_named = ld->page_set;
    set_site_vars(&cfg->site, ld->vars);
}

static void set_defaults(struct config *cfg)
{
    *cfg = (struct config){0};
    cfg->dir = xstrdup(".");
    struct cfg_site *s = &cfg->site;
    s->title = xstrdup("");
    s->description = xstrdup("");
    s->author_name = xstrdup("");
    s->author_bio = xstrdup("");
    s->author_email = xstrdup("");
    s->lang = xstrdup("en");
    s->url = xstrdup("");
    s->page = xstrdup("about.md");
    s->robots = xstrdup("User-agent: *\nDisallow: /search\n");
    s->serve_source = true;
    cfg->gemini.enabled = true;
    cfg->gemini.port = 1965;
    cfg->gemini.hosts = xcalloc(1, sizeof *cfg->gemini.hosts);
    cfg->gemini.n_hosts = 1;
    cfg->gopher.enabled = true;
    cfg->gopher.port = 7070;
    cfg->gopher.width = 70;
    cfg->gopher.admin = xstrdup("");
    cfg->spartan.port = SPARTAN_DEFAULT_PORT;
    cfg->server.max_connections = 1024;
    cfg->server.max_per_client = 64;
    cfg->server.deadline_ms = 10000;
    cfg->server.landlock = true;
    cfg->server.max_file_bytes = FILE_MAX_BYTES_DEFAULT;
    cfg->server.build_timeout_ms = 30000;
    cfg->server.user = xstrdup("nobody");
    cfg->server.group = xstrdup("nogroup");
    cfg->server.access_log = xstrdup("-");
}

void config_defaults(struct config *out)
{
    struct loader ld = {0};
    set_defaults(out);
    derive(out, &ld);
}

/* --- loading --- */

static void report_syntax(struct loader *ld, const yaml_parser_t *p)
{
    struct buf msg = {0};
    buf_puts(&msg, p->problem ? p->problem : "cannot parse");
    if (p->context)
        buf_printf(&msg, " (%s, line %zu)", p->context, p->context_mark.line + 1);
    diags_add(ld->diags, DIAG_ERROR, ld->file, (int)p->problem_mark.line + 1,
              "YAML syntax: %s", msg.data);
    buf_free(&msg);
    ld->errors++;
}

static void apply_document(struct loader *ld)
{
    yaml_node_t *root = yaml_document_get_root_node(ld->doc);
    if (!root || is_null(root))
        return;
    if (root->type != YAML_MAPPING_NODE) {
        wrong_kind(ld, root, "capsule.yaml", "a mapping of settings");
        return;
    }
    /* A Jekyll _config.yml holds many keys capsuled has no use for: they
     * are site variables, never typos. */
    each_pair(ld, root, "", set_top, ld->cfg, !is_jekyll_file(ld->file));
    ld->vars = value_from_yaml(ld->doc);
}

/* libyaml's document costs many times its text (see yaml_budget.h). */
static bool source_too_large(struct loader *ld, size_t len)
{
    if (len <= YAML_MAX_SOURCE)
        return false;
    diags_add(ld->diags, DIAG_ERROR, ld->file, 0,
              "too large: %zu bytes of YAML (at most %zu)",
              len, YAML_MAX_SOURCE);
    ld->errors++;
    return true;
}

/* Aliases can make a small file name a huge tree: the document is measured
 * as a whole before anything is read from it, so it fails whole. */
static bool within_budget(struct loader *ld)
{
    int line = yaml_budget_overrun(ld->doc);
    if (!line)
        return true;
    diags_add(ld->diags, DIAG_ERROR, ld->file, line,
              "too large after alias expansion (more than %zu MiB)",
              YAML_EXPANSION_BUDGET >> 20);
    ld->errors++;
    return false;
}

static void load_bytes(struct loader *ld, const char *data, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (source_too_large(ld, len))
        return;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        report_syntax(ld, &parser);
    } else {
        ld->doc = &doc;
        if (within_budget(ld))
            apply_document(ld);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
}

/* A Jekyll site directory without capsule.yaml still has its _config.yml,
 * whose site keys are the ones capsule.yaml uses: read that instead. */
static void use_jekyll_config_if_alone(struct config *cfg)
{
    struct stat st;
    if (stat(cfg->file, &st) == 0)
        return;
    char *jekyll = join_path(cfg->dir, "_config.yml");
    if (stat(jekyll, &st) == 0 && S_ISREG(st.st_mode))
        replace(&cfg->file, jekyll);
    else
        free(jekyll);
}

/* Splits DIR_OR_FILE into the yaml path and its directory; true when it
 * names a directory. */
static bool locate(const char *dir_or_file, struct config *cfg)
{
    struct stat st;
    bool is_dir = stat(dir_or_file, &st) == 0 && S_ISDIR(st.st_mode);
    if (is_dir) {
        replace(&cfg->dir, xstrdup(dir_or_file));
        cfg->file = join_path(dir_or_file, "capsule.yaml");
        if (strcmp(dir_or_file, ".") == 0)
            replace(&cfg->file, xstrdup("./capsule.yaml"));
        use_jekyll_config_if_alone(cfg);
        return true;
    }
    cfg->file = xstrdup(dir_or_file);
    const char *slash = strrchr(dir_or_file, '/');
    if (slash)
        replace(&cfg->dir, slash == dir_or_file ? xstrdup("/")
                                 : xstrndup(dir_or_file, (size_t)(slash - dir_or_file)));
    return false;
}

/* In a capsule directory the file is content like the pages, read beneath
 * that directory; a file named instead of a directory (on the command line)
 * is read as given. Read before server.max_file_bytes is known, it gets the
 * default cap. */
static int read_config_file(const struct config *cfg, bool in_dir,
                            struct file_content *fc)
{
    if (!in_dir)
        return file_read(NULL, cfg->file, FILE_GIVEN, FILE_MAX_BYTES_DEFAULT,
                         fc);
    const char *base = strrchr(cfg->file, '/');
    return file_read(cfg->dir, base ? base + 1 : cfg->file, FILE_BENEATH,
                     FILE_MAX_BYTES_DEFAULT, fc);
}

int config_load(const char *dir_or_file, struct config *out, struct diags *diags)
{
    set_defaults(out);
    bool in_dir = locate(dir_or_file, out);
    struct loader ld = {.file = out->file, .cfg = out, .diags = diags};
    struct file_content fc;
    if (read_config_file(out, in_dir, &fc) == 0) {
        load_bytes(&ld, fc.data, fc.len);
        file_content_free(&fc);
    } else if (!(in_dir && fc.status == FILE_ERRNO && fc.err == ENOENT)) {
        /* A directory without the file is a capsule of defaults. */
        file_report(&fc, out->file, FILE_MAX_BYTES_DEFAULT, diags);
        ld.errors++;
    }
    derive(out, &ld);
    value_release(ld.vars);
    return ld.errors ? -1 : 0;
}

static void free_host(struct cfg_host *h)
{
    free(h->name);
    for (size_t i = 0; i < h->n_aliases; i++)
        free(h->aliases[i]);
    free(h->aliases);
    free(h->root);
    free(h->cert_file);
    free(h->key_file);
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    struct cfg_site *s = &cfg->site;
    char *strings[] = {cfg->file, cfg->dir, s->title, s->description,
                       s->author_name, s->author_bio, s->author_email, s->lang,
                       s->url, s->page, s->favicon, s->robots, cfg->gopher.host,
                       cfg->gopher.admin, cfg->spartan.host, cfg->server.user, cfg->server.group,
                       cfg->server.access_log};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(strings[i]);
    value_release(s->vars);
    for (size_t i = 0; i < cfg->gemini.n_hosts; i++)
        free_host(&cfg->gemini.hosts[i]);
    free(cfg->gemini.hosts);
    free_listens(&cfg->gemini.listen, &cfg->gemini.n_listen);
    free_listens(&cfg->gopher.listen, &cfg->gopher.n_listen);
    free_listens(&cfg->finger.listen, &cfg->finger.n_listen);
    free_listens(&cfg->spartan.listen, &cfg->spartan.n_listen);
    *cfg = (struct config){0};
}
