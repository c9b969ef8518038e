/* YAML documents with aliases, through both loaders of YAML: the input as
 * a capsule.yaml (config_load) and as a page's front matter (page_load).
 * Beyond "no crash, no leak" (and libFuzzer's -rss_limit_mb, which the
 * run script sets to 256 for this target): what a load keeps stays within
 * the expansion budget, a document too large fails the load with an error
 * on one of its lines, and a document without aliases is never too large.
 * A document the flat front-matter reader takes, libyaml reads the same. */
#include "capsuled/page.h"
#include "capsuled/value_yaml.h"
#include "capsuled/yaml_budget.h"
#include "fuzz_common.h"
#include "fuzz_config_shared.h"
#include "fuzz_tmpfile.h"
#include "fuzz_value.h"

#include <yaml.h>

static struct config site_cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmp_init("capsule.yaml");
    fuzz_config(&site_cfg);
    return 0;
}

/* The budget charges each key and scalar its dotted path, its text and 16
 * bytes (yaml_budget.c's NODE_COST): a key or scalar kept costs at least
 * that much of it. Typing a scalar may lengthen its text (".1e+16" prints
 * as "1000000000000000.0"), by less than those 16 bytes. */
#define NODE_COST 16

struct kept {
    size_t bytes, entries, limit;
};

static bool count_kept(void *ctx, const char *text, size_t len, size_t path,
                       bool is_key)
{
    (void)text;
    struct kept *k = ctx;
    k->bytes += path + (is_key ? 0 : len);
    k->entries++;
    return k->bytes <= k->limit && k->entries <= k->limit / NODE_COST;
}

/* True when what v holds, walked as the budget walks, fits limit bytes. */
static bool kept_within(const struct value *v, size_t limit)
{
    struct kept k = {0, 0, limit};
    return fuzz_walk_value(v, 0, count_kept, &k);
}

/* An upper bound on the lines libyaml counts: CR, LF, and the last byte
 * of NEL (U+0085), LS and PS (U+2028, U+2029) each end one at most. */
static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 ||
             data[i] == 0xA8 || data[i] == 0xA9;
    return n;
}

/* The "too large after alias expansion" finding, if any, is an error on a
 * line of the document (first_line..last_line of the file) and fails the
 * load. Without a single alias each node is met once: in 1 KB, long keys
 * over many nodes make at most about 1 MB (3 once the page's encoding
 * repair has turned stray bytes into U+FFFD), so there is none. */
static void check_expansion(const struct diags *dg, const char *finding,
                            int rc, int first_line, size_t last_line,
                            const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < dg->n; i++) {
        const struct diag *d = &dg->items[i];
        if (strncmp(d->msg, finding, strlen(finding)) != 0)
            continue;
        if (d->level != DIAG_ERROR || rc != -1)
            fuzz_fail("alias expansion over budget did not fail the load",
                      d->msg, strlen(d->msg));
        if (d->line < first_line || (size_t)d->line > last_line)
            fuzz_fail("alias expansion error outside the document", d->msg,
                      strlen(d->msg));
        if (size <= 1024 && !memchr(data, '*', size))
            fuzz_fail("too large after alias expansion without an alias",
                      (const char *)data, size);
    }
}

static void fuzz_config_file(const uint8_t *data, size_t size)
{
    struct config cfg;
    struct diags dg = {0};
    fuzz_tmp_write(data, size);
    int rc = config_load(fuzz_tmp_dir, &cfg, &dg);
    if (rc == -1 && diags_count(&dg, DIAG_ERROR) == 0)
        fuzz_fail("config_load failed without an error", "", 0);
    check_expansion(&dg, "too large after alias expansion", rc, 1,
                    count_lines(data, size), data, size);
    /* the site's variables also hold the settings' defaults, under the
     * file's keys: a few dozen bytes */
    if (rc == 0 && !kept_within(cfg.site.vars, YAML_EXPANSION_BUDGET + 1024))
        fuzz_fail("site variables beyond the expansion budget", "", 0);
    diags_free(&dg);
    config_free(&cfg);
}

/* The same document between "---" lines, as a page's front matter: its
 * first line is the file's second. */
static void fuzz_front_matter(const uint8_t *data, size_t size)
{
    struct buf md = {0};
    buf_puts(&md, "---\n");
    buf_put(&md, data, size);
    buf_puts(&md, "\n---\nbody\n");
    struct page pg;
    struct diags dg = {0};
    int rc = page_load("fuzz.md", md.data, md.len, &site_cfg, &pg, &dg);
    check_expansion(&dg, "front matter: too large after alias expansion", rc,
                    2, count_lines(data, size) + 2, data, size);
    if (!kept_within(pg.vars, YAML_EXPANSION_BUDGET))
        fuzz_fail("front matter beyond the expansion budget", "", 0);
    diags_free(&dg);
    page_free(&pg);
    buf_free(&md);
}

/* A document the flat reader takes is one libyaml reads without an error
 * to the same values and the same page settings. */
static void fuzz_flat(const uint8_t *data, size_t size)
{
    struct value *settings;
    struct value *flat = value_from_flat_yaml((const char *)data, size,
                                              &settings);
    if (!flat)
        return;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, data, size);
    if (!yaml_parser_load(&parser, &doc))
        fuzz_fail("flat reader took what libyaml refuses", (const char *)data,
                  size);
    struct value *full = value_from_yaml(&doc);
    struct value *full_settings = page_front_settings(&doc);
    if (!value_same(flat, full))
        fuzz_fail("flat reader and libyaml differ", (const char *)data, size);
    if (!value_same(settings, full_settings))
        fuzz_fail("flat reader's settings differ", (const char *)data, size);
    value_release(full_settings);
    value_release(full);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    value_release(settings);
    value_release(flat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_config_file(data, size);
    fuzz_front_matter(data, size);
    fuzz_flat(data, size);
    return 0;
}
