/* scn: the scenario being run, as run.c and the duplex:: commands
 * (scn_cmds.h) share it, and how it ends.  Private to scenario/. */
#ifndef DUPLEX_SCN_H
#define DUPLEX_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcl.h>

#include "machine/machine.h"
#include "report/report.h"
#include "file.h"
#include "where.h"

/* A console handed to Expect (duplex::console): a socket pair whose far
 * end is an Expect spawn id.  The near end gets the console's output
 * from the transcript (from TAP.SENT on) and gives back what the script
 * sends, which is typed on the console. */
struct scn_tap {
	int fd;			/* near end; -1: no tap */
	size_t sent;		/* console text forwarded up to here */
	char spawn_id[32];
};

struct scn {
	const struct scenario_def *def;
	const struct duplex_paths *paths;
	struct machine_profile profile;
	struct machine m;
	bool have_machine;
	struct scenario_result *res;
	Tcl_Interp *interp;
	struct where where;	/* the line of an error in the body */
	unsigned booted;	/* partitions booted by duplex::boot */
	unsigned replicated;	/* consoles of the replicated session; 0: none */
	unsigned next_run;	/* id of the next duplex::run */
	uint32_t rep_judged;	/* repd's divergences (window counters)
				 * that a duplex::run judged, or that came
				 * before the session */
	int64_t deadline_ms;	/* the scenario's (now_ms) */
	bool fatal;		/* res->reason says why the scenario ended */
	bool host_error;	/* ... and it was the host's problem */
	Tcl_TimerToken timer;
	struct scn_tap tap[DUPLEX_MAX_PARTITIONS];
};

/* End the scenario: record REASON (printf-style) with partition K's last
 * lines (K < 0: none) as its excerpt, cancel the script and close the
 * taps.  Returns TCL_ERROR for the command to return. */
int scn_fatal(struct scn *s, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A failed drive_expect X while waiting for WHAT (words, not a regular
 * expression) on partition K: end the scenario with the reason, and with
 * CAUSE, the likely cause, when the wait ran out.  Returns TCL_ERROR. */
int scn_wait_failed(struct scn *s, unsigned k, const char *what,
		    const char *cause, const struct drive_wait *x);
/* A drive_wait for a command's wait of at most TIMEOUT_MS, cut to the
 * scenario's deadline, with its idle limit. */
struct drive_wait scn_wait(const struct scn *s, int timeout_ms);
/* repd's divergence count over the replicated session's partitions,
 * from the window's counters, which a program's output cannot move
 * (a printed "rep: divergence" is output, not a verdict). */
uint32_t scn_rep_divergences(const struct scn *s);
/* Serve the machine until repd's compared-line counters stand still (its
 * reports on what was just run are in), at most REP_SETTLE_MAX_MS.
 * TCL_OK, or TCL_ERROR when the scenario ended meanwhile. */
int scn_rep_settle(struct scn *s);
/* Forward console output to the taps and type what the script sent. */
void scn_service_taps(struct scn *s);

/* End the scenario for machine event EV on partition K (a signal, a
 * kernel failure, a domain that ended, a hang).  Returns TCL_ERROR. */
int scn_event_fatal(struct scn *s, enum machine_event ev, unsigned k);
/* Close every console handed to Expect: a plain `expect` on one sees its
 * end at once. */
void scn_close_taps(struct scn *s);

#endif
