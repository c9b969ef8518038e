/* The URL toolkit: parts, escapes both ways, resolution and origins, with
 * the traps in the manner of gmid's regress/iri_test.c (%00, %2F, bad hex,
 * IPv6 hosts, ports out of range, userinfo, empty paths, fragments,
 * non-ASCII). */
#include "capsuled/url.h"
#include "test.h"

#include <stdlib.h>

/* --- parsing --- */

/* A part of the last parsed URL as a string ("" when empty or absent). */
static char part_buf[6][256];
static const char *parsed;
static struct url u;

static const char *part(int k, size_t off, size_t len)
{
    snprintf(part_buf[k], sizeof part_buf[k], "%.*s", (int)len, parsed + off);
    return part_buf[k];
}

static bool parse(const char *s)
{
    parsed = s;
    return url_parse(s, strlen(s), &u);
}

/* Parses s and compares every part: scheme, host, port, path, query and
 * fragment (NULL: must be absent). */
#define PARSES(s, scheme, host, port_, path, query, frag)                   \
    do {                                                                    \
        CHECK(parse(s));                                                    \
        CHECK_STR(part(0, 0, u.scheme_len), scheme);                        \
        CHECK_STR(part(1, u.host_off, u.host_len), host);                   \
        CHECK(u.port == (port_));                                           \
        CHECK_STR(part(2, u.path_off, u.path_len), path);                   \
        CHECK(u.has_query == ((query) != NULL));                            \
        if (query)                                                          \
            CHECK_STR(part(3, u.query_off, u.query_len), query ? query : ""); \
        CHECK(u.has_fragment == ((frag) != NULL));                          \
        if (frag)                                                           \
            CHECK_STR(part(4, u.frag_off, u.frag_len), frag ? frag : "");   \
    } while (0)

static void test_parse_parts(void)
{
    PARSES("gemini://example.org/a/b?q=1#top", "gemini", "example.org", -1,
           "/a/b", "q=1", "top");
    PARSES("gemini://example.org", "gemini", "example.org", -1, "", NULL,
           NULL);
    CHECK(u.has_authority);
    PARSES("gemini://example.org/", "gemini", "example.org", -1, "/", NULL,
           NULL);
    PARSES("GEMINI://Example.ORG:1965/", "GEMINI", "Example.ORG", 1965, "/",
           NULL, NULL);
    PARSES("https://example.org?x", "https", "example.org", -1, "", "x",
           NULL);
    PARSES("https://example.org#f", "https", "example.org", -1, "", NULL,
           "f");
    PARSES("https://example.org/?#", "https", "example.org", -1, "/", "",
           "");
    PARSES("https://h/p?a?b#c#d", "https", "h", -1, "/p", "a?b", "c#d");
    PARSES("foo://ex.com/robots.txt?name=f&url=https://foo.com",
           "foo", "ex.com", -1, "/robots.txt", "name=f&url=https://foo.com",
           NULL);
    PARSES("gemini://example.org/@f:b!(z$&)/baz", "gemini", "example.org",
           -1, "/@f:b!(z$&)/baz", NULL, NULL);
}

static void test_parse_schemes(void)
{
    PARSES("mailto:ada@example.org", "mailto", "", -1, "ada@example.org",
           NULL, NULL);
    CHECK(!u.has_authority);
    PARSES("a+b-c.d:x", "a+b-c.d", "", -1, "x", NULL, NULL);
    /* Not a scheme: a relative reference whose path holds a ':'. */
    PARSES("h!!p://x", "", "", -1, "h!!p://x", NULL, NULL);
    PARSES("1http://x", "", "", -1, "1http://x", NULL, NULL);
    PARSES(":x", "", "", -1, ":x", NULL, NULL);
    PARSES("gemini", "", "", -1, "gemini", NULL, NULL);
    PARSES("gemini:", "gemini", "", -1, "", NULL, NULL);
    PARSES("gemini:/example.org", "gemini", "", -1, "/example.org", NULL,
           NULL);
    CHECK(!u.has_authority);
    /* Relative references. */
    PARSES("//cdn.org/e", "", "cdn.org", -1, "/e", NULL, NULL);
    CHECK(u.has_authority);
    PARSES("../a b?c", "", "", -1, "../a b", "c", NULL);
    PARSES("#only", "", "", -1, "", NULL, "only");
    PARSES("", "", "", -1, "", NULL, NULL);
    CHECK(!u.has_authority && !u.has_query && !u.has_fragment);
}

