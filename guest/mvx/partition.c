/* partition: the start of a run between partitions, and what each end
 * watches of the other while it runs. */
#include "partition.h"
#include "follower.h"
#include "guest.h"
#include "mvx_session.h"
#include "repd_client.h"
#include "roles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* What one end watches of the other: its partition (state, heartbeat)
 * and its repd's word that the process is still in the run. */
struct peer_watch {
	struct window *w;
	unsigned part;
	uint32_t session;
	bool is_leader;			/* the peer leads the run */
	struct guest_liveness live;
};

static int peer_alive(void *ctx)
{
	struct peer_watch *pw = ctx;
	uint32_t members, run;
	char why[64];

	run = pw->is_leader ? window_mvx_session(pw->w, pw->part, &members) :
			      window_mvx_following(pw->w, pw->part);
	return run == pw->session &&
	       !guest_partition_gone(pw->w, pw->part, &pw->live, why,
				     sizeof(why));
}

/* ----- the leader */

/* Ask repd for a run on N partitions: the connection (kept open for the
 * run: repd publishes it until it closes), or -1 (reported). */
static int ask_repd(unsigned n, uint32_t *session, uint32_t *members)
{
	struct repd_request req = { .magic = REPD_MVX_MAGIC, .partitions = n,
				    .cwd = "/" };
	char line[512] = "";
	int fd = repd_connect();

	if (fd < 0)
		return -1;
	if (write(fd, &req, sizeof(req)) != (ssize_t)sizeof(req) ||
	    repd_read_line(fd, line, sizeof(line)) < 0) {
		guest_error("repd closed the connection");
		close(fd);
		return -1;
	}
	if (sscanf(line, "ok %x %x", session, members) != 2) {
		guest_error("%s", strncmp(line, "error: ", 7) ? line :
			    line + 7);
		close(fd);
		return -1;
	}
	return fd;
}

/* Drop what an earlier run left in the ring FROM -> TO: 0, or -1 if the
 * ring is corrupt (reported). */
static int drain(struct window *w, unsigned from, unsigned to)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint16_t type;
	size_t len;
	int err;

	while ((err = window_ring_pop(w, from, to, &type, buf, sizeof(buf),
				      &len)) == 0)
		;
	if (err == WINDOW_EEMPTY)
		return 0;
	guest_error("the ring from partition %u is unusable: %s", from,
		    window_strerror(err));
	return -1;
}

/* Push one message, waiting for room until DEADLINE: the new follower
 * empties what an earlier run left.  0 or -1 (reported). */
static int push(struct window *w, unsigned self, unsigned to, uint16_t type,
		const void *buf, size_t len, long long deadline)
{
	int err;

	while ((err = window_ring_push(w, self, to, type, buf, len)) ==
	       WINDOW_EFULL && guest_now_ms() < deadline)
		usleep(2000);
	if (!err)
		return 0;
	guest_error("cannot send to partition %u: %s", to,
		    err == WINDOW_EFULL ? "its ring stayed full" :
		    window_strerror(err));
	return -1;
}

static int send_open(struct window *w, unsigned self, uint32_t members,
		     uint32_t session, bool strict, char *const argv[],
		     long long deadline)
{
	static struct mvx_open o;
	static unsigned char buf[WINDOW_MSG_MAX];
	char cwd[MVX_CWD_MAX];
	size_t len;

	uint32_t flags = (strict ? MVX_OPEN_STRICT : 0) |
			 (follower_keep_going ? MVX_OPEN_CONTINUE : 0);

	if (!getcwd(cwd, sizeof(cwd)) ||
	    mvx_open_build(&o, session, flags, cwd, argv, environ) ||
	    mvx_open_encode(&o, buf, sizeof(buf), &len)) {
		guest_error("the program, its environment and working "
			    "directory do not fit in one message (%u bytes)",
			    MVX_OPEN_STRINGS);
		return -1;
	}
	for (unsigned p = 0; p < w->partitions; p++)
		if ((members & (1u << p)) &&
		    (drain(w, p, self) ||
		     push(w, self, p, MVX_MSG_OPEN, buf, len, deadline)))
			return -1;
	return 0;
}

/* Partition P's answer, if it came: 1 started, 0 not yet, -1 refused or
 * gone (reported). */
