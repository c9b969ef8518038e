/* Finger answers (RFC 1288): the person's card with the list of sections,
 * one section's text, and the latest news as a .plan. Plain text like
 * text.c's, laid out by layout.c at the gopher width; what is finger's own
 * is the CRLF after every line, no terminating "." (the connection's close
 * ends the answer), links to sections written as the finger query that
 * shows them, and the optional fold to ASCII (finger.ascii) for clients
 * that print UTF-8 bytes as "M-^…". */
#include "capsuled/paths.h"
#include "capsuled/render.h"
#include "layout.h"
#include "capsuled/utf8.h"

#include <string.h>

struct finger {
    const struct doc *d;
    const struct render_opts *o;
    struct buf *out;
    bool ascii;
    size_t n_links; /* links numbered through the whole answer */
    struct layout_flow flow;
    struct buf line, scratch;
};

/* The typography kramdown sets (curly quotes, dashes, guillemets, the
 * ellipsis, no-break spaces) folds to the ASCII it came from; any other
 * character to '?'. One ASCII byte per character either way, so a folded
 * line is never wider than the wrapped one. */
static char ascii_of(unsigned cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x2032:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x00AB: case 0x00BB:
    case 0x2033:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2212:
        return '-';
    case 0x00A0: case 0x2002: case 0x2003: case 0x2009: case 0x202F:
        return ' ';
    case 0x2026:
        return '.';
    default:
        return '?';
    }
}

static void put_ascii(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            buf_putc(out, (char)c);
            i++;
            continue;
        }
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        buf_putc(out, ascii_of(n ? cp : 0));
        i += n ? n : 1;
    }
}

static void finger_line(const char *s, size_t len, void *ctx)
{
    struct finger *f = ctx;
    buf_clear(&f->line);
    layout_put_clean(&f->line, s, len);
    if (f->ascii)
        put_ascii(f->out, f->line.data ? f->line.data : "", f->line.len);
    else
        buf_put(f->out, f->line.data ? f->line.data : "", f->line.len);
    buf_puts(f->out, "\r\n");
}

/* "finger SLUG@HOST": where a section is read over finger. */
static void put_finger_query(struct buf *out, const struct render_opts *o,
                             const char *slug)
{
    buf_printf(out, "finger %s@%s", slug ? slug : "",
               o->gopher_host ? o->gopher_host : "localhost");
}

static bool is_home(const struct doc *d, const char *slug)
{
    struct buf path = {0};
    path_section(&path, d, slug);
    bool home = strcmp(path.data, PATH_HOME) == 0;
    buf_free(&path);
    return home;
}

static void finger_link(const struct link *l, void *ctx)
{
    struct finger *f = ctx;
    struct buf *b = &f->scratch;
    if (layout_cite_link(b, ++f->n_links, l))
        put_finger_query(b, f->o, is_home(f->d, l->section) ? "" : l->section);
    finger_line(b->data, b->len, f);
}

static void finger_start(struct finger *f, const struct doc *d,
                         const struct render_opts *o, struct buf *out)
{
    memset(f, 0, sizeof *f);
    f->d = d;
    f->o = o;
    f->out = out;
    f->ascii = o->cfg && o->cfg->finger.ascii;
    f->flow = (struct layout_flow){.width = o->width,
                                   .line = finger_line,
                                   .link = finger_link,
                                   .ctx = f};
}

static void finger_finish(struct finger *f)
{
    buf_free(&f->line);
    buf_free(&f->scratch);
}

/* Each section but the home one, as "  slug: Title" (the slug being what
 * to finger). */
static void card_sections(struct finger *f)
{
    const struct doc *d = f->d;
    finger_line("", 0, f);
    layout_flow_heading(&f->flow, "Sections", 2);
    for (size_t i = 0; i < d->n_sections; i++) {
        const struct section *sec = &d->sections[i];
        if (!path_slug_is_safe(sec->slug) || is_home(d, sec->slug))
            continue;
        buf_clear(&f->scratch);
        buf_printf(&f->scratch, "  %s: ", sec->slug);
        layout_flow_wrapped(&f->flow, layout_section_label(sec),
                            f->scratch.data, "    ");
    }
    buf_clear(&f->scratch);
    put_finger_query(&f->scratch, f->o, "SECTION");
    buf_puts(&f->scratch, " shows one; finger plan@");
    buf_puts(&f->scratch, f->o->gopher_host ? f->o->gopher_host : "localhost");
    buf_puts(&f->scratch, " the latest news.");
    finger_line("", 0, f);
    layout_flow_wrapped(&f->flow, f->scratch.data, "", "");
}

void render_finger_card(const struct doc *d, const struct render_opts *o,
                        struct buf *out)
{
    struct finger f;
    finger_start(&f, d, o, out);
    layout_flow_card(&f.flow, o); /* the email among the card's links */
    if (d->n_sections && is_home(d, d->sections[0].slug))
        layout_flow_section(&f.flow, d, 0);
    card_sections(&f);
    finger_finish(&f);
}

void render_finger_section(const struct doc *d, size_t section,
                           const struct render_opts *o, struct buf *out)
{
    struct finger f;
    finger_start(&f, d, o, out);
    layout_flow_section(&f.flow, d, section);
    finger_finish(&f);
}

/* The latest news, newest first, one "DATE  title" entry each. */
void render_finger_plan(const struct doc *d, const struct render_opts *o,
                        struct buf *out)
{
    struct finger f;
    finger_start(&f, d, o, out);
    layout_flow_heading(&f.flow, "Plan", 1);
    const struct news_entry *it = layout_latest_news(o, 0);
    if (!it)
        layout_flow_wrapped(&f.flow, "No plan.", "", "");
    for (size_t i = 0; it; it = layout_latest_news(o, ++i)) {
        buf_clear(&f.scratch);
        buf_printf(&f.scratch, "%s  ", it->date);
        layout_flow_wrapped(&f.flow, it->title, f.scratch.data,
                            "            ");
    }
    finger_finish(&f);
}
