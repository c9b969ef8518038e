/* Certificates for Gemini hosts. Gemini clients trust on first use, so a
 * self-signed certificate is the normal case: when a host has none, make a
 * long-lived ECDSA P-256 one whose names match the host, and tell the user
 * its fingerprint so they can compare it with what their client shows. */
#include "server.h"

#include "capsuled/buf.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CERT_DAYS = 3660 }; /* ten years and a little */

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* mkdir -p for the directory part of path. */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    int rc = 0;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    free(dir);
    return rc;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

/* Written beside the target and renamed, so a crash never leaves half a
 * key; the key is 0600 from its creation, never readable by others. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *crt)
{
    struct buf tmp = {0};
    buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
    unlink(tmp.data);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = 0;
    if (f) {
        ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
                 : PEM_write_X509(f, crt);
        if (fclose(f) != 0)
            ok = 0;
    } else if (fd >= 0) {
        close(fd);
    }
    if (ok && rename(tmp.data, path) == 0) {
        buf_free(&tmp);
        return 0;
    }
    int err = errno; /* the reason, not the cleanup's ENOENT */
    unlink(tmp.data);
    buf_free(&tmp);
    errno = err;
    return -1;
}

static void add_san_name(struct buf *san, const char *name)
{
    unsigned char ip[16];
    bool is_ip = inet_pton(AF_INET, name, ip) == 1 ||
                 inet_pton(AF_INET6, name, ip) == 1;
    buf_printf(san, "%s%s:%s", san->len ? "," : "", is_ip ? "IP" : "DNS",
               name);
}

static int add_ext(X509 *crt, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(crt, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int set_random_serial(X509 *crt)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    raw[0] &= 0x7f; /* serials are positive */
    BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt));
    BN_free(bn);
    return ok ? 0 : -1;
}

static X509 *make_cert(const struct cfg_host *h, EVP_PKEY *key)
{
    X509 *crt = X509_new();
    if (!crt)
        return NULL;
    X509_NAME *name = X509_get_subject_name(crt);
    struct buf san = {0};
    add_san_name(&san, h->name);
    for (size_t i = 0; i < h->n_aliases; i++)
        add_san_name(&san, h->aliases[i]);
    bool ok =
        X509_set_version(crt, 2) && set_random_serial(crt) == 0 &&
        X509_gmtime_adj(X509_getm_notBefore(crt), -3600) &&
        X509_time_adj_ex(X509_getm_notAfter(crt), CERT_DAYS, 0, NULL) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   (const unsigned char *)h->name, -1, -1,
                                   0) &&
        X509_set_issuer_name(crt, name) && X509_set_pubkey(crt, key) &&
        add_ext(crt, NID_subject_alt_name, san.data) == 0 &&
        add_ext(crt, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
        add_ext(crt, NID_key_usage, "critical,digitalSignature") == 0 &&
        add_ext(crt, NID_ext_key_usage, "serverAuth") == 0 &&
        add_ext(crt, NID_subject_key_identifier, "hash") == 0 &&
        X509_sign(crt, key, EVP_sha256()) > 0;
    buf_free(&san);
    if (!ok) {
        X509_free(crt);
        return NULL;
    }
    return crt;
}

/* An existing key is kept (it may be the one a client already trusts);
 * only a missing one is made. */
static int generate(const struct cfg_host *h, const char *crt_path,
                    const char *key_path)
{
    EVP_PKEY *key = read_key(key_path);
    bool new_key = !key;
    if (!key)
        key = EVP_EC_gen("P-256");
    X509 *crt = key ? make_cert(h, key) : NULL;
    int rc = -1;
    if (crt && make_parent_dirs(crt_path) == 0 &&
        make_parent_dirs(key_path) == 0 &&
        (!new_key || write_pem(key_path, 0600, key, NULL) == 0) &&
        write_pem(crt_path, 0644, NULL, crt) == 0)
        rc = 0;
    X509_free(crt);
    EVP_PKEY_free(key);
    return rc;
}

int cert_ensure(const struct cfg_host *h, bool *generated)
{
    const char *crt_path = h->cert_file, *key_path = h->key_file;
    *generated = false;
    int rc = 0;
    if (!file_exists(crt_path) || !file_exists(key_path)) {
        rc = generate(h, crt_path, key_path);
        if (rc == 0)
            *generated = true;
        else
            log_msg("%s: cannot generate a certificate at %s and %s: %s",
                    h->name, crt_path, key_path,
                    errno ? strerror(errno) : "OpenSSL error");
    }
    return rc;
}

int cert_fingerprint(const char *cert_file, char *out, size_t size)
{
    FILE *f = fopen(cert_file, "r");
    if (!f)
        return -1;
    X509 *crt = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = crt && X509_digest(crt, EVP_sha256(), md, &len);
    X509_free(crt);
    if (!ok || size < len * 3)
        return -1;
    for (unsigned int i = 0; i < len; i++)
        snprintf(out + 3 * i, size - 3 * i, "%02X%s", md[i],
                 i + 1 < len ? ":" : "");
    return 0;
}
