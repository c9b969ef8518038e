/* What a YAML document may cost, shared by every loader of YAML (capsule.yaml
 * or _config.yml, front matter, and data files): a cap on the text handed to
 * libyaml, and a budget for the bytes the document expands to once its
 * aliases are followed. libyaml builds every node once and an alias is only
 * a reference, and so do the values read from it (value_yaml.h), but what
 * reads them walks every path they have ({{ site.data }} printed, a Liquid
 * loop): ten lines of aliases can name a gigabyte. */
#ifndef CAPSULED_YAML_BUDGET_H
#define CAPSULED_YAML_BUDGET_H

#include <stddef.h>
#include <yaml.h>

/* Levels below the root that the loaders walk; deeper nodes are ignored
 * (and a document whose aliases form a cycle ends there). */
#define YAML_MAX_DEPTH 32

/* The most YAML text parsed at once. libyaml's document costs up to about
 * 170 bytes per byte of text (a node per byte for `{a,a,…}`, each with its
 * tag and value allocated), 8-16 for ordinary files: 1 MiB keeps that under
 * 200 MB. Real _config.yml files are about 10 KB, data files about 100 KB. */
#define YAML_MAX_SOURCE ((size_t)1 << 20)

/* The most bytes a document may expand to: 4 MiB. Without aliases a
 * document measures 1.2-5 times its text: real _config.yml files 7-17 KB,
 * the largest data file of the sites we know (103 KB of ui-text.yml)
 * 425 KB, a tenth of the budget. */
#define YAML_EXPANSION_BUDGET ((size_t)4 << 20)

/* Walks doc from its root as a reader of its values would (every scalar
 * under its dotted path, list items as KEY.0, KEY.1…, to YAML_MAX_DEPTH),
 * following each alias every time it is reached, and charges each scalar
 * (values and keys) its dotted key and its bytes, and every node a small
 * overhead.
 * Returns 0 when the walk fits YAML_EXPANSION_BUDGET, else the 1-based
 * line (of the YAML text) where it ran out: for a node reached through an
 * alias, the line of the collection holding that alias, which is the
 * alias's own line in flow style (`[*a, *a]`); libyaml keeps no position
 * for an alias itself. */
int yaml_budget_overrun(yaml_document_t *doc);

#endif
