/* tracee: registers through PTRACE_GETREGS and SETREGS (one alone through
 * PEEKUSER and POKEUSER), memory through process_vm_readv/writev (no fd
 * to reopen after an exec).  Reads are done a page at a time where the
 * length is unknown, so that a string that ends just before an unmapped
 * page is still read. */
#define _GNU_SOURCE
#include "tracee.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#define PAGE 4096u
#define AUXV_MAX 64		/* entries looked at */
#define STRINGS_MAX 65536	/* argv + envp entries looked at */

int tracee_regs(pid_t pid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, pid, 0, r) == -1 ? -1 : 0;
}

int tracee_set_regs(pid_t pid, const struct user_regs_struct *r)
{
	return ptrace(PTRACE_SETREGS, pid, 0, r) == -1 ? -1 : 0;
}

void tracee_call_of(const struct user_regs_struct *r, struct tracee_call *c)
{
	c->nr = (long)r->orig_rax;
	c->args[0] = r->rdi;
	c->args[1] = r->rsi;
	c->args[2] = r->rdx;
	c->args[3] = r->r10;
	c->args[4] = r->r8;
	c->args[5] = r->r9;
	c->rip = r->rip;
	c->rsp = r->rsp;
}

/* One register, at offset OFF of struct user_regs_struct (where struct
 * user starts): one ptrace call, where GETREGS and SETREGS are two. */
static int poke(pid_t pid, size_t off, uint64_t v)
{
	return ptrace(PTRACE_POKEUSER, pid, off, v) == -1 ? -1 : 0;
}

#define REG(name) offsetof(struct user_regs_struct, name)

int tracee_skip(pid_t pid)
{
	return poke(pid, REG(orig_rax), (uint64_t)-1);
}

int tracee_set_result(pid_t pid, int64_t v)
{
	return poke(pid, REG(rax), (uint64_t)v);
}

int tracee_set_call_arg(pid_t pid, unsigned i, uint64_t v)
{
	static const size_t arg[6] = { REG(rdi), REG(rsi), REG(rdx),
				       REG(r10), REG(r8), REG(r9) };

	return i < 6 ? poke(pid, arg[i], v) : -1;
}

int tracee_skip_with(pid_t pid, const struct user_regs_struct *r, int64_t v)
{
	struct user_regs_struct s = *r;

	/* The kernel skips a call whose number the tracer made -1 at its
	 * seccomp stop, and rax is then what it returns. */
	s.orig_rax = (unsigned long)-1;
	s.rax = (unsigned long)v;
	return tracee_set_regs(pid, &s);
}

/* The registers kept from the seccomp stop are those of the exit stop but
 * for rax: the syscall ABI keeps every register but rax, rcx and r11, and
 * the syscall instruction has set rcx and r11 before the kernel stops. */
int tracee_reread(pid_t pid, const struct user_regs_struct *r, uint64_t at,
		  uint64_t left)
{
	struct user_regs_struct s = *r;

	s.rip -= 2;		/* the syscall instruction, again */
	s.rax = s.orig_rax;
	s.rsi = at;
	s.rdx = left;
	return tracee_set_regs(pid, &s);
}

int tracee_reread_done(pid_t pid, const struct user_regs_struct *r,
		       int64_t v)
{
	struct user_regs_struct s = *r;

	s.rax = (unsigned long)v;
	return tracee_set_regs(pid, &s);
}

int tracee_result(pid_t pid, int64_t *v)
{
	long r;

	errno = 0;
	r = ptrace(PTRACE_PEEKUSER, pid, REG(rax), 0);
	if (r == -1 && errno)
		return -1;
	*v = r;
	return 0;
}

int tracee_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };

	if (!len)
		return 0;
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
	       (ssize_t)len ? 0 : -1;
}

int tracee_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };

	if (!len)
		return 0;
	return process_vm_writev(pid, &local, 1, &remote, 1, 0) ==
	       (ssize_t)len ? 0 : -1;
}

long tracee_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t have = 0;

	while (have < size) {
		size_t chunk = PAGE - (size_t)((addr + have) % PAGE);
		char *nul;

		if (chunk > size - have)
			chunk = size - have;
		if (tracee_read(pid, addr + have, buf + have, chunk))
			return -1;
		nul = memchr(buf + have, '\0', chunk);
		if (nul)
			return nul - buf;
		have += chunk;
	}
	return -1;
}

/* Skip the NULL-terminated pointer array at *AT (argv, envp). */
static int skip_vector(pid_t pid, uint64_t *at)
{
	uint64_t p;

	for (int i = 0; i < STRINGS_MAX; i++) {
		if (tracee_read(pid, *at, &p, sizeof(p)))
			return -1;
		*at += sizeof(p);
		if (!p)
			return 0;
	}
	return -1;
}

int tracee_hide_vdso(pid_t pid)
{
	struct user_regs_struct r;
	uint64_t at, aux[2];

	/* At the exec stop the stack is argc, argv[], envp[], auxv[]. */
	if (tracee_regs(pid, &r))
		return -1;
	at = r.rsp + sizeof(uint64_t);
	if (skip_vector(pid, &at) || skip_vector(pid, &at))
		return -1;
	for (int i = 0; i < AUXV_MAX; i++, at += sizeof(aux)) {
		if (tracee_read(pid, at, aux, sizeof(aux)))
			return -1;
		if (aux[0] == AT_NULL)
			return 0;
		if (aux[0] != AT_SYSINFO_EHDR)
			continue;
		aux[0] = AT_IGNORE;
		return tracee_write(pid, at, aux, sizeof(aux[0]));
	}
	return -1;
}
