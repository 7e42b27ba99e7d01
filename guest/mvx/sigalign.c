/* sigalign: whether a signal is caught is in /proc/PID/status (SigCgt,
 * a hex mask, bit SIG - 1).  A signal the program does not catch either
 * does nothing or ends the process, which the leader's GONE record
 * mirrors (follower.c).  A follower's side: its own signal held or
 * dropped, the leader's sent where the leader's landed. */
#include "sigalign.h"
#include "inbox.h"
#include "tracee.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>

static bool caught(pid_t pid, int sig)
{
	char path[48], line[128];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigCgt: %llx", &mask) == 1;
	fclose(f);
	return found && (mask >> (sig - 1) & 1);
}

bool sigalign_applies(pid_t pid, int sig)
{
	return sig == SIGCHLD && caught(pid, sig);
}

/* ----- a follower */

/* Send P the signal of the leader's record R, to be let through. */
static int send_signal(struct proc *p, struct record *r)
{
	int sig = (int)r->call.args[0];

	inbox_drop(r);
	p->inject = 1;
	return kill(p->pid, sig) && errno != ESRCH ? -1 : 0;
}

/* P, between two syscalls, is due the leader's signal before its next
 * one: sent now.  0 or -1. */
int sigalign_due(struct monitor *m, struct proc *p)
{
	struct record *r = inbox_peek(m, p->vid);

	if (!r || r->call.nr != MVX_NR_SIGNAL || r->call.seq != p->seq)
		return 0;
	return send_signal(p, inbox_take(m, p->vid));
}

/* P, stopped at the call (or rdtsc) it has begun, gets a signal first:
 * the call not counted, skipped and made again once the handler has
 * run.  The signal is sent unless one is already on its way (R NULL). */
int sigalign_first(struct monitor *m, struct proc *p, struct record *r)
{
	p->seq = p->mine.call.seq;
	m->calls--;
	p->parked = 0;
	if (r && send_signal(p, r))
		return -1;
	if (p->call.nr == MVX_NR_TSC) {
		/* The SIGSEGV dropped: rdtsc faults again after the handler. */
		p->tsc_len = 0;
		return ptrace(PTRACE_CONT, p->pid, 0, 0) && errno != ESRCH ?
		       -1 : 0;
	}
	p->rewind = 1;
	if (tracee_skip(p->pid))
		return errno == ESRCH ? 0 : -1;
	return monitor_resume(p, true);
}

/* The exit stop of a call skipped for a signal: the syscall instruction
 * again, for after the handler. */
int sigalign_rewind(struct proc *p)
{
	struct user_regs_struct r;

	p->rewind = 0;
	if (tracee_regs(p->pid, &r))
		return errno == ESRCH ? 0 : -1;
	r.rax = (unsigned long)p->call.nr;
	r.rip -= 2;
	if (tracee_set_regs(p->pid, &r))
		return errno == ESRCH ? 0 : -1;
	return monitor_resume(p, false);
}

/* P's own signal, held at its delivery stop: delivered there if the
 * leader's came at the same point (its SIGNAL record is the next one for
 * P), dropped if the leader's process went on instead (the leader's
 * record then says where its signal goes).  The signal to deliver, 0,
 * or MONITOR_SIG_HELD while the leader's next record has not come. */
static int held_signal(struct monitor *m, struct proc *p)
{
	struct record *r = inbox_peek(m, p->vid);
	int sig = p->held_sig;

	if (!r && !m->leader_ended && !m->leader_gone)
		return MONITOR_SIG_HELD;
	p->held_sig = 0;
	if (!r || r->call.nr != MVX_NR_SIGNAL || r->call.seq != p->seq)
		return 0;
	inbox_drop(inbox_take(m, p->vid));
	return sig;
}

/* SIG about to be delivered to P: the one sent for the leader's, its
 * own where the leader's came too, or held back (the leader's record
 * says where it goes). */
int sigalign_on_signal(struct monitor *m, struct proc *p, int sig)
{
	if (!sigalign_applies(p->pid, sig))
		return sig;
	if (p->inject) {
		p->inject = 0;
		return sig;
	}
	if (p->in_call)
		return 0;
	p->held_sig = (uint8_t)sig;
	return held_signal(m, p);
}

/* P's signal held: on once the leader's next record has come. */
int sigalign_release_held(struct monitor *m, struct proc *p)
{
	int sig = held_signal(m, p);

	return sig == MONITOR_SIG_HELD ? 0 : monitor_deliver(p, sig);
}
