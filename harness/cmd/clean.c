/* duplex clean: remove what runs that died left behind. */
#include "cmd.h"
#include "base/base.h"
#include "machine/machine.h"

#include <stdio.h>
#include <string.h>

int cmd_clean(int argc, char **argv, const struct duplex_paths *paths)
{
	struct machine_leftovers left;
	virConnectPtr conn;
	bool all = false;
	int domains, ret;

	if (cli_wants_help(argc, argv)) {
		fputs("usage: duplex clean [--all]\n\n"
		      "Destroy duplex domains and remove the run state, bridges and window\n"
		      "files (/dev/shm/duplex-*) of runs that are no longer alive.  A run\n"
		      "is alive while its process holds the lock <run dir>/<run-id>/lock\n"
		      "($DUPLEX_RUN, default /run/duplex), whatever the program (duplex, an\n"
		      "end-to-end test); a run without that file is alive while a process\n"
		      "with its pid exists.\n"
		      "--all: also those of runs still alive.\n", stdout);
		return EXIT_OK;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--all"))) {
		log_error("clean: unexpected argument '%s' (only --all)", argv[1]);
		return EXIT_ERROR;
	}
	all = argc == 2;
	virt_init_errors();
	conn = virt_connect();
	if (!conn)
		return EXIT_ERROR;
	domains = virt_clean(conn, all, runlock_alive, paths->run);
	virConnectClose(conn);
	ret = machine_clean_state(paths, all, &left);
	if (domains < 0 || ret < 0)
		return EXIT_ERROR;
	log_info("clean: %d domain%s, %d run director%s, %d bridge%s, %d window file%s removed",
		 domains, domains == 1 ? "" : "s", left.dirs,
		 left.dirs == 1 ? "y" : "ies", left.bridges,
		 left.bridges == 1 ? "" : "s", left.windows,
		 left.windows == 1 ? "" : "s");
	return EXIT_OK;
}
