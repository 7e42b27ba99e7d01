/* select: which scenarios a `duplex test` run runs (private to cmd/;
 * test.c): those of the files that --tags selects, the suite, of which
 * a shard (--shard K/N, --shards N, CI engines' variables) runs its
 * share. */
#ifndef DUPLEX_CMD_SELECT_H
#define DUPLEX_CMD_SELECT_H

#include <sys/types.h>

#include "report/report.h"
#include "scenario/scenario.h"

/* One selected scenario and the process that runs it. */
struct job {
	const struct scenario_def *def;
	char *dir;		/* its slug, then its directory in the run */
	pid_t pid;		/* 0: not started; -1: finished */
	struct scenario_result res;
	int status;		/* EXIT_* of its process */
	unsigned tries;		/* earlier attempts (--rerun-failed) */
};

struct selection {
	struct job *jobs;	/* this run's share, in suite order */
	size_t n;
	struct suite_entry *suite;	/* all that --tags selected */
	size_t nsuite;
	struct shard shard;	/* total 0: the whole suite */
	/* The hash of the durations the shards were balanced by, for the
	 * merge to check that every shard split the suite alike; "": by
	 * count. */
	char plan[17];
};

/* The scenarios of SET with one of TAGS (NULL: all), each with a slug
 * unique in the suite, and SHARD's share of them (see shard_resolve for
 * SHARD and SHARDS), balanced by the durations of the run history
 * HISTORY when given and readable (every shard must be given the same
 * one), by count otherwise.  -1 (reported) on a bad shard. */
int test_select(const struct scenario_set *set, const char *tags,
		const char *shard, const char *shards, const char *history,
		struct selection *sel);
/* A line per scenario of the share: file, line, name, tags. */
void test_list(const struct selection *sel);
void selection_free(struct selection *sel);

/* The project's commit (`git rev-parse HEAD` in ROOT), or "unknown";
 * malloc'd. */
char *project_commit(const char *root);

#endif
