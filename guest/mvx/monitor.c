/* monitor: the ptrace event loop of one replica.  Every process of the
 * program stops only at its monitored syscalls (seccomp), at forks, execs
 * and signals; the role decides what a syscall stop does.  A new child's
 * first stop is held until its parent's fork event has named it, since
 * the kernel may report either first. */
#define _GNU_SOURCE
#include "monitor.h"
#include "sigalign.h"
#include "sock.h"
#include "spawn.h"
#include "steer.h"
#include "tsc.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void monitor_end(struct monitor *m, enum mvx_end_how how, int code)
{
	if (m->end.how)
		return;		/* the first reason stands */
	m->end.how = (uint8_t)how;
	m->end.code = code;
}

void monitor_end_of_status(struct mvx_end *e, int status)
{
	if (WIFSIGNALED(status)) {
		e->how = MVX_END_SIGNALED;
		e->code = WTERMSIG(status);
	} else {
		e->how = MVX_END_EXITED;
		e->code = WEXITSTATUS(status);
	}
}

void monitor_kill(struct monitor *m)
{
	/* Init of the replica's namespace: the kernel kills the rest. */
	if (m->helper > 0)
		kill(m->helper, SIGKILL);
	for (unsigned i = 0; i < m->procs.n; i++)
		kill(m->procs.v[i].pid, SIGKILL);
	m->stopping = true;
}

int monitor_resume(struct proc *p, bool to_exit)
{
	p->in_call = to_exit;
	if (!ptrace(to_exit ? PTRACE_SYSCALL : PTRACE_CONT, p->pid, 0, 0))
		return 0;
	/* Killed meanwhile (ESRCH): its exit comes next. */
	return errno == ESRCH ? 0 : -1;
}

/* P's call is about to run: its fds that the call may close or replace
 * are forgotten, and every process's when it may change others' too. */
static void forget_fds(struct monitor *m, struct proc *p)
{
	if (!fdcache_before(&p->fds, &p->call))
		return;
	for (unsigned i = 0; i < m->procs.n; i++)
		fdcache_clear(&m->procs.v[i].fds);
}

int monitor_begin_call(struct monitor *m, struct proc *p,
		       enum mvx_kind *kind)
{
	enum mvx_fdclass fdc = MVX_FD_NONE;

	if (tracee_regs(p->pid, &p->regs))
		return errno == ESRCH ? 1 : -1;
	tracee_call_of(&p->regs, &p->call);
	p->pol = policy_get(p->call.nr);
	if (!p->pol) {
		fprintf(stderr, "mvx: syscall %ld stopped, not in the policy\n",
			p->call.nr);
		monitor_end(m, MVX_END_ERROR, (int)p->call.nr);
		return -1;
	}
	if (p->call.nr == SYS_clone && (p->call.args[0] & CLONE_THREAD)) {
		fprintf(stderr, "mvx: the program creates a thread (clone with "
			"CLONE_THREAD): mvx follows processes only, threads "
			"are refused\n");
		monitor_end(m, MVX_END_ERROR, (int)p->call.nr);
		return -1;
	}
	if (p->pol->fdarg >= 0)
		fdc = fdcache_class(&p->fds, p->pid,
				    (long)p->call.args[p->pol->fdarg]);
	forget_fds(m, p);
	fdc = sock_call_class(&m->procs, p->pid, &p->call, fdc);
	*kind = policy_kind(p->pol, fdc);
	sigalign_note_call(p);
	record_start(&p->mine, p->vid, p->seq++, &p->call, *kind, fdc);
	m->calls++;
	if (record_add_bufs(&p->mine, p->pid, p->pol, MVX_BUF_IN, 0)) {
		monitor_end(m, MVX_END_ERROR, ENOMEM);
		return -1;
	}
	return 0;
}

void monitor_begin_tsc(struct monitor *m, struct proc *p, unsigned len)
{
	memset(&p->call, 0, sizeof(p->call));
	p->call.nr = MVX_NR_TSC;
	p->call.args[0] = len;
	p->pol = policy_tsc();
	p->tsc_len = len;
	record_start(&p->mine, p->vid, p->seq++, &p->call, MVX_INPUT,
		     MVX_FD_NONE);
	m->calls++;
}

/* ----- events */

