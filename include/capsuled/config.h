/* capsule.yaml: the site description (Jekyll-style top-level keys, so a
 * _config.yml reads the same) plus the gemini, gopher, finger, spartan and
 * server settings. */
#ifndef CAPSULED_CONFIG_H
#define CAPSULED_CONFIG_H

#include "capsuled/diag.h"
#include "capsuled/value.h"

#include <stdbool.h>
#include <stddef.h>

/* One address to bind, e.g. "127.0.0.1:1965", "[::1]:1965", "*:70". */
struct cfg_listen {
    char *addr; /* host part without brackets; "*" or "" = any address */
    int port;
};

/* A named Gemini virtual host (chosen by SNI and by the request URL). */
struct cfg_host {
    char *name;      /* public host name, lower case */
    char **aliases;  /* further accepted names, lower case */
    size_t n_aliases;
    char *root;      /* capsule directory of this host (absolute or relative
                        to the directory of capsule.yaml) */
    char *cert_file; /* PEM certificate; generated when missing; NULL
                        when not configured: config_place_certs */
    char *key_file;  /* PEM private key; the same */
};

struct cfg_site {
    char *title;        /* site.title */
    char *description;  /* site.description */
    char *author_name;  /* site.author.name */
    char *author_bio;   /* site.author.bio */
    char *author_email; /* site.author.email */
    char *lang;         /* default content language, e.g. "en" */
    char *url;          /* web base URL that relative links resolve against */
    char *page;         /* the profile Markdown, relative to the capsule dir */
    bool page_named;    /* `page` was set in the file; else a Jekyll site's
                           page is its home page (see site_content_load) */
    char *favicon;      /* one emoji for /favicon.txt */
    char *robots;       /* robots.txt body */
    bool serve_source;  /* serve /source.md */
    /* Liquid's `site`, a hash: the whole file, Jekyll's keys included
     * ({{ site.author.github }}, {{ site.data }}…), laid over the settings
     * above as defaults (title, description, lang, url, author.name,
     * author.bio, author.email). */
    struct value *vars;
};

struct cfg_gemini {
    bool enabled;
    struct cfg_listen *listen;
    size_t n_listen;
    int port;                /* public port written into URLs */
    struct cfg_host *hosts;  /* hosts[0] is the default host (no SNI) */
    size_t n_hosts;
    bool proxy_protocol;     /* connections start with a PROXY header */
};

struct cfg_gopher {
    bool enabled;
    struct cfg_listen *listen;
    size_t n_listen;
    char *host; /* public host written into menus */
    int port;   /* public port written into menus */
    int width;  /* wrap width, in display columns */
    char *admin;
    bool proxy_protocol; /* connections start with a PROXY header */
};

/* Finger (RFC 1288): the card, the sections and the .plan as plain text.
 * Its well-known port 79 needs root; by default it listens on loopback. */
enum { FINGER_DEFAULT_PORT = 7979 };
struct cfg_finger {
    bool enabled;
    struct cfg_listen *listen;
    size_t n_listen;
    bool ascii; /* fold the answers to ASCII for clients that show bytes */
    bool proxy_protocol; /* connections start with a PROXY header */
};

/* Spartan: the Gemini pages over plain TCP, with uploads (search takes its
 * query as one). Its usual port 300 needs root; by default it listens on
 * loopback port 3000. */
enum { SPARTAN_DEFAULT_PORT = 3000 };
struct cfg_spartan {
    bool enabled;
    struct cfg_listen *listen;
    size_t n_listen;
    char *host; /* public host written into spartan:// URLs */
    int port;   /* public port written into them (300 is left out) */
    bool proxy_protocol; /* connections start with a PROXY header */
};

struct cfg_server {
    int workers;         /* 0 = online cores */
    int max_connections; /* per process */
    int max_per_client;  /* per client address (IPv6: /64); 0 = no cap */
    int deadline_ms;     /* handshake plus request */
    char *user, *group;  /* privileges to drop to when started as root */
    bool chroot;         /* chroot to the capsule directory */
    char *access_log;    /* "-" or NULL = stderr, else a file path */
    bool anonymize;      /* log client addresses without their host part */
    bool landlock;       /* confine file and network access after start */
    size_t max_file_bytes; /* cap on every content file read (page, …) */
    int build_timeout_ms; /* a snapshot build taking longer is abandoned */
    int rate_limit;      /* requests per second per client; 0 = no limit */
    int rate_burst;      /* requests at once above the rate; 0 = rate_limit */
};

struct config {
    char *file;  /* path of capsule.yaml as opened */
    char *dir;   /* directory holding it: relative paths resolve from here */
    struct cfg_site site;
    struct cfg_gemini gemini;
    struct cfg_gopher gopher;
    struct cfg_finger finger;
    struct cfg_spartan spartan;
    struct cfg_server server;
};

/* Loads DIR/capsule.yaml (or FILE when it names a file). Missing keys take
 * their defaults; a missing capsule.yaml gives a config of defaults. Errors are
 * added to diags as "file:line: key: problem" and make it return -1. */
int config_load(const char *dir_or_file, struct config *out, struct diags *diags);
/* Defaults only (used for `capsuled render FILE.md`). */
void config_defaults(struct config *out);
void config_free(struct config *cfg);
/* Gives each Gemini host without a configured certificate (or key) the
 * generated one's place: STATE_DIR/HOST.crt and STATE_DIR/HOST.key. Whoever
 * serves picks the state directory; it is never the site. */
void config_place_certs(struct config *cfg, const char *state_dir);
/* Whether every host's certificate and key have a place. */
bool config_certs_placed(const struct config *cfg);
/* The text of the {{ site.KEY }} scalar at a Liquid path ("author.name",
 * "gemini.aliases.0"); NULL when unknown or a list or mapping. */
const char *config_site_var(const struct config *cfg, const char *key);

#endif
