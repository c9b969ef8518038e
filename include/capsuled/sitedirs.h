/* The directories of a Jekyll site whose every entry matters to a reload:
 * the folders Jekyll reads pages and static files from, _posts and
 * _drafts, every collection's folder, _data, _includes and _layouts, with
 * their subfolders. Not the destination (_site), not hidden folders
 * (.git, .jekyll-cache) unless `include` names them, not what `exclude`
 * names. Watching these, a file added to the site is noticed without
 * looking at any file (one directory listing each, no stat per file). */
#ifndef CAPSULED_SITEDIRS_H
#define CAPSULED_SITEDIRS_H

#include "capsuled/jekyll.h"

#include <stddef.h>

/* Calls FN with each directory's path (the root first, then beneath it,
 * spelled as ROOT/REL), WATCHED true, and CTX; and with WATCHED false for
 * each folder of a watched one that is left out, and for the destination
 * whether it exists or not (a `jekyll build` creating _site is no change).
 * Symlinks to directories are not followed: the files read through them
 * are watched by their own names. */
void site_dirs(const struct jekyll_site *js,
               void (*fn)(const char *path, bool watched, void *ctx),
               void *ctx);

/* Whether a name in a watched directory is an editor's or a tool's own
 * (".about.md.swp", "#about.md#", "about.md~"), which Jekyll skips and a
 * reload must not wait for. */
bool site_dirs_ignored_name(const char *name);

#endif
