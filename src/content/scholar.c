/* jekyll-scholar's tags (see capsuled/scholar.h): the tag's options, the
 * query that filters entries, the configured sort, and one HTML citation
 * per entry. */
#include "capsuled/scholar.h"

#include "capsuled/bibtex.h"
#include "capsuled/file.h"

#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

struct scholar {
    char *root;
    char *source;        /* folder of the .bib files, relative to root */
    char *default_file;  /* scholar.bibliography */
    char *query;         /* scholar.query: what every bibliography shows */
    char *sort_by;       /* "year,month" or "none" */
    bool descending;
    size_t max_bytes;
    struct value *files; /* file name → its entries, each read once */
    struct diags *diags;
};

static char *S_setting(const struct value *scholar, const char *key,
                       const char *fallback)
{
    const char *text = value_text(value_hash_get(scholar, key));
    return xstrdup(text && *text ? text : fallback);
}

/* "./_bibliography", "_bibliography/" and "/_bibliography/" (al-folio's
 * setting: jekyll-scholar joins it to the site's source) name the same
 * folder. */
static char *S_folder(const struct value *scholar)
{
    const char *dir = value_text(value_hash_get(scholar, "source"));
    if (!dir || !*dir)
        dir = "_bibliography";
    if (dir[0] == '.' && dir[1] == '/')
        dir += 2;
    while (dir[0] == '/' && dir[1] != '\0')
        dir++;
    char *out = xstrdup(dir);
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    return out;
}

struct scholar *scholar_new(const char *root, const struct value *site,
                            size_t max_bytes, struct diags *diags)
{
    const struct value *conf = value_hash_get(site, "scholar");
    struct scholar *s = xcalloc(1, sizeof *s);
    s->root = xstrdup(root ? root : ".");
    s->source = S_folder(conf);
    s->default_file = S_setting(conf, "bibliography", "references.bib");
    s->query = S_setting(conf, "query", "@*");
    s->sort_by = S_setting(conf, "sort_by", "none");
    char *order = S_setting(conf, "order", "ascending");
    s->descending = strncmp(order, "desc", 4) == 0;
    free(order);
    s->max_bytes = max_bytes;
    s->files = value_hash();
    s->diags = diags;
    return s;
}

void scholar_free(struct scholar *s)
{
    if (!s)
        return;
    free(s->root);
    free(s->source);
    free(s->default_file);
    free(s->query);
    free(s->sort_by);
    value_release(s->files);
    free(s);
}

/* --- files --- */

static char *S_bib_path(const struct scholar *s, const char *name)
{
    struct buf path = {0};
    size_t n = strlen(name);
    bool has_ext = n > 4 && strcmp(name + n - 4, ".bib") == 0;
    buf_printf(&path, "%s/%s%s", s->source, name, has_ext ? "" : ".bib");
    return buf_detach(&path);
}

char *scholar_file(const struct scholar *s, const char *name)
{
    char *rel = S_bib_path(s, name);
    struct buf path = {0};
    buf_printf(&path, "%s/%s", s->root, rel[0] == '/' ? rel + 1 : rel);
    free(rel);
    return buf_detach(&path);
}

static const struct value *S_entries(struct scholar *s, const char *name)
{
    const struct value *cached = value_hash_get(s->files, name);
    if (cached)
        return cached;
    char *path = S_bib_path(s, name);
    struct file_content fc;
    struct value *entries;
    if (file_read(s->root, path, FILE_BENEATH, s->max_bytes, &fc) < 0) {
        file_report(&fc, path, s->max_bytes, s->diags);
        entries = value_array();
    } else {
        entries = bibtex_parse(path, fc.data, fc.len, s->diags);
        file_content_free(&fc);
    }
    free(path);
    value_hash_set(s->files, name, strlen(name), entries);
    return entries;
}

/* --- queries --- */

struct condition {
    const char *field, *value;
    size_t field_len, value_len;
    char op[3];
};

static const char *const operators[] = {"!=", "<=", ">=", "~=", "^=",
                                        "=",  "<",  ">"};

