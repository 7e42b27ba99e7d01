/* sigalign: whether a signal is caught is in /proc/PID/status (SigCgt,
 * a hex mask, bit SIG - 1).  A signal the program does not catch either
 * does nothing or ends the process, which the leader's GONE record
 * mirrors (follower.c). */
#include "sigalign.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>

/* Whether SIG is in PID's mask named FIELD ("SigCgt:", "SigBlk:"). */
static bool in_mask(pid_t pid, const char *field, int sig)
{
	char path[48], line[128];
	unsigned long long mask = 0;
	bool found = false;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, field, n) &&
			sscanf(line + n, " %llx", &mask) == 1;
	fclose(f);
	return found && (mask >> (sig - 1) & 1);
}

bool sigalign_applies(pid_t pid, int sig)
{
	return sig == SIGCHLD && in_mask(pid, "SigCgt:", sig);
}

/* The kernel's restart codes (include/linux/errno.h, not UAPI). */
#define ERESTARTSYS_		512
#define ERESTART_RESTARTBLOCK_	516

bool sigalign_interrupted(pid_t pid)
{
	struct user_regs_struct r;
	long v;

	/* In user code, orig_rax is -1; a syscall that merely returns (a
	 * mask unblocking the signal) is no different from user code. */
	if (tracee_regs(pid, &r) || (long)r.orig_rax < 0)
		return false;
	v = (long)r.rax;
	return v == -EINTR || (v >= -ERESTART_RESTARTBLOCK_ &&
			       v <= -ERESTARTSYS_);
}

int sigalign_first(struct monitor *m, struct proc *p, int sig)
{
	/* Blocked: pending until the program unblocks it, where every
	 * replica gets it alike; the call goes on. */
	if (in_mask(p->pid, "SigBlk:", sig ? sig : SIGCHLD)) {
		p->inject = 1;
		return sig && kill(p->pid, sig) && errno != ESRCH ? -1 : 1;
	}
	p->seq = p->mine.call.seq;
	m->calls--;
	p->parked = 0;
	p->inject = 1;
	if (sig && kill(p->pid, sig) && errno != ESRCH)
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
