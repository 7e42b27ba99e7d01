/* ptyshell: the shell of a replicated session, on a pty whose master repd
 * holds.  Every partition starts it the same way (same program, options,
 * environment, prompt, terminal size, working directory), so that the
 * same input gives the same output wherever the kernels agree. */
#ifndef DUPLEX_PTYSHELL_H
#define DUPLEX_PTYSHELL_H

#include <stddef.h>
#include <sys/types.h>

/* The prompt shows the last exit status: a command whose status differs
 * between partitions makes the next prompt line differ too. */
#define PTYSHELL_PS1	"rep[$?]:\\w# "

struct ptyshell {
	pid_t pid;		/* to waitpid(): the shell, or the init above it */
	int master;		/* non-blocking, close-on-exec */
};

struct ptyshell_opts {
	const char *cwd;	/* where the shell starts ("/" if missing) */
	unsigned short rows, cols;
	int join_pidfd;		/* >= 0: a pidfd of the process whose PID,
				 * mount and UTS namespaces to enter (the
				 * leader, inside repns); -1: a new replication
				 * namespace (a member) */
};

/* 0, or -1 (reported) with nothing left behind. */
int ptyshell_start(struct ptyshell *sh, const struct ptyshell_opts *o);

/* A new pty of ROWS x COLS (0: 24 x 80): its master (non-blocking,
 * close-on-exec), its slave's path in SLAVE; -1 (reported). */
int ptyshell_open(unsigned short rows, unsigned short cols, char *slave,
		  size_t size);
/* In a child: a new session whose controlling terminal, and stdio, is
 * the pty SLAVE.  0, or -1 (errno). */
int ptyshell_attach(const char *slave);

#endif
