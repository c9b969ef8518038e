/* The PROXY protocol header: v1 lines (TCP4, TCP6, UNKNOWN) and v2 blocks
 * (PROXY and LOCAL; IPv4, IPv6, unspecified; TLVs skipped), every prefix of
 * a header asking for more, the client's bytes after it left alone, and
 * the refusals: other protocols, malformed lines, wrong versions and
 * commands, headers over 4 KiB. */
#include "capsuled/proxy.h"
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

static enum proxy_result parse_text(const char *s, struct proxy_header *h)
{
    return proxy_parse((const unsigned char *)s, strlen(s), h);
}

/* Whether every proper prefix of p[0..len) asks for more. */
static bool prefixes_want_more(const unsigned char *p, size_t len)
{
    struct proxy_header h;
    for (size_t i = 0; i < len; i++)
        if (proxy_parse(p, i, &h) != PROXY_MORE)
            return false;
    return true;
}

static const char *src_text(const struct proxy_header *h, char *buf,
                            size_t size)
{
    const void *a = h->src.ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)&h->src)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)&h->src)->sin6_addr;
    return inet_ntop(h->src.ss_family, a, buf, (socklen_t)size);
}

static unsigned src_port(const struct proxy_header *h)
{
    return h->src.ss_family == AF_INET
               ? ntohs(((const struct sockaddr_in *)&h->src)->sin_port)
               : ntohs(((const struct sockaddr_in6 *)&h->src)->sin6_port);
}

static void v1(void)
{
    struct proxy_header h;
    char a[64];
    const char *tcp4 = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\r\nGET";
    CHECK(parse_text(tcp4, &h) == PROXY_DONE);
    CHECK(h.version == 1 && !h.local && h.consumed == strlen(tcp4) - 3);
    CHECK_STR(src_text(&h, a, sizeof a), "192.0.2.7");
    CHECK(src_port(&h) == 56324);
    CHECK(h.dst.ss_family == AF_INET &&
          ntohs(((struct sockaddr_in *)&h.dst)->sin_port) == 1965);
    CHECK(prefixes_want_more((const unsigned char *)tcp4, h.consumed));

    CHECK(parse_text("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n", &h) == PROXY_DONE);
    CHECK(h.src.ss_family == AF_INET6 && src_port(&h) == 65535);
    CHECK_STR(src_text(&h, a, sizeof a), "2001:db8::1");

    CHECK(parse_text("PROXY UNKNOWN\r\n", &h) == PROXY_DONE);
    CHECK(h.local && h.consumed == 15);
    CHECK(parse_text("PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n", &h) == PROXY_DONE);
    CHECK(h.local);
}

static void v1_refused(void)
{
    struct proxy_header h;
    const char *bad[] = {
        "GET / HTTP/1.0\r\n", "gemini://localhost/\r\n", "\x16\x03\x01",
        "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\n", /* LF alone */
        "PROXY TCP4  192.0.2.7 198.51.100.1 1 2\r\n",     /* two spaces */
        "PROXY TCP4 192.0.2.7 198.51.100.1 1 2 \r\n",     /* trailing space */
        "PROXY TCP4 192.0.2.7 198.51.100.1 1\r\n",        /* a port missing */
        "PROXY TCP4 ::1 ::1 1 2\r\n",                     /* wrong family */
        "PROXY TCP6 192.0.2.7 198.51.100.1 1 2\r\n",
        "PROXY TCP4 192.0.2.256 198.51.100.1 1 2\r\n",
        "PROXY TCP4 192.0.2.7 198.51.100.1 65536 2\r\n",
        "PROXY TCP4 192.0.2.7 198.51.100.1 01 2\r\n",
        "PROXY TCP4 192.0.2.7 198.51.100.1 -1 2\r\n",
        "PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",
        "PROXY UNKNOWNX\r\n", "PROXY \r\n", "PROXY\r\n", "proxy TCP4\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        bool refused = parse_text(bad[i], &h) == PROXY_INVALID;
        CHECK(refused);
        if (!refused)
            printf("# accepted [%s]\n", bad[i]);
    }
    /* No line end within 107 bytes: refused, before that: more. */
    char longline[200];
    memset(longline, '1', sizeof longline);
    memcpy(longline, "PROXY UNKNOWN ", 14);
    CHECK(proxy_parse((unsigned char *)longline, 106, &h) == PROXY_MORE);
    CHECK(proxy_parse((unsigned char *)longline, 107, &h) == PROXY_INVALID);
    CHECK(proxy_parse((unsigned char *)"PRO", 3, &h) == PROXY_MORE);
    CHECK(proxy_parse((unsigned char *)"", 0, &h) == PROXY_MORE);
}

