/* sock: a destination is inside the program when one of the replica's
 * processes holds a socket listening (TCP, a UNIX stream) or bound (UDP,
 * a UNIX datagram) there.  The sockets at an address come from the
 * tables /proc/PID/net/{tcp,tcp6,udp,udp6,unix} of the process's own
 * network namespace (with their inodes); who holds one, from the fds of
 * the replica's processes.  Each monitor keeps the inodes of the sockets
 * it found leading outside: the replicas' inodes differ, but each finds
 * its own the same way. */
#define _GNU_SOURCE
#include "sock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define ADDR_HEX 40		/* an address as the tables print it */
#define TCP_LISTEN 0x0a
#define UNIX_ACCEPTCON 0x10000

static unsigned long *external;
static size_t n_external, cap_external;

bool sock_is_external(unsigned long ino)
{
	for (size_t i = 0; i < n_external; i++)
		if (external[i] == ino)
			return true;
	return false;
}

size_t sock_externals(void)
{
	return n_external;
}

static void remember(unsigned long ino)
{
	unsigned long *v;

	if (!ino || sock_is_external(ino))
		return;
	if (n_external == cap_external) {
		v = realloc(external, (cap_external * 2 + 8) * sizeof(*v));
		if (!v)
			return;
		external = v;
		cap_external = cap_external * 2 + 8;
	}
	external[n_external++] = ino;
}

/* The inode of the socket that is fd FD of PID, 0 if it is none. */
static unsigned long socket_ino(pid_t pid, long fd)
{
	char link[64], target[64];
	unsigned long ino = 0;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)pid, fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	if (sscanf(target, "socket:[%lu]", &ino) != 1)
		return 0;
	return ino;
}

/* Whether one of PROCS's processes has the socket of inode INO. */
static bool held(const struct procs *procs, unsigned long ino)
{
	for (unsigned i = 0; i < procs->n; i++) {
		const struct proc *p = &procs->v[i];
		char dir[48];
		struct dirent *e;
		bool found = false;
		DIR *d;

		if (p->helper)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)p->pid);
		d = opendir(dir);
		if (!d)
			continue;
		while (!found && (e = readdir(d)))
			found = e->d_name[0] != '.' &&
				socket_ino(p->pid, atol(e->d_name)) == ino;
		closedir(d);
		if (found)
			return true;
	}
	return false;
}

/* An address to look for in an inet table: hex as the table prints it
 * (the address's 32-bit words in the host's order), and the port. */
struct inet_key {
	char addr[ADDR_HEX];
	char alt[ADDR_HEX];	/* an IPv4 address as an IPv6 table has it */
	unsigned port;
	bool v6;
};

static void words_hex(char *out, const unsigned char *a, size_t words)
{
	uint32_t w;

	out[0] = '\0';
	for (size_t i = 0; i < words; i++) {
		memcpy(&w, a + 4 * i, 4);
		sprintf(out + 8 * i, "%08X", w);
	}
}

static bool all_zero(const char *hex)
{
	return hex[strspn(hex, "0")] == '\0';
}

/* An inet socket as a table of /proc/PID/net has it. */
struct inet_ends {
	char local[ADDR_HEX], remote[ADDR_HEX];
	unsigned lport, rport, state;
	unsigned long ino;
};

static bool inet_line(const char *line, struct inet_ends *e)
{
	return sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x "
		      "%*s %*s %*s %*d %*d %lu", e->local, &e->lport,
		      e->remote, &e->rport, &e->state, &e->ino) == 6;
}

/* Table NAME of PID's network namespace, open; NULL if it cannot be. */
static FILE *net_table(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, name);
	return fopen(path, "r");
}


/* Whether a socket held by PROCS is at KEY in table NAME of PID's
 * network namespace (LISTEN: only TCP's listening ones count). */
