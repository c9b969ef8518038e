/* libyaml's document as values: the typing of plain scalars (the rules of
 * the SafeYAML gem, through which Jekyll reads every YAML file), merge
 * keys, and aliases shared rather than copied, with the depth cut
 * yaml_budget.c counts with. */
#include "capsuled/value_yaml.h"
#include "capsuled/date.h"

#include "capsuled/yaml_budget.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* --- scalars --- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Counts the characters of s[*i…] that belong to set, moving *i past them. */
static size_t span(const char *s, size_t len, size_t *i, const char *set)
{
    size_t start = *i;
    while (*i < len && s[*i] && strchr(set, s[*i]))
        (*i)++;
    return *i - start;
}

static bool one_of(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == len && strncasecmp(s, *words, len) == 0)
            return true;
    return false;
}

/* s without '_' and ',' (1_000, 1,000), as a new string. */
static char *without_separators(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '_' && s[i] != ',')
            out[n++] = s[i];
    out[n] = '\0';
    return out;
}

/* The number written in s[0, len), separators aside. */
static double number_at(const char *s, size_t len)
{
    char *digits = without_separators(s, len);
    double d = strtod(digits, NULL);
    free(digits);
    return d;
}

/* Numbers start with one of these: a string that does not is not worth a
 * closer look. */
static bool starts_number(const char *s)
{
    return is_digit(s[0]) || (s[0] && strchr("_,+-.", s[0]));
}

/* Only these characters make integers and their sixties. */
static bool may_be_integer(const char *s, size_t len)
{
    return strspn(s, "0123456789abcdefABCDEFxXb_,:+-.") == len;
}

#define DIGITS "0123456789"
#define HEX_DIGITS "0123456789abcdefABCDEF"

/* A number in sixties, "1:30" or "-1:30:15", then "." and a fraction when
 * fraction is set. */
static bool is_sexagesimal(const char *s, size_t len, bool fraction)
{
    size_t i = s[0] == '-' || s[0] == '+';
    if (i >= len || !is_digit(s[i]))
        return false;
    span(s, len, &i, DIGITS "_");
    size_t groups = 0;
    while (i < len && s[i] == ':') {
        i++;
        size_t n = span(s, len, &i, DIGITS);
        if (n == 0 || n > 2 || (n == 2 && s[i - 2] > '5'))
            return false;
        groups++;
    }
    if (groups == 0)
        return false;
    if (fraction && i < len && s[i] == '.') {
        i++;
        span(s, len, &i, DIGITS "_");
        return i == len;
    }
    return !fraction && i == len;
}

/* SafeYAML's reading of a number in sixties: the groups from the last,
 * times 1, 60, 3600…, plus the fraction; negated when it starts with '-'
 * (so "-1:30" is 30.0: the first group keeps its sign too). Always a
 * float. */
static struct value *sexagesimal_value(const char *s)
{
    double whole = 0, scale = 1;
    const char *dot = strchr(s, '.'), *end = dot ? dot : s + strlen(s);
    while (end > s) {
        const char *start = end;
        while (start > s && start[-1] != ':')
            start--;
        whole += number_at(start, (size_t)(end - start)) * scale;
        scale *= 60;
        end = start > s ? start - 1 : s;
    }
    if (dot)
        whole += number_at(dot, strlen(dot));
    return value_float(s[0] == '-' ? -whole : whole);
}

/* strtoll over the whole of digits in base; ERANGE and leftovers fail. */
static bool parse_integer(const char *digits, int base, bool negative,
                          int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(digits, &end, base);
    if (errno || *end || end == digits)
        return false;
    *out = negative ? -(int64_t)v : (int64_t)v;
    return true;
}

/* The base of an integer SafeYAML accepts, with *digits where its digits
 * start: 12, +12, -12, 017, 0x1F, 0X1F, -0x1F, 0b101 (separators already
 * stripped). 0 for anything else. */
