/* filter: a classic BPF program over struct seccomp_data.  A syscall of
 * another architecture (int 0x80, x32) kills the process: its numbers
 * mean other syscalls, which the table does not describe, and letting
 * them through unchecked would be a hole in the comparison. */
#include "filter.h"
#include "policy.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's UAPI (linux/filter.h, seccomp.h, audit.h): musl-gcc sees
 * no kernel headers, and these values are ABI, fixed forever. */
struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};

struct seccomp_data {
	int nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

#define BPF_LD		0x00
#define BPF_JMP		0x05
#define BPF_RET		0x06
#define BPF_W		0x00
#define BPF_ABS		0x20
#define BPF_JEQ		0x10
#define BPF_JGE		0x30
#define BPF_K		0x00
#define SECCOMP_SET_MODE_FILTER		1
#define SECCOMP_RET_KILL_PROCESS	0x80000000u
#define SECCOMP_RET_TRACE		0x7ff00000u
#define SECCOMP_RET_ALLOW		0x7fff0000u
#define AUDIT_ARCH_X86_64		0xc000003eu

#define MAX_NRS 250	/* jump offsets are 8 bits */
#define X32_BIT 0x40000000u

#define STMT(code, k) ((struct sock_filter){ (code), 0, 0, (k) })
#define JUMP(code, k, jt, jf) ((struct sock_filter){ (code), (jt), (jf), (k) })

int filter_install(void)
{
	static struct sock_filter prog[MAX_NRS + 7];
	uint16_t nrs[MAX_NRS];
	size_t n = policy_monitored(nrs, MAX_NRS), i, at = 0;
	struct sock_fprog fprog;

	if (n > MAX_NRS) {
		errno = E2BIG;
		return -1;
	}
	prog[at++] = STMT(BPF_LD | BPF_W | BPF_ABS,
			  offsetof(struct seccomp_data, arch));
	prog[at++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0,
			  (uint8_t)(n + 4));
	prog[at++] = STMT(BPF_LD | BPF_W | BPF_ABS,
			  offsetof(struct seccomp_data, nr));
	prog[at++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT,
			  (uint8_t)(n + 2), 0);
	for (i = 0; i < n; i++)
		prog[at++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, nrs[i],
				  (uint8_t)(n - i), 0);
	prog[at++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[at++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	prog[at++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	fprog.len = (unsigned short)at;
	fprog.filter = prog;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}
