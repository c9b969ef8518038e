/* Content files: what file_read opens and refuses. Beneath the capsule
 * directory (symlinks inside work, out do not, by relative or absolute
 * path, through /proc too), with and without openat2; FIFOs, directories
 * and devices; the size cap; files named outside by the configuration. */
#include "capsuled/buf.h"
#include "capsuled/file.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[] = "/tmp/capsuled-file-XXXXXX";
static struct buf capsule, outside;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static char *in(const char *dir, const char *name)
{
    struct buf b = {0};
    buf_printf(&b, "%s/%s", dir, name);
    return buf_detach(&b);
}

static void link_in_capsule(const char *target, const char *name)
{
    char *path = in(capsule.data, name);
    unlink(path);
    if (symlink(target, path) < 0)
        perror(path);
    free(path);
}

/* A capsule with a page, a subdirectory and links of every kind, and a
 * secret beside it. */
static void make_tree(void)
{
    if (!mkdtemp(base))
        perror(base);
    buf_printf(&capsule, "%s/capsule", base);
    buf_printf(&outside, "%s/secret.md", base);
    mkdir(capsule.data, 0755);
    write_file(outside.data, "secret");
    char *p = in(capsule.data, "about.md");
    write_file(p, "hello");
    free(p);
    p = in(capsule.data, "pages");
    mkdir(p, 0755);
    free(p);
    p = in(capsule.data, "pages/real.md");
    write_file(p, "real page");
    link_in_capsule("pages/real.md", "rel-link.md");
    link_in_capsule(p, "abs-link.md"); /* absolute, but inside */
    free(p);
    link_in_capsule(outside.data, "out-abs.md");
    link_in_capsule("../secret.md", "out-rel.md");
    link_in_capsule("/proc/self/environ", "environ.md");
    link_in_capsule("/dev/zero", "zero.md");
    link_in_capsule("/etc", "etc");
    p = in(capsule.data, "fifo.md");
    mkfifo(p, 0644);
    free(p);
}

/* The status of a read that returned RC into FC (freed); -1 when the
 * return value disagrees with it or the bytes read are not WANT. */
static int status_of(int rc, struct file_content *fc, const char *want)
{
    bool agrees = (rc == 0) == (fc->status == FILE_OK);
    bool bytes_ok = !want || rc != 0 ||
                    (fc->len == strlen(want) && strcmp(fc->data, want) == 0);
    int st = agrees && bytes_ok ? (int)fc->status : -1;
    file_content_free(fc);
    return st;
}

/* The status of reading NAME (see status_of). */
static int read_as(const char *root, const char *name, enum file_mode mode,
                   size_t cap, const char *want)
{
    struct file_content fc;
    int rc = file_read(root, name, mode, cap, &fc);
    return status_of(rc, &fc, want);
}

static int beneath(const char *name)
{
    return read_as(capsule.data, name, FILE_BENEATH, 0, NULL);
}

static void test_mode_of(void)
{
    CHECK(file_mode_of("about.md") == FILE_BENEATH);
    CHECK(file_mode_of("pages/a.md") == FILE_BENEATH);
    CHECK(file_mode_of("a..b.md") == FILE_BENEATH);
    CHECK(file_mode_of("/srv/other/about.md") == FILE_NAMED);
    CHECK(file_mode_of("../x.md") == FILE_NAMED);
    CHECK(file_mode_of("pages/../../x.md") == FILE_NAMED);
    CHECK(file_mode_of("pages/..") == FILE_NAMED);
}

static void test_beneath(void)
{
    CHECK(read_as(capsule.data, "about.md", FILE_BENEATH, 0, "hello") ==
          FILE_OK);
    CHECK(read_as(capsule.data, "rel-link.md", FILE_BENEATH, 0,
                  "real page") == FILE_OK);
    CHECK(read_as(capsule.data, "abs-link.md", FILE_BENEATH, 0,
                  "real page") == FILE_OK);
    CHECK(beneath("out-abs.md") == FILE_OUTSIDE);
    CHECK(beneath("out-rel.md") == FILE_OUTSIDE);
    CHECK(beneath("../secret.md") == FILE_OUTSIDE);
    CHECK(beneath("environ.md") == FILE_OUTSIDE);
    CHECK(beneath("zero.md") == FILE_OUTSIDE);
    CHECK(beneath("etc/passwd") == FILE_OUTSIDE);
    CHECK(beneath(outside.data) == FILE_OUTSIDE); /* an absolute name */
    CHECK(beneath("pages") == FILE_NOT_REGULAR);
    CHECK(beneath("fifo.md") == FILE_NOT_REGULAR); /* and did not block */
    struct file_content fc;
    CHECK(file_read(capsule.data, "missing.md", FILE_BENEATH, 0, &fc) < 0 &&
          fc.status == FILE_ERRNO && fc.err == ENOENT);
}

