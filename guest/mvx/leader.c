/* leader: loose lockstep by default — the leader never waits for its
 * followers except when a transport is full; strict (m->strict), each
 * syscall waits until every follower has checked it.  A record is sent at the syscall's
 * entry when nothing it returns matters (COMPARE, REFUSE), else at its
 * exit stop with the result and the bytes copied out.  A follower that
 * is gone is dropped with a message; the leader's program goes on. */
#include "leader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void broadcast(struct monitor *m, const struct record *r)
{
	for (unsigned i = 0; i < m->npeers; i++) {
		if (!m->peer_ok[i] || !record_send(&m->peers[i], r))
			continue;
		m->peer_ok[i] = false;
		fprintf(stderr, "mvx: follower %u %s; the leader goes on\n",
			i + 1, errno == ETIMEDOUT ? "took nothing for 5 s: hung" :
			errno == EPIPE || errno == ECONNRESET ? "is gone" :
			strerror(errno));
	}
}

/* One message from follower I, within LEADER_WAIT_MS: 1 if it is the ACK
 * of the syscall C (NULL: none expected), else 0 and the follower is
 * dropped — with its verdict if that was its END, else with a message. */
static int hear(struct monitor *m, unsigned i, const struct mvx_call *c)
{
	struct record_ctl ctl;
	struct record *r;
	uint16_t type;
	int err;

	err = record_recv(&m->peers[i], &type, &r, &ctl, LEADER_WAIT_MS);
	if (!err && type == MVX_MSG_ACK && c && ctl.ack.vid == c->vid &&
	    ctl.ack.seq == c->seq)
		return 1;
	m->peer_ok[i] = false;
	if (!err && type == MVX_MSG_END) {
		m->peer_end[i] = ctl.end;
		return 0;
	}
	if (err == 1)
		fprintf(stderr, "mvx: follower %u said nothing within %d ms\n",
			i + 1, LEADER_WAIT_MS);
	else if (err)
		fprintf(stderr, "mvx: follower %u: %s\n", i + 1,
			errno == EPIPE ? "gone without a verdict" :
			strerror(errno));
	else
		fprintf(stderr, "mvx: follower %u sent a message of type "
			"0x%04x out of turn\n", i + 1, type);
	if (r) {
		record_free(r);
		free(r);
	}
	return 0;
}

/* Strict lockstep: every follower has checked C before P goes on. */
static void await_acks(struct monitor *m, const struct mvx_call *c)
{
	for (unsigned i = 0; m->strict && i < m->npeers; i++)
		if (m->peer_ok[i])
			hear(m, i, c);
}

/* An input's length, cut so that its bytes fit one record. */
static int clamp(struct proc *p)
{
	const struct pol_entry *e = p->pol;

	if (!e->clamp || p->call.args[e->clamp_arg] <= e->clamp)
		return 0;
	return tracee_set_call_arg(p->pid, (unsigned)e->clamp_arg, e->clamp);
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
	if ((kind == MVX_INPUT || kind == MVX_OUTPUT) &&
	    record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_OUT, result))
		return -1;
	broadcast(m, &p->mine);
	await_acks(m, &p->mine.call);
	return monitor_resume(p, false);
}

static void leader_finish(struct monitor *m)
{
	if (!m->end.how && m->root_done)
		monitor_end_of_status(&m->end, m->root_status);
	monitor_end(m, MVX_END_ERROR, 0);
	for (unsigned i = 0; i < m->npeers; i++)
		if (m->peer_ok[i] && record_send_end(&m->peers[i], &m->end))
			m->peer_ok[i] = false;
	/* Those dropped on their END have given their verdict already. */
	for (unsigned i = 0; i < m->npeers; i++)
		if (!m->peer_end[i].how)
			hear(m, i, NULL);
}

const struct role_ops leader_ops = {
	.on_call = leader_on_call,
	.on_exit_stop = leader_on_exit_stop,
	.idle = NULL,
	.finish = leader_finish,
};
