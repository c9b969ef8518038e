/* Diagnostics: findings that name a file and line, collected by the loaders
 * and the converter and printed by `capsuled check` or at start-up. */
#ifndef CAPSULED_DIAG_H
#define CAPSULED_DIAG_H

#include <stddef.h>

enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

struct diag {
    enum diag_level level;
    char *file; /* as given to the loader; may be NULL */
    int line;   /* 1-based; 0 when unknown */
    char *msg;
};

struct diags {
    struct diag *items;
    size_t n, cap;
};

void diags_add(struct diags *d, enum diag_level level, const char *file,
               int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
size_t diags_count(const struct diags *d, enum diag_level at_least);
/* Appends "file:line: level: message\n" lines to out (a struct buf *). */
struct buf;
void diags_format(const struct diags *d, struct buf *out);
/* The same for the findings at or above a level. */
void diags_format_min(const struct diags *d, enum diag_level at_least,
                      struct buf *out);
void diags_free(struct diags *d);

#endif
