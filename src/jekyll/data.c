/* site.data as Jekyll's DataReader reads it: every .yml, .yaml, .json
 * (read as YAML, as SafeYAML reads it), .csv and .tsv of data_dir, and
 * its folders as nested hashes, each keyed by its sanitised name. CSV and
 * TSV have a header row: an array of hashes of strings. */
#include "internal.h"

#include "capsuled/file.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- CSV --- */

/* One field at *p; quoted fields may hold the separator, newlines and
 * doubled quotes. *end_row tells whether the row ends after it. */
static struct value *csv_field(const char **p, const char *end, char sep,
                               bool *end_row)
{
    struct buf b = {0};
    bool quoted = *p < end && **p == '"', any = quoted;
    if (quoted)
        (*p)++;
    while (*p < end) {
        char c = **p;
        if (quoted && c == '"' && *p + 1 < end && (*p)[1] == '"') {
            buf_putc(&b, '"');
            *p += 2;
        } else if (quoted && c == '"') {
            quoted = false;
            (*p)++;
        } else if (!quoted && (c == sep || c == '\n' || c == '\r')) {
            break;
        } else {
            buf_putc(&b, c);
            any = true;
            (*p)++;
        }
    }
    *end_row = *p >= end || **p != sep;
    if (*p < end && **p == '\r')
        (*p)++;
    if (*p < end)
        (*p)++;
    struct value *v = any ? value_string(b.data ? b.data : "", b.len)
                          : value_nil();
    buf_free(&b);
    return v;
}

static struct value *csv_row(const char **p, const char *end, char sep)
{
    struct value *row = value_array();
    bool done = false;
    while (!done)
        value_array_push(row, csv_field(p, end, sep, &done));
    return row;
}

struct value *jekyll_csv(const char *text, size_t len, char sep)
{
    const char *p = text, *end = text + len;
    struct value *out = value_array();
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (p >= end)
        return out;
    struct value *head = csv_row(&p, end, sep);
    while (p < end) {
        struct value *row = csv_row(&p, end, sep), *h = value_hash();
        for (size_t i = 0; i < value_len(head); i++) {
            const char *key = value_text(value_array_at(head, i));
            const struct value *v = value_array_at(row, i);
            value_hash_set(h, key ? key : "", key ? strlen(key) : 0,
                           v ? value_retain(v) : value_nil());
        }
        value_array_push(out, h);
        value_release(row);
    }
    value_release(head);
    return out;
}

/* --- the folder --- */

/* DataReader#sanitize_filename: only word characters, blanks and '-'
 * stay; blanks become '_'. */
static char *sanitize(const char *name, size_t n)
{
    struct buf b = {0};
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isspace(c)) {
            if (b.len && b.data[b.len - 1] != '_')
                buf_putc(&b, '_');
        } else if (isalnum(c) || c == '_' || c == '-' || c >= 0x80) {
            buf_putc(&b, (char)c);
        }
    }
    return buf_detach(&b);
}

static int data_kind(const char *name)
{
    static const char *const exts[] = {".yml", ".yaml", ".json", ".csv",
                                       ".tsv"};
    const char *dot = strrchr(name, '.');
    for (int i = 0; dot && i < 5; i++)
        if (strcmp(dot, exts[i]) == 0)
            return i;
    return -1;
}

static struct value *parse_data_file(const struct jk_read *r, const char *rel,
                                     int kind)
{
    struct file_content fc;
    char *shown = jk_join(r->root, rel);
    if (file_read(r->root, rel, FILE_BENEATH, r->max_bytes, &fc) < 0) {
        file_report(&fc, shown, r->max_bytes, r->diags);
        free(shown);
        return value_nil();
    }
    struct value *v = NULL;
    if (kind >= 3)
        v = jekyll_csv(fc.data, fc.len, kind == 3 ? ',' : '\t');
    else
        jk_yaml(shown, 1, fc.data, fc.len, DIAG_WARNING, &v, r->diags);
    file_content_free(&fc);
    free(shown);
    return v ? v : value_nil();
}

/* A data file's value: the previous load's when the file is unchanged
 * (the 10,000 rows of a CSV are not parsed again), else parsed. */
static struct value *read_data_file(const struct jk_read *r, const char *rel,
                                    int kind)
{
    struct jekyll_stat st;
    jk_stat(r, rel, &st);
    struct value *v = jk_reuse_data(r, rel, &st);
    if (v) {
        jk_keep_data(r, rel, &st, v);
        return v;
    }
    size_t warnings = jk_warnings(r);
    v = parse_data_file(r, rel, kind);
    if (jk_warnings(r) == warnings)
        jk_keep_data(r, rel, &st, v);
    return v;
}

struct files {
    char ***list;
    size_t *n;
};

static struct value *read_data_dir(const struct jk_read *r, const char *dir,
                                   struct files *seen)
{
    struct value *h = value_hash();
    size_t n;
    if (!jk_first_visit(r, dir))
        return h;
    int *kinds;
    char **names = jk_list_dir(r, dir, &n, &kinds);
    for (int pass = 0; pass < 2; pass++) { /* files, then folders */
        for (size_t i = 0; i < n; i++) {
            char *rel = jk_join(dir, names[i]);
            int kind = kinds[i], dk = data_kind(names[i]);
            if (names[i][0] == '.' || kind < 0 || (pass == 0) != (kind == 0) ||
                (kind == 0 && dk < 0)) {
                free(rel);
                continue;
            }
            size_t keylen = kind == 0 ? (size_t)(strrchr(names[i], '.') -
                                                 names[i])
                                      : strlen(names[i]);
            char *key = sanitize(names[i], keylen);
            struct value *v = kind == 1 ? read_data_dir(r, rel, seen)
                                        : read_data_file(r, rel, dk);
            if (kind == 0) {
                *seen->list = xrealloc(*seen->list,
                                       (*seen->n + 1) * sizeof **seen->list);
                (*seen->list)[(*seen->n)++] = jk_join(r->root, rel);
            }
            value_hash_set(h, key, strlen(key), v);
            free(key);
            free(rel);
        }
    }
    jk_free_names(names, n);
    free(kinds);
    return h;
}

struct value *jk_read_data(const struct jk_read *r, char ***files,
                           size_t *n_files)
{
    const char *dir = jk_str(r->config, "data_dir", "_data");
    while (*dir == '/')
        dir++;
    struct files seen = {files, n_files};
    if (jk_kind_of(r, dir) != 1)
        return value_hash();
    return read_data_dir(r, dir, &seen);
}
