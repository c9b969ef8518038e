/* The offline subcommands: render one format to stdout, check a capsule,
 * export it as static files for another server; and the help texts and the
 * version of every command. */
#include "cli.h"
#include "server.h"

#include "capsuled/capsule.h"
#include "capsuled/jekyll.h"
#include "capsuled/render.h"
#include "capsuled/site.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void print_diags(const struct diags *d, FILE *to)
{
    struct buf b = {0};
    diags_format(d, &b);
    if (b.len)
        fwrite(b.data, 1, b.len, to);
    buf_free(&b);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* --- render --- */

struct render_args {
    const char *to;
    const char *section;
    const char *page; /* --page URL: a page or item of a Jekyll site */
    const char *target;
};

/* Accepts "--to X" and "--to=X". Returns the value and advances *i. */
static const char *option_value(int argc, char **argv, int *i,
                                const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_render_args(int argc, char **argv, struct render_args *a)
{
    *a = (struct render_args){.to = "gemtext"};
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = option_value(argc, argv, &i, "--to")))
            a->to = v;
        else if ((v = option_value(argc, argv, &i, "--section")))
            a->section = v;
        else if ((v = option_value(argc, argv, &i, "--page")))
            a->page = v;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "capsuled render: unknown or incomplete option "
                            "'%s'\n", argv[i]);
            return -1;
        } else if (a->target) {
            fprintf(stderr, "capsuled render: one FILE or CAPSULE-DIR\n");
            return -1;
        } else {
            a->target = argv[i];
        }
    }
    static const char *const formats[] = {"gemtext", "gophermap", "text",
                                          "gemsub", "atom"};
    bool known = false;
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        known |= strcmp(a->to, formats[i]) == 0;
    if (!known) {
        fprintf(stderr, "capsuled render: --to takes gemtext, gophermap, "
                        "text, gemsub or atom, not '%s'\n", a->to);
        return -1;
    }
    if (!a->target) {
        fprintf(stderr, "usage: capsuled render [--to gemtext|gophermap|text|"
                        "gemsub|atom] [--section SLUG] [--page URL] "
                        "FILE-or-CAPSULE-DIR\n");
        return -1;
    }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* A directory is a capsule; a Markdown file takes the capsule.yaml beside
 * it when there is one, else the defaults. *page gets the file to render,
 * or stays NULL for a capsule's own page (read beneath its directory). */
static int load_config_for(const char *target, struct config *cfg,
                           char **page, struct diags *diags)
{
    *page = NULL;
    if (is_directory(target))
        return config_load(target, cfg, diags) < 0 ? -1 : 0;
    char *dir = dir_of(target);
    struct buf yaml = {0};
    buf_printf(&yaml, "%s/capsule.yaml", dir);
    int rc = 0;
    if (file_exists(yaml.data))
        rc = config_load(dir, cfg, diags);
    else
        config_defaults(cfg);
    free(dir);
    buf_free(&yaml);
    if (rc < 0)
        return -1;
    *page = xstrdup(target);
    return 0;
}

static void list_sections(const struct doc *d, FILE *to)
{
    fputs("sections:", to);
    for (size_t i = 0; i < d->n_sections; i++)
        fprintf(to, " %s", d->sections[i].slug ? d->sections[i].slug : "?");
    fputc('\n', to);
}

static void render_format(const struct site_content *c, const char *to,
                          long section, struct buf *out)
{
    const struct doc *d = &c->doc;
    const struct render_opts *o = &c->opts;
    if (strcmp(to, "gemsub") == 0)
        render_gemsub(d, o, out);
    else if (strcmp(to, "atom") == 0)
        render_atom(d, o, out);
    else if (strcmp(to, "gophermap") == 0 && section >= 0)
        render_gophermap_section(d, (size_t)section, o, out);
    else if (strcmp(to, "gophermap") == 0)
        render_gophermap_all(d, o, out);
    else if (strcmp(to, "text") == 0 && section >= 0)
        render_text_section(d, (size_t)section, o, 0, out);
    else if (strcmp(to, "text") == 0)
        render_text_all(d, o, 0, out);
    else if (section >= 0)
        render_gemtext_section(d, (size_t)section, o, out);
    else
        render_gemtext_all(d, o, out);
}

/* --page URL: only a Jekyll site has pages by URL. */
static int select_page(struct site_content *c, const struct config *cfg,
                       const char *url, struct diags *diags)
{
    if (!c->jekyll) {
        diags_add(diags, DIAG_ERROR, c->page_path, 0,
                  "--page needs a Jekyll site (a directory with "
                  "_config.yml)");
        return -1;
    }
    return site_content_select(c, cfg, url, diags);
}

