/* follower: the leader's records arrive in the leader's order, which
 * interleaves its processes as its kernel scheduled them; they are queued
 * (inbox.h) and each process takes the first one of its vid.  A process
 * whose record has not come yet stays stopped (parked) while the monitor
 * goes on with the others and with the transport. */
#include "follower.h"
#include "inbox.h"
#include "sigalign.h"
#include "sock.h"
#include "steer.h"
#include "tsc.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Tell the leader P's syscall is checked: each one in strict lockstep,
 * every FOLLOWER_PROGRESS-th in loose (so that a leader that is done can
 * tell a follower behind from a hung one).  A failure is the leader
 * gone, which the transport says next. */
static void ack(struct monitor *m, const struct proc *p)
{
	if (m->strict || ++m->checked % FOLLOWER_PROGRESS == 0)
		record_send_ack(&m->peers[0], p->mine.call.vid,
				p->mine.call.seq);
}

unsigned follower_keep_going;

/* Count one more divergence, the first one's syscall NR kept. */
static void count_divergence(struct monitor *m, int nr)
{
	if (!m->diverged++)
		m->first_diverged = nr;
}

/* Report D, found in this replica (P: in its process; NULL: at the
 * program's end): on stderr, and to whoever watches (the window). */
static void report(struct monitor *m, struct proc *p, struct mvx_div *d)
{
	char text[MVX_DIV_TEXT];

	compare_finish(d, m->replica, p ? p->pid : 0, p ? &p->mine : NULL);
	fputs(mvx_div_format(d, text, sizeof(text)), stderr);
	if (m->on_divergence)
		m->on_divergence(m->div_ctx, d);
}

/* Report D.  0: go on (--continue, below its cap, and the two programs
 * still make the same syscall: GO_ON).  -1: the run ends here. */
static int diverge(struct monitor *m, struct proc *p, struct mvx_div *d,
		   bool go_on)
{
	report(m, p, d);
	count_divergence(m, p->mine.call.nr);
	if (go_on && m->diverged < follower_keep_going)
		return 0;
	if (follower_keep_going)
		fprintf(stderr, "mvx: replica %u stops after %u divergence(s)%s\n",
			m->replica, m->diverged, go_on ? " (the cap)" :
			": its program no longer makes the leader's syscalls");
	monitor_end(m, MVX_END_DIVERGED, m->first_diverged);
	return -1;
}

/* The leader will send no more and its end says nothing to compare with:
 * gone, killed (SIGKILL: no follower can reach that point by itself), or
 * failed. */
static bool leader_lost(const struct monitor *m)
{
	return m->leader_gone || m->leader_end.how == MVX_END_ERROR ||
	       (m->leader_end.how == MVX_END_SIGNALED &&
		m->leader_end.code == SIGKILL);
}

static int stop_for_leader(struct monitor *m)
{
	fprintf(stderr, "mvx: replica %u stops: the leader's replica %s\n",
		m->replica, m->leader_gone ? "is gone" :
		m->leader_end.how == MVX_END_ERROR ? "failed" :
		"was killed (SIGKILL)");
	monitor_end(m, MVX_END_STOPPED, 0);
	return -1;
}

/* P needs a record and the leader will send no more. */
static int leader_over(struct monitor *m, struct proc *p)
{
	struct mvx_div d;

	if (leader_lost(m))
		return stop_for_leader(m);
	compare_set(&d, MVX_DIV_EXTRA, MVX_DIV_PROGRAM_ENDED, 0);
	return diverge(m, p, &d, false);
}

/* After a divergence at its entry, P's call and the leader's THEIRS are
 * still the same syscall, taken the same way: --continue can go on.  Not
 * an input: the leader's bytes would not fit arguments that differ. */
static bool aligned(const struct proc *p, const struct record *theirs)
{
	return theirs->call.nr == p->mine.call.nr &&
	       theirs->call.kind == p->mine.call.kind &&
	       theirs->call.kind != MVX_INPUT;
}

