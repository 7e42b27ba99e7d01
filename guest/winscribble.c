/* winscribble: a hostile partition, for the fault-injection suite
 * (tests/faults/).  Every mode writes where docs/window.md says this
 * partition must not, or floods what it may write.
 *
 *   winscribble random SECONDS   overwrite the whole window (header, every
 *                                slot, every ring) with random bytes, again
 *                                and again, for SECONDS
 *   winscribble forge SECONDS    write random values into the host-owned
 *                                fields (state, boot count, response) of
 *                                every slot, every 10 ms, for SECONDS
 *   winscribble boots N          N boot requests with a random target and
 *                                random command-line bytes, each waited
 *                                for 1 ms at most; then one well-formed
 *                                request for partition 7, whose answer
 *                                proves the host still serves requests
 *
 * Each mode prints one summary line starting "winscribble: ". */
#define _GNU_SOURCE
#include "guest.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define ANSWER_TIMEOUT_MS 10000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void rng_seed(void)
{
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
		rng_state = (uint64_t)guest_now_ms();
	rng_state |= 1;
}

static struct window_slot *slot(const struct window *w, unsigned k)
{
	return (struct window_slot *)(w->base + WINDOW_SLOTS_OFFSET +
				      (size_t)k * WINDOW_SLOT_SIZE);
}

static int scribble_random(const struct window *w, long seconds)
{
	long long end = guest_now_ms() + seconds * 1000;
	volatile uint64_t *p = (volatile uint64_t *)w->base;
	unsigned long passes = 0;
	size_t i;

	while (guest_now_ms() < end) {
		for (i = 0; i < WINDOW_SIZE / sizeof(*p); i++)
			p[i] = rnd();
		passes++;
	}
	printf("winscribble: %lu passes of random bytes over the whole window (%u bytes) in %ld s\n",
	       passes, WINDOW_SIZE, seconds);
	return 0;
}

static int forge(const struct window *w, long seconds)
{
	long long end = guest_now_ms() + seconds * 1000;
	unsigned long rounds = 0;
	unsigned k;

	while (guest_now_ms() < end) {
		for (k = 0; k < WINDOW_MAX_PARTITIONS; k++) {
			struct window_slot *s = slot(w, k);

			atomic_store(&s->state, (uint32_t)(rnd() % 8));
			atomic_store(&s->boot_gen, (uint32_t)rnd());
			atomic_store(&s->resp_seq, (uint32_t)rnd());
			s->resp_status = (uint32_t)rnd();
			memset(s->reason, 'A' + (int)(rnd() % 26), sizeof(s->reason));
		}
		rounds++;
		poll(NULL, 0, 10);
	}
	printf("winscribble: forged the host fields of %u slots %lu times in %ld s\n",
	       WINDOW_MAX_PARTITIONS, rounds, seconds);
	return 0;
}

/* One random request, written as a hostile guest would (no check that
 * the last one was answered); true if the host answered it within 1 ms. */
static bool random_request(struct window_slot *s)
{
	size_t len = rnd() % (WINDOW_CMDLINE_MAX + 64), i;
	uint32_t seq = atomic_load(&s->req_seq) + 1;
	long long deadline;

	s->req_target = (uint32_t)(rnd() % 16);
	for (i = 0; i < WINDOW_CMDLINE_MAX; i++)
		s->cmdline[i] = i < len ? (char)(rnd() % 256) : '\0';
	atomic_store(&s->req_seq, seq);
	deadline = guest_now_ms() + 1;
	while (atomic_load(&s->resp_seq) != seq)
		if (guest_now_ms() > deadline)
			return false;
	return true;
}

static int boots(struct window *w, unsigned self, long n)
{
	char reason[WINDOW_REASON_MAX];
	unsigned long answered = 0;
	long long deadline;
	const char *what;
	uint32_t seq;
	int status, err;
	long i;

	for (i = 0; i < n; i++)
		answered += random_request(slot(w, self));
	/* The last random one may still be pending: wait for it. */
	deadline = guest_now_ms() + ANSWER_TIMEOUT_MS;
	while ((err = window_boot_request(w, self, 7, "", &seq)) == WINDOW_EPENDING &&
	       guest_now_ms() < deadline)
		poll(NULL, 0, 5);
	what = "cannot make";
	if (!err) {
		what = "no answer to";
		while ((err = window_boot_response(w, self, seq, &status, reason,
						   sizeof(reason))) == WINDOW_EPENDING &&
		       guest_now_ms() < deadline)
			poll(NULL, 0, 5);
	}
	printf("winscribble: %ld random boot requests, %lu answered within 1 ms\n",
	       n, answered);
	if (err) {
		guest_error("%s the well-formed request after them: %s (request %u, answer %u)",
			    what, window_strerror(err),
			    (unsigned)atomic_load(&slot(w, self)->req_seq),
			    (unsigned)atomic_load(&slot(w, self)->resp_seq));
		return 1;
	}
	printf("winscribble: then partition 7: %s: %s\n",
	       status ? "refused" : "accepted", reason);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: winscribble random SECONDS | forge SECONDS | boots N\n");
}

int main(int argc, char **argv)
{
	struct window w;
	long n;
	int self;

	guest_prog = "winscribble";
	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		usage();
		return 2;
	}
	rng_seed();
	if (guest_window_open(&w) < 0)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "random"))
		return scribble_random(&w, n);
	if (!strcmp(argv[1], "forge"))
		return forge(&w, n);
	if (!strcmp(argv[1], "boots")) {
		if ((self = guest_partition_self()) < 0)
			return 1;
		return boots(&w, (unsigned)self, n);
	}
	usage();
	return 2;
}
