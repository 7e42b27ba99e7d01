/* duplex clean: remove what runs that died left behind. */
#include "cli.h"
#include "log.h"
#include "machine.h"
#include "virt.h"

#include <stdio.h>
#include <string.h>

int cmd_clean(int argc, char **argv, const struct duplex_paths *paths)
{
	virConnectPtr conn;
	bool all = false;
	int domains, dirs;

	if (cli_wants_help(argc, argv)) {
		fputs("usage: duplex clean [--all]\n\n"
		      "Destroy duplex domains and remove run state of runs whose duplex\n"
		      "process is gone.  --all: also those of runs still alive.\n", stdout);
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
	domains = virt_clean(conn, all);
	virConnectClose(conn);
	dirs = machine_clean_state(paths, all);
	if (domains < 0 || dirs < 0)
		return EXIT_ERROR;
	log_info("clean: %d domain%s, %d run director%s removed", domains,
		 domains == 1 ? "" : "s", dirs, dirs == 1 ? "y" : "ies");
	return EXIT_OK;
}
