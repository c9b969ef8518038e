/* Finger queries (RFC 1288): parse the query line, answer from the
 * pre-rendered finger table of sites[0] (the card under "", each section
 * under its slug, the .plan under "plan"); refusals are one line built
 * here. */
#include "capsuled/capsule.h"
#include "capsuled/proto.h"
#include "capsuled/site.h"
#include "capsuled/utf8.h"

#include <stdio.h>
#include <string.h>

static size_t skip_spaces(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* "/W" (either case) asks for the long form: the answers are the same. */
static size_t skip_verbose(const char *s, size_t len, bool *verbose)
{
    size_t i = skip_spaces(s, 0, len);
    if (i + 1 < len && s[i] == '/' && (s[i + 1] == 'W' || s[i + 1] == 'w')) {
        *verbose = true;
        i += 2;
    }
    return skip_spaces(s, i, len);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

void finger_parse(const char *line, size_t len, struct finger_request *req)
{
    memset(req, 0, sizeof *req);
    req->kind = FINGER_INVALID;
    if (len > FINGER_REQUEST_MAX || !utf8_is_line_text(line, len))
        return;
    size_t from = skip_verbose(line, len, &req->verbose);
    size_t to = len;
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t'))
        to--;
    if (memchr(line + from, '@', to - from)) {
        req->kind = FINGER_FORWARD;
        return;
    }
    if (to - from > FINGER_NAME_MAX)
        return;
    for (size_t i = from; i < to; i++)
        req->name[i - from] = lower(line[i]);
    req->name[to - from] = '\0';
    req->kind = to == from ? FINGER_CARD : FINGER_NAME;
}

/* --- responses --- */

/* The query as the log shows it: printable ASCII, the rest as '?'. */
static void set_target(struct response *out, const char *line, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof out->target - 1; i++)
        out->target[n++] = (line[i] > 0x20 && line[i] < 0x7f) ? line[i] : '?';
    out->target[n] = '\0';
}

/* One line of refusal; a name echoed in it keeps only printable ASCII. */
static void refuse(struct response *out, int status, const char *name,
                   const char *why)
{
    buf_puts(&out->owned, "finger: ");
    if (name) {
        for (size_t i = 0; name[i] && i < 80; i++) {
            unsigned char c = (unsigned char)name[i];
            buf_putc(&out->owned, c > 0x20 && c < 0x7f ? (char)c : '?');
        }
        buf_puts(&out->owned, ": ");
    }
    buf_puts(&out->owned, why);
    buf_puts(&out->owned, "\r\n");
    response_own(out, status);
}

static void answer(const struct site *s, const struct finger_request *req,
                   struct response *out)
{
    const char *key = req->kind == FINGER_CARD ? "" : req->name;
    const struct route *r = route_find(&s->finger, key);
    if (!r) {
        refuse(out, FINGER_UNKNOWN, req->name, "no such section");
        return;
    }
    out->data = r->data;
    out->len = r->len;
    out->status = FINGER_SERVED;
}

void finger_respond(const struct capsule *c, const char *line, size_t len,
                    struct response *out)
{
    memset(out, 0, sizeof *out);
    set_target(out, line, len);
    struct finger_request req;
    finger_parse(line, len, &req);
    const struct site *s = c->n_sites ? c->sites[0] : NULL;
    if (!s) {
        refuse(out, FINGER_BAD, NULL, "no content");
        return;
    }
    switch (req.kind) {
    case FINGER_INVALID:
        refuse(out, FINGER_BAD, NULL, "bad query");
        return;
    case FINGER_FORWARD:
        refuse(out, FINGER_REFUSED, NULL, "forwarding is refused");
        return;
    case FINGER_CARD:
    case FINGER_NAME:
        answer(s, &req, out);
        return;
    }
}

void finger_slow_down(const char *line, size_t len, int seconds,
                      struct response *out)
{
    memset(out, 0, sizeof *out);
    set_target(out, line, len);
    char why[64];
    snprintf(why, sizeof why, "too many requests, retry in %d s",
             seconds > 0 ? seconds : 1);
    refuse(out, FINGER_SLOW_DOWN, NULL, why);
}