static bool inet_inside(const struct procs *procs, pid_t pid,
			const char *name, const struct inet_key *k,
			bool listen)
{
	char line[512];
	struct inet_ends e;
	bool inside = false;
	FILE *f = net_table(pid, name);

	if (!f)
		return false;
	while (!inside && fgets(line, sizeof(line), f)) {
		if (!inet_line(line, &e) || e.lport != k->port ||
		    (listen && e.state != TCP_LISTEN))
			continue;
		if (strcmp(e.local, k->addr) && strcmp(e.local, k->alt) &&
		    !all_zero(e.local))
			continue;
		inside = held(procs, e.ino);
	}
	fclose(f);
	return inside;
}

static bool inet_dest_inside(const struct procs *procs, pid_t pid,
			     const unsigned char *sa, size_t len)
{
	struct inet_key k = { "", "", 0, false };
	uint16_t family, port;

	memcpy(&family, sa, 2);
	memcpy(&port, sa + 2, 2);
	k.port = ntohs(port);
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		words_hex(k.addr, sa + 4, 1);
		/* ::ffff:a.b.c.d, as a dual-stack listener has it */
		snprintf(k.alt, sizeof(k.alt), "0000000000000000FFFF0000%.8s",
			 k.addr);
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		words_hex(k.addr, sa + 8, 4);
		snprintf(k.alt, sizeof(k.alt), "%s", k.addr);
		k.v6 = true;
	} else {
		return true;
	}
	return inet_inside(procs, pid, "tcp6", &k, true) ||
	       inet_inside(procs, pid, "udp6", &k, false) ||
	       (!k.v6 && (inet_inside(procs, pid, "tcp", &k, true) ||
			  inet_inside(procs, pid, "udp", &k, false)));
}

/* A UNIX address as /proc/net/unix prints it: the path, or '@' and the
 * abstract name. */
static void unix_name(char *out, size_t size, const unsigned char *sa,
		      size_t len)
{
	size_t n = len - offsetof(struct sockaddr_un, sun_path), i;
	const unsigned char *p = sa + offsetof(struct sockaddr_un, sun_path);

	if (n && p[0] == '\0') {
		for (i = 1; i < n && i < size - 1; i++)
			out[i] = p[i] ? (char)p[i] : '@';
		out[0] = '@';
		out[i < size ? i : size - 1] = '\0';
		return;
	}
	snprintf(out, size, "%.*s", (int)n, (const char *)p);
}

static bool unix_dest_inside(const struct procs *procs, pid_t pid,
			     const unsigned char *sa, size_t len)
{
	char want[sizeof(struct sockaddr_un) + 2], line[1024];
	unsigned flags, type;
	unsigned long ino;
	bool inside = false;
	FILE *f;

	if (len <= offsetof(struct sockaddr_un, sun_path))
		return true;
	unix_name(want, sizeof(want), sa, len);
	f = net_table(pid, "unix");
	if (!f)
		return false;
	while (!inside && fgets(line, sizeof(line), f)) {
		char name[512];

		if (sscanf(line, "%*s %*x %*x %x %x %*x %lu %511s", &flags,
			   &type, &ino, name) != 4 || strcmp(name, want))
			continue;
		if (type == SOCK_DGRAM || (flags & UNIX_ACCEPTCON))
			inside = held(procs, ino);
	}
	fclose(f);
	return inside;
}

/* The class of a connection of PID's socket FD to the address ADDR (LEN
 * bytes, in PID's memory). */
static enum mvx_fdclass dest_class(const struct procs *procs, pid_t pid,
				   long fd, uint64_t addr, uint64_t len)
{
	unsigned char sa[sizeof(struct sockaddr_storage)];
	uint16_t family;
	bool inside;

	if (len > sizeof(sa))
		len = sizeof(sa);
	if (!addr || len < 2 || tracee_read(pid, addr, sa, (size_t)len))
		return MVX_FD_ANON;
	memcpy(&family, sa, 2);
	if (family == AF_INET || family == AF_INET6)
		inside = inet_dest_inside(procs, pid, sa, (size_t)len);
	else if (family == AF_UNIX)
		inside = unix_dest_inside(procs, pid, sa, (size_t)len);
	else
		inside = true;	/* netlink and the like: the kernel's own */
	if (inside)
		return MVX_FD_ANON;
	remember(socket_ino(pid, fd));
	return MVX_FD_EXTERNAL;
}

