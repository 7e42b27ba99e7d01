/* winbench: message latency and throughput through the window's rings
 * between this partition and partition PEER, measured inside the guests.
 *
 *   winbench serve PEER     echo PEER's messages back until PEER says
 *                           `winbench stop`, or a deadline
 *   winbench ping PEER      ping-pong: one-way latency = round trip / 2
 *   winbench stream PEER    push as fast as the ring allows: MiB/s, msgs/s
 *   winbench stop PEER      end the `winbench serve` running on PEER
 *
 * With -l instead of PEER, ping and stream run the same protocol over a
 * pair of pipes to a forked `serve` on this partition: the baseline.
 *
 * This file reads the arguments and runs the role; the roles, the
 * protocol and the channels are in guest/winbench/.  One line per figure
 * on stdout, errors on stderr. */
#include "guest.h"
#include "peer.h"
#include "ping.h"
#include "serve.h"
#include "session.h"
#include "stream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COUNT 1000
#define DEFAULT_PING_SIZE 64
#define DEFAULT_STREAM_SIZE 4096
#define DEFAULT_MIB 64
#define DEFAULT_ANSWER_S 10
#define MAX_MIB 4096

struct options {
	const char *role;
	long peer;		/* -1: none given */
	bool loopback;
	long count, size, mib, timeout_s;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: winbench serve PEER [-t SECONDS]\n"
		"       winbench ping PEER|-l [-n COUNT] [-s SIZE] [-t SECONDS]\n"
		"       winbench stream PEER|-l [-m MIB] [-s SIZE] [-t SECONDS]\n"
		"       winbench stop PEER [-t SECONDS]\n"
		"Message latency and throughput through the window's rings between\n"
		"this partition and partition PEER, which runs 'winbench serve K'\n"
		"(K: this partition).\n"
		"  serve   echo PEER's messages back until 'winbench stop' there or\n"
		"          SECONDS (default %d)\n"
		"  ping    COUNT round trips (default %d) of SIZE bytes (default %d);\n"
		"          prints the one-way latency (round trip / 2) in us\n"
		"  stream  MIB MiB (default %d) in messages of SIZE bytes (default %d)\n"
		"          as fast as the ring takes them; prints MiB/s and msgs/s\n"
		"  stop    end 'winbench serve' on PEER\n"
		"  -l, --loopback  instead of PEER: through a pipe to a child process\n"
		"          on this partition (the baseline)\n"
		"  -t SECONDS  serve: how long to serve; others: how long to wait for\n"
		"          an answer (default %d)\n"
		"SIZE: %u..%u bytes.  Exit: 0 done, 1 failed, 2 bad arguments or no window.\n",
		SERVE_DEFAULT_S, DEFAULT_COUNT, DEFAULT_PING_SIZE, DEFAULT_MIB,
		DEFAULT_STREAM_SIZE, DEFAULT_ANSWER_S, WB_MIN_SIZE, WINDOW_MSG_MAX);
}

static int number(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s) {
		guest_error("%s needs a number from %ld to %ld", opt, min, max);
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		guest_error("%s wants a number from %ld to %ld, not '%s'", opt,
			    min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Option ARGV[*I] (with its value, which it consumes) into O. */
static int option(struct options *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(a, "-l") || !strcmp(a, "--loopback")) {
		o->loopback = true;
		return 0;
	}
	++*i;
	if (!strcmp(a, "-n"))
		return number(a, v, 1, 10000000, &o->count);
	if (!strcmp(a, "-s"))
		return number(a, v, WB_MIN_SIZE, WINDOW_MSG_MAX, &o->size);
	if (!strcmp(a, "-m"))
		return number(a, v, 1, MAX_MIB, &o->mib);
	if (!strcmp(a, "-t"))
		return number(a, v, 1, 86400, &o->timeout_s);
	guest_error("unknown option '%s' (see winbench --help)", a);
	return -1;
}

static bool role_is(const struct options *o, const char *name)
{
	return !strcmp(o->role, name);
}

/* Check what the role needs; fill in its defaults. */
static int check_options(struct options *o)
{
	bool client = role_is(o, "ping") || role_is(o, "stream");

	if (!client && !role_is(o, "serve") && !role_is(o, "stop")) {
		guest_error("unknown command '%s' (serve, ping, stream or stop)",
			    o->role);
		return -1;
	}
	if (o->loopback && !client) {
		guest_error("-l goes with ping and stream only");
		return -1;
	}
	if (o->peer >= 0 && o->loopback) {
		guest_error("a PEER or -l, not both");
		return -1;
	}
	if (o->peer < 0 && !o->loopback) {
		guest_error("which partition? (winbench %s PEER)", o->role);
		return -1;
	}
	if (!o->size)
		o->size = role_is(o, "stream") ? DEFAULT_STREAM_SIZE :
						 DEFAULT_PING_SIZE;
	if (!o->timeout_s)
		o->timeout_s = role_is(o, "serve") ? SERVE_DEFAULT_S :
						     DEFAULT_ANSWER_S;
	return 0;
}

static int parse(struct options *o, int argc, char **argv)
{
	int i;

	*o = (struct options){ argv[1], -1, false, DEFAULT_COUNT, 0,
			       DEFAULT_MIB, 0 };
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			if (option(o, argc, argv, &i) < 0)
				return -1;
		} else if (o->peer >= 0) {
			guest_error("unexpected argument '%s'", argv[i]);
			return -1;
		} else if (number("PEER", argv[i], 0, WINDOW_MAX_PARTITIONS - 1,
				  &o->peer) < 0) {
			return -1;
		}
	}
	return check_options(o);
}

static int run(struct chan *c, const struct options *o)
{
	int timeout_ms = (int)o->timeout_s * 1000;

	if (role_is(o, "serve"))
		return serve(c, o->timeout_s, DEFAULT_ANSWER_S * 1000, false);
	if (role_is(o, "stop"))
		return stop(c, timeout_ms);
	return role_is(o, "ping") ? ping(c, o->count, o->size, timeout_ms) :
				    stream(c, o->size, o->mib, timeout_ms);
}

int main(int argc, char **argv)
{
	struct chan c = { .rfd = -1, .wfd = -1 };
	struct options o;
	pid_t child;
	int ret;

	guest_prog = "winbench";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (parse(&o, argc, argv) < 0)
		return 2;
	if (o.loopback) {
		if (peer_open_loopback(&c, (int)o.timeout_s * 1000,
				       &child) < 0)
			return 2;
		ret = run(&c, &o);
		peer_close_loopback(&c, child);
		return ret;
	}
	if (peer_open_ring(&c, o.peer) < 0)
		return 2;
	snprintf(c.via, sizeof(c.via), "window %u%s%u", c.self,
		 role_is(&o, "ping") ? "<->" : "->", c.peer);
	return run(&c, &o);
}
