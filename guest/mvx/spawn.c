/* spawn: the helper waits on a pipe until the monitor has seized it (so
 * that its fork of the program is traced from the first instruction),
 * then sets up its namespaces and forks the program, and reaps until the
 * program ends, when it exits and takes every other process with it.
 *
 * The program is not init itself: init ignores signals it has no handler
 * for (a program's own kill(getpid(), SIGTERM) would do nothing), and a
 * traced init that faults is never killed. */
#define _GNU_SOURCE
#include "spawn.h"
#include "filter.h"
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "mvx: %s: %s\n", what, strerror(errno));
	_exit(MVX_SPAWN_FAILED);
}

/* The program, found as execvp would find it and opened before /tmp is
 * replaced (a checkout, and so the program, may live under /tmp); -1 if
 * not found, for execvp to say why. */
static int open_program(const char *name)
{
	const char *dir, *end;
	char path[4096];

	if (strchr(name, '/'))
		return open(name, O_RDONLY | O_CLOEXEC);
	dir = getenv("PATH");
	for (dir = dir ? dir : "/usr/local/bin:/bin:/usr/bin"; ; dir = end + 1) {
		end = strchrnul(dir, ':');
		snprintf(path, sizeof(path), "%.*s/%s", (int)(end - dir), dir,
			 name);
		if (access(path, X_OK) == 0)
			return open(path, O_RDONLY | O_CLOEXEC);
		if (!*end)
			return -1;
	}
}

static void program_main(char *const argv[], unsigned replica, int exe)
{
	sigset_t none;
	char val[16];

	/* The monitor blocks SIGCHLD for its signalfd: the program must not
	 * inherit that (a shell waiting in sigsuspend would never wake). */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL))
		die("sigprocmask");
	/* Every replica starts with every signal's default action: what
	 * mvx was started from (a shell's background job ignores SIGINT, a
	 * partition's daemon others) differs per partition, and a program
	 * asks (rt_sigaction) and goes its way by it. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);

	/* The same addresses in every replica: pointers compare. */
	if (personality(ADDR_NO_RANDOMIZE) == -1)
		die("personality");
	/* rdtsc faults, for the monitor to replicate (tsc.h). */
	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV))
		die("PR_SET_TSC");
	snprintf(val, sizeof(val), "%u", replica);
	if (setenv("MVX_REPLICA", val, 1) || filter_install())
		die("seccomp filter");
	/* Close-on-exec, so that every replica has the same fds: a script,
	 * whose interpreter would need the fd, fails here and is looked up
	 * by its path below. */
	if (exe >= 0)
		fexecve(exe, argv, environ);
	execvp(argv[0], argv);
	fprintf(stderr, "mvx: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void helper_main(char *const argv[], unsigned replica, int go)
{
	pid_t child, w;
	int st, exe;
	char c;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || read(go, &c, 1) != 1)
		_exit(MVX_SPAWN_FAILED);
	close(go);
	exe = open_program(argv[0]);
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		die("mount namespace with its /proc");
	/* Replicas on one kernel share every file: the same temporary
	 * name, made by each (mkstemp with the leader's random bytes),
	 * would exist for the second.  Each gets a /tmp of its own (paths
	 * under the real /tmp are out of its sight, but for the program
	 * itself, opened before, and the working directory). */
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=1777"))
		die("a /tmp of its own");
	/* A follower: a loopback of its own (sock.h). */
	if (replica && sock_own_loopback())
		die("a network namespace of its own");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child)
		program_main(argv, replica, exe);
	for (;;) {
		w = wait(&st);
		if (w == child)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) :
			      128 + WTERMSIG(st));
		if (w < 0 && errno != EINTR)
			_exit(MVX_SPAWN_FAILED);
	}
}

pid_t spawn_replica(char *const argv[], unsigned replica)
{
	int go[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC)) {
		perror("mvx: pipe");
		return -1;
	}
	if (unshare(CLONE_NEWPID)) {
		perror("mvx: pid namespace (mvx runs as root)");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		perror("mvx: fork");
		goto fail;
	}
	if (!pid) {
		close(go[1]);
		helper_main(argv, replica, go[0]);
	}
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0, SPAWN_PTRACE_OPTIONS)) {
		perror("mvx: ptrace");
		kill(pid, SIGKILL);
		close(go[1]);
		return -1;
	}
	if (write(go[1], "g", 1) != 1)
		perror("mvx: starting the replica");
	close(go[1]);
	return pid;
fail:
	close(go[0]);
	close(go[1]);
	return -1;
}
