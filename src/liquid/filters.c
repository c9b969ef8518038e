/* The table of Liquid's and Jekyll's filters, looked up by name. Where both
 * define a filter (where, sort), Jekyll's wins, as it registers last. */
#include "filters_impl.h"

#include <stdlib.h>
#include <string.h>

struct filter_entry {
    const char *name;
    liquid_filter_fn fn;
};

#define ENTRY(name) {#name, filter_##name}

/* Sorted by name (strcmp) for the binary search. */
static const struct filter_entry filters[] = {
    ENTRY(abs),
    ENTRY(absolute_url),
    ENTRY(append),
    ENTRY(array_to_sentence_string),
    ENTRY(at_least),
    ENTRY(at_most),
    ENTRY(base64_decode),
    ENTRY(base64_encode),
    ENTRY(base64_url_safe_decode),
    ENTRY(base64_url_safe_encode),
    ENTRY(capitalize),
    ENTRY(ceil),
    ENTRY(cgi_escape),
    ENTRY(compact),
    ENTRY(concat),
    ENTRY(date),
    ENTRY(date_to_long_string),
    ENTRY(date_to_rfc822),
    ENTRY(date_to_string),
    ENTRY(date_to_xmlschema),
    ENTRY(default),
    ENTRY(divided_by),
    ENTRY(downcase),
    ENTRY(escape),
    ENTRY(escape_once),
    ENTRY(find),
    ENTRY(find_exp),
    ENTRY(first),
    ENTRY(floor),
    ENTRY(group_by),
    ENTRY(group_by_exp),
    {"h", filter_escape},
    ENTRY(inspect),
    ENTRY(join),
    ENTRY(jsonify),
    ENTRY(last),
    ENTRY(lstrip),
    ENTRY(map),
    ENTRY(markdownify),
    ENTRY(minus),
    ENTRY(modulo),
    ENTRY(newline_to_br),
    ENTRY(normalize_whitespace),
    ENTRY(number_of_words),
    ENTRY(plus),
    ENTRY(pop),
    ENTRY(prepend),
    ENTRY(push),
    ENTRY(relative_url),
    ENTRY(remove),
    ENTRY(remove_first),
    ENTRY(remove_last),
    ENTRY(replace),
    ENTRY(replace_first),
    ENTRY(replace_last),
    ENTRY(reverse),
    ENTRY(round),
    ENTRY(rstrip),
    ENTRY(sample),
    ENTRY(shift),
    ENTRY(size),
    ENTRY(slice),
    ENTRY(slugify),
    ENTRY(smartify),
    ENTRY(sort),
    ENTRY(sort_natural),
    ENTRY(split),
    ENTRY(strip),
    ENTRY(strip_html),
    ENTRY(strip_index),
    ENTRY(strip_newlines),
    ENTRY(times),
    ENTRY(to_integer),
    ENTRY(truncate),
    ENTRY(truncatewords),
    ENTRY(uniq),
    ENTRY(unshift),
    ENTRY(upcase),
    ENTRY(uri_escape),
    ENTRY(url_decode),
    ENTRY(url_encode),
    ENTRY(where),
    ENTRY(where_exp),
    ENTRY(xml_escape),
};

struct filter_key {
    const char *name;
    size_t len;
};

static int compare_entry(const void *key, const void *entry)
{
    const struct filter_key *k = key;
    const char *name = ((const struct filter_entry *)entry)->name;
    size_t n = strlen(name);
    int c = strncmp(k->name, name, k->len < n ? k->len : n);
    if (c)
        return c;
    return (k->len > n) - (k->len < n);
}

liquid_filter_fn liquid_filter_find(const char *name, size_t len)
{
    struct filter_key key = {name, len};
    if (memchr(name, '\0', len))
        return NULL;
    const struct filter_entry *e =
        bsearch(&key, filters, sizeof filters / sizeof filters[0],
                sizeof filters[0], compare_entry);
    return e ? e->fn : NULL;
}
