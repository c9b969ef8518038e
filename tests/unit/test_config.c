/* capsule.yaml: defaults, the default capsule, errors that name file, line
 * and key, alias bombs, and the favicon's rules. */
#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "capsuled/yaml_budget.h"
#include "test.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/capsuled-config-XXXXXX";
static struct diags diags;
static struct buf report;

static void write_file(const char *name, const char *text)
{
    struct buf path = {0};
    buf_printf(&path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path.data, "wb");
    fputs(text, f);
    fclose(f);
    buf_free(&path);
}

/* Loads YAML text from a temporary capsule.yaml; the diagnostics are
 * formatted into report. */
static int load_yaml(const char *yaml, struct config *cfg)
{
    write_file("capsule.yaml", yaml);
    diags_free(&diags);
    buf_clear(&report);
    int rc = config_load(tmpdir, cfg, &diags);
    diags_format(&diags, &report);
    for (const char *line = report.data; line && *line;) {
        const char *nl = strchr(line, '\n');
        int n = nl ? (int)(nl - line) : (int)strlen(line);
        printf("# %.*s\n", n, line);
        line += n + (nl != NULL);
    }
    return rc;
}

static const char *source_root(void)
{
    const char *root = getenv("CAPSULED_SOURCE_ROOT");
    return root ? root : ".";
}

static void test_default_capsule(void)
{
    struct buf dir = {0};
    struct config cfg;
    struct diags d = {0};
    buf_printf(&dir, "%s/capsule", source_root());
    CHECK(config_load(dir.data, &cfg, &d) == 0);
    CHECK(d.n == 0); /* no diagnostics at all */
    CHECK_STR(cfg.site.title, "Zhangqiang Ming");
    CHECK_STR(cfg.site.author_name, "Zhangqiang Ming");
    CHECK_STR(cfg.site.lang, "en");
    CHECK_STR(cfg.site.page, "about.md");
    CHECK_STR(cfg.site.favicon, "\xf0\x9f\x8e\x93");
    CHECK_STR(cfg.site.robots, "User-agent: *\nDisallow: /search\n");
    CHECK(cfg.site.serve_source);
    CHECK(cfg.gemini.n_hosts == 1 && cfg.gemini.port == 1965);
    CHECK_STR(cfg.gemini.hosts[0].name, "localhost");
    CHECK_CONTAINS(cfg.gemini.hosts[0].cert_file, "capsule/../certs/localhost.crt");
    CHECK(cfg.gemini.n_listen == 2);
    CHECK_STR(cfg.gemini.listen[0].addr, "127.0.0.1");
    CHECK_STR(cfg.gemini.listen[1].addr, "::1");
    CHECK(cfg.gemini.listen[1].port == 1965);
    CHECK(cfg.gopher.port == 7070 && cfg.gopher.width == 70);
    CHECK(cfg.server.deadline_ms == 10000 && cfg.server.max_connections == 1024);
    CHECK(cfg.server.max_per_client == 64);
    CHECK(!cfg.gemini.proxy_protocol && !cfg.gopher.proxy_protocol &&
          !cfg.finger.proxy_protocol);
    CHECK(cfg.server.rate_limit == 0 && cfg.server.rate_burst == 0);
    CHECK_STR(config_site_var(&cfg, "author.name"), "Zhangqiang Ming");
    CHECK_STR(config_site_var(&cfg, "gemini.port"), "1965");
    CHECK(config_site_var(&cfg, "nope") == NULL);
    config_free(&cfg);
    diags_free(&d);
    buf_free(&dir);
}

