/* followers: in strict lockstep a process whose call is sent stays
 * stopped (p->awaiting) and the monitor goes back to its loop; each ACK
 * that comes is matched to the process of its vid, and a process all of
 * whose followers still listening have acknowledged goes on.  ACKs of
 * calls not waited for (loose lockstep's progress, a call that returned
 * EINTR) are taken and let be. */
#include "followers.h"
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_FDS	(1 + WINDOW_MAX_PARTITIONS)
/* Loose lockstep: the followers' messages (an ACK per FOLLOWER_PROGRESS
 * calls, an END) are looked for after every this many calls sent, not
 * after each: a recv that found nothing was 1.5 per call. */
#define LOOSE_TAKE 64

static void drop(struct monitor *m, unsigned i, const char *why)
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
		drop(m, i, errno == EPIPE ? "is gone without a verdict" :
		     strerror(errno));
	else
		drop(m, i, "sent a record out of turn");
	if (r) {
		record_free(r);
		free(r);
	}
	return -1;
}

/* ----- processes waiting for their ACKs */

static int go_on(struct proc *p)
{
	p->awaiting = 0;
	return monitor_resume(p, false);
}

/* P goes on if every follower still listening has acknowledged. */
static int settle(struct monitor *m, struct proc *p)
{
	for (unsigned i = 0; i < m->npeers; i++)
		if (m->peer_ok[i] && !(p->acked >> i & 1))
			return 0;
	return go_on(p);
}

static int settle_all(struct monitor *m)
{
	for (unsigned i = 0; i < m->procs.n; i++)
		if (m->procs.v[i].awaiting && settle(m, &m->procs.v[i]))
			return -1;
	return 0;
}

static struct proc *awaiting_vid(struct monitor *m, uint32_t vid)
{
	for (unsigned i = 0; i < m->procs.n; i++)
		if (m->procs.v[i].awaiting && m->procs.v[i].known &&
		    !m->procs.v[i].helper && m->procs.v[i].vid == vid)
			return &m->procs.v[i];
	return NULL;
}

/* Follower I acknowledged A.  One for a call the process has not made
 * yet is a follower gone wrong. */
static int acknowledged(struct monitor *m, unsigned i, const struct mvx_ack *a)
{
	struct proc *p = awaiting_vid(m, a->vid);

	if (!p || a->seq < p->mine.call.seq)
		return 0;
	if (a->seq > p->mine.call.seq) {
		drop(m, i, "acknowledged a syscall not made yet");
		return settle_all(m);
	}
	p->acked |= (uint8_t)(1u << i);
	return settle(m, p);
}

/* Take what follower I sent meanwhile: ACKs, or its early END (a
 * divergence: the leader learns it now).  0 or -1. */
static int take(struct monitor *m, unsigned i)
{
	struct mvx_ack a;

	while (m->peer_ok[i] && hear(m, i, 0, &a) == 1)
		if (acknowledged(m, i, &a))
			return -1;
	return m->peer_ok[i] ? 0 : settle_all(m);
}

/* Follower I closed its end: what it sent before, its END (a verdict
 * given, such as --continue's cap) among it, is read first.  Whether I
 * is done with that way (dropped with a message if it sent no END). */
static bool closed_after_end(struct monitor *m, unsigned i)
{
	take(m, i);
	return !m->peer_ok[i];
}

void followers_broadcast(struct monitor *m, const struct record *r)
{
	int err;

	for (unsigned i = 0; i < m->npeers; i++) {
		if (!m->peer_ok[i])
			continue;
		/* In strict lockstep, what answers it is taken once the
		 * process waits for it (followers_then); in loose, now and
		 * then (and whenever the leader waits). */
		if (!record_send(&m->peers[i], r)) {
			if (!m->strict && m->calls % LOOSE_TAKE == 0)
				take(m, i);
			continue;
		}
		err = errno;
		if ((err == EPIPE || err == ECONNRESET) &&
		    closed_after_end(m, i))
			continue;
		drop(m, i, err == ETIMEDOUT ?
		     "took nothing for 5 s: hung; the leader goes on" :
		     err == EPIPE || err == ECONNRESET ?
		     "is gone; the leader goes on" : strerror(err));
	}
	settle_all(m);
}

