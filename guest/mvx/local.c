/* local: the channels are made before any monitor forks, each follower
 * keeps only its own end.  A ring transport has no EOF: each side's
 * "alive" flag, in a shared page, says when it is gone (a partition's
 * would be its state in the window, which the host keeps). */
#include "local.h"
#include "roles.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct channels {
	int fds[LOCAL_MAX][2];		/* [0] leader's end, [1] follower's */
	struct window w;
	_Atomic int *alive;		/* ring: [replica], shared */
	bool ring;
};

static int make_channels(struct channels *c, unsigned n)
{
	void *base;

	for (unsigned i = 1; !c->ring && i < n; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			       c->fds[i]))
			return -1;
	if (!c->ring)
		return 0;
	base = mmap(NULL, WINDOW_SIZE + 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || window_format(&c->w, base, WINDOW_SIZE, n))
		return -1;
	c->alive = (_Atomic int *)((unsigned char *)base + WINDOW_SIZE);
	for (unsigned i = 0; i < n; i++)
		atomic_store(&c->alive[i], 1);
	return 0;
}

/* A replica's flag in the shared page: nonzero while it runs. */
static int flag_alive(void *ctx)
{
	return atomic_load((_Atomic int *)ctx);
}

/* The transport from replica SELF to PEER. */
static void channel(struct channels *c, unsigned self, unsigned peer,
		    struct transport *t)
{
	if (c->ring)
		transport_ring(t, &c->w, self, peer, flag_alive,
			       (void *)&c->alive[peer]);
	else
		transport_socket(t, c->fds[self ? self : peer][self ? 1 : 0]);
}

static void close_others(struct channels *c, unsigned n, unsigned self)
{
	for (unsigned i = 1; !c->ring && i < n; i++) {
		if (i != self)
			close(c->fds[i][1]);
		close(c->fds[i][0]);
	}
}

static void follower_main(struct channels *c, const struct local_opts *o,
			  unsigned self, char *const argv[])
{
	struct transport t;
	struct monitor m;

	close_others(c, o->n, self);
	channel(c, self, 0, &t);
	roles_follower_init(&m, &t, self, o->strict);
	monitor_run(&m, argv);
	t.ops->close(&t);
	if (c->ring)
		atomic_store(&c->alive[self], 0);
	exit(roles_follower_status(&m.end));
}

static int leader_main(struct channels *c, const struct local_opts *o,
		       char *const argv[], struct monitor *m)
{
	unsigned n = o->n;
	struct transport *t = calloc(n, sizeof(*t));

	if (!t || roles_leader_init(m, t, n - 1, o->strict))
		return -1;
	for (unsigned i = 1; i < n; i++) {
		if (!c->ring)
			close(c->fds[i][1]);
		channel(c, 0, i, &t[i - 1]);
	}
	monitor_run(m, argv);
	for (unsigned i = 0; i < m->npeers; i++)
		t[i].ops->close(&t[i]);
	if (c->ring)
		atomic_store(&c->alive[0], 0);
	return 0;
}

int local_run(const struct local_opts *o, char *const argv[],
	      struct monitor *leader)
{
	static struct channels c;
	pid_t pids[LOCAL_MAX];
	unsigned n = o->n;
	int err;

	c.ring = o->ring;
	if (make_channels(&c, n)) {
		perror("mvx: channels between the replicas");
		return -1;
	}
	/* Followers first: the leader's spawn moves this process's later
	 * children into the leader's pid namespace. */
	for (unsigned i = 1; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("mvx: fork");
			return -1;
		}
		if (!pids[i])
			follower_main(&c, o, i, argv);
	}
	memset(leader, 0, sizeof(*leader));
	err = leader_main(&c, o, argv, leader);
	for (unsigned i = 1; i < n; i++) {
		/* One that gave no word is stuck: it must not outlive us. */
		if (!leader->peer_end || !leader->peer_end[i - 1].how)
			kill(pids[i], SIGKILL);
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	return err;
}
