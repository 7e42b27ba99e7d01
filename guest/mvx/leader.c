/* leader: loose lockstep by default — the leader never waits for its
 * followers except when a transport is full; strict (m->strict), each
 * syscall waits until every follower has checked it.  A record is sent
 * at the syscall's entry when nothing it returns matters (COMPARE,
 * REFUSE), else at its exit stop with the result and the bytes copied
 * out.  A follower that is gone is dropped with a message; the leader's
 * program goes on while one follower is left, and is stopped when none
 * is (the run's verdict is then LOST). */
#define _GNU_SOURCE	/* CLONE_VFORK */
#include "leader.h"
#include "followers.h"
#include "sigalign.h"
#include "sock.h"
#include "tsc.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* An input's length, cut so that its bytes fit one record. */
static int clamp(struct proc *p)
{
	const struct pol_entry *e = p->pol;

	if (!e->clamp || p->call.args[e->clamp_arg] <= e->clamp)
		return 0;
	return tracee_set_call_arg(p->pid, (unsigned)e->clamp_arg, e->clamp);
}

/* P's interrupted call returned -EINTR: that is its result.  Not waited
 * for even in strict lockstep: P is at its next syscall (or signal)
 * already, which is. */
static int leader_on_eintr(struct monitor *m, struct proc *p)
{
	p->mine.call.result = -EINTR;
	followers_broadcast(m, &p->mine);
	return 0;
}

/* Tell the followers that P takes signal SIG before its syscall SEQ:
 * as its syscall before returned (AT_RETURN), or at SEQ's entry. */
static void record_signal(struct monitor *m, const struct proc *p, int sig,
			  uint32_t seq, bool at_return)
{
	struct tracee_call c = { .nr = MVX_NR_SIGNAL,
				 .args = { (uint64_t)sig, at_return } };
	struct record r;

	record_init(&r);
	record_start(&r, p->vid, seq, &c, MVX_COMPARE, MVX_FD_NONE);
	followers_broadcast(m, &r);
	record_free(&r);
}

/* SIG cuts P's call short.  Made again after the handler, the call has
 * not happened yet: the followers take the signal before theirs (a fork
 * the kernel aborted for it forks after the handler, everywhere).
 * Returning EINTR: so do the followers', the signal taken as it
 * returns.  The signal to deliver, or -1. */
static int interrupting_signal(struct monitor *m, struct proc *p, int sig)
{
	int64_t result;

	p->interrupted = 0;
	if (tracee_result(p->pid, &result))
		return errno == ESRCH ? 0 : -1;
	if (sigalign_restarts(p, result)) {
		p->seq = p->mine.call.seq;
		m->calls--;
		record_signal(m, p, sig, p->seq, false);
		return sig;
	}
	leader_on_eintr(m, p);
	record_signal(m, p, sig, p->seq, true);
	return sig;
}

/* SIG about to be delivered to P: let through as a syscall returns
 * (the followers' are sent there too); anywhere else, a point in the
 * program's code no follower could find, deferred to P's next syscall
 * (sigalign.h).  The signal to deliver, or 0. */
static int leader_on_signal(struct monitor *m, struct proc *p, int sig)
{
	if (!sigalign_applies(p->pid, sig))
		return sig;
	if (p->inject) {
		p->inject = 0;
		return sig;
	}
	if (p->interrupted)
		return interrupting_signal(m, p, sig);
	if (!sigalign_at_return(p)) {
		p->held_sig = (uint8_t)sig;
		return 0;
	}
	record_signal(m, p, sig, p->seq, true);
	return sig;
}

/* P, at the entry of its syscall (or rdtsc) with a signal deferred: the
 * signal first, the followers told. */
static int deferred_signal(struct monitor *m, struct proc *p)
{
	int sig = p->held_sig;

	p->held_sig = 0;
	record_signal(m, p, sig, p->mine.call.seq, false);
	return sigalign_first(m, p, sig);
}

/* fork, and clone but a vfork's (its parent returns only once the
 * child has execed or ended): told at their exit, once the kernel has
 * forked or cut the call short for a signal (interrupting_signal()). */
static bool forks(const struct tracee_call *c)
{
	return c->nr == SYS_fork ||
	       (c->nr == SYS_clone && !(c->args[0] & CLONE_VFORK));
}

/* The clocks every process of this kernel reads alike, the monitor too
 * (not a process's or a thread's CPU time). */
static bool system_clock(uint64_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC ||
	       id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE ||
	       id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME ||
	       id == CLOCK_TAI;
}

/* P's clock_gettime of a system clock, answered by the monitor at its
 * seccomp stop: the clock read here (the vDSO), written where P asked
 * (-EFAULT if it cannot be, as the kernel's copy), the call skipped with
 * that result.  One ptrace stop, not two; the record the same as the
 * exit stop's.  Not for a process that catches SIGCHLD, whose signal may
 * be due at the call's return (sigalign.h).  1 if not such a call. */
static int answer_clock(struct monitor *m, struct proc *p)
{
	struct timespec ts;
	int64_t result;

	if (p->call.nr != SYS_clock_gettime || p->catches_chld ||
	    !system_clock(p->call.args[0]) ||
	    clock_gettime((clockid_t)p->call.args[0], &ts))
		return 1;
	result = tracee_write(p->pid, p->call.args[1], &ts, sizeof(ts)) ?
		 -EFAULT : 0;
	if (tracee_skip_with(p->pid, &p->regs, result))
		return errno == ESRCH ? 0 : -1;
	p->mine.call.result = result;
	if (record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_OUT, result))
		return -1;
	followers_broadcast(m, &p->mine);
	return followers_then(m, p);
}

static int leader_on_call(struct monitor *m, struct proc *p)
{
	enum mvx_kind kind;
	int r = monitor_begin_call(m, p, &kind);

	if (r)
		return r < 0 ? -1 : 0;
	if (p->held_sig)
		return deferred_signal(m, p);
	switch (kind) {
	case MVX_COMPARE:
		if (forks(&p->call))
			return monitor_resume(p, true);
		followers_broadcast(m, &p->mine);
		return followers_then(m, p);
	case MVX_REFUSE:
		followers_broadcast(m, &p->mine);
		return tracee_skip(p->pid) ? -1 : followers_then(m, p);
	case MVX_INPUT:
		r = answer_clock(m, p);
		if (r <= 0)
			return r;
		if (clamp(p))
			return -1;
		return monitor_resume(p, true);
	default:
		return monitor_resume(p, true);
	}
}

static int leader_on_exit_stop(struct monitor *m, struct proc *p)
{
	uint8_t kind = p->mine.call.kind;
	int64_t result = p->result;

	if (p->rewind)
		return sigalign_rewind(p);
	p->mine.call.result = result;
	/* From a client outside the program: the followers' accept is
	 * given a stand-in (sock.h). */
	if ((p->call.nr == SYS_accept || p->call.nr == SYS_accept4) &&
	    result >= 0 && sock_accepted_outside(&m->procs, p->pid, result))
		p->mine.call.fdclass = MVX_FD_EXTERNAL;
	if ((kind == MVX_INPUT || kind == MVX_OUTPUT) &&
	    record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_OUT, result))
		return -1;
	followers_broadcast(m, &p->mine);
	if (forks(&p->call) && monitor_release_children(m, p))
		return -1;
	return followers_then(m, p);
}

static int leader_on_tsc(struct monitor *m, struct proc *p)
{
	uint32_t aux;
	uint64_t tsc;

	monitor_begin_tsc(m, p, p->tsc_len);
	if (p->held_sig)
		return deferred_signal(m, p);
	tsc = tsc_read(p->tsc_len, &aux);
	if (tsc_apply(p->pid, p->tsc_len, tsc, aux))
		return errno == ESRCH ? 0 : -1;
	p->mine.call.result = (int64_t)tsc;
	p->mine.call.args[1] = aux;
	followers_broadcast(m, &p->mine);
	return followers_then(m, p);
}

/* A process's end, for the followers (follower.c: a signal from outside
 * is mirrored). */
static void leader_on_gone(struct monitor *m, const struct proc *p, int st)
{
	struct tracee_call c = { .nr = MVX_NR_GONE };
	struct record r;

	record_init(&r);
	record_start(&r, p->vid, p->seq, &c, MVX_COMPARE, MVX_FD_NONE);
	r.call.result = st;
	followers_broadcast(m, &r);
	record_free(&r);
}

static void leader_finish(struct monitor *m)
{
	if (!m->end.how && m->root_done)
		monitor_end_of_status(&m->end, m->root_status);
	monitor_end(m, MVX_END_ERROR, 0);
	followers_finish(m);
}

/* Between stops: take what the followers sent (ACKs, an early END) and
 * see whether they are still there; with none left, stop the program. */
static int leader_idle(struct monitor *m, int timeout_ms)
{
	(void)timeout_ms;
	if (followers_wait(m))
		return -1;
	if (followers_lost(m)) {
		fprintf(stderr, "mvx: no follower left: the leader's program "
			"is stopped\n");
		monitor_kill(m);
	}
	return 0;
}

const struct role_ops leader_ops = {
	.on_call = leader_on_call,
	.on_exit_stop = leader_on_exit_stop,
	.on_tsc = leader_on_tsc,
	.on_eintr = leader_on_eintr,
	.on_signal = leader_on_signal,
	.on_gone = leader_on_gone,
	.idle = leader_idle,
	.finish = leader_finish,
	.hold_children = true,
};
