#define _GNU_SOURCE
#include "ptyhold.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void ptyhold_init(struct ptyhold *h)
{
	h->fd = -1;
	h->stop_fd = -1;
}

#define GATHER_MS 5

/* Read and discard until told to stop.  When QEMU closes its side (the
 * domain is gone) reads fail with EIO and poll reports POLLHUP for good:
 * there is nothing left to drain, so the thread ends there too. */
static void *drain(void *arg)
{
	struct ptyhold *h = arg;
	struct pollfd fds[2] = {
		{ .fd = h->fd, .events = POLLIN },
		{ .fd = h->stop_fd, .events = POLLIN },
	};
	char buf[4096];

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (fds[1].revents)
			return NULL;
		if (fds[0].revents & POLLIN) {
			ssize_t n = read(h->fd, buf, sizeof(buf));

			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return NULL;
			/* Caught up: let the output gather rather than wake
			 * for each of QEMU's writes (a byte or a line at a
			 * time: tens of thousands a second under `yes`).
			 * The tty buffers far more than comes meanwhile. */
			if (n >= 0 && (size_t)n < sizeof(buf))
				poll(&fds[1], 1, GATHER_MS);
		} else if (fds[0].revents) {
			return NULL;
		}
	}
}

int ptyhold_open(struct ptyhold *h, const char *name, const char *path)
{
	int err;

	ptyhold_init(h);
	h->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (h->fd < 0) {
		log_error("%s: cannot open '%s': %m", name, path);
		return -1;
	}
	h->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (h->stop_fd < 0) {
		log_error("%s: eventfd: %m", name);
		goto fail;
	}
	err = pthread_create(&h->drainer, NULL, drain, h);
	if (err) {
		log_error("%s: cannot start the thread that drains '%s': %s",
			  name, path, strerror(err));
		goto fail;
	}
	return 0;
fail:
	if (h->stop_fd >= 0)
		close(h->stop_fd);
	close(h->fd);
	ptyhold_init(h);
	return -1;
}

void ptyhold_close(struct ptyhold *h)
{
	uint64_t one = 1;

	if (h->fd < 0)
		return;
	/* poll and read are cancellation points: the fallback if the
	 * eventfd cannot be written. */
	if (write(h->stop_fd, &one, sizeof(one)) != sizeof(one))
		pthread_cancel(h->drainer);
	pthread_join(h->drainer, NULL);
	close(h->stop_fd);
	close(h->fd);
	ptyhold_init(h);
}