static void test_defaults(void)
{
    struct config cfg;
    config_defaults(&cfg);
    CHECK_STR(cfg.gemini.hosts[0].name, "localhost");
    /* Not configured: generated in the state directory, never the site. */
    CHECK(cfg.gemini.hosts[0].cert_file == NULL);
    CHECK(cfg.gemini.hosts[0].key_file == NULL);
    CHECK(!config_certs_placed(&cfg));
    config_place_certs(&cfg, "/var/lib/capsuled");
    CHECK_STR(cfg.gemini.hosts[0].cert_file, "/var/lib/capsuled/localhost.crt");
    CHECK_STR(cfg.gemini.hosts[0].key_file, "/var/lib/capsuled/localhost.key");
    CHECK(config_certs_placed(&cfg));
    CHECK(cfg.gopher.n_listen == 2 && cfg.gopher.listen[0].port == 7070);
    CHECK(!cfg.finger.enabled && !cfg.finger.ascii);
    CHECK(cfg.finger.n_listen == 2 && cfg.finger.listen[1].port == 7979);
    CHECK_STR(cfg.finger.listen[1].addr, "::1");
    CHECK(!cfg.spartan.enabled && cfg.spartan.port == 3000);
    CHECK(cfg.spartan.n_listen == 2 && cfg.spartan.listen[0].port == 3000);
    CHECK_STR(cfg.spartan.listen[0].addr, "127.0.0.1");
    CHECK_STR(cfg.spartan.host, "localhost");
    CHECK(cfg.site.favicon == NULL);
    CHECK_STR(cfg.server.user, "nobody");
    CHECK_STR(cfg.server.access_log, "-");
    CHECK(cfg.server.landlock && !cfg.server.chroot);
    CHECK(cfg.server.max_file_bytes == 16777216);
    CHECK(cfg.server.build_timeout_ms == 30000);
    CHECK_STR(config_site_var(&cfg, "lang"), "en");
    config_free(&cfg);

    /* a directory without capsule.yaml is not an error */
    struct diags d = {0};
    CHECK(config_load(tmpdir, &cfg, &d) == 0 && d.n == 0);
    CHECK_CONTAINS(cfg.file, "/capsule.yaml");
    config_free(&cfg);
    /* but a named file that does not exist is */
    CHECK(config_load("/nonexistent/capsule.yaml", &cfg, &d) == -1);
    CHECK(d.n == 1 && d.items[0].level == DIAG_ERROR);
    config_free(&cfg);
    diags_free(&d);
}

static void test_values(void)
{
    struct config cfg;
    CHECK(load_yaml("title: T\n"
                    "gemini:\n"
                    "  host: Example.ORG\n"
                    "  aliases: [www.example.org]\n"
                    "  port: 1966\n"
                    "  root: site\n"
                    "  hosts:\n"
                    "    - name: other.example\n"
                    "      root: /srv/other\n"
                    "gopher:\n"
                    "  listen: '*:70'\n"
                    "  width: 20\n"
                    "  proxy_protocol: true\n"
                    "finger:\n"
                    "  enabled: true\n"
                    "  listen: ['*:79']\n"
                    "  ascii: yes\n"
                    "  proxy_protocol: yes\n"
                    "spartan:\n"
                    "  enabled: true\n"
                    "  host: Spartan.Example.org\n"
                    "  port: 300\n"
                    "server:\n"
                    "  deadline: 2.5\n"
                    "  max_per_client: 0\n"
                    "  rate_limit: 10\n"
                    "  rate_burst: 30\n"
                    "  chroot: yes\n"
                    "  landlock: no\n"
                    "  max_file_bytes: 20000000\n"
                    "  build_timeout: 0.5\n"
                    "author:\n"
                    "  name: Ada\n"
                    "  github: ada\n"
                    "jekyll_only_key: 1\n",
                    &cfg) == 0);
    CHECK(diags.n == 0);
    CHECK_STR(cfg.gemini.hosts[0].name, "example.org");
    CHECK(cfg.gemini.hosts[0].n_aliases == 1);
    CHECK(cfg.gemini.n_listen == 2 && cfg.gemini.listen[0].port == 1966);
    CHECK_CONTAINS(cfg.gemini.hosts[0].root, "/site");
    CHECK(cfg.gemini.hosts[0].cert_file == NULL);
    config_place_certs(&cfg, "state");
    CHECK_STR(cfg.gemini.hosts[0].cert_file, "state/example.org.crt");
    CHECK_STR(cfg.gemini.hosts[1].key_file, "state/other.example.key");
    CHECK(cfg.gemini.n_hosts == 2);
    CHECK_STR(cfg.gemini.hosts[1].root, "/srv/other");
    CHECK_STR(cfg.gopher.host, "example.org");
    CHECK(cfg.gopher.n_listen == 1 && cfg.gopher.listen[0].port == 70);
    CHECK_STR(cfg.gopher.listen[0].addr, "*");
    CHECK(cfg.gopher.width == 20);
    CHECK(cfg.finger.enabled && cfg.finger.ascii);
    CHECK(cfg.finger.n_listen == 1 && cfg.finger.listen[0].port == 79);
    CHECK(cfg.spartan.enabled && cfg.spartan.port == 300);
    CHECK(cfg.spartan.n_listen == 2 && cfg.spartan.listen[1].port == 300);
    CHECK_STR(cfg.spartan.host, "spartan.example.org");
    CHECK(cfg.server.deadline_ms == 2500 && cfg.server.chroot);
    CHECK(cfg.server.max_per_client == 0);
    CHECK(!cfg.gemini.proxy_protocol && cfg.gopher.proxy_protocol &&
          cfg.finger.proxy_protocol);
    CHECK(cfg.server.rate_limit == 10 && cfg.server.rate_burst == 30);
    CHECK(!cfg.server.landlock);
    CHECK(cfg.server.max_file_bytes == 20000000);
    CHECK(cfg.server.build_timeout_ms == 500);
    CHECK_STR(config_site_var(&cfg, "author.github"), "ada");
    CHECK_STR(config_site_var(&cfg, "jekyll_only_key"), "1");
    config_free(&cfg);
}

