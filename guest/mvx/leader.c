/* leader: loose lockstep by default — the leader never waits for its
 * followers except when a transport is full; strict (m->strict), each
 * syscall waits until every follower has checked it.  A record is sent
 * at the syscall's entry when nothing it returns matters (COMPARE,
 * REFUSE), else at its exit stop with the result and the bytes copied
 * out.  A follower that is gone is dropped with a message; the leader's
 * program goes on while one follower is left, and is stopped when none
 * is (the run's verdict is then LOST). */
#include "leader.h"
#include "sigalign.h"
#include "sock.h"
#include "tsc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/* While its program makes no syscall (a sleep), the leader looks at its
 * followers this often, so that one gone is seen within seconds. */
#define LEADER_WATCH_MS 500

/* Drop follower I, saying WHY. */
static void drop_peer(struct monitor *m, unsigned i, const char *why)
{
	m->peer_ok[i] = false;
	fprintf(stderr, "mvx: follower %u %s\n", i + 1, why);
}

/* One message from follower I within TIMEOUT_MS (0: one already there).
 * 1: an ACK, in *ACK.  0: nothing came.  -1: the follower is done with —
 * its END kept as its verdict, or dropped with a message. */
static int hear(struct monitor *m, unsigned i, int timeout_ms,
		struct mvx_ack *ack)
{
	struct record_ctl ctl;
	struct record *r;
	uint16_t type;
	int err;

	err = record_recv(&m->peers[i], &type, &r, &ctl, timeout_ms);
	if (err == 1)
		return 0;
	if (!err && type == MVX_MSG_ACK) {
		*ack = ctl.ack;
		return 1;
	}
	m->peer_ok[i] = false;
	if (!err && type == MVX_MSG_END) {
		m->peer_end[i] = ctl.end;
		return -1;
	}
	if (err)
		drop_peer(m, i, errno == EPIPE ? "is gone without a verdict" :
			  strerror(errno));
	else
		drop_peer(m, i, "sent a record out of turn");
	if (r) {
		record_free(r);
		free(r);
	}
	return -1;
}

/* Strict lockstep: every follower has checked C before P goes on. */
static void await_acks(struct monitor *m, const struct mvx_call *c)
{
	struct mvx_ack a;

	for (unsigned i = 0; m->strict && i < m->npeers; i++) {
		if (!m->peer_ok[i])
			continue;
		switch (hear(m, i, LEADER_WAIT_MS, &a)) {
		case 0:
			drop_peer(m, i, "did not answer within 5 s: hung");
			break;
		case 1:
			if (a.vid != c->vid || a.seq != c->seq)
				drop_peer(m, i, "acknowledged another syscall");
		}
	}
}

/* Loose lockstep: take what follower I sent meanwhile — how far it has
 * come, or its early END (a divergence: the leader learns it now). */
static void drain(struct monitor *m, unsigned i)
{
	struct mvx_ack a;

	while (!m->strict && m->peer_ok[i] && hear(m, i, 0, &a) == 1)
		;
}

/* An input's length, cut so that its bytes fit one record. */
static int clamp(struct proc *p)
{
	const struct pol_entry *e = p->pol;

	if (!e->clamp || p->call.args[e->clamp_arg] <= e->clamp)
		return 0;
	return tracee_set_call_arg(p->pid, (unsigned)e->clamp_arg, e->clamp);
}

/* Follower I's end of the transport is closed.  What it sent before it
 * went is still to be read: its END (it stopped at a divergence) is its
 * verdict; without one it is dropped. */
static void gone(struct monitor *m, unsigned i)
{
	struct mvx_ack a;

	while (m->peer_ok[i] && hear(m, i, 0, &a) == 1)
		;
	if (m->peer_ok[i])
		drop_peer(m, i, "is gone; the leader goes on");
}

static void broadcast(struct monitor *m, const struct record *r)
{
	for (unsigned i = 0; i < m->npeers; i++) {
		if (!m->peer_ok[i])
			continue;
		if (!record_send(&m->peers[i], r))
			drain(m, i);
		else if (errno == EPIPE || errno == ECONNRESET)
			gone(m, i);
		else
			drop_peer(m, i, errno == ETIMEDOUT ?
				  "took nothing for 5 s: hung; the leader "
				  "goes on" : strerror(errno));
	}
}

