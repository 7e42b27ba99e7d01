/* mvx-probe: small programs whose behaviour under mvx the tests assert
 * (tests/guest/mvx.sh; in the partitions, the lockstep scenarios).
 *
 *   mvx-probe clock N      read the clock N times; print the last reading
 *   mvx-probe tsc N        read the time-stamp counter N times (rdtsc,
 *                          rdtscp every other time); print the last and
 *                          whether it only went up
 *   mvx-probe slurp FILE   read FILE into a buffer, print nothing, exit 0
 *                          (a leak that is never printed)
 *   mvx-probe ioctl FILE   ioctl(FILE, 0x4458) and nothing else, exit 0:
 *                          booted with duplex_leak=1, /proc/duplex_leak
 *                          returns a kernel address as the result
 *   mvx-probe crash        dereference a null pointer
 *   mvx-probe fork N       fork N children that each exit at once
 *   mvx-probe thread       start a thread (clone with CLONE_THREAD)
 *   mvx-probe send PORT    a child sends "replica $MVX_REPLICA" to its
 *                          parent over TCP on 127.0.0.1:PORT (0: over a
 *                          socketpair); the parent reads it into a
 *                          buffer, prints nothing, exits 0
 *   mvx-probe nohang       fork a child that exits at once and poll for
 *                          it with waitpid(WNOHANG) until it is reaped;
 *                          print "reaped" (how many polls it took
 *                          differs from run to run)
 *   mvx-probe winsize      set the size of a pseudo-terminal of its own
 *                          to 10 + $MVX_REPLICA rows, read it back, print
 *                          nothing, exit 0 (what an ioctl copies out)
 *   mvx-probe fds HOW      fd 3 read from as one thing, then made another
 *                          (exit 3 if the number is not reused), HOW:
 *                          reopen, closerange, dup2, exec, fork,
 *                          clonefiles: it becomes /dev/urandom (close and
 *                          open; close_range; dup2 onto a pipe's end; a
 *                          pipe closed on exec; in a child, the parent's
 *                          staying urandom; in a child sharing the fd
 *                          table); print 16 bytes of it in hex.
 *                          environ: urandom becomes /proc/self/environ,
 *                          read, printed nothing.  stdout: print "x",
 *                          close stdout, open a file at 1, write to it,
 *                          read that back, exit 0 if it was there
 *   mvx-probe unix HOW     connect to a pathname socket that does not
 *                          exist, the whole struct sockaddr_un passed
 *                          (as glibc does), exit 0 on ENOENT.  HOW: tail:
 *                          the bytes after the path's NUL are
 *                          $MVX_REPLICA's; path: the path ends in it
 *
 * Static musl: clock_gettime goes through the vDSO unless mvx hides it,
 * which is what the clock probe shows. */
#define _GNU_SOURCE
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE 65536

static int probe_clock(long n)
{
	struct timespec ts = { 0, 0 };

	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

static uint64_t rdtsc(int with_aux)
{
	uint32_t lo, hi, aux;

	if (with_aux)
		__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	else
		__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static int probe_tsc(long n)
{
	uint64_t last = 0, t;
	int up = 1;

	for (long i = 0; i < n; i++) {
		t = rdtsc(i & 1);
		up &= t >= last;
		last = t;
	}
	printf("%llu %s\n", (unsigned long long)last,
	       up ? "rising" : "NOT rising");
	return !up;
}

static int probe_slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		guest_error("%s: %s", path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0;
}

static int probe_ioctl(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		guest_error("%s: %s", path, strerror(errno));
		return 1;
	}
	/* The result, truncated to int by the C library, is not looked at:
	 * mvx compares the whole of it. */
	ioctl(fd, 0x4458, 0);
	close(fd);
	return 0;
}

static int probe_crash(void)
{
	volatile int *volatile p = NULL;

	return *p;
}

static int probe_fork(long n)
{
	int st, bad = 0;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			bad++;
	}
	printf("%ld children, %d bad\n", n, bad);
	return bad != 0;
}

static int thread_main(void *arg)
{
	(void)arg;
	return 0;
}

static int probe_thread(void)
{
	static char stack[STACK_SIZE];

	if (clone(thread_main, stack + sizeof(stack), CLONE_VM | CLONE_FS |
		  CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, NULL) < 0) {
		guest_error("clone: %s", strerror(errno));
		return 1;
	}
	sleep(1);
	return 0;
}

