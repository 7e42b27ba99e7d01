/* duplex results: what is done with the results of runs after them.
 * merge: the results directories of a suite's shards (duplex test
 * --shard K/N, run on several machines) into one, as if one run had run
 * the whole suite. */
#include "cmd.h"
#include "base/base.h"
#include "machine/machine.h"
#include "report/report.h"

#include <dirent.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void results_usage(FILE *out)
{
	fputs("usage: duplex results merge DIR... [-o OUT] [--history PATH | --no-history]\n\n"
	      "Merge the results directories DIR of the shards of one suite\n"
	      "(duplex test --shard K/N, each results/<run-id>/) into one, as if\n"
	      "one run had run them all: summary.json, results.tap, junit.xml and\n"
	      "report.html with every scenario in the suite's order, and each\n"
	      "scenario's transcripts and logs (hard links, or copies).\n"
	      "The shards must have run the same suite (scenarios, in order) at\n"
	      "the same commit, each scenario in one shard only.  A scenario that\n"
	      "no shard ran fails with the reason \"not run\".\n\n"
	      "  -o, --output OUT  the merged directory: new, or empty (default: a\n"
	      "                    new results/<run-id>/, and results/latest)\n"
	      "  --history PATH    the history database the merged run is recorded in\n"
	      "                    and marked from (default $DUPLEX_HISTORY, else\n"
	      "                    results/history.db); a run with a scenario no\n"
	      "                    shard ran is not recorded\n"
	      "  --no-history      neither read nor record the history\n\n"
	      "exit: 0 all passed, 1 a test failed, 2 usage, a directory that cannot\n"
	      "be merged, or a scenario that no shard ran\n", out);
}

struct merge_options {
	const char *out;	/* -o */
	const char *history;	/* --history; NULL: history_path's */
	bool no_history;
};

/* -1: an error; 1: --help; 0: go on with O's dirs from argv[optind]. */
static int parse_merge_options(int argc, char **argv, struct merge_options *o)
{
	enum { OPT_HISTORY = 0x100, OPT_NO_HISTORY };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case OPT_HISTORY:
			o->history = optarg;
			break;
		case OPT_NO_HISTORY:
			o->no_history = true;
			break;
		case 'h':
			results_usage(stdout);
			return 1;
		default:
			results_usage(stderr);
			return -1;
		}
	}
	if (optind == argc) {
		log_error("results merge: name the results directories to merge (duplex results merge DIR... [-o OUT])");
		return -1;
	}
	return 0;
}

static bool is_empty_dir(const char *path)
{
	struct dirent *de;
	bool empty = true;
	DIR *dir = opendir(path);

	if (!dir)
		return false;
	while (empty && (de = readdir(dir)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(dir);
	return empty;
}

/* The merged run's directory: OUT, new or empty, or a new run's in
 * results/. */
static int make_output(struct test_run *r, const char *out,
		       const struct duplex_paths *paths)
{
	make_run_id('m', r->run_id, sizeof(r->run_id));
	if (!out) {
		r->dir = xasprintf("%s/%s", paths->results, r->run_id);
		if (mkdir_p(r->dir, 0755) < 0)
			return -1;
		machine_point_latest(paths->results, r->run_id);
		return 0;
	}
	if (path_exists(out) && !is_empty_dir(out)) {
		log_error("results merge: the output directory '%s' exists and is not empty: name a new directory with -o",
			  out);
		return -1;
	}
	if (mkdir_p(out, 0755) < 0)
		return -1;
	/* absolute, as a run's: junit.xml names the transcripts by it */
	r->dir = realpath(out, NULL);
	if (!r->dir) {
		log_error("results merge: cannot resolve '%s': %m", out);
		return -1;
	}
	return 0;
}

/* The scenarios no shard ran, named: the merge is incomplete. */
static void report_not_run(const struct results_merge *m)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < m->run.nscenarios; i++)
		if (!m->from[i])
			strbuf_printf(&sb, "%s'%s'", sb.len ? ", " : "",
				      m->run.suite[i].id);
	log_error("results merge: incomplete: %zu of %zu scenarios were run by none of the shards merged (%s): merge the directories of every shard, or run the missing shards",
		  m->not_run, m->run.nscenarios, sb.s);
	strbuf_release(&sb);
}

static int merge_exit(const struct results_merge *m)
{
	struct results_counts c = test_run_counts(&m->run);

	printf("%u passed, %u failed, %u skipped\n", c.passed, c.failed,
	       c.skipped);
	if (m->not_run) {
		report_not_run(m);
		return EXIT_ERROR;
	}
	return c.failed ? EXIT_FAILED : EXIT_OK;
}

static int merge(int argc, char **argv, const struct duplex_paths *paths)
{
	struct results_merge m;
	struct merge_options o;
	char *history;
	size_t n;
	int ret;

	ret = parse_merge_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	n = (size_t)(argc - optind);
	if (results_merge_read(&m, (const char *const *)argv + optind, n) < 0)
		return EXIT_ERROR;
	if (!strcmp(m.run.commit, "unknown"))
		log_warn("results merge: the shards ran outside a git checkout (commit 'unknown'): whether they ran the same code cannot be checked");
	ret = EXIT_ERROR;
	if (make_output(&m.run, o.out, paths) == 0 && results_merge_write(&m) == 0) {
		printf("duplex results merge: %zu director%s, %zu scenario%s at commit %.12s; results in %s/\n",
		       n, n == 1 ? "y" : "ies", m.run.nscenarios,
		       m.run.nscenarios == 1 ? "" : "s", m.run.commit, m.run.dir);
		/* An incomplete run would tell the history of a suite it
		 * did not run whole. */
		if (!o.no_history && !m.not_run) {
			history = history_path(paths, o.history);
			history_use(&m.run, history);
			free(history);
		}
		ret = merge_exit(&m);
	}
	results_merge_free(&m);
	return ret;
}

int cmd_results(int argc, char **argv, const struct duplex_paths *paths)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		results_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_ERROR : EXIT_OK;
	}
	if (!strcmp(argv[1], "merge"))
		return merge(argc - 1, argv + 1, paths);
	log_error("results: unknown subcommand '%s' (only merge; try 'duplex results --help')",
		  argv[1]);
	return EXIT_ERROR;
}