static void test_parse_hosts(void)
{
    PARSES("gemini://[::1]/", "gemini", "::1", -1, "/", NULL, NULL);
    CHECK(u.ip_literal);
    PARSES("gemini://[::1]:1966/x", "gemini", "::1", 1966, "/x", NULL, NULL);
    PARSES("gemini://[::FFFF:127.0.0.1]/", "gemini", "::FFFF:127.0.0.1", -1,
           "/", NULL, NULL);
    PARSES("gopher://[2001:db8::1]:70", "gopher", "2001:db8::1", 70, "",
           NULL, NULL);
    PARSES("gemini://100.64.3.27/", "gemini", "100.64.3.27", -1, "/", NULL,
           NULL);
    CHECK(!u.ip_literal);
    /* Non-ASCII and escaped hosts are split, not judged or decoded. */
    PARSES("gemini://na\xc3\xafve.example/", "gemini", "na\xc3\xafve.example",
           -1, "/", NULL, NULL);
    PARSES("gemini://na%c3%afve.example/", "gemini", "na%c3%afve.example",
           -1, "/", NULL, NULL);
    PARSES("gemini://example.org./", "gemini", "example.org.", -1, "/",
           NULL, NULL);
    PARSES("gemini:///x", "gemini", "", -1, "/x", NULL, NULL);
    PARSES("gemini://:1965/", "gemini", "", 1965, "/", NULL, NULL);
    CHECK(!parse("gemini://[::1/"));     /* unclosed */
    CHECK(!parse("gemini://[::1]x/"));   /* junk after the literal */
    CHECK(!parse("gemini://[zz::1]/"));  /* not hex */
    CHECK(!parse("gemini://[]/"));       /* empty literal */
    CHECK(!parse("gemini://[v1.x]/"));   /* IPvFuture: not supported */
    CHECK(parse("gemini://a[b/"));       /* '[' only opens a literal first */
}

static void test_parse_userinfo(void)
{
    PARSES("gemini://user@example.org/", "gemini", "example.org", -1, "/",
           NULL, NULL);
    CHECK(u.has_userinfo);
    PARSES("ftp://a:b@c@h:21/", "ftp", "h", 21, "/", NULL, NULL);
    CHECK(u.has_userinfo);
    CHECK_STR(part(5, u.auth_off, u.auth_len), "a:b@c@h:21");
    PARSES("gemini://@h/", "gemini", "h", -1, "/", NULL, NULL);
    CHECK(u.has_userinfo);
    PARSES("mailto:ada@example.org", "mailto", "", -1, "ada@example.org",
           NULL, NULL);
    CHECK(!u.has_userinfo);
}

static void test_parse_ports(void)
{
    PARSES("gemini://h:0/", "gemini", "h", 0, "/", NULL, NULL);
    PARSES("gemini://h:65535/", "gemini", "h", 65535, "/", NULL, NULL);
    PARSES("gemini://h:00070/", "gemini", "h", 70, "/", NULL, NULL);
    PARSES("gemini://h:/x", "gemini", "h", -1, "/x", NULL, NULL);
    CHECK(!parse("gemini://h:65536/"));
    CHECK(!parse("gemini://h:99999999999999999999999/"));
    CHECK(!parse("gemini://h:-1/"));
    CHECK(!parse("gemini://h:+70/"));
    CHECK(!parse("gemini://h:196s/"));
    CHECK(!parse("gemini://h:http/"));
    CHECK(!parse("gemini://h:1:2/"));
    CHECK(!parse("gemini://h: 70/"));
    /* Even when the authority is refused, the rest is split. */
    CHECK(!parse("gemini://h:x/p?q#f"));
    CHECK_STR(part(0, u.path_off, u.path_len), "/p");
    CHECK_STR(part(1, u.query_off, u.query_len), "q");
    CHECK_STR(part(2, u.frag_off, u.frag_len), "f");
}

static void test_parse_length_bound(void)
{
    /* Only len bytes are read: what follows is not part of the URL. */
    const char *s = "gemini://h/abc#frag";
    parsed = s;
    CHECK(url_parse(s, 13, &u));
    CHECK_STR(part(0, u.path_off, u.path_len), "/ab");
    CHECK(!u.has_fragment);
    CHECK(!url_parse("gemini://[::1]", 11, &u)); /* "gemini://[:" */
}

static void test_has_scheme(void)
{
    CHECK(url_has_scheme("javascript:alert(1)", "javascript"));
    CHECK(url_has_scheme("JavaScript:alert(1)", "javascript"));
    CHECK(url_has_scheme("gopher://h/", "gopher"));
    CHECK(url_has_scheme("data:,x", "data"));
    CHECK(!url_has_scheme("gopher://h/", "gopher://"));
    CHECK(!url_has_scheme("gophers://h/", "gopher"));
    CHECK(!url_has_scheme("gophe", "gopher"));
    CHECK(!url_has_scheme("/javascript:x", "javascript"));
    CHECK(!url_has_scheme("", "data"));
}

/* --- decoding --- */

static char dec[64];

static long decode(const char *s)
{
    return url_decode(s, strlen(s), dec, sizeof dec);
}

