/* The capsule.yaml loader: the input written to a capsule.yaml in a private
 * temporary directory, then config_load and config_free (libFuzzer's leak
 * check sees anything left behind). A loaded config must hold what the
 * rest of the server relies on. */
#include "capsuled/config.h"
#include "fuzz_common.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmp_init("capsule.yaml");
    return 0;
}

/* What serve, site and the renderers take for granted after a load. */
static void check_config(const struct config *cfg)
{
    if (!cfg->file || !cfg->dir)
        fuzz_fail("config without file or dir", "", 0);
    if (cfg->gemini.n_hosts == 0 || !cfg->gemini.hosts[0].name ||
        !cfg->gemini.hosts[0].root)
        fuzz_fail("config without a default gemini host", "", 0);
    if (!cfg->site.page || !cfg->gopher.host)
        fuzz_fail("config without page or gopher host", "", 0);
    if (value_kind(cfg->site.vars) != VALUE_HASH)
        fuzz_fail("site variables are not a hash", "", 0);
    for (size_t i = 0; i < cfg->gemini.n_listen; i++)
        if (cfg->gemini.listen[i].port < 0 ||
            cfg->gemini.listen[i].port > 65535)
            fuzz_fail("gemini listen port out of range", "", 0);
    for (size_t i = 0; i < cfg->gopher.n_listen; i++)
        if (cfg->gopher.listen[i].port < 0 ||
            cfg->gopher.listen[i].port > 65535)
            fuzz_fail("gopher listen port out of range", "", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_tmp_write(data, size);
    struct config cfg;
    struct diags dg = {0};
    int rc = config_load(fuzz_tmp_dir, &cfg, &dg);
    if (rc != 0 && rc != -1)
        fuzz_fail("config_load returned neither 0 nor -1", "", 0);
    if (rc == 0)
        check_config(&cfg);
    if (rc == -1 && diags_count(&dg, DIAG_ERROR) == 0)
        fuzz_fail("config_load failed without an error", "", 0);
    struct buf report = {0};
    diags_format(&dg, &report);
    buf_free(&report);
    if (rc == 0) {
        const char *v = config_site_var(&cfg, "title");
        (void)v;
    }
    diags_free(&dg);
    config_free(&cfg);
    return 0;
}
