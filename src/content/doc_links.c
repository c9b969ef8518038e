/* Links of the open block: the targets of the links, images and <a href>
 * that doc_block.c captured with their labels, classified (section of this
 * page, absolute URL, or nothing usable), labels of one target merged. */
#include "doc_internal.h"
#include "capsuled/url.h"

#include <stdlib.h>
#include <string.h>

/* "Preview / Download": a URL used many times in one block keeps a few. */
#define MAX_MERGED_LABELS 8

/* The label as a reader sees it: collapsed, and "[Code]" (from
 * "[[Code]](url)") without its brackets; *button tells they were there. */
static char *label_of(const char *s, size_t len, bool *button)
{
    char *label = doc_collapse_text(s, len, false);
    size_t n = strlen(label);
    *button = n >= 2 && label[0] == '[' && label[n - 1] == ']' &&
              !memchr(label + 1, ']', n - 2);
    if (*button) {
        memmove(label, label + 1, n - 2);
        label[n - 2] = '\0';
        char *trimmed = doc_collapse_text(label, strlen(label), false);
        free(label);
        label = trimmed;
    }
    return label;
}

static void merge_label(struct open_link *ol, const char *label)
{
    if (!label[0] || ol->n_labels >= MAX_MERGED_LABELS)
        return;
    const char *p = ol->label.data ? ol->label.data : "";
    size_t n = strlen(label);
    while (*p) {
        const char *end = strstr(p, " / ");
        size_t part = end ? (size_t)(end - p) : strlen(p);
        if (part == n && !memcmp(p, label, n))
            return;
        p += part + (end ? 3 : 0);
    }
    if (ol->label.len)
        buf_puts(&ol->label, " / ");
    buf_puts(&ol->label, label);
    ol->n_labels++;
}

/* A URL as the model keeps it: one token in every format. */
static char *escaped(const char *url)
{
    struct buf out = {0};
    buf_puts(&out, "");
    url_escape(&out, url, strlen(url));
    return buf_detach(&out);
}

/* The section of this page an absolute URL names, when it is this page's
 * own address (or its root) with a fragment; NULL otherwise. */
static char *own_fragment(const struct walker *w, const char *abs)
{
    if (!strchr(abs, '#'))
        return NULL; /* most links: no need to take them apart */
    struct url a;
    url_parse(abs, strlen(abs), &a);
    if (!a.has_fragment)
        return NULL;
    char *here = url_document(w->base_url, false);
    char *root = url_document(w->base_url, true);
    char *target = url_document(abs, false);
    char *fragment = NULL;
    if (!strcmp(target, here) || (!w->elsewhere && !strcmp(target, root)))
        fragment = xstrdup(abs + a.frag_off);
    free(here);
    free(root);
    free(target);
    return fragment;
}

/* What a link target means: a section of this page (*fragment set), an
 * absolute URL (returned), or nothing usable (NULL, *fragment NULL). */
static char *classify_url(struct walker *w, const char *url, char **fragment)
{
    *fragment = NULL;
    if (url[0] == '#') {
        *fragment = xstrdup(url + 1);
        return NULL;
    }
    if (url[0] == '/' && url[1] == '#' && !w->elsewhere) {
        *fragment = xstrdup(url + 2);
        return NULL;
    }
    struct url u;
    url_parse(url, strlen(url), &u);
    bool have_base = w->base_url && w->base_url[0];
    if (!u.scheme_len && !have_base) {
        if (!w->warned_no_base)
            doc_report(w, DIAG_WARNING, w->src.line,
                       "relative links kept as they are (\"%s\" the first): "
                       "site.url is not set", url);
        w->warned_no_base = true;
        return escaped(url);
    }
    char *abs = u.scheme_len ? xstrdup(url) : url_resolve(w->base_url, url);
    if (have_base && (*fragment = own_fragment(w, abs)) != NULL) {
        free(abs);
        return NULL;
    }
    char *result = escaped(abs);
    free(abs);
    return result;
}

/* A label written in brackets ("[[Code]](url)", "<a>[PDF]</a>") is a
 * button: the link line says all it says. Notes the run of buttons, with
 * only separators between them, that the text so far ends with. */
static void note_button(struct builder *c, size_t start, bool button)
{
    if (!button) {
        c->has_buttons = false;
        return;
    }
    if (!c->has_buttons ||
        !doc_only_separators(c->raw.data + c->buttons_to,
                             start - c->buttons_to))
        c->buttons_from = start;
    c->buttons_to = c->raw.len;
    c->has_buttons = true;
}

/* Records the link whose label is raw[start..] in the open block. */
void doc_link_add(struct walker *w, const char *url, size_t start, bool image)
{
    struct builder *c = &w->cur;
    const char *label_raw = c->raw.data ? c->raw.data + start : "";
    size_t label_len = c->raw.len - start;
    bool button;
    char *label = label_of(label_raw, label_len, &button);
    while (url && (*url == ' ' || *url == '\t' || *url == '\n'))
        url++;
    char *fragment = NULL, *abs = NULL;
    if (!url || !url[0] || !strcmp(url, "#")) {
        doc_report(w, DIAG_NOTE, w->src.line,
                   "link \"%s\" has no URL: its text is kept", label);
    } else if (url_has_scheme(url, "javascript") || url_has_scheme(url, "data")) {
        doc_report(w, DIAG_WARNING, w->src.line,
                   "script or data link \"%s\" dropped", label);
    } else {
        abs = classify_url(w, url, &fragment);
    }
    /* Only a link to another page can stand for its label: a section link
     * may still lose its target. */
    note_button(c, start, button && abs);
    if (!abs && !fragment) {
        buf_put(&c->residual, label_raw, label_len);
        free(label);
        return;
    }
    struct buf key = {0};
    if (fragment)
        buf_putc(&key, '#');
    buf_puts(&key, fragment ? fragment : abs);
    size_t i;
    if (doc_strmap_get(&c->link_index, key.data, &i)) {
        merge_label(&c->olinks[i], label);
        buf_free(&key);
        free(abs);
        free(fragment);
        free(label);
        return;
    }
    if (c->n_links == c->cap_links) {
        c->cap_links = c->cap_links ? c->cap_links * 2 : 4;
        c->links = xrealloc(c->links, c->cap_links * sizeof *c->links);
        c->olinks = xrealloc(c->olinks, c->cap_links * sizeof *c->olinks);
    }
    i = c->n_links++;
    c->links[i] = (struct link){.url = abs, .section = fragment, .image = image};
    c->olinks[i] = (struct open_link){.key = buf_detach(&key)};
    if (label[0] || fragment)
        merge_label(&c->olinks[i], label);
    else
        merge_label(&c->olinks[i], abs);
    doc_strmap_put(&c->link_index, c->olinks[i].key, i);
    free(label);
}

/* Drops the links that lost their target, and merges section links that
 * turned out to name the same section ("#news" and "#news-2024"). */
void doc_links_compact(struct block *b)
{
    struct strmap seen = {0};
    size_t k = 0;
    for (size_t j = 0; j < b->n_links; j++) {
        struct link *l = &b->links[j];
        size_t first;
        if (!l->url && !l->section) {
            free(l->label);
            continue;
        }
        if (!l->url && doc_strmap_get(&seen, l->section, &first)) {
            struct link *to = &b->links[first];
            struct open_link ol = {.n_labels = 1};
            buf_puts(&ol.label, to->label);
            merge_label(&ol, l->label);
            free(to->label);
            to->label = buf_detach(&ol.label);
            free(l->label);
            free(l->section);
            continue;
        }
        b->links[k] = *l;
        if (!l->url)
            doc_strmap_put(&seen, b->links[k].section, k);
        k++;
    }
    b->n_links = k;
    doc_strmap_free(&seen);
}