int followers_then(struct monitor *m, struct proc *p)
{
	if (!m->strict)
		return go_on(p);
	p->awaiting = 1;
	p->acked = 0;
	p->await_until = transport_now_us() + LEADER_WAIT_MS * 1000LL;
	for (unsigned i = 0; i < m->npeers; i++)
		if (take(m, i))
			return -1;
	return p->awaiting ? settle(m, p) : 0;
}

/* ----- the wait between stops */

/* A follower that leaves a process waiting past its deadline is hung. */
static int deadlines(struct monitor *m, long long now, long long *next)
{
	for (unsigned k = 0; k < m->procs.n; k++) {
		struct proc *p = &m->procs.v[k];

		if (!p->awaiting)
			continue;
		if (now < p->await_until) {
			if (!*next || p->await_until < *next)
				*next = p->await_until;
			continue;
		}
		for (unsigned i = 0; i < m->npeers; i++)
			if (m->peer_ok[i] && !(p->acked >> i & 1))
				drop(m, i, "did not answer within 5 s: hung");
	}
	return settle_all(m);
}

/* What to poll: the SIGCHLD fd and the followers' sockets (a ring has no
 * fd: *RING set, to be looked at in a loop). */
static unsigned poll_set(const struct monitor *m, struct pollfd *fds,
			 bool *ring)
{
	unsigned n = 0;

	fds[n++] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
	*ring = false;
	for (unsigned i = 0; i < m->npeers && n < MAX_FDS; i++) {
		if (!m->peer_ok[i])
			continue;
		if (m->peers[i].fd < 0)
			*ring = true;
		else
			fds[n++] = (struct pollfd){ .fd = m->peers[i].fd,
						    .events = POLLIN };
	}
	return n;
}

static int take_all(struct monitor *m)
{
	for (unsigned i = 0; i < m->npeers; i++)
		if (take(m, i))
			return -1;
	return 0;
}

/* After a poll of FDS (poll_set's): take from the followers whose socket
 * has something, and from every ring (no fd to tell). */
static int take_polled(struct monitor *m, const struct pollfd *fds,
		       unsigned n)
{
	for (unsigned i = 0; i < m->npeers; i++) {
		bool ready = m->peers[i].fd < 0;

		for (unsigned k = 1; k < n && !ready; k++)
			ready = fds[k].fd == m->peers[i].fd && fds[k].revents;
		if (ready && take(m, i))
			return -1;
	}
	return 0;
}

int followers_wait(struct monitor *m)
{
	struct pollfd fds[MAX_FDS];
	struct signalfd_siginfo si;
	long long start = transport_now_us(), next = 0;
	int ms = LEADER_WATCH_MS;
	bool ring;
	unsigned n;

	if (deadlines(m, start, &next))
		return -1;
	n = poll_set(m, fds, &ring);
	if (next)
		ms = (int)((next - start) / 1000) + 1;
	if (ring && next) {
		/* An ACK on a ring comes within tens of microseconds. */
		while (transport_now_us() - start < TRANSPORT_SPIN_US &&
		       poll(fds, n, 0) == 0) {
			if (take_all(m))
				return -1;
			sched_yield();
		}
		ms = 1;
	}
	if (poll(fds, n, ms) < 0 && errno != EINTR)
		return -1;
	/* SIGCHLD, a standard signal, is pending once at most: one read
	 * takes it (what stopped, waitpid says). */
	if (fds[0].revents & POLLIN)
		(void)read(m->sigfd, &si, sizeof(si));
	/* Mostly a SIGCHLD: a recv per follower that finds nothing was one
	 * syscall in four of a loose leader's. */
	return take_polled(m, fds, n);
}

bool followers_lost(const struct monitor *m)
{
	bool lost = false;

	for (unsigned i = 0; i < m->npeers; i++) {
		if (m->peer_ok[i])
			return false;
		lost |= !m->peer_end[i].how;
	}
	return lost;
}

void followers_finish(struct monitor *m)
{
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
			drop(m, i, "said nothing for 5 s");
	}
}
