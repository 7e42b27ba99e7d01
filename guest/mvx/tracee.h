/* tracee: what the monitor reads and changes in a stopped process — its
 * registers, its memory, its auxiliary vector. */
#ifndef DUPLEX_MVX_TRACEE_H
#define DUPLEX_MVX_TRACEE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* A syscall as seen at its seccomp stop. */
struct tracee_call {
	long nr;
	uint64_t args[6];
	uint64_t rip;		/* just past its syscall instruction */
	uint64_t rsp;
};

int tracee_regs(pid_t pid, struct user_regs_struct *r);
int tracee_set_regs(pid_t pid, const struct user_regs_struct *r);
void tracee_call_of(const struct user_regs_struct *r, struct tracee_call *c);

/* At a seccomp stop: make the kernel skip the syscall (it returns
 * -ENOSYS, or what tracee_set_result() puts at its exit stop). */
int tracee_skip(pid_t pid);
int tracee_set_result(pid_t pid, int64_t v);
/* Set argument I of the syscall PID is stopped in. */
int tracee_set_call_arg(pid_t pid, unsigned i, uint64_t v);
/* At a seccomp stop with registers R: skip the syscall, which returns V
 * (no exit stop needed).  One SETREGS. */
int tracee_skip_with(pid_t pid, const struct user_regs_struct *r, int64_t v);
/* At the exit stop of a read(fd, buf, count) of PID, whose registers at
 * its seccomp stop were R: run it again for AT = buf + done, COUNT =
 * left (the seccomp stop comes again). */
int tracee_reread(pid_t pid, const struct user_regs_struct *r, uint64_t at,
		  uint64_t left);
/* At the last exit stop of that read: its result V and original
 * arguments back, as if it had been one call. */
int tracee_reread_done(pid_t pid, const struct user_regs_struct *r,
		       int64_t v);

/* The result of the syscall PID is at the exit stop of, in *V. */
int tracee_result(pid_t pid, int64_t *v);

/* Copy LEN bytes at ADDR of PID into BUF, or the other way: 0, or -1 if
 * any byte could not be. */
int tracee_read(pid_t pid, uint64_t addr, void *buf, size_t len);
int tracee_write(pid_t pid, uint64_t addr, const void *buf, size_t len);

/* The NUL-terminated string at ADDR into BUF (SIZE bytes, NUL included):
 * its length, or -1 (unreadable or longer than SIZE - 1). */
long tracee_string(pid_t pid, uint64_t addr, char *buf, size_t size);

/* After an exec: hide the vDSO from PID's new program by turning its
 * AT_SYSINFO_EHDR auxv entry into AT_IGNORE, so that its C library
 * makes real syscalls for the time, which then stop.  0 or -1. */
int tracee_hide_vdso(pid_t pid);

#endif
