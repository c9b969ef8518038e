/* capsuled: command dispatch. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *to)
{
    fputs("usage: capsuled serve [CAPSULE-DIR]\n"
          "       capsuled render [--to gemtext|gophermap|text|gemsub|atom]"
          " [--section SLUG] FILE-or-CAPSULE-DIR\n"
          "       capsuled check CAPSULE-DIR\n"
          "       capsuled export CAPSULE-DIR OUTDIR\n"
          "       capsuled list SITE-DIR\n",
          to);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "render") == 0)
        return cli_render(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cli_export(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return cli_list(argc - 1, argv + 1);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "capsuled: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
