/* policy: THE table of what mvx does with each syscall.  Not in the table:
 * ignored, never stopped (the seccomp filter lets it through).  Each
 * entry's last string says why it is what it is; docs/mvx.md summarises.
 *
 * The kinds (mvx_proto.h): COMPARE (arguments and the buffers the program
 * passes are compared, every replica runs it), OUTPUT (also the result
 * and what the kernel copies out are compared after the call: never
 * copied from the leader, or the leak a layout exposes would be hidden),
 * INPUT (the leader runs it, followers get its result and bytes),
 * EXTERNAL (compared, but only the leader runs it: output leaving the
 * program), REFUSE (-ENOSYS everywhere).
 *
 * Pointers are compared raw: every replica runs without address space
 * randomisation (personality ADDR_NO_RANDOMIZE; norandmaps in guests), so
 * a pointer that differs means the program went elsewhere.  Pids are
 * never translated: every replica runs in a pid namespace of its own, so
 * getpid() and fork()'s result are the same everywhere.
 *
 * An entry for a syscall that may close an fd or put another file at a
 * number in use must be known to fdcache_before() (fdcache.h), or the
 * class of that fd would be a stale one. */
#include "policy.h"
#include "sock.h"

#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IN(a, sz, len)	{ MVX_BUF_IN, a, sz, len, 1 }
#define OUT(a, sz, len)	{ MVX_BUF_OUT, a, sz, len, 1 }
/* N elements of UNIT bytes, N from argument A or the result. */
#define INN(a, sz, n, unit)	{ MVX_BUF_IN, a, sz, n, unit }
#define OUTN(a, sz, n, unit)	{ MVX_BUF_OUT, a, sz, n, unit }
#define STR(a)		IN(a, SZ_STR, PATH_MAX)
#define NO_FD		.fdarg = -1
/* An input's most bytes: a short read is legal, and it bounds a record. */
#define INPUT_CLAMP	65536u

/* Sizes the x86-64 kernel copies out. */
#define SZ_TIMESPEC	16
#define SZ_TIMEVAL	16
#define SZ_UTSNAME	390
#define SZ_SYSINFO	112
#define SZ_TMS		32
#define SZ_RUSAGE	144
#define SZ_POLLFD	8
#define SZ_EPOLL_EVENT	12	/* packed on x86-64 */
#define SZ_SIGACTION	32	/* the kernel's: handler, flags, restorer,
				 * mask */

