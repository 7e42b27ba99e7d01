/* e2e: what the end-to-end tests in C share: TAP verdicts and typing
 * commands on a partition's console. */
#ifndef DUPLEX_E2E_H
#define DUPLEX_E2E_H

#include <stdbool.h>

#include "machine/machine.h"
#include "machine/machine.h"

#define E2E_WAIT_MS 60000

/* Print "ok N - NAME" or "not ok N - NAME"; returns OK. */
bool e2e_verdict(bool ok, const char *name);
/* Print the plan and return the exit status: 0 when nothing failed. */
int e2e_done(void);

/* Type CMD on partition K's console and wait for RE in its output, at
 * most E2E_WAIT_MS.  Write RE so that it cannot match the echo of CMD. */
bool e2e_run_on(struct machine *m, unsigned k, const char *cmd, const char *re);

/* Type `repboot K` on serial0 and wait until partition K's shell is up;
 * records the verdict. */
bool e2e_boot_by_repboot(struct machine *m, unsigned k);

/* Partition 0 started and at its shell, then partition 1 booted from it
 * by repboot: the two-partition machine the benchmarks time on. */
bool e2e_boot_pair(struct machine *m);

/* Does libvirt still know a domain called NAME? */
bool e2e_domain_exists(const char *name);

/* A test's whole main: set up paths, the profile NAME and the signal
 * watch, create the machine, RUN it, destroy it, print the plan.  Returns
 * the exit status. */
/* Load profile NAME, bring its initramfs images up to date and create a
 * machine of it (PROFILE must outlive M).  0 or -1 (reported). */
int e2e_machine_create(struct machine *m, const struct duplex_paths *paths,
		       const char *name, struct machine_profile *profile);

int e2e_main(const char *argv0, const char *name, void (*run)(struct machine *m));

#endif