static const unsigned char SIG[12] = "\r\n\r\n\0\r\nQUIT\n";

/* A v2 header: command byte, family byte, then body of len bytes. */
static size_t v2_make(unsigned char *out, unsigned cmd, unsigned fam,
                      const unsigned char *body, size_t len)
{
    memcpy(out, SIG, 12);
    out[12] = (unsigned char)cmd;
    out[13] = (unsigned char)fam;
    out[14] = (unsigned char)(len >> 8);
    out[15] = (unsigned char)len;
    memcpy(out + 16, body, len);
    return 16 + len;
}

static void v2(void)
{
    unsigned char buf[5000], body[4096];
    struct proxy_header h;
    char a[64];
    /* 127.0.0.2:40000 → 127.0.0.1:1965, then a TLV (type 0x04, NOOP). */
    const unsigned char in4[] = {127, 0, 0, 2, 127, 0, 0, 1, 0x9c, 0x40, 0x07,
                                 0xad, 0x04, 0x00, 0x02, 'x', 'y'};
    size_t n = v2_make(buf, 0x21, 0x11, in4, sizeof in4);
    buf[n] = 0x16; /* the ClientHello that follows */
    CHECK(proxy_parse(buf, n + 1, &h) == PROXY_DONE);
    CHECK(h.version == 2 && !h.local && h.consumed == n);
    CHECK_STR(src_text(&h, a, sizeof a), "127.0.0.2");
    CHECK(src_port(&h) == 40000);
    CHECK(prefixes_want_more(buf, n));

    unsigned char in6[36] = {0x20, 0x01, 0x0d, 0xb8};
    in6[15] = 9;
    in6[31] = 1;
    in6[33] = 80;
    n = v2_make(buf, 0x21, 0x21, in6, sizeof in6);
    CHECK(proxy_parse(buf, n, &h) == PROXY_DONE);
    CHECK_STR(src_text(&h, a, sizeof a), "2001:db8::9");
    CHECK(src_port(&h) == 80);

    /* LOCAL (a health check): addresses ignored, whatever they are. */
    n = v2_make(buf, 0x20, 0x00, body, 0);
    CHECK(proxy_parse(buf, n, &h) == PROXY_DONE && h.local && h.consumed == 16);
    n = v2_make(buf, 0x20, 0x11, in4, sizeof in4);
    CHECK(proxy_parse(buf, n, &h) == PROXY_DONE && h.local && h.consumed == n);
    /* PROXY with AF_UNSPEC: no client address either. */
    n = v2_make(buf, 0x21, 0x00, body, 0);
    CHECK(proxy_parse(buf, n, &h) == PROXY_DONE && h.local);

    /* The largest header accepted is 4 KiB, TLVs included. */
    memset(body, 0, sizeof body);
    memcpy(body, in4, 12);
    n = v2_make(buf, 0x21, 0x11, body, PROXY_MAX - 16);
    CHECK(proxy_parse(buf, n, &h) == PROXY_DONE && h.consumed == PROXY_MAX);
}

static void v2_refused(void)
{
    unsigned char buf[5000], body[4100] = {0};
    struct proxy_header h;
    size_t n = v2_make(buf, 0x11, 0x11, body, 12); /* version 1 in binary */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    CHECK(proxy_parse(buf, 13, &h) == PROXY_INVALID); /* known at once */
    n = v2_make(buf, 0x22, 0x11, body, 12); /* command 2 */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    n = v2_make(buf, 0x21, 0x11, body, 11); /* IPv4 block too short */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    n = v2_make(buf, 0x21, 0x21, body, 12); /* IPv6 block too short */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    n = v2_make(buf, 0x21, 0x12, body, 12); /* UDP */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    n = v2_make(buf, 0x21, 0x41, body, 12); /* no such family */
    CHECK(proxy_parse(buf, n, &h) == PROXY_INVALID);
    n = v2_make(buf, 0x21, 0x11, body, PROXY_MAX - 15); /* over 4 KiB */
    CHECK(proxy_parse(buf, 16, &h) == PROXY_INVALID);
    buf[3] = 'x'; /* a broken signature */
    CHECK(proxy_parse(buf, 4, &h) == PROXY_INVALID);
    CHECK(proxy_parse(SIG, 12, &h) == PROXY_MORE);
}

int main(void)
{
    v1();
    v1_refused();
    v2();
    v2_refused();
    return test_done();
}