/* The realpath check taken where the kernel has no openat2. */
static void test_without_openat2(void)
{
    int dirfd = open(capsule.data, O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *fine[] = {"about.md", "rel-link.md", "abs-link.md"};
    for (size_t i = 0; i < 3; i++) {
        int fd = file_open_beneath(dirfd, capsule.data, fine[i], false);
        CHECK(fd >= 0);
        if (fd >= 0)
            close(fd);
    }
    const char *out[] = {"out-abs.md", "out-rel.md", "../secret.md",
                         "environ.md", "zero.md", "etc/passwd"};
    for (size_t i = 0; i < 6; i++) {
        errno = 0;
        int fd = file_open_beneath(dirfd, capsule.data, out[i], false);
        CHECK(fd < 0 && errno == EXDEV);
        if (fd >= 0)
            close(fd);
    }
    close(dirfd);
}

static void test_cap(void)
{
    char *big = in(capsule.data, "big.md");
    write_file(big, "0123456789");
    free(big);
    CHECK(read_as(capsule.data, "big.md", FILE_BENEATH, 10, "0123456789") ==
          FILE_OK);
    CHECK(read_as(capsule.data, "big.md", FILE_BENEATH, 9, NULL) ==
          FILE_TOO_LARGE);
    CHECK(read_as(capsule.data, "big.md", FILE_BENEATH, 0, "0123456789") ==
          FILE_OK);
}

/* file_read_at through an open root: the same answers as FILE_BENEATH. */
static int read_at(int dirfd, const char *name, const char *want)
{
    struct file_content fc;
    int rc = file_read_at(dirfd, capsule.data, name, 0, &fc);
    return status_of(rc, &fc, want);
}

static void test_read_at(void)
{
    int dirfd = open(capsule.data, O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK(dirfd >= 0);
    CHECK(read_at(dirfd, "about.md", "hello") == FILE_OK);
    CHECK(read_at(dirfd, "rel-link.md", "real page") == FILE_OK);
    CHECK(read_at(dirfd, "big.md", "0123456789") == FILE_OK);
    CHECK(read_at(dirfd, "out-rel.md", NULL) == FILE_OUTSIDE);
    CHECK(read_at(dirfd, "../secret.md", NULL) == FILE_OUTSIDE);
    CHECK(read_at(dirfd, "zero.md", NULL) == FILE_OUTSIDE);
    CHECK(read_at(dirfd, "fifo.md", NULL) == FILE_NOT_REGULAR);
    CHECK(read_at(dirfd, "missing.md", NULL) == FILE_ERRNO);
    close(dirfd);
}

/* A file the configuration names outside the capsule: a regular file by
 * its real path, never a symlink or a device. */
static void test_named(void)
{
    CHECK(read_as(capsule.data, outside.data, FILE_NAMED, 0, "secret") ==
          FILE_OK);
    CHECK(read_as(capsule.data, "../secret.md", FILE_NAMED, 0, "secret") ==
          FILE_OK);
    char *link = in(capsule.data, "out-abs.md");
    CHECK(read_as(NULL, link, FILE_NAMED, 0, NULL) == FILE_SYMLINK);
    CHECK(read_as(NULL, link, FILE_GIVEN, 0, "secret") == FILE_OK);
    free(link);
    CHECK(read_as(NULL, "/dev/zero", FILE_NAMED, 0, NULL) ==
          FILE_NOT_REGULAR);
    CHECK(read_as(NULL, "/dev/zero", FILE_GIVEN, 0, NULL) ==
          FILE_NOT_REGULAR);
    CHECK(read_as(capsule.data, "fifo.md", FILE_GIVEN, 0, NULL) ==
          FILE_NOT_REGULAR);
    CHECK(read_as(NULL, "/", FILE_NAMED, 0, NULL) == FILE_NOT_REGULAR);
}

static void test_report(void)
{
    struct diags d = {0};
    struct file_content fc = {.status = FILE_OUTSIDE};
    file_report(&fc, "c/about.md", 0, &d);
    fc.status = FILE_TOO_LARGE;
    file_report(&fc, "c/about.md", 0, &d);
    fc.status = FILE_NOT_REGULAR;
    file_report(&fc, "c/about.md", 0, &d);
    fc = (struct file_content){.status = FILE_ERRNO, .err = ENOENT};
    file_report(&fc, "c/about.md", 0, &d);
    CHECK(d.n == 4);
    struct buf b = {0};
    diags_format(&d, &b);
    CHECK_CONTAINS(b.data, "c/about.md: error: outside the capsule directory");
    CHECK_CONTAINS(b.data, "c/about.md: error: larger than "
                           "server.max_file_bytes (16777216 bytes)");
    CHECK_CONTAINS(b.data, "c/about.md: error: not a regular file");
    CHECK_CONTAINS(b.data, "c/about.md: error: cannot read: No such file");
    buf_free(&b);
    diags_free(&d);
}

static void remove_tree(void)
{
    struct buf cmd = {0};
    buf_printf(&cmd, "rm -rf '%s'", base);
    if (system(cmd.data) != 0)
        fprintf(stderr, "cannot remove %s\n", base);
    buf_free(&cmd);
    buf_free(&capsule);
    buf_free(&outside);
}

int main(void)
{
    make_tree();
    test_mode_of();
    test_beneath();
    test_without_openat2();
    test_cap();
    test_read_at();
    test_named();
    test_report();
    remove_tree();
    return test_done();
}
