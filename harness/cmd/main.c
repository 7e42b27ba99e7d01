#include "cmd.h"
#include "base/base.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct duplex_paths *paths);
	const char *summary;
} commands[] = {
	{ "doctor", cmd_doctor, "is this host ready? (libvirtd, QEMU, KVM, kernel tree, ccache)" },
	{ "build", cmd_build, "build the replica kernels and initramfs images (incremental)" },
	{ "boot", cmd_boot, "boot the machine (primary, then secondaries), print the ptys, wait" },
	{ "console", cmd_console, "attach this terminal to a console of a running machine" },
	{ "test", cmd_test, "run scenarios on fresh machines; results in results/latest/" },
	{ "results", cmd_results, "merge the results of a suite's shards (duplex test --shard K/N)" },
	{ "clean", cmd_clean, "remove domains and run state left by runs that died" },
	{ "history", cmd_history, "the runs duplex test recorded; each scenario's recent verdicts" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: duplex COMMAND [OPTIONS]\n\n"
	      "End-to-end test and emulation harness for replicated kernels.\n\n"
	      "commands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'duplex COMMAND --help' tells more.\n"
	      "environment: KSRC (kernel tree; default Debian's linux-source-6.1),\n"
	      "  DUPLEX_BUILD, DUPLEX_RESULTS, DUPLEX_RUN (directories),\n"
	      "  DUPLEX_HISTORY (the history database; default results/history.db)\n"
	      "exit codes: 0 ok, 1 a check failed, 2 could not run (usage, config, host, build, boot)\n",
	      out);
}

int main(int argc, char **argv)
{
	struct duplex_paths paths;
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	/* A reader of stdout that is gone (`./launch.sh | tee log`, Ctrl-C
	 * ending both) must not kill the teardown: writes fail instead. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (paths_init(&paths, argv[0]) < 0)
			return EXIT_ERROR;
		return commands[i].run(argc - 1, argv + 1, &paths);
	}
	log_error("unknown command '%s' (try 'duplex --help')", argv[1]);
	return EXIT_ERROR;
}