/* "year>=2020" (spaces and quotes allowed around the parts). */
static bool S_parse_condition(const char *s, size_t len, struct condition *c)
{
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof operators / sizeof *operators; k++) {
            size_t on = strlen(operators[k]);
            if (i + on > len || memcmp(s + i, operators[k], on) != 0)
                continue;
            memcpy(c->op, operators[k], on + 1);
            c->field = s, c->field_len = i;
            c->value = s + i + on, c->value_len = len - i - on;
            return i > 0;
        }
    return false;
}

static void S_trim(const char **s, size_t *len)
{
    while (*len && (isspace((unsigned char)**s) || **s == '"' || **s == '\''))
        (*s)++, (*len)--;
    while (*len && (isspace((unsigned char)(*s)[*len - 1]) ||
                    (*s)[*len - 1] == '"' || (*s)[*len - 1] == '\''))
        (*len)--;
}

static bool S_is_number(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Two runs of digits as numbers, by their length without leading zeros
 * then digit by digit: no strtol, which would read past a query's value
 * (a slice of the tag, not a string) and clamp a long year. */
static int S_compare_numbers(const char *a, size_t al, const char *b,
                             size_t bl)
{
    while (al > 1 && *a == '0')
        a++, al--;
    while (bl > 1 && *b == '0')
        b++, bl--;
    if (al != bl)
        return (al > bl) - (al < bl);
    int c = memcmp(a, b, al);
    return (c > 0) - (c < 0);
}

static int S_compare_text(const char *a, size_t al, const char *b, size_t bl)
{
    if (S_is_number(a, al) && S_is_number(b, bl))
        return S_compare_numbers(a, al, b, bl);
    int c = strncasecmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

static bool S_contains(const char *hay, size_t hl, const char *needle,
                       size_t nl)
{
    for (size_t i = 0; i + nl <= hl; i++)
        if (strncasecmp(hay + i, needle, nl) == 0)
            return true;
    return nl == 0;
}

static bool S_condition_holds(struct condition c, const struct value *entry)
{
    S_trim(&c.field, &c.field_len);
    S_trim(&c.value, &c.value_len);
    const struct value *v = value_hash_getn(entry, c.field, c.field_len);
    const char *text = value_text(v);
    if (!text)
        return strcmp(c.op, "!=") == 0;
    size_t tl = value_len(v);
    if (strcmp(c.op, "~=") == 0)
        return S_contains(text, tl, c.value, c.value_len);
    if (strcmp(c.op, "^=") == 0)
        return tl >= c.value_len && strncasecmp(text, c.value, c.value_len) == 0;
    int cmp = S_compare_text(text, tl, c.value, c.value_len);
    switch (c.op[0]) {
    case '!': return cmp != 0;
    case '<': return c.op[1] ? cmp <= 0 : cmp < 0;
    case '>': return c.op[1] ? cmp >= 0 : cmp > 0;
    default:  return cmp == 0;
    }
}

/* "a=1, b=2 || c=3": the ands bind tighter, as in bibtex-ruby. */
static bool S_conditions_hold(const char *s, size_t len,
                              const struct value *entry)
{
    bool any = false, all = true;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        bool or_here = i + 1 < len && s[i] == '|' && s[i + 1] == '|';
        if (i < len && s[i] != ',' && !or_here)
            continue;
        struct condition c;
        if (S_parse_condition(s + start, i - start, &c))
            all = all && S_condition_holds(c, entry);
        if (or_here || i == len) {
            any = any || all;
            all = true;
        }
        start = i + (or_here ? 2 : 1);
        i += or_here;
    }
    return any;
}

bool scholar_query_match(const char *query, size_t len,
                         const struct value *entry)
{
    S_trim(&query, &len);
    if (len == 0 || query[0] != '@')
        return false;
    const char *type = query + 1, *bracket = memchr(query, '[', len);
    size_t type_len = (bracket ? (size_t)(bracket - type) : len - 1);
    while (type_len && type[type_len - 1] == '*' && type_len > 1)
        type_len--;
    const char *entry_type = value_text(value_hash_get(entry, "type"));
    bool any_type = type_len == 1 && type[0] == '*';
    if (!any_type && (!entry_type || strlen(entry_type) != type_len ||
                      strncasecmp(entry_type, type, type_len) != 0))
        return false;
    if (!bracket)
        return true;
    const char *close = memchr(bracket, ']', len - (size_t)(bracket - query));
    size_t inner = close ? (size_t)(close - bracket - 1)
                         : len - (size_t)(bracket - query) - 1;
    return S_conditions_hold(bracket + 1, inner, entry);
}

/* --- sorting --- */

struct sort_spec {
    const char *fields; /* "year,month" */
    bool descending;
};

static int S_compare_field(const struct value *a, const struct value *b,
                           const char *field, size_t n)
{
    const struct value *x = value_hash_getn(a, field, n);
    const struct value *y = value_hash_getn(b, field, n);
    const char *tx = value_text(x), *ty = value_text(y);
    if (!tx || !ty)
        return (tx != NULL) - (ty != NULL);
    return S_compare_text(tx, value_len(x), ty, value_len(y));
}

static int S_compare_entries(const struct value *a, const struct value *b,
                             const struct sort_spec *spec)
{
    for (const char *f = spec->fields; *f;) {
        size_t n = strcspn(f, ", ");
        int c = n ? S_compare_field(a, b, f, n) : 0;
        if (c)
            return spec->descending ? -c : c;
        f += n;
        f += strspn(f, ", ");
    }
    return 0;
}

/* Insertion sort: stable (entries keep file order within a year, as
 * Ruby's sort_by does for bibliographies in practice) and the lists are
 * a page long. */
static void S_sort(const struct value **items, size_t n,
                   const struct sort_spec *spec)
{
    if (strcmp(spec->fields, "none") == 0)
        return;
    for (size_t i = 1; i < n; i++) {
        const struct value *item = items[i];
        size_t j = i;
        while (j > 0 && S_compare_entries(items[j - 1], item, spec) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
    }
}

/* --- tag options --- */

struct bib_options {
    struct buf file, query;
    long max;
};

/* The value of an option: to the next " -x" / " --x" outside brackets. */
static size_t S_option_value(const char *s, size_t len, size_t i,
                             struct buf *out)
{
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    size_t start = i;
    int depth = 0;
    for (; i < len; i++) {
        depth += s[i] == '[';
        depth -= s[i] == ']' && depth > 0;
        if (depth == 0 && isspace((unsigned char)s[i]) && i + 1 < len &&
            s[i + 1] == '-')
            break;
    }
    size_t end = i;
    while (end > start && isspace((unsigned char)s[end - 1]))
        end--;
    buf_clear(out);
    buf_put(out, s + start, end - start);
    return i;
}

static bool S_is_option(const char *word, size_t n, const char *s,
                        const char *l)
{
    return (n == strlen(s) && memcmp(word, s, n) == 0) ||
           (n == strlen(l) && memcmp(word, l, n) == 0);
}

/* The next space-separated word of s from *i: its start, its length in
 * *n; *i moves past it. */
static const char *S_next_word(const char *s, size_t len, size_t *i,
                               size_t *n)
{
    while (*i < len && isspace((unsigned char)s[*i]))
        (*i)++;
    size_t start = *i;
    while (*i < len && !isspace((unsigned char)s[*i]))
        (*i)++;
    *n = *i - start;
    return s + start;
}

static void S_parse_options(const char *s, size_t len, struct bib_options *o)
{
    struct buf ignored = {0}, max = {0};
    for (size_t i = 0; i < len;) {
        size_t n;
        const char *w = S_next_word(s, len, &i, &n);
        if (S_is_option(w, n, "-f", "--file"))
            i = S_option_value(s, len, i, &o->file);
        else if (S_is_option(w, n, "-q", "--query"))
            i = S_option_value(s, len, i, &o->query);
        else if (S_is_option(w, n, "-m", "--max"))
            i = S_option_value(s, len, i, &max);
        else if (n > 1 && w[0] == '-' && !S_is_option(w, n, "-c", "--cited"))
            i = S_option_value(s, len, i, &ignored); /* -T, -s, --group_by… */
    }
    o->max = max.len ? strtol(max.data, NULL, 10) : -1;
    buf_free(&ignored);
    buf_free(&max);
}

/* --- HTML --- */

static void S_escape(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        default:  buf_putc(out, *s);
        }
    }
}

