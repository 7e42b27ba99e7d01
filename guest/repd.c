/* repd: the replication daemon of one partition.  See guest/repd/repd.h
 * and docs/replication.md. */
#include "repd.h"
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define IDLE_POLL_MS	50
#define BUSY_POLL_MAX_MS 16

static int listen_control(void)
{
	struct sockaddr_un a;
	socklen_t len = repd_socket_addr(&a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0 ||
	    listen(fd, 4) < 0) {
		guest_error("cannot listen on @%s: %s (is another repd running?)",
			    REPD_SOCKET, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* What moved since the last look: the loop polls fast while things
 * move, and backs off to BUSY_POLL_MAX_MS when they do not. */
static uint64_t progress(const struct repd *d)
{
	uint64_t sum = d->lines.count + d->pty_in_len;
	unsigned p;

	for (p = 0; p < WINDOW_MAX_PARTITIONS; p++)
		sum += d->peer[p].got + d->peer[p].out.len + d->peer[p].closed;
	return sum + d->session;
}

static void wait_events(struct repd *d, int timeout_ms)
{
	struct pollfd fds[] = {
		{ .fd = d->listen_fd, .events = POLLIN },
		{ .fd = d->session ? d->sh.master : -1, .events = POLLIN },
		{ .fd = d->leading ? d->term_in : -1, .events = POLLIN },
		/* A lockstep run: its mvx gone, its follower's output. */
		{ .fd = d->mvx_client, .events = POLLIN },
		{ .fd = d->mvx_pty, .events = POLLIN },
	};

	poll(fds, sizeof(fds) / sizeof(fds[0]), timeout_ms);
	if (fds[0].revents & POLLIN)
		leader_accept(d);
}

static int repd_init(struct repd *d)
{
	int self;

	memset(d, 0, sizeof(*d));
	d->sh.pid = -1;
	d->sh.master = d->client = d->term_in = d->term_out = -1;
	d->mvx_client = d->mvx_pty = -1;
	self = guest_partition_self();
	if (self < 0 || guest_window_open(&d->w) < 0)
		return -1;
	d->self = (unsigned)self;
	d->console = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (d->console < 0) {
		guest_error("cannot open /dev/console: %s", strerror(errno));
		return -1;
	}
	d->listen_fd = listen_control();
	return d->listen_fd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct repd d;
	int timeout = 1;
	uint64_t before;

	guest_prog = "repd";
	if (argc > 1) {
		bool help = argc == 2 && (!strcmp(argv[1], "-h") ||
					  !strcmp(argv[1], "--help"));

		fputs("usage: repd\n\nThe replication daemon: started by init on every partition; carries\n"
		      "the replicated sessions that 'rep-on N' starts (docs/replication.md).\n",
		      help ? stdout : stderr);
		return help ? 0 : 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (repd_init(&d) < 0)
		return 1;
	for (;;) {
		before = progress(&d);
		lockstep_step(&d);
		if (!d.session) {
			if (!lockstep_busy(&d))
				member_watch(&d);
		} else if (d.leading)
			leader_step(&d);
		else
			member_step(&d);
		if (!d.session)
			timeout = IDLE_POLL_MS;
		else if (progress(&d) != before)
			timeout = 1;
		else if (timeout < BUSY_POLL_MAX_MS)
			timeout *= 2;
		wait_events(&d, timeout);
	}
}
