/* cli: the duplex subcommands and the exit codes they share. */
#ifndef DUPLEX_CLI_H
#define DUPLEX_CLI_H

#include "config.h"

/* Exit codes (docs/architecture.md): "could not run" is kept apart from
 * "ran and failed" so that CI can tell a broken host from a broken kernel. */
enum duplex_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* a test or check ran and failed */
	EXIT_ERROR = 2,		/* usage, configuration, host, build or boot problem */
};

int cmd_doctor(int argc, char **argv, const struct duplex_paths *paths);
int cmd_build(int argc, char **argv, const struct duplex_paths *paths);
int cmd_boot(int argc, char **argv, const struct duplex_paths *paths);
int cmd_clean(int argc, char **argv, const struct duplex_paths *paths);
int cmd_test(int argc, char **argv, const struct duplex_paths *paths);

/* Load vm/<name>.profile (NAME may also be a path to a profile file). */
int cli_load_profile(const struct duplex_paths *paths, const char *name,
		     struct machine_profile *profile);

/* True if ARG is -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif
