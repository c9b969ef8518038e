/* Waiting for a TLS client's first record (its ClientHello) in the kernel's
 * receive buffer before OpenSSL sees the connection.
 *
 * A slowloris client trickling its hello a byte at a time would otherwise
 * cost an SSL object and an SSL_accept call per byte, and a thousand of them
 * sending in step are a burst of work that delays every honest client.
 * SO_RCVLOWAT keeps epoll quiet until the whole record is there: such a
 * client costs two wakeups in its life and no TLS state at all. */
#include "server.h"

#include <errno.h>
#include <sys/ioctl.h>

enum {
    TLS_HEADER = 5,              /* type, version (2), length (2) */
    TLS_HANDSHAKE = 22,          /* record type of a ClientHello */
    TLS_RECORD_MAX = 16384 + 2048, /* largest ciphertext record (RFC 8446) */
};

static void set_low_water(int fd, size_t bytes, bool *raised)
{
    int v = (int)bytes;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v) == 0)
        *raised = bytes > 1;
}

static size_t bytes_buffered(int fd)
{
    int n = 0;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

/* Plain text (a gopher selector, an HTTP request, a gemini URL typed into
 * netcat) never starts like a TLS record: such a client is closed at once
 * rather than left waiting for the deadline. A first byte with the high bit
 * set may be an SSLv2-format hello, which OpenSSL judges itself. */
static bool speaks_tls(unsigned char first)
{
    return first == TLS_HANDSHAKE || (first & 0x80);
}

/* The bytes the first record needs, 0 when OpenSSL should look now: the
 * record is not a handshake record (OpenSSL refuses it with the right
 * alert) or claims a length no record has. */
static size_t record_need(const unsigned char *h, size_t got)
{
    if (h[0] != TLS_HANDSHAKE)
        return 0;
    if (got < TLS_HEADER)
        return TLS_HEADER;
    size_t len = (size_t)h[3] << 8 | h[4];
    return h[1] == 3 && len <= TLS_RECORD_MAX ? TLS_HEADER + len : 0;
}

enum hello hello_await(int fd, bool peer_done, bool *raised)
{
    unsigned char h[TLS_HEADER];
    ssize_t got = recv(fd, h, sizeof h, MSG_PEEK);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
        return HELLO_GONE;
    if (got > 0 && !speaks_tls(h[0]))
        return HELLO_PLAIN;
    size_t need = got > 0 ? record_need(h, (size_t)got) : 1;
    /* A peer that stopped sending mid-record gets OpenSSL's verdict too. */
    if (need == 0 || peer_done || bytes_buffered(fd) >= need) {
        if (*raised)
            set_low_water(fd, 1, raised);
        return HELLO_READY;
    }
    set_low_water(fd, need, raised);
    /* Bytes that came in before the low-water mark was set woke nobody. */
    if (bytes_buffered(fd) >= need) {
        set_low_water(fd, 1, raised);
        return HELLO_READY;
    }
    return HELLO_WAIT;
}