static int integer_base(const char *v, const char **digits)
{
    size_t len = strlen(v), sign = v[0] == '-' || v[0] == '+', i = sign;
    const char *rest = v + sign;
    if (strcmp(rest, "0") == 0 || (rest[0] >= '1' && rest[0] <= '9' &&
                                   strspn(rest, DIGITS) == len - sign))
        return *digits = v, 10;
    if (rest[0] != '0' || !rest[1])
        return 0;
    i++;
    if (!sign && strspn(v + i, "01234567") == len - i)
        return *digits = v, 8;
    bool x = v[i] == 'x' || (!sign && v[i] == 'X');
    bool b = !sign && v[i] == 'b';
    i++;
    if (x && span(v, len, &i, HEX_DIGITS) && i == len)
        return *digits = v + sign + 2, 16;
    if (b && span(v, len, &i, "01") && i == len)
        return *digits = v + 2, 2;
    return 0;
}

/* SafeYAML's ToInteger: decimal, octal, hexadecimal, binary (with '_' and
 * ',' ignored), else a number in sixties (a float). NULL when s is none of
 * them. One beyond 64 bits stays its text. */
static struct value *to_integer(const char *s, size_t len)
{
    char *v = without_separators(s, len);
    const char *digits;
    int64_t n;
    struct value *found = NULL;
    int base = integer_base(v, &digits);
    if (base == 0 && is_sexagesimal(v, strlen(v), false))
        found = sexagesimal_value(v);
    else if (base && parse_integer(digits, base, v[0] == '-' && base == 16, &n))
        found = value_int(n);
    else if (base)
        found = value_string(s, len);
    free(v);
    return found;
}

/* Ruby's Float() takes '_' only between two digits. */
static bool underscores_between_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '_' && (i == 0 || i + 1 == len || !is_digit(s[i - 1]) ||
                            !is_digit(s[i + 1])))
            return false;
    return true;
}

/* [-+]?(digit[digit_]*)?.[digit_]+([eE][-+]digit+)? */
static bool is_decimal_float(const char *s, size_t len)
{
    size_t i = s[0] == '-' || s[0] == '+';
    if (i < len && is_digit(s[i]))
        span(s, len, &i, DIGITS "_");
    if (i >= len || s[i] != '.')
        return false;
    i++;
    if (!span(s, len, &i, DIGITS "_"))
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i >= len || (s[i] != '-' && s[i] != '+'))
            return false;
        i++;
        if (!span(s, len, &i, DIGITS))
            return false;
    }
    return i == len;
}

/* SafeYAML's ToFloat: 1.5, -.5, 1.0e+3, .inf, -.Inf, .NaN, 1:30.5. A float
 * Ruby would refuse (1_.5) stays a string. */
static struct value *to_float(const char *s, size_t len)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    for (size_t i = 0; inf[i]; i++) {
        if (strcmp(s, inf[i]) == 0)
            return value_float(HUGE_VAL);
        if (s[0] == '-' && strcmp(s + 1, inf[i]) == 0)
            return value_float(-HUGE_VAL);
        if (strcmp(s, nan[i]) == 0)
            return value_float(NAN);
    }
    if (is_sexagesimal(s, len, true))
        return underscores_between_digits(s, len) ? sexagesimal_value(s)
                                                  : value_string(s, len);
    if (!is_decimal_float(s, len))
        return NULL;
    if (!underscores_between_digits(s, len))
        return value_string(s, len);
    return value_float(number_at(s, len));
}

/* A number of min to max digits at s[*i], then, unless sep is 0, that
 * separator; *i moves past both. */
static bool read_field(const char *s, size_t len, size_t *i, size_t min,
                       size_t max, char sep, int *out)
{
    size_t start = *i, n = span(s, len, i, DIGITS);
    if (n < min || n > max)
        return false;
    *out = 0; /* the digits within len: s need not end in a NUL */
    for (size_t k = start; k < start + n; k++)
        *out = *out * 10 + (s[k] - '0');
    if (!sep)
        return true;
    return *i < len && s[(*i)++] == sep;
}

/* YYYY-MM-DD at s[*i] (YYYY-M-D unless two_digits), a real day of the
 * Gregorian calendar. */
static bool read_date(const char *s, size_t len, size_t *i, bool two_digits)
{
    int y, m, d;
    size_t min = two_digits ? 2 : 1;
    return read_field(s, len, i, 4, 4, '-', &y) &&
           read_field(s, len, i, min, 2, '-', &m) &&
           read_field(s, len, i, min, 2, 0, &d) && m >= 1 && m <= 12 &&
           d >= 1 && d <= date_month_days(y, m);
}