/* The leader's accept got a connection from outside the program: this
 * one's gets a stand-in (sock.h), and the socket it returns leads
 * outside here too.  0 or -1. */
static int accept_outside(struct proc *p, const struct record *theirs)
{
	if ((theirs->call.nr != SYS_accept && theirs->call.nr != SYS_accept4) ||
	    theirs->call.nr != p->mine.call.nr ||
	    theirs->call.fdclass != MVX_FD_EXTERNAL ||
	    p->mine.call.fdclass != MVX_FD_ANON)
		return 0;
	p->mine.call.fdclass = MVX_FD_EXTERNAL;
	p->outside = 1;
	return sock_standin(p->pid, (long)p->call.args[0]);
}

/* P's input or external call, which this replica does not run: the
 * leader's bytes and result given at its seccomp stop, the call skipped
 * there, with no exit stop (one ptrace stop, not two).  Not for a
 * process whose signal may be due as the call returns: that needs the
 * exit stop (sigalign.h). */
static int take_at_entry(struct proc *p, struct record *theirs)
{
	int err = 0;

	if (p->mine.call.kind == MVX_INPUT &&
	    record_apply_out(theirs, p->pid, p->pol, p->call.args))
		err = -1;
	else if (tracee_skip_with(p->pid, &p->regs, theirs->call.result))
		err = -1;
	inbox_drop(theirs);
	/* Killed meanwhile: its exit comes next. */
	if (err)
		return errno == ESRCH ? 0 : -1;
	return monitor_resume(p, false);
}

static int start_call(struct monitor *m, struct proc *p, struct record *theirs)
{
	uint8_t kind = p->mine.call.kind;
	struct mvx_div d;
	int r;

	if (theirs->call.seq != p->mine.call.seq) {
		compare_set(&d, MVX_DIV_SEQ, theirs->call.seq,
			    p->mine.call.seq);
		inbox_drop(theirs);
		return diverge(m, p, &d, false);
	}
	if (accept_outside(p, theirs)) {
		inbox_drop(theirs);
		return -1;
	}
	if (compare_entry(&p->mine, theirs, p->pol->nargs, &d) &&
	    diverge(m, p, &d, aligned(p, theirs))) {
		inbox_drop(theirs);
		return -1;
	}
	if (kind != MVX_OUTPUT)
		ack(m, p);
	if (p->call.nr == MVX_NR_TSC) {
		uint64_t tsc = (uint64_t)theirs->call.result;
		uint32_t aux = (uint32_t)theirs->call.args[1];

		inbox_drop(theirs);
		if (tsc_apply(p->pid, p->tsc_len, tsc, aux))
			return -1;
		return monitor_resume(p, false);
	}
	if (kind == MVX_COMPARE || kind == MVX_REFUSE) {
		inbox_drop(theirs);
		if (kind == MVX_REFUSE && tracee_skip(p->pid))
			return -1;
		p->sig_exit = sigalign_wants_exit(p);
		if (monitor_resume(p, p->sig_exit))
			return -1;
		return p->sig_exit ? sigalign_during(m, p) : 0;
	}
	if ((kind == MVX_INPUT || kind == MVX_EXTERNAL) &&
	    !sigalign_wants_exit(p))
		return take_at_entry(p, theirs);
	p->theirs = theirs;
	if ((kind == MVX_INPUT || kind == MVX_EXTERNAL) && tracee_skip(p->pid))
		return -1;
	r = steer_eintr(p);
	if (r < 0 || (!r && (steer_read(p) || steer_wait(p))))
		return -1;
	return monitor_resume(p, true);
}

/* Signals that a process gets from outside, at a moment no replica
 * controls: the leader's process may die of one before a syscall that
 * the follower's, not hit yet, makes.  The fault signals are the
 * program's own doing, and so a divergence. */
static bool from_outside(int sig)
{
	return sig != SIGSEGV && sig != SIGBUS && sig != SIGILL &&
	       sig != SIGFPE && sig != SIGTRAP && sig != SIGSYS &&
	       sig != SIGABRT;
}

