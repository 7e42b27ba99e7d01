/* duplex history: the runs `duplex test` recorded, and each scenario's
 * verdicts in them (report/history.h). */
#include "cmd.h"
#include "base/base.h"
#include "report/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define LAST_DEFAULT 10

static void history_usage(FILE *out)
{
	fputs("usage: duplex history [--last N] [--scenario ID] [--history PATH]\n\n"
	      "The last runs of duplex test in the history database (id, start,\n"
	      "commit, scenarios passed and failed), oldest first, then each\n"
	      "scenario's verdicts in them, oldest first: P pass, F fail, S skip,\n"
	      "R passed on a rerun (FLAKY).\n\n"
	      "  --last N         the last N runs (default 10)\n"
	      "  --scenario ID    only the runs of scenario ID (its slug or its name),\n"
	      "                   with its verdict, duration and reason in each\n"
	      "  --history PATH   the database (default $DUPLEX_HISTORY, else\n"
	      "                   results/history.db)\n",
	      out);
}

int cmd_history(int argc, char **argv, const struct duplex_paths *paths)
{
	static const struct option longopts[] = {
		{ "last", required_argument, NULL, 'n' },
		{ "scenario", required_argument, NULL, 's' },
		{ "history", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *scenario = NULL, *option = NULL;
	unsigned long last = LAST_DEFAULT;
	char *path;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_uint(optarg, 1, 100000, &last) < 0) {
				log_error("history: --last wants a number of runs from 1 to 100000, not '%s'",
					  optarg);
				return EXIT_ERROR;
			}
			break;
		case 's':
			scenario = optarg;
			break;
		case 'H':
			option = optarg;
			break;
		case 'h':
			history_usage(stdout);
			return EXIT_OK;
		default:
			history_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		log_error("history: unexpected argument '%s' (see duplex history --help)",
			  argv[optind]);
		return EXIT_ERROR;
	}
	path = history_path(paths, option);
	ret = history_print(path, (unsigned)last, scenario, stdout);
	free(path);
	return ret < 0 ? EXIT_ERROR : EXIT_OK;
}
