/* The PROXY protocol header parser. Whatever the bytes: a header is at most
 * 4 KiB and never longer than what was given; a v1 header ends in CRLF, a
 * v2 one is its fixed part plus the length it states; a client address is
 * IPv4 or IPv6 unless the header is LOCAL; "more" is only asked below
 * 4 KiB; and the answer does not depend on how the bytes were split: every
 * shorter prefix of a header asks for more, and the header alone parses
 * the same as with the bytes after it. */
#include "capsuled/proxy.h"
#include "fuzz_common.h"

#include <netinet/in.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void check_done(const uint8_t *data, size_t size,
                       const struct proxy_header *h)
{
    const char *s = (const char *)data;
    if (h->consumed == 0 || h->consumed > size || h->consumed > PROXY_MAX)
        fuzz_fail("header length out of bounds", s, size);
    if (h->version == 1 &&
        (h->consumed > PROXY_V1_MAX || data[h->consumed - 2] != '\r' ||
         data[h->consumed - 1] != '\n'))
        fuzz_fail("v1 header not one line ending in CRLF", s, size);
    if (h->version == 2 &&
        h->consumed != PROXY_V2_FIXED + ((size_t)data[14] << 8 | data[15]))
        fuzz_fail("v2 header not the length it states", s, size);
    if (h->version != 1 && h->version != 2)
        fuzz_fail("header of no version", s, size);
    int fam = h->src.ss_family;
    if (h->local ? fam != 0 : (fam != AF_INET && fam != AF_INET6) ||
                                  h->dst.ss_family != fam)
        fuzz_fail("client address of the wrong family", s, size);
}

/* The header alone gives the same answer; a few of its prefixes ask for
 * more (all of them would be quadratic). */
static void check_split(const uint8_t *data, size_t size,
                        const struct proxy_header *h)
{
    struct proxy_header again;
    if (proxy_parse(data, h->consumed, &again) != PROXY_DONE ||
        memcmp(&again, h, sizeof again) != 0)
        fuzz_fail("the header alone parses otherwise", (const char *)data, size);
    size_t cuts[] = {0, 1, h->consumed / 2, h->consumed - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        if (cuts[i] < h->consumed &&
            proxy_parse(data, cuts[i], &again) != PROXY_MORE)
            fuzz_fail("a prefix of a header refused", (const char *)data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proxy_header h;
    enum proxy_result r = proxy_parse(data, size, &h);
    if (r == PROXY_MORE && size >= PROXY_MAX)
        fuzz_fail("more asked past 4 KiB", (const char *)data, size);
    if (r != PROXY_DONE)
        return 0;
    check_done(data, size, &h);
    check_split(data, size, &h);
    return 0;
}
