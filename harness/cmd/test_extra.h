/* test_extra: what `duplex test` does besides running each scenario once
 * (private to cmd/; test.c calls it): a failed scenario run again
 * (rerun.c), the run recorded in the history and marked from it
 * (test_extra.c). */
#ifndef DUPLEX_CMD_TEST_EXTRA_H
#define DUPLEX_CMD_TEST_EXTRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/base.h"
#include "report/report.h"
#include "scenario/scenario.h"

struct test_extra {
	const char *history;	/* --history PATH; NULL: history_path's */
	bool no_history;	/* --no-history */
	unsigned reruns;	/* --rerun-failed N */
	bool allow_flaky;	/* --allow-flaky */
};

/* The options' getopt codes, past every character, and their entries. */
enum {
	OPT_HISTORY = 0x100,
	OPT_NO_HISTORY,
	OPT_RERUN_FAILED,
	OPT_ALLOW_FLAKY,
};
#define TEST_EXTRA_LONGOPTS \
	{ "history", required_argument, NULL, OPT_HISTORY }, \
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY }, \
	{ "rerun-failed", required_argument, NULL, OPT_RERUN_FAILED }, \
	{ "allow-flaky", no_argument, NULL, OPT_ALLOW_FLAKY }

/* Option C (with ARG) into X: 0, -1 on a bad value (reported), 1 if C
 * is not one of these options. */
int test_extra_option(int c, const char *arg, struct test_extra *x);
/* The options' lines of `duplex test --help`, and its exit codes. */
void test_extra_usage(FILE *out);

/* Attempt TRIES + 1 of the scenario in DIR ended with RES and its
 * process's exit STATUS: whether it runs again, because it failed (a host
 * error is not the scenario's) and X allows another rerun.  If so, its
 * directory is kept as DIR.tryN (N = TRIES + 1) and the person told. */
bool rerun_prepare(const struct scenario_result *res, int status,
		   const char *dir, unsigned tries, const struct test_extra *x);
/* Undo rerun_prepare's DIR.tryTRY, when the next attempt could not start. */
void rerun_restore(const char *dir, unsigned try);
/* The last attempt's RES after TRIES earlier ones: its attempts. */
void rerun_conclude(struct scenario_result *res, unsigned tries);
/* Whether RES fails the run: it failed, or is FLAKY without
 * --allow-flaky. */
bool rerun_fails_run(const struct scenario_result *res,
		     const struct test_extra *x);

/* After the scenarios of RUN (DEFS, in plan order, the N selected): the
 * FLAKY ones named; unless X says --no-history, or the run was
 * INTERRUPTED or did not finish all N, the marks from the history written
 * into RUN's files and the run recorded.  The history's errors are
 * reported, never returned: they change no verdict and no exit status. */
void test_extra_finish(struct test_run *run,
		       const struct scenario_def *const *defs, size_t n,
		       const struct test_extra *x,
		       const struct duplex_paths *paths, bool interrupted);

#endif