/* A zone after a time: Z, +1, -05, -05:00, +0530. */
static bool read_zone(const char *s, size_t len, size_t *i)
{
    int ignored;
    if (*i < len && s[*i] == 'Z') {
        (*i)++;
        return true;
    }
    if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
        return true;
    (*i)++;
    size_t n = span(s, len, i, DIGITS);
    if (n == 0 || n > 4)
        return false;
    if (n > 2 || *i >= len || s[*i] != ':')
        return true;
    (*i)++;
    return read_field(s, len, i, 2, 2, 0, &ignored);
}

/* h:mm:ss(.fraction)? then an optional zone. */
static bool read_time(const char *s, size_t len, size_t *i)
{
    int h, m, sec;
    if (!read_field(s, len, i, 1, 2, ':', &h) ||
        !read_field(s, len, i, 2, 2, ':', &m) ||
        !read_field(s, len, i, 2, 2, 0, &sec) || h > 23 || m > 59 || sec > 60)
        return false;
    if (*i < len && s[*i] == '.') {
        (*i)++;
        span(s, len, i, DIGITS);
    }
    span(s, len, i, " \t");
    return read_zone(s, len, i) && *i == len;
}

/* SafeYAML's ToDate: 2024-01-02 (a valid day), or a timestamp
 * 2024-1-2 10:00:00, 2024-01-02T10:00:00.5Z, 2024-01-02 10:00:00 -05:00. */
static struct value *to_date(const char *s, size_t len)
{
    size_t i = 0;
    if (read_date(s, len, &i, true) && i == len)
        return value_date(s, len);
    i = 0;
    if (!read_date(s, len, &i, false) || i >= len)
        return NULL;
    if (s[i] == 'T' || s[i] == 't')
        i++;
    else if (!span(s, len, &i, " \t"))
        return NULL;
    return read_time(s, len, &i) ? value_date(s, len) : NULL;
}

/* A plain scalar typed as SafeYAML types it: integer, float, nil, boolean,
 * date, in that order; else a string. */
struct value *value_yaml_plain(const char *s, size_t len)
{
    static const char *const nil_words[] = {"", "~", "null", NULL};
    static const char *const true_words[] = {"yes", "on", "true", NULL};
    static const char *const false_words[] = {"no", "off", "false", NULL};
    struct value *v;
    if (strlen(s) != len) /* a NUL inside: only quoted scalars have one */
        return value_string(s, len);
    bool numeric = starts_number(s);
    if (numeric && may_be_integer(s, len) && (v = to_integer(s, len)))
        return v;
    if (numeric && (v = to_float(s, len)))
        return v;
    if (one_of(s, len, nil_words))
        return value_nil();
    if (one_of(s, len, true_words))
        return value_bool(true);
    if (one_of(s, len, false_words))
        return value_bool(false);
    if ((v = to_date(s, len)))
        return v;
    return value_string(s, len);
}

/* Plain scalars are typed, and so is a scalar with an explicit tag other
 * than !!str (!!int "12"); quoted and block scalars are strings. */
static struct value *scalar_value(const yaml_node_t *node)
{
    const char *s = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    const char *tag = (const char *)node->tag;
    bool typed = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                 (tag && strcmp(tag, YAML_STR_TAG) != 0);
    struct value *v = typed ? value_yaml_plain(s, len) : value_string(s, len);
    if (tag && strcmp(tag, YAML_FLOAT_TAG) == 0 &&
        value_kind(v) == VALUE_INT) {
        double d = (double)value_int_of(v);
        value_release(v);
        v = value_float(d);
    }
    return v;
}

/* --- the tree --- */

/* What building a node gave, remembered so that the next alias to it
 * shares it: the value, the depth it was built at, how many levels it
 * holds below itself, and whether the depth cut left anything out. */
struct built {
    struct value *value;
    int depth, height;
    bool cut;
};

struct builder {
    yaml_document_t *doc;
    struct built *memo; /* by node index - 1 */
    size_t n_nodes;
};

static struct built build(struct builder *b, int index, int depth);

