/* A configuration for the content targets: the default capsule's, so that
 * {{ site.* }} resolves as it does for real, or the defaults. */
#ifndef CAPSULED_FUZZ_CONFIG_SHARED_H
#define CAPSULED_FUZZ_CONFIG_SHARED_H

#include "capsuled/config.h"

#include <stdlib.h>

static inline void fuzz_config(struct config *cfg)
{
    const char *dir = getenv("CAPSULED_FUZZ_CAPSULE");
    struct diags dg = {0};
    if (config_load(dir && *dir ? dir : FUZZ_SOURCE_ROOT "/capsule", cfg,
                    &dg) != 0) {
        config_free(cfg);
        config_defaults(cfg);
    }
    diags_free(&dg);
}

#endif
