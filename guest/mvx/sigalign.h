/* sigalign: asynchronous signals delivered before the same syscall in
 * every replica, at the same instruction when both kernels raise it
 * there (docs/mvx.md).  Today SIGCHLD, when the program catches it (a
 * shell's handler reaps children wherever the signal lands).  The
 * leader records each delivery as a pseudo-syscall (MVX_NR_SIGNAL)
 * numbered with the process's next syscall; a follower holds its own
 * SIGCHLD until the leader's next record says whether the leader's
 * landed at the same point, and otherwise sends its process one where
 * the leader's got it: before that syscall. */
#ifndef DUPLEX_MVX_SIGALIGN_H
#define DUPLEX_MVX_SIGALIGN_H

#include "monitor.h"

#include <stdbool.h>
#include <sys/types.h>

/* Whether signal SIG, about to be delivered to process PID, is one whose
 * delivery is aligned: SIGCHLD, caught by the program. */
bool sigalign_applies(pid_t pid, int sig);

/* The follower's side.  Each returns 0 or -1 (a process gone meanwhile
 * is 0: its exit comes next). */

/* P, between two syscalls, is due the leader's signal before its next
 * one (the first record of P's vid): sent now. */
int sigalign_due(struct monitor *m, struct proc *p);
/* P, stopped at the call (or rdtsc) it has begun, gets the signal of
 * the leader's record R first (R NULL: one is on its way already): the
 * call is not counted, skipped, and made again after the handler. */
int sigalign_first(struct monitor *m, struct proc *p, struct record *r);
/* At the exit stop of the call sigalign_first skipped: back to its
 * syscall instruction. */
int sigalign_rewind(struct proc *p);
/* Role hook (role_ops.on_signal): SIG about to be delivered to P. */
int sigalign_on_signal(struct monitor *m, struct proc *p, int sig);
/* P, held at its own signal: resumed once the leader's next record has
 * come (with its signal, or without). */
int sigalign_release_held(struct monitor *m, struct proc *p);

#endif
