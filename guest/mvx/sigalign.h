/* sigalign: asynchronous signals delivered at the same point in every
 * replica (docs/mvx.md, "Signals").  Today SIGCHLD, when the program
 * catches it (a shell's handler reaps children wherever the signal
 * lands).  The leader records each delivery as a pseudo-syscall
 * (MVX_NR_SIGNAL) numbered with the process's next syscall, and says
 * whether it came at the return of the syscall before (a call that
 * unblocked it, or one it interrupted) or somewhere in the program's
 * code between the two.  A follower's process that catches SIGCHLD stops
 * at the return of each monitored call, where it gets a signal of the
 * first kind; one of the second kind it gets just before the next
 * syscall.  Its own SIGCHLD is held until the leader's next record says
 * whether the leader's came at the same return. */
#ifndef DUPLEX_MVX_SIGALIGN_H
#define DUPLEX_MVX_SIGALIGN_H

#include "monitor.h"

#include <stdbool.h>
#include <sys/types.h>

/* Whether signal SIG, about to be delivered to process PID, is one whose
 * delivery is aligned: SIGCHLD, caught by the program. */
bool sigalign_applies(pid_t pid, int sig);

/* P, at a signal's delivery stop: is it at the return of its last
 * monitored syscall (the signal delivered as the call returns)? */
bool sigalign_at_return(const struct proc *p);

/* At the seccomp stop of P's call (p->call read): note where it returns
 * to, and whether P catches SIGCHLD from now on (rt_sigaction; an exec
 * resets it, a child inherits it). */
void sigalign_note_call(struct proc *p);

/* P, stopped at the call (or rdtsc) it has begun, gets signal SIG first
 * (0: one is on its way already): the call is not counted, skipped, and
 * made again after the handler.  0 or -1. */
int sigalign_first(struct monitor *m, struct proc *p, int sig);
/* At the exit stop of the call sigalign_first skipped: back to its
 * syscall instruction.  0 or -1. */
int sigalign_rewind(struct proc *p);

/* P's call, cut short by its SIGCHLD with RESULT (a -ERESTART* code):
 * made again after the handler (or does it return EINTR)? */
bool sigalign_restarts(const struct proc *p, int64_t result);

/* The follower's side.  Each returns 0 or -1 (a process gone meanwhile
 * is 0: its exit comes next). */

/* Whether P's monitored calls must stop at their return, for a signal
 * the leader's process may have taken there. */
static inline bool sigalign_wants_exit(const struct proc *p)
{
	return p->catches_chld;
}

/* P at the exit stop of its call (or parked there): sent the leader's
 * signal if the leader's process took it at this return, and resumed;
 * parked while the leader's next record has not come. */
int sigalign_at_exit(struct monitor *m, struct proc *p);
/* P, in its call (resumed to its exit stop): if the call waits for a
 * signal (rt_sigsuspend, pause) and the leader's came as its returned,
 * sent now, for the call to return.  0 or -1. */
int sigalign_during(struct monitor *m, struct proc *p);
/* Whether signal SIG is blocked in P (then it cannot be delivered before
 * P's next syscall as in the leader: a divergence). */
bool sigalign_blocked(const struct proc *p, int sig);
/* Role hook (role_ops.on_signal): SIG about to be delivered to P. */
int sigalign_on_signal(struct monitor *m, struct proc *p, int sig);
/* P, held at its own signal: resumed once the leader's next record has
 * come (with its signal, or without). */
int sigalign_release_held(struct monitor *m, struct proc *p);

#endif
