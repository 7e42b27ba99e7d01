/* lockstep: repd's part in mvx's runs between partitions.  repd does not
 * carry a run's messages (the monitors use the rings themselves); it
 * vouches for the processes, which the window alone cannot: it publishes
 * the run its partition's mvx leads for as long as that mvx's socket is
 * open, and starts the follower a run names this partition for, saying
 * in the window which run it follows until the follower has ended.  So a
 * leader or follower that dies, even by SIGKILL, is seen gone by the
 * other side at once, and a partition that stops, by its state and
 * heartbeat.  While a run uses the rings, no replicated session does. */
#include "repd.h"
#include "guest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MVX_PATH	"/usr/bin/mvx"
#define CAPDROP_PATH	"/usr/bin/capdrop"
/* A follower whose leader's run is gone this long is killed: its own
 * watch of the leader should have ended it well before. */
#define ORPHAN_MS	8000

bool lockstep_busy(const struct repd *d)
{
	return d->mvx_client >= 0 || d->mvx_pid > 0;
}

/* The first N - 1 partitions up, other than this one: bits. */
static uint32_t choose(struct repd *d, unsigned n, char *err, size_t size)
{
	unsigned count, p, taken = 0;
	uint32_t up = up_partitions(d, &count), members = 0;

	if (n < 2 || n > WINDOW_MAX_PARTITIONS || n > count ||
	    !(up & (1u << d->self))) {
		snprintf(err, size, "%u partitions asked, %u up (this machine "
			 "has %u); N must be 2..%u", n, count, d->w.partitions,
			 count);
		return 0;
	}
	for (p = 0; p < d->w.partitions && taken < n - 1; p++)
		if (p != d->self && (up & (1u << p))) {
			members |= 1u << p;
			taken++;
		}
	return members;
}

void lockstep_accept(struct repd *d, int client, unsigned n)
{
	char err[256];
	uint32_t members, session;

	if (d->session || lockstep_busy(d)) {
		client_say(client, "error: partition %u is already in a "
			   "replicated session or a lockstep run", d->self);
		close(client);
		return;
	}
	members = choose(d, n, err, sizeof(err));
	if (!members) {
		client_say(client, "error: %s", err);
		close(client);
		return;
	}
	session = new_session_id();
	window_mvx_lead(&d->w, d->self, session, members);
	d->mvx_client = client;
	client_say(client, "ok %08x %08x", session, members);
}

/* The leading mvx closed its socket (it ended, or was killed). */
static void watch_client(struct repd *d)
{
	struct pollfd pfd = { .fd = d->mvx_client, .events = POLLIN };
	char buf[64];

	if (poll(&pfd, 1, 0) <= 0 || read(d->mvx_client, buf, sizeof(buf)) > 0)
		return;
	window_mvx_lead(&d->w, d->self, 0, 0);
	close(d->mvx_client);
	d->mvx_client = -1;
}

/* In the child: the follower, on a terminal of its own as the leader's
 * program is (an interactive shell opens /dev/tty), without the
 * capabilities the shells lack (capdrop). */
static void exec_follower(struct repd *d, const char *slave, unsigned leader,
			  uint32_t session)
{
	char l[16], s[16];

	if (ptyshell_attach(slave) < 0)
		_exit(126);
	close(d->listen_fd);
	snprintf(l, sizeof(l), "%u", leader);
	snprintf(s, sizeof(s), "%08x", session);
	signal(SIGPIPE, SIG_DFL);
	if (access(CAPDROP_PATH, X_OK) == 0)
		execl(CAPDROP_PATH, "capdrop", MVX_PATH, "--follow", l, s,
		      (char *)NULL);
	execl(MVX_PATH, "mvx", "--follow", l, s, (char *)NULL);
	_exit(127);
}

static void start_follower(struct repd *d, unsigned leader, uint32_t session)
{
	char slave[64];
	int master = ptyshell_open(0, 0, slave, sizeof(slave));
	pid_t pid = master < 0 ? -1 : fork();

	if (pid < 0) {
		guest_error("cannot start the follower of run %08x: %s",
			    session, strerror(errno));
		if (master >= 0)
			close(master);
		return;
	}
	if (!pid)
		exec_follower(d, slave, leader, session);
	d->mvx_pty = master;
	d->cr_held = false;
	d->mvx_pid = pid;
	d->mvx_following = session;
	d->mvx_leader = leader;
	d->mvx_orphan_ms = 0;
	window_mvx_follow(&d->w, d->self, session);
}

/* A run another partition leads that names this one, not seen yet. */
static void watch_runs(struct repd *d)
{
	uint32_t session, members;

	for (unsigned p = 0; p < d->w.partitions; p++) {
		if (p == d->self)
			continue;
		session = window_mvx_session(&d->w, p, &members);
		if (!session || session == d->mvx_seen[p] ||
		    !(members & (1u << d->self)))
			continue;
		d->mvx_seen[p] = session;
		start_follower(d, p, session);
		return;
	}
}

/* What the follower printed (its own reports: its program's output to
 * the terminal is the leader's to make), on this partition's console. */
static void copy_output(struct repd *d)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(d->mvx_pty, buf, sizeof(buf))) > 0)
		rep_console_output(d, buf, (size_t)n);
}

/* The follower ended, or its leader's run is long gone. */
static void watch_follower(struct repd *d)
{
	uint32_t members;
	int st;

	copy_output(d);
	if (waitpid(d->mvx_pid, &st, WNOHANG) == d->mvx_pid) {
		copy_output(d);
		close(d->mvx_pty);
		d->mvx_pty = -1;
		window_mvx_follow(&d->w, d->self, 0);
		d->mvx_pid = 0;
		d->mvx_following = 0;
		return;
	}
	if (window_mvx_session(&d->w, d->mvx_leader, &members) ==
	    d->mvx_following) {
		d->mvx_orphan_ms = 0;
		return;
	}
	if (!d->mvx_orphan_ms)
		d->mvx_orphan_ms = guest_now_ms();
	else if (guest_now_ms() - d->mvx_orphan_ms > ORPHAN_MS)
		kill(d->mvx_pid, SIGKILL);
}

void lockstep_step(struct repd *d)
{
	if (d->mvx_client >= 0)
		watch_client(d);
	if (d->mvx_pid > 0)
		watch_follower(d);
	else if (!d->session)
		watch_runs(d);
}
