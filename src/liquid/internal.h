/* The Liquid interpreter's parts and the structures they share: tokens
 * (lexer.c), expressions (expr.c), the tree (parser.c), the render context
 * (render.c) and Jekyll's file tags (include.c). Internal to src/liquid/. */
#ifndef CAPSULED_LIQUID_INTERNAL_H
#define CAPSULED_LIQUID_INTERNAL_H

#include "capsuled/liquid.h"
#include "filter.h"

#include <stdbool.h>
#include <stddef.h>

struct lctx;

/* --- arena.c: nodes and expressions live as long as their tree --- */

struct arena {
    struct arena_chunk *chunks;
    struct value **values; /* literals, released with the arena */
    size_t n_values, cap_values;
};

void *arena_alloc(struct arena *a, size_t n); /* zeroed */
void arena_keep(struct arena *a, struct value *v);
void arena_free(struct arena *a);

/* --- lexer.c: a template cut as Liquid's tokenizer cuts it --- */

enum ltok_kind { LT_TEXT, LT_TAG, LT_OUTPUT, LT_RAW, LT_BAD };

struct ltok {
    enum ltok_kind kind;
    size_t start, end;   /* the whole token in the source */
    size_t a, b;         /* text (trimmed), tag arguments, output markup,
                            raw contents */
    size_t name_a, name_b; /* a tag's name */
    int line;            /* line of position a (text) or start (others) */
    bool unclosed;       /* a raw without its endraw */
};

struct ltoks {
    struct ltok *items;
    size_t n, cap;
};

void liquid_lex(const char *s, size_t len, struct ltoks *out);
bool liquid_tok_is(const char *s, const struct ltok *t, const char *name);
bool liquid_is_space(char c);

/* --- expr.c: expressions, conditions and filter chains --- */

enum lexpr_kind { LE_LIT, LE_EMPTY, LE_BLANK, LE_VAR, LE_RANGE, LE_CMP,
                  LE_AND, LE_OR };
enum lcmp { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE, CMP_CONTAINS,
            CMP_UNKNOWN };

struct lookup {
    const char *key;
    size_t len;
    struct lexpr *expr; /* a [bracket] lookup, else NULL */
};

struct lfilter {
    const char *name;
    size_t name_len;
    liquid_filter_fn fn;
    struct lexpr **args;
    size_t n_args;
    const char **kw_names;
    size_t *kw_lens;
    struct lexpr **kw_vals;
    size_t n_kw;
    bool warned; /* an unknown filter, reported once */
};

struct lexpr {
    enum lexpr_kind kind;
    struct value *lit;        /* LE_LIT */
    const char *name;         /* LE_VAR: the root name, or root_expr */
    size_t name_len;
    struct lexpr *root_expr;
    struct lookup *lookups;
    size_t n_lookups;
    struct lexpr *lhs, *rhs;  /* comparisons, and/or, range bounds */
    enum lcmp op;
    const char *op_text;      /* an unknown operator, for its error */
    size_t op_len;
    struct lfilter *filters;  /* a filtered expression (output, assign) */
    size_t n_filters;
};

