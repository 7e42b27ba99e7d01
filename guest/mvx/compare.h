/* compare: a follower's record of a syscall against the leader's, and the
 * divergence report when they differ: which syscall, its arguments, what
 * differs (an argument, the result, a buffer at a byte offset) with both
 * values in hex, the process and the replica. */
#ifndef DUPLEX_MVX_COMPARE_H
#define DUPLEX_MVX_COMPARE_H

#include <stdio.h>
#include <sys/types.h>

#include "record.h"

struct divergence {
	char what[160];		/* e.g. "buffer 0 (arg 1, in) at byte 5" */
	char leader[64];	/* the leader's value, hex */
	char mine[64];		/* this replica's */
};

/* Compare the parts of MINE and THEIRS known at the syscall's entry (nr,
 * kind, fd class, the first NARGS arguments, the IN buffers; with
 * AT_EXIT, the result and the OUT buffers instead).  0 if the same, else
 * 1 with *D filled. */
int compare_entry(const struct record *mine, const struct record *theirs,
		  unsigned nargs, struct divergence *d);
int compare_exit(const struct record *mine, const struct record *theirs,
		 struct divergence *d);

/* Print the report of D in replica REPLICA, process of PID, about the
 * call of MINE, to OUT. */
void compare_report(FILE *out, unsigned replica, pid_t pid,
		    const struct record *mine, const struct divergence *d);

#endif
