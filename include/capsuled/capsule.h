/* The capsule snapshot: configuration plus, for each host, the loaded page,
 * its document model and every response pre-rendered. Immutable once built;
 * shared between worker threads by reference count. A content or config
 * change builds a new snapshot off the hot path and swaps one pointer. */
#ifndef CAPSULED_CAPSULE_H
#define CAPSULED_CAPSULE_H

#include "capsuled/buf.h"
#include "capsuled/config.h"
#include "capsuled/diag.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct site; /* one host's content and pre-rendered responses (site.c) */

struct capsule {
    int refs; /* atomic through capsule_ref / capsule_unref */
    struct config cfg;
    struct site **sites; /* one per gemini host; sites[0] also serves gopher */
    size_t n_sites;
    /* Per host: the configuration read from its own directory, and the
     * view its site is built from (the main config with the own file's site
     * keys). Both stay zeroed for a host without a file of its own, and for
     * host 0, which always uses cfg. */
    struct config *host_own, *host_view;
    size_t n_host_cfgs;
    /* Files the snapshot was built from, with the mtime/size/inode seen, so
     * capsule_changed() can tell cheaply whether a rebuild is due. */
    struct capsule_file *files;
    size_t n_files;
    /* A Jekyll site's directories (capsuled/sitedirs.h), whose entries all
     * matter: a file added or removed there changes the site. Their stat
     * is recorded as the files' is; one changed while the site was read
     * counts as changed. */
    struct capsule_file *dirs;
    size_t n_dirs;
    /* Folders of those directories left out (_site, excluded ones): what
     * is written there is no change. */
    char **skipped;
    size_t n_skipped;
};

/* Loads DIR (holding capsule.yaml and the profile Markdown) and pre-renders
 * everything. Returns NULL when the config or a page cannot be loaded at all,
 * with the reasons in diags; content problems are only warnings. */
struct capsule *capsule_load(const char *dir, struct diags *diags);
/* The same, storing in *building the index of the host whose site it is
 * building, so that a thread waiting for it can say which page is slow. */
struct capsule *capsule_load_tracked(const char *dir, struct diags *diags,
                                     atomic_size_t *building);
/* A reload: capsule_load_tracked, keeping from PREV (the live snapshot of
 * the same DIR, or NULL) what did not change (site_rebuild). The snapshot
 * is the one a cold load would build. */
struct capsule *capsule_reload(const char *dir, const struct capsule *prev,
                               struct diags *diags, atomic_size_t *building);
struct capsule *capsule_ref(struct capsule *c);
void capsule_unref(struct capsule *c);
/* True when a file it was built from changed, appeared or vanished, or
 * one of its directories gained or lost an entry (stat only: no reading,
 * no rendering). On a snapshot just built: a file changed while it was
 * being read. */
bool capsule_changed(const struct capsule *c);
/* A digest of what stat says now about the files it was built from
 * (existence, inode, size, times): the same digest one polling interval
 * apart means none of them is being written. */
uint64_t capsule_files_state(const struct capsule *c);
/* True when the caller holds the only reference: releasing it frees the
 * snapshot. */
bool capsule_unshared(const struct capsule *c);
/* The path of the i-th file the snapshot was built from (i < n_files):
 * configuration files and pages, whether they exist or not. */
const char *capsule_file_path(const struct capsule *c, size_t i);
/* The path of the i-th directory whose every entry matters (i < n_dirs),
 * NULL past the end. */
const char *capsule_dir_path(const struct capsule *c, size_t i);
/* The path of the i-th folder left out of those directories, NULL past the
 * end. */
const char *capsule_skipped_path(const struct capsule *c, size_t i);

#endif