/* P stopped at a syscall that the leader's process never made: it ended
 * first, with wait status ST.  Killed from outside (SIGPIPE from a
 * reader gone, a kill): P dies the same way instead of making it.
 * Otherwise a divergence. */
static int leader_process_gone(struct monitor *m, struct proc *p, int st)
{
	struct mvx_div d;

	if (WIFSIGNALED(st) && from_outside(WTERMSIG(st))) {
		if (kill(p->pid, WTERMSIG(st)) || tracee_skip(p->pid))
			return errno == ESRCH ? 0 : -1;
		return monitor_resume(p, false);
	}
	compare_set(&d, MVX_DIV_EXTRA, (uint32_t)st, 0);
	return diverge(m, p, &d, false);
}

/* P at the call it has begun gets the signal of the leader's record
 * THEIRS first (NULL: one sent already, not delivered yet), unless P has
 * it blocked here, where the leader's process had it not: a divergence
 * (its handler would never run, the call would be skipped forever). */
static int signal_first(struct monitor *m, struct proc *p,
			struct record *theirs)
{
	int sig = theirs ? (int)theirs->call.args[0] : SIGCHLD;
	struct mvx_div d;

	inbox_drop(theirs);
	if (!sigalign_blocked(p, sig))
		return sigalign_first(m, p, p->inject ? 0 : sig);
	p->inject = 0;
	compare_set(&d, MVX_DIV_SIGNAL, (uint64_t)sig, 0);
	return diverge(m, p, &d, false);
}

/* Give parked P its record if it has come. */
static int serve(struct monitor *m, struct proc *p)
{
	struct record *theirs = inbox_take(&m->inbox, p->vid);
	int st;

	if (!theirs)
		return m->leader_ended || m->leader_gone ? leader_over(m, p) : 0;
	if (theirs->call.nr == MVX_NR_SIGNAL)
		return signal_first(m, p, theirs);
	p->parked = 0;
	if (theirs->call.nr != MVX_NR_GONE)
		return start_call(m, p, theirs);
	st = (int)theirs->call.result;
	inbox_drop(theirs);
	return leader_process_gone(m, p, st);
}

static int follower_on_tsc(struct monitor *m, struct proc *p)
{
	monitor_begin_tsc(m, p, p->tsc_len);
	p->parked = 1;
	/* A signal sent is not delivered yet: first. */
	return p->inject ? signal_first(m, p, NULL) : serve(m, p);
}

static int follower_on_call(struct monitor *m, struct proc *p)
{
	enum mvx_kind kind;
	int r = monitor_begin_call(m, p, &kind);

	if (r)
		return r < 0 ? -1 : 0;
	p->parked = 1;
	return p->inject ? signal_first(m, p, NULL) : serve(m, p);
}

/* The OUT buffers of R with what means nothing masked (policy.c). */
static void mask(struct record *r)
{
	for (unsigned i = 0; i < r->call.nbuf; i++)
		if (r->call.buf[i].role == MVX_BUF_OUT)
			policy_mask_out(r->call.nr, r->call.buf[i].arg,
					r->data + record_buf_at(r, i),
					r->call.buf[i].len);
}

/* The exit of P's OUTPUT call: its result and bytes against THEIRS.  0
 * (checked, or the process gone), 1 (a steered read restarted), -1. */
static int check_output(struct monitor *m, struct proc *p,
			struct record *theirs)
{
	struct mvx_div d;
	int64_t result = p->result;
	int r;

	if (steer_wait_done(p) || steer_not_run_done(p, theirs, &result))
		return -1;
	if (p->refill) {
		r = steer_read_step(p, &result);
		if (r)
			return r;
	}
	p->mine.call.result = result;
	/* Accepted from outside: the peer's address is the leader's. */
	if (p->outside) {
		p->outside = 0;
		if (result >= 0)
			sock_mark_external(p->pid, (long)result);
		if (result >= 0 &&
		    record_apply_out(theirs, p->pid, p->pol, p->call.args))
			return -1;
	}
	if (record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_OUT, result))
		return -1;
	mask(&p->mine);
	mask(theirs);
	if (compare_exit(&p->mine, theirs, &d) && diverge(m, p, &d, true))
		return -1;
	ack(m, p);
	return 0;
}

/* P's interrupted call returned -EINTR: compared as its result (the
 * leader's may have completed: signal timing, a divergence). */
static int follower_on_eintr(struct monitor *m, struct proc *p)
{
	struct record *theirs = p->theirs;
	struct mvx_div d;
	int err = 0;

	p->theirs = NULL;
	p->refill = 0;
	p->steered = 0;
	p->not_run = 0;
	p->outside = 0;
	p->sig_exit = 0;
	p->mine.call.result = -EINTR;
	if (p->mine.call.kind == MVX_OUTPUT &&
	    compare_exit(&p->mine, theirs, &d))
		err = diverge(m, p, &d, true);
	inbox_drop(theirs);
	return err;
}

static int follower_on_exit_stop(struct monitor *m, struct proc *p)
{
	struct record *theirs = p->theirs;
	int err = 0;

	if (p->rewind)
		return sigalign_rewind(p);
	if (p->sig_exit) {
		p->sig_exit = 0;
		return sigalign_at_exit(m, p);
	}
	p->theirs = NULL;
	switch (p->mine.call.kind) {
	case MVX_INPUT:
		if (record_apply_out(theirs, p->pid, p->pol, p->call.args))
			err = -1;
		/* fallthrough */
	case MVX_EXTERNAL:
		if (tracee_set_result(p->pid, theirs->call.result))
			err = -1;
		break;
	default:
		err = check_output(m, p, theirs);
		/* Restarted: on to its seccomp stop (PTRACE_SYSCALL would
		 * stop at its entry first), then to its exit. */
		if (err > 0) {
			p->theirs = theirs;
			return monitor_resume(p, false);
		}
	}
	inbox_drop(theirs);
	/* Killed meanwhile: its exit comes next. */
	if (err < 0 && errno == ESRCH)
		return 0;
	return err ? err : sigalign_at_exit(m, p);
}

/* ----- the transport */

/* One message from the leader into the queue: 0, 1 (none in time), -1
 * (corrupt: m->end set). */
static int receive(struct monitor *m, int timeout_ms)
{
	struct record_ctl ctl;
	struct record *r;
	uint16_t type;
	int err;

	if (m->leader_ended || m->leader_gone)
		return 1;
	err = record_recv(&m->peers[0], &type, &r, &ctl, timeout_ms);
	if (err == 1)
		return 1;
	if (err && errno == EPIPE) {
		m->leader_gone = true;
		return 0;
	}
	if (err) {
		fprintf(stderr, "mvx: replica %u: from the leader: %s\n",
			m->replica, errno == EPROTO ? "corrupt message" :
			strerror(errno));
		monitor_end(m, MVX_END_ERROR, EPROTO);
		return -1;
	}
	if (type == MVX_MSG_END) {
		m->leader_end = ctl.end;
		m->leader_ended = true;
		return 0;
	}
	if (type != MVX_MSG_CALL) {
		fprintf(stderr, "mvx: replica %u: an ACK from the leader\n",
			m->replica);
		monitor_end(m, MVX_END_ERROR, EPROTO);
		return -1;
	}
	if (inbox_push(&m->inbox, r)) {
		monitor_end(m, MVX_END_ERROR, ENOMEM);
		return -1;
	}
	return 0;
}

/* Give each parked process its record if it has come, each one held at
 * its own signal or at a return its verdict, and each one waiting in
 * its call for a signal the leader's got. */
static int serve_parked(struct monitor *m)
{
	for (unsigned i = 0; i < m->procs.n; i++) {
		struct proc *p = &m->procs.v[i];

		if (p->held_sig ? sigalign_release_held(m, p) :
		    p->parked ? serve(m, p) :
		    p->exit_parked ? sigalign_at_exit(m, p) :
		    p->in_call && p->sig_exit ? sigalign_during(m, p) : 0)
			return -1;
	}
	return 0;
}