static const struct pol_entry table[] = {
	/* ----- inputs: per machine, per moment; the leader's is the truth */
	[SYS_clock_gettime] = { "clock_gettime", MVX_INPUT, 1, NO_FD,
		.buf = { OUT(1, SZ_FIXED, SZ_TIMESPEC) },
		.why = "the time differs per replica and per moment" },
	[SYS_gettimeofday] = { "gettimeofday", MVX_INPUT, 0, NO_FD,
		.buf = { OUT(0, SZ_FIXED, SZ_TIMEVAL), OUT(1, SZ_FIXED, 8) },
		.why = "the time differs per replica and per moment" },
	[SYS_time] = { "time", MVX_INPUT, 0, NO_FD,
		.buf = { OUT(0, SZ_FIXED, 8) },
		.why = "the time differs per replica and per moment" },
	[SYS_getrandom] = { "getrandom", MVX_INPUT, 3, NO_FD,
		.clamp_arg = 1, .clamp = INPUT_CLAMP,
		.buf = { OUT(0, SZ_RESULT, 0) },
		.why = "random bytes differ per replica by design" },
	[SYS_uname] = { "uname", MVX_INPUT, 0, NO_FD,
		.buf = { OUT(0, SZ_FIXED, SZ_UTSNAME) },
		.why = "hostnames (and kernel builds) differ per partition" },
	[SYS_sysinfo] = { "sysinfo", MVX_INPUT, 0, NO_FD,
		.buf = { OUT(0, SZ_FIXED, SZ_SYSINFO) },
		.why = "uptime, loads and free memory are per-kernel counters" },
	[SYS_times] = { "times", MVX_INPUT, 0, NO_FD,
		.buf = { OUT(0, SZ_FIXED, SZ_TMS) },
		.why = "CPU times and the tick count differ per run" },
	[SYS_getrusage] = { "getrusage", MVX_INPUT, 1, NO_FD,
		.buf = { OUT(1, SZ_FIXED, SZ_RUSAGE) },
		.why = "CPU times and fault counts differ per run" },

	/* ----- reads: compared, or inputs by what the fd is */
	[SYS_read] = { "read", MVX_OUTPUT, 3, 0, MVX_INPUT, 2, INPUT_CLAMP,
		.buf = { OUT(1, SZ_RESULT, 0) },
		.why = "file, /proc and pipe contents are compared; stdin, "
		       "/dev/urandom and per-kernel counters are inputs" },
	[SYS_pread64] = { "pread64", MVX_OUTPUT, 4, 0, MVX_INPUT, 2,
		INPUT_CLAMP, .buf = { OUT(1, SZ_RESULT, 0) },
		.why = "as read" },
	[SYS_readv] = { "readv", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.buf = { OUT(1, SZ_IOV, 2) },
		.why = "as read (an input is not clamped: the iovecs bound it)" },
	[SYS_getdents64] = { "getdents64", MVX_OUTPUT, 3, 0, MVX_OUTPUT,
		.buf = { OUT(1, SZ_RESULT, 0) },
		.why = "directory entries (inode numbers) come from the kernel" },
	[SYS_readlink] = { "readlink", MVX_OUTPUT, 3, NO_FD,
		.buf = { STR(0), OUT(1, SZ_RESULT, 0) },
		.why = "a link's target comes from the kernel" },
	[SYS_readlinkat] = { "readlinkat", MVX_OUTPUT, 4, NO_FD,
		.buf = { STR(1), OUT(2, SZ_RESULT, 0) },
		.why = "a link's target comes from the kernel" },
	[SYS_getcwd] = { "getcwd", MVX_OUTPUT, 2, NO_FD,
		.buf = { OUT(0, SZ_RESULT, 0) },
		.why = "the kernel writes the path" },
	[SYS_stat] = { "stat", MVX_OUTPUT, 2, NO_FD,
		.buf = { STR(0), OUT(1, SZ_FIXED, SZ_STAT) },
		.why = "inode, sizes and times come from the kernel" },
	[SYS_lstat] = { "lstat", MVX_OUTPUT, 2, NO_FD,
		.buf = { STR(0), OUT(1, SZ_FIXED, SZ_STAT) },
		.why = "inode, sizes and times come from the kernel" },
	[SYS_fstat] = { "fstat", MVX_OUTPUT, 2, 0, MVX_INPUT,
		.buf = { OUT(1, SZ_FIXED, SZ_STAT) },
		.why = "inode, sizes and times come from the kernel; of stdio "
		       "they are the leader's (it alone writes there)" },
	[SYS_newfstatat] = { "newfstatat", MVX_OUTPUT, 4, 0, MVX_INPUT,
		.buf = { STR(1), OUT(2, SZ_FIXED, SZ_STAT) },
		.why = "as fstat (the fd: AT_EMPTY_PATH or a directory)" },
	[SYS_statx] = { "statx", MVX_OUTPUT, 4, 0, MVX_INPUT,
		.buf = { STR(1), OUT(4, SZ_FIXED, SZ_STATX) },
		.why = "as fstat" },
	[SYS_clock_getres] = { "clock_getres", MVX_OUTPUT, 1, NO_FD,
		.buf = { OUT(1, SZ_FIXED, SZ_TIMESPEC) },
		.why = "a constant of the kernel's build: compared" },
	[SYS_pipe] = { "pipe", MVX_OUTPUT, 1, NO_FD,
		.buf = { OUT(0, SZ_FIXED, 8) },
		.why = "the fd numbers the kernel picks" },
	[SYS_pipe2] = { "pipe2", MVX_OUTPUT, 2, NO_FD,
		.buf = { OUT(0, SZ_FIXED, 8) },
		.why = "the fd numbers the kernel picks" },
	[SYS_wait4] = { "wait4", MVX_OUTPUT, 3, NO_FD,
		.buf = { OUT(1, SZ_FIXED, 4) },
		.why = "which child ended and how; the rusage is not compared "
		       "(CPU times differ)" },

	/* ----- results compared: fds and addresses the kernel hands out */
	[SYS_open] = { "open", MVX_OUTPUT, 3, NO_FD, .buf = { STR(0) },
		.why = "the path is compared, the fd number returned too" },
	[SYS_openat] = { "openat", MVX_OUTPUT, 4, NO_FD, .buf = { STR(1) },
		.why = "the path is compared, the fd number returned too" },
	[SYS_access] = { "access", MVX_OUTPUT, 2, NO_FD, .buf = { STR(0) },
		.why = "whether a file is there comes from the kernel" },
	[SYS_faccessat] = { "faccessat", MVX_OUTPUT, 3, NO_FD,
		.buf = { STR(1) },
		.why = "whether a file is there comes from the kernel" },
	[SYS_lseek] = { "lseek", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.why = "the offset returned comes from the kernel; in stdio "
		       "it is the leader's" },
	[SYS_dup] = { "dup", MVX_OUTPUT, 1, NO_FD,
		.why = "the fd number the kernel picks" },
	[SYS_dup2] = { "dup2", MVX_OUTPUT, 2, NO_FD,
		.why = "the fd number the kernel picks" },
	[SYS_dup3] = { "dup3", MVX_OUTPUT, 3, NO_FD,
		.why = "the fd number the kernel picks" },
	[SYS_fcntl] = { "fcntl", MVX_OUTPUT, 3, NO_FD,
		.why = "flags and fd numbers come from the kernel" },
	[SYS_ioctl] = { "ioctl", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.buf = { OUT(2, SZ_IOCTL, 0) },
		.why = "the result and what the request copies out (a "
		       "terminal's settings and size, an interface's...) come "
		       "from the kernel; of stdio they are the leader's (its "
		       "terminal), as fstat's are" },
	[SYS_mmap] = { "mmap", MVX_OUTPUT, 6, NO_FD,
		.why = "the address returned: a kernel layout may leak there" },
	[SYS_munmap] = { "munmap", MVX_OUTPUT, 2, NO_FD,
		.why = "the program's view of its address space" },
	[SYS_mprotect] = { "mprotect", MVX_OUTPUT, 3, NO_FD,
		.why = "the program's view of its address space" },
	[SYS_brk] = { "brk", MVX_OUTPUT, 1, NO_FD,
		.why = "the break returned: a kernel layout may leak there" },

	/* ----- sockets.  Between the program's own processes (a pair, or
	 * a server of the program's on the replica's own loopback): run
	 * everywhere and compared.  One whose other end is outside the
	 * program (connected where no socket of the program is; sock.h)
	 * is EXTERNAL, as stdio is: the leader alone connects and sends,
	 * what it receives is the input. */
	[SYS_socket] = { "socket", MVX_OUTPUT, 3, NO_FD,
		.why = "the fd number the kernel picks" },
	[SYS_socketpair] = { "socketpair", MVX_OUTPUT, 4, NO_FD,
		.buf = { OUT(3, SZ_FIXED, 8) },
		.why = "the fd numbers the kernel picks" },
	[SYS_bind] = { "bind", MVX_OUTPUT, 3, NO_FD,
		.buf = { IN(1, SZ_ARG, 2) },
		.why = "the address compared; whether it is free comes from "
		       "the kernel" },
	[SYS_listen] = { "listen", MVX_OUTPUT, 2, NO_FD,
		.why = "the result comes from the kernel" },
	[SYS_accept] = { "accept", MVX_OUTPUT, 3, 0, MVX_OUTPUT,
		.buf = { OUT(1, SZ_DEREF, 2), OUT(2, SZ_FIXED, 4) },
		.why = "the fd and the peer's address (its port, the kernel's "
		       "pick, not compared); a connection from outside the "
		       "program, the leader's (sock.h)" },
	[SYS_accept4] = { "accept4", MVX_OUTPUT, 4, 0, MVX_OUTPUT,
		.buf = { OUT(1, SZ_DEREF, 2), OUT(2, SZ_FIXED, 4) },
		.why = "as accept" },
	[SYS_connect] = { "connect", MVX_OUTPUT, 3, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_ARG, 2) },
		.why = "to the program's own server: run everywhere, the result "
		       "compared; to outside: only the leader connects" },
	[SYS_getsockname] = { "getsockname", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.buf = { OUT(1, SZ_DEREF, 2), OUT(2, SZ_FIXED, 4) },
		.why = "the address comes from the kernel (not its port, the "
		       "kernel's pick); of a socket leading outside, the "
		       "leader's" },
	[SYS_getpeername] = { "getpeername", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.buf = { OUT(1, SZ_DEREF, 2), OUT(2, SZ_FIXED, 4) },
		.why = "as getsockname" },
	[SYS_setsockopt] = { "setsockopt", MVX_OUTPUT, 5, 0, MVX_INPUT,
		.buf = { IN(3, SZ_ARG, 4) },
		.why = "the option compared, the result from the kernel; on a "
		       "socket leading outside, the leader's" },
	[SYS_getsockopt] = { "getsockopt", MVX_OUTPUT, 5, 0, MVX_INPUT,
		.buf = { OUT(3, SZ_DEREF, 4), OUT(4, SZ_FIXED, 4) },
		.why = "the value comes from the kernel; of a socket leading "
		       "outside (SO_ERROR of its connect), the leader's" },
	[SYS_shutdown] = { "shutdown", MVX_OUTPUT, 2, 0, MVX_EXTERNAL,
		.why = "the result from the kernel; outside, only the leader's "
		       "connection is shut" },
	[SYS_sendto] = { "sendto", MVX_COMPARE, 6, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_ARG, 2), IN(4, SZ_ARG, 5) },
		.why = "as write: the bytes and the address compared; outside, "
		       "only the leader sends" },
	[SYS_recvfrom] = { "recvfrom", MVX_OUTPUT, 6, 0, MVX_INPUT, 2,
		INPUT_CLAMP, .buf = { OUT(1, SZ_RESULT, 0),
				      OUT(4, SZ_DEREF, 5), OUT(5, SZ_FIXED, 4) },
		.why = "as read: from the program's own sockets compared, from "
		       "outside the leader's input (the sender's port not "
		       "compared)" },
	[SYS_sendmsg] = { "sendmsg", MVX_COMPARE, 3, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_MSG, 0) },
		.why = "as writev (the bytes; not the address or control "
		       "data)" },
	[SYS_sendfile] = { "sendfile", MVX_COMPARE, 4, 0, MVX_INPUT,
		.buf = { OUT(2, SZ_FIXED, 8) },
		.why = "which file, how much: compared; to stdio or outside, "
		       "only the leader sends (its result and offset)" },
	[SYS_recvmsg] = { "recvmsg", MVX_OUTPUT, 3, 0, MVX_INPUT,
		.buf = { OUT(1, SZ_MSG, 0) },
		.why = "as readv (the bytes; not the address or control "
		       "data)" },

	/* ----- waiting for fds.  Which ones are ready, and when, is a
	 * moment's scheduling, and an fd leading outside is only ever
	 * ready in the leader: every replica takes the leader's answer.
	 * What the program then reads is compared, or is an input itself
	 * (a follower's read of its own pipe waits for the bytes the
	 * leader's found: steer.c). */
	[SYS_poll] = { "poll", MVX_INPUT, 3, NO_FD,
		.buf = { INN(0, SZ_ARG, 1, SZ_POLLFD),
			 OUTN(0, SZ_ARG, 1, SZ_POLLFD) },
		.why = "readiness is the moment's: the leader's (the fds and "
		       "events asked for compared)" },
	[SYS_ppoll] = { "ppoll", MVX_INPUT, 2, NO_FD,
		.buf = { INN(0, SZ_ARG, 1, SZ_POLLFD),
			 OUTN(0, SZ_ARG, 1, SZ_POLLFD) },
		.why = "as poll" },
	[SYS_select] = { "select", MVX_INPUT, 4, NO_FD,
		.buf = { OUT(1, SZ_FDSET, 0), OUT(2, SZ_FDSET, 0),
			 OUT(3, SZ_FDSET, 0) },
		.why = "as poll (the time left is not replicated)" },
	[SYS_pselect6] = { "pselect6", MVX_INPUT, 4, NO_FD,
		.buf = { OUT(1, SZ_FDSET, 0), OUT(2, SZ_FDSET, 0),
			 OUT(3, SZ_FDSET, 0) },
		.why = "as poll" },
	[SYS_epoll_wait] = { "epoll_wait", MVX_INPUT, 4, NO_FD,
		.buf = { OUTN(1, SZ_RESULT, 0, SZ_EPOLL_EVENT) },
		.why = "as poll (the events and their data)" },
	[SYS_epoll_pwait] = { "epoll_pwait", MVX_INPUT, 4, NO_FD,
		.buf = { OUTN(1, SZ_RESULT, 0, SZ_EPOLL_EVENT) },
		.why = "as poll" },
	[SYS_epoll_ctl] = { "epoll_ctl", MVX_OUTPUT, 4, NO_FD,
		.buf = { IN(3, SZ_FIXED, SZ_EPOLL_EVENT) },
		.why = "what the program waits for compared, the result "
		       "from the kernel" },

	/* ----- what the program does: compared, run everywhere */
	[SYS_write] = { "write", MVX_COMPARE, 3, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_ARG, 2) },
		.why = "the bytes are compared; to stdio only the leader writes, "
		       "once" },
	[SYS_pwrite64] = { "pwrite64", MVX_COMPARE, 4, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_ARG, 2) }, .why = "as write" },
	[SYS_writev] = { "writev", MVX_COMPARE, 3, 0, MVX_EXTERNAL,
		.buf = { IN(1, SZ_IOV, 2) }, .why = "as write" },
	[SYS_close] = { "close", MVX_COMPARE, 1, NO_FD,
		.why = "which fd the program gives up" },
	[SYS_close_range] = { "close_range", MVX_COMPARE, 3, NO_FD,
		.why = "which fds the program gives up, as close (and the "
		       "monitor forgets their classes: fdcache.h)" },
	[SYS_execve] = { "execve", MVX_COMPARE, 0, NO_FD,
		.buf = { STR(0), IN(1, SZ_STRV, 0) },
		.why = "the program and its arguments (not the environment: "
		       "MVX_REPLICA differs)" },
	[SYS_exit] = { "exit", MVX_COMPARE, 1, NO_FD,
		.why = "the status a process ends with" },
	[SYS_exit_group] = { "exit_group", MVX_COMPARE, 1, NO_FD,
		.why = "the status a process ends with" },
	[SYS_fork] = { "fork", MVX_COMPARE, 0, NO_FD,
		.why = "a new process, followed in every replica" },
	[SYS_vfork] = { "vfork", MVX_COMPARE, 0, NO_FD,
		.why = "a new process, followed in every replica" },
	[SYS_clone] = { "clone", MVX_COMPARE, 1, NO_FD,
		.why = "a new process (threads are refused: mvx follows "
		       "processes only)" },
	[SYS_rt_sigaction] = { "rt_sigaction", MVX_COMPARE, 4, NO_FD,
		.buf = { IN(1, SZ_FIXED, SZ_SIGACTION) },
		.why = "which signals the program catches, and how: a "
		       "follower aligns a caught SIGCHLD with the leader's" },
	[SYS_rt_sigreturn] = { "rt_sigreturn", MVX_COMPARE, 0, NO_FD,
		.why = "a handler's end: where a signal blocked during the "
		       "handler lands" },
	[SYS_rt_sigsuspend] = { "rt_sigsuspend", MVX_COMPARE, 2, NO_FD,
		.buf = { IN(0, SZ_FIXED, 8) },
		.why = "a wait for a signal: one deferred to the next syscall "
		       "must not wait behind it (sigalign.h)" },
	[SYS_pause] = { "pause", MVX_COMPARE, 0, NO_FD,
		.why = "as rt_sigsuspend" },
	[SYS_rt_sigprocmask] = { "rt_sigprocmask", MVX_COMPARE, 2, NO_FD,
		.buf = { IN(1, SZ_FIXED, 8) },
		.why = "where a caught signal may land: a signal is delivered "
		       "between the same two syscalls in every replica only "
		       "if unblocking is one of them" },
	[SYS_kill] = { "kill", MVX_COMPARE, 2, NO_FD,
		.why = "whom the program signals" },
	[SYS_tgkill] = { "tgkill", MVX_COMPARE, 3, NO_FD,
		.why = "whom the program signals" },
	[SYS_nanosleep] = { "nanosleep", MVX_COMPARE, 0, NO_FD,
		.buf = { IN(0, SZ_FIXED, SZ_TIMESPEC) },
		.why = "how long: every replica sleeps as long" },
	[SYS_clock_nanosleep] = { "clock_nanosleep", MVX_COMPARE, 2, NO_FD,
		.buf = { IN(2, SZ_FIXED, SZ_TIMESPEC) },
		.why = "how long: every replica sleeps as long" },
	[SYS_chdir] = { "chdir", MVX_OUTPUT, 0, NO_FD, .buf = { STR(0) },
		.why = "where the program goes" },
	[SYS_unlink] = { "unlink", MVX_OUTPUT, 0, NO_FD, .buf = { STR(0) },
		.why = "what the program removes" },
	[SYS_unlinkat] = { "unlinkat", MVX_OUTPUT, 3, NO_FD,
		.buf = { STR(1) }, .why = "what the program removes" },
	[SYS_mkdir] = { "mkdir", MVX_OUTPUT, 2, NO_FD, .buf = { STR(0) },
		.why = "what the program creates" },
	[SYS_mkdirat] = { "mkdirat", MVX_OUTPUT, 3, NO_FD,
		.buf = { STR(1) }, .why = "what the program creates" },
	[SYS_rename] = { "rename", MVX_OUTPUT, 0, NO_FD,
		.buf = { STR(0), STR(1) }, .why = "what the program renames" },

	/* ----- refused */
	[SYS_io_uring_setup] = { "io_uring_setup", MVX_REFUSE, 0, NO_FD,
		.why = "the ring's reads, writes, opens and closes run in the "
		       "kernel without a syscall: none would be compared, "
		       "and fds would close unseen; -ENOSYS makes programs "
		       "fall back to plain syscalls" },
	[SYS_clone3] = { "clone3", MVX_REFUSE, 0, NO_FD,
		.why = "its flags are in memory; -ENOSYS makes the C "
		       "libraries fall back to clone, which is checked" },
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