static const char *S_field(const struct value *entry, const char *key)
{
    const char *t = value_text(value_hash_get(entry, key));
    return t && *t ? t : NULL;
}

static void S_put_authors(struct buf *out, const struct value *entry)
{
    const struct value *names = value_hash_get(entry, "author_array");
    size_t n = value_len(names);
    for (size_t i = 0; i < n; i++) {
        const struct value *name = value_array_at(names, i);
        if (i > 0)
            buf_puts(out, i + 1 == n ? (n > 2 ? ", and " : " and ") : ", ");
        const char *first = S_field(name, "first");
        if (first) {
            S_escape(out, first);
            buf_putc(out, ' ');
        }
        S_escape(out, S_field(name, "last"));
    }
}

/* Where the work appeared: journal, "In" proceedings, school, publisher. */
static void S_put_venue(struct buf *out, const struct value *entry)
{
    const char *journal = S_field(entry, "journal");
    const char *book = S_field(entry, "booktitle");
    const char *other = S_field(entry, "school") ? S_field(entry, "school")
                      : S_field(entry, "publisher")
                          ? S_field(entry, "publisher")
                          : S_field(entry, "howpublished");
    if (journal || book || other) {
        buf_puts(out, "<em>");
        if (!journal && book)
            buf_puts(out, "In ");
        S_escape(out, journal ? journal : book ? book : other);
        buf_puts(out, "</em>");
    }
    const char *month = S_field(entry, "month");
    const char *year = S_field(entry, "year");
    if (year || month)
        buf_puts(out, journal || book || other ? ", " : "");
    if (month) {
        S_escape(out, month);
        buf_putc(out, ' ');
    }
    S_escape(out, year);
}