/* A ring has no fd to poll: look at it and at the processes' stops for
 * TRANSPORT_SPIN_US, then every millisecond.  0 once something came, 1
 * if nothing did, -1 on a corrupt message. */
static int spin_ring(struct monitor *m)
{
	struct pollfd sig = { .fd = m->sigfd, .events = POLLIN };
	long long start = transport_now_us();
	int r;

	do {
		if (poll(&sig, 1, 0) > 0)
			return 0;
		r = receive(m, 0);
		if (r <= 0)
			return r;
		/* The stop awaited may need this CPU to happen. */
		sched_yield();
	} while (transport_now_us() - start < TRANSPORT_SPIN_US);
	return 1;
}

static int follower_idle(struct monitor *m, int timeout_ms)
{
	struct pollfd fds[2] = {
		{ .fd = m->sigfd, .events = POLLIN },
		{ .fd = m->peers[0].fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	bool ring = fds[1].fd < 0;
	int r = 1;

	if (m->leader_ended || m->leader_gone)
		fds[1].fd = -1;
	else if (ring)
		r = spin_ring(m);
	if (r < 0)
		return -1;
	if (!r)
		timeout_ms = 0;
	else if (ring && fds[1].fd < 0 && !m->leader_ended &&
		 !m->leader_gone && (timeout_ms < 0 || timeout_ms > 1))
		timeout_ms = 1;
	if (poll(fds, 2, timeout_ms) < 0 && errno != EINTR)
		return -1;
	/* SIGCHLD, a standard signal, is pending once at most: one read
	 * takes it (what stopped, waitpid says). */
	if (fds[0].revents & POLLIN)
		(void)read(m->sigfd, &si, sizeof(si));
	while ((r = receive(m, 0)) == 0)
		;
	if (r < 0)
		return -1;
	if (leader_lost(m))
		return stop_for_leader(m);
	return serve_parked(m);
}

/* ----- the end */

/* An END as MVX_DIV_END shows it. */
static uint64_t end_value(const struct mvx_end *e)
{
	return (uint64_t)e->how << 32 | (uint32_t)e->code;
}

/* This replica's program ended by itself: so must the leader's, alike. */
static void settle(struct monitor *m)
{
	struct mvx_end mine = { 0, 0, 0 };
	struct mvx_div d;

	while (!m->leader_ended && !m->leader_gone &&
	       receive(m, FOLLOWER_WAIT_MS) == 0)
		;
	if (m->end.how)
		return;
	if (!m->leader_ended) {
		fprintf(stderr, "mvx: replica %u: no word from the leader\n",
			m->replica);
		monitor_end(m, MVX_END_STOPPED, 0);
		return;
	}
	monitor_end_of_status(&mine, m->root_status);
	if (mine.how == m->leader_end.how && mine.code == m->leader_end.code) {
		if (!m->diverged)
			m->end = mine;
		return;
	}
	compare_set(&d, MVX_DIV_END, end_value(&m->leader_end),
		    end_value(&mine));
	report(m, NULL, &d);
	count_divergence(m, -1);
}

static void follower_finish(struct monitor *m)
{
	if (!m->end.how && m->root_done)
		settle(m);
	/* --continue: every divergence reported, the first one named. */
	if (m->diverged)
		monitor_end(m, MVX_END_DIVERGED, m->first_diverged);
	monitor_end(m, MVX_END_ERROR, 0);
	if (m->end.how == MVX_END_DIVERGED)
		m->end.count = m->diverged ? m->diverged : 1;
	inbox_clear(&m->inbox);
	record_send_end(&m->peers[0], &m->end);
}

const struct role_ops follower_ops = {
	.on_call = follower_on_call,
	.on_exit_stop = follower_on_exit_stop,
	.on_tsc = follower_on_tsc,
	.on_signal = sigalign_on_signal,
	.on_eintr = follower_on_eintr,
	.idle = follower_idle,
	.finish = follower_finish,
};