/* The child's end: connected to the parent's listener on PORT, or the
 * pair's other end. */
static int send_child(long port, int peer)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *k = getenv("MVX_REPLICA");
	char msg[32];
	int fd = peer;

	if (port) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
	}
	snprintf(msg, sizeof(msg), "replica %s", k ? k : "-");
	_exit(send(fd, msg, strlen(msg), 0) != (ssize_t)strlen(msg));
}

static int probe_send(long port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static char buf[4096];
	int sv[2], one = 1, fd, st;
	pid_t pid;

	if (port ? (sv[0] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		   setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &one,
			      sizeof(one)) ||
		   bind(sv[0], (struct sockaddr *)&a, sizeof(a)) ||
		   listen(sv[0], 1) :
		   socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		guest_error("socket: %s", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		send_child(port, sv[1]);
	fd = port ? accept(sv[0], NULL, NULL) : sv[0];
	if (!port)
		close(sv[1]);
	while (fd >= 0 && recv(fd, buf, sizeof(buf), 0) > 0)
		;
	return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	       WEXITSTATUS(st);
}

static int probe_nohang(void)
{
	pid_t pid = fork(), got;
	int st = 0;

	if (pid < 0)
		return 1;
	if (!pid)
		_exit(7);
	while ((got = waitpid(-1, &st, WNOHANG)) == 0)
		;
	if (got != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 1;
	printf("reaped\n");
	return 0;
}

static int probe_winsize(void)
{
	const char *k = getenv("MVX_REPLICA");
	struct winsize ws = { .ws_row = 10, .ws_col = 80 };
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	ws.ws_row += (unsigned short)(k ? atoi(k) : 0);
	if (fd < 0 || ioctl(fd, TIOCSWINSZ, &ws)) {
		guest_error("a pseudo-terminal: %s", strerror(errno));
		return 1;
	}
	memset(&ws, 0, sizeof(ws));
	return ioctl(fd, TIOCGWINSZ, &ws) != 0;
}

/* A pathname that names no socket, its tail or its last letter this
 * replica's: what the kernel reads of the address is the path up to its
 * NUL, so only a different path is a different call. */
static int probe_unix(const char *how)
{
	const char *k = getenv("MVX_REPLICA");
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, k ? k[0] : '-', sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, 32, "/nonexistent/mvx-probe-%c",
		 strcmp(how, "path") ? 'x' : (k ? k[0] : '-'));
	if (fd < 0 || (strcmp(how, "tail") && strcmp(how, "path")))
		return 2;
	return connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	       errno != ENOENT;
}

/* ----- fds: the class mvx keeps per fd must follow what the fd is
 * (random bytes are an input, the same in every replica; the same bytes
 * read as a file's are compared, and differ) */

#define FD_SEEN 3	/* the number reused */

/* Read a little of FD, for mvx to class it. */
static void touch(int fd)
{
	char b[16];

	if (read(fd, b, sizeof(b)) < 0)
		guest_error("read %d: %s", fd, strerror(errno));
}

/* PATH opened at FD_SEEN and read a little: 0, or -1 at another number. */
static int open_seen(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd != FD_SEEN) {
		guest_error("%s opened at %d, not %d", path, fd, FD_SEEN);
		return -1;
	}
	touch(fd);
	return 0;
}

/* 16 bytes of FD_SEEN in hex: 0, or 3 if there were not as many. */
static int print_seen(void)
{
	unsigned char b[16];

	if (read(FD_SEEN, b, sizeof(b)) != sizeof(b))
		return 3;
	for (size_t i = 0; i < sizeof(b); i++)
		printf("%02x", b[i]);
	printf("\n");
	return 0;
}

static int child_reopen(void *path)
{
	close(FD_SEEN);
	_exit(open_seen(path) ? 3 : 0);
}

/* A child closes FD_SEEN and opens PATH there, in its own fd table or in
 * the one it shares with its parent (CLONE_FILES).  0 or 3. */
static int fds_child(const char *path, bool shared)
{
	static char stack[STACK_SIZE];
	int st;
	pid_t pid = clone(child_reopen, stack + sizeof(stack),
			  (shared ? CLONE_FILES : 0) | SIGCHLD, (void *)path);

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 3;
	return WEXITSTATUS(st);
}

/* A pipe's read end at FD_SEEN, read from (closed on exec if CLOEXEC):
 * 0 or -1. */
static int pipe_seen(int flags)
{
	int p[2];

	if (pipe2(p, flags) || p[0] != FD_SEEN || write(p[1], "pipe", 4) != 4)
		return -1;
	touch(p[0]);
	return 0;
}

static int fds_dup2(void)
{
	int r;

	if (pipe_seen(0))
		return 3;
	r = open("/dev/urandom", O_RDONLY);
	if (r < 0 || dup2(r, FD_SEEN) != FD_SEEN || close(r))
		return 3;
	return print_seen();
}

static int fds_stdout(void)
{
	static const char path[] = "/tmp/mvx-probe-fds";
	char b[8];
	int fd;

	if (write(1, "x\n", 2) != 2 || close(1) ||
	    open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) != 1 ||
	    write(1, "data", 4) != 4)
		return 3;
	fd = open(path, O_RDONLY);
	return fd < 0 || read(fd, b, sizeof(b)) != 4 || memcmp(b, "data", 4);
}

