/* drive: using a running machine the way a person at its consoles does —
 * typing, waiting for text on a console while serving the machine (boot
 * requests, every console's transcript), booting partitions, the
 * secondaries by typing `repboot K` on serial0.
 *
 * Boot functions return an exit status of cli.h (EXIT_OK; EXIT_FAILED
 * when a partition ended, showed a kernel failure or hung; EXIT_ERROR
 * when the machine could not be made to boot), or -1 when a signal
 * interrupted them (sigwatch_pending()).  Every failure is reported
 * once. */
#ifndef DUPLEX_DRIVE_H
#define DUPLEX_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "machine.h"

/* Called when partition K's domain has started (for its pty), may be
 * NULL. */
typedef void (*drive_started_fn)(const struct machine *m, unsigned k);

/* How to wait in drive_expect(), and what ended the wait. */
struct drive_wait {
	int timeout_ms;
	int idle_ms;		/* > 0: also end when no console printed
				 * anything for this long (ev TIMEOUT, idle) */
	int lost;		/* a partition whose end is expected, -1: none */
	unsigned started;	/* out: bit P for each partition started meanwhile */
	enum machine_event ev;	/* out: what ended a failed wait (TIMEOUT:
				 * the deadline) ... */
	unsigned which;		/* ... and its partition */
	bool idle;		/* out: the TIMEOUT was idle_ms of silence */
	size_t start, end;	/* out: the match, offsets in the matcher */
};

/* Serve the machine until RE matches after partition K's console cursor,
 * at most X->timeout_ms.  Any event but a partition started or partition
 * X->lost ending ends the wait: false (not reported: see
 * drive_report_event). */
bool drive_expect(struct machine *m, unsigned k, const char *re,
		  struct drive_wait *x);

/* Report EV on partition K (a signal, a domain that ended, a kernel
 * failure, a partition that hangs, with the console's last lines); the
 * exit status it means. */
int drive_report_event(struct machine *m, enum machine_event ev, unsigned k);

/* Start partition 0 and wait for its shell. */
int drive_boot_primary(struct machine *m, drive_started_fn started);
/* Type `repboot K` on serial0; serve the machine until partition K's
 * shell is ready and K is UP in the window. */
int drive_boot_secondary(struct machine *m, unsigned k,
			 drive_started_fn started);

#endif
