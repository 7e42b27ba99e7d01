/* mvx: run a program as N replicas under a syscall monitor, the leader's
 * inputs replicated to the followers and everything the kernels give back
 * compared (docs/mvx.md).
 *
 *   mvx N PROG [ARGS]           the leader here, followers on the next
 *                               N - 1 partitions up (through repd)
 *   mvx --local N PROG [ARGS]   N replicas on this kernel, socketpairs
 *   mvx --ring N PROG [ARGS]    the same over a window's rings (an
 *                               anonymous window on this kernel)
 *   --strict after N: each syscall waits until every follower has checked
 *   it; --loose (the default): the leader runs ahead.
 *   --continue: a follower reports every divergence (up to
 *   FOLLOWER_CONTINUE_MAX) instead of stopping at the first.
 *
 * One verdict line on stderr ("mvx: verdict: ..."); the exit status is
 * the program's when every replica agrees, 128 + the signal when it was
 * killed, else MVX_EXIT_DIVERGED (100), _ERROR (101) or _LOST (102). */
#define _GNU_SOURCE
#include "follower.h"
#include "guest.h"
#include "local.h"
#include "partition.h"
#include "policy.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mvx [--local|--ring] N [--strict|--loose] [--continue] "
		"PROG [ARGS]\n"
		"Run PROG as N (2..%u) replicas under a syscall monitor: the\n"
		"leader's inputs (time, randomness, uname, stdin) replicated to\n"
		"the followers, everything else compared.  The leader runs here,\n"
		"a follower on each of the next N - 1 partitions that are up.\n"
		"  --local   all N on this kernel, linked by socketpairs\n"
		"  --ring    all N on this kernel, linked by a window's rings\n"
		"  --strict  each syscall waits until every follower checked it\n"
		"  --loose   the leader runs ahead (the default)\n"
		"  --continue  report every divergence (up to %u), not only "
		"the first\n"
		"Exit: the program's status if all agree; 100 divergence,\n"
		"101 mvx error, 102 a replica lost.  Runs as root.\n",
		LOCAL_MAX, FOLLOWER_CONTINUE_MAX);
}

/* ARGV's options into *O (O->partitions: between partitions): the
 * index of PROG, or -1 (reported). */
static int parse(int argc, char **argv, struct local_opts *o,
		 bool *partitions)
{
	int i = 1;
	long n;
	char *end;

	*partitions = argc > 1 && argv[1][0] != '-';
	if (!*partitions) {
		if (argc < 2 || (strcmp(argv[1], "--local") &&
				 strcmp(argv[1], "--ring"))) {
			usage(stderr);
			return -1;
		}
		o->ring = !strcmp(argv[1], "--ring");
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return -1;
	}
	n = strtol(argv[i], &end, 10);
	if (*end || n < 2 || n > (long)LOCAL_MAX) {
		guest_error("N must be 2..%u, not '%s'", LOCAL_MAX, argv[i]);
		return -1;
	}
	o->n = (unsigned)n;
	o->strict = false;
	for (i++; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--strict") || !strcmp(argv[i], "--loose"))
			o->strict = !strcmp(argv[i], "--strict");
		else if (!strcmp(argv[i], "--continue"))
			follower_keep_going = FOLLOWER_CONTINUE_MAX;
		else if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 : -1;
		else {
			guest_error("unknown option '%s'", argv[i]);
			return -1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return -1;
	}
	return i;
}

/* mvx reads and writes its replicas' memory with process_vm_readv and
 * process_vm_writev: a kernel without them (CONFIG_CROSS_MEMORY_ATTACH)
 * would make every buffer look empty, so say so before anything runs. */
static int memory_access_works(void)
{
	char src = 1, dst = 0;
	struct iovec local = { &dst, 1 }, remote = { &src, 1 };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1)
		return 1;
	guest_error("this kernel cannot read another process's memory "
		    "(process_vm_readv: %s; CONFIG_CROSS_MEMORY_ATTACH)",
		    strerror(errno));
	return 0;
}