int cli_render(int argc, char **argv)
{
    struct render_args a;
    if (parse_render_args(argc, argv, &a) < 0)
        return 2;
    struct diags diags = {0};
    struct config cfg = {0};
    char *page = NULL;
    struct site_content c = {0};
    int status = 2;
    if (load_config_for(a.target, &cfg, &page, &diags) < 0 ||
        site_content_load(&cfg, 0, page, &c, &diags) < 0) {
        print_diags(&diags, stderr);
        goto out;
    }
    if (a.page && select_page(&c, &cfg, a.page, &diags) < 0) {
        print_diags(&diags, stderr);
        site_content_free(&c);
        goto out;
    }
    long section = -1;
    if (a.section) {
        const struct section *sec = doc_find_section(&c.doc, a.section);
        if (!sec) {
            fprintf(stderr, "capsuled render: no section '%s'\n", a.section);
            list_sections(&c.doc, stderr);
            site_content_free(&c);
            goto out;
        }
        section = (long)(sec - c.doc.sections);
    }
    struct buf b = {0};
    render_format(&c, a.to, section, &b);
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    buf_free(&b);
    site_content_free(&c);
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    free(page);
    config_free(&cfg);
    diags_free(&diags);
    return status;
}

/* --- check --- */

/* One host's page, loaded on a thread of its own so that a page cmark is
 * slow on can be reported instead of waited for. A job left running keeps
 * its struct (and the config it reads) to the end of the process. */
struct check_job {
    const struct config *cfg;
    size_t host;
    struct site_content content;
    struct diags diags;
    int rc;
};

static void check_run(void *arg)
{
    struct check_job *j = arg;
    j->rc = site_content_load(j->cfg, j->host, NULL, &j->content, &j->diags);
}

static void take_diags(struct diags *into, const struct diags *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct diag *d = &from->items[i];
        diags_add(into, d->level, d->file, d->line, "%s", d->msg);
    }
}

/* -1 when the page cannot be loaded, 1 when it took longer than
 * server.build_timeout (an error added to diags), else 0 with *out set. */
static int check_host(const struct config *cfg, size_t i,
                      struct site_content *out, struct diags *diags)
{
    struct check_job *j = xcalloc(1, sizeof *j);
    j->cfg = cfg;
    j->host = i;
    struct job *job = job_start(check_run, j, 0);
    if (!job) {
        check_run(j);
    } else if (!job_wait(job, cfg->server.build_timeout_ms)) {
        char *page = site_page_path(cfg, i);
        diags_add(diags, DIAG_ERROR, page, 0,
                  "build took longer than server.build_timeout (%g s)",
                  cfg->server.build_timeout_ms / 1000.0);
        free(page);
        return 1;
    } else {
        job_join(job);
    }
    take_diags(diags, &j->diags);
    diags_free(&j->diags);
    int rc = j->rc;
    *out = j->content;
    free(j);
    return rc < 0 ? -1 : 0;
}

int cli_check(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: capsuled check CAPSULE-DIR\n", stderr);
        return 2;
    }
    struct diags diags = {0};
    /* On the heap: a page still loading when check ends reads it. */
    struct config *cfg = xcalloc(1, sizeof *cfg);
    bool left_behind = false;
    int status = 2;
    if (config_load(argv[1], cfg, &diags) < 0) {
        print_diags(&diags, stdout);
        goto out;
    }
    size_t n = cfg->gemini.n_hosts ? cfg->gemini.n_hosts : 1;
    char **seen = xcalloc(n, sizeof *seen);
    status = 0;
    for (size_t i = 0; i < n && status == 0; i++) {
        seen[i] = site_page_path(cfg, i);
        bool again = false;
        for (size_t k = 0; k < i; k++)
            again |= strcmp(seen[k], seen[i]) == 0;
        struct site_content c;
        if (again)
            continue; /* hosts sharing one page: report it once */
        int rc = check_host(cfg, i, &c, &diags);
        left_behind |= rc > 0;
        if (rc != 0) {
            status = rc < 0 ? 2 : 0;
            continue;
        }
        if (c.page.repairs > 0)
            diags_add(&diags, DIAG_NOTE, c.page_path, 0,
                      "%zu mis-decoded text span%s (UTF-8 read as Mac Roman "
                      "or Windows-1252) repaired",
                      c.page.repairs, c.page.repairs == 1 ? "" : "s");
        if (i == 0) { /* finger and spartan's default host */
            site_check_served(cfg, &c, &diags);
            site_check_jekyll(cfg, &c, &diags);
        }
        site_content_free(&c);
    }
    for (size_t i = 0; i < n; i++)
        free(seen[i]);
    free(seen);
    print_diags(&diags, stdout);
    if (status == 0 && diags_count(&diags, DIAG_ERROR) > 0)
        status = 1;
