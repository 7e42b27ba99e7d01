/* proc: the processes of one replica that the monitor traces, each with
 * its vid — the name it has in every replica (the root program is 0, a
 * child is named from its parent's vid and how many children the parent
 * had before it), so that records match although pids and the order in
 * which the kernels schedule the processes may differ. */
#ifndef DUPLEX_MVX_PROC_H
#define DUPLEX_MVX_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "fdcache.h"
#include "policy.h"
#include "record.h"
#include "tracee.h"

struct proc {
	pid_t pid;
	pid_t ppid;		/* the parent that forked it, if traced */
	uint32_t vid;
	uint32_t seq;		/* syscalls monitored so far */
	uint32_t children;	/* forks so far: names the next child */
	unsigned helper:1;	/* the namespace's init, not the program */
	unsigned known:1;	/* vid given (its parent's fork event seen) */
	unsigned started:1;	/* its first stop seen */
	unsigned held:1;	/* stopped, to be resumed once known */
	unsigned in_call:1;	/* resumed to its syscall's exit stop */
	unsigned parked:1;	/* follower: waits for the leader's record */
	unsigned refill:1;	/* follower: read restarted to get as much */
	unsigned steered:1;	/* follower: wait4 made to wait for one pid */
	unsigned inject:1;	/* a SIGCHLD sent, to be let through
				 * (sigalign.h) */
	unsigned rewind:1;	/* call skipped, to be made again after
				 * the signal's handler */
	unsigned outside:1;	/* follower: accept of a connection from
				 * outside (a stand-in's) */
	unsigned not_run:1;	/* follower: read or wait4 not run, the
				 * leader's result (EAGAIN, 0) */
	unsigned interrupted:1;	/* its call hit a signal, to be restarted */
	unsigned catches_chld:1;	/* has a handler for SIGCHLD */
	unsigned chld_restart:1;	/* ... with SA_RESTART */
	unsigned wait_parent:1;	/* a child held until its parent's fork
				 * is told (role_ops.hold_children) */
	unsigned sig_exit:1;	/* follower: resumed to its call's exit
				 * stop only for a signal due there */
	unsigned exit_parked:1;	/* follower: at that exit stop, waits for
				 * the leader's next record */
	unsigned held_at_return:1;	/* its held signal came as its last
					 * call returned */
	uint8_t held_sig;	/* follower: its own signal, held at its
				 * delivery stop until the leader's next
				 * record says if the leader's came here;
				 * leader: a signal deferred to its next
				 * syscall */
	/* Where its last monitored call returns to: the registers a signal
	 * delivered right there finds (sigalign.h). */
	uint64_t ret_rip, ret_rsp;
	long ret_orig;
	/* leader, strict: stopped at its call until every follower has
	 * acknowledged it (followers.h) */
	unsigned awaiting:1;
	uint8_t acked;		/* the followers (bit I) that have */
	long long await_until;	/* monotonic µs: past it, one silent is
				 * hung */
	uint64_t got, want;	/* refill: bytes read so far, the leader's */
	unsigned tsc_len;	/* a faulted rdtsc(p) being completed */
	struct fdcache fds;	/* the classes of its fds */
	const struct pol_entry *pol;
	struct tracee_call call;	/* the syscall it is in */
	struct user_regs_struct regs;	/* ... its registers at its seccomp
					 * stop */
	int64_t result;			/* ... its result, at its exit stop */
	struct record mine;		/* what this replica's call did */
	struct record *theirs;		/* follower: the leader's record */
};

struct procs {
	struct proc *v;
	unsigned n, cap;
};

struct proc *procs_find(struct procs *t, pid_t pid);
/* A new entry for PID (not known, not started): NULL if out of memory. */
struct proc *procs_add(struct procs *t, pid_t pid);
void procs_remove(struct procs *t, struct proc *p);

/* The vid of PARENT's next child (counts it). */
uint32_t proc_child_vid(struct proc *parent);

#endif
