/* repns: enter a new replication namespace (PID, UTS, mount) with a
 * minimal init, and run a shell (or CMD) in it — the reference's
 * launch_ns.sh.  `rep-on N` is run from inside. */
#include "guest.h"
#include "repns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: repns [CMD [ARG...]]\n\n"
	      "Start a shell (or CMD) in a new replication namespace: its own PID,\n"
	      "UTS (host name '" REPNS_HOSTNAME "') and mount namespaces, with a minimal init.\n"
	      "Inside it, 'rep-on N' replicates the shell on N partitions.\n", f);
}

static void run(void *arg)
{
	char **argv = arg;
	static char *shell[] = { "sh", NULL };

	if (!argv[0]) {
		setenv("PS1", "rep:\\w# ", 1);
		argv = shell;
	}
	execvp(argv[0], argv);
	guest_error("cannot run '%s': %s", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	guest_prog = "repns";
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (getenv(REPNS_ENV)) {
		guest_error("already inside a replication namespace");
		return 2;
	}
	pid = repns_spawn(run, argv + 1);
	if (pid < 0)
		return 1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
