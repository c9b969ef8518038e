/* A page: bytes → repaired text → front matter (libyaml) + body → Liquid.
 * Every stage keeps the line structure, so a body line maps back to its
 * source line by a fixed offset. */
#include "capsuled/page.h"
#include "capsuled/scholar.h"

#include "capsuled/buf.h"
#include "capsuled/file.h"
#include "capsuled/value_yaml.h"
#include "capsuled/yaml_budget.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* --- front matter bounds --- */

struct front_matter {
    bool present;
    bool closed;
    const char *yaml;   /* the lines between the delimiters */
    size_t yaml_len;
    const char *body;
    size_t body_len;
    int body_line;
};

/* True when the line [s, end) is `delim` followed only by blanks. */
static bool is_delimiter(const char *s, const char *end, const char *delim)
{
    size_t n = strlen(delim);
    if ((size_t)(end - s) < n || memcmp(s, delim, n) != 0)
        return false;
    for (s += n; s < end; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

static const char *line_end(const char *s, const char *end)
{
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    return nl ? nl : end;
}

/* Jekyll's rule: a first line of `---` opens the front matter, the next
 * `---` (or YAML's `...`) line closes it. */
static struct front_matter split_front_matter(const char *text, size_t len)
{
    const char *end = text + len;
    struct front_matter fm = {.body = text, .body_len = len, .body_line = 1};
    const char *first_end = line_end(text, end);
    if (!is_delimiter(text, first_end, "---"))
        return fm;
    fm.present = true;
    const char *line = first_end < end ? first_end + 1 : end;
    fm.yaml = line;
    int number = 2;
    while (line < end) {
        const char *le = line_end(line, end);
        if (is_delimiter(line, le, "---") || is_delimiter(line, le, "...")) {
            fm.closed = true;
            fm.yaml_len = (size_t)(line - fm.yaml);
            fm.body = le < end ? le + 1 : end;
            fm.body_len = (size_t)(end - fm.body);
            fm.body_line = number + 1;
            return fm;
        }
        line = le < end ? le + 1 : end;
        number++;
    }
    /* Never closed: the rest is read as body, after the opening line. */
    fm.yaml_len = 0;
    fm.body = fm.yaml;
    fm.body_len = (size_t)(end - fm.body);
    fm.body_line = 2;
    return fm;
}

/* --- front matter values --- */

static bool is_null_scalar(const yaml_node_t *node)
{
    const char *s = (const char *)node->data.scalar.value;
    return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!s[0] || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

/* The page's own settings are read as written, as capsule.yaml's are:
 * `lang: no` stays Norwegian, though {{ page.lang }} prints false as in
 * Jekyll. Of a repeated key the last scalar counts; `key:` alone is "". */
void page_front_setting(struct value *settings, const char *key,
                        const char *text, size_t len)
{
    static const char *const keys[] = {"title", "lang", "date", "permalink"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(key, keys[i]) == 0)
            value_hash_set(settings, keys[i], strlen(keys[i]),
                           value_string(text, len));
}

static void read_settings(struct value *settings, yaml_document_t *doc,
                          const yaml_node_t *root)
{
    for (const yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(doc, pr->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE ||
            v->type != YAML_SCALAR_NODE)
            continue;
        const char *text = (const char *)v->data.scalar.value;
        bool null = is_null_scalar(v);
        page_front_setting(settings, (const char *)k->data.scalar.value,
                           null ? "" : text, null ? 0 : strlen(text));
    }
}

/* The settings' texts, from p->settings. */
static void point_settings(struct page *p)
{
    p->title = value_text(value_hash_get(p->settings, "title"));
    p->lang = value_text(value_hash_get(p->settings, "lang"));
    p->date = value_text(value_hash_get(p->settings, "date"));
    p->permalink = value_text(value_hash_get(p->settings, "permalink"));
}

struct value *page_front_settings(struct yaml_document_s *doc)
{
    struct value *settings = value_hash();
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root && root->type == YAML_MAPPING_NODE)
        read_settings(settings, doc, root);
    return settings;
}

/* A mapping becomes the page's variables and settings. */
static void read_document(struct page *p, yaml_document_t *doc,
                          struct diags *diags)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        value_release(p->vars);
        p->vars = value_from_yaml(doc);
        read_settings(p->settings, doc, root);
        point_settings(p);
    } else if (root && !(root->type == YAML_SCALAR_NODE && is_null_scalar(root))) {
        diags_add(diags, DIAG_WARNING, p->path, (int)root->start_mark.line + 2,
                  "front matter: expected a mapping of keys (ignored)");
    }
}