/* One bad setting: load fails and the report names file, line and key. */
static void expect_error(const char *yaml, const char *want)
{
    struct config cfg;
    CHECK(load_yaml(yaml, &cfg) == -1);
    CHECK_CONTAINS(report.data, want);
    CHECK_CONTAINS(report.data, "capsule.yaml:");
    config_free(&cfg);
}

static void test_errors(void)
{
    expect_error("title: x\ngemini:\n  port: abc\n",
                 "capsule.yaml:3: error: gemini.port: expected an integer from 1 to 65535, got 'abc'");
    expect_error("gemini:\n  port: 70000\n", ":2: error: gemini.port:");
    expect_error("finger:\n  ascii: maybe\n",
                 ":2: error: finger.ascii: ");
    expect_error("spartan:\n  port: 0\n",
                 ":2: error: spartan.port: expected an integer from 1 to 65535, got '0'");
    expect_error("spartan:\n  host: \"a b\"\n",
                 ":2: error: spartan.host: expected a host name");
    expect_error("gopher:\n  width: 5\n",
                 ":2: error: gopher.width: expected an integer from 20 to 1000, got '5'");
    expect_error("gemini:\n  listen: [\"127.0.0.1:1965\", \"nowhere:1965\"]\n",
                 ":2: error: gemini.listen: expected ADDRESS:PORT");
    expect_error("gemini:\n  listen: \"[::1]:99999\"\n", ":2: error: gemini.listen:");
    expect_error("gemini:\n  - host: a\n", ":2: error: gemini: expected a mapping, got a list");
    expect_error("server:\n  chroot: maybe\n",
                 ":2: error: server.chroot: expected true or false, got 'maybe'");
    expect_error("server:\n  deadline: soon\n", ":2: error: server.deadline:");
    expect_error("server:\n  max_file_bytes: 0\n",
                 ":2: error: server.max_file_bytes: expected an integer from 1 "
                 "to 1073741824, got '0'");
    expect_error("server:\n  max_per_client: -1\n",
                 ":2: error: server.max_per_client: expected an integer from 0 to 1000000");
    expect_error("server:\n  rate_limit: -1\n",
                 ":2: error: server.rate_limit: expected an integer from 0 to 1000000");
    expect_error("gemini:\n  proxy_protocol: sometimes\n",
                 ":2: error: gemini.proxy_protocol: expected true or false");
    expect_error("server:\n  build_timeout: 0\n",
                 ":2: error: server.build_timeout: expected a number of seconds");
    expect_error("title: [a, b]\n", ":1: error: title: expected a string, got a list");
    expect_error("gemini:\n  hosts:\n    - root: x\n", ":3: error: gemini.hosts[0]: name: missing");
    expect_error("gemini:\n  host: \"a b\"\n", "gemini.host: expected a host name");
    expect_error("title: \"unterminated\nlang: en\n", "error: YAML syntax:");
    expect_error("a: b\n  c: d\n", ":2: error: YAML syntax: mapping values are not allowed");
    expect_error("- just\n- a list\n", ":1: error: capsule.yaml: expected a mapping");
}

