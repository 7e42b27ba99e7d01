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
 *                          on the leak-test kernels, /proc/duplex_leak
 *                          returns a kernel address as the result
 *   mvx-probe crash        dereference a null pointer
 *   mvx-probe fork N       fork N children that each exit at once
 *   mvx-probe thread       start a thread (clone with CLONE_THREAD)
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
#include <sys/ioctl.h>
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
	fprintf(stderr, "usage: mvx-probe clock N | tsc N | slurp FILE | "
		"ioctl FILE | crash | fork N | thread\n");
	return 2;
}
