/* tsc: a fault from PR_TSC_SIGSEGV is a general protection fault, which
 * the kernel reports as SIGSEGV with si_code SI_KERNEL; the instruction
 * at the instruction pointer tells it from any other such fault. */
#include "tsc.h"
#include "tracee.h"

#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>

static const unsigned char rdtsc_insn[] = { 0x0f, 0x31 };
static const unsigned char rdtscp_insn[] = { 0x0f, 0x01, 0xf9 };

unsigned tsc_fault(pid_t pid)
{
	struct user_regs_struct r;
	unsigned char insn[3];
	siginfo_t si;

	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) || si.si_code != SI_KERNEL ||
	    tracee_regs(pid, &r) || tracee_read(pid, r.rip, insn, 2))
		return 0;
	if (!memcmp(insn, rdtsc_insn, 2))
		return 2;
	if (!tracee_read(pid, r.rip, insn, 3) && !memcmp(insn, rdtscp_insn, 3))
		return 3;
	return 0;
}

uint64_t tsc_read(unsigned len, uint32_t *aux)
{
	uint32_t lo, hi, c = 0;

	if (len == 3)
		__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	else
		__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	*aux = c;
	return (uint64_t)hi << 32 | lo;
}

int tsc_apply(pid_t pid, unsigned len, uint64_t tsc, uint32_t aux)
{
	struct user_regs_struct r;

	if (tracee_regs(pid, &r))
		return -1;
	r.rax = (uint32_t)tsc;
	r.rdx = (uint32_t)(tsc >> 32);
	if (len == 3)
		r.rcx = aux;
	r.rip += len;
	return tracee_set_regs(pid, &r);
}