static int cont(pid_t pid, int sig)
{
	if (!ptrace(PTRACE_CONT, pid, 0, sig) || errno == ESRCH)
		return 0;
	return -1;
}

int monitor_deliver(struct proc *p, int sig)
{
	return cont(p->pid, sig);
}

/* P at an event stop inside its syscall: on to the syscall's exit stop
 * if it was resumed to it. */
static int event_done(struct proc *p)
{
	return monitor_resume(p, p->in_call);
}

/* Whether PARENT's fork shares its fd table with the child: a clone
 * with CLONE_FILES (or, not knowing the call, taken as one). */
static bool shares_fds(const struct proc *parent)
{
	if (parent->helper)
		return false;	/* its fork() of the program (spawn.c) */
	if (parent->call.nr == SYS_clone)
		return parent->call.args[0] & CLONE_FILES;
	return parent->call.nr != SYS_fork && parent->call.nr != SYS_vfork;
}

static int on_fork(struct monitor *m, struct proc *parent)
{
	pid_t ppid = parent->pid;
	bool catches = parent->catches_chld, restarts = parent->chld_restart;
	bool hold = m->role->hold_children && parent->in_call;
	bool shared = shares_fds(parent);
	unsigned long msg;
	uint32_t vid;
	struct proc *child;

	if (ptrace(PTRACE_GETEVENTMSG, ppid, 0, &msg))
		return errno == ESRCH ? 0 : -1;
	vid = parent->helper ? 0 : proc_child_vid(parent);
	/* The child's fds: none cached (looked up as it uses them), and
	 * never cached by either if they share them. */
	parent->fds.shared |= shared;
	/* Adding the child may move the table: PARENT is found again. */
	child = procs_find(&m->procs, (pid_t)msg);
	if (!child)
		child = procs_add(&m->procs, (pid_t)msg);
	if (!child)
		return -1;
	child->fds.shared = shared;
	child->vid = vid;
	child->known = 1;
	child->catches_chld = catches;
	child->chld_restart = restarts;
	child->ppid = ppid;
	child->wait_parent = hold;
	if (child->held && !hold) {
		child->held = 0;
		if (cont(child->pid, 0))
			return -1;
	}
	parent = procs_find(&m->procs, ppid);
	return parent ? event_done(parent) : cont(ppid, 0);
}

/* PTRACE_EVENT_STOP: a new process's first stop, or a group stop. */
static int on_event_stop(struct proc *p)
{
	if (p->started)
		return ptrace(PTRACE_LISTEN, p->pid, 0, 0) && errno != ESRCH ?
		       -1 : 0;
	p->started = 1;
	if (!p->known || p->wait_parent) {
		p->held = 1;
		return 0;
	}
	return cont(p->pid, 0);
}

int monitor_release_children(struct monitor *m, const struct proc *parent)
{
	for (unsigned i = 0; i < m->procs.n; i++) {
		struct proc *c = &m->procs.v[i];

		if (!c->wait_parent || c->ppid != parent->pid)
			continue;
		c->wait_parent = 0;
		if (c->held) {
			c->held = 0;
			if (cont(c->pid, 0))
				return -1;
		}
	}
	return 0;
}

/* At the exit stop of P's call: did a signal interrupt it, the kernel
 * to restart it once the signal is handled (the -ERESTART* codes, which
 * the program never sees)?  Then the call is not over: on to the signal,
 * and its restart is the same call (on_seccomp). */
static bool interrupted(struct proc *p)
{
	if (p->result < -ERESTARTNOHAND_ || p->result > -ERESTARTSYS_)
		return false;
	p->interrupted = 1;
	return true;
}

/* The exit stop of P's call: its result read once, for the roles too. */
static int on_exit_stop(struct monitor *m, struct proc *p)
{
	if (tracee_result(p->pid, &p->result))
		return errno == ESRCH ? 0 : -1;
	if (interrupted(p))
		return monitor_resume(p, false);
	return m->role->on_exit_stop(m, p);
}

static int on_seccomp(struct monitor *m, struct proc *p)
{
	struct user_regs_struct r;

	if (p->interrupted) {
		p->interrupted = 0;
		if (tracee_regs(p->pid, &r))
			return errno == ESRCH ? 0 : -1;
		/* Restarted, or made again after EINTR: the same call goes
		 * on to its exit (a follower's steered as before). */
		if ((long)r.orig_rax == p->call.nr) {
			/* A handler may have looked its fds up meanwhile. */
			forget_fds(m, p);
			return steer_again(p) ? -1 : monitor_resume(p, true);
		}
		if (m->role->on_eintr(m, p))
			return -1;
	}
	/* A read the follower restarted: the same call still. */
	if (p->refill)
		return monitor_resume(p, true);
	return m->role->on_call(m, p);
}

