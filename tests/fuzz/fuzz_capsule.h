/* The capsule the protocol targets (gemini, gopher) answer from. */
#ifndef CAPSULED_FUZZ_CAPSULE_H
#define CAPSULED_FUZZ_CAPSULE_H

#include "capsuled/capsule.h"
#include "fuzz_common.h"
#include "site_fixture.h"

/* The capsule the protocol targets answer from: $CAPSULED_FUZZ_CAPSULE, else
 * the default capsule of the source tree (its path is compiled in, so the
 * binary runs from any directory), else the unit tests' fixture written to
 * a temporary directory. Loaded once: responses never change it. */
static inline struct capsule *fuzz_capsule(void)
{
    const char *dirs[2] = {getenv("CAPSULED_FUZZ_CAPSULE"),
                           FUZZ_SOURCE_ROOT "/capsule"};
    for (size_t i = 0; i < 2; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        struct diags dg = {0};
        struct capsule *c = capsule_load(dirs[i], &dg);
        diags_free(&dg);
        if (c)
            return c;
        fprintf(stderr, "fuzz: cannot load capsule %s, trying the next\n",
                dirs[i]);
    }
    char dir[64];
    fixture_make(dir);
    struct capsule *c = fixture_load(dir);
    fixture_remove(dir);
    if (!c) {
        fprintf(stderr, "fuzz: no capsule could be loaded\n");
        exit(1);
    }
    return c;
}

#endif