/* The link fields al-folio and academicpages bibliographies use, with the
 * label their buttons show. A bare file name is one of the site's PDFs. */
static const struct {
    const char *field, *label, *prefix;
} link_fields[] = {
    {"arxiv", "arXiv", "https://arxiv.org/abs/"},
    {"doi", "DOI", "https://doi.org/"},
    {"html", "HTML", NULL},
    {"pdf", "PDF", "/assets/pdf/"},
    {"supp", "Supp", "/assets/pdf/"},
    {"blog", "Blog", NULL},
    {"code", "Code", NULL},
    {"poster", "Poster", "/assets/pdf/"},
    {"slides", "Slides", "/assets/pdf/"},
    {"website", "Website", NULL},
    {"url", "URL", NULL},
};

static void S_put_links(struct buf *out, const struct value *entry)
{
    for (size_t i = 0; i < sizeof link_fields / sizeof *link_fields; i++) {
        const char *target = S_field(entry, link_fields[i].field);
        if (!target)
            continue;
        bool absolute = strstr(target, "://") || target[0] == '/';
        buf_puts(out, " <a href=\"");
        if (!absolute && link_fields[i].prefix)
            S_escape(out, link_fields[i].prefix);
        S_escape(out, target);
        buf_puts(out, "\">");
        buf_puts(out, link_fields[i].label);
        buf_puts(out, "</a>");
    }
}

/* One entry on one line: a blank line would end the HTML block it sits
 * in, and an indented one would read as code. */
static void S_put_entry(struct buf *out, const struct value *entry)
{
    buf_puts(out, "<li>");
    const char *abbr = S_field(entry, "abbr");
    if (abbr) {
        buf_puts(out, "<abbr>");
        S_escape(out, abbr);
        buf_puts(out, "</abbr> ");
    }
    buf_puts(out, "<span class=\"title\">");
    S_escape(out, S_field(entry, "title"));
    buf_puts(out, "</span>. <span class=\"author\">");
    S_put_authors(out, entry);
    buf_puts(out, "</span>. <span class=\"periodical\">");
    S_put_venue(out, entry);
    buf_puts(out, "</span>.");
    const char *award = S_field(entry, "award");
    if (award) {
        buf_puts(out, " <strong>");
        S_escape(out, award);
        buf_puts(out, "</strong>");
    }
    S_put_links(out, entry);
    buf_puts(out, "</li>");
}