static int on_stop(struct monitor *m, struct proc *p, int st)
{
	int event = (unsigned)st >> 16, sig = WSTOPSIG(st);

	if (m->stopping)
		return 0;
	switch (event) {
	case 0:
		if (sig == (SIGTRAP | 0x80))
			return p->in_call ? on_exit_stop(m, p) :
			       cont(p->pid, 0);
		if (sig == SIGSEGV && p->known && (p->tsc_len = tsc_fault(p->pid)))
			return m->role->on_tsc(m, p);
		if (p->known && !p->helper)
			sig = m->role->on_signal(m, p, sig);
		if (sig == MONITOR_SIG_HELD)
			return 0;
		return sig < 0 ? -1 : cont(p->pid, sig);
	case PTRACE_EVENT_STOP:
		return on_event_stop(p);
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		return on_fork(m, p);
	case PTRACE_EVENT_EXEC:
		/* A new program: its caught signals are back to default. */
		p->catches_chld = 0;
		/* Its close-on-exec fds are gone (execve or execveat). */
		fdcache_clear(&p->fds);
		if (tracee_hide_vdso(p->pid))
			fprintf(stderr, "mvx: could not hide the vDSO of pid "
				"%d: its time calls may not stop\n", (int)p->pid);
		return event_done(p);
	case PTRACE_EVENT_SECCOMP:
		return on_seccomp(m, p);
	}
	return cont(p->pid, 0);
}

static void on_gone(struct monitor *m, struct proc *p, int st)
{
	if (!p->helper && p->known && p->vid == 0 && !m->root_done) {
		m->root_done = true;
		m->root_status = st;
	}
	if (!p->helper && p->known && m->role->on_gone && !m->stopping)
		m->role->on_gone(m, p, st);
	procs_remove(&m->procs, p);
}

static int on_wait(struct monitor *m, pid_t pid, int st)
{
	struct proc *p = procs_find(&m->procs, pid);

	if (!p && !WIFSTOPPED(st))
		return 0;
	if (!p)
		p = procs_add(&m->procs, pid);
	if (!p)
		return -1;
	if (!WIFSTOPPED(st)) {
		on_gone(m, p, st);
		return 0;
	}
	return on_stop(m, p, st);
}

/* ----- the loop */

static int setup(struct monitor *m, char *const argv[])
{
	sigset_t set;
	struct proc *h;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sigfd < 0)
		return -1;
	policy_note_external();
	m->helper = spawn_replica(argv, m->replica);
	if (m->helper < 0)
		return -1;
	h = procs_add(&m->procs, m->helper);
	if (!h)
		return -1;
	h->helper = h->known = h->started = 1;
	return 0;
}

/* The next wait status: 1 (none now: idle), 0 (*PID, *ST), -1 (ECHILD:
 * nothing left, or an error). */
static int next_wait(struct monitor *m, pid_t *pid, int *st)
{
	int flags = __WALL | (m->role->idle && !m->stopping ? WNOHANG : 0);

	for (;;) {
		*pid = waitpid(-1, st, flags);
		if (*pid > 0)
			return 0;
		if (*pid == 0)
			return 1;
		if (errno != EINTR)
			return -1;
	}
}

void monitor_run(struct monitor *m, char *const argv[])
{
	pid_t pid;
	int st, r;

	if (setup(m, argv)) {
		perror("mvx: starting the replica");
		monitor_end(m, MVX_END_ERROR, errno);
		return;
	}
	/* Until the last traced process is gone (not ECHILD: the leader's
	 * monitor has the followers' monitors as children too). */
	while (m->procs.n && (r = next_wait(m, &pid, &st)) >= 0) {
		if (r == 1)
			r = m->role->idle(m, -1);
		else
			r = on_wait(m, pid, st);
		if (r && !m->stopping) {
			if (!m->end.how)
				monitor_end(m, MVX_END_ERROR, errno);
			monitor_kill(m);
		}
	}
	m->role->finish(m);
}
