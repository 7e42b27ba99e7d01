/* cmd: the duplex command line: one file per subcommand (boot.c,
 * build.c, clean.c, console.c, doctor.c, history.c, results.c, test.c with
 * select.c, and its reruns and history in rerun.c and test_extra.c),
 * main.c choosing among them, and what they share (cli.c).  The top
 * layer: nothing includes it but its own files. */
#ifndef DUPLEX_CMD_H
#define DUPLEX_CMD_H

#include "base/base.h"

/* Exit codes (docs/architecture.md): "could not run" is kept apart from
 * "ran and failed" so that CI can tell a broken host from a broken kernel. */
enum duplex_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* a test or check ran and failed */
	EXIT_ERROR = 2,		/* usage, configuration, host, build or boot problem */
};

/* Each subcommand takes its own argv (argv[0] its name) and returns the
 * process's exit code.  duplex doctor: what this host can run, and what to do about the rest. */
int cmd_doctor(int argc, char **argv, const struct duplex_paths *paths);
/* duplex build: the kernels and initramfs images of a profile, or all. */
int cmd_build(int argc, char **argv, const struct duplex_paths *paths);
/* duplex boot: a machine for a person, with its ptys announced. */
int cmd_boot(int argc, char **argv, const struct duplex_paths *paths);
/* duplex console: this terminal on a console of a running machine. */
int cmd_console(int argc, char **argv, const struct duplex_paths *paths);
/* duplex clean: what runs that died left behind. */
int cmd_clean(int argc, char **argv, const struct duplex_paths *paths);
/* duplex test: scenarios, each on a fresh machine, into results/. */
int cmd_test(int argc, char **argv, const struct duplex_paths *paths);
/* duplex results merge: the results of a suite's shards into one run. */
int cmd_results(int argc, char **argv, const struct duplex_paths *paths);
/* duplex history: the runs duplex test recorded (report/history.h). */
int cmd_history(int argc, char **argv, const struct duplex_paths *paths);

/* The exit code that outcome O (base/outcome.h) ends the process with. */
int cli_exit_code(enum outcome o);

/* True if ARG is -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif
