/* A profile page: front matter, then the Markdown body made ready for cmark
 * (encoding repaired, Liquid rendered). */
#ifndef CAPSULED_PAGE_H
#define CAPSULED_PAGE_H

#include "capsuled/config.h"
#include "capsuled/diag.h"
#include "capsuled/liquid.h"
#include "capsuled/value.h"

#include <stddef.h>

struct page {
    char *path;         /* file name used in diagnostics */
    /* The front matter, a hash (empty without one): Liquid's `page`. Its
     * strings are repaired UTF-8. */
    struct value *vars;
    /* Its settings as written (`lang: no` is "no", not false), in
     * settings, a hash of strings: */
    struct value *settings;
    const char *title;  /* front matter "title" (may be ""), else NULL */
    const char *lang;   /* front matter "lang", else NULL */
    const char *date;   /* front matter "date", else NULL */
    const char *permalink;
    char *body;         /* Markdown for cmark: valid UTF-8, LF line ends */
    size_t body_len;
    int body_line;      /* source line of the body's first line */
    /* Liquid's line map: body line k (1-based) came from source line
     * body_lines[k-1] (loops and includes change the line structure);
     * see page_source_line. NULL: body line k is body_line + k - 1. */
    int *body_lines;
    size_t n_body_lines;
    char *source;       /* the file's bytes as read (for /source.md) */
    size_t source_len;
    size_t repairs;     /* mojibake spans repaired */
};

/* A front matter already parsed (a Jekyll site's model parses every
 * document's): where its YAML lies in the file's bytes, and what
 * page_load makes of it when its root is a mapping. The page loader takes
 * them instead of parsing the YAML again when the bytes need no repair
 * and it finds the same YAML there. */
struct page_front {
    size_t yaml_at, yaml_len;
    const struct value *vars;     /* the mapping as values */
    const struct value *settings; /* page_front_settings of it */
};
struct yaml_document_s;
/* The page's settings (title, lang, date, permalink as written, see
 * struct page) of a front matter document DOC whose root is a mapping: a
 * new hash of strings. */
struct value *page_front_settings(struct yaml_document_s *doc);
/* Sets KEY's TEXT (LEN bytes) in SETTINGS when KEY is one of the page's
 * settings: what page_front_settings does for each scalar pair. */
void page_front_setting(struct value *settings, const char *key,
                        const char *text, size_t len);

/* The source line that body line K (1-based) came from. */
int page_source_line(const struct page *p, int k);

/* Builds a page from a file's bytes, its Liquid rendered without includes
 * (page_load_in and page_load_file read them). Never fails on content: problems go to
 * diags (unterminated front matter: error, with the line it opened on) and
 * the page is built as far as possible. Returns -1 only for front matter
 * YAML errors (syntax, or too large once its aliases are expanded), after
 * adding "file:line: problem". */
int page_load(const char *path, const char *data, size_t len,
              const struct config *cfg, struct page *out, struct diags *diags);
/* Reads the page NAME of the capsule directory ROOT and builds it:
 * beneath ROOT, or, when NAME is absolute or has "..", as a file the
 * configuration names outside (see capsuled/file.h). Files over
 * cfg->server.max_file_bytes, and anything but a regular file, are refused.
 * Diagnostics name the file SHOWN. */
int page_load_in(const char *root, const char *name, const char *shown,
                 const struct config *cfg, struct page *out,
                 struct diags *diags);
/* The same for the bytes DATA (LEN of them) of NAME already read (a
 * Jekyll site's model keeps each document's bytes), with their front
 * matter as parsed already (FRONT, or NULL): nothing is read but the
 * includes. */
int page_load_bytes_in(const char *root, const char *name, const char *shown,
                       const char *data, size_t len,
                       const struct page_front *front,
                       const struct config *cfg, struct page *out,
                       struct diags *diags);
/* The same for a file named on the command line (symlinks followed). */
int page_load_file(const char *path, const struct config *cfg,
                   struct page *out, struct diags *diags);
/* The text of the front matter scalar at a Liquid path ("author.name",
 * "redirect_from.0"); NULL when there is none or it is a list or mapping. */
const char *page_var(const struct page *p, const char *key);
void page_free(struct page *p);

/* --- stages, exposed for unit tests and fuzzers --- */

/* Text that was UTF-8, decoded as Mac Roman or Windows-1252 and encoded
 * again, is restored; invalid UTF-8 and NUL become U+FFFD; a BOM is dropped;
 * CRLF and CR become LF. Returns a new string; *repairs counts fixed spans. */
char *encoding_repair(const char *in, size_t len, size_t *out_len,
                      size_t *repairs);


#endif