static void test_decode_strict(void)
{
    CHECK(decode("/a%20b") == 4);
    CHECK_STR(dec, "/a b");
    CHECK(decode("caf%C3%A9%c3%a9") == 7);
    CHECK_STR(dec, "caf\xc3\xa9\xc3\xa9");
    CHECK(decode("") == 0);
    CHECK_STR(dec, "");
    CHECK(decode("a+b") == 3);
    CHECK_STR(dec, "a+b"); /* '+' is no space in a path */
    /* %2F is a '/' once decoded: callers split first. */
    CHECK(decode("a%2Fb") == 3);
    CHECK_STR(dec, "a/b");
    CHECK(decode("%25") == 1);
    CHECK_STR(dec, "%");
    CHECK(decode("\xe4\xb8\x96") == 3); /* raw UTF-8 passes */
    CHECK(decode("%00") == -1);
    CHECK(decode("a%0Ab") == -1);
    CHECK(decode("%7F") == -1);
    CHECK(decode("%1b") == -1);
    CHECK(decode("%") == -1);
    CHECK(decode("%4") == -1);
    CHECK(decode("%zz") == -1);
    CHECK(decode("%4g") == -1);
    CHECK(decode("%%41") == -1);
    CHECK(decode("%C3") == -1);          /* half a code point */
    CHECK(decode("%C0%80") == -1);       /* overlong NUL */
    CHECK(decode("%ED%A0%80") == -1);    /* surrogate */
    CHECK(decode("\xff") == -1);         /* raw invalid byte */
    CHECK(url_decode("a\0b", 3, dec, sizeof dec) == -1);
    /* The bound: the result and its NUL must fit. */
    char small[4];
    CHECK(url_decode("abc", 3, small, sizeof small) == 3);
    CHECK(url_decode("abcd", 4, small, sizeof small) == -1);
    CHECK(url_decode("%41%42%43", 9, small, sizeof small) == 3);
    CHECK(url_decode("", 0, small, 0) == -1);
    /* Only len bytes are read. */
    CHECK(url_decode("%41%4", 3, dec, sizeof dec) == 1);
}

static const char *loose(const char *s)
{
    static struct buf b;
    buf_clear(&b);
    url_decode_loose(&b, s, strlen(s));
    return b.data;
}

static void test_decode_loose(void)
{
    CHECK_STR(loose("/papers/a%20b.txt"), "/papers/a b.txt");
    CHECK_STR(loose("%zz%4"), "%zz%4");
    CHECK_STR(loose("100%"), "100%");
    CHECK_STR(loose("a%00b"), "a%00b"); /* a NUL would end the string */
    CHECK_STR(loose("%2F%2f"), "//");
    CHECK_STR(loose("%E4%B8%96"), "\xe4\xb8\x96");
    CHECK_STR(loose(""), "");
}

/* --- encoding --- */

static const char *enc_path(const char *s)
{
    static struct buf b;
    buf_clear(&b);
    url_encode_path(&b, s, strlen(s));
    return b.data ? b.data : "";
}

static const char *esc(const char *s)
{
    static struct buf b;
    buf_clear(&b);
    url_escape(&b, s, strlen(s));
    return b.data ? b.data : "";
}

static void test_encode_path(void)
{
    /* gmid's own cases */
    CHECK_STR(enc_path("hello world"), "hello%20world");
    CHECK_STR(enc_path("hello\nworld"), "hello%0Aworld");
    CHECK_STR(enc_path("hello\r\nworld"), "hello%0D%0Aworld");
    /* what a path may hold stays */
    CHECK_STR(enc_path("/about-me/"), "/about-me/");
    CHECK_STR(enc_path("/a_b.c~d/"), "/a_b.c~d/");
    CHECK_STR(enc_path("/@f:b!(z$&)'*+,;=/"), "/@f:b!(z$&)'*+,;=/");
    /* what would change its meaning does not */
    CHECK_STR(enc_path("/x%20y/"), "/x%2520y/");
    CHECK_STR(enc_path("/a?b#c/"), "/a%3Fb%23c/");
    CHECK_STR(enc_path("/\"<>\\^`{|}[]/"),
              "/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D/");
    CHECK_STR(enc_path("/\x7f"), "/%7F");
    /* non-ASCII, byte by byte, valid or not */
    CHECK_STR(enc_path("/\xc3\xbc\xe4\xb8\x96/"), "/%C3%BC%E4%B8%96/");
    CHECK_STR(enc_path("\xff"), "%FF");
    CHECK_STR(enc_path(""), "");
    struct buf b = {0};
    url_encode_path(&b, "a\0b", 3);
    CHECK_STR(b.data, "a%00b");
    buf_free(&b);
}

