/* Replication namespaces: see repns.h. */
#define _GNU_SOURCE
#include "repns.h"
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static void init_fail(const char *what)
{
	guest_error("replication namespace: %s: %s", what, strerror(errno));
	_exit(127);
}

/* PID 1 of the new namespace: make it a small machine of its own, run
 * BODY, reap whatever it leaves behind, end with its status (the kernel
 * then kills anything still inside). */
static void __attribute__((noreturn)) ns_init(repns_body_fn body, void *arg)
{
	pid_t child, w;
	int status = 0;

	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) < 0)
		init_fail("cannot create mount and UTS namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		init_fail("cannot make / private");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		init_fail("cannot mount its /proc");
	if (sethostname(REPNS_HOSTNAME, strlen(REPNS_HOSTNAME)) < 0)
		init_fail("cannot set its host name");
	setenv(REPNS_ENV, "1", 1);
	child = fork();
	if (child < 0)
		init_fail("cannot fork");
	if (child == 0)
		body(arg);
	for (;;) {
		w = waitpid(-1, &status, 0);
		if (w == child)
			break;
		if (w < 0 && errno != EINTR)
			init_fail("waitpid");
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status)
				: 128 + WTERMSIG(status));
}

pid_t repns_spawn(repns_body_fn body, void *arg)
{
	int self_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (self_ns < 0) {
		guest_error("cannot open /proc/self/ns/pid: %s", strerror(errno));
		return -1;
	}
	/* Only the next child enters the new PID namespace, as its init;
	 * then the caller's own children go back to the caller's. */
	if (unshare(CLONE_NEWPID) < 0) {
		guest_error("cannot create a PID namespace: %s", strerror(errno));
		close(self_ns);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(self_ns);
		ns_init(body, arg);
	}
	if (pid < 0)
		guest_error("cannot fork the namespace's init: %s", strerror(errno));
	if (setns(self_ns, CLONE_NEWPID) < 0)
		guest_error("cannot return to this PID namespace: %s", strerror(errno));
	close(self_ns);
	return pid;
}
