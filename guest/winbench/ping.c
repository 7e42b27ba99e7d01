/* winbench's latency role.  See ping.h. */
#include "ping.h"
#include "session.h"
#include "guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARMUP 16		/* round trips not counted */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile P of the N sorted values V. */
static long long percentile(const long long *v, long n, int p)
{
	long rank = (n * p + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

/* One-way latency = round trip / 2, in microseconds. */
static double one_way_us(long long rtt_ns)
{
	return rtt_ns / 2000.0;
}

static void report_latency(const struct chan *c, long long *rtt, long n,
			   long size)
{
	double median;

	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_ll);
	median = n % 2 ? one_way_us(rtt[n / 2]) :
			 (one_way_us(rtt[n / 2 - 1]) + one_way_us(rtt[n / 2])) / 2;
	printf("winbench: latency one-way median %.1f us (min %.1f, p90 %.1f, p99 %.1f, max %.1f us; n=%ld, size %ld, %s)\n",
	       median, one_way_us(rtt[0]), one_way_us(percentile(rtt, n, 90)),
	       one_way_us(percentile(rtt, n, 99)), one_way_us(rtt[n - 1]), n,
	       size, c->via);
}

/* One round trip of message SEQ; its time in *RTT. */
static int round_trip(struct chan *c, uint64_t session, uint64_t seq,
		      unsigned char *buf, long size, int timeout_ms,
		      long long *rtt)
{
	static unsigned char in[WINDOW_MSG_MAX];
	long long t0;
	size_t len;

	put_head(buf, session, seq, 0);
	t0 = now_ns();
	if (session_send(c, WB_PING, buf, (size_t)size, timeout_ms) < 0)
		return -1;
	do {
		if (session_expect(c, WB_PONG, session, in, &len, timeout_ms) < 0)
			return -1;
	} while (get_head(in, len).a != seq);
	*rtt = now_ns() - t0;
	if (len != (size_t)size || memcmp(in, buf, len)) {
		guest_error("%s echoed message %llu changed", c->name,
			    (unsigned long long)seq);
		return -1;
	}
	return 0;
}

int ping(struct chan *c, long count, long size, int timeout_ms)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint64_t session = session_new();
	long long *rtt = calloc((size_t)count, sizeof(*rtt));
	long long t;
	long i;
	int ret = 1;

	if (!rtt) {
		guest_error("out of memory");
		return 1;
	}
	memset(buf, 0xa5, sizeof(buf));
	if (session_hello(c, session, timeout_ms) < 0)
		goto out;
	for (i = -WARMUP; i < count; i++) {
		if (round_trip(c, session, (uint64_t)(i + WARMUP), buf, size,
			       timeout_ms, &t) < 0)
			goto out;
		if (i >= 0)
			rtt[i] = t;
	}
	report_latency(c, rtt, count, size);
	ret = 0;
out:
	free(rtt);
	return ret;
}