out:
    if (!left_behind) {
        config_free(cfg);
        free(cfg);
    }
    diags_free(&diags);
    return status;
}

/* --- export --- */

/* mkdir -p, from the deepest directory up only as far as one is missing:
 * an export makes thousands, each beside ones made before. */
static int make_dirs(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    char *parent = dir_of(path);
    int rc = strcmp(parent, path) != 0 && make_dirs(parent) == 0 &&
                     (mkdir(path, 0755) == 0 || errno == EEXIST)
                 ? 0
                 : -1;
    free(parent);
    return rc;
}

static int write_file(const char *path, const char *data, size_t len)
{
    char *dir = dir_of(path);
    int rc = make_dirs(dir);
    free(dir);
    FILE *f = rc == 0 ? fopen(path, "wb") : NULL;
    if (!f) {
        fprintf(stderr, "capsuled export: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len) {
        fprintf(stderr, "capsuled export: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

/* Whether a route is written as a directory: one ending in '/', and a
 * page served without its .html ("/talkmap"), whose name a directory of
 * the site may also have ("/talkmap/map.html"): a server of the tree
 * answers it from the directory's index. */
static bool exported_as_dir(const char *route)
{
    const char *last = strrchr(route, '/');
    return route[strlen(route) - 1] == '/' || !strchr(last ? last : route, '.');
}

/* Directory routes become DIR/INDEX; file routes keep their name. */
static char *export_path(const char *outdir, const char *route,
                         const char *index)
{
    struct buf p = {0};
    buf_printf(&p, "%s%s", outdir, route);
    if (exported_as_dir(route))
        buf_printf(&p, "%s%s", route[strlen(route) - 1] == '/' ? "" : "/",
                   index);
    return buf_detach(&p);
}

/* A Gemini redirect ("31 gemini://host/about\r\n", a page's .html
 * form) exported as a gemtext page linking where it leads, by path, so
 * the tree works wherever it is served. False for other routes. */
static bool redirect_page(const struct route *r, struct buf *out)
{
    if (r->len < 4 || r->data[0] != '3' || r->data[2] != ' ')
        return false;
    const char *target = r->data + 3;
    const char *end = strstr(target, "\r\n");
    size_t n = end ? (size_t)(end - target) : strlen(target);
    const char *scheme = strstr(target, "://");
    if (scheme && scheme < target + n) {
        const char *path = memchr(scheme + 3, '/',
                                  (size_t)(target + n - scheme - 3));
        n -= path ? (size_t)(path - target) : n;
        target = path ? path : target;
    }
    buf_puts(out, "=> ");
    buf_put(out, target, n);
    buf_puts(out, " Moved here\n");
    return true;
}

static int export_table(const struct route_table *t, const char *outdir,
                        const char *index, bool strip_header,
                        const struct route_table *skip, size_t *written)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct route *r = &t->items[i];
        const char *body = r->data;
        size_t len = r->len;
        struct buf moved = {0};
        if (strip_header && redirect_page(r, &moved)) {
            body = moved.data;
            len = moved.len;
        } else if (strip_header) {
            const char *crlf = strstr(body, "\r\n");
            size_t skip = crlf ? (size_t)(crlf - body) + 2 : 0;
            body += skip;
            len -= skip;
        }
        bool is_dir = exported_as_dir(r->path);
        if (skip && !is_dir && route_find(skip, r->path))
            continue;
        char *path = export_path(outdir, r->path, index);
        int rc = write_file(path, body, len);
        *written += rc == 0;
        free(path);
        buf_free(&moved);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cli_export(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: capsuled export CAPSULE-DIR OUTDIR\n", stderr);
        return 2;
    }
    struct diags diags = {0};
    struct capsule *c = capsule_load(argv[1], &diags);
    if (!c) {
        print_diags(&diags, stderr);
        diags_free(&diags);
        return 2;
    }
    const char *outdir = argv[2];
    size_t written = 0;
    const struct site *s = c->sites[0];
    /* Gemini first: files both protocols serve (robots.txt, source.md)
     * are the same bytes, written once. */
    int rc = make_dirs(outdir) < 0 ? -1 : 0;
    if (rc == 0)
        rc = export_table(&s->gemini, outdir, "index.gmi", true, NULL,
                          &written);
    if (rc == 0)
        rc = export_table(&s->gopher, outdir, "gophermap", false,
                          &s->gemini,
                          &written);
    if (rc == 0)
        fprintf(stderr, "capsuled export: wrote %zu files to %s\n", written,
                outdir);
    capsule_unref(c);
    diags_free(&diags);
    return rc == 0 ? 0 : 1;
}

/* --- help and version --- */

struct command_help {
    const char *name;
    const char *usage;
    const char *text;
};

static const struct command_help commands[] = {
    {"serve", "capsuled serve [--takeover] [CAPSULE-DIR]",
     "Serves the capsule (default: capsule/) over Gemini, Gopher and, when\n"
     "enabled, Finger, until SIGINT or SIGTERM. Edits show in the next\n"
     "request. SIGHUP re-reads capsule.yaml and the certificates, SIGUSR1\n"
     "reopens the access log.\n"
     "\n"
     "  --takeover  take the listening sockets of the instance serving the\n"
     "              same configuration: it stops accepting, finishes its\n"
     "              requests and exits; no connection is lost\n"
     "\n"
     "Under systemd socket activation (LISTEN_FDS) it serves the sockets\n"
     "passed and binds nothing itself. Generated certificates go to the\n"
     "state directory ($STATE_DIRECTORY, /var/lib/capsuled as root, else\n"
     "$XDG_STATE_HOME/capsuled or ~/.local/state/capsuled).\n"},
    {"render",
     "capsuled render [--to gemtext|gophermap|text|gemsub|atom] "
     "[--section SLUG] [--page URL] FILE-or-CAPSULE-DIR",
     "Prints the page in one format to stdout (default gemtext); --section\n"
     "prints one section only; --page picks another page or item of a\n"
     "Jekyll site by its URL (as `capsuled list` prints it).\n"},
    {"check", "capsuled check CAPSULE-DIR",
     "Reports repairs, broken links and leftovers as file:line: level:\n"
     "message; exits 1 when there are errors.\n"},
    {"export", "capsuled export CAPSULE-DIR OUTDIR",
     "Writes every page as static .gmi files and gophermaps under OUTDIR;\n"
     "in a Jekyll site also its pages, items and static files at their\n"
     "URLs, a page's .html form as a link to the page.\n"},
    {"list", "capsuled list SITE-DIR",
     "Prints every URL a Jekyll site has, with its kind (page, post, item,\n"
     "static) and source file; the home page is marked.\n"},
    {"help", "capsuled help [COMMAND]",
     "Prints the commands, or one command's help.\n"},
};

enum { N_COMMANDS = sizeof commands / sizeof *commands };

void cli_usage(FILE *to)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(to, "%s %s\n", i == 0 ? "usage:" : "      ",
                commands[i].usage);
}

static void print_overview(void)
{
    cli_usage(stdout);
    fputs("       capsuled --version\n\n"
          "Serves a personal profile page, or a Jekyll site, to the small "
          "web.\n'capsuled help COMMAND' tells more; man capsuled(8), "
          "capsule.yaml(5).\n"
          "Exit status: 0 ok, 1 content errors (check) or a failed start, "
          "2 usage or\nconfiguration errors.\n",
          stdout);
}

int cli_help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview();
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            printf("usage: %s\n\n%s", commands[i].usage, commands[i].text);
            return 0;
        }
    }
    fprintf(stderr, "capsuled help: unknown command '%s'\n", argv[1]);
    cli_usage(stderr);
    return 2;
}

