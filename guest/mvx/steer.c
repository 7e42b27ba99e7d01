/* steer: a read of a pipe or socket returns what is there, so the
 * follower's may get less or more than the leader's did.  It is asked for
 * the leader's count and restarted (the syscall instruction again) until
 * it has it or hits the end, then compared as one read.  Non-blocking,
 * it is restarted while it finds nothing (EAGAIN), and when the leader's
 * found nothing, it is not run and finds nothing either.  A wait4(-1)
 * reaps whichever child ended first: the follower's waits for the pid
 * the leader's reaped — the same pid, every replica having its own pid
 * namespace — and blocks for it even with WNOHANG; a WNOHANG wait4 that
 * found no child ended in the leader is not run in the follower and
 * finds none either (a SIGCHLD handler's, as bash's, run when the
 * signal arrives: the child may have ended in one replica only). */
#include "steer.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* A read of what happens to be there: read or recvfrom (the same
 * arguments 0..2) of the program's own pipe or socket. */
static bool steerable_read(const struct proc *p)
{
	return (p->call.nr == SYS_read || p->call.nr == SYS_recvfrom) &&
	       p->mine.call.kind == MVX_OUTPUT &&
	       p->mine.call.fdclass == MVX_FD_ANON;
}

int steer_read(struct proc *p)
{
	if (!steerable_read(p))
		return 0;
	/* Non-blocking, the leader's found nothing yet: so does this one
	 * (what is there stays for the next read). */
	if (p->theirs->call.result == -EAGAIN) {
		p->not_run = 1;
		return tracee_skip(p->pid);
	}
	if (p->theirs->call.result <= 0)
		return 0;
	p->refill = 1;
	p->got = 0;
	p->want = (uint64_t)p->theirs->call.result;
	if (p->want >= p->call.args[2]) {
		p->want = p->call.args[2];
		return 0;	/* the count it asks for already */
	}
	return tracee_set_call_arg(p->pid, 2, p->want);
}

int steer_eintr(struct proc *p)
{
	if (p->mine.call.kind != MVX_OUTPUT || p->theirs->call.result != -EINTR)
		return 0;
	p->not_run = 1;
	return tracee_skip(p->pid) ? -1 : 1;
}

int steer_not_run_done(struct proc *p, const struct record *theirs,
		       int64_t *result)
{
	if (!p->not_run)
		return 0;
	p->not_run = 0;
	*result = theirs->call.result;
	return tracee_set_result(p->pid, *result);
}

int steer_read_step(struct proc *p, int64_t *result)
{
	/* Non-blocking, and the leader's had found bytes: try again (the
	 * writer, this replica's, is behind). */
	bool again = *result == -EAGAIN && p->got < p->want;

	if (again)
		sched_yield();
	if (again || (*result > 0 && p->got + (uint64_t)*result < p->want)) {
		if (*result > 0)
			p->got += (uint64_t)*result;
		return tracee_reread(p->pid, &p->regs, p->call.args[1] +
				     p->got, p->want - p->got) ? -1 : 1;
	}
	p->refill = 0;
	/* Done in one go: only the count asked for may differ from the
	 * program's (one register, not the three). */
	if (!p->got)
		return p->want == p->call.args[2] ? 0 :
		       tracee_set_call_arg(p->pid, 2, p->call.args[2]);
	*result = (int64_t)p->got + (*result > 0 ? *result : 0);
	return tracee_reread_done(p->pid, &p->regs, *result) ? -1 : 0;
}

int steer_wait(struct proc *p)
{
	int64_t pid = p->theirs->call.result;
	uint64_t opts = p->call.args[2];

	if (p->call.nr != SYS_wait4)
		return 0;
	/* WNOHANG, and the leader's found no child ended: neither does
	 * this one (a child that has is reaped by a later wait). */
	if (pid == 0 && (opts & WNOHANG)) {
		p->not_run = 1;
		return tracee_skip(p->pid);
	}
	if (pid <= 0 || ((int32_t)p->call.args[0] > 0 && !(opts & WNOHANG)))
		return 0;
	/* The child the leader's reaped, waited for (even with WNOHANG:
	 * this replica's may not have ended yet). */
	p->steered = 1;
	return steer_again(p);
}

int steer_again(struct proc *p)
{
	if (p->steered)
		return tracee_set_call_arg(p->pid, 0,
					   (uint64_t)p->theirs->call.result) ||
		       tracee_set_call_arg(p->pid, 2,
					   p->call.args[2] & ~(uint64_t)WNOHANG);
	if (p->refill)
		return tracee_set_call_arg(p->pid, 1, p->call.args[1] + p->got) ||
		       tracee_set_call_arg(p->pid, 2, p->want - p->got);
	return 0;
}

int steer_wait_done(struct proc *p)
{
	if (!p->steered)
		return 0;
	p->steered = 0;
	return tracee_set_call_arg(p->pid, 0, p->call.args[0]) ||
	       tracee_set_call_arg(p->pid, 2, p->call.args[2]);
}
