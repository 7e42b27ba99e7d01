/* mvx: run a program as N replicas under a syscall monitor, the leader's
 * inputs replicated to the followers and everything the kernels give back
 * compared (docs/mvx.md).
 *
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
#include "follower.h"
#include "guest.h"
#include "local.h"
#include "policy.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mvx --local|--ring N [--strict|--loose] [--continue] "
		"PROG [ARGS]\n"
		"Run PROG as N (2..%u) replicas on this kernel under a syscall\n"
		"monitor: the leader's inputs (time, randomness, uname, stdin)\n"
		"replicated to the followers, everything else compared.\n"
		"  --local   replicas linked by socketpairs\n"
		"  --ring    replicas linked by the rings of a window\n"
		"  --strict  each syscall waits until every follower checked it\n"
		"  --loose   the leader runs ahead (the default)\n"
		"  --continue  report every divergence (up to %u), not only "
		"the first\n"
		"Exit: the program's status if all agree; 100 divergence,\n"
		"101 mvx error, 102 a replica lost.  Runs as root.\n",
		LOCAL_MAX, FOLLOWER_CONTINUE_MAX);
}

/* ARGV's options into *O: the index of PROG, or -1 (reported). */
static int parse(int argc, char **argv, struct local_opts *o)
{
	long n;
	int i = 3;

	if (argc < 4 || (strcmp(argv[1], "--local") &&
			 strcmp(argv[1], "--ring"))) {
		usage(stderr);
		return -1;
	}
	o->ring = !strcmp(argv[1], "--ring");
	n = strtol(argv[2], NULL, 10);
	if (n < 2 || n > (long)LOCAL_MAX) {
		guest_error("N must be 2..%u, not '%s'", LOCAL_MAX, argv[2]);
		return -1;
	}
	o->n = (unsigned)n;
	o->strict = false;
	for (; i < argc && argv[i][0] == '-'; i++) {
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
	int prog;

	guest_prog = "mvx";
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	prog = parse(argc, argv, &o);
	if (prog < 0)
		return 2;
	if (local_run(&o, argv + prog, &m))
		return MVX_EXIT_ERROR;
	return verdict(&m, o.n);
}