/* A node built earlier reads the same here when nothing was cut from it
 * and it fits above the cut, or when it was built at this very depth; else
 * it is built again (an alias near the cut, or to a node's own ancestor). */
static bool reusable(const struct built *m, int depth)
{
    return m->value && (m->depth == depth ||
                        (!m->cut && depth + m->height <= YAML_MAX_DEPTH));
}

/* Folds a child's result into its parent's. */
static void add_child(struct built *parent, const struct built *child)
{
    if (!child->value) {
        parent->cut = true;
        return;
    }
    parent->cut |= child->cut;
    if (child->height + 1 > parent->height)
        parent->height = child->height + 1;
}

static struct built build_sequence(struct builder *b, const yaml_node_t *node,
                                   int depth)
{
    struct built r = {value_array(), depth, 0, false};
    for (const yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        struct built item = build(b, *it, depth + 1);
        add_child(&r, &item);
        if (item.value)
            value_array_push(r.value, item.value);
    }
    return r;
}

/* `<<: *base` sets base's pairs over those before it; `<<: [*a, *b]` does
 * the same with a's pairs winning over b's. False when the value is
 * neither: then `<<` is an ordinary key. */
static bool merge(struct value *hash, const struct value *with)
{
    if (value_kind(with) == VALUE_HASH) {
        value_hash_merge(hash, with);
        return true;
    }
    if (value_kind(with) != VALUE_ARRAY)
        return false;
    for (size_t i = 0; i < value_len(with); i++)
        if (value_kind(value_array_at(with, i)) != VALUE_HASH)
            return false;
    struct value *first_wins = value_hash();
    for (size_t i = value_len(with); i-- > 0;)
        value_hash_merge(first_wins, value_array_at(with, i));
    value_hash_merge(hash, first_wins);
    value_release(first_wins);
    return true;
}

static struct built build_mapping(struct builder *b, const yaml_node_t *node,
                                  int depth)
{
    struct built r = {value_hash(), depth, 0, false};
    for (const yaml_node_pair_t *p = node->data.mapping.pairs.start;
         p < node->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(b->doc, p->key);
        if (!k || k->type != YAML_SCALAR_NODE)
            continue;
        const char *key = (const char *)k->data.scalar.value;
        size_t len = k->data.scalar.length;
        struct built v = build(b, p->value, depth + 1);
        add_child(&r, &v);
        if (!v.value)
            continue;
        if (!(len == 2 && memcmp(key, "<<", 2) == 0 && merge(r.value, v.value)))
            value_hash_set(r.value, key, len, value_retain(v.value));
        value_release(v.value);
    }
    return r;
}

static void remember(struct builder *b, int index, const struct built *r)
{
    struct built *m = &b->memo[index - 1];
    value_release(m->value);
    *m = *r;
    m->value = value_retain(r->value);
}

/* The node at index, depth levels below the root (NULL value past the
 * cut); the value is one reference for the caller. */
static struct built build(struct builder *b, int index, int depth)
{
    const yaml_node_t *node = yaml_document_get_node(b->doc, index);
    struct built r = {NULL, depth, 0, false};
    if (!node || depth > YAML_MAX_DEPTH || (size_t)index > b->n_nodes)
        return r;
    const struct built *m = &b->memo[index - 1];
    if (reusable(m, depth)) {
        r = *m;
        r.value = value_retain(m->value);
        return r;
    }
    if (node->type == YAML_SCALAR_NODE)
        r.value = scalar_value(node);
    else if (node->type == YAML_SEQUENCE_NODE)
        r = build_sequence(b, node, depth);
    else if (node->type == YAML_MAPPING_NODE)
        r = build_mapping(b, node, depth);
    if (r.value)
        remember(b, index, &r);
    return r;
}

struct value *value_from_yaml(struct yaml_document_s *doc)
{
    struct builder b = {doc, NULL, 0};
    if (!doc || !yaml_document_get_root_node(doc))
        return NULL;
    b.n_nodes = (size_t)(doc->nodes.top - doc->nodes.start);
    b.memo = xcalloc(b.n_nodes, sizeof *b.memo);
    struct value *root = build(&b, 1, 0).value;
    for (size_t i = 0; i < b.n_nodes; i++)
        value_release(b.memo[i].value);
    free(b.memo);
    return root;
}