/* Aliases can make a few lines name a huge tree: the document is measured
 * as a whole before anything is copied from it (see yaml_budget.h). */
static bool within_budget(struct page *p, yaml_document_t *doc,
                          struct diags *diags)
{
    int line = yaml_budget_overrun(doc);
    if (!line)
        return true;
    diags_add(diags, DIAG_ERROR, p->path, line + 1,
              "front matter: too large after alias expansion (more than %zu MiB)",
              YAML_EXPANSION_BUDGET >> 20);
    return false;
}

/* Parses the front matter; YAML errors are reported at the file's line
 * (the YAML starts on line 2). Returns -1 on a syntax error or a document
 * too large to read. */
static int parse_front_matter(struct page *p, const struct front_matter *fm,
                              struct diags *diags)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = 0;
    if (fm->yaml_len > YAML_MAX_SOURCE) {
        diags_add(diags, DIAG_ERROR, p->path, 2,
                  "front matter: too large: %zu bytes of YAML (at most %zu)",
                  fm->yaml_len, YAML_MAX_SOURCE);
        return -1;
    }
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)fm->yaml,
                                 fm->yaml_len);
    if (!yaml_parser_load(&parser, &doc)) {
        diags_add(diags, DIAG_ERROR, p->path, (int)parser.problem_mark.line + 2,
                  "front matter: %s%s%s",
                  parser.problem ? parser.problem : "cannot parse",
                  parser.context ? " " : "", parser.context ? parser.context : "");
        rc = -1;
    } else if (!within_budget(p, &doc, diags)) {
        yaml_document_delete(&doc);
        rc = -1;
    } else {
        read_document(p, &doc, diags);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* --- Liquid variables --- */

/* What {{ page.X }} and {{ site.X }} read. */
static struct value *liquid_scope(const struct page *p, const struct config *cfg)
{
    struct value *scope = value_hash();
    value_hash_set(scope, "page", 4, value_retain(p->vars));
    if (cfg && cfg->site.vars)
        value_hash_set(scope, "site", 4, value_retain(cfg->site.vars));
    return scope;
}

const char *page_var(const struct page *p, const char *key)
{
    if (!p || !key)
        return NULL;
    return value_text(value_path_get(p->vars, key));
}

/* Where a page's includes come from: the site directory and the page's
 * directory below it. */
struct page_site {
    const char *root;
    const char *dir;
};

static void render_body(struct page *p, const struct front_matter *fm,
                        const struct config *cfg,
                        const struct page_site *site, struct diags *diags)
{
    struct value *scope = liquid_scope(p, cfg);
    size_t cap = cfg ? cfg->server.max_file_bytes : 0;
    /* jekyll-scholar's tags over the site's BibTeX (capsuled/scholar.h);
     * its files are read only when a page uses one. */
    struct scholar *scholar =
        site && site->root
            ? scholar_new(site->root, cfg ? cfg->site.vars : NULL, cap, diags)
            : NULL;
    struct liquid_env env = {
        .root = site ? site->root : NULL, .dir = site ? site->dir : NULL,
        .file = p->path, .first_line = fm->body_line, .diags = diags,
        .max_file_bytes = cap,
        .plugin_tag = scholar ? scholar_tag : NULL, .plugin_ctx = scholar};
    struct liquid_output out;
    liquid_render_env(fm->body, fm->body_len, scope, &env, &out);
    scholar_free(scholar);
    value_release(scope);
    p->body = out.text;
    p->body_len = out.len;
    p->body_lines = out.lines;
    p->n_body_lines = out.n_lines;
}

int page_source_line(const struct page *p, int k)
{
    if (!p->body_lines)
        return p->body_line + k - 1;
    struct liquid_output out = {.lines = p->body_lines,
                                .n_lines = p->n_body_lines};
    return liquid_output_line(&out, k);
}

/* Whether PRE, parsed from the bytes DATA, is what parse_front_matter
 * would make of FM, found in TEXT (DATA repaired): the same bytes, the
 * same YAML. */
static bool front_applies(const struct page_front *pre, const char *data,
                          size_t len, const char *text, size_t text_len,
                          const struct front_matter *fm)
{
    return pre && fm->present && fm->closed && text_len == len &&
           memcmp(text, data, len) == 0 &&
           fm->yaml == text + pre->yaml_at && fm->yaml_len == pre->yaml_len;
}

static int load_page(const char *path, const char *data, size_t len,
                     const struct config *cfg, const struct page_site *site,
                     const struct page_front *pre, struct page *out,
                     struct diags *diags)
{
    memset(out, 0, sizeof *out);
    out->path = xstrdup(path ? path : "");
    out->vars = value_hash();
    out->settings = value_hash();
    out->source = xmalloc(len + 1);
    if (len)
        memcpy(out->source, data, len);
    out->source[len] = '\0';
    out->source_len = len;

    size_t text_len;
    char *text = encoding_repair(data ? data : "", len, &text_len, &out->repairs);
    struct front_matter fm = split_front_matter(text, text_len);
    int rc = 0;
    if (fm.present && !fm.closed)
        diags_add(diags, DIAG_ERROR, out->path, 1,
                  "front matter opened here is never closed");
    else if (front_applies(pre, data, len, text, text_len, &fm)) {
        value_release(out->vars);
        value_release(out->settings);
        out->vars = value_retain(pre->vars);
        out->settings = value_retain(pre->settings);
        point_settings(out);
    } else if (fm.present)
        rc = parse_front_matter(out, &fm, diags);
    out->body_line = fm.body_line;
    render_body(out, &fm, cfg, site, diags);
    free(text);
    return rc;
}

int page_load(const char *path, const char *data, size_t len,
              const struct config *cfg, struct page *out, struct diags *diags)
{
    return load_page(path, data, len, cfg, NULL, NULL, out, diags);
}

/* Every page is read through file_read: see capsuled/file.h for what is
 * refused (files outside the capsule, FIFOs, devices, oversized files). */
static int load_through(const char *root, const char *name,
                        enum file_mode mode, const char *shown,
                        const struct config *cfg,
                        const struct page_site *site, struct page *out,
                        struct diags *diags)
{
    memset(out, 0, sizeof *out);
    size_t cap = cfg ? cfg->server.max_file_bytes : 0;
    struct file_content fc;
    if (file_read(root, name, mode, cap, &fc) < 0) {
        file_report(&fc, shown, cap, diags);
        return -1;
    }
    int rc = load_page(shown, fc.data, fc.len, cfg, site, NULL, out, diags);
    file_content_free(&fc);
    return rc;
}

/* A page's directory: NAME up to its last slash ("" for none). */
static char *dir_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    return xstrndup(name, slash ? (size_t)(slash - name) : 0);
}