static int leader_on_call(struct monitor *m, struct proc *p)
{
	enum mvx_kind kind;
	int r = monitor_begin_call(m, p, &kind);

	if (r)
		return r < 0 ? -1 : 0;
	switch (kind) {
	case MVX_COMPARE:
		broadcast(m, &p->mine);
		await_acks(m, &p->mine.call);
		return monitor_resume(p, false);
	case MVX_REFUSE:
		broadcast(m, &p->mine);
		await_acks(m, &p->mine.call);
		return tracee_skip(p->pid) ? -1 : monitor_resume(p, false);
	case MVX_INPUT:
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
	int64_t result;

	if (tracee_result(p->pid, &result))
		return errno == ESRCH ? 0 : -1;
	p->mine.call.result = result;
	/* From a client outside the program: the followers' accept is
	 * given a stand-in (sock.h). */
	if ((p->call.nr == SYS_accept || p->call.nr == SYS_accept4) &&
	    result >= 0 && sock_accepted_outside(&m->procs, p->pid, result))
		p->mine.call.fdclass = MVX_FD_EXTERNAL;
	if ((kind == MVX_INPUT || kind == MVX_OUTPUT) &&
	    record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_OUT, result))
		return -1;
	broadcast(m, &p->mine);
	await_acks(m, &p->mine.call);
	return monitor_resume(p, false);
}

static int leader_on_tsc(struct monitor *m, struct proc *p)
{
	uint32_t aux;
	uint64_t tsc;

	monitor_begin_tsc(m, p, p->tsc_len);
	tsc = tsc_read(p->tsc_len, &aux);
	if (tsc_apply(p->pid, p->tsc_len, tsc, aux))
		return errno == ESRCH ? 0 : -1;
	p->mine.call.result = (int64_t)tsc;
	p->mine.call.args[1] = aux;
	broadcast(m, &p->mine);
	await_acks(m, &p->mine.call);
	return monitor_resume(p, false);
}

/* P's interrupted call returned -EINTR: that is its result. */
static int leader_on_eintr(struct monitor *m, struct proc *p)
{
	p->mine.call.result = -EINTR;
	broadcast(m, &p->mine);
	await_acks(m, &p->mine.call);
	return 0;
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
	broadcast(m, &r);
	record_free(&r);
}

/* SIG about to be delivered to P: where, for the followers to deliver
 * it at the same point (sigalign.h). */
static int leader_on_signal(struct monitor *m, struct proc *p, int sig)
{
	struct tracee_call c = { .nr = MVX_NR_SIGNAL, .args = { (uint64_t)sig } };
	struct record r;

	if (!sigalign_applies(p->pid, sig))
		return sig;
	record_init(&r);
	record_start(&r, p->vid, p->seq, &c, MVX_COMPARE, MVX_FD_NONE);
	broadcast(m, &r);
	record_free(&r);
	return sig;
}

static void leader_finish(struct monitor *m)
{
	if (!m->end.how && m->root_done)
		monitor_end_of_status(&m->end, m->root_status);
	monitor_end(m, MVX_END_ERROR, 0);
	for (unsigned i = 0; i < m->npeers; i++)
		if (m->peer_ok[i] && record_send_end(&m->peers[i], &m->end))
			m->peer_ok[i] = false;
	/* Those dropped on their END have given their verdict already.  The
	 * others may be behind: wait while they say they are coming. */
	for (unsigned i = 0; i < m->npeers; i++) {
		struct mvx_ack a;
		int r = 1;

		while (!m->peer_end[i].how &&
		       (r = hear(m, i, LEADER_WAIT_MS, &a)) == 1)
			;
		if (!r)
			drop_peer(m, i, "said nothing for 5 s");
	}
}

/* Between stops: take what the followers sent (ACKs, an early END) and
 * see whether they are still there; with none left, stop the program. */
static int leader_idle(struct monitor *m, int timeout_ms)
{
	struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };
	struct signalfd_siginfo si;
	bool lost = false, any = false;

	(void)timeout_ms;
	if (poll(&pfd, 1, LEADER_WATCH_MS) < 0 && errno != EINTR)
		return -1;
	/* SIGCHLD, a standard signal, is pending once at most: one read
	 * takes it (what stopped, waitpid says). */
	if (pfd.revents & POLLIN)
		(void)read(m->sigfd, &si, sizeof(si));
	for (unsigned i = 0; i < m->npeers; i++) {
		struct mvx_ack a;

		while (m->peer_ok[i] && hear(m, i, 0, &a) == 1)
			;
		any |= m->peer_ok[i];
		lost |= !m->peer_ok[i] && !m->peer_end[i].how;
	}
	if (!any && lost) {
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
};
