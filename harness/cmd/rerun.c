/* rerun: `duplex test --rerun-failed N`: a scenario that fails runs again,
 * up to N times, each time on a fresh machine in a process of its own; the
 * directory of each failed attempt is kept beside the last one's as
 * <slug>.tryK/.  One that passes on a rerun is FLAKY: it fails the run
 * unless --allow-flaky, since a test that fails now and then is a bug of
 * the kernel, the guest or the test, not a pass. */
#define _GNU_SOURCE
#include "cmd.h"
#include "test_extra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *try_dir(const char *dir, unsigned try)
{
	return xasprintf("%s.try%u", dir, try);
}

bool rerun_prepare(const struct scenario_result *res, int status,
		   const char *dir, unsigned tries, const struct test_extra *x)
{
	char *kept, *why;
	bool again;

	if (res->verdict != VERDICT_FAIL || status != EXIT_FAILED ||
	    tries >= x->reruns)
		return false;
	kept = try_dir(dir, tries + 1);
	why = scenario_failure(res);
	again = rename(dir, kept) == 0;
	if (again)
		printf("[rerun] %s failed (%s): attempt %u of %u, on a fresh machine (attempt %u kept in %s/)\n",
		       res->slug, why, tries + 2, x->reruns + 1, tries + 1,
		       kept);
	else
		log_error("cannot keep attempt %u of scenario '%s' (rename %s to %s: %m): it is not run again",
			  tries + 1, res->name, dir, kept);
	fflush(stdout);
	free(why);
	free(kept);
	return again;
}

void rerun_restore(const char *dir, unsigned try)
{
	char *kept = try_dir(dir, try);

	/* The new attempt's directory may have been made already. */
	remove_tree(dir);
	if (rename(kept, dir) < 0)
		log_error("cannot move %s back to %s: %m", kept, dir);
	free(kept);
}

void rerun_conclude(struct scenario_result *res, unsigned tries)
{
	res->attempts = tries + 1;
	if (res->verdict == VERDICT_PASS && tries)
		res->mark = MARK_FLAKY;
}

bool rerun_fails_run(const struct scenario_result *res,
		     const struct test_extra *x)
{
	if (res->verdict == VERDICT_FAIL)
		return true;
	return res->verdict == VERDICT_PASS && res->attempts > 1 &&
	       !x->allow_flaky;
}