static void test_warnings(void)
{
    struct config cfg;
    CHECK(load_yaml("gemini:\n  prot: 1965\nserver:\n  wrokers: 2\n"
                    "extras:\n  a: 1\nplugins: [jekyll-feed]\n", &cfg) == 0);
    CHECK_CONTAINS(report.data, "capsule.yaml:2: warning: gemini.prot: unknown key");
    CHECK_CONTAINS(report.data, "capsule.yaml:4: warning: server.wrokers: unknown key");
    CHECK_CONTAINS(report.data, "capsule.yaml:5: warning: extras: unknown key");
    CHECK(strstr(report.data, "plugins") == NULL);
    CHECK(diags_count(&diags, DIAG_ERROR) == 0);
    config_free(&cfg);
}

static void test_page_choice(void)
{
    struct config cfg;
    write_file("profile.md", "# Me\n");
    CHECK(load_yaml("title: x\n", &cfg) == 0);
    CHECK_STR(cfg.site.page, "profile.md"); /* the only .md file */
    config_free(&cfg);
    write_file("about.md", "# About\n");
    CHECK(load_yaml("title: x\n", &cfg) == 0);
    CHECK_STR(cfg.site.page, "about.md");
    config_free(&cfg);
}

/* Aliases multiply: a document is measured with every alias followed
 * before anything is read from it, and fails whole past the budget, naming
 * the line of the alias being expanded. */
static void test_alias_bomb(void)
{
    struct config cfg;
    expect_error("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                 "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                 "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                 "h: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
                 "capsule.yaml:6: error: too large after alias expansion");
    CHECK(load_yaml("title: x\n", &cfg) == 0); /* nothing was left behind */
    config_free(&cfg);

    /* The issue's bomb: a 100 KB scalar reached through 10,000 aliases
     * (1 GB flattened); the budget runs out in l2, the third line. */
    struct buf yaml = {0};
    buf_puts(&yaml, "v: &v \"");
    for (int i = 0; i < 100000; i++)
        buf_putc(&yaml, 'x');
    buf_puts(&yaml, "\"\n");
    for (int level = 1; level <= 4; level++) {
        char below[8] = "v";
        if (level > 1)
            snprintf(below, sizeof below, "l%d", level - 1);
        buf_printf(&yaml, "l%d: &l%d [", level, level);
        for (int i = 0; i < 10; i++)
            buf_printf(&yaml, "%s*%s", i ? ", " : "", below);
        buf_puts(&yaml, "]\n");
    }
    expect_error(yaml.data, "capsule.yaml:3: error: too large after alias expansion");
    buf_clear(&yaml);

    /* Block style: the line of the list holding the aliases. */
    expect_error("v: &v [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
                 "a: &a [*v, *v, *v, *v, *v, *v, *v, *v, *v, *v]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e:\n"
                 "  - *d\n"
                 "  - *d\n"
                 "  - *d\n",
                 "capsule.yaml:7: error: too large after alias expansion");
    /* An alias to its own ancestor: walked to the depth limit only, where
     * two branches a level are already too many. */
    expect_error("title: t\na: &a [*a, *a]\n",
                 "capsule.yaml:2: error: too large after alias expansion");
    CHECK(load_yaml("a: &a [x, *a]\n", &cfg) == 0);
    config_free(&cfg);
    /* Keys count too: a warning about an unknown key holds it whole. */
    buf_puts(&yaml, "k: &k\n  ? "); /* a key over 1024 bytes is explicit */
    for (int i = 0; i < 100000; i++)
        buf_putc(&yaml, 'k');
    buf_puts(&yaml, "\n  : {}\ngemini:\n  hosts: [");
    for (int i = 0; i < 50; i++)
        buf_printf(&yaml, "%s*k", i ? ", " : "");
    buf_puts(&yaml, "]\n");
    expect_error(yaml.data, "capsule.yaml:5: error: too large after alias expansion");
    /* Each extra host is a site of its own: 64 at most, aliases or not. */
    buf_clear(&yaml);
    buf_puts(&yaml, "h: &h {name: other.example, root: .}\ngemini:\n  hosts: [");
    for (int i = 0; i < 65; i++)
        buf_printf(&yaml, "%s*h", i ? ", " : "");
    buf_puts(&yaml, "]\n");
    expect_error(yaml.data, "capsule.yaml:3: error: gemini.hosts: at most 64 hosts, got 65");
    yaml.len -= strlen(", *h]\n");
    buf_puts(&yaml, "]\n");
    CHECK(load_yaml(yaml.data, &cfg) == 0 && cfg.gemini.n_hosts == 65);
    config_free(&cfg);
    buf_free(&yaml);
}