enum mvx_fdclass sock_call_class(const struct procs *procs, pid_t pid,
				 const struct tracee_call *c,
				 enum mvx_fdclass fdc)
{
	if (fdc == MVX_FD_EXTERNAL)
		return fdc;
	if (c->nr == SYS_connect)
		return dest_class(procs, pid, (long)c->args[0], c->args[1],
				  c->args[2]);
	if (c->nr == SYS_sendto && c->args[4])
		return dest_class(procs, pid, (long)c->args[0], c->args[4],
				  c->args[5]);
	return fdc;
}

/* ----- a connection accepted from outside */

/* In table NAME of PID's namespace: the ends of the socket of inode INO
 * (WANT->ino) into *WANT, or the inode of the socket whose ends are
 * WANT's the other way round (WANT->ino 0).  Whether one was found. */
static bool tcp_find(pid_t pid, const char *name, struct inet_ends *want,
		     unsigned long ino)
{
	char line[512];
	struct inet_ends e;
	bool found = false;
	FILE *f = net_table(pid, name);

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!inet_line(line, &e))
			continue;
		if (ino) {
			found = e.ino == ino;
			if (found)
				*want = e;
		} else if (e.lport == want->rport && e.rport == want->lport &&
			   !strcmp(e.local, want->remote) &&
			   !strcmp(e.remote, want->local)) {
			found = true;
			want->ino = e.ino;
		}
	}
	fclose(f);
	return found;
}

bool sock_accepted_outside(const struct procs *procs, pid_t pid, long fd)
{
	static const char *const tables[] = { "tcp", "tcp6" };
	unsigned long ino = socket_ino(pid, fd);
	struct inet_ends e;

	for (size_t i = 0; ino && i < 2; i++) {
		if (!tcp_find(pid, tables[i], &e, ino))
			continue;
		/* The peer on this kernel, held by the program? */
		e.ino = 0;
		if (tcp_find(pid, tables[i], &e, 0) && held(procs, e.ino))
			return false;
		remember(ino);
		return true;
	}
	return false;	/* not TCP: a UNIX peer is taken as the program's */
}

void sock_mark_external(pid_t pid, long fd)
{
	remember(socket_ino(pid, fd));
}

/* A socket of PID's network namespace: 0 or -1. */
static int socket_in(pid_t pid, int family)
{
	char ns[64];
	int self, theirs, s = -1;

	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)pid);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	theirs = open(ns, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && theirs >= 0 && !setns(theirs, CLONE_NEWNET)) {
		s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET)) {
			/* Stuck in the replica's network: this monitor's
			 * own sockets (the transport) are made already. */
			perror("mvx: back to the monitor's network namespace");
		}
	}
	if (self >= 0)
		close(self);
	if (theirs >= 0)
		close(theirs);
	return s;
}

/* Where to connect to reach listener SA: the loopback for "any". */
static void to_loopback(struct sockaddr_storage *sa)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;

	if (sa->ss_family == AF_INET && v4->sin_addr.s_addr == htonl(INADDR_ANY))
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sa->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr))
		v6->sin6_addr = in6addr_loopback;
}

int sock_standin(pid_t pid, long listen_fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int pidfd, lfd = -1, s = -1, err = -1;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0)
		lfd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)listen_fd, 0);
	if (lfd >= 0 && !getsockname(lfd, (struct sockaddr *)&sa, &len) &&
	    (sa.ss_family == AF_INET || sa.ss_family == AF_INET6)) {
		to_loopback(&sa);
		s = socket_in(pid, sa.ss_family);
	}
	if (s >= 0)
		err = connect(s, (struct sockaddr *)&sa, len);
	if (err)
		fprintf(stderr, "mvx: a stand-in for a connection from outside: "
			"%s\n", strerror(errno));
	if (s >= 0)
		close(s);
	if (lfd >= 0)
		close(lfd);
	if (pidfd >= 0)
		close(pidfd);
	return err;
}

int sock_own_loopback(void)
{
	struct ifreq ifr;
	int s, err;

	if (unshare(CLONE_NEWNET))
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	err = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!err)
		err = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return err;
}
