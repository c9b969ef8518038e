/* capsule.yaml: defaults, the default capsule, and errors that name file,
 * line and key. */
#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "test.h"

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
    CHECK_STR(cfg.gemini.hosts[0].cert_file, "certs/localhost.crt");
    CHECK_STR(cfg.gemini.hosts[0].key_file, "certs/localhost.key");
    CHECK(cfg.gopher.n_listen == 2 && cfg.gopher.listen[0].port == 7070);
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
                    "server:\n"
                    "  deadline: 2.5\n"
                    "  max_per_client: 0\n"
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
    CHECK_CONTAINS(cfg.gemini.hosts[0].cert_file, "/certs/example.org.crt");
    CHECK(cfg.gemini.n_hosts == 2);
    CHECK_STR(cfg.gemini.hosts[1].root, "/srv/other");
    CHECK_STR(cfg.gopher.host, "example.org");
    CHECK(cfg.gopher.n_listen == 1 && cfg.gopher.listen[0].port == 70);
    CHECK_STR(cfg.gopher.listen[0].addr, "*");
    CHECK(cfg.gopher.width == 20);
    CHECK(cfg.server.deadline_ms == 2500 && cfg.server.chroot);
    CHECK(cfg.server.max_per_client == 0);
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

static void test_alias_bomb(void)
{
    struct config cfg;
    CHECK(load_yaml("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                    "h: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
                    &cfg) == 0);
    CHECK(cfg.site.n_vars <= 10000);
    config_free(&cfg);
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
    test_jekyll_config();
    test_config_file_kinds();
    cleanup();
    diags_free(&diags);
    buf_free(&report);
    return test_done();
}