/* Sets the context's error (Liquid's exception) unless one is set. */
void ctx_fail(struct lctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An expression scanner over source bytes [p, end). */
struct xscan {
    const char *p, *end;
    struct arena *arena;
};

struct lexpr *expr_parse_value(struct xscan *x);     /* one operand */
struct lexpr *expr_parse_condition(struct xscan *x); /* a and b or c */
struct lexpr *expr_parse_filtered(struct xscan *x);  /* x | f: a, k: v */
void xscan_skip_space(struct xscan *x);
bool xscan_accept(struct xscan *x, const char *word); /* punctuation or word */
/* The next word ([A-Za-z0-9_-]+) or NULL; *n its length. */
const char *xscan_word(struct xscan *x, size_t *n);

struct lctx;
/* Evaluation: each returns one reference (NULL is nil). */
struct value *expr_eval(struct lctx *c, const struct lexpr *e);
bool expr_truthy(struct lctx *c, const struct lexpr *e);
struct value *expr_eval_filtered(struct lctx *c, const struct lexpr *e);
/* A variable by name through the scopes, then the counters and globals. */
const struct value *ctx_lookup(struct lctx *c, const char *name, size_t len);
int64_t liquid_to_integer(const struct value *v);

/* --- parser.c: the tree --- */

enum lnode_kind {
    LN_TEXT, LN_OUTPUT, LN_IF, LN_CASE, LN_FOR, LN_BREAK, LN_CONTINUE,
    LN_ASSIGN, LN_CAPTURE, LN_INCREMENT, LN_DECREMENT, LN_CYCLE, LN_INCLUDE,
    LN_LINK, LN_POST_URL, LN_HIGHLIGHT, LN_UNKNOWN, LN_IFCHANGED,
    LN_TABLEROW,
};

enum include_kind { INC_INCLUDE, INC_RELATIVE };

struct lbranch {
    struct lexpr *cond;     /* if/unless: NULL for else */
    struct lexpr **whens;   /* case: the values; NULL and 0 for else */
    size_t n_whens;
    bool negate;            /* unless */
    bool is_else;
    struct lnode *body;
    struct lbranch *next;
};

struct lparam {
    const char *name;
    size_t name_len;
    struct value *text;     /* a quoted value, or */
    struct lexpr *var;      /* a variable */
    struct lparam *next;
};

struct lnode {
    enum lnode_kind kind;
    int line;
    struct lnode *next;
    const char *text;       /* text, raw, highlight body, tag arguments */
    size_t len;
    const char *name;       /* assign/capture/for/counter/tag name */
    size_t name_len;
    struct lexpr *expr;     /* output/assign value, for collection, case
                               subject, cycle group */
    struct lbranch *branches;
    struct lnode *body, *else_body;
    struct lexpr **args;    /* cycle values */
    size_t n_args;
    struct lexpr *limit, *offset, *cols;
    bool reversed, offset_continue;
    bool blank;             /* renders nothing visible (Liquid's blank?) */
    bool is_block;          /* an unknown tag with an end tag */
    bool dynamic;           /* include: name holds {{ }} */
    bool warned;
    enum include_kind inc;
    struct lparam *params;
};

struct ltree {
    char *src;              /* owned copy of the template */
    size_t len;
    struct lnode *root;
    struct arena arena;
};

/* Where parse findings go: file name and first line, diags. */
struct lparse_report {
    const char *file;
    int first_line;
    struct diags *diags;
};

struct ltree *liquid_parse(const char *src, size_t len,
                           const struct lparse_report *rep);
void liquid_tree_free(struct ltree *t);

/* --- render.c: the context --- */

#define LIQUID_MAX_SCOPES 100

enum interrupt { INT_NONE, INT_BREAK, INT_CONTINUE };

struct include_cache; /* include.c */

struct lctx {
    const struct liquid_env *env;
    const struct value *globals;
    struct value *scopes[LIQUID_MAX_SCOPES]; /* [0]: the assigns */
    size_t n_scopes;
    struct value *counters;  /* increment/decrement */
    struct value *registers; /* cycle positions, for offsets, ifchanged */
    struct buf *out;         /* where output goes: main or a capture */
    struct buf main;
    int *lines;              /* the line map of main */
    size_t n_lines, cap_lines;
    bool at_line_start;
    int map_line;            /* the page line output is attributed to */
    int depth;               /* include nesting */
    size_t iterations, steps;
    size_t max_output, max_iterations, max_steps;
    enum interrupt interrupt;
    bool stopped;            /* output or work cap hit: render no more */
    bool iter_warned;
    const char *file;        /* the file being rendered, for findings */
    int first_line;
    struct include_cache *includes;
    /* the first runtime error of the node being rendered */
    bool failed;
    char err[200];
    int cur_line;            /* line of the node being rendered */
    /* where_exp's last parsed expression */
    struct arena exp_arena;
    const char *exp_text;
    size_t exp_len;
    struct lexpr *exp;
    /* render.c's render_body, for include.c to render what it includes
     * without calling back into render.c (set by ctx_init). */
    void (*render_tree)(struct lctx *c, const struct lnode *n);
};

void ctx_diag(struct lctx *c, enum diag_level level, int line,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Liquid's runtime error: "Liquid error: MSG" in the output, and a
 * finding. */
void ctx_error(struct lctx *c, int line, bool print, const char *msg);
void ctx_push_scope(struct lctx *c);
void ctx_pop_scope(struct lctx *c);
/* Sets NAME in the innermost (or, for assign, the outermost) scope. */
void ctx_set(struct lctx *c, bool outer, const char *name, size_t len,
             struct value *v);
/* Appends bytes to the current output; advance: newlines move the line
 * map's source line on (template text), else all map to LINE. */
void ctx_put(struct lctx *c, const char *s, size_t n, int line, bool advance);
bool ctx_step(struct lctx *c, size_t n);
void render_body(struct lctx *c, const struct lnode *n);

/* --- include.c: Jekyll's file tags --- */

/* Renders a short template (a dynamic file name, a tag's arguments) in
 * the current context into b, spaces trimmed at both ends. */
void liquid_render_markup(struct lctx *c, const char *s, size_t n,
                          struct buf *b);
void include_render(struct lctx *c, const struct lnode *n);
void link_render(struct lctx *c, const struct lnode *n);
void include_cache_free(struct include_cache *ic);

#endif
