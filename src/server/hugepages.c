/* Transparent huge pages for malloc (see capsuled/hugepages.h): glibc
 * reads its tunables from the environment only when a program starts, so
 * the process starts itself again, once, with glibc.malloc.hugetlb=1 added
 * to GLIBC_TUNABLES. Every reason not to is checked first; a failed exec
 * leaves the process running as it was. */
#include "capsuled/hugepages.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define TUNABLE "glibc.malloc.hugetlb=1"

/* AddressSanitizer brings its own allocator: the tunable means nothing. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

/* "always" or "madvise" is what the kernel answers madvise with huge
 * pages for; "never", or no answer, is nothing to gain. */
static bool S_kernel_offers(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return false;
    char line[128] = "";
    bool offers = fgets(line, sizeof line, f) &&
                  (strstr(line, "[always]") || strstr(line, "[madvise]"));
    fclose(f);
    return offers;
}

static bool S_wanted(void)
{
    const char *tunables = getenv("GLIBC_TUNABLES");
    const char *preload = getenv("LD_PRELOAD");
    if (UNDER_SANITIZER || getauxval(AT_SECURE))
        return false; /* a setuid start drops GLIBC_TUNABLES: no loop */
    if (tunables && strstr(tunables, "glibc.malloc.hugetlb"))
        return false; /* already started so, or set by the user: theirs */
    if (preload && strstr(preload, "vgpreload"))
        return false; /* valgrind's allocator; it would not follow an exec */
    return S_kernel_offers();
}

void hugepages_restart(char **argv)
{
    if (!S_wanted())
        return;
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && !*tunables)
        tunables = NULL;
    size_t n = (tunables ? strlen(tunables) + 1 : 0) + sizeof TUNABLE;
    char *value = malloc(n);
    if (!value)
        return;
    snprintf(value, n, "%s%s%s", tunables ? tunables : "",
             tunables ? ":" : "", TUNABLE);
    if (setenv("GLIBC_TUNABLES", value, 1) == 0)
        execv("/proc/self/exe", argv);
    free(value); /* no exec: go on as started, the variable left set */
}
