/* The subcommands; each takes argv starting at its own name, returns the
 * exit status (0 ok, 1 findings/errors in content, 2 usage or config error). */
#ifndef CAPSULED_CLI_H
#define CAPSULED_CLI_H

#include <stdio.h>

int cli_serve(int argc, char **argv);  /* serve.c */
int cli_render(int argc, char **argv); /* cli.c */
int cli_check(int argc, char **argv);  /* cli.c */
int cli_export(int argc, char **argv); /* cli.c */
/* `capsuled help [COMMAND]`: the overview, or one command's help. */
int cli_help(int argc, char **argv); /* cli.c */
int cli_version(void);               /* cli.c */
/* One usage line per command. */
void cli_usage(FILE *to); /* cli.c */
int cli_list(int argc, char **argv);   /* cli.c */

#endif