/* Real configurations use aliases for repeated values: those still load. */
static void test_few_aliases(void)
{
    struct config cfg;
    CHECK(load_yaml("name: &name \"Your Name\"\n"
                    "description: &description \"personal description\"\n"
                    "title: *name\n"
                    "defaults: &defaults\n"
                    "  layout: single\n"
                    "  author_profile: true\n"
                    "author:\n"
                    "  name: *name\n"
                    "  bio: *description\n"
                    "pages:\n"
                    "  <<: *defaults\n"
                    "  comments: false\n"
                    "posts: *defaults\n",
                    &cfg) == 0);
    CHECK(diags_count(&diags, DIAG_ERROR) == 0);
    CHECK_STR(cfg.site.title, "Your Name");
    CHECK_STR(cfg.site.author_name, "Your Name");
    CHECK_STR(cfg.site.author_bio, "personal description");
    CHECK_STR(config_site_var(&cfg, "posts.layout"), "single");
    /* `<<` merges the anchored mapping (it was a key named "<<" before) */
    CHECK_STR(config_site_var(&cfg, "pages.author_profile"), "true");
    CHECK_STR(config_site_var(&cfg, "pages.comments"), "false");
    CHECK(config_site_var(&cfg, "pages.<<.author_profile") == NULL);
    config_free(&cfg);
}

/* libyaml's document costs many times its text: more than 1 MiB of YAML is
 * not parsed at all. */
static void test_source_cap(void)
{
    struct config cfg;
    size_t n = YAML_MAX_SOURCE + 1;
    char *text = malloc(n + 1);
    memset(text, '#', n);
    text[0] = 't', text[1] = ':', text[2] = ' ', text[3] = 'x', text[4] = '\n';
    text[n - 1] = '\n';
    text[n] = '\0';
    expect_error(text, "error: too large: 1048577 bytes of YAML (at most 1048576)");
    text[n - 1] = '\0'; /* 1 MiB exactly: read */
    CHECK(load_yaml(text, &cfg) == 0);
    CHECK_STR(config_site_var(&cfg, "t"), "x");
    config_free(&cfg);
    free(text);
}

/* The sites of the shared corpus, when it is there: their _config.yml
 * files (one with anchors and aliases) load within the budget. */
