/* capsuled: command dispatch. */
#include "cli.h"

#include "capsuled/hugepages.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_help_flag(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* `capsuled COMMAND --help` is `capsuled help COMMAND`. */
static int command_help(char **argv)
{
    char *args[] = {"help", argv[1], NULL};
    return cli_help(2, args);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "export") == 0 ||
        strcmp(cmd, "render") == 0 || strcmp(cmd, "check") == 0 ||
        strcmp(cmd, "list") == 0)
        hugepages_restart(argv); /* the commands that load a site */
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
        return cli_version();
    if (strcmp(cmd, "help") == 0)
        return cli_help(argc - 1, argv + 1);
    if (is_help_flag(cmd))
        return cli_help(1, argv + 1);
    if (argc > 2 && is_help_flag(argv[2]))
        return command_help(argv);
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
    fprintf(stderr, "capsuled: unknown command '%s'\n", cmd);
    cli_usage(stderr);
    return 2;
}
