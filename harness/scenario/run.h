/* run: one scenario, run on a machine of its own in a Tcl
 * interpreter with Expect and the duplex:: commands (docs/scenarios.md).
 *
 * The scenario's file is evaluated again (its procs and variables), with
 * `scenario` running the body of this scenario only.  While anything in
 * the scenario waits (a duplex:: command, or a plain `expect`), every
 * console is drained into its transcript and watched: a kernel failure,
 * a partition that ends, no output on any console for the idle limit,
 * the scenario's deadline or a signal ends the scenario with that reason
 * (the script is cancelled, not left to catch it), and the machine is
 * torn down. */
#ifndef DUPLEX_SCENARIO_RUN_H
#define DUPLEX_SCENARIO_RUN_H

#include "base/base.h"
#include "report/report.h"
#include "file.h"

/* Start R as the result of D in directory SLUG of the run: its name,
 * file, line and slug, no case yet. */
void scenario_result_init(struct scenario_result *r,
			  const struct scenario_def *d, const char *slug);

/* Run D with its transcripts and harness log in DIR; fill R (which the
 * caller frees).  OUTCOME_PASSED (every case passed), OUTCOME_FAILED,
 * or OUTCOME_NOT_RUN when the scenario could not be run at all (no
 * machine: the host's problem, not the guest's; R says why). */
enum outcome scenario_run(const struct scenario_def *d, const struct duplex_paths *paths,
		 const char *dir, struct scenario_result *r);

#endif
