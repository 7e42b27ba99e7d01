/* winbench's server and its stop.  See serve.h. */
#include "serve.h"
#include "session.h"
#include "guest.h"

#include <stdio.h>

struct serve_state {
	uint64_t session;	/* 0: none */
	unsigned long long msgs, bytes, dropped;
	int timeout_ms;		/* for a reply to find room */
};

/* Send a reply; a client that stopped reading ends its session only. */
static int reply(struct chan *c, struct serve_state *st, uint16_t type,
		 const void *buf, size_t len)
{
	int ret = c->ops->send(c, type, buf, len, st->timeout_ms);

	if (ret == 1) {
		guest_error("%s does not read its answers (no room for %d s): session dropped",
			    c->name, st->timeout_ms / 1000);
		st->session = 0;
		return 0;
	}
	return ret;
}

/* Answer one message.  0: go on, 1: told to stop, -1: ring broken. */
static int serve_one(struct chan *c, struct serve_state *st, uint16_t type,
		     void *buf, size_t len)
{
	struct wb_head h = get_head(buf, len);
	unsigned char ack[sizeof(struct wb_head)];

	if (type == WB_HELLO && len >= 8) {
		st->session = h.session;
		st->msgs = st->bytes = 0;
		put_head(ack, h.session, 0, 0);
		return reply(c, st, WB_HELLO_ACK, ack, sizeof(ack));
	}
	if (!st->session || len < 8 || h.session != st->session) {
		st->dropped++;
		return 0;
	}
	if (type == WB_BYE) {
		put_head(ack, h.session, 0, 0);
		return reply(c, st, WB_BYE_ACK, ack, sizeof(ack)) < 0 ? -1 : 1;
	}
	if (type == WB_PING)
		return reply(c, st, WB_PONG, buf, len);
	if (type == WB_DATA) {
		st->msgs++;
		st->bytes += len;
		return 0;
	}
	if (type == WB_END) {
		put_head(ack, st->session, st->msgs, st->bytes);
		st->msgs = st->bytes = 0;
		return reply(c, st, WB_END_ACK, ack, sizeof(ack));
	}
	st->dropped++;
	return 0;
}

static void serve_end(const struct chan *c, const struct serve_state *st,
		      const char *why, bool quiet)
{
	if (!quiet)
		printf("winbench: %s serving partition %u (stale messages dropped: %llu)\n",
		       why, c->peer, st->dropped);
}

int serve(struct chan *c, long lifetime_s, int timeout_ms, bool quiet)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	struct serve_state st = { 0, 0, 0, 0, timeout_ms };
	long long end = now_ns() + lifetime_s * NS_PER_S, left;
	long drained = chan_drain(c);
	uint16_t type;
	size_t len;
	int ret;

	if (drained < 0)
		return 1;
	st.dropped = (unsigned long long)drained;
	if (!quiet)
		printf("winbench: serving partition %u on partition %u (until 'winbench stop %u' there, or %ld s)\n",
		       c->peer, c->self, c->self, lifetime_s);
	for (;;) {
		left = (end - now_ns()) / 1000000;
		ret = left > 0 ? c->ops->recv(c, &type, buf, &len, (int)left) : 1;
		if (ret == 1) {
			serve_end(c, &st, "deadline reached, stopped", quiet);
			return 0;
		}
		if (!ret)
			ret = serve_one(c, &st, type, buf, len);
		if (ret < 0)
			return 1;
		if (ret > 0) {
			serve_end(c, &st, "told to stop, stopped", quiet);
			return 0;
		}
	}
}

int stop(struct chan *c, int timeout_ms)
{
	if (session_bye(c, timeout_ms) < 0)
		return 1;
	printf("winbench: %s stopped serving\n", c->name);
	return 0;
}
