/* spawn: start one replica of the program — a helper that is init of a
 * new pid namespace (so that pids are the same in every replica, and
 * nothing outlives the run: when init ends the kernel kills the rest),
 * with a mount namespace and a /proc of its own, which forks the program
 * under the seccomp filter, with a /tmp of its own (a tmpfs). */
#ifndef DUPLEX_MVX_SPAWN_H
#define DUPLEX_MVX_SPAWN_H

#include <sys/types.h>

/* The ptrace options of every traced process. */
#define SPAWN_PTRACE_OPTIONS \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP | \
	 PTRACE_O_EXITKILL)

/* Start ARGV as replica REPLICA (MVX_REPLICA in its environment), seized
 * by the caller: the helper's pid, or -1 (reported).  The caller's later
 * children land in the new pid namespace too: call it once per process,
 * after any other fork. */
pid_t spawn_replica(char *const argv[], unsigned replica);

/* The helper's exit status when it could not start the program. */
#define MVX_SPAWN_FAILED 126

#endif