static void test_escape(void)
{
    CHECK_STR(esc("https://example.org/a b.pdf"),
              "https://example.org/a%20b.pdf");
    CHECK_STR(esc("https://e.org/x?a=1&b=%41#f"), "https://e.org/x?a=1&b=%41#f");
    CHECK_STR(esc("https://e.org/\"<>\\^`{|}"),
              "https://e.org/%22%3C%3E%5C%5E%60%7B%7C%7D");
    CHECK_STR(esc("a\tb\nc\x7f"), "a%09b%0Ac%7F");
    /* IRIs keep their UTF-8; stray bytes are escaped one by one */
    CHECK_STR(esc("gemini://h/\xe4\xb8\x96\xf0\x9f\x98\xbc"),
              "gemini://h/\xe4\xb8\x96\xf0\x9f\x98\xbc");
    CHECK_STR(esc("/\xc0\xaf\xc3"), "/%C0%AF%C3");
    CHECK_STR(esc("%zz"), "%zz");
    /* idempotent */
    const char *once = "https://e.org/a b\"\xff";
    char *first = strdup(esc(once));
    CHECK_STR(esc(first), first);
    free(first);
}

/* --- resolution --- */

static const char *resolve(const char *base, const char *ref)
{
    static char *last;
    free(last);
    last = url_resolve(base, ref);
    return last;
}

/* RFC 3986 section 5.4, every example. */
static void test_resolve_rfc(void)
{
    const char *b = "http://a/b/c/d;p?q";
    static const char *const cases[][2] = {
        {"g:h", "g:h"},           {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},      {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},   {"..", "http://a/b/"},
        {"../", "http://a/b/"},    {"../g", "http://a/b/g"},
        {"../..", "http://a/"},    {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        /* abnormal */
        {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},    {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g#s/./x"},
        {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_STR(resolve(b, cases[i][0]), cases[i][1]);
}

static void test_resolve_more(void)
{
    CHECK_STR(resolve("https://example.org", "a/b"), "https://example.org/a/b");
    CHECK_STR(resolve("https://example.org/", "files/x.pdf#p2"),
              "https://example.org/files/x.pdf#p2");
    CHECK_STR(resolve("https://example.org/~me/", "../up"),
              "https://example.org/up");
    CHECK_STR(resolve("https://example.org/x", "gemini://other/"),
              "gemini://other/");
    CHECK_STR(resolve("https://[::1]:8443/a/", "b"), "https://[::1]:8443/a/b");
    CHECK_STR(resolve("https://example.org/d/", "caf\xc3\xa9.gmi"),
              "https://example.org/d/caf\xc3\xa9.gmi");
    /* the escapes are the reference's: %2F is no separator */
    CHECK_STR(resolve("https://h/a/b", "x%2F..%2F..%2Fy"),
              "https://h/a/x%2F..%2F..%2Fy");
}

static const char *doc_of(const char *url, bool root)
{
    static char *last;
    free(last);
    last = url_document(url, root);
    return last;
}

static void test_document(void)
{
    CHECK_STR(doc_of("https://example.org", false), "https://example.org/");
    CHECK_STR(doc_of("https://example.org/a?q#f", false),
              "https://example.org/a?q");
    CHECK_STR(doc_of("https://example.org/a?q#f", true),
              "https://example.org/");
    CHECK_STR(doc_of("https://example.org/#f", false), "https://example.org/");
    CHECK_STR(doc_of("https://u@h:1/p", false), "https://u@h:1/p");
}

/* --- origins --- */

static const char *origin(const char *scheme, const char *host, int port,
                          int dflt)
{
    static struct buf b;
    buf_clear(&b);
    url_put_origin(&b, scheme, host, port, dflt);
    return b.data;
}

static void test_origin(void)
{
    CHECK_STR(origin("gemini", "example.org", 1965, 1965),
              "gemini://example.org");
    CHECK_STR(origin("gemini", "example.org", 1966, 1965),
              "gemini://example.org:1966");
    CHECK_STR(origin("gemini", "::1", 1966, 1965), "gemini://[::1]:1966");
    CHECK_STR(origin("gopher", "example.org", 70, 0), "gopher://example.org:70");
    CHECK_STR(origin("gopher", "2001:db8::1", 7070, 0),
              "gopher://[2001:db8::1]:7070");
    CHECK_STR(origin("gemini", "a b\r\n", 1965, 1965), "gemini://a%20b%0D%0A");
    CHECK_STR(origin("gemini", "b\xc3\xbc" "cher.example", 1965, 1965),
              "gemini://b\xc3\xbc" "cher.example");
}

int main(void)
{
    test_parse_parts();
    test_parse_schemes();
    test_parse_hosts();
    test_parse_userinfo();
    test_parse_ports();
    test_parse_length_bound();
    test_has_scheme();
    test_decode_strict();
    test_decode_loose();
    test_encode_path();
    test_escape();
    test_resolve_rfc();
    test_resolve_more();
    test_document();
    test_origin();
    return test_done();
}