/* fd 3 is /proc/self/exe, read from, then /dev/urandom: closed and
 * opened again by a close, a close_range, or a child that shares the fd
 * table (HOW). */
static int fds_closed(const char *how)
{
	if (open_seen("/proc/self/exe"))
		return 3;
	if (!strcmp(how, "clonefiles"))
		return fds_child("/dev/urandom", true) ? 3 : print_seen();
	if (strcmp(how, "reopen") ? syscall(SYS_close_range, FD_SEEN, ~0u, 0) :
	    close(FD_SEEN))
		return 3;
	return open_seen("/dev/urandom") ? 3 : print_seen();
}

static int fds_exec(void)
{
	if (pipe_seen(O_CLOEXEC))
		return 3;
	execl("/proc/self/exe", "mvx-probe", "fds", "exec2", (char *)NULL);
	return 3;
}

/* urandom read at fd 3, then /proc/self/environ there: its bytes differ
 * per replica (MVX_REPLICA), in a buffer never printed. */
static int fds_environ(void)
{
	static char buf[65536];

	if (open_seen("/dev/urandom") || close(FD_SEEN) ||
	    open_seen("/proc/self/environ"))
		return 3;
	return read(FD_SEEN, buf, sizeof(buf)) < 0 ? 3 : 0;
}

static int probe_fds(const char *how)
{
	if (!strcmp(how, "reopen") || !strcmp(how, "closerange") ||
	    !strcmp(how, "clonefiles"))
		return fds_closed(how);
	if (!strcmp(how, "dup2"))
		return fds_dup2();
	if (!strcmp(how, "exec"))
		return fds_exec();
	if (!strcmp(how, "exec2"))
		return open_seen("/dev/urandom") ? 3 : print_seen();
	if (!strcmp(how, "fork"))
		return open_seen("/dev/urandom") ||
		       fds_child("/proc/self/exe", false) ? 3 : print_seen();
	if (!strcmp(how, "environ"))
		return fds_environ();
	if (!strcmp(how, "stdout"))
		return fds_stdout();
	return 2;
}

int main(int argc, char **argv)
{
	guest_prog = "mvx-probe";
	if (argc == 3 && !strcmp(argv[1], "clock"))
		return probe_clock(strtol(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "tsc"))
		return probe_tsc(strtol(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "slurp"))
		return probe_slurp(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "ioctl"))
		return probe_ioctl(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "crash"))
		return probe_crash();
	if (argc == 3 && !strcmp(argv[1], "fork"))
		return probe_fork(strtol(argv[2], NULL, 10));
	if (argc == 2 && !strcmp(argv[1], "thread"))
		return probe_thread();
	if (argc == 2 && !strcmp(argv[1], "nohang"))
		return probe_nohang();
	if (argc == 2 && !strcmp(argv[1], "winsize"))
		return probe_winsize();
	if (argc == 3 && !strcmp(argv[1], "send"))
		return probe_send(strtol(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "fds"))
		return probe_fds(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unix"))
		return probe_unix(argv[2]);
	fprintf(stderr, "usage: mvx-probe clock N | tsc N | slurp FILE | "
		"ioctl FILE | crash | fork N | thread | send PORT | winsize | "
		"nohang | fds HOW | unix HOW\n");
	return 2;
}