static int hello_from(struct window *w, unsigned self, unsigned p,
		      struct peer_watch *pw)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	struct mvx_hello h;
	uint16_t type;
	size_t len;
	char why[64];
	int err;

	while ((err = window_ring_pop(w, p, self, &type, buf, sizeof(buf),
				      &len)) == 0) {
		if (type != MVX_MSG_HELLO || mvx_hello_decode(buf, len, &h) ||
		    h.session != pw->session)
			continue;
		if (!h.status)
			return 1;
		guest_error("partition %u cannot follow: %s", p, h.reason);
		return -1;
	}
	if (err != WINDOW_EEMPTY) {
		guest_error("the ring from partition %u is unusable: %s", p,
			    window_strerror(err));
		return -1;
	}
	if (guest_partition_gone(w, p, &pw->live, why, sizeof(why))) {
		guest_error("partition %u is gone (%s)", p, why);
		return -1;
	}
	return 0;
}

static int await_hellos(struct window *w, unsigned self, uint32_t members,
			struct peer_watch *pw, unsigned npeers,
			long long deadline)
{
	unsigned waiting = npeers;
	bool *ok = calloc(npeers, sizeof(*ok));
	int r = 0;

	while (ok && waiting && r >= 0) {
		for (unsigned i = 0; i < npeers && r >= 0; i++) {
			if (ok[i] || !(r = hello_from(w, self, pw[i].part,
						      &pw[i])))
				continue;
			ok[i] = r > 0;
			waiting -= r > 0;
		}
		if (waiting && r >= 0 && guest_now_ms() > deadline) {
			guest_error("no follower started on every partition "
				    "of 0x%02x within %d s (is repd running "
				    "there, or busy?)", members,
				    PARTITION_START_MS / 1000);
			r = -1;
		}
		if (waiting && r >= 0)
			usleep(2000);
	}
	free(ok);
	return ok && r >= 0 ? 0 : -1;
}

/* The records of the divergences the followers published during the run
 * (their counts were BEFORE[i] at its start), printed here. */
static void print_records(struct window *w, const struct peer_watch *pw,
			  const uint32_t *before, unsigned npeers)
{
	unsigned char rec[WINDOW_MVX_RECORD];
	char text[MVX_DIV_TEXT];
	struct mvx_div d;
	uint32_t runs, divs;

	for (unsigned i = 0; i < npeers; i++) {
		window_mvx_counters(w, pw[i].part, &runs, &divs);
		if (divs == before[i])
			continue;
		if (window_mvx_last(w, pw[i].part, rec) ||
		    mvx_div_decode(rec, &d)) {
			fprintf(stderr, "mvx: partition %u published an "
				"unreadable divergence record\n", pw[i].part);
			continue;
		}
		fprintf(stderr, "mvx: on partition %u:\n", pw[i].part);
		fputs(mvx_div_format(&d, text, sizeof(text)), stderr);
	}
}

int partition_lead(unsigned n, bool strict, char *const argv[],
		   struct monitor *m)
{
	static struct window w;
	struct transport *t = calloc(n, sizeof(*t));
	struct peer_watch *pw = calloc(n, sizeof(*pw));
	uint32_t *before = calloc(n, sizeof(*before));
	uint32_t session, members, runs;
	long long deadline = guest_now_ms() + PARTITION_START_MS;
	int self = guest_partition_self(), fd = -1, err = -1;
	unsigned npeers = 0;

	if (!t || !pw || !before || self < 0 || guest_window_open(&w))
		goto free;
	fd = ask_repd(n, &session, &members);
	if (fd < 0)
		goto free;
	for (unsigned p = 0; p < w.partitions; p++) {
		if (!(members & (1u << p)))
			continue;
		pw[npeers] = (struct peer_watch){ &w, p, session, false,
						  { 0, 0 } };
		window_mvx_counters(&w, p, &runs, &before[npeers]);
		transport_ring(&t[npeers], &w, (unsigned)self, p, peer_alive,
			       &pw[npeers]);
		npeers++;
	}
	if (send_open(&w, (unsigned)self, members, session, strict, argv,
		      deadline) ||
	    await_hellos(&w, (unsigned)self, members, pw, npeers, deadline) ||
	    roles_leader_init(m, t, npeers, strict))
		goto out;
	monitor_run(m, argv);
	print_records(&w, pw, before, npeers);
	err = 0;
out:
	close(fd);
free:
	/* The monitor keeps only how each follower ended (peer_end). */
	m->peers = NULL;
	free(t);
	free(pw);
	free(before);
	return err;
}