int cli_version(void)
{
    printf("capsuled %s\n", CAPSULED_VERSION);
    return 0;
}

/* --- list --- */

static const char *kind_name(enum jekyll_kind k)
{
    static const char *const names[] = {"page", "post", "item", "static"};
    return names[k];
}

/* Every URL a Jekyll site has, sorted, with its kind and source file: the
 * files Jekyll would write (documents of collections without output, and
 * future ones, are not listed). The home page is marked. */
int cli_list(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: capsuled list SITE-DIR\n", stderr);
        return 2;
    }
    struct diags diags = {0};
    struct jekyll_site site;
    if (!jekyll_is_site(argv[1])) {
        fprintf(stderr, "capsuled list: %s: no _config.yml (not a Jekyll "
                        "site)\n", argv[1]);
        return 2;
    }
    if (jekyll_load(argv[1], NULL, &site, &diags) < 0) {
        print_diags(&diags, stderr);
        diags_free(&diags);
        return 2;
    }
    const struct jekyll_doc *home = jekyll_home(&site, &diags);
    for (size_t i = 0; i < site.n_docs; i++) {
        const struct jekyll_doc *d = &site.docs[i];
        if (d->output)
            printf("%s\t%s%s\t%s\n", d->url, kind_name(d->kind),
                   d == home ? " home" : "", d->path);
    }
    print_diags(&diags, stderr);
    jekyll_free(&site);
    diags_free(&diags);
    return fflush(stdout) == 0 ? 0 : 1;
}
