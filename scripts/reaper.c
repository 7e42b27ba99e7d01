/* reaper: run a daemon that forks itself into the background (libvirtd
 * -d) as `PROG ARGS` would, and reap at once every process it orphans.
 *
 *   reaper PROG [ARGS...]
 *
 * Exits with PROG's own status, as soon as PROG's foreground part ends;
 * a background process stays behind as a child subreaper
 * (PR_SET_CHILD_SUBREAPER) of the daemon and of everything it starts,
 * reaping each as it ends, and leaves when none is left.
 *
 * Why: libvirtd starts QEMU as an orphan, reparented to the nearest
 * subreaper or to PID 1.  An init that reaps lazily (a container's or a
 * micro-VM's, about once a second) leaves a QEMU that ended as a zombie,
 * and libvirt's virDomainDestroy waits, in steps of 200 ms, until
 * kill(pid, 0) fails: 1.2 to 1.8 s of every domain's teardown went there
 * (scripts/setup.sh starts libvirtd through this when it starts it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "reaper: %s: %s\n", what, strerror(errno));
	exit(127);
}

/* Reap every child until none is left; PROG's status (the first child)
 * goes down FD as soon as it is known. */
static void reap_all(pid_t prog, int fd)
{
	int st;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return;
		if (pid == prog && fd >= 0) {
			if (write(fd, &st, sizeof(st)) != sizeof(st))
				perror("reaper: status");
			close(fd);
			fd = -1;
		}
	}
}

/* What stays behind holds no one's pipe open (make check | tee would
 * wait for it). */
static void drop_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		die("/dev/null");
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* The background part: a session of its own, a subreaper, PROG its
 * child. */
static void run_reaper(char **argv, int fd)
{
	pid_t prog;

	if (setsid() < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("subreaper");
	prog = fork();
	if (prog < 0)
		die("fork");
	if (!prog) {
		close(fd);
		execvp(argv[0], argv);
		die(argv[0]);
	}
	drop_stdio();
	reap_all(prog, fd);
	exit(0);
}

int main(int argc, char **argv)
{
	int p[2], st;
	pid_t bg;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper PROG [ARGS...]\n");
		return 2;
	}
	if (pipe(p) < 0)
		die("pipe");
	bg = fork();
	if (bg < 0)
		die("fork");
	if (!bg) {
		close(p[0]);
		run_reaper(argv + 1, p[1]);
	}
	close(p[1]);
	if (read(p[0], &st, sizeof(st)) != sizeof(st))
		return 127;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
