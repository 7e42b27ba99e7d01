/* winbench's throughput role.  See stream.h. */
#include "stream.h"
#include "session.h"
#include "guest.h"

#include <stdio.h>
#include <string.h>

static void report_throughput(const struct chan *c, long size, long mib,
			      unsigned long long msgs, unsigned long long bytes,
			      long long ns)
{
	double s = ns / (double)NS_PER_S;

	printf("winbench: throughput %.1f MiB/s (%.0f msgs/s, size %ld, %ld MiB, %s)\n",
	       bytes / s / (1 << 20), msgs / s, size, mib, c->via);
}

/* Push MSGS messages of SIZE, END, and wait for END_ACK. */
static int stream_once(struct chan *c, long size, long mib, int timeout_ms,
		       uint64_t session, unsigned long long msgs)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	unsigned long long i, bytes = msgs * (unsigned long long)size;
	struct wb_head h;
	long long t0 = now_ns();
	size_t len;

	memset(buf, 0x5a, sizeof(buf));
	put_head(buf, session, 0, 0);
	for (i = 0; i < msgs; i++)
		if (session_send(c, WB_DATA, buf, (size_t)size, timeout_ms) < 0)
			return -1;
	put_head(buf, session, msgs, bytes);
	if (session_send(c, WB_END, buf, sizeof(h), timeout_ms) < 0 ||
	    session_expect(c, WB_END_ACK, session, buf, &len, timeout_ms) < 0)
		return -1;
	h = get_head(buf, len);
	if (h.a != msgs || h.b != bytes) {
		guest_error("%s received %llu messages (%llu bytes), not %llu (%llu)",
			    c->name, (unsigned long long)h.a,
			    (unsigned long long)h.b, msgs, bytes);
		return -1;
	}
	report_throughput(c, size, mib, msgs, bytes, now_ns() - t0);
	return 0;
}

int stream(struct chan *c, long size, long mib, int timeout_ms)
{
	unsigned long long total = (unsigned long long)mib << 20;
	uint64_t session = session_new();

	if (session_hello(c, session, timeout_ms) < 0)
		return 1;
	return stream_once(c, size, mib, timeout_ms, session,
			   (total + (unsigned long long)size - 1) /
			   (unsigned long long)size) < 0;
}
