#define _GNU_SOURCE
#include "sigwatch.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int pipe_fds[2] = { -1, -1 };
static volatile sig_atomic_t pending;

/* Async-signal-safe: a store and a write(2), with errno preserved for the
 * code we interrupted.  A full pipe already says "a signal came". */
static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	ssize_t n;

	if (!pending)
		pending = sig;
	/* EAGAIN means the pipe is full, hence readable: nothing is lost. */
	n = write(pipe_fds[1], &c, 1);
	(void)n;
	errno = saved;
}

int sigwatch_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	if (pipe_fds[0] >= 0)
		return 0;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("cannot create the signal pipe: %m");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call returns EINTR, so its loop looks at
	 * sigwatch_pending() instead of waiting out its deadline. */
	sa.sa_flags = 0;
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0) {
			log_error("cannot install a handler for signal %d: %m",
				  sigs[i]);
			return -1;
		}
	}
	return 0;
}

int sigwatch_fd(void)
{
	return pipe_fds[0];
}

int sigwatch_pending(void)
{
	return pending;
}

void sigwatch_drain(void)
{
	char buf[64];

	if (pipe_fds[0] < 0)
		return;
	while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
		;
}

int sigwatch_fork_child(void)
{
	if (pipe_fds[0] >= 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
	}
	pipe_fds[0] = pipe_fds[1] = -1;
	pending = 0;
	return sigwatch_install();
}
