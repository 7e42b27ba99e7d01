/* sigalign: whether a signal is caught is in /proc/PID/status (SigCgt,
 * a hex mask, bit SIG - 1).  A signal the program does not catch either
 * does nothing or ends the process, which the leader's GONE record
 * mirrors (follower.c).  A signal record's args[1] is 1 when the leader's
 * process took it at the return of its syscall before.  Where the mask
 * changes (rt_sigprocmask) is a monitored syscall, so between two of them
 * a replica blocks SIGCHLD exactly where the leader did. */
#include "sigalign.h"
#include "inbox.h"
#include "tracee.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

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

/* The kernel delivers a signal pending at a syscall's return before the
 * next instruction: the registers are those the call returns to, and
 * orig_rax still names it (rt_sigreturn sets it to -1).  One delivered
 * after an interrupt has orig_rax -1 and, unless the program came back
 * to that very instruction and stack, other registers. */
bool sigalign_at_return(const struct proc *p)
{
	struct user_regs_struct r;

	if (!p->ret_rip || tracee_regs(p->pid, &r))
		return false;
	return (long)r.orig_rax == p->ret_orig && r.rip == p->ret_rip &&
	       r.rsp == p->ret_rsp;
}

/* rt_sigreturn returns to the registers saved in the frame its handler
 * was called with: the frame's struct ucontext is at the stack pointer
 * (the handler's return popped the frame's return address), its
 * uc_mcontext 40 bytes in (uc_flags, uc_link, uc_stack), and in that
 * struct sigcontext, rsp and rip are the 16th and 17th words (x86-64
 * ABI, fixed). */
#define SIGFRAME_RSP	(40 + 15 * 8)

static void note_return(struct proc *p)
{
	uint64_t at[2];

	p->ret_orig = p->call.nr;
	p->ret_rip = p->call.rip;
	p->ret_rsp = p->call.rsp;
	if (p->call.nr != SYS_rt_sigreturn)
		return;
	p->ret_orig = -1;
	if (tracee_read(p->pid, p->call.rsp + SIGFRAME_RSP, at, sizeof(at)))
		at[0] = at[1] = 0;	/* no return point: never matched */
	p->ret_rsp = at[0];
	p->ret_rip = at[1];
}

/* rt_sigaction(SIGCHLD, act, ...): the kernel's struct sigaction starts
 * with the handler and its flags. */
static void note_handler(struct proc *p)
{
	uint64_t act[2];

	if (p->call.nr != SYS_rt_sigaction || p->call.args[0] != SIGCHLD ||
	    !p->call.args[1] ||
	    tracee_read(p->pid, p->call.args[1], act, sizeof(act)))
		return;
	p->catches_chld = act[0] != (uint64_t)(uintptr_t)SIG_DFL &&
			  act[0] != (uint64_t)(uintptr_t)SIG_IGN;
	p->chld_restart = !!(act[1] & SA_RESTART);
}

bool sigalign_restarts(const struct proc *p, int64_t result)
{
	return result == -ERESTARTNOINTR_ ||
	       (result == -ERESTARTSYS_ && p->chld_restart);
}

void sigalign_note_call(struct proc *p)
{
	note_return(p);
	note_handler(p);
}

int sigalign_first(struct monitor *m, struct proc *p, int sig)
{
	p->seq = p->mine.call.seq;
	m->calls--;
	p->parked = 0;
	if (sig) {
		p->inject = 1;
		if (kill(p->pid, sig) && errno != ESRCH)
			return -1;
	}
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

/* ----- a follower */

/* Whether record R is the leader's signal for P's next syscall; and
 * taken as the syscall before returned. */
static bool signal_here(const struct proc *p, const struct record *r)
{
	return r && r->call.nr == MVX_NR_SIGNAL && r->call.seq == p->seq;
}

static bool at_return(const struct record *r)
{
	return r->call.args[1] == 1;
}

/* Send P the signal of the leader's record R, to be let through. */
static int send_signal(struct proc *p, struct record *r)
{
	int sig = (int)r->call.args[0];

	inbox_drop(r);
	p->inject = 1;
	return kill(p->pid, sig) && errno != ESRCH ? -1 : 0;
}

/* Calls that end when a signal comes: the signal is how they return. */
static bool waits_for_signal(long nr)
{
	return nr == SYS_rt_sigsuspend || nr == SYS_pause;
}

int sigalign_during(struct monitor *m, struct proc *p)
{
	struct record *r;

	if (p->inject || !waits_for_signal(p->call.nr))
		return 0;
	r = inbox_peek(&m->inbox, p->vid);
	if (!signal_here(p, r) || !at_return(r))
		return 0;
	return send_signal(p, inbox_take(&m->inbox, p->vid));
}

int sigalign_at_exit(struct monitor *m, struct proc *p)
{
	struct record *r = inbox_peek(&m->inbox, p->vid);

	p->exit_parked = 0;
	if (!r && p->catches_chld && !m->leader_ended && !m->leader_gone) {
		p->exit_parked = 1;
		return 0;
	}
	if (signal_here(p, r) && at_return(r) &&
	    send_signal(p, inbox_take(&m->inbox, p->vid)))
		return -1;
	return monitor_resume(p, false);
}

bool sigalign_blocked(const struct proc *p, int sig)
{
	uint64_t mask;

	if (ptrace(PTRACE_GETSIGMASK, p->pid, sizeof(mask), &mask))
		return false;
	return mask >> (sig - 1) & 1;
}

/* P's own signal, held at its delivery stop: delivered there if the
 * leader's came at the same return (its SIGNAL record, at the return, is
 * the next one for P), dropped otherwise (the leader's record then says
 * where its signal goes).  The signal to deliver, 0, or MONITOR_SIG_HELD
 * while the leader's next record has not come. */
static int held_signal(struct monitor *m, struct proc *p)
{
	struct record *r = inbox_peek(&m->inbox, p->vid);
	int sig = p->held_sig;

	if (!r && !m->leader_ended && !m->leader_gone)
		return MONITOR_SIG_HELD;
	p->held_sig = 0;
	if (!signal_here(p, r) || !at_return(r) || !p->held_at_return)
		return 0;
	inbox_drop(inbox_take(&m->inbox, p->vid));
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
	/* Not if it cut its call short (the leader's came as its call
	 * completed, this one's would make it return EINTR), unless a
	 * signal is what the call waits for. */
	p->held_at_return = (!p->interrupted || waits_for_signal(p->call.nr)) &&
			    sigalign_at_return(p);
	return held_signal(m, p);
}

/* P's signal held: on once the leader's next record has come. */
int sigalign_release_held(struct monitor *m, struct proc *p)
{
	int sig = held_signal(m, p);

	return sig == MONITOR_SIG_HELD ? 0 : monitor_deliver(p, sig);
}
