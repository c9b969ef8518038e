/* For the targets whose loader reads a path, not bytes: a private
 * temporary directory holding one file, rewritten with each input and
 * removed at exit. */
#ifndef CAPSULED_FUZZ_TMPFILE_H
#define CAPSULED_FUZZ_TMPFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_tmp_dir[64];
static char fuzz_tmp_file[128];

static void fuzz_tmp_remove(void)
{
    unlink(fuzz_tmp_file);
    rmdir(fuzz_tmp_dir);
}

/* Creates the directory ($TMPDIR or /tmp) and names the file in it. */
static inline void fuzz_tmp_init(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_tmp_dir, sizeof fuzz_tmp_dir, "%s/capsuled-fuzz-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(fuzz_tmp_dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(fuzz_tmp_file, sizeof fuzz_tmp_file, "%s/%s", fuzz_tmp_dir, name);
    atexit(fuzz_tmp_remove);
}

static inline void fuzz_tmp_write(const uint8_t *data, size_t size)
{
    FILE *f = fopen(fuzz_tmp_file, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(fuzz_tmp_file);
        exit(1);
    }
}

#endif
