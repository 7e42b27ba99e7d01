/* policy_out: the bytes of a call's buffers, as the policy reads them
 * (the rest of policy.h's contract, beside policy.c's table): the bytes
 * of an answer that are a kernel's numbering or clock and so masked
 * before replicas compare it, the bytes of a socket address passed in
 * that no kernel reads, and how much each ioctl request copies out. */
#include "policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>

/* Byte ranges of struct stat and struct statx (x86-64) that are a
 * kernel's numbering or a reading of its clock, not a property of the
 * file: the device and inode numbers (per mount, and per kernel history:
 * a file the program creates gets the next number), the times (readings
 * of the clock of whichever replica last touched the file), statx's mount
 * id.  What is left is compared: type, mode, links, owner, size, blocks.
 * The same for the inode numbers getdents64 returns. */
struct range {
	size_t at, len;
};

static const struct range stat_noise[] = { { 0, 16 }, { 72, 48 } };
static const struct range statx_noise[] = { { 32, 8 }, { 64, 64 },
					    { 136, 16 } };

static void zero(unsigned char *p, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		memset(p + r[i].at, 0, r[i].len);
}

#define ZERO(p, ranges) zero(p, ranges, sizeof(ranges) / sizeof(ranges[0]))

/* A socket address whose port is the kernel's pick: where a connection
 * came from (accept, getpeername, recvfrom), where one went out
 * (getsockname).  Ephemeral ports are drawn at random per connection. */
static bool has_port(long nr, unsigned arg)
{
	return ((nr == SYS_accept || nr == SYS_accept4 ||
		 nr == SYS_getsockname || nr == SYS_getpeername) && arg == 1) ||
	       (nr == SYS_recvfrom && arg == 4);
}

/* The inode number of each entry getdents64 returned (struct
 * linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, ...): a kernel's
 * numbering, as in a stat (/proc numbers its entries as they are first
 * looked at, differently on each kernel). */
static void mask_dirents(unsigned char *p, size_t len)
{
	uint16_t reclen;

	for (size_t at = 0; at + 19 <= len; at += reclen) {
		memcpy(&reclen, p + at + 16, 2);
		if (reclen < 19 || reclen > len - at)
			return;
		memset(p + at, 0, 8);
	}
}

/* A socket address the program passes in: where to connect, bind, send. */
static bool has_addr_in(long nr, unsigned arg)
{
	return ((nr == SYS_connect || nr == SYS_bind) && arg == 1) ||
	       (nr == SYS_sendto && arg == 4);
}

void policy_mask_in(long nr, unsigned arg, unsigned char *p, size_t len)
{
	const size_t path = offsetof(struct sockaddr_un, sun_path);
	uint16_t family;
	unsigned char *nul;

	if (len < 2 || !has_addr_in(nr, arg))
		return;
	memcpy(&family, p, 2);
	if (family == AF_INET && len >= sizeof(struct sockaddr_in))
		memset(p + offsetof(struct sockaddr_in, sin_zero), 0,
		       sizeof(((struct sockaddr_in *)0)->sin_zero));
	if (family != AF_UNIX || len <= path || !p[path])
		return;
	nul = memchr(p + path, 0, len - path);
	if (nul)
		memset(nul, 0, len - (size_t)(nul - p));
}

void policy_mask_out(long nr, unsigned arg, unsigned char *p, size_t len)
{
	uint16_t family;

	if (nr == SYS_getdents64)
		mask_dirents(p, len);
	if (len == SZ_STAT && (nr == SYS_fstat || nr == SYS_stat ||
			       nr == SYS_lstat || nr == SYS_newfstatat))
		ZERO(p, stat_noise);
	if (nr == SYS_statx && len == SZ_STATX)
		ZERO(p, statx_noise);
	if (len < 4 || !has_port(nr, arg))
		return;
	memcpy(&family, p, 2);
	if (family == AF_INET || family == AF_INET6)
		memset(p + 2, 0, 2);
}

/* ----- ioctl: what each request copies out (x86-64).  Requests that
 * encode it (_IOR, _IOWR) say so themselves; the older terminal and
 * interface ones are listed. */
#define SZ_TERMIOS	36
#define SZ_IFREQ	40

static const struct {
	uint32_t req, size;
} ioctl_out[] = {
	{ 0x5401, SZ_TERMIOS },	/* TCGETS */
	{ 0x540f, 4 },		/* TIOCGPGRP */
	{ 0x5411, 4 },		/* TIOCOUTQ */
	{ 0x5413, 8 },		/* TIOCGWINSZ */
	{ 0x541b, 4 },		/* FIONREAD */
	{ 0x5429, 4 },		/* TIOCGSID */
	{ 0x8910, SZ_IFREQ },	/* SIOCGIFNAME */
	{ 0x8913, SZ_IFREQ },	/* SIOCGIFFLAGS */
	{ 0x8915, SZ_IFREQ },	/* SIOCGIFADDR */
	{ 0x8917, SZ_IFREQ },	/* SIOCGIFDSTADDR */
	{ 0x8919, SZ_IFREQ },	/* SIOCGIFBRDADDR */
	{ 0x891b, SZ_IFREQ },	/* SIOCGIFNETMASK */
	{ 0x891d, SZ_IFREQ },	/* SIOCGIFMETRIC */
	{ 0x8921, SZ_IFREQ },	/* SIOCGIFMTU */
	{ 0x8927, SZ_IFREQ },	/* SIOCGIFHWADDR */
	{ 0x8933, SZ_IFREQ },	/* SIOCGIFINDEX */
	{ 0x8942, SZ_IFREQ },	/* SIOCGIFTXQLEN */
};

#define IOC_READ	2u	/* _IOC_READ: the kernel writes */

uint32_t policy_ioctl_size(uint64_t req)
{
	uint32_t r = (uint32_t)req;

	for (size_t i = 0; i < sizeof(ioctl_out) / sizeof(ioctl_out[0]); i++)
		if (ioctl_out[i].req == r)
			return ioctl_out[i].size;
	if ((r >> 30) & IOC_READ)
		return (r >> 16) & 0x3fff;
	return 0;
}
