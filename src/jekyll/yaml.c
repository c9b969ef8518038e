/* YAML texts of a Jekyll site (_config.yml, front matter, data files) as
 * values, within the budgets capsule.yaml is read with, and the hash
 * merging Jekyll does with them. */
#include "internal.h"

#include "capsuled/page.h"
#include "capsuled/value_yaml.h"
#include "capsuled/yaml_budget.h"

#include <string.h>
#include <yaml.h>

static int report(const char *file, int line, enum diag_level level,
                  const char *what, struct diags *diags)
{
    diags_add(diags, level, file, line, "%s", what);
    return -1;
}

static int parse_error(const char *file, int first_line,
                       const yaml_parser_t *p, enum diag_level level,
                       struct diags *diags)
{
    diags_add(diags, level, file, first_line + (int)p->problem_mark.line,
              "YAML syntax: %s", p->problem ? p->problem : "cannot parse");
    return -1;
}

int jk_yaml(const char *file, int first_line, const char *text, size_t len,
            enum diag_level level, struct value **out, struct diags *diags)
{
    return jk_yaml_front(file, first_line, text, len, level, out, NULL,
                         diags);
}

int jk_yaml_front(const char *file, int first_line, const char *text,
                  size_t len, enum diag_level level, struct value **out,
                  struct value **settings, struct diags *diags)
{
    *out = NULL;
    if (settings)
        *settings = NULL;
    if (len > YAML_MAX_SOURCE)
        return report(file, first_line, level, "too large: over 1 MiB of YAML",
                      diags);
    if ((*out = value_from_flat_yaml(text, len, settings)))
        return 0;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = parse_error(file, first_line, &parser, level, diags);
    } else {
        int line = yaml_budget_overrun(&doc);
        if (line)
            rc = report(file, first_line + line - 1, level,
                        "too large after alias expansion", diags);
        else
            *out = value_from_yaml(&doc);
        if (!line && settings && value_kind(*out) == VALUE_HASH)
            *settings = page_front_settings(&doc);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

struct value *jk_merge(const struct value *base, const struct value *over)
{
    if (value_kind(base) != VALUE_HASH || value_kind(over) != VALUE_HASH)
        return value_retain(over);
    struct value *m = value_hash();
    value_hash_merge(m, base);
    for (size_t i = 0; i < value_len(over); i++) {
        size_t len;
        const char *key = value_hash_key_at(over, i, &len);
        value_hash_set(m, key, len, jk_merge(value_hash_getn(m, key, len),
                                             value_hash_value_at(over, i)));
    }
    return m;
}

struct value *jk_with(const struct value *hash, const char *key,
                      struct value *v)
{
    struct value *m = value_hash();
    value_hash_merge(m, hash);
    value_hash_set(m, key, strlen(key), v);
    return m;
}

const char *jk_str(const struct value *hash, const char *key, const char *def)
{
    const char *s = value_text(value_hash_get(hash, key));
    return s && value_kind(value_hash_get(hash, key)) != VALUE_NIL ? s : def;
}

bool jk_true(const struct value *hash, const char *key)
{
    return value_truthy(value_hash_get(hash, key));
}
