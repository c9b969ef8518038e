/* Content files: the one way capsuled opens what a capsule holds (its
 * capsule.yaml or _config.yml, the pages, and whatever else a site reads).
 * A capsule directory may be written by someone the server must not trust
 * with the rest of the machine, so a file is read only when it is a regular
 * file, beneath the capsule directory unless the configuration names it
 * elsewhere, and no larger than a cap. */
#ifndef CAPSULED_FILE_H
#define CAPSULED_FILE_H

#include "capsuled/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* server.max_file_bytes when not set; also the cap of the configuration
 * files themselves, which are read before the setting is known. */
#define FILE_MAX_BYTES_DEFAULT ((size_t)16 * 1024 * 1024)

/* How a name is resolved. */
enum file_mode {
    /* Relative to the capsule directory and never leaving it: symlinks that
     * stay inside work; a symlink or ".." leading out is refused. */
    FILE_BENEATH,
    /* A path the configuration names outside the capsule (absolute, or with
     * ".."): opened as written, relative to the capsule directory when
     * relative; its last component must not be a symlink. */
    FILE_NAMED,
    /* A path given on the command line by whoever runs capsuled: opened as
     * given, symlinks followed. */
    FILE_GIVEN,
};

enum file_status {
    FILE_OK,
    FILE_OUTSIDE,     /* resolves outside the capsule directory */
    FILE_SYMLINK,     /* FILE_NAMED, and the path is a symlink */
    FILE_NOT_REGULAR, /* a FIFO, device, directory or socket */
    FILE_TOO_LARGE,   /* over the cap, when opened or while read */
    FILE_ERRNO,       /* err says why (ENOENT, EACCES, …) */
};

struct file_content {
    char *data; /* the bytes plus a NUL; NULL unless status is FILE_OK */
    size_t len;
    enum file_status status;
    int err;    /* errno, for FILE_ERRNO */
};

/* FILE_BENEATH for a relative name without ".." segments, else FILE_NAMED. */
enum file_mode file_mode_of(const char *name);

/* Reads the whole of NAME (see enum file_mode; ROOT is the capsule
 * directory, NULL or "" meaning "."). Opened O_NONBLOCK, so a FIFO never
 * blocks; only a regular file of at most max_bytes (0: the default) is
 * read, and never past the cap while it grows. Returns 0, or -1 with
 * out->status saying why. */
int file_read(const char *root, const char *name, enum file_mode mode,
              size_t max_bytes, struct file_content *out);

/* The moment a load of files begins, 10 ms early: file times come from a
 * coarse clock, which lags the precise one by up to a tick, so a file
 * changed after this moment has a time not before it. */
struct timespec file_load_start(void);

/* file_read's FILE_BENEATH through DIRFD, ROOT already opened (O_PATH): a
 * site read whole opens its directory once, not once a file. */
int file_read_at(int dirfd, const char *root, const char *name,
                 size_t max_bytes, struct file_content *out);

/* Adds the reason a read failed as an error on SHOWN (the path as the user
 * knows it), e.g. "outside the capsule directory". */
void file_report(const struct file_content *f, const char *shown,
                 size_t max_bytes, struct diags *diags);
void file_content_free(struct file_content *f);

/* --- stages, exposed for unit tests --- */

/* Opens NAME beneath the directory DIRFD (whose path is ROOT) for reading:
 * openat2 with RESOLVE_BENEATH, or, where the kernel has no openat2 (or
 * use_openat2 is false), the same check made with realpath. A symlink
 * that names the capsule by an absolute path stays allowed when it
 * resolves inside. Returns the descriptor, or -1 with errno (EXDEV: it
 * leads outside). */
int file_open_beneath(int dirfd, const char *root, const char *name,
                      bool use_openat2);

#endif
