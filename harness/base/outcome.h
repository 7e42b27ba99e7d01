/* outcome: how a boot, a scenario or a check ended, as the layers below
 * the command line report it.  "Could not run" is kept apart from "ran
 * and failed" so that CI can tell a broken host from a broken kernel;
 * cmd/ turns an outcome into the process's exit code. */
#ifndef DUPLEX_OUTCOME_H
#define DUPLEX_OUTCOME_H

enum outcome {
	OUTCOME_PASSED,		/* everything ran and passed */
	OUTCOME_FAILED,		/* a test or check ran and failed (the guest's) */
	OUTCOME_NOT_RUN,	/* configuration, host, build or boot problem */
};

#endif
