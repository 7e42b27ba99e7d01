/* monitor: one replica's monitor — it starts the program in a pid and
 * mount namespace of its own, traces every process of it, and on each
 * monitored syscall does what its role says: the leader sends records to
 * its followers, a follower checks its program against them. */
#ifndef DUPLEX_MVX_MONITOR_H
#define DUPLEX_MVX_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "compare.h"
#include "inbox.h"
#include "proc.h"
#include "transport.h"

/* Exit statuses of mvx besides the program's own (docs/mvx.md). */
#define MVX_EXIT_DIVERGED	100	/* a follower diverged */
#define MVX_EXIT_ERROR		101	/* mvx failed, or refused PROG */
#define MVX_EXIT_LOST		102	/* a replica lost (gone, killed) */

struct monitor;

#define MONITOR_SIG_HELD	(-2)

/* The kernel's restart codes (include/linux/errno.h, not UAPI): a call a
 * signal cut short, made again after it or returning EINTR. */
#define ERESTARTSYS_	512
#define ERESTARTNOINTR_	513
#define ERESTARTNOHAND_	514

/* What a role does at each stop; each returns 0, or -1 to end the run
 * (m->end says how). */
struct role_ops {
	int (*on_call)(struct monitor *m, struct proc *p);
	int (*on_exit_stop)(struct monitor *m, struct proc *p);
	/* P faulted on a rdtsc(p) of p->tsc_len bytes (tsc.h). */
	int (*on_tsc)(struct monitor *m, struct proc *p);
	/* Signal SIG is about to be delivered to P: the signal to deliver
	 * (0: none), MONITOR_SIG_HELD (P stays stopped: the role resumes
	 * it with monitor_deliver), or -1 (sigalign.h). */
	int (*on_signal)(struct monitor *m, struct proc *p, int sig);
	/* P's call (p->call), interrupted by a signal, was not restarted:
	 * it returned -EINTR to the program, now at another syscall. */
	int (*on_eintr)(struct monitor *m, struct proc *p);
	/* Process P of the program has ended with wait status ST (NULL: no
	 * action). */
	void (*on_gone)(struct monitor *m, const struct proc *p, int st);
	/* Between stops: watch the transport (follower).  TIMEOUT_MS as
	 * poll(). */
	int (*idle)(struct monitor *m, int timeout_ms);
	/* The program is gone: settle with the peers. */
	void (*finish)(struct monitor *m);
	/* A child forked in a call resumed to its exit stop stays stopped
	 * until monitor_release_children() (leader: its followers learn of
	 * the fork first). */
	bool hold_children;
};

struct monitor {
	const struct role_ops *role;
	unsigned replica;		/* 0: the leader */
	struct transport *peers;	/* leader: followers 1..; follower: [0] */
	unsigned npeers;
	bool *peer_ok;			/* leader: follower I listens */
	struct mvx_end *peer_end;	/* leader: how each follower ended */
	int sigfd;			/* SIGCHLD, for a follower's poll */
	bool strict;			/* followers ACK each syscall */
	unsigned long checked;		/* follower: syscalls checked */
	unsigned diverged;		/* follower: divergences found */
	int first_diverged;		/* follower: the first one's syscall
					 * (-1: how the program ended) */
	bool stopping;			/* killed: only reaping now */
	struct procs procs;
	pid_t helper;			/* the namespace's init */
	bool root_done;
	int root_status;		/* wait status of the root program */
	unsigned long calls;		/* syscalls monitored */
	struct mvx_end end;		/* how this replica's run ended */
	struct mvx_end leader_end;	/* follower: the leader's END */
	bool leader_ended;
	bool leader_gone;		/* follower: the transport closed */
	struct inbox inbox;		/* follower: the leader's records */
	/* Follower: told of a divergence it found (NULL: none; between
	 * partitions, it publishes the record in the window). */
	void (*on_divergence)(void *ctx, const struct mvx_div *d);
	void *div_ctx;
};

/* Run ARGV as replica REPLICA (0: the leader), under ROLE, with PEERS:
 * returns when every process of the program is gone.  m->end tells how. */
void monitor_run(struct monitor *m, char *const argv[]);

/* Resume P: to its syscall's exit stop (TO_EXIT) or on. */
int monitor_resume(struct proc *p, bool to_exit);

/* Resume the children of PARENT held for it (role_ops.hold_children).
 * 0 or -1. */
int monitor_release_children(struct monitor *m, const struct proc *parent);
/* Resume P, held at a signal's delivery stop, with SIG (0: none). */
int monitor_deliver(struct proc *p, int sig);

/* End the run now: kill every process of the program. */
void monitor_kill(struct monitor *m);

/* Record P's syscall (at its seccomp stop): fill p->call, p->pol and
 * p->mine with the IN buffers; the kind the policy gives.  0, 1 (the
 * process is gone), -1 if the program did what mvx refuses (a thread):
 * m->end set, reported. */
int monitor_begin_call(struct monitor *m, struct proc *p,
		       enum mvx_kind *kind);

/* Record P's rdtsc(p) of LEN bytes as a pseudo-syscall (MVX_NR_TSC). */
void monitor_begin_tsc(struct monitor *m, struct proc *p, unsigned len);

/* Set m->end; a divergence or a failure also reported on stderr. */
void monitor_end(struct monitor *m, enum mvx_end_how how, int code);

/* An END with how/code as the root program's wait status says. */
void monitor_end_of_status(struct mvx_end *e, int status);

#endif
