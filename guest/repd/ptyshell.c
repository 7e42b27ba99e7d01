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

int ptyshell_attach(const char *slave)
{
	int fd, i;

	if (setsid() < 0)
		return -1;
	fd = open(slave, O_RDWR | O_NOCTTY);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

/* In the child: the pty becomes the controlling terminal of a new
 * session, then the shell replaces us. */
static void __attribute__((noreturn)) exec_shell(void *arg)
{
	const struct shell_args *a = arg;

	if (a->join_pidfd >= 0 &&
	    setns(a->join_pidfd, CLONE_NEWNS | CLONE_NEWUTS) < 0)
		child_fail("cannot enter the replication namespace");
	if (ptyshell_attach(a->slave) < 0)
		child_fail(a->slave);
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

int ptyshell_open(unsigned short rows, unsigned short cols, char *slave,
		  size_t size)
{
	struct winsize ws = { .ws_row = rows ? rows : 24,
			      .ws_col = cols ? cols : 80 };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master < 0) {
		guest_error("cannot open a pty: %s", strerror(errno));
		return -1;
	}
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, size) != 0 ||
	    ioctl(master, TIOCSWINSZ, &ws) < 0 ||
	    fcntl(master, F_SETFL, O_NONBLOCK) < 0) {
		guest_error("cannot set up the pty: %s", strerror(errno));
		close(master);
		return -1;
	}
	return master;
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

	sh->master = ptyshell_open(o->rows, o->cols, a.slave, sizeof(a.slave));
	if (sh->master < 0)
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
