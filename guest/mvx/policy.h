/* policy: what mvx does with each syscall (the table is policy.c, each
 * entry with its reason), and the classes of file descriptors that turn
 * a read into an input or a write into an external output. */
#ifndef DUPLEX_MVX_POLICY_H
#define DUPLEX_MVX_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mvx_proto.h"

/* Sizes of struct stat and struct statx the x86-64 kernel copies out:
 * the table's buffers, and what policy_mask_out() masks in them. */
#define SZ_STAT		144
#define SZ_STATX	256

/* How long a buffer is. */
enum pol_size {
	SZ_NONE = 0,
	SZ_FIXED,	/* n bytes */
	SZ_ARG,		/* the value of argument n (times unit) */
	SZ_RESULT,	/* the syscall's result (times unit; out buffers
			 * only) */
	SZ_STR,		/* a NUL-terminated string (n: its maximum) */
	SZ_STRV,	/* a NULL-terminated array of strings (argv) */
	SZ_IOV,		/* an iovec array of argument n entries */
	SZ_DEREF,	/* the socklen_t argument n points to says (a
			 * sockaddr; after the call, as the kernel set it) */
	SZ_MSG,		/* the iovecs of the struct msghdr it is */
	SZ_IOCTL,	/* as the ioctl's request says (policy_ioctl_size) */
	SZ_FDSET,	/* an fd_set of argument n fds (select) */
};

struct pol_buf {
	uint8_t role;		/* enum mvx_buf_role */
	uint8_t arg;		/* argument holding the address */
	uint8_t size;		/* enum pol_size */
	uint32_t n;
	uint8_t unit;		/* SZ_ARG, SZ_RESULT: bytes per element */
};

struct pol_entry {
	const char *name;
	uint8_t kind;		/* enum mvx_kind */
	uint8_t nargs;		/* arguments compared, from the first */
	int8_t fdarg;		/* argument that is an fd, -1: none */
	uint8_t ext_kind;	/* kind when that fd is EXTERNAL/RANDOM/COUNTER */
	int8_t clamp_arg;	/* INPUT: the length argument cut to clamp */
	uint32_t clamp;
	struct pol_buf buf[3];
	const char *why;
};

/* The entry for syscall NR, NULL for an ignored one. */
const struct pol_entry *policy_get(long nr);

/* The entry of MVX_NR_TSC: rdtsc and rdtscp, an input. */
const struct pol_entry *policy_tsc(void);

/* Syscall numbers with an entry, for the seccomp filter: fills NRS
 * (SIZE slots) and returns how many there are. */
size_t policy_monitored(uint16_t *nrs, size_t size);

/* What syscall NR is called, for reports ("syscall_N" if unknown; BUF
 * holds that). */
const char *policy_name(long nr, char *buf, size_t size);

/* The replica's external fds: what the monitor's own fds 0..2 are.  Call
 * once before starting the program. */
void policy_note_external(void);

/* The class of fd FD of process PID, MVX_FD_NONE if it is not open.  It
 * is a property of the open file, fixed for its life (fdcache.h keeps
 * it): the same object as mvx's own stdio (by device and inode), the
 * random devices (by device number), a /proc counter (by its path, which
 * procfs never renames), a pipe, socket or anon inode (by their names);
 * a socket's, as sock_is_external() says. */
enum mvx_fdclass policy_fdclass(pid_t pid, long fd);

/* Zero in P (LEN bytes, copied out by syscall NR at argument ARG) what
 * differs per kernel without telling anything about the program: a
 * stat's device and inode numbers and its times, the port of a socket
 * address (policy.c). */
void policy_mask_out(long nr, unsigned arg, unsigned char *p, size_t len);

/* Zero in P (LEN bytes, passed in to syscall NR at argument ARG) what no
 * kernel reads, so replicas compare only what the call means: what
 * follows the NUL of a pathname socket's sun_path (glibc passes the whole
 * struct sockaddr_un, its tail whatever was on the stack: the connect to
 * nscd's socket that getpwuid tries), an AF_INET address's sin_zero. */
void policy_mask_in(long nr, unsigned arg, unsigned char *p, size_t len);

/* How many bytes ioctl request REQ copies out (0: none known, not
 * compared). */
uint32_t policy_ioctl_size(uint64_t req);

/* The kind E has for a call whose fd is of class FDC. */
enum mvx_kind policy_kind(const struct pol_entry *e, enum mvx_fdclass fdc);

#endif
