/* liquid_run: prints what capsuled's Liquid makes of a template, for the
 * differential tests (tests/liquid/run.py) and for trying things by hand.
 *
 *   liquid_run TEMPLATE [DATA.yml] [--root DIR] [--repeat N] [--lines]
 *
 * DATA.yml's top-level keys are the template's variables (as Jekyll's
 * payload is); --root is the site directory includes are read beneath
 * (default: the template's directory); --repeat renders N times and prints
 * the time of one render on stderr; --lines prints the line map instead of
 * the text. Findings go to stderr. */
#include "capsuled/diag.h"
#include "capsuled/file.h"
#include "capsuled/liquid.h"
#include "capsuled/value_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

static char *read_all(const char *path, size_t *len)
{
    struct file_content fc;
    if (file_read(NULL, path, FILE_GIVEN, 0, &fc) < 0) {
        fprintf(stderr, "liquid_run: cannot read %s\n", path);
        exit(2);
    }
    *len = fc.len;
    return fc.data;
}

static struct value *load_data(const char *path)
{
    if (!path)
        return value_hash();
    size_t len;
    char *text = read_all(path, &len);
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct value *v = NULL;
    if (yaml_parser_load(&parser, &doc)) {
        v = value_from_yaml(&doc);
        yaml_document_delete(&doc);
    } else {
        fprintf(stderr, "liquid_run: %s: YAML error\n", path);
        exit(2);
    }
    yaml_parser_delete(&parser);
    free(text);
    if (value_kind(v) != VALUE_HASH) {
        value_release(v);
        v = value_hash();
    }
    return v;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *tpl = NULL, *data = NULL, *root = NULL;
    int repeat = 1;
    bool lines = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            root = argv[++i];
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--lines") == 0)
            lines = true;
        else if (!tpl)
            tpl = argv[i];
        else
            data = argv[i];
    }
    if (!tpl) {
        fprintf(stderr, "usage: liquid_run TEMPLATE [DATA.yml] [--root DIR] "
                        "[--repeat N] [--lines]\n");
        return 2;
    }
    size_t len;
    char *src = read_all(tpl, &len);
    struct value *scope = load_data(data);
    char *dir = dir_of(tpl);
    struct diags diags = {0};
    struct liquid_env env = {.root = root ? root : dir, .file = tpl,
                             .diags = &diags};
    struct liquid_output out = {0};
    double t0 = now();
    for (int i = 0; i < (repeat > 0 ? repeat : 1); i++) {
        liquid_output_free(&out);
        if (i > 0)
            env.diags = NULL;
        liquid_render_env(src, len, scope, &env, &out);
    }
    if (repeat > 1)
        fprintf(stderr, "liquid_run: %.3f ms a render\n",
                (now() - t0) * 1e3 / repeat);
    if (lines)
        for (size_t i = 0; i < out.n_lines; i++)
            printf("%zu %d\n", i + 1, out.lines[i]);
    else
        fwrite(out.text, 1, out.len, stdout);
    struct buf msgs = {0};
    diags_format(&diags, &msgs);
    if (msgs.len)
        fwrite(msgs.data, 1, msgs.len, stderr);
    buf_free(&msgs);
    diags_free(&diags);
    liquid_output_free(&out);
    value_release(scope);
    free(dir);
    free(src);
    return 0;
}