/* Not a syscall: the instruction faults (PR_TSC_SIGSEGV) and the monitor
 * runs it.  Its length (rdtsc or rdtscp) is compared. */
static const struct pol_entry tsc_entry = {
	"rdtsc", MVX_INPUT, 1, NO_FD,
	.why = "the time-stamp counter differs per replica and per moment",
};

const struct pol_entry *policy_tsc(void)
{
	return &tsc_entry;
}

const struct pol_entry *policy_get(long nr)
{
	if (nr < 0 || (unsigned long)nr >= TABLE_LEN || !table[nr].name)
		return NULL;
	return &table[nr];
}

size_t policy_monitored(uint16_t *nrs, size_t size)
{
	size_t n = 0;

	for (size_t nr = 0; nr < TABLE_LEN; nr++) {
		if (!table[nr].name)
			continue;
		if (n < size)
			nrs[n] = (uint16_t)nr;
		n++;
	}
	return n;
}

const char *policy_name(long nr, char *buf, size_t size)
{
	const struct pol_entry *e = nr == MVX_NR_TSC ? &tsc_entry :
				    policy_get(nr);

	if (e)
		return e->name;
	snprintf(buf, size, "syscall_%ld", nr);
	return buf;
}

/* ----- fd classes */

/* Per-kernel counters: a read of them is an input, or every replica on
 * another kernel (or a moment later) would diverge. */
