/* The replicated shell on a pty: see ptyshell.h. */
#define _GNU_SOURCE
#include "ptyshell.h"
#include "guest.h"
#include "repns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

struct shell_args {
	char slave[64];
	const char *cwd;
	int join_pidfd;		/* whose mount and UTS namespaces to enter, or -1 */
};

static void __attribute__((noreturn)) child_fail(const char *what)
{
	guest_error("replicated shell: %s: %s", what, strerror(errno));
	_exit(127);
}

/* In the child: the pty becomes the controlling terminal of a new
 * session, then the shell replaces us. */
static void __attribute__((noreturn)) exec_shell(void *arg)
{
	const struct shell_args *a = arg;
	int fd, i;

	if (setsid() < 0)
		child_fail("setsid");
	fd = open(a->slave, O_RDWR | O_NOCTTY);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		child_fail(a->slave);
	if (a->join_pidfd >= 0 &&
	    setns(a->join_pidfd, CLONE_NEWNS | CLONE_NEWUTS) < 0)
		child_fail("cannot enter the replication namespace");
	for (i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			child_fail("dup2");
	if (fd > 2)
		close(fd);
	if (chdir(a->cwd && *a->cwd ? a->cwd : "/") < 0 && chdir("/") < 0)
		child_fail("chdir");
	clearenv();
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "vt100", 1);
	setenv("PS1", PTYSHELL_PS1, 1);
	setenv(REPNS_ENV, "1", 1);
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	child_fail("cannot run /bin/sh");
}

static int open_master(struct ptyshell *sh, const struct ptyshell_opts *o,
		       char *slave, size_t size)
{
	struct winsize ws = { .ws_row = o->rows ? o->rows : 24,
			      .ws_col = o->cols ? o->cols : 80 };

	sh->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sh->master < 0) {
		guest_error("cannot open a pty: %s", strerror(errno));
		return -1;
	}
	if (grantpt(sh->master) < 0 || unlockpt(sh->master) < 0 ||
	    ptsname_r(sh->master, slave, size) != 0 ||
	    ioctl(sh->master, TIOCSWINSZ, &ws) < 0 ||
	    fcntl(sh->master, F_SETFL, O_NONBLOCK) < 0) {
		guest_error("cannot set up the pty: %s", strerror(errno));
		close(sh->master);
		return -1;
	}
	return 0;
}

/* The leader: a child of ours inside the namespaces of the process
 * JOIN_PIDFD names.  Entering its PID namespace only places our next
 * child there; we go back after. */
static pid_t start_joined(struct shell_args *a)
{
	int self_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	pid_t pid = -1;

	if (self_fd < 0) {
		guest_error("cannot open /proc/self/ns/pid: %s", strerror(errno));
		return -1;
	}
	if (setns(a->join_pidfd, CLONE_NEWPID) < 0) {
		guest_error("cannot enter the PID namespace of the replication: %s",
			    strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0)
		exec_shell(a);
	if (pid < 0)
		guest_error("cannot fork the shell: %s", strerror(errno));
	if (setns(self_fd, CLONE_NEWPID) < 0)
		guest_error("cannot return to this PID namespace: %s", strerror(errno));
out:
	close(self_fd);
	return pid;
}

int ptyshell_start(struct ptyshell *sh, const struct ptyshell_opts *o)
{
	struct shell_args a = { .cwd = o->cwd, .join_pidfd = o->join_pidfd };

	if (open_master(sh, o, a.slave, sizeof(a.slave)) < 0)
		return -1;
	if (o->join_pidfd >= 0)
		sh->pid = start_joined(&a);
	else
		sh->pid = repns_spawn(exec_shell, &a);
	if (sh->pid < 0) {
		close(sh->master);
		sh->master = -1;
		return -1;
	}
	return 0;
}
