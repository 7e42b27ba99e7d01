/* repboot K [ARGS...]: ask the machine to boot partition K, with ARGS
 * appended to its kernel command line, and wait until it is up — the
 * duplex analog of the reference's pierre_boot.sh.  The host validates the
 * request and answers in this partition's window slot. */
#include "guest.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers come within milliseconds; a secondary boots in seconds (TCG). */
#define ANSWER_TIMEOUT_MS 10000
#define DEFAULT_UP_TIMEOUT_S 300
#define POLL_MS 5

static void usage(FILE *out)
{
	fprintf(out, "usage: repboot [-t SECONDS] PARTITION [KERNEL-ARGS...]\n"
		"Boot partition PARTITION of this machine and wait until it is up\n"
		"(default deadline %d s).  KERNEL-ARGS are appended to its kernel\n"
		"command line (letters, digits and . _ , = : / + - only).\n",
		DEFAULT_UP_TIMEOUT_S);
}

/* The arguments joined by spaces, whatever their length: the host, not
 * this tool, decides what is too long, so that its log says so too. */
static char *join_args(int argc, char **argv)
{
	size_t size = 1;
	char *out;
	int i;

	for (i = 0; i < argc; i++)
		size += strlen(argv[i]) + 1;
	out = malloc(size);
	if (!out) {
		guest_error("out of memory");
		return NULL;
	}
	out[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, argv[i]);
	}
	return out;
}

static int wait_answer(const struct window *w, unsigned self, uint32_t seq,
		       unsigned target)
{
	long long deadline = guest_now_ms() + ANSWER_TIMEOUT_MS;
	char reason[WINDOW_REASON_MAX];
	int status, err;

	while ((err = window_boot_response(w, self, seq, &status, reason,
					   sizeof(reason))) == WINDOW_EPENDING) {
		if (guest_now_ms() >= deadline) {
			guest_error("no answer from the machine within %d s (is duplex running?)",
				    ANSWER_TIMEOUT_MS / 1000);
			return -1;
		}
		poll(NULL, 0, POLL_MS);
	}
	if (err) {
		guest_error("cannot read the answer: %s", window_strerror(err));
		return -1;
	}
	if (status) {
		guest_error("partition %u: refused: %s", target,
			    reason[0] ? reason : window_strerror(status));
		return -1;
	}
	return 0;
}

static int wait_up(const struct window *w, unsigned target, long timeout_s)
{
	long long start = guest_now_ms(), deadline = start + timeout_s * 1000;
	enum window_state state;

	for (;;) {
		state = window_slot_state(w, target);
		if (state == WINDOW_STATE_UP) {
			printf("repboot: partition %u is up (%.1f s)\n", target,
			       (guest_now_ms() - start) / 1000.0);
			return 0;
		}
		if (state == WINDOW_STATE_HALTED || state == WINDOW_STATE_PANICKED ||
		    state == WINDOW_STATE_INVALID) {
			guest_error("partition %u did not come up: it is %s", target,
				    window_state_name(state));
			return -1;
		}
		if (guest_now_ms() >= deadline) {
			guest_error("partition %u is not up after %ld s (still %s)",
				    target, timeout_s, window_state_name(state));
			return -1;
		}
		poll(NULL, 0, 20);
	}
}

int main(int argc, char **argv)
{
	char *cmdline, *end;
	long timeout_s = DEFAULT_UP_TIMEOUT_S, target;
	struct window w;
	uint32_t seq;
	int self, err, arg = 1;

	guest_prog = "repboot";
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout_s = strtol(argv[2], &end, 10);
		if (*end || timeout_s <= 0) {
			guest_error("-t wants a number of seconds, not '%s'", argv[2]);
			return 2;
		}
		arg = 3;
	}
	if (arg >= argc) {
		usage(stderr);
		return 2;
	}
	target = strtol(argv[arg], &end, 10);
	if (*end || end == argv[arg] || target < 0) {
		guest_error("'%s' is not a partition number", argv[arg]);
		return 2;
	}
	cmdline = join_args(argc - arg - 1, argv + arg + 1);
	if (!cmdline)
		return 1;
	self = guest_partition_self();
	if (self < 0 || guest_window_open(&w) < 0)
		return 2;
	err = window_boot_request(&w, (unsigned)self, (unsigned)target, cmdline, &seq);
	free(cmdline);
	if (err) {
		guest_error("cannot ask for partition %ld: %s", target,
			    window_strerror(err));
		return 1;
	}
	if (wait_answer(&w, (unsigned)self, seq, (unsigned)target) < 0)
		return 1;
	return wait_up(&w, (unsigned)target, timeout_s) < 0 ? 1 : 0;
}
