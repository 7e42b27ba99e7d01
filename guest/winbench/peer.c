/* Where winbench's channel leads.  See peer.h. */
#include "peer.h"
#include "serve.h"
#include "session.h"
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* One winbench per peer on this partition: two would both read one ring. */
static int lock_peer(unsigned peer)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/winbench.%u.lock", peer);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;	/* no /run: go on unguarded */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;	/* held until exit */
	close(fd);
	if (errno != EWOULDBLOCK)
		return 0;
	guest_error("another winbench already talks to partition %u here (lock %s): one reader per ring",
		    peer, path);
	return -1;
}

/* repd's replicated sessions (docs/replication.md) use the same rings:
 * none may involve this partition or the peer while winbench runs. */
static int check_no_session(const struct window *w, unsigned self,
			    unsigned peer)
{
	uint32_t members, ours = 1u << self | 1u << peer;
	unsigned p;

	for (p = 0; p < w->partitions; p++) {
		if (!window_rep_session(w, p, &members) ||
		    !((members | 1u << p) & ours))
			continue;
		guest_error("partition %u leads a replicated session (rep-on) over the rings of partitions %u and %u: end it first",
			    p, self, peer);
		return -1;
	}
	return 0;
}

int peer_open_ring(struct chan *c, long peer)
{
	int self = guest_partition_self();

	if (self < 0 || guest_window_open(&c->w) < 0)
		return -1;
	if (peer == self) {
		guest_error("partition %ld is this partition: the peer must be another one (or -l)",
			    peer);
		return -1;
	}
	if (peer >= (long)c->w.partitions) {
		guest_error("partition %ld does not exist (machine has %u)", peer,
			    c->w.partitions);
		return -1;
	}
	c->ops = &chan_ring_ops;
	c->self = (unsigned)self;
	c->peer = (unsigned)peer;
	snprintf(c->name, sizeof(c->name), "partition %ld", peer);
	snprintf(c->hint, sizeof(c->hint), "is 'winbench serve %d' running there?",
		 self);
	if (check_no_session(&c->w, c->self, c->peer) < 0)
		return -1;
	return lock_peer(c->peer);
}

static int nonblocking_pipe(int fds[2])
{
	if (pipe(fds) < 0) {
		guest_error("pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	return 0;
}

int peer_open_loopback(struct chan *c, int timeout_ms, pid_t *child)
{
	int down[2], up[2];

	if (nonblocking_pipe(down) < 0 || nonblocking_pipe(up) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	fflush(NULL);
	*child = fork();
	if (*child < 0) {
		guest_error("fork: %s", strerror(errno));
		return -1;
	}
	c->ops = &chan_pipe_ops;
	snprintf(c->name, sizeof(c->name), "the loopback server");
	snprintf(c->hint, sizeof(c->hint), "it is stuck");
	snprintf(c->via, sizeof(c->via), "pipe loopback");
	if (*child == 0) {
		close(down[1]);
		close(up[0]);
		c->rfd = down[0];
		c->wfd = up[1];
		snprintf(c->name, sizeof(c->name), "the loopback client");
		_exit(serve(c, SERVE_DEFAULT_S, timeout_ms, true));
	}
	close(down[0]);
	close(up[1]);
	c->rfd = up[0];
	c->wfd = down[1];
	return 0;
}

void peer_close_loopback(struct chan *c, pid_t child)
{
	session_bye(c, 2000);
	close(c->wfd);
	close(c->rfd);
	waitpid(child, NULL, 0);
}
