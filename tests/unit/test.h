/* A minimal TAP producer: each CHECK is one test point, so meson (protocol
 * 'tap') counts every assertion, and a failing one names file and line. */
#ifndef CAPSULED_TEST_H
#define CAPSULED_TEST_H

#include <stdio.h>
#include <string.h>

static int test_count, test_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        test_count++;                                                        \
        if (cond) {                                                          \
            printf("ok %d - %s\n", test_count, #cond);                       \
        } else {                                                             \
            test_failed++;                                                   \
            printf("not ok %d - %s:%d: %s\n", test_count, __FILE__, __LINE__, \
                   #cond);                                                   \
        }                                                                    \
    } while (0)

/* Compares two strings, printing both (as TAP diagnostics) when they differ. */
#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *got_ = (got), *want_ = (want);                          \
        int same_ = got_ && want_ && strcmp(got_, want_) == 0;               \
        CHECK(same_ && #got " == " #want);                                   \
        if (!same_)                                                          \
            printf("# got:  [%s]\n# want: [%s]\n", got_ ? got_ : "(null)",   \
                   want_ ? want_ : "(null)");                                \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                          \
    do {                                                                     \
        const char *hay_ = (hay), *needle_ = (needle);                       \
        int found_ = hay_ && needle_ && strstr(hay_, needle_) != NULL;       \
        CHECK(found_ && #hay " contains " #needle);                          \
        if (!found_)                                                         \
            printf("# missing [%s] in:\n# [%s]\n", needle_ ? needle_ : "",   \
                   hay_ ? hay_ : "(null)");                                  \
    } while (0)

static inline int test_done(void)
{
    printf("1..%d\n", test_count);
    return test_failed ? 1 : 0;
}

#endif