/* mvx --follow LEADER SESSION: what repd starts for a run. */
static int follow(int argc, char **argv)
{
	char *end1, *end2;
	unsigned long leader, session;

	if (argc != 4)
		goto bad;
	leader = strtoul(argv[2], &end1, 10);
	session = strtoul(argv[3], &end2, 16);
	if (*end1 || *end2 || leader >= WINDOW_MAX_PARTITIONS || !session ||
	    session > UINT32_MAX)
		goto bad;
	return partition_follow((unsigned)leader, (uint32_t)session);
bad:
	guest_error("usage: mvx --follow LEADER SESSION (started by repd)");
	return 2;
}

/* How many followers ended each way. */
struct tally {
	unsigned diverged, stopped, lost, error, same;
};

static void count(const struct monitor *m, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < m->npeers; i++) {
		switch (m->peer_end[i].how) {
		case MVX_END_DIVERGED: t->diverged++; break;
		case MVX_END_STOPPED: t->stopped++; break;
		case MVX_END_ERROR: t->error++; break;
		case 0: t->lost++; break;
		default: t->same++;
		}
	}
}

/* The end of the DIVERGED line: where the first follower that did
 * diverged (its END's code: the syscall number, -1 for how the program
 * ended). */
static void where_diverged(const struct monitor *m)
{
	char name[32];

	for (unsigned i = 0; i < m->npeers; i++) {
		const struct mvx_end *e = &m->peer_end[i];

		if (e->how != MVX_END_DIVERGED)
			continue;
		fprintf(stderr, "replica %u at %s; %u divergence(s))\n", i + 1,
			e->code < 0 ? "the program's end" :
			policy_name(e->code, name, sizeof(name)), e->count);
		return;
	}
}

static int verdict(const struct monitor *m, unsigned n)
{
	const struct mvx_end *e = &m->end;
	struct tally t;

	count(m, &t);
	if (t.diverged) {
		fprintf(stderr, "mvx: verdict: DIVERGED (%u of %u followers; ",
			t.diverged, n - 1);
		where_diverged(m);
		return MVX_EXIT_DIVERGED;
	}
	if (e->how == MVX_END_ERROR || t.error) {
		fprintf(stderr, "mvx: verdict: ERROR (mvx failed or refused "
			"the program)\n");
		return MVX_EXIT_ERROR;
	}
	if (t.lost) {
		fprintf(stderr, "mvx: verdict: LOST (%u follower(s) gave no "
			"verdict)\n", t.lost);
		return MVX_EXIT_LOST;
	}
	if (e->how == MVX_END_SIGNALED) {
		fprintf(stderr, "mvx: verdict: KILLED (the leader's program "
			"was killed by signal %d, %s; %u follower(s) the same, "
			"%u stopped)\n", (int)e->code, strsignal(e->code),
			t.same, t.stopped);
		return 128 + e->code;
	}
	if (t.stopped) {
		fprintf(stderr, "mvx: verdict: LOST (%u follower(s) stopped)\n",
			t.stopped);
		return MVX_EXIT_LOST;
	}
	fprintf(stderr, "mvx: verdict: SAME in %u replicas (exit status %d, "
		"%lu syscalls checked)\n", n, (int)e->code, m->calls);
	return e->code;
}

int main(int argc, char **argv)
{
	struct local_opts o;
	struct monitor m;
	bool partitions;
	int prog, err;

	guest_prog = "mvx";
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!memory_access_works())
		return MVX_EXIT_ERROR;
	if (argc > 1 && !strcmp(argv[1], "--follow"))
		return follow(argc, argv);
	prog = parse(argc, argv, &o, &partitions);
	if (prog < 0)
		return 2;
	err = partitions ? partition_lead(o.n, o.strict, argv + prog, &m) :
			   local_run(&o, argv + prog, &m);
	if (err)
		return MVX_EXIT_ERROR;
	return verdict(&m, o.n);
}
