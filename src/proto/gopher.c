/* Gopher requests: parse the selector line, answer from the pre-rendered
 * table of sites[0]; search, URL: pages and error menus are built here. */
#include "capsuled/capsule.h"
#include "capsuled/paths.h"
#include "capsuled/proto.h"
#include "capsuled/search.h"
#include "capsuled/render.h"
#include "capsuled/site.h"
#include "capsuled/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { GOPHER_TERMS_MAX = 1024 };

/* "GET /x HTTP/1.1" and friends: a browser pointed at the gopher port. */
static bool is_http_request(const char *line, size_t len)
{
    static const char *const methods[] = {"GET ", "HEAD ", "POST ",
                                          "OPTIONS ", "PUT "};
    bool method = false;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        size_t n = strlen(methods[i]);
        if (len > n && memcmp(line, methods[i], n) == 0)
            method = true;
    }
    if (!method || len < 9)
        return false;
    for (size_t i = 0; i + 6 <= len; i++)
        if (memcmp(line + i, " HTTP/", 6) == 0)
            return true;
    return false;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

void gopher_parse(const char *line, size_t len, struct gopher_request *req)
{
    memset(req, 0, sizeof *req);
    req->kind = GOPHER_BAD;
    if (is_http_request(line, len)) {
        req->kind = GOPHER_HTTP;
        return;
    }
    const char *tab = memchr(line, '\t', len);
    size_t sel_len = tab ? (size_t)(tab - line) : len;
    if (sel_len > GOPHER_SELECTOR_MAX || !utf8_is_line_text(line, sel_len))
        return;
    if (tab) {
        /* Gopher+ clients may add a second field ("+", "$"): not terms. */
        const char *terms = tab + 1, *end = line + len;
        const char *tab2 = memchr(terms, '\t', (size_t)(end - terms));
        size_t n = (size_t)((tab2 ? tab2 : end) - terms);
        if (n > GOPHER_TERMS_MAX || !utf8_is_line_text(terms, n))
            return;
        memcpy(req->terms, terms, n);
        req->terms[n] = '\0';
        req->has_terms = true;
    }
    const char *url = NULL;
    if (starts_with(line, sel_len, "URL:"))
        url = line + 4;
    else if (starts_with(line, sel_len, "/URL:"))
        url = line + 5;
    if (url) {
        size_t n = (size_t)(line + sel_len - url);
        memcpy(req->url, url, n);
        req->url[n] = '\0';
        req->kind = GOPHER_URL;
        return;
    }
    if (!site_normalize_path(line, sel_len, req->path, sizeof req->path))
        return;
    req->kind = GOPHER_SELECTOR;
}

/* --- responses --- */

/* Selectors echoed in an error line lose tabs and control bytes (they would
 * break the menu line) and are cut to a readable length. */
static void error_menu(struct response *out, const char *what,
                       const char *selector, size_t sel_len)
{
    struct buf label = {0};
    buf_puts(&label, what);
    if (selector) {
        buf_puts(&label, ": ");
        for (size_t i = 0; i < sel_len && i < 80; i++) {
            unsigned char c = (unsigned char)selector[i];
            buf_putc(&label, (c < 0x20 || c == 0x7f || c >= 0x80) ? '?'
                                                                  : (char)c);
        }
    }
    gophermap_item(&out->owned, GOPHER_ITEM_ERROR, label.data,
                   GOPHERMAP_DUMMY_SELECTOR, GOPHERMAP_DUMMY_HOST,
                   GOPHERMAP_DUMMY_PORT);
    gophermap_end(&out->owned);
    buf_free(&label);
    response_own(out, GOPHER_ERROR);
}

static void html_escape(struct buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, *s);
        }
    }
}

static bool url_scheme_allowed(const char *url)
{
    static const char *const schemes[] = {"http://", "https://", "gemini://",
                                          "mailto:"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        size_t n = strlen(schemes[i]);
        if (strncasecmp(url, schemes[i], n) == 0 && url[n] != '\0')
            return true;
    }
    return false;
}