/* ----- a follower */

struct note_ctx {
	struct window *w;
	unsigned self;
};

static void publish(void *ctx, const struct mvx_div *d)
{
	struct note_ctx *nc = ctx;
	unsigned char rec[MVX_DIV_SIZE];

	mvx_div_encode(d, rec);
	window_mvx_note(nc->w, nc->self, rec);
}

/* The leader's OPEN of SESSION (stale messages skipped): 0, or -1
 * (reported: gone, corrupt, or nothing in time). */
static int await_open(struct window *w, unsigned self,
		      struct peer_watch *leader, struct mvx_open *o)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	long long deadline = guest_now_ms() + PARTITION_START_MS;
	uint16_t type;
	size_t len;
	int err;

	for (;;) {
		err = window_ring_pop(w, leader->part, self, &type, buf,
				      sizeof(buf), &len);
		if (!err && type == MVX_MSG_OPEN &&
		    !mvx_open_decode(buf, len, o) &&
		    o->session == leader->session)
			return 0;
		if (!err)
			continue;
		if (err != WINDOW_EEMPTY) {
			guest_error("the ring from partition %u is unusable: "
				    "%s", leader->part, window_strerror(err));
			return -1;
		}
		if (!peer_alive(leader) || guest_now_ms() > deadline) {
			guest_error("run %08x of partition %u: no program came",
				    leader->session, leader->part);
			return -1;
		}
		usleep(2000);
	}
}

static void say_hello(struct window *w, unsigned self, unsigned leader,
		      uint32_t session, int status, const char *reason)
{
	struct mvx_hello h = { .session = session, .status = status };
	unsigned char buf[8 + MVX_REASON_MAX];
	size_t len;

	snprintf(h.reason, sizeof(h.reason), "%s", reason);
	if (!mvx_hello_encode(&h, buf, sizeof(buf), &len))
		window_ring_push(w, self, leader, MVX_MSG_HELLO, buf, len);
}

/* This partition's replica number: 1 + the members before it. */
static unsigned replica_of(uint32_t members, unsigned self)
{
	return 1u + (unsigned)__builtin_popcount(members &
						 ((1u << self) - 1u));
}

int partition_follow(unsigned leader, uint32_t session)
{
	static struct window w;
	static struct mvx_open o;
	static char *argv[MVX_OPEN_ARGS + 1], *envp[MVX_OPEN_ARGS + 1];
	struct peer_watch pw = { &w, leader, session, true, { 0, 0 } };
	struct note_ctx nc = { &w, 0 };
	struct transport t;
	struct monitor m;
	uint32_t members;
	const char *cwd;
	char reason[MVX_REASON_MAX];
	int self = guest_partition_self();

	if (self < 0 || guest_window_open(&w))
		return MVX_EXIT_ERROR;
	nc.self = (unsigned)self;
	if (window_mvx_session(&w, leader, &members) != session ||
	    !(members & (1u << self)) ||
	    await_open(&w, (unsigned)self, &pw, &o))
		return MVX_EXIT_ERROR;
	mvx_open_split(&o, &cwd, argv, envp);
	if (chdir(cwd)) {
		snprintf(reason, sizeof(reason), "no directory %.100s here "
			 "(%s)", cwd, strerror(errno));
		say_hello(&w, (unsigned)self, leader, session, errno, reason);
		return MVX_EXIT_ERROR;
	}
	say_hello(&w, (unsigned)self, leader, session, 0, "");
	environ = envp;
	if (o.flags & MVX_OPEN_CONTINUE)
		follower_keep_going = FOLLOWER_CONTINUE_MAX;
	transport_ring(&t, &w, (unsigned)self, leader, peer_alive, &pw);
	roles_follower_init(&m, &t, replica_of(members & ~(1u << leader),
					       (unsigned)self),
			    o.flags & MVX_OPEN_STRICT);
	m.on_divergence = publish;
	m.div_ctx = &nc;
	monitor_run(&m, argv);
	return roles_follower_status(&m.end);
}
