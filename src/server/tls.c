/* TLS contexts: one SSL_CTX per Gemini host, the client's SNI choosing
 * between them. TLS 1.2 at least (1.3 is OpenSSL's preference anyway),
 * session tickets and a server-side session cache for cheap resumption, and
 * small idle connections (RELEASE_BUFFERS). */
#include "server.h"

#include "capsuled/buf.h"

#include <openssl/err.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const unsigned char session_id_context[] = "capsuled";

/* SNI names may end with a dot and come in any case. */
static bool name_matches(const char *want, size_t len, const char *have)
{
    return have && strlen(have) == len && strncasecmp(want, have, len) == 0;
}

static bool host_has_name(const struct cfg_host *h, const char *sni,
                          size_t len)
{
    if (name_matches(sni, len, h->name))
        return true;
    for (size_t i = 0; i < h->n_aliases; i++)
        if (name_matches(sni, len, h->aliases[i]))
            return true;
    return false;
}

/* Called during the handshake with the client's server name. An unknown
 * name keeps the default host; the Gemini layer then answers 53. */
static int on_servername(SSL *ssl, int *alert, void *arg)
{
    (void)alert;
    (void)arg;
    struct tls_set *s = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!s || !sni)
        return SSL_TLSEXT_ERR_OK;
    size_t len = strlen(sni);
    if (len && sni[len - 1] == '.')
        len--;
    for (size_t i = 0; i < s->n; i++) {
        if (host_has_name(&s->hosts[i], sni, len)) {
            if (SSL_get_SSL_CTX(ssl) != s->ctx[i])
                SSL_set_SSL_CTX(ssl, s->ctx[i]);
            break;
        }
    }
    return SSL_TLSEXT_ERR_OK;
}

static void log_openssl_error(const char *what, const char *path)
{
    unsigned long e = ERR_get_error();
    char msg[256] = "unknown error";
    if (e)
        ERR_error_string_n(e, msg, sizeof msg);
    log_msg("%s %s: %s", what, path, msg);
    ERR_clear_error();
}

static SSL_CTX *new_ctx(const struct cfg_host *h, struct tls_set *owner)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
                              SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    /* TLS 1.3 tickets are stateless; the cache serves TLS 1.2 session ids
     * and is bounded so it cannot grow to OpenSSL's default 20,480. */
    SSL_CTX_sess_set_cache_size(ctx, 4096);
    SSL_CTX_set_session_id_context(ctx, session_id_context,
                                   sizeof session_id_context - 1);
    /* One ticket is enough for a client that reconnects; the default two
     * cost a second encryption per handshake. */
    SSL_CTX_set_num_tickets(ctx, 1);
    /* With the server's preference, AES-128-GCM and its SHA-256 key
     * schedule rather than OpenSSL's AES-256/SHA-384 default: every
     * handshake runs a dozen HKDF steps, and SHA-256 has CPU support. */
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
                                  "TLS_CHACHA20_POLY1305_SHA256:"
                                  "TLS_AES_256_GCM_SHA384");
    SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                 "ECDHE-RSA-AES128-GCM-SHA256:DEFAULT");
    /* Read whole socket buffers instead of a record header, then its
     * body: a third of the read(2) calls per connection. */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    SSL_CTX_set_app_data(ctx, owner);

    const char *crt = h->cert_file, *key = h->key_file;
    bool ok = false;
    if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1)
        log_openssl_error("cannot load certificate", crt);
    else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        log_openssl_error("cannot load key", key);
    else if (SSL_CTX_check_private_key(ctx) != 1)
        log_openssl_error("key does not match certificate", crt);
    else
        ok = true;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void copy_names(struct cfg_host *dst, const struct cfg_host *src)
{
    dst->name = xstrdup(src->name ? src->name : "");
    dst->n_aliases = src->n_aliases;
    dst->aliases = xcalloc(src->n_aliases, sizeof *dst->aliases);
    for (size_t i = 0; i < src->n_aliases; i++)
        dst->aliases[i] = xstrdup(src->aliases[i]);
}

static void free_set(struct tls_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        SSL_CTX_free(s->ctx[i]);
        free(s->hosts[i].name);
        for (size_t j = 0; j < s->hosts[i].n_aliases; j++)
            free(s->hosts[i].aliases[j]);
        free(s->hosts[i].aliases);
    }
    free(s->ctx);
    free(s->hosts);
    free(s);
}

struct tls_set *tls_set_new(const struct config *cfg)
{
    size_t n = cfg->gemini.n_hosts;
    if (n == 0)
        return NULL;
    struct tls_set *s = xcalloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->ctx = xcalloc(n, sizeof *s->ctx);
    s->hosts = xcalloc(n, sizeof *s->hosts);
    for (size_t i = 0; i < n; i++) {
        copy_names(&s->hosts[i], &cfg->gemini.hosts[i]);
        s->n = i + 1;
        s->ctx[i] = new_ctx(&cfg->gemini.hosts[i], s);
        if (!s->ctx[i]) {
            free_set(s);
            return NULL;
        }
    }
    return s;
}

struct tls_set *tls_set_ref(struct tls_set *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void tls_set_unref(struct tls_set *s)
{
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        free_set(s);
}

SSL *tls_new_conn(struct tls_set *s, int fd)
{
    SSL *ssl = SSL_new(s->ctx[0]);
    if (!ssl)
        return NULL;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}
