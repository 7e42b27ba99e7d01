/* history: every `duplex test` run in an SQLite database (default
 * results/history.db, created on first use): when it ran, on what (commit,
 * kernel and initramfs images, host), which scenarios (the suite) and each
 * scenario's verdict, attempts, duration and reason.  From it come the
 * marks of report.html (new failure, fixed, flaky), `duplex history` and
 * the last known duration of each scenario (for planning shards).
 *
 * A scenario's id is its slug ("fails-every-other-run").  Runs are ordered
 * by start time, then by the order they were recorded in.
 *
 * Writers wait for each other at most busy_ms (default HISTORY_BUSY_MS);
 * a database that is locked longer, corrupt, or not a duplex history is
 * reported (naming it and what to do) and the call returns -1: the run's
 * own results never depend on its history.  Readers open the database
 * read-only; a missing one is an empty history. */
#ifndef DUPLEX_REPORT_HISTORY_H
#define DUPLEX_REPORT_HISTORY_H

#include <stddef.h>
#include <stdio.h>

struct duplex_paths;
struct test_run;

#define HISTORY_BUSY_MS 10000
/* Hashes and ids: 16 hex digits and a NUL. */
#define HISTORY_HASH_LEN 17

/* What a run ran on, recorded with it. */
struct history_meta {
	const char *path;	/* the database (history_path) */
	const char *commit;	/* `git rev-parse HEAD`, or "unknown" */
	const char *kernel;	/* hash of the kernel images booted */
	const char *initramfs;	/* hash of the initramfs images booted */
	const char *host;
	const char *suite;	/* history_suite of the scenarios selected */
	unsigned busy_ms;	/* wait for other writers; 0: HISTORY_BUSY_MS */
};

/* The database: OPTION (--history PATH) if set, else $DUPLEX_HISTORY if
 * set, else results/history.db (malloc'd). */
char *history_path(const struct duplex_paths *paths, const char *option);

/* The suite of scenario ids IDS: a hash that does not depend on their
 * order, so that the shards of a suite merged give the suite's id. */
void history_suite(const char *const *ids, size_t n,
		   char out[HISTORY_HASH_LEN]);

/* Record run R (its finished scenarios) with META, in one transaction.
 * A run id recorded before is replaced.  0 or -1 (reported). */
int history_record(const struct test_run *r, const struct history_meta *meta);

/* Set the mark of every scenario of R from the runs recorded before it
 * (R itself need not be recorded):
 *   flaky        among its last 10 verdicts on META's commit, kernel and
 *                initramfs (this run's included) both pass and fail, or
 *                it passed after failed attempts;
 *   new failure  it fails, and passed in the previous run of META's suite;
 *   fixed        it passes, and failed in the previous run of the suite.
 * A skipped scenario has no mark.  0 or -1 (reported; R is unchanged). */
int history_mark(struct test_run *r, const struct history_meta *meta);

/* Both for run R, finished, in database PATH: the marks from the runs
 * before it written into R's files, then R recorded, with R's commit and
 * images (unknown: "unknown"), its scenarios' suite and this host.  A
 * history that cannot be read is not written either (said once). */
void history_use(struct test_run *r, const char *path);

struct history_duration {
	char *id;		/* scenario id */
	double seconds;		/* of its latest run not skipped */
};

/* The last known duration of every scenario in database PATH, sorted by
 * id, into *D (*N of them; free with history_durations_free).  0 or -1
 * (reported). */
int history_durations(const char *path, struct history_duration **d,
		      size_t *n);
void history_durations_free(struct history_duration *d, size_t n);

/* Print the last LAST runs of PATH (id, start, commit, scenarios passed
 * and failed), oldest first, then each scenario's verdicts in them as a
 * string, oldest first: P pass, F fail, S skip, R passed on a rerun.
 * SCENARIO (an id or a name; NULL: all): only the runs that ran it, with
 * its verdict, duration and reason.  0, or -1 (reported). */
int history_print(const char *path, unsigned last, const char *scenario,
		  FILE *out);

#endif
