/* The Liquid interpreter: any template, over a small scope (strings,
 * numbers, nested arrays and hashes) and a site directory whose
 * _includes hold a plain include, one with parameters, one that includes
 * itself and one that loops. Whatever the input: no crash, no leak, output
 * within the cap it was given, and a line map with one entry per output
 * line, each a line of the template. */
#include "capsuled/liquid.h"
#include "fuzz_common.h"

#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUT 65536

static struct value *scope;
static char site_dir[64];

static void write_include(const char *name, const char *text)
{
    char path[192];
    snprintf(path, sizeof path, "%s/_includes/%s", site_dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void remove_site(void)
{
    static const char *const names[] = {"a.html", "p.html", "self.html",
                                        "loop.html"};
    char path[192];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/_includes/%s", site_dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/_includes", site_dir);
    rmdir(path);
    rmdir(site_dir);
}

static void make_site(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(site_dir, sizeof site_dir, "%s/capsuled-fuzz-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    char inc[128];
    snprintf(inc, sizeof inc, "%s/_includes", mkdtemp(site_dir) ? site_dir : "");
    if (!site_dir[0] || mkdir(inc, 0700) != 0) {
        perror("fuzz_liquid: site directory");
        exit(1);
    }
    atexit(remove_site);
    write_include("a.html", "<b>{{ page.title }}</b>\n");
    write_include("p.html", "{{ include.x }}|{{ include.y | upcase }}\n");
    write_include("self.html", "[{% include self.html %}]");
    write_include("loop.html", "{% for i in (1..100) %}{{ i }}{% endfor %}\n");
}

static void set(struct value *h, const char *k, struct value *v)
{
    value_hash_set(h, k, strlen(k), v);
}

static struct value *make_scope(void)
{
    struct value *s = value_hash(), *page = value_hash(), *site = value_hash(),
                 *list = value_array(), *people = value_array();
    for (int i = 0; i < 5; i++)
        value_array_push(list, value_int(i));
    for (int i = 0; i < 3; i++) {
        struct value *p = value_hash();
        set(p, "name", value_cstring(i ? "Bob" : "Ada"));
        set(p, "age", value_int(20 + i * 10));
        value_array_push(people, p);
    }
    set(page, "title", value_cstring("Title"));
    set(page, "list", list);
    set(page, "empty", value_cstring(""));
    set(page, "f", value_float(2.5));
    set(site, "people", people);
    set(site, "baseurl", value_cstring("/b"));
    set(s, "page", page);
    set(s, "site", site);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_site();
    scope = make_scope();
    return 0;
}

static int count_lines(const char *s, size_t len)
{
    int n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static void check_lines(const struct liquid_output *out, int tpl_lines)
{
    size_t want = 0;
    for (size_t i = 0; i < out->len; i++)
        if (i == 0 || out->text[i - 1] == '\n')
            want++;
    if (out->n_lines != want)
        fuzz_fail("line map: not one entry per output line", out->text,
                  out->len);
    for (size_t i = 0; i < out->n_lines; i++)
        if (out->lines[i] < 1 || out->lines[i] > tpl_lines)
            fuzz_fail("line map: a line outside the template", out->text,
                      out->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct diags diags = {0};
    struct liquid_env env = {.root = site_dir, .file = "fuzz.md",
                             .diags = &diags, .max_output = MAX_OUT,
                             .max_iterations = 20000, .max_steps = 200000};
    struct liquid_output out;
    liquid_render_env(in, size, scope, &env, &out);
    if (out.len > MAX_OUT || strlen(out.text) > out.len)
        fuzz_fail("output over its cap", out.text, out.len);
    check_lines(&out, count_lines(in, size));
    liquid_output_free(&out);
    diags_free(&diags);
    return 0;
}
