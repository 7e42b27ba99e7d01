/* compare: a follower's record of a syscall against the leader's, and the
 * divergence report when they differ: which syscall, its arguments, what
 * differs (an argument, the result, a buffer at a byte offset) with both
 * values, the process and the replica (common/mvx_div.h, the record that
 * also goes to the host). */
#ifndef DUPLEX_MVX_COMPARE_H
#define DUPLEX_MVX_COMPARE_H

#include <stdio.h>
#include <sys/types.h>

#include "mvx_div.h"
#include "record.h"

/* Compare the parts of MINE and THEIRS known at the syscall's entry (nr,
 * kind, fd class, the first NARGS arguments, the IN buffers; with
 * AT_EXIT, the result and the OUT buffers instead).  0 if the same, else
 * 1 with what differs in *D (what, arg, values; compare_finish() adds
 * the rest). */
int compare_entry(const struct record *mine, const struct record *theirs,
		  unsigned nargs, struct mvx_div *d);
int compare_exit(const struct record *mine, const struct record *theirs,
		 struct mvx_div *d);

/* Scalars that differ: *D says WHAT differs, LEADER against MINE. */
void compare_set(struct mvx_div *d, enum mvx_div_what what, uint64_t leader,
		 uint64_t mine);

/* Complete *D with who found it: replica REPLICA, the process of PID,
 * its call MINE (NULL: the program's end, no call). */
void compare_finish(struct mvx_div *d, unsigned replica, pid_t pid,
		    const struct record *mine);

#endif