int page_load_in(const char *root, const char *name, const char *shown,
                 const struct config *cfg, struct page *out,
                 struct diags *diags)
{
    char *dir = dir_of(name);
    struct page_site site = {root && *root ? root : ".", dir};
    int rc = load_through(root, name, file_mode_of(name), shown, cfg, &site,
                          out, diags);
    free(dir);
    return rc;
}

int page_load_bytes_in(const char *root, const char *name, const char *shown,
                       const char *data, size_t len,
                       const struct page_front *front,
                       const struct config *cfg, struct page *out,
                       struct diags *diags)
{
    char *dir = dir_of(name);
    struct page_site site = {root && *root ? root : ".", dir};
    int rc = load_page(shown, data, len, cfg, &site, front, out, diags);
    free(dir);
    return rc;
}

/* A page named on the command line: its includes come from the
 * configuration's directory, or else from the page's own. */
int page_load_file(const char *path, const struct config *cfg,
                   struct page *out, struct diags *diags)
{
    char *dir = dir_of(path);
    bool cfg_dir = cfg && cfg->dir && *cfg->dir;
    struct page_site site = {cfg_dir ? cfg->dir : *dir ? dir : ".", ""};
    int rc = load_through(NULL, path, FILE_GIVEN, path, cfg, &site, out,
                          diags);
    free(dir);
    return rc;
}

void page_free(struct page *p)
{
    if (!p)
        return;
    value_release(p->vars);
    value_release(p->settings);
    free(p->path);
    free(p->body);
    free(p->body_lines);
    free(p->source);
    memset(p, 0, sizeof *p);
}