static void test_corpus_configs(void)
{
    struct buf path = {0};
    buf_printf(&path, "%s/../shared/corpus/sites", source_root());
    DIR *d = opendir(path.data);
    if (!d) {
        printf("# corpus sites not found, skipped\n");
        buf_free(&path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct buf file = {0};
        buf_printf(&file, "%s/%s/_config.yml", path.data, e->d_name);
        struct config cfg;
        struct diags dg = {0};
        struct buf out = {0};
        if (access(file.data, R_OK) == 0) {
            CHECK(config_load(file.data, &cfg, &dg) == 0);
            diags_format(&dg, &out);
            CHECK(!out.data || !strstr(out.data, "alias expansion"));
            CHECK(cfg.site.favicon == NULL); /* a web path there, if any */
            config_free(&cfg);
        }
        buf_free(&out);
        diags_free(&dg);
        buf_free(&file);
    }
    closedir(d);
    buf_free(&path);
}

/* favicon: one emoji, else a warning naming file, line and key, and no
 * favicon (the site still serves). */
static void expect_favicon(const char *value, bool valid)
{
    struct config cfg;
    struct buf yaml = {0};
    buf_printf(&yaml, "favicon: \"%s\"\n", value);
    CHECK(load_yaml(yaml.data, &cfg) == 0);
    if (valid) {
        CHECK(diags.n == 0);
        CHECK(cfg.site.favicon && strlen(cfg.site.favicon) == strlen(value));
    } else {
        CHECK_CONTAINS(report.data, "capsule.yaml:1: warning: favicon: expected one emoji");
        CHECK(cfg.site.favicon == NULL);
    }
    config_free(&cfg);
    buf_free(&yaml);
}

static void test_favicon(void)
{
    static const char *const valid[] = {
        "\xf0\x9f\x8e\x93",                                 /* 🎓 */
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x8e\x93",     /* 👨‍🎓 */
        "\xf0\x9f\x87\xa8\xf0\x9f\x87\xb3",                 /* 🇨🇳 */
        "#\xef\xb8\x8f\xe2\x83\xa3",                        /* #️⃣ */
        "1\xe2\x83\xa3",                                    /* 1⃣ */
        "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",                 /* 👍🏽 */
        "\xe2\x98\x95",                                     /* ☕ */
        "\xe2\x98\x85",                                     /* ★ */
        "\xe2\x9d\xa4\xef\xb8\x8f",                         /* ❤️ */
        /* 🏴󠁧󠁢󠁳󠁣󠁴󠁿 (Scotland: a flag of tags, 28 bytes) */
        "\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xb3"
        "\xf3\xa0\x81\xa3\xf3\xa0\x81\xb4\xf3\xa0\x81\xbf",
        /* 👩🏻‍❤️‍💋‍👩🏼 (35 bytes) */
        "\xf0\x9f\x91\xa9\xf0\x9f\x8f\xbb\xe2\x80\x8d\xe2\x9d\xa4\xef\xb8\x8f"
        "\xe2\x80\x8d\xf0\x9f\x92\x8b\xe2\x80\x8d\xf0\x9f\x91\xa9\xf0\x9f\x8f\xbc",
    };
    static const char *const invalid[] = {
        "\xf0\x9f\x8e\x93\\r\\n=> gemini://evil/ Click", /* CRLF + a link */
        "\xf0\x9f\x8e\x93\\n",
        "\\e[31m\xf0\x9f\x8e\x93",                       /* ESC */
        "\xf0\x9f\x8e\x93\\u0085",                       /* C1 NEL */
        "\xf0\x9f\x8e\x93\xf0\x9f\x8e\x93",              /* two emoji */
        "\xf0\x9f\x8e\x93 ", " \xf0\x9f\x8e\x93", "",
        "a", "=> x", "#", "*", "1", "#\xef\xb8\x8f",     /* no keycap mark */
        "\xf0\x9f\x87\xa8",                              /* half a flag */
        "\xf0\x9f\x8e\x93\xe2\x80\x8d",                  /* trailing ZWJ */
        "\xe2\x80\x8d\xf0\x9f\x8e\x93",                  /* leading ZWJ */
        "\xcc\x81",                                      /* a lone combining mark */
        "\xe2\x80\x8b",                                  /* zero-width space */
        "\xe2\x80\xae\xf0\x9f\x8e\x93",                  /* right-to-left override */
        "\xc2\xa0",                                      /* no-break space */
        "\xf0\x9f\x8e\x93\\0x",                          /* NUL */
    };
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
        expect_favicon(valid[i], true);
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
        expect_favicon(invalid[i], false);

    /* Over 64 bytes: a megabyte of emoji is not one. */
    struct buf big = {0};
    for (int i = 0; i < 17; i++)
        buf_puts(&big, "\xf0\x9f\x8e\x93");
    expect_favicon(big.data, false);
    buf_clear(&big);
    for (int i = 0; i < 16; i++) /* 64 bytes, but sixteen emoji */
        buf_puts(&big, "\xf0\x9f\x8e\x93");
    expect_favicon(big.data, false);
    buf_free(&big);

    struct config cfg;
    CHECK(load_yaml("title: t\nfavicon: [a, b]\n", &cfg) == 0);
    CHECK_CONTAINS(report.data, "capsule.yaml:2: warning: favicon: expected one emoji");
    CHECK(cfg.site.favicon == NULL);
    config_free(&cfg);
    CHECK(load_yaml("favicon: ~\n", &cfg) == 0 && diags.n == 0);
    CHECK(cfg.site.favicon == NULL);
    config_free(&cfg);
}

/* A Jekyll _config.yml's favicon is a path for the web: no /favicon.txt,
 * no warning, and {{ site.favicon }} still resolves. */
static void test_jekyll_favicon(void)
{
    struct config cfg;
    struct buf yaml = {0};
    buf_printf(&yaml, "%s/capsule.yaml", tmpdir);
    unlink(yaml.data);
    write_file("_config.yml", "title: J\nfavicon: /assets/favicon.ico\n");
    diags_free(&diags);
    CHECK(config_load(tmpdir, &cfg, &diags) == 0);
    CHECK(diags.n == 0);
    CHECK(cfg.site.favicon == NULL);
    CHECK_STR(config_site_var(&cfg, "favicon"), "/assets/favicon.ico");
    config_free(&cfg);
    write_file("_config.yml", "title: J\nfavicon: \"\xf0\x9f\x8e\x93\"\n");
    CHECK(config_load(tmpdir, &cfg, &diags) == 0);
    CHECK(cfg.site.favicon == NULL); /* even an emoji: capsule.yaml sets it */
    config_free(&cfg);
    /* capsule.yaml beside it is read instead, and sets one */
    CHECK(load_yaml("favicon: \"\xe2\x98\x95\"\n", &cfg) == 0);
    CHECK_STR(cfg.site.favicon, "\xe2\x98\x95");
    config_free(&cfg);
    buf_free(&yaml);
}

/* A Jekyll site directory is a capsule too: its _config.yml is read when
 * there is no capsule.yaml, and capsule.yaml wins when both exist. */
static void test_jekyll_config(void)
{
    struct config cfg;
    struct buf yaml = {0};
    buf_printf(&yaml, "%s/capsule.yaml", tmpdir);
    unlink(yaml.data);
    write_file("_config.yml", "title: Jekyll Site\nauthor:\n  name: J. Doe\n");
    diags_free(&diags);
    CHECK(config_load(tmpdir, &cfg, &diags) == 0);
    CHECK_STR(cfg.site.title, "Jekyll Site");
    CHECK_STR(cfg.site.author_name, "J. Doe");
    CHECK_STR(config_site_var(&cfg, "author.name"), "J. Doe");
    config_free(&cfg);
    CHECK(load_yaml("title: Capsule\n", &cfg) == 0);
    CHECK_STR(cfg.site.title, "Capsule");
    config_free(&cfg);
    buf_free(&yaml);
}

/* capsule.yaml is content of the capsule like the pages: a symlink out of
 * the directory or a FIFO is an error, not a file to read. */
static void test_config_file_kinds(void)
{
    struct config cfg;
    struct buf yaml = {0};
    buf_printf(&yaml, "%s/capsule.yaml", tmpdir);
    unlink(yaml.data);
    CHECK(symlink("/etc/passwd", yaml.data) == 0);
    diags_free(&diags);
    buf_clear(&report);
    CHECK(config_load(tmpdir, &cfg, &diags) == -1);
    diags_format(&diags, &report);
    CHECK_CONTAINS(report.data, "capsule.yaml: error: outside the capsule "
                                "directory");
    config_free(&cfg);
    unlink(yaml.data);
    CHECK(mkfifo(yaml.data, 0644) == 0);
    diags_free(&diags);
    buf_clear(&report);
    CHECK(config_load(tmpdir, &cfg, &diags) == -1);
    diags_format(&diags, &report);
    CHECK_CONTAINS(report.data, "capsule.yaml: error: not a regular file");
    config_free(&cfg);
    unlink(yaml.data);
    buf_free(&yaml);
}

static void cleanup(void)
{
    static const char *const names[] = {"capsule.yaml", "profile.md", "about.md",
                                        "_config.yml"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct buf p = {0};
        buf_printf(&p, "%s/%s", tmpdir, names[i]);
        unlink(p.data);
        buf_free(&p);
    }
    rmdir(tmpdir);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_default_capsule();
    test_defaults();
    test_values();
    test_errors();
    test_warnings();
    test_page_choice();
    test_alias_bomb();
    test_few_aliases();
    test_source_cap();
    test_corpus_configs();
    test_favicon();
    test_jekyll_config();
    test_config_file_kinds();
    test_jekyll_favicon();
    cleanup();
    diags_free(&diags);
    buf_free(&report);
    return test_done();
}
