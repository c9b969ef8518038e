/* The expansion budget of a YAML document: one walk over libyaml's node
 * graph, shaped like the loaders' own flattening, that only counts. It runs
 * before a loader copies anything, so a document that would expand past the
 * budget fails whole, with the line where it ran out, instead of being
 * copied until memory runs out. */
#include "capsuled/yaml_budget.h"

#include <stdbool.h>

/* What a node costs besides its text: the pointers and allocation headers
 * of a copied value. It also bounds the walk: empty values are not free. */
#define NODE_COST 16

struct walk {
    yaml_document_t *doc;
    size_t used;
    int composed; /* highest node index met in document order */
    int line;     /* where the budget ran out; 0 while it holds */
};

static bool charge(struct walk *w, size_t bytes, int line)
{
    if (bytes > YAML_EXPANSION_BUDGET - w->used) {
        w->line = line;
        return false;
    }
    w->used += bytes;
    return true;
}

static size_t decimal_digits(size_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* The dotted key of a child: "KEY" at the top, "PARENT.KEY" below. */
static size_t child_path(size_t path, size_t segment)
{
    return path + (path ? 1 : 0) + segment;
}

static bool visit(struct walk *w, int index, size_t path, int depth, int line,
                  bool aliased);

static bool visit_items(struct walk *w, const yaml_node_t *seq, size_t path,
                        int depth, int line, bool aliased)
{
    const yaml_node_item_t *first = seq->data.sequence.items.start;
    for (const yaml_node_item_t *it = first; it < seq->data.sequence.items.top;
         it++) {
        size_t key = child_path(path, decimal_digits((size_t)(it - first)));
        if (!visit(w, *it, key, depth + 1, line, aliased))
            return false;
    }
    return true;
}

/* A key is charged like a scalar too: loaders name it in what they keep
 * (a warning about an unknown key holds it whole). Keys that are not
 * scalars are skipped, as the loaders skip them. */
static bool visit_pairs(struct walk *w, const yaml_node_t *map, size_t path,
                        int depth, int line, bool aliased)
{
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        if (!k || k->type != YAML_SCALAR_NODE)
            continue;
        if (!aliased && p->key > w->composed)
            w->composed = p->key;
        size_t key = child_path(path, k->data.scalar.length);
        if (!charge(w, key + NODE_COST, line) ||
            !visit(w, p->value, key, depth + 1, line, aliased))
            return false;
    }
    return true;
}

/* libyaml numbers nodes in the order they start in the text, so outside an
 * alias each node met is past every node met before; one that is not was
 * reached through an alias, and its line is the line of the collection
 * holding the alias (libyaml keeps no position for the alias itself). */
static bool visit(struct walk *w, int index, size_t path, int depth, int line,
                  bool aliased)
{
    const yaml_node_t *node = yaml_document_get_node(w->doc, index);
    if (!node || depth > YAML_MAX_DEPTH)
        return true;
    if (!aliased && index > w->composed) {
        w->composed = index;
        line = (int)node->start_mark.line + 1;
    } else {
        aliased = true;
    }
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return charge(w, path + node->data.scalar.length + NODE_COST, line);
    case YAML_SEQUENCE_NODE:
        return charge(w, NODE_COST, line) &&
               visit_items(w, node, path, depth, line, aliased);
    case YAML_MAPPING_NODE:
        return charge(w, NODE_COST, line) &&
               visit_pairs(w, node, path, depth, line, aliased);
    default:
        return true;
    }
}

int yaml_budget_overrun(yaml_document_t *doc)
{
    struct walk w = {.doc = doc};
    if (!yaml_document_get_root_node(doc))
        return 0;
    visit(&w, 1, 0, 0, 1, false);
    return w.line;
}