/* --- tags --- */

static const char *S_file_name(struct scholar *s, const struct buf *file)
{
    return file->len ? file->data : s->default_file;
}

static void S_bibliography(struct scholar *s, const char *args, size_t len,
                           struct buf *out)
{
    struct bib_options o = {0};
    S_parse_options(args, len, &o);
    const struct value *entries = S_entries(s, S_file_name(s, &o.file));
    const char *query = o.query.len ? o.query.data : s->query;
    size_t n = value_len(entries), kept = 0;
    const struct value **items = xcalloc(n ? n : 1, sizeof *items);
    for (size_t i = 0; i < n; i++)
        if (scholar_query_match(query, strlen(query),
                                value_array_at(entries, i)))
            items[kept++] = value_array_at(entries, i);
    struct sort_spec spec = {s->sort_by, s->descending};
    S_sort(items, kept, &spec);
    if (o.max >= 0 && (size_t)o.max < kept)
        kept = (size_t)o.max;
    buf_puts(out, "<ol class=\"bibliography\">");
    for (size_t i = 0; i < kept; i++)
        S_put_entry(out, items[i]);
    buf_puts(out, "</ol>");
    free(items);
    buf_free(&o.file);
    buf_free(&o.query);
}

static const struct value *S_find_key(struct scholar *s, const char *key,
                                      size_t n)
{
    const struct value *entries = S_entries(s, s->default_file);
    for (size_t i = 0; i < value_len(entries); i++) {
        const struct value *e = value_array_at(entries, i);
        const struct value *k = value_hash_get(e, "key");
        if (value_len(k) == n && memcmp(value_text(k), key, n) == 0)
            return e;
    }
    return NULL;
}

/* {% cite a b %}: "(Last et al., Year; Other, Year)", as the APA style
 * jekyll-scholar uses by default. */
static void S_put_citation(struct buf *out, const struct value *entry)
{
    const struct value *names = value_hash_get(entry, "author_array");
    S_escape(out, S_field(value_array_at(names, 0), "last"));
    if (value_len(names) == 2) {
        buf_puts(out, " &amp; ");
        S_escape(out, S_field(value_array_at(names, 1), "last"));
    } else if (value_len(names) > 2) {
        buf_puts(out, " et al.");
    }
    buf_puts(out, ", ");
    S_escape(out, S_field(entry, "year"));
}

static void S_each_key(struct scholar *s, const char *args, size_t len,
                       struct buf *out, bool citation)
{
    bool first = true;
    for (size_t i = 0; i < len;) {
        size_t n;
        const char *word = S_next_word(args, len, &i, &n);
        if (n == 0 || word[0] == '-')
            continue; /* an option such as --file */
        const struct value *e = S_find_key(s, word, n);
        if (!e) {
            buf_puts(out, "(missing reference)");
            continue;
        }
        buf_puts(out, first ? (citation ? "(" : "") : "; ");
        first = false;
        if (citation)
            S_put_citation(out, e);
        else
            S_put_entry(out, e);
    }
    if (citation && !first)
        buf_putc(out, ')');
}

static bool S_named(const char *name, size_t n, const char *what)
{
    return n == strlen(what) && memcmp(name, what, n) == 0;
}

bool scholar_tag(void *scholar, const char *name, size_t name_len,
                 const char *args, size_t args_len, struct buf *out)
{
    struct scholar *s = scholar;
    if (S_named(name, name_len, "bibliography"))
        S_bibliography(s, args, args_len, out);
    else if (S_named(name, name_len, "cite"))
        S_each_key(s, args, args_len, out, true);
    else if (S_named(name, name_len, "reference"))
        S_each_key(s, args, args_len, out, false);
    else
        return false;
    return true;
}
