/* steer: what a follower absorbs instead of reporting — results that
 * differ by scheduling alone, not by what the kernels gave: how much a
 * read of a pipe or socket finds there, which child a wait4(-1) reaps.
 * The follower's call is steered to the leader's outcome, then compared. */
#ifndef DUPLEX_MVX_STEER_H
#define DUPLEX_MVX_STEER_H

#include "proc.h"

/* At P's seccomp stop, p->theirs the leader's record: steer a read of a
 * pipe or socket (read, recvfrom) to the leader's count (or, non-blocking,
 * to its EAGAIN), a wait4(-1) or WNOHANG to the child the leader's
 * reaped (or to its 0: none yet).  0 (steered or nothing to steer) or -1. */
int steer_read(struct proc *p);
int steer_wait(struct proc *p);
/* At P's seccomp stop: the leader's call, a signal cut short, returned
 * EINTR; this one is not run and returns the same (steer_not_run_done).
 * 1 if so, 0 if not, -1 on error. */
int steer_eintr(struct proc *p);

/* At an exit stop of a steered read, *RESULT its result: 1 if it has been
 * restarted for the rest, 0 once done (*RESULT the whole read's, the
 * registers as if it had been one call), -1 on error. */
int steer_read_step(struct proc *p, int64_t *result);

/* At the exit stop of a call not run because the leader's found nothing
 * (a non-blocking read's EAGAIN, a WNOHANG wait4's 0): THEIRS's result,
 * in *RESULT too.  0 or -1. */
int steer_not_run_done(struct proc *p, const struct record *theirs,
		       int64_t *result);

/* At the exit stop of P's syscall: put back what steer_wait() changed.
 * 0 or -1. */
int steer_wait_done(struct proc *p);

/* P's steered call, interrupted by a signal, is being made again (by the
 * kernel's restart, or by the program after EINTR, with its own
 * arguments): steer it again.  0 or -1. */
int steer_again(struct proc *p);

#endif