/* The URL: convention (as in Gophernicus and Geomyidae): a gopher client
 * that cannot open web links fetches this page, and an HTML viewer follows
 * the refresh. Only schemes that cannot run code are passed on. */
static void url_page(const char *url, struct response *out)
{
    if (!url_scheme_allowed(url) || strpbrk(url, " <>\"`\\")) {
        error_menu(out, "Refused URL", url, strlen(url));
        return;
    }
    struct buf *b = &out->owned;
    buf_puts(b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"refresh\" content=\"1; url=");
    html_escape(b, url);
    buf_puts(b, "\">\n<title>Link</title>\n</head>\n<body>\n"
                "<p>This link leaves gopherspace:</p>\n<p><a href=\"");
    html_escape(b, url);
    buf_puts(b, "\">");
    html_escape(b, url);
    buf_puts(b, "</a></p>\n</body>\n</html>\n");
    response_own(out, GOPHER_SERVED);
}

static void search_prompt(const struct site *s, struct response *out)
{
    const struct render_opts *o = &s->content.opts;
    gophermap_item(&out->owned, GOPHER_ITEM_SEARCH, "Search the profile",
                   PATH_SEARCH, o->gopher_host, o->gopher_port);
    gophermap_end(&out->owned);
    response_own(out, GOPHER_SERVED);
}

static void set_target(struct response *out, const char *line, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && line[i] != '\t' &&
                       n < sizeof out->target - 1; i++)
        out->target[n++] = (line[i] > 0x20 && line[i] < 0x7f) ? line[i] : '?';
    out->target[n] = '\0';
}

static const struct route *find_menu_or_file(const struct site *s,
                                             const char *path)
{
    const struct route *r = route_find(&s->gopher, path);
    size_t n = strlen(path);
    if (r || n < 2 || path[n - 1] == '/')
        return r;
    /* No redirects in gopher: "/about-me" simply gets the menu. */
    char with_slash[GOPHER_SELECTOR_MAX + 4];
    memcpy(with_slash, path, n);
    memcpy(with_slash + n, "/", 2);
    return route_find(&s->gopher, with_slash);
}

void gopher_respond(const struct capsule *c, const char *line, size_t len,
                    struct response *out)
{
    memset(out, 0, sizeof *out);
    set_target(out, line, len);
    /* The server hands over a line cut at its buffer: what it starts with
     * is not what the client asked for. */
    if (len > GOPHER_REQUEST_MAX) {
        error_menu(out, "Request too long", NULL, 0);
        return;
    }
    struct gopher_request req;
    gopher_parse(line, len, &req);
    const struct site *s = c->n_sites ? c->sites[0] : NULL;
    if (!s) {
        error_menu(out, "No content", NULL, 0);
        return;
    }
    switch (req.kind) {
    case GOPHER_HTTP:
        out->data = s->http_reply;
        out->len = s->http_reply_len;
        return;
    case GOPHER_BAD:
        error_menu(out, "Bad selector", NULL, 0);
        return;
    case GOPHER_URL:
        url_page(req.url, out);
        return;
    case GOPHER_SELECTOR:
        break;
    }
    if (strcmp(req.path, PATH_SEARCH) == 0) {
        if (req.has_terms && search_has_terms(req.terms)) {
            site_search_gopher(s, req.terms, &out->owned);
            response_own(out, GOPHER_SERVED);
        } else {
            search_prompt(s, out);
        }
        return;
    }
    const struct route *r = find_menu_or_file(s, req.path);
    if (r) {
        out->data = r->data;
        out->len = r->len;
        return;
    }
    size_t sel_len = 0;
    while (sel_len < len && line[sel_len] != '\t')
        sel_len++;
    error_menu(out, "Not found", line, sel_len);
}

void gopher_slow_down(const char *line, size_t len, int seconds,
                      struct response *out)
{
    memset(out, 0, sizeof *out);
    set_target(out, line, len);
    char what[64];
    snprintf(what, sizeof what, "Too many requests: retry in %d s",
             seconds > 0 ? seconds : 1);
    error_menu(out, what, NULL, 0);
}