static const char *const counters[] = {
	"/proc/uptime", "/proc/loadavg", "/proc/stat", "/proc/meminfo",
	"/proc/vmstat", "/proc/interrupts", "/proc/softirqs",
	"/proc/schedstat", "/proc/sys/kernel/random/",
};

/* The same, per network namespace: /proc/net is /proc/PID/net, and a
 * read's fd says so.  A follower's network is a loopback of its own. */
static const char *const net_counters[] = {
	"dev", "snmp", "snmp6", "netstat", "sockstat", "sockstat6",
};

static bool is_net_counter(const char *path)
{
	const char *p;

	if (strncmp(path, "/proc/", 6))
		return false;
	p = path + 6 + strspn(path + 6, "0123456789");
	if (p == path + 6 || strncmp(p, "/net/", 5))
		return false;
	for (size_t i = 0; i < sizeof(net_counters) / sizeof(net_counters[0]);
	     i++)
		if (!strcmp(p + 5, net_counters[i]))
			return true;
	return false;
}

static struct stat external[3];
static int external_ok[3];

void policy_note_external(void)
{
	for (int fd = 0; fd < 3; fd++)
		external_ok[fd] = fstat(fd, &external[fd]) == 0;
}

static int is_external(const struct stat *st)
{
	for (int fd = 0; fd < 3; fd++)
		if (external_ok[fd] && external[fd].st_dev == st->st_dev &&
		    external[fd].st_ino == st->st_ino)
			return 1;
	return 0;
}

