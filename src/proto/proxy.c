/* The PROXY protocol header, versions 1 (a text line) and 2 (binary), as
 * HAProxy's proxy-protocol.txt specifies them. Detected by their first
 * bytes; judged on whatever prefix has come in, so a caller can peek at the
 * socket, ask, and wait for more until the header is whole. Nothing is
 * kept between calls: the answer depends on the bytes alone. */
#include "capsuled/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const char V1_SIG[] = "PROXY "; /* 6 bytes */
static const unsigned char V2_SIG[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                         0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

enum {
    V1_SIG_LEN = 6,
    V2_CMD_LOCAL = 0x0,
    V2_CMD_PROXY = 0x1,
    V2_AF_UNSPEC = 0x0,
    V2_AF_INET = 0x1,
    V2_AF_INET6 = 0x2,
    V2_AF_UNIX = 0x3,
    V2_STREAM = 0x1,
    V2_INET_LEN = 12,  /* two IPv4 addresses, two ports */
    V2_INET6_LEN = 36, /* two IPv6 addresses, two ports */
};

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Whether the first len bytes agree with a signature of sig_len bytes. */
static bool starts_like(const unsigned char *p, size_t len, const void *sig,
                        size_t sig_len)
{
    return memcmp(p, sig, min_size(len, sig_len)) == 0;
}

/* ---- version 1: "PROXY TCP4 src dst sport dport\r\n" ------------------- */

/* Splits line at single spaces into at most max words; -1 on an empty word
 * (two spaces, a leading or trailing one) or too many. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    for (char *p = line;;) {
        char *sp = strchr(p, ' ');
        if (sp)
            *sp = '\0';
        if (!*p || n == max)
            return -1;
        words[n++] = p;
        if (!sp)
            return n;
        p = sp + 1;
    }
}

/* A port: decimal 0-65535 without leading zeros. */
static bool parse_port(const char *s, in_port_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = htons((in_port_t)v);
    return true;
}

static bool v1_address(int family, const char *addr, const char *port,
                       struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        return inet_pton(AF_INET, addr, &in->sin_addr) == 1 &&
               parse_port(port, &in->sin_port);
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    in6->sin6_family = AF_INET6;
    return inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1 &&
           parse_port(port, &in6->sin6_port);
}

/* The line between "PROXY " and CRLF. */
static enum proxy_result v1_line(char *line, struct proxy_header *out)
{
    if (strncmp(line, "UNKNOWN", 7) == 0 && (!line[7] || line[7] == ' ')) {
        out->local = true; /* whatever follows is to be ignored */
        return PROXY_DONE;
    }
    char *w[5];
    if (split_words(line, w, 5) != 5)
        return PROXY_INVALID;
    int family = strcmp(w[0], "TCP4") == 0   ? AF_INET
                 : strcmp(w[0], "TCP6") == 0 ? AF_INET6
                                             : 0;
    if (!family || !v1_address(family, w[1], w[3], &out->src) ||
        !v1_address(family, w[2], w[4], &out->dst))
        return PROXY_INVALID;
    return PROXY_DONE;
}

static enum proxy_result parse_v1(const unsigned char *p, size_t len,
                                  struct proxy_header *out)
{
    size_t scan = min_size(len, PROXY_V1_MAX);
    const unsigned char *lf = memchr(p, '\n', scan);
    if (!lf)
        return scan < PROXY_V1_MAX ? PROXY_MORE : PROXY_INVALID;
    size_t end = (size_t)(lf - p); /* the LF's offset */
    if (end < V1_SIG_LEN + 1 || p[end - 1] != '\r')
        return PROXY_INVALID;
    char line[PROXY_V1_MAX];
    size_t n = end - 1 - V1_SIG_LEN;
    memcpy(line, p + V1_SIG_LEN, n);
    line[n] = '\0';
    if (memchr(line, '\0', n) || memchr(line, '\r', n))
        return PROXY_INVALID;
    out->version = 1;
    out->consumed = end + 1;
    return v1_line(line, out);
}

/* ---- version 2: signature, version and command, family, length --------- */

static void v2_inet(const unsigned char *a, struct proxy_header *out)
{
    struct sockaddr_in *src = (struct sockaddr_in *)&out->src;
    struct sockaddr_in *dst = (struct sockaddr_in *)&out->dst;
    src->sin_family = dst->sin_family = AF_INET;
    memcpy(&src->sin_addr, a, 4);
    memcpy(&dst->sin_addr, a + 4, 4);
    memcpy(&src->sin_port, a + 8, 2); /* network order as sent */
    memcpy(&dst->sin_port, a + 10, 2);
}

static void v2_inet6(const unsigned char *a, struct proxy_header *out)
{
    struct sockaddr_in6 *src = (struct sockaddr_in6 *)&out->src;
    struct sockaddr_in6 *dst = (struct sockaddr_in6 *)&out->dst;
    src->sin6_family = dst->sin6_family = AF_INET6;
    memcpy(&src->sin6_addr, a, 16);
    memcpy(&dst->sin6_addr, a + 16, 16);
    memcpy(&src->sin6_port, a + 32, 2);
    memcpy(&dst->sin6_port, a + 34, 2);
}

/* The address block of a PROXY command (TLVs after it are skipped). An
 * unspecified or UNIX family carries no IP client: the proxy's own. */
static enum proxy_result v2_addresses(unsigned fam, const unsigned char *a,
                                      size_t len, struct proxy_header *out)
{
    unsigned family = fam >> 4, transport = fam & 0xf;
    if (family == V2_AF_UNSPEC || family == V2_AF_UNIX) {
        out->local = true;
        return transport <= 2 ? PROXY_DONE : PROXY_INVALID;
    }
    if (transport != V2_STREAM)
        return PROXY_INVALID;
    if (family == V2_AF_INET && len >= V2_INET_LEN)
        v2_inet(a, out);
    else if (family == V2_AF_INET6 && len >= V2_INET6_LEN)
        v2_inet6(a, out);
    else
        return PROXY_INVALID;
    return PROXY_DONE;
}

/* The fixed part is checked byte by byte as it comes, so that a wrong
 * version or command is refused without waiting for more. */
static enum proxy_result parse_v2(const unsigned char *p, size_t len,
                                  struct proxy_header *out)
{
    if (len > 12 && (p[12] >> 4 != 2 || (p[12] & 0xf) > V2_CMD_PROXY))
        return PROXY_INVALID;
    if (len < PROXY_V2_FIXED)
        return PROXY_MORE;
    size_t total = PROXY_V2_FIXED + ((size_t)p[14] << 8 | p[15]);
    if (total > PROXY_MAX)
        return PROXY_INVALID;
    if (len < total)
        return PROXY_MORE;
    out->version = 2;
    out->consumed = total;
    if ((p[12] & 0xf) == V2_CMD_LOCAL) {
        out->local = true; /* a health check: addresses are ignored */
        return PROXY_DONE;
    }
    return v2_addresses(p[13], p + PROXY_V2_FIXED, total - PROXY_V2_FIXED,
                        out);
}

enum proxy_result proxy_parse(const unsigned char *p, size_t len,
                              struct proxy_header *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return PROXY_MORE;
    enum proxy_result r = PROXY_INVALID;
    if (starts_like(p, len, V2_SIG, sizeof V2_SIG))
        r = parse_v2(p, len, out);
    else if (starts_like(p, len, V1_SIG, V1_SIG_LEN))
        r = parse_v1(p, len, out);
    if (r != PROXY_DONE)
        memset(out, 0, sizeof *out);
    return r;
}