static enum mvx_fdclass class_of_path(const char *path)
{
	unsigned long ino;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!strncmp(path, counters[i], strlen(counters[i])))
			return MVX_FD_COUNTER;
	if (is_net_counter(path))
		return MVX_FD_COUNTER;
	if (sscanf(path, "socket:[%lu]", &ino) == 1 && sock_is_external(ino))
		return MVX_FD_EXTERNAL;
	if (!strncmp(path, "pipe:", 5) || !strncmp(path, "socket:", 7) ||
	    !strncmp(path, "anon_inode:", 11))
		return MVX_FD_ANON;
	return MVX_FD_PLAIN;
}

/* /dev/random and /dev/urandom are the devices, wherever their node is:
 * the class must not depend on a path that can be renamed (fdcache.h). */
static bool is_random(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && (st->st_rdev == makedev(1, 8) ||
					st->st_rdev == makedev(1, 9));
}

enum mvx_fdclass policy_fdclass(pid_t pid, long fd)
{
	char link[64], path[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fd > INT_MAX)
		return MVX_FD_NONE;
	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)pid, fd);
	if (stat(link, &st) == 0) {
		if (is_external(&st))
			return MVX_FD_EXTERNAL;
		if (is_random(&st))
			return MVX_FD_RANDOM;
	}
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return MVX_FD_NONE;
	path[n] = '\0';
	return class_of_path(path);
}

enum mvx_kind policy_kind(const struct pol_entry *e, enum mvx_fdclass fdc)
{
	if (e->fdarg >= 0 && (fdc == MVX_FD_EXTERNAL || fdc == MVX_FD_RANDOM ||
			      fdc == MVX_FD_COUNTER))
		return e->ext_kind;
	return e->kind;
}
